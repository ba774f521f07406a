/* publisher.c — the only code that commits to __manifest (publisher.h).
 * (1) One publish per graph write; the put_if_absent of version N+1 is the
 *     write's visibility point. Nothing before it is visible; nothing after
 *     it can fail the publish (the after_version_put failpoint simulates a
 *     crash after visibility).
 * (2) A publish commits iff every expected table version still holds in the
 *     head N it extends: the check and the build read the same head, and the
 *     CAS on N+1 guarantees nobody published in between.
 * (3) Every table the publish pins or drops must be named in `expected`, so
 *     a write can never silently overwrite another writer's pin.
 * (4) Head contention that does not touch the caller's tables is retried at
 *     most OG_GRAPH_PUBLISHER_RETRY_BUDGET times; the retry re-checks the
 *     expectations against the new head, so a moved table is a conflict. */
#include "publisher.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/failpoint.h"
#include "base/map.h"
#include "branch.h"
#include "internal.h"

#define STRIPES 64

static pthread_mutex_t g_stripes[STRIPES];
static pthread_once_t g_stripes_once = PTHREAD_ONCE_INIT;

static void stripes_init(void)
{
    for (int i = 0; i < STRIPES; i++) pthread_mutex_init(&g_stripes[i], NULL);
}

/* (4) of publisher.h: one lock per (store handle, branch) stripe. */
static pthread_mutex_t *stripe_for(og_store *st, const char *branch)
{
    pthread_once(&g_stripes_once, stripes_init);
    uint64_t h = og_hash_bytes(branch, strlen(branch)) ^ (uint64_t)(uintptr_t)st * 0x9E3779B97F4A7C15ull;
    return &g_stripes[(h >> 7) % STRIPES];
}

/* Sleeps a random time in [0, base << attempt), where base is the length
 * of the attempt just lost (at least 200 µs): contenders spread out over a
 * window that scales with the store's latency. */
static void backoff(unsigned attempt, int64_t lost_us)
{
    static _Thread_local uint64_t seed;
    if (!seed) seed = (uint64_t)og_clock_mono_us() ^ (uint64_t)(uintptr_t)&seed;
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    uint64_t base = lost_us > 200 ? (uint64_t)lost_us : 200;
    uint64_t cap_us = base << (attempt < 6 ? attempt : 6);
    uint64_t us = seed % cap_us;
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

void og_graph_conflict_clear(og_graph_conflict *c)
{
    if (!c) return;
    free(c->table_key);
    memset(c, 0, sizeof *c);
}

json_t *og_graph_conflict_to_json(const og_graph_conflict *c)
{
    if (!c || c->kind != OG_GRAPH_CONFLICT_TABLE_VERSION || !c->table_key) return NULL;
    return json_pack("{s:s, s:I, s:I}", "table_key", c->table_key, "expected",
                     (json_int_t)c->expected, "actual", (json_int_t)c->actual);
}

static int pin_cmp(const void *a, const void *b)
{
    return strcmp(((const og_graph_pin *)a)->table_key, ((const og_graph_pin *)b)->table_key);
}

/* Sorts pins and refuses a repeated table key or identity. */
static og_status pins_finish(og_graph_pin *p, size_t n)
{
    if (n > 1) qsort(p, n, sizeof *p, pin_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(p[i - 1].table_key, p[i].table_key) == 0)
            return og_error_set(OG_E_INVALID, "table `%s` is pinned twice", p[i].table_key);
        for (size_t k = 0; k < i; k++)
            if (p[k].stable_table_id == p[i].stable_table_id &&
                p[k].table_incarnation_id == p[i].table_incarnation_id)
                return og_error_set(OG_E_INVALID, "tables `%s` and `%s` share one identity",
                                    p[k].table_key, p[i].table_key);
    }
    return OG_OK;
}

static bool expected_has(const og_graph_publish_req *r, const char *key)
{
    for (size_t i = 0; i < r->n_expected; i++)
        if (strcmp(r->expected[i].table_key, key) == 0) return true;
    return false;
}

