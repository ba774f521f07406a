/* test_crash_maint.c — optimize and cleanup crashed at every store
 * operation (the fault store drops the operation whole and fails every
 * later one), then the graph is reopened read-write (the recovery sweep
 * runs) and checked: main and branch content unchanged (both verbs are
 * content-preserving), every pin equals its table head, no sidecar left,
 * and the verb then runs to completion with the content still unchanged.
 * The template also holds a deleted branch `d` whose table forks are left
 * (its delete crashed after the ref went) and a branch `b` with more fork
 * versions than cleanup keeps, so the fork GC (version collection and the
 * reclaim of d's forks) is crashed at each of its store operations too;
 * once the verb completes, nothing of d's forks is left in the listing.
 * The number of crash points per verb is printed. */
#include "testutil.h"

#include "graph/maint_fixture.h"

static og_store *g_template;
static char *g_main, *g_branch, *g_c;
static char g_dead[OG_ULID_LEN + 1];

/* Keys of the dead branch's table forks (trees and refs) in the store. */
static size_t dead_fork_keys(og_store *st)
{
    og_list l;
    char tree[64], ref[64];
    size_t n = 0;
    snprintf(tree, sizeof tree, "/tree/%s/", g_dead);
    snprintf(ref, sizeof ref, "/_refs/branches/%s.json", g_dead);
    OG_CHECK(og_store_list_all(st, "", &l));
    for (size_t i = 0; i < l.len; i++) n += strstr(l.items[i].key, tree) || strstr(l.items[i].key, ref);
    og_list_free(&l);
    return n;
}

static int setup(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    mf_build(g, 5);
    OG_CHECK(og_graph_branch_create(st, "c", NULL, 0, NULL));
    for (int i = 0; i < 3; i++) OG_CHECK(cf_write_pair(g, NULL, "q1", "q2", 70 + i, NULL));
    /* more fork versions on b than cleanup keeps */
    for (int i = 0; i < 3; i++) OG_CHECK(cf_write_pair(g, "b", "bq1", "bq2", 80 + i, NULL));
    /* d: forks written, then its ref dropped as a crashed delete leaves it */
    og_graph_ref ref;
    og_buf key = OG_BUF_INIT;
    memset(&ref, 0, sizeof ref);
    OG_CHECK(og_graph_branch_create(st, "d", NULL, 0, &ref));
    snprintf(g_dead, sizeof g_dead, "%s", ref.uid);
    og_graph_ref_clear(&ref);
    for (int i = 0; i < 2; i++) OG_CHECK(cf_write_pair(g, "d", "dq1", "dq2", 90 + i, NULL));
    OG_CHECK(og_graph_key_ref(&key, "d"));
    OG_CHECK(og_store_delete(st, og_buf_cstr(&key)));
    og_buf_free(&key);
    assert_true(dead_fork_keys(st) > 0);
    g_main = cf_content(g, NULL);
    g_branch = cf_content(g, "b");
    g_c = cf_content(g, "c");
    og_graph_close(g);
    g_template = st;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    og_store_close(g_template);
    free(g_main);
    free(g_branch);
    free(g_c);
    return 0;
}

typedef og_status (*verb_fn)(og_graph *g);

static og_status v_optimize(og_graph *g)
{
    og_optimize_result r;
    og_optimize_opts o = {NULL, NULL, 2, 0, 0};
    og_status rc = og_graph_optimize(g, &o, &r);
    og_optimize_result_clear(&r);
    if (rc) return rc;
    o.branch = "b";
    rc = og_graph_optimize(g, &o, &r);
    og_optimize_result_clear(&r);
    return rc;
}

static og_status v_cleanup(og_graph *g)
{
    og_cleanup_result r;
    og_cleanup_policy p;
    memset(&p, 0, sizeof p);
    p.keep = 1;
    p.grace_us = 1;
    p.min_age_us = -1;
    og_status rc = og_graph_cleanup(g, &p, &r);
    og_cleanup_result_clear(&r);
    return rc;
}

/* Optimize first, so cleanup has compacted-away files to reclaim. */
static og_status v_optimize_then_cleanup(og_graph *g)
{
    og_status rc = v_optimize(g);
    return rc ? rc : v_cleanup(g);
}

