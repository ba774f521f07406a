/* schema_apply.c — the schema apply protocol and its recovery
 * (schema_plan.h (1)–(6)).
 * (1) Effects are computed from the accepted catalog (g->cat), the desired
 *     one (plan->desired) and main's captured head, before anything durable
 *     happens; every check that can refuse runs before Phase A.
 * (2) Ownership of a moved table is proven by the pre-minted transaction
 *     uuid recorded at its post version, as for every writer; a created
 *     table is only ever deleted when main does not pin it.
 * (3) The schema files are promoted by plain puts of whole objects, the
 *     state file last: a reader that sees the new state sees the new IR and
 *     source (open checks their hashes against it). */
#include "schema_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/failpoint.h"
#include "base/log.h"
#include "base/ulid.h"
#include "branch.h"
#include "commit.h"
#include "engine_internal.h"
#include "error_detail.h"
#include "internal.h"
#include "manifest.h"
#include "publisher.h"

#define TRY(x) do { if ((rc = (x)) != OG_OK) goto done; } while (0)
#define STAGING ".staging"

static const char *const FILES[3] = {OG_GRAPH_SCHEMA_PG, OG_GRAPH_SCHEMA_IR, OG_GRAPH_SCHEMA_STATE};

typedef enum eff_kind { EFF_CREATE = 0, EFF_REWRITE, EFF_REKEY, EFF_DROP } eff_kind;

typedef struct effect {
    eff_kind kind;
    const og_decl *ta, *td;      /* accepted / desired type (one may be NULL) */
    const og_graph_pin *pin;     /* main's pin of ta (NULL for CREATE) */
    char *old_key, *new_key, *path;
    uint64_t expected, version;  /* table versions before / after */
    uint64_t rows;
    char uuid[OG_SIDECAR_UUID_MAX + 1];
} effect;

typedef struct effects {
    effect *v;
    size_t n;
} effects;

static void effects_free(effects *e)
{
    for (size_t i = 0; i < e->n; i++) { free(e->v[i].old_key); free(e->v[i].new_key); free(e->v[i].path); }
    free(e->v);
    memset(e, 0, sizeof *e);
}

static og_status key_of(const og_decl *t, char **out)
{
    og_buf b = OG_BUF_INIT;
    og_status rc = og_graph_table_key(t, &b);
    if (!rc) rc = og_gstrdup(og_buf_cstr(&b), out);
    og_buf_free(&b);
    return rc;
}

static bool same_table_schema(const og_schema *a, const og_schema *b)
{
    if (a->nfields != b->nfields) return false;
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, b->fields[i].name) || !og_type_eq(a->fields[i].type, b->fields[i].type) ||
            a->fields[i].nullable != b->fields[i].nullable)
            return false;
    return true;
}

static og_status mint_uuid(char out[OG_SIDECAR_UUID_MAX + 1])
{
    og_ulid u;
    og_status rc = og_ulid_new(&u);
    if (!rc) snprintf(out, OG_SIDECAR_UUID_MAX + 1, "omnigraph-schema-%s", u.s);
    return rc;
}

