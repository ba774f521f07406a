/* db.c — opening, creating and closing graphs through the public API, and
 * the shared JSON helpers (db_internal.h).
 * (1) URIs: a local path or file://path; s3:// and http(s):// fail with
 *     OG_E_UNSUPPORTED before anything is touched.
 * (2) og_db_open never creates a directory: a missing root is
 *     OG_E_NOTFOUND naming the URI.
 * (3) The conflict body of a lost write is kept per thread until the next
 *     og_db_* call that resets it.
 * (4) og_last_error_detail renders the structured detail the failing site
 *     recorded with the current error (graph/error_detail.h) into fixed
 *     thread-local storage: no message is parsed, nothing leaks. */
#include "db_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "graph/error_detail.h"
#include "store/store.h"

static _Thread_local char *g_conflict;
static _Thread_local char g_detail[2048];

const char *og_last_conflict_json(void) { return g_conflict; }

const char *og_last_error_detail(void)
{
    json_t *d = og_detail_json();
    size_t n = d ? json_dumpb(d, g_detail, sizeof g_detail - 1, JSON_COMPACT) : 0;
    json_decref(d);
    if (n == 0 || n >= sizeof g_detail) return NULL; /* none, or too large to render */
    g_detail[n] = '\0';
    return g_detail;
}

void og_api_conflict_reset(void)
{
    free(g_conflict);
    g_conflict = NULL;
}

void og_api_conflict_record(og_status rc, const og_graph_conflict *c)
{
    char msg[1024];
    json_t *body = NULL, *detail = NULL;
    og_api_conflict_reset();
    og_error_format(msg, sizeof msg);
    if (rc == OG_E_CONFLICT && c->kind == OG_GRAPH_CONFLICT_TABLE_VERSION && c->table_key) {
        detail = og_graph_conflict_to_json(c);
        og_error_set(OG_E_CONFLICT,
                     "manifest conflict: table_key %s expected version %llu, actual %llu "
                     "(a concurrent write won; retry): %s",
                     c->table_key, (unsigned long long)c->expected,
                     (unsigned long long)c->actual, msg);
        og_error_format(msg, sizeof msg);
        body = json_pack("{s:s, s:s}", "error", msg, "code", "conflict");
        if (body && detail) json_object_set(body, "manifest_conflict", detail);
    } else if (rc == OG_E_PRECONDITION && c->kind == OG_GRAPH_CONFLICT_HEAD_MOVED) {
        detail = json_object();
        if (detail) {
            json_object_set_new(detail, "expected", json_string(c->expected_head));
            json_object_set_new(detail, "actual", c->actual_head[0]
                                                      ? json_string(c->actual_head)
                                                      : json_null());
        }
        body = json_pack("{s:s}", "error", msg);
        if (body && detail) json_object_set(body, "precondition_failure", detail);
    } else if (rc == OG_E_CONFLICT) {
        body = json_pack("{s:s, s:s}", "error", msg, "code", "conflict");
    }
    if (body) g_conflict = json_dumps(body, JSON_COMPACT);
    json_decref(detail);
    json_decref(body);
}

og_status og_api_uri_path(const char *uri, char **out)
{
    *out = NULL;
    if (!uri || !*uri) return og_error_set(OG_E_INVALID, "no graph URI given");
    if (!strncmp(uri, "s3://", 5))
        return og_error_set(OG_E_UNSUPPORTED, "s3:// graph URIs are not supported yet: %s", uri);
    if (!strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8))
        return og_error_set(OG_E_UNSUPPORTED,
                            "a remote graph must be addressed with `--server <url>` "
                            "(served graphs are not supported yet): %s", uri);
    const char *p = uri;
    if (!strncmp(uri, "file://", 7)) p = uri + 7;
    if (!*p) return og_error_set(OG_E_INVALID, "empty path in graph URI %s", uri);
    *out = strdup(p);
    if (!*out) return og_error_set(OG_E_NOMEM, "out of memory");
    return OG_OK;
}

