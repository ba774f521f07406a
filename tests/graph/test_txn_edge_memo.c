/* test_txn_edge_memo.c — commit-time RI of kept edges when nodes are
 * removed (validate.h (6)) on both endpoint sides, with and without the
 * transaction's edge memo (graph_txn.c (8)): the memo answers only what an
 * earlier scan by src/dst covered and never hides a kept edge. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/engine.h"

static const char *SCHEMA =
    "node Person {\n  slug: String @key\n}\n"
    "edge Knows: Person -> Person\n";
static const char *DATA =
    "{\"type\":\"Person\",\"data\":{\"slug\":\"a\"}}\n"
    "{\"type\":\"Person\",\"data\":{\"slug\":\"b\"}}\n"
    "{\"type\":\"Person\",\"data\":{\"slug\":\"c\"}}\n"
    "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\",\"data\":{\"id\":\"e1\"}}\n"
    "{\"edge\":\"Knows\",\"from\":\"c\",\"to\":\"a\",\"data\":{\"id\":\"e2\"}}\n";

static og_graph *setup(void)
{
    og_store *st = NULL;
    og_graph *g = NULL;
    og_graph_load_result r = {0};
    OG_CHECK(og_store_mem_open(&st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g));
    og_graph_load_opts o = {NULL, NULL, OG_LOAD_MERGE, NULL};
    OG_CHECK(og_graph_load(g, &o, DATA, strlen(DATA), &r));
    og_graph_load_result_clear(&r);
    return g;
}

/* Edge ids of Knows with col = v, through the txn (fills the memo). */
static size_t scan_by(og_graph_txn *x, const og_decl *k, const char *col, const char *v, char ids[][16])
{
    static const char *const cols[] = {"id"};
    og_value val = og_val_str(v);
    og_pred p = {col, OG_CMP_IN, {0}, &val, 1};
    og_scan_opts o = {cols, 1, &p, 1, 0};
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_graph_txn_scan(x, k, &o, &b));
    for (size_t r = 0; r < b.nrows; r++) {
        size_t n = 0;
        const char *s = og_column_get_bytes(b.cols[0], r, &n);
        snprintf(ids[r], 16, "%.*s", (int)n, s);
    }
    size_t n = b.nrows;
    og_batch_free(&b);
    return n;
}

static og_status delete_a(og_graph *g, bool scan_first, bool cascade)
{
    const og_catalog *cat = og_graph_catalog(g);
    const og_decl *person = og_catalog_find_node(cat, "Person"), *knows = og_catalog_find_edge(cat, "Knows");
    og_graph_txn *x = NULL;
    og_graph_commit_result r = {0};
    char ids[4][16];
    OG_CHECK(og_graph_txn_begin(g, NULL, &x));
    if (scan_first) {
        for (int side = 0; side < 2; side++) {
            size_t n = scan_by(x, knows, side ? "dst" : "src", "a", ids);
            assert_int_equal(n, 1);
            const char *del[1] = {ids[0]};
            if (cascade) OG_CHECK(og_graph_txn_delete(x, knows, del, 1));
        }
    }
    const char *a[] = {"a"};
    OG_CHECK(og_graph_txn_delete(x, person, a, 1));
    og_status rc = og_graph_txn_commit(x, &r);
    og_graph_commit_result_clear(&r);
    return rc;
}

static void test_removing_a_node_with_kept_incoming_and_outgoing_edges_fails(void **state)
{
    (void)state;
    og_graph *g = setup();
    assert_int_equal(delete_a(g, false, false), OG_E_VALIDATION);   /* no memo: probes scan */
    assert_int_equal(delete_a(g, true, false), OG_E_VALIDATION);    /* memo covers a: still caught */
    og_graph_close(g);
}

static void test_removing_a_node_with_its_edges_passes_through_the_memo(void **state)
{
    (void)state;
    og_graph *g = setup();
    OG_CHECK(delete_a(g, true, true));
    og_graph_close(g);
}

static void test_kept_incoming_edge_alone_is_caught(void **state)
{
    (void)state;
    og_graph *g = setup();
    const og_catalog *cat = og_graph_catalog(g);
    const og_decl *person = og_catalog_find_node(cat, "Person"), *knows = og_catalog_find_edge(cat, "Knows");
    og_graph_txn *x = NULL;
    og_graph_commit_result r = {0};
    char ids[4][16];
    OG_CHECK(og_graph_txn_begin(g, NULL, &x));
    assert_int_equal(scan_by(x, knows, "src", "b", ids), 0);   /* b has no outgoing edge */
    const char *b[] = {"b"};                                   /* e1 (a -> b) is kept */
    OG_CHECK(og_graph_txn_delete(x, person, b, 1));
    assert_int_equal(og_graph_txn_commit(x, &r), OG_E_VALIDATION);
    char msg[512];
    og_error_format(msg, sizeof msg);
    assert_non_null(strstr(msg, "e1"));
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removing_a_node_with_kept_incoming_and_outgoing_edges_fails),
        cmocka_unit_test(test_removing_a_node_with_its_edges_passes_through_the_memo),
        cmocka_unit_test(test_kept_incoming_edge_alone_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
