/* merge.c — three-way branch merge (merge.h (1)–(7)).
 * (1) Capture: the source head view, the target head (the write
 *     transaction's base view, pinned with if_commit = that head) and the
 *     base view (a snapshot at the merge-base commit). Nothing is written
 *     before every table is classified and the delta validated.
 * (2) A table is read only when the source moved it (its pin differs from
 *     both the base's and the target's); a target whose pin equals the
 *     base's shares the base's rows. The sides are merge-joined by id, each
 *     streamed in id order in bounded batches (og_ordered_scanner), so
 *     memory is the merge's delta, not the tables.
 * (3) Row equality is typed and structural (cell_eq): null equals only
 *     null, floats compare by value with equal bit patterns also equal
 *     (NaN payloads), lists and vectors element-wise.
 * (4) The validation delta holds, per touched table, the rows the merge
 *     writes and the ids it deletes; the committed side is the target
 *     snapshot, so the validator sees exactly the merged result. */
#include "merge.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/failpoint.h"
#include "base/map.h"
#include "branch.h"
#include "commit.h"
#include "engine_internal.h"
#include "graph_probe.h"
#include "internal.h"
#include "recovery.h"
#include "validate.h"
#include "value_convert.h"

#define MERGE_MSG_LIST 3
#define MERGE_MAX_ANCESTORS 1000000

const char *og_merge_outcome_name(og_merge_outcome o)
{
    switch (o) {
    case OG_MERGE_ALREADY_UP_TO_DATE: return "already_up_to_date";
    case OG_MERGE_FAST_FORWARD: return "fast_forward";
    case OG_MERGE_MERGED: return "merged";
    }
    return "?";
}

void og_graph_merge_result_clear(og_graph_merge_result *r)
{
    if (!r) return;
    og_graph_commit_result_clear(&r->commit);
    for (size_t i = 0; i < r->nconflicts; i++) {
        og_merge_conflict *c = &r->conflicts[i];
        free(c->type_key);
        free(c->type_name);
        free(c->entity_kind);
        free(c->id);
        free(c->message);
    }
    free(r->conflicts);
    memset(r, 0, sizeof *r);
}

/* ---- merge base (merge.h (2)) ---- */

typedef struct dag {
    og_graph *g;
    og_map *cache;   /* id -> og_graph_commit* (heap) */
} dag;

static void dag_free(dag *d)
{
    size_t pos = 0, kl = 0;
    const void *k = NULL;
    void *v = NULL;
    if (!d->cache) return;
    while (og_map_next(d->cache, &pos, &k, &kl, &v)) {
        og_graph_commit_clear(v);
        free(v);
    }
    og_map_free(d->cache);
    d->cache = NULL;
}

/* commits/{id}.json, read as it is: a commit reached from a head through
 * parent links was published (commit.c (3)), and its object outlives a
 * deleted branch's chain, which og_graph_commit_get would need. */
static og_status read_commit(og_store *st, const char *id, og_graph_commit *out)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT, data = OG_BUF_INIT;
    json_t *j = NULL;
    json_error_t je;
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_key_commit(&key, id))) goto done;
    if ((rc = og_store_get(st, og_buf_cstr(&key), &data, NULL))) {
        if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "commit %s does not exist", id);
        goto done;
    }
    if (!(j = json_loadb(data.data, data.len, 0, &je))) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt commit object `%s`: %s", og_buf_cstr(&key), je.text);
        goto done;
    }
    if ((rc = og_graph_commit_from_json(og_buf_cstr(&key), "commit", json_object_get(j, "commit"), out))) goto done;
    if (strcmp(out->id, id)) {
        rc = og_error_set(OG_E_CORRUPT, "corrupt commit object `%s`: holds commit %s", og_buf_cstr(&key), out->id);
        og_graph_commit_clear(out);
    }
done:
    json_decref(j);
    og_buf_free(&key);
    og_buf_free(&data);
    return rc;
}

static og_status dag_get(dag *d, const char *id, const og_graph_commit **out)
{
    og_status rc = OG_OK;
    void *v = NULL;
    if (og_map_gets(d->cache, id, &v)) { *out = v; return OG_OK; }
    og_graph_commit *c = calloc(1, sizeof *c);
    if (!c) return og_error_set(OG_E_NOMEM, "out of memory");
    if ((rc = read_commit(og_graph_store(d->g), id, c))) {
        free(c);
        return og_error_context(rc, "reading commit %s for the merge base", id);
    }
    if ((rc = og_map_puts(d->cache, c->id, c, NULL))) {
        og_graph_commit_clear(c);
        free(c);
        return rc;
    }
    *out = c;
    return OG_OK;
}

