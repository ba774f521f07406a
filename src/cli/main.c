/* main.c — the `omnigraph` command line: parses the verb and dispatches to
 * one handler per verb (cli_<verb>.c). Exit codes follow surface.md §4.4:
 * 0 success, 1 any error (message on stderr), 2 usage error. */
#include <stdio.h>
#include <string.h>

#include "omnigraph.h"
#include "cli.h"

static const cli_verb verbs[] = {
    {"version", cli_version, "print the version and the internal schema version"},
    {"help", cli_help, "list the commands"},
    {"lint", cli_lint, "check a .gq file against a schema (--schema S.pg --query Q.gq [--json])"},
    {"check", cli_check, "deprecated: use `lint`"},
    {"query", cli_query, "run a query (so far only the deprecated `query lint`)"},
};

const cli_verb *cli_verbs(size_t *n)
{
    *n = sizeof verbs / sizeof verbs[0];
    return verbs;
}

int cli_version(int argc, char **argv)
{
    (void)argc; (void)argv;
    printf("omnigraph %s\ninternal-schema %d\n", og_version(), og_internal_schema_version());
    return 0;
}

int cli_help(int argc, char **argv)
{
    (void)argc; (void)argv;
    size_t n;
    const cli_verb *v = cli_verbs(&n);
    printf("usage: omnigraph <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < n; i++) printf("  %-10s %s\n", v[i].name, v[i].help);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help(0, NULL);
        return 2;
    }
    const char *verb = argv[1];
    if (!strcmp(verb, "--version") || !strcmp(verb, "-V")) verb = "version";
    if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) verb = "help";
    size_t n;
    const cli_verb *v = cli_verbs(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, verb)) return v[i].run(argc - 1, argv + 1);
    fprintf(stderr, "error: unknown command `%s`; run `omnigraph help`\n", argv[1]);
    return 2;
}
