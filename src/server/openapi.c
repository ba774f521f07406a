/* openapi.c — the OpenAPI 3.1 document of the routes this server serves.
 * (1) Generated from one table, so a route that is not served is not listed.
 * (2) In Open mode the document has no security requirement (§5.2). */
#include <string.h>

#include "omnigraph.h"
#include "server.h"

typedef struct op_row {
    const char *path, *method, *op_id, *summary, *request; /* request: json|ndjson|NULL */
    const char *response;                                   /* json|ndjson */
    bool deprecated;
} op_row;

static const op_row ops[] = {
    {"/healthz", "get", "healthz", "Liveness and version", NULL, "json", false},
    {"/openapi.json", "get", "openapi", "This document", NULL, "json", false},
    {"/graphs", "get", "listGraphs", "List served graphs", NULL, "json", false},
    {"/graphs/{graph_id}/snapshot", "get", "snapshot", "Table versions of a branch", NULL, "json", false},
    {"/graphs/{graph_id}/query", "post", "query", "Run a read query", "json", "json", false},
    {"/graphs/{graph_id}/read", "post", "read", "Run a read query (deprecated)", "json", "json", true},
    {"/graphs/{graph_id}/mutate", "post", "mutate", "Run a mutation", "json", "json", false},
    {"/graphs/{graph_id}/mutate/if-graph-commit", "post", "mutateIfGraphCommit",
     "Run a mutation if the branch head is Omnigraph-If-Graph-Commit", "json", "json", false},
    {"/graphs/{graph_id}/change", "post", "change", "Run a mutation (deprecated)", "json", "json", true},
    {"/graphs/{graph_id}/queries", "get", "listStoredQueries", "List stored queries", NULL, "json", false},
    {"/graphs/{graph_id}/queries/{name}", "post", "invokeStoredQuery", "Invoke a stored query", "json", "json", false},
    {"/graphs/{graph_id}/queries/{name}/if-graph-commit", "post", "invokeStoredQueryIfGraphCommit",
     "Invoke a stored mutation with a head precondition", "json", "json", false},
    {"/graphs/{graph_id}/schema", "get", "schema", "Schema source", NULL, "json", false},
    {"/graphs/{graph_id}/load/ndjson", "post", "loadNdjson", "Bulk load strict NDJSON", "ndjson", "json", false},
    {"/graphs/{graph_id}/load", "post", "load", "Bulk load a JSON envelope", "json", "json", false},
    {"/graphs/{graph_id}/ingest", "post", "ingest", "Bulk load (deprecated)", "json", "json", true},
    {"/graphs/{graph_id}/export", "post", "export", "Export as NDJSON", "json", "ndjson", false},
    {"/graphs/{graph_id}/branches", "get", "listBranches", "List branches", NULL, "json", false},
    {"/graphs/{graph_id}/branches", "post", "createBranch", "Create a branch", "json", "json", false},
    {"/graphs/{graph_id}/branches/{branch}", "delete", "deleteBranch", "Delete a branch", NULL, "json", false},
    {"/graphs/{graph_id}/branches/merge", "post", "mergeBranch", "Merge a branch into another (three-way)", "json", "json", false},
    {"/graphs/{graph_id}/commits", "get", "listCommits", "List commits of a branch", NULL, "json", false},
    {"/graphs/{graph_id}/commits/{commit_id}", "get", "showCommit", "Show one commit", NULL, "json", false},
    {"/graphs/{graph_id}/commits/{commit_id}/changes", "get", "commitChanges",
     "Entity changes of one commit vs its first parent", NULL, "json", false},
    {"/graphs/{graph_id}/changes", "get", "pollChanges", "Poll the change feed of a branch", NULL, "json", false},
    {"/graphs/{graph_id}/changes/baseline", "post", "changesBaseline",
     "Data snapshot then the feed's resume cursor", "json", "ndjson", false},
    {"/graphs/{graph_id}/schema/apply", "post", "applySchema",
     "Apply a schema (409 on a cluster-served graph)", "json", "json", false},
};

static json_t *param(const char *name, const char *in, bool required)
{
    return json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", in, "required", required,
                     "schema", "type", "string");
}

