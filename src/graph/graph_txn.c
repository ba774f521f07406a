/* graph_txn.c — the write transaction (engine.h (2), (3);
 * write-path.md §3).
 * (1) Pending state per table: rows (full table-schema batch) with a live
 *     flag per row, an id -> row map, a set of deleted ids and an
 *     overwrite flag. A later put of a pending id replaces it (upsert) or
 *     is a key conflict (strict insert); a put removes the id from the
 *     delete set; a delete kills the pending row.
 * (2) Commit runs in phases: A stages one table transaction per touched
 *     table (forking the table onto the graph branch first when needed);
 *     B commits each exactly at its staged version; C publishes once with
 *     the base pins as expected versions. Nothing is visible before C.
 * (3) A lost table race in B is reported as the publish conflict it
 *     foreshadows (OG_E_CONFLICT, TABLE_VERSION, expected = base pin,
 *     actual = the table's newer version).
 * (4) Recovery (write-path.md §6, recovery.h): after staging, Phase A
 *     writes the sidecar (pre-minted commit id, rollback id, per table the
 *     expected/post versions and staged transaction uuid) before the first
 *     table commit; B commits; C publishes with the sidecar's commit id;
 *     D deletes the sidecar (a failed delete is a warning). A failure
 *     (not a crash) after A undoes this write's own table commits through
 *     og_recovery_resolve, or just deletes the sidecar when nothing moved.
 *     Failpoints <kind>.post_phase_a, <kind>.post_table_commit,
 *     <kind>.post_phase_b_pre_manifest_commit, <kind>.post_phase_c_pre_phase_d
 *     with kind = mutation | load (docs/failpoints.md).
 * (5) Unless the writer validated its own delta (load does, through
 *     load_mode.c, and says so with og_graph_txn_set_validated), commit
 *     first runs og_validate_delta over the pending rows and deletes
 *     against the base view (graph_probe.c): @unique, edge RI and @card
 *     are enforced against committed data before anything is staged.
 * (6) A graph branch's table forks are table branches named by the graph
 *     branch's chain uid (a ULID: a valid table branch name whatever the
 *     graph branch is called, and fresh when a branch is recreated).
 * (7) Each table commit's new snapshot goes into the graph's handle cache
 *     and the published manifest snapshot into its snapshot cache, so the
 *     next write opens its base and tables with warm caches (no manifest
 *     GETs, no fragment footer re-reads): the per-commit cost does not
 *     grow with the table.
 * (8) A scan of an edge type by one =/IN predicate on src or dst that asks
 *     only for id/src/dst remembers the committed rows it read and the
 *     values it covered (the base view never moves, so they stay true);
 *     commit-time validation answers its kept-edge probes for those values
 *     from them (graph_probe.c (3)) instead of scanning the edges again.
 * (9) A branch merge (merge.h) marks its transaction with
 *     og_graph_txn_set_merge: the commit records the merged parent (and so
 *     does the sidecar, for a roll forward), and a merge that changes no
 *     table still publishes one commit (no sidecar: the publish is its only
 *     effect). Its failpoints are named merge.<phase>. */
#include "engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/failpoint.h"
#include "base/log.h"
#include "base/map.h"
#include "base/ulid.h"
#include "store/store.h"
#include "graph_probe.h"
#include "internal.h"
#include "recovery.h"
#include "validate.h"
#include "error_detail.h"

typedef struct pend {
    bool touched, overwrite;
    og_batch rows;
    og_buf live;      /* one byte per row */
    og_buf strict;    /* one byte per row: put in strict-insert mode */
    og_map *ids;      /* id -> (row index + 1) */
    og_map *dels;     /* deleted id -> (void*)1 */
    size_t nlive;
} pend;

/* (8) Committed edges a scan by src or dst read, per (edge type, column). */
typedef struct edge_memo {
    og_map *vals;     /* covered values -> (void*)1 */
    og_batch rows;    /* id, src, dst of the committed edges read */
} edge_memo;

struct og_graph_txn {
    og_graph *g;
    og_graph_view *base;
    char *branch, *actor, *if_commit;
    pend *p;          /* cat->n_types entries */
    edge_memo *memo;  /* 2 * cat->n_types entries (src, dst), lazily */
    og_writer_kind kind;
    bool validated;   /* (5) the writer validated the delta itself */
    char merged_parent[OG_ULID_LEN + 1]; /* (9) merge commits only */
    bool publish_empty;                  /* (9) publish even with no table change */
};

void og_graph_txn_set_writer_kind(og_graph_txn *x, og_writer_kind k) { x->kind = k; }
void og_graph_txn_set_validated(og_graph_txn *x) { x->validated = true; }
void og_graph_txn_set_merge(og_graph_txn *x, const char *merged_parent)
{
    snprintf(x->merged_parent, sizeof x->merged_parent, "%s", merged_parent ? merged_parent : "");
    x->publish_empty = true;
}

static void pend_free(pend *p)
{
    og_batch_free(&p->rows);
    og_buf_free(&p->live);
    og_buf_free(&p->strict);
    og_map_free(p->ids);
    og_map_free(p->dels);
    memset(p, 0, sizeof *p);
}

