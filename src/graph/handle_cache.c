/* handle_cache.c — table handles and manifest snapshots of one open graph
 * (handle_cache.h).
 * (1) Entries live in small arrays searched linearly: a graph has a few
 *     dozen tables and the capacity bounds the arrays, so a scan is cheaper
 *     than hashing the composite keys.
 * (2) An entry is evicted only with no borrower; the array may grow past
 *     the capacity while every entry is borrowed and shrinks back on the
 *     next insertion.
 * (3) Snapshots are kept per chain uid, newest version only: a view opens
 *     the head, and the head of a chain only moves forward. */
#include "handle_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hentry {
    char *path;
    char *branch;      /* NULL = main */
    uint64_t version;
    og_table *t;
    unsigned refs;
    uint64_t stamp;
} hentry;

typedef struct sentry {
    og_graph_snapshot s;
} sentry;

struct og_graph_hcache {
    pthread_mutex_t mu;
    size_t cap;
    hentry *h;
    size_t nh, caph;
    sentry *s;
    size_t ns, caps;
    uint64_t clock;
    bool has_main;
    char main_uid[OG_ULID_LEN + 1];
};

og_status og_graph_hcache_new(size_t capacity, og_graph_hcache **out)
{
    og_graph_hcache *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c || pthread_mutex_init(&c->mu, NULL)) {
        free(c);
        return og_error_set(OG_E_NOMEM, "out of memory");
    }
    c->cap = capacity ? capacity : 64;
    *out = c;
    return OG_OK;
}

static void hentry_free(hentry *e)
{
    og_table_close(e->t);
    free(e->path);
    free(e->branch);
    memset(e, 0, sizeof *e);
}

