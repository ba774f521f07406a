/* manifest.c — manifest version objects: codec and opening (manifest.h).
 * (1) Encoding is canonical (sorted keys, compact), so one snapshot has one
 *     byte form.
 * (2) The decoder checks every field and the object's agreement with the
 *     key it was read from (branch uid, version) before returning anything;
 *     on failure *out is left empty.
 * (3) Open-head costs exactly GET ref + LIST(max 1) + GET version. */
#include "manifest.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "branch.h"
#include "internal.h"

void og_graph_pin_clear(og_graph_pin *p)
{
    if (!p) return;
    free(p->table_key);
    free(p->path);
    free(p->table_branch);
    memset(p, 0, sizeof *p);
}

og_status og_graph_pin_copy(og_graph_pin *dst, const og_graph_pin *src)
{
    og_status rc = OG_OK;
    og_graph_pin t = *src;
    t.table_key = t.path = t.table_branch = NULL;
    if ((rc = og_gstrdup(src->table_key, &t.table_key))) goto done;
    if ((rc = og_gstrdup(src->path, &t.path))) goto done;
    if ((rc = og_gstrdup(src->table_branch, &t.table_branch))) goto done;
done:
    if (rc) og_graph_pin_clear(&t);
    *dst = t;
    return rc;
}

og_status og_graph_table_path(og_buf *out, bool is_edge, uint64_t sid, uint64_t inc)
{
    og_buf_clear(out);
    return og_buf_printf(out, "%s/%016" PRIx64 "-%016" PRIx64, is_edge ? "edges" : "nodes", sid,
                         inc);
}

og_status og_graph_pin_validate(const og_graph_pin *p)
{
    og_status rc = OG_OK;
    og_buf want = OG_BUF_INIT;
    const char *k = p->table_key;
    bool edge = false;
    if (!k || (strncmp(k, "node:", 5) != 0 && strncmp(k, "edge:", 5) != 0) || !k[5]) {
        rc = og_error_set(OG_E_INVALID, "table key `%s` is not `node:<Type>` or `edge:<Type>`",
                          k ? k : "(null)");
        goto done;
    }
    edge = k[0] == 'e';
    if (p->stable_table_id == 0 || p->table_incarnation_id == 0) {
        rc = og_error_set(OG_E_INVALID, "table `%s` has a zero stable_table_id or "
                          "table_incarnation_id", k);
        goto done;
    }
    if ((rc = og_graph_table_path(&want, edge, p->stable_table_id, p->table_incarnation_id)))
        goto done;
    if (!p->path || strcmp(p->path, want.data) != 0) {
        rc = og_error_set(OG_E_INVALID, "table `%s` has path `%s`, expected the canonical `%s`", k,
                          p->path ? p->path : "(null)", want.data);
        goto done;
    }
    if (p->table_branch && !p->table_branch[0]) {
        rc = og_error_set(OG_E_INVALID, "table `%s` has an empty table_branch", k);
        goto done;
    }
done:
    og_buf_free(&want);
    return rc;
}

void og_graph_snapshot_free(og_graph_snapshot *s)
{
    if (!s) return;
    free(s->branch);
    free(s->schema_ir_hash);
    for (size_t i = 0; i < s->npins; i++) og_graph_pin_clear(&s->pins[i]);
    free(s->pins);
    og_graph_commit_clear(&s->head);
    memset(s, 0, sizeof *s);
}

og_status og_graph_snapshot_copy(og_graph_snapshot *dst, const og_graph_snapshot *src)
{
    og_status rc = OG_OK;
    og_graph_snapshot t;
    memset(&t, 0, sizeof t);
    memcpy(t.branch_uid, src->branch_uid, sizeof t.branch_uid);
    t.version = src->version;
    t.internal_schema_version = src->internal_schema_version;
    t.head_checked_us = src->head_checked_us;
    if ((rc = og_gstrdup(src->branch, &t.branch))) goto done;
    if ((rc = og_gstrdup(src->schema_ir_hash, &t.schema_ir_hash))) goto done;
    if ((rc = og_graph_commit_copy(&t.head, &src->head))) goto done;
    if (src->npins) {
        t.pins = calloc(src->npins, sizeof *t.pins);
        if (!t.pins) { rc = og_error_set(OG_E_NOMEM, "out of memory copying a snapshot"); goto done; }
        for (; t.npins < src->npins; t.npins++)
            if ((rc = og_graph_pin_copy(&t.pins[t.npins], &src->pins[t.npins]))) goto done;
    }
done:
    if (rc) og_graph_snapshot_free(&t);
    *dst = t;
    return rc;
}

