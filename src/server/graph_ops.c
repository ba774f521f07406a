/* graph_ops.c — the per-graph routes of §5.3 over the public C API.
 * (1) Each graph has one og_db handle, opened at boot and shared by every
 *     request thread: the handle holds no per-request state (every call
 *     opens its own views and transactions; the store and the exec caches
 *     are thread-safe), so reads run in parallel and write races between
 *     requests are settled by the engine's commit protocol.
 * (2) Every handler authorizes (403) before admission (429) before the
 *     graph is touched; admitted requests release on every path.
 * (3) A failed write with a typed detail (og_last_conflict_json) answers
 *     that body verbatim: 409 manifest_conflict, 412 precondition_failure.
 * (4) Export streams NDJSON from a producer thread through a buffer of
 *     about 1 MiB: a failure before the first record is an ordinary error
 *     response; a failure after it aborts the chunked 200 response; a
 *     client that goes away stops the producer.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"
#include "server.h"
#include "yaml_doc.h"

#define EXPORT_HIGH_WATER ((size_t)1 << 20)

typedef struct op_ctx {
    og_req *q;
    og_resp *r;
    json_t *body;           /* parsed JSON body or NULL */
    const char *branch;     /* effective branch */
} op_ctx;

static const char *qarg(og_req *q, const char *name)
{
    return q->query_arg ? q->query_arg(q->conn, name) : NULL;
}

