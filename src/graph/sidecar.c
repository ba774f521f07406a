/* sidecar.c — encode/decode and I/O of recovery sidecars (sidecar.h).
 * (1) The JSON is built and read with the strict og_genc_/og_gdec_ helpers
 *     of internal.h, so a sidecar is as strictly validated as a manifest.
 * (2) Every read-back invariant of sidecar.h (4) is checked here, before
 *     recovery acts on a sidecar. */
#include "sidecar.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/failpoint.h"
#include "internal.h"

const char *og_writer_kind_name(og_writer_kind k)
{
    if (k == OG_WRITER_MERGE) return "BranchMerge";
    if (k == OG_WRITER_SCHEMA_APPLY) return "SchemaApply";
    return k == OG_WRITER_LOAD ? "Load" : k == OG_WRITER_OPTIMIZE ? "Optimize" : "Mutation";
}

void og_sidecar_free(og_sidecar *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->ntables; i++) {
        free(s->tables[i].table_key);
        free(s->tables[i].path);
        free(s->tables[i].table_branch);
    }
    free(s->tables);
    free(s->actor);
    free(s->branch);
    memset(s, 0, sizeof *s);
}

og_status og_sidecar_encode(const og_sidecar *s, og_buf *out)
{
    og_status rc = OG_OK;
    json_t *o = json_object(), *arr = json_array();
    char *txt = NULL;
    if (!o || !arr) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    og_genc_int(o, "schema_version", s->schema_version, &rc);
    og_genc_str(o, "operation_id", s->operation_id, &rc);
    og_genc_int(o, "started_at_us", s->started_at_us, &rc);
    og_genc_str(o, "writer_kind", og_writer_kind_name(s->kind), &rc);
    og_genc_str(o, "actor_id", s->actor, &rc);
    og_genc_str(o, "branch", s->branch, &rc);
    og_genc_str(o, "graph_commit_id", s->commit_id, &rc);
    og_genc_str(o, "rollback_graph_commit_id", s->rollback_commit_id, &rc);
    if (s->merge_source[0]) og_genc_str(o, "merge_source_commit_id", s->merge_source, &rc);
    for (size_t i = 0; i < s->ntables && !rc; i++) {
        const og_sidecar_table *t = &s->tables[i];
        json_t *e = json_object();
        if (!e || json_array_append_new(arr, e)) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        og_genc_str(e, "table_key", t->table_key, &rc);
        og_genc_str(e, "table_path", t->path, &rc);
        og_genc_str(e, "table_branch", t->table_branch, &rc);
        og_genc_int(e, "expected_version", (int64_t)t->expected_version, &rc);
        og_genc_int(e, "post_commit_version", (int64_t)t->post_version, &rc);
        og_genc_str(e, "transaction_uuid", t->txn_uuid, &rc);
    }
    og_genc_set(o, "tables", arr, &rc);
    arr = NULL;
    if (rc) goto done;
    txt = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    if (!txt) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    og_buf_clear(out);
    rc = og_buf_append(out, txt, strlen(txt));
done:
    free(txt);
    json_decref(arr);
    json_decref(o);
    return rc;
}

static og_status copy_str(const char *s, char *dst, size_t cap, const char *obj, const char *path, const char *key)
{
    if (strlen(s) > cap)
        return og_error_set(OG_E_CORRUPT, "corrupt recovery sidecar `%s`: %s%s is too long", obj, path, key);
    memcpy(dst, s, strlen(s) + 1);
    return OG_OK;
}

