/* params.c — JSON params object → typed og_value per parameter (§2.3).
 * (1) See params.h for the contract; messages follow the reference's
 *     standard (non-JavaScript) mode word for word.
 * (2) The set is built in one arena; on failure the arena is destroyed, so
 *     no failure path leaks.
 * (3) Integer strings are parsed strictly: optional sign ('+' only for
 *     unsigned), then decimal digits, nothing else, no overflow. */
#include "params.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL: return "null";
    case JSON_TRUE: case JSON_FALSE: return "boolean";
    case JSON_INTEGER: case JSON_REAL: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    default: return "object";
    }
}

/* "I32", "[I32]", "Vector(3)" */
static void type_text(const og_gq_type *t, char *buf, size_t cap)
{
    if (t->base == OG_GQ_VECTOR)
        snprintf(buf, cap, "%sVector(%" PRIu32 ")%s", t->is_list ? "[" : "", t->dim,
                 t->is_list ? "]" : "");
    else
        snprintf(buf, cap, t->is_list ? "[%s]" : "%s", og_gq_base_name(t->base));
}

static og_status bad(const char *key, const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return og_error_set(OG_E_VALIDATION, "param '%s': %s", key, msg);
}

static bool parse_i64_text(const char *s, int64_t *out)
{
    const char *p = s;
    bool neg = false;
    uint64_t acc = 0, lim;
    if (*p == '+' || *p == '-') neg = (*p++ == '-');
    if (!*p) return false;
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        if (acc > (lim - (uint64_t)(*p - '0')) / 10) return false;
        acc = acc * 10 + (uint64_t)(*p - '0');
    }
    *out = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
    return true;
}

static bool parse_u64_text(const char *s, uint64_t *out)
{
    const char *p = s;
    uint64_t acc = 0;
    if (*p == '+') p++;
    if (!*p) return false;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        if (acc > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) return false;
        acc = acc * 10 + (uint64_t)(*p - '0');
    }
    *out = acc;
    return true;
}

static og_status get_i64(const char *key, const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) { *out = (int64_t)json_integer_value(v); return OG_OK; }
    if (json_is_real(v)) return bad(key, "expected integer number", NULL, NULL);
    if (json_is_string(v)) {
        if (parse_i64_text(json_string_value(v), out)) return OG_OK;
        return bad(key, "expected integer string, got '%s'", json_string_value(v), NULL);
    }
    return bad(key, "expected integer", NULL, NULL);
}

static og_status get_u64(const char *key, const json_t *v, uint64_t *out)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (uint64_t)json_integer_value(v);
        return OG_OK;
    }
    if (json_is_number(v)) return bad(key, "expected unsigned integer number", NULL, NULL);
    if (json_is_string(v)) {
        if (parse_u64_text(json_string_value(v), out)) return OG_OK;
        return bad(key, "expected unsigned integer string, got '%s'", json_string_value(v),
                   NULL);
    }
    return bad(key, "expected unsigned integer", NULL, NULL);
}

static og_status set_string(og_arena *a, og_value *out, og_value_kind k, const json_t *v)
{
    size_t n = json_string_length(v);
    char *s = og_arena_strndup(a, json_string_value(v), n);
    if (!s) return og_error_set(OG_E_NOMEM, "out of memory converting params");
    out->kind = k;
    out->as.s.ptr = s;
    out->as.s.len = n;
    return OG_OK;
}

