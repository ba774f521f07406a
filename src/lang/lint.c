/* lint.c — per-query compile results, operation descriptors and the L201
 * coverage finding (surface.md §2.11).
 * (1) Pure: text and catalog in, report out; no I/O.
 * (2) Everything in the report lives in its pool (og_lint_report_free).
 * (3) Only queries that type-check contribute to L201. */
#include "lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/query_ast.h"
#include "lang/typecheck.h"

static const char *kind_of(og_gq_base b)
{
    switch (b) {
    case OG_GQ_STRING: case OG_GQ_ENUM: return "string";
    case OG_GQ_BOOL: return "bool";
    case OG_GQ_I32: case OG_GQ_U32: return "int";
    case OG_GQ_I64: case OG_GQ_U64: return "bigint";
    case OG_GQ_F32: case OG_GQ_F64: return "float";
    case OG_GQ_DATE: return "date";
    case OG_GQ_DATETIME: return "datetime";
    case OG_GQ_BLOB: return "blob";
    case OG_GQ_VECTOR: return "vector";
    case OG_GQ_NODE: return "object";
    }
    return "object";
}

typedef struct acc_set { og_lint_access *items; size_t n, cap; } acc_set;

static og_status acc_add(og_gq_pool *pool, acc_set *s, bool is_edge, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->items[i].is_edge == is_edge && strcmp(s->items[i].type_name, name) == 0)
            return OG_OK;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 8;
        og_lint_access *ni = og_gq_pool_alloc(pool, nc * sizeof *ni);
        if (!ni) return og_error_set(OG_E_NOMEM, "out of memory");
        if (s->n) memcpy(ni, s->items, s->n * sizeof *ni);
        s->items = ni;
        s->cap = nc;
    }
    s->items[s->n].is_edge = is_edge;
    s->items[s->n].type_name = name;
    s->n++;
    return OG_OK;
}

static int acc_cmp(const void *a, const void *b)
{
    const og_lint_access *x = a, *y = b;
    if (x->is_edge != y->is_edge) return x->is_edge ? 1 : -1;
    return strcmp(x->type_name, y->type_name);
}

static og_status steps_reads(og_gq_pool *pool, const og_tc_query *tq, const og_tc_step *st,
                             size_t n, acc_set *r)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        const og_tc_step *s = &st[i];
        if (s->kind == OG_TC_SCAN) rc = acc_add(pool, r, false, tq->vars[s->var].type->name);
        else if (s->kind == OG_TC_TRAVERSE) {
            rc = acc_add(pool, r, true, s->edge->name);
            if (!rc) rc = acc_add(pool, r, false, s->edge->from_name);
            if (!rc) rc = acc_add(pool, r, false, s->edge->to_name);
        } else if (s->kind == OG_TC_ANTI) {
            rc = steps_reads(pool, tq, s->body, s->n_body, r);
        }
    }
    return rc;
}

