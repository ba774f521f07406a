/* validate.c — delta validation against a probed committed view; see
 * validate.h for the invariants. */
#include "validate.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/map.h"
#include "base/vec.h"
#include "value_convert.h"

#define NOMEM() og_error_set(OG_E_NOMEM, "out of memory")

typedef OG_VEC(const char *) str_vec;

typedef struct vctx {
    const og_delta *d;
    const og_probe *pr;
    og_map **ids;      /* per type: delta row id -> (row index + 1) */
    og_map **removed;  /* per type: removed id -> 1 */
} vctx;

static void *idx_ptr(size_t i) { return (void *)(uintptr_t)(i + 1); }
static size_t ptr_idx(void *p) { return (size_t)(uintptr_t)p - 1; }

static const og_delta_table *dtab(const vctx *v, const og_decl *t) { return &v->d->tables[t->index]; }

static bool in_delta(const vctx *v, const og_decl *t, const char *id)
{
    void *x;
    return v->ids[t->index] && og_map_gets(v->ids[t->index], id, &x);
}

/* Whether a committed row of t with this id survives the write. */
static bool committed_kept(const vctx *v, const og_decl *t, const char *id)
{
    void *x;
    const og_delta_table *dt = dtab(v, t);
    if (dt->replace_all) return false;
    if (v->removed[t->index] && og_map_gets(v->removed[t->index], id, &x)) return false;
    return !in_delta(v, t, id);
}

/* ---- (3) values -------------------------------------------------------- */

static og_status check_enum(const og_decl *t, const og_property *p, const og_value *val)
{
    og_buf m = OG_BUF_INIT;
    og_status rc = OG_OK;
    if (val->kind != OG_VALUE_STRING) return OG_OK;
    for (size_t i = 0; i < p->type.n_enum; i++) {
        const char *e = p->type.enum_values[i];
        if (strlen(e) == val->as.s.len && memcmp(e, val->as.s.ptr, val->as.s.len) == 0) return OG_OK;
    }
    rc = og_buf_printf(&m, "invalid enum value '%.*s' for %s.%s (expected: ", (int)val->as.s.len, val->as.s.ptr,
                       t->name, p->name);
    for (size_t i = 0; rc == OG_OK && i < p->type.n_enum; i++)
        rc = og_buf_printf(&m, "%s%s", i ? ", " : "", p->type.enum_values[i]);
    if (rc == OG_OK) rc = og_buf_append_byte(&m, ')');
    rc = rc == OG_OK ? og_error_set(OG_E_VALIDATION, "%s", og_buf_cstr(&m)) : rc;
    og_buf_free(&m);
    return rc;
}

/* Compares value with a bound: <0, 0, >0. NaN handled by the caller. */
static int cmp_bound(const og_value *v, const og_range_bound *b)
{
    if (v->kind == OG_VALUE_F64 || b->is_float) {
        double x = v->kind == OG_VALUE_F64 ? v->as.f : v->kind == OG_VALUE_U64 ? (double)v->as.u : (double)v->as.i;
        return x < b->f ? -1 : x > b->f ? 1 : 0;
    }
    if (v->kind == OG_VALUE_U64) {
        if (b->i < 0 || v->as.u > (uint64_t)INT64_MAX) return 1;
        return (int64_t)v->as.u < b->i ? -1 : (int64_t)v->as.u > b->i ? 1 : 0;
    }
    return v->as.i < b->i ? -1 : v->as.i > b->i ? 1 : 0;
}

static og_status check_range(const og_decl *t, const og_constraint *c, const og_value *val)
{
    og_buf vs = OG_BUF_INIT;
    og_status rc = OG_OK;
    const char *what = NULL;
    const og_range_bound *b = NULL;
    if (val->kind == OG_VALUE_NULL) return OG_OK;
    if (val->kind == OG_VALUE_F64 && isnan(val->as.f)) {
        return og_error_set(OG_E_VALIDATION, "@range violation on %s.%s: value is NaN", t->name, c->columns[0]);
    }
    if (c->min.present && cmp_bound(val, &c->min) < 0) { what = "<"; b = &c->min; }
    else if (c->max.present && cmp_bound(val, &c->max) > 0) { what = ">"; b = &c->max; }
    if (!what) return OG_OK;
    rc = og_value_render(val, &vs);
    if (rc == OG_OK)
        rc = og_error_set(OG_E_VALIDATION, "@range violation on %s.%s: value %s %s %s %s", t->name, c->columns[0],
                          og_buf_cstr(&vs), what, what[0] == '<' ? "min" : "max", b->text ? b->text : "?");
    og_buf_free(&vs);
    return rc;
}

