/* test_publisher.c — genesis, publishes, conflicts, contention, I/O cost. */
#include "testutil.h"
#include "graph_fixture.h"

#include <pthread.h>
#include <stdatomic.h>

#include "base/clock.h"
#include "base/failpoint.h"
#include "graph/internal.h"

/* ---- genesis and publish, on the mem and the fs store ---- */

static void genesis_publish_read(og_store *st)
{
    og_graph_snapshot g, s, v2;
    OG_CHECK(fx_genesis(st, 3, &g));
    assert_int_equal(g.version, 1);
    assert_string_equal(g.head.parent, "");
    assert_true(og_graph_snapshot_owns_head(&g));

    OG_CHECK(fx_publish(st, NULL, 0, 1, 2, "alice", NULL, &s));
    assert_int_equal(s.version, 2);
    assert_string_equal(s.head.parent, g.head.id);
    og_graph_snapshot_free(&s);
    OG_CHECK(fx_publish(st, "main", 1, 1, 5, "bob", NULL, &s));
    og_graph_snapshot_free(&s);

    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_int_equal(s.version, 3);
    assert_int_equal(s.npins, 3);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 2);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T1")->version, 5);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T1")->row_count, 50);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T2")->version, 1);
    assert_string_equal(s.head.actor, "bob");
    assert_null(s.head.branch); /* main */
    assert_string_equal(s.schema_ir_hash, "hash0");

    OG_CHECK(og_graph_open_version(st, NULL, 2, &v2));
    assert_int_equal(og_graph_snapshot_pin(&v2, "node:T0")->version, 2);
    assert_int_equal(og_graph_snapshot_pin(&v2, "node:T1")->version, 1);
    assert_string_equal(s.head.parent, v2.head.id);
    assert_string_equal(v2.head.actor, "alice");

    og_graph_snapshot sv;
    assert_int_equal(og_graph_open_version(st, NULL, 4, &sv), OG_E_NOTFOUND);
    og_graph_snapshot_free(&v2);
    og_graph_snapshot_free(&s);
    og_graph_snapshot_free(&g);
}

static void test_genesis_then_publishes_read_back_mem(void **state)
{
    og_store *st = fx_mem();
    genesis_publish_read(st);
    og_store_close(st);
}

static void test_genesis_then_publishes_read_back_fs(void **state)
{
    char *dir = og_test_tmpdir("graph_pub_fs");
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    genesis_publish_read(st);
    og_store_close(st);
    og_test_rmtree(dir);
    free(dir);
}

static void test_genesis_twice_is_exists(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g;
    OG_CHECK(fx_genesis(st, 1, &g));
    og_graph_snapshot_free(&g);
    assert_int_equal(fx_genesis(st, 1, NULL), OG_E_EXISTS);
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_int_equal(s.version, 1);
    og_graph_snapshot_free(&s);
    og_store_close(st);
}

static void test_expected_version_mismatch_reports_key_expected_actual(void **state)
{
    og_store *st = fx_mem();
    og_graph_conflict cf;
    og_graph_snapshot s;
    OG_CHECK(fx_genesis(st, 2, NULL));
    OG_CHECK(fx_publish(st, NULL, 0, 1, 7, NULL, NULL, NULL));
    OG_CHECK(fx_publish(st, NULL, 0, 7, 8, NULL, NULL, NULL));
    assert_int_equal(fx_publish(st, NULL, 0, 7, 9, NULL, &cf, NULL), OG_E_CONFLICT);
    assert_int_equal(cf.kind, OG_GRAPH_CONFLICT_TABLE_VERSION);
    assert_string_equal(cf.table_key, "node:T0");
    assert_int_equal(cf.expected, 7);
    assert_int_equal(cf.actual, 8);
    json_t *j = og_graph_conflict_to_json(&cf);
    json_t *want = json_pack("{s:s,s:i,s:i}", "table_key", "node:T0", "expected", 7, "actual", 8);
    assert_true(json_equal(j, want));
    json_decref(j);
    json_decref(want);
    og_graph_conflict_clear(&cf);
    /* A table that does not exist yet: actual 0. */
    assert_int_equal(fx_publish(st, NULL, 5, 3, 4, NULL, &cf, NULL), OG_E_CONFLICT);
    assert_int_equal(cf.actual, 0);
    assert_int_equal(cf.expected, 3);
    og_graph_conflict_clear(&cf);
    /* Nothing was published by the failures. */
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_int_equal(s.version, 3);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 8);
    og_graph_snapshot_free(&s);
    /* expected 0 adds a new table. */
    OG_CHECK(fx_publish(st, NULL, 5, 0, 1, NULL, NULL, &s));
    assert_int_equal(s.npins, 3);
    assert_non_null(og_graph_snapshot_pin(&s, "node:T5"));
    og_graph_snapshot_free(&s);
    og_store_close(st);
}

