/* manifest.c — version manifest encoder and validating decoder.
 * (1) Encoding is deterministic (jansson with sorted keys); u64 values that
 *     may exceed 2^63 are never stored (ids are bounded by the decoder).
 * (2) Decoding goes envelope -> JSON -> typed struct; a failure anywhere
 *     frees everything taken so far and returns OG_E_CORRUPT. */
#include "manifest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "base64.h"
#include "envelope.h"

#define MAX_COUNT 10000000u
#define JINT_MAX ((uint64_t)1 << 62)

static const char *const op_names[] = {
    "", "create", "append", "overwrite", "merge", "delete", "restore", "rewrite", "create_index",
    "update_metadata",
};

const char *og_txn_op_name(og_txn_op op)
{
    return op >= OG_TXN_CREATE && op <= OG_TXN_UPDATE_METADATA ? op_names[op] : "unknown";
}

static og_status nomem(void) { return og_error_set(OG_E_NOMEM, "out of memory"); }

/* ---------- props ---------- */

og_status og_props_set(og_props *p, const char *key, const char *value)
{
    char *v = strdup(value);
    if (!v) return nomem();
    for (size_t i = 0; i < p->len; i++)
        if (!strcmp(p->items[i].key, key)) {
            free(p->items[i].value);
            p->items[i].value = v;
            return OG_OK;
        }
    char *k = strdup(key);
    og_kv *items = k ? realloc(p->items, (p->len + 1) * sizeof *items) : NULL;
    if (!items) { free(k); free(v); return nomem(); }
    p->items = items;
    p->items[p->len].key = k;
    p->items[p->len].value = v;
    p->len++;
    return OG_OK;
}

const char *og_props_get(const og_props *p, const char *key)
{
    for (size_t i = 0; i < p->len; i++)
        if (!strcmp(p->items[i].key, key)) return p->items[i].value;
    return NULL;
}

og_status og_props_copy(og_props *dst, const og_props *src)
{
    og_status rc = OG_OK;
    memset(dst, 0, sizeof *dst);
    for (size_t i = 0; i < src->len && !rc; i++) rc = og_props_set(dst, src->items[i].key, src->items[i].value);
    if (rc) og_props_free(dst);
    return rc;
}

void og_props_free(og_props *p)
{
    for (size_t i = 0; i < p->len; i++) { free(p->items[i].key); free(p->items[i].value); }
    free(p->items);
    memset(p, 0, sizeof *p);
}

/* ---------- schema ---------- */

og_status og_schema_add(og_schema *s, const char *name, og_type t, bool nullable, bool pk)
{
    if (!og_type_valid(t)) return og_error_set(OG_E_INVALID, "field `%s`: invalid type", name);
    if (og_schema_find(s, name)) return og_error_set(OG_E_INVALID, "field `%s` already exists", name);
    char *nm = strdup(name);
    og_field *f = nm ? realloc(s->fields, (s->nfields + 1) * sizeof *f) : NULL;
    if (!f) { free(nm); return nomem(); }
    s->fields = f;
    memset(&f[s->nfields], 0, sizeof *f);
    f[s->nfields].id = UINT32_MAX; /* assigned by the table */
    f[s->nfields].name = nm;
    f[s->nfields].type = t;
    f[s->nfields].nullable = nullable;
    f[s->nfields].primary_key = pk;
    s->nfields++;
    return OG_OK;
}

og_status og_schema_copy(og_schema *dst, const og_schema *src)
{
    og_status rc = OG_OK;
    memset(dst, 0, sizeof *dst);
    dst->fields = calloc(src->nfields ? src->nfields : 1, sizeof *dst->fields);
    if (!dst->fields) return nomem();
    for (size_t i = 0; i < src->nfields && !rc; i++) {
        og_field *d = &dst->fields[i];
        *d = src->fields[i];
        d->name = strdup(src->fields[i].name);
        memset(&d->meta, 0, sizeof d->meta);
        dst->nfields++;
        if (!d->name) rc = nomem();
        else rc = og_props_copy(&d->meta, &src->fields[i].meta);
    }
    if (!rc) rc = og_props_copy(&dst->meta, &src->meta);
    if (rc) og_schema_free(dst);
    return rc;
}

void og_schema_free(og_schema *s)
{
    for (size_t i = 0; i < s->nfields; i++) {
        free(s->fields[i].name);
        og_props_free(&s->fields[i].meta);
    }
    free(s->fields);
    og_props_free(&s->meta);
    memset(s, 0, sizeof *s);
}

const og_field *og_schema_find(const og_schema *s, const char *name)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (!strcmp(s->fields[i].name, name)) return &s->fields[i];
    return NULL;
}

const og_field *og_schema_pk(const og_schema *s)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (s->fields[i].primary_key) return &s->fields[i];
    return NULL;
}

/* ---------- copies and frees ---------- */

static char *dup_or_null(const char *s, og_status *rc)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) *rc = nomem();
    return d;
}

og_status og_frag_meta_copy(og_frag_meta *dst, const og_frag_meta *src)
{
    og_status rc = OG_OK;
    *dst = *src;
    memset(&dst->inline_data, 0, sizeof dst->inline_data);
    memset(&dst->dv_inline, 0, sizeof dst->dv_inline);
    dst->file = dup_or_null(src->file, &rc);
    dst->deletion_file = dup_or_null(src->deletion_file, &rc);
    dst->pack = dup_or_null(src->pack, &rc);
    if (!rc && src->inline_data.len) rc = og_buf_set(&dst->inline_data, src->inline_data.data, src->inline_data.len);
    if (!rc && src->dv_inline.len) rc = og_buf_set(&dst->dv_inline, src->dv_inline.data, src->dv_inline.len);
    if (rc) og_frag_meta_free(dst);
    return rc;
}

