/* test_manifest.c — manifests, deletion vectors and key sets as bytes. */
#include "testutil.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/deletion.h"
#include "table/envelope.h"
#include "table/keyset.h"
#include "table/manifest.h"


static void sample(og_manifest *m)
{
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, vec = {OG_TYPE_VECTOR, OG_TYPE_NONE, 4};
    memset(m, 0, sizeof *m);
    m->version = 7;
    m->timestamp_us = 1764149000000000;
    OG_CHECK(og_schema_add(&m->schema, "id", utf8, false, true));
    OG_CHECK(og_schema_add(&m->schema, "emb", vec, true, false));
    m->schema.fields[0].id = 0;
    m->schema.fields[1].id = 3;
    OG_CHECK(og_props_set(&m->schema.fields[1].meta, "omnigraph.embed", "text"));
    OG_CHECK(og_props_set(&m->schema.meta, "k", "v"));
    m->next_field_id = 4;
    m->next_fragment_id = 5;
    m->next_row_id = 100;
    m->frags = calloc(2, sizeof *m->frags);
    m->nfrags = 2;
    m->frags[0] = (og_frag_meta){1, strdup("data/a.ogf"), 999, 40, 3, 10, false, strdup("_deletions/1-x.ogdv"), 2, NULL, 0, OG_BUF_INIT, OG_BUF_INIT, {0}};
    m->frags[1] = (og_frag_meta){4, strdup("data/b.ogf"), 50, 2, 7, 0, true, NULL, 0, NULL, 0, OG_BUF_INIT, OG_BUF_INIT, {0}};
    m->indices = calloc(1, sizeof *m->indices);
    m->nindices = 1;
    m->indices[0].name = strdup("id_idx");
    m->indices[0].uuid = strdup("u-1");
    m->indices[0].kind = strdup("btree");
    m->indices[0].file = strdup("_indices/u-1/index.ogix");
    m->indices[0].field_id = 0;
    m->indices[0].version = 6;
    m->indices[0].frags = malloc(2 * sizeof(uint64_t));
    m->indices[0].frags[0] = 1;
    m->indices[0].frags[1] = 4;
    m->indices[0].nfrags = 2;
    m->txn.read_version = 6;
    m->txn.uuid = strdup("omnigraph-schema-01JX");
    m->txn.op = OG_TXN_MERGE;
    OG_CHECK(og_props_set(&m->txn.props, "omnigraph.insert_absence", "v1"));
    m->txn.touched = malloc(sizeof(uint64_t));
    m->txn.touched[0] = 1;
    m->txn.ntouched = 1;
    m->txn.keys_file = strdup("_txn/k.keys");
    m->txn.nkeys = 3;
    m->txn.affected_rows = 9;
}

static void test_manifest_round_trip_keeps_every_member(void **st)
{
    (void)st;
    og_manifest m, d;
    og_buf b = OG_BUF_INIT, b2 = OG_BUF_INIT;
    sample(&m);
    OG_CHECK(og_manifest_encode(&m, &b));
    OG_CHECK(og_manifest_decode(b.data, b.len, &d));
    assert_int_equal(d.version, 7);
    assert_int_equal(d.schema.nfields, 2);
    assert_string_equal(d.schema.fields[1].name, "emb");
    assert_int_equal(d.schema.fields[1].id, 3);
    assert_int_equal(d.schema.fields[1].type.dim, 4);
    assert_true(d.schema.fields[0].primary_key);
    assert_false(d.schema.fields[0].nullable);
    assert_string_equal(og_props_get(&d.schema.fields[1].meta, "omnigraph.embed"), "text");
    assert_string_equal(og_props_get(&d.schema.meta, "k"), "v");
    assert_int_equal(d.nfrags, 2);
    assert_string_equal(d.frags[0].deletion_file, "_deletions/1-x.ogdv");
    assert_null(d.frags[1].deletion_file);
    assert_true(d.frags[1].explicit_row_ids);
    assert_int_equal(d.nindices, 1);
    assert_int_equal(d.indices[0].frags[1], 4);
    assert_int_equal(d.txn.op, OG_TXN_MERGE);
    assert_string_equal(d.txn.uuid, "omnigraph-schema-01JX");
    assert_string_equal(og_props_get(&d.txn.props, "omnigraph.insert_absence"), "v1");
    assert_int_equal(og_manifest_live_rows(&d), 40);
    /* deterministic: re-encoding gives the same bytes */
    OG_CHECK(og_manifest_encode(&d, &b2));
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    og_manifest_free(&m);
    og_manifest_free(&d);
    og_buf_free(&b);
    og_buf_free(&b2);
}

