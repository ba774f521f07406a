/* test_validate.c — delta validation and load-mode semantics against an
 * in-memory committed view: value rules, keys, @unique, RI, @card, and
 * what overwrite / append / merge do to the committed rows. */
#include "testutil.h"

#include <math.h>
#include "load_testlib.h"

static const char *SCHEMA =
    "node Person {\n"
    "    name: String @key\n"
    "    email: String? @unique\n"
    "    age: I32?\n"
    "    score: F64?\n"
    "    big: U64?\n"
    "    code: String?\n"
    "    tier: enum(pro, free, enterprise)?\n"
    "    @range(age, 0..150)\n"
    "    @range(score, -1.5..)\n"
    "    @range(big, ..100)\n"
    "    @check(code, \"^\\\\d{3}-[a-z]+$\")\n"
    "}\n"
    "node Company { name: String @key }\n"
    "node Note { body: String  lang: String?  @unique(body, lang) }\n"
    "edge WorksAt: Person -> Company @card(1..2)\n"
    "edge Knows: Person -> Person { @unique(src, dst) }\n";

typedef struct fx { og_catalog *cat; lt_graph g; } fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (lt_compile(SCHEMA, &f->cat) != OG_OK) { fprintf(stderr, "schema: %s\n", lt_errmsg()); free(f); return -1; }
    lt_graph_init(&f->g, f->cat);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    lt_graph_free(&f->g);
    og_catalog_free(f->cat);
    free(f);
    return 0;
}

static void load_ok(fx *f, const char *text, og_load_mode mode)
{
    og_status rc = lt_load_str(&f->g, text, mode);
    if (rc != OG_OK) fprintf(stderr, "load failed: %s\n", lt_errmsg());
    assert_int_equal(rc, OG_OK);
}

static void load_bad(fx *f, const char *text, og_load_mode mode, og_status code, const char *want)
{
    og_status rc = lt_load_str(&f->g, text, mode);
    if (rc == OG_OK || !strstr(lt_errmsg(), want)) {
        fprintf(stderr, "want '%s', got '%s'\n", want, rc ? lt_errmsg() : "ok");
        fail();
    }
    assert_int_equal(rc, code);
}

#define P(name, extra) "{\"type\":\"Person\",\"data\":{\"name\":\"" name "\"" extra "}}\n"
#define C(name) "{\"type\":\"Company\",\"data\":{\"name\":\"" name "\"}}\n"
#define W(id, from, to) "{\"edge\":\"WorksAt\",\"from\":\"" from "\",\"to\":\"" to "\",\"data\":{\"id\":\"" id "\"}}\n"

static void test_enum_membership_lists_sorted_values(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", ",\"tier\":\"pro\""), OG_LOAD_OVERWRITE);
    load_bad(f, P("B", ",\"tier\":\"gold\""), OG_LOAD_MERGE, OG_E_VALIDATION,
             "invalid enum value 'gold' for Person.tier (expected: enterprise, free, pro)");
}

static void test_range_bounds_open_negative_and_unsigned(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", ",\"age\":0,\"score\":-1.5,\"big\":100") P("B", ",\"age\":150"), OG_LOAD_OVERWRITE);
    load_bad(f, P("C", ",\"age\":151"), OG_LOAD_MERGE, OG_E_VALIDATION, "@range violation on Person.age: value 151 > max 150");
    load_bad(f, P("C", ",\"age\":-1"), OG_LOAD_MERGE, OG_E_VALIDATION, "@range violation on Person.age: value -1 < min 0");
    load_bad(f, P("C", ",\"score\":-1.75"), OG_LOAD_MERGE, OG_E_VALIDATION,
             "@range violation on Person.score: value -1.75 < min -1.5");
    load_bad(f, P("C", ",\"big\":18446744073709551615"), OG_LOAD_MERGE, OG_E_VALIDATION,
             "@range violation on Person.big: value 18446744073709551615 > max 100");
    assert_int_equal(lt_count(&f->g, "Person"), 2);
}

