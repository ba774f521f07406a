/* test_search.c — the search functions of surface.md §2.8 through the
 * public C API (og_db_query, which the CLI and the HTTP route share) and
 * the scoring module underneath. Expected rankings are computed here
 * independently: BM25 by hand over a tiny corpus, L2 distances by brute
 * force, RRF from those two rankings, the mock embedding from the
 * algorithm of surface.md §9. No test reaches the network: every provider
 * key variable is unset before a string query runs. */
#include "testutil.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/embed.h"
#include "exec/search.h"
#include "omnigraph.h"

/* ---- corpus ---- */

static const char *PG =
    "node Doc {\n"
    "  slug: String @key\n"
    "  title: String? @index\n"
    "  status: String\n"
    "  embedding: Vector(3)?\n"
    "}\n"
    "node Tag {\n  name: String @key\n}\n"
    "edge Tagged: Doc -> Tag\n";

#define NDOC 6
static const char *SLUG[NDOC] = {"d1", "d2", "d3", "d4", "d5", "d6"};
static const char *TITLE[NDOC] = {
    "The red cat and the blue fish",
    "Red red red dog",
    "A green tree",
    "blue bird, blue tree, blue sky",
    "cat cat dog bird fish tree red",
    NULL,
};
static const char *STATUS[NDOC] = {"on", "off", "on", "off", "on", "on"};
static const float VEC[NDOC][3] = {
    {0.9f, 0.1f, 0.0f}, {0.2f, 0.8f, 0.1f}, {0.5f, 0.5f, 0.5f},
    {-0.3f, 0.2f, 0.9f}, {0.7f, -0.2f, 0.1f}, {0.0f, 0.0f, 0.0f},
};

static const char *GQ =
    "query bm($q: String) {\n"
    "  match { $d: Doc }\n"
    "  return { $d.slug, bm25($d.title, $q) as s }\n"
    "  order { bm25($d.title, $q) }\n"
    "  limit 10\n"
    "}\n"
    "query near($v: Vector(3), $k: I64) {\n"
    "  match { $d: Doc }\n"
    "  return { $d.slug, nearest($d.embedding, $v) as dist }\n"
    "  order { nearest($d.embedding, $v) }\n"
    "  limit 3\n"
    "}\n"
    "query near_on($v: Vector(3)) {\n"
    "  match { $d: Doc { status: \"on\" } }\n"
    "  return { $d.slug }\n"
    "  order { nearest($d.embedding, $v) }\n"
    "  limit 2\n"
    "}\n"
    "query hybrid($v: Vector(3), $q: String) {\n"
    "  match { $d: Doc }\n"
    "  return { $d.slug, rrf(nearest($d.embedding, $v), bm25($d.title, $q)) as s }\n"
    "  order { rrf(nearest($d.embedding, $v), bm25($d.title, $q)) }\n"
    "  limit 4\n"
    "}\n"
    "query txt($q: String) {\n"
    "  match { $d: Doc\n  search($d.title, $q) }\n"
    "  return { $d.slug }\n"
    "  order { $d.slug }\n"
    "}\n"
    "query mt($q: String) {\n"
    "  match { $d: Doc\n  match_text($d.title, $q) }\n"
    "  return { $d.slug }\n"
    "  order { $d.slug }\n"
    "}\n"
    "query fz($q: String, $m: I64) {\n"
    "  match { $d: Doc\n  fuzzy($d.title, $q, $m) }\n"
    "  return { $d.slug }\n"
    "  order { $d.slug }\n"
    "}\n"
    "query fz2($q: String) {\n"
    "  match { $d: Doc\n  fuzzy($d.title, $q) }\n"
    "  return { $d.slug }\n"
    "  order { $d.slug }\n"
    "}\n"
    "query fan($v: Vector(3)) {\n"
    "  match { $d: Doc\n  $d tagged $t }\n"
    "  return { $d.slug, $t.name }\n"
    "  order { nearest($d.embedding, $v) }\n"
    "  limit 3\n"
    "}\n"
    "query bm_on($q: String) {\n"
    "  match { $d: Doc { status: \"on\" } }\n"
    "  return { $d.slug, bm25($d.title, $q) as s }\n"
    "  order { bm25($d.title, $q) }\n"
    "  limit 10\n"
    "}\n"
    "query near_lit() {\n"
    "  match { $d: Doc }\n"
    "  return { $d.slug }\n"
    "  order { nearest($d.embedding, [0.5, 0.5, 0.5]) }\n"
    "  limit 10\n"
    "}\n"
    "query not_red() {\n"
    "  match { $d: Doc\n  not { search($d.title, \"red\") } }\n"
    "  return { $d.slug }\n"
    "  order { $d.slug }\n"
    "}\n";

