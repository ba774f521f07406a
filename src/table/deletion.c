/* deletion.c — deletion vector files (see deletion.h). */
#include "deletion.h"

#include <stdlib.h>
#include "envelope.h"

og_status og_dv_encode(const roaring_bitmap_t *bm, og_buf *out)
{
    og_status rc = OG_OK;
    size_t n = roaring_bitmap_portable_size_in_bytes(bm);
    char *tmp = malloc(n ? n : 1);
    if (!tmp) return og_error_set(OG_E_NOMEM, "out of memory");
    size_t w = roaring_bitmap_portable_serialize(bm, tmp);
    if (w != n) rc = og_error_set(OG_E_INTERNAL, "roaring serialisation size mismatch");
    if (!rc) rc = og_env_wrap(OG_DV_MAGIC, OG_DV_VERSION, tmp, n, out);
    free(tmp);
    return rc;
}

og_status og_dv_decode(const void *p, size_t n, uint64_t nrows, roaring_bitmap_t **out)
{
    const char *body;
    size_t blen;
    roaring_bitmap_t *bm = NULL;
    og_status rc = og_env_unwrap(OG_DV_MAGIC, OG_DV_VERSION, "deletion vector", p, n, &body, &blen, NULL);
    if (rc) goto done;
    bm = roaring_bitmap_portable_deserialize_safe(body, blen);
    if (!bm) { rc = og_error_set(OG_E_CORRUPT, "deletion vector is corrupt: bad bitmap"); goto done; }
    if (roaring_bitmap_portable_size_in_bytes(bm) != blen) {
        rc = og_error_set(OG_E_CORRUPT, "deletion vector is corrupt: trailing bytes");
        goto done;
    }
    if (!roaring_bitmap_is_empty(bm) && (uint64_t)roaring_bitmap_maximum(bm) >= nrows) {
        rc = og_error_set(OG_E_CORRUPT, "deletion vector is corrupt: offset %u past %llu rows",
                          roaring_bitmap_maximum(bm), (unsigned long long)nrows);
        goto done;
    }
done:
    if (rc && bm) { roaring_bitmap_free(bm); bm = NULL; }
    *out = bm;
    return rc;
}

og_status og_dv_write(og_store *s, const char *key, const roaring_bitmap_t *bm)
{
    og_buf b = OG_BUF_INIT;
    og_status rc = og_dv_encode(bm, &b);
    if (!rc) rc = og_store_put_if_absent(s, key, b.data, b.len, NULL);
    og_buf_free(&b);
    return rc;
}

og_status og_dv_read(og_store *s, const char *key, uint64_t nrows, roaring_bitmap_t **out)
{
    og_buf b = OG_BUF_INIT;
    *out = NULL;
    og_status rc = og_store_get(s, key, &b, NULL);
    if (!rc) rc = og_dv_decode(b.data, b.len, nrows, out);
    if (rc) og_error_context(rc, "deletion vector %s", key);
    og_buf_free(&b);
    return rc;
}
