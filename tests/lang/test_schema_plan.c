/* test_schema_plan.c — migration planning against an accepted catalog
 * (surface.md §1.11): step kinds, modes, codes, identities, JSON shape. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/catalog.h"
#include "lang/schema_plan.h"

static const char *TEST_PG =
    "node Person {\n    name: String @key\n    age: I32?\n}\n\nnode Company {\n    name: String @key\n}\n\n"
    "edge Knows: Person -> Person {\n    since: Date?\n}\n\nedge WorksAt: Person -> Company\n";

static og_catalog *accepted(const char *src)
{
    og_catalog *c = NULL;
    OG_CHECK(og_catalog_compile(src, strlen(src), NULL, "01JDOMAIN", &c));
    return c;
}

static og_schema_plan *plan_for(const og_catalog *acc, const char *src, bool loss)
{
    og_schema_plan *p = NULL;
    OG_CHECK(og_schema_plan_build(acc, src, strlen(src), loss, &p));
    return p;
}

static size_t count_kind(const og_schema_plan *p, og_plan_step_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_steps; i++) n += p->steps[i].kind == k;
    return n;
}

static const og_plan_step *first(const og_schema_plan *p, og_plan_step_kind k)
{
    for (size_t i = 0; i < p->n_steps; i++) if (p->steps[i].kind == k) return &p->steps[i];
    return NULL;
}

/* Replaces the first `from` in TEST_PG with `to` (caller frees). */
static char *edit(const char *base, const char *from, const char *to)
{
    const char *at = strstr(base, from);
    assert_non_null(at);
    char *out = malloc(strlen(base) + strlen(to) + 1);
    sprintf(out, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
    return out;
}

static void test_identical_schema_gives_empty_supported_plan(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    og_schema_plan *p = plan_for(a, TEST_PG, false);
    og_buf j = OG_BUF_INIT;
    assert_true(p->supported);
    assert_int_equal(p->n_steps, 0);
    OG_CHECK(og_schema_plan_to_json(p, &j));
    assert_string_equal(j.data, "{\"step_count\":0,\"steps\":[],\"supported\":true}");
    og_buf_free(&j);
    og_schema_plan_free(p);
    og_catalog_free(a);
}

static void test_add_nullable_property_is_one_supported_step(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    char *src = edit(TEST_PG, "    age: I32?\n", "    age: I32?\n    nickname: String?\n");
    og_schema_plan *p = plan_for(a, src, false);
    og_buf j = OG_BUF_INIT, h = OG_BUF_INIT;
    assert_true(p->supported);
    assert_int_equal(p->n_steps, 1);
    assert_int_equal(p->steps[0].kind, OG_STEP_ADD_PROPERTY);
    assert_string_equal(p->steps[0].type_name, "Person");
    assert_string_equal(p->steps[0].property_name, "nickname");
    assert_int_equal(p->steps[0].prop_id, a->next_identity_id);
    OG_CHECK(og_schema_plan_to_json(p, &j));
    assert_non_null(strstr(j.data, "\"kind\":\"add_property\""));
    assert_non_null(strstr(j.data, "\"type_kind\":\"node\""));
    assert_non_null(strstr(j.data, "\"property_name\":\"nickname\""));
    assert_non_null(strstr(j.data, "\"step_count\":1"));
    OG_CHECK(og_schema_plan_render(p, &h));
    assert_string_equal(h.data, "add property 'Person.nickname' (String?) on node 'Person'\n");
    og_buf_free(&j);
    og_buf_free(&h);
    og_schema_plan_free(p);
    og_catalog_free(a);
    free(src);
}

static void test_add_required_property_is_unsupported_mf103(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    char *src = edit(TEST_PG, "    age: I32?\n", "    age: I32?\n    email: String\n");
    og_schema_plan *p = plan_for(a, src, false);
    og_buf r = OG_BUF_INIT;
    assert_false(p->supported);
    assert_string_equal(first(p, OG_STEP_UNSUPPORTED)->code, "OG-MF-103");
    OG_CHECK(og_schema_plan_refusal(p, &r));
    assert_non_null(strstr(r.data, "[OG-MF-103]"));
    og_buf_free(&r);
    og_schema_plan_free(p);
    og_catalog_free(a);
    free(src);
}

static void test_type_change_and_enum_narrowing_are_mf106(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    char *src = edit(TEST_PG, "age: I32?", "age: I64?");
    og_schema_plan *p = plan_for(a, src, false);
    og_buf j = OG_BUF_INIT;
    const og_plan_step *u = first(p, OG_STEP_UNSUPPORTED);
    assert_false(p->supported);
    assert_string_equal(u->code, "OG-MF-106");
    assert_string_equal(u->entity, "node:Person.age");
    assert_non_null(strstr(u->reason, "changing property type"));
    OG_CHECK(og_schema_plan_to_json(p, &j));
    assert_non_null(strstr(j.data, "\"kind\":\"unsupported_change\""));
    og_buf_free(&j);
    og_schema_plan_free(p);
    og_catalog_free(a);
    free(src);

    og_catalog *t = accepted("node Ticket {\n    slug: String @key\n    status: enum(todo, doing, done)\n}\n");
    p = plan_for(t, "node Ticket {\n    slug: String @key\n    status: enum(todo, done)\n}\n", false);
    assert_false(p->supported);
    assert_string_equal(first(p, OG_STEP_UNSUPPORTED)->code, "OG-MF-106");
    og_schema_plan_free(p);
    p = plan_for(t, "node Ticket {\n    slug: String @key\n    status: enum(todo, doing, done)?\n}\n", false);
    assert_false(p->supported); /* nullability change */
    og_schema_plan_free(p);
    p = plan_for(t, "node Ticket {\n    slug: String @key\n    status: String\n}\n", false);
    assert_false(p->supported); /* enum -> String */
    og_schema_plan_free(p);
    og_catalog_free(t);
}

static void test_enum_widening_is_extend_enum(void **state)
{
    (void)state;
    og_catalog *t = accepted("node Ticket {\n    slug: String @key\n    status: enum(todo, doing, done)\n}\n");
    og_schema_plan *p = plan_for(t, "node Ticket {\n    slug: String @key\n    status: enum(todo, doing, done, blocked)\n}\n", false);
    og_buf h = OG_BUF_INIT;
    assert_true(p->supported);
    assert_int_equal(p->n_steps, 1);
    assert_int_equal(p->steps[0].kind, OG_STEP_EXTEND_ENUM);
    OG_CHECK(og_schema_plan_render(p, &h));
    assert_string_equal(h.data, "extend enum 'Ticket.status' (+blocked) on node 'Ticket'\n");
    og_buf_free(&h);
    og_schema_plan_free(p);
    og_catalog_free(t);
}

static void test_drop_property_soft_by_default_hard_with_allow_data_loss(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    char *src = edit(TEST_PG, "    age: I32?\n", "");
    og_schema_plan *p = plan_for(a, src, false);
    assert_true(p->supported);
    assert_int_equal(p->n_steps, 1);
    assert_int_equal(p->steps[0].kind, OG_STEP_DROP_PROPERTY);
    assert_int_equal(p->steps[0].mode, OG_DROP_SOFT);
    assert_int_equal(p->steps[0].data_loss, OG_LOSS_RECOVERABLE);
    og_schema_plan_free(p);
    p = plan_for(a, src, true);
    assert_int_equal(p->steps[0].mode, OG_DROP_HARD);
    assert_int_equal(p->steps[0].data_loss, OG_LOSS_IRREVERSIBLE);
    og_buf j = OG_BUF_INIT;
    OG_CHECK(og_schema_plan_to_json(p, &j));
    assert_non_null(strstr(j.data, "\"mode\":\"hard\""));
    og_buf_free(&j);
    og_schema_plan_free(p);
    og_catalog_free(a);
    free(src);
}

static void test_drop_node_and_its_edge_are_two_soft_drop_types(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    og_schema_plan *p = plan_for(a, "node Person {\n    name: String @key\n    age: I32?\n}\n"
                                    "edge Knows: Person -> Person {\n    since: Date?\n}\n", false);
    assert_true(p->supported);
    assert_int_equal(count_kind(p, OG_STEP_DROP_TYPE), 2);
    assert_int_equal(p->steps[0].type_kind, OG_KIND_EDGE); /* edges drop first */
    assert_string_equal(p->steps[0].type_name, "WorksAt");
    assert_string_equal(p->steps[1].type_name, "Company");
    og_buf h = OG_BUF_INIT;
    OG_CHECK(og_schema_plan_render(p, &h));
    assert_string_equal(h.data, "drop edge type 'WorksAt' (soft mode)\ndrop node type 'Company' (soft mode)\n");
    og_buf_free(&h);
    og_schema_plan_free(p);
    og_catalog_free(a);
}

static void test_rename_type_and_property_are_renames_not_drops(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    og_schema_plan *p = plan_for(a,
        "node Human @rename_from(\"Person\") {\n    name: String @key\n    years: I32? @rename_from(\"age\")\n}\n"
        "node Company {\n    name: String @key\n}\nedge Knows: Human -> Human {\n    since: Date?\n}\n"
        "edge WorksAt: Human -> Company\n", false);
    og_buf h = OG_BUF_INIT;
    assert_true(p->supported); /* endpoints compared by identity */
    assert_int_equal(p->n_steps, 2);
    OG_CHECK(og_schema_plan_render(p, &h));
    assert_string_equal(h.data, "rename node type 'Person' -> 'Human'\n"
                                "rename property 'Human.age' -> 'Human.years' on node 'Human'\n");
    og_buf_free(&h);
    og_schema_plan_free(p);
    og_catalog_free(a);
}

static void test_add_type_and_add_index_supported_other_constraints_not(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    char *src = edit(TEST_PG, "node Company {\n    name: String @key\n}",
                     "node Company {\n    name: String @key @index\n}\nnode Team { label: String }");
    og_schema_plan *p = plan_for(a, src, false);
    og_buf h = OG_BUF_INIT;
    assert_true(p->supported);
    OG_CHECK(og_schema_plan_render(p, &h));
    assert_string_equal(h.data, "add constraint @index(name) on node 'Company'\nadd node type 'Team'\n");
    og_buf_free(&h);
    og_schema_plan_free(p);
    free(src);

    src = edit(TEST_PG, "age: I32?", "age: I32? @unique");
    p = plan_for(a, src, false);
    assert_false(p->supported);
    assert_non_null(strstr(first(p, OG_STEP_UNSUPPORTED)->reason, "adding constraint @unique(age)"));
    og_schema_plan_free(p);
    free(src);

    og_catalog *b = accepted("node P { slug: String @key\n n: I32? @index }");
    p = plan_for(b, "node P { slug: String @key\n n: I32? }", false);
    assert_false(p->supported);
    assert_non_null(strstr(first(p, OG_STEP_UNSUPPORTED)->reason, "removing constraint @index(n)"));
    og_schema_plan_free(p);
    og_catalog_free(b);
    og_catalog_free(a);
}

static void test_endpoint_card_metadata_and_custom_annotation_changes(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    char *src = edit(TEST_PG, "edge WorksAt: Person -> Company", "edge WorksAt: Person -> Person");
    og_schema_plan *p = plan_for(a, src, false);
    assert_false(p->supported);
    assert_non_null(strstr(first(p, OG_STEP_UNSUPPORTED)->reason, "endpoints"));
    og_schema_plan_free(p);
    free(src);

    src = edit(TEST_PG, "edge WorksAt: Person -> Company", "edge WorksAt: Person -> Company @card(0..1)");
    p = plan_for(a, src, false);
    assert_false(p->supported);
    og_schema_plan_free(p);
    free(src);

    src = edit(TEST_PG, "node Company {", "node Company @description(\"firms\") @instruction(\"x\") {");
    p = plan_for(a, src, false);
    assert_true(p->supported);
    assert_int_equal(p->steps[0].kind, OG_STEP_UPDATE_TYPE_METADATA);
    og_schema_plan_free(p);
    free(src);

    src = edit(TEST_PG, "age: I32?", "age: I32? @description(\"years\")");
    p = plan_for(a, src, false);
    assert_true(p->supported);
    assert_int_equal(p->steps[0].kind, OG_STEP_UPDATE_PROPERTY_METADATA);
    og_schema_plan_free(p);
    free(src);

    src = edit(TEST_PG, "age: I32?", "age: I32? @ui(hidden)");
    p = plan_for(a, src, false);
    assert_false(p->supported);
    og_schema_plan_free(p);
    free(src);
    og_catalog_free(a);
}

static void test_interface_changes_are_unsupported(void **state)
{
    (void)state;
    og_catalog *a = accepted("interface Named { name: String }\nnode P implements Named { x: I32? }\n");
    og_schema_plan *p = plan_for(a, "node P { name: String\n x: I32? }\n", false);
    assert_false(p->supported); /* implements list changed + interface removed */
    og_schema_plan_free(p);
    og_catalog_free(a);
}

static void test_bad_rename_hint_fails_the_plan(void **state)
{
    (void)state;
    og_catalog *a = accepted(TEST_PG);
    og_schema_plan *p = NULL;
    const char *src = "node Human @rename_from(\"Ghost\") { name: String @key }";
    assert_int_equal(og_schema_plan_build(a, src, strlen(src), false, &p), OG_E_VALIDATION);
    assert_null(p);
    og_catalog_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_schema_gives_empty_supported_plan),
        cmocka_unit_test(test_add_nullable_property_is_one_supported_step),
        cmocka_unit_test(test_add_required_property_is_unsupported_mf103),
        cmocka_unit_test(test_type_change_and_enum_narrowing_are_mf106),
        cmocka_unit_test(test_enum_widening_is_extend_enum),
        cmocka_unit_test(test_drop_property_soft_by_default_hard_with_allow_data_loss),
        cmocka_unit_test(test_drop_node_and_its_edge_are_two_soft_drop_types),
        cmocka_unit_test(test_rename_type_and_property_are_renames_not_drops),
        cmocka_unit_test(test_add_type_and_add_index_supported_other_constraints_not),
        cmocka_unit_test(test_endpoint_card_metadata_and_custom_annotation_changes),
        cmocka_unit_test(test_interface_changes_are_unsupported),
        cmocka_unit_test(test_bad_rename_hint_fails_the_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