/* One side's breadth-first search, one level per step: every ancestor at
 * distance <= level is in dist (as distance + 1); cur is the frontier at
 * distance level. */
typedef struct bfs {
    og_map *dist;
    char (*cur)[OG_ULID_LEN + 1];
    size_t ncur;
    size_t level;
    bool exhausted;
} bfs;

static void bfs_free(bfs *b)
{
    og_map_free(b->dist);
    free(b->cur);
    memset(b, 0, sizeof *b);
}

static og_status bfs_init(bfs *b, const char *head)
{
    memset(b, 0, sizeof *b);
    b->dist = og_map_new();
    b->cur = malloc(sizeof *b->cur);
    if (!b->dist || !b->cur) return og_error_set(OG_E_NOMEM, "out of memory");
    snprintf(b->cur[0], sizeof b->cur[0], "%s", head);
    b->ncur = 1;
    return og_map_puts(b->dist, head, (void *)(uintptr_t)1, NULL);
}

/* Expands one level; a node the other side already reached lowers *best
 * (the least distance sum of a common ancestor seen so far). */
static og_status bfs_step(dag *d, bfs *b, const og_map *other, uintptr_t *best)
{
    og_status rc = OG_OK;
    size_t cap = 2 * b->ncur + 2, n = 0;
    char (*next)[OG_ULID_LEN + 1] = malloc(cap * sizeof *next);
    if (!next) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < b->ncur; i++) {
        const og_graph_commit *c = NULL;
        if ((rc = dag_get(d, b->cur[i], &c))) goto done;
        const char *par[2] = {c->parent, c->merged_parent};
        for (int k = 0; k < 2; k++) {
            void *ov = NULL;
            if (!par[k][0] || og_map_gets(b->dist, par[k], NULL)) continue;
            if (og_map_len(b->dist) >= MERGE_MAX_ANCESTORS) {
                rc = og_error_set(OG_E_LIMIT, "merge base search passed %d commits", MERGE_MAX_ANCESTORS);
                goto done;
            }
            if ((rc = og_map_puts(b->dist, par[k], (void *)(uintptr_t)(b->level + 2), NULL))) goto done;
            if (og_map_gets(other, par[k], &ov) && b->level + 1 + (uintptr_t)ov - 1 < *best)
                *best = b->level + 1 + (uintptr_t)ov - 1;
            if (n == cap) {
                void *q = realloc(next, 2 * cap * sizeof *next);
                if (!q) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
                next = q;
                cap *= 2;
            }
            snprintf(next[n++], sizeof next[0], "%s", par[k]);
        }
    }
    free(b->cur);
    b->cur = next;
    next = NULL;
    b->ncur = n;
    b->level++;
    b->exhausted = n == 0;
done:
    free(next);
    return rc;
}

/* merge.h (2). The searches stop once both have covered every ancestor
 * within the best sum found: a common ancestor either side has not
 * reached is farther than that from it, so it cannot win or tie. */
static og_status merge_base(og_graph *g, const char *src, const char *tgt, char out[OG_ULID_LEN + 1])
{
    og_status rc = OG_OK;
    dag d = {g, og_map_new()};
    bfs bs, bt;
    uintptr_t best = UINTPTR_MAX;
    memset(&bs, 0, sizeof bs);
    memset(&bt, 0, sizeof bt);
    out[0] = '\0';
    if (!d.cache) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    if ((rc = bfs_init(&bs, src)) || (rc = bfs_init(&bt, tgt))) goto done;
    for (;;) {
        bool s_done = bs.exhausted || (best != UINTPTR_MAX && bs.level >= best);
        bool t_done = bt.exhausted || (best != UINTPTR_MAX && bt.level >= best);
        if (s_done && t_done) break;
        bool step_s = !s_done && (t_done || bs.level <= bt.level);
        if ((rc = step_s ? bfs_step(&d, &bs, bt.dist, &best) : bfs_step(&d, &bt, bs.dist, &best))) goto done;
    }
    size_t pos = 0, kl = 0;
    const void *k = NULL;
    void *vs = NULL, *vt = NULL;
    uintptr_t bsum = 0;
    const og_graph_commit *bc = NULL;
    while (og_map_next(bs.dist, &pos, &k, &kl, &vs)) {
        if (!og_map_get(bt.dist, k, kl, &vt)) continue;
        uintptr_t sum = (uintptr_t)vs + (uintptr_t)vt;
        const og_graph_commit *c = NULL;
        char id[OG_ULID_LEN + 1];
        snprintf(id, sizeof id, "%.*s", (int)kl, (const char *)k);
        if ((rc = dag_get(&d, id, &c))) goto done;
        bool better = !bc || sum < bsum;
        if (bc && sum == bsum) {
            if (c->manifest_version != bc->manifest_version) better = c->manifest_version > bc->manifest_version;
            else if (c->created_at_us != bc->created_at_us) better = c->created_at_us > bc->created_at_us;
            else better = strcmp(c->id, bc->id) > 0;
        }
        if (better) { bsum = sum; bc = c; }
    }
    if (!bc) { rc = og_error_set(OG_E_INVALID, "branches have no common ancestor commit"); goto done; }
    snprintf(out, OG_ULID_LEN + 1, "%s", bc->id);
done:
    bfs_free(&bs);
    bfs_free(&bt);
    dag_free(&d);
    return rc;
}

