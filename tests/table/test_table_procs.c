/* test_table_procs.c — commit conflict rules across processes (fork) on
 * the fs store.
 * (1) Every child opens its own fs store handle and table snapshot, stages
 *     its write, reports ready, and waits at a barrier (a pipe the parent
 *     closes) so that every child stages from the same version before any
 *     commits.
 * (2) A child's exit code is its outcome: 0 committed, 1 OG_E_CONFLICT,
 *     2 other error. The parent checks the counts and the final table. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "table/table.h"

static const og_type T_UTF8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
static const og_type T_I64 = {OG_TYPE_I64, OG_TYPE_NONE, 0};

enum { RES_OK = 0, RES_CONFLICT = 1, RES_OTHER = 2 };

static void one_row(og_batch *b, const char *id, int64_t n)
{
    og_column *c, *v;
    OG_CHECK(og_batch_add(b, "id", T_UTF8, &c));
    OG_CHECK(og_batch_add(b, "n", T_I64, &v));
    OG_CHECK(og_column_push_str(c, id));
    OG_CHECK(og_column_push_i64(v, n));
    OG_CHECK(og_batch_seal(b));
}

/* Creates table "t" with rows a, b, c (n = 1, 2, 3) under dir. */
static void make(const char *dir)
{
    og_store *s;
    og_schema sc;
    og_batch b = OG_BATCH_INIT;
    og_column *c, *v;
    og_txn *x;
    memset(&sc, 0, sizeof sc);
    OG_CHECK(og_store_fs_open(dir, true, &s));
    OG_CHECK(og_schema_add(&sc, "id", T_UTF8, false, true));
    OG_CHECK(og_schema_add(&sc, "n", T_I64, true, false));
    OG_CHECK(og_batch_add(&b, "id", T_UTF8, &c));
    OG_CHECK(og_batch_add(&b, "n", T_I64, &v));
    for (int i = 0; i < 3; i++) {
        char k[2] = {(char)('a' + i), 0};
        OG_CHECK(og_column_push_str(c, k));
        OG_CHECK(og_column_push_i64(v, i + 1));
    }
    OG_CHECK(og_batch_seal(&b));
    OG_CHECK(og_table_stage_create(s, "t", &sc, &b, &x));
    OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
    og_txn_free(x);
    og_batch_free(&b);
    og_schema_free(&sc);
    og_store_close(s);
}

typedef og_status (*stage_fn)(og_table *t, int child, og_txn **x);

/* Runs n children: each stages with fn, waits at the barrier, commits.
 * res[i] gets child i's outcome. */
static void run_children(const char *dir, int n, stage_fn fn, int *res)
{
    int ready[2], go[2];
    pid_t pids[32];
    assert_true(n <= 32);
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        assert_true(p >= 0);
        if (p == 0) {
            int code = RES_OTHER;
            og_store *s = NULL;
            og_table *t = NULL;
            og_txn *x = NULL;
            char c = 'r';
            close(ready[0]);
            close(go[1]);
            if (og_store_fs_open(dir, false, &s) == OG_OK && og_table_open(s, "t", &t) == OG_OK &&
                fn(t, i, &x) == OG_OK && x) {
                if (write(ready[1], &c, 1) == 1 && read(go[0], &c, 1) == 0) {
                    og_status rc = og_txn_commit(x, NULL, NULL, NULL);
                    code = rc == OG_OK ? RES_OK : rc == OG_E_CONFLICT ? RES_CONFLICT : RES_OTHER;
                }
            } else if (write(ready[1], &c, 1) != 1) {
                code = RES_OTHER;
            }
            og_txn_free(x);
            og_table_close(t);
            og_store_close(s);
            _exit(code);
        }
        pids[i] = p;
    }
    close(ready[1]);
    close(go[0]);
    for (int i = 0; i < n; i++) {
        char c;
        assert_int_equal(read(ready[0], &c, 1), 1);
    }
    close(go[1]); /* barrier: every child's read returns 0 now */
    close(ready[0]);
    for (int i = 0; i < n; i++) {
        int st = 0;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        res[i] = WEXITSTATUS(st);
    }
}

static int count(const int *res, int n, int want)
{
    int k = 0;
    for (int i = 0; i < n; i++) k += res[i] == want;
    return k;
}

/* n of row `id` in the latest version; -1 when absent; *rows = matches. */
static int64_t value_of(const char *dir, const char *id, size_t *rows, uint64_t *version)
{
    og_store *s;
    og_table *t;
    og_batch b = OG_BATCH_INIT;
    og_pred p = {"id", OG_CMP_EQ, og_val_str(id), NULL, 0};
    og_scan_opts o = {NULL, 0, &p, 1, 0};
    OG_CHECK(og_store_fs_open(dir, false, &s));
    OG_CHECK(og_table_open(s, "t", &t));
    OG_CHECK(og_table_scan(t, &o, &b));
    *rows = b.nrows;
    if (version) *version = og_table_version(t);
    int64_t v = b.nrows ? og_column_get_i64(og_batch_col(&b, "n"), 0) : -1;
    og_batch_free(&b);
    og_table_close(t);
    og_store_close(s);
    return v;
}

static og_status insert_dup(og_table *t, int child, og_txn **x)
{
    og_batch b = OG_BATCH_INIT;
    one_row(&b, "dup", 100 + child);
    og_status rc = og_table_stage_merge_insert(t, &b, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, x);
    og_batch_free(&b);
    return rc;
}

