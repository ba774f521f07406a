/* test_maint.c — optimize and cleanup (graph/maint.h): content, row ids
 * and pins survive; no-work optimize publishes nothing; pending sidecars
 * are refused or protected; cleanup deletes exactly what nothing needs;
 * a collected commit's snapshot says it is no longer retained. */
#include "testutil.h"

#include "maint_fixture.h"

static og_status optimize(og_graph *g, const char *branch, og_optimize_result *r)
{
    og_optimize_opts o = {branch, "tester", 0, 0, 0};
    return og_graph_optimize(g, &o, r);
}

static const og_optimize_table *entry(const og_optimize_result *r, const char *key)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (!strcmp(r->tables[i].table_key, key)) return &r->tables[i];
    return NULL;
}

static void test_optimize_keeps_rows_and_row_ids_on_every_branch(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_optimize_result r;
    mf_build(g, 8);
    char *main0 = mf_rowids(g, NULL), *b0 = mf_rowids(g, "b");
    char *mainc0 = cf_content(g, NULL), *bc0 = cf_content(g, "b");
    assert_true(mf_frags(st, NULL, "node:Person") >= 8);
    OG_CHECK(optimize(g, NULL, &r));
    assert_true(r.published);
    const og_optimize_table *p = entry(&r, "node:Person");
    assert_non_null(p);
    assert_true(p->committed);
    assert_true(p->fragments_removed >= 8);
    assert_int_equal(p->fragments_added, 1);
    assert_non_null(entry(&r, OG_MAINT_MANIFEST_KEY));
    og_optimize_result_clear(&r);
    assert_int_equal(mf_frags(st, NULL, "node:Person"), 1);
    /* branch b: its own forks are compacted, main's tables are not its to touch */
    OG_CHECK(optimize(g, "b", &r));
    p = entry(&r, "node:Person");
    assert_true(p->committed);
    og_optimize_result_clear(&r);
    char *main1 = mf_rowids(g, NULL), *b1 = mf_rowids(g, "b");
    char *mainc1 = cf_content(g, NULL), *bc1 = cf_content(g, "b");
    assert_string_equal(main0, main1);
    assert_string_equal(b0, b1);
    assert_string_equal(mainc0, mainc1);
    assert_string_equal(bc0, bc1);
    assert_int_equal(cf_drift(st, NULL), 0);
    assert_int_equal(cf_drift(st, "b"), 0);
    assert_int_equal(cf_sidecars(st), 0);
    /* reopen: the same */
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    char *main2 = mf_rowids(g, NULL);
    assert_string_equal(main0, main2);
    free(main0); free(main1); free(main2); free(b0); free(b1);
    free(mainc0); free(mainc1); free(bc0); free(bc1);
    og_graph_close(g);
    og_store_close(st);
}

static void test_optimize_twice_second_publishes_nothing(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_optimize_result r;
    og_graph_snapshot s0, s1;
    mf_build(g, 4);
    OG_CHECK(optimize(g, NULL, &r));
    og_optimize_result_clear(&r);
    OG_CHECK(og_graph_open_head(st, NULL, &s0));
    OG_CHECK(optimize(g, NULL, &r));
    assert_false(r.published);
    for (size_t i = 0; i < r.ntables; i++) {
        assert_false(r.tables[i].committed);
        assert_int_equal(r.tables[i].fragments_removed, 0);
    }
    og_optimize_result_clear(&r);
    OG_CHECK(og_graph_open_head(st, NULL, &s1));
    assert_int_equal(s0.version, s1.version);
    assert_string_equal(s0.head.id, s1.head.id);
    og_graph_snapshot_free(&s0);
    og_graph_snapshot_free(&s1);
    og_graph_close(g);
    og_store_close(st);
}

/* A crashed write (sidecar left, tables moved) makes optimize refuse
 * naming the sidecar; after recovery it runs. */
