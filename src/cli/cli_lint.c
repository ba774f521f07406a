/* cli_lint.c — `omnigraph lint` and its deprecated shims `check`,
 * `query lint`, `query check` (surface.md §2.11, §4.2); cli_query.c hands
 * `query lint|check` to cli_lint_shim.
 * (1) --schema <pg> --query <gq> [--json] lints offline; without --schema a
 *     graph target (positional URI or --store) lends its accepted schema
 *     (schema_source {kind: "graph", uri}). An http(s) target or --server
 *     is refused because lint is a direct (storage-native) command.
 * (2) Output: the human report (OK/ERROR/WARN/INFO lines) or the pretty JSON
 *     object {status, schema_source, query_path, ...} of the reference.
 * (3) Exit 0 unless the lint status is "error" (1); usage errors exit 2;
 *     unreadable files or a schema that does not compile exit 1. */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"
#include "base/file.h"
#include "args.h"
#include "cli.h"

static const cli_flag lint_flags[] = {
    {"schema", 0, true, false}, {"query", 0, true, false}, {"json", 0, false, false},
    {"store", 0, true, false}, {"server", 0, true, false}, {"graph", 0, true, false},
    {"profile", 0, true, false}, {"quiet", 0, false, false}, {"yes", 0, false, false},
    {"as", 0, true, false}, {"cluster", 0, true, false},
};

/* Reads a whole file; NULL with errno on failure. Caller frees. */
static char *read_file(const char *path, size_t *len)
{
    char *buf = NULL;
    return og_file_read(path, SIZE_MAX - 1, &buf, len) ? NULL : buf;
}

/* The accepted schema source of the graph at uri (malloc'd), or NULL after
 * printing the error. */
static char *graph_schema(const char *uri, size_t *len)
{
    og_db *db = NULL;
    char *out = NULL, *src = NULL;
    json_t *j = NULL;
    if (og_db_open(uri, OG_DB_READ_ONLY, &db) || og_db_schema_show(db, &out)) {
        fprintf(stderr, "error: %s\n", og_errmsg());
        goto done;
    }
    j = json_loads(out, 0, NULL);
    const char *s = json_string_value(json_object_get(j, "schema_source"));
    if (s && (src = strdup(s))) *len = strlen(src);
    else fprintf(stderr, "error: out of memory\n");
done:
    json_decref(j);
    og_free(out);
    og_db_close(db);
    return src;
}

static bool is_remote(const char *uri)
{
    return !strncmp(uri, "http://", 7) || !strncmp(uri, "https://", 8);
}

static const char *str_of(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void print_human(const json_t *r)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "results"), i, v) {
        const char *name = str_of(v, "name");
        size_t k;
        json_t *w;
        if (!strcmp(str_of(v, "status"), "ok"))
            printf("OK    query `%s` (%s)\n", name, str_of(v, "kind"));
        else
            printf("ERROR query `%s`: %s\n", name, str_of(v, "error"));
        json_array_foreach(json_object_get(v, "warnings"), k, w)
            printf("WARN  query `%s`: %s\n", name, json_string_value(w));
    }
    json_array_foreach(json_object_get(r, "findings"), i, v) {
        const char *sev = str_of(v, "severity");
        const char *label = !strcmp(sev, "error") ? "ERROR" : !strcmp(sev, "warning") ? "WARN "
                                                                                      : "INFO ";
        printf("%s %s\n", label, str_of(v, "message"));
    }
    printf("INFO  Lint complete: %lld queries processed (%lld error(s), %lld warning(s), "
           "%lld info item(s))\n",
           (long long)json_integer_value(json_object_get(r, "queries_processed")),
           (long long)json_integer_value(json_object_get(r, "errors")),
           (long long)json_integer_value(json_object_get(r, "warnings")),
           (long long)json_integer_value(json_object_get(r, "infos")));
}

