/* test_maint_forks.c — cleanup of table forks (graph/maint.h (5),
 * cleanup.c (6)): the forks of a live branch keep only the retained
 * versions and read the same; a version another branch's retained
 * snapshot pins survives; the min-age guard holds; the forks of a deleted
 * branch go whole once past the grace period, except files a live fork
 * still references; main and other branches read the same throughout. */
#include "testutil.h"

#include "maint_fixture.h"

typedef struct fk_size { uint64_t objects, bytes; } fk_size;

static fk_size fk_under(og_store *st, const char *path, const char *uid, const char *sub)
{
    char prefix[512];
    og_list l;
    fk_size z = {0, 0};
    snprintf(prefix, sizeof prefix, "%s/tree/%s/%s", path, uid, sub);
    OG_CHECK(og_store_list_all(st, prefix, &l));
    for (size_t i = 0; i < l.len; i++) {
        z.objects++;
        z.bytes += l.items[i].size;
    }
    og_list_free(&l);
    return z;
}

static bool fk_ref_exists(og_store *st, const char *path, const char *uid)
{
    char key[512];
    og_obj_meta m;
    snprintf(key, sizeof key, "%s/_refs/branches/%s.json", path, uid);
    og_status rc = og_store_head(st, key, &m);
    og_error_clear();
    return rc == OG_OK;
}

/* The path of table_key as pinned by branch's head, and its table branch. */
static char *fk_pin(og_store *st, const char *branch, const char *table_key, char tb[OG_ULID_LEN + 1])
{
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, branch, &s));
    const og_graph_pin *p = og_graph_snapshot_pin(&s, table_key);
    assert_non_null(p);
    char *path = strdup(p->path);
    snprintf(tb, OG_ULID_LEN + 1, "%s", p->table_branch ? p->table_branch : "");
    og_graph_snapshot_free(&s);
    return path;
}

static void fk_uid(og_store *st, const char *branch, char uid[OG_ULID_LEN + 1])
{
    og_graph_ref r;
    memset(&r, 0, sizeof r);
    OG_CHECK(og_graph_ref_read(st, branch, &r));
    snprintf(uid, OG_ULID_LEN + 1, "%s", r.uid);
    og_graph_ref_clear(&r);
}

/* The state a `branch delete` leaves when it crashes right after its
 * logical delete (branch.h (5)): the ref is gone, chain and forks stay. */
static void fk_drop_ref(og_store *st, const char *branch)
{
    og_buf key = OG_BUF_INIT;
    OG_CHECK(og_graph_key_ref(&key, branch));
    OG_CHECK(og_store_delete(st, og_buf_cstr(&key)));
    og_buf_free(&key);
}

static og_status fk_cleanup(og_graph *g, uint64_t keep, bool quiesced, bool dry_run, og_cleanup_result *r)
{
    og_cleanup_policy p;
    memset(&p, 0, sizeof p);
    p.keep = keep;
    p.grace_us = quiesced ? 1 : 0;
    p.min_age_us = quiesced ? -1 : 0;
    p.dry_run = dry_run;
    return og_graph_cleanup(g, &p, r);
}

static const og_cleanup_table *fk_entry(const og_cleanup_result *r, const char *key)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (!strcmp(r->tables[i].table_key, key)) return &r->tables[i];
    return NULL;
}

