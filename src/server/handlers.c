/* handlers.c — request dispatch and the top-level routes (§5.2, §5.3).
 * (1) Order of checks: route (404/405), bearer token (401), graph (404),
 *     served (405), content type (415); then the route's handler, which
 *     authorizes (403) before admission (429) before touching the graph.
 * (2) The actor comes only from the token; nothing the client sends in
 *     headers or bodies can change it. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "omnigraph.h"
#include "server.h"

static bool ctype_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    if (!ct) return false;
    while (*ct == ' ') ct++;
    return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void handle_healthz(og_resp *r)
{
    json_t *o = json_pack("{s:s, s:s, s:i}", "status", "ok", "version", og_version(),
                          "internal_schema_version", og_internal_schema_version());
    og_resp_json(r, 200, o);
}

static void handle_graphs(og_req *q, og_resp *r)
{
    if (og_srv_authorize(q, r, "graph_list", NULL, NULL, false)) return;
    json_t *arr = json_array();
    for (size_t i = 0; i < q->srv->ngraphs; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s}", "graph_id", q->srv->graphs[i].id,
                                             "uri", q->srv->graphs[i].uri));
    og_resp_json(r, 200, json_pack("{s:o}", "graphs", arr));
}

void og_srv_handle(og_req *q, og_resp *r)
{
    og_srv *s = q->srv;
    og_route *rt = &q->route;
    if (rt->id == OG_ROUTE_NONE) {
        og_resp_error(r, 404, "not_found", "not found", NULL);
        return;
    }
    if (rt->id == OG_ROUTE_BAD_METHOD) {
        og_resp_error(r, 405, "method_not_allowed", "method not allowed", NULL);
        return;
    }
    if (!(rt->flags & OG_RF_NO_AUTH) && s->mode != OG_MODE_OPEN) {
        const char *actor = NULL;
        og_auth_result ar = og_auth_check(&s->auth, q->header(q->conn, "Authorization"), &actor);
        if (ar != OG_AUTH_OK) {
            og_resp_error(r, 401, "unauthorized",
                          ar == OG_AUTH_MISSING ? "missing bearer token" : "invalid bearer token", NULL);
            og_resp_header(r, "WWW-Authenticate", "Bearer");
            return;
        }
        q->actor = actor;
    }
    if (rt->flags & OG_RF_GRAPH) {
        for (size_t i = 0; i < s->ngraphs; i++)
            if (!strcmp(s->graphs[i].id, rt->graph)) q->graph = &s->graphs[i];
        if (!q->graph) {
            char msg[128];
            snprintf(msg, sizeof msg, "graph '%s' not found", rt->graph);
            og_resp_error(r, 404, "not_found", msg, NULL);
            return;
        }
    }
    if (!(rt->flags & OG_RF_SERVED)) {
        og_resp_error(r, 405, "method_not_allowed", "route not served by this server", NULL);
        return;
    }
    const char *ct = q->header(q->conn, "Content-Type");
    if ((rt->flags & OG_RF_NDJSON_BODY) && !ctype_is(ct, "application/x-ndjson")) {
        og_resp_error(r, 415, "bad_request", "expected Content-Type: application/x-ndjson", NULL);
        return;
    }
    if ((rt->flags & OG_RF_JSON_BODY) && q->body_len > 0 && !ctype_is(ct, "application/json")) {
        og_resp_error(r, 415, "bad_request", "expected Content-Type: application/json", NULL);
        return;
    }
    switch (rt->id) {
    case OG_ROUTE_HEALTHZ: handle_healthz(r); break;
    case OG_ROUTE_OPENAPI: og_resp_json(r, 200, og_srv_openapi(s)); break;
    case OG_ROUTE_GRAPHS: handle_graphs(q, r); break;
    case OG_ROUTE_COMMIT_CHANGES:
    case OG_ROUTE_CHANGES:
    case OG_ROUTE_CHANGES_BASELINE:
    case OG_ROUTE_SCHEMA_APPLY: (void)og_srv_changes_handle(q, r); break;
    default: og_srv_graph_handle(q, r); break;
    }
}
