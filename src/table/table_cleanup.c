/* table_cleanup.c — version GC.
 * (1) The latest main version is never removed; a version is removed only
 *     when it matches every bound given.
 * (2) Manifests go first, files second: a crash in between leaves only
 *     unreferenced files, which the next cleanup removes.
 * (3) A file is removed only when no remaining manifest (main or any
 *     branch) references it and its ULID name says it is older than the
 *     grace period, so files of in-flight staged writes survive. */
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

og_status og_table_cleanup_keep(og_store *s, const char *root, const og_cleanup_opts *o, const og_cleanup_keep *k,
                                og_cleanup_stats *st)
{
    static const og_cleanup_keep no_keep = {0, NULL, 0};
    og_status rc = OG_OK;
    og_list vl = {0}, tl = {0}, fl = {0};
    og_buf key = OG_BUF_INIT;
    str_vec refs = {0};
    uint64_t latest = 0;
    og_cleanup_stats stats = {0, 0};
    int64_t grace = o->grace_us < 0 ? DEFAULT_GRACE_US : o->grace_us;
    size_t rootlen = root[0] ? strlen(root) + (root[strlen(root) - 1] == '/' ? 0 : 1) : 0;
    static const char *const dirs[] = {"data/", "_deletions/", "_txn/", "_indices/"};
    if (!k) k = &no_keep;
    if (!o->before_version && !o->before_timestamp_us && !k->keep_versions)
        return og_error_set(OG_E_INVALID, "cleanup needs a version, timestamp or keep-count bound");
    if ((rc = tbl_key(root, "_versions/", &key)) || (rc = og_store_list_all(s, key.data, &vl))) goto done;
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
        rc = tbl_load_manifest(s, root, "", v, &m);
        if (rc == OG_E_NOTFOUND) { rc = OG_OK; continue; }
        if (rc) goto done;
        bool drop = v != latest && (!o->before_version || v < o->before_version) &&
                    (!o->before_timestamp_us || m.timestamp_us < o->before_timestamp_us) &&
                    (!k->keep_versions || rank >= k->keep_versions);
        for (size_t p = 0; drop && p < k->nprotected; p++) drop = k->protected_versions[p] != v;
        if (drop) {
            rc = og_store_delete(s, vl.items[i].key);
            if (!rc) stats.versions_removed++;
        } else {
            rc = collect(&m, &refs);
        }
        og_manifest_free(&m);
        if (rc) goto done;
    }
    /* 2. every branch version keeps its files */
    if ((rc = tbl_key(root, "tree/", &key)) || (rc = og_store_list_all(s, key.data, &tl))) goto done;
    for (size_t i = 0; i < tl.len; i++) {
        const char *rel = tl.items[i].key + rootlen;
        uint64_t v = version_of(rel);
        if (!v) continue;
        const char *cut = strstr(rel, "_versions/");
        char prefix[TBL_PREFIX_MAX];
        if ((size_t)(cut - rel) >= sizeof prefix) continue;
        memcpy(prefix, rel, (size_t)(cut - rel));
        prefix[cut - rel] = 0;
        og_manifest m;
        rc = tbl_load_manifest(s, root, prefix, v, &m);
        if (rc == OG_E_NOTFOUND) { rc = OG_OK; continue; }
        if (rc) goto done;
        rc = collect(&m, &refs);
        og_manifest_free(&m);
        if (rc) goto done;
    }
    if (refs.len) qsort(refs.items, refs.len, sizeof *refs.items, cmp_str);
    /* 3. unreferenced old files of the main tree */
    uint64_t now_ms = (uint64_t)(tbl_now_us() / 1000);
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        og_list_free(&fl);
        if ((rc = tbl_key(root, dirs[d], &key)) || (rc = og_store_list_all(s, key.data, &fl))) goto done;
        for (size_t i = 0; i < fl.len; i++) {
            const char *rel = fl.items[i].key + rootlen;
            const char *probe = rel;
            if (refs.len && bsearch(&probe, refs.items, refs.len, sizeof *refs.items, cmp_str)) continue;
            uint64_t t = name_time_ms(rel);
            if (!t || t + (uint64_t)(grace / 1000) > now_ms) continue;
            if ((rc = og_store_delete(s, fl.items[i].key))) goto done;
            stats.files_removed++;
        }
    }
done:
    if (st) *st = stats;
    for (size_t i = 0; i < refs.len; i++) free(refs.items[i]);
    og_vec_free(&refs);
    og_list_free(&vl);
    og_list_free(&tl);
    og_list_free(&fl);
    og_buf_free(&key);
    return rc;
}
