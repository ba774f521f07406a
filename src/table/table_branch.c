/* table_branch.c — shallow branches of one table.
 * (1) Branch b's versions live under tree/<b>/_versions/ and its new files
 *     under tree/<b>/; its first version is a copy of the parent's manifest
 *     at the fork version, so it references the parent's files (no data
 *     copy). Versions continue from the fork number.
 * (2) The ref _refs/branches/<b>.json is authoritative: it is created last,
 *     with put_if_absent (two creators: exactly one wins), and deleted
 *     first; a tree without a ref is garbage, removed before a re-create.
 * (3) Branch names cannot contain '/', so branch trees are prefix-disjoint. */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static og_status name_check(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.') goto bad;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            goto bad;
    }
    return OG_OK;
bad:
    return og_error_set(OG_E_INVALID, "bad branch name `%.80s`: use 1..64 of [A-Za-z0-9._-]", name);
}

static void prefix_of(const char *name, char out[TBL_PREFIX_MAX])
{
    if (name) snprintf(out, TBL_PREFIX_MAX, "tree/%s/", name);
    else out[0] = 0;
}

static og_status ref_key(const char *root, const char *name, og_buf *out)
{
    char rel[128];
    snprintf(rel, sizeof rel, "_refs/branches/%s.json", name);
    return tbl_key(root, rel, out);
}

const char *og_table_branch(const og_table *t)
{
    return t->branch[0] ? t->branch : NULL;
}

og_status og_table_open_branch(og_store *s, const char *root, const char *name, uint64_t version,
                               og_table **out)
{
    og_status rc;
    og_table *t = NULL;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    char prefix[TBL_PREFIX_MAX];
    uint64_t v = version;
    *out = NULL;
    if (!name) return version ? og_table_open_at(s, root, version, out) : og_table_open(s, root, out);
    if ((rc = name_check(name))) return rc;
    prefix_of(name, prefix);
    if ((rc = ref_key(root, name, &key))) goto done;
    rc = og_store_get(s, key.data, &data, NULL);
    if (rc == OG_E_NOTFOUND) { rc = og_error_set(OG_E_NOTFOUND, "table %s has no branch `%s`", root, name); goto done; }
    if (rc) goto done;
    if (!v && (rc = tbl_latest_version(s, root, prefix, &v))) goto done;
    if (!v) { rc = og_error_set(OG_E_NOTFOUND, "branch `%s` of %s has no versions", name, root); goto done; }
    if ((rc = tbl_table_new(s, root, prefix, &t))) goto done;
    tbl_mbox *b = NULL;
    if (!(rc = tbl_load_box(s, root, prefix, v, &b, &t->meta))) tbl_table_set_box(t, b);
done:
    if (rc) og_table_close(t);
    else *out = t;
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

og_status og_table_branch_create(og_store *s, const char *root, const char *name,
                                 const char *from, uint64_t from_version)
{
    og_status rc;
    og_table *src = NULL;
    og_buf key = OG_BUF_INIT, enc = OG_BUF_INIT, tree = OG_BUF_INIT, data = OG_BUF_INIT;
    og_manifest m;
    char prefix[TBL_PREFIX_MAX], rel[160], uuid[33];
    char *text = NULL;
    json_t *o = NULL;
    memset(&m, 0, sizeof m);
    if ((rc = name_check(name))) return rc;
    prefix_of(name, prefix);
    if ((rc = ref_key(root, name, &key))) goto done;
    rc = og_store_get(s, key.data, &data, NULL);
    if (rc == OG_OK) { rc = og_error_set(OG_E_EXISTS, "branch `%s` of %s already exists", name, root); goto done; }
    if (rc != OG_E_NOTFOUND) goto done;
    if ((rc = og_table_open_branch(s, root, from, from_version, &src))) goto done;
    /* a tree without a ref is garbage of an earlier delete or create */
    if ((rc = tbl_key(root, prefix, &tree)) || (rc = og_store_delete_prefix(s, tree.data))) goto done;
    if ((rc = og_manifest_copy(&m, &src->m))) goto done;
    m.timestamp_us = tbl_now_us();
    tbl_version_rel(prefix, m.version, rel);
    if ((rc = og_manifest_encode(&m, &enc)) || (rc = tbl_key(root, rel, &tree)) ||
        (rc = og_store_put_if_absent(s, tree.data, enc.data, enc.len, NULL)))
        goto done;
    if ((rc = tbl_rand_hex(uuid))) goto done;
    o = json_pack("{s:s, s:I, s:s}", "parent", from ? from : "", "parent_version", (json_int_t)m.version,
                  "uuid", uuid);
    text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!text) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = og_store_put_if_absent(s, key.data, text, strlen(text), NULL);
    if (rc == OG_E_PRECONDITION) rc = og_error_set(OG_E_EXISTS, "branch `%s` of %s was created concurrently", name, root);
done:
    free(text);
    json_decref(o);
    og_manifest_free(&m);
    og_table_close(src);
    og_buf_free(&key);
    og_buf_free(&enc);
    og_buf_free(&tree);
    og_buf_free(&data);
    return rc;
}

