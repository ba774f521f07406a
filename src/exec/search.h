/* search.h — the scoring behind the .gq search functions (surface.md §2.8,
 * internals.md §8.4): text tokenising, full-text match, fuzzy match, BM25,
 * L2 nearest-neighbour ordering and reciprocal-rank fusion. Pure functions
 * over values and columns: the executor (exec_query.c) decides which rows
 * they see.
 * (1) One tokeniser for documents and queries, the reference's default
 *     inverted-index pipeline: split on every character that is not a
 *     letter, digit or mark; drop tokens of 40 bytes or more; lower-case;
 *     Snowball English stem; drop English stop words (Snowball list);
 *     strip accents. Terms are UTF-8.
 * (2) search/match_text: a row matches when its text shares at least one
 *     term with the query (terms OR'ed; no phrase semantics, as in the
 *     reference). fuzzy: the same, a term matching when its Levenshtein
 *     distance (in code points) to a query term is at most max_edits.
 *     A query with no terms matches nothing.
 * (3) BM25 with k1 = 1.2, b = 0.75, idf = ln(1 + (N - n + 0.5)/(n + 0.5));
 *     N, n and the average length are taken over the non-null texts of the
 *     whole table version (the corpus), not over the filtered candidates.
 *     Only rows with a positive term frequency for some query term score.
 * (4) nearest is L2 distance (surface.md Appendix B.1). Orders are total:
 *     nearest by (distance asc, id asc); bm25 by (score desc, id desc) —
 *     the reference's order on equal scores; rrf by (fused score desc,
 *     first appearance asc), appearance counted over the first arm's
 *     ranking, then the second's.
 * (5) No function here keeps state between calls except the tokeniser,
 *     which owns a stemmer and must be used by one thread at a time, and
 *     the index cache below (thread-safe).
 * (6) Nothing is persisted: the text and vector indexes are in-memory,
 *     derived from one table version at first use and cached by version;
 *     a query on a new version builds (one scan) before it reads. */
#ifndef OG_EXEC_SEARCH_H
#define OG_EXEC_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "table/column.h"

#define OG_SEARCH_MAX_TOKEN 40      /* bytes; longer tokens are dropped (1) */
#define OG_SEARCH_BM25_K1 1.2
#define OG_SEARCH_BM25_B 0.75
#define OG_SEARCH_RRF_K 60
#define OG_SEARCH_FUZZY_EDITS 2

/* Terms of one text: NUL-terminated strings packed in buf, term i at
 * buf + off[i]. Zero-initialised is empty; og_search_terms_free releases. */
typedef struct og_search_terms {
    char *buf;
    size_t len, cap;
    uint32_t *off;
    size_t n, ncap;
} og_search_terms;
void og_search_terms_free(og_search_terms *t);
static inline const char *og_search_term(const og_search_terms *t, size_t i) { return t->buf + t->off[i]; }

typedef struct og_search_tok og_search_tok;
og_status og_search_tok_new(og_search_tok **out);
void og_search_tok_free(og_search_tok *t);   /* NULL-safe */
/* Replaces out's terms with those of text[0..n) (1); invalid UTF-8 bytes
 * separate tokens. */
og_status og_search_tokenize(og_search_tok *t, const char *text, size_t n, og_search_terms *out);
/* Keeps the first occurrence of each term (query terms are a set). */
void og_search_terms_dedup(og_search_terms *t);

/* Levenshtein distance between two UTF-8 strings in code points, or
 * max + 1 when it exceeds max (banded). */
uint32_t og_search_levenshtein(const char *a, const char *b, uint32_t max);

/* (2): does doc share a term with query? max_edits < 0: exact terms. */
bool og_search_terms_match(const og_search_terms *doc, const og_search_terms *query, int64_t max_edits);

/* BM25 corpus statistics for one query (3), accumulated one document at
 * a time (the caller owns the loop, so it can check its time limit). */
typedef struct og_search_bm25 {
    uint64_t n_docs, total_len;
    uint64_t *df;                /* per query term */
    size_t n_terms;
} og_search_bm25;
og_status og_search_bm25_init(og_search_bm25 *s, size_t n_terms);
void og_search_bm25_free(og_search_bm25 *s);
/* Counts one non-null document; tf (nullable, n_terms entries) gets the
 * frequency of each query term in it. */
void og_search_bm25_add(og_search_bm25 *s, const og_search_terms *query, const og_search_terms *doc,
                        uint32_t *tf);
