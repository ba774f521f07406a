/* test_changes.c — commit diffs (graph/changes.h) pinned against writes
 * whose effect the test knows: inserts, updates, physical no-ops, deletes,
 * edge endpoints, filters, the frozen order, the genesis refusal and the
 * feed cursor codec. */
#include "testutil.h"

#include <jansson.h>

#include "crash/crash_fixture.h"
#include "graph/changes.h"
#include "graph/commit.h"

static og_graph_commit head_commit(og_graph *g)
{
    og_graph_view *v = NULL;
    og_graph_commit c;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    OG_CHECK(og_graph_commit_copy(&c, &og_graph_view_snapshot(v)->head));
    og_graph_view_close(v);
    return c;
}

static json_t *changes_of_head(og_graph *g, const og_change_filter *f)
{
    og_graph_commit c = head_commit(g);
    json_t *out = NULL;
    OG_CHECK(og_graph_commit_changes(g, &c, f, &out));
    og_graph_commit_clear(&c);
    return out;
}

/* "op kind type id" per change, joined by ';'. */
static char *summary(const json_t *a)
{
    og_buf b = OG_BUF_INIT;
    size_t i;
    json_t *c;
    json_array_foreach(a, i, c)
        OG_CHECK(og_buf_printf(&b, "%s %s %s %s;", json_string_value(json_object_get(c, "op")),
                               json_string_value(json_object_get(c, "kind")),
                               json_string_value(json_object_get(json_object_get(c, "type"), "name")),
                               json_string_value(json_object_get(c, "id"))));
    return og_buf_detach(&b, NULL);
}

static void test_insert_then_update_then_noop(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    json_t *a = changes_of_head(g, NULL);
    char *s = summary(a);
    /* nodes before edges, ids ascending within a type */
    assert_string_equal(s, "insert node Person Ann;insert node Person Bob;insert edge Knows Ann-Bob;");
    json_t *edge = json_array_get(a, 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(edge, "after"), "endpoints"), "from")), "Ann");
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(edge, "after"), "endpoints"), "to")), "Bob");
    assert_null(json_object_get(edge, "before"));
    free(s);
    json_decref(a);

    /* same rows again, Ann's age changed: an update with both images */
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 31, NULL));
    a = changes_of_head(g, NULL);
    s = summary(a);
    assert_string_equal(s, "update node Person Ann;update node Person Bob;");
    json_t *u = json_array_get(a, 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(u, "before"), "properties"), "age")), 30);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(u, "after"), "properties"), "age")), 31);
    free(s);
    json_decref(a);

    /* an identical rewrite is a physical no-op: no changes at all */
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 31, &r));
    if (r.published) {
        a = changes_of_head(g, NULL);
        assert_int_equal(json_array_size(a), 0);
        json_decref(a);
    }
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_delete_carries_before_image_and_filters_apply(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    OG_CHECK(cf_delete_pair(g, "Ann", "Ann-Bob"));
    json_t *a = changes_of_head(g, NULL);
    char *s = summary(a);
    assert_string_equal(s, "delete node Person Ann;delete edge Knows Ann-Bob;");
    json_t *d = json_array_get(a, 1);
    assert_null(json_object_get(d, "after"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(d, "before"), "endpoints"), "to")), "Bob");
    free(s);
    json_decref(a);

    const char *kinds[] = {"edge"};
    og_change_filter f = {kinds, 1, NULL, 0, NULL, 0};
    a = changes_of_head(g, &f);
    s = summary(a);
    assert_string_equal(s, "delete edge Knows Ann-Bob;");
    free(s);
    json_decref(a);
    const char *types[] = {"Company"};
    og_change_filter ft = {NULL, 0, types, 1, NULL, 0};
    a = changes_of_head(g, &ft);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    const char *ops[] = {"insert"};
    og_change_filter fo = {NULL, 0, NULL, 0, ops, 1};
    a = changes_of_head(g, &fo);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
    const char *bad[] = {"upsert"};
    og_change_filter fb = {NULL, 0, NULL, 0, bad, 1};
    og_graph_commit c = head_commit(g);
    a = NULL;
    assert_int_equal(og_graph_commit_changes(g, &c, &fb, &a), OG_E_INVALID);
    assert_non_null(strstr(og_error_last()->message, "upsert"));
    og_graph_commit_clear(&c);
    og_graph_close(g);
    og_store_close(st);
}

