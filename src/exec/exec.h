/* exec.h — running checked .gq queries against a graph (surface.md §2).
 * (1) Reads run on one og_graph_view (a pinned snapshot) for their whole
 *     life; they never take write gates.
 * (2) Mutations run their statements in order against one og_graph_txn
 *     (committed + pending rows: read-your-writes); the caller commits.
 * (3) Results are rows of JSON values in projection order: `columns` names
 *     the output columns, each row is a JSON object with those keys in that
 *     order (the shape every output format of surface.md §4.3 and the HTTP
 *     ReadOutput are rendered from).
 * (4) Limits (time, memory) are checked inside traversal and aggregation
 *     loops; exceeding one is OG_E_LIMIT with a message naming it.
 * (5) A U64 above 2^63-1 (which a jansson integer cannot hold) is put in
 *     the rows as the string u64_marker + decimal digits; the marker holds
 *     a fresh nonce per result, so no stored string can forge it.
 *     og_exec_dump renders JSON text in which each such value is a bare,
 *     exact integer. */
#ifndef OG_EXEC_EXEC_H
#define OG_EXEC_EXEC_H

#include <jansson.h>
#include <stdint.h>

#include "base/status.h"
#include "graph/engine.h"
#include "lang/params.h"
#include "lang/typecheck.h"

typedef struct og_exec_limits {
    int64_t timeout_us;      /* 0 = default (30 s) */
    uint64_t memory_bytes;   /* 0 = default (1 GiB) */
} og_exec_limits;

#define OG_EXEC_U64_MARKER_LEN 40

typedef struct og_exec_result {
    json_t *columns;         /* array of strings; owned */
    json_t *rows;            /* array of objects; owned */
    char u64_marker[OG_EXEC_U64_MARKER_LEN];   /* (5); "" when no U64 needed it */
} og_exec_result;

void og_exec_result_clear(og_exec_result *r);
/* Compact JSON text of root (which may hold r's rows) with r's U64 markers
 * replaced by bare integers (5). *out is malloc'd; the caller frees it. */
og_status og_exec_dump(const og_exec_result *r, const json_t *root, char **out);

og_status og_exec_query(og_graph_view *v, const og_tc_query *q, const og_params *params,
                        const og_exec_limits *lim, og_exec_result *out);

typedef struct og_exec_mutation_stats {
    uint64_t nodes_inserted, nodes_updated, nodes_deleted;
    uint64_t edges_inserted, edges_updated, edges_deleted;
} og_exec_mutation_stats;

og_status og_exec_mutate(og_graph_txn *x, const og_tc_query *q, const og_params *params,
                         og_exec_mutation_stats *out);

/* ---- sessions (session.c) ----
 * What a long-lived reader keeps between queries on one og_graph: head
 * views reused while their branch has not moved (one store HEAD of a
 * missing key per reuse; no manifest or table reads). Thread-safe: a view
 * is handed to one caller at a time. The session must be freed before g
 * is closed. */
typedef struct og_exec_session og_exec_session;
og_status og_exec_session_new(og_graph *g, og_exec_session **out);
void og_exec_session_free(og_exec_session *s);   /* NULL-safe */
/* A view of branch's head (NULL = main); give it back with
 * og_exec_session_release, never og_graph_view_close. */
og_status og_exec_session_view(og_exec_session *s, const char *branch, og_graph_view **out);
void og_exec_session_release(og_exec_session *s, og_graph_view *v);
/* og_exec_query on a view the session handed out: the view's resolved
 * resident tables and graph indexes are reused across queries. */
og_status og_exec_session_query(og_exec_session *s, og_graph_view *v, const og_tc_query *q,
                                const og_params *params, const og_exec_limits *lim,
                                og_exec_result *out);
void og_exec_session_stats(og_exec_session *s, uint64_t *reused, uint64_t *opened);
/* How long (µs) an unchanged store change sequence lets a kept view be
 * reused without a store probe (session.c (6)); 0 = always probe.
 * Default 50 ms. */
void og_exec_session_set_trust(og_exec_session *s, int64_t trust_us);

/* ---- graph index cache (internals.md §8.2, §8.5) ----
 * One process-wide LRU of CSR/CSC adjacency indexes keyed by edge table
 * version (graph identity domain, table key, branch, version, etag); never
 * persisted. Entries in use are never freed under a reader. */
void og_exec_index_cache_set_budget(uint64_t bytes);   /* 0 = default 256 MiB */
void og_exec_index_cache_clear(void);
typedef struct og_exec_index_stats {
    uint64_t builds, hits, evictions;
    size_t entries, bytes;
} og_exec_index_stats;
void og_exec_index_cache_stats(og_exec_index_stats *out);

/* ---- resident table cache ----
 * Whole table versions kept in memory after their second use (or a full
 * scan), keyed like the index cache; LRU under its own byte budget. */
void og_exec_res_cache_set_budget(uint64_t bytes);   /* 0 = default 512 MiB */
void og_exec_res_cache_clear(void);

#endif
