/* internal.h — helpers shared by the store backends; not for other layers.
 * (1) Etags are the lowercase hex XXH3-128 of the content (32 chars), the
 *     same on every local backend, so equal content has equal etags.
 * (2) og_store_key_fmt renders any key (even hostile) as a short printable
 *     string for error messages. */
#ifndef OG_STORE_INTERNAL_H
#define OG_STORE_INTERNAL_H

#include <stddef.h>
#include "store.h"

void og_store_etag_compute(const void *p, size_t n, char out[OG_ETAG_MAX]);
/* Writes a quoted, escaped, possibly shortened rendering of key[0..len). */
const char *og_store_key_fmt(const char *key, size_t len, char *buf, size_t cap);
/* Appends a copy of key (and size) to l; OG_E_NOMEM on failure. */
og_status og_store_list_push(og_list *l, size_t *cap, const char *key, uint64_t size);

#endif