void og_graph_txn_abort(og_graph_txn *x)
{
    if (!x) return;
    if (x->p)
        for (size_t i = 0; i < x->g->cat->n_types; i++) pend_free(&x->p[i]);
    free(x->p);
    if (x->memo)
        for (size_t i = 0; i < 2 * x->g->cat->n_types; i++) {
            og_map_free(x->memo[i].vals);
            og_batch_free(&x->memo[i].rows);
        }
    free(x->memo);
    og_graph_view_close(x->base);
    free(x->branch);
    free(x->actor);
    free(x->if_commit);
    free(x);
}

static og_status sdup(const char *s, char **out)
{
    *out = NULL;
    if (!s) return OG_OK;
    *out = strdup(s);
    return *out ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory");
}

og_status og_graph_txn_begin(og_graph *g, const og_graph_txn_opts *o, og_graph_txn **out)
{
    og_status rc = OG_OK;
    og_graph_txn *x = NULL;
    *out = NULL;
    if (g->mode == OG_GRAPH_RO) return og_error_set(OG_E_INVALID, "the graph is open read-only");
    x = calloc(1, sizeof *x);
    if (!x) return og_error_set(OG_E_NOMEM, "out of memory");
    x->g = g;
    x->p = calloc(g->cat->n_types ? g->cat->n_types : 1, sizeof *x->p);
    if (!x->p) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (o) {
        if ((rc = sdup(o->branch && strcmp(o->branch, "main") ? o->branch : NULL, &x->branch))) goto done;
        if ((rc = sdup(o->actor, &x->actor))) goto done;
        if ((rc = sdup(o->if_commit, &x->if_commit))) goto done;
    }
    if ((rc = og_graph_view_open(g, x->branch, NULL, &x->base))) goto done;
    if (x->if_commit && strcmp(x->base->snap.head.id, x->if_commit) != 0) {
        rc = og_error_set(OG_E_PRECONDITION, "branch `%s` head is %s, not the expected %s",
                          x->branch ? x->branch : "main", x->base->snap.head.id, x->if_commit);
        goto done;
    }
    *out = x;
    x = NULL;
done:
    og_graph_txn_abort(x);
    return rc;
}

og_graph_view *og_graph_txn_base(og_graph_txn *x) { return x->base; }

static og_status pend_get(og_graph_txn *x, const og_decl *t, pend **out)
{
    og_status rc = OG_OK;
    og_schema s = {0};
    *out = NULL;
    if (t->kind == OG_KIND_INTERFACE || t->index >= x->g->cat->n_types || &x->g->cat->types[t->index] != t)
        return og_error_set(OG_E_INVALID, "`%s` is not a node or edge type of this graph", t->name);
    pend *p = &x->p[t->index];
    if (!p->touched) {
        if ((rc = og_graph_table_schema(t, &s))) goto done;
        if ((rc = og_graph_batch_like(&s, &p->rows))) goto done;
        p->ids = og_map_new();
        p->dels = og_map_new();
        if (!p->ids || !p->dels) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        p->touched = true;
    }
    *out = p;
done:
    og_schema_free(&s);
    if (rc) pend_free(p);
    return rc;
}

static og_status kill_row(pend *p, const char *id)
{
    void *v = NULL;
    if (og_map_del(p->ids, id, strlen(id), &v)) {
        size_t r = (size_t)(uintptr_t)v - 1;
        if (p->live.data[r]) { p->live.data[r] = 0; p->nlive--; }
    }
    return OG_OK;
}

static og_status check_row(const og_decl *t, const og_batch *rows, size_t r, const og_batch *like)
{
    for (size_t c = 0; c < like->ncols; c++) {
        og_column *sc = og_batch_col(rows, like->names[c]);
        bool is_null = !sc || og_column_is_null(sc, r);
        bool required = c == 0 || (t->kind == OG_KIND_EDGE && c < 3);
        if (!required && c >= (t->kind == OG_KIND_EDGE ? 3u : 1u))
            required = !t->props[c - (t->kind == OG_KIND_EDGE ? 3 : 1)].type.nullable;
        if (is_null && required)
            return og_error_set(OG_E_VALIDATION, "non-nullable property '%s' of %s has null or invalid values",
                                like->names[c], t->name);
        if (sc && !og_type_eq(sc->type, like->cols[c]->type))
            return og_error_set(OG_E_INVALID, "column `%s` of %s has the wrong type", like->names[c], t->name);
    }
    return OG_OK;
}

static og_status put_rows(og_graph_txn *x, const og_decl *t, const og_batch *rows, bool strict)
{
    og_status rc = OG_OK;
    pend *p = NULL;
    if ((rc = pend_get(x, t, &p))) return rc;
    og_column *idc = og_batch_col(rows, "id");
    if (!idc || idc->type.id != OG_TYPE_UTF8)
        return og_error_set(OG_E_INVALID, "rows for %s need a utf8 `id` column", t->name);
    for (size_t r = 0; r < rows->nrows; r++) {
        if ((rc = check_row(t, rows, r, &p->rows))) return rc;
        size_t n = 0;
        const char *id = og_column_get_bytes(idc, r, &n);
        void *v = NULL;
        if (og_map_get(p->ids, id, n, &v)) {
            size_t old = (size_t)(uintptr_t)v - 1;
            if (strict && p->live.data[old]) {
                og_status e = og_error_set(OG_E_EXISTS, "key_conflict: %s:%s id '%.*s' is inserted twice",
                                           og_decl_kind_name(t->kind), t->name, (int)n, id);
                og_detail_key_conflict(og_decl_kind_name(t->kind), t->name, id, (int)n);
                return e;
            }
            if (p->live.data[old]) { p->live.data[old] = 0; p->nlive--; }
        }
        og_map_del(p->dels, id, n, NULL);
        size_t row = p->rows.nrows;
        if ((rc = og_graph_batch_append_row(&p->rows, rows, r))) return rc;
        if ((rc = og_buf_append_byte(&p->live, 1))) return rc;
        if ((rc = og_buf_append_byte(&p->strict, strict ? 1 : 0))) return rc;
        if ((rc = og_map_put(p->ids, id, n, (void *)(uintptr_t)(row + 1), NULL))) return rc;
        p->nlive++;
    }
    return OG_OK;
}

