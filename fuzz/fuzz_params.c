/* fuzz_params.c — params conversion never crashes, leaks or reads out of
 * bounds. Input: a .gq text, a NUL byte, then a JSON params text. When both
 * parse, every query's params are converted; OK and OG_E_VALIDATION are the
 * only outcomes, and every converted name can be looked up. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"
#include "lang/params.h"
#include "lang/query_ast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    og_gq_file *f = NULL;
    json_t *j = NULL;
    size_t gq_len;
    if (!nul) return 0;
    gq_len = (size_t)(nul - data);
    if (og_gq_parse((const char *)data, gq_len, &f) != OG_OK) goto done;
    if (og_json_parse((const char *)nul + 1, size - gq_len - 1, &j) != OG_OK) goto done;
    for (size_t q = 0; q < f->n_queries; q++) {
        og_params *p = NULL;
        og_status rc = og_params_from_json(f->queries[q].params, f->queries[q].n_params, j, &p);
        if (rc != OG_OK && rc != OG_E_VALIDATION && rc != OG_E_NOMEM) abort();
        if ((rc == OG_OK) != (p != NULL)) abort();
        for (size_t i = 0; p && i < p->n; i++) {
            const og_value *v = NULL;
            if (og_params_get(p, p->names[i], &v) != OG_OK || v != &p->values[i]) abort();
        }
        og_params_free(p);
    }
done:
    json_decref(j);
    og_gq_file_free(f);
    return 0;
}
