/* query_ast.c — the pool behind .gq trees, names of enum values, calendar
 * helpers.
 * (1) The pool is a chain of chunks; allocations are zeroed and 16-byte
 *     aligned; there is no per-object free (the tree dies at once).
 * (2) Calendar conversion is proleptic Gregorian, UTC, no leap seconds. */
#include "query_ast.h"

#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK 8192

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} pool_chunk;

struct og_gq_pool { pool_chunk *head; };

og_gq_pool *og_gq_pool_new(void)
{
    return calloc(1, sizeof(og_gq_pool));
}

void og_gq_pool_free(og_gq_pool *p)
{
    if (!p) return;
    pool_chunk *c = p->head;
    while (c) {
        pool_chunk *n = c->next;
        free(c);
        c = n;
    }
    free(p);
}

void *og_gq_pool_alloc(og_gq_pool *p, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need == 0) need = 16;
    pool_chunk *c = p->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > POOL_CHUNK ? need : POOL_CHUNK;
        pool_chunk *nc = malloc(sizeof(pool_chunk) + cap);
        if (!nc) return NULL;
        nc->used = 0;
        nc->cap = cap;
        nc->next = p->head;
        p->head = nc;
        c = nc;
    }
    void *r = c->data + c->used;
    c->used += need;
    memset(r, 0, need);
    return r;
}

char *og_gq_pool_strndup(og_gq_pool *p, const char *s, size_t n)
{
    char *r = og_gq_pool_alloc(p, n + 1);
    if (r && n) memcpy(r, s, n);
    return r;
}

char *og_gq_pool_strdup(og_gq_pool *p, const char *s)
{
    return og_gq_pool_strndup(p, s, strlen(s));
}

void og_gq_file_free(og_gq_file *f)
{
    if (f) og_gq_pool_free(f->pool); /* the file itself lives in the pool */
}

const og_gq_query *og_gq_file_find(const og_gq_file *f, const char *name)
{
    for (size_t i = 0; f && i < f->n_queries; i++)
        if (strcmp(f->queries[i].name, name) == 0) return &f->queries[i];
    return NULL;
}

const char *og_gq_base_name(og_gq_base b)
{
    static const char *const names[] = {
        "String", "Bool", "I32", "I64", "U32", "U64", "F32", "F64",
        "Date", "DateTime", "Blob", "Vector", "Node", "String"};
    return (unsigned)b < sizeof(names) / sizeof(names[0]) ? names[b] : "?";
}

const char *og_gq_fn_name(og_gq_fn f)
{
    static const char *const names[] = {"nearest", "search", "fuzzy",
                                        "match_text", "bm25", "rrf"};
    return (unsigned)f < 6 ? names[f] : "?";
}

const char *og_gq_agg_name(og_gq_agg a)
{
    static const char *const names[] = {"count", "sum", "avg", "min", "max"};
    return (unsigned)a < 5 ? names[a] : "?";
}

const char *og_gq_op_name(og_gq_op op)
{
    static const char *const names[] = {"=", "!=", ">", "<", ">=", "<=",
                                        "contains", "starts_with"};
    return (unsigned)op < 8 ? names[op] : "?";
}

/* days since 1970-01-01 of a civil date (Howard Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, size_t n, size_t at, size_t k, int64_t *out)
{
    int64_t v = 0;
    if (at + k > n) return false;
    for (size_t i = 0; i < k; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

static bool ymd(const char *s, size_t n, int64_t *days)
{
    int64_t y, m, d;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !digits(s, n, 5, 2, &m) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    *days = days_from_civil(y, m, d);
    return true;
}

bool og_gq_parse_date(const char *s, size_t n, int64_t *days_out)
{
    return n == 10 && ymd(s, n, days_out);
}

bool og_gq_parse_datetime(const char *s, size_t n, int64_t *us_out)
{
    int64_t days, hh = 0, mi = 0, ss = 0, us = 0, off = 0;
    size_t i;
    if (!ymd(s, n, &days)) return false;
    if (n == 10) { *us_out = days * INT64_C(86400000000); return true; }
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
    if (!digits(s, n, 11, 2, &hh) || n < 19 || s[13] != ':' || !digits(s, n, 14, 2, &mi) ||
        s[16] != ':' || !digits(s, n, 17, 2, &ss))
        return false;
    if (hh > 23 || mi > 59 || ss > 60) return false;
    i = 19;
    if (i < n && s[i] == '.') {
        size_t k = 0;
        int64_t scale = 100000;
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (k < 6) { us += (s[i] - '0') * scale; scale /= 10; }
            i++, k++;
        }
        if (k == 0) return false;
    }
    if (i < n) {
        if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
            i++;
        } else if ((s[i] == '+' || s[i] == '-') && i + 6 == n && s[i + 3] == ':') {
            int64_t oh, om;
            if (!digits(s, n, i + 1, 2, &oh) || !digits(s, n, i + 4, 2, &om)) return false;
            if (oh > 23 || om > 59) return false;
            off = (oh * 60 + om) * INT64_C(60000000);
            if (s[i] == '-') off = -off;
            i = n;
        } else {
            return false;
        }
    }
    *us_out = days * INT64_C(86400000000) + ((hh * 60 + mi) * 60 + ss) * INT64_C(1000000) + us - off;
    return true;
}
