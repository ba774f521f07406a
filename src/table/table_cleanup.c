/* table_cleanup.c — version GC.
 * (1) The latest main version is never removed; a version is removed only
 *     when it matches every bound given.
 * (2) Manifests go first, files second: a crash in between leaves only
 *     unreferenced files, which the next cleanup removes.
 * (3) A file is removed only when no remaining manifest (main or any
 *     branch) references it and its ULID name says it is older than the
 *     grace period, so files of in-flight staged writes survive.
 * (4) A branch's GC touches only its own versions and the files under its
 *     own tree; every manifest of main and of every other branch keeps
 *     its files (a shallow fork references its parent's files, so a
 *     parent's file stays while any fork version names it).
 * (5) Reclaiming a branch deletes its ref first, then every version, then
 *     its unreferenced files: a crash leaves a tree without a ref, which
 *     og_table_branch_trees still lists and the next reclaim finishes.
 * (6) A dry run deletes nothing and counts what would go.
 * (7) Checkpoint objects (docs/format.md §4.2) are files like the others:
 *     kept while a remaining version is stored against one. Versions
 *     never depend on each other, so removing any version leaves every
 *     other one readable. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include "base/ulid.h"
#include "base/vec.h"

#define DEFAULT_GRACE_US (3600LL * 1000000)

typedef OG_VEC(char *) str_vec;

static og_status keep(str_vec *v, const char *s)
{
    if (!s) return OG_OK;
    char *d = strdup(s);
    if (!d) return og_error_set(OG_E_NOMEM, "out of memory");
    og_status rc = og_vec_push(v, d);
    if (rc) free(d);
    return rc;
}

static og_status collect(const og_manifest *m, str_vec *refs)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < m->nfrags && !rc; i++) {
        rc = keep(refs, m->frags[i].file);
        if (!rc) rc = keep(refs, m->frags[i].pack);
        if (!rc) rc = keep(refs, m->frags[i].deletion_file);
    }
    for (size_t i = 0; i < m->nindices && !rc; i++) rc = keep(refs, m->indices[i].file);
    if (!rc) rc = keep(refs, m->txn.keys_file);
    if (!rc) rc = keep(refs, m->delta_base_file); /* the checkpoint a delta is stored against */
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Creation time (ms) from the first ULID-shaped run in rel; 0 if none. */
static uint64_t name_time_ms(const char *rel)
{
    size_t n = strlen(rel);
    for (size_t i = 0; i + OG_ULID_LEN <= n; i++) {
        char buf[OG_ULID_LEN + 1];
        if (i > 0 && rel[i - 1] != '/' && rel[i - 1] != '-') continue;
        memcpy(buf, rel + i, OG_ULID_LEN);
        buf[OG_ULID_LEN] = 0;
        if (og_ulid_valid(buf)) return og_ulid_time_ms(buf);
    }
    return 0;
}

/* Parses "<prefix>_versions/<20 digits>.manifest" relative keys. */
static uint64_t version_of(const char *rel)
{
    const char *p = strstr(rel, "_versions/");
    if (!p || strlen(p + 10) != 29 || strcmp(p + 30, ".manifest")) return 0;
    uint64_t x = 0;
    for (int i = 0; i < 20; i++) {
        if (p[10 + i] < '0' || p[10 + i] > '9') return 0;
        x = x * 10 + (uint64_t)(p[10 + i] - '0');
    }
    return UINT64_MAX - x;
}

og_status og_table_cleanup(og_store *s, const char *root, const og_cleanup_opts *o, og_cleanup_stats *st)
{
    return og_table_cleanup_keep(s, root, o, NULL, st);
}

/* Collects the refs of every manifest under `list_rel` except those under
 * `skip_prefix` (a branch's own versions, handled by the caller). */
static og_status collect_all(og_store *s, const char *root, size_t rootlen, const char *list_rel,
                             const char *skip_prefix, str_vec *refs)
{
    og_status rc;
    og_list l = {0};
    og_buf key = OG_BUF_INIT;
    size_t skiplen = strlen(skip_prefix);
    if ((rc = tbl_key(root, list_rel, &key)) || (rc = og_store_list_all(s, key.data, &l))) goto done;
    for (size_t i = 0; i < l.len; i++) {
        const char *rel = l.items[i].key + rootlen;
        uint64_t v = version_of(rel);
        if (!v || (skiplen && !strncmp(rel, skip_prefix, skiplen))) continue;
        const char *cut = strstr(rel, "_versions/");
        char prefix[TBL_PREFIX_MAX];
        if ((size_t)(cut - rel) >= sizeof prefix) continue;
        memcpy(prefix, rel, (size_t)(cut - rel));
        prefix[cut - rel] = 0;
        og_manifest m;
        rc = tbl_load_manifest(s, root, prefix, v, &m);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; continue; }
        if (rc) goto done;
        rc = collect(&m, refs);
        og_manifest_free(&m);
        if (rc) goto done;
    }