typedef struct fx {
    char *dir;
    char uri[512];
    og_db *db;
} fx;

static json_t *parse(char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    og_free(text);
    return j;
}

static char *corpus_ndjson(void)
{
    size_t cap = 8192, len = 0;
    char *s = malloc(cap);
    for (int i = 0; i < NDOC; i++) {
        char title[128];
        if (TITLE[i]) snprintf(title, sizeof title, "\"%s\"", TITLE[i]);
        else snprintf(title, sizeof title, "null");
        len += (size_t)snprintf(s + len, cap - len,
                                "{\"type\":\"Doc\",\"data\":{\"slug\":\"%s\",\"title\":%s,\"status\":\"%s\","
                                "\"embedding\":[%.9g,%.9g,%.9g]}}\n",
                                SLUG[i], title, STATUS[i], VEC[i][0], VEC[i][1], VEC[i][2]);
    }
    len += (size_t)snprintf(s + len, cap - len,
                            "{\"type\":\"Tag\",\"data\":{\"name\":\"x\"}}\n"
                            "{\"type\":\"Tag\",\"data\":{\"name\":\"y\"}}\n"
                            "{\"edge\":\"Tagged\",\"from\":\"d1\",\"to\":\"y\"}\n"
                            "{\"edge\":\"Tagged\",\"from\":\"d1\",\"to\":\"x\"}\n"
                            "{\"edge\":\"Tagged\",\"from\":\"d2\",\"to\":\"x\"}\n"
                            "{\"edge\":\"Tagged\",\"from\":\"d5\",\"to\":\"x\"}\n");
    return s;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    char *out = NULL, *data = corpus_ndjson();
    f->dir = og_test_tmpdir("exec_search");
    snprintf(f->uri, sizeof f->uri, "file://%s/g.omni", f->dir);
    OG_CHECK(og_db_init(f->uri, PG, strlen(PG), 0, "tester"));
    OG_CHECK(og_db_open(f->uri, 0, &f->db));
    OG_CHECK(og_db_load(f->db, NULL, NULL, data, strlen(data), "overwrite", NULL, &out));
    og_free(out);
    free(data);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    og_db_close(f->db);
    og_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static json_t *run(fx *f, const char *src, const char *name, const char *params)
{
    char *out = NULL;
    int rc = og_db_query(f->db, src, strlen(src), name, params, NULL, NULL, &out);
    if (rc) fail_msg("query %s failed: %s", name, og_errmsg());
    json_t *j = parse(out);
    assert_non_null(j);
    return j;
}

static const char *row_str(json_t *j, size_t i, const char *col)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(j, "rows"), i), col));
}

static double row_num(json_t *j, size_t i, const char *col)
{
    return json_number_value(json_object_get(json_array_get(json_object_get(j, "rows"), i), col));
}

static size_t nrows(json_t *j) { return json_array_size(json_object_get(j, "rows")); }

/* ---- independent references ---- */

/* Lower-case ASCII words minus this corpus's stop words; every other word
 * of the corpus is its own Snowball stem, except for counting purposes,
 * where only the number of terms matters. */
static size_t hand_terms(const char *s, char terms[][16], size_t max)
{
    size_t n = 0;
    while (s && *s) {
        while (*s && !isalnum((unsigned char)*s)) s++;
        size_t k = 0;
        char w[16];
        while (*s && isalnum((unsigned char)*s)) { if (k < 15) w[k++] = (char)tolower((unsigned char)*s); s++; }
        w[k] = 0;
        if (!k || !strcmp(w, "the") || !strcmp(w, "and") || !strcmp(w, "a")) continue;
        if (n < max) memcpy(terms[n++], w, 16);
    }
    return n;
}

/* BM25 of doc i for the query words (k1 1.2, b 0.75, Lucene idf) over
 * every non-null title; -1 when no query word occurs. */
static double hand_bm25(int i, const char *const *q, size_t nq)
{
    char t[32][16];
    double N = 0, total = 0, score = 0;
    bool hit = false;
    for (int d = 0; d < NDOC; d++)
        if (TITLE[d]) { N++; total += (double)hand_terms(TITLE[d], t, 32); }
    if (!TITLE[i]) return -1;
    size_t dl = hand_terms(TITLE[i], t, 32);
    for (size_t w = 0; w < nq; w++) {
        double df = 0, tf = 0;
        for (int d = 0; d < NDOC; d++) {
            char u[32][16];
            size_t n = TITLE[d] ? hand_terms(TITLE[d], u, 32) : 0;
            for (size_t k = 0; k < n; k++) if (!strcmp(u[k], q[w])) { df++; break; }
        }
        for (size_t k = 0; k < dl; k++) if (!strcmp(t[k], q[w])) tf++;
        if (!tf) continue;
        hit = true;
        double idf = log(1 + (N - df + 0.5) / (df + 0.5));
        score += idf * 2.2 * tf / (tf + 1.2 * (0.25 + 0.75 * (double)dl / (total / N)));
    }
    return hit ? score : -1;
}