void og_graph_hcache_free(og_graph_hcache *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nh; i++) hentry_free(&c->h[i]);
    for (size_t i = 0; i < c->ns; i++) og_graph_snapshot_free(&c->s[i].s);
    free(c->h);
    free(c->s);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static bool same_branch(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static hentry *find(og_graph_hcache *c, const char *path, const char *branch, uint64_t version)
{
    for (size_t i = 0; i < c->nh; i++) {
        hentry *e = &c->h[i];
        if (e->version == version && strcmp(e->path, path) == 0 && same_branch(e->branch, branch)) return e;
    }
    return NULL;
}

/* (2): drops least recently used unborrowed entries down to the capacity. */
static void evict(og_graph_hcache *c)
{
    while (c->nh > c->cap) {
        size_t victim = c->nh;
        for (size_t i = 0; i < c->nh; i++)
            if (!c->h[i].refs && (victim == c->nh || c->h[i].stamp < c->h[victim].stamp)) victim = i;
        if (victim == c->nh) return;
        hentry_free(&c->h[victim]);
        c->h[victim] = c->h[--c->nh];
    }
}

/* Inserts t (owned) with `refs` borrowers; on failure closes t. */
static og_status insert(og_graph_hcache *c, const char *path, const char *branch, og_table *t, unsigned refs)
{
    if (c->nh == c->caph) {
        size_t nc = c->caph ? c->caph * 2 : 16;
        hentry *nh = realloc(c->h, nc * sizeof *nh);
        if (!nh) { og_table_close(t); return og_error_set(OG_E_NOMEM, "out of memory"); }
        c->h = nh;
        c->caph = nc;
    }
    hentry *e = &c->h[c->nh];
    memset(e, 0, sizeof *e);
    e->path = strdup(path);
    e->branch = branch ? strdup(branch) : NULL;
    if (!e->path || (branch && !e->branch)) {
        free(e->path);
        free(e->branch);
        og_table_close(t);
        return og_error_set(OG_E_NOMEM, "out of memory");
    }
    e->version = og_table_version(t);
    e->t = t;
    e->refs = refs;
    e->stamp = ++c->clock;
    c->nh++;
    evict(c);
    return OG_OK;
}

og_status og_graph_hcache_get(og_graph_hcache *c, og_store *st, const char *path, const char *branch,
                              uint64_t version, og_table **out)
{
    og_status rc = OG_OK;
    og_table *t = NULL;
    *out = NULL;
    pthread_mutex_lock(&c->mu);
    hentry *e = find(c, path, branch, version);
    if (e) {
        e->refs++;
        e->stamp = ++c->clock;
        *out = e->t;
    }
    pthread_mutex_unlock(&c->mu);
    if (*out) return OG_OK;
    /* Opened outside the lock: a GET may be slow. */
    if (branch) rc = og_table_open_branch(st, path, branch, version, &t);
    else rc = og_table_open_at(st, path, version, &t);
    if (rc) return rc;
    /* a one-entity write commits as one object: its rows ride inline in
     * the table's version manifest (docs/format.md §4.1) until compaction */
    og_table_set_inline_max(t, OG_TABLE_INLINE_MAX);
    pthread_mutex_lock(&c->mu);
    e = find(c, path, branch, version);
    if (e) { /* another thread opened it meanwhile */
        e->refs++;
        e->stamp = ++c->clock;
        *out = e->t;
        og_table_close(t);
    } else if ((rc = insert(c, path, branch, t, 1)) == OG_OK) {
        *out = t;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

void og_graph_hcache_release(og_graph_hcache *c, og_table *t)
{
    if (!t) return;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->nh; i++)
        if (c->h[i].t == t) {
            if (c->h[i].refs) c->h[i].refs--;
            break;
        }
    evict(c);
    pthread_mutex_unlock(&c->mu);
}

void og_graph_hcache_adopt(og_graph_hcache *c, const char *path, const char *branch, og_table *t)
{
    if (!t) return;
    pthread_mutex_lock(&c->mu);
    if (find(c, path, branch, og_table_version(t))) og_table_close(t);
    else if (insert(c, path, branch, t, 0)) og_error_clear();
    pthread_mutex_unlock(&c->mu);
}

bool og_graph_hcache_snapshot(og_graph_hcache *c, const char *uid, uint64_t version, og_graph_snapshot *out)
{
    bool hit = false;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->ns; i++) {
        const og_graph_snapshot *s = &c->s[i].s;
        if (s->version == version && strcmp(s->branch_uid, uid) == 0) {
            hit = og_graph_snapshot_copy(out, s) == OG_OK;
            if (!hit) og_error_clear();
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

bool og_graph_hcache_newest(og_graph_hcache *c, const char *uid, og_graph_snapshot *out)
{
    bool hit = false;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->ns; i++)
        if (strcmp(c->s[i].s.branch_uid, uid) == 0) {
            hit = og_graph_snapshot_copy(out, &c->s[i].s) == OG_OK;
            if (!hit) og_error_clear();
            break;
        }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void og_graph_hcache_put_snapshot(og_graph_hcache *c, const og_graph_snapshot *s)
{
    og_graph_snapshot copy;
    if (og_graph_snapshot_copy(&copy, s)) { og_error_clear(); return; }
    pthread_mutex_lock(&c->mu);
    sentry *slot = NULL;
    for (size_t i = 0; i < c->ns && !slot; i++)
        if (strcmp(c->s[i].s.branch_uid, s->branch_uid) == 0) slot = &c->s[i];
    if (slot && slot->s.version > s->version) { /* (3) keep the newer one */
        og_graph_snapshot_free(&copy);
    } else if (slot) {
        og_graph_snapshot_free(&slot->s);
        slot->s = copy;
    } else {
        if (c->ns == c->caps) {
            size_t nc = c->caps ? c->caps * 2 : 8;
            sentry *ns = realloc(c->s, nc * sizeof *ns);
            if (!ns) { og_graph_snapshot_free(&copy); goto done; }
            c->s = ns;
            c->caps = nc;
        }
        if (c->ns >= c->cap) { /* many branches: forget the oldest slot */
            og_graph_snapshot_free(&c->s[0].s);
            memmove(&c->s[0], &c->s[1], (c->ns - 1) * sizeof *c->s);
            c->ns--;
        }
        c->s[c->ns++].s = copy;
    }
done:
    pthread_mutex_unlock(&c->mu);
}

bool og_graph_hcache_commit(og_graph_hcache *c, const char *id, og_graph_commit *out)
{
    bool hit = false;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->ns; i++) {
        const og_graph_snapshot *s = &c->s[i].s;
        if (strcmp(s->head.id, id) == 0 && og_graph_snapshot_owns_head(s)) {
            hit = og_graph_commit_copy(out, &s->head) == OG_OK;
            if (!hit) og_error_clear();
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

bool og_graph_hcache_main_uid(og_graph_hcache *c, char out[OG_ULID_LEN + 1])
{
    pthread_mutex_lock(&c->mu);
    bool ok = c->has_main;
    if (ok) memcpy(out, c->main_uid, OG_ULID_LEN + 1);
    pthread_mutex_unlock(&c->mu);
    return ok;
}

void og_graph_hcache_set_main_uid(og_graph_hcache *c, const char *uid)
{
    pthread_mutex_lock(&c->mu);
    snprintf(c->main_uid, sizeof c->main_uid, "%s", uid);
    c->has_main = true;
    pthread_mutex_unlock(&c->mu);
}

void og_graph_hcache_expire(og_graph_hcache *c)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->ns; i++) c->s[i].s.head_checked_us = 0;
    pthread_mutex_unlock(&c->mu);
}

void og_graph_hcache_age(og_graph_hcache *c, int64_t us)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->ns; i++)
        if (c->s[i].s.head_checked_us) c->s[i].s.head_checked_us -= us;
    pthread_mutex_unlock(&c->mu);
}
