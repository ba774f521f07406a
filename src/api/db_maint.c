/* db_maint.c — optimize, cleanup and the automatic maintenance pass
 * through the public API (omnigraph.h; graph/maint.h).
 * (1) The JSON shapes follow surface.md §4.2: one `datasets` entry per
 *     table (optimize also reports `__manifest`), keyed by type_key.
 * (2) A lost race of optimize leaves the usual structured conflict. */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#include "graph/maint.h"

static og_status begin(og_db *db)
{
    og_error_clear();
    og_api_conflict_reset();
    if (!db) return og_error_set(OG_E_INVALID, "no graph handle");
    return OG_OK;
}

#define JSET(o, k, v) json_object_set_new_nocheck((o), (k), (v))

static json_t *optimize_json(const og_db *db, const char *branch, const og_optimize_result *r)
{
    json_t *o = json_object(), *ds = json_array();
    if (!o || !ds) { json_decref(o); json_decref(ds); return NULL; }
    JSET(o, "uri", json_string(db->uri));
    JSET(o, "branch", json_string(branch ? branch : "main"));
    JSET(o, "published", json_boolean(r->published));
    JSET(o, "graph_commit_id", r->published ? json_string(r->commit_id) : json_null());
    JSET(o, "graph_manifest_version", json_integer((json_int_t)r->manifest_version));
    JSET(o, "attempts", json_integer(r->attempts));
    for (size_t i = 0; i < r->ntables; i++) {
        const og_optimize_table *t = &r->tables[i];
        json_t *d = json_object(), *pi = json_array();
        if (!d || !pi) { json_decref(d); json_decref(pi); json_decref(o); json_decref(ds); return NULL; }
        JSET(d, "type_key", json_string(t->table_key));
        JSET(d, "fragments_removed", json_integer((json_int_t)t->fragments_removed));
        JSET(d, "fragments_added", json_integer((json_int_t)t->fragments_added));
        JSET(d, "committed", json_boolean(t->committed));
        JSET(d, "skipped", json_boolean(t->skipped));
        if (t->skip_reason) JSET(d, "skip_reason", json_string(t->skip_reason));
        JSET(d, "published_dataset_version", json_integer((json_int_t)t->published_version));
        JSET(d, "lance_head_version", json_integer((json_int_t)t->head_version));
        for (size_t k = 0; k < t->npending; k++) {
            json_t *p = json_object();
            if (!p) continue;
            JSET(p, "property", json_string(t->pending[k].property));
            JSET(p, "reason", json_string(t->pending[k].reason));
            json_array_append_new(pi, p);
        }
        JSET(d, "pending_indexes", pi);
        json_array_append_new(ds, d);
    }
    JSET(o, "datasets", ds);
    return o;
}

int og_db_optimize(og_db *db, const char *branch, const char *actor, char **json_out)
{
    og_optimize_result r;
    memset(&r, 0, sizeof r);
    *json_out = NULL;
    og_status rc = begin(db);
    if (rc) return rc;
    if (branch && !strcmp(branch, "main")) branch = NULL;
    og_optimize_opts o = {branch, actor, 0, 0, 0};
    if ((rc = og_graph_optimize(db->g, &o, &r))) goto done;
    json_t *j = optimize_json(db, branch, &r);
    rc = j ? og_api_dump(j, json_out) : og_error_set(OG_E_NOMEM, "out of memory");
done:
    og_optimize_result_clear(&r);
    return rc;
}

int og_db_cleanup(og_db *db, unsigned long long keep, long long older_than_s, unsigned flags, char **json_out)
{
    og_cleanup_result r;
    og_cleanup_policy p;
    memset(&r, 0, sizeof r);
    memset(&p, 0, sizeof p);
    *json_out = NULL;
    og_status rc = begin(db);
    if (rc) return rc;
    p.keep = keep;
    p.has_older_than = older_than_s >= 0;
    p.older_than_us = older_than_s >= 0 ? older_than_s * 1000000LL : 0;
    p.dry_run = (flags & OG_DB_CLEANUP_DRY_RUN) != 0;
    p.min_age_us = (flags & OG_DB_CLEANUP_QUIESCED) ? -1 : 0;
    p.grace_us = (flags & OG_DB_CLEANUP_QUIESCED) ? 1 : 0;
    if ((rc = og_graph_cleanup(db->g, &p, &r))) goto done;
    json_t *o = json_object(), *ds = json_array();
    if (!o || !ds) { json_decref(o); json_decref(ds); rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    JSET(o, "uri", json_string(db->uri));
    JSET(o, "dry_run", json_boolean(r.dry_run));
    JSET(o, "manifest_versions_removed", json_integer((json_int_t)r.manifest_versions_removed));
    JSET(o, "manifest_versions_kept", json_integer((json_int_t)r.manifest_versions_kept));
    JSET(o, "orphan_chains_removed", json_integer((json_int_t)r.orphan_chains_removed));
    for (size_t i = 0; i < r.ntables; i++) {
        const og_cleanup_table *t = &r.tables[i];
        json_t *d = json_object();
        if (!d) continue;
        JSET(d, "type_key", json_string(t->table_key));
        JSET(d, "old_versions_removed", json_integer((json_int_t)t->versions_removed));
        JSET(d, "fork_versions_removed", json_integer((json_int_t)t->fork_versions_removed));
        JSET(d, "forks_reclaimed", json_integer((json_int_t)t->forks_reclaimed));
        JSET(d, "versions_before", json_integer((json_int_t)t->versions_before));
        JSET(d, "files_removed", json_integer((json_int_t)t->files_removed));
        JSET(d, "bytes_removed", json_integer((json_int_t)t->bytes_removed));
        JSET(d, "bytes_before", json_integer((json_int_t)t->bytes_before));
        if (t->error) JSET(d, "error", json_string(t->error));
        json_array_append_new(ds, d);
    }
    JSET(o, "datasets", ds);
    rc = og_api_dump(o, json_out);
done:
    og_cleanup_result_clear(&r);
    return rc;
}

int og_db_maintain(og_db *db, const char *branch, int force, char **json_out)
{
    og_maint_result r;
    bool due = force != 0;
    memset(&r, 0, sizeof r);
    if (json_out) *json_out = NULL;
    og_status rc = begin(db);
    if (rc) return rc;
    if (branch && !strcmp(branch, "main")) branch = NULL;
    og_maint_opts o = {branch, 0, 0, 0, 0, 0, 0};
    if (!due && (rc = og_graph_maint_due(db->g, &o, &due))) return rc;
    if (due && (rc = og_graph_maintain(db->g, &o, &r))) return rc;
    if (!json_out) return OG_OK;
    json_t *j = json_object();
    if (!j) return og_error_set(OG_E_NOMEM, "out of memory");
    JSET(j, "due", json_boolean(due));
    JSET(j, "ran_optimize", json_boolean(r.ran_optimize));
    JSET(j, "ran_cleanup", json_boolean(r.ran_cleanup));
    JSET(j, "tables_compacted", json_integer((json_int_t)r.tables_compacted));
    JSET(j, "versions_removed", json_integer((json_int_t)r.versions_removed));
    JSET(j, "manifest_versions_removed", json_integer((json_int_t)r.manifest_versions_removed));
    JSET(j, "files_removed", json_integer((json_int_t)r.files_removed));
    return og_api_dump(j, json_out);
}
