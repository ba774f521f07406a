/* test_table_guard.c — guard tests, one per contract point not pinned
 * elsewhere: counting, change sets, branch refs and lineage, retention,
 * key indexes on every scalar type, warm-handle store-call budgets, and
 * crash safety of branch creation. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/table.h"

static const og_type T_UTF8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
static const og_type T_I64 = {OG_TYPE_I64, OG_TYPE_NONE, 0};
static const og_type T_F64 = {OG_TYPE_F64, OG_TYPE_NONE, 0};
static const og_type T_BOOL = {OG_TYPE_BOOL, OG_TYPE_NONE, 0};
static const og_type T_DATE = {OG_TYPE_DATE, OG_TYPE_NONE, 0};

static void schema(og_schema *sc)
{
    memset(sc, 0, sizeof *sc);
    OG_CHECK(og_schema_add(sc, "id", T_UTF8, false, true));
    OG_CHECK(og_schema_add(sc, "n", T_I64, true, false));
    OG_CHECK(og_schema_add(sc, "f", T_F64, true, false));
    OG_CHECK(og_schema_add(sc, "b", T_BOOL, true, false));
    OG_CHECK(og_schema_add(sc, "d", T_DATE, true, false));
}

/* ids "<p>%04d" for i in [from, to): n = i + add, f = i / 4.0 (i%7==0: -0.0
 * for i == 0), b = i odd, d = 19000 + i % 10. */
static void rows(og_batch *b, const char *p, int from, int to, int add)
{
    og_column *id, *n, *f, *bo, *d;
    OG_CHECK(og_batch_add(b, "id", T_UTF8, &id));
    OG_CHECK(og_batch_add(b, "n", T_I64, &n));
    OG_CHECK(og_batch_add(b, "f", T_F64, &f));
    OG_CHECK(og_batch_add(b, "b", T_BOOL, &bo));
    OG_CHECK(og_batch_add(b, "d", T_DATE, &d));
    for (int i = from; i < to; i++) {
        char s[32];
        snprintf(s, sizeof s, "%s%04d", p, i);
        OG_CHECK(og_column_push_str(id, s));
        OG_CHECK(og_column_push_i64(n, i + add));
        OG_CHECK(og_column_push_f64(f, i == 0 ? -0.0 : i / 4.0));
        OG_CHECK(og_column_push_bool(bo, i % 2));
        OG_CHECK(og_column_push_i64(d, 19000 + i % 10));
    }
    OG_CHECK(og_batch_seal(b));
}

/* Inline limit of the handles commit_t returns: most guards pin object
 * I/O of regular files; the inline guards switch it back on. */
static uint32_t inline_max = 0;

static og_table *commit_t(og_txn *x)
{
    og_table *t;
    OG_CHECK(og_txn_commit(x, NULL, NULL, &t));
    og_txn_free(x);
    og_table_set_page_rows(t, 16);
    og_table_set_inline_max(t, inline_max);
    return t;
}

/* Table "t" in s with rows p0000..p(n-1) in one fragment; returns it open. */
static og_table *make(og_store *s, int n)
{
    og_schema sc;
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    schema(&sc);
    OG_CHECK(og_table_stage_create(s, "t", &sc, NULL, &x));
    og_table *t = commit_t(x);
    rows(&b, "p", 0, n, 0);
    OG_CHECK(og_table_stage_append(t, &b, &x));
    og_table_close(t);
    t = commit_t(x);
    og_batch_free(&b);
    og_schema_free(&sc);
    return t;
}

static og_table *append(og_table *t, const char *p, int from, int to)
{
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    rows(&b, p, from, to, 0);
    OG_CHECK(og_table_stage_append(t, &b, &x));
    og_table_close(t);
    og_batch_free(&b);
    return commit_t(x);
}

static og_table *upsert(og_table *t, const char *p, int from, int to, int add)
{
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    rows(&b, p, from, to, add);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x));
    og_table_close(t);
    og_batch_free(&b);
    return commit_t(x);
}

static og_table *delete_lt(og_table *t, int64_t bound)
{
    og_txn *x;
    og_pred p = {"n", OG_CMP_LT, og_val_i64(bound), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &x));
    og_table_close(t);
    return commit_t(x);
}

