/* schema_ir.c — the catalog as SchemaIR v2 JSON (`_schema.ir.json`) and
 * its two content hashes (internals §1.7, §6.1).
 * (1) Writing is deterministic: sorted keys, catalog order for arrays, so
 *     equal catalogs give equal bytes and equal hashes.
 * (2) The reader validates everything it takes (kinds, names, id ranges,
 *     id uniqueness, endpoints, constraint columns, enum order, vector
 *     bounds) and refuses with OG_E_CORRUPT; a newer ir_version is
 *     OG_E_UNSUPPORTED naming both versions.
 * (3) parse -> write -> read -> write gives identical bytes (consumed
 *     @rename_from hints and source positions are not part of the IR).
 * (4) The shape hash is the same projection without identity fields
 *     (domain, allocator, type/property/incarnation ids, satisfies). */
#include "catalog.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>
#include "base/arena.h"
#include "base/json.h"
#include "schema_build.h"

#define TRY(x) do { rc = (x); if (rc != OG_OK) goto done; } while (0)
#define NEW(x) do { if (!(x)) { rc = og_error_set(OG_E_NOMEM, "out of memory building schema IR"); goto done; } } while (0)

static const char *const constraint_names[] = {"key", "unique", "index", "range", "check"};

/* json_object_set_new that reports failure */
static og_status jset(json_t *o, const char *k, json_t *v)
{
    if (!v || json_object_set_new(o, k, v) != 0) return og_error_set(OG_E_NOMEM, "out of memory building schema IR");
    return OG_OK;
}

static og_status jpush(json_t *a, json_t *v)
{
    if (!v || json_array_append_new(a, v) != 0) return og_error_set(OG_E_NOMEM, "out of memory building schema IR");
    return OG_OK;
}

static json_t *jstr_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static og_status annotations_json(const og_annotation *an, size_t n, json_t *parent)
{
    og_status rc = OG_OK;
    json_t *arr = json_array();
    NEW(arr);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object(), *kw = json_array();
        if (!o || !kw) { json_decref(o); json_decref(kw); NEW(NULL); }
        TRY(jpush(arr, o));
        TRY(jset(o, "kwargs", kw));
        TRY(jset(o, "name", json_string(an[i].name)));
        TRY(jset(o, "value", jstr_or_null(an[i].value)));
        for (size_t k = 0; k < an[i].n_kwargs; k++)
            TRY(jpush(kw, json_pack("[ss]", an[i].kw_keys[k], an[i].kw_values[k])));
    }
    TRY(jset(parent, "annotations", arr));
    arr = NULL;
done:
    json_decref(arr);
    return rc;
}

static og_status prop_json(const og_decl *owner, const og_property *p, bool ids, json_t *o)
{
    og_status rc = OG_OK;
    json_t *ty = json_object();
    NEW(ty);
    TRY(jset(o, "type", ty));
    TRY(jset(ty, "scalar", json_string(og_scalar_name(p->type.scalar))));
    TRY(jset(ty, "list", json_boolean(p->type.list)));
    TRY(jset(ty, "nullable", json_boolean(p->type.nullable)));
    if (p->type.scalar == OG_SCALAR_VECTOR) TRY(jset(ty, "dim", json_integer(p->type.vector_dim)));
    if (p->type.scalar == OG_SCALAR_ENUM) {
        json_t *vals = json_array();
        NEW(vals);
        TRY(jset(ty, "values", vals));
        for (size_t i = 0; i < p->type.n_enum; i++) TRY(jpush(vals, json_string(p->type.enum_values[i])));
    }
    TRY(jset(o, "name", json_string(p->name)));
    if (owner->kind == OG_KIND_INTERFACE) { /* elsewhere these are constraints */
        TRY(jset(o, "key", json_boolean(p->is_key)));
        TRY(jset(o, "unique", json_boolean(p->is_unique)));
        TRY(jset(o, "index", json_boolean(p->is_index)));
    }
    TRY(jset(o, "description", jstr_or_null(p->description)));
    if (p->embed_source) TRY(jset(o, "embed", json_pack("{s:s,s:o}", "source", p->embed_source,
                                                         "model", jstr_or_null(p->embed_model))));
    else TRY(jset(o, "embed", json_null()));
    TRY(annotations_json(p->annotations, p->n_annotations, o));
    if (ids) {
        json_t *sat = json_array();
        NEW(sat);
        TRY(jset(o, "satisfies", sat));
        for (size_t i = 0; i < p->n_satisfies; i++) TRY(jpush(sat, json_integer((json_int_t)p->satisfies[i])));
        TRY(jset(o, "prop_id", json_integer((json_int_t)p->prop_id)));
    }
done:
    return rc;
}