/* Rust-regex class escapes POSIX ERE lacks, rewritten. */
static og_status translate_regex(const char *src, og_buf *out)
{
    og_status rc = OG_OK;
    bool in_br = false;
    for (const char *p = src; *p && rc == OG_OK; p++) {
        if (*p == '\\' && p[1]) {
            const char *rep = NULL;
            char e = p[1];
            if (!in_br) {
                switch (e) {
                case 'd': rep = "[0-9]"; break;
                case 'D': rep = "[^0-9]"; break;
                case 's': rep = "[[:space:]]"; break;
                case 'S': rep = "[^[:space:]]"; break;
                case 'w': rep = "[[:alnum:]_]"; break;
                case 'W': rep = "[^[:alnum:]_]"; break;
                default: break;
                }
            } else {
                switch (e) {
                case 'd': rep = "0-9"; break;
                case 's': rep = "[:space:]"; break;
                case 'w': rep = "[:alnum:]_"; break;
                default: break;
                }
            }
            if (rep) rc = og_buf_append_str(out, rep);
            else rc = og_buf_append(out, p, 2);
            p++;
            continue;
        }
        if (*p == '[' && !in_br) {
            in_br = true;
            rc = og_buf_append_byte(out, '[');
            if (rc == OG_OK && p[1] == '^') { rc = og_buf_append_byte(out, '^'); p++; }
            if (rc == OG_OK && p[1] == ']') { rc = og_buf_append_byte(out, ']'); p++; }
            continue;
        }
        if (*p == ']' && in_br) in_br = false;
        rc = og_buf_append_byte(out, (uint8_t)*p);
    }
    return rc;
}

static og_status check_values(const og_delta_table *dt)
{
    const og_decl *t = dt->type;
    og_status rc = OG_OK;
    regex_t *res = NULL;
    bool *compiled = NULL;
    if (dt->n_rows == 0) return OG_OK;
    if (t->n_constraints) {
        res = calloc(t->n_constraints, sizeof *res);
        compiled = calloc(t->n_constraints, sizeof *compiled);
        if (!res || !compiled) { rc = NOMEM(); goto done; }
    }
    for (size_t ci = 0; ci < t->n_constraints; ci++) {
        const og_constraint *c = &t->constraints[ci];
        og_buf pat = OG_BUF_INIT;
        int err;
        if (c->kind != OG_CONSTRAINT_CHECK) continue;
        rc = translate_regex(c->pattern, &pat);
        if (rc != OG_OK) { og_buf_free(&pat); goto done; }
        err = regcomp(&res[ci], og_buf_cstr(&pat), REG_EXTENDED | REG_NOSUB);
        og_buf_free(&pat);
        if (err != 0) {
            rc = og_error_set(OG_E_VALIDATION, "@check on %s.%s: pattern '%s' is not a supported regex", t->name,
                              c->columns[0], c->pattern);
            goto done;
        }
        compiled[ci] = true;
    }
    for (size_t r = 0; r < dt->n_rows; r++) {
        const og_row *row = &dt->rows[r];
        for (size_t pi = 0; pi < t->n_props; pi++) {
            if (t->props[pi].type.scalar == OG_SCALAR_ENUM &&
                (rc = check_enum(t, &t->props[pi], &row->vals[pi])) != OG_OK)
                goto done;
        }
        for (size_t ci = 0; ci < t->n_constraints; ci++) {
            const og_constraint *c = &t->constraints[ci];
            const og_value *val;
            if (c->n_columns < 1 || c->column_props[0] < 0) continue;
            val = &row->vals[c->column_props[0]];
            if (c->kind == OG_CONSTRAINT_RANGE) {
                if ((rc = check_range(t, c, val)) != OG_OK) goto done;
            } else if (c->kind == OG_CONSTRAINT_CHECK && val->kind == OG_VALUE_STRING) {
                if (regexec(&res[ci], val->as.s.ptr, 0, NULL, 0) != 0) {
                    rc = og_error_set(OG_E_VALIDATION, "@check violation on %s.%s: value '%.*s' does not match pattern '%s'",
                                      t->name, c->columns[0], (int)val->as.s.len, val->as.s.ptr, c->pattern);
                    goto done;
                }
            }
        }
    }
done:
    for (size_t ci = 0; compiled && ci < t->n_constraints; ci++)
        if (compiled[ci]) regfree(&res[ci]);
    free(res);
    free(compiled);
    return rc;
}

