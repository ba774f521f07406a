/* search_index.c — the in-memory text index of one String property of one
 * table version, and its process-wide cache (search.h "text index").
 * (1) Documents are numbered in column order (non-null texts only); term
 *     ids in first-seen order. Each term string is one malloc'd copy,
 *     owned by the index: the dictionary's key and tstr[id] point to it.
 * (2) Entries are immutable and reference-counted; the cache holds one
 *     reference, each reader one more. Eviction (LRU, byte budget, at
 *     least one entry kept) only drops the cache's reference, so an entry
 *     in use is never freed under a reader.
 * (3) Resolution and scoring give exactly what search_text.c computes on
 *     the same texts: same terms, same statistics, same formula.
 * (4) The same structure serves as a vector index (vec != NULL): the
 *     non-null vectors of one property, contiguous, by node id. */
#include "search.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"

#define DEFAULT_BUDGET (256ull << 20)

struct og_search_index {
    og_map *ids;            /* node id -> doc + 1 (keys point into idbuf) */
    char *idbuf;
    og_map *dict;           /* term -> id + 1 (keys are tstr[id]) */
    char **tstr;            /* by term id (1) */
    uint64_t *df;           /* by term id */
    uint32_t n_terms;
    uint64_t n_docs, total_len;
    uint64_t *doc_off;      /* n_docs + 1 offsets into tok */
    uint32_t *tok;
    float *vec;             /* vector index: n_docs * dim, NULL for a text index */
    uint32_t dim;
    size_t bytes;
    int refs;
};

static void index_free(og_search_index *x)
{
    if (!x) return;
    for (uint32_t i = 0; x->tstr && i < x->n_terms; i++) free(x->tstr[i]);
    free(x->tstr);
    og_map_free(x->ids);
    og_map_free(x->dict);
    free(x->idbuf);
    free(x->df);
    free(x->doc_off);
    free(x->tok);
    free(x->vec);
    free(x);
}

/* The id of term (interned on first sight). */
static og_status intern(og_search_index *x, const char *term, size_t *capt, uint32_t *out)
{
    size_t tl = strlen(term);
    void *v = NULL;
    og_status rc;
    if (og_map_get(x->dict, term, tl, &v)) { *out = (uint32_t)((uintptr_t)v - 1); return OG_OK; }
    if (x->n_terms == UINT32_MAX - 1) return og_error_set(OG_E_LIMIT, "too many distinct terms for a text index");
    if (x->n_terms == *capt) {
        size_t nc = *capt ? *capt * 2 : 256;
        char **ns = realloc(x->tstr, nc * sizeof *ns);
        if (!ns) return og_error_set(OG_E_NOMEM, "out of memory (text index)");
        x->tstr = ns;
        uint64_t *nd = realloc(x->df, nc * sizeof *nd);
        if (!nd) return og_error_set(OG_E_NOMEM, "out of memory (text index)");
        x->df = nd;
        *capt = nc;
    }
    char *key = malloc(tl + 1);
    if (!key) return og_error_set(OG_E_NOMEM, "out of memory (text index)");
    memcpy(key, term, tl + 1);
    if ((rc = og_map_put(x->dict, key, tl, (void *)(uintptr_t)(x->n_terms + 1), NULL))) { free(key); return rc; }
    x->tstr[x->n_terms] = key;
    x->df[x->n_terms] = 0;
    x->bytes += tl + 1 + 64;
    *out = x->n_terms++;
    return OG_OK;
}