static json_t *bound_json(const og_range_bound *b)
{
    return b->present ? json_string(b->text) : json_null();
}

static og_status type_json(const og_decl *t, bool ids, json_t *o)
{
    og_status rc = OG_OK;
    json_t *props = json_array(), *cons = json_array(), *impl = json_array();
    if (!props || !cons || !impl) { json_decref(props); json_decref(cons); json_decref(impl); NEW(NULL); }
    TRY(jset(o, "properties", props));
    TRY(jset(o, "constraints", cons));
    TRY(jset(o, "implements", impl));
    TRY(jset(o, "name", json_string(t->name)));
    TRY(jset(o, "description", jstr_or_null(t->description)));
    TRY(jset(o, "instruction", jstr_or_null(t->instruction)));
    TRY(annotations_json(t->annotations, t->n_annotations, o));
    for (size_t i = 0; i < t->n_implements; i++) TRY(jpush(impl, json_string(t->implements[i])));
    for (size_t i = 0; i < t->n_props; i++) {
        json_t *po = json_object();
        NEW(po);
        TRY(jpush(props, po));
        TRY(prop_json(t, &t->props[i], ids, po));
    }
    for (size_t i = 0; i < t->n_constraints; i++) {
        const og_constraint *c = &t->constraints[i];
        json_t *co = json_object(), *cols = json_array();
        if (!co || !cols) { json_decref(co); json_decref(cols); NEW(NULL); }
        TRY(jpush(cons, co));
        TRY(jset(co, "columns", cols));
        TRY(jset(co, "kind", json_string(constraint_names[c->kind])));
        for (size_t k = 0; k < c->n_columns; k++) TRY(jpush(cols, json_string(c->columns[k])));
        if (c->kind == OG_CONSTRAINT_RANGE) {
            TRY(jset(co, "min", bound_json(&c->min)));
            TRY(jset(co, "max", bound_json(&c->max)));
        }
        if (c->kind == OG_CONSTRAINT_CHECK) TRY(jset(co, "pattern", json_string(c->pattern)));
    }
    if (t->kind == OG_KIND_EDGE) {
        TRY(jset(o, "from", json_string(t->from_name)));
        TRY(jset(o, "to", json_string(t->to_name)));
        TRY(jset(o, "card_min", json_integer((json_int_t)t->card_min)));
        TRY(jset(o, "card_max", t->card_has_max ? json_integer((json_int_t)t->card_max) : json_null()));
    }
    if (ids) {
        TRY(jset(o, "type_id", json_integer((json_int_t)t->type_id)));
        if (t->kind != OG_KIND_INTERFACE)
            TRY(jset(o, "table_incarnation_id", json_integer((json_int_t)t->table_incarnation_id)));
    }
done:
    return rc;
}

static og_status catalog_json(const og_catalog *cat, bool ids, json_t **out)
{
    og_status rc = OG_OK;
    json_t *root = json_object();
    json_t *groups[3] = {json_array(), json_array(), json_array()};
    static const char *const gnames[3] = {"interfaces", "nodes", "edges"};
    NEW(root);
    for (int g = 0; g < 3; g++) TRY(jset(root, gnames[g], groups[g]));
    TRY(jset(root, "ir_version", json_integer(OG_CATALOG_IR_VERSION)));
    if (ids) {
        TRY(jset(root, "identity_domain", json_string(cat->identity_domain ? cat->identity_domain : "")));
        TRY(jset(root, "next_identity_id", json_integer((json_int_t)cat->next_identity_id)));
    }
    for (size_t i = 0; i < cat->n_types; i++) {
        json_t *o = json_object();
        NEW(o);
        TRY(jpush(groups[cat->types[i].kind], o));
        TRY(type_json(&cat->types[i], ids, o));
    }
    *out = root;
    root = NULL;
done:
    json_decref(root);
    return rc;
}

