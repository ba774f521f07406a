/* route.c — matches requests against the route table (see route.h).
 * (1) The table is data: one row per (method, pattern); a pattern is a list
 *     of '/'-separated segments where "*" captures one segment and "**"
 *     captures the rest of the path (slashes included).
 * (2) Matching never reads past path_len and never writes past og_route. */
#include "route.h"

#include <string.h>

typedef struct route_row {
    const char *method;
    const char *pattern; /* after "/graphs/{id}/" when OG_RF_GRAPH, else full path */
    og_route_id id;
    unsigned flags;
    const char *action;
    const char *name;
} route_row;

#define G OG_RF_GRAPH
#define J OG_RF_JSON_BODY
#define S OG_RF_SERVED
#define A OG_RF_ADMIT

static const route_row rows[] = {
    {"GET", "/healthz", OG_ROUTE_HEALTHZ, OG_RF_NO_AUTH | S, NULL, "healthz"},
    {"GET", "/openapi.json", OG_ROUTE_OPENAPI, OG_RF_NO_AUTH | S, NULL, "openapi"},
    {"GET", "/graphs", OG_ROUTE_GRAPHS, S, "graph_list", "graphs"},
    {"GET", "snapshot", OG_ROUTE_SNAPSHOT, G | S, "read", "snapshot"},
    {"POST", "query", OG_ROUTE_QUERY, G | J | S, "read", "query"},
    {"POST", "read", OG_ROUTE_READ, G | J | S, "read", "read"},
    {"POST", "mutate/if-graph-commit", OG_ROUTE_MUTATE_IF, G | J | S | A, "change", "mutate_if"},
    {"POST", "mutate", OG_ROUTE_MUTATE, G | J | S | A, "change", "mutate"},
    {"POST", "change", OG_ROUTE_CHANGE, G | J | S | A, "change", "change"},
    {"GET", "queries", OG_ROUTE_QUERIES, G | S, "read", "queries"},
    {"POST", "queries/*/if-graph-commit", OG_ROUTE_QUERY_INVOKE_IF, G | J | S | A, "invoke_query", "query_invoke_if"},
    {"POST", "queries/*", OG_ROUTE_QUERY_INVOKE, G | J | S, "invoke_query", "query_invoke"},
    {"GET", "schema", OG_ROUTE_SCHEMA, G | S, "read", "schema"},
    {"POST", "schema/apply", OG_ROUTE_SCHEMA_APPLY, G | J | S | A, "schema_apply", "schema_apply"},
    {"POST", "load/ndjson", OG_ROUTE_LOAD_NDJSON, G | OG_RF_NDJSON_BODY | OG_RF_BIG_BODY | S | A, "change", "load_ndjson"},
    {"POST", "load", OG_ROUTE_LOAD, G | J | OG_RF_BIG_BODY | S | A, "change", "load"},
    {"POST", "ingest", OG_ROUTE_INGEST, G | J | OG_RF_BIG_BODY | S | A, "change", "ingest"},
    {"POST", "export", OG_ROUTE_EXPORT, G | J | S, "export", "export"},
    {"GET", "branches", OG_ROUTE_BRANCHES, G | S, "read", "branches"},
    {"POST", "branches/merge", OG_ROUTE_BRANCH_MERGE, G | J | S | A, "branch_merge", "branch_merge"},
    {"POST", "branches", OG_ROUTE_BRANCH_CREATE, G | J | S | A, "branch_create", "branch_create"},
    {"DELETE", "branches/**", OG_ROUTE_BRANCH_DELETE, G | S | A, "branch_delete", "branch_delete"},
    {"GET", "commits", OG_ROUTE_COMMITS, G | S, "read", "commits"},
    {"GET", "commits/*/changes", OG_ROUTE_COMMIT_CHANGES, G | S, "read", "commit_changes"},
    {"GET", "commits/*", OG_ROUTE_COMMIT_SHOW, G | S, "read", "commit_show"},
    {"GET", "changes", OG_ROUTE_CHANGES, G | S, "read", "changes"},
    {"POST", "changes/baseline", OG_ROUTE_CHANGES_BASELINE, G | J | S, "export", "changes_baseline"},
    {"GET", "blob", OG_ROUTE_BLOB, G, "read", "blob"},
    {"HEAD", "blob", OG_ROUTE_BLOB, G, "read", "blob"},
};