static size_t scan_count(og_table *t, const og_pred *p, size_t np)
{
    og_scan_opts o = {NULL, 0, p, np, 0};
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &b));
    size_t n = b.nrows;
    og_batch_free(&b);
    return n;
}

/* ---------- count ---------- */

static void test_count_without_filter_is_the_manifest_count_without_io(void **st)
{
    (void)st;
    og_store *mem, *s;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    og_table *t = make(s, 100);
    t = delete_lt(t, 10);
    og_store_fault_reset_counts(s);
    uint64_t n;
    OG_CHECK(og_table_count(t, NULL, 0, &n));
    assert_int_equal(n, 90);
    assert_int_equal(og_store_fault_total(s), 0);
    og_table_close(t);
    og_store_close(s);
}

static void test_count_with_filter_matches_scan_and_skips_pruned_pages(void **st)
{
    (void)st;
    og_store *mem, *s;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    og_table *t = make(s, 160); /* 10 pages of 16 rows */
    t = delete_lt(t, 5);
    og_table_close(t);
    OG_CHECK(og_table_open(s, "t", &t));
    og_pred p = {"n", OG_CMP_GE, og_val_i64(150), NULL, 0};
    og_store_fault_reset_counts(s);
    uint64_t n;
    OG_CHECK(og_table_count(t, &p, 1, &n));
    assert_int_equal(n, 10);
    /* tail + footer + deletion vector? no: one page of n (rows 144..159) */
    assert_true(og_store_fault_count(s, OG_OP_GET_RANGE) <= 3);
    og_pred q[] = {{"n", OG_CMP_LT, og_val_i64(50), NULL, 0}, {"b", OG_CMP_EQ, og_val_bool(true), NULL, 0}};
    OG_CHECK(og_table_count(t, q, 2, &n));
    assert_int_equal(n, scan_count(t, q, 2));
    assert_int_equal(n, 23); /* odd n in 5..49 */
    og_table_close(t);
    og_store_close(s);
}

/* ---------- changed rows ---------- */

static bool has_id(const og_batch *b, const char *id)
{
    const og_column *c = og_batch_col(b, "id");
    for (size_t i = 0; i < b->nrows; i++) {
        size_t n;
        const char *p = og_column_get_bytes(c, i, &n);
        if (n == strlen(id) && !memcmp(p, id, n)) return true;
    }
    return false;
}

static void test_changes_between_versions_are_inserts_updates_and_deleted_row_ids(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 20);                 /* v2 */
    uint64_t v2 = og_table_version(t);
    t = upsert(t, "p", 3, 5, 100);             /* v3: update p0003, p0004 */
    t = append(t, "q", 50, 52);                /* v4: insert q0050, q0051 */
    t = delete_lt(t, 2);                       /* v5: delete p0000, p0001 */
    og_batch up = OG_BATCH_INIT;
    uint64_t *del;
    size_t ndel;
    static const char *const cols[] = {"id", "n"};
    OG_CHECK(og_table_changes(t, v2, cols, 2, &up, &del, &ndel));
    assert_int_equal(up.nrows, 4);
    assert_true(has_id(&up, "p0003") && has_id(&up, "p0004") && has_id(&up, "q0050") && has_id(&up, "q0051"));
    assert_non_null(og_batch_col(&up, OG_COL_ROWID));
    assert_int_equal(ndel, 2);
    assert_true(del[0] < del[1]);
    free(del);
    og_batch_free(&up);
    /* from == latest: nothing */
    OG_CHECK(og_table_changes(t, og_table_version(t), cols, 2, &up, &del, &ndel));
    assert_int_equal(up.nrows, 0);
    assert_int_equal(up.ncols, 3);
    assert_int_equal(ndel, 0);
    free(del);
    og_batch_free(&up);
    assert_int_equal(og_table_changes(t, og_table_version(t) + 1, cols, 2, &up, &del, &ndel), OG_E_INVALID);
    og_table_close(t);
    og_store_close(s);
}

