/* load_mode.c — load modes as delta construction; see load_mode.h. */
#include "load_mode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/map.h"
#include "error_detail.h"

og_status og_load_mode_parse(const char *s, og_load_mode *out)
{
    if (strcmp(s, "overwrite") == 0) *out = OG_LOAD_OVERWRITE;
    else if (strcmp(s, "append") == 0) *out = OG_LOAD_APPEND;
    else if (strcmp(s, "merge") == 0) *out = OG_LOAD_MERGE;
    else return og_error_set(OG_E_INVALID, "invalid load mode '%s' (expected overwrite, append or merge)", s);
    return OG_OK;
}

const char *og_load_mode_name(og_load_mode m)
{
    switch (m) {
    case OG_LOAD_OVERWRITE: return "overwrite";
    case OG_LOAD_APPEND: return "append";
    case OG_LOAD_MERGE: return "merge";
    }
    return "?";
}

static const char *kind_of(const og_decl *t) { return t->kind == OG_KIND_EDGE ? "edge" : "node"; }

/* The structured form of a "resource limit exceeded: WHAT kind:Type" error. */
static void limit_detail(const char *what, const og_decl *t, uint64_t limit, uint64_t actual)
{
    char res[256];
    snprintf(res, sizeof res, "%s %s:%s", what, kind_of(t), t->name);
    og_detail_resource_limit(res, limit, actual);
}

static size_t scalar_width(og_scalar s)
{
    switch (s) {
    case OG_SCALAR_BOOL: return 1;
    case OG_SCALAR_I32: case OG_SCALAR_U32: case OG_SCALAR_F32: case OG_SCALAR_DATE: return 4;
    default: return 8;
    }
}

static size_t value_bytes(const og_prop_type *t, const og_value *v)
{
    size_t n = 0;
    switch (v->kind) {
    case OG_VALUE_NULL: return scalar_width(t->scalar);
    case OG_VALUE_STRING: case OG_VALUE_BLOB: return v->as.s.len + 4;
    case OG_VALUE_VECTOR: return (size_t)v->as.vec.dim * 4;
    case OG_VALUE_LIST:
        for (size_t i = 0; i < v->as.list.n; i++) n += value_bytes(t, &v->as.list.items[i]);
        return n + 4;
    default: return scalar_width(t->scalar);
    }
}

size_t og_load_arrow_bytes(const og_decl *t, size_t n, const og_row *rows)
{
    size_t total = 0;
    for (size_t r = 0; r < n; r++) {
        total += strlen(rows[r].id) + 4;
        if (rows[r].src) total += strlen(rows[r].src) + 4;
        if (rows[r].dst) total += strlen(rows[r].dst) + 4;
        for (size_t p = 0; p < t->n_props; p++) total += value_bytes(&t->props[p].type, &rows[r].vals[p]);
    }
    return total;
}

/* Resolves repeated ids into dt (rows from the arena). */
static og_status resolve_repeats(og_load_batch *b, const og_load_table *lt, og_load_mode mode, og_delta_table *dt)
{
    og_map *last = og_map_new();
    og_status rc = OG_OK;
    og_row *rows = NULL;
    size_t n = 0;
    if (!last) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t r = 0; r < lt->n_rows && rc == OG_OK; r++) {
        void *prev = NULL;
        if (og_map_gets(last, lt->rows[r].id, &prev) && mode == OG_LOAD_APPEND) {
            rc = og_error_set(OG_E_EXISTS, "key_conflict: %s:%s id '%s' appears more than once in an append load",
                              kind_of(lt->type), lt->type->name, lt->rows[r].id);
            og_detail_key_conflict(kind_of(lt->type), lt->type->name, lt->rows[r].id, -1);
            break;
        }
        rc = og_map_puts(last, lt->rows[r].id, (void *)(uintptr_t)(r + 1), NULL);
    }
    if (rc != OG_OK) goto done;
    rows = og_arena_alloc(b->arena, (lt->n_rows ? lt->n_rows : 1) * sizeof *rows);
    if (!rows) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t r = 0; r < lt->n_rows; r++) {
        void *keep = NULL;
        og_map_gets(last, lt->rows[r].id, &keep);
        if ((size_t)(uintptr_t)keep == r + 1) rows[n++] = lt->rows[r];
    }
    dt->rows = rows;
    dt->n_rows = n;
done:
    og_map_free(last);
    return rc;
}

typedef struct conflict_arg { const og_decl *t; const char *const *ids; } conflict_arg;

static og_status edge_conflict(void *arg, size_t i, const char *edge_id, const char *src, const char *dst)
{
    conflict_arg *ca = arg;
    (void)src;
    (void)dst;
    (void)i;
    og_status e = og_error_set(OG_E_EXISTS, "key_conflict: edge:%s already has id '%s' (append never updates)",
                               ca->t->name, edge_id);
    og_detail_key_conflict("edge", ca->t->name, edge_id, -1);
    return e;
}

