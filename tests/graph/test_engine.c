/* test_engine.c — init, open, views and write transactions of the engine. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/branch.h"
#include "graph/engine.h"
#include "store/store.h"

static const char *SCHEMA =
    "node Person {\n  name: String @key\n  age: I32?\n}\n"
    "node Company {\n  name: String @key\n}\n"
    "edge Knows: Person -> Person {\n  since: Date?\n}\n"
    "edge WorksAt: Person -> Company\n";

static og_store *mem_store(void)
{
    og_store *s = NULL;
    OG_CHECK(og_store_mem_open(&s));
    return s;
}

/* A store handle that does not own the mem store (og_graph_open takes one). */
typedef struct shared { og_store base; og_store *inner; } shared;
static og_status sh_get(og_store *s, const char *k, og_buf *o, og_obj_meta *m) { return og_store_get(((shared *)s->impl)->inner, k, o, m); }
static og_status sh_get_range(og_store *s, const char *k, uint64_t off, uint64_t n, og_buf *o) { return og_store_get_range(((shared *)s->impl)->inner, k, off, n, o); }
static og_status sh_head(og_store *s, const char *k, og_obj_meta *m) { return og_store_head(((shared *)s->impl)->inner, k, m); }
static og_status sh_put(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { return og_store_put(((shared *)s->impl)->inner, k, p, n, m); }
static og_status sh_pia(og_store *s, const char *k, const void *p, size_t n, og_obj_meta *m) { return og_store_put_if_absent(((shared *)s->impl)->inner, k, p, n, m); }
static og_status sh_pim(og_store *s, const char *k, const char *e, const void *p, size_t n, og_obj_meta *m) { return og_store_put_if_match(((shared *)s->impl)->inner, k, e, p, n, m); }
static og_status sh_list(og_store *s, const char *pf, const char *sa, size_t mk, og_list *o) { return og_store_list(((shared *)s->impl)->inner, pf, sa, mk, o); }
static og_status sh_del(og_store *s, const char *k) { return og_store_delete(((shared *)s->impl)->inner, k); }
static og_status sh_delp(og_store *s, const char *k) { return og_store_delete_prefix(((shared *)s->impl)->inner, k); }
static void sh_close(og_store *s) { free(s->impl); }
static og_status sh_seq(og_store *s, uint64_t *o) { return og_store_change_seq(((shared *)s->impl)->inner, o); }
static const og_store_ops SH_OPS = {"shared", sh_get, sh_get_range, sh_head, sh_put, sh_pia, sh_pim,
                                    sh_list, sh_del, sh_delp, sh_close, sh_seq};
static og_store *share(og_store *inner)
{
    shared *h = calloc(1, sizeof *h);
    h->inner = inner;
    h->base.ops = &SH_OPS;
    h->base.impl = h;
    return &h->base;
}

static og_graph *open_rw(og_store *st)
{
    og_graph *g = NULL;
    OG_CHECK(og_graph_open(share(st), OG_GRAPH_RW, &g));
    return g;
}

/* Rows of Person: (name, age). */
static void person_rows(og_batch *b, const char *const *names, const int *ages, size_t n)
{
    og_column *id = NULL, *name = NULL, *age = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0}, i32 = {OG_TYPE_I32, OG_TYPE_NONE, 0};
    OG_CHECK(og_batch_add(b, "id", utf8, &id));
    OG_CHECK(og_batch_add(b, "name", utf8, &name));
    OG_CHECK(og_batch_add(b, "age", i32, &age));
    for (size_t i = 0; i < n; i++) {
        OG_CHECK(og_column_push_str(id, names[i]));
        OG_CHECK(og_column_push_str(name, names[i]));
        OG_CHECK(og_column_push_i64(age, ages[i]));
    }
    OG_CHECK(og_batch_seal(b));
}

static uint64_t count_rows(og_graph *g, const char *branch, const char *type)
{
    og_graph_view *v = NULL;
    og_table *t = NULL;
    OG_CHECK(og_graph_view_open(g, branch, NULL, &v));
    OG_CHECK(og_graph_view_table(v, og_catalog_find(og_graph_catalog(g), OG_KIND_NODE, type), &t));
    uint64_t n = og_table_count_rows(t);
    og_graph_view_close(v);
    return n;
}