/* (1) */
static og_status plan_effects(const og_catalog *acc, const og_catalog *des, const og_graph_snapshot *head,
                              effects *out)
{
    og_status rc = OG_OK;
    og_schema sa = {0}, sd = {0};
    og_buf path = OG_BUF_INIT;
    memset(out, 0, sizeof *out);
    out->v = calloc(acc->n_types + des->n_types + 1, sizeof *out->v);
    if (!out->v) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < des->n_types; i++) {
        const og_decl *td = &des->types[i];
        if (td->kind == OG_KIND_INTERFACE) continue;
        const og_decl *ta = og_catalog_find_by_id(acc, td->type_id);
        if (ta && ta->kind != td->kind) ta = NULL;
        effect *e = &out->v[out->n];
        memset(e, 0, sizeof *e);
        e->ta = ta;
        e->td = td;
        TRY(key_of(td, &e->new_key));
        out->n++;
        if (!ta) {
            e->kind = EFF_CREATE;
            TRY(og_graph_table_path(&path, td->kind == OG_KIND_EDGE, td->type_id, td->table_incarnation_id));
            TRY(og_gstrdup(og_buf_cstr(&path), &e->path));
            TRY(mint_uuid(e->uuid));
            continue;
        }
        TRY(key_of(ta, &e->old_key));
        e->pin = og_graph_snapshot_pin(head, e->old_key);
        if (!e->pin) {
            rc = og_error_set(OG_E_CORRUPT, "main's manifest has no table for accepted %s `%s`",
                              og_decl_kind_name(ta->kind), ta->name);
            goto done;
        }
        TRY(og_gstrdup(e->pin->path, &e->path));
        e->expected = e->version = e->pin->version;
        e->rows = e->pin->row_count;
        TRY(og_graph_table_schema(ta, &sa));
        TRY(og_graph_table_schema(td, &sd));
        bool same = same_table_schema(&sa, &sd);
        og_schema_free(&sa);
        og_schema_free(&sd);
        if (!same) {
            e->kind = EFF_REWRITE;
            TRY(mint_uuid(e->uuid));
        } else if (strcmp(e->old_key, e->new_key)) {
            e->kind = EFF_REKEY;
        } else {
            out->n--; /* no table effect */
            free(e->new_key);
            free(e->old_key);
            free(e->path);
            memset(e, 0, sizeof *e);
        }
    }
    for (size_t i = 0; i < acc->n_types; i++) {
        const og_decl *ta = &acc->types[i];
        if (ta->kind == OG_KIND_INTERFACE) continue;
        const og_decl *td = og_catalog_find_by_id(des, ta->type_id);
        if (td && td->kind == ta->kind) continue;
        effect *e = &out->v[out->n];
        memset(e, 0, sizeof *e);
        e->kind = EFF_DROP;
        e->ta = ta;
        TRY(key_of(ta, &e->old_key));
        out->n++;
        e->pin = og_graph_snapshot_pin(head, e->old_key);
        if (e->pin) TRY(og_gstrdup(e->pin->path, &e->path));
    }
done:
    og_schema_free(&sa);
    og_schema_free(&sd);
    og_buf_free(&path);
    if (rc) effects_free(out);
    return rc;
}

/* The rows of ta's table re-projected onto td's columns (renames by id). */
static og_status reproject(og_table *t, const og_decl *ta, const og_decl *td, const og_schema *sch, og_batch *out)
{
    og_status rc = OG_OK;
    og_batch old = OG_BATCH_INIT, nb = OG_BATCH_INIT, alias = OG_BATCH_INIT;
    char **names = NULL;
    og_scan_opts o;
    memset(&o, 0, sizeof o);
    TRY(og_table_scan(t, &o, &old));
    TRY(og_graph_batch_like(sch, &nb));
    names = calloc(old.ncols + 1, sizeof *names);
    if (!names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < old.ncols; i++) {
        names[i] = old.names[i];
        const og_property *pa = og_decl_find_prop(ta, old.names[i]);
        if (!pa) continue;
        const og_property *pd = og_decl_find_prop_by_id(td, pa->prop_id);
        names[i] = pd ? (char *)pd->name : (char *)"\x01dropped";
    }
    alias.ncols = old.ncols;
    alias.nrows = old.nrows;
    alias.names = names;
    alias.cols = old.cols;
    for (size_t r = 0; r < old.nrows; r++) TRY(og_graph_batch_append_row(&nb, &alias, r));
    *out = nb;
    memset(&nb, 0, sizeof nb);
done:
    free(names);
    og_batch_free(&nb);
    og_batch_free(&old);
    return rc;
}

/* ---- staging files ---- */

static og_status staging_key(og_buf *b, const char *file)
{
    og_buf_clear(b);
    return og_buf_printf(b, "%s%s", file, STAGING);
}

