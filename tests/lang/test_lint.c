/* test_lint.c — lint results, descriptors, Q000, L201 and the hardcoded
 * mutation warning, as the reference's lint cases expect. */
#include "testutil.h"

#include <string.h>
#include "lang/catalog.h"
#include "lang/lint.h"

static og_lint_report *lint(const char *pg, const char *gq, og_catalog **cat)
{
    og_lint_report *r = NULL;
    OG_CHECK(og_catalog_compile(pg, strlen(pg), NULL, "", cat));
    OG_CHECK(og_lint_run(*cat, gq, strlen(gq), &r));
    return r;
}

static void done(og_lint_report *r, og_catalog *cat)
{
    og_lint_report_free(r);
    og_catalog_free(cat);
}

static void test_parse_failure_is_one_q000_error_and_no_results(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint("node Person { name: String }", "query q( {", &cat);
    assert_false(r->ok);
    assert_int_equal(r->n_results, 0);
    assert_int_equal(r->errors, 1);
    assert_int_equal(r->n_findings, 1);
    assert_true(r->findings[0].is_error);
    assert_string_equal(r->findings[0].code, "Q000");
    done(r, cat);
}

static void test_mixed_valid_and_invalid_keep_per_query_results(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint(
        "node Person {\nslug: String @key\nname: String?\n}\n",
        "query list_people($slug: String) {\nmatch { $p: Person { slug: $slug } }\n"
        "return { $p.name }\n}\n"
        "query bad_update($slug: String) {\nupdate Person set { missing: \"nope\" } "
        "where slug = $slug\n}\n", &cat);
    assert_false(r->ok);
    assert_int_equal(r->n_results, 2);
    assert_true(r->results[0].ok);
    assert_int_equal(r->results[0].n_result, 1);
    assert_string_equal(r->results[0].result[0].name, "name");
    assert_string_equal(r->results[0].result[0].kind, "string");
    assert_true(r->results[0].result[0].nullable);
    assert_int_equal(r->results[0].n_reads, 1);
    assert_false(r->results[0].reads[0].is_edge);
    assert_string_equal(r->results[0].reads[0].type_name, "Person");
    assert_int_equal(r->results[0].n_writes, 0);
    assert_false(r->results[1].ok);
    assert_string_equal(r->results[1].name, "bad_update");
    assert_non_null(strstr(r->results[1].error, "has no property"));
    assert_int_equal(r->results[1].n_result, 0);
    done(r, cat);
}

static void test_hardcoded_mutation_warning_and_edge_insert_reads(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint(
        "node Person {\nslug: String @key\nname: String?\n}\n"
        "edge Knows: Person -> Person @card(0..1)\n",
        "query list_people() {\nmatch { $p: Person }\nreturn { $p.name }\n}\n"
        "query insert_person() {\ninsert Person { slug: \"p1\", name: \"P1\" }\n}\n"
        "query insert_knows($from: String, $to: String) {\ninsert Knows { from: $from, to: $to }\n}\n",
        &cat);
    assert_true(r->ok);
    assert_null(r->results[0].warning);
    assert_string_equal(r->results[1].warning,
                        "mutation declares no params; hardcoded mutations are easy to miss");
    assert_int_equal(r->warnings, 1);
    assert_int_equal(r->results[1].n_result, 0);
    assert_int_equal(r->results[2].n_reads, 2);
    assert_false(r->results[2].reads[0].is_edge);
    assert_string_equal(r->results[2].reads[0].type_name, "Person");
    assert_true(r->results[2].reads[1].is_edge);
    assert_int_equal(r->results[2].n_writes, 1);
    assert_string_equal(r->results[2].writes[0].type_name, "Knows");
    done(r, cat);
}

static void test_l201_nullable_uncovered_fields_sorted_with_query_names(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint(
        "node Policy {\nslug: String @key\nc_field: String?\nb_field: String?\na_field: String?\n}\n",
        "query update_b($slug: String) {\nupdate Policy set { a_field: \"x\" } where slug = $slug\n}\n"
        "query update_a($slug: String) {\nupdate Policy set { a_field: \"x\" } where slug = $slug\n}\n",
        &cat);
    assert_int_equal(r->n_findings, 2);
    assert_string_equal(r->findings[0].property, "b_field");
    assert_string_equal(r->findings[1].property, "c_field");
    assert_string_equal(r->findings[0].code, "L201");
    assert_string_equal(r->findings[0].message,
                        "Policy.b_field exists in schema but no update query sets it");
    assert_int_equal(r->findings[0].n_query_names, 2);
    assert_string_equal(r->findings[0].query_names[0], "update_a");
    assert_string_equal(r->findings[0].query_names[1], "update_b");
    assert_true(r->ok);
    done(r, cat);
}

