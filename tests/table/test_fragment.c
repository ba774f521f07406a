/* test_fragment.c — fragment file round trips, corruption, version refusal. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/column.h"
#include "table/fragment.h"


static og_type T(og_type_id id) { og_type t = {id, OG_TYPE_NONE, 0}; return t; }

/* Builds one column of every type with n rows; every 3rd row is null. */
static void build_all(og_batch *b, size_t n)
{
    og_type types[16];
    const char *names[16];
    size_t k = 0;
    og_type_id ids[] = {OG_TYPE_BOOL, OG_TYPE_I32, OG_TYPE_I64, OG_TYPE_U32, OG_TYPE_U64, OG_TYPE_F32,
                        OG_TYPE_F64, OG_TYPE_DATE, OG_TYPE_DATETIME, OG_TYPE_UTF8, OG_TYPE_BINARY};
    const char *nm[] = {"b", "i32", "i64", "u32", "u64", "f32", "f64", "date", "dt", "s", "bin"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) { types[k] = T(ids[i]); names[k++] = nm[i]; }
    og_type vec = {OG_TYPE_VECTOR, OG_TYPE_NONE, 3};
    og_type ls = {OG_TYPE_LIST, OG_TYPE_UTF8, 0}, li = {OG_TYPE_LIST, OG_TYPE_I64, 0}, lf = {OG_TYPE_LIST, OG_TYPE_F64, 0};
    types[k] = vec; names[k++] = "vec";
    types[k] = ls; names[k++] = "ls";
    types[k] = li; names[k++] = "li";
    types[k] = lf; names[k++] = "lf";
    for (size_t c = 0; c < k; c++) {
        og_column *col;
        OG_CHECK(og_batch_add(b, names[c], types[c], &col));
        for (size_t r = 0; r < n; r++) {
            if (r % 3 == 1) { OG_CHECK(og_column_push_null(col)); continue; }
            char s[32];
            snprintf(s, sizeof s, "row-%zu", r);
            switch (types[c].id) {
            case OG_TYPE_BOOL: OG_CHECK(og_column_push_bool(col, r % 2)); break;
            case OG_TYPE_I32: case OG_TYPE_DATE: OG_CHECK(og_column_push_i64(col, (int64_t)r - 50)); break;
            case OG_TYPE_I64: case OG_TYPE_DATETIME: OG_CHECK(og_column_push_i64(col, (int64_t)r * 1000000007LL)); break;
            case OG_TYPE_U32: case OG_TYPE_U64: OG_CHECK(og_column_push_u64(col, r * 7)); break;
            case OG_TYPE_F32: case OG_TYPE_F64: OG_CHECK(og_column_push_f64(col, (double)r / 4)); break;
            case OG_TYPE_UTF8: OG_CHECK(og_column_push_str(col, r % 5 == 0 ? "" : s)); break;
            case OG_TYPE_BINARY: OG_CHECK(og_column_push_bytes(col, "\0\1\2\3", r % 4)); break;
            case OG_TYPE_VECTOR: { float v[3] = {(float)r, 1.5f, -2.0f}; OG_CHECK(og_column_push_vector(col, v, 3)); break; }
            case OG_TYPE_LIST: {
                og_column *ch = og_column_child(col);
                for (size_t e = 0; e < r % 4; e++) {
                    if (types[c].elem == OG_TYPE_UTF8) OG_CHECK(og_column_push_str(ch, s));
                    else if (types[c].elem == OG_TYPE_I64) OG_CHECK(og_column_push_i64(ch, (int64_t)(r + e)));
                    else OG_CHECK(og_column_push_f64(ch, (double)e * 0.5));
                }
                OG_CHECK(og_column_list_close(col));
                break;
            }
            default: fail();
            }
        }
    }
    OG_CHECK(og_batch_seal(b));
}

static void encode_batch(const og_batch *b, uint32_t page_rows, og_buf *out)
{
    og_frag_field f[32];
    for (size_t i = 0; i < b->ncols; i++) { f[i].field_id = (uint32_t)i + 10; f[i].col = b->cols[i]; }
    OG_CHECK(og_fragment_encode(f, b->ncols, page_rows, out));
}