static og_status write_staging(og_store *root, const char *src, size_t len, const og_catalog *cat,
                               const char *irh)
{
    og_status rc = OG_OK;
    og_buf ir = OG_BUF_INIT, key = OG_BUF_INIT;
    json_t *state = NULL;
    char *state_txt = NULL;
    char shape[OG_CATALOG_HASH_HEX];
    TRY(og_catalog_to_ir_json(cat, &ir));
    TRY(og_catalog_shape_hash(cat, shape));
    state = json_object();
    if (!state) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    og_genc_int(state, "format_version", 2, &rc);
    og_genc_str(state, "schema_shape_hash", shape, &rc);
    og_genc_str(state, "schema_ir_hash", irh, &rc);
    og_genc_int(state, "schema_identity_version", 2, &rc);
    og_genc_str(state, "schema_identity_domain", cat->identity_domain, &rc);
    if (rc) goto done;
    state_txt = json_dumps(state, JSON_SORT_KEYS | JSON_INDENT(2));
    if (!state_txt) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    TRY(staging_key(&key, OG_GRAPH_SCHEMA_PG));
    TRY(og_store_put(root, og_buf_cstr(&key), src, len, NULL));
    TRY(staging_key(&key, OG_GRAPH_SCHEMA_IR));
    TRY(og_store_put(root, og_buf_cstr(&key), ir.data, ir.len, NULL));
    TRY(staging_key(&key, OG_GRAPH_SCHEMA_STATE));
    TRY(og_store_put(root, og_buf_cstr(&key), state_txt, strlen(state_txt), NULL));
done:
    json_decref(state);
    free(state_txt);
    og_buf_free(&ir);
    og_buf_free(&key);
    return rc;
}

/* Promotes the staging files (3); missing staging files were promoted
 * already (a re-run after a crash in the middle). */
static og_status promote_staging(og_store *root)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, body = OG_BUF_INIT;
    for (size_t i = 0; i < 3; i++) {
        TRY(staging_key(&key, FILES[i]));
        rc = og_store_get(root, og_buf_cstr(&key), &body, NULL);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; continue; }
        if (rc) goto done;
        TRY(og_store_put(root, FILES[i], body.data ? body.data : "", body.len, NULL));
    }
    for (size_t i = 0; i < 3; i++) {
        TRY(staging_key(&key, FILES[i]));
        rc = og_store_delete(root, og_buf_cstr(&key));
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
        if (rc) goto done;
    }
done:
    og_buf_free(&key);
    og_buf_free(&body);
    return rc;
}

static og_status discard_staging(og_store *root)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT;
    for (size_t i = 0; i < 3; i++) {
        TRY(staging_key(&key, FILES[i]));
        rc = og_store_delete(root, og_buf_cstr(&key));
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
        if (rc) goto done;
    }
done:
    og_buf_free(&key);
    return rc;
}

static og_status release_lock(og_store *root)
{
    og_status rc = og_graph_branch_delete(root, OG_SCHEMA_APPLY_LOCK, OG_GRAPH_BRANCH_INTERNAL);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
    return rc;
}

/* ---- roll back / forward (4) ---- */

static og_status owned_at(og_store *root, const og_sidecar_table *t, uint64_t v, bool *owned)
{
    og_txn_record r;
    memset(&r, 0, sizeof r);
    og_status rc = og_table_read_transaction(root, t->path, v, &r);
    *owned = !rc && r.uuid && !strcmp(r.uuid, t->txn_uuid);
    og_txn_record_free(&r);
    return rc;
}

/* Undoes t's commit; *restored_to gets the restore's version (0: none). */
static og_status undo_table(og_store *root, const og_sidecar_table *t, const og_graph_snapshot *head,
                            uint64_t *restored_to)
{
    og_status rc = OG_OK;
    og_table *tbl = NULL;
    og_txn *tx = NULL;
    og_buf prefix = OG_BUF_INIT;
    *restored_to = 0;
    rc = og_table_open(root, t->path, &tbl);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; goto done; } /* never created */
    if (rc) goto done;
    uint64_t hv = og_table_version(tbl);
    if (t->expected_version == 0) {
        for (size_t i = 0; i < head->npins; i++)
            if (!strcmp(head->pins[i].path, t->path)) {
                rc = og_error_set(OG_E_INTERNAL, "schema apply recovery: table `%s` it created is pinned by main; "
                                  "sidecar kept for an operator", t->path);
                goto done;
            }
        og_table_close(tbl);
        tbl = NULL;
        TRY(og_buf_printf(&prefix, "%s/", t->path));
        TRY(og_store_delete_prefix(root, og_buf_cstr(&prefix)));
        goto done;
    }
    if (hv == t->expected_version) goto done;
    bool owned = false;
    if (hv == t->post_version + 1) {
        /* restored by an interrupted earlier rollback: publish that head */
        og_txn_record rec;
        memset(&rec, 0, sizeof rec);
        TRY(og_table_read_transaction(root, t->path, hv, &rec));
        bool restore = rec.op == OG_TXN_RESTORE && rec.restore_target == t->expected_version;
        og_txn_record_free(&rec);
        if (restore) TRY(owned_at(root, t, t->post_version, &owned));
        if (owned) { *restored_to = hv; goto done; }
    }
    if (hv == t->post_version) TRY(owned_at(root, t, hv, &owned));
    if (!owned) {
        rc = og_error_set(OG_E_CONFLICT, "schema apply recovery: table `%s` moved to version %llu by another "
                          "writer; sidecar kept for an operator", t->table_key, (unsigned long long)hv);
        goto done;
    }
    TRY(og_table_stage_restore(tbl, t->expected_version, &tx));
    og_commit_opts co = {true, 0};
    rc = og_txn_commit(tx, &co, restored_to, NULL); /* spent either way; freed below */
