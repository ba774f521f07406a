/* table_stage.c — phase one of every write: data, deletion and key files.
 * (1) Staging writes only new immutable objects under fresh random names
 *     (data/, _deletions/, _txn/); it never changes what any version sees.
 * (2) Rows are validated against the schema before anything is written:
 *     unknown columns, wrong types and nulls in non-nullable fields are
 *     OG_E_VALIDATION.
 * (3) On keyed tables every staged insert records the hashes of the keys
 *     it inserts, so concurrent duplicate inserts conflict at commit. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "deletion.h"
#include "fragment.h"
#include "keyset.h"

static og_status nomem(void) { return og_error_set(OG_E_NOMEM, "out of memory"); }

static og_status check_rows(const og_schema *schema, const og_batch *rows)
{
    for (size_t i = 0; i < rows->ncols; i++) {
        const og_field *f = og_schema_find(schema, rows->names[i]);
        if (!f) return og_error_set(OG_E_VALIDATION, "column `%s` is not in the schema", rows->names[i]);
        if (!og_type_eq(f->type, rows->cols[i]->type)) {
            og_buf a = OG_BUF_INIT, b = OG_BUF_INIT;
            og_type_format(f->type, &a);
            og_type_format(rows->cols[i]->type, &b);
            og_status rc = og_error_set(OG_E_VALIDATION, "column `%s` expects %s, got %s", f->name,
                                        og_buf_cstr(&a), og_buf_cstr(&b));
            og_buf_free(&a);
            og_buf_free(&b);
            return rc;
        }
        if (!f->nullable && rows->cols[i]->null_count)
            return og_error_set(OG_E_VALIDATION, "column `%s` is not nullable but has %zu nulls",
                                f->name, rows->cols[i]->null_count);
        if (rows->cols[i]->len != rows->nrows)
            return og_error_set(OG_E_INVALID, "batch not sealed: column `%s` has %zu rows, batch %zu",
                                f->name, rows->cols[i]->len, rows->nrows);
    }
    for (size_t i = 0; i < schema->nfields; i++)
        if (!schema->fields[i].nullable && !og_batch_col(rows, schema->fields[i].name) && rows->nrows)
            return og_error_set(OG_E_VALIDATION, "required column `%s` is missing", schema->fields[i].name);
    return OG_OK;
}

/* The primary-key range of a single-page fragment (og_key_range). */
static void key_range(const og_schema *schema, const og_fragment_reader *r, og_key_range *kr)
{
    const og_field *pk = og_schema_pk(schema);
    int k = pk ? og_fragment_find(r, pk->id) : -1;
    memset(kr, 0, sizeof *kr);
    if (k < 0) return;
    const og_frag_col *fc = og_fragment_col(r, (uint32_t)k);
    if (fc->npages != 1 || !og_type_eq(fc->type, pk->type)) return;
    const og_stats *st = &fc->pages[0].stats;
    if (st->kind == OG_STATS_BYTES) {
        if (st->bmin_len > sizeof kr->bmin || st->bmax_len > sizeof kr->bmax) return;
        memcpy(kr->bmin, st->bmin, st->bmin_len);
        memcpy(kr->bmax, st->bmax, st->bmax_len);
        kr->bmin_len = (uint8_t)st->bmin_len;
        kr->bmax_len = (uint8_t)st->bmax_len;
    } else if (st->kind == OG_STATS_I64) {
        kr->imin = st->imin;
        kr->imax = st->imax;
    } else if (st->kind == OG_STATS_U64) {
        kr->umin = st->umin;
        kr->umax = st->umax;
    } else {
        return;
    }
    kr->nulls = fc->pages[0].null_count;
    kr->field_id = pk->id;
    kr->kind = (int)st->kind;
}

