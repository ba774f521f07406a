/* json.h — thin helpers over jansson.
 * (1) Parsing reports "line L, column C: <reason>" as OG_E_PARSE.
 * (2) Typed getters fail with OG_E_VALIDATION naming the key and the expected
 *     type; the *_opt variants accept a missing key or null.
 * (3) Dumping is compact with sorted keys, so equal values give equal bytes
 *     (used for content hashes). Integers stay exact 64-bit. */
#ifndef OG_BASE_JSON_H
#define OG_BASE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "status.h"

og_status og_json_parse(const char *text, size_t len, json_t **out);
og_status og_json_dump(const json_t *v, og_buf *out); /* appends */

og_status og_json_get_str(const json_t *obj, const char *key, const char **out);
og_status og_json_get_str_opt(const json_t *obj, const char *key, const char **out); /* NULL if absent */
og_status og_json_get_i64(const json_t *obj, const char *key, int64_t *out);
og_status og_json_get_i64_opt(const json_t *obj, const char *key, int64_t *out, bool *present);
og_status og_json_get_bool(const json_t *obj, const char *key, bool *out);
og_status og_json_get_obj(const json_t *obj, const char *key, json_t **out);
og_status og_json_get_arr(const json_t *obj, const char *key, json_t **out);

#endif
