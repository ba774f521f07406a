/* file.c — whole-file reads (see file.h). */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

og_status og_file_read(const char *path, size_t max, char **out, size_t *len)
{
    og_status rc = OG_OK;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int err = 0;
    FILE *f = fopen(path, "rb");
    *out = NULL;
    *len = 0;
    if (!f) {
        err = errno;
        rc = og_error_set(err == ENOENT ? OG_E_NOTFOUND : OG_E_CONFIG,
                          "cannot read '%s': %s", path, strerror(err));
        goto done;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, ncap);
            if (!nb) { err = ENOMEM; rc = og_error_set(OG_E_NOMEM, "out of memory reading '%s'", path); goto done; }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) {
            err = EFBIG;
            rc = og_error_set(OG_E_LIMIT, "'%s' is larger than %zu bytes", path, max);
            goto done;
        }
        if (got == 0) {
            if (ferror(f)) {
                err = EIO;
                rc = og_error_set(OG_E_CONFIG, "cannot read '%s': %s", path, strerror(err));
                goto done;
            }
            break;
        }
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    buf = NULL;
done:
    free(buf);
    if (f) fclose(f);
    if (rc) errno = err;
    return rc;
}
