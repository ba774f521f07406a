/* cli_export.c — `omnigraph export [URI] [--branch B] [--type T]...`
 * (surface.md §3.7): one branch's current state as NDJSON on stdout.
 * (1) --jsonl is accepted and ignored (hidden in the reference: NDJSON is
 *     the only export format). */
#include <stdio.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag export_flags[] = {
    {"branch", 0, true, false}, {"type", 0, true, true}, {"jsonl", 0, false, false},
};

static int write_line(void *ud, const char *line, size_t len)
{
    FILE *f = ud;
    if (fwrite(line, 1, len, f) != len || fputc('\n', f) == EOF) return -1;
    return 0;
}

int cli_export(int argc, char **argv)
{
    cli_args a;
    const char **types = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    if (cli_parse(&a, export_flags, sizeof export_flags / sizeof export_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    const char *uri = cli_target(&a, "export", a.npos ? a.pos[0] : NULL);
    if (!uri || !(db = cli_open_read(uri))) goto done;
    size_t nt = cli_get_all(&a, "type", &types);
    int rc = cli_db_export(db, cli_get(&a, "branch"), (const char *const *)types, nt, write_line,
                          stdout);
    if (rc) { code = cli_fail(rc); goto done; }
    code = fflush(stdout) ? CLI_EXIT_ERR : CLI_EXIT_OK;
done:
    cli_db_close(db);
    return code;
}