static void test_pin_without_expected_version_is_invalid(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 1, NULL));
    og_graph_pin p = fx_pin("node:T0", 1, 2, 0);
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    og_graph_publish_req req = {0};
    req.pins = &p;
    req.n_pins = 1;
    req.commit.id = id.s;
    assert_int_equal(og_graph_publish(st, &req, NULL, NULL), OG_E_INVALID);
    req.commit.id = "not-a-ulid";
    assert_int_equal(og_graph_publish(st, &req, NULL, NULL), OG_E_INVALID);
    og_graph_pin_clear(&p);
    og_store_close(st);
}

static void test_drop_removes_table_from_snapshot(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot s;
    OG_CHECK(fx_genesis(st, 2, NULL));
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    og_graph_expected e = {"node:T1", 1};
    const char *drops[] = {"node:T1"};
    og_graph_publish_req req = {0};
    req.expected = &e;
    req.n_expected = 1;
    req.drops = drops;
    req.n_drops = 1;
    req.schema_ir_hash = "hash1";
    req.commit.id = id.s;
    OG_CHECK(og_graph_publish(st, &req, NULL, &s));
    assert_int_equal(s.npins, 1);
    assert_null(og_graph_snapshot_pin(&s, "node:T1"));
    assert_string_equal(s.schema_ir_hash, "hash1");
    og_graph_snapshot_free(&s);
    og_store_close(st);
}

static void test_expected_head_moved_is_precondition(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g;
    og_graph_conflict cf;
    OG_CHECK(fx_genesis(st, 2, &g));
    OG_CHECK(fx_publish(st, NULL, 1, 1, 2, NULL, NULL, NULL));
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    og_graph_pin p = fx_pin("node:T0", 1, 2, 0);
    og_graph_expected e = {"node:T0", 1};
    og_graph_publish_req req = {0};
    req.expected = &e;
    req.n_expected = 1;
    req.pins = &p;
    req.n_pins = 1;
    req.expected_head = g.head.id;
    req.commit.id = id.s;
    assert_int_equal(og_graph_publish(st, &req, &cf, NULL), OG_E_PRECONDITION);
    assert_int_equal(cf.kind, OG_GRAPH_CONFLICT_HEAD_MOVED);
    assert_string_equal(cf.expected_head, g.head.id);
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_string_equal(cf.actual_head, s.head.id);
    req.expected_head = s.head.id;
    OG_CHECK(og_graph_publish(st, &req, &cf, NULL));
    og_graph_conflict_clear(&cf);
    og_graph_snapshot_free(&s);
    og_graph_pin_clear(&p);
    og_graph_snapshot_free(&g);
    og_store_close(st);
}

/* ---- concurrency ---- */

typedef struct thr_arg {
    og_store *st;
    size_t table;
    int rounds;
    int ok, conflicts, other;
    _Atomic int *winners; /* per expected version, same-table test */
} thr_arg;

/* One table per thread. An exhausted retry budget (only possible between
 * separate handles, i.e. "processes") is retried by the caller, as an upper
 * layer would; any other failure, above all a table-version conflict on a
 * table nobody else writes, is counted as wrong. */
static void *disjoint_thread(void *p)
{
    thr_arg *a = p;
    for (int r = 0; r < a->rounds; r++) {
        og_graph_conflict cf;
        og_status rc = fx_publish(a->st, NULL, a->table, (uint64_t)r + 1, (uint64_t)r + 2, NULL,
                                  &cf, NULL);
        if (rc == OG_OK) a->ok++;
        else if (rc == OG_E_CONFLICT && cf.kind == OG_GRAPH_CONFLICT_CONTENTION) {
            a->conflicts++;
            r--;
        } else {
            a->other++;
            char b[256];
            print_error("disjoint publish: %s\n", og_error_format(b, sizeof b));
        }
        og_graph_conflict_clear(&cf);
    }
    return NULL;
}

