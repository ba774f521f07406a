/* store.c — key rules and the dispatching wrappers of the store interface.
 * (1) Every wrapper validates its key or prefix before the backend sees it:
 *     a backend never receives a key that could name something outside its
 *     root or one of its own bookkeeping files (".og*" components).
 * (2) Wrappers normalise arguments so backends stay simple: meta is never
 *     NULL, out-buffers are cleared, max_keys 0 becomes 1000, an empty
 *     start_after becomes NULL.
 * (3) og_store_list_all follows pagination until truncated is false and
 *     returns everything in byte order. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "internal.h"

#define LIST_DEFAULT_MAX 1000

void og_store_etag_compute(const void *p, size_t n, char out[OG_ETAG_MAX])
{
    XXH128_hash_t h = XXH3_128bits(n ? p : "", n);
    snprintf(out, OG_ETAG_MAX, "%016llx%016llx",
             (unsigned long long)h.high64, (unsigned long long)h.low64);
}

const char *og_store_key_fmt(const char *key, size_t len, char *buf, size_t cap)
{
    size_t o = 0;
    size_t shown = len > 80 ? 80 : len;
    if (cap < 16) { if (cap) buf[0] = 0; return buf; }
    buf[o++] = '"';
    for (size_t i = 0; i < shown && o + 8 < cap; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            buf[o++] = (char)c;
        } else {
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        }
    }
    buf[o++] = '"';
    if (shown < len && o + 24 < cap)
        o += (size_t)snprintf(buf + o, cap - o, "... (%zu bytes)", len);
    buf[o] = 0;
    return buf;
}

og_status og_store_list_push(og_list *l, size_t *cap, const char *key, uint64_t size)
{
    if (l->len == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        og_list_entry *ni = realloc(l->items, ncap * sizeof *ni);
        if (!ni) return og_error_set(OG_E_NOMEM, "list: out of memory");
        l->items = ni;
        *cap = ncap;
    }
    char *k = strdup(key);
    if (!k) return og_error_set(OG_E_NOMEM, "list: out of memory");
    l->items[l->len].key = k;
    l->items[l->len].size = size;
    l->len++;
    return OG_OK;
}

void og_list_free(og_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->len; i++) free(l->items[i].key);
    free(l->items);
    l->items = NULL;
    l->len = 0;
    l->truncated = false;
}

/* Checks components of key[0..len). `partial_last`: the last component may
 * be incomplete (prefix rules): then it only must not start with ".og". */
static og_status check_path(const char *what, const char *key, size_t len, bool partial_last)
{
    char shown[160];
    og_status rc = OG_OK;
    if (len > OG_STORE_KEY_MAX) {
        rc = og_error_set(OG_E_INVALID, "%s %s is %zu bytes long, the limit is %d",
                          what, og_store_key_fmt(key, len, shown, sizeof shown), len,
                          OG_STORE_KEY_MAX);
        goto done;
    }
    if (memchr(key, 0, len)) {
        rc = og_error_set(OG_E_INVALID, "%s %s contains a NUL byte", what,
                          og_store_key_fmt(key, len, shown, sizeof shown));
        goto done;
    }
    if (len > 0 && key[0] == '/') {
        rc = og_error_set(OG_E_INVALID, "%s %s starts with '/': keys are relative", what,
                          og_store_key_fmt(key, len, shown, sizeof shown));
        goto done;
    }
    size_t start = 0;
    while (start <= len) {
        const char *slash = memchr(key + start, '/', len - start);
        size_t end = slash ? (size_t)(slash - key) : len;
        size_t clen = end - start;
        const char *c = key + start;
        bool last = !slash;
        if (last && partial_last) {
            if (clen >= 3 && memcmp(c, ".og", 3) == 0) {
                rc = og_error_set(OG_E_INVALID,
                                  "%s %s has a component starting with \".og\" (reserved)",
                                  what, og_store_key_fmt(key, len, shown, sizeof shown));
            }
            goto done;
        }
        if (clen == 0) {
            rc = og_error_set(OG_E_INVALID, "%s %s has an empty path component", what,
                              og_store_key_fmt(key, len, shown, sizeof shown));
            goto done;
        }
        if ((clen == 1 && c[0] == '.') || (clen == 2 && c[0] == '.' && c[1] == '.')) {
            rc = og_error_set(OG_E_INVALID, "%s %s has a \"%.*s\" component", what,
                              og_store_key_fmt(key, len, shown, sizeof shown), (int)clen, c);
            goto done;
        }
        if (clen >= 3 && memcmp(c, ".og", 3) == 0) {
            rc = og_error_set(OG_E_INVALID,
                              "%s %s has a component starting with \".og\" (reserved)",
                              what, og_store_key_fmt(key, len, shown, sizeof shown));
            goto done;
        }
        if (last) break;
        start = end + 1;
    }
done:
    return rc;
}

og_status og_store_key_validate(const char *key, size_t len)
{
    if (!key) return og_error_set(OG_E_INVALID, "key is NULL");
    if (len == 0) return og_error_set(OG_E_INVALID, "key is empty");
    return check_path("key", key, len, false);
}

og_status og_store_prefix_validate(const char *prefix)
{
    if (!prefix) return og_error_set(OG_E_INVALID, "prefix is NULL");
    return check_path("prefix", prefix, strlen(prefix), true);
}

