/* table_version.c — table_version.h: the openers of one version of a graph table
 * on its table branch, shared by recovery and repair.
 * (1) branch NULL is the table's main line; version 0 opens its head.
 * (2) A main-line transaction record is read without opening the table
 *     (og_table_read_transaction: one GET); a fork's through its handle. */
#include "table_version.h"

#include <string.h>

og_status og_graph_table_open_version(og_store *root, const char *path, const char *branch, uint64_t version,
                                      og_table **out)
{
    if (branch) return og_table_open_branch(root, path, branch, version, out);
    return version ? og_table_open_at(root, path, version, out) : og_table_open(root, path, out);
}

og_status og_graph_table_txn_at(og_store *root, const char *path, const char *branch, uint64_t version,
                                og_txn_record *out)
{
    og_status rc = OG_OK;
    og_table *t = NULL;
    memset(out, 0, sizeof *out);
    if (!branch) return og_table_read_transaction(root, path, version, out);
    if (!(rc = og_graph_table_open_version(root, path, branch, version, &t)))
        rc = og_txn_record_copy(out, &og_table_manifest(t)->txn);
    og_table_close(t);
    return rc;
}
