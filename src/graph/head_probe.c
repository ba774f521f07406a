/* head_probe.c — the cheap "has this branch moved?" check of head_probe.h.
 * (1) See head_probe.h (1)-(3); the keys come from internal.h so the
 *     manifest layout stays written down once. */
#include "head_probe.h"

#include <string.h>

#include "branch.h"
#include "internal.h"

og_status og_graph_head_probe_key(const og_graph_snapshot *s, og_buf *key)
{
    if (!s || !s->branch_uid[0]) return og_error_set(OG_E_INVALID, "snapshot without a chain");
    return og_graph_key_version(key, s->branch_uid, s->version + 1);
}

og_status og_graph_head_unchanged_at(og_store *st, const og_graph_snapshot *s, const char *key,
                                     bool *same)
{
    og_status rc = OG_OK;
    og_graph_ref r;
    og_obj_meta m;
    memset(&r, 0, sizeof r);
    *same = false;
    if (!s || !s->branch || !s->branch_uid[0]) goto done;
    if (strcmp(s->branch, OG_GRAPH_MAIN) != 0) {
        rc = og_graph_ref_read(st, s->branch, &r);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; goto done; }
        if (rc) goto done;
        if (strcmp(r.uid, s->branch_uid) != 0) goto done;
    }
    rc = og_store_head(st, key, &m);
    if (rc == OG_E_NOTFOUND) {
        og_error_clear();
        rc = OG_OK;
        *same = true;
    }
done:
    og_graph_ref_clear(&r);
    return rc;
}

og_status og_graph_head_unchanged(og_store *st, const og_graph_snapshot *s, bool *same)
{
    og_buf key = OG_BUF_INIT;
    og_status rc = og_graph_head_probe_key(s, &key);
    *same = false;
    if (rc) { og_error_clear(); og_buf_free(&key); return OG_OK; }
    rc = og_graph_head_unchanged_at(st, s, og_buf_cstr(&key), same);
    og_buf_free(&key);
    return rc;
}
