/* test_manifest.c — version-object codec, naming, strict decoding, opening
 * at a version and at a commit. */
#include "testutil.h"
#include "graph_fixture.h"

#include "base/json.h"
#include "graph/internal.h"

static void test_version_keys_are_reversed_so_newest_lists_first(void **state)
{
    og_buf k = OG_BUF_INIT;
    uint64_t v = 0;
    const char *uid = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
    OG_CHECK(og_graph_key_version(&k, uid, 1));
    assert_string_equal(k.data, "__manifest/chains/01HZZZZZZZZZZZZZZZZZZZZZZZ/v/18446744073709551614.json");
    OG_CHECK(og_graph_key_version_parse(k.data, uid, &v));
    assert_int_equal(v, 1);
    og_buf k2 = OG_BUF_INIT;
    OG_CHECK(og_graph_key_version(&k2, uid, 10000));
    assert_true(strcmp(k2.data, k.data) < 0); /* newer sorts first */
    OG_CHECK(og_graph_key_version_parse(k2.data, uid, &v));
    assert_int_equal(v, 10000);
    assert_int_equal(og_graph_key_version_parse("__manifest/chains/01HZZZZZZZZZZZZZZZZZZZZZZZ/v/x.json",
                                                uid, &v), OG_E_CORRUPT);
    og_buf_free(&k);
    og_buf_free(&k2);
}

static void test_encode_decode_round_trip_is_byte_stable(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot s, d;
    og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
    OG_CHECK(fx_genesis(st, 3, &s));
    free(s.pins[1].table_branch);
    s.pins[1].table_branch = strdup("feature/x");
    OG_CHECK(og_graph_manifest_encode(&s, &a));
    OG_CHECK(og_graph_manifest_decode("mem", a.data, a.len, &d));
    OG_CHECK(og_graph_manifest_encode(&d, &b));
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_int_equal(d.npins, 3);
    assert_string_equal(d.pins[1].table_branch, "feature/x");
    assert_null(d.pins[0].table_branch);
    assert_string_equal(d.head.id, s.head.id);
    og_graph_snapshot_free(&s);
    og_graph_snapshot_free(&d);
    og_buf_free(&a);
    og_buf_free(&b);
    og_store_close(st);
}

/* Replaces version 1 of main with `text` and expects open_head to fail with
 * code, its message containing every `needles` entry. */
static void expect_open_fails(const char *text, og_code code, const char *const *needles)
{
    og_store *st = fx_mem();
    og_graph_snapshot g, s;
    og_buf k = OG_BUF_INIT;
    OG_CHECK(fx_genesis(st, 2, &g));
    OG_CHECK(og_graph_key_version(&k, g.branch_uid, 1));
    OG_CHECK(og_store_put(st, k.data, text, strlen(text), NULL));
    og_status rc = og_graph_open_head(st, NULL, &s);
    if (rc != (og_status)code) print_error("got %d: %s\n", rc, og_error_last()->message);
    assert_int_equal(rc, code);
    const char *msg = og_error_last()->message;
    for (size_t i = 0; needles[i]; i++) {
        if (!strstr(msg, needles[i])) print_error("`%s` lacks `%s`\n", msg, needles[i]);
        assert_non_null(strstr(msg, needles[i]));
    }
    assert_null(s.branch);
    assert_int_equal(s.npins, 0);
    og_graph_snapshot_free(&g);
    og_buf_free(&k);
    og_store_close(st);
}

/* A valid version-1 document of chain `uid` with one tweak applied. */
static char *doc_with(const char *uid, const char *field, json_t *value)
{
    json_t *c = json_pack("{s:s,s:n,s:n,s:n,s:n,s:s,s:i,s:i}", "id", "01J00000000000000000000001",
                          "parent", "merged_parent", "actor", "branch", "branch_uid", uid,
                          "manifest_version", 1, "created_at", 5);
    json_t *pin = json_pack("{s:s,s:i,s:i,s:s,s:i,s:n,s:i}", "table_key", "node:A",
                            "stable_table_id", 1, "table_incarnation_id", 1, "path",
                            "nodes/0000000000000001-0000000000000001", "version", 3,
                            "table_branch", "row_count", 4);
    json_t *d = json_pack("{s:i,s:i,s:s,s:s,s:i,s:n,s:[o],s:o}", "format", 1,
                          "internal_schema_version", 1, "branch", "main", "branch_uid", uid,
                          "version", 1, "schema_ir_hash", "tables", pin, "commit", c);
    if (field && strncmp(field, "tables.", 7) == 0) json_object_set_new(pin, field + 7, value);
    else if (field && strncmp(field, "commit.", 7) == 0) json_object_set_new(c, field + 7, value);
    else if (field) json_object_set_new(d, field, value);
    char *s = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    return s;
}