og_status og_catalog_to_ir_json(const og_catalog *cat, og_buf *out)
{
    og_status rc = OG_OK;
    json_t *root = NULL;
    char *s = NULL;
    TRY(catalog_json(cat, true, &root));
    s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
    NEW(s);
    TRY(og_buf_append_str(out, s));
    TRY(og_buf_append_byte(out, '\n'));
done:
    free(s);
    json_decref(root);
    return rc;
}

static og_status hash_of(const og_catalog *cat, bool ids, char out[OG_CATALOG_HASH_HEX])
{
    og_status rc = OG_OK;
    json_t *root = NULL;
    og_buf b = OG_BUF_INIT;
    out[0] = 0;
    TRY(catalog_json(cat, ids, &root));
    TRY(og_json_dump(root, &b));
    XXH128_hash_t h = XXH3_128bits(b.data ? b.data : "", b.len);
    snprintf(out, OG_CATALOG_HASH_HEX, "%016llx%016llx", (unsigned long long)h.high64,
             (unsigned long long)h.low64);
done:
    og_buf_free(&b);
    json_decref(root);
    return rc;
}

og_status og_catalog_ir_hash(const og_catalog *cat, char out[OG_CATALOG_HASH_HEX]) { return hash_of(cat, true, out); }
og_status og_catalog_shape_hash(const og_catalog *cat, char out[OG_CATALOG_HASH_HEX]) { return hash_of(cat, false, out); }

/* ---- reader ---------------------------------------------------------------- */

static og_status corrupt(const char *what)
{
    return og_error_set(OG_E_CORRUPT, "schema IR is invalid: %s", what);
}

static og_status get_str(og_arena *a, const json_t *o, const char *k, bool nullable, const char **out)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if ((!v || json_is_null(v)) && nullable) return OG_OK;
    if (!json_is_string(v)) return og_error_set(OG_E_CORRUPT, "schema IR is invalid: '%s' must be a string", k);
    *out = og_arena_strdup(a, json_string_value(v));
    return *out ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory reading schema IR");
}

static og_status get_u64(const json_t *o, const char *k, uint64_t *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return og_error_set(OG_E_CORRUPT, "schema IR is invalid: '%s' must be a non-negative integer", k);
    *out = (uint64_t)json_integer_value(v);
    return OG_OK;
}

static og_status get_bool(const json_t *o, const char *k, bool *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_boolean(v)) return og_error_set(OG_E_CORRUPT, "schema IR is invalid: '%s' must be a boolean", k);
    *out = json_is_true(v);
    return OG_OK;
}

static og_status get_arr(const json_t *o, const char *k, json_t **out)
{
    *out = json_object_get(o, k);
    if (!json_is_array(*out)) return og_error_set(OG_E_CORRUPT, "schema IR is invalid: '%s' must be an array", k);
    return OG_OK;
}

static og_status read_annotations(og_arena *a, const json_t *o, const og_annotation **out, size_t *n_out)
{
    og_status rc = OG_OK;
    json_t *arr;
    og_annotation *an = NULL;
    size_t n;
    TRY(get_arr(o, "annotations", &arr));
    n = json_array_size(arr);
    if (n) NEW(an = og_arena_calloc(a, n * sizeof *an));
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(arr, i), *kw;
        if (!json_is_object(e)) { rc = corrupt("annotation must be an object"); goto done; }
        TRY(get_str(a, e, "name", false, &an[i].name));
        TRY(get_str(a, e, "value", true, &an[i].value));
        TRY(get_arr(e, "kwargs", &kw));
        an[i].n_kwargs = json_array_size(kw);
        if (an[i].n_kwargs) {
            const char **ks, **vs;
            NEW(ks = og_arena_alloc(a, an[i].n_kwargs * sizeof *ks));
            NEW(vs = og_arena_alloc(a, an[i].n_kwargs * sizeof *vs));
            for (size_t k = 0; k < an[i].n_kwargs; k++) {
                json_t *pair = json_array_get(kw, k);
                if (!json_is_array(pair) || json_array_size(pair) != 2 ||
                    !json_is_string(json_array_get(pair, 0)) || !json_is_string(json_array_get(pair, 1))) {
                    rc = corrupt("annotation kwargs must be [key, value] string pairs");
                    goto done;
                }
                NEW(ks[k] = og_arena_strdup(a, json_string_value(json_array_get(pair, 0))));
                NEW(vs[k] = og_arena_strdup(a, json_string_value(json_array_get(pair, 1))));
            }
            an[i].kw_keys = ks;
            an[i].kw_values = vs;
        }
    }
    *out = an;
    *n_out = n;
