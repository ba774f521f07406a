/* testutil.c — shared helpers for cmocka tests. */
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void og_test_fail_status(const char *expr, og_status rc, const char *file, int line)
{
    char msg[1024];
    og_error_format(msg, sizeof msg);
    print_error("%s:%d: %s returned %d (%s): %s\n", file, line, expr, rc,
                og_code_name((og_code)rc), msg);
    _fail(file, line);
}

char *og_test_tmpdir(const char *tag)
{
    const char *base = getenv("OG_TEST_TMP");
    if (!base || !*base) base = "/tmp";
    mkdir(base, 0755);
    size_t n = strlen(base) + strlen(tag) + 32;
    char *path = malloc(n);
    if (!path) return NULL;
    snprintf(path, n, "%s/og-%s-XXXXXX", base, tag);
    if (!mkdtemp(path)) { free(path); return NULL; }
    return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    remove(p);
    return 0;
}

void og_test_rmtree(const char *path)
{
    if (path) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
