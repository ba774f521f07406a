/* test_table_inline.c — inline fragments and deletion vectors
 * (docs/format.md §4.1): a small commit writes one object (its manifest),
 * inline data past the budget is spilled into a pack before publishing,
 * and every reader, writer and maintenance path sees the same rows as with
 * regular files. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/table.h"

#include "table_fixture.h"
static size_t inline_frags(const og_table *t, size_t *packed)
{
    const og_manifest *m = og_table_manifest(t);
    size_t n = 0;
    if (packed) *packed = 0;
    for (size_t i = 0; i < m->nfrags; i++) {
        if (m->frags[i].inline_data.len) n++;
        if (packed && m->frags[i].pack) (*packed)++;
    }
    return n;
}

static void test_one_row_commits_write_only_their_manifest(void **st)
{
    (void)st;
    og_store *mem, *s;
    OG_CHECK(og_store_mem_open(&mem));
    OG_CHECK(og_store_fault_open(mem, &s));
    og_table *t = make(s, 100);
    size_t files = count_prefix(s, "t/data/");
    free(content(t)); /* warm: the created file's footer and pages are cached */
    for (int i = 0; i < 6; i++) {
        og_store_fault_reset_counts(s);
        t = i % 2 ? upsert(t, "p", 10 + i, 11 + i, 1000) : upsert(t, "q", i, i + 1, 0);
        assert_int_equal(og_store_fault_total(s), 1);
        assert_int_equal(og_store_fault_count(s, OG_OP_PUT_IF_ABSENT), 1);
    }
    og_store_fault_reset_counts(s);
    t = delete_id(t, "p0050");
    assert_int_equal(og_store_fault_total(s), 1);
    assert_int_equal(count_prefix(s, "t/data/"), files);
    assert_int_equal(count_prefix(s, "t/_deletions/"), 0);
    assert_int_equal(inline_frags(t, NULL), 6);
    assert_true(og_table_manifest(t)->frags[0].dv_inline.len > 0);
    /* a cold handle reads the same rows from the manifest alone */
    char *warm = content(t);
    og_table *cold;
    OG_CHECK(og_table_open(s, "t", &cold));
    char *c = content(cold);
    assert_string_equal(warm, c);
    assert_int_equal(og_table_count_rows(cold), 102);
    assert_int_equal(n_of(cold, "p0011"), 1011);
    assert_int_equal(n_of(cold, "q0004"), 4);
    assert_int_equal(n_of(cold, "p0050"), -1);
    free(warm);
    free(c);
    og_table_close(cold);
    og_table_close(t);
    og_store_close(s);
}

static void test_spill_packs_inline_fragments_keeping_rows_and_ids(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 50);
    size_t packed = 0, rounds = 0;
    char *before = NULL;
    while (!packed && rounds < 400) {
        free(before);
        before = content(t);
        t = upsert(t, rounds % 3 ? "r" : "p", (int)rounds, (int)rounds + 1, 7);
        inline_frags(t, &packed);
        rounds++;
    }
    assert_true(packed > 0);
    assert_true(rounds > 3); /* several commits stayed inline before the spill */
    assert_int_equal(count_prefix(s, "t/data/") - 1, 1); /* the create's file + one pack */
    /* the spill moved bytes, not rows: every earlier row keeps its identity */
    char *after = content(t);
    char *line = strtok(before, "\n");
    for (; line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "p", 1) && strstr(after, line) == NULL) {
            /* only the row rewritten by the spilling commit may differ */
            char id[16];
            snprintf(id, sizeof id, "p%04d", (int)rounds - 1);
            assert_int_equal(strncmp(line, id, 5), 0);
        }
    }
    /* a cold handle reads the packed fragments by range */
    og_table *cold;
    OG_CHECK(og_table_open(s, "t", &cold));
    char *c = content(cold);
    assert_string_equal(after, c);
    free(c);
    og_table_close(cold);
    free(before);
    free(after);
    og_table_close(t);
    og_store_close(s);
}

/* A table with an inline deletion vector and k one-row inline inserts. */
static og_table *prep(og_store *s, int k)
{
    og_table *t = make(s, 40);
    t = upsert(t, "p", 0, 3, 100);
    for (int i = 0; i < k; i++) t = upsert(t, "z", i, i + 1, 0);
    return t;
}

