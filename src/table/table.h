/* table.h — versioned columnar tables over an object store.
 * (1) A table under key prefix `root` is a linear chain of immutable
 *     versions 1, 2, 3…; version N is the object
 *     root/_versions/<20-digit (2^64-1-N)>.manifest, so a LIST returns the
 *     newest first: open-latest is one LIST page + one GET, open-at-N is
 *     one GET (no LIST).
 * (2) An og_table is a read-only snapshot of one version; it never moves.
 * (3) Every write is two-phase: og_table_stage_* writes immutable data
 *     files and returns an uncommitted og_txn; og_txn_commit publishes it
 *     with put_if_absent on version read_version+1. On a lost race the
 *     transaction is checked against every transaction committed since its
 *     read version (table_conflict.c): a conflict is OG_E_CONFLICT, never a
 *     silent rebase; a compatible history is rebased onto (unless exact).
 * (4) Rows carry stable row ids (never reused) and created/updated-at
 *     versions, readable as the virtual columns _rowid,
 *     _row_created_at_version, _row_last_updated_at_version. */
#ifndef OG_TABLE_TABLE_H
#define OG_TABLE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/status.h"
#include "base/value.h"
#include "store/store.h"
#include "column.h"
#include "manifest.h"

#define OG_COL_ROWID "_rowid"
#define OG_COL_CREATED "_row_created_at_version"
#define OG_COL_UPDATED "_row_last_updated_at_version"

typedef struct og_table og_table;
typedef struct og_txn og_txn;

/* ---- open and inspect ---- */

/* Latest version: one LIST (max 1 key) + one GET. OG_E_NOTFOUND if absent. */
og_status og_table_open(og_store *s, const char *root, og_table **out);
/* Exact version: one GET, no LIST. OG_E_NOTFOUND if absent. */
og_status og_table_open_at(og_store *s, const char *root, uint64_t version, og_table **out);
void og_table_close(og_table *t);
uint64_t og_table_version(const og_table *t);
const og_manifest *og_table_manifest(const og_table *t);
const og_schema *og_table_schema(const og_table *t);
uint64_t og_table_count_rows(const og_table *t);  /* live rows */
/* Rows per page for files this handle stages (tests use small pages). */
void og_table_set_page_rows(og_table *t, uint32_t page_rows);
/* Largest staged fragment or deletion vector (bytes) that transactions
 * staged from this handle keep inline in the manifest instead of writing
 * an object (docs/format.md §4.1), so a small append, merge-insert or
 * delete commits as ONE object; 0 (the default) = always write objects;
 * capped at OG_TABLE_INLINE_MAX. Create and overwrite always write
 * objects. Snapshots returned by og_txn_commit inherit the limit. */
#define OG_TABLE_INLINE_MAX 8192u
void og_table_set_inline_max(og_table *t, uint32_t max_bytes);

/* Manifest location identity (key, size, etag): a cheap witness that a
 * version's manifest is the same object (internals.md §2.2). */
typedef struct og_table_loc {
    char key[OG_STORE_KEY_MAX + 1];
    uint64_t size;
    char etag[OG_ETAG_MAX];
} og_table_loc;

og_status og_table_location(og_table *t, og_table_loc *out);

typedef struct og_version_info {
    uint64_t version;
    int64_t timestamp_us;
    og_txn_op op;
} og_version_info;

/* All versions, ascending. Caller frees *out with free(). */
og_status og_table_versions(og_store *s, const char *root, og_version_info **out, size_t *n);
/* The transaction record of one version (one GET); free with og_txn_record_free. */
og_status og_table_read_transaction(og_store *s, const char *root, uint64_t version, og_txn_record *out);

/* ---- staging ---- */

/* Create at read version 0. rows may be NULL (empty table). Field ids are
 * assigned in schema order from 0. */
og_status og_table_stage_create(og_store *s, const char *root, const og_schema *schema,
                                const og_batch *rows, og_txn **out);
og_status og_table_stage_append(og_table *t, const og_batch *rows, og_txn **out);
/* schema NULL keeps the current one; fields keep their id by name. rows may
 * be NULL or empty (an overwrite to zero rows). */
og_status og_table_stage_overwrite(og_table *t, const og_schema *schema, const og_batch *rows, og_txn **out);

