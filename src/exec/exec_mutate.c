/* exec_mutate.c — mutation statements on one write transaction
 * (surface.md §2.10, internals.md §3.3).
 * (1) Statements run in source order against og_graph_txn_scan (committed
 *     + pending rows), so each sees the earlier ones (read-your-writes).
 * (2) insert of a keyed node is an upsert of the whole row under the id
 *     derived from its key; an unkeyed node or an edge gets a fresh ULID
 *     and is a strict insert.
 * (3) Edge endpoints are node ids resolved against the from/to type's
 *     committed + pending rows; a missing endpoint fails the statement
 *     ("src 'x' not found in Person").
 * (4) update rewrites every matching row (assignments applied, the rest
 *     kept) as an upsert; delete removes matching rows and, for nodes,
 *     every edge of any type touching the node type whose src or dst is a
 *     deleted id (cascade).
 * (5) Value rules (required, enum, @range, @check) are checked on every
 *     row written, through og_validate_delta over the row alone.
 * Nothing here commits: the caller commits or aborts the transaction. */
#include "exec.h"
#include "internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/map.h"
#include "base/ulid.h"
#include "graph/validate.h"
#include "graph/value_convert.h"

typedef struct mx {
    og_graph_txn *x;
    const og_tc_query *q;
    const og_catalog *cat;
    const og_params *params;
    og_arena *a;
    int64_t now_us;
} mx;

static og_status eval_const(mx *m, const og_tc_expr *x, og_value *out)
{
    *out = og_val_null();
    switch (x->kind) {
    case OG_TC_LIT: return og_exv_lit(m->a, &x->ast->lit, out);
    case OG_TC_PARAM: {
        const og_value *v = NULL;
        og_status rc = og_params_get(m->params, m->q->ast->params[x->param].name, &v);
        if (rc) return rc;
        *out = *v;
        return OG_OK;
    }
    case OG_TC_NOW: out->kind = OG_VALUE_DATETIME; out->as.i = m->now_us; return OG_OK;
    default: return og_error_set(OG_E_INVALID, "mutation values must be literals, parameters or now()");
    }
}

/* Converts a value to the kind the property stores (dates from strings,
 * integers for float columns, ...). */
static og_status coerce(mx *m, const og_decl *t, const og_property *p, og_value *v)
{
    if (v->kind == OG_VALUE_NULL) return OG_OK;
    og_scalar s = p->type.scalar;
    if (p->type.list) return OG_OK;
    if (s == OG_SCALAR_DATE && v->kind == OG_VALUE_STRING) {
        int64_t d;
        if (!og_gq_parse_date(v->as.s.ptr, v->as.s.len, &d))
            return og_error_set(OG_E_VALIDATION, "property '%s' of %s expects a Date, got \"%.*s\"", p->name,
                                t->name, (int)v->as.s.len, v->as.s.ptr);
        v->kind = OG_VALUE_DATE;
        v->as.i = d;
    } else if (s == OG_SCALAR_DATETIME && v->kind == OG_VALUE_STRING) {
        int64_t us;
        if (!og_gq_parse_datetime(v->as.s.ptr, v->as.s.len, &us))
            return og_error_set(OG_E_VALIDATION, "property '%s' of %s expects a DateTime, got \"%.*s\"", p->name,
                                t->name, (int)v->as.s.len, v->as.s.ptr);
        v->kind = OG_VALUE_DATETIME;
        v->as.i = us;
    } else if ((s == OG_SCALAR_F32 || s == OG_SCALAR_F64) && (v->kind == OG_VALUE_I64 || v->kind == OG_VALUE_U64)) {
        *v = og_val_f64(v->kind == OG_VALUE_I64 ? (double)v->as.i : (double)v->as.u);
    } else if ((s == OG_SCALAR_U32 || s == OG_SCALAR_U64) && v->kind == OG_VALUE_I64) {
        if (v->as.i < 0)
            return og_error_set(OG_E_VALIDATION, "property '%s' of %s expects an unsigned value, got %lld", p->name,
                                t->name, (long long)v->as.i);
        *v = og_val_u64((uint64_t)v->as.i);
    } else if (s == OG_SCALAR_BLOB && v->kind == OG_VALUE_STRING) {
        v->kind = OG_VALUE_BLOB;
    }
    (void)m;
    return OG_OK;
}

