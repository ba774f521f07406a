/* mbox.c — a decoded version manifest shared by the handles and
 * transactions that read it, and its checkpoint (docs/format.md §4.2).
 * (1) A manifest is immutable once decoded or built, so a table handle,
 *     the transactions staged from it and the snapshot a commit returns
 *     share one copy (refcounted, atomic) instead of copying it per
 *     transaction.
 * (2) The next commit may store its version as a delta against the
 *     checkpoint object m.delta_base_file; the full manifest it holds is
 *     m itself when m is stored as an empty delta of its own checkpoint,
 *     else the box's ckpt. A version stored in full has no checkpoint
 *     object: the next row-level commit writes one.
 * (3) The last unref frees the manifest and drops the checkpoint's ref. */
#include "internal.h"

#include <stdlib.h>

og_status tbl_mbox_new(og_manifest *m, tbl_mbox *ckpt, tbl_mbox **out)
{
    tbl_mbox *b = calloc(1, sizeof *b);
    *out = NULL;
    if (!b) return og_error_set(OG_E_NOMEM, "out of memory");
    atomic_init(&b->refs, 1);
    b->m = *m;
    memset(m, 0, sizeof *m);
    b->ckpt = tbl_mbox_ref(ckpt);
    *out = b;
    return OG_OK;
}

tbl_mbox *tbl_mbox_ref(tbl_mbox *b)
{
    if (b) atomic_fetch_add(&b->refs, 1);
    return b;
}

void tbl_mbox_unref(tbl_mbox *b)
{
    while (b && atomic_fetch_sub(&b->refs, 1) == 1) {
        tbl_mbox *next = b->ckpt;
        og_manifest_free(&b->m);
        free(b);
        b = next; /* iterative: drops the checkpoint's ref */
    }
}

const og_manifest *tbl_mbox_ckpt(const tbl_mbox *b)
{
    if (!b || !b->m.delta_base || !b->m.delta_base_file) return NULL;
    if (b->m.delta_base == b->m.version) return &b->m;
    return b->ckpt && b->ckpt->m.version == b->m.delta_base ? &b->ckpt->m : NULL;
}

tbl_mbox *tbl_mbox_ckpt_box(tbl_mbox *b)
{
    if (!tbl_mbox_ckpt(b)) return NULL;
    return b->m.delta_base == b->m.version ? b : b->ckpt;
}
