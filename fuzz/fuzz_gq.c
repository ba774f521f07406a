/* fuzz_gq.c — the .gq parser never crashes, leaks or reads out of bounds,
 * whatever the bytes; success and OG_E_PARSE are the only outcomes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "lang/query_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    og_gq_file *f = NULL;
    og_status rc = og_gq_parse((const char *)data, size, &f);
    if (rc != OG_OK && rc != OG_E_PARSE && rc != OG_E_NOMEM) abort();
    if ((rc == OG_OK) != (f != NULL)) abort();
    og_gq_file_free(f);
    return 0;
}
