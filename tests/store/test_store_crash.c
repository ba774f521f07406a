/* test_store_crash.c — a write of the fs backend that dies at any step
 * leaves the key holding the whole old or the whole new object, no temp
 * file in listings, and no lock held. */
#include "testutil.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/failpoint.h"
#include "store/store.h"

#define OLD "old content, the whole of it"
#define NEW "new content, which is longer than the old one"
#define KEY "dir/sub/key"

enum { OP_PUT, OP_ABSENT, OP_MATCH };

typedef struct step {
    int op;
    const char *fp;
    bool committed; /* the new object is in place when the crash hits */
    int temps;      /* temp files the dead writer leaves in .og-tmp */
} step;

static const step STEPS[] = {
    {OP_PUT, "store.fs.put.after_temp_write", false, 1},
    {OP_PUT, "store.fs.put.after_temp_fsync", false, 1},
    {OP_PUT, "store.fs.put.after_rename", true, 0},
    {OP_PUT, "store.fs.put.after_dir_fsync", true, 0},
    {OP_ABSENT, "store.fs.put_if_absent.after_temp_write", false, 1},
    {OP_ABSENT, "store.fs.put_if_absent.after_temp_fsync", false, 1},
    {OP_ABSENT, "store.fs.put_if_absent.after_link", true, 1},
    {OP_ABSENT, "store.fs.put_if_absent.after_dir_fsync", true, 0},
    {OP_MATCH, "store.fs.put_if_match.after_temp_write", false, 1},
    {OP_MATCH, "store.fs.put_if_match.after_temp_fsync", false, 1},
    {OP_MATCH, "store.fs.put_if_match.after_compare", false, 1},
    {OP_MATCH, "store.fs.put_if_match.after_rename", true, 0},
    {OP_MATCH, "store.fs.put_if_match.after_dir_fsync", true, 0},
};
#define NSTEPS (sizeof STEPS / sizeof *STEPS)

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.')) n++;
    closedir(d);
    return n;
}

/* Arranges the old state, then runs the step's op (which dies there). */
static og_status run_op(og_store *s, const step *st)
{
    og_obj_meta m;
    if (st->op == OP_ABSENT) return og_store_put_if_absent(s, KEY, NEW, strlen(NEW), NULL);
    OG_CHECK(og_store_head(s, KEY, &m));
    if (st->op == OP_PUT) return og_store_put(s, KEY, NEW, strlen(NEW), NULL);
    return og_store_put_if_match(s, KEY, m.etag, NEW, strlen(NEW), NULL);
}

/* After a "restart": the key is whole old or whole new as the step says,
 * only the key is listed, and all three write kinds work again. */
static void check_after_restart(const char *root, const step *st)
{
    og_store *s = NULL;
    og_buf b = OG_BUF_INIT;
    og_list l = {0};
    og_obj_meta m;
    OG_CHECK(og_store_fs_open(root, false, &s));
    og_status rc = og_store_get(s, KEY, &b, &m);
    if (st->committed) {
        OG_CHECK(rc);
        assert_int_equal(b.len, strlen(NEW));
        assert_memory_equal(b.data, NEW, b.len);
    } else if (st->op == OP_ABSENT) {
        assert_int_equal(rc, OG_E_NOTFOUND);
    } else {
        OG_CHECK(rc);
        assert_int_equal(b.len, strlen(OLD));
        assert_memory_equal(b.data, OLD, b.len);
    }
    OG_CHECK(og_store_list_all(s, "", &l));
    assert_int_equal(l.len, rc == OG_OK ? 1 : 0);
    if (l.len) assert_string_equal(l.items[0].key, KEY);
    og_list_free(&l);
    /* no lock left behind: a CAS on the key and a plain put go through */
    if (rc == OG_OK) OG_CHECK(og_store_put_if_match(s, KEY, m.etag, "after", 5, NULL));
    else OG_CHECK(og_store_put_if_absent(s, KEY, "after", 5, NULL));
    OG_CHECK(og_store_put(s, KEY, "after2", 6, NULL));
    og_buf_free(&b);
    og_store_close(s);
}

