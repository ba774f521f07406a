/* arena.c — region allocator in the style of PostgreSQL memory contexts.
 * (1) An arena owns a singly linked list of chunks; allocations bump a
 *     pointer in the head chunk, 16-byte aligned.
 * (2) Requests larger than OG_ARENA_LARGE get a chunk of their own, linked
 *     behind the head so the current bump chunk keeps serving small requests.
 * (3) Children form a doubly linked list under the parent; destroying or
 *     resetting an arena destroys every child first.
 * (4) Reset keeps the first (smallest) chunk of the arena for reuse and frees
 *     the others, so a reset arena does not grow without bound. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OG_ARENA_ALIGN 16
#define OG_ARENA_INIT_CHUNK 8192
#define OG_ARENA_MAX_CHUNK (1u << 20)
#define OG_ARENA_LARGE (OG_ARENA_INIT_CHUNK / 2)

typedef struct chunk {
    struct chunk *next;
    size_t size;  /* usable bytes after the header */
    size_t used;
    /* keep the payload 16-byte aligned */
    _Alignas(16) unsigned char data[];
} chunk;

struct og_arena {
    og_arena *parent;
    og_arena *first_child;
    og_arena *prev_sibling, *next_sibling;
    chunk *head;       /* current bump chunk (first in the list) */
    size_t next_size;  /* size of the next bump chunk */
    size_t used;
    char *name;
};

static size_t align_up(size_t n)
{
    return (n + (OG_ARENA_ALIGN - 1)) & ~(size_t)(OG_ARENA_ALIGN - 1);
}

static chunk *chunk_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(chunk)) return NULL;
    chunk *c = malloc(sizeof(chunk) + size);
    if (!c) return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

og_arena *og_arena_create(og_arena *parent, const char *name)
{
    og_arena *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->name = strdup(name ? name : "");
    if (!a->name) { free(a); return NULL; }
    a->next_size = OG_ARENA_INIT_CHUNK;
    a->parent = parent;
    if (parent) {
        a->next_sibling = parent->first_child;
        if (parent->first_child) parent->first_child->prev_sibling = a;
        parent->first_child = a;
    }
    return a;
}

static void destroy_children(og_arena *a)
{
    while (a->first_child) og_arena_destroy(a->first_child);
}

void og_arena_destroy(og_arena *a)
{
    if (!a) return;
    destroy_children(a);
    if (a->parent) {
        if (a->prev_sibling) a->prev_sibling->next_sibling = a->next_sibling;
        else a->parent->first_child = a->next_sibling;
        if (a->next_sibling) a->next_sibling->prev_sibling = a->prev_sibling;
    }
    chunk *c = a->head;
    while (c) { chunk *n = c->next; free(c); c = n; }
    free(a->name);
    free(a);
}

void og_arena_reset(og_arena *a)
{
    if (!a) return;
    destroy_children(a);
    /* Keep one bump-sized chunk (the smallest non-large one) for reuse. */
    chunk *keep = NULL;
    chunk *c = a->head;
    while (c) {
        chunk *n = c->next;
        if (!keep && c->size == OG_ARENA_INIT_CHUNK) keep = c;
        else free(c);
        c = n;
    }
    if (keep) { keep->next = NULL; keep->used = 0; }
    a->head = keep;
    a->next_size = OG_ARENA_INIT_CHUNK;
    a->used = 0;
}

void *og_arena_alloc(og_arena *a, size_t n)
{
    if (!a) return NULL;
    if (n == 0) n = 1;
    if (n > SIZE_MAX - OG_ARENA_ALIGN) return NULL;
    size_t need = align_up(n);
    void *p = NULL;
    if (need > OG_ARENA_LARGE) {
        chunk *c = chunk_new(need);
        if (!c) return NULL;
        c->used = need;
        if (a->head) { c->next = a->head->next; a->head->next = c; }
        else a->head = c;   /* an arena whose first chunk is large: still fine */
        p = c->data;
    } else {
        chunk *h = a->head;
        if (!h || h->size - h->used < need) {
            chunk *c = chunk_new(a->next_size);
            if (!c) return NULL;
            if (a->next_size < OG_ARENA_MAX_CHUNK) a->next_size *= 2;
            c->next = a->head;
            a->head = c;
            h = c;
        }
        p = h->data + h->used;
        h->used += need;
    }
    a->used += n;
    return p;
}

void *og_arena_calloc(og_arena *a, size_t n)
{
    void *p = og_arena_alloc(a, n);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}

void *og_arena_memdup(og_arena *a, const void *p, size_t n)
{
    void *q = og_arena_alloc(a, n);
    if (q && n) memcpy(q, p, n);
    return q;
}

char *og_arena_strndup(og_arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    if (len == SIZE_MAX) return NULL;
    char *q = og_arena_alloc(a, len + 1);
    if (!q) return NULL;
    memcpy(q, s, len);
    q[len] = 0;
    return q;
}

char *og_arena_strdup(og_arena *a, const char *s)
{
    return og_arena_strndup(a, s, SIZE_MAX);
}

char *og_arena_sprintf(og_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    char *q = NULL;
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0) {
        q = og_arena_alloc(a, (size_t)n + 1);
        if (q) vsnprintf(q, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    va_end(ap);
    return q;
}

size_t og_arena_used(const og_arena *a)
{
    return a ? a->used : 0;
}

const char *og_arena_name(const og_arena *a)
{
    return a ? a->name : "";
}
