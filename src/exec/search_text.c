/* search_text.c — tokenising, full-text and fuzzy matching, BM25
 * (search.h (1)-(3)).
 * (1) A token is a maximal run of code points whose Unicode category is a
 *     letter (L*), a number (N*) or a mark (Mn, Mc, Me); everything else,
 *     and every invalid UTF-8 byte, separates tokens.
 * (2) Filters run in the reference's order: length limit on the raw
 *     token, lower-case, stem, stop word, accent folding.
 * (3) The stop-word list is Snowball's English list; only entries without
 *     an apostrophe matter, since an apostrophe splits tokens (1). */
#include "search.h"

#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "base/map.h"

struct og_search_tok {
    struct sb_stemmer *stem;
    og_map *stop;
    char *low;           /* scratch: the lower-cased token */
    size_t low_cap;
};

static const char *const k_stop[] = {
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
    "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
    "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
    "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "would",
    "should", "could", "ought", "cannot", "a", "an", "the", "and", "but", "if", "or",
    "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against",
    "between", "into", "through", "during", "before", "after", "above", "below", "to", "from",
    "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once",
    "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more",
    "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than",
    "too", "very",
};

void og_search_terms_free(og_search_terms *t)
{
    if (!t) return;
    free(t->buf);
    free(t->off);
    memset(t, 0, sizeof *t);
}

static og_status terms_add(og_search_terms *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t nc = t->cap ? t->cap : 64;
        while (nc < t->len + n + 1) nc *= 2;
        char *nb = realloc(t->buf, nc);
        if (!nb) return og_error_set(OG_E_NOMEM, "out of memory (search terms)");
        t->buf = nb;
        t->cap = nc;
    }
    if (t->n == t->ncap) {
        size_t nc = t->ncap ? t->ncap * 2 : 16;
        uint32_t *no = realloc(t->off, nc * sizeof *no);
        if (!no) return og_error_set(OG_E_NOMEM, "out of memory (search terms)");
        t->off = no;
        t->ncap = nc;
    }
    if (t->len + n + 1 > UINT32_MAX) return og_error_set(OG_E_LIMIT, "text too long to tokenise");
    t->off[t->n++] = (uint32_t)t->len;
    memcpy(t->buf + t->len, s, n);
    t->buf[t->len + n] = 0;
    t->len += n + 1;
    return OG_OK;
}

og_status og_search_tok_new(og_search_tok **out)
{
    og_status rc = OG_OK;
    og_search_tok *t = calloc(1, sizeof *t);
    *out = NULL;
    if (!t || !(t->stop = og_map_new())) { rc = og_error_set(OG_E_NOMEM, "out of memory (tokeniser)"); goto done; }
    if (!(t->stem = sb_stemmer_new("english", "UTF_8"))) {
        rc = og_error_set(OG_E_INTERNAL, "the Snowball English stemmer is unavailable");
        goto done;
    }
    for (size_t i = 0; i < sizeof k_stop / sizeof *k_stop; i++)
        if ((rc = og_map_put(t->stop, k_stop[i], strlen(k_stop[i]), (void *)1, NULL))) goto done;
    *out = t;
    t = NULL;
done:
    og_search_tok_free(t);
    return rc;
}

void og_search_tok_free(og_search_tok *t)
{
    if (!t) return;
    if (t->stem) sb_stemmer_delete(t->stem);
    og_map_free(t->stop);
    free(t->low);
    free(t);
}

static bool word_cp(utf8proc_int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return true;
    default:
        return false;
    }
}

