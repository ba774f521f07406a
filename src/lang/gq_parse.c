/* gq_parse.c — lexer and recursive-descent parser for .gq (surface.md §2.1-2.2).
 * (1) The whole text is tokenised first; the parser then walks the token
 *     array with bounded lookahead (at most 4 tokens), so no backtracking
 *     state needs undoing.
 * (2) The first error wins: it is recorded once (line/column of the
 *     offending token) and every caller unwinds with false/NULL.
 * (3) Recursion depth is bounded (OG_GQ_MAX_DEPTH) so hostile input cannot
 *     exhaust the stack.
 * (4) Everything allocated goes to the file's pool; on failure the pool is
 *     freed whole, so no path leaks. */
#include "query_ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"

#define OG_GQ_MAX_DEPTH 64

typedef enum tok_kind {
    TK_EOF, TK_IDENT, TK_TYPE, TK_VAR, TK_INT, TK_FLOAT, TK_STRING, TK_PUNCT
} tok_kind;

typedef struct tok {
    tok_kind kind;
    const char *p;      /* into source (IDENT/TYPE/VAR: name; VAR excludes '$') */
    size_t n;
    uint32_t line, col;
    const char *str;    /* STRING: decoded (pool) */
} tok;

typedef OG_VEC(tok) tok_vec;

typedef struct parser {
    const char *src;
    size_t len;
    tok_vec toks;
    size_t i;
    og_gq_pool *pool;
    og_status rc;       /* first error */
    int depth;
} parser;

static const char *tok_desc(const tok *t, char *buf, size_t cap)
{
    switch (t->kind) {
    case TK_EOF: return "end of input";
    case TK_STRING: return "string literal";
    case TK_VAR: snprintf(buf, cap, "`$%.*s`", (int)(t->n > 40 ? 40 : t->n), t->p); return buf;
    default: snprintf(buf, cap, "`%.*s`", (int)(t->n > 40 ? 40 : t->n), t->p); return buf;
    }
}

static bool fail_at(parser *P, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool fail_at(parser *P, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (P->rc != OG_OK) return false;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    P->rc = og_error_set(OG_E_PARSE, "parse error: line %u, column %u: %s", line, col, msg);
    return false;
}

static bool nomem(parser *P)
{
    if (P->rc == OG_OK) P->rc = og_error_set(OG_E_NOMEM, "out of memory parsing query");
    return false;
}

/* ---------------------------------------------------------------- lexer */

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

static bool lex(parser *P)
{
    const char *s = P->src;
    size_t n = P->len, i = 0;
    uint32_t line = 1, col = 1;
#define ADV() do { if (s[i] == '\n') { line++; col = 1; } else { col++; } i++; } while (0)
    for (;;) {
        while (i < n) {
            if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
                ADV();
            } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '/') {
                while (i < n && s[i] != '\n') ADV();
            } else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                uint32_t l0 = line, c0 = col;
                ADV(); ADV();
                while (i < n && !(s[i] == '*' && i + 1 < n && s[i + 1] == '/')) ADV();
                if (i >= n) return fail_at(P, l0, c0, "unterminated block comment");
                ADV(); ADV();
            } else {
                break;
            }
        }
        tok t = {0};
        t.line = line;
        t.col = col;
        if (i >= n) {
            t.kind = TK_EOF;
            t.p = "";
            if (og_vec_push(&P->toks, t)) return nomem(P);
            return true;
        }
        char c = s[i];
        size_t st = i;
        if (is_alpha(c) || c == '_') {
            while (i < n && is_word(s[i])) ADV();
            t.kind = (c >= 'A' && c <= 'Z') ? TK_TYPE : TK_IDENT;
            t.p = s + st;
            t.n = i - st;
        } else if (c == '$') {
            ADV();
            if (i >= n || !((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
                return fail_at(P, t.line, t.col,
                               "a variable is `$` followed by a lower-case letter or `_`");
            st = i;
            while (i < n && is_word(s[i])) ADV();
            t.kind = TK_VAR;
            t.p = s + st;
            t.n = i - st;
        } else if (is_digit(c)) {
            while (i < n && is_digit(s[i])) ADV();
            t.kind = TK_INT;
            if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
                ADV();
                while (i < n && is_digit(s[i])) ADV();
                t.kind = TK_FLOAT;
            }
            t.p = s + st;
            t.n = i - st;
        } else if (c == '"') {
            og_buf b = OG_BUF_INIT;
            bool ok = false;
            ADV();
            for (;;) {
                if (i >= n) { fail_at(P, t.line, t.col, "unterminated string literal"); break; }
                char d = s[i];
                if (d == '"') { ADV(); ok = true; break; }
                if (d == '\\') {
                    uint32_t el = line, ec = col;
                    ADV();
                    char e = i < n ? s[i] : 0;
                    char out = e == '"' ? '"' : e == '\\' ? '\\' : e == 'n' ? '\n'
                             : e == 'r' ? '\r' : e == 't' ? '\t' : 0;
                    if (!out) { fail_at(P, el, ec, "unsupported escape sequence"); break; }
                    ADV();
                    if (og_buf_append_byte(&b, (uint8_t)out)) { nomem(P); break; }
                    continue;
                }
                ADV();
                if (og_buf_append_byte(&b, (uint8_t)d)) { nomem(P); break; }
            }
            if (ok) {
                t.str = og_gq_pool_strndup(P->pool, b.data ? b.data : "", b.len);
                if (!t.str) { ok = false; nomem(P); }
            }
            og_buf_free(&b);
            if (!ok) return false;
            t.kind = TK_STRING;
            t.p = s + st;
            t.n = i - st;
        } else {
            static const char *const two[] = {"!=", ">=", "<="};
            t.kind = TK_PUNCT;
            t.p = s + st;
            t.n = 1;
            for (int k = 0; k < 3; k++)
                if (i + 1 < n && c == two[k][0] && s[i + 1] == two[k][1]) t.n = 2;
            if (t.n == 1 && !strchr("(){}[],:?<>=.@", c))
                return fail_at(P, line, col, "unexpected character `%c`",
                               (c >= 32 && c < 127) ? c : '?');
            ADV();
            if (t.n == 2) ADV();
        }
        if (og_vec_push(&P->toks, t)) return nomem(P);
    }
#undef ADV
}