static void test_optimize_refuses_pending_sidecar_then_runs_after_recovery(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_optimize_result r;
    mf_build(g, 3);
    OG_CHECK(og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "x1", "x2", 1, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_error_clear();
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    assert_int_equal(optimize(g, NULL, &r), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, sc.operation_id));
    og_sidecar_free(&sc);
    og_error_clear();
    og_optimize_result_clear(&r);
    OG_CHECK(og_graph_refresh(g));
    OG_CHECK(optimize(g, NULL, &r));
    assert_true(r.published);
    og_optimize_result_clear(&r);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_graph_close(g);
    og_store_close(st);
}

/* Every file under a table root that is not a version manifest or a
 * branch ref must be referenced by a remaining manifest (main or branch). */
static size_t unreferenced_files(og_store *st, const char *path)
{
    og_list l;
    og_buf pre = OG_BUF_INIT;
    size_t bad = 0;
    OG_CHECK(og_buf_printf(&pre, "%s/", path));
    OG_CHECK(og_store_list_all(st, og_buf_cstr(&pre), &l));
    char **refs = NULL;
    size_t nrefs = 0, cap = 0;
    og_version_info *vi = NULL;
    size_t nv = 0;
    OG_CHECK(og_table_versions(st, path, &vi, &nv));
    for (size_t i = 0; i < nv; i++) {
        og_table *t = NULL;
        OG_CHECK(og_table_open_at(st, path, vi[i].version, &t));
        const og_manifest *m = og_table_manifest(t);
        for (size_t f = 0; f < m->nfrags; f++) {
            if (nrefs + 2 > cap) { cap = cap ? cap * 2 : 64; refs = realloc(refs, cap * sizeof *refs); }
            refs[nrefs++] = strdup(m->frags[f].file);
            if (m->frags[f].deletion_file) refs[nrefs++] = strdup(m->frags[f].deletion_file);
        }
        og_table_close(t);
    }
    for (size_t i = 0; i < l.len; i++) {
        const char *rel = l.items[i].key + pre.len;
        if (strstr(rel, "_versions/") || strstr(rel, "_refs/") || strstr(rel, "_txn") || strstr(rel, "_keys") ||
            strstr(rel, "_indices") || strstr(rel, "tree/"))
            continue;
        bool found = false;
        for (size_t k = 0; k < nrefs && !found; k++) found = !strcmp(refs[k], rel);
        if (!found) bad++;
    }
    for (size_t k = 0; k < nrefs; k++) free(refs[k]);
    free(refs);
    free(vi);
    og_list_free(&l);
    og_buf_free(&pre);
    return bad;
}

static const char *person_path(og_store *st)
{
    static char path[256];
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    snprintf(path, sizeof path, "%s", og_graph_snapshot_pin(&s, "node:Person")->path);
    og_graph_snapshot_free(&s);
    return path;
}

static uint64_t person_pin(og_store *st, const char *branch)
{
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, branch, &s));
    uint64_t v = og_graph_snapshot_pin(&s, "node:Person")->version;
    og_graph_snapshot_free(&s);
    return v;
}

static bool table_version_exists(og_store *st, const char *path, uint64_t v)
{
    og_table *t = NULL;
    og_status rc = og_table_open_at(st, path, v, &t);
    og_table_close(t);
    og_error_clear();
    return rc == OG_OK;
}