done:
    og_list_free(&l);
    og_buf_free(&key);
    return rc;
}

/* One GC pass over the versions under `prefix` ("" = main,
 * "tree/<b>/"). reclaim: every version goes (the latest too) and files
 * without a creation time in their name go as well. */
static og_status gc_run(og_store *s, const char *root, const char *prefix, const og_cleanup_opts *o,
                        const og_cleanup_keep *k, bool reclaim, bool dry_run, og_cleanup_stats *st)
{
    static const og_cleanup_keep no_keep = {0, NULL, 0};
    og_status rc = OG_OK;
    og_list vl = {0}, fl = {0};
    og_buf key = OG_BUF_INIT;
    str_vec refs = {0};
    uint64_t latest = 0;
    og_cleanup_stats stats = {0, 0};
    int64_t grace = o->grace_us < 0 ? DEFAULT_GRACE_US : o->grace_us;
    size_t rootlen = root[0] ? strlen(root) + (root[strlen(root) - 1] == '/' ? 0 : 1) : 0;
    static const char *const dirs[] = {"data/", "_deletions/", "_txn/", "_indices/", "_checkpoints/"};
    char rel[TBL_PREFIX_MAX + 16];
    if (!k) k = &no_keep;
    if (!reclaim && !o->before_version && !o->before_timestamp_us && !k->keep_versions)
        return og_error_set(OG_E_INVALID, "cleanup needs a version, timestamp or keep-count bound");
    snprintf(rel, sizeof rel, "%s_versions/", prefix);
    if ((rc = tbl_key(root, rel, &key)) || (rc = og_store_list_all(s, key.data, &vl))) goto done;
    size_t nvalid = 0, older = 0;
    for (size_t i = 0; i < vl.len; i++) {
        uint64_t v = version_of(vl.items[i].key + rootlen);
        if (v > latest) latest = v;
        if (v) nvalid++;
    }
    /* 1. remove matching manifests, oldest first; keep the others' refs.
     * The LIST is newest first: rank 0 is the latest. */
    for (size_t i = vl.len; i-- > 0;) {
        uint64_t v = version_of(vl.items[i].key + rootlen);
        og_manifest m;
        if (!v) continue;
        size_t rank = nvalid - 1 - older++;
        if (reclaim) {
            if (!dry_run && (rc = og_store_delete(s, vl.items[i].key))) goto done;
            stats.versions_removed++;
            continue;
        }
        rc = tbl_load_manifest(s, root, prefix, v, &m);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; continue; }
        if (rc) goto done;
        bool drop = v != latest && (!o->before_version || v < o->before_version) &&
                    (!o->before_timestamp_us || m.timestamp_us < o->before_timestamp_us) &&
                    (!k->keep_versions || rank >= k->keep_versions);
        for (size_t p = 0; drop && p < k->nprotected; p++) drop = k->protected_versions[p] != v;
        if (drop) {
            if (!dry_run) rc = og_store_delete(s, vl.items[i].key);
            if (!rc) stats.versions_removed++;
        } else {
            rc = collect(&m, &refs);
        }
        og_manifest_free(&m);
        if (rc) goto done;
    }
    /* 2. every other branch's versions (and main's, for a branch) keep
     * their files */
    if (prefix[0] && (rc = collect_all(s, root, rootlen, "_versions/", "", &refs))) goto done;
    if ((rc = collect_all(s, root, rootlen, "tree/", prefix, &refs))) goto done;
    if (refs.len) qsort(refs.items, refs.len, sizeof *refs.items, cmp_str);
    /* 3. unreferenced old files of this tree (a dry run cannot tell which
     * files the versions it would remove free, so it counts none) */
    uint64_t now_ms = (uint64_t)(tbl_now_us() / 1000);
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0] && !dry_run; d++) {
        og_list_free(&fl);
        snprintf(rel, sizeof rel, "%s%s", prefix, dirs[d]);
        if ((rc = tbl_key(root, rel, &key)) || (rc = og_store_list_all(s, key.data, &fl))) goto done;
        for (size_t i = 0; i < fl.len; i++) {
            const char *frel = fl.items[i].key + rootlen;
            const char *probe = frel;
            if (refs.len && bsearch(&probe, refs.items, refs.len, sizeof *refs.items, cmp_str)) continue;
            uint64_t t = name_time_ms(frel);
            if (!t && !reclaim) continue;
            if (t && t + (uint64_t)(grace / 1000) > now_ms) continue;
            if ((rc = og_store_delete(s, fl.items[i].key))) goto done;
            stats.files_removed++;
        }
    }