/* Score from a document's term frequencies and length; *hit false when
 * no query term occurs. */
double og_search_bm25_score_tf(const og_search_bm25 *s, const uint32_t *tf, uint64_t doc_len, bool *hit);
/* The same from a tokenised document. */
double og_search_bm25_score(const og_search_bm25 *s, const og_search_terms *query,
                            const og_search_terms *doc, bool *hit);

/* ---- rankings (4) ---- */

typedef struct og_search_cand {
    int32_t row;                 /* the ranked entity (a pool row) */
    const char *id;              /* its id, for the order's ties */
    size_t id_len;
    double score;                /* distance, BM25 or fused score */
    bool hit;                    /* scored at all (vector present, text matched) */
} og_search_cand;

/* L2 distance; the caller guarantees equal dimensions. */
double og_search_l2(const float *a, const float *b, uint32_t dim);
/* Sorts c[0..n): hits in the order of (4), misses last; returns the hits. */
size_t og_search_sort_nearest(og_search_cand *c, size_t n);
size_t og_search_sort_bm25(og_search_cand *c, size_t n);
/* The k best hits of c[0..n) sorted at the front (the rest in no order);
 * returns min(k, hits). The same prefix as the full sort, in O(n log k). */
size_t og_search_top(og_search_cand *c, size_t n, size_t k, bool bm25);
/* Fuses two rankings (hits of each, best first; a[0..na), b[0..nb)) into
 * out (malloc'd, *n_out entries, caller frees): one entry per entity
 * found in either, score = sum of 1/(k + rank + 1), sorted per (4). */
og_status og_search_rrf(const og_search_cand *a, size_t na, const og_search_cand *b, size_t nb,
                        int64_t k, og_search_cand **out, size_t *n_out);

/* ---- text index (search_index.c) ----
 * Every non-null text of one String property of one table version,
 * tokenised once (1) with its terms interned: per document the term ids
 * in text order, per term its document frequency. Immutable once built;
 * shared through a process-wide LRU cache keyed by the table version
 * (the graph index cache's key) plus the property, under its own byte
 * budget. It answers exactly what a scan of the same version answers. */
typedef struct og_search_index og_search_index;

/* Builds from parallel id and text columns (utf8); tick (nullable) is
 * called every 1,024 documents and stops the build with its status. */
og_status og_search_index_build(og_search_tok *t, const og_column *ids, const og_column *text,
                                og_status (*tick)(void *), void *ud, og_search_index **out);
/* The same structure as a vector index: the non-null vectors of one
 * Vector(N) property by node id (nearest's brute force reads them without
 * the table's other columns). */
og_status og_search_index_build_vectors(const og_column *ids, const og_column *vecs, og_search_index **out);
/* The vector of a node id (*dim its dimension); NULL when it has none. */
const float *og_search_index_vector(const og_search_index *x, const char *id, size_t n, uint32_t *dim);
/* The cached index of key, or NULL (no build). The caller releases it. */
og_search_index *og_search_index_find(const char *key);
/* Caches x under key (taking a reference) unless key is present; returns
 * the cached one with a reference for the caller, releasing x. */
og_search_index *og_search_index_put(const char *key, og_search_index *x);
void og_search_index_release(og_search_index *x);   /* NULL-safe */
size_t og_search_index_bytes(const og_search_index *x);
void og_search_index_cache_set_budget(uint64_t bytes);   /* 0 = default 256 MiB */
void og_search_index_cache_clear(void);

/* The document of a node id; false when it has no (non-null) text. */
bool og_search_index_doc(const og_search_index *x, const char *id, size_t n, uint32_t *doc);

/* A query resolved against the index: qi[term id] is 1 + the query term
 * it matches (exactly, or within max_edits for fuzzy), 0 for none. */
typedef struct og_search_iquery {
    uint32_t *qi;
    size_t n_query;              /* query terms */
    uint64_t *qdf;               /* by query term: its document frequency */
} og_search_iquery;
og_status og_search_index_resolve(const og_search_index *x, const og_search_terms *query, int64_t max_edits,
                                  og_search_iquery *out);
void og_search_iquery_free(og_search_iquery *q);
/* (2) on an indexed document. */
bool og_search_index_match(const og_search_index *x, uint32_t doc, const og_search_iquery *q);
/* (3) on an indexed document (exact query terms only). */
double og_search_index_bm25(const og_search_index *x, uint32_t doc, const og_search_iquery *q, bool *hit);

#endif
