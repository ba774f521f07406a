/* test_recovery_audit_race.c — the recovery audit row is written exactly
 * once even when two PROCESSES recover the same sidecar at the same moment
 * (recovery.h (5)): per round, a write is left half-done on a real
 * directory store, two forked children open their own store handles,
 * meet at a barrier (a pipe closed by the parent) and resolve the same
 * sidecar; afterwards the audit table holds exactly one row for the
 * operation, the sidecar is gone and manifest == table heads.
 * Two shapes of round: the write crashed before its publish (the children
 * race to roll it forward, then to audit), and a recovery crashed after
 * its publish but before its audit row (the children race only to audit).
 * An audit table created before the key existed is exercised too.
 * Bounded: ROUNDS of each (3 x 8 rounds, 2 processes each). */
#include "testutil.h"

#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "crash/crash_fixture.h"

#define ROUNDS 8

static og_store *fs_store(const char *dir)
{
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    return st;
}

/* The audit table as builds before the operation_id key created it. */
static void legacy_audit_table(og_store *st)
{
    og_schema s = {0};
    og_txn *tx = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, ts = {OG_TYPE_DATETIME, OG_TYPE_NONE, 0};
    const char *names[] = {"graph_commit_id", "recovery_kind", "recovery_for_actor", "operation_id",
                           "sidecar_writer_kind", "per_table_outcomes_json"};
    for (size_t i = 0; i < 6; i++) OG_CHECK(og_schema_add(&s, names[i], utf8, i == 2, false));
    OG_CHECK(og_schema_add(&s, "created_at", ts, false, false));
    OG_CHECK(og_table_stage_create(st, OG_RECOVERY_AUDIT_TABLE, &s, NULL, &tx));
    og_commit_opts co = {true, 0};
    OG_CHECK(og_txn_commit(tx, &co, NULL, NULL));
    og_txn_free(tx);
    og_schema_free(&s);
}

static bool g_legacy;

/* A graph at dir whose last write crashed at write_fp; when recovery_fp is
 * given, a recovery of it then crashed there. Returns the operation id. */
static void half_done(const char *dir, const char *write_fp, const char *recovery_fp, char op[OG_ULID_LEN + 1])
{
    og_store *st = fs_store(dir);
    og_graph *g = NULL;
    OG_CHECK(og_graph_init(st, CF_SCHEMA, strlen(CF_SCHEMA), false, "setup"));
    if (g_legacy) legacy_audit_table(st);
    OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g));
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    OG_CHECK(og_failpoint_arm(write_fp, OG_FP_CRASH, 1, false));
    assert_int_equal(cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL), OG_E_CRASHED);
    og_failpoint_disarm_all();
    og_graph_close(g);
    st = fs_store(dir);
    og_sidecar sc;
    cf_only_sidecar(st, &sc);
    memcpy(op, sc.operation_id, OG_ULID_LEN + 1);
    og_sidecar_free(&sc);
    if (recovery_fp) {
        OG_CHECK(og_failpoint_arm(recovery_fp, OG_FP_CRASH, 1, false));
        assert_int_equal(og_recovery_resolve(st, op, false, NULL), OG_E_CRASHED);
        og_failpoint_disarm_all();
        og_error_clear();
        uint64_t n = 9;
        OG_CHECK(og_recovery_audit_count(st, op, &n));
        assert_int_equal(n, 0); /* published, not yet audited */
    }
    og_store_close(st);
}

/* Child: own handle, wait for the go signal, resolve, exit 0 on success. */
static void child(const char *dir, const char *op, int ready_w, int go_r)
{
    og_store *st = fs_store(dir);
    char c = 'r', x;
    if (write(ready_w, &c, 1) != 1) _exit(3);
    while (read(go_r, &x, 1) > 0) {} /* EOF = go */
    og_status rc = og_recovery_resolve(st, op, false, NULL);
    if (rc) fprintf(stderr, "child %d: %s\n", (int)getpid(), og_error_last()->message);
    og_store_close(st);
    _exit(rc ? 1 : 0);
}

static void race(const char *tag, const char *write_fp, const char *recovery_fp, unsigned *rows_checked)
{
    for (int round = 0; round < ROUNDS; round++) {
        char *dir = og_test_tmpdir(tag);
        char op[OG_ULID_LEN + 1];
        half_done(dir, write_fp, recovery_fp, op);
        int ready[2], go[2];
        assert_int_equal(pipe(ready), 0);
        assert_int_equal(pipe(go), 0);
        fflush(NULL);
        pid_t kids[2];
        for (int k = 0; k < 2; k++) {
            kids[k] = fork();
            assert_true(kids[k] >= 0);
            if (kids[k] == 0) {
                close(ready[0]);
                close(go[1]);
                child(dir, op, ready[1], go[0]);
            }
        }
        close(ready[1]);
        close(go[0]);
        char buf[2];
        assert_int_equal(read(ready[0], buf, 1), 1);
        assert_int_equal(read(ready[0], buf + 1, 1), 1);
        close(go[1]); /* both start now */
        for (int k = 0; k < 2; k++) {
            int status = 0;
            assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
            assert_true(WIFEXITED(status));
            assert_int_equal(WEXITSTATUS(status), 0);
        }
        close(ready[0]);
        og_store *st = fs_store(dir);
        uint64_t n = 0;
        char kind[32];
        OG_CHECK(og_recovery_audit_count(st, op, &n));
        assert_int_equal(n, 1);
        OG_CHECK(og_recovery_audit_kind(st, op, kind));
        assert_string_equal(kind, "RolledForward");
        assert_int_equal(cf_sidecars(st), 0);
        assert_int_equal(cf_drift(st, NULL), 0);
        (*rows_checked)++;
        og_store_close(st);
        og_test_rmtree(dir);
        free(dir);
    }
}

static void test_two_processes_roll_forward_one_sidecar_one_audit_row(void **state)
{
    (void)state;
    unsigned rounds = 0;
    race("audit-race-fwd", "mutation.post_phase_b_pre_manifest_commit", NULL, &rounds);
    printf("%u rounds: two processes rolled one sidecar forward, one audit row each\n", rounds);
}

static void test_two_processes_audit_a_published_recovery_once(void **state)
{
    (void)state;
    unsigned rounds = 0;
    race("audit-race-pub", "mutation.post_phase_b_pre_manifest_commit", "recovery.post_publish_pre_audit",
         &rounds);
    printf("%u rounds: two processes audited one published recovery, one audit row each\n", rounds);
}

/* An audit table without the key (made by an older build) is appended
 * with exact commits: still one row. */
static void test_two_processes_one_row_in_an_unkeyed_audit_table(void **state)
{
    (void)state;
    unsigned rounds = 0;
    g_legacy = true;
    race("audit-race-old", "mutation.post_phase_b_pre_manifest_commit", "recovery.post_publish_pre_audit",
         &rounds);
    g_legacy = false;
    printf("%u rounds on an unkeyed audit table, one audit row each\n", rounds);
}

int main(void)
{
    og_log_set_level(OG_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_processes_roll_forward_one_sidecar_one_audit_row),
        cmocka_unit_test(test_two_processes_audit_a_published_recovery_once),
        cmocka_unit_test(test_two_processes_one_row_in_an_unkeyed_audit_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
