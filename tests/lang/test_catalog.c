/* test_catalog.c — stable identities, IR JSON round trip and hashes,
 * rename keeps ids, entity-id spellings (surface.md §1.8, internals §6.1). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/catalog.h"

#define DOMAIN "01JTESTDOMAIN0000000000000"

static og_catalog *compile(const char *src, const og_catalog *acc)
{
    og_catalog *c = NULL;
    OG_CHECK(og_catalog_compile(src, strlen(src), acc, DOMAIN, &c));
    return c;
}

static const char *TEST_PG =
    "node Person {\n    name: String @key\n    age: I32?\n}\n\nnode Company {\n    name: String @key\n}\n\n"
    "edge Knows: Person -> Person {\n    since: Date?\n}\n\nedge WorksAt: Person -> Company\n";

static void test_fresh_ids_follow_canonical_allocation_order(void **state)
{
    (void)state;
    og_catalog *c = compile(TEST_PG, NULL);
    /* types by (kind, name): Company, Person, Knows, WorksAt */
    assert_string_equal(c->types[0].name, "Company");
    assert_int_equal(c->types[0].type_id, 1);
    assert_int_equal(c->types[1].type_id, 2);
    assert_int_equal(og_catalog_find_edge(c, "Knows")->type_id, 3);
    assert_int_equal(og_catalog_find_edge(c, "WorksAt")->type_id, 4);
    /* props by (owner id, name): Company.name=5, Person.age=6, Person.name=7, Knows.since=8 */
    assert_int_equal(og_decl_find_prop(og_catalog_find_node(c, "Company"), "name")->prop_id, 5);
    assert_int_equal(og_decl_find_prop(og_catalog_find_node(c, "Person"), "age")->prop_id, 6);
    assert_int_equal(og_decl_find_prop(og_catalog_find_node(c, "Person"), "name")->prop_id, 7);
    assert_int_equal(og_decl_find_prop(og_catalog_find_edge(c, "knows"), "since")->prop_id, 8);
    /* incarnations by type id */
    assert_int_equal(c->types[0].table_incarnation_id, 9);
    assert_int_equal(og_catalog_find_edge(c, "WorksAt")->table_incarnation_id, 12);
    assert_int_equal(c->next_identity_id, 13);
    assert_string_equal(c->identity_domain, DOMAIN);
    og_catalog_free(c);
}

static void test_source_order_does_not_change_ids_or_hash(void **state)
{
    (void)state;
    og_catalog *a = compile(TEST_PG, NULL);
    og_catalog *b = compile("edge WorksAt: Person -> Company\nedge Knows: Person -> Person { since: Date? }\n"
                            "node Company { name: String @key }\nnode Person { name: String @key\n age: I32? }\n", NULL);
    char ha[OG_CATALOG_HASH_HEX], hb[OG_CATALOG_HASH_HEX];
    OG_CHECK(og_catalog_ir_hash(a, ha));
    OG_CHECK(og_catalog_ir_hash(b, hb));
    assert_string_equal(ha, hb);
    og_catalog_free(a);
    og_catalog_free(b);
}

