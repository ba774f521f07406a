/* schema_plan.h — schema evolution on a graph: the physical effects of a
 * migration plan (lang/schema_plan.h) and the apply protocol
 * (surface.md §1.11, internals §6.2–6.3).
 * (1) Effects per desired node/edge type, against main's head: a new type
 *     creates an empty table at its new identity path; a type whose table
 *     columns change (property added, renamed or dropped) is rewritten by
 *     one staged overwrite (rows re-projected, renamed properties carried
 *     by stable property id); a renamed type re-keys its pin (same path,
 *     same version); an accepted type absent from the desired catalog loses
 *     its pin (soft drop: old versions stay readable until cleanup; hard:
 *     its old versions are collected after the publish). Enum widening,
 *     @index additions and metadata changes have no table effect.
 * (2) Preconditions: main is the only branch (internal refs excluded),
 *     else OG_E_CONFLICT "schema apply requires a graph with only main;
 *     found non-main branches: a, b"; applies serialise through the
 *     internal branch `__schema_apply_lock__` (taken: OG_E_CONFLICT
 *     "schema apply is already in progress"); an unsupported plan is
 *     OG_E_VALIDATION with the refusal text ("[OG-MF-106] ...") before any
 *     effect; an empty plan is a no-op (applied false).
 * (3) Protocol (a writer like the others, write-path.md §6): Phase A arms
 *     a SchemaApply sidecar naming every table effect (created tables with
 *     expected version 0) with pre-minted transaction uuids, then the lock
 *     is taken; Phase B commits each effect exactly; the new schema files
 *     are written as `*.staging`; Phase C publishes one commit on main
 *     (expected head = the captured one, new schema_ir_hash, pins and
 *     drops); then the staging files are promoted (state last), and Phase D
 *     deletes the sidecar and releases the lock.
 * (4) All or nothing: before the publish, a failure (or recovery of a
 *     crashed apply) restores every rewritten table to its pin, deletes the
 *     tables it created and the staging files; after it, recovery promotes
 *     the staging files. og_graph_open of a read-write graph finishes a
 *     pending apply before it reads the schema files; a read-only open
 *     refuses (RecoveryRequired) while an apply is published but not yet
 *     promoted.
 * (5) After a successful apply the og_graph sees the new catalog, source
 *     and IR hash (the old catalog lives on in the result until cleared).
 * (6) Failpoints: schema_apply.post_phase_a, schema_apply.post_table_commit,
 *     schema_apply.post_staging, schema_apply.post_phase_c,
 *     schema_apply.post_promote_pre_phase_d. */
#ifndef OG_GRAPH_SCHEMA_PLAN_H
#define OG_GRAPH_SCHEMA_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "base/ulid.h"
#include "lang/schema_plan.h"
#include "store/store.h"
#include "engine.h"
#include "recovery.h"
#include "sidecar.h"

#define OG_SCHEMA_APPLY_LOCK "__schema_apply_lock__"
#define OG_SCHEMA_APPLY_ACTOR_DEFAULT NULL

typedef struct og_graph_schema_apply_opts {
    bool allow_data_loss;
    const char *actor;    /* nullable */
} og_graph_schema_apply_opts;

typedef struct og_graph_schema_apply_result {
    og_schema_plan *plan;          /* the plan (also on a refusal, when it was built) */
    bool applied;
    uint64_t manifest_version;     /* main's version after (or, not applied, at) the apply */
    char commit_id[OG_ULID_LEN + 1];
    og_catalog *old_catalog;       /* (5) */
} og_graph_schema_apply_result;

og_status og_graph_schema_apply(og_graph *g, const char *src, size_t len, const og_graph_schema_apply_opts *o,
                                og_graph_schema_apply_result *out);
void og_graph_schema_apply_result_clear(og_graph_schema_apply_result *r);

/* Recovery of one SchemaApply sidecar (4): rolls forward when its commit
 * is published, else back. Called by the recovery sweep. */
og_status og_schema_apply_recover(og_store *root, const og_sidecar *sc, og_recovery_stats *st);
/* Finishes every pending SchemaApply sidecar (og_graph_open, RW). */
og_status og_schema_apply_recover_pending(og_store *root);
/* A read-only open's guard (4): when an apply is published but its schema
 * files are not promoted, the files on disk do not describe main; fails
 * with OG_E_INTERNAL "RecoveryRequired: ..." and a recovery_required
 * detail. One GET when nothing is pending. */
og_status og_schema_apply_check_readable(og_store *root);

#endif
