/* migrate.h — internal-schema migrations (write-path.md §8).
 * (1) The stamp is main's head manifest `internal_schema_version`; a
 *     read-write open brings a graph stamped below
 *     OG_GRAPH_INTERNAL_SCHEMA_VERSION up to date before anything observes
 *     branch state (and before the recovery sweep). Read-only opens serve
 *     an old-stamp graph as it is.
 * (2) Steps run in order, each from stamp N to N+1; every step is
 *     idempotent, so an interrupted migration is simply run again.
 * (3) Every publish writes the current stamp, so a step's publish on main
 *     must be its last effect. When main did not move, the stamp is raised
 *     by one publish on main (actor OG_MIGRATE_ACTOR, no pin changes)
 *     conditional on the head the migration started from; finding the
 *     stamp raised (by the step or a concurrent opener) is success.
 * (4) Step 1 -> 2 ("reconcile pre-sidecar drift"): builds stamped 1 wrote
 *     no recovery sidecars, so a crash between their table commits and
 *     their publish left drift that nothing owns. For every branch, every
 *     table the branch owns whose head is past its pin is restored to the
 *     pin (an exact commit) and the restored heads are published once.
 * (5) Failpoints: migrate.before_step, migrate.post_step_pre_stamp. */
#ifndef OG_GRAPH_MIGRATE_H
#define OG_GRAPH_MIGRATE_H

#include <stdint.h>

#include "base/status.h"
#include "store/store.h"

#define OG_MIGRATE_ACTOR "omnigraph:migration"

/* Runs pending steps; from/to (nullable) receive the stamps before/after. */
og_status og_graph_migrate(og_store *root, uint32_t *from, uint32_t *to);

#endif
