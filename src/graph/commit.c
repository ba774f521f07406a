/* commit.c — commit records, commit objects and the lineage walk (commit.h).
 * (1) A commit object is {"format": 1, "commit": {record}}; the record is
 *     the same JSON the version object embeds as its head.
 * (2) og_graph_commit_get trusts a commit object only after reading the
 *     version it names and finding that commit as the version's own head.
 * (3) The lineage walk starts from a verified head and follows parent and
 *     merged_parent links; commits reached that way were published (a
 *     version's head names only published parents), so they are not
 *     re-verified. A missing parent object is corruption.
 * (4) A commit whose manifest version cleanup reclaimed (its chain still
 *     holds only newer versions) is "no longer retained": a snapshot of it
 *     fails saying so; og_graph_commit_get still returns its record. */
#include "commit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/map.h"
#include "branch.h"
#include "internal.h"
#include "manifest.h"

void og_graph_commit_clear(og_graph_commit *c)
{
    if (!c) return;
    free(c->actor);
    free(c->branch);
    memset(c, 0, sizeof *c);
}

og_status og_graph_commit_copy(og_graph_commit *dst, const og_graph_commit *src)
{
    og_status rc = OG_OK;
    og_graph_commit t = *src;
    t.actor = t.branch = NULL;
    if ((rc = og_gstrdup(src->actor, &t.actor))) goto done;
    if ((rc = og_gstrdup(src->branch, &t.branch))) goto done;
done:
    if (rc) og_graph_commit_clear(&t);
    *dst = t;
    return rc;
}

og_status og_graph_commit_to_json(const og_graph_commit *c, json_t **out)
{
    og_status rc = OG_OK;
    json_t *o = json_object();
    *out = NULL;
    if (!o) return og_error_set(OG_E_NOMEM, "out of memory encoding a commit");
    if (!og_ulid_valid(c->id) || !og_ulid_valid(c->branch_uid) || c->manifest_version == 0 ||
        c->manifest_version > (uint64_t)INT64_MAX ||
        (c->parent[0] && !og_ulid_valid(c->parent)) ||
        (c->merged_parent[0] && !og_ulid_valid(c->merged_parent))) {
        rc = og_error_set(OG_E_INVALID, "commit record `%s` has a malformed id, parent, branch uid "
                          "or manifest version", c->id);
        goto done;
    }
    og_genc_str(o, "id", c->id, &rc);
    og_genc_str(o, "parent", c->parent[0] ? c->parent : NULL, &rc);
    og_genc_str(o, "merged_parent", c->merged_parent[0] ? c->merged_parent : NULL, &rc);
    og_genc_str(o, "actor", c->actor, &rc);
    og_genc_str(o, "branch", c->branch, &rc);
    og_genc_str(o, "branch_uid", c->branch_uid, &rc);
    og_genc_int(o, "manifest_version", (int64_t)c->manifest_version, &rc);
    og_genc_int(o, "created_at", c->created_at_us, &rc);
done:
    if (rc) json_decref(o);
    else *out = o;
    return rc;
}

static const char *const COMMIT_FIELDS[] = {"id", "parent", "merged_parent", "actor", "branch",
                                            "branch_uid", "manifest_version", "created_at", NULL};

