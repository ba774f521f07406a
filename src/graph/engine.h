/* engine.h — an open graph: root store + accepted schema, and the two ways
 * in: read views (one pinned manifest snapshot each) and write
 * transactions (the staging accumulator of write-path.md §3).
 * (1) A view never moves: every table it hands out is opened at the version
 *     its snapshot pins (og_table_open_at: no LIST), and cached in the view.
 * (2) A write transaction pins its base view at begin; statements add
 *     pending rows / deletes per table; nothing durable happens before
 *     og_graph_txn_commit, which stages exactly one table transaction per
 *     touched table, commits them, and publishes once with the base pins as
 *     expected versions. A failed commit publishes nothing.
 * (3) Reads through a transaction (og_graph_txn_scan) see committed rows of
 *     the base view plus pending rows; pending rows shadow committed rows
 *     with the same id; deleted ids are hidden.
 * (4) Table rows: nodes have `id` then one column per property (catalog
 *     order); edges have `id`, `src`, `dst` then properties. Column names
 *     are the property names.
 * Changes: og_graph_open takes ownership of root even when it fails;
 *   og_graph_load / og_graph_export added (load and export sections);
 *   recovery: RW open sweeps, og_graph_refresh added;
 *   handle cache: views borrow table handles from the graph
 *   (handle_cache.h), og_graph_commit_lookup added. */
#ifndef OG_GRAPH_ENGINE_H
#define OG_GRAPH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "store/store.h"
#include "table/table.h"
#include "lang/catalog.h"
#include "manifest.h"
#include "publisher.h"

typedef struct og_graph og_graph;
typedef struct og_graph_view og_graph_view;
typedef struct og_graph_txn og_graph_txn;

typedef enum og_graph_mode { OG_GRAPH_RW = 0, OG_GRAPH_RO = 1 } og_graph_mode;

/* Creates a graph at the (empty) root: schema files, one empty table per
 * node/edge type, the genesis manifest version and commit (actor nullable).
 * Refuses an initialised root (OG_E_EXISTS, "AlreadyInitialized"). */
og_status og_graph_init(og_store *root, const char *schema_src, size_t len, bool force,
                        const char *actor);
/* Opens: reads and validates the schema files; takes ownership of root.
 * Read-write: first recovers interrupted writes (the recovery sweep,
 * write-path.md §6); an unrecoverable sidecar fails the open with
 * OG_E_INTERNAL naming it. Read-only opens never write. */
og_status og_graph_open(og_store *root, og_graph_mode mode, og_graph **out);
/* Runs the recovery sweep in a live process (safe beside running writers:
 * sidecars of this process's in-flight writes are skipped and restores
 * fail on concurrent commits). A no-op on a read-only graph. */
og_status og_graph_refresh(og_graph *g);
void og_graph_close(og_graph *g);
const og_catalog *og_graph_catalog(const og_graph *g);
og_store *og_graph_store(og_graph *g);
const char *og_graph_schema_source(const og_graph *g);

/* Commit record `id`: from the handle cache when this process published or
 * read it as a head, else one GET (og_graph_commit_get). */
og_status og_graph_commit_lookup(og_graph *g, const char *id, og_graph_commit *out);

/* Table key of a type: "node:Person" / "edge:Knows". */
og_status og_graph_table_key(const og_decl *t, og_buf *out);
/* The table schema a type maps to (id[, src, dst], properties). */
og_status og_graph_table_schema(const og_decl *t, og_schema *out);

/* ---- reads ---- */

/* branch NULL = main; snapshot_commit non-NULL reads as of that commit. */
og_status og_graph_view_open(og_graph *g, const char *branch, const char *snapshot_commit,
                             og_graph_view **out);
void og_graph_view_close(og_graph_view *v);
const og_graph_snapshot *og_graph_view_snapshot(const og_graph_view *v);
const og_catalog *og_graph_view_catalog(const og_graph_view *v);
/* The type's table at the pinned version; owned by the view. */
og_status og_graph_view_table(og_graph_view *v, const og_decl *t, og_table **out);

/* ---- writes ---- */

typedef enum og_graph_write_mode {
    OG_WRITE_STRICT_INSERT = 0, /* an existing id is a key conflict */
    OG_WRITE_UPSERT,            /* insert or replace the whole row by id */
} og_graph_write_mode;

typedef struct og_graph_txn_opts {
    const char *branch;     /* NULL = main */
    const char *actor;      /* nullable */
    const char *if_commit;  /* nullable: the branch head must be this commit */
} og_graph_txn_opts;

og_status og_graph_txn_begin(og_graph *g, const og_graph_txn_opts *o, og_graph_txn **out);
og_graph_view *og_graph_txn_base(og_graph_txn *x);
/* Adds rows (columns by name, as (4); missing nullable columns are null). */
og_status og_graph_txn_put(og_graph_txn *x, const og_decl *t, const og_batch *rows,
                           og_graph_write_mode mode);