/* --------------------------------------------------------------- parser */

static const tok *peek_at(parser *P, size_t k)
{
    size_t j = P->i + k;
    if (j >= P->toks.len) j = P->toks.len - 1; /* EOF token */
    return &P->toks.items[j];
}
static const tok *peek(parser *P) { return peek_at(P, 0); }
static const tok *next(parser *P)
{
    const tok *t = peek(P);
    if (P->i < P->toks.len - 1) P->i++;
    return t;
}

static bool tok_is(const tok *t, tok_kind k, const char *text)
{
    return t->kind == k && strlen(text) == t->n && memcmp(t->p, text, t->n) == 0;
}
static bool is_punct(const tok *t, const char *p) { return tok_is(t, TK_PUNCT, p); }
static bool is_kw(const tok *t, const char *w) { return tok_is(t, TK_IDENT, w); }

static bool expected(parser *P, const char *what)
{
    char b[64];
    const tok *t = peek(P);
    return fail_at(P, t->line, t->col, "expected %s, found %s", what, tok_desc(t, b, sizeof b));
}

static bool expect_punct(parser *P, const char *p)
{
    if (!is_punct(peek(P), p)) {
        char w[16];
        snprintf(w, sizeof w, "`%s`", p);
        return expected(P, w);
    }
    next(P);
    return true;
}

static bool expect_kw(parser *P, const char *w)
{
    if (!is_kw(peek(P), w)) {
        char b[40];
        snprintf(b, sizeof b, "`%s`", w);
        return expected(P, b);
    }
    next(P);
    return true;
}

static const char *tok_str(parser *P, const tok *t)
{
    const char *r = og_gq_pool_strndup(P->pool, t->p, t->n);
    if (!r) nomem(P);
    return r;
}

/* Growable array in the pool: doubles by copying (old block stays in pool). */
static bool grow(parser *P, void **items, size_t *n, size_t *cap, size_t elem)
{
    if (*n < *cap) return true;
    size_t nc = *cap ? *cap * 2 : 4;
    void *ni = og_gq_pool_alloc(P->pool, nc * elem);
    if (!ni) return nomem(P);
    if (*n) memcpy(ni, *items, *n * elem);
    *items = ni;
    *cap = nc;
    return true;
}
#define PUSH(P, arr, n, cap) (grow((P), (void **)&(arr), &(n), &(cap), sizeof(*(arr))) ? &(arr)[(n)++] : NULL)

