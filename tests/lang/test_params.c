/* test_params.c — JSON params → typed values (surface.md §2.3) with the
 * reference's messages for every refusal. */
#include "testutil.h"

#include <string.h>
#include "base/json.h"
#include "lang/params.h"
#include "lang/query_ast.h"

/* Parses `query q(<decl>) { match { $p: P } return { $p } }` and converts
 * params_json. Returns the status; *out set on success. */
static og_status convert(const char *decl, const char *params_json, og_params **out)
{
    char src[512];
    og_gq_file *f = NULL;
    json_t *j = NULL;
    og_status rc;
    snprintf(src, sizeof src, "query q(%s) { match { $p: P } return { $p } }", decl);
    OG_CHECK(og_gq_parse(src, strlen(src), &f));
    if (params_json) OG_CHECK(og_json_parse(params_json, strlen(params_json), &j));
    rc = og_params_from_json(f->queries[0].params, f->queries[0].n_params, j, out);
    json_decref(j);
    og_gq_file_free(f);
    return rc;
}

static void expect_error(const char *decl, const char *params_json, const char *msg)
{
    og_params *p = (og_params *)1;
    og_status rc = convert(decl, params_json, &p);
    assert_int_equal(rc, OG_E_VALIDATION);
    assert_null(p);
    assert_string_equal(og_error_last()->message, msg);
}

static const og_value *get(const og_params *p, const char *name)
{
    const og_value *v = NULL;
    OG_CHECK(og_params_get(p, name, &v));
    return v;
}

static void test_scalars_convert_to_their_declared_kinds(void **state)
{
    og_params *p = NULL;
    (void)state;
    OG_CHECK(convert("$s: String, $b: Bool, $i: I32, $l: I64, $u: U32, $w: U64, $f: F32, "
                     "$g: F64, $d: Date, $t: DateTime, $x: Blob",
                     "{\"s\":\"hi\",\"b\":true,\"i\":-7,\"l\":\"-9000000000\",\"u\":7,"
                     "\"w\":\"9223372036854775807\",\"f\":1,\"g\":2.5,\"d\":\"1970-01-02\","
                     "\"t\":\"1970-01-01T00:00:01.000002Z\",\"x\":\"base64:AAE=\"}", &p));
    assert_int_equal(get(p, "s")->kind, OG_VALUE_STRING);
    assert_string_equal(get(p, "s")->as.s.ptr, "hi");
    assert_true(get(p, "b")->as.b);
    assert_int_equal(get(p, "i")->kind, OG_VALUE_I64);
    assert_true(get(p, "i")->as.i == -7);
    assert_true(get(p, "l")->as.i == INT64_C(-9000000000));
    assert_int_equal(get(p, "u")->kind, OG_VALUE_U64);
    assert_true(get(p, "w")->as.u == (uint64_t)INT64_MAX);
    assert_int_equal(get(p, "f")->kind, OG_VALUE_F64);
    assert_true(get(p, "f")->as.f == 1.0);
    assert_true(get(p, "g")->as.f == 2.5);
    assert_int_equal(get(p, "d")->kind, OG_VALUE_DATE);
    assert_true(get(p, "d")->as.i == 1);
    assert_int_equal(get(p, "t")->kind, OG_VALUE_DATETIME);
    assert_true(get(p, "t")->as.i == 1000002); /* microseconds */
    assert_int_equal(get(p, "x")->kind, OG_VALUE_BLOB);
    assert_string_equal(get(p, "x")->as.s.ptr, "base64:AAE=");
    og_params_free(p);
}

static void test_list_and_vector_params(void **state)
{
    og_params *p = NULL;
    (void)state;
    OG_CHECK(convert("$tags: [String], $v: Vector(3), $e: [I32]",
                     "{\"tags\":[\"a\",\"b\"],\"v\":[1,0.5,-2],\"e\":[]}", &p));
    assert_int_equal(get(p, "tags")->kind, OG_VALUE_LIST);
    assert_int_equal(get(p, "tags")->as.list.n, 2);
    assert_string_equal(get(p, "tags")->as.list.items[1].as.s.ptr, "b");
    assert_int_equal(get(p, "v")->kind, OG_VALUE_VECTOR);
    assert_int_equal(get(p, "v")->as.vec.dim, 3);
    assert_true(get(p, "v")->as.vec.v[1] == 0.5f);
    assert_true(get(p, "v")->as.vec.v[2] == -2.0f);
    assert_int_equal(get(p, "e")->as.list.n, 0);
    og_params_free(p);
}

