/* test_gq_parse.c — the .gq parser: fixture files, tree shape, errors with
 * line/column. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/query_ast.h"

static char *read_data(const char *name, size_t *len)
{
    char path[1024];
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    snprintf(path, sizeof path, "%.*s/../data/lang/%s", (int)(slash - here), here, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

static og_gq_file *parse_ok(const char *src)
{
    og_gq_file *f = NULL;
    OG_CHECK(og_gq_parse(src, strlen(src), &f));
    assert_non_null(f);
    return f;
}

/* Asserts a parse error whose message contains want and "line L, column C". */
static void parse_fails_at(const char *src, unsigned line, unsigned col, const char *want)
{
    og_gq_file *f = NULL;
    og_status rc = og_gq_parse(src, strlen(src), &f);
    assert_int_equal(rc, OG_E_PARSE);
    assert_null(f);
    const char *msg = og_error_last()->message;
    char where[64];
    snprintf(where, sizeof where, "line %u, column %u:", line, col);
    if (!strstr(msg, where) || (want && !strstr(msg, want)) || strncmp(msg, "parse error: ", 13))
        fail_msg("message `%s` lacks `%s` / `%s`", msg, where, want ? want : "");
}

static void test_fixture_files_parse_with_expected_query_counts(void **state)
{
    static const struct { const char *file; size_t n; } files[] = {
        {"test.gq", 11}, {"search.gq", 8}, {"sys_datatypes.gq", 4},
        {"helpers_mutation_queries.gq", 6}, {"writes_staged_queries.gq", 8},
        {"cli_add_friend.gq", 1}, {"cli_insert_person.gq", 1}, {"lint_bad_update.gq", 1},
        {"lint_broken.gq", 1}, {"lint_list_people.gq", 1}, {"lint_policy_warn.gq", 2},
        {"lint_update_policy.gq", 1}};
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t len;
        char *src = read_data(files[i].file, &len);
        og_gq_file *f = NULL;
        og_status rc = og_gq_parse(src, len, &f);
        if (rc != OG_OK) fail_msg("%s: %s", files[i].file, og_error_last()->message);
        assert_int_equal(f->n_queries, files[i].n);
        og_gq_file_free(f);
        free(src);
    }
}

