/* fuzz_store_key.c — key and prefix validation never crash, and agree with
 * a plain model of the rules (store.h (1)):
 * - a key is valid iff 1..1024 bytes, no NUL, no leading '/', and every
 *   '/'-separated component is non-empty, not "." or "..", and does not
 *   start with ".og";
 * - every leading part of a valid key is a valid prefix. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static int model_valid(const uint8_t *d, size_t n)
{
    if (n == 0 || n > OG_STORE_KEY_MAX || memchr(d, 0, n) || d[0] == '/') return 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && d[i] != '/') continue;
        size_t len = i - start;
        const uint8_t *c = d + start;
        if (len == 0) return 0;
        if (len == 1 && c[0] == '.') return 0;
        if (len == 2 && c[0] == '.' && c[1] == '.') return 0;
        if (len >= 3 && c[0] == '.' && c[1] == 'o' && c[2] == 'g') return 0;
        start = i + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_status rc = og_store_key_validate((const char *)data, size);
    int valid = model_valid(data, size);
    if ((rc == OG_OK) != valid) abort();
    if (rc != OG_OK && rc != OG_E_INVALID) abort();
    if (size > 2 * OG_STORE_KEY_MAX) return 0;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    /* the prefix check runs on the C string up to the first NUL */
    rc = og_store_prefix_validate(s);
    if (rc != OG_OK && rc != OG_E_INVALID) abort();
    if (valid) {
        for (size_t i = 0; i <= size; i += 1 + size / 64) {
            char save = s[i];
            s[i] = 0;
            if (og_store_prefix_validate(s) != OG_OK) abort();
            s[i] = save;
        }
    }
    free(s);
    return 0;
}
