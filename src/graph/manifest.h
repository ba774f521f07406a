/* manifest.h — graph manifest versions: one immutable, already folded
 * snapshot per (branch chain, version) (docs/graph-design.md §2).
 * (1) A version object holds every table pin of the branch at that version
 *     plus the branch's effective head commit; its size is O(tables),
 *     independent of history.
 * (2) Versions of a chain are named by reversed number, so opening a head
 *     is GET ref + LIST 1 key + GET version: 3 store reads at any history
 *     length. Opening at version N or at a commit never lists.
 * (3) Decoding is strict: an unknown field, a wrong type, unsorted or
 *     duplicate pins, a non-canonical table path or a key/content mismatch
 *     is OG_E_CORRUPT naming the object and the field; a newer `format` or
 *     internal_schema_version is OG_E_UNSUPPORTED naming both numbers; an
 *     older stamp down to OG_GRAPH_INTERNAL_SCHEMA_MIN decodes (migrate.h
 *     upgrades it on a read-write open).
 * (4) The head commit of version V on chain U was created by V iff
 *     head.branch_uid == U and head.manifest_version == V; otherwise it is
 *     inherited (version 1 of a branch created from another). */
#ifndef OG_GRAPH_MANIFEST_H
#define OG_GRAPH_MANIFEST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "base/ulid.h"
#include "store/store.h"
#include "commit.h"

#define OG_GRAPH_MANIFEST_FORMAT 1
/* The internal-schema stamp this build writes, and the oldest it reads;
 * stamps in between are brought up to date by migrate.h on a read-write
 * open (write-path.md §8). 2: graphs stamped 1 predate recovery sidecars. */
#define OG_GRAPH_INTERNAL_SCHEMA_VERSION 2
#define OG_GRAPH_INTERNAL_SCHEMA_MIN 1

/* One table as the graph sees it (internals §1.3 table_version row). */
typedef struct og_graph_pin {
    char *table_key;               /* "node:<Type>" or "edge:<Type>" */
    uint64_t stable_table_id;      /* non-zero */
    uint64_t table_incarnation_id; /* non-zero */
    char *path;                    /* nodes|edges/{sid:016x}-{inc:016x} */
    uint64_t version;              /* table version pinned */
    char *table_branch;            /* table branch holding it; NULL = main */
    uint64_t row_count;
} og_graph_pin;

void og_graph_pin_clear(og_graph_pin *p);
og_status og_graph_pin_copy(og_graph_pin *dst, const og_graph_pin *src);
/* Checks a pin's fields (key kind, non-zero ids, canonical path). */
og_status og_graph_pin_validate(const og_graph_pin *p);
/* Writes the canonical table path for kind ("node"/"edge") into out. */
og_status og_graph_table_path(og_buf *out, bool is_edge, uint64_t sid, uint64_t inc);

typedef struct og_graph_snapshot {
    char *branch;                    /* branch name ("main" included) */
    char branch_uid[OG_ULID_LEN + 1];
    uint64_t version;                /* manifest version on that chain */
    char *schema_ir_hash;            /* NULL = none recorded */
    og_graph_pin *pins;              /* sorted by table_key, unique */
    size_t npins;
    og_graph_commit head;            /* effective head commit */
    uint32_t internal_schema_version; /* stamp read (encode always writes the current one) */
    int64_t head_checked_us;         /* not stored: og_clock_mono_us when this version was last
                                        known to be its chain's head (0 = never); see
                                        OG_GRAPH_HEAD_LEASE_US */
} og_graph_snapshot;

/* How long "version V+1 of the chain is absent, so V is the head" may be
 * concluded from that one missing key. cleanup removes manifest versions,
 * but never one younger than OG_MAINT_MIN_AGE_DEFAULT_US (60 s, maint.h):
 * if V was the head at time T (V+1 absent then), a V+1 made later cannot
 * be collected before T + 60 s, so within T + 30 s a missing V+1 still
 * means "never written" and leaves 30 s for the write that follows. Past
 * the lease the head is found by listing the chain. Without it a process
 * idle for a while (a server) would take a collected V+1 for the head's
 * successor-to-be: stale reads, and a publish of V+1 below the real head. */
#define OG_GRAPH_HEAD_LEASE_US (30LL * 1000000)

void og_graph_snapshot_free(og_graph_snapshot *s); /* frees members, zeroes */
og_status og_graph_snapshot_copy(og_graph_snapshot *dst, const og_graph_snapshot *src);
/* The pin of table_key, or NULL. */
const og_graph_pin *og_graph_snapshot_pin(const og_graph_snapshot *s, const char *table_key);
/* (4): true when this version created its head commit. */
bool og_graph_snapshot_owns_head(const og_graph_snapshot *s);

/* Codec. encode sorts nothing: pins must already be sorted and unique
 * (OG_E_INVALID otherwise). decode names the object `obj` in errors. */
og_status og_graph_manifest_encode(const og_graph_snapshot *s, og_buf *out);
og_status og_graph_manifest_decode(const char *obj, const void *p, size_t n,
                                   og_graph_snapshot *out);

/* Opening. branch NULL = main. OG_E_NOTFOUND when the branch, version or
 * commit does not exist. out is owned by the caller (og_graph_snapshot_free). */
og_status og_graph_open_head(og_store *st, const char *branch, og_graph_snapshot *out);
og_status og_graph_open_version(og_store *st, const char *branch, uint64_t version,
                                og_graph_snapshot *out);
/* Snapshot as of commit `id` on any branch: GET commit, GET the version it
 * names (verified to carry it), GET the branch's ref (the chain must still
 * be that branch's: a deleted or recreated branch fails). */
og_status og_graph_open_commit(og_store *st, const char *id, og_graph_snapshot *out);

/* By chain uid: newest version (LIST 1 + GET) / version N (GET). */
og_status og_graph_chain_head(og_store *st, const char *uid, og_graph_snapshot *out);
og_status og_graph_chain_read(og_store *st, const char *uid, uint64_t version,
                              og_graph_snapshot *out);
/* The newest version number of a chain (LIST 1 key, no GET). */
og_status og_graph_chain_head_version(og_store *st, const char *uid, uint64_t *version);

#endif
