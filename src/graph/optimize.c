/* optimize.c — graph optimize: per-table compaction published once under
 * the Phase A–D sidecar protocol (maint.h (1)–(4); internals §7.2).
 * (1) Plan against a fresh head of the branch: a table is compacted only
 *     when its head equals its pin, it belongs to the branch (main's
 *     tables on main, the branch's forks on a branch) and it has at least
 *     min_fragments fragments or a deleted row.
 * (2) Phase A arms one Optimize sidecar (expected = pin, post = pin + 1,
 *     the staged transaction's uuid); B commits each table exactly; C
 *     publishes every new pin with expected = the old pins and the
 *     sidecar's commit id; D deletes the sidecar. A failure after A undoes
 *     this optimize's own table commits (og_recovery_resolve as owner); a
 *     crash leaves the sidecar to the next sweep, which rolls the complete
 *     set forward or the partial set back.
 * (3) A lost table commit or publish (a concurrent writer got there first)
 *     is undone and the whole plan retried from a fresh head, at most
 *     OG_MAINT_RETRIES times; then OG_E_CONFLICT.
 * (4) (reserved: the graph manifest needs no compaction, maint.h (4))
 * (5) After compaction, key-index rounds (key_index.h): each round plans
 *     the tables whose key index is due, stages one create_index each and
 *     goes through the same A–D protocol and retries; at most
 *     OG_KEY_INDEX_MAX rounds (an edge table needs id, src and dst). */
#include "maint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/failpoint.h"
#include "base/log.h"
#include "engine_internal.h"
#include "internal.h"
#include "key_index.h"
#include "recovery.h"
#include "sidecar.h"

static const char R_DRIFT[] = "table head is past the manifest pin (a write in flight, or drift: run repair)";
static const char R_SHARED[] = "shared with the source branch (optimize the source branch)";
static const char R_NO_VECTORS[] = "property has no non-null vectors to train on yet";
static const char R_NO_VECTOR_INDEX[] = "vector indexes are not built by this version";

void og_optimize_result_clear(og_optimize_result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->ntables; i++) {
        free(r->tables[i].table_key);
        free(r->tables[i].pending);
    }
    free(r->tables);
    memset(r, 0, sizeof *r);
}

typedef struct plan {
    const og_decl *t;
    const og_graph_pin *pin;  /* in the attempt's snapshot */
    og_table *tbl;            /* the table head (== pin when planned) */
    og_txn *tx;
    uint64_t new_version;
    og_optimize_table *res;
} plan;

static og_status open_head(og_store *st, const og_graph_pin *pin, og_table **out)
{
    if (pin->table_branch) return og_table_open_branch(st, pin->path, pin->table_branch, 0, out);
    return og_table_open(st, pin->path, out);
}

/* (maint.h (2)) the first sidecar no live writer of this process owns. */
static og_status refuse_pending(og_store *st)
{
    og_list l;
    og_status rc = og_sidecar_list(st, &l);
    if (rc) return rc;
    for (size_t i = 0; i < l.len && !rc; i++) {
        const char *k = l.items[i].key + strlen(OG_SIDECAR_PREFIX);
        char id[OG_ULID_LEN + 1];
        snprintf(id, sizeof id, "%.*s", OG_ULID_LEN, k);
        if (og_recovery_inflight_has(id)) continue;
        rc = og_error_set(OG_E_CONFLICT, "recovery required: the write of sidecar `%s` is pending; optimize "
                          "refuses to run until it is recovered (reopen the graph read-write)", l.items[i].key);
    }
    og_list_free(&l);
    return rc;
}

