/* test_recovery_repair.c — `repair` (graph/repair.h): drift between main's
 * manifest and table heads, produced on purpose (a compaction committed
 * behind the manifest's back, a crashed write whose sidecar was lost, a
 * version whose transaction record is gone), classified, previewed,
 * refused, healed and forced. */
#include "testutil.h"

#include "crash/crash_fixture.h"
#include "graph/commit.h"
#include "graph/repair.h"
#include "base/log.h"

/* ---- pure classification and decision ---- */

static void test_classify_ops_each_class(void **state)
{
    (void)state;
    int maint[] = {OG_TXN_REWRITE, OG_TXN_CREATE_INDEX};
    int sem[] = {OG_TXN_REWRITE, OG_TXN_MERGE};
    bool ok2[] = {true, true}, gap[] = {true, false};
    assert_int_equal(og_repair_classify_ops(NULL, NULL, 0), OG_REPAIR_NO_DRIFT);
    assert_int_equal(og_repair_classify_ops(maint, ok2, 2), OG_REPAIR_VERIFIED_MAINTENANCE);
    assert_int_equal(og_repair_classify_ops(sem, ok2, 2), OG_REPAIR_SUSPICIOUS);
    assert_int_equal(og_repair_classify_ops(sem, gap, 2), OG_REPAIR_UNVERIFIABLE);
    int each[] = {OG_TXN_APPEND, OG_TXN_DELETE, OG_TXN_OVERWRITE, OG_TXN_RESTORE, OG_TXN_UPDATE_METADATA};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(og_repair_classify_ops(&each[i], ok2, 1), OG_REPAIR_SUSPICIOUS);
    assert_string_equal(og_repair_class_name(OG_REPAIR_VERIFIED_MAINTENANCE), "verified_maintenance");
}

static void test_decide_preview_heal_force_refuse(void **state)
{
    (void)state;
    assert_int_equal(og_repair_decide(OG_REPAIR_NO_DRIFT, true, true), OG_REPAIR_NO_OP);
    assert_int_equal(og_repair_decide(OG_REPAIR_SUSPICIOUS, false, false), OG_REPAIR_PREVIEW);
    assert_int_equal(og_repair_decide(OG_REPAIR_VERIFIED_MAINTENANCE, true, false), OG_REPAIR_HEALED);
    assert_int_equal(og_repair_decide(OG_REPAIR_SUSPICIOUS, true, false), OG_REPAIR_REFUSED);
    assert_int_equal(og_repair_decide(OG_REPAIR_UNVERIFIABLE, true, false), OG_REPAIR_REFUSED);
    assert_int_equal(og_repair_decide(OG_REPAIR_UNVERIFIABLE, true, true), OG_REPAIR_FORCED);
    assert_string_equal(og_repair_action_name(OG_REPAIR_FORCED), "forced");
}

/* ---- drift on a real graph ---- */

static const og_graph_pin *pin_of(const og_graph_snapshot *s, const char *key)
{
    const og_graph_pin *p = og_graph_snapshot_pin(s, key);
    assert_non_null(p);
    return p;
}

static uint64_t main_version(og_store *st)
{
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    uint64_t v = s.version;
    og_graph_snapshot_free(&s);
    return v;
}

/* Compacts Person's head behind the manifest's back (maintenance drift). */
static void compact_person(og_store *st)
{
    og_graph_snapshot s;
    og_table *t = NULL;
    og_txn *tx = NULL;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    OG_CHECK(og_table_open(st, pin_of(&s, "node:Person")->path, &t));
    og_compact_opts co = {0};
    OG_CHECK(og_table_stage_compact(t, &co, &tx));
    assert_non_null(tx);
    og_commit_opts cm = {false, 0};
    OG_CHECK(og_txn_commit(tx, &cm, NULL, NULL));
    og_txn_free(tx);
    og_table_close(t);
    og_graph_snapshot_free(&s);
}

static const og_repair_table *table_of(const og_repair_result *r, const char *key)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (!strcmp(r->tables[i].table_key, key)) return &r->tables[i];
    fail_msg("no table %s in the repair result", key);
    return NULL;
}

/* A graph with two commits on Person (two fragments to compact). */
static og_store *two_writes(void)
{
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL));
    og_graph_close(g);
    return st;
}

