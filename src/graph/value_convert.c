/* value_convert.c — JSON input -> typed og_value, strictly; see
 * value_convert.h for the invariants. */
#include "value_convert.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *arrow_scalar(og_scalar s)
{
    switch (s) {
    case OG_SCALAR_STRING: return "Utf8";
    case OG_SCALAR_BOOL: return "Boolean";
    case OG_SCALAR_I32: return "Int32";
    case OG_SCALAR_I64: return "Int64";
    case OG_SCALAR_U32: return "UInt32";
    case OG_SCALAR_U64: return "UInt64";
    case OG_SCALAR_F32: return "Float32";
    case OG_SCALAR_F64: return "Float64";
    case OG_SCALAR_DATE: return "Date32";
    case OG_SCALAR_DATETIME: return "Date64";
    case OG_SCALAR_BLOB: return "Blob";
    case OG_SCALAR_VECTOR: return "Float32";
    case OG_SCALAR_ENUM: return "Utf8";
    default: return "?";
    }
}

og_status og_value_arrow_name(const og_prop_type *t, og_buf *out)
{
    if (t->scalar == OG_SCALAR_VECTOR)
        return og_buf_printf(out, "FixedSizeList(Float32, %u)", t->vector_dim);
    if (t->list) return og_buf_printf(out, "List(%s)", arrow_scalar(t->scalar));
    return og_buf_append_str(out, arrow_scalar(t->scalar));
}

/* "strict property 'p' expects <T>, got <json>[ (suffix)]" */
static og_status fail_expects(const og_property *p, const og_prop_type *t,
                              const og_lj *v, const char *suffix)
{
    og_buf m = OG_BUF_INIT;
    og_status rc = og_buf_printf(&m, "strict property '%s' expects ", p->name);
    if (rc == OG_OK) rc = og_value_arrow_name(t, &m);
    if (rc == OG_OK) rc = og_buf_append_str(&m, ", got ");
    if (rc == OG_OK) rc = og_lj_render(v, &m);
    if (rc == OG_OK && suffix) rc = og_buf_printf(&m, " (%s)", suffix);
    if (rc == OG_OK) rc = og_error_set(OG_E_VALIDATION, "%s", og_buf_cstr(&m));
    og_buf_free(&m);
    return rc;
}

bool og_value_civil_days(int64_t y, int m, int d, int64_t *days)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || y < -262143 || y > 262142) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int dim = mdays[m - 1] + (m == 2 && leap ? 1 : 0);
    if (d > dim) return false;
    /* Howard Hinnant's days_from_civil. */
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = era * 146097 + doe - 719468;
    return true;
}

static bool digits(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* "YYYY-MM-DD" at s; returns chars consumed (10) or 0. */
static size_t parse_date(const char *s, size_t n, int64_t *days)
{
    int64_t y, m, d;
    if (n < 10 || s[4] != '-' || s[7] != '-') return 0;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d)) return 0;
    if (!og_value_civil_days(y, (int)m, (int)d, days)) return 0;
    return 10;
}

/* ISO-8601 / RFC 3339 instant -> epoch milliseconds. Accepts a bare date
 * (midnight UTC), 'T' / 't' / ' ' separators, optional fractional seconds,
 * and 'Z' / '+HH:MM' / '-HH:MM' (absent: UTC). */
static bool parse_datetime(const char *s, size_t n, int64_t *ms)
{
    int64_t days, hh, mi, ss = 0, frac_ms = 0, off_min = 0;
    size_t i = parse_date(s, n, &days);
    if (!i) return false;
    if (i == n) { *ms = days * 86400000; return true; }
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
    i++;
    if (n - i < 5 || s[i + 2] != ':' || !digits(s + i, 2, &hh) || !digits(s + i + 3, 2, &mi)) return false;
    i += 5;
    if (i < n && s[i] == ':') {
        if (n - i < 3 || !digits(s + i + 1, 2, &ss)) return false;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t k = 0;
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (k < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
                k++;
                i++;
            }
            if (k == 0) return false;
            for (; k < 3; k++) frac_ms *= 10;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60) return false;
    if (i < n) {
        if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            int64_t oh, om;
            if (n - i != 6 || s[i + 3] != ':' || !digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om) ||
                oh > 23 || om > 59)
                return false;
            off_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
            i = n;
        } else {
            return false;
        }
    }
    *ms = ((days * 24 + hh) * 60 + mi) * 60000 + ss * 1000 + frac_ms - off_min * 60000;
    return true;
}