og_status tbl_write_fragment(og_store *s, const char *root, const char *prefix, const og_schema *schema,
                             const og_batch *rows, const og_column *rowids, const og_column *created,
                             const og_column *updated, uint32_t page_rows, tbl_cache *cache,
                             uint32_t inline_max, og_frag_meta *out)
{
    og_status rc = OG_OK;
    og_frag_field *ff = NULL;
    og_column *nulls = NULL;
    og_buf file = OG_BUF_INIT, key = OG_BUF_INIT;
    size_t nf = 0, nnull = 0;
    char name[33], rel[160];
    memset(out, 0, sizeof *out);
    if (!rows || rows->nrows == 0) return OG_OK;
    if ((rc = check_rows(schema, rows))) goto done;
    ff = calloc(schema->nfields + 3, sizeof *ff);
    nulls = calloc(schema->nfields + 1, sizeof *nulls);
    if (!ff || !nulls) { rc = nomem(); goto done; }
    for (size_t i = 0; i < schema->nfields; i++) {
        const og_field *f = &schema->fields[i];
        const og_column *c = og_batch_col(rows, f->name);
        if (!c) {
            og_column *z = &nulls[nnull];
            if ((rc = og_column_init(z, f->type))) goto done;
            nnull++;
            for (size_t r = 0; r < rows->nrows && !rc; r++) rc = og_column_push_null(z);
            if (rc) goto done;
            c = z;
        }
        ff[nf].field_id = f->id;
        ff[nf++].col = c;
    }
    if (rowids) { ff[nf].field_id = OG_FIELD_ROWID; ff[nf++].col = rowids; }
    if (created) { ff[nf].field_id = OG_FIELD_CREATED; ff[nf++].col = created; }
    if (updated) { ff[nf].field_id = OG_FIELD_UPDATED; ff[nf++].col = updated; }
    if ((rc = og_fragment_encode(ff, nf, page_rows, &file))) goto done;
    if ((rc = tbl_file_name(name))) goto done;
    snprintf(rel, sizeof rel, "%sdata/%s.ogf", prefix, name);
    bool inl = file.len <= inline_max;
    if ((rc = tbl_key(root, rel, &key))) goto done;
    if (!inl && (rc = og_store_put(s, key.data, file.data, file.len, NULL))) goto done;
    out->file = strdup(rel);
    if (!out->file) { rc = nomem(); goto done; }
    out->size = file.len;
    out->rows = rows->nrows;
    out->explicit_row_ids = rowids != NULL;
    if (cache) { /* warm the cache with the file we hold; failing that is harmless */
        og_fragment_reader *r = NULL;
        og_status orc = inl ? og_fragment_open_copy(file.data, file.len, &r)
                            : og_fragment_open_written(s, key.data, file.data, file.len, &r);
        if (orc == OG_OK) {
            key_range(schema, r, &out->krange);
            tbl_cache_put_reader(cache, key.data, r);
        } else {
            og_error_clear();
        }
    }
    if (inl) { out->inline_data = file; memset(&file, 0, sizeof file); }
done:
    for (size_t i = 0; i < nnull; i++) og_column_free(&nulls[i]);
    free(nulls);
    free(ff);
    og_buf_free(&file);
    og_buf_free(&key);
    return rc;
}

/* Records the key hashes of rows (keyed tables only). */
static og_status collect_keys(og_txn *x, const og_schema *schema, const og_batch *rows, const char *keycol)
{
    const og_field *pk = og_schema_pk(schema);
    if (!keycol && pk) keycol = pk->name;
    if (!keycol || !rows || !rows->nrows) return OG_OK;
    const og_column *c = og_batch_col(rows, keycol);
    if (!c) return og_error_set(OG_E_VALIDATION, "key column `%s` is missing", keycol);
    uint64_t *v = realloc(x->keys, (x->nkeys + c->len) * sizeof *v);
    if (!v) return nomem();
    x->keys = v;
    for (size_t i = 0; i < c->len; i++) v[x->nkeys++] = og_keyset_hash(c, i);
    x->nkeys = og_keyset_normalize(x->keys, x->nkeys);
    return OG_OK;
}

/* Writes rows as one fragment; keycol names the key column (NULL: the
 * schema's primary key, if any). */
static og_status add_rows(og_txn *x, const og_schema *schema, const og_batch *rows, uint32_t page_rows,
                          const char *keycol)
{
    og_frag_meta f;
    /* bulk writes (create, overwrite) always get files */
    uint32_t inl = x->rec.op == OG_TXN_APPEND || x->rec.op == OG_TXN_MERGE ? x->inline_max : 0;
    og_status rc = tbl_write_fragment(x->store, x->root, x->prefix, schema, rows, NULL, NULL, NULL, page_rows, x->cache,
                                      inl, &f);
    if (!rc && f.file) rc = tbl_txn_add_frag(x, &f);
    og_frag_meta_free(&f);
    if (!rc) rc = collect_keys(x, schema, rows, keycol);
    return rc;
}