/* Checks versions 1..n form one linear chain: each head's parent is the
 * previous version's head, and every version owns its head. */
static void assert_linear_chain(og_store *st, uint64_t n)
{
    og_graph_snapshot prev, cur;
    OG_CHECK(og_graph_open_version(st, NULL, 1, &prev));
    for (uint64_t v = 2; v <= n; v++) {
        OG_CHECK(og_graph_open_version(st, NULL, v, &cur));
        assert_true(og_graph_snapshot_owns_head(&cur));
        assert_string_equal(cur.head.parent, prev.head.id);
        og_graph_snapshot_free(&prev);
        prev = cur;
    }
    og_graph_snapshot_free(&prev);
}

/* Returns how many publishes exhausted their retry budget. */
static int run_disjoint(og_store **handles, size_t nh, int nthreads, int rounds)
{
    pthread_t t[8];
    thr_arg a[8];
    for (int i = 0; i < nthreads; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].st = handles[(size_t)i % nh];
        a[i].table = (size_t)i;
        a[i].rounds = rounds;
        assert_int_equal(pthread_create(&t[i], NULL, disjoint_thread, &a[i]), 0);
    }
    for (int i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
    int exhausted = 0;
    for (int i = 0; i < nthreads; i++) {
        assert_int_equal(a[i].ok, rounds);
        assert_int_equal(a[i].other, 0);
        exhausted += a[i].conflicts;
    }
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(handles[0], NULL, &s));
    assert_int_equal(s.version, 1 + (uint64_t)nthreads * (uint64_t)rounds);
    for (int i = 0; i < nthreads; i++)
        assert_int_equal(s.pins[i].version, (uint64_t)rounds + 1);
    og_graph_snapshot_free(&s);
    assert_linear_chain(handles[0], 1 + (uint64_t)nthreads * (uint64_t)rounds);
    return exhausted;
}

static void test_disjoint_publishers_8_threads_all_succeed_linear_chain(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 8, NULL));
    /* One handle: in-process publishes are serialised, none exhausts. */
    assert_int_equal(run_disjoint(&st, 1, 8, 25), 0);
    og_store_close(st);
}

/* Separate fs handles: in-process serialisation does not apply, so the
 * put_if_absent CAS and the retry loop arbitrate. */
static void test_disjoint_publishers_separate_fs_handles_all_succeed(void **state)
{
    char *dir = og_test_tmpdir("graph_pub_handles");
    og_store *h[4];
    for (int i = 0; i < 4; i++) OG_CHECK(og_store_fs_open(dir, true, &h[i]));
    OG_CHECK(fx_genesis(h[0], 4, NULL));
    run_disjoint(h, 4, 4, 8);
    for (int i = 0; i < 4; i++) og_store_close(h[i]);
    og_test_rmtree(dir);
    free(dir);
}

static void *same_table_thread(void *p)
{
    thr_arg *a = p;
    for (int r = 0; r < a->rounds; r++) {
        og_graph_snapshot s;
        og_graph_conflict cf;
        if (og_graph_open_head(a->st, NULL, &s)) { a->other++; continue; }
        uint64_t v = og_graph_snapshot_pin(&s, "node:T0")->version;
        og_graph_snapshot_free(&s);
        og_status rc = fx_publish(a->st, NULL, 0, v, v + 1, NULL, &cf, NULL);
        if (rc == OG_OK) {
            a->ok++;
            atomic_fetch_add(&a->winners[v], 1);
        } else if (rc == OG_E_CONFLICT && cf.kind == OG_GRAPH_CONFLICT_TABLE_VERSION &&
                   cf.expected == v && cf.actual > v) {
            a->conflicts++;
        } else {
            a->other++;
        }
        og_graph_conflict_clear(&cf);
    }
    return NULL;
}