og_status og_graph_txn_put(og_graph_txn *x, const og_decl *t, const og_batch *rows,
                           og_graph_write_mode mode)
{
    return put_rows(x, t, rows, mode == OG_WRITE_STRICT_INSERT);
}

og_status og_graph_txn_overwrite(og_graph_txn *x, const og_decl *t, const og_batch *rows)
{
    og_status rc = OG_OK;
    pend *p = NULL;
    if ((rc = pend_get(x, t, &p))) return rc;
    /* Everything pending or committed is replaced. */
    for (size_t r = 0; r < p->rows.nrows; r++) p->live.data[r] = 0;
    p->nlive = 0;
    og_map_free(p->ids);
    og_map_free(p->dels);
    p->ids = og_map_new();
    p->dels = og_map_new();
    if (!p->ids || !p->dels) return og_error_set(OG_E_NOMEM, "out of memory");
    p->overwrite = true;
    return rows ? put_rows(x, t, rows, false) : OG_OK;
}

og_status og_graph_txn_delete(og_graph_txn *x, const og_decl *t, const char *const *ids, size_t n)
{
    og_status rc = OG_OK;
    pend *p = NULL;
    if ((rc = pend_get(x, t, &p))) return rc;
    for (size_t i = 0; i < n; i++) {
        kill_row(p, ids[i]);
        if (!p->overwrite && (rc = og_map_puts(p->dels, ids[i], (void *)1, NULL))) return rc;
    }
    return OG_OK;
}

/* ---- reads (3) ---- */

/* The live pending rows as one batch. */
static og_status pend_live(const pend *p, og_batch *out)
{
    og_status rc = OG_OK;
    og_batch b = OG_BATCH_INIT;
    for (size_t i = 0; i < p->rows.ncols && !rc; i++)
        rc = og_batch_add(&b, p->rows.names[i], p->rows.cols[i]->type, NULL);
    for (size_t r = 0; r < p->rows.nrows && !rc; r++)
        if (p->live.data[r]) rc = og_graph_batch_append_row(&b, &p->rows, r);
    if (rc) { og_batch_free(&b); return rc; }
    *out = b;
    return OG_OK;
}

/* Filters pending rows with the table layer's own predicate semantics by
 * scanning them as a throwaway in-memory table. */
static og_status pend_filter(const og_decl *t, const pend *p, const og_scan_opts *o, og_batch *out)
{
    og_status rc = OG_OK;
    og_store *mem = NULL;
    og_schema s = {0};
    og_batch live = OG_BATCH_INIT;
    og_txn *tx = NULL;
    og_table *tbl = NULL;
    if ((rc = pend_live(p, &live))) goto done;
    if ((rc = og_graph_table_schema(t, &s))) goto done;
    if ((rc = og_store_mem_open(&mem))) goto done;
    if ((rc = og_table_stage_create(mem, "t", &s, live.nrows ? &live : NULL, &tx))) goto done;
    og_commit_opts co = {true, 0};
    if ((rc = og_txn_commit(tx, &co, NULL, &tbl))) goto done;
    rc = og_table_scan(tbl, o, out);
done:
    og_txn_free(tx);
    og_table_close(tbl);
    og_store_close(mem);
    og_schema_free(&s);
    og_batch_free(&live);
    return rc;
}

/* (8): the memo slot of a scan of edge type t by exactly one = / IN
 * predicate on src or dst, projecting only id/src/dst; NULL otherwise. */
static edge_memo *memo_slot(og_graph_txn *x, const og_decl *t, const og_scan_opts *o)
{
    if (t->kind != OG_KIND_EDGE || !o || o->npreds != 1 || o->limit) return NULL;
    const og_pred *p = &o->preds[0];
    int side = !strcmp(p->column, "src") ? 0 : !strcmp(p->column, "dst") ? 1 : -1;
    if (side < 0 || (p->op != OG_CMP_IN && p->op != OG_CMP_EQ) || !o->columns) return NULL;
    for (size_t i = 0; i < o->ncolumns; i++)
        if (strcmp(o->columns[i], "id") && strcmp(o->columns[i], "src") && strcmp(o->columns[i], "dst")) return NULL;
    for (size_t i = 0; p->op == OG_CMP_IN && i < p->nvalues; i++)
        if (p->values[i].kind != OG_VALUE_STRING) return NULL;
    if (p->op == OG_CMP_EQ && p->value.kind != OG_VALUE_STRING) return NULL;
    if (!x->memo && !(x->memo = calloc(2 * x->g->cat->n_types, sizeof *x->memo))) return NULL;
    return &x->memo[2 * t->index + (size_t)side];
}