og_status og_search_index_build(og_search_tok *t, const og_column *ids, const og_column *text,
                                og_status (*tick)(void *), void *ud, og_search_index **out)
{
    og_status rc = OG_OK;
    og_search_index *x = calloc(1, sizeof *x);
    og_search_terms doc = {0};
    size_t n = text->len, idlen = 0, ntok = 0, captok = 0, capt = 0, used = 0;
    *out = NULL;
    if (text->type.id != OG_TYPE_UTF8 || ids->type.id != OG_TYPE_UTF8 || ids->len != n) {
        free(x);
        return og_error_set(OG_E_UNSUPPORTED, "full-text search needs a scalar String property");
    }
    if (!x || !(x->ids = og_map_new()) || !(x->dict = og_map_new())) goto nomem;
    for (size_t r = 0; r < n; r++) {
        size_t k = 0;
        if (!og_column_is_null(text, r)) { og_column_get_bytes(ids, r, &k); idlen += k + 1; }
    }
    if (!(x->idbuf = malloc(idlen + 1)) || !(x->doc_off = malloc((n + 1) * sizeof *x->doc_off))) goto nomem;
    x->doc_off[0] = 0;
    for (size_t r = 0; r < n; r++) {
        size_t len = 0, il = 0;
        if (og_column_is_null(text, r)) continue;
        const char *s = og_column_get_bytes(text, r, &len);
        const char *id = og_column_get_bytes(ids, r, &il);
        if ((rc = og_search_tokenize(t, s, len, &doc))) goto done;
        if (ntok + doc.n > captok) {
            size_t nc = captok ? captok * 2 : 1024;
            while (nc < ntok + doc.n) nc *= 2;
            uint32_t *nt = realloc(x->tok, nc * sizeof *nt);
            if (!nt) goto nomem;
            x->tok = nt;
            captok = nc;
        }
        for (size_t i = 0; i < doc.n; i++) {
            uint32_t tid = 0;
            bool first = true;
            if ((rc = intern(x, og_search_term(&doc, i), &capt, &tid))) goto done;
            for (size_t k = ntok; k < ntok + i && first; k++) first = x->tok[k] != tid;
            x->df[tid] += first;   /* once per document */
            x->tok[ntok + i] = tid;
        }
        ntok += doc.n;
        memcpy(x->idbuf + used, id, il);
        x->idbuf[used + il] = 0;
        if ((rc = og_map_put(x->ids, x->idbuf + used, il, (void *)(uintptr_t)(x->n_docs + 1), NULL))) goto done;
        used += il + 1;
        x->n_docs++;
        x->doc_off[x->n_docs] = ntok;
        x->total_len += doc.n;
        if (tick && (x->n_docs & 1023) == 0 && (rc = tick(ud))) goto done;
    }
    x->bytes += sizeof *x + idlen + (n + 1) * sizeof *x->doc_off + captok * sizeof *x->tok +
                capt * (sizeof *x->df + sizeof *x->tstr) + x->n_docs * 48;
    x->refs = 1;
    *out = x;
    x = NULL;
    goto done;
nomem:
    rc = og_error_set(OG_E_NOMEM, "out of memory (text index)");
done:
    og_search_terms_free(&doc);
    index_free(x);
    return rc;
}

og_status og_search_index_build_vectors(const og_column *ids, const og_column *vecs, og_search_index **out)
{
    og_status rc = OG_OK;
    og_search_index *x = calloc(1, sizeof *x);
    size_t n = vecs->len, idlen = 0, used = 0;
    *out = NULL;
    if (vecs->type.id != OG_TYPE_VECTOR || vecs->type.dim == 0 || ids->type.id != OG_TYPE_UTF8 || ids->len != n) {
        free(x);
        return og_error_set(OG_E_INTERNAL, "vector index over a non-vector column");
    }
    if (!x || !(x->ids = og_map_new())) goto nomem;
    x->dim = vecs->type.dim;
    for (size_t r = 0; r < n; r++) {
        size_t k = 0;
        if (!og_column_is_null(vecs, r)) { og_column_get_bytes(ids, r, &k); idlen += k + 1; x->n_docs++; }
    }
    if (!(x->idbuf = malloc(idlen + 1)) || !(x->vec = malloc((x->n_docs * x->dim + 1) * sizeof *x->vec))) goto nomem;
    x->n_docs = 0;
    for (size_t r = 0; r < n; r++) {
        size_t il = 0;
        if (og_column_is_null(vecs, r)) continue;
        const char *id = og_column_get_bytes(ids, r, &il);
        memcpy(x->vec + x->n_docs * x->dim, og_column_get_vector(vecs, r), x->dim * sizeof *x->vec);
        memcpy(x->idbuf + used, id, il);
        x->idbuf[used + il] = 0;
        if ((rc = og_map_put(x->ids, x->idbuf + used, il, (void *)(uintptr_t)(x->n_docs + 1), NULL))) goto done;
        used += il + 1;
        x->n_docs++;
    }
    x->bytes = sizeof *x + idlen + x->n_docs * (x->dim * sizeof *x->vec + 48);
    x->refs = 1;
    *out = x;
    x = NULL;
    goto done;
nomem:
    rc = og_error_set(OG_E_NOMEM, "out of memory (vector index)");
done:
    index_free(x);
    return rc;
}

const float *og_search_index_vector(const og_search_index *x, const char *id, size_t n, uint32_t *dim)
{
    void *v = NULL;
    *dim = x->dim;
    if (!x->vec || !og_map_get(x->ids, id, n, &v)) return NULL;
    return x->vec + (size_t)((uintptr_t)v - 1) * x->dim;
}

size_t og_search_index_bytes(const og_search_index *x) { return x->bytes; }

bool og_search_index_doc(const og_search_index *x, const char *id, size_t n, uint32_t *doc)
{
    void *v = NULL;
    if (!og_map_get(x->ids, id, n, &v)) return false;
    *doc = (uint32_t)((uintptr_t)v - 1);
    return true;
}