static double hand_l2(int i, const float *v)
{
    double s = 0;
    for (int k = 0; k < 3; k++) s += ((double)VEC[i][k] - v[k]) * ((double)VEC[i][k] - v[k]);
    return sqrt(s);
}

typedef struct ranked { int doc; double score; } ranked;

static int by_score_desc_id_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return strcmp(SLUG[y->doc], SLUG[x->doc]);
}

static int by_score_asc_id_asc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return strcmp(SLUG[x->doc], SLUG[y->doc]);
}

static size_t hand_bm25_rank(const char *const *q, size_t nq, ranked *out)
{
    size_t n = 0;
    for (int d = 0; d < NDOC; d++) {
        double s = hand_bm25(d, q, nq);
        if (s >= 0) out[n++] = (ranked){d, s};
    }
    qsort(out, n, sizeof *out, by_score_desc_id_desc);
    return n;
}

static size_t hand_l2_rank(const float *v, const char *status, ranked *out)
{
    size_t n = 0;
    for (int d = 0; d < NDOC; d++)
        if (!status || !strcmp(STATUS[d], status)) out[n++] = (ranked){d, hand_l2(d, v)};
    qsort(out, n, sizeof *out, by_score_asc_id_asc);
    return n;
}

/* ---- end to end ---- */

static void test_bm25_ranks_and_scores_match_hand_computation(void **state)
{
    fx *f = *state;
    const char *q[] = {"red", "blue"};
    ranked want[NDOC];
    size_t n = hand_bm25_rank(q, 2, want);
    json_t *j = run(f, GQ, "bm", "{\"q\":\"Red BLUE the\"}");
    assert_int_equal(nrows(j), n);   /* only matching rows, d3 and d6 (null) excluded */
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(row_str(j, i, "d.slug"), SLUG[want[i].doc]);
        assert_true(fabs(row_num(j, i, "s") - want[i].score) < 1e-9);
    }
    json_decref(j);
}

static void test_bm25_stems_query_and_text(void **state)
{
    fx *f = *state;
    json_t *j = run(f, GQ, "bm", "{\"q\":\"cats\"}");
    const char *q[] = {"cat"};
    ranked want[NDOC];
    size_t n = hand_bm25_rank(q, 1, want);
    assert_int_equal(nrows(j), n);
    assert_int_equal(n, 2);
    assert_string_equal(row_str(j, 0, "d.slug"), SLUG[want[0].doc]);   /* d5: tf 2 */
    assert_string_equal(row_str(j, 0, "d.slug"), "d5");
    assert_true(fabs(row_num(j, 1, "s") - want[1].score) < 1e-9);
    json_decref(j);
}

static void test_bm25_query_of_stop_words_matches_nothing(void **state)
{
    fx *f = *state;
    json_t *j = run(f, GQ, "bm", "{\"q\":\"the and a\"}");
    assert_int_equal(nrows(j), 0);
    json_decref(j);
}

static void test_nearest_is_brute_force_l2_order(void **state)
{
    fx *f = *state;
    const float v[3] = {0.6f, 0.1f, 0.2f};
    ranked want[NDOC];
    hand_l2_rank(v, NULL, want);
    json_t *j = run(f, GQ, "near", "{\"v\":[0.6,0.1,0.2],\"k\":3}");
    assert_int_equal(nrows(j), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(row_str(j, i, "d.slug"), SLUG[want[i].doc]);
        assert_true(fabs(row_num(j, i, "dist") - want[i].score) < 1e-6);
    }
    json_decref(j);
}

static void test_filtered_nearest_prefilters_instead_of_postfiltering(void **state)
{
    fx *f = *state;
    /* the two nearest overall are d2 and d4 (status off): a post-filter
     * of the global top-2 would return nothing */
    const float v[3] = {-0.1f, 0.7f, 0.6f};
    ranked all[NDOC], on[NDOC];
    hand_l2_rank(v, NULL, all);
    assert_string_equal(STATUS[all[0].doc], "off");
    assert_string_equal(STATUS[all[1].doc], "off");
    hand_l2_rank(v, "on", on);
    json_t *j = run(f, GQ, "near_on", "{\"v\":[-0.1,0.7,0.6]}");
    assert_int_equal(nrows(j), 2);
    assert_string_equal(row_str(j, 0, "d.slug"), SLUG[on[0].doc]);
    assert_string_equal(row_str(j, 1, "d.slug"), SLUG[on[1].doc]);
    json_decref(j);
}