/* ---- rows (merge.c (2), (3)) ---- */

/* (2) One side of a table, streamed in ascending id order with bounded
 * memory (og_ordered_scanner); `cur` is the current row. */
typedef struct cursor {
    og_table *tbl;
    og_ordered_scanner *sc;
    og_scan_opts so;
    og_batch b;
    size_t pos;
    bool done;
} cursor;

static void cursor_close(cursor *c)
{
    og_ordered_scanner_close(c->sc);
    og_batch_free(&c->b);
    memset(c, 0, sizeof *c);
}

/* Moves to the next row (loading the next batch when needed). */
static og_status cursor_fill(cursor *c)
{
    og_status rc = OG_OK;
    while (!c->done && c->pos >= c->b.nrows) {
        og_batch_free(&c->b);
        c->b = (og_batch)OG_BATCH_INIT;
        c->pos = 0;
        bool end = false;
        if ((rc = og_ordered_scanner_next(c->sc, &c->b, &end))) return rc;
        if (end && c->b.nrows == 0) c->done = true;
    }
    return OG_OK;
}

static og_status cursor_open(og_graph_view *v, const og_decl *t, cursor *c)
{
    og_status rc = OG_OK;
    memset(c, 0, sizeof *c);
    c->b = (og_batch)OG_BATCH_INIT;
    if ((rc = og_graph_view_table(v, t, &c->tbl))) return rc;
    if ((rc = og_ordered_scanner_open(c->tbl, &c->so, 0, &c->sc))) return rc;
    return cursor_fill(c);
}

/* The current id (NULL at the end). */
static const char *cursor_id(const cursor *c, size_t *n)
{
    if (c->done) return NULL;
    return og_column_get_bytes(og_batch_col(&c->b, "id"), c->pos, n);
}

static og_status cursor_next(cursor *c)
{
    c->pos++;
    return cursor_fill(c);
}

static int id_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int r = memcmp(a, b, an < bn ? an : bn);
    return r ? r : (an < bn ? -1 : an > bn);
}

static bool val_eq(const og_value *a, const og_value *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case OG_VALUE_NULL: return true;
    case OG_VALUE_F64: return a->as.f == b->as.f || memcmp(&a->as.f, &b->as.f, sizeof a->as.f) == 0;
    case OG_VALUE_LIST:
        if (a->as.list.n != b->as.list.n) return false;
        for (size_t i = 0; i < a->as.list.n; i++)
            if (!val_eq(&a->as.list.items[i], &b->as.list.items[i])) return false;
        return true;
    case OG_VALUE_VECTOR:
        if (a->as.vec.dim != b->as.vec.dim) return false;
        return a->as.vec.dim == 0 || memcmp(a->as.vec.v, b->as.vec.v, a->as.vec.dim * sizeof *a->as.vec.v) == 0;
    default: return og_value_equal(a, b);
    }
}

static og_status cell_eq(og_arena *a, const og_batch *x, size_t rx, const og_batch *y, size_t ry,
                         const char *col, const og_property *p, bool *eq)
{
    og_status rc = OG_OK;
    og_column *cx = og_batch_col(x, col), *cy = og_batch_col(y, col);
    bool nx = !cx || og_column_is_null(cx, rx), ny = !cy || og_column_is_null(cy, ry);
    og_value vx, vy;
    if (nx || ny) { *eq = nx == ny; return OG_OK; }
    if ((rc = og_graph_cell_value(a, cx, rx, p, &vx)) || (rc = og_graph_cell_value(a, cy, ry, p, &vy))) return rc;
    *eq = val_eq(&vx, &vy);
    return OG_OK;
}

/* Row rx of x equals row ry of y over every column of t (3); a NULL
 * batch is an absent row. */
