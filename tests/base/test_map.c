#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/map.h"

/* Reference: a plain array indexed by key number; keys are "k<n>" strings. */
enum { KEYSPACE = 50000, OPS = 100000 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}

static size_t key_of(unsigned n, char *buf)
{
    return (size_t)snprintf(buf, 32, "k%u", n);
}

static void check_against_ref(og_map *m, const intptr_t *ref, size_t live)
{
    assert_int_equal(og_map_len(m), live);
    char k[32];
    for (unsigned n = 0; n < KEYSPACE; n++) {
        size_t kl = key_of(n, k);
        void *v = NULL;
        bool found = og_map_get(m, k, kl, &v);
        if (ref[n]) {
            assert_true(found);
            assert_int_equal((intptr_t)v, ref[n]);
        } else {
            assert_false(found);
        }
    }
}

static void test_random_puts_and_dels_match_reference(void **state)
{
    (void)state;
    og_map *m = og_map_new();
    assert_non_null(m);
    intptr_t *ref = calloc(KEYSPACE, sizeof *ref);
    size_t live = 0;
    char k[32];
    for (int op = 0; op < OPS; op++) {
        unsigned n = (unsigned)(next_rand() % KEYSPACE);
        size_t kl = key_of(n, k);
        if (next_rand() % 3 == 0) {
            void *old = (void *)1;
            bool removed = og_map_del(m, k, kl, &old);
            assert_int_equal(removed, ref[n] != 0);
            if (removed) { assert_int_equal((intptr_t)old, ref[n]); ref[n] = 0; live--; }
        } else {
            intptr_t v = op + 1;
            void *old = (void *)1;
            OG_CHECK(og_map_put(m, k, kl, (void *)v, &old));
            assert_int_equal((intptr_t)old, ref[n]); /* NULL when new */
            if (!ref[n]) live++;
            ref[n] = v;
        }
        if (op % 20000 == 19999) check_against_ref(m, ref, live);
    }
    check_against_ref(m, ref, live);
    /* delete everything: lookups stay right down to empty */
    for (unsigned n = 0; n < KEYSPACE; n++) {
        size_t kl = key_of(n, k);
        assert_int_equal(og_map_del(m, k, kl, NULL), ref[n] != 0);
        if (ref[n]) { ref[n] = 0; live--; }
        if (n % 10000 == 0) check_against_ref(m, ref, live);
    }
    assert_int_equal(og_map_len(m), 0);
    free(ref);
    og_map_free(m);
}

static void test_iteration_visits_every_entry_once(void **state)
{
    (void)state;
    og_map *m = og_map_new();
    char k[32];
    enum { N = 10000 };
    for (unsigned n = 0; n < N; n++) {
        size_t kl = key_of(n, k);
        OG_CHECK(og_map_put(m, k, kl, (void *)(intptr_t)(n + 1), NULL));
    }
    for (unsigned n = 0; n < N; n += 2) {
        size_t kl = key_of(n, k);
        assert_true(og_map_del(m, k, kl, NULL));
    }
    unsigned char *seen = calloc(N, 1);
    size_t pos = 0, count = 0, klen;
    const void *key;
    void *val;
    while (og_map_next(m, &pos, &key, &klen, &val)) {
        unsigned n = (unsigned)((intptr_t)val - 1);
        assert_true(n < N);
        assert_int_equal(n % 2, 1);
        size_t kl = key_of(n, k);
        assert_int_equal(kl, klen);
        assert_memory_equal(k, key, kl);
        assert_int_equal(seen[n], 0);
        seen[n] = 1;
        count++;
    }
    assert_int_equal(count, N / 2);
    free(seen);
    og_map_free(m);
}

static void test_binary_keys_copied_and_distinct(void **state)
{
    (void)state;
    og_map *m = og_map_new();
    char k1[3] = {'a', 0, 'b'};
    char k2[3] = {'a', 0, 'c'};
    OG_CHECK(og_map_put(m, k1, 3, (void *)1, NULL));
    OG_CHECK(og_map_put(m, k2, 3, (void *)2, NULL));
    OG_CHECK(og_map_put(m, "", 0, (void *)3, NULL));
    OG_CHECK(og_map_put(m, "a", 1, (void *)4, NULL)); /* prefix of k1 */
    k1[2] = 'z'; /* the map keeps its own copy */
    void *v;
    assert_true(og_map_get(m, "a\0b", 3, &v));
    assert_int_equal((intptr_t)v, 1);
    assert_false(og_map_get(m, k1, 3, &v));
    assert_true(og_map_get(m, "", 0, &v));
    assert_int_equal((intptr_t)v, 3);
    assert_true(og_map_gets(m, "a", &v));
    assert_int_equal((intptr_t)v, 4);
    assert_int_equal(og_map_len(m), 4);
    og_map_free(m);
}

static void test_string_helpers_replace_returns_old(void **state)
{
    (void)state;
    og_map *m = og_map_new();
    void *old = (void *)99;
    OG_CHECK(og_map_puts(m, "name", (void *)1, &old));
    assert_null(old);
    OG_CHECK(og_map_puts(m, "name", (void *)2, &old));
    assert_int_equal((intptr_t)old, 1);
    assert_int_equal(og_map_len(m), 1);
    void *v;
    assert_true(og_map_gets(m, "name", &v));
    assert_int_equal((intptr_t)v, 2);
    og_map_free(m);
}

static void test_hash_bytes_is_xxh3_deterministic(void **state)
{
    (void)state;
    assert_true(og_hash_bytes("abc", 3) == og_hash_bytes("abc", 3));
    assert_true(og_hash_bytes("abc", 3) != og_hash_bytes("abd", 3));
    /* XXH3_64bits of the empty input is a published constant */
    assert_true(og_hash_bytes("", 0) == 0x2D06800538D394C2ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_puts_and_dels_match_reference),
        cmocka_unit_test(test_iteration_visits_every_entry_once),
        cmocka_unit_test(test_binary_keys_copied_and_distinct),
        cmocka_unit_test(test_string_helpers_replace_returns_old),
        cmocka_unit_test(test_hash_bytes_is_xxh3_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
