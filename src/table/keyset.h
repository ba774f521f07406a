/* keyset.h — the set of primary keys a transaction inserted, kept as
 * sorted unique 64-bit hashes (docs/format.md §5).
 * (1) Used only for conflict detection: two transactions whose key sets
 *     intersect conflict. A hash collision can only cause a spurious
 *     (retryable) conflict, never a missed one.
 * (2) Stored in a checksummed envelope (magic "OGKS"); the decoder checks
 *     strict ascending order. */
#ifndef OG_TABLE_KEYSET_H
#define OG_TABLE_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"
#include "column.h"

#define OG_KEYSET_MAGIC "OGKS"
#define OG_KEYSET_VERSION 1u

uint64_t og_keyset_hash(const og_column *c, size_t row);
/* Sorts and de-duplicates v in place; returns the new length. */
size_t og_keyset_normalize(uint64_t *v, size_t n);
og_status og_keyset_encode(const uint64_t *v, size_t n, og_buf *out);
/* Caller frees *out with free(). */
og_status og_keyset_decode(const void *p, size_t len, uint64_t **out, size_t *n);
bool og_keyset_intersects(const uint64_t *a, size_t na, const uint64_t *b, size_t nb);

#endif
