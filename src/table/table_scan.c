/* table_scan.c — reading rows: projection, pushed-down predicates, take.
 * (1) A scan visits fragments page by page. A page is skipped without any
 *     I/O when a predicate cannot hold for its min/max statistics or null
 *     count; otherwise only the predicate columns' pages are fetched first,
 *     and the projected columns' pages only when some live row matches.
 * (2) Deleted rows (deletion vectors) are never returned.
 * (3) Virtual columns _rowid / _row_created_at_version /
 *     _row_last_updated_at_version come from the fragment's metadata or,
 *     for rewritten rows, from hidden columns of the file. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fragment.h"

#define STOP (-1) /* a visitor asks to stop early; not an error */

og_value og_val_i64(int64_t v) { og_value x; memset(&x, 0, sizeof x); x.kind = OG_VAL_INT; x.i = v; return x; }
og_value og_val_u64(uint64_t v) { og_value x; memset(&x, 0, sizeof x); x.kind = OG_VAL_UINT; x.u = v; return x; }
og_value og_val_f64(double v) { og_value x; memset(&x, 0, sizeof x); x.kind = OG_VAL_FLOAT; x.f = v; return x; }
og_value og_val_bool(bool v) { og_value x; memset(&x, 0, sizeof x); x.kind = OG_VAL_BOOL; x.b = v; return x; }
og_value og_val_str(const char *s)
{
    og_value x;
    memset(&x, 0, sizeof x);
    x.kind = OG_VAL_BYTES;
    x.s = s;
    x.n = strlen(s);
    return x;
}

/* ---------- comparisons ---------- */

typedef struct num { int k; int64_t i; uint64_t u; double f; } num; /* k: 1 int 2 uint 3 float */

static int num_cmp(num a, num b)
{
    if (a.k == 3 || b.k == 3) {
        double x = a.k == 3 ? a.f : a.k == 2 ? (double)a.u : (double)a.i;
        double y = b.k == 3 ? b.f : b.k == 2 ? (double)b.u : (double)b.i;
        return x < y ? -1 : x > y;
    }
    if (a.k == 1 && b.k == 1) return a.i < b.i ? -1 : a.i > b.i;
    if (a.k == 1 && a.i < 0) return -1;
    if (b.k == 1 && b.i < 0) return 1;
    uint64_t x = a.k == 1 ? (uint64_t)a.i : a.u, y = b.k == 1 ? (uint64_t)b.i : b.u;
    return x < y ? -1 : x > y;
}

