/* cli.h — the verb table of the `omnigraph` CLI. Each handler gets argv
 * starting at the verb and returns the process exit code. */
#ifndef OG_CLI_H
#define OG_CLI_H

#include <stddef.h>

typedef struct cli_verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} cli_verb;

const cli_verb *cli_verbs(size_t *n);
int cli_version(int argc, char **argv);
int cli_help(int argc, char **argv);
int cli_lint(int argc, char **argv);   /* cli_lint.c */
int cli_check(int argc, char **argv);  /* deprecated shim of lint */
int cli_query(int argc, char **argv);  /* only `query lint|check` so far */

#endif