static og_status describe(og_gq_pool *pool, const og_catalog *cat, const og_tc_query *tq,
                          og_lint_result *res)
{
    og_status rc = OG_OK;
    acc_set r = {0}, w = {0};
    if (tq->n_projs && !(res->result = og_gq_pool_alloc(pool, tq->n_projs * sizeof *res->result)))
        return og_error_set(OG_E_NOMEM, "out of memory");
    res->n_result = tq->n_projs;
    for (size_t i = 0; i < tq->n_projs; i++) {
        const og_gq_type *t = &tq->projs[i].expr->type;
        og_lint_col *c = &res->result[i];
        /* the AST dies before the report: copy */
        if (!(c->name = og_gq_pool_strdup(pool, tq->projs[i].name)))
            return og_error_set(OG_E_NOMEM, "out of memory");
        c->nullable = t->nullable;
        if (t->base == OG_GQ_VECTOR) {
            c->kind = "vector";
            c->vector_dim = t->dim;
        } else if (t->is_list) {
            c->kind = "list";
            c->item_kind = kind_of(t->base);
        } else {
            c->kind = kind_of(t->base);
        }
    }
    rc = steps_reads(pool, tq, tq->steps, tq->n_steps, &r);
    for (size_t i = 0; i < tq->n_muts && !rc; i++) {
        const og_tc_mut *m = &tq->muts[i];
        bool edge = m->type->kind == OG_KIND_EDGE;
        rc = acc_add(pool, &r, edge, m->type->name);
        if (!rc) rc = acc_add(pool, &w, edge, m->type->name);
        if (!rc && edge && m->kind == OG_GQ_INSERT) {
            rc = acc_add(pool, &r, false, m->type->from_name);
            if (!rc) rc = acc_add(pool, &r, false, m->type->to_name);
        }
        if (!rc && !edge && m->kind == OG_GQ_DELETE) {
            for (size_t k = 0; k < cat->n_types && !rc; k++) {
                const og_decl *e = &cat->types[k];
                if (e->kind != OG_KIND_EDGE) continue;
                if (strcmp(e->from_name, m->type->name) && strcmp(e->to_name, m->type->name))
                    continue;
                rc = acc_add(pool, &r, true, e->name);
                if (!rc) rc = acc_add(pool, &w, true, e->name);
            }
        }
    }
    if (r.n) qsort(r.items, r.n, sizeof *r.items, acc_cmp);
    if (w.n) qsort(w.items, w.n, sizeof *w.items, acc_cmp);
    res->reads = r.items;
    res->n_reads = r.n;
    res->writes = w.items;
    res->n_writes = w.n;
    return rc;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int finding_cmp(const void *a, const void *b)
{
    const og_lint_finding *x = a, *y = b;
    int c = strcmp(x->type_name ? x->type_name : "", y->type_name ? y->type_name : "");
    return c ? c : strcmp(x->property ? x->property : "", y->property ? y->property : "");
}

/* L201 over the successfully checked queries */
static og_status l201(og_lint_report *rep, const og_catalog *cat, og_tc_query **tqs, size_t n)
{
    og_gq_pool *pool = rep->pool;
    size_t cap = 0;
    for (size_t ti = 0; ti < cat->n_types; ti++) {
        const og_decl *t = &cat->types[ti];
        const char **names = NULL;
        size_t n_names = 0;
        if (t->kind != OG_KIND_NODE) continue;
        for (size_t qi = 0; qi < n; qi++) {
            bool targets = false;
            for (size_t m = 0; tqs[qi] && m < tqs[qi]->n_muts; m++)
                if (tqs[qi]->muts[m].kind == OG_GQ_UPDATE && tqs[qi]->muts[m].type == t)
                    targets = true;
            if (!targets) continue;
            const char **nn = og_gq_pool_alloc(pool, (n_names + 1) * sizeof *nn);
            if (!nn) return og_error_set(OG_E_NOMEM, "out of memory");
            if (n_names) memcpy(nn, names, n_names * sizeof *nn);
            nn[n_names++] = tqs[qi]->ast->name;
            names = nn;
        }
        if (!n_names) continue;
        qsort(names, n_names, sizeof *names, str_cmp);
        for (size_t pi = 0; pi < t->n_props; pi++) {
            const og_property *p = &t->props[pi];
            bool set = false;
            if (!p->type.nullable || p->is_key || p->embed_source) continue;
            for (size_t qi = 0; qi < n && !set; qi++)
                for (size_t m = 0; tqs[qi] && m < tqs[qi]->n_muts; m++) {
                    const og_tc_mut *mu = &tqs[qi]->muts[m];
                    if (mu->kind != OG_GQ_UPDATE || mu->type != t) continue;
                    for (size_t a = 0; a < mu->n_assigns; a++)
                        if (mu->assigns[a].prop == (int)pi) set = true;
                }
            if (set) continue;
            if (rep->n_findings == cap) {
                size_t nc = cap ? cap * 2 : 4;
                og_lint_finding *nf = og_gq_pool_alloc(pool, nc * sizeof *nf);
                if (!nf) return og_error_set(OG_E_NOMEM, "out of memory");
                if (rep->n_findings) memcpy(nf, rep->findings, rep->n_findings * sizeof *nf);
                rep->findings = nf;
                cap = nc;
            }
            og_lint_finding *f = &rep->findings[rep->n_findings++];
            char msg[512];
            snprintf(msg, sizeof msg, "%s.%s exists in schema but no update query sets it",
                     t->name, p->name);
            f->code = "L201";
            f->message = og_gq_pool_strdup(pool, msg);
            f->type_name = t->name;
            f->property = p->name;
            f->query_names = names;
            f->n_query_names = n_names;
            if (!f->message) return og_error_set(OG_E_NOMEM, "out of memory");
            rep->warnings++;
        }
    }
    if (rep->n_findings > 1)
        qsort(rep->findings, rep->n_findings, sizeof *rep->findings, finding_cmp);
    return OG_OK;
}

og_status og_lint_run(const og_catalog *cat, const char *gq, size_t len, og_lint_report **out)
{
    og_status rc = OG_OK;
    og_gq_file *f = NULL;
    og_tc_query **tqs = NULL;
    og_lint_report *rep = NULL;
    og_gq_pool *pool = og_gq_pool_new();
    *out = NULL;
    if (!pool || !(rep = og_gq_pool_alloc(pool, sizeof *rep))) {
        rc = og_error_set(OG_E_NOMEM, "out of memory");
        goto done;
    }
    rep->pool = pool;
    rc = og_gq_parse(gq, len, &f);
    if (rc == OG_E_PARSE) {
        rc = OG_OK;
        if (!(rep->findings = og_gq_pool_alloc(pool, sizeof *rep->findings)) ||
            !(rep->findings[0].message = og_gq_pool_strdup(pool, og_error_last()->message))) {
            rc = og_error_set(OG_E_NOMEM, "out of memory");
            goto done;
        }
        rep->findings[0].is_error = true;
        rep->findings[0].code = "Q000";
        rep->n_findings = 1;
        rep->errors = 1;
        goto done;
    }
    if (rc) goto done;
    if (!(tqs = calloc(f->n_queries ? f->n_queries : 1, sizeof *tqs)) ||
        (f->n_queries && !(rep->results = og_gq_pool_alloc(pool, f->n_queries * sizeof *rep->results)))) {
        rc = og_error_set(OG_E_NOMEM, "out of memory");
        goto done;
    }
    rep->n_results = f->n_queries;
    for (size_t i = 0; i < f->n_queries; i++) {
        const og_gq_query *q = &f->queries[i];
        og_lint_result *res = &rep->results[i];
        if (!(res->name = og_gq_pool_strdup(pool, q->name))) {
            rc = og_error_set(OG_E_NOMEM, "out of memory");
            goto done;
        }
        res->is_mutation = q->is_mutation;
        og_status qrc = og_tc_check(cat, q, &tqs[i]);
        if (qrc == OG_E_NOMEM) { rc = qrc; goto done; }
        if (qrc) {
            if (!(res->error = og_gq_pool_strdup(pool, og_error_last()->message))) {
                rc = og_error_set(OG_E_NOMEM, "out of memory");
                goto done;
            }
            rep->errors++;
            continue;
        }
        res->ok = true;
        if ((rc = describe(pool, cat, tqs[i], res))) goto done;
        if (q->is_mutation && q->n_params == 0) {
            res->warning = "mutation declares no params; hardcoded mutations are easy to miss";
            rep->warnings++;
        }
    }
    /* query names in findings must outlive the AST: point them at results */
    for (size_t i = 0; i < rep->n_results; i++)
        if (tqs[i]) tqs[i]->ast = &f->queries[i];
    if ((rc = l201(rep, cat, tqs, f->n_queries))) goto done;
    for (size_t k = 0; k < rep->n_findings; k++)
        for (size_t j = 0; j < rep->findings[k].n_query_names; j++)
            for (size_t i = 0; i < rep->n_results; i++)
                if (strcmp(rep->results[i].name, rep->findings[k].query_names[j]) == 0)
                    rep->findings[k].query_names[j] = rep->results[i].name;
done:
    for (size_t i = 0; tqs && f && i < f->n_queries; i++) og_tc_query_free(tqs[i]);
    free(tqs);
    og_gq_file_free(f);
    if (rc) {
        og_gq_pool_free(pool);
        return rc;
    }
    rep->ok = rep->errors == 0;
    *out = rep;
    return OG_OK;
}

void og_lint_report_free(og_lint_report *r)
{
    if (r) og_gq_pool_free(r->pool);
}
