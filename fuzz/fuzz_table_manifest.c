/* fuzz_table_manifest.c — the manifest, deletion-vector and key-set
 * decoders must reject any byte string with an error, never crash. The
 * input is tried as each of the three formats, and also as the body of a
 * valid envelope of each, so the JSON and bitmap validation behind the
 * checksum is reached too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "table/deletion.h"
#include "table/envelope.h"
#include "table/keyset.h"
#include "table/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const uint8_t *data, size_t size)
{
    og_manifest m;
    if (!og_manifest_decode(data, size, &m)) {
        og_buf b = OG_BUF_INIT;
        (void)og_manifest_encode(&m, &b);
        og_buf_free(&b);
        og_manifest_free(&m);
    }
    roaring_bitmap_t *bm = NULL;
    if (!og_dv_decode(data, size, 1u << 20, &bm)) roaring_bitmap_free(bm);
    uint64_t *keys = NULL;
    size_t n;
    if (!og_keyset_decode(data, size, &keys, &n)) free(keys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const magics[] = {OG_MANIFEST_MAGIC, OG_DV_MAGIC, OG_KEYSET_MAGIC};
    decode_all(data, size);
    for (int i = 0; i < 3; i++) {
        og_buf b = OG_BUF_INIT;
        if (!og_env_wrap(magics[i], 1, data, size, &b)) decode_all((const uint8_t *)b.data, b.len);
        og_buf_free(&b);
    }
    return 0;
}
