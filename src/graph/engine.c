/* engine.c — opening a graph and its read views (engine.h (1)).
 * (1) Open reads _schema.pg, _schema.ir.json and __schema_state.json: the
 *     catalog comes from the IR, whose hash must equal the state's
 *     schema_ir_hash; _schema.pg recompiled must have the state's shape
 *     hash. Missing files are a hard error (no bootstrap); a held init
 *     claim without a manifest is reported as a half-done init.
 * (3) A read-write open runs pending internal-schema migrations
 *     (migrate.h), then the recovery sweep (recovery.h) before it
 *     returns, so nothing observes branch state with unrecovered drift; a
 *     read-only open never writes and never sweeps. og_graph_refresh runs
 *     the same sweep in a live process.
 * (2) A view is one manifest snapshot; its tables are borrowed from the
 *     graph's handle cache at the pinned version (and table branch) on
 *     first use (handle_cache.h).
 * (4) Opening a head goes through the same cache: main's chain uid is
 *     remembered (main is never deleted or recreated), other branches read
 *     their ref. With a cached snapshot of the chain at version V, the head
 *     is found by reading V+1, V+2, … until one is missing (one failed GET
 *     when nothing moved: O(1), where a LIST of the chain directory costs
 *     O(versions) on a file system); otherwise the chain is LISTed once. */
#include "engine_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "branch.h"
#include "internal.h"
#include "migrate.h"
#include "recovery.h"
#include "schema_plan.h"

#define OG_HEAD_PROBE_HOPS 4

static og_status read_file(og_store *st, const char *key, og_buf *out, bool *claim_hint)
{
    og_status rc = og_store_get(st, key, out, NULL);
    if (rc == OG_E_NOTFOUND) {
        og_obj_meta m;
        bool claim = og_store_head(st, OG_GRAPH_INIT_CLAIM, &m) == OG_OK;
        *claim_hint = claim;
        if (claim)
            rc = og_error_set(OG_E_CORRUPT, "InitializationClaimed: an init of this root did not "
                              "finish (`%s` is held and `%s` is missing); inspect the root",
                              OG_GRAPH_INIT_CLAIM, key);
        else
            rc = og_error_set(OG_E_NOTFOUND, "no graph at this root: `%s` is missing", key);
    }
    return rc;
}

og_status og_graph_open(og_store *root, og_graph_mode mode, og_graph **out)
{
    og_status rc = OG_OK;
    og_graph *g = NULL;
    og_buf pg = OG_BUF_INIT, ir = OG_BUF_INIT, st = OG_BUF_INIT;
    json_t *state = NULL;
    og_catalog *shape_cat = NULL;
    bool claim = false;
    char h[OG_CATALOG_HASH_HEX];
    *out = NULL;
    /* a schema apply interrupted after its publish must promote its schema
     * files before they are read (schema_plan.h (4)) */
    if (mode == OG_GRAPH_RW && (rc = og_schema_apply_recover_pending(root))) goto done;
    if (mode == OG_GRAPH_RO && (rc = og_schema_apply_check_readable(root))) goto done;
    if ((rc = read_file(root, OG_GRAPH_SCHEMA_PG, &pg, &claim))) goto done;
    if ((rc = read_file(root, OG_GRAPH_SCHEMA_IR, &ir, &claim))) goto done;
    if ((rc = read_file(root, OG_GRAPH_SCHEMA_STATE, &st, &claim))) goto done;
    g = calloc(1, sizeof *g);
    if (!g) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    g->mode = mode;
    if ((rc = og_graph_hcache_new(0, &g->hc))) goto done;
    json_error_t je;
    state = json_loadb(st.data ? st.data : "", st.len, JSON_REJECT_DUPLICATES, &je);
    if (!state) { rc = og_error_set(OG_E_CORRUPT, "corrupt `%s`: %s", OG_GRAPH_SCHEMA_STATE, je.text); goto done; }
    static const char *const allowed[] = {"format_version", "schema_shape_hash", "schema_ir_hash",
                                          "schema_identity_version", "schema_identity_domain", NULL};
    const char *shape = NULL, *irh = NULL, *dom = NULL;
    if ((rc = og_gdec_object(OG_GRAPH_SCHEMA_STATE, "", state, allowed))) goto done;
    if ((rc = og_gdec_format(OG_GRAPH_SCHEMA_STATE, state, "format_version", 2))) goto done;
    if ((rc = og_gdec_str(OG_GRAPH_SCHEMA_STATE, "", state, "schema_shape_hash", false, &shape))) goto done;
    if ((rc = og_gdec_str(OG_GRAPH_SCHEMA_STATE, "", state, "schema_ir_hash", false, &irh))) goto done;
    if ((rc = og_gdec_str(OG_GRAPH_SCHEMA_STATE, "", state, "schema_identity_domain", false, &dom))) goto done;
    if ((rc = og_catalog_from_ir_json(ir.data ? ir.data : "", ir.len, &g->cat))) goto done;
    if ((rc = og_catalog_ir_hash(g->cat, g->ir_hash))) goto done;
    if (strcmp(g->ir_hash, irh) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "`%s` does not match `%s` (schema_ir_hash %s, IR hashes to %s)",
                          OG_GRAPH_SCHEMA_IR, OG_GRAPH_SCHEMA_STATE, irh, g->ir_hash);
        goto done;
    }
    if (strcmp(g->cat->identity_domain, dom) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "`%s` names identity domain %s, the IR %s",
                          OG_GRAPH_SCHEMA_STATE, dom, g->cat->identity_domain);
        goto done;
    }
    if ((rc = og_catalog_compile(pg.data ? pg.data : "", pg.len, NULL, dom, &shape_cat))) {
        og_error_context(rc, "`%s`", OG_GRAPH_SCHEMA_PG);
        goto done;
    }
    if ((rc = og_catalog_shape_hash(shape_cat, h))) goto done;
    if (strcmp(h, shape) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "`%s` does not match the accepted schema (shape hash %s, "
                          "recorded %s)", OG_GRAPH_SCHEMA_PG, h, shape);
        goto done;
    }
    g->schema_src = malloc(pg.len + 1);
    if (!g->schema_src) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (pg.len) memcpy(g->schema_src, pg.data, pg.len);
    g->schema_src[pg.len] = '\0';
    g->root = root;
    root = NULL;
    if (mode == OG_GRAPH_RW && ((rc = og_graph_migrate(g->root, NULL, NULL)) ||
                                (rc = og_recovery_sweep(g->root, NULL)))) {
        og_error_context(rc, "read-write open");
        og_store_close(g->root);
        og_graph_hcache_free(g->hc);
        og_catalog_free(g->cat);
        free(g->schema_src);
        free(g);
        g = NULL;
        goto done;
    }
    *out = g;
    g = NULL;