done:
    if (st) *st = stats;
    for (size_t i = 0; i < refs.len; i++) free(refs.items[i]);
    og_vec_free(&refs);
    og_list_free(&vl);
    og_list_free(&fl);
    og_buf_free(&key);
    return rc;
}

static og_status branch_prefix(const char *name, char out[TBL_PREFIX_MAX])
{
    size_t n = name ? strlen(name) : 0;
    out[0] = 0;
    if (!name) return OG_OK;
    if (n == 0 || n > 64 || name[0] == '.' || strchr(name, '/'))
        return og_error_set(OG_E_INVALID, "bad branch name `%.80s`", name);
    snprintf(out, TBL_PREFIX_MAX, "tree/%s/", name);
    return OG_OK;
}

og_status og_table_cleanup_keep(og_store *s, const char *root, const og_cleanup_opts *o, const og_cleanup_keep *k,
                                og_cleanup_stats *st)
{
    return gc_run(s, root, "", o, k, false, false, st);
}

og_status og_table_cleanup_branch(og_store *s, const char *root, const char *name, const og_cleanup_opts *o,
                                  const og_cleanup_keep *k, bool dry_run, og_cleanup_stats *st)
{
    char prefix[TBL_PREFIX_MAX];
    og_status rc = branch_prefix(name, prefix);
    if (st) memset(st, 0, sizeof *st);
    return rc ? rc : gc_run(s, root, prefix, o, k, false, dry_run, st);
}

og_status og_table_branch_reclaim(og_store *s, const char *root, const char *name, const og_cleanup_opts *o,
                                  bool dry_run, og_cleanup_stats *st)
{
    char prefix[TBL_PREFIX_MAX], rel[128];
    og_buf key = OG_BUF_INIT;
    og_status rc = branch_prefix(name, prefix);
    if (st) memset(st, 0, sizeof *st);
    if (rc || !name) return rc ? rc : og_error_set(OG_E_INVALID, "main cannot be reclaimed");
    snprintf(rel, sizeof rel, "_refs/branches/%s.json", name);
    if (!dry_run && !(rc = tbl_key(root, rel, &key))) {
        rc = og_store_delete(s, key.data);
        if (rc == OG_E_NOTFOUND) { og_error_clear(); rc = OG_OK; }
    }
    og_buf_free(&key);
    return rc ? rc : gc_run(s, root, prefix, o, NULL, true, dry_run, st);
}

og_status og_table_branch_trees(og_store *s, const char *root, char ***names, size_t *n)
{
    og_status rc;
    og_buf prefix = OG_BUF_INIT;
    og_list l = {0};
    str_vec v = {0};
    *names = NULL;
    *n = 0;
    if ((rc = tbl_key(root, "tree/", &prefix)) || (rc = og_store_list_all(s, prefix.data, &l))) goto done;
    for (size_t i = 0; i < l.len && !rc; i++) {
        const char *b = l.items[i].key + prefix.len, *slash = strchr(b, '/');
        if (!slash || slash == b) continue;
        size_t len = (size_t)(slash - b);
        if (v.len && strlen(v.items[v.len - 1]) == len && !strncmp(v.items[v.len - 1], b, len)) continue;
        char *d = strndup(b, len);
        if (!d) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        if ((rc = og_vec_push(&v, d))) free(d);
    }
    if (rc) goto done;
    /* a listing sorts "a-x/" before "a/": names are not adjacent-unique
     * in general, so dedupe after sorting */
    if (v.len) qsort(v.items, v.len, sizeof *v.items, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (k && !strcmp(v.items[k - 1], v.items[i])) { free(v.items[i]); continue; }
        v.items[k++] = v.items[i];
    }
    v.len = k;
    char **out = calloc(k + 1, sizeof *out);
    if (!out) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if (k) memcpy(out, v.items, k * sizeof *out);
    *names = out;
    *n = k;
    v.len = 0;
done:
    for (size_t i = 0; i < v.len; i++) free(v.items[i]);
    og_vec_free(&v);
    og_list_free(&l);
    og_buf_free(&prefix);
    return rc;
}
