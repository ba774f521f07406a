/* fuzz_pg.c — .pg compile never crashes; whatever compiles round-trips
 * through the IR JSON with the same hash, and plans against itself empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lang/catalog.h"
#include "lang/schema_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_catalog *c = NULL, *d = NULL;
    og_schema_plan *p = NULL;
    og_buf j = OG_BUF_INIT;
    char h1[OG_CATALOG_HASH_HEX], h2[OG_CATALOG_HASH_HEX];
    if (size > 1 << 16) return 0;
    if (og_catalog_compile((const char *)data, size, NULL, "FUZZ", &c) != OG_OK) goto done;
    if (og_catalog_to_ir_json(c, &j) != OG_OK) goto done;
    if (og_catalog_from_ir_json(j.data, j.len, &d) != OG_OK) abort();
    if (og_catalog_ir_hash(c, h1) != OG_OK || og_catalog_ir_hash(d, h2) != OG_OK) goto done;
    if (strcmp(h1, h2)) abort();
    if (og_schema_plan_build(d, (const char *)data, size, false, &p) == OG_OK) {
        if (!p->supported || p->n_steps != 0) abort();
    }
done:
    og_schema_plan_free(p);
    og_buf_free(&j);
    og_catalog_free(c);
    og_catalog_free(d);
    return 0;
}
