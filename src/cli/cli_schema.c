/* cli_schema.c — `omnigraph schema show|get [URI] [--json]` (surface.md
 * §4.2): the accepted .pg source ({schema_source} with --json).
 * (1) `schema plan` / `schema apply` are recognised and refused as not
 *     supported yet. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag schema_flags[] = {
    {"json", 0, false, false}, {"schema", 0, true, false}, {"allow-data-loss", 0, false, false},
    {"uri", 0, true, false},
};

int cli_schema(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    const char *sub = argc >= 2 ? argv[1] : NULL;
    if (!sub || (strcmp(sub, "show") && strcmp(sub, "get") && strcmp(sub, "plan") &&
                 strcmp(sub, "apply"))) {
        cli_err("usage: omnigraph schema show|plan|apply ...");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&a, schema_flags, sizeof schema_flags / sizeof schema_flags[0], argc, argv, 2))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    if (!strcmp(sub, "plan") && cli_has(&a, "server")) {
        cli_err("`schema plan` is a direct (storage-native) command; --server addresses a served "
                "graph and does not apply. Pass a storage URI.");
        return CLI_EXIT_ERR;
    }
    if (!strcmp(sub, "plan") || !strcmp(sub, "apply")) {
        cli_err("`schema %s` is not supported yet", sub);
        return CLI_EXIT_ERR;
    }
    const char *uri = cli_target(&a, "schema show", a.npos ? a.pos[0] : NULL);
    if (!uri || !(db = cli_open(uri))) goto done;
    int rc = cli_db_schema_show(db, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    const char *src = json_string_value(json_object_get(j, "schema_source"));
    fputs(src ? src : "", stdout);
    if (src && *src && src[strlen(src) - 1] != '\n') fputc('\n', stdout);
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    return code;
}
