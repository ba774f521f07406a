/* main.c — the `omnigraph` command line: parses the verb and dispatches to
 * one handler per verb family (cli_<verb>.c). Exit codes follow
 * surface.md §4.4: 0 success, 1 any error (message on stderr), 2 usage
 * error, 4 lost --if-commit.
 * (1) Global flags (§4.1) given before the verb are moved after it (before
 *     any `--`), so every handler sees them in its own argv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnigraph.h"
#include "base/failpoint.h"
#include "base/log.h"
#include "cli.h"

static const cli_verb verbs[] = {
    {"query", cli_query, "run a read query (--query F.gq | -e GQ) [--format ...]", "any"},
    {"mutate", cli_mutate, "run a mutation as one commit [--if-commit ID]", "any"},
    {"load", cli_load, "bulk-load NDJSON --data F --mode overwrite|append|merge", "any"},
    {"branch", cli_branch, "create | list | delete branches", "any"},
    {"snapshot", cli_snapshot, "show a branch head's datasets [--branch B]", "any"},
    {"export", cli_export, "stream a branch as NDJSON [--type T]...", "any"},
    {"commit", cli_commit, "list | show graph commits", "any"},
    {"schema", cli_schema, "show the accepted schema", "any"},
    {"init", cli_init, "create a graph: --schema S.pg URI", "direct"},
    {"lint", cli_lint, "check a .gq file against a schema (--schema S.pg --query Q.gq)", "direct"},
    {"optimize", cli_optimize, "compact the tables of a branch (one commit)", "direct"},
    {"repair", cli_repair, "classify and publish manifest/table drift [--confirm [--force]]", "direct"},
    {"cleanup", cli_cleanup, "version garbage collection (--keep N / --older-than DUR, --confirm)", "direct"},
    {"graphs", cli_graphs, "list the graphs of a server (--server URL)", "served"},
    {"cluster", NULL, "cluster control plane (not supported yet)", "control"},
    {"version", cli_version, "print the version and the internal schema version", "local"},
    {"help", cli_help, "list the commands", "local"},
    {"read", cli_read, "deprecated: use `query`", NULL},
    {"change", cli_change, "deprecated: use `mutate`", NULL},
    {"check", cli_check, "deprecated: use `lint`", NULL},
    {"ingest", cli_ingest, "deprecated: use `load --mode merge`", NULL},
    {"changes", cli_changes, "change feed: poll [--cursor C | --start now|beginning|after:ID] | baseline --out F", "any"},
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
    static const char *const groups[] = {"any", "served", "direct", "control", "local"};
    static const char *const titles[] = {"served or direct", "served only", "direct storage only",
                                         "control plane", "local"};
    size_t n;
    const cli_verb *v = cli_verbs(&n);
    printf("usage: omnigraph [--as ACTOR] [--store URI] [--quiet] [--no-auto-maintenance] <command> [options]\n\n"
           "COMMANDS BY CAPABILITY\n");
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        printf("\n  %s:\n", titles[g]);
        for (size_t i = 0; i < n; i++)
            if (v[i].group && !strcmp(v[i].group, groups[g]))
                printf("    %-10s %s\n", v[i].name, v[i].help);
    }
    return 0;
}

/* Global flags and whether they take a value. */
static int global_arity(const char *w)
{
    static const char *const with_value[] = {"--as", "--server", "--graph", "--profile",
                                             "--store", "--cluster"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++) {
        size_t l = strlen(with_value[i]);
        if (!strncmp(w, with_value[i], l) && (w[l] == 0 || w[l] == '=')) return w[l] ? 1 : 2;
    }
    if (!strcmp(w, "--yes") || !strcmp(w, "--quiet") || !strcmp(w, "--no-auto-maintenance")) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int i = 1, code;
    /* Warnings (e.g. a sidecar left after a landed write) go to stderr;
     * OMNIGRAPH_LOG sets the level, OMNIGRAPH_FAILPOINTS arms crash points
     * for end-to-end crash tests. */
    og_log_set_sink(og_log_stderr_sink, NULL);
    og_log_init_from_env();
    if (og_failpoint_init_env()) {
        char msg[512];
        fprintf(stderr, "error: %s\n", og_error_format(msg, sizeof msg));
        return 2;
    }
    if (argc < 2) {
        cli_help(0, NULL);
        return 2;
    }
    while (i < argc && global_arity(argv[i])) {
        int k = global_arity(argv[i]);
        if (i + k > argc) {
            fprintf(stderr, "error: flag %s needs a value\n", argv[i]);
            return 2;
        }
        i += k;
    }
    if (i >= argc) {
        fprintf(stderr, "error: no command given; run `omnigraph help`\n");
        return 2;
    }
    const char *verb = argv[i];
    if (!strcmp(verb, "--version") || !strcmp(verb, "-V") || !strcmp(verb, "-v")) {
        printf("omnigraph %s\n", og_version());
        return 0;
    }
    if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) verb = "help";
    /* new argv: verb, rest up to "--", moved globals, the rest */
    char **nv = calloc((size_t)argc + 1, sizeof *nv);
    if (!nv) { fprintf(stderr, "error: out of memory\n"); return 1; }
    int nn = 0, dd = argc;
    nv[nn++] = argv[i];
    for (int k = i + 1; k < argc; k++) if (!strcmp(argv[k], "--")) { dd = k; break; }
    for (int k = i + 1; k < dd; k++) nv[nn++] = argv[k];
    for (int k = 1; k < i; k++) nv[nn++] = argv[k];
    for (int k = dd; k < argc; k++) nv[nn++] = argv[k];
    size_t n;
    const cli_verb *v = cli_verbs(&n);
    code = -1;
    for (size_t j = 0; j < n; j++) {
        if (strcmp(v[j].name, verb)) continue;
        if (!v[j].run) {
            fprintf(stderr, "error: `omnigraph %s` is not supported yet\n", verb);
            code = 1;
        } else {
            code = v[j].run(nn, nv);
        }
        break;
    }
    if (code < 0) {
        fprintf(stderr, "error: unknown command `%s`; run `omnigraph help`\n", argv[i]);
        code = 2;
    }
    free(nv);
    fflush(stdout);
    return code;
}
