/* branch.c — branch refs, name rules, create / list / delete (branch.h).
 * (1) A ref object is {"format":1,"name","uid","from_branch","from_uid",
 *     "from_version","from_commit","created_at"}; it never changes after
 *     creation (the head is found by listing the chain, not in the ref).
 * (2) Create is chain-first, ref-last; delete is ref-first (the logical
 *     delete), chain-reclaim best-effort after.
 * (3) Listing reads only keys, never ref bodies. */
#include "branch.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "table/table.h"
#include "internal.h"
#include "manifest.h"

void og_graph_ref_clear(og_graph_ref *r)
{
    if (!r) return;
    free(r->name);
    free(r->from_branch);
    memset(r, 0, sizeof *r);
}

og_status og_graph_branch_name_check(const char *name, char **out)
{
    og_status rc = OG_OK;
    *out = NULL;
    if (!name) return og_error_set(OG_E_INVALID, "branch name is missing");
    const char *b = name, *e = name + strlen(name);
    while (b < e && isspace((unsigned char)*b)) b++;
    while (e > b && isspace((unsigned char)e[-1])) e--;
    size_t n = (size_t)(e - b);
    if (n == 0) return og_error_set(OG_E_INVALID, "branch name is empty");
    if (n > OG_GRAPH_BRANCH_NAME_MAX)
        return og_error_set(OG_E_INVALID, "branch name is %zu bytes, longer than %d", n,
                            OG_GRAPH_BRANCH_NAME_MAX);
    const char *comp = b;
    for (const char *p = b; p <= e; p++) {
        if (p == e || *p == '/') {
            if (p == comp)
                return og_error_set(OG_E_INVALID, "branch name `%.*s` has an empty path component",
                                    (int)n, b);
            if (*comp == '.')
                return og_error_set(OG_E_INVALID, "branch name `%.*s` has a component starting "
                                    "with `.`", (int)n, b);
            comp = p + 1;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f || c == '\\')
            return og_error_set(OG_E_INVALID, "branch name `%.*s` contains a space, a control "
                                "character or a backslash", (int)n, b);
    }
    char *s = malloc(n + 1);
    if (!s) return og_error_set(OG_E_NOMEM, "out of memory copying a branch name");
    memcpy(s, b, n);
    s[n] = 0;
    *out = s;
    return rc;
}

bool og_graph_branch_is_internal(const char *canonical)
{
    return strncmp(canonical, "__", 2) == 0;
}

static const char *const REF_FIELDS[] = {"format", "name", "uid", "from_branch", "from_uid",
                                         "from_version", "from_commit", "created_at", NULL};

static og_status ref_decode(const char *obj, const og_buf *data, og_graph_ref *out)
{
    og_status rc = OG_OK;
    json_t *j = NULL;
    const char *s = NULL;
    og_graph_ref t;
    memset(&t, 0, sizeof t);
    if ((rc = og_json_parse(data->data, data->len, &j))) {
        rc = og_gerr_corrupt(obj, "not JSON: ");
        goto done;
    }
    if ((rc = og_gdec_object(obj, "", j, REF_FIELDS))) goto done;
    if ((rc = og_gdec_format(obj, j, "format", OG_GRAPH_REF_FORMAT))) goto done;
    if ((rc = og_gdec_str(obj, "", j, "name", false, &s))) goto done;
    if ((rc = og_gstrdup(s, &t.name))) goto done;
    if ((rc = og_gdec_ulid(obj, "", j, "uid", false, t.uid))) goto done;
    if ((rc = og_gdec_str(obj, "", j, "from_branch", true, &s))) goto done;
    if ((rc = og_gstrdup(s, &t.from_branch))) goto done;
    if ((rc = og_gdec_ulid(obj, "", j, "from_uid", true, t.from_uid))) goto done;
    if ((rc = og_gdec_u64(obj, "", j, "from_version", &t.from_version))) goto done;
    if ((rc = og_gdec_ulid(obj, "", j, "from_commit", true, t.from_commit))) goto done;
    if ((rc = og_gdec_i64(obj, "", j, "created_at", &t.created_at_us))) goto done;
    if ((t.from_branch != NULL) != (t.from_uid[0] != 0)) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `from_uid` disagrees "
                          "with `from_branch`", obj);
        goto done;
    }