done:
    og_txn_free(tx);
    og_table_close(tbl);
    og_buf_free(&prefix);
    return rc;
}

static int pin_cmp(const void *a, const void *b)
{
    return strcmp(((const og_graph_pin *)a)->table_key, ((const og_graph_pin *)b)->table_key);
}

/* Restores moved tables, then publishes the restored heads once (with the
 * rollback commit id) so that main's pins equal the table heads again. */
static og_status roll_back(og_store *root, const og_sidecar *sc, bool unlock)
{
    og_status rc = OG_OK;
    og_graph_snapshot head = {0};
    og_graph_pin *pins = calloc(sc->ntables + 1, sizeof *pins);
    og_graph_expected *exp = calloc(sc->ntables + 1, sizeof *exp);
    size_t n = 0;
    if (!pins || !exp) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    TRY(og_graph_open_head(root, NULL, &head));
    for (size_t i = 0; i < sc->ntables; i++) {
        uint64_t to = 0;
        TRY(undo_table(root, &sc->tables[i], &head, &to));
        if (!to) continue;
        const og_graph_pin *p = NULL;
        for (size_t k = 0; k < head.npins && !p; k++)
            if (!strcmp(head.pins[k].path, sc->tables[i].path)) p = &head.pins[k];
        if (!p) continue;
        TRY(og_graph_pin_copy(&pins[n], p));
        pins[n].version = to;
        exp[n].table_key = p->table_key;
        exp[n].version = p->version;
        n++;
    }
    if (n > 1) qsort(pins, n, sizeof *pins, pin_cmp);
    if (n) {
        og_graph_publish_req req;
        memset(&req, 0, sizeof req);
        req.expected = exp;
        req.n_expected = n;
        req.pins = pins;
        req.n_pins = n;
        req.commit.id = sc->rollback_commit_id;
        req.commit.actor = OG_RECOVERY_ACTOR;
        TRY(og_graph_publish(root, &req, NULL, NULL));
    }
    TRY(discard_staging(root));
    TRY(og_sidecar_delete(root, sc->operation_id));
    if (unlock) TRY(release_lock(root));
done:
    for (size_t i = 0; pins && i < n; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    og_graph_snapshot_free(&head);
    return rc;
}

static og_status roll_forward(og_store *root, const og_sidecar *sc)
{
    og_status rc = OG_OK;
    TRY(promote_staging(root));
    TRY(og_sidecar_delete(root, sc->operation_id));
    TRY(release_lock(root));
done:
    return rc;
}

static og_status is_published(og_store *root, const char *id, bool *out)
{
    og_graph_commit c;
    memset(&c, 0, sizeof c);
    og_status rc = og_graph_commit_get(root, id, &c);
    *out = rc == OG_OK;
    if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
    og_graph_commit_clear(&c);
    return rc;
}

og_status og_schema_apply_recover(og_store *root, const og_sidecar *sc, og_recovery_stats *st)
{
    bool pub = false, undone = false;
    og_status rc = is_published(root, sc->commit_id, &pub);
    if (!rc && !pub) rc = is_published(root, sc->rollback_commit_id, &undone);
    if (rc) return rc;
    if (undone) { /* rolled back and published; only the clean-up is left */
        if (!(rc = discard_staging(root)) && !(rc = og_sidecar_delete(root, sc->operation_id))) rc = release_lock(root);
    } else {
        rc = pub ? roll_forward(root, sc) : roll_back(root, sc, true);
    }
    if (rc) return og_error_context(rc, "recovery of schema apply %s", sc->operation_id);
    og_log_info("recovery: schema apply %s %s", sc->operation_id, pub ? "rolled forward" : "rolled back");
    if (st) { if (pub) st->rolled_forward++; else st->rolled_back++; }
    return OG_OK;
}

og_status og_schema_apply_recover_pending(og_store *root)
{
    og_list l;
    memset(&l, 0, sizeof l);
    /* Best effort: what cannot be read or finished here is left to the
     * recovery sweep, which reports it (recovery_required) in its own way. */
    if (og_sidecar_list(root, &l)) { og_error_clear(); return OG_OK; }
    for (size_t i = 0; i < l.len; i++) {
        og_sidecar sc;
        memset(&sc, 0, sizeof sc);
        if (og_sidecar_read(root, l.items[i].key, &sc)) { og_error_clear(); continue; }
        if (sc.kind == OG_WRITER_SCHEMA_APPLY && !og_recovery_inflight_has(sc.operation_id) &&
            og_schema_apply_recover(root, &sc, NULL)) {
            og_log_warn("%s", og_error_last()->message);
            og_error_clear();
        }
        og_sidecar_free(&sc);
    }
    og_list_free(&l);
    return OG_OK;
}

og_status og_schema_apply_check_readable(og_store *root)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, body = OG_BUF_INIT;
    og_graph_snapshot head = {0};
    og_list l;
    json_t *st = NULL;
    memset(&l, 0, sizeof l);
    TRY(staging_key(&key, OG_GRAPH_SCHEMA_STATE));
    rc = og_store_get(root, og_buf_cstr(&key), &body, NULL);
    if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; goto done; }
    if (rc) goto done;
    st = json_loadb(body.data ? body.data : "", body.len, 0, NULL);
    const char *staged = json_string_value(json_object_get(st, "schema_ir_hash"));
    rc = og_graph_open_head(root, NULL, &head);
    if (rc) goto done;
    if (!staged || !head.schema_ir_hash || strcmp(staged, head.schema_ir_hash)) goto done; /* not published: old files hold */
    char op[OG_ULID_LEN + 1] = "";
    if (og_sidecar_list(root, &l) == OG_OK) {
        for (size_t i = 0; i < l.len && !op[0]; i++) {
            og_sidecar sc;
            memset(&sc, 0, sizeof sc);
            if (og_sidecar_read(root, l.items[i].key, &sc) == OG_OK && sc.kind == OG_WRITER_SCHEMA_APPLY)
                memcpy(op, sc.operation_id, sizeof op);
            og_sidecar_free(&sc);
        }
    }
    og_error_clear();
    rc = og_error_set(OG_E_INTERNAL, "RecoveryRequired: a schema apply%s%s is published but its schema files are not "
                      "promoted yet; a read-write open (or any write) finishes it", op[0] ? " " : "", op);
    og_detail_recovery_required(op[0] ? op : "schema_apply");