static void test_read_query_shape_binding_traversal_filter_not(void **state)
{
    (void)state;
    og_gq_file *f = parse_ok(
        "query fof($name: String, $min: I64?) @description(\"2-hop\") {\n"
        "  match {\n"
        "    $p: Person { name: $name, tags: \"x\" }\n"
        "    $p knows{1,2} $f\n"
        "    $f.age >= 18\n"
        "    $p $w:<related> $r\n"
        "    not { $f worksAt $_ }\n"
        "    $f.name starts_with \"A\"\n"
        "  }\n"
        "  return { $f.name as n, count($f) as c $p }\n"
        "  order { c desc, $f.name }\n"
        "  limit 20\n"
        "}\n");
    assert_int_equal(f->n_queries, 1);
    const og_gq_query *q = og_gq_file_find(f, "fof");
    assert_non_null(q);
    assert_string_equal(q->description, "2-hop");
    assert_int_equal(q->n_params, 2);
    assert_int_equal(q->params[0].type.base, OG_GQ_STRING);
    assert_false(q->params[0].type.nullable);
    assert_int_equal(q->params[1].type.base, OG_GQ_I64);
    assert_true(q->params[1].type.nullable);
    assert_false(q->is_mutation);
    assert_int_equal(q->n_clauses, 6);
    const og_gq_clause *c = &q->clauses[0];
    assert_int_equal(c->kind, OG_GQ_C_BINDING);
    assert_string_equal(c->var, "p");
    assert_string_equal(c->type_name, "Person");
    assert_int_equal(c->n_pmatches, 2);
    assert_int_equal(c->pmatches[0].value->kind, OG_GQ_E_VAR);
    assert_int_equal(c->pmatches[1].value->lit.kind, OG_GQ_LIT_STRING);
    c = &q->clauses[1];
    assert_int_equal(c->kind, OG_GQ_C_TRAVERSAL);
    assert_string_equal(c->edge, "knows");
    assert_true(c->has_bounds);
    assert_int_equal(c->min_hops, 1);
    assert_int_equal(c->max_hops, 2);
    assert_null(c->edge_var);
    assert_int_equal(c->pos.line, 4);
    assert_int_equal(c->pos.col, 5);
    c = &q->clauses[2];
    assert_int_equal(c->kind, OG_GQ_C_FILTER);
    assert_int_equal(c->op, OG_GQ_OP_GE);
    assert_int_equal(c->left->kind, OG_GQ_E_PROP);
    assert_string_equal(c->left->var, "f");
    assert_string_equal(c->left->name, "age");
    assert_int_equal(c->right->lit.i, 18);
    c = &q->clauses[3];
    assert_int_equal(c->kind, OG_GQ_C_TRAVERSAL);
    assert_true(c->undirected);
    assert_string_equal(c->edge_var, "w");
    assert_string_equal(c->dst, "r");
    c = &q->clauses[4];
    assert_int_equal(c->kind, OG_GQ_C_NOT);
    assert_int_equal(c->n_body, 1);
    assert_string_equal(c->body[0].dst, "_");
    assert_int_equal(q->clauses[5].op, OG_GQ_OP_STARTS_WITH);
    assert_int_equal(q->n_projs, 3);
    assert_string_equal(q->projs[0].alias, "n");
    assert_int_equal(q->projs[1].expr->kind, OG_GQ_E_AGG);
    assert_int_equal(q->projs[1].expr->agg, OG_GQ_AGG_COUNT);
    assert_int_equal(q->projs[2].expr->kind, OG_GQ_E_VAR);
    assert_int_equal(q->n_orders, 2);
    assert_int_equal(q->orders[0].expr->kind, OG_GQ_E_ALIAS);
    assert_true(q->orders[0].desc);
    assert_false(q->orders[1].has_dir);
    assert_true(q->has_limit);
    assert_int_equal(q->limit, 20);
    og_gq_file_free(f);
}

static void test_search_functions_and_literals(void **state)
{
    (void)state;
    og_gq_file *f = parse_ok(
        "query h($vq: Vector(3), $tq: String, $tags: [String]) {\n"
        "  match { $d: Doc  fuzzy($d.title, $tq, 1)  search($d.body, \"g\")\n"
        "          match_text($d.body, $tq)  $d.born >= date(\"2024-01-02\")\n"
        "          $d.seen < datetime(\"1970-01-01T00:00:01.5Z\")  $d.score > 1.25\n"
        "          $d.tags contains \"a\"  $d.kind = [\"a\", \"b\"] }\n"
        "  return { $d.slug, bm25($d.body, $tq) as s, now() as t }\n"
        "  order { rrf(nearest($d.embedding, $vq), bm25($d.body, $tq), 60) desc }\n"
        "  limit 10\n"
        "}\n");
    const og_gq_query *q = &f->queries[0];
    assert_int_equal(q->params[0].type.base, OG_GQ_VECTOR);
    assert_int_equal(q->params[0].type.dim, 3);
    assert_true(q->params[2].type.is_list);
    assert_int_equal(q->clauses[1].kind, OG_GQ_C_SEARCH);
    assert_int_equal(q->clauses[1].call->fn, OG_GQ_FN_FUZZY);
    assert_int_equal(q->clauses[1].call->n_args, 3);
    assert_int_equal(q->clauses[2].call->fn, OG_GQ_FN_SEARCH);
    assert_int_equal(q->clauses[3].call->fn, OG_GQ_FN_MATCH_TEXT);
    assert_int_equal(q->clauses[4].right->lit.kind, OG_GQ_LIT_DATE);
    assert_int_equal(q->clauses[4].right->lit.i, 19724);
    assert_int_equal(q->clauses[5].right->lit.i, 1500000); /* microseconds */
    assert_true(q->clauses[6].right->lit.f == 1.25);
    assert_int_equal(q->clauses[7].op, OG_GQ_OP_CONTAINS);
    assert_int_equal(q->clauses[8].right->lit.kind, OG_GQ_LIT_LIST);
    assert_int_equal(q->clauses[8].right->lit.n_items, 2);
    assert_int_equal(q->projs[1].expr->fn, OG_GQ_FN_BM25);
    assert_int_equal(q->projs[2].expr->kind, OG_GQ_E_NOW);
    const og_gq_expr *r = q->orders[0].expr;
    assert_int_equal(r->fn, OG_GQ_FN_RRF);
    assert_int_equal(r->n_args, 3);
    assert_int_equal(r->args[0]->fn, OG_GQ_FN_NEAREST);
    og_gq_file_free(f);
}

