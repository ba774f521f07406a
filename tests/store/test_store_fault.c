/* test_store_fault.c — the fault wrapper counts, fails and crashes as its
 * header promises. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/failpoint.h"
#include "store/store.h"

static int setup(void **state)
{
    og_store *mem = NULL, *f = NULL;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &f));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    og_store_close(*state);
    og_failpoint_disarm_all();
    return 0;
}

static void test_counts_each_kind(void **state)
{
    og_store *s = *state;
    og_buf b = OG_BUF_INIT;
    og_list l = {0};
    og_obj_meta m;
    OG_CHECK(og_store_put(s, "a", "1", 1, &m));
    OG_CHECK(og_store_put(s, "b", "2", 1, NULL));
    OG_CHECK(og_store_get(s, "a", &b, NULL));
    OG_CHECK(og_store_get_range(s, "a", 0, 1, &b));
    OG_CHECK(og_store_head(s, "a", NULL));
    OG_CHECK(og_store_put_if_absent(s, "c", "3", 1, NULL));
    assert_int_equal(og_store_put_if_absent(s, "c", "3", 1, NULL), OG_E_PRECONDITION);
    OG_CHECK(og_store_put_if_match(s, "a", m.etag, "x", 1, NULL));
    OG_CHECK(og_store_list(s, "", NULL, 0, &l));
    og_list_free(&l);
    OG_CHECK(og_store_delete(s, "b"));
    OG_CHECK(og_store_delete_prefix(s, "c"));
    /* rejected by key validation: never reaches the backend, not counted */
    assert_int_equal(og_store_get(s, "../x", &b, NULL), OG_E_INVALID);
    assert_int_equal(og_store_fault_count(s, OG_OP_PUT), 2);
    assert_int_equal(og_store_fault_count(s, OG_OP_GET), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_GET_RANGE), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_HEAD), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_PUT_IF_ABSENT), 2);
    assert_int_equal(og_store_fault_count(s, OG_OP_PUT_IF_MATCH), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_LIST), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_DELETE), 1);
    assert_int_equal(og_store_fault_count(s, OG_OP_DELETE_PREFIX), 1);
    assert_int_equal(og_store_fault_total(s), 11);
    og_store_fault_reset_counts(s);
    assert_int_equal(og_store_fault_total(s), 0);
    assert_int_equal(og_store_fault_count(s, OG_OP_PUT), 0);
    og_buf_free(&b);
}

static void test_list_all_counts_one_list_per_page(void **state)
{
    og_store *s = *state;
    og_list l = {0};
    char key[32];
    for (int i = 0; i < 1500; i++) {
        snprintf(key, sizeof key, "k%04d", i);
        OG_CHECK(og_store_put(s, key, "", 0, NULL));
    }
    og_store_fault_reset_counts(s);
    OG_CHECK(og_store_list_all(s, "", &l));
    assert_int_equal(l.len, 1500);
    assert_int_equal(og_store_fault_count(s, OG_OP_LIST), 2);
    og_list_free(&l);
}

static void test_fail_at_nth_fails_that_op_only_and_skips_it(void **state)
{
    og_store *s = *state;
    og_buf b = OG_BUF_INIT;
    og_store_fault_fail_at(s, 3, OG_E_TRANSIENT);
    OG_CHECK(og_store_put(s, "one", "1", 1, NULL));
    OG_CHECK(og_store_get(s, "one", &b, NULL));
    assert_int_equal(og_store_put(s, "two", "2", 1, NULL), OG_E_TRANSIENT);
    assert_int_equal(og_error_last()->code, OG_E_TRANSIENT);
    /* the failed put was not performed; later calls work */
    assert_int_equal(og_store_get(s, "two", &b, NULL), OG_E_NOTFOUND);
    OG_CHECK(og_store_put(s, "two", "2", 1, NULL));
    assert_false(og_store_fault_crashed(s));
    assert_int_equal(og_store_fault_count(s, OG_OP_PUT), 3);
    /* 0 disarms */
    og_store_fault_fail_at(s, 1, OG_E_PERMANENT);
    og_store_fault_fail_at(s, 0, OG_E_PERMANENT);
    OG_CHECK(og_store_get(s, "two", &b, NULL));
    og_buf_free(&b);
}

