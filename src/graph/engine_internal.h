/* engine_internal.h — what the engine files (engine*.c, graph_*.c of the
 * engine) share: the layouts of og_graph / og_graph_view and the
 * value <-> column conversions.
 * (1) A view caches one og_table per node/edge type, indexed by og_decl.index,
 *     borrowed from the graph's handle cache (released on view close).
 * (2) Column cells convert to og_value with the catalog property type:
 *     the inverse of og_graph_push_value. Strings point into the column. */
#ifndef OG_GRAPH_ENGINE_INTERNAL_H
#define OG_GRAPH_ENGINE_INTERNAL_H

#include "base/arena.h"
#include "engine.h"
#include "handle_cache.h"

#define OG_GRAPH_SCHEMA_PG "_schema.pg"
#define OG_GRAPH_SCHEMA_IR "_schema.ir.json"
#define OG_GRAPH_SCHEMA_STATE "__schema_state.json"
#define OG_GRAPH_INIT_CLAIM "__init_claim.json"

struct og_graph {
    og_store *root;
    og_graph_mode mode;
    og_catalog *cat;
    char *schema_src;
    char ir_hash[OG_CATALOG_HASH_HEX];
    og_graph_hcache *hc;  /* table handles and snapshots (handle_cache.h) */
};

struct og_graph_view {
    og_graph *g;
    og_graph_snapshot snap;
    og_table **tables;  /* cat->n_types entries, lazily opened */
};

/* Pushes v (converted for property p, or a utf8 id when p is NULL) into c. */
og_status og_graph_push_value(og_column *c, const og_property *p, const og_value *v);
/* Cell `row` of c as a value of property p; lists/vectors allocate from a. */
og_status og_graph_cell_value(og_arena *a, const og_column *c, size_t row,
                              const og_property *p, og_value *out);
/* Appends row `row` of src to dst, column by name (dst's columns). */
og_status og_graph_batch_append_row(og_batch *dst, const og_batch *src, size_t row);
/* An empty batch with the columns of s. */
og_status og_graph_batch_like(const og_schema *s, og_batch *out);
/* The writer validated the whole delta itself (og_validate_delta against
 * the base view): commit skips its own validation (graph_txn.c (5)). */
void og_graph_txn_set_validated(og_graph_txn *x);
/* The transaction is a branch merge whose second parent is merged_parent:
 * graph_txn.c (9). */
void og_graph_txn_set_merge(og_graph_txn *x, const char *merged_parent);
/* Committed edges of e with `col` (src or dst) in args[0..n), when earlier
 * txn scans by that column read them all: *rows is a batch (id, src, dst)
 * holding at least those edges (filter it by col), owned by x. False when
 * some arg was not covered. (graph_txn.c (8)) */
bool og_graph_txn_edge_memo(og_graph_txn *x, const og_decl *e, const char *col, size_t n, const char *const *args,
                            const og_batch **rows);
/* The table of type t as seen by a view (opened at its pin). */
const og_graph_pin *og_graph_view_pin(const og_graph_view *v, const og_decl *t);
/* The head snapshot of branch (NULL = main) through the handle cache:
 * LIST of the chain, plus the ref GET for a branch other than main and the
 * version GET when that version is not cached. */
og_status og_graph_open_head_cached(og_graph *g, const char *branch, og_graph_snapshot *out);

#endif
