/* table_maint.c — compaction as a staged transaction.
 * (1) Compaction only rewrites rows: every live row keeps its row id,
 *     created-at and updated-at versions (hidden columns of the new
 *     fragments), so indexes and change detection survive it.
 * (2) It is two-phase like every write: the new fragments are staged, the
 *     old ones are removed only by the commit (op "rewrite"), which
 *     conflicts with any concurrent change to a compacted fragment. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_TARGET (1u << 20)

typedef struct cmp_ctx {
    og_batch *rows;
    og_column *rid, *cre, *upd;
    size_t nfields;
} cmp_ctx;

static og_status cmp_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                           og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    cmp_ctx *c = ud;
    og_status rc = OG_OK;
    (void)f; (void)row_start;
    for (size_t i = 0; i < nsel && !rc; i++) {
        for (size_t k = 0; k < c->nfields && !rc; k++) rc = og_column_append_row(c->rows->cols[k], cols[k], sel[i]);
        if (!rc) rc = og_column_append_row(c->rid, cols[c->nfields], sel[i]);
        if (!rc) rc = og_column_append_row(c->cre, cols[c->nfields + 1], sel[i]);
        if (!rc) rc = og_column_append_row(c->upd, cols[c->nfields + 2], sel[i]);
    }
    return rc;
}

/* Rows [a, b) of src into dst (same layout). */
static og_status slice(const og_batch *src, size_t a, size_t b, og_batch *dst)
{
    og_status rc = OG_OK;
    for (size_t c = 0; c < src->ncols && !rc; c++) {
        og_column *d;
        if ((rc = og_batch_add(dst, src->names[c], src->cols[c]->type, &d))) break;
        for (size_t r = a; r < b && !rc; r++) rc = og_column_append_row(d, src->cols[c], r);
    }
    if (!rc) rc = og_batch_seal(dst);
    return rc;
}

og_status og_table_stage_compact(og_table *t, const og_compact_opts *o, og_txn **out)
{
    og_status rc = OG_OK;
    og_txn *x = NULL;
    og_batch rows = OG_BATCH_INIT, hidden = OG_BATCH_INIT;
    const char **names = NULL;
    uint64_t target = o && o->target_rows ? o->target_rows : DEFAULT_TARGET;
    size_t ncand = 0, nf = t->m.schema.nfields;
    bool any_deleted = false;
    og_type u64 = {OG_TYPE_U64, OG_TYPE_NONE, 0};
    cmp_ctx c;
    *out = NULL;
    for (size_t i = 0; i < t->m.nfrags; i++) {
        const og_frag_meta *f = &t->m.frags[i];
        if (f->rows < target || f->deleted) { ncand++; any_deleted |= f->deleted > 0; }
    }
    if (ncand < 2 && !any_deleted) return OG_OK;
    if ((rc = tbl_txn_new_at(t, OG_TXN_REWRITE, &x))) return rc;
    names = calloc(nf + 3, sizeof *names);
    if (!names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < nf; i++) {
        names[i] = t->m.schema.fields[i].name;
        if ((rc = og_batch_add(&rows, names[i], t->m.schema.fields[i].type, NULL))) goto done;
    }
    names[nf] = OG_COL_ROWID;
    names[nf + 1] = OG_COL_CREATED;
    names[nf + 2] = OG_COL_UPDATED;
    if ((rc = og_batch_add(&hidden, OG_COL_ROWID, u64, &c.rid)) || (rc = og_batch_add(&hidden, OG_COL_CREATED, u64, &c.cre)) ||
        (rc = og_batch_add(&hidden, OG_COL_UPDATED, u64, &c.upd)))
        goto done;
    c.rows = &rows;
    c.nfields = nf;
    for (size_t i = 0; i < t->m.nfrags; i++) {
        const og_frag_meta *f = &t->m.frags[i];
        if (!(f->rows < target || f->deleted)) continue;
        if ((rc = tbl_visit(t, f, NULL, 0, names, nf + 3, cmp_visit, &c))) goto done;
        uint64_t *v = realloc(x->removed, (x->nremoved + 1) * sizeof *v);
        if (!v) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        x->removed = v;
        v[x->nremoved++] = f->id;
        if ((rc = tbl_txn_touch(x, f->id))) goto done;
    }
    if ((rc = og_batch_seal(&rows)) || (rc = og_batch_seal(&hidden))) goto done;
    for (size_t a = 0; a < rows.nrows; a += (size_t)target) {
        size_t b = a + (size_t)target < rows.nrows ? a + (size_t)target : rows.nrows;
        og_batch part = OG_BATCH_INIT, hpart = OG_BATCH_INIT;
        og_frag_meta f;
        memset(&f, 0, sizeof f);
        rc = slice(&rows, a, b, &part);
        if (!rc) rc = slice(&hidden, a, b, &hpart);
        if (!rc) rc = tbl_write_fragment(t->store, t->root, t->prefix, &t->m.schema, &part, hpart.cols[0],
                                         hpart.cols[1], hpart.cols[2], t->page_rows, t->cache, 0, &f);
        if (!rc && f.file) rc = tbl_txn_add_frag(x, &f);
        og_frag_meta_free(&f);
        og_batch_free(&part);
        og_batch_free(&hpart);
        if (rc) goto done;
    }
    *out = x;
    x = NULL;
done:
    og_txn_free(x);
    og_batch_free(&rows);
    og_batch_free(&hidden);
    free(names);
    return rc;
}
