/* graph_probe.c — the og_probe of validate.h over a read view: the
 * committed side of a load/mutation delta, answered by table scans.
 * (1) Lookups by id/src use IN predicates (the table's key index when
 *     built); unique_probe narrows by its first column with IN and compares
 *     whole tuples in memory with og_value_equal.
 * (2) Callbacks get the index of the probe argument they answer; repeated
 *     arguments are each answered.
 * (3) A transaction's probe answers edges by src/dst from the rows its own
 *     scans read when they cover every argument (a delete's cascade scan
 *     already found the edges the kept-edge RI check asks for). */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "graph_probe.h"
#include "value_convert.h"

/* Maps each argument string to its indices (head + next chain). */
/* Strings handed to callbacks stay valid while the arena does (validate.c
 * may keep them for the whole validation). */
typedef struct pctx { og_graph_view *v; og_arena *a; og_graph_txn *x; } pctx;

typedef struct argidx {
    og_map *m;
    size_t *next;
} argidx;

static void argidx_free(argidx *a)
{
    og_map_free(a->m);
    free(a->next);
}

static og_status argidx_build(argidx *a, size_t n, const char *const *s)
{
    a->m = og_map_new();
    a->next = calloc(n ? n : 1, sizeof *a->next);
    if (!a->m || !a->next) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = n; i-- > 0;) {
        void *old = NULL;
        og_status rc = og_map_puts(a->m, s[i], (void *)(uintptr_t)(i + 1), &old);
        if (rc) return rc;
        a->next[i] = (size_t)(uintptr_t)old; /* 0 = end */
    }
    return OG_OK;
}

static og_status scan_in(og_graph_view *v, const og_decl *t, const char *col, size_t n,
                         const char *const *args, const char *const *cols, size_t ncols, og_batch *out)
{
    og_status rc = OG_OK;
    og_table *tbl = NULL;
    og_value *vals = NULL;
    if ((rc = og_graph_view_table(v, t, &tbl))) return rc;
    if (args) {
        vals = calloc(n ? n : 1, sizeof *vals);
        if (!vals) return og_error_set(OG_E_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) vals[i] = og_val_str(args[i]);
    }
    og_pred pr = {col, OG_CMP_IN, {0}, vals, n};
    og_scan_opts so = {cols, ncols, args ? &pr : NULL, args ? 1 : 0, 0};
    rc = og_table_scan(tbl, &so, out);
    free(vals);
    return rc;
}

static og_status p_nodes_exist(void *ctx, const og_decl *node, size_t n, const char *const *ids, bool *found)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    argidx a = {0};
    const char *cols[] = {"id"};
    for (size_t i = 0; i < n; i++) found[i] = false;
    if (!n) return OG_OK;
    if ((rc = argidx_build(&a, n, ids))) goto done;
    if ((rc = scan_in(((pctx *)ctx)->v, node, "id", n, ids, cols, 1, &b))) goto done;
    for (size_t r = 0; r < b.nrows; r++) {
        size_t len = 0;
        const char *id = og_column_get_bytes(b.cols[0], r, &len);
        void *v = NULL;
        if (!og_map_get(a.m, id, len, &v)) continue;
        for (size_t i = (size_t)(uintptr_t)v; i; i = a.next[i - 1]) found[i - 1] = true;
    }
done:
    argidx_free(&a);
    og_batch_free(&b);
    return rc;
}

static og_status edges_by(pctx *c, const og_decl *e, const char *col, size_t n,
                          const char *const *args, og_probe_edge_fn fn, void *arg)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    argidx a = {0};
    const char *cols[] = {"id", "src", "dst"};
    og_arena *ar = c->a;
    const og_batch *rows = &b;
    if (args && !n) return OG_OK;
    if (args && (rc = argidx_build(&a, n, args))) goto done;
    bool memo = args && c->x && og_graph_txn_edge_memo(c->x, e, col, n, args, &rows);   /* (3) */
    if (!memo && (rc = scan_in(c->v, e, col, n, args, cols, 3, &b))) goto done;
    size_t key = !strcmp(col, "src") ? 1 : !strcmp(col, "dst") ? 2 : 0;
    og_batch bb = *rows;
    for (size_t r = 0; r < bb.nrows && !rc; r++) {
        size_t l0 = 0, l1 = 0, l2 = 0;
        const char *id = og_column_get_bytes(og_batch_col(&bb, "id"), r, &l0);
        const char *src = og_column_get_bytes(og_batch_col(&bb, "src"), r, &l1);
        const char *dst = og_column_get_bytes(og_batch_col(&bb, "dst"), r, &l2);
        if (memo) {   /* the memo holds more rows than asked for: filter */
            const char *kp = key == 1 ? src : key == 2 ? dst : id;
            size_t kl = key == 1 ? l1 : key == 2 ? l2 : l0;
            if (!og_map_get(a.m, kp, kl, NULL)) continue;
        }
        char *s0 = og_arena_strndup(ar, id, l0), *s1 = og_arena_strndup(ar, src, l1),
             *s2 = og_arena_strndup(ar, dst, l2);
        if (!s0 || !s1 || !s2) rc = og_error_set(OG_E_NOMEM, "out of memory");
        else if (!args) rc = fn(arg, 0, s0, s1, s2);
        else {
            void *val = NULL;
            const char *k = key == 1 ? s1 : key == 2 ? s2 : s0;
            if (og_map_gets(a.m, k, &val))
                for (size_t i = (size_t)(uintptr_t)val; i && !rc; i = a.next[i - 1]) rc = fn(arg, i - 1, s0, s1, s2);
        }
    }