/* Scans the committed side (the base table); a memo-able scan reads
 * id/src/dst, remembers them and then projects (8). */
static og_status base_scan(og_graph_txn *x, const og_decl *t, og_table *tbl, const og_scan_opts *o, og_batch *out)
{
    og_status rc = OG_OK;
    og_batch full = OG_BATCH_INIT, res = OG_BATCH_INIT;
    edge_memo *m = memo_slot(x, t, o);
    if (!m) return og_table_scan(tbl, o, out);
    static const char *const cols3[] = {"id", "src", "dst"};
    og_scan_opts so = *o;
    so.columns = cols3;
    so.ncolumns = 3;
    if ((rc = og_table_scan(tbl, &so, &full))) goto done;
    for (size_t i = 0; i < o->ncolumns && !rc; i++)
        rc = og_batch_add(&res, o->columns[i], og_batch_col(&full, o->columns[i])->type, NULL);
    for (size_t r = 0; r < full.nrows && !rc; r++) rc = og_graph_batch_append_row(&res, &full, r);
    if (rc) goto done;
    /* remember: rows first, then the values they cover */
    if (!m->vals && !(m->vals = og_map_new())) goto keep;
    if (!m->rows.ncols)
        for (size_t i = 0; i < 3 && !rc; i++) rc = og_batch_add(&m->rows, cols3[i], full.cols[i]->type, NULL);
    for (size_t r = 0; r < full.nrows && !rc; r++) rc = og_graph_batch_append_row(&m->rows, &full, r);
    const og_pred *p = &o->preds[0];
    size_t nv = p->op == OG_CMP_IN ? p->nvalues : 1;
    for (size_t i = 0; i < nv && !rc; i++) {
        const og_value *v = p->op == OG_CMP_IN ? &p->values[i] : &p->value;
        rc = og_map_put(m->vals, v->as.s.ptr, v->as.s.len, (void *)1, NULL);
    }
    if (rc) {   /* a memo that failed to fill must not answer */
        og_error_clear();
        rc = OG_OK;
        og_map_free(m->vals);
        m->vals = NULL;
        og_batch_free(&m->rows);
        memset(&m->rows, 0, sizeof m->rows);
    }
keep:
    *out = res;
    memset(&res, 0, sizeof res);
done:
    og_batch_free(&full);
    og_batch_free(&res);
    return rc;
}

bool og_graph_txn_edge_memo(og_graph_txn *x, const og_decl *e, const char *col, size_t n, const char *const *args,
                            const og_batch **rows)
{
    int side = !strcmp(col, "src") ? 0 : !strcmp(col, "dst") ? 1 : -1;
    if (side < 0 || !x->memo || e->kind != OG_KIND_EDGE || e->index >= x->g->cat->n_types) return false;
    edge_memo *m = &x->memo[2 * e->index + (size_t)side];
    if (!m->vals || !m->rows.ncols) return false;
    for (size_t i = 0; i < n; i++)
        if (!og_map_gets(m->vals, args[i], NULL)) return false;
    *rows = &m->rows;
    return true;
}

og_status og_graph_txn_scan(og_graph_txn *x, const og_decl *t, const og_scan_opts *o, og_batch *out)
{
    og_status rc = OG_OK;
    og_table *tbl = NULL;
    og_batch base = OG_BATCH_INIT, pb = OG_BATCH_INIT, res = OG_BATCH_INIT;
    const char **cols = NULL;
    og_scan_opts so = {0};
    pend *p = NULL;
    if (t->kind == OG_KIND_INTERFACE || t->index >= x->g->cat->n_types)
        return og_error_set(OG_E_INVALID, "`%s` is not a node or edge type", t->name);
    p = &x->p[t->index];
    if ((rc = og_graph_view_table(x->base, t, &tbl))) goto done;
    if (!p->touched) { rc = base_scan(x, t, tbl, o, out); goto done; }
    if (o) so = *o;
    so.limit = 0;
    bool has_id = !so.columns;
    for (size_t i = 0; so.columns && i < so.ncolumns; i++) has_id |= !strcmp(so.columns[i], "id");
    if (!has_id) {
        cols = calloc(so.ncolumns + 1, sizeof *cols);
        if (!cols) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t i = 0; i < so.ncolumns; i++) cols[i] = so.columns[i];
        cols[so.ncolumns] = "id";
        so.columns = cols;
        so.ncolumns++;
    }
    if (!p->overwrite && (rc = base_scan(x, t, tbl, &so, &base))) goto done;
    if ((rc = pend_filter(t, p, &so, &pb))) goto done;
    /* Result columns: the caller's projection (pb's columns minus an added id). */
    const og_batch *shape = &pb;
    size_t ncols = has_id ? shape->ncols : shape->ncols - 1;
    for (size_t i = 0; i < ncols && !rc; i++) rc = og_batch_add(&res, shape->names[i], shape->cols[i]->type, NULL);
    if (rc) goto done;
    uint64_t limit = o ? o->limit : 0;
    og_column *bid = og_batch_col(&base, "id");
    for (size_t r = 0; bid && r < base.nrows; r++) {
        if (limit && res.nrows >= limit) break;
        size_t n = 0;
        const char *id = og_column_get_bytes(bid, r, &n);
        if (og_map_get(p->ids, id, n, NULL) || og_map_get(p->dels, id, n, NULL)) continue;
        if ((rc = og_graph_batch_append_row(&res, &base, r))) goto done;
    }
    for (size_t r = 0; r < pb.nrows; r++) {
        if (limit && res.nrows >= limit) break;
        if ((rc = og_graph_batch_append_row(&res, &pb, r))) goto done;
    }
    *out = res;
    memset(&res, 0, sizeof res);
