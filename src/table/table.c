/* table.c — opening versions, transactions and the commit protocol.
 * (1) A version exists iff its manifest object exists; it is created only
 *     by put_if_absent, so of N concurrent committers of one number exactly
 *     one wins.
 * (2) A commit that loses the race reads every manifest committed since
 *     its read version and checks its transaction against each one
 *     (commit_check, internals.md §2.6). A conflict fails the commit with
 *     OG_E_CONFLICT; only a fully compatible history is rebased onto, and
 *     never in exact mode.
 * (3) Fragment ids, fragment versions and fresh row ids are assigned when
 *     the manifest is built, so rebasing never reuses an id. */
#include "internal.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/ulid.h"
#include "deletion.h"
#include "keyset.h"

#define DEFAULT_RETRIES 8

/* ---------- helpers ---------- */

og_status tbl_key(const char *root, const char *rel, og_buf *out)
{
    og_buf_clear(out);
    if (root[0]) {
        size_t n = strlen(root);
        og_status rc = og_buf_append_str(out, root);
        if (!rc && root[n - 1] != '/') rc = og_buf_append_byte(out, '/');
        if (rc) return rc;
    }
    return og_buf_append_str(out, rel);
}

og_status tbl_rand_hex(char out[33])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) return og_error_set(OG_E_INTERNAL, "RAND_bytes failed");
    for (int i = 0; i < 16; i++) snprintf(out + i * 2, 3, "%02x", b[i]);
    return OG_OK;
}

og_status tbl_file_name(char out[33])
{
    og_ulid u;
    og_status rc = og_ulid_new(&u);
    if (!rc) memcpy(out, u.s, OG_ULID_LEN + 1);
    return rc;
}

