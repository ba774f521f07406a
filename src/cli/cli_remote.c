/* cli_remote.c — the graph verbs over omnigraph-server (cli_remote.h). */
#include "cli_remote.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"

static char g_sentinel;
static bool g_active;
static char *g_base;    /* URL without trailing '/' */
static char *g_graph;   /* graph id (percent-encoded on use) */
static char *g_err;     /* last failure's message */
static char *g_conflict;/* last 409/412 body with a structured detail */

typedef struct hbuf {
    char *p;
    size_t len, cap;
} hbuf;

static size_t on_data(char *ptr, size_t sz, size_t n, void *ud)
{
    hbuf *b = ud;
    size_t add = sz * n;
    if (b->len + add + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 8192;
        while (nc < b->len + add + 1) nc *= 2;
        char *np = realloc(b->p, nc);
        if (!np) return 0;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, ptr, add);
    b->len += add;
    b->p[b->len] = '\0';
    return add;
}

static void set_err(const char *msg)
{
    free(g_err);
    g_err = strdup(msg);
}

static void reset(void)
{
    free(g_err);
    g_err = NULL;
    free(g_conflict);
    g_conflict = NULL;
}

int cli_remote_setup(const char *url, const char *graph)
{
    size_t n = strlen(url);
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
        cli_err("--server needs an http:// or https:// URL, not '%s'", url);
        return -1;
    }
    while (n && url[n - 1] == '/') n--;
    free(g_base);
    free(g_graph);
    g_base = strndup(url, n);
    g_graph = graph ? strdup(graph) : NULL;
    if (!g_base || (graph && !g_graph)) { cli_err("out of memory"); return -1; }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    g_active = true;
    return 0;
}

bool cli_remote_active(void) { return g_active; }
og_db *cli_remote_handle(void) { return (og_db *)(void *)&g_sentinel; }
const char *cli_remote_errmsg(void) { return g_err; }
static bool is_remote(const og_db *db) { return (const void *)db == (const void *)&g_sentinel; }

/* One request to g_base + path. Returns the HTTP status (body in *out,
 * NUL-terminated, caller frees) or -1 after set_err. */
static long http(const char *method, const char *path, const char *ctype, const char *body,
                 size_t blen, const char *extra_hdr, hbuf *out)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char *url = NULL, line[4200];
    long status = -1;
    const char *tok = getenv("OMNIGRAPH_BEARER_TOKEN");
    memset(out, 0, sizeof *out);
    if (!c || !(url = malloc(strlen(g_base) + strlen(path) + 1))) { set_err("out of memory"); goto done; }
    sprintf(url, "%s%s", g_base, path);
    if (tok && *tok) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", tok);
        h = curl_slist_append(h, line);
    }
    if (ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", ctype);
        h = curl_slist_append(h, line);
    }
    if (extra_hdr) h = curl_slist_append(h, extra_hdr);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    }
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        snprintf(line, sizeof line, "cannot reach server %s: %s", g_base, curl_easy_strerror(cc));
        set_err(line);
        goto done;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (!out->p && !(out->p = calloc(1, 1))) { set_err("out of memory"); status = -1; }
done:
    if (status < 0) { free(out->p); out->p = NULL; }
    curl_slist_free_all(h);
    if (c) curl_easy_cleanup(c);
    free(url);
    return status;
}

static int code_for(long status)
{
    switch (status) {
    case 404: return OG_DB_E_NOTFOUND;
    case 409: return OG_DB_E_CONFLICT;
    case 412: return OG_DB_E_PRECONDITION;
    case 413: return OG_DB_E_LIMIT;
    default: return OG_DB_E_INVALID;
    }
}

/* Turns a response into the og_db convention: 200 hands the body over,
 * anything else records the ErrorOutput and returns its code. */
