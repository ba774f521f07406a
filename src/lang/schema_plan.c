/* schema_plan.c — diff of an accepted and a desired catalog into
 * migration steps (see schema_plan.h for the invariants). */
#include "schema_plan.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "base/arena.h"
#include "base/json.h"

#define TRY(x) do { rc = (x); if (rc != OG_OK) goto done; } while (0)

typedef struct planner {
    og_arena *a;
    const og_catalog *acc, *des;
    bool allow_loss;
    og_plan_step *steps;
    size_t len, cap;
} planner;

static og_status nomem(void) { return og_error_set(OG_E_NOMEM, "out of memory planning a schema migration"); }

static og_status push(planner *p, og_plan_step **out)
{
    if (p->len == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        og_plan_step *ns = og_arena_alloc(p->a, nc * sizeof *ns);
        if (!ns) return nomem();
        if (p->len) memcpy(ns, p->steps, p->len * sizeof *ns);
        p->steps = ns;
        p->cap = nc;
    }
    *out = &p->steps[p->len++];
    memset(*out, 0, sizeof **out);
    return OG_OK;
}

static og_status unsupported(planner *p, const og_decl *t, const og_property *prop, const char *code,
                             const char *reason)
{
    og_status rc = OG_OK;
    og_plan_step *s;
    TRY(push(p, &s));
    s->kind = OG_STEP_UNSUPPORTED;
    s->type_kind = t->kind;
    s->type_name = t->name;
    s->type_id = t->type_id;
    s->property_name = prop ? prop->name : NULL;
    s->prop_id = prop ? prop->prop_id : 0;
    s->code = code;
    s->reason = reason;
    s->entity = prop ? og_arena_sprintf(p->a, "%s:%s.%s", og_decl_kind_name(t->kind), t->name, prop->name)
                     : og_arena_sprintf(p->a, "%s:%s", og_decl_kind_name(t->kind), t->name);
    if (!s->entity || !s->reason) rc = nomem();
done:
    return rc;
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return !strcmp(a, b);
}

static bool annotations_equal(const og_annotation *a, size_t na, const og_annotation *b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++) {
        if (!str_eq(a[i].name, b[i].name) || !str_eq(a[i].value, b[i].value) || a[i].n_kwargs != b[i].n_kwargs)
            return false;
        for (size_t k = 0; k < a[i].n_kwargs; k++)
            if (!str_eq(a[i].kw_keys[k], b[i].kw_keys[k]) || !str_eq(a[i].kw_values[k], b[i].kw_values[k]))
                return false;
    }
    return true;
}

static const char *type_text(planner *p, const og_prop_type *t)
{
    og_buf b = OG_BUF_INIT;
    char *s = NULL;
    if (og_prop_type_render(t, &b) == OG_OK) s = og_arena_strdup(p->a, og_buf_cstr(&b));
    og_buf_free(&b);
    return s;
}

/* Column identity for constraint comparison: prop id or a src/dst marker. */
static uint64_t column_identity(const og_decl *t, const og_constraint *c, size_t k)
{
    if (c->column_props[k] >= 0) return t->props[c->column_props[k]].prop_id;
    return !strcmp(c->columns[k], OG_COLUMN_SRC) ? UINT64_MAX : UINT64_MAX - 1;
}

static bool constraint_same(const og_decl *ta, const og_constraint *a, const og_decl *tb, const og_constraint *b)
{
    if (a->kind != b->kind || a->n_columns != b->n_columns) return false;
    for (size_t k = 0; k < a->n_columns; k++)
        if (column_identity(ta, a, k) != column_identity(tb, b, k)) return false;
    if (a->kind == OG_CONSTRAINT_RANGE) {
        if (a->min.present != b->min.present || a->max.present != b->max.present) return false;
        if (a->min.present && a->min.f != b->min.f) return false;
        if (a->max.present && a->max.f != b->max.f) return false;
    }
    if (a->kind == OG_CONSTRAINT_CHECK && !str_eq(a->pattern, b->pattern)) return false;
    return true;
}

