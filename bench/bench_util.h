/* bench_util.h — what the benchmark programs share: a monotonic clock in
 * milliseconds and whole-file / line reads of the generated data. Benches
 * exit on any failure: they are programs, not library code. */
#ifndef OG_BENCH_UTIL_H
#define OG_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/file.h"

static inline double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The whole file, NUL-terminated; exits when it cannot be read. */
static inline char *slurp(const char *path, size_t *len)
{
    char *s = NULL;
    size_t n = 0;
    if (og_file_read(path, SIZE_MAX - 1, &s, &n)) {
        char msg[512];
        fprintf(stderr, "%s\n", og_error_format(msg, sizeof msg));
        exit(1);
    }
    if (len) *len = n;
    return s;
}

/* Non-empty lines of a file, each malloc'd; free with free_lines. */
static inline char **lines(const char *path, size_t *n)
{
    char *s = slurp(path, NULL);
    size_t cap = 1024, m = 0;
    char **v = malloc(cap * sizeof *v);
    for (char *p = strtok(s, "\n"); p; p = strtok(NULL, "\n")) {
        if (m == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[m++] = strdup(p);
    }
    free(s);
    *n = m;
    return v;
}

static inline void free_lines(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

#endif
