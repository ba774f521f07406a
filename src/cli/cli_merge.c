/* cli_merge.c — `omnigraph branch merge SOURCE [--into TARGET]
 * [--delete-branch] [--uri URI] [--json]` (surface.md §4.2, §6).
 * (1) The target defaults to main; source == target and internal refs are
 *     refused before the graph is opened.
 * (2) --json prints the merge output ({source, target, outcome, ...});
 *     human output is one line "merged S into T: <outcome>".
 * (3) A --delete-branch that could not delete the source is a warning on
 *     stderr ("could not delete branch 'S': ..."), exit 0.
 * (4) Conflicts fail (exit 1) with the message listing them. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

int cli_branch_merge(const cli_args *a)
{
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    const char *src = a->pos[0], *into = cli_get(a, "into") ? cli_get(a, "into") : "main";
    if (!strcmp(src, into)) {
        cli_err("branch merge needs distinct source and target branches");
        return CLI_EXIT_ERR;
    }
    if (!strncmp(src, "__", 2) || !strncmp(into, "__", 2)) {
        cli_err("branch merge refuses internal system refs ('%s')", !strncmp(src, "__", 2) ? src : into);
        return CLI_EXIT_ERR;
    }
    const char *uri = cli_target(a, "branch", NULL);
    if (!uri) goto done;
    cli_echo_write(a, "branch merge", uri);
    if (!(db = cli_open(uri))) goto done;
    int rc = cli_db_branch_merge(db, src, into, cli_actor(a), cli_has(a, "delete-branch"), &out);
    if (rc) { code = cli_fail(rc); goto done; }
    j = json_loads(out, 0, NULL);
    json_t *err = json_object_get(j, "branch_delete_error");
    if (json_is_string(err)) fprintf(stderr, "warning: could not delete branch '%s': %s\n", src, json_string_value(err));
    if (cli_has(a, "json")) { code = cli_print_json(out); goto done; }
    printf("merged %s into %s: %s\n", src, into, json_string_value(json_object_get(j, "outcome")));
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    return code;
}
