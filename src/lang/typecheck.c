/* typecheck.c — the .gq type checker (surface.md §2.4-2.10, codes §2.9).
 * (1) One pass over the query in source order; the first error wins and is
 *     recorded once ("type error: Tnn: ..."); every caller unwinds.
 * (2) All IR memory comes from the query's pool: a failed check frees the
 *     pool whole, so no path leaks.
 * (3) Numeric types are mutually compatible; enum properties behave as
 *     String in expressions (literal membership is checked in bindings). */
#include "typecheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct tc {
    const og_catalog *cat;
    const og_gq_query *q;
    og_tc_query *out;
    og_gq_pool *pool;
    og_status rc;
    int scope;          /* current not-depth */
    int next_scope;
    bool touched_outer; /* in a not block: referenced a var of an outer scope */
    int scope_base;     /* vars below this index are outer for the current block */
    size_t var_cap;
} tc;

static bool terr(tc *C, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool terr(tc *C, const char *code, const char *fmt, ...)
{
    if (C->rc != OG_OK) return false;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    C->rc = og_error_set(OG_E_TYPE, "type error: %s: %s", code, msg);
    return false;
}

static void *alloc(tc *C, size_t n)
{
    void *p = og_gq_pool_alloc(C->pool, n);
    if (!p && C->rc == OG_OK) C->rc = og_error_set(OG_E_NOMEM, "out of memory type-checking");
    return p;
}

/* ----------------------------------------------------------- catalog */

static const og_decl *find_type(const og_catalog *cat, og_decl_kind k, const char *name, bool ci)
{
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_decl *t = &cat->types[i];
        if (t->kind == k && (ci ? strcasecmp(t->name, name) == 0 : strcmp(t->name, name) == 0))
            return t;
    }
    return NULL;
}

static int find_prop(const og_decl *t, const char *name)
{
    for (size_t i = 0; i < t->n_props; i++)
        if (strcmp(t->props[i].name, name) == 0) return (int)i;
    return -1;
}

static og_gq_type prop_gq_type(const og_property *p)
{
    og_gq_type t = {0};
    static const og_gq_base map[] = {
        OG_GQ_STRING, OG_GQ_BOOL, OG_GQ_I32, OG_GQ_I64, OG_GQ_U32, OG_GQ_U64, OG_GQ_F32,
        OG_GQ_F64, OG_GQ_DATE, OG_GQ_DATETIME, OG_GQ_BLOB, OG_GQ_VECTOR, OG_GQ_ENUM};
    t.base = (unsigned)p->type.scalar < OG_SCALAR_COUNT_ ? map[p->type.scalar] : OG_GQ_STRING;
    t.is_list = p->type.list;
    t.nullable = p->type.nullable;
    t.dim = p->type.vector_dim;
    return t;
}

/* ------------------------------------------------------------- types */

static bool is_numeric(og_gq_base b) { return b >= OG_GQ_I32 && b <= OG_GQ_F64; }
static bool is_integer(og_gq_base b) { return b >= OG_GQ_I32 && b <= OG_GQ_U64; }
static og_gq_base norm(og_gq_base b) { return b == OG_GQ_ENUM ? OG_GQ_STRING : b; }
static bool is_stringy(const og_gq_type *t) { return !t->is_list && norm(t->base) == OG_GQ_STRING; }
static bool is_scalar(const og_gq_type *t)
{
    return !t->is_list && t->base != OG_GQ_VECTOR && t->base != OG_GQ_NODE;
}

static bool base_compat(og_gq_base a, og_gq_base b)
{
    if (is_numeric(a) && is_numeric(b)) return true;
    return norm(a) == norm(b);
}

static void type_str(const og_gq_type *t, char *buf, size_t cap)
{
    if (t->base == OG_GQ_VECTOR) snprintf(buf, cap, "Vector(%u)", t->dim);
    else if (t->is_list) snprintf(buf, cap, "[%s]", og_gq_base_name(t->base));
    else snprintf(buf, cap, "%s", og_gq_base_name(t->base));
}

/* ------------------------------------------------------------- vars */

static int var_find(tc *C, const char *name)
{
    for (size_t i = C->out->n_vars; i-- > 0;) {
        const og_tc_var *v = &C->out->vars[i];
        if (v->scope >= 0 && strcmp(v->name, name) == 0) return (int)i;
    }
    return -1;
}

static int var_use(tc *C, const char *name)
{
    int i = var_find(C, name);
    if (i >= 0 && C->scope > 0 && i < C->scope_base) C->touched_outer = true;
    return i;
}

static int var_add(tc *C, const char *name, bool is_edge, const og_decl *t)
{
    og_tc_query *o = C->out;
    if (o->n_vars == C->var_cap) {
        size_t nc = C->var_cap ? C->var_cap * 2 : 8;
        og_tc_var *nv = alloc(C, nc * sizeof *nv);
        if (!nv) return -1;
        if (o->n_vars) memcpy(nv, o->vars, o->n_vars * sizeof *nv);
        o->vars = nv;
        C->var_cap = nc;
    }
    og_tc_var *v = &o->vars[o->n_vars];
    v->name = name;
    v->is_edge = is_edge;
    v->type = t;
    v->scope = C->scope;
    return (int)o->n_vars++;
}

