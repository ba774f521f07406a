/* table_scan.c — reading rows: projection, pushed-down predicates, take.
 * (1) A scan visits fragments page by page. A page is skipped without any
 *     I/O when a predicate cannot hold for its min/max statistics or null
 *     count; otherwise only the predicate columns' pages are fetched first,
 *     and the projected columns' pages only when some live row matches.
 * (2) Deleted rows (deletion vectors) are never returned.
 * (3) Virtual columns _rowid / _row_created_at_version /
 *     _row_last_updated_at_version come from the fragment's metadata or,
 *     for rewritten rows, from hidden columns of the file.
 * (4) Point mode: when a key index yields candidate row ids for a fragment
 *     with implicit row ids, the candidates' offsets are known, so only
 *     their pages are visited and only their rows are tested; the other
 *     predicates and the deletion vector are still evaluated. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "fragment.h"



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
    case OG_VALUE_I64: case OG_VALUE_DATE: case OG_VALUE_DATETIME: out->k = 1; out->i = v->as.i; return true;
    case OG_VALUE_U64: out->k = 2; out->u = v->as.u; return true;
    case OG_VALUE_F64: out->k = 3; out->f = v->as.f; return !isnan(v->as.f);
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
        if ((v->kind != OG_VALUE_STRING && v->kind != OG_VALUE_BLOB)) { *ok = false; return 0; }
        size_t n;
        const char *p = og_column_get_bytes(c, r, &n);
        return bytes_cmp(p, n, v->as.s.ptr, v->as.s.len);
    }
    if (id == OG_TYPE_BOOL) {
        if (v->kind != OG_VALUE_BOOL) { *ok = false; return 0; }
        bool b = og_column_get_bool(c, r);
        return b == v->as.b ? 0 : b ? 1 : -1;
    }
    num a = {0}, b = {0};
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

/* IN over unsigned integers (row ids, take) as a sorted set, so a test is
 * a binary search instead of a walk over every value. */
typedef struct u64set { uint64_t *v; size_t *idx; size_t n; bool bytes; } u64set;

typedef struct hv { uint64_t h; size_t i; } hv;

static int cmp_hv(const void *a, const void *b)
{
    const hv *x = a, *y = b;
    return x->h < y->h ? -1 : x->h > y->h;
}

static bool u64set_make(const og_pred *p, og_type_id col, u64set *out)
{
    out->v = NULL;
    out->n = 0;
    out->bytes = false;
    if (p->op != OG_CMP_IN || p->nvalues < 8) return true;
    bool b = col == OG_TYPE_UTF8 || col == OG_TYPE_BINARY;
    if (col != OG_TYPE_U64 && !b) return true;
    for (size_t i = 0; i < p->nvalues; i++) {
        og_value_kind k = p->values[i].kind;
        if (b ? (k != OG_VALUE_STRING && k != OG_VALUE_BLOB) : k != OG_VALUE_U64) return true;
    }
    hv *tmp = malloc(p->nvalues * sizeof *tmp);
    out->v = malloc(p->nvalues * sizeof *out->v);
    out->idx = malloc(p->nvalues * sizeof *out->idx);
    if (!tmp || !out->v || !out->idx) {
        free(tmp); free(out->v); free(out->idx);
        out->v = NULL;
        out->idx = NULL;
        return false;
    }
    for (size_t i = 0; i < p->nvalues; i++) {
        tmp[i].h = b ? XXH64(p->values[i].as.s.ptr, p->values[i].as.s.len, 7) : p->values[i].as.u;
        tmp[i].i = i;
    }
    qsort(tmp, p->nvalues, sizeof *tmp, cmp_hv);
    for (size_t i = 0; i < p->nvalues; i++) { out->v[i] = tmp[i].h; out->idx[i] = tmp[i].i; }
    free(tmp);
    out->n = p->nvalues;
    out->bytes = b;
    return true;
}

