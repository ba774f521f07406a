/* test_recovery.c — sidecars, classification, decisions and the recovery
 * sweep of interrupted graph writes (write-path.md §6). */
#include "testutil.h"

#include "base/log.h"
#include "crash/crash_fixture.h"
#include "graph/commit.h"
#include "graph/error_detail.h"
#include "graph/publisher.h"

/* ---- pure classification and decision ---- */

static void test_classify_each_class(void **state)
{
    (void)state;
    assert_int_equal(og_recovery_classify(5, 5, 5, 6, false), OG_RECOVERY_NO_MOVEMENT);
    assert_int_equal(og_recovery_classify(5, 5, 6, 6, true), OG_RECOVERY_ROLLED_PAST_EXPECTED);
    assert_int_equal(og_recovery_classify(5, 5, 6, 6, false), OG_RECOVERY_UNEXPECTED_AT_P1);
    /* pin moved since the write began: the +1 is not this write's */
    assert_int_equal(og_recovery_classify(6, 5, 7, 6, true), OG_RECOVERY_UNEXPECTED_AT_P1);
    assert_int_equal(og_recovery_classify(5, 5, 7, 6, true), OG_RECOVERY_UNEXPECTED_MULTISTEP);
    assert_int_equal(og_recovery_classify(5, 5, 4, 6, false), OG_RECOVERY_INVARIANT_VIOLATION);
    assert_string_equal(og_recovery_class_name(OG_RECOVERY_UNEXPECTED_MULTISTEP), "UnexpectedMultistep");
}

static void test_decide_all_or_nothing(void **state)
{
    (void)state;
    og_recovery_class all[] = {OG_RECOVERY_ROLLED_PAST_EXPECTED, OG_RECOVERY_ROLLED_PAST_EXPECTED};
    og_recovery_class mixed[] = {OG_RECOVERY_ROLLED_PAST_EXPECTED, OG_RECOVERY_NO_MOVEMENT};
    og_recovery_class p1[] = {OG_RECOVERY_UNEXPECTED_AT_P1};
    og_recovery_class ms[] = {OG_RECOVERY_ROLLED_PAST_EXPECTED, OG_RECOVERY_UNEXPECTED_MULTISTEP};
    og_recovery_class iv[] = {OG_RECOVERY_NO_MOVEMENT, OG_RECOVERY_INVARIANT_VIOLATION,
                              OG_RECOVERY_ROLLED_PAST_EXPECTED};
    assert_int_equal(og_recovery_decide(all, 2), OG_RECOVERY_ROLL_FORWARD);
    assert_int_equal(og_recovery_decide(NULL, 0), OG_RECOVERY_ROLL_FORWARD);
    assert_int_equal(og_recovery_decide(mixed, 2), OG_RECOVERY_ROLL_BACK);
    assert_int_equal(og_recovery_decide(p1, 1), OG_RECOVERY_ROLL_BACK);
    assert_int_equal(og_recovery_decide(ms, 2), OG_RECOVERY_ROLL_BACK);
    assert_int_equal(og_recovery_decide(iv, 3), OG_RECOVERY_ABORT);
}

/* ---- sidecar codec ---- */

static void fill_sidecar(og_sidecar *s)
{
    og_ulid a, b, c;
    OG_CHECK(og_ulid_new(&a));
    OG_CHECK(og_ulid_new(&b));
    OG_CHECK(og_ulid_new(&c));
    memset(s, 0, sizeof *s);
    s->schema_version = OG_SIDECAR_SCHEMA_VERSION;
    memcpy(s->operation_id, a.s, sizeof a.s);
    memcpy(s->commit_id, b.s, sizeof b.s);
    memcpy(s->rollback_commit_id, c.s, sizeof c.s);
    s->started_at_us = 1234;
    s->kind = OG_WRITER_LOAD;
    s->actor = strdup("alice");
    s->tables = calloc(1, sizeof *s->tables);
    s->ntables = 1;
    s->tables[0].table_key = strdup("node:Person");
    s->tables[0].path = strdup("nodes/0000000000000001-0000000000000001");
    s->tables[0].table_branch = strdup("feature");
    s->tables[0].expected_version = 3;
    s->tables[0].post_version = 4;
    strcpy(s->tables[0].txn_uuid, "6f1c1e8e-0000-4000-8000-000000000001");
}

