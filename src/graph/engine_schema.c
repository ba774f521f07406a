/* engine_schema.c — how a catalog type maps to a table (engine.h (4)) and
 * how values move between og_value and og_column.
 * (1) Table key: "node:<Name>" / "edge:<Name>".
 * (2) Columns: id (utf8, primary key, required); edges then src, dst (utf8,
 *     required); then one column per property in catalog order with the
 *     property's nullability. String and enums -> utf8, Bool -> bool,
 *     I32/I64/U32/U64/F32/F64 as such, Date -> date (days), DateTime ->
 *     datetime (µs), Vector(n) -> vector(n), Blob -> binary (the input
 *     text: "base64:..." or a URI), lists -> list<elem>.
 * (3) The table layer keeps list elements as utf8, i64 or f64 only: [String]
 *     and enum lists are list<utf8>; [Bool], integer, Date and DateTime
 *     lists are list<i64> (U64 as its bit pattern); float lists list<f64>.
 *     The catalog type says how to read them back (og_graph_cell_value). */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

og_status og_graph_table_key(const og_decl *t, og_buf *out)
{
    og_buf_clear(out);
    if (t->kind == OG_KIND_INTERFACE)
        return og_error_set(OG_E_INVALID, "interface `%s` has no table", t->name);
    return og_buf_printf(out, "%s:%s", t->kind == OG_KIND_EDGE ? "edge" : "node", t->name);
}

static og_type_id elem_type(og_scalar s)
{
    switch (s) {
    case OG_SCALAR_STRING: case OG_SCALAR_ENUM: case OG_SCALAR_BLOB: return OG_TYPE_UTF8;
    case OG_SCALAR_F32: case OG_SCALAR_F64: return OG_TYPE_F64;
    default: return OG_TYPE_I64;
    }
}

static og_type prop_type(const og_prop_type *pt)
{
    og_type t = {OG_TYPE_NONE, OG_TYPE_NONE, 0};
    if (pt->list) {
        t.id = OG_TYPE_LIST;
        t.elem = elem_type(pt->scalar);
        return t;
    }
    switch (pt->scalar) {
    case OG_SCALAR_STRING: case OG_SCALAR_ENUM: t.id = OG_TYPE_UTF8; break;
    case OG_SCALAR_BOOL: t.id = OG_TYPE_BOOL; break;
    case OG_SCALAR_I32: t.id = OG_TYPE_I32; break;
    case OG_SCALAR_I64: t.id = OG_TYPE_I64; break;
    case OG_SCALAR_U32: t.id = OG_TYPE_U32; break;
    case OG_SCALAR_U64: t.id = OG_TYPE_U64; break;
    case OG_SCALAR_F32: t.id = OG_TYPE_F32; break;
    case OG_SCALAR_F64: t.id = OG_TYPE_F64; break;
    case OG_SCALAR_DATE: t.id = OG_TYPE_DATE; break;
    case OG_SCALAR_DATETIME: t.id = OG_TYPE_DATETIME; break;
    case OG_SCALAR_BLOB: t.id = OG_TYPE_BINARY; break;
    case OG_SCALAR_VECTOR: t.id = OG_TYPE_VECTOR; t.dim = pt->vector_dim; break;
    default: break;
    }
    return t;
}

og_status og_graph_table_schema(const og_decl *t, og_schema *out)
{
    og_status rc = OG_OK;
    og_type utf8 = {OG_TYPE_UTF8, OG_TYPE_NONE, 0};
    memset(out, 0, sizeof *out);
    if (t->kind == OG_KIND_INTERFACE) {
        rc = og_error_set(OG_E_INVALID, "interface `%s` has no table", t->name);
        goto done;
    }
    if ((rc = og_schema_add(out, "id", utf8, false, true))) goto done;
    if (t->kind == OG_KIND_EDGE) {
        if ((rc = og_schema_add(out, "src", utf8, false, false))) goto done;
        if ((rc = og_schema_add(out, "dst", utf8, false, false))) goto done;
    }
    for (size_t i = 0; i < t->n_props; i++) {
        const og_property *p = &t->props[i];
        og_type ct = prop_type(&p->type);
        if (!og_type_valid(ct)) {
            rc = og_error_set(OG_E_UNSUPPORTED, "property `%s` of `%s` has no column type",
                              p->name, t->name);
            goto done;
        }
        if ((rc = og_schema_add(out, p->name, ct, p->type.nullable, false))) goto done;
    }
done:
    if (rc) og_schema_free(out);
    return rc;
}

