/* test_exec_session.c — reused head views (exec session), the compiled
 * query cache of og_db_query, and exact U64 output.
 * Store operations are counted through the fault store wrapper; commits
 * made by a second, independent handle on the same directory stand in for
 * another process. */
#include "testutil.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "graph/branch.h"
#include "graph/engine.h"
#include "lang/params.h"
#include "lang/query_ast.h"
#include "lang/typecheck.h"
#include "omnigraph.h"
#include "store/store.h"

static const char *SCHEMA =
    "node Person {\n    name: String @key\n    age: I32?\n}\n"
    "edge Knows: Person -> Person\n";

static const char *DATA =
    "{\"type\":\"Person\",\"data\":{\"name\":\"ann\",\"age\":30}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"bob\",\"age\":40}}\n"
    "{\"type\":\"Person\",\"data\":{\"name\":\"cy\",\"age\":50}}\n"
    "{\"edge\":\"Knows\",\"from\":\"ann\",\"to\":\"bob\"}\n"
    "{\"edge\":\"Knows\",\"from\":\"bob\",\"to\":\"cy\"}\n";

static const char *Q_FRIENDS =
    "query friends($n: String) { match { $p: Person { name: $n }\n $p knows $f } "
    "return { $f.name } order { $f.name } }\n";
static const char *Q_FOF =
    "query fof($n: String) { match { $p: Person { name: $n }\n $p knows{2,2} $f } "
    "return { count($f) as c } }\n";

typedef struct prep {
    og_gq_file *file;
    og_tc_query *tq;
    const og_gq_query *q;
} prep;

static void prep_open(og_graph *g, const char *src, const char *name, prep *p)
{
    OG_CHECK(og_gq_parse(src, strlen(src), &p->file));
    p->q = og_gq_file_find(p->file, name);
    assert_non_null(p->q);
    OG_CHECK(og_tc_check(og_graph_catalog(g), p->q, &p->tq));
}

static void prep_close(prep *p)
{
    og_tc_query_free(p->tq);
    og_gq_file_free(p->file);
}

static void load(og_graph *g, const char *branch, const char *text, og_load_mode mode)
{
    og_graph_load_opts o = {0};
    og_graph_load_result r = {0};
    o.branch = branch;
    o.mode = mode;
    OG_CHECK(og_graph_load(g, &o, text, strlen(text), &r));
    og_graph_load_result_clear(&r);
}

/* Runs p with $n = name through the session; returns the rows' first
 * column joined by ',' (malloc'd). */
static char *run(og_exec_session *s, const char *branch, const prep *p, const char *name)
{
    og_params *pp = NULL;
    og_graph_view *v = NULL;
    og_exec_result r = {0};
    json_t *pj = json_pack("{ss}", "n", name);
    OG_CHECK(og_params_from_json(p->q->params, p->q->n_params, pj, &pp));
    OG_CHECK(og_exec_session_view(s, branch, &v));
    OG_CHECK(og_exec_session_query(s, v, p->tq, pp, NULL, &r));
    og_exec_session_release(s, v);
    char buf[1024] = "";
    size_t i;
    json_t *row;
    json_array_foreach(r.rows, i, row) {
        const char *col = json_string_value(json_array_get(r.columns, 0));
        json_t *x = json_object_get(row, col);
        char cell[64];
        if (json_is_string(x)) snprintf(cell, sizeof cell, "%s", json_string_value(x));
        else snprintf(cell, sizeof cell, "%lld", (long long)json_integer_value(x));
        if (i) strcat(buf, ",");
        strcat(buf, cell);
    }
    og_exec_result_clear(&r);
    og_params_free(pp);
    json_decref(pj);
    return strdup(buf);
}

static void assert_run(og_exec_session *s, const char *branch, const prep *p, const char *name,
                       const char *want)
{
    char *got = run(s, branch, p, name);
    assert_string_equal(got, want);
    free(got);
}