/* Each malformed document, with what the error must name. */
static void test_corrupt_version_objects_fail_naming_object_and_field(void **state)
{
    /* Each case gets its own graph: documents must name the chain (uid)
     * they are read from. */
    struct { const char *field; json_t *value; const char *needle; } cases[] = {
        {"tables.version", json_string("3"), "tables[0].version"},
        {"tables.row_count", json_integer(-1), "tables[0].row_count"},
        {"tables.path", json_string("nodes/x"), "tables[0]"},
        {"tables.table_key", json_string("Person"), "tables[0]"},
        {"tables.stable_table_id", json_integer(0), "tables[0]"},
        {"tables.extra", json_true(), "tables[0].extra"},
        {"commit.id", json_string("nope"), "commit.id"},
        {"commit.manifest_version", json_integer(7), "commit"},
        {"commit.branch", json_string("other"), "commit.branch"},
        {"commit.branch", json_string("main"), "commit.branch"},
        {"surprise", json_integer(1), "surprise"},
        {"version", json_integer(2), "version 2"},
        {"branch", json_integer(1), "branch"},
        {"tables", json_object(), "tables"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        og_store *s2 = fx_mem();
        og_graph_snapshot g2, out;
        og_buf k = OG_BUF_INIT;
        OG_CHECK(fx_genesis(s2, 1, &g2));
        char *doc = doc_with(g2.branch_uid, cases[i].field, cases[i].value);
        OG_CHECK(og_graph_key_version(&k, g2.branch_uid, 1));
        OG_CHECK(og_store_put(s2, k.data, doc, strlen(doc), NULL));
        og_status rc = og_graph_open_head(s2, NULL, &out);
        const char *msg = og_error_last()->message;
        if (rc != OG_E_CORRUPT || !strstr(msg, cases[i].needle) || !strstr(msg, k.data))
            print_error("case %zu (%s): rc %d: %s\n", i, cases[i].field, rc, msg);
        assert_int_equal(rc, OG_E_CORRUPT);
        assert_non_null(strstr(msg, cases[i].needle));
        assert_non_null(strstr(msg, k.data));
        free(doc);
        og_buf_free(&k);
        og_graph_snapshot_free(&g2);
        og_store_close(s2);
    }
}

static void test_valid_handwritten_document_decodes(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g, out;
    og_buf k = OG_BUF_INIT;
    OG_CHECK(fx_genesis(st, 1, &g));
    char *doc = doc_with(g.branch_uid, NULL, NULL);
    OG_CHECK(og_graph_key_version(&k, g.branch_uid, 1));
    OG_CHECK(og_store_put(st, k.data, doc, strlen(doc), NULL));
    OG_CHECK(og_graph_open_head(st, NULL, &out));
    assert_int_equal(out.pins[0].version, 3);
    assert_int_equal(out.pins[0].row_count, 4);
    og_graph_snapshot_free(&out);
    free(doc);
    og_buf_free(&k);
    og_graph_snapshot_free(&g);
    og_store_close(st);
}

static void test_not_json_is_corrupt(void **state)
{
    const char *n[] = {"corrupt manifest object", "__manifest/chains/", "not JSON", NULL};
    expect_open_fails("{\"format\": 1,", OG_E_CORRUPT, n);
    const char *n2[] = {"the document", NULL};
    expect_open_fails("[1,2]", OG_E_CORRUPT, n2);
}

static void test_newer_format_and_schema_version_are_refused_naming_both(void **state)
{
    const char *n1[] = {"format 2", "1", "upgrade", NULL};
    expect_open_fails("{\"format\":2}", OG_E_UNSUPPORTED, n1);
    const char *n2[] = {"internal_schema_version 9", "newer than 2", NULL};
    expect_open_fails("{\"format\":1,\"internal_schema_version\":9}", OG_E_UNSUPPORTED, n2);
}

static void test_unsorted_pins_are_corrupt(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g, out;
    og_buf k = OG_BUF_INIT, data = OG_BUF_INIT;
    json_t *j = NULL;
    OG_CHECK(fx_genesis(st, 2, &g));
    OG_CHECK(og_graph_manifest_encode(&g, &data));
    OG_CHECK(og_json_parse(data.data, data.len, &j));
    json_t *t = json_object_get(j, "tables");
    json_t *first = json_incref(json_array_get(t, 0));
    json_array_remove(t, 0);
    json_array_append_new(t, first);
    char *doc = json_dumps(j, JSON_COMPACT);
    OG_CHECK(og_graph_key_version(&k, g.branch_uid, 1));
    OG_CHECK(og_store_put(st, k.data, doc, strlen(doc), NULL));
    assert_int_equal(og_graph_open_head(st, NULL, &out), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "tables[1]"));
    free(doc);
    json_decref(j);
    og_buf_free(&k);
    og_buf_free(&data);
    og_graph_snapshot_free(&g);
    og_store_close(st);
}

