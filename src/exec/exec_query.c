/* exec_query.c — read queries over one pinned graph view (surface.md
 * §2.4-2.7, internals.md §8).
 * (1) The working set is a table of rows of `width` int32 cells: cell v is
 *     the row of vars[v] in its type's pool (-1 unbound); the last cell is
 *     the row's origin (used by the anti-join to find its outer row).
 * (2) A pool holds the rows of one type loaded so far (deduplicated by id);
 *     pool rows never move, so cells stay valid for the whole query.
 * (3) Planning: filters run as soon as their variables are bound; the
 *     anchor is the most selective scan (key equality > indexed equality >
 *     any filter > none, then the smaller table); property filters of the
 *     anchor (pattern equalities and single-variable comparisons against
 *     constants) are pushed into og_table_scan and re-checked in memory
 *     (not over a resident pool, whose selection already checked them
 *     exactly: res_select);
 *     traversals run from whichever side is bound; anti-joins run last.
 * (4) Traversal is BFS per source row with set semantics over the cached
 *     CSR/CSC index (graph_index.c; one hop over at most 32 edges dedupes
 *     against its own hits, without marks); bound edges walk a per-query
 *     index over the edge rows (one row per edge).
 * (5) Time and memory limits are checked in the traversal, join and
 *     aggregation loops (OG_E_LIMIT).
 * (6) A pool may instead be a resident table version shared through the
 *     cache of resident.c: it is then full, read-only, and scans over it
 *     filter in memory (key equality is a map probe).
 * (7) ORDER + LIMIT k (k < n/2) selects with a bounded heap, then sorts
 *     the k rows; the order is total (ties end on row sequence), so the
 *     result equals a full sort's prefix.
 * (8) Search functions (section "search functions"): text matches filter
 *     like FILTER steps; rankings are computed over the entities that
 *     survived the whole match, and a first-ordering ranking sorts by its
 *     position (ties inside one entity keep the order of (7)). */
#include "exec.h"
#include "internal.h"
#include "search.h"
#include "embed.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/map.h"
#include "base/ulid.h"
#include "base/vec.h"

#define DEFAULT_TIMEOUT_US (30LL * 1000000LL)
#define DEFAULT_MEMORY (1ull << 30)
#define FETCH_CHUNK 8192

typedef OG_VEC(int32_t) ivec;

typedef struct pool {
    bool init;
    og_batch b;
    og_map *ids;        /* id -> row + 1 */
    og_column *idcol;
    bool full;
    og_exec_res *res;   /* resident table version (no copy, (2) holds) */
} pool;

typedef struct rowset {
    int32_t *c;
    size_t n, cap;
    bool arena;         /* c is the first (small) block, in the query arena */
} rowset;

typedef struct rank rank;

typedef struct ex {
    og_graph_view *v;
    const og_tc_query *q;
    const og_catalog *cat;
    const og_params *params;
    og_arena *a;
    pool *pools;            /* by og_decl.index */
    og_exec_csr **ecsr;     /* per-query edge-row index, by og_decl.index */
    og_exec_vcache *vc;     /* the pinned view's memo, or NULL */
    size_t width;
    int64_t deadline, now_us;
    uint64_t mem_budget, mem, ticks;
    rank *ranks;            /* search rankings, one per search call (search section) */
    size_t n_ranks;
    og_search_tok *tok;     /* created on first text search */
} ex;

/* ---- limits ---- */

static og_status check_time(ex *e)
{
    if ((++e->ticks & 1023) == 0 && og_clock_mono_us() > e->deadline)
        return og_error_set(OG_E_LIMIT, "query time limit exceeded");
    return OG_OK;
}

static og_status charge(ex *e, uint64_t bytes)
{
    e->mem += bytes;
    if (e->mem > e->mem_budget)
        return og_error_set(OG_E_LIMIT, "query memory limit exceeded (%llu bytes)",
                            (unsigned long long)e->mem_budget);
    return OG_OK;
}

/* ---- rows ---- */

static og_status rows_push(ex *e, rowset *r, const int32_t *cells)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        og_status rc = charge(e, (nc - r->cap) * e->width * sizeof(int32_t));
        if (rc) return rc;
        int32_t *nn;
        if (!r->cap) {   /* most working sets stay small: no malloc per query */
            nn = og_arena_alloc(e->a, nc * e->width * sizeof *nn);
        } else if (r->arena) {
            nn = malloc(nc * e->width * sizeof *nn);
            if (nn) memcpy(nn, r->c, r->n * e->width * sizeof *nn);
        } else {
            nn = realloc(r->c, nc * e->width * sizeof *nn);
        }
        if (!nn) return og_error_set(OG_E_NOMEM, "out of memory (working set)");
        r->arena = !r->cap;
        r->c = nn;
        r->cap = nc;
    }
    memcpy(r->c + r->n * e->width, cells, e->width * sizeof *cells);
    r->n++;
    return OG_OK;
}

static void rows_free(rowset *r)
{
    if (!r->arena) free(r->c);
    r->c = NULL;
    r->n = r->cap = 0;
    r->arena = false;
}

static inline int32_t *row_at(const ex *e, const rowset *r, size_t i) { return r->c + i * e->width; }

/* ---- pools ---- */

static og_status pool_add_batch(ex *e, const og_decl *t, const og_batch *b, ivec *idx)
{
    og_status rc = OG_OK;
    pool *p = &e->pools[t->index];
    if (!p->init) {
        if (!(p->ids = og_map_new())) return og_error_set(OG_E_NOMEM, "out of memory");
        for (size_t c = 0; c < b->ncols; c++)
            if ((rc = og_batch_add(&p->b, b->names[c], b->cols[c]->type, NULL))) return rc;
        p->idcol = og_batch_col(&p->b, "id");
        if (!p->idcol) return og_error_set(OG_E_INTERNAL, "table of %s has no id column", t->name);
        p->init = true;
    }
    og_column *bid = og_batch_col(b, "id");
    if (!bid) return og_error_set(OG_E_INTERNAL, "scan of %s returned no id", t->name);
    for (size_t r = 0; r < b->nrows; r++) {
        size_t n = 0;
        const char *id = og_column_get_bytes(bid, r, &n);
        void *val = NULL;
        int32_t at;
        if (og_map_get(p->ids, id, n, &val)) {
            at = (int32_t)((uintptr_t)val - 1);
        } else {
            if (p->b.nrows >= INT32_MAX - 1) return og_error_set(OG_E_LIMIT, "too many rows of %s", t->name);
            for (size_t c = 0; c < b->ncols; c++) {
                og_column *dst = og_batch_col(&p->b, b->names[c]);
                if (!dst) return og_error_set(OG_E_INTERNAL, "column mismatch in %s", t->name);
                if ((rc = og_column_append_row(dst, b->cols[c], r))) return rc;
            }
            at = (int32_t)p->b.nrows++;
            const char *key = og_column_get_bytes(p->idcol, (size_t)at, &n);
            /* the key points into the pool column, whose buffer may move:
             * keep a stable copy in the arena */
            char *k = og_arena_memdup(e->a, key, n ? n : 1);
            if (!k) return og_error_set(OG_E_NOMEM, "out of memory");
            if ((rc = og_map_put(p->ids, k, n, (void *)(uintptr_t)(at + 1), NULL))) return rc;
            if ((rc = charge(e, 64 + n))) return rc;
        }
        if (idx) {
            if ((rc = og_vec_push(idx, at))) return rc;
        }
        if ((rc = check_time(e))) return rc;
    }
    return OG_OK;
}

static og_status version_key(ex *e, const og_decl *t, og_table *tab, og_buf *key);

/* True when cell `row` of c satisfies pred (scan semantics: NULL never
 * compares; IS_NULL / NOT_NULL test it). */
static bool pred_row(ex *e, const og_column *c, size_t row, const og_pred *p)
{
    og_value v;
    if (og_exv_cell(e->a, c, row, &v)) return false;
    if (p->op == OG_CMP_IS_NULL) return v.kind == OG_VALUE_NULL;
    if (v.kind == OG_VALUE_NULL) return false;
    if (p->op == OG_CMP_NOT_NULL) return true;
    if (p->op == OG_CMP_IN) {
        for (size_t k = 0; k < p->nvalues; k++)
            if (og_exv_eq(&v, &p->values[k])) return true;
        return false;
    }
    bool ok = false;
    int cmp = og_exv_cmp(&v, &p->value, &ok);
    if (!ok) return false;
    switch (p->op) {
    case OG_CMP_EQ: return cmp == 0;
    case OG_CMP_NE: return cmp != 0;
    case OG_CMP_LT: return cmp < 0;
    case OG_CMP_LE: return cmp <= 0;
    case OG_CMP_GT: return cmp > 0;
    case OG_CMP_GE: return cmp >= 0;
    default: return false;
    }
}

/* The rows of a resident pool matching preds: a key or id equality is a
 * map probe, anything else a loop over the columns. */
static og_status res_select(ex *e, const og_decl *t, const og_pred *preds, size_t np, ivec *idx)
{
    og_status rc = OG_OK;
    pool *p = &e->pools[t->index];
    const og_pred *probe = NULL;
    bool probe_exact = false;   /* the map hit alone proves the probe predicate */
    const og_column *cols_small[8];
    const og_column **cols = np < 8 ? cols_small : calloc(np + 1, sizeof *cols);
    if (!cols) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t k = 0; k < np; k++) {
        bool id_col = strcmp(preds[k].column, "id") == 0;
        const og_property *pr = id_col ? NULL : og_decl_find_prop(t, preds[k].column);
        bool is_id = !pr || (pr->is_key && t->kind == OG_KIND_NODE);
        if (!probe && is_id && preds[k].op == OG_CMP_EQ && preds[k].value.kind == OG_VALUE_STRING) {
            probe = &preds[k];
            /* the id of a single String key is the key verbatim (surface.md §1.8) */
            probe_exact = id_col || (pr && t->key_constraint >= 0 && t->constraints[t->key_constraint].n_columns == 1 &&
                                     !pr->type.list && pr->type.scalar == OG_SCALAR_STRING);
        }
        cols[k] = og_batch_col(&p->res->b, preds[k].column);
        if (!cols[k]) { rc = og_error_set(OG_E_INTERNAL, "no column %s in %s", preds[k].column, t->name); goto done; }
    }
    if (probe) {
        void *v = NULL;
        if (og_map_get((og_map *)p->res->ids, probe->value.as.s.ptr, probe->value.as.s.len, &v)) {
            size_t row = (size_t)((uintptr_t)v - 1);
            bool ok = true;
            for (size_t k = 0; k < np && ok; k++)
                ok = (probe_exact && &preds[k] == probe) || pred_row(e, cols[k], row, &preds[k]);
            if (ok && idx) rc = og_vec_push(idx, (int32_t)row);
        }
        goto done;
    }
    for (size_t row = 0; row < p->res->b.nrows; row++) {
        bool ok = true;
        for (size_t k = 0; k < np && ok; k++) ok = pred_row(e, cols[k], row, &preds[k]);
        if (ok && idx && (rc = og_vec_push(idx, (int32_t)row))) goto done;
        if ((rc = check_time(e))) goto done;
    }
