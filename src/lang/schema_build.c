/* schema_build.c — from a .pg syntax tree to a checked catalog (no ids).
 * (1) Every schema rule of surface.md §1.3–1.7 is checked here; a schema
 *     that passes is one the engine can create tables for.
 * (2) Rule violations are OG_E_PARSE with the reference's wording and no
 *     position prefix (the CLI shows "parse error: <message>").
 * (3) Checks run in a fixed order (names, annotations, interfaces, keys,
 *     constraints, system-column collisions) so the first error reported
 *     for a file is deterministic.
 * (4) Everything is allocated from cat->arena; nothing is freed here. */
#include "schema_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/arena.h"

#define TRY(x) do { rc = (x); if (rc != OG_OK) goto done; } while (0)

static og_status nomem(void)
{
    return og_error_set(OG_E_NOMEM, "out of memory while building the schema catalog");
}

static og_status perr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static og_status perr(const char *fmt, ...)
{
    va_list ap;
    og_status rc;
    va_start(ap, fmt);
    rc = og_error_setv(OG_E_PARSE, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *cname(og_constraint_kind k)
{
    static const char *names[] = {"key", "unique", "index", "range", "check"};
    return names[k];
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static og_status render_type(og_arena *a, const og_prop_type *t, const char **out)
{
    og_buf b = OG_BUF_INIT;
    og_status rc = og_prop_type_render(t, &b);
    if (rc == OG_OK) {
        *out = og_arena_strdup(a, og_buf_cstr(&b));
        if (!*out) rc = nomem();
    }
    og_buf_free(&b);
    return rc;
}

/* ---- annotations --------------------------------------------------------- */

typedef struct ann_seen {
    bool description, instruction, rename_from, embed;
} ann_seen;

static og_status check_single_value(const pg_ann *an, const char *owner_desc)
{
    if (!an->value || an->n_positional != 1 || an->value[0] == 0)
        return perr("@%s on %s requires exactly one non-empty value", an->name, owner_desc);
    if (an->n_kwargs)
        return perr("@%s on %s does not accept named arguments", an->name, owner_desc);
    return OG_OK;
}

static og_status collect_custom(og_arena *a, const pg_ann *anns, bool (*known)(const char *),
                                const og_annotation **out, size_t *n_out)
{
    og_status rc = OG_OK;
    size_t n = 0, i = 0;
    og_annotation *arr = NULL;
    for (const pg_ann *an = anns; an; an = an->next) if (!known(an->name)) n++;
    if (n) {
        arr = og_arena_calloc(a, n * sizeof *arr);
        if (!arr) { rc = nomem(); goto done; }
    }
    for (const pg_ann *an = anns; an; an = an->next) {
        if (known(an->name)) continue;
        og_annotation *o = &arr[i++];
        o->name = an->name;
        o->value = an->value;
        o->n_kwargs = an->n_kwargs;
        if (an->n_kwargs) {
            const char **k = og_arena_alloc(a, an->n_kwargs * sizeof *k);
            const char **v = og_arena_alloc(a, an->n_kwargs * sizeof *v);
            size_t j = 0;
            if (!k || !v) { rc = nomem(); goto done; }
            for (const pg_kwarg *kw = an->kwargs; kw; kw = kw->next, j++) { k[j] = kw->key; v[j] = kw->value; }
            o->kw_keys = k;
            o->kw_values = v;
        }
    }
    *out = arr;
    *n_out = n;
done:
    return rc;
}

static bool known_prop_ann(const char *n)
{
    return !strcmp(n, "key") || !strcmp(n, "unique") || !strcmp(n, "index") || !strcmp(n, "embed")
        || !strcmp(n, "description") || !strcmp(n, "rename_from") || !strcmp(n, "instruction");
}

static bool known_type_ann(const char *n)
{
    return !strcmp(n, "description") || !strcmp(n, "instruction") || !strcmp(n, "rename_from");
}

static og_status prop_annotations(og_arena *a, og_decl_kind owner_kind, const char *tname,
                                  og_property *pp, const pg_ann *anns)
{
    og_status rc = OG_OK;
    ann_seen seen = {0};
    char desc[300];
    snprintf(desc, sizeof desc, "%s.%s", tname, pp->name);
    for (const pg_ann *an = anns; an; an = an->next) {
        const char *n = an->name;
        if (!strcmp(n, "key") || !strcmp(n, "unique") || !strcmp(n, "index")) {
            if (an->has_args) { rc = perr("@%s on property %s takes no arguments", n, desc); goto done; }
            if (owner_kind == OG_KIND_EDGE && !strcmp(n, "key")) {
                rc = perr("@key is not supported on edge properties (%s)", desc);
                goto done;
            }
            if (pp->type.scalar == OG_SCALAR_BLOB) {
                rc = perr("@%s is not supported on blob property %s", n, desc);
                goto done;
            }
            if (!strcmp(n, "key")) pp->is_key = true;
            else if (!strcmp(n, "unique")) {
                if (pp->type.list || pp->type.scalar == OG_SCALAR_VECTOR) {
                    rc = perr("@unique is not supported on %s property %s",
                              pp->type.list ? "list" : "vector", desc);
                    goto done;
                }
                pp->is_unique = true;
            } else {
                if (pp->type.list) { rc = perr("@index is not supported on list property %s", desc); goto done; }
                pp->is_index = true;
            }
        } else if (!strcmp(n, "embed")) {
            if (owner_kind == OG_KIND_EDGE) {
                rc = perr("@embed is not supported on edge properties (%s)", desc);
                goto done;
            }
            if (seen.embed) { rc = perr("property %s declares @embed multiple times", desc); goto done; }
            seen.embed = true;
            if (pp->type.scalar == OG_SCALAR_BLOB) {
                rc = perr("@embed is not supported on blob property %s", desc);
                goto done;
            }
            if (pp->type.scalar != OG_SCALAR_VECTOR || pp->type.list) {
                rc = perr("@embed is only supported on vector properties (%s)", desc);
                goto done;
            }
            if (!an->value || an->value[0] == 0) {
                rc = perr("@embed on %s requires a source property name", desc);
                goto done;
            }
            for (const pg_kwarg *kw = an->kwargs; kw; kw = kw->next) {
                if (strcmp(kw->key, "model")) {
                    rc = perr("@embed on %s has unknown argument '%s'; only 'model' is supported", desc, kw->key);
                    goto done;
                }
                if (pp->embed_model) { rc = perr("@embed on %s declares model more than once", desc); goto done; }
                pp->embed_model = kw->value;
            }
            pp->embed_source = an->value;
        } else if (!strcmp(n, "description")) {
            if (seen.description) { rc = perr("property %s declares @description multiple times", desc); goto done; }
            seen.description = true;
            TRY(check_single_value(an, desc));
            pp->description = an->value;
        } else if (!strcmp(n, "instruction")) {
            rc = perr("@instruction is only supported on node and edge types (found on property %s)", desc);
            goto done;
        } else if (!strcmp(n, "rename_from")) {
            if (seen.rename_from) { rc = perr("property %s declares @rename_from multiple times", desc); goto done; }
            seen.rename_from = true;
            TRY(check_single_value(an, desc));
            pp->rename_from = an->value;
        }
    }
    TRY(collect_custom(a, anns, known_prop_ann, &pp->annotations, &pp->n_annotations));
done:
    return rc;
}

static og_status type_annotations(og_arena *a, og_decl *t, const pg_ann *anns)
{
    og_status rc = OG_OK;
    ann_seen seen = {0};
    char desc[300];
    snprintf(desc, sizeof desc, "%s %s", og_decl_kind_name(t->kind), t->name);
    for (const pg_ann *an = anns; an; an = an->next) {
        const char *n = an->name;
        if (!strcmp(n, "key") || !strcmp(n, "unique") || !strcmp(n, "index") || !strcmp(n, "embed")) {
            rc = perr("@%s is only supported on node properties and in type bodies, not on %s", n, desc);
            goto done;
        } else if (!strcmp(n, "card")) {
            rc = perr("@card on %s must come directly after the edge endpoints", desc);
            goto done;
        } else if (!strcmp(n, "description")) {
            if (seen.description) { rc = perr("%s declares @description multiple times", desc); goto done; }
            seen.description = true;
            TRY(check_single_value(an, desc));
            t->description = an->value;
        } else if (!strcmp(n, "instruction")) {
            if (seen.instruction) { rc = perr("%s declares @instruction multiple times", desc); goto done; }
            seen.instruction = true;
            TRY(check_single_value(an, desc));
            t->instruction = an->value;
        } else if (!strcmp(n, "rename_from")) {
            if (seen.rename_from) { rc = perr("%s declares @rename_from multiple times", desc); goto done; }
            seen.rename_from = true;
            TRY(check_single_value(an, desc));
            t->rename_from = an->value;
        }
    }
    TRY(collect_custom(a, anns, known_type_ann, &t->annotations, &t->n_annotations));
done:
    return rc;
}

/* ---- properties ---------------------------------------------------------- */

static og_status finish_prop_type(og_arena *a, const char *tname, og_property *pp)
{
    og_status rc = OG_OK;
    if (pp->type.scalar == OG_SCALAR_ENUM) {
        size_t n = pp->type.n_enum;
        const char **v = og_arena_alloc(a, n * sizeof *v);
        if (!v) { rc = nomem(); goto done; }
        memcpy(v, pp->type.enum_values, n * sizeof *v);
        qsort(v, n, sizeof *v, cmp_str);
        for (size_t i = 1; i < n; i++) {
            if (!strcmp(v[i - 1], v[i])) {
                rc = perr("enum property %s.%s declares duplicate values ('%s')", tname, pp->name, v[i]);
                goto done;
            }
        }
        pp->type.enum_values = v;
    }
done:
    return rc;
}

static og_status build_props(og_arena *a, og_decl *t, const pg_prop *props, size_t extra_front,
                             og_property **arr_out, size_t *n_out)
{
    og_status rc = OG_OK;
    size_t n = 0, i = extra_front;
    og_property *arr;
    for (const pg_prop *p = props; p; p = p->next) n++;
    arr = og_arena_calloc(a, (n + extra_front + 1) * sizeof *arr);
    if (!arr) { rc = nomem(); goto done; }
    for (const pg_prop *p = props; p; p = p->next) {
        for (size_t j = extra_front; j < i; j++) {
            if (!strcmp(arr[j].name, p->name)) {
                rc = perr("%s %s declares property '%s' more than once", og_decl_kind_name(t->kind), t->name, p->name);
                goto done;
            }
        }
        og_property *pp = &arr[i++];
        pp->name = p->name;
        pp->type = p->type;
        pp->line = p->line;
        pp->col = p->col;
        TRY(finish_prop_type(a, t->name, pp));
        TRY(prop_annotations(a, t->kind, t->name, pp, p->anns));
    }
    *arr_out = arr;
    *n_out = n;
done:
    return rc;
}

/* ---- constraints --------------------------------------------------------- */

typedef struct cons_list {
    og_constraint *items;
    size_t len, cap;
} cons_list;

static int32_t find_prop(const og_property *props, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) if (!strcmp(props[i].name, name)) return (int32_t)i;
    return -1;
}

static bool is_numeric(const og_prop_type *t)
{
    if (t->list) return false;
    switch (t->scalar) {
    case OG_SCALAR_I32: case OG_SCALAR_I64: case OG_SCALAR_U32: case OG_SCALAR_U64:
    case OG_SCALAR_F32: case OG_SCALAR_F64: return true;
    default: return false;
    }
}

/* Adds a key/unique/index constraint over named columns, checking each. */
static og_status add_column_constraint(og_arena *a, og_decl *t, og_property *props, size_t n_props,
                                       cons_list *cl, og_constraint_kind kind,
                                       const char *const *cols, size_t n_cols, bool body)
{
    og_status rc = OG_OK;
    const char **names;
    int32_t *idx;
    if (cl->len == cl->cap) { rc = og_error_set(OG_E_INTERNAL, "constraint list overflow"); goto done; }
    names = og_arena_alloc(a, n_cols * sizeof *names);
    idx = og_arena_alloc(a, n_cols * sizeof *idx);
    if (!names || !idx) { rc = nomem(); goto done; }
    for (size_t i = 0; i < n_cols; i++) {
        const char *c = cols[i];
        int32_t pi = find_prop(props, n_props, c);
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(names[j], c)) {
                rc = perr("@%s on %s %s lists '%s' more than once", cname(kind), og_decl_kind_name(t->kind), t->name, c);
                goto done;
            }
        }
        if (pi < 0) {
            if (t->kind == OG_KIND_EDGE && kind != OG_CONSTRAINT_KEY &&
                (!strcmp(c, OG_COLUMN_SRC) || !strcmp(c, OG_COLUMN_DST))) {
                names[i] = !strcmp(c, OG_COLUMN_SRC) ? OG_COLUMN_SRC : OG_COLUMN_DST;
                idx[i] = -1;
                continue;
            }
            rc = perr("@%s on %s %s references unknown property '%s'", cname(kind),
                      og_decl_kind_name(t->kind), t->name, c);
            goto done;
        }
        const og_property *p = &props[pi];
        if (p->type.scalar == OG_SCALAR_BLOB) {
            rc = perr("@%s is not supported on blob property %s.%s", cname(kind), t->name, p->name);
            goto done;
        }
        if (kind == OG_CONSTRAINT_KEY) {
            if (p->type.list) { rc = perr("@key is not supported on list property %s.%s", t->name, p->name); goto done; }
            if (p->type.scalar == OG_SCALAR_VECTOR) {
                rc = perr("@key is not supported on vector property %s.%s", t->name, p->name);
                goto done;
            }
            if (p->type.nullable) { rc = perr("@key property %s.%s cannot be nullable", t->name, p->name); goto done; }
        } else if (kind == OG_CONSTRAINT_INDEX) {
            if (p->type.list) { rc = perr("@index is not supported on list property %s.%s", t->name, p->name); goto done; }
        } else if (kind == OG_CONSTRAINT_UNIQUE && !body) {
            if (p->type.list || p->type.scalar == OG_SCALAR_VECTOR) {
                rc = perr("@unique is not supported on %s property %s.%s",
                          p->type.list ? "list" : "vector", t->name, p->name);
                goto done;
            }
        }
        names[i] = p->name;
        idx[i] = pi;
    }
    og_constraint *c = &cl->items[cl->len++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->n_columns = n_cols;
    c->columns = names;
    c->column_props = idx;
    if (kind == OG_CONSTRAINT_KEY) {
        if (t->key_constraint >= 0) {
            rc = perr("node %s declares multiple @key constraints (at most one is allowed)", t->name);
            goto done;
        }
        t->key_constraint = (int32_t)(cl->len - 1);
        for (size_t i = 0; i < n_cols; i++) props[idx[i]].is_key = true;
    }
done:
    return rc;
}

static og_status build_constraints(og_arena *a, og_decl *t, og_property *props, size_t n_props,
                                   const pg_bcons *bcons)
{
    og_status rc = OG_OK;
    cons_list cl = {0};
    size_t nb = 0;
    for (const pg_bcons *b = bcons; b; b = b->next) nb++;
    cl.cap = 3 * n_props + nb + 1;
    cl.items = og_arena_calloc(a, cl.cap * sizeof *cl.items);
    if (!cl.items) { rc = nomem(); goto done; }
    t->key_constraint = -1;
    /* property-level shorthands first, in property order */
    for (size_t i = 0; i < n_props; i++) {
        const char *col[1] = {props[i].name};
        if (props[i].is_key) TRY(add_column_constraint(a, t, props, n_props, &cl, OG_CONSTRAINT_KEY, col, 1, false));
    }
    for (size_t i = 0; i < n_props; i++) {
        const char *col[1] = {props[i].name};
        if (props[i].is_unique) TRY(add_column_constraint(a, t, props, n_props, &cl, OG_CONSTRAINT_UNIQUE, col, 1, false));
        if (props[i].is_index) TRY(add_column_constraint(a, t, props, n_props, &cl, OG_CONSTRAINT_INDEX, col, 1, false));
    }
    for (const pg_bcons *b = bcons; b; b = b->next) {
        if (b->kind == OG_CONSTRAINT_KEY || b->kind == OG_CONSTRAINT_UNIQUE || b->kind == OG_CONSTRAINT_INDEX) {
            const char **cols = og_arena_alloc(a, b->n_args * sizeof *cols);
            size_t k = 0;
            if (!cols) { rc = nomem(); goto done; }
            for (const pg_carg *ca = b->args; ca; ca = ca->next) {
                if (ca->is_range || ca->kind != PG_LIT_IDENT) {
                    rc = perr("@%s on %s %s expects property names, found %s%s%s", cname(b->kind),
                              og_decl_kind_name(t->kind), t->name,
                              ca->kind == PG_LIT_STRING ? "\"" : "", ca->is_range ? "a range" : ca->text,
                              ca->kind == PG_LIT_STRING ? "\"" : "");
                    goto done;
                }
                cols[k++] = ca->text;
            }
            TRY(add_column_constraint(a, t, props, n_props, &cl, b->kind, cols, k, true));
        } else {
            /* @range(p, min..max) / @check(p, "re"): nodes only (edges refused by the parser) */
            const pg_carg *p0 = b->args, *p1 = p0 ? p0->next : NULL;
            const char *what = b->kind == OG_CONSTRAINT_RANGE ? "range" : "check";
            if (b->n_args != 2 || p0->is_range || p0->kind != PG_LIT_IDENT) {
                rc = perr("@%s on node %s expects (property, %s)", what, t->name,
                          b->kind == OG_CONSTRAINT_RANGE ? "min..max" : "\"pattern\"");
                goto done;
            }
            int32_t pi = find_prop(props, n_props, p0->text);
            if (pi < 0) {
                rc = perr("@%s on node %s references unknown property '%s'", what, t->name, p0->text);
                goto done;
            }
            const og_property *pp = &props[pi];
            og_constraint *c = &cl.items[cl.len++];
            const char **cols = og_arena_alloc(a, sizeof *cols);
            int32_t *idx = og_arena_alloc(a, sizeof *idx);
            const char *tyname = NULL;
            if (!cols || !idx) { rc = nomem(); goto done; }
            cols[0] = pp->name;
            idx[0] = pi;
            memset(c, 0, sizeof *c);
            c->kind = b->kind;
            c->n_columns = 1;
            c->columns = cols;
            c->column_props = idx;
            if (b->kind == OG_CONSTRAINT_RANGE) {
                if (!is_numeric(&pp->type)) {
                    TRY(render_type(a, &pp->type, &tyname));
                    rc = perr("@range on %s.%s requires a numeric property (I32, I64, U32, U64, F32, F64), found %s",
                              t->name, pp->name, tyname);
                    goto done;
                }
                if (!p1->is_range) {
                    rc = perr("@range on %s.%s expects a range like 0..100, found %s", t->name, pp->name, p1->text);
                    goto done;
                }
                c->min = p1->min;
                c->max = p1->max;
                if (c->min.present && c->max.present && c->min.f > c->max.f) {
                    rc = perr("@range on %s.%s has minimum %s greater than maximum %s", t->name, pp->name,
                              c->min.text, c->max.text);
                    goto done;
                }
            } else {
                if (pp->type.scalar != OG_SCALAR_STRING || pp->type.list) {
                    TRY(render_type(a, &pp->type, &tyname));
                    rc = perr("@check on %s.%s requires a String property, found %s", t->name, pp->name, tyname);
                    goto done;
                }
                if (p1->is_range || p1->kind != PG_LIT_STRING) {
                    rc = perr("@check on %s.%s expects a pattern string", t->name, pp->name);
                    goto done;
                }
                c->pattern = p1->text;
            }
        }
    }
    t->constraints = cl.items;
    t->n_constraints = cl.len;
done:
    return rc;
}

/* ---- declarations -------------------------------------------------------- */

static og_decl *find_decl(og_decl *types, size_t n, og_decl_kind kind, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (types[i].kind == kind && types[i].name && !strcmp(types[i].name, name)) return &types[i];
    return NULL;
}

static og_status inject_interfaces(og_arena *a, og_decl *t, const pg_decl *d, og_decl *types, size_t n_types,
                                   og_property **props_io, size_t *n_io)
{
    og_status rc = OG_OK;
    size_t n_impl = 0, total = 0, i = 0;
    const char **impl = NULL;
    og_property *own = *props_io, *arr = NULL;
    size_t n_own = *n_io, n_inj = 0;
    for (const pg_name *nm = d->implements; nm; nm = nm->next) n_impl++;
    if (n_impl == 0) goto done;
    impl = og_arena_alloc(a, n_impl * sizeof *impl);
    if (!impl) { rc = nomem(); goto done; }
    for (const pg_name *nm = d->implements; nm; nm = nm->next) {
        og_decl *it = find_decl(types, n_types, OG_KIND_INTERFACE, nm->name);
        if (!it) { rc = perr("node %s implements unknown interface '%s'", t->name, nm->name); goto done; }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(impl[j], nm->name)) { rc = perr("node %s implements interface '%s' more than once", t->name, nm->name); goto done; }
        impl[i++] = it->name;
        total += it->n_props;
    }
    t->implements = impl;
    t->n_implements = n_impl;
    arr = og_arena_calloc(a, (total + n_own + 1) * sizeof *arr);
    if (!arr) { rc = nomem(); goto done; }
    for (size_t k = 0; k < n_impl; k++) {
        const og_decl *it = find_decl(types, n_types, OG_KIND_INTERFACE, impl[k]);
        for (size_t j = 0; j < it->n_props; j++) {
            const og_property *ip = &it->props[j];
            og_property *target = NULL;
            for (size_t m = 0; m < n_own; m++) if (!strcmp(own[m].name, ip->name)) target = &own[m];
            for (size_t m = 0; !target && m < n_inj; m++) if (!strcmp(arr[m].name, ip->name)) target = &arr[m];
            if (target) {
                if (!og_prop_type_equal(&target->type, &ip->type)) {
                    const char *ta, *tb;
                    TRY(render_type(a, &target->type, &ta));
                    TRY(render_type(a, &ip->type, &tb));
                    rc = perr("node %s property '%s' has type %s but interface %s declares it as %s",
                              t->name, ip->name, ta, it->name, tb);
                    goto done;
                }
                target->is_key |= ip->is_key;
                target->is_unique |= ip->is_unique;
                target->is_index |= ip->is_index;
                if (!target->embed_source && ip->embed_source) {
                    target->embed_source = ip->embed_source;
                    target->embed_model = ip->embed_model;
                }
                continue;
            }
            arr[n_inj] = *ip;
            arr[n_inj].rename_from = NULL;
            n_inj++;
        }
    }
    memcpy(arr + n_inj, own, n_own * sizeof *own);
    *props_io = arr;
    *n_io = n_inj + n_own;
done:
    return rc;
}