static void test_crash_at_each_fs_write_step_keeps_key_whole(void **state)
{
    for (size_t i = 0; i < NSTEPS; i++) {
        const step *st = &STEPS[i];
        char *dir = og_test_tmpdir("store-crash");
        char root[4096], tmpdir[4200];
        og_store *s = NULL;
        snprintf(root, sizeof root, "%s/root", dir);
        snprintf(tmpdir, sizeof tmpdir, "%s/.og-tmp", root);
        OG_CHECK(og_store_fs_open(root, true, &s));
        if (st->op != OP_ABSENT) OG_CHECK(og_store_put(s, KEY, OLD, strlen(OLD), NULL));
        OG_CHECK(og_failpoint_arm(st->fp, OG_FP_CRASH, 1, false));
        og_status rc = run_op(s, st);
        if (rc != OG_E_CRASHED) fail_msg("%s: expected a crash, got %d", st->fp, rc);
        assert_int_equal(og_failpoint_hits(st->fp), 1);
        og_failpoint_disarm_all();
        og_store_close(s); /* the dead process's handle */
        /* a crash before the temp file is consumed leaves it behind */
        assert_int_equal(count_dir(tmpdir), st->temps);
        check_after_restart(root, st);
        og_test_rmtree(dir);
        free(dir);
    }
}

/* The same through real process deaths (_exit at the step): the kernel,
 * not our code, drops the dead writer's lock. */
static void test_process_death_at_each_fs_write_step_keeps_key_whole(void **state)
{
    for (size_t i = 0; i < NSTEPS; i++) {
        const step *st = &STEPS[i];
        char *dir = og_test_tmpdir("store-death");
        char root[4096];
        og_store *s = NULL;
        snprintf(root, sizeof root, "%s/root", dir);
        OG_CHECK(og_store_fs_open(root, true, &s));
        if (st->op != OP_ABSENT) OG_CHECK(og_store_put(s, KEY, OLD, strlen(OLD), NULL));
        og_store_close(s);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            alarm(20);
            og_store *cs = NULL;
            if (og_store_fs_open(root, false, &cs) != OG_OK) _exit(1);
            if (og_failpoint_arm(st->fp, OG_FP_EXIT, 1, false) != OG_OK) _exit(2);
            run_op(cs, st);
            _exit(3); /* not reached if the failpoint fired */
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) != OG_FP_EXIT_CODE)
            fail_msg("%s: child exited %d", st->fp, WEXITSTATUS(status));
        check_after_restart(root, st);
        og_test_rmtree(dir);
        free(dir);
    }
}

static void test_open_sweeps_only_day_old_temp_files(void **state)
{
    char *dir = og_test_tmpdir("store-sweep");
    char root[4096], old_tmp[4200], new_tmp[4200];
    og_store *s = NULL;
    snprintf(root, sizeof root, "%s/root", dir);
    OG_CHECK(og_store_fs_open(root, true, &s));
    og_store_close(s);
    snprintf(old_tmp, sizeof old_tmp, "%s/.og-tmp/99999.1", root);
    snprintf(new_tmp, sizeof new_tmp, "%s/.og-tmp/99999.2", root);
    FILE *f = fopen(old_tmp, "w");
    assert_non_null(f);
    fclose(f);
    f = fopen(new_tmp, "w");
    assert_non_null(f);
    fclose(f);
    struct timeval tv[2] = {{time(NULL) - 2 * 86400, 0}, {time(NULL) - 2 * 86400, 0}};
    assert_int_equal(utimes(old_tmp, tv), 0);
    OG_CHECK(og_store_fs_open(root, false, &s));
    assert_int_equal(access(old_tmp, F_OK), -1);
    assert_int_equal(access(new_tmp, F_OK), 0);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_at_each_fs_write_step_keeps_key_whole),
        cmocka_unit_test(test_process_death_at_each_fs_write_step_keeps_key_whole),
        cmocka_unit_test(test_open_sweeps_only_day_old_temp_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