static og_status row_eq(og_arena *a, const og_decl *t, const og_batch *x, size_t rx, const og_batch *y, size_t ry,
                        bool *eq)
{
    og_status rc = OG_OK;
    *eq = !x && !y;
    if (!x || !y) return OG_OK;
    *eq = true;
    if (t->kind == OG_KIND_EDGE) {
        if ((rc = cell_eq(a, x, rx, y, ry, "src", NULL, eq)) || !*eq) return rc;
        if ((rc = cell_eq(a, x, rx, y, ry, "dst", NULL, eq)) || !*eq) return rc;
    }
    for (size_t j = 0; j < t->n_props && *eq; j++)
        if ((rc = cell_eq(a, x, rx, y, ry, t->props[j].name, &t->props[j], eq))) return rc;
    return OG_OK;
}

/* ---- conflicts ---- */

typedef struct mctx {
    og_graph *g;
    const og_catalog *cat;
    og_arena *a;        /* the plan's memory (ids deleted, validation rows) */
    og_arena *scratch;  /* row comparisons, reset after each id */
    og_graph_merge_result *out;
    size_t cap;
} mctx;

static og_status add_conflict(mctx *m, const og_decl *t, const char *id, size_t idlen, const char *kind,
                              const char *fmt, const char *detail)
{
    og_status rc = OG_OK;
    og_graph_merge_result *r = m->out;
    og_buf key = OG_BUF_INIT, msg = OG_BUF_INIT;
    if (r->nconflicts == m->cap) {
        size_t nc = m->cap ? 2 * m->cap : 8;
        void *p = realloc(r->conflicts, nc * sizeof *r->conflicts);
        if (!p) return og_error_set(OG_E_NOMEM, "out of memory");
        r->conflicts = p;
        m->cap = nc;
    }
    og_merge_conflict *c = &r->conflicts[r->nconflicts];
    memset(c, 0, sizeof *c);
    if ((rc = og_graph_table_key(t, &key))) goto done;
    if (id) rc = og_buf_printf(&msg, fmt, (int)idlen, id);
    else rc = og_buf_printf(&msg, "%s", detail ? detail : kind);
    if (rc) goto done;
    r->nconflicts++;
    c->kind = kind;
    if ((rc = og_gstrdup(og_buf_cstr(&key), &c->type_key)) || (rc = og_gstrdup(t->name, &c->type_name)) ||
        (rc = og_gstrdup(og_decl_kind_name(t->kind), &c->entity_kind)) ||
        (rc = og_gstrdup(og_buf_cstr(&msg), &c->message)))
        goto done;
    if (id && !(c->id = strndup(id, idlen))) rc = og_error_set(OG_E_NOMEM, "out of memory");
done:
    og_buf_free(&key);
    og_buf_free(&msg);
    return rc;
}

/* (5): the error naming the first conflicts. */
static og_status conflicts_error(const og_graph_merge_opts *o, const og_graph_merge_result *r)
{
    og_buf m = OG_BUF_INIT;
    og_status rc = og_buf_printf(&m, "merge of `%s` into `%s` has %zu conflict%s: ", o->source,
                                 o->target ? o->target : OG_GRAPH_MAIN, r->nconflicts, r->nconflicts == 1 ? "" : "s");
    for (size_t i = 0; i < r->nconflicts && i < MERGE_MSG_LIST && !rc; i++) {
        const og_merge_conflict *c = &r->conflicts[i];
        rc = og_buf_printf(&m, "%s%s on %s", i ? "; " : "", c->kind, c->type_key);
        if (!rc && c->id) rc = og_buf_printf(&m, " id '%s'", c->id);
        if (!rc) rc = og_buf_printf(&m, ": %s", c->message);
    }
    if (!rc && r->nconflicts > MERGE_MSG_LIST) rc = og_buf_printf(&m, "; and %zu more", r->nconflicts - MERGE_MSG_LIST);
    if (!rc) rc = og_error_set(OG_E_CONFLICT, "%s", og_buf_cstr(&m));
    og_buf_free(&m);
    return rc;
}

/* ---- per-table plan ---- */

typedef struct tplan {
    bool touched;
    og_batch puts;      /* source rows written on the target (full table schema) */
    const char **dels;  /* ids deleted on the target (arena) */
    size_t ndels, dcap;
} tplan;

static void tplan_free(tplan *p)
{
    og_batch_free(&p->puts);
    free(p->dels);
    memset(p, 0, sizeof *p);
}

static og_status plan_put(const og_decl *t, tplan *p, const og_batch *src, size_t r)
{
    og_status rc = OG_OK;
    if (!p->puts.ncols) {
        og_schema s;
        memset(&s, 0, sizeof s);
        if (!(rc = og_graph_table_schema(t, &s))) rc = og_graph_batch_like(&s, &p->puts);
        og_schema_free(&s);
        if (rc) return rc;
    }
    p->touched = true;
    return og_graph_batch_append_row(&p->puts, src, r);
}