static og_status validate_req(const og_graph_publish_req *r)
{
    if (!r->commit.id || !og_ulid_valid(r->commit.id))
        return og_error_set(OG_E_INVALID, "publish needs a pre-minted commit id (a ULID)");
    if (r->commit.merged_parent && !og_ulid_valid(r->commit.merged_parent))
        return og_error_set(OG_E_INVALID, "merged parent `%s` is not a commit id",
                            r->commit.merged_parent);
    if (r->expected_head && !og_ulid_valid(r->expected_head))
        return og_error_set(OG_E_INVALID, "expected head `%s` is not a commit id", r->expected_head);
    for (size_t i = 0; i < r->n_expected; i++)
        if (!r->expected[i].table_key)
            return og_error_set(OG_E_INVALID, "expected version %zu has no table key", i);
    for (size_t i = 0; i < r->n_pins; i++) {
        og_status rc = og_graph_pin_validate(&r->pins[i]);
        if (rc) return rc;
        if (!expected_has(r, r->pins[i].table_key))
            return og_error_set(OG_E_INVALID, "publish pins table `%s` without an expected version",
                                r->pins[i].table_key);
    }
    for (size_t i = 0; i < r->n_drops; i++)
        if (!r->drops[i] || !expected_has(r, r->drops[i]))
            return og_error_set(OG_E_INVALID, "publish drops table `%s` without an expected version",
                                r->drops[i] ? r->drops[i] : "(null)");
    return OG_OK;
}

/* Builds version N+1 from head N. */
static og_status build_next(const og_graph_snapshot *head, const og_graph_publish_req *r,
                            const char *branch, int64_t created_at, og_graph_snapshot *next)
{
    og_status rc = OG_OK;
    og_graph_snapshot t;
    memset(&t, 0, sizeof t);
    memset(next, 0, sizeof *next);
    size_t cap = head->npins + r->n_pins;
    if (cap) {
        t.pins = calloc(cap, sizeof *t.pins);
        if (!t.pins) { rc = og_error_set(OG_E_NOMEM, "out of memory building a manifest"); goto done; }
    }
    for (size_t i = 0; i < head->npins; i++) {
        const char *k = head->pins[i].table_key;
        bool replaced = false;
        for (size_t j = 0; j < r->n_pins && !replaced; j++)
            replaced = strcmp(r->pins[j].table_key, k) == 0;
        for (size_t j = 0; j < r->n_drops && !replaced; j++)
            replaced = strcmp(r->drops[j], k) == 0;
        if (replaced) continue;
        if ((rc = og_graph_pin_copy(&t.pins[t.npins], &head->pins[i]))) goto done;
        t.npins++;
    }
    for (size_t j = 0; j < r->n_pins; j++) {
        bool dropped = false;
        for (size_t d = 0; d < r->n_drops && !dropped; d++)
            dropped = strcmp(r->drops[d], r->pins[j].table_key) == 0;
        if (dropped) {
            rc = og_error_set(OG_E_INVALID, "publish both pins and drops table `%s`",
                              r->pins[j].table_key);
            goto done;
        }
        if ((rc = og_graph_pin_copy(&t.pins[t.npins], &r->pins[j]))) goto done;
        t.npins++;
    }
    if ((rc = pins_finish(t.pins, t.npins))) goto done;
    if ((rc = og_gstrdup(branch, &t.branch))) goto done;
    memcpy(t.branch_uid, head->branch_uid, sizeof t.branch_uid);
    t.version = head->version + 1;
    if ((rc = og_gstrdup(r->schema_ir_hash ? r->schema_ir_hash : head->schema_ir_hash,
                         &t.schema_ir_hash)))
        goto done;
    og_graph_commit *c = &t.head;
    memcpy(c->id, r->commit.id, sizeof c->id);
    memcpy(c->parent, head->head.id, sizeof c->parent);
    if (r->commit.merged_parent) memcpy(c->merged_parent, r->commit.merged_parent, sizeof c->merged_parent);
    if ((rc = og_gstrdup(r->commit.actor, &c->actor))) goto done;
    if (strcmp(branch, OG_GRAPH_MAIN) != 0 && (rc = og_gstrdup(branch, &c->branch))) goto done;
    memcpy(c->branch_uid, head->branch_uid, sizeof c->branch_uid);
    c->manifest_version = t.version;
    c->created_at_us = created_at;
done:
    if (rc) og_graph_snapshot_free(&t);
    else *next = t;
    return rc;
}

static og_status put_version(og_store *st, const og_graph_snapshot *s)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    if ((rc = og_graph_manifest_encode(s, &data))) goto done;
    if ((rc = og_graph_key_version(&key, s->branch_uid, s->version))) goto done;
    rc = og_store_put_if_absent(st, key.data, data.data, data.len, NULL);