static int param_find(const og_gq_query *q, const char *name)
{
    for (size_t i = 0; i < q->n_params; i++)
        if (strcmp(q->params[i].name, name) == 0) return (int)i;
    return -1;
}

/* ------------------------------------------------------ expressions */

static og_tc_expr *new_tx(tc *C, og_tc_expr_kind k, const og_gq_expr *ast)
{
    og_tc_expr *e = alloc(C, sizeof *e);
    if (!e) return NULL;
    e->kind = k;
    e->ast = ast;
    e->var = e->prop = e->param = e->alias = -1;
    return e;
}

static og_gq_type lit_type(const og_gq_lit *l)
{
    og_gq_type t = {0};
    switch (l->kind) {
    case OG_GQ_LIT_INT: t.base = OG_GQ_I64; break;
    case OG_GQ_LIT_FLOAT: t.base = OG_GQ_F64; break;
    case OG_GQ_LIT_STRING: t.base = OG_GQ_STRING; break;
    case OG_GQ_LIT_BOOL: t.base = OG_GQ_BOOL; break;
    case OG_GQ_LIT_DATE: t.base = OG_GQ_DATE; break;
    case OG_GQ_LIT_DATETIME: t.base = OG_GQ_DATETIME; break;
    case OG_GQ_LIT_LIST:
        t = l->n_items ? lit_type(&l->items[0]) : t;
        if (!l->n_items) t.base = OG_GQ_STRING;
        for (size_t i = 0; i < l->n_items; i++)
            if (l->items[i].kind == OG_GQ_LIT_FLOAT) t.base = OG_GQ_F64;
        t.is_list = true;
        break;
    }
    return t;
}

static og_tc_expr *check_expr(tc *C, const og_gq_expr *e);

/* $v.prop: bound var (node or edge), known property */
static og_tc_expr *check_prop(tc *C, const og_gq_expr *e)
{
    int vi = var_use(C, e->var);
    if (vi < 0) {
        terr(C, "T6", "variable `$%s` is not bound", e->var);
        return NULL;
    }
    const og_tc_var *v = &C->out->vars[vi];
    int pi = find_prop(v->type, e->name);
    if (pi < 0) {
        terr(C, "T6", "%s `%s` has no property `%s`", v->is_edge ? "edge" : "node",
             v->type->name, e->name);
        return NULL;
    }
    og_tc_expr *x = new_tx(C, OG_TC_PROP, e);
    if (!x) return NULL;
    x->var = vi;
    x->prop = pi;
    x->type = prop_gq_type(&v->type->props[pi]);
    return x;
}

static bool blob_prop_read(tc *C, const og_tc_expr *x)
{
    if (x->kind == OG_TC_PROP && x->type.base == OG_GQ_BLOB)
        return terr(C, "T24", "Blob property `$%s.%s` is not available as a .gq read value; "
                    "Blob values require a dedicated API",
                    x->ast->var, x->ast->name);
    return true;
}

static bool blob_param_read(tc *C, const og_tc_expr *x)
{
    if (x->kind == OG_TC_PARAM && x->type.base == OG_GQ_BLOB)
        return terr(C, "T24", "Blob parameter `$%s` is not available as a .gq read value; "
                    "Blob values require a dedicated API",
                    x->ast->var);
    return true;
}

/* the field argument of a text/vector search: a node property */
static og_tc_expr *search_field(tc *C, const og_gq_expr *a, const char *fn)
{
    if (a->kind != OG_GQ_E_PROP) {
        terr(C, "T19", "%s() needs a node property as its first argument", fn);
        return NULL;
    }
    int vi = var_find(C, a->var);
    if (vi >= 0 && C->out->vars[vi].is_edge) {
        terr(C, "T23", "%s() applies to node properties only; `$%s` is an edge binding", fn,
             a->var);
        return NULL;
    }
    return check_prop(C, a);
}

static bool int_arg(const og_tc_expr *x) { return is_integer(x->type.base) && !x->type.is_list; }

