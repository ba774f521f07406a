/* fuzz_search_text.c — the search tokeniser, matcher, Levenshtein and text
 * index on arbitrary bytes. Input: byte 0 = fuzzy max edits (mod 4), then
 * document text, '\n', query text. Never crashes; terms are non-empty and
 * short; Levenshtein is symmetric and zero on equal terms; the text index
 * answers exactly what the scan functions answer; the mock embedding is
 * finite and unit length. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exec/embed.h"
#include "exec/search.h"

static og_search_tok *tok;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_search_terms doc = {0}, q = {0};
    og_search_index *x = NULL;
    og_search_iquery iq = {0};
    og_column ids, txt;
    if (size < 1) return 0;
    if (!tok && og_search_tok_new(&tok)) abort();
    int64_t edits = data[0] % 4;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    const char *nl = memchr(p, '\n', n);
    size_t dn = nl ? (size_t)(nl - p) : n;
    const char *qs = nl ? nl + 1 : "";
    size_t qn = nl ? n - dn - 1 : 0;
    if (og_search_tokenize(tok, p, dn, &doc) || og_search_tokenize(tok, qs, qn, &q)) abort();
    og_search_terms_dedup(&q);
    for (size_t i = 0; i < doc.n; i++) {
        size_t l = strlen(og_search_term(&doc, i));
        if (l == 0 || l >= 4 * OG_SEARCH_MAX_TOKEN) abort();
    }
    for (size_t i = 0; i < doc.n && i < 8; i++)
        for (size_t j = 0; j < q.n && j < 8; j++) {
            const char *a = og_search_term(&doc, i), *b = og_search_term(&q, j);
            if (og_search_levenshtein(a, b, 3) != og_search_levenshtein(b, a, 3)) abort();
            if (og_search_levenshtein(a, a, 0) != 0) abort();
        }
    if (og_search_terms_match(&doc, &doc, -1) != (doc.n > 0)) abort();
    if (og_column_init(&ids, (og_type){.id = OG_TYPE_UTF8}) || og_column_init(&txt, (og_type){.id = OG_TYPE_UTF8}))
        abort();
    if (og_column_push_bytes(&ids, "a", 1) || og_column_push_bytes(&txt, p, dn)) abort();
    if (og_search_index_build(tok, &ids, &txt, NULL, NULL, &x) || og_search_index_resolve(x, &q, edits, &iq)) abort();
    uint32_t d = 0;
    if (!og_search_index_doc(x, "a", 1, &d)) abort();
    if (og_search_index_match(x, d, &iq) != og_search_terms_match(&doc, &q, edits)) abort();
    bool hit = false;
    double s = og_search_index_bm25(x, d, &iq, &hit);
    if (!isfinite(s)) abort();
    float v[8];
    double norm = 0;
    og_embed_mock(p, n, 8, v);
    for (int i = 0; i < 8; i++) { if (!isfinite(v[i])) abort(); norm += (double)v[i] * v[i]; }
    if (fabs(norm - 1.0) > 1e-4) abort();
    og_search_iquery_free(&iq);
    og_search_index_release(x);
    og_column_free(&ids);
    og_column_free(&txt);
    og_search_terms_free(&doc);
    og_search_terms_free(&q);
    return 0;
}
