/* exec_dump.c — compact JSON text of query output (og_exec_dump), written
 * directly instead of through json_dumps, which dominated og_db_query.
 * (1) The text is byte-for-byte what json_dumps(root, JSON_COMPACT) gives
 *     (object keys in insertion order, jansson's string escapes with
 *     upper-case \uXXXX, "%lld" integers), except (2).
 * (2) A string that starts with the result's U64 marker (exec.h (5)) is
 *     written as its bare digits: an exact integer above 2^63-1.
 * (3) Reals and strings with non-ASCII bytes are rare in this output and
 *     subtle to format; they are rendered by jansson itself (one value at
 *     a time), so (1) holds for them by construction. */
#include "exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static og_status via_jansson(const json_t *v, og_buf *b)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t) return og_error_set(OG_E_INVALID, "value cannot be rendered as JSON (invalid UTF-8?)");
    og_status rc = og_buf_append_str(b, t);
    free(t);
    return rc;
}

/* v: the string as a JSON value, or NULL (made only if needed). */
static og_status put_string(const char *s, size_t n, const json_t *v, og_buf *b)
{
    static const char hex[] = "0123456789ABCDEF";
    og_status rc = OG_OK;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) {   /* (3) */
            if (v) return via_jansson(v, b);
            json_t *t = json_stringn_nocheck(s, n);
            if (!t) return og_error_set(OG_E_NOMEM, "out of memory rendering JSON output");
            rc = via_jansson(t, b);
            json_decref(t);
            return rc;
        }
    if ((rc = og_buf_append_byte(b, '"'))) return rc;
    size_t run = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if ((rc = og_buf_append(b, s + run, i - run))) break;
        run = i + 1;
        char esc[8] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            break;
        }
        rc = og_buf_append_str(b, esc);
    }
    if (!rc) rc = og_buf_append(b, s + run, n - run);
    if (!rc) rc = og_buf_append_byte(b, '"');
    return rc;
}

static og_status put(const json_t *v, const char *marker, size_t ml, og_buf *b)
{
    og_status rc = OG_OK;
    char num[32];
    switch (json_typeof(v)) {
    case JSON_NULL: return og_buf_append(b, "null", 4);
    case JSON_TRUE: return og_buf_append(b, "true", 4);
    case JSON_FALSE: return og_buf_append(b, "false", 5);
    case JSON_INTEGER: {
        int n = snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return og_buf_append(b, num, (size_t)n);
    }
    case JSON_REAL: return via_jansson(v, b);
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (ml && n > ml && memcmp(s, marker, ml) == 0) return og_buf_append(b, s + ml, n - ml);   /* (2) */
        return put_string(s, n, v, b);
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;
        if ((rc = og_buf_append_byte(b, '['))) return rc;
        json_array_foreach((json_t *)v, i, x) {
            if (i && (rc = og_buf_append_byte(b, ','))) return rc;
            if ((rc = put(x, marker, ml, b))) return rc;
        }
        return og_buf_append_byte(b, ']');
    }
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        bool first = true;
        if ((rc = og_buf_append_byte(b, '{'))) return rc;
        json_object_foreach((json_t *)v, k, x) {
            if (!first && (rc = og_buf_append_byte(b, ','))) return rc;
            first = false;
            if ((rc = put_string(k, strlen(k), NULL, b)) || (rc = og_buf_append_byte(b, ':')) ||
                (rc = put(x, marker, ml, b)))
                return rc;
        }
        return og_buf_append_byte(b, '}');
    }
    }
    return og_error_set(OG_E_INTERNAL, "unknown JSON value");
}

og_status og_exec_dump(const og_exec_result *r, const json_t *root, char **out)
{
    og_buf b = OG_BUF_INIT;
    const char *marker = r ? r->u64_marker : "";
    *out = NULL;
    if (!root) return og_error_set(OG_E_INVALID, "nothing to render");
    og_status rc = put(root, marker, strlen(marker), &b);
    if (rc) { og_buf_free(&b); return rc; }
    *out = og_buf_detach(&b, NULL);
    return OG_OK;
}
