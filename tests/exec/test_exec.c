/* test_exec.c — the query executor against graphs built through the
 * engine: acceptance expectations of the reference (cases.tsv), every
 * operator, variable-length paths with cycles, limits and mutations. */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "exec/exec.h"
#include "graph/engine.h"
#include "lang/params.h"
#include "lang/query_ast.h"
#include "lang/typecheck.h"
#include "store/store.h"

/* ---- fixture ---- */

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
static const og_store_ops SH_OPS = {"shared", sh_get, sh_get_range, sh_head, sh_put, sh_pia, sh_pim,
                                    sh_list, sh_del, sh_delp, sh_close, NULL};

typedef struct fx {
    og_store *st;
    og_graph *g;
} fx;

static char *read_data(const char *name)
{
    char path[1024];
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    snprintf(path, sizeof path, "%.*s/../data/exec/%s", (int)(slash - here), here, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static void lit(og_buf *b, const og_decl *t, const char *prop, json_t *v)
{
    const og_property *p = prop ? og_decl_find_prop(t, prop) : NULL;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (p && p->type.scalar == OG_SCALAR_DATE) { og_buf_printf(b, "date(\"%s\")", s); return; }
        if (p && p->type.scalar == OG_SCALAR_DATETIME) { og_buf_printf(b, "datetime(\"%s\")", s); return; }
        og_buf_append_byte(b, '"');
        for (; *s; s++) {
            if (*s == '"' || *s == '\\') og_buf_append_byte(b, '\\');
            og_buf_append_byte(b, (uint8_t)*s);
        }
        og_buf_append_byte(b, '"');
    } else if (json_is_integer(v)) og_buf_printf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) og_buf_printf(b, "%.17g", json_real_value(v));
    else if (json_is_boolean(v)) og_buf_append_str(b, json_is_true(v) ? "true" : "false");
    else if (json_is_array(v)) {
        og_buf_append_byte(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) og_buf_append_str(b, ", ");
            lit(b, t, NULL, json_array_get(v, i));
        }
        og_buf_append_byte(b, ']');
    }
}

/* Runs a mutation query text on a fresh txn and commits. */
static og_status mutate_text(fx *f, const char *text, const char *name, const char *params,
                             og_exec_mutation_stats *stats)
{
    og_gq_file *file = NULL;
    og_tc_query *tq = NULL;
    og_params *pp = NULL;
    og_graph_txn *x = NULL;
    og_exec_mutation_stats st;
    json_t *pj = params ? json_loads(params, 0, NULL) : NULL;
    OG_CHECK(og_gq_parse(text, strlen(text), &file));
    const og_gq_query *q = og_gq_file_find(file, name);
    assert_non_null(q);
    OG_CHECK(og_tc_check(og_graph_catalog(f->g), q, &tq));
    OG_CHECK(og_params_from_json(q->params, q->n_params, pj, &pp));
    OG_CHECK(og_graph_txn_begin(f->g, NULL, &x));
    og_status rc = og_exec_mutate(x, tq, pp, &st);
    if (rc == OG_OK) {
        og_graph_commit_result cr = {0};
        rc = og_graph_txn_commit(x, &cr);
        og_graph_commit_result_clear(&cr);
    } else {
        og_graph_txn_abort(x);
    }
    if (stats) *stats = st;
    og_params_free(pp);
    og_tc_query_free(tq);
    og_gq_file_free(file);
    json_decref(pj);
    return rc;
}

/* Loads NDJSON graph records as one insert mutation (one commit). */
static void load(fx *f, const char *jsonl)
{
    og_buf q = OG_BUF_INIT;
    const og_catalog *cat = og_graph_catalog(f->g);
    og_buf_append_str(&q, "query load() {\n");
    const char *p = jsonl;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        json_t *j = json_loadb(p, n, 0, NULL);
        p += n + (nl ? 1 : 0);
        if (!j) continue;
        json_t *ty = json_object_get(j, "type"), *ed = json_object_get(j, "edge");
        const og_decl *t = ty ? og_catalog_find_node(cat, json_string_value(ty))
                              : og_catalog_find_edge(cat, json_string_value(ed));
        assert_non_null(t);
        og_buf_printf(&q, "  insert %s { ", t->name);
        bool first = true;
        if (ed) {
            og_buf_append_str(&q, "from: ");
            lit(&q, t, NULL, json_object_get(j, "from"));
            og_buf_append_str(&q, ", to: ");
            lit(&q, t, NULL, json_object_get(j, "to"));
            first = false;
        }
        json_t *data = json_object_get(j, "data");
        const char *k;
        json_t *v;
        json_object_foreach(data, k, v) {
            if (json_is_null(v)) continue;
            og_buf_printf(&q, "%s%s: ", first ? "" : ", ", k);
            lit(&q, t, k, v);
            first = false;
        }
        og_buf_append_str(&q, " }\n");
        json_decref(j);
    }
    og_buf_append_str(&q, "}\n");
    OG_CHECK(mutate_text(f, og_buf_cstr(&q), "load", NULL, NULL));
    og_buf_free(&q);
}

static void fx_open(fx *f, const char *schema, const char *jsonl)
{
    OG_CHECK(og_store_mem_open(&f->st));
    OG_CHECK(og_graph_init(f->st, schema, strlen(schema), false, "test"));
    shared *h = calloc(1, sizeof *h);
    h->inner = f->st;
    h->base.ops = &SH_OPS;
    h->base.impl = h;
    OG_CHECK(og_graph_open(&h->base, OG_GRAPH_RW, &f->g));
    if (jsonl) load(f, jsonl);
}

static void fx_open_files(fx *f, const char *pg, const char *jsonl)
{
    char *s = read_data(pg), *d = jsonl ? read_data(jsonl) : NULL;
    fx_open(f, s, d);
    free(s);
    free(d);
}