/* Reads an optional string field; 400 if present with another type. */
static int opt_str(op_ctx *c, const char *key, const char **out)
{
    json_t *v = c->body ? json_object_get(c->body, key) : NULL;
    *out = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v)) {
        char msg[160];
        snprintf(msg, sizeof msg, "field '%s' must be a string", key);
        og_resp_error(c->r, 400, "bad_request", msg, NULL);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

static int parse_body(op_ctx *c, bool required)
{
    json_error_t err;
    if (c->q->body_len == 0) {
        if (!required) return 0;
        og_resp_error(c->r, 400, "bad_request", "request body must be a JSON object", NULL);
        return -1;
    }
    c->body = json_loadb(c->q->body, c->q->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!c->body || !json_is_object(c->body)) {
        char msg[300];
        if (c->body) snprintf(msg, sizeof msg, "request body must be a JSON object");
        else snprintf(msg, sizeof msg, "invalid JSON body: line %d, column %d: %s", err.line, err.column, err.text);
        og_resp_error(c->r, 400, "bad_request", msg, NULL);
        return -1;
    }
    return 0;
}

static void deprecate(og_resp *r, const char *successor)
{
    og_resp_header(r, "Deprecation", "true");
    char link[128];
    snprintf(link, sizeof link, "<%s>; rel=\"successor-version\"", successor);
    og_resp_header(r, "Link", link);
}

static int open_db(op_ctx *c, og_db **db)
{
    *db = __atomic_load_n(&c->q->graph->db, __ATOMIC_ACQUIRE); /* recovery_gate.c may swap it */
    if (!*db) {
        og_resp_error(c->r, 500, "internal", "graph is not open", NULL);
        return -1;
    }
    return 0;
}

/* The API keeps a lost write's conflict body per thread until the next
 * og_db_* call, and MHD's request threads end at shutdown with it still
 * allocated: once answered, drop it with a NULL-handle call (which resets
 * the body and fails before touching anything). */
static void conflict_forget(void)
{
    char *x = NULL;
    if (og_last_conflict_json() && og_db_branch_list(NULL, &x) == 0) og_free(x);
}

/* Answers a library result: json text (freed here) or the last error. */
static void answer(op_ctx *c, int rc, char *json, bool write)
{
    if (rc) {
        const char *detail = write ? og_last_conflict_json() : NULL;
        if (detail) {
            const char *code;
            int status = og_http_status_for_class(og_errclass(), &code);
            json_t *o = json_loads(detail, 0, NULL);
            char *msg = o ? strdup(json_string_value(json_object_get(o, "error")) ? json_string_value(json_object_get(o, "error")) : og_errmsg()) : NULL;
            if (o) json_object_del(o, "error");
            if (o) json_object_del(o, "code");
            if (status != 409 && status != 412) status = 409, code = "conflict";
            og_resp_error(c->r, status, code, msg ? msg : og_errmsg(), o);
            free(msg);
        } else {
            og_resp_lib_error(c->r);
        }
        conflict_forget();
    } else {
        og_resp_raw(c->r, 200, "application/json", json, strlen(json));
        json = NULL;
    }
    og_free(json);
}

static char *params_text(op_ctx *c, int *bad)
{
    json_t *p = c->body ? json_object_get(c->body, "params") : NULL;
    *bad = 0;
    if (!p || json_is_null(p)) return NULL;
    if (!json_is_object(p)) {
        og_resp_error(c->r, 400, "bad_request", "field 'params' must be an object", NULL);
        *bad = 1;
        return NULL;
    }
    return json_dumps(p, JSON_COMPACT);
}

static void do_read(op_ctx *c, const char *src, const char *name, bool legacy)
{
    const char *snapshot = NULL;
    og_db *db = NULL;
    char *out = NULL, *params = NULL;
    int bad;
    if (opt_str(c, "snapshot", &snapshot)) goto done;
    params = params_text(c, &bad);
    if (bad) goto done;
    if (og_srv_authorize(c->q, c->r, "read", c->branch, NULL, false)) goto done;
    if (open_db(c, &db)) goto done;
    int rc = og_db_query(db, src, strlen(src), name, params, c->branch, snapshot, &out);
    if (!rc && legacy) {
        json_t *o = json_loads(out, 0, NULL);
        if (o) {
            json_object_del(o, "graph_commit_id");
            og_free(out);
            out = NULL;
            og_resp_json(c->r, 200, o);
            deprecate(c->r, "query");
            goto done;
        }
    }
    answer(c, rc, out, false);
done:
    free(params);
}

static void do_mutate(op_ctx *c, const char *src, const char *name, const char *if_commit)
{
    og_db *db = NULL;
    char *out = NULL, *params = NULL;
    int bad;
    params = params_text(c, &bad);
    if (bad) goto done;
    if (og_srv_authorize(c->q, c->r, "change", c->branch, NULL, false)) goto done;
    if (og_srv_recovery_gate(c->q, c->r)) goto done;
    if (og_srv_admit(c->q, c->r, c->q->body_len)) goto done;
    if (!open_db(c, &db)) {
        int rc = og_db_mutate(db, src, strlen(src), name, params, c->branch, if_commit, c->q->actor, &out);
        answer(c, rc, out, true);
    }
    og_srv_release(c->q, c->q->body_len);
done:
    free(params);
}

static int query_fields(op_ctx *c, bool legacy, const char **src, const char **name)
{
    if (opt_str(c, legacy ? "query_source" : "query", src) || opt_str(c, legacy ? "query_name" : "name", name)) return -1;
    if (!*src && (opt_str(c, legacy ? "query" : "query_source", src) || opt_str(c, legacy ? "name" : "query_name", name))) return -1;
    if (!*src) {
        og_resp_error(c->r, 400, "bad_request", legacy ? "missing field 'query_source'" : "missing field 'query'", NULL);
        return -1;
    }
    return 0;
}

static void do_load(op_ctx *c, const char *data, size_t len, const char *from, const char *mode, bool legacy)
{
    og_db *db = NULL;
    char *out = NULL;
    if (!mode) mode = "merge";
    if (strcmp(mode, "merge") && strcmp(mode, "append") && strcmp(mode, "overwrite")) {
        og_resp_error(c->r, 400, "bad_request", "mode must be overwrite, append or merge", NULL);
        return;
    }
    if (og_srv_authorize(c->q, c->r, "change", c->branch, NULL, false)) return;
    if (from && og_srv_authorize(c->q, c->r, "branch_create", from, c->branch, false)) return;
    if (og_srv_recovery_gate(c->q, c->r)) return;
    if (og_srv_admit(c->q, c->r, len)) return;
    if (!open_db(c, &db)) {
        int rc = og_db_load(db, c->branch, from, data, len, mode, c->q->actor, &out);
        answer(c, rc, out, true);
        if (!rc && legacy) deprecate(c->r, "load");
    }
    og_srv_release(c->q, len);
}

/* Export streams (invariant 4): a producer thread runs og_db_export into
 * a bounded buffer that the HTTP layer drains. */
typedef struct xstream {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    og_db *db;
    char *branch;
    char **types;
    size_t ntypes;
    char *buf;              /* pending bytes [off, len) */
    size_t len, off, cap;
    bool done, cancel;
    int rc;
    char cls[32];
    char msg[512];
} xstream;

static int xs_line(void *ud, const char *line, size_t len)
{
    xstream *x = ud;
    int stop = 0;
    pthread_mutex_lock(&x->mu);
    while (!x->cancel && x->len - x->off > EXPORT_HIGH_WATER) pthread_cond_wait(&x->cv, &x->mu);
    if (x->cancel) { stop = 1; goto done; }
    if (x->off && x->off == x->len) x->off = x->len = 0;
    if (x->len + len + 1 > x->cap) {
        if (x->off) { /* compact first */
            memmove(x->buf, x->buf + x->off, x->len - x->off);
            x->len -= x->off;
            x->off = 0;
        }
        size_t nc = x->cap ? x->cap : 65536;
        while (nc < x->len + len + 1) nc *= 2;
        char *nb = nc > x->cap ? realloc(x->buf, nc) : x->buf;
        if (!nb) { stop = 1; goto done; }
        x->buf = nb;
        x->cap = nc;
    }
    memcpy(x->buf + x->len, line, len);
    x->len += len;
    x->buf[x->len++] = '\n';
    pthread_cond_broadcast(&x->cv);
done:
    pthread_mutex_unlock(&x->mu);
    return stop;
}

static void *xs_main(void *p)
{
    xstream *x = p;
    int rc = og_db_export(x->db, x->branch, (const char *const *)x->types, x->ntypes, xs_line, x);
    pthread_mutex_lock(&x->mu);
    x->rc = rc;
    if (rc) {
        snprintf(x->cls, sizeof x->cls, "%s", og_errclass());
        snprintf(x->msg, sizeof x->msg, "%s", og_errmsg());
    }
    x->done = true;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

static void xs_free(void *p)
{
    xstream *x = p;
    if (!x) return;
    pthread_mutex_lock(&x->mu);
    x->cancel = true;
    pthread_cond_broadcast(&x->cv);
    pthread_mutex_unlock(&x->mu);
    pthread_join(x->th, NULL);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    for (size_t i = 0; i < x->ntypes; i++) free(x->types[i]);
    free(x->types);
    free(x->branch);
    free(x->buf);
    free(x);
}

/* Pulls up to max bytes; blocks until the producer has some or is done. */
static long xs_read(void *p, char *out, size_t max)
{
    xstream *x = p;
    long n;
    pthread_mutex_lock(&x->mu);
    while (x->len == x->off && !x->done) pthread_cond_wait(&x->cv, &x->mu);
    if (x->len > x->off) {
        size_t k = x->len - x->off < max ? x->len - x->off : max;
        memcpy(out, x->buf + x->off, k);
        x->off += k;
        n = (long)k;
        pthread_cond_broadcast(&x->cv);
    } else {
        n = x->rc ? OG_STREAM_ERROR : OG_STREAM_END; /* failure after 200: abort */
    }
    pthread_mutex_unlock(&x->mu);
    return n;
}

static void do_export(op_ctx *c)
{
    og_db *db = NULL;
    xstream *x = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(c->body, k, v) {
        if (strcmp(k, "branch") && strcmp(k, "type_names")) {
            char msg[200];
            snprintf(msg, sizeof msg, "unknown field '%.100s' (expected branch, type_names)", k);
            og_resp_error(c->r, 400, "bad_request", msg, NULL);
            return;
        }
    }
    json_t *tn = c->body ? json_object_get(c->body, "type_names") : NULL;
    if (tn && !json_is_null(tn) && !json_is_array(tn)) {
        og_resp_error(c->r, 400, "bad_request", "type_names must be a list", NULL);
        return;
    }
    for (size_t i = 0; tn && i < json_array_size(tn); i++)
        if (!json_is_string(json_array_get(tn, i))) {
            og_resp_error(c->r, 400, "bad_request", "type_names must be strings", NULL);
            return;
        }
    if (og_srv_authorize(c->q, c->r, "export", c->branch, NULL, false)) return;
    if (open_db(c, &db)) return;
    if (!(x = calloc(1, sizeof *x))) goto oom;
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv, NULL);
    x->db = db;
    x->ntypes = json_array_size(tn);
    if (!(x->branch = strdup(c->branch)) || !(x->types = calloc(x->ntypes + 1, sizeof *x->types))) goto oom_x;
    for (size_t i = 0; i < x->ntypes; i++)
        if (!(x->types[i] = strdup(json_string_value(json_array_get(tn, i))))) goto oom_x;
    if (pthread_create(&x->th, NULL, xs_main, x)) goto oom_x;
    /* answer an early failure (unknown branch...) as an ordinary error */
    pthread_mutex_lock(&x->mu);
    while (x->len == 0 && !x->done) pthread_cond_wait(&x->cv, &x->mu);
    bool early_fail = x->done && x->rc && x->len == 0;
    pthread_mutex_unlock(&x->mu);
    if (early_fail) {
        const char *code;
        int status = og_http_status_for_class(x->cls, &code);
        og_resp_error(c->r, status, code, x->msg, NULL);
        xs_free(x);
        return;
    }
    og_resp_raw(c->r, 200, "application/x-ndjson", NULL, 0);
    c->r->stream = x;
    c->r->stream_read = xs_read;
    c->r->stream_free = xs_free;
    return;
oom_x:
    if (x->types)
        for (size_t i = 0; i < x->ntypes; i++) free(x->types[i]);
    free(x->types);
    free(x->branch);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    free(x);
oom:
    og_resp_error(c->r, 500, "internal", "out of memory", NULL);
}

/* ---- stored queries: *.gq files of the graph's queries folder ---- */

typedef struct stored {
    char *name;
    char *src;   /* whole file text */
    bool mutation;
    char *sig;   /* parameter list text between ( and ) */
} stored;

static bool is_ident(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* Scans one file for `query NAME(...)` headers; a body holding insert,
 * update or delete makes it a mutation. */
static void scan_queries(const char *text, stored **out, size_t *n)
{
    const char *p = text;
    while ((p = strstr(p, "query")) != NULL) {
        bool start = p == text || !is_ident(p[-1]);
        const char *q = p + 5;
        p = q;
        if (!start || (*q != ' ' && *q != '\t' && *q != '\n')) continue;
        while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
        const char *ns = q;
        while (is_ident(*q)) q++;
        if (q == ns || *q != '(') continue;
        const char *se = strchr(q, ')');
        if (!se) break;
        const char *body = strchr(se, '{');
        const char *next = body ? strstr(body, "\nquery") : NULL;
        size_t blen = body ? (next ? (size_t)(next - body) : strlen(body)) : 0;
        stored *nv = realloc(*out, (*n + 1) * sizeof *nv);
        if (!nv) break;
        *out = nv;
        stored *s = &nv[*n];
        s->name = strndup(ns, (size_t)(q - ns));
        s->sig = strndup(q + 1, (size_t)(se - q - 1));
        s->src = strdup(text);
        char *b = body ? strndup(body, blen) : NULL;
        s->mutation = b && (strstr(b, "insert ") || strstr(b, "update ") || strstr(b, "delete "));
        free(b);
        if (!s->name || !s->sig || !s->src) { free(s->name); free(s->sig); free(s->src); break; }
        (*n)++;
    }
}

static void stored_free(stored *v, size_t n)
{
    for (size_t i = 0; i < n; i++) { free(v[i].name); free(v[i].src); free(v[i].sig); }
    free(v);
}

static void load_stored(og_srv_graph *g, stored **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!g->queries_dir) return;
    DIR *d = opendir(g->queries_dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 4 || strcmp(e->d_name + l - 3, ".gq")) continue;
        char path[4096];
        char *text = NULL;
        size_t len;
        snprintf(path, sizeof path, "%s/%s", g->queries_dir, e->d_name);
        if (og_yaml_read_file(path, &text, &len)) { og_error_clear(); continue; }
        scan_queries(text, out, n);
        free(text);
    }
    closedir(d);
}