done:
    argidx_free(&a);
    og_batch_free(&b);
    return rc;
}

static og_status p_edges_by_src(void *ctx, const og_decl *e, size_t n, const char *const *srcs,
                                og_probe_edge_fn fn, void *arg)
{ return edges_by(ctx, e, "src", n, srcs, fn, arg); }

static og_status p_edges_by_id(void *ctx, const og_decl *e, size_t n, const char *const *ids,
                               og_probe_edge_fn fn, void *arg)
{ return edges_by(ctx, e, "id", n, ids, fn, arg); }

static og_status p_edges_scan(void *ctx, const og_decl *e, og_probe_edge_fn fn, void *arg)
{ return edges_by(ctx, e, "id", 0, NULL, fn, arg); }

static og_status p_unique(void *ctx, const og_decl *t, const og_constraint *c, size_t n,
                          const og_value *tuples, og_probe_id_fn hit, void *arg)
{
    og_status rc = OG_OK;
    og_table *tbl = NULL;
    og_batch b = OG_BATCH_INIT;
    og_arena *ar = NULL;
    const char **cols = calloc(c->n_columns + 1, sizeof *cols);
    og_value *first = calloc(n ? n : 1, sizeof *first);
    size_t nfirst = 0;
    if (!cols || !first) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (!n) goto done;
    cols[0] = "id";
    for (size_t j = 0; j < c->n_columns; j++) cols[j + 1] = c->columns[j];
    for (size_t i = 0; i < n; i++)
        if (tuples[i * c->n_columns].kind != OG_VALUE_NULL) first[nfirst++] = tuples[i * c->n_columns];
    if (!nfirst) goto done;
    if ((rc = og_graph_view_table(((pctx *)ctx)->v, t, &tbl))) goto done;
    og_pred pr = {c->columns[0], OG_CMP_IN, {0}, first, nfirst};
    og_scan_opts so = {cols, c->n_columns + 1, &pr, 1, 0};
    if ((rc = og_table_scan(tbl, &so, &b))) goto done;
    ar = og_arena_create(NULL, "probe");
    if (!ar) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t r = 0; r < b.nrows && !rc; r++) {
        size_t il = 0;
        const char *idp = og_column_get_bytes(b.cols[0], r, &il);
        char *id = og_arena_strndup(((pctx *)ctx)->a, idp, il);
        og_arena_reset(ar);
        og_value cell[16];
        size_t nc = c->n_columns < 16 ? c->n_columns : 16;
        for (size_t j = 0; j < nc && !rc; j++) {
            int32_t pi = c->column_props[j];
            rc = og_graph_cell_value(ar, b.cols[j + 1], r, pi >= 0 ? &t->props[pi] : NULL, &cell[j]);
        }
        for (size_t i = 0; i < n && !rc; i++) {
            bool eq = true;
            for (size_t j = 0; j < nc && eq; j++) {
                const og_value *tv = &tuples[i * c->n_columns + j];
                if (cell[j].kind == OG_VALUE_STRING && tv->kind == OG_VALUE_STRING)
                    eq = cell[j].as.s.len == tv->as.s.len && !memcmp(cell[j].as.s.ptr, tv->as.s.ptr, tv->as.s.len);
                else
                    eq = og_value_equal(&cell[j], tv);
            }
            if (eq) rc = hit(arg, i, id);
        }
    }
done:
    og_arena_destroy(ar);
    og_batch_free(&b);
    free(cols);
    free(first);
    return rc;
}

static og_status p_edges_by_dst(void *ctx, const og_decl *e, size_t n, const char *const *dsts,
                                og_probe_edge_fn fn, void *arg)
{ return edges_by(ctx, e, "dst", n, dsts, fn, arg); }

static const og_probe_vtbl VIEW_PROBE = {p_nodes_exist, p_unique, p_edges_by_src, p_edges_by_id,
                                         p_edges_scan, p_edges_by_dst};

og_status og_graph_probe_init(og_graph_view *v, og_arena *a, og_probe *out)
{
    pctx *c = og_arena_calloc(a, sizeof *c);
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory");
    c->v = v;
    c->a = a;
    out->vt = &VIEW_PROBE;
    out->ctx = c;
    return OG_OK;
}

og_status og_graph_probe_init_txn(og_graph_txn *x, og_arena *a, og_probe *out)
{
    og_status rc = og_graph_probe_init(og_graph_txn_base(x), a, out);
    if (!rc) ((pctx *)out->ctx)->x = x;
    return rc;
}
