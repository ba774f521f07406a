#include "testutil.h"

#include <stdlib.h>
#include "base/map.h"

enum { KEYSPACE = 60000, OPS = 100000 };

static uint64_t rng = 12345;
static uint64_t next_rand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

/* Dense and sparse keys: id n maps to key n (dense) or n * 2^40 + 7 (sparse). */
static uint64_t key_of(unsigned n) { return (n & 1) ? (uint64_t)n << 40 | 7 : n; }

static void check(og_u64map *m, const uint64_t *ref, const unsigned char *has, size_t live)
{
    assert_int_equal(og_u64map_len(m), live);
    for (unsigned n = 0; n < KEYSPACE; n++) {
        uint64_t v = 0;
        bool f = og_u64map_get(m, key_of(n), &v);
        assert_int_equal(f, has[n]);
        if (f) assert_true(v == ref[n]);
    }
}

static void test_random_ops_match_reference(void **state)
{
    (void)state;
    og_u64map *m = og_u64map_new(0);
    uint64_t *ref = calloc(KEYSPACE, sizeof *ref);
    unsigned char *has = calloc(KEYSPACE, 1);
    size_t live = 0;
    for (int op = 0; op < OPS; op++) {
        unsigned n = (unsigned)(next_rand() % KEYSPACE);
        if (next_rand() % 3 == 0) {
            assert_int_equal(og_u64map_del(m, key_of(n)), has[n]);
            if (has[n]) { has[n] = 0; live--; }
        } else {
            uint64_t v = next_rand();
            OG_CHECK(og_u64map_put(m, key_of(n), v));
            if (!has[n]) live++;
            has[n] = 1;
            ref[n] = v;
        }
        if (op % 25000 == 24999) check(m, ref, has, live);
    }
    check(m, ref, has, live);
    size_t pos = 0, count = 0;
    uint64_t k, v;
    while (og_u64map_next(m, &pos, &k, &v)) count++;
    assert_int_equal(count, live);
    free(ref);
    free(has);
    og_u64map_free(m);
}

static void test_presized_zero_and_max_keys(void **state)
{
    (void)state;
    og_u64map *m = og_u64map_new(1000);
    assert_non_null(m);
    OG_CHECK(og_u64map_put(m, 0, 10));
    OG_CHECK(og_u64map_put(m, UINT64_MAX, 20));
    OG_CHECK(og_u64map_put(m, 0, 11));
    uint64_t v;
    assert_true(og_u64map_get(m, 0, &v));
    assert_true(v == 11);
    assert_true(og_u64map_get(m, UINT64_MAX, &v));
    assert_true(v == 20);
    assert_false(og_u64map_get(m, 1, &v));
    assert_int_equal(og_u64map_len(m), 2);
    assert_true(og_u64map_del(m, 0));
    assert_false(og_u64map_del(m, 0));
    assert_int_equal(og_u64map_len(m), 1);
    og_u64map_free(m);
}

static void test_iteration_visits_all_dense_ids(void **state)
{
    (void)state;
    og_u64map *m = og_u64map_new(0);
    enum { N = 5000 };
    for (uint64_t i = 0; i < N; i++) OG_CHECK(og_u64map_put(m, i, i * i));
    unsigned char seen[N] = {0};
    size_t pos = 0;
    uint64_t k, v;
    while (og_u64map_next(m, &pos, &k, &v)) {
        assert_true(k < N);
        assert_true(v == k * k);
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
    }
    for (int i = 0; i < N; i++) assert_int_equal(seen[i], 1);
    og_u64map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops_match_reference),
        cmocka_unit_test(test_presized_zero_and_max_keys),
        cmocka_unit_test(test_iteration_visits_all_dense_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