og_status og_table_branch_delete(og_store *s, const char *root, const char *name)
{
    og_status rc;
    og_buf key = OG_BUF_INIT, tree = OG_BUF_INIT;
    og_obj_meta meta;
    char prefix[TBL_PREFIX_MAX];
    if ((rc = name_check(name))) return rc;
    prefix_of(name, prefix);
    if ((rc = ref_key(root, name, &key))) goto done;
    rc = og_store_head(s, key.data, &meta);
    if (rc == OG_E_NOTFOUND) { rc = og_error_set(OG_E_NOTFOUND, "table %s has no branch `%s`", root, name); goto done; }
    if (rc || (rc = og_store_delete(s, key.data))) goto done;
    if (!(rc = tbl_key(root, prefix, &tree))) rc = og_store_delete_prefix(s, tree.data);
done:
    og_buf_free(&key);
    og_buf_free(&tree);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

og_status og_table_branch_list(og_store *s, const char *root, char ***names, size_t *n)
{
    og_status rc;
    og_buf prefix = OG_BUF_INIT;
    og_list l = {0};
    char **v = NULL;
    size_t k = 0;
    *names = NULL;
    *n = 0;
    if ((rc = tbl_key(root, "_refs/branches/", &prefix)) || (rc = og_store_list_all(s, prefix.data, &l))) goto done;
    v = calloc(l.len + 1, sizeof *v);
    if (!v) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < l.len; i++) {
        const char *b = l.items[i].key + prefix.len;
        size_t len = strlen(b);
        if (len <= 5 || strcmp(b + len - 5, ".json")) continue;
        v[k] = strndup(b, len - 5);
        if (!v[k]) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        k++;
    }
    qsort(v, k, sizeof *v, cmp_str);
    *names = v;
    *n = k;
    v = NULL;
done:
    for (size_t i = 0; v && i < k; i++) free(v[i]);
    free(v);
    og_list_free(&l);
    og_buf_free(&prefix);
    return rc;
}

og_status og_table_branch_info(og_store *s, const char *root, const char *name, og_branch_info *out)
{
    og_status rc;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    json_t *o = NULL;
    const char *parent = NULL, *lineage = NULL;
    json_int_t pv = 0;
    memset(out, 0, sizeof *out);
    if ((rc = name_check(name)) || (rc = ref_key(root, name, &key))) goto done;
    rc = og_store_get(s, key.data, &data, NULL);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch `%s` of %s does not exist", name, root);
    if (rc) goto done;
    o = json_loadb(data.data, data.len, 0, NULL);
    if (!o || json_unpack(o, "{s:s, s:I, s:s}", "parent", &parent, "parent_version", &pv, "uuid", &lineage) ||
        strlen(parent) >= sizeof out->parent || strlen(lineage) >= sizeof out->lineage || pv < 0) {
        rc = og_error_set(OG_E_CORRUPT, "branch ref `%s` of %s is corrupt", name, root);
        goto done;
    }
    snprintf(out->parent, sizeof out->parent, "%s", parent);
    snprintf(out->lineage, sizeof out->lineage, "%s", lineage);
    out->parent_version = (uint64_t)pv;
done:
    json_decref(o);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}
