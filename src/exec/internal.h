/* internal.h — what the exec files share and nothing outside src/exec sees.
 * (1) Cell values are read from og_column rows into og_value without
 *     copying strings: they point into the column and live as long as it.
 * (2) Lists read from a column are built in the caller's arena.
 * (3) og_exv_cmp orders values of comparable kinds (numbers across kinds,
 *     strings bytewise, bools, dates, datetimes); NULL handling is the
 *     caller's business. */
#ifndef OG_EXEC_INTERNAL_H
#define OG_EXEC_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"
#include "base/value.h"
#include "lang/catalog.h"
#include "lang/query_ast.h"
#include "table/column.h"
#include "table/table.h"
#include "exec.h"

/* Row `i` of column c as a value (1)(2). prop may be NULL (id/src/dst). */
og_status og_exv_cell(og_arena *a, const og_column *c, size_t i, og_value *out);
/* og_exv_cell of property p's column: list items (stored as i64) get p's
 * scalar kind back (Date, DateTime, unsigned, Bool). */
og_status og_exv_cell_prop(og_arena *a, const og_column *c, size_t i, const og_property *p,
                           og_value *out);
/* A literal of the AST as a value (lists in the arena). */
og_status og_exv_lit(og_arena *a, const og_gq_lit *l, og_value *out);
/* -1, 0, 1 (3); *ok false when the kinds are not comparable. */
int og_exv_cmp(const og_value *a, const og_value *b, bool *ok);
bool og_exv_eq(const og_value *a, const og_value *b);
/* JSON rendering (dates "YYYY-MM-DD", datetimes RFC 3339). New reference. */
json_t *og_exv_json(const og_value *v);
/* The same; a U64 above INT64_MAX becomes the string marker + digits
 * (marker NULL: a JSON real, inexact). */
json_t *og_exv_json_m(const og_value *v, const char *marker);
/* Appends a value to a column of the matching type. */
og_status og_exv_push(og_column *c, const og_value *v);
/* Appends a byte spelling usable as a hash key (kind-tagged). */
og_status og_exv_key(const og_value *v, og_buf *out);

/* ---- graph index (graph_index.c) ---- */

/* CSR over one edge table: dense node ids from the edge endpoints, out
 * adjacency (offsets/targets over src) and in adjacency (over dst). edge[]
 * parallel to targets gives the edge's row position in the scan. */
typedef struct og_exec_rowmap og_exec_rowmap;

typedef struct og_exec_csr {
    uint32_t n_nodes;
    char **names;          /* dense id -> node id string */
    void *ids;             /* og_map: node id -> dense id + 1 */
    uint32_t *out_off, *out_tgt, *out_edge;
    uint32_t *in_off, *in_tgt, *in_edge;
    uint64_t n_edges;
    size_t bytes;
    int refs;
    og_exec_rowmap *rowmaps;   /* see og_exec_csr_rowmap; guarded by the cache */
} og_exec_csr;

/* Dense id of a node id string; false when it has no edges. */
bool og_exec_csr_find(const og_exec_csr *g, const char *id, size_t len, uint32_t *out);
/* Builds from parallel src/dst columns (utf8). */
og_status og_exec_csr_build(const og_column *src, const og_column *dst, og_exec_csr **out);
void og_exec_csr_release(og_exec_csr *g);
void og_exec_csr_retain(og_exec_csr *g);
/* The cached index of an edge table version (built on first use). key
 * identifies the table version; the caller releases the reference. */
og_status og_exec_csr_get(const char *key, og_table *t, og_exec_csr **out);

/* BFS marks: two epoch arrays (visited, emitted) of at least n entries,
 * reused across queries: a traversal bumps gen instead of clearing them. */
typedef struct og_exec_marks {
    uint32_t *vis, *emit;
    uint32_t n, gen;
} og_exec_marks;
og_status og_exec_marks_get(uint32_t n, og_exec_marks **out);
void og_exec_marks_put(og_exec_marks *m);   /* NULL-safe */

/* ---- resident tables (resident.c) ---- */

/* A whole table version in memory: every column of every live row and a
 * map id -> row + 1. Immutable once built; shared between readers. */
typedef struct og_exec_res {
    og_batch b;
    void *ids;             /* og_map */
    og_column *idcol;
    size_t bytes;
    int refs;
    bool no_vectors;       /* vector columns left out (resident.c (5)) */
} og_exec_res;

/* The resident copy of the version `key` of t, or *out NULL when it is not
 * (yet) worth building: `whole` says the caller scans the whole table
 * anyway. The caller releases a non-NULL *out. */
og_status og_exec_res_get(const char *key, og_table *t, bool whole, og_exec_res **out);
void og_exec_res_release(og_exec_res *r);
void og_exec_res_retain(og_exec_res *r);

/* Dense id <-> row of a resident table, for the nodes of g: node_row[d]
 * is the row of dense id d in r (-1: no such row), row_node[i] the dense
 * id of row i (UINT32_MAX: no edges). Built once per (g, r) and kept with
 * g (which holds a reference on r); valid while the caller holds g. */
og_status og_exec_csr_rowmap(og_exec_csr *g, og_exec_res *r, const int32_t **node_row,
                             const uint32_t **row_node);

/* Per-view memo of resolved cache entries (session.c owns one per pinned
 * view): res[i] / csr[i] hold a reference on the resident table / graph
 * index of type i at the view's version, so a warm query neither builds
 * version keys nor searches the caches. Used by one query at a time. */
typedef struct og_exec_vcache {
    size_t n;
    og_exec_res **res;
    og_exec_csr **csr;
    og_arena *a;            /* the query arena, reset (not freed) after each query */
} og_exec_vcache;
void og_exec_vcache_clear(og_exec_vcache *vc);
og_status og_exec_query_vc(og_graph_view *v, og_exec_vcache *vc, const og_tc_query *q,
                           const og_params *params, const og_exec_limits *lim, og_exec_result *out);

/* The table predicate operator of a .gq comparison (EQ NE GT LT GE LE). */
static inline og_cmp og_exec_cmp_of(og_gq_op op)
{
    switch (op) {
    case OG_GQ_OP_EQ: return OG_CMP_EQ;
    case OG_GQ_OP_NE: return OG_CMP_NE;
    case OG_GQ_OP_GT: return OG_CMP_GT;
    case OG_GQ_OP_LT: return OG_CMP_LT;
    case OG_GQ_OP_GE: return OG_CMP_GE;
    default: return OG_CMP_LE;
    }
}

#endif