static json_t *content(const char *kind, const char *ref)
{
    const char *mt = !strcmp(kind, "ndjson") ? "application/x-ndjson" : "application/json";
    json_t *schema = ref ? json_pack("{s:s}", "$ref", ref) : json_pack("{s:s}", "type", !strcmp(kind, "ndjson") ? "string" : "object");
    return json_pack("{s:{s:o}}", mt, "schema", schema);
}

json_t *og_srv_openapi(const og_srv *s)
{
    json_t *paths = json_object();
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const op_row *o = &ops[i];
        json_t *item = json_object_get(paths, o->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, o->path, item);
        }
        json_t *params = json_array();
        if (strstr(o->path, "{graph_id}")) json_array_append_new(params, param("graph_id", "path", true));
        if (strstr(o->path, "{name}")) json_array_append_new(params, param("name", "path", true));
        if (strstr(o->path, "{branch}")) json_array_append_new(params, param("branch", "path", true));
        if (strstr(o->path, "{commit_id}")) json_array_append_new(params, param("commit_id", "path", true));
        if (strstr(o->path, "if-graph-commit"))
            json_array_append_new(params, param("Omnigraph-If-Graph-Commit", "header", true));
        if (!strcmp(o->op_id, "snapshot") || !strcmp(o->op_id, "listCommits"))
            json_array_append_new(params, param("branch", "query", false));
        if (!strcmp(o->op_id, "loadNdjson")) {
            json_array_append_new(params, param("branch", "query", false));
            json_array_append_new(params, param("from", "query", false));
            json_array_append_new(params, param("mode", "query", false));
        }
        json_t *errs = content("json", "#/components/schemas/ErrorOutput");
        json_t *responses = json_pack("{s:{s:s, s:o}, s:{s:s, s:o}}",
                                      "200", "description", "success", "content", content(o->response, NULL),
                                      "default", "description", "ErrorOutput", "content", errs);
        json_t *op = json_pack("{s:s, s:s, s:o, s:o}", "operationId", o->op_id, "summary", o->summary,
                               "parameters", params, "responses", responses);
        if (o->request)
            json_object_set_new(op, "requestBody",
                                json_pack("{s:b, s:o}", "required", !strcmp(o->request, "ndjson"),
                                          "content", content(o->request, NULL)));
        if (o->deprecated) json_object_set_new(op, "deprecated", json_true());
        if (!strcmp(o->path, "/healthz") || !strcmp(o->path, "/openapi.json"))
            json_object_set_new(op, "security", json_array());
        json_object_set_new(item, o->method, op);
    }
    json_t *err_schema = json_pack(
        "{s:s, s:[s], s:{s:{s:s}, s:{s:s, s:[s,s,s,s,s,s,s,s]}, s:{s:s}, s:{s:s}, s:{s:s}}}",
        "type", "object", "required", "error", "properties",
        "error", "type", "string",
        "code", "type", "string", "enum", "unauthorized", "forbidden", "bad_request", "not_found",
        "method_not_allowed", "conflict", "too_many_requests", "internal",
        "manifest_conflict", "type", "object",
        "resource_limit", "type", "object",
        "precondition_failure", "type", "object");
    json_t *props = json_object_get(err_schema, "properties");
    json_object_set_new(props, "key_conflict",
                        json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}}}", "type", "object", "properties",
                                  "entity_kind", "type", "string", "type_name", "type", "string",
                                  "entity_id", "type", "string"));
    json_object_set_new(props, "recovery_required",
                        json_pack("{s:s, s:[s], s:{s:{s:s}}}", "type", "object", "required", "operation_id",
                                  "properties", "operation_id", "type", "string"));
    json_t *doc = json_pack("{s:s, s:{s:s, s:s}, s:o, s:{s:{s:o}}}",
                            "openapi", "3.1.0",
                            "info", "title", "omnigraph-server", "version", og_version(),
                            "paths", paths,
                            "components", "schemas", "ErrorOutput", err_schema);
    if (doc && s->mode != OG_MODE_OPEN) {
        json_t *comp = json_object_get(doc, "components");
        json_object_set_new(comp, "securitySchemes",
                            json_pack("{s:{s:s, s:s}}", "bearer", "type", "http", "scheme", "bearer"));
        json_object_set_new(doc, "security", json_pack("[{s:[]}]", "bearer"));
    }
    return doc;
}