static const char *constraint_text(planner *p, const og_constraint *c)
{
    static const char *const names[] = {"key", "unique", "index", "range", "check"};
    og_buf b = OG_BUF_INIT;
    char *s = NULL;
    og_status rc = og_buf_printf(&b, "@%s(", names[c->kind]);
    for (size_t k = 0; rc == OG_OK && k < c->n_columns; k++)
        rc = og_buf_printf(&b, "%s%s", k ? ", " : "", c->columns[k]);
    if (rc == OG_OK && c->kind == OG_CONSTRAINT_RANGE)
        rc = og_buf_printf(&b, ", %s..%s", c->min.present ? c->min.text : "", c->max.present ? c->max.text : "");
    if (rc == OG_OK && c->kind == OG_CONSTRAINT_CHECK) rc = og_buf_printf(&b, ", \"%s\"", c->pattern);
    if (rc == OG_OK) rc = og_buf_append_byte(&b, ')');
    if (rc == OG_OK) s = og_arena_strdup(p->a, og_buf_cstr(&b));
    og_buf_free(&b);
    return s;
}

/* Enum widening: same listness/nullability, strict superset. Writes the
 * added values "+c, +d" to *added. */
static bool enum_widening(planner *p, const og_prop_type *a, const og_prop_type *d, const char **added)
{
    og_buf b = OG_BUF_INIT;
    bool ok = a->scalar == OG_SCALAR_ENUM && d->scalar == OG_SCALAR_ENUM && a->list == d->list &&
              a->nullable == d->nullable && d->n_enum > a->n_enum;
    for (size_t i = 0; ok && i < a->n_enum; i++) {
        bool found = false;
        for (size_t j = 0; j < d->n_enum && !found; j++) found = !strcmp(a->enum_values[i], d->enum_values[j]);
        ok = found;
    }
    for (size_t j = 0; ok && j < d->n_enum; j++) {
        bool found = false;
        for (size_t i = 0; i < a->n_enum && !found; i++) found = !strcmp(a->enum_values[i], d->enum_values[j]);
        if (!found && og_buf_printf(&b, "%s+%s", b.len ? ", " : "", d->enum_values[j]) != OG_OK) ok = false;
    }
    *added = ok ? og_arena_strdup(p->a, og_buf_cstr(&b)) : NULL;
    og_buf_free(&b);
    return ok && *added;
}

static og_status diff_props(planner *p, const og_decl *ta, const og_decl *td)
{
    og_status rc = OG_OK;
    og_plan_step *s;
    for (size_t i = 0; i < td->n_props; i++) {
        const og_property *d = &td->props[i];
        const og_property *a = og_decl_find_prop_by_id(ta, d->prop_id);
        if (!a) {
            if (!d->type.nullable) {
                TRY(unsupported(p, td, d, "OG-MF-103",
                                og_arena_sprintf(p->a, "adding required property '%s.%s' without a default is not supported; declare it nullable",
                                                 td->name, d->name)));
                continue;
            }
            TRY(push(p, &s));
            s->kind = OG_STEP_ADD_PROPERTY;
            s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
            s->property_name = d->name; s->prop_id = d->prop_id;
            s->detail = type_text(p, &d->type);
            if (!s->detail) { rc = nomem(); goto done; }
            continue;
        }
        if (strcmp(a->name, d->name)) {
            TRY(push(p, &s));
            s->kind = OG_STEP_RENAME_PROPERTY;
            s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
            s->property_name = d->name; s->old_property_name = a->name; s->prop_id = d->prop_id;
        }
        if (!og_prop_type_equal(&a->type, &d->type)) {
            const char *added = NULL;
            if (enum_widening(p, &a->type, &d->type, &added)) {
                TRY(push(p, &s));
                s->kind = OG_STEP_EXTEND_ENUM;
                s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
                s->property_name = d->name; s->prop_id = d->prop_id;
                s->detail = added;
            } else {
                const char *from = type_text(p, &a->type), *to = type_text(p, &d->type);
                if (!from || !to) { rc = nomem(); goto done; }
                TRY(unsupported(p, td, d, "OG-MF-106",
                                og_arena_sprintf(p->a, "changing property type of '%s.%s' from %s to %s is not supported",
                                                 td->name, d->name, from, to)));
            }
        }
        if (!str_eq(a->embed_source, d->embed_source) || !str_eq(a->embed_model, d->embed_model))
            TRY(unsupported(p, td, d, NULL, og_arena_sprintf(p->a, "changing @embed of '%s.%s' is not supported",
                                                             td->name, d->name)));
        if (!annotations_equal(a->annotations, a->n_annotations, d->annotations, d->n_annotations))
            TRY(unsupported(p, td, d, NULL, og_arena_sprintf(p->a, "changing annotations of '%s.%s' is not supported",
                                                             td->name, d->name)));
        if (td->kind == OG_KIND_INTERFACE &&
            (a->is_key != d->is_key || a->is_unique != d->is_unique || a->is_index != d->is_index))
            TRY(unsupported(p, td, d, NULL, og_arena_sprintf(p->a, "changing constraints of interface property '%s.%s' is not supported",
                                                             td->name, d->name)));
        if (!str_eq(a->description, d->description)) {
            TRY(push(p, &s));
            s->kind = OG_STEP_UPDATE_PROPERTY_METADATA;
            s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
            s->property_name = d->name; s->prop_id = d->prop_id;
            s->detail = og_arena_sprintf(p->a, "@description(\"%s\")", d->description ? d->description : "");
            if (!s->detail) { rc = nomem(); goto done; }
        }
    }
    for (size_t i = 0; i < ta->n_props; i++) {
        const og_property *a = &ta->props[i];
        if (og_decl_find_prop_by_id(td, a->prop_id)) continue;
        TRY(push(p, &s));
        s->kind = OG_STEP_DROP_PROPERTY;
        s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
        s->property_name = a->name; s->prop_id = a->prop_id;
        s->mode = p->allow_loss ? OG_DROP_HARD : OG_DROP_SOFT;
        s->data_loss = p->allow_loss ? OG_LOSS_IRREVERSIBLE : OG_LOSS_RECOVERABLE;
    }
done:
    return rc;
}