void og_frag_meta_free(og_frag_meta *f)
{
    free(f->file);
    free(f->deletion_file);
    free(f->pack);
    f->file = f->deletion_file = f->pack = NULL;
    og_buf_free(&f->inline_data);
    og_buf_free(&f->dv_inline);
}

void og_index_meta_free(og_index_meta *x)
{
    free(x->name); free(x->uuid); free(x->kind); free(x->file); free(x->frags);
    memset(x, 0, sizeof *x);
}

og_status og_index_meta_copy(og_index_meta *d, const og_index_meta *s)
{
    og_status rc = OG_OK;
    *d = *s;
    d->name = dup_or_null(s->name, &rc);
    d->uuid = dup_or_null(s->uuid, &rc);
    d->kind = dup_or_null(s->kind, &rc);
    d->file = dup_or_null(s->file, &rc);
    d->frags = malloc((s->nfrags ? s->nfrags : 1) * sizeof *d->frags);
    if (!d->frags) rc = nomem();
    else if (s->nfrags) memcpy(d->frags, s->frags, s->nfrags * sizeof *d->frags);
    if (rc) og_index_meta_free(d);
    return rc;
}

og_status og_txn_record_copy(og_txn_record *dst, const og_txn_record *src)
{
    og_status rc = OG_OK;
    *dst = *src;
    memset(&dst->props, 0, sizeof dst->props);
    dst->uuid = dup_or_null(src->uuid, &rc);
    dst->keys_file = dup_or_null(src->keys_file, &rc);
    dst->inline_keys = NULL;
    if (src->ninline) {
        if (!(dst->inline_keys = malloc(src->ninline * sizeof *dst->inline_keys))) rc = nomem();
        else memcpy(dst->inline_keys, src->inline_keys, src->ninline * sizeof *dst->inline_keys);
    }
    dst->touched = malloc((src->ntouched ? src->ntouched : 1) * sizeof *dst->touched);
    if (!dst->touched) rc = nomem();
    else if (src->ntouched) memcpy(dst->touched, src->touched, src->ntouched * sizeof *dst->touched);
    if (!rc) rc = og_props_copy(&dst->props, &src->props);
    if (rc) og_txn_record_free(dst);
    return rc;
}

void og_txn_record_free(og_txn_record *r)
{
    free(r->uuid);
    free(r->keys_file);
    free(r->inline_keys);
    free(r->touched);
    og_props_free(&r->props);
    memset(r, 0, sizeof *r);
}

void og_manifest_free(og_manifest *m)
{
    og_schema_free(&m->schema);
    for (size_t i = 0; i < m->nfrags; i++) og_frag_meta_free(&m->frags[i]);
    free(m->frags);
    for (size_t i = 0; i < m->nindices; i++) og_index_meta_free(&m->indices[i]);
    free(m->indices);
    og_txn_record_free(&m->txn);
    free(m->delta_removed);
    free(m->delta_base_file);
    memset(m, 0, sizeof *m);
}

og_status og_manifest_copy(og_manifest *dst, const og_manifest *src)
{
    og_status rc;
    memset(dst, 0, sizeof *dst);
    dst->version = src->version;
    dst->timestamp_us = src->timestamp_us;
    dst->next_field_id = src->next_field_id;
    dst->next_fragment_id = src->next_fragment_id;
    dst->next_row_id = src->next_row_id;
    dst->delta_base = src->delta_base;
    dst->unresolved = src->unresolved;
    if (src->delta_base_file && !(dst->delta_base_file = strdup(src->delta_base_file))) { rc = nomem(); goto done; }
    if (src->ndelta_removed) {
        if (!(dst->delta_removed = malloc(src->ndelta_removed * sizeof *dst->delta_removed))) { rc = nomem(); goto done; }
        memcpy(dst->delta_removed, src->delta_removed, src->ndelta_removed * sizeof *dst->delta_removed);
        dst->ndelta_removed = src->ndelta_removed;
    }
    if ((rc = og_schema_copy(&dst->schema, &src->schema))) goto done;
    dst->frags = calloc(src->nfrags ? src->nfrags : 1, sizeof *dst->frags);
    dst->indices = calloc(src->nindices ? src->nindices : 1, sizeof *dst->indices);
    if (!dst->frags || !dst->indices) { rc = nomem(); goto done; }
    for (size_t i = 0; i < src->nfrags; i++) {
        if ((rc = og_frag_meta_copy(&dst->frags[i], &src->frags[i]))) goto done;
        dst->nfrags++;
    }
    for (size_t i = 0; i < src->nindices; i++) {
        if ((rc = og_index_meta_copy(&dst->indices[i], &src->indices[i]))) goto done;
        dst->nindices++;
    }
    rc = og_txn_record_copy(&dst->txn, &src->txn);
done:
    if (rc) og_manifest_free(dst);
    return rc;
}

uint64_t og_manifest_live_rows(const og_manifest *m)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->nfrags; i++) n += m->frags[i].rows - m->frags[i].deleted;
    return n;
}

/* ---------- encode ---------- */