static int finish(long status, hbuf *b, char **json_out)
{
    int rc;
    if (json_out) *json_out = NULL;
    if (status < 0) return OG_DB_E_INVALID;
    if (status == 200) {
        if (json_out) *json_out = b->p;
        else free(b->p);
        return OG_DB_OK;
    }
    json_t *e = json_loads(b->p, 0, NULL);
    const char *msg = json_string_value(json_object_get(e, "error"));
    char fallback[64];
    snprintf(fallback, sizeof fallback, "server answered HTTP %ld", status);
    set_err(msg ? msg : fallback);
    rc = code_for(status);
    if (e && (json_object_get(e, "manifest_conflict") || json_object_get(e, "precondition_failure"))) {
        g_conflict = b->p;
        b->p = NULL;
    }
    json_decref(e);
    free(b->p);
    return rc;
}

/* "/graphs/<id>" + suffix; resolves the only served graph when no --graph. */
static char *gpath(const char *suffix)
{
    char *esc = NULL, *p = NULL;
    CURL *c = curl_easy_init();
    if (!g_graph) {
        hbuf b;
        long st = http("GET", "/graphs", NULL, NULL, 0, NULL, &b);
        if (st == 403) {
            /* listing graphs is a server action few actors hold (§5.3) */
            finish(st, &b, NULL);
            set_err("the server does not let this actor list its graphs (graph_list), so the "
                    "graph cannot be picked for you: select one with --graph <id>");
            goto done;
        }
        if (st != 200) { finish(st, &b, NULL); goto done; }
        json_t *j = json_loads(b.p, 0, NULL);
        json_t *gs = json_object_get(j, "graphs");
        const char *id = json_string_value(json_object_get(json_array_get(gs, 0), "graph_id"));
        if (json_array_size(gs) == 1 && id) g_graph = strdup(id);
        else set_err("the server does not serve exactly one graph: select one with --graph <id>");
        json_decref(j);
        free(b.p);
        if (!g_graph) goto done;
    }
    esc = c ? curl_easy_escape(c, g_graph, 0) : NULL;
    if (esc && (p = malloc(strlen(esc) + strlen(suffix) + 10))) sprintf(p, "/graphs/%s%s", esc, suffix);
    if (!p) set_err("out of memory");
done:
    curl_free(esc);
    if (c) curl_easy_cleanup(c);
    return p;
}

/* Percent-encoded copy of v (curl_free), NULL on OOM. */
static char *esc(const char *v)
{
    CURL *c = curl_easy_init();
    char *e = c ? curl_easy_escape(c, v, 0) : NULL;
    if (c) curl_easy_cleanup(c);
    return e;
}

/* Appends "&k=v" (or "?k=v" first) with v percent-encoded; v NULL skips. */
static void qappend(char *dst, size_t cap, const char *k, const char *v)
{
    if (!v) return;
    char *e = esc(v);
    size_t n = strlen(dst);
    if (e) snprintf(dst + n, cap - n, "%c%s=%s", strchr(dst, '?') ? '&' : '?', k, e);
    curl_free(e);
}

static int get_json(const char *suffix, char **json_out)
{
    hbuf b;
    char *p = gpath(suffix);
    if (!p) { *json_out = NULL; return OG_DB_E_INVALID; }
    long st = http("GET", p, NULL, NULL, 0, NULL, &b);
    free(p);
    return finish(st, &b, json_out);
}

/* POST of a JSON object (consumed) to the graph route suffix. */
static int post_json(const char *method, const char *suffix, json_t *body, const char *extra_hdr,
                     char **json_out)
{
    hbuf b;
    int rc = OG_DB_E_INVALID;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    char *p = gpath(suffix);
    json_decref(body);
    if (json_out) *json_out = NULL;
    if (!p || (body && !text)) { if (p) set_err("out of memory"); goto done; }
    long st = http(method, p, text ? "application/json" : NULL, text, text ? strlen(text) : 0,
                   extra_hdr, &b);
    rc = finish(st, &b, json_out);
done:
    free(p);
    free(text);
    return rc;
}

static void put_str(json_t *o, const char *k, const char *v)
{
    if (v) json_object_set_new(o, k, json_string(v));
}

