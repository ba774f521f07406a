/* yaml_doc.h — small read-only helpers over a libyaml document tree.
 * (1) Loading reports "<what>: line L, column C: <problem>" as OG_E_PARSE.
 * (2) Lookups never fail: they return NULL for a missing key or wrong kind;
 *     callers validate shapes and name the offending key. */
#ifndef OG_SERVER_YAML_DOC_H
#define OG_SERVER_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>
#include "base/status.h"

og_status og_yaml_load(const char *text, size_t len, const char *what, yaml_document_t *doc);
yaml_node_t *og_yaml_root(yaml_document_t *doc);
/* Value of key in a mapping node, or NULL. */
yaml_node_t *og_yaml_get(yaml_document_t *doc, yaml_node_t *map, const char *key);
/* NUL-terminated scalar text, or NULL if n is not a scalar. */
const char *og_yaml_str(yaml_node_t *n);
/* The i-th item of a sequence, or NULL. */
yaml_node_t *og_yaml_item(yaml_document_t *doc, yaml_node_t *seq, size_t i);
size_t og_yaml_len(yaml_node_t *seq);
/* If map has a key not listed in allowed (NULL-terminated), returns it. */
const char *og_yaml_unknown_key(yaml_document_t *doc, yaml_node_t *map, const char *const *allowed);
/* Reads a whole file (NUL-terminated, at most 16 MiB). Caller frees. */
og_status og_yaml_read_file(const char *path, char **out, size_t *len);

#endif