static og_status new_uuid(char **out)
{
    char h[33], u[37];
    og_status rc = tbl_rand_hex(h);
    if (rc) return rc;
    h[12] = '4';
    h[16] = "89ab"[h[16] % 4];
    snprintf(u, sizeof u, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
    *out = strdup(u);
    return *out ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory");
}

int64_t tbl_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void tbl_version_rel(const char *prefix, uint64_t v, char out[160])
{
    snprintf(out, 160, "%s_versions/%020llu.manifest", prefix, (unsigned long long)(UINT64_MAX - v));
}

/* Parses a version from a listed key; 0 when the key is not a manifest. */
static uint64_t version_of_key(const char *key)
{
    const char *p = strstr(key, "_versions/");
    if (!p) return 0;
    p += 10;
    if (strlen(p) != 29 || strcmp(p + 20, ".manifest")) return 0;
    uint64_t x = 0;
    for (int i = 0; i < 20; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return 0;
        x = x * 10 + d;
    }
    return UINT64_MAX - x;
}

og_status tbl_load_manifest(og_store *s, const char *root, const char *prefix, uint64_t version,
                            og_manifest *out)
{
    return tbl_load_manifest_meta(s, root, prefix, version, out, NULL);
}

/* One get and decode of version `version`; a delta stays unresolved. */
static og_status load_raw(og_store *s, const char *root, const char *prefix, uint64_t version,
                          og_manifest *out, og_obj_meta *meta)
{
    char rel[160];
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    memset(out, 0, sizeof *out);
    tbl_version_rel(prefix, version, rel);
    og_status rc = tbl_key(root, rel, &key);
    if (!rc) rc = og_store_get(s, key.data, &data, meta);
    if (rc == OG_E_NOTFOUND) {
        rc = og_error_set(OG_E_NOTFOUND, "table %s has no version %llu", root, (unsigned long long)version);
        goto done;
    }
    if (!rc) rc = og_manifest_decode(data.data, data.len, out);
    if (!rc && out->version != version) {
        og_manifest_free(out);
        rc = og_error_set(OG_E_CORRUPT, "manifest %s claims version %llu", key.data, (unsigned long long)out->version);
    }
    if (rc) og_error_context(rc, "table %s version %llu", root, (unsigned long long)version);
done:
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

/* Loads version `version` resolved; *ckpt_out (nullable) receives the
 * decoded checkpoint object of a delta of another version (zeroed
 * otherwise). */
static og_status load_resolved(og_store *s, const char *root, const char *prefix, uint64_t version,
                               og_manifest *out, og_obj_meta *meta, og_manifest *ckpt_out)
{
    og_manifest c = {0};
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    og_status rc = load_raw(s, root, prefix, version, out, meta);
    if (rc || !out->unresolved) goto done;
    if (!(rc = tbl_key(root, out->delta_base_file, &key))) rc = og_store_get(s, key.data, &data, NULL);
    if (rc == OG_E_NOTFOUND)
        rc = og_error_set(OG_E_CORRUPT, "table %s version %llu is stored against checkpoint %s (of version %llu), "
                          "which is missing", root, (unsigned long long)version, out->delta_base_file,
                          (unsigned long long)out->delta_base);
    if (!rc) rc = og_manifest_decode(data.data, data.len, &c);
    if (!rc) rc = og_manifest_resolve(out, &c);
    if (rc) {
        og_error_context(rc, "table %s version %llu", root, (unsigned long long)version);
        og_manifest_free(out);
    }
done:
    if (!rc && ckpt_out && c.version != version) { *ckpt_out = c; memset(&c, 0, sizeof c); }
    else if (ckpt_out) memset(ckpt_out, 0, sizeof *ckpt_out);
    og_manifest_free(&c);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

og_status tbl_load_manifest_raw(og_store *s, const char *root, const char *prefix, uint64_t version,
                                og_manifest *out)
{
    return load_raw(s, root, prefix, version, out, NULL);
}

og_status tbl_load_manifest_meta(og_store *s, const char *root, const char *prefix, uint64_t version,
                                 og_manifest *out, og_obj_meta *meta)
{
    return load_resolved(s, root, prefix, version, out, meta, NULL);
}

og_status tbl_load_box(og_store *s, const char *root, const char *prefix, uint64_t version, tbl_mbox **out,
                       og_obj_meta *meta)
{
    og_manifest m, c;
    tbl_mbox *cb = NULL;
    *out = NULL;
    og_status rc = load_resolved(s, root, prefix, version, &m, meta, &c);
    if (rc) return rc;
    if (c.version && (rc = tbl_mbox_new(&c, NULL, &cb))) goto done;
    rc = tbl_mbox_new(&m, cb, out);
done:
    tbl_mbox_unref(cb);
    og_manifest_free(&m);
    og_manifest_free(&c);
    return rc;
}

void tbl_table_set_box(og_table *t, tbl_mbox *b)
{
    tbl_mbox_unref(t->mb);
    t->mb = b;
    t->m = b->m;
}

/* Newest version by one LIST of at most one key; 0 when none exists. */
og_status tbl_latest_version(og_store *s, const char *root, const char *bprefix, uint64_t *out)
{
    og_buf prefix = OG_BUF_INIT;
    og_list l = {0};
    char rel[TBL_PREFIX_MAX + 16];
    *out = 0;
    snprintf(rel, sizeof rel, "%s_versions/", bprefix);
    og_status rc = tbl_key(root, rel, &prefix);
    if (!rc) rc = og_store_list(s, prefix.data, NULL, 1, &l);
    if (!rc && l.len) {
        *out = version_of_key(l.items[0].key);
        if (!*out) rc = og_error_set(OG_E_CORRUPT, "unexpected object %s in the version directory", l.items[0].key);
    }
    og_list_free(&l);
    og_buf_free(&prefix);
    return rc;
}

og_status tbl_table_new(og_store *s, const char *root, const char *prefix, og_table **out)
{
    og_table *t = calloc(1, sizeof *t);
    if (!t) return og_error_set(OG_E_NOMEM, "out of memory");
    snprintf(t->prefix, sizeof t->prefix, "%s", prefix);
    if (!strncmp(prefix, "tree/", 5) && strlen(prefix) > 6)
        snprintf(t->branch, sizeof t->branch, "%.*s", (int)(strlen(prefix) - 6), prefix + 5);
    t->root = strdup(root);
    if (!t->root) { free(t); return og_error_set(OG_E_NOMEM, "out of memory"); }
    t->store = s;
    og_status rc = tbl_cache_new(&t->cache);
    if (rc) { free(t->root); free(t); return rc; }
    *out = t;
    return OG_OK;
}

/* ---------- open and inspect ---------- */

og_status og_table_open_at(og_store *s, const char *root, uint64_t version, og_table **out)
{
    og_table *t = NULL;
    *out = NULL;
    if (version == 0) return og_error_set(OG_E_INVALID, "table versions start at 1");
    tbl_mbox *b = NULL;
    og_status rc = tbl_table_new(s, root, "", &t);
    if (!rc) rc = tbl_load_box(s, root, "", version, &b, &t->meta);
    if (!rc) tbl_table_set_box(t, b);
    if (rc) og_table_close(t);
    else *out = t;
    return rc;
}

og_status og_table_open(og_store *s, const char *root, og_table **out)
{
    uint64_t v;
    *out = NULL;
    og_status rc = tbl_latest_version(s, root, "", &v);
    if (rc) return rc;
    if (!v) return og_error_set(OG_E_NOTFOUND, "table %s does not exist", root);
    return og_table_open_at(s, root, v, out);
}

void og_table_close(og_table *t)
{
    if (!t) return;
    if (t->mb) tbl_mbox_unref(t->mb); /* t->m is a view of it */
    else og_manifest_free(&t->m);
    tbl_cache_unref(t->cache);
    free(t->root);
    free(t);
}

uint64_t og_table_version(const og_table *t) { return t->m.version; }
const og_manifest *og_table_manifest(const og_table *t) { return &t->m; }
const og_schema *og_table_schema(const og_table *t) { return &t->m.schema; }
uint64_t og_table_count_rows(const og_table *t) { return og_manifest_live_rows(&t->m); }
void og_table_set_page_rows(og_table *t, uint32_t page_rows) { t->page_rows = page_rows; }
void og_table_set_inline_max(og_table *t, uint32_t max_bytes)
{
    t->inline_max = max_bytes < TBL_INLINE_FRAG_MAX ? max_bytes : TBL_INLINE_FRAG_MAX;
}

og_status og_table_location(og_table *t, og_table_loc *out)
{
    char rel[160];
    og_buf key = OG_BUF_INIT;
    og_status rc = OG_OK;
    memset(out, 0, sizeof *out);
    tbl_version_rel(t->prefix, t->m.version, rel);
    if ((rc = tbl_key(t->root, rel, &key))) goto done;
    if (!t->meta.etag[0] && (rc = og_store_head(t->store, key.data, &t->meta))) goto done;
    if (key.len >= sizeof out->key) { rc = og_error_set(OG_E_LIMIT, "manifest key too long"); goto done; }
    memcpy(out->key, key.data, key.len + 1);
    out->size = t->meta.size;
    memcpy(out->etag, t->meta.etag, sizeof out->etag);
done:
    og_buf_free(&key);
    return rc;
}

static int cmp_vinfo(const void *a, const void *b)
{
    uint64_t x = ((const og_version_info *)a)->version, y = ((const og_version_info *)b)->version;
    return x < y ? -1 : x > y;
}

og_status og_table_versions(og_store *s, const char *root, og_version_info **out, size_t *n)
{
    og_buf prefix = OG_BUF_INIT;
    og_list l = {0};
    og_version_info *v = NULL;
    size_t k = 0;
    *out = NULL;
    *n = 0;
    og_status rc = tbl_key(root, "_versions/", &prefix);
    if (!rc) rc = og_store_list_all(s, prefix.data, &l);
    if (rc) goto done;
    v = calloc(l.len ? l.len : 1, sizeof *v);
    if (!v) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < l.len; i++) {
        og_manifest m;
        uint64_t ver = version_of_key(l.items[i].key);
        if (!ver) continue;
        rc = load_raw(s, root, "", ver, &m, NULL); /* timestamp and operation: no need to resolve */
        if (rc == OG_E_NOTFOUND) { rc = OG_OK; continue; } /* removed by cleanup meanwhile */
        if (rc) goto done;
        v[k].version = ver;
        v[k].timestamp_us = m.timestamp_us;
        v[k].op = m.txn.op;
        k++;
        og_manifest_free(&m);
    }
    qsort(v, k, sizeof *v, cmp_vinfo);
    *out = v;
    *n = k;
    v = NULL;
done:
    free(v);
    og_list_free(&l);
    og_buf_free(&prefix);
    return rc;
}

og_status og_table_read_transaction(og_store *s, const char *root, uint64_t version, og_txn_record *out)
{
    og_manifest m;
    memset(out, 0, sizeof *out);
    og_status rc = load_raw(s, root, "", version, &m, NULL);
    if (rc) return rc;
    rc = og_txn_record_copy(out, &m.txn);
    og_manifest_free(&m);
    return rc;
}

/* ---------- transactions ---------- */

og_status tbl_txn_new(og_store *s, const char *root, const char *prefix, uint64_t read_version, og_txn_op op,
                      og_txn **out)
{
    og_status rc = OG_OK;
    og_txn *x = calloc(1, sizeof *x);
    *out = NULL;
    if (!x) return og_error_set(OG_E_NOMEM, "out of memory");
    snprintf(x->prefix, sizeof x->prefix, "%s", prefix);
    x->store = s;
    x->root = strdup(root);
    x->rec.read_version = read_version;
    x->rec.op = op;
    if (!x->root) rc = og_error_set(OG_E_NOMEM, "out of memory");
    if (!rc) rc = new_uuid(&x->rec.uuid);
    if (rc) og_txn_free(x);
    else *out = x;
    return rc;
}

og_status tbl_txn_add_frag(og_txn *x, const og_frag_meta *f)
{
    og_frag_meta *v = realloc(x->new_frags, (x->nnew + 1) * sizeof *v);
    if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
    x->new_frags = v;
    og_status rc = og_frag_meta_copy(&v[x->nnew], f);
    if (!rc) x->nnew++;
    return rc;
}

og_status tbl_txn_touch(og_txn *x, uint64_t frag_id)
{
    for (size_t i = 0; i < x->rec.ntouched; i++)
        if (x->rec.touched[i] == frag_id) return OG_OK;
    uint64_t *v = realloc(x->rec.touched, (x->rec.ntouched + 1) * sizeof *v);
    if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
    x->rec.touched = v;
    v[x->rec.ntouched++] = frag_id;
    return OG_OK;
}

og_status tbl_txn_write_keys(og_txn *x)
{
    og_status rc = OG_OK;
    og_buf b = OG_BUF_INIT, key = OG_BUF_INIT;
    char name[33], rel[160];
    if (!x->nkeys) return OG_OK;
    if (x->nkeys <= OG_TXN_INLINE_KEYS_MAX) { /* small: in the manifest, one object fewer */
        uint64_t *v = malloc(x->nkeys * sizeof *v);
        if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
        memcpy(v, x->keys, x->nkeys * sizeof *v);
        free(x->rec.inline_keys);
        x->rec.inline_keys = v;
        x->rec.ninline = x->nkeys;
        x->rec.nkeys = x->nkeys;
        return OG_OK;
    }
    if ((rc = tbl_file_name(name))) goto done;
    snprintf(rel, sizeof rel, "%s_txn/%s.keys", x->prefix, name);
    if ((rc = og_keyset_encode(x->keys, x->nkeys, &b)) || (rc = tbl_key(x->root, rel, &key)) ||
        (rc = og_store_put(x->store, key.data, b.data, b.len, NULL)))
        goto done;
    x->rec.keys_file = strdup(rel);
    if (!x->rec.keys_file) rc = og_error_set(OG_E_NOMEM, "out of memory");
    x->rec.nkeys = x->nkeys;
done:
    og_buf_free(&b);
    og_buf_free(&key);
    return rc;
}

uint64_t og_txn_read_version(const og_txn *x) { return x->rec.read_version; }
const char *og_txn_uuid(const og_txn *x) { return x->rec.uuid; }
og_txn_op og_txn_op_of(const og_txn *x) { return x->rec.op; }

og_status og_txn_set_uuid(og_txn *x, const char *uuid)
{
    if (!uuid[0] || strlen(uuid) > 256) return og_error_set(OG_E_INVALID, "transaction uuid must be 1..256 bytes");
    char *u = strdup(uuid);
    if (!u) return og_error_set(OG_E_NOMEM, "out of memory");
    free(x->rec.uuid);
    x->rec.uuid = u;
    return OG_OK;
}
og_status tbl_txn_new_at(og_table *t, og_txn_op op, og_txn **out)
{
    og_txn *x = NULL;
    og_status rc = tbl_txn_new(t->store, t->root, t->prefix, t->m.version, op, &x);
    if (!rc && t->mb) { /* shared, not copied: a decoded manifest never changes */
        x->base_box = tbl_mbox_ref(t->mb);
        x->base = &x->base_box->m;
    } else if (!rc) {
        if (!(x->base = calloc(1, sizeof *x->base))) rc = og_error_set(OG_E_NOMEM, "out of memory");
        if (!rc) rc = og_manifest_copy(x->base, &t->m);
    }
    if (!rc) x->cache = tbl_cache_ref(t->cache);
    if (!rc) x->inline_max = t->inline_max;
    if (rc) { og_txn_free(x); x = NULL; }
    *out = x;
    return rc;
}

og_status og_txn_set_property(og_txn *x, const char *key, const char *value)
{
    return og_props_set(&x->rec.props, key, value);
}

void og_txn_free(og_txn *x)
{
    if (!x) return;
    free(x->root);
    og_txn_record_free(&x->rec);
    og_schema_free(&x->schema);
    for (size_t i = 0; i < x->nnew; i++) og_frag_meta_free(&x->new_frags[i]);
    free(x->new_frags);
    for (size_t i = 0; i < x->ndvs; i++) { free(x->dvs[i].file); og_buf_free(&x->dvs[i].inline_data); }
    free(x->dvs);
    free(x->removed);
    free(x->keys);
    og_manifest_free(&x->restore);
    og_index_meta_free(&x->index);
    tbl_cache_unref(x->cache);
    if (x->base_box) tbl_mbox_unref(x->base_box);
    else if (x->base) { og_manifest_free(x->base); free(x->base); }
    for (size_t i = 0; i < x->nmeta; i++) { free(x->meta[i].key); free(x->meta[i].value); }
    free(x->meta);
    free(x);
}

static og_status u64_push(uint64_t **v, size_t *n, uint64_t x)
{
    uint64_t *p = realloc(*v, (*n + 1) * sizeof *p);
    if (!p) return og_error_set(OG_E_NOMEM, "out of memory");
    p[(*n)++] = x;
    *v = p;
    return OG_OK;
}

og_status tbl_dv_update_read(og_store *s, const char *root, const tbl_dv_update *d, roaring_bitmap_t **out)
{
    og_status rc;
    og_buf k = OG_BUF_INIT;
    if (d->inline_data.len) {
        rc = og_dv_decode(d->inline_data.data, d->inline_data.len, UINT32_MAX, out);
    } else {
        rc = tbl_key(root, d->file, &k);
        if (!rc) rc = og_dv_read(s, k.data, UINT32_MAX, out);
    }
    og_buf_free(&k);
    return rc;
}

/* Unites two deletion vectors of one fragment into a new one (inline when
 * small, else a new file). */
static og_status dv_unite(og_txn *x, tbl_dv_update *a, const tbl_dv_update *b)
{
    og_status rc;
    og_buf kn = OG_BUF_INIT, enc = OG_BUF_INIT;
    roaring_bitmap_t *ba = NULL, *bb = NULL;
    char name[33], rel[160];
    if ((rc = tbl_dv_update_read(x->store, x->root, a, &ba)) || (rc = tbl_dv_update_read(x->store, x->root, b, &bb)))
        goto done;
    roaring_bitmap_or_inplace(ba, bb);
    if ((rc = tbl_file_name(name))) goto done;
    snprintf(rel, sizeof rel, "%s_deletions/%llu-%s.ogdv", x->prefix, (unsigned long long)a->frag_id, name);
    if ((rc = og_dv_encode(ba, &enc))) goto done;
    bool inl = enc.len <= TBL_INLINE_DV_MAX && enc.len <= x->inline_max;
    if (!inl && ((rc = tbl_key(x->root, rel, &kn)) || (rc = og_store_put_if_absent(x->store, kn.data, enc.data, enc.len, NULL))))
        goto done;
    char *f = strdup(rel);
    if (!f) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    free(a->file);
    a->file = f;
    og_buf_free(&a->inline_data);
    if (inl) { a->inline_data = enc; memset(&enc, 0, sizeof enc); }
    a->deleted = roaring_bitmap_get_cardinality(ba);
done:
    if (ba) roaring_bitmap_free(ba);
    if (bb) roaring_bitmap_free(bb);
    og_buf_free(&kn);
    og_buf_free(&enc);
    return rc;
}

/* Total inline bytes a manifest carries. */
static uint64_t inline_bytes(const og_manifest *m)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->nfrags; i++) n += m->frags[i].inline_data.len + m->frags[i].dv_inline.len;
    return n;
}

