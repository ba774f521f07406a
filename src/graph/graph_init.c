/* graph_init.c — crash-safe graph creation (internals.md §4.9).
 * (1) A root holding __manifest or any schema file is AlreadyInitialized
 *     (OG_E_EXISTS); --force only replaces orphan schema files when there
 *     is no manifest.
 * (2) __init_claim.json is created with put_if_absent: of two concurrent
 *     inits one wins; a held claim is InitializationClaimed (OG_E_CONFLICT)
 *     and is never silently reused.
 * (3) Before any table is created a failure releases the claim; from the
 *     first table on the outcome is unknown and the claim is kept, so the
 *     next init/open reports the half-done init.
 * (4) The genesis manifest version is the commit point: it pins every
 *     node/edge table at version 1. The claim is deleted after it. */
#include "engine_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/ulid.h"
#include "base/failpoint.h"
#include "branch.h"
#include "internal.h"

static og_status exists(og_store *st, const char *key, bool *out)
{
    og_obj_meta m;
    og_status rc = og_store_head(st, key, &m);
    *out = rc == OG_OK;
    if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
    return rc;
}

static og_status manifest_exists(og_store *st, bool *out)
{
    og_list l = {0};
    og_status rc = og_store_list(st, OG_GRAPH_MANIFEST_DIR, NULL, 1, &l);
    *out = rc == OG_OK && l.len > 0;
    og_list_free(&l);
    return rc;
}

static og_status put_file(og_store *st, const char *key, const void *p, size_t n, bool strict)
{
    og_status rc = strict ? og_store_put_if_absent(st, key, p, n, NULL) : og_store_put(st, key, p, n, NULL);
    if (rc == OG_E_PRECONDITION)
        rc = og_error_set(OG_E_EXISTS, "AlreadyInitialized: `%s` appeared during init", key);
    return rc;
}

static int pin_cmp(const void *a, const void *b)
{
    return strcmp(((const og_graph_pin *)a)->table_key, ((const og_graph_pin *)b)->table_key);
}

og_status og_graph_init(og_store *root, const char *schema_src, size_t len, bool force,
                        const char *actor)
{
    og_status rc = OG_OK;
    og_catalog *cat = NULL;
    og_buf ir = OG_BUF_INIT, key = OG_BUF_INIT, path = OG_BUF_INIT;
    char *state_txt = NULL;
    json_t *state = NULL;
    og_graph_pin *pins = NULL;
    size_t npins = 0;
    og_schema sch = {0};
    bool claimed = false, keep_claim = false, found = false;
    char shape[OG_CATALOG_HASH_HEX], irh[OG_CATALOG_HASH_HEX];
    og_ulid domain, gid;
    static const char *const files[] = {OG_GRAPH_SCHEMA_PG, OG_GRAPH_SCHEMA_IR, OG_GRAPH_SCHEMA_STATE};

    if ((rc = manifest_exists(root, &found))) goto done;
    if (found) {
        rc = og_error_set(OG_E_EXISTS, "AlreadyInitialized: a graph already exists at this root "
                          "(found `__manifest`)%s", force ? "; --force never replaces a graph" : "");
        goto done;
    }
    for (size_t i = 0; i < 3 && !force; i++) {
        if ((rc = exists(root, files[i], &found))) goto done;
        if (found) {
            rc = og_error_set(OG_E_EXISTS, "AlreadyInitialized: the root already holds `%s` "
                              "(use --force to replace orphan schema files)", files[i]);
            goto done;
        }
    }
    /* Compile before claiming: a bad schema leaves nothing behind. */
    if ((rc = og_ulid_new(&domain))) goto done;
    if ((rc = og_catalog_compile(schema_src, len, NULL, domain.s, &cat))) goto done;
    if ((rc = og_catalog_to_ir_json(cat, &ir))) goto done;
    if ((rc = og_catalog_ir_hash(cat, irh))) goto done;
    if ((rc = og_catalog_shape_hash(cat, shape))) goto done;

    rc = og_store_put_if_absent(root, OG_GRAPH_INIT_CLAIM, domain.s, OG_ULID_LEN, NULL);
    if (rc == OG_E_PRECONDITION) {
        rc = og_error_set(OG_E_CONFLICT, "InitializationClaimed: `%s` is held by another or an "
                          "unfinished init; inspect the root before retrying", OG_GRAPH_INIT_CLAIM);
        goto done;
    }
    if (rc) goto done;
    claimed = true;

    state = json_object();
    if (!state) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    og_genc_int(state, "format_version", 2, &rc);
    og_genc_str(state, "schema_shape_hash", shape, &rc);
    og_genc_str(state, "schema_ir_hash", irh, &rc);
    og_genc_int(state, "schema_identity_version", 2, &rc);
    og_genc_str(state, "schema_identity_domain", domain.s, &rc);
    if (rc) goto done;
    state_txt = json_dumps(state, JSON_SORT_KEYS | JSON_INDENT(2));
    if (!state_txt) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }

    if ((rc = put_file(root, OG_GRAPH_SCHEMA_PG, schema_src, len, !force))) goto done;
    if ((rc = put_file(root, OG_GRAPH_SCHEMA_IR, ir.data, ir.len, !force))) goto done;
    if ((rc = put_file(root, OG_GRAPH_SCHEMA_STATE, state_txt, strlen(state_txt), !force))) goto done;

    keep_claim = true; /* (3): from here on the outcome is unknown on failure */
    pins = calloc(cat->n_types ? cat->n_types : 1, sizeof *pins);
    if (!pins) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_decl *t = &cat->types[i];
        if (t->kind == OG_KIND_INTERFACE) continue;
        og_txn *tx = NULL;
        bool edge = t->kind == OG_KIND_EDGE;
        if ((rc = og_graph_table_key(t, &key))) goto done;
        if ((rc = og_graph_table_path(&path, edge, t->type_id, t->table_incarnation_id))) goto done;
        if ((rc = og_graph_table_schema(t, &sch))) goto done;
        rc = og_table_stage_create(root, path.data, &sch, NULL, &tx);
        og_schema_free(&sch);
        if (!rc) {
            og_commit_opts co = {true, 0};
            rc = og_txn_commit(tx, &co, NULL, NULL);
            og_txn_free(tx);
        }
        if (rc) goto done;
        og_graph_pin *p = &pins[npins++];
        p->stable_table_id = t->type_id;
        p->table_incarnation_id = t->table_incarnation_id;
        p->version = 1;
        if ((rc = og_gstrdup(key.data, &p->table_key))) goto done;
        if ((rc = og_gstrdup(path.data, &p->path))) goto done;
    }
    if (npins > 1) qsort(pins, npins, sizeof *pins, pin_cmp);
    if ((rc = OG_FAILPOINT("graph.init.before_genesis"))) goto done;
    if ((rc = og_ulid_new(&gid))) goto done;
    og_graph_commit_info ci = {gid.s, actor, NULL, 0};
    if ((rc = og_graph_genesis(root, pins, npins, irh, &ci, NULL))) goto done;
    keep_claim = false;
    rc = og_store_delete(root, OG_GRAPH_INIT_CLAIM);
    claimed = false;
done:
    if (claimed && !keep_claim) {
        og_status keep = rc;
        (void)og_store_delete(root, OG_GRAPH_INIT_CLAIM);
        rc = keep;
    }
    for (size_t i = 0; i < npins; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(state_txt);
    json_decref(state);
    og_buf_free(&ir);
    og_buf_free(&key);
    og_buf_free(&path);
    og_catalog_free(cat);
    return rc;
}