static void test_changes_are_exact_across_compaction_and_restore(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 10);
    t = append(t, "q", 0, 3);
    uint64_t base = og_table_version(t);
    og_compact_opts co = {0};
    og_txn *x;
    OG_CHECK(og_table_stage_compact(t, &co, &x));
    og_table_close(t);
    t = commit_t(x);
    og_batch up = OG_BATCH_INIT;
    uint64_t *del;
    size_t ndel;
    OG_CHECK(og_table_changes(t, base, NULL, 0, &up, &del, &ndel));
    assert_int_equal(up.nrows, 0); /* compaction changes no row */
    assert_int_equal(ndel, 0);
    free(del);
    og_batch_free(&up);
    t = upsert(t, "p", 0, 1, 50);
    uint64_t after = og_table_version(t);
    OG_CHECK(og_table_stage_restore(t, base, &x));
    og_table_close(t);
    t = commit_t(x);
    /* restoring `base` undoes the update: versus base nothing changed,
     * versus `after` p0000 changed back */
    OG_CHECK(og_table_changes(t, base, NULL, 0, &up, &del, &ndel));
    assert_int_equal(up.nrows, 0);
    assert_int_equal(ndel, 0);
    free(del);
    og_batch_free(&up);
    OG_CHECK(og_table_changes(t, after, NULL, 0, &up, &del, &ndel));
    assert_int_equal(up.nrows, 1);
    assert_true(has_id(&up, "p0000"));
    assert_int_equal(og_column_get_i64(og_batch_col(&up, "n"), 0), 0);
    assert_int_equal(ndel, 0); /* same row (same row id), rewritten back */
    free(del);
    og_batch_free(&up);
    og_table_close(t);
    og_store_close(s);
}

/* ---------- branches ---------- */

static void test_branch_recreated_under_same_name_gets_new_lineage(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 5);
    og_branch_info a, b;
    OG_CHECK(og_table_branch_create(s, "t", "dev", NULL, 0));
    OG_CHECK(og_table_branch_info(s, "t", "dev", &a));
    assert_string_equal(a.parent, "");
    assert_int_equal(a.parent_version, og_table_version(t));
    assert_int_equal(strlen(a.lineage), 32);
    OG_CHECK(og_table_branch_delete(s, "t", "dev"));
    assert_int_equal(og_table_branch_info(s, "t", "dev", &b), OG_E_NOTFOUND);
    OG_CHECK(og_table_branch_create(s, "t", "dev", NULL, 0));
    OG_CHECK(og_table_branch_info(s, "t", "dev", &b));
    assert_string_not_equal(a.lineage, b.lineage);
    og_table_close(t);
    og_store_close(s);
}

static void test_branch_create_is_compare_and_swap_second_is_exists(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 5);
    og_branch_info a, b;
    OG_CHECK(og_table_branch_create(s, "t", "x", NULL, 0));
    OG_CHECK(og_table_branch_info(s, "t", "x", &a));
    assert_int_equal(og_table_branch_create(s, "t", "x", NULL, 1), OG_E_EXISTS);
    OG_CHECK(og_table_branch_info(s, "t", "x", &b));
    assert_string_equal(a.lineage, b.lineage); /* the loser changed nothing */
    assert_int_equal(og_table_branch_delete(s, "t", "nope"), OG_E_NOTFOUND);
    og_table_close(t);
    og_store_close(s);
}

static void test_branch_names_are_path_prefix_disjoint(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 3);
    static const char *const bad[] = {"a/b", ".hidden", "", "x y", "../up",
                                      "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(og_table_branch_create(s, "t", bad[i], NULL, 0), OG_E_INVALID);
    /* "a" and "ab" share a name prefix, not a path prefix: independent */
    OG_CHECK(og_table_branch_create(s, "t", "a", NULL, 0));
    OG_CHECK(og_table_branch_create(s, "t", "ab", NULL, 0));
    og_table *ta;
    OG_CHECK(og_table_open_branch(s, "t", "a", 0, &ta));
    ta = append(ta, "a", 0, 4);
    OG_CHECK(og_table_branch_delete(s, "t", "ab"));
    og_table *again;
    OG_CHECK(og_table_open_branch(s, "t", "a", 0, &again));
    assert_int_equal(og_table_count_rows(again), 7);
    og_table_close(again);
    og_table_close(ta);
    og_table_close(t);
    og_store_close(s);
}