static void test_omitted_nullable_is_null_and_omitted_required_is_not_provided(void **state)
{
    og_params *p = NULL;
    const og_value *v = (const og_value *)1;
    (void)state;
    OG_CHECK(convert("$name: String, $age: I32?", "{}", &p));
    assert_int_equal(get(p, "age")->kind, OG_VALUE_NULL);
    assert_int_equal(og_params_get(p, "name", &v), OG_E_VALIDATION);
    assert_null(v);
    assert_string_equal(og_error_last()->message, "parameter 'name' not provided");
    og_params_free(p);
    /* no params object at all behaves like {} */
    OG_CHECK(convert("$age: I32?", NULL, &p));
    assert_int_equal(get(p, "age")->kind, OG_VALUE_NULL);
    og_params_free(p);
}

static void test_undeclared_keys_are_type_inferred(void **state)
{
    og_params *p = NULL;
    (void)state;
    OG_CHECK(convert("", "{\"n\":3,\"f\":1.5,\"s\":\"x\",\"l\":[1,\"a\"],\"z\":null}", &p));
    assert_int_equal(get(p, "n")->kind, OG_VALUE_I64);
    assert_int_equal(get(p, "f")->kind, OG_VALUE_F64);
    assert_int_equal(get(p, "s")->kind, OG_VALUE_STRING);
    assert_int_equal(get(p, "l")->kind, OG_VALUE_LIST);
    assert_int_equal(get(p, "l")->as.list.items[1].kind, OG_VALUE_STRING);
    assert_int_equal(get(p, "z")->kind, OG_VALUE_NULL);
    assert_false(p->declared[0]);
    og_params_free(p);
    expect_error("", "{\"o\":{}}", "param 'o': object is not supported");
}

static void test_params_must_be_an_object(void **state)
{
    (void)state;
    expect_error("", "[\"nope\"]", "params must be a JSON object");
    expect_error("$n: I32", "3", "params must be a JSON object");
}

static void test_null_refused_for_non_nullable_accepted_for_nullable(void **state)
{
    og_params *p = NULL;
    (void)state;
    expect_error("$name: String", "{\"name\":null}",
                 "param 'name': null is not accepted for non-nullable parameter");
    OG_CHECK(convert("$name: String?", "{\"name\":null}", &p));
    assert_int_equal(get(p, "name")->kind, OG_VALUE_NULL);
    og_params_free(p);
}

static void test_integer_range_and_shape_errors(void **state)
{
    (void)state;
    expect_error("$n: I32", "{\"n\":3000000000}", "param 'n': value 3000000000 exceeds I32");
    expect_error("$n: I32", "{\"n\":-2147483649}", "param 'n': value -2147483649 exceeds I32");
    expect_error("$n: U32", "{\"n\":4294967296}", "param 'n': value 4294967296 exceeds U32");
    expect_error("$n: U64", "{\"n\":\"9223372036854775808\"}",
                 "param 'n': value 9223372036854775808 exceeds current engine range for U64 "
                 "(max 9223372036854775807)");
    expect_error("$n: I64", "{\"n\":1.5}", "param 'n': expected integer number");
    expect_error("$n: I64", "{\"n\":\"12x\"}", "param 'n': expected integer string, got '12x'");
    expect_error("$n: I64", "{\"n\":\"99999999999999999999\"}",
                 "param 'n': expected integer string, got '99999999999999999999'");
    expect_error("$n: I64", "{\"n\":true}", "param 'n': expected integer");
    expect_error("$n: U64", "{\"n\":-1}", "param 'n': expected unsigned integer number");
    expect_error("$n: U32", "{\"n\":\"-1\"}", "param 'n': expected unsigned integer string, got '-1'");
    expect_error("$n: U32", "{\"n\":[]}", "param 'n': expected unsigned integer");
}