static bool base64_ok(const char *s, size_t n)
{
    size_t pad = 0;
    if (n % 4 != 0) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '+' || c == '/';
        if (c == '=') {
            if (i < n - 2) return false;
            pad++;
        } else if (!alpha || pad) {
            return false;
        }
    }
    return true;
}

/* One scalar (not list, not vector) conversion. */
static og_status convert_scalar(og_arena *a, const og_property *p, const og_prop_type *t,
                                og_scalar sc, const og_lj *v, og_value *out)
{
    char *end = NULL;
    memset(out, 0, sizeof *out);
    switch (sc) {
    case OG_SCALAR_STRING:
    case OG_SCALAR_ENUM:
        if (v->kind != OG_LJ_STR) return fail_expects(p, t, v, NULL);
        out->kind = OG_VALUE_STRING;
        out->as.s.ptr = v->s;
        out->as.s.len = v->len;
        return OG_OK;
    case OG_SCALAR_BLOB:
        if (v->kind != OG_LJ_STR) return fail_expects(p, t, v, NULL);
        if (v->len >= 7 && memcmp(v->s, "base64:", 7) == 0 && !base64_ok(v->s + 7, v->len - 7))
            return og_error_set(OG_E_VALIDATION, "strict property '%s' expects a base64 blob payload after 'base64:'",
                                p->name);
        out->kind = OG_VALUE_BLOB;
        out->as.s.ptr = v->s;
        out->as.s.len = v->len;
        return OG_OK;
    case OG_SCALAR_BOOL:
        if (v->kind != OG_LJ_BOOL) return fail_expects(p, t, v, NULL);
        out->kind = OG_VALUE_BOOL;
        out->as.b = v->b;
        return OG_OK;
    case OG_SCALAR_I32:
    case OG_SCALAR_I64: {
        if (v->kind != OG_LJ_NUM || !v->num_is_int) return fail_expects(p, t, v, NULL);
        errno = 0;
        long long x = strtoll(v->s, &end, 10);
        if (errno == ERANGE || (sc == OG_SCALAR_I32 && (x < INT32_MIN || x > INT32_MAX)))
            return fail_expects(p, t, v, sc == OG_SCALAR_I32 ? "out of Int32 range" : "out of Int64 range");
        out->kind = OG_VALUE_I64;
        out->as.i = x;
        return OG_OK;
    }
    case OG_SCALAR_U32:
    case OG_SCALAR_U64: {
        if (v->kind != OG_LJ_NUM || !v->num_is_int) return fail_expects(p, t, v, NULL);
        const char *rng = sc == OG_SCALAR_U32 ? "out of UInt32 range" : "out of UInt64 range";
        if (v->s[0] == '-') {
            bool zero = strspn(v->s + 1, "0") == v->len - 1;
            if (!zero) return fail_expects(p, t, v, rng);
        }
        errno = 0;
        unsigned long long x = v->s[0] == '-' ? 0 : strtoull(v->s, &end, 10);
        if (errno == ERANGE || (sc == OG_SCALAR_U32 && x > UINT32_MAX)) return fail_expects(p, t, v, rng);
        out->kind = OG_VALUE_U64;
        out->as.u = x;
        return OG_OK;
    }
    case OG_SCALAR_F32:
    case OG_SCALAR_F64: {
        if (v->kind != OG_LJ_NUM) return fail_expects(p, t, v, NULL);
        double d = strtod(v->s, &end);
        if (!isfinite(d)) return fail_expects(p, t, v, "out of Float64 range");
        if (sc == OG_SCALAR_F32) {
            float f = (float)d;
            if (!isfinite(f)) return fail_expects(p, t, v, "out of Float32 range");
            d = f;
        }
        out->kind = OG_VALUE_F64;
        out->as.f = d;
        return OG_OK;
    }
    case OG_SCALAR_DATE: {
        int64_t days = 0;
        if (v->kind == OG_LJ_NUM && v->num_is_int) {
            errno = 0;
            long long x = strtoll(v->s, &end, 10);
            if (errno == ERANGE || x < INT32_MIN || x > INT32_MAX) return fail_expects(p, t, v, "out of Date32 range");
            days = x;
        } else if (v->kind == OG_LJ_STR) {
            if (parse_date(v->s, v->len, &days) != v->len || v->len != 10)
                return fail_expects(p, t, v, "not a valid YYYY-MM-DD date");
        } else {
            return fail_expects(p, t, v, NULL);
        }
        out->kind = OG_VALUE_DATE;
        out->as.i = days;
        return OG_OK;
    }
    case OG_SCALAR_DATETIME: {
        int64_t ms = 0;
        if (v->kind == OG_LJ_NUM && v->num_is_int) {
            errno = 0;
            long long x = strtoll(v->s, &end, 10);
            if (errno == ERANGE || x > INT64_MAX / 1000 || x < INT64_MIN / 1000)
                return fail_expects(p, t, v, "out of Date64 range");
            ms = x;
        } else if (v->kind == OG_LJ_STR) {
            if (!parse_datetime(v->s, v->len, &ms)) return fail_expects(p, t, v, "not a valid RFC 3339 date-time");
        } else {
            return fail_expects(p, t, v, NULL);
        }
        out->kind = OG_VALUE_DATETIME;
        out->as.i = ms * 1000;
        return OG_OK;
    }
    default:
        break;
    }
    (void)a;
    return og_error_set(OG_E_INTERNAL, "property '%s' has an unknown scalar type", p->name);
}