static void test_sidecar_roundtrip(void **state)
{
    (void)state;
    og_sidecar s, d;
    og_buf b = OG_BUF_INIT;
    fill_sidecar(&s);
    OG_CHECK(og_sidecar_encode(&s, &b));
    OG_CHECK(og_sidecar_decode("x", b.data, b.len, &d));
    assert_string_equal(d.operation_id, s.operation_id);
    assert_string_equal(d.commit_id, s.commit_id);
    assert_int_equal(d.kind, OG_WRITER_LOAD);
    assert_string_equal(d.actor, "alice");
    assert_null(d.branch);
    assert_int_equal(d.ntables, 1);
    assert_string_equal(d.tables[0].table_branch, "feature");
    assert_int_equal(d.tables[0].post_version, 4);
    assert_string_equal(d.tables[0].txn_uuid, s.tables[0].txn_uuid);
    og_sidecar_free(&d);
    og_sidecar_free(&s);
    og_buf_free(&b);
}

static void test_sidecar_newer_schema_version_refused_naming_both(void **state)
{
    (void)state;
    og_sidecar s, d;
    og_buf b = OG_BUF_INIT;
    fill_sidecar(&s);
    s.schema_version = OG_SIDECAR_SCHEMA_VERSION + 1;
    OG_CHECK(og_sidecar_encode(&s, &b));
    assert_int_equal(og_sidecar_decode("side.json", b.data, b.len, &d), OG_E_UNSUPPORTED);
    assert_non_null(strstr(og_error_last()->message, "schema_version 2"));
    assert_non_null(strstr(og_error_last()->message, "up to 1"));
    og_sidecar_free(&s);
    og_buf_free(&b);
}