og_status og_sidecar_decode(const char *obj, const void *p, size_t n, og_sidecar *out)
{
    static const char *const top[] = {"schema_version", "operation_id", "started_at_us", "writer_kind",
                                      "actor_id", "branch", "graph_commit_id", "rollback_graph_commit_id",
                                      "tables", "merge_source_commit_id", NULL};
    static const char *const tf[] = {"table_key", "table_path", "table_branch", "expected_version",
                                     "post_commit_version", "transaction_uuid", NULL};
    og_status rc = OG_OK;
    json_error_t je;
    json_t *j = NULL;
    const char *s = NULL;
    int64_t ver = 0;
    memset(out, 0, sizeof *out);
    j = json_loadb(p ? p : "", n, JSON_REJECT_DUPLICATES, &je);
    if (!j) { rc = og_error_set(OG_E_CORRUPT, "corrupt recovery sidecar `%s`: %s", obj, je.text); goto done; }
    if ((rc = og_gdec_object(obj, "", j, top))) goto done;
    if ((rc = og_gdec_i64(obj, "", j, "schema_version", &ver))) goto done;
    if (ver < 1) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt recovery sidecar `%s`: schema_version %lld", obj, (long long)ver);
        goto done;
    }
    if (ver > OG_SIDECAR_SCHEMA_VERSION) {
        rc = og_error_set(OG_E_UNSUPPORTED, "recovery sidecar `%s` has schema_version %lld; this build reads "
                          "up to %d (upgrade omnigraph)", obj, (long long)ver, OG_SIDECAR_SCHEMA_VERSION);
        goto done;
    }
    out->schema_version = (uint32_t)ver;
    if ((rc = og_gdec_ulid(obj, "", j, "operation_id", false, out->operation_id))) goto done;
    if ((rc = og_gdec_i64(obj, "", j, "started_at_us", &out->started_at_us))) goto done;
    if ((rc = og_gdec_str(obj, "", j, "writer_kind", false, &s))) goto done;
    if (!strcmp(s, "Mutation")) out->kind = OG_WRITER_MUTATION;
    else if (!strcmp(s, "Load")) out->kind = OG_WRITER_LOAD;
    else if (!strcmp(s, "Optimize")) out->kind = OG_WRITER_OPTIMIZE;
    else if (!strcmp(s, "BranchMerge")) out->kind = OG_WRITER_MERGE;
    else if (!strcmp(s, "SchemaApply")) out->kind = OG_WRITER_SCHEMA_APPLY;
    else { rc = og_error_set(OG_E_CORRUPT, "corrupt recovery sidecar `%s`: unknown writer_kind `%s`", obj, s); goto done; }
    if ((rc = og_gdec_str(obj, "", j, "actor_id", true, &s)) || (rc = og_gstrdup(s, &out->actor))) goto done;
    if ((rc = og_gdec_str(obj, "", j, "branch", true, &s)) || (rc = og_gstrdup(s, &out->branch))) goto done;
    if ((rc = og_gdec_ulid(obj, "", j, "graph_commit_id", false, out->commit_id))) goto done;
    if ((rc = og_gdec_ulid(obj, "", j, "rollback_graph_commit_id", false, out->rollback_commit_id))) goto done;
    if (json_object_get(j, "merge_source_commit_id") &&
        (rc = og_gdec_ulid(obj, "", j, "merge_source_commit_id", true, out->merge_source)))
        goto done;
    json_t *arr = json_object_get(j, "tables");
    if (!json_is_array(arr)) { rc = og_error_set(OG_E_CORRUPT, "corrupt recovery sidecar `%s`: tables is not an array", obj); goto done; }
    size_t nt = json_array_size(arr);
    out->tables = calloc(nt ? nt : 1, sizeof *out->tables);
    if (!out->tables) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < nt; i++) {
        char path[48];
        snprintf(path, sizeof path, "tables[%zu].", i);
        json_t *e = json_array_get(arr, i);
        og_sidecar_table *t = &out->tables[i];
        out->ntables = i + 1;
        if ((rc = og_gdec_object(obj, path, e, tf))) goto done;
        if ((rc = og_gdec_str(obj, path, e, "table_key", false, &s)) || (rc = og_gstrdup(s, &t->table_key))) goto done;
        if ((rc = og_gdec_str(obj, path, e, "table_path", false, &s)) || (rc = og_gstrdup(s, &t->path))) goto done;
        if ((rc = og_gdec_str(obj, path, e, "table_branch", true, &s)) || (rc = og_gstrdup(s, &t->table_branch))) goto done;
        if ((rc = og_gdec_u64(obj, path, e, "expected_version", &t->expected_version))) goto done;
        if ((rc = og_gdec_u64(obj, path, e, "post_commit_version", &t->post_version))) goto done;
        if ((rc = og_gdec_str(obj, path, e, "transaction_uuid", false, &s))) goto done;
        if ((rc = copy_str(s, t->txn_uuid, OG_SIDECAR_UUID_MAX, obj, path, "transaction_uuid"))) goto done;
        if (t->post_version != t->expected_version + 1 || !*t->txn_uuid ||
            (!t->expected_version && out->kind != OG_WRITER_SCHEMA_APPLY)) { /* schema apply creates tables */
            rc = og_error_set(OG_E_CORRUPT, "corrupt recovery sidecar `%s`: %s versions %llu -> %llu are not "
                              "one exact commit", obj, path, (unsigned long long)t->expected_version,
                              (unsigned long long)t->post_version);
            goto done;
        }
    }
