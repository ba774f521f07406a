/* catalog.h — the checked schema: what a `.pg` file means once parsed,
 * validated and given stable identities (surface.md §1, internals.md §6.1).
 * (1) A catalog is immutable once built; everything it points to lives in
 *     its own arena and is freed by og_catalog_free() at once.
 * (2) Types are stored in canonical order: interfaces, then nodes, then
 *     edges, each group sorted by exact ASCII name.  Properties keep their
 *     physical column order: interface-injected properties first (in the
 *     order of the `implements` list, then interface declaration order),
 *     then the type's own properties in declaration order.
 * (3) Identities (type ids, property ids, table incarnation ids) come from
 *     one monotonic allocator per identity domain (next_identity_id, 0 is
 *     never a valid id, ids are never reused).  A rename via @rename_from
 *     keeps ids; a drop + re-add allocates new ones.
 * (4) Property-level @key / @unique / @index are normalised into the
 *     type's constraint list (so `a: String @key` and `@key(a)` mean the
 *     same); the per-property flags are kept for convenience.
 * (5) @rename_from hints are consumed when identities are resolved; they
 *     are kept in the struct (rename_from) but excluded from the IR JSON
 *     and from both hashes.
 * (6) Edge names are unique case-insensitively; og_catalog_find_edge()
 *     matches any case spelling. Node and interface names match exactly.
 *
 * This header is append-only: fields and functions are only ever added. */
#ifndef OG_LANG_CATALOG_H
#define OG_LANG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"

typedef struct og_arena og_arena;

/* IR format version written to and accepted from `_schema.ir.json`. */
#define OG_CATALOG_IR_VERSION 2
/* Largest Vector(n) dimension (Arrow FixedSizeList bound, 2^31-1). */
#define OG_CATALOG_MAX_VECTOR_DIM 2147483647u
/* Hashes are 128-bit, rendered as 32 lowercase hex digits + NUL. */
#define OG_CATALOG_HASH_HEX 33

typedef enum og_decl_kind {
    OG_KIND_INTERFACE = 0,
    OG_KIND_NODE = 1,
    OG_KIND_EDGE = 2
} og_decl_kind;

/* The element type of a property (`base` in the grammar, plus the three
 * non-base forms). */
typedef enum og_scalar {
    OG_SCALAR_STRING = 0,
    OG_SCALAR_BOOL,
    OG_SCALAR_I32,
    OG_SCALAR_I64,
    OG_SCALAR_U32,
    OG_SCALAR_U64,
    OG_SCALAR_F32,
    OG_SCALAR_F64,
    OG_SCALAR_DATE,      /* days since 1970-01-01 (Date32) */
    OG_SCALAR_DATETIME,  /* µs since epoch (the project-wide unit) */
    OG_SCALAR_BLOB,
    OG_SCALAR_VECTOR,    /* Vector(dim): fixed-length F32 vector */
    OG_SCALAR_ENUM,      /* enum(...): string restricted to enum_values */
    OG_SCALAR_COUNT_
} og_scalar;

typedef struct og_prop_type {
    og_scalar scalar;
    bool list;            /* `[S]`; S is never BLOB, VECTOR or ENUM */
    bool nullable;        /* `T?` */
    uint32_t vector_dim;  /* scalar == VECTOR: 1..OG_CATALOG_MAX_VECTOR_DIM */
    size_t n_enum;        /* scalar == ENUM: >= 1 */
    const char *const *enum_values; /* sorted (strcmp), no duplicates */
} og_prop_type;

/* An annotation kept as opaque metadata (anything that is not one of the
 * known ones: key, unique, index, embed, description, instruction,
 * rename_from). */
typedef struct og_annotation {
    const char *name;       /* without '@' */
    const char *value;      /* positional value; NULL for a bare `@name` */
    size_t n_kwargs;
    const char *const *kw_keys;   /* in source order */
    const char *const *kw_values;
} og_annotation;