/* Index of the first element >= x. */
static size_t u64set_lower(const u64set *s, uint64_t x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
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
    num a = {0}, b = {0};
    memset(&a, 0, sizeof a);
    switch (s->kind) {
    case OG_STATS_BYTES:
        if ((v->kind != OG_VALUE_STRING && v->kind != OG_VALUE_BLOB)) return false;
        *out = max ? bytes_cmp(s->bmax, s->bmax_len, v->as.s.ptr, v->as.s.len) : bytes_cmp(s->bmin, s->bmin_len, v->as.s.ptr, v->as.s.len);
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
    og_column col;   /* own, or a shallow copy of a reader-kept page */
    bool borrowed;   /* col is a kept page: never clear or free it */
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
    if (s->borrowed) {
        memset(&s->col, 0, sizeof s->col);
        s->borrowed = false;
        if ((rc = og_column_init(&s->col, s->type))) return rc;
    }
    og_column_clear(&s->col);
    if (s->fcol >= 0) {
        const og_column *kept = og_fragment_page_memo(r, (uint32_t)s->fcol, p);
        /* on success keep() moves s->col out (leaving it zeroed); over
         * budget it returns NULL and s->col stays ours */
        if (!kept && !(rc = og_fragment_read_page(r, (uint32_t)s->fcol, p, &s->col)))
            kept = og_fragment_page_keep(r, (uint32_t)s->fcol, p, &s->col);
        if (kept) {
            og_column_free(&s->col);
            s->col = *kept;
            s->borrowed = true;
        }
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

/* A cursor over one fragment: yields, page by page, the matching live rows. */
typedef struct cursor {
    og_table *t;
    const og_frag_meta *f;
    const og_pred *preds;
    size_t npreds, ncols, nslots;
    og_fragment_reader *r;
    roaring_bitmap_t *dv;
    slot *slots;
    int *pslot, *cslot;
    og_column **outc;
    uint32_t *sel;
    u64set *sets;        /* per predicate; v NULL when not a u64 IN set */
    uint32_t npages, page;
    og_buf rkey;         /* store key of r, for returning it to the cache */
    bool rgood;          /* r passed the manifest checks: cacheable */
    /* (4) point mode: preds[0] is `_rowid IN cand` on a fragment with
     * implicit row ids, so the candidate offsets are known up front and
     * only their rows are tested (preds[0] holds by construction). */
    const uint64_t *cand;
    size_t ncand, ci;    /* candidates [ci, ncand) of this fragment remain */
} cursor;

static void cursor_close(cursor *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nslots; i++)
        if (!c->slots[i].borrowed) og_column_free(&c->slots[i].col);
    free(c->slots);
    free(c->pslot);
    free(c->cslot);
    free(c->outc);
    free(c->sel);
    for (size_t i = 0; c->sets && i < c->npreds; i++) { free(c->sets[i].v); free(c->sets[i].idx); }
    free(c->sets);
    if (c->dv) roaring_bitmap_free(c->dv);
    if (c->rgood) tbl_cache_put_reader(c->t->cache, c->rkey.data, c->r);
    else og_fragment_close(c->r);
    og_buf_free(&c->rkey);
    free(c);
}

static og_status cursor_open(og_table *t, const og_frag_meta *f, const og_pred *preds, size_t npreds,
                             const char *const *cols, size_t ncols, cursor **out)
{
    og_status rc = OG_OK;
    cursor *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory");
    c->t = t;
    c->f = f;
    c->preds = preds;
    c->npreds = npreds;
    c->ncols = ncols;
    c->slots = calloc(npreds + ncols + 1, sizeof *c->slots);
    c->pslot = calloc(npreds + 1, sizeof *c->pslot);
    c->cslot = calloc(ncols + 1, sizeof *c->cslot);
    c->outc = calloc(ncols + 1, sizeof *c->outc);
    c->sets = calloc(npreds + 1, sizeof *c->sets);
    if (!c->slots || !c->pslot || !c->cslot || !c->outc || !c->sets) {
        rc = og_error_set(OG_E_NOMEM, "out of memory");
        goto done;
    }
    /* the cache key is the fragment's name, which survives a spill of an
     * inline fragment into a pack (format §4.1) */
    if ((rc = tbl_key(t->root, f->file, &c->rkey))) goto done;
    if (!(c->r = tbl_cache_take_reader(t->cache, c->rkey.data))) {
        if (f->inline_data.len) {
            rc = og_fragment_open_copy(f->inline_data.data, f->inline_data.len, &c->r);
            if (rc) og_error_context(rc, "inline fragment %s", f->file);
        } else if (f->pack) {
            og_buf pk = OG_BUF_INIT;
            if (!(rc = tbl_key(t->root, f->pack, &pk))) rc = og_fragment_open_at(t->store, pk.data, f->offset, f->size, &c->r);
            og_buf_free(&pk);
        } else {
            rc = og_fragment_open(t->store, c->rkey.data, f->size, &c->r);
        }
        if (rc) goto done;
    }
    if (og_fragment_nrows(c->r) != f->rows) {
        rc = og_error_set(OG_E_CORRUPT, "fragment %s holds %llu rows, its manifest says %llu", f->file,
                          (unsigned long long)og_fragment_nrows(c->r), (unsigned long long)f->rows);
        goto done;
    }
    c->rgood = true;
    if ((rc = tbl_load_dv(t, f, &c->dv))) goto done;
    for (size_t i = 0; i < npreds + ncols; i++) {
        const char *nm = i < npreds ? preds[i].column : cols[i - npreds];
        int k = find_slot(c->slots, c->nslots, nm);
        if (k < 0) {
            if ((rc = slot_init(t, c->r, f, nm, &c->slots[c->nslots]))) { c->nslots++; goto done; }
            k = (int)c->nslots++;
        }
        if (i < npreds) c->pslot[i] = k;
        else c->cslot[i - npreds] = k;
    }
    for (size_t i = 0; i < ncols; i++) c->outc[i] = &c->slots[c->cslot[i]].col;
    for (size_t i = 0; i < npreds; i++)
        if (!u64set_make(&preds[i], c->slots[c->pslot[i]].type.id, &c->sets[i])) {
            rc = og_error_set(OG_E_NOMEM, "out of memory");
            goto done;
        }
    c->npages = og_fragment_ncols(c->r) ? og_fragment_npages(c->r) : 0;
    if (c->npages && !(c->sel = malloc(og_fragment_col(c->r, 0)->pages[0].nrows * sizeof *c->sel)))
        rc = og_error_set(OG_E_NOMEM, "out of memory");
done:
    if (rc) cursor_close(c);
    else *out = c;
    return rc;
}

/* Is row k of the current page (loaded predicate slots) live and matching
 * predicates [first, npreds)? */
static bool row_ok(const cursor *c, uint64_t row_start, uint64_t k, size_t first)
{
    if (roaring_bitmap_contains(c->dv, (uint32_t)(row_start + k))) return false;
    bool ok = true;
    for (size_t i = first; ok && i < c->npreds; i++) {
        const og_column *col = &c->slots[c->pslot[i]].col;
        if (c->sets[i].v && c->sets[i].bytes) {
            /* hash says "maybe": confirm against the values */
            size_t bn;
            const char *bp = og_column_get_bytes(col, (size_t)k, &bn);
            uint64_t x = XXH64(bp, bn, 7);
            size_t j = u64set_lower(&c->sets[i], x);
            ok = false;
            for (; !og_column_is_null(col, (size_t)k) && !ok && j < c->sets[i].n && c->sets[i].v[j] == x; j++) {
                const og_value *v = &c->preds[i].values[c->sets[i].idx[j]];
                ok = v->as.s.len == bn && (bn == 0 || !memcmp(v->as.s.ptr, bp, bn));
            }
        } else if (c->sets[i].v) {
            uint64_t x = og_column_get_u64(col, (size_t)k);
            size_t j = u64set_lower(&c->sets[i], x);
            ok = !og_column_is_null(col, (size_t)k) && j < c->sets[i].n && c->sets[i].v[j] == x;
        } else {
            ok = pred_row(&c->preds[i], col, (size_t)k);
        }
    }
    return ok;
}

/* (4) Point mode: visits only the pages holding candidate offsets and
 * tests only those rows; the row-id term (preds[0]) is never loaded. */
static og_status cursor_next_point(cursor *c, uint64_t *row_start_out, size_t *nsel_out)
{
    og_status rc = OG_OK;
    const og_frag_col *c0 = og_fragment_col(c->r, 0);
    *nsel_out = 0;
    while (c->ci < c->ncand) {
        uint64_t off = c->cand[c->ci] - c->f->row_id_base;
        uint32_t lo = c->page, hi = c->npages; /* last page with row_start <= off */
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (c0->pages[mid].row_start <= off) lo = mid;
            else hi = mid;
        }
        if (lo >= c->npages) break;
        uint32_t p = lo;
        uint64_t row_start = c0->pages[p].row_start, n = c0->pages[p].nrows;
        size_t first = c->ci;
        while (c->ci < c->ncand && c->cand[c->ci] - c->f->row_id_base < row_start + n) c->ci++;
        c->page = p + 1 < c->npages ? p + 1 : c->npages;
        bool may = true;
        for (size_t i = 1; may && i < c->npreds; i++) {
            og_stats st;
            uint64_t nulls;
            slot_stats(&c->slots[c->pslot[i]], c->r, c->f, p, row_start, n, &st, &nulls);
            may = page_may(&c->preds[i], &st, nulls, n);
        }
        if (!may) continue;
        for (size_t i = 0; i < c->nslots; i++) c->slots[i].loaded = false;
        for (size_t i = 1; i < c->npreds && !rc; i++) rc = slot_load(&c->slots[c->pslot[i]], c->r, c->f, p, row_start, n);
        if (rc) return rc;
        size_t nsel = 0;
        for (size_t j = first; j < c->ci; j++) {
            uint64_t k = c->cand[j] - c->f->row_id_base - row_start;
            if (j > first && c->cand[j] == c->cand[j - 1]) continue; /* IN with equal hashes */
            if (k < n && row_ok(c, row_start, k, 1)) c->sel[nsel++] = (uint32_t)k;
        }
        if (!nsel) continue;
        for (size_t i = 0; i < c->ncols && !rc; i++) rc = slot_load(&c->slots[c->cslot[i]], c->r, c->f, p, row_start, n);
        if (rc) return rc;
        *row_start_out = row_start;
        *nsel_out = nsel;
        return OG_OK;
    }
    c->page = c->npages;
    return OG_OK;
}

/* Next page with matches: *nsel 0 when the fragment is exhausted. */
static og_status cursor_next(cursor *c, uint64_t *row_start_out, size_t *nsel_out)
{
    og_status rc = OG_OK;
    *nsel_out = 0;
    if (c->cand) return cursor_next_point(c, row_start_out, nsel_out);
    for (; c->page < c->npages; c->page++) {
        uint32_t p = c->page;
        const og_frag_page *pg0 = &og_fragment_col(c->r, 0)->pages[p];
        uint64_t row_start = pg0->row_start, n = pg0->nrows;
        bool may = roaring_bitmap_range_cardinality(c->dv, row_start, row_start + n) < n;
        for (size_t i = 0; may && i < c->npreds; i++) {
            og_stats st;
            uint64_t nulls;
            slot_stats(&c->slots[c->pslot[i]], c->r, c->f, p, row_start, n, &st, &nulls);
            if (c->sets[i].v && !c->sets[i].bytes && st.kind == OG_STATS_U64 && nulls < n) {
                size_t k = u64set_lower(&c->sets[i], st.umin);
                may = k < c->sets[i].n && c->sets[i].v[k] <= st.umax;
            } else {
                may = page_may(&c->preds[i], &st, nulls, n);
            }
        }
        if (!may) continue;
        for (size_t i = 0; i < c->nslots; i++) c->slots[i].loaded = false;
        for (size_t i = 0; i < c->npreds && !rc; i++) rc = slot_load(&c->slots[c->pslot[i]], c->r, c->f, p, row_start, n);
        if (rc) return rc;
        size_t nsel = 0;
        for (uint64_t k = 0; k < n; k++) {
            if (row_ok(c, row_start, k, 0)) c->sel[nsel++] = (uint32_t)k;
        }
        if (!nsel) continue;
        for (size_t i = 0; i < c->ncols && !rc; i++) rc = slot_load(&c->slots[c->cslot[i]], c->r, c->f, p, row_start, n);
        if (rc) return rc;
        c->page++;
        *row_start_out = row_start;
        *nsel_out = nsel;
        return OG_OK;
    }
    return OG_OK;
}

og_status tbl_visit(og_table *t, const og_frag_meta *f, const og_pred *preds, size_t npreds,
                    const char *const *cols, size_t ncols, tbl_visit_fn fn, void *ud)
{
    cursor *c = NULL;
    og_status rc = cursor_open(t, f, preds, npreds, cols, ncols, &c);
    while (!rc) {
        uint64_t row_start;
        size_t nsel;
        if ((rc = cursor_next(c, &row_start, &nsel)) || !nsel) break;
        rc = fn(ud, f, row_start, c->outc, c->sel, nsel);
    }
    cursor_close(c);
    return rc;
}

/* ---------- scan ---------- */

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

struct og_scanner {
    og_table *t;
    const char **names;
    og_type *types;
    size_t ncols;
    const og_pred *preds;
    size_t npreds;
    const og_index_meta *ix;
    uint64_t *cand;
    size_t ncand;
    og_pred *xp;         /* preds + _rowid IN candidates (covered fragments) */
    og_value *cv;
    size_t batch_rows;
    uint64_t limit, emitted;
    size_t frag;         /* next fragment to open */
    cursor *cur;
    size_t nsel, pos;    /* current page: matches and how many were emitted */
    int64_t *pfid;       /* per predicate: schema field id, -1 for a virtual column */
    og_buf fkey;         /* "<root>/" then a fragment's file: cache keys for pruning */
    size_t fkey_root;
};

void og_scanner_close(og_scanner *sc)
{
    if (!sc) return;
    cursor_close(sc->cur);
    free(sc->names);
    free(sc->types);
    free(sc->cand);
    free(sc->xp);
    free(sc->cv);
    free(sc->pfid);
    og_buf_free(&sc->fkey);
    free(sc);
}

og_status og_scanner_open(og_table *t, const og_scan_opts *o, size_t batch_rows, og_scanner **out)
{
    og_status rc = OG_OK;
    og_scan_opts none;
    memset(&none, 0, sizeof none);
    if (!o) o = &none;
    og_scanner *sc = calloc(1, sizeof *sc);
    *out = NULL;
    if (!sc) return og_error_set(OG_E_NOMEM, "out of memory");
    sc->t = t;
    sc->ncols = o->columns ? o->ncolumns : t->m.schema.nfields;
    sc->preds = o->preds;
    sc->npreds = o->npreds;
    sc->limit = o->limit;
    sc->batch_rows = batch_rows ? batch_rows : 8192;
    sc->names = calloc(sc->ncols + 1, sizeof *sc->names);
    sc->types = calloc(sc->ncols + 1, sizeof *sc->types);
    if (!sc->names || !sc->types) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < sc->ncols && !rc; i++) {
        sc->names[i] = o->columns ? o->columns[i] : t->m.schema.fields[i].name;
        rc = tbl_col_type(t, sc->names[i], &sc->types[i]);
    }
    if (rc || (rc = validate_preds(t, o->preds, o->npreds))) goto done;
    if (!(sc->pfid = calloc(o->npreds + 1, sizeof *sc->pfid))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < o->npreds; i++) {
        const og_field *fd = og_schema_find(&t->m.schema, o->preds[i].column);
        sc->pfid[i] = fd ? (int64_t)fd->id : -1;
    }
    if ((rc = tbl_key(t->root, "", &sc->fkey))) goto done; /* the join tbl_key makes */
    sc->fkey_root = sc->fkey.len;
    if ((rc = tbl_index_plan(t, o->preds, o->npreds, &sc->ix, &sc->cand, &sc->ncand))) goto done;
    if (sc->ix) {
        sc->xp = calloc(o->npreds + 1, sizeof *sc->xp);
        sc->cv = calloc(sc->ncand + 1, sizeof *sc->cv);
        if (!sc->xp || !sc->cv) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        /* the candidate row-id set goes first: rows are tested in term
         * order, so most rows of a page fail on one u64 probe */
        if (o->npreds) memcpy(sc->xp + 1, o->preds, o->npreds * sizeof *sc->xp);
        for (size_t i = 0; i < sc->ncand; i++) sc->cv[i] = og_val_u64(sc->cand[i]);
        sc->xp[0].column = OG_COL_ROWID;
        sc->xp[0].op = OG_CMP_IN;
        sc->xp[0].values = sc->cv;
        sc->xp[0].nvalues = sc->ncand;
    }
done:
    if (rc) og_scanner_close(sc);
    else *out = sc;
    return rc;
}