done:
    return rc;
}

static og_status read_type_spec(og_arena *a, const json_t *o, og_prop_type *ty)
{
    og_status rc = OG_OK;
    const char *sc;
    json_t *t = json_object_get(o, "type");
    bool found = false;
    if (!json_is_object(t)) { rc = corrupt("property 'type' must be an object"); goto done; }
    TRY(get_str(a, t, "scalar", false, &sc));
    for (int s = 0; s < OG_SCALAR_COUNT_; s++)
        if (!strcmp(sc, og_scalar_name((og_scalar)s))) { ty->scalar = (og_scalar)s; found = true; }
    if (!found) { rc = og_error_set(OG_E_CORRUPT, "schema IR is invalid: unknown scalar '%s'", sc); goto done; }
    TRY(get_bool(t, "list", &ty->list));
    TRY(get_bool(t, "nullable", &ty->nullable));
    if (ty->list && (ty->scalar == OG_SCALAR_BLOB || ty->scalar == OG_SCALAR_VECTOR || ty->scalar == OG_SCALAR_ENUM)) {
        rc = corrupt("list of Blob, Vector or enum");
        goto done;
    }
    if (ty->scalar == OG_SCALAR_VECTOR) {
        uint64_t d;
        TRY(get_u64(t, "dim", &d));
        if (d < 1 || d > OG_CATALOG_MAX_VECTOR_DIM) { rc = corrupt("Vector dimension out of range"); goto done; }
        ty->vector_dim = (uint32_t)d;
    }
    if (ty->scalar == OG_SCALAR_ENUM) {
        json_t *vals;
        const char **v;
        TRY(get_arr(t, "values", &vals));
        ty->n_enum = json_array_size(vals);
        if (!ty->n_enum) { rc = corrupt("enum without values"); goto done; }
        NEW(v = og_arena_alloc(a, ty->n_enum * sizeof *v));
        for (size_t i = 0; i < ty->n_enum; i++) {
            json_t *e = json_array_get(vals, i);
            if (!json_is_string(e)) { rc = corrupt("enum value must be a string"); goto done; }
            NEW(v[i] = og_arena_strdup(a, json_string_value(e)));
            if (i && strcmp(v[i - 1], v[i]) >= 0) { rc = corrupt("enum values must be sorted and unique"); goto done; }
        }
        ty->enum_values = v;
    }
done:
    return rc;
}

static og_status read_bound(og_arena *a, const json_t *c, const char *k, og_range_bound *b)
{
    og_status rc = OG_OK;
    const char *s;
    char *end;
    TRY(get_str(a, c, k, true, &s));
    memset(b, 0, sizeof *b);
    if (!s) goto done;
    b->present = true;
    b->text = s;
    b->is_float = strchr(s, '.') != NULL;
    errno = 0;
    b->f = strtod(s, &end);
    if (end == s || *end || errno) { rc = corrupt("range bound is not a number"); goto done; }
    if (!b->is_float) {
        b->i = strtoll(s, &end, 10);
        if (*end || errno) { rc = corrupt("range bound is not an integer"); goto done; }
    }
done:
    return rc;
}

