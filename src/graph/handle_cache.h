/* handle_cache.h — an open graph's cache of table handles and manifest
 * snapshots, shared by every view and write transaction of one og_graph.
 * (1) Table handles are keyed by (table path, table branch, version). A
 *     version of a table is immutable, so a cached handle is the same
 *     snapshot whoever asks; handles committed by this process's writes
 *     are adopted, so the next view of that version inherits the table
 *     layer's warm caches (fragment readers, key sets) instead of
 *     re-reading the manifest and footers of every fragment.
 * (2) Handles are borrowed with a reference count and never closed while
 *     borrowed; unborrowed ones are evicted least recently used first
 *     once more than the capacity are held.
 * (3) Manifest snapshots are keyed by (chain uid, version), also immutable:
 *     opening a head whose newest version is cached costs the LIST only.
 *     The uid of `main` never changes (main is never deleted), so it is
 *     remembered after the first ref read.
 * (4) Every entry point is thread-safe (one mutex); the table handles
 *     themselves are read-only snapshots, safe to share. */
#ifndef OG_GRAPH_HANDLE_CACHE_H
#define OG_GRAPH_HANDLE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "base/ulid.h"
#include "store/store.h"
#include "table/table.h"
#include "manifest.h"

typedef struct og_graph_hcache og_graph_hcache;

og_status og_graph_hcache_new(size_t capacity, og_graph_hcache **out);
void og_graph_hcache_free(og_graph_hcache *c);

/* Borrows the handle of (path, branch (NULL = main), version), opening it
 * on a miss (one GET). Give it back with og_graph_hcache_release. */
og_status og_graph_hcache_get(og_graph_hcache *c, og_store *st, const char *path, const char *branch,
                              uint64_t version, og_table **out);
void og_graph_hcache_release(og_graph_hcache *c, og_table *t);
/* Takes ownership of t (a handle of `path` at og_table_version(t) on
 * `branch`), e.g. the snapshot a table commit returned. */
void og_graph_hcache_adopt(og_graph_hcache *c, const char *path, const char *branch, og_table *t);

/* (3) A copy of the cached snapshot (uid, version); false when absent. */
bool og_graph_hcache_snapshot(og_graph_hcache *c, const char *uid, uint64_t version, og_graph_snapshot *out);
/* A copy of the newest cached snapshot of chain uid; false when none. */
bool og_graph_hcache_newest(og_graph_hcache *c, const char *uid, og_graph_snapshot *out);
/* Remembers a copy of s (errors are ignored: the cache is optional). */
void og_graph_hcache_put_snapshot(og_graph_hcache *c, const og_graph_snapshot *s);
/* A copy of commit `id` when a cached snapshot holds it as the head it
 * created (commits are immutable); false otherwise. */
bool og_graph_hcache_commit(og_graph_hcache *c, const char *id, og_graph_commit *out);
/* Moves every cached snapshot's head_checked_us us into the past, as if
 * that much time had gone by (tests of OG_GRAPH_HEAD_LEASE_US). */
void og_graph_hcache_age(og_graph_hcache *c, int64_t us);
/* Ends every cached snapshot's head lease: the next head open lists the
 * chain (after this handle collected manifest versions). */
void og_graph_hcache_expire(og_graph_hcache *c);
/* The remembered uid of main's chain; false when not yet known. */
bool og_graph_hcache_main_uid(og_graph_hcache *c, char out[OG_ULID_LEN + 1]);
void og_graph_hcache_set_main_uid(og_graph_hcache *c, const char *uid);

#endif