static void test_cleanup_keep_3_shrinks_fork_versions_and_branch_reads_same(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_cleanup_result r;
    char uid[OG_ULID_LEN + 1], tb[OG_ULID_LEN + 1], a[32], b[32];
    mf_build(g, 3);
    for (int i = 0; i < 12; i++) {
        snprintf(a, sizeof a, "bx%02d", i);
        snprintf(b, sizeof b, "by%02d", i);
        OG_CHECK(cf_write_pair(g, "b", a, b, 200 + i, NULL));
    }
    fk_uid(st, "b", uid);
    char *path = fk_pin(st, "b", "node:Person", tb);
    assert_string_equal(tb, uid);
    fk_size v0 = fk_under(st, path, uid, "_versions/"), all0 = fk_under(st, path, uid, "");
    assert_true(v0.objects >= 15);
    char *b0 = mf_rowids(g, "b"), *m0 = mf_rowids(g, NULL);
    /* the min-age guard holds for forks too: nothing this young goes */
    OG_CHECK(fk_cleanup(g, 3, false, false, &r));
    assert_int_equal(fk_entry(&r, "node:Person")->fork_versions_removed, 0);
    og_cleanup_result_clear(&r);
    assert_int_equal(fk_under(st, path, uid, "_versions/").objects, v0.objects);
    /* a dry run counts and deletes nothing */
    OG_CHECK(fk_cleanup(g, 3, true, true, &r));
    assert_int_equal(fk_entry(&r, "node:Person")->fork_versions_removed, v0.objects - 3);
    og_cleanup_result_clear(&r);
    assert_int_equal(fk_under(st, path, uid, "_versions/").objects, v0.objects);
    OG_CHECK(fk_cleanup(g, 3, true, false, &r));
    const og_cleanup_table *e = fk_entry(&r, "node:Person");
    assert_int_equal(e->fork_versions_removed, v0.objects - 3);
    assert_true(e->versions_removed >= e->fork_versions_removed);
    assert_true(fk_entry(&r, "edge:Knows")->fork_versions_removed > 0);
    og_cleanup_result_clear(&r);
    fk_size v1 = fk_under(st, path, uid, "_versions/"), all1 = fk_under(st, path, uid, "");
    assert_int_equal(v1.objects, 3);
    assert_true(all1.objects < all0.objects && all1.bytes < all0.bytes);
    printf("fork node:Person of b: %llu -> %llu objects, %llu -> %llu bytes (versions %llu -> %llu)\n",
           (unsigned long long)all0.objects, (unsigned long long)all1.objects, (unsigned long long)all0.bytes,
           (unsigned long long)all1.bytes, (unsigned long long)v0.objects, (unsigned long long)v1.objects);
    char *b1 = mf_rowids(g, "b"), *m1 = mf_rowids(g, NULL);
    assert_string_equal(b0, b1);
    assert_string_equal(m0, m1);
    assert_int_equal(cf_drift(st, "b"), 0);
    /* the branch still takes writes, and a fresh handle reads them */
    OG_CHECK(cf_write_pair(g, "b", "bz0", "bz1", 300, NULL));
    char *b2 = mf_rowids(g, "b");
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    char *b3 = mf_rowids(g, "b");
    assert_string_equal(b2, b3);
    assert_string_not_equal(b1, b2);
    free(b0); free(b1); free(b2); free(b3); free(m0); free(m1); free(path);
    og_graph_close(g);
    og_store_close(st);
}

/* Branch c is created from b and has not written: its head pins b's fork
 * versions. b moves on; cleanup --keep 1 must keep the version c pins. */
static void test_cleanup_keeps_fork_version_another_branch_pins(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_cleanup_result r;
    char buid[OG_ULID_LEN + 1], tb[OG_ULID_LEN + 1], a[32], b[32];
    mf_build(g, 2);
    OG_CHECK(og_graph_branch_create(st, "c", "b", 0, NULL));
    for (int i = 0; i < 5; i++) {
        snprintf(a, sizeof a, "bx%02d", i);
        snprintf(b, sizeof b, "by%02d", i);
        OG_CHECK(cf_write_pair(g, "b", a, b, 200 + i, NULL));
    }
    fk_uid(st, "b", buid);
    char *path = fk_pin(st, "c", "node:Person", tb);
    assert_string_equal(tb, buid); /* c reads b's fork */
    char *c0 = mf_rowids(g, "c"), *b0 = mf_rowids(g, "b");
    OG_CHECK(fk_cleanup(g, 1, true, false, &r));
    assert_true(fk_entry(&r, "node:Person")->fork_versions_removed > 0);
    og_cleanup_result_clear(&r);
    /* b's latest + the version c pins */
    assert_int_equal(fk_under(st, path, buid, "_versions/").objects, 2);
    char *c1 = mf_rowids(g, "c"), *b1 = mf_rowids(g, "b");
    assert_string_equal(c0, c1);
    assert_string_equal(b0, b1);
    OG_CHECK(cf_write_pair(g, "c", "cx", "cy", 400, NULL)); /* c forks from the kept version */
    free(c0); free(c1); free(b0); free(b1); free(path);
    og_graph_close(g);
    og_store_close(st);
}

