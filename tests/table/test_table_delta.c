/* test_table_delta.c — delta manifests (docs/format.md §4.2): a row-level
 * commit stores only its difference to a checkpoint object, so the bytes a
 * commit writes do not grow with the table's history; every version still
 * opens to exactly the content it had (at most two gets), cleanup keeps the
 * checkpoint objects remaining versions need and removes the others, and a
 * broken delta is a clear error. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "table/envelope.h"
#include "table/manifest.h"
#include "table/table.h"

#include "table_fixture.h"

static uint64_t stored_size(og_store *s, uint64_t v)
{
    char key[96];
    og_obj_meta m;
    snprintf(key, sizeof key, "t/_versions/%020llu.manifest", (unsigned long long)(UINT64_MAX - v));
    OG_CHECK(og_store_head(s, key, &m));
    return m.size;
}

static uint64_t object_size(og_store *s, const char *key)
{
    og_obj_meta m;
    OG_CHECK(og_store_head(s, key, &m));
    return m.size;
}

static void test_one_row_commits_write_bounded_deltas_and_every_version_reopens_whole(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 50);
    enum { N = 300 };
    char *want[N + 2] = {0};
    uint64_t first = og_table_version(t);
    want[0] = content(t);
    size_t deltas = 0, ckpts = 0;
    uint64_t max_version_bytes = 0, last_ckpt = 0;
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "z%04d", i - 1);
        if (i % 10 == 0) t = upsert(t, "p", i % 50, i % 50 + 1, 1000 + i); /* update */
        else if (i % 10 != 9) t = upsert(t, "z", i, i + 1, i);           /* insert */
        else t = delete_id(t, id);                                      /* delete the last insert */
        uint64_t v = og_table_version(t);
        const og_manifest *m = og_table_manifest(t);
        want[v - first] = content(t);
        if (!m->delta_base) { /* small tables are stored in full, until the first checkpoint */
            assert_true(m->nfrags < OG_DELTA_MIN_FRAGS);
            assert_int_equal(ckpts, 0);
            continue;
        }
        uint64_t sz = stored_size(s, v);
        if (sz > max_version_bytes) max_version_bytes = sz;
        assert_true(m->delta_base <= v);
        assert_non_null(m->delta_base_file);
        if (m->delta_base == v) {
            char key[200];
            snprintf(key, sizeof key, "t/%s", m->delta_base_file);
            last_ckpt = object_size(s, key);
            ckpts++;
        } else {
            deltas++;
        }
    }
    /* most commits are deltas; every version object stays bounded by the
     * delta limit while the checkpoints grow with the fragment count */
    fprintf(stderr, "deltas %zu checkpoints %zu largest version %llu last checkpoint %llu\n", deltas, ckpts,
            (unsigned long long)max_version_bytes, (unsigned long long)last_ckpt);
    assert_true(deltas > ckpts * 8);
    assert_true(ckpts >= 2 && deltas >= 60);
    assert_true(max_version_bytes < 48 * 1024);
    assert_int_equal(count_prefix(s, "t/_checkpoints/"), ckpts);
    /* every version opens to exactly the content it had, in at most 2 gets */
    og_store *f;
    OG_CHECK(og_store_fault_open(s, &f));
    for (uint64_t v = first; v <= og_table_version(t); v++) {
        og_table *o;
        og_store_fault_reset_counts(f);
        OG_CHECK(og_table_open_at(f, "t", v, &o));
        assert_true(og_store_fault_total(f) <= 2);
        char *got = content(o);
        assert_string_equal(got, want[v - first]);
        free(got);
        og_table_close(o);
    }
    for (size_t i = 0; i < N + 2; i++) free(want[i]);
    og_table_close(t);
    og_store_close(f);
}

