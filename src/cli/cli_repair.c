/* cli_repair.c — `omnigraph repair [URI] [--confirm] [--force] [--json]`
 * (surface.md §4.2, §4.4; og_db_repair).
 * (1) A direct (storage-native) verb: --server, --as and remote URIs are
 *     refused with the wording of the other maintenance verbs.
 * (2) Preview by default; --force requires --confirm (usage error).
 * (3) Human output: `repair: <preview|confirm> mode, N datasets`, one line
 *     per dataset (`node type 'Person': no_drift, action no_op, published
 *     3, head 3`), then the commit when one was published.
 * (4) Exit 1 when any dataset was refused (the JSON is still printed). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag repair_flags[] = {
    {"confirm", 0, false, false}, {"force", 0, false, false}, {"json", 0, false, false},
    {"uri", 0, true, false},
};


static void print_human(const json_t *j, bool confirm)
{
    json_t *ds = json_object_get(j, "datasets"), *d;
    size_t i;
    printf("repair: %s mode, %zu datasets\n", confirm ? "confirm" : "preview", json_array_size(ds));
    json_array_foreach(ds, i, d) {
        const char *key = json_string_value(json_object_get(d, "type_key"));
        const char *colon = key ? strchr(key, ':') : NULL;
        printf("  %.*s type '%s': %s, action %s, published %lld, head %lld",
               colon ? (int)(colon - key) : 0, key ? key : "", colon ? colon + 1 : (key ? key : "?"),
               json_string_value(json_object_get(d, "classification")),
               json_string_value(json_object_get(d, "action")),
               (long long)json_integer_value(json_object_get(d, "published_dataset_version")),
               (long long)json_integer_value(json_object_get(d, "lance_head_version")));
        json_t *ops = json_object_get(d, "operations"), *op;
        size_t k;
        json_array_foreach(ops, k, op) printf("%s%s", k ? ", " : " (operations: ", json_string_value(op));
        if (json_array_size(ops)) printf(")");
        const char *err = json_string_value(json_object_get(d, "error"));
        if (err) printf(" [%s]", err);
        printf("\n");
    }
    json_t *v = json_object_get(j, "graph_manifest_version");
    if (json_is_integer(v))
        printf("published graph commit %s (graph_manifest_version %lld)\n",
               json_string_value(json_object_get(j, "graph_commit_id")), (long long)json_integer_value(v));
    else
        printf("nothing published\n");
}

int cli_repair(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    if (cli_parse(&a, repair_flags, sizeof repair_flags / sizeof repair_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    if (cli_direct_guard(&a, "repair")) return CLI_EXIT_ERR;
    bool confirm = cli_has(&a, "confirm"), force = cli_has(&a, "force");
    if (force && !confirm) { cli_err("repair --force requires --confirm"); return CLI_EXIT_USAGE; }
    const char *uri = cli_target(&a, "repair", a.npos ? a.pos[0] : NULL);
    if (!uri) goto done;
    if (confirm) cli_echo_write(&a, "repair", uri);
    if (!(db = cli_open(uri))) goto done;
    int rc = og_db_repair(db, confirm, force, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    j = json_loads(out, 0, NULL);
    bool refused = json_is_true(json_object_get(j, "refused"));
    if (cli_has(&a, "json")) {
        code = cli_print_json(out);
    } else {
        print_human(j, confirm);
        code = CLI_EXIT_OK;
    }
    if (refused) {
        cli_err("repair refused suspicious or unverifiable drift; inspect it, then pass --force --confirm "
                "to publish it anyway");
        code = CLI_EXIT_ERR;
    }
done:
    json_decref(j);
    og_free(out);
    og_db_close(db);
    return code;
}
