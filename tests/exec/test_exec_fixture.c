/* test_exec_fixture.c — the executor over a generated graph of 6 node and
 * 6 edge types (a few thousand entities, seeded and deterministic), loaded
 * through og_graph_load. Every expectation is computed by a brute-force
 * evaluator over the generated in-memory arrays, never by the engine. */
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

#define NP 1200
#define NC 40
#define NCITY 15
#define NPJ 80
#define NS 25
#define NEV 30
#define MAXK 6
#define NTAGS 5

typedef struct person {
    char slug[8], name[32];
    bool has_age, has_score, has_joined;
    int age;
    double score;
    bool active;
    int joined;             /* days since 1970 */
    unsigned tags;          /* bit set over TAGS */
    int knows[MAXK], nk;
    int company, city;
} person;

static const char *TAGS[NTAGS] = {"red", "green", "blue", "gold", "gray"};
static const char *SYL[8] = {"ka", "lo", "mi", "ra", "zu", "te", "no", "vi"};

static person P[NP];
static int64_t C_SIZE[NC];
static int PJ_OWNER[NPJ];
static bool PJ_HAS_BUDGET[NPJ];
static int64_t PJ_BUDGET[NPJ];
static og_graph *G;
static char COMMIT0[64];

static uint64_t rng = 42;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rng >> 33) % n);
}

static void civil(int days, char out[16])
{
    /* days since 1970-01-01 -> YYYY-MM-DD (Howard Hinnant's algorithm) */
    int z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = (int)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 16, "%04d-%02u-%02u", (y + (m <= 2)) % 10000, m % 100, d % 100);
}

