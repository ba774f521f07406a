/* graph_root.c — the object layout of a graph root's __manifest and the
 * strict field readers every manifest decoder uses (internal.h).
 * (1) Version objects are named by the reversed number 2^64-1-N printed as
 *     20 zero-padded digits, so the first key of a LIST is the newest.
 * (2) A listed key that does not have that exact form is corruption, not
 *     something to skip: the chain directory holds nothing else.
 * (3) Readers never coerce: an integer field holding a string, a real or a
 *     negative number fails naming the object and the field. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

og_status og_graph_key_ref(og_buf *out, const char *branch)
{
    og_buf_clear(out);
    return og_buf_printf(out, OG_GRAPH_REFS_PREFIX "%s.json", branch);
}

og_status og_graph_key_chain(og_buf *out, const char *uid)
{
    og_buf_clear(out);
    return og_buf_printf(out, OG_GRAPH_CHAINS_PREFIX "%s/v/", uid);
}

og_status og_graph_key_version(og_buf *out, const char *uid, uint64_t version)
{
    og_buf_clear(out);
    return og_buf_printf(out, OG_GRAPH_CHAINS_PREFIX "%s/v/%020llu.json", uid,
                         (unsigned long long)(UINT64_MAX - version));
}

og_status og_graph_key_commit(og_buf *out, const char *commit_id)
{
    og_buf_clear(out);
    return og_buf_printf(out, OG_GRAPH_COMMITS_PREFIX "%s.json", commit_id);
}

og_status og_graph_key_version_parse(const char *key, const char *uid, uint64_t *version)
{
    og_status rc = OG_OK;
    og_buf prefix = OG_BUF_INIT;
    *version = 0;
    rc = og_graph_key_chain(&prefix, uid);
    if (rc) goto done;
    size_t pl = prefix.len, kl = strlen(key);
    if (kl != pl + 20 + 5 || strncmp(key, prefix.data, pl) != 0 ||
        strcmp(key + pl + 20, ".json") != 0) {
        rc = og_error_set(OG_E_CORRUPT, "unexpected object `%s` in manifest chain %s", key, uid);
        goto done;
    }
    uint64_t rev = 0;
    for (size_t i = 0; i < 20; i++) {
        char c = key[pl + i];
        unsigned d = (unsigned)(c - '0');
        if (c < '0' || c > '9' || rev > (UINT64_MAX - d) / 10) {
            rc = og_error_set(OG_E_CORRUPT, "unexpected object `%s` in manifest chain %s", key,
                              uid);
            goto done;
        }
        rev = rev * 10 + d;
    }
    if (rev == UINT64_MAX) { /* version 0 does not exist */
        rc = og_error_set(OG_E_CORRUPT, "object `%s` names manifest version 0", key);
        goto done;
    }
    *version = UINT64_MAX - rev;
done:
    og_buf_free(&prefix);
    return rc;
}

static const char *jtype(const json_t *v)
{
    if (!v) return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static og_status bad(const char *obj, const char *path, const char *key, const char *want,
                     const json_t *got)
{
    return og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `%s%s%s`: expected %s, got %s",
                        obj, path, (path[0] && key[0]) ? "." : "", key, want, jtype(got));
}

og_status og_gdec_object(const char *obj, const char *path, const json_t *v,
                         const char *const *allowed)
{
    if (!v || !json_is_object(v))
        return og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: %s%s%s is %s, expected an object",
                            obj, path[0] ? "field `" : "the document", path,
                            path[0] ? "`" : "", jtype(v));
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val) {
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0) { ok = true; break; }
        if (!ok)
            return og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: unknown field `%s%s%s`",
                                obj, path, path[0] ? "." : "", k);
    }
    return OG_OK;
}

og_status og_gdec_str(const char *obj, const char *path, const json_t *o, const char *key,
                      bool nullable, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (nullable && v && json_is_null(v)) return OG_OK;
    if (!v || !json_is_string(v))
        return bad(obj, path, key, nullable ? "a string or null" : "a string", v);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return bad(obj, path, key, "a string without NUL", v);
    *out = json_string_value(v);
    return OG_OK;
}

og_status og_gdec_i64(const char *obj, const char *path, const json_t *o, const char *key,
                      int64_t *out)
{
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || !json_is_integer(v)) return bad(obj, path, key, "an integer", v);
    *out = (int64_t)json_integer_value(v);
    return OG_OK;
}

og_status og_gdec_u64(const char *obj, const char *path, const json_t *o, const char *key,
                      uint64_t *out)
{
    json_t *v = json_object_get(o, key);
    *out = 0;
    if (!v || !json_is_integer(v) || json_integer_value(v) < 0)
        return bad(obj, path, key, "a non-negative integer", v);
    *out = (uint64_t)json_integer_value(v);
    return OG_OK;
}

og_status og_gdec_ulid(const char *obj, const char *path, const json_t *o, const char *key,
                       bool nullable, char out[OG_ULID_LEN + 1])
{
    const char *s = NULL;
    out[0] = 0;
    og_status rc = og_gdec_str(obj, path, o, key, nullable, &s);
    if (rc) return rc;
    if (!s) return OG_OK;
    if (!og_ulid_valid(s)) return bad(obj, path, key, "a ULID", json_object_get(o, key));
    memcpy(out, s, OG_ULID_LEN + 1);
    return OG_OK;
}

og_status og_gdec_format(const char *obj, const json_t *o, const char *key, int64_t supported)
{
    int64_t f = 0;
    og_status rc = og_gdec_i64(obj, "", o, key, &f);
    if (rc) return rc;
    if (f > supported)
        return og_error_set(OG_E_UNSUPPORTED,
                            "manifest object `%s` has %s %lld, newer than %lld which this build "
                            "reads: upgrade omnigraph",
                            obj, key, (long long)f, (long long)supported);
    if (f < 1)
        return og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `%s`: %lld is not a "
                            "valid value", obj, key, (long long)f);
    if (f < supported)
        return og_error_set(OG_E_UNSUPPORTED,
                            "manifest object `%s` has %s %lld, older than %lld which this build "
                            "reads, and no migration exists for it", obj, key, (long long)f,
                            (long long)supported);
    return OG_OK;
}

og_status og_gstrdup(const char *s, char **out)
{
    *out = NULL;
    if (!s) return OG_OK;
    *out = strdup(s);
    return *out ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory copying a string");
}

void og_genc_set(json_t *o, const char *key, json_t *v, og_status *rc)
{
    if (*rc) { json_decref(v); return; }
    if (!v || json_object_set_new(o, key, v) != 0)
        *rc = og_error_set(OG_E_NOMEM, "out of memory encoding field `%s`", key);
}

void og_genc_str(json_t *o, const char *key, const char *s, og_status *rc)
{
    if (*rc) return;
    json_t *v = s ? json_string(s) : json_null();
    if (!v && s) {
        *rc = og_error_set(OG_E_INVALID, "field `%s` is not valid UTF-8 text", key);
        return;
    }
    og_genc_set(o, key, v, rc);
}

void og_genc_int(json_t *o, const char *key, int64_t v, og_status *rc)
{
    if (*rc) return;
    og_genc_set(o, key, json_integer((json_int_t)v), rc);
}

og_status og_gerr_corrupt(const char *obj, const char *prefix)
{
    char why[512];
    snprintf(why, sizeof why, "%s", og_error_last()->message); /* set() overwrites it */
    return og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: %s%s", obj, prefix, why);
}
