/* buf.c — growable byte buffer (see buf.h for the invariants). */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

og_status og_buf_reserve(og_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return og_error_set(OG_E_NOMEM, "buffer size overflow");
    size_t need = b->len + extra + 1; /* room for the NUL */
    if (need <= b->cap) return OG_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) return og_error_set(OG_E_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
    b->data = p;
    b->cap = cap;
    return OG_OK;
}

og_status og_buf_append(og_buf *b, const void *p, size_t n)
{
    og_status rc = og_buf_reserve(b, n);
    if (rc) return rc;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return OG_OK;
}

og_status og_buf_append_str(og_buf *b, const char *s)
{
    return og_buf_append(b, s, strlen(s));
}

og_status og_buf_append_byte(og_buf *b, uint8_t c)
{
    return og_buf_append(b, &c, 1);
}

og_status og_buf_vprintf(og_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return og_error_set(OG_E_INVALID, "bad format string");
    og_status rc = og_buf_reserve(b, (size_t)n);
    if (rc) return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return OG_OK;
}

og_status og_buf_printf(og_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    og_status rc = og_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

og_status og_buf_append_u32le(og_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return og_buf_append(b, x, 4);
}

og_status og_buf_append_u64le(og_buf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
    return og_buf_append(b, x, 8);
}

og_status og_buf_set(og_buf *b, const void *p, size_t n)
{
    og_buf_clear(b);
    return og_buf_append(b, p, n);
}

void og_buf_clear(og_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

void og_buf_free(og_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *og_buf_detach(og_buf *b, size_t *len_out)
{
    char *p = b->data;
    size_t n = b->len;
    if (!p) {
        p = malloc(1);
        if (p) p[0] = 0;
        n = 0;
    }
    b->data = NULL;
    b->len = b->cap = 0;
    if (len_out) *len_out = n;
    return p;
}

const char *og_buf_cstr(const og_buf *b)
{
    return b->data ? b->data : "";
}