static void gen(og_buf *b)
{
    for (int i = 0; i < NC; i++) {
        C_SIZE[i] = (int64_t)rnd(100000) * 1000;
        og_buf_printf(b, "{\"type\":\"Company\",\"data\":{\"slug\":\"c%03d\",\"size\":%lld}}\n", i, (long long)C_SIZE[i]);
    }
    for (int i = 0; i < NCITY; i++) og_buf_printf(b, "{\"type\":\"City\",\"data\":{\"slug\":\"t%02d\"}}\n", i);
    for (int i = 0; i < NS; i++) og_buf_printf(b, "{\"type\":\"Skill\",\"data\":{\"slug\":\"s%02d\"}}\n", i);
    for (int i = 0; i < NEV; i++) og_buf_printf(b, "{\"type\":\"Event\",\"data\":{\"slug\":\"e%02d\"}}\n", i);
    for (int i = 0; i < NPJ; i++) {
        PJ_OWNER[i] = (int)rnd(NC);
        PJ_HAS_BUDGET[i] = rnd(10) != 0;
        PJ_BUDGET[i] = rnd(1000);
        og_buf_printf(b, "{\"type\":\"Project\",\"data\":{\"slug\":\"j%02d\"", i);
        if (PJ_HAS_BUDGET[i]) og_buf_printf(b, ",\"budget\":%lld", (long long)PJ_BUDGET[i]);
        og_buf_append_str(b, "}}\n");
    }
    for (int i = 0; i < NP; i++) {
        person *p = &P[i];
        snprintf(p->slug, sizeof p->slug, "p%04d", i);
        int ns = 2 + (int)rnd(3);
        p->name[0] = 0;
        for (int k = 0; k < ns; k++) strcat(p->name, SYL[rnd(8)]);
        p->has_age = rnd(10) != 0;
        p->age = 18 + (int)rnd(60);
        p->has_score = rnd(8) != 0;
        p->score = (double)rnd(1000) / 8.0;   /* exact in binary, many ties */
        p->active = rnd(2);
        p->has_joined = rnd(6) != 0;
        p->joined = 15000 + (int)rnd(3000);
        p->tags = rnd(1u << NTAGS);
        p->company = (int)rnd(NC);
        p->city = (int)rnd(NCITY);
        og_buf_printf(b, "{\"type\":\"Person\",\"data\":{\"slug\":\"%s\",\"name\":\"%s\",\"active\":%s", p->slug, p->name,
                      p->active ? "true" : "false");
        if (p->has_age) og_buf_printf(b, ",\"age\":%d", p->age);
        if (p->has_score) og_buf_printf(b, ",\"score\":%.3f", p->score);
        if (p->has_joined) { char d[16]; civil(p->joined, d); og_buf_printf(b, ",\"joined\":\"%s\"", d); }
        if (p->tags) {
            og_buf_append_str(b, ",\"tags\":[");
            bool first = true;
            for (int t = 0; t < NTAGS; t++)
                if (p->tags & (1u << t)) { og_buf_printf(b, "%s\"%s\"", first ? "" : ",", TAGS[t]); first = false; }
            og_buf_append_byte(b, ']');
        }
        og_buf_append_str(b, "}}\n");
    }
    for (int i = 0; i < NP; i++) {
        person *p = &P[i];
        int want = (int)rnd(MAXK);
        for (int k = 0; k < want; k++) {
            int t = (int)rnd(i < 100 ? 100 : NP);   /* a dense, cyclic core */
            bool dup = t == i;
            for (int m = 0; m < p->nk; m++) dup = dup || p->knows[m] == t;
            if (dup) continue;
            p->knows[p->nk++] = t;
            og_buf_printf(b, "{\"edge\":\"Knows\",\"from\":\"%s\",\"to\":\"p%04d\"", p->slug, t);
            if (rnd(4)) og_buf_printf(b, ",\"data\":{\"since\":%d}", 1990 + (int)rnd(30));
            og_buf_append_str(b, "}\n");
        }
        og_buf_printf(b, "{\"edge\":\"WorksAt\",\"from\":\"%s\",\"to\":\"c%03d\"}\n", p->slug, p->company);
        og_buf_printf(b, "{\"edge\":\"LivesIn\",\"from\":\"%s\",\"to\":\"t%02d\"}\n", p->slug, p->city);
        for (int k = (int)rnd(3); k > 0; k--)
            og_buf_printf(b, "{\"edge\":\"HasSkill\",\"from\":\"%s\",\"to\":\"s%02d\"}\n", p->slug, (int)rnd(NS));
        if (rnd(3) == 0) og_buf_printf(b, "{\"edge\":\"Attends\",\"from\":\"%s\",\"to\":\"e%02d\"}\n", p->slug, (int)rnd(NEV));
    }
    for (int i = 0; i < NPJ; i++)
        og_buf_printf(b, "{\"edge\":\"Owns\",\"from\":\"c%03d\",\"to\":\"j%02d\"}\n", PJ_OWNER[i], i);
}

static const char *SCHEMA =
    "node Person { slug: String @key\n name: String\n age: I32?\n score: F64?\n active: Bool\n joined: Date?\n tags: [String]? }\n"
    "node Company { slug: String @key\n size: I64 }\n"
    "node City { slug: String @key }\n"
    "node Project { slug: String @key\n budget: I64? }\n"
    "node Skill { slug: String @key }\n"
    "node Event { slug: String @key }\n"
    "edge Knows: Person -> Person { since: I32? }\n"
    "edge WorksAt: Person -> Company\n"
    "edge LivesIn: Person -> City\n"
    "edge HasSkill: Person -> Skill\n"
    "edge Attends: Person -> Event\n"
    "edge Owns: Company -> Project\n";

static int setup_all(void **state)
{
    (void)state;
    og_store *st = NULL;
    og_buf b = OG_BUF_INIT;
    og_graph_load_opts o = {0};
    og_graph_load_result lr = {0};
    gen(&b);
    if (og_store_mem_open(&st) || og_graph_init(st, SCHEMA, strlen(SCHEMA), false, "test") ||
        og_graph_open(st, OG_GRAPH_RW, &G))
        return -1;
    o.mode = OG_LOAD_OVERWRITE;
    og_status rc = og_graph_load(G, &o, b.data, b.len, &lr);
    if (rc) { fprintf(stderr, "load: %s\n", og_error_last()->message); return -1; }
    snprintf(COMMIT0, sizeof COMMIT0, "%s", lr.commit.commit_id);
    og_graph_load_result_clear(&lr);
    og_buf_free(&b);
    return 0;
}