/* Filters (2) on the raw token s[0..n), appending the term if it survives. */
static og_status token_emit(og_search_tok *t, const char *s, size_t n, og_search_terms *out)
{
    og_status rc = OG_OK;
    utf8proc_uint8_t *folded = NULL;
    if (n == 0 || n >= OG_SEARCH_MAX_TOKEN) return OG_OK;
    if (t->low_cap < n * 4 + 1) {   /* lower-casing can grow a code point's encoding */
        char *nl = realloc(t->low, n * 4 + 1);
        if (!nl) return og_error_set(OG_E_NOMEM, "out of memory (tokeniser)");
        t->low = nl;
        t->low_cap = n * 4 + 1;
    }
    size_t ln = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {   /* ASCII fast path */
            t->low[ln++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            i++;
            continue;
        }
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0) { k = 1; c = 0xFFFD; }   /* cannot happen: the splitter checked */
        ln += (size_t)utf8proc_encode_char(utf8proc_tolower(c), (utf8proc_uint8_t *)t->low + ln);
        i += (size_t)k;
    }
    const sb_symbol *st = sb_stemmer_stem(t->stem, (const sb_symbol *)t->low, (int)ln);
    if (!st) return og_error_set(OG_E_NOMEM, "out of memory (stemmer)");
    size_t sn = (size_t)sb_stemmer_length(t->stem);
    if (og_map_get(t->stop, st, sn, NULL)) return OG_OK;
    bool ascii = true;
    for (size_t i = 0; i < sn; i++) if (st[i] & 0x80) ascii = false;
    if (ascii) return terms_add(out, (const char *)st, sn);
    utf8proc_ssize_t fn = utf8proc_map((const utf8proc_uint8_t *)st, (utf8proc_ssize_t)sn, &folded,
                                       UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (fn < 0) rc = terms_add(out, (const char *)st, sn);   /* keep the unfolded term */
    else if (fn > 0) rc = terms_add(out, (const char *)folded, (size_t)fn);
    free(folded);
    return rc;
}

og_status og_search_tokenize(og_search_tok *t, const char *text, size_t n, og_search_terms *out)
{
    og_status rc = OG_OK;
    size_t start = 0;
    bool in = false;
    out->len = out->n = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        unsigned char b = (unsigned char)text[i];
        utf8proc_ssize_t k = 1;
        bool w;
        if (b < 0x80) {   /* ASCII fast path */
            w = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
        } else {
            k = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(n - i), &c);
            w = k > 0 && word_cp(c);
            if (k <= 0) k = 1;
        }
        if (w && !in) { start = i; in = true; }
        if (!w && in) {
            if ((rc = token_emit(t, text + start, i - start, out))) return rc;
            in = false;
        }
        i += (size_t)k;
    }
    if (in) rc = token_emit(t, text + start, n - start, out);
    return rc;
}

void og_search_terms_dedup(og_search_terms *t)
{
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        bool seen = false;
        for (size_t j = 0; j < w && !seen; j++) seen = strcmp(og_search_term(t, j), og_search_term(t, i)) == 0;
        if (!seen) t->off[w++] = t->off[i];
    }
    t->n = w;
}

/* UTF-8 to code points; *n gets the count. NULL on OOM. */
static utf8proc_int32_t *cps(const char *s, size_t *n)
{
    size_t len = strlen(s), m = 0;
    utf8proc_int32_t *v = malloc((len + 1) * sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &v[m]);
        if (k <= 0) { v[m] = (unsigned char)s[i]; k = 1; }
        m++;
        i += (size_t)k;
    }
    *n = m;
    return v;
}

uint32_t og_search_levenshtein(const char *a, const char *b, uint32_t max)
{
    size_t na = 0, nb = 0;
    uint32_t res = max + 1;
    utf8proc_int32_t *x = cps(a, &na), *y = cps(b, &nb);
    uint32_t *prev = NULL, *cur = NULL;
    if (!x || !y) goto done;
    if ((na > nb ? na - nb : nb - na) > max) goto done;
    prev = malloc((nb + 1) * sizeof *prev);
    cur = malloc((nb + 1) * sizeof *cur);
    if (!prev || !cur) goto done;
    for (size_t j = 0; j <= nb; j++) prev[j] = (uint32_t)j;
    for (size_t i = 1; i <= na; i++) {
        uint32_t best = cur[0] = (uint32_t)i;
        for (size_t j = 1; j <= nb; j++) {
            uint32_t d = prev[j - 1] + (x[i - 1] != y[j - 1]);
            if (prev[j] + 1 < d) d = prev[j] + 1;
            if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
            cur[j] = d;
            if (d < best) best = d;
        }
        if (best > max) goto done;   /* every later row is at least this */
        uint32_t *t = prev; prev = cur; cur = t;
    }
    res = prev[nb] <= max ? prev[nb] : max + 1;
done:
    free(x);
    free(y);
    free(prev);
    free(cur);
    return res;
}