static void test_clean_graph_is_no_drift_and_publishes_nothing(void **state)
{
    (void)state;
    og_store *st = two_writes();
    uint64_t v = main_version(st);
    og_repair_result r;
    OG_CHECK(og_graph_repair(st, true, true, &r));
    assert_true(r.ntables >= 2);
    for (size_t i = 0; i < r.ntables; i++) {
        assert_int_equal(r.tables[i].cls, OG_REPAIR_NO_DRIFT);
        assert_int_equal(r.tables[i].action, OG_REPAIR_NO_OP);
        assert_int_equal(r.tables[i].head_version, r.tables[i].published_version);
    }
    assert_false(r.published);
    assert_false(r.refused);
    assert_int_equal(main_version(st), v);
    og_repair_result_free(&r);
    og_store_close(st);
}

static void test_maintenance_drift_previewed_then_healed_in_one_commit(void **state)
{
    (void)state;
    og_store *st = two_writes();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    char *before = cf_content(g, NULL);
    og_graph_close(g);
    compact_person(st);
    assert_int_equal(cf_drift(st, NULL), 1);
    uint64_t v = main_version(st);

    og_repair_result r;
    OG_CHECK(og_graph_repair(st, false, false, &r));
    const og_repair_table *p = table_of(&r, "node:Person");
    assert_int_equal(p->cls, OG_REPAIR_VERIFIED_MAINTENANCE);
    assert_int_equal(p->action, OG_REPAIR_PREVIEW);
    assert_int_equal(p->head_version, p->published_version + 1);
    assert_int_equal(p->noperations, 1);
    assert_string_equal(p->operations[0], "rewrite");
    assert_false(r.published);
    assert_int_equal(main_version(st), v);      /* preview writes nothing */
    assert_int_equal(cf_drift(st, NULL), 1);
    og_repair_result_free(&r);

    OG_CHECK(og_graph_repair(st, true, false, &r));
    p = table_of(&r, "node:Person");
    assert_int_equal(p->action, OG_REPAIR_HEALED);
    assert_true(r.published);
    assert_false(r.refused);
    assert_int_equal(r.manifest_version, v + 1); /* one publish */
    assert_int_equal(main_version(st), v + 1);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, r.commit_id, &c));
    assert_string_equal(c.actor, OG_REPAIR_ACTOR);
    og_graph_commit_clear(&c);
    og_repair_result_free(&r);

    g = cf_open(st, OG_GRAPH_RW);
    char *after = cf_content(g, NULL);
    assert_string_equal(after, before);          /* content-preserving */
    OG_CHECK(cf_write_pair(g, NULL, "Eve", "Ann", 5, NULL)); /* the next write works */
    free(after);
    free(before);
    og_graph_close(g);
    og_store_close(st);
}

/* A write crashed after its table commits and its sidecar was lost: the
 * movement is semantic, so confirm alone refuses and force publishes. */
static og_store *lost_sidecar_drift(void)
{
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    OG_CHECK(og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_close(g);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    OG_CHECK(og_sidecar_delete(st, sc.operation_id));
    og_sidecar_free(&sc);
    assert_int_equal(cf_drift(st, NULL), 2);
    return st;
}

static void test_semantic_drift_refused_without_force_then_forced(void **state)
{
    (void)state;
    og_store *st = lost_sidecar_drift();
    uint64_t v = main_version(st);
    og_repair_result r;
    OG_CHECK(og_graph_repair(st, true, false, &r));
    for (size_t i = 0; i < r.ntables; i++) {
        if (r.tables[i].head_version == r.tables[i].published_version) continue;
        assert_int_equal(r.tables[i].cls, OG_REPAIR_SUSPICIOUS);
        assert_int_equal(r.tables[i].action, OG_REPAIR_REFUSED);
    }
    assert_true(r.refused);
    assert_false(r.published);
    assert_int_equal(main_version(st), v);
    og_repair_result_free(&r);

    OG_CHECK(og_graph_repair(st, true, true, &r));
    assert_int_equal(table_of(&r, "node:Person")->action, OG_REPAIR_FORCED);
    assert_int_equal(table_of(&r, "edge:Knows")->action, OG_REPAIR_FORCED);
    assert_true(r.published);
    assert_int_equal(main_version(st), v + 1);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, r.commit_id, &c));
    assert_string_equal(c.actor, OG_REPAIR_FORCE_ACTOR);
    og_graph_commit_clear(&c);
    og_repair_result_free(&r);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    char *after = cf_content(g, NULL);
    assert_non_null(strstr(after, "Cid-Dan")); /* the forced heads are what main shows */
    OG_CHECK(cf_write_pair(g, NULL, "Eve", "Ann", 5, NULL));
    free(after);
    og_graph_close(g);
    og_store_close(st);
}