static void test_init_creates_tables_and_genesis(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, "act"));
    og_obj_meta m;
    assert_int_equal(og_store_head(st, "__init_claim.json", &m), OG_E_NOTFOUND);
    og_graph *g = open_rw(st);
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    const og_graph_snapshot *s = og_graph_view_snapshot(v);
    assert_int_equal(s->npins, 4);
    assert_int_equal(s->version, 1);
    assert_string_equal(s->pins[0].table_key, "edge:Knows");
    const og_catalog *cat = og_graph_catalog(g);
    for (size_t i = 0; i < cat->n_types; i++) {
        og_table *t = NULL;
        OG_CHECK(og_graph_view_table(v, &cat->types[i], &t));
        assert_int_equal(og_table_version(t), 1);
        assert_int_equal(og_table_count_rows(t), 0);
        assert_non_null(og_schema_find(og_table_schema(t), "id"));
    }
    og_graph_view_close(v);
    assert_string_equal(og_graph_schema_source(g), SCHEMA);
    og_graph_close(g);
    og_store_close(st);
}

static void test_init_twice_refused_already_initialized(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    assert_int_equal(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL), OG_E_EXISTS);
    assert_non_null(strstr(og_error_last()->message, "AlreadyInitialized"));
    assert_int_equal(og_graph_init(st, SCHEMA, strlen(SCHEMA), true, NULL), OG_E_EXISTS);
    og_store_close(st);
}

static void test_init_force_replaces_orphan_schema_files(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_store_put(st, "_schema.pg", "junk", 4, NULL));
    assert_int_equal(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL), OG_E_EXISTS);
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), true, NULL));
    og_graph *g = open_rw(st);
    og_graph_close(g);
    og_store_close(st);
}

static void test_init_held_claim_is_reported(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_store_put(st, "__init_claim.json", "x", 1, NULL));
    assert_int_equal(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL), OG_E_CONFLICT);
    assert_non_null(strstr(og_error_last()->message, "InitializationClaimed"));
    og_graph *g = NULL;
    assert_int_not_equal(og_graph_open(share(st), OG_GRAPH_RW, &g), OG_OK);
    assert_non_null(strstr(og_error_last()->message, "InitializationClaimed"));
    og_store_close(st);
}

static void test_open_refuses_tampered_schema(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    const char *other = "node Person {\n  name: String @key\n}\n";
    OG_CHECK(og_store_put(st, "_schema.pg", other, strlen(other), NULL));
    og_graph *g = NULL;
    assert_int_equal(og_graph_open(share(st), OG_GRAPH_RW, &g), OG_E_CORRUPT);
    og_store_close(st);
}

static void test_txn_put_commit_one_publish_one_version(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    const og_decl *person = og_catalog_find_node(og_graph_catalog(g), "Person");
    og_graph_txn *x = NULL;
    og_graph_txn_opts o = {NULL, "alice", NULL};
    OG_CHECK(og_graph_txn_begin(g, &o, &x));
    og_batch b = OG_BATCH_INIT;
    const char *names[] = {"Alice", "Bob"};
    int ages[] = {30, 25};
    person_rows(&b, names, ages, 2);
    OG_CHECK(og_graph_txn_put(x, person, &b, OG_WRITE_STRICT_INSERT));
    og_batch_free(&b);
    og_graph_commit_result r = {0};
    OG_CHECK(og_graph_txn_commit(x, &r));
    assert_true(r.published);
    assert_int_equal(r.manifest_version, 2);
    assert_int_equal(r.nodes_changed, 2);
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    const og_graph_snapshot *s = og_graph_view_snapshot(v);
    assert_int_equal(s->version, 2);
    assert_string_equal(s->head.id, r.commit_id);
    assert_string_equal(s->head.actor, "alice");
    assert_int_equal(og_graph_snapshot_pin(s, "node:Person")->version, 2);
    assert_int_equal(og_graph_snapshot_pin(s, "node:Person")->row_count, 2);
    assert_int_equal(og_graph_snapshot_pin(s, "node:Company")->version, 1);
    og_graph_view_close(v);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}