static void test_crash_at_nth_drops_write_until_reopen(void **state)
{
    og_store *s = *state;
    og_buf b = OG_BUF_INIT;
    og_store_fault_crash_at(s, 2);
    OG_CHECK(og_store_put(s, "kept", "k", 1, NULL));
    assert_int_equal(og_store_put(s, "dropped", "d", 1, NULL), OG_E_CRASHED);
    assert_true(og_store_fault_crashed(s));
    assert_int_equal(og_store_get(s, "kept", &b, NULL), OG_E_CRASHED);
    assert_int_equal(og_store_put(s, "later", "l", 1, NULL), OG_E_CRASHED);
    assert_int_equal(og_store_fault_count(s, OG_OP_PUT), 2); /* refused calls are not counted */
    og_store_fault_reopen(s);
    assert_false(og_store_fault_crashed(s));
    OG_CHECK(og_store_get(s, "kept", &b, NULL));
    assert_int_equal(og_store_get(s, "dropped", &b, NULL), OG_E_NOTFOUND);
    assert_int_equal(og_store_get(s, "later", &b, NULL), OG_E_NOTFOUND);
    og_buf_free(&b);
}

static void test_crash_now_refuses_everything(void **state)
{
    og_store *s = *state;
    og_list l = {0};
    og_store_fault_crash(s);
    assert_int_equal(og_store_list(s, "", NULL, 0, &l), OG_E_CRASHED);
    assert_int_equal(og_store_delete(s, "x"), OG_E_CRASHED);
    assert_int_equal(og_store_head(s, "x", NULL), OG_E_CRASHED);
    og_store_fault_reopen(s);
    OG_CHECK(og_store_list(s, "", NULL, 0, &l));
    og_list_free(&l);
}

static void test_failpoint_targets_one_op_kind(void **state)
{
    og_store *s = *state;
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_store_put(s, "k", "v", 1, NULL));
    OG_CHECK(og_failpoint_arm("store.fault.put_if_absent", OG_FP_ERROR, 2, false));
    OG_CHECK(og_store_get(s, "k", &b, NULL));                 /* other kinds pass */
    OG_CHECK(og_store_put_if_absent(s, "n1", "v", 1, NULL));   /* 1st hit passes */
    assert_int_equal(og_store_put_if_absent(s, "n2", "v", 1, NULL), OG_E_INJECTED);
    assert_int_equal(og_store_get(s, "n2", &b, NULL), OG_E_NOTFOUND);
    OG_CHECK(og_store_put_if_absent(s, "n3", "v", 1, NULL));   /* disarmed after firing */
    OG_CHECK(og_failpoint_arm("store.fault.delete", OG_FP_CRASH, 1, false));
    assert_int_equal(og_store_delete(s, "k"), OG_E_CRASHED);
    assert_true(og_store_fault_crashed(s));
    og_store_fault_reopen(s);
    OG_CHECK(og_store_get(s, "k", &b, NULL)); /* the crashed delete was not performed */
    og_buf_free(&b);
}

static void test_non_fault_store_is_ignored(void **state)
{
    og_store *mem = NULL;
    OG_CHECK(og_store_mem_open(&mem));
    og_store_fault_crash(mem);
    assert_false(og_store_fault_crashed(mem));
    assert_int_equal(og_store_fault_total(mem), 0);
    OG_CHECK(og_store_put(mem, "k", "v", 1, NULL));
    og_store_close(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_each_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_all_counts_one_list_per_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fail_at_nth_fails_that_op_only_and_skips_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_at_nth_drops_write_until_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_now_refuses_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failpoint_targets_one_op_kind, setup, teardown),
        cmocka_unit_test(test_non_fault_store_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