/* The body is canonical JSON: exactly what jansson writes, compact with
 * sorted keys (the fragments array is written by hand for speed). */
static void test_manifest_body_is_canonical_sorted_compact_json(void **st)
{
    (void)st;
    og_manifest m;
    og_buf b = OG_BUF_INIT;
    sample(&m);
    free(m.frags[1].file);
    m.frags[1].file = strdup("data/q\"u\\o\n.ogf"); /* escapes are jansson's */
    OG_CHECK(og_manifest_encode(&m, &b));
    const char *body = b.data + OG_ENV_HEADER_LEN;
    size_t n = b.len - OG_ENV_HEADER_LEN;
    json_error_t err;
    json_t *j = json_loadb(body, n, 0, &err);
    assert_non_null(j);
    char *canon = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(canon);
    assert_int_equal(strlen(canon), n);
    assert_memory_equal(canon, body, n);
    assert_non_null(strstr(canon, "\"deleted\":2,\"deletion_file\":\"_deletions/1-x.ogdv\""));
    free(canon);
    json_decref(j);
    og_buf_free(&b);
    og_manifest_free(&m);
}

static void test_manifest_inline_keys_round_trip_and_mismatch_is_corrupt(void **st)
{
    (void)st;
    og_manifest m, d;
    og_buf b = OG_BUF_INIT;
    sample(&m);
    free(m.txn.keys_file);
    m.txn.keys_file = NULL;
    m.txn.inline_keys = malloc(3 * sizeof(uint64_t));
    m.txn.inline_keys[0] = 1;
    m.txn.inline_keys[1] = 0x8000000000000000ull;
    m.txn.inline_keys[2] = UINT64_MAX;
    m.txn.ninline = 3;
    OG_CHECK(og_manifest_encode(&m, &b));
    OG_CHECK(og_manifest_decode(b.data, b.len, &d));
    assert_int_equal(d.txn.ninline, 3);
    assert_true(d.txn.inline_keys[1] == 0x8000000000000000ull && d.txn.inline_keys[2] == UINT64_MAX);
    og_manifest_free(&d);
    og_buf_free(&b);
    m.txn.nkeys = 4; /* count disagrees with the list */
    OG_CHECK(og_manifest_encode(&m, &b));
    assert_int_equal(og_manifest_decode(b.data, b.len, &d), OG_E_CORRUPT);
    og_buf_free(&b);
    m.txn.nkeys = 3;
    m.txn.inline_keys[0] = UINT64_MAX; /* not ascending */
    OG_CHECK(og_manifest_encode(&m, &b));
    assert_int_equal(og_manifest_decode(b.data, b.len, &d), OG_E_CORRUPT);
    og_buf_free(&b);
    og_manifest_free(&m);
}

static void test_manifest_flipped_bytes_are_corrupt(void **st)
{
    (void)st;
    og_manifest m, d;
    og_buf b = OG_BUF_INIT;
    sample(&m);
    OG_CHECK(og_manifest_encode(&m, &b));
    for (size_t i = 0; i < b.len; i++) {
        b.data[i] ^= 0x21;
        og_status rc = og_manifest_decode(b.data, b.len, &d);
        assert_int_equal(rc, OG_E_CORRUPT);
        b.data[i] ^= 0x21;
    }
    for (size_t n = 0; n < b.len; n++) assert_int_equal(og_manifest_decode(b.data, n, &d), OG_E_CORRUPT);
    og_manifest_free(&m);
    og_buf_free(&b);
}

