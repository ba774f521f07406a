/* load_batch.h — the strict graph-batch NDJSON reader (surface.md §3.1,
 * internals.md §3.10): text in, typed rows per table out.
 * (1) One JSON object per non-blank line; CRLF and whitespace-only lines
 *     are accepted; line numbers are 1-based physical lines.
 * (2) Node records {"type","data"}, edge records {"edge","from","to",
 *     "data"}; exactly one of type/edge; unknown top-level members, reserved
 *     physical names (both levels), edge data src/dst, unknown properties
 *     and duplicate members at any depth are rejected.
 * (3) Every row gets its entity id here: keyed nodes the canonical key
 *     (a supplied data.id must equal it exactly), others the supplied
 *     data.id or a fresh ULID. Edge src/dst are the from/to strings (node
 *     ids; for keyed nodes the canonical key).
 * (4) Every error is OG_E_VALIDATION / OG_E_PARSE with "line N: ..." (JSON
 *     syntax: "invalid strict JSON at line N: ..."), or OG_E_LIMIT naming
 *     the resource (graph_batch_line_bytes, graph_batch_json_structural_slots).
 * (5) The first error stops the parse and nothing is returned: a load is
 *     all-or-nothing.
 * Caller frees *out with og_load_batch_free. */
#ifndef OG_GRAPH_LOAD_BATCH_H
#define OG_GRAPH_LOAD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "base/arena.h"
#include "base/status.h"
#include "lang/catalog.h"
#include "value_row.h"

#define OG_LOAD_MAX_LINE_BYTES ((size_t)32 << 20)
#define OG_LOAD_MAX_JSON_SLOTS ((size_t)131072)

typedef struct og_load_limits {
    size_t max_line_bytes;   /* 0: OG_LOAD_MAX_LINE_BYTES */
    size_t max_json_slots;   /* 0: OG_LOAD_MAX_JSON_SLOTS */
} og_load_limits;

/* The rows of one node or edge type, in input order. */
typedef struct og_load_table {
    const og_decl *type;
    bool touched;        /* at least one record named this type */
    size_t n_rows;
    og_row *rows;
    size_t cap_;         /* internal */
} og_load_table;

typedef struct og_load_batch {
    og_arena *arena;             /* owns every row, value and string */
    const og_catalog *cat;       /* borrowed; must outlive the batch */
    size_t n_tables;             /* == cat->n_types */
    og_load_table *tables;       /* indexed by og_decl.index */
    size_t n_entities;           /* total rows */
} og_load_batch;

og_status og_load_parse(const og_catalog *cat, const char *text, size_t len,
                        const og_load_limits *limits, og_load_batch **out);
/* og_load_parse of a text whose first line is line line_offset + 1 of its
 * file (line numbers in rows and errors are the file's). */
og_status og_load_parse_at(const og_catalog *cat, const char *text, size_t len,
                           const og_load_limits *limits, uint32_t line_offset, og_load_batch **out);

void og_load_batch_free(og_load_batch *b);

/* Appends a row to a table of b (arena-grown). Used by the parser and by
 * callers that build deltas programmatically. */
og_status og_load_table_push(og_load_batch *b, og_load_table *t, const og_row *row);

/* Creates an empty batch over cat (for programmatic deltas). */
og_status og_load_batch_new(const og_catalog *cat, og_load_batch **out);

/* True for the physical column names rejected in input (§3.1). */
bool og_load_name_reserved(const char *name);

#endif