static void run_same_table(og_store **handles, size_t nh)
{
    enum { NT = 8, ROUNDS = 20 };
    static _Atomic int winners[NT * ROUNDS + 2];
    for (size_t i = 0; i < NT * ROUNDS + 2; i++) atomic_store(&winners[i], 0);
    pthread_t t[NT];
    thr_arg a[NT];
    for (int i = 0; i < NT; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].st = handles[(size_t)i % nh];
        a[i].rounds = ROUNDS;
        a[i].winners = winners;
        assert_int_equal(pthread_create(&t[i], NULL, same_table_thread, &a[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < NT; i++) {
        pthread_join(t[i], NULL);
        ok += a[i].ok;
        assert_int_equal(a[i].other, 0);
        assert_int_equal(a[i].ok + a[i].conflicts, ROUNDS);
    }
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(handles[0], NULL, &s));
    uint64_t final = og_graph_snapshot_pin(&s, "node:T0")->version;
    assert_int_equal(final, 1 + (uint64_t)ok);
    assert_int_equal(s.version, 1 + (uint64_t)ok);
    for (uint64_t v = 1; v < final; v++) assert_int_equal(atomic_load(&winners[v]), 1);
    og_graph_snapshot_free(&s);
}

static void test_same_table_publishers_one_winner_per_expected_version(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 1, NULL));
    run_same_table(&st, 1);
    og_store_close(st);
}

static void test_same_table_publishers_one_winner_separate_fs_handles(void **state)
{
    char *dir = og_test_tmpdir("graph_pub_same");
    og_store *h[4];
    for (int i = 0; i < 4; i++) OG_CHECK(og_store_fs_open(dir, true, &h[i]));
    OG_CHECK(fx_genesis(h[0], 1, NULL));
    run_same_table(h, 4);
    for (int i = 0; i < 4; i++) og_store_close(h[i]);
    og_test_rmtree(dir);
    free(dir);
}

/* ---- a rival writer injected at the version put ---- */

typedef struct rival_store {
    og_store base;
    og_store *inner;
    int rivals_left;  /* how many version puts a rival wins first */
    int version_puts; /* version puts seen */
} rival_store;

static og_status rv_get(og_store *s, const char *k, og_buf *o, og_obj_meta *m)
{ return og_store_get(((rival_store *)s)->inner, k, o, m); }
static og_status rv_get_range(og_store *s, const char *k, uint64_t off, uint64_t n, og_buf *o)
{ return og_store_get_range(((rival_store *)s)->inner, k, off, n, o); }
static og_status rv_head(og_store *s, const char *k, og_obj_meta *m)
{ return og_store_head(((rival_store *)s)->inner, k, m); }
static og_status rv_put(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m)
{ return og_store_put(((rival_store *)s)->inner, k, p, n, m); }
static og_status rv_put_if_match(og_store *s, const char *k, const char *e, const void *p, size_t n,
                                 og_obj_meta *m)
{ return og_store_put_if_match(((rival_store *)s)->inner, k, e, p, n, m); }
static og_status rv_list(og_store *s, const char *pf, const char *sa, size_t mx, og_list *o)
{ return og_store_list(((rival_store *)s)->inner, pf, sa, mx, o); }
static og_status rv_del(og_store *s, const char *k)
{ return og_store_delete(((rival_store *)s)->inner, k); }
static og_status rv_del_prefix(og_store *s, const char *pf)
{ return og_store_delete_prefix(((rival_store *)s)->inner, pf); }
static void rv_close(og_store *s) { og_store_close(((rival_store *)s)->inner); free(s); }

/* A rival publishes the same version number first, moving only node:T9. */
static og_status rv_put_if_absent(og_store *s, const char *k, const void *p, size_t n,
                                  og_obj_meta *m)
{
    rival_store *r = (rival_store *)s;
    if (strstr(k, "/v/")) {
        r->version_puts++;
        if (r->rivals_left > 0) {
            r->rivals_left--;
            og_graph_snapshot snap, prev;
            og_buf data = OG_BUF_INIT;
            og_ulid id;
            OG_CHECK(og_graph_manifest_decode(k, p, n, &snap));
            OG_CHECK(og_graph_chain_read(r->inner, snap.branch_uid, snap.version - 1, &prev));
            og_graph_commit_clear(&snap.head);
            OG_CHECK(og_graph_commit_copy(&snap.head, &prev.head));
            OG_CHECK(og_ulid_new(&id));
            memcpy(snap.head.parent, prev.head.id, sizeof snap.head.parent);
            memcpy(snap.head.id, id.s, sizeof snap.head.id);
            snap.head.manifest_version = snap.version;
            free(snap.head.actor);
            snap.head.actor = strdup("rival");
            for (size_t i = 0; i < snap.npins; i++) { /* keep everyone's pins but T9's */
                const og_graph_pin *old = og_graph_snapshot_pin(&prev, snap.pins[i].table_key);
                if (old) snap.pins[i].version = old->version;
                if (strcmp(snap.pins[i].table_key, "node:T9") == 0) snap.pins[i].version++;
            }
            OG_CHECK(og_graph_commit_put(r->inner, &snap.head));
            OG_CHECK(og_graph_manifest_encode(&snap, &data));
            OG_CHECK(og_store_put_if_absent(r->inner, k, data.data, data.len, NULL));
            og_buf_free(&data);
            og_graph_snapshot_free(&snap);
            og_graph_snapshot_free(&prev);
        }
    }
    return og_store_put_if_absent(r->inner, k, p, n, m);
}