/* A graph on fault(fs) so store operations can be counted. */
typedef struct fx {
    char *dir;
    og_store *fault;
    og_graph *g;
} fx;

static void fx_open(fx *f, const char *tag)
{
    og_store *fs = NULL, *init = NULL;
    f->dir = og_test_tmpdir(tag);
    OG_CHECK(og_store_fs_open(f->dir, true, &init));
    OG_CHECK(og_graph_init(init, SCHEMA, strlen(SCHEMA), false, "test"));
    og_store_close(init);
    OG_CHECK(og_store_fs_open(f->dir, false, &fs));
    OG_CHECK(og_store_fault_open(fs, &f->fault));
    OG_CHECK(og_graph_open(f->fault, OG_GRAPH_RW, &f->g));
    load(f->g, NULL, DATA, OG_LOAD_OVERWRITE);
}

static void fx_close(fx *f)
{
    og_graph_close(f->g);
    og_test_rmtree(f->dir);
    free(f->dir);
}

static uint64_t reads(og_store *s)
{
    return og_store_fault_count(s, OG_OP_GET) + og_store_fault_count(s, OG_OP_GET_RANGE) +
           og_store_fault_count(s, OG_OP_LIST);
}

static void test_warm_read_costs_one_head_probe_and_no_reads(void **state)
{
    (void)state;
    fx f;
    og_exec_session *s = NULL;
    prep p = {0}, p2 = {0};
    fx_open(&f, "sess_warm");
    prep_open(f.g, Q_FRIENDS, "friends", &p);
    prep_open(f.g, Q_FOF, "fof", &p2);
    OG_CHECK(og_exec_session_new(f.g, &s));
    og_exec_session_set_trust(s, 0);   /* always probe: the probe's own cost */
    for (int i = 0; i < 3; i++) assert_run(s, NULL, &p, "ann", "bob");   /* cold, then warm-up */
    assert_run(s, NULL, &p2, "ann", "1");
    og_store_fault_reset_counts(f.fault);
    for (int i = 0; i < 5; i++) {
        assert_run(s, NULL, &p, "bob", "cy");
        assert_run(s, NULL, &p2, "ann", "1");
    }
    assert_int_equal(reads(f.fault), 0);
    assert_int_equal(og_store_fault_count(f.fault, OG_OP_HEAD), 10);   /* one probe per query */
    assert_int_equal(og_store_fault_total(f.fault), 10);
    /* with the change sequence trusted, a warm read makes no store call */
    og_exec_session_set_trust(s, 60 * 1000000LL);
    assert_run(s, NULL, &p, "bob", "cy");   /* validates once, records the sequence */
    og_store_fault_reset_counts(f.fault);
    for (int i = 0; i < 5; i++) {
        assert_run(s, NULL, &p, "bob", "cy");
        assert_run(s, NULL, &p2, "ann", "1");
    }
    assert_int_equal(og_store_fault_total(f.fault), 0);
    uint64_t reused = 0, opened = 0;
    og_exec_session_stats(s, &reused, &opened);
    assert_int_equal(opened, 1);
    og_exec_session_free(s);
    prep_close(&p);
    prep_close(&p2);
    fx_close(&f);
}

static void test_session_sees_commit_of_same_handle(void **state)
{
    (void)state;
    fx f;
    og_exec_session *s = NULL;
    prep p = {0};
    fx_open(&f, "sess_same");
    prep_open(f.g, Q_FRIENDS, "friends", &p);
    OG_CHECK(og_exec_session_new(f.g, &s));
    assert_run(s, NULL, &p, "ann", "bob");
    assert_run(s, NULL, &p, "ann", "bob");
    load(f.g, NULL, "{\"type\":\"Person\",\"data\":{\"name\":\"dee\"}}\n"
                    "{\"edge\":\"Knows\",\"from\":\"ann\",\"to\":\"dee\"}\n", OG_LOAD_APPEND);
    assert_run(s, NULL, &p, "ann", "bob,dee");
    assert_run(s, NULL, &p, "ann", "bob,dee");
    og_exec_session_free(s);
    prep_close(&p);
    fx_close(&f);
}

