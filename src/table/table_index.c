/* table_index.c — the scalar key index.
 * (1) An index segment is one immutable object (envelope "OGIX"): count,
 *     then (key hash, row id) pairs sorted ascending; it records the
 *     fragments it covers in the manifest.
 * (2) A lookup yields candidate row ids only: the scan still evaluates the
 *     real predicate and the deletion vectors, so hash collisions and rows
 *     deleted after the build never produce wrong results.
 * (3) Fragments the index does not cover (appended later) are scanned. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "envelope.h"
#include "keyset.h"

#define OG_INDEX_MAGIC "OGIX"
#define OG_INDEX_VERSION 1u

typedef struct ix_pair { uint64_t hash, rowid; } ix_pair;

typedef struct ix_ctx {
    ix_pair *v;
    size_t n, cap;
} ix_ctx;

/* Hash of row `row` of a scalar column: the key-set hash for utf8, binary
 * and integer columns (files written before bool/float support stay
 * valid); bool and float get their own seeds; -0.0 hashes as 0.0. */
static uint64_t ix_hash(const og_column *c, size_t row)
{
    if (c->type.id == OG_TYPE_BOOL) {
        uint64_t v = og_column_get_bool(c, row) ? 1 : 0;
        return XXH64(&v, 8, 3);
    }
    if (og_type_is_float(c->type.id)) {
        double d = og_column_get_f64(c, row);
        if (d == 0) d = 0; /* -0.0 == 0.0 */
        uint64_t v;
        memcpy(&v, &d, 8);
        return XXH64(&v, 8, 4);
    }
    return og_keyset_hash(c, row);
}

static bool ix_type_ok(og_type t)
{
    return t.id == OG_TYPE_UTF8 || t.id == OG_TYPE_BINARY || t.id == OG_TYPE_BOOL || og_type_is_int(t.id) ||
           og_type_is_float(t.id);
}

static og_status ix_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                          og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    ix_ctx *c = ud;
    (void)f; (void)row_start;
    for (size_t i = 0; i < nsel; i++) {
        if (og_column_is_null(cols[0], sel[i])) continue;
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 1024;
            ix_pair *v = realloc(c->v, cap * sizeof *v);
            if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
            c->v = v;
            c->cap = cap;
        }
        if (og_type_is_float(cols[0]->type.id) && og_column_get_f64(cols[0], sel[i]) != og_column_get_f64(cols[0], sel[i]))
            continue; /* NaN equals nothing */
        c->v[c->n].hash = ix_hash(cols[0], sel[i]);
        c->v[c->n++].rowid = og_column_get_u64(cols[1], sel[i]);
    }
    return OG_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const ix_pair *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