done:
    if (cols != cols_small) free(cols);
    return rc;
}

static bool expr_reads_vector(const og_tc_query *q, const og_tc_expr *x, const og_decl *t)
{
    if (!x) return false;
    if (x->kind == OG_TC_CALL && x->fn == OG_GQ_FN_NEAREST)   /* its target comes from the vector index */
        return expr_reads_vector(q, x->args[1], t);
    if (x->kind == OG_TC_PROP && q->vars[x->var].type == t &&
        t->props[x->prop].type.scalar == OG_SCALAR_VECTOR)
        return true;
    for (size_t i = 0; i < x->n_args; i++) if (expr_reads_vector(q, x->args[i], t)) return true;
    return false;
}

static bool steps_read_vector(const og_tc_query *q, const og_tc_step *st, size_t n, const og_decl *t)
{
    for (size_t k = 0; k < n; k++) {
        const og_tc_step *s = &st[k];
        if (expr_reads_vector(q, s->left, t) || expr_reads_vector(q, s->right, t) ||
            expr_reads_vector(q, s->call, t) || steps_read_vector(q, s->body, s->n_body, t))
            return true;
        for (size_t f = 0; f < s->n_pfilters; f++) {
            if (expr_reads_vector(q, s->pfilters[f].value, t)) return true;
            if (s->kind == OG_TC_SCAN && q->vars[s->var].type == t &&
                t->props[s->pfilters[f].prop].type.scalar == OG_SCALAR_VECTOR)
                return true;
        }
    }
    return false;
}

/* True when the query reads a vector property of type t (resident.c (5)). */
static bool query_reads_vector(const og_tc_query *q, const og_decl *t)
{
    for (size_t p = 0; p < q->n_projs; p++) if (expr_reads_vector(q, q->projs[p].expr, t)) return true;
    for (size_t o = 0; o < q->n_orders; o++) if (expr_reads_vector(q, q->orders[o].expr, t)) return true;
    return steps_read_vector(q, q->steps, q->n_steps, t);
}

/* Makes t's pool resident when the cache has (or now builds) its version. */
static og_status pool_try_resident(ex *e, const og_decl *t, og_table *tab, bool whole)
{
    pool *p = &e->pools[t->index];
    og_buf key = OG_BUF_INIT;
    og_exec_res *r = NULL;
    og_status rc = OG_OK;
    bool memo = e->vc && t->index < e->vc->n;
    if (memo && e->vc->res[t->index]) {
        r = e->vc->res[t->index];
        og_exec_res_retain(r);
    } else {
        rc = version_key(e, t, tab, &key);
        if (!rc) rc = og_exec_res_get(og_buf_cstr(&key), tab, whole, &r);
        og_buf_free(&key);
        if (!rc && r && memo) {
            og_exec_res_retain(r);
            e->vc->res[t->index] = r;
        }
    }
    if (rc || !r) return rc;
    if (r->b.nrows >= INT32_MAX - 1 || (r->no_vectors && query_reads_vector(e->q, t))) {
        og_exec_res_release(r);
        return OG_OK;
    }
    p->res = r;
    p->idcol = r->idcol;
    p->init = p->full = true;
    return OG_OK;
}

static og_status pool_scan(ex *e, const og_decl *t, const og_pred *preds, size_t np, ivec *idx)
{
    og_table *tab = NULL;
    og_batch b = OG_BATCH_INIT;
    og_scan_opts o = {0};
    og_status rc = og_graph_view_table(e->v, t, &tab);
    if (rc) goto done;
    if (!e->pools[t->index].init && (rc = pool_try_resident(e, t, tab, np == 0))) goto done;
    if (e->pools[t->index].res) {
        if (np) { rc = res_select(e, t, preds, np, idx); goto done; }
        for (size_t i = 0; idx && i < e->pools[t->index].res->b.nrows; i++)
            if ((rc = og_vec_push(idx, (int32_t)i))) goto done;
        goto done;
    }
    o.preds = preds;
    o.npreds = np;
    if ((rc = og_table_scan(tab, &o, &b))) goto done;
    if ((rc = charge(e, b.nrows * 16))) goto done;
    rc = pool_add_batch(e, t, &b, idx);
    if (!rc && np == 0) e->pools[t->index].full = true;
done:
    og_batch_free(&b);
    return rc;
}

static bool pool_find(ex *e, const og_decl *t, const char *id, size_t n, int32_t *out)
{
    pool *p = &e->pools[t->index];
    void *v = NULL;
    if (!p->init || !og_map_get(p->res ? (og_map *)p->res->ids : p->ids, id, n, &v)) return false;
    *out = (int32_t)((uintptr_t)v - 1);
    return true;
}

/* Loads the rows of t with the given ids that the pool lacks. */
static og_status pool_fetch(ex *e, const og_decl *t, const char *const *ids, size_t n)
{
    og_status rc = OG_OK;
    og_value *vals = NULL;
    size_t m = 0;
    if (e->pools[t->index].full || n == 0) return OG_OK;
    vals = malloc(FETCH_CHUNK * sizeof *vals);
    if (!vals) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i <= n; i++) {
        if (i < n) {
            int32_t at;
            if (pool_find(e, t, ids[i], strlen(ids[i]), &at)) continue;
            vals[m++] = og_val_str(ids[i]);
        }
        if (m && (m == FETCH_CHUNK || i == n)) {
            og_pred p = {0};
            p.column = "id";
            p.op = OG_CMP_IN;
            p.values = vals;
            p.nvalues = m;
            if ((rc = pool_scan(e, t, &p, 1, NULL))) break;
            m = 0;
        }
    }
    free(vals);
    return rc;
}

static const og_column *pool_col(ex *e, const og_decl *t, const char *name)
{
    pool *p = &e->pools[t->index];
    if (!p->init) return NULL;
    return og_batch_col(p->res ? &p->res->b : &p->b, name);
}

static const char *pool_id(ex *e, const og_decl *t, int32_t row, size_t *n)
{
    return og_column_get_bytes(e->pools[t->index].idcol, (size_t)row, n);
}

/* ---- expressions ---- */

static og_status eval(ex *e, const og_tc_expr *x, const int32_t *row, og_value *out);
static og_status eval_call(ex *e, const og_tc_expr *x, const int32_t *row, og_value *out);

static og_status eval_prop(ex *e, int var, int prop, const int32_t *row, og_value *out)
{
    const og_tc_var *tv = &e->q->vars[var];
    *out = og_val_null();
    if (row[var] < 0) return OG_OK;
    const char *name = prop >= 0 ? tv->type->props[prop].name : "id";
    const og_column *c = pool_col(e, tv->type, name);
    if (!c) return og_error_set(OG_E_INTERNAL, "no column %s in %s", name, tv->type->name);
    return og_exv_cell_prop(e->a, c, (size_t)row[var], prop >= 0 ? &tv->type->props[prop] : NULL, out);
}

static og_status eval(ex *e, const og_tc_expr *x, const int32_t *row, og_value *out)
{
    *out = og_val_null();
    switch (x->kind) {
    case OG_TC_LIT: return og_exv_lit(e->a, &x->ast->lit, out);
    case OG_TC_PARAM: {
        const og_value *v = NULL;
        og_status rc = og_params_get(e->params, e->q->ast->params[x->param].name, &v);
        if (rc) return rc;
        *out = *v;
        return OG_OK;
    }
    case OG_TC_NODE: return eval_prop(e, x->var, -1, row, out);
    case OG_TC_PROP: return eval_prop(e, x->var, x->prop, row, out);
    case OG_TC_NOW: out->kind = OG_VALUE_DATETIME; out->as.i = e->now_us; return OG_OK;
    case OG_TC_CALL: return eval_call(e, x, row, out);
    case OG_TC_AGG: case OG_TC_ALIAS:
        return og_error_set(OG_E_INTERNAL, "aggregate or alias evaluated per row");
    }
    return OG_OK;
}

static bool str_contains(const og_value *h, const og_value *n)
{
    if (n->as.s.len == 0) return true;
    if (n->as.s.len > h->as.s.len) return false;
    for (size_t i = 0; i + n->as.s.len <= h->as.s.len; i++)
        if (memcmp(h->as.s.ptr + i, n->as.s.ptr, n->as.s.len) == 0) return true;
    return false;
}

static bool list_has(const og_value *l, const og_value *x)
{
    if (l->kind != OG_VALUE_LIST || x->kind == OG_VALUE_NULL) return false;
    for (size_t i = 0; i < l->as.list.n; i++)
        if (og_exv_eq(&l->as.list.items[i], x)) return true;
    return false;
}

/* The test of a FILTER step on evaluated operands (NULL never matches). */
static bool test_op(og_tc_fop fop, og_gq_op op, const og_value *l, const og_value *r)
{
    if (l->kind == OG_VALUE_NULL || r->kind == OG_VALUE_NULL) return false;
    switch (fop) {
    case OG_TC_LIST_CONTAINS: return list_has(l, r);
    case OG_TC_STR_CONTAINS:
        return l->kind == OG_VALUE_STRING && r->kind == OG_VALUE_STRING && str_contains(l, r);
    case OG_TC_STARTS_WITH:
        return l->kind == OG_VALUE_STRING && r->kind == OG_VALUE_STRING && r->as.s.len <= l->as.s.len &&
               memcmp(l->as.s.ptr, r->as.s.ptr, r->as.s.len) == 0;
    case OG_TC_COMPARE: break;
    }
    bool ok = false;
    int c = og_exv_cmp(l, r, &ok);
    if (!ok) return false;
    switch (op) {
    case OG_GQ_OP_EQ: return c == 0;
    case OG_GQ_OP_NE: return c != 0;
    case OG_GQ_OP_GT: return c > 0;
    case OG_GQ_OP_LT: return c < 0;
    case OG_GQ_OP_GE: return c >= 0;
    case OG_GQ_OP_LE: return c <= 0;
    default: return false;
    }
}

static void expr_vars(const og_tc_expr *x, bool *used)
{
    if (!x) return;
    if (x->kind == OG_TC_NODE || x->kind == OG_TC_PROP) used[x->var] = true;
    for (size_t i = 0; i < x->n_args; i++) expr_vars(x->args[i], used);
}

/* ---- search functions (surface.md §2.8; scoring in search_text.c,
 * search_rank.c; query embeddings in embed.c) ----
 * Text filters (search/fuzzy/match_text) run like FILTER steps once their
 * variable is bound. Rankings (nearest/bm25/rrf) are computed after the
 * match, over the distinct entities of the ranked variable that survived
 * every filter (so filters apply before ranking, never after a global
 * top-k); each gets a score and a position by pool row. When the first
 * ordering is a ranking, rows whose entity is unranked are dropped and the
 * position is the sort key. Texts and vectors are read from in-memory
 * indexes of the pinned table version (search_index.c), built by one scan
 * on first use and cached per version; nothing is persisted, so results
 * never depend on `optimize`. BM25 statistics cover the whole table
 * version, not the filtered rows. */

