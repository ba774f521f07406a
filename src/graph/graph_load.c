/* graph_load.c — `load`: NDJSON text to one graph commit (surface.md §3).
 * (1) The target branch must exist unless from_branch is given, in which
 *     case a missing branch is created from it first.
 * (2) Parse (load_batch.h), plan + validate against the base view through
 *     the view probe (load_mode.h), then stage the delta into one write
 *     transaction: overwrite types replace their table, append is strict
 *     insert, merge is upsert; one commit, one publish.
 * (3) Overwrite also replaces part->replace_types, present in the text or
 *     not (a split overwrite's first batch; load_split.c). */
#include "engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "branch.h"
#include "graph_probe.h"
#include "recovery.h"

static og_status rows_batch(const og_decl *t, const og_delta_table *d, og_batch *out)
{
    og_status rc = OG_OK;
    og_schema s = {0};
    og_batch b = OG_BATCH_INIT;
    bool edge = t->kind == OG_KIND_EDGE;
    size_t off = edge ? 3 : 1;
    if ((rc = og_graph_table_schema(t, &s))) goto done;
    if ((rc = og_graph_batch_like(&s, &b))) goto done;
    for (size_t r = 0; r < d->n_rows && !rc; r++) {
        const og_row *row = &d->rows[r];
        if ((rc = og_column_push_str(b.cols[0], row->id))) break;
        if (edge) {
            if ((rc = og_column_push_str(b.cols[1], row->src))) break;
            if ((rc = og_column_push_str(b.cols[2], row->dst))) break;
        }
        for (size_t j = 0; j < t->n_props && !rc; j++)
            rc = og_graph_push_value(b.cols[off + j], &t->props[j], &row->vals[j]);
    }
    if (!rc) rc = og_batch_seal(&b);
    if (!rc) { *out = b; memset(&b, 0, sizeof b); }
done:
    og_batch_free(&b);
    og_schema_free(&s);
    return rc;
}

void og_graph_load_result_clear(og_graph_load_result *r)
{
    if (!r) return;
    free(r->loaded);
    og_graph_commit_result_clear(&r->commit);
    memset(r, 0, sizeof *r);
}

og_status og_graph_load(og_graph *g, const og_graph_load_opts *o, const char *text, size_t len,
                        og_graph_load_result *out)
{
    return og_graph_load_part(g, o, NULL, text, len, out);
}

/* A load of an empty text still records one (empty) commit, as the
 * reference does: the receipt names it and it heads the branch. */
static og_status empty_commit(og_graph *g, const og_graph_load_opts *o, const char *head, og_graph_commit_result *r)
{
    og_ulid id;
    og_graph_publish_req req;
    og_graph_snapshot s = {0};
    og_status rc = og_ulid_new(&id);
    if (rc) return rc;
    memset(&req, 0, sizeof req);
    req.branch = o->branch && strcmp(o->branch, "main") ? o->branch : NULL;
    req.expected_head = head;
    req.commit.id = id.s;
    req.commit.actor = o->actor;
    rc = og_graph_publish(g->root, &req, &r->conflict, &s);
    if (!rc) {
        r->published = true;
        memcpy(r->commit_id, id.s, sizeof r->commit_id);
        r->manifest_version = s.version;
    }
    og_graph_snapshot_free(&s);
    return rc;
}

og_status og_graph_load_part(og_graph *g, const og_graph_load_opts *o, const og_graph_load_part_opts *part,
                             const char *text, size_t len, og_graph_load_result *out)
{
    og_status rc = OG_OK;
    og_load_batch *lb = NULL;
    og_graph_txn *x = NULL;
    og_delta d;
    og_probe probe;
    const og_catalog *cat = g->cat;
    memset(out, 0, sizeof *out);
    out->n_types = cat->n_types;
    out->loaded = calloc(cat->n_types ? cat->n_types : 1, sizeof *out->loaded);
    if (!out->loaded) return og_error_set(OG_E_NOMEM, "out of memory");
    if (o->from_branch && o->branch && strcmp(o->branch, "main") != 0) {
        og_graph_ref ref = {0};
        rc = og_graph_ref_read(g->root, o->branch, &ref);
        og_graph_ref_clear(&ref);
        if (rc == OG_E_NOTFOUND) {
            og_error_clear();
            rc = og_graph_branch_create(g->root, o->branch, o->from_branch, 0, NULL);
            if (rc == OG_E_EXISTS) { og_error_clear(); rc = OG_OK; }
            else if (!rc) out->branch_created = true;
        }
        if (rc) goto done;
    }
    og_graph_txn_opts to = {o->branch, o->actor, NULL};
    if ((rc = og_graph_txn_begin(g, &to, &x))) goto done;
    og_graph_txn_set_writer_kind(x, OG_WRITER_LOAD);
    if ((rc = og_load_parse_at(cat, text, len, NULL, part ? part->line_offset : 0, &lb))) goto done;
    for (size_t i = 0; part && o->mode == OG_LOAD_OVERWRITE && i < part->n_replace_types; i++) {
        const og_decl *t = part->replace_types[i];
        if (t->index >= lb->n_tables || &cat->types[t->index] != t || t->kind == OG_KIND_INTERFACE) {
            rc = og_error_set(OG_E_INVALID, "`%s` is not a node or edge type of this graph", t->name);
            goto done;
        }
        lb->tables[t->index].touched = true;   /* (3) */
    }
    if ((rc = og_graph_probe_init(og_graph_txn_base(x), lb->arena, &probe))) goto done;
    if ((rc = og_load_plan(lb, o->mode, &probe, &d))) goto done;
    og_graph_txn_set_validated(x);
    for (size_t i = 0; i < d.n_tables; i++) {
        const og_delta_table *dt = &d.tables[i];
        const og_decl *t = &cat->types[i];
        if (t->kind == OG_KIND_INTERFACE || (!dt->replace_all && !dt->n_rows && !dt->n_removed)) continue;
        og_batch b = OG_BATCH_INIT;
        if ((rc = rows_batch(t, dt, &b))) goto done;
        if (dt->replace_all) rc = og_graph_txn_overwrite(x, t, &b);
        else if (b.nrows)
            rc = og_graph_txn_put(x, t, &b, o->mode == OG_LOAD_APPEND ? OG_WRITE_STRICT_INSERT : OG_WRITE_UPSERT);
        og_batch_free(&b);
        if (!rc && dt->n_removed) rc = og_graph_txn_delete(x, t, dt->removed, dt->n_removed);
        if (rc) goto done;
        out->loaded[i] = dt->n_rows;
        out->total += dt->n_rows;
    }
    char base_head[OG_ULID_LEN + 1];
    snprintf(base_head, sizeof base_head, "%s", og_graph_view_snapshot(og_graph_txn_base(x))->head.id);
    rc = og_graph_txn_commit(x, &out->commit);
    x = NULL;
    if (!rc && !out->commit.published && lb->n_entities == 0) rc = empty_commit(g, o, base_head, &out->commit);
done:
    og_graph_txn_abort(x);
    og_load_batch_free(lb);
    return rc;
}