static void test_delta_round_trip_equals_the_full_manifest(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 20);
    og_manifest ck;
    OG_CHECK(og_manifest_copy(&ck, og_table_manifest(t)));
    for (int i = 0; i < 5; i++) t = upsert(t, "z", i, i + 1, i);
    t = upsert(t, "p", 3, 4, 77); /* changes the checkpoint fragment's deletion vector */
    assert_int_equal(n_of(t, "p0003"), 80);
    const og_manifest *m = og_table_manifest(t);
    og_buf full = OG_BUF_INIT, delta = OG_BUF_INIT, again = OG_BUF_INIT;
    bool is_delta = false;
    OG_CHECK(og_manifest_encode(m, &full));
    OG_CHECK(og_manifest_encode_delta(m, &ck, "_checkpoints/x.manifest", &delta, &is_delta));
    assert_true(is_delta);
    og_manifest d;
    OG_CHECK(og_manifest_decode(delta.data, delta.len, &d));
    assert_true(d.unresolved);
    assert_int_equal(d.delta_base, ck.version);
    assert_string_equal(d.delta_base_file, "_checkpoints/x.manifest");
    assert_int_equal(d.nfrags, 7); /* 6 new + the changed checkpoint fragment */
    OG_CHECK(og_manifest_resolve(&d, &ck));
    OG_CHECK(og_manifest_encode(&d, &again));
    assert_int_equal(again.len, full.len);
    assert_memory_equal(again.data, full.data, full.len); /* byte-identical */
    og_manifest_free(&d);
    /* no checkpoint, or one above the version: written in full */
    og_buf_clear(&delta);
    OG_CHECK(og_manifest_encode_delta(m, NULL, NULL, &delta, &is_delta));
    assert_false(is_delta);
    assert_int_equal(delta.len, full.len);
    og_buf_free(&full);
    og_buf_free(&delta);
    og_buf_free(&again);
    og_manifest_free(&ck);
    og_table_close(t);
    og_store_close(s);
}

static void test_broken_deltas_are_refused_with_a_clear_error(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 20);
    og_manifest ck, other;
    OG_CHECK(og_manifest_copy(&ck, og_table_manifest(t)));
    t = delete_id(t, "p0002");
    t = upsert(t, "z", 0, 1, 0);
    OG_CHECK(og_manifest_copy(&other, og_table_manifest(t)));
    og_buf enc = OG_BUF_INIT;
    bool is_delta;
    OG_CHECK(og_manifest_encode_delta(og_table_manifest(t), &ck, "_checkpoints/y.manifest", &enc, &is_delta));
    assert_true(is_delta);
    og_manifest d;
    /* resolved against the wrong version, or against a delta */
    OG_CHECK(og_manifest_decode(enc.data, enc.len, &d));
    other.delta_base = 0; /* a full manifest of the wrong version */
    assert_int_equal(og_manifest_resolve(&d, &other), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "wrong checkpoint"));
    other.delta_base = 1;
    other.version = ck.version;
    assert_int_equal(og_manifest_resolve(&d, &other), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "checkpoint is itself a delta"));
    /* a removed id the checkpoint does not have */
    uint64_t *rm = realloc(d.delta_removed, (d.ndelta_removed + 1) * sizeof *rm);
    assert_non_null(rm);
    d.delta_removed = rm;
    rm[d.ndelta_removed++] = 999;
    assert_int_equal(og_manifest_resolve(&d, &ck), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "not in the checkpoint"));
    og_manifest_free(&d);
    /* a delta body in a version-2 envelope is refused */
    og_buf v2 = OG_BUF_INIT;
    const char *body;
    size_t blen;
    OG_CHECK(og_env_unwrap(OG_MANIFEST_MAGIC, OG_MANIFEST_VERSION, "manifest", enc.data, enc.len, &body, &blen, NULL));
    OG_CHECK(og_env_wrap(OG_MANIFEST_MAGIC, 2, body, blen, &v2));
    assert_int_equal(og_manifest_decode(v2.data, v2.len, &d), OG_E_CORRUPT);
    og_buf_free(&v2);
    /* the checkpoint object is gone: opening the delta names it */
    for (int i = 0; i < (int)OG_DELTA_MIN_FRAGS + 2; i++) t = upsert(t, "z", 10 + i, 11 + i, 0);
    assert_true(og_table_manifest(t)->delta_base > 0);
    uint64_t v = og_table_version(t);
    char key[200];
    snprintf(key, sizeof key, "t/%s", og_table_manifest(t)->delta_base_file);
    og_table_close(t);
    OG_CHECK(og_store_delete(s, key));
    assert_int_equal(og_table_open_at(s, "t", v, &t), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "which is missing"));
    og_buf_free(&enc);
    og_manifest_free(&ck);
    og_manifest_free(&other);
    og_store_close(s);
}

