/* value_convert.h — strict conversion of a JSON input value to a typed
 * og_value for one property (surface.md §1.4, §3.1).
 * (1) JSON null converts to OG_VALUE_NULL for every type; whether null is
 *     allowed is the caller's decision (nullability is per row).
 * (2) Nothing is coerced: a value of the wrong JSON kind, an integer out of
 *     the column's range, a float that leaves the F32 range when narrowed,
 *     an invalid date or base64 payload is OG_E_VALIDATION, with the
 *     reference's wording ("strict property 'p' expects Int32, got \"x\"").
 * (3) Units follow base/value.h: Date in days, DateTime in microseconds
 *     (input epoch-ms and ISO text are truncated to milliseconds, the
 *     stored Date64 precision); I32/I64 -> I64, U32/U64 -> U64,
 *     F32/F64 -> F64 (F32 already narrowed).
 * (4) Enum values convert as strings; membership is checked by validate.c.
 * (5) Blob keeps the input text (a "base64:" payload, checked here, or an
 *     external URI); fetching/decoding is the writer's job.
 * All memory of *out comes from the arena. */
#ifndef OG_GRAPH_VALUE_CONVERT_H
#define OG_GRAPH_VALUE_CONVERT_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"
#include "lang/catalog.h"
#include "base/value.h"
#include "load_json.h"

og_status og_value_from_json(og_arena *a, const og_property *p, const og_lj *v,
                             og_value *out);

/* Arrow logical spelling of a property type, as the messages name it
 * ("Int32", "Utf8", "List(Int64)", "FixedSizeList(Float32, 3)"). */
og_status og_value_arrow_name(const og_prop_type *t, og_buf *out);

/* Canonical key spelling of a converted scalar (surface.md §1.8): strings
 * verbatim, integers decimal, bool, Date as days, DateTime as epoch-ms,
 * floats shortest round-trip at `t`'s width. Appends to out. */
og_status og_value_canon_key(const og_prop_type *t, const og_value *v, og_buf *out);

/* Renders a scalar value for messages (strings unquoted). Appends. */
og_status og_value_render(const og_value *v, og_buf *out);

/* Equality of two converted values (same kind; floats bitwise-equal after
 * -0 == +0; NaN never equal). Used for uniqueness tuples. */
bool og_value_equal(const og_value *a, const og_value *b);

/* Days since 1970-01-01 for a proleptic Gregorian date; false if invalid. */
bool og_value_civil_days(int64_t y, int m, int d, int64_t *days);

#endif