og_status og_graph_commit_from_json(const char *obj, const char *path, const json_t *j,
                                    og_graph_commit *out)
{
    og_status rc = OG_OK;
    const char *s = NULL;
    og_graph_commit t;
    memset(&t, 0, sizeof t);
    memset(out, 0, sizeof *out);
    if ((rc = og_gdec_object(obj, path, j, COMMIT_FIELDS))) goto done;
    if ((rc = og_gdec_ulid(obj, path, j, "id", false, t.id))) goto done;
    if ((rc = og_gdec_ulid(obj, path, j, "parent", true, t.parent))) goto done;
    if ((rc = og_gdec_ulid(obj, path, j, "merged_parent", true, t.merged_parent))) goto done;
    if ((rc = og_gdec_str(obj, path, j, "actor", true, &s))) goto done;
    if ((rc = og_gstrdup(s, &t.actor))) goto done;
    if ((rc = og_gdec_str(obj, path, j, "branch", true, &s))) goto done;
    if (s && (!s[0] || strcmp(s, "main") == 0)) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `%s.branch`: `%s` is "
                          "not a branch name (main is null)", obj, path, s);
        goto done;
    }
    if ((rc = og_gstrdup(s, &t.branch))) goto done;
    if ((rc = og_gdec_ulid(obj, path, j, "branch_uid", false, t.branch_uid))) goto done;
    if ((rc = og_gdec_u64(obj, path, j, "manifest_version", &t.manifest_version))) goto done;
    if (t.manifest_version == 0) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `%s.manifest_version` "
                          "is 0", obj, path);
        goto done;
    }
    if ((rc = og_gdec_i64(obj, path, j, "created_at", &t.created_at_us))) goto done;
    if (strcmp(t.parent, t.id) == 0 || strcmp(t.merged_parent, t.id) == 0 ||
        (t.merged_parent[0] && !t.parent[0])) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: field `%s`: commit %s has "
                          "impossible parents", obj, path, t.id);
        goto done;
    }
done:
    if (rc) og_graph_commit_clear(&t);
    else *out = t;
    return rc;
}

og_status og_graph_commit_put(og_store *st, const og_graph_commit *c)
{
    og_status rc = OG_OK;
    json_t *o = json_object(), *rec = NULL;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory encoding a commit"); goto done; }
    if ((rc = og_graph_commit_to_json(c, &rec))) goto done;
    og_genc_int(o, "format", OG_GRAPH_COMMIT_FORMAT, &rc);
    og_genc_set(o, "commit", rec, &rc);
    rec = NULL;
    if (rc) goto done;
    if ((rc = og_json_dump(o, &data))) goto done;
    if ((rc = og_graph_key_commit(&key, c->id))) goto done;
    rc = og_store_put(st, key.data, data.data, data.len, NULL);
done:
    json_decref(rec);
    json_decref(o);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

static const char *const COMMIT_OBJ_FIELDS[] = {"format", "commit", NULL};

/* GET + decode commits/{id}.json; checks the record's id is `id`. */
static og_status read_commit_object(og_store *st, const char *id, og_graph_commit *out)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    json_t *j = NULL;
    memset(out, 0, sizeof *out);
    if (!og_ulid_valid(id)) {
        rc = og_error_set(OG_E_INVALID, "`%s` is not a commit id (a ULID)", id);
        goto done;
    }
    if ((rc = og_graph_key_commit(&key, id))) goto done;
    if ((rc = og_store_get(st, key.data, &data, NULL))) {
        if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "commit %s does not exist", id);
        goto done;
    }
    if ((rc = og_json_parse(data.data, data.len, &j))) {
        rc = og_gerr_corrupt(key.data, "not JSON: ");
        goto done;
    }
    if ((rc = og_gdec_object(key.data, "", j, COMMIT_OBJ_FIELDS))) goto done;
    if ((rc = og_gdec_format(key.data, j, "format", OG_GRAPH_COMMIT_FORMAT))) goto done;
    if ((rc = og_graph_commit_from_json(key.data, "commit", json_object_get(j, "commit"), out)))
        goto done;
    if (strcmp(out->id, id) != 0) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt manifest object `%s`: holds commit %s", key.data,
                          out->id);
        og_graph_commit_clear(out);
        goto done;
    }
done:
    json_decref(j);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

/* (4) the oldest version still stored on chain uid; false when none. */
static bool chain_oldest(og_store *st, const char *uid, uint64_t *out)
{
    og_buf prefix = OG_BUF_INIT;
    og_list l;
    bool found = false;
    memset(&l, 0, sizeof l);
    if (!og_graph_key_chain(&prefix, uid) && !og_store_list_all(st, og_buf_cstr(&prefix), &l) && l.len)
        found = og_graph_key_version_parse(l.items[l.len - 1].key, uid, out) == OG_OK;
    og_list_free(&l);
    og_buf_free(&prefix);
    og_error_clear();
    return found;
}