bool og_search_terms_match(const og_search_terms *doc, const og_search_terms *query, int64_t max_edits)
{
    for (size_t q = 0; q < query->n; q++)
        for (size_t d = 0; d < doc->n; d++) {
            const char *qt = og_search_term(query, q), *dt = og_search_term(doc, d);
            if (strcmp(qt, dt) == 0) return true;
            if (max_edits > 0 &&
                og_search_levenshtein(qt, dt, (uint32_t)(max_edits > 64 ? 64 : max_edits)) <= (uint64_t)max_edits)
                return true;
        }
    return false;
}

og_status og_search_bm25_init(og_search_bm25 *s, size_t n_terms)
{
    memset(s, 0, sizeof *s);
    s->n_terms = n_terms;
    if (!(s->df = calloc(n_terms + 1, sizeof *s->df))) return og_error_set(OG_E_NOMEM, "out of memory");
    return OG_OK;
}

void og_search_bm25_free(og_search_bm25 *s)
{
    if (!s) return;
    free(s->df);
    memset(s, 0, sizeof *s);
}

static uint32_t term_freq(const og_search_terms *doc, const char *term)
{
    uint32_t tf = 0;
    for (size_t d = 0; d < doc->n; d++) tf += strcmp(term, og_search_term(doc, d)) == 0;
    return tf;
}

void og_search_bm25_add(og_search_bm25 *s, const og_search_terms *query, const og_search_terms *doc,
                        uint32_t *tf)
{
    s->n_docs++;
    s->total_len += doc->n;
    for (size_t q = 0; q < query->n && q < s->n_terms; q++) {
        uint32_t f = term_freq(doc, og_search_term(query, q));
        s->df[q] += f > 0;
        if (tf) tf[q] = f;
    }
}

double og_search_bm25_score_tf(const og_search_bm25 *s, const uint32_t *tf, uint64_t doc_len, bool *hit)
{
    double score = 0, n_docs = (double)(s->n_docs ? s->n_docs : 1);
    double avgdl = s->n_docs ? (double)s->total_len / (double)s->n_docs : 1.0;
    if (avgdl <= 0) avgdl = 1.0;
    *hit = false;
    for (size_t q = 0; q < s->n_terms; q++) {
        if (!tf[q]) continue;
        *hit = true;
        double df = (double)s->df[q];
        double idf = log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
        double norm = OG_SEARCH_BM25_K1 * (1.0 - OG_SEARCH_BM25_B + OG_SEARCH_BM25_B * (double)doc_len / avgdl);
        score += idf * (OG_SEARCH_BM25_K1 + 1.0) * (double)tf[q] / ((double)tf[q] + norm);
    }
    return score;
}

double og_search_bm25_score(const og_search_bm25 *s, const og_search_terms *query,
                            const og_search_terms *doc, bool *hit)
{
    uint32_t small[16] = {0}, *tf = s->n_terms <= 16 ? small : calloc(s->n_terms, sizeof *tf);
    double score = 0;
    *hit = false;
    if (!tf) return 0;   /* out of memory: scored as a miss */
    for (size_t q = 0; q < s->n_terms; q++) tf[q] = q < query->n ? term_freq(doc, og_search_term(query, q)) : 0;
    score = og_search_bm25_score_tf(s, tf, doc->n, hit);
    if (tf != small) free(tf);
    return score;
}
