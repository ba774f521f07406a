/* fuzz_change_cursor.c — the change-feed cursor reader
 * (og_change_cursor_decode, graph/changes.h (6)) on arbitrary text.
 * (1) It never crashes, leaks or trips a sanitizer, whatever the input.
 * (2) What decodes re-encodes to a cursor that decodes to the same fields
 *     (the encoder's output is a fixpoint of decode + encode). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "graph/changes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    og_change_cursor c, d;
    og_buf b = OG_BUF_INIT;
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (og_change_cursor_decode(text, "D", &c) == OG_OK) {
        if (og_change_cursor_encode(&c, "D", &b) != OG_OK) abort();
        if (og_change_cursor_decode(og_buf_cstr(&b), "D", &d) != OG_OK) abort();
        if (strcmp(c.branch, d.branch) || strcmp(c.branch_uid, d.branch_uid) || strcmp(c.last_commit, d.last_commit) ||
            strcmp(c.filter_digest, d.filter_digest))
            abort();
    }
    og_error_clear();
    og_buf_free(&b);
    free(text);
    return 0;
}