static bool val_num(const og_value *v, num *out)
{
    memset(out, 0, sizeof *out);
    switch (v->kind) {
    case OG_VAL_INT: out->k = 1; out->i = v->i; return true;
    case OG_VAL_UINT: out->k = 2; out->u = v->u; return true;
    case OG_VAL_FLOAT: out->k = 3; out->f = v->f; return !isnan(v->f);
    default: return false;
    }
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

/* Compares row r of c with v: sets *ok false when incomparable. */
static int cell_cmp(const og_column *c, size_t r, const og_value *v, bool *ok)
{
    *ok = true;
    og_type_id id = c->type.id;
    if (id == OG_TYPE_UTF8 || id == OG_TYPE_BINARY) {
        if (v->kind != OG_VAL_BYTES) { *ok = false; return 0; }
        size_t n;
        const char *p = og_column_get_bytes(c, r, &n);
        return bytes_cmp(p, n, v->s, v->n);
    }
    if (id == OG_TYPE_BOOL) {
        if (v->kind != OG_VAL_BOOL) { *ok = false; return 0; }
        bool b = og_column_get_bool(c, r);
        return b == v->b ? 0 : b ? 1 : -1;
    }
    num a, b;
    if (!val_num(v, &b)) { *ok = false; return 0; }
    if (og_type_is_float(id)) {
        a.k = 3;
        a.f = og_column_get_f64(c, r);
        if (isnan(a.f)) { *ok = false; return 0; }
    } else if (id == OG_TYPE_U64) {
        a.k = 2;
        a.u = og_column_get_u64(c, r);
    } else if (og_type_is_int(id)) {
        a.k = 1;
        a.i = og_column_get_i64(c, r);
    } else {
        *ok = false;
        return 0;
    }
    return num_cmp(a, b);
}

static bool cmp_holds(og_cmp op, int c)
{
    switch (op) {
    case OG_CMP_EQ: return c == 0;
    case OG_CMP_NE: return c != 0;
    case OG_CMP_LT: return c < 0;
    case OG_CMP_LE: return c <= 0;
    case OG_CMP_GT: return c > 0;
    case OG_CMP_GE: return c >= 0;
    default: return false;
    }
}

static bool pred_row(const og_pred *p, const og_column *c, size_t r)
{
    bool null = og_column_is_null(c, r), ok;
    if (p->op == OG_CMP_IS_NULL) return null;
    if (p->op == OG_CMP_NOT_NULL) return !null;
    if (null) return false;
    if (p->op == OG_CMP_IN) {
        for (size_t i = 0; i < p->nvalues; i++) {
            int k = cell_cmp(c, r, &p->values[i], &ok);
            if (ok && k == 0) return true;
        }
        return false;
    }
    int k = cell_cmp(c, r, &p->value, &ok);
    return ok && cmp_holds(p->op, k);
}

/* Compares a stats bound (min or max) with v; false when not comparable. */
static bool stat_cmp(const og_stats *s, bool max, const og_value *v, int *out)
{
    num a, b;
    memset(&a, 0, sizeof a);
    switch (s->kind) {
    case OG_STATS_BYTES:
        if (v->kind != OG_VAL_BYTES) return false;
        *out = max ? bytes_cmp(s->bmax, s->bmax_len, v->s, v->n) : bytes_cmp(s->bmin, s->bmin_len, v->s, v->n);
        return true;
    case OG_STATS_I64: a.k = 1; a.i = max ? s->imax : s->imin; break;
    case OG_STATS_U64: a.k = 2; a.u = max ? s->umax : s->umin; break;
    case OG_STATS_F64: a.k = 3; a.f = max ? s->fmax : s->fmin; break;
    default: return false;
    }
    if (!val_num(v, &b)) return false;
    *out = num_cmp(a, b);
    return true;
}

/* True when value v may lie within [min, max] for op. */
static bool stat_may(const og_stats *s, og_cmp op, const og_value *v)
{
    int lo, hi;
    if (!stat_cmp(s, false, v, &lo) || !stat_cmp(s, true, v, &hi)) return true;
    switch (op) {
    case OG_CMP_EQ: return lo <= 0 && hi >= 0;
    case OG_CMP_LT: return lo < 0;
    case OG_CMP_LE: return lo <= 0;
    case OG_CMP_GT: return hi > 0;
    case OG_CMP_GE: return hi >= 0;
    default: return true;
    }
}

/* May any row of a page with these stats satisfy p? */
static bool page_may(const og_pred *p, const og_stats *s, uint64_t nulls, uint64_t nrows)
{
    if (p->op == OG_CMP_IS_NULL) return nulls > 0;
    if (nulls == nrows) return false; /* every other predicate needs a value */
    if (p->op == OG_CMP_NOT_NULL || p->op == OG_CMP_NE) return true;
    if (s->kind == OG_STATS_NONE) return true;
    if (p->op == OG_CMP_IN) {
        for (size_t i = 0; i < p->nvalues; i++)
            if (stat_may(s, OG_CMP_EQ, &p->values[i])) return true;
        return false;
    }
    return stat_may(s, p->op, &p->value);
}

/* ---------- column slots ---------- */

enum { SLOT_FIELD = 0, SLOT_ROWID, SLOT_CREATED, SLOT_UPDATED };

typedef struct slot {
    const char *name;
    int kind;
    int fcol;        /* column index in the file, or -1 */
    og_type type;
    og_column col;
    bool loaded;
} slot;

og_status tbl_col_type(const og_table *t, const char *name, og_type *out)
{
    og_type u64 = {OG_TYPE_U64, OG_TYPE_NONE, 0};
    if (!strcmp(name, OG_COL_ROWID) || !strcmp(name, OG_COL_CREATED) || !strcmp(name, OG_COL_UPDATED)) {
        *out = u64;
        return OG_OK;
    }
    const og_field *f = og_schema_find(&t->m.schema, name);
    if (!f) return og_error_set(OG_E_INVALID, "table %s has no column `%s`", t->root, name);
    *out = f->type;
    return OG_OK;
}

static og_status slot_init(og_table *t, og_fragment_reader *r, const og_frag_meta *f, const char *name, slot *s)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    s->fcol = -1;
    og_status rc = tbl_col_type(t, name, &s->type);
    if (rc) return rc;
    if (!strcmp(name, OG_COL_ROWID)) s->kind = SLOT_ROWID;
    else if (!strcmp(name, OG_COL_CREATED)) s->kind = SLOT_CREATED;
    else if (!strcmp(name, OG_COL_UPDATED)) s->kind = SLOT_UPDATED;
    uint32_t fid = s->kind == SLOT_ROWID ? OG_FIELD_ROWID : s->kind == SLOT_CREATED ? OG_FIELD_CREATED
                   : s->kind == SLOT_UPDATED ? OG_FIELD_UPDATED : og_schema_find(&t->m.schema, name)->id;
    if (s->kind == SLOT_FIELD || f->explicit_row_ids) s->fcol = og_fragment_find(r, fid);
    if (s->fcol >= 0 && !og_type_eq(og_fragment_col(r, (uint32_t)s->fcol)->type, s->type))
        return og_error_set(OG_E_CORRUPT, "fragment %s: column `%s` has the wrong type", f->file, name);
    if ((s->kind == SLOT_ROWID || s->kind == SLOT_CREATED) && f->explicit_row_ids && s->fcol < 0)
        return og_error_set(OG_E_CORRUPT, "fragment %s lacks its row-id columns", f->file);
    return og_column_init(&s->col, s->type);
}