/* A second handle on the same directory commits: the first handle's warm
 * session must notice on its next query (the probe, not a timer). */
static void test_session_sees_commit_of_other_handle(void **state)
{
    (void)state;
    fx f;
    og_store *st2 = NULL;
    og_graph *g2 = NULL;
    og_exec_session *s = NULL;
    prep p = {0};
    fx_open(&f, "sess_other");
    prep_open(f.g, Q_FRIENDS, "friends", &p);
    OG_CHECK(og_exec_session_new(f.g, &s));
    og_exec_session_set_trust(s, 60 * 1000000LL);   /* only the change sequence can tell */
    for (int i = 0; i < 3; i++) assert_run(s, NULL, &p, "bob", "cy");
    OG_CHECK(og_store_fs_open(f.dir, false, &st2));
    OG_CHECK(og_graph_open(st2, OG_GRAPH_RW, &g2));
    load(g2, NULL, "{\"edge\":\"Knows\",\"from\":\"bob\",\"to\":\"ann\"}\n", OG_LOAD_APPEND);
    assert_run(s, NULL, &p, "bob", "ann,cy");
    load(g2, NULL, "{\"type\":\"Person\",\"data\":{\"name\":\"ann\",\"age\":31}}\n", OG_LOAD_MERGE);
    assert_run(s, NULL, &p, "bob", "ann,cy");
    og_graph_close(g2);
    og_exec_session_free(s);
    prep_close(&p);
    fx_close(&f);
}

/* A named branch deleted and recreated (new chain, possibly at the same
 * version number) must not be served from the old chain's view. */
static void test_session_named_branch_recreated_is_reopened(void **state)
{
    (void)state;
    fx f;
    og_exec_session *s = NULL;
    prep p = {0};
    fx_open(&f, "sess_branch");
    prep_open(f.g, Q_FRIENDS, "friends", &p);
    OG_CHECK(og_exec_session_new(f.g, &s));
    OG_CHECK(og_graph_branch_create(og_graph_store(f.g), "dev", NULL, 0, NULL));
    load(f.g, "dev", "{\"edge\":\"Knows\",\"from\":\"ann\",\"to\":\"cy\"}\n", OG_LOAD_APPEND);
    assert_run(s, "dev", &p, "ann", "bob,cy");
    assert_run(s, "dev", &p, "ann", "bob,cy");
    assert_run(s, NULL, &p, "ann", "bob");
    OG_CHECK(og_graph_branch_delete(og_graph_store(f.g), "dev", 0));
    OG_CHECK(og_graph_branch_create(og_graph_store(f.g), "dev", NULL, 0, NULL));
    load(f.g, "dev", "{\"type\":\"Person\",\"data\":{\"name\":\"eve\"}}\n"
                     "{\"edge\":\"Knows\",\"from\":\"ann\",\"to\":\"eve\"}\n", OG_LOAD_APPEND);
    assert_run(s, "dev", &p, "ann", "bob,eve");
    assert_run(s, NULL, &p, "ann", "bob");
    og_exec_session_free(s);
    prep_close(&p);
    fx_close(&f);
}

/* Two callers hold views of one branch at once: each gets its own, and
 * both give correct answers. */
static void test_session_concurrent_views_are_distinct(void **state)
{
    (void)state;
    fx f;
    og_exec_session *s = NULL;
    og_graph_view *a = NULL, *b = NULL;
    fx_open(&f, "sess_two");
    OG_CHECK(og_exec_session_new(f.g, &s));
    OG_CHECK(og_exec_session_view(s, NULL, &a));
    OG_CHECK(og_exec_session_view(s, NULL, &b));
    assert_ptr_not_equal(a, b);
    og_exec_session_release(s, a);
    og_exec_session_release(s, b);
    og_graph_view *c = NULL;
    OG_CHECK(og_exec_session_view(s, NULL, &c));
    assert_true(c == a || c == b);
    og_exec_session_release(s, c);
    og_exec_session_free(s);
    fx_close(&f);
}