static const char *param_kind(const char *t, const char **item)
{
    *item = NULL;
    if (!strncmp(t, "String", 6)) return "string";
    if (!strncmp(t, "Bool", 4)) return "bool";
    if (!strncmp(t, "I64", 3) || !strncmp(t, "U64", 3)) return "bigint";
    if (t[0] == 'I' || t[0] == 'U') return "int";
    if (t[0] == 'F') return "float";
    if (!strncmp(t, "DateTime", 8)) return "datetime";
    if (!strncmp(t, "Date", 4)) return "date";
    if (!strncmp(t, "Blob", 4)) return "blob";
    if (!strncmp(t, "Vector", 6)) return "vector";
    if (t[0] == '[') return "list";
    return "string";
}

static json_t *params_json(const char *sig)
{
    json_t *arr = json_array();
    char *copy = strdup(sig), *save = NULL;
    for (char *tok = copy ? strtok_r(copy, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
        char *dollar = strchr(tok, '$'), *colon = strchr(tok, ':');
        if (!dollar || !colon || colon < dollar) continue;
        char *ne = dollar + 1;
        while (is_ident(*ne)) ne++;
        char *t = colon + 1;
        while (*t == ' ' || *t == '\t' || *t == '\n') t++;
        size_t tl = strlen(t);
        while (tl && (t[tl - 1] == ' ' || t[tl - 1] == '\n' || t[tl - 1] == '\t')) tl--;
        bool nullable = tl && t[tl - 1] == '?';
        const char *item;
        char *name = strndup(dollar + 1, (size_t)(ne - dollar - 1));
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b}", "name", name ? name : "", "kind", param_kind(t, &item),
                                             "nullable", nullable));
        free(name);
    }
    free(copy);
    return arr;
}