static og_status diff_constraints(planner *p, const og_decl *ta, const og_decl *td)
{
    og_status rc = OG_OK;
    og_plan_step *s;
    for (size_t i = 0; i < td->n_constraints; i++) {
        const og_constraint *d = &td->constraints[i];
        bool found = false;
        for (size_t j = 0; j < ta->n_constraints && !found; j++) found = constraint_same(ta, &ta->constraints[j], td, d);
        if (found) continue;
        /* a constraint over a property that is itself new is still an addition */
        const char *text = constraint_text(p, d);
        if (!text) { rc = nomem(); goto done; }
        if (d->kind == OG_CONSTRAINT_INDEX) {
            TRY(push(p, &s));
            s->kind = OG_STEP_ADD_CONSTRAINT;
            s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
            s->detail = text;
        } else {
            TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "adding constraint %s on %s '%s' is not supported",
                                                                text, og_decl_kind_name(td->kind), td->name)));
        }
    }
    for (size_t j = 0; j < ta->n_constraints; j++) {
        const og_constraint *a = &ta->constraints[j];
        bool found = false;
        for (size_t i = 0; i < td->n_constraints && !found; i++) found = constraint_same(ta, a, td, &td->constraints[i]);
        if (found) continue;
        /* columns whose property is dropped take the constraint with them;
         * still a constraint removal, which is unsupported */
        const char *text = constraint_text(p, a);
        if (!text) { rc = nomem(); goto done; }
        TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "removing constraint %s from %s '%s' is not supported",
                                                            text, og_decl_kind_name(td->kind), td->name)));
    }
done:
    return rc;
}

static bool same_interface_set(const og_catalog *ca, const og_decl *a, const og_catalog *cd, const og_decl *d)
{
    if (a->n_implements != d->n_implements) return false;
    for (size_t i = 0; i < a->n_implements; i++) {
        const og_decl *ia = og_catalog_find_interface(ca, a->implements[i]);
        bool found = false;
        for (size_t j = 0; j < d->n_implements && !found; j++) {
            const og_decl *id = og_catalog_find_interface(cd, d->implements[j]);
            found = ia && id && ia->type_id == id->type_id;
        }
        if (!found) return false;
    }
    return true;
}