static og_tc_expr *check_call(tc *C, const og_gq_expr *e)
{
    og_tc_expr *x = new_tx(C, OG_TC_CALL, e);
    const char *fn = og_gq_fn_name(e->fn);
    if (!x) return NULL;
    x->fn = e->fn;
    x->n_args = e->n_args;
    if (!(x->args = alloc(C, e->n_args * sizeof *x->args))) return NULL;
    x->type.base = e->fn == OG_GQ_FN_NEAREST || e->fn == OG_GQ_FN_BM25 || e->fn == OG_GQ_FN_RRF
                       ? OG_GQ_F64 : OG_GQ_BOOL;
    if (e->fn == OG_GQ_FN_RRF) {
        for (size_t i = 0; i < 2; i++) {
            const og_gq_expr *a = e->args[i];
            if (a->kind != OG_GQ_E_CALL || (a->fn != OG_GQ_FN_NEAREST && a->fn != OG_GQ_FN_BM25)) {
                terr(C, "T21", "rrf() arguments must be nearest(...) or bm25(...) rankings");
                return NULL;
            }
            if (!(x->args[i] = check_call(C, a))) return NULL;
        }
        if (e->n_args == 3) {
            if (!(x->args[2] = check_expr(C, e->args[2]))) return NULL;
            if (!int_arg(x->args[2])) {
                terr(C, "T21", "rrf() k must be an integer");
                return NULL;
            }
            if (x->args[2]->kind == OG_TC_LIT && e->args[2]->lit.i <= 0) {
                terr(C, "T21", "rrf() k must be greater than 0, got %lld",
                     (long long)e->args[2]->lit.i);
                return NULL;
            }
        }
        return x;
    }
    if (e->fn == OG_GQ_FN_NEAREST) {
        const og_gq_expr *a = e->args[0];
        if (a->kind != OG_GQ_E_PROP) {
            terr(C, "T15", "nearest() needs a Vector property as its first argument");
            return NULL;
        }
        if (!(x->args[0] = search_field(C, a, fn))) return NULL;
        const og_gq_type *vt = &x->args[0]->type;
        if (vt->base != OG_GQ_VECTOR || vt->is_list) {
            char b[40];
            type_str(vt, b, sizeof b);
            terr(C, "T15", "nearest() target `$%s.%s` must be a Vector, got %s", a->var, a->name, b);
            return NULL;
        }
        if (!(x->args[1] = check_expr(C, e->args[1]))) return NULL;
        const og_tc_expr *qx = x->args[1];
        const og_gq_type *qt = &qx->type;
        if (qt->base == OG_GQ_VECTOR) {
            if (qt->dim != vt->dim) {
                terr(C, "T15", "nearest() query has dimension %u but `$%s.%s` is Vector(%u)",
                     qt->dim, a->var, a->name, vt->dim);
                return NULL;
            }
        } else if (qx->kind == OG_TC_LIT && qt->is_list && is_numeric(qt->base)) {
            if (e->args[1]->lit.n_items != vt->dim) {
                terr(C, "T15", "nearest() query has dimension %zu but `$%s.%s` is Vector(%u)",
                     e->args[1]->lit.n_items, a->var, a->name, vt->dim);
                return NULL;
            }
        } else if (!is_stringy(qt)) {
            terr(C, "T15", "nearest() query must be a Vector(%u) or a String", vt->dim);
            return NULL;
        }
        return x;
    }
    /* search, fuzzy, match_text, bm25 */
    const char *code = (e->fn == OG_GQ_FN_SEARCH || e->fn == OG_GQ_FN_FUZZY) ? "T19" : "T20";
    if (!(x->args[0] = search_field(C, e->args[0], fn))) return NULL;
    if (!is_stringy(&x->args[0]->type)) {
        terr(C, code, "%s() field must be a String property", fn);
        return NULL;
    }
    if (!(x->args[1] = check_expr(C, e->args[1]))) return NULL;
    if (!is_stringy(&x->args[1]->type)) {
        terr(C, code, "%s() query must be a String", fn);
        return NULL;
    }
    if (e->n_args == 3) {
        if (!(x->args[2] = check_expr(C, e->args[2]))) return NULL;
        if (!int_arg(x->args[2])) {
            terr(C, "T19", "fuzzy() max_edits must be an integer");
            return NULL;
        }
    }
    return x;
}

static og_tc_expr *check_expr(tc *C, const og_gq_expr *e)
{
    og_tc_expr *x = NULL;
    switch (e->kind) {
    case OG_GQ_E_LIT:
        if ((x = new_tx(C, OG_TC_LIT, e))) x->type = lit_type(&e->lit);
        break;
    case OG_GQ_E_NOW:
        if ((x = new_tx(C, OG_TC_NOW, e))) x->type.base = OG_GQ_DATETIME;
        break;
    case OG_GQ_E_VAR: {
        int vi = var_use(C, e->var);
        if (vi >= 0) {
            if (C->out->vars[vi].is_edge) {
                terr(C, "T23", "edge binding `$%s` cannot be used bare; use `$%s.<property>`",
                     e->var, e->var);
                break;
            }
            if ((x = new_tx(C, OG_TC_NODE, e))) {
                x->var = vi;
                x->type.base = OG_GQ_NODE;
            }
            break;
        }
        int pi = param_find(C->q, e->var);
        if (pi < 0) {
            terr(C, "T6", "variable `$%s` is not bound", e->var);
            break;
        }
        if ((x = new_tx(C, OG_TC_PARAM, e))) {
            x->param = pi;
            x->type = C->q->params[pi].type;
        }
        break;
    }
    case OG_GQ_E_PROP:
        x = check_prop(C, e);
        break;
    case OG_GQ_E_ALIAS: {
        for (size_t i = 0; i < C->q->n_projs; i++) {
            const char *al = C->q->projs[i].alias;
            if (al && strcmp(al, e->name) == 0 && i < C->out->n_projs) {
                if ((x = new_tx(C, OG_TC_ALIAS, e))) {
                    x->alias = (int)i;
                    x->type = C->out->projs[i].expr->type;
                }
                return x;
            }
        }
        terr(C, "T6", "unknown alias `%s`", e->name);
        break;
    }
    case OG_GQ_E_CALL:
        x = check_call(C, e);
        break;
    case OG_GQ_E_AGG: {
        og_tc_expr *a;
        if (!(x = new_tx(C, OG_TC_AGG, e)) || !(x->args = alloc(C, sizeof *x->args))) break;
        x->agg = e->agg;
        x->n_args = 1;
        if (!(a = x->args[0] = check_expr(C, e->args[0]))) return NULL;
        if (!blob_prop_read(C, a) || !blob_param_read(C, a)) return NULL;
        const og_gq_type *at = &a->type;
        char b[40];
        type_str(at, b, sizeof b);
        switch (e->agg) {
        case OG_GQ_AGG_COUNT:
            x->type.base = OG_GQ_I64;
            break;
        case OG_GQ_AGG_SUM:
        case OG_GQ_AGG_AVG:
            if (at->is_list || !is_numeric(at->base)) {
                terr(C, "T8", "%s() requires a numeric argument, got %s", og_gq_agg_name(e->agg), b);
                return NULL;
            }
            x->type.base = OG_GQ_F64;
            x->type.nullable = true;
            break;
        default:
            if (at->is_list || !(is_numeric(at->base) || norm(at->base) == OG_GQ_STRING)) {
                terr(C, "T8", "%s() requires a numeric or String argument, got %s",
                     og_gq_agg_name(e->agg), b);
                return NULL;
            }
            x->type = *at;
            x->type.nullable = true;
            break;
        }
        break;
    }
    }
    return C->rc == OG_OK ? x : NULL;
}