struct rank {
    const og_tc_expr *x;    /* the CALL */
    int var;                /* the ranked variable */
    size_t n;               /* pool rows covered */
    double *score;          /* by pool row */
    uint32_t *pos;          /* by pool row: 1 + position in the ranking, 0 unranked */
};

static bool is_const(const og_tc_expr *x);

static size_t pool_rows(ex *e, const og_decl *t)
{
    pool *p = &e->pools[t->index];
    return !p->init ? 0 : p->res ? p->res->b.nrows : p->b.nrows;
}

static og_status tok_get(ex *e, og_search_tok **out)
{
    og_status rc = OG_OK;
    if (!e->tok) rc = og_search_tok_new(&e->tok);
    *out = e->tok;
    return rc;
}

/* The string value of a text call's query argument, tokenised. */
static og_status text_query(ex *e, const og_tc_expr *x, const int32_t *row, og_search_terms *qt, bool *null)
{
    og_value qv;
    og_search_tok *tok = NULL;
    og_status rc = eval(e, x, row, &qv);
    *null = false;
    if (!rc) rc = tok_get(e, &tok);
    if (rc) return rc;
    if (qv.kind != OG_VALUE_STRING) { *null = true; return OG_OK; }
    if ((rc = og_search_tokenize(tok, qv.as.s.ptr, qv.as.s.len, qt))) return rc;
    og_search_terms_dedup(qt);
    return OG_OK;
}

static og_status text_edits(ex *e, const og_tc_expr *call, int64_t *out)
{
    og_value v;
    og_status rc;
    *out = -1;
    if (call->fn != OG_GQ_FN_FUZZY) return OG_OK;
    *out = OG_SEARCH_FUZZY_EDITS;
    if (call->n_args < 3 || !call->args[2]) return OG_OK;
    if ((rc = eval(e, call->args[2], NULL, &v))) return rc;
    if (v.kind == OG_VALUE_NULL) return OG_OK;
    *out = v.kind == OG_VALUE_U64 ? (int64_t)(v.as.u > INT64_MAX ? INT64_MAX : v.as.u) : v.as.i;
    if (*out < 0) return og_error_set(OG_E_INVALID, "fuzzy() max_edits must be >= 0, got %lld", (long long)*out);
    return OG_OK;
}

/* search/fuzzy/match_text on one row (search.h (2)). */
static og_status text_test(ex *e, const og_tc_expr *call, const int32_t *row, const og_search_terms *qt,
                           int64_t edits, og_search_terms *doc, bool *hit)
{
    og_value f;
    og_search_tok *tok = NULL;
    og_status rc = eval(e, call->args[0], row, &f);
    *hit = false;
    if (!rc) rc = tok_get(e, &tok);
    if (rc || f.kind != OG_VALUE_STRING) return rc;
    if ((rc = og_search_tokenize(tok, f.as.s.ptr, f.as.s.len, doc))) return rc;
    *hit = og_search_terms_match(doc, qt, edits);
    return OG_OK;
}

static og_status index_tick(void *ud)
{
    ex *e = ud;
    return og_clock_mono_us() > e->deadline ? og_error_set(OG_E_LIMIT, "query time limit exceeded") : OG_OK;
}

/* The cached text (or vector) index of property p of t at the view's
 * version, built on first use from the pool when it holds the whole table
 * with that column, else from a scan of the id and p columns. The caller
 * releases it. */
static og_status prop_index(ex *e, const og_decl *t, const og_property *p, bool vectors, og_search_index **out);

static og_status text_index(ex *e, const og_decl *t, const og_property *p, og_search_index **out)
{
    return prop_index(e, t, p, false, out);
}

static og_status prop_index(ex *e, const og_decl *t, const og_property *p, bool vectors, og_search_index **out)
{
    og_status rc = OG_OK;
    og_table *tab = NULL;
    og_buf key = OG_BUF_INIT;
    og_batch b = OG_BATCH_INIT;
    og_search_index *x = NULL;
    og_search_tok *tok = NULL;
    const og_column *idc, *txt;
    *out = NULL;
    if ((rc = og_graph_view_table(e->v, t, &tab)) || (rc = version_key(e, t, tab, &key)) ||
        (rc = og_buf_printf(&key, "|%s|%s", vectors ? "vec" : "text", p->name)))
        goto done;
    if ((*out = og_search_index_find(og_buf_cstr(&key)))) goto done;
    if (e->pools[t->index].full && pool_col(e, t, p->name)) {
        idc = pool_col(e, t, "id");
        txt = pool_col(e, t, p->name);
    } else {
        og_scan_opts o = {0};
        const char *cols[2] = {"id", p->name};
        o.columns = cols;
        o.ncolumns = 2;
        if ((rc = og_table_scan(tab, &o, &b))) goto done;
        idc = og_batch_col(&b, "id");
        txt = og_batch_col(&b, p->name);
    }
    if (!idc || !txt) { rc = og_error_set(OG_E_INTERNAL, "no id or %s column in %s", p->name, t->name); goto done; }
    if (vectors) rc = og_search_index_build_vectors(idc, txt, &x);
    else if (!(rc = tok_get(e, &tok))) rc = og_search_index_build(tok, idc, txt, index_tick, e, &x);
    if (rc) goto done;
    if ((rc = charge(e, og_search_index_bytes(x)))) { og_search_index_release(x); goto done; }
    *out = og_search_index_put(og_buf_cstr(&key), x);
done:
    og_buf_free(&key);
    og_batch_free(&b);
    return rc;
}

static og_status text_rows(ex *e, rowset *r, const og_tc_step *s)
{
    og_status rc = OG_OK;
    const og_tc_expr *call = s->call;
    og_search_terms qt = {0}, doc = {0};
    og_search_index *idx = NULL;
    og_search_iquery iq = {0};
    int64_t edits = -1;
    bool qnull = false, per_row = !is_const(call->args[1]);
    int var = call->args[0]->var;
    const og_decl *t = e->q->vars[var].type;
    size_t np = pool_rows(e, t), w = 0;
    uint8_t *memo = NULL;   /* by pool row: 0 unknown, 1 miss, 2 hit (constant query only) */
    if ((rc = text_edits(e, call, &edits))) goto done;
    if (!per_row) {   /* a constant query: resolved once against the text index */
        if ((rc = text_query(e, call->args[1], NULL, &qt, &qnull))) goto done;
        if (qnull) { r->n = 0; goto done; }
        if ((rc = text_index(e, t, &t->props[call->args[0]->prop], &idx)) ||
            (rc = og_search_index_resolve(idx, &qt, edits, &iq)))
            goto done;
        if (np && !(memo = og_arena_calloc(e->a, np))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    }
    for (size_t i = 0; i < r->n; i++) {
        int32_t *row = row_at(e, r, i);
        bool hit = false;
        int32_t pr = row[var];
        if (memo && pr >= 0 && (size_t)pr < np && memo[pr]) {
            hit = memo[pr] == 2;
        } else if (idx) {
            size_t n = 0;
            uint32_t d = 0;
            const char *id = pr >= 0 ? pool_id(e, t, pr, &n) : NULL;
            hit = id && og_search_index_doc(idx, id, n, &d) && og_search_index_match(idx, d, &iq);
            if (memo && pr >= 0 && (size_t)pr < np) memo[pr] = hit ? 2 : 1;
        } else {
            if ((rc = text_query(e, call->args[1], row, &qt, &qnull))) goto done;
            if (!qnull && (rc = text_test(e, call, row, &qt, edits, &doc, &hit))) goto done;
        }
        if ((rc = check_time(e))) goto done;
        if (hit) {
            if (w != i) memmove(row_at(e, r, w), row, e->width * sizeof *row);
            w++;
        }
    }
    r->n = w;
done:
    og_search_iquery_free(&iq);
    og_search_index_release(idx);
    og_search_terms_free(&qt);
    og_search_terms_free(&doc);
    return rc;
}

static int call_var(const og_tc_expr *x)
{
    return x->fn == OG_GQ_FN_RRF ? call_var(x->args[0]) : x->args[0]->var;
}

/* The distinct entities of var in r (pool row order), with their ids. */
static og_status rank_cands(ex *e, const rowset *r, int var, og_search_cand **out, size_t *n_out)
{
    const og_decl *t = e->q->vars[var].type;
    size_t np = pool_rows(e, t), n = 0;
    uint8_t *seen = np ? og_arena_calloc(e->a, np) : NULL;
    og_search_cand *c = NULL;
    *out = NULL;
    *n_out = 0;
    if (np && !seen) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++) {
        int32_t pr = row_at(e, r, i)[var];
        if (pr >= 0 && (size_t)pr < np && !seen[pr]) { seen[pr] = 1; n++; }
    }
    og_status rc = charge(e, (n + 1) * sizeof *c);
    if (rc) return rc;
    if (!(c = og_arena_calloc(e->a, (n + 1) * sizeof *c))) return og_error_set(OG_E_NOMEM, "out of memory");
    n = 0;
    for (size_t pr = 0; pr < np; pr++) {
        if (!seen[pr]) continue;
        c[n].row = (int32_t)pr;
        c[n].id = pool_id(e, t, (int32_t)pr, &c[n].id_len);
        n++;
    }
    *out = c;
    *n_out = n;
    return OG_OK;
}

/* The query vector of nearest(): a vector, a numeric list, or a string
 * embedded through the configured provider (embed.h). */
static og_status nearest_query(ex *e, const og_tc_expr *x, uint32_t dim, const float **out)
{
    og_value qv;
    const og_tc_expr *fx = x->args[0];
    const og_tc_var *tv = &e->q->vars[fx->var];
    const og_property *p = &tv->type->props[fx->prop];
    float *v = NULL;
    og_status rc = eval(e, x->args[1], NULL, &qv);
    if (rc) return rc;
    if (qv.kind == OG_VALUE_VECTOR) {
        if (qv.as.vec.dim != dim)
            return og_error_set(OG_E_INVALID, "nearest() query has dimension %u but `$%s.%s` is Vector(%u)",
                                qv.as.vec.dim, tv->name, p->name, dim);
        *out = qv.as.vec.v;
        return OG_OK;
    }
    if (!(v = og_arena_alloc(e->a, (dim + 1) * sizeof *v))) return og_error_set(OG_E_NOMEM, "out of memory");
    if (qv.kind == OG_VALUE_LIST) {
        if (qv.as.list.n != dim)
            return og_error_set(OG_E_INVALID, "nearest() query has dimension %zu but `$%s.%s` is Vector(%u)",
                                qv.as.list.n, tv->name, p->name, dim);
        for (uint32_t i = 0; i < dim; i++) {
            const og_value *it = &qv.as.list.items[i];
            if (it->kind == OG_VALUE_F64) v[i] = (float)it->as.f;
            else if (it->kind == OG_VALUE_I64) v[i] = (float)it->as.i;
            else if (it->kind == OG_VALUE_U64) v[i] = (float)it->as.u;
            else return og_error_set(OG_E_INVALID, "nearest() query vector item %u is not a number", i);
        }
    } else if (qv.kind == OG_VALUE_STRING) {
        og_embed_config cfg;
        char *what = og_arena_sprintf(e->a, "`$%s.%s`", tv->name, p->name);
        char *text = og_arena_strndup(e->a, qv.as.s.ptr, qv.as.s.len);
        if (!what || !text) return og_error_set(OG_E_NOMEM, "out of memory");
        if ((rc = og_embed_config_from_env(&cfg))) return rc;
        int64_t left_ms = (e->deadline - og_clock_mono_us()) / 1000;   /* within the query's time limit */
        if (left_ms < 1) left_ms = 1;
        if (cfg.deadline_ms == 0 || cfg.deadline_ms > left_ms) cfg.deadline_ms = left_ms;
        if ((rc = og_embed_query(&cfg, text, qv.as.s.len, dim, p->embed_model, what, v))) return rc;
    } else {
        return og_error_set(OG_E_INVALID, "nearest() query for `$%s.%s` is null", tv->name, p->name);
    }
    *out = v;
    return OG_OK;
}

