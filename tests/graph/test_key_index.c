/* test_key_index.c — optimize keeps the key indexes of key_index.h: after
 * it, node tables have a btree on `id` and edge tables on `id`, `src` and
 * `dst`, each covering every fragment of the published pin; a second
 * optimize has nothing to build and publishes nothing; content and row ids
 * are unchanged; a write and a cascading delete after it see the same
 * rows as without the indexes; once enough rows sit outside an index, the
 * next optimize rebuilds it to full coverage. */
#include "testutil.h"

#include "graph/key_index.h"
#include "maint_fixture.h"

static og_status optimize(og_graph *g, const char *branch, og_optimize_result *r)
{
    og_optimize_opts o = {branch, "tester", 0, 0, 0};
    return og_graph_optimize(g, &o, r);
}

/* The index named "<col>_idx" of the pinned table, its coverage in rows
 * (live rows of covered fragments) and the table's live rows. */
static bool index_cover(og_store *st, const char *table_key, const char *col, uint64_t *covered,
                        uint64_t *rows)
{
    og_graph_snapshot s;
    og_table *t = NULL;
    char name[64];
    bool found = false;
    snprintf(name, sizeof name, "%s_idx", col);
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    const og_graph_pin *p = og_graph_snapshot_pin(&s, table_key);
    assert_non_null(p);
    OG_CHECK(og_table_open_at(st, p->path, p->version, &t));
    const og_manifest *m = og_table_manifest(t);
    *covered = *rows = 0;
    for (size_t f = 0; f < m->nfrags; f++) *rows += m->frags[f].rows - m->frags[f].deleted;
    for (size_t i = 0; i < m->nindices; i++) {
        const og_index_meta *ix = &m->indices[i];
        if (strcmp(ix->name, name)) continue;
        const og_field *fd = og_schema_find(&m->schema, col);
        assert_non_null(fd);
        assert_int_equal(ix->field_id, fd->id);
        assert_string_equal(ix->kind, "btree");
        found = true;
        for (size_t f = 0; f < m->nfrags; f++)
            for (size_t k = 0; k < ix->nfrags; k++)
                if (ix->frags[k] == m->frags[f].id) *covered += m->frags[f].rows - m->frags[f].deleted;
    }
    og_table_close(t);
    og_graph_snapshot_free(&s);
    return found;
}

static void assert_full(og_store *st, const char *table_key, const char *col)
{
    uint64_t cov = 0, rows = 0;
    if (!index_cover(st, table_key, col, &cov, &rows)) {
        print_error("%s has no index on %s\n", table_key, col);
        fail();
    }
    assert_true(rows > 0);
    assert_int_equal(cov, rows);
}

static void test_optimize_builds_id_src_dst_indexes_once(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_optimize_result r;
    uint64_t cov, rows;
    mf_build(g, 6);
    char *rid0 = mf_rowids(g, NULL), *c0 = cf_content(g, NULL);
    assert_false(index_cover(st, "node:Person", "id", &cov, &rows));
    OG_CHECK(optimize(g, NULL, &r));
    assert_true(r.published);
    og_optimize_result_clear(&r);
    assert_full(st, "node:Person", "id");
    assert_full(st, "edge:Knows", "id");
    assert_full(st, "edge:Knows", "src");
    assert_full(st, "edge:Knows", "dst");
    assert_false(index_cover(st, "node:Person", "name", &cov, &rows)); /* only keys */
    assert_int_equal(cf_drift(st, NULL), 0);
    assert_int_equal(cf_sidecars(st), 0);
    char *rid1 = mf_rowids(g, NULL), *c1 = cf_content(g, NULL);
    assert_string_equal(rid0, rid1);
    assert_string_equal(c0, c1);
    /* nothing left to build or compact: no publish */
    uint64_t before = mf_count(st, "", NULL);
    OG_CHECK(optimize(g, NULL, &r));
    assert_false(r.published);
    og_optimize_result_clear(&r);
    assert_int_equal(mf_count(st, "", NULL), before);
    free(rid0); free(rid1); free(c0); free(c1);
    og_graph_close(g);
    og_store_close(st);
}

/* Writes and deletes through the indexed tables agree with the same
 * writes on an unindexed copy (the index yields candidates only): an
 * upsert of an existing key updates it, deleting p03 alone is refused
 * because edge p02-p03 still points at it (found through the dst index),
 * and deleting both by id succeeds. */