og_status tbl_spill_inline(og_store *s, const char *root, const char *prefix, tbl_cache *cache, og_manifest *m)
{
    og_status rc = OG_OK;
    og_buf pack = OG_BUF_INIT, key = OG_BUF_INIT;
    char name[33], rel[160];
    if (inline_bytes(m) <= TBL_INLINE_BUDGET) return OG_OK;
    /* deletion vectors first: each to the file its entry already names */
    for (size_t i = 0; i < m->nfrags && !rc; i++) {
        og_frag_meta *f = &m->frags[i];
        if (!f->dv_inline.len) continue;
        if ((rc = tbl_key(root, f->deletion_file, &key))) break;
        rc = og_store_put_if_absent(s, key.data, f->dv_inline.data, f->dv_inline.len, NULL);
        if (rc == OG_E_PRECONDITION) { /* spilled by an earlier attempt: same bytes (write-once name) */
            og_error_clear();
            rc = OG_OK;
        }
        const og_buf *kept;
        if (!rc) (void)tbl_cache_put_blob(cache, key.data, &f->dv_inline, &kept); /* moves the bytes when it keeps them */
        if (!rc) og_buf_free(&f->dv_inline);
    }
    if (rc) goto done;
    /* fragments: one pack; each keeps its bytes, id and size, and gains an offset */
    for (size_t i = 0; i < m->nfrags && !rc; i++)
        if (m->frags[i].inline_data.len) rc = og_buf_append(&pack, m->frags[i].inline_data.data, m->frags[i].inline_data.len);
    if (rc || !pack.len) goto done;
    if ((rc = tbl_file_name(name))) goto done;
    snprintf(rel, sizeof rel, "%sdata/%s.ogp", prefix, name);
    if ((rc = tbl_key(root, rel, &key)) || (rc = og_store_put(s, key.data, pack.data, pack.len, NULL))) goto done;
    uint64_t off = 0;
    for (size_t i = 0; i < m->nfrags && !rc; i++) {
        og_frag_meta *f = &m->frags[i];
        if (!f->inline_data.len) continue;
        if (!(f->pack = strdup(rel))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        f->offset = off;
        off += f->inline_data.len;
        og_buf_free(&f->inline_data);
    }
done:
    og_buf_free(&pack);
    og_buf_free(&key);
    return rc;
}

static bool combinable(og_txn_op op) { return op == OG_TXN_APPEND || op == OG_TXN_MERGE || op == OG_TXN_DELETE; }

og_status og_txn_combine(og_txn *into, og_txn *from)
{
    og_status rc = OG_OK;
    if (into == from || into->spent || from->spent) return og_error_set(OG_E_INVALID, "cannot combine a transaction with itself or a spent one");
    if (!combinable(into->rec.op) || !combinable(from->rec.op))
        return og_error_set(OG_E_INVALID, "only append, merge and delete transactions combine (got %s and %s)",
                            og_txn_op_name(into->rec.op), og_txn_op_name(from->rec.op));
    if (into->store != from->store || strcmp(into->root, from->root) || strcmp(into->prefix, from->prefix) ||
        into->rec.read_version != from->rec.read_version)
        return og_error_set(OG_E_INVALID, "combined transactions must be staged from one version of one table");
    for (size_t i = 0; i < from->nnew && !rc; i++) rc = tbl_txn_add_frag(into, &from->new_frags[i]);
    for (size_t i = 0; i < from->nremoved && !rc; i++) {
        bool have = false;
        for (size_t k = 0; k < into->nremoved; k++) have |= into->removed[k] == from->removed[i];
        if (!have) rc = u64_push(&into->removed, &into->nremoved, from->removed[i]);
    }
    for (size_t i = 0; i < from->ndvs && !rc; i++) {
        tbl_dv_update *mine = NULL;
        for (size_t k = 0; k < into->ndvs; k++)
            if (into->dvs[k].frag_id == from->dvs[i].frag_id) mine = &into->dvs[k];
        if (mine) { rc = dv_unite(into, mine, &from->dvs[i]); continue; }
        tbl_dv_update *d = realloc(into->dvs, (into->ndvs + 1) * sizeof *d);
        if (!d) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        into->dvs = d;
        d[into->ndvs] = from->dvs[i];
        memset(&d[into->ndvs].inline_data, 0, sizeof d[into->ndvs].inline_data);
        d[into->ndvs].file = strdup(from->dvs[i].file);
        if (!d[into->ndvs].file) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        into->ndvs++;
        if ((rc = og_buf_set(&d[into->ndvs - 1].inline_data, from->dvs[i].inline_data.data, from->dvs[i].inline_data.len)))
            break;
    }
    /* a removed fragment needs no deletion vector */
    for (size_t k = 0; k < into->ndvs && !rc;) {
        bool gone = false;
        for (size_t r = 0; r < into->nremoved; r++) gone |= into->removed[r] == into->dvs[k].frag_id;
        if (!gone) { k++; continue; }
        free(into->dvs[k].file);
        og_buf_free(&into->dvs[k].inline_data);
        into->dvs[k] = into->dvs[--into->ndvs];
    }
    for (size_t i = 0; i < from->rec.ntouched && !rc; i++) rc = tbl_txn_touch(into, from->rec.touched[i]);
    if (!rc && from->nkeys) {
        uint64_t *v = realloc(into->keys, (into->nkeys + from->nkeys) * sizeof *v);
        if (!v) rc = og_error_set(OG_E_NOMEM, "out of memory");
        else {
            memcpy(v + into->nkeys, from->keys, from->nkeys * sizeof *v);
            into->keys = v;
            into->nkeys = og_keyset_normalize(v, into->nkeys + from->nkeys);
            free(into->rec.keys_file);
            into->rec.keys_file = NULL;
            free(into->rec.inline_keys);
            into->rec.inline_keys = NULL;
            into->rec.ninline = 0;
            rc = tbl_txn_write_keys(into);
        }
    }
    if (!rc) {
        into->rec.affected_rows += from->rec.affected_rows;
        if (into->rec.op != from->rec.op) into->rec.op = OG_TXN_MERGE;
        for (size_t i = 0; i < from->rec.props.len && !rc; i++)
            if (!og_props_get(&into->rec.props, from->rec.props.items[i].key))
                rc = og_props_set(&into->rec.props, from->rec.props.items[i].key, from->rec.props.items[i].value);
    }
    from->spent = true;
    return rc;
}

og_status og_txn_set_metadata(og_txn *x, const char *field, const char *key, const char *value)
{
    og_buf k = OG_BUF_INIT;
    og_status rc = OG_OK;
    if (x->rec.op != OG_TXN_UPDATE_METADATA)
        return og_error_set(OG_E_INVALID, "metadata is set by an update_metadata transaction");
    if ((field && strchr(field, '\x1f')) || strchr(key, '\x1f') || !key[0])
        return og_error_set(OG_E_INVALID, "bad metadata key");
    if ((rc = og_buf_printf(&k, "%s\x1f%s", field ? field : "", key))) goto done;
    og_kv *v = realloc(x->meta, (x->nmeta + 1) * sizeof *v);
    if (!v) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    x->meta = v;
    v[x->nmeta].value = strdup(value);
    if (!v[x->nmeta].value) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    v[x->nmeta].key = og_buf_detach(&k, NULL);
    x->nmeta++;
done:
    og_buf_free(&k);
    return rc;
}

og_status og_table_stage_set_metadata(og_table *t, const char *field, const char *key, const char *value,
                                      og_txn **out)
{
    og_txn *x = NULL;
    *out = NULL;
    if (field && !og_schema_find(&t->m.schema, field))
        return og_error_set(OG_E_INVALID, "table %s has no field `%s`", t->root, field);
    og_status rc = tbl_txn_new_at(t, OG_TXN_UPDATE_METADATA, &x);
    if (!rc) rc = og_txn_set_metadata(x, field, key, value);
    if (rc) og_txn_free(x);
    else *out = x;
    return rc;
}

/* ---------- commit ---------- */

static bool touched_by(const og_txn_record *r, uint64_t frag_id)
{
    for (size_t i = 0; i < r->ntouched; i++)
        if (r->touched[i] == frag_id) return true;
    return false;
}

/* Decides whether x may be applied after `c` committed (internals.md §2.6),
 * OG_OK when compatible, OG_E_CONFLICT (with the reason) when not. */
static og_status commit_check(og_txn *x, const og_manifest *c)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    uint64_t *theirs = NULL;
    size_t ntheirs = 0;
    const og_txn_record *r = &c->txn;
    unsigned long long cv = (unsigned long long)c->version;
    og_txn_op op = x->rec.op;
    if (r->op == OG_TXN_CREATE || r->op == OG_TXN_OVERWRITE || r->op == OG_TXN_RESTORE) {
        rc = og_error_set(OG_E_CONFLICT, "version %llu (%s) replaced the table content this %s read",
                          cv, og_txn_op_name(r->op), og_txn_op_name(op));
        goto done;
    }
    if (op == OG_TXN_OVERWRITE || op == OG_TXN_RESTORE) {
        rc = og_error_set(OG_E_CONFLICT, "%s expected base version %llu but version %llu (%s) was committed",
                          og_txn_op_name(op), (unsigned long long)x->rec.read_version, cv, og_txn_op_name(r->op));
        goto done;
    }
    if (op == OG_TXN_UPDATE_METADATA && r->op == OG_TXN_UPDATE_METADATA) {
        rc = og_error_set(OG_E_CONFLICT, "version %llu also updated the schema metadata", cv);
        goto done;
    }
    for (size_t i = 0; i < x->rec.ntouched; i++)
        if (touched_by(r, x->rec.touched[i])) {
            rc = og_error_set(OG_E_CONFLICT, "version %llu (%s) also changed rows of fragment %llu",
                              cv, og_txn_op_name(r->op), (unsigned long long)x->rec.touched[i]);
            goto done;
        }
    if (x->nkeys && r->nkeys && (r->keys_file || r->ninline)) {
        const uint64_t *tk = r->inline_keys;
        size_t ntk = r->ninline;
        if (!r->ninline) {
            if ((rc = tbl_key(x->root, r->keys_file, &key)) || (rc = og_store_get(x->store, key.data, &data, NULL)) ||
                (rc = og_keyset_decode(data.data, data.len, &theirs, &ntheirs)))
                goto done;
            tk = theirs;
            ntk = ntheirs;
        }
        if (og_keyset_intersects(x->keys, x->nkeys, tk, ntk)) {
            rc = og_error_set(OG_E_CONFLICT, "version %llu (%s) inserted a key this %s also inserts",
                              cv, og_txn_op_name(r->op), og_txn_op_name(op));
            goto done;
        }
    }
done:
    free(theirs);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

static bool removed_by(const og_txn *x, uint64_t id)
{
    for (size_t i = 0; i < x->nremoved; i++)
        if (x->removed[i] == id) return true;
    return false;
}

/* Builds version base->version+1 (or 1 when base is NULL) from x. */
static og_status build(og_txn *x, const og_manifest *base, og_manifest *m)
{
    og_status rc = OG_OK;
    memset(m, 0, sizeof *m);
    uint64_t v = base ? base->version + 1 : 1;
    const og_manifest *src = x->has_restore ? &x->restore : base;
    size_t cap = (src ? src->nfrags : 0) + x->nnew + 1;
    m->version = v;
    m->timestamp_us = tbl_now_us();
    m->next_fragment_id = base ? base->next_fragment_id : 0;
    m->next_row_id = base ? base->next_row_id : 0;
    m->next_field_id = base ? base->next_field_id : 0;
    if (x->has_restore && x->restore.next_fragment_id > m->next_fragment_id)
        m->next_fragment_id = x->restore.next_fragment_id;
    m->frags = calloc(cap, sizeof *m->frags);
    if (!m->frags) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (x->has_schema) {
        rc = og_schema_copy(&m->schema, &x->schema);
        if (x->next_field_id > m->next_field_id) m->next_field_id = x->next_field_id;
    } else if (src) {
        rc = og_schema_copy(&m->schema, &src->schema);
    }
    for (size_t i = 0; !rc && i < x->nmeta; i++) {
        const char *sep = strchr(x->meta[i].key, '\x1f');
        og_props *target = &m->schema.meta;
        if (sep != x->meta[i].key) {
            target = NULL;
            for (size_t f = 0; f < m->schema.nfields; f++)
                if (strlen(m->schema.fields[f].name) == (size_t)(sep - x->meta[i].key) &&
                    !strncmp(m->schema.fields[f].name, x->meta[i].key, (size_t)(sep - x->meta[i].key)))
                    target = &m->schema.fields[f].meta;
            if (!target) {
                rc = og_error_set(OG_E_CONFLICT, "field `%.*s` no longer exists", (int)(sep - x->meta[i].key), x->meta[i].key);
                break;
            }
        }
        rc = og_props_set(target, sep + 1, x->meta[i].value);
    }
    if (rc) goto done;
    bool keep_old = x->rec.op != OG_TXN_CREATE && x->rec.op != OG_TXN_OVERWRITE;
    for (size_t i = 0; keep_old && src && i < src->nfrags; i++) {
        const og_frag_meta *f = &src->frags[i];
        if (removed_by(x, f->id)) continue;
        og_frag_meta *d = &m->frags[m->nfrags];
        if ((rc = og_frag_meta_copy(d, f))) goto done;
        m->nfrags++;
        for (size_t k = 0; k < x->ndvs; k++)
            if (x->dvs[k].frag_id == f->id) {
                free(d->deletion_file);
                d->deletion_file = strdup(x->dvs[k].file);
                if (!d->deletion_file) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
                d->deleted = x->dvs[k].deleted;
                og_buf_clear(&d->dv_inline);
                if (x->dvs[k].inline_data.len &&
                    (rc = og_buf_set(&d->dv_inline, x->dvs[k].inline_data.data, x->dvs[k].inline_data.len)))
                    goto done;
            }
    }
    for (size_t i = 0; i < x->nnew; i++) {
        og_frag_meta *d = &m->frags[m->nfrags];
        if ((rc = og_frag_meta_copy(d, &x->new_frags[i]))) goto done;
        m->nfrags++;
        d->id = m->next_fragment_id++;
        d->version = v;
        if (!d->explicit_row_ids) {
            d->row_id_base = m->next_row_id;
            m->next_row_id += d->rows;
        }
    }
    size_t nsrc = keep_old && src ? src->nindices : 0;
    m->indices = calloc(nsrc + 1, sizeof *m->indices);
    if (!m->indices) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < nsrc; i++) {
        if (x->has_index && !strcmp(src->indices[i].name, x->index.name)) continue; /* replaced by name */
        if ((rc = og_index_meta_copy(&m->indices[m->nindices], &src->indices[i]))) goto done;
        m->nindices++;
    }
    if (x->has_index) {
        if ((rc = og_index_meta_copy(&m->indices[m->nindices], &x->index))) goto done;
        m->nindices++;
    }
    /* an index never claims fragments that are gone */
    for (size_t i = 0; i < m->nindices; i++) {
        og_index_meta *ix = &m->indices[i];
        size_t k = 0;
        for (size_t j = 0; j < ix->nfrags; j++) {
            bool live = false;
            for (size_t f = 0; f < m->nfrags && !live; f++) live = m->frags[f].id == ix->frags[j];
            if (live) ix->frags[k++] = ix->frags[j];
        }
        ix->nfrags = k;
    }
    rc = og_txn_record_copy(&m->txn, &x->rec);
done:
    if (rc) og_manifest_free(m);
    return rc;
}

