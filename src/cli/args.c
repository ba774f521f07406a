/* args.c — the CLI argv parser (see args.h). */
#include "args.h"

#include <stdio.h>
#include <string.h>

static int flag_index(const cli_args *a, const char *name, size_t n)
{
    for (size_t i = 0; i < a->nflags; i++)
        if (strlen(a->flags[i].name) == n && !strncmp(a->flags[i].name, name, n)) return (int)i;
    return -1;
}

static int short_index(const cli_args *a, char c)
{
    for (size_t i = 0; i < a->nflags; i++)
        if (a->flags[i].short_name == c) return (int)i;
    return -1;
}

static int record(cli_args *a, int fi, const char *val)
{
    const cli_flag *f = &a->flags[fi];
    if (a->seen[fi] && !f->repeat && !f->has_value) return 0; /* boolean repeated: fine */
    if (a->seen[fi] >= CLI_MAX_VALUES) {
        snprintf(a->err, sizeof a->err, "flag --%s given too many times", f->name);
        return -1;
    }
    if (f->has_value) a->values[fi][a->seen[fi]] = val;
    a->seen[fi]++;
    return 0;
}

int cli_args_parse(cli_args *a, const cli_flag *flags, size_t nflags,
                   int argc, char **argv, int start)
{
    memset(a, 0, sizeof *a);
    a->flags = flags;
    a->nflags = nflags < CLI_MAX_FLAGS ? nflags : CLI_MAX_FLAGS;
    bool only_pos = false;
    for (int i = start; i < argc; i++) {
        const char *w = argv[i];
        int fi = -1;
        const char *val = NULL;
        if (!only_pos && !strcmp(w, "--")) { only_pos = true; continue; }
        if (!only_pos && w[0] == '-' && w[1] == '-' && w[2]) {
            const char *name = w + 2;
            const char *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            fi = flag_index(a, name, n);
            if (fi < 0) {
                snprintf(a->err, sizeof a->err, "unexpected argument '--%.*s'", (int)n, name);
                return -1;
            }
            if (eq) {
                if (!flags[fi].has_value) {
                    snprintf(a->err, sizeof a->err, "flag --%s takes no value", flags[fi].name);
                    return -1;
                }
                val = eq + 1;
            }
        } else if (!only_pos && w[0] == '-' && w[1] && !w[2] && w[1] != '-') {
            fi = short_index(a, w[1]);
            if (fi < 0) {
                snprintf(a->err, sizeof a->err, "unexpected argument '%s'", w);
                return -1;
            }
        } else {
            if (a->npos >= CLI_MAX_POS) {
                snprintf(a->err, sizeof a->err, "too many arguments");
                return -1;
            }
            a->pos[a->npos++] = w;
            continue;
        }
        if (flags[fi].has_value && !val) {
            if (i + 1 >= argc) {
                snprintf(a->err, sizeof a->err, "flag --%s needs a value", flags[fi].name);
                return -1;
            }
            val = argv[++i];
        }
        if (record(a, fi, val)) return -1;
    }
    return 0;
}

bool cli_has(const cli_args *a, const char *name)
{
    int fi = flag_index(a, name, strlen(name));
    return fi >= 0 && a->seen[fi] > 0;
}

const char *cli_get(const cli_args *a, const char *name)
{
    int fi = flag_index(a, name, strlen(name));
    if (fi < 0 || !a->seen[fi] || !a->flags[fi].has_value) return NULL;
    return a->values[fi][a->seen[fi] - 1];
}

size_t cli_get_all(const cli_args *a, const char *name, const char ***out)
{
    int fi = flag_index(a, name, strlen(name));
    if (fi < 0 || !a->flags[fi].has_value) { *out = NULL; return 0; }
    *out = (const char **)a->values[fi];
    return a->seen[fi];
}
