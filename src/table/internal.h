/* internal.h — what the table layer's files share and callers must not see.
 * (1) og_table is a snapshot: store handle (borrowed), root, decoded manifest.
 * (2) og_txn is everything a commit needs to apply its change to whatever
 *     version turns out to be latest: new fragments (ids, versions and row
 *     ids are assigned at commit), deletion-vector updates, removed
 *     fragments, a new schema (create/overwrite), a restore target. */
#ifndef OG_TABLE_INTERNAL_H
#define OG_TABLE_INTERNAL_H

#include <roaring/roaring.h>
#include <stdatomic.h>
#include <string.h>
#include "cache.h"
#include "table.h"

#define TBL_PREFIX_MAX 80
/* Inline data (docs/format.md §4.1): a staged fragment or deletion vector
 * at most this big lives in the manifest instead of its own object, so a
 * small commit writes one object; once the inline bytes of a version pass
 * the budget, its commit spills them (fragments into one pack object,
 * deletion vectors into their own files) before publishing. */
#define TBL_INLINE_FRAG_MAX OG_TABLE_INLINE_MAX
#define TBL_INLINE_DV_MAX (8u << 10)
#define TBL_INLINE_BUDGET (16u << 10)

/* A shared decoded manifest (mbox.c). */
typedef struct tbl_mbox {
    atomic_uint refs;
    og_manifest m;
    struct tbl_mbox *ckpt;   /* the checkpoint object's manifest, when m is a delta of another version */
} tbl_mbox;

/* Moves *m into a new box (refs 1) that holds a ref of ckpt (nullable). */
og_status tbl_mbox_new(og_manifest *m, tbl_mbox *ckpt, tbl_mbox **out);
tbl_mbox *tbl_mbox_ref(tbl_mbox *b);   /* NULL-safe; returns b */
void tbl_mbox_unref(tbl_mbox *b);      /* NULL-safe */
/* The full manifest in the checkpoint object b->m.delta_base_file that a
 * commit on top of b's version may store its delta against, or NULL. */
const og_manifest *tbl_mbox_ckpt(const tbl_mbox *b);
/* The box holding that manifest (b itself or b->ckpt), or NULL. */
tbl_mbox *tbl_mbox_ckpt_box(tbl_mbox *b);

struct og_table {
    og_store *store;
    char *root;
    char prefix[TBL_PREFIX_MAX]; /* "" on main, "tree/<branch>/" on a branch */
    char branch[TBL_PREFIX_MAX]; /* "" on main */
    og_manifest m;           /* read-only view of mb->m (shares its allocations) */
    tbl_mbox *mb;
    og_obj_meta meta;        /* of the manifest object; etag "" if unknown */
    uint32_t page_rows;
    tbl_cache *cache;        /* shared with snapshots committed from it */
    uint32_t inline_max;     /* og_table_set_inline_max; 0 = never inline */
};

typedef struct tbl_dv_update {
    uint64_t frag_id;
    char *file;
    uint64_t deleted;
    og_buf inline_data;      /* non-empty: the vector is inline, `file` not written */
} tbl_dv_update;

struct og_txn {
    og_store *store;
    char *root;
    char prefix[TBL_PREFIX_MAX];
    og_txn_record rec;
    bool has_schema;
    og_schema schema;
    uint32_t next_field_id;
    og_frag_meta *new_frags;
    size_t nnew;
    tbl_dv_update *dvs;
    size_t ndvs;
    uint64_t *removed;
    size_t nremoved;
    uint64_t *keys;          /* sorted unique inserted-key hashes */
    size_t nkeys;
    bool has_restore;
    og_manifest restore;
    bool spent;              /* commit was attempted */
    og_kv *meta;             /* update_metadata: key = "<field>\x1f<key>" or "\x1f<key>" */
    size_t nmeta;
    bool has_index;          /* create_index: the index to add/replace */
    og_index_meta index;
    tbl_cache *cache;        /* of the table it was staged from (nullable) */
    og_manifest *base;       /* that table's manifest, &base_box->m (nullable) */
    tbl_mbox *base_box;
    uint32_t inline_max;     /* largest fragment / deletion vector kept inline */
};

og_status tbl_key(const char *root, const char *rel, og_buf *out);
og_status tbl_rand_hex(char out[33]);
/* A fresh object name: a ULID, so its creation time is readable from the
 * name (cleanup spares young unreferenced files: they may be staged). */
og_status tbl_file_name(char out[33]);
int64_t tbl_now_us(void);
og_status tbl_load_manifest(og_store *s, const char *root, const char *prefix, uint64_t version,
                            og_manifest *out);