static og_status convert_scalar(og_arena *a, const char *key, og_gq_base base, const json_t *v,
                                og_value *out)
{
    char num[32];
    switch (base) {
    case OG_GQ_STRING:
    case OG_GQ_ENUM:
        if (!json_is_string(v)) return bad(key, "expected string, got %s", json_kind(v), NULL);
        return set_string(a, out, OG_VALUE_STRING, v);
    case OG_GQ_BLOB:
        if (!json_is_string(v))
            return bad(key, "expected blob URI string, got %s", json_kind(v), NULL);
        return set_string(a, out, OG_VALUE_BLOB, v);
    case OG_GQ_I32:
    case OG_GQ_I64: {
        int64_t i = 0;
        og_status rc = get_i64(key, v, &i);
        if (rc) return rc;
        if (base == OG_GQ_I32 && (i < INT32_MIN || i > INT32_MAX)) {
            snprintf(num, sizeof num, "%" PRId64, i);
            return bad(key, "value %s exceeds I32", num, NULL);
        }
        out->kind = OG_VALUE_I64;
        out->as.i = i;
        return OG_OK;
    }
    case OG_GQ_U32:
    case OG_GQ_U64: {
        uint64_t u = 0;
        og_status rc = get_u64(key, v, &u);
        if (rc) return rc;
        snprintf(num, sizeof num, "%" PRIu64, u);
        if (base == OG_GQ_U32 && u > UINT32_MAX) return bad(key, "value %s exceeds U32", num, NULL);
        if (u > (uint64_t)INT64_MAX)
            return bad(key, "value %s exceeds current engine range for U64 (max %s)", num,
                       "9223372036854775807");
        out->kind = OG_VALUE_U64;
        out->as.u = u;
        return OG_OK;
    }
    case OG_GQ_F32:
    case OG_GQ_F64:
        if (!json_is_number(v)) return bad(key, "expected float", NULL, NULL);
        out->kind = OG_VALUE_F64;
        out->as.f = json_number_value(v);
        if (base == OG_GQ_F32 && isfinite(out->as.f) && fabs(out->as.f) > FLT_MAX) {
            snprintf(num, sizeof num, "%.17g", out->as.f);
            return bad(key, "value %s is outside the Float32 range", num, NULL);
        }
        return OG_OK;
    case OG_GQ_BOOL:
        if (!json_is_boolean(v)) return bad(key, "expected boolean", NULL, NULL);
        out->kind = OG_VALUE_BOOL;
        out->as.b = json_is_true(v);
        return OG_OK;
    case OG_GQ_DATE: {
        const char *s;
        size_t n;
        if (!json_is_string(v)) return bad(key, "expected date string", NULL, NULL);
        s = json_string_value(v);
        n = json_string_length(v);
        if (n > 10 && s[0] != '+' && s[0] != '-')
            return bad(key, "invalid Date literal '%s': a Date is a calendar day (YYYY-MM-DD); "
                       "a string with a time of day belongs in a DateTime", s, NULL);
        if (!og_gq_parse_date(s, n, &out->as.i))
            return bad(key, "invalid Date literal '%s': expected YYYY-MM-DD", s, NULL);
        out->kind = OG_VALUE_DATE;
        return OG_OK;
    }
    case OG_GQ_DATETIME: {
        const char *s;
        if (!json_is_string(v)) return bad(key, "expected datetime string", NULL, NULL);
        s = json_string_value(v);
        if (!og_gq_parse_datetime(s, json_string_length(v), &out->as.i))
            return bad(key, "invalid DateTime literal '%s': expected RFC 3339 "
                       "(YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM))", s, NULL);
        out->kind = OG_VALUE_DATETIME;
        return OG_OK;
    }
    default:
        return og_error_set(OG_E_INTERNAL, "param '%s': unsupported parameter type", key);
    }
}

static og_status convert_typed(og_arena *a, const char *key, const og_gq_type *t,
                               const json_t *v, og_value *out)
{
    char tt[48];
    size_t i, n;
    og_status rc = OG_OK;
    if (!t->is_list && t->base != OG_GQ_VECTOR) return convert_scalar(a, key, t->base, v, out);
    type_text(t, tt, sizeof tt);
    if (!json_is_array(v)) return bad(key, "expected array for %s", tt, NULL);
    n = json_array_size(v);
    if (t->is_list) {
        og_value *items = n ? og_arena_calloc(a, n * sizeof *items) : NULL;
        og_gq_type it = *t;
        if (n && !items) return og_error_set(OG_E_NOMEM, "out of memory converting params");
        it.is_list = false;
        for (i = 0; i < n && !rc; i++) rc = convert_typed(a, key, &it, json_array_get(v, i), &items[i]);
        if (rc) return rc;
        out->kind = OG_VALUE_LIST;
        out->as.list.items = items;
        out->as.list.n = n;
        return OG_OK;
    }
    if (n != t->dim) {
        char want[24], got[24];
        snprintf(want, sizeof want, "%" PRIu32, t->dim);
        snprintf(got, sizeof got, "%zu", n);
        return og_error_set(OG_E_VALIDATION, "param '%s': expected %s values for %s, got %s", key,
                            want, tt, got);
    }
    float *vec = og_arena_alloc(a, (n ? n : 1) * sizeof *vec);
    if (!vec) return og_error_set(OG_E_NOMEM, "out of memory converting params");
    for (i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_number(e)) return bad(key, "vector element is not numeric", NULL, NULL);
        vec[i] = (float)json_number_value(e);
    }
    out->kind = OG_VALUE_VECTOR;
    out->as.vec.v = vec;
    out->as.vec.dim = t->dim;
    return OG_OK;
}

