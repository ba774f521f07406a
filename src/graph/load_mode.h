/* load_mode.h — what overwrite / append / merge mean for a parsed load
 * (surface.md §3.2, internals.md §3.10), at the row-set level: the input
 * batch becomes the validated delta the writer commits.
 * (1) All modes: two rows of a keyed node type with the same key are an
 *     @unique violation (even in merge), then the delta is validated
 *     (validate.h) against the committed view.
 * (2) merge: upsert by id; a repeated id (unkeyed node or edge with a
 *     supplied id) keeps the last occurrence, at the position of its last
 *     occurrence. Rows replace whole entities (absent properties are null).
 * (3) append: strict insert; an id repeated in the input or already held
 *     by the committed view is OG_E_EXISTS ("key_conflict ...").
 * (4) overwrite: each type named in the input is replaced: its committed
 *     side is empty (replace_all); repeats resolve as in merge. Types not
 *     named are untouched (and kept edges are RI-checked).
 * (5) append and merge refuse more than OG_LOAD_MAX_TYPE_ENTITIES rows or
 *     OG_LOAD_MAX_TYPE_BYTES input bytes of one type (OG_E_LIMIT, resources
 *     "keyed entities for node:T", "keyed parsed entity bytes for node:T");
 *     every mode refuses a type whose projected columnar size exceeds
 *     OG_LOAD_MAX_ARROW_BYTES ("strict_input_arrow_bytes").
 * The delta's memory lives in the batch's arena: it is valid while the
 * batch is, and needs no separate free. */
#ifndef OG_GRAPH_LOAD_MODE_H
#define OG_GRAPH_LOAD_MODE_H

#include "load_batch.h"
#include "validate.h"

#define OG_LOAD_MAX_TYPE_ENTITIES 8192
#define OG_LOAD_MAX_TYPE_BYTES ((size_t)32 << 20)
#define OG_LOAD_MAX_ARROW_BYTES ((size_t)32 << 20)

typedef enum og_load_mode {
    OG_LOAD_OVERWRITE = 0,
    OG_LOAD_APPEND,
    OG_LOAD_MERGE
} og_load_mode;

/* "overwrite" | "append" | "merge"; anything else is OG_E_INVALID. */
og_status og_load_mode_parse(const char *s, og_load_mode *out);
const char *og_load_mode_name(og_load_mode m);

/* Projected columnar (Arrow-like) size of rows of t: value bytes plus
 * 4-byte offsets for variable-width values; an estimate, deterministic. */
size_t og_load_arrow_bytes(const og_decl *t, size_t n, const og_row *rows);

/* Builds and validates the delta of b under mode. committed may be NULL
 * (an empty committed view). */
og_status og_load_plan(og_load_batch *b, og_load_mode mode, const og_probe *committed, og_delta *out);

#endif