/* Pending vector indexes of type t (no vector index is built here). */
static og_status pending_indexes(og_table *tbl, og_optimize_table *r)
{
    const og_decl *t = r->decl;
    size_t n = 0;
    for (size_t j = 0; j < t->n_props; j++)
        if (t->props[j].type.scalar == OG_SCALAR_VECTOR && !t->props[j].type.list) n++;
    if (!n) return OG_OK;
    r->pending = calloc(n, sizeof *r->pending);
    if (!r->pending) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t j = 0; j < t->n_props; j++) {
        const og_property *p = &t->props[j];
        if (p->type.scalar != OG_SCALAR_VECTOR || p->type.list) continue;
        uint64_t nonnull = 0;
        og_pred pr = {p->name, OG_CMP_NOT_NULL, {0}, NULL, 0};
        og_status rc = og_table_count(tbl, &pr, 1, &nonnull);
        if (rc) return rc;
        r->pending[r->npending].property = p->name;
        r->pending[r->npending].reason = nonnull ? R_NO_VECTOR_INDEX : R_NO_VECTORS;
        r->npending++;
    }
    return OG_OK;
}

static bool has_deletions(const og_manifest *m)
{
    for (size_t i = 0; i < m->nfrags; i++)
        if (m->frags[i].deleted) return true;
    return false;
}

static bool frag_in(const og_manifest *m, uint64_t id)
{
    for (size_t i = 0; i < m->nfrags; i++)
        if (m->frags[i].id == id) return true;
    return false;
}

static int by_frags_desc(const void *a, const void *b)
{
    const plan *x = a, *y = b;
    uint64_t fx = x->res->fragments_before, fy = y->res->fragments_before;
    return fx < fy ? 1 : fx > fy ? -1 : 0;
}

/* Builds the result entries and the plans of one attempt (1); an index
 * round (5) plans the tables with a key index due instead. */
static og_status plan_all(og_graph *g, const og_optimize_opts *o, const og_graph_snapshot *snap,
                          og_optimize_result *out, plan *pl, size_t *npl, bool index_round)
{
    og_status rc = OG_OK;
    const og_catalog *cat = g->cat;
    og_buf key = OG_BUF_INIT;
    size_t min_frags = o && o->min_fragments ? o->min_fragments : 2;
    const char *own = snap->branch && strcmp(snap->branch, "main") != 0 ? snap->branch_uid : NULL;
    *npl = 0;
    out->tables = calloc(cat->n_types + 1, sizeof *out->tables);
    if (!out->tables) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < cat->n_types && !rc; i++) {
        const og_decl *t = &cat->types[i];
        if ((rc = og_graph_table_key(t, &key))) break;
        const og_graph_pin *pin = og_graph_snapshot_pin(snap, og_buf_cstr(&key));
        if (!pin) continue;
        og_optimize_table *r = &out->tables[out->ntables];
        if (!(r->table_key = strdup(pin->table_key))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        out->ntables++;
        r->decl = t;
        r->published_version = r->head_version = pin->version;
        og_table *tbl = NULL;
        if ((rc = open_head(g->root, pin, &tbl))) {
            og_error_context(rc, "optimize: opening table `%s`", pin->table_key);
            break;
        }
        const og_manifest *m = og_table_manifest(tbl);
        r->fragments_before = r->fragments_after = m->nfrags;
        r->head_version = og_table_version(tbl);
        if ((rc = pending_indexes(tbl, r))) { og_table_close(tbl); break; }
        bool mine = own ? pin->table_branch && !strcmp(pin->table_branch, own) : !pin->table_branch;
        if (!mine) {
            r->skipped = true;
            r->skip_reason = R_SHARED;
        } else if (og_table_version(tbl) != pin->version) {
            r->skipped = true;
            r->skip_reason = R_DRIFT;
        } else if (index_round ? og_key_index_due(tbl, t) != NULL : m->nfrags >= min_frags || has_deletions(m)) {
            pl[*npl].t = t;
            pl[*npl].pin = pin;
            pl[*npl].tbl = tbl;
            pl[*npl].res = r;
            (*npl)++;
            tbl = NULL;
        }
        og_table_close(tbl);
    }
    if (!rc && o && o->max_tables && *npl > o->max_tables) {
        qsort(pl, *npl, sizeof *pl, by_frags_desc);
        for (size_t i = o->max_tables; i < *npl; i++) { og_table_close(pl[i].tbl); memset(&pl[i], 0, sizeof pl[i]); }
        *npl = o->max_tables;
    }
    /* Stage; a table with nothing to rewrite drops out of the plan. */
    size_t k = 0;
    for (size_t i = 0; i < *npl && !rc; i++) {
        og_compact_opts co = {o ? o->target_rows : 0};
        rc = index_round ? og_key_index_stage(pl[i].tbl, pl[i].t, &pl[i].tx)
                         : og_table_stage_compact(pl[i].tbl, &co, &pl[i].tx);
        if (rc) {
            og_error_context(rc, index_round ? "optimize: indexing `%s`" : "optimize: compacting `%s`",
                             pl[i].pin->table_key);
            break;
        }
        if (pl[i].tx) { pl[k++] = pl[i]; continue; }
        og_table_close(pl[i].tbl);
    }
    if (!rc) *npl = k;
    /* (maint.h (4)) the graph manifest: nothing to compact. */
    if (!rc) {
        og_optimize_table *r = &out->tables[out->ntables];
        if (!(r->table_key = strdup(OG_MAINT_MANIFEST_KEY))) rc = og_error_set(OG_E_NOMEM, "out of memory");
        else {
            out->ntables++;
            r->published_version = r->head_version = snap->version;
        }
    }
    og_buf_free(&key);
    return rc;
}

