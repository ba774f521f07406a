/* changes.c — entity diffs of one commit against its first parent and the
 * feed cursor codec (changes.h (1)–(6)).
 * (1) Per table the two sides are reduced to candidate rows (all rows, or
 *     the row-version candidates of changes.h (2)), each side sorted by id
 *     and merged; equal ids are compared cell by cell over the columns
 *     both versions share by name.
 * (2) Tables are opened at the exact pinned version (and table branch) of
 *     each side, never at a head. */
#include "changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/map.h"
#include "table/base64.h"
#include "commit.h"
#include "engine_internal.h"
#include "manifest.h"

#define TRY(x) do { if ((rc = (x)) != OG_OK) goto done; } while (0)

static bool in_list(const char *const *l, size_t n, const char *s)
{
    if (!n) return true;
    for (size_t i = 0; i < n; i++) if (l[i] && !strcmp(l[i], s)) return true;
    return false;
}

og_status og_change_filter_check(const og_change_filter *f)
{
    if (!f) return OG_OK;
    for (size_t i = 0; i < f->n_kinds; i++)
        if (strcmp(f->kinds[i], "node") && strcmp(f->kinds[i], "edge"))
            return og_error_set(OG_E_INVALID, "unknown change kind '%s' (expected node or edge)", f->kinds[i]);
    for (size_t i = 0; i < f->n_ops; i++)
        if (strcmp(f->ops[i], "insert") && strcmp(f->ops[i], "update") && strcmp(f->ops[i], "delete"))
            return og_error_set(OG_E_INVALID, "unknown change op '%s' (expected insert, update or delete)",
                                f->ops[i]);
    return OG_OK;
}

json_t *og_change_cause_json(const og_graph_commit *c)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "graph_commit_id", json_string(c->id));
    if (c->parent[0]) json_object_set_new(o, "parent_commit_id", json_string(c->parent));
    if (c->merged_parent[0]) json_object_set_new(o, "merged_parent_commit_id", json_string(c->merged_parent));
    json_object_set_new(o, "authored_branch", json_string(c->branch ? c->branch : "main"));
    if (c->actor) json_object_set_new(o, "actor_id", json_string(c->actor));
    json_object_set_new(o, "authored_at", json_integer((json_int_t)c->created_at_us));
    return o;
}

og_status og_graph_changes_resolve(og_graph *g, const char *id, og_graph_commit *out)
{
    og_status rc = og_graph_commit_lookup(g, id, out);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "commit '%s' not found", id);
    return rc;
}

/* ---- cell rendering (changes.h (3)) ---- */

static json_t *elem_json(const og_column *ch, size_t i)
{
    if (og_column_is_null(ch, i)) return json_null();
    switch (ch->type.id) {
    case OG_TYPE_UTF8: case OG_TYPE_BINARY: {
        size_t n = 0;
        const char *p = og_column_get_bytes(ch, i, &n);
        return json_stringn(p ? p : "", n);
    }
    case OG_TYPE_F32: case OG_TYPE_F64: return json_real(og_column_get_f64(ch, i));
    case OG_TYPE_BOOL: return json_boolean(og_column_get_bool(ch, i));
    case OG_TYPE_U32: case OG_TYPE_U64: {
        uint64_t u = og_column_get_u64(ch, i);
        if (u <= (uint64_t)INT64_MAX) return json_integer((json_int_t)u);
        char t[32];
        snprintf(t, sizeof t, "%llu", (unsigned long long)u);
        return json_string(t);
    }
    case OG_TYPE_DATETIME: {
        int64_t us = og_column_get_i64(ch, i), ms = us / 1000;
        if (us % 1000 < 0) ms--;
        return json_integer(ms);
    }
    default: return json_integer(og_column_get_i64(ch, i));
    }
}

static json_t *cell_json(const og_column *c, size_t row)
{
    if (og_column_is_null(c, row)) return json_null();
    if (c->type.id == OG_TYPE_LIST) {
        size_t b = 0, e = 0;
        json_t *a = json_array();
        og_column_list_range(c, row, &b, &e);
        for (size_t i = b; a && i < e; i++) json_array_append_new(a, elem_json(c->child, i));
        return a;
    }
    if (c->type.id == OG_TYPE_VECTOR) {
        const float *v = og_column_get_vector(c, row);
        json_t *a = json_array();
        for (uint32_t i = 0; a && v && i < c->type.dim; i++) json_array_append_new(a, json_real(v[i]));
        return a;
    }
    return elem_json(c, row);
}