static int jset(json_t *o, const char *k, json_t *v)
{
    return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *props_json(const og_props *p)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < p->len; i++)
        if (jset(o, p->items[i].key, json_string(p->items[i].value))) { json_decref(o); return NULL; }
    return o;
}

static json_t *u64_array(const uint64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_integer((json_int_t)v[i]))) { json_decref(a); return NULL; }
    return a;
}

static json_t *schema_json(const og_schema *s)
{
    json_t *o = json_object(), *fa = json_array();
    int bad = !o || !fa;
    for (size_t i = 0; !bad && i < s->nfields; i++) {
        const og_field *f = &s->fields[i];
        og_buf t = OG_BUF_INIT;
        json_t *fo = json_object();
        bad = !fo || og_type_format(f->type, &t) ||
              jset(fo, "id", json_integer(f->id)) || jset(fo, "name", json_string(f->name)) ||
              jset(fo, "type", json_string(t.data)) || jset(fo, "nullable", json_boolean(f->nullable)) ||
              jset(fo, "primary_key", json_boolean(f->primary_key)) || jset(fo, "meta", props_json(&f->meta));
        og_buf_free(&t);
        if (!bad) bad = json_array_append_new(fa, fo);
        else json_decref(fo);
    }
    if (!bad) bad = jset(o, "fields", fa);
    else json_decref(fa);
    if (!bad) bad = jset(o, "meta", props_json(&s->meta));
    if (bad) { json_decref(o); return NULL; }
    return o;
}

static json_t *txn_json(const og_txn_record *t)
{
    json_t *o = json_object();
    int bad = !o ||
              jset(o, "read_version", json_integer((json_int_t)t->read_version)) ||
              jset(o, "uuid", json_string(t->uuid ? t->uuid : "")) ||
              jset(o, "operation", json_string(og_txn_op_name(t->op))) ||
              jset(o, "properties", props_json(&t->props)) ||
              jset(o, "touched_fragments", u64_array(t->touched, t->ntouched)) ||
              jset(o, "keys_file", t->keys_file ? json_string(t->keys_file) : json_null()) ||
              jset(o, "keys", json_integer((json_int_t)t->nkeys)) ||
              jset(o, "restore_target", json_integer((json_int_t)t->restore_target)) ||
              jset(o, "affected_rows", json_integer((json_int_t)t->affected_rows));
    if (!bad && t->ninline) { /* hex strings: u64 hashes exceed JSON's int64 */
        json_t *a = json_array();
        bad = !a;
        for (size_t i = 0; !bad && i < t->ninline; i++) {
            char hex[17];
            snprintf(hex, sizeof hex, "%016llx", (unsigned long long)t->inline_keys[i]);
            bad = json_array_append_new(a, json_string(hex));
        }
        if (!bad) bad = jset(o, "keys_inline", a);
        else json_decref(a);
    }
    if (bad) { json_decref(o); return NULL; }
    return o;
}

/* Appends s as a JSON string, escaped as jansson does without
 * JSON_ENSURE_ASCII / JSON_ESCAPE_SLASH. */
static og_status json_str_append(og_buf *b, const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20) n++;
    if (!s[n]) { /* nothing to escape (every table path): one copy */
        og_status rc = og_buf_reserve(b, n + 2);
        if (!rc) {
            b->data[b->len] = '"';
            memcpy(b->data + b->len + 1, s, n);
            b->data[b->len + 1 + n] = '"';
            b->len += n + 2;
        }
        return rc;
    }
    og_status rc = og_buf_append_byte(b, '"');
    for (; !rc && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = og_buf_append(b, e, 2);
        } else if (c < 0x20) {
            char e[8];
            const char *named = c == '\b' ? "\\b" : c == '\f' ? "\\f" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (named) rc = og_buf_append(b, named, 2);
            else { snprintf(e, sizeof e, "\\u%04X", c); rc = og_buf_append(b, e, 6); }
        } else {
            rc = og_buf_append_byte(b, c);
        }
    }
    if (!rc) rc = og_buf_append_byte(b, '"');
    return rc;
}

/* Appends v in decimal (values here are below 2^62: what %lld prints). */
static og_status dec_append(og_buf *b, uint64_t v)
{
    char t[24];
    size_t n = 0;
    do { t[sizeof t - 1 - n++] = (char)('0' + v % 10); v /= 10; } while (v);
    return og_buf_append(b, t + sizeof t - n, n);
}

/* The fragments array, written directly (it grows with every commit and is
 * most of a manifest): the same bytes json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS) would produce, without building objects and sorting keys. */
