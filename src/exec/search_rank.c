/* search_rank.c — total orders of ranked candidates and reciprocal-rank
 * fusion (search.h (4)).
 * (1) Every comparator ends on the candidate id (then the pool row), so a
 *     ranking never depends on the input order or on qsort's stability.
 * (2) NaN never reaches a comparator: a NaN score counts as a miss. */
#include "search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"

double og_search_l2(const float *a, const float *b, uint32_t dim)
{
    double s = 0;
    for (uint32_t i = 0; i < dim; i++) {
        double d = (double)a[i] - (double)b[i];
        s += d * d;
    }
    return sqrt(s);
}

static int id_cmp(const og_search_cand *a, const og_search_cand *b)
{
    size_t m = a->id_len < b->id_len ? a->id_len : b->id_len;
    int c = m ? memcmp(a->id, b->id, m) : 0;
    if (!c) c = (a->id_len > b->id_len) - (a->id_len < b->id_len);
    if (!c) c = (a->row > b->row) - (a->row < b->row);
    return c;
}

static int miss_cmp(const og_search_cand *a, const og_search_cand *b)
{
    return (b->hit > a->hit) - (b->hit < a->hit);   /* hits first */
}

static int nearest_cmp(const void *pa, const void *pb)
{
    const og_search_cand *a = pa, *b = pb;
    int c = miss_cmp(a, b);
    if (c || !a->hit) return c ? c : id_cmp(a, b);
    if (a->score != b->score) return a->score < b->score ? -1 : 1;
    return id_cmp(a, b);
}

static int bm25_cmp(const void *pa, const void *pb)
{
    const og_search_cand *a = pa, *b = pb;
    int c = miss_cmp(a, b);
    if (c || !a->hit) return c ? c : id_cmp(a, b);
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    return -id_cmp(a, b);
}

static size_t sort_hits(og_search_cand *c, size_t n, int (*cmp)(const void *, const void *))
{
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].hit && isnan(c[i].score)) c[i].hit = false;   /* (2) */
        hits += c[i].hit;
    }
    qsort(c, n, sizeof *c, cmp);
    return hits;
}

size_t og_search_sort_nearest(og_search_cand *c, size_t n) { return sort_hits(c, n, nearest_cmp); }
size_t og_search_sort_bm25(og_search_cand *c, size_t n) { return sort_hits(c, n, bm25_cmp); }

static void heap_down(og_search_cand *h, size_t n, size_t i, int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cmp(&h[l], &h[m]) > 0) m = l;
        if (r < n && cmp(&h[r], &h[m]) > 0) m = r;
        if (m == i) return;
        og_search_cand t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

size_t og_search_top(og_search_cand *c, size_t n, size_t k, bool bm25)
{
    int (*cmp)(const void *, const void *) = bm25 ? bm25_cmp : nearest_cmp;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {   /* hits to the front (2) */
        if (c[i].hit && isnan(c[i].score)) c[i].hit = false;
        if (c[i].hit) { og_search_cand t = c[hits]; c[hits] = c[i]; c[i] = t; hits++; }
    }
    if (k >= hits / 2) {   /* little to skip: a plain sort */
        qsort(c, hits, sizeof *c, cmp);
        return k < hits ? k : hits;
    }
    if (k == 0) return 0;
    /* a bounded max-heap keeps the k best (4) */
    for (size_t i = k / 2; i-- > 0;) heap_down(c, k, i, cmp);
    for (size_t i = k; i < hits; i++)
        if (cmp(&c[i], &c[0]) < 0) {
            og_search_cand t = c[0]; c[0] = c[i]; c[i] = t;
            heap_down(c, k, 0, cmp);
        }
    qsort(c, k, sizeof *c, cmp);
    return k;
}

typedef struct fused {
    og_search_cand c;
    size_t first;        /* appearance order */
} fused;

static int fused_cmp(const void *pa, const void *pb)
{
    const fused *a = pa, *b = pb;
    if (a->c.score != b->c.score) return a->c.score > b->c.score ? -1 : 1;
    return (a->first > b->first) - (a->first < b->first);
}

og_status og_search_rrf(const og_search_cand *a, size_t na, const og_search_cand *b, size_t nb,
                        int64_t k, og_search_cand **out, size_t *n_out)
{
    og_status rc = OG_OK;
    og_u64map *seen = og_u64map_new(na + nb);
    fused *f = calloc(na + nb + 1, sizeof *f);
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    if (!seen || !f) { rc = og_error_set(OG_E_NOMEM, "out of memory (rrf)"); goto done; }
    if (k <= 0) { rc = og_error_set(OG_E_INVALID, "rrf() k must be greater than 0, got %lld", (long long)k); goto done; }
    for (int arm = 0; arm < 2; arm++) {
        const og_search_cand *c = arm ? b : a;
        size_t nc = arm ? nb : na;
        for (size_t r = 0; r < nc; r++) {
            uint64_t at = 0;
            uint64_t key = (uint64_t)(uint32_t)c[r].row;
            if (!og_u64map_get(seen, key, &at)) {
                at = n;
                f[n].c = c[r];
                f[n].c.score = 0;
                f[n].c.hit = true;
                f[n].first = n;
                n++;
                if ((rc = og_u64map_put(seen, key, at))) goto done;
            }
            f[at].c.score += 1.0 / ((double)k + (double)r + 1.0);
        }
    }
    qsort(f, n, sizeof *f, fused_cmp);
    if (!(*out = malloc((n + 1) * sizeof **out))) { rc = og_error_set(OG_E_NOMEM, "out of memory (rrf)"); goto done; }
    for (size_t i = 0; i < n; i++) (*out)[i] = f[i].c;
    *n_out = n;
done:
    og_u64map_free(seen);
    free(f);
    return rc;
}