og_status og_graph_commit_resolve(og_store *st, const char *id, bool require_live,
                                  og_graph_commit *out, struct og_graph_snapshot *snap)
{
    og_status rc = OG_OK;
    og_graph_snapshot s;
    og_graph_commit c;
    og_graph_ref r;
    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    if ((rc = read_commit_object(st, id, &c))) goto done;
    if (require_live) {
        rc = og_graph_ref_read(st, c.branch, &r);
        if (rc == OG_E_NOTFOUND)
            rc = og_error_set(OG_E_NOTFOUND, "commit %s was made on branch `%s`, which was deleted",
                              id, c.branch ? c.branch : OG_GRAPH_MAIN);
        else if (!rc && strcmp(r.uid, c.branch_uid) != 0)
            rc = og_error_set(OG_E_NOTFOUND, "commit %s was made on a branch `%s` that was deleted "
                              "and recreated since", id, r.name);
        if (rc) { og_graph_commit_clear(&c); goto done; }
    }
    rc = og_graph_chain_read(st, c.branch_uid, c.manifest_version, &s);
    uint64_t oldest = 0;
    if (rc == OG_E_NOTFOUND && chain_oldest(st, c.branch_uid, &oldest) && oldest > c.manifest_version) {
        /* (4) */
        if (!snap) { og_error_clear(); rc = OG_OK; *out = c; goto done; }
        rc = og_error_set(OG_E_NOTFOUND, "commit %s is no longer retained: cleanup reclaimed manifest version "
                          "%" PRIu64 " of branch `%s` (the oldest retained version is %" PRIu64 ")", id,
                          c.manifest_version, c.branch ? c.branch : OG_GRAPH_MAIN, oldest);
        og_graph_commit_clear(&c);
        goto done;
    }
    if (rc == OG_E_NOTFOUND || (!rc && (strcmp(s.head.id, id) != 0 || !og_graph_snapshot_owns_head(&s)))) {
        /* (2): the publish that wrote this object lost or never finished. */
        rc = og_error_set(OG_E_NOTFOUND, "commit %s does not exist (it was never published)", id);
    }
    if (rc) { og_graph_commit_clear(&c); goto done; }
    *out = c;
    if (snap) { *snap = s; memset(&s, 0, sizeof s); }
done:
    og_graph_ref_clear(&r);
    og_graph_snapshot_free(&s);
    return rc;
}

og_status og_graph_commit_get(og_store *st, const char *id, og_graph_commit *out)
{
    return og_graph_commit_resolve(st, id, false, out, NULL);
}

void og_graph_commit_list_free(og_graph_commit_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->len; i++) og_graph_commit_clear(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = 0;
}

typedef struct walk {
    og_graph_commit *nodes;
    size_t *children; /* reachable children not yet emitted */
    size_t len, cap;
    og_map *index;    /* id -> (index + 1) */
} walk;

static og_status walk_add(walk *w, og_graph_commit *c)
{
    if (w->len == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 64;
        og_graph_commit *n = realloc(w->nodes, nc * sizeof *n);
        if (!n) return og_error_set(OG_E_NOMEM, "out of memory walking commits");
        w->nodes = n;
        size_t *ch = realloc(w->children, nc * sizeof *ch);
        if (!ch) return og_error_set(OG_E_NOMEM, "out of memory walking commits");
        w->children = ch;
        w->cap = nc;
    }
    og_status rc = og_map_puts(w->index, c->id, (void *)(uintptr_t)(w->len + 1), NULL);
    if (rc) return rc;
    w->nodes[w->len] = *c;
    w->children[w->len] = 0;
    w->len++;
    memset(c, 0, sizeof *c);
    return OG_OK;
}

/* Adds parent `pid` of node `from` (fetching it if new) and counts the edge. */
static og_status walk_edge(og_store *st, walk *w, size_t from, const char *pid)
{
    og_status rc = OG_OK;
    void *v = NULL;
    og_graph_commit c;
    memset(&c, 0, sizeof c);
    if (!og_map_gets(w->index, pid, &v)) {
        rc = read_commit_object(st, pid, &c);
        if (rc == OG_E_NOTFOUND)
            rc = og_error_set(OG_E_CORRUPT, "commit %s names parent %s, which has no commit object",
                              w->nodes[from].id, pid);
        if (rc) goto done;
        if ((rc = walk_add(w, &c))) goto done;
        v = (void *)(uintptr_t)w->len;
    }
    w->children[(uintptr_t)v - 1]++;
done:
    og_graph_commit_clear(&c);
    return rc;
}

