/* internal.h — what the files of src/graph share and other layers must not
 * see: object-key builders and the strict JSON field readers.
 * (1) Every key of the graph manifest is built here, so the layout of
 *     docs/graph-design.md §1 is written down once.
 * (2) The og_gdec_* readers fail with OG_E_CORRUPT naming the object and
 *     the field path ("tables[2].version"); they never coerce types. */
#ifndef OG_GRAPH_INTERNAL_H
#define OG_GRAPH_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "base/ulid.h"

#define OG_GRAPH_MANIFEST_DIR "__manifest/"
#define OG_GRAPH_REFS_PREFIX "__manifest/refs/"
#define OG_GRAPH_CHAINS_PREFIX "__manifest/chains/"
#define OG_GRAPH_COMMITS_PREFIX "__manifest/commits/"

/* Key builders: out is cleared first. */
og_status og_graph_key_ref(og_buf *out, const char *branch);
og_status og_graph_key_chain(og_buf *out, const char *uid);          /* ".../v/" prefix */
og_status og_graph_key_version(og_buf *out, const char *uid, uint64_t version);
og_status og_graph_key_commit(og_buf *out, const char *commit_id);
/* Parses the version number out of a version key listed under the chain
 * prefix of uid; OG_E_CORRUPT when the key does not have the exact form. */
og_status og_graph_key_version_parse(const char *key, const char *uid, uint64_t *version);

/* Strict readers. `obj` names the stored object, `path` the enclosing field
 * path ("" at top level). */
og_status og_gdec_object(const char *obj, const char *path, const json_t *v,
                         const char *const *allowed);
og_status og_gdec_str(const char *obj, const char *path, const json_t *o, const char *key,
                      bool nullable, const char **out);
og_status og_gdec_u64(const char *obj, const char *path, const json_t *o, const char *key,
                      uint64_t *out);
og_status og_gdec_i64(const char *obj, const char *path, const json_t *o, const char *key,
                      int64_t *out);
/* A ULID field; nullable ones give "" for null. */
og_status og_gdec_ulid(const char *obj, const char *path, const json_t *o, const char *key,
                       bool nullable, char out[OG_ULID_LEN + 1]);
/* Checks the `format` field against the highest this build reads. */
og_status og_gdec_format(const char *obj, const json_t *o, const char *key, int64_t supported);

/* Re-labels the thread's current error as corruption of obj:
 * "corrupt manifest object `obj`: <prefix><previous message>". */
og_status og_gerr_corrupt(const char *obj, const char *prefix);

/* strdup that reports OG_E_NOMEM; NULL in gives NULL out and OG_OK. */
og_status og_gstrdup(const char *s, char **out);

/* Builds a JSON object field by field; any failure sticks in *rc. */
void og_genc_str(json_t *o, const char *key, const char *s, og_status *rc); /* NULL -> null */
void og_genc_int(json_t *o, const char *key, int64_t v, og_status *rc);
void og_genc_set(json_t *o, const char *key, json_t *v, og_status *rc);     /* steals v */

#endif
