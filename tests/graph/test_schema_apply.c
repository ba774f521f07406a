/* test_schema_apply.c — schema apply (graph/schema_plan.h) against a graph
 * with data: additive, rename and drop migrations keep the data the new
 * schema can see, refusals change nothing, and a reopened graph agrees
 * with the handle that applied. */
#include "testutil.h"

#include "crash/crash_fixture.h"
#include "graph/schema_plan.h"

static const char *V2_NICK =
    "node Person {\n  name: String @key\n  age: I32?\n  nickname: String?\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person\n";
static const char *V2_RENAME_TYPE =
    "node Human @rename_from(\"Person\") {\n  name: String @key\n  age: I32?\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Human -> Human\n";
static const char *V2_RENAME_PROP =
    "node Person {\n  name: String @key\n  years: I32? @rename_from(\"age\")\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person\n";
static const char *V2_DROP_PERSON =
    "node Company {\n  name: String @key\n}\n";
static const char *V2_AGE_I64 =
    "node Person {\n  name: String @key\n  age: I64?\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person\n";
static const char *V2_REQUIRED =
    "node Person {\n  name: String @key\n  age: I32?\n  email: String\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person\n";

static og_status apply(og_graph *g, const char *src, bool loss, og_graph_schema_apply_result *r)
{
    og_graph_schema_apply_opts o = {loss, "tester"};
    return og_graph_schema_apply(g, src, strlen(src), &o, r);
}

static uint64_t main_version(og_store *st)
{
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    uint64_t v = s.version;
    og_graph_snapshot_free(&s);
    return v;
}

static bool has_pin(og_store *st, const char *key)
{
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    bool r = og_graph_snapshot_pin(&s, key) != NULL;
    og_graph_snapshot_free(&s);
    return r;
}

static og_graph *loaded(og_store **st)
{
    *st = cf_new_graph();
    og_graph *g = cf_open(*st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    return g;
}

static void test_additive_property_keeps_rows_and_reopens(void **state)
{
    (void)state;
    og_store *st = NULL;
    og_graph *g = loaded(&st);
    uint64_t v0 = main_version(st);
    og_graph_schema_apply_result r;
    OG_CHECK(apply(g, V2_NICK, false, &r));
    assert_true(r.applied);
    assert_int_equal(r.plan->n_steps, 1);
    assert_int_equal(r.plan->steps[0].kind, OG_STEP_ADD_PROPERTY);
    assert_int_equal(r.manifest_version, v0 + 1);
    og_graph_schema_apply_result_clear(&r);
    /* the handle sees the new catalog at once */
    const og_decl *p = cf_type(g, OG_KIND_NODE, "Person");
    assert_non_null(og_decl_find_prop(p, "nickname"));
    assert_non_null(strstr(og_graph_schema_source(g), "nickname"));
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "\"name\":\"Ann\""));
    assert_non_null(strstr(c, "\"nickname\":null"));
    free(c);
    assert_int_equal(cf_sidecars(st), 0);
    og_graph_close(g);
    /* a fresh open reads the promoted files and the same data */
    g = cf_open(st, OG_GRAPH_RO);
    assert_non_null(og_decl_find_prop(cf_type(g, OG_KIND_NODE, "Person"), "nickname"));
    og_graph_branch_list l = {0};
    OG_CHECK(og_graph_branch_list_all(st, OG_GRAPH_BRANCH_INTERNAL, &l));
    assert_int_equal(l.len, 1); /* the lock is released */
    og_graph_branch_list_free(&l);
    og_graph_close(g);
    og_store_close(st);
}

static void test_rename_type_and_property_carry_data(void **state)
{
    (void)state;
    og_store *st = NULL;
    og_graph *g = loaded(&st);
    og_graph_schema_apply_result r;
    OG_CHECK(apply(g, V2_RENAME_TYPE, false, &r));
    assert_true(r.applied);
    og_graph_schema_apply_result_clear(&r);
    assert_true(has_pin(st, "node:Human"));
    assert_false(has_pin(st, "node:Person"));
    char *c = cf_content(g, NULL);
    assert_non_null(strstr(c, "{\"type\":\"Human\",\"data\":{\"id\":\"Ann\",\"name\":\"Ann\",\"age\":30}}"));
    free(c);
    og_graph_close(g);
    og_store_close(st);

    g = loaded(&st);
    OG_CHECK(apply(g, V2_RENAME_PROP, false, &r));
    assert_true(r.applied);
    assert_int_equal(r.plan->steps[0].kind, OG_STEP_RENAME_PROPERTY);
    og_graph_schema_apply_result_clear(&r);
    c = cf_content(g, NULL);
    assert_non_null(strstr(c, "\"years\":30"));
    assert_null(strstr(c, "\"age\""));
    free(c);
    og_graph_close(g);
    og_store_close(st);
}

