/* cli_maint.c — the verbs this build recognises but does not run yet
 * (`optimize`, `cleanup`, `graphs list`): they parse their flags and apply
 * the addressing guards of surface.md §4.1 with the reference's wording,
 * so a misaddressed call fails for the right reason, then refuse as not
 * supported yet.
 * (1) optimize and cleanup are direct (storage-native): --server and --as
 *     do not apply, a remote URI needs a server; cleanup is destructive and
 *     needs --yes against a non-local target.
 * (2) graphs list is served: --store and --as do not apply; without a
 *     server scope it says so; with --server URL it lists the server's
 *     graphs (cli_remote.h). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag maint_flags[] = {
    {"json", 0, false, false},    {"keep", 0, true, false},    {"older-than", 0, true, false},
    {"confirm", 0, false, false}, {"force", 0, false, false},  {"uri", 0, true, false},
};

static bool is_http(const char *s)
{
    return s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8));
}

static int direct_guard(const cli_args *a, const char *verb)
{
    const char *pos = a->npos ? a->pos[0] : NULL;
    if (cli_has(a, "server")) {
        cli_err("`%s` is a direct (storage-native) command; --server addresses a served graph "
                "and does not apply. Pass a storage URI, or --cluster <dir> --graph <id>.", verb);
        return 1;
    }
    if (cli_has(a, "as")) {
        cli_err("`%s` is a direct (storage-native) command; --as sets the actor for a "
                "direct-engine or actor-bound cluster operation and does not apply.", verb);
        return 1;
    }
    if (is_http(pos) || is_http(cli_get(a, "store"))) {
        cli_err("`%s` is a direct (storage-native) command and needs direct storage access; it "
                "cannot run against a remote server (%s)", verb, pos ? pos : cli_get(a, "store"));
        return 1;
    }
    return 0;
}

int cli_optimize(int argc, char **argv)
{
    cli_args a;
    if (cli_parse(&a, maint_flags, sizeof maint_flags / sizeof maint_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (direct_guard(&a, "optimize")) return CLI_EXIT_ERR;
    cli_err("`optimize` is not supported yet");
    return CLI_EXIT_ERR;
}

int cli_cleanup(int argc, char **argv)
{
    cli_args a;
    if (cli_parse(&a, maint_flags, sizeof maint_flags / sizeof maint_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (direct_guard(&a, "cleanup")) return CLI_EXIT_ERR;
    const char *uri = a.npos ? a.pos[0] : cli_get(&a, "store");
    if (uri && !cli_confirm_destructive(&a, "cleanup", uri)) return CLI_EXIT_ERR;
    cli_err("`cleanup` is not supported yet");
    return CLI_EXIT_ERR;
}

/* `graphs list --server URL`: one `<graph_id> <uri>` line per graph. */
static int graphs_list(const cli_args *a)
{
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    json_t *j = NULL, *g;
    size_t i;
    if (cli_remote_setup(cli_get(a, "server"), NULL)) goto done;
    int rc = cli_remote_graphs(&out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    json_array_foreach(json_object_get(j, "graphs"), i, g)
        printf("%s %s\n", json_string_value(json_object_get(g, "graph_id")),
               json_string_value(json_object_get(g, "uri")));
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    return code;
}

int cli_graphs(int argc, char **argv)
{
    cli_args a;
    if (argc < 2 || strcmp(argv[1], "list")) {
        cli_err("usage: omnigraph graphs list [--server NAME|URL] [--json]");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&a, maint_flags, sizeof maint_flags / sizeof maint_flags[0], argc, argv, 2))
        return CLI_EXIT_USAGE;
    static const struct { const char *flag, *why; } misplaced[] = {
        {"store", "--store addresses a single graph's storage directly"},
        {"as", "--as sets the actor for a direct-engine or actor-bound cluster operation"},
        {"cluster", "--cluster selects a cluster root for maintenance tooling"},
    };
    for (size_t i = 0; i < sizeof misplaced / sizeof misplaced[0]; i++) {
        if (cli_has(&a, misplaced[i].flag)) {
            cli_err("`graphs list` is a served command; %s and does not apply. Address the "
                    "server with --server <name|url> or --profile <name>.", misplaced[i].why);
            return CLI_EXIT_ERR;
        }
    }
    if (!cli_has(&a, "server") && !cli_has(&a, "profile")) {
        cli_err("`graphs list` needs a server scope: pass --server <name|url> or --profile <name>");
        return CLI_EXIT_ERR;
    }
    if (!cli_has(&a, "server")) {
        cli_err("served graphs through a profile are not supported yet: pass --server <url>");
        return CLI_EXIT_ERR;
    }
    return graphs_list(&a);
}
