/* load_testlib.h — shared helpers of the loader tests: data files, and a
 * tiny in-memory "committed graph" that applies planned load deltas the way
 * the engine will (overwrite replaces touched types, merge upserts by id,
 * append inserts), so multi-load reference cases can be replayed. */
#ifndef OG_TEST_LOAD_TESTLIB_H
#define OG_TEST_LOAD_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/ulid.h"
#include "graph/load_batch.h"
#include "graph/load_mode.h"
#include "graph/validate.h"
#include "lang/catalog.h"

static inline char *lt_data_path(const char *name)
{
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    size_t dirlen = slash ? (size_t)(slash - here) : 0;
    char *p = malloc(dirlen + strlen(name) + 32);
    sprintf(p, "%.*s/../data/graph/%s", (int)dirlen, here, name);
    return p;
}

static inline char *lt_slurp(const char *name, size_t *len)
{
    char *path = lt_data_path(name);
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f) { fprintf(stderr, "cannot open %s\n", path); free(path); return NULL; }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    else buf[n] = 0;
    fclose(f);
    free(path);
    if (len) *len = (size_t)n;
    return buf;
}

static inline og_status lt_compile(const char *src, og_catalog **out)
{
    og_ulid u;
    og_ulid_new(&u);
    return og_catalog_compile(src, strlen(src), NULL, u.s, out);
}

/* The committed side: rows per type, pointing into retained batches. */
typedef struct lt_graph {
    const og_catalog *cat;
    og_probe_mem_table *tables;
    size_t *caps;
    og_load_batch **batches;
    size_t n_batches;
    og_probe_mem mem;
    og_probe probe;
} lt_graph;

static inline void lt_graph_init(lt_graph *g, const og_catalog *cat)
{
    memset(g, 0, sizeof *g);
    g->cat = cat;
    g->tables = calloc(cat->n_types + 1, sizeof *g->tables);
    g->caps = calloc(cat->n_types + 1, sizeof *g->caps);
    og_probe_mem_init(&g->mem, cat, g->tables, &g->probe);
}

static inline void lt_graph_free(lt_graph *g)
{
    for (size_t i = 0; i < g->cat->n_types; i++) free((void *)g->tables[i].rows);
    for (size_t i = 0; i < g->n_batches; i++) og_load_batch_free(g->batches[i]);
    free(g->batches);
    free(g->tables);
    free(g->caps);
}

static inline void lt_push(lt_graph *g, size_t ti, const og_row *row)
{
    og_probe_mem_table *t = &g->tables[ti];
    if (t->n_rows == g->caps[ti]) {
        g->caps[ti] = g->caps[ti] ? g->caps[ti] * 2 : 8;
        t->rows = realloc((void *)t->rows, g->caps[ti] * sizeof(og_row));
    }
    ((og_row *)t->rows)[t->n_rows++] = *row;
}

/* Applies a validated delta to the committed side. */
static inline void lt_apply(lt_graph *g, const og_delta *d)
{
    for (size_t i = 0; i < d->n_tables; i++) {
        const og_delta_table *dt = &d->tables[i];
        og_probe_mem_table *t = &g->tables[i];
        if (dt->replace_all) t->n_rows = 0;
        for (size_t r = 0; r < dt->n_rows; r++) {
            size_t k = 0;
            for (; k < t->n_rows; k++)
                if (strcmp(t->rows[k].id, dt->rows[r].id) == 0) break;
            if (k < t->n_rows) ((og_row *)t->rows)[k] = dt->rows[r];
            else lt_push(g, i, &dt->rows[r]);
        }
    }
}

/* Parses, plans (validating) and, on success, commits one load. */
static inline og_status lt_load(lt_graph *g, const char *text, size_t len, og_load_mode mode)
{
    og_load_batch *b = NULL;
    og_delta d;
    og_status rc = og_load_parse(g->cat, text, len, NULL, &b);
    if (rc != OG_OK) return rc;
    rc = og_load_plan(b, mode, &g->probe, &d);
    if (rc != OG_OK) { og_load_batch_free(b); return rc; }
    lt_apply(g, &d);
    g->batches = realloc(g->batches, (g->n_batches + 1) * sizeof *g->batches);
    g->batches[g->n_batches++] = b;
    return OG_OK;
}

static inline og_status lt_load_str(lt_graph *g, const char *text, og_load_mode mode)
{
    return lt_load(g, text, strlen(text), mode);
}

static inline size_t lt_count(const lt_graph *g, const char *type_name)
{
    for (size_t i = 0; i < g->cat->n_types; i++)
        if (strcmp(g->cat->types[i].name, type_name) == 0) return g->tables[i].n_rows;
    return (size_t)-1;
}

static inline const og_row *lt_find(const lt_graph *g, const char *type_name, const char *id)
{
    for (size_t i = 0; i < g->cat->n_types; i++) {
        if (strcmp(g->cat->types[i].name, type_name) != 0) continue;
        for (size_t r = 0; r < g->tables[i].n_rows; r++)
            if (strcmp(g->tables[i].rows[r].id, id) == 0) return &g->tables[i].rows[r];
    }
    return NULL;
}

static inline const char *lt_errmsg(void)
{
    static _Thread_local char buf[2048];
    return og_error_format(buf, sizeof buf);
}

#endif