static void roundtrip(size_t n, uint32_t page_rows)
{
    og_batch b = OG_BATCH_INIT;
    og_buf file = OG_BUF_INIT;
    og_fragment_reader *r = NULL;
    build_all(&b, n);
    encode_batch(&b, page_rows, &file);
    OG_CHECK(og_fragment_open_mem(file.data, file.len, &r));
    assert_int_equal(og_fragment_nrows(r), n);
    assert_int_equal(og_fragment_ncols(r), b.ncols);
    for (uint32_t c = 0; c < b.ncols; c++) {
        const og_frag_col *fc = og_fragment_col(r, c);
        assert_int_equal(fc->field_id, c + 10);
        assert_true(og_type_eq(fc->type, b.cols[c]->type));
        og_column got;
        OG_CHECK(og_column_init(&got, fc->type));
        OG_CHECK(og_fragment_read_column(r, c, &got));
        assert_int_equal(got.len, n);
        assert_int_equal(got.null_count, b.cols[c]->null_count);
        for (size_t i = 0; i < n; i++)
            assert_true(og_column_row_eq(&got, i, b.cols[c], i));
        og_column_free(&got);
    }
    og_fragment_close(r);
    og_buf_free(&file);
    og_batch_free(&b);
}

static void test_roundtrip_every_type_with_nulls_multi_page(void **st) { (void)st; roundtrip(1000, 64); }
static void test_roundtrip_every_type_single_page(void **st) { (void)st; roundtrip(17, 0); }
static void test_roundtrip_empty_columns(void **st) { (void)st; roundtrip(0, 0); }

static void test_all_null_column_has_no_stats(void **st)
{
    (void)st;
    og_column c;
    og_buf file = OG_BUF_INIT;
    og_fragment_reader *r = NULL;
    OG_CHECK(og_column_init(&c, T(OG_TYPE_I64)));
    for (int i = 0; i < 10; i++) OG_CHECK(og_column_push_null(&c));
    og_frag_field f = {1, &c};
    OG_CHECK(og_fragment_encode(&f, 1, 4, &file));
    OG_CHECK(og_fragment_open_mem(file.data, file.len, &r));
    assert_int_equal(og_fragment_col(r, 0)->pages[0].stats.kind, OG_STATS_NONE);
    assert_int_equal(og_fragment_col(r, 0)->pages[0].null_count, 4);
    og_fragment_close(r);
    og_buf_free(&file);
    og_column_free(&c);
}

static void test_page_stats_min_max(void **st)
{
    (void)st;
    og_batch b = OG_BATCH_INIT;
    og_column *ci, *cs, *cf;
    og_buf file = OG_BUF_INIT;
    og_fragment_reader *r = NULL;
    OG_CHECK(og_batch_add(&b, "i", T(OG_TYPE_I64), &ci));
    OG_CHECK(og_batch_add(&b, "s", T(OG_TYPE_UTF8), &cs));
    OG_CHECK(og_batch_add(&b, "f", T(OG_TYPE_F64), &cf));
    const char *strs[] = {"m", "b", "z", "a", "q", "qq"};
    for (int i = 0; i < 6; i++) {
        OG_CHECK(og_column_push_i64(ci, 100 - i * 10));
        OG_CHECK(og_column_push_str(cs, strs[i]));
        OG_CHECK(og_column_push_f64(cf, i * 1.5));
    }
    OG_CHECK(og_batch_seal(&b));
    encode_batch(&b, 3, &file);
    OG_CHECK(og_fragment_open_mem(file.data, file.len, &r));
    const og_frag_page *p1 = &og_fragment_col(r, 0)->pages[1];
    assert_int_equal(p1->stats.kind, OG_STATS_I64);
    assert_int_equal(p1->stats.imin, 50);
    assert_int_equal(p1->stats.imax, 70);
    const og_frag_page *s0 = &og_fragment_col(r, 1)->pages[0];
    assert_int_equal(s0->stats.kind, OG_STATS_BYTES);
    assert_memory_equal(s0->stats.bmin, "b", 1);
    assert_memory_equal(s0->stats.bmax, "z", 1);
    const og_frag_page *s1 = &og_fragment_col(r, 1)->pages[1];
    assert_int_equal(s1->stats.bmax_len, 2); /* "qq" > "q" */
    const og_frag_page *f1 = &og_fragment_col(r, 2)->pages[1];
    assert_true(f1->stats.fmin == 4.5 && f1->stats.fmax == 7.5);
    og_fragment_close(r);
    og_buf_free(&file);
    og_batch_free(&b);
}