/* Assigns field ids: by name from `old` when present, else fresh. */
static og_status assign_ids(og_schema *s, const og_schema *old, uint32_t *next)
{
    int npk = 0;
    for (size_t i = 0; i < s->nfields; i++) {
        og_field *f = &s->fields[i];
        const og_field *o = old ? og_schema_find(old, f->name) : NULL;
        f->id = o && og_type_eq(o->type, f->type) ? o->id : (*next)++;
        npk += f->primary_key;
        if (f->primary_key && f->type.id != OG_TYPE_UTF8 && !og_type_is_int(f->type.id))
            return og_error_set(OG_E_INVALID, "primary key `%s` must be utf8 or an integer", f->name);
    }
    if (npk > 1) return og_error_set(OG_E_INVALID, "a table has at most one primary key");
    if (old) {
        const og_field *a = og_schema_pk(old), *b = og_schema_pk(s);
        if ((a || b) && (!a || !b || strcmp(a->name, b->name)))
            return og_error_set(OG_E_INVALID, "the primary key of a table cannot change");
    }
    return OG_OK;
}

og_status og_table_stage_create(og_store *s, const char *root, const og_schema *schema,
                                const og_batch *rows, og_txn **out)
{
    og_txn *x = NULL;
    og_status rc = tbl_txn_new(s, root, "", 0, OG_TXN_CREATE, &x);
    if (rc) return rc;
    x->has_schema = true;
    if ((rc = og_schema_copy(&x->schema, schema)) || (rc = assign_ids(&x->schema, NULL, &x->next_field_id)) ||
        (rc = add_rows(x, &x->schema, rows, 0, NULL)) || (rc = tbl_txn_write_keys(x)))
        goto done;
done:
    if (rc) { og_txn_free(x); x = NULL; }
    *out = x;
    return rc;
}

og_status og_table_stage_append(og_table *t, const og_batch *rows, og_txn **out)
{
    og_txn *x = NULL;
    *out = NULL;
    og_status rc = tbl_txn_new_at(t, OG_TXN_APPEND, &x);
    if (rc) return rc;
    if ((rc = add_rows(x, &t->m.schema, rows, t->page_rows, NULL)) || (rc = tbl_txn_write_keys(x))) goto done;
done:
    if (rc) { og_txn_free(x); x = NULL; }
    *out = x;
    return rc;
}

og_status og_table_stage_overwrite(og_table *t, const og_schema *schema, const og_batch *rows, og_txn **out)
{
    og_txn *x = NULL;
    *out = NULL;
    og_status rc = tbl_txn_new_at(t, OG_TXN_OVERWRITE, &x);
    if (rc) return rc;
    x->has_schema = true;
    x->next_field_id = t->m.next_field_id;
    if ((rc = og_schema_copy(&x->schema, schema ? schema : &t->m.schema)) ||
        (rc = assign_ids(&x->schema, &t->m.schema, &x->next_field_id)) ||
        (rc = add_rows(x, &x->schema, rows, t->page_rows, NULL)) || (rc = tbl_txn_write_keys(x)))
        goto done;
    for (size_t i = 0; i < t->m.nfrags && !rc; i++) rc = tbl_txn_touch(x, t->m.frags[i].id);
done:
    if (rc) { og_txn_free(x); x = NULL; }
    *out = x;
    return rc;
}

og_status og_table_stage_restore(og_table *t, uint64_t target, og_txn **out)
{
    og_txn *x = NULL;
    *out = NULL;
    if (target == 0 || target > t->m.version)
        return og_error_set(OG_E_INVALID, "cannot restore version %llu of a table at version %llu",
                            (unsigned long long)target, (unsigned long long)t->m.version);
    og_status rc = tbl_txn_new_at(t, OG_TXN_RESTORE, &x);
    if (rc) return rc;
    x->rec.restore_target = target;
    if ((rc = tbl_load_manifest(t->store, t->root, t->prefix, target, &x->restore))) goto done;
    x->has_restore = true;
done:
    if (rc) { og_txn_free(x); x = NULL; }
    *out = x;
    return rc;
}

