/* db_repair.c — `repair` through the public API (surface.md §4.2,
 * internals §7.3; the mechanics are graph/repair.h).
 * (1) The output is the RepairOutput shape {uri, confirm, force,
 *     graph_manifest_version (null unless published), graph_commit_id
 *     (when published), refused, datasets[{type_key,
 *     published_dataset_version, lance_head_version, classification,
 *     action, operations[], error?}]}.
 * (2) A refused dataset is not a failure of the call: the caller decides
 *     (the CLI exits non-zero, §4.4). */
#include "db_internal.h"

#include <stdbool.h>
#include <string.h>

#include "graph/repair.h"

static json_t *dataset_json(const og_repair_table *t)
{
    json_t *o = json_object(), *ops = json_array();
    int bad = !o || !ops;
    for (size_t i = 0; !bad && i < t->noperations; i++) bad |= json_array_append_new(ops, json_string(t->operations[i]));
    if (!bad) {
        bad |= json_object_set_new(o, "type_key", json_string(t->table_key));
        bad |= json_object_set_new(o, "published_dataset_version", json_integer((json_int_t)t->published_version));
        bad |= json_object_set_new(o, "lance_head_version", json_integer((json_int_t)t->head_version));
        bad |= json_object_set_new(o, "classification", json_string(og_repair_class_name(t->cls)));
        bad |= json_object_set_new(o, "action", json_string(og_repair_action_name(t->action)));
        bad |= json_object_set(o, "operations", ops);
        if (t->error) bad |= json_object_set_new(o, "error", json_string(t->error));
    }
    json_decref(ops);
    if (bad) { json_decref(o); return NULL; }
    return o;
}

int og_db_repair(og_db *db, int confirm, int force, char **json_out)
{
    og_status rc = OG_OK;
    og_repair_result res;
    json_t *root = NULL, *ds = NULL;
    memset(&res, 0, sizeof res);
    og_error_clear();
    og_api_conflict_reset();
    *json_out = NULL;
    if (!db) return og_error_set(OG_E_INVALID, "og_db_repair: no graph handle");
    if ((rc = og_graph_repair(og_graph_store(db->g), confirm != 0, force != 0, &res))) goto done;
    root = json_object();
    ds = json_array();
    int bad = !root || !ds;
    for (size_t i = 0; !bad && i < res.ntables; i++) {
        json_t *d = dataset_json(&res.tables[i]);
        bad |= !d || json_array_append_new(ds, d);
    }
    if (!bad) {
        bad |= json_object_set_new(root, "uri", json_string(db->uri));
        bad |= json_object_set_new(root, "confirm", json_boolean(confirm));
        bad |= json_object_set_new(root, "force", json_boolean(force));
        bad |= json_object_set_new(root, "graph_manifest_version",
                                   res.published ? json_integer((json_int_t)res.manifest_version) : json_null());
        if (res.published) bad |= json_object_set_new(root, "graph_commit_id", json_string(res.commit_id));
        bad |= json_object_set_new(root, "refused", json_boolean(res.refused));
        bad |= json_object_set(root, "datasets", ds);
    }
    if (bad) { rc = og_error_set(OG_E_NOMEM, "out of memory rendering the repair output"); goto done; }
    rc = og_api_dump(root, json_out);
    root = NULL;
done:
    json_decref(ds);
    json_decref(root);
    og_repair_result_free(&res);
    return rc;
}