static void test_rrf_fuses_nearest_and_bm25_by_reciprocal_rank(void **state)
{
    fx *f = *state;
    const float v[3] = {0.6f, 0.1f, 0.2f};
    const char *q[] = {"red"};
    ranked a[NDOC], b[NDOC];
    size_t na = hand_l2_rank(v, NULL, a), nb = hand_bm25_rank(q, 1, b);
    if (na > 4) na = 4;   /* the nearest arm retrieves `limit` neighbours */
    double score[NDOC] = {0};
    int first[NDOC], order[NDOC], seen = 0;
    for (int d = 0; d < NDOC; d++) first[d] = -1;
    for (size_t r = 0; r < na; r++) {
        score[a[r].doc] += 1.0 / (60 + (double)r + 1);
        if (first[a[r].doc] < 0) first[a[r].doc] = seen++;
    }
    for (size_t r = 0; r < nb; r++) {
        score[b[r].doc] += 1.0 / (60 + (double)r + 1);
        if (first[b[r].doc] < 0) first[b[r].doc] = seen++;
    }
    int n = 0;
    for (int d = 0; d < NDOC; d++) if (first[d] >= 0) order[n++] = d;
    for (int i = 0; i < n; i++)   /* insertion sort: score desc, first appearance asc */
        for (int k = i; k > 0; k--) {
            int x = order[k - 1], y = order[k];
            bool swap = score[y] > score[x] || (score[y] == score[x] && first[y] < first[x]);
            if (!swap) break;
            order[k - 1] = y;
            order[k] = x;
        }
    json_t *j = run(f, GQ, "hybrid", "{\"v\":[0.6,0.1,0.2],\"q\":\"red\"}");
    assert_int_equal(nrows(j), n < 4 ? (size_t)n : 4);
    for (size_t i = 0; i < nrows(j); i++) {
        assert_string_equal(row_str(j, i, "d.slug"), SLUG[order[i]]);
        assert_true(fabs(row_num(j, i, "s") - score[order[i]]) < 1e-12);
    }
    json_decref(j);
}

static void test_nearest_keeps_every_fanout_row_of_a_ranked_entity(void **state)
{
    fx *f = *state;
    /* d1 is nearest and has two tags: both rows come first, tag order */
    json_t *j = run(f, GQ, "fan", "{\"v\":[0.9,0.1,0.0]}");
    assert_int_equal(nrows(j), 3);
    assert_string_equal(row_str(j, 0, "d.slug"), "d1");
    assert_string_equal(row_str(j, 0, "t.name"), "x");
    assert_string_equal(row_str(j, 1, "d.slug"), "d1");
    assert_string_equal(row_str(j, 1, "t.name"), "y");
    assert_string_equal(row_str(j, 2, "d.slug"), "d5");   /* d5 (0.36) before d2 (0.99) */
    json_decref(j);
}

static void test_search_and_match_text_or_terms_without_phrase(void **state)
{
    fx *f = *state;
    json_t *j = run(f, GQ, "txt", "{\"q\":\"green dog\"}");   /* OR of terms */
    assert_int_equal(nrows(j), 3);
    assert_string_equal(row_str(j, 0, "d.slug"), "d2");
    assert_string_equal(row_str(j, 1, "d.slug"), "d3");
    assert_string_equal(row_str(j, 2, "d.slug"), "d5");
    json_decref(j);
    j = run(f, GQ, "mt", "{\"q\":\"fish red\"}");   /* "red ... fish" is not the phrase: still matches */
    assert_int_equal(nrows(j), 3);
    assert_string_equal(row_str(j, 0, "d.slug"), "d1");
    assert_string_equal(row_str(j, 1, "d.slug"), "d2");
    assert_string_equal(row_str(j, 2, "d.slug"), "d5");
    json_decref(j);
    j = run(f, GQ, "txt", "{\"q\":\"zebra\"}");
    assert_int_equal(nrows(j), 0);
    json_decref(j);
    j = run(f, GQ, "not_red", NULL);   /* search inside not { } */
    assert_int_equal(nrows(j), 3);
    assert_string_equal(row_str(j, 0, "d.slug"), "d3");
    assert_string_equal(row_str(j, 1, "d.slug"), "d4");
    assert_string_equal(row_str(j, 2, "d.slug"), "d6");
    json_decref(j);
}