static void test_cleanup_keeps_branch_pins_and_deletes_the_rest(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_optimize_result r;
    og_cleanup_result cr;
    og_cleanup_policy p;
    mf_build(g, 8);            /* b forked from main after the delete */
    uint64_t b_pin = person_pin(st, "b");  /* b's own fork */
    OG_CHECK(og_graph_branch_create(st, "c", NULL, 0, NULL)); /* c inherits main's Person pin */
    uint64_t c_pin = person_pin(st, "c");
    (void)b_pin;
    for (int i = 0; i < 4; i++) OG_CHECK(cf_write_pair(g, NULL, "q1", "q2", 50 + i, NULL));
    OG_CHECK(optimize(g, NULL, &r));
    og_optimize_result_clear(&r);
    const char *path = person_path(st);
    uint64_t head = person_pin(st, NULL);
    char *main0 = cf_content(g, NULL), *b0 = cf_content(g, "b"), *c0 = cf_content(g, "c");
    uint64_t bytes0 = 0, bytes1 = 0;
    size_t objs0 = mf_count(st, "", &bytes0);
    size_t vers0 = mf_count(st, "__manifest/chains/", NULL);
    /* preview deletes nothing */
    memset(&p, 0, sizeof p);
    p.keep = 3;
    p.grace_us = 1;
    p.min_age_us = -1;
    p.dry_run = true;
    OG_CHECK(og_graph_cleanup(g, &p, &cr));
    assert_true(cr.manifest_versions_removed > 0);
    og_cleanup_result_clear(&cr);
    assert_int_equal(mf_count(st, "", NULL), objs0);
    p.dry_run = false;
    p.keep = 1;
    OG_CHECK(og_graph_cleanup(g, &p, &cr));
    uint64_t removed = 0;
    for (size_t i = 0; i < cr.ntables; i++) {
        assert_null(cr.tables[i].error);
        removed += cr.tables[i].versions_removed;
    }
    assert_true(removed > 0);
    og_cleanup_result_clear(&cr);
    size_t objs1 = mf_count(st, "", &bytes1);
    printf("cleanup keep 1: objects %zu -> %zu, bytes %llu -> %llu, manifest versions %zu -> %zu\n", objs0, objs1,
           (unsigned long long)bytes0, (unsigned long long)bytes1, vers0, mf_count(st, "__manifest/chains/", NULL));
    assert_true(objs1 < objs0);
    /* what branches need is there; what nothing needs is gone */
    assert_true(table_version_exists(st, path, head));
    assert_true(table_version_exists(st, path, c_pin));
    assert_false(table_version_exists(st, path, head - 1));
    assert_false(table_version_exists(st, path, 2));
    assert_int_equal(unreferenced_files(st, path), 0);
    char *main1 = cf_content(g, NULL), *b1 = cf_content(g, "b"), *c1 = cf_content(g, "c");
    assert_string_equal(main0, main1);
    assert_string_equal(b0, b1);
    assert_string_equal(c0, c1);
    free(main0); free(main1); free(b0); free(b1); free(c0); free(c1);
    /* still writable on every branch */
    OG_CHECK(cf_write_pair(g, NULL, "z1", "z2", 1, NULL));
    OG_CHECK(cf_write_pair(g, "b", "z1", "z2", 1, NULL));
    OG_CHECK(cf_write_pair(g, "c", "z1", "z2", 1, NULL));
    og_graph_close(g);
    og_store_close(st);
}

/* A crashed partial write (one table moved) pins its expected version:
 * cleanup refuses it by default, protects it with allow_pending, and the
 * roll-back afterwards still finds the version it restores. */
static void test_cleanup_refuses_or_protects_pending_sidecar(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_cleanup_result cr;
    og_cleanup_policy p;
    mf_build(g, 4);
    char *before = cf_content(g, NULL);
    OG_CHECK(og_failpoint_arm("mutation.post_table_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "y1", "y2", 1, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_error_clear();
    assert_int_equal(cf_sidecars(st), 1);
    memset(&p, 0, sizeof p);
    p.keep = 1;
    p.grace_us = 1;
    p.min_age_us = -1;
    assert_int_equal(og_graph_cleanup(g, &p, &cr), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, OG_SIDECAR_PREFIX));
    og_error_clear();
    og_cleanup_result_clear(&cr);
    p.allow_pending = true;
    OG_CHECK(og_graph_cleanup(g, &p, &cr));
    og_cleanup_result_clear(&cr);
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW); /* the sweep rolls the partial write back */
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *after = cf_content(g, NULL);
    assert_string_equal(before, after);
    free(before);
    free(after);
    og_graph_close(g);
    og_store_close(st);
}