/* One ranking's hits, best first (search.h (4)). */
static og_status rank_list(ex *e, const rowset *r, const og_tc_expr *x, bool arm, og_search_cand **out,
                           size_t *n_out)
{
    og_status rc = OG_OK;
    og_search_cand *c = NULL, *a = NULL, *b = NULL;
    size_t n = 0, na = 0, nb = 0;
    og_search_terms qt = {0};
    og_search_index *idx = NULL;
    og_search_iquery iq = {0};
    *out = NULL;
    *n_out = 0;
    if (x->fn == OG_GQ_FN_RRF) {
        og_search_cand *f = NULL;
        int64_t k = OG_SEARCH_RRF_K;
        if (x->n_args > 2 && x->args[2]) {
            og_value kv;
            if ((rc = eval(e, x->args[2], NULL, &kv))) goto done;
            if (kv.kind == OG_VALUE_I64) k = kv.as.i;
            else if (kv.kind == OG_VALUE_U64) k = kv.as.u > INT64_MAX ? INT64_MAX : (int64_t)kv.as.u;
        }
        if (call_var(x->args[0]) != call_var(x->args[1])) {
            rc = og_error_set(OG_E_UNSUPPORTED, "rrf() arms must rank the same variable");
            goto done;
        }
        if ((rc = rank_list(e, r, x->args[0], true, &a, &na)) || (rc = rank_list(e, r, x->args[1], true, &b, &nb)))
            goto done;
        if ((rc = og_search_rrf(a, na, b, nb, k, &f, &n))) goto done;
        c = og_arena_memdup(e->a, f, (n + 1) * sizeof *f);
        free(f);
        if (!c) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        *out = c;
        *n_out = n;
        goto done;
    }
    const og_tc_expr *fx = x->args[0];
    const og_decl *t = e->q->vars[fx->var].type;
    const og_property *p = &t->props[fx->prop];
    if ((rc = rank_cands(e, r, fx->var, &c, &n))) goto done;
    if (!n) goto done;
    if (x->fn == OG_GQ_FN_NEAREST) {   /* brute force over the cached vectors */
        const float *q = NULL;
        uint32_t dim = p->type.vector_dim;
        if ((rc = nearest_query(e, x, dim, &q)) || (rc = prop_index(e, t, p, true, &idx))) goto done;
        for (size_t i = 0; i < n; i++) {
            uint32_t vd = 0;
            const float *v = og_search_index_vector(idx, c[i].id, c[i].id_len, &vd);
            if (!v || vd != dim) continue;
            c[i].score = og_search_l2(v, q, dim);
            c[i].hit = true;
            if ((rc = check_time(e))) goto done;
        }
        /* an rrf arm retrieves `limit` neighbours (surface.md §2.8); the
         * first ordering needs no more (rank_add) */
        if ((arm || (e->q->ranking && e->q->orders[0].expr == x)) && e->q->has_limit && e->q->limit >= 0)
            n = og_search_top(c, n, (size_t)e->q->limit, false);
        else
            n = og_search_sort_nearest(c, n);
    } else {   /* bm25 over the text index: whole-table statistics */
        bool qnull = false;
        if ((rc = text_query(e, x->args[1], NULL, &qt, &qnull))) goto done;
        if (qnull) { n = 0; goto ranked; }
        if ((rc = text_index(e, t, p, &idx)) || (rc = og_search_index_resolve(idx, &qt, -1, &iq))) goto done;
        for (size_t i = 0; i < n; i++) {
            uint32_t d = 0;
            if (og_search_index_doc(idx, c[i].id, c[i].id_len, &d)) c[i].score = og_search_index_bm25(idx, d, &iq, &c[i].hit);
            if ((rc = check_time(e))) goto done;
        }
        if (!arm && e->q->ranking && e->q->orders[0].expr == x && e->q->has_limit && e->q->limit >= 0)
            n = og_search_top(c, n, (size_t)e->q->limit, true);
        else   /* an rrf arm keeps every match */
            n = og_search_sort_bm25(c, n);
    }
ranked:
    *out = c;
    *n_out = n;
done:
    og_search_terms_free(&qt);
    og_search_iquery_free(&iq);
    og_search_index_release(idx);
    return rc;
}

static og_status rank_add(ex *e, const rowset *r, const og_tc_expr *x, size_t *cap)
{
    og_status rc = OG_OK;
    og_search_cand *c = NULL;
    size_t n = 0;
    for (size_t i = 0; i < e->n_ranks; i++) if (e->ranks[i].x == x) return OG_OK;
    if (e->n_ranks == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        rank *nr = og_arena_calloc(e->a, nc * sizeof *nr);
        if (!nr) return og_error_set(OG_E_NOMEM, "out of memory");
        if (e->n_ranks) memcpy(nr, e->ranks, e->n_ranks * sizeof *nr);
        e->ranks = nr;
        *cap = nc;
    }
    rank *k = &e->ranks[e->n_ranks];
    k->x = x;
    k->var = call_var(x);
    k->n = pool_rows(e, e->q->vars[k->var].type);
    if ((rc = charge(e, k->n * (sizeof *k->score + sizeof *k->pos)))) return rc;
    k->score = og_arena_calloc(e->a, (k->n + 1) * sizeof *k->score);
    k->pos = og_arena_calloc(e->a, (k->n + 1) * sizeof *k->pos);
    if (!k->score || !k->pos) return og_error_set(OG_E_NOMEM, "out of memory");
    if ((rc = rank_list(e, r, x, false, &c, &n))) return rc;
    /* the first ordering keeps `limit` entities: each has at least one
     * row, so no row of a later entity can reach the output */
    if (e->q->ranking && e->q->orders[0].expr == x && e->q->has_limit && e->q->limit >= 0 &&
        (uint64_t)e->q->limit < n)
        n = (size_t)e->q->limit;
    for (size_t i = 0; i < n; i++) {
        if (c[i].row < 0 || (size_t)c[i].row >= k->n) continue;
        k->score[c[i].row] = c[i].score;
        k->pos[c[i].row] = (uint32_t)(i + 1);
    }
    e->n_ranks++;
    return OG_OK;
}

static const rank *rank_find(const ex *e, const og_tc_expr *x)
{
    for (size_t i = 0; i < e->n_ranks; i++) if (e->ranks[i].x == x) return &e->ranks[i];
    return NULL;
}

static bool is_ranking(const og_tc_expr *x)
{
    return x->kind == OG_TC_CALL &&
           (x->fn == OG_GQ_FN_NEAREST || x->fn == OG_GQ_FN_BM25 || x->fn == OG_GQ_FN_RRF);
}

/* Every ranking call of the projections and orderings, then (first
 * ordering a ranking) the rows of unranked entities dropped. */
static og_status rank_all(ex *e, rowset *r)
{
    og_status rc = OG_OK;
    size_t cap = 0;
    const og_tc_query *q = e->q;
    for (size_t k = 0; k < q->n_orders; k++)
        if (is_ranking(q->orders[k].expr) && (rc = rank_add(e, r, q->orders[k].expr, &cap))) return rc;
    for (size_t p = 0; p < q->n_projs; p++)
        if (is_ranking(q->projs[p].expr) && (rc = rank_add(e, r, q->projs[p].expr, &cap))) return rc;
    if (!q->ranking || !q->n_orders) return OG_OK;
    const rank *k = rank_find(e, q->orders[0].expr);
    if (!k) return og_error_set(OG_E_INTERNAL, "ranking of the first ordering not computed");
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        int32_t *row = row_at(e, r, i);
        int32_t pr = row[k->var];
        if (pr < 0 || (size_t)pr >= k->n || !k->pos[pr]) continue;
        if (w != i) memmove(row_at(e, r, w), row, e->width * sizeof *row);
        w++;
    }
    r->n = w;
    return OG_OK;
}

static og_status eval_call(ex *e, const og_tc_expr *x, const int32_t *row, og_value *out)
{
    og_status rc = OG_OK;
    *out = og_val_null();
    if (!is_ranking(x)) {   /* search/fuzzy/match_text as a value */
        og_search_terms qt = {0}, doc = {0};
        int64_t edits = -1;
        bool qnull = false, hit = false;
        if (!(rc = text_edits(e, x, &edits)) && !(rc = text_query(e, x->args[1], row, &qt, &qnull)) && !qnull)
            rc = text_test(e, x, row, &qt, edits, &doc, &hit);
        og_search_terms_free(&qt);
        og_search_terms_free(&doc);
        if (!rc) *out = og_val_bool(hit);
        return rc;
    }
    const rank *k = rank_find(e, x);
    if (!k) return og_error_set(OG_E_UNSUPPORTED, "%s() is evaluated only in `return` and `order`",
                                og_gq_fn_name(x->fn));
    int32_t pr = row ? row[k->var] : -1;
    if (pr >= 0 && (size_t)pr < k->n && k->pos[pr]) *out = og_val_f64(k->score[pr]);
    return OG_OK;
}

/* keys[0] of a query whose first ordering is a ranking: its position. */
static og_value rank_key(ex *e, const og_tc_expr *x, const int32_t *row)
{
    const rank *k = rank_find(e, x);
    int32_t pr = row && k ? row[k->var] : -1;
    if (pr < 0 || (size_t)pr >= k->n || !k->pos[pr]) return og_val_null();
    return og_val_i64(k->pos[pr]);
}

/* Sort direction of ordering k: a ranking position ascends; a nearest
 * distance ascends; bm25 and rrf scores descend whatever was written. */
static bool order_desc(const og_tc_query *q, size_t k)
{
    const og_tc_expr *x = q->orders[k].expr;
    if (k == 0 && q->ranking) return false;
    if (x->kind == OG_TC_CALL && is_ranking(x)) return x->fn != OG_GQ_FN_NEAREST;
    return q->orders[k].desc;
}

