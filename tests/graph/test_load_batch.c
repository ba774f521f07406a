/* test_load_batch.c — the strict graph-batch reader: record shapes, line
 * accounting, limits, JSON strictness, entity ids and their messages. */
#include "testutil.h"

#include "graph/load_json.h"
#include "load_testlib.h"

static const char *SCHEMA =
    "node Person {\n"
    "    name: String @key\n"
    "    age: I32?\n"
    "    tags: [String]?\n"
    "}\n"
    "node Company { name: String @key }\n"
    "node Note { body: String }\n"
    "node City {\n"
    "    name: String\n"
    "    country: String\n"
    "    @key(name, country)\n"
    "}\n"
    "node Counter { seq: U64 @key }\n"
    "node Reading { at: DateTime @key  v: F32? }\n"
    "node Day { d: Date @key }\n"
    "node Flag { on: Bool @key }\n"
    "node Ratio { r: F64 @key }\n"
    "edge Knows: Person -> Person { since: Date? }\n"
    "edge WorksAt: Person -> Company\n";

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

static og_status parse(const char *text, og_load_batch **b)
{
    return og_load_parse(cat, text, strlen(text), NULL, b);
}

/* Parses text expecting failure with code and a message containing want. */
static void expect_fail(const char *text, og_status code, const char *want)
{
    og_load_batch *b = NULL;
    og_status rc = parse(text, &b);
    if (rc == OG_OK || strstr(lt_errmsg(), want) == NULL) {
        fprintf(stderr, "input: %s\nwant: %s\ngot rc=%d: %s\n", text, want, rc, rc ? lt_errmsg() : "ok");
        og_load_batch_free(b);
        fail();
    }
    assert_int_equal(rc, code);
    assert_null(b);
}

static const og_load_table *table(const og_load_batch *b, const char *name)
{
    for (size_t i = 0; i < b->n_tables; i++)
        if (strcmp(b->tables[i].type->name, name) == 0) return &b->tables[i];
    return NULL;
}

static void test_crlf_and_blank_lines_are_skipped_and_counted(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("\r\n{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",\"age\":30}}\r\n   \t\r\n"
                   "{\"type\":\"Person\",\"data\":{\"name\":\"Bob\"}}\r\n\r\n"
                   "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\"}",
                   &b));
    assert_int_equal(b->n_entities, 3);
    assert_int_equal(table(b, "Person")->n_rows, 2);
    assert_int_equal(table(b, "Person")->rows[0].line, 2);
    assert_int_equal(table(b, "Person")->rows[1].line, 4);
    assert_int_equal(table(b, "Knows")->rows[0].line, 6);
    assert_string_equal(table(b, "Knows")->rows[0].src, "Alice");
    assert_string_equal(table(b, "Knows")->rows[0].dst, "Bob");
    assert_false(table(b, "Company")->touched);
    og_load_batch_free(b);
}

static void test_error_names_the_physical_line(void **state)
{
    (void)state;
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n\n{\"type\":\"Persn\",\"data\":{}}\n",
                OG_E_VALIDATION, "line 3: unknown node type 'Persn'");
    expect_fail("\n{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"name\":\"B\"}}", OG_E_PARSE,
                "invalid strict JSON at line 2: duplicate JSON member 'name'");
}

