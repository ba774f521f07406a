/* test_branch.c — branch name rules, create/list/delete, one-winner create,
 * commit list across a fork, commit show, snapshots of deleted branches. */
#include "testutil.h"
#include "graph_fixture.h"

#include <pthread.h>

static void test_branch_name_rules(void **state)
{
    char *n = NULL;
    OG_CHECK(og_graph_branch_name_check("  feat  ", &n));
    assert_string_equal(n, "feat");
    free(n);
    OG_CHECK(og_graph_branch_name_check("review/2026-07", &n));
    assert_string_equal(n, "review/2026-07");
    free(n);
    const char *bad[] = {"", "   ", "a//b", "/a", "a/", ".x", "a/..", "a/.og-x", "a b", "a\\b",
                         "tab\there"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = NULL;
        assert_int_equal(og_graph_branch_name_check(bad[i], &n), OG_E_INVALID);
        assert_null(n);
    }
    char longname[OG_GRAPH_BRANCH_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(og_graph_branch_name_check(longname, &n), OG_E_INVALID);
}

static void assert_names(og_store *st, unsigned flags, const char *const *want, size_t n)
{
    og_graph_branch_list l;
    OG_CHECK(og_graph_branch_list_all(st, flags, &l));
    assert_int_equal(l.len, n);
    for (size_t i = 0; i < n; i++) assert_string_equal(l.names[i], want[i]);
    og_graph_branch_list_free(&l);
}

static void create_list_delete(og_store *st)
{
    og_graph_snapshot g, b, s;
    og_graph_ref r;
    OG_CHECK(fx_genesis(st, 2, &g));
    OG_CHECK(og_graph_branch_create(st, " feat ", NULL, 0, &r));
    assert_string_equal(r.name, "feat");
    assert_string_equal(r.from_branch, "main");
    assert_string_equal(r.from_uid, g.branch_uid);
    assert_string_equal(r.from_commit, g.head.id);
    assert_int_equal(r.from_version, 1);
    const char *w1[] = {"feat", "main"};
    assert_names(st, 0, w1, 2);

    /* The fresh branch: source pins, inherited head, version 1 of its own chain. */
    OG_CHECK(og_graph_open_head(st, "feat", &b));
    assert_string_equal(b.branch, "feat");
    assert_string_equal(b.branch_uid, r.uid);
    assert_int_equal(b.version, 1);
    assert_string_equal(b.head.id, g.head.id);
    assert_false(og_graph_snapshot_owns_head(&b));
    assert_int_equal(b.npins, 2);
    og_graph_snapshot_free(&b);

    /* A write on the branch does not move main. */
    OG_CHECK(fx_publish(st, "feat", 0, 1, 2, "alice", NULL, &b));
    assert_int_equal(b.version, 2);
    assert_string_equal(b.head.parent, g.head.id);
    assert_string_equal(b.head.branch, "feat");
    OG_CHECK(og_graph_open_head(st, NULL, &s));
    assert_int_equal(s.version, 1);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 1);
    og_graph_snapshot_free(&s);

    /* Errors. */
    assert_int_equal(og_graph_branch_create(st, "feat", NULL, 0, NULL), OG_E_EXISTS);
    assert_int_equal(og_graph_branch_create(st, "main", NULL, 0, NULL), OG_E_INVALID);
    assert_int_equal(og_graph_branch_create(st, "x", "nope", 0, NULL), OG_E_NOTFOUND);
    assert_int_equal(og_graph_branch_delete(st, "main", 0), OG_E_INVALID);
    assert_int_equal(og_graph_branch_delete(st, "nope", 0), OG_E_NOTFOUND);

    /* Delete; the branch's commits stop resolving, the name is reusable
     * with a new chain. */
    OG_CHECK(og_graph_branch_delete(st, "feat", 0));
    const char *w2[] = {"main"};
    assert_names(st, 0, w2, 1);
    assert_int_equal(og_graph_open_head(st, "feat", &s), OG_E_NOTFOUND);
    assert_int_equal(og_graph_open_commit(st, b.head.id, &s), OG_E_NOTFOUND);
    og_graph_ref r2;
    OG_CHECK(og_graph_branch_create(st, "feat", NULL, 0, &r2));
    assert_string_not_equal(r2.uid, r.uid);
    assert_int_equal(og_graph_open_commit(st, b.head.id, &s), OG_E_NOTFOUND);
    assert_non_null(strstr(og_error_last()->message, "recreated"));
    og_graph_ref_clear(&r2);
    og_graph_ref_clear(&r);
    og_graph_snapshot_free(&b);
    og_graph_snapshot_free(&g);
}

