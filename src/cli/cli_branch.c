/* cli_branch.c — `omnigraph branch create|list|delete` (surface.md §4.2,
 * §6).
 * (1) The graph is --uri (or --store / config); create takes NAME and
 *     --from (default main); delete takes NAME.
 * (2) --json prints BranchCreateOutput / {branches} / {uri, name}; human
 *     output is one line (list: one branch per line).
 * (3) `branch merge` is recognised and refused as not supported yet. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag branch_flags[] = {
    {"uri", 0, true, false}, {"from", 0, true, false}, {"json", 0, false, false},
    {"into", 0, true, false}, {"delete-branch", 0, false, false},
};

int cli_branch(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR, rc = 0;
    og_db *db = NULL;
    json_t *j = NULL;
    const char *sub = argc >= 2 ? argv[1] : NULL;
    if (!sub || (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "delete") &&
                 strcmp(sub, "merge"))) {
        cli_err("usage: omnigraph branch create|list|delete|merge ...");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&a, branch_flags, sizeof branch_flags / sizeof branch_flags[0], argc, argv, 2))
        return CLI_EXIT_USAGE;
    size_t want = strcmp(sub, "list") ? 1 : 0;
    if (a.npos != want) {
        if (a.npos > want) cli_err("unexpected argument '%s'", a.pos[want]);
        else cli_err("`branch %s` needs a branch name", sub);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(sub, "merge")) {
        if (!strcmp(a.pos[0], cli_get(&a, "into") ? cli_get(&a, "into") : "main")) {
            cli_err("branch merge needs distinct source and target branches");
            return CLI_EXIT_ERR;
        }
        if (!strncmp(a.pos[0], "__", 2)) {
            cli_err("branch merge refuses internal system refs ('%s')", a.pos[0]);
            return CLI_EXIT_ERR;
        }
        cli_err("`branch merge` is not supported yet");
        return CLI_EXIT_ERR;
    }
    const char *uri = cli_target(&a, "branch", NULL);
    if (!uri) goto done;
    if (!strcmp(sub, "delete") && !cli_confirm_destructive(&a, "branch delete", uri)) goto done;
    if (strcmp(sub, "list")) cli_echo_write(&a, !strcmp(sub, "create") ? "branch create"
                                                                        : "branch delete", uri);
    if (!(db = strcmp(sub, "list") ? cli_open(uri) : cli_open_read(uri))) goto done;
    if (!strcmp(sub, "create"))
        rc = cli_db_branch_create(db, a.pos[0], cli_get(&a, "from"), cli_actor(&a), &out);
    else if (!strcmp(sub, "delete"))
        rc = cli_db_branch_delete(db, a.pos[0], cli_actor(&a), &out);
    else
        rc = cli_db_branch_list(db, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    if (!strcmp(sub, "create")) {
        printf("created branch %s from %s\n", json_string_value(json_object_get(j, "name")),
               json_string_value(json_object_get(j, "from")));
    } else if (!strcmp(sub, "delete")) {
        printf("deleted branch %s\n", json_string_value(json_object_get(j, "name")));
    } else {
        size_t i;
        json_t *b;
        json_array_foreach(json_object_get(j, "branches"), i, b) printf("%s\n", json_string_value(b));
    }
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    return code;
}