done:
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

/* Returns OG_OK when the head satisfies the request, else fills cf. */
static og_status check_head(const og_graph_snapshot *head, const og_graph_publish_req *r,
                            const char *branch, og_graph_conflict *cf)
{
    if (r->expected_head && strcmp(head->head.id, r->expected_head) != 0) {
        cf->kind = OG_GRAPH_CONFLICT_HEAD_MOVED;
        memcpy(cf->expected_head, r->expected_head, sizeof cf->expected_head);
        memcpy(cf->actual_head, head->head.id, sizeof cf->actual_head);
        return og_error_set(OG_E_PRECONDITION, "branch `%s` moved: its head is commit %s, not the "
                            "expected %s", branch, head->head.id, r->expected_head);
    }
    for (size_t i = 0; i < r->n_expected; i++) {
        const og_graph_expected *e = &r->expected[i];
        const og_graph_pin *p = og_graph_snapshot_pin(head, e->table_key);
        uint64_t actual = p ? p->version : 0;
        if (actual == e->version) continue;
        cf->kind = OG_GRAPH_CONFLICT_TABLE_VERSION;
        cf->expected = e->version;
        cf->actual = actual;
        if (og_gstrdup(e->table_key, &cf->table_key))
            return og_error_set(OG_E_NOMEM, "out of memory reporting a conflict");
        return og_error_set(OG_E_CONFLICT, "manifest conflict on branch `%s`: table `%s` is at "
                            "version %" PRIu64 ", expected %" PRIu64, branch, e->table_key, actual,
                            e->version);
    }
    return OG_OK;
}

og_status og_graph_publish(og_store *root, const og_graph_publish_req *req,
                           og_graph_conflict *conflict, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    char *branch = NULL;
    og_graph_ref ref;
    og_graph_snapshot head, next;
    og_graph_conflict cf;
    pthread_mutex_t *mu = NULL;
    memset(&ref, 0, sizeof ref);
    memset(&head, 0, sizeof head);
    memset(&next, 0, sizeof next);
    memset(&cf, 0, sizeof cf);
    if (out) memset(out, 0, sizeof *out);
    if (conflict) memset(conflict, 0, sizeof *conflict);
    if ((rc = validate_req(req))) goto done;
    if ((rc = og_graph_branch_name_check(req->branch ? req->branch : OG_GRAPH_MAIN, &branch)))
        goto done;
    int64_t created_at = req->commit.created_at_us ? req->commit.created_at_us : og_clock_now_us();
    mu = stripe_for(root, branch);
    pthread_mutex_lock(mu);
    if ((rc = OG_FAILPOINT("graph.publish.before_read"))) goto done;
    if (req->hint && req->hint_uid_is_live && !strcmp(req->hint->branch, branch)) {
        memcpy(ref.uid, req->hint->branch_uid, sizeof ref.uid);
    } else if ((rc = og_graph_ref_read(root, branch, &ref))) {
        goto done;
    }
    int64_t t_attempt = 0;
    for (unsigned attempt = 0;; attempt++) {
        og_graph_snapshot_free(&head);
        og_graph_snapshot_free(&next);
        cf.attempts = attempt + 1;
        if (attempt > OG_GRAPH_PUBLISHER_RETRY_BUDGET) {
            cf.kind = OG_GRAPH_CONFLICT_CONTENTION;
            cf.attempts = attempt;
            rc = og_error_set(OG_E_CONFLICT, "manifest publish exhausted %d retries against "
                              "concurrent writers", OG_GRAPH_PUBLISHER_RETRY_BUDGET);
            goto done;
        }
        if (attempt) backoff(attempt, og_clock_mono_us() - t_attempt);
        t_attempt = og_clock_mono_us();
        /* the hint stands for the head only within its lease (manifest.h) */
        if (attempt == 0 && req->hint && !strcmp(req->hint->branch_uid, ref.uid) && req->hint->head_checked_us &&
            og_clock_mono_us() - req->hint->head_checked_us < OG_GRAPH_HEAD_LEASE_US) {
            if ((rc = og_graph_snapshot_copy(&head, req->hint))) goto done;
        } else if ((rc = og_graph_chain_head(root, ref.uid, &head))) {
            goto done;
        }
        if ((rc = check_head(&head, req, branch, &cf))) goto done;
        if ((rc = build_next(&head, req, branch, created_at, &next))) goto done;
        if ((rc = OG_FAILPOINT("graph.publish.before_commit_object"))) goto done;
        if ((rc = og_graph_commit_put(root, &next.head))) goto done;
        if ((rc = OG_FAILPOINT("graph.publish.before_version_put"))) goto done;
        next.head_checked_us = og_clock_mono_us();   /* nobody extends N+1 before it exists */
        rc = put_version(root, &next);
        if (rc == OG_E_PRECONDITION) { rc = OG_OK; continue; } /* lost N+1: (4) */
        if (rc) goto done;
        break;
    }
    if ((rc = OG_FAILPOINT("graph.publish.after_version_put"))) goto done;
    if (out) { *out = next; memset(&next, 0, sizeof next); }
done:
    if (mu) pthread_mutex_unlock(mu);
    if (conflict) *conflict = cf;
    else og_graph_conflict_clear(&cf);
    free(branch);
    og_graph_ref_clear(&ref);
    og_graph_snapshot_free(&head);
    og_graph_snapshot_free(&next);
    return rc;
}

