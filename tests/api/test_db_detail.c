/* test_db_detail.c — structured error details of the public API
 * (og_last_error_detail): key_conflict from an append load, resource_limit from an oversized load, recovery_required from an
 * open or a refresh that meets a sidecar recovery cannot finish; a detail
 * never outlives its error. Also og_db_repair's output shape. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "omnigraph.h"

static const char *PG = "node Person {\n  name: String @key\n  age: I32?\n}\n";
static const char *GQ = "query add($name: String) { insert Person { name: $name } }\n";

typedef struct fx {
    char *dir;
    char uri[512];
    og_db *db;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    char *out = NULL;
    const char *data = "{\"type\":\"Person\",\"data\":{\"name\":\"Ada\",\"age\":36}}\n";
    f->dir = og_test_tmpdir("api_detail");
    snprintf(f->uri, sizeof f->uri, "%s/g.omni", f->dir);
    OG_CHECK(og_db_init(f->uri, PG, strlen(PG), 0, "tester"));
    OG_CHECK(og_db_open(f->uri, 0, &f->db));
    OG_CHECK(og_db_load(f->db, NULL, NULL, data, strlen(data), "overwrite", NULL, &out));
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

static json_t *detail(void)
{
    const char *d = og_last_error_detail();
    assert_non_null(d);
    json_t *j = json_loads(d, 0, NULL);
    assert_non_null(j);
    return j;
}

/* A keyed insert is an upsert (surface.md §2.10), so key conflicts come
 * from append loads; a detail dies with its error. */
static void test_detail_is_retired_by_the_next_call(void **state)
{
    fx *f = *state;
    char *out = NULL;
    const char *data = "{\"type\":\"Person\",\"data\":{\"name\":\"Ada\"}}\n";
    assert_int_equal(og_db_load(f->db, NULL, NULL, data, strlen(data), "append", NULL, &out), OG_DB_E_EXISTS);
    assert_non_null(og_last_error_detail());
    OG_CHECK(og_db_mutate(f->db, GQ, strlen(GQ), "add", "{\"name\":\"Bea\"}", NULL, NULL, NULL, &out));
    og_free(out);
    assert_null(og_last_error_detail());
    assert_int_equal(og_db_load(f->db, NULL, NULL, data, strlen(data), "append", NULL, &out), OG_DB_E_EXISTS);
    assert_int_not_equal(og_db_mutate(f->db, GQ, strlen(GQ), "nope", NULL, NULL, NULL, NULL, &out), 0);
    assert_null(og_last_error_detail()); /* another failure: not a key conflict */
}

static void test_append_load_of_existing_id_is_key_conflict(void **state)
{
    fx *f = *state;
    char *out = NULL;
    const char *data = "{\"type\":\"Person\",\"data\":{\"name\":\"Ada\"}}\n";
    assert_int_equal(og_db_load(f->db, NULL, NULL, data, strlen(data), "append", NULL, &out), OG_DB_E_EXISTS);
    json_t *j = detail();
    json_t *k = json_object_get(j, "key_conflict");
    assert_string_equal(json_string_value(json_object_get(k, "type_name")), "Person");
    assert_string_equal(json_string_value(json_object_get(k, "entity_id")), "Ada");
    json_decref(j);
}

static void test_oversized_keyed_load_is_resource_limit(void **state)
{
    fx *f = *state;
    char *out = NULL;
    size_t n = 8193, cap = n * 64;
    char *data = malloc(cap), *p = data;
    for (size_t i = 0; i < n; i++) p += sprintf(p, "{\"type\":\"Person\",\"data\":{\"name\":\"p%zu\"}}\n", i);
    assert_int_equal(og_db_load(f->db, NULL, NULL, data, (size_t)(p - data), "merge", NULL, &out), OG_DB_E_LIMIT);
    json_t *j = detail();
    json_t *r = json_object_get(j, "resource_limit");
    assert_string_equal(json_string_value(json_object_get(r, "resource")), "keyed entities for node:Person");
    assert_int_equal(json_integer_value(json_object_get(r, "limit")), 8192);
    assert_int_equal(json_integer_value(json_object_get(r, "actual")), 8193);
    json_decref(j);
    free(data);
}

static void drop_bad_sidecar(const fx *f, const char *op)
{
    char path[700];
    snprintf(path, sizeof path, "%s/__recovery", f->uri);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/__recovery/%s.json", f->uri, op);
    FILE *w = fopen(path, "w");
    assert_non_null(w);
    fputs("{\"schema_version\": 1, \"truncated", w);
    fclose(w);
}

static void test_unrecoverable_sidecar_is_recovery_required(void **state)
{
    fx *f = *state;
    const char *op = "01JABCDEFGHJKMNPQRSTVWXYZ0";
    drop_bad_sidecar(f, op);
    /* the live handle's refresh meets it */
    assert_int_not_equal(og_db_refresh(f->db), 0);
    json_t *j = detail();
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "recovery_required"), "operation_id")), op);
    json_decref(j);
    /* a read-write open refuses with the same detail; read-only opens */
    og_db *db = NULL;
    assert_int_not_equal(og_db_open(f->uri, 0, &db), 0);
    assert_null(db);
    j = detail();
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "recovery_required"), "operation_id")), op);
    json_decref(j);
    OG_CHECK(og_db_open(f->uri, OG_DB_READ_ONLY, &db));
    og_db_close(db);
    char path[700];
    snprintf(path, sizeof path, "%s/__recovery/%s.json", f->uri, op);
    assert_int_equal(remove(path), 0);
    OG_CHECK(og_db_refresh(f->db));
    assert_null(og_last_error_detail());
}

static void test_repair_output_shape_on_a_clean_graph(void **state)
{
    fx *f = *state;
    char *out = NULL;
    OG_CHECK(og_db_repair(f->db, 0, 0, &out));
    json_t *j = json_loads(out, 0, NULL);
    og_free(out);
    assert_true(json_is_false(json_object_get(j, "confirm")));
    assert_true(json_is_false(json_object_get(j, "force")));
    assert_true(json_is_null(json_object_get(j, "graph_manifest_version")));
    assert_true(json_is_false(json_object_get(j, "refused")));
    json_t *ds = json_object_get(j, "datasets");
    assert_int_equal(json_array_size(ds), 1);
    json_t *d = json_array_get(ds, 0);
    assert_string_equal(json_string_value(json_object_get(d, "type_key")), "node:Person");
    assert_string_equal(json_string_value(json_object_get(d, "classification")), "no_drift");
    assert_string_equal(json_string_value(json_object_get(d, "action")), "no_op");
    json_decref(j);
    assert_int_equal(og_db_repair(f->db, 0, 1, &out), OG_DB_E_INVALID); /* force needs confirm */
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_detail_is_retired_by_the_next_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_load_of_existing_id_is_key_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_keyed_load_is_resource_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unrecoverable_sidecar_is_recovery_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repair_output_shape_on_a_clean_graph, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