static const og_store_ops RIVAL_OPS = {
    "rival", rv_get, rv_get_range, rv_head, rv_put, rv_put_if_absent, rv_put_if_match,
    rv_list, rv_del, rv_del_prefix, rv_close, NULL,
};

static rival_store *rival_open(void)
{
    rival_store *r = calloc(1, sizeof *r);
    r->base.ops = &RIVAL_OPS;
    r->base.impl = r;
    r->inner = fx_mem();
    return r;
}

static void test_lost_race_to_disjoint_writer_is_retried_and_reparented(void **state)
{
    rival_store *r = rival_open();
    og_store *st = &r->base;
    og_graph_snapshot s;
    og_graph_conflict cf;
    OG_CHECK(fx_genesis(st, 1, NULL));
    OG_CHECK(fx_publish(st, NULL, 9, 0, 1, NULL, NULL, NULL)); /* add node:T9 */
    r->rivals_left = 2;
    r->version_puts = 0;
    OG_CHECK(fx_publish(st, NULL, 0, 1, 2, "me", &cf, &s));
    assert_int_equal(cf.attempts, 3);
    assert_int_equal(r->version_puts, 3);
    assert_int_equal(s.version, 5);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 2);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T9")->version, 3);
    og_graph_snapshot v4;
    OG_CHECK(og_graph_open_version(st, NULL, 4, &v4));
    assert_string_equal(v4.head.actor, "rival");
    assert_string_equal(s.head.parent, v4.head.id); /* re-parented onto the rival */
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, s.head.id, &c)); /* commit object names version 5 */
    assert_int_equal(c.manifest_version, 5);
    og_graph_commit_clear(&c);
    og_graph_snapshot_free(&v4);
    og_graph_snapshot_free(&s);
    og_graph_conflict_clear(&cf);
    og_store_close(st);
}

static void test_retry_budget_exhausted_after_5_retries(void **state)
{
    rival_store *r = rival_open();
    og_store *st = &r->base;
    og_graph_conflict cf;
    OG_CHECK(fx_genesis(st, 1, NULL));
    OG_CHECK(fx_publish(st, NULL, 9, 0, 1, NULL, NULL, NULL));
    r->rivals_left = 100;
    r->version_puts = 0;
    assert_int_equal(fx_publish(st, NULL, 0, 1, 2, "me", &cf, NULL), OG_E_CONFLICT);
    assert_string_equal(og_error_last()->message,
                        "manifest publish exhausted 5 retries against concurrent writers");
    assert_int_equal(cf.kind, OG_GRAPH_CONFLICT_CONTENTION);
    assert_int_equal(r->version_puts, 1 + OG_GRAPH_PUBLISHER_RETRY_BUDGET);
    assert_null(og_graph_conflict_to_json(&cf));
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 1);
    assert_string_equal(s.head.actor, "rival");
    og_graph_snapshot_free(&s);
    og_graph_conflict_clear(&cf);
    og_store_close(st);
}

/* ---- failpoints ---- */