/* ---------------------------------------------------------- clauses */

static bool check_steps(tc *C, const og_gq_clause *cs, size_t n, og_tc_step **out, size_t *n_out);

/* A value assigned to / matched against a property of type pt. */
static bool value_fits(tc *C, const og_gq_type *pt, const og_tc_expr *v, const char *code,
                       const char *owner, const char *prop)
{
    char a[40], b[40];
    type_str(pt, a, sizeof a);
    type_str(&v->type, b, sizeof b);
    if (v->kind == OG_TC_NOW && !(pt->base == OG_GQ_DATETIME && !pt->is_list))
        return terr(C, "T7", "now() is a DateTime and cannot be used for property `%s` of type %s",
                    prop, a);
    if (pt->base == OG_GQ_VECTOR) {
        if (v->type.base == OG_GQ_VECTOR && v->type.dim == pt->dim) return true;
        if (v->kind == OG_TC_LIT && v->type.is_list && is_numeric(v->type.base)) {
            if (v->ast->lit.n_items != pt->dim)
                return terr(C, code, "property `%s.%s` expects Vector(%u), got a vector of %zu "
                            "values", owner, prop, pt->dim, v->ast->lit.n_items);
            return true;
        }
        if (v->kind == OG_TC_PARAM && v->type.is_list && is_numeric(v->type.base)) return true;
        return terr(C, code, "property `%s.%s` expects %s, got %s", owner, prop, a, b);
    }
    if (pt->is_list != v->type.is_list && !(v->kind == OG_TC_LIT && v->type.is_list &&
                                            v->ast->lit.n_items == 0 && pt->is_list))
        return terr(C, code, "property `%s.%s` expects %s, got %s", owner, prop, a, b);
    if (v->type.is_list && v->ast->kind == OG_GQ_E_LIT && v->ast->lit.n_items == 0) return true;
    if (!base_compat(pt->base, v->type.base))
        return terr(C, code, "property `%s.%s` expects %s, got %s", owner, prop, a, b);
    return true;
}

static bool enum_member(tc *C, const og_property *p, const og_tc_expr *v, const char *code,
                        const char *owner)
{
    if (p->type.scalar != OG_SCALAR_ENUM || v->kind != OG_TC_LIT ||
        v->ast->lit.kind != OG_GQ_LIT_STRING)
        return true;
    for (size_t i = 0; i < p->type.n_enum; i++)
        if (strcmp(p->type.enum_values[i], v->ast->lit.s) == 0) return true;
    char list[400];
    size_t off = 0;
    list[0] = 0;
    for (size_t i = 0; i < p->type.n_enum && off < sizeof list - 1; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                p->type.enum_values[i]);
    return terr(C, code, "property `%s.%s` expects one of [%s], got \"%s\"", owner, p->name,
                list, v->ast->lit.s);
}

static bool check_binding(tc *C, const og_gq_clause *c, og_tc_step *s)
{
    const og_decl *t = find_type(C->cat, OG_KIND_NODE, c->type_name, false);
    s->kind = OG_TC_SCAN;
    if (!t) return terr(C, "T1", "unknown node type `%s`", c->type_name);
    int vi = var_find(C, c->var);
    if (vi >= 0) {
        const og_tc_var *v = &C->out->vars[vi];
        if (v->is_edge)
            return terr(C, "T23", "`$%s` is bound to an edge and cannot be rebound as a node",
                        c->var);
        if (v->type != t)
            return terr(C, "T5", "`$%s` is already bound to `%s`, cannot rebind it to `%s`",
                        c->var, v->type->name, t->name);
        var_use(C, c->var);
    } else if ((vi = var_add(C, c->var, false, t)) < 0) {
        return false;
    }
    s->var = vi;
    s->n_pfilters = c->n_pmatches;
    if (c->n_pmatches && !(s->pfilters = alloc(C, c->n_pmatches * sizeof *s->pfilters)))
        return false;
    for (size_t i = 0; i < c->n_pmatches; i++) {
        const og_gq_pmatch *pm = &c->pmatches[i];
        og_tc_pfilter *pf = &s->pfilters[i];
        int pi = find_prop(t, pm->prop);
        if (pi < 0) return terr(C, "T2", "node `%s` has no property `%s`", t->name, pm->prop);
        const og_property *p = &t->props[pi];
        og_gq_type pt = prop_gq_type(p);
        if (pt.base == OG_GQ_BLOB)
            return terr(C, "T3", "blob property `%s.%s` cannot be used in match patterns",
                        t->name, p->name);
        if (!(pf->value = check_expr(C, pm->value))) return false;
        pf->prop = pi;
        if (pt.is_list) {
            if (pf->value->type.is_list)
                return terr(C, "T3", "list equality is not supported for `%s.%s`; a scalar "
                            "value tests membership", t->name, p->name);
            pf->membership = true;
            pt.is_list = false;
        }
        if (pf->value->kind == OG_TC_NOW && pt.base != OG_GQ_DATETIME)
            return terr(C, "T3", "property `%s.%s` expects %s, got DateTime", t->name, p->name,
                        og_gq_base_name(pt.base));
        if (!value_fits(C, &pt, pf->value, "T3", t->name, p->name) ||
            !enum_member(C, p, pf->value, "T3", t->name))
            return false;
    }
    return true;
}

