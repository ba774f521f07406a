#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/failpoint.h"

static int reset(void **state)
{
    (void)state;
    og_failpoint_disarm_all();
    return 0;
}

static void test_unarmed_is_ok_and_fast_path_zero(void **state)
{
    (void)state;
    assert_int_equal(__atomic_load_n(&og_failpoint_armed_count_, __ATOMIC_RELAXED), 0);
    assert_int_equal(OG_FAILPOINT("nothing"), OG_OK);
    assert_int_equal(og_failpoint_hits("nothing"), 0);
}

static void test_fires_on_nth_hit_once(void **state)
{
    (void)state;
    OG_CHECK(og_failpoint_arm("store.put", OG_FP_ERROR, 3, false));
    assert_int_equal(OG_FAILPOINT("store.put"), OG_OK);
    assert_int_equal(OG_FAILPOINT("other"), OG_OK); /* other names unaffected */
    assert_int_equal(OG_FAILPOINT("store.put"), OG_OK);
    assert_int_equal(OG_FAILPOINT("store.put"), OG_E_INJECTED);
    assert_non_null(strstr(og_error_last()->message, "store.put"));
    assert_int_equal(og_failpoint_hits("store.put"), 3);
    /* fired once, then disarmed */
    assert_int_equal(OG_FAILPOINT("store.put"), OG_OK);
    assert_int_equal(og_failpoint_armed_count_, 0);
}

static void test_sticky_fires_from_nth_on(void **state)
{
    (void)state;
    OG_CHECK(og_failpoint_arm("p", OG_FP_CRASH, 2, true));
    assert_int_equal(OG_FAILPOINT("p"), OG_OK);
    for (int i = 0; i < 5; i++) assert_int_equal(OG_FAILPOINT("p"), OG_E_CRASHED);
    assert_int_equal(og_failpoint_hits("p"), 6);
    og_failpoint_disarm("p");
    assert_int_equal(OG_FAILPOINT("p"), OG_OK);
    assert_int_equal(og_failpoint_hits("p"), 6); /* kept after disarm, not counted */
    assert_int_equal(og_failpoint_armed_count_, 0);
}

static void test_rearm_resets_hits_and_disarm_all(void **state)
{
    (void)state;
    OG_CHECK(og_failpoint_arm("a", OG_FP_ERROR, 5, false));
    OG_CHECK(og_failpoint_arm("b", OG_FP_ERROR, 1, false));
    assert_int_equal(OG_FAILPOINT("a"), OG_OK);
    OG_CHECK(og_failpoint_arm("a", OG_FP_ERROR, 1, false));
    assert_int_equal(og_failpoint_hits("a"), 0);
    assert_int_equal(og_failpoint_armed_count_, 2);
    og_failpoint_disarm_all();
    assert_int_equal(og_failpoint_armed_count_, 0);
    assert_int_equal(OG_FAILPOINT("a"), OG_OK);
    assert_int_equal(OG_FAILPOINT("b"), OG_OK);
    assert_int_equal(og_failpoint_hits("a"), 0);
}

static void test_arm_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_int_equal(og_failpoint_arm("", OG_FP_ERROR, 1, false), OG_E_INVALID);
    assert_int_equal(og_failpoint_arm("x", (og_fp_action)0, 1, false), OG_E_INVALID);
    assert_int_equal(og_failpoint_arm("x", (og_fp_action)9, 1, false), OG_E_INVALID);
    assert_int_equal(og_failpoint_armed_count_, 0);
}

static void test_spec_parses_actions_counts_and_sticky(void **state)
{
    (void)state;
    OG_CHECK(og_failpoint_parse_spec("a=error;b=crash@3;c.d/e-f:g=error@2+"));
    assert_int_equal(og_failpoint_armed_count_, 3);
    assert_int_equal(OG_FAILPOINT("a"), OG_E_INJECTED);
    assert_int_equal(OG_FAILPOINT("b"), OG_OK);
    assert_int_equal(OG_FAILPOINT("b"), OG_OK);
    assert_int_equal(OG_FAILPOINT("b"), OG_E_CRASHED);
    assert_int_equal(OG_FAILPOINT("c.d/e-f:g"), OG_OK);
    assert_int_equal(OG_FAILPOINT("c.d/e-f:g"), OG_E_INJECTED);
    assert_int_equal(OG_FAILPOINT("c.d/e-f:g"), OG_E_INJECTED);
    OG_CHECK(og_failpoint_parse_spec(""));
    OG_CHECK(og_failpoint_parse_spec(NULL));
}

