/* test_crash_merge.c — a branch merge crashed anywhere is all or nothing
 * (merge.h (6), write-path.md §6).
 * Seed (mem store): Ann-Bob on main; branches feat and tgt from there;
 * Cid-Dan written on feat (Person + Knows), Eve-Fay on main. Three merges:
 * feat into main (three-way: both sides moved both tables), feat into tgt
 * (fast forward onto a branch with no table forks: first-touch forks) and
 * main into feat (merged into a branch that owns its forks).
 * (1) Every durable store write step of each merge is crashed in turn (the
 *     fault store drops the write and everything after); the graph is
 *     reopened read-write (recovery) and must: open; hold no sidecar; have
 *     every pin of main and feat at its table's head; show the target as it
 *     was before or as the clean merge left it (content and whether the
 *     head is the merge commit with the source head as merged parent,
 *     nothing in between); and take the next write.
 * (2) Each merge.* failpoint crashes the merge in turn; the reopen must
 *     roll back (before the sidecar's table commits are confirmed by the
 *     last one) or roll forward (all table commits landed) as the phase
 *     dictates, with the checks of (1). */
#include "testutil.h"

#include "graph/maint_fixture.h"
#include "graph/merge.h"

/* A store that counts write operations (to know how many to crash). */
typedef struct cnt { og_store base; og_store *inner; unsigned writes; } cnt;
#define CI(s) (((cnt *)(s)->impl)->inner)
#define CW(s) (((cnt *)(s)->impl)->writes++)
static og_status c_get(og_store *s, const char *k, og_buf *o, og_obj_meta *m) { return og_store_get(CI(s), k, o, m); }
static og_status c_get_range(og_store *s, const char *k, uint64_t off, uint64_t n, og_buf *o) { return og_store_get_range(CI(s), k, off, n, o); }
static og_status c_head(og_store *s, const char *k, og_obj_meta *m) { return og_store_head(CI(s), k, m); }
static og_status c_put(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { CW(s); return og_store_put(CI(s), k, p, n, m); }
static og_status c_pia(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { CW(s); return og_store_put_if_absent(CI(s), k, p, n, m); }
static og_status c_pim(og_store *s, const char *k, const char *e, const void *p, size_t n, og_obj_meta *m) { CW(s); return og_store_put_if_match(CI(s), k, e, p, n, m); }
static og_status c_list(og_store *s, const char *pf, const char *sa, size_t mk, og_list *o) { return og_store_list(CI(s), pf, sa, mk, o); }
static og_status c_del(og_store *s, const char *k) { CW(s); return og_store_delete(CI(s), k); }
static og_status c_delp(og_store *s, const char *k) { CW(s); return og_store_delete_prefix(CI(s), k); }
static void c_close(og_store *s) { og_store_close(CI(s)); free(s->impl); }
static const og_store_ops CNT_OPS = {"cnt", c_get, c_get_range, c_head, c_put, c_pia, c_pim, c_list, c_del, c_delp, c_close, NULL};

typedef struct mcase { const char *name, *source, *target, *outcome; } mcase;
static const mcase CASES[] = {
    {"three_way_into_main", "feat", NULL, "merged"},
    {"fast_forward_into_lazy_branch", "feat", "tgt", "fast_forward"},
    {"main_into_owning_branch", "main", "feat", "merged"},
};

static og_store *g_template;
static char g_seed_commit[OG_ULID_LEN + 1];

static int setup(void **state)
{
    (void)state;
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    g_template = cf_new_graph();
    og_graph *g = cf_open(g_template, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, &r));
    memcpy(g_seed_commit, r.commit_id, sizeof g_seed_commit);
    OG_CHECK(og_graph_branch_create(og_graph_store(g), "feat", NULL, 0, NULL));
    OG_CHECK(og_graph_branch_create(og_graph_store(g), "tgt", NULL, 0, NULL));
    OG_CHECK(cf_write_pair(g, "feat", "Cid", "Dan", 40, NULL));
    OG_CHECK(cf_write_pair(g, NULL, "Eve", "Fay", 50, NULL));
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    og_store_close(g_template);
    return 0;
}

static og_status run_merge(og_graph *g, const mcase *c)
{
    og_graph_merge_result r;
    og_graph_merge_opts o = {c->source, c->target, "merger"};
    og_status rc = og_graph_branch_merge(g, &o, &r);
    if (rc == OG_OK && strcmp(og_merge_outcome_name(r.outcome), c->outcome)) {
        print_error("%s: outcome %s, want %s\n", c->name, og_merge_outcome_name(r.outcome), c->outcome);
        fail();
    }
    og_graph_merge_result_clear(&r);
    return rc;
}

/* Target content + whether its head is a merge of the source head. */
static char *state_of(og_graph *g, const mcase *c)
{
    og_graph_snapshot s, src;
    OG_CHECK(og_graph_open_head(og_graph_store(g), c->target, &s));
    OG_CHECK(og_graph_open_head(og_graph_store(g), strcmp(c->source, "main") ? c->source : NULL, &src));
    char *content = cf_content(g, c->target);
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_buf_printf(&b, "%smerged=%s\n", content, strcmp(s.head.merged_parent, src.head.id) ? "no" : "yes"));
    free(content);
    og_graph_snapshot_free(&s);
    og_graph_snapshot_free(&src);
    return og_buf_detach(&b, NULL);
}