og_status og_search_index_resolve(const og_search_index *x, const og_search_terms *query, int64_t max_edits,
                                  og_search_iquery *out)
{
    memset(out, 0, sizeof *out);
    out->n_query = query->n;
    out->qi = calloc((size_t)x->n_terms + 1, sizeof *out->qi);
    out->qdf = calloc(query->n + 1, sizeof *out->qdf);
    if (!out->qi || !out->qdf) {
        og_search_iquery_free(out);
        return og_error_set(OG_E_NOMEM, "out of memory (text query)");
    }
    for (size_t q = 0; q < query->n; q++) {
        const char *term = og_search_term(query, q);
        void *v = NULL;
        if (og_map_get(x->dict, term, strlen(term), &v)) {
            uint32_t tid = (uint32_t)((uintptr_t)v - 1);
            out->qdf[q] = x->df[tid];
            if (!out->qi[tid]) out->qi[tid] = (uint32_t)q + 1;
        }
    }
    if (max_edits > 0) {   /* fuzzy: every dictionary term within reach */
        uint32_t m = (uint32_t)(max_edits > 64 ? 64 : max_edits);
        for (uint32_t tid = 0; tid < x->n_terms; tid++)
            for (size_t q = 0; q < query->n && !out->qi[tid]; q++)
                if (og_search_levenshtein(og_search_term(query, q), x->tstr[tid], m) <= m)
                    out->qi[tid] = (uint32_t)q + 1;
    }
    return OG_OK;
}

void og_search_iquery_free(og_search_iquery *q)
{
    if (!q) return;
    free(q->qi);
    free(q->qdf);
    memset(q, 0, sizeof *q);
}

bool og_search_index_match(const og_search_index *x, uint32_t doc, const og_search_iquery *q)
{
    for (uint64_t k = x->doc_off[doc]; k < x->doc_off[doc + 1]; k++)
        if (q->qi[x->tok[k]]) return true;
    return false;
}

double og_search_index_bm25(const og_search_index *x, uint32_t doc, const og_search_iquery *q, bool *hit)
{
    og_search_bm25 st = {.n_docs = x->n_docs, .total_len = x->total_len, .df = q->qdf, .n_terms = q->n_query};
    uint32_t small[16] = {0}, *tf = q->n_query <= 16 ? small : calloc(q->n_query, sizeof *tf);
    double score = 0;
    *hit = false;
    if (!tf) return 0;   /* out of memory: scored as a miss */
    for (uint64_t k = x->doc_off[doc]; k < x->doc_off[doc + 1]; k++) {
        uint32_t qi = q->qi[x->tok[k]];
        if (qi) tf[qi - 1]++;
    }
    score = og_search_bm25_score_tf(&st, tf, x->doc_off[doc + 1] - x->doc_off[doc], hit);
    if (tf != small) free(tf);
    return score;
}

/* ---- cache (2) ---- */

typedef struct entry {
    char *key;
    og_search_index *x;
    uint64_t tick;
} entry;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static entry *ents;
static size_t n_ents, cap_ents, cached_bytes;
static uint64_t ticks, budget = DEFAULT_BUDGET;

static void unref_locked(og_search_index *x)
{
    if (x && --x->refs == 0) index_free(x);
}

void og_search_index_release(og_search_index *x)
{
    if (!x) return;
    pthread_mutex_lock(&mu);
    unref_locked(x);
    pthread_mutex_unlock(&mu);
}

static void drop_locked(size_t i)
{
    cached_bytes -= ents[i].x->bytes;
    unref_locked(ents[i].x);
    free(ents[i].key);
    ents[i] = ents[--n_ents];
}

static void evict_locked(void)
{
    while (n_ents > 1 && cached_bytes > budget) {
        size_t lru = 0;
        for (size_t i = 1; i < n_ents; i++) if (ents[i].tick < ents[lru].tick) lru = i;
        drop_locked(lru);
    }
}

og_search_index *og_search_index_find(const char *key)
{
    og_search_index *x = NULL;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_ents && !x; i++)
        if (strcmp(ents[i].key, key) == 0) {
            ents[i].tick = ++ticks;
            x = ents[i].x;
            x->refs++;
        }
    pthread_mutex_unlock(&mu);
    return x;
}

og_search_index *og_search_index_put(const char *key, og_search_index *x)
{
    og_search_index *have = NULL;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_ents && !have; i++)
        if (strcmp(ents[i].key, key) == 0) {   /* a concurrent build won */
            have = ents[i].x;
            have->refs++;
            unref_locked(x);
        }
    if (!have) {
        have = x;
        if (n_ents == cap_ents) {
            size_t nc = cap_ents ? cap_ents * 2 : 8;
            entry *ne = realloc(ents, nc * sizeof *ne);
            if (ne) { ents = ne; cap_ents = nc; }
        }
        char *k = strdup(key);
        if (n_ents < cap_ents && k) {
            x->refs++;
            ents[n_ents].key = k;
            ents[n_ents].x = x;
            ents[n_ents].tick = ++ticks;
            n_ents++;
            cached_bytes += x->bytes;
            evict_locked();
        } else {
            free(k);   /* not cached: still usable by this reader */
        }
    }
    pthread_mutex_unlock(&mu);
    return have;
}

void og_search_index_cache_set_budget(uint64_t bytes)
{
    pthread_mutex_lock(&mu);
    budget = bytes ? bytes : DEFAULT_BUDGET;
    evict_locked();
    pthread_mutex_unlock(&mu);
}

void og_search_index_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    while (n_ents) drop_locked(n_ents - 1);
    free(ents);
    ents = NULL;
    cap_ents = 0;
    pthread_mutex_unlock(&mu);
}