static void test_malformed_specs_rejected_and_arm_nothing(void **state)
{
    (void)state;
    static const struct { const char *spec, *names; } bad[] = {
        {"a", "`a`"},
        {"a=", "unknown action"},
        {"=error", "empty name"},
        {"a=boom", "`boom`"},
        {"a=error@", "hit count"},
        {"a=error@0", "hit count"},
        {"a=error@x", "hit count"},
        {"a=error@-1", "hit count"},
        {"a=error@99999999999", "too large"},
        {"a=error@3x", "unexpected `x`"},
        {"a=error+@3", "unexpected `@3`"},
        {"a=error;;b=error", "empty entry"},
        {"a=error;", "empty entry"},
        {";a=error", "empty entry"},
        {"a b=error", "bad character"},
        {"ok=error;bad=crash@", "`bad=crash@`"},
        {"a=error=crash", "unknown action"},
        {" a=error", "bad character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        og_status rc = og_failpoint_parse_spec(bad[i].spec);
        if (rc != OG_E_INVALID) fail_msg("spec `%s` accepted", bad[i].spec);
        if (!strstr(og_error_last()->message, bad[i].names))
            fail_msg("spec `%s`: message `%s` lacks `%s`", bad[i].spec,
                     og_error_last()->message, bad[i].names);
        assert_int_equal(og_failpoint_armed_count_, 0);
    }
}

static void test_init_env_reads_variable(void **state)
{
    (void)state;
    setenv("OMNIGRAPH_FAILPOINTS", "envpoint=error@2", 1);
    OG_CHECK(og_failpoint_init_env());
    assert_int_equal(OG_FAILPOINT("envpoint"), OG_OK);
    assert_int_equal(OG_FAILPOINT("envpoint"), OG_E_INJECTED);
    setenv("OMNIGRAPH_FAILPOINTS", "x=nope", 1);
    assert_int_equal(og_failpoint_init_env(), OG_E_INVALID);
    char buf[512];
    assert_non_null(strstr(og_error_format(buf, sizeof buf), "OMNIGRAPH_FAILPOINTS"));
    unsetenv("OMNIGRAPH_FAILPOINTS");
    OG_CHECK(og_failpoint_init_env());
}

static void test_exit_action_exits_with_code(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (og_failpoint_arm("die", OG_FP_EXIT, 1, false)) _exit(1);
        (void)OG_FAILPOINT("die");
        _exit(0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), OG_FP_EXIT_CODE);
}

enum { THREADS = 4, EVALS = 5000 };
static int fired[THREADS];

static void *hammer(void *arg)
{
    int *f = arg;
    for (int i = 0; i < EVALS; i++)
        if (OG_FAILPOINT("race") == OG_E_INJECTED) (*f)++;
    return NULL;
}

static void test_one_shot_fires_exactly_once_across_4_threads(void **state)
{
    (void)state;
    OG_CHECK(og_failpoint_arm("race", OG_FP_ERROR, 7777, false));
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        fired[i] = 0;
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &fired[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    int total = 0;
    for (int i = 0; i < THREADS; i++) total += fired[i];
    assert_int_equal(total, 1);
    assert_int_equal(og_failpoint_hits("race"), 7777);
    /* sticky: every hit from N on fires, counted exactly */
    OG_CHECK(og_failpoint_arm("race", OG_FP_ERROR, 1001, true));
    for (int i = 0; i < THREADS; i++) {
        fired[i] = 0;
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &fired[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    total = 0;
    for (int i = 0; i < THREADS; i++) total += fired[i];
    assert_int_equal(total, THREADS * EVALS - 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_unarmed_is_ok_and_fast_path_zero, reset),
        cmocka_unit_test_setup(test_fires_on_nth_hit_once, reset),
        cmocka_unit_test_setup(test_sticky_fires_from_nth_on, reset),
        cmocka_unit_test_setup(test_rearm_resets_hits_and_disarm_all, reset),
        cmocka_unit_test_setup(test_arm_rejects_bad_arguments, reset),
        cmocka_unit_test_setup(test_spec_parses_actions_counts_and_sticky, reset),
        cmocka_unit_test_setup(test_malformed_specs_rejected_and_arm_nothing, reset),
        cmocka_unit_test_setup(test_init_env_reads_variable, reset),
        cmocka_unit_test_setup(test_exit_action_exits_with_code, reset),
        cmocka_unit_test_setup(test_one_shot_fires_exactly_once_across_4_threads, reset),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    og_failpoint_disarm_all();
    return rc;
}