static void test_branch_create_list_delete_mem(void **state)
{
    og_store *st = fx_mem();
    create_list_delete(st);
    og_store_close(st);
}

static void test_branch_create_list_delete_fs(void **state)
{
    char *dir = og_test_tmpdir("graph_branch_fs");
    og_store *st = NULL;
    OG_CHECK(og_store_fs_open(dir, true, &st));
    create_list_delete(st);
    og_store_close(st);
    og_test_rmtree(dir);
    free(dir);
}

static void test_live_names_are_prefix_disjoint(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 1, NULL));
    OG_CHECK(og_graph_branch_create(st, "review", NULL, 0, NULL));
    assert_int_equal(og_graph_branch_create(st, "review/x", NULL, 0, NULL), OG_E_CONFLICT);
    OG_CHECK(og_graph_branch_create(st, "a/b", NULL, 0, NULL));
    assert_int_equal(og_graph_branch_create(st, "a", NULL, 0, NULL), OG_E_CONFLICT);
    assert_int_equal(og_graph_branch_create(st, "main/x", NULL, 0, NULL), OG_E_CONFLICT);
    OG_CHECK(og_graph_branch_create(st, "reviewer", NULL, 0, NULL)); /* not a path prefix */
    OG_CHECK(og_graph_branch_create(st, "a/c", NULL, 0, NULL));
    const char *want[] = {"a/b", "a/c", "main", "review", "reviewer"};
    assert_names(st, 0, want, 5);
    OG_CHECK(og_graph_branch_delete(st, "review", 0));
    OG_CHECK(og_graph_branch_create(st, "review/x", NULL, 0, NULL));
    og_store_close(st);
}

static void test_internal_names_hidden_and_refused(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 1, NULL));
    assert_int_equal(og_graph_branch_create(st, "__schema_apply_lock__", NULL, 0, NULL),
                     OG_E_INVALID);
    OG_CHECK(og_graph_branch_create(st, "__schema_apply_lock__", NULL, OG_GRAPH_BRANCH_INTERNAL,
                                    NULL));
    const char *pub[] = {"main"};
    assert_names(st, 0, pub, 1);
    const char *all[] = {"__schema_apply_lock__", "main"};
    assert_names(st, OG_GRAPH_BRANCH_INTERNAL, all, 2);
    assert_int_equal(og_graph_branch_delete(st, "__schema_apply_lock__", 0), OG_E_INVALID);
    OG_CHECK(og_graph_branch_delete(st, "__schema_apply_lock__", OG_GRAPH_BRANCH_INTERNAL));
    og_store_close(st);
}