static void test_snapshot_of_collected_commit_is_no_longer_retained(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_graph_commit_result r1;
    og_cleanup_result cr;
    og_cleanup_policy p;
    og_graph_view *v = NULL;
    memset(&r1, 0, sizeof r1);
    OG_CHECK(cf_write_pair(g, NULL, "a", "b", 1, &r1));
    for (int i = 0; i < 5; i++) OG_CHECK(cf_write_pair(g, NULL, "a", "b", 2 + i, NULL));
    OG_CHECK(og_graph_view_open(g, NULL, r1.commit_id, &v)); /* still there */
    og_graph_view_close(v);
    v = NULL;
    memset(&p, 0, sizeof p);
    p.keep = 2;
    p.min_age_us = -1;
    OG_CHECK(og_graph_cleanup(g, &p, &cr));
    og_cleanup_result_clear(&cr);
    assert_int_equal(og_graph_view_open(g, NULL, r1.commit_id, &v), OG_E_NOTFOUND);
    assert_non_null(strstr(og_error_last()->message, "no longer retained"));
    og_error_clear();
    /* its record still lists */
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, r1.commit_id, &c));
    assert_string_equal(c.id, r1.commit_id);
    og_graph_commit_clear(&c);
    og_graph_commit_result_clear(&r1);
    og_graph_close(g);
    og_store_close(st);
}

/* The automatic pass: due only past the threshold; tiered (small
 * fragments merged first, the whole table only past 2 x threshold);
 * fragment count stays bounded and content is unchanged. */
static void test_maintain_is_tiered_and_bounds_fragments(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_maint_opts mo = {NULL, 4, 8, 10, 1, -1, 5}; /* threshold 4 fragments, tier 5 rows */
    og_maint_result mr;
    size_t max_frags = 0, whole = 0, passes = 0;
    char a[32], b[32];
    for (int i = 0; i < 40; i++) {
        bool due = false;
        snprintf(a, sizeof a, "t%03d", 2 * i);
        snprintf(b, sizeof b, "t%03d", 2 * i + 1);
        OG_CHECK(cf_write_pair(g, NULL, a, b, i, NULL));
        size_t before = mf_frags(st, NULL, "node:Person");
        OG_CHECK(og_graph_maint_due(g, &mo, &due));
        if (before >= 8) assert_true(due); /* 2 x threshold fragments, big or small */
        if (!due) continue;
        char *c0 = cf_content(g, NULL);
        OG_CHECK(og_graph_maintain(g, &mo, &mr));
        passes++;
        assert_true(mr.ran_optimize);
        size_t after = mf_frags(st, NULL, "node:Person");
        if (after == 1 && before > 4) whole++;
        if (after > max_frags) max_frags = after;
        char *c1 = cf_content(g, NULL);
        assert_string_equal(c0, c1);
        free(c0);
        free(c1);
    }
    printf("maintain: %zu passes, at most %zu Person fragments after a pass, %zu whole compactions\n", passes,
           max_frags, whole);
    assert_true(passes > 5);
    assert_true(max_frags <= 8);
    assert_true(whole >= 1);
    assert_int_equal(cf_drift(st, NULL), 0);
    og_graph_close(g);
    og_store_close(st);
}

static void test_cleanup_needs_a_policy(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_cleanup_result cr;
    og_cleanup_policy p;
    memset(&p, 0, sizeof p);
    assert_int_equal(og_graph_cleanup(g, &p, &cr), OG_E_INVALID);
    og_error_clear();
    og_graph_close(g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimize_keeps_rows_and_row_ids_on_every_branch),
        cmocka_unit_test(test_optimize_twice_second_publishes_nothing),
        cmocka_unit_test(test_optimize_refuses_pending_sidecar_then_runs_after_recovery),
        cmocka_unit_test(test_cleanup_keeps_branch_pins_and_deletes_the_rest),
        cmocka_unit_test(test_cleanup_refuses_or_protects_pending_sidecar),
        cmocka_unit_test(test_snapshot_of_collected_commit_is_no_longer_retained),
        cmocka_unit_test(test_maintain_is_tiered_and_bounds_fragments),
        cmocka_unit_test(test_cleanup_needs_a_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