static og_status plan_del(mctx *m, tplan *p, const void *id, size_t n)
{
    if (p->ndels == p->dcap) {
        size_t nc = p->dcap ? 2 * p->dcap : 16;
        void *q = realloc(p->dels, nc * sizeof *p->dels);
        if (!q) return og_error_set(OG_E_NOMEM, "out of memory");
        p->dels = q;
        p->dcap = nc;
    }
    if (!(p->dels[p->ndels] = og_arena_strndup(m->a, id, n))) return og_error_set(OG_E_NOMEM, "out of memory");
    p->ndels++;
    p->touched = true;
    return OG_OK;
}

static bool pin_same(const og_graph_pin *a, const og_graph_pin *b)
{
    if (!a || !b) return a == b;
    if (a->version != b->version || strcmp(a->path, b->path)) return false;
    if (!a->table_branch || !b->table_branch) return !a->table_branch && !b->table_branch;
    return strcmp(a->table_branch, b->table_branch) == 0;
}

/* Classifies one id (merge.h (3)): each side's row as (batch, row), a
 * NULL batch when the side does not hold the id. */
static og_status classify(mctx *m, const og_decl *t, tplan *p, const og_batch *b, size_t rb, const og_batch *s,
                          size_t rs, const og_batch *tg, size_t rt, const char *id, size_t n)
{
    og_status rc = OG_OK;
    bool eq_bs = false, eq_bt = false, eq_st = false;
    if ((rc = row_eq(m->scratch, t, b, rb, s, rs, &eq_bs))) return rc;
    if (eq_bs) return OG_OK;                      /* source unchanged: keep target */
    if ((rc = row_eq(m->scratch, t, b, rb, tg, rt, &eq_bt))) return rc;
    if ((rc = row_eq(m->scratch, t, s, rs, tg, rt, &eq_st))) return rc;
    if (eq_st) return OG_OK;                      /* same result on both sides */
    if (eq_bt) {                                  /* target unchanged: take source */
        if (!s) return plan_del(m, p, id, n);
        return plan_put(t, p, s, rs);
    }
    if (!b && s && tg)
        return add_conflict(m, t, id, n, "divergent_insert", "divergent insert for id '%.*s'", NULL);
    if (b && (!s || !tg))
        return add_conflict(m, t, id, n, "delete_vs_update", "delete vs update for id '%.*s'", NULL);
    return add_conflict(m, t, id, n, "divergent_update", "divergent update for id '%.*s'", NULL);
}

/* (2): merge-join of the three sides by id; target may share the base's
 * cursor (tc NULL: its pin is the base's). */
static og_status join3(mctx *m, const og_decl *t, tplan *p, cursor *bc, cursor *sc, cursor *tc)
{
    og_status rc = OG_OK;
    for (;;) {
        size_t nb = 0, ns = 0, nt = 0, n = 0;
        const char *ib = cursor_id(bc, &nb), *is = cursor_id(sc, &ns), *it = tc ? cursor_id(tc, &nt) : NULL;
        const char *id = NULL;
        if (ib && (!id || id_cmp(ib, nb, id, n) < 0)) { id = ib; n = nb; }
        if (is && (!id || id_cmp(is, ns, id, n) < 0)) { id = is; n = ns; }
        if (it && (!id || id_cmp(it, nt, id, n) < 0)) { id = it; n = nt; }
        if (!id) break;
        bool hb = ib && !id_cmp(ib, nb, id, n), hs = is && !id_cmp(is, ns, id, n);
        bool ht = tc ? it && !id_cmp(it, nt, id, n) : hb;
        const og_batch *tb = tc ? &tc->b : &bc->b;
        size_t tr = tc ? tc->pos : bc->pos;
        rc = classify(m, t, p, hb ? &bc->b : NULL, bc->pos, hs ? &sc->b : NULL, sc->pos, ht ? tb : NULL, tr, id, n);
        og_arena_reset(m->scratch);
        if (rc) return rc;
        if (hb && (rc = cursor_next(bc))) return rc;
        if (hs && (rc = cursor_next(sc))) return rc;
        if (tc && ht && (rc = cursor_next(tc))) return rc;
    }
    return OG_OK;
}