static void test_sidecar_strict_decode(void **state)
{
    (void)state;
    og_sidecar d;
    const char *bad[] = {
        "not json",
        "{\"schema_version\":1}",
        "{\"schema_version\":0}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(og_sidecar_decode("x", bad[i], strlen(bad[i]), &d), OG_E_CORRUPT);
    og_sidecar s;
    og_buf b = OG_BUF_INIT;
    fill_sidecar(&s);
    s.tables[0].post_version = 9; /* not one exact commit */
    OG_CHECK(og_sidecar_encode(&s, &b));
    assert_int_equal(og_sidecar_decode("x", b.data, b.len, &d), OG_E_CORRUPT);
    og_buf_clear(&b);
    s.tables[0].post_version = 4;
    OG_CHECK(og_sidecar_encode(&s, &b));
    /* an unknown field */
    char *txt = strndup(b.data, b.len);
    char *p = strstr(txt, "\"writer_kind\"");
    og_buf m = OG_BUF_INIT;
    OG_CHECK(og_buf_append(&m, txt, (size_t)(p - txt)));
    OG_CHECK(og_buf_append_str(&m, "\"zzz\":1,"));
    OG_CHECK(og_buf_append_str(&m, p));
    assert_int_equal(og_sidecar_decode("x", m.data, m.len, &d), OG_E_CORRUPT);
    free(txt);
    og_buf_free(&m);
    og_buf_free(&b);
    og_sidecar_free(&s);
}

/* ---- the writer's phases and the sweep ---- */

static void seed(og_graph *g)
{
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
}

/* Crashes a write of (Cid, Dan) at failpoint `fp`; returns the store. */
static og_store *crashed_at(const char *fp, char **before)
{
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    seed(g);
    *before = cf_content(g, NULL);
    OG_CHECK(og_failpoint_arm(fp, OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_close(g);
    return st;
}

static void test_crash_post_phase_a_rolls_back_nothing_moved(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_a", &before);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    assert_int_equal(sc.kind, OG_WRITER_MUTATION);
    assert_string_equal(sc.actor, "tester");
    assert_int_equal(sc.ntables, 2);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    char *after = cf_content(g, NULL);
    assert_string_equal(after, before);
    assert_int_equal(cf_drift(st, NULL), 0);
    assert_false(cf_commit_exists(st, sc.commit_id));
    assert_false(cf_commit_exists(st, sc.rollback_commit_id)); /* nothing to publish */
    char kind[32];
    OG_CHECK(og_recovery_audit_kind(st, sc.operation_id, kind));
    assert_string_equal(kind, "RolledBack");
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 41, NULL));
    free(after);
    free(before);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

static void test_crash_post_phase_b_rolls_forward_with_sidecar_commit_id(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_b_pre_manifest_commit", &before);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    assert_int_equal(cf_drift(st, NULL), 2);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *after = cf_content(g, NULL);
    assert_non_null(strstr(after, "Cid"));
    assert_non_null(strstr(after, "Cid-Dan"));
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, sc.commit_id, &c));
    assert_string_equal(c.actor, OG_RECOVERY_ACTOR);
    og_graph_commit_clear(&c);
    assert_true(cf_commit_exists(st, sc.commit_id));
    char kind[32];
    OG_CHECK(og_recovery_audit_kind(st, sc.operation_id, kind));
    assert_string_equal(kind, "RolledForward");
    OG_CHECK(cf_write_pair(g, NULL, "Eve", "Dan", 1, NULL));
    free(after);
    free(before);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

static void test_crash_mid_phase_b_restores_and_publishes_restored_heads(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_table_commit", &before); /* first of two tables */
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    assert_int_equal(cf_drift(st, NULL), 1);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *after = cf_content(g, NULL);
    assert_string_equal(after, before);
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, sc.rollback_commit_id, &c));
    assert_string_equal(c.actor, OG_RECOVERY_ACTOR);
    og_graph_commit_clear(&c);
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL));
    free(after);
    free(before);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

/* A recovery interrupted at `fp` (crash) is re-entered by the next open,
 * which finishes it with exactly one audit row. */
static void reenter(const char *write_fp, const char *recovery_fp, bool forward)
{
    char *before = NULL;
    og_store *st = crashed_at(write_fp, &before);
    og_sidecar sc;
    og_graph *g = NULL;
    cf_only_sidecar(st, &sc);
    OG_CHECK(og_failpoint_arm(recovery_fp, OG_FP_CRASH, 1, false));
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_CRASHED);
    assert_int_equal(og_failpoint_hits(recovery_fp), 1);
    og_failpoint_disarm_all();
    assert_int_equal(cf_sidecars(st), 1);
    g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    uint64_t n = 0;
    OG_CHECK(og_recovery_audit_count(st, sc.operation_id, &n));
    assert_int_equal(n, 1);
    char *after = cf_content(g, NULL);
    if (forward) assert_non_null(strstr(after, "Cid-Dan"));
    else assert_string_equal(after, before);
    /* a third open finds nothing to do */
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(og_recovery_audit_count(st, sc.operation_id, &n));
    assert_int_equal(n, 1);
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 50, NULL));
    free(after);
    free(before);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

static void test_interrupted_rollback_after_restore_reentered(void **state)
{
    (void)state;
    reenter("mutation.post_table_commit", "recovery.post_table_restore_pre_publish", false);
}

static void test_interrupted_rollback_after_publish_audits_once(void **state)
{
    (void)state;
    reenter("mutation.post_table_commit", "recovery.post_publish_pre_audit", false);
}

static void test_interrupted_roll_forward_before_publish_reentered(void **state)
{
    (void)state;
    reenter("mutation.post_phase_b_pre_manifest_commit", "recovery.before_roll_forward_publish", true);
}

