/* fuzz_failpoint_spec.c — og_failpoint_parse_spec on arbitrary text: it must
 * either fail with OG_E_INVALID arming nothing, or succeed; never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/failpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    if (!spec) return 0;
    memcpy(spec, data, size);
    spec[size] = 0;
    og_failpoint_disarm_all();
    og_status rc = og_failpoint_parse_spec(spec);
    if (rc != OG_OK && rc != OG_E_INVALID) abort();
    if (rc == OG_E_INVALID && __atomic_load_n(&og_failpoint_armed_count_, __ATOMIC_RELAXED) != 0)
        abort();
    /* Nothing is evaluated: an armed `exit` point would end the fuzzer. */
    og_failpoint_disarm_all();
    free(spec);
    return 0;
}
