/* test_pg_parse.c — the .pg grammar and schema rules: every reference
 * fixture parses; each refusal the reference pins gives its wording. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/catalog.h"

static char *data_path(const char *name)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    size_t dirlen = slash ? (size_t)(slash - here) : 0;
    char *p = malloc(dirlen + strlen(name) + 32);
    sprintf(p, "%.*s/../data/lang/%s", (int)dirlen, here, name);
    return p;
}

static char *slurp(const char *name, size_t *len)
{
    char *path = data_path(name);
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    free(path);
    *len = (size_t)n;
    return buf;
}

static og_status compile_str(const char *src, og_catalog **out)
{
    return og_catalog_compile(src, strlen(src), NULL, "01JTESTDOMAIN0000000000000", out);
}

/* Expects compile to fail with code and a message containing `want`. */
static void expect_fail(const char *src, og_code code, const char *want)
{
    og_catalog *c = NULL;
    og_status rc = compile_str(src, &c);
    if (rc != (og_status)code || !strstr(og_error_last()->message, want)) {
        fprintf(stderr, "schema:\n%s\nwanted code %d and '%s', got rc=%d '%s'\n", src, code, want, rc,
                og_error_last()->message);
        fail();
    }
    assert_null(c);
}

static const char *const fixtures[] = {
    "test.pg", "search.pg", "signals.pg", "branch_card.pg", "branch_edge_unique.pg", "branch_listdoc_x.pg",
    "cli_optimize_embedding.pg", "cli_person_only.pg", "composite_schema_v2.pg", "cons_dupedge_loaded.pg",
    "cons_extid_init.pg", "cons_item_pair_init.pg", "cons_items_loaded.pg", "cons_thing2_init.pg",
    "cons_thing3.pg", "e2e_antijoin_loaded.pg", "e2e_article_init.pg", "e2e_blob.pg", "e2e_card01.pg",
    "e2e_flagged_loaded.pg", "e2e_listdoc_loaded.pg", "e2e_measure.pg", "e2e_measure_neg_init.pg",
    "e2e_nullvec_loaded.pg", "e2e_order_check.pg", "e2e_order_label_loaded.pg", "e2e_range_person.pg",
    "export_narrowing.pg", "export_note.pg", "export_u64_key.pg", "schema_age_i64.pg", "schema_drop_age.pg",
    "schema_drop_company.pg", "schema_drop_worksat.pg", "schema_key_index.pg", "schema_nickname.pg",
    "schema_rename_human.pg", "schema_required_email.pg", "schema_ticket_narrow.pg", "schema_ticket_v1.pg",
    "schema_ticket_v2.pg", "tc_setup_same_named_node_and_edge.pg",
};

static void test_every_reference_fixture_compiles(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        size_t len;
        char *src = slurp(fixtures[i], &len);
        og_catalog *c = NULL;
        og_status rc = og_catalog_compile(src, len, NULL, "D", &c);
        if (rc) fprintf(stderr, "%s: %s\n", fixtures[i], og_error_last()->message);
        assert_int_equal(rc, OG_OK);
        assert_true(c->n_types > 0);
        og_catalog_free(c);
        free(src);
    }
}

static void test_all_copied_pg_files_parse_or_fail_cleanly(void **state)
{
    /* Every .pg copied from the reference: either compiles or fails with a
     * schema error (a few are deliberate refusals); never anything else. */
    static const char *const expected_refusals[] = {"life_instruction_on_property.pg", "life_other.pg",
                                                    "schema_rename_years.pg"};
    (void)state;
    for (size_t i = 0; i < sizeof expected_refusals / sizeof expected_refusals[0]; i++) {
        size_t len;
        char *src = slurp(expected_refusals[i], &len);
        og_catalog *c = NULL;
        og_status rc = og_catalog_compile(src, len, NULL, "D", &c);
        assert_true(rc == OG_E_PARSE || rc == OG_E_VALIDATION);
        assert_null(c);
        free(src);
    }
}

static void test_minimal_example_types_and_props(void **state)
{
    og_catalog *c = NULL;
    (void)state;
    OG_CHECK(compile_str("// Minimal\nnode Person {\n  name: String @key\n  title: String?\n  age: I32?\n"
                         "  tags: [String]?\n}\nedge Knows: Person -> Person\n", &c));
    assert_int_equal(c->n_nodes, 1);
    assert_int_equal(c->n_edges, 1);
    const og_decl *p = og_catalog_find_node(c, "Person");
    assert_non_null(p);
    assert_int_equal(p->n_props, 4);
    assert_string_equal(p->props[0].name, "name");
    assert_true(p->props[0].is_key);
    assert_int_equal(p->key_constraint, 0);
    assert_true(p->props[3].type.list);
    assert_true(p->props[3].type.nullable);
    assert_int_equal(p->props[2].type.scalar, OG_SCALAR_I32);
    const og_decl *k = og_catalog_find_edge(c, "knows");
    assert_non_null(k);
    assert_string_equal(k->name, "Knows");
    assert_int_equal(k->from_index, p->index);
    assert_false(k->card_has_max);
    og_catalog_free(c);
}