/* A well-checksummed body with bad content is still refused. */
static void test_manifest_hostile_bodies_are_corrupt(void **st)
{
    (void)st;
    const char *bodies[] = {
        "[]", "{}", "not json",
        "{\"version\":1,\"timestamp_us\":0,\"next_field_id\":0,\"next_fragment_id\":0,\"next_row_id\":0,"
        "\"schema\":{\"fields\":[],\"meta\":{}},\"fragments\":[{\"id\":0,\"file\":\"../x\",\"size\":1,\"rows\":1,"
        "\"version\":1,\"row_id_base\":0,\"explicit_row_ids\":false,\"deletion_file\":null,\"deleted\":0}],"
        "\"indices\":[],\"transaction\":{\"read_version\":0,\"uuid\":\"u\",\"operation\":\"create\",\"properties\":{},"
        "\"touched_fragments\":[],\"keys_file\":null,\"keys\":0,\"restore_target\":0,\"affected_rows\":0}}",
        "{\"version\":1,\"timestamp_us\":0,\"next_field_id\":0,\"next_fragment_id\":0,\"next_row_id\":0,"
        "\"schema\":{\"fields\":[{\"id\":0,\"name\":\"a\",\"type\":\"i64\",\"nullable\":true,\"primary_key\":false,\"meta\":{}}],\"meta\":{}},"
        "\"fragments\":[],\"indices\":[],\"transaction\":{\"read_version\":0,\"uuid\":\"u\",\"operation\":\"create\",\"properties\":{},"
        "\"touched_fragments\":[],\"keys_file\":null,\"keys\":0,\"restore_target\":0,\"affected_rows\":0}}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        og_buf b = OG_BUF_INIT;
        og_manifest d;
        OG_CHECK(og_env_wrap(OG_MANIFEST_MAGIC, OG_MANIFEST_VERSION, bodies[i], strlen(bodies[i]), &b));
        assert_int_equal(og_manifest_decode(b.data, b.len, &d), OG_E_CORRUPT);
        og_buf_free(&b);
    }
}

/* Format version 2 (docs/format.md §4.1): inline fragment and deletion
 * bytes and pack offsets round-trip, stay canonical JSON, make the
 * envelope version 2 (1 without them), and every malformed variant of
 * the members is refused. */
static void test_manifest_v2_inline_and_pack_members_round_trip_and_are_checked(void **st)
{
    (void)st;
    og_manifest m, d;
    og_buf b = OG_BUF_INIT, b2 = OG_BUF_INIT;
    sample(&m);
    OG_CHECK(og_manifest_encode(&m, &b));
    uint32_t ver;
    memcpy(&ver, b.data + 4, 4);
    assert_int_equal(ver, 1);
    og_buf_clear(&b);
    /* frag 0: a packed fragment with an inline deletion vector; frag 1 inline */
    m.frags[0].pack = strdup("data/01J0000000000000000000000.ogp");
    m.frags[0].offset = 4096;
    OG_CHECK(og_buf_set(&m.frags[0].dv_inline, "OGDV\x01\0\0\0xyz", 11));
    OG_CHECK(og_buf_set(&m.frags[1].inline_data, "\0\1\2\xff\xfe", 5));
    m.frags[1].size = 5;
    OG_CHECK(og_manifest_encode(&m, &b));
    memcpy(&ver, b.data + 4, 4);
    assert_int_equal(ver, 2);
    OG_CHECK(og_manifest_decode(b.data, b.len, &d));
    assert_string_equal(d.frags[0].pack, m.frags[0].pack);
    assert_int_equal(d.frags[0].offset, 4096);
    assert_int_equal(d.frags[0].dv_inline.len, 11);
    assert_memory_equal(d.frags[0].dv_inline.data, "OGDV\x01\0\0\0xyz", 11);
    assert_int_equal(d.frags[1].inline_data.len, 5);
    assert_memory_equal(d.frags[1].inline_data.data, "\0\1\2\xff\xfe", 5);
    assert_null(d.frags[1].pack);
    OG_CHECK(og_manifest_encode(&d, &b2));
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.data, b2.data, b.len);
    /* canonical: jansson's sorted compact form of the same body */
    json_error_t err;
    json_t *j = json_loadb(b.data + OG_ENV_HEADER_LEN, b.len - OG_ENV_HEADER_LEN, 0, &err);
    assert_non_null(j);
    char *canon = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_int_equal(strlen(canon), b.len - OG_ENV_HEADER_LEN);
    assert_memory_equal(canon, b.data + OG_ENV_HEADER_LEN, strlen(canon));
    assert_non_null(strstr(canon, "\"inline\":\"AAEC//4=\""));
    /* hostile variants of the members */
    static const char *const from[] = {"\"inline\":\"AAEC//4=\"", "\"inline\":\"AAEC//4=\"",
                                       "\"inline\":\"AAEC//4=\"", "\"offset\":4096,\"pack\":",
                                       "\"offset\":4096,", "\"inline\":\"AAEC//4=\""};
    static const char *const to[] = {"\"inline\":\"AAEC//5=\"", "\"inline\":\"AAEC/4=\"",
                                     "\"inline\":\"AAEC//4=\",\"offset\":1,\"pack\":\"data/p\"",
                                     "\"offset\":4096,\"pack\":\"../up\",\"x\":", "",
                                     "\"inline\":\"AAEC//4A\""};
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        char *body = strdup(canon), *at = strstr(body, from[i]);
        assert_non_null(at);
        og_buf t = OG_BUF_INIT, e = OG_BUF_INIT;
        OG_CHECK(og_buf_append(&t, body, (size_t)(at - body)));
        OG_CHECK(og_buf_append_str(&t, to[i]));
        OG_CHECK(og_buf_append_str(&t, at + strlen(from[i])));
        OG_CHECK(og_env_wrap(OG_MANIFEST_MAGIC, 2, t.data, t.len, &e));
        og_manifest x;
        if (og_manifest_decode(e.data, e.len, &x) != OG_E_CORRUPT) fail_msg("variant %zu was accepted", i);
        og_buf_free(&t);
        og_buf_free(&e);
        free(body);
    }
    free(canon);
    json_decref(j);
    og_manifest_free(&m);
    og_manifest_free(&d);
    og_buf_free(&b);
    og_buf_free(&b2);
}