/* (5) on one row of a node type; edges: required and enum. */
/* A finite F64 that a Float32 property would turn into an infinity. */
static bool f32_overflow(const og_value *v)
{
    return v->kind == OG_VALUE_F64 && isfinite(v->as.f) && fabs(v->as.f) > FLT_MAX;
}

static og_status check_row(mx *m, const og_decl *t, og_row *row)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < t->n_props; i++) {
        const og_property *p = &t->props[i];
        const og_value *v = &row->vals[i];
        if (v->kind == OG_VALUE_NULL && !p->type.nullable)
            return og_error_set(OG_E_VALIDATION, "property '%s' of %s is required (not nullable)", p->name, t->name);
        if (p->type.scalar != OG_SCALAR_F32) continue;
        bool bad = f32_overflow(v);
        for (size_t k = 0; !bad && v->kind == OG_VALUE_LIST && k < v->as.list.n; k++)
            bad = f32_overflow(&v->as.list.items[k]);
        if (bad)
            return og_error_set(OG_E_VALIDATION, "property '%s' of %s: value is outside the Float32 range",
                                p->name, t->name);
    }
    og_delta_table *tabs = calloc(m->cat->n_types + 1, sizeof *tabs);
    if (!tabs) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < m->cat->n_types; i++) tabs[i].type = &m->cat->types[i];
    if (t->kind == OG_KIND_NODE) {
        tabs[t->index].n_rows = 1;
        tabs[t->index].rows = row;
        og_delta d = {m->cat, m->cat->n_types, tabs};
        og_probe_mem pm;
        og_probe pr;
        og_probe_mem_init(&pm, m->cat, NULL, &pr);
        rc = og_validate_delta(&d, &pr);
    } else {
        for (size_t i = 0; i < t->n_props && !rc; i++) {
            const og_property *p = &t->props[i];
            const og_value *v = &row->vals[i];
            if (p->type.scalar != OG_SCALAR_ENUM || v->kind != OG_VALUE_STRING) continue;
            bool ok = false;
            for (size_t k = 0; k < p->type.n_enum && !ok; k++)
                ok = strlen(p->type.enum_values[k]) == v->as.s.len &&
                     memcmp(p->type.enum_values[k], v->as.s.ptr, v->as.s.len) == 0;
            if (!ok)
                rc = og_error_set(OG_E_VALIDATION, "value '%.*s' is not a member of the enum of %s.%s",
                                  (int)v->as.s.len, v->as.s.ptr, t->name, p->name);
        }
    }
    free(tabs);
    return rc;
}

static og_status empty_batch(const og_decl *t, og_batch *b)
{
    og_schema sch = {0};
    og_status rc = og_graph_table_schema(t, &sch);
    for (size_t i = 0; !rc && i < sch.nfields; i++) rc = og_batch_add(b, sch.fields[i].name, sch.fields[i].type, NULL);
    og_schema_free(&sch);
    return rc;
}

static og_status push_row(og_batch *b, const og_decl *t, const og_row *row)
{
    og_status rc = OG_OK;
    for (size_t c = 0; c < b->ncols && !rc; c++) {
        const char *n = b->names[c];
        if (strcmp(n, "id") == 0) rc = og_column_push_str(b->cols[c], row->id);
        else if (strcmp(n, "src") == 0 && t->kind == OG_KIND_EDGE) rc = og_column_push_str(b->cols[c], row->src);
        else if (strcmp(n, "dst") == 0 && t->kind == OG_KIND_EDGE) rc = og_column_push_str(b->cols[c], row->dst);
        else {
            int32_t pi = og_decl_prop_index(t, n);
            if (pi < 0) { rc = og_column_push_null(b->cols[c]); continue; }
            rc = og_exv_push(b->cols[c], &row->vals[pi]);
            if (rc == OG_E_INVALID)
                rc = og_error_set(OG_E_VALIDATION, "value out of range for property '%s' of %s", n, t->name);
        }
    }
    if (!rc) rc = og_batch_seal(b);
    return rc;
}

