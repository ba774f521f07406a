/* test_table_maint.c — compaction and shallow branches. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/table.h"

static const og_type T_UTF8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
static const og_type T_I64 = {OG_TYPE_I64, OG_TYPE_NONE, 0};

static void rows(og_batch *b, const char *prefix, int from, int to)
{
    og_column *id, *n;
    OG_CHECK(og_batch_add(b, "id", T_UTF8, &id));
    OG_CHECK(og_batch_add(b, "n", T_I64, &n));
    for (int i = from; i < to; i++) {
        char s[32];
        snprintf(s, sizeof s, "%s%03d", prefix, i);
        OG_CHECK(og_column_push_str(id, s));
        OG_CHECK(og_column_push_i64(n, i));
    }
    OG_CHECK(og_batch_seal(b));
}

static og_store *make(void)
{
    og_store *s;
    og_schema sc;
    og_txn *x;
    memset(&sc, 0, sizeof sc);
    OG_CHECK(og_store_mem_open(&s));
    OG_CHECK(og_schema_add(&sc, "id", T_UTF8, false, true));
    OG_CHECK(og_schema_add(&sc, "n", T_I64, true, false));
    OG_CHECK(og_table_stage_create(s, "t", &sc, NULL, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_schema_free(&sc);
    return s;
}

static uint64_t append(og_store *s, const char *branch, const char *prefix, int from, int to)
{
    og_table *t;
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    uint64_t v;
    OG_CHECK(og_table_open_branch(s, "t", branch, 0, &t));
    og_table_set_inline_max(t, 0); /* these tests count objects and their I/O */
    rows(&b, prefix, from, to);
    OG_CHECK(og_table_stage_append(t, &b, &x));
    OG_CHECK(og_txn_commit(x, NULL, &v, NULL));
    og_txn_free(x);
    og_batch_free(&b);
    og_table_close(t);
    return v;
}

/* id -> "rowid/created/updated" lines, sorted by id, for comparisons. */
static char *identity(og_table *t)
{
    const char *cols[] = {"id", "n", OG_COL_ROWID, OG_COL_CREATED, OG_COL_UPDATED};
    og_scan_opts o = {cols, 5, NULL, 0, 0};
    og_batch b = OG_BATCH_INIT;
    og_buf out = OG_BUF_INIT;
    OG_CHECK(og_table_scan(t, &o, &b));
    char **lines = calloc(b.nrows + 1, sizeof *lines);
    for (size_t i = 0; i < b.nrows; i++) {
        size_t n;
        const char *id = og_column_get_bytes(b.cols[0], i, &n);
        og_buf l = OG_BUF_INIT;
        og_buf_printf(&l, "%.*s n=%lld rid=%llu c=%llu u=%llu\n", (int)n, id, (long long)og_column_get_i64(b.cols[1], i),
                      (unsigned long long)og_column_get_u64(b.cols[2], i), (unsigned long long)og_column_get_u64(b.cols[3], i),
                      (unsigned long long)og_column_get_u64(b.cols[4], i));
        lines[i] = og_buf_detach(&l, NULL);
    }
    for (size_t i = 0; i < b.nrows; i++)
        for (size_t j = i + 1; j < b.nrows; j++)
            if (strcmp(lines[i], lines[j]) > 0) { char *tmp = lines[i]; lines[i] = lines[j]; lines[j] = tmp; }
    for (size_t i = 0; i < b.nrows; i++) { og_buf_append_str(&out, lines[i]); free(lines[i]); }
    free(lines);
    og_batch_free(&b);
    return og_buf_detach(&out, NULL);
}