static void test_l201_skips_embed_targets_and_needs_an_update(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint(
        "node Doc {\nslug: String @key\nbody: String?\nsummary: String?\n"
        "embedding: Vector(3)? @embed(body)\n}\n",
        "query update_doc($slug: String, $body: String) {\nupdate Doc set { body: $body } "
        "where slug = $slug\n}\n", &cat);
    assert_int_equal(r->n_findings, 1);
    assert_string_equal(r->findings[0].property, "summary");
    done(r, cat);
    r = lint("node Policy {\nslug: String @key\neffectiveTo: DateTime?\n}\n",
             "query insert_policy($slug: String) {\ninsert Policy { slug: $slug }\n}\n", &cat);
    assert_int_equal(r->n_findings, 0);
    done(r, cat);
}

static void test_descriptor_kinds_and_recursive_reads(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint(
        "node Doc {\nslug: String @key\ncount: I32\ntotal: I64\nscore: F64\ntags: [Date]?\n"
        "embedding: Vector(3)\ncreatedAt: DateTime?\n}\n",
        "query describe_doc() {\nmatch { $d: Doc }\nreturn {\n $d.slug\n $d.count\n $d.total\n"
        " $d.score\n $d.tags\n $d.embedding\n $d.createdAt\n $d\n}\n}\n", &cat);
    static const char *const kinds[] = {"string", "int", "bigint", "float", "list", "vector",
                                        "datetime", "object"};
    const og_lint_result *q = &r->results[0];
    assert_int_equal(q->n_result, 8);
    for (size_t i = 0; i < 8; i++) assert_string_equal(q->result[i].kind, kinds[i]);
    assert_string_equal(q->result[4].item_kind, "date");
    assert_true(q->result[4].nullable);
    assert_int_equal(q->result[5].vector_dim, 3);
    assert_string_equal(q->result[7].name, "d");
    assert_false(q->result[7].nullable);
    done(r, cat);
    r = lint("node Person { name: String }\nnode Company { name: String }\n"
             "edge WorksAt: Person -> Company\n",
             "query unemployed() {\nmatch {\n $p: Person\n not { $p worksAt $_ }\n}\n"
             "return { $p.name }\n}\n", &cat);
    q = &r->results[0];
    assert_int_equal(q->n_reads, 3);
    assert_string_equal(q->reads[0].type_name, "Company");
    assert_string_equal(q->reads[1].type_name, "Person");
    assert_true(q->reads[2].is_edge);
    assert_string_equal(q->reads[2].type_name, "WorksAt");
    done(r, cat);
}

static void test_node_delete_reads_and_writes_incident_edges(void **state)
{
    og_catalog *cat;
    (void)state;
    og_lint_report *r = lint(
        "node Person { slug: String @key }\nnode Company { slug: String @key }\n"
        "edge Knows: Person -> Person\nedge WorksAt: Person -> Company\n"
        "edge Partners: Company -> Company\n",
        "query delete_person($slug: String) {\ndelete Person where slug = $slug\n}\n", &cat);
    const og_lint_result *q = &r->results[0];
    static const char *const names[] = {"Person", "Knows", "WorksAt"};
    assert_int_equal(q->n_reads, 3);
    assert_int_equal(q->n_writes, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(q->reads[i].type_name, names[i]);
        assert_string_equal(q->writes[i].type_name, names[i]);
    }
    done(r, cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_failure_is_one_q000_error_and_no_results),
        cmocka_unit_test(test_mixed_valid_and_invalid_keep_per_query_results),
        cmocka_unit_test(test_hardcoded_mutation_warning_and_edge_insert_reads),
        cmocka_unit_test(test_l201_nullable_uncovered_fields_sorted_with_query_names),
        cmocka_unit_test(test_l201_skips_embed_targets_and_needs_an_update),
        cmocka_unit_test(test_descriptor_kinds_and_recursive_reads),
        cmocka_unit_test(test_node_delete_reads_and_writes_incident_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
