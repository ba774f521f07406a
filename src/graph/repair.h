/* repair.h — `omnigraph repair`: classify and publish drift between the
 * graph manifest of main and each table's head (internals §7.3,
 * surface.md §4.2).
 * (1) Drift is a table whose head is past the version main pins while no
 *     recovery sidecar covers it. Repair refuses (OG_E_CONFLICT naming the
 *     sidecar) while any sidecar is pending: recovery owns that movement.
 * (2) Per table, the versions pinned+1..head are read back: every one a
 *     content-preserving maintenance transaction (rewrite = compaction,
 *     create_index) is verified_maintenance; any other operation
 *     (append, merge, delete, overwrite, restore, metadata) is suspicious;
 *     a version whose transaction cannot be read is unverifiable. A head
 *     behind its pin is an invariant violation (OG_E_INTERNAL, nothing
 *     published).
 * (3) Actions: without confirm every drifted table is `preview`; with
 *     confirm verified drift is `healed`, suspicious/unverifiable drift is
 *     `forced` with force and `refused` without it. force without confirm
 *     is OG_E_INVALID.
 * (4) Healed and forced tables are published in ONE manifest publish that
 *     points main at the existing heads (no table is written, so no
 *     sidecar is needed: the publish is the write's only durable effect),
 *     with the pins seen as expected versions (a concurrent writer makes
 *     the publish fail with OG_E_CONFLICT, nothing half-done) and actor
 *     OG_REPAIR_ACTOR, or OG_REPAIR_FORCE_ACTOR when anything was forced.
 * (5) Failpoint: repair.before_publish. */
#ifndef OG_GRAPH_REPAIR_H
#define OG_GRAPH_REPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "store/store.h"

#define OG_REPAIR_ACTOR "omnigraph:repair"
#define OG_REPAIR_FORCE_ACTOR "omnigraph:repair:force"

typedef enum og_repair_class {
    OG_REPAIR_NO_DRIFT = 0,
    OG_REPAIR_VERIFIED_MAINTENANCE,
    OG_REPAIR_SUSPICIOUS,
    OG_REPAIR_UNVERIFIABLE,
} og_repair_class;

typedef enum og_repair_action {
    OG_REPAIR_NO_OP = 0,
    OG_REPAIR_PREVIEW,
    OG_REPAIR_HEALED,
    OG_REPAIR_FORCED,
    OG_REPAIR_REFUSED,
} og_repair_action;

const char *og_repair_class_name(og_repair_class c);   /* "no_drift", ... */
const char *og_repair_action_name(og_repair_action a); /* "no_op", ... */

/* (2) over the operations of versions pinned+1..head (nops of them; a
 * missing one is passed as readable = false). */
og_repair_class og_repair_classify_ops(const int *ops, const bool *readable, size_t nops);
/* (3). */
og_repair_action og_repair_decide(og_repair_class c, bool confirm, bool force);

typedef struct og_repair_table {
    char *table_key;
    uint64_t published_version;  /* the pin before repair */
    uint64_t head_version;
    og_repair_class cls;
    og_repair_action action;
    char **operations;           /* op name per drifted version */
    size_t noperations;
    char *error;                 /* unverifiable: why; else NULL */
} og_repair_table;

typedef struct og_repair_result {
    og_repair_table *tables;     /* in manifest (table_key) order */
    size_t ntables;
    bool published;
    uint64_t manifest_version;   /* when published */
    char commit_id[27];
    bool refused;                /* some table was refused */
} og_repair_result;

void og_repair_result_free(og_repair_result *r);

/* Runs (1)–(4) on main of the graph at root. */
og_status og_graph_repair(og_store *root, bool confirm, bool force, og_repair_result *out);

#endif