static void test_branch_create_crashing_at_every_step_leaves_no_branch_or_a_whole_one(void **st)
{
    (void)st;
    int crashed_runs = 0;
    for (unsigned n = 1; n < 50; n++) {
        og_store *mem, *s;
        OG_CHECK(og_store_mem_open(&mem));
        og_table *t = make(mem, 6);
        og_table_close(t);
        OG_CHECK(og_store_fault_open(mem, &s));
        og_store_fault_crash_at(s, n);
        og_status rc = og_table_branch_create(s, "t", "dev", NULL, 0);
        bool crashed = og_store_fault_crashed(s);
        og_store_fault_reopen(s);
        og_store_fault_crash_at(s, 0);
        og_table *b = NULL;
        og_status orc = og_table_open_branch(s, "t", "dev", 0, &b);
        if (orc == OG_OK) { /* the ref exists: the branch is whole */
            assert_int_equal(og_table_count_rows(b), 6);
            assert_int_equal(scan_count(b, NULL, 0), 6);
            og_table_close(b);
        } else {
            assert_true(crashed);
            /* and it can be created after the restart */
            OG_CHECK(og_table_branch_create(s, "t", "dev", NULL, 0));
        }
        og_store_close(s);
        if (!crashed) { assert_int_equal(rc, OG_OK); break; }
        crashed_runs++;
    }
    assert_true(crashed_runs >= 2);
}

/* ---------- retention ---------- */

static size_t versions(og_store *s)
{
    og_version_info *v;
    size_t n;
    OG_CHECK(og_table_versions(s, "t", &v, &n));
    free(v);
    return n;
}

static void test_cleanup_keep_newest_n_versions(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 4);
    for (int i = 0; i < 6; i++) t = append(t, "q", i * 10, i * 10 + 2); /* v3..v8 */
    og_cleanup_opts o = {0, 0, 0};
    og_cleanup_keep k = {3, NULL, 0};
    og_cleanup_stats cs;
    OG_CHECK(og_table_cleanup_keep(s, "t", &o, &k, &cs));
    assert_int_equal(cs.versions_removed, 5);
    assert_int_equal(versions(s), 3);
    og_table *old;
    assert_int_equal(og_table_open_at(s, "t", 5, &old), OG_E_NOTFOUND);
    OG_CHECK(og_table_open_at(s, "t", 6, &old));
    og_table_close(old);
    assert_int_equal(scan_count(t, NULL, 0), 16);
    /* no bound at all is refused */
    k.keep_versions = 0;
    assert_int_equal(og_table_cleanup_keep(s, "t", &o, &k, &cs), OG_E_INVALID);
    og_table_close(t);
    og_store_close(s);
}

static void test_cleanup_spares_protected_versions_and_never_the_latest(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 4);
    for (int i = 0; i < 4; i++) t = append(t, "q", i * 10, i * 10 + 2); /* v3..v6 */
    uint64_t pin[] = {2, 4};
    og_cleanup_opts o = {100, 0, 0}; /* every version is "before 100" */
    og_cleanup_keep k = {0, pin, 2};
    og_cleanup_stats cs;
    OG_CHECK(og_table_cleanup_keep(s, "t", &o, &k, &cs));
    assert_int_equal(cs.versions_removed, 3); /* 1, 3, 5 */
    og_table *old;
    OG_CHECK(og_table_open_at(s, "t", 2, &old));
    assert_int_equal(scan_count(old, NULL, 0), 4);  /* its files survived too */
    og_table_close(old);
    OG_CHECK(og_table_open_at(s, "t", 4, &old));
    assert_int_equal(scan_count(old, NULL, 0), 8);
    og_table_close(old);
    OG_CHECK(og_table_open_at(s, "t", 6, &old));
    og_table_close(old);
    assert_int_equal(og_table_open_at(s, "t", 5, &old), OG_E_NOTFOUND);
    og_table_close(t);
    og_store_close(s);
}

/* ---------- key index on every scalar type ---------- */

static og_value date_val(int32_t days)
{
    og_value v = og_val_i64(days);
    v.kind = OG_VALUE_DATE;
    return v;
}