/* Statistics of a slot's page p, computed for virtual columns. */
static void slot_stats(const slot *s, og_fragment_reader *r, const og_frag_meta *f, uint32_t p,
                       uint64_t row_start, uint64_t n, og_stats *st, uint64_t *nulls)
{
    memset(st, 0, sizeof *st);
    *nulls = 0;
    if (s->fcol >= 0) {
        const og_frag_page *pg = &og_fragment_col(r, (uint32_t)s->fcol)->pages[p];
        *st = pg->stats;
        *nulls = pg->null_count;
        return;
    }
    st->kind = OG_STATS_U64;
    switch (s->kind) {
    case SLOT_ROWID: st->umin = f->row_id_base + row_start; st->umax = st->umin + (n ? n - 1 : 0); break;
    case SLOT_CREATED: case SLOT_UPDATED: st->umin = st->umax = f->version; break;
    default: st->kind = OG_STATS_NONE; *nulls = n; break; /* field absent from this file */
    }
}

static og_status slot_load(slot *s, og_fragment_reader *r, const og_frag_meta *f, uint32_t p,
                           uint64_t row_start, uint64_t n)
{
    og_status rc = OG_OK;
    if (s->loaded) return OG_OK;
    og_column_clear(&s->col);
    if (s->fcol >= 0) {
        rc = og_fragment_read_page(r, (uint32_t)s->fcol, p, &s->col);
    } else {
        for (uint64_t i = 0; i < n && !rc; i++) {
            if (s->kind == SLOT_ROWID) rc = og_column_push_u64(&s->col, f->row_id_base + row_start + i);
            else if (s->kind == SLOT_CREATED || s->kind == SLOT_UPDATED) rc = og_column_push_u64(&s->col, f->version);
            else rc = og_column_push_null(&s->col);
        }
    }
    if (!rc && s->col.len != n) rc = og_error_set(OG_E_CORRUPT, "fragment %s: page %u has a wrong row count", f->file, p);
    s->loaded = !rc;
    return rc;
}

