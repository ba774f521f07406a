/* merge.h — three-way branch merge (surface.md §6, internals §5.3–5.6).
 * (1) Outcome: already_up_to_date when the source head is the target head
 *     or an ancestor of it (nothing published); fast_forward when the
 *     target head is the merge base; merged otherwise. fast_forward and
 *     merged both publish exactly one commit on the target whose parent is
 *     the target head and whose merged parent is the source head, even
 *     when no table changes (a net-zero source).
 * (2) Merge base: breadth-first distances from both heads over parent and
 *     merged-parent links; the common ancestor with the least summed
 *     distance, ties to the highest manifest version, then the newest
 *     commit. No common ancestor is an error. The searches stop at the
 *     depth of the best sum found (not the whole history).
 * (3) Per table, by id over base/source/target rows (whole-row typed
 *     equality: null differs from "", lists element-wise): unchanged on one
 *     side takes the other; identical changes on both sides agree;
 *     otherwise a conflict whose kind follows the presence bits
 *     (base, source, target): (absent, present, present) divergent_insert,
 *     a side that deleted what the other changed delete_vs_update, else
 *     divergent_update. Tables the source did not move are skipped.
 * (4) The merged delta (rows to write and ids to delete on the target) is
 *     validated against the target snapshot by the one delta validator
 *     (validate.h): its first violation becomes a conflict of kind
 *     unique_violation, cardinality_violation, orphan_edge or
 *     value_constraint_violation naming the table.
 * (5) Any conflict: nothing is written, OG_E_CONFLICT with a message
 *     "merge of `S` into `T` has N conflict(s): <kind> on <table_key>
 *     [id 'x']: <detail>; ..." listing the first three and "; and N more";
 *     the full list is in the result.
 * (6) The delta is written through one write transaction on the target
 *     (graph_txn.c: writer kind BranchMerge, sidecar Phases A–D with the
 *     merged parent, failpoints merge.<phase>) pinned to the captured
 *     target head: a target that moved since the capture is a typed
 *     OG_E_CONFLICT (read set changed), never a silent re-merge.
 * (7) Failpoints merge.post_authority_capture (heads and base captured,
 *     before planning) and merge.post_candidate_validation (classified and
 *     validated, before anything is staged). */
#ifndef OG_GRAPH_MERGE_H
#define OG_GRAPH_MERGE_H

#include <stddef.h>

#include "base/status.h"
#include "base/ulid.h"
#include "engine.h"

typedef enum og_merge_outcome {
    OG_MERGE_ALREADY_UP_TO_DATE = 0,
    OG_MERGE_FAST_FORWARD,
    OG_MERGE_MERGED,
} og_merge_outcome;

/* "already_up_to_date" | "fast_forward" | "merged" */
const char *og_merge_outcome_name(og_merge_outcome o);

typedef struct og_merge_conflict {
    char *type_key;      /* "node:Person" / "edge:Knows" */
    char *type_name;     /* "Person" */
    char *entity_kind;   /* "node" / "edge" */
    char *id;            /* nullable */
    const char *kind;    /* static wire name: "divergent_update", ... */
    char *message;
} og_merge_conflict;

typedef struct og_graph_merge_opts {
    const char *source;   /* required */
    const char *target;   /* NULL = main */
    const char *actor;    /* nullable */
} og_graph_merge_opts;

typedef struct og_graph_merge_result {
    og_merge_outcome outcome;
    char base[OG_ULID_LEN + 1];        /* merge base commit */
    char source_head[OG_ULID_LEN + 1];
    char target_head[OG_ULID_LEN + 1]; /* before the merge */
    og_graph_commit_result commit;     /* published: fast_forward / merged */
    og_merge_conflict *conflicts;      /* filled on conflicts (5) */
    size_t nconflicts;
} og_graph_merge_result;

og_status og_graph_branch_merge(og_graph *g, const og_graph_merge_opts *o, og_graph_merge_result *out);
void og_graph_merge_result_clear(og_graph_merge_result *r);

#endif