static void do_queries(op_ctx *c)
{
    stored *v;
    size_t n;
    if (og_srv_authorize(c->q, c->r, "read", "main", NULL, false)) return;
    load_stored(c->q->graph, &v, &n);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:o}", "name", v[i].name, "tool_name", v[i].name,
                                             "mutation", v[i].mutation, "params", params_json(v[i].sig)));
    stored_free(v, n);
    og_resp_json(c->r, 200, json_pack("{s:o}", "queries", arr));
}

static void do_invoke(op_ctx *c, bool with_if)
{
    stored *v;
    size_t n;
    const char *snapshot = NULL;
    json_t *em = c->body ? json_object_get(c->body, "expect_mutation") : NULL;
    load_stored(c->q->graph, &v, &n);
    stored *hit = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, c->q->route.arg)) hit = &v[i];
    if (!hit) { og_resp_error(c->r, 404, "not_found", "stored query not found", NULL); goto done; }
    if (og_srv_authorize(c->q, c->r, "invoke_query", c->branch, NULL, true)) goto done;
    if (opt_str(c, "snapshot", &snapshot)) goto done;
    if (em && json_is_boolean(em) && json_is_true(em) != hit->mutation) {
        og_resp_error(c->r, 400, "bad_request", hit->mutation ? "stored query is a mutation" : "stored query is not a mutation", NULL);
        goto done;
    }
    if (hit->mutation) {
        const char *ifc = with_if ? c->q->header(c->q->conn, "Omnigraph-If-Graph-Commit") : NULL;
        if (snapshot) { og_resp_error(c->r, 400, "bad_request", "a mutation cannot run at a snapshot", NULL); goto done; }
        if (with_if && !ifc) { og_resp_error(c->r, 400, "bad_request", "missing header Omnigraph-If-Graph-Commit", NULL); goto done; }
        do_mutate(c, hit->src, hit->name, ifc);
    } else {
        if (with_if) { og_resp_error(c->r, 400, "bad_request", "stored query is not a mutation", NULL); goto done; }
        do_read(c, hit->src, hit->name, false);
    }