static void test_record_shape_refusals(void **state)
{
    (void)state;
    expect_fail("{\"data\":{}}", OG_E_VALIDATION, "line 1: graph batch record must contain exactly one of 'type' or 'edge'");
    expect_fail("[1,2]", OG_E_VALIDATION, "line 1: graph batch record must be a JSON object");
    expect_fail("{\"type\":7}", OG_E_VALIDATION, "line 1: field 'type' must be a string");
    expect_fail("{\"type\":\"Person\",\"data\":[]}", OG_E_VALIDATION, "line 1: field 'data' must be an object");
    expect_fail("{\"type\":\"Person\",\"from\":\"a\",\"data\":{\"name\":\"A\"}}", OG_E_VALIDATION,
                "field 'from' is only allowed on edge records");
    expect_fail("{\"edge\":\"Knows\",\"to\":\"b\"}", OG_E_VALIDATION, "edge record requires string field 'from'");
    expect_fail("{\"edge\":\"Knows\",\"from\":\"a\",\"to\":3}", OG_E_VALIDATION, "edge record requires string field 'to'");
    expect_fail("{\"edge\":\"Likes\",\"from\":\"a\",\"to\":\"b\"}", OG_E_VALIDATION, "line 1: unknown edge type 'Likes'");
    expect_fail("{\"type\":\"person\",\"data\":{\"name\":\"A\"}}", OG_E_VALIDATION, "unknown node type 'person'");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\"},\"_tombstone\":true}", OG_E_VALIDATION,
                "graph batch field '_tombstone' is reserved physical state");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"_row_created_at_version\":1}}", OG_E_VALIDATION,
                "input field '_row_created_at_version' for 'node:Person' is reserved physical state");
    expect_fail("{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\",\"data\":{\"dst\":\"c\"}}", OG_E_VALIDATION,
                "reserved structural state");
    expect_fail("{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\",\"data\":{\"weight\":1}}", OG_E_VALIDATION,
                "unknown input field 'weight' for 'edge:Knows'");
}

static void test_edge_type_matches_case_insensitively(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("{\"edge\":\"worksat\",\"from\":\"a\",\"to\":\"b\"}", &b));
    assert_int_equal(table(b, "WorksAt")->n_rows, 1);
    og_load_batch_free(b);
}

static void test_json_strictness(void **state)
{
    (void)state;
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\"}} {\"type\":\"Person\"}", OG_E_PARSE,
                "invalid strict JSON at line 1: trailing characters");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"tags\":[{\"k\":1,\"k\":2}]}}", OG_E_PARSE,
                "duplicate JSON member 'k'");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\",}}", OG_E_PARSE, "invalid strict JSON at line 1");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":'A'}}", OG_E_PARSE, "invalid strict JSON");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"age\":01}}", OG_E_PARSE, "invalid strict JSON");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"\xff\"}}", OG_E_PARSE, "invalid UTF-8");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"\\ud800\"}}", OG_E_PARSE, "lone surrogate");
    expect_fail("{\"type\":\"Person\",\"data\":{\"name\":\"a\tb\"}}", OG_E_PARSE, "control character");
}

static void test_duplicate_detection_in_wide_objects(void **state)
{
    og_buf t = OG_BUF_INIT;
    og_arena *a = og_arena_create(NULL, "t");
    og_lj *v = NULL;
    (void)state;
    og_buf_append_str(&t, "{");
    for (int i = 0; i < 200; i++) og_buf_printf(&t, "\"k%d\":%d,", i, i);
    og_buf_append_str(&t, "\"k17\":0}");
    assert_int_equal(og_lj_parse(a, t.data, t.len, 100000, &v, NULL), OG_E_PARSE);
    assert_non_null(strstr(og_error_last()->message, "duplicate JSON member 'k17'"));
    og_buf_clear(&t);
    og_buf_append_str(&t, "{");
    for (int i = 0; i < 200; i++) og_buf_printf(&t, "%s\"k%d\":%d", i ? "," : "", i, i);
    og_buf_append_str(&t, "}");
    OG_CHECK(og_lj_parse(a, t.data, t.len, 100000, &v, NULL));
    assert_int_equal(v->n, 200);
    assert_string_equal(og_lj_get(v, "k199")->s, "199");
    og_buf_free(&t);
    og_arena_destroy(a);
}

static void test_unicode_escapes_decode_to_utf8(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("{\"type\":\"Person\",\"data\":{\"name\":\"\\u00e9\\ud83d\\ude00\\n\"}}", &b));
    assert_string_equal(table(b, "Person")->rows[0].id, "\xc3\xa9\xf0\x9f\x98\x80\n");
    og_load_batch_free(b);
}

static void test_line_byte_limit(void **state)
{
    og_load_limits lim = {64, 0};
    og_load_batch *b = NULL;
    const char *ok = "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\r\n";
    const char *big = "{\"type\":\"Person\",\"data\":{\"name\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}\n";
    (void)state;
    OG_CHECK(og_load_parse(cat, ok, strlen(ok), &lim, &b));
    og_load_batch_free(b);
    b = NULL;
    assert_int_equal(og_load_parse(cat, big, strlen(big), &lim, &b), OG_E_LIMIT);
    assert_non_null(strstr(lt_errmsg(), "graph_batch_line_bytes at line 1"));
    assert_null(b);
}