static void test_genesis_is_parentless(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    og_graph_commit c = head_commit(g);
    json_t *a = NULL;
    assert_int_equal(og_graph_commit_changes(g, &c, NULL, &a), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, "parentless_commit"));
    assert_null(a);
    og_graph_commit_clear(&c);
    og_graph_close(g);
    og_store_close(st);
}

static void test_branch_commit_diffs_against_inherited_parent(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    og_graph *g = cf_open(st, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, NULL));
    OG_CHECK(og_graph_branch_create(st, "feature", NULL, 0, NULL));
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    OG_CHECK(cf_write_pair(g, "feature", "Cid", "Ann", 40, &r));
    og_graph_commit c;
    memset(&c, 0, sizeof c);
    OG_CHECK(og_graph_changes_resolve(g, r.commit_id, &c));
    json_t *a = NULL;
    OG_CHECK(og_graph_commit_changes(g, &c, NULL, &a));
    char *s = summary(a);
    /* Ann existed at 30 on main: an update; Cid and the edge are new */
    assert_string_equal(s, "update node Person Ann;insert node Person Cid;insert edge Knows Cid-Ann;");
    free(s);
    json_decref(a);
    og_graph_commit_clear(&c);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_cursor_round_trip_and_rejections(void **state)
{
    (void)state;
    og_change_cursor c, d;
    og_buf b = OG_BUF_INIT;
    memset(&c, 0, sizeof c);
    snprintf(c.branch, sizeof c.branch, "main");
    snprintf(c.branch_uid, sizeof c.branch_uid, "01HZZZZZZZZZZZZZZZZZZZZZZZ");
    snprintf(c.last_commit, sizeof c.last_commit, "01HYYYYYYYYYYYYYYYYYYYYYYY");
    const char *kinds[] = {"node", "edge"}, *kinds2[] = {"edge", "node"};
    og_change_filter f1 = {kinds, 2, NULL, 0, NULL, 0}, f2 = {kinds2, 2, NULL, 0, NULL, 0}, f3 = {kinds, 1, NULL, 0, NULL, 0};
    og_change_filter_digest(&f1, c.filter_digest);
    char d2[17], d3[17];
    og_change_filter_digest(&f2, d2);
    og_change_filter_digest(&f3, d3);
    assert_string_equal(c.filter_digest, d2);     /* order-insensitive */
    assert_string_not_equal(c.filter_digest, d3); /* content-sensitive */
    OG_CHECK(og_change_cursor_encode(&c, "DOMAIN1", &b));
    OG_CHECK(og_change_cursor_decode(og_buf_cstr(&b), "DOMAIN1", &d));
    assert_string_equal(d.branch, "main");
    assert_string_equal(d.last_commit, c.last_commit);
    assert_string_equal(d.filter_digest, c.filter_digest);
    assert_int_equal(og_change_cursor_decode(og_buf_cstr(&b), "DOMAIN2", &d), OG_E_INVALID);
    assert_non_null(strstr(og_error_last()->message, "change cursor rejected"));
    assert_int_equal(og_change_cursor_decode("not a cursor!", "DOMAIN1", &d), OG_E_INVALID);
    og_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_then_update_then_noop),
        cmocka_unit_test(test_delete_carries_before_image_and_filters_apply),
        cmocka_unit_test(test_genesis_is_parentless),
        cmocka_unit_test(test_branch_commit_diffs_against_inherited_parent),
        cmocka_unit_test(test_cursor_round_trip_and_rejections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
