/* load_batch.c — strict graph-batch NDJSON -> typed rows; see
 * load_batch.h for the invariants. */
#include "load_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/ulid.h"
#include "load_json.h"
#include "value_convert.h"
#include "error_detail.h"

static const char *const reserved_names[] = {
    "_tombstone", "_rowid", "_rowaddr", "_rowoffset",
    "_row_created_at_version", "_row_last_updated_at_version",
};

bool og_load_name_reserved(const char *name)
{
    for (size_t i = 0; i < sizeof reserved_names / sizeof reserved_names[0]; i++)
        if (strcmp(name, reserved_names[i]) == 0) return true;
    return false;
}

og_status og_load_batch_new(const og_catalog *cat, og_load_batch **out)
{
    og_status rc = OG_OK;
    og_load_batch *b = calloc(1, sizeof *b);
    if (!b) return og_error_set(OG_E_NOMEM, "out of memory");
    b->cat = cat;
    b->arena = og_arena_create(NULL, "load");
    if (!b->arena) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    b->n_tables = cat->n_types;
    b->tables = og_arena_calloc(b->arena, (cat->n_types ? cat->n_types : 1) * sizeof *b->tables);
    if (!b->tables) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < cat->n_types; i++) b->tables[i].type = &cat->types[i];
done:
    if (rc != OG_OK) { og_load_batch_free(b); b = NULL; }
    *out = b;
    return rc;
}

void og_load_batch_free(og_load_batch *b)
{
    if (!b) return;
    og_arena_destroy(b->arena);
    free(b);
}

og_status og_load_table_push(og_load_batch *b, og_load_table *t, const og_row *row)
{
    if (t->n_rows == t->cap_) {
        size_t ncap = t->cap_ ? t->cap_ * 2 : 16;
        og_row *fresh = og_arena_alloc(b->arena, ncap * sizeof *fresh);
        if (!fresh) return og_error_set(OG_E_NOMEM, "out of memory");
        if (t->n_rows) memcpy(fresh, t->rows, t->n_rows * sizeof *fresh);
        t->rows = fresh;
        t->cap_ = ncap;
    }
    t->rows[t->n_rows++] = *row;
    t->touched = true;
    b->n_entities++;
    return OG_OK;
}

/* Composes the canonical @key id of a converted node row. */
static og_status key_id(og_arena *a, const og_decl *t, const og_value *vals, const char **out)
{
    const og_property *kp[16];
    const char *canon[16];
    og_buf one = OG_BUF_INIT, id = OG_BUF_INIT;
    og_status rc = OG_OK;
    size_t n = og_decl_key_props(t, kp, 16);
    for (size_t i = 0; i < n && rc == OG_OK; i++) {
        og_buf_clear(&one);
        rc = og_value_canon_key(&kp[i]->type, &vals[kp[i]->ordinal], &one);
        if (rc == OG_OK) {
            canon[i] = og_arena_strndup(a, one.len ? one.data : "", one.len);
            if (!canon[i]) rc = og_error_set(OG_E_NOMEM, "out of memory");
        }
    }
    if (rc == OG_OK) rc = og_entity_id_compose(canon, n, &id);
    if (rc == OG_OK) {
        *out = og_arena_strndup(a, id.len ? id.data : "", id.len);
        if (!*out) rc = og_error_set(OG_E_NOMEM, "out of memory");
    }
    og_buf_free(&one);
    og_buf_free(&id);
    return rc;
}

static og_status fresh_ulid(og_arena *a, const char **out)
{
    og_ulid u;
    og_status rc = og_ulid_new(&u);
    if (rc != OG_OK) return rc;
    *out = og_arena_strdup(a, u.s);
    return *out ? OG_OK : og_error_set(OG_E_NOMEM, "out of memory");
}

