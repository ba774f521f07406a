/* catalog.c — lookups, spellings, entity-id rules and the compile entry
 * point of the checked schema (see catalog.h for the invariants).
 * (1) og_catalog_compile is the only way from .pg text to a catalog:
 *     parse -> schema_build -> schema_resolve_ids -> schema_link.
 * (2) Canonical key spellings follow surface.md §1.8 exactly; they are
 *     part of the persisted identity of keyed nodes and never change. */
#include "catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/arena.h"
#include "pg_ast.h"
#include "schema_build.h"

#define TRY(x) do { rc = (x); if (rc != OG_OK) goto done; } while (0)

og_status schema_catalog_new(og_catalog **out)
{
    og_status rc = OG_OK;
    og_catalog *cat = NULL;
    og_arena *a = og_arena_create(NULL, "catalog");
    if (!a) { rc = og_error_set(OG_E_NOMEM, "out of memory creating a catalog"); goto done; }
    cat = og_arena_calloc(a, sizeof *cat);
    if (!cat) { og_arena_destroy(a); rc = og_error_set(OG_E_NOMEM, "out of memory creating a catalog"); goto done; }
    cat->arena = a;
    cat->identity_domain = "";
    cat->next_identity_id = 1;
    *out = cat;
done:
    return rc;
}

void og_catalog_free(og_catalog *cat)
{
    if (cat) og_arena_destroy(cat->arena);
}

og_status og_catalog_compile(const char *src, size_t len, const og_catalog *accepted, const char *domain,
                             og_catalog **out)
{
    og_status rc = OG_OK;
    og_catalog *cat = NULL;
    og_arena *tmp = NULL;
    pg_file *f = NULL;
    *out = NULL;
    TRY(schema_catalog_new(&cat));
    tmp = og_arena_create(cat->arena, "pg-ast");
    if (!tmp) { rc = og_error_set(OG_E_NOMEM, "out of memory parsing schema"); goto done; }
    /* The tree's strings are referenced by the catalog, so the tree lives in
     * a child arena of the catalog's (freed with it). */
    TRY(og_pg_parse(tmp, src, len, &f));
    TRY(schema_build(cat, f));
    if (accepted) {
        cat->identity_domain = og_arena_strdup(cat->arena, accepted->identity_domain);
    } else {
        cat->identity_domain = og_arena_strdup(cat->arena, domain ? domain : "");
    }
    if (!cat->identity_domain) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    TRY(schema_resolve_ids(cat, accepted));
    TRY(schema_link(cat));
    *out = cat;
    cat = NULL;
done:
    og_catalog_free(cat);
    return rc;
}

/* ---- links ----------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

og_status schema_link(og_catalog *cat)
{
    og_status rc = OG_OK;
    og_decl *types = (og_decl *)cat->types;
    for (size_t i = 0; i < cat->n_types; i++) {
        og_decl *t = &types[i];
        t->index = (uint32_t)i;
        if (t->kind == OG_KIND_EDGE) {
            const og_decl *f = og_catalog_find_node(cat, t->from_name);
            const og_decl *to = og_catalog_find_node(cat, t->to_name);
            if (!f || !to) {
                rc = og_error_set(OG_E_CORRUPT, "edge %s references a missing node type", t->name);
                goto done;
            }
            t->from_index = (uint32_t)(f - cat->types);
            t->to_index = (uint32_t)(to - cat->types);
        }
        og_property *props = (og_property *)t->props;
        for (size_t k = 0; k < t->n_props; k++) props[k].ordinal = (uint32_t)k;
        t->key_constraint = -1;
        /* flags follow the constraints; interfaces have none, their flags
         * are the property annotations themselves */
        for (size_t k = 0; t->kind != OG_KIND_INTERFACE && k < t->n_props; k++)
            props[k].is_key = props[k].is_unique = props[k].is_index = false;
        for (size_t c = 0; c < t->n_constraints; c++) {
            og_constraint *con = (og_constraint *)&t->constraints[c];
            int32_t *idx = (int32_t *)con->column_props;
            if (con->kind == OG_CONSTRAINT_KEY) t->key_constraint = (int32_t)c;
            for (size_t k = 0; k < con->n_columns; k++) {
                idx[k] = og_decl_prop_index(t, con->columns[k]);
                if (idx[k] < 0) continue;
                if (con->kind == OG_CONSTRAINT_KEY) props[idx[k]].is_key = true;
                if (con->n_columns == 1 && con->kind == OG_CONSTRAINT_UNIQUE) props[idx[k]].is_unique = true;
                if (con->n_columns == 1 && con->kind == OG_CONSTRAINT_INDEX) props[idx[k]].is_index = true;
            }
        }
        /* satisfies: node props that stand in for interface props */
        if (t->kind == OG_KIND_NODE) {
            for (size_t k = 0; k < t->n_props; k++) {
                size_t cnt = 0;
                uint64_t *set;
                for (size_t j = 0; j < t->n_implements; j++) {
                    const og_decl *it = og_catalog_find_interface(cat, t->implements[j]);
                    if (it && og_decl_find_prop(it, props[k].name)) cnt++;
                }
                props[k].n_satisfies = 0;
                props[k].satisfies = NULL;
                if (!cnt) continue;
                set = og_arena_alloc(cat->arena, cnt * sizeof *set);
                if (!set) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
                cnt = 0;
                for (size_t j = 0; j < t->n_implements; j++) {
                    const og_decl *it = og_catalog_find_interface(cat, t->implements[j]);
                    const og_property *ip = it ? og_decl_find_prop(it, props[k].name) : NULL;
                    if (ip) set[cnt++] = ip->prop_id;
                }
                qsort(set, cnt, sizeof *set, cmp_u64);
                props[k].satisfies = set;
                props[k].n_satisfies = cnt;
            }
        }
    }
