/* validate.h — the one delta validator for mutation, load and merge
 * (internals.md §3.11, surface.md §1.6, §3.3).
 * (1) Pure: validation reads the catalog, the delta and the committed view
 *     through og_probe (a small vtable the engine backs with table scans);
 *     it never writes and never allocates anything the caller must free.
 * (2) The pending view of a type is: the delta's rows (upserts by id),
 *     plus committed rows whose id is neither upserted nor removed, unless
 *     replace_all (overwrite) empties the committed side of that type.
 * (3) Value rules (enum membership, @range, @check) run on delta rows only.
 * (4) @key: two delta rows with the same id of a keyed type are a
 *     uniqueness error; committed ownership is the writer's business
 *     (append: key conflict, merge: upsert).
 * (5) @unique (non-key, possibly composite, edges may name src/dst): a
 *     tuple with any null member is exempt; duplicates within the delta and
 *     against committed rows not replaced by the delta are errors. The
 *     committed side is probed in batches of at most
 *     OG_VALIDATE_PROBE_CHUNK tuples per call.
 * (6) Edge RI: every delta edge's src/dst must exist in the pending view of
 *     its from/to type; committed edges kept by the write must still have
 *     both endpoints when nodes were removed or a node type replaced.
 * (7) @card(min..max): counted per source node over the pending view, for
 *     every source a delta edge points to or a changed/removed edge left.
 * (8) The first violation is returned as OG_E_VALIDATION with the
 *     reference's wording; checks run in the order (3), (4), (5), (6), (7),
 *     tables in catalog order.
 * Deviation: @check uses POSIX extended regexes (regcomp REG_EXTENDED) with
 * \d \D \s \S \w \W translated, not the Rust `regex` crate. */
#ifndef OG_GRAPH_VALIDATE_H
#define OG_GRAPH_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include "base/status.h"
#include "lang/catalog.h"
#include "base/value.h"
#include "value_row.h"

/* Callbacks receive the index of the probe argument they answer (i) and
 * return OG_OK to continue (anything else stops the probe with that code). */
/* Largest batch handed to one unique_probe call (internals §3.11). */
#define OG_VALIDATE_PROBE_CHUNK 8192

typedef og_status (*og_probe_id_fn)(void *arg, size_t i, const char *id);
typedef og_status (*og_probe_edge_fn)(void *arg, size_t i, const char *edge_id,
                                      const char *src, const char *dst);

typedef struct og_probe_vtbl {
    /* found[i] = the committed view holds a node of `node` with ids[i]. */
    og_status (*nodes_exist)(void *ctx, const og_decl *node, size_t n,
                             const char *const *ids, bool *found);
    /* For each tuple i (tuples[i * c->n_columns + j], column j of the
     * constraint; src/dst columns as OG_VALUE_STRING), calls hit(arg, i,
     * id) for every committed row of t whose tuple is equal. */
    og_status (*unique_probe)(void *ctx, const og_decl *t, const og_constraint *c,
                              size_t n, const og_value *tuples,
                              og_probe_id_fn hit, void *arg);
    /* Committed edges of e whose src is srcs[i]. */
    og_status (*edges_by_src)(void *ctx, const og_decl *e, size_t n,
                              const char *const *srcs, og_probe_edge_fn fn, void *arg);
    /* Committed edges of e whose id is ids[i]. */
    og_status (*edges_by_id)(void *ctx, const og_decl *e, size_t n,
                             const char *const *ids, og_probe_edge_fn fn, void *arg);
    /* Every committed edge of e (i is 0). */
    og_status (*edges_scan)(void *ctx, const og_decl *e, og_probe_edge_fn fn, void *arg);
    /* Optional: committed edges of e whose dst is dsts[i]. With it, a write
     * that removes a few nodes probes only their incident edges instead of
     * scanning every edge (NULL: edges_scan is used). */
    og_status (*edges_by_dst)(void *ctx, const og_decl *e, size_t n,
                              const char *const *dsts, og_probe_edge_fn fn, void *arg);
} og_probe_vtbl;

typedef struct og_probe {
    const og_probe_vtbl *vt;
    void *ctx;
} og_probe;

/* The changes to one table. Rows have unique ids (the writer resolved
 * repeats already; see load_mode.h). */
typedef struct og_delta_table {
    const og_decl *type;
    bool replace_all;          /* the committed side is empty (overwrite) */
    size_t n_rows;
    const og_row *rows;        /* upserts */
    size_t n_removed;
    const char *const *removed; /* ids deleted by the write */
} og_delta_table;

typedef struct og_delta {
    const og_catalog *cat;
    size_t n_tables;               /* == cat->n_types */
    const og_delta_table *tables;  /* indexed by og_decl.index */
} og_delta;

og_status og_validate_delta(const og_delta *d, const og_probe *committed);

/* (4) alone, over raw rows in input order (before any last-wins
 * resolution): two rows of keyed type t with the same id. */
og_status og_validate_key_duplicates(const og_decl *t, size_t n, const og_row *rows);

/* An og_probe over in-memory committed rows (tests, and the engine's
 * empty view). `tables` is indexed by og_decl.index, n == cat->n_types
 * entries of (rows, n_rows); NULL tables = empty committed view. Linear
 * scans; borrowed memory must outlive the probe. */
typedef struct og_probe_mem_table {
    size_t n_rows;
    const og_row *rows;
} og_probe_mem_table;

typedef struct og_probe_mem {
    const og_catalog *cat;
    const og_probe_mem_table *tables;
} og_probe_mem;

void og_probe_mem_init(og_probe_mem *m, const og_catalog *cat,
                       const og_probe_mem_table *tables, og_probe *out);

#endif
