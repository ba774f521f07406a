/* map.h — open-addressing hash maps (linear probing, power-of-two capacity,
 * backward-shift deletion, so there are no tombstones).
 * (1) og_map: byte-string keys (copied into the map) -> void* values.
 * (2) og_u64map: uint64 keys -> uint64 values, for hot loops (dense ids).
 * (3) Load factor stays <= 0.75; growth failure returns OG_E_NOMEM and leaves
 *     the map unchanged.
 * (4) Iteration order is unspecified; iterate with the *_next functions
 *     (any insert/delete invalidates an iteration). */
#ifndef OG_BASE_MAP_H
#define OG_BASE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "status.h"

typedef struct og_map og_map;

og_map *og_map_new(void);                       /* NULL on OOM */
void og_map_free(og_map *m);                   /* does not free values */
size_t og_map_len(const og_map *m);
/* Inserts or replaces; *old_out (nullable) receives a replaced value or NULL. */
og_status og_map_put(og_map *m, const void *key, size_t klen, void *val, void **old_out);
/* Returns true and sets *val_out when found. */
bool og_map_get(const og_map *m, const void *key, size_t klen, void **val_out);
/* Returns true and sets *val_out (nullable) when a key was removed. */
bool og_map_del(og_map *m, const void *key, size_t klen, void **val_out);
/* Iteration: start with *pos = 0; returns false at the end. */
bool og_map_next(const og_map *m, size_t *pos, const void **key, size_t *klen, void **val);

/* Convenience for NUL-terminated keys. */
static inline og_status og_map_puts(og_map *m, const char *k, void *v, void **old)
{ size_t n = 0; while (k[n]) n++; return og_map_put(m, k, n, v, old); }
static inline bool og_map_gets(const og_map *m, const char *k, void **v)
{ size_t n = 0; while (k[n]) n++; return og_map_get(m, k, n, v); }

typedef struct og_u64map og_u64map;

og_u64map *og_u64map_new(size_t expected);     /* NULL on OOM */
void og_u64map_free(og_u64map *m);
size_t og_u64map_len(const og_u64map *m);
og_status og_u64map_put(og_u64map *m, uint64_t key, uint64_t val);
bool og_u64map_get(const og_u64map *m, uint64_t key, uint64_t *val_out);
bool og_u64map_del(og_u64map *m, uint64_t key);
bool og_u64map_next(const og_u64map *m, size_t *pos, uint64_t *key, uint64_t *val);

/* 64-bit hash of bytes (xxh3), exposed for callers that shard by key. */
uint64_t og_hash_bytes(const void *p, size_t n);

#endif
