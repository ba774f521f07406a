/* db_history.c — branches, commits, snapshots and the accepted schema
 * through the public API (surface.md §4.2, §6).
 * (1) Branch names are checked here first for the user-facing rules with
 *     the reference's wording (main is reserved; the schema-apply lock
 *     refused;
 *     live names are path-prefix-disjoint); the graph layer enforces them
 *     again under races.
 * (2) Snapshot datasets come from the pinned manifest: entity_count is the
 *     manifest's row count, not a scan. */
#include "db_internal.h"

#include <stdlib.h>
#include <string.h>

#include "graph/branch.h"
#include "graph/manifest.h"

/* The one internal ref public operations refuse by name; other "__" names
 * are allowed (and, being internal to the graph layer, hidden). */
#define OG_API_SCHEMA_LOCK "__schema_apply_lock__"

static og_status begin(og_db *db)
{
    og_error_clear();
    og_api_conflict_reset();
    if (!db) return og_error_set(OG_E_INVALID, "no graph handle");
    return OG_OK;
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* True when a is b or a path prefix of b (component-wise). */
static bool prefix_related(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > lb) { const char *t = a; a = b; b = t; size_t tl = la; la = lb; lb = tl; }
    return !strncmp(a, b, la) && (lb == la || b[la] == '/');
}

static og_status check_new_name(og_store *st, const char *name, char **canon)
{
    og_status rc;
    og_graph_branch_list l = {0};
    *canon = NULL;
    rc = og_graph_branch_name_check(name, canon);
    if (rc) {
        og_error_set(OG_E_INVALID, "invalid branch name '%s': %s (allowed: non-empty "
                     "'/'-separated components without whitespace)", name,
                     og_error_last()->message);
        goto done;
    }
    if (!strcmp(*canon, OG_GRAPH_MAIN)) {
        rc = og_error_set(OG_E_INVALID, "cannot create branch 'main': it always exists");
        goto done;
    }
    if (!strcmp(*canon, OG_API_SCHEMA_LOCK)) {
        rc = og_error_set(OG_E_INVALID, "branch '%s' is an internal system ref and cannot be "
                          "used by public branch operations", *canon);
        goto done;
    }
    rc = og_graph_branch_list_all(st, 0, &l);
    if (rc) goto done;
    for (size_t i = 0; i < l.len; i++) {
        if (!strcmp(l.names[i], OG_GRAPH_MAIN) || !strcmp(l.names[i], *canon)) continue;
        if (prefix_related(l.names[i], *canon)) {
            rc = og_error_set(OG_E_CONFLICT, "branch '%s' would share its physical Lance path "
                              "namespace with live branch '%s': live branch names may not be "
                              "ancestors or descendants of each other", *canon, l.names[i]);
            goto done;
        }
    }
done:
    og_graph_branch_list_free(&l);
    if (rc) { free(*canon); *canon = NULL; }
    return rc;
}

int og_db_branch_create(og_db *db, const char *name, const char *from, const char *actor,
                        char **json_out)
{
    og_status rc;
    char *canon = NULL;
    json_t *o = NULL;
    og_graph_ref ref;
    memset(&ref, 0, sizeof ref);
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (!name) { rc = og_error_set(OG_E_INVALID, "branch create needs a name"); goto done; }
    rc = check_new_name(og_graph_store(db->g), name, &canon);
    if (rc) goto done;
    if (from && !strcmp(from, OG_API_SCHEMA_LOCK)) {
        rc = og_error_set(OG_E_INVALID, "branch '%s' is an internal system ref", from);
        goto done;
    }
    rc = og_graph_branch_create(og_graph_store(db->g), canon,
                                from && strcmp(from, OG_GRAPH_MAIN) ? from : NULL,
                                og_graph_branch_is_internal(canon) ? OG_GRAPH_BRANCH_INTERNAL : 0,
                                &ref);
    if (rc == OG_E_EXISTS) {
        rc = og_error_set(OG_E_EXISTS, "branch '%s' already exists", canon);
        goto done;
    }
    if (rc) goto done;
    o = json_pack("{s:s, s:s, s:s}", "uri", db->uri, "name", canon, "from",
                  from ? from : OG_GRAPH_MAIN);
    if (o && actor) json_object_set_new(o, "actor_id", json_string(actor));
    rc = og_api_dump(o, json_out);
done:
    og_graph_ref_clear(&ref);
    free(canon);
    return rc;
}

int og_db_branch_list(og_db *db, char **json_out)
{
    og_status rc;
    og_graph_branch_list l = {0};
    json_t *a = NULL;
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    rc = og_graph_branch_list_all(og_graph_store(db->g), 0, &l);
    if (rc) goto done;
    a = json_array();
    for (size_t i = 0; a && i < l.len; i++) json_array_append_new(a, json_string(l.names[i]));
    rc = og_api_dump(a ? json_pack("{s:o}", "branches", a) : NULL, json_out);
done:
    og_graph_branch_list_free(&l);
    return rc;
}