static og_status plan_table(mctx *m, og_graph_view *vb, og_graph_view *vs, og_graph_view *vt, const og_decl *t,
                            tplan *p)
{
    og_status rc = OG_OK;
    og_buf key = OG_BUF_INIT;
    cursor bc, sc, tc;
    memset(&bc, 0, sizeof bc);
    memset(&sc, 0, sizeof sc);
    memset(&tc, 0, sizeof tc);
    if ((rc = og_graph_table_key(t, &key))) goto done;
    const og_graph_pin *pb = og_graph_snapshot_pin(og_graph_view_snapshot(vb), og_buf_cstr(&key));
    const og_graph_pin *ps = og_graph_snapshot_pin(og_graph_view_snapshot(vs), og_buf_cstr(&key));
    const og_graph_pin *pt = og_graph_snapshot_pin(og_graph_view_snapshot(vt), og_buf_cstr(&key));
    if (!pb || !ps || !pt) {
        rc = og_error_set(OG_E_INVALID, "cannot merge: table `%s` is not registered on every side of the merge",
                          og_buf_cstr(&key));
        goto done;
    }
    if (pb->stable_table_id != ps->stable_table_id || pb->stable_table_id != pt->stable_table_id ||
        pb->table_incarnation_id != ps->table_incarnation_id || pb->table_incarnation_id != pt->table_incarnation_id) {
        rc = og_error_set(OG_E_INVALID, "cannot merge: table `%s` was dropped and re-added on one side",
                          og_buf_cstr(&key));
        goto done;
    }
    if (pin_same(ps, pt) || pin_same(pb, ps)) goto done;  /* the source did not move it */
    if ((rc = cursor_open(vb, t, &bc)) || (rc = cursor_open(vs, t, &sc))) goto done;
    bool shared = pin_same(pb, pt);
    if (!shared && (rc = cursor_open(vt, t, &tc))) goto done;
    rc = join3(m, t, p, &bc, &sc, shared ? NULL : &tc);
done:
    og_buf_free(&key);
    cursor_close(&bc);
    cursor_close(&sc);
    cursor_close(&tc);
    return rc;
}

/* ---- validation (merge.h (4)) ---- */

static og_status to_row(og_arena *a, const og_decl *t, const og_batch *rows, size_t r, og_row *out)
{
    og_status rc = OG_OK;
    og_value v;
    bool edge = t->kind == OG_KIND_EDGE;
    memset(out, 0, sizeof *out);
    if ((rc = og_graph_cell_value(a, og_batch_col(rows, "id"), r, NULL, &v))) return rc;
    out->id = og_arena_strndup(a, v.as.s.ptr, v.as.s.len);
    if (edge) {
        if ((rc = og_graph_cell_value(a, og_batch_col(rows, "src"), r, NULL, &v))) return rc;
        out->src = og_arena_strndup(a, v.as.s.ptr, v.as.s.len);
        if ((rc = og_graph_cell_value(a, og_batch_col(rows, "dst"), r, NULL, &v))) return rc;
        out->dst = og_arena_strndup(a, v.as.s.ptr, v.as.s.len);
    }
    out->vals = og_arena_calloc(a, (t->n_props + 1) * sizeof *out->vals);
    if (!out->id || !out->vals || (edge && (!out->src || !out->dst))) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t j = 0; j < t->n_props && !rc; j++) {
        og_column *c = og_batch_col(rows, t->props[j].name);
        if (c && !og_column_is_null(c, r)) rc = og_graph_cell_value(a, c, r, &t->props[j], &out->vals[j]);
        else out->vals[j].kind = OG_VALUE_NULL;
    }
    return rc;
}

/* The catalog type named right after `after` in msg (up to '.', ':',
 * ' ' or ')'), or NULL. */
static const og_decl *type_after(const og_catalog *cat, const char *msg, const char *after)
{
    const char *p = strstr(msg, after);
    if (!p) return NULL;
    p += strlen(after);
    size_t n = strcspn(p, ".: )'");
    for (size_t i = 0; i < cat->n_types; i++)
        if (strlen(cat->types[i].name) == n && !strncmp(cat->types[i].name, p, n)) return &cat->types[i];
    return NULL;
}

/* The edge type of a delta edge whose src/dst `id` is missing. */
static const og_decl *orphan_edge_type(const og_catalog *cat, const og_delta_table *tabs, const char *msg)
{
    const char *kept = strstr(msg, "(kept edge ");
    if (kept && strstr(kept, " of ")) return type_after(cat, strstr(kept, " of "), " of ");
    bool dst = !strncmp(msg, "dst '", 5);
    const char *s = strchr(msg, '\'');
    const char *e = s ? strchr(s + 1, '\'') : NULL;
    if (!s || !e) return NULL;
    size_t n = (size_t)(e - s - 1);
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_delta_table *dt = &tabs[i];
        if (!dt->type || dt->type->kind != OG_KIND_EDGE) continue;
        for (size_t r = 0; r < dt->n_rows; r++) {
            const char *x = dst ? dt->rows[r].dst : dt->rows[r].src;
            if (x && strlen(x) == n && !strncmp(x, s + 1, n)) return dt->type;
        }
    }
    for (size_t i = 0; i < cat->n_types; i++)
        if (cat->types[i].kind == OG_KIND_EDGE && tabs[i].n_rows) return &cat->types[i];
    return NULL;
}

