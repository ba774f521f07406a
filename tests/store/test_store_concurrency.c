/* test_store_concurrency.c — conditional writes are true compare-and-swaps:
 * of N racing callers exactly one wins, among threads of one process (fs
 * and mem) and among processes sharing an fs root.
 * Rounds: OG_STORE_STRESS_ROUNDS (default 1000 for threads, a third of it
 * for processes) bounds the run time. The fs races run on tmpfs (/dev/shm)
 * when it exists, so that fsync cost and other disk load do not dominate:
 * what they pin is the atomicity of link/flock/rename, which tmpfs has too
 * (durability is pinned by test_store_crash). OG_STORE_STRESS_DISK=1 runs
 * them under $OG_TEST_TMP instead. */
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"

#define NTHREADS 8
#define NPROCS 4

static unsigned rounds_threads(void)
{
    const char *e = getenv("OG_STORE_STRESS_ROUNDS");
    unsigned n = e ? (unsigned)strtoul(e, NULL, 10) : 0;
    return n ? n : 1000;
}

static unsigned rounds_procs(void)
{
    unsigned n = rounds_threads() / 3;
    return n ? n : 1;
}

enum { RACE_ABSENT, RACE_MATCH };

/* Shared by the racers (threads or processes); results[round][racer]. */
typedef struct race {
    pthread_barrier_t bar;
    int mode;
    unsigned rounds;
    int nracers;
    og_store *s;       /* threads only; processes open their own */
    const char *root;  /* processes only */
    int results[];     /* rounds * nracers status codes */
} race;

typedef struct racer_arg { race *r; int id; og_store *s; } racer_arg;

static void payload(char *buf, size_t cap, unsigned round, int id)
{
    snprintf(buf, cap, "round %u written by racer %d", round, id);
}

static void racer_run(race *r, int id, og_store *s)
{
    char key[64], val[64];
    for (unsigned i = 0; i < r->rounds; i++) {
        snprintf(key, sizeof key, "race/%05u", i);
        payload(val, sizeof val, i, id);
        og_obj_meta m = {0};
        og_status rc = OG_OK;
        if (r->mode == RACE_MATCH) {
            if (id == 0) rc = og_store_put(s, key, "initial", 7, NULL);
            pthread_barrier_wait(&r->bar);          /* key exists */
            if (!rc) rc = og_store_head(s, key, &m);
            pthread_barrier_wait(&r->bar);          /* everyone read the same etag */
            if (!rc) rc = og_store_put_if_match(s, key, m.etag, val, strlen(val), NULL);
        } else {
            pthread_barrier_wait(&r->bar);
            rc = og_store_put_if_absent(s, key, val, strlen(val), NULL);
        }
        r->results[i * (unsigned)r->nracers + (unsigned)id] = rc;
    }
}

static void *thread_main(void *p)
{
    racer_arg *a = p;
    racer_run(a->r, a->id, a->s);
    return NULL;
}

/* Exactly one OK per round, the rest PRECONDITION, and the stored object
 * is the winner's. */
static void check_race(race *r, og_store *s)
{
    og_buf b = OG_BUF_INIT;
    char key[64], want[64];
    for (unsigned i = 0; i < r->rounds; i++) {
        int winner = -1, wins = 0;
        for (int id = 0; id < r->nracers; id++) {
            int rc = r->results[i * (unsigned)r->nracers + (unsigned)id];
            if (rc == OG_OK) { wins++; winner = id; }
            else if (rc != OG_E_PRECONDITION) fail_msg("round %u racer %d: status %d", i, id, rc);
        }
        if (wins != 1) fail_msg("round %u: %d winners", i, wins);
        snprintf(key, sizeof key, "race/%05u", i);
        payload(want, sizeof want, i, winner);
        OG_CHECK(og_store_get(s, key, &b, NULL));
        assert_int_equal(b.len, strlen(want));
        assert_memory_equal(b.data, want, b.len);
    }
    og_buf_free(&b);
}

static race *race_new(int mode, unsigned rounds, int nracers, bool shared)
{
    size_t size = sizeof(race) + sizeof(int) * rounds * (size_t)nracers;
    race *r;
    pthread_barrierattr_t attr;
    if (shared) {
        r = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        assert_true(r != MAP_FAILED);
    } else {
        r = calloc(1, size);
        assert_non_null(r);
    }
    memset(r, 0, size);
    pthread_barrierattr_init(&attr);
    if (shared) pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&r->bar, &attr, (unsigned)nracers);
    pthread_barrierattr_destroy(&attr);
    r->mode = mode;
    r->rounds = rounds;
    r->nracers = nracers;
    for (size_t i = 0; i < rounds * (size_t)nracers; i++) r->results[i] = -1;
    return r;
}

static void race_free(race *r, bool shared)
{
    size_t size = sizeof(race) + sizeof(int) * r->rounds * (size_t)r->nracers;
    pthread_barrier_destroy(&r->bar);
    if (shared) munmap(r, size);
    else free(r);
}

static og_store *open_backend(bool fs, char **dir, char *root, size_t cap)
{
    og_store *s = NULL;
    *dir = NULL;
    if (!fs) {
        OG_CHECK(og_store_mem_open(&s));
        return s;
    }
    const char *disk = getenv("OG_STORE_STRESS_DISK");
    char *saved = NULL;
    if (!(disk && *disk == '1') && access("/dev/shm", W_OK) == 0) {
        const char *cur = getenv("OG_TEST_TMP");
        saved = cur ? strdup(cur) : NULL;
        setenv("OG_TEST_TMP", "/dev/shm", 1);
        *dir = og_test_tmpdir("store-race");
        if (saved) setenv("OG_TEST_TMP", saved, 1);
        else unsetenv("OG_TEST_TMP");
        free(saved);
    } else {
        *dir = og_test_tmpdir("store-race");
    }
    assert_non_null(*dir);
    snprintf(root, cap, "%s/root", *dir);
    OG_CHECK(og_store_fs_open(root, true, &s));
    return s;
}