static og_status frags_json_append(const og_manifest *m, const uint8_t *sel, og_buf *b)
{
    og_status rc = og_buf_append_byte(b, '[');
    bool first = true;
    for (size_t i = 0; !rc && i < m->nfrags; i++) {
        const og_frag_meta *f = &m->frags[i];
        if (sel && !sel[i]) continue;
        if (!first) rc = og_buf_append_byte(b, ',');
        first = false;
        if (!rc) rc = og_buf_append_str(b, "{\"deleted\":");
        if (!rc) rc = dec_append(b, f->deleted);
        if (!rc) rc = og_buf_append_str(b, ",\"deletion_file\":");
        if (!rc) rc = f->deletion_file ? json_str_append(b, f->deletion_file) : og_buf_append(b, "null", 4);
        if (!rc && f->dv_inline.len) { /* keys stay sorted: deletion_inline < explicit_row_ids */
            rc = og_buf_append_str(b, ",\"deletion_inline\":\"");
            if (!rc) rc = tbl_b64_encode(f->dv_inline.data, f->dv_inline.len, b);
            if (!rc) rc = og_buf_append_byte(b, '"');
        }
        if (!rc) rc = og_buf_append_str(b, f->explicit_row_ids ? ",\"explicit_row_ids\":true,\"file\":"
                                                               : ",\"explicit_row_ids\":false,\"file\":");
        if (!rc) rc = json_str_append(b, f->file);
        if (!rc) rc = og_buf_append_str(b, ",\"id\":");
        if (!rc) rc = dec_append(b, f->id);
        if (!rc && f->inline_data.len) {
            rc = og_buf_append_str(b, ",\"inline\":\"");
            if (!rc) rc = tbl_b64_encode(f->inline_data.data, f->inline_data.len, b);
            if (!rc) rc = og_buf_append_byte(b, '"');
        }
        if (!rc && f->pack) {
            rc = og_buf_append_str(b, ",\"offset\":");
            if (!rc) rc = dec_append(b, f->offset);
            if (!rc) rc = og_buf_append_str(b, ",\"pack\":");
            if (!rc) rc = json_str_append(b, f->pack);
        }
        if (!rc) rc = og_buf_append_str(b, ",\"row_id_base\":");
        if (!rc) rc = dec_append(b, f->row_id_base);
        if (!rc) rc = og_buf_append_str(b, ",\"rows\":");
        if (!rc) rc = dec_append(b, f->rows);
        if (!rc) rc = og_buf_append_str(b, ",\"size\":");
        if (!rc) rc = dec_append(b, f->size);
        if (!rc) rc = og_buf_append_str(b, ",\"version\":");
        if (!rc) rc = dec_append(b, f->version);
        if (!rc) rc = og_buf_append_byte(b, '}');
    }
    if (!rc) rc = og_buf_append_byte(b, ']');
    return rc;
}

/* Encodes m; with ckpt, as a delta: `base`, the selected entries and the
 * removed ids (docs/format.md §4.2). */
static og_status encode_body(const og_manifest *m, const og_manifest *ckpt, const char *ckpt_file,
                             const uint8_t *sel, const uint64_t *removed, size_t nremoved, og_buf *out)
{
    og_status rc = OG_OK;
    char *text = NULL;
    og_buf body = OG_BUF_INIT;
    json_t *o = json_object(), *fa = json_null(), *ia = json_array();
    int bad = !o || !fa || !ia;
    for (size_t i = 0; !bad && i < m->nindices; i++) {
        const og_index_meta *x = &m->indices[i];
        json_t *xo = json_object();
        bad = !xo || jset(xo, "name", json_string(x->name)) || jset(xo, "uuid", json_string(x->uuid)) ||
              jset(xo, "kind", json_string(x->kind)) || jset(xo, "file", json_string(x->file)) ||
              jset(xo, "field_id", json_integer(x->field_id)) ||
              jset(xo, "version", json_integer((json_int_t)x->version)) ||
              jset(xo, "fragments", u64_array(x->frags, x->nfrags));
        if (!bad) bad = json_array_append_new(ia, xo);
        else json_decref(xo);
    }
    if (!bad) { bad = jset(o, "fragments", fa); fa = NULL; }
    if (!bad) { bad = jset(o, "indices", ia); ia = NULL; }
    if (!bad)
        bad = jset(o, "version", json_integer((json_int_t)m->version)) ||
              jset(o, "timestamp_us", json_integer((json_int_t)m->timestamp_us)) ||
              jset(o, "schema", schema_json(&m->schema)) ||
              jset(o, "next_field_id", json_integer(m->next_field_id)) ||
              jset(o, "next_fragment_id", json_integer((json_int_t)m->next_fragment_id)) ||
              jset(o, "next_row_id", json_integer((json_int_t)m->next_row_id)) ||
              jset(o, "transaction", txn_json(&m->txn));
    if (!bad && ckpt)
        bad = jset(o, "base", json_integer((json_int_t)ckpt->version)) ||
              jset(o, "base_file", json_string(ckpt_file)) ||
              jset(o, "removed", u64_array(removed, nremoved));
    if (bad) { rc = og_error_set(OG_E_NOMEM, "out of memory encoding a manifest"); goto done; }
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) { rc = nomem(); goto done; }
    /* sorted keys: "fragments" comes first, or right after "base" and
     * "base_file" (a path: no `"` unescaped); splice the array in */
    static const char lead[] = "\"fragments\":null";
    const char *at = strstr(text, lead);
    size_t pre = at ? (size_t)(at - text) : 0;
    if (!at || (!ckpt && pre != 1) || (ckpt && strncmp(text, "{\"base\":", 8))) {
        rc = og_error_set(OG_E_INTERNAL, "manifest encoding: unexpected key order");
        goto done;
    }
    if ((rc = og_buf_append(&body, text, pre)) || (rc = og_buf_append(&body, "\"fragments\":", 12)) ||
        (rc = frags_json_append(m, sel, &body)) ||
        (rc = og_buf_append(&body, at + sizeof lead - 1, strlen(at + sizeof lead - 1))))
        goto done;
    uint32_t ver = ckpt ? 3 : 1;
    for (size_t i = 0; !ckpt && i < m->nfrags; i++)
        if (m->frags[i].pack || m->frags[i].inline_data.len || m->frags[i].dv_inline.len) ver = 2;
    rc = og_env_wrap(OG_MANIFEST_MAGIC, ver, body.data, body.len, out);