/* One record (the parsed JSON object of one line) -> one row. */
static og_status parse_record(og_load_batch *b, const og_lj *rec, uint32_t line, size_t bytes)
{
    const og_catalog *cat = b->cat;
    const og_lj *jtype = NULL, *jedge = NULL, *jfrom = NULL, *jto = NULL, *jdata = NULL, *jid = NULL;
    const og_decl *t = NULL;
    const char *kind_name;
    og_row row;
    og_status rc = OG_OK;
    bool *seen = NULL;

    memset(&row, 0, sizeof row);
    row.line = line;
    row.bytes = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
    if (rec->kind != OG_LJ_OBJ)
        return og_error_set(OG_E_VALIDATION, "line %u: graph batch record must be a JSON object", line);
    for (size_t i = 0; i < rec->n; i++) {
        const char *k = rec->keys[i];
        if (strcmp(k, "type") == 0) jtype = rec->items[i];
        else if (strcmp(k, "edge") == 0) jedge = rec->items[i];
        else if (strcmp(k, "from") == 0) jfrom = rec->items[i];
        else if (strcmp(k, "to") == 0) jto = rec->items[i];
        else if (strcmp(k, "data") == 0) jdata = rec->items[i];
        else if (og_load_name_reserved(k))
            return og_error_set(OG_E_VALIDATION, "line %u: graph batch field '%s' is reserved physical state", line, k);
        else
            return og_error_set(OG_E_VALIDATION, "line %u: unknown top-level graph batch field '%s'", line, k);
    }
    if ((jtype != NULL) == (jedge != NULL))
        return og_error_set(OG_E_VALIDATION, "line %u: graph batch record must contain exactly one of 'type' or 'edge'",
                            line);
    if (jtype) {
        if (jtype->kind != OG_LJ_STR)
            return og_error_set(OG_E_VALIDATION, "line %u: field 'type' must be a string", line);
        if (jfrom || jto)
            return og_error_set(OG_E_VALIDATION, "line %u: field '%s' is only allowed on edge records", line,
                                jfrom ? "from" : "to");
        t = og_catalog_find_node(cat, jtype->s);
        if (!t) return og_error_set(OG_E_VALIDATION, "line %u: unknown node type '%s'", line, jtype->s);
        kind_name = "node";
    } else {
        if (jedge->kind != OG_LJ_STR)
            return og_error_set(OG_E_VALIDATION, "line %u: field 'edge' must be a string", line);
        if (!jfrom || jfrom->kind != OG_LJ_STR)
            return og_error_set(OG_E_VALIDATION, "line %u: edge record requires string field 'from'", line);
        if (!jto || jto->kind != OG_LJ_STR)
            return og_error_set(OG_E_VALIDATION, "line %u: edge record requires string field 'to'", line);
        t = og_catalog_find_edge(cat, jedge->s);
        if (!t) return og_error_set(OG_E_VALIDATION, "line %u: unknown edge type '%s'", line, jedge->s);
        kind_name = "edge";
        row.src = jfrom->s;
        row.dst = jto->s;
    }
    if (jdata && jdata->kind != OG_LJ_OBJ)
        return og_error_set(OG_E_VALIDATION, "line %u: field 'data' must be an object", line);

    row.vals = og_arena_calloc(b->arena, (t->n_props ? t->n_props : 1) * sizeof(og_value));
    seen = calloc(t->n_props ? t->n_props : 1, sizeof(bool));
    if (!row.vals || !seen) { rc = og_error_set(OG_E_NOMEM, "out of memory"); goto done; }
    for (size_t i = 0; jdata && i < jdata->n; i++) {
        const char *k = jdata->keys[i];
        int32_t pi;
        if (strcmp(k, "id") == 0) {
            jid = jdata->items[i];
            if (jid->kind != OG_LJ_STR) {
                rc = og_error_set(OG_E_VALIDATION, "line %u: field 'id' must be a string", line);
                goto done;
            }
            continue;
        }
        if (og_load_name_reserved(k)) {
            rc = og_error_set(OG_E_VALIDATION, "line %u: input field '%s' for '%s:%s' is reserved physical state",
                              line, k, kind_name, t->name);
            goto done;
        }
        if (t->kind == OG_KIND_EDGE && (strcmp(k, "src") == 0 || strcmp(k, "dst") == 0)) {
            rc = og_error_set(OG_E_VALIDATION,
                              "line %u: input field '%s' for '%s:%s' is reserved structural state (use 'from'/'to')",
                              line, k, kind_name, t->name);
            goto done;
        }
        pi = og_decl_prop_index(t, k);
        if (pi < 0) {
            rc = og_error_set(OG_E_VALIDATION, "line %u: unknown input field '%s' for '%s:%s'", line, k, kind_name,
                              t->name);
            goto done;
        }
        rc = og_value_from_json(b->arena, &t->props[pi], jdata->items[i], &row.vals[pi]);
        if (rc != OG_OK) {
            og_error_context(rc, "line %u", line);
            goto done;
        }
        seen[pi] = true;
    }
    for (size_t i = 0; i < t->n_props; i++) {
        if (!t->props[i].type.nullable && row.vals[i].kind == OG_VALUE_NULL) {
            rc = og_error_set(OG_E_VALIDATION, "line %u: non-nullable property '%s' has null or invalid values%s",
                              line, t->props[i].name, seen[i] ? "" : " (missing required property)");
            goto done;
        }
    }
    if (t->kind == OG_KIND_NODE && t->key_constraint >= 0) {
        if ((rc = key_id(b->arena, t, row.vals, &row.id)) != OG_OK) {
            og_error_context(rc, "line %u", line);
            goto done;
        }
        if (jid && strcmp(jid->s, row.id) != 0) {
            rc = og_error_set(OG_E_VALIDATION, "line %u: node %s explicit id '%s' does not match its canonical @key id '%s'",
                              line, t->name, jid->s, row.id);
            goto done;
        }
        row.id_supplied = jid != NULL;
    } else if (jid) {
        row.id = jid->s;
        row.id_supplied = true;
    } else if ((rc = fresh_ulid(b->arena, &row.id)) != OG_OK) {
        goto done;
    }
    rc = og_load_table_push(b, &b->tables[t->index], &row);
done:
    free(seen);
    return rc;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v') return false;
    return true;
}