/* One put_if_absent of version base+1. A row-level change (`small`) is
 * stored as a delta against ckpt (in the checkpoint object ckpt_file) when
 * one qualifies; otherwise, once the table has OG_DELTA_MIN_FRAGS
 * fragments, it first puts a new checkpoint object holding the built
 * manifest and stores the version as an empty delta of it, so the next
 * commits can be deltas. Everything else is stored in full.
 * built->delta_base / delta_base_file say which. */
static og_status try_put(og_txn *x, const og_manifest *base, const og_manifest *ckpt, const char *ckpt_file,
                         bool small, og_manifest *built)
{
    og_buf enc = OG_BUF_INIT, key = OG_BUF_INIT;
    char rel[160], name[33];
    bool delta = false;
    og_status rc = build(x, base, built);
    if (!rc) rc = tbl_spill_inline(x->store, x->root, x->prefix, x->cache, built);
    if (rc) { og_manifest_free(built); return rc; }
    if ((rc = og_manifest_encode_delta(built, small ? ckpt : NULL, ckpt_file, &enc, &delta))) goto done;
    if (delta) {
        built->delta_base = ckpt->version;
        if (!(built->delta_base_file = strdup(ckpt_file))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    } else if (small && built->nfrags >= OG_DELTA_MIN_FRAGS) { /* enc is the full manifest: the new checkpoint */
        if ((rc = tbl_file_name(name))) goto done;
        snprintf(rel, sizeof rel, "%s_checkpoints/%s.manifest", x->prefix, name);
        if ((rc = tbl_key(x->root, rel, &key)) || (rc = og_store_put(x->store, key.data, enc.data, enc.len, NULL)))
            goto done;
        og_buf_clear(&enc);
        og_buf_clear(&key);
        if ((rc = og_manifest_encode_delta(built, built, rel, &enc, &delta))) goto done;
        if (delta) {
            built->delta_base = built->version;
            if (!(built->delta_base_file = strdup(rel))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        }
    }
    tbl_version_rel(x->prefix, built->version, rel);
    if (!(rc = tbl_key(x->root, rel, &key)))
        rc = og_store_put_if_absent(x->store, key.data, enc.data, enc.len, NULL);
done:
    if (rc) og_manifest_free(built);
    og_buf_free(&enc);
    og_buf_free(&key);
    return rc;
}

/* Row-level changes are stored as deltas; create, overwrite, restore,
 * compaction and index builds write a checkpoint (docs/format.md §4.2). */
static bool small_change(og_txn_op op)
{
    return op == OG_TXN_APPEND || op == OG_TXN_MERGE || op == OG_TXN_DELETE || op == OG_TXN_UPDATE_METADATA;
}

og_status og_txn_commit(og_txn *x, const og_commit_opts *opts, uint64_t *version_out, og_table **out)
{
    og_status rc;
    og_manifest base = {0}, built = {0};
    bool have_base = false;
    bool exact = opts && opts->exact;
    unsigned retries = opts && opts->max_retries ? opts->max_retries : DEFAULT_RETRIES;
    if (out) *out = NULL;
    if (x->spent) return og_error_set(OG_E_INVALID, "transaction %s was already committed or refused", x->rec.uuid);
    const og_manifest *bp = &base; /* the base: x->base itself until a rebase loads another */
    if (x->rec.read_version && x->base && x->base->version == x->rec.read_version) {
        /* the staging handle's manifest is that version (versions are immutable) */
        bp = x->base;
        have_base = true;
    } else if (x->rec.read_version) {
        if ((rc = tbl_load_manifest(x->store, x->root, x->prefix, x->rec.read_version, &base))) goto done;
        have_base = true;
    }
    for (unsigned attempt = 0;; attempt++) {
        /* the staging handle's checkpoint, while its manifest is the base */
        const og_manifest *ckpt = x->base_box && bp == x->base ? tbl_mbox_ckpt(x->base_box) : NULL;
        rc = try_put(x, have_base ? bp : NULL, ckpt, ckpt ? x->base_box->m.delta_base_file : NULL,
                     small_change(x->rec.op), &built);
        if (rc != OG_E_PRECONDITION) break;
        uint64_t tried = have_base ? bp->version + 1 : 1;
        if (x->rec.op == OG_TXN_CREATE) {
            og_manifest c;
            if ((rc = tbl_load_manifest(x->store, x->root, x->prefix, 1, &c))) break;
            if (c.txn.uuid && !strcmp(c.txn.uuid, x->rec.uuid)) { /* our own lost reply */
                og_manifest_free(&built);
                built = c;
                goto committed;
            }
            og_manifest_free(&c);
            rc = og_error_set(OG_E_PRECONDITION, "table %s already exists", x->root);
            break;
        }
        /* Check every version committed since our base. */
        uint64_t latest;
        if ((rc = tbl_latest_version(x->store, x->root, x->prefix, &latest))) break;
        if (latest < tried) latest = tried;
        for (uint64_t v = tried; v <= latest; v++) {
            og_manifest c;
            rc = tbl_load_manifest(x->store, x->root, x->prefix, v, &c);
            if (rc == OG_E_NOTFOUND) /* removed by cleanup: compatibility cannot be shown */
                rc = og_error_set(OG_E_CONFLICT, "version %llu, committed since read version %llu, is gone; "
                                  "cannot check for conflicts", (unsigned long long)v,
                                  (unsigned long long)x->rec.read_version);
            if (rc) goto done;
            if (c.txn.read_version == x->rec.read_version && c.txn.uuid && !strcmp(c.txn.uuid, x->rec.uuid)) {
                /* our own earlier attempt landed (its reply was lost): done */
                og_manifest_free(&built);
                built = c;
                goto committed;
            }
            rc = commit_check(x, &c);
            if (rc || v < latest) { og_manifest_free(&c); if (rc) goto done; continue; }
            og_manifest_free(&base);
            base = c; /* the newest compatible version becomes the base */
            bp = &base;
            have_base = true;
        }
        if (exact) {
            rc = og_error_set(OG_E_PRECONDITION, "version %llu was committed concurrently (exact commit of read version %llu)",
                              (unsigned long long)tried, (unsigned long long)x->rec.read_version);
            break;
        }
        if (attempt + 1 >= retries) {
            rc = og_error_set(OG_E_PRECONDITION, "commit lost %u races; giving up", retries);
            break;
        }
    }
    if (rc) goto done;
committed:
    if (version_out) *version_out = built.version;
    if (out) {
        og_table *t = NULL;
        tbl_mbox *b = NULL, *cb = NULL;
        if ((rc = tbl_table_new(x->store, x->root, x->prefix, &t))) goto done;
        if (built.delta_base && built.delta_base != built.version && x->base_box && bp == x->base)
            cb = tbl_mbox_ckpt_box(x->base_box); /* the box holding that checkpoint */
        if (cb && (cb->m.version != built.delta_base || !built.delta_base_file ||
                   strcmp(x->base_box->m.delta_base_file, built.delta_base_file)))
            cb = NULL;
        if ((rc = tbl_mbox_new(&built, cb, &b))) { og_table_close(t); goto done; }
        tbl_table_set_box(t, b);
        t->inline_max = x->inline_max; /* and the staging handle's inline limit */
        if (x->cache) { /* the new snapshot inherits the warm cache */
            tbl_cache_unref(t->cache);
            t->cache = tbl_cache_ref(x->cache);
        }
        *out = t;
    }
done:
    if (rc == OG_OK || rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) x->spent = true;
    og_manifest_free(&built);
    og_manifest_free(&base);
    return rc;
}
