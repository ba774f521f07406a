/* maintain.c — the bounded automatic maintenance pass (maint.h (8)).
 * (1) Due check: the branch head (3 reads) and each pinned table at its
 *     pin (one GET each); due when one has >= threshold fragments below
 *     the tier size, or >= 2 x threshold fragments in all (deleted rows
 *     are compacted with them).
 * (2) The pass: a recovery sweep (a crashed write's sidecar would make
 *     optimize refuse), optimize of at most max_tables tables over the
 *     threshold, then cleanup with keep and the orphan grace, protecting
 *     (not refusing) the sidecars of live writers. Cleanup runs only after
 *     a compaction committed, so its LIST-heavy work is amortised over
 *     `threshold` commits per table.
 * (3) Tiered compaction: the pass first merges only fragments below
 *     OG_MAINT_TIER_ROWS rows; then a table that still has >= 2 x
 *     threshold fragments (all big) is compacted whole. A big table is then rewritten once per
 *     ~threshold x OG_MAINT_TIER_ROWS inserted rows, not every pass.
 * (4) A lost race is not an error of the pass: it is logged and the next
 *     pass tries again. */
#include "maint.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "engine_internal.h"
#include "recovery.h"

static size_t threshold_of(const og_maint_opts *o)
{
    return o && o->fragment_threshold ? o->fragment_threshold : OG_MAINT_FRAGMENT_THRESHOLD;
}

og_status og_graph_maint_due(og_graph *g, const og_maint_opts *o, bool *due)
{
    og_status rc = OG_OK;
    og_graph_snapshot s = {0};
    size_t th = threshold_of(o);
    *due = false;
    if ((rc = og_graph_open_head(g->root, o ? o->branch : NULL, &s))) return rc;
    for (size_t i = 0; i < s.npins && !*due && !rc; i++) {
        og_table *t = NULL;
        const og_graph_pin *p = &s.pins[i];
        rc = p->table_branch ? og_table_open_branch(g->root, p->path, p->table_branch, p->version, &t)
                             : og_table_open_at(g->root, p->path, p->version, &t);
        if (rc) break;
        const og_manifest *m = og_table_manifest(t);
        uint64_t tier = o && o->tier_rows ? o->tier_rows : OG_MAINT_TIER_ROWS;
        size_t small = 0;
        for (size_t f = 0; f < m->nfrags; f++) small += m->frags[f].rows < tier;
        if (small >= th || m->nfrags >= 2 * th) *due = true;
        og_table_close(t);
    }
    og_graph_snapshot_free(&s);
    return rc;
}

og_status og_graph_maintain(og_graph *g, const og_maint_opts *o, og_maint_result *out)
{
    og_status rc = OG_OK;
    og_maint_result local;
    og_optimize_result orr;
    og_cleanup_result cr;
    memset(&orr, 0, sizeof orr);
    memset(&cr, 0, sizeof cr);
    if (!out) out = &local;
    memset(out, 0, sizeof *out);
    if (g->mode != OG_GRAPH_RW) return OG_OK;
    if ((rc = og_graph_refresh(g))) goto done;
    og_optimize_opts oo = {o ? o->branch : NULL, "omnigraph:maintenance", threshold_of(o),
                           o && o->max_tables ? o->max_tables : 8,
                           o && o->tier_rows ? o->tier_rows : OG_MAINT_TIER_ROWS};
    out->ran_optimize = true;
    rc = og_graph_optimize(g, &oo, &orr);
    if (rc == OG_OK) {
        /* (3) tables still at 2 x threshold (big fragments): compact whole */
        for (size_t i = 0; i < orr.ntables; i++) out->tables_compacted += orr.tables[i].committed;
        bool published = orr.published;
        og_optimize_result_clear(&orr);
        oo.target_rows = 0;
        oo.min_fragments = 2 * threshold_of(o);
        rc = og_graph_optimize(g, &oo, &orr);
        orr.published |= published;
    }
    if (rc == OG_E_CONFLICT) {
        og_log_info("maintenance: optimize deferred (%s)", og_error_last()->message);
        og_error_clear();
        rc = OG_OK;
        goto done;
    }
    if (rc) goto done;
    for (size_t i = 0; i < orr.ntables; i++) out->tables_compacted += orr.tables[i].committed;
    if (!orr.published) goto done;
    og_cleanup_policy cp;
    memset(&cp, 0, sizeof cp);
    cp.keep = o && o->keep ? o->keep : OG_MAINT_KEEP_DEFAULT;
    cp.grace_us = o ? o->grace_us : 0;
    cp.min_age_us = o ? o->min_age_us : 0;
    cp.allow_pending = true;
    cp.max_tables = 0;
    out->ran_cleanup = true;
    if ((rc = og_graph_cleanup(g, &cp, &cr))) goto done;
    out->manifest_versions_removed = cr.manifest_versions_removed;
    for (size_t i = 0; i < cr.ntables; i++) {
        out->versions_removed += cr.tables[i].versions_removed;
        out->files_removed += cr.tables[i].files_removed;
    }
    og_log_info("maintenance: %llu table(s) compacted; removed %llu manifest version(s), %llu table version(s), "
                "%llu file(s)", (unsigned long long)out->tables_compacted,
                (unsigned long long)out->manifest_versions_removed, (unsigned long long)out->versions_removed,
                (unsigned long long)out->files_removed);
done:
    og_optimize_result_clear(&orr);
    og_cleanup_result_clear(&cr);
    return rc;
}
