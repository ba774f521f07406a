/* pg_ast.h — the syntax tree of a `.pg` file, before any schema rule.
 * (1) The tree is what the grammar of surface.md §1.2 accepts, nothing
 *     more is checked here; schema rules live in schema_build.c.
 * (2) Every node lives in the arena given to og_pg_parse(); lists are
 *     singly linked in source order.
 * (3) Positions are 1-based line/column of the first character. */
#ifndef OG_LANG_PG_AST_H
#define OG_LANG_PG_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/status.h"
#include "catalog.h"

typedef enum pg_lit_kind {
    PG_LIT_IDENT = 0,  /* bare identifier / TypeName */
    PG_LIT_STRING,
    PG_LIT_INT,
    PG_LIT_FLOAT,
    PG_LIT_BOOL
} pg_lit_kind;

typedef struct pg_kwarg {
    const char *key;
    const char *value;
    pg_lit_kind value_kind;
    struct pg_kwarg *next;
} pg_kwarg;

typedef struct pg_ann {
    const char *name;        /* without '@' */
    bool has_args;           /* written with parentheses */
    const char *value;       /* first positional argument's text, or NULL */
    pg_lit_kind value_kind;
    size_t n_positional;     /* positional arguments written */
    pg_kwarg *kwargs;
    size_t n_kwargs;
    uint32_t line, col;
    struct pg_ann *next;
} pg_ann;

typedef struct pg_prop {
    const char *name;
    og_prop_type type;       /* enum_values unsorted, as written */
    pg_ann *anns;
    uint32_t line, col;
    struct pg_prop *next;
} pg_prop;

typedef struct pg_carg {
    pg_lit_kind kind;        /* for range bounds: PG_LIT_INT/FLOAT + is_range */
    bool is_range;
    const char *text;        /* ident / literal text */
    og_range_bound min, max; /* when is_range */
    uint32_t line, col;
    struct pg_carg *next;
} pg_carg;

typedef struct pg_bcons {
    og_constraint_kind kind;
    pg_carg *args;
    size_t n_args;
    uint32_t line, col;
    struct pg_bcons *next;
} pg_bcons;

typedef struct pg_name {
    const char *name;
    uint32_t line, col;
    struct pg_name *next;
} pg_name;

typedef struct pg_decl {
    og_decl_kind kind;
    const char *name;
    uint32_t line, col;
    /* edge */
    const char *from, *to;
    uint32_t from_line, from_col, to_line, to_col;
    bool has_card;
    uint64_t card_min;
    bool card_has_max;
    uint64_t card_max;
    /* node */
    pg_name *implements;
    pg_ann *anns;
    pg_prop *props;
    pg_bcons *bcons;
    struct pg_decl *next;
} pg_decl;

typedef struct pg_file {
    pg_decl *decls;
} pg_file;

/* Parses `src` into a tree allocated from `arena`. Syntax errors are
 * OG_E_PARSE "line L, column C: ..."; out of memory OG_E_NOMEM. */
og_status og_pg_parse(og_arena *arena, const char *src, size_t len, pg_file **out);

#endif