static void test_fuzzy_tolerates_edits_up_to_max(void **state)
{
    fx *f = *state;
    json_t *j = run(f, GQ, "fz", "{\"q\":\"greem\",\"m\":1}");   /* one substitution */
    assert_int_equal(nrows(j), 1);
    assert_string_equal(row_str(j, 0, "d.slug"), "d3");
    json_decref(j);
    j = run(f, GQ, "fz", "{\"q\":\"greem\",\"m\":0}");   /* 0 edits: exact search */
    assert_int_equal(nrows(j), 0);
    json_decref(j);
    j = run(f, GQ, "fz", "{\"q\":\"grxxn\",\"m\":1}");
    assert_int_equal(nrows(j), 0);
    json_decref(j);
    j = run(f, GQ, "fz2", "{\"q\":\"grxxn\"}");   /* default max edits 2 */
    assert_int_equal(nrows(j), 1);
    assert_string_equal(row_str(j, 0, "d.slug"), "d3");
    json_decref(j);
    char *out = NULL;
    assert_int_not_equal(og_db_query(f->db, GQ, strlen(GQ), "fz", "{\"q\":\"x\",\"m\":-1}", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "max_edits"));
}

static void test_search_sees_rows_written_after_optimize(void **state)
{
    fx *f = *state;
    char *out = NULL;
    OG_CHECK(og_db_optimize(f->db, NULL, NULL, &out));
    og_free(out);
    const char *ins = "query add() { insert Doc { slug: \"d7\", title: \"Quasar notes\", status: \"on\" } }";
    OG_CHECK(og_db_mutate(f->db, ins, strlen(ins), NULL, NULL, NULL, NULL, NULL, &out));
    og_free(out);
    json_t *j = run(f, GQ, "txt", "{\"q\":\"quasar\"}");
    assert_int_equal(nrows(j), 1);
    assert_string_equal(row_str(j, 0, "d.slug"), "d7");
    json_decref(j);
    j = run(f, GQ, "bm", "{\"q\":\"red\"}");   /* d7 joins the corpus: N = 6 non-null titles */
    assert_int_equal(nrows(j), 3);
    json_decref(j);
}

static void test_filtered_bm25_keeps_whole_table_statistics(void **state)
{
    fx *f = *state;
    /* status "on": d1, d3, d5, d6; the scores must use N, df and the
     * average length of every title, not of the filtered rows */
    const char *q[] = {"red", "blue"};
    json_t *j = run(f, GQ, "bm_on", "{\"q\":\"red blue\"}");
    assert_int_equal(nrows(j), 2);
    assert_string_equal(row_str(j, 0, "d.slug"), "d1");
    assert_string_equal(row_str(j, 1, "d.slug"), "d5");
    assert_true(fabs(row_num(j, 0, "s") - hand_bm25(0, q, 2)) < 1e-9);
    assert_true(fabs(row_num(j, 1, "s") - hand_bm25(4, q, 2)) < 1e-9);
    json_decref(j);
}

static void test_nearest_literal_query_skips_null_vectors(void **state)
{
    fx *f = *state;
    char *out = NULL;
    const float v[3] = {0.5f, 0.5f, 0.5f};
    ranked want[NDOC];
    hand_l2_rank(v, NULL, want);
    const char *ins = "query add() { insert Doc { slug: \"d0\", title: \"no vector\", status: \"on\" } }";
    OG_CHECK(og_db_mutate(f->db, ins, strlen(ins), NULL, NULL, NULL, NULL, NULL, &out));
    og_free(out);
    json_t *j = run(f, GQ, "near_lit", NULL);
    assert_int_equal(nrows(j), NDOC);   /* d0 has no vector: not ranked */
    for (size_t i = 0; i < NDOC; i++) assert_string_equal(row_str(j, i, "d.slug"), SLUG[want[i].doc]);
    json_decref(j);
}

/* ---- embeddings ---- */

static void clear_embed_env(void)
{
    const char *vars[] = {"OMNIGRAPH_EMBEDDINGS_MOCK", "OMNIGRAPH_EMBED_PROVIDER", "OMNIGRAPH_EMBED_MODEL",
                          "OMNIGRAPH_EMBED_BASE_URL", "OPENROUTER_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) unsetenv(vars[i]);
}

/* surface.md §9, written out again independently of embed.c. */
static void ref_mock(const char *text, uint32_t dim, float *out)
{
    uint64_t h = 0xcbf29ce484222325ull;
    double norm = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) h = (h ^ *p) * 0x100000001b3ull;
    for (uint32_t i = 0; i < dim; i++) {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        out[i] = (float)(2.0 * ((double)h / 18446744073709551615.0) - 1.0);
        norm += (double)out[i] * out[i];
    }
    for (uint32_t i = 0; i < dim; i++) out[i] = (float)(out[i] / sqrt(norm));
}