const og_graph_pin *og_graph_snapshot_pin(const og_graph_snapshot *s, const char *table_key)
{
    size_t lo = 0, hi = s->npins;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->pins[mid].table_key, table_key);
        if (c == 0) return &s->pins[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

bool og_graph_snapshot_owns_head(const og_graph_snapshot *s)
{
    return strcmp(s->head.branch_uid, s->branch_uid) == 0 &&
           s->head.manifest_version == s->version;
}

static json_t *pin_to_json(const og_graph_pin *p, og_status *rc)
{
    json_t *o = json_object();
    if (!o) { *rc = og_error_set(OG_E_NOMEM, "out of memory encoding a pin"); return NULL; }
    og_genc_str(o, "table_key", p->table_key, rc);
    og_genc_int(o, "stable_table_id", (int64_t)p->stable_table_id, rc);
    og_genc_int(o, "table_incarnation_id", (int64_t)p->table_incarnation_id, rc);
    og_genc_str(o, "path", p->path, rc);
    og_genc_int(o, "version", (int64_t)p->version, rc);
    og_genc_str(o, "table_branch", p->table_branch, rc);
    og_genc_int(o, "row_count", (int64_t)p->row_count, rc);
    return o;
}

static bool fits_i64(uint64_t v) { return v <= (uint64_t)INT64_MAX; }

og_status og_graph_manifest_encode(const og_graph_snapshot *s, og_buf *out)
{
    og_status rc = OG_OK;
    json_t *o = json_object(), *tables = json_array(), *c = NULL;
    if (!o || !tables) { rc = og_error_set(OG_E_NOMEM, "out of memory encoding a manifest"); goto done; }
    if (!s->branch || !og_ulid_valid(s->branch_uid) || s->version == 0 || !fits_i64(s->version)) {
        rc = og_error_set(OG_E_INVALID, "manifest snapshot lacks a branch, a branch uid or a version");
        goto done;
    }
    for (size_t i = 0; i < s->npins; i++) {
        const og_graph_pin *p = &s->pins[i];
        if ((rc = og_graph_pin_validate(p))) goto done;
        if (i && strcmp(s->pins[i - 1].table_key, p->table_key) >= 0) {
            rc = og_error_set(OG_E_INVALID, "manifest pins are not sorted and unique at `%s`",
                              p->table_key);
            goto done;
        }
        if (!fits_i64(p->stable_table_id) || !fits_i64(p->table_incarnation_id) ||
            !fits_i64(p->version) || !fits_i64(p->row_count)) {
            rc = og_error_set(OG_E_INVALID, "table `%s` has a number above 2^63-1", p->table_key);
            goto done;
        }
        json_t *pj = pin_to_json(p, &rc);
        if (pj && json_array_append_new(tables, pj) != 0 && !rc)
            rc = og_error_set(OG_E_NOMEM, "out of memory encoding a manifest");
        if (rc) goto done;
    }
    if ((rc = og_graph_commit_to_json(&s->head, &c))) goto done;
    og_genc_int(o, "format", OG_GRAPH_MANIFEST_FORMAT, &rc);
    og_genc_int(o, "internal_schema_version", OG_GRAPH_INTERNAL_SCHEMA_VERSION, &rc);
    og_genc_str(o, "branch", s->branch, &rc);
    og_genc_str(o, "branch_uid", s->branch_uid, &rc);
    og_genc_int(o, "version", (int64_t)s->version, &rc);
    og_genc_str(o, "schema_ir_hash", s->schema_ir_hash, &rc);
    og_genc_set(o, "tables", tables, &rc);
    tables = NULL;
    og_genc_set(o, "commit", c, &rc);
    c = NULL;
    if (rc) goto done;
    og_buf_clear(out);
    rc = og_json_dump(o, out);
done:
    json_decref(tables);
    json_decref(c);
    json_decref(o);
    return rc;
}

static const char *const TOP_FIELDS[] = {"format", "internal_schema_version", "branch", "branch_uid",
                                         "version", "schema_ir_hash", "tables", "commit", NULL};
static const char *const PIN_FIELDS[] = {"table_key", "stable_table_id", "table_incarnation_id",
                                         "path", "version", "table_branch", "row_count", NULL};

static og_status pin_from_json(const char *obj, size_t idx, const json_t *j, og_graph_pin *p)
{
    og_status rc = OG_OK;
    char path[48];
    const char *s = NULL;
    snprintf(path, sizeof path, "tables[%zu]", idx);
    memset(p, 0, sizeof *p);
    if ((rc = og_gdec_object(obj, path, j, PIN_FIELDS))) goto done;
    if ((rc = og_gdec_str(obj, path, j, "table_key", false, &s))) goto done;
    if ((rc = og_gstrdup(s, &p->table_key))) goto done;
    if ((rc = og_gdec_u64(obj, path, j, "stable_table_id", &p->stable_table_id))) goto done;
    if ((rc = og_gdec_u64(obj, path, j, "table_incarnation_id", &p->table_incarnation_id))) goto done;
    if ((rc = og_gdec_str(obj, path, j, "path", false, &s))) goto done;
    if ((rc = og_gstrdup(s, &p->path))) goto done;
    if ((rc = og_gdec_u64(obj, path, j, "version", &p->version))) goto done;
    if ((rc = og_gdec_str(obj, path, j, "table_branch", true, &s))) goto done;
    if ((rc = og_gstrdup(s, &p->table_branch))) goto done;
    if ((rc = og_gdec_u64(obj, path, j, "row_count", &p->row_count))) goto done;
    if ((rc = og_graph_pin_validate(p))) {
        char pre[64];
        snprintf(pre, sizeof pre, "field `%s`: ", path);
        rc = og_gerr_corrupt(obj, pre);
        goto done;
    }
done:
    if (rc) og_graph_pin_clear(p);
    return rc;
}

og_status og_graph_manifest_decode(const char *obj, const void *p, size_t n, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    json_t *j = NULL, *tables = NULL;
    const char *s = NULL;
    og_graph_snapshot t;
    memset(&t, 0, sizeof t);
    memset(out, 0, sizeof *out);
    if ((rc = og_json_parse(p, n, &j))) {
        rc = og_gerr_corrupt(obj, "not JSON: ");
        goto done;
    }
    if ((rc = og_gdec_object(obj, "", j, TOP_FIELDS))) goto done;
    if ((rc = og_gdec_format(obj, j, "format", OG_GRAPH_MANIFEST_FORMAT))) goto done;
    int64_t stamp = 0;
    if ((rc = og_gdec_i64(obj, "", j, "internal_schema_version", &stamp))) goto done;
    if (stamp < OG_GRAPH_INTERNAL_SCHEMA_MIN)
        if ((rc = og_gdec_format(obj, j, "internal_schema_version", OG_GRAPH_INTERNAL_SCHEMA_VERSION)))
            goto done;
    if (stamp > OG_GRAPH_INTERNAL_SCHEMA_VERSION)
        if ((rc = og_gdec_format(obj, j, "internal_schema_version", OG_GRAPH_INTERNAL_SCHEMA_VERSION)))
            goto done;
    t.internal_schema_version = (uint32_t)stamp;
    if ((rc = og_gdec_str(obj, "", j, "branch", false, &s))) goto done;
    if (!s[0]) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `branch` is empty", obj);
        goto done;
    }
    if ((rc = og_gstrdup(s, &t.branch))) goto done;
    if ((rc = og_gdec_ulid(obj, "", j, "branch_uid", false, t.branch_uid))) goto done;
    if ((rc = og_gdec_u64(obj, "", j, "version", &t.version))) goto done;
    if (t.version == 0) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `version` is 0", obj);
        goto done;
    }
    if ((rc = og_gdec_str(obj, "", j, "schema_ir_hash", true, &s))) goto done;
    if ((rc = og_gstrdup(s, &t.schema_ir_hash))) goto done;
    tables = json_object_get(j, "tables");
    if (!tables || !json_is_array(tables)) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `tables`: expected an "
                          "array", obj);
        goto done;
    }
    size_t np = json_array_size(tables);
    if (np) {
        t.pins = calloc(np, sizeof *t.pins);
        if (!t.pins) { rc = og_error_set(OG_E_NOMEM, "out of memory decoding `%s`", obj); goto done; }
    }
    for (size_t i = 0; i < np; i++) {
        if ((rc = pin_from_json(obj, i, json_array_get(tables, i), &t.pins[i]))) goto done;
        t.npins++;
        if (i && strcmp(t.pins[i - 1].table_key, t.pins[i].table_key) >= 0) {
            rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `tables[%zu]`: "
                              "table_key `%s` is out of order or repeated", obj, i,
                              t.pins[i].table_key);
            goto done;
        }
        for (size_t k = 0; k < i; k++)
            if (t.pins[k].stable_table_id == t.pins[i].stable_table_id &&
                t.pins[k].table_incarnation_id == t.pins[i].table_incarnation_id) {
                rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `tables[%zu]`: "
                                  "table `%s` repeats the identity of `%s`", obj, i,
                                  t.pins[i].table_key, t.pins[k].table_key);
                goto done;
            }
    }
    if ((rc = og_graph_commit_from_json(obj, "commit", json_object_get(j, "commit"), &t.head)))
        goto done;
    bool same_chain = strcmp(t.head.branch_uid, t.branch_uid) == 0;
    if (same_chain && strcmp(t.head.branch ? t.head.branch : OG_GRAPH_MAIN, t.branch) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `commit.branch` does "
                          "not name branch `%s`", obj, t.branch);
        goto done;
    }
    if ((same_chain && t.head.manifest_version != t.version) || (!same_chain && t.version != 1)) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `commit`: head commit %s "
                          "names chain %s version %" PRIu64 ", not this version %" PRIu64, obj,
                          t.head.id, t.head.branch_uid, t.head.manifest_version, t.version);
        goto done;
    }