static bool check_traversal(tc *C, const og_gq_clause *c, og_tc_step *s)
{
    s->kind = OG_TC_TRAVERSE;
    const og_decl *e = find_type(C->cat, OG_KIND_EDGE, c->edge, true);
    if (!e) return terr(C, "T4", "unknown edge `%s`", c->edge);
    s->edge = e;
    s->min_hops = c->min_hops;
    s->max_hops = c->max_hops;
    s->edge_var = -1;
    if (c->max_missing)
        return terr(C, "T15", "unbounded traversal is disabled; give `%s{%lld,max}` an upper bound",
                    c->edge, (long long)c->min_hops);
    if (c->min_hops < 1)
        return terr(C, "T15", "traversal bounds {%lld,%lld}: min must be at least 1",
                    (long long)c->min_hops, (long long)c->max_hops);
    if (c->max_hops < c->min_hops)
        return terr(C, "T15", "traversal bounds {%lld,%lld}: max must be >= min",
                    (long long)c->min_hops, (long long)c->max_hops);
    if (c->edge_var) {
        if (c->min_hops != 1 || c->max_hops != 1)
            return terr(C, "T23", "edge binding `$%s` on a multi-hop traversal: a bounded "
                        "traversal matches a path, not one edge", c->edge_var);
        if (strcmp(c->edge_var, c->src) == 0 || strcmp(c->edge_var, c->dst) == 0)
            return terr(C, "T23", "edge binding `$%s` must be distinct from the traversal "
                        "endpoint names", c->edge_var);
        if (var_find(C, c->edge_var) >= 0)
            return terr(C, "T23", "edge binding `$%s` is already bound", c->edge_var);
    }
    if (c->undirected && strcmp(e->from_name, e->to_name) != 0)
        return terr(C, "T22", "undirected traversal needs an edge with one endpoint type; "
                    "`%s` is %s -> %s", e->name, e->from_name, e->to_name);
    const og_decl *from = find_type(C->cat, OG_KIND_NODE, e->from_name, false);
    const og_decl *to = find_type(C->cat, OG_KIND_NODE, e->to_name, false);
    bool anon_s = strcmp(c->src, "_") == 0, anon_d = strcmp(c->dst, "_") == 0;
    int si = anon_s ? -1 : var_use(C, c->src), di = anon_d ? -1 : var_use(C, c->dst);
    const og_decl *st = NULL, *dt = NULL;
    if (si >= 0) {
        if (C->out->vars[si].is_edge)
            return terr(C, "T23", "edge binding `$%s` cannot be used as a traversal endpoint "
                        "(edge, not a node)", c->src);
        st = C->out->vars[si].type;
    }
    if (di >= 0) {
        if (C->out->vars[di].is_edge)
            return terr(C, "T23", "edge binding `$%s` cannot be used as a traversal endpoint "
                        "(edge, not a node)", c->dst);
        dt = C->out->vars[di].type;
    }
    s->src_bound = si >= 0;
    s->dst_bound = di >= 0;
    og_tc_dir dir;
    if (st) {
        if (st == from && (!dt || dt == to)) dir = OG_TC_OUT;
        else if (st == to && (!dt || dt == from)) dir = OG_TC_IN;
        else return terr(C, "T5", "`$%s` (%s) and `$%s`%s%s do not fit edge `%s` (%s -> %s)",
                         c->src, st->name, c->dst, dt ? " " : "", dt ? dt->name : "",
                         e->name, e->from_name, e->to_name);
    } else if (dt) {
        if (dt == to) dir = OG_TC_OUT;
        else if (dt == from) dir = OG_TC_IN;
        else return terr(C, "T5", "`$%s` (%s) is not an endpoint of edge `%s` (%s -> %s)",
                         c->dst, dt->name, e->name, e->from_name, e->to_name);
    } else {
        dir = OG_TC_OUT;
    }
    s->dir = c->undirected ? OG_TC_BOTH : dir;
    if (!anon_s && si < 0 && (si = var_add(C, c->src, false, dir == OG_TC_OUT ? from : to)) < 0)
        return false;
    if (!anon_d && di < 0 && (di = var_add(C, c->dst, false, dir == OG_TC_OUT ? to : from)) < 0)
        return false;
    s->src = si;
    s->dst = di;
    if (c->edge_var && (s->edge_var = var_add(C, c->edge_var, true, e)) < 0) return false;
    return true;
}