int og_db_branch_delete(og_db *db, const char *name, const char *actor, char **json_out)
{
    og_status rc;
    char *canon = NULL;
    json_t *o = NULL;
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    rc = og_graph_branch_name_check(name ? name : "", &canon);
    if (rc) goto done;
    if (!strcmp(canon, OG_GRAPH_MAIN)) {
        rc = og_error_set(OG_E_INVALID, "cannot delete branch 'main': it always exists");
        goto done;
    }
    if (!strcmp(canon, OG_API_SCHEMA_LOCK)) {
        rc = og_error_set(OG_E_INVALID, "branch '%s' is an internal system ref", canon);
        goto done;
    }
    rc = og_graph_branch_delete(og_graph_store(db->g), canon,
                                og_graph_branch_is_internal(canon) ? OG_GRAPH_BRANCH_INTERNAL : 0);
    if (rc == OG_E_CONFLICT) {
        char msg[512];
        og_error_format(msg, sizeof msg);
        rc = og_error_set(OG_E_CONFLICT, "cannot delete branch '%s': another live branch still "
                          "depends on it (%s)", canon, msg);
    }
    if (rc) goto done;
    o = json_pack("{s:s, s:s}", "uri", db->uri, "name", canon);
    if (o && actor) json_object_set_new(o, "actor_id", json_string(actor));
    rc = og_api_dump(o, json_out);
done:
    free(canon);
    return rc;
}

int og_db_commit_list(og_db *db, const char *branch, const char *actor_filter,
                      char **json_out)
{
    og_status rc;
    og_graph_commit_list l = {0};
    json_t *a = NULL;
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    rc = og_graph_commit_list_branch(og_graph_store(db->g),
                                     branch && strcmp(branch, OG_GRAPH_MAIN) ? branch : NULL,
                                     actor_filter, 0, &l);
    if (rc) goto done;
    a = json_array();
    for (size_t i = 0; a && i < l.len; i++) {
        json_t *c = og_api_commit_json(&l.items[i]);
        if (!c || json_array_append_new(a, c)) { json_decref(a); a = NULL; }
    }
    rc = og_api_dump(a ? json_pack("{s:o}", "commits", a) : NULL, json_out);
done:
    og_graph_commit_list_free(&l);
    return rc;
}

int og_db_commit_show(og_db *db, const char *commit_id, char **json_out)
{
    og_status rc;
    json_t *o = NULL;
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (!commit_id) { rc = og_error_set(OG_E_INVALID, "commit show needs a commit id"); goto done; }
    rc = og_api_commit_lookup(db, commit_id, &o);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "commit '%s' not found", commit_id);
    if (rc) goto done;
    rc = og_api_dump(o, json_out);
done:
    return rc;
}

int og_db_snapshot(og_db *db, const char *branch, char **json_out)
{
    og_status rc;
    og_graph_snapshot s;
    json_t *ds = NULL, *o = NULL;
    memset(&s, 0, sizeof s);
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    rc = og_graph_open_head(og_graph_store(db->g),
                            branch && strcmp(branch, OG_GRAPH_MAIN) ? branch : NULL, &s);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found",
                                               branch ? branch : OG_GRAPH_MAIN);
    if (rc) goto done;
    ds = json_array();
    for (size_t i = 0; ds && i < s.npins; i++) {
        const og_graph_pin *p = &s.pins[i];
        const char *colon = strchr(p->table_key, ':');
        json_t *d = json_object();
        if (!d || !colon) { json_decref(d); continue; }
        json_object_set_new(d, "entity_kind",
                            json_stringn(p->table_key, (size_t)(colon - p->table_key)));
        json_object_set_new(d, "type_name", json_string(colon + 1));
        json_object_set_new(d, "dataset_path", json_string(p->path));
        json_object_set_new(d, "published_dataset_version", json_integer((json_int_t)p->version));
        if (p->table_branch) {
            /* forks are named by their branch's chain uid: show the branch name */
            char *name = NULL;
            if (strcmp(p->table_branch, s.branch_uid) != 0 &&
                og_graph_branch_name_of_uid(og_graph_store(db->g), p->table_branch, &name))
                og_error_clear();
            json_object_set_new(d, "native_dataset_branch",
                                json_string(!strcmp(p->table_branch, s.branch_uid) ? s.branch
                                            : name ? name : p->table_branch));
            free(name);
        }
        json_object_set_new(d, "entity_count", json_integer((json_int_t)p->row_count));
        json_array_append_new(ds, d);
    }
    o = json_object();
    if (o && ds) {
        json_object_set_new(o, "graph_branch", str_or_null(s.branch));
        json_object_set_new(o, "graph_manifest_version", json_integer((json_int_t)s.version));
        json_object_set_new(o, "internal_schema_version",
                            json_integer(OG_INTERNAL_SCHEMA_VERSION));
        json_object_set(o, "datasets", ds);
    }
    rc = og_api_dump(o, json_out);
done:
    json_decref(ds);
    og_graph_snapshot_free(&s);
    return rc;
}

int og_db_schema_show(og_db *db, char **json_out)
{
    og_status rc;
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    const char *src = og_graph_schema_source(db->g);
    rc = og_api_dump(json_pack("{s:s}", "schema_source", src ? src : ""), json_out);
done:
    return rc;
}
