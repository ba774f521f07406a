/* schema_identity.c — gives a freshly built catalog its stable ids.
 * (1) The accepted catalog is the only identity authority: a desired
 *     declaration inherits ids by exact name (same kind) first, then by an
 *     unambiguous same-kind @rename_from; property hints stay within the
 *     matched owner. Everything else is new (internals §6.1).
 * (2) Invalid hints (target missing, other kind, two desired claiming one
 *     accepted identity) fail before any id is allocated.
 * (3) Allocation is canonical and independent of source order: new types
 *     by (kind, name) — the catalog's order — then new properties by
 *     (owner type id, name), then new table incarnations by type id.
 * (4) The allocator never reuses an id and never hands out 0; it stops at
 *     INT64_MAX (ids must stay exact in JSON) with OG_E_LIMIT. */
#include "schema_build.h"

#include <stdlib.h>
#include <string.h>

#define TRY(x) do { rc = (x); if (rc != OG_OK) goto done; } while (0)

typedef struct new_prop {
    uint64_t owner;
    const char *name;
    og_property *prop;
} new_prop;

static int cmp_new_prop(const void *a, const void *b)
{
    const new_prop *x = a, *y = b;
    if (x->owner != y->owner) return x->owner < y->owner ? -1 : 1;
    return strcmp(x->name, y->name);
}

static og_status alloc_id(uint64_t *next, uint64_t *out)
{
    if (*next == 0 || *next >= (uint64_t)INT64_MAX)
        return og_error_set(OG_E_LIMIT, "schema identity allocator exhausted (next id %llu)",
                            (unsigned long long)*next);
    *out = (*next)++;
    return OG_OK;
}

static const og_decl *exact_match(const og_catalog *acc, const og_decl *t)
{
    for (size_t i = 0; i < acc->n_types; i++)
        if (acc->types[i].kind == t->kind && !strcmp(acc->types[i].name, t->name)) return &acc->types[i];
    return NULL;
}

/* Finds which accepted type each desired type inherits from (NULL = new). */
static og_status match_types(const og_catalog *cat, const og_catalog *acc, const og_decl **match)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_decl *t = &cat->types[i];
        const og_decl *m = exact_match(acc, t);
        if (!m && t->rename_from) {
            for (size_t j = 0; j < acc->n_types; j++) {
                if (strcmp(acc->types[j].name, t->rename_from)) continue;
                if (acc->types[j].kind != t->kind) {
                    rc = og_error_set(OG_E_VALIDATION,
                                      "%s %s declares @rename_from(\"%s\") but the accepted declaration %s is a %s; renames cannot change kind",
                                      og_decl_kind_name(t->kind), t->name, t->rename_from, t->rename_from,
                                      og_decl_kind_name(acc->types[j].kind));
                    goto done;
                }
                m = &acc->types[j];
            }
            if (!m) {
                rc = og_error_set(OG_E_VALIDATION,
                                  "%s %s declares @rename_from(\"%s\") but no accepted declaration has that name",
                                  og_decl_kind_name(t->kind), t->name, t->rename_from);
                goto done;
            }
        }
        if (m) {
            for (size_t j = 0; j < i; j++) {
                if (match[j] == m) {
                    rc = og_error_set(OG_E_VALIDATION,
                                      "%s %s and %s %s both claim the accepted identity of %s %s",
                                      og_decl_kind_name(cat->types[j].kind), cat->types[j].name,
                                      og_decl_kind_name(t->kind), t->name, og_decl_kind_name(m->kind), m->name);
                    goto done;
                }
            }
        }
        match[i] = m;
    }
done:
    return rc;
}

static og_status match_props(const og_decl *t, const og_decl *m, const og_property **pm)
{
    og_status rc = OG_OK;
    for (size_t k = 0; k < t->n_props; k++) {
        const og_property *p = &t->props[k];
        const og_property *q = m ? og_decl_find_prop(m, p->name) : NULL;
        pm[k] = NULL;
        if (!q && p->rename_from) {
            if (!m || !(q = og_decl_find_prop(m, p->rename_from))) {
                rc = og_error_set(OG_E_VALIDATION,
                                  "property %s.%s declares @rename_from(\"%s\") but no accepted declaration has that name",
                                  t->name, p->name, p->rename_from);
                goto done;
            }
        }
        if (q) {
            for (size_t j = 0; j < k; j++) {
                if (pm[j] == q) {
                    rc = og_error_set(OG_E_VALIDATION,
                                      "properties %s.%s and %s.%s both claim the accepted identity of %s.%s",
                                      t->name, t->props[j].name, t->name, p->name, m->name, q->name);
                    goto done;
                }
            }
        }
        pm[k] = q;
    }
done:
    return rc;
}

og_status schema_resolve_ids(og_catalog *cat, const og_catalog *acc)
{
    og_status rc = OG_OK;
    const og_decl **match = NULL;
    const og_property **pm = NULL;
    new_prop *np = NULL;
    size_t n_np = 0, total_props = 0, max_props = 0;
    uint64_t next = acc ? acc->next_identity_id : 1;
    og_decl *types = (og_decl *)cat->types;

    match = calloc(cat->n_types + 1, sizeof *match);
    for (size_t i = 0; i < cat->n_types; i++) {
        total_props += types[i].n_props;
        if (types[i].n_props > max_props) max_props = types[i].n_props;
    }
    pm = calloc(max_props + 1, sizeof *pm);
    np = calloc(total_props + 1, sizeof *np);
    if (!match || !pm || !np) { rc = og_error_set(OG_E_NOMEM, "out of memory resolving schema identity"); goto done; }

    if (acc) TRY(match_types(cat, acc, match));
    /* validate every property hint before allocating anything */
    for (size_t i = 0; i < cat->n_types; i++) TRY(match_props(&types[i], match[i], pm));

    /* inherit, then allocate new types in canonical order */
    for (size_t i = 0; i < cat->n_types; i++) {
        if (match[i]) {
            types[i].type_id = match[i]->type_id;
            types[i].table_incarnation_id = match[i]->table_incarnation_id;
        } else {
            TRY(alloc_id(&next, &types[i].type_id));
        }
    }
    for (size_t i = 0; i < cat->n_types; i++) {
        og_property *props = (og_property *)types[i].props;
        TRY(match_props(&types[i], match[i], pm));
        for (size_t k = 0; k < types[i].n_props; k++) {
            if (pm[k]) props[k].prop_id = pm[k]->prop_id;
            else np[n_np++] = (new_prop){types[i].type_id, props[k].name, &props[k]};
        }
    }
    qsort(np, n_np, sizeof *np, cmp_new_prop);
    for (size_t k = 0; k < n_np; k++) TRY(alloc_id(&next, &np[k].prop->prop_id));
    /* new incarnations by type id */
    for (;;) {
        og_decl *best = NULL;
        for (size_t i = 0; i < cat->n_types; i++) {
            og_decl *t = &types[i];
            if (t->kind == OG_KIND_INTERFACE || t->table_incarnation_id) continue;
            if (!best || t->type_id < best->type_id) best = t;
        }
        if (!best) break;
        TRY(alloc_id(&next, &best->table_incarnation_id));
    }
    cat->next_identity_id = next;
done:
    free(match);
    free(pm);
    free(np);
    return rc;
}