/* ---- steps ---- */

static og_status filter_rows(ex *e, rowset *r, const og_tc_step *s)
{
    og_status rc = OG_OK;
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        int32_t *row = row_at(e, r, i);
        og_value l, rv;
        if ((rc = eval(e, s->left, row, &l)) || (rc = eval(e, s->right, row, &rv))) return rc;
        if ((rc = check_time(e))) return rc;
        if (test_op(s->fop, s->op, &l, &rv)) {
            if (w != i) memmove(row_at(e, r, w), row, e->width * sizeof *row);
            w++;
        }
    }
    r->n = w;
    return OG_OK;
}

static og_status pfilter_ok(ex *e, const og_tc_step *s, const int32_t *row, bool *ok)
{
    *ok = true;
    for (size_t k = 0; k < s->n_pfilters && *ok; k++) {
        og_value want, have;
        og_status rc = eval(e, s->pfilters[k].value, row, &want);
        if (!rc) rc = eval_prop(e, s->var, s->pfilters[k].prop, row, &have);
        if (rc) return rc;
        *ok = s->pfilters[k].membership ? list_has(&have, &want) : og_exv_eq(&have, &want);
    }
    return OG_OK;
}

static og_status check_bound_scan(ex *e, rowset *r, const og_tc_step *s)
{
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        int32_t *row = row_at(e, r, i);
        bool ok = false;
        og_status rc = pfilter_ok(e, s, row, &ok);
        if (rc) return rc;
        if (ok) {
            if (w != i) memmove(row_at(e, r, w), row, e->width * sizeof *row);
            w++;
        }
    }
    r->n = w;
    return OG_OK;
}

static og_gq_op flip(og_gq_op op)
{
    switch (op) {
    case OG_GQ_OP_GT: return OG_GQ_OP_LT;
    case OG_GQ_OP_LT: return OG_GQ_OP_GT;
    case OG_GQ_OP_GE: return OG_GQ_OP_LE;
    case OG_GQ_OP_LE: return OG_GQ_OP_GE;
    default: return op;
    }
}

static bool is_const(const og_tc_expr *x)
{
    return x->kind == OG_TC_LIT || x->kind == OG_TC_PARAM || x->kind == OG_TC_NOW;
}

static bool scalar_prop(const og_tc_var *tv, int prop)
{
    const og_prop_type *pt = &tv->type->props[prop].type;
    return !pt->list && pt->scalar != OG_SCALAR_VECTOR && pt->scalar != OG_SCALAR_BLOB;
}

/* Binds an unbound SCAN variable: pushed predicates (3), then a cross join. */
static og_status scan_join(ex *e, rowset *r, const og_tc_step *steps, size_t n, size_t si)
{
    og_status rc = OG_OK;
    const og_tc_step *s = &steps[si];
    const og_tc_var *tv = &e->q->vars[s->var];
    og_pred *preds = og_arena_calloc(e->a, (s->n_pfilters + n + 1) * sizeof *preds);
    size_t np = 0;
    ivec idx = {0};
    rowset out = {0};
    int32_t *cells = og_arena_alloc(e->a, e->width * sizeof *cells);
    bool never = false;
    if (!preds || !cells) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t k = 0; k < s->n_pfilters; k++) {
        og_value v;
        if (s->pfilters[k].membership) continue;
        if ((rc = eval(e, s->pfilters[k].value, NULL, &v))) goto done;
        if (v.kind == OG_VALUE_NULL) never = true;
        preds[np].column = tv->type->props[s->pfilters[k].prop].name;
        preds[np].op = OG_CMP_EQ;
        preds[np++].value = v;
    }
    for (size_t k = 0; k < n; k++) {   /* hoisted single-variable filters */
        const og_tc_step *f = &steps[k];
        if (f->kind != OG_TC_FILTER || f->fop != OG_TC_COMPARE) continue;
        const og_tc_expr *p = NULL, *c = NULL;
        og_gq_op op = f->op;
        if (f->left->kind == OG_TC_PROP && is_const(f->right)) { p = f->left; c = f->right; }
        else if (f->right->kind == OG_TC_PROP && is_const(f->left)) { p = f->right; c = f->left; op = flip(op); }
        if (!p || p->var != s->var || !scalar_prop(tv, p->prop)) continue;
        og_value v;
        if ((rc = eval(e, c, NULL, &v))) goto done;
        if (v.kind == OG_VALUE_NULL || v.kind == OG_VALUE_LIST) { never = never || v.kind == OG_VALUE_NULL; continue; }
        preds[np].column = tv->type->props[p->prop].name;
        preds[np].op = og_exec_cmp_of(op);
        preds[np++].value = v;
    }
    if (never) { r->n = 0; goto done; }
    if ((rc = pool_scan(e, tv->type, preds, np, &idx))) goto done;
    /* a resident pool checked every pushed equality exactly as pfilter_ok
     * would (same cell values for non-list properties): no second check */
    bool proven = e->pools[tv->type->index].res != NULL;
    for (size_t k = 0; k < s->n_pfilters && proven; k++)
        proven = !s->pfilters[k].membership && !tv->type->props[s->pfilters[k].prop].type.list;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < idx.len; j++) {
            memcpy(cells, row_at(e, r, i), e->width * sizeof *cells);
            cells[s->var] = idx.items[j];
            bool ok = proven;
            if (!proven && (rc = pfilter_ok(e, s, cells, &ok))) goto done;
            if (ok && (rc = rows_push(e, &out, cells))) goto done;
            if ((rc = check_time(e))) goto done;
        }
    }
    rows_free(r);
    *r = out;
    out.c = NULL;
done:
    rows_free(&out);
    og_vec_free(&idx);
    return rc;
}

/* Binds vars[var] to every node of type t (a traversal with no bound side). */
static og_status bind_all(ex *e, rowset *r, int var, const og_decl *t)
{
    og_status rc = OG_OK;
    ivec idx = {0};
    rowset out = {0};
    int32_t *cells = malloc(e->width * sizeof *cells);
    if (!cells) return og_error_set(OG_E_NOMEM, "out of memory");
    if ((rc = pool_scan(e, t, NULL, 0, &idx))) goto done;
    for (size_t i = 0; i < r->n; i++)
        for (size_t j = 0; j < idx.len; j++) {
            memcpy(cells, row_at(e, r, i), e->width * sizeof *cells);
            cells[var] = idx.items[j];
            if ((rc = rows_push(e, &out, cells)) || (rc = check_time(e))) goto done;
        }
    rows_free(r);
    *r = out;
    out.c = NULL;
done:
    rows_free(&out);
    free(cells);
    og_vec_free(&idx);
    return rc;
}

static og_status version_key(ex *e, const og_decl *t, og_table *tab, og_buf *key)
{
    const char *br = og_table_branch(tab);
    og_status rc = og_buf_printf(key, "%s|%llu|%llu|%s|%llu|", e->cat->identity_domain ? e->cat->identity_domain : "",
                                 (unsigned long long)t->type_id, (unsigned long long)t->table_incarnation_id,
                                 br ? br : "", (unsigned long long)og_table_version(tab));
    og_buf tk = OG_BUF_INIT;   /* og_graph_table_key replaces its buffer */
    if (!rc) rc = og_graph_table_key(t, &tk);
    if (!rc) rc = og_buf_append_str(key, og_buf_cstr(&tk));
    og_buf_free(&tk);
    return rc;
}

typedef struct hit { size_t row; uint32_t node; int32_t edge; } hit;
typedef OG_VEC(hit) hitvec;
typedef OG_VEC(uint32_t) u32vec;

/* BFS of §2.4 from dense node s; appends hits for input row `row`. The
 * marks are taken on first need (*mkp); one hop over a short adjacency
 * dedupes against its own hits instead (no random mark accesses). */
static og_status bfs(ex *e, const og_exec_csr *g, og_exec_marks **mkp, uint32_t s, og_tc_dir dir,
                     bool same, int64_t min, int64_t max, size_t row, hitvec *hits)
{
    og_status rc = OG_OK;
    u32vec fr = {0}, nx = {0};
    if (max == 1) {   /* one hop: no frontier, emitted targets alone dedupe */
        uint32_t deg = 0;
        if (dir != OG_TC_IN) deg += g->out_off[s + 1] - g->out_off[s];
        if (dir != OG_TC_OUT) deg += g->in_off[s + 1] - g->in_off[s];
        if (min > 1 || deg == 0) goto done;
        if ((rc = check_time(e))) goto done;
        if (deg <= 32) {
            size_t first = hits->len;
            for (int pass = 0; pass < 2; pass++) {
                if ((pass == 0 && dir == OG_TC_IN) || (pass == 1 && dir == OG_TC_OUT)) continue;
                const uint32_t *off = pass == 0 ? g->out_off : g->in_off;
                const uint32_t *tgt = pass == 0 ? g->out_tgt : g->in_tgt;
                for (uint32_t k = off[s]; k < off[s + 1]; k++) {
                    uint32_t w = tgt[k];
                    bool dup = false;
                    for (size_t h = first; h < hits->len && !dup; h++) dup = hits->items[h].node == w;
                    if (dup) continue;
                    hit h = {row, w, -1};
                    if ((rc = og_vec_push(hits, h))) goto done;
                }
            }
            goto done;
        }
    }
    if (!*mkp && (rc = og_exec_marks_get(g->n_nodes, mkp))) goto done;
    og_exec_marks *mk = *mkp;
    uint32_t *vis = mk->vis, *emit = mk->emit;
    uint32_t gen = ++mk->gen;
    if (gen == 0) {  /* wrapped: reset the marks */
        memset(vis, 0, mk->n * sizeof *vis);
        memset(emit, 0, mk->n * sizeof *emit);
        gen = mk->gen = 1;
    }
    if (max == 1) {
        for (int pass = 0; pass < 2; pass++) {
            if ((pass == 0 && dir == OG_TC_IN) || (pass == 1 && dir == OG_TC_OUT)) continue;
            const uint32_t *off = pass == 0 ? g->out_off : g->in_off;
            const uint32_t *tgt = pass == 0 ? g->out_tgt : g->in_tgt;
            for (uint32_t k = off[s]; k < off[s + 1]; k++) {
                uint32_t w = tgt[k];
                if (emit[w] == gen) continue;
                emit[w] = gen;
                hit h = {row, w, -1};
                if ((rc = og_vec_push(hits, h))) goto done;
            }
        }
        goto done;
    }
    if (same) vis[s] = gen;
    if ((rc = og_vec_push(&fr, s))) goto done;
    for (int64_t hop = 1; hop <= max && fr.len; hop++) {
        nx.len = 0;
        for (size_t f = 0; f < fr.len; f++) {
            uint32_t u = fr.items[f];
            for (int pass = 0; pass < 2; pass++) {
                const uint32_t *off, *tgt;
                if (pass == 0 && dir == OG_TC_IN) continue;
                if (pass == 1 && dir == OG_TC_OUT) continue;
                off = pass == 0 ? g->out_off : g->in_off;
                tgt = pass == 0 ? g->out_tgt : g->in_tgt;
                for (uint32_t k = off[u]; k < off[u + 1]; k++) {
                    uint32_t w = tgt[k];
                    if ((rc = check_time(e))) goto done;
                    if (!same) {
                        if (hop >= min && emit[w] != gen) {
                            emit[w] = gen;
                            hit h = {row, w, -1};
                            if ((rc = og_vec_push(hits, h))) goto done;
                        }
                        continue;
                    }
                    if (w == u) {   /* self-loop: emit, never re-enter */
                        if (hop >= min && emit[w] != gen) {
                            emit[w] = gen;
                            hit h = {row, w, -1};
                            if ((rc = og_vec_push(hits, h))) goto done;
                        }
                        continue;
                    }
                    if (vis[w] == gen) continue;
                    vis[w] = gen;
                    if (hop >= min && emit[w] != gen) {
                        emit[w] = gen;
                        hit h = {row, w, -1};
                        if ((rc = og_vec_push(hits, h))) goto done;
                    }
                    if ((rc = og_vec_push(&nx, w))) goto done;
                }
            }
        }
        if ((rc = charge(e, nx.len * 4))) goto done;
        u32vec t = fr; fr = nx; nx = t;
    }
done:
    og_vec_free(&fr);
    og_vec_free(&nx);
    return rc;
}

