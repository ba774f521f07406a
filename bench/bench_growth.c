/* bench_growth.c — storage growth and per-insert cost over a long history,
 * with and without automatic maintenance (issue #10).
 * usage: bench_growth [N=10000] [mem|fs] [every=1000] [tier_rows=0: 16384] [maint-only]
 * One Person upsert per commit through a counting fault store; with
 * maintenance on, each commit is followed by og_graph_maint_due and, when
 * due, og_graph_maintain (threshold 8 fragments, keep 10, no grace: this
 * bench is the only writer). Prints, every `every` commits: store objects
 * and bytes (and how many are lineage records), store operations of the
 * insert itself and amortised with maintenance, and ms per insert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "graph/engine.h"
#include "graph/internal.h"
#include "graph/maint.h"
#include "store/store.h"

#define CHECK(x) do { og_status rc_ = (x); if (rc_) { char m_[1024]; \
    fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, og_error_format(m_, sizeof m_)); exit(1); } } while (0)

static const char *SCHEMA = "node Person {\n  name: String @key\n  age: I32?\n}\n"
                            "node Company {\n  name: String @key\n}\n"
                            "edge Knows: Person -> Person\n";

static void insert_one(og_graph *g, const og_decl *person, int i)
{
    og_graph_txn *x = NULL;
    og_batch b = OG_BATCH_INIT;
    og_column *id = NULL, *name = NULL, *age = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, i32 = {OG_TYPE_I32, OG_TYPE_NONE, 0};
    og_graph_commit_result r;
    char nm[32];
    memset(&r, 0, sizeof r);
    snprintf(nm, sizeof nm, "n%06d", i);
    CHECK(og_batch_add(&b, "id", utf8, &id));
    CHECK(og_batch_add(&b, "name", utf8, &name));
    CHECK(og_batch_add(&b, "age", i32, &age));
    CHECK(og_column_push_str(id, nm));
    CHECK(og_column_push_str(name, nm));
    CHECK(og_column_push_i64(age, i));
    CHECK(og_batch_seal(&b));
    CHECK(og_graph_txn_begin(g, NULL, &x));
    CHECK(og_graph_txn_put(x, person, &b, OG_WRITE_UPSERT));
    CHECK(og_graph_txn_commit(x, &r));
    og_graph_commit_result_clear(&r);
    og_batch_free(&b);
}

static void census(og_store *s, const char *prefix, size_t *n, uint64_t *bytes)
{
    og_list l;
    CHECK(og_store_list_all(s, prefix, &l));
    *n = l.len;
    *bytes = 0;
    for (size_t i = 0; i < l.len; i++) *bytes += l.items[i].size;
    og_list_free(&l);
}

static void run(int n, const char *backend, int every, bool maint, uint64_t tier)
{
    og_store *inner = NULL, *f = NULL, *probe = NULL;
    char dir[] = "/tmp/og-bench-growth-XXXXXX";
    if (!strcmp(backend, "fs")) {
        if (!mkdtemp(dir)) { perror("mkdtemp"); exit(1); }
        CHECK(og_store_fs_open(dir, true, &inner));
        CHECK(og_store_fs_open(dir, false, &probe));
    } else {
        CHECK(og_store_mem_open(&inner));
    }
    CHECK(og_store_fault_open(inner, &f));
    CHECK(og_graph_init(f, SCHEMA, strlen(SCHEMA), false, "bench"));
    og_graph *g = NULL;
    /* the graph owns f; census through f too (its counts are reset per window) */
    CHECK(og_graph_open(f, OG_GRAPH_RW, &g));
    const og_decl *person = og_catalog_find(og_graph_catalog(g), OG_KIND_NODE, "Person");
    og_maint_opts mo = {NULL, 8, 8, 10, 1, -1, tier};
    uint64_t w_ops = 0, w_all = 0, runs = 0;
    double w_ms = 0;
    printf("%s, %s maintenance (tier %llu rows)\n", backend, maint ? "automatic" : "no", (unsigned long long)tier);
    printf("%8s %9s %9s %11s %11s %10s %10s %8s\n", "commit", "objects", "lineage", "bytes", "lineage_b",
           "ops/insert", "ops+maint", "ms/ins");
    for (int i = 1; i <= n; i++) {
        uint64_t t0 = og_store_fault_total(f);
        double m0 = now_ms();
        insert_one(g, person, i);
        uint64_t t1 = og_store_fault_total(f);
        if (maint) {
            bool due = false;
            CHECK(og_graph_maint_due(g, &mo, &due));
            if (due) { CHECK(og_graph_maintain(g, &mo, NULL)); runs++; }
        }
        w_ms += now_ms() - m0;
        w_ops += t1 - t0;
        w_all += og_store_fault_total(f) - t0;
        if (i == 10 || i % every == 0) {
            int w = i == 10 ? 10 : every;
            size_t objs, lin;
            uint64_t bytes, lb;
            uint64_t before = og_store_fault_total(f);
            census(f, "", &objs, &bytes);
            census(f, OG_GRAPH_COMMITS_PREFIX, &lin, &lb);
            og_store_fault_reset_counts(f);
            (void)before;
            printf("%8d %9zu %9zu %11llu %11llu %10.1f %10.1f %8.2f\n", i, objs, lin, (unsigned long long)bytes,
                   (unsigned long long)lb, (double)w_ops / w, (double)w_all / w, w_ms / w);
            fflush(stdout);
            w_ops = w_all = 0;
            w_ms = 0;
        }
    }
    printf("maintenance runs: %llu\n\n", (unsigned long long)runs);
    og_graph_close(g);
    og_store_close(probe);
    if (!strcmp(backend, "fs")) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
    }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    const char *backend = argc > 2 ? argv[2] : "mem";
    int every = argc > 3 ? atoi(argv[3]) : 1000;
    if (n <= 0 || every <= 0) { fprintf(stderr, "usage: bench_growth [N] [mem|fs] [every]\n"); return 2; }
    uint64_t tier = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    run(n, backend, every, true, tier);
    if (argc <= 5) run(n < 2000 ? n : 2000, backend, every < 2000 ? every : 500, false, tier);
    return 0;
}