/* ---- (4) and (5) uniqueness ------------------------------------------- */

/* "T.a" or "T.(a, b)" */
static og_status cols_name(const og_decl *t, size_t n, const char *const *cols, og_buf *out)
{
    og_status rc = og_buf_printf(out, "%s.", t->name);
    if (rc == OG_OK && n > 1) rc = og_buf_append_byte(out, '(');
    for (size_t i = 0; rc == OG_OK && i < n; i++) rc = og_buf_printf(out, "%s%s", i ? ", " : "", cols[i]);
    if (rc == OG_OK && n > 1) rc = og_buf_append_byte(out, ')');
    return rc;
}

static og_status unique_fail(const og_decl *t, size_t ncol, const char *const *cols, const char *value,
                             const char *id1, const char *id2)
{
    og_buf m = OG_BUF_INIT;
    og_status rc = og_buf_append_str(&m, "@unique violation on ");
    if (rc == OG_OK) rc = cols_name(t, ncol, cols, &m);
    if (rc == OG_OK)
        rc = og_error_set(OG_E_VALIDATION, "%s: value '%s' held by '%s' and '%s'", og_buf_cstr(&m), value, id1, id2);
    og_buf_free(&m);
    return rc;
}

og_status og_validate_key_duplicates(const og_decl *t, size_t n, const og_row *rows)
{
    const og_property *kp[16];
    const char *cols[16];
    og_map *seen = NULL;
    og_status rc = OG_OK;
    size_t nk;
    if (t->kind != OG_KIND_NODE || t->key_constraint < 0 || n < 2) return OG_OK;
    nk = og_decl_key_props(t, kp, 16);
    for (size_t i = 0; i < nk; i++) cols[i] = kp[i]->name;
    if (!(seen = og_map_new())) return NOMEM();
    for (size_t i = 0; i < n; i++) {
        void *prev;
        if (og_map_gets(seen, rows[i].id, &prev)) {
            rc = unique_fail(t, nk, cols, rows[i].id, rows[ptr_idx(prev)].id, rows[i].id);
            goto done;
        }
        if ((rc = og_map_puts(seen, rows[i].id, idx_ptr(i), NULL)) != OG_OK) goto done;
    }
done:
    og_map_free(seen);
    return rc;
}

/* Tuple value of column j of c for a row (src/dst as strings). */
static bool tuple_value(const og_constraint *c, size_t j, const og_row *row, og_value *out)
{
    memset(out, 0, sizeof *out);
    if (c->column_props[j] >= 0) {
        *out = row->vals[c->column_props[j]];
    } else {
        const char *s = strcmp(c->columns[j], OG_COLUMN_SRC) == 0 ? row->src : row->dst;
        if (!s) return false;
        out->kind = OG_VALUE_STRING;
        out->as.s.ptr = s;
        out->as.s.len = strlen(s);
    }
    return out->kind != OG_VALUE_NULL;
}

/* Exact, type-tagged byte key of a tuple (for the intra-delta map). */
static og_status tuple_key(const og_value *vals, size_t n, og_buf *out)
{
    og_status rc = OG_OK;
    for (size_t j = 0; j < n && rc == OG_OK; j++) {
        const og_value *v = &vals[j];
        og_buf one = OG_BUF_INIT;
        if (v->kind == OG_VALUE_F64) {
            double f = v->as.f == 0 ? 0.0 : v->as.f;
            rc = og_buf_append(&one, &f, sizeof f);
        } else {
            rc = og_value_render(v, &one);
        }
        if (rc == OG_OK) rc = og_buf_printf(out, "%d:%zu:", (int)v->kind, one.len);
        if (rc == OG_OK) rc = og_buf_append(out, one.data ? one.data : "", one.len);
        og_buf_free(&one);
    }
    return rc;
}

