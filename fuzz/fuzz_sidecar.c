/* fuzz_sidecar.c — the recovery sidecar decoder. Any input either fails
 * cleanly (nothing returned) or decodes to a sidecar that re-encodes,
 * decodes again and re-encodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph/sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_sidecar a, b;
    og_buf e1 = OG_BUF_INIT, e2 = OG_BUF_INIT;
    memset(&b, 0, sizeof b);
    if (og_sidecar_decode("fuzz", data, size, &a) != OG_OK) {
        if (a.tables || a.ntables || a.actor || a.branch) abort();
        goto done;
    }
    if (og_sidecar_encode(&a, &e1) != OG_OK) abort();
    if (og_sidecar_decode("fuzz", e1.data, e1.len, &b) != OG_OK) abort();
    if (og_sidecar_encode(&b, &e2) != OG_OK) abort();
    if (e1.len != e2.len || memcmp(e1.data, e2.data, e1.len) != 0) abort();
done:
    og_sidecar_free(&a);
    og_sidecar_free(&b);
    og_buf_free(&e1);
    og_buf_free(&e2);
    return 0;
}
