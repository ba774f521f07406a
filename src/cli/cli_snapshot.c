/* cli_snapshot.c — `omnigraph snapshot [URI] [--branch B] [--json]`
 * (surface.md §4.2): the pinned manifest of a branch head.
 * (1) --json prints SnapshotOutput; the human form is `key: value` lines
 *     for the graph, then one line per dataset in the same vocabulary
 *     (`node type 'Person' published_dataset_version=...`). */
#include <jansson.h>
#include <stdio.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag snapshot_flags[] = {
    {"branch", 0, true, false}, {"json", 0, false, false},
};

int cli_snapshot(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    if (cli_parse(&a, snapshot_flags, sizeof snapshot_flags / sizeof snapshot_flags[0], argc,
                  argv, 1))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    const char *uri = cli_target(&a, "snapshot", a.npos ? a.pos[0] : NULL);
    if (!uri || !(db = cli_open_read(uri))) goto done;
    int rc = cli_db_snapshot(db, cli_get(&a, "branch"), &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    const char *b = json_string_value(json_object_get(j, "graph_branch"));
    printf("graph_branch: %s\ngraph_manifest_version: %lld\ninternal_schema_version: %lld\n",
           b ? b : "main",
           (long long)json_integer_value(json_object_get(j, "graph_manifest_version")),
           (long long)json_integer_value(json_object_get(j, "internal_schema_version")));
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(j, "datasets"), i, d) {
        const char *nb = json_string_value(json_object_get(d, "native_dataset_branch"));
        printf("%s type '%s' published_dataset_version=%lld native_dataset_branch=%s "
               "entities=%lld dataset_path=%s\n",
               json_string_value(json_object_get(d, "entity_kind")),
               json_string_value(json_object_get(d, "type_name")),
               (long long)json_integer_value(json_object_get(d, "published_dataset_version")),
               nb ? nb : "main",
               (long long)json_integer_value(json_object_get(d, "entity_count")),
               json_string_value(json_object_get(d, "dataset_path")));
    }
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    return code;
}
