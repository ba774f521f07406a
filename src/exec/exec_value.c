/* exec_value.c — runtime values of the executor: reading cells, literals,
 * comparing, hashing and rendering as JSON (surface.md §2.4, §2.7, §4.3).
 * (1) Numbers compare across kinds exactly (i64 vs u64 without overflow,
 *     integers vs floats as doubles).
 * (2) JSON: i64 exact, u64 exact when it fits jansson's integer, f64 as a
 *     real, dates "YYYY-MM-DD", datetimes RFC 3339 UTC at millisecond
 *     precision, always with the fraction ("...T08:30:00.000Z"). */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static og_status list_cell(og_arena *a, const og_column *c, size_t i, og_value *out)
{
    size_t b = 0, e = 0;
    og_column_list_range(c, i, &b, &e);
    out->kind = OG_VALUE_LIST;
    out->as.list.n = e - b;
    out->as.list.items = NULL;
    if (e == b) return OG_OK;
    og_value *items = og_arena_calloc(a, (e - b) * sizeof *items);
    if (!items) return og_error_set(OG_E_NOMEM, "out of memory reading a list cell");
    for (size_t k = b; k < e; k++) {
        og_status rc = og_exv_cell(a, c->child, k, &items[k - b]);
        if (rc) return rc;
    }
    out->as.list.items = items;
    return OG_OK;
}

og_status og_exv_cell(og_arena *a, const og_column *c, size_t i, og_value *out)
{
    *out = og_val_null();
    if (og_column_is_null(c, i)) return OG_OK;
    switch (c->type.id) {
    case OG_TYPE_BOOL: *out = og_val_bool(og_column_get_bool(c, i)); break;
    case OG_TYPE_I32: case OG_TYPE_I64: *out = og_val_i64(og_column_get_i64(c, i)); break;
    case OG_TYPE_U32: case OG_TYPE_U64: *out = og_val_u64(og_column_get_u64(c, i)); break;
    case OG_TYPE_F32: case OG_TYPE_F64: *out = og_val_f64(og_column_get_f64(c, i)); break;
    case OG_TYPE_DATE: out->kind = OG_VALUE_DATE; out->as.i = og_column_get_i64(c, i); break;
    case OG_TYPE_DATETIME: out->kind = OG_VALUE_DATETIME; out->as.i = og_column_get_i64(c, i); break;
    case OG_TYPE_UTF8: case OG_TYPE_BINARY: {
        size_t n = 0;
        const char *p = og_column_get_bytes(c, i, &n);
        *out = og_val_strn(p, n);
        if (c->type.id == OG_TYPE_BINARY) out->kind = OG_VALUE_BLOB;
        break;
    }
    case OG_TYPE_VECTOR:
        out->kind = OG_VALUE_VECTOR;
        out->as.vec.v = (float *)og_column_get_vector(c, i);
        out->as.vec.dim = c->type.dim;
        break;
    case OG_TYPE_LIST: return list_cell(a, c, i, out);
    default: return og_error_set(OG_E_INTERNAL, "unreadable column type %d", (int)c->type.id);
    }
    return OG_OK;
}

og_status og_exv_cell_prop(og_arena *a, const og_column *c, size_t i, const og_property *p,
                           og_value *out)
{
    og_status rc = og_exv_cell(a, c, i, out);
    if (rc || !p || !p->type.list || out->kind != OG_VALUE_LIST) return rc;
    for (size_t k = 0; k < out->as.list.n; k++) {
        og_value *it = &out->as.list.items[k];
        if (it->kind != OG_VALUE_I64) continue;
        switch (p->type.scalar) {
        case OG_SCALAR_DATE: it->kind = OG_VALUE_DATE; break;
        case OG_SCALAR_DATETIME: it->kind = OG_VALUE_DATETIME; break;
        case OG_SCALAR_U32: case OG_SCALAR_U64: it->kind = OG_VALUE_U64; it->as.u = (uint64_t)it->as.i; break;
        case OG_SCALAR_BOOL: *it = og_val_bool(it->as.i != 0); break;
        default: break;
        }
    }
    return rc;
}

og_status og_exv_lit(og_arena *a, const og_gq_lit *l, og_value *out)
{
    *out = og_val_null();
    switch (l->kind) {
    case OG_GQ_LIT_INT: *out = og_val_i64(l->i); break;
    case OG_GQ_LIT_FLOAT: *out = og_val_f64(l->f); break;
    case OG_GQ_LIT_STRING: *out = og_val_str(l->s ? l->s : ""); break;
    case OG_GQ_LIT_BOOL: *out = og_val_bool(l->i != 0); break;
    case OG_GQ_LIT_DATE: out->kind = OG_VALUE_DATE; out->as.i = l->i; break;
    case OG_GQ_LIT_DATETIME: out->kind = OG_VALUE_DATETIME; out->as.i = l->i; break;
    case OG_GQ_LIT_LIST: {
        out->kind = OG_VALUE_LIST;
        out->as.list.n = l->n_items;
        out->as.list.items = NULL;
        if (!l->n_items) break;
        og_value *items = og_arena_calloc(a, l->n_items * sizeof *items);
        if (!items) return og_error_set(OG_E_NOMEM, "out of memory");
        for (size_t k = 0; k < l->n_items; k++) {
            og_status rc = og_exv_lit(a, &l->items[k], &items[k]);
            if (rc) return rc;
        }
        out->as.list.items = items;
        break;
    }
    }
    return OG_OK;
}

