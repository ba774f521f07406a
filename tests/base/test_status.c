#include "testutil.h"

#include <pthread.h>
#include <string.h>
#include "base/status.h"

static void test_set_returns_code_and_records_message(void **state)
{
    (void)state;
    og_error_clear();
    og_status rc = og_error_set(OG_E_PARSE, "line %d: bad", 17);
    assert_int_equal(rc, OG_E_PARSE);
    const og_error *e = og_error_last();
    assert_int_equal(e->code, OG_E_PARSE);
    assert_string_equal(e->message, "line 17: bad");
    assert_string_equal(e->context, "");
}

static void test_context_chains_outermost_first(void **state)
{
    (void)state;
    og_status rc = og_error_set(OG_E_NOTFOUND, "object missing");
    rc = og_error_context(rc, "reading %s", "fragment 3");
    rc = og_error_context(rc, "table %s", "Person");
    assert_int_equal(rc, OG_E_NOTFOUND);
    char buf[256];
    assert_string_equal(og_error_format(buf, sizeof buf),
                        "table Person: reading fragment 3: object missing");
    /* a new error resets the chain */
    og_error_set(OG_E_CONFLICT, "again");
    assert_string_equal(og_error_format(buf, sizeof buf), "again");
}

static void test_context_on_ok_is_noop(void **state)
{
    (void)state;
    og_error_clear();
    assert_int_equal(og_error_context(OG_OK, "ignored"), OG_OK);
    assert_string_equal(og_error_last()->context, "");
    assert_int_equal(og_error_last()->code, OG_OK);
}

static void test_format_truncates_safely(void **state)
{
    (void)state;
    char big[4000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = 0;
    og_error_set(OG_E_INTERNAL, "%s", big);
    char out[16];
    og_error_format(out, sizeof out);
    assert_int_equal(strlen(out), 15);
    og_error_clear();
    assert_string_equal(og_error_format(out, sizeof out), "ok");
}

static void test_code_names_stable_and_unique(void **state)
{
    (void)state;
    assert_string_equal(og_code_name(OG_OK), "ok");
    assert_string_equal(og_code_name(OG_E_NOTFOUND), "not_found");
    assert_string_equal(og_code_name(OG_E_CONFLICT), "conflict");
    assert_string_equal(og_code_name(OG_E_NOMEM), "out_of_memory");
    assert_string_equal(og_code_name((og_code)999), "unknown_code");
    for (int i = 0; i < OG_CODE_COUNT_; i++)
        for (int j = i + 1; j < OG_CODE_COUNT_; j++)
            assert_string_not_equal(og_code_name((og_code)i), og_code_name((og_code)j));
    assert_true(og_code_is_retryable(OG_E_TRANSIENT));
    assert_false(og_code_is_retryable(OG_E_UNKNOWN));
}

static void *other_thread(void *arg)
{
    (void)arg;
    og_error_set(OG_E_LIMIT, "other thread");
    return NULL;
}

static void test_error_is_thread_local(void **state)
{
    (void)state;
    og_error_set(OG_E_CORRUPT, "mine");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
    pthread_join(t, NULL);
    assert_int_equal(og_error_last()->code, OG_E_CORRUPT);
    assert_string_equal(og_error_last()->message, "mine");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_returns_code_and_records_message),
        cmocka_unit_test(test_context_chains_outermost_first),
        cmocka_unit_test(test_context_on_ok_is_noop),
        cmocka_unit_test(test_format_truncates_safely),
        cmocka_unit_test(test_code_names_stable_and_unique),
        cmocka_unit_test(test_error_is_thread_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