done:
    json_decref(j);
    if (rc) og_graph_ref_clear(&t);
    *out = t;
    return rc;
}

og_status og_graph_ref_read(og_store *st, const char *branch, og_graph_ref *out)
{
    og_status rc = OG_OK;
    char *name = NULL;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_branch_name_check(branch ? branch : OG_GRAPH_MAIN, &name))) goto done;
    if ((rc = og_graph_key_ref(&key, name))) goto done;
    if ((rc = og_store_get(st, key.data, &data, NULL))) {
        if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch `%s` does not exist", name);
        goto done;
    }
    if ((rc = ref_decode(key.data, &data, out))) goto done;
    if (strcmp(out->name, name) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `name` is `%s`",
                          key.data, out->name);
        og_graph_ref_clear(out);
    }
done:
    free(name);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

og_status og_graph_ref_create(og_store *st, const og_graph_ref *r)
{
    og_status rc = OG_OK;
    json_t *o = json_object();
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory encoding a branch ref"); goto done; }
    og_genc_int(o, "format", OG_GRAPH_REF_FORMAT, &rc);
    og_genc_str(o, "name", r->name, &rc);
    og_genc_str(o, "uid", r->uid, &rc);
    og_genc_str(o, "from_branch", r->from_branch, &rc);
    og_genc_str(o, "from_uid", r->from_uid[0] ? r->from_uid : NULL, &rc);
    og_genc_int(o, "from_version", (int64_t)r->from_version, &rc);
    og_genc_str(o, "from_commit", r->from_commit[0] ? r->from_commit : NULL, &rc);
    og_genc_int(o, "created_at", r->created_at_us, &rc);
    if (rc) goto done;
    if ((rc = og_json_dump(o, &data))) goto done;
    if ((rc = og_graph_key_ref(&key, r->name))) goto done;
    rc = og_store_put_if_absent(st, key.data, data.data, data.len, NULL);
    if (rc == OG_E_PRECONDITION)
        rc = og_error_set(OG_E_EXISTS, "branch `%s` already exists", r->name);
done:
    json_decref(o);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

void og_graph_branch_list_free(og_graph_branch_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->len; i++) free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->len = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

og_status og_graph_branch_list_all(og_store *st, unsigned flags, og_graph_branch_list *out)
{
    og_status rc = OG_OK;
    og_list l = {0};
    og_graph_branch_list res = {0};
    const size_t pl = strlen(OG_GRAPH_REFS_PREFIX);
    memset(out, 0, sizeof *out);
    if ((rc = og_store_list_all(st, OG_GRAPH_REFS_PREFIX, &l))) goto done;
    if (l.len) {
        res.names = calloc(l.len, sizeof *res.names);
        if (!res.names) { rc = og_error_set(OG_E_NOMEM, "out of memory listing branches"); goto done; }
    }
    for (size_t i = 0; i < l.len; i++) {
        const char *k = l.items[i].key;
        size_t kl = strlen(k);
        if (kl <= pl + 5 || strcmp(k + kl - 5, ".json") != 0) {
            rc = og_error_set(OG_E_CORRUPT, "unexpected object `%s` among branch refs", k);
            goto done;
        }
        char *name = strndup(k + pl, kl - pl - 5);
        if (!name) { rc = og_error_set(OG_E_NOMEM, "out of memory listing branches"); goto done; }
        if (og_graph_branch_is_internal(name) && !(flags & OG_GRAPH_BRANCH_INTERNAL)) {
            free(name);
            continue;
        }
        res.names[res.len++] = name;
    }
    if (res.len) qsort(res.names, res.len, sizeof *res.names, cmp_str);
    *out = res;
    memset(&res, 0, sizeof res);
done:
    og_graph_branch_list_free(&res);
    og_list_free(&l);
    return rc;
}

/* True when one of a, b is a '/'-path prefix of the other. */
static bool prefix_clash(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la == lb) return false;
    const char *s = la < lb ? a : b, *l = la < lb ? b : a;
    size_t ls = la < lb ? la : lb;
    return strncmp(s, l, ls) == 0 && l[ls] == '/';
}

