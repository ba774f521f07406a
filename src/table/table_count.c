/* table_count.c — counting live rows under a filter.
 * (1) No predicate: the manifest's live count, no I/O.
 * (2) Otherwise the scan machinery with no output columns: pages pruned by
 *     statistics or by a key index are never read; only predicate columns
 *     of the other pages are. */
#include "internal.h"

typedef struct count_ctx { uint64_t n; } count_ctx;

static og_status count_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                             og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    (void)f; (void)row_start; (void)cols; (void)sel;
    ((count_ctx *)ud)->n += nsel;
    return OG_OK;
}

og_status og_table_count(og_table *t, const og_pred *preds, size_t npreds, uint64_t *out)
{
    count_ctx c = {0};
    *out = 0;
    if (!npreds) {
        *out = og_manifest_live_rows(&t->m);
        return OG_OK;
    }
    static const char *const none[1] = {NULL}; /* no output columns */
    og_status rc = tbl_visit_all(t, preds, npreds, none, 0, count_visit, &c);
    if (!rc) *out = c.n;
    return rc;
}
