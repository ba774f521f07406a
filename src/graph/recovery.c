/* recovery.c — the recovery sweep (recovery.h (1)–(7)).
 * (1) The only code that restores tables or publishes on behalf of a write
 *     that did not finish; it goes through og_graph_publish like every
 *     writer (one publication door).
 * (2) Nothing here trusts the sidecar alone: ownership of a moved table is
 *     proven by the transaction uuid recorded in the table version.
 * (3) A published write whose table a recovery in another process restored
 *     underneath it (heal_published) is re-restored to its pin. */
#include "recovery.h"
#include "table_version.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/failpoint.h"
#include "base/log.h"
#include "base/map.h"
#include "table/table.h"
#include "commit.h"
#include "error_detail.h"
#include "internal.h"
#include "manifest.h"
#include "publisher.h"
#include "schema_plan.h"

#define REEVALUATE_BUDGET 4

const char *og_recovery_class_name(og_recovery_class c)
{
    switch (c) {
    case OG_RECOVERY_NO_MOVEMENT: return "NoMovement";
    case OG_RECOVERY_ROLLED_PAST_EXPECTED: return "RolledPastExpected";
    case OG_RECOVERY_UNEXPECTED_AT_P1: return "UnexpectedAtP1";
    case OG_RECOVERY_UNEXPECTED_MULTISTEP: return "UnexpectedMultistep";
    case OG_RECOVERY_INVARIANT_VIOLATION: return "InvariantViolation";
    }
    return "?";
}

og_recovery_class og_recovery_classify(uint64_t pinned, uint64_t expected, uint64_t head, uint64_t post,
                                       bool owned)
{
    if (head < pinned) return OG_RECOVERY_INVARIANT_VIOLATION;
    if (head == pinned) return OG_RECOVERY_NO_MOVEMENT;
    if (head == pinned + 1)
        return pinned == expected && head == post && owned ? OG_RECOVERY_ROLLED_PAST_EXPECTED
                                                           : OG_RECOVERY_UNEXPECTED_AT_P1;
    return OG_RECOVERY_UNEXPECTED_MULTISTEP;
}

og_recovery_decision og_recovery_decide(const og_recovery_class *c, size_t n)
{
    og_recovery_decision d = OG_RECOVERY_ROLL_FORWARD;
    for (size_t i = 0; i < n; i++) {
        if (c[i] == OG_RECOVERY_INVARIANT_VIOLATION) return OG_RECOVERY_ABORT;
        if (c[i] != OG_RECOVERY_ROLLED_PAST_EXPECTED) d = OG_RECOVERY_ROLL_BACK;
    }
    return d;
}

/* ---- in-flight registry and the sweep lock (6) ---- */

static pthread_mutex_t g_inflight_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t g_sweep_mu = PTHREAD_MUTEX_INITIALIZER;
static og_map *g_inflight;

og_status og_recovery_inflight_add(const char *op)
{
    og_status rc = OG_OK;
    pthread_mutex_lock(&g_inflight_mu);
    if (!g_inflight) g_inflight = og_map_new();
    if (!g_inflight) rc = og_error_set(OG_E_NOMEM, "out of memory");
    else rc = og_map_puts(g_inflight, op, (void *)1, NULL);
    pthread_mutex_unlock(&g_inflight_mu);
    return rc;
}

void og_recovery_inflight_remove(const char *op)
{
    pthread_mutex_lock(&g_inflight_mu);
    if (g_inflight) {
        og_map_del(g_inflight, op, strlen(op), NULL);
        if (og_map_len(g_inflight) == 0) { og_map_free(g_inflight); g_inflight = NULL; }
    }
    pthread_mutex_unlock(&g_inflight_mu);
}

static bool inflight(const char *op)
{
    pthread_mutex_lock(&g_inflight_mu);
    bool r = g_inflight && og_map_get(g_inflight, op, strlen(op), NULL);
    pthread_mutex_unlock(&g_inflight_mu);
    return r;
}