static int teardown_all(void **state)
{
    (void)state;
    og_graph_close(G);
    og_exec_index_cache_clear();
    og_exec_res_cache_clear();
    return 0;
}

/* Runs `name` of text with JSON params at `commit` (NULL = head). */
static og_status run(const char *text, const char *name, json_t *params, const char *commit,
                     const og_exec_limits *lim, json_t **rows)
{
    og_gq_file *file = NULL;
    og_tc_query *tq = NULL;
    og_params *pp = NULL;
    og_graph_view *v = NULL;
    og_exec_result r = {0};
    OG_CHECK(og_gq_parse(text, strlen(text), &file));
    const og_gq_query *q = og_gq_file_find(file, name);
    assert_non_null(q);
    OG_CHECK(og_tc_check(og_graph_catalog(G), q, &tq));
    OG_CHECK(og_params_from_json(q->params, q->n_params, params, &pp));
    OG_CHECK(og_graph_view_open(G, NULL, commit, &v));
    og_status rc = og_exec_query(v, tq, pp, lim, &r);
    *rows = rc ? NULL : json_incref(r.rows);
    og_exec_result_clear(&r);
    og_graph_view_close(v);
    og_params_free(pp);
    og_tc_query_free(tq);
    og_gq_file_free(file);
    json_decref(params);
    return rc;
}

static json_t *rows_of(const char *text, const char *name, json_t *params)
{
    json_t *rows = NULL;
    OG_CHECK(run(text, name, params, NULL, NULL, &rows));
    return rows;
}

/* Column `col` of rows == want (both consumed). */
static void expect_col(json_t *rows, const char *col, json_t *want, const char *what)
{
    json_t *got = json_array();
    for (size_t i = 0; i < json_array_size(rows); i++) json_array_append(got, json_object_get(json_array_get(rows, i), col));
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
        print_error("%s: expected %.400s\n got %.400s\n", what, w, g);
        free(g);
        free(w);
        fail();
    }
    json_decref(got);
    json_decref(want);
    json_decref(rows);
}

static bool cmp_int(int a, const char *op, int b)
{
    if (!strcmp(op, "=")) return a == b;
    if (!strcmp(op, "!=")) return a != b;
    if (!strcmp(op, "<")) return a < b;
    if (!strcmp(op, "<=")) return a <= b;
    if (!strcmp(op, ">")) return a > b;
    return a >= b;
}

static void test_every_comparison_operator_with_nulls_and_param_types(void **state)
{
    (void)state;
    static const char *ops[] = {"=", "!=", "<", "<=", ">", ">="};
    char text[4096];
    for (size_t k = 0; k < 6; k++) {
        snprintf(text, sizeof text,
                 "query a($x: I32) { match { $p: Person  $p.age %s $x } return { $p.slug } order { $p.slug } }\n"
                 "query s($x: F64) { match { $p: Person  $p.score %s $x } return { $p.slug } order { $p.slug } }\n"
                 "query d($x: Date) { match { $p: Person  $p.joined %s $x } return { $p.slug } order { $p.slug } }\n"
                 "query c($x: I64) { match { $c: Company  $c.size %s $x } return { $c.slug } order { $c.slug } }\n",
                 ops[k], ops[k], ops[k], ops[k]);
        json_t *wa = json_array(), *ws = json_array(), *wd = json_array(), *wc = json_array();
        for (int i = 0; i < NP; i++) {
            if (P[i].has_age && cmp_int(P[i].age, ops[k], 40)) json_array_append_new(wa, json_string(P[i].slug));
            if (P[i].has_score && cmp_int(P[i].score < 62.5 ? -1 : P[i].score > 62.5, ops[k], 0))
                json_array_append_new(ws, json_string(P[i].slug));
            if (P[i].has_joined && cmp_int(P[i].joined, ops[k], 16000)) json_array_append_new(wd, json_string(P[i].slug));
        }
        for (int i = 0; i < NC; i++) {
            char s[8];
            snprintf(s, sizeof s, "c%03d", i);
            if (cmp_int(C_SIZE[i] < 50000000 ? -1 : C_SIZE[i] > 50000000, ops[k], 0)) json_array_append_new(wc, json_string(s));
        }
        char dd[16];
        civil(16000, dd);
        expect_col(rows_of(text, "a", json_pack("{si}", "x", 40)), "p.slug", wa, ops[k]);
        expect_col(rows_of(text, "s", json_pack("{sf}", "x", 62.5)), "p.slug", ws, ops[k]);
        expect_col(rows_of(text, "d", json_pack("{ss}", "x", dd)), "p.slug", wd, ops[k]);
        expect_col(rows_of(text, "c", json_pack("{sI}", "x", (json_int_t)50000000)), "c.slug", wc, ops[k]);
    }
}

