/* store_mem.c — an in-memory object store, for tests and scratch graphs.
 * (1) Objects live in one array sorted by key (byte order, strcmp), so
 *     listing is a binary search plus a scan.
 * (2) One mutex guards the array: every operation, including the compare
 *     of put_if_match and put_if_absent, is atomic with respect to all
 *     others on the same handle.
 * (3) Etags are content hashes (internal.h (1)). */
#include "store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct mem_obj {
    char *key;
    char *data;
    size_t len;
    char etag[OG_ETAG_MAX];
} mem_obj;

typedef struct mem_store {
    og_store base;
    pthread_mutex_t mu;
    mem_obj *objs;
    size_t len, cap;
    uint64_t seq;   /* change sequence (store.h): advanced on each mutation */
} mem_store;

static mem_store *M(og_store *s) { return (mem_store *)s; }

/* Index of the first object with key >= key; *found when equal. */
static size_t find(mem_store *m, const char *key, bool *found)
{
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->objs[mid].key, key) < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = lo < m->len && strcmp(m->objs[lo].key, key) == 0;
    return lo;
}

static og_status notfound(const char *key)
{
    return og_error_set(OG_E_NOTFOUND, "object %s not found", key);
}

static og_status mem_get(og_store *s, const char *key, og_buf *out, og_obj_meta *meta)
{
    mem_store *m = M(s);
    bool found;
    og_status rc = OG_OK;
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, key, &found);
    if (!found) { rc = notfound(key); goto done; }
    rc = og_buf_append(out, m->objs[i].data, m->objs[i].len);
    if (rc) goto done;
    meta->size = m->objs[i].len;
    memcpy(meta->etag, m->objs[i].etag, OG_ETAG_MAX);
done:
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static og_status mem_get_range(og_store *s, const char *key, uint64_t off, uint64_t len, og_buf *out)
{
    mem_store *m = M(s);
    bool found;
    og_status rc = OG_OK;
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, key, &found);
    if (!found) { rc = notfound(key); goto done; }
    mem_obj *o = &m->objs[i];
    if (off > o->len) {
        rc = og_error_set(OG_E_INVALID, "range offset %llu is past the end of %s (%zu bytes)",
                          (unsigned long long)off, key, o->len);
        goto done;
    }
    uint64_t n = o->len - off;
    if (len < n) n = len;
    rc = og_buf_append(out, o->data + off, (size_t)n);
done:
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static og_status mem_head(og_store *s, const char *key, og_obj_meta *out)
{
    mem_store *m = M(s);
    bool found;
    og_status rc = OG_OK;
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, key, &found);
    if (!found) { rc = notfound(key); goto done; }
    out->size = m->objs[i].len;
    memcpy(out->etag, m->objs[i].etag, OG_ETAG_MAX);
done:
    pthread_mutex_unlock(&m->mu);
    return rc;
}

enum { PUT_ANY, PUT_ABSENT, PUT_MATCH };

static og_status mem_write(og_store *s, int mode, const char *key, const char *etag,
                           const void *p, size_t n, og_obj_meta *meta)
{
    mem_store *m = M(s);
    bool found;
    og_status rc = OG_OK;
    char *data = malloc(n ? n : 1);
    char *kcopy = NULL;
    if (!data) return og_error_set(OG_E_NOMEM, "put %s: out of memory", key);
    memcpy(data, p, n);
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, key, &found);
    if (mode == PUT_ABSENT && found) {
        rc = og_error_set(OG_E_PRECONDITION, "put_if_absent %s: object already exists", key);
        goto done;
    }
    if (mode == PUT_MATCH && !found) {
        rc = og_error_set(OG_E_PRECONDITION, "put_if_match %s: object is absent", key);
        goto done;
    }
    if (mode == PUT_MATCH && strcmp(m->objs[i].etag, etag) != 0) {
        rc = og_error_set(OG_E_PRECONDITION, "put_if_match %s: etag %s does not match %s",
                          key, etag, m->objs[i].etag);
        goto done;
    }
    if (!found) {
        if (m->len == m->cap) {
            size_t ncap = m->cap ? m->cap * 2 : 16;
            mem_obj *no = realloc(m->objs, ncap * sizeof *no);
            if (!no) { rc = og_error_set(OG_E_NOMEM, "put %s: out of memory", key); goto done; }
            m->objs = no;
            m->cap = ncap;
        }
        kcopy = strdup(key);
        if (!kcopy) { rc = og_error_set(OG_E_NOMEM, "put %s: out of memory", key); goto done; }
        memmove(&m->objs[i + 1], &m->objs[i], (m->len - i) * sizeof *m->objs);
        m->len++;
        m->objs[i].key = kcopy;
        m->objs[i].data = NULL;
        kcopy = NULL;
    }
    free(m->objs[i].data);
    m->objs[i].data = data;
    m->objs[i].len = n;
    og_store_etag_compute(data, n, m->objs[i].etag);
    data = NULL;
    meta->size = n;
    memcpy(meta->etag, m->objs[i].etag, OG_ETAG_MAX);
    __atomic_fetch_add(&m->seq, 1, __ATOMIC_SEQ_CST);
