/* graph_index.c — CSR/CSC adjacency over one edge table version, and the
 * process-wide cache of them (internals.md §8.2, §8.5).
 * (1) Dense node ids come from the edge endpoints only (src, then dst, in
 *     scan order); a node without edges has no dense id.
 * (2) out_off/out_tgt is the CSR over src, in_off/in_tgt the CSC over dst;
 *     parallel edges stay duplicates; out_edge/in_edge give the edge's
 *     position in the scan.
 * (3) An index is a pure function of the table version's src/dst; it is
 *     never persisted. Cache entries are keyed by the caller's version key,
 *     reference counted (a reader's index is never freed under it) and
 *     evicted least recently used once the byte budget is exceeded.
 * (4) The cache is guarded by one mutex; builds run outside it (two racing
 *     builders of one key: the first insert wins, the other is dropped).
 * (5) Row maps (dense id <-> resident row) hang off an index, at most
 *     MAX_ROWMAPS of them; each holds a reference on its resident table so
 *     its rows cannot be freed (or their address reused) under the map.
 *     They are only added, never replaced, while the index lives.
 * (6) BFS mark arrays are pooled process-wide (at most MAX_FREE_MARKS idle)
 *     and reused with an epoch counter, so a traversal never clears or
 *     allocates O(nodes) memory when warm. */
#include "internal.h"
#include "exec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"

#define DEFAULT_BUDGET (256ull << 20)
#define MAX_ROWMAPS 4
#define MAX_FREE_MARKS 4

struct og_exec_rowmap {
    og_exec_res *res;
    int32_t *node_row;
    uint32_t *row_node;
    og_exec_rowmap *next;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

bool og_exec_csr_find(const og_exec_csr *g, const char *id, size_t len, uint32_t *out)
{
    void *v = NULL;
    if (!og_map_get((og_map *)g->ids, id, len, &v)) return false;
    *out = (uint32_t)((uintptr_t)v - 1);
    return true;
}

static void rowmap_free(og_exec_rowmap *m)
{
    if (!m) return;
    og_exec_res_release(m->res);
    free(m->node_row);
    free(m->row_node);
    free(m);
}

static void csr_free(og_exec_csr *g)
{
    if (!g) return;
    while (g->rowmaps) {
        og_exec_rowmap *n = g->rowmaps->next;
        rowmap_free(g->rowmaps);
        g->rowmaps = n;
    }
    for (uint32_t i = 0; g->names && i < g->n_nodes; i++) free(g->names[i]);
    free(g->names);
    og_map_free((og_map *)g->ids);
    free(g->out_off); free(g->out_tgt); free(g->out_edge);
    free(g->in_off); free(g->in_tgt); free(g->in_edge);
    free(g);
}

static og_status intern(og_exec_csr *g, size_t *cap, const char *s, size_t n, uint32_t *out)
{
    if (og_exec_csr_find(g, s, n, out)) return OG_OK;
    if (g->n_nodes == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        char **nn = realloc(g->names, nc * sizeof *nn);
        if (!nn) return og_error_set(OG_E_NOMEM, "out of memory building the graph index");
        g->names = nn;
        *cap = nc;
    }
    char *copy = malloc(n + 1);
    if (!copy) return og_error_set(OG_E_NOMEM, "out of memory building the graph index");
    memcpy(copy, s, n);
    copy[n] = 0;
    g->names[g->n_nodes] = copy;
    og_status rc = og_map_put((og_map *)g->ids, copy, n, (void *)(uintptr_t)(g->n_nodes + 1), NULL);
    if (rc) { free(copy); return rc; }
    *out = g->n_nodes++;
    g->bytes += n + 1 + 48;
    return OG_OK;
}

static og_status fill(uint32_t n_nodes, uint64_t m, const uint32_t *from, const uint32_t *to,
                      uint32_t **off_out, uint32_t **tgt_out, uint32_t **edge_out)
{
    uint32_t *off = calloc((size_t)n_nodes + 1, sizeof *off);
    uint32_t *tgt = malloc((m ? m : 1) * sizeof *tgt);
    uint32_t *edg = malloc((m ? m : 1) * sizeof *edg);
    uint32_t *pos = NULL;
    if (!off || !tgt || !edg) goto nomem;
    for (uint64_t e = 0; e < m; e++) off[from[e] + 1]++;
    for (uint32_t v = 0; v < n_nodes; v++) off[v + 1] += off[v];
    pos = malloc(((size_t)n_nodes + 1) * sizeof *pos);
    if (!pos) goto nomem;
    memcpy(pos, off, ((size_t)n_nodes + 1) * sizeof *pos);
    for (uint64_t e = 0; e < m; e++) {
        uint32_t p = pos[from[e]]++;
        tgt[p] = to[e];
        edg[p] = (uint32_t)e;
    }
    free(pos);
    *off_out = off; *tgt_out = tgt; *edge_out = edg;
    return OG_OK;
nomem:
    free(off); free(tgt); free(edg); free(pos);
    return og_error_set(OG_E_NOMEM, "out of memory building the graph index");
}

og_status og_exec_csr_build(const og_column *src, const og_column *dst, og_exec_csr **out)
{
    og_status rc = OG_OK;
    uint32_t *s = NULL, *d = NULL;
    size_t cap = 0;
    uint64_t m = 0;
    og_exec_csr *g = calloc(1, sizeof *g);
    *out = NULL;
    if (!g || !(g->ids = og_map_new())) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (src->len > UINT32_MAX - 1) { rc = og_error_set(OG_E_LIMIT, "edge table too large for the graph index"); goto done; }
    s = malloc((src->len ? src->len : 1) * sizeof *s);
    d = malloc((src->len ? src->len : 1) * sizeof *d);
    if (!s || !d) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < src->len; i++) {
        if (og_column_is_null(src, i) || og_column_is_null(dst, i)) continue;
        size_t n1 = 0, n2 = 0;
        const char *a = og_column_get_bytes(src, i, &n1);
        const char *b = og_column_get_bytes(dst, i, &n2);
        if ((rc = intern(g, &cap, a, n1, &s[m]))) goto done;
        if ((rc = intern(g, &cap, b, n2, &d[m]))) goto done;
        m++;
    }
    g->n_edges = m;
    if ((rc = fill(g->n_nodes, m, s, d, &g->out_off, &g->out_tgt, &g->out_edge))) goto done;
    if ((rc = fill(g->n_nodes, m, d, s, &g->in_off, &g->in_tgt, &g->in_edge))) goto done;
    g->bytes += sizeof *g + 2 * ((size_t)g->n_nodes + 1) * 4 + 4 * (size_t)m * 4;
    g->refs = 1;
    *out = g;
    g = NULL;
done:
    free(s);
    free(d);
    csr_free(g);
    return rc;
}