static void test_key_index_on_bool_f64_date_and_int_columns_is_exact_at_any_coverage(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 40);
    static const char *const cols[] = {"n", "f", "b", "d"};
    og_txn *x;
    for (int i = 0; i < 4; i++) {
        OG_CHECK(og_table_stage_create_index(t, cols[i], cols[i], &x));
        og_table_close(t);
        t = commit_t(x);
    }
    t = append(t, "q", 0, 40); /* uncovered fragment with the same values */
    og_pred ps[] = {
        {"n", OG_CMP_EQ, og_val_i64(7), NULL, 0},
        {"f", OG_CMP_EQ, og_val_f64(1.75), NULL, 0},         /* i == 7 */
        {"f", OG_CMP_EQ, og_val_f64(0.0), NULL, 0},          /* -0.0 stored */
        {"f", OG_CMP_EQ, og_val_f64(NAN), NULL, 0},
        {"b", OG_CMP_EQ, og_val_bool(true), NULL, 0},
        {"d", OG_CMP_EQ, date_val(19003), NULL, 0},
    };
    static const size_t want[] = {2, 2, 2, 0, 40, 8};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
        uint64_t n;
        assert_int_equal(scan_count(t, &ps[i], 1), want[i]);
        OG_CHECK(og_table_count(t, &ps[i], 1, &n));
        assert_int_equal(n, want[i]);
    }
    og_table_close(t);
    og_store_close(s);
}

/* ---------- warm handles ---------- */

static void test_warm_handle_one_row_commit_takes_at_most_6_store_calls(void **st)
{
    (void)st;
    og_store *mem, *s;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    og_table *t = make(s, 200);
    og_txn *x;
    OG_CHECK(og_table_stage_create_index(t, "id", "id", &x));
    og_table_close(t);
    t = commit_t(x);
    t = upsert(t, "p", 1, 2, 7); /* warm-up */
    for (int i = 0; i < 20; i++) {
        og_store_fault_reset_counts(s);
        t = i % 2 ? upsert(t, "p", i, i + 1, 9) : upsert(t, "new", i, i + 1, 0);
        assert_true(og_store_fault_total(s) <= 6);
        assert_int_equal(og_store_fault_count(s, OG_OP_LIST), 0);
    }
    og_table *cold;
    OG_CHECK(og_table_open(s, "t", &cold));
    assert_int_equal(scan_count(cold, NULL, 0), 210);
    og_table_close(cold);
    og_table_close(t);
    og_store_close(s);
}

static void test_snapshot_returned_by_commit_reads_no_footer_again(void **st)
{
    (void)st;
    og_store *mem, *s;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    og_table *t = make(s, 50);
    assert_int_equal(scan_count(t, NULL, 0), 50); /* reads the footer */
    t = append(t, "q", 0, 5);                       /* reader of the new file cached */
    og_store_fault_reset_counts(s);
    assert_int_equal(scan_count(t, NULL, 0), 55);
    /* only the new fragment's 5 column pages: no tail/footer reads */
    assert_int_equal(og_store_fault_total(s), 5);
    og_store_fault_reset_counts(s);
    assert_int_equal(scan_count(t, NULL, 0), 55);
    assert_int_equal(og_store_fault_total(s), 0);   /* every page decoded before */
    og_table_close(t);
    og_store_close(s);
}

/* ---------- inserted-key sets: inline when small, a file when large ---------- */

static size_t count_prefix(og_store *s, const char *prefix)
{
    og_list l = {0};
    OG_CHECK(og_store_list_all(s, prefix, &l));
    size_t n = l.len;
    og_list_free(&l);
    return n;
}

static void test_key_sets_inline_when_small_file_when_large_both_detect_duplicates(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 3);
    for (int big = 0; big < 2; big++) {
        int n = big ? (int)OG_TXN_INLINE_KEYS_MAX + 36 : 5;
        const char *p = big ? "big" : "small";
        og_batch b1 = OG_BATCH_INIT, b2 = OG_BATCH_INIT;
        og_txn *x1, *x2;
        rows(&b1, p, 0, n, 0);
        rows(&b2, p, n - 1, n, 0); /* shares the last key */
        OG_CHECK(og_table_stage_merge_insert(t, &b1, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, &x1));
        OG_CHECK(og_table_stage_merge_insert(t, &b2, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, &x2));
        og_table *t1;
        OG_CHECK(og_txn_commit(x1, NULL, NULL, &t1));
        assert_int_equal(og_txn_commit(x2, NULL, NULL, NULL), OG_E_CONFLICT);
        assert_int_equal(og_table_manifest(t1)->txn.nkeys, (uint64_t)n);
        assert_int_equal(og_table_manifest(t1)->txn.ninline, big ? 0 : (size_t)n);
        assert_int_equal(count_prefix(s, "t/_txn/"), (size_t)big);
        og_txn_free(x1);
        og_txn_free(x2);
        og_batch_free(&b1);
        og_batch_free(&b2);
        og_table_close(t);
        t = t1;
        /* and the inline set survives a cold re-open */
        og_table *cold;
        OG_CHECK(og_table_open(s, "t", &cold));
        assert_int_equal(og_table_manifest(cold)->txn.ninline, big ? 0 : (size_t)n);
        if (!big)
            for (size_t i = 0; i < (size_t)n; i++)
                assert_true(og_table_manifest(cold)->txn.inline_keys[i] == og_table_manifest(t)->txn.inline_keys[i]);
        og_table_close(cold);
    }
    og_table_close(t);
    og_store_close(s);
}

