/* db_internal.h — what the files of src/api share: the og_db handle and
 * the JSON builders of the public output shapes (surface.md §5.3).
 * (1) An og_db owns one open og_graph (which owns its root store); every
 *     call opens its own views and transactions, so a handle holds no
 *     per-request state.
 * (2) The builders return new references or NULL on OOM; api_dump renders
 *     compact JSON for a *json_out and consumes the reference. */
#ifndef OG_API_DB_INTERNAL_H
#define OG_API_DB_INTERNAL_H

#include <jansson.h>

#include "omnigraph.h"
#include "base/status.h"
#include "graph/commit.h"
#include "graph/engine.h"
#include "graph/publisher.h"

typedef struct og_db_qcache og_db_qcache;   /* db_query.c */

struct og_db {
    char *uri;      /* as given */
    og_graph *g;
    og_db_qcache *qc;   /* compiled queries + reusable head views; lazily made */
};

/* Frees what og_db_query cached on db (before db->g is closed). */
void og_db_qcache_free(og_db *db);

/* Resolves a URI to a local directory path (malloc'd): plain paths and
 * file:// pass, s3:// and http(s):// are OG_E_UNSUPPORTED. */
og_status og_api_uri_path(const char *uri, char **out);

/* CommitOutput of c. */
json_t *og_api_commit_json(const og_graph_commit *c);
/* Reads commit id and renders it as CommitOutput. */
og_status og_api_commit_lookup(og_db *db, const char *id, json_t **out);

/* Renders root (consumed) into *out; OG_E_NOMEM on failure. */
og_status og_api_dump(json_t *root, char **out);

/* Forgets the last structured conflict of this thread. */
void og_api_conflict_reset(void);
/* Records the structured body for a failed write whose detail is c (the
 * current error message is its "error"), and rewrites the error message
 * so that it names the table and versions. */
void og_api_conflict_record(og_status rc, const og_graph_conflict *c);
/* Records body (consumed; an ErrorOutput with "error", "code" and one
 * structured member, e.g. merge_conflicts) as the last conflict. */
void og_api_conflict_set_body(json_t *body);

#endif