/* Phase A (2). */
static og_status arm(og_graph *g, const og_optimize_opts *o, const og_graph_snapshot *snap, plan *pl, size_t n,
                     og_sidecar *sc, bool *registered)
{
    og_status rc = OG_OK;
    const char *branch = snap->branch && strcmp(snap->branch, "main") != 0 ? snap->branch : NULL;
    if ((rc = og_sidecar_begin(sc, OG_WRITER_OPTIMIZE, o ? o->actor : NULL, branch))) return rc;
    if (!(sc->tables = calloc(n, sizeof *sc->tables))) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        og_sidecar_table *t = &sc->tables[i];
        const char *uuid = og_txn_uuid(pl[i].tx);
        sc->ntables = i + 1;
        if (!uuid || strlen(uuid) > OG_SIDECAR_UUID_MAX || og_txn_read_version(pl[i].tx) != pl[i].pin->version)
            return og_error_set(OG_E_INTERNAL, "optimize: the compaction of `%s` cannot be armed for recovery",
                                pl[i].pin->table_key);
        if ((rc = og_gstrdup(pl[i].pin->table_key, &t->table_key)) || (rc = og_gstrdup(pl[i].pin->path, &t->path)) ||
            (rc = og_gstrdup(pl[i].pin->table_branch, &t->table_branch)))
            return rc;
        t->expected_version = pl[i].pin->version;
        t->post_version = pl[i].pin->version + 1;
        memcpy(t->txn_uuid, uuid, strlen(uuid) + 1);
    }
    if ((rc = og_recovery_inflight_add(sc->operation_id))) return rc;
    *registered = true;
    return og_sidecar_write(g->root, sc);
}

static void plans_free(plan *pl, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        og_txn_free(pl[i].tx);
        og_table_close(pl[i].tbl);
        memset(&pl[i], 0, sizeof pl[i]);
    }
}

/* One attempt: *lost set when a concurrent writer won a table or the
 * publish (the attempt's own commits are undone; retry). */
