/* sidecar.h — recovery sidecars: the durable intent a graph writer arms
 * before its first table commit (write-path.md §6, internals §4.1–4.2).
 * (1) One sidecar per write, at `__recovery/{operation_id}.json`; the
 *     operation id is a ULID, so name order is creation order.
 * (2) It names everything recovery needs to finish or undo the write with
 *     identity proof: writer kind, actor, graph branch, the pre-minted
 *     commit id (roll forward) and rollback commit id (roll back), and per
 *     table: table_key, path, table branch, expected (published) version,
 *     post-commit version and the pre-minted table transaction uuid.
 * (3) Written once with put_if_absent (a whole object or nothing), never
 *     rewritten; deleted after the publish (Phase D).
 * (4) Decoding is strict: unknown fields, wrong types, a missing field, an
 *     invalid ULID or post_version != expected_version + 1 is OG_E_CORRUPT
 *     naming the object; a schema_version above OG_SIDECAR_SCHEMA_VERSION is
 *     OG_E_UNSUPPORTED naming both numbers.
 * (5) Failpoints: recovery.sidecar_write (before the PUT),
 *     recovery.sidecar_delete (before the DELETE). */
#ifndef OG_GRAPH_SIDECAR_H
#define OG_GRAPH_SIDECAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "base/ulid.h"
#include "store/store.h"

#define OG_SIDECAR_SCHEMA_VERSION 1
#define OG_SIDECAR_PREFIX "__recovery/"
#define OG_SIDECAR_UUID_MAX 64

/* Optimize (maint.h) is content-preserving compaction: recovery treats it
 * like any writer (all tables at post: roll forward; else roll back). */
typedef enum og_writer_kind { OG_WRITER_MUTATION = 0, OG_WRITER_LOAD = 1, OG_WRITER_OPTIMIZE = 2,
               OG_WRITER_MERGE = 3, /* branch merge (merge.h): "BranchMerge" */
                              /* schema_plan.h: created tables have expected_version 0; recovered by
                               * og_schema_apply_recover, never by the generic roll forward/back */
                              OG_WRITER_SCHEMA_APPLY = 4 } og_writer_kind;

const char *og_writer_kind_name(og_writer_kind k); /* "Mutation" / "Load" / "Optimize" / "BranchMerge" / "SchemaApply" */

typedef struct og_sidecar_table {
    char *table_key;
    char *path;
    char *table_branch;          /* the table branch committed to; NULL = main */
    uint64_t expected_version;   /* the manifest pin when the write began */
    uint64_t post_version;       /* expected_version + 1 */
    char txn_uuid[OG_SIDECAR_UUID_MAX + 1];
} og_sidecar_table;

typedef struct og_sidecar {
    uint32_t schema_version;
    char operation_id[OG_ULID_LEN + 1];
    int64_t started_at_us;
    og_writer_kind kind;
    char *actor;                 /* nullable */
    char *branch;                /* NULL = main */
    char commit_id[OG_ULID_LEN + 1];
    char rollback_commit_id[OG_ULID_LEN + 1];
    og_sidecar_table *tables;
    size_t ntables;
    /* BranchMerge: the captured source head, the merged parent of the
     * commit a roll forward publishes ("" otherwise; omitted when empty). */
    char merge_source[OG_ULID_LEN + 1];
} og_sidecar;

void og_sidecar_free(og_sidecar *s); /* frees members, zeroes */
/* Phase A's header of a fresh sidecar: schema version, new operation,
 * commit and rollback-commit ids, start time, writer kind, actor and
 * branch (NULL = main). Tables are the caller's. */
og_status og_sidecar_begin(og_sidecar *s, og_writer_kind kind, const char *actor, const char *branch);
og_status og_sidecar_encode(const og_sidecar *s, og_buf *out);
og_status og_sidecar_decode(const char *obj, const void *p, size_t n, og_sidecar *out);

/* `__recovery/{id}.json` into out (cleared first). */
og_status og_sidecar_key(og_buf *out, const char *operation_id);
/* Phase A: one put_if_absent. */
og_status og_sidecar_write(og_store *st, const og_sidecar *s);
/* OG_E_NOTFOUND when gone (a concurrent recovery completed it). */
og_status og_sidecar_read(og_store *st, const char *key, og_sidecar *out);
og_status og_sidecar_delete(og_store *st, const char *operation_id);
/* Every sidecar key, in name order; free with og_list_free. */
og_status og_sidecar_list(og_store *st, og_list *out);

#endif