static void test_procs_duplicate_key_insert_one_winner_6_processes(void **st)
{
    (void)st;
    char *dir = og_test_tmpdir("procs_dup");
    int res[6];
    make(dir);
    run_children(dir, 6, insert_dup, res);
    assert_int_equal(count(res, 6, RES_OK), 1);
    assert_int_equal(count(res, 6, RES_CONFLICT), 5);
    size_t rows;
    uint64_t v;
    int64_t n = value_of(dir, "dup", &rows, &v);
    assert_int_equal(rows, 1);
    assert_int_equal(v, 2);
    for (int i = 0; i < 6; i++)
        if (res[i] == RES_OK) assert_int_equal(n, 100 + i);
    og_test_rmtree(dir);
    free(dir);
}

static og_status insert_disjoint(og_table *t, int child, og_txn **x)
{
    char id[16];
    og_batch b = OG_BATCH_INIT;
    snprintf(id, sizeof id, "new%d", child);
    one_row(&b, id, child);
    og_status rc = og_table_stage_merge_insert(t, &b, OG_MATCHED_FAIL, OG_NOT_MATCHED_INSERT, NULL, x);
    og_batch_free(&b);
    return rc;
}

static void test_procs_disjoint_key_inserts_all_commit_6_processes(void **st)
{
    (void)st;
    char *dir = og_test_tmpdir("procs_disjoint");
    int res[6];
    make(dir);
    run_children(dir, 6, insert_disjoint, res);
    assert_int_equal(count(res, 6, RES_OK), 6);
    for (int i = 0; i < 6; i++) {
        char id[16];
        size_t rows;
        snprintf(id, sizeof id, "new%d", i);
        assert_int_equal(value_of(dir, id, &rows, NULL), i);
        assert_int_equal(rows, 1);
    }
    size_t rows;
    uint64_t v;
    value_of(dir, "a", &rows, &v);
    assert_int_equal(v, 7); /* six rebased commits on top of version 1 */
    og_test_rmtree(dir);
    free(dir);
}

static og_status update_a(og_table *t, int child, og_txn **x)
{
    og_batch b = OG_BATCH_INIT;
    one_row(&b, "a", 50 + child);
    og_status rc = og_table_stage_merge_insert(t, &b, OG_MATCHED_UPDATE_ALL, OG_NOT_MATCHED_INSERT, NULL, x);
    og_batch_free(&b);
    return rc;
}

static void test_procs_two_updates_of_one_row_conflict(void **st)
{
    (void)st;
    char *dir = og_test_tmpdir("procs_update");
    int res[2];
    make(dir);
    run_children(dir, 2, update_a, res);
    assert_int_equal(count(res, 2, RES_OK), 1);
    assert_int_equal(count(res, 2, RES_CONFLICT), 1);
    size_t rows;
    int64_t n = value_of(dir, "a", &rows, NULL);
    assert_int_equal(rows, 1);
    assert_int_equal(n, res[0] == RES_OK ? 50 : 51);
    og_test_rmtree(dir);
    free(dir);
}

/* child 0 restores version 1, child 1 appends a row */
static og_status restore_or_append(og_table *t, int child, og_txn **x)
{
    if (child == 0) return og_table_stage_restore(t, 1, x);
    og_batch b = OG_BATCH_INIT;
    one_row(&b, "z", 26);
    og_status rc = og_table_stage_append(t, &b, x);
    og_batch_free(&b);
    return rc;
}

static void test_procs_restore_vs_concurrent_commit_one_wins(void **st)
{
    (void)st;
    for (int round = 0; round < 3; round++) {
        char *dir = og_test_tmpdir("procs_restore");
        int res[2];
        make(dir);
        { /* version 2: delete c, so that restoring version 1 changes content */
            og_store *s;
            og_table *t;
            og_txn *x;
            og_pred p = {"id", OG_CMP_EQ, og_val_str("c"), NULL, 0};
            OG_CHECK(og_store_fs_open(dir, false, &s));
            OG_CHECK(og_table_open(s, "t", &t));
            OG_CHECK(og_table_stage_delete(t, &p, 1, NULL, &x));
            OG_CHECK(og_txn_commit(x, NULL, NULL, NULL));
            og_txn_free(x);
            og_table_close(t);
            og_store_close(s);
        }
        run_children(dir, 2, restore_or_append, res);
        assert_int_equal(count(res, 2, RES_OK), 1);
        assert_int_equal(count(res, 2, RES_CONFLICT), 1);
        size_t rows_c, rows_z;
        uint64_t v;
        value_of(dir, "c", &rows_c, &v);
        value_of(dir, "z", &rows_z, NULL);
        assert_int_equal(v, 3);
        if (res[0] == RES_OK) { /* restore won: c is back, z never landed */
            assert_int_equal(rows_c, 1);
            assert_int_equal(rows_z, 0);
        } else {
            assert_int_equal(rows_c, 0);
            assert_int_equal(rows_z, 1);
        }
        og_test_rmtree(dir);
        free(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_procs_duplicate_key_insert_one_winner_6_processes),
        cmocka_unit_test(test_procs_disjoint_key_inserts_all_commit_6_processes),
        cmocka_unit_test(test_procs_two_updates_of_one_row_conflict),
        cmocka_unit_test(test_procs_restore_vs_concurrent_commit_one_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
