/* manifest.h — version manifests: one immutable object per table version
 * (docs/format.md §4).
 * (1) A manifest is a checksummed envelope (magic "OGMV") around a JSON
 *     body; it holds the schema (stable field ids, field metadata, the
 *     unenforced primary-key flag), the fragment list with deletion files,
 *     the index list with covered fragments, the id counters and the
 *     transaction record that produced the version.
 * (2) The decoder trusts nothing: every member is type-checked, object
 *     keys are checked to be relative table paths, ids are unique, counts
 *     are bounded; failures are OG_E_CORRUPT.
 * (3) Field ids are never reused within a table's lifetime (next_field_id
 *     only grows); row ids likewise (next_row_id only grows). */
#ifndef OG_TABLE_MANIFEST_H
#define OG_TABLE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"
#include "column.h"

#define OG_MANIFEST_MAGIC "OGMV"
/* 2 adds inline fragments / deletion vectors and pack offsets; a
 * manifest that uses none of them is still written as version 1.
 * 3 adds delta manifests (docs/format.md §4.2): a version stored as its
 * difference to a checkpoint version; full manifests keep versions 1/2. */
#define OG_MANIFEST_VERSION 3u
/* A delta manifest names at most this many fragment entries and removed
 * ids together before the writer stores a checkpoint instead (and at
 * least OG_DELTA_MIN; see og_manifest_delta_limit). */
#define OG_DELTA_MIN 32u
#define OG_DELTA_MAX 1024u
/* ... and a version at most this far above its checkpoint (so cleanup
 * never has to keep an ancient checkpoint for the versions it keeps). */
#define OG_DELTA_SPAN 256u
/* A row-level commit starts a new checkpoint only once its manifest has
 * this many fragments: below, a full manifest is small and one object. */
#define OG_DELTA_MIN_FRAGS 128u
/* Largest inline fragment or deletion vector a decoder accepts. */
#define OG_INLINE_MAX (64u << 10)

/* Hidden per-row columns stored in fragment files. */
#define OG_FIELD_ROWID   0xFFFFFF00u
#define OG_FIELD_CREATED 0xFFFFFF01u
#define OG_FIELD_UPDATED 0xFFFFFF02u
#define OG_FIELD_ID_MAX  0x7FFFFFFFu

typedef struct og_kv { char *key; char *value; } og_kv;
typedef struct og_props { og_kv *items; size_t len; } og_props;

og_status og_props_set(og_props *p, const char *key, const char *value);
const char *og_props_get(const og_props *p, const char *key); /* NULL if absent */
og_status og_props_copy(og_props *dst, const og_props *src);
void og_props_free(og_props *p);

typedef struct og_field {
    uint32_t id;
    char *name;
    og_type type;
    bool nullable;
    bool primary_key;   /* unenforced; fixed at creation */
    og_props meta;
} og_field;

typedef struct og_schema {
    og_field *fields;
    size_t nfields;
    og_props meta;
} og_schema;

/* Adds a field; its id is assigned by the table (next_field_id). */
og_status og_schema_add(og_schema *s, const char *name, og_type t, bool nullable, bool pk);
og_status og_schema_copy(og_schema *dst, const og_schema *src);
void og_schema_free(og_schema *s);
const og_field *og_schema_find(const og_schema *s, const char *name);
const og_field *og_schema_pk(const og_schema *s); /* NULL if unkeyed */

/* In memory only, never encoded: the value range of a fragment's
 * primary-key column, known for single-page fragments this process wrote,
 * so a key probe (merge-insert, delete by id) rules the fragment out
 * without a cache lookup. kind 0 = unknown; else an og_stats_kind. */
typedef struct og_key_range {
    int kind;
    uint32_t field_id;
    int64_t imin, imax;
    uint64_t umin, umax, nulls;
    uint8_t bmin_len, bmax_len;
    char bmin[32], bmax[32];
} og_key_range;

typedef struct og_frag_meta {
    uint64_t id;
    char *file;              /* key relative to the table root */
    uint64_t size;           /* bytes of the file */
    uint64_t rows;           /* physical rows */
    uint64_t version;        /* version that committed this fragment */
    uint64_t row_id_base;    /* row ids are base + offset unless explicit */
    bool explicit_row_ids;   /* file carries OG_FIELD_ROWID / _CREATED */
    char *deletion_file;     /* NULL when no row is deleted */
    uint64_t deleted;        /* rows in the deletion vector */
    /* Format version 2 (docs/format.md §4.1): */
    char *pack;              /* non-NULL: the fragment's bytes are at `offset` in this
                                object (spilled inline fragments); `file` stays its name */
    uint64_t offset;
    og_buf inline_data;      /* len > 0: the whole fragment file, held in the manifest;
                                `file` is where it is spilled to, not written yet */
    og_buf dv_inline;        /* len > 0: the deletion vector's bytes, held in the
                                manifest; `deletion_file` is not written yet */
    og_key_range krange;     /* in memory only (copied with the entry) */
} og_frag_meta;