static void test_full_example_interfaces_embed_constraints(void **state)
{
    og_catalog *c = NULL;
    (void)state;
    OG_CHECK(compile_str(
        "interface Named { name: String @key }\n"
        "node Company implements Named {\n  tier: enum(free, pro, enterprise) @index\n  founded: Date?\n}\n"
        "node Person @description(\"A human\") implements Named {\n  email: String?\n  age: I32?\n"
        "  bio: String? @index\n"
        "  embedding: Vector(1536)? @embed(\"bio\", model=\"openai/text-embedding-3-small\") @index\n"
        "  photo: Blob?\n  @unique(email)\n  @range(age, 0..150)\n  @check(email, \"^[^@]+@[^@]+$\")\n}\n"
        "edge WorksAt: Person -> Company @card(0..1) @description(\"employment\") {\n  role: String?\n"
        "  since: Date?\n  @unique(src, dst)\n}\n", &c));
    const og_decl *co = og_catalog_find_node(c, "Company");
    assert_string_equal(co->props[0].name, "name"); /* injected first */
    assert_true(co->props[0].is_key);
    assert_int_equal(co->props[0].n_satisfies, 1);
    assert_true(og_decl_implements(co, "Named"));
    const og_property *tier = og_decl_find_prop(co, "tier");
    assert_int_equal(tier->type.n_enum, 3);
    assert_string_equal(tier->type.enum_values[0], "enterprise"); /* sorted */
    const og_decl *pe = og_catalog_find_node(c, "Person");
    assert_string_equal(pe->description, "A human");
    const og_property *emb = og_decl_find_prop(pe, "embedding");
    assert_int_equal(emb->type.vector_dim, 1536);
    assert_string_equal(emb->embed_source, "bio");
    assert_string_equal(emb->embed_model, "openai/text-embedding-3-small");
    int ranges = 0, checks = 0;
    for (size_t i = 0; i < pe->n_constraints; i++) {
        const og_constraint *k = &pe->constraints[i];
        if (k->kind == OG_CONSTRAINT_RANGE) {
            ranges++;
            assert_int_equal(k->min.i, 0);
            assert_int_equal(k->max.i, 150);
        }
        if (k->kind == OG_CONSTRAINT_CHECK) { checks++; assert_string_equal(k->pattern, "^[^@]+@[^@]+$"); }
    }
    assert_int_equal(ranges, 1);
    assert_int_equal(checks, 1);
    const og_decl *w = og_catalog_find_edge(c, "worksAt");
    assert_true(w->card_has_max);
    assert_int_equal(w->card_max, 1);
    assert_int_equal(w->constraints[0].kind, OG_CONSTRAINT_UNIQUE);
    assert_int_equal(w->constraints[0].column_props[0], -1);
    assert_string_equal(w->constraints[0].columns[1], "dst");
    og_catalog_free(c);
}

static void test_composite_key_negative_float_range_and_open_card(void **state)
{
    og_catalog *c = NULL;
    (void)state;
    OG_CHECK(compile_str("node Reading {\n sensor: String\n at: DateTime\n value: F64\n @key(sensor, at)\n"
                         " @index(sensor, at)\n @range(value, -40.0..)\n}\n"
                         "edge Related: Reading -> Reading @card(0..) { confidence: enum(asserted, inferred) }\n",
                         &c));
    const og_decl *r = og_catalog_find_node(c, "Reading");
    const og_constraint *k = &r->constraints[r->key_constraint];
    assert_int_equal(k->n_columns, 2);
    const og_constraint *rg = NULL;
    for (size_t i = 0; i < r->n_constraints; i++) if (r->constraints[i].kind == OG_CONSTRAINT_RANGE) rg = &r->constraints[i];
    assert_non_null(rg);
    assert_true(rg->min.present && rg->min.is_float);
    assert_true(rg->min.f == -40.0);
    assert_false(rg->max.present);
    og_catalog_free(c);
}

