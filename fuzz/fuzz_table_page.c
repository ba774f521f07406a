/* fuzz_table_page.c — the page decoder behind the checksums: any raw page
 * bytes for any column type must decode or fail with an error, never
 * crash or read out of bounds. Input: u8 type, u8 elem, u8 dim, u16 rows,
 * u16 nulls, then the raw page. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "table/fragment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 7) return 0;
    og_type t = {(og_type_id)data[0], (og_type_id)data[1], data[2]};
    uint16_t rows, nulls;
    memcpy(&rows, data + 3, 2);
    memcpy(&nulls, data + 5, 2);
    if (t.id != OG_TYPE_LIST) t.elem = OG_TYPE_NONE;
    if (t.id != OG_TYPE_VECTOR) t.dim = 0;
    if (!og_type_valid(t)) return 0;
    og_column c;
    if (og_column_init(&c, t)) return 0;
    (void)og_fragment_page_decode(data + 7, size - 7, t, rows, nulls, &c);
    og_column_free(&c);
    return 0;
}