/* Lists every live name (internal included) and refuses name if taken or
 * prefix-related to another. skip_self: ignore an exact match (re-check). */
static og_status check_free(og_store *st, const char *name, bool skip_self)
{
    og_status rc = OG_OK;
    og_graph_branch_list l = {0};
    if ((rc = og_graph_branch_list_all(st, OG_GRAPH_BRANCH_INTERNAL, &l))) goto done;
    for (size_t i = 0; i < l.len; i++) {
        if (strcmp(l.names[i], name) == 0) {
            if (skip_self) continue;
            rc = og_error_set(OG_E_EXISTS, "branch `%s` already exists", name);
            goto done;
        }
        if (prefix_clash(l.names[i], name)) {
            rc = og_error_set(OG_E_CONFLICT, "branch `%s` cannot coexist with branch `%s`: live "
                              "branch names may not be path prefixes of each other", name,
                              l.names[i]);
            goto done;
        }
    }
done:
    og_graph_branch_list_free(&l);
    return rc;
}

static og_status policy_name(const char *in, unsigned flags, bool allow_main, char **out)
{
    og_status rc = og_graph_branch_name_check(in, out);
    if (rc) return rc;
    if (!allow_main && strcmp(*out, OG_GRAPH_MAIN) == 0)
        rc = og_error_set(OG_E_INVALID, "branch `main` always exists: it cannot be created or deleted");
    else if (og_graph_branch_is_internal(*out) && !(flags & OG_GRAPH_BRANCH_INTERNAL))
        rc = og_error_set(OG_E_INVALID, "branch `%s` is reserved for internal use", *out);
    if (rc) { free(*out); *out = NULL; }
    return rc;
}

static void reclaim_chain(og_store *st, const char *uid)
{
    og_buf prefix = OG_BUF_INIT;
    if (og_buf_printf(&prefix, OG_GRAPH_CHAINS_PREFIX "%s/", uid) == OG_OK)
        (void)og_store_delete_prefix(st, prefix.data); /* best-effort (2) */
    og_buf_free(&prefix);
}