static void test_string_list_and_bool_operators(void **state)
{
    (void)state;
    const char *text =
        "query has($s: String) { match { $p: Person  $p.name contains $s } return { $p.slug } order { $p.slug } }\n"
        "query pre($s: String) { match { $p: Person  $p.name starts_with $s } return { $p.slug } order { $p.slug } }\n"
        "query tag($t: String) { match { $p: Person  $p.tags contains $t } return { $p.slug } order { $p.slug } }\n"
        "query ptag($t: String) { match { $p: Person { tags: $t } } return { $p.slug } order { $p.slug } }\n"
        "query act($b: Bool) { match { $p: Person { active: $b } } return { $p.slug } order { $p.slug } }\n";
    json_t *w1 = json_array(), *w2 = json_array(), *w3 = json_array(), *w4 = json_array(), *w5 = json_array();
    for (int i = 0; i < NP; i++) {
        if (strstr(P[i].name, "zute")) json_array_append_new(w1, json_string(P[i].slug));
        if (!strncmp(P[i].name, "mika", 4)) json_array_append_new(w2, json_string(P[i].slug));
        if (P[i].tags & 4) { json_array_append_new(w3, json_string(P[i].slug)); json_array_append_new(w4, json_string(P[i].slug)); }
        if (!P[i].active) json_array_append_new(w5, json_string(P[i].slug));
    }
    assert_true(json_array_size(w1) > 0 && json_array_size(w2) > 0);
    expect_col(rows_of(text, "has", json_pack("{ss}", "s", "zute")), "p.slug", w1, "contains");
    expect_col(rows_of(text, "pre", json_pack("{ss}", "s", "mika")), "p.slug", w2, "starts_with");
    expect_col(rows_of(text, "tag", json_pack("{ss}", "t", "blue")), "p.slug", w3, "list contains");
    expect_col(rows_of(text, "ptag", json_pack("{ss}", "t", "blue")), "p.slug", w4, "list membership pattern");
    expect_col(rows_of(text, "act", json_pack("{sb}", "b", 0)), "p.slug", w5, "bool");
}

/* Order: age desc (nulls last), score asc (nulls first), then id. */
static int ord_cmp(const void *pa, const void *pb)
{
    const person *a = &P[*(const int *)pa], *b = &P[*(const int *)pb];
    if (a->has_age != b->has_age) return a->has_age ? -1 : 1;
    if (a->has_age && a->age != b->age) return a->age > b->age ? -1 : 1;
    if (a->has_score != b->has_score) return a->has_score ? 1 : -1;
    if (a->has_score && a->score != b->score) return a->score < b->score ? -1 : 1;
    return strcmp(a->slug, b->slug);
}

