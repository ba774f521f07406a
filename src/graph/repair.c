/* repair.c — drift classification and publication (repair.h (1)–(5)).
 * (1) Read-only until the one publish: nothing here writes a table.
 * (2) The snapshot every decision is made on is the one whose pins are
 *     passed as expected versions, so a publish never adopts a head that
 *     was judged against another manifest. */
#include "repair.h"
#include "table_version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/failpoint.h"
#include "base/ulid.h"
#include "table/table.h"
#include "internal.h"
#include "manifest.h"
#include "publisher.h"
#include "sidecar.h"

const char *og_repair_class_name(og_repair_class c)
{
    switch (c) {
    case OG_REPAIR_NO_DRIFT: return "no_drift";
    case OG_REPAIR_VERIFIED_MAINTENANCE: return "verified_maintenance";
    case OG_REPAIR_SUSPICIOUS: return "suspicious";
    case OG_REPAIR_UNVERIFIABLE: return "unverifiable";
    }
    return "?";
}

const char *og_repair_action_name(og_repair_action a)
{
    switch (a) {
    case OG_REPAIR_NO_OP: return "no_op";
    case OG_REPAIR_PREVIEW: return "preview";
    case OG_REPAIR_HEALED: return "healed";
    case OG_REPAIR_FORCED: return "forced";
    case OG_REPAIR_REFUSED: return "refused";
    }
    return "?";
}

og_repair_class og_repair_classify_ops(const int *ops, const bool *readable, size_t nops)
{
    og_repair_class c = nops ? OG_REPAIR_VERIFIED_MAINTENANCE : OG_REPAIR_NO_DRIFT;
    for (size_t i = 0; i < nops; i++) {
        if (!readable[i]) return OG_REPAIR_UNVERIFIABLE;
        if (ops[i] != OG_TXN_REWRITE && ops[i] != OG_TXN_CREATE_INDEX) c = OG_REPAIR_SUSPICIOUS;
    }
    return c;
}

og_repair_action og_repair_decide(og_repair_class c, bool confirm, bool force)
{
    if (c == OG_REPAIR_NO_DRIFT) return OG_REPAIR_NO_OP;
    if (!confirm) return OG_REPAIR_PREVIEW;
    if (c == OG_REPAIR_VERIFIED_MAINTENANCE) return OG_REPAIR_HEALED;
    return force ? OG_REPAIR_FORCED : OG_REPAIR_REFUSED;
}

void og_repair_result_free(og_repair_result *r)
{
    for (size_t i = 0; i < r->ntables; i++) {
        og_repair_table *t = &r->tables[i];
        free(t->table_key);
        for (size_t j = 0; j < t->noperations; j++) free(t->operations[j]);
        free(t->operations);
        free(t->error);
    }
    free(r->tables);
    memset(r, 0, sizeof *r);
}

static og_status open_pin(og_store *root, const og_graph_pin *p, uint64_t version, og_table **out)
{
    return og_graph_table_open_version(root, p->path, p->table_branch, version, out);
}

static og_status read_txn(og_store *root, const og_graph_pin *p, uint64_t v, og_txn_record *out)
{
    return og_graph_table_txn_at(root, p->path, p->table_branch, v, out);
}

static bool fatal(og_status rc) { return rc == OG_E_NOMEM || rc == OG_E_CRASHED; }

/* (2) for one table: fills t's classification and operations. */
static og_status classify(og_store *root, const og_graph_pin *p, og_repair_table *t)
{
    og_status rc = OG_OK;
    size_t n = (size_t)(t->head_version - t->published_version);
    int *ops = calloc(n ? n : 1, sizeof *ops);
    bool *ok = calloc(n ? n : 1, sizeof *ok);
    t->operations = calloc(n ? n : 1, sizeof *t->operations);
    if (!ops || !ok || !t->operations) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < n; i++) {
        uint64_t v = t->published_version + 1 + i;
        og_txn_record r;
        og_status e = read_txn(root, p, v, &r);
        if (e) {
            if (fatal(e)) { rc = e; goto done; }
            char msg[512], buf[640];
            og_error_format(msg, sizeof msg);
            og_error_clear();
            snprintf(buf, sizeof buf, "cannot read the transaction of version %llu: %s", (unsigned long long)v, msg);
            if (!t->error && (rc = og_gstrdup(buf, &t->error))) goto done;
            break; /* ok[i] stays false: unverifiable */
        }
        ops[i] = (int)r.op;
        ok[i] = true;
        rc = og_gstrdup(og_txn_op_name(r.op), &t->operations[t->noperations]);
        og_txn_record_free(&r);
        if (rc) goto done;
        t->noperations++;
    }
    t->cls = og_repair_classify_ops(ops, ok, n);
done:
    free(ops);
    free(ok);
    return rc;
}