og_status og_table_stage_create_index(og_table *t, const char *name, const char *column, og_txn **out)
{
    og_status rc = OG_OK;
    og_txn *x = NULL;
    ix_ctx c = {NULL, 0, 0};
    og_buf body = OG_BUF_INIT, file = OG_BUF_INIT, key = OG_BUF_INIT;
    char hex[33], rel[160];
    *out = NULL;
    const og_field *f = og_schema_find(&t->m.schema, column);
    if (!f) return og_error_set(OG_E_INVALID, "table %s has no column `%s`", t->root, column);
    if (!ix_type_ok(f->type))
        return og_error_set(OG_E_UNSUPPORTED, "a key index needs a scalar column; `%s` is not", column);
    if (!name[0] || strlen(name) > 128) return og_error_set(OG_E_INVALID, "index name must be 1..128 bytes");
    const char *cols[] = {column, OG_COL_ROWID};
    for (size_t i = 0; i < t->m.nfrags && !rc; i++) rc = tbl_visit(t, &t->m.frags[i], NULL, 0, cols, 2, ix_visit, &c);
    if (rc) goto done;
    if (c.n) qsort(c.v, c.n, sizeof *c.v, cmp_pair);
    if ((rc = og_buf_append_u64le(&body, c.n))) goto done;
    for (size_t i = 0; i < c.n && !rc; i++) {
        rc = og_buf_append_u64le(&body, c.v[i].hash);
        if (!rc) rc = og_buf_append_u64le(&body, c.v[i].rowid);
    }
    if (rc || (rc = og_env_wrap(OG_INDEX_MAGIC, OG_INDEX_VERSION, body.data, body.len, &file))) goto done;
    if ((rc = tbl_file_name(hex))) goto done;
    snprintf(rel, sizeof rel, "%s_indices/%s/index.ogix", t->prefix, hex);
    if ((rc = tbl_key(t->root, rel, &key)) || (rc = og_store_put(t->store, key.data, file.data, file.len, NULL))) goto done;
    if ((rc = tbl_txn_new_at(t, OG_TXN_CREATE_INDEX, &x))) goto done;
    x->has_index = true;
    x->index.name = strdup(name);
    x->index.uuid = strdup(hex);
    x->index.kind = strdup("btree");
    x->index.file = strdup(rel);
    x->index.field_id = f->id;
    x->index.version = t->m.version;
    x->index.frags = malloc((t->m.nfrags + 1) * sizeof *x->index.frags);
    if (!x->index.name || !x->index.uuid || !x->index.kind || !x->index.file || !x->index.frags) {
        rc = og_error_set(OG_E_NOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < t->m.nfrags; i++) x->index.frags[i] = t->m.frags[i].id;
    x->index.nfrags = t->m.nfrags;
    *out = x;
    x = NULL;
done:
    og_txn_free(x);
    free(c.v);
    og_buf_free(&body);
    og_buf_free(&file);
    og_buf_free(&key);
    return rc;
}

/* Hash of v as a value of type t, as og_keyset_hash would compute it for a
 * stored cell; false when v cannot be such a value. */
static bool value_hash(og_type t, const og_value *v, uint64_t *out)
{
    og_column c;
    bool ok = false;
    if (og_column_init(&c, t)) return false;
    if ((t.id == OG_TYPE_UTF8 || t.id == OG_TYPE_BINARY) && (v->kind == OG_VALUE_STRING || v->kind == OG_VALUE_BLOB)) ok = !og_column_push_bytes(&c, v->as.s.ptr, v->as.s.len);
    else if (og_type_is_int(t.id) && (v->kind == OG_VALUE_I64 || v->kind == OG_VALUE_DATE || v->kind == OG_VALUE_DATETIME)) ok = !og_column_push_i64(&c, v->as.i);
    else if (og_type_is_int(t.id) && v->kind == OG_VALUE_U64) ok = !og_column_push_u64(&c, v->as.u);
    else if (t.id == OG_TYPE_BOOL && v->kind == OG_VALUE_BOOL) ok = !og_column_push_bool(&c, v->as.b);
    /* floats: only exactly representable f64 operands of an f64 column (an
     * f32 column or an integer operand falls back to scanning) */
    else if (t.id == OG_TYPE_F64 && v->kind == OG_VALUE_F64 && v->as.f == v->as.f) ok = !og_column_push_f64(&c, v->as.f);
    if (ok) *out = ix_hash(&c, 0);
    og_column_free(&c);
    og_error_clear();
    return ok;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

og_status tbl_index_plan(og_table *t, const og_pred *preds, size_t npreds, const og_index_meta **ix_out,
                         uint64_t **rowids, size_t *n)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    uint64_t *hashes = NULL, *ids = NULL;
    size_t nh = 0, nids = 0;
    const og_index_meta *ix = NULL;
    const og_pred *p = NULL;
    *ix_out = NULL;
    *rowids = NULL;
    *n = 0;
    for (size_t i = 0; i < npreds && !ix; i++) {
        if (preds[i].op != OG_CMP_EQ && preds[i].op != OG_CMP_IN) continue;
        const og_field *f = og_schema_find(&t->m.schema, preds[i].column);
        for (size_t k = 0; f && k < t->m.nindices && !ix; k++)
            if (t->m.indices[k].field_id == f->id && !strcmp(t->m.indices[k].kind, "btree") && t->m.indices[k].nfrags) {
                ix = &t->m.indices[k];
                p = &preds[i];
            }
    }
    if (!ix) return OG_OK;
    const og_field *f = og_schema_find(&t->m.schema, p->column);
    size_t nv = p->op == OG_CMP_IN ? p->nvalues : 1;
    hashes = malloc((nv + 1) * sizeof *hashes);
    if (!hashes) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < nv; i++)
        if (value_hash(f->type, p->op == OG_CMP_IN ? &p->values[i] : &p->value, &hashes[nh])) nh++;
    if (nh < nv) goto done; /* a value of another type: fall back to scanning */
    if ((rc = tbl_key(t->root, ix->file, &key))) goto done;
    const og_buf *bytes = tbl_cache_get_blob(t->cache, key.data);
    if (!bytes) {
        /* index files are immutable: verify once, then keep them per handle */
        const char *b0;
        size_t l0;
        if ((rc = og_store_get(t->store, key.data, &data, NULL)) ||
            (rc = og_env_unwrap(OG_INDEX_MAGIC, OG_INDEX_VERSION, "key index", data.data, data.len, &b0, &l0, NULL)) ||
            (rc = tbl_cache_put_blob(t->cache, key.data, &data, &bytes)))
            goto done;
    }
    /* verified above when fetched; the cache holds only verified bytes */
    const char *body = bytes->data + OG_ENV_HEADER_LEN;
    size_t blen = bytes->len - OG_ENV_HEADER_LEN;
    uint64_t cnt;
    if (blen < 8 || (memcpy(&cnt, body, 8), cnt != (blen - 8) / 16) || (blen - 8) % 16) {
        rc = og_error_set(OG_E_CORRUPT, "key index %s is corrupt: bad length", ix->file);
        goto done;
    }
    const char *pairs = body + 8;
    size_t cap = nh + 1;
    ids = malloc(cap * sizeof *ids);
    if (!ids) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t h = 0; h < nh; h++) {
        size_t lo = 0, hi = (size_t)cnt;
        while (lo < hi) { /* first pair with hash >= hashes[h] */
            size_t mid = lo + (hi - lo) / 2;
            uint64_t x;
            memcpy(&x, pairs + mid * 16, 8);
            if (x < hashes[h]) lo = mid + 1;
            else hi = mid;
        }
        for (size_t k = lo; k < cnt; k++) {
            uint64_t x, r;
            memcpy(&x, pairs + k * 16, 8);
            if (x != hashes[h]) break;
            memcpy(&r, pairs + k * 16 + 8, 8);
            if (nids == cap) {
                uint64_t *g = realloc(ids, cap * 2 * sizeof *ids);
                if (!g) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
                ids = g;
                cap *= 2;
            }
            ids[nids++] = r;
        }
    }
    if (nids) qsort(ids, nids, sizeof *ids, cmp_u64);
    *ix_out = ix;
    *rowids = ids;
    *n = nids;
    ids = NULL;
done:
    free(hashes);
    free(ids);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}