bool og_recovery_inflight_has(const char *op) { return inflight(op); }

/* ---- audit table (5) ---- */

static og_status audit_table(og_store *root, bool create, og_table **out)
{
    og_status rc = og_table_open(root, OG_RECOVERY_AUDIT_TABLE, out);
    if (rc != OG_E_NOTFOUND || !create) return rc;
    og_error_clear();
    og_schema s = {0};
    og_txn *tx = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, ts = {OG_TYPE_DATETIME, OG_TYPE_NONE, 0};
    if ((rc = og_schema_add(&s, "graph_commit_id", utf8, false, false)) ||
        (rc = og_schema_add(&s, "recovery_kind", utf8, false, false)) ||
        (rc = og_schema_add(&s, "recovery_for_actor", utf8, true, false)) ||
        (rc = og_schema_add(&s, "operation_id", utf8, false, true)) || /* the key of (5) */
        (rc = og_schema_add(&s, "sidecar_writer_kind", utf8, false, false)) ||
        (rc = og_schema_add(&s, "per_table_outcomes_json", utf8, false, false)) ||
        (rc = og_schema_add(&s, "created_at", ts, false, false)))
        goto done;
    if ((rc = og_table_stage_create(root, OG_RECOVERY_AUDIT_TABLE, &s, NULL, &tx))) goto done;
    og_commit_opts co = {true, 0};
    rc = og_txn_commit(tx, &co, NULL, NULL);
    if (rc == OG_E_PRECONDITION) { og_error_clear(); rc = OG_OK; } /* racy create tolerated */
    if (!rc) rc = og_table_open(root, OG_RECOVERY_AUDIT_TABLE, out);
done:
    og_txn_free(tx);
    og_schema_free(&s);
    return rc;
}

static og_status audit_find(og_table *t, const char *op, og_batch *out)
{
    const char *cols[] = {"operation_id", "recovery_kind"};
    og_pred pr = {"operation_id", OG_CMP_EQ, og_val_str(op), NULL, 0};
    og_scan_opts so = {cols, 2, &pr, 1, 0};
    return og_table_scan(t, &so, out);
}

og_status og_recovery_audit_count(og_store *root, const char *op, uint64_t *n)
{
    og_table *t = NULL;
    og_batch b = OG_BATCH_INIT;
    *n = 0;
    og_status rc = audit_table(root, false, &t);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); return OG_OK; }
    if (!rc) rc = audit_find(t, op, &b);
    if (!rc) *n = b.nrows;
    og_batch_free(&b);
    og_table_close(t);
    return rc;
}

og_status og_recovery_audit_kind(og_store *root, const char *op, char out[32])
{
    og_table *t = NULL;
    og_batch b = OG_BATCH_INIT;
    out[0] = '\0';
    og_status rc = audit_table(root, false, &t);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); return OG_OK; }
    if (!rc) rc = audit_find(t, op, &b);
    if (!rc && b.nrows) {
        size_t len = 0;
        const char *s = og_column_get_bytes(og_batch_col(&b, "recovery_kind"), 0, &len);
        snprintf(out, 32, "%.*s", (int)len, s);
    }
    og_batch_free(&b);
    og_table_close(t);
    return rc;
}