static og_status push_elem(og_column *c, const og_value *v)
{
    switch (v->kind) {
    case OG_VALUE_STRING: case OG_VALUE_BLOB: return og_column_push_bytes(c, v->as.s.ptr, v->as.s.len);
    case OG_VALUE_BOOL: return og_column_push_i64(c, v->as.b ? 1 : 0);
    case OG_VALUE_I64: case OG_VALUE_DATE: case OG_VALUE_DATETIME: return og_column_push_i64(c, v->as.i);
    case OG_VALUE_U64: return og_column_push_i64(c, (int64_t)v->as.u);
    case OG_VALUE_F64: return og_column_push_f64(c, v->as.f);
    default: return og_error_set(OG_E_INVALID, "a list element cannot be a %s", og_value_kind_name(v->kind));
    }
}

og_status og_graph_push_value(og_column *c, const og_property *p, const og_value *v)
{
    og_status rc = OG_OK;
    (void)p;
    switch (v->kind) {
    case OG_VALUE_NULL: return og_column_push_null(c);
    case OG_VALUE_BOOL: return og_column_push_bool(c, v->as.b);
    case OG_VALUE_I64: case OG_VALUE_DATE: case OG_VALUE_DATETIME: return og_column_push_i64(c, v->as.i);
    case OG_VALUE_U64: return og_column_push_u64(c, v->as.u);
    case OG_VALUE_F64: return og_column_push_f64(c, v->as.f);
    case OG_VALUE_STRING: case OG_VALUE_BLOB: return og_column_push_bytes(c, v->as.s.ptr, v->as.s.len);
    case OG_VALUE_VECTOR: return og_column_push_vector(c, v->as.vec.v, v->as.vec.dim);
    case OG_VALUE_LIST: {
        og_column *ch = og_column_child(c);
        size_t before = ch ? ch->len : 0;
        if (!ch) return og_error_set(OG_E_INVALID, "a list value for a non-list column");
        for (size_t i = 0; i < v->as.list.n; i++)
            if ((rc = push_elem(ch, &v->as.list.items[i]))) break;
        if (!rc) rc = og_column_list_close(c);
        if (rc) ch->len = before; /* children beyond the last closed row are unused */
        return rc;
    }
    }
    return og_error_set(OG_E_INVALID, "unknown value kind %d", (int)v->kind);
}

static og_status elem_value(og_arena *a, const og_column *ch, size_t i, og_scalar s, og_value *out)
{
    memset(out, 0, sizeof *out);
    switch (s) {
    case OG_SCALAR_STRING: case OG_SCALAR_ENUM: case OG_SCALAR_BLOB: {
        size_t n = 0;
        const char *p = og_column_get_bytes(ch, i, &n);
        char *d = og_arena_strndup(a, p ? p : "", n);
        if (!d) return og_error_set(OG_E_NOMEM, "out of memory reading a list");
        *out = og_val_strn(d, n);
        return OG_OK;
    }
    case OG_SCALAR_BOOL: *out = og_val_bool(og_column_get_i64(ch, i) != 0); return OG_OK;
    case OG_SCALAR_U32: case OG_SCALAR_U64: *out = og_val_u64((uint64_t)og_column_get_i64(ch, i)); return OG_OK;
    case OG_SCALAR_F32: case OG_SCALAR_F64: *out = og_val_f64(og_column_get_f64(ch, i)); return OG_OK;
    case OG_SCALAR_DATE: out->kind = OG_VALUE_DATE; out->as.i = og_column_get_i64(ch, i); return OG_OK;
    case OG_SCALAR_DATETIME: out->kind = OG_VALUE_DATETIME; out->as.i = og_column_get_i64(ch, i); return OG_OK;
    default: *out = og_val_i64(og_column_get_i64(ch, i)); return OG_OK;
    }
}

