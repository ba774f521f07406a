/* test_store_conformance.c — the behaviour every backend must share,
 * run once per backend: fs, mem and fault(fs). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

enum { B_FS, B_MEM, B_FAULT_FS };

typedef struct fixture {
    int kind;
    og_store *s;
    char *dir;
} fixture;

static fixture fx_fs = {B_FS, NULL, NULL};
static fixture fx_mem = {B_MEM, NULL, NULL};
static fixture fx_fault = {B_FAULT_FS, NULL, NULL};

static int setup(void **state)
{
    fixture *f = *state;
    f->s = NULL;
    f->dir = NULL;
    if (f->kind == B_MEM) {
        OG_CHECK(og_store_mem_open(&f->s));
        return 0;
    }
    f->dir = og_test_tmpdir("store-conf");
    assert_non_null(f->dir);
    char root[4096];
    snprintf(root, sizeof root, "%s/root", f->dir);
    og_store *fs = NULL;
    OG_CHECK(og_store_fs_open(root, true, &fs));
    if (f->kind == B_FAULT_FS) OG_CHECK(og_store_fault_open(fs, &f->s));
    else f->s = fs;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    og_store_close(f->s);
    f->s = NULL;
    if (f->dir) og_test_rmtree(f->dir);
    free(f->dir);
    f->dir = NULL;
    return 0;
}

static og_store *S(void **state) { return ((fixture *)*state)->s; }

static void put_str(og_store *s, const char *key, const char *v)
{
    OG_CHECK(og_store_put(s, key, v, strlen(v), NULL));
}

static void assert_content(og_store *s, const char *key, const char *want)
{
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_store_get(s, key, &b, NULL));
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(og_buf_cstr(&b), want, b.len);
    og_buf_free(&b);
}

static void test_put_get_head_roundtrip_with_meta(void **state)
{
    og_store *s = S(state);
    og_obj_meta pm, gm, hm;
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_store_put(s, "a/b/c.bin", "hello", 5, &pm));
    assert_int_equal(pm.size, 5);
    assert_int_equal(strlen(pm.etag), 32);
    OG_CHECK(og_store_get(s, "a/b/c.bin", &b, &gm));
    assert_int_equal(b.len, 5);
    assert_memory_equal(b.data, "hello", 5);
    assert_int_equal(gm.size, 5);
    assert_string_equal(gm.etag, pm.etag);
    OG_CHECK(og_store_head(s, "a/b/c.bin", &hm));
    assert_int_equal(hm.size, 5);
    assert_string_equal(hm.etag, pm.etag);
    og_buf_free(&b);
}

static void test_binary_and_large_objects_roundtrip(void **state)
{
    og_store *s = S(state);
    size_t n = 200 * 1024 + 7; /* crosses the fs read chunk several times */
    char *data = malloc(n);
    og_buf b = OG_BUF_INIT;
    assert_non_null(data);
    for (size_t i = 0; i < n; i++) data[i] = (char)((i * 131u + 7u) & 0xff);
    data[10] = 0; /* embedded NULs survive */
    OG_CHECK(og_store_put(s, "big", data, n, NULL));
    OG_CHECK(og_store_get(s, "big", &b, NULL));
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, data, n);
    OG_CHECK(og_store_get_range(s, "big", 65530, 20, &b));
    assert_int_equal(b.len, 20);
    assert_memory_equal(b.data, data + 65530, 20);
    og_obj_meta m;
    OG_CHECK(og_store_head(s, "big", &m));
    assert_int_equal(m.size, n);
    og_buf_free(&b);
    free(data);
}

static void test_put_replaces_and_changes_etag(void **state)
{
    og_store *s = S(state);
    og_obj_meta m1, m2, h;
    OG_CHECK(og_store_put(s, "k", "one", 3, &m1));
    OG_CHECK(og_store_put(s, "k", "two!", 4, &m2));
    assert_string_not_equal(m1.etag, m2.etag);
    OG_CHECK(og_store_head(s, "k", &h));
    assert_string_equal(h.etag, m2.etag);
    assert_int_equal(h.size, 4);
    assert_content(s, "k", "two!");
}

