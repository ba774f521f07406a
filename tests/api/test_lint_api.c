/* test_lint_api.c — og_lint_sources through the public header: the JSON it
 * returns, and that only a bad schema fails the call. */
#include "testutil.h"

#include <jansson.h>
#include <string.h>
#include "omnigraph.h"

static const char *PG = "node Person {\nslug: String @key\nname: String?\n}\n";

static json_t *lint_json(const char *gq, int *rc)
{
    char *out = NULL;
    json_t *j = NULL;
    *rc = og_lint_sources(PG, strlen(PG), gq, strlen(gq), &out);
    if (out) j = json_loads(out, 0, NULL);
    og_free(out);
    return j;
}

static void test_clean_read_query_reports_ok_with_descriptor(void **state)
{
    int rc;
    (void)state;
    json_t *j = lint_json("query q() { match { $p: Person } return { $p.name } }", &rc);
    assert_int_equal(rc, 0);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(j, "queries_processed")), 1);
    json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "kind")), "read");
    assert_null(json_object_get(r0, "error"));
    assert_null(json_object_get(r0, "warnings"));
    json_t *col = json_array_get(json_object_get(json_object_get(r0, "operation"), "result"), 0);
    assert_string_equal(json_string_value(json_object_get(col, "name")), "name");
    assert_true(json_is_true(json_object_get(col, "nullable")));
    json_decref(j);
}

static void test_type_error_is_a_verdict_not_a_failure(void **state)
{
    int rc;
    (void)state;
    json_t *j = lint_json("query q() { match { $p: Nope } return { $p } }", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "error");
    json_t *r0 = json_array_get(json_object_get(j, "results"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "status")), "error");
    assert_non_null(strstr(json_string_value(json_object_get(r0, "error")), "T1"));
    assert_null(json_object_get(r0, "operation"));
    json_decref(j);
}

static void test_bad_schema_fails_the_call_with_a_message(void **state)
{
    char *out = (char *)1;
    const char *gq = "query q() { match { $p: Person } return { $p } }";
    (void)state;
    int rc = og_lint_sources("node {", 6, gq, strlen(gq), &out);
    assert_int_not_equal(rc, 0);
    assert_null(out);
    assert_non_null(strstr(og_errmsg(), "schema"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_read_query_reports_ok_with_descriptor),
        cmocka_unit_test(test_type_error_is_a_verdict_not_a_failure),
        cmocka_unit_test(test_bad_schema_fails_the_call_with_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
