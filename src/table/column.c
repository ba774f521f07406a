/* column.c — in-memory columns and batches (see column.h for invariants). */
#include "column.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
    "none", "bool", "i32", "i64", "u32", "u64", "f32", "f64",
    "date", "datetime", "utf8", "binary", "vector", "list",
};

bool og_type_is_int(og_type_id id)
{
    return id == OG_TYPE_I32 || id == OG_TYPE_I64 || id == OG_TYPE_U32 ||
           id == OG_TYPE_U64 || id == OG_TYPE_DATE || id == OG_TYPE_DATETIME;
}

bool og_type_is_float(og_type_id id) { return id == OG_TYPE_F32 || id == OG_TYPE_F64; }

bool og_type_valid(og_type t)
{
    if (t.id < OG_TYPE_BOOL || t.id > OG_TYPE_MAX_) return false;
    if (t.id == OG_TYPE_VECTOR) return t.dim >= 1 && t.dim <= OG_VECTOR_DIM_MAX;
    if (t.id == OG_TYPE_LIST)
        return t.elem == OG_TYPE_UTF8 || t.elem == OG_TYPE_I64 || t.elem == OG_TYPE_F64;
    return true;
}

bool og_type_eq(og_type a, og_type b)
{
    if (a.id != b.id) return false;
    if (a.id == OG_TYPE_VECTOR) return a.dim == b.dim;
    if (a.id == OG_TYPE_LIST) return a.elem == b.elem;
    return true;
}

size_t og_type_width(og_type t)
{
    switch (t.id) {
    case OG_TYPE_BOOL: return 1;
    case OG_TYPE_I32: case OG_TYPE_U32: case OG_TYPE_F32: case OG_TYPE_DATE: return 4;
    case OG_TYPE_I64: case OG_TYPE_U64: case OG_TYPE_F64: case OG_TYPE_DATETIME: return 8;
    case OG_TYPE_VECTOR: return (size_t)t.dim * 4;
    default: return 0;
    }
}

og_status og_type_format(og_type t, og_buf *out)
{
    if (!og_type_valid(t)) return og_error_set(OG_E_INVALID, "invalid column type %d", (int)t.id);
    if (t.id == OG_TYPE_VECTOR) return og_buf_printf(out, "vector(%u)", t.dim);
    if (t.id == OG_TYPE_LIST) return og_buf_printf(out, "list<%s>", type_names[t.elem]);
    return og_buf_append_str(out, type_names[t.id]);
}

og_status og_type_parse(const char *s, og_type *out)
{
    og_type t = {OG_TYPE_NONE, OG_TYPE_NONE, 0};
    size_t n = strlen(s);
    if (n > 7 && !strncmp(s, "vector(", 7) && s[n - 1] == ')') {
        unsigned long d = 0;
        for (size_t i = 7; i < n - 1; i++) {
            if (s[i] < '0' || s[i] > '9' || d > OG_VECTOR_DIM_MAX) goto bad;
            d = d * 10 + (unsigned long)(s[i] - '0');
        }
        t.id = OG_TYPE_VECTOR;
        t.dim = (uint32_t)(d > OG_VECTOR_DIM_MAX ? 0 : d);
    } else if (n > 6 && !strncmp(s, "list<", 5) && s[n - 1] == '>') {
        t.id = OG_TYPE_LIST;
        for (int i = 1; i <= OG_TYPE_MAX_; i++)
            if (strlen(type_names[i]) == n - 6 && !strncmp(s + 5, type_names[i], n - 6))
                t.elem = (og_type_id)i;
    } else {
        for (int i = 1; i <= OG_TYPE_MAX_; i++)
            if (!strcmp(s, type_names[i]) && i != OG_TYPE_VECTOR && i != OG_TYPE_LIST)
                t.id = (og_type_id)i;
    }
    if (!og_type_valid(t)) goto bad;
    *out = t;
    return OG_OK;
bad:
    return og_error_set(OG_E_INVALID, "unknown column type `%.64s`", s);
}

static bool has_offs(og_type t)
{
    return t.id == OG_TYPE_UTF8 || t.id == OG_TYPE_BINARY || t.id == OG_TYPE_LIST;
}

og_status og_column_init(og_column *c, og_type t)
{
    og_status rc = OG_OK;
    memset(c, 0, sizeof *c);
    if (!og_type_valid(t)) return og_error_set(OG_E_INVALID, "invalid column type %d", (int)t.id);
    c->type = t;
    if (has_offs(t)) {
        uint64_t z = 0;
        if ((rc = og_buf_append(&c->offs, &z, 8))) goto done;
    }
    if (t.id == OG_TYPE_LIST) {
        og_type et = {t.elem, OG_TYPE_NONE, 0};
        if ((rc = og_column_new(et, &c->child))) goto done;
    }
done:
    if (rc) og_column_free(c);
    return rc;
}