static bool is_num(og_value_kind k)
{
    return k == OG_VALUE_I64 || k == OG_VALUE_U64 || k == OG_VALUE_F64;
}

static int num_cmp(const og_value *a, const og_value *b)
{
    if (a->kind == OG_VALUE_I64 && b->kind == OG_VALUE_I64)
        return (a->as.i > b->as.i) - (a->as.i < b->as.i);
    if (a->kind == OG_VALUE_U64 && b->kind == OG_VALUE_U64)
        return (a->as.u > b->as.u) - (a->as.u < b->as.u);
    if (a->kind == OG_VALUE_I64 && b->kind == OG_VALUE_U64) {
        if (a->as.i < 0) return -1;
        uint64_t x = (uint64_t)a->as.i;
        return (x > b->as.u) - (x < b->as.u);
    }
    if (a->kind == OG_VALUE_U64 && b->kind == OG_VALUE_I64) return -num_cmp(b, a);
    double x = a->kind == OG_VALUE_F64 ? a->as.f : a->kind == OG_VALUE_I64 ? (double)a->as.i : (double)a->as.u;
    double y = b->kind == OG_VALUE_F64 ? b->as.f : b->kind == OG_VALUE_I64 ? (double)b->as.i : (double)b->as.u;
    return (x > y) - (x < y);
}

int og_exv_cmp(const og_value *a, const og_value *b, bool *ok)
{
    *ok = true;
    if (is_num(a->kind) && is_num(b->kind)) return num_cmp(a, b);
    if ((a->kind == OG_VALUE_STRING || a->kind == OG_VALUE_BLOB) &&
        (b->kind == OG_VALUE_STRING || b->kind == OG_VALUE_BLOB)) {
        size_t n = a->as.s.len < b->as.s.len ? a->as.s.len : b->as.s.len;
        int c = n ? memcmp(a->as.s.ptr, b->as.s.ptr, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return (a->as.s.len > b->as.s.len) - (a->as.s.len < b->as.s.len);
    }
    if (a->kind == OG_VALUE_BOOL && b->kind == OG_VALUE_BOOL) return (int)a->as.b - (int)b->as.b;
    if ((a->kind == OG_VALUE_DATE || a->kind == OG_VALUE_DATETIME) &&
        (b->kind == OG_VALUE_DATE || b->kind == OG_VALUE_DATETIME)) {
        int64_t x = a->as.i, y = b->as.i;
        if (a->kind != b->kind) { /* a date is its midnight */
            if (a->kind == OG_VALUE_DATE) x *= 86400000000LL; else y *= 86400000000LL;
        }
        return (x > y) - (x < y);
    }
    if (a->kind == OG_VALUE_LIST && b->kind == OG_VALUE_LIST) {
        size_t n = a->as.list.n < b->as.list.n ? a->as.list.n : b->as.list.n;
        for (size_t i = 0; i < n; i++) {
            int c = og_exv_cmp(&a->as.list.items[i], &b->as.list.items[i], ok);
            if (!*ok || c) return c;
        }
        return (a->as.list.n > b->as.list.n) - (a->as.list.n < b->as.list.n);
    }
    *ok = false;
    return 0;
}

bool og_exv_eq(const og_value *a, const og_value *b)
{
    bool ok = false;
    if (a->kind == OG_VALUE_NULL || b->kind == OG_VALUE_NULL) return false;
    int c = og_exv_cmp(a, b, &ok);
    return ok && c == 0;
}

static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    /* Howard Hinnant's civil_from_days */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static json_t *f64_json(double f)
{
    if (!isfinite(f)) return json_null();
    return json_real(f);
}

static json_t *f32_json(float f)
{
    /* shortest decimal that reads back as the same float */
    char buf[48];
    if (!isfinite(f)) return json_null();
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
        if ((float)strtod(buf, NULL) == f) break;
    }
    return json_real(strtod(buf, NULL));
}

json_t *og_exv_json(const og_value *v)
{
    return og_exv_json_m(v, NULL);
}