/* Builds {status, schema_source, query_path, <rest of the API report>}. */
static json_t *full_report(const json_t *rep, const char *schema_path, const char *graph_uri,
                           const char *query_path)
{
    json_t *out = json_object(), *src = json_object();
    const char *k;
    json_t *v;
    if (!out || !src) { json_decref(out); json_decref(src); return NULL; }
    json_object_set(out, "status", json_object_get(rep, "status"));
    if (graph_uri) {
        json_object_set_new(src, "kind", json_string("graph"));
        json_object_set_new(src, "uri", json_string(graph_uri));
    } else {
        json_object_set_new(src, "kind", json_string("file"));
        json_object_set_new(src, "path", json_string(schema_path));
    }
    json_object_set_new(out, "schema_source", src);
    json_object_set_new(out, "query_path", json_string(query_path));
    json_object_foreach((json_t *)rep, k, v)
        if (strcmp(k, "status")) json_object_set(out, k, v);
    return out;
}

static int run_lint(int argc, char **argv)
{
    cli_args a;
    int code = 1;
    char *schema = NULL, *query = NULL, *json = NULL, *text = NULL;
    size_t schema_len = 0, query_len = 0;
    json_t *rep = NULL, *full = NULL;
    const char *schema_path, *query_path, *target;
    if (cli_args_parse(&a, lint_flags, sizeof lint_flags / sizeof lint_flags[0], argc, argv, 1)) {
        fprintf(stderr, "error: %s\n", a.err);
        return 2;
    }
    schema_path = cli_get(&a, "schema");
    query_path = cli_get(&a, "query");
    target = a.npos ? a.pos[0] : cli_get(&a, "store");
    if (a.npos > 1) {
        fprintf(stderr, "error: unexpected argument '%s'\n", a.pos[1]);
        return 2;
    }
    if (cli_has(&a, "server") || (target && is_remote(target))) {
        fprintf(stderr, "error: `lint` is a direct (storage-native) command and needs direct "
                        "storage access; it cannot run against a remote server (pass --schema "
                        "<schema.pg> to lint offline)\n");
        return 1;
    }
    if (!query_path) {
        fprintf(stderr, "error: lint requires --query <queries.gq>\n");
        return 2;
    }
    if (!schema_path && !target) {
        fprintf(stderr, "error: lint requires --schema <schema.pg> (no graph addressed)\n");
        return 1;
    }
    if (!schema_path) schema = graph_schema(target, &schema_len);
    else schema = read_file(schema_path, &schema_len);
    if (!schema && !schema_path) goto done;
    if (!schema) {
        fprintf(stderr, "error: cannot read schema file %s: %s\n", schema_path, strerror(errno));
        goto done;
    }
    query = read_file(query_path, &query_len);
    if (!query) {
        fprintf(stderr, "error: cannot read query file %s: %s\n", query_path, strerror(errno));
        goto done;
    }
    if (og_lint_sources(schema, schema_len, query, query_len, &json)) {
        fprintf(stderr, "error: %s\n", og_errmsg());
        goto done;
    }
    rep = json_loads(json, 0, NULL);
    if (!rep) { fprintf(stderr, "error: malformed lint report\n"); goto done; }
    if (cli_has(&a, "json")) {
        full = full_report(rep, schema_path, schema_path ? NULL : target, query_path);
        text = full ? json_dumps(full, JSON_INDENT(2)) : NULL;
        if (!text) { fprintf(stderr, "error: out of memory\n"); goto done; }
        printf("%s\n", text);
    } else {
        print_human(rep);
    }
    code = strcmp(str_of(rep, "status"), "error") ? 0 : 1;
done:
    fflush(stdout);
    free(text);
    json_decref(full);
    json_decref(rep);
    og_free(json);
    free(query);
    free(schema);
    return code;
}

int cli_lint(int argc, char **argv)
{
    return run_lint(argc, argv);
}

int cli_check(int argc, char **argv)
{
    fprintf(stderr, "warning: `omnigraph check` is deprecated; use `omnigraph lint`\n");
    return run_lint(argc, argv);
}

int cli_lint_shim(int argc, char **argv)
{
    fprintf(stderr, "warning: `omnigraph query %s` is deprecated; use `omnigraph lint`\n",
            argv[1]);
    return run_lint(argc - 1, argv + 1);
}