done:
    json_decref(j);
    if (rc) og_sidecar_free(out);
    return rc;
}

og_status og_sidecar_key(og_buf *out, const char *operation_id)
{
    og_buf_clear(out);
    return og_buf_printf(out, "%s%s.json", OG_SIDECAR_PREFIX, operation_id);
}

og_status og_sidecar_write(og_store *st, const og_sidecar *s)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, body = OG_BUF_INIT;
    if ((rc = og_sidecar_encode(s, &body))) goto done;
    if ((rc = og_sidecar_key(&key, s->operation_id))) goto done;
    if ((rc = OG_FAILPOINT("recovery.sidecar_write"))) goto done;
    if ((rc = og_store_put_if_absent(st, og_buf_cstr(&key), body.data, body.len, NULL)))
        og_error_context(rc, "writing recovery sidecar `%s`", og_buf_cstr(&key));
done:
    og_buf_free(&key);
    og_buf_free(&body);
    return rc;
}

og_status og_sidecar_read(og_store *st, const char *key, og_sidecar *out)
{
    og_buf b = OG_BUF_INIT;
    memset(out, 0, sizeof *out);
    og_status rc = og_store_get(st, key, &b, NULL);
    if (!rc) rc = og_sidecar_decode(key, b.data, b.len, out);
    og_buf_free(&b);
    return rc;
}

og_status og_sidecar_delete(og_store *st, const char *operation_id)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT;
    if ((rc = og_sidecar_key(&key, operation_id))) goto done;
    if ((rc = OG_FAILPOINT("recovery.sidecar_delete"))) goto done;
    rc = og_store_delete(st, og_buf_cstr(&key));
done:
    og_buf_free(&key);
    return rc;
}

og_status og_sidecar_list(og_store *st, og_list *out)
{
    og_status rc = OG_FAILPOINT("recovery.sidecar_list");
    memset(out, 0, sizeof *out);
    if (!rc) rc = og_store_list_all(st, OG_SIDECAR_PREFIX, out);
    if (rc) og_error_context(rc, "listing `%s`", OG_SIDECAR_PREFIX);
    return rc;
}

og_status og_sidecar_begin(og_sidecar *sc, og_writer_kind kind, const char *actor, const char *branch)
{
    og_status rc;
    og_ulid op, cid, rid;
    if ((rc = og_ulid_new(&op)) || (rc = og_ulid_new(&cid)) || (rc = og_ulid_new(&rid))) return rc;
    sc->schema_version = OG_SIDECAR_SCHEMA_VERSION;
    memcpy(sc->operation_id, op.s, sizeof sc->operation_id);
    memcpy(sc->commit_id, cid.s, sizeof sc->commit_id);
    memcpy(sc->rollback_commit_id, rid.s, sizeof sc->rollback_commit_id);
    sc->started_at_us = og_clock_now_us();
    sc->kind = kind;
    if ((rc = og_gstrdup(actor, &sc->actor)) || (rc = og_gstrdup(branch, &sc->branch))) return rc;
    return OG_OK;
}