og_status og_graph_genesis(og_store *root, const og_graph_pin *pins, size_t n_pins,
                           const char *schema_ir_hash, const og_graph_commit_info *commit,
                           og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_graph_snapshot s;
    og_graph_ref r;
    og_ulid uid = {{0}};
    bool chain_written = false;
    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    if (out) memset(out, 0, sizeof *out);
    if (!commit || !commit->id || !og_ulid_valid(commit->id)) {
        rc = og_error_set(OG_E_INVALID, "genesis needs a pre-minted commit id (a ULID)");
        goto done;
    }
    if (commit->merged_parent) {
        rc = og_error_set(OG_E_INVALID, "the genesis commit has no parents");
        goto done;
    }
    if (n_pins) {
        s.pins = calloc(n_pins, sizeof *s.pins);
        if (!s.pins) { rc = og_error_set(OG_E_NOMEM, "out of memory building genesis"); goto done; }
    }
    for (; s.npins < n_pins; s.npins++) {
        if ((rc = og_graph_pin_validate(&pins[s.npins]))) goto done;
        if ((rc = og_graph_pin_copy(&s.pins[s.npins], &pins[s.npins]))) goto done;
    }
    if ((rc = pins_finish(s.pins, s.npins))) goto done;
    if ((rc = og_ulid_new(&uid))) goto done;
    if ((rc = og_gstrdup(OG_GRAPH_MAIN, &s.branch))) goto done;
    memcpy(s.branch_uid, uid.s, sizeof s.branch_uid);
    s.version = 1;
    if ((rc = og_gstrdup(schema_ir_hash, &s.schema_ir_hash))) goto done;
    memcpy(s.head.id, commit->id, sizeof s.head.id);
    if ((rc = og_gstrdup(commit->actor, &s.head.actor))) goto done;
    memcpy(s.head.branch_uid, uid.s, sizeof s.head.branch_uid);
    s.head.manifest_version = 1;
    s.head.created_at_us = commit->created_at_us ? commit->created_at_us : og_clock_now_us();
    if ((rc = og_graph_commit_put(root, &s.head))) goto done;
    if ((rc = OG_FAILPOINT("graph.genesis.before_version_put"))) goto done;
    if ((rc = put_version(root, &s))) goto done;
    chain_written = true;
    if ((rc = OG_FAILPOINT("graph.genesis.before_ref_put"))) goto done;
    if ((rc = og_gstrdup(OG_GRAPH_MAIN, &r.name))) goto done;
    memcpy(r.uid, uid.s, sizeof r.uid);
    r.created_at_us = s.head.created_at_us;
    if ((rc = og_graph_ref_create(root, &r))) goto done;
    if (out) { *out = s; memset(&s, 0, sizeof s); }
done:
    if (rc && rc != OG_E_CRASHED && chain_written) {
        og_buf prefix = OG_BUF_INIT;
        if (og_buf_printf(&prefix, OG_GRAPH_CHAINS_PREFIX "%s/", uid.s) == OG_OK)
            (void)og_store_delete_prefix(root, prefix.data);
        og_buf_free(&prefix);
    }
    og_graph_snapshot_free(&s);
    og_graph_ref_clear(&r);
    return rc;
}