static og_status tuple_text(const og_value *vals, size_t n, og_buf *out)
{
    og_status rc = OG_OK;
    if (n == 1) return og_value_render(&vals[0], out);
    rc = og_buf_append_byte(out, '(');
    for (size_t j = 0; j < n && rc == OG_OK; j++) {
        if (j) rc = og_buf_append_str(out, ", ");
        if (rc == OG_OK) rc = og_value_render(&vals[j], out);
    }
    if (rc == OG_OK) rc = og_buf_append_byte(out, ')');
    return rc;
}

typedef struct uniq_probe_arg {
    const vctx *v;
    const og_decl *t;
    const og_constraint *c;
    const og_value *tuples;
    const size_t *row_of;   /* tuple index -> delta row index */
} uniq_probe_arg;

static og_status uniq_hit(void *arg, size_t i, const char *holder)
{
    uniq_probe_arg *ua = arg;
    const og_row *row = &dtab(ua->v, ua->t)->rows[ua->row_of[i]];
    og_buf vt = OG_BUF_INIT;
    og_status rc;
    if (strcmp(holder, row->id) == 0 || !committed_kept(ua->v, ua->t, holder)) return OG_OK;
    rc = tuple_text(&ua->tuples[i * ua->c->n_columns], ua->c->n_columns, &vt);
    if (rc == OG_OK) rc = unique_fail(ua->t, ua->c->n_columns, ua->c->columns, og_buf_cstr(&vt), holder, row->id);
    og_buf_free(&vt);
    return rc;
}

static og_status check_unique(const vctx *v, const og_delta_table *dt)
{
    const og_decl *t = dt->type;
    og_status rc = OG_OK;
    og_value *tuples = NULL;
    size_t *row_of = NULL;
    og_map *seen = NULL;
    og_buf key = OG_BUF_INIT, vt = OG_BUF_INIT;
    if (dt->n_rows == 0) return OG_OK;
    for (size_t ci = 0; ci < t->n_constraints && rc == OG_OK; ci++) {
        const og_constraint *c = &t->constraints[ci];
        size_t nt = 0, nc = c->n_columns;
        if (c->kind != OG_CONSTRAINT_UNIQUE || nc == 0) continue;
        free(tuples);
        free(row_of);
        og_map_free(seen);
        tuples = calloc(dt->n_rows * nc, sizeof *tuples);
        row_of = calloc(dt->n_rows, sizeof *row_of);
        seen = og_map_new();
        if (!tuples || !row_of || !seen) { rc = NOMEM(); break; }
        for (size_t r = 0; r < dt->n_rows && rc == OG_OK; r++) {
            bool all = true;
            void *prev;
            for (size_t j = 0; j < nc; j++) all = tuple_value(c, j, &dt->rows[r], &tuples[nt * nc + j]) && all;
            if (!all) continue;
            og_buf_clear(&key);
            if ((rc = tuple_key(&tuples[nt * nc], nc, &key)) != OG_OK) break;
            if (og_map_get(seen, key.data, key.len, &prev)) {
                og_buf_clear(&vt);
                rc = tuple_text(&tuples[nt * nc], nc, &vt);
                if (rc == OG_OK)
                    rc = unique_fail(t, nc, c->columns, og_buf_cstr(&vt), dt->rows[ptr_idx(prev)].id, dt->rows[r].id);
                break;
            }
            if ((rc = og_map_put(seen, key.data, key.len, idx_ptr(r), NULL)) != OG_OK) break;
            row_of[nt++] = r;
        }
        /* Committed probe in chunks of at most OG_VALIDATE_PROBE_CHUNK tuples. */
        for (size_t off = 0; rc == OG_OK && off < nt && v->pr && v->pr->vt->unique_probe;
             off += OG_VALIDATE_PROBE_CHUNK) {
            size_t cnt = nt - off < OG_VALIDATE_PROBE_CHUNK ? nt - off : OG_VALIDATE_PROBE_CHUNK;
            uniq_probe_arg ua = {v, t, c, tuples + off * nc, row_of + off};
            rc = v->pr->vt->unique_probe(v->pr->ctx, t, c, cnt, tuples + off * nc, uniq_hit, &ua);
        }
    }
    free(tuples);
    free(row_of);
    og_map_free(seen);
    og_buf_free(&key);
    og_buf_free(&vt);
    return rc;
}