static og_status attempt(og_graph *g, const og_optimize_opts *o, og_optimize_result *out, bool *lost,
                         bool index_round)
{
    og_status rc = OG_OK;
    og_graph_snapshot snap = {0}, pub = {0};
    size_t ntypes = g->cat->n_types ? g->cat->n_types : 1, npl = 0, ncommitted = 0;
    plan *pl = calloc(ntypes, sizeof *pl);
    og_graph_pin *pins = calloc(ntypes, sizeof *pins);
    og_graph_expected *exp = calloc(ntypes, sizeof *exp);
    og_graph_conflict cf;
    og_sidecar sc;
    bool armed = false, registered = false;
    memset(&cf, 0, sizeof cf);
    memset(&sc, 0, sizeof sc);
    *lost = false;
    if (!pl || !pins || !exp) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if ((rc = og_graph_open_head(g->root, o ? o->branch : NULL, &snap))) goto done;
    if ((rc = plan_all(g, o, &snap, out, pl, &npl, index_round))) goto done;
    out->manifest_version = snap.version;
    if (npl == 0) goto done; /* no work: no sidecar, no commit */
    if ((rc = arm(g, o, &snap, pl, npl, &sc, &registered))) goto done;
    armed = true;
    if ((rc = OG_FAILPOINT("optimize.post_phase_a"))) goto done;
    /* Phase B */
    for (size_t i = 0; i < npl; i++) {
        og_commit_opts co = {true, 0};
        og_table *nt = NULL;
        rc = og_txn_commit(pl[i].tx, &co, &pl[i].new_version, &nt);
        og_txn_free(pl[i].tx);
        pl[i].tx = NULL;
        if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) {
            og_log_info("optimize: lost table `%s` to a concurrent writer; retrying", pl[i].pin->table_key);
            og_error_clear();
            rc = OG_OK;
            *lost = true;
            goto done;
        }
        if (rc) goto done;
        ncommitted++;
        const og_manifest *before = og_table_manifest(pl[i].tbl), *after = og_table_manifest(nt);
        og_optimize_table *r = pl[i].res;
        r->fragments_after = after->nfrags;
        for (size_t f = 0; f < before->nfrags; f++) r->fragments_removed += !frag_in(after, before->frags[f].id);
        for (size_t f = 0; f < after->nfrags; f++) r->fragments_added += !frag_in(before, after->frags[f].id);
        r->head_version = pl[i].new_version;
        pins[i].row_count = og_table_count_rows(nt);
        og_table_close(nt);
        if ((rc = OG_FAILPOINT("optimize.post_table_commit"))) goto done;
    }
    if ((rc = OG_FAILPOINT("optimize.post_phase_b_pre_manifest_commit"))) goto done;
    /* Phase C */
    for (size_t i = 0; i < npl; i++) {
        uint64_t rows = pins[i].row_count;
        if ((rc = og_graph_pin_copy(&pins[i], pl[i].pin))) goto done;
        pins[i].version = pl[i].new_version;
        pins[i].row_count = rows;
        exp[i].table_key = pl[i].pin->table_key;
        exp[i].version = pl[i].pin->version;
    }
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.branch = sc.branch;
    req.expected = exp;
    req.n_expected = npl;
    req.pins = pins;
    req.n_pins = npl;
    req.commit.id = sc.commit_id;
    req.commit.actor = o ? o->actor : NULL;
    req.hint = &snap;
    rc = og_graph_publish(g->root, &req, &cf, &pub);
    if (rc == OG_E_CONFLICT && og_graph_open_commit(g->root, sc.commit_id, &pub) == OG_OK) {
        og_error_clear(); /* another process's recovery rolled this optimize forward */
        rc = OG_OK;
    }
    if (rc == OG_E_CONFLICT || rc == OG_E_PRECONDITION) {
        og_log_info("optimize: the publish lost to a concurrent writer; retrying");
        og_error_clear();
        rc = OG_OK;
        *lost = true;
        goto done;
    }
    if (rc) goto done;
    armed = false;
    out->published = true;
    memcpy(out->commit_id, pub.head.id, sizeof out->commit_id);
    out->manifest_version = pub.version;
    for (size_t i = 0; i < npl; i++) {
        pl[i].res->committed = true;
        pl[i].res->published_version = pl[i].new_version;
    }
    for (size_t i = 0; i < out->ntables; i++)
        if (!strcmp(out->tables[i].table_key, OG_MAINT_MANIFEST_KEY))
            out->tables[i].published_version = out->tables[i].head_version = pub.version;
    if ((rc = OG_FAILPOINT("optimize.post_phase_c_pre_phase_d"))) goto done;
    og_status d = og_sidecar_delete(g->root, sc.operation_id);
    if (d == OG_E_CRASHED) { rc = d; goto done; }
    if (d) {
        og_log_warn("optimize %s landed but its recovery sidecar was not deleted (%s); the next sweep retires it",
                    sc.commit_id, og_error_last()->message);
        og_error_clear();
    }