static int find_slot(slot *slots, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(slots[i].name, name)) return (int)i;
    return -1;
}

og_status tbl_visit(og_table *t, const og_frag_meta *f, const og_pred *preds, size_t npreds,
                    const char *const *cols, size_t ncols, tbl_visit_fn fn, void *ud)
{
    og_status rc = OG_OK;
    og_fragment_reader *r = NULL;
    roaring_bitmap_t *dv = NULL;
    og_buf key = OG_BUF_INIT;
    slot *slots = calloc(npreds + ncols + 1, sizeof *slots);
    int *pslot = calloc(npreds + 1, sizeof *pslot), *cslot = calloc(ncols + 1, sizeof *cslot);
    og_column **outc = calloc(ncols + 1, sizeof *outc);
    uint32_t *sel = NULL;
    size_t nslots = 0;
    if (!slots || !pslot || !cslot || !outc) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if ((rc = tbl_key(t->root, f->file, &key)) || (rc = og_fragment_open(t->store, key.data, f->size, &r))) goto done;
    if (og_fragment_nrows(r) != f->rows) {
        rc = og_error_set(OG_E_CORRUPT, "fragment %s holds %llu rows, its manifest says %llu", f->file,
                          (unsigned long long)og_fragment_nrows(r), (unsigned long long)f->rows);
        goto done;
    }
    if ((rc = tbl_load_dv(t, f, &dv))) goto done;
    for (size_t i = 0; i < npreds + ncols; i++) {
        const char *nm = i < npreds ? preds[i].column : cols[i - npreds];
        int k = find_slot(slots, nslots, nm);
        if (k < 0) {
            if ((rc = slot_init(t, r, f, nm, &slots[nslots]))) { nslots++; goto done; }
            k = (int)nslots++;
        }
        if (i < npreds) pslot[i] = k;
        else cslot[i - npreds] = k;
    }
    for (size_t i = 0; i < ncols; i++) outc[i] = &slots[cslot[i]].col;
    uint32_t npages = og_fragment_ncols(r) ? og_fragment_npages(r) : 0;
    if (npages && !(sel = malloc(og_fragment_col(r, 0)->pages[0].nrows * sizeof *sel))) {
        rc = og_error_set(OG_E_NOMEM, "out of memory");
        goto done;
    }
    for (uint32_t p = 0; p < npages; p++) {
        const og_frag_page *pg0 = &og_fragment_col(r, 0)->pages[p];
        uint64_t row_start = pg0->row_start, n = pg0->nrows;
        bool may = roaring_bitmap_range_cardinality(dv, row_start, row_start + n) < n;
        for (size_t i = 0; may && i < npreds; i++) {
            og_stats st;
            uint64_t nulls;
            slot_stats(&slots[pslot[i]], r, f, p, row_start, n, &st, &nulls);
            may = page_may(&preds[i], &st, nulls, n);
        }
        if (!may) continue;
        for (size_t i = 0; i < nslots; i++) slots[i].loaded = false;
        for (size_t i = 0; i < npreds && !rc; i++) rc = slot_load(&slots[pslot[i]], r, f, p, row_start, n);
        if (rc) goto done;
        size_t nsel = 0;
        for (uint64_t k = 0; k < n; k++) {
            if (roaring_bitmap_contains(dv, (uint32_t)(row_start + k))) continue;
            bool ok = true;
            for (size_t i = 0; ok && i < npreds; i++) ok = pred_row(&preds[i], &slots[pslot[i]].col, (size_t)k);
            if (ok) sel[nsel++] = (uint32_t)k;
        }
        if (!nsel) continue;
        for (size_t i = 0; i < ncols && !rc; i++) rc = slot_load(&slots[cslot[i]], r, f, p, row_start, n);
        if (rc || (rc = fn(ud, f, row_start, outc, sel, nsel))) goto done;
    }
done:
    for (size_t i = 0; i < nslots; i++) og_column_free(&slots[i].col);
    free(slots);
    free(pslot);
    free(cslot);
    free(outc);
    free(sel);
    if (dv) roaring_bitmap_free(dv);
    og_fragment_close(r);
    og_buf_free(&key);
    return rc;
}

