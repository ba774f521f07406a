/* validate_mem.c — an og_probe over in-memory committed rows.
 * (1) Answers exactly what a table-backed probe answers, by linear scans
 *     (tests and tiny views only; the engine plugs in table scans).
 * (2) Borrowed rows are never modified. */
#include <string.h>
#include "validate.h"
#include "value_convert.h"

static const og_probe_mem_table *mem_tab(const og_probe_mem *m, const og_decl *t)
{
    return m->tables ? &m->tables[t->index] : NULL;
}

static og_status mem_nodes_exist(void *ctx, const og_decl *node, size_t n, const char *const *ids, bool *found)
{
    const og_probe_mem_table *mt = mem_tab(ctx, node);
    for (size_t i = 0; i < n; i++) {
        found[i] = false;
        for (size_t r = 0; mt && r < mt->n_rows && !found[i]; r++) found[i] = strcmp(mt->rows[r].id, ids[i]) == 0;
    }
    return OG_OK;
}

static bool row_tuple_equal(const og_constraint *c, const og_row *row, const og_value *tuple)
{
    for (size_t j = 0; j < c->n_columns; j++) {
        og_value v;
        memset(&v, 0, sizeof v);
        if (c->column_props[j] >= 0) {
            v = row->vals[c->column_props[j]];
        } else {
            const char *s = strcmp(c->columns[j], OG_COLUMN_SRC) == 0 ? row->src : row->dst;
            if (!s) return false;
            v.kind = OG_VALUE_STRING;
            v.as.s.ptr = s;
            v.as.s.len = strlen(s);
        }
        if (!og_value_equal(&v, &tuple[j])) return false;
    }
    return true;
}

static og_status mem_unique_probe(void *ctx, const og_decl *t, const og_constraint *c, size_t n,
                                  const og_value *tuples, og_probe_id_fn hit, void *arg)
{
    const og_probe_mem_table *mt = mem_tab(ctx, t);
    og_status rc = OG_OK;
    for (size_t i = 0; i < n && rc == OG_OK; i++)
        for (size_t r = 0; mt && r < mt->n_rows && rc == OG_OK; r++)
            if (row_tuple_equal(c, &mt->rows[r], &tuples[i * c->n_columns])) rc = hit(arg, i, mt->rows[r].id);
    return rc;
}

static og_status mem_edges_match(void *ctx, const og_decl *e, size_t n, const char *const *keys, bool by_src,
                                 og_probe_edge_fn fn, void *arg)
{
    const og_probe_mem_table *mt = mem_tab(ctx, e);
    og_status rc = OG_OK;
    for (size_t i = 0; i < n && rc == OG_OK; i++)
        for (size_t r = 0; mt && r < mt->n_rows && rc == OG_OK; r++) {
            const og_row *row = &mt->rows[r];
            if (strcmp(by_src ? row->src : row->id, keys[i]) == 0) rc = fn(arg, i, row->id, row->src, row->dst);
        }
    return rc;
}

static og_status mem_edges_by_src(void *ctx, const og_decl *e, size_t n, const char *const *srcs,
                                  og_probe_edge_fn fn, void *arg)
{
    return mem_edges_match(ctx, e, n, srcs, true, fn, arg);
}

static og_status mem_edges_by_id(void *ctx, const og_decl *e, size_t n, const char *const *ids,
                                 og_probe_edge_fn fn, void *arg)
{
    return mem_edges_match(ctx, e, n, ids, false, fn, arg);
}

static og_status mem_edges_scan(void *ctx, const og_decl *e, og_probe_edge_fn fn, void *arg)
{
    const og_probe_mem_table *mt = mem_tab(ctx, e);
    og_status rc = OG_OK;
    for (size_t r = 0; mt && r < mt->n_rows && rc == OG_OK; r++)
        rc = fn(arg, 0, mt->rows[r].id, mt->rows[r].src, mt->rows[r].dst);
    return rc;
}

static const og_probe_vtbl mem_vtbl = {
    mem_nodes_exist, mem_unique_probe, mem_edges_by_src, mem_edges_by_id, mem_edges_scan,
    NULL, /* edges_by_dst: the full scan path stays covered by the in-memory probe */
};

void og_probe_mem_init(og_probe_mem *m, const og_catalog *cat, const og_probe_mem_table *tables, og_probe *out)
{
    m->cat = cat;
    m->tables = tables;
    out->vt = &mem_vtbl;
    out->ctx = m;
}
