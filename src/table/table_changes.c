/* table_changes.c — rows changed between two versions of one branch.
 * (1) A row is identified by its stable row id; a rewrite (update) gives it
 *     a new last-updated version. So (row id, last-updated version) pairs
 *     that differ between the versions are exactly the changes, whatever
 *     happened in between (restores and compactions included: compaction
 *     keeps both, a restore brings back the old pairs).
 * (2) Memory is two pair arrays (16 bytes per live row of each version);
 *     only changed rows are materialised. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct pair { uint64_t rowid, updated; } pair;
typedef struct pairs { pair *v; size_t n, cap; } pairs;

static og_status pair_visit(void *ud, const og_frag_meta *f, uint64_t row_start,
                            og_column *const *cols, const uint32_t *sel, size_t nsel)
{
    pairs *p = ud;
    (void)f; (void)row_start;
    if (p->n + nsel > p->cap) {
        size_t cap = p->cap ? p->cap : 1024;
        while (cap < p->n + nsel) cap *= 2;
        pair *v = realloc(p->v, cap * sizeof *v);
        if (!v) return og_error_set(OG_E_NOMEM, "out of memory");
        p->v = v;
        p->cap = cap;
    }
    for (size_t i = 0; i < nsel; i++) {
        p->v[p->n].rowid = og_column_get_u64(cols[0], sel[i]);
        p->v[p->n++].updated = og_column_get_u64(cols[1], sel[i]);
    }
    return OG_OK;
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    return x->rowid < y->rowid ? -1 : x->rowid > y->rowid;
}

static og_status collect(og_table *t, pairs *out)
{
    static const char *const cols[] = {OG_COL_ROWID, OG_COL_UPDATED};
    og_status rc = tbl_visit_all(t, NULL, 0, cols, 2, pair_visit, out);
    if (!rc && out->n) qsort(out->v, out->n, sizeof *out->v, cmp_pair);
    return rc;
}

og_status og_table_changes(og_table *t, uint64_t from, const char *const *columns, size_t ncolumns,
                           og_batch *upserted, uint64_t **deleted, size_t *ndeleted)
{
    og_status rc = OG_OK;
    og_table *old = NULL;
    pairs a = {0}, b = {0};
    uint64_t *up = NULL, *del = NULL;
    size_t nup = 0, ndel = 0;
    const char **names = NULL;
    size_t nnames = 0;
    *deleted = NULL;
    *ndeleted = 0;
    if (from > t->m.version)
        return og_error_set(OG_E_INVALID, "version %llu is newer than the snapshot (%llu)", (unsigned long long)from,
                            (unsigned long long)t->m.version);
    if (from == 0) return og_error_set(OG_E_INVALID, "table versions start at 1");
    /* the output columns: requested (or every field) plus _rowid */
    size_t nreq = columns ? ncolumns : t->m.schema.nfields;
    names = calloc(nreq + 2, sizeof *names);
    if (!names) return og_error_set(OG_E_NOMEM, "out of memory");
    bool has_rowid = false;
    for (size_t i = 0; i < nreq; i++) {
        names[nnames++] = columns ? columns[i] : t->m.schema.fields[i].name;
        has_rowid |= !strcmp(names[nnames - 1], OG_COL_ROWID);
    }
    if (!has_rowid) names[nnames++] = OG_COL_ROWID;
    if ((rc = og_table_open_branch(t->store, t->root, t->branch[0] ? t->branch : NULL, from, &old))) goto done;
    if ((rc = collect(old, &a)) || (rc = collect(t, &b))) goto done;
    up = malloc((b.n + 1) * sizeof *up);
    del = malloc((a.n + 1) * sizeof *del);
    if (!up || !del) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    size_t i = 0, j = 0;
    while (i < a.n || j < b.n) {
        if (j == b.n || (i < a.n && a.v[i].rowid < b.v[j].rowid)) { del[ndel++] = a.v[i++].rowid; continue; }
        if (i == a.n || b.v[j].rowid < a.v[i].rowid) { up[nup++] = b.v[j++].rowid; continue; }
        if (a.v[i].updated != b.v[j].updated) up[nup++] = b.v[j].rowid;
        i++;
        j++;
    }
    if (nup) {
        rc = og_table_take(t, up, nup, names, nnames, upserted);
    } else { /* an empty batch with the requested columns */
        og_pred none = {OG_COL_ROWID, OG_CMP_IN, {0}, NULL, 0};
        og_scan_opts o = {names, nnames, &none, 1, 0};
        rc = og_table_scan(t, &o, upserted);
    }
    if (rc) goto done;
    *deleted = del;
    *ndeleted = ndel;
    del = NULL;
done:
    og_table_close(old);
    free(a.v);
    free(b.v);
    free(up);
    free(del);
    free(names);
    return rc;
}