/* ---------- ordered scan ---------- */

static void test_ordered_scan_yields_ids_ascending_in_bounded_batches_with_filter(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 0);
    /* ids arrive out of order across fragments */
    t = append(t, "m", 30, 60);
    t = append(t, "c", 0, 30);
    t = append(t, "x", 0, 25);
    t = append(t, "a", 5, 20);
    t = delete_lt(t, 7);   /* drops a0005, a0006, c0000..c0006, x0000..x0006 */
    static const char *const cols[] = {"id", "n"};
    og_pred p = {"n", OG_CMP_NE, og_val_i64(40), NULL, 0}; /* drops m0040 */
    og_scan_opts o = {cols, 2, &p, 1, 0};
    og_ordered_scanner *os;
    OG_CHECK(og_ordered_scanner_open(t, &o, 7, &os));
    char prev[32] = "";
    size_t total = 0, batches = 0;
    for (;;) {
        og_batch b = OG_BATCH_INIT;
        bool done;
        OG_CHECK(og_ordered_scanner_next(os, &b, &done));
        assert_int_equal(b.ncols, 2);
        if (done) { assert_int_equal(b.nrows, 0); og_batch_free(&b); break; }
        assert_true(b.nrows >= 1 && b.nrows <= 7);
        batches++;
        for (size_t i = 0; i < b.nrows; i++) {
            size_t n;
            const char *id = og_column_get_bytes(b.cols[0], i, &n);
            char cur[32];
            snprintf(cur, sizeof cur, "%.*s", (int)n, id);
            assert_true(strcmp(prev, cur) < 0);
            assert_true(og_column_get_i64(b.cols[1], i) >= 7 && og_column_get_i64(b.cols[1], i) != 40);
            snprintf(prev, sizeof prev, "%s", cur);
            total++;
        }
        og_batch_free(&b);
    }
    /* a: 13, c: 23, m: 29, x: 18 */
    assert_int_equal(total, 83);
    assert_int_equal(batches, (83 + 6) / 7);
    assert_string_equal(prev, "x0024");
    og_ordered_scanner_close(os);
    og_table_close(t);
    og_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_without_filter_is_the_manifest_count_without_io),
        cmocka_unit_test(test_count_with_filter_matches_scan_and_skips_pruned_pages),
        cmocka_unit_test(test_changes_between_versions_are_inserts_updates_and_deleted_row_ids),
        cmocka_unit_test(test_changes_are_exact_across_compaction_and_restore),
        cmocka_unit_test(test_branch_recreated_under_same_name_gets_new_lineage),
        cmocka_unit_test(test_branch_create_is_compare_and_swap_second_is_exists),
        cmocka_unit_test(test_branch_names_are_path_prefix_disjoint),
        cmocka_unit_test(test_branch_create_crashing_at_every_step_leaves_no_branch_or_a_whole_one),
        cmocka_unit_test(test_cleanup_keep_newest_n_versions),
        cmocka_unit_test(test_cleanup_spares_protected_versions_and_never_the_latest),
        cmocka_unit_test(test_key_index_on_bool_f64_date_and_int_columns_is_exact_at_any_coverage),
        cmocka_unit_test(test_warm_handle_one_row_commit_takes_at_most_6_store_calls),
        cmocka_unit_test(test_snapshot_returned_by_commit_reads_no_footer_again),
        cmocka_unit_test(test_key_sets_inline_when_small_file_when_large_both_detect_duplicates),
        cmocka_unit_test(test_ordered_scan_yields_ids_ascending_in_bounded_batches_with_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