static void test_empty_object(void **state)
{
    og_store *s = S(state);
    og_buf b = OG_BUF_INIT;
    og_obj_meta m;
    OG_CHECK(og_store_put(s, "empty", NULL, 0, NULL));
    OG_CHECK(og_store_get(s, "empty", &b, &m));
    assert_int_equal(b.len, 0);
    assert_int_equal(m.size, 0);
    OG_CHECK(og_store_get_range(s, "empty", 0, 10, &b));
    assert_int_equal(b.len, 0);
    assert_int_equal(og_store_get_range(s, "empty", 1, 1, &b), OG_E_INVALID);
    og_buf_free(&b);
}

static void test_get_range_clips_and_rejects_offset_past_end(void **state)
{
    og_store *s = S(state);
    og_buf b = OG_BUF_INIT;
    put_str(s, "r", "0123456789");
    OG_CHECK(og_store_get_range(s, "r", 2, 3, &b));
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "234", 3);
    OG_CHECK(og_store_get_range(s, "r", 8, 100, &b));
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "89", 2);
    OG_CHECK(og_store_get_range(s, "r", 10, 5, &b));
    assert_int_equal(b.len, 0);
    OG_CHECK(og_store_get_range(s, "r", 0, 0, &b));
    assert_int_equal(b.len, 0);
    assert_int_equal(og_store_get_range(s, "r", 11, 1, &b), OG_E_INVALID);
    og_buf_free(&b);
}

static void test_missing_keys_are_notfound_and_delete_succeeds(void **state)
{
    og_store *s = S(state);
    og_buf b = OG_BUF_INIT;
    og_obj_meta m;
    put_str(s, "dir/child", "x");
    assert_int_equal(og_store_get(s, "nope", &b, NULL), OG_E_NOTFOUND);
    assert_int_equal(og_error_last()->code, OG_E_NOTFOUND);
    assert_int_equal(og_store_head(s, "nope", &m), OG_E_NOTFOUND);
    assert_int_equal(og_store_get_range(s, "nope", 0, 1, &b), OG_E_NOTFOUND);
    /* a key that is only a "directory" of other keys is not an object */
    assert_int_equal(og_store_get(s, "dir", &b, NULL), OG_E_NOTFOUND);
    assert_int_equal(og_store_head(s, "dir", &m), OG_E_NOTFOUND);
    /* a key "below" an object is absent too */
    assert_int_equal(og_store_get(s, "dir/child/x", &b, NULL), OG_E_NOTFOUND);
    OG_CHECK(og_store_delete(s, "nope"));
    OG_CHECK(og_store_delete(s, "dir")); /* not an object: nothing to do */
    assert_content(s, "dir/child", "x");
    assert_int_equal(og_store_put_if_match(s, "nope", "0123", "v", 1, NULL), OG_E_PRECONDITION);
    assert_int_equal(og_store_get(s, "nope", &b, NULL), OG_E_NOTFOUND);
    og_buf_free(&b);
}

static const char *const ORDER_KEYS[] = {
    "b", "a/b/c", "a.b", "a", "a/b", "ab", "a0", "a/bc", "a-", "z/y/x/w",
};
static const char *const ORDER_SORTED[] = {
    "a", "a-", "a.b", "a/b", "a/b/c", "a/bc", "a0", "ab", "b", "z/y/x/w",
};
#define NORDER (sizeof ORDER_KEYS / sizeof *ORDER_KEYS)

static void put_order_keys(og_store *s)
{
    for (size_t i = 0; i < NORDER; i++) {
        /* "a" and "a/b" cannot both be files on a local fs: skip the
         * object-and-directory collisions there (see docs/store.md) */
        og_status rc = og_store_put(s, ORDER_KEYS[i], ORDER_KEYS[i], strlen(ORDER_KEYS[i]), NULL);
        assert_true(rc == OG_OK || rc == OG_E_PERMANENT);
    }
}