static void test_structural_slot_limit(void **state)
{
    og_load_limits lim = {0, 12};
    og_load_batch *b = NULL;
    /* object, 2 keys+values, data object, key+value = 1+4+1+2... */
    const char *ok = "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}";
    const char *many = "{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}}";
    (void)state;
    OG_CHECK(og_load_parse(cat, ok, strlen(ok), &lim, &b));
    og_load_batch_free(b);
    b = NULL;
    assert_int_equal(og_load_parse(cat, many, strlen(many), &lim, &b), OG_E_LIMIT);
    assert_non_null(strstr(lt_errmsg(), "graph_batch_json_structural_slots"));
}

static void test_default_slot_limit_is_131072(void **state)
{
    og_buf t = OG_BUF_INIT;
    og_load_batch *b = NULL;
    (void)state;
    /* 1 object + 2 keys + 2 values + 1 data + 2 (name) + 2 (tags key + array) = 9 slots before items. */
    og_buf_append_str(&t, "{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"tags\":[");
    for (int i = 0; i < 131072 - 9; i++) og_buf_append_str(&t, i ? ",\"x\"" : "\"x\"");
    og_buf_append_str(&t, "]}}");
    OG_CHECK(og_load_parse(cat, t.data, t.len, NULL, &b));
    og_load_batch_free(b);
    b = NULL;
    t.len -= 3;
    og_buf_append_str(&t, ",\"x\"]}}");
    assert_int_equal(og_load_parse(cat, t.data, t.len, NULL, &b), OG_E_LIMIT);
    og_buf_free(&t);
}

static void test_deep_nesting_is_refused_not_crashing(void **state)
{
    og_buf t = OG_BUF_INIT;
    og_load_batch *b = NULL;
    (void)state;
    og_buf_append_str(&t, "{\"type\":\"Person\",\"data\":{\"name\":");
    for (int i = 0; i < 5000; i++) og_buf_append_byte(&t, '[');
    assert_int_equal(og_load_parse(cat, t.data, t.len, NULL, &b), OG_E_PARSE);
    assert_non_null(strstr(lt_errmsg(), "recursion limit"));
    og_buf_free(&t);
}

static void test_keyed_ids_are_canonical(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("{\"type\":\"City\",\"data\":{\"country\":\"de\",\"name\":\"berlin\"}}\n"
                   "{\"type\":\"Counter\",\"data\":{\"seq\":18446744073709551615}}\n"
                   "{\"type\":\"Reading\",\"data\":{\"at\":\"2026-04-29T12:30:15.123Z\",\"v\":0.1}}\n"
                   "{\"type\":\"Reading\",\"data\":{\"at\":1700000000000}}\n"
                   "{\"type\":\"Day\",\"data\":{\"d\":\"2026-04-29\"}}\n"
                   "{\"type\":\"Flag\",\"data\":{\"on\":false}}\n"
                   "{\"type\":\"Ratio\",\"data\":{\"r\":1.0}}\n"
                   "{\"type\":\"Ratio\",\"data\":{\"r\":-0.0}}\n"
                   "{\"type\":\"Ratio\",\"data\":{\"r\":2.5e-3}}\n",
                   &b));
    /* Composite: JSON array ordered by stable prop id (alphabetical at creation). */
    assert_string_equal(table(b, "City")->rows[0].id, "[\"de\",\"berlin\"]");
    assert_string_equal(table(b, "Counter")->rows[0].id, "18446744073709551615");
    assert_string_equal(table(b, "Reading")->rows[0].id, "1777465815123");
    assert_string_equal(table(b, "Reading")->rows[1].id, "1700000000000");
    assert_string_equal(table(b, "Day")->rows[0].id, "20572");
    assert_string_equal(table(b, "Flag")->rows[0].id, "false");
    assert_string_equal(table(b, "Ratio")->rows[0].id, "1");
    assert_string_equal(table(b, "Ratio")->rows[1].id, "0");
    assert_string_equal(table(b, "Ratio")->rows[2].id, "0.0025");
    og_load_batch_free(b);
}