static void test_range_rejects_nan_and_exempts_null(void **state)
{
    fx *f = *state;
    const og_decl *t = og_catalog_find_node(f->cat, "Person");
    og_value vals[16];
    og_row row;
    og_delta_table tabs[8];
    og_delta d = {f->cat, f->cat->n_types, tabs};
    memset(vals, 0, sizeof vals);
    memset(tabs, 0, sizeof tabs);
    for (size_t i = 0; i < f->cat->n_types; i++) tabs[i].type = &f->cat->types[i];
    vals[og_decl_prop_index(t, "name")].kind = OG_VALUE_STRING;
    vals[og_decl_prop_index(t, "name")].as.s.ptr = "N";
    vals[og_decl_prop_index(t, "name")].as.s.len = 1;
    memset(&row, 0, sizeof row);
    row.id = "N";
    row.vals = vals;
    tabs[t->index].rows = &row;
    tabs[t->index].n_rows = 1;
    OG_CHECK(og_validate_delta(&d, NULL));
    vals[og_decl_prop_index(t, "score")].kind = OG_VALUE_F64;
    vals[og_decl_prop_index(t, "score")].as.f = NAN;
    assert_int_equal(og_validate_delta(&d, NULL), OG_E_VALIDATION);
    assert_non_null(strstr(lt_errmsg(), "@range violation on Person.score: value is NaN"));
}

static void test_check_regex_with_rust_class_escapes(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", ",\"code\":\"123-abc\"") P("B", ",\"code\":null"), OG_LOAD_OVERWRITE);
    load_bad(f, P("C", ",\"code\":\"12-abc\""), OG_LOAD_MERGE, OG_E_VALIDATION,
             "@check violation on Person.code: value '12-abc' does not match pattern '^\\d{3}-[a-z]+$'");
}

static void test_duplicate_key_in_one_file_fails_in_every_mode(void **state)
{
    fx *f = *state;
    og_load_mode modes[] = {OG_LOAD_OVERWRITE, OG_LOAD_APPEND, OG_LOAD_MERGE};
    for (int i = 0; i < 3; i++)
        load_bad(f, P("DUP", ",\"age\":1") P("DUP", ",\"age\":2"), modes[i], OG_E_VALIDATION,
                 "@unique violation on Person.name: value 'DUP' held by 'DUP' and 'DUP'");
    assert_int_equal(lt_count(&f->g, "Person"), 0);
}

static void test_unique_intra_delta_committed_and_null_exempt(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", ",\"email\":\"a@x\"") P("B", "") P("C", ""), OG_LOAD_OVERWRITE);
    load_bad(f, P("D", ",\"email\":\"d@x\"") P("E", ",\"email\":\"d@x\""), OG_LOAD_MERGE, OG_E_VALIDATION,
             "@unique violation on Person.email: value 'd@x' held by 'D' and 'E'");
    load_bad(f, P("D", ",\"email\":\"a@x\""), OG_LOAD_APPEND, OG_E_VALIDATION,
             "@unique violation on Person.email: value 'a@x' held by 'A' and 'D'");
    /* Re-upserting the holder itself is fine; so is moving the value away
     * from A and to D in the same write. */
    load_ok(f, P("A", ",\"email\":\"a@x\",\"age\":3"), OG_LOAD_MERGE);
    load_ok(f, P("A", ",\"email\":\"new@x\"") P("D", ",\"email\":\"a@x\""), OG_LOAD_MERGE);
    /* An overwrite empties the committed side of Person. */
    load_ok(f, P("Z", ",\"email\":\"new@x\""), OG_LOAD_OVERWRITE);
    assert_int_equal(lt_count(&f->g, "Person"), 1);
}