static void test_list_is_recursive_in_byte_order(void **state)
{
    og_store *s = S(state);
    og_list l = {0};
    put_order_keys(s);
    OG_CHECK(og_store_list(s, "", NULL, 0, &l));
    assert_false(l.truncated);
    /* the listing is sorted and holds exactly the keys that were stored */
    for (size_t i = 1; i < l.len; i++) assert_true(strcmp(l.items[i - 1].key, l.items[i].key) < 0);
    size_t j = 0;
    for (size_t i = 0; i < NORDER; i++) {
        og_obj_meta m;
        og_status rc = og_store_head(s, ORDER_SORTED[i], &m);
        if (rc == OG_E_NOTFOUND) continue;
        OG_CHECK(rc);
        assert_true(j < l.len);
        assert_string_equal(l.items[j].key, ORDER_SORTED[i]);
        assert_int_equal(l.items[j].size, strlen(ORDER_SORTED[i]));
        j++;
    }
    assert_int_equal(j, l.len);
    assert_true(l.len >= 8);
    og_list_free(&l);
}

static void test_list_prefix_selects_byte_prefix(void **state)
{
    og_store *s = S(state);
    og_list l = {0};
    put_str(s, "t/a/1", "1");
    put_str(s, "t/a/2/x", "2");
    put_str(s, "t/ab", "3");
    put_str(s, "t/b", "4");
    put_str(s, "u", "5");
    OG_CHECK(og_store_list(s, "t/a/", NULL, 0, &l));
    assert_int_equal(l.len, 2);
    assert_string_equal(l.items[0].key, "t/a/1");
    assert_string_equal(l.items[1].key, "t/a/2/x");
    og_list_free(&l);
    OG_CHECK(og_store_list(s, "t/a", NULL, 0, &l));
    assert_int_equal(l.len, 3);
    assert_string_equal(l.items[2].key, "t/ab");
    og_list_free(&l);
    OG_CHECK(og_store_list(s, "t/", NULL, 0, &l));
    assert_int_equal(l.len, 4);
    og_list_free(&l);
    OG_CHECK(og_store_list(s, "nothing/", NULL, 0, &l));
    assert_int_equal(l.len, 0);
    assert_false(l.truncated);
    og_list_free(&l);
    OG_CHECK(og_store_list(s, "t/a/2/x", NULL, 0, &l));
    assert_int_equal(l.len, 1);
    og_list_free(&l);
}

static void test_list_paginates_with_start_after(void **state)
{
    og_store *s = S(state);
    og_list l = {0};
    char key[64];
    for (int i = 0; i < 25; i++) {
        snprintf(key, sizeof key, "p/%02d", i);
        put_str(s, key, "v");
    }
    put_str(s, "q", "outside");
    const char *after = NULL;
    char last[64] = "";
    size_t seen = 0;
    size_t sizes[3] = {10, 10, 5};
    bool trunc[3] = {true, true, false};
    for (int page = 0; page < 3; page++) {
        OG_CHECK(og_store_list(s, "p/", after, 10, &l));
        assert_int_equal(l.len, sizes[page]);
        assert_int_equal(l.truncated, trunc[page]);
        for (size_t i = 0; i < l.len; i++) {
            snprintf(key, sizeof key, "p/%02zu", seen++);
            assert_string_equal(l.items[i].key, key);
        }
        snprintf(last, sizeof last, "%s", l.items[l.len - 1].key);
        after = last;
        og_list_free(&l);
    }
    /* start_after need not be a stored key */
    OG_CHECK(og_store_list(s, "p/", "p/10x", 3, &l));
    assert_int_equal(l.len, 3);
    assert_string_equal(l.items[0].key, "p/11");
    assert_true(l.truncated);
    og_list_free(&l);
    /* start_after before the prefix starts at the prefix */
    OG_CHECK(og_store_list(s, "p/", "a", 1, &l));
    assert_string_equal(l.items[0].key, "p/00");
    og_list_free(&l);
    OG_CHECK(og_store_list(s, "p/", "p/24", 10, &l));
    assert_int_equal(l.len, 0);
    assert_false(l.truncated);
    og_list_free(&l);
}

