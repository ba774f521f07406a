/* load_json.c — strict one-value JSON reader with duplicate detection and
 * structural slot accounting; see load_json.h for the invariants. */
#include "load_json.h"

#include <string.h>
#include "base/buf.h"
#include "base/map.h"

typedef struct lj_parser {
    og_arena *a;
    const char *p, *end, *start;
    size_t slots, max_slots;
} lj_parser;

static og_status lj_value(lj_parser *ps, int depth, og_lj **out);

static void lj_ws(lj_parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static size_t lj_col(const lj_parser *ps) { return (size_t)(ps->p - ps->start) + 1; }

static og_status lj_slot(lj_parser *ps)
{
    ps->slots++;
    if (ps->slots > ps->max_slots)
        return og_error_set(OG_E_LIMIT, "graph_batch_json_structural_slots: more than %zu JSON structural slots",
                            ps->max_slots);
    return OG_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static og_status lj_hex4(lj_parser *ps, unsigned *out)
{
    unsigned v = 0;
    if (ps->end - ps->p < 4)
        return og_error_set(OG_E_PARSE, "EOF while parsing a string escape at column %zu", lj_col(ps));
    for (int i = 0; i < 4; i++) {
        int h = hexval(ps->p[i]);
        if (h < 0)
            return og_error_set(OG_E_PARSE, "invalid \\u escape at column %zu", lj_col(ps));
        v = v * 16 + (unsigned)h;
    }
    ps->p += 4;
    *out = v;
    return OG_OK;
}

static og_status put_utf8(og_buf *b, unsigned cp)
{
    uint8_t t[4];
    size_t n;
    if (cp < 0x80) { t[0] = (uint8_t)cp; n = 1; }
    else if (cp < 0x800) { t[0] = (uint8_t)(0xC0 | (cp >> 6)); t[1] = (uint8_t)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        t[0] = (uint8_t)(0xE0 | (cp >> 12)); t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        t[0] = (uint8_t)(0xF0 | (cp >> 18)); t[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (uint8_t)(0x80 | (cp & 0x3F)); n = 4;
    }
    return og_buf_append(b, t, n);
}

/* Length of the valid UTF-8 sequence at p (0 when invalid). */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    size_t n;
    unsigned cp;
    if (p[0] < 0x80) return 1;
    if ((p[0] & 0xE0) == 0xC0) { n = 2; cp = p[0] & 0x1F; }
    else if ((p[0] & 0xF0) == 0xE0) { n = 3; cp = p[0] & 0x0F; }
    else if ((p[0] & 0xF8) == 0xF0) { n = 4; cp = p[0] & 0x07; }
    else return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static og_status lj_string(lj_parser *ps, const char **out, size_t *len_out)
{
    og_buf b = OG_BUF_INIT;
    og_status rc = OG_OK;
    ps->p++; /* opening quote */
    for (;;) {
        if (ps->p >= ps->end) {
            rc = og_error_set(OG_E_PARSE, "EOF while parsing a string at column %zu", lj_col(ps));
            goto done;
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') { ps->p++; break; }
        if (c < 0x20) {
            rc = og_error_set(OG_E_PARSE, "control character in string at column %zu", lj_col(ps));
            goto done;
        }
        if (c == '\\') {
            ps->p++;
            if (ps->p >= ps->end) {
                rc = og_error_set(OG_E_PARSE, "EOF while parsing a string at column %zu", lj_col(ps));
                goto done;
            }
            char e = *ps->p++;
            switch (e) {
            case '"': rc = og_buf_append_byte(&b, '"'); break;
            case '\\': rc = og_buf_append_byte(&b, '\\'); break;
            case '/': rc = og_buf_append_byte(&b, '/'); break;
            case 'b': rc = og_buf_append_byte(&b, '\b'); break;
            case 'f': rc = og_buf_append_byte(&b, '\f'); break;
            case 'n': rc = og_buf_append_byte(&b, '\n'); break;
            case 'r': rc = og_buf_append_byte(&b, '\r'); break;
            case 't': rc = og_buf_append_byte(&b, '\t'); break;
            case 'u': {
                unsigned cp, lo;
                if ((rc = lj_hex4(ps, &cp)) != OG_OK) goto done;
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    rc = og_error_set(OG_E_PARSE, "lone surrogate in \\u escape at column %zu", lj_col(ps));
                    goto done;
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                        rc = og_error_set(OG_E_PARSE, "lone surrogate in \\u escape at column %zu", lj_col(ps));
                        goto done;
                    }
                    ps->p += 2;
                    if ((rc = lj_hex4(ps, &lo)) != OG_OK) goto done;
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        rc = og_error_set(OG_E_PARSE, "lone surrogate in \\u escape at column %zu", lj_col(ps));
                        goto done;
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                rc = put_utf8(&b, cp);
                break;
            }
            default:
                ps->p--;
                rc = og_error_set(OG_E_PARSE, "invalid escape at column %zu", lj_col(ps));
                goto done;
            }
            if (rc != OG_OK) goto done;
            continue;
        }
        size_t n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
        if (n == 0) {
            rc = og_error_set(OG_E_PARSE, "invalid UTF-8 in string at column %zu", lj_col(ps));
            goto done;
        }
        if ((rc = og_buf_append(&b, ps->p, n)) != OG_OK) goto done;
        ps->p += n;
    }
    *len_out = b.len;
    *out = og_arena_strndup(ps->a, b.len ? (const char *)b.data : "", b.len);
    if (!*out) rc = og_error_set(OG_E_NOMEM, "out of memory");
done:
    og_buf_free(&b);
    return rc;
}

static og_status lj_number(lj_parser *ps, og_lj *v)
{
    const char *s = ps->p;
    bool is_int = true;
    if (ps->p < ps->end && *ps->p == '-') ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
        return og_error_set(OG_E_PARSE, "invalid number at column %zu", lj_col(ps));
    if (*ps->p == '0') ps->p++;
    else while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    if (ps->p < ps->end && *ps->p == '.') {
        is_int = false;
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return og_error_set(OG_E_PARSE, "invalid number at column %zu", lj_col(ps));
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        is_int = false;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return og_error_set(OG_E_PARSE, "invalid number at column %zu", lj_col(ps));
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
    }
    v->kind = OG_LJ_NUM;
    v->num_is_int = is_int;
    v->len = (size_t)(ps->p - s);
    v->s = og_arena_strndup(ps->a, s, v->len);
    return v->s ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory");
}

static og_status lj_literal(lj_parser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return og_error_set(OG_E_PARSE, "expected value at column %zu", lj_col(ps));
    ps->p += n;
    return OG_OK;
}

/* Growable pointer arrays in the arena (doubling; old blocks stay until the
 * arena goes, which is bounded by 2x the final size). */
static og_status grow(og_arena *a, void **arr, size_t elem, size_t n, size_t *cap)
{
    if (n < *cap) return OG_OK;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *fresh = og_arena_alloc(a, ncap * elem);
    if (!fresh) return og_error_set(OG_E_NOMEM, "out of memory");
    if (n) memcpy(fresh, *arr, n * elem);
    *arr = fresh;
    *cap = ncap;
    return OG_OK;
}

static og_status lj_array(lj_parser *ps, int depth, og_lj *v)
{
    og_status rc = OG_OK;
    size_t cap = 0;
    v->kind = OG_LJ_ARR;
    ps->p++;
    lj_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') { ps->p++; return OG_OK; }
    for (;;) {
        og_lj *item = NULL;
        if ((rc = lj_value(ps, depth + 1, &item)) != OG_OK) return rc;
        if ((rc = grow(ps->a, (void **)&v->items, sizeof(og_lj *), v->n, &cap)) != OG_OK) return rc;
        v->items[v->n++] = item;
        lj_ws(ps);
        if (ps->p >= ps->end)
            return og_error_set(OG_E_PARSE, "EOF while parsing a list at column %zu", lj_col(ps));
        if (*ps->p == ',') { ps->p++; continue; }
        if (*ps->p == ']') { ps->p++; return OG_OK; }
        return og_error_set(OG_E_PARSE, "expected ',' or ']' at column %zu", lj_col(ps));
    }
}

/* Member names seen so far: a linear scan while the object is small, a
 * hash map once it has OBJ_MAP_AT members (so a hostile wide object costs
 * O(n), not O(n^2)). Keys are arena strings; klens keeps their lengths. */
#define OBJ_MAP_AT 16

static og_status lj_object(lj_parser *ps, int depth, og_lj *v)
{
    og_status rc = OG_OK;
    size_t cap = 0, kcap = 0, lcap = 0;
    size_t *klens = NULL;
    og_map *seen = NULL;
    v->kind = OG_LJ_OBJ;
    ps->p++;
    lj_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') { ps->p++; goto done; }
    for (;;) {
        const char *key = NULL;
        size_t klen = 0;
        og_lj *item = NULL;
        bool dup = false;
        lj_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            rc = og_error_set(OG_E_PARSE, "key must be a string at column %zu", lj_col(ps));
            goto done;
        }
        if ((rc = lj_slot(ps)) != OG_OK) goto done;
        if ((rc = lj_string(ps, &key, &klen)) != OG_OK) goto done;
        if (seen) {
            void *val = NULL;
            dup = og_map_get(seen, key, klen, &val);
        } else {
            for (size_t i = 0; i < v->n && !dup; i++)
                dup = klens[i] == klen && memcmp(v->keys[i], key, klen) == 0;
        }
        if (dup) {
            rc = og_error_set(OG_E_PARSE, "duplicate JSON member '%s'", key);
            goto done;
        }
        lj_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            rc = og_error_set(OG_E_PARSE, "expected ':' at column %zu", lj_col(ps));
            goto done;
        }
        ps->p++;
        if ((rc = lj_value(ps, depth + 1, &item)) != OG_OK) goto done;
        if ((rc = grow(ps->a, (void **)&v->items, sizeof(og_lj *), v->n, &cap)) != OG_OK) goto done;
        if ((rc = grow(ps->a, (void **)&v->keys, sizeof(char *), v->n, &kcap)) != OG_OK) goto done;
        if ((rc = grow(ps->a, (void **)&klens, sizeof(size_t), v->n, &lcap)) != OG_OK) goto done;
        v->items[v->n] = item;
        v->keys[v->n] = key;
        klens[v->n] = klen;
        v->n++;
        if (seen) {
            if ((rc = og_map_put(seen, key, klen, item, NULL)) != OG_OK) goto done;
        } else if (v->n >= OBJ_MAP_AT) {
            if (!(seen = og_map_new())) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
            for (size_t i = 0; i < v->n; i++)
                if ((rc = og_map_put(seen, v->keys[i], klens[i], v->items[i], NULL)) != OG_OK) goto done;
        }
        lj_ws(ps);
        if (ps->p >= ps->end) {
            rc = og_error_set(OG_E_PARSE, "EOF while parsing an object at column %zu", lj_col(ps));
            goto done;
        }
        if (*ps->p == ',') { ps->p++; continue; }
        if (*ps->p == '}') { ps->p++; goto done; }
        rc = og_error_set(OG_E_PARSE, "expected ',' or '}' at column %zu", lj_col(ps));
        goto done;
    }
done:
    og_map_free(seen);
    return rc;
}

static og_status lj_value(lj_parser *ps, int depth, og_lj **out)
{
    og_status rc;
    og_lj *v;
    if (depth > OG_LOAD_JSON_MAX_DEPTH)
        return og_error_set(OG_E_PARSE, "recursion limit exceeded at column %zu", lj_col(ps));
    lj_ws(ps);
    if (ps->p >= ps->end)
        return og_error_set(OG_E_PARSE, "EOF while parsing a value at column %zu", lj_col(ps));
    if ((rc = lj_slot(ps)) != OG_OK) return rc;
    v = og_arena_calloc(ps->a, sizeof *v);
    if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
    switch (*ps->p) {
    case '{': rc = lj_object(ps, depth, v); break;
    case '[': rc = lj_array(ps, depth, v); break;
    case '"': v->kind = OG_LJ_STR; rc = lj_string(ps, &v->s, &v->len); break;
    case 't': v->kind = OG_LJ_BOOL; v->b = true; rc = lj_literal(ps, "true", 4); break;
    case 'f': v->kind = OG_LJ_BOOL; rc = lj_literal(ps, "false", 5); break;
    case 'n': v->kind = OG_LJ_NULL; rc = lj_literal(ps, "null", 4); break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) rc = lj_number(ps, v);
        else rc = og_error_set(OG_E_PARSE, "expected value at column %zu", lj_col(ps));
    }
    if (rc == OG_OK) *out = v;
    return rc;
}