/* A validation failure as a merge conflict; other errors pass through. */
static og_status violation(mctx *m, const og_delta_table *tabs, og_status rc)
{
    char msg[1024];
    const og_decl *t = NULL;
    const char *kind = NULL;
    if (rc != OG_E_VALIDATION) return rc;
    snprintf(msg, sizeof msg, "%s", og_error_last()->message);
    if (strstr(msg, "@unique") || strstr(msg, "@key")) {
        kind = "unique_violation";
        t = type_after(m->cat, msg, "violation on ");
    } else if (strstr(msg, "@card")) {
        kind = "cardinality_violation";
        t = type_after(m->cat, msg, "on edge ");
    } else if (strstr(msg, "not found in")) {
        kind = "orphan_edge";
        t = orphan_edge_type(m->cat, tabs, msg);
    } else if (strstr(msg, "@range") || strstr(msg, "@check")) {
        kind = "value_constraint_violation";
        t = type_after(m->cat, msg, " on ");
    } else if (strstr(msg, "invalid enum value")) {
        kind = "value_constraint_violation";
        t = type_after(m->cat, msg, " for ");
    }
    if (!kind || !t) return rc;
    og_error_clear();
    return add_conflict(m, t, NULL, 0, kind, NULL, msg);
}

static og_status validate_plan(mctx *m, og_graph_view *vt, tplan *plans)
{
    og_status rc = OG_OK;
    og_delta_table *tabs = calloc(m->cat->n_types ? m->cat->n_types : 1, sizeof *tabs);
    og_probe pr;
    bool any = false;
    if (!tabs) return og_error_set(OG_E_NOMEM, "out of memory");
    for (size_t i = 0; i < m->cat->n_types && !rc; i++) {
        const og_decl *t = &m->cat->types[i];
        tplan *p = &plans[i];
        tabs[i].type = t;
        if (!p->touched) continue;
        any = true;
        size_t np = p->puts.nrows;
        og_row *rows = og_arena_calloc(m->a, (np ? np : 1) * sizeof *rows);
        if (!rows) { rc = og_error_set(OG_E_NOMEM, "out of memory"); break; }
        for (size_t k = 0; k < np && !rc; k++) rc = to_row(m->a, t, &p->puts, k, &rows[k]);
        tabs[i].rows = rows;
        tabs[i].n_rows = np;
        tabs[i].removed = p->dels;
        tabs[i].n_removed = p->ndels;
    }
    if (rc || !any) goto done;
    if ((rc = og_graph_probe_init(vt, m->a, &pr))) goto done;
    og_delta d = {m->cat, m->cat->n_types, tabs};
    rc = violation(m, tabs, og_validate_delta(&d, &pr));
done:
    free(tabs);
    return rc;
}

/* ---- apply ---- */

static og_status apply_plan(og_graph_txn *x, const og_decl *t, tplan *p)
{
    og_status rc = OG_OK;
    if (p->puts.nrows && (rc = og_graph_txn_put(x, t, &p->puts, OG_WRITE_UPSERT))) return rc;
    if (p->ndels) rc = og_graph_txn_delete(x, t, p->dels, p->ndels);
    return rc;
}

/* ---- the merge ---- */

static og_status check_name(const char *what, const char *name, char **canon)
{
    og_status rc = og_graph_branch_name_check(name ? name : "", canon);
    if (rc) return og_error_context(rc, "branch merge %s", what);
    if (og_graph_branch_is_internal(*canon))
        return og_error_set(OG_E_INVALID, "branch merge refuses internal system refs ('%s')", *canon);
    return OG_OK;
}

static og_status open_head(og_graph *g, const char *name, og_graph_view **v)
{
    og_status rc = og_graph_view_open(g, strcmp(name, OG_GRAPH_MAIN) ? name : NULL, NULL, v);
    if (rc == OG_E_NOTFOUND) rc = og_error_set(OG_E_NOTFOUND, "branch '%s' not found", name);
    return rc;
}

static og_status read_set_changed(const char *target, const char *expected)
{
    return og_error_set(OG_E_CONFLICT, "merge target `%s` moved since the merge read it (head was %s): "
                        "read set changed; retry the merge", target, expected);
}

