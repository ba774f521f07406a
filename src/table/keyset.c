/* keyset.c — inserted-key hash sets (see keyset.h). */
#include "keyset.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "envelope.h"

uint64_t og_keyset_hash(const og_column *c, size_t row)
{
    if (og_column_is_null(c, row)) return 0;
    if (c->type.id == OG_TYPE_UTF8 || c->type.id == OG_TYPE_BINARY) {
        size_t n;
        const char *p = og_column_get_bytes(c, row, &n);
        return XXH64(p, n, 1);
    }
    uint64_t v = og_column_get_u64(c, row);
    return XXH64(&v, 8, 2);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t og_keyset_normalize(uint64_t *v, size_t n)
{
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_u64);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

og_status og_keyset_encode(const uint64_t *v, size_t n, og_buf *out)
{
    return og_env_wrap(OG_KEYSET_MAGIC, OG_KEYSET_VERSION, v, n * 8, out);
}

og_status og_keyset_decode(const void *p, size_t len, uint64_t **out, size_t *n)
{
    const char *body;
    size_t blen;
    *out = NULL;
    *n = 0;
    og_status rc = og_env_unwrap(OG_KEYSET_MAGIC, OG_KEYSET_VERSION, "key set", p, len, &body, &blen, NULL);
    if (rc) return rc;
    if (blen % 8) return og_error_set(OG_E_CORRUPT, "key set is corrupt: length not a multiple of 8");
    size_t k = blen / 8;
    uint64_t *v = malloc(k ? blen : 8);
    if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
    if (k) memcpy(v, body, blen);
    for (size_t i = 1; i < k; i++)
        if (v[i] <= v[i - 1]) {
            free(v);
            return og_error_set(OG_E_CORRUPT, "key set is corrupt: not strictly ascending");
        }
    *out = v;
    *n = k;
    return OG_OK;
}

bool og_keyset_intersects(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) return true;
        if (a[i] < b[j]) i++;
        else j++;
    }
    return false;
}