static og_status key_id(mx *m, const og_decl *t, const og_row *row, char **out)
{
    og_status rc = OG_OK;
    const og_property *kp[16];
    const char *canon[16];
    og_buf parts[16];
    og_buf id = OG_BUF_INIT;
    size_t nk = og_decl_key_props(t, kp, 16);
    for (size_t i = 0; i < nk; i++) parts[i] = (og_buf)OG_BUF_INIT;
    for (size_t i = 0; i < nk && !rc; i++) {
        const og_value *v = &row->vals[kp[i]->ordinal];
        if (v->kind == OG_VALUE_NULL) {
            rc = og_error_set(OG_E_VALIDATION, "@key property '%s' of %s must not be null", kp[i]->name, t->name);
            break;
        }
        rc = og_value_canon_key(&kp[i]->type, v, &parts[i]);
        if (!rc) rc = og_buf_append_byte(&parts[i], 0);
        canon[i] = (const char *)parts[i].data;
    }
    if (!rc) rc = og_entity_id_compose(canon, nk, &id);
    if (!rc) {
        *out = og_arena_strndup(m->a, id.data ? (const char *)id.data : "", id.len);
        if (!*out) rc = og_error_set(OG_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < nk; i++) og_buf_free(&parts[i]);
    og_buf_free(&id);
    return rc;
}

static og_status node_exists(mx *m, const og_decl *t, const char *id, bool *found)
{
    og_batch b = OG_BATCH_INIT;
    static const char *const cols[] = {"id"};
    og_pred p = {0};
    og_scan_opts o = {0};
    p.column = "id";
    p.op = OG_CMP_EQ;
    p.value = og_val_str(id);
    o.columns = cols;
    o.ncolumns = 1;
    o.preds = &p;
    o.npreds = 1;
    og_status rc = og_graph_txn_scan(m->x, t, &o, &b);
    *found = !rc && b.nrows > 0;
    og_batch_free(&b);
    return rc;
}

static og_status do_insert(mx *m, const og_tc_mut *mu, og_exec_mutation_stats *st)
{
    og_status rc = OG_OK;
    const og_decl *t = mu->type;
    og_batch b = OG_BATCH_INIT;
    og_row row = {0};
    og_ulid u;
    row.vals = og_arena_calloc(m->a, (t->n_props + 1) * sizeof *row.vals);
    if (!row.vals) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < mu->n_assigns; i++) {
        og_value v;
        if ((rc = eval_const(m, mu->assigns[i].value, &v))) goto done;
        int p = mu->assigns[i].prop;
        if (p == OG_TC_FROM || p == OG_TC_TO) {
            if (v.kind != OG_VALUE_STRING) {
                rc = og_error_set(OG_E_VALIDATION, "edge endpoint `%s` of %s must be a non-null String",
                                  p == OG_TC_FROM ? "from" : "to", t->name);
                goto done;
            }
            char *s = og_arena_strndup(m->a, v.as.s.ptr, v.as.s.len);
            if (!s) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
            if (p == OG_TC_FROM) row.src = s; else row.dst = s;
            continue;
        }
        if ((rc = coerce(m, t, &t->props[p], &v))) goto done;
        row.vals[p] = v;
    }
    if (t->kind == OG_KIND_EDGE) {
        const og_decl *from = &m->cat->types[t->from_index], *to = &m->cat->types[t->to_index];
        bool found = false;
        if (!row.src || !row.dst) {
            rc = og_error_set(OG_E_VALIDATION, "insert of edge %s must provide `from` and `to`", t->name);
            goto done;
        }
        if ((rc = node_exists(m, from, row.src, &found))) goto done;
        if (!found) { rc = og_error_set(OG_E_VALIDATION, "src '%s' not found in %s", row.src, from->name); goto done; }
        if ((rc = node_exists(m, to, row.dst, &found))) goto done;
        if (!found) { rc = og_error_set(OG_E_VALIDATION, "dst '%s' not found in %s", row.dst, to->name); goto done; }
    }
    bool keyed = t->kind == OG_KIND_NODE && t->key_constraint >= 0;
    if (keyed) {
        if ((rc = key_id(m, t, &row, (char **)&row.id))) goto done;
    } else {
        if ((rc = og_ulid_new(&u))) goto done;
        row.id = u.s;
    }
    if ((rc = check_row(m, t, &row))) goto done;
    if ((rc = empty_batch(t, &b)) || (rc = push_row(&b, t, &row))) goto done;
    if ((rc = og_graph_txn_put(m->x, t, &b, keyed ? OG_WRITE_UPSERT : OG_WRITE_STRICT_INSERT))) goto done;
    if (t->kind == OG_KIND_EDGE) st->edges_inserted++; else st->nodes_inserted++;
done:
    og_batch_free(&b);
    return rc;
}