static void test_interrupted_roll_forward_after_audit_reentered(void **state)
{
    (void)state;
    reenter("mutation.post_phase_b_pre_manifest_commit", "recovery.post_audit_pre_delete", true);
}

static void test_audit_append_failure_keeps_sidecar_and_retries(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_b_pre_manifest_commit", &before);
    og_sidecar sc;
    og_graph *g = NULL;
    cf_only_sidecar(st, &sc);
    OG_CHECK(og_failpoint_arm("recovery.record_audit", OG_FP_ERROR, 1, false));
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_INJECTED);
    og_failpoint_disarm_all();
    assert_int_equal(cf_sidecars(st), 1);
    assert_true(cf_commit_exists(st, sc.commit_id)); /* the publish landed */
    g = cf_open(st, OG_GRAPH_RW);
    uint64_t n = 0;
    OG_CHECK(og_recovery_audit_count(st, sc.operation_id, &n));
    assert_int_equal(n, 1);
    assert_int_equal(cf_sidecars(st), 0);
    free(before);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

static void test_read_only_open_never_sweeps(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_b_pre_manifest_commit", &before);
    og_graph *g = cf_open(st, OG_GRAPH_RO);
    assert_int_equal(cf_sidecars(st), 1);
    assert_int_equal(cf_drift(st, NULL), 2);
    char *now = cf_content(g, NULL);
    assert_string_equal(now, before);
    OG_CHECK(og_graph_refresh(g)); /* a no-op read-only */
    assert_int_equal(cf_sidecars(st), 1);
    free(now);
    free(before);
    og_graph_close(g);
    og_store_close(st);
}

static void test_refresh_recovers_in_live_process(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    seed(g);
    OG_CHECK(og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    /* the drift blocks the next writer of these tables */
    assert_int_equal(cf_write_pair(g, NULL, "X", "Y", 1, NULL), OG_E_CONFLICT);
    OG_CHECK(og_graph_refresh(g));
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    OG_CHECK(cf_write_pair(g, NULL, "X", "Y", 1, NULL));
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "Cid-Dan"));
    assert_non_null(strstr(c, "X-Y"));
    free(c);
    og_graph_close(g);
    og_store_close(st);
}

static int g_warns;
static void count_warn(og_log_level lvl, const char *msg, void *ud)
{
    (void)msg;
    (void)ud;
    if (lvl == OG_LOG_WARN) g_warns++;
}

static void test_phase_d_delete_failure_is_a_warning(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    g_warns = 0;
    og_log_set_sink(count_warn, NULL);
    og_log_set_level(OG_LOG_WARN);
    OG_CHECK(og_failpoint_arm("recovery.sidecar_delete", OG_FP_ERROR, 1, false));
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 1, &r));
    og_failpoint_disarm_all();
    og_log_set_sink(NULL, NULL);
    assert_true(r.published);
    assert_int_equal(g_warns, 1);
    assert_int_equal(cf_sidecars(st), 1);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW); /* retires it: already published */
    assert_int_equal(cf_sidecars(st), 0);
    char kind[32];
    OG_CHECK(og_recovery_audit_kind(st, sc.operation_id, kind));
    assert_string_equal(kind, "RolledForward");
    assert_string_equal(sc.commit_id, r.commit_id);
    og_sidecar_free(&sc);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_failed_write_after_table_commit_undoes_itself(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    seed(g);
    char *before = cf_content(g, NULL);
    OG_CHECK(og_failpoint_arm("mutation.post_table_commit", OG_FP_ERROR, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_INJECTED);
    og_failpoint_disarm_all();
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *after = cf_content(g, NULL);
    assert_string_equal(after, before);
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL));
    free(before);
    free(after);
    og_graph_close(g);
    og_store_close(st);
}