void og_column_free(og_column *c)
{
    if (!c) return;
    og_buf_free(&c->valid);
    og_buf_free(&c->data);
    og_buf_free(&c->offs);
    og_column_destroy(c->child);
    c->child = NULL;
    c->len = c->null_count = 0;
}

og_status og_column_new(og_type t, og_column **out)
{
    og_column *c = malloc(sizeof *c);
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory");
    og_status rc = og_column_init(c, t);
    if (rc) { free(c); return rc; }
    *out = c;
    return OG_OK;
}

void og_column_destroy(og_column *c)
{
    if (!c) return;
    og_column_free(c);
    free(c);
}

void og_column_clear(og_column *c)
{
    og_buf_clear(&c->valid);
    og_buf_clear(&c->data);
    if (has_offs(c->type)) {
        c->offs.len = 8;
        memset(c->offs.data, 0, 8);
    }
    if (c->child) og_column_clear(c->child);
    c->len = c->null_count = 0;
}

static uint64_t cur_end(const og_column *c)
{
    uint64_t v;
    memcpy(&v, c->offs.data + c->len * 8, 8);
    return v;
}

/* Appends the validity byte and, for offset types, the closing offset.
 * Value bytes were already appended by the caller; on failure they are
 * rolled back by restoring data.len. */
static og_status finish_row(og_column *c, bool valid, size_t data_len_before, uint64_t end)
{
    og_status rc;
    if ((rc = og_buf_reserve(&c->valid, 1))) goto fail;
    if (has_offs(c->type) && (rc = og_buf_append(&c->offs, &end, 8))) goto fail;
    og_buf_append_byte(&c->valid, valid ? 1 : 0);
    c->len++;
    if (!valid) c->null_count++;
    return OG_OK;
fail:
    c->data.len = data_len_before;
    return rc;
}

static og_status type_err(const og_column *c, const char *what)
{
    return og_error_set(OG_E_INVALID, "cannot push %s into a column of type %s", what,
                        type_names[c->type.id]);
}

og_status og_column_push_null(og_column *c)
{
    size_t before = c->data.len;
    size_t w = og_type_width(c->type);
    if (w) {
        og_status rc = og_buf_reserve(&c->data, w);
        if (rc) return rc;
        memset(c->data.data + c->data.len, 0, w);
        c->data.len += w;
    }
    uint64_t end = 0;
    if (c->type.id == OG_TYPE_LIST) end = c->child->len;
    else if (has_offs(c->type)) end = cur_end(c);
    return finish_row(c, false, before, end);
}

og_status og_column_push_bool(og_column *c, bool v)
{
    if (c->type.id != OG_TYPE_BOOL) return type_err(c, "bool");
    size_t before = c->data.len;
    og_status rc = og_buf_append_byte(&c->data, v ? 1 : 0);
    return rc ? rc : finish_row(c, true, before, 0);
}

og_status og_column_push_i64(og_column *c, int64_t v)
{
    size_t before = c->data.len;
    og_status rc;
    switch (c->type.id) {
    case OG_TYPE_I32: case OG_TYPE_DATE: {
        if (v < INT32_MIN || v > INT32_MAX)
            return og_error_set(OG_E_INVALID, "value %lld out of range for i32", (long long)v);
        int32_t x = (int32_t)v;
        rc = og_buf_append(&c->data, &x, 4);
        break;
    }
    case OG_TYPE_U32: {
        if (v < 0 || v > (int64_t)UINT32_MAX)
            return og_error_set(OG_E_INVALID, "value %lld out of range for u32", (long long)v);
        uint32_t x = (uint32_t)v;
        rc = og_buf_append(&c->data, &x, 4);
        break;
    }
    case OG_TYPE_I64: case OG_TYPE_DATETIME:
        rc = og_buf_append(&c->data, &v, 8);
        break;
    case OG_TYPE_U64: {
        if (v < 0) return og_error_set(OG_E_INVALID, "value %lld out of range for u64", (long long)v);
        uint64_t x = (uint64_t)v;
        rc = og_buf_append(&c->data, &x, 8);
        break;
    }
    case OG_TYPE_F32: case OG_TYPE_F64:
        return og_column_push_f64(c, (double)v);
    default:
        return type_err(c, "an integer");
    }
    return rc ? rc : finish_row(c, true, before, 0);
}

