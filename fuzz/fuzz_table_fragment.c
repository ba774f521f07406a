/* fuzz_table_fragment.c — the fragment file reader must reject any byte
 * string with an error (never crash, leak or read out of bounds). The
 * input is read as is, then again with the footer checksum in the tail
 * recomputed, so the footer validation behind the checksum is reached. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include "table/fragment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size)
{
    og_fragment_reader *r = NULL;
    if (og_fragment_open_mem(data, size, &r)) return;
    for (uint32_t c = 0; c < og_fragment_ncols(r); c++) {
        og_column col;
        if (og_column_init(&col, og_fragment_col(r, c)->type)) continue;
        for (uint32_t p = 0; p < og_fragment_npages(r); p++)
            if (og_fragment_read_page(r, c, p, &col)) break;
        og_column_free(&col);
    }
    og_fragment_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all(data, size);
    if (size < 8 + OG_FRAG_TAIL_LEN) return 0;
    uint8_t *copy = malloc(size);
    if (!copy) return 0;
    memcpy(copy, data, size);
    uint64_t foff;
    uint32_t flen;
    memcpy(&foff, copy + size - OG_FRAG_TAIL_LEN, 8);
    memcpy(&flen, copy + size - OG_FRAG_TAIL_LEN + 8, 4);
    if (foff <= size && flen <= size - foff) {
        uint64_t sum = XXH64(copy + foff, flen, 0);
        memcpy(copy + size - OG_FRAG_TAIL_LEN + 12, &sum, 8);
        read_all(copy, size);
    }
    free(copy);
    return 0;
}
