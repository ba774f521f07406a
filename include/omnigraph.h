/* omnigraph.h — the public C API of libomnigraph.
 *
 * Conventions (stable across releases):
 * (1) Every call that can fail returns an og_status: 0 on success, else a
 *     code from the og_code enum; og_errmsg() gives the message of the last
 *     failure on the calling thread.
 * (2) Handles are opaque; what the caller receives through an `out`
 *     parameter it frees with the matching og_*_free/og_*_close.
 * (3) No global state beyond a process-wide object-store client registry.
 */
#ifndef OMNIGRAPH_H
#define OMNIGRAPH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OG_VERSION_STRING "0.1.0"
/* The __manifest schema version this build writes and reads. */
#define OG_INTERNAL_SCHEMA_VERSION 6

/* Library version text, e.g. "0.1.0". */
const char *og_version(void);
/* Internal manifest schema version (OG_INTERNAL_SCHEMA_VERSION). */
int og_internal_schema_version(void);
/* Message of the last failure on this thread ("" if none). The pointer is
 * valid until the next library call on this thread. */
const char *og_errmsg(void);
/* Stable lowercase name of the last failure's class ("parse", "conflict"...). */
const char *og_errclass(void);

/* Frees memory the library handed to the caller (e.g. a *json_out). */
void og_free(void *p);

/* Lints .gq text against .pg text offline (surface.md §2.11). On success
 * *json_out is a NUL-terminated compact JSON object
 *   {status, queries_processed, errors, warnings, infos, results, findings}
 * (the lint verdict — status "error" for bad queries is still a success of
 * this call); the caller frees it with og_free. Fails (non-zero, og_errmsg)
 * only when the schema does not compile or memory runs out. */
int og_lint_sources(const char *schema_src, size_t schema_len,
                    const char *query_src, size_t query_len, char **json_out);


/* ---- graphs (surface.md §3, §4, §6) ----
 * (4) A graph is addressed by a URI: a local path or file://path. s3:// and
 *     http(s):// are refused (OG_DB_E_UNSUPPORTED, "not supported yet").
 * (5) Every *json_out is a NUL-terminated compact JSON text in the shape of
 *     the HTTP API type named at the call (surface.md §5.3); the caller frees
 *     it with og_free. On failure *json_out is NULL.
 * (6) A lost write race leaves its typed detail for og_last_conflict_json().
 * (7) branch NULL means main; actor NULL means none. */

/* Status codes (the og_status values callers may switch on). */
#define OG_DB_OK 0
#define OG_DB_E_NOTFOUND 3
#define OG_DB_E_PRECONDITION 4  /* --if-commit lost: the branch head moved */
#define OG_DB_E_PARSE 7
#define OG_DB_E_TYPE 8
#define OG_DB_E_VALIDATION 9
#define OG_DB_E_CONFLICT 10     /* concurrent writer won (manifest_conflict) */
#define OG_DB_E_LIMIT 11
#define OG_DB_E_INVALID 13
#define OG_DB_E_EXISTS 15
#define OG_DB_E_UNSUPPORTED 16

typedef struct og_db og_db;

enum { OG_DB_READ_ONLY = 1u << 0 };

/* Creates an empty graph with that schema at uri (one genesis commit).
 * Refuses an initialised root (OG_DB_E_EXISTS); force only replaces orphan
 * schema files when no manifest exists. */
int og_db_init(const char *uri, const char *schema_src, size_t len, int force,
               const char *actor);
/* Opens an existing graph (OG_DB_E_NOTFOUND when there is none). */
int og_db_open(const char *uri, unsigned flags, og_db **out);
void og_db_close(og_db *db); /* NULL-safe */
/* Runs crash recovery (the open-time sweep) on a live handle: safe while
 * other writers run, because a roll-back's restore conflicts with their
 * commits instead of orphaning them. A long-running process calls it
 * periodically. */
int og_db_refresh(og_db *db);
/* The URI the handle was opened with. */
const char *og_db_uri(const og_db *db);

/* Loads strict graph-batch NDJSON (§3.1) as one commit; mode is
 * "overwrite" | "append" | "merge". from (nullable) forks a missing branch
 * from that base first. json_out: the load result of §3.4
 * {uri, branch, mode, base_branch?, branch_created, nodes, edges,
 *  total_entities, commit}. */
int og_db_load(og_db *db, const char *branch, const char *from, const char *ndjson,
               size_t len, const char *mode, const char *actor, char **json_out);

/* Progress of og_db_load_batched: batch (1-based) of nbatches landed;
 * result_json is that batch's load result (§3.4 shape, borrowed), and
 * first_line/last_line its lines in the file. Return non-zero to stop. */
typedef int (*og_db_batch_fn)(void *ud, size_t batch, size_t nbatches, unsigned first_line,
                              unsigned last_line, const char *result_json);