static bool parse_int(parser *P, const tok *t, int64_t *out)
{
    uint64_t v = 0;
    for (size_t k = 0; k < t->n; k++) {
        uint64_t d = (uint64_t)(t->p[k] - '0');
        if (v > (UINT64_C(9223372036854775807) - d) / 10)
            return fail_at(P, t->line, t->col, "integer literal out of range");
        v = v * 10 + d;
    }
    *out = (int64_t)v;
    return true;
}

static og_gq_expr *new_expr(parser *P, og_gq_expr_kind k, const tok *at)
{
    og_gq_expr *e = og_gq_pool_alloc(P->pool, sizeof *e);
    if (!e) { nomem(P); return NULL; }
    e->kind = k;
    e->pos.line = at->line;
    e->pos.col = at->col;
    return e;
}

/* scalar literal token (no list) into *l */
static bool parse_scalar_lit(parser *P, og_gq_lit *l)
{
    const tok *t = peek(P);
    if (t->kind == TK_INT) {
        next(P);
        l->kind = OG_GQ_LIT_INT;
        return parse_int(P, t, &l->i);
    }
    if (t->kind == TK_FLOAT) {
        char buf[128];
        next(P);
        if (t->n >= sizeof buf) return fail_at(P, t->line, t->col, "float literal too long");
        memcpy(buf, t->p, t->n);
        buf[t->n] = 0;
        l->kind = OG_GQ_LIT_FLOAT;
        l->f = strtod(buf, NULL);
        return true;
    }
    if (t->kind == TK_STRING) {
        next(P);
        l->kind = OG_GQ_LIT_STRING;
        l->s = t->str;
        return true;
    }
    if (is_kw(t, "true") || is_kw(t, "false")) {
        next(P);
        l->kind = OG_GQ_LIT_BOOL;
        l->i = is_kw(t, "true");
        return true;
    }
    if ((is_kw(t, "date") || is_kw(t, "datetime")) && is_punct(peek_at(P, 1), "(")) {
        bool dt = is_kw(t, "datetime");
        next(P);
        next(P);
        const tok *s = peek(P);
        if (s->kind != TK_STRING) return expected(P, "a string literal");
        next(P);
        l->kind = dt ? OG_GQ_LIT_DATETIME : OG_GQ_LIT_DATE;
        l->s = s->str;
        size_t sl = strlen(s->str);
        if (dt ? !og_gq_parse_datetime(s->str, sl, &l->i) : !og_gq_parse_date(s->str, sl, &l->i))
            return fail_at(P, s->line, s->col, "invalid %s literal \"%s\"",
                           dt ? "datetime" : "date", s->str);
        return expect_punct(P, ")");
    }
    return expected(P, "a literal");
}

static bool lit_numeric(og_gq_lit_kind k) { return k == OG_GQ_LIT_INT || k == OG_GQ_LIT_FLOAT; }

static bool parse_lit(parser *P, og_gq_lit *l)
{
    const tok *t = peek(P);
    if (!is_punct(t, "[")) return parse_scalar_lit(P, l);
    next(P);
    l->kind = OG_GQ_LIT_LIST;
    size_t cap = 0;
    while (!is_punct(peek(P), "]")) {
        if (is_punct(peek(P), "[")) {
            const tok *b = peek(P);
            return fail_at(P, b->line, b->col, "list literals cannot be nested");
        }
        og_gq_lit *it = PUSH(P, l->items, l->n_items, cap);
        if (!it || !parse_scalar_lit(P, it)) return false;
        if (l->n_items > 1) {
            og_gq_lit_kind a = l->items[0].kind, b = it->kind;
            if (a != b && !(lit_numeric(a) && lit_numeric(b)))
                return fail_at(P, t->line, t->col, "list literal elements must have one type");
        }
        if (is_punct(peek(P), ",")) next(P);
        else if (!is_punct(peek(P), "]")) return expected(P, "`,` or `]`");
    }
    next(P);
    return true;
}

static og_gq_expr *parse_expr(parser *P);

static bool fn_of(const tok *t, og_gq_fn *fn)
{
    static const char *const names[] = {"nearest", "search", "fuzzy",
                                        "match_text", "bm25", "rrf"};
    for (int k = 0; k < 6; k++)
        if (is_kw(t, names[k])) { *fn = (og_gq_fn)k; return true; }
    return false;
}

static bool agg_of(const tok *t, og_gq_agg *a)
{
    static const char *const names[] = {"count", "sum", "avg", "min", "max"};
    for (int k = 0; k < 5; k++)
        if (is_kw(t, names[k])) { *a = (og_gq_agg)k; return true; }
    return false;
}