/* (1): the first pending sidecar, if any, refuses the whole repair. */
static og_status no_pending_sidecar(og_store *root)
{
    og_list l;
    og_status rc = og_sidecar_list(root, &l);
    if (!rc && l.len)
        rc = og_error_set(OG_E_CONFLICT, "repair refuses while recovery sidecar `%s` is pending: a writer is "
                          "running or crashed; let recovery finish first (a read-write open or "
                          "og_db_refresh runs it)", l.items[0].key);
    og_list_free(&l);
    return rc;
}

static og_status publish(og_store *root, const og_graph_snapshot *snap, og_repair_result *res, bool forced)
{
    og_status rc = OG_OK;
    og_graph_pin *pins = calloc(snap->npins ? snap->npins : 1, sizeof *pins);
    og_graph_expected *exp = calloc(snap->npins ? snap->npins : 1, sizeof *exp);
    og_graph_conflict cf;
    og_graph_snapshot out = {0};
    og_ulid id;
    size_t n = 0;
    memset(&cf, 0, sizeof cf);
    if (!pins || !exp) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < res->ntables; i++) {
        og_repair_table *t = &res->tables[i];
        if (t->action != OG_REPAIR_HEALED && t->action != OG_REPAIR_FORCED) continue;
        const og_graph_pin *p = og_graph_snapshot_pin(snap, t->table_key);
        og_table *tbl = NULL;
        if ((rc = og_graph_pin_copy(&pins[n], p))) goto done;
        pins[n].version = t->head_version;
        if ((rc = open_pin(root, p, t->head_version, &tbl))) goto done;
        pins[n].row_count = og_table_count_rows(tbl);
        og_table_close(tbl);
        exp[n].table_key = p->table_key;
        exp[n].version = p->version;
        n++;
    }
    if (!n) goto done;
    if ((rc = og_ulid_new(&id))) goto done;
    if ((rc = OG_FAILPOINT("repair.before_publish"))) goto done;
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.expected = exp;
    req.n_expected = n;
    req.pins = pins;
    req.n_pins = n;
    req.commit.id = id.s;
    req.commit.actor = forced ? OG_REPAIR_FORCE_ACTOR : OG_REPAIR_ACTOR;
    rc = og_graph_publish(root, &req, &cf, &out);
    if (rc == OG_E_CONFLICT && cf.kind == OG_GRAPH_CONFLICT_TABLE_VERSION) {
        og_error_set(OG_E_CONFLICT, "repair lost to a concurrent writer: table `%s` moved from version %llu to "
                     "%llu while repair ran; nothing was published, run repair again", cf.table_key,
                     (unsigned long long)cf.expected, (unsigned long long)cf.actual);
        goto done;
    }
    if (rc) goto done;
    res->published = true;
    res->manifest_version = out.version;
    snprintf(res->commit_id, sizeof res->commit_id, "%s", id.s);
done:
    og_graph_snapshot_free(&out);
    og_graph_conflict_clear(&cf);
    if (pins)
        for (size_t i = 0; i < n; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    return rc;
}

og_status og_graph_repair(og_store *root, bool confirm, bool force, og_repair_result *out)
{
    og_status rc = OG_OK;
    og_graph_snapshot snap = {0};
    bool forced = false;
    memset(out, 0, sizeof *out);
    if (force && !confirm) return og_error_set(OG_E_INVALID, "repair --force requires --confirm");
    if ((rc = no_pending_sidecar(root))) goto done;
    if ((rc = og_graph_open_head(root, NULL, &snap))) goto done;
    out->tables = calloc(snap.npins ? snap.npins : 1, sizeof *out->tables);
    if (!out->tables) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < snap.npins; i++) {
        const og_graph_pin *p = &snap.pins[i];
        og_repair_table *t = &out->tables[out->ntables++];
        og_table *tbl = NULL;
        if ((rc = og_gstrdup(p->table_key, &t->table_key))) goto done;
        t->published_version = p->version;
        if ((rc = open_pin(root, p, 0, &tbl))) {
            og_error_context(rc, "repair: opening the head of `%s`", p->table_key);
            goto done;
        }
        t->head_version = og_table_version(tbl);
        og_table_close(tbl);
        if (t->head_version < t->published_version) {
            rc = og_error_set(OG_E_INTERNAL, "repair: table `%s` is at version %llu, behind the published version "
                              "%llu (invariant violation); nothing published", p->table_key,
                              (unsigned long long)t->head_version, (unsigned long long)t->published_version);
            goto done;
        }
        if (t->head_version > t->published_version && (rc = classify(root, p, t))) goto done;
        t->action = og_repair_decide(t->cls, confirm, force);
        forced |= t->action == OG_REPAIR_FORCED;
        out->refused |= t->action == OG_REPAIR_REFUSED;
    }
    if (confirm) rc = publish(root, &snap, out, forced);
done:
    og_graph_snapshot_free(&snap);
    if (rc) og_repair_result_free(out);
    return rc;
}