typedef struct may_ctx {
    const og_table *t;
    const og_frag_meta *f;
    const og_pred *preds;
    const int64_t *pfid;
    size_t npreds;
} may_ctx;

/* 1 when some page of r may hold a row matching every predicate on a
 * schema field, else 0. */
static int frag_may_reader(void *ud, const og_fragment_reader *r)
{
    const may_ctx *m = ud;
    if (og_fragment_nrows(r) != m->f->rows) return 1; /* the cursor reports it */
    for (size_t i = 0; i < m->npreds; i++) {
        if (m->pfid[i] < 0) continue; /* a virtual column */
        int k = og_fragment_find(r, (uint32_t)m->pfid[i]);
        if (k < 0) continue; /* absent: all null; the cursor decides */
        const og_frag_col *fc = og_fragment_col(r, (uint32_t)k);
        const og_field *fd = og_schema_find(&m->t->m.schema, m->preds[i].column);
        if (!fd || !og_type_eq(fc->type, fd->type)) continue;
        bool any = false;
        for (uint32_t p = 0; p < fc->npages && !any; p++)
            any = page_may(&m->preds[i], &fc->pages[p].stats, fc->pages[p].null_count, fc->pages[p].nrows);
        if (!any) return 0;
    }
    return 1;
}

/* May fragment f hold a row matching the scanner's predicates? Decided
 * from the page statistics of a reader the handle already caches, without
 * building a cursor or checking the reader out (a table of many small
 * fragments pays this per fragment per scan); true whenever that cannot
 * be told cheaply. */
