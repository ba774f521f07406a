/* test_engine_procs.c — many writer processes on one graph (the graph
 * engine issue's stress case): 16 processes × 200 single-entity writes
 * spread over 4 node tables on the fs store. Every acknowledged write must
 * be present afterwards, and every failure must be a typed conflict (or a
 * key conflict), never a generic error. Runs on tmpfs when present: what it
 * checks is the CAS protocol, not the disk (the crash tests cover that).
 * OG_ENGINE_PROCS / OG_ENGINE_WRITES override the counts. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/json.h"
#include "graph/engine.h"
#include "store/store.h"

static const char *SCHEMA =
    "node A {\n  name: String @key\n}\n"
    "node B {\n  name: String @key\n}\n"
    "node C {\n  name: String @key\n}\n"
    "node D {\n  name: String @key\n}\n";
static const char *TYPES[4] = {"A", "B", "C", "D"};

static int env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : dflt;
}

static og_status put_one(og_graph *g, const char *type, const char *name)
{
    const og_decl *t = og_catalog_find_node(og_graph_catalog(g), type);
    og_graph_txn *x = NULL;
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    og_status rc = og_graph_txn_begin(g, NULL, &x);
    if (rc) return rc;
    og_batch b = OG_BATCH_INIT;
    og_column *id = NULL, *nm = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
    og_batch_add(&b, "id", utf8, &id);
    og_batch_add(&b, "name", utf8, &nm);
    og_column_push_str(id, name);
    og_column_push_str(nm, name);
    og_batch_seal(&b);
    rc = og_graph_txn_put(x, t, &b, OG_WRITE_STRICT_INSERT);
    og_batch_free(&b);
    if (rc) { og_graph_txn_abort(x); return rc; }
    rc = og_graph_txn_commit(x, &r);
    og_graph_commit_result_clear(&r);
    return rc;
}

/* Child: writes, logging "OK <type> <name>" or "ERR <code>" lines. */
static int child(const char *root, int proc, int writes, const char *log)
{
    FILE *f = fopen(log, "w");
    og_store *st = NULL;
    og_graph *g = NULL;
    if (!f) return 2;
    if (og_store_fs_open(root, false, &st) || og_graph_open(st, OG_GRAPH_RW, &g)) {
        char m[512];
        fprintf(f, "OPENFAIL %s\n", og_error_format(m, sizeof m));
        fclose(f);
        return 3;
    }
    for (int i = 0; i < writes; i++) {
        char name[64];
        const char *type = TYPES[(proc + i) % 4];
        snprintf(name, sizeof name, "p%02d-%04d", proc, i);
        og_status rc = put_one(g, type, name);
        if (rc == OG_OK) fprintf(f, "OK %s %s\n", type, name);
        else fprintf(f, "ERR %d\n", rc);
        fflush(f);
    }
    og_graph_close(g);
    fclose(f);
    return 0;
}

static int count_present(og_graph *g, const char *type, const char *name)
{
    og_graph_view *v = NULL;
    og_table *t = NULL;
    og_batch out = OG_BATCH_INIT;
    int n = -1;
    const og_decl *d = og_catalog_find_node(og_graph_catalog(g), type);
    if (og_graph_view_open(g, NULL, NULL, &v) || og_graph_view_table(v, d, &t)) goto done;
    og_pred p = {"id", OG_CMP_EQ, og_val_str(name), NULL, 0};
    og_scan_opts so = {NULL, 0, &p, 1, 0};
    if (og_table_scan(t, &so, &out) == OG_OK) n = (int)out.nrows;
done:
    og_batch_free(&out);
    og_graph_view_close(v);
    return n;
}

static void test_16_processes_every_acknowledged_write_present(void **state)
{
    (void)state;
    int procs = env_int("OG_ENGINE_PROCS", 16), writes = env_int("OG_ENGINE_WRITES", 200);
    struct stat sb;
    char *dir = NULL;
    if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode)) {
        dir = strdup("/dev/shm/og-engine-procs-XXXXXX");
        if (!mkdtemp(dir)) { free(dir); dir = NULL; }
    }
    if (!dir) dir = og_test_tmpdir("engine-procs");
    assert_non_null(dir);
    char root[1024];
    snprintf(root, sizeof root, "%s/g", dir);
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(root, true, &st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, "test"));
    og_store_close(st);

    pid_t *pids = calloc((size_t)procs, sizeof *pids);
    assert_non_null(pids);
    for (int p = 0; p < procs; p++) {
        char log[1100];
        snprintf(log, sizeof log, "%s/log-%d", dir, p);
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0) _exit(child(root, p, writes, log));
    }
    for (int p = 0; p < procs; p++) {
        int status = 0;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }

    og_graph *g = NULL;
    OG_CHECK(og_store_fs_open(root, false, &st));
    OG_CHECK(og_graph_open(st, OG_GRAPH_RW, &g));
    int acked = 0, conflicts = 0;
    for (int p = 0; p < procs; p++) {
        char log[1100], line[256];
        snprintf(log, sizeof log, "%s/log-%d", dir, p);
        FILE *f = fopen(log, "r");
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
            char type[8], name[64];
            int code = 0;
            if (sscanf(line, "OK %7s %63s", type, name) == 2) {
                acked++;
                if (count_present(g, type, name) != 1)
                    fail_msg("acknowledged write %s %s is missing", type, name);
            } else if (sscanf(line, "ERR %d", &code) == 1) {
                conflicts++;
                if (code != OG_E_CONFLICT && code != OG_E_PRECONDITION)
                    fail_msg("process %d: untyped failure %d (%s)", p, code, og_code_name((og_code)code));
            } else {
                fail_msg("process %d: unexpected log line: %s", p, line);
            }
        }
        fclose(f);
    }
    fprintf(stderr, "  %d processes x %d writes: %d acknowledged, %d conflicts\n",
            procs, writes, acked, conflicts);
    assert_int_equal(acked + conflicts, procs * writes);
    assert_true(acked > 0);
    og_graph_close(g);
    free(pids);
    og_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_16_processes_every_acknowledged_write_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
