/* test_engine_load.c — og_graph_load modes and export round trips, on the
 * tests/data/graph fixtures, over mem and fs stores. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "graph/engine.h"
#include "load_testlib.h"

static og_graph *setup(const char *schema_file, bool fs, char **dir)
{
    size_t n = 0;
    char *src = lt_slurp(schema_file, &n);
    og_store *st = NULL;
    *dir = NULL;
    if (fs) {
        *dir = og_test_tmpdir("engine_load");
        OG_CHECK(og_store_fs_open(*dir, true, &st));
    } else {
        OG_CHECK(og_store_mem_open(&st));
    }
    OG_CHECK(og_graph_init(st, src, n, false, NULL));
    free(src);
    og_graph *g = NULL;
    OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g));
    return g;
}

static void teardown(og_graph *g, char *dir)
{
    og_graph_close(g);
    if (dir) { og_test_rmtree(dir); free(dir); }
}

static og_status load_file(og_graph *g, const char *file, og_load_mode mode, og_graph_load_result *r)
{
    size_t n = 0;
    char *text = lt_slurp(file, &n);
    og_graph_load_opts o = {NULL, NULL, mode, NULL};
    og_graph_load_result_clear(r);
    og_status rc = og_graph_load(g, &o, text, n, r);
    free(text);
    return rc;
}

static uint64_t rows_of(og_graph *g, const char *key)
{
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    const og_graph_pin *p = og_graph_snapshot_pin(og_graph_view_snapshot(v), key);
    uint64_t n = p ? p->row_count : UINT64_MAX;
    og_graph_view_close(v);
    return n;
}

static uint64_t head_version(og_graph *g)
{
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    uint64_t n = og_graph_view_snapshot(v)->version;
    og_graph_view_close(v);
    return n;
}

static void load_modes(bool fs)
{
    char *dir = NULL;
    og_graph *g = setup("test.pg", fs, &dir);
    og_graph_load_result r = {0};
    OG_CHECK(load_file(g, "test.jsonl", OG_LOAD_OVERWRITE, &r));
    assert_true(r.commit.published);
    assert_int_equal(rows_of(g, "node:Person"), 4);
    assert_int_equal(rows_of(g, "node:Company"), 2);
    assert_int_equal(rows_of(g, "edge:Knows"), 3);
    assert_int_equal(rows_of(g, "edge:WorksAt"), 2);
    assert_int_equal(r.total, 11);
    uint64_t v = head_version(g);
    /* append of an existing id: key conflict, nothing written */
    const char *dup = "{\"type\": \"Person\", \"data\": {\"name\": \"Zed\"}}\n"
                      "{\"type\": \"Person\", \"data\": {\"name\": \"Alice\", \"age\": 1}}\n";
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_APPEND, NULL};
    og_graph_load_result_clear(&r);
    assert_int_equal(og_graph_load(g, &o, dup, strlen(dup), &r), OG_E_EXISTS);
    assert_non_null(strstr(og_error_last()->message, "key_conflict"));
    assert_int_equal(head_version(g), v);
    assert_int_equal(rows_of(g, "node:Person"), 4);
    /* merge upserts */
    o.mode = OG_LOAD_MERGE;
    og_graph_load_result_clear(&r);
    OG_CHECK(og_graph_load(g, &o, dup, strlen(dup), &r));
    assert_int_equal(rows_of(g, "node:Person"), 5);
    assert_int_equal(head_version(g), v + 1);
    /* overwrite of Company only leaves the other types */
    const char *co = "{\"type\": \"Company\", \"data\": {\"name\": \"Acme\"}}\n"
                     "{\"type\": \"Company\", \"data\": {\"name\": \"Globex\"}}\n";
    o.mode = OG_LOAD_OVERWRITE;
    og_graph_load_result_clear(&r);
    og_status rc = og_graph_load(g, &o, co, strlen(co), &r);
    if (rc == OG_OK) {
        assert_int_equal(rows_of(g, "node:Company"), 2);
        assert_int_equal(rows_of(g, "node:Person"), 5);
        assert_int_equal(rows_of(g, "edge:Knows"), 3);
    } else {
        assert_int_equal(rc, OG_E_VALIDATION); /* a kept WorksAt edge lost its endpoint */
    }
    og_graph_load_result_clear(&r);
    teardown(g, dir);
}

static void test_load_modes_mem(void **state) { (void)state; load_modes(false); }
static void test_load_modes_fs(void **state) { (void)state; load_modes(true); }

