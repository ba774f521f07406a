/* test_schema_apply_api.c — the public C API of schema plan/apply and of
 * commit changes / the feed: one og_db handle that compiled queries before
 * an apply type-checks against the new schema after it (its compiled-query
 * cache does not outlive the schema), and the JSON shapes of surface.md §6. */
#include "testutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"

static const char *V1 = "node Person {\n  name: String @key\n  age: I32?\n}\n";
static const char *V2 = "node Person {\n  name: String @key\n  nickname: String?\n}\n"; /* drops age */

static json_t *parse_out(int rc, char **out)
{
    if (rc) fail_msg("call failed: %s", og_errmsg());
    json_t *j = json_loads(*out, 0, NULL);
    og_free(*out);
    *out = NULL;
    assert_non_null(j);
    return j;
}
/* out is read through its address after the call has returned. */
#define call_json(call, out) parse_out((call), &(out))

static void test_apply_refreshes_the_handle_s_query_cache(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("schema-api"), *out = NULL, path[4096];
    snprintf(path, sizeof path, "%s/g", dir);
    og_db *db = NULL;
    OG_CHECK(og_db_init(path, V1, strlen(V1), 0, NULL));
    OG_CHECK(og_db_open(path, 0, &db));
    const char *data = "{\"type\":\"Person\",\"data\":{\"name\":\"Ann\",\"age\":3}}\n";
    OG_CHECK(og_db_load(db, NULL, NULL, data, strlen(data), "merge", NULL, &out));
    og_free(out);
    const char *q_age = "query a(){ match { $p: Person } return { $p.age } }";
    const char *q_nick = "query n(){ match { $p: Person } return { $p.nickname } }";
    OG_CHECK(og_db_query(db, q_age, strlen(q_age), NULL, NULL, NULL, NULL, &out)); /* compiled and cached */
    og_free(out);
    assert_int_not_equal(og_db_query(db, q_nick, strlen(q_nick), NULL, NULL, NULL, NULL, &out), 0);

    /* plan: a preview with no effect */
    json_t *j = call_json(og_db_schema_plan(db, V2, strlen(V2), 0, &out), out);
    assert_true(json_is_true(json_object_get(j, "supported")));
    assert_int_equal(json_integer_value(json_object_get(j, "step_count")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "uri")), path);
    json_decref(j);
    j = call_json(og_db_schema_plan(db, V2, strlen(V2), 1, &out), out);
    size_t i;
    json_t *st;
    bool hard = false;
    json_array_foreach(json_object_get(j, "steps"), i, st)
        if (!strcmp(json_string_value(json_object_get(st, "kind")), "drop_property"))
            hard = !strcmp(json_string_value(json_object_get(st, "mode")), "hard");
    assert_true(hard);
    json_decref(j);

    j = call_json(og_db_schema_apply(db, V2, strlen(V2), 0, "tester", &out), out);
    assert_true(json_is_true(json_object_get(j, "applied")));
    assert_int_equal(json_integer_value(json_object_get(j, "step_count")), 2);
    const char *apply_commit = json_string_value(json_object_get(j, "graph_commit_id"));
    assert_non_null(apply_commit);
    char commit[64];
    snprintf(commit, sizeof commit, "%s", apply_commit);
    json_decref(j);

    /* the same handle: the old query no longer type-checks, the new one runs */
    assert_int_not_equal(og_db_query(db, q_age, strlen(q_age), NULL, NULL, NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "age"));
    j = call_json(og_db_query(db, q_nick, strlen(q_nick), NULL, NULL, NULL, NULL, &out), out);
    assert_int_equal(json_integer_value(json_object_get(j, "row_count")), 1);
    json_decref(j);
    j = call_json(og_db_schema_show(db, &out), out);
    assert_non_null(strstr(json_string_value(json_object_get(j, "schema_source")), "nickname"));
    json_decref(j);

    /* the apply commit crosses a schema change of Person */
    assert_int_equal(og_db_commit_changes(db, commit, NULL, 0, NULL, &out), OG_DB_E_CONFLICT);
    assert_non_null(strstr(og_errmsg(), "schema_boundary"));
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