static void check_recovered(og_store *st, const mcase *c, const char *before, const char *after, const char *where,
                            const char *must)
{
    og_graph *g = NULL;
    og_status rc = og_graph_open(cf_share(st), OG_GRAPH_RW, &g);
    if (rc) og_test_fail_status("reopen after crash", rc, c->name, 0);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    assert_int_equal(cf_drift(st, "feat"), 0);
    assert_true(cf_commit_exists(st, g_seed_commit));
    char *now = state_of(g, c);
    if (strcmp(now, before) != 0 && strcmp(now, after) != 0) {
        print_error("%s crashed at %s: the target is neither before nor after:\n%s\n", c->name, where, now);
        fail();
    }
    if (must && strcmp(now, !strcmp(must, "before") ? before : after) != 0) {
        print_error("%s crashed at %s: expected the %s state, got:\n%s\n", c->name, where, must, now);
        fail();
    }
    OG_CHECK(cf_write_pair(g, c->target, "Nx", "Ny", 1, NULL)); /* the next write succeeds */
    free(now);
    og_graph_close(g);
}

/* before / after of a clean merge, and its number of store writes. */
static unsigned clean_run(const mcase *c, char **before, char **after)
{
    og_store *st = mf_clone(g_template);
    cnt *k = calloc(1, sizeof *k);
    k->inner = cf_share(st);
    k->base.ops = &CNT_OPS;
    k->base.impl = k;
    og_graph *g = NULL;
    OG_CHECK(og_graph_open(&k->base, OG_GRAPH_RW, &g));
    *before = state_of(g, c);
    k->writes = 0;
    OG_CHECK(run_merge(g, c));
    unsigned n = k->writes;
    *after = state_of(g, c);
    og_graph_close(g);
    og_store_close(st);
    assert_string_not_equal(*before, *after);
    return n;
}

static void crash_every_write_step(const mcase *c)
{
    char *before = NULL, *after = NULL;
    unsigned n = clean_run(c, &before, &after);
    for (unsigned i = 1; i <= n; i++) {
        og_store *st = mf_clone(g_template), *f = NULL;
        og_graph *g = NULL;
        char where[32];
        OG_CHECK(og_store_fault_open(cf_share(st), &f));
        OG_CHECK(og_graph_open(f, OG_GRAPH_RW, &g));
        og_store_fault_reset_counts(f);
        og_store_fault_crash_at(f, i);
        (void)run_merge(g, c);
        if (!og_store_fault_crashed(f)) {
            print_error("%s: no crash at write %u of %u\n", c->name, i, n);
            fail();
        }
        og_error_clear();
        og_graph_close(g);
        snprintf(where, sizeof where, "write %u", i);
        check_recovered(st, c, before, after, where, NULL);
        og_store_close(st);
    }
    printf("crash points: %-32s %3u write steps\n", c->name, n);
    assert_true(n > 0);
    free(before);
    free(after);
}

/* (2): failpoint -> the state recovery must reach. */
static const struct { const char *fp, *must; } FPS[] = {
    {"merge.post_authority_capture", "before"},
    {"merge.post_candidate_validation", "before"},
    {"merge.post_phase_a", "before"},
    {"merge.post_table_commit", "before"},   /* first of two tables: partial, rolled back */
    {"merge.post_phase_b_pre_manifest_commit", "after"},
    {"merge.post_phase_c_pre_phase_d", "after"},
};

static void crash_every_failpoint(const mcase *c)
{
    char *before = NULL, *after = NULL;
    (void)clean_run(c, &before, &after);
    for (size_t i = 0; i < sizeof FPS / sizeof FPS[0]; i++) {
        og_store *st = mf_clone(g_template);
        og_graph *g = cf_open(st, OG_GRAPH_RW);
        OG_CHECK(og_failpoint_arm(FPS[i].fp, OG_FP_CRASH, 1, false));
        og_status rc = run_merge(g, c);
        unsigned hits = og_failpoint_hits(FPS[i].fp);
        og_failpoint_disarm_all();
        og_error_clear();
        og_graph_close(g);
        if (rc != OG_E_CRASHED || hits == 0) {
            print_error("%s: failpoint %s not reached (rc %d)\n", c->name, FPS[i].fp, rc);
            fail();
        }
        check_recovered(st, c, before, after, FPS[i].fp, FPS[i].must);
        og_store_close(st);
    }
    free(before);
    free(after);
}

#define CASE_TESTS(idx, name) \
    static void test_crash_##name##_every_write_step(void **s) { (void)s; crash_every_write_step(&CASES[idx]); } \
    static void test_crash_##name##_every_failpoint(void **s) { (void)s; crash_every_failpoint(&CASES[idx]); }
CASE_TESTS(0, three_way_into_main)
CASE_TESTS(1, fast_forward_into_lazy_branch)
CASE_TESTS(2, main_into_owning_branch)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_three_way_into_main_every_failpoint),
        cmocka_unit_test(test_crash_fast_forward_into_lazy_branch_every_failpoint),
        cmocka_unit_test(test_crash_main_into_owning_branch_every_failpoint),
        cmocka_unit_test(test_crash_three_way_into_main_every_write_step),
        cmocka_unit_test(test_crash_fast_forward_into_lazy_branch_every_write_step),
        cmocka_unit_test(test_crash_main_into_owning_branch_every_write_step),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