done:
    return rc;
}

/* ---- lookups --------------------------------------------------------------- */

const og_decl *og_catalog_find(const og_catalog *cat, og_decl_kind kind, const char *name)
{
    if (!cat || !name) return NULL;
    for (size_t i = 0; i < cat->n_types; i++) {
        const og_decl *t = &cat->types[i];
        if (t->kind != kind) continue;
        if (kind == OG_KIND_EDGE ? !strcasecmp(t->name, name) : !strcmp(t->name, name)) return t;
    }
    return NULL;
}

const og_decl *og_catalog_find_node(const og_catalog *cat, const char *name)
{ return og_catalog_find(cat, OG_KIND_NODE, name); }
const og_decl *og_catalog_find_edge(const og_catalog *cat, const char *name)
{ return og_catalog_find(cat, OG_KIND_EDGE, name); }
const og_decl *og_catalog_find_interface(const og_catalog *cat, const char *name)
{ return og_catalog_find(cat, OG_KIND_INTERFACE, name); }

const og_decl *og_catalog_find_by_id(const og_catalog *cat, uint64_t type_id)
{
    if (!cat || !type_id) return NULL;
    for (size_t i = 0; i < cat->n_types; i++)
        if (cat->types[i].type_id == type_id) return &cat->types[i];
    return NULL;
}

int32_t og_decl_prop_index(const og_decl *t, const char *name)
{
    if (!t || !name) return -1;
    for (size_t i = 0; i < t->n_props; i++)
        if (!strcmp(t->props[i].name, name)) return (int32_t)i;
    return -1;
}

const og_property *og_decl_find_prop(const og_decl *t, const char *name)
{
    int32_t i = og_decl_prop_index(t, name);
    return i < 0 ? NULL : &t->props[i];
}

const og_property *og_decl_find_prop_by_id(const og_decl *t, uint64_t prop_id)
{
    if (!t || !prop_id) return NULL;
    for (size_t i = 0; i < t->n_props; i++)
        if (t->props[i].prop_id == prop_id) return &t->props[i];
    return NULL;
}

bool og_decl_implements(const og_decl *node, const char *iface)
{
    if (!node || !iface) return false;
    for (size_t i = 0; i < node->n_implements; i++)
        if (!strcmp(node->implements[i], iface)) return true;
    return false;
}

/* ---- identity ------------------------------------------------------------- */

static bool key_before(const og_property *a, const og_property *b)
{
    return a->prop_id < b->prop_id || (a->prop_id == b->prop_id && strcmp(a->name, b->name) < 0);
}

size_t og_decl_key_props(const og_decl *t, const og_property **out, size_t cap)
{
    size_t n = 0;
    const og_property *prev = NULL;
    if (!t || t->kind != OG_KIND_NODE || t->key_constraint < 0) return 0;
    const og_constraint *k = &t->constraints[t->key_constraint];
    for (size_t round = 0; round < k->n_columns; round++) {
        const og_property *best = NULL;
        for (size_t i = 0; i < k->n_columns; i++) {
            if (k->column_props[i] < 0) continue;
            const og_property *p = &t->props[k->column_props[i]];
            if (prev && !key_before(prev, p)) continue;
            if (!best || key_before(p, best)) best = p;
        }
        if (!best) break;
        if (n < cap) out[n] = best;
        n++;
        prev = best;
    }
    return n;
}

static og_status json_string(const char *s, og_buf *out)
{
    og_status rc = og_buf_append_byte(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; rc == OG_OK && *p; p++) {
        switch (*p) {
        case '"': rc = og_buf_append_str(out, "\\\""); break;
        case '\\': rc = og_buf_append_str(out, "\\\\"); break;
        case '\n': rc = og_buf_append_str(out, "\\n"); break;
        case '\r': rc = og_buf_append_str(out, "\\r"); break;
        case '\t': rc = og_buf_append_str(out, "\\t"); break;
        case '\b': rc = og_buf_append_str(out, "\\b"); break;
        case '\f': rc = og_buf_append_str(out, "\\f"); break;
        default:
            if (*p < 0x20) rc = og_buf_printf(out, "\\u%04x", *p);
            else rc = og_buf_append_byte(out, *p);
        }
    }
    if (rc == OG_OK) rc = og_buf_append_byte(out, '"');
    return rc;
}

