/* maint.h — graph-level maintenance: optimize (compaction published under
 * the sidecar protocol), cleanup (version GC that honours every pin) and
 * the bounded automatic pass (internals §7; docs/maintenance.md).
 * (1) optimize is a graph writer of kind Optimize: it plans one compaction
 *     per table of the branch that needs one (>= min_fragments fragments or
 *     any deleted row), arms ONE sidecar naming them all (Phase A), commits
 *     each exactly at pin+1 (B), publishes every new pin once (C) and
 *     deletes the sidecar (D). Compaction keeps rows, row ids and
 *     created/updated versions, so readers see identical content.
 * (2) It refuses (OG_E_CONFLICT, naming the sidecar) while a sidecar not
 *     owned by a live writer of this process is pending; a table whose head
 *     is past its pin (an in-flight write or drift) is skipped, never
 *     compacted. A table commit or publish lost to a concurrent writer
 *     undoes this optimize's own commits and retries from a fresh head, at
 *     most OG_MAINT_RETRIES times; the writer that won keeps its commit.
 * (3) On a branch only the branch's own table forks are compacted; tables
 *     it still shares with its source are skipped (optimize the source).
 * (4) The graph manifest needs no compaction (one folded object per
 *     version, docs/graph-design.md §2); optimize reports it as the
 *     dataset `__manifest` with no fragment work.
 * (5) cleanup deletes manifest versions and table versions that nothing
 *     needs: it keeps, per branch chain, the head, the newest `keep`
 *     versions and/or those younger than older_than (a version goes only
 *     when it fails every bound given) and the versions live branches were
 *     created from; per table it keeps every main version a kept manifest
 *     version or a pending sidecar pins, the newest `keep`, and always the
 *     latest; the same per table fork of a live branch (versions its
 *     kept manifest versions or sidecars pin, the newest `keep`, its
 *     latest). Unreferenced table files, chains of deleted branches and
 *     their table forks (only files no live version names) go once older
 *     than the grace period (files of abandoned stages too).
 *     Manifest versions go first, table versions second: a crash between
 *     leaves only less history retained, never a dangling pin. No version
 *     younger than min_age goes (default 60 s): a writer commits and
 *     publishes at "its base + 1" with put_if_absent, so a number cleanup
 *     freed under a writer that is still running would be re-created
 *     below the head and the write silently lost (internals §7.4).
 * (6) cleanup refuses a pending sidecar (OG_E_CONFLICT naming it) unless
 *     allow_pending, which protects the sidecar's versions instead (the
 *     automatic pass, beside live writers). Tables are fault-isolated: one
 *     table's failure is reported in its entry and the rest continue.
 * (7) After cleanup a snapshot of a collected commit fails with
 *     "no longer retained" (commit.c), not a wrong answer.
 * (8) og_graph_maintain is one bounded pass: recovery sweep, optimize of
 *     the tables at or over the fragment threshold (at most max_tables),
 *     tiered: first merging only fragments below OG_MAINT_TIER_ROWS rows
 *     (so a big table is not rewritten whole every few commits), and only
 *     when that leaves nothing to merge and 2 x threshold fragments
 *     remain, a full compaction,
 *     then, when optimize committed or the chain outgrew 2*keep versions,
 *     cleanup with keep (default 10) and the orphan grace. It logs what it
 *     did through base/log.h.
 * (9) Failpoints: optimize.post_phase_a, optimize.post_table_commit,
 *     optimize.post_phase_b_pre_manifest_commit,
 *     optimize.post_phase_c_pre_phase_d, cleanup.post_manifest_gc,
 *     cleanup.post_table_gc (docs/failpoints.md). */
#ifndef OG_GRAPH_MAINT_H
#define OG_GRAPH_MAINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "base/ulid.h"
#include "engine.h"

#define OG_MAINT_RETRIES 5
#define OG_MAINT_KEEP_DEFAULT 10
#define OG_MAINT_KEEP_MIN_SAFE 3
#define OG_MAINT_FRAGMENT_THRESHOLD 16
#define OG_MAINT_TIER_ROWS 16384
#define OG_MAINT_GRACE_DEFAULT_US (3600LL * 1000000)
#define OG_MAINT_MIN_AGE_DEFAULT_US (60LL * 1000000)
#define OG_MAINT_MANIFEST_KEY "__manifest"

/* ---- optimize ---- */