og_status og_column_push_u64(og_column *c, uint64_t v)
{
    if (c->type.id == OG_TYPE_U64) {
        size_t before = c->data.len;
        og_status rc = og_buf_append(&c->data, &v, 8);
        return rc ? rc : finish_row(c, true, before, 0);
    }
    if (v > INT64_MAX) return og_error_set(OG_E_INVALID, "value %llu out of range", (unsigned long long)v);
    return og_column_push_i64(c, (int64_t)v);
}

og_status og_column_push_f64(og_column *c, double v)
{
    size_t before = c->data.len;
    og_status rc;
    if (c->type.id == OG_TYPE_F32) {
        float x = (float)v;
        rc = og_buf_append(&c->data, &x, 4);
    } else if (c->type.id == OG_TYPE_F64) {
        rc = og_buf_append(&c->data, &v, 8);
    } else {
        return type_err(c, "a float");
    }
    return rc ? rc : finish_row(c, true, before, 0);
}

og_status og_column_push_bytes(og_column *c, const void *p, size_t n)
{
    if (c->type.id != OG_TYPE_UTF8 && c->type.id != OG_TYPE_BINARY) return type_err(c, "bytes");
    size_t before = c->data.len;
    og_status rc = og_buf_append(&c->data, p, n);
    return rc ? rc : finish_row(c, true, before, (uint64_t)c->data.len);
}

og_status og_column_push_str(og_column *c, const char *s)
{
    return og_column_push_bytes(c, s, strlen(s));
}

og_status og_column_push_vector(og_column *c, const float *v, uint32_t dim)
{
    if (c->type.id != OG_TYPE_VECTOR) return type_err(c, "a vector");
    if (dim != c->type.dim)
        return og_error_set(OG_E_INVALID, "vector of %u elements pushed into vector(%u)", dim, c->type.dim);
    size_t before = c->data.len;
    og_status rc = og_buf_append(&c->data, v, (size_t)dim * 4);
    return rc ? rc : finish_row(c, true, before, 0);
}

og_column *og_column_child(og_column *c) { return c->child; }

og_status og_column_list_close(og_column *c)
{
    if (c->type.id != OG_TYPE_LIST) return type_err(c, "a list");
    if (c->child->null_count)
        return og_error_set(OG_E_INVALID, "list elements may not be null");
    return finish_row(c, true, c->data.len, (uint64_t)c->child->len);
}

bool og_column_get_bool(const og_column *c, size_t i) { return c->data.data[i] != 0; }

int64_t og_column_get_i64(const og_column *c, size_t i)
{
    const char *p = c->data.data;
    switch (c->type.id) {
    case OG_TYPE_I32: case OG_TYPE_DATE: { int32_t x; memcpy(&x, p + i * 4, 4); return x; }
    case OG_TYPE_U32: { uint32_t x; memcpy(&x, p + i * 4, 4); return x; }
    case OG_TYPE_I64: case OG_TYPE_DATETIME: case OG_TYPE_U64: { int64_t x; memcpy(&x, p + i * 8, 8); return x; }
    case OG_TYPE_BOOL: return p[i] != 0;
    case OG_TYPE_F32: case OG_TYPE_F64: return (int64_t)og_column_get_f64(c, i);
    default: return 0;
    }
}

uint64_t og_column_get_u64(const og_column *c, size_t i)
{
    if (c->type.id == OG_TYPE_U64) { uint64_t x; memcpy(&x, c->data.data + i * 8, 8); return x; }
    return (uint64_t)og_column_get_i64(c, i);
}

double og_column_get_f64(const og_column *c, size_t i)
{
    const char *p = c->data.data;
    if (c->type.id == OG_TYPE_F32) { float x; memcpy(&x, p + i * 4, 4); return x; }
    if (c->type.id == OG_TYPE_F64) { double x; memcpy(&x, p + i * 8, 8); return x; }
    if (c->type.id == OG_TYPE_U64) return (double)og_column_get_u64(c, i);
    return (double)og_column_get_i64(c, i);
}

const char *og_column_get_bytes(const og_column *c, size_t i, size_t *n)
{
    uint64_t b, e;
    memcpy(&b, c->offs.data + i * 8, 8);
    memcpy(&e, c->offs.data + (i + 1) * 8, 8);
    *n = (size_t)(e - b);
    return c->data.data ? c->data.data + b : "";
}

const float *og_column_get_vector(const og_column *c, size_t i)
{
    return (const float *)(const void *)(c->data.data + i * (size_t)c->type.dim * 4);
}

void og_column_list_range(const og_column *c, size_t i, size_t *begin, size_t *end)
{
    uint64_t b, e;
    memcpy(&b, c->offs.data + i * 8, 8);
    memcpy(&e, c->offs.data + (i + 1) * 8, 8);
    *begin = (size_t)b;
    *end = (size_t)e;
}