static og_status collect(void *arg, const char *line, size_t len)
{
    og_buf *b = arg;
    og_status rc = og_buf_append(b, line, len);
    return rc ? rc : og_buf_append_byte(b, '\n');
}

static void round_trip(const char *schema, const char *data)
{
    char *dir = NULL;
    og_graph *g = setup(schema, false, &dir), *h = NULL;
    og_graph_load_result r = {0};
    OG_CHECK(load_file(g, data, OG_LOAD_OVERWRITE, &r));
    og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    OG_CHECK(og_graph_export(v, NULL, 0, collect, &a));
    og_graph_view_close(v);
    h = setup(schema, false, &dir);
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_OVERWRITE, NULL};
    og_graph_load_result_clear(&r);
    OG_CHECK(og_graph_load(h, &o, a.data, a.len, &r));
    OG_CHECK(og_graph_view_open(h, NULL, NULL, &v));
    OG_CHECK(og_graph_export(v, NULL, 0, collect, &b));
    og_graph_view_close(v);
    assert_true(a.len > 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    og_buf_free(&a);
    og_buf_free(&b);
    og_graph_load_result_clear(&r);
    teardown(g, NULL);
    teardown(h, NULL);
}

static void test_export_load_round_trip_identical(void **state)
{
    (void)state;
    round_trip("test.pg", "test.jsonl");
    round_trip("sys_datatypes.pg", "sys_datatypes.jsonl");
}

static void test_export_type_filter(void **state)
{
    (void)state;
    char *dir = NULL;
    og_graph *g = setup("test.pg", false, &dir);
    og_graph_load_result r = {0};
    OG_CHECK(load_file(g, "test.jsonl", OG_LOAD_OVERWRITE, &r));
    og_buf a = OG_BUF_INIT;
    og_graph_view *v = NULL;
    const char *types[] = {"Company"};
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    OG_CHECK(og_graph_export(v, types, 1, collect, &a));
    og_graph_view_close(v);
    size_t lines = 0;
    for (size_t i = 0; i < a.len; i++) lines += a.data[i] == '\n';
    assert_int_equal(lines, 2);
    assert_non_null(strstr(a.data, "{\"type\":\"Company\",\"data\":{\"id\":"));
    og_buf_free(&a);
    og_graph_load_result_clear(&r);
    teardown(g, dir);
}

static void test_export_u64_above_i64_max_is_exact_and_loads_back(void **state)
{
    (void)state;
    static const char *schema = "node Counter {\n  sequence: U64 @key\n  label: String\n  marks: [U64]?\n}\n";
    static const char *data =
        "{\"type\":\"Counter\",\"data\":{\"sequence\":18446744073709551615,\"label\":\"max\","
        "\"marks\":[9223372036854775808,1]}}\n"
        "{\"type\":\"Counter\",\"data\":{\"sequence\":9223372036854775807,\"label\":\"i64\"}}\n";
    og_graph *g[2] = {NULL, NULL};
    og_buf out[2] = {OG_BUF_INIT, OG_BUF_INIT};
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_OVERWRITE, NULL};
    og_graph_load_result r = {0};
    for (int i = 0; i < 2; i++) {
        og_store *st = NULL;
        OG_CHECK(og_store_mem_open(&st));
        OG_CHECK(og_graph_init(st, schema, strlen(schema), false, NULL));
        OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g[i]));
        const char *in = i == 0 ? data : out[0].data;
        OG_CHECK(og_graph_load(g[i], &o, in, strlen(in), &r));
        og_graph_load_result_clear(&r);
        og_graph_view *v = NULL;
        OG_CHECK(og_graph_view_open(g[i], NULL, NULL, &v));
        OG_CHECK(og_graph_export(v, NULL, 0, collect, &out[i]));
        og_graph_view_close(v);
    }
    assert_non_null(strstr(out[0].data, "\"sequence\":18446744073709551615,"));
    assert_non_null(strstr(out[0].data, "\"id\":\"18446744073709551615\""));
    assert_non_null(strstr(out[0].data, "\"marks\":[9223372036854775808,1]"));
    assert_non_null(strstr(out[0].data, "\"sequence\":9223372036854775807,"));
    assert_null(strstr(out[0].data, "e19"));
    assert_string_equal(out[0].data, out[1].data);
    for (int i = 0; i < 2; i++) { og_buf_free(&out[i]); og_graph_close(g[i]); }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_modes_mem),
        cmocka_unit_test(test_load_modes_fs),
        cmocka_unit_test(test_export_load_round_trip_identical),
        cmocka_unit_test(test_export_type_filter),
        cmocka_unit_test(test_export_u64_above_i64_max_is_exact_and_loads_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