static void test_order_ties_nulls_and_top_k_limit(void **state)
{
    (void)state;
    const char *text =
        "query all() { match { $p: Person } return { $p.slug } order { $p.age desc, $p.score asc } }\n"
        "query top($n: I64) { match { $p: Person } return { $p.slug } order { $p.age desc, $p.score asc } limit 37 }\n";
    int idx[NP];
    for (int i = 0; i < NP; i++) idx[i] = NP - 1 - i;
    qsort(idx, NP, sizeof *idx, ord_cmp);
    json_t *all = json_array(), *top = json_array();
    for (int i = 0; i < NP; i++) {
        json_array_append_new(all, json_string(P[idx[i]].slug));
        if (i < 37) json_array_append_new(top, json_string(P[idx[i]].slug));
    }
    expect_col(rows_of(text, "all", NULL), "p.slug", all, "full order");
    expect_col(rows_of(text, "top", json_pack("{si}", "n", 1)), "p.slug", top, "top 37");
}

/* Nodes at BFS distance lo..hi from s (s itself excluded). */
static json_t *bfs_expect(int s, int lo, int hi)
{
    int dist[NP], q[NP], h = 0, t = 0;
    for (int i = 0; i < NP; i++) dist[i] = -1;
    dist[s] = 0;
    q[t++] = s;
    while (h < t) {
        int u = q[h++];
        if (dist[u] == hi) continue;
        for (int k = 0; k < P[u].nk; k++)
            if (dist[P[u].knows[k]] < 0) { dist[P[u].knows[k]] = dist[u] + 1; q[t++] = P[u].knows[k]; }
    }
    json_t *w = json_array();
    for (int i = 0; i < NP; i++)
        if (dist[i] >= lo && dist[i] <= hi && i != s) json_array_append_new(w, json_string(P[i].slug));
    return w;
}

static void test_var_length_traversal_with_cycles(void **state)
{
    (void)state;
    const char *text =
        "query r13($s: String) { match { $p: Person { slug: $s }  $p knows{1,3} $f } return { $f.slug } order { $f.slug } }\n"
        "query r23($s: String) { match { $p: Person { slug: $s }  $p knows{2,3} $f } return { $f.slug } order { $f.slug } }\n"
        "query r1($s: String) { match { $p: Person { slug: $s }  $p knows $f } return { $f.slug } order { $f.slug } }\n";
    for (int s = 0; s < NP; s += 97) {
        expect_col(rows_of(text, "r13", json_pack("{ss}", "s", P[s].slug)), "f.slug", bfs_expect(s, 1, 3), "knows{1,3}");
        expect_col(rows_of(text, "r23", json_pack("{ss}", "s", P[s].slug)), "f.slug", bfs_expect(s, 2, 3), "knows{2,3}");
        expect_col(rows_of(text, "r1", json_pack("{ss}", "s", P[s].slug)), "f.slug", bfs_expect(s, 1, 1), "knows");
    }
}

/* The people who know s (incoming), by brute force. */
static json_t *in_expect(int s)
{
    json_t *w = json_array();
    for (int i = 0; i < NP; i++)
        for (int k = 0; k < P[i].nk; k++)
            if (P[i].knows[k] == s) { json_array_append_new(w, json_string(P[i].slug)); break; }
    return w;
}

static json_t *session_rows(og_exec_session *sess, const char *text, const char *name, json_t *params)
{
    og_gq_file *file = NULL;
    og_tc_query *tq = NULL;
    og_params *pp = NULL;
    og_graph_view *v = NULL;
    og_exec_result r = {0};
    OG_CHECK(og_gq_parse(text, strlen(text), &file));
    const og_gq_query *q = og_gq_file_find(file, name);
    assert_non_null(q);
    OG_CHECK(og_tc_check(og_graph_catalog(G), q, &tq));
    OG_CHECK(og_params_from_json(q->params, q->n_params, params, &pp));
    OG_CHECK(og_exec_session_view(sess, NULL, &v));
    OG_CHECK(og_exec_session_query(sess, v, tq, pp, NULL, &r));
    json_t *rows = json_incref(r.rows);
    og_exec_result_clear(&r);
    og_exec_session_release(sess, v);
    og_params_free(pp);
    og_tc_query_free(tq);
    og_gq_file_free(file);
    json_decref(params);
    return rows;
}