og_status og_column_append_row(og_column *dst, const og_column *src, size_t row)
{
    if (!og_type_eq(dst->type, src->type))
        return og_error_set(OG_E_INVALID, "append_row: column types differ");
    if (og_column_is_null(src, row)) return og_column_push_null(dst);
    switch (src->type.id) {
    case OG_TYPE_UTF8: case OG_TYPE_BINARY: {
        size_t n;
        const char *p = og_column_get_bytes(src, row, &n);
        return og_column_push_bytes(dst, p, n);
    }
    case OG_TYPE_LIST: {
        size_t b, e, mark = dst->child->len;
        og_column_list_range(src, row, &b, &e);
        for (size_t k = b; k < e; k++) {
            og_status rc = og_column_append_row(dst->child, src->child, k);
            if (rc) {
                /* roll the child back to its length before this row */
                og_column *ch = dst->child;
                ch->len = mark;
                ch->valid.len = mark;
                if (ch->offs.len) ch->offs.len = (mark + 1) * 8;
                ch->data.len = og_type_width(ch->type) ? mark * og_type_width(ch->type)
                               : (size_t)cur_end(ch);
                return rc;
            }
        }
        return og_column_list_close(dst);
    }
    default: {
        size_t w = og_type_width(src->type);
        size_t before = dst->data.len;
        og_status rc = og_buf_append(&dst->data, src->data.data + row * w, w);
        return rc ? rc : finish_row(dst, true, before, 0);
    }
    }
}

bool og_column_row_eq(const og_column *a, size_t i, const og_column *b, size_t j)
{
    if (!og_type_eq(a->type, b->type)) return false;
    bool na = og_column_is_null(a, i), nb = og_column_is_null(b, j);
    if (na || nb) return na == nb;
    switch (a->type.id) {
    case OG_TYPE_UTF8: case OG_TYPE_BINARY: {
        size_t n1, n2;
        const char *p1 = og_column_get_bytes(a, i, &n1), *p2 = og_column_get_bytes(b, j, &n2);
        return n1 == n2 && (n1 == 0 || !memcmp(p1, p2, n1));
    }
    case OG_TYPE_LIST: {
        size_t b1, e1, b2, e2;
        og_column_list_range(a, i, &b1, &e1);
        og_column_list_range(b, j, &b2, &e2);
        if (e1 - b1 != e2 - b2) return false;
        for (size_t k = 0; k < e1 - b1; k++)
            if (!og_column_row_eq(a->child, b1 + k, b->child, b2 + k)) return false;
        return true;
    }
    default: {
        size_t w = og_type_width(a->type);
        return !memcmp(a->data.data + i * w, b->data.data + j * w, w);
    }
    }
}

og_status og_batch_adopt(og_batch *b, const char *name, og_column *c)
{
    og_status rc = OG_OK;
    char *nm = strdup(name);
    char **names = NULL;
    og_column **cols = NULL;
    if (!nm) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    names = realloc(b->names, (b->ncols + 1) * sizeof *names);
    if (!names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    b->names = names;
    cols = realloc(b->cols, (b->ncols + 1) * sizeof *cols);
    if (!cols) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    b->cols = cols;
    b->names[b->ncols] = nm;
    b->cols[b->ncols] = c;
    b->ncols++;
    nm = NULL;
    c = NULL;
done:
    free(nm);
    og_column_destroy(c);
    return rc;
}

og_status og_batch_add(og_batch *b, const char *name, og_type t, og_column **out)
{
    og_column *c = NULL;
    og_status rc = og_column_new(t, &c);
    if (rc) return rc;
    if ((rc = og_batch_adopt(b, name, c))) return rc;
    if (out) *out = c;
    return OG_OK;
}

og_column *og_batch_col(const og_batch *b, const char *name)
{
    for (size_t i = 0; i < b->ncols; i++)
        if (!strcmp(b->names[i], name)) return b->cols[i];
    return NULL;
}

og_status og_batch_seal(og_batch *b)
{
    size_t n = b->ncols ? b->cols[0]->len : 0;
    for (size_t i = 1; i < b->ncols; i++)
        if (b->cols[i]->len != n)
            return og_error_set(OG_E_INVALID, "column `%s` has %zu rows, `%s` has %zu",
                                b->names[i], b->cols[i]->len, b->names[0], n);
    b->nrows = n;
    return OG_OK;
}

void og_batch_free(og_batch *b)
{
    for (size_t i = 0; i < b->ncols; i++) {
        free(b->names[i]);
        og_column_destroy(b->cols[i]);
    }
    free(b->names);
    free(b->cols);
    memset(b, 0, sizeof *b);
}