static bool system_col(const char *name, bool edge)
{
    if (!strcmp(name, "id") || name[0] == '_') return true;
    return edge && (!strcmp(name, "src") || !strcmp(name, "dst"));
}

static json_t *image_json(const og_batch *b, size_t row, bool edge)
{
    json_t *img = json_object(), *props = json_object();
    if (!img || !props) { json_decref(img); json_decref(props); return NULL; }
    for (size_t i = 0; i < b->ncols; i++) {
        if (system_col(b->names[i], edge)) continue;
        json_object_set_new(props, b->names[i], cell_json(b->cols[i], row));
    }
    json_object_set_new(img, "properties", props);
    if (edge) {
        og_column *s = og_batch_col(b, "src"), *d = og_batch_col(b, "dst");
        json_t *ep = json_object();
        if (ep && s && d) {
            json_object_set_new(ep, "from", cell_json(s, row));
            json_object_set_new(ep, "to", cell_json(d, row));
        }
        json_object_set_new(img, "endpoints", ep ? ep : json_null());
    }
    return img;
}

/* ---- the per-table merge (1) ---- */

typedef struct side {
    og_batch b;
    size_t *order;   /* row indices sorted by id, duplicates dropped */
    size_t n;
    og_column *id;
} side;

static _Thread_local const og_column *t_sort_id;

static int cmp_id_str(const og_column *c, size_t a, size_t b)
{
    size_t na = 0, nb = 0;
    const char *pa = og_column_get_bytes(c, a, &na), *pb = og_column_get_bytes(c, b, &nb);
    size_t m = na < nb ? na : nb;
    int r = m ? memcmp(pa, pb, m) : 0;
    if (r) return r;
    return na < nb ? -1 : na > nb;
}

static int cmp_rows(const void *x, const void *y)
{
    return cmp_id_str(t_sort_id, *(const size_t *)x, *(const size_t *)y);
}

static og_status side_sort(side *s)
{
    s->id = og_batch_col(&s->b, "id");
    s->order = malloc((s->b.nrows + 1) * sizeof *s->order);
    if (!s->order) return og_error_set(OG_E_NOMEM, "out of memory diffing a table");
    if (!s->id) { s->n = 0; return OG_OK; }
    for (size_t i = 0; i < s->b.nrows; i++) s->order[i] = i;
    t_sort_id = s->id;
    if (s->b.nrows > 1) qsort(s->order, s->b.nrows, sizeof *s->order, cmp_rows);
    size_t n = 0;
    for (size_t i = 0; i < s->b.nrows; i++) {
        if (n && cmp_id_str(s->id, s->order[n - 1], s->order[i]) == 0) continue;
        s->order[n++] = s->order[i];
    }
    s->n = n;
    return OG_OK;
}

static void side_free(side *s)
{
    og_batch_free(&s->b);
    free(s->order);
    memset(s, 0, sizeof *s);
}

/* Same content over the columns both sides share by name (virtual columns excluded). */
static size_t real_cols(const og_batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->ncols; i++) n += b->names[i][0] != '_';
    return n;
}

static bool rows_equal(const side *a, size_t ra, const side *b, size_t rb)
{
    if (real_cols(&a->b) != real_cols(&b->b)) return false;
    for (size_t i = 0; i < a->b.ncols; i++) {
        if (a->b.names[i][0] == '_') continue;
        og_column *cb = og_batch_col(&b->b, a->b.names[i]);
        if (!cb) return false;
        if (!og_type_eq(a->b.cols[i]->type, cb->type)) return false;
        if (!og_column_row_eq(a->b.cols[i], ra, cb, rb)) return false;
    }
    return true;
}

typedef struct tctx {
    bool edge;
    uint64_t type_id;
    const char *type_name;
    const og_change_filter *f;
    json_t *out;
} tctx;