og_status og_lj_parse(og_arena *a, const char *text, size_t len,
                      size_t max_slots, og_lj **out, size_t *slots_out)
{
    lj_parser ps = {a, text, text + len, text, 0, max_slots};
    og_lj *v = NULL;
    og_status rc = lj_value(&ps, 0, &v);
    if (rc == OG_OK) {
        lj_ws(&ps);
        if (ps.p != ps.end)
            rc = og_error_set(OG_E_PARSE, "trailing characters at column %zu", lj_col(&ps));
    }
    if (slots_out) *slots_out = ps.slots;
    if (rc == OG_OK) *out = v;
    return rc;
}

const og_lj *og_lj_get(const og_lj *obj, const char *key)
{
    if (!obj || obj->kind != OG_LJ_OBJ) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
    return NULL;
}

static og_status render_str(const char *s, size_t len, og_buf *out)
{
    og_status rc = og_buf_append_byte(out, '"');
    for (size_t i = 0; rc == OG_OK && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            rc = og_buf_append_byte(out, '\\');
            if (rc == OG_OK) rc = og_buf_append_byte(out, c);
        } else if (c < 0x20) {
            rc = og_buf_printf(out, "\\u%04x", c);
        } else {
            rc = og_buf_append_byte(out, c);
        }
    }
    if (rc == OG_OK) rc = og_buf_append_byte(out, '"');
    return rc;
}