static void test_mock_embedding_matches_reference_seed_vector(void **state)
{
    (void)state;
    float got[4], ref[4];
    /* the reference's mock embedder output for "alpha" (acceptance seed) */
    const float alpha[4] = {-0.54204881f, -0.47179943f, 0.16090508f, 0.67653376f};
    og_embed_mock("alpha", 5, 4, got);
    ref_mock("alpha", 4, ref);
    for (int i = 0; i < 4; i++) {
        assert_true(fabsf(got[i] - alpha[i]) < 1e-6f);
        assert_true(fabsf(got[i] - ref[i]) < 1e-6f);
    }
}

static const char *PG_EMB =
    "node Doc {\n"
    "  slug: String @key\n"
    "  title: String\n"
    "  embedding: Vector(8) @embed(\"title\", model=\"m-a\")\n"
    "}\n";

static const char *GQ_EMB =
    "query s($q: String) {\n"
    "  match { $d: Doc }\n"
    "  return { $d.slug, nearest($d.embedding, $q) as dist }\n"
    "  order { nearest($d.embedding, $q) }\n"
    "  limit 2\n"
    "}\n";

static void test_string_nearest_embeds_checks_model_and_credentials(void **state)
{
    (void)state;
    char *dir = og_test_tmpdir("exec_search_emb"), uri[512], *out = NULL;
    const char *words[3] = {"alpha", "beta", "gamma"};
    char data[4096];
    size_t len = 0;
    og_db *db = NULL;
    snprintf(uri, sizeof uri, "file://%s/g.omni", dir);
    for (int i = 0; i < 3; i++) {
        float v[8];
        ref_mock(words[i], 8, v);
        len += (size_t)snprintf(data + len, sizeof data - len, "{\"type\":\"Doc\",\"data\":{\"slug\":\"%s\",\"title\":\"%s\","
                                "\"embedding\":[%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g]}}\n",
                                words[i], words[i], v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }
    OG_CHECK(og_db_init(uri, PG_EMB, strlen(PG_EMB), 0, "tester"));
    OG_CHECK(og_db_open(uri, 0, &db));
    OG_CHECK(og_db_load(db, NULL, NULL, data, len, "overwrite", NULL, &out));
    og_free(out);

    clear_embed_env();
    setenv("OMNIGRAPH_EMBEDDINGS_MOCK", "yes", 1);
    setenv("OMNIGRAPH_EMBED_PROVIDER", "gemini", 1);   /* the mock flag wins */
    setenv("OMNIGRAPH_EMBED_MODEL", "m-a", 1);
    OG_CHECK(og_db_query(db, GQ_EMB, strlen(GQ_EMB), "s", "{\"q\":\"gamma\"}", NULL, NULL, &out));
    json_t *j = parse(out);
    assert_string_equal(row_str(j, 0, "d.slug"), "gamma");
    assert_true(row_num(j, 0, "dist") < 1e-6);
    json_decref(j);

    setenv("OMNIGRAPH_EMBED_MODEL", "m-b", 1);   /* differs from the recorded m-a */
    assert_int_not_equal(og_db_query(db, GQ_EMB, strlen(GQ_EMB), "s", "{\"q\":\"gamma\"}", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "m-a"));
    assert_non_null(strstr(og_errmsg(), "m-b"));

    clear_embed_env();   /* a real provider without a key: refused before any request */
    setenv("OMNIGRAPH_EMBED_MODEL", "m-a", 1);
    assert_int_not_equal(og_db_query(db, GQ_EMB, strlen(GQ_EMB), "s", "{\"q\":\"gamma\"}", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "OPENROUTER_API_KEY or OPENAI_API_KEY"));
    setenv("OMNIGRAPH_EMBED_PROVIDER", "gemini", 1);
    assert_int_not_equal(og_db_query(db, GQ_EMB, strlen(GQ_EMB), "s", "{\"q\":\"gamma\"}", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "GEMINI_API_KEY"));
    setenv("OMNIGRAPH_EMBED_PROVIDER", "bogus", 1);
    assert_int_not_equal(og_db_query(db, GQ_EMB, strlen(GQ_EMB), "s", "{\"q\":\"gamma\"}", NULL, NULL, &out), 0);
    assert_non_null(strstr(og_errmsg(), "bogus"));
    clear_embed_env();

    og_db_close(db);
    og_test_rmtree(dir);
    free(dir);
}

/* ---- the scoring module ---- */

static void test_tokenizer_lowercases_stems_drops_stop_words_and_folds(void **state)
{
    (void)state;
    og_search_tok *t = NULL;
    og_search_terms out = {0};
    const char *text = "The Learning-Machines, AND café's 42 naïve "
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x";
    OG_CHECK(og_search_tok_new(&t));
    OG_CHECK(og_search_tokenize(t, text, strlen(text), &out));
    const char *want[] = {"learn", "machin", "cafe", "s", "42", "naiv", "x"};
    assert_int_equal(out.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < out.n; i++) assert_string_equal(og_search_term(&out, i), want[i]);
    og_search_terms_free(&out);
    og_search_tok_free(t);
}

static void test_levenshtein_counts_code_points_and_bounds(void **state)
{
    (void)state;
    assert_int_equal(og_search_levenshtein("kitten", "sitting", 5), 3);
    assert_int_equal(og_search_levenshtein("kitten", "sitting", 2), 3);   /* max + 1 */
    assert_int_equal(og_search_levenshtein("", "abc", 5), 3);
    assert_int_equal(og_search_levenshtein("naïve", "naive", 2), 1);   /* one code point, two bytes */
    assert_int_equal(og_search_levenshtein("same", "same", 0), 0);
}

static void test_rrf_sums_reciprocal_ranks_ties_by_first_appearance(void **state)
{
    (void)state;
    og_search_cand a[3] = {{.row = 1, .hit = true}, {.row = 2, .hit = true}, {.row = 3, .hit = true}};
    og_search_cand b[2] = {{.row = 4, .hit = true}, {.row = 2, .hit = true}};
    og_search_cand *out = NULL;
    size_t n = 0;
    OG_CHECK(og_search_rrf(a, 3, b, 2, 60, &out, &n));
    assert_int_equal(n, 4);
    assert_int_equal(out[0].row, 2);   /* 1/62 + 1/62 */
    assert_true(fabs(out[0].score - 2.0 / 62) < 1e-15);
    assert_int_equal(out[1].row, 1);   /* 1/61, first seen before row 4 */
    assert_int_equal(out[2].row, 4);   /* 1/61 */
    assert_int_equal(out[3].row, 3);   /* 1/63 */
    free(out);
    assert_int_not_equal(og_search_rrf(a, 3, b, 2, 0, &out, &n), 0);
}

/* The text index answers what the scan functions answer, on a generated
 * corpus with repeats, nulls, accents and stop words (deterministic). */
static void test_text_index_agrees_with_scan_scoring(void **state)
{
    (void)state;
    static const char *W[] = {"river", "rivers", "stone", "Stones", "the", "and", "café", "cafe", "bridge",
                              "bridges", "light", "lights", "night", "naïve", "of", "x"};
    og_search_tok *t = NULL;
    og_column ids, txt;
    og_search_index *x = NULL;
    og_search_terms q = {0}, doc = {0};
    og_search_bm25 st = {0};
    uint64_t seed = 42;
    char buf[512], id[16];
    OG_CHECK(og_search_tok_new(&t));
    OG_CHECK(og_column_init(&ids, (og_type){.id = OG_TYPE_UTF8}));
    OG_CHECK(og_column_init(&txt, (og_type){.id = OG_TYPE_UTF8}));
    for (int r = 0; r < 300; r++) {
        size_t n = 0;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        int words = (int)(seed >> 59);   /* 0..31 */
        for (int k = 0; k < words; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", k ? (seed & 1 ? " " : ", ") : "", W[(seed >> 33) % 16]);
        }
        snprintf(id, sizeof id, "r%03d", r);
        OG_CHECK(og_column_push_bytes(&ids, id, strlen(id)));
        if (r % 17 == 5) OG_CHECK(og_column_push_null(&txt));
        else OG_CHECK(og_column_push_bytes(&txt, buf, n));
    }
    OG_CHECK(og_search_index_build(t, &ids, &txt, NULL, NULL, &x));
    const char *queries[] = {"river stone", "CAFE", "bridges of light", "naive nights", "the", "zzz", "stone stone"};
    for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
        og_search_iquery iq = {0}, fz = {0};
        OG_CHECK(og_search_tokenize(t, queries[qi], strlen(queries[qi]), &q));
        og_search_terms_dedup(&q);
        OG_CHECK(og_search_index_resolve(x, &q, -1, &iq));
        OG_CHECK(og_search_index_resolve(x, &q, 1, &fz));
        OG_CHECK(og_search_bm25_init(&st, q.n));
        for (size_t r = 0; r < txt.len; r++) {
            size_t n = 0;
            if (og_column_is_null(&txt, r)) continue;
            const char *s2 = og_column_get_bytes(&txt, r, &n);
            OG_CHECK(og_search_tokenize(t, s2, n, &doc));
            og_search_bm25_add(&st, &q, &doc, NULL);
        }
        for (size_t r = 0; r < txt.len; r++) {
            size_t n = 0, idn = 0;
            uint32_t d = 0;
            const char *rid = og_column_get_bytes(&ids, r, &idn);
            bool in = og_search_index_doc(x, rid, idn, &d);
            assert_int_equal(in, !og_column_is_null(&txt, r));
            if (!in) continue;
            const char *s2 = og_column_get_bytes(&txt, r, &n);
            OG_CHECK(og_search_tokenize(t, s2, n, &doc));
            bool h1 = false, h2 = false;
            double a = og_search_bm25_score(&st, &q, &doc, &h1), b = og_search_index_bm25(x, d, &iq, &h2);
            assert_int_equal(h1, h2);
            assert_true(fabs(a - b) < 1e-12);
            assert_int_equal(og_search_terms_match(&doc, &q, -1), og_search_index_match(x, d, &iq));
            assert_int_equal(og_search_terms_match(&doc, &q, 1), og_search_index_match(x, d, &fz));
        }
        og_search_bm25_free(&st);
        og_search_iquery_free(&iq);
        og_search_iquery_free(&fz);
    }
    og_search_index_release(x);
    og_search_terms_free(&q);
    og_search_terms_free(&doc);
    og_column_free(&ids);
    og_column_free(&txt);
    og_search_tok_free(t);
}