static void test_mutations_insert_update_delete(void **state)
{
    (void)state;
    og_gq_file *f = parse_ok(
        "query a($name: String, $age: I32?) { insert Person { name: $name, age: $age } }\n"
        "query l($a: String, $b: String) { insert Knows { from: $a, to: $b } }\n"
        "query u($name: String, $t: String) {\n"
        "  update Person set { title: $t stamp: now() } where name = $name\n"
        "}\n"
        "query d($x: I32) { delete Person where age >= $x  delete Knows where from = \"a\" }\n");
    assert_int_equal(f->n_queries, 4);
    const og_gq_query *q = og_gq_file_find(f, "a");
    assert_true(q->is_mutation);
    assert_int_equal(q->n_mutations, 1);
    assert_int_equal(q->mutations[0].kind, OG_GQ_INSERT);
    assert_int_equal(q->mutations[0].n_assigns, 2);
    q = og_gq_file_find(f, "l");
    assert_string_equal(q->mutations[0].assigns[0].prop, "from");
    q = og_gq_file_find(f, "u");
    assert_int_equal(q->mutations[0].kind, OG_GQ_UPDATE);
    assert_int_equal(q->mutations[0].assigns[1].value->kind, OG_GQ_E_NOW);
    assert_string_equal(q->mutations[0].where_prop, "name");
    assert_int_equal(q->mutations[0].where_op, OG_GQ_OP_EQ);
    q = og_gq_file_find(f, "d");
    assert_int_equal(q->n_mutations, 2);
    assert_int_equal(q->mutations[0].where_op, OG_GQ_OP_GE);
    assert_string_equal(q->mutations[1].where_value->lit.s, "a");
    assert_null(og_gq_file_find(f, "nope"));
    og_gq_file_free(f);
}

static void test_comments_and_bare_variable_contains_is_a_traversal(void **state)
{
    (void)state;
    og_gq_file *f = parse_ok("// c\n/* block\n */ query q() { match { $p: Person $p contains $x }"
                             " return { $p } }");
    const og_gq_clause *c = &f->queries[0].clauses[1];
    assert_int_equal(c->kind, OG_GQ_C_TRAVERSAL);
    assert_string_equal(c->edge, "contains");
    og_gq_file_free(f);
    f = parse_ok("");
    assert_int_equal(f->n_queries, 0);
    og_gq_file_free(f);
}

static void test_unbounded_traversal_parses_with_max_missing(void **state)
{
    (void)state;
    og_gq_file *f = parse_ok("query q() { match { $p: Person $p knows{1,} $f } return { $f } }");
    assert_true(f->queries[0].clauses[1].max_missing);
    og_gq_file_free(f);
}