static void test_commit_changes_pages_and_feed_cursor(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("changes-api"), *out = NULL, path[4096];
    snprintf(path, sizeof path, "%s/g", dir);
    og_db *db = NULL;
    OG_CHECK(og_db_init(path, V1, strlen(V1), 0, NULL));
    OG_CHECK(og_db_open(path, 0, &db));
    json_t *j = call_json(og_db_changes_poll(db, NULL, NULL, "now", NULL, 0, &out), out);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 0);
    char cursor[4200];
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(j, "cursor")));
    json_decref(j);
    const char *data = "{\"type\":\"Person\",\"data\":{\"name\":\"A\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"B\"}}\n"
                       "{\"type\":\"Person\",\"data\":{\"name\":\"C\"}}\n";
    j = call_json(og_db_load(db, NULL, NULL, data, strlen(data), "merge", NULL, &out), out);
    char commit[64];
    snprintf(commit, sizeof commit, "%s",
             json_string_value(json_object_get(json_object_get(j, "commit"), "graph_commit_id")));
    json_decref(j);

    j = call_json(og_db_commit_changes(db, commit, "{\"op\":[\"insert\"]}", 2, NULL, &out), out);
    assert_int_equal(json_array_size(json_object_get(j, "changes")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "cause"), "graph_commit_id")), commit);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "cause"), "authored_branch")), "main");
    json_t *first = json_array_get(json_object_get(j, "changes"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")), "A");
    assert_string_equal(json_string_value(json_object_get(json_object_get(first, "type"), "name")), "Person");
    assert_true(json_is_string(json_object_get(json_object_get(first, "type"), "id")));
    assert_true(json_is_null(json_object_get(json_object_get(json_object_get(first, "after"), "properties"), "age")));
    char token[4200];
    snprintf(token, sizeof token, "%s", json_string_value(json_object_get(j, "next_page_token")));
    json_decref(j);
    j = call_json(og_db_commit_changes(db, commit, "{\"op\":[\"insert\"]}", 2, token, &out), out);
    assert_int_equal(json_array_size(json_object_get(j, "changes")), 1);
    assert_null(json_object_get(j, "next_page_token"));
    json_decref(j);
    /* the token is bound to its filter */
    assert_int_equal(og_db_commit_changes(db, commit, NULL, 2, token, &out), OG_DB_E_INVALID);
    assert_int_equal(og_db_commit_changes(db, commit, "{\"bogus\":[]}", 0, NULL, &out), OG_DB_E_INVALID);

    j = call_json(og_db_changes_poll(db, NULL, cursor, NULL, NULL, 0, &out), out);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 1);
    assert_true(json_is_true(json_object_get(j, "caught_up")));
    json_decref(j);
    /* limit 1 of 2 new commits: not caught up, the cursor resumes */
    const char *d2 = "{\"type\":\"Person\",\"data\":{\"name\":\"D\"}}\n";
    OG_CHECK(og_db_load(db, NULL, NULL, d2, strlen(d2), "merge", NULL, &out));
    og_free(out);
    j = call_json(og_db_changes_poll(db, NULL, cursor, NULL, NULL, 1, &out), out);
    assert_int_equal(json_array_size(json_object_get(j, "blocks")), 1);
    assert_true(json_is_false(json_object_get(j, "caught_up")));
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(j, "cursor")));
    json_decref(j);
    j = call_json(og_db_changes_poll(db, NULL, cursor, NULL, NULL, 1, &out), out);
    json_t *b = json_array_get(json_object_get(j, "blocks"), 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(b, "changes"), 0), "id")), "D");
    assert_true(json_is_true(json_object_get(j, "caught_up")));
    json_decref(j);
    assert_int_equal(og_db_changes_poll(db, NULL, NULL, "after:01ARZ3NDEKTSV4RRFFQ69G5FAV", NULL, 0, &out),
                     OG_DB_E_INVALID);
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_refreshes_the_handle_s_query_cache),
        cmocka_unit_test(test_commit_changes_pages_and_feed_cursor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