og_status tbl_load_dv(og_table *t, const og_frag_meta *f, roaring_bitmap_t **out)
{
    og_buf key = OG_BUF_INIT;
    og_status rc = OG_OK;
    *out = NULL;
    if (!f->deletion_file) {
        *out = roaring_bitmap_create();
        return *out ? OG_OK : nomem();
    }
    if (f->dv_inline.len) {
        rc = og_dv_decode(f->dv_inline.data, f->dv_inline.len, f->rows, out);
        if (rc) og_error_context(rc, "inline deletion vector %s", f->deletion_file);
    } else if (!(rc = tbl_key(t->root, f->deletion_file, &key))) {
        /* deletion vectors are immutable: a handle reads each once */
        const og_buf *bytes = tbl_cache_get_blob(t->cache, key.data);
        og_buf got = OG_BUF_INIT;
        if (!bytes && !(rc = og_store_get(t->store, key.data, &got, NULL)))
            rc = tbl_cache_put_blob(t->cache, key.data, &got, &bytes);
        if (!rc) rc = og_dv_decode(bytes->data, bytes->len, f->rows, out);
        if (rc) og_error_context(rc, "deletion vector %s", key.data);
        og_buf_free(&got);
    }
    if (!rc && roaring_bitmap_get_cardinality(*out) != f->deleted) {
        roaring_bitmap_free(*out);
        *out = NULL;
        rc = og_error_set(OG_E_CORRUPT, "deletion vector %s holds a different row count than its manifest",
                          f->deletion_file);
    }
    og_buf_free(&key);
    return rc;
}

og_status tbl_stage_dv(og_table *t, og_txn *x, const og_frag_meta *f, const roaring_bitmap_t *old,
                       const roaring_bitmap_t *add)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT;
    char name[33], rel[160];
    roaring_bitmap_t *u = roaring_bitmap_or(old, add);
    if (!u) return nomem();
    uint64_t n = roaring_bitmap_get_cardinality(u);
    if ((rc = tbl_txn_touch(x, f->id))) goto done;
    if (n == f->rows) { /* every row gone: drop the fragment */
        uint64_t *v = realloc(x->removed, (x->nremoved + 1) * sizeof *v);
        if (!v) { rc = nomem(); goto done; }
        x->removed = v;
        v[x->nremoved++] = f->id;
        goto done;
    }
    if ((rc = tbl_file_name(name))) goto done;
    snprintf(rel, sizeof rel, "%s_deletions/%llu-%s.ogdv", x->prefix, (unsigned long long)f->id, name);
    og_buf enc = OG_BUF_INIT;
    if ((rc = tbl_key(t->root, rel, &key)) || (rc = og_dv_encode(u, &enc))) {
        og_buf_free(&enc);
        goto done;
    }
    bool inl = enc.len <= TBL_INLINE_DV_MAX && enc.len <= x->inline_max;
    if (!inl) {
        if ((rc = og_store_put_if_absent(t->store, key.data, enc.data, enc.len, NULL))) {
            og_buf_free(&enc);
            goto done;
        }
        /* the snapshot this commit returns will read it: keep the bytes */
        const og_buf *kept;
        tbl_cache_put_blob(x->cache, key.data, &enc, &kept);
    }
    tbl_dv_update *d = realloc(x->dvs, (x->ndvs + 1) * sizeof *d);
    if (!d) { og_buf_free(&enc); rc = nomem(); goto done; }
    x->dvs = d;
    memset(&d[x->ndvs], 0, sizeof d[x->ndvs]);
    d[x->ndvs].frag_id = f->id;
    d[x->ndvs].deleted = n;
    d[x->ndvs].file = strdup(rel);
    if (inl) { d[x->ndvs].inline_data = enc; memset(&enc, 0, sizeof enc); }
    og_buf_free(&enc);
    if (!d[x->ndvs].file) { og_buf_free(&d[x->ndvs].inline_data); rc = nomem(); goto done; }
    x->ndvs++;
