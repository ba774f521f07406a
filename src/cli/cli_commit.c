/* cli_commit.c — `omnigraph commit list [URI] [--branch B] [--json]` and
 * `commit show COMMIT_ID [--uri URI] [--json]` (surface.md §4.2, §6).
 * (1) list: newest first; human lines `<id> graph_branch=<b>
 *     graph_manifest_version=<n> [actor=<a>]`.
 * (2) show: CommitOutput with --json, else key: value lines.
 * (3) `commit changes` is recognised and refused as not supported yet. */
#include <jansson.h>
#include <stdio.h>
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
    if (!strcmp(sub, "changes")) {
        cli_err("`commit changes` is not supported yet");
        return CLI_EXIT_ERR;
    }
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
