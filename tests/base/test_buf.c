#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include "base/buf.h"

static void test_empty_buffer_is_valid_cstr(void **state)
{
    (void)state;
    og_buf b = OG_BUF_INIT;
    assert_string_equal(og_buf_cstr(&b), "");
    assert_int_equal(b.len, 0);
    og_buf_free(&b);
}

static void test_printf_grows_past_initial_capacity(void **state)
{
    (void)state;
    og_buf b = OG_BUF_INIT;
    for (int i = 0; i < 1000; i++) OG_CHECK(og_buf_printf(&b, "%04d,", i));
    assert_int_equal(b.len, 5000);
    assert_int_equal(strlen(og_buf_cstr(&b)), 5000);
    assert_memory_equal(b.data + 5 * 999, "0999,", 5);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    OG_CHECK(og_buf_printf(&b, "[%s]", big));
    assert_int_equal(b.len, 5000 + 3001);
    assert_int_equal(b.data[b.len], 0);
    assert_int_equal(b.data[b.len - 1], ']');
    og_buf_free(&b);
}

static void test_binary_with_nuls_and_le_ints(void **state)
{
    (void)state;
    og_buf b = OG_BUF_INIT;
    const char bin[] = {'a', 0, 'b', 0, 0};
    OG_CHECK(og_buf_append(&b, bin, sizeof bin));
    OG_CHECK(og_buf_append_byte(&b, 0));
    OG_CHECK(og_buf_append_u32le(&b, 0x01020304u));
    OG_CHECK(og_buf_append_u64le(&b, 0x1122334455667788ull));
    assert_int_equal(b.len, 5 + 1 + 4 + 8);
    assert_memory_equal(b.data, bin, 5);
    const unsigned char le[] = {4, 3, 2, 1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    assert_memory_equal(b.data + 6, le, sizeof le);
    assert_int_equal(b.data[b.len], 0);
    og_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(og_buf_cstr(&b), "");
    OG_CHECK(og_buf_set(&b, "xyz", 3));
    assert_string_equal(og_buf_cstr(&b), "xyz");
    og_buf_free(&b);
}

static void test_detach_hands_over_and_empties(void **state)
{
    (void)state;
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_buf_append_str(&b, "owned"));
    size_t n = 0;
    char *p = og_buf_detach(&b, &n);
    assert_int_equal(n, 5);
    assert_string_equal(p, "owned");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(p);
    char *e = og_buf_detach(&b, &n);
    assert_non_null(e);
    assert_int_equal(n, 0);
    assert_string_equal(e, "");
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_buffer_is_valid_cstr),
        cmocka_unit_test(test_printf_grows_past_initial_capacity),
        cmocka_unit_test(test_binary_with_nuls_and_le_ints),
        cmocka_unit_test(test_detach_hands_over_and_empties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