static og_status audit_batch(const og_sidecar *sc, const char *kind, const char *commit, const char *outcomes,
                             og_batch *b)
{
    og_status rc = OG_OK;
    og_column *c[7] = {0};
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, ts = {OG_TYPE_DATETIME, OG_TYPE_NONE, 0};
    if ((rc = og_batch_add(b, "graph_commit_id", utf8, &c[0])) ||
        (rc = og_batch_add(b, "recovery_kind", utf8, &c[1])) ||
        (rc = og_batch_add(b, "recovery_for_actor", utf8, &c[2])) ||
        (rc = og_batch_add(b, "operation_id", utf8, &c[3])) ||
        (rc = og_batch_add(b, "sidecar_writer_kind", utf8, &c[4])) ||
        (rc = og_batch_add(b, "per_table_outcomes_json", utf8, &c[5])) ||
        (rc = og_batch_add(b, "created_at", ts, &c[6])))
        return rc;
    if ((rc = og_column_push_str(c[0], commit)) || (rc = og_column_push_str(c[1], kind)) ||
        (rc = sc->actor ? og_column_push_str(c[2], sc->actor) : og_column_push_null(c[2])) ||
        (rc = og_column_push_str(c[3], sc->operation_id)) ||
        (rc = og_column_push_str(c[4], og_writer_kind_name(sc->kind))) ||
        (rc = og_column_push_str(c[5], outcomes)) || (rc = og_column_push_i64(c[6], og_clock_now_us())))
        return rc;
    return og_batch_seal(b);
}

/* Exactly one row per operation id, across processes (recovery.h (5)):
 * the row is appended to the very version it was looked up in. The audit
 * table is keyed by operation_id, so two recoveries appending the same id
 * concurrently conflict at commit (a common inserted key) and exactly one
 * wins; the loser re-reads, finds the winner's row and stops ("already
 * recorded"). An audit table created before the key existed is appended
 * with exact commits instead: any concurrent commit makes ours lose and
 * re-read. Bounded rounds. */
#define AUDIT_ROUNDS 16

static og_status audit_append(og_store *root, const og_sidecar *sc, const char *kind, const char *commit,
                              const char *outcomes)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    if ((rc = audit_batch(sc, kind, commit, outcomes, &b))) goto done;
    for (unsigned round = 0;; round++) {
        og_table *t = NULL;
        og_batch found = OG_BATCH_INIT;
        og_txn *tx = NULL;
        if ((rc = audit_table(root, true, &t))) goto done;
        rc = audit_find(t, sc->operation_id, &found);
        bool recorded = !rc && found.nrows > 0;
        og_batch_free(&found);
        if (!rc && !recorded && !(rc = OG_FAILPOINT("recovery.record_audit")))
            rc = og_table_stage_append(t, &b, &tx);
        const og_field *pk = og_schema_pk(&og_table_manifest(t)->schema);
        og_commit_opts co = {!(pk && !strcmp(pk->name, "operation_id")), 0};
        og_table_close(t);
        if (rc || recorded) goto done;
        rc = og_txn_commit(tx, &co, NULL, NULL);
        og_txn_free(tx);
        if (rc != OG_E_CONFLICT && rc != OG_E_PRECONDITION) goto done;
        if (round + 1 >= AUDIT_ROUNDS) {
            og_error_context(rc, "the audit table kept changing (%u rounds)", AUDIT_ROUNDS);
            goto done;
        }
        og_error_clear(); /* lost to a concurrent append: look again */
        rc = OG_OK;
    }
done:
    if (rc) og_error_context(rc, "appending the recovery audit row of %s", sc->operation_id);
    og_batch_free(&b);
    return rc;
}

/* ---- one sidecar ---- */

typedef struct tstate {
    const og_graph_pin *pin;   /* in the fresh snapshot */
    bool fork_unpublished;     /* the sidecar's table branch is not what the manifest pins */
    uint64_t pinned, head;
    og_recovery_class cls;
} tstate;

static og_status is_published(og_store *root, const char *id, bool *out)
{
    og_graph_snapshot s = {0};
    *out = false;
    og_status rc = og_graph_open_commit(root, id, &s);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
    else if (!rc) *out = true;
    og_graph_snapshot_free(&s);
    return rc;
}

static og_status open_head(og_store *root, const og_sidecar_table *t, uint64_t version, og_table **out)
{
    return og_graph_table_open_version(root, t->path, t->table_branch, version, out);
}