done:
    free(text);
    og_buf_free(&body);
    json_decref(fa);
    json_decref(ia);
    json_decref(o);
    return rc;
}

og_status og_manifest_encode(const og_manifest *m, og_buf *out)
{
    return encode_body(m, NULL, NULL, NULL, NULL, 0, out);
}

static bool same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }
static bool same_buf(const og_buf *a, const og_buf *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

static bool frag_equal(const og_frag_meta *a, const og_frag_meta *b)
{
    return a->id == b->id && a->size == b->size && a->rows == b->rows && a->version == b->version &&
           a->row_id_base == b->row_id_base && a->explicit_row_ids == b->explicit_row_ids &&
           a->deleted == b->deleted && a->offset == b->offset && same_str(a->file, b->file) &&
           same_str(a->deletion_file, b->deletion_file) && same_str(a->pack, b->pack) &&
           same_buf(&a->inline_data, &b->inline_data) && same_buf(&a->dv_inline, &b->dv_inline);
}

static bool ids_ascending(const og_manifest *m)
{
    for (size_t i = 1; i < m->nfrags; i++)
        if (m->frags[i].id <= m->frags[i - 1].id) return false;
    return true;
}

size_t og_manifest_delta_limit(const og_manifest *ckpt)
{
    size_t n = 2 * ckpt->nfrags, r = 0;
    while ((r + 1) * (r + 1) <= n) r++;
    return r < OG_DELTA_MIN ? OG_DELTA_MIN : r > OG_DELTA_MAX ? OG_DELTA_MAX : r;
}

og_status og_manifest_encode_delta(const og_manifest *m, const og_manifest *ckpt, const char *ckpt_file,
                                   og_buf *out, bool *is_delta)
{
    og_status rc = OG_OK;
    uint8_t *sel = NULL;
    uint64_t *removed = NULL;
    size_t nremoved = 0, nsel = 0, limit = 0;
    bool ok = ckpt && ckpt_file && !ckpt->unresolved && !m->unresolved && ckpt->version <= m->version &&
              m->version - ckpt->version <= OG_DELTA_SPAN && ids_ascending(m) && ids_ascending(ckpt);
    *is_delta = false;
    if (ok) {
        limit = og_manifest_delta_limit(ckpt);
        sel = calloc(m->nfrags + 1, 1);
        removed = malloc((ckpt->nfrags + 1) * sizeof *removed);
        if (!sel || !removed) { rc = nomem(); goto done; }
    }
    /* Both lists ascend by id. The resolver rebuilds ckpt's order (minus
     * removed, with replacements in place) followed by the entries new to
     * ckpt; m qualifies when it has exactly that order. */
    size_t i = 0;
    bool in_new = false;
    for (size_t j = 0; ok && j < m->nfrags; j++) {
        const og_frag_meta *f = &m->frags[j];
        while (i < ckpt->nfrags && ckpt->frags[i].id < f->id) removed[nremoved++] = ckpt->frags[i++].id;
        if (i < ckpt->nfrags && ckpt->frags[i].id == f->id) {
            if (in_new) ok = false;
            sel[j] = !frag_equal(f, &ckpt->frags[i]);
            i++;
        } else {
            in_new = true;
            sel[j] = 1;
        }
        nsel += sel[j];
        if (nsel + nremoved > limit) ok = false;
    }
    while (ok && i < ckpt->nfrags) removed[nremoved++] = ckpt->frags[i++].id;
    if (ok && nsel + nremoved > limit) ok = false;
    rc = ok ? encode_body(m, ckpt, ckpt_file, sel, removed, nremoved, out)
            : encode_body(m, NULL, NULL, NULL, NULL, 0, out);
    if (!rc) *is_delta = ok;
done:
    free(sel);
    free(removed);
    return rc;
}

/* ---------- decode ---------- */

static og_status bad(const char *what)
{
    return og_error_set(OG_E_CORRUPT, "manifest is corrupt: %s", what);
}

static og_status get_u64(const json_t *o, const char *k, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return og_error_set(OG_E_CORRUPT, "manifest is corrupt: `%s` is not an integer in range", k);
    *out = (uint64_t)json_integer_value(v);
    return OG_OK;
}

static og_status get_bool(const json_t *o, const char *k, bool *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_boolean(v)) return og_error_set(OG_E_CORRUPT, "manifest is corrupt: `%s` is not a boolean", k);
    *out = json_is_true(v);
    return OG_OK;
}

static og_status get_str(const json_t *o, const char *k, bool nullable, char **out)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (nullable && json_is_null(v)) return OG_OK;
    if (!json_is_string(v)) return og_error_set(OG_E_CORRUPT, "manifest is corrupt: `%s` is not a string", k);
    *out = strdup(json_string_value(v));
    return *out ? OG_OK : nomem();
}

/* Object keys named in a manifest must be relative paths inside the table. */
static og_status path_check(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 512 || p[0] == '/' || strstr(p, "..") || strstr(p, "//") || p[n - 1] == '/')
        return bad("object path outside the table");
    return OG_OK;
}

static og_status props_parse(const json_t *o, og_props *out)
{
    og_status rc = OG_OK;
    const char *k;
    json_t *v;
    memset(out, 0, sizeof *out);
    if (!json_is_object(o)) return bad("properties are not an object");
    if (json_object_size(o) > MAX_COUNT) return bad("too many properties");
    json_object_foreach((json_t *)o, k, v) {
        if (!json_is_string(v)) { rc = bad("property value is not a string"); break; }
        if ((rc = og_props_set(out, k, json_string_value(v)))) break;
    }
    if (rc) og_props_free(out);
    return rc;
}