static void test_missing_transaction_is_unverifiable(void **state)
{
    (void)state;
    og_store *st = two_writes();
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    const og_graph_pin *p = pin_of(&s, "node:Person");
    compact_person(st);                          /* pin+1: rewrite */
    og_table *t = NULL;
    og_txn *tx = NULL;
    og_batch b = OG_BATCH_INIT;
    const char *names[] = {"Zed"};
    int ages[] = {9};
    cf_people(&b, names, ages, 1);
    OG_CHECK(og_table_open(st, p->path, &t));
    OG_CHECK(og_table_stage_append(t, &b, &tx)); /* pin+2: append */
    og_commit_opts cm = {false, 0};
    OG_CHECK(og_txn_commit(tx, &cm, NULL, NULL));
    og_txn_free(tx);
    og_table_close(t);
    og_batch_free(&b);
    char key[256];
    snprintf(key, sizeof key, "%s/_versions/%020llu.manifest", p->path,
             (unsigned long long)(UINT64_MAX - (p->version + 1)));
    OG_CHECK(og_store_delete(st, key));          /* pin+1's record is gone */

    og_repair_result r;
    OG_CHECK(og_graph_repair(st, true, false, &r));
    const og_repair_table *rt = table_of(&r, "node:Person");
    assert_int_equal(rt->head_version, p->version + 2);
    assert_int_equal(rt->cls, OG_REPAIR_UNVERIFIABLE);
    assert_int_equal(rt->action, OG_REPAIR_REFUSED);
    assert_non_null(rt->error);
    assert_non_null(strstr(rt->error, "version"));
    assert_true(r.refused);
    assert_false(r.published);
    og_repair_result_free(&r);
    og_graph_snapshot_free(&s);
    og_store_close(st);
}

static void test_pending_sidecar_refuses_and_force_needs_confirm(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    OG_CHECK(og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_close(g);
    og_repair_result r;
    assert_int_equal(og_graph_repair(st, false, false, &r), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, "sidecar"));
    assert_int_equal(og_graph_repair(st, false, true, &r), OG_E_INVALID);
    og_error_clear();
    og_store_close(st);
}

static void test_failed_publish_leaves_everything_as_it_was(void **state)
{
    (void)state;
    og_store *st = two_writes();
    compact_person(st);
    uint64_t v = main_version(st);
    og_repair_result r;
    OG_CHECK(og_failpoint_arm("repair.before_publish", OG_FP_ERROR, 1, false));
    assert_int_equal(og_graph_repair(st, true, false, &r), OG_E_INJECTED);
    og_failpoint_disarm_all();
    og_error_clear();
    assert_int_equal(main_version(st), v);
    assert_int_equal(cf_drift(st, NULL), 1);
    OG_CHECK(og_graph_repair(st, true, false, &r)); /* a retry heals */
    assert_true(r.published);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_repair_result_free(&r);
    og_store_close(st);
}

int main(void)
{
    og_log_set_level(OG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_ops_each_class),
        cmocka_unit_test(test_decide_preview_heal_force_refuse),
        cmocka_unit_test(test_clean_graph_is_no_drift_and_publishes_nothing),
        cmocka_unit_test(test_maintenance_drift_previewed_then_healed_in_one_commit),
        cmocka_unit_test(test_semantic_drift_refused_without_force_then_forced),
        cmocka_unit_test(test_missing_transaction_is_unverifiable),
        cmocka_unit_test(test_pending_sidecar_refuses_and_force_needs_confirm),
        cmocka_unit_test(test_failed_publish_leaves_everything_as_it_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
