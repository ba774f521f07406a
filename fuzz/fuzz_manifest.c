/* fuzz_manifest.c — the manifest version-object decoder. Any input either
 * fails cleanly (no crash, nothing returned) or decodes to a snapshot that
 * re-encodes, decodes again and re-encodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_graph_snapshot a, b;
    og_buf e1 = OG_BUF_INIT, e2 = OG_BUF_INIT;
    memset(&b, 0, sizeof b);
    if (og_graph_manifest_decode("fuzz", data, size, &a) != OG_OK) {
        if (a.branch || a.pins || a.npins) abort(); /* nothing returned on failure */
        goto done;
    }
    if (og_graph_manifest_encode(&a, &e1) != OG_OK) abort();
    if (og_graph_manifest_decode("fuzz", e1.data, e1.len, &b) != OG_OK) abort();
    if (og_graph_manifest_encode(&b, &e2) != OG_OK) abort();
    if (e1.len != e2.len || memcmp(e1.data, e2.data, e1.len) != 0) abort();
done:
    og_graph_snapshot_free(&a);
    og_graph_snapshot_free(&b);
    og_buf_free(&e1);
    og_buf_free(&e2);
    return 0;
}