static void test_cleanup_keeps_the_checkpoint_objects_remaining_versions_need(void **st)
{
    (void)st;
    og_store *s;
    OG_CHECK(og_store_mem_open(&s));
    og_table *t = make(s, 30);
    og_table_set_inline_max(t, 0); /* deletion vectors and fragments as files */
    t = delete_id(t, "p0001");
    for (int i = 0; i < 200; i++) t = upsert(t, "z", i, i + 1, i);
    assert_true(count_prefix(s, "t/_checkpoints/") >= 2);
    uint64_t v = og_table_version(t);
    char *want = content(t);
    og_cleanup_opts o = {0, 0, 0}; /* zero grace */
    og_cleanup_keep k = {1, NULL, 0};
    og_cleanup_stats cs;
    OG_CHECK(og_table_cleanup_keep(s, "t", &o, &k, &cs));
    assert_int_equal(cs.versions_removed, v - 1); /* every version but the latest */
    assert_int_equal(count_prefix(s, "t/_versions/"), 1);
    assert_int_equal(count_prefix(s, "t/_checkpoints/"), 1); /* the one the latest needs */
    og_table *o2;
    OG_CHECK(og_table_open_at(s, "t", v, &o2));
    char *got = content(o2);
    assert_string_equal(got, want);
    free(got);
    og_table_close(o2);
    free(want);
    /* the warm handle keeps committing deltas against the kept checkpoint */
    t = upsert(t, "z", 500, 501, 0);
    assert_true(og_table_manifest(t)->delta_base < og_table_version(t));
    OG_CHECK(og_table_open(s, "t", &o2));
    assert_int_equal(og_table_count_rows(o2), og_table_count_rows(t));
    og_table_close(o2);
    og_table_close(t);
    og_store_close(s);
}

/* Table of exactly `frags` fragments: the next row-level commit of the
 * returned handle is the first that starts a checkpoint. */
static og_table *grown(og_store *s, size_t frags)
{
    og_table *t = make(s, 20);
    for (int i = 0; og_table_manifest(t)->nfrags < frags; i++) t = upsert(t, "z", i, i + 1, i);
    assert_int_equal(og_table_manifest(t)->delta_base, 0);
    return t;
}

/* Crash at every store call of a commit that starts a checkpoint (its
 * checkpoint put, the version's put_if_absent), then of the delta commit
 * after it: reopened, the table has the old version whole or the new one
 * whole. */
static void test_crash_at_every_step_of_checkpoint_and_delta_commits_leaves_a_whole_version(void **st)
{
    (void)st;
    for (int phase = 0; phase < 2; phase++) {
        int crashed_runs = 0;
        for (unsigned n = 1; n < 12; n++) {
            og_store *mem, *s;
            OG_CHECK(og_store_mem_open(&mem));
            OG_CHECK(og_store_fault_open(mem, &s));
            og_table *t = grown(s, OG_DELTA_MIN_FRAGS - 1);
            if (phase == 1) { /* the checkpoint commit lands; crash in the delta after it */
                t = upsert(t, "y", 0, 1, 0);
                assert_int_equal(og_table_manifest(t)->delta_base, og_table_version(t));
            }
            uint64_t v0 = og_table_version(t), rows0 = og_table_count_rows(t);
            char *expect_old = content(t);
            og_batch b = OG_BATCH_INIT;
            og_txn *x = NULL;
            rows(&b, "x", 0, 1, 5);
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
                assert_int_equal(og_table_version(t), v0 + 1);
                assert_int_equal(og_table_count_rows(t), rows0 + 1);
                assert_int_equal(n_of(t, "x0000"), 5);
                const og_manifest *m = og_table_manifest(t);
                assert_true(m->delta_base > 0);
                if (phase == 0) assert_int_equal(m->delta_base, v0 + 1); /* it started the checkpoint */
                else assert_int_equal(m->delta_base, v0);                /* a delta of v0's checkpoint */
            }
            free(now);
            free(expect_old);
            og_table_close(t);
            og_store_close(s);
            if (!crashed) { assert_int_equal(rc, OG_OK); break; }
            crashed_runs++;
        }
        /* phase 0: checkpoint put + version; phase 1: the version alone
         * (plus, either way, whatever the inline spill writes) */
        assert_true(crashed_runs >= (phase == 0 ? 2 : 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_row_commits_write_bounded_deltas_and_every_version_reopens_whole),
        cmocka_unit_test(test_delta_round_trip_equals_the_full_manifest),
        cmocka_unit_test(test_broken_deltas_are_refused_with_a_clear_error),
        cmocka_unit_test(test_cleanup_keeps_the_checkpoint_objects_remaining_versions_need),
        cmocka_unit_test(test_crash_at_every_step_of_checkpoint_and_delta_commits_leaves_a_whole_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