typedef struct og_optimize_opts {
    const char *branch;     /* NULL = main */
    const char *actor;      /* nullable */
    size_t min_fragments;   /* compact a table with at least this many fragments (or a deletion); 0 = 2 */
    size_t max_tables;      /* at most this many tables, most fragmented first; 0 = all */
    uint64_t target_rows;   /* rows per output fragment; fragments this big are left alone
                               unless they hold deleted rows; 0 = the table layer's (1M) */
} og_optimize_opts;

typedef struct og_pending_index {
    const char *property;   /* catalog-owned */
    const char *reason;     /* static text */
} og_pending_index;

typedef struct og_optimize_table {
    char *table_key;              /* "node:Person" or OG_MAINT_MANIFEST_KEY */
    const og_decl *decl;          /* NULL for the manifest */
    uint64_t fragments_before, fragments_after;
    uint64_t fragments_removed, fragments_added;
    bool committed, skipped;
    const char *skip_reason;      /* static text when skipped */
    uint64_t published_version;   /* the pin after optimize */
    uint64_t head_version;        /* the table head after optimize */
    og_pending_index *pending;
    size_t npending;
} og_optimize_table;

typedef struct og_optimize_result {
    og_optimize_table *tables;
    size_t ntables;
    bool published;
    char commit_id[OG_ULID_LEN + 1];
    uint64_t manifest_version;    /* the branch's manifest version after */
    unsigned attempts;
} og_optimize_result;

void og_optimize_result_clear(og_optimize_result *r);
og_status og_graph_optimize(og_graph *g, const og_optimize_opts *o, og_optimize_result *out);

/* ---- cleanup ---- */

typedef struct og_cleanup_policy {
    uint64_t keep;            /* keep the newest N versions (0: no bound) */
    bool has_older_than;
    int64_t older_than_us;    /* with has_older_than: remove only versions older than now - this */
    int64_t grace_us;         /* unreferenced files / orphan chains; <= 0 = OG_MAINT_GRACE_DEFAULT_US */
    int64_t min_age_us;       /* (5) never remove a version younger than this; 0 = OG_MAINT_MIN_AGE_DEFAULT_US,
                                 < 0 = no minimum (only on a quiesced graph) */
    bool dry_run;             /* count what would go, delete nothing */
    bool allow_pending;       /* (6) protect pending sidecars instead of refusing */
    size_t max_tables;        /* at most this many tables per call; 0 = all */
} og_cleanup_policy;

typedef struct og_cleanup_table {
    char *table_key;          /* "node:Person", or the audit table's name */
    char *path;
    uint64_t versions_before, versions_removed; /* removed: main and fork versions */
    uint64_t fork_versions_removed;           /* of those, versions of table forks */
    uint64_t forks_reclaimed;                 /* forks of deleted branches removed whole */
    uint64_t files_removed;
    uint64_t bytes_before, bytes_removed;
    char *error;              /* per-table failure (6), NULL when fine */
} og_cleanup_table;

typedef struct og_cleanup_result {
    og_cleanup_table *tables;
    size_t ntables;
    uint64_t manifest_versions_removed;
    uint64_t manifest_versions_kept;
    uint64_t orphan_chains_removed;
    bool dry_run;
} og_cleanup_result;

void og_cleanup_result_clear(og_cleanup_result *r);
og_status og_graph_cleanup(og_graph *g, const og_cleanup_policy *p, og_cleanup_result *out);

/* ---- the automatic pass ---- */

typedef struct og_maint_opts {
    const char *branch;         /* NULL = main */
    size_t fragment_threshold;  /* 0 = OG_MAINT_FRAGMENT_THRESHOLD */
    size_t max_tables;          /* 0 = 8 */
    uint64_t keep;              /* 0 = OG_MAINT_KEEP_DEFAULT */
    int64_t grace_us;           /* <= 0 = OG_MAINT_GRACE_DEFAULT_US */
    int64_t min_age_us;         /* as og_cleanup_policy */
    uint64_t tier_rows;         /* (8) 0 = OG_MAINT_TIER_ROWS */
} og_maint_opts;

typedef struct og_maint_result {
    bool ran_optimize, ran_cleanup;
    uint64_t tables_compacted;
    uint64_t versions_removed;          /* table versions */
    uint64_t manifest_versions_removed;
    uint64_t files_removed;
} og_maint_result;

/* True when a table of the branch head has >= threshold fragments below
 * the tier size or >= 2 x threshold in all: 3 store reads + one GET per
 * table. */
og_status og_graph_maint_due(og_graph *g, const og_maint_opts *o, bool *due);
/* (8). o and out nullable. */
og_status og_graph_maintain(og_graph *g, const og_maint_opts *o, og_maint_result *out);

#endif