/* Max-heap on (created_at, id). */
static bool newer(const walk *w, size_t a, size_t b)
{
    const og_graph_commit *x = &w->nodes[a], *y = &w->nodes[b];
    if (x->created_at_us != y->created_at_us) return x->created_at_us > y->created_at_us;
    return strcmp(x->id, y->id) > 0;
}

static void heap_push(const walk *w, size_t *h, size_t *n, size_t v)
{
    size_t i = (*n)++;
    h[i] = v;
    while (i && newer(w, h[i], h[(i - 1) / 2])) {
        size_t p = (i - 1) / 2, t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
    }
}

static size_t heap_pop(const walk *w, size_t *h, size_t *n)
{
    size_t top = h[0], i = 0;
    h[0] = h[--(*n)];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < *n && newer(w, h[l], h[m])) m = l;
        if (r < *n && newer(w, h[r], h[m])) m = r;
        if (m == i) break;
        size_t t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
    return top;
}

og_status og_graph_commit_list_branch(og_store *st, const char *branch, const char *actor,
                                      size_t limit, og_graph_commit_list *out)
{
    og_status rc = OG_OK;
    og_graph_snapshot head;
    walk w;
    size_t *heap = NULL, nheap = 0;
    og_graph_commit_list res = {0};
    memset(&w, 0, sizeof w);
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_open_head(st, branch, &head))) return rc;
    w.index = og_map_new();
    if (!w.index) { rc = og_error_set(OG_E_NOMEM, "out of memory walking commits"); goto done; }
    if ((rc = walk_add(&w, &head.head))) goto done;
    for (size_t i = 0; i < w.len; i++) { /* BFS; w grows while we scan */
        char p[OG_ULID_LEN + 1], mp[OG_ULID_LEN + 1];
        memcpy(p, w.nodes[i].parent, sizeof p);
        memcpy(mp, w.nodes[i].merged_parent, sizeof mp);
        if (p[0] && (rc = walk_edge(st, &w, i, p))) goto done;
        if (mp[0] && strcmp(mp, p) != 0 && (rc = walk_edge(st, &w, i, mp))) goto done;
    }
    heap = malloc(w.len * sizeof *heap);
    res.items = calloc(w.len, sizeof *res.items);
    if (!heap || !res.items) { rc = og_error_set(OG_E_NOMEM, "out of memory listing commits"); goto done; }
    heap_push(&w, heap, &nheap, 0);
    size_t emitted = 0;
    while (nheap) {
        size_t i = heap_pop(&w, heap, &nheap);
        og_graph_commit *c = &w.nodes[i];
        emitted++;
        const char *ps[2] = {c->parent, strcmp(c->merged_parent, c->parent) ? c->merged_parent : ""};
        for (int k = 0; k < 2; k++) {
            void *v = NULL;
            if (!ps[k][0] || !og_map_gets(w.index, ps[k], &v)) continue;
            size_t pi = (uintptr_t)v - 1;
            if (--w.children[pi] == 0) heap_push(&w, heap, &nheap, pi);
        }
        if (actor && (!c->actor || strcmp(c->actor, actor) != 0)) continue;
        if (limit && res.len >= limit) continue;
        res.items[res.len++] = *c;
        memset(c, 0, sizeof *c);
    }
    if (emitted != w.len) {
        rc = og_error_set(OG_E_CORRUPT, "the commit graph of branch `%s` has a cycle",
                          branch ? branch : "main");
        goto done;
    }
    *out = res;
    memset(&res, 0, sizeof res);
done:
    og_graph_commit_list_free(&res);
    for (size_t i = 0; i < w.len; i++) og_graph_commit_clear(&w.nodes[i]);
    free(w.nodes);
    free(w.children);
    og_map_free(w.index);
    free(heap);
    og_graph_snapshot_free(&head);
    return rc;
}
