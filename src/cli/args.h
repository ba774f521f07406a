/* args.h — a small argv parser for the CLI verbs.
 * (1) A verb declares its flags (name, takes a value, may repeat); the parser
 *     accepts them anywhere after the verb (`--flag value` or `--flag=value`),
 *     collects the rest as positionals, and stops treating words as flags
 *     after `--`.
 * (2) Unknown flags and missing values are usage errors with a message that
 *     names the flag (surface.md §4.1: flags not applicable to a verb fail
 *     loudly). */
#ifndef OG_CLI_ARGS_H
#define OG_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_MAX_FLAGS 32
#define CLI_MAX_VALUES 16
#define CLI_MAX_POS 16

typedef struct cli_flag {
    const char *name;      /* long name without dashes, e.g. "schema" */
    char short_name;       /* 0 or e.g. 'e' */
    bool has_value;
    bool repeat;           /* may appear several times */
} cli_flag;

typedef struct cli_args {
    const cli_flag *flags;
    size_t nflags;
    /* per declared flag: how often seen and its values */
    unsigned seen[CLI_MAX_FLAGS];
    const char *values[CLI_MAX_FLAGS][CLI_MAX_VALUES];
    const char *pos[CLI_MAX_POS];
    size_t npos;
    char err[256];
} cli_args;

/* Parses argv[start..argc). Returns 0, or -1 with a->err set. */
int cli_args_parse(cli_args *a, const cli_flag *flags, size_t nflags,
                   int argc, char **argv, int start);
bool cli_has(const cli_args *a, const char *name);
/* Last value of a flag, or NULL. */
const char *cli_get(const cli_args *a, const char *name);
/* All values of a repeatable flag. */
size_t cli_get_all(const cli_args *a, const char *name, const char ***out);

#endif