static void test_crash_at_every_step_of_a_spilling_commit_leaves_a_whole_version(void **st)
{
    (void)st;
    /* k = how many inline commits fit before the next one spills */
    int k = 0;
    {
        og_store *s;
        OG_CHECK(og_store_mem_open(&s));
        og_table *t = prep(s, 0);
        size_t packed = 0;
        for (; !packed; k++) {
            t = upsert(t, "z", k, k + 1, 0);
            inline_frags(t, &packed);
        }
        k--; /* the k-th (0-based) commit spilled: prepare k, crash in the next */
        og_table_close(t);
        og_store_close(s);
    }
    int crashed_runs = 0;
    for (unsigned n = 1; n < 20; n++) {
        og_store *mem, *s;
        OG_CHECK(og_store_mem_open(&mem));
        OG_CHECK(og_store_fault_open(mem, &s));
        og_table *t = prep(s, k);
        uint64_t v0 = og_table_version(t);
        char *expect_old = content(t);
        og_batch b = OG_BATCH_INIT;
        og_txn *x = NULL;
        rows(&b, "z", k, k + 1, 0);
        og_store_fault_crash_at(s, n);
        og_status rc = og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &x);
        if (!rc) rc = og_txn_commit(x, NULL, NULL, NULL);
        bool crashed = og_store_fault_crashed(s);
        og_txn_free(x);
        og_batch_free(&b);
        og_table_close(t);
        og_store_fault_reopen(s);
        og_store_fault_crash_at(s, 0);
        OG_CHECK(og_table_open(s, "t", &t));
        char *now = content(t);
        if (og_table_version(t) == v0) {
            assert_true(crashed);
            assert_string_equal(now, expect_old);
        } else {
            size_t packed;
            assert_int_equal(og_table_version(t), v0 + 1);
            assert_int_equal(inline_frags(t, &packed), 0); /* it spilled everything */
            assert_true(packed > 0);
            assert_int_equal(og_table_count_rows(t), 40 + (uint64_t)k + 1);
            assert_int_equal(n_of(t, "p0001"), 101);
            assert_null(og_table_manifest(t)->frags[0].dv_inline.data);
        }
        free(now);
        free(expect_old);
        og_table_close(t);
        og_store_close(s);
        if (!crashed) { assert_int_equal(rc, OG_OK); break; }
        crashed_runs++;
    }
    assert_int_equal(crashed_runs, 3); /* deletion vector, pack, manifest */
}

static void test_compaction_moves_inline_rows_into_files_and_cleanup_drops_packs(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 30);
    size_t packed = 0;
    for (int i = 0; i < 200 && !packed; i++) {
        t = upsert(t, "k", i, i + 1, 0);
        inline_frags(t, &packed);
    }
    assert_true(packed > 0);
    t = upsert(t, "p", 3, 4, 9); /* an inline deletion vector on the created file */
    t = delete_id(t, "k0001");    /* and one on a packed fragment */
    char *before = content(t);
    og_txn *x;
    OG_CHECK(og_table_stage_compact(t, NULL, &x));
    assert_non_null(x);
    t = commit_t(t, x);
    const og_manifest *m = og_table_manifest(t);
    for (size_t i = 0; i < m->nfrags; i++) {
        assert_int_equal(m->frags[i].inline_data.len, 0);
        assert_int_equal(m->frags[i].dv_inline.len, 0);
        assert_null(m->frags[i].pack);
    }
    char *after = content(t);
    assert_string_equal(before, after);
    /* only the latest version remains: packs and the old file go */
    og_cleanup_opts o = {og_table_version(t), 0, 0};
    og_cleanup_stats cs;
    OG_CHECK(og_table_cleanup(s, "t", &o, &cs));
    assert_int_equal(count_prefix(s, "t/data/"), m->nfrags);
    og_table *cold;
    OG_CHECK(og_table_open(s, "t", &cold));
    char *c = content(cold);
    assert_string_equal(after, c);
    free(c);
    free(before);
    free(after);
    og_table_close(cold);
    og_table_close(t);
    og_store_close(s);
}