static void test_stray_key_in_chain_is_corrupt(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g, out;
    og_buf k = OG_BUF_INIT;
    OG_CHECK(fx_genesis(st, 1, &g));
    OG_CHECK(og_graph_key_chain(&k, g.branch_uid));
    OG_CHECK(og_buf_append_str(&k, "0-stray.json"));
    OG_CHECK(og_store_put(st, k.data, "{}", 2, NULL));
    assert_int_equal(og_graph_open_head(st, NULL, &out), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "0-stray.json"));
    og_buf_free(&k);
    og_graph_snapshot_free(&g);
    og_store_close(st);
}

static void test_open_at_commit_reads_that_snapshot_without_listing(void **state)
{
    og_store *f = NULL;
    og_graph_snapshot g, s2, s3, at;
    OG_CHECK(og_store_fault_open(fx_mem(), &f));
    OG_CHECK(fx_genesis(f, 2, &g));
    OG_CHECK(fx_publish(f, NULL, 0, 1, 2, "a", NULL, &s2));
    OG_CHECK(fx_publish(f, NULL, 0, 2, 3, "b", NULL, &s3));
    og_store_fault_reset_counts(f);
    OG_CHECK(og_graph_open_commit(f, s2.head.id, &at));
    assert_int_equal(og_store_fault_count(f, OG_OP_LIST), 0);
    assert_int_equal(og_store_fault_count(f, OG_OP_GET), 3);
    assert_int_equal(at.version, 2);
    assert_int_equal(og_graph_snapshot_pin(&at, "node:T0")->version, 2);
    og_graph_snapshot_free(&at);
    OG_CHECK(og_graph_open_commit(f, g.head.id, &at));
    assert_int_equal(at.version, 1);
    og_graph_snapshot_free(&at);
    assert_int_equal(og_graph_open_commit(f, "01J00000000000000000000000", &at), OG_E_NOTFOUND);
    assert_int_equal(og_graph_open_commit(f, "bogus", &at), OG_E_INVALID);
    og_graph_snapshot_free(&g);
    og_graph_snapshot_free(&s2);
    og_graph_snapshot_free(&s3);
    og_store_close(f);
}

static void test_orphan_commit_object_does_not_resolve(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g;
    OG_CHECK(fx_genesis(st, 1, &g));
    /* A commit object that claims version 2, which does not exist. */
    og_graph_commit c;
    OG_CHECK(og_graph_commit_copy(&c, &g.head));
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    memcpy(c.id, id.s, sizeof c.id);
    memcpy(c.parent, g.head.id, sizeof c.parent);
    c.manifest_version = 2;
    OG_CHECK(og_graph_commit_put(st, &c));
    og_graph_commit out;
    og_graph_snapshot snap;
    assert_int_equal(og_graph_commit_get(st, c.id, &out), OG_E_NOTFOUND);
    assert_int_equal(og_graph_open_commit(st, c.id, &snap), OG_E_NOTFOUND);
    /* Claiming version 1, which carries another commit. */
    c.manifest_version = 1;
    OG_CHECK(og_graph_commit_put(st, &c));
    assert_int_equal(og_graph_commit_get(st, c.id, &out), OG_E_NOTFOUND);
    og_graph_commit_clear(&c);
    og_graph_snapshot_free(&g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_keys_are_reversed_so_newest_lists_first),
        cmocka_unit_test(test_encode_decode_round_trip_is_byte_stable),
        cmocka_unit_test(test_corrupt_version_objects_fail_naming_object_and_field),
        cmocka_unit_test(test_valid_handwritten_document_decodes),
        cmocka_unit_test(test_not_json_is_corrupt),
        cmocka_unit_test(test_newer_format_and_schema_version_are_refused_naming_both),
        cmocka_unit_test(test_unsorted_pins_are_corrupt),
        cmocka_unit_test(test_stray_key_in_chain_is_corrupt),
        cmocka_unit_test(test_open_at_commit_reads_that_snapshot_without_listing),
        cmocka_unit_test(test_orphan_commit_object_does_not_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
