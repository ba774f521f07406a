/* cli.h — the verb table of the `omnigraph` CLI. Each handler gets argv
 * starting at the verb and returns the process exit code. */
#ifndef OG_CLI_H
#define OG_CLI_H

#include <stddef.h>

typedef struct cli_verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
    const char *group;     /* capability class (surface.md §4.1); NULL = hidden */
} cli_verb;

const cli_verb *cli_verbs(size_t *n);
int cli_version(int argc, char **argv);
int cli_help(int argc, char **argv);
int cli_lint(int argc, char **argv);       /* cli_lint.c */
int cli_check(int argc, char **argv);      /* deprecated shim of lint */
int cli_lint_shim(int argc, char **argv);  /* `query lint|check` (argv at "query") */
int cli_query(int argc, char **argv);      /* cli_query.c */
int cli_read(int argc, char **argv);       /* deprecated alias of query */
int cli_mutate(int argc, char **argv);
int cli_change(int argc, char **argv);     /* deprecated alias of mutate */
int cli_init(int argc, char **argv);       /* cli_init.c */
int cli_load(int argc, char **argv);       /* cli_load.c */
int cli_ingest(int argc, char **argv);     /* deprecated loader alias */
int cli_snapshot(int argc, char **argv);   /* cli_snapshot.c */
int cli_export(int argc, char **argv);     /* cli_export.c */
int cli_branch(int argc, char **argv);     /* cli_branch.c */
struct cli_args;
int cli_branch_merge(const struct cli_args *a); /* cli_merge.c: `branch merge` (parsed) */
int cli_commit(int argc, char **argv);     /* cli_commit.c */
int cli_schema(int argc, char **argv);     /* cli_schema.c */
int cli_optimize(int argc, char **argv);   /* cli_maint.c: guards only */
int cli_cleanup(int argc, char **argv);
int cli_graphs(int argc, char **argv);
int cli_repair(int argc, char **argv);     /* cli_repair.c */
int cli_changes(int argc, char **argv);    /* cli_changes.c */
/* {"kind":[..],"type":[..],"op":[..]} of --kind/--type/--op (malloc'd), or NULL (cli_commit.c). */
struct cli_args;
char *cli_change_filter_json(const struct cli_args *a);

#endif
