/* fuzz_table_manifest.c — the manifest, deletion-vector and key-set
 * decoders must reject any byte string with an error, never crash. The
 * input is tried as each of the three formats, and also as the body of a
 * valid envelope of each, so the JSON and bitmap validation behind the
 * checksum is reached too. Inline fragments and deletion vectors of a
 * manifest that decodes (format version 2) go through their own readers,
 * which must refuse them as cleanly. A delta manifest (format version 3)
 * is also resolved against a small fixed checkpoint and against itself
 * (a delta is never a valid checkpoint). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "table/deletion.h"
#include "table/envelope.h"
#include "table/fragment.h"
#include "table/keyset.h"
#include "table/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Version 1 with fragments 0..2 (one with a deletion file). */
static void checkpoint(og_manifest *c)
{
    static char f0[] = "data/a.ogf", f1[] = "data/b.ogf", f2[] = "data/c.ogf", d1[] = "_deletions/1-x.ogdv";
    static og_frag_meta fr[3];
    memset(c, 0, sizeof *c);
    memset(fr, 0, sizeof fr);
    char *files[3] = {f0, f1, f2};
    for (int i = 0; i < 3; i++) {
        fr[i].id = (uint64_t)i;
        fr[i].file = files[i];
        fr[i].size = 100;
        fr[i].rows = 10;
        fr[i].version = 1;
        fr[i].row_id_base = (uint64_t)i * 10;
    }
    fr[1].deletion_file = d1;
    fr[1].deleted = 2;
    c->version = 1;
    c->frags = fr;
    c->nfrags = 3;
    c->next_fragment_id = 3;
    c->next_row_id = 30;
    c->next_field_id = 1;
}

static void decode_all(const uint8_t *data, size_t size)
{
    og_manifest m;
    if (!og_manifest_decode(data, size, &m)) {
        if (m.unresolved) {
            og_manifest c, self;
            checkpoint(&c);
            if (!og_manifest_copy(&self, &m)) {
                (void)og_manifest_resolve(&m, &self); /* refused: a delta as checkpoint */
                og_manifest_free(&self);
            }
            if (!og_manifest_resolve(&m, &c)) { /* c is static: never freed */
                og_buf b = OG_BUF_INIT;
                bool is_delta;
                (void)og_manifest_encode_delta(&m, &c, "_checkpoints/f.manifest", &b, &is_delta);
                og_buf_free(&b);
            }
        }
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
    og_buf b = OG_BUF_INIT; /* a delta body needs a version-3 envelope */
    if (!og_env_wrap(OG_MANIFEST_MAGIC, 3, data, size, &b)) decode_all((const uint8_t *)b.data, b.len);
    og_buf_free(&b);
    return 0;
}