og_status og_graph_branch_create(og_store *st, const char *name, const char *from, unsigned flags,
                                 og_graph_ref *out)
{
    og_status rc = OG_OK;
    char *nm = NULL, *src = NULL;
    og_graph_snapshot s;
    og_graph_ref r;
    og_ulid uid = {{0}};
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    bool chain_written = false, ref_written = false;
    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    if (out) memset(out, 0, sizeof *out);
    if ((rc = policy_name(name, flags, false, &nm))) goto done;
    if ((rc = policy_name(from ? from : OG_GRAPH_MAIN, flags, true, &src))) goto done;
    if ((rc = check_free(st, nm, false))) goto done;
    if ((rc = og_graph_open_head(st, src, &s))) goto done;
    if ((rc = og_ulid_new(&uid))) goto done;
    /* Version 1 of the new chain: the source's pins and its head commit. */
    free(s.branch);
    s.branch = nm;
    r.from_version = s.version;
    memcpy(r.from_uid, s.branch_uid, sizeof r.from_uid);
    memcpy(s.branch_uid, uid.s, sizeof s.branch_uid);
    s.version = 1;
    rc = og_graph_manifest_encode(&s, &data);
    s.branch = NULL;
    if (rc) goto done;
    if ((rc = og_graph_key_version(&key, uid.s, 1))) goto done;
    if ((rc = og_store_put_if_absent(st, key.data, data.data, data.len, NULL))) goto done;
    chain_written = true;
    r.name = nm;
    nm = NULL;
    memcpy(r.uid, uid.s, sizeof r.uid);
    r.from_branch = src;
    src = NULL;
    memcpy(r.from_commit, s.head.id, sizeof r.from_commit);
    r.created_at_us = og_clock_now_us();
    if ((rc = og_graph_ref_create(st, &r))) goto done;
    ref_written = true;
    /* (4) in branch.h: a racing creator of a prefix-related name. */
    if ((rc = check_free(st, r.name, true))) goto done;
    if (out) { *out = r; memset(&r, 0, sizeof r); }
done:
    if (rc && rc != OG_E_CRASHED) {
        if (ref_written && og_graph_key_ref(&key, r.name) == OG_OK)
            (void)og_store_delete(st, key.data);
        if (chain_written) reclaim_chain(st, uid.s);
    }
    free(nm);
    free(src);
    og_graph_ref_clear(&r);
    og_graph_snapshot_free(&s);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

og_status og_graph_branch_delete(og_store *st, const char *name, unsigned flags)
{
    og_status rc = OG_OK;
    char *nm = NULL;
    og_graph_ref target, other;
    og_graph_branch_list l = {0};
    og_graph_snapshot s;
    og_buf key = OG_BUF_INIT;
    memset(&target, 0, sizeof target);
    memset(&other, 0, sizeof other);
    memset(&s, 0, sizeof s);
    if ((rc = policy_name(name, flags, false, &nm))) goto done;
    if ((rc = og_graph_ref_read(st, nm, &target))) goto done;
    if ((rc = og_graph_branch_list_all(st, OG_GRAPH_BRANCH_INTERNAL, &l))) goto done;
    for (size_t i = 0; i < l.len; i++) {
        if (strcmp(l.names[i], nm) == 0) continue;
        og_graph_ref_clear(&other);
        og_graph_snapshot_free(&s);
        rc = og_graph_ref_read(st, l.names[i], &other);
        if (rc == OG_E_NOTFOUND) { rc = OG_OK; continue; } /* deleted meanwhile */
        if (rc) goto done;
        if (strcmp(other.from_uid, target.uid) == 0) {
            rc = og_error_set(OG_E_CONFLICT, "branch `%s` cannot be deleted: branch `%s` was "
                              "created from it", nm, other.name);
            goto done;
        }
        if ((rc = og_graph_chain_head(st, other.uid, &s))) goto done;
        for (size_t k = 0; k < s.npins; k++)
            if (s.pins[k].table_branch && strcmp(s.pins[k].table_branch, target.uid) == 0) {
                rc = og_error_set(OG_E_CONFLICT, "branch `%s` cannot be deleted: branch `%s` reads "
                                  "table `%s` from it", nm, other.name, s.pins[k].table_key);
                goto done;
            }
    }
    og_graph_snapshot_free(&s);
    if ((rc = og_graph_chain_head(st, target.uid, &s))) goto done;
    if ((rc = og_graph_key_ref(&key, nm))) goto done;
    if ((rc = og_store_delete(st, key.data))) goto done;
    /* branch.h (6): the table forks the branch owns go with it, best-effort. */
    for (size_t k = 0; k < s.npins; k++)
        if (s.pins[k].table_branch && strcmp(s.pins[k].table_branch, target.uid) == 0 &&
            og_table_branch_delete(st, s.pins[k].path, target.uid) != OG_OK)
            og_error_clear();
    reclaim_chain(st, target.uid);
done:
    free(nm);
    og_graph_ref_clear(&target);
    og_graph_ref_clear(&other);
    og_graph_branch_list_free(&l);
    og_graph_snapshot_free(&s);
    og_buf_free(&key);
    return rc;
}

og_status og_graph_branch_name_of_uid(og_store *st, const char *uid, char **out)
{
    og_status rc = OG_OK;
    og_graph_branch_list l = {0};
    *out = NULL;
    if ((rc = og_graph_branch_list_all(st, OG_GRAPH_BRANCH_INTERNAL, &l))) goto done;
    for (size_t i = 0; i < l.len && !*out; i++) {
        og_graph_ref r;
        memset(&r, 0, sizeof r);
        rc = og_graph_ref_read(st, strcmp(l.names[i], OG_GRAPH_MAIN) ? l.names[i] : NULL, &r);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; continue; }  /* deleted meanwhile */
        if (!rc && strcmp(r.uid, uid) == 0 && !(*out = strdup(l.names[i])))
            rc = og_error_set(OG_E_NOMEM, "out of memory");
        og_graph_ref_clear(&r);
        if (rc) goto done;
    }
done:
    og_graph_branch_list_free(&l);
    return rc;
}