static og_status read_type(og_arena *a, const json_t *o, og_decl_kind kind, og_decl *t)
{
    og_status rc = OG_OK;
    json_t *props, *cons, *impl;
    og_property *pa = NULL;
    og_constraint *ca = NULL;
    if (!json_is_object(o)) { rc = corrupt("type entry must be an object"); goto done; }
    t->kind = kind;
    t->key_constraint = -1;
    TRY(get_str(a, o, "name", false, &t->name));
    if (!(t->name[0] >= 'A' && t->name[0] <= 'Z')) { rc = corrupt("type name must start upper-case"); goto done; }
    TRY(get_u64(o, "type_id", &t->type_id));
    if (kind != OG_KIND_INTERFACE) TRY(get_u64(o, "table_incarnation_id", &t->table_incarnation_id));
    TRY(get_str(a, o, "description", true, &t->description));
    TRY(get_str(a, o, "instruction", true, &t->instruction));
    TRY(read_annotations(a, o, &t->annotations, &t->n_annotations));
    TRY(get_arr(o, "implements", &impl));
    t->n_implements = json_array_size(impl);
    if (t->n_implements) {
        const char **im;
        NEW(im = og_arena_alloc(a, t->n_implements * sizeof *im));
        for (size_t i = 0; i < t->n_implements; i++) {
            json_t *e = json_array_get(impl, i);
            if (!json_is_string(e)) { rc = corrupt("implements entry must be a string"); goto done; }
            NEW(im[i] = og_arena_strdup(a, json_string_value(e)));
        }
        t->implements = im;
    }
    if (kind == OG_KIND_EDGE) {
        json_t *mx = json_object_get(o, "card_max");
        TRY(get_str(a, o, "from", false, &t->from_name));
        TRY(get_str(a, o, "to", false, &t->to_name));
        TRY(get_u64(o, "card_min", &t->card_min));
        if (json_is_null(mx)) t->card_has_max = false;
        else { TRY(get_u64(o, "card_max", &t->card_max)); t->card_has_max = true; }
        if (t->card_has_max && t->card_min > t->card_max) { rc = corrupt("card_min > card_max"); goto done; }
    }
    TRY(get_arr(o, "properties", &props));
    t->n_props = json_array_size(props);
    NEW(pa = og_arena_calloc(a, (t->n_props + 1) * sizeof *pa));
    for (size_t i = 0; i < t->n_props; i++) {
        json_t *po = json_array_get(props, i), *emb;
        og_property *p = &pa[i];
        if (!json_is_object(po)) { rc = corrupt("property must be an object"); goto done; }
        TRY(get_str(a, po, "name", false, &p->name));
        if (!((p->name[0] >= 'a' && p->name[0] <= 'z') || p->name[0] == '_') || og_catalog_name_reserved(p->name)) {
            rc = corrupt("bad property name");
            goto done;
        }
        for (size_t j = 0; j < i; j++) if (!strcmp(pa[j].name, p->name)) { rc = corrupt("duplicate property"); goto done; }
        TRY(get_u64(po, "prop_id", &p->prop_id));
        TRY(read_type_spec(a, po, &p->type));
        if (kind == OG_KIND_INTERFACE) {
            TRY(get_bool(po, "key", &p->is_key));
            TRY(get_bool(po, "unique", &p->is_unique));
            TRY(get_bool(po, "index", &p->is_index));
        }
        TRY(get_str(a, po, "description", true, &p->description));
        emb = json_object_get(po, "embed");
        if (json_is_object(emb)) {
            TRY(get_str(a, emb, "source", false, &p->embed_source));
            TRY(get_str(a, emb, "model", true, &p->embed_model));
        } else if (!json_is_null(emb)) { rc = corrupt("embed must be an object or null"); goto done; }
        TRY(read_annotations(a, po, &p->annotations, &p->n_annotations));
    }
    t->props = pa;
    TRY(get_arr(o, "constraints", &cons));
    t->n_constraints = json_array_size(cons);
    NEW(ca = og_arena_calloc(a, (t->n_constraints + 1) * sizeof *ca));
    for (size_t i = 0; i < t->n_constraints; i++) {
        json_t *co = json_array_get(cons, i), *cols;
        og_constraint *c = &ca[i];
        const char *k;
        bool found = false;
        if (!json_is_object(co)) { rc = corrupt("constraint must be an object"); goto done; }
        TRY(get_str(a, co, "kind", false, &k));
        for (int j = 0; j < 5; j++) if (!strcmp(k, constraint_names[j])) { c->kind = (og_constraint_kind)j; found = true; }
        if (!found) { rc = corrupt("unknown constraint kind"); goto done; }
        if (kind == OG_KIND_INTERFACE) { rc = corrupt("interfaces carry no constraints"); goto done; }
        if (kind == OG_KIND_EDGE && c->kind != OG_CONSTRAINT_UNIQUE && c->kind != OG_CONSTRAINT_INDEX) {
            rc = corrupt("edge constraint must be unique or index");
            goto done;
        }
        TRY(get_arr(co, "columns", &cols));
        c->n_columns = json_array_size(cols);
        if (!c->n_columns || ((c->kind == OG_CONSTRAINT_RANGE || c->kind == OG_CONSTRAINT_CHECK) && c->n_columns != 1)) {
            rc = corrupt("constraint column count");
            goto done;
        }
        const char **cn;
        int32_t *ci;
        NEW(cn = og_arena_alloc(a, c->n_columns * sizeof *cn));
        NEW(ci = og_arena_alloc(a, c->n_columns * sizeof *ci));
        for (size_t j = 0; j < c->n_columns; j++) {
            json_t *e = json_array_get(cols, j);
            if (!json_is_string(e)) { rc = corrupt("constraint column must be a string"); goto done; }
            NEW(cn[j] = og_arena_strdup(a, json_string_value(e)));
            ci[j] = -1;
            for (size_t m = 0; m < t->n_props; m++) if (!strcmp(pa[m].name, cn[j])) ci[j] = (int32_t)m;
            if (ci[j] < 0 && !(kind == OG_KIND_EDGE && (!strcmp(cn[j], OG_COLUMN_SRC) || !strcmp(cn[j], OG_COLUMN_DST)))) {
                rc = corrupt("constraint names an unknown column");
                goto done;
            }
        }
        c->columns = cn;
        c->column_props = ci;
        if (c->kind == OG_CONSTRAINT_KEY) {
            if (t->key_constraint >= 0 || kind != OG_KIND_NODE) { rc = corrupt("more than one key"); goto done; }
            t->key_constraint = (int32_t)i;
        }
        if (c->kind == OG_CONSTRAINT_RANGE) {
            TRY(read_bound(a, co, "min", &c->min));
            TRY(read_bound(a, co, "max", &c->max));
            if (!c->min.present && !c->max.present) { rc = corrupt("range without bounds"); goto done; }
        }
        if (c->kind == OG_CONSTRAINT_CHECK) TRY(get_str(a, co, "pattern", false, &c->pattern));
    }
    t->constraints = ca;
done:
    return rc;
}