static og_status u64_array_parse(const json_t *a, uint64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(a) || json_array_size(a) > MAX_COUNT) return bad("expected an array of ids");
    size_t len = json_array_size(a);
    uint64_t *v = malloc((len ? len : 1) * sizeof *v);
    if (!v) return nomem();
    for (size_t i = 0; i < len; i++) {
        json_t *x = json_array_get(a, i);
        if (!json_is_integer(x) || json_integer_value(x) < 0) { free(v); return bad("id is not a non-negative integer"); }
        v[i] = (uint64_t)json_integer_value(x);
    }
    *out = v;
    *n = len;
    return OG_OK;
}

static og_status schema_parse(const json_t *o, uint32_t next_field_id, og_schema *s)
{
    og_status rc = OG_OK;
    json_t *fa = json_object_get(o, "fields");
    memset(s, 0, sizeof *s);
    if (!json_is_object(o) || !json_is_array(fa) || json_array_size(fa) > 100000) return bad("bad schema");
    size_t n = json_array_size(fa);
    s->fields = calloc(n ? n : 1, sizeof *s->fields);
    if (!s->fields) return nomem();
    int npk = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *fo = json_array_get(fa, i);
        og_field *f = &s->fields[i];
        char *tname = NULL;
        uint64_t id;
        s->nfields++;
        if (!json_is_object(fo)) { rc = bad("field is not an object"); break; }
        if ((rc = get_u64(fo, "id", OG_FIELD_ID_MAX, &id)) || (rc = get_str(fo, "name", false, &f->name)) ||
            (rc = get_bool(fo, "nullable", &f->nullable)) || (rc = get_bool(fo, "primary_key", &f->primary_key)) ||
            (rc = props_parse(json_object_get(fo, "meta"), &f->meta)) ||
            (rc = get_str(fo, "type", false, &tname)))
            break;
        f->id = (uint32_t)id;
        if (og_type_parse(tname, &f->type)) rc = bad("unknown field type");
        free(tname);
        if (rc) break;
        if (f->id >= next_field_id) rc = bad("field id not below next_field_id");
        for (size_t j = 0; j < i && !rc; j++)
            if (s->fields[j].id == f->id || !strcmp(s->fields[j].name, f->name)) rc = bad("duplicate field");
        npk += f->primary_key;
    }
    if (!rc && npk > 1) rc = bad("more than one primary key");
    if (!rc) rc = props_parse(json_object_get(o, "meta"), &s->meta);
    if (rc) og_schema_free(s);
    return rc;
}

static og_status txn_parse(const json_t *o, og_txn_record *t)
{
    og_status rc;
    char *op = NULL;
    memset(t, 0, sizeof *t);
    if (!json_is_object(o)) return bad("transaction is not an object");
    if ((rc = get_u64(o, "read_version", JINT_MAX, &t->read_version)) ||
        (rc = get_str(o, "uuid", false, &t->uuid)) || (rc = get_str(o, "operation", false, &op)) ||
        (rc = props_parse(json_object_get(o, "properties"), &t->props)) ||
        (rc = u64_array_parse(json_object_get(o, "touched_fragments"), &t->touched, &t->ntouched)) ||
        (rc = get_str(o, "keys_file", true, &t->keys_file)) ||
        (rc = get_u64(o, "keys", JINT_MAX, &t->nkeys)) ||
        (rc = get_u64(o, "restore_target", JINT_MAX, &t->restore_target)) ||
        (rc = get_u64(o, "affected_rows", JINT_MAX, &t->affected_rows)))
        goto done;
    for (int i = OG_TXN_CREATE; i <= OG_TXN_UPDATE_METADATA; i++)
        if (!strcmp(op, op_names[i])) t->op = (og_txn_op)i;
    if (!t->op) { rc = bad("unknown operation"); goto done; }
    if (t->keys_file) rc = path_check(t->keys_file);
    const json_t *ki = json_object_get(o, "keys_inline");
    if (!rc && ki) {
        if (!json_is_array(ki) || json_array_size(ki) != t->nkeys || t->keys_file || !t->nkeys ||
            t->nkeys > OG_TXN_INLINE_KEYS_MAX) {
            rc = bad("keys_inline does not match keys");
            goto done;
        }
        if (!(t->inline_keys = malloc(t->nkeys * sizeof *t->inline_keys))) { rc = nomem(); goto done; }
        for (size_t i = 0; i < t->nkeys; i++) {
            const char *h = json_string_value(json_array_get(ki, i));
            uint64_t v = 0;
            if (!h || strlen(h) != 16) { rc = bad("keys_inline entry is not 16 hex digits"); goto done; }
            for (int k = 0; k < 16; k++) {
                char c = h[k];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                if (d < 0) { rc = bad("keys_inline entry is not 16 hex digits"); goto done; }
                v = v << 4 | (uint64_t)d;
            }
            if (i && v <= t->inline_keys[i - 1]) { rc = bad("keys_inline is not strictly ascending"); goto done; }
            t->inline_keys[t->ninline++] = v;
        }
    }
done:
    free(op);
    if (rc) og_txn_record_free(t);
    return rc;
}