static void test_compaction_merges_fragments_and_keeps_row_identity(void **st)
{
    (void)st;
    og_store *s = make();
    og_table *t;
    og_txn *x;
    append(s, NULL, "a", 0, 10);
    append(s, NULL, "b", 0, 10);
    append(s, NULL, "c", 0, 10);
    OG_CHECK(og_table_open(s, "t", &t));
    og_pred p = {"id", OG_CMP_EQ, og_val_str("b005"), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    char *before = identity(t);
    assert_int_equal(og_table_manifest(t)->nfrags, 3);
    OG_CHECK(og_table_stage_compact(t, NULL, &x));
    uint64_t v;
    OG_CHECK(og_txn_commit(x, NULL, &v, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_manifest(t)->nfrags, 1);
    assert_int_equal(og_table_manifest(t)->frags[0].deleted, 0);
    assert_int_equal(og_table_count_rows(t), 29);
    char *after = identity(t);
    assert_string_equal(before, after);
    /* nothing left to compact */
    OG_CHECK(og_table_stage_compact(t, NULL, &x));
    assert_null(x);
    og_txn_record r;
    OG_CHECK(og_table_read_transaction(s, "t", v, &r));
    assert_int_equal(r.op, OG_TXN_REWRITE);
    og_txn_record_free(&r);
    free(before);
    free(after);
    og_table_close(t);
    og_store_close(s);
}

static void test_compaction_conflicts_with_concurrent_delete_but_not_append(void **st)
{
    (void)st;
    og_store *s = make();
    og_table *t;
    og_txn *cmp, *del;
    append(s, NULL, "a", 0, 5);
    append(s, NULL, "b", 0, 5);
    OG_CHECK(og_table_open(s, "t", &t));
    OG_CHECK(og_table_stage_compact(t, NULL, &cmp));
    append(s, NULL, "c", 0, 5); /* compatible: rebased over */
    OG_CHECK(og_txn_commit(cmp, NULL, NULL, NULL));
    og_txn_free(cmp);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_count_rows(t), 15);
    assert_int_equal(og_table_manifest(t)->nfrags, 2);
    og_pred p = {"id", OG_CMP_EQ, og_val_str("c001"), NULL, 0};
    OG_CHECK(og_table_stage_compact(t, NULL, &cmp));
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &del));
    OG_CHECK(og_txn_commit(del, NULL, NULL, NULL));
    assert_int_equal(og_txn_commit(cmp, NULL, NULL, NULL), OG_E_CONFLICT);
    og_txn_free(cmp);
    og_txn_free(del);
    og_table_close(t);
    og_store_close(s);
}

static void test_branch_is_shallow_and_isolated(void **st)
{
    (void)st;
    og_store *s = make();
    og_table *t, *b;
    append(s, NULL, "m", 0, 5);                   /* main v2 */
    OG_CHECK(og_table_branch_create(s, "t", "dev", NULL, 2));
    assert_int_equal(og_table_branch_create(s, "t", "dev", NULL, 2), OG_E_EXISTS);
    assert_int_equal(append(s, "dev", "d", 0, 3), 3); /* versions continue from the fork */
    assert_int_equal(append(s, NULL, "m", 5, 6), 3);  /* same number on main, other content */
    OG_CHECK(og_table_open(s, "t", &t));
    OG_CHECK(og_table_open_branch(s, "t", "dev", 0, &b));
    assert_null(og_table_branch(t));
    assert_string_equal(og_table_branch(b), "dev");
    assert_int_equal(og_table_count_rows(t), 6);
    assert_int_equal(og_table_count_rows(b), 8);
    /* the branch reads the parent's fragment file in place (no copy) */
    assert_string_equal(og_table_manifest(b)->frags[0].file, og_table_manifest(t)->frags[0].file);
    assert_non_null(strstr(og_table_manifest(b)->frags[1].file, "tree/dev/data/"));
    og_batch out = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(b, NULL, &out));
    assert_int_equal(out.nrows, 8);
    og_batch_free(&out);
    og_table_close(b);
    /* branch of a branch, then list and delete */
    OG_CHECK(og_table_branch_create(s, "t", "dev2", "dev", 3));
    OG_CHECK(og_table_open_branch(s, "t", "dev2", 3, &b));
    OG_CHECK(og_table_scan(b, NULL, &out));
    assert_int_equal(out.nrows, 8);
    og_batch_free(&out);
    og_table_close(b);
    char **names;
    size_t n;
    OG_CHECK(og_table_branch_list(s, "t", &names, &n));
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "dev");
    assert_string_equal(names[1], "dev2");
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    OG_CHECK(og_table_branch_delete(s, "t", "dev"));
    assert_int_equal(og_table_open_branch(s, "t", "dev", 0, &b), OG_E_NOTFOUND);
    assert_int_equal(og_table_branch_delete(s, "t", "dev"), OG_E_NOTFOUND);
    /* re-create under the same name starts fresh from main */
    OG_CHECK(og_table_branch_create(s, "t", "dev", NULL, 3));
    OG_CHECK(og_table_open_branch(s, "t", "dev", 0, &b));
    assert_int_equal(og_table_count_rows(b), 6);
    og_table_close(b);
    assert_int_equal(og_table_branch_create(s, "t", "a/b", NULL, 3), OG_E_INVALID);
    og_table_close(t);
    og_store_close(s);
}

