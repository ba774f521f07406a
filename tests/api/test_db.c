/* test_db.c — the og_db public API end to end on a local graph: init/open
 * errors, load, query (ReadOutput), mutate (ChangeOutput, no-op, lost
 * --if-commit with its structured body), branches, commits, snapshot,
 * export and schema show. */
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "omnigraph.h"

static const char *PG =
    "node Person {\n  name: String @key\n  age: I32?\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge WorksAt: Person -> Company\n";

static const char *DATA =
    "{\"type\":\"Person\",\"data\":{\"name\":\"Ada\",\"age\":36}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"Alan\",\"age\":41}}\n"
    "{\"type\":\"Company\",\"data\":{\"name\":\"Acme\"}}\n"
    "{\"edge\":\"WorksAt\",\"from\":\"Ada\",\"to\":\"Acme\"}\n";

static const char *GQ =
    "query people() { match { $p: Person } return { $p.name, $p.age } order { $p.name asc } }\n"
    "query add($name: String, $age: I32) { insert Person { name: $name, age: $age } }\n"
    "query set_age($name: String, $age: I32) { update Person set { age: $age } where name = $name }\n";

typedef struct fx {
    char *dir;
    char uri[512];
    og_db *db;
} fx;

static json_t *parse(char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    og_free(text);
    return j;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    char *out = NULL;
    f->dir = og_test_tmpdir("api_db");
    snprintf(f->uri, sizeof f->uri, "file://%s/g.omni", f->dir);
    OG_CHECK(og_db_init(f->uri, PG, strlen(PG), 0, "tester"));
    OG_CHECK(og_db_open(f->uri, 0, &f->db));
    OG_CHECK(og_db_load(f->db, NULL, NULL, DATA, strlen(DATA), "overwrite", NULL, &out));
    og_free(out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    og_db_close(f->db);
    og_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static json_t *query(fx *f, const char *branch, const char *snapshot)
{
    char *out = NULL;
    OG_CHECK(og_db_query(f->db, GQ, strlen(GQ), "people", NULL, branch, snapshot, &out));
    return parse(out);
}

static const char *head_of(fx *f, const char *branch, char *buf, size_t cap)
{
    char *out = NULL;
    OG_CHECK(og_db_commit_list(f->db, branch, NULL, &out));
    json_t *j = parse(out);
    snprintf(buf, cap, "%s", json_string_value(json_object_get(
                                 json_array_get(json_object_get(j, "commits"), 0), "graph_commit_id")));
    json_decref(j);
    return buf;
}

static void test_init_refuses_an_initialised_root_and_open_a_missing_one(void **state)
{
    fx *f = *state;
    og_db *db = NULL;
    char missing[600];
    assert_int_equal(og_db_init(f->uri, PG, strlen(PG), 0, NULL), OG_DB_E_EXISTS);
    snprintf(missing, sizeof missing, "%s/nothing.omni", f->dir);
    assert_int_equal(og_db_open(missing, 0, &db), OG_DB_E_NOTFOUND);
    assert_null(db);
    assert_non_null(strstr(og_errmsg(), "not found"));
    assert_int_equal(og_db_open("s3://bucket/g", 0, &db), OG_DB_E_UNSUPPORTED);
    assert_non_null(strstr(og_errmsg(), "not supported yet"));
}

static void test_load_result_lists_types_by_name_with_counts_and_commit(void **state)
{
    fx *f = *state;
    char *out = NULL;
    const char *more = "{\"type\":\"Person\",\"data\":{\"name\":\"Grace\"}}\n";
    OG_CHECK(og_db_load(f->db, NULL, NULL, more, strlen(more), "append", "loader", &out));
    json_t *j = parse(out);
    assert_string_equal(json_string_value(json_object_get(j, "branch")), "main");
    assert_string_equal(json_string_value(json_object_get(j, "mode")), "append");
    assert_int_equal(json_integer_value(json_object_get(j, "total_entities")), 1);
    json_t *n0 = json_array_get(json_object_get(j, "nodes"), 0);
    assert_string_equal(json_string_value(json_object_get(n0, "name")), "Person");
    assert_int_equal(json_integer_value(json_object_get(n0, "entities_loaded")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "edges")), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "commit"), "actor_id")),
                        "loader");
    json_decref(j);
    /* append of an existing id fails and changes nothing */
    assert_int_not_equal(og_db_load(f->db, NULL, NULL, more, strlen(more), "append", NULL, &out), 0);
    assert_null(out);
    assert_int_equal(og_db_load(f->db, NULL, NULL, more, strlen(more), "replace", NULL, &out),
                     OG_DB_E_INVALID);
    j = query(f, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 3);
    json_decref(j);
}

