/* db_load.c — og_db_load and og_db_export (surface.md §3): thin wrappers
 * over the engine's bulk loader and exporter.
 * (1) Not wired yet: both fail with OG_E_UNSUPPORTED until the engine's
 *     og_graph_load / og_graph_export land. */
#include "db_internal.h"

int og_db_load(og_db *db, const char *branch, const char *from, const char *ndjson,
               size_t len, const char *mode, const char *actor, char **json_out)
{
    (void)db; (void)branch; (void)from; (void)ndjson; (void)len; (void)mode; (void)actor;
    *json_out = NULL;
    og_error_clear();
    og_api_conflict_reset();
    return og_error_set(OG_E_UNSUPPORTED, "load is not supported yet");
}

int og_db_export(og_db *db, const char *branch, const char *const *types, size_t n,
                 og_db_export_fn cb, void *ud)
{
    (void)db; (void)branch; (void)types; (void)n; (void)cb; (void)ud;
    og_error_clear();
    og_api_conflict_reset();
    return og_error_set(OG_E_UNSUPPORTED, "export is not supported yet");
}
