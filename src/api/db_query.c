/* db_query.c — og_db_query / og_db_mutate: .gq source in, ReadOutput /
 * ChangeOutput JSON out (surface.md §2, §5.3).
 * (1) The source is parsed and the query chosen by name; a source with
 *     several queries needs a name. The query is type-checked against the
 *     graph's catalog before parameters are converted, so type errors are
 *     reported even when parameters are missing.
 * (2) query refuses a mutation and mutate refuses a read.
 * (3) A read runs on one view (one pinned snapshot: the branch head, or the
 *     commit given as snapshot) and reports that snapshot's head commit as
 *     graph_commit_id.
 * (4) A mutation runs in one transaction and commits once; a mutation that
 *     changes nothing publishes nothing (commit: null). A lost race keeps
 *     its typed detail for og_last_conflict_json().
 * (5) A handle caches what repeated calls share: each (source, name, kind)
 *     parses and type-checks once (at most QCACHE_MAX entries, immutable
 *     and kept until og_db_close; past that calls compile privately), and
 *     branch-head reads reuse pinned views through an og_exec_session
 *     (exec.h: one store HEAD per warm read, no manifest or table reads).
 *     Snapshot reads open their own view.
 * (6) U64 values above 2^63-1 come out as exact integers (og_exec_dump). */
#include "db_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"

#include "exec/exec.h"
#include "graph/branch.h"
#include "graph/manifest.h"
#include "lang/params.h"
#include "lang/query_ast.h"
#include "lang/typecheck.h"

#define QCACHE_MAX 256

/* One compiled query (5): immutable once built. */
typedef struct cq {
    char *name;             /* as requested; NULL = the file's only query */
    bool mutation;
    og_gq_file *file;
    const og_gq_query *q;
    og_tc_query *tq;
    struct cq *next;        /* same source, other name/kind */
} cq;

struct og_db_qcache {
    pthread_mutex_t mu;
    og_map *by_src;         /* source bytes -> cq list */
    size_t n;
    og_exec_session *sess;
};

static pthread_mutex_t qc_init_mu = PTHREAD_MUTEX_INITIALIZER;

static void cq_free(cq *c)
{
    if (!c) return;
    og_tc_query_free(c->tq);
    og_gq_file_free(c->file);
    free(c->name);
    free(c);
}

void og_db_qcache_free(og_db *db)
{
    og_db_qcache *qc = db ? db->qc : NULL;
    if (!qc) return;
    size_t pos = 0, kl = 0;
    const void *k = NULL;
    void *v = NULL;
    while (qc->by_src && og_map_next(qc->by_src, &pos, &k, &kl, &v))
        for (cq *c = v, *nx; c; c = nx) { nx = c->next; cq_free(c); }
    og_map_free(qc->by_src);
    og_exec_session_free(qc->sess);
    pthread_mutex_destroy(&qc->mu);
    free(qc);
    db->qc = NULL;
}

static og_status qcache_of(og_db *db, og_db_qcache **out)
{
    og_status rc = OG_OK;
    pthread_mutex_lock(&qc_init_mu);
    if (!db->qc) {
        og_db_qcache *qc = calloc(1, sizeof *qc);
        if (!qc || !(qc->by_src = og_map_new()) || (rc = og_exec_session_new(db->g, &qc->sess))) {
            if (qc) og_map_free(qc->by_src);
            free(qc);
            if (!rc) rc = og_error_set(OG_E_NOMEM, "out of memory");
        } else {
            pthread_mutex_init(&qc->mu, NULL);
            db->qc = qc;
        }
    }
    *out = db->qc;
    pthread_mutex_unlock(&qc_init_mu);
    return rc;
}

typedef struct prepared {
    const cq *c;            /* cached, or `own` */
    cq *own;                /* compiled for this call only */
    og_params *params;
} prepared;

static void prepared_clear(prepared *p)
{
    og_params_free(p->params);
    cq_free(p->own);
    memset(p, 0, sizeof *p);
}