static void test_list_all_follows_pages_past_1000(void **state)
{
    og_store *s = S(state);
    og_list l = {0};
    char key[64];
    for (int i = 0; i < 1005; i++) {
        snprintf(key, sizeof key, "many/%04d", i);
        OG_CHECK(og_store_put(s, key, "", 0, NULL));
    }
    OG_CHECK(og_store_list(s, "many/", NULL, 0, &l));
    assert_int_equal(l.len, 1000);
    assert_true(l.truncated);
    og_list_free(&l);
    OG_CHECK(og_store_list_all(s, "many/", &l));
    assert_int_equal(l.len, 1005);
    assert_false(l.truncated);
    for (int i = 0; i < 1005; i++) {
        snprintf(key, sizeof key, "many/%04d", i);
        assert_string_equal(l.items[i].key, key);
    }
    og_list_free(&l);
}

static void test_delete_and_delete_prefix(void **state)
{
    og_store *s = S(state);
    og_list l = {0};
    og_buf b = OG_BUF_INIT;
    put_str(s, "d/x", "1");
    put_str(s, "d/y/z", "2");
    put_str(s, "db", "3");
    put_str(s, "e", "4");
    OG_CHECK(og_store_delete(s, "e"));
    assert_int_equal(og_store_get(s, "e", &b, NULL), OG_E_NOTFOUND);
    OG_CHECK(og_store_delete_prefix(s, "d/"));
    OG_CHECK(og_store_list_all(s, "", &l));
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].key, "db");
    og_list_free(&l);
    OG_CHECK(og_store_delete_prefix(s, "nothing/"));
    /* a deleted key can be written again */
    put_str(s, "d/x", "again");
    assert_content(s, "d/x", "again");
    og_buf_free(&b);
}

static void test_put_if_absent_admits_only_the_first(void **state)
{
    og_store *s = S(state);
    og_obj_meta m;
    OG_CHECK(og_store_put_if_absent(s, "v/1", "first", 5, &m));
    assert_int_equal(m.size, 5);
    assert_int_equal(og_store_put_if_absent(s, "v/1", "second", 6, NULL), OG_E_PRECONDITION);
    assert_int_equal(og_error_last()->code, OG_E_PRECONDITION);
    assert_content(s, "v/1", "first");
    OG_CHECK(og_store_delete(s, "v/1"));
    OG_CHECK(og_store_put_if_absent(s, "v/1", "third", 5, NULL));
    assert_content(s, "v/1", "third");
}

static void test_put_if_match_swaps_only_on_current_etag(void **state)
{
    og_store *s = S(state);
    og_obj_meta m0, m1, h;
    OG_CHECK(og_store_put(s, "ref", "v0", 2, &m0));
    assert_int_equal(og_store_put_if_match(s, "ref", "00000000000000000000000000000000",
                                           "bad", 3, NULL), OG_E_PRECONDITION);
    assert_content(s, "ref", "v0");
    OG_CHECK(og_store_put_if_match(s, "ref", m0.etag, "v1", 2, &m1));
    assert_string_not_equal(m0.etag, m1.etag);
    OG_CHECK(og_store_head(s, "ref", &h));
    assert_string_equal(h.etag, m1.etag);
    assert_content(s, "ref", "v1");
    /* the stale etag now loses */
    assert_int_equal(og_store_put_if_match(s, "ref", m0.etag, "v2", 2, NULL), OG_E_PRECONDITION);
    assert_content(s, "ref", "v1");
    /* a plain put changes the etag, so an etag read before it loses */
    put_str(s, "ref", "v3");
    assert_int_equal(og_store_put_if_match(s, "ref", m1.etag, "v4", 2, NULL), OG_E_PRECONDITION);
    assert_content(s, "ref", "v3");
}

static void test_bookkeeping_files_never_listed(void **state)
{
    og_store *s = S(state);
    og_list l = {0};
    og_obj_meta m;
    put_str(s, "one", "1");
    OG_CHECK(og_store_put_if_absent(s, "two", "2", 1, &m));
    OG_CHECK(og_store_put_if_match(s, "two", m.etag, "22", 2, NULL));
    assert_int_equal(og_store_put_if_absent(s, "two", "x", 1, NULL), OG_E_PRECONDITION);
    OG_CHECK(og_store_delete(s, "one"));
    OG_CHECK(og_store_list_all(s, "", &l));
    assert_int_equal(l.len, 1);
    assert_string_equal(l.items[0].key, "two");
    og_list_free(&l);
}