static bool check_filter(tc *C, const og_gq_clause *c, og_tc_step *s)
{
    og_tc_expr *l, *r;
    s->kind = OG_TC_FILTER;
    s->op = c->op;
    if (!(l = s->left = check_expr(C, c->left)) || !blob_prop_read(C, l)) return false;
    if (!(r = s->right = check_expr(C, c->right)) || !blob_prop_read(C, r)) return false;
    const og_gq_type *lt = &l->type, *rt = &r->type;
    char a[40], b[40];
    type_str(lt, a, sizeof a);
    type_str(rt, b, sizeof b);
    if (c->op == OG_GQ_OP_CONTAINS) {
        if (lt->is_list) {
            if (!is_scalar(rt) || rt->base == OG_GQ_BLOB)
                return terr(C, "T7", "contains requires a scalar right operand, got %s", b);
            if (!base_compat(lt->base, rt->base))
                return terr(C, "T7", "contains: list of %s cannot contain %s",
                            og_gq_base_name(lt->base), b);
            s->fop = OG_TC_LIST_CONTAINS;
            return true;
        }
        if (is_stringy(lt)) {
            if (!is_stringy(rt))
                return terr(C, "T7", "string contains requires a String right operand, got %s", b);
            s->fop = OG_TC_STR_CONTAINS;
            return true;
        }
        return terr(C, "T7", "contains requires a list property (membership) or a String "
                    "property (substring), got %s", a);
    }
    if (c->op == OG_GQ_OP_STARTS_WITH) {
        if (!is_stringy(lt))
            return terr(C, "T7", "starts_with requires a String property on the left, got %s", a);
        if (!is_stringy(rt))
            return terr(C, "T7", "starts_with requires a String right operand, got %s", b);
        s->fop = OG_TC_STARTS_WITH;
        return true;
    }
    s->fop = OG_TC_COMPARE;
    if (lt->base == OG_GQ_BLOB || rt->base == OG_GQ_BLOB)
        return terr(C, "T7", "blob comparisons in filters are not supported");
    if (!is_scalar(lt) || !is_scalar(rt))
        return terr(C, "T7", "comparison `%s` requires scalar operands, got %s and %s",
                    og_gq_op_name(c->op), a, b);
    if (!base_compat(lt->base, rt->base))
        return terr(C, "T7", "cannot compare %s with %s", a, b);
    return true;
}

static bool check_steps(tc *C, const og_gq_clause *cs, size_t n, og_tc_step **out, size_t *n_out)
{
    og_tc_step *steps = alloc(C, (n ? n : 1) * sizeof *steps);
    if (!steps) return false;
    *out = steps;
    *n_out = n;
    for (size_t i = 0; i < n; i++) {
        const og_gq_clause *c = &cs[i];
        og_tc_step *s = &steps[i];
        bool ok = true;
        s->ast = c;
        s->var = s->src = s->dst = s->edge_var = -1;
        switch (c->kind) {
        case OG_GQ_C_BINDING: ok = check_binding(C, c, s); break;
        case OG_GQ_C_TRAVERSAL: ok = check_traversal(C, c, s); break;
        case OG_GQ_C_FILTER: ok = check_filter(C, c, s); break;
        case OG_GQ_C_SEARCH:
            s->kind = OG_TC_TEXT;
            ok = (s->call = check_call(C, c->call)) != NULL;
            if (ok) s->var = s->call->args[0]->var;
            break;
        case OG_GQ_C_NOT: {
            /* (3): block-local variables */
            int saved_scope = C->scope, saved_base = C->scope_base;
            bool saved_touch = C->touched_outer;
            s->kind = OG_TC_ANTI;
            C->scope = ++C->next_scope;
            size_t inner_base = C->out->n_vars;
            C->scope_base = (int)inner_base;
            C->touched_outer = false;
            ok = check_steps(C, c->body, c->n_body, &s->body, &s->n_body);
            if (ok && !C->touched_outer)
                ok = terr(C, "T9", "a `not { }` block must reference a variable bound outside it");
            C->scope = saved_scope;
            C->scope_base = saved_base;
            C->touched_outer = saved_touch || (ok && saved_scope > 0);
            /* vars first bound inside the block stay in vars[] (the executor
             * needs them) but are closed: negative scope, invisible here */
            for (size_t k = inner_base; k < C->out->n_vars; k++)
                if (C->out->vars[k].scope > 0) C->out->vars[k].scope = -C->out->vars[k].scope;
            break;
        }
        }
        if (!ok) return false;
    }
    return true;
}

/* --------------------------------------------------- return / order */

