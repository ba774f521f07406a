/* value.h — a typed runtime value: what a parameter, a predicate operand or a
 * cell holds. It lives in base because both lang and table speak it.
 * (1) One tagged union for the whole project; the tag says which member is
 *     meaningful. Nothing here allocates: the producer (e.g. params.c) owns
 *     the memory strings, lists and vectors point to.
 * (2) Units: DATE is days since 1970-01-01; DATETIME is microseconds since
 *     1970-01-01T00:00:00Z (the one DateTime unit of the project).
 * (3) Integers: signed types (I32, I64) are OG_VALUE_I64; unsigned types
 *     (U32, U64) are OG_VALUE_U64; floats (F32, F64) are OG_VALUE_F64.
 * (4) STRING and BLOB are byte ranges (not necessarily NUL-terminated for
 *     consumers, though producers here always add a NUL). A BLOB parameter
 *     holds the text it was given (a URI or "base64:…"); resolving it to
 *     bytes is the executor's job. */
#ifndef OG_BASE_VALUE_H
#define OG_BASE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum og_value_kind {
    OG_VALUE_NULL = 0,
    OG_VALUE_BOOL,
    OG_VALUE_I64,
    OG_VALUE_U64,
    OG_VALUE_F64,
    OG_VALUE_STRING,
    OG_VALUE_DATE,      /* days */
    OG_VALUE_DATETIME,  /* microseconds */
    OG_VALUE_LIST,
    OG_VALUE_VECTOR,    /* f32[dim] */
    OG_VALUE_BLOB
} og_value_kind;

typedef struct og_value og_value;
struct og_value {
    og_value_kind kind;
    union {
        bool b;
        int64_t i;      /* I64, DATE, DATETIME */
        uint64_t u;     /* U64 */
        double f;       /* F64 */
        struct { const char *ptr; size_t len; } s;       /* STRING, BLOB */
        struct { og_value *items; size_t n; } list;      /* LIST */
        struct { float *v; uint32_t dim; } vec;          /* VECTOR */
    } as;
};

const char *og_value_kind_name(og_value_kind k);
/* Constructors for scalar values; og_val_str borrows s (NUL-terminated). */
static inline og_value og_val_null(void) { og_value x = {0}; x.kind = OG_VALUE_NULL; return x; }
static inline og_value og_val_i64(int64_t v) { og_value x = {0}; x.kind = OG_VALUE_I64; x.as.i = v; return x; }
static inline og_value og_val_u64(uint64_t v) { og_value x = {0}; x.kind = OG_VALUE_U64; x.as.u = v; return x; }
static inline og_value og_val_f64(double v) { og_value x = {0}; x.kind = OG_VALUE_F64; x.as.f = v; return x; }
static inline og_value og_val_bool(bool v) { og_value x = {0}; x.kind = OG_VALUE_BOOL; x.as.b = v; return x; }
static inline og_value og_val_strn(const char *s, size_t n)
{ og_value x = {0}; x.kind = OG_VALUE_STRING; x.as.s.ptr = s; x.as.s.len = n; return x; }
static inline og_value og_val_str(const char *s)
{ size_t n = 0; while (s[n]) n++; return og_val_strn(s, n); }
 /* "null", "bool", ... */

#endif