static og_status convert_inferred(og_arena *a, const char *key, const json_t *v, og_value *out)
{
    size_t i, n;
    og_status rc = OG_OK;
    switch (json_typeof(v)) {
    case JSON_NULL: out->kind = OG_VALUE_NULL; return OG_OK;
    case JSON_TRUE: case JSON_FALSE:
        out->kind = OG_VALUE_BOOL;
        out->as.b = json_is_true(v);
        return OG_OK;
    case JSON_INTEGER:
        out->kind = OG_VALUE_I64;
        out->as.i = (int64_t)json_integer_value(v);
        return OG_OK;
    case JSON_REAL:
        out->kind = OG_VALUE_F64;
        out->as.f = json_real_value(v);
        return OG_OK;
    case JSON_STRING: return set_string(a, out, OG_VALUE_STRING, v);
    case JSON_ARRAY: {
        og_value *items;
        n = json_array_size(v);
        items = n ? og_arena_calloc(a, n * sizeof *items) : NULL;
        if (n && !items) return og_error_set(OG_E_NOMEM, "out of memory converting params");
        for (i = 0; i < n && !rc; i++) rc = convert_inferred(a, key, json_array_get(v, i), &items[i]);
        if (rc) return rc;
        out->kind = OG_VALUE_LIST;
        out->as.list.items = items;
        out->as.list.n = n;
        return OG_OK;
    }
    default: return bad(key, "object is not supported", NULL, NULL);
    }
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static const og_gq_param *find_decl(const og_gq_param *decl, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(decl[i].name, name) == 0) return &decl[i];
    return NULL;
}

og_status og_params_from_json(const og_gq_param *decl, size_t n_decl, const json_t *json,
                              og_params **out)
{
    og_status rc = OG_OK;
    og_arena *a = NULL;
    og_params *p = NULL;
    const char **keys = NULL;
    size_t n_keys = 0, cap, i;
    *out = NULL;
    if (json && !json_is_null(json) && !json_is_object(json)) {
        rc = og_error_set(OG_E_VALIDATION, "params must be a JSON object");
        goto done;
    }
    a = og_arena_create(NULL, "params");
    if (!a) { rc = og_error_set(OG_E_NOMEM, "out of memory converting params"); goto done; }
    p = og_arena_calloc(a, sizeof *p);
    cap = (json && json_is_object(json) ? json_object_size(json) : 0) + n_decl + 1;
    keys = og_arena_calloc(a, cap * sizeof *keys);
    if (!p || !keys) { rc = og_error_set(OG_E_NOMEM, "out of memory converting params"); goto done; }
    p->arena = a;
    if (json && json_is_object(json)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)json, k, v) keys[n_keys++] = k;
    }
    /* Omitted nullable params become NULL (3). */
    for (i = 0; i < n_decl; i++)
        if (decl[i].type.nullable && !(json && json_is_object(json) &&
                                       json_object_get(json, decl[i].name)))
            keys[n_keys++] = decl[i].name;
    qsort(keys, n_keys, sizeof *keys, cmp_str);
    p->names = og_arena_calloc(a, (n_keys ? n_keys : 1) * sizeof *p->names);
    p->values = og_arena_calloc(a, (n_keys ? n_keys : 1) * sizeof *p->values);
    p->declared = og_arena_calloc(a, (n_keys ? n_keys : 1) * sizeof *p->declared);
    if (!p->names || !p->values || !p->declared) {
        rc = og_error_set(OG_E_NOMEM, "out of memory converting params");
        goto done;
    }
    for (i = 0; i < n_keys && !rc; i++) {
        const char *k = keys[i];
        const json_t *v = json && json_is_object(json) ? json_object_get(json, k) : NULL;
        const og_gq_param *d = find_decl(decl, n_decl, k);
        og_value *val = &p->values[i];
        p->names[i] = og_arena_strdup(a, k);
        p->declared[i] = d != NULL;
        if (!p->names[i]) { rc = og_error_set(OG_E_NOMEM, "out of memory converting params"); break; }
        if (!v || json_is_null(v)) {
            if (d && !d->type.nullable)
                rc = bad(k, "null is not accepted for non-nullable parameter", NULL, NULL);
            else
                val->kind = OG_VALUE_NULL;
        } else if (d) {
            rc = convert_typed(a, k, &d->type, v, val);
        } else {
            rc = convert_inferred(a, k, v, val);
        }
    }
    p->n = n_keys;
done:
    if (rc) og_arena_destroy(a);
    else *out = p;
    return rc;
}

og_status og_params_get(const og_params *p, const char *name, const og_value **out)
{
    size_t lo = 0, hi = p ? p->n : 0;
    *out = NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->names[mid], name);
        if (c == 0) { *out = &p->values[mid]; return OG_OK; }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return og_error_set(OG_E_VALIDATION, "parameter '%s' not provided", name);
}

void og_params_free(og_params *p)
{
    if (p) og_arena_destroy(p->arena);
}