done:
    stored_free(v, n);
}

static void simple(op_ctx *c, const char *action, int which)
{
    og_db *db = NULL;
    char *out = NULL;
    int rc = 0;
    if (og_srv_authorize(c->q, c->r, action, c->branch, NULL, false)) return;
    if (open_db(c, &db)) return;
    switch (which) {
    case 0: rc = og_db_snapshot(db, c->branch, &out); break;
    case 1: rc = og_db_schema_show(db, &out); break;
    case 2: rc = og_db_branch_list(db, &out); break;
    case 3: rc = og_db_commit_list(db, c->branch, NULL, &out); break;
    case 4: rc = og_db_commit_show(db, c->q->route.arg, &out); break;
    }
    answer(c, rc, out, false);
}

static void do_branch(op_ctx *c, bool create)
{
    og_db *db = NULL;
    char *out = NULL;
    const char *name = NULL, *from = NULL;
    if (create) {
        if (opt_str(c, "name", &name) || opt_str(c, "from", &from)) return;
        if (!name) { og_resp_error(c->r, 400, "bad_request", "missing field 'name'", NULL); return; }
        if (og_srv_authorize(c->q, c->r, "branch_create", from ? from : "main", name, false)) return;
    } else {
        name = c->q->route.arg;
        if (og_srv_authorize(c->q, c->r, "branch_delete", NULL, name, false)) return;
    }
    if (og_srv_recovery_gate(c->q, c->r)) return;
    if (og_srv_admit(c->q, c->r, c->q->body_len)) return;
    if (!open_db(c, &db)) {
        int rc = create ? og_db_branch_create(db, name, from, c->q->actor, &out)
                        : og_db_branch_delete(db, name, c->q->actor, &out);
        answer(c, rc, out, true);
    }
    og_srv_release(c->q, c->q->body_len);
}

