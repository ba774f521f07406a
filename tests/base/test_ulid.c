#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/ulid.h"

static const char ALPHA[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_100k_ids_strictly_increasing_with_valid_alphabet(void **state)
{
    (void)state;
    enum { N = 100000 };
    og_ulid prev, cur;
    OG_CHECK(og_ulid_new(&prev));
    int same_ms = 0;
    for (int i = 0; i < N; i++) {
        OG_CHECK(og_ulid_new(&cur));
        assert_int_equal(strlen(cur.s), OG_ULID_LEN);
        for (int k = 0; k < OG_ULID_LEN; k++) assert_non_null(strchr(ALPHA, cur.s[k]));
        assert_true(og_ulid_valid(cur.s));
        assert_true(strcmp(prev.s, cur.s) < 0);
        if (og_ulid_time_ms(prev.s) == og_ulid_time_ms(cur.s)) same_ms++;
        prev = cur;
    }
    /* 100k ids cannot all land in distinct milliseconds: the same-ms path ran */
    assert_true(same_ms > 0);
}

static void test_time_matches_clock(void **state)
{
    (void)state;
    uint64_t before = (uint64_t)(og_clock_now_us() / 1000);
    og_ulid u;
    OG_CHECK(og_ulid_new(&u));
    uint64_t after = (uint64_t)(og_clock_now_us() / 1000);
    uint64_t t = og_ulid_time_ms(u.s);
    /* t may exceed `before` by at most what the same-ms increments carried */
    assert_true(t + 1000 >= before);
    assert_true(t <= after + 1000);
}

static void test_valid_rejects_bad_text(void **state)
{
    (void)state;
    assert_true(og_ulid_valid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    assert_false(og_ulid_valid("01ARZ3NDEKTSV4RRFFQ69G5FA"));   /* short */
    assert_false(og_ulid_valid("01ARZ3NDEKTSV4RRFFQ69G5FAVX")); /* long */
    assert_false(og_ulid_valid("01ARZ3NDEKTSV4RRFFQ69G5FAI"));  /* I not in alphabet */
    assert_false(og_ulid_valid("01arz3ndektsv4rrffq69g5fav"));  /* lowercase */
    assert_false(og_ulid_valid("81ARZ3NDEKTSV4RRFFQ69G5FAV"));  /* > 128 bits */
    assert_false(og_ulid_valid(NULL));
    assert_true(og_ulid_time_ms("01ARYZ6S41TSV4RRFFQ69G5FAV") == 1469918176385ull);
}

enum { THREADS = 4, PER_THREAD = 20000 };
static og_ulid ids[THREADS * PER_THREAD];

static void *gen(void *arg)
{
    og_ulid *out = arg;
    og_ulid prev = {{0}};
    for (int i = 0; i < PER_THREAD; i++) {
        if (og_ulid_new(&out[i])) return (void *)1;
        if (i && strcmp(prev.s, out[i].s) >= 0) return (void *)2;
        prev = out[i];
    }
    return NULL;
}

static int cmp_ulid(const void *a, const void *b)
{
    return strcmp(((const og_ulid *)a)->s, ((const og_ulid *)b)->s);
}

static void test_unique_across_4_threads(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, gen, &ids[i * PER_THREAD]), 0);
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_null(r); /* each thread saw its own ids increase */
    }
    qsort(ids, THREADS * PER_THREAD, sizeof ids[0], cmp_ulid);
    for (int i = 1; i < THREADS * PER_THREAD; i++)
        assert_true(strcmp(ids[i - 1].s, ids[i].s) < 0);
}

static void test_uuid_v4_shape(void **state)
{
    (void)state;
    char a[37], b[37];
    OG_CHECK(og_uuid_v4(a));
    OG_CHECK(og_uuid_v4(b));
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[13], '-');
    assert_int_equal(a[18], '-');
    assert_int_equal(a[23], '-');
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    for (int i = 0; i < 36; i++)
        if (a[i] != '-') assert_non_null(strchr("0123456789abcdef", a[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_100k_ids_strictly_increasing_with_valid_alphabet),
        cmocka_unit_test(test_time_matches_clock),
        cmocka_unit_test(test_valid_rejects_bad_text),
        cmocka_unit_test(test_unique_across_4_threads),
        cmocka_unit_test(test_uuid_v4_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
