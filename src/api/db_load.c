/* db_load.c — og_db_load and og_db_export (surface.md §3): the engine's
 * bulk loader and exporter behind the public API.
 * (1) A load is one commit (og_graph_load is all or nothing); its result
 *     is rendered as §3.4: nodes / edges list the types the file loaded
 *     (entities_loaded > 0), sorted by name; commit is the CommitOutput of
 *     the published commit, or null when nothing was published.
 * (3) og_db_load_batched (`load --batch`) runs og_graph_load_batched and
 *     reports each landed batch's own result to the progress callback;
 *     the final result sums the batches. Without it, a limit error says
 *     how to split.
 * (2) Export reads one view of the branch head, so the stream is one
 *     consistent snapshot; unknown type names fail before any output. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/branch.h"
#include "graph/error_detail.h"
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

/* The §3.4 load result of r (plus "batches" when nbatches > 0). */
static og_status result_json(og_db *db, const char *branch, const char *from, og_load_mode mode,
                             const char *actor, const og_graph_load_result *r, size_t nbatches, char **json_out)
{
    og_status rc = OG_OK;
    json_t *out = NULL, *commit = NULL, *nodes = NULL, *edges = NULL;
    if (r->commit.published) {
        rc = og_api_commit_lookup(db, r->commit.commit_id, &commit);
        if (rc) goto done;
    }
    const og_catalog *cat = og_graph_catalog(db->g);
    nodes = type_counts(cat, r, OG_KIND_NODE);
    edges = type_counts(cat, r, OG_KIND_EDGE);
    out = json_object();
    if (!out || !nodes || !edges) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set_new(out, "uri", json_string(db->uri));
    json_object_set_new(out, "branch", json_string(branch ? branch : OG_GRAPH_MAIN));
    json_object_set_new(out, "mode", json_string(og_load_mode_name(mode)));
    if (from) json_object_set_new(out, "base_branch", json_string(from));
    json_object_set_new(out, "branch_created", json_boolean(r->branch_created));
    json_object_set(out, "nodes", nodes);
    json_object_set(out, "edges", edges);
    json_object_set_new(out, "total_entities", json_integer((json_int_t)r->total));
    if (actor) json_object_set_new(out, "actor_id", json_string(actor));
    json_object_set(out, "commit", commit ? commit : json_null());
    if (nbatches) json_object_set_new(out, "batches", json_integer((json_int_t)nbatches));
    rc = og_api_dump(out, json_out);
    out = NULL;
done:
    json_decref(out);
    json_decref(nodes);
    json_decref(edges);
    json_decref(commit);
    return rc;
}

static og_status load_opts(og_db *db, const char *branch, const char *from, const char *ndjson,
                           const char *mode, const char *actor, og_graph_load_opts *o)
{
    memset(o, 0, sizeof *o);
    if (!db || !ndjson || !mode)
        return og_error_set(OG_E_INVALID, "og_db_load: graph, data and mode are required");
    if (og_load_mode_parse(mode, &o->mode))
        return og_error_set(OG_E_INVALID, "invalid load mode '%s' (expected overwrite, append or "
                            "merge)", mode);
    o->branch = branch && strcmp(branch, OG_GRAPH_MAIN) ? branch : NULL;
    o->from_branch = from;
    o->actor = actor;
    return OG_OK;
}

int og_db_load(og_db *db, const char *branch, const char *from, const char *ndjson,
               size_t len, const char *mode, const char *actor, char **json_out)
{
    og_status rc;
    og_graph_load_result r;
    og_graph_load_opts o;
    memset(&r, 0, sizeof r);
    *json_out = NULL;
    og_error_clear();
    og_api_conflict_reset();
    if ((rc = load_opts(db, branch, from, ndjson, mode, actor, &o))) goto done;
    rc = og_graph_load(db->g, &o, ndjson, len, &r);
    if (rc == OG_E_LIMIT) {
        char msg[1024];
        int detailed = og_detail_is_current();
        snprintf(msg, sizeof msg, "%s", og_error_last()->message);
        rc = og_error_set(OG_E_LIMIT, "%s; load larger files with `load --batch`, which commits them in "
                          "bounded, individually atomic batches", msg);
        if (detailed) og_detail_rebind();
    }
    if (rc) {
        if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) og_api_conflict_record(rc, &r.commit.conflict);
        goto done;
    }
    rc = result_json(db, branch, from, o.mode, actor, &r, 0, json_out);
done:
    og_graph_load_result_clear(&r);
    return rc;
}

typedef struct batch_sink {
    og_db *db;
    const char *branch, *from, *actor;
    og_load_mode mode;
    og_db_batch_fn fn;
    void *ud;
    uint64_t total_before;
    uint64_t *loaded_before;
} batch_sink;

/* og_graph_batch_fn: renders batch i's own result (totals minus the
 * previous totals) for the caller's progress callback. */
static og_status on_batch(void *arg, size_t i, size_t n, const og_load_split *sp, const og_graph_load_result *sum)
{
    batch_sink *s = arg;
    og_status rc = OG_OK;
    og_graph_load_result one = *sum;
    char *js = NULL;
    uint64_t *loaded = calloc(sum->n_types ? sum->n_types : 1, sizeof *loaded);
    if (!loaded) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t k = 0; k < sum->n_types; k++) {
        loaded[k] = sum->loaded[k] - s->loaded_before[k];
        s->loaded_before[k] = sum->loaded[k];
    }
    one.loaded = loaded;
    one.total = sum->total - s->total_before;
    s->total_before = sum->total;
    if (s->fn) {
        rc = result_json(s->db, s->branch, s->from, s->mode, s->actor, &one, 0, &js);
        if (!rc && s->fn(s->ud, i + 1, n, sp->first_line[i] + 1, sp->first_line[i] + sp->nlines[i], js))
            rc = og_error_set(OG_E_INVALID, "load stopped by caller after batch %zu/%zu", i + 1, n);
    }
    og_free(js);
    free(loaded);
    return rc;
}

int og_db_load_batched(og_db *db, const char *branch, const char *from, const char *ndjson,
                       size_t len, const char *mode, const char *actor, og_db_batch_fn progress,
                       void *ud, char **json_out)
{
    og_status rc;
    og_graph_load_result r;
    og_graph_load_opts o;
    batch_sink s;
    size_t landed = 0;
    memset(&r, 0, sizeof r);
    memset(&s, 0, sizeof s);
    *json_out = NULL;
    og_error_clear();
    og_api_conflict_reset();
    if ((rc = load_opts(db, branch, from, ndjson, mode, actor, &o))) goto done;
    s.db = db;
    s.branch = branch;
    s.from = from;
    s.actor = actor;
    s.mode = o.mode;
    s.fn = progress;
    s.ud = ud;
    s.loaded_before = calloc(og_graph_catalog(db->g)->n_types + 1, sizeof *s.loaded_before);
    if (!s.loaded_before) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = og_graph_load_batched(db->g, &o, ndjson, len, on_batch, &s, &landed, &r);
    if (rc) {
        if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) og_api_conflict_record(rc, &r.commit.conflict);
        goto done;
    }
    og_load_split sp;
    size_t nb = 1;
    if (og_load_split_text(ndjson, len, 0, 0, &sp) == OG_OK) { nb = sp.n ? sp.n : 1; og_load_split_free(&sp); }
    rc = result_json(db, branch, from, o.mode, actor, &r, nb, json_out);
done:
    free(s.loaded_before);
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