static size_t count_id(og_table *t, const char *id)
{
    og_pred p = {"id", OG_CMP_EQ, og_val_str(id), NULL, 0};
    og_scan_opts o = {NULL, 0, &p, 1, 0};
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &b));
    size_t n = b.nrows;
    og_batch_free(&b);
    return n;
}

static void test_key_index_skips_uncovered_io_and_stays_correct_at_any_coverage(void **st)
{
    (void)st;
    og_store *mem = make(), *s;
    og_table *t;
    og_txn *x;
    for (int i = 0; i < 5; i++) append(mem, NULL, "k", i * 10, i * 10 + 10);
    OG_CHECK(og_store_fault_open(mem, &s));
    OG_CHECK(og_table_open(s, "t", &t));
    OG_CHECK(og_table_stage_create_index(t, "id_idx", "id", &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_manifest(t)->nindices, 1);
    assert_int_equal(og_table_manifest(t)->indices[0].nfrags, 5);
    og_store_fault_reset_counts(s);
    assert_int_equal(count_id(t, "k023"), 1);
    /* one GET of the index, then only the one fragment holding the row */
    assert_int_equal(og_store_fault_count(s, OG_OP_GET), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_GET_RANGE), 2 + 2); /* tail, footer, id page, n page */
    assert_int_equal(count_id(t, "nope"), 0);
    og_table_close(t);
    /* rows appended after the build are found by scanning */
    append(s, NULL, "z", 0, 3);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(count_id(t, "z001"), 1);
    assert_int_equal(count_id(t, "k045"), 1);
    /* a deleted indexed row is not returned */
    og_pred p = {"id", OG_CMP_EQ, og_val_str("k045"), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(count_id(t, "k045"), 0);
    assert_int_equal(count_id(t, "k044"), 1);
    /* compaction drops the compacted fragments from the coverage */
    OG_CHECK(og_table_stage_compact(t, NULL, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_manifest(t)->indices[0].nfrags, 0);
    assert_int_equal(count_id(t, "k044"), 1);
    og_table_close(t);
    og_store_close(s);
}

static size_t count_keys(og_store *s, const char *prefix)
{
    og_list l = {0};
    OG_CHECK(og_store_list_all(s, prefix, &l));
    size_t n = l.len;
    og_list_free(&l);
    return n;
}

static void test_cleanup_removes_old_versions_and_unreferenced_files_only(void **st)
{
    (void)st;
    og_store *s = make();
    og_table *t;
    og_txn *x, *staged;
    for (int i = 0; i < 4; i++) append(s, NULL, "a", i * 10, i * 10 + 10);   /* v2..v5 */
    OG_CHECK(og_table_branch_create(s, "t", "old", NULL, 3));               /* pins v3's files */
    OG_CHECK(og_table_open(s, "t", &t));
    OG_CHECK(og_table_stage_compact(t, NULL, &x));                           /* v6 */
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    og_table_set_inline_max(t, 0);
    og_batch b = OG_BATCH_INIT;
    rows(&b, "s", 0, 2);
    OG_CHECK(og_table_stage_append(t, &b, &staged));                        /* in flight */
    og_batch_free(&b);
    og_table_close(t);
    assert_int_equal(count_keys(s, "t/data/"), 6);
    /* a cleanup without any bound is refused */
    og_cleanup_opts none = {0, 0, 0};
    og_cleanup_stats cs;
    assert_int_equal(og_table_cleanup(s, "t", &none, &cs), OG_E_INVALID);
    /* default grace: nothing young is removed, but old versions go */
    og_cleanup_opts keep_young = {6, 0, -1};
    OG_CHECK(og_table_cleanup(s, "t", &keep_young, &cs));
    assert_int_equal(cs.versions_removed, 5);
    assert_int_equal(cs.files_removed, 0);
    assert_int_equal(og_table_open_at(s, "t", 5, &t), OG_E_NOTFOUND);
    /* the in-flight write's young file survived: it still commits (v7) */
    uint64_t v;
    OG_CHECK(og_txn_commit(staged, NULL, &v, NULL));
    assert_int_equal(v, 7);
    /* zero grace: unreferenced files go, except those a branch uses */
    og_cleanup_opts now = {7, 0, 0};
    OG_CHECK(og_table_cleanup(s, "t", &now, &cs));
    assert_int_equal(cs.versions_removed, 1);
    /* data a2, a3: only removed versions used them (their 10-key sets are
     * inline in the manifests, not files) */
    assert_int_equal(cs.files_removed, 2);
    assert_int_equal(count_keys(s, "t/_txn/"), 0);
    /* kept: compacted file (v6), a0/a1 (branch "old" at v3), the v7 append */
    assert_int_equal(count_keys(s, "t/data/"), 4);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_count_rows(t), 42);
    og_batch out = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, NULL, &out));
    assert_int_equal(out.nrows, 42);
    og_batch_free(&out);
    og_table_close(t);
    OG_CHECK(og_table_open_branch(s, "t", "old", 0, &t));
    OG_CHECK(og_table_scan(t, NULL, &out));
    assert_int_equal(out.nrows, 20);
    og_batch_free(&out);
    og_table_close(t);
    og_txn_free(staged);
    og_store_close(s);
}