/* Reads everything; returns the first failure code (or OK). */
static og_status read_all(const char *p, size_t n)
{
    og_fragment_reader *r = NULL;
    og_status rc = og_fragment_open_mem(p, n, &r);
    for (uint32_t c = 0; !rc && c < og_fragment_ncols(r); c++) {
        og_column col;
        rc = og_column_init(&col, og_fragment_col(r, c)->type);
        if (!rc) rc = og_fragment_read_column(r, c, &col);
        og_column_free(&col);
    }
    og_fragment_close(r);
    return rc;
}

static void test_flipped_byte_in_every_region_is_corrupt(void **st)
{
    (void)st;
    og_batch b = OG_BATCH_INIT;
    og_buf file = OG_BUF_INIT;
    build_all(&b, 40);
    encode_batch(&b, 16, &file);
    char *copy = malloc(file.len);
    size_t detected = 0;
    for (size_t i = 0; i < file.len; i++) {
        memcpy(copy, file.data, file.len);
        copy[i] ^= 0x5a;
        og_status rc = read_all(copy, file.len);
        /* the only bytes not covered by a checksum are the header version
         * and the padding bytes of the footer's column entries (covered by
         * the footer checksum): every flip must be detected. */
        if (rc == OG_E_CORRUPT) detected++;
        else assert_int_equal(rc, OG_OK);
    }
    assert_int_equal(detected, file.len);
    free(copy);
    og_buf_free(&file);
    og_batch_free(&b);
}

static void test_truncated_file_is_corrupt_at_every_length(void **st)
{
    (void)st;
    og_batch b = OG_BATCH_INIT;
    og_buf file = OG_BUF_INIT;
    build_all(&b, 20);
    encode_batch(&b, 8, &file);
    for (size_t n = 0; n < file.len; n++) {
        char *copy = malloc(n ? n : 1);
        memcpy(copy, file.data, n);
        assert_int_equal(read_all(copy, n), OG_E_CORRUPT);
        free(copy);
    }
    og_buf_free(&file);
    og_batch_free(&b);
}

static void test_newer_version_refused_naming_both(void **st)
{
    (void)st;
    og_batch b = OG_BATCH_INIT;
    og_buf file = OG_BUF_INIT;
    og_fragment_reader *r = NULL;
    build_all(&b, 3);
    encode_batch(&b, 0, &file);
    uint32_t v = 7;
    memcpy(file.data + 4, &v, 4);
    memcpy(file.data + file.len - 8, &v, 4);
    assert_int_equal(og_fragment_open_mem(file.data, file.len, &r), OG_E_CORRUPT);
    const char *msg = og_error_last()->message;
    assert_non_null(strstr(msg, "7"));
    assert_non_null(strstr(msg, "1"));
    assert_non_null(strstr(msg, "newer"));
    og_buf_free(&file);
    og_batch_free(&b);
}

static void test_type_text_round_trip(void **st)
{
    (void)st;
    const char *names[] = {"bool", "i32", "i64", "u32", "u64", "f32", "f64", "date", "datetime",
                           "utf8", "binary", "vector(128)", "list<utf8>", "list<i64>", "list<f64>"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        og_type t;
        og_buf b = OG_BUF_INIT;
        OG_CHECK(og_type_parse(names[i], &t));
        OG_CHECK(og_type_format(t, &b));
        assert_string_equal(b.data, names[i]);
        og_buf_free(&b);
    }
    og_type t;
    assert_int_equal(og_type_parse("list<bool>", &t), OG_E_INVALID);
    assert_int_equal(og_type_parse("vector(0)", &t), OG_E_INVALID);
    assert_int_equal(og_type_parse("vector(99999999999)", &t), OG_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_type_with_nulls_multi_page),
        cmocka_unit_test(test_roundtrip_every_type_single_page),
        cmocka_unit_test(test_roundtrip_empty_columns),
        cmocka_unit_test(test_all_null_column_has_no_stats),
        cmocka_unit_test(test_page_stats_min_max),
        cmocka_unit_test(test_flipped_byte_in_every_region_is_corrupt),
        cmocka_unit_test(test_truncated_file_is_corrupt_at_every_length),
        cmocka_unit_test(test_newer_version_refused_naming_both),
        cmocka_unit_test(test_type_text_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