static void thread_race(bool fs, int mode)
{
    char *dir, root[4096];
    og_store *s = open_backend(fs, &dir, root, sizeof root);
    race *r = race_new(mode, rounds_threads(), NTHREADS, false);
    pthread_t th[NTHREADS];
    racer_arg args[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        args[i] = (racer_arg){r, i, s};
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    check_race(r, s);
    race_free(r, false);
    og_store_close(s);
    if (dir) { og_test_rmtree(dir); free(dir); }
}

static void test_put_if_absent_one_winner_8_threads_fs(void **state) { thread_race(true, RACE_ABSENT); }
static void test_put_if_absent_one_winner_8_threads_mem(void **state) { thread_race(false, RACE_ABSENT); }
static void test_put_if_match_one_winner_8_threads_fs(void **state) { thread_race(true, RACE_MATCH); }
static void test_put_if_match_one_winner_8_threads_mem(void **state) { thread_race(false, RACE_MATCH); }

static void process_race(int mode)
{
    char *dir, root[4096];
    og_store *s = open_backend(true, &dir, root, sizeof root);
    race *r = race_new(mode, rounds_procs(), NPROCS, true);
    pid_t pids[NPROCS];
    for (int i = 0; i < NPROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            og_store *cs = NULL;
            alarm(120); /* a stuck barrier must not hang the suite */
            if (og_store_fs_open(root, false, &cs) != OG_OK) _exit(1);
            racer_run(r, i, cs);
            og_store_close(cs);
            _exit(0);
        }
    }
    for (int i = 0; i < NPROCS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    check_race(r, s);
    race_free(r, true);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

static void test_put_if_absent_one_winner_4_processes_fs(void **state) { process_race(RACE_ABSENT); }
static void test_put_if_match_one_winner_4_processes_fs(void **state) { process_race(RACE_MATCH); }

/* The change sequence is one counter for every handle in every process:
 * 4 processes x 50 puts through their own handles advance the parent's
 * reading by exactly 200 (no increment lost, none invisible). */
static void test_change_seq_shared_by_4_processes_fs(void **state)
{
    (void)state;
    char *dir, root[4096];
    og_store *s = open_backend(true, &dir, root, sizeof root);
    uint64_t before = 0, after = 0;
    OG_CHECK(og_store_change_seq(s, &before));
    pid_t pids[NPROCS];
    for (int i = 0; i < NPROCS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            og_store *cs = NULL;
            og_obj_meta m;
            char key[64];
            alarm(120);
            if (og_store_fs_open(root, false, &cs) != OG_OK) _exit(1);
            for (int k = 0; k < 50; k++) {
                snprintf(key, sizeof key, "seq/%d/%d", i, k);
                if (og_store_put(cs, key, "x", 1, &m) != OG_OK) _exit(2);
            }
            og_store_close(cs);
            _exit(0);
        }
    }
    for (int i = 0; i < NPROCS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    OG_CHECK(og_store_change_seq(s, &after));
    assert_true(after - before == (uint64_t)NPROCS * 50);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

/* Readers never see a partial object while writers replace it. */
typedef struct rw { og_store *s; int stop; int bad; } rw;

static void *reader_main(void *p)
{
    rw *x = p;
    og_buf b = OG_BUF_INIT;
    while (!__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE)) {
        if (og_store_get(x->s, "obj", &b, NULL) != OG_OK) { __atomic_fetch_add(&x->bad, 1, __ATOMIC_RELAXED); continue; }
        /* every version is 4096 copies of one letter */
        if (b.len != 4096) { __atomic_fetch_add(&x->bad, 1, __ATOMIC_RELAXED); continue; }
        for (size_t i = 1; i < b.len; i++) if (b.data[i] != b.data[0]) { __atomic_fetch_add(&x->bad, 1, __ATOMIC_RELAXED); break; }
    }
    og_buf_free(&b);
    return NULL;
}

static void test_readers_see_whole_objects_during_puts_fs(void **state)
{
    char *dir, root[4096];
    og_store *s = open_backend(true, &dir, root, sizeof root);
    char val[4096];
    memset(val, 'a', sizeof val);
    OG_CHECK(og_store_put(s, "obj", val, sizeof val, NULL));
    rw x = {s, 0, 0};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, reader_main, &x);
    for (int i = 0; i < 300; i++) {
        memset(val, 'a' + i % 26, sizeof val);
        OG_CHECK(og_store_put(s, "obj", val, sizeof val, NULL));
    }
    __atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    assert_int_equal(x.bad, 0);
    og_store_close(s);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_if_absent_one_winner_8_threads_fs),
        cmocka_unit_test(test_put_if_absent_one_winner_8_threads_mem),
        cmocka_unit_test(test_put_if_match_one_winner_8_threads_fs),
        cmocka_unit_test(test_put_if_match_one_winner_8_threads_mem),
        cmocka_unit_test(test_put_if_absent_one_winner_4_processes_fs),
        cmocka_unit_test(test_put_if_match_one_winner_4_processes_fs),
        cmocka_unit_test(test_change_seq_shared_by_4_processes_fs),
        cmocka_unit_test(test_readers_see_whole_objects_during_puts_fs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