og_status og_graph_cell_value(og_arena *a, const og_column *c, size_t row, const og_property *p,
                              og_value *out)
{
    og_status rc = OG_OK;
    memset(out, 0, sizeof *out);
    if (og_column_is_null(c, row)) { out->kind = OG_VALUE_NULL; return OG_OK; }
    if (!p) {
        size_t n = 0;
        const char *s = og_column_get_bytes(c, row, &n);
        *out = og_val_strn(s ? s : "", n);
        return OG_OK;
    }
    if (p->type.list) {
        size_t b = 0, e = 0;
        og_column_list_range(c, row, &b, &e);
        og_value *items = e > b ? og_arena_calloc(a, (e - b) * sizeof *items) : NULL;
        if (e > b && !items) return og_error_set(OG_E_NOMEM, "out of memory reading a list");
        for (size_t i = b; i < e && !rc; i++) rc = elem_value(a, c->child, i, p->type.scalar, &items[i - b]);
        out->kind = OG_VALUE_LIST;
        out->as.list.items = items;
        out->as.list.n = e - b;
        return rc;
    }
    switch (p->type.scalar) {
    case OG_SCALAR_STRING: case OG_SCALAR_ENUM: case OG_SCALAR_BLOB: {
        size_t n = 0;
        const char *s = og_column_get_bytes(c, row, &n);
        *out = og_val_strn(s ? s : "", n);
        if (p->type.scalar == OG_SCALAR_BLOB) out->kind = OG_VALUE_BLOB;
        return OG_OK;
    }
    case OG_SCALAR_BOOL: *out = og_val_bool(og_column_get_bool(c, row)); return OG_OK;
    case OG_SCALAR_U32: case OG_SCALAR_U64: *out = og_val_u64(og_column_get_u64(c, row)); return OG_OK;
    case OG_SCALAR_F32: case OG_SCALAR_F64: *out = og_val_f64(og_column_get_f64(c, row)); return OG_OK;
    case OG_SCALAR_DATE: out->kind = OG_VALUE_DATE; out->as.i = og_column_get_i64(c, row); return OG_OK;
    case OG_SCALAR_DATETIME: out->kind = OG_VALUE_DATETIME; out->as.i = og_column_get_i64(c, row); return OG_OK;
    case OG_SCALAR_VECTOR:
        out->kind = OG_VALUE_VECTOR;
        out->as.vec.v = (float *)(uintptr_t)og_column_get_vector(c, row);
        out->as.vec.dim = c->type.dim;
        return OG_OK;
    default: *out = og_val_i64(og_column_get_i64(c, row)); return OG_OK;
    }
}

og_status og_graph_batch_like(const og_schema *s, og_batch *out)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    for (size_t i = 0; i < s->nfields && !rc; i++) rc = og_batch_add(&b, s->fields[i].name, s->fields[i].type, NULL);
    if (rc) { og_batch_free(&b); return rc; }
    *out = b;
    return OG_OK;
}

og_status og_graph_batch_append_row(og_batch *dst, const og_batch *src, size_t row)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < dst->ncols; i++) {
        og_column *sc = og_batch_col(src, dst->names[i]);
        rc = sc ? og_column_append_row(dst->cols[i], sc, row) : og_column_push_null(dst->cols[i]);
        if (rc) break;
    }
    if (rc) return rc; /* dst is misaligned: the caller frees it */
    dst->nrows++;
    return OG_OK;
}
