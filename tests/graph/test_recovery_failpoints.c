/* test_recovery_failpoints.c — every failpoint catalogued in
 * docs/failpoints.md is reached by the writers and recovery paths: each
 * is armed in turn (error at its first hit) while a scenario runs every
 * writer kind, a roll-forward, a roll-back, a migration and a repair; a catalogued
 * name never hit fails the test (a stale or misspelt catalog entry). */
#include "testutil.h"

#include "crash/crash_fixture.h"
#include "graph/internal.h"
#include "graph/repair.h"
#include "graph/maint.h"
#include "graph/merge.h"
#include "graph/schema_plan.h"

static char *catalog_path(void)
{
    /* __FILE__ is tests/graph/<this>.c under the source root. */
    char *p = strdup(__FILE__);
    for (int i = 0; i < 3; i++) {
        char *s = strrchr(p, '/');
        if (s) *s = '\0';
    }
    char *out = NULL;
    if (asprintf(&out, "%s/docs/failpoints.md", p) < 0) out = NULL;
    free(p);
    return out;
}

/* Names in the catalog's tables: lines "| `name` | ...". */
static size_t catalog(char names[][96], size_t cap)
{
    char *path = catalog_path();
    FILE *f = fopen(path, "r");
    if (!f) { print_error("cannot open %s\n", path); fail(); }
    char line[1024];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "| `", 3) != 0) continue;
        char *e = strchr(line + 3, '`');
        if (!e || (size_t)(e - line - 3) >= 96 || n == cap) continue;
        memcpy(names[n], line + 3, (size_t)(e - line - 3));
        names[n][e - line - 3] = '\0';
        n++;
    }
    fclose(f);
    free(path);
    return n;
}