static void test_comments_escapes_and_custom_annotations(void **state)
{
    og_catalog *c = NULL;
    (void)state;
    OG_CHECK(compile_str("/* block\n comment */ node Task @owner(team, lead=\"x\\ty\") @description(\"a \\\"b\\\"\\n\") {\n"
                         "  slug: String @key // trailing\n  state: enum(in-progress, 1st, done_x)\n"
                         "  note: String? @ui(hidden)\n}\n", &c));
    const og_decl *t = og_catalog_find_node(c, "Task");
    assert_string_equal(t->description, "a \"b\"\n");
    assert_int_equal(t->n_annotations, 1);
    assert_string_equal(t->annotations[0].name, "owner");
    assert_string_equal(t->annotations[0].value, "team");
    assert_string_equal(t->annotations[0].kw_values[0], "x\ty");
    const og_property *s = og_decl_find_prop(t, "state");
    assert_string_equal(s->type.enum_values[0], "1st");
    assert_string_equal(s->type.enum_values[1], "done_x");
    assert_string_equal(s->type.enum_values[2], "in-progress");
    assert_string_equal(og_decl_find_prop(t, "note")->annotations[0].value, "hidden");
    og_catalog_free(c);
}

static void test_bare_property_constraints_normalise_like_body_form(void **state)
{
    og_catalog *a = NULL, *b = NULL;
    char ha[OG_CATALOG_HASH_HEX], hb[OG_CATALOG_HASH_HEX];
    (void)state;
    OG_CHECK(compile_str("node P { slug: String @key\n email: String? @unique }", &a));
    OG_CHECK(compile_str("node P { slug: String\n email: String?\n @key(slug)\n @unique(email) }", &b));
    OG_CHECK(og_catalog_shape_hash(a, ha));
    OG_CHECK(og_catalog_shape_hash(b, hb));
    assert_string_equal(ha, hb);
    og_catalog_free(a);
    og_catalog_free(b);
}

static void test_range_after_property_on_same_line_is_a_body_constraint(void **state)
{
    /* the annotation rule refuses `@range(`, so the body rule takes it */
    og_catalog *c = NULL;
    (void)state;
    OG_CHECK(compile_str("node A { x: I32 @range(x, 0..1) }", &c));
    assert_int_equal(og_catalog_find_node(c, "A")->constraints[0].kind, OG_CONSTRAINT_RANGE);
    og_catalog_free(c);
}

static void test_same_name_node_and_edge_are_separate_namespaces(void **state)
{
    og_catalog *c = NULL;
    (void)state;
    OG_CHECK(compile_str("node Shared { label: String }\nedge Shared: Shared -> Shared { label: String? }\n", &c));
    assert_non_null(og_catalog_find_node(c, "Shared"));
    assert_non_null(og_catalog_find_edge(c, "shared"));
    og_catalog_free(c);
}

/* ---- syntax errors with positions --------------------------------------- */

static void test_syntax_error_reports_line_and_column(void **state)
{
    (void)state;
    expect_fail("node { }", OG_E_PARSE, "line 1, column 6: expected a type name");
    expect_fail("node A {\n  x: Int\n}", OG_E_PARSE, "line 2, column 6: expected a property type");
    expect_fail("node A {}\n# comment\n", OG_E_PARSE, "line 2, column 1: unexpected character '#'");
    expect_fail("node a {}", OG_E_PARSE, "line 1, column 6: expected a type name (starting upper-case)");
    expect_fail("node A { Name: String }", OG_E_PARSE, "line 1, column 10: expected a property, a constraint or '}'");
    expect_fail("node A {\n x: String\n", OG_E_PARSE, "line 3, column 1: expected a property, a constraint or '}', found end of input");
    expect_fail("/* open", OG_E_PARSE, "line 1, column 1: unterminated block comment");
    expect_fail("node A { x: String @description(\"abc) }", OG_E_PARSE, "unterminated string literal");
}