/* `load --batch`: as og_db_load, but a file larger than the per-load
 * limits (8,192 entities / 32 MiB per type) is split in file order into
 * bounded batches, each its own atomic commit (overwrite replaces every
 * type of the file in the first batch and merges the rest). A failure
 * names the failed batch and how many landed (they stay committed).
 * json_out: the load result with totals over the batches, commit = the
 * last batch's, plus "batches": N. progress nullable. */
int og_db_load_batched(og_db *db, const char *branch, const char *from, const char *ndjson,
                       size_t len, const char *mode, const char *actor, og_db_batch_fn progress,
                       void *ud, char **json_out);

/* Runs a read query; name NULL picks the only query of the source.
 * params_json nullable (a JSON object). snapshot (a graph commit id) wins
 * over branch. json_out: ReadOutput {query_name, target{branch, snapshot},
 * row_count, columns, rows, graph_commit_id}. A mutation is refused. */
int og_db_query(og_db *db, const char *query_src, size_t len, const char *name,
                const char *params_json, const char *branch, const char *snapshot,
                char **json_out);

/* Runs a mutation as one commit (none when it changes nothing). if_commit
 * (nullable): the branch head must still be that commit, else
 * OG_DB_E_PRECONDITION. json_out: ChangeOutput {branch, query_name,
 * affected_nodes, affected_edges, actor_id?, commit: CommitOutput|null}. */
int og_db_mutate(og_db *db, const char *query_src, size_t len, const char *name,
                 const char *params_json, const char *branch, const char *if_commit,
                 const char *actor, char **json_out);

/* Export sink: one NDJSON record (no newline); non-zero stops the export
 * (the call then fails with OG_DB_E_INVALID "export stopped by caller"). */
typedef int (*og_db_export_fn)(void *ud, const char *line, size_t len);
/* Streams a branch's current state (§3.7); types filter (n 0 = all). */
int og_db_export(og_db *db, const char *branch, const char *const *types, size_t n,
                 og_db_export_fn cb, void *ud);

/* SnapshotOutput {graph_branch, graph_manifest_version,
 * internal_schema_version, datasets[...]}. */
int og_db_snapshot(og_db *db, const char *branch, char **json_out);

/* BranchCreateOutput {uri, name, from, actor_id?}. from NULL = main. */
int og_db_branch_create(og_db *db, const char *name, const char *from, const char *actor,
                        char **json_out);
/* {branches: [...]} sorted, internal branches hidden. */
int og_db_branch_list(og_db *db, char **json_out);
/* {uri, name, actor_id?}. */
int og_db_branch_delete(og_db *db, const char *name, const char *actor, char **json_out);
/* Three-way merge of branch source into target (NULL = main) as one commit
 * with two parents (surface.md §6). json_out: {source, target, outcome:
 * already_up_to_date|fast_forward|merged, actor_id?, graph_commit_id?,
 * branch_deleted?, branch_delete_error?}. delete_branch deletes the source
 * after a successful merge; its failure is reported in the output, not as
 * a failure of the call. Conflicts fail with OG_DB_E_CONFLICT and leave
 * {error, code, merge_conflicts:[{entity_kind, type_name, entity_id?,
 * kind, message}]} for og_last_conflict_json(). */
int og_db_branch_merge(og_db *db, const char *source, const char *target, const char *actor,
                       int delete_branch, char **json_out);

/* {commits: [CommitOutput...]} newest first; actor_filter nullable. */
int og_db_commit_list(og_db *db, const char *branch, const char *actor_filter,
                      char **json_out);
/* CommitOutput {graph_commit_id, graph_branch, graph_manifest_version,
 * parent_commit_id, merged_parent_commit_id, actor_id, created_at}. */
int og_db_commit_show(og_db *db, const char *commit_id, char **json_out);
/* {schema_source}. */
int og_db_schema_show(og_db *db, char **json_out);

/* Classifies drift between main's manifest and each table's head and, with
 * confirm, publishes it in one commit (surface.md §4.2, internals §7.3):
 * content-preserving maintenance drift is healed; other drift needs force
 * (force without confirm is OG_DB_E_INVALID). Refuses (OG_DB_E_CONFLICT)
 * while a recovery sidecar is pending. json_out: RepairOutput {uri,
 * confirm, force, graph_manifest_version (null unless published),
 * graph_commit_id?, refused, datasets[{type_key, published_dataset_version,
 * lance_head_version, classification no_drift|verified_maintenance|
 * suspicious|unverifiable, action no_op|preview|healed|forced|refused,
 * operations[], error?}]}. A refused dataset still returns OG_DB_OK
 * ("refused": true). */
int og_db_repair(og_db *db, int confirm, int force, char **json_out);

/* ---- maintenance (surface.md §4.2; docs/maintenance.md) ---- */

/* Compacts every table of the branch that needs it under one sidecar and
 * one publish (writer kind Optimize); refuses while an unrecovered write is
 * pending. {uri, branch, published, graph_commit_id, graph_manifest_version,
 * attempts, datasets:[{type_key, fragments_removed, fragments_added,
 * committed, skipped, skip_reason?, published_dataset_version,
 * lance_head_version, pending_indexes:[{property, reason}]}]}. */