typedef enum og_when_matched { OG_MATCHED_FAIL = 0, OG_MATCHED_UPDATE_ALL, OG_MATCHED_DO_NOTHING } og_when_matched;
typedef enum og_when_not_matched { OG_NOT_MATCHED_INSERT = 0, OG_NOT_MATCHED_DO_NOTHING } og_when_not_matched;

typedef struct og_merge_stats {
    uint64_t inserted, updated, skipped;
} og_merge_stats;

/* Joins on the column `id`; duplicate source ids: first seen wins.
 * OG_MATCHED_FAIL on a match returns OG_E_EXISTS and stages nothing.
 * *out is NULL (OG_OK) when nothing would change. */
og_status og_table_stage_merge_insert(og_table *t, const og_batch *rows, og_when_matched wm,
                                      og_when_not_matched wnm, og_merge_stats *stats, og_txn **out);

/* ---- predicates (AND of terms) ---- */

/* Operands are base/value.h values (constructors og_val_* live there). */

typedef enum og_cmp {
    OG_CMP_EQ = 0, OG_CMP_NE, OG_CMP_LT, OG_CMP_LE, OG_CMP_GT, OG_CMP_GE,
    OG_CMP_IS_NULL, OG_CMP_NOT_NULL, OG_CMP_IN
} og_cmp;

typedef struct og_pred {
    const char *column;      /* a schema field or a virtual column */
    og_cmp op;
    og_value value;          /* all but IN / IS_NULL / NOT_NULL */
    const og_value *values;  /* IN */
    size_t nvalues;
} og_pred;

/* Deletes live rows matching every predicate. *out is NULL (and OG_OK)
 * when no row matches: nothing is staged. affected (nullable) gets the count. */
og_status og_table_stage_delete(og_table *t, const og_pred *preds, size_t npreds,
                                uint64_t *affected, og_txn **out);
/* Restore: the next version gets target's content; t's version is the
 * expected base, so any concurrent commit makes the commit fail. */
og_status og_table_stage_restore(og_table *t, uint64_t target, og_txn **out);

/* Sets key=value in the schema metadata (field NULL) or in one field's
 * metadata, as a transaction of its own (op "update_metadata"; compatible
 * with concurrent data changes, conflicting with a concurrent metadata
 * update). Stage one and add more pairs with og_txn_set_metadata. */
og_status og_table_stage_set_metadata(og_table *t, const char *field, const char *key, const char *value,
                                      og_txn **out);
og_status og_txn_set_metadata(og_txn *x, const char *field, const char *key, const char *value);

/* ---- transactions ---- */

uint64_t og_txn_read_version(const og_txn *x);
const char *og_txn_uuid(const og_txn *x);
og_txn_op og_txn_op_of(const og_txn *x);
/* Replaces the uuid (e.g. one minted before the transaction existed). */
og_status og_txn_set_uuid(og_txn *x, const char *uuid);
og_status og_txn_set_property(og_txn *x, const char *key, const char *value);
void og_txn_free(og_txn *x);   /* NULL-safe; staged files stay as garbage */
/* Folds `from` into `into` so that one commit applies both (a mutation
 * mixing upserts and deletes is one version). Both must be append, merge
 * or delete transactions staged from the same version of the same table
 * and branch, and must not rewrite the same row twice; deletion vectors
 * of a fragment both touch are united into a new file. `from` is left
 * spent (free it). */
og_status og_txn_combine(og_txn *into, og_txn *from);

typedef struct og_commit_opts {
    bool exact;              /* no rebase: lost race -> PRECONDITION or CONFLICT */
    unsigned max_retries;    /* rebases allowed when !exact; 0 means 8 */
} og_commit_opts;

/* Commits; on success *version_out (nullable) is the new version and
 * *out (nullable) a snapshot of it. The txn is spent either way (a failed
 * commit may be retried only by staging again).
 * Outcomes: OG_OK; OG_E_CONFLICT (a transaction committed since the read
 * version conflicts, §2.6); OG_E_PRECONDITION (create of an existing
 * table; exact mode lost the race to a compatible commit; retries ran out). */
og_status og_txn_commit(og_txn *x, const og_commit_opts *opts, uint64_t *version_out, og_table **out);

/* ---- scans ---- */