static bool frag_may(og_scanner *sc, const og_frag_meta *f)
{
    if (!sc->npreds) return true;
    const og_key_range *kr = &f->krange;
    for (size_t i = 0; kr->kind && i < sc->npreds; i++) { /* known key range: no lookup */
        const og_pred *p = &sc->preds[i];
        if (sc->pfid[i] != (int64_t)kr->field_id || (p->op != OG_CMP_EQ && p->op != OG_CMP_IN)) continue;
        og_stats st;
        memset(&st, 0, sizeof st);
        st.kind = (og_stats_kind)kr->kind;
        st.imin = kr->imin, st.imax = kr->imax, st.umin = kr->umin, st.umax = kr->umax;
        st.bmin = kr->bmin, st.bmax = kr->bmax, st.bmin_len = kr->bmin_len, st.bmax_len = kr->bmax_len;
        if (!page_may(p, &st, kr->nulls, f->rows)) return false;
    }
    sc->fkey.len = sc->fkey_root;
    if (og_buf_append_str(&sc->fkey, f->file)) { og_error_clear(); return true; }
    may_ctx m = {sc->t, f, sc->preds, sc->pfid, sc->npreds};
    return tbl_cache_peek_reader(sc->t->cache, sc->fkey.data, frag_may_reader, &m) != 0;
}