static void test_manifest_newer_version_refused_naming_both(void **st)
{
    (void)st;
    og_buf b = OG_BUF_INIT;
    og_manifest d;
    OG_CHECK(og_env_wrap(OG_MANIFEST_MAGIC, 9, "{}", 2, &b));
    assert_int_equal(og_manifest_decode(b.data, b.len, &d), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "version 9 is newer than supported version 3"));
    og_buf_free(&b);
}

static void test_deletion_vector_round_trip_and_bounds(void **st)
{
    (void)st;
    roaring_bitmap_t *bm = roaring_bitmap_create(), *got = NULL;
    og_buf b = OG_BUF_INIT;
    for (uint32_t i = 0; i < 5000; i += 7) roaring_bitmap_add(bm, i);
    OG_CHECK(og_dv_encode(bm, &b));
    OG_CHECK(og_dv_decode(b.data, b.len, 5000, &got));
    assert_true(roaring_bitmap_equals(bm, got));
    roaring_bitmap_free(got);
    /* an offset past the fragment's rows is corrupt */
    assert_int_equal(og_dv_decode(b.data, b.len, 4998, &got), OG_E_CORRUPT);
    assert_null(got);
    for (size_t i = 0; i < b.len; i++) {
        b.data[i] ^= 0x40;
        assert_int_equal(og_dv_decode(b.data, b.len, 5000, &got), OG_E_CORRUPT);
        b.data[i] ^= 0x40;
    }
    for (size_t n = 0; n < b.len; n++) assert_int_equal(og_dv_decode(b.data, n, 5000, &got), OG_E_CORRUPT);
    roaring_bitmap_free(bm);
    og_buf_free(&b);
}

static void test_keyset_round_trip_and_intersection(void **st)
{
    (void)st;
    uint64_t a[] = {9, 3, 3, 7, 1}, b[] = {2, 4, 7}, c[] = {2, 4, 8};
    size_t na = og_keyset_normalize(a, 5);
    assert_int_equal(na, 4);
    assert_true(og_keyset_intersects(a, na, b, 3));
    assert_false(og_keyset_intersects(a, na, c, 3));
    og_buf e = OG_BUF_INIT;
    uint64_t *got;
    size_t n;
    OG_CHECK(og_keyset_encode(a, na, &e));
    OG_CHECK(og_keyset_decode(e.data, e.len, &got, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(got, a, 4 * 8);
    free(got);
    /* unsorted body with a valid checksum is corrupt */
    og_buf bad = OG_BUF_INIT;
    uint64_t uns[] = {5, 1};
    OG_CHECK(og_keyset_encode(uns, 2, &bad));
    assert_int_equal(og_keyset_decode(bad.data, bad.len, &got, &n), OG_E_CORRUPT);
    og_buf_free(&bad);
    og_buf_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_round_trip_keeps_every_member),
        cmocka_unit_test(test_manifest_body_is_canonical_sorted_compact_json),
        cmocka_unit_test(test_manifest_inline_keys_round_trip_and_mismatch_is_corrupt),
        cmocka_unit_test(test_manifest_flipped_bytes_are_corrupt),
        cmocka_unit_test(test_manifest_hostile_bodies_are_corrupt),
        cmocka_unit_test(test_manifest_v2_inline_and_pack_members_round_trip_and_are_checked),
        cmocka_unit_test(test_manifest_newer_version_refused_naming_both),
        cmocka_unit_test(test_deletion_vector_round_trip_and_bounds),
        cmocka_unit_test(test_keyset_round_trip_and_intersection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