og_status og_value_from_json(og_arena *a, const og_property *p, const og_lj *v, og_value *out)
{
    const og_prop_type *t = &p->type;
    memset(out, 0, sizeof *out);
    if (v->kind == OG_LJ_NULL) {
        out->kind = OG_VALUE_NULL;
        return OG_OK;
    }
    if (t->scalar == OG_SCALAR_VECTOR) {
        if (v->kind != OG_LJ_ARR) return fail_expects(p, t, v, NULL);
        if (v->n != t->vector_dim)
            return og_error_set(OG_E_VALIDATION, "vector property '%s' expects %u dimensions, got %zu", p->name,
                                t->vector_dim, v->n);
        float *f = og_arena_alloc(a, (v->n ? v->n : 1) * sizeof(float));
        if (!f) return og_error_set(OG_E_NOMEM, "out of memory");
        for (size_t i = 0; i < v->n; i++) {
            const og_lj *e = v->items[i];
            if (e->kind != OG_LJ_NUM)
                return og_error_set(OG_E_VALIDATION, "vector property '%s' elements must be numeric", p->name);
            double d = strtod(e->s, NULL);
            f[i] = (float)d;
            if (!isfinite(d) || !isfinite(f[i]))
                return og_error_set(OG_E_VALIDATION, "vector property '%s' elements must be finite Float32 numbers",
                                    p->name);
        }
        out->kind = OG_VALUE_VECTOR;
        out->as.vec.v = f;
        out->as.vec.dim = (uint32_t)v->n;
        return OG_OK;
    }
    if (t->list) {
        if (v->kind != OG_LJ_ARR) return fail_expects(p, t, v, NULL);
        og_value *items = og_arena_calloc(a, (v->n ? v->n : 1) * sizeof(og_value));
        if (!items) return og_error_set(OG_E_NOMEM, "out of memory");
        for (size_t i = 0; i < v->n; i++) {
            og_status rc;
            if (v->items[i]->kind == OG_LJ_NULL)
                return og_error_set(OG_E_VALIDATION, "list property '%s' items must be non-null", p->name);
            if ((rc = convert_scalar(a, p, t, t->scalar, v->items[i], &items[i])) != OG_OK) return rc;
        }
        out->kind = OG_VALUE_LIST;
        out->as.list.items = items;
        out->as.list.n = v->n;
        return OG_OK;
    }
    return convert_scalar(a, p, t, t->scalar, v, out);
}

