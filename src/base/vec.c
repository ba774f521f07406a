/* vec.c — growth for the OG_VEC typed arrays. */
#include "vec.h"

#include <stdint.h>

og_status og_vec_grow_(void **items, size_t *cap, size_t elem, size_t need)
{
    if (need <= *cap) return OG_OK;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) { ncap = need; break; }
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return og_error_set(OG_E_NOMEM, "vector size overflow");
    void *p = realloc(*items, ncap * elem);
    if (!p) return og_error_set(OG_E_NOMEM, "out of memory growing a vector to %zu items", ncap);
    *items = p;
    *cap = ncap;
    return OG_OK;
}