static void test_phase_a_failure_moves_nothing(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(og_failpoint_arm("recovery.sidecar_write", OG_FP_ERROR, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_INJECTED);
    og_failpoint_disarm_all();
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL));
    og_graph_close(g);
    og_store_close(st);
}

static void test_load_sidecar_names_load_writer(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    const char *text = "{\"type\": \"Person\", \"data\": {\"name\": \"Zed\", \"age\": 3}}\n";
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_APPEND, "loader"};
    og_graph_load_result r;
    memset(&r, 0, sizeof r);
    OG_CHECK(og_failpoint_arm("load.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(og_graph_load(g, &o, text, strlen(text), &r), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_load_result_clear(&r);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    assert_int_equal(sc.kind, OG_WRITER_LOAD);
    assert_string_equal(sc.actor, "loader");
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "Zed"));
    free(c);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

static void test_branch_write_crash_recovers_fork(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    seed(g);
    OG_CHECK(og_graph_branch_create(og_graph_store(g), "feat", NULL, 0, NULL));
    OG_CHECK(og_failpoint_arm("mutation.post_table_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, "feat", "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, "feat"), 0);
    char *c = cf_content(g, "feat");
    assert_null(strstr(c, "Cid"));
    free(c);
    OG_CHECK(cf_write_pair(g, "feat", "Cid", "Dan", 40, NULL));
    c = cf_content(g, "feat");
    assert_non_null(strstr(c, "Cid-Dan"));
    free(c);
    c = cf_content(g, NULL);
    assert_null(strstr(c, "Cid"));
    free(c);
    og_graph_close(g);
    og_store_close(st);
}

static og_graph_pin person_pin(og_store *st, og_graph_snapshot *snap)
{
    OG_CHECK(og_graph_open_head(st, NULL, snap));
    og_graph_pin p;
    OG_CHECK(og_graph_pin_copy(&p, og_graph_snapshot_pin(snap, "node:Person")));
    return p;
}

static void test_invariant_violation_aborts_open_and_keeps_sidecar(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_a", &before);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    /* Damage: the manifest pins Person ahead of the table's head. */
    og_graph_snapshot snap;
    og_graph_pin p = person_pin(st, &snap);
    og_graph_expected e = {"node:Person", p.version};
    p.version += 5;
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.expected = &e;
    req.n_expected = 1;
    req.pins = &p;
    req.n_pins = 1;
    req.commit.id = id.s;
    OG_CHECK(og_graph_publish(st, &req, NULL, NULL));
    og_graph *g = NULL;
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_INTERNAL);
    assert_non_null(strstr(og_error_last()->message, sc.operation_id));
    assert_non_null(strstr(og_error_last()->message, "InvariantViolation"));
    json_t *d = og_detail_json(); /* recovery_required, as data */
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "recovery_required"), "operation_id")),
                        sc.operation_id);
    json_decref(d);
    assert_int_equal(cf_sidecars(st), 1);
    g = cf_open(st, OG_GRAPH_RO); /* read-only still opens */
    og_graph_close(g);
    og_graph_pin_clear(&p);
    og_graph_snapshot_free(&snap);
    og_sidecar_free(&sc);
    free(before);
    og_store_close(st);
}

static void test_foreign_version_at_p1_rolls_back_without_touching_it(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_a", &before);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    og_graph_snapshot snap;
    og_graph_pin p = person_pin(st, &snap);
    /* A foreign commit lands at pin+1 on Person (not this write's uuid). */
    og_table *t = NULL, *t2 = NULL;
    og_txn *tx = NULL;
    og_batch b = OG_BATCH_INIT;
    const char *names[] = {"Foreign"};
    int ages[] = {9};
    cf_people(&b, names, ages, 1);
    OG_CHECK(og_table_open(st, p.path, &t));
    OG_CHECK(og_table_stage_append(t, &b, &tx));
    og_commit_opts co = {true, 0};
    uint64_t fv = 0;
    OG_CHECK(og_txn_commit(tx, &co, &fv, NULL));
    og_txn_free(tx);
    assert_int_equal(fv, p.version + 1);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    char kind[32];
    OG_CHECK(og_recovery_audit_kind(st, sc.operation_id, kind));
    assert_string_equal(kind, "RolledBack");
    OG_CHECK(og_table_open(st, p.path, &t2));
    assert_int_equal(og_table_version(t2), fv); /* left alone */
    og_table_close(t2);
    og_table_close(t);
    og_batch_free(&b);
    og_graph_close(g);
    og_graph_pin_clear(&p);
    og_graph_snapshot_free(&snap);
    og_sidecar_free(&sc);
    free(before);
    og_store_close(st);
}