done:
    free(cols);
    og_batch_free(&base);
    og_batch_free(&pb);
    og_batch_free(&res);
    return rc;
}

/* ---- commit (2) ---- */

void og_graph_commit_result_clear(og_graph_commit_result *r)
{
    if (!r) return;
    og_graph_conflict_clear(&r->conflict);
    memset(r, 0, sizeof *r);
}

typedef struct tstage {
    const og_decl *t;
    og_table *tbl;        /* the table staged from (view's or the fork's) */
    bool own_tbl;
    og_txn *tx;
    const char *table_branch;
    uint64_t new_version;
    uint64_t rows;
    uint64_t changed;
} tstage;

static og_status strict_check(const og_decl *t, og_table *tbl, const pend *p)
{
    og_status rc = OG_OK;
    og_value *vals = NULL;
    size_t n = 0;
    og_batch hit = OG_BATCH_INIT;
    og_column *idc = og_batch_col(&p->rows, "id");
    vals = calloc(p->rows.nrows ? p->rows.nrows : 1, sizeof *vals);
    if (!vals) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t r = 0; r < p->rows.nrows; r++) {
        if (!p->live.data[r] || !p->strict.data[r]) continue;
        size_t len = 0;
        const char *s = og_column_get_bytes(idc, r, &len);
        vals[n++] = og_val_strn(s, len);
    }
    if (n) {
        const char *cols[] = {"id"};
        og_pred pr = {"id", OG_CMP_IN, {0}, vals, n};
        og_scan_opts so = {cols, 1, &pr, 1, 1};
        if ((rc = og_table_scan(tbl, &so, &hit))) goto done;
        if (hit.nrows) {
            size_t len = 0;
            const char *s = og_column_get_bytes(hit.cols[0], 0, &len);
            rc = og_error_set(OG_E_EXISTS, "key_conflict: %s:%s already has id '%.*s' (append never updates)",
                              og_decl_kind_name(t->kind), t->name, (int)len, s);
            og_detail_key_conflict(og_decl_kind_name(t->kind), t->name, s, (int)len);
        }
    }
done:
    og_batch_free(&hit);
    free(vals);
    return rc;
}

static og_status stage_table(og_graph_txn *x, const og_decl *t, pend *p, tstage *ts)
{
    og_status rc = OG_OK;
    og_batch live = OG_BATCH_INIT;
    og_txn *del = NULL;
    og_value *vals = NULL;
    const og_graph_pin *pin = og_graph_view_pin(x->base, t);
    ts->t = t;
    if (!pin) return og_error_set(OG_E_CORRUPT, "no table pinned for `%s`", t->name);
    if ((rc = og_graph_view_table(x->base, t, &ts->tbl))) goto done;
    ts->table_branch = pin->table_branch;
    /* (4) the table branch of a graph branch is named by its chain uid. */
    const char *own = x->branch ? x->base->snap.branch_uid : NULL;
    bool need_fork = own && (!pin->table_branch || strcmp(pin->table_branch, own) != 0);
    bool all_strict = true;
    for (size_t r = 0; r < p->rows.nrows; r++)
        if (p->live.data[r] && !p->strict.data[r]) all_strict = false;
    /* When every row is a strict insert, the merge-insert below fails on any
     * existing id by itself; probing first would read every fragment's ids
     * twice per commit. The probe runs only to name the id on that failure,
     * or up front when strict rows travel with upserts (UPDATE_ALL would
     * silently replace them). */
    if (!p->overwrite && !all_strict && (rc = strict_check(t, ts->tbl, p))) goto done;
    if (need_fork) {
        /* First touch on this graph branch: fork the table from the pinned
         * version (a shallow clone), then stage on the fork. */
        rc = og_table_branch_create(x->g->root, pin->path, own, pin->table_branch, pin->version);
        if (rc == OG_E_EXISTS) { og_error_clear(); rc = OG_OK; }
        if (rc) { og_error_context(rc, "forking %s onto branch `%s`", pin->table_key, x->branch); goto done; }
        if ((rc = og_table_open_branch(x->g->root, pin->path, own, pin->version, &ts->tbl))) goto done;
        og_table_set_inline_max(ts->tbl, OG_TABLE_INLINE_MAX);
        ts->own_tbl = true;
        ts->table_branch = own;
    }
    if ((rc = pend_live(p, &live))) goto done;
    if (p->overwrite) {
        rc = og_table_stage_overwrite(ts->tbl, NULL, &live, &ts->tx);
        ts->changed = live.nrows + og_table_count_rows(ts->tbl);
        goto done;
    }
    if (live.nrows) {
        og_merge_stats st = {0};
        rc = og_table_stage_merge_insert(ts->tbl, &live, all_strict ? OG_MATCHED_FAIL : OG_MATCHED_UPDATE_ALL,
                                         OG_NOT_MATCHED_INSERT, &st, &ts->tx);
        if (rc == OG_E_EXISTS) {
            og_error_clear();
            rc = strict_check(t, ts->tbl, p);  /* names the existing id */
            if (rc == OG_OK)
            {
                rc = og_error_set(OG_E_EXISTS, "key_conflict: %s:%s already has an id of this insert",
                                  og_decl_kind_name(t->kind), t->name);
                og_detail_key_conflict(og_decl_kind_name(t->kind), t->name, NULL, 0);
            }
            goto done;
        }
        if (rc) goto done;
        ts->changed += st.inserted + st.updated;
    }
    size_t nd = og_map_len(p->dels);
    if (nd) {
        vals = calloc(nd, sizeof *vals);
        if (!vals) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        size_t pos = 0, i = 0, kl = 0;
        const void *k = NULL;
        void *v = NULL;
        while (og_map_next(p->dels, &pos, &k, &kl, &v)) vals[i++] = og_val_strn(k, kl);
        og_pred pr = {"id", OG_CMP_IN, {0}, vals, nd};
        uint64_t affected = 0;
        if ((rc = og_table_stage_delete(ts->tbl, &pr, 1, &affected, &del))) goto done;
        ts->changed += affected;
        if (del && !ts->tx) { ts->tx = del; del = NULL; }
        else if (del) { if ((rc = og_txn_combine(ts->tx, del))) goto done; }
    }
done:
    og_txn_free(del);
    free(vals);
    og_batch_free(&live);
    return rc;
}