static og_gq_expr *parse_call(parser *P)
{
    const tok *t = next(P); /* function name; '(' follows */
    og_gq_expr *e = NULL;
    og_gq_fn fn = (og_gq_fn)0;
    og_gq_agg agg;
    size_t cap = 0;
    if (fn_of(t, &fn)) {
        e = new_expr(P, OG_GQ_E_CALL, t);
        if (e) e->fn = fn;
    } else if (agg_of(t, &agg)) {
        e = new_expr(P, OG_GQ_E_AGG, t);
        if (e) e->agg = agg;
    } else {
        fail_at(P, t->line, t->col, "unknown function `%.*s`", (int)t->n, t->p);
        return NULL;
    }
    if (!e) return NULL;
    next(P); /* '(' */
    while (!is_punct(peek(P), ")")) {
        og_gq_expr **slot = PUSH(P, e->args, e->n_args, cap);
        if (!slot || !(*slot = parse_expr(P))) return NULL;
        if (is_punct(peek(P), ",")) next(P);
        else if (!is_punct(peek(P), ")")) { expected(P, "`,` or `)`"); return NULL; }
    }
    next(P);
    if (e->kind == OG_GQ_E_AGG && e->n_args != 1) {
        fail_at(P, t->line, t->col, "%s() takes exactly one argument", og_gq_agg_name(e->agg));
        return NULL;
    }
    if (e->kind == OG_GQ_E_CALL) {
        size_t lo = 2, hi = 2;
        if (fn == OG_GQ_FN_FUZZY || fn == OG_GQ_FN_RRF) hi = 3;
        if (e->n_args < lo || e->n_args > hi) {
            fail_at(P, t->line, t->col, "%s() takes %zu%s arguments, got %zu",
                    og_gq_fn_name(fn), lo, hi > lo ? " or 3" : "", e->n_args);
            return NULL;
        }
    }
    return e;
}

static og_gq_expr *parse_expr(parser *P)
{
    const tok *t = peek(P);
    og_gq_expr *e = NULL;
    if (++P->depth > OG_GQ_MAX_DEPTH) {
        fail_at(P, t->line, t->col, "expression nested too deeply");
        goto done;
    }
    if (t->kind == TK_IDENT && is_punct(peek_at(P, 1), "(")) {
        if (is_kw(t, "now")) {
            next(P);
            next(P);
            if (expect_punct(P, ")")) e = new_expr(P, OG_GQ_E_NOW, t);
        } else if (is_kw(t, "date") || is_kw(t, "datetime")) {
            e = new_expr(P, OG_GQ_E_LIT, t);
            if (e && !parse_scalar_lit(P, &e->lit)) e = NULL;
        } else {
            e = parse_call(P);
        }
    } else if (t->kind == TK_VAR) {
        next(P);
        if (is_punct(peek(P), ".")) {
            next(P);
            const tok *pn = peek(P);
            if (pn->kind != TK_IDENT) { expected(P, "a property name"); goto done; }
            next(P);
            e = new_expr(P, OG_GQ_E_PROP, t);
            if (e && (!(e->var = tok_str(P, t)) || !(e->name = tok_str(P, pn)))) e = NULL;
        } else {
            e = new_expr(P, OG_GQ_E_VAR, t);
            if (e && !(e->var = tok_str(P, t))) e = NULL;
        }
    } else if (t->kind == TK_IDENT && !is_kw(t, "true") && !is_kw(t, "false")) {
        next(P);
        e = new_expr(P, OG_GQ_E_ALIAS, t);
        if (e && !(e->name = tok_str(P, t))) e = NULL;
    } else if (t->kind == TK_INT || t->kind == TK_FLOAT || t->kind == TK_STRING ||
               t->kind == TK_IDENT || is_punct(t, "[")) {
        e = new_expr(P, OG_GQ_E_LIT, t);
        if (e && !parse_lit(P, &e->lit)) e = NULL;
    } else {
        expected(P, "an expression");
    }
done:
    P->depth--;
    return P->rc == OG_OK ? e : NULL;
}