static og_status append_conflicts(const og_delta_table *dt, const og_probe *pr)
{
    const char **ids = NULL;
    bool *found = NULL;
    og_status rc = OG_OK;
    if (!pr || dt->n_rows == 0) return OG_OK;
    ids = calloc(dt->n_rows, sizeof *ids);
    found = calloc(dt->n_rows, sizeof *found);
    if (!ids || !found) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t r = 0; r < dt->n_rows; r++) ids[r] = dt->rows[r].id;
    if (dt->type->kind == OG_KIND_NODE && pr->vt->nodes_exist) {
        if ((rc = pr->vt->nodes_exist(pr->ctx, dt->type, dt->n_rows, ids, found)) != OG_OK) goto done;
        for (size_t r = 0; r < dt->n_rows; r++)
            if (found[r]) {
                rc = og_error_set(OG_E_EXISTS, "key_conflict: node:%s already has id '%s' (append never updates)",
                                  dt->type->name, ids[r]);
                og_detail_key_conflict("node", dt->type->name, ids[r], -1);
                goto done;
            }
    } else if (dt->type->kind == OG_KIND_EDGE && pr->vt->edges_by_id) {
        conflict_arg ca = {dt->type, ids};
        rc = pr->vt->edges_by_id(pr->ctx, dt->type, dt->n_rows, ids, edge_conflict, &ca);
    }
done:
    free(ids);
    free(found);
    return rc;
}

og_status og_load_plan(og_load_batch *b, og_load_mode mode, const og_probe *committed, og_delta *out)
{
    og_status rc = OG_OK;
    og_delta_table *tabs = og_arena_calloc(b->arena, (b->n_tables ? b->n_tables : 1) * sizeof *tabs);
    memset(out, 0, sizeof *out);
    if (!tabs) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < b->n_tables && rc == OG_OK; i++) {
        const og_load_table *lt = &b->tables[i];
        og_delta_table *dt = &tabs[i];
        dt->type = lt->type;
        if (!lt->touched) continue;
        if ((rc = og_validate_key_duplicates(lt->type, lt->n_rows, lt->rows)) != OG_OK) break;
        if (mode != OG_LOAD_OVERWRITE && lt->n_rows > OG_LOAD_MAX_TYPE_ENTITIES) {
            rc = og_error_set(OG_E_LIMIT, "resource limit exceeded: keyed entities for %s:%s (limit %d, actual %zu)",
                              kind_of(lt->type), lt->type->name, OG_LOAD_MAX_TYPE_ENTITIES, lt->n_rows);
            limit_detail("keyed entities for", lt->type, OG_LOAD_MAX_TYPE_ENTITIES, lt->n_rows);
            break;
        }
        if (mode != OG_LOAD_OVERWRITE) {
            size_t bytes = 0;
            for (size_t r = 0; r < lt->n_rows; r++) bytes += lt->rows[r].bytes;
            if (bytes > OG_LOAD_MAX_TYPE_BYTES) {
                rc = og_error_set(OG_E_LIMIT,
                                  "resource limit exceeded: keyed parsed entity bytes for %s:%s (limit %zu, actual %zu)",
                                  kind_of(lt->type), lt->type->name, OG_LOAD_MAX_TYPE_BYTES, bytes);
                limit_detail("keyed parsed entity bytes for", lt->type, OG_LOAD_MAX_TYPE_BYTES, bytes);
                break;
            }
        }
        if ((rc = resolve_repeats(b, lt, mode, dt)) != OG_OK) break;
        {
            size_t arrow = og_load_arrow_bytes(lt->type, dt->n_rows, dt->rows);
            if (arrow > OG_LOAD_MAX_ARROW_BYTES) {
                rc = og_error_set(OG_E_LIMIT,
                                  "resource limit exceeded: strict_input_arrow_bytes for %s:%s (limit %zu, actual %zu)",
                                  kind_of(lt->type), lt->type->name, OG_LOAD_MAX_ARROW_BYTES, arrow);
                limit_detail("strict_input_arrow_bytes for", lt->type, OG_LOAD_MAX_ARROW_BYTES, arrow);
                break;
            }
        }
        dt->replace_all = mode == OG_LOAD_OVERWRITE;
        if (mode == OG_LOAD_APPEND) rc = append_conflicts(dt, committed);
    }
    if (rc != OG_OK) return rc;
    out->cat = b->cat;
    out->n_tables = b->n_tables;
    out->tables = tabs;
    return og_validate_delta(out, committed);
}