og_status og_value_canon_key(const og_prop_type *t, const og_value *v, og_buf *out)
{
    switch (v->kind) {
    case OG_VALUE_STRING:
    case OG_VALUE_BLOB: return og_buf_append(out, v->as.s.ptr, v->as.s.len);
    case OG_VALUE_BOOL: return og_entity_id_canon_bool(v->as.b, out);
    case OG_VALUE_I64:
    case OG_VALUE_DATE: return og_entity_id_canon_i64(v->as.i, out);
    case OG_VALUE_DATETIME: return og_entity_id_canon_i64(v->as.i / 1000, out);
    case OG_VALUE_U64: return og_entity_id_canon_u64(v->as.u, out);
    case OG_VALUE_F64: return og_entity_id_canon_float(v->as.f, t->scalar == OG_SCALAR_F32, out);
    default: return og_error_set(OG_E_VALIDATION, "a %s value cannot be a key", og_scalar_name(t->scalar));
    }
}

/* Inverse of og_value_civil_days (Howard Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

og_status og_value_render(const og_value *v, og_buf *out)
{
    og_status rc = OG_OK;
    switch (v->kind) {
    case OG_VALUE_NULL: return og_buf_append_str(out, "null");
    case OG_VALUE_BOOL: return og_buf_append_str(out, v->as.b ? "true" : "false");
    case OG_VALUE_I64: return og_buf_printf(out, "%lld", (long long)v->as.i);
    case OG_VALUE_DATE: {
        int64_t y;
        int m, d;
        civil_from_days(v->as.i, &y, &m, &d);
        return og_buf_printf(out, "%04lld-%02d-%02d", (long long)y, m, d);
    }
    case OG_VALUE_DATETIME: {
        int64_t ms = floor_div(v->as.i, 1000);
        int64_t days = floor_div(ms, 86400000), rem = ms - days * 86400000, y;
        int m, d;
        civil_from_days(days, &y, &m, &d);
        return og_buf_printf(out, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d, (int)(rem / 3600000),
                             (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
    }
    case OG_VALUE_U64: return og_buf_printf(out, "%llu", (unsigned long long)v->as.u);
    case OG_VALUE_F64:
        if (isnan(v->as.f)) return og_buf_append_str(out, "NaN");
        if (isinf(v->as.f)) return og_buf_append_str(out, v->as.f > 0 ? "Infinity" : "-Infinity");
        return og_entity_id_canon_float(v->as.f, false, out);
    case OG_VALUE_STRING:
    case OG_VALUE_BLOB: return og_buf_append(out, v->as.s.ptr, v->as.s.len);
    case OG_VALUE_LIST:
        rc = og_buf_append_byte(out, '[');
        for (size_t i = 0; rc == OG_OK && i < v->as.list.n; i++) {
            if (i) rc = og_buf_append_str(out, ", ");
            if (rc == OG_OK) rc = og_value_render(&v->as.list.items[i], out);
        }
        if (rc == OG_OK) rc = og_buf_append_byte(out, ']');
        return rc;
    case OG_VALUE_VECTOR:
        return og_buf_printf(out, "<vector of %u>", v->as.vec.dim);
    }
    return rc;
}

bool og_value_equal(const og_value *a, const og_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case OG_VALUE_NULL: return false;
    case OG_VALUE_BOOL: return a->as.b == b->as.b;
    case OG_VALUE_I64:
    case OG_VALUE_DATE:
    case OG_VALUE_DATETIME: return a->as.i == b->as.i;
    case OG_VALUE_U64: return a->as.u == b->as.u;
    case OG_VALUE_F64: return a->as.f == b->as.f;
    case OG_VALUE_STRING:
    case OG_VALUE_BLOB: return a->as.s.len == b->as.s.len && memcmp(a->as.s.ptr, b->as.s.ptr, a->as.s.len) == 0;
    case OG_VALUE_LIST:
        if (a->as.list.n != b->as.list.n) return false;
        for (size_t i = 0; i < a->as.list.n; i++)
            if (!og_value_equal(&a->as.list.items[i], &b->as.list.items[i])) return false;
        return true;
    case OG_VALUE_VECTOR:
        if (a->as.vec.dim != b->as.vec.dim) return false;
        for (uint32_t i = 0; i < a->as.vec.dim; i++)
            if (a->as.vec.v[i] != b->as.vec.v[i]) return false;
        return true;
    }
    return false;
}
