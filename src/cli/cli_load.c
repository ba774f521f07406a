/* cli_load.c — `omnigraph load [URI] --data <file> --mode
 * overwrite|append|merge [--branch B] [--from BASE] [--json]`
 * (surface.md §3, §4.2).
 * (1) --mode is required; the whole file is one atomic commit, or with
 *     --batch consecutive bounded batches, each one atomic commit, with
 *     `batch i/n: …` progress lines on stderr (direct mode only; a failure
 *     names the failed batch and how many landed).
 * (2) Output: the load result JSON with --json, else the human line
 *     `loaded <uri> on branch <b> with <mode>: N entities across X node
 *     types and Y edge types`.
 * (3) `ingest` (deprecated, hidden) is load with --mode merge and --from
 *     main by default, and also lists the loaded types in its human output. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"
#include "cli_remote.h"

static const cli_flag load_flags[] = {
    {"data", 0, true, false}, {"mode", 0, true, false}, {"branch", 0, true, false},
    {"from", 0, true, false}, {"json", 0, false, false}, {"batch", 0, false, false},
};

/* og_db_batch_fn: one progress line per landed batch on stderr. */
static int batch_progress(void *ud, size_t batch, size_t n, unsigned first, unsigned last, const char *js)
{
    (void)ud;
    json_t *j = json_loads(js, 0, NULL);
    json_t *c = json_object_get(j, "commit");
    fprintf(stderr, "batch %zu/%zu: lines %u-%u, %lld entities, commit %s\n", batch, n, first, last,
            (long long)json_integer_value(json_object_get(j, "total_entities")),
            json_is_object(c) ? json_string_value(json_object_get(c, "graph_commit_id")) : "(none)");
    json_decref(j);
    return 0;
}

static int run_load(int argc, char **argv, bool ingest)
{
    cli_args a;
    char *data = NULL, *out = NULL;
    size_t len = 0;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    if (cli_parse(&a, load_flags, sizeof load_flags / sizeof load_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    if (!cli_get(&a, "data")) { cli_err("load requires --data <file.jsonl>"); return CLI_EXIT_USAGE; }
    const char *mode = cli_get(&a, "mode"), *from = cli_get(&a, "from");
    if (ingest && !mode) mode = "merge";
    if (ingest && !from) from = "main";
    if (!mode) {
        cli_err("load requires --mode overwrite|append|merge");
        return CLI_EXIT_USAGE;
    }
    const char *uri = cli_target(&a, "load", a.npos ? a.pos[0] : NULL);
    if (!uri) return CLI_EXIT_ERR;
    if (!strcmp(mode, "overwrite") &&
        !cli_confirm_destructive(&a, "load --mode overwrite", uri))
        return CLI_EXIT_ERR;
    cli_echo_write(&a, "load", uri);
    data = cli_read_file("data", cli_get(&a, "data"), &len);
    if (!data) goto done;
    if (!(db = cli_open(uri))) goto done;
    int rc;
    if (cli_has(&a, "batch") && cli_remote_active()) {
        cli_err("load --batch is not supported with --server; load each part separately");
        goto done;
    }
    if (cli_has(&a, "batch"))
        rc = og_db_load_batched(db, cli_get(&a, "branch"), from, data, len, mode, cli_actor(&a), batch_progress,
                                NULL, &out);
    else
        rc = cli_db_load(db, cli_get(&a, "branch"), from, data, len, mode, cli_actor(&a), &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) {
        code = cli_print_json(out);
        goto done;
    }
    j = json_loads(out, 0, NULL);
    if (ingest) {
        static const char *const kinds[] = {"nodes", "edges"};
        for (size_t k = 0; k < 2; k++) {
            size_t i;
            json_t *t;
            json_array_foreach(json_object_get(j, kinds[k]), i, t)
                printf("%s type '%s': %lld entities loaded\n", k ? "edge" : "node",
                       json_string_value(json_object_get(t, "name")),
                       (long long)json_integer_value(json_object_get(t, "entities_loaded")));
        }
    }
    printf("loaded %s on branch %s with %s: %lld entities across %zu node types and %zu edge "
           "types\n", uri, json_string_value(json_object_get(j, "branch")),
           json_string_value(json_object_get(j, "mode")),
           (long long)json_integer_value(json_object_get(j, "total_entities")),
           json_array_size(json_object_get(j, "nodes")),
           json_array_size(json_object_get(j, "edges")));
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    free(data);
    return code;
}

int cli_load(int argc, char **argv)
{
    return run_load(argc, argv, false);
}

int cli_ingest(int argc, char **argv)
{
    fprintf(stderr, "warning: `omnigraph ingest` is a deprecated loader command; use "
                    "`omnigraph load --mode merge --from main`\n");
    return run_load(argc, argv, true);
}