done:
    if (g) { og_graph_hcache_free(g->hc); og_catalog_free(g->cat); free(g->schema_src); free(g); }
    og_store_close(root);
    og_catalog_free(shape_cat);
    json_decref(state);
    og_buf_free(&pg);
    og_buf_free(&ir);
    og_buf_free(&st);
    return rc;
}

og_status og_graph_refresh(og_graph *g)
{
    if (g->mode == OG_GRAPH_RO) return OG_OK;
    og_status rc = og_recovery_sweep(g->root, NULL);
    if (rc) og_error_context(rc, "recovery on refresh");
    return rc;
}

void og_graph_close(og_graph *g)
{
    if (!g) return;
    og_graph_hcache_free(g->hc);
    og_catalog_free(g->cat);
    free(g->schema_src);
    og_store_close(g->root);
    free(g);
}

const og_catalog *og_graph_catalog(const og_graph *g) { return g->cat; }
og_store *og_graph_store(og_graph *g) { return g->root; }
const char *og_graph_schema_source(const og_graph *g) { return g->schema_src; }

og_status og_graph_view_open(og_graph *g, const char *branch, const char *snapshot_commit,
                             og_graph_view **out)
{
    og_status rc = OG_OK;
    og_graph_view *v = calloc(1, sizeof *v);
    *out = NULL;
    if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
    v->g = g;
    v->tables = calloc(g->cat->n_types ? g->cat->n_types : 1, sizeof *v->tables);
    if (!v->tables) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (snapshot_commit)
        rc = og_graph_open_commit(g->root, snapshot_commit, &v->snap);
    else
        rc = og_graph_open_head_cached(g, branch, &v->snap);
    if (rc) goto done;
    *out = v;
    v = NULL;
done:
    og_graph_view_close(v);
    return rc;
}

void og_graph_view_close(og_graph_view *v)
{
    if (!v) return;
    if (v->tables)
        for (size_t i = 0; i < v->g->cat->n_types; i++) og_graph_hcache_release(v->g->hc, v->tables[i]);
    free(v->tables);
    og_graph_snapshot_free(&v->snap);
    free(v);
}

const og_graph_snapshot *og_graph_view_snapshot(const og_graph_view *v) { return &v->snap; }
const og_catalog *og_graph_view_catalog(const og_graph_view *v) { return v->g->cat; }

const og_graph_pin *og_graph_view_pin(const og_graph_view *v, const og_decl *t)
{
    char key[512];
    if (t->kind == OG_KIND_INTERFACE) return NULL;
    snprintf(key, sizeof key, "%s:%s", t->kind == OG_KIND_EDGE ? "edge" : "node", t->name);
    return og_graph_snapshot_pin(&v->snap, key);
}