static og_status delete_ids(og_graph *g, const char *person, const char *edge)
{
    og_graph_txn *x = NULL;
    og_graph_txn_opts o = {NULL, "tester", NULL};
    og_graph_commit_result cr;
    memset(&cr, 0, sizeof cr);
    og_status rc = og_graph_txn_begin(g, &o, &x);
    if (rc) return rc;
    rc = og_graph_txn_delete(x, cf_type(g, OG_KIND_NODE, "Person"), &person, 1);
    if (!rc && edge) rc = og_graph_txn_delete(x, cf_type(g, OG_KIND_EDGE, "Knows"), &edge, 1);
    if (rc) { og_graph_txn_abort(x); return rc; }
    rc = og_graph_txn_commit(x, &cr);
    og_graph_commit_result_clear(&cr);
    return rc;
}

static void test_writes_and_deletes_agree_with_unindexed_copy(void **state)
{
    (void)state;
    og_store *a = cf_new_graph(), *b = NULL;
    og_graph *ga = cf_open(a, OG_GRAPH_RW);
    og_optimize_result r;
    mf_build(ga, 6);
    b = mf_clone(a);
    og_graph *gb = cf_open(b, OG_GRAPH_RW);
    OG_CHECK(optimize(ga, NULL, &r));
    og_optimize_result_clear(&r);
    assert_full(a, "edge:Knows", "dst");
    og_graph *gs[2] = {ga, gb};
    for (int k = 0; k < 2; k++) {
        OG_CHECK(cf_write_pair(gs[k], NULL, "p02", "n1", 40, NULL));
        og_status rc = delete_ids(gs[k], "p03", NULL);
        assert_int_equal(rc, OG_E_VALIDATION);
        assert_non_null(strstr(og_error_last()->message, "p02-p03"));
        og_error_clear();
        OG_CHECK(delete_ids(gs[k], "p03", "p02-p03"));
    }
    char *ca = cf_content(ga, NULL), *cb = cf_content(gb, NULL);
    assert_string_equal(ca, cb);
    assert_null(strstr(ca, "\"p03\""));
    assert_non_null(strstr(ca, "\"n1\""));
    assert_non_null(strstr(ca, "\"age\":40"));
    free(ca); free(cb);
    og_graph_close(ga);
    og_graph_close(gb);
    og_store_close(a);
    og_store_close(b);
}

/* Past the slack, an index is rebuilt over every fragment. */
static void test_stale_index_is_rebuilt(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_optimize_result r;
    uint64_t cov = 0, rows = 0;
    OG_CHECK(cf_write_pair(g, NULL, "s0", "s1", 1, NULL));
    OG_CHECK(optimize(g, NULL, &r));
    og_optimize_result_clear(&r);
    assert_full(st, "node:Person", "id");
    /* one write of more rows than the slack: the index covers 2 of them */
    og_graph_txn *x = NULL;
    og_graph_txn_opts o = {NULL, "tester", NULL};
    size_t n = 2 * OG_KEY_INDEX_SLACK_ROWS; /* past the slack and the eighth */
    char **names = calloc(n, sizeof *names);
    int *ages = calloc(n, sizeof *ages);
    for (size_t i = 0; i < n; i++) {
        names[i] = malloc(16);
        snprintf(names[i], 16, "m%05zu", i);
    }
    og_batch p = OG_BATCH_INIT;
    cf_people(&p, (const char *const *)names, ages, n);
    OG_CHECK(og_graph_txn_begin(g, &o, &x));
    OG_CHECK(og_graph_txn_put(x, cf_type(g, OG_KIND_NODE, "Person"), &p, OG_WRITE_UPSERT));
    og_graph_commit_result cr;
    memset(&cr, 0, sizeof cr);
    OG_CHECK(og_graph_txn_commit(x, &cr));
    og_graph_commit_result_clear(&cr);
    og_batch_free(&p);
    assert_true(index_cover(st, "node:Person", "id", &cov, &rows));
    assert_int_equal(cov, 2);
    assert_int_equal(rows, n + 2);
    {
        og_graph_snapshot s;
        og_table *t = NULL;
        OG_CHECK(og_graph_open_head(st, NULL, &s));
        const og_graph_pin *pin = og_graph_snapshot_pin(&s, "node:Person");
        OG_CHECK(og_table_open_at(st, pin->path, pin->version, &t));
        const char *due = og_key_index_due(t, cf_type(g, OG_KIND_NODE, "Person"));
        assert_non_null(due);
        assert_string_equal(due, "id");
        og_table_close(t);
        og_graph_snapshot_free(&s);
    }
    OG_CHECK(optimize(g, NULL, &r));
    og_optimize_result_clear(&r);
    assert_full(st, "node:Person", "id");
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    free(ages);
    og_graph_close(g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimize_builds_id_src_dst_indexes_once),
        cmocka_unit_test(test_writes_and_deletes_agree_with_unindexed_copy),
        cmocka_unit_test(test_stale_index_is_rebuilt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
