/* db_load.c — og_db_load and og_db_export (surface.md §3): the engine's
 * bulk loader and exporter behind the public API.
 * (1) A load is one commit (og_graph_load is all or nothing); its result
 *     is rendered as §3.4: nodes / edges list the types the file loaded
 *     (entities_loaded > 0), sorted by name; commit is the CommitOutput of
 *     the published commit, or null when nothing was published.
 * (2) Export reads one view of the branch head, so the stream is one
 *     consistent snapshot; unknown type names fail before any output. */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#include "graph/branch.h"
#include "graph/load_mode.h"

static int by_name(const void *a, const void *b)
{
    const og_decl *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* [{name, entities_loaded}] of the types of kind that loaded rows. */
static json_t *type_counts(const og_catalog *cat, const og_graph_load_result *r, og_decl_kind kind)
{
    const og_decl **sel = calloc(cat->n_types ? cat->n_types : 1, sizeof *sel);
    json_t *a = json_array();
    size_t n = 0;
    if (!sel || !a) { free(sel); json_decref(a); return NULL; }
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_decl *t = &cat->types[i];
        if (t->kind == kind && t->index < r->n_types && r->loaded && r->loaded[t->index] > 0)
            sel[n++] = t;
    }
    qsort(sel, n, sizeof *sel, by_name);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:I}", "name", sel[i]->name, "entities_loaded",
                              (json_int_t)r->loaded[sel[i]->index]);
        if (!o || json_array_append_new(a, o)) { json_decref(a); a = NULL; break; }
    }
    free(sel);
    return a;
}

int og_db_load(og_db *db, const char *branch, const char *from, const char *ndjson,
               size_t len, const char *mode, const char *actor, char **json_out)
{
    og_status rc;
    og_graph_load_result r;
    og_graph_load_opts o;
    json_t *out = NULL, *commit = NULL, *nodes = NULL, *edges = NULL;
    memset(&r, 0, sizeof r);
    memset(&o, 0, sizeof o);
    *json_out = NULL;
    og_error_clear();
    og_api_conflict_reset();
    if (!db || !ndjson || !mode) {
        rc = og_error_set(OG_E_INVALID, "og_db_load: graph, data and mode are required");
        goto done;
    }
    rc = og_load_mode_parse(mode, &o.mode);
    if (rc) {
        rc = og_error_set(OG_E_INVALID, "invalid load mode '%s' (expected overwrite, append or "
                          "merge)", mode);
        goto done;
    }
    o.branch = branch && strcmp(branch, OG_GRAPH_MAIN) ? branch : NULL;
    o.from_branch = from;
    o.actor = actor;
    rc = og_graph_load(db->g, &o, ndjson, len, &r);
    if (rc) {
        if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) og_api_conflict_record(rc, &r.commit.conflict);
        goto done;
    }
    if (r.commit.published) {
        rc = og_api_commit_lookup(db, r.commit.commit_id, &commit);
        if (rc) goto done;
    }
    const og_catalog *cat = og_graph_catalog(db->g);
    nodes = type_counts(cat, &r, OG_KIND_NODE);
    edges = type_counts(cat, &r, OG_KIND_EDGE);
    out = json_object();
    if (!out || !nodes || !edges) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set_new(out, "uri", json_string(db->uri));
    json_object_set_new(out, "branch", json_string(branch ? branch : OG_GRAPH_MAIN));
    json_object_set_new(out, "mode", json_string(og_load_mode_name(o.mode)));
    if (from) json_object_set_new(out, "base_branch", json_string(from));
    json_object_set_new(out, "branch_created", json_boolean(r.branch_created));
    json_object_set(out, "nodes", nodes);
    json_object_set(out, "edges", edges);
    json_object_set_new(out, "total_entities", json_integer((json_int_t)r.total));
    if (actor) json_object_set_new(out, "actor_id", json_string(actor));
    json_object_set(out, "commit", commit ? commit : json_null());
    rc = og_api_dump(out, json_out);
    out = NULL;
done:
    json_decref(out);
    json_decref(nodes);
    json_decref(edges);
    json_decref(commit);
    og_graph_load_result_clear(&r);
    return rc;
}

typedef struct export_sink {
    og_db_export_fn cb;
    void *ud;
} export_sink;

static og_status sink_line(void *arg, const char *line, size_t len)
{
    export_sink *s = arg;
    if (s->cb(s->ud, line, len)) return og_error_set(OG_E_INVALID, "export stopped by caller");
    return OG_OK;
}

int og_db_export(og_db *db, const char *branch, const char *const *types, size_t n,
                 og_db_export_fn cb, void *ud)
{
    og_status rc;
    og_graph_view *v = NULL;
    export_sink s = {cb, ud};
    og_error_clear();
    og_api_conflict_reset();
    if (!db || !cb) { rc = og_error_set(OG_E_INVALID, "og_db_export: graph and sink are required"); goto done; }
    for (size_t i = 0; i < n; i++) {
        const og_catalog *cat = og_graph_catalog(db->g);
        if (!og_catalog_find_node(cat, types[i]) && !og_catalog_find_edge(cat, types[i])) {
            rc = og_error_set(OG_E_NOTFOUND, "unknown type '%s'", types[i]);
            goto done;
        }
    }
    rc = og_graph_view_open(db->g, branch && strcmp(branch, OG_GRAPH_MAIN) ? branch : NULL, NULL, &v);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found", branch);
    if (rc) goto done;
    rc = og_graph_export(v, types, n, sink_line, &s);
done:
    og_graph_view_close(v);
    return rc;
}