typedef struct og_index_meta {
    char *name;
    char *uuid;
    char *kind;
    char *file;              /* index data, relative to the table root */
    uint32_t field_id;
    uint64_t version;        /* dataset version it was built from */
    uint64_t *frags;         /* covered fragment ids */
    size_t nfrags;
} og_index_meta;

typedef enum og_txn_op {
    OG_TXN_CREATE = 1, OG_TXN_APPEND, OG_TXN_OVERWRITE, OG_TXN_MERGE,
    OG_TXN_DELETE, OG_TXN_RESTORE, OG_TXN_REWRITE, OG_TXN_CREATE_INDEX,
    OG_TXN_UPDATE_METADATA
} og_txn_op;

const char *og_txn_op_name(og_txn_op op);

typedef struct og_txn_record {
    uint64_t read_version;
    char *uuid;
    og_txn_op op;
    og_props props;
    uint64_t *touched;       /* fragment ids whose rows this change removed/deleted */
    size_t ntouched;
    char *keys_file;         /* inserted-key hashes (keyed tables), or NULL */
    uint64_t nkeys;
    uint64_t restore_target;
    uint64_t affected_rows;
    uint64_t *inline_keys;   /* small key sets live in the record instead of a
                                file (ascending; ninline == nkeys), or NULL */
    size_t ninline;
} og_txn_record;

#define OG_TXN_INLINE_KEYS_MAX 64u

og_status og_txn_record_copy(og_txn_record *dst, const og_txn_record *src);
void og_txn_record_free(og_txn_record *r);

typedef struct og_manifest {
    uint64_t version;
    int64_t timestamp_us;
    og_schema schema;
    uint32_t next_field_id;
    og_frag_meta *frags;
    size_t nfrags;
    uint64_t next_fragment_id;
    uint64_t next_row_id;
    og_index_meta *indices;
    size_t nindices;
    og_txn_record txn;
    /* Format version 3: 0 when this version is stored in full; else the
     * version whose full manifest the checkpoint object delta_base_file
     * (key relative to the table root) holds, which this version is
     * stored against (equal to version: stored as an empty delta of its
     * own checkpoint). */
    uint64_t delta_base;
    char *delta_base_file;
    /* Only between og_manifest_decode of a delta and og_manifest_resolve:
     * frags holds the delta's entries, these the checkpoint's fragment ids
     * that are gone (strictly ascending). */
    uint64_t *delta_removed;
    size_t ndelta_removed;
    bool unresolved;
} og_manifest;

/* Encodes m in full (format version 1 or 2). */
og_status og_manifest_encode(const og_manifest *m, og_buf *out);
/* Encodes m as a delta against ckpt (a full manifest of a version at or
 * below m's, held by the checkpoint object ckpt_file) when m's fragment
 * list is expressible as one and the delta stays within
 * og_manifest_delta_limit(ckpt) and OG_DELTA_SPAN; otherwise in full.
 * *is_delta tells which. ckpt NULL: always full. */
og_status og_manifest_encode_delta(const og_manifest *m, const og_manifest *ckpt, const char *ckpt_file,
                                   og_buf *out, bool *is_delta);
/* Entries a delta against ckpt may carry: clamp(isqrt(2 * nfrags)). */
size_t og_manifest_delta_limit(const og_manifest *ckpt);
/* Caller frees *out with og_manifest_free. A delta (out->unresolved) must
 * be resolved against its checkpoint before its fragments are used. */
og_status og_manifest_decode(const void *p, size_t n, og_manifest *out);
/* Turns a decoded delta into the full manifest of its version, using
 * ckpt = the decoded checkpoint object (a full manifest of version
 * m->delta_base). Validates
 * that every removed id and replaced entry exists in ckpt and that the
 * counters never went back. No-op for a full manifest. On error m is
 * unchanged (still to be freed by the caller). */
og_status og_manifest_resolve(og_manifest *m, const og_manifest *ckpt);
void og_manifest_free(og_manifest *m);
og_status og_manifest_copy(og_manifest *dst, const og_manifest *src);
og_status og_frag_meta_copy(og_frag_meta *dst, const og_frag_meta *src);
void og_frag_meta_free(og_frag_meta *f);
og_status og_index_meta_copy(og_index_meta *dst, const og_index_meta *src);
void og_index_meta_free(og_index_meta *x);
/* Live rows: physical rows minus deleted ones. */
uint64_t og_manifest_live_rows(const og_manifest *m);

#endif