/* The transaction record of version v of t (on its table branch). */
static og_status txn_at(og_store *root, const og_sidecar_table *t, uint64_t v, og_txn_record *out)
{
    return og_graph_table_txn_at(root, t->path, t->table_branch, v, out);
}

static og_status owned_at(og_store *root, const og_sidecar_table *t, uint64_t version, bool *owned)
{
    og_txn_record r;
    og_status rc = txn_at(root, t, version, &r);
    *owned = !rc && r.uuid && !strcmp(r.uuid, t->txn_uuid);
    og_txn_record_free(&r);
    return rc;
}

typedef enum { CHAIN_FOREIGN = 0, CHAIN_OURS, CHAIN_BURIED } chain_verdict;

/* Walks versions pinned+1..head: ours = the post version carries our
 * uuid and every other one is a compensating restore to `pinned`
 * (an interrupted earlier rollback); foreign = the first is not ours;
 * buried = a foreign version sits on top of ours. */
static og_status chain(og_store *root, const og_sidecar_table *t, uint64_t pinned, uint64_t head,
                       chain_verdict *out, bool *top_is_restore)
{
    og_status rc = OG_OK;
    bool seen_ours = false;
    *out = CHAIN_OURS;
    *top_is_restore = false;
    for (uint64_t v = pinned + 1; v <= head && !rc; v++) {
        og_txn_record r;
        if ((rc = txn_at(root, t, v, &r))) break;
        bool mine = v == t->post_version && r.uuid && !strcmp(r.uuid, t->txn_uuid);
        bool comp = r.op == OG_TXN_RESTORE && r.restore_target == pinned && seen_ours;
        og_txn_record_free(&r);
        if (mine) seen_ours = true;
        if (!mine && !comp) { *out = seen_ours ? CHAIN_BURIED : CHAIN_FOREIGN; break; }
        *top_is_restore = comp;
    }
    return rc;
}

static og_status classify_all(og_store *root, const og_sidecar *sc, const og_graph_snapshot *snap, tstate *ts)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < sc->ntables; i++) {
        const og_sidecar_table *t = &sc->tables[i];
        og_table *tbl = NULL;
        tstate *s = &ts[i];
        memset(s, 0, sizeof *s);
        s->pin = og_graph_snapshot_pin(snap, t->table_key);
        if (!s->pin || strcmp(s->pin->path, t->path) != 0) {
            return og_error_set(OG_E_INTERNAL, "recovery sidecar %s names table `%s` at `%s`, which branch `%s` "
                                "does not pin; sidecar kept for an operator", sc->operation_id, t->table_key,
                                t->path, snap->branch);
        }
        s->pinned = s->pin->version;
        const char *pb = s->pin->table_branch, *sb = t->table_branch;
        s->fork_unpublished = sb && (!pb || strcmp(pb, sb) != 0);
        rc = open_head(root, t, 0, &tbl);
        if (rc == OG_E_NOTFOUND && s->fork_unpublished) {
            og_error_clear();
            rc = OG_OK;
            s->head = s->pinned;
        } else if (rc) {
            return og_error_context(rc, "recovery of %s: opening table `%s`", sc->operation_id, t->table_key);
        } else {
            s->head = og_table_version(tbl);
            og_table_close(tbl);
        }
        bool owned = false;
        if (s->head == t->post_version && (rc = owned_at(root, t, t->post_version, &owned))) return rc;
        s->cls = og_recovery_classify(s->pinned, t->expected_version, s->head, t->post_version, owned);
    }
    return rc;
}

static og_status outcomes_json(const og_sidecar *sc, const tstate *ts, const uint64_t *to, og_buf *out)
{
    og_status rc = og_buf_append_str(out, "[");
    for (size_t i = 0; i < sc->ntables && !rc; i++)
        rc = og_buf_printf(out, "%s{\"table_key\":\"%s\",\"from_version\":%llu,\"to_version\":%llu}",
                           i ? "," : "", sc->tables[i].table_key,
                           (unsigned long long)(ts ? ts[i].pinned : 0), (unsigned long long)(to ? to[i] : 0));
    if (!rc) rc = og_buf_append_str(out, "]");
    return rc;
}

