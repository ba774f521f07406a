/* schema_build.h — lang-internal steps between a .pg syntax tree and a
 * finished og_catalog (not for other layers: use catalog.h).
 * (1) schema_build checks every schema rule of surface.md §1.3–1.7 and
 *     fills a catalog with ids all zero.
 * (2) schema_resolve_ids gives that catalog identities (internals §6.1),
 *     fresh or inherited from an accepted catalog.
 * (3) Types and properties are built mutable here and published through
 *     the const pointers of catalog.h. */
#ifndef OG_LANG_SCHEMA_BUILD_H
#define OG_LANG_SCHEMA_BUILD_H

#include "catalog.h"
#include "pg_ast.h"

/* Fills cat->types / counts from the tree; allocates from cat->arena.
 * Errors: OG_E_PARSE (schema rules; no position prefix, like the
 * reference's semantic errors), OG_E_NOMEM. */
og_status schema_build(og_catalog *cat, const pg_file *f);

/* Assigns type/property/incarnation ids. accepted may be NULL. Errors:
 * OG_E_VALIDATION for invalid @rename_from hints, OG_E_LIMIT when the
 * allocator would overflow. */
og_status schema_resolve_ids(og_catalog *cat, const og_catalog *accepted);

/* Recomputes derived links after types[] is final: index fields,
 * from/to indices, key_constraint, column_props, satisfies sets. */
og_status schema_link(og_catalog *cat);

/* Allocates an empty catalog with its own arena. */
og_status schema_catalog_new(og_catalog **out);

#endif