static void test_supplied_id_must_equal_canonical_key(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("{\"type\":\"Counter\",\"data\":{\"id\":\"42\",\"seq\":42}}", &b));
    assert_true(table(b, "Counter")->rows[0].id_supplied);
    og_load_batch_free(b);
    expect_fail("{\"type\":\"Counter\",\"data\":{\"id\":\"042\",\"seq\":42}}", OG_E_VALIDATION,
                "node Counter explicit id '042' does not match its canonical @key id '42'");
    expect_fail("{\"type\":\"Person\",\"data\":{\"id\":7,\"name\":\"A\"}}", OG_E_VALIDATION,
                "field 'id' must be a string");
}

static void test_unkeyed_and_edge_ids_supplied_or_ulid(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("{\"type\":\"Note\",\"data\":{\"id\":\"n-1\",\"body\":\"x\"}}\n"
                   "{\"type\":\"Note\",\"data\":{\"body\":\"y\"}}\n"
                   "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\",\"data\":{\"id\":\"k1\"}}\n"
                   "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\"}\n",
                   &b));
    assert_string_equal(table(b, "Note")->rows[0].id, "n-1");
    assert_true(og_ulid_valid(table(b, "Note")->rows[1].id));
    assert_false(table(b, "Note")->rows[1].id_supplied);
    assert_string_equal(table(b, "Knows")->rows[0].id, "k1");
    assert_true(og_ulid_valid(table(b, "Knows")->rows[1].id));
    og_load_batch_free(b);
}

static void test_required_and_nullable_properties(void **state)
{
    og_load_batch *b = NULL;
    const og_load_table *t;
    (void)state;
    OG_CHECK(parse("{\"type\":\"Person\",\"data\":{\"name\":\"A\",\"age\":null}}\n"
                   "{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n",
                   &b));
    t = table(b, "Person");
    for (size_t r = 0; r < 2; r++) {
        assert_int_equal(t->rows[r].vals[og_decl_prop_index(t->type, "age")].kind, OG_VALUE_NULL);
        assert_int_equal(t->rows[r].vals[og_decl_prop_index(t->type, "tags")].kind, OG_VALUE_NULL);
    }
    og_load_batch_free(b);
    expect_fail("{\"type\":\"Note\",\"data\":{}}", OG_E_VALIDATION,
                "line 1: non-nullable property 'body' has null or invalid values");
    expect_fail("{\"type\":\"Note\",\"data\":{\"body\":null}}", OG_E_VALIDATION,
                "non-nullable property 'body' has null or invalid values");
    expect_fail("{\"type\":\"Note\"}", OG_E_VALIDATION, "non-nullable property 'body'");
}

static void test_empty_input_is_an_empty_batch(void **state)
{
    og_load_batch *b = NULL;
    (void)state;
    OG_CHECK(parse("", &b));
    assert_int_equal(b->n_entities, 0);
    og_load_batch_free(b);
    OG_CHECK(parse("\n\r\n  \n", &b));
    assert_int_equal(b->n_entities, 0);
    og_load_batch_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crlf_and_blank_lines_are_skipped_and_counted),
        cmocka_unit_test(test_error_names_the_physical_line),
        cmocka_unit_test(test_record_shape_refusals),
        cmocka_unit_test(test_edge_type_matches_case_insensitively),
        cmocka_unit_test(test_json_strictness),
        cmocka_unit_test(test_duplicate_detection_in_wide_objects),
        cmocka_unit_test(test_unicode_escapes_decode_to_utf8),
        cmocka_unit_test(test_line_byte_limit),
        cmocka_unit_test(test_structural_slot_limit),
        cmocka_unit_test(test_default_slot_limit_is_131072),
        cmocka_unit_test(test_deep_nesting_is_refused_not_crashing),
        cmocka_unit_test(test_keyed_ids_are_canonical),
        cmocka_unit_test(test_supplied_id_must_equal_canonical_key),
        cmocka_unit_test(test_unkeyed_and_edge_ids_supplied_or_ulid),
        cmocka_unit_test(test_required_and_nullable_properties),
        cmocka_unit_test(test_empty_input_is_an_empty_batch),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
