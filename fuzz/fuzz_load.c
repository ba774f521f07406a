/* fuzz_load.c — the strict graph-batch reader never crashes or leaks on any
 * input; whatever parses has an id on every row and endpoints on every
 * edge, and planning/validating it in every mode terminates cleanly. The
 * catalog comes from a fixed small schema covering every property type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "graph/load_batch.h"
#include "graph/load_mode.h"
#include "lang/catalog.h"

static const char *SCHEMA =
    "node Person {\n"
    "    name: String @key\n"
    "    email: String? @unique\n"
    "    age: I32?\n"
    "    big: U64?\n"
    "    score: F32?\n"
    "    ratio: F64?\n"
    "    born: Date?\n"
    "    seen: DateTime?\n"
    "    ok: Bool?\n"
    "    tier: enum(free, pro)?\n"
    "    tags: [String]?\n"
    "    nums: [I64]?\n"
    "    emb: Vector(3)?\n"
    "    doc: Blob?\n"
    "    code: String?\n"
    "    @range(age, 0..150)\n"
    "    @check(code, \"^[A-Z]+$\")\n"
    "}\n"
    "node City { name: String  country: String  @key(name, country) }\n"
    "node Note { body: String }\n"
    "edge Knows: Person -> Person { since: Date?  @unique(src, dst) }\n"
    "edge LivesIn: Person -> City @card(0..1)\n";

static og_catalog *cat;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_load_batch *b = NULL;
    og_load_limits lim = {4096, 512};
    if (size > 1 << 16) return 0;
    if (!cat && og_catalog_compile(SCHEMA, strlen(SCHEMA), NULL, "FUZZ", &cat) != OG_OK) abort();
    if (og_load_parse(cat, (const char *)data, size, &lim, &b) != OG_OK) return 0;
    for (size_t i = 0; i < b->n_tables; i++) {
        const og_load_table *t = &b->tables[i];
        for (size_t r = 0; r < t->n_rows; r++) {
            if (!t->rows[r].id) abort();
            if (t->type->kind == OG_KIND_EDGE && (!t->rows[r].src || !t->rows[r].dst)) abort();
        }
    }
    for (int m = 0; m < 3; m++) {
        og_delta d;
        (void)og_load_plan(b, (og_load_mode)m, NULL, &d);
    }
    og_load_batch_free(b);
    return 0;
}