/* Rewrites main's head version object with internal_schema_version 1. */
static void set_stamp_1(og_store *st)
{
    og_graph_snapshot s;
    og_buf key = OG_BUF_INIT, b = OG_BUF_INIT;
    if (og_graph_open_head(st, NULL, &s)) return;
    OG_CHECK(og_graph_key_version(&key, s.branch_uid, s.version));
    OG_CHECK(og_store_get(st, og_buf_cstr(&key), &b, NULL));
    char pat[64];
    snprintf(pat, sizeof pat, "\"internal_schema_version\":%d", OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    char *p = strstr(b.data, pat);
    assert_non_null(p);
    p[strlen(pat) - 1] = '1';
    OG_CHECK(og_store_put(st, og_buf_cstr(&key), b.data, b.len, NULL));
    og_buf_free(&key);
    og_buf_free(&b);
    og_graph_snapshot_free(&s);
}

/* A write of a Company: moves main's head without touching Person. */
static void company(og_graph *g)
{
    og_graph_txn *x = NULL;
    og_batch b = OG_BATCH_INIT;
    og_column *id = NULL, *nm = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    OG_CHECK(og_batch_add(&b, "id", utf8, &id));
    OG_CHECK(og_batch_add(&b, "name", utf8, &nm));
    OG_CHECK(og_column_push_str(id, "Acme"));
    OG_CHECK(og_column_push_str(nm, "Acme"));
    OG_CHECK(og_batch_seal(&b));
    if (og_graph_txn_begin(g, NULL, &x) == OG_OK) {
        if (og_graph_txn_put(x, cf_type(g, OG_KIND_NODE, "Company"), &b, OG_WRITE_UPSERT)) og_graph_txn_abort(x);
        else (void)og_graph_txn_commit(x, &r);
    }
    og_graph_commit_result_clear(&r);
    og_batch_free(&b);
}

/* Runs everything; individual steps may fail (the armed point fires). */
static void scenario(void)
{
    og_store *st = NULL;
    og_graph *g = NULL;
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    OG_CHECK(og_store_mem_open(&st));
    if (og_graph_init(st, CF_SCHEMA, strlen(CF_SCHEMA), false, NULL)) goto done;
    set_stamp_1(st);                                 /* migration on open */
    if (og_graph_open(cf_share(st), OG_GRAPH_RW, &g)) goto done;
    (void)cf_write_pair(g, NULL, "Ann", "Bob", 1, NULL); /* mutation phases */
    const char *text = "{\"type\": \"Person\", \"data\": {\"name\": \"Zed\", \"age\": 3}}\n";
    og_graph_load_opts lo = {NULL, NULL, OG_LOAD_MERGE, NULL};
    og_graph_load_result lr;
    memset(&lr, 0, sizeof lr);
    (void)og_graph_load(g, &lo, text, strlen(text), &lr); /* load phases */
    og_graph_load_result_clear(&lr);
    /* merge phases: feature moved Person and Knows, main moved them too */
    if (og_graph_branch_create(og_graph_store(g), "mfeat", NULL, 0, NULL) == OG_OK) {
        (void)cf_write_pair(g, "mfeat", "Mia", "Max", 7, NULL);
        (void)cf_write_pair(g, NULL, "Ned", "Ola", 8, NULL);
        og_graph_merge_opts mo = {"mfeat", NULL, "merger"};
        og_graph_merge_result mr;
        (void)og_graph_branch_merge(g, &mo, &mr);
        og_graph_merge_result_clear(&mr);
        /* schema apply (below) needs a graph with only main */
        (void)og_graph_branch_delete(og_graph_store(g), "mfeat", 0);
    }
    /* roll forward through refresh */
    og_failpoint_arm("graph.txn.after_table_commits", OG_FP_CRASH, 1, false);
    (void)cf_write_pair(g, NULL, "Cid", "Dan", 1, NULL);
    og_failpoint_disarm("graph.txn.after_table_commits");
    (void)og_graph_refresh(g);
    /* roll back: the publish of a write fails after its table commits
     * (its expected head moved), so it undoes itself */
    og_graph_view *v = NULL;
    if (og_graph_view_open(g, NULL, NULL, &v) == OG_OK) {
        char head[OG_ULID_LEN + 1];
        memcpy(head, og_graph_view_snapshot(v)->head.id, sizeof head);
        og_graph_view_close(v);
        og_graph_txn *x = NULL;
        og_graph_txn_opts o = {NULL, NULL, head};
        if (og_graph_txn_begin(g, &o, &x) == OG_OK) {
            og_batch b = OG_BATCH_INIT;
            const char *names[] = {"Eve"};
            int ages[] = {2};
            cf_people(&b, names, ages, 1);
            (void)og_graph_txn_put(x, cf_type(g, OG_KIND_NODE, "Person"), &b, OG_WRITE_UPSERT);
            og_batch_free(&b);
            company(g);
            (void)og_graph_txn_commit(x, &r);
            og_graph_commit_result_clear(&r);
        }
    }
    /* repair: maintenance drift (a compaction behind the manifest) */
    og_graph_snapshot hs;
    if (og_graph_open_head(st, NULL, &hs) == OG_OK) {
        const og_graph_pin *pp = og_graph_snapshot_pin(&hs, "node:Person");
        og_table *t = NULL;
        og_txn *tx = NULL;
        og_compact_opts co = {0};
        og_commit_opts cm = {false, 0};
        if (pp && og_table_open(st, pp->path, &t) == OG_OK && og_table_stage_compact(t, &co, &tx) == OG_OK && tx)
            (void)og_txn_commit(tx, &cm, NULL, NULL);
        og_txn_free(tx);
        og_table_close(t);
        og_graph_snapshot_free(&hs);
        og_repair_result rr;
        if (og_graph_repair(st, true, false, &rr) == OG_OK) og_repair_result_free(&rr);
    }
    /* maintenance: optimize (Person has several fragments by now), cleanup */
    og_error_clear();
    og_optimize_opts oo = {NULL, NULL, 2, 0, 0};
    og_optimize_result orr;
    (void)og_graph_optimize(g, &oo, &orr);
    og_optimize_result_clear(&orr);
    og_cleanup_policy cp;
    memset(&cp, 0, sizeof cp);
    cp.keep = 1;
    cp.allow_pending = true;
    og_cleanup_result cr;
    (void)og_graph_cleanup(g, &cp, &cr);
    og_cleanup_result_clear(&cr);
    /* schema apply: a property added to Person (a table rewrite) */
    og_error_clear();
    static const char *V2 = "node Person {\n  name: String @key\n  age: I32?\n  nick: String?\n}\n"
                            "node Company {\n  name: String @key\n}\n"
                            "edge Knows: Person -> Person\n";
    og_graph_schema_apply_opts so = {false, NULL};
    og_graph_schema_apply_result sr;
    (void)og_graph_schema_apply(g, V2, strlen(V2), &so, &sr);
    og_graph_schema_apply_result_clear(&sr);
done:
    og_error_clear();
    og_graph_close(g);
    og_store_close(st);
}

static void test_every_catalogued_failpoint_is_hit(void **state)
{
    (void)state;
    static char names[128][96];
    size_t n = catalog(names, 128);
    size_t missed = 0;
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        OG_CHECK(og_failpoint_arm(names[i], OG_FP_ERROR, 1, false));
        scenario();
        unsigned hits = og_failpoint_hits(names[i]);
        og_failpoint_disarm_all();
        if (hits == 0) { print_error("catalogued failpoint `%s` is never hit\n", names[i]); missed++; }
    }
    printf("%zu catalogued failpoints, all hit\n", n - missed);
    assert_int_equal(missed, 0);
}

static void test_scenario_is_clean_without_failpoints(void **state)
{
    (void)state;
    scenario(); /* leaks or crashes would show under the sanitizers */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_is_clean_without_failpoints),
        cmocka_unit_test(test_every_catalogued_failpoint_is_hit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