json_t *og_exv_json_m(const og_value *v, const char *marker)
{
    char buf[64];
    switch (v->kind) {
    case OG_VALUE_NULL: return json_null();
    case OG_VALUE_BOOL: return json_boolean(v->as.b);
    case OG_VALUE_I64: return json_integer((json_int_t)v->as.i);
    case OG_VALUE_U64:
        if (v->as.u <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v->as.u);
        if (!marker) return json_real((double)v->as.u);
        snprintf(buf, sizeof buf, "%s%llu", marker, (unsigned long long)v->as.u);
        return json_string(buf);
    case OG_VALUE_F64: return f64_json(v->as.f);
    case OG_VALUE_STRING: case OG_VALUE_BLOB:
        return json_stringn_nocheck(v->as.s.ptr ? v->as.s.ptr : "", v->as.s.len);
    case OG_VALUE_DATE: {
        int64_t y; unsigned m, d;
        civil(v->as.i, &y, &m, &d);
        snprintf(buf, sizeof buf, "%04lld-%02u-%02u", (long long)y, m, d);
        return json_string(buf);
    }
    case OG_VALUE_DATETIME: {
        int64_t us = v->as.i;
        int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
        int64_t rem = us - days * 86400000000LL;
        int64_t y; unsigned m, d;
        civil(days, &y, &m, &d);
        unsigned hh = (unsigned)(rem / 3600000000LL), mm = (unsigned)(rem / 60000000LL % 60),
                 ss = (unsigned)(rem / 1000000 % 60), frac = (unsigned)(rem % 1000000);
        int n = snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u", (long long)y, m, d, hh, mm, ss);
        snprintf(buf + n, sizeof buf - (size_t)n, ".%03uZ", frac / 1000); /* ms precision, always */
        return json_string(buf);
    }
    case OG_VALUE_LIST: {
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < v->as.list.n; i++)
            json_array_append_new(arr, og_exv_json_m(&v->as.list.items[i], marker));
        return arr;
    }
    case OG_VALUE_VECTOR: {
        json_t *arr = json_array();
        for (uint32_t i = 0; arr && i < v->as.vec.dim; i++) json_array_append_new(arr, f32_json(v->as.vec.v[i]));
        return arr;
    }
    }
    return json_null();
}

og_status og_exv_push(og_column *c, const og_value *v)
{
    og_status rc = OG_OK;
    switch (v->kind) {
    case OG_VALUE_NULL: rc = og_column_push_null(c); break;
    case OG_VALUE_BOOL: /* list items of Bool are stored as i64 */
        rc = c->type.id == OG_TYPE_BOOL ? og_column_push_bool(c, v->as.b) : og_column_push_i64(c, v->as.b);
        break;
    case OG_VALUE_I64: case OG_VALUE_DATE: case OG_VALUE_DATETIME:
        if (og_type_is_float(c->type.id)) rc = og_column_push_f64(c, (double)v->as.i);
        else rc = og_column_push_i64(c, v->as.i);
        break;
    case OG_VALUE_U64:
        if (og_type_is_float(c->type.id)) rc = og_column_push_f64(c, (double)v->as.u);
        else rc = og_column_push_u64(c, v->as.u);
        break;
    case OG_VALUE_F64: rc = og_column_push_f64(c, v->as.f); break;
    case OG_VALUE_STRING: case OG_VALUE_BLOB: rc = og_column_push_bytes(c, v->as.s.ptr, v->as.s.len); break;
    case OG_VALUE_VECTOR: rc = og_column_push_vector(c, v->as.vec.v, v->as.vec.dim); break;
    case OG_VALUE_LIST: {
        og_column *ch = og_column_child(c);
        for (size_t i = 0; ch && i < v->as.list.n && !rc; i++) rc = og_exv_push(ch, &v->as.list.items[i]);
        if (!ch) rc = og_error_set(OG_E_INVALID, "a list value for a non-list column");
        if (!rc) rc = og_column_list_close(c);
        break;
    }
    }
    return rc;
}

og_status og_exv_key(const og_value *v, og_buf *out)
{
    og_status rc = og_buf_append_byte(out, (uint8_t)v->kind);
    if (rc) return rc;
    switch (v->kind) {
    case OG_VALUE_NULL: break;
    case OG_VALUE_BOOL: rc = og_buf_append_byte(out, v->as.b); break;
    case OG_VALUE_I64: case OG_VALUE_DATE: case OG_VALUE_DATETIME: case OG_VALUE_U64:
        rc = og_buf_append_u64le(out, v->as.u); break;
    case OG_VALUE_F64: {
        double f = v->as.f == 0 ? 0 : v->as.f;
        uint64_t bits;
        memcpy(&bits, &f, sizeof bits);
        rc = og_buf_append_u64le(out, bits);
        break;
    }
    case OG_VALUE_STRING: case OG_VALUE_BLOB:
        if (!(rc = og_buf_append_u64le(out, v->as.s.len))) rc = og_buf_append(out, v->as.s.ptr, v->as.s.len);
        break;
    case OG_VALUE_LIST:
        rc = og_buf_append_u64le(out, v->as.list.n);
        for (size_t i = 0; !rc && i < v->as.list.n; i++) rc = og_exv_key(&v->as.list.items[i], out);
        break;
    case OG_VALUE_VECTOR:
        if (!(rc = og_buf_append_u64le(out, v->as.vec.dim)))
            rc = og_buf_append(out, v->as.vec.v, v->as.vec.dim * sizeof(float));
        break;
    }
    return rc;
}
