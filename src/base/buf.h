/* buf.h — growable byte buffer, also the library's string builder.
 * (1) data is always NUL-terminated (data[len] == 0) once any byte was
 *     added, so a buffer can be used as a C string; binary data may contain
 *     NULs before len.
 * (2) A zero-initialised og_buf (OG_BUF_INIT) is valid and empty; data may
 *     be NULL until the first append.
 * (3) Growth failures return OG_E_NOMEM and leave the buffer unchanged. */
#ifndef OG_BASE_BUF_H
#define OG_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "status.h"

typedef struct og_buf {
    char *data;
    size_t len;
    size_t cap;
} og_buf;

#define OG_BUF_INIT {NULL, 0, 0}

og_status og_buf_reserve(og_buf *b, size_t extra);
og_status og_buf_append(og_buf *b, const void *p, size_t n);
og_status og_buf_append_str(og_buf *b, const char *s);
og_status og_buf_append_byte(og_buf *b, uint8_t c);
og_status og_buf_printf(og_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
og_status og_buf_vprintf(og_buf *b, const char *fmt, va_list ap);
/* Little-endian fixed-width appends for binary formats. */
og_status og_buf_append_u32le(og_buf *b, uint32_t v);
og_status og_buf_append_u64le(og_buf *b, uint64_t v);
og_status og_buf_set(og_buf *b, const void *p, size_t n); /* replace content */
void og_buf_clear(og_buf *b);          /* len = 0, keeps capacity */
void og_buf_free(og_buf *b);           /* releases memory, back to empty */
/* Hands the heap block to the caller (free with free()); buffer becomes empty.
 * Never returns NULL: an empty buffer yields an allocated "". */
char *og_buf_detach(og_buf *b, size_t *len_out);
/* Returns a C string view: "" for an empty buffer. */
const char *og_buf_cstr(const og_buf *b);

#endif