static og_status traverse(ex *e, rowset *r, const og_tc_step *s, bool *bound)
{
    og_status rc = OG_OK;
    bool from_src = s->src >= 0 && bound[s->src];
    int sv = from_src ? s->src : s->dst;
    int ov = from_src ? s->dst : s->src;
    og_tc_dir dir = s->dir;
    if (!from_src && dir != OG_TC_BOTH) dir = dir == OG_TC_OUT ? OG_TC_IN : OG_TC_OUT;
    const og_decl *ed = s->edge;
    const og_decl *other = &e->cat->types[dir == OG_TC_IN ? ed->from_index : ed->to_index];
    bool same = ed->from_index == ed->to_index;
    int64_t min = s->min_hops, max = s->max_hops;
    if (!same && max > 1) max = 1;
    og_exec_csr *g = NULL;
    og_exec_marks *mk = NULL;
    bool cached = false;
    og_table *tab = NULL;
    og_buf key = OG_BUF_INIT;
    hitvec hits = {0};
    rowset out = {0};
    const char **names = NULL;
    int32_t *cells = og_arena_alloc(e->a, e->width * sizeof *cells);
    if (!cells) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (max < 0) { rc = og_error_set(OG_E_INVALID, "unbounded traversal is disabled"); goto done; }

    if (s->edge_var >= 0) {
        if (!e->ecsr[ed->index]) {
            if (!e->pools[ed->index].full && (rc = pool_scan(e, ed, NULL, 0, NULL))) goto done;
            const og_column *sc = pool_col(e, ed, "src"), *dc = pool_col(e, ed, "dst");
            if (sc && dc && (rc = og_exec_csr_build(sc, dc, &e->ecsr[ed->index]))) goto done;
        }
        g = e->ecsr[ed->index];
    } else {
        if (e->vc && ed->index < e->vc->n && e->vc->csr[ed->index]) {
            g = e->vc->csr[ed->index];
            og_exec_csr_retain(g);
        } else {
            if ((rc = og_graph_view_table(e->v, ed, &tab))) goto done;
            if ((rc = version_key(e, ed, tab, &key))) goto done;
            if ((rc = og_exec_csr_get(og_buf_cstr(&key), tab, &g))) goto done;
            if (e->vc && ed->index < e->vc->n) {
                og_exec_csr_retain(g);
                e->vc->csr[ed->index] = g;
            }
        }
        cached = true;
    }
        /* dense id <-> pool row without hashing ids, when both pools are resident */
    const int32_t *o_node_row = NULL;
    const uint32_t *s_row_node = NULL, *unused = NULL;
    const og_decl *st_ = e->q->vars[sv].type;
    if (g && cached && e->pools[other->index].res &&
        (rc = og_exec_csr_rowmap(g, e->pools[other->index].res, &o_node_row, &unused))) goto done;
    if (g && cached && e->pools[st_->index].res) {
        const int32_t *unused2 = NULL;
        if ((rc = og_exec_csr_rowmap(g, e->pools[st_->index].res, &unused2, &s_row_node))) goto done;
    }

    for (size_t i = 0; g && i < r->n; i++) {
        const int32_t *row = row_at(e, r, i);
        uint32_t sd;
        if (s_row_node) {
            sd = s_row_node[row[sv]];
            if (sd == UINT32_MAX) continue;
        } else {
            size_t n = 0;
            const char *sid = pool_id(e, st_, row[sv], &n);
            if (!og_exec_csr_find(g, sid, n, &sd)) continue;
        }
        if (s->edge_var >= 0) {
            for (int pass = 0; pass < 2; pass++) {
                if ((pass == 0 && dir == OG_TC_IN) || (pass == 1 && dir == OG_TC_OUT)) continue;
                const uint32_t *off = pass == 0 ? g->out_off : g->in_off;
                const uint32_t *tgt = pass == 0 ? g->out_tgt : g->in_tgt;
                const uint32_t *eg = pass == 0 ? g->out_edge : g->in_edge;
                for (uint32_t k = off[sd]; k < off[sd + 1]; k++) {
                    if (pass == 1 && dir == OG_TC_BOTH && tgt[k] == sd) continue; /* self-loop once */
                    hit h = {i, tgt[k], (int32_t)eg[k]};
                    if ((rc = og_vec_push(&hits, h)) || (rc = check_time(e))) goto done;
                }
            }
        } else {
            if ((rc = bfs(e, g, &mk, sd, dir, same, min, max, i, &hits))) goto done;
        }
    }
    if ((rc = charge(e, hits.len * sizeof(hit)))) goto done;

    if (ov >= 0 && !bound[ov] && hits.len && !o_node_row) {
        names = malloc(hits.len * sizeof *names);
        if (!names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t h = 0; h < hits.len; h++) names[h] = g->names[hits.items[h].node];
        if ((rc = pool_fetch(e, other, names, hits.len))) goto done;
    }
    if (o_node_row)   /* overlap the far side's random row lookups */
        for (size_t h = 0; h < hits.len && h < 64; h++) __builtin_prefetch(&o_node_row[hits.items[h].node]);
    size_t last_row = (size_t)-1;
    for (size_t h = 0; h < hits.len; h++) {
        const hit *ht = &hits.items[h];
        const int32_t *row = row_at(e, r, ht->row);
        const char *dn = g->names[ht->node];
        memcpy(cells, row, e->width * sizeof *cells);
        if (o_node_row) {   /* resident far side: the row by dense id */
            int32_t at = o_node_row[ht->node];
            if (at < 0) continue;   /* dangling */
            if (ov >= 0 && bound[ov]) {
                if (row[ov] != at) continue;
                if (s->edge_var < 0 && last_row == ht->row) continue;
            } else if (ov >= 0) {
                cells[ov] = at;
            }
        } else if (ov >= 0) {
            if (bound[ov]) {
                size_t n = 0;
                const char *want = pool_id(e, other, row[ov], &n);
                if (n != strlen(dn) || memcmp(want, dn, n) != 0) continue;
                if (s->edge_var < 0 && last_row == ht->row) continue;
            } else {
                int32_t at;
                if (!pool_find(e, other, dn, strlen(dn), &at)) continue;  /* dangling */
                cells[ov] = at;
            }
        } else {
            int32_t at;   /* anonymous end: still needs an existing node */
            if ((rc = pool_fetch(e, other, &dn, 1))) goto done;
            if (!pool_find(e, other, dn, strlen(dn), &at)) continue;
        }
        if (s->edge_var >= 0) cells[s->edge_var] = ht->edge;
        last_row = ht->row;
        if ((rc = rows_push(e, &out, cells))) goto done;
    }
    rows_free(r);
    *r = out;
    out.c = NULL;
    bound[sv] = true;
    if (ov >= 0) bound[ov] = true;
    if (s->edge_var >= 0) bound[s->edge_var] = true;
done:
    og_exec_marks_put(mk);
    if (cached && g) og_exec_csr_release(g);
    og_buf_free(&key);
    og_vec_free(&hits);
    rows_free(&out);
    free(names);
    return rc;
}

static og_status run_steps(ex *e, const og_tc_step *steps, size_t n, rowset *r, bool *bound);

static og_status anti(ex *e, rowset *r, const og_tc_step *s, const bool *bound)
{
    og_status rc = OG_OK;
    rowset c = {0};
    bool *b2 = malloc(e->q->n_vars + 1);
    bool *matched = calloc(r->n + 1, 1);
    if (!b2 || !matched) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    memcpy(b2, bound, e->q->n_vars);
    for (size_t i = 0; i < r->n; i++) {
        if ((rc = rows_push(e, &c, row_at(e, r, i)))) goto done;
        row_at(e, &c, i)[e->width - 1] = (int32_t)i;
    }
    if ((rc = run_steps(e, s->body, s->n_body, &c, b2))) goto done;
    for (size_t i = 0; i < c.n; i++) matched[row_at(e, &c, i)[e->width - 1]] = true;
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (matched[i]) continue;
        if (w != i) memmove(row_at(e, r, w), row_at(e, r, i), e->width * sizeof(int32_t));
        w++;
    }
    r->n = w;
done:
    rows_free(&c);
    free(b2);
    free(matched);
    return rc;
}

static int scan_score(ex *e, const og_tc_step *s)
{
    int best = 0;
    const og_decl *t = e->q->vars[s->var].type;
    for (size_t k = 0; k < s->n_pfilters; k++) {
        const og_property *p = &t->props[s->pfilters[k].prop];
        int sc = 1;
        if (!s->pfilters[k].membership) {
            if (p->is_key) sc = 3;
            else if (p->is_index || p->is_unique) sc = 2;
        }
        if (sc > best) best = sc;
    }
    return best;
}

static uint64_t table_rows(ex *e, const og_decl *t)
{
    og_table *tab = NULL;
    if (og_graph_view_table(e->v, t, &tab) || !tab) return UINT64_MAX;
    return og_table_count_rows(tab);
}

