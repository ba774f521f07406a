/* graph_export.c — NDJSON export that `load` reads back (surface.md §3.7).
 * (1) Node lines {"type":T,"data":{"id":..,props..}}, edge lines
 *     {"edge":E,"from":src,"to":dst,"data":{"id":..,props..}}; every
 *     property present (null when null), in catalog order.
 * (2) Date = integer days, DateTime = integer epoch-ms, Blob = the stored
 *     text ("base64:..." or the URI), vectors as number arrays.
 * (3) Tables are streamed with og_scanner (bounded batches).
 * (4) U64 values above 2^63-1 (which a jansson integer cannot hold) are
 *     exact integers: they are built as marker strings "\x01<nonce>:digits"
 *     (nonce fresh per export, so no stored string can forge one) and the
 *     dumped line has each quoted marker replaced by its bare digits. */
#include "engine_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/ulid.h"

/* (4): the marker a big U64 is built as, and its form in dumped text. */
typedef struct u64mark {
    char raw[OG_ULID_LEN + 3];     /* "\x01" nonce ":" */
    char dumped[OG_ULID_LEN + 16]; /* quote, backslash-u0001, nonce, ":" */
} u64mark;

static json_t *to_json(const u64mark *mk, const og_value *v)
{
    switch (v->kind) {
    case OG_VALUE_NULL: return json_null();
    case OG_VALUE_BOOL: return json_boolean(v->as.b);
    case OG_VALUE_I64: case OG_VALUE_DATE: return json_integer(v->as.i);
    case OG_VALUE_DATETIME: {
        int64_t ms = v->as.i / 1000;
        if (v->as.i % 1000 < 0) ms--;
        return json_integer(ms);
    }
    case OG_VALUE_U64: {
        if (v->as.u <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v->as.u);
        char txt[64];
        snprintf(txt, sizeof txt, "%s%llu", mk->raw, (unsigned long long)v->as.u);
        return json_string(txt);
    }
    case OG_VALUE_F64: return json_real(v->as.f);
    case OG_VALUE_STRING: case OG_VALUE_BLOB: return json_stringn(v->as.s.ptr, v->as.s.len);
    case OG_VALUE_VECTOR: {
        json_t *a = json_array();
        for (uint32_t i = 0; a && i < v->as.vec.dim; i++) json_array_append_new(a, json_real(v->as.vec.v[i]));
        return a;
    }
    case OG_VALUE_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < v->as.list.n; i++) json_array_append_new(a, to_json(mk, &v->as.list.items[i]));
        return a;
    }
    }
    return NULL;
}

static bool wanted(const og_decl *t, const char *const *types, size_t n)
{
    if (!types || !n) return true;
    for (size_t i = 0; i < n; i++) if (!strcmp(types[i], t->name)) return true;
    return false;
}

/* Replaces each quoted marker of txt by its digits (4); out is cleared. */
static og_status unmark(const u64mark *mk, const char *txt, og_buf *out)
{
    og_status rc = OG_OK;
    size_t ml = strlen(mk->dumped);
    og_buf_clear(out);
    for (const char *p = txt, *hit; !rc; p = hit) {
        hit = strstr(p, mk->dumped);
        if (!hit) { rc = og_buf_append(out, p, strlen(p)); break; }
        if ((rc = og_buf_append(out, p, (size_t)(hit - p)))) break;
        hit += ml;
        size_t nd = strspn(hit, "0123456789");
        if ((rc = og_buf_append(out, hit, nd))) break;
        hit += nd;
        if (*hit == '"') hit++;
    }
    return rc;
}

static og_status export_type(og_graph_view *v, const og_decl *t, const u64mark *mk,
                             og_graph_export_fn fn, void *arg)
{
    og_status rc = OG_OK;
    og_table *tbl = NULL;
    og_scanner *sc = NULL;
    og_batch b = OG_BATCH_INIT;
    og_buf ob = OG_BUF_INIT;
    og_arena *ar = og_arena_create(NULL, "export");
    bool edge = t->kind == OG_KIND_EDGE, done_ = false;
    size_t off = edge ? 3 : 1;
    if (!ar) return og_error_set(OG_E_NOMEM, "out of memory");
    if ((rc = og_graph_view_table(v, t, &tbl))) goto done;
    if ((rc = og_scanner_open(tbl, NULL, 0, &sc))) goto done;
    while (!rc) {
        og_batch_free(&b);
        if ((rc = og_scanner_next(sc, &b, &done_))) break;
        for (size_t r = 0; r < b.nrows && !rc; r++) {
            og_arena_reset(ar);
            json_t *line = json_object(), *data = json_object();
            og_value idv, sv, dv;
            char *txt = NULL;
            if (!line || !data) { json_decref(line); json_decref(data); rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
            rc = og_graph_cell_value(ar, og_batch_col(&b, "id"), r, NULL, &idv);
            json_object_set_new(data, "id", to_json(mk, &idv));
            if (edge && !rc) {
                rc = og_graph_cell_value(ar, og_batch_col(&b, "src"), r, NULL, &sv);
                if (!rc) rc = og_graph_cell_value(ar, og_batch_col(&b, "dst"), r, NULL, &dv);
                json_object_set_new(line, "edge", json_string(t->name));
                if (!rc) json_object_set_new(line, "from", to_json(mk, &sv));
                if (!rc) json_object_set_new(line, "to", to_json(mk, &dv));
            } else {
                json_object_set_new(line, "type", json_string(t->name));
            }
            for (size_t j = 0; j < t->n_props && !rc; j++) {
                og_value pv;
                rc = og_graph_cell_value(ar, b.cols[off + j], r, &t->props[j], &pv);
                if (!rc) json_object_set_new(data, t->props[j].name, to_json(mk, &pv));
            }
            json_object_set_new(line, "data", data);
            if (!rc) {
                txt = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
                if (!txt) rc = og_error_set(OG_E_NOMEM, "out of memory");
                else if (!strstr(txt, mk->dumped)) rc = fn(arg, txt, strlen(txt));
                else if (!(rc = unmark(mk, txt, &ob))) rc = fn(arg, ob.data, ob.len);
            }
            free(txt);
            json_decref(line);
        }
        if (done_) break;
    }
done:
    og_batch_free(&b);
    og_buf_free(&ob);
    og_scanner_close(sc);
    og_arena_destroy(ar);
    return rc;
}

og_status og_graph_export(og_graph_view *v, const char *const *types, size_t ntypes,
                          og_graph_export_fn fn, void *arg)
{
    og_status rc = OG_OK;
    const og_catalog *cat = v->g->cat;
    u64mark mk;
    og_ulid nonce;
    if ((rc = og_ulid_new(&nonce))) return rc;
    snprintf(mk.raw, sizeof mk.raw, "\x01%s:", nonce.s);
    snprintf(mk.dumped, sizeof mk.dumped, "\"\\u0001%s:", nonce.s);
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t i = 0; i < cat->n_types && !rc; i++) {
            const og_decl *t = &cat->types[i];
            if (t->kind != (pass ? OG_KIND_EDGE : OG_KIND_NODE) || !wanted(t, types, ntypes)) continue;
            rc = export_type(v, t, &mk, fn, arg);
        }
    return rc;
}
