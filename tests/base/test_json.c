#include "testutil.h"

#include <string.h>
#include "base/json.h"

static json_t *parse_ok(const char *s)
{
    json_t *v = NULL;
    OG_CHECK(og_json_parse(s, strlen(s), &v));
    return v;
}

static void test_parse_error_reports_line_and_column(void **state)
{
    (void)state;
    const char *bad = "{\n  \"a\": 1,\n  \"b\": ]\n}";
    json_t *v = (json_t *)1;
    og_status rc = og_json_parse(bad, strlen(bad), &v);
    assert_int_equal(rc, OG_E_PARSE);
    assert_null(v);
    const char *msg = og_error_last()->message;
    assert_true(strncmp(msg, "line 3, column 8: ", 18) == 0);
}

static void test_parse_rejects_trailing_garbage_and_duplicates(void **state)
{
    (void)state;
    json_t *v;
    assert_int_equal(og_json_parse("[1] x", 5, &v), OG_E_PARSE);
    assert_int_equal(og_json_parse("{\"a\":1,\"a\":2}", 13, &v), OG_E_PARSE);
    assert_int_equal(og_json_parse("", 0, &v), OG_E_PARSE);
    /* the length bounds the text: "[1]" inside a longer buffer */
    OG_CHECK(og_json_parse("[1]]]]", 3, &v));
    json_decref(v);
    /* scalars at top level are accepted */
    v = parse_ok("42");
    assert_true(json_is_integer(v));
    json_decref(v);
}

static void test_dump_sorted_compact_deterministic(void **state)
{
    (void)state;
    json_t *a = parse_ok("{ \"zeta\": [1, 2, {\"y\":1, \"x\":2}], \"alpha\": true, \"mid\": null }");
    json_t *b = parse_ok("{\"mid\":null,\"alpha\":true,\"zeta\":[1,2,{\"x\":2,\"y\":1}]}");
    og_buf x = OG_BUF_INIT, y = OG_BUF_INIT;
    OG_CHECK(og_json_dump(a, &x));
    OG_CHECK(og_json_dump(b, &y));
    assert_string_equal(og_buf_cstr(&x), "{\"alpha\":true,\"mid\":null,\"zeta\":[1,2,{\"x\":2,\"y\":1}]}");
    assert_string_equal(og_buf_cstr(&x), og_buf_cstr(&y));
    /* dump appends */
    OG_CHECK(og_json_dump(json_true(), &y));
    assert_true(strlen(og_buf_cstr(&y)) == x.len + 4);
    og_buf_free(&x);
    og_buf_free(&y);
    json_decref(a);
    json_decref(b);
}

static void test_int64_exact_beyond_double(void **state)
{
    (void)state;
    json_t *v = parse_ok("{\"n\": 9007199254740993, \"min\": -9223372036854775808, \"max\": 9223372036854775807}");
    int64_t n;
    OG_CHECK(og_json_get_i64(v, "n", &n));
    assert_true(n == 9007199254740993LL);
    OG_CHECK(og_json_get_i64(v, "min", &n));
    assert_true(n == INT64_MIN);
    OG_CHECK(og_json_get_i64(v, "max", &n));
    assert_true(n == INT64_MAX);
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_json_dump(v, &b));
    assert_string_equal(og_buf_cstr(&b),
        "{\"max\":9223372036854775807,\"min\":-9223372036854775808,\"n\":9007199254740993}");
    og_buf_free(&b);
    json_decref(v);
    json_t *o;
    assert_int_equal(og_json_parse("9223372036854775808", 19, &o), OG_E_PARSE);
}

static void test_typed_getters_and_errors_name_key(void **state)
{
    (void)state;
    json_t *v = parse_ok("{\"s\":\"hi\",\"i\":3,\"r\":1.5,\"b\":false,\"o\":{},\"a\":[],\"z\":null}");
    const char *s;
    int64_t i;
    bool b, present;
    json_t *j;
    OG_CHECK(og_json_get_str(v, "s", &s));
    assert_string_equal(s, "hi");
    OG_CHECK(og_json_get_i64(v, "i", &i));
    assert_int_equal(i, 3);
    OG_CHECK(og_json_get_bool(v, "b", &b));
    assert_false(b);
    OG_CHECK(og_json_get_obj(v, "o", &j));
    assert_true(json_is_object(j));
    OG_CHECK(og_json_get_arr(v, "a", &j));
    assert_true(json_is_array(j));

    assert_int_equal(og_json_get_i64(v, "s", &i), OG_E_VALIDATION);
    assert_string_equal(og_error_last()->message, "key `s`: expected integer, got string");
    assert_int_equal(og_json_get_i64(v, "r", &i), OG_E_VALIDATION); /* no coercion */
    assert_non_null(strstr(og_error_last()->message, "got real"));
    assert_int_equal(og_json_get_str(v, "missing", &s), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "`missing`"));
    assert_non_null(strstr(og_error_last()->message, "string"));
    assert_int_equal(og_json_get_bool(v, "i", &b), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "expected boolean"));
    assert_int_equal(og_json_get_obj(v, "a", &j), OG_E_VALIDATION);
    assert_int_equal(og_json_get_arr(v, "o", &j), OG_E_VALIDATION);
    assert_int_equal(og_json_get_str(json_array_get(json_object_get(v, "a"), 0), "k", &s),
                     OG_E_VALIDATION); /* not an object at all */

    OG_CHECK(og_json_get_str_opt(v, "missing", &s));
    assert_null(s);
    OG_CHECK(og_json_get_str_opt(v, "z", &s));
    assert_null(s);
    OG_CHECK(og_json_get_str_opt(v, "s", &s));
    assert_string_equal(s, "hi");
    assert_int_equal(og_json_get_str_opt(v, "i", &s), OG_E_VALIDATION);
    i = 77;
    OG_CHECK(og_json_get_i64_opt(v, "missing", &i, &present));
    assert_false(present);
    assert_int_equal(i, 77);
    OG_CHECK(og_json_get_i64_opt(v, "z", &i, &present));
    assert_false(present);
    OG_CHECK(og_json_get_i64_opt(v, "i", &i, &present));
    assert_true(present);
    assert_int_equal(i, 3);
    assert_int_equal(og_json_get_i64_opt(v, "b", &i, &present), OG_E_VALIDATION);
    json_decref(v);
}

static void test_unicode_roundtrip(void **state)
{
    (void)state;
    const char *src = "[\"h\\u00e9llo \\ud83d\\ude00\",\"tab\\t\"]";
    json_t *v = parse_ok(src);
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_json_dump(v, &b));
    json_t *w = parse_ok(og_buf_cstr(&b));
    assert_true(json_equal(v, w));
    og_buf_free(&b);
    json_decref(v);
    json_decref(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_error_reports_line_and_column),
        cmocka_unit_test(test_parse_rejects_trailing_garbage_and_duplicates),
        cmocka_unit_test(test_dump_sorted_compact_deterministic),
        cmocka_unit_test(test_int64_exact_beyond_double),
        cmocka_unit_test(test_typed_getters_and_errors_name_key),
        cmocka_unit_test(test_unicode_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
