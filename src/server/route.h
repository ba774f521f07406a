/* route.h — the route table of omnigraph-server (surface.md §5.3).
 * (1) Routing is pure: (method, raw path) -> route id + graph id + argument;
 *     no I/O, no allocation beyond the caller's og_route.
 * (2) A path that matches a route pattern under another method is
 *     OG_ROUTE_BAD_METHOD (405); no match at all is OG_ROUTE_NONE (404).
 * (3) Graph ids match ^[a-zA-Z0-9-]{1,64}$; the argument of a route
 *     (branch name, commit id, query name) is percent-decoded and refused
 *     (404) if it decodes to an empty string or contains NUL. */
#ifndef OG_SERVER_ROUTE_H
#define OG_SERVER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum og_route_id {
    OG_ROUTE_NONE = 0,
    OG_ROUTE_BAD_METHOD,
    OG_ROUTE_HEALTHZ,
    OG_ROUTE_OPENAPI,
    OG_ROUTE_GRAPHS,
    OG_ROUTE_SNAPSHOT,
    OG_ROUTE_QUERY,
    OG_ROUTE_READ,          /* deprecated alias of query */
    OG_ROUTE_MUTATE,
    OG_ROUTE_MUTATE_IF,     /* mutate/if-graph-commit */
    OG_ROUTE_CHANGE,        /* deprecated alias of mutate */
    OG_ROUTE_QUERIES,       /* list stored queries */
    OG_ROUTE_QUERY_INVOKE,
    OG_ROUTE_QUERY_INVOKE_IF,
    OG_ROUTE_SCHEMA,
    OG_ROUTE_SCHEMA_APPLY,
    OG_ROUTE_LOAD_NDJSON,
    OG_ROUTE_LOAD,
    OG_ROUTE_INGEST,        /* deprecated alias of load */
    OG_ROUTE_EXPORT,
    OG_ROUTE_BRANCHES,
    OG_ROUTE_BRANCH_CREATE,
    OG_ROUTE_BRANCH_DELETE,
    OG_ROUTE_BRANCH_MERGE,
    OG_ROUTE_COMMITS,
    OG_ROUTE_COMMIT_SHOW,
    OG_ROUTE_COMMIT_CHANGES,
    OG_ROUTE_CHANGES,
    OG_ROUTE_CHANGES_BASELINE,
    OG_ROUTE_BLOB,
    OG_ROUTE_COUNT_
} og_route_id;

/* Flags of a route. */
enum {
    OG_RF_GRAPH = 1,      /* lives under /graphs/{id}/ */
    OG_RF_BIG_BODY = 2,   /* body limit 32 MiB instead of 1 MB */
    OG_RF_JSON_BODY = 4,  /* request body must be JSON (415 otherwise) */
    OG_RF_NDJSON_BODY = 8,/* request body must be application/x-ndjson */
    OG_RF_ADMIT = 16,     /* per-actor admission control applies */
    OG_RF_NO_AUTH = 32,   /* never needs a bearer token */
    OG_RF_SERVED = 64,    /* implemented by this server (else 405) */
};

#define OG_ROUTE_ARG_MAX 1024
#define OG_ROUTE_GRAPH_MAX 64

typedef struct og_route {
    og_route_id id;
    unsigned flags;
    const char *action;                 /* policy action, NULL if none */
    char graph[OG_ROUTE_GRAPH_MAX + 1]; /* "" for top-level routes */
    char arg[OG_ROUTE_ARG_MAX + 1];     /* decoded argument or "" */
} og_route;

/* Body limits (surface.md §5.3). */
#define OG_BODY_LIMIT_SMALL ((size_t)1000 * 1000)
#define OG_BODY_LIMIT_BIG ((size_t)32 * 1024 * 1024)

/* Matches method + raw path (no query string; '?' ends the path if present).
 * Always fills *out; returns out->id. */
og_route_id og_route_match(const char *method, const char *path, size_t path_len, og_route *out);

/* Decodes %XX escapes of src[0..n) into dst (cap bytes incl. NUL); with
 * plus_is_space, '+' becomes ' ' (query strings). Returns false on a bad
 * escape, an embedded NUL, or overflow. */
bool og_route_pct_decode(const char *src, size_t n, bool plus_is_space, char *dst, size_t cap);

/* True iff s is a valid graph id. */
bool og_route_graph_id_ok(const char *s, size_t n);

/* Body limit in bytes for a route's flags. */
size_t og_route_body_limit(unsigned flags);

/* Name of a route for logs ("query", "branch_delete"...). */
const char *og_route_name(og_route_id id);

#endif