/* ---------- scan ---------- */

typedef struct scan_ctx {
    og_batch *out;
    uint64_t limit;
    uint64_t rows;
} scan_ctx;

static og_status scan_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                            og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    scan_ctx *sc = ud;
    (void)f; (void)row_start;
    for (size_t i = 0; i < nsel; i++) {
        if (sc->limit && sc->rows >= sc->limit) return STOP;
        for (size_t c = 0; c < sc->out->ncols; c++) {
            og_status rc = og_column_append_row(sc->out->cols[c], cols[c], sel[i]);
            if (rc) return rc;
        }
        sc->rows++;
    }
    return sc->limit && sc->rows >= sc->limit ? STOP : OG_OK;
}

static og_status validate_preds(og_table *t, const og_pred *preds, size_t npreds)
{
    for (size_t i = 0; i < npreds; i++) {
        og_type ty;
        og_status rc = tbl_col_type(t, preds[i].column, &ty);
        if (rc) return rc;
        if (preds[i].op > OG_CMP_IN) return og_error_set(OG_E_INVALID, "unknown comparison %d", (int)preds[i].op);
        if (preds[i].op == OG_CMP_IN && preds[i].nvalues && !preds[i].values)
            return og_error_set(OG_E_INVALID, "IN predicate without values");
    }
    return OG_OK;
}

og_status og_table_scan(og_table *t, const og_scan_opts *o, og_batch *out)
{
    og_status rc = OG_OK;
    const char **names = NULL;
    size_t n = o && o->columns ? o->ncolumns : t->m.schema.nfields;
    const og_index_meta *ix = NULL;
    uint64_t *cand = NULL;
    size_t ncand = 0;
    og_pred *xp = NULL;
    og_value *cv = NULL;
    og_scan_opts none;
    memset(&none, 0, sizeof none);
    if (!o) o = &none;
    names = calloc(n + 1, sizeof *names);
    if (!names) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) names[i] = o->columns ? o->columns[i] : t->m.schema.fields[i].name;
    if ((rc = validate_preds(t, o->preds, o->npreds))) goto done;
    for (size_t i = 0; i < n && !rc; i++) {
        og_type ty;
        if (!(rc = tbl_col_type(t, names[i], &ty))) rc = og_batch_add(out, names[i], ty, NULL);
    }
    if (rc || (rc = tbl_index_plan(t, o->preds, o->npreds, &ix, &cand, &ncand))) goto done;
    if (ix) {
        /* covered fragments get one more predicate: _rowid IN candidates */
        xp = calloc(o->npreds + 1, sizeof *xp);
        cv = calloc(ncand + 1, sizeof *cv);
        if (!xp || !cv) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        if (o->npreds) memcpy(xp, o->preds, o->npreds * sizeof *xp);
        for (size_t i = 0; i < ncand; i++) cv[i] = og_val_u64(cand[i]);
        xp[o->npreds].column = OG_COL_ROWID;
        xp[o->npreds].op = OG_CMP_IN;
        xp[o->npreds].values = cv;
        xp[o->npreds].nvalues = ncand;
    }
    scan_ctx sc = {out, o->limit, 0};
    for (size_t i = 0; i < t->m.nfrags && !rc; i++) {
        const og_frag_meta *f = &t->m.frags[i];
        bool covered = false;
        for (size_t k = 0; ix && k < ix->nfrags && !covered; k++) covered = ix->frags[k] == f->id;
        if (!covered) {
            rc = tbl_visit(t, f, o->preds, o->npreds, names, n, scan_visit, &sc);
            continue;
        }
        if (!f->explicit_row_ids) { /* skip without I/O when no candidate falls in its id range */
            size_t lo = 0, hi = ncand;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cand[mid] < f->row_id_base) lo = mid + 1;
                else hi = mid;
            }
            if (lo == ncand || cand[lo] >= f->row_id_base + f->rows) continue;
        } else if (!ncand) {
            continue;
        }
        rc = tbl_visit(t, f, xp, o->npreds + 1, names, n, scan_visit, &sc);
    }
    if (rc == STOP) rc = OG_OK;
    if (!rc) rc = og_batch_seal(out);
