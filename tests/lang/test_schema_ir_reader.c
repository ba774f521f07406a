/* test_schema_ir_reader.c — the validating reader of `_schema.ir.json` on
 * hand-edited IR: identity checks (zero, out-of-allocator and reused ids),
 * version refusal, and that read + write is a fixpoint for non-canonical
 * but valid input (what fuzz_schema_ir asserts on arbitrary bytes). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "lang/catalog.h"

#define DOMAIN "01JIRREADER000000000000000"

/* Ids: A=1, B=2, E=3, A.x=4, B.y=5, incarnations 6, 7, 8; next 9. */
static const char *PG = "node A { x: String @key }\nnode B { y: I32? }\nedge E: A -> B\n";

static char *ir_text(void)
{
    og_catalog *c = NULL;
    og_buf b = OG_BUF_INIT;
    char *s;
    OG_CHECK(og_catalog_compile(PG, strlen(PG), NULL, DOMAIN, &c));
    OG_CHECK(og_catalog_to_ir_json(c, &b));
    s = malloc(b.len + 1);
    assert_non_null(s);
    memcpy(s, b.data, b.len);
    s[b.len] = 0;
    og_buf_free(&b);
    og_catalog_free(c);
    return s;
}

/* Returns a copy of s with the first `from` replaced by `to`. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    size_t n;
    char *out;
    assert_non_null(at);
    n = strlen(s) - strlen(from) + strlen(to);
    out = malloc(n + 1);
    assert_non_null(out);
    snprintf(out, n + 1, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

static void expect_corrupt(const char *text, const char *msg)
{
    og_catalog *c = NULL;
    assert_int_equal(og_catalog_from_ir_json(text, strlen(text), &c), OG_E_CORRUPT);
    assert_null(c);
    assert_non_null(strstr(og_error_last()->message, msg));
}

static void test_unedited_ir_loads(void **state)
{
    og_catalog *c = NULL;
    char *s = ir_text();
    (void)state;
    OG_CHECK(og_catalog_from_ir_json(s, strlen(s), &c));
    assert_int_equal(c->n_types, 3);
    assert_int_equal(c->next_identity_id, 9);
    og_catalog_free(c);
    free(s);
}

static void test_type_id_reused_by_another_type_is_corrupt(void **state)
{
    char *s = ir_text(), *t = replace(s, "\"type_id\": 2", "\"type_id\": 1");
    (void)state;
    expect_corrupt(t, "id used twice");
    free(s);
    free(t);
}

static void test_prop_id_equal_to_an_incarnation_id_is_corrupt(void **state)
{
    char *s = ir_text(), *t = replace(s, "\"prop_id\": 5", "\"prop_id\": 8");
    (void)state;
    expect_corrupt(t, "id used twice");
    free(s);
    free(t);
}

static void test_id_at_or_above_next_identity_id_is_corrupt(void **state)
{
    char *s = ir_text(), *t = replace(s, "\"prop_id\": 4", "\"prop_id\": 9");
    (void)state;
    expect_corrupt(t, "not below next_identity_id");
    free(s);
    free(t);
}

static void test_zero_id_is_corrupt(void **state)
{
    char *s = ir_text(), *t = replace(s, "\"table_incarnation_id\": 7", "\"table_incarnation_id\": 0");
    (void)state;
    expect_corrupt(t, "id is zero");
    free(s);
    free(t);
}

static void test_newer_ir_version_is_refused_naming_both(void **state)
{
    char *s = ir_text(), *t = replace(s, "\"ir_version\": 2", "\"ir_version\": 3");
    og_catalog *c = NULL;
    (void)state;
    assert_int_equal(og_catalog_from_ir_json(t, strlen(t), &c), OG_E_UNSUPPORTED);
    assert_non_null(strstr(og_error_last()->message, "3"));
    assert_non_null(strstr(og_error_last()->message, "2"));
    free(s);
    free(t);
}

static void test_compact_ir_reads_and_rewrites_canonically(void **state)
{
    char *s = ir_text();
    og_catalog *c = NULL;
    og_buf b = OG_BUF_INIT;
    char compact[4096];
    size_t n = 0;
    bool in_str = false;
    (void)state;
    /* strip insignificant whitespace */
    for (const char *p = s; *p && n + 1 < sizeof compact; p++) {
        if (*p == '"' && (p == s || p[-1] != '\\')) in_str = !in_str;
        if (!in_str && (*p == ' ' || *p == '\n')) continue;
        compact[n++] = *p;
    }
    compact[n] = 0;
    assert_true(n < strlen(s));
    OG_CHECK(og_catalog_from_ir_json(compact, n, &c));
    OG_CHECK(og_catalog_to_ir_json(c, &b));
    assert_int_equal(b.len, strlen(s));
    assert_memory_equal(b.data, s, b.len);
    og_buf_free(&b);
    og_catalog_free(c);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unedited_ir_loads),
        cmocka_unit_test(test_type_id_reused_by_another_type_is_corrupt),
        cmocka_unit_test(test_prop_id_equal_to_an_incarnation_id_is_corrupt),
        cmocka_unit_test(test_id_at_or_above_next_identity_id_is_corrupt),
        cmocka_unit_test(test_zero_id_is_corrupt),
        cmocka_unit_test(test_newer_ir_version_is_refused_naming_both),
        cmocka_unit_test(test_compact_ir_reads_and_rewrites_canonically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