/* ---- (6) referential integrity ---------------------------------------- */

/* found[i]: ids[i] names a node of `node` in the pending view. */
static og_status pending_nodes(const vctx *v, const og_decl *node, size_t n, const char *const *ids, bool *found)
{
    og_status rc = OG_OK;
    const char **ask = calloc(n ? n : 1, sizeof *ask);
    size_t *ask_of = calloc(n ? n : 1, sizeof *ask_of);
    bool *ans = calloc(n ? n : 1, sizeof *ans);
    size_t na = 0;
    if (!ask || !ask_of || !ans) { rc = NOMEM(); goto done; }
    for (size_t i = 0; i < n; i++) {
        found[i] = in_delta(v, node, ids[i]);
        if (!found[i] && committed_kept(v, node, ids[i])) {
            ask[na] = ids[i];
            ask_of[na++] = i;
        }
    }
    if (na && v->pr && v->pr->vt->nodes_exist) {
        rc = v->pr->vt->nodes_exist(v->pr->ctx, node, na, ask, ans);
        for (size_t k = 0; rc == OG_OK && k < na; k++) found[ask_of[k]] = ans[k];
    }
done:
    free(ask);
    free(ask_of);
    free(ans);
    return rc;
}

static og_status check_delta_edges_ri(const vctx *v, const og_delta_table *dt)
{
    const og_catalog *cat = v->d->cat;
    const og_decl *e = dt->type;
    og_status rc = OG_OK;
    const char **ids = NULL;
    bool *found = NULL;
    if (dt->n_rows == 0) return OG_OK;
    ids = calloc(dt->n_rows, sizeof *ids);
    found = calloc(dt->n_rows, sizeof *found);
    if (!ids || !found) { rc = NOMEM(); goto done; }
    for (int side = 0; side < 2 && rc == OG_OK; side++) {
        const og_decl *nt = &cat->types[side ? e->to_index : e->from_index];
        for (size_t r = 0; r < dt->n_rows; r++) ids[r] = side ? dt->rows[r].dst : dt->rows[r].src;
        if ((rc = pending_nodes(v, nt, dt->n_rows, ids, found)) != OG_OK) break;
        for (size_t r = 0; r < dt->n_rows; r++) {
            if (!found[r]) {
                rc = og_error_set(OG_E_VALIDATION, "%s '%s' not found in %s", side ? "dst" : "src", ids[r], nt->name);
                break;
            }
        }
    }
done:
    free(ids);
    free(found);
    return rc;
}

typedef struct kept_arg {
    const vctx *v;
    const og_decl *e;
    str_vec ends[2];
    str_vec eids;
} kept_arg;

static og_status kept_edge(void *arg, size_t i, const char *edge_id, const char *src, const char *dst)
{
    kept_arg *ka = arg;
    og_status rc;
    (void)i;
    if (!committed_kept(ka->v, ka->e, edge_id)) return OG_OK;
    if ((rc = og_vec_push(&ka->ends[0], src)) != OG_OK) return rc;
    if ((rc = og_vec_push(&ka->ends[1], dst)) != OG_OK) return rc;
    return og_vec_push(&ka->eids, edge_id);
}

static bool node_shrinks(const vctx *v, const og_decl *node)
{
    const og_delta_table *dt = dtab(v, node);
    return dt->replace_all || dt->n_removed > 0;
}

