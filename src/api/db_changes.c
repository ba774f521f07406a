/* db_changes.c — commit diffs, the change feed and the baseline handshake
 * through the public API (surface.md §6, §5.3; internals §5.7).
 * (1) Filters travel as a JSON object {kind?:[..], type?:[..], op?:[..]}
 *     (nullable text), so the CLI and the server build them the same way.
 * (2) commit changes pages by an opaque token naming the commit, the
 *     offset into the frozen order and the filter digest; a token used with
 *     another commit or filter is rejected.
 * (3) The feed walks the first-parent chain of the branch head captured
 *     at the start of the poll; at most `limit` commits (default 128, max
 *     512) are examined per poll; the cursor (changes.h (6)) is returned
 *     with caught_up on every (terminal) page: pages never split a block.
 * (4) The baseline exports the data at a captured head (honouring kind and
 *     type filters) and only then reports {snapshot_commit_id,
 *     resume_cursor}: installing the snapshot then polling from the cursor
 *     misses nothing. */
#include "db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/branch.h"
#include "graph/changes.h"
#include "table/base64.h"

#define TRY(x) do { if ((rc = (x)) != OG_OK) goto done; } while (0)
#define PAGE_DEFAULT 1000
#define PAGE_MAX 8192
#define FEED_DEFAULT 128
#define FEED_MAX 512

static og_status begin(og_db *db)
{
    og_error_clear();
    og_api_conflict_reset();
    if (!db) return og_error_set(OG_E_INVALID, "no graph handle");
    return OG_OK;
}

/* Filter lists point into the parsed JSON (kept alive by *j). */
typedef struct filt {
    json_t *j;
    const char **kinds, **types, **ops;
    og_change_filter f;
} filt;

static og_status take_list(json_t *j, const char *key, const char ***out, size_t *n)
{
    json_t *a = json_object_get(j, key), *v;
    size_t i;
    *out = NULL;
    *n = 0;
    if (!a || json_is_null(a)) return OG_OK;
    if (!json_is_array(a)) return og_error_set(OG_E_INVALID, "change filter `%s` must be an array of strings", key);
    *out = calloc(json_array_size(a) + 1, sizeof **out);
    if (!*out) return og_error_set(OG_E_NOMEM, "out of memory");
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) return og_error_set(OG_E_INVALID, "change filter `%s` must be an array of strings", key);
        (*out)[(*n)++] = json_string_value(v);
    }
    return OG_OK;
}

static og_status filt_parse(const char *text, filt *f)
{
    og_status rc = OG_OK;
    memset(f, 0, sizeof *f);
    if (!text || !*text) return OG_OK;
    json_error_t je;
    f->j = json_loads(text, 0, &je);
    if (!f->j || !json_is_object(f->j)) return og_error_set(OG_E_INVALID, "change filter is not a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(f->j, k, v) {
        (void)v;
        if (strcmp(k, "kind") && strcmp(k, "type") && strcmp(k, "op"))
            return og_error_set(OG_E_INVALID, "unknown change filter `%s` (expected kind, type, op)", k);
    }
    TRY(take_list(f->j, "kind", &f->kinds, &f->f.n_kinds));
    TRY(take_list(f->j, "type", &f->types, &f->f.n_types));
    TRY(take_list(f->j, "op", &f->ops, &f->f.n_ops));
    f->f.kinds = f->kinds;
    f->f.types = f->types;
    f->f.ops = f->ops;
    rc = og_change_filter_check(&f->f);
done:
    return rc;
}

static void filt_free(filt *f)
{
    json_decref(f->j);
    free(f->kinds);
    free(f->types);
    free(f->ops);
    memset(f, 0, sizeof *f);
}

/* ---- commit changes (2) ---- */

static og_status token_encode(const char *commit, size_t off, const char *digest, char **out)
{
    char raw[128];
    og_buf b = OG_BUF_INIT;
    snprintf(raw, sizeof raw, "p1:%s:%zu:%s", commit, off, digest);
    og_status rc = tbl_b64_encode(raw, strlen(raw), &b);
    *out = rc ? NULL : strdup(og_buf_cstr(&b));
    if (!rc && !*out) rc = og_error_set(OG_E_NOMEM, "out of memory");
    og_buf_free(&b);
    return rc;
}

