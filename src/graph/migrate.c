/* migrate.c — the internal-schema migration steps (migrate.h (1)–(5)).
 * (1) Steps are a static array ordered by their `from` stamp; adding a
 *     format change means appending a step and raising
 *     OG_GRAPH_INTERNAL_SCHEMA_VERSION, with a test that opens the old
 *     format. */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>

#include "base/failpoint.h"
#include "base/log.h"
#include "base/ulid.h"
#include "table/table.h"
#include "branch.h"
#include "internal.h"
#include "manifest.h"
#include "publisher.h"

typedef struct step {
    uint32_t from;
    const char *name;
    og_status (*run)(og_store *root);
} step;

/* (4) for one branch. */
static og_status reconcile_branch(og_store *root, const char *branch)
{
    og_status rc = OG_OK;
    og_graph_snapshot s = {0};
    og_graph_pin *pins = NULL;
    og_graph_expected *exp = NULL;
    size_t n = 0;
    bool is_main = !strcmp(branch, "main");
    if ((rc = og_graph_open_head(root, is_main ? NULL : branch, &s))) goto done;
    pins = calloc(s.npins ? s.npins : 1, sizeof *pins);
    exp = calloc(s.npins ? s.npins : 1, sizeof *exp);
    if (!pins || !exp) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < s.npins; i++) {
        const og_graph_pin *p = &s.pins[i];
        og_table *t = NULL;
        og_txn *tx = NULL;
        uint64_t v = 0;
        if (is_main ? p->table_branch != NULL : (!p->table_branch || strcmp(p->table_branch, branch))) continue;
        rc = p->table_branch ? og_table_open_branch(root, p->path, p->table_branch, 0, &t)
                             : og_table_open(root, p->path, &t);
        if (rc) goto done;
        bool drift = og_table_version(t) > p->version;
        if (drift) rc = og_table_stage_restore(t, p->version, &tx);
        og_table_close(t);
        if (rc) goto done;
        if (!drift) continue;
        og_commit_opts co = {true, 0};
        rc = og_txn_commit(tx, &co, &v, NULL);
        og_txn_free(tx);
        if (rc) goto done;
        if ((rc = og_graph_pin_copy(&pins[n], p))) goto done;
        pins[n].version = v;
        exp[n].table_key = p->table_key;
        exp[n].version = p->version;
        n++;
        og_log_info("migration: restored pre-sidecar drift of `%s` on branch `%s` to version %llu",
                    p->table_key, branch, (unsigned long long)p->version);
    }
    if (n) {
        og_ulid id;
        og_graph_publish_req req;
        if ((rc = og_ulid_new(&id))) goto done;
        memset(&req, 0, sizeof req);
        req.branch = is_main ? NULL : branch;
        req.expected = exp;
        req.n_expected = n;
        req.pins = pins;
        req.n_pins = n;
        req.commit.id = id.s;
        req.commit.actor = OG_MIGRATE_ACTOR;
        rc = og_graph_publish(root, &req, NULL, NULL);
    }
done:
    for (size_t i = 0; pins && i < n; i++) og_graph_pin_clear(&pins[i]);
    free(pins);
    free(exp);
    og_graph_snapshot_free(&s);
    return rc;
}

static og_status step_reconcile_drift(og_store *root)
{
    og_graph_branch_list l;
    memset(&l, 0, sizeof l);
    og_status rc = og_graph_branch_list_all(root, OG_GRAPH_BRANCH_INTERNAL, &l);
    /* Main last: its publish carries the new stamp (migrate.h (3)). */
    for (size_t i = 0; !rc && i < l.len; i++)
        if (strcmp(l.names[i], "main") != 0) rc = reconcile_branch(root, l.names[i]);
    if (!rc) rc = reconcile_branch(root, "main");
    og_graph_branch_list_free(&l);
    return rc;
}

static const step STEPS[] = {
    {1, "reconcile pre-sidecar drift", step_reconcile_drift},
};

static og_status stamp(og_store *root, const char *head)
{
    og_ulid id;
    og_graph_publish_req req;
    og_status rc = og_ulid_new(&id);
    if (rc) return rc;
    memset(&req, 0, sizeof req);
    req.expected_head = head;
    req.commit.id = id.s;
    req.commit.actor = OG_MIGRATE_ACTOR;
    return og_graph_publish(root, &req, NULL, NULL);
}

og_status og_graph_migrate(og_store *root, uint32_t *from, uint32_t *to)
{
    og_status rc = OG_OK;
    og_graph_snapshot s = {0};
    uint32_t f = 0;
    if ((rc = og_graph_open_head(root, NULL, &s))) goto done;
    f = s.internal_schema_version;
    if (from) *from = f;
    if (to) *to = f;
    if (f >= OG_GRAPH_INTERNAL_SCHEMA_VERSION) goto done;
    for (size_t i = 0; i < sizeof STEPS / sizeof *STEPS; i++) {
        if (STEPS[i].from < f) continue;
        if ((rc = OG_FAILPOINT("migrate.before_step"))) goto done;
        if ((rc = STEPS[i].run(root))) {
            og_error_context(rc, "internal-schema migration %u -> %u (%s)", STEPS[i].from, STEPS[i].from + 1,
                             STEPS[i].name);
            goto done;
        }
    }
    if ((rc = OG_FAILPOINT("migrate.post_step_pre_stamp"))) goto done;
    rc = stamp(root, s.head.id);
    if (rc == OG_E_PRECONDITION) {
        /* (3) someone moved main: fine if they raised the stamp. */
        og_graph_snapshot now = {0};
        og_error_clear();
        rc = og_graph_open_head(root, NULL, &now);
        if (!rc && now.internal_schema_version < OG_GRAPH_INTERNAL_SCHEMA_VERSION)
            rc = og_error_set(OG_E_CONFLICT, "internal-schema migration raced a writer on main; reopen to retry");
        og_graph_snapshot_free(&now);
    }
    if (rc) goto done;
    og_log_info("migrated the internal schema from %u to %d", f, OG_GRAPH_INTERNAL_SCHEMA_VERSION);
    if (to) *to = OG_GRAPH_INTERNAL_SCHEMA_VERSION;
done:
    og_graph_snapshot_free(&s);
    return rc;
}