/* Committed edges kept by the write whose endpoint type lost nodes. */
static og_status check_kept_edges_ri(const vctx *v, const og_decl *e)
{
    const og_catalog *cat = v->d->cat;
    const og_decl *ft = &cat->types[e->from_index], *tt = &cat->types[e->to_index];
    kept_arg ka;
    bool *found = NULL;
    og_status rc = OG_OK;
    if (dtab(v, e)->replace_all || !v->pr || !v->pr->vt->edges_scan) return OG_OK;
    if (!node_shrinks(v, ft) && !node_shrinks(v, tt)) return OG_OK;
    memset(&ka, 0, sizeof ka);
    ka.v = v;
    ka.e = e;
    const og_delta_table *fd = dtab(v, ft), *td = dtab(v, tt);
    if (!fd->replace_all && !td->replace_all && v->pr->vt->edges_by_src && v->pr->vt->edges_by_dst) {
        /* Only edges incident to a removed node can lose an endpoint. */
        if (fd->n_removed &&
            (rc = v->pr->vt->edges_by_src(v->pr->ctx, e, fd->n_removed, fd->removed, kept_edge, &ka)) != OG_OK)
            goto done;
        if (td->n_removed &&
            (rc = v->pr->vt->edges_by_dst(v->pr->ctx, e, td->n_removed, td->removed, kept_edge, &ka)) != OG_OK)
            goto done;
    } else if ((rc = v->pr->vt->edges_scan(v->pr->ctx, e, kept_edge, &ka)) != OG_OK) {
        goto done;
    }
    found = calloc(ka.eids.len ? ka.eids.len : 1, sizeof *found);
    if (!found) { rc = NOMEM(); goto done; }
    for (int side = 0; side < 2 && rc == OG_OK; side++) {
        const og_decl *nt = side ? tt : ft;
        if (!node_shrinks(v, nt)) continue;
        if ((rc = pending_nodes(v, nt, ka.eids.len, ka.ends[side].items, found)) != OG_OK) break;
        for (size_t k = 0; k < ka.eids.len; k++) {
            if (!found[k]) {
                rc = og_error_set(OG_E_VALIDATION, "%s '%s' not found in %s (kept edge '%s' of %s)",
                                  side ? "dst" : "src", ka.ends[side].items[k], nt->name, ka.eids.items[k], e->name);
                break;
            }
        }
    }
done:
    free(found);
    og_vec_free(&ka.ends[0]);
    og_vec_free(&ka.ends[1]);
    og_vec_free(&ka.eids);
    return rc;
}

/* ---- (7) cardinality --------------------------------------------------- */

typedef struct card_arg {
    const vctx *v;
    const og_decl *e;
    uint64_t *counts;           /* per source index */
    str_vec *vacated;
} card_arg;

static og_status card_count(void *arg, size_t i, const char *edge_id, const char *src, const char *dst)
{
    card_arg *ca = arg;
    (void)src;
    (void)dst;
    if (committed_kept(ca->v, ca->e, edge_id)) ca->counts[i]++;
    return OG_OK;
}

static og_status card_vacated(void *arg, size_t i, const char *edge_id, const char *src, const char *dst)
{
    card_arg *ca = arg;
    (void)i;
    (void)edge_id;
    (void)dst;
    return og_vec_push(ca->vacated, src);
}

static og_status check_card(const vctx *v, const og_delta_table *dt)
{
    const og_decl *e = dt->type;
    const og_decl *ft = &v->d->cat->types[e->from_index];
    str_vec srcs = {0};
    str_vec vac = {0};
    og_map *idx = NULL;
    uint64_t *counts = NULL;
    bool *alive = NULL;
    og_status rc = OG_OK;
    if (e->card_min == 0 && !e->card_has_max) return OG_OK;
    if (dt->n_rows == 0 && dt->n_removed == 0 && !dt->replace_all) return OG_OK;
    if (!(idx = og_map_new())) return NOMEM();
    /* Sources vacated by changed or removed committed edges. */
    if (!dt->replace_all && v->pr && v->pr->vt->edges_by_id) {
        card_arg ca = {v, e, NULL, &vac};
        const char **ids = calloc(dt->n_rows + dt->n_removed + 1, sizeof *ids);
        size_t n = 0;
        if (!ids) { rc = NOMEM(); goto done; }
        for (size_t r = 0; r < dt->n_rows; r++) ids[n++] = dt->rows[r].id;
        for (size_t r = 0; r < dt->n_removed; r++) ids[n++] = dt->removed[r];
        rc = v->pr->vt->edges_by_id(v->pr->ctx, e, n, ids, card_vacated, &ca);
        free(ids);
        if (rc != OG_OK) goto done;
    }
    for (size_t r = 0; r < dt->n_rows + vac.len && rc == OG_OK; r++) {
        const char *s = r < dt->n_rows ? dt->rows[r].src : vac.items[r - dt->n_rows];
        void *x;
        if (og_map_gets(idx, s, &x)) continue;
        if ((rc = og_map_puts(idx, s, idx_ptr(srcs.len), NULL)) == OG_OK) rc = og_vec_push(&srcs, s);
    }
    if (rc != OG_OK) goto done;
    counts = calloc(srcs.len + 1, sizeof *counts);
    alive = calloc(srcs.len + 1, sizeof *alive);
    if (!counts || !alive) { rc = NOMEM(); goto done; }
    for (size_t r = 0; r < dt->n_rows; r++) {
        void *x;
        og_map_gets(idx, dt->rows[r].src, &x);
        counts[ptr_idx(x)]++;
    }
    if (!dt->replace_all && srcs.len && v->pr && v->pr->vt->edges_by_src) {
        card_arg ca = {v, e, counts, NULL};
        if ((rc = v->pr->vt->edges_by_src(v->pr->ctx, e, srcs.len, srcs.items, card_count, &ca)) != OG_OK) goto done;
    }
    /* A vacated source that no longer exists is not checked. */
    if ((rc = pending_nodes(v, ft, srcs.len, srcs.items, alive)) != OG_OK) goto done;
    for (size_t k = 0; k < srcs.len; k++) {
        if (!alive[k] && counts[k] == 0) continue;
        if (e->card_has_max && counts[k] > e->card_max) {
            rc = og_error_set(OG_E_VALIDATION, "@card violation on edge %s: source '%s' has %llu edges (max %llu)",
                              e->name, srcs.items[k], (unsigned long long)counts[k], (unsigned long long)e->card_max);
            goto done;
        }
        if (counts[k] < e->card_min) {
            rc = og_error_set(OG_E_VALIDATION, "@card violation on edge %s: source '%s' has %llu edges (min %llu)",
                              e->name, srcs.items[k], (unsigned long long)counts[k], (unsigned long long)e->card_min);
            goto done;
        }
    }
done:
    og_vec_free(&srcs);
    og_vec_free(&vac);
    og_map_free(idx);
    free(counts);
    free(alive);
    return rc;
}

