/* params.h — converts a JSON params object into typed values for one query
 * (surface.md §2.3), with the reference's error messages.
 * (1) Pure: no I/O. Errors are OG_E_VALIDATION with the message, e.g.
 *     "param 'n': value 3000000000 exceeds I32", "params must be a JSON object",
 *     "param 'x': null is not accepted for non-nullable parameter".
 * (2) Keys are visited in sorted order, so the first error is deterministic.
 *     Declared params are converted to their declared type; keys not declared
 *     are accepted and type-inferred (string, bool, integer → I64, other
 *     number → F64, array → list, null); an object value is refused.
 * (3) An omitted nullable param is present as NULL; an omitted non-nullable
 *     param is absent, and og_params_get() reports "parameter 'x' not
 *     provided" only when the query actually asks for it.
 * (4) JSON null or a missing object (json == NULL) means "no params".
 * (5) Everything (names, strings, lists, vectors) lives in the set's arena,
 *     freed by og_params_free(). */
#ifndef OG_LANG_PARAMS_H
#define OG_LANG_PARAMS_H

#include <jansson.h>
#include <stddef.h>
#include "base/arena.h"
#include "base/status.h"
#include "lang/query_ast.h"
#include "base/value.h"

typedef struct og_params {
    const char **names;     /* sorted by name (strcmp) */
    og_value *values;
    bool *declared;         /* the query declares names[i] */
    size_t n;
    og_arena *arena;        /* owns everything above and the set itself */
} og_params;

/* Converts json against the declared params decl[0..n_decl). On success *out
 * is a new set (caller frees with og_params_free); on failure *out is NULL. */
og_status og_params_from_json(const og_gq_param *decl, size_t n_decl, const json_t *json,
                              og_params **out);

/* The value of `name` (without '$'): OG_E_VALIDATION
 * "parameter 'name' not provided" when absent (3). */
og_status og_params_get(const og_params *p, const char *name, const og_value **out);

void og_params_free(og_params *p);

#endif