static void fx_close(fx *f)
{
    og_graph_close(f->g);
    og_store_close(f->st);
}

/* Runs read query `name` of `text`; returns rc; *rows gets the rows array. */
static og_status query_lim(fx *f, const char *text, const char *name, const char *params,
                           const og_exec_limits *lim, json_t **rows)
{
    og_gq_file *file = NULL;
    og_tc_query *tq = NULL;
    og_params *pp = NULL;
    og_graph_view *v = NULL;
    og_exec_result r = {0};
    json_t *pj = params ? json_loads(params, 0, NULL) : NULL;
    OG_CHECK(og_gq_parse(text, strlen(text), &file));
    const og_gq_query *q = og_gq_file_find(file, name);
    assert_non_null(q);
    OG_CHECK(og_tc_check(og_graph_catalog(f->g), q, &tq));
    OG_CHECK(og_params_from_json(q->params, q->n_params, pj, &pp));
    OG_CHECK(og_graph_view_open(f->g, NULL, NULL, &v));
    og_status rc = og_exec_query(v, tq, pp, lim, &r);
    *rows = NULL;
    if (rc == OG_OK) {
        *rows = json_incref(r.rows);
        assert_int_equal(json_array_size(r.columns), tq->n_projs);
    }
    og_exec_result_clear(&r);
    og_graph_view_close(v);
    og_params_free(pp);
    og_tc_query_free(tq);
    og_gq_file_free(file);
    json_decref(pj);
    return rc;
}

static json_t *query(fx *f, const char *text, const char *name, const char *params)
{
    json_t *rows = NULL;
    OG_CHECK(query_lim(f, text, name, params, NULL, &rows));
    return rows;
}

/* rows == expected, exactly (order and values). */
static void expect_rows(json_t *rows, const char *expected)
{
    json_t *e = json_loads(expected, 0, NULL);
    assert_non_null(e);
    if (!json_equal(rows, e)) {
        char *got = json_dumps(rows, JSON_COMPACT);
        print_error("expected %s\n     got %s\n", expected, got);
        free(got);
        fail();
    }
    json_decref(e);
    json_decref(rows);
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The set of values of column `col` == expected (a JSON array, sorted). */
static void expect_colset(json_t *rows, const char *col, const char *expected)
{
    size_t n = json_array_size(rows);
    char **vals = calloc(n + 1, sizeof *vals);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char *d = json_dumps(json_object_get(json_array_get(rows, i), col), JSON_ENCODE_ANY | JSON_COMPACT);
        bool dup = false;
        for (size_t k = 0; k < m; k++) if (strcmp(vals[k], d) == 0) dup = true;
        if (dup) free(d); else vals[m++] = d;
    }
    qsort(vals, m, sizeof *vals, str_cmp);
    og_buf b = OG_BUF_INIT;
    og_buf_append_byte(&b, '[');
    for (size_t i = 0; i < m; i++) { og_buf_printf(&b, "%s%s", i ? "," : "", vals[i]); free(vals[i]); }
    og_buf_append_byte(&b, ']');
    if (strcmp(og_buf_cstr(&b), expected) != 0) {
        print_error("colset %s: expected %s got %s\n", col, expected, og_buf_cstr(&b));
        fail();
    }
    og_buf_free(&b);
    free(vals);
    json_decref(rows);
}

static size_t count(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_decref(rows);
    return n;
}

/* ---- the test graph (test.pg + test.jsonl) ---- */

static int setup_test(void **state)
{
    fx *f = calloc(1, sizeof *f);
    fx_open_files(f, "test.pg", "test.jsonl");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fx_close(f);
    free(f);
    og_exec_index_cache_clear();
    return 0;
}

static char *gq(void)
{
    static char *text;
    if (!text) text = read_data("test.gq");
    return text;
}

static void test_get_person_by_name_key_anchor(void **state)
{
    expect_rows(query(*state, gq(), "get_person", "{\"name\":\"Alice\"}"), "[{\"p.name\":\"Alice\",\"p.age\":30}]");
    assert_int_equal(count(query(*state, gq(), "get_person", "{\"name\":\"Nobody\"}")), 0);
}

static void test_adults_filter_and_order(void **state)
{
    expect_rows(query(*state, gq(), "adults", NULL), "[{\"p.name\":\"Charlie\",\"p.age\":35}]");
}

static void test_top_by_age_order_limit(void **state)
{
    expect_rows(query(*state, gq(), "top_by_age", NULL),
                "[{\"p.name\":\"Charlie\",\"p.age\":35},{\"p.name\":\"Alice\",\"p.age\":30}]");
}

static void test_traversals_out_in_two_hop(void **state)
{
    expect_colset(query(*state, gq(), "friends_of", "{\"name\":\"Alice\"}"), "f.name", "[\"Bob\",\"Charlie\"]");
    expect_rows(query(*state, gq(), "employees_of", "{\"company\":\"Acme\"}"), "[{\"p.name\":\"Alice\"}]");
    expect_colset(query(*state, gq(), "friends_of_friends", "{\"name\":\"Alice\"}"), "fof.name", "[\"Diana\"]");
    assert_int_equal(count(query(*state, gq(), "friends_of", "{\"name\":\"Diana\"}")), 0);
}

static void test_unemployed_anti_join(void **state)
{
    expect_colset(query(*state, gq(), "unemployed", NULL), "p.name", "[\"Charlie\",\"Diana\"]");
}