/* POST /branches/merge {source, target?, delete_branch?} (surface.md §5.3):
 * branch_merge on source -> target, plus branch_delete on the source when
 * delete_branch; conflicts answer 409 with merge_conflicts[]. */
static void do_merge(op_ctx *c)
{
    og_db *db = NULL;
    char *out = NULL;
    const char *src = NULL, *tgt = NULL;
    json_t *del = c->body ? json_object_get(c->body, "delete_branch") : NULL;
    if (opt_str(c, "source", &src) || opt_str(c, "target", &tgt)) return;
    if (!src) { og_resp_error(c->r, 400, "bad_request", "missing field 'source'", NULL); return; }
    if (del && !json_is_boolean(del) && !json_is_null(del)) {
        og_resp_error(c->r, 400, "bad_request", "field 'delete_branch' must be a boolean", NULL);
        return;
    }
    if (og_srv_authorize(c->q, c->r, "branch_merge", src, tgt ? tgt : "main", false)) return;
    /* delete_branch is checked on its own: a denial is reported in the
     * output (branch_deleted false), not a failure of the merge */
    og_resp deny;
    memset(&deny, 0, sizeof deny);
    bool may_delete = json_is_true(del) && !og_srv_authorize(c->q, &deny, "branch_delete", NULL, src, false);
    char *deny_msg = NULL;
    if (json_is_true(del) && !may_delete) {
        json_t *b = deny.body ? json_loadb(deny.body, deny.len, 0, NULL) : NULL;
        const char *m = json_string_value(json_object_get(b, "error"));
        deny_msg = strdup(m ? m : "policy denied action 'branch_delete'");
        json_decref(b);
    }
    og_resp_free(&deny);
    if (og_srv_recovery_gate(c->q, c->r) || og_srv_admit(c->q, c->r, c->q->body_len)) { free(deny_msg); return; }
    if (!open_db(c, &db)) {
        int rc = og_db_branch_merge(db, src, tgt, c->q->actor, may_delete, &out);
        if (!rc && deny_msg) {
            json_t *o = json_loads(out, 0, NULL);
            char *txt = NULL;
            if (o && !json_object_set_new(o, "branch_deleted", json_false()) &&
                !json_object_set_new(o, "branch_delete_error", json_string(deny_msg)))
                txt = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            if (txt) {
                og_free(out);
                out = strdup(txt);
                free(txt);
                if (!out) rc = OG_DB_E_INVALID;
            }
        }
        answer(c, rc, out, true);
    }
    free(deny_msg);
    og_srv_release(c->q, c->q->body_len);
}

