/* fragment.h — immutable columnar fragment files (docs/format.md §2).
 * (1) A file is: header (magic "OGFR", u32 format version), pages, footer,
 *     fixed 28-byte tail that locates and checksums the footer.
 * (2) Every column is cut into pages of the same row ranges (page_rows
 *     rows each, the last one shorter), so page i covers the same rows in
 *     every column; each page is zstd-compressed and carries an xxhash64 of
 *     its compressed bytes, its null count and min/max statistics.
 * (3) A reader validates the tail, the footer checksum and every bound in
 *     the footer before use, and a page's checksum and layout before
 *     decoding it; any failure is OG_E_CORRUPT, never a crash. A newer
 *     format version is refused naming both versions.
 * (4) A store-backed reader fetches the footer with ranged GETs and then
 *     only the pages it is asked for. */
#ifndef OG_TABLE_FRAGMENT_H
#define OG_TABLE_FRAGMENT_H

#include <stdbool.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"
#include "store/store.h"
#include "column.h"

#define OG_FRAG_MAGIC "OGFR"
#define OG_FRAG_VERSION 1u
#define OG_FRAG_TAIL_LEN 28u
#define OG_FRAG_DEFAULT_PAGE_ROWS 1024u
#define OG_FRAG_MAX_PAGE_RAW (256u << 20)

typedef enum og_stats_kind {
    OG_STATS_NONE = 0, OG_STATS_I64 = 1, OG_STATS_U64 = 2, OG_STATS_F64 = 3, OG_STATS_BYTES = 4
} og_stats_kind;

#define OG_STATS_BYTES_MAX 64u

typedef struct og_stats {
    og_stats_kind kind;
    int64_t imin, imax;
    uint64_t umin, umax;
    double fmin, fmax;
    const char *bmin, *bmax;   /* point into the reader's footer */
    size_t bmin_len, bmax_len;
} og_stats;

typedef struct og_frag_page {
    uint64_t off;
    uint32_t comp_len, raw_len;
    uint32_t nrows, null_count;
    uint64_t row_start;
    uint64_t checksum;
    og_stats stats;
} og_frag_page;

typedef struct og_frag_col {
    uint32_t field_id;
    og_type type;
    uint32_t npages;
    og_frag_page *pages;
} og_frag_col;

typedef struct og_frag_field {
    uint32_t field_id;
    const og_column *col;
} og_frag_field;

/* Encodes columns (all of equal length) into a fragment file in out
 * (appended). page_rows 0 means OG_FRAG_DEFAULT_PAGE_ROWS. */
og_status og_fragment_encode(const og_frag_field *fields, size_t nfields,
                             uint32_t page_rows, og_buf *out);

typedef struct og_fragment_reader og_fragment_reader;

/* Opens a fragment from a store object of known size (2 ranged GETs). */
og_status og_fragment_open(og_store *s, const char *key, uint64_t size, og_fragment_reader **out);
/* The same for a fragment stored at `offset` inside the object (a pack of
 * fragments, docs/format.md §4.1); its page offsets are relative to it. */
og_status og_fragment_open_at(og_store *s, const char *key, uint64_t offset, uint64_t size,
                              og_fragment_reader **out);
/* A reader over its own copy of p[0..n) (an inline fragment): no store. */
og_status og_fragment_open_copy(const void *p, size_t n, og_fragment_reader **out);
/* Opens a fragment held in memory (the bytes must outlive the reader);
 * also checks the header. */
/* A store-backed reader of the object `key` whose bytes the caller holds
 * (it just wrote them): the footer is taken from p (n bytes, copied), pages
 * are read from the store later. No store call. */
og_status og_fragment_open_written(og_store *s, const char *key, const void *p, size_t n,
                                   og_fragment_reader **out);
og_status og_fragment_open_mem(const void *p, size_t n, og_fragment_reader **out);
void og_fragment_close(og_fragment_reader *r);

uint64_t og_fragment_nrows(const og_fragment_reader *r);
uint32_t og_fragment_ncols(const og_fragment_reader *r);
const og_frag_col *og_fragment_col(const og_fragment_reader *r, uint32_t i);
/* Index of the column with field_id, or -1. */
int og_fragment_find(const og_fragment_reader *r, uint32_t field_id);
/* Number of pages (equal in every column). */
uint32_t og_fragment_npages(const og_fragment_reader *r);
/* Fetches, verifies and decodes one page, appending its rows to dst
 * (initialised with the column's type). */
og_status og_fragment_read_page(og_fragment_reader *r, uint32_t col, uint32_t page, og_column *dst);
/* Validates and decodes one raw (decompressed) page of `nrows` rows with
 * `null_count` nulls, appending to dst (type t). OG_E_CORRUPT on any
 * inconsistency; dst may then hold a partial page. Exposed for fuzzing. */
og_status og_fragment_page_decode(const void *raw, size_t len, og_type t, uint32_t nrows,
                                  uint32_t null_count, og_column *dst);
/* Decoded-page memo of a reader (readers live in a handle's cache, so a
 * warm handle decodes a page once): og_fragment_page_memo returns the kept
 * decoded page or NULL; og_fragment_page_keep moves *c (a whole decoded
 * page) into the reader and returns the kept copy, or NULL (c untouched)
 * when the reader's budget (OG_FRAG_MEMO_BYTES) is spent. Kept pages are
 * read-only and live until the reader is closed. */
#define OG_FRAG_MEMO_BYTES (96u << 20)
const og_column *og_fragment_page_memo(const og_fragment_reader *r, uint32_t col, uint32_t page);
const og_column *og_fragment_page_keep(og_fragment_reader *r, uint32_t col, uint32_t page, og_column *c);
/* Reads a whole column into dst (initialised with the column's type). */
og_status og_fragment_read_column(og_fragment_reader *r, uint32_t col, og_column *dst);

#endif