/* ---- driver ------------------------------------------------------------ */

og_status og_validate_delta(const og_delta *d, const og_probe *committed)
{
    vctx v;
    og_status rc = OG_OK;
    size_t n = d->n_tables;
    memset(&v, 0, sizeof v);
    v.d = d;
    v.pr = committed;
    v.ids = calloc(n ? n : 1, sizeof *v.ids);
    v.removed = calloc(n ? n : 1, sizeof *v.removed);
    if (!v.ids || !v.removed) { rc = NOMEM(); goto done; }
    for (size_t i = 0; i < n && rc == OG_OK; i++) {
        const og_delta_table *dt = &d->tables[i];
        if (dt->n_rows) {
            if (!(v.ids[i] = og_map_new())) { rc = NOMEM(); break; }
            for (size_t r = 0; r < dt->n_rows && rc == OG_OK; r++)
                rc = og_map_puts(v.ids[i], dt->rows[r].id, idx_ptr(r), NULL);
        }
        if (dt->n_removed && rc == OG_OK) {
            if (!(v.removed[i] = og_map_new())) { rc = NOMEM(); break; }
            for (size_t r = 0; r < dt->n_removed && rc == OG_OK; r++)
                rc = og_map_puts(v.removed[i], dt->removed[r], idx_ptr(r), NULL);
        }
    }
    for (size_t i = 0; i < n && rc == OG_OK; i++) rc = check_values(&d->tables[i]);
    for (size_t i = 0; i < n && rc == OG_OK; i++)
        rc = og_validate_key_duplicates(d->tables[i].type, d->tables[i].n_rows, d->tables[i].rows);
    for (size_t i = 0; i < n && rc == OG_OK; i++) rc = check_unique(&v, &d->tables[i]);
    for (size_t i = 0; i < n && rc == OG_OK; i++) {
        if (d->tables[i].type->kind != OG_KIND_EDGE) continue;
        rc = check_delta_edges_ri(&v, &d->tables[i]);
        if (rc == OG_OK) rc = check_kept_edges_ri(&v, d->tables[i].type);
    }
    for (size_t i = 0; i < n && rc == OG_OK; i++)
        if (d->tables[i].type->kind == OG_KIND_EDGE) rc = check_card(&v, &d->tables[i]);
done:
    for (size_t i = 0; v.ids && i < n; i++) og_map_free(v.ids[i]);
    for (size_t i = 0; v.removed && i < n; i++) og_map_free(v.removed[i]);
    free(v.ids);
    free(v.removed);
    return rc;
}
