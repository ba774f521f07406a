/* base64.c — canonical base64 (see base64.h). */
#include "base64.h"

#include <stdbool.h>

static const char ALPHA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

og_status tbl_b64_encode(const void *p, size_t n, og_buf *out)
{
    const unsigned char *b = p;
    og_status rc = og_buf_reserve(out, (n + 2) / 3 * 4 + 1);
    for (size_t i = 0; !rc && i < n; i += 3) {
        unsigned v = (unsigned)b[i] << 16;
        if (i + 1 < n) v |= (unsigned)b[i + 1] << 8;
        if (i + 2 < n) v |= b[i + 2];
        char q[4] = {ALPHA[(v >> 18) & 63], ALPHA[(v >> 12) & 63], i + 1 < n ? ALPHA[(v >> 6) & 63] : '=',
                     i + 2 < n ? ALPHA[v & 63] : '='};
        rc = og_buf_append(out, q, 4);
    }
    return rc;
}

static int val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

og_status tbl_b64_decode(const char *s, size_t n, og_buf *out)
{
    og_status rc = OG_OK;
    og_buf_clear(out);
    if (n % 4) return og_error_set(OG_E_CORRUPT, "base64 text of %zu characters is not a multiple of 4", n);
    if ((rc = og_buf_reserve(out, n / 4 * 3 + 1))) return rc;
    for (size_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        int pad = last ? (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=') : 0;
        int d[4];
        for (int k = 0; k < 4 - pad; k++)
            if ((d[k] = val((unsigned char)s[i + k])) < 0)
                return og_error_set(OG_E_CORRUPT, "base64 text holds a bad character at %zu", i + (size_t)k);
        for (int k = 4 - pad; k < 4; k++) d[k] = 0;
        unsigned v = (unsigned)d[0] << 18 | (unsigned)d[1] << 12 | (unsigned)d[2] << 6 | (unsigned)d[3];
        if ((pad == 1 && (v & 0xFF)) || (pad == 2 && (v & 0xFFFF)))
            return og_error_set(OG_E_CORRUPT, "base64 text is not canonical (stray bits in the padding)");
        char b[3] = {(char)(v >> 16), (char)(v >> 8), (char)v};
        if ((rc = og_buf_append(out, b, (size_t)(3 - pad)))) return rc;
    }
    return OG_OK;
}
