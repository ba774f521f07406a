/* deletion.h — deletion vectors: which row offsets of one fragment are
 * deleted (docs/format.md §3).
 * (1) One immutable object per change: a new vector is the old one plus the
 *     new deletions, written under a fresh name; old vectors stay for older
 *     versions.
 * (2) The body is a CRoaring bitmap in the portable serialisation, read
 *     with roaring_bitmap_portable_deserialize_safe inside a checksummed
 *     envelope; every offset must be below the fragment's row count. */
#ifndef OG_TABLE_DELETION_H
#define OG_TABLE_DELETION_H

#include <roaring/roaring.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"
#include "store/store.h"

#define OG_DV_MAGIC "OGDV"
#define OG_DV_VERSION 1u

og_status og_dv_encode(const roaring_bitmap_t *bm, og_buf *out);
/* nrows bounds every offset; caller frees *out with roaring_bitmap_free. */
og_status og_dv_decode(const void *p, size_t n, uint64_t nrows, roaring_bitmap_t **out);
og_status og_dv_write(og_store *s, const char *key, const roaring_bitmap_t *bm);
og_status og_dv_read(og_store *s, const char *key, uint64_t nrows, roaring_bitmap_t **out);

#endif
