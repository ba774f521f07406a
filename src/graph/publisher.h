/* publisher.h — the only code that commits to __manifest
 * (docs/graph-design.md §2, internals §3.8, write-path.md §1–2).
 * (1) One publish per graph write; it is the write's visibility point: the
 *     put_if_absent of version N+1 on the branch's chain.
 * (2) A publish commits iff every expected table version still holds in
 *     the head it extends (and, when given, the head commit is the
 *     expected one); otherwise nothing is written but an orphan commit
 *     object, and the caller gets a typed og_graph_conflict.
 * (3) Losing the version race to a writer that did not move our tables is
 *     retried, at most OG_GRAPH_PUBLISHER_RETRY_BUDGET times (6 attempts),
 *     with a short jittered back-off; the commit id, actor, merged parent
 *     and created_at never change across attempts, the parent is the head
 *     each attempt extends.
 * (4) Within one process publishes to one (store handle, branch) are
 *     serialised by a striped lock, so in-process writers never burn retries
 *     on each other; the CAS still arbitrates between processes/handles.
 * (5) Every successful publish appends exactly one commit, even one that
 *     changes no pin: callers skip publishing zero-effect writes.
 * (6) Failpoints: graph.publish.before_read, graph.publish.before_commit_object,
 *     graph.publish.before_version_put, graph.publish.after_version_put,
 *     graph.genesis.before_version_put, graph.genesis.before_ref_put. */
#ifndef OG_GRAPH_PUBLISHER_H
#define OG_GRAPH_PUBLISHER_H

#include <jansson.h>
#include <stdint.h>

#include "base/status.h"
#include "store/store.h"
#include "manifest.h"

#define OG_GRAPH_PUBLISHER_RETRY_BUDGET 5

typedef struct og_graph_expected {
    const char *table_key;
    uint64_t version;      /* 0 = the table must not be pinned yet */
} og_graph_expected;

typedef struct og_graph_commit_info {
    const char *id;            /* pre-minted ULID, stable across attempts */
    const char *actor;         /* nullable */
    const char *merged_parent; /* nullable; merge commits only */
    int64_t created_at_us;     /* 0 = now */
} og_graph_commit_info;

typedef struct og_graph_publish_req {
    const char *branch;                  /* NULL = main */
    const og_graph_expected *expected;   /* checked against the head's pins */
    size_t n_expected;
    const og_graph_pin *pins;            /* upserted by table_key */
    size_t n_pins;
    const char *const *drops;            /* table_keys removed from the snapshot */
    size_t n_drops;
    const char *schema_ir_hash;          /* NULL = keep the head's */
    const char *expected_head;           /* NULL = any; else the head commit must be this */
    og_graph_commit_info commit;
    /* Optional: a head of this branch the caller already read (its base
     * view). The first attempt builds on it without re-reading the chain:
     * put_if_absent of hint+1 succeeds only if the hint is still the head,
     * so checks made against it hold; a lost race re-reads as usual. */
    const og_graph_snapshot *hint;
    /* The hint's branch_uid is known to be the branch's live chain (main:
     * never deleted or recreated), so the ref is not re-read. */
    bool hint_uid_is_live;
} og_graph_publish_req;

typedef enum og_graph_conflict_kind {
    OG_GRAPH_CONFLICT_NONE = 0,
    OG_GRAPH_CONFLICT_TABLE_VERSION, /* ExpectedVersionMismatch: table_key/expected/actual */
    OG_GRAPH_CONFLICT_HEAD_MOVED,    /* expected_head no longer the head (OG_E_PRECONDITION) */
    OG_GRAPH_CONFLICT_CONTENTION,    /* retry budget exhausted */
} og_graph_conflict_kind;

/* The typed detail of a failed publish. Caller-owned; og_graph_conflict_clear
 * frees it. expected/actual are table versions (0 = not pinned). */
typedef struct og_graph_conflict {
    og_graph_conflict_kind kind;
    char *table_key;
    uint64_t expected;
    uint64_t actual;
    char expected_head[OG_ULID_LEN + 1];
    char actual_head[OG_ULID_LEN + 1];
    unsigned attempts;       /* attempts made (also on success) */
} og_graph_conflict;

void og_graph_conflict_clear(og_graph_conflict *c);
/* {"table_key": "...", "expected": 7, "actual": 8} for TABLE_VERSION (the
 * `manifest_conflict` member of the HTTP 409 body); NULL otherwise. New ref. */
json_t *og_graph_conflict_to_json(const og_graph_conflict *c);

/* Publishes. conflict (nullable) is overwritten (release a previous
 * content with og_graph_conflict_clear first) and filled on OG_E_CONFLICT /
 * OG_E_PRECONDITION and its attempts on success; out (nullable) receives
 * the published snapshot. */
og_status og_graph_publish(og_store *root, const og_graph_publish_req *req,
                           og_graph_conflict *conflict, og_graph_snapshot *out);

/* Creates main: chain version 1 with `pins` and a parentless genesis commit,
 * then main's ref (put_if_absent: OG_E_EXISTS if the graph has one). */
og_status og_graph_genesis(og_store *root, const og_graph_pin *pins, size_t n_pins,
                           const char *schema_ir_hash, const og_graph_commit_info *commit,
                           og_graph_snapshot *out);

#endif