static void test_query_returns_read_output_with_target_and_head_commit(void **state)
{
    fx *f = *state;
    char head[64];
    json_t *j = query(f, NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "query_name")), "people");
    json_t *t = json_object_get(j, "target");
    assert_string_equal(json_string_value(json_object_get(t, "branch")), "main");
    assert_true(json_is_null(json_object_get(t, "snapshot")));
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "columns"), 0)), "p.name");
    json_t *r0 = json_array_get(json_object_get(j, "rows"), 0);
    assert_string_equal(json_string_value(json_object_get(r0, "p.name")), "Ada");
    assert_string_equal(json_string_value(json_object_get(j, "graph_commit_id")),
                        head_of(f, NULL, head, sizeof head));
    json_decref(j);
}

static void test_query_and_mutate_refuse_the_wrong_kind_and_ambiguous_sources(void **state)
{
    fx *f = *state;
    char *out = NULL;
    assert_int_equal(og_db_query(f->db, GQ, strlen(GQ), "add", "{\"name\":\"X\",\"age\":1}", NULL,
                                 NULL, &out), OG_DB_E_INVALID);
    assert_non_null(strstr(og_errmsg(), "contains mutations"));
    assert_int_equal(og_db_mutate(f->db, GQ, strlen(GQ), "people", NULL, NULL, NULL, NULL, &out),
                     OG_DB_E_INVALID);
    assert_int_equal(og_db_query(f->db, GQ, strlen(GQ), NULL, NULL, NULL, NULL, &out),
                     OG_DB_E_INVALID);
    assert_non_null(strstr(og_errmsg(), "multiple queries"));
    const char *bad = "query q() { match { $p: Persn } return { $p.name } }";
    assert_int_not_equal(og_db_query(f->db, bad, strlen(bad), NULL, NULL, NULL, NULL, &out), 0);
    assert_null(out);
}

static void test_mutation_on_a_branch_leaves_main_and_reports_its_commit(void **state)
{
    fx *f = *state;
    char *out = NULL, main_head[64];
    head_of(f, NULL, main_head, sizeof main_head);
    OG_CHECK(og_db_branch_create(f->db, "review", NULL, NULL, &out));
    json_t *j = parse(out);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "review");
    assert_string_equal(json_string_value(json_object_get(j, "from")), "main");
    json_decref(j);
    OG_CHECK(og_db_mutate(f->db, GQ, strlen(GQ), "add", "{\"name\":\"Grace\",\"age\":85}",
                          "review", NULL, "act-x", &out));
    j = parse(out);
    assert_string_equal(json_string_value(json_object_get(j, "branch")), "review");
    assert_int_equal(json_integer_value(json_object_get(j, "affected_nodes")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "affected_edges")), 0);
    json_t *c = json_object_get(j, "commit");
    assert_string_equal(json_string_value(json_object_get(c, "parent_commit_id")), main_head);
    assert_string_equal(json_string_value(json_object_get(c, "graph_branch")), "review");
    assert_string_equal(json_string_value(json_object_get(c, "actor_id")), "act-x");
    json_decref(j);
    j = query(f, "review", NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 3);
    json_decref(j);
    j = query(f, NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 2);
    json_decref(j);
    /* time travel to main's head reads the same */
    j = query(f, NULL, main_head);
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "target"), "snapshot")),
                        main_head);
    json_decref(j);
}

static void test_noop_mutation_publishes_no_commit(void **state)
{
    fx *f = *state;
    char *out = NULL, before[64], after[64];
    head_of(f, NULL, before, sizeof before);
    OG_CHECK(og_db_mutate(f->db, GQ, strlen(GQ), "set_age", "{\"name\":\"Nobody\",\"age\":1}",
                          NULL, NULL, NULL, &out));
    json_t *j = parse(out);
    assert_int_equal(json_integer_value(json_object_get(j, "affected_nodes")), 0);
    assert_true(json_is_null(json_object_get(j, "commit")));
    json_decref(j);
    assert_string_equal(head_of(f, NULL, after, sizeof after), before);
}

static void test_stale_if_commit_is_a_precondition_with_structured_body(void **state)
{
    fx *f = *state;
    char *out = NULL, h0[64], h1[64];
    head_of(f, NULL, h0, sizeof h0);
    OG_CHECK(og_db_mutate(f->db, GQ, strlen(GQ), "set_age", "{\"name\":\"Ada\",\"age\":37}", NULL,
                          h0, NULL, &out));
    og_free(out);
    head_of(f, NULL, h1, sizeof h1);
    assert_string_not_equal(h0, h1);
    assert_null(og_last_conflict_json());
    assert_int_equal(og_db_mutate(f->db, GQ, strlen(GQ), "set_age", "{\"name\":\"Ada\",\"age\":38}",
                                  NULL, h0, NULL, &out), OG_DB_E_PRECONDITION);
    assert_null(out);
    json_t *body = json_loads(og_last_conflict_json(), 0, NULL);
    json_t *pf = json_object_get(body, "precondition_failure");
    assert_string_equal(json_string_value(json_object_get(pf, "expected")), h0);
    assert_string_equal(json_string_value(json_object_get(pf, "actual")), h1);
    json_decref(body);
    /* the next call forgets it */
    json_decref(query(f, NULL, NULL));
    assert_null(og_last_conflict_json());
}