/* Replaces the whole content of the type's table (load --mode overwrite). */
og_status og_graph_txn_overwrite(og_graph_txn *x, const og_decl *t, const og_batch *rows);
og_status og_graph_txn_delete(og_graph_txn *x, const og_decl *t, const char *const *ids, size_t n);
/* Committed (base) + pending rows of a type, filtered (3). */
og_status og_graph_txn_scan(og_graph_txn *x, const og_decl *t, const og_scan_opts *o,
                            og_batch *out);

typedef struct og_graph_commit_result {
    bool published;                 /* false: nothing changed, no commit */
    char commit_id[OG_ULID_LEN + 1];
    uint64_t manifest_version;
    uint64_t nodes_changed, edges_changed;
    og_graph_conflict conflict;     /* filled on OG_E_CONFLICT / OG_E_PRECONDITION */
} og_graph_commit_result;

/* Stages, commits and publishes (2); the txn is consumed either way. */
og_status og_graph_txn_commit(og_graph_txn *x, og_graph_commit_result *out);
void og_graph_txn_abort(og_graph_txn *x);
void og_graph_commit_result_clear(og_graph_commit_result *r);

/* ---- load (surface.md §3) ---- */

#include "load_mode.h"

typedef struct og_graph_load_opts {
    const char *branch;       /* NULL = main */
    const char *from_branch;  /* nullable: create `branch` from it when missing */
    og_load_mode mode;
    const char *actor;        /* nullable */
} og_graph_load_opts;

/* What a part of a split load adds (og_graph_load_part). */
typedef struct og_graph_load_part_opts {
    /* Overwrite only: types replaced even when the text has no record of
     * them (emptied unless the text loads rows): the first batch of a
     * split overwrite (load --batch) clears every type of the whole file. */
    const og_decl *const *replace_types;
    size_t n_replace_types;
    uint32_t line_offset;     /* the text starts after this many lines of its file */
} og_graph_load_part_opts;

typedef struct og_graph_load_result {
    bool branch_created;
    size_t n_types;           /* == catalog n_types */
    uint64_t *loaded;         /* entities loaded per type, by og_decl.index */
    uint64_t total;
    og_graph_commit_result commit;
} og_graph_load_result;

/* Parses NDJSON, plans and validates it against the branch's committed
 * state, writes one table version per touched table and publishes once.
 * All or nothing. Free the result with og_graph_load_result_clear. */
og_status og_graph_load(og_graph *g, const og_graph_load_opts *o, const char *text, size_t len,
                        og_graph_load_result *out);
/* og_graph_load of one part of a larger file (part nullable = og_graph_load). */
og_status og_graph_load_part(og_graph *g, const og_graph_load_opts *o, const og_graph_load_part_opts *part,
                             const char *text, size_t len, og_graph_load_result *out);

/* ---- split loads (load --batch; load_split.c) ---- */

#define OG_LOAD_BATCH_MAX_LINES OG_LOAD_MAX_TYPE_ENTITIES
#define OG_LOAD_BATCH_MAX_BYTES ((size_t)24 << 20)

/* Consecutive line ranges of a text, each at most max_lines records and
 * max_bytes bytes (a longer single line is a range of its own). */
typedef struct og_load_split {
    size_t n;
    size_t *off, *len;        /* byte range of each batch */
    uint32_t *first_line;     /* lines before each batch */
    uint32_t *nlines;
} og_load_split;

og_status og_load_split_text(const char *text, size_t len, size_t max_lines, size_t max_bytes,
                             og_load_split *out);
void og_load_split_free(og_load_split *s);

/* Called after batch i (0-based) of n landed; non-OK stops the load. */
typedef og_status (*og_graph_batch_fn)(void *arg, size_t i, size_t n, const og_load_split *sp,
                                       const og_graph_load_result *r);

/* Loads text as consecutive batches (og_load_split_text with the limits
 * above), each one og_graph_load = one atomic commit. append and merge
 * load every batch in their mode; overwrite replaces, in the first batch,
 * every type the whole text names, and merges the later batches (so the
 * result equals one overwrite whose types fit the limits). Each batch is
 * validated against the graph as the earlier batches left it (an edge
 * whose endpoint only comes in a later batch fails). out sums the loaded
 * counts; out->commit is the last landed batch's. *landed = batches that
 * committed (on failure too); the error names the failed batch, its
 * lines, and how many landed. */
og_status og_graph_load_batched(og_graph *g, const og_graph_load_opts *o, const char *text, size_t len,
                                og_graph_batch_fn fn, void *arg, size_t *landed, og_graph_load_result *out);
void og_graph_load_result_clear(og_graph_load_result *r);

/* ---- export (surface.md §3.7) ---- */

/* One NDJSON line (no newline); return non-OK to stop. */
typedef og_status (*og_graph_export_fn)(void *arg, const char *line, size_t len);
/* Every node type then every edge type (catalog order), restricted to
 * `types` (names; NULL/0 = all). */
og_status og_graph_export(og_graph_view *v, const char *const *types, size_t ntypes,
                          og_graph_export_fn fn, void *arg);

#endif