static void test_composite_unique_and_edge_src_dst_unique(void **state)
{
    fx *f = *state;
    load_ok(f, "{\"type\":\"Note\",\"data\":{\"body\":\"hi\",\"lang\":\"en\"}}\n"
               "{\"type\":\"Note\",\"data\":{\"body\":\"hi\",\"lang\":\"de\"}}\n"
               "{\"type\":\"Note\",\"data\":{\"body\":\"hi\"}}\n"
               "{\"type\":\"Note\",\"data\":{\"body\":\"hi\"}}\n",
            OG_LOAD_OVERWRITE);
    load_bad(f, "{\"type\":\"Note\",\"data\":{\"id\":\"n9\",\"body\":\"hi\",\"lang\":\"en\"}}\n", OG_LOAD_APPEND,
             OG_E_VALIDATION, "@unique violation on Note.(body, lang): value '(hi, en)' held by '");
    load_ok(f, P("A", "") P("B", ""), OG_LOAD_OVERWRITE);
    load_ok(f, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n{\"edge\":\"Knows\",\"from\":\"B\",\"to\":\"A\"}\n",
            OG_LOAD_APPEND);
    load_bad(f, "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\"}\n", OG_LOAD_APPEND, OG_E_VALIDATION,
             "@unique violation on Knows.(src, dst): value '(A, B)'");
}

static void test_edge_ri_against_committed_and_pending(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", "") C("Acme"), OG_LOAD_OVERWRITE);
    /* Endpoint in the same file. */
    load_ok(f, P("B", "") W("w1", "B", "Acme"), OG_LOAD_MERGE);
    load_bad(f, W("w2", "Ghost", "Acme"), OG_LOAD_APPEND, OG_E_VALIDATION, "src 'Ghost' not found in Person");
    load_bad(f, W("w2", "A", "Nope"), OG_LOAD_APPEND, OG_E_VALIDATION, "dst 'Nope' not found in Company");
}

static void test_overwrite_that_strands_a_kept_edge_fails(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", "") P("B", "") C("Acme") W("w1", "B", "Acme"), OG_LOAD_OVERWRITE);
    load_bad(f, P("A", ""), OG_LOAD_OVERWRITE, OG_E_VALIDATION, "src 'B' not found in Person (kept edge 'w1' of WorksAt)");
    /* Replacing the edge type together with its source is fine. */
    load_ok(f, P("A", "") W("w2", "A", "Acme"), OG_LOAD_OVERWRITE);
    assert_int_equal(lt_count(&f->g, "Person"), 1);
    assert_int_equal(lt_count(&f->g, "WorksAt"), 1);
}

static void test_card_max_counts_committed_and_pending(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", "") C("X") C("Y") C("Z") W("w1", "A", "X"), OG_LOAD_OVERWRITE);
    load_ok(f, W("w2", "A", "Y"), OG_LOAD_APPEND);
    load_bad(f, W("w3", "A", "Z"), OG_LOAD_APPEND, OG_E_VALIDATION,
             "@card violation on edge WorksAt: source 'A' has 3 edges (max 2)");
    /* Rewriting an existing edge id does not add a third. */
    load_ok(f, W("w2", "A", "Z"), OG_LOAD_MERGE);
    assert_int_equal(lt_count(&f->g, "WorksAt"), 2);
}

static void test_card_min_checks_touched_and_vacated_sources_only(void **state)
{
    fx *f = *state;
    /* A new node without edges is not flagged for min >= 1. */
    load_ok(f, P("A", "") P("B", "") C("X") W("e1", "A", "X"), OG_LOAD_OVERWRITE);
    /* Moving e1 from A to B leaves A with 0 edges. */
    load_bad(f, W("e1", "B", "X"), OG_LOAD_MERGE, OG_E_VALIDATION,
             "@card violation on edge WorksAt: source 'A' has 0 edges (min 1)");
    load_ok(f, W("e1", "B", "X") W("e2", "A", "X"), OG_LOAD_MERGE);
    assert_string_equal(lt_find(&f->g, "WorksAt", "e1")->src, "B");
}

static void test_append_is_strict_insert(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", ",\"age\":1") "{\"type\":\"Note\",\"data\":{\"id\":\"n1\",\"body\":\"x\"}}\n", OG_LOAD_OVERWRITE);
    load_bad(f, P("A", ",\"age\":2"), OG_LOAD_APPEND, OG_E_EXISTS, "key_conflict: node:Person already has id 'A'");
    load_bad(f, "{\"type\":\"Note\",\"data\":{\"id\":\"n2\",\"body\":\"y\"}}\n{\"type\":\"Note\",\"data\":{\"id\":\"n2\",\"body\":\"z\"}}\n",
             OG_LOAD_APPEND, OG_E_EXISTS, "key_conflict: node:Note id 'n2' appears more than once");
    assert_int_equal(lt_find(&f->g, "Person", "A")->vals[2].as.i, 1);
}