static void test_grammar_refusals(void **state)
{
    (void)state;
    expect_fail("node Task @description(\"Tracked\\q\") {\nslug: String @key\n}\n", OG_E_PARSE,
                "unsupported escape sequence");
    expect_fail("node A { x: [Blob] }", OG_E_PARSE, "list of Blob is not supported");
    expect_fail("node A { x: [Vector(3)] }", OG_E_PARSE, "expected a scalar type inside");
    expect_fail("node A { x: [enum(a)] }", OG_E_PARSE, "expected a scalar type inside");
    expect_fail("node A {}\nedge E: A -> A @card(1..*)", OG_E_PARSE, "unexpected character '*'");
    expect_fail("node A {}\nedge E: A -> A @card(3..1)", OG_E_PARSE, "@card minimum 3 is greater than maximum 1");
    expect_fail("node A {}\nedge E: A -> A { w: I32 @range(w, 0..1) }", OG_E_PARSE, "@range is not allowed in an edge body");
    expect_fail("node A {}\nedge E: A -> A { k: String @key(k) }", OG_E_PARSE, "@key is not allowed in an edge body");
    expect_fail("interface I { x: String @unique(x) }", OG_E_PARSE, "expected a property or '}'");
    expect_fail("node Person @key(name) { name: String }", OG_E_PARSE, "only allowed inside a type body");
    expect_fail("node Doc {\nembedding: Vector(0)\n}\n", OG_E_PARSE, "Vector dimension");
    expect_fail("node Doc {\nembedding: Vector(2147483648)\n}\n", OG_E_PARSE, "exceeds maximum supported");
    expect_fail("node Account @rename_from(\"User\", \"Member\") {}", OG_E_PARSE, "rename_from");
}

/* ---- schema rules (the reference's wording) ------------------------------ */

