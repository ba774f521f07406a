/* commit.h — graph commits: the lineage of a branch (surface.md §6,
 * internals §5.2; docs/graph-design.md §2).
 * (1) A commit record is immutable once the manifest version naming it is
 *     published; __manifest/commits/{id}.json maps its id to the chain
 *     (branch_uid) and version that carry it.
 * (2) A commit object is trusted only when the version it names exists and
 *     carries that commit id (a publisher writes it before the version, so
 *     a lost or crashed publish can leave an orphan).
 * (3) Lineage is walked through parent and merged_parent links; it is not
 *     on the read path. */
#ifndef OG_GRAPH_COMMIT_H
#define OG_GRAPH_COMMIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "base/ulid.h"
#include "store/store.h"

#define OG_GRAPH_COMMIT_FORMAT 1

typedef struct og_graph_commit {
    char id[OG_ULID_LEN + 1];            /* graph_commit_id */
    char parent[OG_ULID_LEN + 1];        /* parent_commit_id; "" for genesis */
    char merged_parent[OG_ULID_LEN + 1]; /* merged_parent_commit_id; "" unless a merge */
    char *actor;                         /* actor_id; NULL = none */
    char *branch;                        /* graph_branch; NULL = main */
    char branch_uid[OG_ULID_LEN + 1];    /* chain the commit was published on */
    uint64_t manifest_version;           /* graph_manifest_version */
    int64_t created_at_us;               /* minted by the writer, µs since epoch */
} og_graph_commit;

void og_graph_commit_clear(og_graph_commit *c);  /* frees strings, zeroes */
og_status og_graph_commit_copy(og_graph_commit *dst, const og_graph_commit *src);

/* JSON form shared by version objects and commit objects. */
og_status og_graph_commit_to_json(const og_graph_commit *c, json_t **out);
og_status og_graph_commit_from_json(const char *obj, const char *path, const json_t *j,
                                    og_graph_commit *out);

/* Reads commit `id` and verifies that the version it names carries it
 * (2 GETs). OG_E_NOTFOUND when absent or orphaned. */
og_status og_graph_commit_get(og_store *st, const char *id, og_graph_commit *out);

typedef struct og_graph_commit_list {
    og_graph_commit *items;
    size_t len;
} og_graph_commit_list;

void og_graph_commit_list_free(og_graph_commit_list *l);

/* History reachable from `branch`'s head (NULL = main) through parent and
 * merged_parent links, newest first: a commit always comes before its
 * parents; among ready commits the larger (created_at, id) goes first.
 * `actor` (nullable) keeps only that actor's commits; `limit` 0 = all.
 * Caller frees with og_graph_commit_list_free. */
og_status og_graph_commit_list_branch(og_store *st, const char *branch, const char *actor,
                                      size_t limit, og_graph_commit_list *out);

/* Internal: as og_graph_commit_get, also handing over the verified version
 * (snap nullable; caller frees). With require_live, the commit's chain must
 * still be its branch's (one more GET, before the version's). */
struct og_graph_snapshot;
og_status og_graph_commit_resolve(og_store *st, const char *id, bool require_live,
                                  og_graph_commit *out, struct og_graph_snapshot *snap);

/* Internal: writes commits/{id}.json (plain put: a retrying publisher
 * rewrites it with the attempt's version and parent). */
og_status og_graph_commit_put(og_store *st, const og_graph_commit *c);

#endif
