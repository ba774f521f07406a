/* envelope.h — the common frame of the table layer's small binary objects
 * (deletion vectors, manifests, key sets): docs/format.md §1.
 * (1) Layout: 4-byte magic, u32 format version, u64 body length,
 *     u64 xxhash64 of the body, body. Little-endian.
 * (2) Unwrapping checks magic, version (a newer one is refused naming both
 *     versions), exact length and checksum before the body is used; every
 *     failure is OG_E_CORRUPT. */
#ifndef OG_TABLE_ENVELOPE_H
#define OG_TABLE_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"

#define OG_ENV_HEADER_LEN 24u

og_status og_env_wrap(const char magic[4], uint32_t version, const void *body, size_t n, og_buf *out);
/* On success *body points into p. `what` names the object in messages. */
og_status og_env_unwrap(const char magic[4], uint32_t max_version, const char *what,
                        const void *p, size_t n, const char **body, size_t *body_len,
                        uint32_t *version_out);

#endif
