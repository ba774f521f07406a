/* db_schema.c — schema plan / apply through the public API (surface.md
 * §1.11, §4.2, §5.3).
 * (1) plan has no effect: it compiles the desired .pg against the accepted
 *     catalog (identity resolution incl. @rename_from) and renders the
 *     steps as {uri, supported, step_count, steps}.
 * (2) apply delegates to og_graph_schema_apply (schema_plan.h of the graph
 *     layer); afterwards the handle's compiled-query cache is dropped, since
 *     its entries were type-checked against the old catalog. */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "graph/schema_plan.h"

static og_status begin(og_db *db)
{
    og_error_clear();
    og_api_conflict_reset();
    if (!db) return og_error_set(OG_E_INVALID, "no graph handle");
    return OG_OK;
}

/* The plan's JSON with `uri` in front (and more fields from extra). */
static og_status plan_json(og_db *db, const og_schema_plan *p, json_t **out)
{
    og_buf b = OG_BUF_INIT;
    og_status rc = og_schema_plan_to_json(p, &b);
    json_t *o = NULL, *res = NULL;
    *out = NULL;
    if (rc) goto done;
    o = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
    res = json_object();
    if (!o || !res) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set_new(res, "uri", json_string(db->uri));
    json_object_update(res, o);
    *out = res;
    res = NULL;
done:
    json_decref(o);
    json_decref(res);
    og_buf_free(&b);
    return rc;
}

int og_db_schema_plan(og_db *db, const char *schema_src, size_t len, int allow_data_loss, char **json_out)
{
    og_status rc;
    og_schema_plan *p = NULL;
    json_t *o = NULL;
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (!schema_src) { rc = og_error_set(OG_E_INVALID, "schema plan needs the desired schema text"); goto done; }
    if ((rc = og_schema_plan_build(og_graph_catalog(db->g), schema_src, len, allow_data_loss != 0, &p))) goto done;
    if ((rc = plan_json(db, p, &o))) goto done;
    rc = og_api_dump(o, json_out);
    o = NULL;
done:
    json_decref(o);
    og_schema_plan_free(p);
    return rc;
}

int og_db_schema_apply(og_db *db, const char *schema_src, size_t len, int allow_data_loss, const char *actor,
                       char **json_out)
{
    og_status rc;
    og_graph_schema_apply_result r;
    json_t *o = NULL;
    memset(&r, 0, sizeof r);
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (!schema_src) { rc = og_error_set(OG_E_INVALID, "schema apply needs the desired schema text"); goto done; }
    og_graph_schema_apply_opts opts = {allow_data_loss != 0, actor};
    rc = og_graph_schema_apply(db->g, schema_src, len, &opts, &r);
    if (r.applied) og_db_qcache_free(db); /* (2) */
    if (rc) goto done;
    if ((rc = plan_json(db, r.plan, &o))) goto done;
    json_object_set_new(o, "applied", json_boolean(r.applied));
    json_object_set_new(o, "graph_manifest_version", json_integer((json_int_t)r.manifest_version));
    if (r.applied && r.commit_id[0]) json_object_set_new(o, "graph_commit_id", json_string(r.commit_id));
    rc = og_api_dump(o, json_out);
    o = NULL;
done:
    json_decref(o);
    og_graph_schema_apply_result_clear(&r);
    return rc;
}