static int query_body(json_t **out, const char *src, size_t len, const char *name,
                      const char *params_json, const char *branch)
{
    json_t *o = json_object();
    *out = NULL;
    json_object_set_new(o, "query", json_stringn(src, len));
    put_str(o, "name", name);
    put_str(o, "branch", branch);
    if (params_json) {
        json_t *p = json_loads(params_json, 0, NULL);
        if (!json_is_object(p)) {
            json_decref(p);
            json_decref(o);
            set_err("--params must be a JSON object");
            return OG_DB_E_INVALID;
        }
        json_object_set_new(o, "params", p);
    }
    *out = o;
    return 0;
}

/* POST /queries/{name}[/if-graph-commit]: a stored query of the server. */
static int invoke(const char *name, const char *params_json, const char *branch,
                  const char *snapshot, const char *if_commit, bool mutation, char **json_out)
{
    json_t *o;
    char suffix[512], hdr[256];
    char *e = esc(name);
    *json_out = NULL;
    if (!e) { set_err("out of memory"); return OG_DB_E_INVALID; }
    snprintf(suffix, sizeof suffix, "/queries/%s%s", e, if_commit ? "/if-graph-commit" : "");
    curl_free(e);
    if (query_body(&o, "", 0, NULL, params_json, branch)) return OG_DB_E_INVALID;
    json_object_del(o, "query");
    put_str(o, "snapshot", snapshot);
    json_object_set_new(o, "expect_mutation", json_boolean(mutation));
    if (if_commit) snprintf(hdr, sizeof hdr, "Omnigraph-If-Graph-Commit: %s", if_commit);
    return post_json("POST", suffix, o, if_commit ? hdr : NULL, json_out);
}

void cli_db_close(og_db *db)
{
    if (is_remote(db)) return;
    if (db) cli_maint_before_close(db);
    og_db_close(db);
}

const char *cli_db_last_conflict_json(void)
{
    return g_active ? g_conflict : og_last_conflict_json();
}

int cli_db_query(og_db *db, const char *src, size_t len, const char *name, const char *params_json,
                 const char *branch, const char *snapshot, char **json_out)
{
    json_t *o;
    if (!is_remote(db)) return og_db_query(db, src, len, name, params_json, branch, snapshot, json_out);
    reset();
    *json_out = NULL;
    if (!src) return invoke(name, params_json, branch, snapshot, NULL, false, json_out);
    if (query_body(&o, src, len, name, params_json, branch)) return OG_DB_E_INVALID;
    put_str(o, "snapshot", snapshot);
    return post_json("POST", "/query", o, NULL, json_out);
}

int cli_db_mutate(og_db *db, const char *src, size_t len, const char *name, const char *params_json,
                  const char *branch, const char *if_commit, const char *actor, char **json_out)
{
    json_t *o;
    char hdr[256];
    if (!is_remote(db)) {
        int rc = og_db_mutate(db, src, len, name, params_json, branch, if_commit, actor, json_out);
        if (!rc) cli_maint_note_write(branch);
        return rc;
    }
    reset();
    *json_out = NULL;
    if (!src) return invoke(name, params_json, branch, NULL, if_commit, true, json_out);
    if (query_body(&o, src, len, name, params_json, branch)) return OG_DB_E_INVALID;
    if (if_commit) snprintf(hdr, sizeof hdr, "Omnigraph-If-Graph-Commit: %s", if_commit);
    return post_json("POST", if_commit ? "/mutate/if-graph-commit" : "/mutate", o,
                     if_commit ? hdr : NULL, json_out);
}

int cli_db_load(og_db *db, const char *branch, const char *from, const char *ndjson, size_t len,
                const char *mode, const char *actor, char **json_out)
{
    char suffix[1024] = "/load/ndjson";
    hbuf b;
    if (!is_remote(db)) {
        int rc = og_db_load(db, branch, from, ndjson, len, mode, actor, json_out);
        if (!rc) cli_maint_note_write(branch);
        return rc;
    }
    reset();
    *json_out = NULL;
    qappend(suffix, sizeof suffix, "branch", branch);
    qappend(suffix, sizeof suffix, "from", from);
    qappend(suffix, sizeof suffix, "mode", mode);
    char *p = gpath(suffix);
    if (!p) return OG_DB_E_INVALID;
    long st = http("POST", p, "application/x-ndjson", ndjson, len, NULL, &b);
    free(p);
    return finish(st, &b, json_out);
}

