/* arena.h — region allocator in the style of PostgreSQL memory contexts.
 * (1) Allocations come from chunks owned by the arena and are freed all at
 *     once by og_arena_destroy() or og_arena_reset(); there is no per-object free.
 * (2) An arena may have a parent: destroying the parent destroys its children
 *     first, so an operation's sub-steps can never outlive it.
 * (3) Every allocation is aligned to 16 bytes.
 * (4) Allocation failure returns NULL; the arena stays usable. */
#ifndef OG_BASE_ARENA_H
#define OG_BASE_ARENA_H

#include <stddef.h>

typedef struct og_arena og_arena;

/* parent may be NULL. Returns NULL on allocation failure. */
og_arena *og_arena_create(og_arena *parent, const char *name);
/* Destroys children first, then frees every chunk; detaches from the parent. */
void og_arena_destroy(og_arena *a);
/* Frees all allocations (and destroys children) but keeps the arena. */
void og_arena_reset(og_arena *a);

void *og_arena_alloc(og_arena *a, size_t n);   /* uninitialised */
void *og_arena_calloc(og_arena *a, size_t n);  /* zeroed */
char *og_arena_strdup(og_arena *a, const char *s);
char *og_arena_strndup(og_arena *a, const char *s, size_t n);
void *og_arena_memdup(og_arena *a, const void *p, size_t n);
char *og_arena_sprintf(og_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Bytes handed out since creation/reset (children not included). */
size_t og_arena_used(const og_arena *a);
const char *og_arena_name(const og_arena *a);

#endif
