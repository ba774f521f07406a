/* graph_probe.h — an og_probe (validate.h) over an engine read view. */
#ifndef OG_GRAPH_GRAPH_PROBE_H
#define OG_GRAPH_GRAPH_PROBE_H

#include "base/arena.h"
#include "engine.h"
#include "validate.h"

/* The probe borrows v and a; strings it hands to callbacks live in a. */
og_status og_graph_probe_init(og_graph_view *v, og_arena *a, og_probe *out);
/* The probe of a write transaction's base view that also answers edge
 * probes by src/dst from the rows the transaction's own scans already
 * read (og_graph_txn_edge_memo), instead of scanning again. */
og_status og_graph_probe_init_txn(og_graph_txn *x, og_arena *a, og_probe *out);

#endif
