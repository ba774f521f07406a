/* pg_parse.c — lexer and recursive-descent parser for `.pg` schema text.
 * (1) Accepts exactly the grammar of surface.md §1.2; every refusal is
 *     OG_E_PARSE with "line L, column C: " of the offending token.
 * (2) Tokens are lexed on demand with one token of lookahead, so the
 *     parser can re-read raw text where the grammar changes its lexical
 *     rules (bare enum values `[A-Za-z0-9_-]+`).
 * (3) Strings are decoded here; only \" \\ \n \r \t are escapes.
 * (4) The parser never reads past len, never allocates outside the arena
 *     and keeps the first error only. Recursion depth is bounded by the
 *     grammar (no nesting), so hostile input cannot exhaust the stack. */
#include "pg_ast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/arena.h"

typedef enum tok_kind {
    T_EOF = 0, T_WORD, T_INT, T_FLOAT, T_STRING,
    T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK,
    T_COLON, T_COMMA, T_QUEST, T_AT, T_ARROW, T_DOTDOT, T_EQ, T_MINUS
} tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t start, len;       /* raw span */
    uint32_t line, col;
    const char *text;        /* arena copy: decoded string / word / number */
} tok;

typedef struct parser {
    og_arena *arena;
    const char *src;
    size_t len;
    size_t pos;
    uint32_t line, col;
    bool has_peek;
    tok peek;
    size_t peek_pos;         /* raw position before the peeked token */
    uint32_t peek_line, peek_col;
} parser;

#define TRY(x) do { rc = (x); if (rc != OG_OK) goto done; } while (0)

static og_status nomem(void)
{
    return og_error_set(OG_E_NOMEM, "out of memory while parsing schema");
}

static const char *tok_desc(const tok *t, char *buf, size_t cap)
{
    switch (t->kind) {
    case T_EOF: return "end of input";
    case T_STRING: return "string literal";
    default:
        snprintf(buf, cap, "'%.*s'", (int)(t->len > 40 ? 40 : t->len),
                 t->text ? t->text : "");
        return buf;
    }
}

