/* fuzz_schema_ir.c — the validating reader of `_schema.ir.json`
 * (og_catalog_from_ir_json) on arbitrary bytes.
 * (1) It never crashes, leaks or trips a sanitizer, whatever the input.
 * (2) Whatever loads re-serialises to bytes that load again and re-serialise
 *     to the same bytes (the writer's output is a fixpoint of read + write),
 *     with equal IR and shape hashes. (That canonical IR re-serialises to
 *     exactly itself is pinned by tests/lang/test_corpus.c and
 *     test_schema_ir_reader.c; non-canonical spacing is accepted.)
 * (3) A loaded catalog is safe to use: every lookup, type rendering and key
 *     helper runs on it without reading out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "lang/catalog.h"

static void exercise(const og_catalog *c)
{
    og_buf b = OG_BUF_INIT;
    const og_property *keys[64];
    for (size_t i = 0; i < c->n_types; i++) {
        const og_decl *t = &c->types[i];
        if (og_catalog_find(c, t->kind, t->name) == NULL) abort();
        if (t->kind == OG_KIND_EDGE && (t->from_index >= c->n_types || t->to_index >= c->n_types)) abort();
        (void)og_catalog_find_by_id(c, t->type_id);
        (void)og_decl_key_props(t, keys, sizeof keys / sizeof keys[0]);
        for (size_t k = 0; k < t->n_props; k++) {
            if (og_decl_prop_index(t, t->props[k].name) < 0) abort();
            (void)og_decl_find_prop_by_id(t, t->props[k].prop_id);
            b.len = 0;
            (void)og_prop_type_render(&t->props[k].type, &b);
        }
        for (size_t k = 0; k < t->n_constraints; k++)
            for (size_t m = 0; m < t->constraints[k].n_columns; m++)
                if (t->constraints[k].column_props[m] >= (int32_t)t->n_props) abort();
    }
    og_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_catalog *c = NULL, *d = NULL;
    og_buf j1 = OG_BUF_INIT, j2 = OG_BUF_INIT;
    char h1[OG_CATALOG_HASH_HEX], h2[OG_CATALOG_HASH_HEX];
    if (size > 1 << 16) return 0;
    if (og_catalog_from_ir_json((const char *)data, size, &c) != OG_OK) goto done;
    exercise(c);
    if (og_catalog_to_ir_json(c, &j1) != OG_OK) goto done;
    if (og_catalog_from_ir_json(j1.data, j1.len, &d) != OG_OK) abort();
    if (og_catalog_to_ir_json(d, &j2) != OG_OK) goto done;
    if (j1.len != j2.len || memcmp(j1.data, j2.data, j1.len) != 0) abort();
    if (og_catalog_ir_hash(c, h1) != OG_OK || og_catalog_ir_hash(d, h2) != OG_OK) goto done;
    if (strcmp(h1, h2)) abort();
    if (og_catalog_shape_hash(c, h1) != OG_OK || og_catalog_shape_hash(d, h2) != OG_OK) goto done;
    if (strcmp(h1, h2)) abort();
done:
    og_buf_free(&j1);
    og_buf_free(&j2);
    og_catalog_free(c);
    og_catalog_free(d);
    return 0;
}