static og_status token_decode(const char *tok, const char *commit, const char *digest, size_t *off)
{
    og_buf b = OG_BUF_INIT;
    og_status rc = OG_OK;
    char c[64], d[32];
    size_t o = 0;
    if (strlen(tok) > 4096 || tbl_b64_decode(tok, strlen(tok), &b) != OG_OK ||
        sscanf(og_buf_cstr(&b), "p1:%63[^:]:%zu:%31s", c, &o, d) != 3) {
        rc = og_error_set(OG_E_INVALID, "page token rejected: not a token this API issued");
        goto done;
    }
    if (strcmp(c, commit) || strcmp(d, digest)) {
        rc = og_error_set(OG_E_INVALID, "page token rejected: it belongs to another commit or filter");
        goto done;
    }
    *off = o;
done:
    og_buf_free(&b);
    return rc;
}

int og_db_commit_changes(og_db *db, const char *commit_id, const char *filter_json, size_t limit,
                         const char *page_token, char **json_out)
{
    og_status rc;
    og_graph_commit c;
    filt f;
    json_t *all = NULL, *o = NULL, *page = NULL;
    char digest[17];
    char *next = NULL;
    size_t off = 0;
    memset(&c, 0, sizeof c);
    memset(&f, 0, sizeof f);
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (!commit_id) { rc = og_error_set(OG_E_INVALID, "commit changes needs a commit id"); goto done; }
    if (limit > PAGE_MAX) {
        rc = og_error_set(OG_E_INVALID, "limit %zu is above the maximum page size %d", limit, PAGE_MAX);
        goto done;
    }
    if (!limit) limit = PAGE_DEFAULT;
    TRY(filt_parse(filter_json, &f));
    og_change_filter_digest(&f.f, digest);
    if (page_token) TRY(token_decode(page_token, commit_id, digest, &off));
    TRY(og_graph_changes_resolve(db->g, commit_id, &c));
    TRY(og_graph_commit_changes(db->g, &c, &f.f, &all));
    page = json_array();
    if (!page) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    size_t n = json_array_size(all);
    for (size_t i = off; i < n && i < off + limit; i++) json_array_append(page, json_array_get(all, i));
    if (off + limit < n) TRY(token_encode(commit_id, off + limit, digest, &next));
    o = json_object();
    if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set_new(o, "cause", og_change_cause_json(&c));
    json_object_set(o, "changes", page);
    if (next) json_object_set_new(o, "next_page_token", json_string(next));
    rc = og_api_dump(o, json_out);
    o = NULL;
done:
    json_decref(o);
    json_decref(page);
    json_decref(all);
    free(next);
    filt_free(&f);
    og_graph_commit_clear(&c);
    return rc;
}

/* ---- the feed (3) ---- */

/* Commits after `after` ("" = from the root) on the first-parent chain of
 * head, oldest first; OG_E_INVALID when after is not on it. */
