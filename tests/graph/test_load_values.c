/* test_load_values.c — strict per-type conversion of load values
 * (surface.md §1.4): accepted spellings, units, bounds and messages. */
#include "testutil.h"

#include <math.h>
#include "load_testlib.h"

static const char *SCHEMA =
    "node T {\n"
    "    k: String @key\n"
    "    s: String?\n"
    "    b: Bool?\n"
    "    i32: I32?\n"
    "    i64: I64?\n"
    "    u32: U32?\n"
    "    u64: U64?\n"
    "    f32: F32?\n"
    "    f64: F64?\n"
    "    d: Date?\n"
    "    dt: DateTime?\n"
    "    e: enum(free, pro)?\n"
    "    li: [I32]?\n"
    "    ls: [String]?\n"
    "    v: Vector(3)?\n"
    "    blob: Blob?\n"
    "}\n";

static og_catalog *cat;

static int setup(void **state)
{
    (void)state;
    return lt_compile(SCHEMA, &cat) == OG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    og_catalog_free(cat);
    return 0;
}

/* Loads {"k":"x", prop: json}; on success returns the batch and *val. */
static og_status conv(const char *prop, const char *json, og_load_batch **b, const og_value **val)
{
    char line[4096];
    og_status rc;
    snprintf(line, sizeof line, "{\"type\":\"T\",\"data\":{\"k\":\"x\",\"%s\":%s}}", prop, json);
    *b = NULL;
    rc = og_load_parse(cat, line, strlen(line), NULL, b);
    if (rc == OG_OK) {
        const og_decl *t = og_catalog_find_node(cat, "T");
        *val = &(*b)->tables[t->index].rows[0].vals[og_decl_prop_index(t, prop)];
    }
    return rc;
}

static void ok(const char *prop, const char *json, og_value_kind kind, og_load_batch **b, const og_value **v)
{
    og_status rc = conv(prop, json, b, v);
    if (rc != OG_OK) fprintf(stderr, "%s = %s: %s\n", prop, json, lt_errmsg());
    assert_int_equal(rc, OG_OK);
    assert_int_equal((*v)->kind, kind);
}

static void bad(const char *prop, const char *json, const char *want)
{
    og_load_batch *b = NULL;
    const og_value *v = NULL;
    og_status rc = conv(prop, json, &b, &v);
    if (rc == OG_OK || !strstr(lt_errmsg(), want)) {
        fprintf(stderr, "%s = %s: want '%s', got '%s'\n", prop, json, want, rc ? lt_errmsg() : "ok");
        og_load_batch_free(b);
        fail();
    }
    assert_int_equal(rc, OG_E_VALIDATION);
}

static void test_integers_bounds_and_spelling(void **state)
{
    og_load_batch *b;
    const og_value *v;
    (void)state;
    ok("i32", "2147483647", OG_VALUE_I64, &b, &v); assert_int_equal(v->as.i, 2147483647); og_load_batch_free(b);
    ok("i32", "-2147483648", OG_VALUE_I64, &b, &v); assert_true(v->as.i == -2147483648LL); og_load_batch_free(b);
    ok("i64", "-9223372036854775808", OG_VALUE_I64, &b, &v); assert_true(v->as.i == INT64_MIN); og_load_batch_free(b);
    ok("u64", "18446744073709551615", OG_VALUE_U64, &b, &v); assert_true(v->as.u == UINT64_MAX); og_load_batch_free(b);
    ok("u32", "4294967295", OG_VALUE_U64, &b, &v); assert_true(v->as.u == 4294967295u); og_load_batch_free(b);
    bad("i32", "2147483648", "strict property 'i32' expects Int32, got 2147483648 (out of Int32 range)");
    bad("i64", "9223372036854775808", "expects Int64, got 9223372036854775808 (out of Int64 range)");
    bad("u32", "-1", "expects UInt32, got -1 (out of UInt32 range)");
    bad("u64", "18446744073709551616", "(out of UInt64 range)");
    bad("i32", "1.0", "strict property 'i32' expects Int32, got 1.0");
    bad("i32", "\"7\"", "strict property 'i32' expects Int32, got \"7\"");
    bad("i64", "true", "expects Int64, got true");
}

static void test_floats_narrow_and_stay_finite(void **state)
{
    og_load_batch *b;
    const og_value *v;
    (void)state;
    ok("f32", "0.1", OG_VALUE_F64, &b, &v); assert_true(v->as.f == (double)0.1f); og_load_batch_free(b);
    ok("f64", "1e308", OG_VALUE_F64, &b, &v); assert_true(v->as.f == 1e308); og_load_batch_free(b);
    ok("f64", "3", OG_VALUE_F64, &b, &v); assert_true(v->as.f == 3.0); og_load_batch_free(b);
    bad("f32", "1.7976931348623157e308", "expects Float32, got 1.7976931348623157e308 (out of Float32 range)");
    bad("f64", "1e400", "(out of Float64 range)");
    bad("f64", "\"NaN\"", "expects Float64, got \"NaN\"");
}

static void test_strings_bools_enums(void **state)
{
    og_load_batch *b;
    const og_value *v;
    (void)state;
    ok("s", "\"h\\u00e9\"", OG_VALUE_STRING, &b, &v); assert_string_equal(v->as.s.ptr, "h\xc3\xa9"); og_load_batch_free(b);
    ok("b", "false", OG_VALUE_BOOL, &b, &v); assert_false(v->as.b); og_load_batch_free(b);
    ok("e", "\"gold\"", OG_VALUE_STRING, &b, &v); og_load_batch_free(b); /* membership: validate.c */
    bad("s", "5", "strict property 's' expects Utf8, got 5");
    bad("b", "\"true\"", "strict property 'b' expects Boolean, got \"true\"");
    bad("e", "1", "strict property 'e' expects Utf8, got 1");
}

