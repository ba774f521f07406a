/* test_handle_cache.c — the graph's handle and snapshot cache
 * (src/graph/handle_cache.h) never serves a stale head: two og_graph
 * handles over one fs root (as two processes would be) see each other's
 * commits, whether the other is one version ahead (probe of V+1), many
 * versions ahead (LIST fallback), or on a branch; and table handles kept
 * across commits read the right rows. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/branch.h"
#include "graph/engine.h"
#include "graph/engine_internal.h"
#include "graph/internal.h"
#include "store/store.h"

static const char *SCHEMA =
    "node Person {\n  slug: String @key\n  age: I32?\n}\n"
    "edge Knows: Person -> Person {\n  since: I32?\n}\n";

static og_graph *open_graph(const char *dir)
{
    og_store *st = NULL;
    og_graph *g = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g));
    return g;
}

static void put_person(og_graph *g, const char *branch, const char *slug, int age)
{
    og_batch b = OG_BATCH_INIT;
    og_column *id = NULL, *s = NULL, *a = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, i32 = {OG_TYPE_I32, OG_TYPE_NONE, 0};
    OG_CHECK(og_batch_add(&b, "id", utf8, &id));
    OG_CHECK(og_batch_add(&b, "slug", utf8, &s));
    OG_CHECK(og_batch_add(&b, "age", i32, &a));
    OG_CHECK(og_column_push_str(id, slug));
    OG_CHECK(og_column_push_str(s, slug));
    OG_CHECK(og_column_push_i64(a, age));
    OG_CHECK(og_batch_seal(&b));
    og_graph_txn *x = NULL;
    og_graph_commit_result r = {0};
    og_graph_txn_opts o = {branch, "t", NULL};
    OG_CHECK(og_graph_txn_begin(g, &o, &x));
    OG_CHECK(og_graph_txn_put(x, og_catalog_find_node(og_graph_catalog(g), "Person"), &b, OG_WRITE_UPSERT));
    OG_CHECK(og_graph_txn_commit(x, &r));
    assert_true(r.published);
    og_graph_commit_result_clear(&r);
    og_batch_free(&b);
}

/* Rows of Person on branch and the sum of their ages. */
static uint64_t persons(og_graph *g, const char *branch, int64_t *age_sum)
{
    og_graph_view *v = NULL;
    og_table *t = NULL;
    og_batch b = OG_BATCH_INIT;
    OG_CHECK(og_graph_view_open(g, branch, NULL, &v));
    OG_CHECK(og_graph_view_table(v, og_catalog_find_node(og_graph_catalog(g), "Person"), &t));
    OG_CHECK(og_table_scan(t, NULL, &b));
    int64_t sum = 0;
    og_column *a = og_batch_col(&b, "age");
    for (size_t r = 0; r < b.nrows; r++) sum += og_column_get_i64(a, r);
    if (age_sum) *age_sum = sum;
    uint64_t n = b.nrows;
    og_batch_free(&b);
    og_graph_view_close(v);
    return n;
}

static void test_second_handle_sees_commits_one_and_many_versions_ahead(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("hcache");
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_store_close(st);
    og_graph *g1 = open_graph(dir), *g2 = open_graph(dir);
    int64_t sum = 0;
    put_person(g1, NULL, "a", 1);
    assert_int_equal(persons(g1, NULL, &sum), 1);     /* g1 caches head and handles */
    assert_int_equal(persons(g2, NULL, &sum), 1);
    put_person(g2, NULL, "b", 2);                       /* g1's cache is one behind */
    assert_int_equal(persons(g1, NULL, &sum), 2);
    assert_int_equal(sum, 3);
    for (int i = 0; i < 9; i++) {                       /* many versions behind: LIST */
        char slug[8];
        snprintf(slug, sizeof slug, "c%d", i);
        put_person(g2, NULL, slug, 10);
    }
    assert_int_equal(persons(g1, NULL, &sum), 11);
    assert_int_equal(sum, 93);
    put_person(g1, NULL, "a", 100);                     /* g1 writes on the caught-up head */
    assert_int_equal(persons(g2, NULL, &sum), 11);
    assert_int_equal(sum, 192);
    og_graph_close(g1);
    og_graph_close(g2);
    og_test_rmtree(dir);
    free(dir);
}