static void test_aggregates_group_and_global(void **state)
{
    expect_rows(query(*state, gq(), "total_people", NULL), "[{\"total\":4}]");
    expect_rows(query(*state, gq(), "top_connected", NULL), "[{\"p.name\":\"Alice\",\"friends\":2}]");
    json_t *rows = query(*state, gq(), "friend_counts", NULL);
    assert_int_equal(json_array_size(rows), 2);
    expect_rows(rows, "[{\"p.name\":\"Alice\",\"friends\":2},{\"p.name\":\"Bob\",\"friends\":1}]");
    expect_rows(query(*state, gq(), "age_stats", NULL),
                "[{\"c.name\":\"Acme\",\"total_age\":30.0,\"avg_age\":30.0,\"youngest\":30,\"oldest\":30,\"headcount\":1},"
                "{\"c.name\":\"Globex\",\"total_age\":25.0,\"avg_age\":25.0,\"youngest\":25,\"oldest\":25,\"headcount\":1}]");
}

static const char *FILTERS =
    "query young($age: I32) { match { $p: Person  $p.age < $age } return { $p.name } }\n"
    "query at_least_30() { match { $p: Person  $p.age >= 30 } return { $p.name } order { $p.name } }\n"
    "query at_most_28() { match { $p: Person  28 >= $p.age } return { $p.name } order { $p.name } }\n"
    "query not_alice() { match { $p: Person  $p.name != \"Alice\" } return { $p.name } }\n"
    "query has_li() { match { $p: Person  $p.name contains \"li\" } return { $p.name } }\n"
    "query starts_c() { match { $p: Person  $p.name starts_with \"Ch\" } return { $p.name } }\n"
    "query by_age_asc() { match { $p: Person } return { $p.name, $p.age } order { $p.age asc } }\n"
    "query desc() { match { $p: Person } return { $p.name } order { $p.age desc } }\n"
    "query lit() { match { $p: Person { name: \"Bob\" } } return { $p, 7 as seven, $p.name as n } }\n"
    "query at_acme() { match { $p: Person  $p worksAt $c  $c.name = \"Acme\" } return { $p.name } }\n"
    "query emp() { match { $p: Person  $p worksAt $c } return { $p.name, $c.name } order { $p.name } }\n"
    "query chain($name: String) { match { $p: Person { name: $name }  $p knows $m  $m knows $f } "
    "return { $p.name, $m.name, $f.name } }\n"
    "query not_at_acme() { match { $p: Person  not { $p worksAt $c  $c.name = \"Acme\" } } return { $p.name } }\n"
    "query nested() { match { $p: Person  not { $p worksAt $c  not { $c: Company { name: \"Acme\" } } } } "
    "return { $p.name } }\n"
    "query connected($name: String) { match { $p: Person { name: $name }  $p <knows> $f } return { $f.name } }\n"
    "query reach($name: String) { match { $p: Person { name: $name }  $p knows{1,3} $f } return { $f.name } }\n"
    "query comp_first($cn: String) { match { $p worksAt $c  $c: Company { name: $cn } } return { $p.name } }\n";

static void test_filter_operators(void **state)
{
    fx *f = *state;
    expect_rows(query(f, FILTERS, "young", "{\"age\":28}"), "[{\"p.name\":\"Bob\"}]");
    expect_rows(query(f, FILTERS, "at_least_30", NULL), "[{\"p.name\":\"Alice\"},{\"p.name\":\"Charlie\"}]");
    expect_rows(query(f, FILTERS, "at_most_28", NULL), "[{\"p.name\":\"Bob\"},{\"p.name\":\"Diana\"}]");
    expect_colset(query(f, FILTERS, "not_alice", NULL), "p.name", "[\"Bob\",\"Charlie\",\"Diana\"]");
    expect_colset(query(f, FILTERS, "has_li", NULL), "p.name", "[\"Alice\",\"Charlie\"]");
    expect_rows(query(f, FILTERS, "starts_c", NULL), "[{\"p.name\":\"Charlie\"}]");
}

static void test_order_asc_desc_and_projection_kinds(void **state)
{
    fx *f = *state;
    expect_rows(query(f, FILTERS, "by_age_asc", NULL),
                "[{\"p.name\":\"Bob\",\"p.age\":25},{\"p.name\":\"Diana\",\"p.age\":28},"
                "{\"p.name\":\"Alice\",\"p.age\":30},{\"p.name\":\"Charlie\",\"p.age\":35}]");
    expect_rows(query(f, FILTERS, "desc", NULL),
                "[{\"p.name\":\"Charlie\"},{\"p.name\":\"Alice\"},{\"p.name\":\"Diana\"},{\"p.name\":\"Bob\"}]");
    expect_rows(query(f, FILTERS, "lit", NULL), "[{\"p\":\"Bob\",\"seven\":7,\"n\":\"Bob\"}]");
}

static void test_traversal_planning_and_alignment(void **state)
{
    fx *f = *state;
    expect_rows(query(f, FILTERS, "at_acme", NULL), "[{\"p.name\":\"Alice\"}]");
    expect_rows(query(f, FILTERS, "emp", NULL),
                "[{\"p.name\":\"Alice\",\"c.name\":\"Acme\"},{\"p.name\":\"Bob\",\"c.name\":\"Globex\"}]");
    expect_rows(query(f, FILTERS, "chain", "{\"name\":\"Alice\"}"),
                "[{\"p.name\":\"Alice\",\"m.name\":\"Bob\",\"f.name\":\"Diana\"}]");
    expect_rows(query(f, FILTERS, "comp_first", "{\"cn\":\"Globex\"}"), "[{\"p.name\":\"Bob\"}]");
    expect_colset(query(f, FILTERS, "connected", "{\"name\":\"Bob\"}"), "f.name", "[\"Alice\",\"Diana\"]");
    expect_colset(query(f, FILTERS, "reach", "{\"name\":\"Alice\"}"), "f.name", "[\"Bob\",\"Charlie\",\"Diana\"]");
}