static void test_merge_upserts_whole_rows_last_wins(void **state)
{
    fx *f = *state;
    const og_decl *t = og_catalog_find_node(f->cat, "Person");
    int age = og_decl_prop_index(t, "age"), email = og_decl_prop_index(t, "email");
    load_ok(f, P("A", ",\"age\":1,\"email\":\"a@x\"") P("B", ""), OG_LOAD_OVERWRITE);
    load_ok(f, P("A", ",\"age\":2") "{\"type\":\"Note\",\"data\":{\"id\":\"n\",\"body\":\"1\"}}\n"
               "{\"type\":\"Note\",\"data\":{\"id\":\"n\",\"body\":\"2\"}}\n",
            OG_LOAD_MERGE);
    assert_int_equal(lt_count(&f->g, "Person"), 2);
    assert_int_equal(lt_find(&f->g, "Person", "A")->vals[age].as.i, 2);
    /* Whole-row replacement: the omitted email is now null. */
    assert_int_equal(lt_find(&f->g, "Person", "A")->vals[email].kind, OG_VALUE_NULL);
    assert_int_equal(lt_count(&f->g, "Note"), 1);
    assert_string_equal(lt_find(&f->g, "Note", "n")->vals[0].as.s.ptr, "2");
}

static void test_overwrite_replaces_only_named_types(void **state)
{
    fx *f = *state;
    load_ok(f, P("A", "") P("B", "") C("X") C("Y"), OG_LOAD_OVERWRITE);
    load_ok(f, C("Z"), OG_LOAD_OVERWRITE);
    assert_int_equal(lt_count(&f->g, "Person"), 2);
    assert_int_equal(lt_count(&f->g, "Company"), 1);
    assert_non_null(lt_find(&f->g, "Company", "Z"));
}

static void test_removed_ids_count_as_deleted(void **state)
{
    fx *f = *state;
    const og_decl *p = og_catalog_find_node(f->cat, "Person");
    const char *gone[] = {"B"};
    og_delta_table tabs[8];
    og_delta d = {f->cat, f->cat->n_types, tabs};
    load_ok(f, P("A", "") P("B", "") "{\"edge\":\"Knows\",\"from\":\"A\",\"to\":\"B\",\"data\":{\"id\":\"k\"}}\n",
            OG_LOAD_OVERWRITE);
    memset(tabs, 0, sizeof tabs);
    for (size_t i = 0; i < f->cat->n_types; i++) tabs[i].type = &f->cat->types[i];
    tabs[p->index].removed = gone;
    tabs[p->index].n_removed = 1;
    assert_int_equal(og_validate_delta(&d, &f->g.probe), OG_E_VALIDATION);
    assert_non_null(strstr(lt_errmsg(), "dst 'B' not found in Person"));
}

static void test_mode_names_round_trip(void **state)
{
    og_load_mode m;
    (void)state;
    for (int i = 0; i < 3; i++) {
        OG_CHECK(og_load_mode_parse(og_load_mode_name((og_load_mode)i), &m));
        assert_int_equal(m, i);
    }
    assert_int_equal(og_load_mode_parse("upsert", &m), OG_E_INVALID);
}