/* An optional base64 member (absent: out stays empty; present: non-empty,
 * at most OG_INLINE_MAX bytes). */
static og_status inline_parse(const json_t *o, const char *k, og_buf *out)
{
    json_t *v = json_object_get(o, k);
    if (!v) return OG_OK;
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > OG_INLINE_MAX / 3 * 4 + 4)
        return og_error_set(OG_E_CORRUPT, "manifest is corrupt: `%s` is not a base64 string of bounded length", k);
    og_status rc = tbl_b64_decode(json_string_value(v), json_string_length(v), out);
    if (rc) return og_error_context(rc, "manifest member `%s`", k);
    if (out->len > OG_INLINE_MAX) return og_error_set(OG_E_CORRUPT, "manifest is corrupt: `%s` is too long", k);
    return OG_OK;
}

static og_status frags_parse(const json_t *a, og_manifest *m)
{
    og_status rc = OG_OK;
    if (!json_is_array(a) || json_array_size(a) > MAX_COUNT) return bad("fragments is not an array");
    size_t n = json_array_size(a);
    m->frags = calloc(n ? n : 1, sizeof *m->frags);
    if (!m->frags) return nomem();
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *fo = json_array_get(a, i);
        og_frag_meta *f = &m->frags[i];
        m->nfrags++;
        if (!json_is_object(fo)) { rc = bad("fragment is not an object"); break; }
        if ((rc = get_u64(fo, "id", JINT_MAX, &f->id)) || (rc = get_str(fo, "file", false, &f->file)) ||
            (rc = get_u64(fo, "size", JINT_MAX, &f->size)) || (rc = get_u64(fo, "rows", UINT32_MAX, &f->rows)) ||
            (rc = get_u64(fo, "version", JINT_MAX, &f->version)) ||
            (rc = get_u64(fo, "row_id_base", JINT_MAX, &f->row_id_base)) ||
            (rc = get_bool(fo, "explicit_row_ids", &f->explicit_row_ids)) ||
            (rc = get_str(fo, "deletion_file", true, &f->deletion_file)) ||
            (rc = get_u64(fo, "deleted", UINT32_MAX, &f->deleted)) || (rc = path_check(f->file)))
            break;
        if (f->deletion_file && (rc = path_check(f->deletion_file))) break;
        if (f->deleted > f->rows || (f->deleted && !f->deletion_file)) { rc = bad("deleted rows out of range"); break; }
        if ((rc = inline_parse(fo, "inline", &f->inline_data)) || (rc = inline_parse(fo, "deletion_inline", &f->dv_inline)))
            break;
        if (json_object_get(fo, "pack")) {
            if ((rc = get_str(fo, "pack", false, &f->pack)) || (rc = path_check(f->pack)) ||
                (rc = get_u64(fo, "offset", JINT_MAX, &f->offset)))
                break;
            if (f->inline_data.len) { rc = bad("a fragment both inline and in a pack"); break; }
        } else if (json_object_get(fo, "offset")) {
            rc = bad("offset without a pack");
            break;
        }
        if (f->inline_data.len && f->inline_data.len != f->size) { rc = bad("inline fragment length differs from its size"); break; }
        if (f->dv_inline.len && !f->deletion_file) { rc = bad("inline deletion vector without a deletion file"); break; }
        if (f->id >= m->next_fragment_id) { rc = bad("fragment id not below next_fragment_id"); break; }
        if (f->version > m->version) { rc = bad("fragment from a future version"); break; }
        if (!f->explicit_row_ids && f->row_id_base + f->rows > m->next_row_id) { rc = bad("row ids past next_row_id"); break; }
        for (size_t j = 0; j < i; j++)
            if (m->frags[j].id == f->id) { rc = bad("duplicate fragment id"); break; }
    }
    return rc;
}

static og_status indices_parse(const json_t *a, og_manifest *m)
{
    og_status rc = OG_OK;
    if (!json_is_array(a) || json_array_size(a) > 100000) return bad("indices is not an array");
    size_t n = json_array_size(a);
    m->indices = calloc(n ? n : 1, sizeof *m->indices);
    if (!m->indices) return nomem();
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *xo = json_array_get(a, i);
        og_index_meta *x = &m->indices[i];
        uint64_t fid;
        m->nindices++;
        if (!json_is_object(xo)) { rc = bad("index is not an object"); break; }
        if ((rc = get_str(xo, "name", false, &x->name)) || (rc = get_str(xo, "uuid", false, &x->uuid)) ||
            (rc = get_str(xo, "kind", false, &x->kind)) || (rc = get_str(xo, "file", false, &x->file)) ||
            (rc = path_check(x->file)) || (rc = get_u64(xo, "field_id", OG_FIELD_ID_MAX, &fid)) ||
            (rc = get_u64(xo, "version", JINT_MAX, &x->version)) ||
            (rc = u64_array_parse(json_object_get(xo, "fragments"), &x->frags, &x->nfrags)))
            break;
        x->field_id = (uint32_t)fid;
    }
    return rc;
}