og_status og_entity_id_compose(const char *const *canon, size_t n, og_buf *out)
{
    og_status rc = OG_OK;
    if (n == 1) return og_buf_append_str(out, canon[0]);
    TRY(og_buf_append_byte(out, '['));
    for (size_t i = 0; i < n; i++) {
        if (i) TRY(og_buf_append_byte(out, ','));
        TRY(json_string(canon[i], out));
    }
    TRY(og_buf_append_byte(out, ']'));
done:
    return rc;
}

og_status og_entity_id_canon_i64(int64_t v, og_buf *out) { return og_buf_printf(out, "%lld", (long long)v); }
og_status og_entity_id_canon_u64(uint64_t v, og_buf *out) { return og_buf_printf(out, "%llu", (unsigned long long)v); }
og_status og_entity_id_canon_bool(bool v, og_buf *out) { return og_buf_append_str(out, v ? "true" : "false"); }

og_status og_entity_id_canon_float(double v, bool is_f32, og_buf *out)
{
    og_status rc = OG_OK;
    char digits[64], tmp[64];
    int prec, exp10 = 0;
    size_t nd = 0;
    if (!isfinite(v) || (is_f32 && !isfinite((float)v)))
        return og_error_set(OG_E_VALIDATION, "non-finite float %g is not a valid key value", v);
    if (is_f32) v = (double)(float)v;
    if (v == 0) return og_buf_append_str(out, "0");
    /* shortest %.{p}e that round-trips at the stored width */
    for (prec = 0; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, v);
        double back = strtod(tmp, NULL);
        if (is_f32 ? (float)back == (float)v : back == v) break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec, v);
    /* tmp = [-]d[.ddd]e[+-]xx ; collect digits and exponent */
    const char *p = tmp;
    bool neg = false;
    if (*p == '-') { neg = true; p++; }
    for (; *p && *p != 'e'; p++) if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    if (*p == 'e') exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = 0;
    if (neg) TRY(og_buf_append_byte(out, '-'));
    /* value = 0.d1d2... * 10^(exp10+1) */
    int point = exp10 + 1; /* digits before the decimal point */
    if (point <= 0) {
        TRY(og_buf_append_str(out, "0."));
        for (int i = 0; i < -point; i++) TRY(og_buf_append_byte(out, '0'));
        TRY(og_buf_append_str(out, digits));
    } else if ((size_t)point >= nd) {
        TRY(og_buf_append_str(out, digits));
        for (size_t i = nd; i < (size_t)point; i++) TRY(og_buf_append_byte(out, '0'));
    } else {
        TRY(og_buf_append(out, digits, (size_t)point));
        TRY(og_buf_append_byte(out, '.'));
        TRY(og_buf_append_str(out, digits + point));
    }
done:
    return rc;
}

/* ---- names ----------------------------------------------------------------- */

const char *og_decl_kind_name(og_decl_kind k)
{
    switch (k) {
    case OG_KIND_INTERFACE: return "interface";
    case OG_KIND_NODE: return "node";
    case OG_KIND_EDGE: return "edge";
    }
    return "?";
}

static const char *const scalar_names[OG_SCALAR_COUNT_] = {
    "String", "Bool", "I32", "I64", "U32", "U64", "F32", "F64", "Date", "DateTime", "Blob", "Vector", "enum"};

const char *og_scalar_name(og_scalar s)
{
    return (unsigned)s < OG_SCALAR_COUNT_ ? scalar_names[s] : "?";
}

og_status og_prop_type_render(const og_prop_type *t, og_buf *out)
{
    og_status rc = OG_OK;
    if (t->list) TRY(og_buf_append_byte(out, '['));
    if (t->scalar == OG_SCALAR_VECTOR) {
        TRY(og_buf_printf(out, "Vector(%u)", t->vector_dim));
    } else if (t->scalar == OG_SCALAR_ENUM) {
        TRY(og_buf_append_str(out, "enum("));
        for (size_t i = 0; i < t->n_enum; i++) {
            if (i) TRY(og_buf_append_str(out, ", "));
            TRY(og_buf_append_str(out, t->enum_values[i]));
        }
        TRY(og_buf_append_byte(out, ')'));
    } else {
        TRY(og_buf_append_str(out, og_scalar_name(t->scalar)));
    }
    if (t->list) TRY(og_buf_append_byte(out, ']'));
    if (t->nullable) TRY(og_buf_append_byte(out, '?'));
done:
    return rc;
}

bool og_prop_type_equal(const og_prop_type *a, const og_prop_type *b)
{
    if (a->scalar != b->scalar || a->list != b->list || a->nullable != b->nullable) return false;
    if (a->scalar == OG_SCALAR_VECTOR && a->vector_dim != b->vector_dim) return false;
    if (a->scalar == OG_SCALAR_ENUM) {
        if (a->n_enum != b->n_enum) return false;
        for (size_t i = 0; i < a->n_enum; i++)
            if (strcmp(a->enum_values[i], b->enum_values[i])) return false;
    }
    return true;
}

bool og_catalog_name_reserved(const char *n)
{
    static const char *const reserved[] = {"_rowid", "_rowaddr", "_rowoffset", "_row_created_at_version",
                                           "_row_last_updated_at_version"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcmp(n, reserved[i])) return true;
    return false;
}