done:
    og_list_free(&l);
    json_decref(st);
    og_graph_snapshot_free(&head);
    og_buf_free(&key);
    og_buf_free(&body);
    return rc;
}

/* ---- apply ---- */

static og_status only_main(og_store *root, bool lock_held)
{
    og_status rc = OG_OK;
    og_graph_branch_list l;
    og_buf others = OG_BUF_INIT;
    memset(&l, 0, sizeof l);
    TRY(og_graph_branch_list_all(root, OG_GRAPH_BRANCH_INTERNAL, &l));
    for (size_t i = 0; i < l.len; i++) {
        if (!strcmp(l.names[i], OG_GRAPH_MAIN)) continue;
        if (!strcmp(l.names[i], OG_SCHEMA_APPLY_LOCK)) {
            if (lock_held) continue;
            rc = og_error_set(OG_E_CONFLICT, "schema apply is already in progress");
            goto done;
        }
        if (og_graph_branch_is_internal(l.names[i])) continue;
        TRY(og_buf_printf(&others, "%s%s", others.len ? ", " : "", l.names[i]));
    }
    if (others.len)
        rc = og_error_set(OG_E_CONFLICT, "schema apply requires a graph with only main; found non-main branches: %s",
                          og_buf_cstr(&others));
done:
    og_buf_free(&others);
    og_graph_branch_list_free(&l);
    return rc;
}