/* Audit, then delete the sidecar (5). */
static og_status finish(og_store *root, const og_sidecar *sc, const char *kind, const char *commit,
                        const char *outcomes)
{
    og_status rc = OG_OK;
    if ((rc = OG_FAILPOINT("recovery.post_publish_pre_audit"))) return rc;
    if ((rc = audit_append(root, sc, kind, commit, outcomes))) return rc;
    if ((rc = OG_FAILPOINT("recovery.post_audit_pre_delete"))) return rc;
    og_status d = og_sidecar_delete(root, sc->operation_id);
    if (d) {
        if (d == OG_E_CRASHED) return d;
        og_log_warn("recovery: could not delete the sidecar of %s (%s); the next sweep retires it",
                    sc->operation_id, og_error_last()->message);
        og_error_clear();
    }
    og_log_info("recovery: %s %s (%s, actor %s)", kind, sc->operation_id, og_writer_kind_name(sc->kind),
                sc->actor ? sc->actor : "-");
    return OG_OK;
}

/* Publishes pins with expected = the pinned versions. */
static og_status publish(og_store *root, const og_sidecar *sc, const tstate *ts, const bool *sel,
                         const uint64_t *to, const char *commit_id, bool *lost)
{
    og_status rc = OG_OK;
    og_graph_pin *pins = calloc(sc->ntables, sizeof *pins);
    og_graph_expected *exp = calloc(sc->ntables, sizeof *exp);
    og_graph_conflict cf;
    memset(&cf, 0, sizeof cf);
    size_t n = 0;
    *lost = false;
    if (!pins || !exp) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < sc->ntables; i++) {
        if (!sel[i]) continue;
        const og_sidecar_table *t = &sc->tables[i];
        og_table *tbl = NULL;
        if ((rc = og_graph_pin_copy(&pins[n], ts[i].pin))) goto done;
        free(pins[n].table_branch);
        pins[n].table_branch = NULL;
        if ((rc = og_gstrdup(t->table_branch, &pins[n].table_branch))) goto done;
        pins[n].version = to[i];
        if ((rc = open_head(root, t, to[i], &tbl))) goto done;
        pins[n].row_count = og_table_count_rows(tbl);
        og_table_close(tbl);
        exp[n].table_key = t->table_key;
        exp[n].version = ts[i].pinned;
        n++;
    }
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.branch = sc->branch;
    req.expected = exp;
    req.n_expected = n;
    req.pins = pins;
    req.n_pins = n;
    req.commit.id = commit_id;
    req.commit.actor = OG_RECOVERY_ACTOR;
    /* a rolled-forward merge keeps its second parent */
    if (sc->merge_source[0] && commit_id == sc->commit_id) req.commit.merged_parent = sc->merge_source;
    rc = og_graph_publish(root, &req, &cf, NULL);
    if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) { og_error_clear(); rc = OG_OK; *lost = true; }
done:
    og_graph_conflict_clear(&cf);
    if (pins)
        for (size_t i = 0; i < sc->ntables; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    return rc;
}

/* The write was published, yet a table's head is past its pin with only
 * compensating restores on top: a recovery in another process restored
 * it while the live writer went on to publish. Restore the published pin
 * again and publish that head (with the unused rollback commit id), so
 * manifest and head agree. */