static og_status write_company(og_graph *g, const char *name)
{
    og_graph_txn *x = NULL;
    og_batch b = OG_BATCH_INIT;
    og_column *id = NULL, *nm = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    OG_CHECK(og_batch_add(&b, "id", utf8, &id));
    OG_CHECK(og_batch_add(&b, "name", utf8, &nm));
    OG_CHECK(og_column_push_str(id, name));
    OG_CHECK(og_column_push_str(nm, name));
    OG_CHECK(og_batch_seal(&b));
    og_status rc = og_graph_txn_begin(g, NULL, &x);
    if (!rc) rc = og_graph_txn_put(x, cf_type(g, OG_KIND_NODE, "Company"), &b, OG_WRITE_UPSERT);
    if (!rc) rc = og_graph_txn_commit(x, &r);
    else og_graph_txn_abort(x);
    og_batch_free(&b);
    og_graph_commit_result_clear(&r);
    return rc;
}

static void test_two_sidecars_recovered_in_order_on_fresh_heads(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, true));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    assert_int_equal(write_company(g, "Acme"), OG_E_CRASHED);
    og_failpoint_disarm_all();
    assert_int_equal(cf_sidecars(st), 2);
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "Cid-Dan"));
    assert_non_null(strstr(c, "Acme"));
    free(c);
    og_graph_close(g);
    og_store_close(st);
}

static void test_corrupt_sidecar_refuses_read_write_open_and_is_kept(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    const char *key = "__recovery/01J00000000000000000000000.json";
    OG_CHECK(og_store_put(st, key, "{oops", 5, NULL));
    og_graph *g = NULL;
    assert_int_equal(og_graph_open(cf_share(st), OG_GRAPH_RW, &g), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "__recovery/01J00000000000000000000000.json"));
    assert_int_equal(cf_sidecars(st), 1);
    g = cf_open(st, OG_GRAPH_RO); /* read-only tolerates it */
    og_graph_close(g);
    og_store_close(st);
}

static void test_sidecar_of_deleted_branch_discarded_as_orphan(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    seed(g);
    OG_CHECK(og_graph_branch_create(og_graph_store(g), "gone", NULL, 0, NULL));
    OG_CHECK(og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, "gone", "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    OG_CHECK(og_graph_branch_delete(og_graph_store(g), "gone", 0));
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_sidecars(st), 0);
    char kind[32];
    OG_CHECK(og_recovery_audit_kind(st, sc.operation_id, kind));
    assert_string_equal(kind, "OrphanedBranchDiscarded");
    assert_int_equal(cf_drift(st, NULL), 0);
    og_sidecar_free(&sc);
    og_graph_close(g);
    og_store_close(st);
}

/* A recovery elsewhere restored Person under a live writer, which then
 * published: the manifest pins the write, the head is the restore. */