static void check(og_store *st, verb_fn fn, const char *what, unsigned at)
{
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    char *m = cf_content(g, NULL), *b = cf_content(g, "b"), *c = cf_content(g, "c");
    if (strcmp(m, g_main) || strcmp(b, g_branch) || strcmp(c, g_c)) {
        print_error("%s crashed at op %u: content changed\n", what, at);
        fail();
    }
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    assert_int_equal(cf_drift(st, "b"), 0);
    OG_CHECK(fn(g)); /* the verb completes after the crash */
    char *m2 = cf_content(g, NULL), *b2 = cf_content(g, "b"), *c2 = cf_content(g, "c");
    assert_string_equal(m2, g_main);
    assert_string_equal(b2, g_branch);
    assert_string_equal(c2, g_c);
    assert_int_equal(dead_fork_keys(st), 0); /* the fork GC completed */
    OG_CHECK(cf_write_pair(g, NULL, "w1", "w2", 1, NULL)); /* and the graph takes writes */
    free(m); free(b); free(c); free(m2); free(b2); free(c2);
    og_graph_close(g);
}

static void crash_every_op(verb_fn fn, const char *what)
{
    /* clean run: how many store operations the verb makes */
    og_store *st = mf_clone(g_template), *f = NULL;
    og_graph *g = NULL;
    OG_CHECK(og_store_fault_open(cf_share(st), &f));
    OG_CHECK(og_graph_open(f, OG_GRAPH_RW, &g));
    og_store_fault_reset_counts(f);
    OG_CHECK(fn(g));
    uint64_t total = og_store_fault_total(f);
    og_graph_close(g);
    og_store_close(st);
    unsigned crashes = 0;
    for (unsigned i = 1; i <= total; i++) {
        st = mf_clone(g_template);
        OG_CHECK(og_store_fault_open(cf_share(st), &f));
        OG_CHECK(og_graph_open(f, OG_GRAPH_RW, &g));
        og_store_fault_reset_counts(f);
        og_store_fault_crash_at(f, i);
        og_status rc = fn(g);
        bool crashed = og_store_fault_crashed(f);
        og_error_clear();
        og_graph_close(g);
        if (!crashed) {
            print_error("%s: no crash at op %u (rc %d): not deterministic\n", what, i, rc);
            fail();
        }
        crashes++;
        check(st, fn, what, i);
        og_store_close(st);
    }
    printf("crash points: %-22s %u store operations, each crashed and recovered\n", what, crashes);
    assert_true(crashes > 10);
}

/* Failpoint crashes at the named phases, for the recovery direction each
 * one implies. */
static void crash_at_failpoint(const char *name, unsigned nth)
{
    og_store *st = mf_clone(g_template);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(og_failpoint_arm(name, OG_FP_CRASH, nth, false));
    og_status rc = v_optimize_then_cleanup(g);
    og_failpoint_disarm_all();
    og_error_clear();
    assert_int_equal(rc, OG_E_CRASHED);
    og_graph_close(g);
    check(st, v_optimize_then_cleanup, name, 0);
    og_store_close(st);
}

/* Optimize (main, then branch b) and then cleanup: the ops of optimize are
 * the prefix of this sequence, so every step of both is crashed once. */
static void test_optimize_and_cleanup_crashed_at_every_store_op_recover(void **state)
{
    (void)state;
    crash_every_op(v_optimize_then_cleanup, "optimize+cleanup");
}

/* Cleanup alone: every store op of the manifest GC, the table GC and the
 * fork GC (b's fork versions, d's forks reclaimed) crashed once. */
static void test_cleanup_with_fork_gc_crashed_at_every_store_op_recovers(void **state)
{
    (void)state;
    crash_every_op(v_cleanup, "cleanup (with forks)");
}

static void test_crash_at_every_maintenance_failpoint_recovers(void **state)
{
    (void)state;
    crash_at_failpoint("optimize.post_phase_a", 1);
    crash_at_failpoint("optimize.post_table_commit", 1);
    crash_at_failpoint("optimize.post_table_commit", 2);
    crash_at_failpoint("optimize.post_phase_b_pre_manifest_commit", 1);
    crash_at_failpoint("optimize.post_phase_c_pre_phase_d", 1);
    crash_at_failpoint("cleanup.post_manifest_gc", 1);
    crash_at_failpoint("cleanup.post_table_gc", 1);
    crash_at_failpoint("cleanup.post_table_gc", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_at_every_maintenance_failpoint_recovers),
        cmocka_unit_test(test_optimize_and_cleanup_crashed_at_every_store_op_recover),
        cmocka_unit_test(test_cleanup_with_fork_gc_crashed_at_every_store_op_recovers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