static og_status heal_published(og_store *root, const og_sidecar *sc, tstate *ts, bool *sel, uint64_t *to,
                                bool *lost)
{
    og_status rc = OG_OK;
    og_graph_snapshot snap = {0};
    bool any = false;
    *lost = false;
    if ((rc = og_graph_open_head(root, sc->branch, &snap))) {
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
        goto done;
    }
    for (size_t i = 0; i < sc->ntables; i++) {
        const og_sidecar_table *t = &sc->tables[i];
        og_table *tbl = NULL;
        og_txn *tx = NULL;
        sel[i] = false;
        memset(&ts[i], 0, sizeof ts[i]);
        ts[i].pin = og_graph_snapshot_pin(&snap, t->table_key);
        if (!ts[i].pin || !ts[i].pin->table_branch != !t->table_branch ||
            (t->table_branch && strcmp(t->table_branch, ts[i].pin->table_branch)))
            continue;
        ts[i].pinned = ts[i].pin->version;
        if ((rc = open_head(root, t, 0, &tbl))) goto done;
        ts[i].head = og_table_version(tbl);
        og_table_close(tbl);
        if (ts[i].head <= ts[i].pinned) continue;
        bool only_restores = true;
        for (uint64_t v = ts[i].pinned + 1; v <= ts[i].head && only_restores; v++) {
            og_txn_record r;
            if ((rc = txn_at(root, t, v, &r))) goto done;
            only_restores = r.op == OG_TXN_RESTORE;
            og_txn_record_free(&r);
        }
        if (!only_restores) continue;
        if ((rc = open_head(root, t, ts[i].head, &tbl))) goto done;
        rc = og_table_stage_restore(tbl, ts[i].pinned, &tx);
        og_table_close(tbl);
        if (rc) goto done;
        og_commit_opts co = {true, 0};
        rc = og_txn_commit(tx, &co, &to[i], NULL);
        og_txn_free(tx);
        if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) { og_error_clear(); rc = OG_OK; *lost = true; goto done; }
        if (rc) goto done;
        sel[i] = true;
        any = true;
    }
    if (any) rc = publish(root, sc, ts, sel, to, sc->rollback_commit_id, lost);
done:
    og_graph_snapshot_free(&snap);
    return rc;
}

static _Thread_local bool g_contended; /* recover_one ran out of re-evaluations */