og_status og_graph_view_table(og_graph_view *v, const og_decl *t, og_table **out)
{
    og_status rc = OG_OK;
    *out = NULL;
    if (t->index >= v->g->cat->n_types || &v->g->cat->types[t->index] != t)
        return og_error_set(OG_E_INVALID, "type `%s` is not of this graph's catalog", t->name);
    if (v->tables[t->index]) { *out = v->tables[t->index]; return OG_OK; }
    const og_graph_pin *p = og_graph_view_pin(v, t);
    if (!p)
        return og_error_set(OG_E_CORRUPT, "the manifest of branch `%s` has no table for %s `%s`",
                            v->snap.branch, og_decl_kind_name(t->kind), t->name);
    rc = og_graph_hcache_get(v->g->hc, v->g->root, p->path, p->table_branch, p->version, &v->tables[t->index]);
    if (rc == OG_E_NOTFOUND && !p->table_branch) {
        /* cleanup (maint.h) reclaimed the pinned version after this view
         * was opened: a stale snapshot, as retryable as a lost race. */
        og_table *head = NULL;
        bool newer = og_table_open(v->g->root, p->path, &head) == OG_OK && og_table_version(head) > p->version;
        og_table_close(head);
        if (newer)
            return og_error_set(OG_E_CONFLICT, "snapshot no longer retained: version %llu of table `%s` was "
                                "reclaimed by cleanup after this read began; retry on a fresh head",
                                (unsigned long long)p->version, p->table_key);
        og_error_set(OG_E_NOTFOUND, "table %s has no version %llu", p->path, (unsigned long long)p->version);
    }
    if (rc) return og_error_context(rc, "table %s", p->table_key);
    *out = v->tables[t->index];
    return OG_OK;
}

og_status og_graph_open_head_cached(og_graph *g, const char *branch, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_graph_ref r;
    char uid[OG_ULID_LEN + 1];
    uint64_t version = 0;
    bool is_main = !branch || strcmp(branch, OG_GRAPH_MAIN) == 0;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    if (!is_main || !og_graph_hcache_main_uid(g->hc, uid)) {
        if ((rc = og_graph_ref_read(g->root, is_main ? NULL : branch, &r))) goto done;
        memcpy(uid, r.uid, sizeof uid);
        if (is_main) og_graph_hcache_set_main_uid(g->hc, uid);
    }
    if (og_graph_hcache_newest(g->hc, uid, out)) {
        /* (4) versions are put_if_absent one after another: the head is the
         * cached version unless its successor exists. A few hops catch up
         * with other writers; further behind, one LIST is cheaper. The
         * probe is trusted only within the lease of the last time the
         * cached version was known to be the head (manifest.h). */
        for (int hop = 0; hop < OG_HEAD_PROBE_HOPS; hop++) {
            int64_t t0 = og_clock_mono_us();
            if (!out->head_checked_us || t0 - out->head_checked_us >= OG_GRAPH_HEAD_LEASE_US) break;
            og_graph_snapshot next;
            rc = og_graph_chain_read(g->root, uid, out->version + 1, &next);
            if (rc == OG_E_NOTFOUND) {
                og_error_clear();
                rc = OG_OK;
                out->head_checked_us = t0;
                og_graph_hcache_put_snapshot(g->hc, out);
                goto check;
            }
            if (rc) goto done;
            /* V+1 was made after the anchor (it was absent then), and so
             * was anything after it: the anchor stays the lease's start */
            next.head_checked_us = out->head_checked_us;
            og_graph_hcache_put_snapshot(g->hc, &next);
            og_graph_snapshot_free(out);
            *out = next;
        }
        og_graph_snapshot_free(out);
    }
    int64_t t_list = og_clock_mono_us();
    if ((rc = og_graph_chain_head_version(g->root, uid, &version))) goto done;
    if (!og_graph_hcache_snapshot(g->hc, uid, version, out)) {
        if ((rc = og_graph_chain_read(g->root, uid, version, out))) goto done;
    }
    out->head_checked_us = t_list;
    og_graph_hcache_put_snapshot(g->hc, out);
check:;
    const char *name = is_main ? OG_GRAPH_MAIN : r.name;
    if (strcmp(out->branch, name) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "manifest chain %s belongs to branch `%s`, but ref `%s` names it", uid,
                          out->branch, name);
        og_graph_snapshot_free(out);
    }
done:
    og_graph_ref_clear(&r);
    return rc;
}

og_status og_graph_commit_lookup(og_graph *g, const char *id, og_graph_commit *out)
{
    if (og_graph_hcache_commit(g->hc, id, out)) return OG_OK;
    return og_graph_commit_get(g->root, id, out);
}