og_status og_lj_render(const og_lj *v, og_buf *out)
{
    og_status rc = OG_OK;
    switch (v->kind) {
    case OG_LJ_NULL: return og_buf_append_str(out, "null");
    case OG_LJ_BOOL: return og_buf_append_str(out, v->b ? "true" : "false");
    case OG_LJ_NUM: return og_buf_append(out, v->s, v->len);
    case OG_LJ_STR: return render_str(v->s, v->len, out);
    case OG_LJ_ARR:
        rc = og_buf_append_byte(out, '[');
        for (size_t i = 0; rc == OG_OK && i < v->n; i++) {
            if (i) rc = og_buf_append_byte(out, ',');
            if (rc == OG_OK) rc = og_lj_render(v->items[i], out);
        }
        if (rc == OG_OK) rc = og_buf_append_byte(out, ']');
        return rc;
    case OG_LJ_OBJ:
        rc = og_buf_append_byte(out, '{');
        for (size_t i = 0; rc == OG_OK && i < v->n; i++) {
            if (i) rc = og_buf_append_byte(out, ',');
            if (rc == OG_OK) rc = render_str(v->keys[i], strlen(v->keys[i]), out);
            if (rc == OG_OK) rc = og_buf_append_byte(out, ':');
            if (rc == OG_OK) rc = og_lj_render(v->items[i], out);
        }
        if (rc == OG_OK) rc = og_buf_append_byte(out, '}');
        return rc;
    }
    return rc;
}