static void test_anti_join_predicated_and_nested(void **state)
{
    fx *f = *state;
    expect_colset(query(f, FILTERS, "not_at_acme", NULL), "p.name", "[\"Bob\",\"Charlie\",\"Diana\"]");
    expect_colset(query(f, FILTERS, "nested", NULL), "p.name", "[\"Alice\",\"Charlie\",\"Diana\"]");
}

/* Full-text search needs no index (surface.md Appendix B.2): it scans. */
static void test_search_function_filters_unindexed_field(void **state)
{
    fx *f = *state;
    static const char *SQ = "query s($q: String) { match { $p: Person  search($p.name, $q) } return { $p.name } }\n";
    expect_colset(query(f, SQ, "s", "{\"q\":\"ALICE bob\"}"), "p.name", "[\"Alice\",\"Bob\"]");
    expect_colset(query(f, SQ, "s", "{\"q\":\"x\"}"), "p.name", "[]");
}

/* ---- variable-length paths ---- */

static const char *CHAIN_PG = "node Person { name: String @key }\nedge Knows: Person -> Person\n";
static const char *REACH =
    "query reach($name: String) { match { $p: Person { name: $name }  $p knows{1,5} $f } return { $f.name } }\n"
    "query r13($name: String) { match { $p: Person { name: $name }  $p knows{1,3} $f } return { $f.name } }\n"
    "query r23($name: String) { match { $p: Person { name: $name }  $p knows{2,3} $f } return { $f.name } }\n"
    "query r22($name: String) { match { $p: Person { name: $name }  $p knows{2,2} $f } return { $f.name } }\n"
    "query friends($name: String) { match { $p: Person { name: $name }  $p knows $f } return { $f.name } }\n"
    "query und($name: String) { match { $p: Person { name: $name }  $p <knows> $f } return { $f.name } }\n"
    "query bound($name: String) { match { $p: Person { name: $name }  $p $w:knows $f } return { $f.name } }\n"
    "query no_two_hop() { match { $p: Person  not { $p knows{2,2} $x } } return { $p.name } }\n";

static void test_var_length_cycle_terminates_and_dedups(void **state)
{
    (void)state;
    fx f = {0};
    fx_open(&f, CHAIN_PG,
            "{\"type\":\"Person\",\"data\":{\"name\":\"a\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"b\"}}\n"
            "{\"type\":\"Person\",\"data\":{\"name\":\"c\"}}\n{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\"}\n"
            "{\"edge\":\"Knows\",\"from\":\"b\",\"to\":\"c\"}\n{\"edge\":\"Knows\",\"from\":\"c\",\"to\":\"a\"}\n");
    json_t *rows = query(&f, REACH, "reach", "{\"name\":\"a\"}");
    assert_int_equal(json_array_size(rows), 2);
    expect_colset(rows, "f.name", "[\"b\",\"c\"]");
    fx_close(&f);
}

static void test_var_length_self_loop_all_spellings(void **state)
{
    (void)state;
    fx f = {0};
    fx_open(&f, CHAIN_PG,
            "{\"type\":\"Person\",\"data\":{\"name\":\"a\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"b\"}}\n"
            "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"a\"}\n{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\"}\n");
    expect_colset(query(&f, REACH, "reach", "{\"name\":\"a\"}"), "f.name", "[\"a\",\"b\"]");
    json_t *rows = query(&f, REACH, "friends", "{\"name\":\"a\"}");
    assert_int_equal(json_array_size(rows), 2);
    expect_colset(rows, "f.name", "[\"a\",\"b\"]");
    rows = query(&f, REACH, "und", "{\"name\":\"a\"}");
    assert_int_equal(json_array_size(rows), 2);
    expect_colset(rows, "f.name", "[\"a\",\"b\"]");
    rows = query(&f, REACH, "bound", "{\"name\":\"a\"}");
    assert_int_equal(json_array_size(rows), 2);
    expect_colset(rows, "f.name", "[\"a\",\"b\"]");
    fx_close(&f);
}

/* One hop dedupes parallel edges and the in/out sides of `<knows>` both
 * for a short adjacency (compared against its own hits) and a long one
 * (> 32 edges: epoch marks), on every run (the later ones resident). */
static void test_one_hop_dedups_parallel_edges_short_and_long(void **state)
{
    (void)state;
    fx f = {0};
    og_buf d = OG_BUF_INIT;
    og_buf_append_str(&d, "{\"type\":\"Person\",\"data\":{\"name\":\"a\"}}\n"
                          "{\"type\":\"Person\",\"data\":{\"name\":\"s\"}}\n");
    for (int i = 0; i < 40; i++) og_buf_printf(&d, "{\"type\":\"Person\",\"data\":{\"name\":\"n%02d\"}}\n", i);
    for (int k = 0; k < 2; k++)   /* a: 3 targets over 6 out edges and 2 in edges */
        og_buf_append_str(&d, "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"n00\"}\n"
                              "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"n01\"}\n"
                              "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"a\"}\n");
    og_buf_append_str(&d, "{\"edge\":\"Knows\",\"from\":\"n01\",\"to\":\"a\"}\n"
                          "{\"edge\":\"Knows\",\"from\":\"n02\",\"to\":\"a\"}\n");
    for (int k = 0; k < 2; k++)   /* s: 40 targets over 80 out edges */
        for (int i = 0; i < 40; i++)
            og_buf_printf(&d, "{\"edge\":\"Knows\",\"from\":\"s\",\"to\":\"n%02d\"}\n", i);
    fx_open(&f, CHAIN_PG, og_buf_cstr(&d));
    for (int run = 0; run < 3; run++) {
        json_t *rows = query(&f, REACH, "friends", "{\"name\":\"a\"}");
        assert_int_equal(json_array_size(rows), 3);
        expect_colset(rows, "f.name", "[\"a\",\"n00\",\"n01\"]");
        rows = query(&f, REACH, "und", "{\"name\":\"a\"}");
        assert_int_equal(json_array_size(rows), 4);
        expect_colset(rows, "f.name", "[\"a\",\"n00\",\"n01\",\"n02\"]");
        rows = query(&f, REACH, "friends", "{\"name\":\"s\"}");
        assert_int_equal(json_array_size(rows), 40);
        json_decref(rows);
        rows = query(&f, REACH, "und", "{\"name\":\"n05\"}");
        assert_int_equal(json_array_size(rows), 1);
        json_decref(rows);
    }
    og_buf_free(&d);
    fx_close(&f);
}