/* Opens the cursor of the next fragment that may hold matches; false at the end. */
static og_status next_fragment(og_scanner *sc, bool *more)
{
    og_table *t = sc->t;
    *more = false;
    while (sc->frag < t->m.nfrags) {
        const og_frag_meta *f = &t->m.frags[sc->frag++];
        bool covered = false;
        for (size_t k = 0; sc->ix && k < sc->ix->nfrags && !covered; k++) covered = sc->ix->frags[k] == f->id;
        if (covered) {
            if (!sc->ncand) continue;
            if (!f->explicit_row_ids) { /* skip without I/O when no candidate falls in its id range */
                size_t lo = 0, hi = sc->ncand;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (sc->cand[mid] < f->row_id_base) lo = mid + 1;
                    else hi = mid;
                }
                if (lo == sc->ncand || sc->cand[lo] >= f->row_id_base + f->rows) continue;
            }
        }
        if (!covered && !frag_may(sc, f)) continue;
        *more = true;
        og_status rc = cursor_open(t, f, covered ? sc->xp : sc->preds, covered ? sc->npreds + 1 : sc->npreds,
                                   sc->names, sc->ncols, &sc->cur);
        if (!rc && covered && !f->explicit_row_ids && sc->cur->npages) {
            size_t lo = 0, hi = sc->ncand;
            while (lo < hi) { /* first candidate of this fragment */
                size_t mid = lo + (hi - lo) / 2;
                if (sc->cand[mid] < f->row_id_base) lo = mid + 1;
                else hi = mid;
            }
            size_t end = lo;
            while (end < sc->ncand && sc->cand[end] < f->row_id_base + f->rows) end++;
            sc->cur->cand = sc->cand;
            sc->cur->ci = lo;
            sc->cur->ncand = end;
        }
        return rc;
    }
    return OG_OK;
}

