#include "testutil.h"

#include <stdint.h>
#include <string.h>
#include "base/arena.h"

static void test_many_allocs_are_aligned_and_distinct(void **state)
{
    (void)state;
    og_arena *a = og_arena_create(NULL, "many");
    assert_non_null(a);
    enum { N = 20000 };
    static unsigned char *ptrs[N];
    size_t total = 0;
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 97) + 1;
        ptrs[i] = og_arena_alloc(a, n);
        assert_non_null(ptrs[i]);
        assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], i & 0xFF, n);
        total += n;
    }
    /* Nothing was overwritten by a later allocation. */
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 97) + 1;
        for (size_t k = 0; k < n; k++) assert_int_equal(ptrs[i][k], i & 0xFF);
    }
    assert_int_equal(og_arena_used(a), total);
    og_arena_destroy(a);
}

static void test_large_alloc_gets_own_chunk_and_small_continue(void **state)
{
    (void)state;
    og_arena *a = og_arena_create(NULL, "large");
    char *s1 = og_arena_alloc(a, 10);
    char *big = og_arena_alloc(a, 1 << 20);
    char *s2 = og_arena_alloc(a, 10);
    assert_non_null(s1);
    assert_non_null(big);
    assert_non_null(s2);
    assert_int_equal((uintptr_t)big % 16, 0);
    memset(big, 0xAB, 1 << 20);
    /* the small one after the large one still comes from the bump chunk */
    assert_true(s2 == s1 + 16);
    og_arena_destroy(a);
}

static void test_calloc_zeroes_and_strdup_copies(void **state)
{
    (void)state;
    og_arena *a = og_arena_create(NULL, "str");
    unsigned char *z = og_arena_calloc(a, 100);
    for (int i = 0; i < 100; i++) assert_int_equal(z[i], 0);
    char src[] = "hello";
    char *d = og_arena_strdup(a, src);
    src[0] = 'j';
    assert_string_equal(d, "hello");
    assert_string_equal(og_arena_strndup(a, "abcdef", 3), "abc");
    assert_string_equal(og_arena_strndup(a, "ab", 10), "ab");
    assert_string_equal(og_arena_sprintf(a, "%d-%s", 42, "x"), "42-x");
    unsigned char bin[4] = {0, 1, 0, 2};
    unsigned char *m = og_arena_memdup(a, bin, 4);
    assert_memory_equal(m, bin, 4);
    assert_string_equal(og_arena_name(a), "str");
    og_arena_destroy(a);
}

static void test_child_destroyed_with_parent(void **state)
{
    (void)state;
    og_arena *p = og_arena_create(NULL, "parent");
    og_arena *c1 = og_arena_create(p, "c1");
    og_arena *c2 = og_arena_create(p, "c2");
    og_arena *g = og_arena_create(c1, "grandchild");
    assert_non_null(og_arena_alloc(c1, 100));
    assert_non_null(og_arena_alloc(c2, 100000));
    assert_non_null(og_arena_alloc(g, 5));
    /* destroying one child alone detaches it; the others stay valid */
    og_arena_destroy(c2);
    assert_non_null(og_arena_alloc(c1, 10));
    /* ASan's leak check fails this test if c1 or g survive. */
    og_arena_destroy(p);
}

static void test_reset_frees_children_and_restarts_usage(void **state)
{
    (void)state;
    og_arena *a = og_arena_create(NULL, "reset");
    og_arena *c = og_arena_create(a, "child");
    (void)c;
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 1000; i++) assert_non_null(og_arena_alloc(a, 64));
        assert_non_null(og_arena_alloc(a, 100000));
        assert_int_equal(og_arena_used(a), 1000 * 64 + 100000);
        og_arena_reset(a);
        assert_int_equal(og_arena_used(a), 0);
    }
    char *s = og_arena_strdup(a, "after reset");
    assert_string_equal(s, "after reset");
    og_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_allocs_are_aligned_and_distinct),
        cmocka_unit_test(test_large_alloc_gets_own_chunk_and_small_continue),
        cmocka_unit_test(test_calloc_zeroes_and_strdup_copies),
        cmocka_unit_test(test_child_destroyed_with_parent),
        cmocka_unit_test(test_reset_frees_children_and_restarts_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