static og_status diff_type(planner *p, const og_decl *ta, const og_decl *td)
{
    og_status rc = OG_OK;
    og_plan_step *s;
    if (strcmp(ta->name, td->name)) {
        if (td->kind == OG_KIND_INTERFACE) {
            TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "renaming interface '%s' to '%s' is not supported",
                                                                ta->name, td->name)));
        } else {
            TRY(push(p, &s));
            s->kind = OG_STEP_RENAME_TYPE;
            s->type_kind = td->kind; s->type_name = td->name; s->old_type_name = ta->name; s->type_id = td->type_id;
        }
    }
    if (td->kind == OG_KIND_EDGE) {
        const og_decl *af = &p->acc->types[ta->from_index], *at = &p->acc->types[ta->to_index];
        const og_decl *df = &p->des->types[td->from_index], *dt = &p->des->types[td->to_index];
        if (af->type_id != df->type_id || at->type_id != dt->type_id)
            TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "changing endpoints of edge '%s' is not supported", td->name)));
        if (ta->card_min != td->card_min || ta->card_has_max != td->card_has_max ||
            (ta->card_has_max && ta->card_max != td->card_max))
            TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "changing @card of edge '%s' is not supported", td->name)));
    }
    if (td->kind == OG_KIND_NODE && !same_interface_set(p->acc, ta, p->des, td))
        TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "changing the implements list of node '%s' is not supported", td->name)));
    if (!annotations_equal(ta->annotations, ta->n_annotations, td->annotations, td->n_annotations))
        TRY(unsupported(p, td, NULL, NULL, og_arena_sprintf(p->a, "changing annotations of %s '%s' is not supported",
                                                            og_decl_kind_name(td->kind), td->name)));
    if (!str_eq(ta->description, td->description) || !str_eq(ta->instruction, td->instruction)) {
        og_buf b = OG_BUF_INIT;
        og_status r2 = OG_OK;
        if (!str_eq(ta->description, td->description))
            r2 = og_buf_printf(&b, "@description(\"%s\")", td->description ? td->description : "");
        if (r2 == OG_OK && !str_eq(ta->instruction, td->instruction))
            r2 = og_buf_printf(&b, "%s@instruction(\"%s\")", b.len ? ", " : "", td->instruction ? td->instruction : "");
        if (r2 == OG_OK) r2 = push(p, &s);
        if (r2 == OG_OK) {
            s->kind = OG_STEP_UPDATE_TYPE_METADATA;
            s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
            s->detail = og_arena_strdup(p->a, og_buf_cstr(&b));
            if (!s->detail) r2 = nomem();
        }
        og_buf_free(&b);
        TRY(r2);
    }
    TRY(diff_props(p, ta, td));
    if (td->kind != OG_KIND_INTERFACE) TRY(diff_constraints(p, ta, td));
done:
    return rc;
}

