/* test_maint_growth.c — storage stays bounded under automatic
 * maintenance: N single-entity commits, each followed by the due check
 * and (when due) og_graph_maintain, through a counting fault store.
 * Checked: store objects and bytes outside the lineage records
 * (__manifest/commits/, one small object per commit, kept for `commit
 * list`) stop growing; store operations of one insert are flat (commits
 * 10-19 vs the last 10); content is every inserted row. A 10,000-commit
 * curve is bench/bench_growth.c. */
#include "testutil.h"

#include "graph/maint_fixture.h"

#define N 300

static og_status insert_one(og_graph *g, int i)
{
    og_graph_txn *x = NULL;
    og_batch b = OG_BATCH_INIT;
    og_graph_commit_result r;
    char name[32];
    memset(&r, 0, sizeof r);
    snprintf(name, sizeof name, "n%05d", i);
    const char *names[] = {name};
    int ages[] = {i};
    og_status rc = og_graph_txn_begin(g, NULL, &x);
    if (rc) return rc;
    cf_people(&b, names, ages, 1);
    rc = og_graph_txn_put(x, cf_type(g, OG_KIND_NODE, "Person"), &b, OG_WRITE_UPSERT);
    og_batch_free(&b);
    if (rc) { og_graph_txn_abort(x); return rc; }
    rc = og_graph_txn_commit(x, &r);
    og_graph_commit_result_clear(&r);
    return rc;
}

static void test_growth_bounded_with_auto_maintenance(void **state)
{
    (void)state;
    og_store *mem = cf_new_graph(), *f = NULL;
    og_graph *g = NULL;
    OG_CHECK(og_store_fault_open(cf_share(mem), &f));
    OG_CHECK(og_graph_open(f, OG_GRAPH_RW, &g));
    og_maint_opts mo = {NULL, 8, 8, 10, 1, -1, 0}; /* default tier: 300 rows stay one tier */ /* sequential: no grace or min age needed */
    uint64_t ops_early = 0, ops_late = 0, amort_early = 0, amort_late = 0, maint_runs = 0;
    size_t objs_at[N / 50 + 1] = {0}, lineage = 0;
    uint64_t bytes_at[N / 50 + 1] = {0};
    for (int i = 1; i <= N; i++) {
        uint64_t t0 = og_store_fault_total(f);
        OG_CHECK(insert_one(g, i));
        uint64_t t1 = og_store_fault_total(f);
        bool due = false;
        OG_CHECK(og_graph_maint_due(g, &mo, &due));
        if (due) { OG_CHECK(og_graph_maintain(g, &mo, NULL)); maint_runs++; }
        uint64_t t2 = og_store_fault_total(f);
        if (i >= 10 && i < 20) { ops_early += t1 - t0; amort_early += t2 - t0; }
        if (i > N - 10) { ops_late += t1 - t0; amort_late += t2 - t0; }
        if (i % 50 == 0) {
            uint64_t bytes = 0, lb = 0;
            size_t all = mf_count(mem, "", &bytes);
            lineage = mf_count(mem, OG_GRAPH_COMMITS_PREFIX, &lb);
            objs_at[i / 50] = all - lineage;
            bytes_at[i / 50] = bytes - lb;
            printf("growth: commit %4d: %4zu objects (%zu lineage), %7llu bytes (%llu lineage), maintenance runs %llu\n",
                   i, all, lineage, (unsigned long long)bytes, (unsigned long long)lb,
                   (unsigned long long)maint_runs);
        }
    }
    printf("growth: store ops per insert: commits 10-19 %.1f, commits %d-%d %.1f; with maintenance amortised "
           "%.1f -> %.1f\n", ops_early / 10.0, N - 9, N, ops_late / 10.0, amort_early / 10.0, amort_late / 10.0);
    assert_true(maint_runs > 10);
    /* flat: the last inserts cost what the early ones did (+2 for noise) */
    assert_true(ops_late <= ops_early + 20);
    /* bounded: objects (lineage aside) at the end within 1.5x of commit 100 */
    for (int k = 3; k <= N / 50; k++) {
        assert_true(objs_at[k] * 2 <= objs_at[2] * 3);
        assert_true(bytes_at[k] * 2 <= bytes_at[2] * 3);
    }
    /* genesis + N writes + one per optimize, plus the key-index builds:
     * the tables here stay small, so each index is built once (key_index.h) */
    assert_in_range(lineage, (size_t)N + 1 + maint_runs, (size_t)N + 1 + maint_runs + 4);
    if (getenv("MAINT_DUMP")) {
        og_list l;
        OG_CHECK(og_store_list_all(mem, "", &l));
        for (size_t i = 0; i < l.len; i++)
            if (strncmp(l.items[i].key, OG_GRAPH_COMMITS_PREFIX, strlen(OG_GRAPH_COMMITS_PREFIX)))
                printf("key %s %llu\n", l.items[i].key, (unsigned long long)l.items[i].size);
        og_list_free(&l);
    }
    /* nothing lost */
    og_graph_view *v = NULL;
    og_table *t = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    OG_CHECK(og_graph_view_table(v, cf_type(g, OG_KIND_NODE, "Person"), &t));
    assert_int_equal(og_table_count_rows(t), N);
    og_graph_view_close(v);
    og_graph_close(g);
    og_store_close(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth_bounded_with_auto_maintenance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
