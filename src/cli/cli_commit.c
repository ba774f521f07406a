/* cli_commit.c — `omnigraph commit list [URI] [--branch B] [--json]` and
 * `commit show COMMIT_ID [--uri URI] [--json]` (surface.md §4.2, §6).
 * (1) list: newest first; human lines `<id> graph_branch=<b>
 *     graph_manifest_version=<n> [actor=<a>]`.
 * (2) show: CommitOutput with --json, else key: value lines.
 * (3) changes: `commit changes COMMIT_ID [--limit N] [--page-token T]
 *     [--kind K]... [--type T]... [--op O]...` (surface.md §6): the entity
 *     diff vs the first parent; all pages are fetched and joined unless
 *     --page-token is given (then one page, with next_page_token). Human:
 *     one `<op> <kind> <type> <id>` line per change. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag commit_flags[] = {
    {"uri", 0, true, false}, {"branch", 0, true, false}, {"json", 0, false, false},
    {"actor", 0, true, false}, {"type", 0, true, true}, {"kind", 0, true, true},
    {"op", 0, true, true}, {"limit", 0, true, false}, {"page-token", 0, true, false},
};

static void print_commit(const json_t *c)
{
    const char *b = json_string_value(json_object_get(c, "graph_branch"));
    const char *actor = json_string_value(json_object_get(c, "actor_id"));
    printf("%s graph_branch=%s graph_manifest_version=%lld",
           json_string_value(json_object_get(c, "graph_commit_id")), b ? b : "main",
           (long long)json_integer_value(json_object_get(c, "graph_manifest_version")));
    if (actor) printf(" actor=%s", actor);
    printf("\n");
}

/* {"kind":[..],"type":[..],"op":[..]} of the repeatable filter flags, or NULL. */
char *cli_change_filter_json(const cli_args *a)
{
    static const char *const keys[] = {"kind", "type", "op"};
    json_t *o = json_object();
    char *txt = NULL;
    for (size_t k = 0; o && k < 3; k++) {
        const char **vals = NULL;
        size_t n = cli_get_all(a, keys[k], &vals);
        if (!n) continue;
        json_t *arr = json_array();
        for (size_t i = 0; arr && i < n; i++) json_array_append_new(arr, json_string(vals[i]));
        json_object_set_new(o, keys[k], arr);
    }
    if (o && json_object_size(o)) txt = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return txt;
}

static int parse_limit(const cli_args *a, size_t *out)
{
    const char *l = cli_get(a, "limit");
    char *end = NULL;
    *out = 0;
    if (!l) return 0;
    unsigned long long v = strtoull(l, &end, 10);
    if (!*l || *end || l[0] == '-' || v == 0) { cli_err("--limit expects a positive integer, got '%s'", l); return -1; }
    *out = (size_t)v;
    return 0;
}

static void print_change(const json_t *c)
{
    printf("%s %s %s %s\n", json_string_value(json_object_get(c, "op")),
           json_string_value(json_object_get(c, "kind")),
           json_string_value(json_object_get(json_object_get(c, "type"), "name")),
           json_string_value(json_object_get(c, "id")));
}

static int cli_commit_changes(cli_args *a)
{
    int code = CLI_EXIT_ERR, rc;
    og_db *db = NULL;
    char *filter = NULL, *out = NULL;
    json_t *all = NULL, *page = NULL;
    size_t limit = 0;
    if (a->npos != 1) { cli_err("`commit changes` needs a commit id"); return CLI_EXIT_USAGE; }
    if (parse_limit(a, &limit)) return CLI_EXIT_USAGE;
    const char *uri = cli_target(a, "commit changes", NULL);
    if (!uri || !(db = cli_open(uri))) goto done;
    filter = cli_change_filter_json(a);
    const char *token = cli_get(a, "page-token");
    bool one_page = token != NULL;
    char *tok = token ? strdup(token) : NULL;
    for (;;) {
        rc = cli_db_commit_changes(db, a->pos[0], filter, limit, tok, &out);
        free(tok);
        tok = NULL;
        if (rc) { code = cli_fail(rc); goto done; }
        page = json_loads(out, 0, NULL);
        og_free(out);
        out = NULL;
        if (!page) { cli_err("unreadable commit changes output"); goto done; }
        if (!all) { all = page; page = NULL; }
        else json_array_extend(json_object_get(all, "changes"), json_object_get(page, "changes"));
        const json_t *src = page ? page : all;
        const char *next = json_string_value(json_object_get(src, "next_page_token"));
        if (one_page || !next) {
            if (page) {
                if (next) json_object_set(all, "next_page_token", json_object_get(page, "next_page_token"));
                else json_object_del(all, "next_page_token");
            }
            break;
        }
        tok = strdup(next);
        json_decref(page);
        page = NULL;
        if (!tok) { cli_err("out of memory"); goto done; }
    }
    if (!one_page) json_object_del(all, "next_page_token");
    if (cli_has(a, "json")) {
        char *txt = json_dumps(all, JSON_COMPACT);
        code = txt ? cli_print_json(txt) : CLI_EXIT_ERR;
        free(txt);
        goto done;
    }
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(all, "changes"), i, c) print_change(c);
    if (json_array_size(json_object_get(all, "changes")) == 0) printf("(no changes)\n");
    const char *next = json_string_value(json_object_get(all, "next_page_token"));
    if (next) printf("next_page_token: %s\n", next);
    code = CLI_EXIT_OK;
done:
    json_decref(page);
    json_decref(all);
    og_free(out);
    free(filter);
    cli_db_close(db);
    return code;
}

int cli_commit(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR, rc;
    og_db *db = NULL;
    json_t *j = NULL;
    const char *sub = argc >= 2 ? argv[1] : NULL;
    if (!sub || (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "changes"))) {
        cli_err("usage: omnigraph commit list|show|changes ...");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&a, commit_flags, sizeof commit_flags / sizeof commit_flags[0], argc, argv, 2))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    if (!strcmp(sub, "changes")) return cli_commit_changes(&a);
    bool list = !strcmp(sub, "list");
    if (!list && a.npos != 1) { cli_err("`commit show` needs a commit id"); return CLI_EXIT_USAGE; }
    const char *uri = cli_target(&a, "commit", list && a.npos ? a.pos[0] : NULL);
    if (!uri || !(db = cli_open_read(uri))) goto done;
    rc = list ? cli_db_commit_list(db, cli_get(&a, "branch"), cli_get(&a, "actor"), &out)
              : cli_db_commit_show(db, a.pos[0], &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    if (list) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(j, "commits"), i, c) print_commit(c);
    } else {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) {
            if (!strcmp(k, "graph_branch") && json_is_null(v)) printf("%s: main\n", k);
            else if (json_is_string(v)) printf("%s: %s\n", k, json_string_value(v));
            else if (json_is_integer(v)) printf("%s: %lld\n", k, (long long)json_integer_value(v));
        }
    }
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    return code;
}
