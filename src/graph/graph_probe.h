/* graph_probe.h — an og_probe (validate.h) over an engine read view. */
#ifndef OG_GRAPH_GRAPH_PROBE_H
#define OG_GRAPH_GRAPH_PROBE_H

#include "base/arena.h"
#include "engine.h"
#include "validate.h"

/* The probe borrows v and a; strings it hands to callbacks live in a. */
og_status og_graph_probe_init(og_graph_view *v, og_arena *a, og_probe *out);

#endif