int og_db_optimize(og_db *db, const char *branch, const char *actor, char **json_out);

#define OG_DB_CLEANUP_DRY_RUN 1u  /* report what would go, delete nothing */
#define OG_DB_CLEANUP_QUIESCED 2u /* no writer runs: also versions younger than a minute and
                                    unreferenced files younger than the grace period */
/* Version GC: keep (0 = no bound) and/or older_than_s (< 0 = no bound; at
 * least one bound is required). Never removes what a branch head, a kept
 * manifest version or a pending write pins, nor a table's latest version,
 * nor (without OG_DB_CLEANUP_QUIESCED) a version younger than a minute;
 * unreferenced files go after a one-hour grace period. {uri, dry_run,
 * manifest_versions_removed, manifest_versions_kept, orphan_chains_removed,
 * datasets:[{type_key, old_versions_removed (main and forks), fork_versions_removed,
 * forks_reclaimed, versions_before,
 * files_removed, bytes_removed, bytes_before, error?}]}. */
int og_db_cleanup(og_db *db, unsigned long long keep, long long older_than_s, unsigned flags,
                  char **json_out);
/* The bounded automatic pass: when a table of the branch has reached the
 * fragment threshold (always with force), optimize those tables and then
 * clean up with --keep 10 and the grace period. {due, ran_optimize,
 * ran_cleanup, tables_compacted, versions_removed,
 * manifest_versions_removed, files_removed}. json_out nullable. */
int og_db_maintain(og_db *db, const char *branch, int force, char **json_out);

/* The structured error body of the last failed write on this thread, or
 * NULL: {"error", "code":"conflict", "manifest_conflict":{table_key,
 * expected, actual}} for a lost table race, {"error",
 * "precondition_failure":{expected, actual}} for a lost --if-commit. Valid
 * until the next og_db_* call on this thread. */
const char *og_last_conflict_json(void);

/* The structured detail of the last failure on this thread, or NULL: a
 * compact JSON object with one ErrorOutput field (surface.md §5.4):
 *   {"key_conflict":{"entity_kind","type_name","entity_id"?}} (an insert
 *      hit an existing id; og_errclass "exists"),
 *   {"resource_limit":{"resource","limit","actual"}} (a bounded-input
 *      ceiling; og_errclass "limit"),
 *   {"recovery_required":{"operation_id"}} (a recovery sidecar the sweep
 *      of og_db_open / og_db_refresh could not finish; writes must wait).
 * Valid until the next library call on this thread. */
const char *og_last_error_detail(void);

/* ---- commit changes and the change feed (surface.md §6) ----
 * filter_json (nullable): {"kind":["node"|"edge"...], "type":[names...],
 * "op":["insert"|"update"|"delete"...]}. */

/* Entity changes of one commit vs its first parent: {cause, changes[],
 * next_page_token?}; limit 0 = 1,000 (max 8,192). A genesis commit is
 * OG_DB_E_CONFLICT "parentless_commit: ...", a schema change of a type
 * OG_DB_E_CONFLICT "schema_boundary: ...". */
int og_db_commit_changes(og_db *db, const char *commit_id, const char *filter_json, size_t limit,
                         const char *page_token, char **json_out);
/* One poll of the change feed of branch: cursor (from an earlier poll) or
 * start ("now" (default) | "beginning" | "after:<commit_id>"); limit =
 * commits examined (0 = 128, max 512). {blocks:[{cause, changes}],
 * cursor, caught_up}. A cursor of another branch incarnation or filter is
 * OG_DB_E_INVALID "change cursor rejected: ...". */
int og_db_changes_poll(og_db *db, const char *branch, const char *cursor, const char *start,
                       const char *filter_json, size_t limit, char **json_out);
/* Streams the branch's data at a captured head (export records, kind/type
 * filters honoured) to cb, then json_out = {snapshot_commit_id,
 * resume_cursor}: poll from the cursor after installing the records. */
int og_db_changes_baseline(og_db *db, const char *branch, const char *filter_json,
                           og_db_export_fn cb, void *ud, char **json_out);

/* ---- schema evolution (surface.md §1.11) ---- */

/* Plans the migration of the accepted schema to schema_src (no effect):
 * {uri, supported, step_count, steps[{kind, type_kind, type_name, ...}]}.
 * allow_data_loss previews drops as hard. */
int og_db_schema_plan(og_db *db, const char *schema_src, size_t len, int allow_data_loss,
                      char **json_out);
/* Applies it as one commit on main: refused (OG_DB_E_CONFLICT) unless main
 * is the only branch or while another apply runs; an unsupported plan is
 * refused (OG_DB_E_VALIDATION, "[code] reason") and changes nothing; an
 * empty plan is a no-op (applied false). {uri, supported, applied,
 * step_count, steps, graph_manifest_version}. The handle sees the new
 * schema afterwards. */
int og_db_schema_apply(og_db *db, const char *schema_src, size_t len, int allow_data_loss,
                       const char *actor, char **json_out);

#ifdef __cplusplus
}
#endif
#endif