static og_status recover_one(og_store *root, const og_sidecar *sc, bool owner, og_recovery_stats *st)
{
    og_status rc = OG_OK;
    og_graph_snapshot snap = {0};
    tstate *ts = calloc(sc->ntables ? sc->ntables : 1, sizeof *ts);
    bool *sel = calloc(sc->ntables ? sc->ntables : 1, sizeof *sel);
    uint64_t *to = calloc(sc->ntables ? sc->ntables : 1, sizeof *to);
    og_recovery_class *cls = calloc(sc->ntables ? sc->ntables : 1, sizeof *cls);
    og_buf out = OG_BUF_INIT;
    if (!ts || !sel || !to || !cls) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (int attempt = 0; attempt < REEVALUATE_BUDGET; attempt++) {
        bool pub = false, lost = false;
        og_graph_snapshot_free(&snap);
        og_buf_clear(&out);
        if ((rc = is_published(root, sc->commit_id, &pub))) goto done;
        if (pub) {
            if ((rc = heal_published(root, sc, ts, sel, to, &lost))) goto done;
            if (lost) continue;
            if ((rc = outcomes_json(sc, NULL, NULL, &out))) goto done;
            if (!(rc = finish(root, sc, "RolledForward", sc->commit_id, og_buf_cstr(&out)))) st->already_published++;
            goto done;
        }
        if ((rc = is_published(root, sc->rollback_commit_id, &pub))) goto done;
        if (pub) {
            if ((rc = outcomes_json(sc, NULL, NULL, &out))) goto done;
            if (!(rc = finish(root, sc, "RolledBack", sc->rollback_commit_id, og_buf_cstr(&out)))) st->rolled_back++;
            goto done;
        }
        rc = og_graph_open_head(root, sc->branch, &snap);
        if (rc == OG_E_NOTFOUND && sc->branch) {
            og_error_clear();
            if ((rc = outcomes_json(sc, NULL, NULL, &out))) goto done;
            if (!(rc = finish(root, sc, "OrphanedBranchDiscarded", "", og_buf_cstr(&out)))) st->orphaned++;
            goto done;
        }
        if (rc) goto done;
        if ((rc = classify_all(root, sc, &snap, ts))) goto done;
        for (size_t i = 0; i < sc->ntables; i++) cls[i] = ts[i].cls;
        og_recovery_decision d = og_recovery_decide(cls, sc->ntables);
        if (d == OG_RECOVERY_ABORT) {
            for (size_t i = 0; i < sc->ntables; i++)
                if (ts[i].cls == OG_RECOVERY_INVARIANT_VIOLATION) {
                    rc = og_error_set(OG_E_INTERNAL, "recovery sidecar `%s%s.json`: table `%s` is at version %llu, "
                                      "behind the manifest pin %llu (InvariantViolation); the sidecar is kept "
                                      "for an operator", OG_SIDECAR_PREFIX, sc->operation_id,
                                      sc->tables[i].table_key, (unsigned long long)ts[i].head,
                                      (unsigned long long)ts[i].pinned);
                    break;
                }
            goto done;
        }
        if (d == OG_RECOVERY_ROLL_FORWARD && owner) d = OG_RECOVERY_ROLL_BACK;
        if (d == OG_RECOVERY_ROLL_FORWARD) {
            if ((rc = OG_FAILPOINT("recovery.before_roll_forward_publish"))) goto done;
            for (size_t i = 0; i < sc->ntables; i++) { sel[i] = true; to[i] = sc->tables[i].post_version; }
            if ((rc = publish(root, sc, ts, sel, to, sc->commit_id, &lost))) goto done;
            if (lost) continue;
            if ((rc = outcomes_json(sc, ts, to, &out))) goto done;
            if (!(rc = finish(root, sc, "RolledForward", sc->commit_id, og_buf_cstr(&out)))) st->rolled_forward++;
            goto done;
        }
        /* Roll back: only our own movement is undone (recovery.h (4)). */
        bool any = false;
        for (size_t i = 0; i < sc->ntables && !lost; i++) {
            const og_sidecar_table *t = &sc->tables[i];
            chain_verdict cv = CHAIN_FOREIGN;
            bool top_restore = false;
            sel[i] = false;
            to[i] = ts[i].pinned;
            if (ts[i].head <= ts[i].pinned) continue;
            if ((rc = chain(root, t, ts[i].pinned, ts[i].head, &cv, &top_restore))) goto done;
            if (cv == CHAIN_FOREIGN) continue;
            if (cv == CHAIN_BURIED) {
                /* A live writer may have published this very write (and
                 * written on top of it) since this attempt read its state:
                 * then there is nothing to undo; re-evaluate. */
                bool now_pub = false;
                if ((rc = is_published(root, sc->commit_id, &now_pub))) goto done;
                if (now_pub) { lost = true; break; }
                rc = og_error_set(OG_E_CONFLICT, "recovery sidecar `%s%s.json`: a foreign commit sits on top of "
                                  "this write's commit of `%s` (version %llu); nothing restored, the sidecar is "
                                  "kept for an operator", OG_SIDECAR_PREFIX, sc->operation_id, t->table_key,
                                  (unsigned long long)t->post_version);
                goto done;
            }
            sel[i] = true;
            any = true;
            if (top_restore) { to[i] = ts[i].head; continue; } /* an earlier rollback restored it */
            og_table *tbl = NULL;
            og_txn *tx = NULL;
            if ((rc = open_head(root, t, ts[i].head, &tbl))) goto done;
            rc = og_table_stage_restore(tbl, ts[i].pinned, &tx);
            og_table_close(tbl);
            if (rc) goto done;
            og_commit_opts co = {true, 0};
            rc = og_txn_commit(tx, &co, &to[i], NULL);
            og_txn_free(tx);
            if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) { og_error_clear(); rc = OG_OK; lost = true; break; }
            if (rc) goto done;
            if ((rc = OG_FAILPOINT("recovery.post_table_restore_pre_publish"))) goto done;
        }
        if (lost) continue;
        if (any) {
            if ((rc = publish(root, sc, ts, sel, to, sc->rollback_commit_id, &lost))) goto done;
            if (lost) continue;
        }
        if ((rc = outcomes_json(sc, ts, to, &out))) goto done;
        if (!(rc = finish(root, sc, "RolledBack", any ? sc->rollback_commit_id : "", og_buf_cstr(&out))))
            st->rolled_back++;
        goto done;
    }
    g_contended = true; /* not recovery-required: the next sweep retries (6a) */
    rc = og_error_set(OG_E_CONFLICT, "recovery of %s kept losing to concurrent writers (%d attempts); "
                      "the sidecar is kept for the next sweep", sc->operation_id, REEVALUATE_BUDGET);
