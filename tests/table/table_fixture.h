/* table_fixture.h — a small keyed table (id, n) and the helpers the
 * inline and delta manifest tests share: rows, make, commit, upsert,
 * delete, object counts and the sorted content of a version. Include
 * after testutil.h; assertions stay in the tests. */
#ifndef OG_TEST_TABLE_FIXTURE_H
#define OG_TEST_TABLE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/manifest.h"
#include "table/table.h"

static const og_type T_UTF8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
static const og_type T_I64 = {OG_TYPE_I64, OG_TYPE_NONE, 0};

/* ids "<p>%04d" for i in [from, to), n = i + add. */
static void rows(og_batch *b, const char *p, int from, int to, int add)
{
    og_column *id, *n;
    OG_CHECK(og_batch_add(b, "id", T_UTF8, &id));
    OG_CHECK(og_batch_add(b, "n", T_I64, &n));
    for (int i = from; i < to; i++) {
        char s[32];
        snprintf(s, sizeof s, "%s%04d", p, i);
        OG_CHECK(og_column_push_str(id, s));
        OG_CHECK(og_column_push_i64(n, i + add));
    }
    OG_CHECK(og_batch_seal(b));
}

/* Table "t" with rows p0000..p(n-1) in a regular file; returns a handle
 * with inline data on. */
static og_table *make(og_store *s, int n)
{
    og_schema sc;
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    og_table *t;
    memset(&sc, 0, sizeof sc);
    OG_CHECK(og_schema_add(&sc, "id", T_UTF8, false, true));
    OG_CHECK(og_schema_add(&sc, "n", T_I64, true, false));
    rows(&b, "p", 0, n, 0);
    OG_CHECK(og_table_stage_create(s, "t", &sc, &b, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, &t));
    og_txn_free(x);
    og_batch_free(&b);
    og_schema_free(&sc);
    og_table_set_inline_max(t, OG_TABLE_INLINE_MAX);
    return t;
}

static og_table *commit_t(og_table *old, og_txn *x)
{
    og_table *t;
    OG_CHECK(og_txn_commit(x, NULL, NULL, &t));
    og_txn_free(x);
    og_table_close(old);
    return t;
}

static og_table *upsert(og_table *t, const char *p, int from, int to, int add)
{
    og_batch b = OG_BATCH_INIT;
    og_txn *x;
    rows(&b, p, from, to, add);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x));
    og_batch_free(&b);
    return commit_t(t, x);
}

static og_table *delete_id(og_table *t, const char *id)
{
    og_txn *x;
    uint64_t aff = 0;
    og_pred p = {"id", OG_CMP_EQ, og_val_str(id), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &p, 1, &aff, &x));
    assert_int_equal(aff, 1);
    return commit_t(t, x);
}

static size_t count_prefix(og_store *s, const char *prefix)
{
    og_list l = {0};
    OG_CHECK(og_store_list_all(s, prefix, &l));
    size_t n = l.len;
    og_list_free(&l);
    return n;
}

/* "id n rowid created updated" lines sorted by id: a table's whole
 * observable content including row identity. */
static char *content(og_table *t)
{
    const char *cols[] = {"id", "n", OG_COL_ROWID, OG_COL_CREATED, OG_COL_UPDATED};
    og_scan_opts o = {cols, 5, NULL, 0, 0};
    og_ordered_scanner *sc;
    og_buf out = OG_BUF_INIT;
    bool done = false;
    OG_CHECK(og_ordered_scanner_open(t, &o, 0, &sc));
    while (!done) {
        og_batch b = OG_BATCH_INIT;
        OG_CHECK(og_ordered_scanner_next(sc, &b, &done));
        for (size_t i = 0; i < b.nrows; i++) {
            size_t n;
            const char *id = og_column_get_bytes(b.cols[0], i, &n);
            OG_CHECK(og_buf_printf(&out, "%.*s %lld %llu %llu %llu\n", (int)n, id,
                                   (long long)og_column_get_i64(b.cols[1], i),
                                   (unsigned long long)og_column_get_u64(b.cols[2], i),
                                   (unsigned long long)og_column_get_u64(b.cols[3], i),
                                   (unsigned long long)og_column_get_u64(b.cols[4], i)));
        }
        og_batch_free(&b);
    }
    og_ordered_scanner_close(sc);
    return og_buf_detach(&out, NULL);
}

static int64_t n_of(og_table *t, const char *id)
{
    og_pred p = {"id", OG_CMP_EQ, og_val_str(id), NULL, 0};
    og_scan_opts o = {NULL, 0, &p, 1, 0};
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_table_scan(t, &o, &b));
    int64_t v = b.nrows == 1 ? og_column_get_i64(og_batch_col(&b, "n"), 0) : -(int64_t)b.nrows - 1;
    og_batch_free(&b);
    return v;
}

#endif