og_status og_scanner_next(og_scanner *sc, og_batch *out, bool *done)
{
    og_status rc = OG_OK;
    size_t got = 0;
    *done = false;
    for (size_t i = 0; i < sc->ncols && !rc; i++) rc = og_batch_add(out, sc->names[i], sc->types[i], NULL);
    while (!rc && got < sc->batch_rows && !(sc->limit && sc->emitted >= sc->limit)) {
        if (sc->cur && sc->pos == sc->nsel) {
            uint64_t row_start;
            sc->pos = 0;
            if ((rc = cursor_next(sc->cur, &row_start, &sc->nsel))) break;
            if (!sc->nsel) { cursor_close(sc->cur); sc->cur = NULL; }
        }
        if (!sc->cur) {
            bool more;
            if ((rc = next_fragment(sc, &more)) || !more) break;
            sc->nsel = sc->pos = 0;
            continue;
        }
        for (; sc->pos < sc->nsel && got < sc->batch_rows && !(sc->limit && sc->emitted >= sc->limit); sc->pos++) {
            for (size_t c = 0; c < sc->ncols && !rc; c++)
                rc = og_column_append_row(out->cols[c], sc->cur->outc[c], sc->cur->sel[sc->pos]);
            if (rc) break;
            got++;
            sc->emitted++;
        }
    }
    if (!rc) rc = og_batch_seal(out);
    if (!rc && got == 0) *done = true;
    return rc;
}