/* ---- cache ---- */

typedef struct entry {
    char *key;
    og_exec_csr *g;
    uint64_t tick;
} entry;

static entry *ents;
static size_t n_ents, cap_ents;
static uint64_t tick, budget = DEFAULT_BUDGET;
static og_exec_index_stats st;

static void unref_locked(og_exec_csr *g)
{
    if (g && --g->refs == 0) csr_free(g);
}

void og_exec_csr_release(og_exec_csr *g)
{
    pthread_mutex_lock(&mu);
    unref_locked(g);
    pthread_mutex_unlock(&mu);
}

void og_exec_csr_retain(og_exec_csr *g)
{
    pthread_mutex_lock(&mu);
    g->refs++;
    pthread_mutex_unlock(&mu);
}

static void drop_locked(size_t i)
{
    st.bytes -= ents[i].g->bytes;
    unref_locked(ents[i].g);
    free(ents[i].key);
    ents[i] = ents[--n_ents];
}

static void evict_locked(void)
{
    while (n_ents > 1 && st.bytes > budget) {
        size_t lru = 0;
        for (size_t i = 1; i < n_ents; i++) if (ents[i].tick < ents[lru].tick) lru = i;
        drop_locked(lru);
        st.evictions++;
    }
    st.entries = n_ents;
}

og_status og_exec_csr_get(const char *key, og_table *t, og_exec_csr **out)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    og_exec_csr *g = NULL;
    static const char *const cols[] = {"src", "dst"};
    *out = NULL;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_ents; i++) {
        if (strcmp(ents[i].key, key) == 0) {
            ents[i].tick = ++tick;
            ents[i].g->refs++;
            *out = ents[i].g;
            st.hits++;
            break;
        }
    }
    pthread_mutex_unlock(&mu);
    if (*out) return OG_OK;

    og_scan_opts o = {0};
    o.columns = cols;
    o.ncolumns = 2;
    if ((rc = og_table_scan(t, &o, &b))) goto done;
    og_column *s = og_batch_col(&b, "src"), *d = og_batch_col(&b, "dst");
    if (!s || !d) { rc = og_error_set(OG_E_INTERNAL, "edge table without src/dst"); goto done; }
    if ((rc = og_exec_csr_build(s, d, &g))) goto done;

    pthread_mutex_lock(&mu);
    st.builds++;
    if (n_ents == cap_ents) {
        size_t nc = cap_ents ? cap_ents * 2 : 8;
        entry *ne = realloc(ents, nc * sizeof *ne);
        if (ne) { ents = ne; cap_ents = nc; }
    }
    char *k = strdup(key);
    if (n_ents < cap_ents && k) {
        g->refs++;
        ents[n_ents].key = k;
        ents[n_ents].g = g;
        ents[n_ents].tick = ++tick;
        n_ents++;
        st.bytes += g->bytes;
        evict_locked();
    } else {
        free(k);   /* not cached: still usable by this reader */
    }
    pthread_mutex_unlock(&mu);
    *out = g;
    g = NULL;
done:
    og_batch_free(&b);
    if (g) og_exec_csr_release(g);
    return rc;
}

void og_exec_index_cache_set_budget(uint64_t bytes)
{
    pthread_mutex_lock(&mu);
    budget = bytes ? bytes : DEFAULT_BUDGET;
    evict_locked();
    pthread_mutex_unlock(&mu);
}