/* A key probe proves only the key: the pattern's other properties are
 * still checked, on every run (the later ones on the resident table). */
static void test_key_probe_still_checks_other_pattern_props(void **state)
{
    (void)state;
    fx f = {0};
    static const char *pg = "node Person { name: String @key\n city: String }\n";
    static const char *q =
        "query by($name: String, $city: String) { match { $p: Person { name: $name, city: $city } } return { $p.name } }\n";
    fx_open(&f, pg,
            "{\"type\":\"Person\",\"data\":{\"name\":\"a\",\"city\":\"x\"}}\n"
            "{\"type\":\"Person\",\"data\":{\"name\":\"b\",\"city\":\"y\"}}\n");
    for (int run = 0; run < 3; run++) {
        expect_rows(query(&f, q, "by", "{\"name\":\"a\",\"city\":\"x\"}"), "[{\"p.name\":\"a\"}]");
        expect_rows(query(&f, q, "by", "{\"name\":\"a\",\"city\":\"y\"}"), "[]");
        expect_rows(query(&f, q, "by", "{\"name\":\"c\",\"city\":\"x\"}"), "[]");
    }
    fx_close(&f);
}

static void test_var_length_bounds_on_chain(void **state)
{
    (void)state;
    fx f = {0};
    /* a -> b -> c -> d -> e */
    fx_open(&f, CHAIN_PG,
            "{\"type\":\"Person\",\"data\":{\"name\":\"a\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"b\"}}\n"
            "{\"type\":\"Person\",\"data\":{\"name\":\"c\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"d\"}}\n"
            "{\"type\":\"Person\",\"data\":{\"name\":\"e\"}}\n"
            "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\"}\n{\"edge\":\"Knows\",\"from\":\"b\",\"to\":\"c\"}\n"
            "{\"edge\":\"Knows\",\"from\":\"c\",\"to\":\"d\"}\n{\"edge\":\"Knows\",\"from\":\"d\",\"to\":\"e\"}\n");
    expect_colset(query(&f, REACH, "r13", "{\"name\":\"a\"}"), "f.name", "[\"b\",\"c\",\"d\"]");
    expect_colset(query(&f, REACH, "r23", "{\"name\":\"a\"}"), "f.name", "[\"c\",\"d\"]");
    expect_colset(query(&f, REACH, "r22", "{\"name\":\"a\"}"), "f.name", "[\"c\"]");
    /* anti-join with bounds: only a, b, c have a node at distance exactly 2 */
    expect_colset(query(&f, REACH, "no_two_hop", NULL), "p.name", "[\"d\",\"e\"]");
    fx_close(&f);
}

static void test_graph_index_cached_per_version(void **state)
{
    (void)state;
    fx f = {0};
    og_exec_index_stats s0, s1, s2;
    og_exec_index_cache_clear();
    fx_open(&f, CHAIN_PG,
            "{\"type\":\"Person\",\"data\":{\"name\":\"a\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"b\"}}\n"
            "{\"edge\":\"Knows\",\"from\":\"a\",\"to\":\"b\"}\n");
    og_exec_index_cache_stats(&s0);
    expect_colset(query(&f, REACH, "friends", "{\"name\":\"a\"}"), "f.name", "[\"b\"]");
    expect_colset(query(&f, REACH, "friends", "{\"name\":\"a\"}"), "f.name", "[\"b\"]");
    og_exec_index_cache_stats(&s1);
    assert_int_equal(s1.builds - s0.builds, 1);
    assert_true(s1.hits - s0.hits >= 1);
    /* a new edge version gets a new index: the appended edge is seen */
    OG_CHECK(mutate_text(&f, "query add() { insert Person { name: \"c\" } insert Knows { from: \"a\", to: \"c\" } }",
                         "add", NULL, NULL));
    expect_colset(query(&f, REACH, "friends", "{\"name\":\"a\"}"), "f.name", "[\"b\",\"c\"]");
    og_exec_index_cache_stats(&s2);
    assert_int_equal(s2.builds - s1.builds, 1);
    /* a tiny budget evicts down to one entry */
    og_exec_index_cache_set_budget(1);
    og_exec_index_cache_stats(&s2);
    assert_int_equal(s2.entries, 1);
    og_exec_index_cache_set_budget(0);
    fx_close(&f);
}

static void test_limits_time_and_memory(void **state)
{
    fx *f = *state;
    json_t *rows = NULL;
    og_exec_limits lim = {0};
    lim.memory_bytes = 64;
    assert_int_equal(query_lim(f, FILTERS, "reach", "{\"name\":\"Alice\"}", &lim, &rows), OG_E_LIMIT);
    assert_non_null(strstr(og_error_last()->message, "memory"));
    assert_null(rows);
    lim.memory_bytes = 0;
    lim.timeout_us = 1000000;
    OG_CHECK(query_lim(f, FILTERS, "reach", "{\"name\":\"Alice\"}", &lim, &rows));
    json_decref(rows);
}