og_status tbl_load_manifest_meta(og_store *s, const char *root, const char *prefix, uint64_t version,
                                 og_manifest *out, og_obj_meta *meta);
/* One get: version `version` as stored; a delta stays unresolved
 * (out->unresolved: frags are the delta's entries only). */
og_status tbl_load_manifest_raw(og_store *s, const char *root, const char *prefix, uint64_t version,
                                og_manifest *out);
/* Loads version `version` (and, for a delta, its checkpoint object: two
 * gets) into a new box whose ckpt is kept for the next commit's delta. */
og_status tbl_load_box(og_store *s, const char *root, const char *prefix, uint64_t version, tbl_mbox **out,
                       og_obj_meta *meta);
/* Makes t show box b (takes the caller's ref). */
void tbl_table_set_box(og_table *t, tbl_mbox *b);
og_status tbl_latest_version(og_store *s, const char *root, const char *prefix, uint64_t *out);
og_status tbl_table_new(og_store *s, const char *root, const char *prefix, og_table **out);
void tbl_version_rel(const char *prefix, uint64_t v, char out[160]);
og_status tbl_txn_new(og_store *s, const char *root, const char *prefix, uint64_t read_version, og_txn_op op,
                      og_txn **out);
/* tbl_txn_new at t's version; the txn keeps t's cache and manifest. */
og_status tbl_txn_new_at(og_table *t, og_txn_op op, og_txn **out);
og_status tbl_txn_add_frag(og_txn *x, const og_frag_meta *f);
og_status tbl_txn_touch(og_txn *x, uint64_t frag_id);
/* Writes the inserted-key set file (no-op when there are none). */
og_status tbl_txn_write_keys(og_txn *x);

/* Writes rows (columns named as schema fields; missing nullable fields are
 * null) as a fragment file; hidden columns optional. A zero-row batch
 * writes nothing and sets out->file = NULL. cache (nullable) receives a
 * reader of the new file, so the next commit's join needs no footer read.
 * A file of at most inline_max bytes is not written but kept in
 * out->inline_data (out->file is where it would be spilled); 0 = never. */
og_status tbl_write_fragment(og_store *s, const char *root, const char *prefix, const og_schema *schema,
                             const og_batch *rows, const og_column *rowids, const og_column *created,
                             const og_column *updated, uint32_t page_rows, tbl_cache *cache,
                             uint32_t inline_max, og_frag_meta *out);
/* Bitmap of a staged deletion-vector update (inline or written). */
og_status tbl_dv_update_read(og_store *s, const char *root, const tbl_dv_update *d, roaring_bitmap_t **out);
/* Spills the inline data of m when it is over TBL_INLINE_BUDGET: inline
 * fragments into one new pack object, inline deletion vectors into their
 * files. Called on a built manifest before it is published. */
og_status tbl_spill_inline(og_store *s, const char *root, const char *prefix, tbl_cache *cache, og_manifest *m);

/* Calls fn for every page of fragment f with matching live rows. cols are
 * the requested columns of that page (schema or virtual names), sel the
 * matching offsets within the page. */
typedef og_status (*tbl_visit_fn)(void *ud, const og_frag_meta *f, uint64_t row_start,
                                  og_column *const *cols, const uint32_t *sel, size_t nsel);
og_status tbl_visit(og_table *t, const og_frag_meta *f, const og_pred *preds, size_t npreds,
                    const char *const *cols, size_t ncols, tbl_visit_fn fn, void *ud);
/* tbl_visit over every fragment of t, using a key index when one applies
 * to the predicates (covered fragments without candidates are skipped). */
og_status tbl_visit_all(og_table *t, const og_pred *preds, size_t npreds, const char *const *cols, size_t ncols,
                        tbl_visit_fn fn, void *ud);
/* Type of a schema field or virtual column. */
og_status tbl_col_type(const og_table *t, const char *name, og_type *out);
/* Deletion bitmap of f (empty when none); caller frees. */
og_status tbl_load_dv(og_table *t, const og_frag_meta *f, roaring_bitmap_t **out);
/* Stages a deletion of `offsets` (fragment-relative) of fragment f. */
og_status tbl_stage_dv(og_table *t, og_txn *x, const og_frag_meta *f, const roaring_bitmap_t *old,
                       const roaring_bitmap_t *add);

/* When an = or IN predicate can use a key index: *ix is that index and
 * rowids (sorted, caller frees) the candidates on its covered fragments;
 * *ix NULL when no index applies. */
og_status tbl_index_plan(og_table *t, const og_pred *preds, size_t npreds, const og_index_meta **ix,
                         uint64_t **rowids, size_t *n);

#endif
