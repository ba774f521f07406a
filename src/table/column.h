/* column.h — the in-memory column batch the engine moves rows in.
 * (1) An og_column holds `len` values of one og_type; row i is null iff
 *     valid.data[i] == 0 (one byte per row in memory; files use bitmaps).
 * (2) Fixed-width types keep len * width bytes in `data` (a null row holds
 *     zeros); utf8/binary keep their bytes in `data` and len+1 uint64
 *     offsets in `offs`; vectors keep len * dim floats in `data`; lists keep
 *     len+1 uint64 offsets into `child`, a column of the element type whose
 *     values are never null.
 * (3) Every push either appends one whole row or leaves the column unchanged
 *     (OG_E_NOMEM / OG_E_INVALID on a type mismatch).
 * (4) An og_batch owns its columns; all its columns have nrows rows. */
#ifndef OG_TABLE_COLUMN_H
#define OG_TABLE_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"

typedef enum og_type_id {
    OG_TYPE_NONE = 0,
    OG_TYPE_BOOL = 1,
    OG_TYPE_I32 = 2,
    OG_TYPE_I64 = 3,
    OG_TYPE_U32 = 4,
    OG_TYPE_U64 = 5,
    OG_TYPE_F32 = 6,
    OG_TYPE_F64 = 7,
    OG_TYPE_DATE = 8,      /* i32 days since 1970-01-01 */
    OG_TYPE_DATETIME = 9,  /* i64 microseconds since the epoch, UTC */
    OG_TYPE_UTF8 = 10,
    OG_TYPE_BINARY = 11,
    OG_TYPE_VECTOR = 12,   /* fixed-size f32 vector of `dim` elements */
    OG_TYPE_LIST = 13,     /* list of `elem` (utf8, i64 or f64) */
    OG_TYPE_MAX_ = 13
} og_type_id;

typedef struct og_type {
    og_type_id id;
    og_type_id elem;  /* OG_TYPE_LIST only */
    uint32_t dim;     /* OG_TYPE_VECTOR only, >= 1 */
} og_type;

#define OG_VECTOR_DIM_MAX 65536u

/* Canonical text ("i64", "vector(128)", "list<utf8>") and its parser. */
og_status og_type_format(og_type t, og_buf *out);
og_status og_type_parse(const char *s, og_type *out);
bool og_type_valid(og_type t);
bool og_type_eq(og_type a, og_type b);
/* Bytes per value for fixed-width types (bool counts 1), 0 otherwise. */
size_t og_type_width(og_type t);
bool og_type_is_int(og_type_id id);    /* i32 i64 u32 u64 date datetime */
bool og_type_is_float(og_type_id id);  /* f32 f64 */

typedef struct og_column {
    og_type type;
    size_t len;
    size_t null_count;
    og_buf valid;            /* len bytes, 1 = valid */
    og_buf data;
    og_buf offs;             /* (len+1) uint64 for utf8/binary/list */
    struct og_column *child; /* list elements */
} og_column;

og_status og_column_init(og_column *c, og_type t);
void og_column_free(og_column *c);   /* releases memory; c may be reused via init */
og_status og_column_new(og_type t, og_column **out);   /* free with og_column_destroy */
void og_column_destroy(og_column *c);
void og_column_clear(og_column *c);  /* len = 0, keeps type */

og_status og_column_push_null(og_column *c);
og_status og_column_push_bool(og_column *c, bool v);
/* i32/i64/u32/u64/date/datetime (range checked: OG_E_INVALID when it does
 * not fit), and f32/f64 as a convenience. */
og_status og_column_push_i64(og_column *c, int64_t v);
og_status og_column_push_u64(og_column *c, uint64_t v);
og_status og_column_push_f64(og_column *c, double v);     /* f32/f64 */
og_status og_column_push_bytes(og_column *c, const void *p, size_t n); /* utf8/binary */
og_status og_column_push_str(og_column *c, const char *s);
og_status og_column_push_vector(og_column *c, const float *v, uint32_t dim);
/* Lists: push the elements to og_column_child(c), then close the row. */
og_column *og_column_child(og_column *c);
og_status og_column_list_close(og_column *c);
/* Appends row `row` of src (same type) to dst. */
og_status og_column_append_row(og_column *dst, const og_column *src, size_t row);

static inline bool og_column_is_null(const og_column *c, size_t i)
{ return c->valid.data[i] == 0; }
bool og_column_get_bool(const og_column *c, size_t i);
int64_t og_column_get_i64(const og_column *c, size_t i);   /* any int type */
uint64_t og_column_get_u64(const og_column *c, size_t i);  /* any int type */
double og_column_get_f64(const og_column *c, size_t i);    /* float or int */
const char *og_column_get_bytes(const og_column *c, size_t i, size_t *n);
const float *og_column_get_vector(const og_column *c, size_t i);
void og_column_list_range(const og_column *c, size_t i, size_t *begin, size_t *end);
/* True when row i of a and row j of b hold equal values (nulls equal). */
bool og_column_row_eq(const og_column *a, size_t i, const og_column *b, size_t j);

typedef struct og_batch {
    size_t ncols;
    size_t nrows;
    char **names;
    og_column **cols;
} og_batch;

#define OG_BATCH_INIT {0, 0, NULL, NULL}

/* Adds an empty column (owned by the batch); *out (nullable) receives it. */
og_status og_batch_add(og_batch *b, const char *name, og_type t, og_column **out);
/* Adds a column the caller built; the batch takes ownership even on failure. */
og_status og_batch_adopt(og_batch *b, const char *name, og_column *c);
og_column *og_batch_col(const og_batch *b, const char *name);  /* NULL if absent */
/* Checks that every column has the same length and sets nrows. */
og_status og_batch_seal(og_batch *b);
void og_batch_free(og_batch *b);

#endif
