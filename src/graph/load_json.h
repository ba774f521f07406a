/* load_json.h — the strict JSON reader of the graph-batch loader
 * (surface.md §3.1).
 * (1) Exactly one JSON value per call; anything but whitespace after it is
 *     an error ("trailing characters").
 * (2) Duplicate object members are rejected at every depth, naming the
 *     member ("duplicate JSON member 'x'").
 * (3) Numbers keep their source spelling (no precision lost: U64 beyond
 *     i64, floats converted by the consumer at the target width).
 * (4) Every value and every member key counts as one structural slot; more
 *     than `max_slots` is OG_E_LIMIT. Nesting depth is bounded (128), so
 *     hostile input cannot exhaust the stack.
 * (5) Strings are decoded (escapes, surrogate pairs), must be valid UTF-8,
 *     and are NUL-terminated copies in the arena (len excludes the NUL).
 * Errors: OG_E_PARSE with a reason without position prefix (callers add
 * "line N"), OG_E_LIMIT, OG_E_NOMEM. All memory comes from the arena. */
#ifndef OG_GRAPH_LOAD_JSON_H
#define OG_GRAPH_LOAD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"

#define OG_LOAD_JSON_MAX_DEPTH 128

typedef enum og_lj_kind {
    OG_LJ_NULL = 0,
    OG_LJ_BOOL,
    OG_LJ_NUM,
    OG_LJ_STR,
    OG_LJ_ARR,
    OG_LJ_OBJ
} og_lj_kind;

typedef struct og_lj og_lj;
struct og_lj {
    og_lj_kind kind;
    bool b;              /* BOOL */
    bool num_is_int;     /* NUM: no fraction and no exponent */
    const char *s;       /* STR: decoded text; NUM: source spelling */
    size_t len;
    size_t n;            /* ARR / OBJ: number of items / members */
    og_lj **items;       /* ARR items / OBJ member values, source order */
    const char **keys;   /* OBJ member names (decoded, NUL-terminated) */
};

/* Parses text[0..len) into *out. `slots_out` (may be NULL) receives the
 * structural slot count even when the limit was hit. */
og_status og_lj_parse(og_arena *a, const char *text, size_t len,
                      size_t max_slots, og_lj **out, size_t *slots_out);

/* Member lookup by exact name (NULL when absent). */
const og_lj *og_lj_get(const og_lj *obj, const char *key);

/* Appends a compact rendering of v (strings quoted and escaped, numbers in
 * their source spelling), for messages. */
og_status og_lj_render(const og_lj *v, og_buf *out);

#endif
