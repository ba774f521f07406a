/* table_ordered.c — scan in `id` order with bounded memory.
 * (1) Fragments are not sorted by id, so each batch takes two passes over
 *     the rows after the last id emitted: the first keeps only the
 *     batch_rows smallest ids (a bounded max-heap of key values), the
 *     second materialises the rows with last < id <= the batch's largest id
 *     and sorts them. Memory is O(batch_rows); time is O(rows × batches),
 *     with page statistics skipping pages wholly at or below `last`.
 * (2) The id column is the schema's `id` field: utf8 (byte order) or an
 *     integer type (numeric order). Null ids are never emitted (an id is
 *     never null in a keyed table). Ids are unique among live rows. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct og_ordered_scanner {
    og_table *t;
    const og_scan_opts *o;
    size_t batch_rows;
    og_type idt;
    bool started, done;
    og_buf last;        /* utf8: bytes of the last id emitted */
    int64_t last_i;     /* integers (signed view) */
    uint64_t last_u;    /* integers (unsigned types) */
    bool uns;
    /* pass-1 heap */
    og_buf *hs;         /* utf8 keys */
    int64_t *hi;
    uint64_t *hu;
    size_t hn;
};

static bool is_uns(og_type_id t) { return t == OG_TYPE_U32 || t == OG_TYPE_U64; }

/* a < b for the key at heap slot i vs (p,n | iv | uv) */
static int key_cmp(const og_ordered_scanner *s, size_t i, const char *p, size_t n, int64_t iv, uint64_t uv)
{
    if (s->idt.id == OG_TYPE_UTF8) {
        size_t m = s->hs[i].len < n ? s->hs[i].len : n;
        int c = m ? memcmp(s->hs[i].data, p, m) : 0;
        return c ? c : (s->hs[i].len > n) - (s->hs[i].len < n);
    }
    if (s->uns) return (s->hu[i] > uv) - (s->hu[i] < uv);
    return (s->hi[i] > iv) - (s->hi[i] < iv);
}

static int slot_cmp(const og_ordered_scanner *s, size_t a, size_t b)
{
    if (s->idt.id == OG_TYPE_UTF8) return key_cmp(s, a, s->hs[b].data, s->hs[b].len, 0, 0);
    return key_cmp(s, a, NULL, 0, s->hi ? s->hi[b] : 0, s->hu ? s->hu[b] : 0);
}

static void slot_swap(og_ordered_scanner *s, size_t a, size_t b)
{
    if (s->idt.id == OG_TYPE_UTF8) { og_buf t = s->hs[a]; s->hs[a] = s->hs[b]; s->hs[b] = t; }
    else if (s->uns) { uint64_t t = s->hu[a]; s->hu[a] = s->hu[b]; s->hu[b] = t; }
    else { int64_t t = s->hi[a]; s->hi[a] = s->hi[b]; s->hi[b] = t; }
}

static void sift_down(og_ordered_scanner *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->hn && slot_cmp(s, l, m) > 0) m = l;
        if (r < s->hn && slot_cmp(s, r, m) > 0) m = r;
        if (m == i) return;
        slot_swap(s, i, m);
        i = m;
    }
}