static const char *EDGEQ =
    "query recent($name: String) { match { $p: Person { name: $name }  $p $w:knows $f  "
    "$w.since >= date(\"2023-01-01\") } return { $f.name, $w.since } }\n"
    "query all_edges($name: String) { match { $p: Person { name: $name }  $p $w:knows $f } "
    "return { $f.name, $w.since } order { $w.since asc } }\n"
    "query all_desc($name: String) { match { $p: Person { name: $name }  $p $w:knows $f } "
    "return { $f.name } order { $w.since desc } }\n"
    "query cnt($name: String) { match { $p: Person { name: $name }  $p $w:knows $f } "
    "return { $f.name, count($w.since) as n } order { $f.name } }\n";

static void test_edge_binding_properties_nulls_and_dates(void **state)
{
    (void)state;
    fx f = {0};
    char *pg = read_data("test.pg");
    fx_open(&f, pg,
            "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"Bob\"}}\n"
            "{\"type\":\"Person\",\"data\":{\"name\":\"Charlie\"}}\n{\"type\":\"Person\",\"data\":{\"name\":\"Diana\"}}\n"
            "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Bob\",\"data\":{\"since\":\"2024-03-05\"}}\n"
            "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Charlie\"}\n"
            "{\"edge\":\"Knows\",\"from\":\"Alice\",\"to\":\"Diana\",\"data\":{\"since\":\"2020-01-01\"}}\n");
    free(pg);
    expect_rows(query(&f, EDGEQ, "recent", "{\"name\":\"Alice\"}"), "[{\"f.name\":\"Bob\",\"w.since\":\"2024-03-05\"}]");
    /* nulls first ascending, last descending */
    expect_rows(query(&f, EDGEQ, "all_edges", "{\"name\":\"Alice\"}"),
                "[{\"f.name\":\"Charlie\",\"w.since\":null},{\"f.name\":\"Diana\",\"w.since\":\"2020-01-01\"},"
                "{\"f.name\":\"Bob\",\"w.since\":\"2024-03-05\"}]");
    expect_rows(query(&f, EDGEQ, "all_desc", "{\"name\":\"Alice\"}"),
                "[{\"f.name\":\"Bob\"},{\"f.name\":\"Diana\"},{\"f.name\":\"Charlie\"}]");
    /* count of an edge property counts non-null values */
    expect_rows(query(&f, EDGEQ, "cnt", "{\"name\":\"Alice\"}"),
                "[{\"f.name\":\"Bob\",\"n\":1},{\"f.name\":\"Charlie\",\"n\":0},{\"f.name\":\"Diana\",\"n\":1}]");
    fx_close(&f);
}

static void test_datetime_output_always_has_milliseconds(void **state)
{
    (void)state;
    fx f = {0};
    fx_open(&f, "node Ev {\n  name: String @key\n  at: DateTime?\n}\n",
            "{\"type\":\"Ev\",\"data\":{\"name\":\"a\",\"at\":\"2026-04-01T08:30:00Z\"}}\n"
            "{\"type\":\"Ev\",\"data\":{\"name\":\"b\",\"at\":\"1969-12-31T23:59:59.250Z\"}}\n");
    expect_rows(query(&f, "query q() { match { $e: Ev } return { $e.name, $e.at } order { $e.name } }", "q", NULL),
                "[{\"e.name\":\"a\",\"e.at\":\"2026-04-01T08:30:00.000Z\"},"
                "{\"e.name\":\"b\",\"e.at\":\"1969-12-31T23:59:59.250Z\"}]");
    fx_close(&f);
}

static void test_list_items_keep_date_unsigned_and_bool_kinds(void **state)
{
    (void)state;
    fx f = {0};
    fx_open(&f, "node T {\n  name: String @key\n  days: [Date]?\n  ns: [U32]?\n  flags: [Bool]?\n  n: I32?\n}\n",
            NULL);
    static const char *data = "{\"type\":\"T\",\"data\":{\"name\":\"a\",\"days\":[\"2026-03-30\",\"2026-03-31\"],"
                              "\"ns\":[1,2],\"flags\":[true,false]}}\n";
    og_graph_load_opts lo = {NULL, NULL, OG_LOAD_OVERWRITE, NULL};
    og_graph_load_result lr = {0};
    OG_CHECK(og_graph_load(f.g, &lo, data, strlen(data), &lr));
    og_graph_load_result_clear(&lr);
    static const char *Q = "query q() { match { $t: T } return { $t.days, $t.ns, $t.flags, $t.n } }\n"
                           "query bump() { update T set { n: 5 } where name = \"a\" }\n";
    expect_rows(query(&f, Q, "q", NULL),
                "[{\"t.days\":[\"2026-03-30\",\"2026-03-31\"],\"t.ns\":[1,2],\"t.flags\":[true,false],\"t.n\":null}]");
    /* an update rewrites the row: the untouched lists survive with their kinds */
    OG_CHECK(mutate_text(&f, Q, "bump", NULL, NULL));
    expect_rows(query(&f, Q, "q", NULL),
                "[{\"t.days\":[\"2026-03-30\",\"2026-03-31\"],\"t.ns\":[1,2],\"t.flags\":[true,false],\"t.n\":5}]");
    fx_close(&f);
}

/* ---- mutations ---- */