done:
    pthread_mutex_unlock(&m->mu);
    free(data);
    free(kcopy);
    return rc;
}

static og_status mem_put(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta)
{
    return mem_write(s, PUT_ANY, key, NULL, p, n, meta);
}

static og_status mem_put_if_absent(og_store *s, const char *key, const void *p, size_t n,
                                   og_obj_meta *meta)
{
    return mem_write(s, PUT_ABSENT, key, NULL, p, n, meta);
}

static og_status mem_put_if_match(og_store *s, const char *key, const char *etag,
                                  const void *p, size_t n, og_obj_meta *meta)
{
    return mem_write(s, PUT_MATCH, key, etag, p, n, meta);
}

static og_status mem_list(og_store *s, const char *prefix, const char *start_after,
                          size_t max_keys, og_list *out)
{
    mem_store *m = M(s);
    bool found;
    size_t cap = 0, plen = strlen(prefix);
    og_status rc = OG_OK;
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, prefix, &found);
    if (start_after && strcmp(start_after, prefix) > 0) {
        i = find(m, start_after, &found);
        if (found) i++;
    }
    for (; i < m->len; i++) {
        if (strncmp(m->objs[i].key, prefix, plen) != 0) break;
        if (out->len == max_keys) { out->truncated = true; break; }
        rc = og_store_list_push(out, &cap, m->objs[i].key, m->objs[i].len);
        if (rc) goto done;
    }
done:
    pthread_mutex_unlock(&m->mu);
    return rc;
}

static void remove_at(mem_store *m, size_t i)
{
    free(m->objs[i].key);
    free(m->objs[i].data);
    memmove(&m->objs[i], &m->objs[i + 1], (m->len - i - 1) * sizeof *m->objs);
    m->len--;
}

static og_status mem_del(og_store *s, const char *key)
{
    mem_store *m = M(s);
    bool found;
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, key, &found);
    if (found) remove_at(m, i);
    __atomic_fetch_add(&m->seq, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&m->mu);
    return OG_OK;
}

static og_status mem_del_prefix(og_store *s, const char *prefix)
{
    mem_store *m = M(s);
    bool found;
    size_t plen = strlen(prefix);
    pthread_mutex_lock(&m->mu);
    size_t i = find(m, prefix, &found);
    size_t j = i;
    while (j < m->len && strncmp(m->objs[j].key, prefix, plen) == 0) {
        free(m->objs[j].key);
        free(m->objs[j].data);
        j++;
    }
    memmove(&m->objs[i], &m->objs[j], (m->len - j) * sizeof *m->objs);
    m->len -= j - i;
    __atomic_fetch_add(&m->seq, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&m->mu);
    return OG_OK;
}

static og_status mem_change_seq(og_store *s, uint64_t *out)
{
    *out = __atomic_load_n(&M(s)->seq, __ATOMIC_SEQ_CST);
    return OG_OK;
}

static void mem_close(og_store *s)
{
    mem_store *m = M(s);
    for (size_t i = 0; i < m->len; i++) {
        free(m->objs[i].key);
        free(m->objs[i].data);
    }
    free(m->objs);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static const og_store_ops mem_ops = {
    .name = "mem",
    .get = mem_get,
    .get_range = mem_get_range,
    .head = mem_head,
    .put = mem_put,
    .put_if_absent = mem_put_if_absent,
    .put_if_match = mem_put_if_match,
    .list = mem_list,
    .del = mem_del,
    .del_prefix = mem_del_prefix,
    .close = mem_close,
    .change_seq = mem_change_seq,
};

og_status og_store_mem_open(og_store **out)
{
    if (!out) return og_error_set(OG_E_INVALID, "mem_open: out is NULL");
    *out = NULL;
    mem_store *m = calloc(1, sizeof *m);
    if (!m) return og_error_set(OG_E_NOMEM, "mem_open: out of memory");
    pthread_mutex_init(&m->mu, NULL);
    m->base.ops = &mem_ops;
    m->base.impl = m;
    *out = &m->base;
    return OG_OK;
}