/* The same traversals through a session: pinned view, memoised resident
 * tables and graph index, dense-id row maps (warm from the second query
 * on), in both directions and with a bound far end. */
static void test_traversals_through_session_memo_match_brute_force(void **state)
{
    (void)state;
    og_exec_session *sess = NULL;
    const char *text =
        "query r13($s: String) { match { $p: Person { slug: $s }  $p knows{1,3} $f } return { $f.slug } order { $f.slug } }\n"
        "query r22($s: String) { match { $p: Person { slug: $s }  $p knows{2,2} $f } return { $f.slug } order { $f.slug } }\n"
        "query rin($s: String) { match { $p: Person { slug: $s }  $f knows $p } return { $f.slug } order { $f.slug } }\n"
        "query both($s: String, $t: String) { match { $p: Person { slug: $s }  $f: Person { slug: $t }  $p knows $f } "
        "return { $f.slug } }\n";
    OG_CHECK(og_exec_session_new(G, &sess));
    for (int rep = 0; rep < 3; rep++)
        for (int s = 0; s < NP; s += 61) {
            expect_col(session_rows(sess, text, "r13", json_pack("{ss}", "s", P[s].slug)), "f.slug",
                       bfs_expect(s, 1, 3), "session knows{1,3}");
            expect_col(session_rows(sess, text, "r22", json_pack("{ss}", "s", P[s].slug)), "f.slug",
                       bfs_expect(s, 2, 2), "session knows{2,2}");
            expect_col(session_rows(sess, text, "rin", json_pack("{ss}", "s", P[s].slug)), "f.slug",
                       in_expect(s), "session incoming knows");
            int t = P[s].nk ? P[s].knows[0] : (s + 1) % NP;
            json_t *want = json_array();
            for (int k = 0; k < P[s].nk; k++)
                if (P[s].knows[k] == t) { json_array_append_new(want, json_string(P[t].slug)); break; }
            expect_col(session_rows(sess, text, "both", json_pack("{ssss}", "s", P[s].slug, "t", P[t].slug)),
                       "f.slug", want, "session bound far end");
        }
    og_exec_session_free(sess);
}

static void test_anti_join_with_nested_traversals(void **state)
{
    (void)state;
    const char *text =
        "query poor($b: I64) { match { $p: Person  not { $p worksAt $c  $c owns $j  $j.budget > $b } } "
        "return { $p.slug } order { $p.slug } }\n"
        "query lonely() { match { $p: Person  $p.age > 70  not { $p knows $f  $f knows $p } } "
        "return { $p.slug } order { $p.slug } }\n";
    json_t *w = json_array(), *w2 = json_array();
    for (int i = 0; i < NP; i++) {
        bool rich = false;
        for (int j = 0; j < NPJ; j++)
            if (PJ_OWNER[j] == P[i].company && PJ_HAS_BUDGET[j] && PJ_BUDGET[j] > 500) rich = true;
        if (!rich) json_array_append_new(w, json_string(P[i].slug));
        if (!P[i].has_age || P[i].age <= 70) continue;
        bool mutual = false;
        for (int k = 0; k < P[i].nk; k++) {
            const person *f = &P[P[i].knows[k]];
            for (int m = 0; m < f->nk; m++) if (f->knows[m] == i) mutual = true;
        }
        if (!mutual) json_array_append_new(w2, json_string(P[i].slug));
    }
    expect_col(rows_of(text, "poor", json_pack("{sI}", "b", (json_int_t)500)), "p.slug", w, "not {} over 2 hops");
    expect_col(rows_of(text, "lonely", NULL), "p.slug", w2, "not {} with a cycle back");
}