/* ---- og_db_query ---- */

static int64_t row_count(const char *out);

/* Resident tables leave vector columns out: a query reading a vector
 * property must still see it, before and after the table went resident. */
static void test_vector_property_read_after_table_went_resident(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("sess_vec");
    og_db *db = NULL;
    char *out = NULL;
    const char *schema = "node Item {\n    name: String @key\n    emb: Vector(3)?\n}\n";
    assert_int_equal(og_db_init(dir, schema, strlen(schema), 0, NULL), 0);
    assert_int_equal(og_db_open(dir, 0, &db), 0);
    const char *data = "{\"type\":\"Item\",\"data\":{\"name\":\"a\",\"emb\":[1,0.5,-2]}}\n"
                       "{\"type\":\"Item\",\"data\":{\"name\":\"b\"}}\n";
    assert_int_equal(og_db_load(db, NULL, NULL, data, strlen(data), "overwrite", NULL, &out), 0);
    og_free(out);
    const char *qn = "query n() { match { $i: Item } return { $i.name } order { $i.name } }";
    const char *qv = "query v() { match { $i: Item { name: \"a\" } } return { $i.emb } }";
    for (int rep = 0; rep < 4; rep++) {
        assert_int_equal(og_db_query(db, qn, strlen(qn), NULL, NULL, NULL, NULL, &out), 0);
        assert_int_equal(row_count(out), 2);
        og_free(out);
        assert_int_equal(og_db_query(db, qv, strlen(qv), NULL, NULL, NULL, NULL, &out), 0);
        json_t *j = json_loads(out, 0, NULL);
        json_t *emb = json_object_get(json_array_get(json_object_get(j, "rows"), 0), "i.emb");
        assert_int_equal(json_array_size(emb), 3);
        assert_true(json_number_value(json_array_get(emb, 2)) == -2.0);
        json_decref(j);
        og_free(out);
    }
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}



static const char *U64_SCHEMA =
    "node Counter {\n    name: String @key\n    seq: U64\n    tags: [U64]?\n}\n";

