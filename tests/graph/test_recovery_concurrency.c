/* test_recovery_concurrency.c — writers on one graph while og_graph_refresh
 * recovers in the same process (design.md §2 item 3): some writes are
 * "crashed" between their table commits and their publish; refresh rolls
 * them forward or back beside live writers. Bounded: 4 writer threads x 12
 * writes. Every outcome is typed (OK, OG_E_CONFLICT, or the injected crash),
 * every acknowledged write is present, every crashed write is whole or
 * absent, and at the end no sidecar or drift is left. */
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>

#include "crash/crash_fixture.h"

#define NTHREADS 4
#define NWRITES 12

typedef struct outcome { og_status rc; char a[32], b[32]; } outcome;

static og_graph *g_g;
static outcome g_out[NTHREADS][NWRITES];
static atomic_int g_done;

static void *writer(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int i = 0; i < NWRITES; i++) {
        outcome *o = &g_out[t][i];
        snprintf(o->a, sizeof o->a, "p%d_%d", t, i);
        snprintf(o->b, sizeof o->b, "q%d_%d", t, i);
        /* retry a conflicting write a few times, as a client would */
        for (int attempt = 0; attempt < 8; attempt++) {
            o->rc = cf_write_pair(g_g, NULL, o->a, o->b, t, NULL);
            og_error_clear();
            if (o->rc != OG_E_CONFLICT) break;
        }
    }
    atomic_fetch_add(&g_done, 1);
    return NULL;
}

static void *refresher(void *arg)
{
    (void)arg;
    int rounds = 0, bad = 0;
    while (atomic_load(&g_done) < NTHREADS) {
        if (rounds % 5 == 0)
            og_failpoint_arm("mutation.post_phase_b_pre_manifest_commit", OG_FP_CRASH, 2, false);
        if (rounds % 7 == 3)
            og_failpoint_arm("mutation.post_table_commit", OG_FP_CRASH, 1, false);
        og_status rc = og_graph_refresh(g_g);
        if (rc != OG_OK && rc != OG_E_CONFLICT) {
            char m[512];
            print_error("refresh: status %d: %s\n", rc, og_error_format(m, sizeof m));
            bad++;
        }
        og_error_clear();
        rounds++;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    og_failpoint_disarm_all();
    return (void *)(intptr_t)bad;
}

static void test_writers_with_concurrent_refresh_stay_consistent(void **state)
{
    (void)state;
    og_store *st = cf_new_graph();
    g_g = cf_open(st, OG_GRAPH_RW);
    atomic_store(&g_done, 0);
    pthread_t th[NTHREADS], rf;
    for (int t = 0; t < NTHREADS; t++) assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t), 0);
    assert_int_equal(pthread_create(&rf, NULL, refresher, NULL), 0);
    for (int t = 0; t < NTHREADS; t++) pthread_join(th[t], NULL);
    void *bad = NULL;
    pthread_join(rf, &bad);
    og_failpoint_disarm_all();
    assert_int_equal((int)(intptr_t)bad, 0);
    OG_CHECK(og_graph_refresh(g_g));
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    char *c = cf_content(g_g, NULL);
    int ok = 0, crashed = 0, conflicts = 0;
    for (int t = 0; t < NTHREADS; t++)
        for (int i = 0; i < NWRITES; i++) {
            outcome *o = &g_out[t][i];
            char ida[64], idb[64], edge[96];
            snprintf(ida, sizeof ida, "\"id\":\"%s\"", o->a);
            snprintf(idb, sizeof idb, "\"id\":\"%s\"", o->b);
            snprintf(edge, sizeof edge, "\"id\":\"%s-%s\"", o->a, o->b);
            bool ha = strstr(c, ida) != NULL, hb = strstr(c, idb) != NULL, he = strstr(c, edge) != NULL;
            if (o->rc == OG_OK) {
                ok++;
                assert_true(ha && hb && he);
            } else if (o->rc == OG_E_CRASHED || o->rc == OG_E_CONFLICT) {
                o->rc == OG_E_CRASHED ? crashed++ : conflicts++;
                assert_true((ha && hb && he) || (!ha && !hb && !he));
            } else {
                print_error("write %d/%d ended with untyped status %d\n", t, i, o->rc);
                fail();
            }
        }
    printf("concurrency: %d acknowledged, %d crashed and recovered, %d gave up on conflicts\n", ok, crashed,
           conflicts);
    assert_true(ok > 0);
    OG_CHECK(cf_write_pair(g_g, NULL, "last", "one", 1, NULL));
    free(c);
    og_graph_close(g_g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writers_with_concurrent_refresh_stay_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