done:
    roaring_bitmap_free(u);
    og_buf_free(&key);
    return rc;
}

/* ---------- delete ---------- */

/* Matches per fragment (by index into the manifest), made on first hit. */
typedef struct del_ctx {
    const og_table *t;
    roaring_bitmap_t **hits;
} del_ctx;

static og_status del_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                           og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    del_ctx *d = ud;
    size_t k = (size_t)(f - d->t->m.frags);
    (void)cols;
    if (!d->hits[k] && !(d->hits[k] = roaring_bitmap_create())) return nomem();
    for (size_t i = 0; i < nsel; i++) roaring_bitmap_add(d->hits[k], (uint32_t)(row_start + sel[i]));
    return OG_OK;
}

og_status og_table_stage_delete(og_table *t, const og_pred *preds, size_t npreds,
                                uint64_t *affected, og_txn **out)
{
    og_txn *x = NULL;
    og_status rc = OG_OK;
    uint64_t total = 0;
    del_ctx d = {t, NULL};
    *out = NULL;
    if (affected) *affected = 0;
    if ((rc = tbl_txn_new_at(t, OG_TXN_DELETE, &x))) return rc;
    if (!(d.hits = calloc(t->m.nfrags + 1, sizeof *d.hits))) { rc = nomem(); goto done; }
    /* one pass over the table: key index, point lookups and fragment
     * pruning apply as in a scan */
    static const char *const no_cols[1] = {NULL}; /* project nothing (NULL would mean every field) */
    if ((rc = tbl_visit_all(t, preds, npreds, no_cols, 0, del_visit, &d))) goto done;
    for (size_t i = 0; i < t->m.nfrags && !rc; i++) {
        const og_frag_meta *f = &t->m.frags[i];
        roaring_bitmap_t *old = NULL;
        if (!d.hits[i] || roaring_bitmap_is_empty(d.hits[i])) continue;
        total += roaring_bitmap_get_cardinality(d.hits[i]);
        rc = tbl_load_dv(t, f, &old);
        if (!rc) rc = tbl_stage_dv(t, x, f, old, d.hits[i]);
        if (old) roaring_bitmap_free(old);
    }
    if (rc || total == 0) goto done;
    x->rec.affected_rows = total;
    if (affected) *affected = total;
    *out = x;
    x = NULL;
done:
    for (size_t i = 0; d.hits && i < t->m.nfrags; i++)
        if (d.hits[i]) roaring_bitmap_free(d.hits[i]);
    free(d.hits);
    og_txn_free(x);
    return rc;
}

/* ---------- merge-insert ---------- */

/* Open-addressing set of source rows keyed by id bytes. */
typedef struct idx_map {
    uint64_t *hash;
    int64_t *row;      /* -1 empty */
    size_t cap;
} idx_map;

static uint64_t key_hash(const og_column *c, size_t r) { return og_keyset_hash(c, r); }

static int64_t map_find(const idx_map *m, const og_column *src, const og_column *probe, size_t pr)
{
    uint64_t h = key_hash(probe, pr);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->row[i] < 0) return -1;
        if (m->hash[i] == h && og_column_row_eq(src, (size_t)m->row[i], probe, pr)) return m->row[i];
    }
}

static og_status map_build(idx_map *m, const og_column *ids, bool *dup)
{
    m->cap = 16;
    while (m->cap < ids->len * 2) m->cap *= 2;
    m->hash = malloc(m->cap * sizeof *m->hash);
    m->row = malloc(m->cap * sizeof *m->row);
    if (!m->hash || !m->row) return nomem();
    for (size_t i = 0; i < m->cap; i++) m->row[i] = -1;
    for (size_t r = 0; r < ids->len; r++) {
        dup[r] = map_find(m, ids, ids, r) >= 0; /* first seen wins */
        if (dup[r]) continue;
        uint64_t h = key_hash(ids, r);
        size_t i = h & (m->cap - 1);
        while (m->row[i] >= 0) i = (i + 1) & (m->cap - 1);
        m->hash[i] = h;
        m->row[i] = (int64_t)r;
    }
    return OG_OK;
}