static void test_delete_refuses_branch_with_live_descendant_or_table_fork(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 1, NULL));
    OG_CHECK(og_graph_branch_create(st, "parent", NULL, 0, NULL));
    OG_CHECK(og_graph_branch_create(st, "child", "parent", 0, NULL));
    assert_int_equal(og_graph_branch_delete(st, "parent", 0), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, "child"));
    OG_CHECK(og_graph_branch_delete(st, "child", 0));
    OG_CHECK(og_graph_branch_delete(st, "parent", 0));

    /* main reads a table from branch `feat` (as after a fast-forward merge). */
    og_graph_ref feat;
    OG_CHECK(og_graph_branch_create(st, "feat", NULL, 0, &feat));
    og_graph_pin p = fx_pin("node:T0", 1, 2, 0);
    p.table_branch = strdup(feat.uid); /* forks are named by the chain uid */
    og_graph_ref_clear(&feat);
    og_graph_expected e = {"node:T0", 1};
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    og_graph_publish_req req = {0};
    req.expected = &e;
    req.n_expected = 1;
    req.pins = &p;
    req.n_pins = 1;
    req.commit.id = id.s;
    OG_CHECK(og_graph_publish(st, &req, NULL, NULL));
    assert_int_equal(og_graph_branch_delete(st, "feat", 0), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, "node:T0"));
    og_graph_pin_clear(&p);
    og_store_close(st);
}

typedef struct create_arg {
    og_store *st;
    const char *name;
    og_status rc;
} create_arg;

static void *create_thread(void *p)
{
    create_arg *a = p;
    a->rc = og_graph_branch_create(a->st, a->name, NULL, 0, NULL);
    return NULL;
}

static void concurrent_create_one_winner(og_store **h, size_t nh)
{
    enum { NT = 8 };
    pthread_t t[NT];
    create_arg a[NT];
    for (int i = 0; i < NT; i++) {
        a[i].st = h[(size_t)i % nh];
        a[i].name = "race";
        a[i].rc = -1;
        assert_int_equal(pthread_create(&t[i], NULL, create_thread, &a[i]), 0);
    }
    int ok = 0, exists = 0;
    for (int i = 0; i < NT; i++) {
        pthread_join(t[i], NULL);
        if (a[i].rc == OG_OK) ok++;
        else if (a[i].rc == OG_E_EXISTS) exists++;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(exists, NT - 1);
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_head(h[0], "race", &s));
    assert_int_equal(s.version, 1);
    og_graph_snapshot_free(&s);
}

static void test_concurrent_create_one_winner_8_threads_mem(void **state)
{
    og_store *st = fx_mem();
    OG_CHECK(fx_genesis(st, 1, NULL));
    concurrent_create_one_winner(&st, 1);
    og_store_close(st);
}

static void test_concurrent_create_one_winner_8_threads_fs_handles(void **state)
{
    char *dir = og_test_tmpdir("graph_branch_race");
    og_store *h[4];
    for (int i = 0; i < 4; i++) OG_CHECK(og_store_fs_open(dir, true, &h[i]));
    OG_CHECK(fx_genesis(h[0], 1, NULL));
    concurrent_create_one_winner(h, 4);
    for (int i = 0; i < 4; i++) og_store_close(h[i]);
    og_test_rmtree(dir);
    free(dir);
}

/* Creators of `p` and `p/x` race: never both live. */
static void test_racing_prefix_related_creates_never_both_live(void **state)
{
    for (int round = 0; round < 10; round++) {
        og_store *st = fx_mem();
        OG_CHECK(fx_genesis(st, 1, NULL));
        pthread_t t[2];
        create_arg a[2] = {{st, "p", -1}, {st, "p/x", -1}};
        for (int i = 0; i < 2; i++)
            assert_int_equal(pthread_create(&t[i], NULL, create_thread, &a[i]), 0);
        for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
        for (int i = 0; i < 2; i++) assert_true(a[i].rc == OG_OK || a[i].rc == OG_E_CONFLICT);
        assert_false(a[0].rc == OG_OK && a[1].rc == OG_OK);
        og_graph_branch_list l;
        OG_CHECK(og_graph_branch_list_all(st, 0, &l));
        assert_int_equal(l.len, 1 + (size_t)(a[0].rc == OG_OK) + (size_t)(a[1].rc == OG_OK));
        og_graph_branch_list_free(&l);
        og_store_close(st);
    }
}

/* A crash at each store operation of a branch create: afterwards the
 * branch is either absent or fully usable, and creating it again works or
 * says it exists. */