/* value in a property match or assignment: literal | $var | now() */
static og_gq_expr *parse_value(parser *P)
{
    const tok *t = peek(P);
    if (t->kind == TK_VAR || is_kw(t, "now") || t->kind == TK_INT || t->kind == TK_FLOAT ||
        t->kind == TK_STRING || is_punct(t, "[") || is_kw(t, "true") || is_kw(t, "false") ||
        is_kw(t, "date") || is_kw(t, "datetime")) {
        if (is_kw(t, "now") && !is_punct(peek_at(P, 1), "(")) {
            expected(P, "a literal, a `$parameter` or `now()`");
            return NULL;
        }
        if (t->kind == TK_VAR && is_punct(peek_at(P, 1), ".")) {
            expected(P, "a literal, a `$parameter` or `now()`");
            return NULL;
        }
        return parse_expr(P);
    }
    expected(P, "a literal, a `$parameter` or `now()`");
    return NULL;
}

static bool filter_op(const tok *t, og_gq_op *op)
{
    static const char *const ops[] = {"=", "!=", ">", "<", ">=", "<="};
    for (int k = 0; k < 6; k++)
        if (is_punct(t, ops[k])) { *op = (og_gq_op)k; return true; }
    if (is_kw(t, "contains")) { *op = OG_GQ_OP_CONTAINS; return true; }
    if (is_kw(t, "starts_with")) { *op = OG_GQ_OP_STARTS_WITH; return true; }
    return false;
}

static bool is_edge_name(const tok *t)
{
    return (t->kind == TK_IDENT && !is_kw(t, "not")) || t->kind == TK_TYPE;
}

static bool parse_clauses(parser *P, og_gq_clause **out, size_t *n_out);

static bool parse_binding(parser *P, og_gq_clause *c)
{
    const tok *v = next(P);
    c->kind = OG_GQ_C_BINDING;
    if (!(c->var = tok_str(P, v))) return false;
    next(P); /* ':' */
    const tok *ty = peek(P);
    if (ty->kind != TK_TYPE) return expected(P, "a type name");
    next(P);
    if (!(c->type_name = tok_str(P, ty))) return false;
    if (!is_punct(peek(P), "{")) return true;
    next(P);
    size_t cap = 0;
    if (is_punct(peek(P), "}"))
        return expected(P, "a property match (write `$x: Type` for no filter)");
    while (!is_punct(peek(P), "}")) {
        const tok *pn = peek(P);
        if (pn->kind != TK_IDENT) return expected(P, "a property name");
        next(P);
        og_gq_pmatch *pm = PUSH(P, c->pmatches, c->n_pmatches, cap);
        if (!pm || !(pm->prop = tok_str(P, pn))) return false;
        pm->pos.line = pn->line;
        pm->pos.col = pn->col;
        if (!expect_punct(P, ":")) return false;
        if (!(pm->value = parse_value(P))) return false;
        if (is_punct(peek(P), ",")) next(P);
        else if (!is_punct(peek(P), "}")) return expected(P, "`,` or `}`");
    }
    next(P);
    return true;
}

static bool parse_traversal(parser *P, og_gq_clause *c)
{
    const tok *s = next(P);
    c->kind = OG_GQ_C_TRAVERSAL;
    c->min_hops = c->max_hops = 1;
    if (!(c->src = tok_str(P, s))) return false;
    if (peek(P)->kind == TK_VAR) {
        const tok *ev = next(P);
        next(P); /* ':' */
        if (!(ev->n == 1 && ev->p[0] == '_') && !(c->edge_var = tok_str(P, ev))) return false;
    }
    const tok *e = peek(P);
    if (is_punct(e, "<")) {
        next(P);
        c->undirected = true;
        e = peek(P);
    }
    if (!is_edge_name(e)) return expected(P, "an edge name");
    next(P);
    if (!(c->edge = tok_str(P, e))) return false;
    if (c->undirected && !expect_punct(P, ">")) return false;
    if (is_punct(peek(P), "{")) {
        next(P);
        c->has_bounds = true;
        const tok *lo = peek(P);
        if (lo->kind != TK_INT) return expected(P, "an integer lower bound");
        next(P);
        if (!parse_int(P, lo, &c->min_hops) || !expect_punct(P, ",")) return false;
        const tok *hi = peek(P);
        if (hi->kind == TK_INT) {
            next(P);
            if (!parse_int(P, hi, &c->max_hops)) return false;
        } else {
            c->max_missing = true;
            c->max_hops = 0;
        }
        if (!expect_punct(P, "}")) return false;
    }
    const tok *d = peek(P);
    if (d->kind != TK_VAR) return expected(P, "a `$variable` (traversal endpoint)");
    next(P);
    return (c->dst = tok_str(P, d)) != NULL;
}

