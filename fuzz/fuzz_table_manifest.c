/* fuzz_table_manifest.c — the manifest, deletion-vector and key-set
 * decoders must reject any byte string with an error, never crash. The
 * input is tried as each of the three formats, and also as the body of a
 * valid envelope of each, so the JSON and bitmap validation behind the
 * checksum is reached too. Inline fragments and deletion vectors of a
 * manifest that decodes (format version 2) go through their own readers,
 * which must refuse them as cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "table/deletion.h"
#include "table/envelope.h"
#include "table/fragment.h"
#include "table/keyset.h"
#include "table/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const uint8_t *data, size_t size)
{
    og_manifest m;
    if (!og_manifest_decode(data, size, &m)) {
        for (size_t i = 0; i < m.nfrags; i++) {
            const og_frag_meta *f = &m.frags[i];
            og_fragment_reader *r = NULL;
            if (f->inline_data.len && !og_fragment_open_copy(f->inline_data.data, f->inline_data.len, &r)) {
                for (uint32_t c = 0; c < og_fragment_ncols(r); c++) {
                    og_column col;
                    if (og_column_init(&col, og_fragment_col(r, c)->type)) continue;
                    (void)og_fragment_read_column(r, c, &col);
                    og_column_free(&col);
                }
                og_fragment_close(r);
            }
            roaring_bitmap_t *dv = NULL;
            if (f->dv_inline.len && !og_dv_decode(f->dv_inline.data, f->dv_inline.len, f->rows, &dv))
                roaring_bitmap_free(dv);
        }
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