done:
    free(names);
    free(cand);
    free(xp);
    free(cv);
    return rc;
}

typedef struct id_pos { uint64_t id; size_t pos; } id_pos;

static int cmp_idpos(const void *a, const void *b)
{
    uint64_t x = ((const id_pos *)a)->id, y = ((const id_pos *)b)->id;
    return x < y ? -1 : x > y;
}

og_status og_table_take(og_table *t, const uint64_t *row_ids, size_t n,
                        const char *const *columns, size_t ncolumns, og_batch *out)
{
    og_status rc = OG_OK;
    og_value *vals = calloc(n + 1, sizeof *vals);
    const char **names = calloc(ncolumns + 2, sizeof *names);
    id_pos *found = NULL;
    og_batch tmp = OG_BATCH_INIT;
    if (!vals || !names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < n; i++) vals[i] = og_val_u64(row_ids[i]);
    if (!columns) ncolumns = t->m.schema.nfields;
    for (size_t i = 0; i < ncolumns; i++) names[i] = columns ? columns[i] : t->m.schema.fields[i].name;
    names[ncolumns] = OG_COL_ROWID;
    og_pred p;
    memset(&p, 0, sizeof p);
    p.column = OG_COL_ROWID;
    p.op = OG_CMP_IN;
    p.values = vals;
    p.nvalues = n;
    og_scan_opts so;
    memset(&so, 0, sizeof so);
    so.columns = names;
    so.ncolumns = ncolumns + 1;
    so.preds = &p;
    so.npreds = 1;
    if ((rc = og_table_scan(t, &so, &tmp))) goto done;
    og_column *rid = tmp.cols[ncolumns];
    found = calloc(tmp.nrows + 1, sizeof *found);
    if (!found) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < tmp.nrows; i++) { found[i].id = og_column_get_u64(rid, i); found[i].pos = i; }
    qsort(found, tmp.nrows, sizeof *found, cmp_idpos);
    for (size_t c = 0; c < ncolumns && !rc; c++) rc = og_batch_add(out, names[c], tmp.cols[c]->type, NULL);
    for (size_t i = 0; i < n && !rc; i++) {
        id_pos key = {row_ids[i], 0};
        id_pos *hit = bsearch(&key, found, tmp.nrows, sizeof *found, cmp_idpos);
        if (!hit) {
            rc = og_error_set(OG_E_NOTFOUND, "row id %llu is not a live row of version %llu",
                              (unsigned long long)row_ids[i], (unsigned long long)t->m.version);
            break;
        }
        for (size_t c = 0; c < ncolumns && !rc; c++) rc = og_column_append_row(out->cols[c], tmp.cols[c], hit->pos);
    }
    if (!rc) rc = og_batch_seal(out);
done:
    og_batch_free(&tmp);
    free(found);
    free(vals);
    free(names);
    return rc;
}