static bool parse_clause(parser *P, og_gq_clause *c)
{
    const tok *t = peek(P);
    const tok *t1 = peek_at(P, 1), *t2 = peek_at(P, 2), *t3 = peek_at(P, 3);
    bool ok = false;
    c->pos.line = t->line;
    c->pos.col = t->col;
    if (++P->depth > OG_GQ_MAX_DEPTH) {
        fail_at(P, t->line, t->col, "`not` blocks nested too deeply");
        goto done;
    }
    if (is_kw(t, "not") && is_punct(t1, "{")) {
        next(P);
        next(P);
        c->kind = OG_GQ_C_NOT;
        ok = parse_clauses(P, &c->body, &c->n_body);
    } else if (t->kind == TK_VAR && is_punct(t1, ":")) {
        ok = parse_binding(P, c);
    } else if (t->kind == TK_VAR &&
               ((t1->kind == TK_VAR && is_punct(t2, ":")) ||
                (is_edge_name(t1) && (t2->kind == TK_VAR || is_punct(t2, "{"))) ||
                (is_punct(t1, "<") && is_edge_name(t2) && is_punct(t3, ">")))) {
        ok = parse_traversal(P, c);
    } else {
        og_gq_fn fn = (og_gq_fn)0;
        og_gq_expr *l = parse_expr(P);
        if (!l) goto done;
        if (l->kind == OG_GQ_E_CALL && fn_of(t, &fn) &&
            (fn == OG_GQ_FN_SEARCH || fn == OG_GQ_FN_FUZZY || fn == OG_GQ_FN_MATCH_TEXT) &&
            !filter_op(peek(P), &c->op)) {
            c->kind = OG_GQ_C_SEARCH;
            c->call = l;
            ok = true;
            goto done;
        }
        c->kind = OG_GQ_C_FILTER;
        c->left = l;
        if (!filter_op(peek(P), &c->op)) {
            expected(P, "a comparison operator (= != > < >= <= contains starts_with)");
            goto done;
        }
        next(P);
        ok = (c->right = parse_expr(P)) != NULL;
    }
done:
    P->depth--;
    return ok && P->rc == OG_OK;
}

/* clause+ "}" (the opening brace is consumed by the caller) */
static bool parse_clauses(parser *P, og_gq_clause **out, size_t *n_out)
{
    size_t cap = 0;
    while (!is_punct(peek(P), "}")) {
        if (peek(P)->kind == TK_EOF) return expected(P, "`}`");
        og_gq_clause *c = PUSH(P, *out, *n_out, cap);
        if (!c || !parse_clause(P, c)) return false;
        if (is_punct(peek(P), ",")) next(P);
    }
    if (*n_out == 0) return expected(P, "at least one clause");
    next(P);
    return true;
}

static bool parse_read_body(parser *P, og_gq_query *q)
{
    size_t cap = 0;
    if (!expect_kw(P, "match") || !expect_punct(P, "{") ||
        !parse_clauses(P, &q->clauses, &q->n_clauses))
        return false;
    if (!expect_kw(P, "return") || !expect_punct(P, "{")) return false;
    while (!is_punct(peek(P), "}")) {
        const tok *t = peek(P);
        og_gq_proj *pr = PUSH(P, q->projs, q->n_projs, cap);
        if (!pr) return false;
        pr->pos.line = t->line;
        pr->pos.col = t->col;
        if (!(pr->expr = parse_expr(P))) return false;
        if (is_kw(peek(P), "as")) {
            next(P);
            const tok *a = peek(P);
            if (a->kind != TK_IDENT) return expected(P, "an alias name");
            next(P);
            if (!(pr->alias = tok_str(P, a))) return false;
        }
        if (is_punct(peek(P), ",")) next(P);
    }
    if (q->n_projs == 0) return expected(P, "at least one projection");
    next(P);
    if (is_kw(peek(P), "order")) {
        next(P);
        if (!expect_punct(P, "{")) return false;
        cap = 0;
        while (!is_punct(peek(P), "}")) {
            const tok *t = peek(P);
            og_gq_order *o = PUSH(P, q->orders, q->n_orders, cap);
            if (!o) return false;
            o->pos.line = t->line;
            o->pos.col = t->col;
            if (!(o->expr = parse_expr(P))) return false;
            const tok *d = peek(P);
            if (is_kw(d, "asc") || is_kw(d, "desc")) {
                if (o->expr->kind == OG_GQ_E_CALL && o->expr->fn == OG_GQ_FN_NEAREST)
                    return fail_at(P, d->line, d->col,
                                   "nearest() ordering takes no asc/desc modifier");
                next(P);
                o->has_dir = true;
                o->desc = is_kw(d, "desc");
            }
            if (is_punct(peek(P), ",")) next(P);
        }
        if (q->n_orders == 0) return expected(P, "at least one ordering");
        next(P);
    }
    if (is_kw(peek(P), "limit")) {
        next(P);
        const tok *n = peek(P);
        if (n->kind != TK_INT) return expected(P, "an integer literal after `limit`");
        next(P);
        if (!parse_int(P, n, &q->limit)) return false;
        q->has_limit = true;
    }
    return true;
}