static bool check_return(tc *C)
{
    const og_gq_query *q = C->q;
    og_tc_query *o = C->out;
    if (!(o->projs = alloc(C, q->n_projs * sizeof *o->projs))) return false;
    for (size_t i = 0; i < q->n_projs; i++) {
        const og_gq_proj *p = &q->projs[i];
        og_tc_proj *tp = &o->projs[i];
        og_tc_expr *x = check_expr(C, p->expr);
        if (!x || !blob_prop_read(C, x) || !blob_param_read(C, x)) return false;
        tp->expr = x;
        tp->is_agg = x->kind == OG_TC_AGG;
        if (tp->is_agg) o->has_agg = true;
        const og_gq_expr *e = p->expr;
        const char *col, *name;
        switch (e->kind) {
        case OG_GQ_E_PROP:
            {
                size_t n = strlen(e->var) + strlen(e->name) + 2;
                char *b = alloc(C, n);
                if (!b) return false;
                snprintf(b, n, "%s.%s", e->var, e->name);
                col = b;
            }
            name = e->name;
            break;
        case OG_GQ_E_VAR: col = name = e->var; break;
        case OG_GQ_E_LIT: col = name = "literal"; break;
        case OG_GQ_E_NOW: col = name = "now"; break;
        case OG_GQ_E_AGG:
            name = og_gq_agg_name(e->agg);
            col = e->args[0]->kind == OG_GQ_E_PROP ? e->args[0]->name
                  : e->args[0]->kind == OG_GQ_E_VAR ? e->args[0]->var : name;
            break;
        case OG_GQ_E_CALL: col = name = og_gq_fn_name(e->fn); break;
        default: col = name = e->name ? e->name : "expr"; break;
        }
        tp->column = p->alias ? p->alias : col;
        tp->name = p->alias ? p->alias : name;
        o->n_projs = i + 1;
    }
    if (o->has_agg)
        for (size_t i = 0; i < o->n_projs; i++)
            if (!o->projs[i].is_agg && o->projs[i].expr->kind != OG_TC_PROP &&
                o->projs[i].expr->kind != OG_TC_NODE)
                return terr(C, "T9", "in an aggregate query, projection `%s` must be an "
                            "aggregate, `$v` or `$v.prop`", o->projs[i].column);
    return true;
}

static bool check_order(tc *C)
{
    const og_gq_query *q = C->q;
    og_tc_query *o = C->out;
    bool nearest = false, rrf = false, alias = false, alias_rrf = false;
    o->has_limit = q->has_limit;
    o->limit = q->limit;
    if (q->n_orders && !(o->orders = alloc(C, q->n_orders * sizeof *o->orders))) return false;
    for (size_t i = 0; i < q->n_orders; i++) {
        og_tc_expr *x = check_expr(C, q->orders[i].expr);
        if (!x || !blob_prop_read(C, x) || !blob_param_read(C, x)) return false;
        o->orders[i].expr = x;
        o->orders[i].desc = q->orders[i].desc;
        o->n_orders = i + 1;
        if (x->kind == OG_TC_CALL) {
            if (x->fn == OG_GQ_FN_NEAREST) nearest = true;
            if (x->fn == OG_GQ_FN_RRF) rrf = true;
            if (i == 0 && (x->fn == OG_GQ_FN_NEAREST || x->fn == OG_GQ_FN_BM25 || rrf))
                o->ranking = true;
        } else if (x->kind == OG_TC_ALIAS) {
            alias = true;
            const og_tc_expr *px = o->projs[x->alias].expr;
            if (px->kind == OG_TC_CALL && px->fn == OG_GQ_FN_RRF) alias_rrf = true;
        }
    }
    if (nearest && !q->has_limit)
        return terr(C, "T17", "nearest() ordering requires a `limit`");
    if (nearest && alias)
        return terr(C, "T18", "nearest() ordering cannot be combined with ordering by an alias");
    if ((rrf || alias_rrf) && !q->has_limit)
        return terr(C, "T21", "rrf() ordering requires a `limit`");
    return true;
}

/* ------------------------------------------------------- mutations */

static og_tc_expr *mut_value(tc *C, const og_gq_expr *v)
{
    if (v->kind == OG_GQ_E_VAR && param_find(C->q, v->var) < 0) {
        terr(C, "T14", "`$%s` is not a declared parameter", v->var);
        return NULL;
    }
    return check_expr(C, v);
}