static og_status put_people(og_graph *g, const char *branch, const char *const *names, size_t n,
                            og_graph_write_mode mode, og_graph_commit_result *r)
{
    const og_decl *person = og_catalog_find_node(og_graph_catalog(g), "Person");
    og_graph_txn *x = NULL;
    og_graph_txn_opts o = {branch, NULL, NULL};
    int ages[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    og_status rc = og_graph_txn_begin(g, &o, &x);
    if (rc) return rc;
    og_batch b = OG_BATCH_INIT;
    person_rows(&b, names, ages, n);
    rc = og_graph_txn_put(x, person, &b, mode);
    og_batch_free(&b);
    if (rc) { og_graph_txn_abort(x); return rc; }
    return og_graph_txn_commit(x, r);
}

static void test_txn_strict_insert_duplicate_is_key_conflict_nothing_written(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    og_graph_commit_result r = {0};
    const char *a[] = {"Alice"}, *ab[] = {"Bob", "Alice"};
    OG_CHECK(put_people(g, NULL, a, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(put_people(g, NULL, ab, 2, OG_WRITE_STRICT_INSERT, &r), OG_E_EXISTS);
    assert_non_null(strstr(og_error_last()->message, "key_conflict: node:Person already has id 'Alice'"));
    assert_int_equal(count_rows(g, NULL, "Person"), 1);
    OG_CHECK(put_people(g, NULL, ab, 2, OG_WRITE_UPSERT, &r));
    assert_int_equal(count_rows(g, NULL, "Person"), 2);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_txn_read_your_writes_shadow_and_delete(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    og_graph_commit_result r = {0};
    const char *abc[] = {"Alice", "Bob", "Carol"};
    OG_CHECK(put_people(g, NULL, abc, 3, OG_WRITE_STRICT_INSERT, &r));
    const og_decl *person = og_catalog_find_node(og_graph_catalog(g), "Person");
    og_graph_txn *x = NULL;
    OG_CHECK(og_graph_txn_begin(g, NULL, &x));
    og_batch b = OG_BATCH_INIT;
    const char *ad[] = {"Alice", "Dave"};
    int ages[] = {99, 40};
    person_rows(&b, ad, ages, 2);
    OG_CHECK(og_graph_txn_put(x, person, &b, OG_WRITE_UPSERT));
    og_batch_free(&b);
    const char *del[] = {"Bob"};
    OG_CHECK(og_graph_txn_delete(x, person, del, 1));
    og_batch out = OG_BATCH_INIT;
    OG_CHECK(og_graph_txn_scan(x, person, NULL, &out));
    assert_int_equal(out.nrows, 3); /* Carol (committed), Alice (pending 99), Dave */
    og_batch_free(&out);
    og_value v = og_val_i64(50);
    og_pred pr = {"age", OG_CMP_GT, v, NULL, 0};
    const char *cols[] = {"name"};
    og_scan_opts so = {cols, 1, &pr, 1, 0};
    OG_CHECK(og_graph_txn_scan(x, person, &so, &out));
    assert_int_equal(out.nrows, 1);
    assert_int_equal(out.ncols, 1);
    size_t n = 0;
    const char *s = og_column_get_bytes(out.cols[0], 0, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(s, "Alice", 5);
    og_batch_free(&out);
    assert_int_equal(count_rows(g, NULL, "Person"), 3); /* nothing visible yet */
    OG_CHECK(og_graph_txn_commit(x, &r));
    assert_true(r.published);
    assert_int_equal(count_rows(g, NULL, "Person"), 3);
    og_graph_view *vw = NULL;
    og_table *t = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &vw));
    OG_CHECK(og_graph_view_table(vw, person, &t));
    assert_int_equal(og_table_version(t), 3); /* upsert + delete = one version */
    og_graph_view_close(vw);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_txn_zero_change_commit_publishes_nothing(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    const og_decl *person = og_catalog_find_node(og_graph_catalog(g), "Person");
    og_graph_txn *x = NULL;
    OG_CHECK(og_graph_txn_begin(g, NULL, &x));
    const char *del[] = {"Nobody"};
    OG_CHECK(og_graph_txn_delete(x, person, del, 1));
    og_graph_commit_result r = {0};
    OG_CHECK(og_graph_txn_commit(x, &r));
    assert_false(r.published);
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    assert_int_equal(og_graph_view_snapshot(v)->version, 1);
    og_graph_view_close(v);
    og_graph_close(g);
    og_store_close(st);
}

typedef struct racer {
    og_graph *g;
    const char *type;
    const char *name;
    og_status rc;
    og_graph_commit_result r;
    pthread_barrier_t *bar;
} racer;

static void *race(void *arg)
{
    racer *rc = arg;
    const og_catalog *cat = og_graph_catalog(rc->g);
    const og_decl *t = og_catalog_find_node(cat, rc->type);
    og_graph_txn *x = NULL;
    rc->rc = og_graph_txn_begin(rc->g, NULL, &x);
    if (rc->rc) return NULL;
    og_batch b = OG_BATCH_INIT;
    og_column *id = NULL, *name = NULL;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
    og_batch_add(&b, "id", utf8, &id);
    og_batch_add(&b, "name", utf8, &name);
    og_column_push_str(id, rc->name);
    og_column_push_str(name, rc->name);
    og_batch_seal(&b);
    rc->rc = og_graph_txn_put(x, t, &b, OG_WRITE_UPSERT);
    og_batch_free(&b);
    pthread_barrier_wait(rc->bar);
    if (rc->rc) { og_graph_txn_abort(x); return NULL; }
    rc->rc = og_graph_txn_commit(x, &rc->r);
    return NULL;
}

static void run_race(const char *t1, const char *t2, og_status *r1, og_status *r2, racer *out)
{
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g1 = open_rw(st), *g2 = open_rw(st);
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    racer a = {g1, t1, "X1", 0, {0}, &bar}, b = {g2, t2, "X2", 0, {0}, &bar};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, race, &a);
    pthread_create(&tb, NULL, race, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&bar);
    *r1 = a.rc;
    *r2 = b.rc;
    out[0] = a;
    out[1] = b;
    og_graph_close(g1);
    og_graph_close(g2);
    og_store_close(st);
}

static void test_two_writers_same_table_exactly_one_wins(void **state)
{
    (void)state;
    for (int round = 0; round < 4; round++) {
        og_status r1, r2;
        racer rr[2];
        run_race("Person", "Person", &r1, &r2, rr);
        assert_true((r1 == OG_OK) != (r2 == OG_OK));
        racer *loser = r1 == OG_OK ? &rr[1] : &rr[0];
        assert_int_equal(loser->rc, OG_E_CONFLICT);
        assert_int_equal(loser->r.conflict.kind, OG_GRAPH_CONFLICT_TABLE_VERSION);
        assert_string_equal(loser->r.conflict.table_key, "node:Person");
        assert_int_equal(loser->r.conflict.expected, 1);
        assert_int_equal(loser->r.conflict.actual, 2);
        og_graph_commit_result_clear(&rr[0].r);
        og_graph_commit_result_clear(&rr[1].r);
    }
}

static void test_two_writers_disjoint_tables_both_win(void **state)
{
    (void)state;
    og_status r1, r2;
    racer rr[2];
    run_race("Person", "Company", &r1, &r2, rr);
    assert_int_equal(r1, OG_OK);
    assert_int_equal(r2, OG_OK);
    assert_true(rr[0].r.published && rr[1].r.published);
    assert_int_not_equal(rr[0].r.manifest_version, rr[1].r.manifest_version);
    og_graph_commit_result_clear(&rr[0].r);
    og_graph_commit_result_clear(&rr[1].r);
}

static void test_branch_write_forks_lazily_main_unaffected(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    og_graph_commit_result r = {0};
    const char *a[] = {"Alice"}, *b[] = {"Bob"};
    OG_CHECK(put_people(g, NULL, a, 1, OG_WRITE_STRICT_INSERT, &r));
    OG_CHECK(og_graph_branch_create(st, "feature", NULL, 0, NULL));
    OG_CHECK(put_people(g, "feature", b, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(count_rows(g, NULL, "Person"), 1);
    assert_int_equal(count_rows(g, "feature", "Person"), 2);
    og_graph_view *v = NULL;
    OG_CHECK(og_graph_view_open(g, "feature", NULL, &v));
    const og_graph_snapshot *s = og_graph_view_snapshot(v);
    assert_string_equal(og_graph_snapshot_pin(s, "node:Person")->table_branch, s->branch_uid);
    assert_null(og_graph_snapshot_pin(s, "node:Company")->table_branch);
    og_graph_view_close(v);
    /* a second write on the branch reuses the fork */
    const char *c[] = {"Carol"};
    OG_CHECK(put_people(g, "feature", c, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(count_rows(g, "feature", "Person"), 3);
    /* main moves independently */
    OG_CHECK(put_people(g, NULL, c, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(count_rows(g, NULL, "Person"), 2);
    assert_int_equal(count_rows(g, "feature", "Person"), 3);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_branch_delete_recreate_then_write_uses_fresh_fork(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    og_graph_commit_result r = {0};
    const char *a[] = {"Alice"}, *e[] = {"Eve"}, *f[] = {"Frank"};
    OG_CHECK(put_people(g, NULL, a, 1, OG_WRITE_STRICT_INSERT, &r));
    OG_CHECK(og_graph_branch_create(st, "feature", NULL, 0, NULL));
    OG_CHECK(put_people(g, "feature", e, 1, OG_WRITE_STRICT_INSERT, &r));
    OG_CHECK(og_graph_branch_delete(st, "feature", 0));
    /* the deleted branch's table fork went with it */
    og_graph_view *v = NULL;
    char **names = NULL;
    size_t nn = 9;
    OG_CHECK(og_graph_view_open(g, NULL, NULL, &v));
    OG_CHECK(og_table_branch_list(st, og_graph_snapshot_pin(og_graph_view_snapshot(v), "node:Person")->path,
                                  &names, &nn));
    assert_int_equal(nn, 0);
    free(names);
    og_graph_view_close(v);
    OG_CHECK(og_graph_branch_create(st, "feature", NULL, 0, NULL));
    assert_int_equal(count_rows(g, "feature", "Person"), 1);
    OG_CHECK(put_people(g, "feature", f, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(count_rows(g, "feature", "Person"), 2);
    assert_int_equal(count_rows(g, NULL, "Person"), 1);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_branch_with_slash_in_name_accepts_writes(void **state)
{
    (void)state;
    og_store *st = mem_store();
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    og_graph_commit_result r = {0};
    const char *a[] = {"Alice"}, *b[] = {"Bob"}, *c[] = {"Carol"};
    OG_CHECK(put_people(g, NULL, a, 1, OG_WRITE_STRICT_INSERT, &r));
    OG_CHECK(og_graph_branch_create(st, "team/review", NULL, 0, NULL));
    OG_CHECK(put_people(g, "team/review", b, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(count_rows(g, "team/review", "Person"), 2);
    /* a branch of the branch forks from its fork */
    OG_CHECK(og_graph_branch_create(st, "team2/child", "team/review", 0, NULL));
    OG_CHECK(put_people(g, "team2/child", c, 1, OG_WRITE_STRICT_INSERT, &r));
    assert_int_equal(count_rows(g, "team2/child", "Person"), 3);
    assert_int_equal(count_rows(g, "team/review", "Person"), 2);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

static void test_io_count_single_node_insert(void **state)
{
    (void)state;
    og_store *mem = mem_store(), *st = NULL;
    OG_CHECK(og_store_fault_open(mem, &st));
    OG_CHECK(og_graph_init(st, SCHEMA, strlen(SCHEMA), false, NULL));
    og_graph *g = open_rw(st);
    og_graph_commit_result r = {0};
    const char *a[] = {"Alice"};
    og_store_fault_reset_counts(st);
    OG_CHECK(put_people(g, NULL, a, 1, OG_WRITE_STRICT_INSERT, &r));
    uint64_t total = og_store_fault_total(st);
    fprintf(stderr, "single-node insert commit: %llu store operations (get %llu, put %llu, "
            "put_if_absent %llu, list %llu, head %llu)\n", (unsigned long long)total,
            (unsigned long long)og_store_fault_count(st, OG_OP_GET),
            (unsigned long long)og_store_fault_count(st, OG_OP_PUT),
            (unsigned long long)og_store_fault_count(st, OG_OP_PUT_IF_ABSENT),
            (unsigned long long)og_store_fault_count(st, OG_OP_LIST),
            (unsigned long long)og_store_fault_count(st, OG_OP_HEAD));
    assert_true(total > 0 && total <= 24);
    og_graph_commit_result_clear(&r);
    og_graph_close(g);
    og_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_creates_tables_and_genesis),
        cmocka_unit_test(test_init_twice_refused_already_initialized),
        cmocka_unit_test(test_init_force_replaces_orphan_schema_files),
        cmocka_unit_test(test_init_held_claim_is_reported),
        cmocka_unit_test(test_open_refuses_tampered_schema),
        cmocka_unit_test(test_txn_put_commit_one_publish_one_version),
        cmocka_unit_test(test_txn_strict_insert_duplicate_is_key_conflict_nothing_written),
        cmocka_unit_test(test_txn_read_your_writes_shadow_and_delete),
        cmocka_unit_test(test_txn_zero_change_commit_publishes_nothing),
        cmocka_unit_test(test_two_writers_same_table_exactly_one_wins),
        cmocka_unit_test(test_two_writers_disjoint_tables_both_win),
        cmocka_unit_test(test_branch_write_forks_lazily_main_unaffected),
        cmocka_unit_test(test_branch_delete_recreate_then_write_uses_fresh_fork),
        cmocka_unit_test(test_branch_with_slash_in_name_accepts_writes),
        cmocka_unit_test(test_io_count_single_node_insert),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
