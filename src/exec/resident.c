/* resident.c — process-wide cache of whole node/edge table versions held
 * in memory, so that point lookups and the far ends of traversals need no
 * page reads or decompression (internals.md §8.5 spirit: derived, never
 * persisted, keyed by table version).
 * (1) An entry is a pure function of one table version: every column of
 *     every live row, plus a map id -> row. It never changes once built.
 * (2) Entries are reference counted (a reader's table is never freed under
 *     it) and evicted least recently used past the byte budget.
 * (3) Building costs one full scan, so a selective first use does not
 *     build: a version is built when the caller scans it whole anyway, or
 *     on its OG_EXEC_RES_AFTER-th selective use.
 * (4) One mutex guards the cache; builds run outside it (racing builders:
 *     the first insert wins, the loser is used once and dropped).
 * (5) Vector columns are left out (they are most of a node table's bytes
 *     and only a few queries read them): such an entry says no_vectors,
 *     and a query that reads a vector property of the type does not use
 *     it. The default budget holds a 1M-row node table of short strings. */
#include "internal.h"
#include "exec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"

#define DEFAULT_BUDGET (1024ull << 20)
#define OG_EXEC_RES_AFTER 2

typedef struct rentry {
    char *key;
    og_exec_res *r;      /* NULL: only counted so far (3) */
    uint64_t tick;
    unsigned uses;
} rentry;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static rentry *ents;
static size_t n_ents, cap_ents;
static uint64_t tick, budget = DEFAULT_BUDGET, used;

static void res_free(og_exec_res *r)
{
    if (!r) return;
    og_batch_free(&r->b);
    og_map_free((og_map *)r->ids);
    free(r);
}

static void unref_locked(og_exec_res *r)
{
    if (r && --r->refs == 0) res_free(r);
}

void og_exec_res_release(og_exec_res *r)
{
    if (!r) return;
    pthread_mutex_lock(&mu);
    unref_locked(r);
    pthread_mutex_unlock(&mu);
}

void og_exec_res_retain(og_exec_res *r)
{
    pthread_mutex_lock(&mu);
    r->refs++;
    pthread_mutex_unlock(&mu);
}

static void drop_locked(size_t i)
{
    if (ents[i].r) used -= ents[i].r->bytes;
    unref_locked(ents[i].r);
    free(ents[i].key);
    ents[i] = ents[--n_ents];
}

static void evict_locked(void)
{
    while (n_ents > 0 && used > budget) {
        size_t lru = SIZE_MAX;
        for (size_t i = 0; i < n_ents; i++)
            if (ents[i].r && (lru == SIZE_MAX || ents[i].tick < ents[lru].tick)) lru = i;
        if (lru == SIZE_MAX) break;
        drop_locked(lru);
    }
    while (n_ents > 256) {   /* counters of versions never built */
        size_t lru = 0;
        for (size_t i = 1; i < n_ents; i++) if (ents[i].tick < ents[lru].tick) lru = i;
        drop_locked(lru);
    }
}

static size_t col_bytes(const og_column *c)
{
    return sizeof *c + c->valid.cap + c->data.cap + c->offs.cap;
}

static og_status build(og_table *t, og_exec_res **out)
{
    og_status rc = OG_OK;
    og_exec_res *r = calloc(1, sizeof *r);
    og_scan_opts o = {0};
    const og_schema *sc = og_table_schema(t);
    const char **cols = NULL;
    *out = NULL;
    if (!r) return og_error_set(OG_E_NOMEM, "out of memory");
    r->b = (og_batch)OG_BATCH_INIT;
    r->refs = 1;
    if (!(cols = calloc(sc->nfields + 1, sizeof *cols))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t f = 0; f < sc->nfields; f++) {   /* (5) */
        if (sc->fields[f].type.id == OG_TYPE_VECTOR) { r->no_vectors = true; continue; }
        cols[o.ncolumns++] = sc->fields[f].name;
    }
    o.columns = cols;
    if ((rc = og_table_scan(t, &o, &r->b))) goto done;
    r->idcol = og_batch_col(&r->b, "id");
    if (!r->idcol) { rc = og_error_set(OG_E_INTERNAL, "table without id column"); goto done; }
    if (!(r->ids = og_map_new())) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < r->b.nrows; i++) {
        size_t n = 0;
        const char *id = og_column_get_bytes(r->idcol, i, &n);
        if ((rc = og_map_put((og_map *)r->ids, id, n, (void *)(uintptr_t)(i + 1), NULL))) goto done;
    }
    r->bytes = sizeof *r + r->b.nrows * 48;
    for (size_t c = 0; c < r->b.ncols; c++) r->bytes += col_bytes(r->b.cols[c]);
    *out = r;
    r = NULL;
done:
    free(cols);
    res_free(r);
    return rc;
}

og_status og_exec_res_get(const char *key, og_table *t, bool whole, og_exec_res **out)
{
    og_status rc = OG_OK;
    og_exec_res *r = NULL;
    bool want = whole;
    *out = NULL;
    pthread_mutex_lock(&mu);
    size_t i = 0;
    for (; i < n_ents; i++) if (strcmp(ents[i].key, key) == 0) break;
    if (i < n_ents) {
        ents[i].tick = ++tick;
        if (ents[i].r) {
            ents[i].r->refs++;
            *out = ents[i].r;
        } else if (++ents[i].uses >= OG_EXEC_RES_AFTER) {
            want = true;
        }
    } else {
        char *k = strdup(key);
        if (n_ents == cap_ents) {
            size_t nc = cap_ents ? cap_ents * 2 : 16;
            rentry *ne = realloc(ents, nc * sizeof *ne);
            if (ne) { ents = ne; cap_ents = nc; }
        }
        if (k && n_ents < cap_ents) {
            rentry z = {k, NULL, ++tick, 1};
            ents[n_ents++] = z;
            if (OG_EXEC_RES_AFTER <= 1) want = true;
        } else {
            free(k);
        }
    }
    pthread_mutex_unlock(&mu);
    if (*out || !want) return OG_OK;
    if (og_table_count_rows(t) == 0 && !whole) return OG_OK;
    if ((rc = build(t, &r))) return rc;

    pthread_mutex_lock(&mu);
    for (i = 0; i < n_ents; i++) if (strcmp(ents[i].key, key) == 0) break;
    if (i < n_ents && !ents[i].r && r->bytes <= budget / 2) {
        r->refs++;
        ents[i].r = r;
        ents[i].tick = ++tick;
        used += r->bytes;
        evict_locked();
    } else if (i < n_ents && ents[i].r) {   /* lost a race: use the winner */
        unref_locked(r);
        r = ents[i].r;
        r->refs++;
    }
    pthread_mutex_unlock(&mu);
    *out = r;
    return OG_OK;
}

void og_exec_res_cache_set_budget(uint64_t bytes)
{
    pthread_mutex_lock(&mu);
    budget = bytes ? bytes : DEFAULT_BUDGET;
    evict_locked();
    pthread_mutex_unlock(&mu);
}

void og_exec_res_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    while (n_ents) drop_locked(n_ents - 1);
    free(ents);
    ents = NULL;
    cap_ents = 0;
    pthread_mutex_unlock(&mu);
}