/* cleanup may collect manifest version V+1 once it is a minute old. A
 * handle that last saw V as the head longer ago than the lease must not
 * take the missing V+1 for "no successor": it lists the chain, reads the
 * real head, and publishes above it (never resurrecting V+1 below it). */
static void test_idle_handle_past_the_lease_lists_instead_of_probing(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("hcache_lease");
    og_store *st = NULL;
    og_graph_view *v = NULL;
    og_buf key = OG_BUF_INIT;
    og_obj_meta m;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g1 = open_graph(dir), *g2 = open_graph(dir);
    put_person(g1, NULL, "a", 1);
    OG_CHECK(og_graph_view_open(g1, NULL, NULL, &v));   /* g1 knows V as the head */
    char uid[OG_ULID_LEN + 1];
    memcpy(uid, og_graph_view_snapshot(v)->branch_uid, sizeof uid);
    uint64_t ver = og_graph_view_snapshot(v)->version;
    og_graph_view_close(v);
    put_person(g2, NULL, "b", 2);
    put_person(g2, NULL, "c", 3);
    put_person(g2, NULL, "d", 4);
    OG_CHECK(og_graph_key_version(&key, uid, ver + 1));  /* what cleanup would collect */
    OG_CHECK(og_store_delete(st, key.data));
    og_graph_hcache_age(g1->hc, OG_GRAPH_HEAD_LEASE_US + 1000000);
    int64_t sum = 0;
    assert_int_equal(persons(g1, NULL, &sum), 4);
    assert_int_equal(sum, 10);
    put_person(g1, NULL, "e", 5);
    assert_int_equal(og_store_head(st, key.data, &m), OG_E_NOTFOUND);   /* not resurrected */
    og_error_clear();
    assert_int_equal(persons(g2, NULL, &sum), 5);
    assert_int_equal(sum, 15);
    og_buf_free(&key);
    og_store_close(st);
    og_graph_close(g1);
    og_graph_close(g2);
    og_test_rmtree(dir);
    free(dir);
}

static void test_branch_heads_are_cached_apart_and_follow_recreation(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("hcache_br");
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_store_close(st);
    og_graph *g1 = open_graph(dir), *g2 = open_graph(dir);
    int64_t sum = 0;
    put_person(g1, NULL, "a", 1);
    OG_CHECK(og_graph_branch_create(og_graph_store(g1), "dev", NULL, 0, NULL));
    put_person(g1, "dev", "d", 5);
    assert_int_equal(persons(g1, "dev", &sum), 2);
    assert_int_equal(persons(g1, NULL, &sum), 1);
    /* another handle deletes and recreates dev: g1 must not serve the old chain */
    OG_CHECK(og_graph_branch_delete(og_graph_store(g2), "dev", 0));
    OG_CHECK(og_graph_branch_create(og_graph_store(g2), "dev", NULL, 0, NULL));
    assert_int_equal(persons(g1, "dev", &sum), 1);
    assert_int_equal(sum, 1);
    put_person(g1, "dev", "e", 7);
    assert_int_equal(persons(g2, "dev", &sum), 2);
    assert_int_equal(sum, 8);
    og_graph_close(g1);
    og_graph_close(g2);
    og_test_rmtree(dir);
    free(dir);
}

static void test_many_commits_keep_reading_right_rows_through_cached_handles(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("hcache_many");
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_store_close(st);
    og_graph *g = open_graph(dir);
    int64_t sum = 0, want = 0;
    for (int i = 0; i < 100; i++) {      /* more commits than the cache holds handles */
        char slug[8];
        snprintf(slug, sizeof slug, "p%d", i % 10);
        put_person(g, NULL, slug, i);
        if (i >= 90) want += i;
    }
    assert_int_equal(persons(g, NULL, &sum), 10);
    assert_int_equal(sum, want);
    og_graph_close(g);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_handle_sees_commits_one_and_many_versions_ahead),
        cmocka_unit_test(test_idle_handle_past_the_lease_lists_instead_of_probing),
        cmocka_unit_test(test_branch_heads_are_cached_apart_and_follow_recreation),
        cmocka_unit_test(test_many_commits_keep_reading_right_rows_through_cached_handles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