#undef G
#undef J
#undef S
#undef A

bool og_route_graph_id_ok(const char *s, size_t n)
{
    if (n < 1 || n > OG_ROUTE_GRAPH_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool og_route_pct_decode(const char *src, size_t n, bool plus_is_space, char *dst, size_t cap)
{
    size_t o = 0;
    if (cap == 0) return false;
    for (size_t i = 0; i < n; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 >= n) return false;
            int h = hexval(src[i + 1]), l = hexval(src[i + 2]);
            if (h < 0 || l < 0) return false;
            c = (char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == '\0' || o + 1 >= cap) return false;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return true;
}

size_t og_route_body_limit(unsigned flags)
{
    return (flags & OG_RF_BIG_BODY) ? OG_BODY_LIMIT_BIG : OG_BODY_LIMIT_SMALL;
}

const char *og_route_name(og_route_id id)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].id == id) return rows[i].name;
    return id == OG_ROUTE_BAD_METHOD ? "bad_method" : "none";
}

/* Matches pattern against p[0..n); on success copies the decoded capture. */
static bool pattern_match(const char *pat, const char *p, size_t n, og_route *out)
{
    size_t i = 0;
    const char *q = pat;
    bool captured = false;
    while (*q) {
        const char *qe = strchr(q, '/');
        size_t ql = qe ? (size_t)(qe - q) : strlen(q);
        size_t j = i;
        while (j < n && p[j] != '/') j++;
        if (ql == 2 && q[0] == '*' && q[1] == '*') {
            if (i >= n) return false;
            if (!og_route_pct_decode(p + i, n - i, false, out->arg, sizeof out->arg)) return false;
            if (!out->arg[0]) return false;
            return true;
        }
        if (j == i) return false; /* empty segment */
        if (ql == 1 && q[0] == '*') {
            if (captured) return false;
            if (!og_route_pct_decode(p + i, j - i, false, out->arg, sizeof out->arg)) return false;
            if (!out->arg[0]) return false;
            captured = true;
        } else if (ql != j - i || memcmp(q, p + i, ql) != 0) {
            return false;
        }
        q += ql;
        if (*q == '/') {
            q++;
            if (j >= n || p[j] != '/') return false;
            i = j + 1;
        } else {
            i = j;
        }
    }
    return i == n;
}

og_route_id og_route_match(const char *method, const char *path, size_t path_len, og_route *out)
{
    memset(out, 0, sizeof *out);
    out->id = OG_ROUTE_NONE;
    if (!method || !path) return out->id;
    size_t n = 0;
    while (n < path_len && path[n] != '?' && path[n] != '\0') n++;
    const char *rest = NULL;
    size_t rest_n = 0;
    static const char pre[] = "/graphs/";
    if (n > sizeof pre - 1 && memcmp(path, pre, sizeof pre - 1) == 0) {
        const char *g = path + sizeof pre - 1;
        size_t gl = 0;
        while (g + gl < path + n && g[gl] != '/') gl++;
        if (!og_route_graph_id_ok(g, gl)) return out->id;
        if (g + gl >= path + n) return out->id; /* "/graphs/{id}" alone */
        memcpy(out->graph, g, gl);
        out->graph[gl] = '\0';
        rest = g + gl + 1;
        rest_n = (size_t)(path + n - rest);
    }
    bool bad_method = false;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const route_row *row = &rows[r];
        bool ok;
        out->arg[0] = '\0';
        if (row->flags & OG_RF_GRAPH)
            ok = rest && pattern_match(row->pattern, rest, rest_n, out);
        else
            ok = !rest && strlen(row->pattern) == n && memcmp(row->pattern, path, n) == 0;
        if (!ok) continue;
        if (strcmp(row->method, method) != 0) {
            bad_method = true;
            continue;
        }
        out->id = row->id;
        out->flags = row->flags;
        out->action = row->action;
        return out->id;
    }
    out->arg[0] = '\0';
    out->graph[0] = '\0';
    out->id = bad_method ? OG_ROUTE_BAD_METHOD : OG_ROUTE_NONE;
    return out->id;
}