og_status tbl_visit_all(og_table *t, const og_pred *preds, size_t npreds, const char *const *cols, size_t ncols,
                        tbl_visit_fn fn, void *ud)
{
    og_scanner *sc = NULL;
    og_scan_opts o;
    memset(&o, 0, sizeof o);
    o.columns = cols;
    o.ncolumns = ncols;
    o.preds = preds;
    o.npreds = npreds;
    og_status rc = og_scanner_open(t, &o, 0, &sc);
    while (!rc) {
        bool more;
        if ((rc = next_fragment(sc, &more)) || !more) break;
        for (;;) {
            uint64_t row_start;
            size_t nsel;
            if ((rc = cursor_next(sc->cur, &row_start, &nsel)) || !nsel) break;
            if ((rc = fn(ud, sc->cur->f, row_start, sc->cur->outc, sc->cur->sel, nsel))) break;
        }
        cursor_close(sc->cur);
        sc->cur = NULL;
    }
    og_scanner_close(sc);
    return rc;
}

og_status og_table_scan(og_table *t, const og_scan_opts *o, og_batch *out)
{
    og_scanner *sc = NULL;
    og_status rc = og_scanner_open(t, o, SIZE_MAX, &sc);
    bool done;
    if (!rc) rc = og_scanner_next(sc, out, &done);
    og_scanner_close(sc);
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
    if (!columns) ncolumns = t->m.schema.nfields; /* every field (sized before names is) */
    og_value *vals = calloc(n + 1, sizeof *vals);
    const char **names = calloc(ncolumns + 2, sizeof *names);
    id_pos *found = NULL;
    og_batch tmp = OG_BATCH_INIT;
    if (!vals || !names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < n; i++) vals[i] = og_val_u64(row_ids[i]);
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