static void marks_free(og_exec_marks *m);
static og_exec_marks *free_marks[MAX_FREE_MARKS];
static size_t n_free_marks;

void og_exec_index_cache_clear(void)
{
    pthread_mutex_lock(&mu);
    while (n_free_marks) marks_free(free_marks[--n_free_marks]);
    while (n_ents) drop_locked(n_ents - 1);
    free(ents);
    ents = NULL;
    cap_ents = 0;
    st.entries = 0;
    pthread_mutex_unlock(&mu);
}

void og_exec_index_cache_stats(og_exec_index_stats *out)
{
    pthread_mutex_lock(&mu);
    *out = st;
    out->entries = n_ents;
    pthread_mutex_unlock(&mu);
}

/* ---- row maps (5) ---- */

static og_exec_rowmap *rowmap_find_locked(og_exec_csr *g, og_exec_res *r, size_t *count)
{
    size_t n = 0;
    for (og_exec_rowmap *m = g->rowmaps; m; m = m->next, n++)
        if (m->res == r) return m;
    if (count) *count = n;
    return NULL;
}

og_status og_exec_csr_rowmap(og_exec_csr *g, og_exec_res *r, const int32_t **node_row,
                             const uint32_t **row_node)
{
    og_status rc = OG_OK;
    og_exec_rowmap *m = NULL;
    size_t count = 0;
    *node_row = NULL;
    *row_node = NULL;
    pthread_mutex_lock(&mu);
    m = rowmap_find_locked(g, r, &count);
    pthread_mutex_unlock(&mu);
    if (m) goto found;
    if (count >= MAX_ROWMAPS) return OG_OK;   /* caller falls back to ids */
    m = calloc(1, sizeof *m);
    if (!m) return og_error_set(OG_E_NOMEM, "out of memory");
    m->node_row = malloc(((size_t)g->n_nodes + 1) * sizeof *m->node_row);
    m->row_node = malloc((r->b.nrows + 1) * sizeof *m->row_node);
    if (!m->node_row || !m->row_node) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < r->b.nrows; i++) m->row_node[i] = UINT32_MAX;
    for (uint32_t d = 0; d < g->n_nodes; d++) {
        void *v = NULL;
        m->node_row[d] = -1;
        if (og_map_get((og_map *)r->ids, g->names[d], strlen(g->names[d]), &v)) {
            size_t row = (size_t)((uintptr_t)v - 1);
            m->node_row[d] = (int32_t)row;
            m->row_node[row] = d;
        }
    }
    og_exec_res_retain(r);
    m->res = r;
    pthread_mutex_lock(&mu);
    og_exec_rowmap *other = rowmap_find_locked(g, r, &count);
    if (!other && count < MAX_ROWMAPS) {
        m->next = g->rowmaps;
        g->rowmaps = m;
        g->bytes += ((size_t)g->n_nodes + r->b.nrows) * 4;
        st.bytes += ((size_t)g->n_nodes + r->b.nrows) * 4;
    }
    pthread_mutex_unlock(&mu);
    if (other || count >= MAX_ROWMAPS) {   /* lost a race, or full: use the installed one */
        rowmap_free(m);
        m = other;
        if (!m) return OG_OK;
    }
found:
    *node_row = m->node_row;
    *row_node = m->row_node;
    return OG_OK;
done:
    rowmap_free(m);
    return rc;
}

/* ---- BFS marks (6) ---- */

static void marks_free(og_exec_marks *m)
{
    if (!m) return;
    free(m->vis);
    free(m->emit);
    free(m);
}

og_status og_exec_marks_get(uint32_t n, og_exec_marks **out)
{
    og_exec_marks *m = NULL;
    *out = NULL;
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < n_free_marks; i++)
        if (free_marks[i]->n >= n) {
            m = free_marks[i];
            free_marks[i] = free_marks[--n_free_marks];
            break;
        }
    pthread_mutex_unlock(&mu);
    if (m) { *out = m; return OG_OK; }
    m = calloc(1, sizeof *m);
    if (!m) return og_error_set(OG_E_NOMEM, "out of memory");
    m->vis = calloc(n ? n : 1, sizeof *m->vis);
    m->emit = calloc(n ? n : 1, sizeof *m->emit);
    if (!m->vis || !m->emit) { marks_free(m); return og_error_set(OG_E_NOMEM, "out of memory"); }
    m->n = n;
    *out = m;
    return OG_OK;
}

void og_exec_marks_put(og_exec_marks *m)
{
    if (!m) return;
    pthread_mutex_lock(&mu);
    if (n_free_marks == MAX_FREE_MARKS) {   /* replace the smallest idle set */
        size_t lo = 0;
        for (size_t i = 1; i < n_free_marks; i++) if (free_marks[i]->n < free_marks[lo]->n) lo = i;
        og_exec_marks *t = free_marks[lo];
        free_marks[lo] = m;
        m = t;
    } else {
        free_marks[n_free_marks++] = m;
        m = NULL;
    }
    pthread_mutex_unlock(&mu);
    marks_free(m);
}
