/* json.c — thin helpers over jansson (see json.h).
 * (1) Parsing accepts any JSON value at top level, rejects duplicate object
 *     keys (a document has one meaning) and reports OG_E_PARSE as
 *     "line L, column C: <reason>".
 * (2) Dumping is JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY, appended to
 *     an og_buf; on failure the buffer is restored to its old length.
 * (3) Getters never coerce: an integer getter refuses reals and strings. */
#include "json.h"

#include <string.h>

og_status og_json_parse(const char *text, size_t len, json_t **out)
{
    *out = NULL;
    json_error_t err;
    json_t *v = json_loadb(text ? text : "", text ? len : 0,
                           JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (!v)
        return og_error_set(OG_E_PARSE, "line %d, column %d: %s", err.line, err.column,
                            err.text);
    *out = v;
    return OG_OK;
}

typedef struct dump_ctx {
    og_buf *out;
    og_status rc;
} dump_ctx;

static int dump_cb(const char *p, size_t n, void *ud)
{
    dump_ctx *c = ud;
    c->rc = og_buf_append(c->out, p, n);
    return c->rc ? -1 : 0;
}

og_status og_json_dump(const json_t *v, og_buf *out)
{
    size_t old = out->len;
    dump_ctx c = {out, OG_OK};
    og_status rc = OG_OK;
    if (!v) { rc = og_error_set(OG_E_INVALID, "cannot dump a NULL json value"); goto done; }
    /* Make sure data is non-NULL even for an (impossible) empty dump. */
    rc = og_buf_reserve(out, 0);
    if (rc) goto done;
    if (json_dump_callback(v, dump_cb, &c, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) != 0) {
        rc = c.rc ? c.rc : og_error_set(OG_E_INVALID, "json value cannot be encoded");
        goto done;
    }
done:
    if (rc && out->data) { out->len = old; out->data[old] = 0; }
    return rc;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER: return "integer";
    case JSON_REAL: return "real";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

/* Looks up key; *v is NULL when absent. Fails when obj is not an object. */
static og_status lookup(const json_t *obj, const char *key, json_t **v)
{
    *v = NULL;
    if (!obj || !json_is_object(obj))
        return og_error_set(OG_E_VALIDATION, "expected an object holding key `%s`, got %s",
                            key, obj ? type_name(obj) : "nothing");
    *v = json_object_get(obj, key);
    return OG_OK;
}

static og_status missing(const char *key, const char *want)
{
    return og_error_set(OG_E_VALIDATION, "missing key `%s` (expected %s)", key, want);
}

static og_status wrong(const char *key, const char *want, const json_t *v)
{
    return og_error_set(OG_E_VALIDATION, "key `%s`: expected %s, got %s", key, want,
                        type_name(v));
}

og_status og_json_get_str(const json_t *obj, const char *key, const char **out)
{
    json_t *v;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v) return missing(key, "string");
    if (!json_is_string(v)) return wrong(key, "string", v);
    *out = json_string_value(v);
    return OG_OK;
}

og_status og_json_get_str_opt(const json_t *obj, const char *key, const char **out)
{
    json_t *v;
    *out = NULL;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v || json_is_null(v)) return OG_OK;
    if (!json_is_string(v)) return wrong(key, "string", v);
    *out = json_string_value(v);
    return OG_OK;
}

og_status og_json_get_i64(const json_t *obj, const char *key, int64_t *out)
{
    json_t *v;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v) return missing(key, "integer");
    if (!json_is_integer(v)) return wrong(key, "integer", v);
    *out = (int64_t)json_integer_value(v);
    return OG_OK;
}

og_status og_json_get_i64_opt(const json_t *obj, const char *key, int64_t *out, bool *present)
{
    json_t *v;
    if (present) *present = false;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v || json_is_null(v)) return OG_OK;
    if (!json_is_integer(v)) return wrong(key, "integer", v);
    *out = (int64_t)json_integer_value(v);
    if (present) *present = true;
    return OG_OK;
}

og_status og_json_get_bool(const json_t *obj, const char *key, bool *out)
{
    json_t *v;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v) return missing(key, "boolean");
    if (!json_is_boolean(v)) return wrong(key, "boolean", v);
    *out = json_is_true(v);
    return OG_OK;
}

og_status og_json_get_obj(const json_t *obj, const char *key, json_t **out)
{
    json_t *v;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v) return missing(key, "object");
    if (!json_is_object(v)) return wrong(key, "object", v);
    *out = v;
    return OG_OK;
}

og_status og_json_get_arr(const json_t *obj, const char *key, json_t **out)
{
    json_t *v;
    og_status rc = lookup(obj, key, &v);
    if (rc) return rc;
    if (!v) return missing(key, "array");
    if (!json_is_array(v)) return wrong(key, "array", v);
    *out = v;
    return OG_OK;
}