done:
    og_buf_free(&out);
    og_graph_snapshot_free(&snap);
    free(ts);
    free(sel);
    free(to);
    free(cls);
    return rc;
}

/* A sidecar recovery could not finish is recovery-required state: its
 * operation id (from the object name when the sidecar does not decode)
 * travels with the error as structured detail (error_detail.h). Losing
 * the re-evaluation budget to live writers is not: it is retried. */
static void required(const char *key, og_status rc)
{
    bool contended = g_contended;
    g_contended = false;
    if (rc == OG_E_NOMEM || rc == OG_E_CRASHED || contended) return;
    size_t pl = strlen(OG_SIDECAR_PREFIX), n = strlen(key);
    char op[64];
    if (n > pl + 5 && !strncmp(key, OG_SIDECAR_PREFIX, pl) && !strcmp(key + n - 5, ".json"))
        snprintf(op, sizeof op, "%.*s", (int)(n - pl - 5), key + pl);
    else
        snprintf(op, sizeof op, "%s", key);
    og_detail_recovery_required(op);
}

static og_status process_key(og_store *root, const char *key, bool owner, og_recovery_stats *st)
{
    og_sidecar sc;
    og_status rc = og_sidecar_read(root, key, &sc);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); return OG_OK; } /* concurrent completion */
    if (rc) {
        required(key, rc);
        return og_error_context(rc, "recovery sweep (sidecar kept)");
    }
    if (!owner && inflight(sc.operation_id)) st->skipped_inflight++;
    else if (sc.kind == OG_WRITER_SCHEMA_APPLY) rc = og_schema_apply_recover(root, &sc, st);
    else rc = recover_one(root, &sc, owner, st);
    if (rc) required(key, rc);
    og_sidecar_free(&sc);
    return rc;
}

og_status og_recovery_sweep(og_store *root, og_recovery_stats *stats)
{
    og_status rc = OG_OK;
    og_recovery_stats local;
    og_list l;
    memset(&local, 0, sizeof local);
    memset(&l, 0, sizeof l);
    pthread_mutex_lock(&g_sweep_mu);
    if ((rc = og_sidecar_list(root, &l))) goto done;
    local.sidecars = (unsigned)l.len;
    for (size_t i = 0; i < l.len && !rc; i++) rc = process_key(root, l.items[i].key, false, &local);
done:
    pthread_mutex_unlock(&g_sweep_mu);
    og_list_free(&l);
    if (stats) *stats = local;
    return rc;
}

og_status og_recovery_resolve(og_store *root, const char *op, bool owner, og_recovery_stats *stats)
{
    og_recovery_stats local;
    og_buf key = OG_BUF_INIT;
    memset(&local, 0, sizeof local);
    og_status rc = og_sidecar_key(&key, op);
    pthread_mutex_lock(&g_sweep_mu);
    if (!rc) rc = process_key(root, og_buf_cstr(&key), owner, &local);
    pthread_mutex_unlock(&g_sweep_mu);
    og_buf_free(&key);
    if (stats) *stats = local;
    return rc;
}
