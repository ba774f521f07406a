/* server.h — shared state of omnigraph-server.
 * (1) og_srv is built once at boot (config, tokens, policies, graphs) and is
 *     read-only while serving, except the admission counters (mutex).
 * (2) A request's response is an og_resp: status, body bytes it owns,
 *     content type and up to OG_RESP_HDRS extra headers; or, instead of
 *     the body, a stream the HTTP layer pulls with stream_read (bytes, or
 *     OG_STREAM_END / OG_STREAM_ERROR, the latter aborting the response)
 *     and releases with stream_free once the connection is done. */
#ifndef OG_SERVER_SERVER_H
#define OG_SERVER_SERVER_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "auth.h"
#include "policy.h"
#include "route.h"

typedef enum og_auth_mode {
    OG_MODE_OPEN = 0,      /* --unauthenticated: everything allowed */
    OG_MODE_DEFAULT_DENY,  /* tokens, no policy: only read */
    OG_MODE_POLICY,        /* tokens + policy */
} og_auth_mode;

typedef struct og_srv_graph {
    char id[OG_ROUTE_GRAPH_MAX + 1];
    char *uri;
    char *queries_dir;       /* stored queries folder or NULL */
    og_policy *policy;       /* graph bundle (borrowed from og_srv) or NULL */
    void *db;                /* opened graph handle (recovery_gate.c); atomic loads */
    void *db_retired;        /* a replaced read-only handle, closed at shutdown */
    bool read_only;          /* served read-only: its read-write open needs recovery */
    char recovery_op[64];    /* "" or the sidecar recovery cannot finish (recovery_gate.c) */
} og_srv_graph;

typedef struct og_srv_config {
    char *bind;              /* HOST:PORT */
    bool unauthenticated;
    char *policy_file;
    char *cluster_dir;
    size_t threads;
    unsigned timeout_s;      /* per-connection idle timeout */
    size_t actor_inflight_max;
    uint64_t actor_bytes_max;
} og_srv_config;

typedef struct og_srv_actor_load {
    char *actor;
    size_t inflight;
    uint64_t bytes;
} og_srv_actor_load;

typedef struct og_srv {
    og_srv_config cfg;
    og_auth auth;
    og_auth_mode mode;
    og_policy **policies;    /* owned bundles */
    size_t npolicies;
    og_policy *server_policy;/* server-scoped bundle (borrowed) or NULL */
    og_srv_graph *graphs;
    size_t ngraphs;
    char *cluster_name;
    pthread_mutex_t adm_mu;
    og_srv_actor_load *loads;
    size_t nloads;
} og_srv;

#define OG_RESP_HDRS 4
typedef struct og_resp {
    int status;
    char *body;              /* malloc'd */
    size_t len;
    const char *ctype;
    const char *hdr_name[OG_RESP_HDRS];
    char *hdr_value[OG_RESP_HDRS]; /* malloc'd */
    int nhdr;
    void *stream;
    long (*stream_read)(void *stream, char *buf, size_t max);
    void (*stream_free)(void *stream);
} og_resp;

#define OG_STREAM_END (-1L)
#define OG_STREAM_ERROR (-2L)

/* Per-request state seen by handlers. */
typedef struct og_req {
    og_srv *srv;
    const char *method;
    og_route route;
    og_srv_graph *graph;
    const char *actor;       /* NULL when unauthenticated */
    const char *body;
    size_t body_len;
    /* lookups from the HTTP layer (NULL when absent) */
    const char *(*header)(void *conn, const char *name);
    const char *(*query_arg)(void *conn, const char *name);
    void *conn;
} og_req;

/* ---- responses (resp.c) ---- */
void og_resp_free(og_resp *r);
void og_resp_json(og_resp *r, int status, json_t *body); /* steals body */
void og_resp_raw(og_resp *r, int status, const char *ctype, char *body, size_t len); /* steals */
void og_resp_header(og_resp *r, const char *name, const char *value);
/* ErrorOutput with an explicit status and code (code NULL = omitted). extra
 * (stolen, may be NULL) is merged into the object. */
void og_resp_error(og_resp *r, int status, const char *code, const char *msg, json_t *extra);
/* Status and code for an og_errclass() name. */
int og_http_status_for_class(const char *cls, const char **code_out);
/* ErrorOutput for the last library failure on this thread. */
void og_resp_lib_error(og_resp *r);

/* ---- decisions (authz.c) ---- */
/* 0 when allowed, else fills r with 403 (or 404 when as_not_found). */
int og_srv_authorize(og_req *q, og_resp *r, const char *action, const char *branch,
                     const char *target, bool as_not_found);
/* Per-actor admission; returns 0 and a ticket, or fills r with 429. */
int og_srv_admit(og_req *q, og_resp *r, uint64_t bytes);
void og_srv_release(og_req *q, uint64_t bytes);

/* ---- boot (config.c) ---- */
og_status og_srv_config_parse(og_srv *s, int argc, char **argv, const char *(*getenv_fn)(const char *));
og_status og_srv_cluster_load(og_srv *s, const char *dir);
og_status og_srv_finish_boot(og_srv *s, const char *(*getenv_fn)(const char *));
og_status og_srv_add_graph(og_srv *s, const char *id, const char *uri);
void og_srv_free(og_srv *s);

/* ---- routes (handlers.c, graph_ops.c) ---- */
void og_srv_handle(og_req *q, og_resp *r);
void og_srv_graph_handle(og_req *q, og_resp *r);
json_t *og_srv_openapi(const og_srv *s);
/* commits/{id}/changes, changes, changes/baseline, schema/apply
 * (changes_routes.c); 0 when q's route is none of them. */
int og_srv_changes_handle(og_req *q, og_resp *r);

/* ---- recovery-required state (recovery_gate.c) ---- */
og_status og_srv_graph_open(og_srv_graph *g);
void og_srv_graph_close(og_srv_graph *g);
/* Re-runs recovery for g (background reconciler). */
void og_srv_graph_reconcile(og_srv_graph *g);
/* 0, or fills r with 503 recovery_required when g needs recovery first. */
int og_srv_recovery_gate(og_req *q, og_resp *r);

/* ---- background maintenance (maintenance.c) ---- */
void og_srv_maintenance_tick(og_srv *s);

#endif