og_status og_schema_plan_diff(const og_catalog *accepted, const og_catalog *desired, bool allow_data_loss,
                              og_schema_plan **out)
{
    og_status rc = OG_OK;
    og_schema_plan *plan = NULL;
    planner p;
    og_plan_step *s;
    og_arena *a = og_arena_create(NULL, "schema-plan");
    *out = NULL;
    if (!a) { rc = nomem(); goto done; }
    plan = og_arena_calloc(a, sizeof *plan);
    if (!plan) { og_arena_destroy(a); a = NULL; rc = nomem(); goto done; }
    plan->arena = a;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.acc = accepted;
    p.des = desired;
    p.allow_loss = allow_data_loss;
    if (strcmp(accepted->identity_domain, desired->identity_domain)) {
        rc = og_error_set(OG_E_VALIDATION, "cannot plan across identity domains (%s vs %s)",
                          accepted->identity_domain, desired->identity_domain);
        goto done;
    }
    for (size_t i = 0; i < desired->n_types; i++) {
        const og_decl *td = &desired->types[i];
        const og_decl *ta = og_catalog_find_by_id(accepted, td->type_id);
        if (ta && ta->kind == td->kind) { TRY(diff_type(&p, ta, td)); continue; }
        TRY(push(&p, &s));
        s->kind = OG_STEP_ADD_TYPE;
        s->type_kind = td->kind; s->type_name = td->name; s->type_id = td->type_id;
    }
    for (int kind = OG_KIND_EDGE; kind >= OG_KIND_INTERFACE; kind--) {
        for (size_t i = 0; i < accepted->n_types; i++) {
            const og_decl *ta = &accepted->types[i];
            const og_decl *td = og_catalog_find_by_id(desired, ta->type_id);
            if ((int)ta->kind != kind || (td && td->kind == ta->kind)) continue;
            if (ta->kind == OG_KIND_INTERFACE) {
                TRY(unsupported(&p, ta, NULL, NULL, og_arena_sprintf(a, "removing interface '%s' is not supported", ta->name)));
                continue;
            }
            TRY(push(&p, &s));
            s->kind = OG_STEP_DROP_TYPE;
            s->type_kind = ta->kind; s->type_name = ta->name; s->type_id = ta->type_id;
            s->mode = allow_data_loss ? OG_DROP_HARD : OG_DROP_SOFT;
            s->data_loss = allow_data_loss ? OG_LOSS_IRREVERSIBLE : OG_LOSS_RECOVERABLE;
        }
    }
    plan->supported = true;
    for (size_t i = 0; i < p.len; i++) if (p.steps[i].kind == OG_STEP_UNSUPPORTED) plan->supported = false;
    plan->steps = p.steps;
    plan->n_steps = p.len;
    *out = plan;
    plan = NULL;
done:
    if (plan) og_arena_destroy(plan->arena);
    return rc;
}

og_status og_schema_plan_build(const og_catalog *accepted, const char *src, size_t len, bool allow_data_loss,
                               og_schema_plan **out)
{
    og_status rc = OG_OK;
    og_catalog *desired = NULL;
    *out = NULL;
    TRY(og_catalog_compile(src, len, accepted, NULL, &desired));
    TRY(og_schema_plan_diff(accepted, desired, allow_data_loss, out));
    (*out)->desired = desired;
    desired = NULL;
done:
    og_catalog_free(desired);
    return rc;
}

void og_schema_plan_free(og_schema_plan *plan)
{
    if (!plan) return;
    og_catalog_free(plan->desired);
    og_arena_destroy(plan->arena);
}

const char *og_plan_step_kind_name(og_plan_step_kind k)
{
    static const char *const names[] = {"add_type", "rename_type", "add_property", "rename_property",
                                        "add_constraint", "extend_enum", "update_type_metadata",
                                        "update_property_metadata", "drop_type", "drop_property",
                                        "unsupported_change"};
    return (unsigned)k <= OG_STEP_UNSUPPORTED ? names[k] : "?";
}

static const char *mode_name(og_drop_mode m) { return m == OG_DROP_HARD ? "hard" : "soft"; }

og_status og_schema_plan_to_json(const og_schema_plan *plan, og_buf *out)
{
    og_status rc = OG_OK;
    json_t *root = json_object(), *steps = json_array();
    if (!root || !steps) { json_decref(root); json_decref(steps); return nomem(); }
    if (json_object_set_new(root, "steps", steps)) { json_decref(root); return nomem(); }
    if (json_object_set_new(root, "supported", json_boolean(plan->supported)) ||
        json_object_set_new(root, "step_count", json_integer((json_int_t)plan->n_steps))) { rc = nomem(); goto done; }
    for (size_t i = 0; i < plan->n_steps; i++) {
        const og_plan_step *s = &plan->steps[i];
        json_t *o = json_object();
        if (!o || json_array_append_new(steps, o)) { rc = nomem(); goto done; }
#define SETS(k, v) do { if ((v) && json_object_set_new(o, k, json_string(v))) { rc = nomem(); goto done; } } while (0)
        SETS("kind", og_plan_step_kind_name(s->kind));
        SETS("type_kind", og_decl_kind_name(s->type_kind));
        SETS("type_name", s->type_name);
        if (s->kind == OG_STEP_ADD_TYPE || s->kind == OG_STEP_DROP_TYPE) SETS("name", s->type_name);
        if (s->kind == OG_STEP_RENAME_TYPE) { SETS("from", s->old_type_name); SETS("to", s->type_name); }
        SETS("property_name", s->property_name);
        if (s->kind == OG_STEP_RENAME_PROPERTY) { SETS("from", s->old_property_name); SETS("to", s->property_name); }
        if (s->mode != OG_DROP_NONE) SETS("mode", mode_name(s->mode));
        if (s->kind == OG_STEP_ADD_PROPERTY) SETS("property_type", s->detail);
        if (s->kind == OG_STEP_ADD_CONSTRAINT) SETS("constraint", s->detail);
        if (s->kind == OG_STEP_EXTEND_ENUM) SETS("added", s->detail);
        if (s->kind == OG_STEP_UPDATE_TYPE_METADATA || s->kind == OG_STEP_UPDATE_PROPERTY_METADATA) SETS("metadata", s->detail);
        SETS("entity", s->entity);
        SETS("reason", s->reason);
        SETS("code", s->code);
#undef SETS
    }
    rc = og_json_dump(root, out);
done:
    json_decref(root);
    return rc;
}