static og_status err_at(uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static og_status err_at(uint32_t line, uint32_t col, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return og_error_set(OG_E_PARSE, "line %u, column %u: %s", line, col, msg);
}

static og_status err_tok(const tok *t, const char *expected)
{
    char b[64];
    return err_at(t->line, t->col, "expected %s, found %s", expected, tok_desc(t, b, sizeof b));
}

/* ---- lexer ---------------------------------------------------------------- */

static void advance(parser *p, size_t n)
{
    while (n-- > 0 && p->pos < p->len) {
        if (p->src[p->pos] == '\n') { p->line++; p->col = 1; }
        else p->col++;
        p->pos++;
    }
}

static int cur(const parser *p, size_t ahead)
{
    return p->pos + ahead < p->len ? (unsigned char)p->src[p->pos + ahead] : -1;
}

static bool is_word_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_word_char(int c) { return is_word_start(c) || is_digit(c); }

static og_status skip_space(parser *p)
{
    og_status rc = OG_OK;
    for (;;) {
        int c = cur(p, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { advance(p, 1); continue; }
        if (c == '/' && cur(p, 1) == '/') {
            while (cur(p, 0) != -1 && cur(p, 0) != '\n') advance(p, 1);
            continue;
        }
        if (c == '/' && cur(p, 1) == '*') {
            uint32_t l = p->line, co = p->col;
            advance(p, 2);
            for (;;) {
                if (cur(p, 0) == -1) { rc = err_at(l, co, "unterminated block comment"); goto done; }
                if (cur(p, 0) == '*' && cur(p, 1) == '/') { advance(p, 2); break; }
                advance(p, 1);
            }
            continue;
        }
        break;
    }
done:
    return rc;
}

static og_status lex_string(parser *p, tok *t)
{
    og_status rc = OG_OK;
    /* decoded length <= raw length */
    size_t cap = 0, i = p->pos + 1;
    while (i < p->len && p->src[i] != '"') { if (p->src[i] == '\\') i++; i++; }
    cap = i - p->pos + 1;
    char *out = og_arena_alloc(p->arena, cap);
    size_t n = 0;
    if (!out) { rc = nomem(); goto done; }
    advance(p, 1);
    for (;;) {
        int c = cur(p, 0);
        if (c == -1) { rc = err_at(t->line, t->col, "unterminated string literal"); goto done; }
        if (c == '"') { advance(p, 1); break; }
        if (c == '\\') {
            int e = cur(p, 1);
            char r;
            switch (e) {
            case '"': r = '"'; break;
            case '\\': r = '\\'; break;
            case 'n': r = '\n'; break;
            case 'r': r = '\r'; break;
            case 't': r = '\t'; break;
            default:
                if (e == -1) rc = err_at(t->line, t->col, "unterminated string literal");
                else rc = err_at(p->line, p->col, "unsupported escape sequence '\\%c'", (char)e);
                goto done;
            }
            out[n++] = r;
            advance(p, 2);
            continue;
        }
        out[n++] = (char)c;
        advance(p, 1);
    }
    out[n] = 0;
    t->text = out;
done:
    return rc;
}

/* Lexes the next token from the raw cursor (ignores the peek cache). */
static og_status lex(parser *p, tok *t)
{
    og_status rc = OG_OK;
    memset(t, 0, sizeof *t);
    TRY(skip_space(p));
    t->start = p->pos;
    t->line = p->line;
    t->col = p->col;
    int c = cur(p, 0);
    if (c == -1) { t->kind = T_EOF; t->text = ""; goto done; }
    if (is_word_start(c)) {
        size_t n = 0;
        while (is_word_char(cur(p, n))) n++;
        t->kind = T_WORD;
        advance(p, n);
    } else if (is_digit(c)) {
        size_t n = 0;
        while (is_digit(cur(p, n))) n++;
        t->kind = T_INT;
        if (cur(p, n) == '.' && is_digit(cur(p, n + 1))) {
            n++;
            while (is_digit(cur(p, n))) n++;
            t->kind = T_FLOAT;
        }
        advance(p, n);
    } else if (c == '"') {
        t->kind = T_STRING;
        TRY(lex_string(p, t));
        t->len = p->pos - t->start;
        goto done;
    } else {
        size_t n = 1;
        switch (c) {
        case '{': t->kind = T_LBRACE; break;
        case '}': t->kind = T_RBRACE; break;
        case '(': t->kind = T_LPAREN; break;
        case ')': t->kind = T_RPAREN; break;
        case '[': t->kind = T_LBRACK; break;
        case ']': t->kind = T_RBRACK; break;
        case ':': t->kind = T_COLON; break;
        case ',': t->kind = T_COMMA; break;
        case '?': t->kind = T_QUEST; break;
        case '@': t->kind = T_AT; break;
        case '=': t->kind = T_EQ; break;
        case '-':
            if (cur(p, 1) == '>') { t->kind = T_ARROW; n = 2; }
            else t->kind = T_MINUS;
            break;
        case '.':
            if (cur(p, 1) == '.') { t->kind = T_DOTDOT; n = 2; break; }
            /* fall through */
        default:
            if (c >= 0x20 && c < 0x7f)
                rc = err_at(t->line, t->col, "unexpected character '%c'", (char)c);
            else
                rc = err_at(t->line, t->col, "unexpected byte 0x%02x", (unsigned)c);
            goto done;
        }
        advance(p, n);
    }
    t->len = p->pos - t->start;
    t->text = og_arena_strndup(p->arena, p->src + t->start, t->len);
    if (!t->text) rc = nomem();
done:
    return rc;
}

static og_status peek(parser *p, const tok **out)
{
    og_status rc = OG_OK;
    if (!p->has_peek) {
        p->peek_pos = p->pos;
        p->peek_line = p->line;
        p->peek_col = p->col;
        TRY(lex(p, &p->peek));
        p->has_peek = true;
    }
    *out = &p->peek;
done:
    return rc;
}

static og_status next(parser *p, tok *out)
{
    og_status rc = OG_OK;
    const tok *t;
    TRY(peek(p, &t));
    *out = *t;
    p->has_peek = false;
done:
    return rc;
}

/* Drops a peeked token so the raw cursor is where it began. */
static void unpeek(parser *p)
{
    if (p->has_peek) {
        p->pos = p->peek_pos;
        p->line = p->peek_line;
        p->col = p->peek_col;
        p->has_peek = false;
    }
}

static og_status expect(parser *p, tok_kind k, const char *what, tok *out)
{
    og_status rc = OG_OK;
    tok t;
    TRY(next(p, &t));
    if (t.kind != k) { rc = err_tok(&t, what); goto done; }
    if (out) *out = t;
done:
    return rc;
}

static bool is_type_name(const char *s) { return s[0] >= 'A' && s[0] <= 'Z'; }
static bool is_ident(const char *s) { return (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'; }

static og_status expect_type_name(parser *p, tok *out)
{
    og_status rc = OG_OK;
    TRY(next(p, out));
    if (out->kind != T_WORD || !is_type_name(out->text)) rc = err_tok(out, "a type name (starting upper-case)");
done:
    return rc;
}

static og_status parse_u64(const tok *t, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; t->text[i]; i++) {
        unsigned d = (unsigned)(t->text[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return err_at(t->line, t->col, "integer %s is too large", t->text);
        v = v * 10 + d;
    }
    *out = v;
    return OG_OK;
}

/* ---- grammar ---------------------------------------------------------------- */

static bool is_literal(tok_kind k) { return k == T_STRING || k == T_INT || k == T_FLOAT; }

static pg_lit_kind lit_kind_of(const tok *t)
{
    switch (t->kind) {
    case T_STRING: return PG_LIT_STRING;
    case T_INT: return PG_LIT_INT;
    case T_FLOAT: return PG_LIT_FLOAT;
    default:
        if (!strcmp(t->text, "true") || !strcmp(t->text, "false")) return PG_LIT_BOOL;
        return PG_LIT_IDENT;
    }
}

static bool is_constraint_word(const char *w, og_constraint_kind *k)
{
    static const struct { const char *n; og_constraint_kind k; } tab[] = {
        {"key", OG_CONSTRAINT_KEY}, {"unique", OG_CONSTRAINT_UNIQUE},
        {"index", OG_CONSTRAINT_INDEX}, {"range", OG_CONSTRAINT_RANGE},
        {"check", OG_CONSTRAINT_CHECK}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(w, tab[i].n)) { if (k) *k = tab[i].k; return true; }
    return false;
}

/* After the '@' has been peeked: true when the text that follows is
 * `key|unique|index|range|check (`, i.e. a body constraint. Restores the
 * lexer position. */
static og_status at_is_body_constraint(parser *p, bool *yes)
{
    og_status rc = OG_OK;
    size_t pos = p->pos;
    uint32_t line = p->line, col = p->col;
    bool had = p->has_peek;
    tok save = p->peek;
    size_t sp = p->peek_pos;
    uint32_t sl = p->peek_line, sc = p->peek_col;
    tok at, w, lp;
    *yes = false;
    TRY(next(p, &at));
    TRY(lex(p, &w));
    if (w.kind == T_WORD && is_constraint_word(w.text, NULL)) {
        TRY(lex(p, &lp));
        *yes = lp.kind == T_LPAREN;
    }
done:
    p->pos = pos; p->line = line; p->col = col;
    p->has_peek = had; p->peek = save;
    p->peek_pos = sp; p->peek_line = sl; p->peek_col = sc;
    return rc;
}

/* annotation := "@" ident [ "(" ann_arg ("," ident "=" literal)* ")" ]
 * The '@' is the next token. */
static og_status parse_annotation(parser *p, pg_ann **out)
{
    og_status rc = OG_OK;
    tok at = {0}, name = {0}, t = {0};
    pg_ann *a = og_arena_calloc(p->arena, sizeof *a);
    pg_kwarg **kw_tail;
    const tok *pk;
    if (!a) { rc = nomem(); goto done; }
    TRY(expect(p, T_AT, "'@'", &at));
    TRY(next(p, &name));
    if (name.kind != T_WORD || !is_ident(name.text)) { rc = err_tok(&name, "an annotation name after '@'"); goto done; }
    a->name = name.text;
    a->line = at.line;
    a->col = at.col;
    kw_tail = &a->kwargs;
    TRY(peek(p, &pk));
    if (pk->kind != T_LPAREN) goto done;
    TRY(next(p, &t));
    a->has_args = true;
    TRY(next(p, &t));
    if (t.kind == T_RPAREN) goto done; /* `@name()`: no value */
    if (!(is_literal(t.kind) || t.kind == T_WORD)) {
        rc = err_at(t.line, t.col, "annotation @%s: expected a value, found %s", a->name,
                    tok_desc(&t, (char[64]){0}, 64));
        goto done;
    }
    a->value = t.text;
    a->value_kind = lit_kind_of(&t);
    a->n_positional = 1;
    for (;;) {
        TRY(next(p, &t));
        if (t.kind == T_RPAREN) break;
        if (t.kind != T_COMMA) {
            rc = err_at(t.line, t.col, "annotation @%s: expected ',' or ')', found %s", a->name,
                        tok_desc(&t, (char[64]){0}, 64));
            goto done;
        }
        tok k, v;
        TRY(next(p, &k));
        TRY(peek(p, &pk));
        if (k.kind != T_WORD || !is_ident(k.text) || pk->kind != T_EQ) {
            rc = err_at(k.line, k.col,
                        "annotation @%s accepts one positional value followed by key=value arguments only",
                        a->name);
            goto done;
        }
        TRY(next(p, &t));
        TRY(next(p, &v));
        if (!is_literal(v.kind) && !(v.kind == T_WORD && lit_kind_of(&v) == PG_LIT_BOOL)) {
            rc = err_at(v.line, v.col, "annotation @%s: argument %s expects a literal value", a->name, k.text);
            goto done;
        }
        pg_kwarg *kw = og_arena_calloc(p->arena, sizeof *kw);
        if (!kw) { rc = nomem(); goto done; }
        kw->key = k.text;
        kw->value = v.text;
        kw->value_kind = lit_kind_of(&v);
        *kw_tail = kw;
        kw_tail = &kw->next;
        a->n_kwargs++;
    }
done:
    if (rc == OG_OK) *out = a;
    return rc;
}

/* annotation* on a property: stops before a body-constraint form. */
static og_status parse_annotations(parser *p, bool stop_at_constraint, pg_ann **head)
{
    og_status rc = OG_OK;
    pg_ann **tail = head;
    const tok *pk;
    while (*tail) tail = &(*tail)->next;
    for (;;) {
        TRY(peek(p, &pk));
        if (pk->kind != T_AT) break;
        if (stop_at_constraint) {
            bool yes;
            TRY(at_is_body_constraint(p, &yes));
            if (yes) break;
        } else {
            bool yes;
            TRY(at_is_body_constraint(p, &yes));
            if (yes) {
                rc = err_at(pk->line, pk->col,
                            "constraints with arguments are only allowed inside a type body");
                goto done;
            }
        }
        pg_ann *a;
        TRY(parse_annotation(p, &a));
        *tail = a;
        tail = &a->next;
    }
done:
    return rc;
}

static bool base_scalar(const char *w, og_scalar *s)
{
    static const struct { const char *n; og_scalar s; } tab[] = {
        {"String", OG_SCALAR_STRING}, {"Blob", OG_SCALAR_BLOB}, {"Bool", OG_SCALAR_BOOL},
        {"I32", OG_SCALAR_I32}, {"I64", OG_SCALAR_I64}, {"U32", OG_SCALAR_U32},
        {"U64", OG_SCALAR_U64}, {"F32", OG_SCALAR_F32}, {"F64", OG_SCALAR_F64},
        {"DateTime", OG_SCALAR_DATETIME}, {"Date", OG_SCALAR_DATE}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(w, tab[i].n)) { *s = tab[i].s; return true; }
    return false;
}

/* Bare enum value [A-Za-z0-9_-]+ read from the raw cursor. */
static og_status lex_enum_value(parser *p, const char **out)
{
    og_status rc = OG_OK;
    size_t n = 0;
    unpeek(p);
    TRY(skip_space(p));
    for (;;) {
        int c = cur(p, n);
        if (is_word_char(c) || c == '-') n++;
        else break;
    }
    if (n == 0) {
        tok t;
        TRY(lex(p, &t));
        rc = err_tok(&t, "an enum value");
        goto done;
    }
    *out = og_arena_strndup(p->arena, p->src + p->pos, n);
    if (!*out) { rc = nomem(); goto done; }
    advance(p, n);
done:
    return rc;
}

static og_status parse_type(parser *p, og_prop_type *ty)
{
    og_status rc = OG_OK;
    tok t;
    memset(ty, 0, sizeof *ty);
    TRY(next(p, &t));
    if (t.kind == T_LBRACK) {
        tok b;
        TRY(next(p, &b));
        if (b.kind != T_WORD || !base_scalar(b.text, &ty->scalar)) {
            rc = err_tok(&b, "a scalar type inside '[ ]' (String, Bool, I32, I64, U32, U64, F32, F64, Date, DateTime)");
            goto done;
        }
        if (ty->scalar == OG_SCALAR_BLOB) {
            rc = err_at(b.line, b.col, "list of Blob is not supported");
            goto done;
        }
        ty->list = true;
        TRY(expect(p, T_RBRACK, "']'", NULL));
    } else if (t.kind == T_WORD && !strcmp(t.text, "enum")) {
        const char **vals = NULL;
        size_t n = 0, cap = 0;
        TRY(expect(p, T_LPAREN, "'(' after enum", NULL));
        for (;;) {
            const char *v;
            TRY(lex_enum_value(p, &v));
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                const char **nv = og_arena_alloc(p->arena, nc * sizeof *nv);
                if (!nv) { rc = nomem(); goto done; }
                if (n) memcpy(nv, vals, n * sizeof *nv);
                vals = nv;
                cap = nc;
            }
            vals[n++] = v;
            TRY(next(p, &t));
            if (t.kind == T_RPAREN) break;
            if (t.kind != T_COMMA) { rc = err_tok(&t, "',' or ')' in enum(...)"); goto done; }
        }
        ty->scalar = OG_SCALAR_ENUM;
        ty->n_enum = n;
        ty->enum_values = vals;
    } else if (t.kind == T_WORD && !strcmp(t.text, "Vector")) {
        tok d;
        uint64_t dim;
        TRY(expect(p, T_LPAREN, "'(' after Vector", NULL));
        TRY(next(p, &d));
        if (d.kind != T_INT) { rc = err_tok(&d, "a dimension (integer) in Vector(...)"); goto done; }
        if (strlen(d.text) > 19) {
            rc = err_at(d.line, d.col, "Vector dimension %s exceeds maximum supported %u",
                        d.text, OG_CATALOG_MAX_VECTOR_DIM);
            goto done;
        }
        TRY(parse_u64(&d, &dim));
        if (dim == 0) { rc = err_at(d.line, d.col, "Vector dimension must be at least 1, got 0"); goto done; }
        if (dim > OG_CATALOG_MAX_VECTOR_DIM) {
            rc = err_at(d.line, d.col, "Vector dimension %s exceeds maximum supported %u",
                        d.text, OG_CATALOG_MAX_VECTOR_DIM);
            goto done;
        }
        ty->scalar = OG_SCALAR_VECTOR;
        ty->vector_dim = (uint32_t)dim;
        TRY(expect(p, T_RPAREN, "')'", NULL));
    } else if (t.kind == T_WORD && base_scalar(t.text, &ty->scalar)) {
        /* base */
    } else {
        rc = err_tok(&t, "a property type");
        goto done;
    }
    const tok *pk;
    TRY(peek(p, &pk));
    if (pk->kind == T_QUEST) { TRY(next(p, &t)); ty->nullable = true; }
done:
    return rc;
}

/* prop := ident ":" type ["?"] annotation* ; first token already peeked. */
static og_status parse_prop(parser *p, pg_prop **out)
{
    og_status rc = OG_OK;
    tok name;
    pg_prop *pr = og_arena_calloc(p->arena, sizeof *pr);
    if (!pr) { rc = nomem(); goto done; }
    TRY(next(p, &name));
    if (name.kind != T_WORD || !is_ident(name.text)) {
        rc = err_tok(&name, "a property name (starting lower-case or '_')");
        goto done;
    }
    if (og_catalog_name_reserved(name.text)) {
        rc = err_at(name.line, name.col,
                    "property name '%s' is reserved (a storage system column) and cannot be declared or exported",
                    name.text);
        goto done;
    }
    pr->name = name.text;
    pr->line = name.line;
    pr->col = name.col;
    TRY(expect(p, T_COLON, "':' after property name", NULL));
    TRY(parse_type(p, &pr->type));
    TRY(parse_annotations(p, true, &pr->anns));
done:
    if (rc == OG_OK) *out = pr;
    return rc;
}

static og_status parse_range_num(parser *p, bool neg_ok, og_range_bound *b)
{
    og_status rc = OG_OK;
    tok t;
    bool neg = false;
    TRY(next(p, &t));
    if (t.kind == T_MINUS && neg_ok) { neg = true; TRY(next(p, &t)); }
    if (t.kind != T_INT && t.kind != T_FLOAT) { rc = err_tok(&t, "a number"); goto done; }
    b->present = true;
    b->is_float = t.kind == T_FLOAT;
    b->text = neg ? og_arena_sprintf(p->arena, "-%s", t.text) : t.text;
    if (!b->text) { rc = nomem(); goto done; }
    b->f = strtod(b->text, NULL);
    if (!b->is_float) {
        uint64_t u;
        TRY(parse_u64(&t, &u));
        if (u > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
            rc = err_at(t.line, t.col, "range bound %s is out of range", b->text);
            goto done;
        }
        b->i = neg ? (int64_t)(0 - u) : (int64_t)u;
    }
done:
    return rc;
}

/* carg := range_bound | literal | ident */
static og_status parse_carg(parser *p, pg_carg **out)
{
    og_status rc = OG_OK;
    const tok *pk;
    pg_carg *a = og_arena_calloc(p->arena, sizeof *a);
    if (!a) { rc = nomem(); goto done; }
    TRY(peek(p, &pk));
    a->line = pk->line;
    a->col = pk->col;
    if (pk->kind == T_DOTDOT) {
        tok t;
        TRY(next(p, &t));
        a->is_range = true;
        TRY(parse_range_num(p, true, &a->max));
        a->text = "";
    } else if (pk->kind == T_MINUS || pk->kind == T_INT || pk->kind == T_FLOAT) {
        og_range_bound lo = {0};
        TRY(parse_range_num(p, true, &lo));
        TRY(peek(p, &pk));
        if (pk->kind == T_DOTDOT) {
            tok t;
            TRY(next(p, &t));
            a->is_range = true;
            a->min = lo;
            TRY(peek(p, &pk));
            if (pk->kind == T_MINUS || pk->kind == T_INT || pk->kind == T_FLOAT)
                TRY(parse_range_num(p, true, &a->max));
            a->text = "";
        } else {
            if (lo.text[0] == '-') { rc = err_at(a->line, a->col, "expected '..' after a negative range bound"); goto done; }
            a->kind = lo.is_float ? PG_LIT_FLOAT : PG_LIT_INT;
            a->text = lo.text;
        }
    } else {
        tok t;
        TRY(next(p, &t));
        if (t.kind == T_STRING || t.kind == T_WORD) {
            a->kind = lit_kind_of(&t);
            a->text = t.text;
        } else {
            rc = err_tok(&t, "a constraint argument");
            goto done;
        }
    }
done:
    if (rc == OG_OK) *out = a;
    return rc;
}

static og_status parse_body_constraint(parser *p, pg_bcons **out)
{
    og_status rc = OG_OK;
    tok at = {0}, w = {0}, t = {0};
    pg_carg **tail;
    pg_bcons *c = og_arena_calloc(p->arena, sizeof *c);
    if (!c) { rc = nomem(); goto done; }
    TRY(expect(p, T_AT, "'@'", &at));
    TRY(next(p, &w));
    if (w.kind != T_WORD || !is_constraint_word(w.text, &c->kind)) {
        rc = err_tok(&w, "key, unique, index, range or check");
        goto done;
    }
    c->line = at.line;
    c->col = at.col;
    TRY(expect(p, T_LPAREN, "'('", NULL));
    tail = &c->args;
    for (;;) {
        pg_carg *a;
        TRY(parse_carg(p, &a));
        *tail = a;
        tail = &a->next;
        c->n_args++;
        TRY(next(p, &t));
        if (t.kind == T_RPAREN) break;
        if (t.kind != T_COMMA) { rc = err_tok(&t, "',' or ')'"); goto done; }
    }
done:
    if (rc == OG_OK) *out = c;
    return rc;
}

/* "{" ( prop | body_constraint )* "}" ; allow_constraints false for interfaces. */
static og_status parse_body(parser *p, pg_decl *d, bool allow_constraints)
{
    og_status rc = OG_OK;
    pg_prop **ptail = &d->props;
    pg_bcons **ctail = &d->bcons;
    const tok *pk;
    TRY(expect(p, T_LBRACE, "'{'", NULL));
    for (;;) {
        TRY(peek(p, &pk));
        if (pk->kind == T_RBRACE) { tok t; TRY(next(p, &t)); break; }
        if (pk->kind == T_AT && allow_constraints) {
            bool yes;
            TRY(at_is_body_constraint(p, &yes));
            if (!yes) {
                rc = err_at(pk->line, pk->col,
                            "expected a property or a constraint (@key, @unique, @index, @range, @check with arguments)");
                goto done;
            }
            pg_bcons *c;
            TRY(parse_body_constraint(p, &c));
            if (d->kind == OG_KIND_EDGE && c->kind != OG_CONSTRAINT_UNIQUE && c->kind != OG_CONSTRAINT_INDEX) {
                static const char *names[] = {"key", "unique", "index", "range", "check"};
                rc = err_at(c->line, c->col, "@%s is not allowed in an edge body (only @unique and @index)",
                            names[c->kind]);
                goto done;
            }
            *ctail = c;
            ctail = &c->next;
            continue;
        }
        if (pk->kind == T_WORD && is_ident(pk->text)) {
            pg_prop *pr;
            TRY(parse_prop(p, &pr));
            *ptail = pr;
            ptail = &pr->next;
            continue;
        }
        rc = err_tok(pk, allow_constraints ? "a property, a constraint or '}'" : "a property or '}'");
        goto done;
    }
done:
    return rc;
}

static og_status parse_decl(parser *p, pg_decl **out)
{
    og_status rc = OG_OK;
    tok kw, name, t;
    const tok *pk;
    pg_decl *d = og_arena_calloc(p->arena, sizeof *d);
    if (!d) { rc = nomem(); goto done; }
    TRY(next(p, &kw));
    if (kw.kind != T_WORD ||
        (strcmp(kw.text, "node") && strcmp(kw.text, "edge") && strcmp(kw.text, "interface"))) {
        rc = err_tok(&kw, "'node', 'edge' or 'interface'");
        goto done;
    }
    d->kind = !strcmp(kw.text, "node") ? OG_KIND_NODE
            : !strcmp(kw.text, "edge") ? OG_KIND_EDGE : OG_KIND_INTERFACE;
    TRY(expect_type_name(p, &name));
    d->name = name.text;
    d->line = name.line;
    d->col = name.col;
    if (d->kind == OG_KIND_INTERFACE) {
        TRY(parse_body(p, d, false));
    } else if (d->kind == OG_KIND_NODE) {
        TRY(parse_annotations(p, false, &d->anns));
        TRY(peek(p, &pk));
        if (pk->kind == T_WORD && !strcmp(pk->text, "implements")) {
            pg_name **tail = &d->implements;
            TRY(next(p, &t));
            for (;;) {
                tok in;
                TRY(expect_type_name(p, &in));
                pg_name *nm = og_arena_calloc(p->arena, sizeof *nm);
                if (!nm) { rc = nomem(); goto done; }
                nm->name = in.text;
                nm->line = in.line;
                nm->col = in.col;
                *tail = nm;
                tail = &nm->next;
                TRY(peek(p, &pk));
                if (pk->kind != T_COMMA) break;
                TRY(next(p, &t));
            }
        }
        TRY(parse_body(p, d, true));
    } else {
        tok from, to;
        TRY(expect(p, T_COLON, "':' after edge name", NULL));
        TRY(expect_type_name(p, &from));
        TRY(expect(p, T_ARROW, "'->'", NULL));
        TRY(expect_type_name(p, &to));
        d->from = from.text; d->from_line = from.line; d->from_col = from.col;
        d->to = to.text; d->to_line = to.line; d->to_col = to.col;
        /* optional @card(min..[max]) */
        TRY(peek(p, &pk));
        if (pk->kind == T_AT) {
            size_t pos = p->pos; uint32_t l = p->line, c = p->col;
            tok save = p->peek; size_t sp = p->peek_pos; uint32_t sl = p->peek_line, sc = p->peek_col;
            tok at, w;
            TRY(next(p, &at));
            TRY(next(p, &w));
            if (w.kind == T_WORD && !strcmp(w.text, "card")) {
                tok lo, hi;
                TRY(expect(p, T_LPAREN, "'(' after @card", NULL));
                TRY(next(p, &lo));
                if (lo.kind != T_INT) { rc = err_tok(&lo, "a minimum (integer) in @card(min..max)"); goto done; }
                TRY(parse_u64(&lo, &d->card_min));
                TRY(expect(p, T_DOTDOT, "'..' in @card(min..max)", NULL));
                TRY(next(p, &hi));
                if (hi.kind == T_INT) {
                    TRY(parse_u64(&hi, &d->card_max));
                    d->card_has_max = true;
                    if (d->card_min > d->card_max) {
                        rc = err_at(lo.line, lo.col, "@card minimum %s is greater than maximum %s",
                                    lo.text, hi.text);
                        goto done;
                    }
                    TRY(expect(p, T_RPAREN, "')'", NULL));
                } else if (hi.kind != T_RPAREN) {
                    rc = err_tok(&hi, "a maximum (integer) or ')' in @card(min..max)");
                    goto done;
                }
                d->has_card = true;
            } else {
                p->pos = pos; p->line = l; p->col = c;
                p->has_peek = true; p->peek = save;
                p->peek_pos = sp; p->peek_line = sl; p->peek_col = sc;
            }
        }
        TRY(parse_annotations(p, false, &d->anns));
        TRY(peek(p, &pk));
        if (pk->kind == T_LBRACE) TRY(parse_body(p, d, true));
    }
done:
    if (rc == OG_OK) *out = d;
    return rc;
}

og_status og_pg_parse(og_arena *arena, const char *src, size_t len, pg_file **out)
{
    og_status rc = OG_OK;
    parser p;
    pg_file *f = NULL;
    pg_decl **tail;
    memset(&p, 0, sizeof p);
    p.arena = arena;
    p.src = src ? src : "";
    p.len = src ? len : 0;
    p.line = 1;
    p.col = 1;
    f = og_arena_calloc(arena, sizeof *f);
    if (!f) { rc = nomem(); goto done; }
    tail = &f->decls;
    for (;;) {
        const tok *pk;
        TRY(peek(&p, &pk));
        if (pk->kind == T_EOF) break;
        pg_decl *d;
        TRY(parse_decl(&p, &d));
        *tail = d;
        tail = &d->next;
    }
    *out = f;
done:
    return rc;
}