og_status og_graph_branch_merge(og_graph *g, const og_graph_merge_opts *o, og_graph_merge_result *out)
{
    og_status rc = OG_OK;
    char *src = NULL, *tgt = NULL;
    og_graph_view *vs = NULL, *vt0 = NULL, *vb = NULL;
    og_graph_txn *x = NULL;
    tplan *plans = NULL;
    mctx m;
    memset(out, 0, sizeof *out);
    memset(&m, 0, sizeof m);
    m.g = g;
    m.cat = og_graph_catalog(g);
    m.out = out;
    if ((rc = check_name("source", o->source, &src))) goto done;
    if ((rc = check_name("target", o->target ? o->target : OG_GRAPH_MAIN, &tgt))) goto done;
    if (!strcmp(src, tgt)) {
        rc = og_error_set(OG_E_INVALID, "branch merge needs distinct source and target branches (both '%s')", src);
        goto done;
    }
    if ((rc = open_head(g, src, &vs)) || (rc = open_head(g, tgt, &vt0))) goto done;
    memcpy(out->source_head, og_graph_view_snapshot(vs)->head.id, sizeof out->source_head);
    memcpy(out->target_head, og_graph_view_snapshot(vt0)->head.id, sizeof out->target_head);
    og_graph_view_close(vt0);
    vt0 = NULL;
    if (!strcmp(out->source_head, out->target_head)) {
        memcpy(out->base, out->source_head, sizeof out->base);
        out->outcome = OG_MERGE_ALREADY_UP_TO_DATE;
        goto done;
    }
    if ((rc = merge_base(g, out->source_head, out->target_head, out->base))) goto done;
    if (!strcmp(out->base, out->source_head)) { out->outcome = OG_MERGE_ALREADY_UP_TO_DATE; goto done; }
    out->outcome = !strcmp(out->base, out->target_head) ? OG_MERGE_FAST_FORWARD : OG_MERGE_MERGED;
    /* (1) the target is pinned at the head the outcome was computed from */
    og_graph_txn_opts to = {strcmp(tgt, OG_GRAPH_MAIN) ? tgt : NULL, o->actor, out->target_head};
    rc = og_graph_txn_begin(g, &to, &x);
    if (rc == OG_E_PRECONDITION) { rc = read_set_changed(tgt, out->target_head); goto done; }
    if (rc) goto done;
    if ((rc = og_graph_view_open(g, NULL, out->base, &vb))) {
        og_error_context(rc, "opening the merge base %s", out->base);
        goto done;
    }
    if ((rc = OG_FAILPOINT("merge.post_authority_capture"))) goto done;
    if (!(m.a = og_arena_create(NULL, "merge")) || !(m.scratch = og_arena_create(NULL, "merge-rows"))) {
        rc = og_error_set(OG_E_NOMEM, "out of memory");
        goto done;
    }
    plans = calloc(m.cat->n_types ? m.cat->n_types : 1, sizeof *plans);
    if (!plans) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    og_graph_view *vt = og_graph_txn_base(x);
    for (size_t i = 0; i < m.cat->n_types && !rc; i++) {
        if (m.cat->types[i].kind == OG_KIND_INTERFACE) continue;
        rc = plan_table(&m, vb, vs, vt, &m.cat->types[i], &plans[i]);
    }
    if (rc) goto done;
    if (!out->nconflicts && (rc = validate_plan(&m, vt, plans))) goto done;
    if (out->nconflicts) { rc = conflicts_error(o, out); goto done; }
    if ((rc = OG_FAILPOINT("merge.post_candidate_validation"))) goto done;
    for (size_t i = 0; i < m.cat->n_types && !rc; i++)
        if (plans[i].touched) rc = apply_plan(x, &m.cat->types[i], &plans[i]);
    if (rc) goto done;
    og_graph_txn_set_writer_kind(x, OG_WRITER_MERGE);
    og_graph_txn_set_validated(x);
    og_graph_txn_set_merge(x, out->source_head);
    rc = og_graph_txn_commit(x, &out->commit);
    x = NULL;
    if (rc == OG_E_PRECONDITION) rc = read_set_changed(tgt, out->target_head);
done:
    if (plans)
        for (size_t i = 0; i < m.cat->n_types; i++) tplan_free(&plans[i]);
    free(plans);
    og_arena_destroy(m.scratch);
    og_arena_destroy(m.a);
    og_graph_txn_abort(x);
    og_graph_view_close(vb);
    og_graph_view_close(vt0);
    og_graph_view_close(vs);
    free(src);
    free(tgt);
    return rc;
}
