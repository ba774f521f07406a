/* envelope.c — frame of small binary objects (see envelope.h). */
#include "envelope.h"

#include <string.h>
#include <xxhash.h>

og_status og_env_wrap(const char magic[4], uint32_t version, const void *body, size_t n, og_buf *out)
{
    uint64_t len = n, sum = XXH64(n ? body : "", n, 0);
    og_status rc = og_buf_append(out, magic, 4);
    if (!rc) rc = og_buf_append_u32le(out, version);
    if (!rc) rc = og_buf_append_u64le(out, len);
    if (!rc) rc = og_buf_append_u64le(out, sum);
    if (!rc && n) rc = og_buf_append(out, body, n);
    return rc;
}

og_status og_env_unwrap(const char magic[4], uint32_t max_version, const char *what,
                        const void *p, size_t n, const char **body, size_t *body_len,
                        uint32_t *version_out)
{
    const char *b = p;
    uint32_t ver;
    uint64_t len, sum;
    if (n < OG_ENV_HEADER_LEN || memcmp(b, magic, 4))
        return og_error_set(OG_E_CORRUPT, "%s is corrupt: bad magic or too short (%zu bytes)", what, n);
    memcpy(&ver, b + 4, 4);
    memcpy(&len, b + 8, 8);
    memcpy(&sum, b + 16, 8);
    if (ver > max_version)
        return og_error_set(OG_E_CORRUPT, "%s format version %u is newer than supported version %u",
                            what, ver, max_version);
    if (ver == 0) return og_error_set(OG_E_CORRUPT, "%s is corrupt: format version 0", what);
    if (len != n - OG_ENV_HEADER_LEN)
        return og_error_set(OG_E_CORRUPT, "%s is corrupt: body length %llu, file holds %zu",
                            what, (unsigned long long)len, n - OG_ENV_HEADER_LEN);
    if (XXH64(b + OG_ENV_HEADER_LEN, (size_t)len, 0) != sum)
        return og_error_set(OG_E_CORRUPT, "%s is corrupt: checksum mismatch", what);
    *body = b + OG_ENV_HEADER_LEN;
    *body_len = (size_t)len;
    if (version_out) *version_out = ver;
    return OG_OK;
}