/* Rows of t matching the statement's where (all columns). *none when the
 * value is null (nothing matches). */
static og_status scan_where(mx *m, const og_tc_mut *mu, const char *const *cols, size_t ncols, og_batch *out)
{
    og_value v;
    og_pred p = {0};
    og_scan_opts o = {0};
    og_status rc = eval_const(m, mu->where_value, &v);
    if (rc) return rc;
    if (mu->where_prop == OG_TC_FROM) p.column = "src";
    else if (mu->where_prop == OG_TC_TO) p.column = "dst";
    else {
        p.column = mu->type->props[mu->where_prop].name;
        if ((rc = coerce(m, mu->type, &mu->type->props[mu->where_prop], &v))) return rc;
    }
    o.columns = cols;
    o.ncolumns = ncols;
    p.op = og_exec_cmp_of(mu->where_op);
    p.value = v;
    if (v.kind == OG_VALUE_NULL) {   /* comparisons with null never match */
        p.column = "id";
        p.op = OG_CMP_IS_NULL;
    }
    o.preds = &p;
    o.npreds = 1;
    rc = og_graph_txn_scan(m->x, mu->type, &o, out);
    return rc;
}

static og_status do_update(mx *m, const og_tc_mut *mu, og_exec_mutation_stats *st)
{
    og_status rc = OG_OK;
    const og_decl *t = mu->type;
    og_batch cur = OG_BATCH_INIT, nb = OG_BATCH_INIT;
    og_value *vals = og_arena_calloc(m->a, (mu->n_assigns + 1) * sizeof *vals);
    if (!vals) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < mu->n_assigns; i++) {
        if ((rc = eval_const(m, mu->assigns[i].value, &vals[i]))) goto done;
        if (mu->assigns[i].prop >= 0 && (rc = coerce(m, t, &t->props[mu->assigns[i].prop], &vals[i]))) goto done;
    }
    if ((rc = scan_where(m, mu, NULL, 0, &cur))) goto done;
    if (cur.nrows == 0) goto done;
    if ((rc = empty_batch(t, &nb))) goto done;
    og_column *idc = og_batch_col(&cur, "id");
    for (size_t r = 0; r < cur.nrows; r++) {
        og_row row = {0};
        size_t n = 0;
        const char *id = og_column_get_bytes(idc, r, &n);
        row.id = og_arena_strndup(m->a, id, n);
        row.vals = og_arena_calloc(m->a, (t->n_props + 1) * sizeof *row.vals);
        if (!row.id || !row.vals) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t i = 0; i < t->n_props; i++) {
            og_column *c = og_batch_col(&cur, t->props[i].name);
            if (c && (rc = og_exv_cell_prop(m->a, c, r, &t->props[i], &row.vals[i]))) goto done;
        }
        for (size_t i = 0; i < mu->n_assigns; i++)
            if (mu->assigns[i].prop >= 0) row.vals[mu->assigns[i].prop] = vals[i];
        if ((rc = check_row(m, t, &row))) goto done;
        if ((rc = push_row(&nb, t, &row))) goto done;
    }
    if ((rc = og_graph_txn_put(m->x, t, &nb, OG_WRITE_UPSERT))) goto done;
    if (t->kind == OG_KIND_EDGE) st->edges_updated += cur.nrows; else st->nodes_updated += cur.nrows;
done:
    og_batch_free(&cur);
    og_batch_free(&nb);
    return rc;
}