static bool check_mutation(tc *C, const og_gq_mutation *m, og_tc_mut *tm)
{
    const og_decl *t = find_type(C->cat, OG_KIND_NODE, m->type_name, false);
    if (!t) t = find_type(C->cat, OG_KIND_EDGE, m->type_name, false);
    tm->kind = m->kind;
    if (!t) return terr(C, "T10", "unknown node or edge type `%s`", m->type_name);
    tm->type = t;
    bool edge = t->kind == OG_KIND_EDGE;
    if (m->kind == OG_GQ_UPDATE && edge)
        return terr(C, "T16", "update is not supported on edge type `%s`; delete and re-insert",
                    t->name);
    if (m->kind != OG_GQ_DELETE) {
        if (m->n_assigns == 0)
            return terr(C, "T10", "%s into `%s` has no assignments",
                        m->kind == OG_GQ_INSERT ? "insert" : "update", t->name);
        if (!(tm->assigns = alloc(C, m->n_assigns * sizeof *tm->assigns))) return false;
        tm->n_assigns = m->n_assigns;
        for (size_t i = 0; i < m->n_assigns; i++) {
            const og_gq_assign *a = &m->assigns[i];
            og_tc_assign *ta = &tm->assigns[i];
            for (size_t k = 0; k < i; k++)
                if (strcmp(m->assigns[k].prop, a->prop) == 0)
                    return terr(C, "T13", "property `%s` is assigned more than once", a->prop);
            if (!(ta->value = mut_value(C, a->value))) return false;
            if (edge && (strcmp(a->prop, "from") == 0 || strcmp(a->prop, "to") == 0)) {
                ta->prop = a->prop[0] == 'f' ? OG_TC_FROM : OG_TC_TO;
                if (!is_stringy(&ta->value->type))
                    return terr(C, "T7", "edge endpoint `%s` must be a String node id", a->prop);
                continue;
            }
            int pi = find_prop(t, a->prop);
            if (pi < 0) return terr(C, "T11", "`%s` has no property `%s`", t->name, a->prop);
            const og_property *p = &t->props[pi];
            ta->prop = pi;
            if (m->kind == OG_GQ_UPDATE && p->is_key)
                return terr(C, "T11", "cannot update @key property '%s' — delete and re-insert "
                            "instead", p->name);
            og_gq_type pt = prop_gq_type(p);
            if (pt.base == OG_GQ_BLOB && is_stringy(&ta->value->type)) continue;
            if (!value_fits(C, &pt, ta->value, "T7", t->name, p->name) ||
                !enum_member(C, p, ta->value, "T7", t->name))
                return false;
        }
        if (m->kind == OG_GQ_INSERT) {
            if (edge) {
                static const char *const ends[] = {"from", "to"};
                for (int k = 0; k < 2; k++) {
                    bool found = false;
                    for (size_t i = 0; i < m->n_assigns; i++)
                        if (strcmp(m->assigns[i].prop, ends[k]) == 0) found = true;
                    if (!found)
                        return terr(C, "T12", "insert into `%s` must provide required endpoint "
                                    "`%s`", t->name, ends[k]);
                }
            }
            for (size_t pi = 0; pi < t->n_props; pi++) {
                const og_property *p = &t->props[pi];
                bool found = false, src_found = false;
                if (p->type.nullable) continue;
                for (size_t i = 0; i < m->n_assigns; i++) {
                    if (strcmp(m->assigns[i].prop, p->name) == 0) found = true;
                    if (p->embed_source && strcmp(m->assigns[i].prop, p->embed_source) == 0)
                        src_found = true;
                }
                if (found || src_found) continue;
                if (p->embed_source)
                    return terr(C, "T12", "insert into `%s` must provide `%s` or its @embed "
                                "source `%s`", t->name, p->name, p->embed_source);
                return terr(C, "T12", "insert into `%s` must provide required property `%s`",
                            t->name, p->name);
            }
        }
    }
    if (m->kind == OG_GQ_INSERT) return true;
    /* where predicate */
    tm->where_op = m->where_op;
    if (edge && (strcmp(m->where_prop, "from") == 0 || strcmp(m->where_prop, "to") == 0)) {
        tm->where_prop = m->where_prop[0] == 'f' ? OG_TC_FROM : OG_TC_TO;
        if (!(tm->where_value = mut_value(C, m->where_value))) return false;
        if (!is_stringy(&tm->where_value->type))
            return terr(C, "T7", "edge endpoint `%s` compares with a String node id", m->where_prop);
        return true;
    }
    int pi = find_prop(t, m->where_prop);
    if (pi < 0) return terr(C, "T11", "`%s` has no property `%s`", t->name, m->where_prop);
    const og_property *p = &t->props[pi];
    og_gq_type pt = prop_gq_type(p);
    tm->where_prop = pi;
    if (pt.base == OG_GQ_BLOB)
        return terr(C, "T11", "blob property `%s` cannot be used in WHERE predicates", p->name);
    if (!(tm->where_value = mut_value(C, m->where_value))) return false;
    if (pt.is_list || pt.base == OG_GQ_VECTOR)
        return terr(C, "T7", "WHERE on `%s.%s` requires a scalar property", t->name, p->name);
    return value_fits(C, &pt, tm->where_value, "T7", t->name, p->name);
}

/* ------------------------------------------------------------ entry */

og_status og_tc_check(const og_catalog *cat, const og_gq_query *q, og_tc_query **out)
{
    tc C = {0};
    *out = NULL;
    C.cat = cat;
    C.q = q;
    if (!(C.pool = og_gq_pool_new())) return og_error_set(OG_E_NOMEM, "out of memory");
    if (!(C.out = alloc(&C, sizeof *C.out))) goto done;
    C.out->pool = C.pool;
    C.out->ast = q;
    C.out->cat = cat;
    C.out->is_mutation = q->is_mutation;
    if (q->is_mutation) {
        /* Mixed insert/update + delete statements are accepted: deletes are
         * staged like every other write, so the whole query still commits
         * once (design.md §2 item 2; the reference's D2 refusal is gone). */
        if (!(C.out->muts = alloc(&C, q->n_mutations * sizeof *C.out->muts))) goto done;
        for (size_t i = 0; i < q->n_mutations; i++) {
            if (!check_mutation(&C, &q->mutations[i], &C.out->muts[i])) goto done;
            C.out->n_muts = i + 1;
        }
    } else {
        if (!check_steps(&C, q->clauses, q->n_clauses, &C.out->steps, &C.out->n_steps)) goto done;
        C.scope = 0;
        if (!check_return(&C) || !check_order(&C)) goto done;
    }
done:
    if (C.rc != OG_OK) {
        og_gq_pool_free(C.pool);
        return C.rc;
    }
    *out = C.out;
    return OG_OK;
}

void og_tc_query_free(og_tc_query *tq)
{
    if (tq) og_gq_pool_free(tq->pool);
}