static og_status emit(tctx *t, const char *op, const side *before, size_t rb, const side *after, size_t ra)
{
    if (t->f && !in_list(t->f->ops, t->f->n_ops, op)) return OG_OK;
    const side *s = after ? after : before;
    size_t r = after ? ra : rb;
    size_t n = 0;
    const char *id = og_column_get_bytes(s->id, r, &n);
    char tid[24];
    snprintf(tid, sizeof tid, "%llu", (unsigned long long)t->type_id);
    json_t *c = json_object(), *ty = json_pack("{s:s, s:s}", "id", tid, "name", t->type_name);
    if (!c || !ty) { json_decref(c); json_decref(ty); return og_error_set(OG_E_NOMEM, "out of memory"); }
    json_object_set_new(c, "kind", json_string(t->edge ? "edge" : "node"));
    json_object_set_new(c, "type", ty);
    json_object_set_new(c, "id", json_stringn(id ? id : "", n));
    json_object_set_new(c, "op", json_string(op));
    if (before) json_object_set_new(c, "before", image_json(&before->b, rb, t->edge));
    if (after) json_object_set_new(c, "after", image_json(&after->b, ra, t->edge));
    if (json_array_append_new(t->out, c)) return og_error_set(OG_E_NOMEM, "out of memory");
    return OG_OK;
}

/* Merges the sorted sides; within one id the op is unique, so the
 * (id, op rank) order of changes.h (4) is the merge order. */
static og_status merge_sides(tctx *t, const side *p, const side *c)
{
    og_status rc = OG_OK;
    size_t i = 0, j = 0;
    while (!rc && (i < p->n || j < c->n)) {
        int cmp;
        if (i == p->n) cmp = 1;
        else if (j == c->n) cmp = -1;
        else {
            /* ids of the two sides live in different columns */
            size_t na = 0, nb = 0;
            const char *pa = og_column_get_bytes(p->id, p->order[i], &na);
            const char *pb = og_column_get_bytes(c->id, c->order[j], &nb);
            size_t m = na < nb ? na : nb;
            cmp = m ? memcmp(pa, pb, m) : 0;
            if (!cmp) cmp = na < nb ? -1 : na > nb;
        }
        if (cmp < 0) { rc = emit(t, "delete", p, p->order[i], NULL, 0); i++; }
        else if (cmp > 0) { rc = emit(t, "insert", NULL, 0, c, c->order[j]); j++; }
        else {
            if (!rows_equal(p, p->order[i], c, c->order[j]))
                rc = emit(t, "update", p, p->order[i], c, c->order[j]);
            i++;
            j++;
        }
    }
    return rc;
}

static og_status open_pin(og_store *root, const og_graph_pin *p, og_table **out)
{
    og_status rc = p->table_branch ? og_table_open_branch(root, p->path, p->table_branch, p->version, out)
                                   : og_table_open_at(root, p->path, p->version, out);
    if (rc == OG_E_NOTFOUND)
        rc = og_error_set(OG_E_NOTFOUND, "change_feed_gap: version %llu of table `%s` is no longer retained",
                          (unsigned long long)p->version, p->table_key);
    return rc;
}

static og_status scan_all(og_table *t, og_batch *out)
{
    og_scan_opts o;
    memset(&o, 0, sizeof o);
    return og_table_scan(t, &o, out);
}

static bool same_schema(const og_schema *a, const og_schema *b)
{
    if (a->nfields != b->nfields) return false;
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->fields[i].name, b->fields[i].name) || !og_type_eq(a->fields[i].type, b->fields[i].type))
            return false;
    return true;
}

static bool same_lineage(const og_graph_pin *a, const og_graph_pin *b)
{
    if (strcmp(a->path, b->path)) return false;
    if (!a->table_branch != !b->table_branch) return false;
    return !a->table_branch || !strcmp(a->table_branch, b->table_branch);
}

/* Candidate rows through og_table_changes (changes.h (2)). */
static og_status candidates(og_table *pt, og_table *ct, uint64_t from, side *ps, side *cs)
{
    og_status rc = OG_OK;
    uint64_t *del = NULL;
    size_t ndel = 0;
    og_value *vals = NULL;
    og_batch extra = OG_BATCH_INIT;
    const char **names = NULL;
    TRY(og_table_changes(ct, from, NULL, 0, &cs->b, &del, &ndel));
    const og_schema *sch = og_table_schema(pt);
    names = calloc(sch->nfields + 1, sizeof *names);
    if (!names) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < sch->nfields; i++) names[i] = sch->fields[i].name;
    if (ndel) TRY(og_table_take(pt, del, ndel, names, sch->nfields, &ps->b));
    og_column *ids = og_batch_col(&cs->b, "id");
    if (ids && cs->b.nrows) {
        vals = calloc(cs->b.nrows, sizeof *vals);
        if (!vals) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
        for (size_t i = 0; i < cs->b.nrows; i++) {
            size_t n = 0;
            const char *p = og_column_get_bytes(ids, i, &n);
            vals[i] = og_val_strn(p ? p : "", n);
        }
        og_pred in = {"id", OG_CMP_IN, {0}, vals, cs->b.nrows};
        og_scan_opts o = {NULL, 0, &in, 1, 0};
        TRY(og_table_scan(pt, &o, &extra));
        if (!ndel) {
            ps->b = extra;
            memset(&extra, 0, sizeof extra);
        } else {
            for (size_t r = 0; r < extra.nrows; r++) TRY(og_graph_batch_append_row(&ps->b, &extra, r));
        }
    }