static bool parse_assigns(parser *P, og_gq_mutation *m)
{
    size_t cap = 0;
    if (!expect_punct(P, "{")) return false;
    while (!is_punct(peek(P), "}")) {
        const tok *pn = peek(P);
        if (pn->kind != TK_IDENT) return expected(P, "a property name");
        next(P);
        og_gq_assign *a = PUSH(P, m->assigns, m->n_assigns, cap);
        if (!a || !(a->prop = tok_str(P, pn))) return false;
        a->pos.line = pn->line;
        a->pos.col = pn->col;
        if (!expect_punct(P, ":") || !(a->value = parse_value(P))) return false;
        if (is_punct(peek(P), ",")) next(P);
    }
    if (m->n_assigns == 0) return expected(P, "at least one assignment");
    next(P);
    return true;
}

static bool parse_where(parser *P, og_gq_mutation *m)
{
    if (!expect_kw(P, "where")) return false;
    const tok *pn = peek(P);
    if (pn->kind != TK_IDENT) return expected(P, "a property name");
    next(P);
    if (!(m->where_prop = tok_str(P, pn))) return false;
    m->where_pos.line = pn->line;
    m->where_pos.col = pn->col;
    if (!filter_op(peek(P), &m->where_op) || m->where_op == OG_GQ_OP_CONTAINS ||
        m->where_op == OG_GQ_OP_STARTS_WITH)
        return expected(P, "a comparison operator (= != > < >= <=)");
    next(P);
    return (m->where_value = parse_value(P)) != NULL;
}

static bool parse_mutations(parser *P, og_gq_query *q)
{
    size_t cap = 0;
    q->is_mutation = true;
    while (!is_punct(peek(P), "}")) {
        const tok *k = peek(P);
        og_gq_mutation *m;
        if (!is_kw(k, "insert") && !is_kw(k, "update") && !is_kw(k, "delete"))
            return expected(P, "`insert`, `update`, `delete` or `}`");
        next(P);
        if (!(m = PUSH(P, q->mutations, q->n_mutations, cap))) return false;
        m->pos.line = k->line;
        m->pos.col = k->col;
        m->kind = is_kw(k, "insert") ? OG_GQ_INSERT : is_kw(k, "update") ? OG_GQ_UPDATE
                                                                          : OG_GQ_DELETE;
        const tok *ty = peek(P);
        if (ty->kind != TK_TYPE) return expected(P, "a type name");
        next(P);
        if (!(m->type_name = tok_str(P, ty))) return false;
        if (m->kind == OG_GQ_INSERT) {
            if (!parse_assigns(P, m)) return false;
        } else if (m->kind == OG_GQ_UPDATE) {
            if (!expect_kw(P, "set") || !parse_assigns(P, m) || !parse_where(P, m)) return false;
        } else if (!parse_where(P, m)) {
            return false;
        }
    }
    return true;
}

static bool parse_ptype(parser *P, og_gq_param *p)
{
    static const char *const names[] = {"String", "Bool", "I32", "I64", "U32", "U64",
                                        "F32", "F64", "Date", "DateTime", "Blob"};
    const tok *t = peek(P);
    bool list = false;
    if (is_punct(t, "[")) {
        next(P);
        list = true;
        t = peek(P);
    }
    if (tok_is(t, TK_TYPE, "Vector") && !list) {
        next(P);
        if (!expect_punct(P, "(")) return false;
        const tok *d = peek(P);
        int64_t dim;
        if (d->kind != TK_INT) return expected(P, "a vector dimension");
        next(P);
        if (!parse_int(P, d, &dim)) return false;
        if (dim < 1 || dim > 2147483647)
            return fail_at(P, d->line, d->col, "vector dimension %lld is out of range",
                           (long long)dim);
        p->type.base = OG_GQ_VECTOR;
        p->type.dim = (uint32_t)dim;
        return expect_punct(P, ")");
    }
    for (int k = 0; k < 11; k++) {
        if (tok_is(t, TK_TYPE, names[k])) {
            next(P);
            p->type.base = (og_gq_base)k;
            p->type.is_list = list;
            if (list && p->type.base == OG_GQ_BLOB)
                return fail_at(P, t->line, t->col, "lists of Blob are not supported");
            return !list || expect_punct(P, "]");
        }
    }
    char b[64];
    return fail_at(P, t->line, t->col, "unknown parameter type %s", tok_desc(t, b, sizeof b));
}