typedef struct og_scan_opts {
    const char *const *columns;  /* projection; NULL = every schema field */
    size_t ncolumns;
    const og_pred *preds;
    size_t npreds;
    uint64_t limit;              /* 0 = no limit */
} og_scan_opts;

/* Materialises matching live rows into out (an empty batch). */
og_status og_table_scan(og_table *t, const og_scan_opts *o, og_batch *out);

/* Streaming scan with bounded memory: each og_scanner_next fills an empty
 * batch with up to batch_rows rows (0 = 8192) and sets *done once nothing
 * is left (the batch then has its columns and no rows). At most one
 * fragment is open at a time. o (and what it points to) and t must outlive
 * the scanner. */
typedef struct og_scanner og_scanner;
og_status og_scanner_open(og_table *t, const og_scan_opts *o, size_t batch_rows, og_scanner **out);
og_status og_scanner_next(og_scanner *sc, og_batch *out, bool *done);
void og_scanner_close(og_scanner *sc);
/* Scan in ascending `id` order (utf8: byte order; integers: numeric) with
 * bounded memory: each og_ordered_scanner_next fills an empty batch with
 * the next up to batch_rows rows (0 = 8192; columns and predicates as in
 * o, o->limit ignored) and sets *done once nothing is left (the batch then
 * has its columns and no rows). Two passes over the remaining rows per
 * batch (pages at or below the last id are skipped by their statistics).
 * o and t must outlive the scanner. (table_ordered.c) */
typedef struct og_ordered_scanner og_ordered_scanner;
og_status og_ordered_scanner_open(og_table *t, const og_scan_opts *o, size_t batch_rows, og_ordered_scanner **out);
og_status og_ordered_scanner_next(og_ordered_scanner *s, og_batch *out, bool *done);
void og_ordered_scanner_close(og_ordered_scanner *s);
/* Rows by stable row id, in request order; an unknown or deleted id fails
 * the whole call with OG_E_NOTFOUND. */
og_status og_table_take(og_table *t, const uint64_t *row_ids, size_t n,
                        const char *const *columns, size_t ncolumns, og_batch *out);

/* Live rows matching every predicate (none: the manifest's count, no I/O).
 * Pages whose statistics rule a predicate out are not read; a key index
 * is used as in scans. (table_count.c) */
og_status og_table_count(og_table *t, const og_pred *preds, size_t npreds, uint64_t *out);

/* Changed rows between version `from` of t's branch and t (from < t's
 * version, or equal: nothing changed). *upserted gets the live rows of t
 * (columns as in og_scan_opts columns, NULL = every field, plus _rowid)
 * that did not exist at `from` or were rewritten since; *deleted (free())
 * the sorted row ids live at `from` and not at t. Exact at any history,
 * restores and compactions included: rows are compared by row id and
 * last-updated version. (table_changes.c) */
og_status og_table_changes(og_table *t, uint64_t from, const char *const *columns, size_t ncolumns,
                           og_batch *upserted, uint64_t **deleted, size_t *ndeleted);

/* ---- maintenance and branches (table_maint.c, table_branch.c) ---- */

typedef struct og_compact_opts {
    uint64_t target_rows;   /* rows per output fragment; 0 = 1048576 */
} og_compact_opts;

/* Rewrites small fragments and fragments with deleted rows into fewer
 * fragments, keeping row ids and created/updated-at versions. *out is NULL
 * when there is nothing to compact. Commits as a normal transaction
 * (op "rewrite"): a concurrent change to a compacted fragment conflicts. */
og_status og_table_stage_compact(og_table *t, const og_compact_opts *o, og_txn **out);

/* Branch names: 1..64 of [A-Za-z0-9._-], not starting with '.'. */
/* Creates branch `name` from version `from_version` of `from` (NULL =
 * main): a shallow clone (its manifest references the parent's files),
 * then the ref _refs/branches/<name>.json created with put_if_absent.
 * OG_E_EXISTS when the branch exists. */
og_status og_table_branch_create(og_store *s, const char *root, const char *name,
                                 const char *from, uint64_t from_version);
