/* branch.h — graph branches (surface.md §6, internals §5.1,
 * docs/graph-design.md §3).
 * (1) A branch is its ref __manifest/refs/{name}.json naming a chain uid,
 *     minted per creation: a branch deleted and recreated under one name
 *     gets a new chain, so old snapshots never mix with the new branch.
 * (2) Create writes version 1 of the new chain (a copy of the source head
 *     carrying the source's head commit) and then the ref with
 *     put_if_absent: of concurrent creators of one name exactly one wins.
 *     The ref is the visibility point; an orphan chain is harmless.
 * (3) Names are trimmed; non-empty; '/'-separated components, none empty or
 *     starting with '.'; no whitespace or control bytes; at most
 *     OG_GRAPH_BRANCH_NAME_MAX bytes. `main` cannot be created or deleted.
 *     Names whose first component starts with "__" are internal: hidden
 *     from listings and refused unless OG_GRAPH_BRANCH_INTERNAL is given.
 * (4) Live names are path-prefix-disjoint (`review` and `review/x` cannot
 *     coexist). Checked before the ref is written and re-checked after:
 *     of two racing creators of prefix-related names at most one survives
 *     (the other removes its ref and fails with OG_E_CONFLICT).
 * (5) Delete refuses main, a branch created from it that is still live
 *     (recorded from_uid), and a branch whose name another live branch's
 *     pins use (its uid) as table_branch; it removes the ref (logical delete), then
 *     reclaims the chain best-effort. Commit objects stay (they no longer
 *     resolve: their chain is not a live branch's).
 * (6) The table forks of a branch are table branches named by its chain
 *     uid (graph_txn.c (4)); delete removes those its head pins, after the
 *     ref, best-effort. */
#ifndef OG_GRAPH_BRANCH_H
#define OG_GRAPH_BRANCH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"
#include "base/ulid.h"
#include "store/store.h"

#define OG_GRAPH_BRANCH_NAME_MAX 200
#define OG_GRAPH_REF_FORMAT 1
#define OG_GRAPH_MAIN "main"

enum {
    OG_GRAPH_BRANCH_INTERNAL = 1u << 0, /* allow / list internal "__" names */
};

typedef struct og_graph_ref {
    char *name;
    char uid[OG_ULID_LEN + 1];
    char *from_branch;                 /* NULL for main */
    char from_uid[OG_ULID_LEN + 1];    /* "" for main */
    uint64_t from_version;             /* source version copied; 0 for main */
    char from_commit[OG_ULID_LEN + 1]; /* source head commit; "" for main */
    int64_t created_at_us;
} og_graph_ref;

void og_graph_ref_clear(og_graph_ref *r);

/* Trims name and checks rule (3) (not the main/internal policy); *out is a
 * malloc'd canonical name. OG_E_INVALID with the reason otherwise. */
og_status og_graph_branch_name_check(const char *name, char **out);
bool og_graph_branch_is_internal(const char *canonical);

/* Reads a branch's ref (1 GET). NULL = main. OG_E_NOTFOUND if no branch. */
og_status og_graph_ref_read(og_store *st, const char *branch, og_graph_ref *out);
/* Internal: writes a ref with put_if_absent (OG_E_EXISTS if taken). */
og_status og_graph_ref_create(og_store *st, const og_graph_ref *r);

/* Creates `name` from `from` (NULL = main). out (nullable) gets the ref.
 * OG_E_EXISTS if the name is live, OG_E_CONFLICT for a prefix clash,
 * OG_E_NOTFOUND if `from` does not exist, OG_E_INVALID for a bad name. */
og_status og_graph_branch_create(og_store *st, const char *name, const char *from,
                                 unsigned flags, og_graph_ref *out);

typedef struct og_graph_branch_list {
    char **names; /* sorted, canonical; "main" included */
    size_t len;
} og_graph_branch_list;

void og_graph_branch_list_free(og_graph_branch_list *l);
og_status og_graph_branch_list_all(og_store *st, unsigned flags, og_graph_branch_list *out);

og_status og_graph_branch_delete(og_store *st, const char *name, unsigned flags);

/* (6) The name of the live branch whose chain uid is `uid` (the name a
 * table fork is shown under): *out malloc'd, NULL when no live branch has
 * that uid (deleted or recreated since). Lists and reads every ref. */
og_status og_graph_branch_name_of_uid(og_store *st, const char *uid, char **out);

#endif