static void test_crash_at_every_create_step_leaves_absent_or_usable(void **state)
{
    for (unsigned n = 1; n <= 10; n++) {
        og_store *f = NULL;
        OG_CHECK(og_store_fault_open(fx_mem(), &f));
        OG_CHECK(fx_genesis(f, 1, NULL));
        og_store_fault_crash_at(f, n);
        og_status rc = og_graph_branch_create(f, "feat", NULL, 0, NULL);
        og_store_fault_reopen(f);
        og_graph_snapshot s;
        og_status orc = og_graph_open_head(f, "feat", &s);
        if (rc == OG_OK) OG_CHECK(orc);
        assert_true(orc == OG_OK || orc == OG_E_NOTFOUND);
        if (orc == OG_OK) {
            assert_int_equal(s.version, 1);
            og_graph_snapshot_free(&s);
            assert_int_equal(og_graph_branch_create(f, "feat", NULL, 0, NULL), OG_E_EXISTS);
        } else {
            assert_int_equal(rc, OG_E_CRASHED);
            OG_CHECK(og_graph_branch_create(f, "feat", NULL, 0, NULL));
        }
        og_store_close(f);
    }
}

static void test_newer_ref_format_is_refused(void **state)
{
    og_store *st = fx_mem();
    og_graph_ref r;
    OG_CHECK(fx_genesis(st, 1, NULL));
    const char *doc = "{\"format\":3,\"name\":\"main\"}";
    OG_CHECK(og_store_put(st, "__manifest/refs/main.json", doc, strlen(doc), NULL));
    assert_int_equal(og_graph_ref_read(st, NULL, &r), OG_E_UNSUPPORTED);
    assert_non_null(strstr(og_error_last()->message, "format 3"));
    const char *bad = "{\"format\":1,\"name\":\"main\",\"uid\":7}";
    OG_CHECK(og_store_put(st, "__manifest/refs/main.json", bad, strlen(bad), NULL));
    assert_int_equal(og_graph_ref_read(st, NULL, &r), OG_E_CORRUPT);
    assert_non_null(strstr(og_error_last()->message, "`uid`"));
    og_store_close(st);
}

/* ---- commits ---- */

static void publish_id(og_store *st, const char *branch, size_t t, uint64_t from, const char *actor,
                       const char *merged_parent, char id_out[OG_ULID_LEN + 1])
{
    char key[32];
    snprintf(key, sizeof key, "node:T%zu", t);
    og_graph_pin p = fx_pin(key, t + 1, from + 1, 0);
    og_graph_expected e = {key, from};
    og_ulid id;
    OG_CHECK(og_ulid_new(&id));
    og_graph_publish_req req = {0};
    req.branch = branch;
    req.expected = &e;
    req.n_expected = 1;
    req.pins = &p;
    req.n_pins = 1;
    req.commit.id = id.s;
    req.commit.actor = actor;
    req.commit.merged_parent = merged_parent;
    OG_CHECK(og_graph_publish(st, &req, NULL, NULL));
    memcpy(id_out, id.s, OG_ULID_LEN + 1);
    og_graph_pin_clear(&p);
}

static void assert_list(og_store *st, const char *branch, const char *actor, size_t limit,
                        const char *const *want, size_t n)
{
    og_graph_commit_list l;
    OG_CHECK(og_graph_commit_list_branch(st, branch, actor, limit, &l));
    if (l.len != n) print_error("list %s: %zu commits, want %zu\n", branch ? branch : "main", l.len, n);
    assert_int_equal(l.len, n);
    for (size_t i = 0; i < n; i++) assert_string_equal(l.items[i].id, want[i]);
    og_graph_commit_list_free(&l);
}