typedef struct merge_ctx {
    idx_map map;
    const og_column *src_ids;
    int64_t *match_frag;     /* per source row: index into t->m.frags, -1 none */
    uint64_t *match_off;     /* fragment offset */
    uint64_t *match_rowid;
    uint64_t *match_created;
    og_table *t;
} merge_ctx;

static og_status merge_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                             og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    merge_ctx *mc = ud;
    for (size_t i = 0; i < nsel; i++) {
        int64_t r = map_find(&mc->map, mc->src_ids, cols[0], sel[i]);
        if (r < 0) continue;
        if (mc->match_frag[r] >= 0)
            return og_error_set(OG_E_CORRUPT, "table holds two live rows with one id (fragment %llu)",
                                (unsigned long long)f->id);
        mc->match_frag[r] = (int64_t)(f - mc->t->m.frags);
        mc->match_off[r] = row_start + sel[i];
        mc->match_rowid[r] = og_column_get_u64(cols[1], sel[i]);
        mc->match_created[r] = og_column_get_u64(cols[2], sel[i]);
    }
    return OG_OK;
}

static og_status copy_rows(const og_batch *src, const bool *pick, og_batch *dst)
{
    og_status rc = OG_OK;
    for (size_t c = 0; c < src->ncols && !rc; c++) {
        og_column *d;
        if ((rc = og_batch_add(dst, src->names[c], src->cols[c]->type, &d))) break;
        for (size_t r = 0; r < src->nrows && !rc; r++)
            if (pick[r]) rc = og_column_append_row(d, src->cols[c], r);
    }
    if (!rc) rc = og_batch_seal(dst);
    return rc;
}