done:
    og_batch_free(&extra);
    free(names);
    free(vals);
    free(del);
    return rc;
}

static og_status diff_table(og_store *root, tctx *t, const og_graph_pin *pp, const og_graph_pin *cp)
{
    og_status rc = OG_OK;
    og_table *pt = NULL, *ct = NULL;
    side ps, cs;
    memset(&ps, 0, sizeof ps);
    memset(&cs, 0, sizeof cs);
    if (pp && cp && same_lineage(pp, cp) && pp->version == cp->version) goto done;
    if (pp) TRY(open_pin(root, pp, &pt));
    if (cp) TRY(open_pin(root, cp, &ct));
    if (pt && ct && !same_schema(og_table_schema(pt), og_table_schema(ct))) {
        rc = og_error_set(OG_E_CONFLICT, "schema_boundary: the commit changes the schema of %s `%s`; "
                          "entity changes cannot be compared across it", t->edge ? "edge" : "node", t->type_name);
        goto done;
    }
    if (pt && ct && same_lineage(pp, cp) && cp->version > pp->version) {
        TRY(candidates(pt, ct, pp->version, &ps, &cs));
    } else {
        if (pt) TRY(scan_all(pt, &ps.b));
        if (ct) TRY(scan_all(ct, &cs.b));
    }
    TRY(side_sort(&ps));
    TRY(side_sort(&cs));
    rc = merge_sides(t, &ps, &cs);
done:
    side_free(&ps);
    side_free(&cs);
    og_table_close(pt);
    og_table_close(ct);
    return rc;
}

typedef struct tent {
    bool edge;
    uint64_t sid;
    const char *name;
    const og_graph_pin *pp, *cp;
} tent;

static int cmp_tent(const void *x, const void *y)
{
    const tent *a = x, *b = y;
    if (a->edge != b->edge) return a->edge ? 1 : -1;
    return a->sid < b->sid ? -1 : a->sid > b->sid;
}

static const og_graph_pin *pin_by_sid(const og_graph_snapshot *s, uint64_t sid)
{
    for (size_t i = 0; i < s->npins; i++) if (s->pins[i].stable_table_id == sid) return &s->pins[i];
    return NULL;
}

og_status og_graph_commit_changes(og_graph *g, const og_graph_commit *c, const og_change_filter *f,
                                  json_t **changes)
{
    og_status rc = OG_OK;
    og_graph_snapshot cs = {0}, ps = {0};
    og_graph_commit tmp;
    tent *ts = NULL;
    size_t nt = 0;
    json_t *out = json_array();
    memset(&tmp, 0, sizeof tmp);
    *changes = NULL;
    if (!out) return og_error_set(OG_E_NOMEM, "out of memory");
    TRY(og_change_filter_check(f));
    if (!c->parent[0]) {
        rc = og_error_set(OG_E_CONFLICT, "parentless_commit: commit '%s' is the genesis commit and has no "
                          "parent to diff against", c->id);
        goto done;
    }
    TRY(og_graph_commit_resolve(g->root, c->id, false, &tmp, &cs));
    og_graph_commit_clear(&tmp);
    TRY(og_graph_commit_resolve(g->root, c->parent, false, &tmp, &ps));
    ts = calloc(cs.npins + ps.npins + 1, sizeof *ts);
    if (!ts) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (int side_i = 0; side_i < 2; side_i++) {
        const og_graph_snapshot *s = side_i ? &ps : &cs;
        for (size_t i = 0; i < s->npins; i++) {
            const og_graph_pin *p = &s->pins[i];
            const char *colon = strchr(p->table_key, ':');
            if (!colon || (strncmp(p->table_key, "node:", 5) && strncmp(p->table_key, "edge:", 5))) continue;
            if (side_i && pin_by_sid(&cs, p->stable_table_id)) continue;
            tent *e = &ts[nt++];
            e->edge = p->table_key[0] == 'e';
            e->sid = p->stable_table_id;
            e->name = colon + 1;
            e->cp = side_i ? NULL : p;
            e->pp = pin_by_sid(&ps, p->stable_table_id);
            /* a drop and re-add is a new lifetime: different incarnations never pair */
            if (e->cp && e->pp && e->cp->table_incarnation_id != e->pp->table_incarnation_id) {
                tent *d = &ts[nt++];
                *d = *e;
                d->cp = NULL;
                e->pp = NULL;
            }
        }
    }
    if (nt > 1) qsort(ts, nt, sizeof *ts, cmp_tent);
    for (size_t i = 0; i < nt; i++) {
        tctx t = {ts[i].edge, ts[i].sid, ts[i].name, f, out};
        if (f && !in_list(f->kinds, f->n_kinds, ts[i].edge ? "edge" : "node")) continue;
        if (f && !in_list(f->types, f->n_types, ts[i].name)) continue;
        TRY(diff_table(g->root, &t, ts[i].pp, ts[i].cp));
    }
    *changes = out;
    out = NULL;
done:
    json_decref(out);
    free(ts);
    og_graph_commit_clear(&tmp);
    og_graph_snapshot_free(&cs);
    og_graph_snapshot_free(&ps);
    return rc;
}

