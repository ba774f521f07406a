/* cli_init.c — `omnigraph init --schema <pg> <URI> [--force]` (surface.md
 * §4.2): creates an empty graph with one genesis commit.
 * (1) init is a direct (storage-native) command: the graph is its
 *     positional URI; --store, --profile, --server, --cluster and --graph
 *     do not apply and fail loudly. No --json. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag init_flags[] = {
    {"schema", 0, true, false}, {"force", 0, false, false},
};

int cli_init(int argc, char **argv)
{
    cli_args a;
    char *schema = NULL;
    size_t len = 0;
    int code = CLI_EXIT_ERR;
    static const char *const misplaced[] = {"store", "profile", "server", "cluster", "graph"};
    if (cli_parse(&a, init_flags, sizeof init_flags / sizeof init_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    for (size_t i = 0; i < sizeof misplaced / sizeof misplaced[0]; i++) {
        if (cli_has(&a, misplaced[i])) {
            cli_err("`init` is a direct (storage-native) command that creates the graph at its "
                    "positional URI; --%s does not apply.", misplaced[i]);
            return CLI_EXIT_ERR;
        }
    }
    if (a.npos != 1) {
        cli_err(a.npos ? "unexpected argument '%s'" : "init needs the graph URI%s",
                a.npos ? a.pos[1] : "");
        return CLI_EXIT_USAGE;
    }
    if (!cli_get(&a, "schema")) {
        cli_err("init requires --schema <schema.pg>");
        return CLI_EXIT_USAGE;
    }
    schema = cli_read_file("schema", cli_get(&a, "schema"), &len);
    if (!schema) goto done;
    int rc = og_db_init(a.pos[0], schema, len, cli_has(&a, "force"), cli_actor(&a));
    if (rc) { code = cli_fail(rc); goto done; }
    printf("initialized %s\n", a.pos[0]);
    code = CLI_EXIT_OK;
done:
    free(schema);
    return code;
}