int cli_db_export(og_db *db, const char *branch, const char *const *types, size_t n,
                  og_db_export_fn cb, void *ud)
{
    char *out = NULL;
    if (!is_remote(db)) return og_db_export(db, branch, types, n, cb, ud);
    reset();
    json_t *o = json_object(), *tn = json_array();
    put_str(o, "branch", branch);
    for (size_t i = 0; i < n; i++) json_array_append_new(tn, json_string(types[i]));
    if (n) json_object_set(o, "type_names", tn);
    json_decref(tn);
    int rc = post_json("POST", "/export", o, NULL, &out);
    for (char *line = out; !rc && line && *line;) {
        char *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) : strlen(line);
        if (l && cb(ud, line, l)) { set_err("export stopped by caller"); rc = OG_DB_E_INVALID; }
        line = nl ? nl + 1 : line + l;
    }
    free(out);
    return rc;
}

int cli_db_snapshot(og_db *db, const char *branch, char **json_out)
{
    char suffix[512] = "/snapshot";
    if (!is_remote(db)) return og_db_snapshot(db, branch, json_out);
    reset();
    qappend(suffix, sizeof suffix, "branch", branch);
    return get_json(suffix, json_out);
}

int cli_db_branch_create(og_db *db, const char *name, const char *from, const char *actor,
                         char **json_out)
{
    if (!is_remote(db)) return og_db_branch_create(db, name, from, actor, json_out);
    reset();
    json_t *o = json_object();
    put_str(o, "name", name);
    put_str(o, "from", from);
    return post_json("POST", "/branches", o, NULL, json_out);
}

int cli_db_branch_list(og_db *db, char **json_out)
{
    if (!is_remote(db)) return og_db_branch_list(db, json_out);
    reset();
    return get_json("/branches", json_out);
}

int cli_db_branch_delete(og_db *db, const char *name, const char *actor, char **json_out)
{
    char suffix[512];
    if (!is_remote(db)) return og_db_branch_delete(db, name, actor, json_out);
    reset();
    char *e = esc(name);
    if (!e) { set_err("out of memory"); *json_out = NULL; return OG_DB_E_INVALID; }
    snprintf(suffix, sizeof suffix, "/branches/%s", e);
    curl_free(e);
    return post_json("DELETE", suffix, NULL, NULL, json_out);
}

int cli_db_commit_list(og_db *db, const char *branch, const char *actor_filter, char **json_out)
{
    char suffix[512] = "/commits";
    if (!is_remote(db)) return og_db_commit_list(db, branch, actor_filter, json_out);
    reset();
    qappend(suffix, sizeof suffix, "branch", branch);
    int rc = get_json(suffix, json_out);
    if (rc || !actor_filter) return rc;
    /* the route has no actor filter: apply it here */
    json_t *j = json_loads(*json_out, 0, NULL), *keep = json_array(), *c;
    size_t i;
    json_array_foreach(json_object_get(j, "commits"), i, c) {
        const char *a = json_string_value(json_object_get(c, "actor_id"));
        if (a && !strcmp(a, actor_filter)) json_array_append(keep, c);
    }
    json_object_set_new(j, "commits", keep);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) { set_err("out of memory"); rc = OG_DB_E_INVALID; }
    free(*json_out);
    *json_out = text;
    return rc;
}

int cli_db_commit_show(og_db *db, const char *commit_id, char **json_out)
{
    char suffix[512];
    if (!is_remote(db)) return og_db_commit_show(db, commit_id, json_out);
    reset();
    char *e = esc(commit_id);
    if (!e) { set_err("out of memory"); *json_out = NULL; return OG_DB_E_INVALID; }
    snprintf(suffix, sizeof suffix, "/commits/%s", e);
    curl_free(e);
    return get_json(suffix, json_out);
}

