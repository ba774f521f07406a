/* key_index.h — the scalar key indexes optimize keeps (key_index.c). */
#ifndef OG_GRAPH_KEY_INDEX_H
#define OG_GRAPH_KEY_INDEX_H

#include "lang/catalog.h"
#include "table/table.h"

/* Uncovered rows an index tolerates before it is rebuilt (plus 1/8 of the table). */
#define OG_KEY_INDEX_SLACK_ROWS 4096u
/* Index rounds per optimize: the most indexes one table needs (edges: id, src, dst). */
#define OG_KEY_INDEX_MAX 3u

/* The column of t whose key index is due (missing or too stale), or NULL. */
const char *og_key_index_due(const og_table *tbl, const og_decl *t);
/* Stages the create_index of the first due index; *out NULL when none is. */
og_status og_key_index_stage(og_table *tbl, const og_decl *t, og_txn **out);

#endif