static og_status check_embeds(const og_decl *t)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < t->n_props; i++) {
        const og_property *p = &t->props[i];
        if (!p->embed_source) continue;
        const og_property *s = og_decl_find_prop(t, p->embed_source);
        if (!s) {
            rc = perr("@embed on %s.%s references unknown source property '%s'", t->name, p->name, p->embed_source);
            goto done;
        }
        if (s->type.scalar != OG_SCALAR_STRING || s->type.list) {
            rc = perr("@embed source property %s.%s must be String", t->name, s->name);
            goto done;
        }
    }
done:
    return rc;
}

static og_status check_system_columns(const og_decl *t)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < t->n_props; i++) {
        const char *n = t->props[i].name;
        if (!strcmp(n, "id") || (t->kind == OG_KIND_EDGE && (!strcmp(n, "src") || !strcmp(n, "dst")))) {
            rc = perr("property '%s' on %s %s is not supported: it collides with the implicit '%s' column",
                      n, og_decl_kind_name(t->kind), t->name, n);
            goto done;
        }
    }
done:
    return rc;
}

static int type_order(const void *a, const void *b)
{
    const og_decl *x = a, *y = b;
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    return strcmp(x->name, y->name);
}

og_status schema_build(og_catalog *cat, const pg_file *f)
{
    og_status rc = OG_OK;
    og_arena *a = cat->arena;
    size_t n = 0, i = 0;
    og_decl *types = NULL;
    for (const pg_decl *d = f->decls; d; d = d->next) n++;
    types = og_arena_calloc(a, (n + 1) * sizeof *types);
    if (!types) { rc = nomem(); goto done; }
    /* names */
    for (const pg_decl *d = f->decls; d; d = d->next, i++) {
        for (size_t j = 0; j < i; j++) {
            /* nodes, edges and interfaces are separate namespaces: a node
             * and an edge may share a name (the reference allows it) */
            if (types[j].kind == d->kind && !strcmp(types[j].name, d->name)) {
                rc = perr("duplicate %s name '%s'", og_decl_kind_name(d->kind), d->name);
                goto done;
            }
            if (d->kind == OG_KIND_EDGE && types[j].kind == OG_KIND_EDGE && !strcasecmp(types[j].name, d->name)) {
                rc = perr("edge name collision after case folding: '%s' and '%s'", types[j].name, d->name);
                goto done;
            }
        }
        og_decl *t = &types[i];
        t->kind = d->kind;
        t->name = d->name;
        t->line = d->line;
        t->col = d->col;
        t->key_constraint = -1;
        TRY(type_annotations(a, t, d->anns));
    }
    /* interfaces, then nodes, then edges: interfaces feed nodes */
    for (int pass = 0; pass < 3; pass++) {
        i = 0;
        for (const pg_decl *d = f->decls; d; d = d->next, i++) {
            og_decl *t = &types[i];
            og_property *props = NULL;
            size_t np = 0;
            if ((int)d->kind != pass) continue;
            TRY(build_props(a, t, d->props, 0, &props, &np));
            if (d->kind == OG_KIND_NODE) TRY(inject_interfaces(a, t, d, types, n, &props, &np));
            for (size_t k = 0; k < np; k++) props[k].ordinal = (uint32_t)k;
            t->props = props;
            t->n_props = np;
            if (d->kind == OG_KIND_EDGE) {
                og_decl *from = find_decl(types, n, OG_KIND_NODE, d->from);
                og_decl *to = find_decl(types, n, OG_KIND_NODE, d->to);
                if (!from) { rc = perr("edge %s references unknown node type '%s'", t->name, d->from); goto done; }
                if (!to) { rc = perr("edge %s references unknown node type '%s'", t->name, d->to); goto done; }
                t->from_name = from->name;
                t->to_name = to->name;
                t->card_min = d->card_min;
                t->card_has_max = d->card_has_max;
                t->card_max = d->card_max;
            }
            if (d->kind != OG_KIND_INTERFACE) {
                TRY(build_constraints(a, t, props, np, d->bcons));
                if (d->kind == OG_KIND_NODE) TRY(check_embeds(t));
                TRY(check_system_columns(t));
            }
        }
    }
    qsort(types, n, sizeof *types, type_order);
    cat->types = types;
    cat->n_types = n;
    cat->n_interfaces = cat->n_nodes = cat->n_edges = 0;
    for (i = 0; i < n; i++) {
        if (types[i].kind == OG_KIND_INTERFACE) cat->n_interfaces++;
        else if (types[i].kind == OG_KIND_NODE) cat->n_nodes++;
        else cat->n_edges++;
    }
    TRY(schema_link(cat));
done:
    return rc;
}
