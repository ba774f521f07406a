/* maint_fixture.h — set-up and observation shared by the maintenance
 * tests (include after testutil.h). Assertions stay in the tests. */
#ifndef OG_TEST_MAINT_FIXTURE_H
#define OG_TEST_MAINT_FIXTURE_H

#include "crash/crash_fixture.h"
#include "graph/internal.h"
#include "graph/maint.h"

/* main: n pair writes (2 people + 1 edge each), one delete; branch "b"
 * from main with 3 writes of its own. */
static inline void mf_build(og_graph *g, int n)
{
    char a[32], b[32];
    for (int i = 0; i < n; i++) {
        snprintf(a, sizeof a, "p%02d", 2 * i);
        snprintf(b, sizeof b, "p%02d", 2 * i + 1);
        OG_CHECK(cf_write_pair(g, NULL, a, b, i, NULL));
    }
    OG_CHECK(cf_delete_pair(g, "p00", "p00-p01"));
    OG_CHECK(og_graph_branch_create(og_graph_store(g), "b", NULL, 0, NULL));
    for (int i = 0; i < 3; i++) {
        snprintf(a, sizeof a, "b%02d", 2 * i);
        snprintf(b, sizeof b, "p%02d", 2 * i + 3);
        OG_CHECK(cf_write_pair(g, "b", a, b, 100 + i, NULL));
    }
}

/* "id=rowid" lines of every type's rows on branch (sorted), so a test can
 * check that content and row ids both survive. Caller frees. */
static inline char *mf_rowids(og_graph *g, const char *branch)
{
    og_graph_view *v = NULL;
    cf_lines l = {0};
    const og_catalog *cat = og_graph_catalog(g);
    OG_CHECK(og_graph_view_open(g, branch, NULL, &v));
    for (size_t t = 0; t < cat->n_types; t++) {
        og_table *tbl = NULL;
        og_batch b = OG_BATCH_INIT;
        const char *cols[] = {"id", OG_COL_ROWID};
        og_scan_opts so = {cols, 2, NULL, 0, 0};
        OG_CHECK(og_graph_view_table(v, &cat->types[t], &tbl));
        OG_CHECK(og_table_scan(tbl, &so, &b));
        for (size_t r = 0; r < b.nrows; r++) {
            size_t len = 0;
            const char *id = og_column_get_bytes(b.cols[0], r, &len);
            char line[256];
            snprintf(line, sizeof line, "%s %.*s=%llu", cat->types[t].name, (int)len, id,
                     (unsigned long long)og_column_get_u64(b.cols[1], r));
            OG_CHECK(cf_line(&l, line, strlen(line)));
        }
        og_batch_free(&b);
    }
    og_graph_view_close(v);
    qsort(l.v, l.n, sizeof *l.v, cf_cmp);
    og_buf out = OG_BUF_INIT;
    for (size_t i = 0; i < l.n; i++) {
        OG_CHECK(og_buf_printf(&out, "%s\n", l.v[i]));
        free(l.v[i]);
    }
    free(l.v);
    return og_buf_detach(&out, NULL);
}

/* Fragments of table_key at branch's head pin. */
static inline size_t mf_frags(og_store *st, const char *branch, const char *table_key)
{
    og_graph_snapshot s;
    og_table *t = NULL;
    OG_CHECK(og_graph_open_head(st, branch, &s));
    const og_graph_pin *p = og_graph_snapshot_pin(&s, table_key);
    assert_non_null(p);
    if (p->table_branch) OG_CHECK(og_table_open_branch(st, p->path, p->table_branch, p->version, &t));
    else OG_CHECK(og_table_open_at(st, p->path, p->version, &t));
    size_t n = og_table_manifest(t)->nfrags;
    og_table_close(t);
    og_graph_snapshot_free(&s);
    return n;
}

static inline size_t mf_count(og_store *st, const char *prefix, uint64_t *bytes)
{
    og_list l;
    OG_CHECK(og_store_list_all(st, prefix, &l));
    size_t n = l.len;
    if (bytes) {
        *bytes = 0;
        for (size_t i = 0; i < l.len; i++) *bytes += l.items[i].size;
    }
    og_list_free(&l);
    return n;
}

/* A deep copy of a mem store. */
static inline og_store *mf_clone(og_store *src)
{
    og_store *dst = NULL;
    og_list l;
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_store_mem_open(&dst));
    OG_CHECK(og_store_list_all(src, "", &l));
    for (size_t i = 0; i < l.len; i++) {
        OG_CHECK(og_store_get(src, l.items[i].key, &b, NULL));
        OG_CHECK(og_store_put(dst, l.items[i].key, b.data, b.len, NULL));
    }
    og_list_free(&l);
    og_buf_free(&b);
    return dst;
}

#endif