static void test_ir_json_round_trip_keeps_hash_and_bytes(void **state)
{
    (void)state;
    const char *src =
        "interface Named { name: String @key @description(\"n\") }\n"
        "node Company implements Named { tier: enum(free, pro) @index }\n"
        "node Person @description(\"A human\") @instruction(\"be nice\") @team(core, lead=\"x\") implements Named {\n"
        "  email: String?\n  age: I32?\n  bio: String?\n  embedding: Vector(4)? @embed(\"bio\", model=\"m/x\")\n"
        "  tags: [String]?\n  photo: Blob?\n  @unique(email)\n  @range(age, -1..150)\n  @check(email, \"^a\\\\b\")\n}\n"
        "edge WorksAt: Person -> Company @card(1..3) { since: Date?\n @unique(src, dst)\n @index(since) }\n";
    og_catalog *c = compile(src, NULL), *d = NULL;
    og_buf j1 = OG_BUF_INIT, j2 = OG_BUF_INIT;
    char h1[OG_CATALOG_HASH_HEX], h2[OG_CATALOG_HASH_HEX], s1[OG_CATALOG_HASH_HEX], s2[OG_CATALOG_HASH_HEX];
    OG_CHECK(og_catalog_to_ir_json(c, &j1));
    OG_CHECK(og_catalog_from_ir_json(j1.data, j1.len, &d));
    OG_CHECK(og_catalog_to_ir_json(d, &j2));
    assert_string_equal(j1.data, j2.data);
    OG_CHECK(og_catalog_ir_hash(c, h1));
    OG_CHECK(og_catalog_ir_hash(d, h2));
    assert_string_equal(h1, h2);
    assert_int_equal(strlen(h1), 32);
    OG_CHECK(og_catalog_shape_hash(c, s1));
    OG_CHECK(og_catalog_shape_hash(d, s2));
    assert_string_equal(s1, s2);
    assert_string_not_equal(h1, s1);
    /* loaded catalog answers the same questions */
    const og_decl *p = og_catalog_find_node(d, "Person");
    assert_string_equal(p->instruction, "be nice");
    assert_string_equal(og_decl_find_prop(p, "embedding")->embed_model, "m/x");
    assert_true(og_decl_find_prop(p, "name")->is_key);
    assert_int_equal(og_decl_find_prop(p, "name")->n_satisfies, 1);
    assert_int_equal(og_catalog_find_edge(d, "worksat")->card_max, 3);
    og_buf_free(&j1);
    og_buf_free(&j2);
    og_catalog_free(c);
    og_catalog_free(d);
}

static void test_shape_hash_ignores_identity_domain(void **state)
{
    (void)state;
    og_catalog *a = NULL, *b = NULL;
    char ha[OG_CATALOG_HASH_HEX], hb[OG_CATALOG_HASH_HEX];
    OG_CHECK(og_catalog_compile(TEST_PG, strlen(TEST_PG), NULL, "DOMAINA", &a));
    OG_CHECK(og_catalog_compile(TEST_PG, strlen(TEST_PG), NULL, "DOMAINB", &b));
    OG_CHECK(og_catalog_shape_hash(a, ha));
    OG_CHECK(og_catalog_shape_hash(b, hb));
    assert_string_equal(ha, hb);
    OG_CHECK(og_catalog_ir_hash(a, ha));
    OG_CHECK(og_catalog_ir_hash(b, hb));
    assert_string_not_equal(ha, hb);
    og_catalog_free(a);
    og_catalog_free(b);
}

static void test_ir_reader_refuses_bad_input(void **state)
{
    (void)state;
    og_catalog *c = compile(TEST_PG, NULL), *d = NULL;
    og_buf j = OG_BUF_INIT;
    OG_CHECK(og_catalog_to_ir_json(c, &j));
    static const struct { const char *from, *to; og_code code; } muts[] = {
        {"\"ir_version\": 2", "\"ir_version\": 3", OG_E_UNSUPPORTED},
        {"\"next_identity_id\": 13", "\"next_identity_id\": 5", OG_E_CORRUPT},
        {"\"type_id\": 2", "\"type_id\": 1", OG_E_CORRUPT},
        {"\"from\": \"Person\"", "\"from\": \"Nobody\"", OG_E_CORRUPT},
        {"\"scalar\": \"I32\"", "\"scalar\": \"I33\"", OG_E_CORRUPT},
    };
    for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++) {
        char *at = strstr(j.data, muts[i].from);
        og_buf m = OG_BUF_INIT;
        assert_non_null(at);
        OG_CHECK(og_buf_append(&m, j.data, (size_t)(at - j.data)));
        OG_CHECK(og_buf_append_str(&m, muts[i].to));
        OG_CHECK(og_buf_append_str(&m, at + strlen(muts[i].from)));
        assert_int_equal(og_catalog_from_ir_json(m.data, m.len, &d), muts[i].code);
        assert_null(d);
        og_buf_free(&m);
    }
    assert_int_equal(og_catalog_from_ir_json("{", 1, &d), OG_E_CORRUPT);
    assert_int_equal(og_catalog_from_ir_json("[]", 2, &d), OG_E_CORRUPT);
    assert_true(strstr(og_error_last()->message, "schema IR") != NULL);
    og_buf_free(&j);
    og_catalog_free(c);
}