typedef struct og_property {
    const char *name;
    uint64_t prop_id;             /* stable property identity */
    og_prop_type type;
    uint32_t ordinal;             /* index in the owner's props[] */
    /* Property-level shorthands (also present as constraints, see (4)). */
    bool is_key;
    bool is_unique;
    bool is_index;
    /* @embed("src", model="m"): only on node Vector properties. */
    const char *embed_source;     /* NULL when absent */
    const char *embed_model;      /* NULL when absent or no model= */
    const char *description;      /* NULL when absent */
    const char *rename_from;      /* consumed hint, NULL when absent */
    size_t n_annotations;         /* custom annotations, source order */
    const og_annotation *annotations;
    /* For node properties that satisfy interface properties: the sorted
     * set of interface property ids; NULL/0 otherwise. */
    size_t n_satisfies;
    const uint64_t *satisfies;
    /* 1-based source position of the declaration (0 when loaded from IR). */
    uint32_t line, col;
} og_property;

typedef enum og_constraint_kind {
    OG_CONSTRAINT_KEY = 0,    /* nodes only; at most one per node */
    OG_CONSTRAINT_UNIQUE,
    OG_CONSTRAINT_INDEX,
    OG_CONSTRAINT_RANGE,      /* nodes only; one numeric column */
    OG_CONSTRAINT_CHECK       /* nodes only; one String column + regex */
} og_constraint_kind;

/* System role of a constraint column that is not a declared property. */
#define OG_COLUMN_SRC "src"
#define OG_COLUMN_DST "dst"

typedef struct og_range_bound {
    bool present;     /* false for an open bound (`0..`, `..200`) */
    bool is_float;    /* written with a '.' */
    double f;         /* value as double (always set when present) */
    int64_t i;        /* value as integer (set when !is_float) */
    const char *text; /* source spelling, e.g. "-40.0" */
} og_range_bound;

typedef struct og_constraint {
    og_constraint_kind kind;
    size_t n_columns;
    /* Column names as written (after key/prop normalisation). On edges a
     * column may be OG_COLUMN_SRC / OG_COLUMN_DST. */
    const char *const *columns;
    /* Parallel to columns: property ordinal in the owner's props[], or -1
     * for src/dst. */
    const int32_t *column_props;
    og_range_bound min, max;      /* RANGE */
    const char *pattern;          /* CHECK: regex source (unescaped) */
} og_constraint;

typedef struct og_decl {
    og_decl_kind kind;
    const char *name;
    uint64_t type_id;               /* == stable_table_id for nodes/edges */
    uint64_t table_incarnation_id;  /* 0 for interfaces */
    uint32_t index;                 /* position in catalog->types[] */

    /* Edge only. */
    const char *from_name, *to_name;
    uint32_t from_index, to_index;  /* node positions in catalog->types[] */
    uint64_t card_min;              /* default 0 */
    bool card_has_max;              /* false: unbounded (default) */
    uint64_t card_max;

    /* Node only: `implements` list in source order (interface names). */
    size_t n_implements;
    const char *const *implements;

    size_t n_props;
    const og_property *props;
    size_t n_constraints;
    const og_constraint *constraints;
    int32_t key_constraint;         /* index into constraints[] or -1 */

    const char *description;        /* NULL when absent */
    const char *instruction;        /* NULL when absent */
    const char *rename_from;        /* consumed hint, NULL when absent */
    size_t n_annotations;           /* custom type-level annotations */
    const og_annotation *annotations;
    uint32_t line, col;             /* declaration position, 0 from IR */
} og_decl;

typedef struct og_catalog {
    og_arena *arena;                /* owns everything below */
    const char *identity_domain;    /* ULID string; "" if none given */
    uint64_t next_identity_id;      /* allocator: next id to hand out */
    size_t n_types;
    const og_decl *types;           /* canonical order, see (2) */
    size_t n_interfaces, n_nodes, n_edges; /* group sizes, in that order */
} og_catalog;

/* ---- building ---------------------------------------------------------- */

/* Parses, checks and resolves `src` (a .pg text, not NUL-terminated
 * necessarily) into a catalog.
 *   accepted  NULL for a fresh schema (ids allocated from 1), or the
 *             accepted catalog whose identities are inherited (exact name
 *             match first, then @rename_from; see internals §6.1).
 *   domain    identity domain to stamp when accepted is NULL (a ULID minted
 *             by the caller); ignored otherwise (the accepted one is kept).
 * Errors: OG_E_PARSE "line L, column C: ..." for syntax and schema rule
 * violations, OG_E_VALIDATION for identity-resolution failures against
 * `accepted` (bad @rename_from targets), OG_E_NOMEM.
 * Caller frees *out with og_catalog_free. */
