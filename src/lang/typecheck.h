/* typecheck.h — checks one parsed .gq query against a catalog and produces
 * the checked IR the executor consumes (surface.md §2.3-2.10).
 * (1) Errors are OG_E_TYPE with the message "type error: Tnn: <reason>"
 *     (stable codes T1..T24, §2.9); the first error in source order wins
 *     (clauses, then projections, then orderings, then mutations). The D2
 *     rule (a mutation mixing inserts/updates with deletes) is OG_E_INVALID
 *     with the reference's message.
 * (2) The IR is self-contained: it points into the catalog (which must
 *     outlive it) and into the AST (which must outlive it too), and owns
 *     everything else in its own pool; og_tc_query_free() releases it.
 * (3) Variables are numbered in order of first binding; a variable first
 *     bound inside `not { }` belongs to that block (scope > 0) and is not
 *     visible outside it.
 * (4) Catalog lookups are done on the og_catalog structure itself (edge
 *     names case-insensitively), so this module needs only catalog.h.
 *
 * IR summary (what the executor reads):
 *   og_tc_query.vars[]      every bound variable: node or edge, its type.
 *   og_tc_query.steps[]     the match clauses in source order:
 *     SCAN      bind vars[var] to rows of a node type, with equality /
 *               list-membership filters (pfilters[]).
 *     TRAVERSE  from vars[src] over edge type `edge` in direction dir
 *               (OUT: src is the edge's from-side; IN: src is its to-side;
 *               BOTH: undirected) for min..max hops to vars[dst];
 *               edge_var >= 0 binds the edge row (1 hop only). src/dst are
 *               -1 for the anonymous `$_`. src_bound/dst_bound say whether
 *               that side was already bound when the step is reached.
 *     FILTER    left op right, with fop saying which test applies
 *               (COMPARE, LIST_CONTAINS, STR_CONTAINS, STARTS_WITH).
 *     TEXT      search/fuzzy/match_text on vars[var].props[prop] with
 *               query expr args[1] (fuzzy: args[2] max edits or default 2).
 *     ANTI      anti-join on sub-steps (body[]).
 *   og_tc_query.projs[]     column name, type, expression; is_agg;
 *                           has_agg on the query means implicit grouping by
 *                           every non-aggregate projection.
 *   og_tc_query.orders[]    expr (ALIAS exprs carry the projection index),
 *                           desc; ranking says when the first ordering is a
 *                           search ranking (nearest/bm25/rrf).
 *   og_tc_query.muts[]      INSERT/UPDATE/DELETE on a node or edge type with
 *                           assignments (prop ordinal, or OG_TC_FROM/TO for
 *                           edge endpoints) and the where predicate.
 */
#ifndef OG_LANG_TYPECHECK_H
#define OG_LANG_TYPECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include "base/status.h"
#include "lang/catalog.h"
#include "lang/query_ast.h"

/* Pseudo property ordinals for edge endpoints in mutations. */
#define OG_TC_FROM (-2)
#define OG_TC_TO (-3)

typedef enum og_tc_expr_kind {
    OG_TC_LIT, OG_TC_PARAM, OG_TC_NODE, OG_TC_PROP, OG_TC_NOW,
    OG_TC_CALL, OG_TC_AGG, OG_TC_ALIAS
} og_tc_expr_kind;

typedef struct og_tc_expr og_tc_expr;
struct og_tc_expr {
    og_tc_expr_kind kind;
    og_gq_type type;            /* result type */
    const og_gq_expr *ast;      /* LIT: ast->lit holds the value */
    int var;                    /* NODE, PROP: index in vars[] */
    int prop;                   /* PROP: ordinal in the var type's props[] */
    int param;                  /* PARAM: index in the query's params[] */
    int alias;                  /* ALIAS: index in projs[] */
    og_gq_fn fn;                /* CALL */
    og_gq_agg agg;              /* AGG */
    og_tc_expr **args;
    size_t n_args;
};

typedef struct og_tc_var {
    const char *name;
    bool is_edge;
    const og_decl *type;
    int scope;                  /* 0 top level; >0 inside a not block */
} og_tc_var;

typedef enum og_tc_step_kind {
    OG_TC_SCAN, OG_TC_TRAVERSE, OG_TC_FILTER, OG_TC_TEXT, OG_TC_ANTI
} og_tc_step_kind;

typedef enum og_tc_dir { OG_TC_OUT, OG_TC_IN, OG_TC_BOTH } og_tc_dir;

typedef enum og_tc_fop {
    OG_TC_COMPARE, OG_TC_LIST_CONTAINS, OG_TC_STR_CONTAINS, OG_TC_STARTS_WITH
} og_tc_fop;

typedef struct og_tc_pfilter {
    int prop;                   /* ordinal in the bound type */
    bool membership;            /* list property: value is an element */
    og_tc_expr *value;
} og_tc_pfilter;

typedef struct og_tc_step og_tc_step;
struct og_tc_step {
    og_tc_step_kind kind;
    const og_gq_clause *ast;
    /* SCAN */
    int var;
    og_tc_pfilter *pfilters;
    size_t n_pfilters;
    /* TRAVERSE */
    int src, dst, edge_var;
    bool src_bound, dst_bound;
    const og_decl *edge;
    og_tc_dir dir;
    int64_t min_hops, max_hops;
    /* FILTER */
    og_tc_expr *left, *right;
    og_gq_op op;
    og_tc_fop fop;
    /* TEXT: call (fn, args; args[0] is the PROP) */
    og_tc_expr *call;
    /* ANTI */
    og_tc_step *body;
    size_t n_body;
};

typedef struct og_tc_proj {
    const char *column;         /* JSON column name: alias, "v.prop", "v", ... */
    const char *name;           /* descriptor name: alias, prop, var, ... */
    og_tc_expr *expr;
    bool is_agg;
} og_tc_proj;

typedef struct og_tc_order {
    og_tc_expr *expr;
    bool desc;
} og_tc_order;

typedef struct og_tc_assign {
    int prop;                   /* ordinal, or OG_TC_FROM / OG_TC_TO */
    og_tc_expr *value;
} og_tc_assign;

typedef struct og_tc_mut {
    og_gq_mut_kind kind;
    const og_decl *type;        /* node or edge */
    og_tc_assign *assigns;
    size_t n_assigns;
    int where_prop;             /* ordinal, or OG_TC_FROM / OG_TC_TO */
    og_gq_op where_op;
    og_tc_expr *where_value;
} og_tc_mut;

typedef struct og_tc_query {
    const og_gq_query *ast;
    const og_catalog *cat;
    bool is_mutation;
    og_tc_var *vars;
    size_t n_vars;
    og_tc_step *steps;
    size_t n_steps;
    og_tc_proj *projs;
    size_t n_projs;
    bool has_agg;
    og_tc_order *orders;
    size_t n_orders;
    bool ranking;               /* orders[0] is nearest/bm25/rrf */
    bool has_limit;
    int64_t limit;
    og_tc_mut *muts;
    size_t n_muts;
    og_gq_pool *pool;
} og_tc_query;

/* Checks q against cat. On success *out is the checked IR (caller frees with
 * og_tc_query_free); on failure *out is NULL and the error is set (1). */
og_status og_tc_check(const og_catalog *cat, const og_gq_query *q, og_tc_query **out);
void og_tc_query_free(og_tc_query *tq);

/* Parameter JSON conversion (§2.3) lives in lang/params.h:
 * og_params_from_json(tq->ast->params, tq->ast->n_params, json, &out). */

#endif
