/* recovery_gate.c — recovery-required state of a served graph and the
 * 503 it answers (surface.md §5.4, internals §4.6).
 * (1) A graph is recovery-required while a recovery sidecar exists that
 *     the sweep cannot finish (InvariantViolation, a buried table, an
 *     unreadable sidecar, recovery itself failing): the library reports it
 *     as a recovery_required detail (og_last_error_detail) from og_db_open
 *     or og_db_refresh.
 * (2) Boot: a graph whose read-write open is recovery-required is served
 *     from a read-only handle (reads see the last published state) instead
 *     of failing the whole server.
 * (3) While recovery-required, every write route answers 503 with
 *     {"error", "recovery_required": {"operation_id"}} (no code) after
 *     authorization and before admission; reads are served.
 * (4) The background reconciler (og_srv_graph_reconcile) re-runs recovery:
 *     on a read-write handle og_db_refresh, on a read-only one a fresh
 *     read-write open; success clears the state (a read-only handle is
 *     replaced by the new read-write one, and the old handle is retired,
 *     not closed, until shutdown: request threads may still hold it).
 * (5) One mutex guards the state of every graph; handles are published
 *     with atomic loads/stores. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "omnigraph.h"
#include "server.h"

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

/* The operation id of the current error's recovery_required detail into
 * op (cap bytes); false when the error has none. */
static bool required_op(char *op, size_t cap)
{
    const char *d = og_last_error_detail();
    json_t *j = d ? json_loads(d, 0, NULL) : NULL;
    const char *id = json_string_value(json_object_get(json_object_get(j, "recovery_required"), "operation_id"));
    bool ok = id != NULL;
    if (ok) snprintf(op, cap, "%s", id);
    json_decref(j);
    return ok;
}

static void set_state(og_srv_graph *g, const char *op)
{
    pthread_mutex_lock(&g_mu);
    snprintf(g->recovery_op, sizeof g->recovery_op, "%s", op ? op : "");
    pthread_mutex_unlock(&g_mu);
}

og_status og_srv_graph_open(og_srv_graph *g)
{
    og_db *db = NULL;
    char op[64];
    int rc = og_db_open(g->uri, 0, &db);
    if (rc && required_op(op, sizeof op)) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", og_errmsg());
        if (og_db_open(g->uri, OG_DB_READ_ONLY, &db) == 0) {
            og_log_warn("graph '%s': recovery required (%s); serving reads only until it succeeds", g->id, msg);
            g->read_only = true;
            set_state(g, op);
            rc = 0;
        }
    }
    if (rc) return og_error_set(OG_E_CONFIG, "graph '%s' (%s): %s", g->id, g->uri, og_errmsg());
    __atomic_store_n(&g->db, (void *)db, __ATOMIC_RELEASE); /* shared by all request threads */
    return OG_OK;
}

void og_srv_graph_close(og_srv_graph *g)
{
    og_db_close(g->db);
    og_db_close(g->db_retired);
    g->db = NULL;
    g->db_retired = NULL;
}

void og_srv_graph_reconcile(og_srv_graph *g)
{
    char op[64];
    og_db *db = __atomic_load_n(&g->db, __ATOMIC_ACQUIRE);
    if (!db) return;
    if (!g->read_only) {
        if (og_db_refresh(db) == 0) { set_state(g, NULL); return; }
        og_log_warn("recovery on graph %s: %s", g->id, og_errmsg());
        if (required_op(op, sizeof op)) set_state(g, op);
        return;
    }
    og_db *rw = NULL;
    if (og_db_open(g->uri, 0, &rw)) {
        og_log_warn("recovery on graph %s (served read-only): %s", g->id, og_errmsg());
        if (required_op(op, sizeof op)) set_state(g, op);
        return;
    }
    og_log_info("graph %s: recovery succeeded; writes are served again", g->id);
    g->db_retired = db; /* written by this thread only; closed at shutdown */
    __atomic_store_n(&g->db, (void *)rw, __ATOMIC_RELEASE);
    g->read_only = false;
    set_state(g, NULL);
}

int og_srv_recovery_gate(og_req *q, og_resp *r)
{
    char op[64];
    pthread_mutex_lock(&g_mu);
    snprintf(op, sizeof op, "%s", q->graph->recovery_op);
    pthread_mutex_unlock(&g_mu);
    if (!op[0]) return 0;
    char msg[512];
    snprintf(msg, sizeof msg, "graph '%s' needs recovery before it accepts writes: recovery sidecar %s could "
             "not be resolved; an operator must resolve it (reads are still served)", q->graph->id, op);
    og_resp_error(r, 503, NULL, msg, json_pack("{s:{s:s}}", "recovery_required", "operation_id", op));
    return -1;
}