og_status og_manifest_decode(const void *p, size_t n, og_manifest *m)
{
    og_status rc;
    const char *body;
    size_t blen;
    json_t *o = NULL;
    json_error_t jerr;
    uint64_t nfid, ts;
    uint32_t fver = 0;
    memset(m, 0, sizeof *m);
    if ((rc = og_env_unwrap(OG_MANIFEST_MAGIC, OG_MANIFEST_VERSION, "manifest", p, n, &body, &blen, &fver)))
        goto done;
    o = json_loadb(body, blen, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) { rc = bad("body is not a JSON object"); goto done; }
    if ((rc = get_u64(o, "version", JINT_MAX, &m->version)) || (rc = get_u64(o, "timestamp_us", JINT_MAX, &ts)) ||
        (rc = get_u64(o, "next_field_id", OG_FIELD_ID_MAX, &nfid)) ||
        (rc = get_u64(o, "next_fragment_id", JINT_MAX, &m->next_fragment_id)) ||
        (rc = get_u64(o, "next_row_id", JINT_MAX, &m->next_row_id)))
        goto done;
    if (m->version == 0) { rc = bad("version 0"); goto done; }
    m->timestamp_us = (int64_t)ts;
    m->next_field_id = (uint32_t)nfid;
    if (json_object_get(o, "base")) { /* a delta (format version 3, §4.2) */
        if (fver < 3) { rc = bad("a delta in a manifest of format version below 3"); goto done; }
        if ((rc = get_u64(o, "base", JINT_MAX, &m->delta_base)) ||
            (rc = get_str(o, "base_file", false, &m->delta_base_file)) || (rc = path_check(m->delta_base_file)) ||
            (rc = u64_array_parse(json_object_get(o, "removed"), &m->delta_removed, &m->ndelta_removed)))
            goto done;
        if (m->delta_base == 0 || m->delta_base > m->version) { rc = bad("delta base above version"); goto done; }
        for (size_t i = 1; i < m->ndelta_removed; i++)
            if (m->delta_removed[i] <= m->delta_removed[i - 1]) { rc = bad("removed ids not ascending"); goto done; }
        m->unresolved = true;
    } else if (json_object_get(o, "removed") || json_object_get(o, "base_file")) {
        rc = bad("removed or base_file without a delta base");
        goto done;
    }
    if ((rc = schema_parse(json_object_get(o, "schema"), m->next_field_id, &m->schema)) ||
        (rc = frags_parse(json_object_get(o, "fragments"), m)) ||
        (rc = indices_parse(json_object_get(o, "indices"), m)) ||
        (rc = txn_parse(json_object_get(o, "transaction"), &m->txn)))
        goto done;
    if (m->txn.read_version >= m->version) rc = bad("read version not below version");
    for (size_t i = 1; !rc && m->unresolved && i < m->nfrags; i++)
        if (m->frags[i].id <= m->frags[i - 1].id) rc = bad("delta entries not ascending by id");
done:
    json_decref(o);
    if (rc) og_manifest_free(m);
    return rc;
}

/* Index of id in the ascending ids of v[0..n), or n. */
static size_t find_frag(const og_frag_meta *v, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].id == id ? lo : n;
}

static bool has_id(const uint64_t *v, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == id;
}

og_status og_manifest_resolve(og_manifest *m, const og_manifest *c)
{
    og_status rc = OG_OK;
    og_frag_meta *out = NULL;
    uint8_t *used = NULL;
    size_t n = 0, nrem = 0;
    if (!m->unresolved) return OG_OK;
    if (c->unresolved || c->delta_base) return bad("a delta's checkpoint is itself a delta");
    if (c->version != m->delta_base) return bad("delta resolved against the wrong checkpoint");
    if (c->next_fragment_id > m->next_fragment_id || c->next_row_id > m->next_row_id ||
        c->next_field_id > m->next_field_id)
        return bad("a counter went back since the checkpoint");
    out = calloc(c->nfrags + m->nfrags + 1, sizeof *out);
    used = calloc(m->nfrags + 1, 1);
    if (!out || !used) { rc = nomem(); goto done; }
    for (size_t i = 0; i < c->nfrags; i++) {
        const og_frag_meta *f = &c->frags[i];
        size_t k = find_frag(m->frags, m->nfrags, f->id);
        bool gone = has_id(m->delta_removed, m->ndelta_removed, f->id);
        if (gone && k < m->nfrags) { rc = bad("a fragment both removed and replaced"); goto done; }
        if (gone) { nrem++; continue; }
        if (k < m->nfrags) {
            out[n] = m->frags[k]; /* moved below, once nothing can fail */
            used[k] = 1;
            n++;
            continue;
        }
        if (f->version > m->version || (!f->explicit_row_ids && f->row_id_base + f->rows > m->next_row_id)) {
            rc = bad("checkpoint fragment out of range of the delta");
            goto done;
        }
        if ((rc = og_frag_meta_copy(&out[n], f))) goto done;
        out[n].id = f->id | ((uint64_t)1 << 63); /* marks a copy until the move below */
        n++;
    }
    if (nrem != m->ndelta_removed) { rc = bad("a removed fragment is not in the checkpoint"); goto done; }
    for (size_t k = 0; k < m->nfrags; k++)
        if (!used[k]) out[n++] = m->frags[k];
    for (size_t i = 0; i < n; i++) out[i].id &= ~((uint64_t)1 << 63);
    free(m->frags);
    m->frags = out;
    m->nfrags = n;
    out = NULL;
    free(m->delta_removed);
    m->delta_removed = NULL;
    m->ndelta_removed = 0;
    m->unresolved = false;
done:
    if (out) { /* free only the copies; entries taken from m stay m's */
        for (size_t i = 0; i < n; i++)
            if (out[i].id >> 63) og_frag_meta_free(&out[i]);
        free(out);
    }
    free(used);
    return rc;
}