og_status og_api_dump(json_t *root, char **out)
{
    *out = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!*out) return og_error_set(OG_E_NOMEM, "out of memory rendering JSON output");
    return OG_OK;
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *og_api_commit_json(const og_graph_commit *c)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int bad = 0;
    bad |= json_object_set_new(o, "graph_commit_id", json_string(c->id));
    bad |= json_object_set_new(o, "graph_branch", str_or_null(c->branch));
    bad |= json_object_set_new(o, "graph_manifest_version",
                               json_integer((json_int_t)c->manifest_version));
    bad |= json_object_set_new(o, "parent_commit_id", str_or_null(c->parent));
    bad |= json_object_set_new(o, "merged_parent_commit_id", str_or_null(c->merged_parent));
    bad |= json_object_set_new(o, "actor_id", str_or_null(c->actor));
    bad |= json_object_set_new(o, "created_at", json_integer((json_int_t)c->created_at_us));
    if (bad) { json_decref(o); return NULL; }
    return o;
}

og_status og_api_commit_lookup(og_db *db, const char *id, json_t **out)
{
    og_graph_commit c;
    memset(&c, 0, sizeof c);
    *out = NULL;
    og_status rc = og_graph_commit_lookup(db->g, id, &c);
    if (rc) goto done;
    *out = og_api_commit_json(&c);
    if (!*out) rc = og_error_set(OG_E_NOMEM, "out of memory");
done:
    og_graph_commit_clear(&c);
    return rc;
}

static bool dir_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int og_db_init(const char *uri, const char *schema_src, size_t len, int force,
               const char *actor)
{
    og_status rc;
    char *path = NULL;
    og_store *st = NULL;
    og_error_clear();
    og_api_conflict_reset();
    if (!schema_src) { rc = og_error_set(OG_E_INVALID, "og_db_init: schema text is required"); goto done; }
    rc = og_api_uri_path(uri, &path);
    if (rc) goto done;
    rc = og_store_fs_open(path, true, &st);
    if (rc) { og_error_context(rc, "graph root %s", uri); goto done; }
    rc = og_graph_init(st, schema_src, len, force != 0, actor);
    if (rc == OG_E_EXISTS && force) {
        char msg[512];
        og_error_format(msg, sizeof msg);
        rc = og_error_set(OG_E_EXISTS, "force init refuses graph root %s: %s", uri, msg);
    }
done:
    og_store_close(st);
    free(path);
    return rc;
}

int og_db_refresh(og_db *db)
{
    og_error_clear();
    if (!db) return og_error_set(OG_E_INVALID, "og_db_refresh: no graph handle");
    return og_graph_refresh(db->g);
}

int og_db_open(const char *uri, unsigned flags, og_db **out)
{
    og_status rc;
    char *path = NULL;
    og_store *st = NULL;
    og_db *db = NULL;
    og_error_clear();
    og_api_conflict_reset();
    *out = NULL;
    rc = og_api_uri_path(uri, &path);
    if (rc) goto done;
    if (!dir_exists(path)) {
        rc = og_error_set(OG_E_NOTFOUND, "graph not found at %s: %s", uri, strerror(ENOENT));
        goto done;
    }
    db = calloc(1, sizeof *db);
    if (!db || !(db->uri = strdup(uri))) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = og_store_fs_open(path, false, &st);
    if (rc) { og_error_context(rc, "graph root %s", uri); goto done; }
    rc = og_graph_open(st, (flags & OG_DB_READ_ONLY) ? OG_GRAPH_RO : OG_GRAPH_RW, &db->g);
    st = NULL; /* owned by the graph now, or released by the failed open */
    if (rc) { og_error_context(rc, "graph %s", uri); goto done; }
    *out = db;
    db = NULL;
done:
    og_store_close(st);
    og_db_close(db);
    free(path);
    return rc;
}

void og_db_close(og_db *db)
{
    if (!db) return;
    og_db_qcache_free(db);
    og_graph_close(db->g);
    free(db->uri);
    free(db);
}

const char *og_db_uri(const og_db *db) { return db->uri; }

void og_api_conflict_set_body(json_t *body)
{
    og_api_conflict_reset();
    if (body) g_conflict = json_dumps(body, JSON_COMPACT);
    json_decref(body);
}
