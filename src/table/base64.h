/* base64.h — canonical base64 for inline bytes in manifests (internal).
 * (1) Encoding is RFC 4648 with '=' padding, no line breaks.
 * (2) Decoding is strict: the length is a multiple of 4, only the alphabet
 *     and trailing padding appear, and unused bits of the last group are
 *     zero, so every byte string has exactly one accepted text. Anything
 *     else is OG_E_CORRUPT. */
#ifndef OG_TABLE_BASE64_H
#define OG_TABLE_BASE64_H

#include <stddef.h>
#include "base/buf.h"
#include "base/status.h"

/* Appends the encoding of p[0..n) to out. */
og_status tbl_b64_encode(const void *p, size_t n, og_buf *out);
/* Replaces out's content with the bytes that s[0..n) encodes. */
og_status tbl_b64_decode(const char *s, size_t n, og_buf *out);

#endif