done:
    if (armed && (rc || *lost) && rc != OG_E_CRASHED) {
        char saved[1024];
        og_code code = og_error_last()->code;
        og_error_format(saved, sizeof saved);
        og_status u = ncommitted ? og_recovery_resolve(g->root, sc.operation_id, true, NULL)
                                 : og_sidecar_delete(g->root, sc.operation_id);
        if (u && u != OG_E_CRASHED)
            og_log_warn("optimize: could not undo its failed attempt %s (%s); the next sweep will",
                        sc.operation_id, og_error_last()->message);
        if (rc) og_error_set(code ? code : (og_code)rc, "%s", saved);
        else og_error_clear();
    }
    if (registered) og_recovery_inflight_remove(sc.operation_id);
    og_sidecar_free(&sc);
    og_graph_conflict_clear(&cf);
    if (pl) plans_free(pl, npl);
    if (pins)
        for (size_t i = 0; i < ntypes; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    free(pl);
    og_graph_snapshot_free(&pub);
    og_graph_snapshot_free(&snap);
    return rc;
}

/* Attempts of one kind of work until one is not lost (3). */
static og_status run(og_graph *g, const og_optimize_opts *o, og_optimize_result *out, bool index_round)
{
    og_status rc = OG_OK;
    bool lost = false;
    for (unsigned a = 0; a < OG_MAINT_RETRIES; a++) {
        og_optimize_result_clear(out);
        out->attempts = a + 1;
        rc = attempt(g, o, out, &lost, index_round);
        if (rc || !lost) break;
    }
    if (!rc && lost)
        rc = og_error_set(OG_E_CONFLICT, "optimize kept losing to concurrent writers (%d attempts); %s",
                          OG_MAINT_RETRIES, index_round ? "indexes were not built" : "nothing was published");
    return rc;
}

/* Folds an index round's publish into the compaction's result. */
static void fold_round(og_optimize_result *out, const og_optimize_result *ir)
{
    for (size_t i = 0; i < ir->ntables; i++) {
        const og_optimize_table *x = &ir->tables[i];
        for (size_t k = 0; k < out->ntables; k++) {
            og_optimize_table *r = &out->tables[k];
            if (strcmp(r->table_key, x->table_key)) continue;
            if (x->committed) {
                r->committed = true;
                og_log_info("optimize: key index built on `%s` (version %llu)", r->table_key,
                            (unsigned long long)x->published_version);
            }
            r->published_version = x->published_version;
            r->head_version = x->head_version;
        }
    }
    out->published = true;
    memcpy(out->commit_id, ir->commit_id, sizeof out->commit_id);
    out->manifest_version = ir->manifest_version;
    out->attempts += ir->attempts;
}

og_status og_graph_optimize(og_graph *g, const og_optimize_opts *o, og_optimize_result *out)
{
    og_status rc = OG_OK;
    memset(out, 0, sizeof *out);
    if (g->mode != OG_GRAPH_RW) return og_error_set(OG_E_INVALID, "optimize needs a read-write graph");
    if ((rc = refuse_pending(g->root))) return rc;
    rc = run(g, o, out, false);
    /* (5) then the key indexes that are missing or stale, one per table per
     * round, each round one more sidecar-protected publish */
    for (unsigned k = 0; !rc && k < OG_KEY_INDEX_MAX; k++) {
        og_optimize_result ir;
        memset(&ir, 0, sizeof ir);
        rc = run(g, o, &ir, true);
        bool more = !rc && ir.published;
        if (more) fold_round(out, &ir);
        og_optimize_result_clear(&ir);
        if (!more) break;
    }
    if (!rc) {
        size_t nc = 0;
        for (size_t i = 0; i < out->ntables; i++) nc += out->tables[i].committed;
        og_log_info("optimize: branch %s: %zu table(s) compacted%s%s (attempts %u)",
                    o && o->branch ? o->branch : "main", nc, out->published ? ", commit " : "",
                    out->published ? out->commit_id : "", out->attempts);
    }
    return rc;
}
