/* query_ast.h — the syntax tree of a .gq file (surface.md §2.2).
 * (1) og_gq_parse() turns text into an og_gq_file; every node of the tree,
 *     every string and every array lives in the file's own pool and is freed
 *     at once by og_gq_file_free(). Nothing points into the source text.
 * (2) The tree is syntax only: `$x` is an og_gq_expr of kind VAR whether it
 *     names a parameter or a match variable; the type checker resolves it.
 * (3) Every node records the 1-based line/column where it starts, so later
 *     passes can name a position.
 * (4) Parse errors are OG_E_PARSE with a message
 *     "parse error: line L, column C: <reason>" (og_error_last()).
 * (5) Numeric literals are unsigned in source; integers that do not fit in
 *     int64 are a parse error. Strings are decoded (\" \\ \n \r \t only).
 *     date("…") and datetime("…") literals are validated and converted at
 *     parse time (days since epoch / microseconds since epoch, UTC — the one
 *     DateTime unit of the whole project; digits past the 6th fraction
 *     digit are truncated). */
#ifndef OG_LANG_QUERY_AST_H
#define OG_LANG_QUERY_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/status.h"

typedef struct og_gq_pos { uint32_t line, col; } og_gq_pos;

/* Scalar types of the query language (params and checked expressions). */
typedef enum og_gq_base {
    OG_GQ_STRING = 0, OG_GQ_BOOL, OG_GQ_I32, OG_GQ_I64, OG_GQ_U32, OG_GQ_U64,
    OG_GQ_F32, OG_GQ_F64, OG_GQ_DATE, OG_GQ_DATETIME, OG_GQ_BLOB,
    OG_GQ_VECTOR,   /* Vector(dim): fixed-size list of F32 */
    OG_GQ_NODE,     /* a bare node variable (checked IR only) */
    OG_GQ_ENUM      /* enum-typed property (checked IR only; a String) */
} og_gq_base;

/* A value type: base, or a list of base (is_list), or Vector(dim). */
typedef struct og_gq_type {
    og_gq_base base;
    bool is_list;
    bool nullable;
    uint32_t dim;   /* Vector only */
} og_gq_type;

const char *og_gq_base_name(og_gq_base b); /* "String", "I32", ... */

typedef enum og_gq_lit_kind {
    OG_GQ_LIT_INT, OG_GQ_LIT_FLOAT, OG_GQ_LIT_STRING, OG_GQ_LIT_BOOL,
    OG_GQ_LIT_DATE, OG_GQ_LIT_DATETIME, OG_GQ_LIT_LIST
} og_gq_lit_kind;

typedef struct og_gq_lit og_gq_lit;
struct og_gq_lit {
    og_gq_lit_kind kind;
    int64_t i;          /* INT; BOOL (0/1); DATE (days); DATETIME (µs) */
    double f;           /* FLOAT */
    const char *s;      /* STRING (decoded); DATE/DATETIME original text */
    og_gq_lit *items;   /* LIST */
    size_t n_items;
};

typedef enum og_gq_expr_kind {
    OG_GQ_E_LIT,    /* lit */
    OG_GQ_E_VAR,    /* $name (parameter or variable) */
    OG_GQ_E_PROP,   /* $name.prop */
    OG_GQ_E_ALIAS,  /* bare identifier: a projection alias */
    OG_GQ_E_NOW,    /* now() */
    OG_GQ_E_CALL,   /* search function: fn, args */
    OG_GQ_E_AGG     /* aggregate: agg, args[0] */
} og_gq_expr_kind;

typedef enum og_gq_fn {
    OG_GQ_FN_NEAREST, OG_GQ_FN_SEARCH, OG_GQ_FN_FUZZY, OG_GQ_FN_MATCH_TEXT,
    OG_GQ_FN_BM25, OG_GQ_FN_RRF
} og_gq_fn;

typedef enum og_gq_agg { OG_GQ_AGG_COUNT, OG_GQ_AGG_SUM, OG_GQ_AGG_AVG,
                         OG_GQ_AGG_MIN, OG_GQ_AGG_MAX } og_gq_agg;

const char *og_gq_fn_name(og_gq_fn f);
const char *og_gq_agg_name(og_gq_agg a);

typedef struct og_gq_expr og_gq_expr;
struct og_gq_expr {
    og_gq_expr_kind kind;
    og_gq_pos pos;
    og_gq_lit lit;          /* LIT */
    const char *var;        /* VAR, PROP: name without '$' */
    const char *name;       /* PROP: property; ALIAS: identifier */
    og_gq_fn fn;            /* CALL */
    og_gq_agg agg;          /* AGG */
    og_gq_expr **args;      /* CALL, AGG */
    size_t n_args;
};

typedef enum og_gq_op {
    OG_GQ_OP_EQ, OG_GQ_OP_NE, OG_GQ_OP_GT, OG_GQ_OP_LT, OG_GQ_OP_GE, OG_GQ_OP_LE,
    OG_GQ_OP_CONTAINS, OG_GQ_OP_STARTS_WITH
} og_gq_op;

const char *og_gq_op_name(og_gq_op op); /* "=", "contains", ... */