og_status og_load_parse(const og_catalog *cat, const char *text, size_t len,
                        const og_load_limits *limits, og_load_batch **out)
{
    return og_load_parse_at(cat, text, len, limits, 0, out);
}

og_status og_load_parse_at(const og_catalog *cat, const char *text, size_t len,
                           const og_load_limits *limits, uint32_t line_offset, og_load_batch **out)
{
    og_load_batch *b = NULL;
    og_status rc;
    size_t max_line = limits && limits->max_line_bytes ? limits->max_line_bytes : OG_LOAD_MAX_LINE_BYTES;
    size_t max_slots = limits && limits->max_json_slots ? limits->max_json_slots : OG_LOAD_MAX_JSON_SLOTS;
    size_t pos = 0;
    uint32_t line = line_offset;

    *out = NULL;
    if ((rc = og_load_batch_new(cat, &b)) != OG_OK) return rc;
    while (pos < len && rc == OG_OK) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        og_lj *rec = NULL;
        size_t slots = 0;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n > max_line) {
            rc = og_error_set(OG_E_LIMIT, "resource limit exceeded: graph_batch_line_bytes at line %u (limit %zu, actual %zu)",
                              line, max_line, n);
            og_detail_resource_limit("graph_batch_line_bytes", max_line, n);
            break;
        }
        if (blank(s, n)) continue;
        rc = og_lj_parse(b->arena, s, n, max_slots, &rec, &slots);
        if (rc == OG_E_LIMIT) {
            rc = og_error_set(OG_E_LIMIT,
                              "resource limit exceeded: graph_batch_json_structural_slots at line %u (limit %zu, actual > %zu)",
                              line, max_slots, max_slots);
            og_detail_resource_limit("graph_batch_json_structural_slots", max_slots, (uint64_t)max_slots + 1);
            break;
        }
        if (rc == OG_E_PARSE) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", og_error_last()->message);
            rc = og_error_set(rc, "invalid strict JSON at line %u: %s", line, msg);
            break;
        }
        if (rc != OG_OK) break;
        rc = parse_record(b, rec, line, n);
    }
    if (rc != OG_OK) {
        og_load_batch_free(b);
        return rc;
    }
    *out = b;
    return OG_OK;
}