static void sift_up(og_ordered_scanner *s, size_t i)
{
    while (i && slot_cmp(s, i, (i - 1) / 2) > 0) {
        slot_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static og_status heap_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                            og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    og_ordered_scanner *s = ud;
    (void)f; (void)row_start;
    for (size_t k = 0; k < nsel; k++) {
        const og_column *c = cols[0];
        if (og_column_is_null(c, sel[k])) continue;
        size_t n = 0;
        const char *p = NULL;
        int64_t iv = 0;
        uint64_t uv = 0;
        if (s->idt.id == OG_TYPE_UTF8) p = og_column_get_bytes(c, sel[k], &n);
        else if (s->uns) uv = og_column_get_u64(c, sel[k]);
        else iv = og_column_get_i64(c, sel[k]);
        size_t at;
        if (s->hn < s->batch_rows) {
            at = s->hn++;
        } else if (key_cmp(s, 0, p, n, iv, uv) > 0) { /* smaller than the largest kept */
            at = 0;
        } else {
            continue;
        }
        if (s->idt.id == OG_TYPE_UTF8) {
            og_buf_clear(&s->hs[at]);
            og_status rc = og_buf_append(&s->hs[at], p ? p : "", n);
            if (rc) return rc;
        } else if (s->uns) {
            s->hu[at] = uv;
        } else {
            s->hi[at] = iv;
        }
        if (at) sift_up(s, at);
        else sift_down(s, 0);
    }
    return OG_OK;
}

og_status og_ordered_scanner_open(og_table *t, const og_scan_opts *o, size_t batch_rows, og_ordered_scanner **out)
{
    og_status rc = OG_OK;
    *out = NULL;
    const og_field *f = og_schema_find(&t->m.schema, "id");
    if (!f) return og_error_set(OG_E_INVALID, "table %s has no `id` column to order by", t->root);
    if (f->type.id != OG_TYPE_UTF8 && !og_type_is_int(f->type.id))
        return og_error_set(OG_E_UNSUPPORTED, "ordered scans need a utf8 or integer `id`");
    og_ordered_scanner *s = calloc(1, sizeof *s);
    if (!s) return og_error_set(OG_E_NOMEM, "out of memory");
    s->t = t;
    s->o = o;
    s->batch_rows = batch_rows ? batch_rows : 8192;
    s->idt = f->type;
    s->uns = is_uns(f->type.id);
    if (s->idt.id == OG_TYPE_UTF8) s->hs = calloc(s->batch_rows, sizeof *s->hs);
    else if (s->uns) s->hu = calloc(s->batch_rows, sizeof *s->hu);
    else s->hi = calloc(s->batch_rows, sizeof *s->hi);
    if (!s->hs && !s->hu && !s->hi) rc = og_error_set(OG_E_NOMEM, "out of memory");
    if (rc) og_ordered_scanner_close(s);
    else *out = s;
    return rc;
}

void og_ordered_scanner_close(og_ordered_scanner *s)
{
    if (!s) return;
    for (size_t i = 0; s->hs && i < s->batch_rows; i++) og_buf_free(&s->hs[i]);
    free(s->hs);
    free(s->hi);
    free(s->hu);
    og_buf_free(&s->last);
    free(s);
}

static og_value key_val(const og_ordered_scanner *s, const char *p, size_t n, int64_t iv, uint64_t uv)
{
    if (s->idt.id == OG_TYPE_UTF8) return og_val_strn(p ? p : "", n);
    return s->uns ? og_val_u64(uv) : og_val_i64(iv);
}

typedef struct sort_ctx { const og_column *id; bool utf8, uns; } sort_ctx;
static _Thread_local sort_ctx g_sort; /* qsort has no context argument; per thread */

static int row_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    if (g_sort.utf8) {
        size_t nx, ny;
        const char *px = og_column_get_bytes(g_sort.id, x, &nx), *py = og_column_get_bytes(g_sort.id, y, &ny);
        size_t m = nx < ny ? nx : ny;
        int c = m ? memcmp(px, py, m) : 0;
        return c ? c : (nx > ny) - (nx < ny);
    }
    if (g_sort.uns) {
        uint64_t u = og_column_get_u64(g_sort.id, x), v = og_column_get_u64(g_sort.id, y);
        return (u > v) - (u < v);
    }
    int64_t u = og_column_get_i64(g_sort.id, x), v = og_column_get_i64(g_sort.id, y);
    return (u > v) - (u < v);
}