og_status og_table_stage_merge_insert(og_table *t, const og_batch *rows, og_when_matched wm,
                                      og_when_not_matched wnm, og_merge_stats *stats, og_txn **out)
{
    og_status rc = OG_OK;
    og_txn *x = NULL;
    merge_ctx mc;
    og_merge_stats st = {0, 0, 0};
    bool *dup = NULL, *ins = NULL, *upd = NULL;
    og_batch bi = OG_BATCH_INIT, bu = OG_BATCH_INIT;
    og_column *rid = NULL, *cre = NULL;
    og_value *jv = NULL;
    size_t n = rows->nrows;
    memset(&mc, 0, sizeof mc);
    *out = NULL;
    const og_field *idf = og_schema_find(&t->m.schema, "id");
    const og_column *ids = og_batch_col(rows, "id");
    if (!idf) { rc = og_error_set(OG_E_INVALID, "merge-insert joins on `id`; table %s has no such field", t->root); goto done; }
    if (!ids) { rc = og_error_set(OG_E_VALIDATION, "merge-insert source has no `id` column"); goto done; }
    if ((rc = check_rows(&t->m.schema, rows))) goto done;
    if (ids->null_count) { rc = og_error_set(OG_E_VALIDATION, "merge-insert source has null ids"); goto done; }
    dup = calloc(n + 1, sizeof *dup);
    ins = calloc(n + 1, sizeof *ins);
    upd = calloc(n + 1, sizeof *upd);
    mc.match_frag = malloc((n + 1) * sizeof *mc.match_frag);
    mc.match_off = calloc(n + 1, sizeof *mc.match_off);
    mc.match_rowid = calloc(n + 1, sizeof *mc.match_rowid);
    mc.match_created = calloc(n + 1, sizeof *mc.match_created);
    if (!dup || !ins || !upd || !mc.match_frag || !mc.match_off || !mc.match_rowid || !mc.match_created) {
        rc = nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++) mc.match_frag[i] = -1;
    mc.src_ids = ids;
    if ((rc = map_build(&mc.map, ids, dup))) goto done;
    /* Join against the live rows of the read version. For utf8 ids the
     * join carries `id IN (source ids)`, so pages whose id statistics
     * exclude every source id, and fragments a key index rules out, are
     * never read. */
    const char *jcols[] = {"id", OG_COL_ROWID, OG_COL_CREATED};
    og_pred jp;
    memset(&jp, 0, sizeof jp);
    size_t njp = 0;
    if (ids->type.id == OG_TYPE_UTF8 && n) {
        jv = calloc(n, sizeof *jv);
        if (!jv) { rc = nomem(); goto done; }
        for (size_t r = 0; r < n; r++) {
            size_t len;
            const char *p = og_column_get_bytes(ids, r, &len);
            jv[r] = og_val_strn(p, len);
        }
        jp.column = "id";
        jp.op = OG_CMP_IN;
        jp.values = jv;
        jp.nvalues = n;
        njp = 1;
    }
    mc.t = t;
    if ((rc = tbl_visit_all(t, &jp, njp, jcols, 3, merge_visit, &mc))) goto done;
    for (size_t r = 0; r < n; r++) {
        if (dup[r]) { st.skipped++; continue; }
        if (mc.match_frag[r] >= 0) {
            if (wm == OG_MATCHED_FAIL) {
                size_t kn;
                const char *kp = ids->type.id == OG_TYPE_UTF8 ? og_column_get_bytes(ids, r, &kn) : "";
                if (ids->type.id != OG_TYPE_UTF8) kn = 0;
                rc = og_error_set(OG_E_EXISTS, "row with id `%.*s` already exists", (int)(kn > 200 ? 200 : kn), kp);
                goto done;
            }
            if (wm == OG_MATCHED_UPDATE_ALL) { upd[r] = true; st.updated++; }
            else st.skipped++;
        } else if (wnm == OG_NOT_MATCHED_INSERT) {
            ins[r] = true;
            st.inserted++;
        } else {
            st.skipped++;
        }
    }
    if (stats) *stats = st;
    if (st.inserted == 0 && st.updated == 0) goto done;
    if ((rc = tbl_txn_new_at(t, OG_TXN_MERGE, &x))) goto done;
    if (st.inserted) {
        if ((rc = copy_rows(rows, ins, &bi)) || (rc = add_rows(x, &t->m.schema, &bi, t->page_rows, "id"))) goto done;
    }
    if (st.updated) {
        og_type u64 = {OG_TYPE_U64, OG_TYPE_NONE, 0};
        og_frag_meta f;
        if ((rc = copy_rows(rows, upd, &bu)) || (rc = og_column_new(u64, &rid)) || (rc = og_column_new(u64, &cre)))
            goto done;
        for (size_t r = 0; r < n && !rc; r++)
            if (upd[r]) {
                rc = og_column_push_u64(rid, mc.match_rowid[r]);
                if (!rc) rc = og_column_push_u64(cre, mc.match_created[r]);
            }
        if (rc) goto done;
        if ((rc = tbl_write_fragment(t->store, t->root, t->prefix, &t->m.schema, &bu, rid, cre, NULL, t->page_rows,
                                     t->cache, x->inline_max, &f)))
            goto done;
        rc = tbl_txn_add_frag(x, &f);
        og_frag_meta_free(&f);
        if (rc) goto done;
        /* Mark the old rows deleted, one new vector per fragment touched. */
        for (size_t i = 0; i < t->m.nfrags && !rc; i++) {
            roaring_bitmap_t *add = roaring_bitmap_create(), *old = NULL;
            if (!add) { rc = nomem(); break; }
            for (size_t r = 0; r < n; r++)
                if (upd[r] && mc.match_frag[r] == (int64_t)i) roaring_bitmap_add(add, (uint32_t)mc.match_off[r]);
            if (!roaring_bitmap_is_empty(add)) {
                rc = tbl_load_dv(t, &t->m.frags[i], &old);
                if (!rc) rc = tbl_stage_dv(t, x, &t->m.frags[i], old, add);
            }
            if (old) roaring_bitmap_free(old);
            roaring_bitmap_free(add);
        }
        if (rc) goto done;
    }
    x->rec.affected_rows = st.inserted + st.updated;
    if ((rc = tbl_txn_write_keys(x))) goto done;
    *out = x;
    x = NULL;
done:
    og_txn_free(x);
    og_batch_free(&bi);
    og_batch_free(&bu);
    og_column_destroy(rid);
    og_column_destroy(cre);
    free(mc.map.hash);
    free(mc.map.row);
    free(mc.match_frag);
    free(mc.match_off);
    free(mc.match_rowid);
    free(mc.match_created);
    free(jv);
    free(dup);
    free(ins);
    free(upd);
    return rc;
}