static void test_append_refuses_more_than_8192_rows_of_a_type(void **state)
{
    fx *f = *state;
    og_buf t = OG_BUF_INIT;
    for (int i = 0; i <= OG_LOAD_MAX_TYPE_ENTITIES; i++)
        og_buf_printf(&t, "{\"type\":\"Company\",\"data\":{\"name\":\"c%d\"}}\n", i);
    load_bad(f, og_buf_cstr(&t), OG_LOAD_APPEND, OG_E_LIMIT, "keyed entities for node:Company");
    load_ok(f, og_buf_cstr(&t), OG_LOAD_OVERWRITE);
    assert_int_equal(lt_count(&f->g, "Company"), OG_LOAD_MAX_TYPE_ENTITIES + 1);
    og_buf_free(&t);
}

static void test_type_byte_ceilings(void **state)
{
    fx *f = *state;
    og_buf t = OG_BUF_INIT;
    char *pad = malloc(4200);
    memset(pad, 'x', 4199);
    pad[4199] = 0;
    for (int i = 0; i < 8100; i++) og_buf_printf(&t, "{\"type\":\"Company\",\"data\":{\"name\":\"%05d%s\"}}\n", i, pad);
    load_bad(f, og_buf_cstr(&t), OG_LOAD_APPEND, OG_E_LIMIT, "keyed parsed entity bytes for node:Company (limit 33554432");
    load_bad(f, og_buf_cstr(&t), OG_LOAD_OVERWRITE, OG_E_LIMIT, "strict_input_arrow_bytes for node:Company");
    assert_int_equal(lt_count(&f->g, "Company"), 0);
    og_buf_free(&t);
    free(pad);
}

/* A probe that forwards to the in-memory one and records unique_probe batch sizes. */
static const og_probe *inner;
static size_t probe_calls, probe_max;

static og_status counting_unique(void *ctx, const og_decl *t, const og_constraint *c, size_t n,
                                 const og_value *tuples, og_probe_id_fn hit, void *arg)
{
    probe_calls++;
    if (n > probe_max) probe_max = n;
    return inner->vt->unique_probe(ctx, t, c, n, tuples, hit, arg);
}

static void test_unique_probe_is_batched_in_chunks_of_8192(void **state)
{
    fx *f = *state;
    og_probe_vtbl vt = *f->g.probe.vt;
    og_probe counting = {&vt, f->g.probe.ctx};
    og_buf t = OG_BUF_INIT;
    og_load_batch *b = NULL;
    og_delta d;
    vt.unique_probe = counting_unique;
    inner = &f->g.probe;
    probe_calls = probe_max = 0;
    for (int i = 0; i < 9000; i++) og_buf_printf(&t, P("p%d", ",\"email\":\"e%d@x\""), i, i);
    OG_CHECK(og_load_parse(f->cat, t.data, t.len, NULL, &b));
    OG_CHECK(og_load_plan(b, OG_LOAD_OVERWRITE, &counting, &d));
    assert_int_equal(probe_calls, 2);
    assert_int_equal(probe_max, OG_VALIDATE_PROBE_CHUNK);
    og_load_batch_free(b);
    og_buf_free(&t);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_enum_membership_lists_sorted_values),
        T(test_range_bounds_open_negative_and_unsigned),
        T(test_range_rejects_nan_and_exempts_null),
        T(test_check_regex_with_rust_class_escapes),
        T(test_duplicate_key_in_one_file_fails_in_every_mode),
        T(test_unique_intra_delta_committed_and_null_exempt),
        T(test_composite_unique_and_edge_src_dst_unique),
        T(test_edge_ri_against_committed_and_pending),
        T(test_overwrite_that_strands_a_kept_edge_fails),
        T(test_card_max_counts_committed_and_pending),
        T(test_card_min_checks_touched_and_vacated_sources_only),
        T(test_append_is_strict_insert),
        T(test_merge_upserts_whole_rows_last_wins),
        T(test_overwrite_replaces_only_named_types),
        T(test_removed_ids_count_as_deleted),
        T(test_mode_names_round_trip),
        T(test_append_refuses_more_than_8192_rows_of_a_type),
        T(test_type_byte_ceilings),
        T(test_unique_probe_is_batched_in_chunks_of_8192),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
