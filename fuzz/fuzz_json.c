/* fuzz_json.c — og_json_parse then og_json_dump then reparse: the reparsed
 * value must equal the first and dumping it again must give the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *a = NULL, *b = NULL;
    og_buf d1 = OG_BUF_INIT, d2 = OG_BUF_INIT;
    if (og_json_parse((const char *)data, size, &a) != OG_OK) goto done;
    if (og_json_dump(a, &d1) != OG_OK) abort();
    if (og_json_parse(d1.data, d1.len, &b) != OG_OK) abort();
    if (!json_equal(a, b)) abort();
    if (og_json_dump(b, &d2) != OG_OK) abort();
    if (d1.len != d2.len || memcmp(d1.data, d2.data, d1.len) != 0) abort();
done:
    json_decref(a);
    json_decref(b);
    og_buf_free(&d1);
    og_buf_free(&d2);
    return 0;
}
