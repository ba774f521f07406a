/* head_probe.h — is a branch head still the one a snapshot pinned?
 * (1) Manifest versions of a chain are numbered 1, 2, ... without gaps;
 *     cleanup removes old ones, but none younger than a minute, so within
 *     OG_GRAPH_HEAD_LEASE_US (manifest.h) of the last time V was known to
 *     be the head, it still is iff version V+1 of U does not exist: one
 *     store HEAD of a missing key, no manifest read, at any history length.
 *     Callers keep that time and reopen past the lease.
 * (2) A named branch can be deleted and recreated on a new chain: its ref
 *     is read too (1 GET) and must still name the snapshot's chain. `main`
 *     cannot be deleted, so its probe is the HEAD alone.
 * (3) The answer is a point-in-time fact: a commit landing right after the
 *     probe is seen by the next probe (the same contract as opening the
 *     head). */
#ifndef OG_GRAPH_HEAD_PROBE_H
#define OG_GRAPH_HEAD_PROBE_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/status.h"
#include "manifest.h"
#include "store/store.h"

/* *same = true when s (opened as a branch head) is still its branch's
 * head. A store failure other than "absent" is returned. */
og_status og_graph_head_unchanged(og_store *st, const og_graph_snapshot *s, bool *same);
/* The same with the probed key precomputed by og_graph_head_probe_key
 * (for callers that probe one snapshot many times). */
og_status og_graph_head_probe_key(const og_graph_snapshot *s, og_buf *key);
og_status og_graph_head_unchanged_at(og_store *st, const og_graph_snapshot *s, const char *key,
                                     bool *same);

#endif
