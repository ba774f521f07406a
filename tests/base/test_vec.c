#include "testutil.h"

#include <stdint.h>
#include "base/vec.h"

typedef OG_VEC(int64_t) i64_vec;
typedef struct pair { int a; double b; } pair;
typedef OG_VEC(pair) pair_vec;

static void test_push_keeps_order_through_growth(void **state)
{
    (void)state;
    i64_vec v = {0};
    for (int64_t i = 0; i < 100000; i++) OG_CHECK(og_vec_push(&v, i * 3));
    assert_int_equal(v.len, 100000);
    assert_true(v.cap >= v.len);
    for (int64_t i = 0; i < 100000; i++) assert_int_equal(v.items[i], i * 3);
    og_vec_clear(&v);
    assert_int_equal(v.len, 0);
    assert_true(v.cap >= 100000);
    og_vec_free(&v);
    assert_null(v.items);
    assert_int_equal(v.cap, 0);
}

static void test_reserve_then_struct_items(void **state)
{
    (void)state;
    pair_vec v = {0};
    OG_CHECK(og_vec_reserve(&v, 50));
    assert_true(v.cap >= 50);
    size_t cap = v.cap;
    for (int i = 0; i < 50; i++) OG_CHECK(og_vec_push(&v, ((pair){i, i / 2.0})));
    assert_int_equal(v.cap, cap); /* reserved: no regrowth */
    assert_int_equal(v.items[49].a, 49);
    assert_true(v.items[49].b == 24.5);
    og_vec_free(&v);
}

static void test_grow_overflow_is_nomem(void **state)
{
    (void)state;
    i64_vec v = {0};
    og_status rc = og_vec_grow_((void **)&v.items, &v.cap, sizeof(int64_t), SIZE_MAX / 4);
    assert_int_equal(rc, OG_E_NOMEM);
    assert_null(v.items);
    assert_int_equal(v.cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_keeps_order_through_growth),
        cmocka_unit_test(test_reserve_then_struct_items),
        cmocka_unit_test(test_grow_overflow_is_nomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