static void test_rename_keeps_type_prop_and_incarnation_ids(void **state)
{
    (void)state;
    og_catalog *a = compile(TEST_PG, NULL);
    const char *renamed =
        "node Human @rename_from(\"Person\") {\n name: String @key\n years: I32? @rename_from(\"age\")\n}\n"
        "node Company { name: String @key }\nedge Knows: Human -> Human { since: Date? }\nedge WorksAt: Human -> Company\n";
    og_catalog *b = compile(renamed, a);
    const og_decl *p = og_catalog_find_node(a, "Person"), *h = og_catalog_find_node(b, "Human");
    assert_non_null(h);
    assert_int_equal(h->type_id, p->type_id);
    assert_int_equal(h->table_incarnation_id, p->table_incarnation_id);
    assert_string_equal(h->rename_from, "Person");
    assert_int_equal(og_decl_find_prop(h, "years")->prop_id, og_decl_find_prop(p, "age")->prop_id);
    assert_int_equal(b->next_identity_id, a->next_identity_id); /* nothing new */
    assert_string_equal(b->identity_domain, a->identity_domain);
    og_catalog_free(b);
    og_catalog_free(a);
}

static void test_drop_then_readd_allocates_new_ids(void **state)
{
    (void)state;
    og_catalog *a = compile(TEST_PG, NULL);
    og_catalog *b = compile("node Person { name: String @key }\nnode Company { name: String @key }\n", a);
    og_catalog *c = compile(TEST_PG, b);
    const og_property *age_a = og_decl_find_prop(og_catalog_find_node(a, "Person"), "age");
    const og_property *age_c = og_decl_find_prop(og_catalog_find_node(c, "Person"), "age");
    assert_true(age_c->prop_id >= a->next_identity_id);
    assert_int_not_equal(age_c->prop_id, age_a->prop_id);
    assert_int_not_equal(og_catalog_find_edge(c, "Knows")->table_incarnation_id,
                         og_catalog_find_edge(a, "Knows")->table_incarnation_id);
    assert_int_equal(og_catalog_find_node(c, "Person")->type_id, og_catalog_find_node(a, "Person")->type_id);
    og_catalog_free(c);
    og_catalog_free(b);
    og_catalog_free(a);
}

static void test_bad_rename_hints_fail_with_validation(void **state)
{
    (void)state;
    og_catalog *a = compile(TEST_PG, NULL), *b = NULL;
    const char *missing = "node Human @rename_from(\"Nobody\") { name: String @key }";
    assert_int_equal(og_catalog_compile(missing, strlen(missing), a, NULL, &b), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message,
                           "declares @rename_from(\"Nobody\") but no accepted declaration has that name"));
    const char *cross = "node Rel @rename_from(\"Knows\") { name: String @key }";
    assert_int_equal(og_catalog_compile(cross, strlen(cross), a, NULL, &b), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "cannot change kind"));
    const char *two = "node Person { name: String @key }\nnode Human @rename_from(\"Person\") { name: String @key }";
    assert_int_equal(og_catalog_compile(two, strlen(two), a, NULL, &b), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "both claim"));
    const char *prop = "node Person { name: String @key\n yrs: I32? @rename_from(\"old\") }";
    assert_int_equal(og_catalog_compile(prop, strlen(prop), a, NULL, &b), OG_E_VALIDATION);
    assert_null(b);
    og_catalog_free(a);
}