static void test_text_index_cache_evicts_and_stays_correct(void **state)
{
    fx *f = *state;
    og_search_index_cache_set_budget(1);   /* every new entry evicts the older */
    for (int i = 0; i < 3; i++) {
        json_t *j = run(f, GQ, "txt", i % 2 ? "{\"q\":\"green\"}" : "{\"q\":\"dog\"}");
        assert_int_equal(nrows(j), i % 2 ? 1 : 2);
        json_decref(j);
        j = run(f, GQ, "bm_on", "{\"q\":\"red blue\"}");
        assert_int_equal(nrows(j), 2);
        json_decref(j);
    }
    og_search_index_cache_clear();
    og_search_index_cache_set_budget(0);
    json_t *j = run(f, GQ, "txt", "{\"q\":\"green\"}");
    assert_int_equal(nrows(j), 1);
    json_decref(j);
}

static void test_top_k_equals_full_sort_prefix_with_ties(void **state)
{
    (void)state;
    enum { N = 200 };
    static char ids[N][8];
    og_search_cand a[N], b[N];
    uint64_t seed = 7;
    for (int mode = 0; mode < 2; mode++)
        for (size_t k = 0; k <= N + 1; k += (k < 12 ? 1 : 37)) {
            for (int i = 0; i < N; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                snprintf(ids[i], sizeof ids[i], "e%03d", (int)((seed >> 40) % 500));
                a[i] = (og_search_cand){.row = i, .id = ids[i], .id_len = strlen(ids[i]),
                                        .score = (double)((seed >> 20) % 9), .hit = (seed >> 10) % 5 != 0};
                if ((seed >> 30) % 41 == 0) a[i].score = NAN;
            }
            memcpy(b, a, sizeof a);
            size_t hits = mode ? og_search_sort_bm25(b, N) : og_search_sort_nearest(b, N);
            size_t got = og_search_top(a, N, k, mode == 1);
            assert_int_equal(got, k < hits ? k : hits);
            for (size_t i = 0; i < got; i++) assert_int_equal(a[i].row, b[i].row);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bm25_ranks_and_scores_match_hand_computation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bm25_stems_query_and_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bm25_query_of_stop_words_matches_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nearest_is_brute_force_l2_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filtered_nearest_prefilters_instead_of_postfiltering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rrf_fuses_nearest_and_bm25_by_reciprocal_rank, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nearest_keeps_every_fanout_row_of_a_ranked_entity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_and_match_text_or_terms_without_phrase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fuzzy_tolerates_edits_up_to_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_sees_rows_written_after_optimize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filtered_bm25_keeps_whole_table_statistics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nearest_literal_query_skips_null_vectors, setup, teardown),
        cmocka_unit_test(test_mock_embedding_matches_reference_seed_vector),
        cmocka_unit_test(test_string_nearest_embeds_checks_model_and_credentials),
        cmocka_unit_test(test_tokenizer_lowercases_stems_drops_stop_words_and_folds),
        cmocka_unit_test(test_levenshtein_counts_code_points_and_bounds),
        cmocka_unit_test(test_rrf_sums_reciprocal_ranks_ties_by_first_appearance),
        cmocka_unit_test(test_text_index_agrees_with_scan_scoring),
        cmocka_unit_test(test_top_k_equals_full_sort_prefix_with_ties),
        cmocka_unit_test_setup_teardown(test_text_index_cache_evicts_and_stays_correct, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