static void test_cleanup_reclaims_forks_of_deleted_branch(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_cleanup_result r;
    char duid[OG_ULID_LEN + 1], euid[OG_ULID_LEN + 1], tb[OG_ULID_LEN + 1], a[32], b[32];
    static const char *const keys[] = {"node:Person", "edge:Knows"};
    mf_build(g, 3);
    OG_CHECK(og_graph_branch_create(st, "d", NULL, 0, NULL));
    OG_CHECK(og_graph_branch_create(st, "e", NULL, 0, NULL));
    for (int i = 0; i < 4; i++) {
        snprintf(a, sizeof a, "dx%02d", i);
        snprintf(b, sizeof b, "dy%02d", i);
        OG_CHECK(cf_write_pair(g, "d", a, b, 500 + i, NULL));
        OG_CHECK(cf_write_pair(g, "e", b, a, 600 + i, NULL));
    }
    fk_uid(st, "d", duid);
    fk_uid(st, "e", euid);
    char *paths[2];
    fk_size before[2];
    for (int k = 0; k < 2; k++) {
        paths[k] = fk_pin(st, "d", keys[k], tb);
        assert_string_equal(tb, duid);
        before[k] = fk_under(st, paths[k], duid, "");
        assert_true(before[k].objects > 4);
        assert_true(fk_ref_exists(st, paths[k], duid));
    }
    char *m0 = cf_content(g, NULL), *e0 = cf_content(g, "e"), *b0 = cf_content(g, "b");
    fk_size e_before = fk_under(st, paths[0], euid, "");
    fk_drop_ref(st, "d");
    /* within the grace period the forks stay */
    OG_CHECK(fk_cleanup(g, 3, false, false, &r));
    for (size_t i = 0; i < r.ntables; i++) assert_int_equal(r.tables[i].forks_reclaimed, 0);
    og_cleanup_result_clear(&r);
    assert_int_equal(fk_under(st, paths[0], duid, "").objects, before[0].objects);
    /* a dry run names them and deletes nothing */
    OG_CHECK(fk_cleanup(g, 3, true, true, &r));
    assert_int_equal(fk_entry(&r, "node:Person")->forks_reclaimed, 1);
    og_cleanup_result_clear(&r);
    assert_int_equal(fk_under(st, paths[0], duid, "").objects, before[0].objects);
    assert_true(fk_ref_exists(st, paths[0], duid));
    OG_CHECK(fk_cleanup(g, 3, true, false, &r));
    uint64_t reclaimed = 0;
    for (int k = 0; k < 2; k++) {
        const og_cleanup_table *e = fk_entry(&r, keys[k]);
        assert_int_equal(e->forks_reclaimed, 1);
        assert_null(e->error);
        reclaimed += e->bytes_removed;
    }
    assert_true(r.orphan_chains_removed >= 1);
    og_cleanup_result_clear(&r);
    for (int k = 0; k < 2; k++) {
        fk_size z = fk_under(st, paths[k], duid, "");
        assert_int_equal(z.objects, 0);
        assert_false(fk_ref_exists(st, paths[k], duid));
        printf("dead fork %s: %llu objects, %llu bytes reclaimed\n", keys[k],
               (unsigned long long)before[k].objects, (unsigned long long)before[k].bytes);
    }
    assert_true(reclaimed > 0);
    /* e's fork keeps the retained versions only; main, b, e read the same */
    assert_true(fk_under(st, paths[0], euid, "").objects <= e_before.objects);
    assert_true(fk_ref_exists(st, paths[0], euid));
    char *m1 = cf_content(g, NULL), *e1 = cf_content(g, "e"), *b1 = cf_content(g, "b");
    assert_string_equal(m0, m1);
    assert_string_equal(e0, e1);
    assert_string_equal(b0, b1);
    OG_CHECK(cf_write_pair(g, NULL, "mx", "my", 700, NULL));
    OG_CHECK(cf_write_pair(g, "e", "ex", "ey", 701, NULL));
    /* a second cleanup has nothing of d left to do */
    OG_CHECK(fk_cleanup(g, 3, true, false, &r));
    for (size_t i = 0; i < r.ntables; i++) assert_int_equal(r.tables[i].forks_reclaimed, 0);
    og_cleanup_result_clear(&r);
    free(m0); free(m1); free(e0); free(e1); free(b0); free(b1);
    for (int k = 0; k < 2; k++) free(paths[k]);
    og_graph_close(g);
    og_store_close(st);
}

