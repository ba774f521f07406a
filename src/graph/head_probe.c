/* head_probe.c — the cheap "has this branch moved?" check of head_probe.h.
 * (1) See head_probe.h (1)-(3); the keys come from internal.h so the
 *     manifest layout stays written down once. */
#include "head_probe.h"

#include <string.h>

#include "base/buf.h"
#include "branch.h"
#include "internal.h"

og_status og_graph_head_unchanged(og_store *st, const og_graph_snapshot *s, bool *same)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT;
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
    if ((rc = og_graph_key_version(&key, s->branch_uid, s->version + 1))) goto done;
    rc = og_store_head(st, og_buf_cstr(&key), &m);
    if (rc == OG_E_NOTFOUND) {
        og_error_clear();
        rc = OG_OK;
        *same = true;
    }
    else if (rc == OG_OK) *same = false;
done:
    og_graph_ref_clear(&r);
    og_buf_free(&key);
    return rc;
}