static og_status lost_race(og_graph_txn *x, tstage *ts, const og_graph_pin *pin, og_graph_commit_result *out)
{
    og_table *latest = NULL;
    uint64_t actual = pin->version + 1;
    if (ts->table_branch ? og_table_open_branch(x->g->root, pin->path, ts->table_branch, 0, &latest) == OG_OK
                         : og_table_open(x->g->root, pin->path, &latest) == OG_OK)
        actual = og_table_version(latest);
    og_table_close(latest);
    og_graph_conflict_clear(&out->conflict);
    out->conflict.kind = OG_GRAPH_CONFLICT_TABLE_VERSION;
    out->conflict.table_key = strdup(pin->table_key);
    out->conflict.expected = pin->version;
    out->conflict.actual = actual;
    return og_error_set(OG_E_CONFLICT, "manifest conflict on branch `%s`: table `%s` is at version %llu, "
                        "expected %llu (ExpectedVersionMismatch)", x->branch ? x->branch : "main",
                        pin->table_key, (unsigned long long)actual, (unsigned long long)pin->version);
}

static og_status fp(const og_graph_txn *x, const char *suffix)
{
    char name[96];
    snprintf(name, sizeof name, "%s.%s", x->kind == OG_WRITER_LOAD ? "load" : x->kind == OG_WRITER_MERGE ? "merge"
                                                                                 : "mutation", suffix);
    return OG_FAILPOINT(name);
}

/* Phase A: the sidecar naming every staged table commit. */
static og_status arm(og_graph_txn *x, tstage *ts, size_t nts, og_sidecar *sc, bool *registered)
{
    og_status rc = OG_OK;
    if ((rc = og_sidecar_begin(sc, x->kind, x->actor, x->branch))) return rc;
    memcpy(sc->merge_source, x->merged_parent, sizeof sc->merge_source);
    sc->tables = calloc(nts, sizeof *sc->tables);
    if (!sc->tables) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < nts; i++) {
        const og_graph_pin *pin = og_graph_view_pin(x->base, ts[i].t);
        og_sidecar_table *t = &sc->tables[i];
        sc->ntables = i + 1;
        const char *uuid = og_txn_uuid(ts[i].tx);
        if (!uuid || strlen(uuid) > OG_SIDECAR_UUID_MAX || og_txn_read_version(ts[i].tx) != pin->version)
            return og_error_set(OG_E_INTERNAL, "staged transaction of `%s` cannot be armed for recovery",
                                pin->table_key);
        if ((rc = og_gstrdup(pin->table_key, &t->table_key)) || (rc = og_gstrdup(pin->path, &t->path)) ||
            (rc = og_gstrdup(ts[i].table_branch, &t->table_branch)))
            return rc;
        t->expected_version = pin->version;
        t->post_version = pin->version + 1;
        memcpy(t->txn_uuid, uuid, strlen(uuid) + 1);
    }
    /* Registered before the sidecar exists, so no sweep of this process
     * ever mistakes a live write for a crashed one. */
    if ((rc = og_recovery_inflight_add(sc->operation_id))) return rc;
    *registered = true;
    return og_sidecar_write(x->g->root, sc);
}