/* Phase B of one effect. */
static og_status commit_effect(og_store *root, effect *e)
{
    og_status rc = OG_OK;
    og_table *t = NULL;
    og_txn *tx = NULL;
    og_schema sch = {0};
    og_batch rows = OG_BATCH_INIT;
    og_commit_opts co = {true, 0};
    TRY(og_graph_table_schema(e->td, &sch));
    if (e->kind == EFF_CREATE) {
        TRY(og_table_stage_create(root, e->path, &sch, NULL, &tx));
    } else {
        TRY(og_table_open(root, e->path, &t));
        if (og_table_version(t) != e->expected) {
            rc = og_error_set(OG_E_CONFLICT, "schema apply: table `%s` moved (version %llu, pinned %llu) since the "
                              "apply began; retry", e->old_key, (unsigned long long)og_table_version(t),
                              (unsigned long long)e->expected);
            goto done;
        }
        TRY(reproject(t, e->ta, e->td, &sch, &rows));
        TRY(og_table_stage_overwrite(t, &sch, &rows, &tx));
    }
    TRY(og_txn_set_uuid(tx, e->uuid));
    rc = og_txn_commit(tx, &co, &e->version, NULL); /* spent either way; freed below */
    if (rc == OG_E_PRECONDITION && e->kind == EFF_CREATE)
        rc = og_error_set(OG_E_CONFLICT, "schema apply: table path `%s` already exists", e->path);
    if (rc) goto done;
    e->rows = e->kind == EFF_CREATE ? 0 : rows.nrows;
done:
    og_txn_free(tx);
    og_table_close(t);
    og_batch_free(&rows);
    og_schema_free(&sch);
    return rc;
}

/* Phase C. */
static og_status publish(og_store *root, const og_sidecar *sc, const effects *ef, const og_graph_snapshot *head,
                         const char *irh, const char *actor, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_graph_pin *pins = calloc(ef->n + 1, sizeof *pins);
    og_graph_expected *exp = calloc(2 * ef->n + 1, sizeof *exp);
    const char **drops = calloc(2 * ef->n + 1, sizeof *drops);
    size_t np = 0, ne = 0, nd = 0;
    og_graph_conflict cf;
    memset(&cf, 0, sizeof cf);
    if (!pins || !exp || !drops) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < ef->n; i++) {
        const effect *e = &ef->v[i];
        if (e->kind == EFF_DROP) {
            if (e->pin) {
                drops[nd++] = e->old_key;
                exp[ne].table_key = e->old_key;
                exp[ne++].version = e->pin->version;
            }
            continue;
        }
        og_graph_pin *p = &pins[np++];
        if (e->pin) TRY(og_graph_pin_copy(p, e->pin));
        free(p->table_key);
        p->table_key = NULL;
        TRY(og_gstrdup(e->new_key, &p->table_key));
        if (!e->pin) {
            TRY(og_gstrdup(e->path, &p->path));
            p->stable_table_id = e->td->type_id;
            p->table_incarnation_id = e->td->table_incarnation_id;
        }
        p->version = e->version;
        p->row_count = e->rows;
        if (e->pin) {
            exp[ne].table_key = e->old_key;
            exp[ne++].version = e->pin->version;
            if (strcmp(e->old_key, e->new_key)) {
                drops[nd++] = e->old_key;
                exp[ne].table_key = e->new_key; /* the new name must be free */
                exp[ne++].version = 0;
            }
        } else {
            exp[ne].table_key = e->new_key;
            exp[ne++].version = 0;
        }
    }
    if (np > 1) qsort(pins, np, sizeof *pins, pin_cmp);
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.expected = exp;
    req.n_expected = ne;
    req.pins = pins;
    req.n_pins = np;
    req.drops = drops;
    req.n_drops = nd;
    req.schema_ir_hash = irh;
    req.expected_head = head->head.id;
    req.commit.id = sc->commit_id;
    req.commit.actor = actor;
    rc = og_graph_publish(root, &req, &cf, out);
    if (rc == OG_E_PRECONDITION || rc == OG_E_CONFLICT)
        rc = og_error_set(OG_E_CONFLICT, "schema apply: main moved while the schema was being applied; retry");