static og_status render_step(const og_plan_step *s, og_buf *b)
{
    const char *k = og_decl_kind_name(s->type_kind);
    switch (s->kind) {
    case OG_STEP_ADD_TYPE: return og_buf_printf(b, "add %s type '%s'", k, s->type_name);
    case OG_STEP_RENAME_TYPE: return og_buf_printf(b, "rename %s type '%s' -> '%s'", k, s->old_type_name, s->type_name);
    case OG_STEP_ADD_PROPERTY:
        return og_buf_printf(b, "add property '%s.%s' (%s) on %s '%s'", s->type_name, s->property_name, s->detail, k, s->type_name);
    case OG_STEP_RENAME_PROPERTY:
        return og_buf_printf(b, "rename property '%s.%s' -> '%s.%s' on %s '%s'", s->type_name, s->old_property_name,
                             s->type_name, s->property_name, k, s->type_name);
    case OG_STEP_ADD_CONSTRAINT: return og_buf_printf(b, "add constraint %s on %s '%s'", s->detail, k, s->type_name);
    case OG_STEP_EXTEND_ENUM:
        return og_buf_printf(b, "extend enum '%s.%s' (%s) on %s '%s'", s->type_name, s->property_name, s->detail, k, s->type_name);
    case OG_STEP_UPDATE_TYPE_METADATA: return og_buf_printf(b, "update metadata on %s '%s' (%s)", k, s->type_name, s->detail);
    case OG_STEP_UPDATE_PROPERTY_METADATA:
        return og_buf_printf(b, "update metadata on property '%s.%s' of %s '%s' (%s)", s->type_name, s->property_name, k,
                             s->type_name, s->detail);
    case OG_STEP_DROP_TYPE: return og_buf_printf(b, "drop %s type '%s' (%s mode)", k, s->type_name, mode_name(s->mode));
    case OG_STEP_DROP_PROPERTY:
        return og_buf_printf(b, "drop property '%s.%s' of %s '%s' (%s mode)", s->type_name, s->property_name, k, s->type_name,
                             mode_name(s->mode));
    case OG_STEP_UNSUPPORTED:
        if (s->code) return og_buf_printf(b, "unsupported change on %s [%s]: %s", s->entity, s->code, s->reason);
        return og_buf_printf(b, "unsupported change on %s: %s", s->entity, s->reason);
    }
    return OG_OK;
}

og_status og_schema_plan_render(const og_schema_plan *plan, og_buf *out)
{
    og_status rc = OG_OK;
    for (size_t i = 0; i < plan->n_steps; i++) {
        TRY(render_step(&plan->steps[i], out));
        TRY(og_buf_append_byte(out, '\n'));
    }
done:
    return rc;
}

og_status og_schema_plan_refusal(const og_schema_plan *plan, og_buf *out)
{
    for (size_t i = 0; i < plan->n_steps; i++) {
        const og_plan_step *s = &plan->steps[i];
        if (s->kind != OG_STEP_UNSUPPORTED) continue;
        if (s->code) return og_buf_printf(out, "[%s] %s", s->code, s->reason);
        return og_buf_append_str(out, s->reason);
    }
    return og_buf_append_str(out, "");
}