static void test_reference_schema_refusals(void **state)
{
    static const struct { const char *src; const char *want; } cases[] = {
        {"\nnode Person implements Unknown {\nname: String\n}\n", "unknown interface"},
        {"\ninterface Named {\nname: I32\n}\nnode Person implements Named {\nname: String\n}\n",
         "node Person property 'name' has type String but interface Named declares it as I32"},
        {"\nnode Person {\nname: String\n@range(name, 0..100)\n}\n", "numeric"},
        {"\nnode Person {\nage: I32\n@check(age, \"[0-9]+\")\n}\n", "requires a String property"},
        {"\nnode Doc {\ntitle: String\nembedding: Vector(3) @embed(\"title\", provider=\"openai\")\n}\n",
         "only 'model' is supported"},
        {"\nnode Person {\nid: U64 @key\next_id: String @key\n}\n", "multiple @key"},
        {"\nnode Person {\nemail: String @unique(\"x\")\n}\n", "@unique on node Person expects property names"},
        {"\nnode Person {\nemail: String @index(\"x\")\n}\n", "@index on node Person expects property names"},
        {"\nnode Person @unique {\nemail: String\n}\n", "only supported on node properties"},
        {"\nnode Person @index {\nemail: String\n}\n", "only supported on node properties"},
        {"\nnode Doc {\ntitle: String\nembedding: Vector(3) @embed\n}\n", "requires a source property name"},
        {"\nnode Doc {\ntitle: String @embed(title)\n}\n", "only supported on vector properties"},
        {"\nnode Doc {\ntitle: String\nembedding: Vector(3) @embed(body)\n}\n", "references unknown source property"},
        {"\nnode Doc {\nbody: I32\nembedding: Vector(3) @embed(body)\n}\n", "must be String"},
        {"\nnode Doc { title: String }\nedge Linked: Doc -> Doc {\nembedding: Vector(3) @embed(title)\n}\n",
         "edge properties"},
        {"\nnode Ticket {\nstatus: enum(open, closed, open)\n}\n", "duplicate values"},
        {"\nnode Task @description(\"a\") @description(\"b\") {\nslug: String @key\n}\n",
         "declares @description multiple times"},
        {"\nnode Task {\nslug: String @instruction(\"bad\")\n}\n", "@instruction is only supported on node and edge types"},
        {"\nnode Ticket {\ntags: [String] @key\n}\n", "list property"},
        {"\nnode Document {\npayload: Blob\n@unique(payload)\n}\n", "@unique is not supported on blob property Document.payload"},
        {"\nnode Document {\nname: String\npayload: Blob?\n@unique(name, payload)\n}\n",
         "@unique is not supported on blob property Document.payload"},
        {"\nnode Document { name: String }\nedge Attaches: Document -> Document {\npayload: Blob\n@unique(payload)\n}\n",
         "@unique is not supported on blob property Attaches.payload"},
        {"\nnode Document { name: String }\nedge Attaches: Document -> Document {\npayload: Blob?\n@unique(src, payload)\n}\n",
         "@unique is not supported on blob property Attaches.payload"},
        {"\nnode Document {\npayload: Blob\n@key(payload)\n}\n", "@key is not supported on blob property Document.payload"},
        {"\nnode Document {\npayload: Blob\n@index(payload)\n}\n", "@index is not supported on blob property Document.payload"},
        {"\nnode Document { name: String }\nedge Attaches: Document -> Document {\npayload: Blob\n@index(payload)\n}\n",
         "@index is not supported on blob property Attaches.payload"},
        {"\nnode Document {\ntitle: String\npayload: Blob @embed(title)\n}\n",
         "@embed is not supported on blob property Document.payload"},
        {"\nnode Document {\npayload: Blob\nembedding: Vector(3) @embed(payload)\n}\n",
         "@embed source property Document.payload must be String"},
        {"\nnode Document {\npayload: Blob?\n@unique(payload)\n}\n", "@unique is not supported on blob property"},
        {"node Account @rename_from {}", "rename_from"},
        {"node Account @rename_from(\"\") {}", "rename_from"},
        {"node Account @rename_from(\"User\", typo=\"ignored\") {}", "rename_from"},
        {"node Account @rename_from(\"User\") @rename_from(\"Member\") {}", "rename_from"},
        {"node Account { name: String @rename_from }", "rename_from"},
        {"node Account { name: String @rename_from(\"\") }", "rename_from"},
        {"node Account { name: String @rename_from(\"old\", typo=\"ignored\") }", "rename_from"},
        {"node Account { name: String @rename_from(\"old\") @rename_from(\"legacy\") }", "rename_from"},
        {"node Account {} edge Connected: Account -> Account @rename_from", "rename_from"},
        {"node Account {} edge Connected: Account -> Account @rename_from(\"\")", "rename_from"},
        {"node Account {} edge Connected: Account -> Account @rename_from(\"Old\", typo=\"ignored\")", "rename_from"},
        {"node Account {} edge Connected: Account -> Account @rename_from(\"Old\") @rename_from(\"Legacy\")", "rename_from"},
        {"node A {}\nedge Knows: A -> A\nedge KNOWS: A -> A", "edge name collision after case folding"},
        {"node A {}\nnode A {}", "duplicate node name 'A'"},
        {"node A { x: String\n x: I32 }", "declares property 'x' more than once"},
        {"node A {}\nedge E: A -> B", "edge E references unknown node type 'B'"},
        {"node A { id: String }", "collides with the implicit 'id' column"},
        {"node A {}\nedge E: A -> A { src: String }", "collides with the implicit 'src' column"},
        {"node A { x: String?\n @key(x) }", "@key property A.x cannot be nullable"},
        {"node A { x: String\n @key(y) }", "@key on node A references unknown property 'y'"},
        {"node A { v: Vector(3) @key }", "@key is not supported on vector property A.v"},
        {"node A { t: [String] @index }", "@index is not supported on list property A.t"},
        {"node A { t: [String] @unique }", "@unique is not supported on list property A.t"},
        {"node A {}\nedge E: A -> A { k: String @key }", "@key is not supported on edge properties"},
        {"node A { x: String @description(\"\") }", "requires exactly one non-empty value"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) expect_fail(cases[i].src, OG_E_PARSE, cases[i].want);
}

static void test_reserved_virtual_column_names_rejected_everywhere(void **state)
{
    static const char *const names[] = {"_rowid", "_rowaddr", "_rowoffset", "_row_created_at_version",
                                        "_row_last_updated_at_version"};
    char src[256];
    og_catalog *c = NULL;
    (void)state;
    for (size_t i = 0; i < 5; i++) {
        const char *forms[3] = {"interface I { %s: String }", "node N { %s: String }",
                                "node N {} edge E: N -> N { %s: String }"};
        for (int f = 0; f < 3; f++) {
            snprintf(src, sizeof src, forms[f], names[i]);
            expect_fail(src, OG_E_PARSE, "reserved");
            expect_fail(src, OG_E_PARSE, names[i]);
            expect_fail(src, OG_E_PARSE, "exported");
        }
    }
    OG_CHECK(compile_str("node N { _row_id: String }", &c)); /* similar names are fine */
    og_catalog_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_reference_fixture_compiles),
        cmocka_unit_test(test_all_copied_pg_files_parse_or_fail_cleanly),
        cmocka_unit_test(test_minimal_example_types_and_props),
        cmocka_unit_test(test_full_example_interfaces_embed_constraints),
        cmocka_unit_test(test_composite_key_negative_float_range_and_open_card),
        cmocka_unit_test(test_comments_escapes_and_custom_annotations),
        cmocka_unit_test(test_bare_property_constraints_normalise_like_body_form),
        cmocka_unit_test(test_same_name_node_and_edge_are_separate_namespaces),
        cmocka_unit_test(test_range_after_property_on_same_line_is_a_body_constraint),
        cmocka_unit_test(test_syntax_error_reports_line_and_column),
        cmocka_unit_test(test_grammar_refusals),
        cmocka_unit_test(test_reference_schema_refusals),
        cmocka_unit_test(test_reserved_virtual_column_names_rejected_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
