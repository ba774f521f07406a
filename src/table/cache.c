/* cache.c — per-handle cache of immutable objects (see cache.h).
 * (1) Two og_maps under one mutex: key -> og_fragment_reader*, key -> og_buf*.
 * (2) The refcount is atomic; the last unref frees everything. */
#include "cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "base/map.h"

struct tbl_cache {
    atomic_uint refs;
    pthread_mutex_t mu;
    og_map *readers;
    og_map *blobs;
    uint64_t blob_bytes;
};

og_status tbl_cache_new(tbl_cache **out)
{
    tbl_cache *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory");
    c->readers = og_map_new();
    c->blobs = og_map_new();
    if (!c->readers || !c->blobs || pthread_mutex_init(&c->mu, NULL)) {
        og_map_free(c->readers);
        og_map_free(c->blobs);
        free(c);
        return og_error_set(OG_E_NOMEM, "out of memory");
    }
    atomic_init(&c->refs, 1);
    *out = c;
    return OG_OK;
}

tbl_cache *tbl_cache_ref(tbl_cache *c)
{
    if (c) atomic_fetch_add(&c->refs, 1);
    return c;
}

void tbl_cache_unref(tbl_cache *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1) return;
    size_t pos = 0;
    const void *k;
    size_t kl;
    void *v;
    while (og_map_next(c->readers, &pos, &k, &kl, &v)) og_fragment_close(v);
    pos = 0;
    while (og_map_next(c->blobs, &pos, &k, &kl, &v)) {
        og_buf_free(v);
        free(v);
    }
    og_map_free(c->readers);
    og_map_free(c->blobs);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

og_fragment_reader *tbl_cache_take_reader(tbl_cache *c, const char *key)
{
    void *v = NULL;
    if (!c) return NULL;
    pthread_mutex_lock(&c->mu);
    if (!og_map_del(c->readers, key, strlen(key), &v)) v = NULL;
    pthread_mutex_unlock(&c->mu);
    return v;
}

int tbl_cache_peek_reader(tbl_cache *c, const char *key, int (*fn)(void *ud, const og_fragment_reader *r),
                          void *ud)
{
    void *v = NULL;
    int res = -1;
    if (!c) return -1;
    pthread_mutex_lock(&c->mu);
    if (og_map_gets(c->readers, key, &v)) res = fn(ud, v);
    pthread_mutex_unlock(&c->mu);
    return res;
}

void tbl_cache_put_reader(tbl_cache *c, const char *key, og_fragment_reader *r)
{
    bool kept = false;
    if (c && r) {
        void *old = NULL;
        pthread_mutex_lock(&c->mu);
        if (og_map_len(c->readers) < TBL_CACHE_READERS && !og_map_gets(c->readers, key, &old))
            kept = og_map_puts(c->readers, key, r, NULL) == OG_OK;
        pthread_mutex_unlock(&c->mu);
    }
    if (!kept) og_fragment_close(r);
}

const og_buf *tbl_cache_get_blob(tbl_cache *c, const char *key)
{
    void *v = NULL;
    if (!c) return NULL;
    pthread_mutex_lock(&c->mu);
    if (!og_map_gets(c->blobs, key, &v)) v = NULL;
    pthread_mutex_unlock(&c->mu);
    return v;
}

og_status tbl_cache_put_blob(tbl_cache *c, const char *key, og_buf *b, const og_buf **out)
{
    *out = b;
    if (!c) return OG_OK;
    og_buf *copy = malloc(sizeof *copy);
    if (!copy) return OG_OK; /* not caching is always correct */
    pthread_mutex_lock(&c->mu);
    void *old = NULL;
    if (og_map_gets(c->blobs, key, &old)) {
        *out = old;
    } else if (c->blob_bytes + b->len <= TBL_CACHE_BLOB_BYTES) {
        *copy = *b;
        if (og_map_puts(c->blobs, key, copy, NULL) == OG_OK) {
            memset(b, 0, sizeof *b);
            c->blob_bytes += copy->len;
            *out = copy;
            copy = NULL;
        }
    }
    pthread_mutex_unlock(&c->mu);
    free(copy);
    return OG_OK;
}