static void test_commit_list_across_fork_newest_first(void **state)
{
    og_store *st = fx_mem();
    og_graph_snapshot g;
    char m1[27], m2[27], m3[27], f1[27], f2[27], mg[27];
    OG_CHECK(fx_genesis(st, 2, &g));
    publish_id(st, NULL, 0, 1, "alice", NULL, m1);
    publish_id(st, NULL, 0, 2, "bob", NULL, m2);
    OG_CHECK(og_graph_branch_create(st, "feat", NULL, 0, NULL));
    {   /* A fresh branch lists its source's history. */
        const char *w[] = {m2, m1, g.head.id};
        assert_list(st, "feat", NULL, 0, w, 3);
    }
    publish_id(st, "feat", 1, 1, "alice", NULL, f1);
    publish_id(st, "feat", 1, 2, "carol", NULL, f2);
    publish_id(st, NULL, 0, 3, "bob", NULL, m3);
    {
        const char *w[] = {f2, f1, m2, m1, g.head.id};
        assert_list(st, "feat", NULL, 0, w, 5);
        const char *wm[] = {m3, m2, m1, g.head.id};
        assert_list(st, NULL, NULL, 0, wm, 4);
        const char *wa[] = {f1, m1};
        assert_list(st, "feat", "alice", 0, wa, 2);
        const char *wl[] = {f2, f1};
        assert_list(st, "feat", NULL, 2, wl, 2);
        assert_list(st, "feat", "nobody", 0, NULL, 0);
    }
    /* A merge commit on main with feat's head as merged parent: main's
     * history now reaches feat's commits; every commit precedes its parents. */
    publish_id(st, NULL, 1, 1, "merger", f2, mg);
    {
        const char *w[] = {mg, m3, f2, f1, m2, m1, g.head.id};
        assert_list(st, NULL, NULL, 0, w, 7);
    }
    /* commit show */
    og_graph_commit c;
    OG_CHECK(og_graph_commit_get(st, f1, &c));
    assert_string_equal(c.branch, "feat");
    assert_int_equal(c.manifest_version, 2);
    assert_string_equal(c.parent, m2);
    assert_string_equal(c.merged_parent, "");
    assert_string_equal(c.actor, "alice");
    assert_true(c.created_at_us > 0);
    og_graph_commit_clear(&c);
    OG_CHECK(og_graph_commit_get(st, mg, &c));
    assert_null(c.branch);
    assert_string_equal(c.parent, m3);
    assert_string_equal(c.merged_parent, f2);
    assert_int_equal(c.manifest_version, 5);
    og_graph_commit_clear(&c);
    OG_CHECK(og_graph_commit_get(st, g.head.id, &c));
    assert_string_equal(c.parent, "");
    assert_null(c.actor);
    og_graph_commit_clear(&c);

    /* Snapshot at a branch commit, and at an inherited main commit. */
    og_graph_snapshot s;
    OG_CHECK(og_graph_open_commit(st, f1, &s));
    assert_string_equal(s.branch, "feat");
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T1")->version, 2);
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 3);
    og_graph_snapshot_free(&s);
    OG_CHECK(og_graph_open_commit(st, m1, &s));
    assert_string_equal(s.branch, "main");
    assert_int_equal(og_graph_snapshot_pin(&s, "node:T0")->version, 2);
    og_graph_snapshot_free(&s);
    og_graph_snapshot_free(&g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_branch_name_rules),
        cmocka_unit_test(test_branch_create_list_delete_mem),
        cmocka_unit_test(test_branch_create_list_delete_fs),
        cmocka_unit_test(test_live_names_are_prefix_disjoint),
        cmocka_unit_test(test_internal_names_hidden_and_refused),
        cmocka_unit_test(test_delete_refuses_branch_with_live_descendant_or_table_fork),
        cmocka_unit_test(test_concurrent_create_one_winner_8_threads_mem),
        cmocka_unit_test(test_concurrent_create_one_winner_8_threads_fs_handles),
        cmocka_unit_test(test_racing_prefix_related_creates_never_both_live),
        cmocka_unit_test(test_crash_at_every_create_step_leaves_absent_or_usable),
        cmocka_unit_test(test_newer_ref_format_is_refused),
        cmocka_unit_test(test_commit_list_across_fork_newest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