done:
    json_decref(j);
    if (rc) og_graph_snapshot_free(&t);
    else *out = t;
    return rc;
}

/* GET + decode + check against the key's uid/version. */
static og_status read_version(og_store *st, const char *uid, uint64_t version, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    if ((rc = og_graph_key_version(&key, uid, version))) goto done;
    if ((rc = og_store_get(st, key.data, &data, NULL))) {
        if (rc == OG_E_NOTFOUND)
            rc = og_error_set(OG_E_NOTFOUND, "manifest version %" PRIu64 " of chain %s does not exist",
                              version, uid);
        goto done;
    }
    if ((rc = og_graph_manifest_decode(key.data, data.data, data.len, out))) goto done;
    if (strcmp(out->branch_uid, uid) != 0 || out->version != version) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: holds chain %s version %" PRIu64,
                          key.data, out->branch_uid, out->version);
        og_graph_snapshot_free(out);
        goto done;
    }
done:
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

og_status og_graph_chain_read(og_store *st, const char *uid, uint64_t version, og_graph_snapshot *out)
{
    memset(out, 0, sizeof *out);
    return read_version(st, uid, version, out);
}

og_status og_graph_chain_head_version(og_store *st, const char *uid, uint64_t *version)
{
    og_status rc = OG_OK;
    og_buf prefix = OG_BUF_INIT;
    og_list l = {0};
    *version = 0;
    if ((rc = og_graph_key_chain(&prefix, uid))) goto done;
    if ((rc = og_store_list(st, prefix.data, NULL, 1, &l))) goto done;
    if (l.len == 0) {
        rc = og_error_set(OG_E_CORRUPT, "manifest chain %s has no versions", uid);
        goto done;
    }
    rc = og_graph_key_version_parse(l.items[0].key, uid, version);
done:
    og_list_free(&l);
    og_buf_free(&prefix);
    return rc;
}