static void test_composite_key_orders_by_prop_id_not_argument_order(void **state)
{
    (void)state;
    og_catalog *c = compile("node City { zip: String\n at: DateTime\n country: String\n @key(zip, at) }", NULL);
    const og_decl *t = og_catalog_find_node(c, "City");
    const og_property *kp[4];
    assert_int_equal(og_decl_key_props(t, kp, 4), 2);
    assert_string_equal(kp[0]->name, "at"); /* alphabetical allocation: at < zip */
    assert_string_equal(kp[1]->name, "zip");
    const char *canon[2] = {"berlin", "1700000000000"};
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_entity_id_compose(canon, 2, &b));
    assert_string_equal(b.data, "[\"berlin\",\"1700000000000\"]");
    og_buf_clear(&b);
    const char *q[1] = {"a\"b"};
    OG_CHECK(og_entity_id_compose(q, 1, &b));
    assert_string_equal(b.data, "a\"b");
    og_buf_clear(&b);
    const char *q2[2] = {"a\"b", "c\\d"};
    OG_CHECK(og_entity_id_compose(q2, 2, &b));
    assert_string_equal(b.data, "[\"a\\\"b\",\"c\\\\d\"]");
    og_buf_free(&b);
    og_catalog *u = compile("node U { x: I32 }", NULL);
    assert_int_equal(og_decl_key_props(og_catalog_find_node(u, "U"), kp, 4), 0);
    og_catalog_free(u);
    og_catalog_free(c);
}

static void check_float(double v, bool f32, const char *want)
{
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_entity_id_canon_float(v, f32, &b));
    if (strcmp(b.data, want)) { fprintf(stderr, "%.17g -> %s, want %s\n", v, b.data, want); fail(); }
    og_buf_free(&b);
}

static void test_canonical_key_spellings(void **state)
{
    (void)state;
    og_buf b = OG_BUF_INIT;
    check_float(1.0, false, "1");
    check_float(0.1, true, "0.1");
    check_float(0.1, false, "0.1");
    check_float(-0.0, false, "0");
    check_float(1e21, false, "1000000000000000000000");
    check_float(1.5e-7, false, "0.00000015");
    check_float(-2.5, false, "-2.5");
    check_float(123.456, false, "123.456");
    check_float(16777217.0, true, "16777216");
    assert_int_equal(og_entity_id_canon_float(NAN, false, &b), OG_E_VALIDATION);
    assert_int_equal(og_entity_id_canon_float(INFINITY, false, &b), OG_E_VALIDATION);
    assert_int_equal(og_entity_id_canon_float(1e300, true, &b), OG_E_VALIDATION);
    OG_CHECK(og_entity_id_canon_i64(INT64_MIN, &b));
    assert_string_equal(b.data, "-9223372036854775808");
    og_buf_clear(&b);
    OG_CHECK(og_entity_id_canon_u64(UINT64_MAX, &b));
    assert_string_equal(b.data, "18446744073709551615");
    og_buf_clear(&b);
    OG_CHECK(og_entity_id_canon_bool(true, &b));
    assert_string_equal(b.data, "true");
    og_buf_free(&b);
}

static void test_type_rendering_and_reserved_names(void **state)
{
    (void)state;
    og_catalog *c = compile("node A { a: [I64]?\n v: Vector(3)\n e: enum(b, a)? }", NULL);
    const og_decl *t = og_catalog_find_node(c, "A");
    const char *want[3] = {"[I64]?", "Vector(3)", "enum(a, b)?"};
    for (size_t i = 0; i < 3; i++) {
        og_buf b = OG_BUF_INIT;
        OG_CHECK(og_prop_type_render(&t->props[i].type, &b));
        assert_string_equal(b.data, want[i]);
        og_buf_free(&b);
    }
    assert_true(og_catalog_name_reserved("_rowid"));
    assert_false(og_catalog_name_reserved("_row_id"));
    assert_null(og_catalog_find_node(c, "a"));
    assert_null(og_catalog_find_by_id(c, 999));
    og_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh_ids_follow_canonical_allocation_order),
        cmocka_unit_test(test_source_order_does_not_change_ids_or_hash),
        cmocka_unit_test(test_ir_json_round_trip_keeps_hash_and_bytes),
        cmocka_unit_test(test_shape_hash_ignores_identity_domain),
        cmocka_unit_test(test_ir_reader_refuses_bad_input),
        cmocka_unit_test(test_rename_keeps_type_prop_and_incarnation_ids),
        cmocka_unit_test(test_drop_then_readd_allocates_new_ids),
        cmocka_unit_test(test_bad_rename_hints_fail_with_validation),
        cmocka_unit_test(test_composite_key_orders_by_prop_id_not_argument_order),
        cmocka_unit_test(test_canonical_key_spellings),
        cmocka_unit_test(test_type_rendering_and_reserved_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