static og_status run_steps(ex *e, const og_tc_step *steps, size_t n, rowset *r, bool *bound)
{
    og_status rc = OG_OK;
    bool *done_ = og_arena_calloc(e->a, n + 1);
    bool *used = og_arena_alloc(e->a, e->q->n_vars + 1);
    if (!done_ || !used) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto out; }
    for (;;) {
        bool progress = false, left = false;
        for (size_t k = 0; k < n; k++) {   /* filters (and text searches) as soon as bound */
            if (done_[k] || (steps[k].kind != OG_TC_FILTER && steps[k].kind != OG_TC_TEXT)) continue;
            memset(used, 0, e->q->n_vars + 1);
            expr_vars(steps[k].left, used);
            expr_vars(steps[k].right, used);
            expr_vars(steps[k].call, used);
            bool ready = true;
            for (size_t v = 0; v < e->q->n_vars; v++) if (used[v] && !bound[v]) ready = false;
            if (!ready) continue;
            if ((rc = steps[k].kind == OG_TC_TEXT ? text_rows(e, r, &steps[k]) : filter_rows(e, r, &steps[k])))
                goto out;
            done_[k] = true;
        }
        for (size_t k = 0; k < n && !progress; k++) {
            const og_tc_step *s = &steps[k];
            if (done_[k]) continue;
            if (s->kind == OG_TC_SCAN && bound[s->var]) {
                if ((rc = check_bound_scan(e, r, s))) goto out;
                done_[k] = progress = true;
            } else if (s->kind == OG_TC_TRAVERSE &&
                       ((s->src >= 0 && bound[s->src]) || (s->dst >= 0 && bound[s->dst]))) {
                if ((rc = traverse(e, r, s, bound))) goto out;
                done_[k] = progress = true;
            }
        }
        if (progress) continue;
        /* the anchor: the most selective unbound scan */
        int best = -1, bs = -1;
        uint64_t brows = UINT64_MAX;
        for (size_t k = 0; k < n; k++) {
            if (done_[k] || steps[k].kind != OG_TC_SCAN) continue;
            int sc = scan_score(e, &steps[k]);
            uint64_t nr = sc >= 2 ? 0 : table_rows(e, e->q->vars[steps[k].var].type);
            if (sc > bs || (sc == bs && nr < brows)) { best = (int)k; bs = sc; brows = nr; }
        }
        if (best >= 0) {
            if ((rc = scan_join(e, r, steps, n, (size_t)best))) goto out;
            bound[steps[best].var] = true;
            done_[best] = true;
            continue;
        }
        for (size_t k = 0; k < n && !progress; k++) {
            const og_tc_step *s = &steps[k];
            if (done_[k] || s->kind != OG_TC_TRAVERSE) continue;
            int v = s->src >= 0 ? s->src : s->dst;
            if (v < 0) {   /* `$_ edge $_`: rows survive iff an edge exists */
                og_table *tab = NULL;
                if ((rc = og_graph_view_table(e->v, s->edge, &tab))) goto out;
                if (og_table_count_rows(tab) == 0) r->n = 0;
                done_[k] = progress = true;
                continue;
            }
            const og_decl *t = &e->cat->types[(v == s->src) == (s->dir != OG_TC_IN) ? s->edge->from_index
                                                                                     : s->edge->to_index];
            if ((rc = bind_all(e, r, v, t))) goto out;
            bound[v] = true;
            progress = true;
        }
        if (progress) continue;
        for (size_t k = 0; k < n; k++) {
            if (done_[k]) continue;
            if (steps[k].kind == OG_TC_ANTI) {
                if ((rc = anti(e, r, &steps[k], bound))) goto out;
                done_[k] = true;
            } else {
                left = true;
            }
        }
        if (left) { rc = og_error_set(OG_E_INTERNAL, "query plan left a step unresolved"); goto out; }
        break;
    }
out:
    return rc;
}

/* ---- projection, aggregation, order ---- */

typedef struct orow {
    og_value *vals;     /* n_projs */
    og_value *keys;     /* n_orders */
    size_t src;         /* working row (or group's first row) */
    size_t seq;
} orow;

typedef OG_VEC(orow) orowvec;

typedef struct sort_ctx {
    const og_tc_query *q;
    ex *e;
    const rowset *r;
    int *tie;           /* var indices, name order */
    size_t n_tie;
} sort_ctx;

static _Thread_local sort_ctx *g_sort;

static int val_order(const og_value *a, const og_value *b, bool desc)
{
    bool an = a->kind == OG_VALUE_NULL, bn = b->kind == OG_VALUE_NULL;
    if (an || bn) {
        if (an && bn) return 0;
        /* nulls first ascending, last descending */
        return an ? (desc ? 1 : -1) : (desc ? -1 : 1);
    }
    bool ok = false;
    int c = og_exv_cmp(a, b, &ok);
    return desc ? -c : c;
}

static int orow_cmp(const void *pa, const void *pb)
{
    const orow *a = pa, *b = pb;
    sort_ctx *s = g_sort;
    for (size_t k = 0; k < s->q->n_orders; k++) {
        int c = val_order(&a->keys[k], &b->keys[k], order_desc(s->q, k));
        if (c) return c;
    }
    if (s->q->has_agg)   /* groups: ties by the group key values, ascending */
        for (size_t p = 0; p < s->q->n_projs; p++) {
            if (s->q->projs[p].is_agg) continue;
            int c = val_order(&a->vals[p], &b->vals[p], false);
            if (c) return c;
        }
    for (size_t t = 0; t < s->n_tie; t++) {
        int v = s->tie[t];
        const int32_t *ra = row_at(s->e, s->r, a->src), *rb = row_at(s->e, s->r, b->src);
        if (ra[v] < 0 || rb[v] < 0) continue;
        size_t na = 0, nb = 0;
        const char *ia = pool_id(s->e, s->q->vars[v].type, ra[v], &na);
        const char *ib = pool_id(s->e, s->q->vars[v].type, rb[v], &nb);
        size_t m = na < nb ? na : nb;
        int c = m ? memcmp(ia, ib, m) : 0;
        if (!c) c = (na > nb) - (na < nb);
        if (c) return c;
        if (s->q->vars[v].is_edge && ra[v] != rb[v]) return ra[v] < rb[v] ? -1 : 1;
    }
    return (a->seq > b->seq) - (a->seq < b->seq);
}

typedef struct agg_state {
    uint64_t count;
    double sum;
    bool any;
    og_value best;
} agg_state;

static og_status agg_feed(ex *e, const og_tc_expr *x, const int32_t *row, agg_state *st)
{
    og_value v;
    const og_tc_expr *arg = x->args[0];
    og_status rc = eval(e, arg, row, &v);
    if (rc) return rc;
    if (v.kind == OG_VALUE_NULL) return OG_OK;
    st->count++;
    switch (x->agg) {
    case OG_GQ_AGG_COUNT: break;
    case OG_GQ_AGG_SUM: case OG_GQ_AGG_AVG:
        st->sum += v.kind == OG_VALUE_F64 ? v.as.f : v.kind == OG_VALUE_U64 ? (double)v.as.u : (double)v.as.i;
        st->any = true;
        break;
    case OG_GQ_AGG_MIN: case OG_GQ_AGG_MAX: {
        bool ok = false;
        int c = st->any ? og_exv_cmp(&v, &st->best, &ok) : 0;
        if (!st->any || (ok && (x->agg == OG_GQ_AGG_MIN ? c < 0 : c > 0))) st->best = v;
        st->any = true;
        break;
    }
    }
    return OG_OK;
}

static og_value agg_result(const og_tc_expr *x, const agg_state *st)
{
    switch (x->agg) {
    case OG_GQ_AGG_COUNT: return og_val_i64((int64_t)st->count);
    case OG_GQ_AGG_SUM: return st->any ? og_val_f64(st->sum) : og_val_null();
    case OG_GQ_AGG_AVG: return st->any ? og_val_f64(st->sum / (double)st->count) : og_val_null();
    default: return st->any ? st->best : og_val_null();
    }
}

static og_status order_keys(ex *e, const int32_t *row, orow *o)
{
    for (size_t k = 0; k < e->q->n_orders; k++) {
        const og_tc_expr *x = e->q->orders[k].expr;
        og_status rc;
        if (x->kind == OG_TC_ALIAS) { o->keys[k] = o->vals[x->alias]; continue; }
        if (x->kind == OG_TC_AGG) {   /* same aggregate as a projection */
            bool found = false;
            for (size_t p = 0; p < e->q->n_projs && !found; p++)
                if (e->q->projs[p].expr == x) { o->keys[k] = o->vals[p]; found = true; }
            if (!found) o->keys[k] = og_val_null();
            continue;
        }
        if (k == 0 && e->q->ranking) { o->keys[k] = rank_key(e, x, row); continue; }
        if ((rc = eval(e, x, row, &o->keys[k]))) return rc;
    }
    return OG_OK;
}

/* Starts the cache misses of the projected string cells of the first rows
 * all at once (a resident pool's rows are random), so they overlap instead
 * of queueing row after row: offsets first, then the bytes they point at. */
static void prefetch_projs(ex *e, const rowset *r)
{
    const og_tc_query *q = e->q;
    size_t n = r->n < 32 ? r->n : 32;
    for (size_t p = 0; p < q->n_projs; p++) {
        const og_tc_expr *x = q->projs[p].expr;
        if (x->kind != OG_TC_PROP || x->prop < 0) continue;
        const og_decl *t = q->vars[x->var].type;
        if (!e->pools[t->index].res) continue;
        const og_column *c = pool_col(e, t, t->props[x->prop].name);
        if (!c || (c->type.id != OG_TYPE_UTF8 && c->type.id != OG_TYPE_BINARY) || !c->data.data) continue;
        for (size_t i = 0; i < n; i++) {
            int32_t row = row_at(e, r, i)[x->var];
            if (row >= 0) __builtin_prefetch(c->offs.data + (size_t)row * 8);
        }
        for (size_t i = 0; i < n; i++) {
            int32_t row = row_at(e, r, i)[x->var];
            uint64_t b;
            if (row < 0) continue;
            memcpy(&b, c->offs.data + (size_t)row * 8, 8);
            __builtin_prefetch(c->data.data + b);
        }
    }
}