static void test_branch_rules_use_reference_wording(void **state)
{
    fx *f = *state;
    char *out = NULL;
    assert_int_not_equal(og_db_branch_create(f->db, "main", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "cannot create branch 'main'"));
    assert_int_not_equal(og_db_branch_delete(f->db, "main", NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "cannot delete branch 'main'"));
    OG_CHECK(og_db_branch_create(f->db, "feature", NULL, NULL, &out));
    og_free(out);
    assert_int_equal(og_db_branch_create(f->db, "feature", NULL, NULL, &out), OG_DB_E_EXISTS);
    assert_int_not_equal(og_db_branch_create(f->db, "feature/child", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "ancestors or descendants"));
    OG_CHECK(og_db_branch_list(f->db, &out));
    json_t *j = parse(out);
    assert_int_equal(json_array_size(json_object_get(j, "branches")), 2);
    json_decref(j);
    OG_CHECK(og_db_branch_delete(f->db, "feature", NULL, &out));
    og_free(out);
    OG_CHECK(og_db_branch_list(f->db, &out));
    j = parse(out);
    assert_int_equal(json_array_size(json_object_get(j, "branches")), 1);
    json_decref(j);
}

static int count_line(void *ud, const char *line, size_t len)
{
    (void)line;
    (void)len;
    (*(int *)ud)++;
    return 0;
}

static int stop_at_first(void *ud, const char *line, size_t len)
{
    (void)line;
    (void)len;
    (*(int *)ud)++;
    return 1;
}

static void test_export_snapshot_commit_show_and_schema(void **state)
{
    fx *f = *state;
    char *out = NULL, head[64];
    int n = 0;
    OG_CHECK(og_db_export(f->db, NULL, NULL, 0, count_line, &n));
    assert_int_equal(n, 4);
    const char *types[] = {"Company"};
    n = 0;
    OG_CHECK(og_db_export(f->db, NULL, types, 1, count_line, &n));
    assert_int_equal(n, 1);
    n = 0;
    assert_int_not_equal(og_db_export(f->db, NULL, NULL, 0, stop_at_first, &n), 0);
    assert_int_equal(n, 1);
    const char *nope[] = {"Nope"};
    assert_int_equal(og_db_export(f->db, NULL, nope, 1, count_line, &n), OG_DB_E_NOTFOUND);

    OG_CHECK(og_db_snapshot(f->db, NULL, &out));
    json_t *j = parse(out);
    assert_string_equal(json_string_value(json_object_get(j, "graph_branch")), "main");
    size_t i;
    json_t *d;
    int persons = -1;
    json_array_foreach(json_object_get(j, "datasets"), i, d)
        if (!strcmp(json_string_value(json_object_get(d, "type_name")), "Person"))
            persons = (int)json_integer_value(json_object_get(d, "entity_count"));
    assert_int_equal(persons, 2);
    json_decref(j);

    OG_CHECK(og_db_commit_show(f->db, head_of(f, NULL, head, sizeof head), &out));
    j = parse(out);
    assert_string_equal(json_string_value(json_object_get(j, "graph_commit_id")), head);
    assert_true(json_integer_value(json_object_get(j, "graph_manifest_version")) >= 2);
    json_decref(j);
    assert_int_equal(og_db_commit_show(f->db, "01ARZ3NDEKTSV4RRFFQ69G5FAV", &out), OG_DB_E_NOTFOUND);

    OG_CHECK(og_db_commit_list(f->db, NULL, "tester", &out));
    j = parse(out);
    assert_int_equal(json_array_size(json_object_get(j, "commits")), 1); /* genesis only */
    json_decref(j);

    OG_CHECK(og_db_schema_show(f->db, &out));
    j = parse(out);
    assert_string_equal(json_string_value(json_object_get(j, "schema_source")), PG);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_refuses_an_initialised_root_and_open_a_missing_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_result_lists_types_by_name_with_counts_and_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_returns_read_output_with_target_and_head_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_and_mutate_refuse_the_wrong_kind_and_ambiguous_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutation_on_a_branch_leaves_main_and_reports_its_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_noop_mutation_publishes_no_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_if_commit_is_a_precondition_with_structured_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_branch_rules_use_reference_wording, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_snapshot_commit_show_and_schema, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