static void test_f32_param_outside_float32_range_rejected(void **state)
{
    og_params *p = NULL;
    (void)state;
    expect_error("$f: F32", "{\"f\":1.7976931348623157e308}",
                 "param 'f': value 1.7976931348623157e+308 is outside the Float32 range");
    expect_error("$f: F32", "{\"f\":-3.5e38}", "param 'f': value -3.5e+38 is outside the Float32 range");
    OG_CHECK(convert("$f: F32", "{\"f\":3.4028234663852886e38}", &p));
    og_params_free(p);
    OG_CHECK(convert("$f: F64", "{\"f\":1.7976931348623157e308}", &p));
    og_params_free(p);
}

static void test_other_type_errors(void **state)
{
    (void)state;
    expect_error("$s: String", "{\"s\":1}", "param 's': expected string, got number");
    expect_error("$b: Bool", "{\"b\":\"true\"}", "param 'b': expected boolean");
    expect_error("$f: F64", "{\"f\":\"1.0\"}", "param 'f': expected float");
    expect_error("$d: Date", "{\"d\":5}", "param 'd': expected date string");
    expect_error("$t: DateTime", "{\"t\":5}", "param 't': expected datetime string");
    expect_error("$x: Blob", "{\"x\":[1]}", "param 'x': expected blob URI string, got array");
    expect_error("$l: [String]", "{\"l\":\"a\"}", "param 'l': expected array for [String]");
    expect_error("$l: [I32]", "{\"l\":[1,\"z\"]}", "param 'l': expected integer string, got 'z'");
}

static void test_bad_dates(void **state)
{
    (void)state;
    expect_error("$d: Date", "{\"d\":\"2024-01-01T02:00:00+05:00\"}",
                 "param 'd': invalid Date literal '2024-01-01T02:00:00+05:00': a Date is a "
                 "calendar day (YYYY-MM-DD); a string with a time of day belongs in a DateTime");
    expect_error("$d: Date", "{\"d\":\"2024-02-30\"}",
                 "param 'd': invalid Date literal '2024-02-30': expected YYYY-MM-DD");
    expect_error("$t: DateTime", "{\"t\":\"yesterday\"}",
                 "param 't': invalid DateTime literal 'yesterday': expected RFC 3339 "
                 "(YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM))");
}

static void test_vector_length_and_elements(void **state)
{
    (void)state;
    expect_error("$v: Vector(3)", "{\"v\":[1,2]}", "param 'v': expected 3 values for Vector(3), got 2");
    expect_error("$v: Vector(2)", "{\"v\":[1,\"a\"]}", "param 'v': vector element is not numeric");
    expect_error("$v: Vector(2)", "{\"v\":\"a\"}", "param 'v': expected array for Vector(2)");
}

static void test_first_error_in_key_order(void **state)
{
    (void)state;
    expect_error("$b: I32, $a: I32", "{\"b\":\"x\",\"a\":\"y\"}",
                 "param 'a': expected integer string, got 'y'");
}

static void test_datetime_offsets_in_microseconds(void **state)
{
    og_params *p = NULL;
    (void)state;
    OG_CHECK(convert("$t: DateTime",
                     "{\"t\":\"1970-01-01T01:00:00.1234567+01:00\"}", &p));
    assert_true(get(p, "t")->as.i == 123456);
    og_params_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_convert_to_their_declared_kinds),
        cmocka_unit_test(test_list_and_vector_params),
        cmocka_unit_test(test_omitted_nullable_is_null_and_omitted_required_is_not_provided),
        cmocka_unit_test(test_undeclared_keys_are_type_inferred),
        cmocka_unit_test(test_params_must_be_an_object),
        cmocka_unit_test(test_null_refused_for_non_nullable_accepted_for_nullable),
        cmocka_unit_test(test_integer_range_and_shape_errors),
        cmocka_unit_test(test_f32_param_outside_float32_range_rejected),
        cmocka_unit_test(test_other_type_errors),
        cmocka_unit_test(test_bad_dates),
        cmocka_unit_test(test_vector_length_and_elements),
        cmocka_unit_test(test_first_error_in_key_order),
        cmocka_unit_test(test_datetime_offsets_in_microseconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
