/* recovery.h — the recovery sweep: finishing or undoing graph writes a
 * crash (or an error) left between their table commits and their publish
 * (write-path.md §6, internals §4.3–4.7; design.md §2 item 3).
 * (1) Sidecars are processed in name (= creation) order, each against a
 *     fresh head of its graph branch, so an earlier recovery's publish is
 *     seen by the next.
 * (2) Before classifying, a sidecar whose commit id (or rollback commit id)
 *     is already published is only audited and deleted: the intent is
 *     satisfied. A sidecar whose graph branch is gone is audited as
 *     OrphanedBranchDiscarded and deleted.
 * (3) Per table: head < pin is InvariantViolation; head == pin NoMovement;
 *     head == pin+1 == post with the sidecar's transaction uuid at post and
 *     pin == expected RolledPastExpected; other head == pin+1 UnexpectedAtP1;
 *     head > pin+1 UnexpectedMultistep.
 * (4) Decision, all or nothing: any InvariantViolation aborts with
 *     OG_E_INTERNAL naming the sidecar, which is kept; all
 *     RolledPastExpected rolls forward (one publish, the sidecar's commit
 *     id, expected = pins); anything else rolls back: every moved table is
 *     restored to its pin (a normal exact commit: it fails on a concurrent
 *     commit instead of orphaning it) and the restored heads are published
 *     once with the rollback commit id, so manifest pins == table heads.
 *     Only this write's own movement is undone (its uuid at post, plus
 *     restores to the pin left by an interrupted earlier rollback); a
 *     foreign version on top of ours fails closed (OG_E_CONFLICT, sidecar
 *     kept). A first-touch fork is restored and published like any table.
 * (5) Recovery commits carry actor OG_RECOVERY_ACTOR. After the publish,
 *     one row is appended to the audit table _graph_commit_recoveries
 *     (created lazily, keyed by operation_id) unless a row for the
 *     operation id exists in the version appended to, then the sidecar is
 *     deleted (a failed delete is a warning). Two appends of one id race to
 *     a key conflict with exactly one winner, so the row is written exactly
 *     once even when recoveries in several processes (or an interrupted
 *     recovery re-run) finish the same sidecar.
 * (6) A sidecar whose writer is still running in this process (the
 *     in-flight registry) is skipped by sweeps; sweeps of one process are
 *     serialised; a publish or restore that loses to a concurrent writer
 *     re-evaluates the sidecar (bounded).
 * (6a) A sidecar the sweep cannot finish (InvariantViolation, a buried
 *     table, an unreadable sidecar, recovery itself failing) fails
 *     the sweep with a recovery_required detail naming its operation id
 *     (error_detail.h): writes must wait for an operator or a later sweep.
 *     Running out of re-evaluations against live writers is not
 *     recovery-required (the next sweep retries).
 * (7) Failpoints: recovery.before_roll_forward_publish,
 *     recovery.post_table_restore_pre_publish,
 *     recovery.post_publish_pre_audit, recovery.record_audit,
 *     recovery.post_audit_pre_delete. */
#ifndef OG_GRAPH_RECOVERY_H
#define OG_GRAPH_RECOVERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "store/store.h"
#include "sidecar.h"

#define OG_RECOVERY_ACTOR "omnigraph:recovery"
#define OG_RECOVERY_AUDIT_TABLE "_graph_commit_recoveries"

typedef enum og_recovery_class {
    OG_RECOVERY_NO_MOVEMENT = 0,
    OG_RECOVERY_ROLLED_PAST_EXPECTED,
    OG_RECOVERY_UNEXPECTED_AT_P1,
    OG_RECOVERY_UNEXPECTED_MULTISTEP,
    OG_RECOVERY_INVARIANT_VIOLATION,
} og_recovery_class;

typedef enum og_recovery_decision {
    OG_RECOVERY_ROLL_FORWARD = 0,
    OG_RECOVERY_ROLL_BACK,
    OG_RECOVERY_ABORT,
} og_recovery_decision;

const char *og_recovery_class_name(og_recovery_class c);
/* (3): pinned = manifest pin now, head = table head now. */
og_recovery_class og_recovery_classify(uint64_t pinned, uint64_t expected, uint64_t head, uint64_t post,
                                       bool owned);
/* (4); n == 0 rolls forward (nothing to do but retire the sidecar). */
og_recovery_decision og_recovery_decide(const og_recovery_class *c, size_t n);

typedef struct og_recovery_stats {
    unsigned sidecars;          /* listed */
    unsigned rolled_forward;    /* published by recovery */
    unsigned rolled_back;
    unsigned already_published; /* only audited + deleted */
    unsigned orphaned;
    unsigned skipped_inflight;
} og_recovery_stats;

/* The sweep (1)–(6); stats nullable. */
og_status og_recovery_sweep(og_store *root, og_recovery_stats *stats);
/* Resolves one sidecar by operation id. A writer undoing its own failed
 * write passes owner = true: the in-flight registry does not skip it and
 * it never rolls forward (a failed write is never published behind the
 * caller's back). */
og_status og_recovery_resolve(og_store *root, const char *operation_id, bool owner, og_recovery_stats *stats);

/* In-flight registry (6): a writer registers its operation id before
 * Phase A and removes it when done. */
og_status og_recovery_inflight_add(const char *operation_id);
void og_recovery_inflight_remove(const char *operation_id);
/* True while a writer of this process has operation_id registered
 * (maintenance tells a live write's sidecar from a crashed one). */
bool og_recovery_inflight_has(const char *operation_id);

/* The writer kind of a graph write transaction (default Mutation); the
 * loader marks its transaction Load. Implemented in graph_txn.c. */
struct og_graph_txn;
void og_graph_txn_set_writer_kind(struct og_graph_txn *x, og_writer_kind k);

/* Audit rows of an operation id (0 when the table does not exist). */
og_status og_recovery_audit_count(og_store *root, const char *operation_id, uint64_t *n);
/* The recovery_kind of the audit row of an operation id into out
 * ("" when none). */
og_status og_recovery_audit_kind(og_store *root, const char *operation_id, char out[32]);

#endif
