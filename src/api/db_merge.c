/* db_merge.c — og_db_branch_merge (omnigraph.h; surface.md §5.3, §6).
 * (1) The merge itself is og_graph_branch_merge (graph/merge.h); this file
 *     shapes its output and its conflicts.
 * (2) Conflicts leave the ErrorOutput body with merge_conflicts[] (every
 *     conflict, not only the three the message names) for
 *     og_last_conflict_json(), so the server answers 409 with it.
 * (3) delete_branch runs only after a successful merge (already up to date
 *     included); its failure is data in the output (branch_deleted false,
 *     branch_delete_error), never a failure of the merge. */
#include "db_internal.h"

#include <string.h>

#include "graph/branch.h"
#include "graph/merge.h"

static void record_conflicts(const og_graph_merge_result *r)
{
    char msg[2048];
    json_t *arr = json_array(), *body = NULL;
    og_error_format(msg, sizeof msg);
    for (size_t i = 0; arr && i < r->nconflicts; i++) {
        const og_merge_conflict *c = &r->conflicts[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "entity_kind", c->entity_kind, "type_name", c->type_name,
                              "kind", c->kind, "message", c->message);
        if (o && c->id) json_object_set_new(o, "entity_id", json_string(c->id));
        if (o) json_array_append_new(arr, o);
    }
    body = arr ? json_pack("{s:s, s:s, s:o}", "error", msg, "code", "conflict", "merge_conflicts", arr) : NULL;
    og_api_conflict_set_body(body);
}

int og_db_branch_merge(og_db *db, const char *source, const char *target, const char *actor,
                       int delete_branch, char **json_out)
{
    og_status rc = OG_OK;
    og_graph_merge_result r;
    json_t *o = NULL;
    char *del = NULL;
    memset(&r, 0, sizeof r);
    og_error_clear();
    og_api_conflict_reset();
    *json_out = NULL;
    if (!db) return og_error_set(OG_E_INVALID, "no graph handle");
    if (!source) return og_error_set(OG_E_INVALID, "branch merge needs a source branch");
    og_graph_merge_opts mo = {source, target && strcmp(target, OG_GRAPH_MAIN) ? target : NULL, actor};
    rc = og_graph_branch_merge(db->g, &mo, &r);
    if (rc) {
        if (rc == OG_E_CONFLICT && r.nconflicts) record_conflicts(&r);
        else if (rc == OG_E_CONFLICT) og_api_conflict_record(rc, &r.commit.conflict);
        goto done;
    }
    o = json_pack("{s:s, s:s, s:s}", "source", source, "target", target ? target : OG_GRAPH_MAIN, "outcome",
                  og_merge_outcome_name(r.outcome));
    if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (actor) json_object_set_new(o, "actor_id", json_string(actor));
    if (r.commit.published) {
        json_object_set_new(o, "graph_commit_id", json_string(r.commit.commit_id));
        json_object_set_new(o, "graph_manifest_version", json_integer((json_int_t)r.commit.manifest_version));
    }
    if (delete_branch) {
        int d = og_db_branch_delete(db, source, actor, &del);
        json_object_set_new(o, "branch_deleted", json_boolean(d == 0));
        if (d) json_object_set_new(o, "branch_delete_error", json_string(og_errmsg()));
        og_error_clear();
        og_api_conflict_reset();
    }
    rc = og_api_dump(o, json_out);
    o = NULL;
done:
    og_free(del);
    json_decref(o);
    og_graph_merge_result_clear(&r);
    return rc;
}