/* Every successful mutation advances the change sequence; reads and lost
 * compare-and-swaps do not. */
static void test_change_seq_advances_on_each_mutation_only(void **state)
{
    og_store *s = S(state);
    og_obj_meta m;
    og_buf b = OG_BUF_INIT;
    uint64_t a = 0, n = 0;
    OG_CHECK(og_store_change_seq(s, &a));
    put_str(s, "cs/x", "1");
    OG_CHECK(og_store_change_seq(s, &n));
    assert_true(n == a + 1);
    OG_CHECK(og_store_get(s, "cs/x", &b, &m));
    assert_int_equal(og_store_head(s, "cs/missing", &m), OG_E_NOTFOUND);
    og_error_clear();
    assert_int_equal(og_store_put_if_absent(s, "cs/x", "2", 1, &m), OG_E_PRECONDITION);
    og_error_clear();
    OG_CHECK(og_store_change_seq(s, &a));
    assert_true(a == n);
    OG_CHECK(og_store_put_if_absent(s, "cs/y", "2", 1, &m));
    OG_CHECK(og_store_delete(s, "cs/x"));
    OG_CHECK(og_store_change_seq(s, &n));
    assert_true(n == a + 2);
    og_buf_free(&b);
}

static void test_invalid_keys_rejected_before_backend(void **state)
{
    og_store *s = S(state);
    og_buf b = OG_BUF_INIT;
    og_list l = {0};
    assert_int_equal(og_store_put(s, "../x", "v", 1, NULL), OG_E_INVALID);
    assert_int_equal(og_store_get(s, "/etc/passwd", &b, NULL), OG_E_INVALID);
    assert_int_equal(og_store_put_if_absent(s, "", "v", 1, NULL), OG_E_INVALID);
    assert_int_equal(og_store_put_if_match(s, "a/./b", "e", "v", 1, NULL), OG_E_INVALID);
    assert_int_equal(og_store_delete(s, ".og-tmp/x"), OG_E_INVALID);
    assert_int_equal(og_store_list(s, "../", NULL, 0, &l), OG_E_INVALID);
    assert_int_equal(og_store_delete_prefix(s, "/"), OG_E_INVALID);
    OG_CHECK(og_store_list_all(s, "", &l));
    assert_int_equal(l.len, 0);
    og_list_free(&l);
    og_buf_free(&b);
}

#define TESTS(fx) { \
    cmocka_unit_test_prestate_setup_teardown(test_put_get_head_roundtrip_with_meta, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_binary_and_large_objects_roundtrip, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_put_replaces_and_changes_etag, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_empty_object, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_get_range_clips_and_rejects_offset_past_end, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_missing_keys_are_notfound_and_delete_succeeds, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_list_is_recursive_in_byte_order, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_list_prefix_selects_byte_prefix, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_list_paginates_with_start_after, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_list_all_follows_pages_past_1000, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_delete_and_delete_prefix, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_put_if_absent_admits_only_the_first, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_put_if_match_swaps_only_on_current_etag, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_bookkeeping_files_never_listed, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_change_seq_advances_on_each_mutation_only, setup, teardown, &fx), \
    cmocka_unit_test_prestate_setup_teardown(test_invalid_keys_rejected_before_backend, setup, teardown, &fx), \
}

int main(void)
{
    const struct CMUnitTest fs_tests[] = TESTS(fx_fs);
    const struct CMUnitTest mem_tests[] = TESTS(fx_mem);
    const struct CMUnitTest fault_tests[] = TESTS(fx_fault);
    int failed = 0;
    failed += cmocka_run_group_tests_name("store_conformance_fs", fs_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("store_conformance_mem", mem_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("store_conformance_fault_fs", fault_tests, NULL, NULL);
    return failed;
}