static og_status ids_of(mx *m, const og_batch *b, const char ***ids, size_t *n)
{
    og_column *c = og_batch_col(b, "id");
    *n = 0;
    *ids = og_arena_calloc(m->a, (b->nrows + 1) * sizeof **ids);
    if (!*ids) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t r = 0; c && r < b->nrows; r++) {
        size_t len = 0;
        const char *s = og_column_get_bytes(c, r, &len);
        if (!((*ids)[(*n)++] = og_arena_strndup(m->a, s, len))) return og_error_set(OG_E_NOMEM, "out of memory");
    }
    return OG_OK;
}

/* Deletes the edges of e whose `col` (src/dst) is one of ids. */
static og_status cascade(mx *m, const og_decl *e, const char *col, const char *const *ids, size_t n,
                         uint64_t *count)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    static const char *const cols[] = {"id"};
    og_value *vals = malloc((n + 1) * sizeof *vals);
    const char **eids = NULL;
    size_t ne = 0;
    if (!vals) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) vals[i] = og_val_str(ids[i]);
    og_pred p = {0};
    p.column = col;
    p.op = OG_CMP_IN;
    p.values = vals;
    p.nvalues = n;
    og_scan_opts o = {0};
    o.columns = cols;
    o.ncolumns = 1;
    o.preds = &p;
    o.npreds = 1;
    if ((rc = og_graph_txn_scan(m->x, e, &o, &b))) goto done;
    if ((rc = ids_of(m, &b, &eids, &ne))) goto done;
    if (ne && (rc = og_graph_txn_delete(m->x, e, eids, ne))) goto done;
    *count += ne;
done:
    og_batch_free(&b);
    free(vals);
    return rc;
}

static og_status do_delete(mx *m, const og_tc_mut *mu, og_exec_mutation_stats *st)
{
    og_status rc = OG_OK;
    const og_decl *t = mu->type;
    og_batch b = OG_BATCH_INIT;
    static const char *const cols[] = {"id"};
    const char **ids = NULL;
    size_t n = 0;
    if ((rc = scan_where(m, mu, cols, 1, &b))) goto done;
    if ((rc = ids_of(m, &b, &ids, &n))) goto done;
    if (n == 0) goto done;
    if ((rc = og_graph_txn_delete(m->x, t, ids, n))) goto done;
    if (t->kind == OG_KIND_EDGE) { st->edges_deleted += n; goto done; }
    st->nodes_deleted += n;
    for (size_t i = 0; i < m->cat->n_types; i++) {
        const og_decl *e = &m->cat->types[i];
        if (e->kind != OG_KIND_EDGE) continue;
        /* deleting the src side first hides those edges from the dst scan */
        if (e->from_index == t->index && (rc = cascade(m, e, "src", ids, n, &st->edges_deleted))) goto done;
        if (e->to_index == t->index && (rc = cascade(m, e, "dst", ids, n, &st->edges_deleted))) goto done;
    }
done:
    og_batch_free(&b);
    return rc;
}

og_status og_exec_mutate(og_graph_txn *x, const og_tc_query *q, const og_params *params,
                         og_exec_mutation_stats *out)
{
    og_status rc = OG_OK;
    mx m = {0};
    og_exec_mutation_stats st = {0};
    if (!x || !q || !out) return og_error_set(OG_E_INVALID, "og_exec_mutate: NULL argument");
    memset(out, 0, sizeof *out);
    if (!q->is_mutation) return og_error_set(OG_E_INVALID, "query '%s' is not a mutation", q->ast ? q->ast->name : "");
    m.x = x;
    m.q = q;
    m.cat = q->cat;
    m.params = params;
    m.now_us = og_clock_now_us();
    if (!(m.a = og_arena_create(NULL, "mutate"))) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < q->n_muts && !rc; i++) {
        const og_tc_mut *mu = &q->muts[i];
        switch (mu->kind) {
        case OG_GQ_INSERT: rc = do_insert(&m, mu, &st); break;
        case OG_GQ_UPDATE: rc = do_update(&m, mu, &st); break;
        case OG_GQ_DELETE: rc = do_delete(&m, mu, &st); break;
        }
    }
    if (!rc) *out = st;
    og_arena_destroy(m.a);
    return rc;
}