static void dispatch(op_ctx *c)
{
    og_req *q = c->q;
    const char *src, *name, *v;
    switch (q->route.id) {
    case OG_ROUTE_SNAPSHOT: simple(c, "read", 0); break;
    case OG_ROUTE_SCHEMA: simple(c, "read", 1); break;
    case OG_ROUTE_BRANCHES: simple(c, "read", 2); break;
    case OG_ROUTE_COMMITS: simple(c, "read", 3); break;
    case OG_ROUTE_COMMIT_SHOW: simple(c, "read", 4); break;
    case OG_ROUTE_QUERY:
    case OG_ROUTE_READ:
        if (!query_fields(c, q->route.id == OG_ROUTE_READ, &src, &name))
            do_read(c, src, name, q->route.id == OG_ROUTE_READ);
        break;
    case OG_ROUTE_MUTATE:
    case OG_ROUTE_CHANGE:
    case OG_ROUTE_MUTATE_IF: {
        const char *ifc = NULL;
        if (q->route.id == OG_ROUTE_MUTATE_IF && !(ifc = q->header(q->conn, "Omnigraph-If-Graph-Commit"))) {
            og_resp_error(c->r, 400, "bad_request", "missing header Omnigraph-If-Graph-Commit", NULL);
            break;
        }
        if (query_fields(c, false, &src, &name)) break;
        do_mutate(c, src, name, ifc);
        if (q->route.id == OG_ROUTE_CHANGE && c->r->status == 200) deprecate(c->r, "mutate");
        break;
    }
    case OG_ROUTE_QUERIES: do_queries(c); break;
    case OG_ROUTE_QUERY_INVOKE: do_invoke(c, false); break;
    case OG_ROUTE_QUERY_INVOKE_IF: do_invoke(c, true); break;
    case OG_ROUTE_LOAD_NDJSON: do_load(c, q->body ? q->body : "", q->body_len, qarg(q, "from"), qarg(q, "mode"), false); break;
    case OG_ROUTE_LOAD:
    case OG_ROUTE_INGEST: {
        const char *from, *mode;
        if (opt_str(c, "data", &v) || opt_str(c, "from", &from) || opt_str(c, "mode", &mode)) break;
        if (!v) { og_resp_error(c->r, 400, "bad_request", "missing field 'data'", NULL); break; }
        do_load(c, v, strlen(v), from, mode, q->route.id == OG_ROUTE_INGEST);
        break;
    }
    case OG_ROUTE_EXPORT: do_export(c); break;
    case OG_ROUTE_BRANCH_CREATE: do_branch(c, true); break;
    case OG_ROUTE_BRANCH_DELETE: do_branch(c, false); break;
    case OG_ROUTE_BRANCH_MERGE: do_merge(c); break;
    default: og_resp_error(c->r, 405, "method_not_allowed", "route not served by this server", NULL); break;
    }
}



/* The fields a route's JSON body may carry (the reference's request types,
 * their documented aliases included); NULL = no check. */
static const char *route_fields(og_route_id id)
{
    switch (id) {
    case OG_ROUTE_QUERY:
    case OG_ROUTE_READ: return "query, name, query_source, query_name, params, branch, snapshot";
    case OG_ROUTE_MUTATE:
    case OG_ROUTE_MUTATE_IF:
    case OG_ROUTE_CHANGE: return "query, name, query_source, query_name, params, branch";
    case OG_ROUTE_QUERY_INVOKE:
    case OG_ROUTE_QUERY_INVOKE_IF: return "params, branch, snapshot, expect_mutation";
    case OG_ROUTE_LOAD:
    case OG_ROUTE_INGEST: return "data, branch, from, mode";
    case OG_ROUTE_EXPORT: return "branch, type_names";
    case OG_ROUTE_BRANCH_CREATE: return "name, from";
    case OG_ROUTE_BRANCH_MERGE: return "source, target, delete_branch";
    default: return NULL;
    }
}

/* Unknown fields are a 400 naming the field and the expected ones. */
static int known_fields(op_ctx *c)
{
    const char *list = route_fields(c->q->route.id), *k;
    json_t *v;
    if (!list || !c->body) return 0;
    json_object_foreach(c->body, k, v) {
        size_t n = strlen(k);
        const char *p = list;
        bool ok = false;
        while (n && !ok && (p = strstr(p, k)) != NULL) {
            ok = (p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0');
            p += n;
        }
        if (!ok) {
            char msg[300];
            snprintf(msg, sizeof msg, "unknown field '%.100s' (expected %s)", k, list);
            og_resp_error(c->r, 400, "bad_request", msg, NULL);
            return -1;
        }
    }
    return 0;
}

void og_srv_graph_handle(og_req *q, og_resp *r)
{
    op_ctx c = {q, r, NULL, NULL};
    const og_route *rt = &q->route;
    if ((rt->flags & OG_RF_JSON_BODY) &&
        parse_body(&c, rt->id != OG_ROUTE_QUERY_INVOKE && rt->id != OG_ROUTE_QUERY_INVOKE_IF && rt->id != OG_ROUTE_EXPORT))
        goto done;
    if (known_fields(&c)) goto done;
    if (opt_str(&c, "branch", &c.branch)) goto done;
    if (!c.branch) c.branch = qarg(q, "branch");
    if (!c.branch || !*c.branch) c.branch = "main";
    dispatch(&c);
done:
    json_decref(c.body);
}