/* c is a fork of b's fork (shallow: its manifests name b's files). b's ref
 * is dropped (a forced or crashed delete): b's versions and ref go, but
 * the files c's versions reference stay and c reads the same. */
static void test_reclaim_keeps_files_a_live_fork_references(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_cleanup_result r;
    char buid[OG_ULID_LEN + 1], cuid[OG_ULID_LEN + 1], tb[OG_ULID_LEN + 1];
    og_optimize_result or;
    og_optimize_opts oo = {"b", "tester", 0, 0, 0};
    mf_build(g, 2);
    /* small writes stay inline in the manifest: compaction gives b's fork
     * a data file of its own */
    OG_CHECK(og_graph_optimize(g, &oo, &or));
    og_optimize_result_clear(&or);
    OG_CHECK(og_graph_branch_create(st, "c", "b", 0, NULL));
    OG_CHECK(cf_write_pair(g, "c", "cx0", "cy0", 400, NULL));
    OG_CHECK(cf_write_pair(g, "c", "cx1", "cy1", 401, NULL));
    fk_uid(st, "b", buid);
    fk_uid(st, "c", cuid);
    char *path = fk_pin(st, "c", "node:Person", tb);
    assert_string_equal(tb, cuid);
    char *c0 = mf_rowids(g, "c"), *m0 = mf_rowids(g, NULL);
    fk_size bdata = fk_under(st, path, buid, "data/");
    assert_true(bdata.objects > 0);
    fk_drop_ref(st, "b");
    OG_CHECK(fk_cleanup(g, 1, true, false, &r));
    assert_int_equal(fk_entry(&r, "node:Person")->forks_reclaimed, 1);
    og_cleanup_result_clear(&r);
    assert_false(fk_ref_exists(st, path, buid));
    assert_int_equal(fk_under(st, path, buid, "_versions/").objects, 0);
    assert_int_equal(fk_under(st, path, buid, "data/").objects, bdata.objects); /* c names them all */
    char *c1 = mf_rowids(g, "c"), *m1 = mf_rowids(g, NULL);
    assert_string_equal(c0, c1);
    assert_string_equal(m0, m1);
    OG_CHECK(cf_write_pair(g, "c", "cx2", "cy2", 402, NULL));
    free(c0); free(c1); free(m0); free(m1); free(path);
    og_graph_close(g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cleanup_keep_3_shrinks_fork_versions_and_branch_reads_same),
        cmocka_unit_test(test_cleanup_keeps_fork_version_another_branch_pins),
        cmocka_unit_test(test_cleanup_reclaims_forks_of_deleted_branch),
        cmocka_unit_test(test_reclaim_keeps_files_a_live_fork_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