static bool parse_query(parser *P, og_gq_query *q)
{
    size_t cap = 0;
    const tok *kw = peek(P);
    q->pos.line = kw->line;
    q->pos.col = kw->col;
    if (!expect_kw(P, "query")) return false;
    const tok *nm = peek(P);
    if (nm->kind != TK_IDENT) return expected(P, "a query name");
    next(P);
    if (!(q->name = tok_str(P, nm)) || !expect_punct(P, "(")) return false;
    while (!is_punct(peek(P), ")")) {
        const tok *v = peek(P);
        if (v->kind != TK_VAR) return expected(P, "a `$parameter`");
        next(P);
        og_gq_param *p = PUSH(P, q->params, q->n_params, cap);
        if (!p || !(p->name = tok_str(P, v))) return false;
        p->pos.line = v->line;
        p->pos.col = v->col;
        if (strcmp(p->name, "__nanograph_now") == 0)
            return fail_at(P, v->line, v->col, "parameter name `$__nanograph_now` is reserved");
        for (size_t k = 0; k + 1 < q->n_params; k++)
            if (strcmp(q->params[k].name, p->name) == 0)
                return fail_at(P, v->line, v->col, "duplicate parameter `$%s`", p->name);
        if (!expect_punct(P, ":") || !parse_ptype(P, p)) return false;
        if (is_punct(peek(P), "?")) {
            next(P);
            p->type.nullable = true;
        }
        if (is_punct(peek(P), ",")) next(P);
        else if (!is_punct(peek(P), ")")) return expected(P, "`,` or `)`");
    }
    next(P);
    while (is_punct(peek(P), "@")) {
        const tok *at = next(P);
        const tok *an = peek(P);
        const char **slot;
        if (is_kw(an, "description")) slot = &q->description;
        else if (is_kw(an, "instruction")) slot = &q->instruction;
        else return fail_at(P, at->line, at->col, "unknown query annotation (expected "
                            "@description or @instruction)");
        next(P);
        if (*slot)
            return fail_at(P, at->line, at->col, "duplicate @%.*s annotation", (int)an->n, an->p);
        if (!expect_punct(P, "(")) return false;
        const tok *s = peek(P);
        if (s->kind != TK_STRING) return expected(P, "a string literal");
        next(P);
        *slot = s->str;
        if (!expect_punct(P, ")")) return false;
    }
    if (!expect_punct(P, "{")) return false;
    if (is_kw(peek(P), "match")) {
        if (!parse_read_body(P, q)) return false;
    } else if (is_kw(peek(P), "insert") || is_kw(peek(P), "update") ||
               is_kw(peek(P), "delete")) {
        if (!parse_mutations(P, q)) return false;
    } else {
        return expected(P, "`match`, `insert`, `update` or `delete`");
    }
    return expect_punct(P, "}");
}

og_status og_gq_parse(const char *text, size_t len, og_gq_file **out)
{
    parser P = {0};
    og_gq_file *f = NULL;
    size_t cap = 0;
    *out = NULL;
    P.src = text;
    P.len = len;
    if (!(P.pool = og_gq_pool_new())) { P.rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (!(f = og_gq_pool_alloc(P.pool, sizeof *f))) { nomem(&P); goto done; }
    f->pool = P.pool;
    if (!lex(&P)) goto done;
    while (peek(&P)->kind != TK_EOF) {
        og_gq_query *q = PUSH(&P, f->queries, f->n_queries, cap);
        if (!q || !parse_query(&P, q)) goto done;
        for (size_t k = 0; k + 1 < f->n_queries; k++)
            if (strcmp(f->queries[k].name, q->name) == 0) {
                fail_at(&P, q->pos.line, q->pos.col, "duplicate query name `%s`", q->name);
                goto done;
            }
    }
    *out = f;
done:
    og_vec_free(&P.toks);
    if (P.rc != OG_OK) og_gq_pool_free(P.pool);
    return P.rc;
}