int cli_db_schema_show(og_db *db, char **json_out)
{
    if (!is_remote(db)) return og_db_schema_show(db, json_out);
    reset();
    return get_json("/schema", json_out);
}

int cli_remote_graphs(char **json_out)
{
    hbuf b;
    reset();
    long st = http("GET", "/graphs", NULL, NULL, 0, NULL, &b);
    return finish(st, &b, json_out);
}

int cli_db_branch_merge(og_db *db, const char *source, const char *target, const char *actor,
                        int delete_branch, char **json_out)
{
    if (!is_remote(db)) {
        int rc = og_db_branch_merge(db, source, target, actor, delete_branch, json_out);
        if (!rc) cli_maint_note_write(target && strcmp(target, "main") ? target : NULL);
        return rc;
    }
    reset();
    json_t *o = json_object();
    put_str(o, "source", source);
    put_str(o, "target", target);
    if (o && delete_branch) json_object_set_new(o, "delete_branch", json_true());
    return post_json("POST", "/branches/merge", o, NULL, json_out);
}

/* ---- commit changes, change feed, schema apply (schema helper) ---- */

/* Appends kind/type/op query parameters of a filter JSON object. */
static void qfilter(char *dst, size_t cap, const char *filter_json)
{
    static const char *const keys[] = {"kind", "type", "op"};
    json_t *f = filter_json ? json_loads(filter_json, 0, NULL) : NULL;
    for (size_t k = 0; f && k < 3; k++) {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(f, keys[k]), i, v) qappend(dst, cap, keys[k], json_string_value(v));
    }
    json_decref(f);
}

int cli_db_commit_changes(og_db *db, const char *commit_id, const char *filter_json, size_t limit,
                          const char *page_token, char **json_out)
{
    char suffix[4096], num[32];
    if (!is_remote(db)) return og_db_commit_changes(db, commit_id, filter_json, limit, page_token, json_out);
    reset();
    char *e = esc(commit_id);
    if (!e) { set_err("out of memory"); *json_out = NULL; return OG_DB_E_INVALID; }
    snprintf(suffix, sizeof suffix, "/commits/%s/changes", e);
    curl_free(e);
    qfilter(suffix, sizeof suffix, filter_json);
    snprintf(num, sizeof num, "%zu", limit);
    if (limit) qappend(suffix, sizeof suffix, "limit", num);
    qappend(suffix, sizeof suffix, "page_token", page_token);
    return get_json(suffix, json_out);
}

int cli_db_changes_poll(og_db *db, const char *branch, const char *cursor, const char *start,
                        const char *filter_json, size_t limit, char **json_out)
{
    char suffix[8192] = "/changes", num[32];
    if (!is_remote(db)) return og_db_changes_poll(db, branch, cursor, start, filter_json, limit, json_out);
    reset();
    qappend(suffix, sizeof suffix, "branch", branch);
    qappend(suffix, sizeof suffix, "cursor", cursor);
    qappend(suffix, sizeof suffix, "start", start);
    qfilter(suffix, sizeof suffix, filter_json);
    snprintf(num, sizeof num, "%zu", limit);
    if (limit) qappend(suffix, sizeof suffix, "limit", num);
    return get_json(suffix, json_out);
}

int cli_db_schema_apply(og_db *db, const char *schema_src, size_t len, int allow_data_loss, const char *actor,
                        char **json_out)
{
    if (!is_remote(db)) return og_db_schema_apply(db, schema_src, len, allow_data_loss, actor, json_out);
    reset();
    json_t *o = json_object();
    if (o) json_object_set_new(o, "schema_source", json_stringn(schema_src, len));
    if (o) json_object_set_new(o, "allow_data_loss", json_boolean(allow_data_loss));
    return post_json("POST", "/schema/apply", o, NULL, json_out);
}
