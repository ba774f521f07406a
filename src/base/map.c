/* map.c — open-addressing hash maps (see map.h).
 * (1) Capacity is a power of two; a slot is empty iff its key pointer is
 *     NULL (og_map) or its `used` flag is 0 (og_u64map).
 * (2) Linear probing from hash & mask; deletion shifts later entries of the
 *     same probe run backwards, so lookups never meet tombstones.
 * (3) len * 4 <= cap * 3 holds after every successful insert; growth
 *     rehashes into a fresh table, and on failure the old table is untouched.
 * (4) og_map stores each key in its own heap copy, with its full hash cached
 *     in the slot to skip most key comparisons and to make rehash cheap. */
#include "map.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

uint64_t og_hash_bytes(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

/* ---- og_map ------------------------------------------------------------ */

typedef struct mslot {
    void *key;    /* NULL when empty; heap copy otherwise */
    size_t klen;
    uint64_t hash;
    void *val;
} mslot;

struct og_map {
    mslot *slots;
    size_t cap;   /* 0 or a power of two */
    size_t len;
};

og_map *og_map_new(void)
{
    return calloc(1, sizeof(og_map));
}

void og_map_free(og_map *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    free(m);
}

size_t og_map_len(const og_map *m)
{
    return m->len;
}

static og_status map_grow(og_map *m, size_t need)
{
    size_t cap = m->cap ? m->cap : 8;
    while (need * 4 > cap * 3) {
        if (cap > SIZE_MAX / 2 / sizeof(mslot)) return og_error_set(OG_E_NOMEM, "hash map too large");
        cap *= 2;
    }
    if (cap == m->cap) return OG_OK;
    mslot *ns = calloc(cap, sizeof *ns);
    if (!ns) return og_error_set(OG_E_NOMEM, "out of memory growing a hash map to %zu slots", cap);
    size_t mask = cap - 1;
    for (size_t i = 0; i < m->cap; i++) {
        mslot *s = &m->slots[i];
        if (!s->key) continue;
        size_t j = (size_t)s->hash & mask;
        while (ns[j].key) j = (j + 1) & mask;
        ns[j] = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = cap;
    return OG_OK;
}

static mslot *map_find(const og_map *m, const void *key, size_t klen, uint64_t h)
{
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t j = (size_t)h & mask;; j = (j + 1) & mask) {
        mslot *s = &m->slots[j];
        if (!s->key) return NULL;
        if (s->hash == h && s->klen == klen && (klen == 0 || memcmp(s->key, key, klen) == 0)) return s;
    }
}

og_status og_map_put(og_map *m, const void *key, size_t klen, void *val, void **old_out)
{
    og_status rc = OG_OK;
    uint64_t h = og_hash_bytes(key, klen);
    mslot *s = map_find(m, key, klen, h);
    if (s) {
        if (old_out) *old_out = s->val;
        s->val = val;
        goto done;
    }
    /* Copy the key before growing, so a failure leaves the map unchanged. */
    void *kc = malloc(klen ? klen : 1);
    if (!kc) { rc = og_error_set(OG_E_NOMEM, "out of memory copying a map key"); goto done; }
    if (klen) memcpy(kc, key, klen);
    rc = map_grow(m, m->len + 1);
    if (rc) { free(kc); goto done; }
    size_t mask = m->cap - 1;
    size_t j = (size_t)h & mask;
    while (m->slots[j].key) j = (j + 1) & mask;
    m->slots[j] = (mslot){kc, klen, h, val};
    m->len++;
    if (old_out) *old_out = NULL;
done:
    return rc;
}

bool og_map_get(const og_map *m, const void *key, size_t klen, void **val_out)
{
    mslot *s = map_find(m, key, klen, og_hash_bytes(key, klen));
    if (!s) return false;
    if (val_out) *val_out = s->val;
    return true;
}

bool og_map_del(og_map *m, const void *key, size_t klen, void **val_out)
{
    mslot *s = map_find(m, key, klen, og_hash_bytes(key, klen));
    if (!s) return false;
    if (val_out) *val_out = s->val;
    free(s->key);
    size_t mask = m->cap - 1;
    size_t hole = (size_t)(s - m->slots);
    /* Backward shift: move each later entry of the run into the hole when
     * the hole lies on its probe path (between its home and its slot). */
    for (size_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = (size_t)m->slots[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole] = (mslot){0};
    m->len--;
    return true;
}

bool og_map_next(const og_map *m, size_t *pos, const void **key, size_t *klen, void **val)
{
    for (size_t i = *pos; i < m->cap; i++) {
        const mslot *s = &m->slots[i];
        if (!s->key) continue;
        if (key) *key = s->key;
        if (klen) *klen = s->klen;
        if (val) *val = s->val;
        *pos = i + 1;
        return true;
    }
    *pos = m->cap;
    return false;
}

/* ---- og_u64map --------------------------------------------------------- */

typedef struct uslot {
    uint64_t key;
    uint64_t val;
    uint8_t used;
} uslot;

struct og_u64map {
    uslot *slots;
    size_t cap;
    size_t len;
};

static uint64_t mix64(uint64_t x)
{
    /* splitmix64 finaliser: dense ids spread over the whole table */
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static og_status u64_grow(og_u64map *m, size_t need)
{
    size_t cap = m->cap ? m->cap : 8;
    while (need * 4 > cap * 3) {
        if (cap > SIZE_MAX / 2 / sizeof(uslot)) return og_error_set(OG_E_NOMEM, "hash map too large");
        cap *= 2;
    }
    if (cap == m->cap) return OG_OK;
    uslot *ns = calloc(cap, sizeof *ns);
    if (!ns) return og_error_set(OG_E_NOMEM, "out of memory growing a hash map to %zu slots", cap);
    size_t mask = cap - 1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].used) continue;
        size_t j = (size_t)mix64(m->slots[i].key) & mask;
        while (ns[j].used) j = (j + 1) & mask;
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = cap;
    return OG_OK;
}

og_u64map *og_u64map_new(size_t expected)
{
    og_u64map *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    if (expected && u64_grow(m, expected)) { free(m); return NULL; }
    return m;
}

void og_u64map_free(og_u64map *m)
{
    if (!m) return;
    free(m->slots);
    free(m);
}

size_t og_u64map_len(const og_u64map *m)
{
    return m->len;
}

static uslot *u64_find(const og_u64map *m, uint64_t key)
{
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t j = (size_t)mix64(key) & mask;; j = (j + 1) & mask) {
        uslot *s = &m->slots[j];
        if (!s->used) return NULL;
        if (s->key == key) return s;
    }
}