static void test_dates_and_datetimes(void **state)
{
    og_load_batch *b;
    const og_value *v;
    (void)state;
    ok("d", "\"2026-04-29\"", OG_VALUE_DATE, &b, &v); assert_int_equal(v->as.i, 20572); og_load_batch_free(b);
    ok("d", "\"1969-12-31\"", OG_VALUE_DATE, &b, &v); assert_int_equal(v->as.i, -1); og_load_batch_free(b);
    ok("d", "20572", OG_VALUE_DATE, &b, &v); assert_int_equal(v->as.i, 20572); og_load_batch_free(b);
    ok("d", "\"2024-02-29\"", OG_VALUE_DATE, &b, &v); og_load_batch_free(b);
    /* DateTime in microseconds (base/value.h), at millisecond precision. */
    ok("dt", "1777465815123", OG_VALUE_DATETIME, &b, &v); assert_true(v->as.i == 1777465815123000LL); og_load_batch_free(b);
    ok("dt", "\"2026-04-29T12:30:15.123Z\"", OG_VALUE_DATETIME, &b, &v);
    assert_true(v->as.i == 1777465815123000LL);
    og_load_batch_free(b);
    ok("dt", "\"2026-04-29T14:30:15.123456+02:00\"", OG_VALUE_DATETIME, &b, &v);
    assert_true(v->as.i == 1777465815123000LL);
    og_load_batch_free(b);
    ok("dt", "\"2026-04-29\"", OG_VALUE_DATETIME, &b, &v); assert_true(v->as.i == 20572LL * 86400000000LL); og_load_batch_free(b);
    bad("d", "\"2026-02-29\"", "strict property 'd' expects Date32, got \"2026-02-29\"");
    bad("d", "\"2026-4-29\"", "expects Date32");
    bad("d", "1.5", "expects Date32");
    bad("dt", "\"2026-04-29T25:00:00Z\"", "strict property 'dt' expects Date64");
    bad("dt", "\"yesterday\"", "expects Date64");
}

static void test_lists_and_vectors(void **state)
{
    og_load_batch *b;
    const og_value *v;
    (void)state;
    ok("li", "[1,2,3]", OG_VALUE_LIST, &b, &v);
    assert_int_equal(v->as.list.n, 3);
    assert_int_equal(v->as.list.items[2].as.i, 3);
    og_load_batch_free(b);
    ok("ls", "[]", OG_VALUE_LIST, &b, &v); assert_int_equal(v->as.list.n, 0); og_load_batch_free(b);
    ok("v", "[0.5,-1,2e0]", OG_VALUE_VECTOR, &b, &v);
    assert_int_equal(v->as.vec.dim, 3);
    assert_true(v->as.vec.v[1] == -1.0f);
    og_load_batch_free(b);
    bad("li", "[1,null]", "list property 'li' items must be non-null");
    bad("li", "[1,\"2\"]", "strict property 'li' expects List(Int32), got \"2\"");
    bad("li", "5", "expects List(Int32), got 5");
    bad("v", "[1,2]", "vector property 'v' expects 3 dimensions, got 2");
    bad("v", "[1,null,3]", "vector property 'v' elements must be numeric");
    bad("v", "[1,\"2\",3]", "vector property 'v' elements must be numeric");
    bad("v", "[1,2,1e39]", "vector property 'v' elements must be finite");
    bad("v", "\"abc\"", "expects FixedSizeList(Float32, 3)");
}

static void test_blobs_base64_or_uri(void **state)
{
    og_load_batch *b;
    const og_value *v;
    (void)state;
    ok("blob", "\"base64:SGVsbG8gV29ybGQ=\"", OG_VALUE_BLOB, &b, &v);
    assert_string_equal(v->as.s.ptr, "base64:SGVsbG8gV29ybGQ=");
    og_load_batch_free(b);
    ok("blob", "\"base64:\"", OG_VALUE_BLOB, &b, &v); og_load_batch_free(b);
    ok("blob", "\"s3://bucket/key.bin\"", OG_VALUE_BLOB, &b, &v); og_load_batch_free(b);
    bad("blob", "\"base64:SGVsbG8*\"", "expects a base64 blob payload");
    bad("blob", "\"base64:SGV\"", "expects a base64 blob payload");
    bad("blob", "12", "strict property 'blob' expects Blob, got 12");
}

static void test_null_is_null_for_every_nullable_type(void **state)
{
    const char *props[] = {"s", "b", "i32", "i64", "u32", "u64", "f32", "f64", "d", "dt", "e", "li", "ls", "v", "blob"};
    (void)state;
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        og_load_batch *b;
        const og_value *v;
        ok(props[i], "null", OG_VALUE_NULL, &b, &v);
        og_load_batch_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers_bounds_and_spelling),
        cmocka_unit_test(test_floats_narrow_and_stay_finite),
        cmocka_unit_test(test_strings_bools_enums),
        cmocka_unit_test(test_dates_and_datetimes),
        cmocka_unit_test(test_lists_and_vectors),
        cmocka_unit_test(test_blobs_base64_or_uri),
        cmocka_unit_test(test_null_is_null_for_every_nullable_type),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