done:
    og_graph_conflict_clear(&cf);
    for (size_t i = 0; pins && i < np; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    free(drops);
    return rc;
}

/* The sidecar of Phase A (written by the caller once registered in flight). */
static og_status arm(const effects *ef, const char *actor, og_sidecar *sc)
{
    og_status rc = OG_OK;
    size_t n = 0;
    TRY(og_sidecar_begin(sc, OG_WRITER_SCHEMA_APPLY, actor, NULL));
    sc->tables = calloc(ef->n + 1, sizeof *sc->tables);
    if (!sc->tables) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < ef->n; i++) {
        const effect *e = &ef->v[i];
        if (e->kind != EFF_CREATE && e->kind != EFF_REWRITE) continue;
        og_sidecar_table *t = &sc->tables[n++];
        sc->ntables = n;
        TRY(og_gstrdup(e->new_key, &t->table_key));
        TRY(og_gstrdup(e->path, &t->path));
        t->expected_version = e->expected;
        t->post_version = e->expected + 1;
        snprintf(t->txn_uuid, sizeof t->txn_uuid, "%s", e->uuid);
    }
done:
    return rc;
}

static og_status hard_drop_cleanup(og_store *root, const effects *ef)
{
    for (size_t i = 0; i < ef->n; i++) {
        const effect *e = &ef->v[i];
        if ((e->kind != EFF_DROP && e->kind != EFF_REWRITE) || !e->path) continue;
        og_cleanup_opts o;
        og_cleanup_stats s;
        memset(&o, 0, sizeof o);
        o.before_version = e->kind == EFF_DROP ? (e->pin ? e->pin->version : 0) : e->version;
        o.grace_us = 0;
        if (!o.before_version) continue;
        if (og_table_cleanup(root, e->path, &o, &s)) {
            og_log_warn("schema apply: hard drop cleanup of `%s` failed (%s); `cleanup` reclaims it later", e->path,
                        og_error_last()->message);
            og_error_clear();
        }
    }
    return OG_OK;
}

static bool has_hard_drop(const og_schema_plan *p)
{
    for (size_t i = 0; i < p->n_steps; i++)
        if (p->steps[i].mode == OG_DROP_HARD) return true;
    return false;
}

