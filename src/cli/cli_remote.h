/* cli_remote.h — `--server URL` mode of the CLI: the graph verbs over the
 * HTTP API of omnigraph-server (surface.md §5.3) with the same outputs as
 * the direct mode.
 * (1) The verbs call cli_db_* exactly as they would og_db_*: with a direct
 *     handle these forward to the library; with the remote handle that
 *     cli_open returns in --server mode they issue one HTTP request each,
 *     and *json_out is the server's response body (the same JSON shape,
 *     freed with og_free).
 * (2) Requests carry `Authorization: Bearer $OMNIGRAPH_BEARER_TOKEN` when
 *     it is set; the actor is the token's (the server ignores --as).
 * (3) A failed remote call returns the og_db code of its HTTP status (412
 *     OG_DB_E_PRECONDITION, 409 CONFLICT, 404 NOTFOUND, 4xx INVALID, other
 *     LIMIT/INVALID) and keeps the ErrorOutput: cli_remote_errmsg() is its
 *     "error" text, cli_db_last_conflict_json() the whole body for a 409 or
 *     412 carrying manifest_conflict / precondition_failure.
 * (4) The graph is --graph ID, else the only graph the server lists.
 * (5) A query or mutation without source text (src NULL: `--name N` and no
 *     --query/-e) invokes the server's stored query N. */
#ifndef OG_CLI_REMOTE_H
#define OG_CLI_REMOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"
#include "omnigraph.h"

/* Selects remote mode for this process (URL of --server, graph id or
 * NULL). Returns 0, or -1 after printing an error. */
int cli_remote_setup(const char *url, const char *graph);
bool cli_remote_active(void);
/* The handle cli_open hands out in remote mode (never dereferenced). */
og_db *cli_remote_handle(void);
/* Message of the last failed remote call, or NULL. */
const char *cli_remote_errmsg(void);

/* GET /graphs: {graphs:[{graph_id, uri}]}. */
int cli_remote_graphs(char **json_out);

void cli_db_close(og_db *db);
const char *cli_db_last_conflict_json(void);
int cli_db_load(og_db *db, const char *branch, const char *from, const char *ndjson, size_t len,
                const char *mode, const char *actor, char **json_out);
int cli_db_query(og_db *db, const char *src, size_t len, const char *name, const char *params_json,
                 const char *branch, const char *snapshot, char **json_out);
int cli_db_mutate(og_db *db, const char *src, size_t len, const char *name, const char *params_json,
                  const char *branch, const char *if_commit, const char *actor, char **json_out);
int cli_db_export(og_db *db, const char *branch, const char *const *types, size_t n,
                  og_db_export_fn cb, void *ud);
int cli_db_snapshot(og_db *db, const char *branch, char **json_out);
int cli_db_branch_create(og_db *db, const char *name, const char *from, const char *actor,
                         char **json_out);
int cli_db_branch_list(og_db *db, char **json_out);
int cli_db_branch_delete(og_db *db, const char *name, const char *actor, char **json_out);
int cli_db_branch_merge(og_db *db, const char *source, const char *target, const char *actor,
                        int delete_branch, char **json_out);
int cli_db_commit_list(og_db *db, const char *branch, const char *actor_filter, char **json_out);
int cli_db_commit_show(og_db *db, const char *commit_id, char **json_out);
int cli_db_schema_show(og_db *db, char **json_out);
int cli_db_commit_changes(og_db *db, const char *commit_id, const char *filter_json, size_t limit,
                          const char *page_token, char **json_out);
int cli_db_changes_poll(og_db *db, const char *branch, const char *cursor, const char *start,
                        const char *filter_json, size_t limit, char **json_out);
int cli_db_schema_apply(og_db *db, const char *schema_src, size_t len, int allow_data_loss, const char *actor,
                        char **json_out);

#endif
