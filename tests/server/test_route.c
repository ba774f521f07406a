/* test_route.c — the route table: matches, 404/405, graph ids, decoding. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "server/route.h"

static og_route_id m(const char *method, const char *path, og_route *r)
{
    return og_route_match(method, path, strlen(path), r);
}

static void test_top_level_routes(void **st)
{
    og_route r;
    (void)st;
    assert_int_equal(m("GET", "/healthz", &r), OG_ROUTE_HEALTHZ);
    assert_true(r.flags & OG_RF_NO_AUTH);
    assert_int_equal(m("GET", "/openapi.json", &r), OG_ROUTE_OPENAPI);
    assert_int_equal(m("GET", "/graphs", &r), OG_ROUTE_GRAPHS);
    assert_string_equal(r.action, "graph_list");
    assert_int_equal(m("GET", "/graphs/", &r), OG_ROUTE_NONE);
    assert_int_equal(m("POST", "/healthz", &r), OG_ROUTE_BAD_METHOD);
}

static void test_bare_flat_paths_are_404(void **st)
{
    og_route r;
    (void)st;
    assert_int_equal(m("POST", "/query", &r), OG_ROUTE_NONE);
    assert_int_equal(m("GET", "/snapshot", &r), OG_ROUTE_NONE);
    assert_int_equal(m("GET", "/graphs/g1", &r), OG_ROUTE_NONE);
    assert_int_equal(m("POST", "/graphs/g1/query/", &r), OG_ROUTE_NONE);
    assert_int_equal(m("POST", "/graphs/g1//query", &r), OG_ROUTE_NONE);
}

static void test_graph_routes_capture_id_and_flags(void **st)
{
    og_route r;
    (void)st;
    assert_int_equal(m("POST", "/graphs/my-Graph-1/query", &r), OG_ROUTE_QUERY);
    assert_string_equal(r.graph, "my-Graph-1");
    assert_string_equal(r.action, "read");
    assert_int_equal(m("POST", "/graphs/g/mutate/if-graph-commit", &r), OG_ROUTE_MUTATE_IF);
    assert_true(r.flags & OG_RF_ADMIT);
    assert_int_equal(m("POST", "/graphs/g/load/ndjson?branch=x", &r), OG_ROUTE_LOAD_NDJSON);
    assert_true(r.flags & OG_RF_NDJSON_BODY);
    assert_int_equal(og_route_body_limit(r.flags), OG_BODY_LIMIT_BIG);
    assert_int_equal(m("POST", "/graphs/g/query", &r), OG_ROUTE_QUERY);
    assert_int_equal(og_route_body_limit(r.flags), OG_BODY_LIMIT_SMALL);
    assert_int_equal(m("POST", "/graphs/g/read", &r), OG_ROUTE_READ);
    assert_int_equal(m("POST", "/graphs/g/change", &r), OG_ROUTE_CHANGE);
    assert_int_equal(m("GET", "/graphs/g/commits/01ABC", &r), OG_ROUTE_COMMIT_SHOW);
    assert_string_equal(r.arg, "01ABC");
    assert_int_equal(m("POST", "/graphs/g/queries/find_person", &r), OG_ROUTE_QUERY_INVOKE);
    assert_string_equal(r.arg, "find_person");
    assert_int_equal(m("POST", "/graphs/g/queries/x/if-graph-commit", &r), OG_ROUTE_QUERY_INVOKE_IF);
}

static void test_invalid_graph_ids_are_404(void **st)
{
    og_route r;
    char longid[100];
    (void)st;
    assert_int_equal(m("POST", "/graphs/a_b/query", &r), OG_ROUTE_NONE);
    assert_int_equal(m("POST", "/graphs/a%2Fb/query", &r), OG_ROUTE_NONE);
    memset(longid, 'a', 65);
    longid[65] = 0;
    char path[200];
    snprintf(path, sizeof path, "/graphs/%s/query", longid);
    assert_int_equal(m("POST", path, &r), OG_ROUTE_NONE);
    longid[64] = 0;
    snprintf(path, sizeof path, "/graphs/%s/query", longid);
    assert_int_equal(m("POST", path, &r), OG_ROUTE_QUERY);
}

static void test_branch_delete_takes_rest_percent_decoded(void **st)
{
    og_route r;
    (void)st;
    assert_int_equal(m("DELETE", "/graphs/g/branches/review/2026-07", &r), OG_ROUTE_BRANCH_DELETE);
    assert_string_equal(r.arg, "review/2026-07");
    assert_int_equal(m("DELETE", "/graphs/g/branches/review%2Fx%20y", &r), OG_ROUTE_BRANCH_DELETE);
    assert_string_equal(r.arg, "review/x y");
    assert_int_equal(m("DELETE", "/graphs/g/branches/", &r), OG_ROUTE_NONE);
    assert_int_equal(m("DELETE", "/graphs/g/branches/bad%zz", &r), OG_ROUTE_NONE);
    assert_int_equal(m("DELETE", "/graphs/g/branches/nul%00", &r), OG_ROUTE_NONE);
    assert_int_equal(m("POST", "/graphs/g/branches/foo", &r), OG_ROUTE_BAD_METHOD);
    assert_int_equal(m("POST", "/graphs/g/branches", &r), OG_ROUTE_BRANCH_CREATE);
    assert_int_equal(m("GET", "/graphs/g/branches", &r), OG_ROUTE_BRANCHES);
}

static void test_pct_decode_edges(void **st)
{
    char out[8];
    (void)st;
    assert_true(og_route_pct_decode("a+b%41", 6, true, out, sizeof out));
    assert_string_equal(out, "a bA");
    assert_true(og_route_pct_decode("a+b", 3, false, out, sizeof out));
    assert_string_equal(out, "a+b");
    assert_false(og_route_pct_decode("%4", 2, false, out, sizeof out));
    assert_false(og_route_pct_decode("%", 1, false, out, sizeof out));
    assert_false(og_route_pct_decode("12345678", 8, false, out, sizeof out)); /* no room for NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_level_routes),
        cmocka_unit_test(test_bare_flat_paths_are_404),
        cmocka_unit_test(test_graph_routes_capture_id_and_flags),
        cmocka_unit_test(test_invalid_graph_ids_are_404),
        cmocka_unit_test(test_branch_delete_takes_rest_percent_decoded),
        cmocka_unit_test(test_pct_decode_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
