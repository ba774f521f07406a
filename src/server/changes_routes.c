/* changes_routes.c — the commit-changes, change-feed, baseline and
 * schema-apply routes of omnigraph-server (surface.md §5.3, §6).
 * (1) GET …/commits/{id}/changes?page_token=&limit=&kind=&type=&op= and
 *     GET …/changes?branch=&cursor=|start=&limit=&kind=&type=&op= answer the
 *     C API's JSON; kind/type/op may repeat in the query string as a
 *     comma-separated list (kind=node,edge) or once.
 * (2) POST …/changes/baseline answers application/x-ndjson: the export
 *     records, then one {"baseline":{snapshot_commit_id, resume_cursor}}
 *     line; the body is built whole before the 200 (so a failure is an
 *     ordinary error response).
 * (3) POST …/schema/apply is 409: this server serves the graphs of a
 *     cluster, whose schema changes go through `omnigraph cluster apply`
 *     (surface.md §1.11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"
#include "server.h"

static const char *qarg(og_req *q, const char *name)
{
    return q->query_arg ? q->query_arg(q->conn, name) : NULL;
}

static void answer(og_resp *r, int rc, char *json, const char *ctype)
{
    if (rc) og_resp_lib_error(r);
    else { og_resp_raw(r, 200, ctype, json, strlen(json)); json = NULL; }
    og_free(json);
}

/* {"kind":[..],"type":[..],"op":[..]} from the query string (1). */
static char *filter_from_query(og_req *q)
{
    static const char *const keys[] = {"kind", "type", "op"};
    json_t *o = json_object();
    char *txt = NULL;
    for (size_t k = 0; o && k < 3; k++) {
        const char *v = qarg(q, keys[k]);
        if (!v || !*v) continue;
        json_t *a = json_array();
        const char *p = v;
        while (a && *p) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (n) json_array_append_new(a, json_stringn(p, n));
            p += n + (e ? 1 : 0);
        }
        json_object_set_new(o, keys[k], a);
    }
    if (o && json_object_size(o)) txt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return txt;
}

static int parse_limit(og_req *q, og_resp *r, size_t *out)
{
    const char *l = qarg(q, "limit");
    char *end = NULL;
    *out = 0;
    if (!l) return 0;
    unsigned long long v = strtoull(l, &end, 10);
    if (!*l || *end || l[0] == '-') {
        og_resp_error(r, 400, "bad_request", "query parameter 'limit' must be a non-negative integer", NULL);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

static og_db *graph_db(og_req *q, og_resp *r)
{
    og_db *db = __atomic_load_n(&q->graph->db, __ATOMIC_ACQUIRE);
    if (!db) og_resp_error(r, 500, "internal", "graph is not open", NULL);
    return db;
}

typedef struct nd { char *p; size_t n, cap; int err; } nd;

static int nd_line(void *ud, const char *line, size_t len)
{
    nd *b = ud;
    if (b->n + len + 2 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->n + len + 2) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) { b->err = 1; return -1; }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, line, len);
    b->n += len;
    b->p[b->n++] = '\n';
    b->p[b->n] = '\0';
    return 0;
}

static void baseline(og_req *q, og_resp *r, const char *branch)
{
    nd b = {0};
    char *out = NULL, *filter = NULL, *bcopy = NULL;
    json_t *body = NULL;
    if (q->body_len) {
        body = json_loadb(q->body, q->body_len, 0, NULL);
        if (!body || !json_is_object(body)) {
            og_resp_error(r, 400, "bad_request", "request body must be a JSON object", NULL);
            goto done;
        }
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v) {
            if (strcmp(k, "branch") && strcmp(k, "kind") && strcmp(k, "type") && strcmp(k, "op")) {
                char msg[200];
                snprintf(msg, sizeof msg, "unknown field '%.80s' (expected branch, kind, type, op)", k);
                og_resp_error(r, 400, "bad_request", msg, NULL);
                goto done;
            }
        }
        json_t *bb = json_object_get(body, "branch");
        if (bb && !json_is_null(bb) && !json_is_string(bb)) {
            og_resp_error(r, 400, "bad_request", "field 'branch' must be a string", NULL);
            goto done;
        }
        if (json_is_string(bb) && !(bcopy = strdup(json_string_value(bb)))) {
            og_resp_error(r, 500, "internal", "out of memory", NULL);
            goto done;
        }
        if (bcopy) branch = bcopy;
        json_object_del(body, "branch");
        if (json_object_size(body)) filter = json_dumps(body, JSON_COMPACT);
    }
    if (og_srv_authorize(q, r, "export", branch, NULL, false)) goto done;
    og_db *db = graph_db(q, r);
    if (!db) goto done;
    int rc = og_db_changes_baseline(db, branch, filter, nd_line, &b, &out);
    if (rc) { og_resp_lib_error(r); goto done; }
    json_t *hand = json_loads(out, 0, NULL);
    json_t *line = hand ? json_pack("{s:o}", "baseline", hand) : NULL;
    char *t = line ? json_dumps(line, JSON_COMPACT) : NULL;
    json_decref(line);
    if (!t || nd_line(&b, t, strlen(t))) {
        free(t);
        og_resp_error(r, 500, "internal", "out of memory", NULL);
        goto done;
    }
    free(t);
    og_resp_raw(r, 200, "application/x-ndjson", b.p, b.n);
    b.p = NULL;
done:
    free(b.p);
    og_free(out);
    free(filter);
    free(bcopy);
    json_decref(body);
}

int og_srv_changes_handle(og_req *q, og_resp *r)
{
    char *out = NULL, *filter = NULL;
    size_t limit = 0;
    int rc;
    og_db *db;
    const char *branch = qarg(q, "branch");
    if (!branch || !*branch) branch = "main";
    switch (q->route.id) {
    case OG_ROUTE_COMMIT_CHANGES:
        if (parse_limit(q, r, &limit)) break;
        if (og_srv_authorize(q, r, "read", branch, NULL, false)) break;
        if (!(db = graph_db(q, r))) break;
        filter = filter_from_query(q);
        rc = og_db_commit_changes(db, q->route.arg, filter, limit, qarg(q, "page_token"), &out);
        answer(r, rc, out, "application/json");
        break;
    case OG_ROUTE_CHANGES:
        if (parse_limit(q, r, &limit)) break;
        if (og_srv_authorize(q, r, "read", branch, NULL, false)) break;
        if (!(db = graph_db(q, r))) break;
        filter = filter_from_query(q);
        rc = og_db_changes_poll(db, branch, qarg(q, "cursor"), qarg(q, "start"), filter, limit, &out);
        answer(r, rc, out, "application/json");
        break;
    case OG_ROUTE_CHANGES_BASELINE: baseline(q, r, branch); break;
    case OG_ROUTE_SCHEMA_APPLY:
        if (og_srv_authorize(q, r, "schema_apply", "main", NULL, false)) break;
        og_resp_error(r, 409, "conflict", "schema apply is not available on a cluster-served graph; change the "
                      "schema with `omnigraph cluster apply`", NULL);
        break;
    default: return 0;
    }
    free(filter);
    return 1;
}