static void test_published_write_under_foreign_restore_is_healed(void **state)
{
    (void)state;
    char *before = NULL;
    og_store *st = crashed_at("mutation.post_phase_b_pre_manifest_commit", &before);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    og_graph_snapshot snap;
    og_graph_pin p = person_pin(st, &snap);
    uint64_t e = p.version;
    og_table *t = NULL;
    og_txn *tx = NULL;
    OG_CHECK(og_table_open(st, p.path, &t));
    OG_CHECK(og_table_stage_restore(t, e, &tx));
    og_table_close(t);
    og_commit_opts co = {true, 0};
    OG_CHECK(og_txn_commit(tx, &co, NULL, NULL));
    og_txn_free(tx);
    /* the writer publishes its own commit (both tables at post) */
    og_graph_pin pins[2];
    og_graph_expected exp[2];
    og_graph_snapshot_free(&snap);
    OG_CHECK(og_graph_open_head(st, NULL, &snap));
    for (size_t i = 0; i < 2; i++) {
        OG_CHECK(og_graph_pin_copy(&pins[i], og_graph_snapshot_pin(&snap, sc.tables[i].table_key)));
        pins[i].version = sc.tables[i].post_version;
        exp[i].table_key = sc.tables[i].table_key;
        exp[i].version = sc.tables[i].expected_version;
    }
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.expected = exp;
    req.n_expected = 2;
    req.pins = pins;
    req.n_pins = 2;
    req.commit.id = sc.commit_id;
    req.commit.actor = "tester";
    OG_CHECK(og_graph_publish(st, &req, NULL, NULL));
    assert_int_equal(cf_drift(st, NULL), 1);
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    assert_int_equal(cf_drift(st, NULL), 0);
    assert_int_equal(cf_sidecars(st), 0);
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "\"id\":\"Cid\""));
    assert_non_null(strstr(c, "Cid-Dan"));
    OG_CHECK(cf_write_pair(g, NULL, "Eve", "Fay", 1, NULL));
    free(c);
    for (size_t i = 0; i < 2; i++) og_graph_pin_clear(&pins[i]);
    og_graph_pin_clear(&p);
    og_graph_snapshot_free(&snap);
    og_sidecar_free(&sc);
    free(before);
    og_graph_close(g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_each_class),
        cmocka_unit_test(test_decide_all_or_nothing),
        cmocka_unit_test(test_sidecar_roundtrip),
        cmocka_unit_test(test_sidecar_newer_schema_version_refused_naming_both),
        cmocka_unit_test(test_sidecar_strict_decode),
        cmocka_unit_test(test_crash_post_phase_a_rolls_back_nothing_moved),
        cmocka_unit_test(test_crash_post_phase_b_rolls_forward_with_sidecar_commit_id),
        cmocka_unit_test(test_crash_mid_phase_b_restores_and_publishes_restored_heads),
        cmocka_unit_test(test_interrupted_rollback_after_restore_reentered),
        cmocka_unit_test(test_interrupted_rollback_after_publish_audits_once),
        cmocka_unit_test(test_interrupted_roll_forward_before_publish_reentered),
        cmocka_unit_test(test_interrupted_roll_forward_after_audit_reentered),
        cmocka_unit_test(test_audit_append_failure_keeps_sidecar_and_retries),
        cmocka_unit_test(test_read_only_open_never_sweeps),
        cmocka_unit_test(test_refresh_recovers_in_live_process),
        cmocka_unit_test(test_phase_d_delete_failure_is_a_warning),
        cmocka_unit_test(test_failed_write_after_table_commit_undoes_itself),
        cmocka_unit_test(test_phase_a_failure_moves_nothing),
        cmocka_unit_test(test_load_sidecar_names_load_writer),
        cmocka_unit_test(test_branch_write_crash_recovers_fork),
        cmocka_unit_test(test_invariant_violation_aborts_open_and_keeps_sidecar),
        cmocka_unit_test(test_foreign_version_at_p1_rolls_back_without_touching_it),
        cmocka_unit_test(test_two_sidecars_recovered_in_order_on_fresh_heads),
        cmocka_unit_test(test_corrupt_sidecar_refuses_read_write_open_and_is_kept),
        cmocka_unit_test(test_sidecar_of_deleted_branch_discarded_as_orphan),
        cmocka_unit_test(test_published_write_under_foreign_restore_is_healed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