static void test_mutation_f32_literal_outside_range_rejected(void **state)
{
    (void)state;
    fx f = {0};
    fx_open(&f, "node B {\n  name: String @key\n  f: F32?\n  fs: [F32]?\n}\n", NULL);
    static const char *M =
        "query big() { insert B { name: \"a\", f: 100000000000000000000000000000000000000000000.0 } }\n"
        "query bigl() { insert B { name: \"a\", fs: [1.0, 100000000000000000000000000000000000000000000.0] } }\n"
        "query ok() { insert B { name: \"a\", f: 1.5 } }\n"
        "query upd() { update B set { f: 100000000000000000000000000000000000000000000.0 } where name = \"a\" }\n";
    assert_int_equal(mutate_text(&f, M, "big", NULL, NULL), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "Float32 range"));
    assert_int_equal(mutate_text(&f, M, "bigl", NULL, NULL), OG_E_VALIDATION);
    OG_CHECK(mutate_text(&f, M, "ok", NULL, NULL));
    assert_int_equal(mutate_text(&f, M, "upd", NULL, NULL), OG_E_VALIDATION);
    expect_rows(query(&f, "query q() { match { $b: B } return { $b.f } }", "q", NULL), "[{\"b.f\":1.5}]");
    fx_close(&f);
}

static void test_mutation_unique_and_card_checked_against_committed(void **state)
{
    (void)state;
    fx f = {0};
    fx_open(&f, "node User {\n  name: String @key\n  email: String @unique\n}\n"
                "node Co {\n  name: String @key\n}\n"
                "edge WorksAt: User -> Co @card(1..1)\n", NULL);
    static const char *M =
        "query user($n: String, $e: String) { insert User { name: $n, email: $e } }\n"
        "query co($n: String) { insert Co { name: $n } }\n"
        "query hire($u: String, $c: String) { insert WorksAt { from: $u, to: $c } }\n"
        "query fire($u: String) { delete WorksAt where from = $u }\n"
        "query two($n: String, $e: String) { insert User { name: $n, email: $e }\n"
        "  insert WorksAt { from: $n, to: \"Acme\" } }\n";
    static const char *Q = "query n() { match { $u: User } return { count($u) as n } }\n"
                           "query w() { match { $u: User  $u worksAt $c } return { $u.name, $c.name } }\n";
    OG_CHECK(mutate_text(&f, M, "co", "{\"n\":\"Acme\"}", NULL));
    OG_CHECK(mutate_text(&f, M, "co", "{\"n\":\"Beta\"}", NULL));
    OG_CHECK(mutate_text(&f, M, "two", "{\"n\":\"Bob\",\"e\":\"dup@x\"}", NULL));
    /* @unique against a committed row */
    assert_int_equal(mutate_text(&f, M, "user", "{\"n\":\"Carol\",\"e\":\"dup@x\"}", NULL), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "@unique violation on User.email"));
    expect_rows(query(&f, Q, "n", NULL), "[{\"n\":1}]");
    /* @card max against committed edges */
    assert_int_equal(mutate_text(&f, M, "hire", "{\"u\":\"Bob\",\"c\":\"Beta\"}", NULL), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "@card violation"));
    /* @card min when a delete leaves the source short */
    assert_int_equal(mutate_text(&f, M, "fire", "{\"u\":\"Bob\"}", NULL), OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "min 1"));
    expect_rows(query(&f, Q, "w", NULL), "[{\"u.name\":\"Bob\",\"c.name\":\"Acme\"}]");
    fx_close(&f);
}

static const char *MUTS =
    "query add_person($name: String, $age: I32?) { insert Person { name: $name, age: $age } }\n"
    "query add_friend($from: String, $to: String) { insert Knows { from: $from, to: $to } }\n"
    "query add_and_age($name: String) { insert Person { name: $name, age: 1 }\n"
    "  update Person set { age: 41 } where name = $name }\n"
    "query add_and_link($name: String) { insert Person { name: $name }\n"
    "  insert Knows { from: \"Alice\", to: $name } }\n"
    "query retire($name: String) { delete Person where name = $name }\n"
    "query older($age: I32) { update Person set { age: 99 } where age >= $age }\n"
    "query drop_link($a: String) { delete Knows where from = $a }\n"
    "query swap($name: String) { insert Person { name: $name } delete Person where name = \"Bob\" }\n";

static const char *FRIENDS_AGE =
    "query get($name: String) { match { $p: Person { name: $name } } return { $p.name, $p.age } }\n"
    "query friends($name: String) { match { $p: Person { name: $name }  $p knows $f } return { $f.name } }\n"
    "query knows_all() { match { $a: Person  $a knows $b } return { $a.name, $b.name } }\n"
    "query n() { match { $p: Person } return { count($p) as n } }\n";

static void test_mutation_keyed_insert_is_upsert(void **state)
{
    fx *f = *state;
    og_exec_mutation_stats st;
    OG_CHECK(mutate_text(f, MUTS, "add_person", "{\"name\":\"Eve\",\"age\":22}", &st));
    assert_int_equal(st.nodes_inserted, 1);
    expect_rows(query(f, FRIENDS_AGE, "get", "{\"name\":\"Eve\"}"), "[{\"p.name\":\"Eve\",\"p.age\":22}]");
    /* the whole row is replaced: an unassigned nullable becomes null */
    OG_CHECK(mutate_text(f, MUTS, "add_person", "{\"name\":\"Eve\"}", &st));
    expect_rows(query(f, FRIENDS_AGE, "get", "{\"name\":\"Eve\"}"), "[{\"p.name\":\"Eve\",\"p.age\":null}]");
    expect_rows(query(f, FRIENDS_AGE, "n", NULL), "[{\"n\":5}]");
}

static void test_mutation_edge_insert_resolves_endpoints(void **state)
{
    fx *f = *state;
    og_exec_mutation_stats st;
    OG_CHECK(mutate_text(f, MUTS, "add_friend", "{\"from\":\"Diana\",\"to\":\"Alice\"}", &st));
    assert_int_equal(st.edges_inserted, 1);
    expect_rows(query(f, FRIENDS_AGE, "friends", "{\"name\":\"Diana\"}"), "[{\"f.name\":\"Alice\"}]");
    assert_int_equal(mutate_text(f, MUTS, "add_friend", "{\"from\":\"Diana\",\"to\":\"Nobody\"}", &st),
                     OG_E_VALIDATION);
    assert_non_null(strstr(og_error_last()->message, "dst 'Nobody' not found in Person"));
}