static void test_soft_drop_keeps_old_snapshot_readable(void **state)
{
    (void)state;
    og_store *st = NULL;
    og_graph *g = loaded(&st);
    og_graph_snapshot before;
    OG_CHECK(og_graph_open_head(st, NULL, &before));
    og_graph_schema_apply_result r;
    OG_CHECK(apply(g, V2_DROP_PERSON, false, &r));
    assert_true(r.applied);
    size_t drops = 0;
    for (size_t i = 0; i < r.plan->n_steps; i++)
        if (r.plan->steps[i].kind == OG_STEP_DROP_TYPE) { drops++; assert_int_equal(r.plan->steps[i].mode, OG_DROP_SOFT); }
    assert_int_equal(drops, 2); /* Person and Knows */
    og_graph_schema_apply_result_clear(&r);
    assert_false(has_pin(st, "node:Person"));
    assert_false(has_pin(st, "edge:Knows"));
    assert_true(has_pin(st, "node:Company"));
    /* the pre-drop table version is still there for time travel */
    const og_graph_pin *p = og_graph_snapshot_pin(&before, "node:Person");
    og_table *t = NULL;
    OG_CHECK(og_table_open_at(st, p->path, p->version, &t));
    assert_int_equal(og_table_count_rows(t), 2);
    og_table_close(t);
    og_graph_snapshot_free(&before);
    og_graph_close(g);
    og_store_close(st);
}

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    og_store *st = NULL;
    og_graph *g = loaded(&st);
    uint64_t v0 = main_version(st);
    og_graph_schema_apply_result r;
    assert_int_equal(apply(g, V2_AGE_I64, false, &r), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "[OG-MF-106]"));
    assert_non_null(strstr(og_error_last()->message, "changing property type"));
    assert_false(r.applied);
    og_graph_schema_apply_result_clear(&r);
    assert_int_equal(apply(g, V2_REQUIRED, false, &r), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "OG-MF-103"));
    og_graph_schema_apply_result_clear(&r);
    /* no-op: the accepted schema again */
    OG_CHECK(apply(g, CF_SCHEMA, false, &r));
    assert_false(r.applied);
    assert_int_equal(r.plan->n_steps, 0);
    assert_int_equal(r.manifest_version, v0);
    og_graph_schema_apply_result_clear(&r);
    /* another branch */
    OG_CHECK(og_graph_branch_create(st, "feature", NULL, 0, NULL));
    assert_int_equal(apply(g, V2_NICK, false, &r), OG_E_CONFLICT);
    assert_string_equal(og_error_last()->message,
                        "schema apply requires a graph with only main; found non-main branches: feature");
    og_graph_schema_apply_result_clear(&r);
    OG_CHECK(og_graph_branch_delete(st, "feature", 0));
    /* an apply in progress (its lock held) */
    OG_CHECK(og_graph_branch_create(st, OG_SCHEMA_APPLY_LOCK, NULL, OG_GRAPH_BRANCH_INTERNAL, NULL));
    assert_int_equal(apply(g, V2_NICK, false, &r), OG_E_CONFLICT);
    assert_string_equal(og_error_last()->message, "schema apply is already in progress");
    og_graph_schema_apply_result_clear(&r);
    assert_int_equal(main_version(st), v0);
    assert_int_equal(cf_sidecars(st), 0);
    assert_null(og_decl_find_prop(cf_type(g, OG_KIND_NODE, "Person"), "nickname"));
    og_graph_close(g);
    og_store_close(st);
}

static void test_enum_widening_accepts_new_value_on_write(void **state)
{
    (void)state;
    static const char *V1 = "node Ticket {\n  slug: String @key\n  status: enum(todo, done)\n}\n";
    static const char *V2 = "node Ticket {\n  slug: String @key\n  status: enum(todo, doing, done)\n}\n";
    og_store *st = NULL;
    OG_CHECK(og_store_mem_open(&st));
    OG_CHECK(og_graph_init(st, V1, strlen(V1), false, NULL));
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    const char *row = "{\"type\":\"Ticket\",\"data\":{\"slug\":\"t1\",\"status\":\"doing\"}}\n";
    og_graph_load_opts lo = {NULL, NULL, OG_LOAD_MERGE, NULL};
    og_graph_load_result lr;
    assert_int_not_equal(og_graph_load(g, &lo, row, strlen(row), &lr), OG_OK);
    og_graph_load_result_clear(&lr);
    og_graph_schema_apply_result r;
    OG_CHECK(apply(g, V2, false, &r));
    assert_true(r.applied);
    assert_int_equal(r.plan->steps[0].kind, OG_STEP_EXTEND_ENUM);
    og_graph_schema_apply_result_clear(&r);
    OG_CHECK(og_graph_load(g, &lo, row, strlen(row), &lr));
    assert_int_equal(lr.total, 1);
    og_graph_load_result_clear(&lr);
    og_graph_close(g);
    og_store_close(st);
}

/* A handle opened before another handle applied a schema must not write
 * with its stale catalog (it could re-pin a dropped type). */
static void test_stale_handle_refuses_to_write_after_apply(void **state)
{
    (void)state;
    og_store *st = NULL;
    og_graph *g = loaded(&st);
    og_graph *stale = cf_open(st, OG_GRAPH_RW);
    og_graph_schema_apply_result r;
    OG_CHECK(apply(g, V2_NICK, false, &r));
    og_graph_schema_apply_result_clear(&r);
    assert_int_equal(cf_write_pair(stale, NULL, "Cid", "Dan", 1, NULL), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, "reopen the graph"));
    OG_CHECK(cf_write_pair(g, NULL, "Cid", "Dan", 1, NULL)); /* the applying handle writes on */
    og_graph_close(stale);
    og_graph_close(g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_additive_property_keeps_rows_and_reopens),
        cmocka_unit_test(test_rename_type_and_property_carry_data),
        cmocka_unit_test(test_soft_drop_keeps_old_snapshot_readable),
        cmocka_unit_test(test_refusals_change_nothing),
        cmocka_unit_test(test_enum_widening_accepts_new_value_on_write),
        cmocka_unit_test(test_stale_handle_refuses_to_write_after_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