static void test_db_query_u64_above_i64_max_is_an_exact_integer(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("sess_u64");
    og_db *db = NULL;
    char *out = NULL;
    assert_int_equal(og_db_init(dir, U64_SCHEMA, strlen(U64_SCHEMA), 0, NULL), 0);
    assert_int_equal(og_db_open(dir, 0, &db), 0);
    const char *data =
        "{\"type\":\"Counter\",\"data\":{\"name\":\"a\",\"seq\":18446744073709551615,"
        "\"tags\":[9223372036854775808,1]}}\n"
        "{\"type\":\"Counter\",\"data\":{\"name\":\"b\",\"seq\":9223372036854775807}}\n"
        "{\"type\":\"Counter\",\"data\":{\"name\":\"c\",\"seq\":5}}\n";
    assert_int_equal(og_db_load(db, NULL, NULL, data, strlen(data), "overwrite", NULL, &out), 0);
    og_free(out);
    const char *q = "query q() { match { $c: Counter } return { $c.name, $c.seq, $c.tags } order { $c.name } }";
    assert_int_equal(og_db_query(db, q, strlen(q), NULL, NULL, NULL, NULL, &out), 0);
    assert_non_null(strstr(out, "\"c.seq\":18446744073709551615"));
    assert_non_null(strstr(out, "\"c.tags\":[9223372036854775808,1]"));
    assert_non_null(strstr(out, "\"c.seq\":9223372036854775807"));
    assert_non_null(strstr(out, "\"c.seq\":5"));
    assert_null(strstr(out, "e+19"));
    assert_null(strstr(out, "\\u0001"));
    og_free(out);
    /* a stored string that looks like the marker stays a string */
    const char *q2 = "query q2() { match { $c: Counter { name: \"c\" } } return { $c.seq } }";
    assert_int_equal(og_db_query(db, q2, strlen(q2), NULL, NULL, NULL, NULL, &out), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);   /* no big value: plain jansson-readable output */
    json_decref(j);
    og_free(out);
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

static int64_t row_count(const char *out)
{
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    int64_t n = json_integer_value(json_object_get(j, "row_count"));
    json_decref(j);
    return n;
}

static void test_db_query_cache_keeps_names_kinds_and_errors_apart(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("sess_qc");
    og_db *db = NULL;
    char *out = NULL;
    assert_int_equal(og_db_init(dir, SCHEMA, strlen(SCHEMA), 0, NULL), 0);
    assert_int_equal(og_db_open(dir, 0, &db), 0);
    assert_int_equal(og_db_load(db, NULL, NULL, DATA, strlen(DATA), "overwrite", NULL, &out), 0);
    og_free(out);
    const char *src =
        "query all() { match { $p: Person } return { $p.name } }\n"
        "query old() { match { $p: Person\n $p.age > 35 } return { $p.name } }\n"
        "query add($n: String) { insert Person { name: $n } }\n";
    size_t n = strlen(src);
    for (int rep = 0; rep < 2; rep++) {
        assert_int_equal(og_db_query(db, src, n, "all", NULL, NULL, NULL, &out), 0);
        assert_int_equal(row_count(out), 3 + rep);
        og_free(out);
        assert_int_equal(og_db_query(db, src, n, "old", NULL, NULL, NULL, &out), 0);
        assert_int_equal(row_count(out), 2);
        og_free(out);
        assert_int_not_equal(og_db_query(db, src, n, NULL, NULL, NULL, NULL, &out), 0);
        assert_non_null(strstr(og_errmsg(), "multiple queries"));
        assert_int_not_equal(og_db_query(db, src, n, "nope", NULL, NULL, NULL, &out), 0);
        assert_int_not_equal(og_db_query(db, src, n, "add", NULL, NULL, NULL, &out), 0);
        assert_non_null(strstr(og_errmsg(), "mutation"));
        assert_int_not_equal(og_db_mutate(db, src, n, "all", NULL, NULL, NULL, NULL, &out), 0);
        if (rep == 0) {   /* the mutation commits; the next read must see it */
            assert_int_equal(og_db_mutate(db, src, n, "add", "{\"n\":\"zed\"}", NULL, NULL, NULL, &out), 0);
            og_free(out);
        }
    }
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

/* One og_db shared by reader threads (as the server does) while a writer
 * commits: every read answers from one snapshot, and a reader's counts
 * never go backwards. */
typedef struct conc {
    og_db *db;
    int failures;
    int64_t last;
} conc;

static void *conc_reader(void *arg)
{
    conc *c = arg;
    const char *q = "query all() { match { $p: Person } return { $p.name } }";
    const char *f = "query friends($n: String) { match { $p: Person { name: $n }\n $p knows $f } return { $f.name } }";
    for (int i = 0; i < 150; i++) {
        char *out = NULL;
        if (og_db_query(c->db, q, strlen(q), NULL, NULL, NULL, NULL, &out)) { c->failures++; continue; }
        json_t *j = json_loads(out, 0, NULL);
        int64_t n = json_integer_value(json_object_get(j, "row_count"));
        if (!j || (size_t)n != json_array_size(json_object_get(j, "rows")) || n < c->last || n < 3 || n > 23)
            c->failures++;
        c->last = n;
        json_decref(j);
        og_free(out);
        if (og_db_query(c->db, f, strlen(f), NULL, "{\"n\":\"ann\"}", NULL, NULL, &out)) c->failures++;
        else og_free(out);
    }
    return NULL;
}

static void *conc_writer(void *arg)
{
    conc *c = arg;
    const char *m = "query add($n: String) { insert Person { name: $n } }";
    for (int i = 0; i < 20; i++) {
        char params[64], *out = NULL;
        snprintf(params, sizeof params, "{\"n\":\"w%02d\"}", i);
        if (og_db_mutate(c->db, m, strlen(m), NULL, params, NULL, NULL, NULL, &out)) c->failures++;
        else og_free(out);
    }
    return NULL;
}

static void test_db_query_shared_handle_readers_and_a_writer(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("sess_conc");
    og_db *db = NULL;
    char *out = NULL;
    assert_int_equal(og_db_init(dir, SCHEMA, strlen(SCHEMA), 0, NULL), 0);
    assert_int_equal(og_db_open(dir, 0, &db), 0);
    assert_int_equal(og_db_load(db, NULL, NULL, DATA, strlen(DATA), "overwrite", NULL, &out), 0);
    og_free(out);
    conc cs[5];
    pthread_t th[5];
    for (int i = 0; i < 5; i++) {
        memset(&cs[i], 0, sizeof cs[i]);
        cs[i].db = db;
        assert_int_equal(pthread_create(&th[i], NULL, i == 4 ? conc_writer : conc_reader, &cs[i]), 0);
    }
    for (int i = 0; i < 5; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(cs[i].failures, 0);
    }
    const char *q = "query all() { match { $p: Person } return { $p.name } }";
    assert_int_equal(og_db_query(db, q, strlen(q), NULL, NULL, NULL, NULL, &out), 0);
    assert_int_equal(row_count(out), 23);
    og_free(out);
    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

/* og_exec_dump is json_dumps(JSON_COMPACT) byte for byte, except that
 * marked U64 strings come out as bare integers. */
static void test_exec_dump_matches_jansson_and_unmarks_u64(void **state)
{
    (void)state;
    json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:n}",
                             "plain", "Ada Turing", "esc", "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f end",
                             "utf8", "caf\xc3\xa9 \xe2\x80\xa8", "", "",
                             "neg", (json_int_t)-9223372036854775807LL - 1, "pos", (json_int_t)42,
                             "t", 1, "nul");
    json_t *reals = json_array();
    const double rv[] = {0.1, 1e20, 1e-5, 3.0, -2.5, 123456789.125, 1e300, 0.0};
    for (size_t i = 0; i < sizeof rv / sizeof rv[0]; i++) json_array_append_new(reals, json_real(rv[i]));
    json_object_set_new(root, "reals", reals);
    json_object_set_new(root, "k\"ey\n", json_pack("[[], {}, [1, [2, {s:s}]], \"x\"]", "a", "b"));
    char *want = json_dumps(root, JSON_COMPACT), *got = NULL;
    og_exec_result r = {0};
    OG_CHECK(og_exec_dump(&r, root, &got));
    assert_string_equal(got, want);
    free(got);
    free(want);
    snprintf(r.u64_marker, sizeof r.u64_marker, "\x01NONCE:");
    json_object_set_new(root, "big", json_string("\x01NONCE:18446744073709551615"));
    json_object_set_new(root, "other", json_string("\x01OTHER:5"));
    OG_CHECK(og_exec_dump(&r, root, &got));
    assert_non_null(strstr(got, "\"big\":18446744073709551615,"));
    assert_non_null(strstr(got, "\"other\":\"\\u0001OTHER:5\""));
    free(got);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warm_read_costs_one_head_probe_and_no_reads),
        cmocka_unit_test(test_session_sees_commit_of_same_handle),
        cmocka_unit_test(test_session_sees_commit_of_other_handle),
        cmocka_unit_test(test_session_named_branch_recreated_is_reopened),
        cmocka_unit_test(test_session_concurrent_views_are_distinct),
        cmocka_unit_test(test_db_query_u64_above_i64_max_is_an_exact_integer),
        cmocka_unit_test(test_db_query_cache_keeps_names_kinds_and_errors_apart),
        cmocka_unit_test(test_vector_property_read_after_table_went_resident),
        cmocka_unit_test(test_exec_dump_matches_jansson_and_unmarks_u64),
        cmocka_unit_test(test_db_query_shared_handle_readers_and_a_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