/* ---- cursor (changes.h (6)) ---- */

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static uint64_t digest_list(uint64_t h, const char *tag, const char *const *l, size_t n)
{
    const char **s = n ? malloc(n * sizeof *s) : NULL;
    if (n && !s) return h;
    for (size_t i = 0; i < n; i++) s[i] = l[i];
    if (n > 1) qsort(s, n, sizeof *s, cmp_str);
    h ^= og_hash_bytes(tag, strlen(tag)) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    for (size_t i = 0; i < n; i++) h ^= og_hash_bytes(s[i], strlen(s[i])) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    free(s);
    return h;
}

void og_change_filter_digest(const og_change_filter *f, char out[17])
{
    uint64_t h = 0;
    if (f) {
        h = digest_list(h, "kind", f->kinds, f->n_kinds);
        h = digest_list(h, "type", f->types, f->n_types);
        h = digest_list(h, "op", f->ops, f->n_ops);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

og_status og_change_cursor_encode(const og_change_cursor *c, const char *domain, og_buf *out)
{
    og_status rc = OG_OK;
    json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "v", 1, "d", domain ? domain : "", "b", c->branch,
                          "u", c->branch_uid, "c", c->last_commit, "f", c->filter_digest);
    char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    og_buf_clear(out);
    if (!txt) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    rc = tbl_b64_encode(txt, strlen(txt), out);
done:
    free(txt);
    json_decref(o);
    return rc;
}

og_status og_change_cursor_decode(const char *text, const char *domain, og_change_cursor *out)
{
    og_status rc = OG_OK;
    og_buf raw = OG_BUF_INIT;
    json_t *o = NULL;
    const char *d, *b, *u, *c, *f;
    int v = 0;
    memset(out, 0, sizeof *out);
    if (!text || strlen(text) > 4096 || tbl_b64_decode(text, strlen(text), &raw) != OG_OK) {
        rc = og_error_set(OG_E_INVALID, "change cursor rejected: not a cursor this server issued");
        goto done;
    }
    o = json_loadb(raw.data ? raw.data : "", raw.len, 0, NULL);
    if (!o || json_unpack(o, "{s:i, s:s, s:s, s:s, s:s, s:s}", "v", &v, "d", &d, "b", &b, "u", &u, "c", &c, "f",
                          &f) || v != 1 || strlen(b) >= sizeof out->branch || strlen(u) > OG_ULID_LEN ||
        strlen(c) > OG_ULID_LEN || strlen(f) != 16) {
        rc = og_error_set(OG_E_INVALID, "change cursor rejected: malformed cursor");
        goto done;
    }
    if (domain && strcmp(d, domain)) {
        rc = og_error_set(OG_E_INVALID, "change cursor rejected: it belongs to another graph");
        goto done;
    }
    snprintf(out->branch, sizeof out->branch, "%s", b);
    snprintf(out->branch_uid, sizeof out->branch_uid, "%s", u);
    snprintf(out->last_commit, sizeof out->last_commit, "%s", c);
    snprintf(out->filter_digest, sizeof out->filter_digest, "%s", f);
done:
    json_decref(o);
    og_buf_free(&raw);
    return rc;
}