og_status og_u64map_put(og_u64map *m, uint64_t key, uint64_t val)
{
    uslot *s = u64_find(m, key);
    if (s) { s->val = val; return OG_OK; }
    og_status rc = u64_grow(m, m->len + 1);
    if (rc) return rc;
    size_t mask = m->cap - 1;
    size_t j = (size_t)mix64(key) & mask;
    while (m->slots[j].used) j = (j + 1) & mask;
    m->slots[j] = (uslot){key, val, 1};
    m->len++;
    return OG_OK;
}

bool og_u64map_get(const og_u64map *m, uint64_t key, uint64_t *val_out)
{
    uslot *s = u64_find(m, key);
    if (!s) return false;
    if (val_out) *val_out = s->val;
    return true;
}

bool og_u64map_del(og_u64map *m, uint64_t key)
{
    uslot *s = u64_find(m, key);
    if (!s) return false;
    size_t mask = m->cap - 1;
    size_t hole = (size_t)(s - m->slots);
    for (size_t j = (hole + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
        size_t home = (size_t)mix64(m->slots[j].key) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole] = (uslot){0};
    m->len--;
    return true;
}

bool og_u64map_next(const og_u64map *m, size_t *pos, uint64_t *key, uint64_t *val)
{
    for (size_t i = *pos; i < m->cap; i++) {
        if (!m->slots[i].used) continue;
        if (key) *key = m->slots[i].key;
        if (val) *val = m->slots[i].val;
        *pos = i + 1;
        return true;
    }
    *pos = m->cap;
    return false;
}
