/* table_version.h — one version of a graph table on its table branch
 * (the pin's or sidecar's path + table_branch), for recovery and repair.
 * (1) branch NULL is the table's main line; version 0 opens its head. */
#ifndef OG_GRAPH_TABLE_VERSION_H
#define OG_GRAPH_TABLE_VERSION_H

#include <stdint.h>

#include "base/status.h"
#include "store/store.h"
#include "table/table.h"

og_status og_graph_table_open_version(og_store *root, const char *path, const char *branch, uint64_t version,
                                      og_table **out);
/* The transaction record of that version. */
og_status og_graph_table_txn_at(og_store *root, const char *path, const char *branch, uint64_t version,
                                og_txn_record *out);

#endif