static og_status chain_after(og_db *db, const char *head, const char *after, og_graph_commit_list *out)
{
    og_status rc = OG_OK;
    char cur[OG_ULID_LEN + 1];
    bool found = !after[0];
    memset(out, 0, sizeof *out);
    snprintf(cur, sizeof cur, "%s", head);
    while (cur[0]) {
        og_graph_commit c;
        if (after[0] && !strcmp(cur, after)) { found = true; break; }
        memset(&c, 0, sizeof c);
        TRY(og_graph_commit_lookup(db->g, cur, &c));
        og_graph_commit *items = realloc(out->items, (out->len + 1) * sizeof *items);
        if (!items) { og_graph_commit_clear(&c); rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        out->items = items;
        out->items[out->len++] = c;
        snprintf(cur, sizeof cur, "%s", c.parent);
    }
    if (!found) {
        rc = og_error_set(OG_E_INVALID, "change cursor rejected: commit '%s' is not on the first-parent history "
                          "of the branch", after);
        goto done;
    }
    for (size_t i = 0; i < out->len / 2; i++) {
        og_graph_commit t = out->items[i];
        out->items[i] = out->items[out->len - 1 - i];
        out->items[out->len - 1 - i] = t;
    }
done:
    if (rc) og_graph_commit_list_free(out);
    return rc;
}

static json_t *block_json(og_db *db, const og_graph_commit *c, const og_change_filter *f, og_status *rc)
{
    json_t *changes = NULL, *b;
    *rc = OG_OK;
    if (c->parent[0]) {
        *rc = og_graph_commit_changes(db->g, c, f, &changes);
        if (*rc == OG_E_CONFLICT) { og_error_clear(); *rc = OG_OK; changes = json_array(); } /* schema boundary */
        if (*rc) return NULL;
    } else {
        changes = json_array();
    }
    b = json_object();
    if (!b || !changes) { json_decref(b); json_decref(changes); *rc = og_error_set(OG_E_NOMEM, "out of memory"); return NULL; }
    json_object_set_new(b, "cause", og_change_cause_json(c));
    json_object_set_new(b, "changes", changes);
    return b;
}

int og_db_changes_poll(og_db *db, const char *branch, const char *cursor, const char *start,
                       const char *filter_json, size_t limit, char **json_out)
{
    og_status rc;
    og_graph_snapshot s;
    og_graph_commit_list l;
    og_change_cursor cur;
    og_buf cb = OG_BUF_INIT;
    filt f;
    json_t *o = NULL, *blocks = NULL;
    char digest[17];
    const char *after = "";
    const char *bname = branch && *branch ? branch : OG_GRAPH_MAIN;
    memset(&s, 0, sizeof s);
    memset(&l, 0, sizeof l);
    memset(&cur, 0, sizeof cur);
    memset(&f, 0, sizeof f);
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (cursor && start) { rc = og_error_set(OG_E_INVALID, "pass either a cursor or a start, not both"); goto done; }
    if (limit > FEED_MAX) { rc = og_error_set(OG_E_INVALID, "limit %zu is above the maximum %d", limit, FEED_MAX); goto done; }
    if (!limit) limit = FEED_DEFAULT;
    TRY(filt_parse(filter_json, &f));
    og_change_filter_digest(&f.f, digest);
    const char *domain = og_graph_catalog(db->g)->identity_domain;
    if (cursor) {
        TRY(og_change_cursor_decode(cursor, domain, &cur));
        if (strcmp(cur.branch, bname)) {
            rc = og_error_set(OG_E_INVALID, "change cursor rejected: it was issued for branch '%s'", cur.branch);
            goto done;
        }
    }
    rc = og_graph_open_head(og_graph_store(db->g), strcmp(bname, OG_GRAPH_MAIN) ? bname : NULL, &s);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found", bname);
    if (rc) goto done;
    if (cursor) {
        if (strcmp(cur.branch_uid, s.branch_uid)) {
            rc = og_error_set(OG_E_INVALID, "change cursor rejected: branch '%s' was deleted and recreated since "
                              "the cursor was issued", bname);
            goto done;
        }
        if (strcmp(cur.filter_digest, digest)) {
            rc = og_error_set(OG_E_INVALID, "change cursor rejected: it was issued for a different filter");
            goto done;
        }
        after = cur.last_commit;
    } else if (!start || !strcmp(start, "now")) {
        after = s.head.id;
    } else if (!strcmp(start, "beginning")) {
        after = "";
    } else if (!strncmp(start, "after:", 6) && start[6]) {
        after = start + 6;
    } else {
        rc = og_error_set(OG_E_INVALID, "invalid start '%s' (expected now, beginning or after:<commit_id>)", start);
        goto done;
    }
    TRY(chain_after(db, s.head.id, after, &l));
    blocks = json_array();
    if (!blocks) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    size_t n = l.len < limit ? l.len : limit;
    for (size_t i = 0; i < n; i++) {
        json_t *b = block_json(db, &l.items[i], &f.f, &rc);
        if (rc) goto done;
        json_array_append_new(blocks, b);
    }
    memset(&cur, 0, sizeof cur);
    snprintf(cur.branch, sizeof cur.branch, "%s", bname);
    snprintf(cur.branch_uid, sizeof cur.branch_uid, "%s", s.branch_uid);
    snprintf(cur.last_commit, sizeof cur.last_commit, "%s", n ? l.items[n - 1].id : after);
    snprintf(cur.filter_digest, sizeof cur.filter_digest, "%s", digest);
    TRY(og_change_cursor_encode(&cur, domain, &cb));
    o = json_object();
    if (!o) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    json_object_set(o, "blocks", blocks);
    json_object_set_new(o, "cursor", json_string(og_buf_cstr(&cb)));
    json_object_set_new(o, "caught_up", json_boolean(n == l.len));
    rc = og_api_dump(o, json_out);
    o = NULL;
done:
    json_decref(o);
    json_decref(blocks);
    og_buf_free(&cb);
    og_graph_commit_list_free(&l);
    og_graph_snapshot_free(&s);
    filt_free(&f);
    return rc;
}

/* ---- baseline (4) ---- */

typedef struct sink {
    og_db_export_fn cb;
    void *ud;
} sink;

static og_status sink_line(void *arg, const char *line, size_t len)
{
    sink *k = arg;
    if (k->cb(k->ud, line, len)) return og_error_set(OG_E_INVALID, "baseline stopped by caller");
    return OG_OK;
}

int og_db_changes_baseline(og_db *db, const char *branch, const char *filter_json, og_db_export_fn cb, void *ud,
                           char **json_out)
{
    og_status rc;
    og_graph_snapshot s;
    og_graph_view *v = NULL;
    og_change_cursor cur;
    og_buf cb_txt = OG_BUF_INIT;
    filt f;
    const char **names = NULL;
    size_t nn = 0;
    const char *bname = branch && *branch ? branch : OG_GRAPH_MAIN;
    sink k = {cb, ud};
    char digest[17];
    memset(&s, 0, sizeof s);
    memset(&f, 0, sizeof f);
    memset(&cur, 0, sizeof cur);
    *json_out = NULL;
    if ((rc = begin(db))) goto done;
    if (!cb) { rc = og_error_set(OG_E_INVALID, "baseline needs a record sink"); goto done; }
    TRY(filt_parse(filter_json, &f));
    og_change_filter_digest(&f.f, digest);
    rc = og_graph_open_head(og_graph_store(db->g), strcmp(bname, OG_GRAPH_MAIN) ? bname : NULL, &s);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found", bname);
    if (rc) goto done;
    const og_catalog *cat = og_graph_catalog(db->g);
    names = calloc(cat->n_types + 1, sizeof *names);
    if (!names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_decl *t = &cat->types[i];
        if (t->kind == OG_KIND_INTERFACE) continue;
        const char *kind = t->kind == OG_KIND_EDGE ? "edge" : "node";
        bool kok = !f.f.n_kinds, tok = !f.f.n_types;
        for (size_t j = 0; j < f.f.n_kinds; j++) kok |= !strcmp(f.f.kinds[j], kind);
        for (size_t j = 0; j < f.f.n_types; j++) tok |= !strcmp(f.f.types[j], t->name);
        if (kok && tok) names[nn++] = t->name;
    }
    TRY(og_graph_view_open(db->g, NULL, s.head.id, &v));
    if (nn) TRY(og_graph_export(v, names, nn, sink_line, &k));
    snprintf(cur.branch, sizeof cur.branch, "%s", bname);
    snprintf(cur.branch_uid, sizeof cur.branch_uid, "%s", s.branch_uid);
    snprintf(cur.last_commit, sizeof cur.last_commit, "%s", s.head.id);
    snprintf(cur.filter_digest, sizeof cur.filter_digest, "%s", digest);
    TRY(og_change_cursor_encode(&cur, cat->identity_domain, &cb_txt));
    rc = og_api_dump(json_pack("{s:s, s:s}", "snapshot_commit_id", s.head.id, "resume_cursor",
                               og_buf_cstr(&cb_txt)), json_out);
done:
    og_graph_view_close(v);
    og_buf_free(&cb_txt);
    free(names);
    filt_free(&f);
    og_graph_snapshot_free(&s);
    return rc;
}
