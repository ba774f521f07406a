#include "testutil.h"

#include <string.h>
#include <time.h>
#include "base/clock.h"

static void test_now_is_near_time(void **state)
{
    (void)state;
    int64_t us = og_clock_now_us();
    time_t t = time(NULL);
    assert_true(us / 1000000 >= (int64_t)t - 2);
    assert_true(us / 1000000 <= (int64_t)t + 2);
}

static void test_mono_never_goes_back_and_measures_sleep(void **state)
{
    (void)state;
    int64_t a = og_clock_mono_us();
    for (int i = 0; i < 10000; i++) {
        int64_t b = og_clock_mono_us();
        assert_true(b >= a);
        a = b;
    }
    struct timespec ts = {0, 20 * 1000 * 1000};
    int64_t s = og_clock_mono_us();
    nanosleep(&ts, NULL);
    assert_true(og_clock_mono_us() - s >= 20000);
}

static void test_format_rfc3339_micros(void **state)
{
    (void)state;
    char out[64];
    og_clock_format_us(0, out, sizeof out);
    assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
    og_clock_format_us(1795684868123456LL, out, sizeof out);
    assert_string_equal(out, "2026-11-26T09:21:08.123456Z");
    og_clock_format_us(-1, out, sizeof out);
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
    char small[8];
    og_clock_format_us(0, small, sizeof small);
    assert_int_equal(strlen(small), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_now_is_near_time),
        cmocka_unit_test(test_mono_never_goes_back_and_measures_sleep),
        cmocka_unit_test(test_format_rfc3339_micros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
