/* vec.h — typed growable arrays.
 * (1) OG_VEC(T) declares an anonymous struct {T *items; size_t len, cap;};
 *     give it a typedef: `typedef OG_VEC(int64_t) og_i64_vec;`.
 * (2) A zero-initialised vector is valid and empty.
 * (3) og_vec_push/og_vec_reserve evaluate to og_status (OG_E_NOMEM on failure,
 *     vector unchanged). */
#ifndef OG_BASE_VEC_H
#define OG_BASE_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include "status.h"

#define OG_VEC(T) struct { T *items; size_t len; size_t cap; }

/* Grows *items so that it can hold at least `need` elements. */
og_status og_vec_grow_(void **items, size_t *cap, size_t elem, size_t need);

#define og_vec_reserve(v, n) \
    og_vec_grow_((void **)&(v)->items, &(v)->cap, sizeof(*(v)->items), (v)->len + (n))

#define og_vec_push(v, x) \
    (og_vec_reserve((v), 1) ? OG_E_NOMEM : ((v)->items[(v)->len++] = (x), OG_OK))

#define og_vec_free(v) \
    do { free((v)->items); (v)->items = NULL; (v)->len = (v)->cap = 0; } while (0)

#define og_vec_clear(v) ((v)->len = 0)

#endif
