/* lint.c — og_lint_sources(): the offline `omnigraph lint` behind the public
 * API (surface.md §2.11).
 * (1) Compiles the schema, runs the pure lint (lang/lint.h) and renders the
 *     report as JSON in the reference's field order; the caller adds where
 *     the sources came from (schema_source, query_path).
 * (2) A bad query is a lint verdict, not a failure: only a schema that does
 *     not compile, or OOM, makes the call fail.
 * (3) Optional fields are omitted, not null: results[].warnings when there
 *     are none, error on ok results, operation on failed ones, and the
 *     type_name/property/query_names of findings that have none. */
#include "omnigraph.h"

#include <jansson.h>
#include <stdlib.h>
#include "base/status.h"
#include "lang/catalog.h"
#include "lang/lint.h"

void og_free(void *p) { free(p); }

/* json_object_set_new that remembers a failure in *ok. */
static void put(json_t *o, const char *k, json_t *v, bool *ok)
{
    if (!v || json_object_set_new(o, k, v)) *ok = false;
}

static void push(json_t *a, json_t *v, bool *ok)
{
    if (!v || json_array_append_new(a, v)) *ok = false;
}

static json_t *access_list(const og_lint_access *acc, size_t n, bool *ok)
{
    json_t *a = json_array();
    if (!a) { *ok = false; return NULL; }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        if (o) {
            put(o, "kind", json_string(acc[i].is_edge ? "edge" : "node"), ok);
            put(o, "type_name", json_string(acc[i].type_name), ok);
        }
        push(a, o, ok);
    }
    return a;
}

static json_t *operation(const og_lint_result *r, bool *ok)
{
    json_t *op = json_object(), *cols = json_array();
    if (!op || !cols) { json_decref(op); json_decref(cols); *ok = false; return NULL; }
    for (size_t i = 0; i < r->n_result; i++) {
        const og_lint_col *c = &r->result[i];
        json_t *o = json_object();
        if (o) {
            put(o, "name", json_string(c->name), ok);
            put(o, "kind", json_string(c->kind), ok);
            if (c->item_kind) put(o, "item_kind", json_string(c->item_kind), ok);
            if (c->vector_dim) put(o, "vector_dim", json_integer(c->vector_dim), ok);
            put(o, "nullable", json_boolean(c->nullable), ok);
        }
        push(cols, o, ok);
    }
    put(op, "result", cols, ok);
    put(op, "reads", access_list(r->reads, r->n_reads, ok), ok);
    put(op, "writes", access_list(r->writes, r->n_writes, ok), ok);
    return op;
}

static json_t *render(const og_lint_report *rep, bool *ok)
{
    json_t *root = json_object(), *results = json_array(), *findings = json_array();
    if (!root || !results || !findings) {
        json_decref(root); json_decref(results); json_decref(findings);
        *ok = false;
        return NULL;
    }
    put(root, "status", json_string(rep->ok ? "ok" : "error"), ok);
    put(root, "queries_processed", json_integer((json_int_t)rep->n_results), ok);
    put(root, "errors", json_integer((json_int_t)rep->errors), ok);
    put(root, "warnings", json_integer((json_int_t)rep->warnings), ok);
    put(root, "infos", json_integer((json_int_t)rep->infos), ok);
    for (size_t i = 0; i < rep->n_results; i++) {
        const og_lint_result *r = &rep->results[i];
        json_t *o = json_object();
        if (o) {
            put(o, "name", json_string(r->name), ok);
            put(o, "kind", json_string(r->is_mutation ? "mutation" : "read"), ok);
            put(o, "status", json_string(r->ok ? "ok" : "error"), ok);
            if (r->warning) {
                json_t *w = json_array();
                push(w, json_string(r->warning), ok);
                put(o, "warnings", w, ok);
            }
            if (!r->ok) put(o, "error", json_string(r->error ? r->error : "unknown error"), ok);
            else put(o, "operation", operation(r, ok), ok);
        }
        push(results, o, ok);
    }
    put(root, "results", results, ok);
    for (size_t i = 0; i < rep->n_findings; i++) {
        const og_lint_finding *f = &rep->findings[i];
        json_t *o = json_object();
        if (o) {
            put(o, "severity", json_string(f->is_error ? "error" : "warning"), ok);
            put(o, "code", json_string(f->code), ok);
            put(o, "message", json_string(f->message), ok);
            if (f->type_name) put(o, "type_name", json_string(f->type_name), ok);
            if (f->property) put(o, "property", json_string(f->property), ok);
            if (f->n_query_names) {
                json_t *q = json_array();
                for (size_t k = 0; q && k < f->n_query_names; k++)
                    push(q, json_string(f->query_names[k]), ok);
                put(o, "query_names", q, ok);
            }
        }
        push(findings, o, ok);
    }
    put(root, "findings", findings, ok);
    return root;
}

int og_lint_sources(const char *schema_src, size_t schema_len,
                    const char *query_src, size_t query_len, char **json_out)
{
    og_status rc = OG_OK;
    og_catalog *cat = NULL;
    og_lint_report *rep = NULL;
    json_t *root = NULL;
    bool ok = true;
    *json_out = NULL;
    og_error_clear();
    if (!schema_src || !query_src) {
        rc = og_error_set(OG_E_INVALID, "og_lint_sources: schema and query text are required");
        goto done;
    }
    rc = og_catalog_compile(schema_src, schema_len, NULL, "", &cat);
    if (rc) { og_error_context(rc, "schema"); goto done; }
    rc = og_lint_run(cat, query_src, query_len, &rep);
    if (rc) goto done;
    root = render(rep, &ok);
    if (ok) *json_out = json_dumps(root, JSON_COMPACT);
    if (!ok || !*json_out) rc = og_error_set(OG_E_NOMEM, "out of memory rendering lint output");
done:
    json_decref(root);
    og_lint_report_free(rep);
    og_catalog_free(cat);
    return rc;
}