static void test_parse_errors_report_line_and_column(void **state)
{
    (void)state;
    parse_fails_at("query q() {\n  match { $p: Person { } }\n  return { $p }\n}", 2, 24,
                   "property match");
    parse_fails_at("query q() {\nmatch {\n    $p: Person\n}\nreturn { $p.name\n}\n", 7, 1,
                   "end of input");
    parse_fails_at("query q() { match { $p: Person } return { $p } limit $n }", 1, 54,
                   "integer literal");
    parse_fails_at("query q($v: Vector(3)) {\n match { $d: Doc }\n return { $d }\n"
                   " order { nearest($d.e, $v) desc }\n limit 5\n}", 4, 28, "asc/desc");
    parse_fails_at("query t() {\nmatch {\n    $p: Person\n    $p.name = \"Bob\\q\"\n}\n"
                   "return { $p.name }\n}\n", 4, 19, "unsupported escape sequence");
    parse_fails_at("# no\nquery q() {}", 1, 1, "unexpected character");
    parse_fails_at("query d($t: String) {\ndelete Person where tags contains $t\n}", 2, 26,
                   "comparison operator");
    parse_fails_at("query d($q: String) {\ndelete Person where name starts_with $q\n}", 2, 26,
                   "comparison operator");
    parse_fails_at("query q() @description(\"a\") @description(\"b\") { match { $p: P } "
                   "return { $p } }", 1, 29, "duplicate @description");
    parse_fails_at("query q() { match { $p: P } return { $p } offset 3 }", 1, 43, "`}`");
    parse_fails_at("query q() { match { $p: P } return { $p } insert P { a: 1 } }", 1, 43,
                   "`}`");
    parse_fails_at("query q($x: Int) { delete P where a = $x }", 1, 13,
                   "unknown parameter type");
    parse_fails_at("query q() { match { $p: P } }", 1, 29, "`return`");
    parse_fails_at("query q() { match { $p: P } return { } }", 1, 38, "projection");
    parse_fails_at("query q() { match { $p: P } return { $p } }\n"
                   "query q() { match { $p: P } return { $p } }", 2, 1, "duplicate query");
    parse_fails_at("query q() { match { $P: P } return { $p } }", 1, 21, "variable");
    parse_fails_at("query q() { match { $p: P $p.n = 99999999999999999999 } return { $p } }",
                   1, 34, "out of range");
    parse_fails_at("query q() { match { $p: P $p.d = date(\"2024-02-30\") } return { $p } }",
                   1, 39, "invalid date");
    parse_fails_at("query q() { match { $p: P $p.n = [[1]] } return { $p } }", 1, 35,
                   "nested");
    parse_fails_at("query q() { insert P { a: $x.y } }", 1, 27, "`now()`");
    parse_fails_at("query q() { match { $p: P \"a\" } return { $p } }", 1, 31,
                   "comparison operator");
    parse_fails_at("query q() { match { $p: P /* open", 1, 27, "unterminated block comment");
    parse_fails_at("query q() { match { $p: P $p.a = \"x } }", 1, 34, "unterminated string");
}

static void test_deep_nesting_is_bounded(void **state)
{
    (void)state;
    char src[4096];
    size_t n = 0;
    n += (size_t)snprintf(src + n, sizeof src - n, "query q() { match { $p: P ");
    for (int i = 0; i < 200; i++) n += (size_t)snprintf(src + n, sizeof src - n, "not { ");
    snprintf(src + n, sizeof src - n, "$p.a = 1");
    og_gq_file *f = NULL;
    assert_int_equal(og_gq_parse(src, strlen(src), &f), OG_E_PARSE);
    assert_non_null(strstr(og_error_last()->message, "nested too deeply"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_files_parse_with_expected_query_counts),
        cmocka_unit_test(test_read_query_shape_binding_traversal_filter_not),
        cmocka_unit_test(test_search_functions_and_literals),
        cmocka_unit_test(test_mutations_insert_update_delete),
        cmocka_unit_test(test_comments_and_bare_variable_contains_is_a_traversal),
        cmocka_unit_test(test_unbounded_traversal_parses_with_max_missing),
        cmocka_unit_test(test_parse_errors_report_line_and_column),
        cmocka_unit_test(test_deep_nesting_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
