/* key_index.c — which scalar key indexes optimize keeps on a table
 * (internals §7.1: node tables are indexed on `id`, edge tables on `id`,
 * `src` and `dst`), so that a write's key probes, a delete's cascade and
 * delete-by-id read candidate rows instead of whole columns.
 * (1) The index on column c is named "<c>_idx" (kind btree, table_index.c).
 * (2) An index is due when the table has rows and the index is missing, or
 *     when the rows of fragments it does not cover (appended or compacted
 *     since it was built) exceed OG_KEY_INDEX_SLACK_ROWS plus an eighth of
 *     the table: uncovered fragments are scanned, which stays cheap while
 *     they are few and small.
 * (3) One index per table per call: the table layer commits one index per
 *     transaction, so optimize runs rounds (at most OG_KEY_INDEX_MAX). */
#include "key_index.h"

#include <stdio.h>
#include <string.h>

#include "lang/catalog.h"

static const char *const NODE_COLS[] = {"id"};
static const char *const EDGE_COLS[] = {"id", "src", "dst"};

static bool covered(const og_index_meta *ix, uint64_t frag)
{
    for (size_t i = 0; i < ix->nfrags; i++)
        if (ix->frags[i] == frag) return true;
    return false;
}

static bool due(const og_manifest *m, const og_field *f)
{
    uint64_t rows = 0, uncovered = 0;
    const og_index_meta *ix = NULL;
    for (size_t i = 0; i < m->nindices; i++)
        if (m->indices[i].field_id == f->id && !strcmp(m->indices[i].kind, "btree")) ix = &m->indices[i];
    for (size_t i = 0; i < m->nfrags; i++) {
        uint64_t live = m->frags[i].rows - m->frags[i].deleted;
        rows += live;
        if (!ix || !covered(ix, m->frags[i].id)) uncovered += live;
    }
    if (!rows) return false;
    if (!ix) return true;
    return uncovered > OG_KEY_INDEX_SLACK_ROWS + rows / 8;
}

const char *og_key_index_due(const og_table *tbl, const og_decl *t)
{
    const og_manifest *m = og_table_manifest(tbl);
    bool edge = t->kind == OG_KIND_EDGE;
    const char *const *cols = edge ? EDGE_COLS : NODE_COLS;
    size_t n = edge ? sizeof EDGE_COLS / sizeof *EDGE_COLS : sizeof NODE_COLS / sizeof *NODE_COLS;
    for (size_t i = 0; i < n; i++) {
        const og_field *f = og_schema_find(&m->schema, cols[i]);
        if (f && due(m, f)) return cols[i];
    }
    return NULL;
}

og_status og_key_index_stage(og_table *tbl, const og_decl *t, og_txn **out)
{
    char name[64];
    const char *col = og_key_index_due(tbl, t);
    *out = NULL;
    if (!col) return OG_OK;
    snprintf(name, sizeof name, "%s_idx", col);
    return og_table_stage_create_index(tbl, name, col, out);
}
