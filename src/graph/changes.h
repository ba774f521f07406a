/* changes.h — entity-level change detection between two graph commits
 * (surface.md §6 "Commit changes", internals §5.7).
 * (1) A commit's changes are the entities it changed relative to its FIRST
 *     parent: per table (paired by stable table id, so a pure type rename
 *     diffs empty), rows compared by `id`; an id only in the commit is an
 *     insert, only in the parent a delete, in both with different content
 *     an update. Physical no-ops (an identical rewrite, compaction) never
 *     appear: candidates are compared cell by cell.
 * (2) Candidates come from the table's row versions when both sides are
 *     versions of one table lineage (same path and table branch): rows
 *     rewritten or inserted after the parent's version, and row ids that
 *     disappeared; otherwise both versions are read whole.
 * (3) Images are {properties:{...}, endpoints?:{from,to}} (edges carry
 *     endpoints); values as export renders them (Date days, DateTime
 *     epoch-ms, Blob its stored text).
 * (4) Order, frozen: nodes before edges, then stable type id, then id,
 *     then op rank (insert < update < delete).
 * (5) Refusals: a parentless (genesis) commit is OG_E_CONFLICT
 *     "parentless_commit: ..."; a table whose columns differ between the
 *     two versions is OG_E_CONFLICT "schema_boundary: ...".
 * (6) The feed's cursor is opaque text (base64 of a small JSON object)
 *     binding graph identity domain, branch name and chain uid (its
 *     incarnation), the filter digest and the last delivered commit. */
#ifndef OG_GRAPH_CHANGES_H
#define OG_GRAPH_CHANGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"
#include "engine.h"

typedef struct og_change_filter {
    const char *const *kinds;  /* "node" / "edge"; n 0 = all */
    size_t n_kinds;
    const char *const *types;  /* type names; n 0 = all */
    size_t n_types;
    const char *const *ops;    /* "insert" / "update" / "delete"; n 0 = all */
    size_t n_ops;
} og_change_filter;

/* Checks the filter's values (unknown kind/op: OG_E_INVALID naming it). */
og_status og_change_filter_check(const og_change_filter *f);

/* The cause block of a commit: {graph_commit_id, parent_commit_id?,
 * merged_parent_commit_id?, authored_branch, actor_id?, authored_at}. */
json_t *og_change_cause_json(const og_graph_commit *c);

/* (1)-(5): *changes receives a new JSON array (sorted, filtered). */
og_status og_graph_commit_changes(og_graph *g, const og_graph_commit *c, const og_change_filter *f,
                                  json_t **changes);

/* Commit `id` resolved (any branch), with the cause block. */
og_status og_graph_changes_resolve(og_graph *g, const char *id, og_graph_commit *out);

/* ---- feed cursor (6) ---- */

typedef struct og_change_cursor {
    char branch[256];
    char branch_uid[OG_ULID_LEN + 1];
    char last_commit[OG_ULID_LEN + 1];  /* "" = before the first commit */
    char filter_digest[17];
} og_change_cursor;

/* A digest of the filter (order-insensitive per list). */
void og_change_filter_digest(const og_change_filter *f, char out[17]);
og_status og_change_cursor_encode(const og_change_cursor *c, const char *domain, og_buf *out);
/* OG_E_INVALID "change cursor rejected: ..." on malformed text or a
 * different identity domain. */
og_status og_change_cursor_decode(const char *text, const char *domain, og_change_cursor *out);

#endif
