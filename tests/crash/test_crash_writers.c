/* test_crash_writers.c — every graph writer crashed at every durable store
 * write step (write-path.md §6, §9).
 * For each writer: a clean run through a recording store yields the
 * sequence of store operations and the "after" content; then for every
 * write operation i the writer is re-run on a fresh copy of the seeded
 * graph with the fault store crashing at i (the write is dropped whole and
 * everything after fails), the graph is reopened read-write and we check:
 * it opens; every pin equals its table's head; no sidecar is left; the
 * acknowledged seed commit is present; the interrupted write is wholly
 * there or wholly absent; the next write succeeds. For the graph writers
 * (which leave sidecars) the recovering open is itself crashed at each of
 * its write steps before a clean open re-enters it, with the same checks.
 * Crash points per writer are printed. */
#include "testutil.h"

#include "crash/crash_fixture.h"

/* ---- a recording store: op kinds in call order ---- */

typedef struct rec { og_store base; og_store *inner; og_buf kinds; } rec;
#define RI(s) (((rec *)(s)->impl)->inner)
static void rk(og_store *s, og_store_op k) { (void)og_buf_append_byte(&((rec *)s->impl)->kinds, (uint8_t)k); }
static og_status r_get(og_store *s, const char *k, og_buf *o, og_obj_meta *m) { rk(s, OG_OP_GET); return og_store_get(RI(s), k, o, m); }
static og_status r_get_range(og_store *s, const char *k, uint64_t off, uint64_t n, og_buf *o) { rk(s, OG_OP_GET_RANGE); return og_store_get_range(RI(s), k, off, n, o); }
static og_status r_head(og_store *s, const char *k, og_obj_meta *m) { rk(s, OG_OP_HEAD); return og_store_head(RI(s), k, m); }
static og_status r_put(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { rk(s, OG_OP_PUT); return og_store_put(RI(s), k, p, n, m); }
static og_status r_pia(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { rk(s, OG_OP_PUT_IF_ABSENT); return og_store_put_if_absent(RI(s), k, p, n, m); }
static og_status r_pim(og_store *s, const char *k, const char *e, const void *p, size_t n, og_obj_meta *m) { rk(s, OG_OP_PUT_IF_MATCH); return og_store_put_if_match(RI(s), k, e, p, n, m); }
static og_status r_list(og_store *s, const char *pf, const char *sa, size_t mk, og_list *o) { rk(s, OG_OP_LIST); return og_store_list(RI(s), pf, sa, mk, o); }
static og_status r_del(og_store *s, const char *k) { rk(s, OG_OP_DELETE); return og_store_delete(RI(s), k); }
static og_status r_delp(og_store *s, const char *k) { rk(s, OG_OP_DELETE_PREFIX); return og_store_delete_prefix(RI(s), k); }
static void r_close(og_store *s) { og_store_close(RI(s)); og_buf_free(&((rec *)s->impl)->kinds); free(s->impl); }
static const og_store_ops REC_OPS = {"rec", r_get, r_get_range, r_head, r_put, r_pia, r_pim, r_list, r_del, r_delp, r_close, NULL};

static bool is_write(og_store_op k)
{
    return k == OG_OP_PUT || k == OG_OP_PUT_IF_ABSENT || k == OG_OP_PUT_IF_MATCH || k == OG_OP_DELETE ||
           k == OG_OP_DELETE_PREFIX;
}

/* A deep copy of a mem store. */
static og_store *clone_store(og_store *src)
{
    og_store *dst = NULL;
    og_list l;
    og_buf b = OG_BUF_INIT;
    OG_CHECK(og_store_mem_open(&dst));
    OG_CHECK(og_store_list_all(src, "", &l));
    for (size_t i = 0; i < l.len; i++) {
        OG_CHECK(og_store_get(src, l.items[i].key, &b, NULL));
        OG_CHECK(og_store_put(dst, l.items[i].key, b.data, b.len, NULL));
    }
    og_list_free(&l);
    og_buf_free(&b);
    return dst;
}

/* ---- writers ---- */

typedef struct writer {
    const char *name;
    og_status (*run)(og_graph *g);
    bool branch_op; /* content is checked through the branch state instead */
} writer;

static og_status w_insert(og_graph *g) { return cf_write_pair(g, NULL, "Cid", "Dan", 40, NULL); }
static og_status w_update(og_graph *g) { return cf_write_pair(g, NULL, "Ann", "Bob", 99, NULL); }
static og_status w_delete(og_graph *g) { return cf_delete_pair(g, "Ann", "Ann-Bob"); }
static og_status w_branch_insert(og_graph *g) { return cf_write_pair(g, "feat", "Cid", "Dan", 40, NULL); }

static og_status load(og_graph *g, og_load_mode mode, const char *text)
{
    og_graph_load_opts o = {NULL, NULL, mode, "loader"};
    og_graph_load_result r;
    memset(&r, 0, sizeof r);
    og_status rc = og_graph_load(g, &o, text, strlen(text), &r);
    og_graph_load_result_clear(&r);
    return rc;
}
static const char *LOAD_NEW =
    "{\"type\": \"Person\", \"data\": {\"name\": \"Cid\", \"age\": 4}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Dan\", \"age\": 5}}\n"
    "{\"edge\": \"Knows\", \"from\": \"Cid\", \"to\": \"Dan\"}\n";
static const char *LOAD_MERGE =
    "{\"type\": \"Person\", \"data\": {\"name\": \"Ann\", \"age\": 77}}\n"
    "{\"type\": \"Person\", \"data\": {\"name\": \"Cid\", \"age\": 4}}\n"
    "{\"edge\": \"Knows\", \"from\": \"Cid\", \"to\": \"Ann\"}\n";
static og_status w_load_append(og_graph *g) { return load(g, OG_LOAD_APPEND, LOAD_NEW); }
static og_status w_load_merge(og_graph *g) { return load(g, OG_LOAD_MERGE, LOAD_MERGE); }
static og_status w_load_overwrite(og_graph *g) { return load(g, OG_LOAD_OVERWRITE, LOAD_NEW); }
static og_status w_branch_create(og_graph *g) { return og_graph_branch_create(og_graph_store(g), "nb", NULL, 0, NULL); }
static og_status w_branch_delete(og_graph *g) { return og_graph_branch_delete(og_graph_store(g), "feat", 0); }

static const writer WRITERS[] = {
    {"mutation_insert", w_insert, false},
    {"mutation_update", w_update, false},
    {"mutation_delete", w_delete, false},
    {"mutation_branch_first_touch", w_branch_insert, false},
    {"load_append", w_load_append, false},
    {"load_merge", w_load_merge, false},
    {"load_overwrite", w_load_overwrite, false},
    {"branch_create", w_branch_create, true},
    {"branch_delete", w_branch_delete, true},
};

/* The seeded graph every run starts from: Ann-Bob on main, branch feat. */
static og_store *g_template;
static char g_seed_commit[OG_ULID_LEN + 1];

static int setup(void **state)
{
    (void)state;
    og_graph_commit_result r;
    memset(&r, 0, sizeof r);
    g_template = cf_new_graph();
    og_graph *g = cf_open(g_template, OG_GRAPH_RW);
    OG_CHECK(cf_write_pair(g, NULL, "Ann", "Bob", 30, &r));
    memcpy(g_seed_commit, r.commit_id, sizeof g_seed_commit);
    OG_CHECK(og_graph_branch_create(og_graph_store(g), "feat", NULL, 0, NULL));
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    og_store_close(g_template);
    return 0;
}

static bool branch_exists(og_store *st, const char *name)
{
    og_graph_ref ref;
    memset(&ref, 0, sizeof ref);
    og_status rc = og_graph_ref_read(st, name, &ref);
    og_graph_ref_clear(&ref);
    if (rc) og_error_clear();
    return rc == OG_OK;
}

/* Edge ids minted by the loader differ per run: blank ULID ids. */
static char *normalize(char *c)
{
    for (char *p = c; (p = strstr(p, "\"id\":\"")) != NULL;) {
        p += 6;
        if (strlen(p) > OG_ULID_LEN && p[OG_ULID_LEN] == '"') {
            char save = p[OG_ULID_LEN];
            p[OG_ULID_LEN] = '\0';
            bool u = og_ulid_valid(p);
            p[OG_ULID_LEN] = save;
            if (u) memset(p, '*', OG_ULID_LEN);
        }
    }
    return c;
}

/* The state a writer's effect is judged by. */
static char *state_of(og_graph *g, const writer *w)
{
    if (!w->branch_op) {
        if (w->run == w_branch_insert) return cf_content(g, "feat");
        return normalize(cf_content(g, NULL));
    }
    og_store *st = og_graph_store(g);
    return strdup(w->run == w_branch_create ? (branch_exists(st, "nb") ? "nb" : "-")
                                            : (branch_exists(st, "feat") ? "feat" : "-"));
}

/* After recovery: the checks of the file comment. */
static void check_recovered(og_store *st, const writer *w, const char *before, const char *after, unsigned step)
{
    og_graph *g = NULL;
    og_status rc = og_graph_open(cf_share(st), OG_GRAPH_RW, &g);
    if (rc) og_test_fail_status("reopen after crash", rc, w->name, (int)step);
    assert_int_equal(cf_sidecars(st), 0);
    assert_int_equal(cf_drift(st, NULL), 0);
    if (branch_exists(st, "feat")) assert_int_equal(cf_drift(st, "feat"), 0);
    assert_true(cf_commit_exists(st, g_seed_commit));
    char *now = state_of(g, w);
    if (strcmp(now, before) != 0 && strcmp(now, after) != 0) {
        print_error("%s crashed at write step %u: state is neither before nor after:\n%s\n", w->name, step, now);
        fail();
    }
    /* The next write succeeds. */
    if (!w->branch_op) {
        OG_CHECK(cf_write_pair(g, NULL, "Nx", "Ny", 1, NULL));
        OG_CHECK(cf_write_pair(g, "feat", "Nx", "Ny", 1, NULL));
    } else if (w->run == w_branch_create) {
        if (branch_exists(st, "nb")) OG_CHECK(cf_write_pair(g, "nb", "Nx", "Ny", 1, NULL));
        else OG_CHECK(og_graph_branch_create(st, "nb", NULL, 0, NULL));
    } else {
        if (branch_exists(st, "feat")) OG_CHECK(og_graph_branch_delete(st, "feat", 0));
        else OG_CHECK(og_graph_branch_create(st, "feat", NULL, 0, NULL));
    }
    free(now);
    og_graph_close(g);
}

/* Operation kinds of running fn on (a recorder over) a copy of src. */
static og_buf record_open(og_store *src)
{
    og_store *st = clone_store(src);
    rec *r = calloc(1, sizeof *r);
    og_graph *g = NULL;
    r->inner = cf_share(st);
    r->base.ops = &REC_OPS;
    r->base.impl = r;
    og_buf_clear(&r->kinds);
    OG_CHECK(og_graph_open(&r->base, OG_GRAPH_RW, &g));
    og_buf kinds = OG_BUF_INIT;
    OG_CHECK(og_buf_set(&kinds, r->kinds.data, r->kinds.len));
    og_graph_close(g);
    og_store_close(st);
    return kinds;
}

static unsigned g_recovery_steps;

/* The recovery of a crashed state, itself crashed at each of its write
 * steps, then re-entered by a clean open. */
static void crash_recovery_every_write_step(og_store *crashed, const writer *w, const char *before,
                                            const char *after, unsigned step)
{
    og_buf kinds = record_open(crashed);
    for (size_t j = 0; j < kinds.len; j++) {
        if (!is_write((og_store_op)(uint8_t)kinds.data[j])) continue;
        og_store *st = clone_store(crashed), *f = NULL;
        og_graph *g = NULL;
        OG_CHECK(og_store_fault_open(cf_share(st), &f));
        og_store_fault_crash_at(f, (unsigned)j + 1);
        assert_int_equal(og_graph_open(f, OG_GRAPH_RW, &g), OG_E_CRASHED);
        og_error_clear();
        g_recovery_steps++;
        check_recovered(st, w, before, after, step);
        og_store_close(st);
    }
    og_buf_free(&kinds);
}

static void crash_every_write_step(const writer *w)
{
    /* Clean run through the recorder. */
    og_store *st = clone_store(g_template);
    rec *r = calloc(1, sizeof *r);
    r->inner = cf_share(st);
    r->base.ops = &REC_OPS;
    r->base.impl = r;
    og_graph *g = NULL;
    OG_CHECK(og_graph_open(&r->base, OG_GRAPH_RW, &g));
    char *before = state_of(g, w);
    og_buf_clear(&r->kinds);
    OG_CHECK(w->run(g));
    og_buf kinds = OG_BUF_INIT;
    OG_CHECK(og_buf_set(&kinds, r->kinds.data, r->kinds.len));
    og_graph_close(g);
    g = cf_open(st, OG_GRAPH_RW);
    char *after = state_of(g, w);
    og_graph_close(g);
    og_store_close(st);
    assert_string_not_equal(before, after);

    unsigned steps = 0;
    g_recovery_steps = 0;
    for (size_t i = 0; i < kinds.len; i++) {
        if (!is_write((og_store_op)(uint8_t)kinds.data[i])) continue;
        steps++;
        st = clone_store(g_template);
        og_store *f = NULL;
        OG_CHECK(og_store_fault_open(cf_share(st), &f));
        OG_CHECK(og_graph_open(f, OG_GRAPH_RW, &g));
        og_store_fault_reset_counts(f);
        og_store_fault_crash_at(f, (unsigned)i + 1);
        og_status rc = w->run(g);
        bool crashed = og_store_fault_crashed(f);
        if (!crashed) {
            print_error("%s: no crash at op %zu (rc %d): the writer is not deterministic\n", w->name, i + 1, rc);
            fail();
        }
        og_error_clear();
        og_graph_close(g);
        if (!w->branch_op) crash_recovery_every_write_step(st, w, before, after, steps);
        check_recovered(st, w, before, after, steps);
        og_store_close(st);
    }
    printf("crash points: %-28s %3u write steps (of %zu store ops); recovery crashed at %u more\n",
           w->name, steps, kinds.len, g_recovery_steps);
    assert_true(steps > 0);
    og_buf_free(&kinds);
    free(before);
    free(after);
}

#define WRITER_TEST(idx, fn) static void fn(void **state) { (void)state; crash_every_write_step(&WRITERS[idx]); }
WRITER_TEST(0, test_crash_mutation_insert_every_write_step)
WRITER_TEST(1, test_crash_mutation_update_every_write_step)
WRITER_TEST(2, test_crash_mutation_delete_every_write_step)
WRITER_TEST(3, test_crash_mutation_branch_first_touch_every_write_step)
WRITER_TEST(4, test_crash_load_append_every_write_step)
WRITER_TEST(5, test_crash_load_merge_every_write_step)
WRITER_TEST(6, test_crash_load_overwrite_every_write_step)
WRITER_TEST(7, test_crash_branch_create_every_write_step)
WRITER_TEST(8, test_crash_branch_delete_every_write_step)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_mutation_insert_every_write_step),
        cmocka_unit_test(test_crash_mutation_update_every_write_step),
        cmocka_unit_test(test_crash_mutation_delete_every_write_step),
        cmocka_unit_test(test_crash_mutation_branch_first_touch_every_write_step),
        cmocka_unit_test(test_crash_load_append_every_write_step),
        cmocka_unit_test(test_crash_load_merge_every_write_step),
        cmocka_unit_test(test_crash_load_overwrite_every_write_step),
        cmocka_unit_test(test_crash_branch_create_every_write_step),
        cmocka_unit_test(test_crash_branch_delete_every_write_step),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