/* Deletes the ref, then the branch's tree. Missing branch: OG_E_NOTFOUND. */
og_status og_table_branch_delete(og_store *s, const char *root, const char *name);
/* Branch names, sorted; free each and the array with free(). */
og_status og_table_branch_list(og_store *s, const char *root, char ***names, size_t *n);
/* Opens a branch at its latest version (version 0) or at `version`. */
og_status og_table_open_branch(og_store *s, const char *root, const char *name, uint64_t version,
                               og_table **out);
/* A branch ref's content. lineage is minted when the ref is created, so a
 * branch deleted and re-created under the same name has a new one. */
typedef struct og_branch_info {
    char parent[65];          /* "" = main */
    uint64_t parent_version;
    char lineage[33];
} og_branch_info;
og_status og_table_branch_info(og_store *s, const char *root, const char *name, og_branch_info *out);
/* The branch of a snapshot, NULL on main. */
const char *og_table_branch(const og_table *t);

/* ---- version GC (table_cleanup.c) ---- */

typedef struct og_cleanup_opts {
    uint64_t before_version;     /* remove main versions < this (0: no bound) */
    int64_t before_timestamp_us; /* ... and older than this (0: no bound) */
    int64_t grace_us;            /* keep unreferenced files younger than this
                                    (they may belong to staged writes);
                                    < 0 means the default, 1 hour */
} og_cleanup_opts;

/* Further retention rules (og_table_cleanup_keep). */
typedef struct og_cleanup_keep {
    uint64_t keep_versions;             /* keep the newest N main versions (0: no bound) */
    const uint64_t *protected_versions; /* never removed (e.g. pinned by a caller) */
    size_t nprotected;
} og_cleanup_keep;

typedef struct og_cleanup_stats {
    uint64_t versions_removed;
    uint64_t files_removed;
} og_cleanup_stats;

/* Removes main-branch versions matching every given bound (never the
 * latest), then the table's own data, deletion, key and index files that
 * no remaining manifest of main or of any branch references and that are
 * older than the grace period. Files whose name carries no creation time
 * are kept. Not safe against a concurrent branch creation from a version
 * being removed (single maintenance writer, as in the reference). */
og_status og_table_cleanup(og_store *s, const char *root, const og_cleanup_opts *o, og_cleanup_stats *st);
/* og_table_cleanup with retention rules: a version is removed only when it
 * also is not among the newest k->keep_versions and not protected. A
 * keep_versions bound alone suffices (o's bounds may then be 0). k NULL is
 * og_table_cleanup. */
og_status og_table_cleanup_keep(og_store *s, const char *root, const og_cleanup_opts *o, const og_cleanup_keep *k,
                                og_cleanup_stats *st);
/* og_table_cleanup_keep on the versions of branch `name` (NULL = main):
 * never its latest; then the unreferenced old files under the branch's
 * own tree. Files any remaining manifest of main or of any branch names
 * stay (a shallow fork references its parent's files). */
og_status og_table_cleanup_branch(og_store *s, const char *root, const char *name, const og_cleanup_opts *o,
                                  const og_cleanup_keep *k, bool dry_run, og_cleanup_stats *st);
/* Removes branch `name` whole: its ref first, then every version, then
 * the files under its tree that no manifest of main or of another branch
 * references (files younger than o->grace_us stay; o's version bounds are
 * ignored). Idempotent: a missing ref or tree is no error, and a crash
 * leaves a tree that og_table_branch_trees still lists. dry_run (here
 * and in og_table_cleanup_branch): delete nothing, count the versions
 * that would go (files: none). */
og_status og_table_branch_reclaim(og_store *s, const char *root, const char *name, const og_cleanup_opts *o,
                                  bool dry_run, og_cleanup_stats *st);
/* Names of every branch tree (tree/<name>/...), with or without a ref,
 * sorted; free like og_table_branch_list. */
og_status og_table_branch_trees(og_store *s, const char *root, char ***names, size_t *n);

/* ---- scalar key index (table_index.c) ---- */

/* Builds a key index (kind "btree": sorted key hash -> row id) over every
 * fragment of t's version for a utf8 or integer column; committed as one
 * create_index transaction that replaces an index of the same name. Scans
 * with an = or IN predicate on the column use it for the fragments it
 * covers and scan the others, so results are right at any coverage. */
og_status og_table_stage_create_index(og_table *t, const char *name, const char *column, og_txn **out);

#endif