static void test_merge_insert_join_reads_only_pages_and_fragments_that_may_match(void **st)
{
    (void)st;
    og_store *mem = make(), *s;
    og_table *t;
    og_txn *x;
    og_merge_stats ms;
    for (int i = 0; i < 5; i++) append(mem, NULL, "k", i * 10, i * 10 + 10);
    OG_CHECK(og_store_fault_open(mem, &s));
    og_batch b = OG_BATCH_INIT;
    rows(&b, "k", 23, 24);
    OG_CHECK(og_table_open(s, "t", &t));
    og_store_fault_reset_counts(s);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, &ms, &x));
    assert_int_equal(ms.updated, 1);
    /* statistics: every fragment's tail + footer, one id page */
    assert_int_equal(og_store_fault_count(s, OG_OP_GET_RANGE), 5 * 2 + 1);
    og_txn_free(x);
    OG_CHECK(og_table_stage_create_index(t, "id_idx", "id", &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    og_store_fault_reset_counts(s);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, &ms, &x));
    assert_int_equal(ms.updated, 1);
    /* with the key index only the fragment holding k023 is opened */
    assert_int_equal(og_store_fault_count(s, OG_OP_GET_RANGE), 3);
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    assert_int_equal(og_table_count_rows(t), 50);
    assert_int_equal(count_id(t, "k023"), 1);
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
}

static void test_roots_empty_nested_and_with_trailing_slash(void **st)
{
    (void)st;
    const char *roots[] = {"", "graph/nodes/Person", "graph/edges/Knows/"};
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    for (size_t i = 0; i < 3; i++) {
        og_schema sc;
        og_txn *x;
        og_table *t;
        og_batch b = OG_BATCH_INIT;
        memset(&sc, 0, sizeof sc);
        OG_CHECK(og_schema_add(&sc, "id", T_UTF8, false, true));
        OG_CHECK(og_schema_add(&sc, "n", T_I64, true, false));
        rows(&b, "r", 0, (int)i + 1);
        OG_CHECK(og_table_stage_create(s, roots[i], &sc, &b, &x));
        OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
        og_txn_free(x);
        OG_CHECK(og_table_open(s, roots[i], &t));
        assert_int_equal(og_table_count_rows(t), i + 1);
        og_batch out = OG_BATCH_INIT;
        OG_CHECK(og_table_scan(t, NULL, &out));
        assert_int_equal(out.nrows, i + 1);
        og_batch_free(&out);
        og_cleanup_opts co = {1, 0, 0};
        og_cleanup_stats cs;
        OG_CHECK(og_table_cleanup(s, roots[i], &co, &cs));
        assert_int_equal(cs.files_removed, 0);
        og_table_close(t);
        og_batch_free(&b);
        og_schema_free(&sc);
    }
    og_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compaction_merges_fragments_and_keeps_row_identity),
        cmocka_unit_test(test_compaction_conflicts_with_concurrent_delete_but_not_append),
        cmocka_unit_test(test_branch_is_shallow_and_isolated),
        cmocka_unit_test(test_key_index_skips_uncovered_io_and_stays_correct_at_any_coverage),
        cmocka_unit_test(test_cleanup_removes_old_versions_and_unreferenced_files_only),
        cmocka_unit_test(test_merge_insert_join_reads_only_pages_and_fragments_that_may_match),
        cmocka_unit_test(test_roots_empty_nested_and_with_trailing_slash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