typedef struct og_gq_pmatch {   /* p: value inside a binding's braces */
    const char *prop;
    og_gq_expr *value;          /* LIT, VAR or NOW */
    og_gq_pos pos;
} og_gq_pmatch;

typedef enum og_gq_clause_kind {
    OG_GQ_C_BINDING,    /* $var: Type { pmatch, ... } */
    OG_GQ_C_TRAVERSAL,  /* $src [$evar:] edge|<edge> [{min,max}] $dst */
    OG_GQ_C_FILTER,     /* left op right */
    OG_GQ_C_SEARCH,     /* search/fuzzy/match_text call used as a clause */
    OG_GQ_C_NOT         /* not { clauses } */
} og_gq_clause_kind;

typedef struct og_gq_clause og_gq_clause;
struct og_gq_clause {
    og_gq_clause_kind kind;
    og_gq_pos pos;
    /* BINDING */
    const char *var;
    const char *type_name;
    og_gq_pmatch *pmatches;
    size_t n_pmatches;
    /* TRAVERSAL */
    const char *src, *dst;      /* without '$'; "_" is anonymous */
    const char *edge_var;       /* NULL when the edge is not bound */
    const char *edge;           /* as written (case-insensitive lookup) */
    bool undirected;            /* <edge> */
    bool has_bounds;
    int64_t min_hops, max_hops; /* 1,1 unless has_bounds */
    bool max_missing;           /* {n,} was written */
    /* FILTER */
    og_gq_expr *left, *right;
    og_gq_op op;
    /* SEARCH */
    og_gq_expr *call;
    /* NOT */
    og_gq_clause *body;
    size_t n_body;
};

typedef struct og_gq_proj {
    og_gq_expr *expr;
    const char *alias;          /* NULL when none */
    og_gq_pos pos;
} og_gq_proj;

typedef struct og_gq_order {
    og_gq_expr *expr;
    bool desc;
    bool has_dir;               /* asc/desc written */
    og_gq_pos pos;
} og_gq_order;

typedef struct og_gq_assign {
    const char *prop;
    og_gq_expr *value;          /* LIT, VAR or NOW */
    og_gq_pos pos;
} og_gq_assign;

typedef enum og_gq_mut_kind { OG_GQ_INSERT, OG_GQ_UPDATE, OG_GQ_DELETE } og_gq_mut_kind;

typedef struct og_gq_mutation {
    og_gq_mut_kind kind;
    og_gq_pos pos;
    const char *type_name;
    og_gq_assign *assigns;      /* INSERT, UPDATE */
    size_t n_assigns;
    /* where prop op value (UPDATE, DELETE); op is never CONTAINS/STARTS_WITH */
    const char *where_prop;
    og_gq_op where_op;
    og_gq_expr *where_value;
    og_gq_pos where_pos;
} og_gq_mutation;

typedef struct og_gq_param {
    const char *name;           /* without '$' */
    og_gq_type type;            /* type.nullable from the '?' suffix */
    og_gq_pos pos;
} og_gq_param;

typedef struct og_gq_query {
    const char *name;
    og_gq_pos pos;
    og_gq_param *params;
    size_t n_params;
    const char *description;    /* @description, or NULL */
    const char *instruction;    /* @instruction, or NULL */
    bool is_mutation;
    /* read queries */
    og_gq_clause *clauses;
    size_t n_clauses;
    og_gq_proj *projs;
    size_t n_projs;
    og_gq_order *orders;
    size_t n_orders;
    bool has_limit;
    int64_t limit;
    /* mutation queries */
    og_gq_mutation *mutations;
    size_t n_mutations;
} og_gq_query;

typedef struct og_gq_pool og_gq_pool;

typedef struct og_gq_file {
    og_gq_query *queries;
    size_t n_queries;
    og_gq_pool *pool;           /* owns everything above */
} og_gq_file;

/* Parses a whole .gq text (len bytes, need not be NUL-terminated).
 * On success *out is a new file (caller frees with og_gq_file_free).
 * On failure returns OG_E_PARSE (or OG_E_NOMEM) and *out is NULL. */
og_status og_gq_parse(const char *text, size_t len, og_gq_file **out);
void og_gq_file_free(og_gq_file *f);

/* The query named `name`, or NULL. */
const og_gq_query *og_gq_file_find(const og_gq_file *f, const char *name);

/* Pool used by the parser and the type checker (internal helpers).
 * Allocations are zeroed; NULL on OOM. */
og_gq_pool *og_gq_pool_new(void);
void og_gq_pool_free(og_gq_pool *p);
void *og_gq_pool_alloc(og_gq_pool *p, size_t n);
char *og_gq_pool_strndup(og_gq_pool *p, const char *s, size_t n);
char *og_gq_pool_strdup(og_gq_pool *p, const char *s);

/* Calendar helpers shared by parse and param conversion.
 * Accept "YYYY-MM-DD" / RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)").
 * Return false on a malformed value. */
bool og_gq_parse_date(const char *s, size_t n, int64_t *days_out);
bool og_gq_parse_datetime(const char *s, size_t n, int64_t *us_out);

#endif
