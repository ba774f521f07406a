/* test_recovery_migrate.c — internal-schema migrations on read-write open
 * (write-path.md §8): an old-stamp graph is served as is read-only and
 * brought up to date, idempotently, read-write. */
#include "testutil.h"

#include "crash/crash_fixture.h"
#include "graph/commit.h"
#include "graph/internal.h"
#include "graph/migrate.h"

/* Rewrites main's head version object with internal_schema_version = v. */
static void set_stamp(og_store *st, int v)
{
    og_graph_snapshot s;
    og_buf key = OG_BUF_INIT, b = OG_BUF_INIT, o = OG_BUF_INIT;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    OG_CHECK(og_graph_key_version(&key, s.branch_uid, s.version));
    OG_CHECK(og_store_get(st, og_buf_cstr(&key), &b, NULL));
    const char *txt = og_buf_cstr(&b);
    const char *p = strstr(txt, "\"internal_schema_version\"");
    assert_non_null(p);
    p += strlen("\"internal_schema_version\"");
    while (*p == ':' || *p == ' ') p++;
    OG_CHECK(og_buf_append(&o, txt, (size_t)(p - txt)));
    OG_CHECK(og_buf_printf(&o, "%d", v));
    while (*p >= '0' && *p <= '9') p++;
    OG_CHECK(og_buf_append_str(&o, p));
    OG_CHECK(og_store_put(st, og_buf_cstr(&key), o.data, o.len, NULL));
    og_buf_free(&key);
    og_buf_free(&b);
    og_buf_free(&o);
    og_graph_snapshot_free(&s);
}

static uint32_t stamp_of(og_store *st)
{
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    uint32_t v = s.internal_schema_version;
    og_graph_snapshot_free(&s);
    return v;
}

/* A graph as a stamp-1 build left it: one write, then a crash between a
 * table commit and the publish, with no sidecar (stamp 1 had none). */
static og_store *old_graph(void)
{
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    og_graph_close(g);
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    const og_graph_pin *p = og_graph_snapshot_pin(&s, "node:Person");
    og_table *t = NULL;
    og_txn *tx = NULL;
    og_batch b = OG_BATCH_INIT;
    const char *names[] = {"Ghost"};
    int ages[] = {1};
    cf_people(&b, names, ages, 1);
    OG_CHECK(og_table_open_at(st, p->path, p->version, &t));
    OG_CHECK(og_table_stage_append(t, &b, &tx));
    og_commit_opts co = {true, 0};
    OG_CHECK(og_txn_commit(tx, &co, NULL, NULL));
    og_txn_free(tx);
    og_table_close(t);
    og_batch_free(&b);
    og_graph_snapshot_free(&s);
    set_stamp(st, 1);
    return st;
}

static void test_read_only_open_serves_old_stamp_as_is(void **state)
{
    (void)state;
    og_store *st = old_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RO);
    assert_int_equal(stamp_of(st), 1);
    assert_int_equal(cf_drift(st, NULL), 1);
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "Ann"));
    assert_null(strstr(c, "Ghost"));
    free(c);
    og_graph_close(g);
    og_store_close(st);
}

static void test_read_write_open_migrates_stamp_1_and_reconciles_drift(void **state)
{
    (void)state;
    og_store *st = old_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(stamp_of(st), OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_graph_commit_list l;
    OG_CHECK(og_graph_commit_list_branch(st, NULL, OG_MIGRATE_ACTOR, 10, &l));
    assert_int_equal(l.len, 1); /* the drift reconcile on main carries the stamp */
    og_graph_commit_list_free(&l);
    char *c = cf_content(g, NULL);
    assert_null(strstr(c, "Ghost"));
    free(c);
    /* the writer the drift used to block now succeeds */
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 1, NULL));
    og_graph_close(g);
    /* a second open has nothing to do */
    uint32_t from = 0, to = 0;
    OG_CHECK(og_graph_migrate(st, &from, &to));
    assert_int_equal(from, OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    assert_int_equal(to, OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    og_store_close(st);
}

static void test_interrupted_migration_reruns(void **state)
{
    (void)state;
    og_store *st = old_graph();
    og_graph *g = NULL;
    const char *fps[] = {"migrate.before_step", "graph.publish.before_version_put"};
    for (size_t i = 0; i < 2; i++) {
        OG_CHECK(og_failpoint_arm(fps[i], OG_FP_CRASH, 1, false));
        assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_CRASHED);
        og_failpoint_disarm_all();
        assert_int_equal(stamp_of(st), 1);
    }
    g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(stamp_of(st), OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *c = cf_content(g, NULL);
    assert_null(strstr(c, "Ghost"));
    assert_non_null(strstr(c, "Ann-Bob"));
    free(c);
    og_graph_close(g);
    og_store_close(st);
}

static void test_migration_without_drift_publishes_the_stamp(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    set_stamp(st, 1);
    OG_CHECK(og_failpoint_arm("migrate.post_step_pre_stamp", OG_FP_CRASH, 1, false));
    og_graph *g = NULL;
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_CRASHED);
    og_failpoint_disarm_all();
    assert_int_equal(stamp_of(st), 1);
    g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(stamp_of(st), OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    og_graph_commit_list l;
    OG_CHECK(og_graph_commit_list_branch(st, NULL, OG_MIGRATE_ACTOR, 10, &l));
    assert_int_equal(l.len, 1);
    og_graph_commit_list_free(&l);
    og_graph_close(g);
    og_store_close(st);
}

static void test_newer_stamp_refused_naming_both(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = NULL;
    set_stamp(st, OG_GRAPH_INTERNAL_SCHEMA_VERSION + 1);
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_UNSUPPORTED);
    assert_non_null(strstr(og_error_last()->message, "upgrade omnigraph"));
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_only_open_serves_old_stamp_as_is),
        cmocka_unit_test(test_read_write_open_migrates_stamp_1_and_reconciles_drift),
        cmocka_unit_test(test_interrupted_migration_reruns),
        cmocka_unit_test(test_migration_without_drift_publishes_the_stamp),
        cmocka_unit_test(test_newer_stamp_refused_naming_both),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