og_status og_ordered_scanner_next(og_ordered_scanner *s, og_batch *out, bool *done)
{
    og_status rc = OG_OK;
    const og_scan_opts *o = s->o;
    size_t np = o ? o->npreds : 0;
    og_pred *preds = calloc(np + 2, sizeof *preds);
    const char **cols = NULL;
    size_t *perm = NULL;
    og_batch tmp = OG_BATCH_INIT;
    *done = false;
    if (!preds) return og_error_set(OG_E_NOMEM, "out of memory");
    if (np) memcpy(preds, o->preds, np * sizeof *preds);
    /* requested columns plus id (to sort by) */
    size_t nreq = o && o->columns ? o->ncolumns : s->t->m.schema.nfields;
    cols = calloc(nreq + 2, sizeof *cols);
    if (!cols) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    cols[0] = "id";
    for (size_t i = 0; i < nreq; i++) cols[i + 1] = o && o->columns ? o->columns[i] : s->t->m.schema.fields[i].name;
    size_t npp = np;
    if (s->started) {
        preds[npp].column = "id";
        preds[npp].op = OG_CMP_GT;
        preds[npp++].value = key_val(s, s->last.data, s->last.len, s->last_i, s->last_u);
    } else {
        preds[npp].column = "id";
        preds[npp++].op = OG_CMP_NOT_NULL;
    }
    /* pass 1: the batch's largest id */
    s->hn = 0;
    if (!s->done) rc = tbl_visit_all(s->t, preds, npp, cols, 1, heap_visit, s);
    if (rc) goto done;
    if (s->done || s->hn == 0) { /* an empty batch with the columns */
        s->done = true;
        og_scan_opts eo = {cols + 1, nreq, preds, npp, 1};
        og_pred never = {"id", OG_CMP_IN, {0}, NULL, 0};
        eo.preds = &never;
        eo.npreds = 1;
        rc = og_table_scan(s->t, &eo, out);
        *done = true;
        goto done;
    }
    /* pass 2: rows with last < id <= max */
    preds[npp].column = "id";
    preds[npp].op = OG_CMP_LE;
    preds[npp++].value = key_val(s, s->hs ? s->hs[0].data : NULL, s->hs ? s->hs[0].len : 0, s->hi ? s->hi[0] : 0,
                                 s->hu ? s->hu[0] : 0);
    og_scan_opts so = {cols, nreq + 1, preds, npp, 0};
    if ((rc = og_table_scan(s->t, &so, &tmp))) goto done;
    perm = malloc((tmp.nrows + 1) * sizeof *perm);
    if (!perm) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < tmp.nrows; i++) perm[i] = i;
    g_sort.id = tmp.cols[0];
    g_sort.utf8 = s->idt.id == OG_TYPE_UTF8;
    g_sort.uns = s->uns;
    qsort(perm, tmp.nrows, sizeof *perm, row_cmp);
    for (size_t c = 0; c < nreq && !rc; c++) {
        og_column *dst;
        if ((rc = og_batch_add(out, cols[c + 1], tmp.cols[c + 1]->type, &dst))) break;
        for (size_t i = 0; i < tmp.nrows && !rc; i++) rc = og_column_append_row(dst, tmp.cols[c + 1], perm[i]);
    }
    if (!rc) rc = og_batch_seal(out);
    if (rc || !tmp.nrows) goto done;
    /* remember the last id emitted */
    size_t lastrow = perm[tmp.nrows - 1];
    if (s->idt.id == OG_TYPE_UTF8) {
        size_t n;
        const char *p = og_column_get_bytes(tmp.cols[0], lastrow, &n);
        og_buf_clear(&s->last);
        rc = og_buf_append(&s->last, p ? p : "", n);
    } else if (s->uns) {
        s->last_u = og_column_get_u64(tmp.cols[0], lastrow);
    } else {
        s->last_i = og_column_get_i64(tmp.cols[0], lastrow);
    }
    s->started = true;
    if (s->hn < s->batch_rows) s->done = true; /* that was everything */
done:
    free(preds);
    free(cols);
    free(perm);
    og_batch_free(&tmp);
    return rc;
}