/* (5): the pending state of type t as a delta table (memory in a). */
static og_status pend_delta(og_arena *a, const og_decl *t, const pend *p, og_delta_table *dt)
{
    og_status rc = OG_OK;
    bool edge = t->kind == OG_KIND_EDGE;
    og_row *rows = og_arena_calloc(a, (p->nlive ? p->nlive : 1) * sizeof *rows);
    size_t nd = og_map_len(p->dels), n = 0;
    const char **removed = og_arena_calloc(a, (nd ? nd : 1) * sizeof *removed);
    if (!rows || !removed) return og_error_set(OG_E_NOMEM, "out of memory");
    dt->type = t;
    dt->replace_all = p->overwrite;
    og_column *idc = og_batch_col(&p->rows, "id");
    og_column *sc = edge ? og_batch_col(&p->rows, "src") : NULL, *dc = edge ? og_batch_col(&p->rows, "dst") : NULL;
    for (size_t r = 0; r < p->rows.nrows && !rc; r++) {
        if (!p->live.data[r]) continue;
        og_row *row = &rows[n++];
        og_value v;
        if ((rc = og_graph_cell_value(a, idc, r, NULL, &v))) break;
        row->id = og_arena_strndup(a, v.as.s.ptr, v.as.s.len);
        if (edge) {
            if ((rc = og_graph_cell_value(a, sc, r, NULL, &v))) break;
            row->src = og_arena_strndup(a, v.as.s.ptr, v.as.s.len);
            if ((rc = og_graph_cell_value(a, dc, r, NULL, &v))) break;
            row->dst = og_arena_strndup(a, v.as.s.ptr, v.as.s.len);
        }
        row->vals = og_arena_calloc(a, (t->n_props + 1) * sizeof *row->vals);
        if (!row->id || !row->vals || (edge && (!row->src || !row->dst))) {
            rc = og_error_set(OG_E_NOMEM, "out of memory");
            break;
        }
        for (size_t j = 0; j < t->n_props && !rc; j++) {
            og_column *c = og_batch_col(&p->rows, t->props[j].name);
            if (c) rc = og_graph_cell_value(a, c, r, &t->props[j], &row->vals[j]);
            else row->vals[j].kind = OG_VALUE_NULL;
        }
    }
    if (rc) return rc;
    size_t pos = 0, kl = 0, k = 0;
    const void *key = NULL;
    void *val = NULL;
    while (og_map_next(p->dels, &pos, &key, &kl, &val)) {
        if (!(removed[k++] = og_arena_strndup(a, key, kl))) return og_error_set(OG_E_NOMEM, "out of memory");
    }
    dt->n_rows = n;
    dt->rows = rows;
    dt->n_removed = k;
    dt->removed = removed;
    return OG_OK;
}

static og_status validate_pending(og_graph_txn *x)
{
    og_status rc = OG_OK;
    const og_catalog *cat = x->g->cat;
    og_arena *a = og_arena_create(NULL, "txn-validate");
    og_delta_table *tabs = calloc(cat->n_types ? cat->n_types : 1, sizeof *tabs);
    og_probe pr;
    bool any = false;
    if (!a || !tabs) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < cat->n_types && !rc; i++) {
        tabs[i].type = &cat->types[i];
        if (!x->p[i].touched) continue;
        any = true;
        rc = pend_delta(a, &cat->types[i], &x->p[i], &tabs[i]);
    }
    if (rc || !any) goto done;
    if ((rc = og_graph_probe_init_txn(x, a, &pr))) goto done;
    og_delta d = {cat, cat->n_types, tabs};
    rc = og_validate_delta(&d, &pr);
done:
    free(tabs);
    og_arena_destroy(a);
    return rc;
}