static og_status check_key(og_store *s, const char *key)
{
    if (!s) return og_error_set(OG_E_INVALID, "store handle is NULL");
    if (!key) return og_error_set(OG_E_INVALID, "key is NULL");
    return og_store_key_validate(key, strlen(key));
}

og_status og_store_get(og_store *s, const char *key, og_buf *out, og_obj_meta *meta)
{
    og_obj_meta m;
    og_status rc = check_key(s, key);
    if (rc) return rc;
    if (!out) return og_error_set(OG_E_INVALID, "get: output buffer is NULL");
    og_buf_clear(out);
    return s->ops->get(s, key, out, meta ? meta : &m);
}

og_status og_store_get_range(og_store *s, const char *key, uint64_t off, uint64_t len, og_buf *out)
{
    og_status rc = check_key(s, key);
    if (rc) return rc;
    if (!out) return og_error_set(OG_E_INVALID, "get_range: output buffer is NULL");
    og_buf_clear(out);
    return s->ops->get_range(s, key, off, len, out);
}

og_status og_store_head(og_store *s, const char *key, og_obj_meta *out)
{
    og_obj_meta m;
    og_status rc = check_key(s, key);
    if (rc) return rc;
    return s->ops->head(s, key, out ? out : &m);
}

og_status og_store_put(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta)
{
    og_obj_meta m;
    og_status rc = check_key(s, key);
    if (rc) return rc;
    if (!p && n) return og_error_set(OG_E_INVALID, "put: data is NULL");
    return s->ops->put(s, key, p ? p : "", n, meta ? meta : &m);
}

og_status og_store_put_if_absent(og_store *s, const char *key, const void *p, size_t n,
                                 og_obj_meta *meta)
{
    og_obj_meta m;
    og_status rc = check_key(s, key);
    if (rc) return rc;
    if (!p && n) return og_error_set(OG_E_INVALID, "put_if_absent: data is NULL");
    return s->ops->put_if_absent(s, key, p ? p : "", n, meta ? meta : &m);
}

og_status og_store_put_if_match(og_store *s, const char *key, const char *etag,
                                const void *p, size_t n, og_obj_meta *meta)
{
    og_obj_meta m;
    og_status rc = check_key(s, key);
    if (rc) return rc;
    if (!etag || !*etag || strlen(etag) >= OG_ETAG_MAX)
        return og_error_set(OG_E_INVALID, "put_if_match: etag is missing or too long");
    if (!p && n) return og_error_set(OG_E_INVALID, "put_if_match: data is NULL");
    return s->ops->put_if_match(s, key, etag, p ? p : "", n, meta ? meta : &m);
}

og_status og_store_list(og_store *s, const char *prefix, const char *start_after,
                        size_t max_keys, og_list *out)
{
    if (!s) return og_error_set(OG_E_INVALID, "store handle is NULL");
    if (!out) return og_error_set(OG_E_INVALID, "list: output is NULL");
    out->items = NULL;
    out->len = 0;
    out->truncated = false;
    if (!prefix) prefix = "";
    og_status rc = og_store_prefix_validate(prefix);
    if (rc) return rc;
    if (start_after && !*start_after) start_after = NULL;
    if (max_keys == 0) max_keys = LIST_DEFAULT_MAX;
    rc = s->ops->list(s, prefix, start_after, max_keys, out);
    if (rc) og_list_free(out);
    return rc;
}

og_status og_store_list_all(og_store *s, const char *prefix, og_list *out)
{
    og_list page = {0};
    size_t cap = 0;
    char *after = NULL;
    og_status rc = OG_OK;
    if (!out) return og_error_set(OG_E_INVALID, "list: output is NULL");
    out->items = NULL;
    out->len = 0;
    out->truncated = false;
    for (;;) {
        rc = og_store_list(s, prefix, after, LIST_DEFAULT_MAX, &page);
        if (rc) goto done;
        for (size_t i = 0; i < page.len; i++) {
            /* move the key string instead of copying it */
            if (out->len == cap) {
                size_t ncap = cap ? cap * 2 : 64;
                og_list_entry *ni = realloc(out->items, ncap * sizeof *ni);
                if (!ni) { rc = og_error_set(OG_E_NOMEM, "list: out of memory"); goto done; }
                out->items = ni;
                cap = ncap;
            }
            out->items[out->len++] = page.items[i];
            page.items[i].key = NULL;
        }
        if (!page.truncated || page.len == 0) break;
        free(after);
        after = strdup(out->items[out->len - 1].key);
        if (!after) { rc = og_error_set(OG_E_NOMEM, "list: out of memory"); goto done; }
        og_list_free(&page);
    }
done:
    og_list_free(&page);
    free(after);
    if (rc) og_list_free(out);
    return rc;
}

og_status og_store_delete(og_store *s, const char *key)
{
    og_status rc = check_key(s, key);
    if (rc) return rc;
    return s->ops->del(s, key);
}

og_status og_store_delete_prefix(og_store *s, const char *prefix)
{
    if (!s) return og_error_set(OG_E_INVALID, "store handle is NULL");
    if (!prefix) return og_error_set(OG_E_INVALID, "prefix is NULL");
    og_status rc = og_store_prefix_validate(prefix);
    if (rc) return rc;
    return s->ops->del_prefix(s, prefix);
}

void og_store_close(og_store *s)
{
    if (s) s->ops->close(s);
}

og_status og_store_change_seq(og_store *s, uint64_t *out)
{
    if (!s || !s->ops->change_seq) return OG_E_UNSUPPORTED;
    return s->ops->change_seq(s, out);
}