static void test_mutation_read_your_writes(void **state)
{
    fx *f = *state;
    og_exec_mutation_stats st;
    OG_CHECK(mutate_text(f, MUTS, "add_and_age", "{\"name\":\"Zed\"}", &st));
    assert_int_equal(st.nodes_inserted, 1);
    assert_int_equal(st.nodes_updated, 1);
    expect_rows(query(f, FRIENDS_AGE, "get", "{\"name\":\"Zed\"}"), "[{\"p.name\":\"Zed\",\"p.age\":41}]");
    OG_CHECK(mutate_text(f, MUTS, "add_and_link", "{\"name\":\"Yan\"}", &st));
    expect_colset(query(f, FRIENDS_AGE, "friends", "{\"name\":\"Alice\"}"), "f.name", "[\"Bob\",\"Charlie\",\"Yan\"]");
}

static void test_mutation_update_where_counts_matches(void **state)
{
    fx *f = *state;
    og_exec_mutation_stats st;
    OG_CHECK(mutate_text(f, MUTS, "older", "{\"age\":30}", &st));
    assert_int_equal(st.nodes_updated, 2);
    expect_rows(query(f, FRIENDS_AGE, "get", "{\"name\":\"Alice\"}"), "[{\"p.name\":\"Alice\",\"p.age\":99}]");
    expect_rows(query(f, FRIENDS_AGE, "get", "{\"name\":\"Bob\"}"), "[{\"p.name\":\"Bob\",\"p.age\":25}]");
    OG_CHECK(mutate_text(f, MUTS, "older", "{\"age\":1000}", &st));
    assert_int_equal(st.nodes_updated, 0);
}

static void test_mutation_delete_cascades_to_edges(void **state)
{
    fx *f = *state;
    og_exec_mutation_stats st;
    OG_CHECK(mutate_text(f, MUTS, "retire", "{\"name\":\"Bob\"}", &st));
    assert_int_equal(st.nodes_deleted, 1);
    /* Alice->Bob, Bob->Diana (Knows) and Bob->Globex (WorksAt) */
    assert_int_equal(st.edges_deleted, 3);
    expect_colset(query(f, FRIENDS_AGE, "knows_all", NULL), "b.name", "[\"Charlie\"]");
    OG_CHECK(mutate_text(f, MUTS, "drop_link", "{\"a\":\"Alice\"}", &st));
    assert_int_equal(st.edges_deleted, 1);
    assert_int_equal(count(query(f, FRIENDS_AGE, "knows_all", NULL)), 0);
}

static void test_mutation_mixed_insert_delete_is_atomic(void **state)
{
    fx *f = *state;
    og_exec_mutation_stats st;
    /* design.md §2 item 2: insert + delete in one query commit together */
    OG_CHECK(mutate_text(f, MUTS, "swap", "{\"name\":\"Quinn\"}", &st));
    assert_int_equal(st.nodes_inserted, 1);
    assert_int_equal(st.nodes_deleted, 1);
    assert_int_equal(count(query(f, FRIENDS_AGE, "get", "{\"name\":\"Bob\"}")), 0);
    assert_int_equal(count(query(f, FRIENDS_AGE, "get", "{\"name\":\"Quinn\"}")), 1);
    expect_rows(query(f, FRIENDS_AGE, "n", NULL), "[{\"n\":4}]");
    /* a failing statement publishes nothing */
    assert_int_equal(mutate_text(f, "query bad() { insert Person { name: \"New\" } "
                                    "insert Knows { from: \"New\", to: \"Ghost\" } }", "bad", NULL, &st),
                     OG_E_VALIDATION);
    assert_int_equal(count(query(f, FRIENDS_AGE, "get", "{\"name\":\"New\"}")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_person_by_name_key_anchor, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_adults_filter_and_order, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_top_by_age_order_limit, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_traversals_out_in_two_hop, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_unemployed_anti_join, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_aggregates_group_and_global, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_filter_operators, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_order_asc_desc_and_projection_kinds, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_traversal_planning_and_alignment, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_anti_join_predicated_and_nested, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_search_function_filters_unindexed_field, setup_test, teardown),
        cmocka_unit_test(test_var_length_cycle_terminates_and_dedups),
        cmocka_unit_test(test_var_length_self_loop_all_spellings),
        cmocka_unit_test(test_one_hop_dedups_parallel_edges_short_and_long),
        cmocka_unit_test(test_key_probe_still_checks_other_pattern_props),
        cmocka_unit_test(test_var_length_bounds_on_chain),
        cmocka_unit_test(test_graph_index_cached_per_version),
        cmocka_unit_test(test_edge_binding_properties_nulls_and_dates),
        cmocka_unit_test(test_datetime_output_always_has_milliseconds),
        cmocka_unit_test(test_list_items_keep_date_unsigned_and_bool_kinds),
        cmocka_unit_test_setup_teardown(test_limits_time_and_memory, setup_test, teardown),
        cmocka_unit_test(test_mutation_unique_and_card_checked_against_committed),
        cmocka_unit_test(test_mutation_f32_literal_outside_range_rejected),
        cmocka_unit_test_setup_teardown(test_mutation_keyed_insert_is_upsert, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_mutation_edge_insert_resolves_endpoints, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_mutation_read_your_writes, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_mutation_update_where_counts_matches, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_mutation_delete_cascades_to_edges, setup_test, teardown),
        cmocka_unit_test_setup_teardown(test_mutation_mixed_insert_delete_is_atomic, setup_test, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