og_status og_catalog_compile(const char *src, size_t len,
                             const og_catalog *accepted, const char *domain,
                             og_catalog **out);

void og_catalog_free(og_catalog *cat);

/* ---- lookups (NULL / -1 when absent) ------------------------------------ */

const og_decl *og_catalog_find(const og_catalog *cat, og_decl_kind kind, const char *name);
const og_decl *og_catalog_find_node(const og_catalog *cat, const char *name);
/* Case-insensitive (ASCII) match, see (6). */
const og_decl *og_catalog_find_edge(const og_catalog *cat, const char *name);
const og_decl *og_catalog_find_interface(const og_catalog *cat, const char *name);
const og_decl *og_catalog_find_by_id(const og_catalog *cat, uint64_t type_id);
const og_property *og_decl_find_prop(const og_decl *t, const char *name);
int32_t og_decl_prop_index(const og_decl *t, const char *name);
const og_property *og_decl_find_prop_by_id(const og_decl *t, uint64_t prop_id);
/* True when node `node` implements interface `iface` (by name). */
bool og_decl_implements(const og_decl *node, const char *iface);

/* ---- identity (§1.8) ---------------------------------------------------- */

/* Key properties of a keyed node ordered by stable prop_id (the order of
 * the composite id tuple). Writes up to `cap` pointers, returns the count
 * (0 for unkeyed nodes and for edges). */
size_t og_decl_key_props(const og_decl *t, const og_property **out, size_t cap);

/* Composes the entity id from per-column canonical strings given in
 * og_decl_key_props() order: one column -> the string verbatim; several ->
 * compact JSON array of strings. Appends to out. */
og_status og_entity_id_compose(const char *const *canon, size_t n, og_buf *out);

/* Canonical scalar spellings for key values (append to out). */
og_status og_entity_id_canon_i64(int64_t v, og_buf *out);
og_status og_entity_id_canon_u64(uint64_t v, og_buf *out);
og_status og_entity_id_canon_bool(bool v, og_buf *out);
/* Shortest round-trip decimal at the stored width (is_f32 narrows first),
 * never exponent form, -0 -> "0". Non-finite: OG_E_VALIDATION. */
og_status og_entity_id_canon_float(double v, bool is_f32, og_buf *out);

/* ---- names and spellings ------------------------------------------------ */

const char *og_decl_kind_name(og_decl_kind k);     /* "interface" | "node" | "edge" */
const char *og_scalar_name(og_scalar s);           /* "String", "I32", "Vector", ... */
/* Renders a property type in .pg spelling ("I32?", "[String]", "Vector(3)",
 * "enum(a, b)"); appends to out. */
og_status og_prop_type_render(const og_prop_type *t, og_buf *out);
/* True when both types are identical (scalar, list, nullable, dim, enum set). */
bool og_prop_type_equal(const og_prop_type *a, const og_prop_type *b);
/* Property names that collide with storage virtual columns (§1.3). */
bool og_catalog_name_reserved(const char *prop_name);

/* ---- IR JSON and hashes (internals §1.7, §6.1) -------------------------- */

/* Appends the identity-bearing SchemaIR v2 as pretty JSON with sorted keys. */
og_status og_catalog_to_ir_json(const og_catalog *cat, og_buf *out);
/* Validating reader of og_catalog_to_ir_json() output. Errors:
 * OG_E_CORRUPT (malformed / inconsistent IR), OG_E_UNSUPPORTED (newer
 * ir_version, message names both versions). Caller frees *out. */
og_status og_catalog_from_ir_json(const char *json, size_t len, og_catalog **out);
/* Whole IR incl. ids and allocator (the write authority). */
og_status og_catalog_ir_hash(const og_catalog *cat, char out[OG_CATALOG_HASH_HEX]);
/* Identity-free canonical projection (checked against _schema.pg). */
og_status og_catalog_shape_hash(const og_catalog *cat, char out[OG_CATALOG_HASH_HEX]);

#endif
