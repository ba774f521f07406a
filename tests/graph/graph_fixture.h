/* graph_fixture.h — shared set-up for the graph tests (include after
 * testutil.h). Helpers hide set-up only; every assertion is in the tests. */
#ifndef OG_TEST_GRAPH_FIXTURE_H
#define OG_TEST_GRAPH_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ulid.h"
#include "graph/branch.h"
#include "graph/commit.h"
#include "graph/manifest.h"
#include "graph/publisher.h"
#include "store/store.h"

/* A pin for table `node:<name>` (or edge:) with identity (sid, 1). */
static inline og_graph_pin fx_pin(const char *key, uint64_t sid, uint64_t version, uint64_t rows)
{
    og_graph_pin p;
    memset(&p, 0, sizeof p);
    p.table_key = strdup(key);
    p.stable_table_id = sid;
    p.table_incarnation_id = 1;
    char path[64];
    snprintf(path, sizeof path, "%s/%016llx-%016llx", key[0] == 'e' ? "edges" : "nodes",
             (unsigned long long)sid, 1ull);
    p.path = strdup(path);
    p.version = version;
    p.row_count = rows;
    return p;
}

/* Genesis with tables node:T0..node:T{n-1} at version 1. */
static inline og_status fx_genesis(og_store *st, size_t ntables, og_graph_snapshot *out)
{
    og_graph_pin pins[64];
    og_ulid id;
    og_status rc = og_ulid_new(&id);
    if (rc) return rc;
    for (size_t i = 0; i < ntables; i++) {
        char key[32];
        snprintf(key, sizeof key, "node:T%zu", i);
        pins[i] = fx_pin(key, i + 1, 1, 0);
    }
    og_graph_commit_info ci = {id.s, NULL, NULL, 0};
    rc = og_graph_genesis(st, pins, ntables, "hash0", &ci, out);
    for (size_t i = 0; i < ntables; i++) og_graph_pin_clear(&pins[i]);
    return rc;
}

/* Publishes table node:T{t} (sid t+1) from version `expected` to `to`. */
static inline og_status fx_publish(og_store *st, const char *branch, size_t t, uint64_t expected,
                                   uint64_t to, const char *actor, og_graph_conflict *cf,
                                   og_graph_snapshot *out)
{
    char key[32];
    snprintf(key, sizeof key, "node:T%zu", t);
    og_graph_pin p = fx_pin(key, t + 1, to, to * 10);
    og_graph_expected e = {key, expected};
    og_ulid id;
    og_status rc = og_ulid_new(&id);
    if (rc) { og_graph_pin_clear(&p); return rc; }
    og_graph_publish_req req;
    memset(&req, 0, sizeof req);
    req.branch = branch;
    req.expected = &e;
    req.n_expected = 1;
    req.pins = &p;
    req.n_pins = 1;
    req.commit.id = id.s;
    req.commit.actor = actor;
    rc = og_graph_publish(st, &req, cf, out);
    og_graph_pin_clear(&p);
    return rc;
}

static inline og_store *fx_mem(void)
{
    og_store *s = NULL;
    if (og_store_mem_open(&s)) return NULL;
    return s;
}

#endif