static void test_grouped_aggregates(void **state)
{
    (void)state;
    const char *text =
        "query g() { match { $p: Person  $p livesIn $c } return { $c.slug, count($p) as n, count($p.age) as na, "
        "min($p.age) as lo, max($p.age) as hi, sum($p.age) as s } order { $c.slug } }\n";
    json_t *rows = rows_of(text, "g", NULL);
    assert_int_equal(json_array_size(rows), NCITY);
    for (int c = 0; c < NCITY; c++) {
        int n = 0, na = 0, lo = 1000, hi = -1;
        double sum = 0;
        for (int i = 0; i < NP; i++) {
            if (P[i].city != c) continue;
            n++;
            if (!P[i].has_age) continue;
            na++;
            sum += P[i].age;
            if (P[i].age < lo) lo = P[i].age;
            if (P[i].age > hi) hi = P[i].age;
        }
        json_t *r = json_array_get(rows, (size_t)c);
        char slug[8];
        snprintf(slug, sizeof slug, "t%02d", c);
        assert_string_equal(json_string_value(json_object_get(r, "c.slug")), slug);
        assert_int_equal(json_integer_value(json_object_get(r, "n")), n);
        assert_int_equal(json_integer_value(json_object_get(r, "na")), na);
        assert_int_equal(json_integer_value(json_object_get(r, "lo")), lo);
        assert_int_equal(json_integer_value(json_object_get(r, "hi")), hi);
        assert_true(json_number_value(json_object_get(r, "s")) == sum);
    }
    json_decref(rows);
}

static void test_snapshot_read_after_later_write_and_limits(void **state)
{
    (void)state;
    const char *text =
        "query n() { match { $p: Person } return { count($p) as n } }\n"
        "query far() { match { $p: Person  $p knows{1,6} $f } return { count($f) as n } }\n";
    const char *mut = "query drop() { delete Person where age < 25 }\n";
    int young = 0;
    for (int i = 0; i < NP; i++) young += P[i].has_age && P[i].age < 25;
    og_gq_file *file = NULL;
    og_tc_query *tq = NULL;
    og_params *pp = NULL;
    og_graph_txn *x = NULL;
    og_exec_mutation_stats ms;
    og_graph_commit_result cr = {0};
    OG_CHECK(og_gq_parse(mut, strlen(mut), &file));
    OG_CHECK(og_tc_check(og_graph_catalog(G), og_gq_file_find(file, "drop"), &tq));
    OG_CHECK(og_params_from_json(NULL, 0, NULL, &pp));
    OG_CHECK(og_graph_txn_begin(G, NULL, &x));
    OG_CHECK(og_exec_mutate(x, tq, pp, &ms));
    OG_CHECK(og_graph_txn_commit(x, &cr));
    assert_int_equal(ms.nodes_deleted, (uint64_t)young);
    og_graph_commit_result_clear(&cr);
    og_params_free(pp);
    og_tc_query_free(tq);
    og_gq_file_free(file);

    json_t *rows = NULL;
    OG_CHECK(run(text, "n", NULL, NULL, NULL, &rows));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "n")), NP - young);
    json_decref(rows);
    OG_CHECK(run(text, "n", NULL, COMMIT0, NULL, &rows));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "n")), NP);
    json_decref(rows);

    og_exec_limits lim = {0};
    lim.timeout_us = 1;
    assert_int_equal(run(text, "far", NULL, COMMIT0, &lim, &rows), OG_E_LIMIT);
    assert_non_null(strstr(og_error_last()->message, "time"));
    lim.timeout_us = 0;
    lim.memory_bytes = 4096;
    assert_int_equal(run(text, "far", NULL, COMMIT0, &lim, &rows), OG_E_LIMIT);
    assert_non_null(strstr(og_error_last()->message, "memory"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_comparison_operator_with_nulls_and_param_types),
        cmocka_unit_test(test_string_list_and_bool_operators),
        cmocka_unit_test(test_order_ties_nulls_and_top_k_limit),
        cmocka_unit_test(test_var_length_traversal_with_cycles),
        cmocka_unit_test(test_traversals_through_session_memo_match_brute_force),
        cmocka_unit_test(test_anti_join_with_nested_traversals),
        cmocka_unit_test(test_grouped_aggregates),
        cmocka_unit_test(test_snapshot_read_after_later_write_and_limits),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