static void test_failpoint_before_version_put_publishes_nothing(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot s;
    OG_CHECK(fx_genesis(st, 1, NULL));
    const char *fps[] = {"graph.publish.before_read", "graph.publish.before_commit_object",
                         "graph.publish.before_version_put"};
    for (size_t i = 0; i < 3; i++) {
        OG_CHECK(og_failpoint_arm(fps[i], OG_FP_ERROR, 1, false));
        assert_int_equal(fx_publish(st, NULL, 0, 1, 2, NULL, NULL, NULL), OG_E_INJECTED);
        OG_CHECK(og_graph_open_head(st, NULL, &s));
        assert_int_equal(s.version, 1);
        og_graph_snapshot_free(&s);
    }
    og_failpoint_disarm_all();
    OG_CHECK(fx_publish(st, NULL, 0, 1, 2, NULL, NULL, &s));
    assert_int_equal(s.version, 2);
    og_graph_snapshot_free(&s);
    og_store_close(st);
}

static void test_failpoint_after_version_put_is_visible(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot s;
    OG_CHECK(fx_genesis(st, 1, NULL));
    OG_CHECK(og_failpoint_arm("graph.publish.after_version_put", OG_FP_CRASH, 1, false));
    assert_int_equal(fx_publish(st, NULL, 0, 1, 2, NULL, NULL, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_int_equal(s.version, 2);
    og_graph_snapshot_free(&s);
    og_store_close(st);
}

static void test_genesis_failpoint_before_ref_leaves_no_graph(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot s;
    OG_CHECK(og_failpoint_arm("graph.genesis.before_ref_put", OG_FP_ERROR, 1, false));
    assert_int_equal(fx_genesis(st, 1, NULL), OG_E_INJECTED);
    og_failpoint_disarm_all();
    assert_int_equal(og_graph_open_head(st, NULL, &s), OG_E_NOTFOUND);
    OG_CHECK(fx_genesis(st, 1, NULL));
    og_store_close(st);
}

/* A simulated crash at each store operation of a publish: afterwards the
 * graph holds the old head (the put of N+1 is the last operation), the new
 * commit does not resolve, and the next publish of the same change works. */
static void test_crash_at_every_publish_step_leaves_old_head(void **state)
{
    for (unsigned n = 1; n <= 6; n++) {
        og_store *f = NULL;
        OG_CHECK(og_store_fault_open(fx_mem(), &f));
        OG_CHECK(fx_genesis(f, 1, NULL));
        og_graph_pin p = fx_pin("node:T0", 1, 2, 0);
        og_graph_expected e = {"node:T0", 1};
        og_ulid id;
        OG_CHECK(og_ulid_new(&id));
        og_graph_publish_req req = {0};
        req.expected = &e;
        req.n_expected = 1;
        req.pins = &p;
        req.n_pins = 1;
        req.commit.id = id.s;
        og_store_fault_crash_at(f, n);
        og_status rc = og_graph_publish(f, &req, NULL, NULL);
        og_store_fault_reopen(f);
        og_graph_snapshot s;
        og_graph_commit c;
        OG_CHECK(og_graph_open_head(f, NULL, &s));
        if (n <= 5) { /* GET ref, LIST, GET version, PUT commit, PUT_IF_ABSENT version */
            assert_int_equal(rc, OG_E_CRASHED);
            assert_int_equal(s.version, 1);
            assert_int_equal(og_graph_commit_get(f, id.s, &c), OG_E_NOTFOUND);
            og_graph_snapshot_free(&s);
            OG_CHECK(og_graph_publish(f, &req, NULL, &s));
        } else {
            OG_CHECK(rc);
        }
        assert_int_equal(s.version, 2);
        OG_CHECK(og_graph_commit_get(f, id.s, &c));
        og_graph_commit_clear(&c);
        og_graph_snapshot_free(&s);
        og_graph_pin_clear(&p);
        og_store_close(f);
    }
}

/* A transient store error at each operation surfaces as that error and
 * publishes nothing. */
static void test_store_error_at_every_publish_step_publishes_nothing(void **state)
{
    for (unsigned n = 1; n <= 5; n++) {
        og_store *f = NULL;
        og_graph_snapshot s;
        OG_CHECK(og_store_fault_open(fx_mem(), &f));
        OG_CHECK(fx_genesis(f, 1, NULL));
        og_store_fault_fail_at(f, n, OG_E_TRANSIENT);
        assert_int_equal(fx_publish(f, NULL, 0, 1, 2, NULL, NULL, NULL), OG_E_TRANSIENT);
        OG_CHECK(og_graph_open_head(f, NULL, &s));
        assert_int_equal(s.version, 1);
        og_graph_snapshot_free(&s);
        og_store_close(f);
    }
}

/* ---- I/O cost of opening a head ---- */

static void open_head_counts(og_store *f, uint64_t *get, uint64_t *list, uint64_t *total)
{
    og_graph_snapshot s;
    og_store_fault_reset_counts(f);
    OG_CHECK(og_graph_open_head(f, NULL, &s));
    *get = og_store_fault_count(f, OG_OP_GET);
    *list = og_store_fault_count(f, OG_OP_LIST);
    *total = og_store_fault_total(f);
    og_graph_snapshot_free(&s);
}

/* Publishes the next version of table v % 4 (versions tracked in cur[]). */
static void bump(og_store *f, uint64_t v, uint64_t *cur)
{
    size_t t = (size_t)(v % 4);
    OG_CHECK(fx_publish(f, NULL, t, cur[t], cur[t] + 1, NULL, NULL, NULL));
    cur[t]++;
}

static void test_open_head_costs_3_reads_at_10_and_10000_commits(void **state)
{
    og_store *f = NULL;
    OG_CHECK(og_store_fault_open(fx_mem(), &f));
    OG_CHECK(fx_genesis(f, 4, NULL));
    int64_t t0 = og_clock_mono_us();
    uint64_t v = 1, cur[4] = {1, 1, 1, 1};
    for (; v < 10; v++) bump(f, v, cur);
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(f, NULL, &s));
    assert_int_equal(s.version, 10);
    og_graph_snapshot_free(&s);
    uint64_t g10, l10, t10;
    open_head_counts(f, &g10, &l10, &t10);
    assert_int_equal(g10, 2);
    assert_int_equal(l10, 1);
    assert_int_equal(t10, 3);
    for (; v < 10000; v++) bump(f, v, cur);
    OG_CHECK(og_graph_open_head(f, NULL, &s));
    assert_int_equal(s.version, 10000);
    og_graph_snapshot_free(&s);
    uint64_t g, l, t;
    open_head_counts(f, &g, &l, &t);
    assert_int_equal(g, g10);
    assert_int_equal(l, l10);
    assert_int_equal(t, t10);
    /* Open at a version never lists: ref + version. */
    og_store_fault_reset_counts(f);
    OG_CHECK(og_graph_open_version(f, NULL, 5000, &s));
    assert_int_equal(og_store_fault_count(f, OG_OP_LIST), 0);
    assert_int_equal(og_store_fault_total(f), 2);
    og_graph_snapshot_free(&s);
    assert_true(og_clock_mono_us() - t0 < 60 * 1000000); /* ~3 s normal, ~10 s ASan */
    og_store_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_then_publishes_read_back_mem),
        cmocka_unit_test(test_genesis_then_publishes_read_back_fs),
        cmocka_unit_test(test_genesis_twice_is_exists),
        cmocka_unit_test(test_expected_version_mismatch_reports_key_expected_actual),
        cmocka_unit_test(test_pin_without_expected_version_is_invalid),
        cmocka_unit_test(test_drop_removes_table_from_snapshot),
        cmocka_unit_test(test_expected_head_moved_is_precondition),
        cmocka_unit_test(test_disjoint_publishers_8_threads_all_succeed_linear_chain),
        cmocka_unit_test(test_disjoint_publishers_separate_fs_handles_all_succeed),
        cmocka_unit_test(test_same_table_publishers_one_winner_per_expected_version),
        cmocka_unit_test(test_same_table_publishers_one_winner_separate_fs_handles),
        cmocka_unit_test(test_lost_race_to_disjoint_writer_is_retried_and_reparented),
        cmocka_unit_test(test_retry_budget_exhausted_after_5_retries),
        cmocka_unit_test(test_failpoint_before_version_put_publishes_nothing),
        cmocka_unit_test(test_failpoint_after_version_put_is_visible),
        cmocka_unit_test(test_genesis_failpoint_before_ref_leaves_no_graph),
        cmocka_unit_test(test_crash_at_every_publish_step_leaves_old_head),
        cmocka_unit_test(test_store_error_at_every_publish_step_publishes_nothing),
        cmocka_unit_test(test_open_head_costs_3_reads_at_10_and_10000_commits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