static int ids_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int type_order(const og_decl *x, const og_decl *y)
{
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    return strcmp(x->name, y->name);
}

og_status og_catalog_from_ir_json(const char *text, size_t len, og_catalog **out)
{
    og_status rc = OG_OK;
    og_catalog *cat = NULL;
    json_t *root = NULL, *groups[3];
    static const char *const gnames[3] = {"interfaces", "nodes", "edges"};
    og_decl *types = NULL;
    size_t n = 0, i = 0, n_ids = 0;
    uint64_t *ids = NULL, ver;
    *out = NULL;
    rc = og_json_parse(text, len, &root);
    if (rc != OG_OK) { rc = og_error_set(OG_E_CORRUPT, "schema IR is not valid JSON: %s", og_error_last()->message); goto done; }
    if (!json_is_object(root)) { rc = corrupt("top level must be an object"); goto done; }
    TRY(get_u64(root, "ir_version", &ver));
    if (ver > OG_CATALOG_IR_VERSION) {
        rc = og_error_set(OG_E_UNSUPPORTED, "schema IR version %llu is newer than supported version %d; upgrade omnigraph first",
                          (unsigned long long)ver, OG_CATALOG_IR_VERSION);
        goto done;
    }
    if (ver != OG_CATALOG_IR_VERSION) { rc = og_error_set(OG_E_UNSUPPORTED, "schema IR version %llu is older than supported version %d",
                                                          (unsigned long long)ver, OG_CATALOG_IR_VERSION); goto done; }
    TRY(schema_catalog_new(&cat));
    TRY(get_str(cat->arena, root, "identity_domain", false, &cat->identity_domain));
    TRY(get_u64(root, "next_identity_id", &cat->next_identity_id));
    if (cat->next_identity_id < 1 || cat->next_identity_id > (uint64_t)INT64_MAX) { rc = corrupt("next_identity_id out of range"); goto done; }
    for (int g = 0; g < 3; g++) { TRY(get_arr(root, gnames[g], &groups[g])); n += json_array_size(groups[g]); }
    NEW(types = og_arena_calloc(cat->arena, (n + 1) * sizeof *types));
    for (int g = 0; g < 3; g++) {
        for (size_t k = 0; k < json_array_size(groups[g]); k++, i++) {
            TRY(read_type(cat->arena, json_array_get(groups[g], k), (og_decl_kind)g, &types[i]));
            if (i && type_order(&types[i - 1], &types[i]) >= 0) { rc = corrupt("types must be sorted by kind and name and unique"); goto done; }
            if (types[i].kind == OG_KIND_EDGE)
                for (size_t j = 0; j < i; j++)
                    if (types[j].kind == OG_KIND_EDGE && !strcasecmp(types[j].name, types[i].name)) { rc = corrupt("edge names collide after case folding"); goto done; }
        }
    }
    cat->types = types;
    cat->n_types = n;
    cat->n_interfaces = json_array_size(groups[0]);
    cat->n_nodes = json_array_size(groups[1]);
    cat->n_edges = json_array_size(groups[2]);
    /* ids: non-zero, below the allocator, unique across types/props/incarnations */
    for (i = 0; i < n; i++) n_ids += 2 + types[i].n_props;
    ids = calloc(n_ids + 1, sizeof *ids);
    NEW(ids);
    n_ids = 0;
    for (i = 0; i < n; i++) {
        ids[n_ids++] = types[i].type_id;
        if (types[i].kind != OG_KIND_INTERFACE) ids[n_ids++] = types[i].table_incarnation_id;
        for (size_t k = 0; k < types[i].n_props; k++) ids[n_ids++] = types[i].props[k].prop_id;
        for (size_t k = 0; k < types[i].n_implements; k++)
            if (!og_catalog_find_interface(cat, types[i].implements[k])) { rc = corrupt("implements an unknown interface"); goto done; }
        if (types[i].kind == OG_KIND_EDGE &&
            (!og_catalog_find_node(cat, types[i].from_name) || !og_catalog_find_node(cat, types[i].to_name))) {
            rc = corrupt("edge endpoint is not a node type");
            goto done;
        }
    }
    /* sorted, so uniqueness is one pass (a 200-type IR has ~2,500 ids) */
    qsort(ids, n_ids, sizeof *ids, ids_cmp);
    for (size_t a = 0; a < n_ids; a++) {
        if (ids[a] == 0 || ids[a] >= cat->next_identity_id) { rc = corrupt("id is zero or not below next_identity_id"); goto done; }
        if (a && ids[a] == ids[a - 1]) { rc = corrupt("id used twice"); goto done; }
    }
    TRY(schema_link(cat));
    /* satisfies sets are derived; check the file agrees */
    for (int g = 1; g < 2; g++) {
        for (size_t k = 0; k < json_array_size(groups[g]); k++) {
            const og_decl *t = og_catalog_find_node(cat, json_string_value(json_object_get(json_array_get(groups[g], k), "name")));
            json_t *props = json_object_get(json_array_get(groups[g], k), "properties");
            for (size_t m = 0; t && m < t->n_props; m++) {
                json_t *sat = json_object_get(json_array_get(props, m), "satisfies");
                if (!json_is_array(sat) || json_array_size(sat) != t->props[m].n_satisfies) { rc = corrupt("satisfies set mismatch"); goto done; }
                for (size_t s = 0; s < t->props[m].n_satisfies; s++) {
                    json_t *e = json_array_get(sat, s);
                    if (!json_is_integer(e) || (uint64_t)json_integer_value(e) != t->props[m].satisfies[s]) { rc = corrupt("satisfies set mismatch"); goto done; }
                }
            }
        }
    }
    *out = cat;
    cat = NULL;
done:
    free(ids);
    json_decref(root);
    og_catalog_free(cat);
    return rc;
}