static og_status build_output(ex *e, const rowset *r, orowvec *outv)
{
    og_status rc = OG_OK;
    const og_tc_query *q = e->q;
    og_map *groups = NULL;
    og_buf kb = OG_BUF_INIT;
    agg_state *states = NULL;
    size_t ng = 0, capg = 0;
    if (!q->has_agg) {
        prefetch_projs(e, r);
        for (size_t i = 0; i < r->n; i++) {
            orow o = {0};
            o.vals = og_arena_calloc(e->a, (q->n_projs + 1) * sizeof *o.vals);
            o.keys = og_arena_calloc(e->a, (q->n_orders + 1) * sizeof *o.keys);
            if (!o.vals || !o.keys) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
            for (size_t p = 0; p < q->n_projs; p++)
                if ((rc = eval(e, q->projs[p].expr, row_at(e, r, i), &o.vals[p]))) goto done;
            if ((rc = order_keys(e, row_at(e, r, i), &o))) goto done;
            o.src = i;
            o.seq = i;
            if ((rc = og_vec_push(outv, o)) || (rc = check_time(e))) goto done;
            if ((rc = charge(e, 64 + q->n_projs * sizeof(og_value)))) goto done;
        }
        goto done;
    }
    if (!(groups = og_map_new())) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    bool has_keys = false;
    for (size_t p = 0; p < q->n_projs; p++) if (!q->projs[p].is_agg) has_keys = true;
    for (size_t i = 0; i < r->n; i++) {
        const int32_t *row = row_at(e, r, i);
        og_value *kv = og_arena_calloc(e->a, (q->n_projs + 1) * sizeof *kv);
        if (!kv) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        og_buf_clear(&kb);
        for (size_t p = 0; p < q->n_projs; p++) {
            if (q->projs[p].is_agg) continue;
            if ((rc = eval(e, q->projs[p].expr, row, &kv[p])) || (rc = og_exv_key(&kv[p], &kb))) goto done;
        }
        void *gv = NULL;
        size_t gi;
        if (!has_keys && ng == 1) {   /* one implicit group: no key to hash */
            gi = 0;
        } else if (og_map_get(groups, kb.data ? (const char *)kb.data : "", kb.len, &gv)) {
            gi = (size_t)(uintptr_t)gv - 1;
        } else {
            if (ng == capg) {
                size_t nc = capg ? capg * 2 : 16;
                agg_state *ns = realloc(states, nc * (q->n_projs + 1) * sizeof *ns);
                if (!ns) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
                states = ns;
                capg = nc;
            }
            gi = ng++;
            memset(&states[gi * (q->n_projs + 1)], 0, (q->n_projs + 1) * sizeof *states);
            char *k = og_arena_memdup(e->a, kb.data ? (const char *)kb.data : "", kb.len ? kb.len : 1);
            if (!k) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
            if ((rc = og_map_put(groups, k, kb.len, (void *)(uintptr_t)(gi + 1), NULL))) goto done;
            orow o = {0};
            o.vals = kv;
            o.keys = og_arena_calloc(e->a, (q->n_orders + 1) * sizeof *o.keys);
            if (!o.keys) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
            o.src = i;
            o.seq = gi;
            if ((rc = og_vec_push(outv, o))) goto done;
            if ((rc = charge(e, 128 + q->n_projs * (sizeof(og_value) + sizeof(agg_state))))) goto done;
        }
        for (size_t p = 0; p < q->n_projs; p++)
            if (q->projs[p].is_agg &&
                (rc = agg_feed(e, q->projs[p].expr, row, &states[gi * (q->n_projs + 1) + p]))) goto done;
        if ((rc = check_time(e))) goto done;
    }
    if (ng == 0 && !has_keys) {   /* zero input rows, no group keys: one row */
        orow o = {0};
        o.vals = og_arena_calloc(e->a, (q->n_projs + 1) * sizeof *o.vals);
        o.keys = og_arena_calloc(e->a, (q->n_orders + 1) * sizeof *o.keys);
        if (!o.vals || !o.keys) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        agg_state zero = {0};
        for (size_t p = 0; p < q->n_projs; p++) o.vals[p] = agg_result(q->projs[p].expr, &zero);
        o.src = (size_t)-1;
        if ((rc = og_vec_push(outv, o))) goto done;
        goto done;
    }
    for (size_t gi = 0; gi < outv->len; gi++) {
        orow *o = &outv->items[gi];
        for (size_t p = 0; p < q->n_projs; p++)
            if (q->projs[p].is_agg) o->vals[p] = agg_result(q->projs[p].expr, &states[gi * (q->n_projs + 1) + p]);
        if ((rc = order_keys(e, row_at(e, r, o->src), o))) goto done;
    }
done:
    og_map_free(groups);
    og_buf_free(&kb);
    free(states);
    return rc;
}

static void heap_down(orow *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && orow_cmp(&h[l], &h[m]) > 0) m = l;
        if (r < n && orow_cmp(&h[r], &h[m]) > 0) m = r;
        if (m == i) return;
        orow t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

/* ORDER + LIMIT k: a bounded max-heap keeps the k first rows of the total
 * order orow_cmp (O(n log k)); they end up sorted in items[0..k). */
static void topk(orow *items, size_t n, size_t k)
{
    if (k == 0) return;
    for (size_t i = k / 2; i-- > 0;) heap_down(items, k, i);
    for (size_t i = k; i < n; i++)
        if (orow_cmp(&items[i], &items[0]) < 0) {
            orow t = items[0]; items[0] = items[i]; items[i] = t;
            heap_down(items, k, 0);
        }
    qsort(items, k, sizeof *items, orow_cmp);
}

static int name_cmp_ctx(const void *a, const void *b)
{
    const og_tc_var *vars = g_sort->q->vars;
    return strcmp(vars[*(const int *)a].name, vars[*(const int *)b].name);
}

void og_exec_result_clear(og_exec_result *r)
{
    if (!r) return;
    json_decref(r->columns);
    json_decref(r->rows);
    r->columns = r->rows = NULL;
    r->u64_marker[0] = 0;
}

static bool needs_marker(const og_value *v)
{
    if (v->kind == OG_VALUE_U64) return v->as.u > (uint64_t)INT64_MAX;
    if (v->kind != OG_VALUE_LIST) return false;
    for (size_t i = 0; i < v->as.list.n; i++) if (needs_marker(&v->as.list.items[i])) return true;
    return false;
}

/* exec.h (5): "\x01" + a fresh ULID + ":". */
static og_status make_marker(og_exec_result *r)
{
    og_ulid u;
    og_status rc = og_ulid_new(&u);
    if (!rc) snprintf(r->u64_marker, sizeof r->u64_marker, "\x01%s:", u.s);
    return rc;
}

void og_exec_vcache_clear(og_exec_vcache *vc)
{
    if (!vc) return;
    for (size_t i = 0; i < vc->n; i++) {
        og_exec_res_release(vc->res ? vc->res[i] : NULL);
        if (vc->csr && vc->csr[i]) og_exec_csr_release(vc->csr[i]);
    }
    free(vc->res);
    free(vc->csr);
    og_arena_destroy(vc->a);
    memset(vc, 0, sizeof *vc);
}

og_status og_exec_query(og_graph_view *v, const og_tc_query *q, const og_params *params,
                        const og_exec_limits *lim, og_exec_result *out)
{
    return og_exec_query_vc(v, NULL, q, params, lim, out);
}

og_status og_exec_query_vc(og_graph_view *v, og_exec_vcache *vc, const og_tc_query *q,
                           const og_params *params, const og_exec_limits *lim, og_exec_result *out)
{
    og_status rc = OG_OK;
    ex e = {0};
    rowset r = {0};
    bool *bound = NULL;
    int32_t *cells = NULL;
    orowvec ov = {0};
    sort_ctx sc = {0};
    out->columns = out->rows = NULL;
    if (!v || !q || !out) return og_error_set(OG_E_INVALID, "og_exec_query: NULL argument");
    if (q->is_mutation) return og_error_set(OG_E_INVALID, "query '%s' is a mutation", q->ast ? q->ast->name : "");
    e.v = v;
    e.vc = vc;
    e.q = q;
    e.cat = q->cat;
    e.params = params;
    e.width = q->n_vars + 1;
    e.now_us = og_clock_now_us();
    e.deadline = og_clock_mono_us() + (lim && lim->timeout_us > 0 ? lim->timeout_us : DEFAULT_TIMEOUT_US);
    e.mem_budget = lim && lim->memory_bytes ? lim->memory_bytes : DEFAULT_MEMORY;
    if (vc && !vc->a) vc->a = og_arena_create(NULL, "exec");
    e.a = vc && vc->a ? vc->a : og_arena_create(NULL, "exec");
    if (e.a) {   /* per-query scratch lives in the arena (reused across a session's queries) */
        e.pools = og_arena_calloc(e.a, (e.cat->n_types + 1) * sizeof *e.pools);
        e.ecsr = og_arena_calloc(e.a, (e.cat->n_types + 1) * sizeof *e.ecsr);
        bound = og_arena_calloc(e.a, q->n_vars + 1);
        cells = og_arena_alloc(e.a, e.width * sizeof *cells);
    }
    if (!e.a || !e.pools || !e.ecsr || !bound || !cells) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < e.width; i++) cells[i] = -1;
    cells[e.width - 1] = 0;
    if ((rc = rows_push(&e, &r, cells))) goto done;
    if ((rc = run_steps(&e, q->steps, q->n_steps, &r, bound))) goto done;
    if ((rc = rank_all(&e, &r))) goto done;
    if ((rc = build_output(&e, &r, &ov))) goto done;

    sc.q = q;
    sc.e = &e;
    sc.r = &r;
    g_sort = &sc;
    if (!q->has_agg) {
        sc.tie = og_arena_calloc(e.a, (q->n_vars + 1) * sizeof *sc.tie);
        if (!sc.tie) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t i = 0; i < q->n_vars; i++)
            if (q->vars[i].scope == 0 && bound[i]) sc.tie[sc.n_tie++] = (int)i;
        qsort(sc.tie, sc.n_tie, sizeof *sc.tie, name_cmp_ctx);
    }
    if (q->n_orders && ov.len > 1) {
        if (q->has_limit && q->limit >= 0 && (uint64_t)q->limit < ov.len / 2) topk(ov.items, ov.len, (size_t)q->limit);
        else qsort(ov.items, ov.len, sizeof *ov.items, orow_cmp);
    }
    g_sort = NULL;

    size_t n_out = ov.len;
    if (q->has_limit && q->limit >= 0 && (uint64_t)q->limit < n_out) n_out = (size_t)q->limit;
    out->columns = json_array();
    out->rows = json_array();
    if (!out->columns || !out->rows) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    bool keys_ok = true;   /* every column name is valid UTF-8: rows skip the key check */
    for (size_t p = 0; p < q->n_projs; p++) {
        json_t *name = json_string(q->projs[p].column);
        if (!name) keys_ok = false;
        json_array_append_new(out->columns, name);
    }
    for (size_t i = 0; i < n_out; i++) {
        json_t *o = json_object();
        if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t p = 0; p < q->n_projs; p++) {
            const og_value *val = &ov.items[i].vals[p];
            if (!out->u64_marker[0] && needs_marker(val) && (rc = make_marker(out))) {
                json_decref(o);
                goto done;
            }
            json_t *jv = og_exv_json_m(val, out->u64_marker);
            if (keys_ok) json_object_set_new_nocheck(o, q->projs[p].column, jv);
            else json_object_set_new(o, q->projs[p].column, jv);
        }
        json_array_append_new(out->rows, o);
    }
done:
    g_sort = NULL;
    if (rc) og_exec_result_clear(out);
    for (size_t i = 0; e.pools && i < e.cat->n_types; i++) {
        og_batch_free(&e.pools[i].b);
        og_map_free(e.pools[i].ids);
        og_exec_res_release(e.pools[i].res);
    }
    for (size_t i = 0; e.ecsr && i < e.cat->n_types; i++) og_exec_csr_release(e.ecsr[i]);
    og_search_tok_free(e.tok);
    rows_free(&r);
    og_vec_free(&ov);
    if (vc && e.a == vc->a) og_arena_reset(e.a);
    else og_arena_destroy(e.a);
    return rc;
}