og_status og_graph_txn_commit(og_graph_txn *x, og_graph_commit_result *out)
{
    og_status rc = OG_OK;
    const og_catalog *cat = x->g->cat;
    tstage *ts = calloc(cat->n_types ? cat->n_types : 1, sizeof *ts);
    og_graph_pin *pins = calloc(cat->n_types ? cat->n_types : 1, sizeof *pins);
    og_graph_expected *exp = calloc(cat->n_types ? cat->n_types : 1, sizeof *exp);
    og_graph_snapshot snap = {0};
    og_sidecar sc;
    bool armed = false, registered = false;
    size_t nts = 0, ncommitted = 0;
    memset(&sc, 0, sizeof sc);
    og_graph_commit_result_clear(out);
    if (!ts || !pins || !exp) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    /* A schema apply (graph/schema_plan.h) published since this handle read
     * the schema: its catalog is stale, so nothing it stages can be trusted. */
    const char *base_irh = og_graph_view_snapshot(x->base)->schema_ir_hash;
    if (base_irh && strcmp(base_irh, x->g->ir_hash) != 0) {
        rc = og_error_set(OG_E_CONFLICT, "the graph's schema was changed (schema apply) after this handle opened "
                          "it; reopen the graph to write with the new schema");
        goto done;
    }
    if (!x->validated && (rc = validate_pending(x))) goto done;
    /* Staging: one table transaction per touched table. */
    for (size_t i = 0; i < cat->n_types; i++) {
        if (!x->p[i].touched) continue;
        tstage *s = &ts[nts];
        if ((rc = stage_table(x, &cat->types[i], &x->p[i], s))) goto done;
        if (s->tx) { nts++; continue; }
        if (s->own_tbl) og_table_close(s->tbl);
        memset(s, 0, sizeof *s);
    }
    if (nts == 0 && !x->publish_empty) goto done; /* zero-change commit: publish nothing */
    if (nts == 0) {
        /* (9) a merge that moves no table still publishes its commit: one
         * manifest put is its only effect, so no sidecar is needed */
        if ((rc = og_sidecar_begin(&sc, x->kind, x->actor, x->branch))) goto done;
        goto publish;
    }
    /* Phase A: arm the recovery sidecar (4). */
    if ((rc = arm(x, ts, nts, &sc, &registered))) goto done;
    armed = true;
    if ((rc = fp(x, "post_phase_a"))) goto done;
    if ((rc = OG_FAILPOINT("graph.txn.before_table_commits"))) goto done;
    /* Phase B: commit each table exactly at its staged version. */
    for (size_t i = 0; i < nts; i++) {
        og_commit_opts co = {true, 0};
        og_table *nt = NULL;
        const og_graph_pin *pin = og_graph_view_pin(x->base, ts[i].t);
        rc = og_txn_commit(ts[i].tx, &co, &ts[i].new_version, &nt);
        og_txn_free(ts[i].tx);
        ts[i].tx = NULL;
        if (rc == OG_E_PRECONDITION || rc == OG_E_CONFLICT) { rc = lost_race(x, &ts[i], pin, out); goto done; }
        if (rc) goto done;
        ncommitted++;
        ts[i].rows = og_table_count_rows(nt);
        /* (7) the next view of this version reuses the warm handle */
        og_graph_hcache_adopt(x->g->hc, pin->path, ts[i].table_branch, nt);
        if (ts[i].t->kind == OG_KIND_EDGE) out->edges_changed += ts[i].changed;
        else out->nodes_changed += ts[i].changed;
        if ((rc = fp(x, "post_table_commit"))) goto done;
    }
    if ((rc = OG_FAILPOINT("graph.txn.after_table_commits"))) goto done;
    if ((rc = fp(x, "post_phase_b_pre_manifest_commit"))) goto done;
publish:
    /* Phase C: publish once, with the commit id the sidecar names. */
    for (size_t i = 0; i < nts; i++) {
        const og_graph_pin *pin = og_graph_view_pin(x->base, ts[i].t);
        if ((rc = og_graph_pin_copy(&pins[i], pin))) goto done;
        free(pins[i].table_branch);
        pins[i].table_branch = NULL;
        if ((rc = og_gstrdup(ts[i].table_branch, &pins[i].table_branch))) goto done;
        pins[i].version = ts[i].new_version;
        pins[i].row_count = ts[i].rows;
        exp[i].table_key = pin->table_key;
        exp[i].version = pin->version;
    }
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.branch = x->branch;
    req.expected = exp;
    req.n_expected = nts;
    req.pins = pins;
    req.n_pins = nts;
    req.expected_head = x->if_commit;
    req.commit.id = sc.commit_id;
    req.commit.actor = x->actor;
    req.commit.merged_parent = x->merged_parent[0] ? x->merged_parent : NULL;
    req.hint = og_graph_view_snapshot(x->base);  /* saves re-reading the head */
    req.hint_uid_is_live = !x->branch;            /* main's chain never changes */
    rc = og_graph_publish(x->g->root, &req, &out->conflict, &snap);
    if (rc == OG_E_CONFLICT && og_graph_open_commit(x->g->root, sc.commit_id, &snap) == OG_OK) {
        /* Another process's recovery rolled this very write forward. */
        og_error_clear();
        og_graph_conflict_clear(&out->conflict);
        rc = OG_OK;
    }
    if (rc) goto done;
    og_graph_hcache_put_snapshot(x->g->hc, &snap);
    out->published = true;
    memcpy(out->commit_id, snap.head.id, sizeof out->commit_id);
    out->manifest_version = snap.version;
    armed = false;
    if ((rc = fp(x, "post_phase_c_pre_phase_d"))) goto done;
    if (nts == 0) goto done; /* (9) no sidecar was written */
    /* Phase D: best effort. */
    og_status d = og_sidecar_delete(x->g->root, sc.operation_id);
    if (d == OG_E_CRASHED) { rc = d; goto done; }
    if (d) {
        og_log_warn("write %s landed but its recovery sidecar was not deleted (%s); the next sweep retires it",
                    sc.commit_id, og_error_last()->message);
        og_error_clear();
    }
done:
    if (armed && rc && rc != OG_E_CRASHED) {
        /* Undo this write's own table commits now rather than leave drift
         * that blocks the next writer of these tables. */
        char saved[1024];
        og_code code = og_error_last()->code;
        og_error_format(saved, sizeof saved);
        og_status u = ncommitted ? og_recovery_resolve(x->g->root, sc.operation_id, true, NULL)
                                 : og_sidecar_delete(x->g->root, sc.operation_id);
        if (u && u != OG_E_CRASHED)
            og_log_warn("could not undo the failed write %s (%s); the next sweep will", sc.operation_id,
                        og_error_last()->message);
        og_error_set(code ? code : (og_code)rc, "%s", saved);
    }
    if (registered) og_recovery_inflight_remove(sc.operation_id);
    og_sidecar_free(&sc);
    if (ts)
        for (size_t i = 0; i < cat->n_types; i++) {
            og_txn_free(ts[i].tx);
            if (ts[i].own_tbl) og_table_close(ts[i].tbl);
        }
    if (pins)
        for (size_t i = 0; i < cat->n_types; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    free(ts);
    og_graph_snapshot_free(&snap);
    og_graph_txn_abort(x);
    return rc;
}