og_status og_graph_schema_apply(og_graph *g, const char *src, size_t len, const og_graph_schema_apply_opts *o,
                                og_graph_schema_apply_result *out)
{
    og_status rc = OG_OK;
    og_graph_snapshot head = {0}, pub = {0};
    effects ef = {0};
    og_sidecar sc;
    og_buf refusal = OG_BUF_INIT;
    char irh[OG_CATALOG_HASH_HEX];
    char *new_src = NULL;
    bool armed = false, locked = false, published = false, inflight = false;
    memset(&sc, 0, sizeof sc);
    memset(out, 0, sizeof *out);
    if (g->mode == OG_GRAPH_RO) return og_error_set(OG_E_INVALID, "schema apply needs a read-write graph");
    TRY(only_main(g->root, false));
    TRY(og_schema_plan_build(g->cat, src, len, o && o->allow_data_loss, &out->plan));
    if (!out->plan->supported) {
        TRY(og_schema_plan_refusal(out->plan, &refusal));
        rc = og_error_set(OG_E_VALIDATION, "%s", og_buf_cstr(&refusal));
        goto done;
    }
    TRY(og_graph_open_head(g->root, NULL, &head));
    out->manifest_version = head.version;
    if (out->plan->n_steps == 0) goto done; /* no schema changes */
    TRY(og_catalog_ir_hash(out->plan->desired, irh));
    TRY(plan_effects(g->cat, out->plan->desired, &head, &ef));
    new_src = malloc(len + 1);
    if (!new_src) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    memcpy(new_src, src, len);
    new_src[len] = '\0';
    /* Phase A, then the lock (schema_plan.h (3)) */
    TRY(arm(&ef, o ? o->actor : NULL, &sc));
    TRY(og_recovery_inflight_add(sc.operation_id));
    inflight = true;
    TRY(og_sidecar_write(g->root, &sc));
    armed = true;
    TRY(OG_FAILPOINT("schema_apply.post_phase_a"));
    rc = og_graph_branch_create(g->root, OG_SCHEMA_APPLY_LOCK, NULL, OG_GRAPH_BRANCH_INTERNAL, NULL);
    if (rc == OG_E_EXISTS) rc = og_error_set(OG_E_CONFLICT, "schema apply is already in progress");
    if (rc) goto done;
    locked = true;
    TRY(only_main(g->root, true));
    /* Phase B */
    for (size_t i = 0; i < ef.n; i++) {
        if (ef.v[i].kind != EFF_CREATE && ef.v[i].kind != EFF_REWRITE) continue;
        TRY(commit_effect(g->root, &ef.v[i]));
        TRY(OG_FAILPOINT("schema_apply.post_table_commit"));
    }
    TRY(write_staging(g->root, src, len, out->plan->desired, irh));
    TRY(OG_FAILPOINT("schema_apply.post_staging"));
    /* Phase C */
    TRY(publish(g->root, &sc, &ef, &head, irh, o ? o->actor : NULL, &pub));
    published = true;
    out->applied = true;
    out->manifest_version = pub.version;
    snprintf(out->commit_id, sizeof out->commit_id, "%s", sc.commit_id);
    TRY(OG_FAILPOINT("schema_apply.post_phase_c"));
    TRY(promote_staging(g->root));
    TRY(OG_FAILPOINT("schema_apply.post_promote_pre_phase_d"));
    /* Phase D */
    rc = og_sidecar_delete(g->root, sc.operation_id);
    if (rc == OG_E_CRASHED) goto done;
    if (rc) { og_log_warn("schema apply: could not delete its sidecar (%s)", og_error_last()->message); og_error_clear(); }
    armed = false;
    rc = release_lock(g->root);
    if (rc == OG_E_CRASHED) goto done;
    if (rc) { og_log_warn("schema apply: could not release its lock (%s)", og_error_last()->message); og_error_clear(); }
    locked = false;
    rc = OG_OK;
    if (has_hard_drop(out->plan)) hard_drop_cleanup(g->root, &ef);
done:
    if (rc && rc != OG_E_CRASHED && armed) {
        /* (4): undo before the publish, finish after it */
        char msg[1024];
        og_status keep = rc;
        og_error_format(msg, sizeof msg);
        og_status r2 = published ? roll_forward(g->root, &sc) : roll_back(g->root, &sc, locked);
        if (r2 == OG_OK) locked = false;
        else og_log_warn("schema apply: cleanup after a failure failed (%s); the next read-write open recovers it",
                         og_error_last()->message);
        rc = og_error_set(keep, "%s", msg);
        if (published) rc = OG_OK, og_error_clear(); /* the apply is durable */
    } else if (rc && rc != OG_E_CRASHED && locked) {
        (void)release_lock(g->root);
    }
    if (inflight) og_recovery_inflight_remove(sc.operation_id);
    if (out->applied && !rc) {
        /* (5) */
        out->old_catalog = g->cat;
        g->cat = out->plan->desired;
        out->plan->desired = NULL;
        free(g->schema_src);
        g->schema_src = new_src;
        new_src = NULL;
        memcpy(g->ir_hash, irh, sizeof irh);
    }
    free(new_src);
    og_buf_free(&refusal);
    og_sidecar_free(&sc);
    effects_free(&ef);
    og_graph_snapshot_free(&head);
    og_graph_snapshot_free(&pub);
    return rc;
}

void og_graph_schema_apply_result_clear(og_graph_schema_apply_result *r)
{
    if (!r) return;
    og_schema_plan_free(r->plan);
    og_catalog_free(r->old_catalog);
    memset(r, 0, sizeof *r);
}