static void test_tampered_inline_fragment_is_corrupt_never_a_crash(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 10);
    t = upsert(t, "q", 0, 3, 0);
    uint64_t v = og_table_version(t);
    og_table_close(t);
    char key[128];
    snprintf(key, sizeof key, "t/_versions/%020llu.manifest", (unsigned long long)(UINT64_MAX - v));
    og_buf raw = OG_BUF_INIT, enc = OG_BUF_INIT;
    OG_CHECK(og_store_get(s, key, &raw, NULL));
    og_manifest m;
    OG_CHECK(og_manifest_decode(raw.data, raw.len, &m));
    og_frag_meta *f = &m.frags[m.nfrags - 1];
    assert_true(f->inline_data.len > 40);
    /* a flipped page byte inside the (validly framed) manifest */
    f->inline_data.data[12] ^= 0x40;
    OG_CHECK(og_manifest_encode(&m, &enc));
    OG_CHECK(og_store_put(s, key, enc.data, enc.len, NULL));
    OG_CHECK(og_table_open(s, "t", &t));
    og_batch out = OG_BATCH_INIT;
    assert_int_equal(og_table_scan(t, NULL, &out), OG_E_CORRUPT);
    og_batch_free(&out);
    og_table_close(t);
    /* inline bytes that disagree with the recorded size: the open fails */
    f->inline_data.data[12] ^= 0x40;
    f->size++;
    og_buf_clear(&enc);
    OG_CHECK(og_manifest_encode(&m, &enc));
    OG_CHECK(og_store_put(s, key, enc.data, enc.len, NULL));
    assert_int_equal(og_table_open(s, "t", &t), OG_E_CORRUPT);
    og_manifest_free(&m);
    og_buf_free(&raw);
    og_buf_free(&enc);
    og_store_close(s);
}

static void test_combined_inline_deletions_unite_and_branches_read_inline_rows(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 20);
    og_batch b = OG_BATCH_INIT;
    og_txn *up, *del;
    rows(&b, "p", 2, 3, 200);
    OG_CHECK(og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, &up));
    og_batch_free(&b);
    og_pred p = {"id", OG_CMP_EQ, og_val_str("p0007"), NULL, 0};
    OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &del));
    OG_CHECK(og_txn_combine(up, del)); /* both delete rows of the created file: one united vector */
    og_txn_free(del);
    t = commit_t(t, up);
    assert_int_equal(og_table_manifest(t)->frags[0].deleted, 2);
    assert_true(og_table_manifest(t)->frags[0].dv_inline.len > 0);
    assert_int_equal(count_prefix(s, "t/_deletions/"), 0);
    assert_int_equal(n_of(t, "p0002"), 202);
    assert_int_equal(n_of(t, "p0007"), -1);
    uint64_t v = og_table_version(t);
    char *main_rows = content(t);
    /* a branch from an inline version reads the same rows, and so does a
     * restore of that version after later commits */
    OG_CHECK(og_table_branch_create(s, "t", "b1", NULL, v));
    og_table *br;
    OG_CHECK(og_table_open_branch(s, "t", "b1", 0, &br));
    char *c = content(br);
    assert_string_equal(main_rows, c);
    free(c);
    og_table_close(br);
    t = upsert(t, "p", 2, 3, 300);
    og_txn *x;
    OG_CHECK(og_table_stage_restore(t, v, &x));
    t = commit_t(t, x);
    c = content(t);
    assert_string_equal(main_rows, c);
    free(c);
    free(main_rows);
    og_table_close(t);
    og_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_commits_write_only_their_manifest),
        cmocka_unit_test(test_spill_packs_inline_fragments_keeping_rows_and_ids),
        cmocka_unit_test(test_crash_at_every_step_of_a_spilling_commit_leaves_a_whole_version),
        cmocka_unit_test(test_compaction_moves_inline_rows_into_files_and_cleanup_drops_packs),
        cmocka_unit_test(test_tampered_inline_fragment_is_corrupt_never_a_crash),
        cmocka_unit_test(test_combined_inline_deletions_unite_and_branches_read_inline_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