og_status og_graph_chain_head(og_store *st, const char *uid, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_buf prefix = OG_BUF_INIT;
    og_list l = {0};
    uint64_t v = 0;
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_key_chain(&prefix, uid))) goto done;
    if ((rc = og_store_list(st, prefix.data, NULL, 1, &l))) goto done;
    if (l.len == 0) {
        rc = og_error_set(OG_E_CORRUPT, "manifest chain %s has no versions", uid);
        goto done;
    }
    if ((rc = og_graph_key_version_parse(l.items[0].key, uid, &v))) goto done;
    rc = read_version(st, uid, v, out);
done:
    og_list_free(&l);
    og_buf_free(&prefix);
    return rc;
}

static og_status check_branch_name(const og_graph_snapshot *s, const og_graph_ref *r)
{
    if (strcmp(s->branch, r->name) != 0)
        return og_error_set(OG_E_CORRUPT, "manifest chain %s belongs to branch `%s`, but ref `%s` "
                            "names it", r->uid, s->branch, r->name);
    return OG_OK;
}

og_status og_graph_open_head(og_store *st, const char *branch, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_graph_ref r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_ref_read(st, branch, &r))) goto done;
    if ((rc = og_graph_chain_head(st, r.uid, out))) goto done;
    if ((rc = check_branch_name(out, &r))) og_graph_snapshot_free(out);
done:
    og_graph_ref_clear(&r);
    return rc;
}

og_status og_graph_open_version(og_store *st, const char *branch, uint64_t version,
                                og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_graph_ref r;
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_ref_read(st, branch, &r))) goto done;
    if ((rc = read_version(st, r.uid, version, out))) {
        if (rc == OG_E_NOTFOUND)
            rc = og_error_set(OG_E_NOTFOUND, "branch `%s` has no manifest version %" PRIu64, r.name,
                              version);
        goto done;
    }
    if ((rc = check_branch_name(out, &r))) og_graph_snapshot_free(out);
done:
    og_graph_ref_clear(&r);
    return rc;
}

og_status og_graph_open_commit(og_store *st, const char *id, og_graph_snapshot *out)
{
    og_status rc = OG_OK;
    og_graph_commit c;
    memset(out, 0, sizeof *out);
    rc = og_graph_commit_resolve(st, id, true, &c, out);
    og_graph_commit_clear(&c);
    return rc;
}