static bool same_name(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Parses, picks and type-checks (1)(2) into a fresh cq. */
static og_status compile(og_db *db, const char *src, size_t len, const char *name,
                         bool want_mutation, cq **out)
{
    og_status rc;
    cq *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory");
    c->mutation = want_mutation;
    if (name && !(c->name = strdup(name))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = og_gq_parse(src, len, &c->file);
    if (rc) goto done;
    if (name) {
        c->q = og_gq_file_find(c->file, name);
        if (!c->q) { rc = og_error_set(OG_E_NOTFOUND, "query '%s' not found in the query source", name); goto done; }
    } else if (c->file->n_queries == 1) {
        c->q = &c->file->queries[0];
    } else if (c->file->n_queries == 0) {
        rc = og_error_set(OG_E_INVALID, "query source contains no queries");
        goto done;
    } else {
        rc = og_error_set(OG_E_INVALID, "query file contains multiple queries; pass --name "
                          "(or the query name as an argument)");
        goto done;
    }
    if (c->q->is_mutation && !want_mutation) {
        rc = og_error_set(OG_E_INVALID, "query '%s' contains mutations; use `omnigraph mutate` "
                          "(POST /mutate) to run it", c->q->name);
        goto done;
    }
    if (!c->q->is_mutation && want_mutation) {
        rc = og_error_set(OG_E_INVALID, "query '%s' is a read query, not a mutation; use "
                          "`omnigraph query` (POST /query) to run it", c->q->name);
        goto done;
    }
    rc = og_tc_check(og_graph_catalog(db->g), c->q, &c->tq);
    if (rc) goto done;
    *out = c;
    c = NULL;
done:
    cq_free(c);
    return rc;
}

static og_status prepare(og_db *db, const char *src, size_t len, const char *name,
                         const char *params_json, bool want_mutation, prepared *p)
{
    og_status rc;
    json_t *pj = NULL;
    og_db_qcache *qc = NULL;
    memset(p, 0, sizeof *p);
    if (!db) return og_error_set(OG_E_INVALID, "no graph handle");
    if (!src) return og_error_set(OG_E_INVALID, "no query source given");
    if ((rc = qcache_of(db, &qc))) return rc;
    void *head = NULL;
    pthread_mutex_lock(&qc->mu);
    if (og_map_get(qc->by_src, src, len, &head))
        for (const cq *c = head; c; c = c->next)
            if (c->mutation == want_mutation && same_name(c->name, name)) { p->c = c; break; }
    pthread_mutex_unlock(&qc->mu);
    if (!p->c) {
        cq *c = NULL;
        if ((rc = compile(db, src, len, name, want_mutation, &c))) goto done;
        pthread_mutex_lock(&qc->mu);
        head = NULL;
        bool have = og_map_get(qc->by_src, src, len, &head);
        const cq *dup = NULL;
        for (const cq *h = head; h; h = h->next)
            if (h->mutation == want_mutation && same_name(h->name, name)) dup = h;
        if (dup) {                 /* a racing caller cached it first */
            p->c = dup;
            p->own = c;
        } else if (qc->n < QCACHE_MAX && og_map_put(qc->by_src, src, len, c, NULL) == OG_OK) {
            c->next = have ? head : NULL;
            qc->n++;
            p->c = c;
        } else {
            p->c = p->own = c;
        }
        pthread_mutex_unlock(&qc->mu);
        if (dup) { cq_free(p->own); p->own = NULL; }
    }
    if (params_json && *params_json) {
        json_error_t jerr;
        pj = json_loads(params_json, JSON_REJECT_DUPLICATES, &jerr);
        if (!pj) { rc = og_error_set(OG_E_INVALID, "invalid params JSON: %s", jerr.text); goto done; }
        if (!json_is_object(pj)) { rc = og_error_set(OG_E_INVALID, "params must be a JSON object"); goto done; }
    }
    rc = og_params_from_json(p->c->q->params, p->c->q->n_params, pj, &p->params);
done:
    json_decref(pj);
    if (rc) prepared_clear(p);
    return rc;
}

static const char *branch_or_null(const char *b)
{
    return b && strcmp(b, OG_GRAPH_MAIN) ? b : NULL;
}

/* Records a lost --if-commit whose typed detail the engine did not fill
 * (refused at begin): expected is if_commit, actual the branch head now. */
static void record_precondition(og_db *db, const char *branch, const char *if_commit,
                                 og_graph_conflict *c)
{
    if (c->kind != OG_GRAPH_CONFLICT_HEAD_MOVED) {
        og_graph_snapshot s;
        char msg[1024];
        memset(&s, 0, sizeof s);
        og_error_format(msg, sizeof msg); /* keep the message across the head read */
        c->kind = OG_GRAPH_CONFLICT_HEAD_MOVED;
        snprintf(c->expected_head, sizeof c->expected_head, "%s", if_commit ? if_commit : "");
        if (!og_graph_open_head(og_graph_store(db->g), branch, &s))
            snprintf(c->actual_head, sizeof c->actual_head, "%s", s.head.id);
        og_graph_snapshot_free(&s);
        og_error_set(OG_E_PRECONDITION, "%s", msg);
    }
    og_api_conflict_record(OG_E_PRECONDITION, c);
}

int og_db_query(og_db *db, const char *query_src, size_t len, const char *name,
                const char *params_json, const char *branch, const char *snapshot,
                char **json_out)
{
    og_status rc;
    prepared p;
    og_graph_view *v = NULL;
    og_exec_result res = {0};
    json_t *o = NULL, *target = NULL;
    *json_out = NULL;
    og_error_clear();
    og_api_conflict_reset();
    rc = prepare(db, query_src, len, name, params_json, false, &p);
    if (rc) return rc;
    og_exec_session *sess = snapshot ? NULL : db->qc->sess;
    if (sess) rc = og_exec_session_view(sess, branch_or_null(branch), &v);
    else rc = og_graph_view_open(db->g, NULL, snapshot, &v);
    if (rc == OG_E_NOTFOUND && snapshot) {
        char msg[512];
        og_error_format(msg, sizeof msg);
        rc = og_error_set(OG_E_NOTFOUND, "snapshot commit '%s' not found: %s", snapshot, msg);
    } else if (rc == OG_E_NOTFOUND) {
        rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found", branch ? branch : OG_GRAPH_MAIN);
    }
    if (rc) goto done;
    rc = og_exec_session_query(sess, v, p.c->tq, p.params, NULL, &res);
    if (rc) goto done;
    const og_graph_snapshot *s = og_graph_view_snapshot(v);
    target = json_object();
    o = json_object();
    if (!target || !o) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set_new(target, "branch", snapshot ? json_null()
                                                   : json_string(branch ? branch : OG_GRAPH_MAIN));
    json_object_set_new(target, "snapshot", snapshot ? json_string(snapshot) : json_null());
    json_object_set_new(o, "query_name", json_string(p.c->q->name));
    json_object_set(o, "target", target);
    json_object_set_new(o, "row_count", json_integer((json_int_t)json_array_size(res.rows)));
    json_object_set(o, "columns", res.columns ? res.columns : json_array());
    json_object_set(o, "rows", res.rows ? res.rows : json_array());
    json_object_set_new(o, "graph_commit_id",
                        s && s->head.id[0] ? json_string(s->head.id) : json_null());
    rc = og_exec_dump(&res, o, json_out);
done:
    json_decref(o);
    json_decref(target);
    og_exec_result_clear(&res);
    if (sess) og_exec_session_release(sess, v);
    else og_graph_view_close(v);
    prepared_clear(&p);
    return rc;
}

int og_db_mutate(og_db *db, const char *query_src, size_t len, const char *name,
                 const char *params_json, const char *branch, const char *if_commit,
                 const char *actor, char **json_out)
{
    og_status rc;
    prepared p;
    og_graph_txn *x = NULL;
    og_exec_mutation_stats st;
    og_graph_commit_result cr;
    json_t *o = NULL, *commit = NULL;
    memset(&st, 0, sizeof st);
    memset(&cr, 0, sizeof cr);
    *json_out = NULL;
    og_error_clear();
    og_api_conflict_reset();
    rc = prepare(db, query_src, len, name, params_json, true, &p);
    if (rc) return rc;
    og_graph_txn_opts to = {branch_or_null(branch), actor, if_commit};
    rc = og_graph_txn_begin(db->g, &to, &x);
    if (rc == OG_E_PRECONDITION) record_precondition(db, to.branch, if_commit, &cr.conflict);
    if (rc == OG_E_NOTFOUND)
        rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found", branch ? branch : OG_GRAPH_MAIN);
    if (rc) goto done;
    rc = og_exec_mutate(x, p.c->tq, p.params, &st);
    if (rc) { og_graph_txn_abort(x); x = NULL; goto done; }
    rc = og_graph_txn_commit(x, &cr);
    x = NULL;
    if (rc == OG_E_PRECONDITION) { record_precondition(db, to.branch, if_commit, &cr.conflict); goto done; }
    if (rc) { og_api_conflict_record(rc, &cr.conflict); goto done; }
    if (cr.published) {
        rc = og_api_commit_lookup(db, cr.commit_id, &commit);
        if (rc) goto done;
    }
    o = json_object();
    if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set_new(o, "branch", json_string(branch ? branch : OG_GRAPH_MAIN));
    json_object_set_new(o, "query_name", json_string(p.c->q->name));
    json_object_set_new(o, "affected_nodes",
                        json_integer((json_int_t)(st.nodes_inserted + st.nodes_updated +
                                                  st.nodes_deleted)));
    json_object_set_new(o, "affected_edges",
                        json_integer((json_int_t)(st.edges_inserted + st.edges_updated +
                                                  st.edges_deleted)));
    if (actor) json_object_set_new(o, "actor_id", json_string(actor));
    json_object_set(o, "commit", commit ? commit : json_null());
    rc = og_api_dump(o, json_out);
    o = NULL;
done:
    json_decref(o);
    json_decref(commit);
    og_graph_commit_result_clear(&cr);
    prepared_clear(&p);
    return rc;
}

