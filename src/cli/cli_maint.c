/* cli_maint.c — `optimize`, `cleanup` (surface.md §4.2), the automatic
 * maintenance after local writes, and `graphs list`.
 * (1) optimize and cleanup are direct (storage-native): --server and --as
 *     do not apply, a remote URI needs a server; cleanup is destructive and
 *     needs --yes against a non-local target. Both echo the write target.
 * (2) cleanup needs --keep N and/or --older-than DUR (units s m h d w);
 *     without --confirm it previews (deletes nothing, exit 0). --keep below
 *     3 leaves concurrent readers' snapshots unsafe: without --force it is
 *     raised to 3 with a warning (the reference accepts --keep 1, so it is
 *     not refused). Versions younger than a minute stay (a writer still
 *     running could otherwise re-create a freed version number), and so
 *     do unreferenced files younger than an hour (a running writer's
 *     staged files); --force lifts both: it asserts a quiesced graph.
 * (3) After a successful local load or mutation, closing the graph runs
 *     og_db_maintain on the written branch (it only works when a table
 *     reached the fragment threshold); --no-auto-maintenance or
 *     OMNIGRAPH_AUTO_MAINTENANCE=0 turns it off. Its failure is a warning:
 *     the write already succeeded.
 * (4) graphs list is served: --store and --as do not apply; without a
 *     server scope it says so; with --server URL it lists the server's
 *     graphs (cli_remote.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

bool cli_auto_maintenance_off;
static bool g_wrote;
static char g_wrote_branch[256];

void cli_maint_note_write(const char *branch)
{
    g_wrote = true;
    snprintf(g_wrote_branch, sizeof g_wrote_branch, "%s", branch ? branch : "");
}

void cli_maint_before_close(og_db *db)
{
    const char *env = getenv("OMNIGRAPH_AUTO_MAINTENANCE");
    if (!g_wrote || cli_auto_maintenance_off || (env && !strcmp(env, "0"))) return;
    g_wrote = false;
    char *out = NULL;
    if (og_db_maintain(db, g_wrote_branch[0] ? g_wrote_branch : NULL, 0, &out))
        fprintf(stderr, "warning: automatic maintenance skipped: %s\n", og_errmsg());
    og_free(out);
}

static const cli_flag maint_flags[] = {
    {"json", 0, false, false},    {"keep", 0, true, false},    {"older-than", 0, true, false},
    {"confirm", 0, false, false}, {"force", 0, false, false},  {"uri", 0, true, false},
    {"branch", 0, true, false},
};


/* "node:Person" -> "node type 'Person'". */
static void dataset_name(const char *key, char *out, size_t n)
{
    const char *c = strchr(key, ':');
    if (!strcmp(key, "__manifest")) snprintf(out, n, "graph manifest");
    else if (c) snprintf(out, n, "%.*s type '%s'", (int)(c - key), key, c + 1);
    else snprintf(out, n, "table '%s'", key);
}

static long long jint(const json_t *o, const char *k) { return (long long)json_integer_value(json_object_get(o, k)); }

static void print_optimize(const char *uri, const json_t *j)
{
    const json_t *ds = json_object_get(j, "datasets"), *d;
    size_t i, committed = 0;
    json_array_foreach(ds, i, d) committed += json_is_true(json_object_get(d, "committed"));
    printf("optimized %s on branch %s: %zu datasets, %zu compacted", uri,
           json_string_value(json_object_get(j, "branch")), json_array_size(ds), committed);
    if (json_is_true(json_object_get(j, "published")))
        printf(", graph commit %s (manifest version %lld)",
               json_string_value(json_object_get(j, "graph_commit_id")), jint(j, "graph_manifest_version"));
    printf("\n");
    json_array_foreach(ds, i, d) {
        char name[300];
        dataset_name(json_string_value(json_object_get(d, "type_key")), name, sizeof name);
        if (json_is_true(json_object_get(d, "committed")))
            printf("  %s: %lld fragments rewritten into %lld (version %lld)\n", name, jint(d, "fragments_removed"),
                   jint(d, "fragments_added"), jint(d, "published_dataset_version"));
        else if (json_is_true(json_object_get(d, "skipped")))
            printf("  %s: skipped: %s\n", name, json_string_value(json_object_get(d, "skip_reason")));
        else
            printf("  %s: nothing to compact\n", name);
        size_t k;
        const json_t *p;
        json_array_foreach(json_object_get(d, "pending_indexes"), k, p)
            printf("    index pending on property '%s': %s\n", json_string_value(json_object_get(p, "property")),
                   json_string_value(json_object_get(p, "reason")));
    }
}

int cli_optimize(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    if (cli_parse(&a, maint_flags, sizeof maint_flags / sizeof maint_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (cli_direct_guard(&a, "optimize")) return CLI_EXIT_ERR;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    const char *uri = cli_target(&a, "optimize", a.npos ? a.pos[0] : NULL);
    if (!uri) return CLI_EXIT_ERR;
    cli_echo_write(&a, "optimize", uri);
    if (!(db = cli_open(uri))) goto done;
    int rc = og_db_optimize(db, cli_get(&a, "branch"), cli_actor(&a), &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    if (!(j = json_loads(out, 0, NULL))) goto done;
    print_optimize(uri, j);
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    og_db_close(db);
    return code;
}

/* "7d", "0s", "90" (seconds) -> seconds; -1 when malformed. */
static long long parse_duration(const char *s)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0) return -1;
    long long mul = 1;
    if (*end) {
        if (end[1]) return -1;
        switch (*end) {
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        case 'w': mul = 604800; break;
        default: return -1;
        }
    }
    if (v > (1LL << 40)) return -1;
    return v * mul;
}

int cli_cleanup(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    unsigned long long keep = 0;
    long long older = -1;
    if (cli_parse(&a, maint_flags, sizeof maint_flags / sizeof maint_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (cli_direct_guard(&a, "cleanup")) return CLI_EXIT_ERR;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    const char *uri0 = a.npos ? a.pos[0] : cli_get(&a, "store");
    if (uri0 && !cli_confirm_destructive(&a, "cleanup", uri0)) return CLI_EXIT_ERR;
    if (!cli_has(&a, "keep") && !cli_has(&a, "older-than")) {
        cli_err("cleanup requires a retention policy: --keep N and/or --older-than DUR (e.g. --keep 10, "
                "--older-than 7d)");
        return CLI_EXIT_USAGE;
    }
    if (cli_has(&a, "keep")) {
        char *end = NULL;
        const char *k = cli_get(&a, "keep");
        errno = 0;
        keep = strtoull(k, &end, 10);
        if (errno || end == k || *end || k[0] == '-') { cli_err("--keep expects a number, got '%s'", k); return CLI_EXIT_USAGE; }
        if (keep < 3 && !cli_has(&a, "force")) {
            fprintf(stderr, "warning: --keep %llu would leave concurrent readers' snapshots unsafe; keeping 3 "
                            "versions (pass --force to keep fewer)\n", keep);
            keep = 3;
        }
        if (keep == 0) keep = 1; /* the latest version always stays */
    }
    if (cli_has(&a, "older-than") && (older = parse_duration(cli_get(&a, "older-than"))) < 0) {
        cli_err("--older-than expects a duration like 30s, 15m, 12h, 7d or 2w, got '%s'", cli_get(&a, "older-than"));
        return CLI_EXIT_USAGE;
    }
    const char *uri = cli_target(&a, "cleanup", a.npos ? a.pos[0] : NULL);
    if (!uri) return CLI_EXIT_ERR;
    bool confirm = cli_has(&a, "confirm");
    cli_echo_write(&a, "cleanup", uri);
    if (!(db = cli_open(uri))) goto done;
    unsigned flags = (confirm ? 0 : OG_DB_CLEANUP_DRY_RUN) | (cli_has(&a, "force") ? OG_DB_CLEANUP_QUIESCED : 0);
    int rc = og_db_cleanup(db, keep, older, flags, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (!(j = json_loads(out, 0, NULL))) goto done;
    const json_t *ds = json_object_get(j, "datasets"), *d;
    size_t i;
    long long versions = 0, bytes = 0, errors = 0;
    json_array_foreach(ds, i, d) {
        versions += jint(d, "old_versions_removed");
        bytes += jint(d, "bytes_removed");
        errors += json_object_get(d, "error") != NULL;
    }
    if (!confirm) {
        fprintf(stderr, "cleanup preview for %s (nothing deleted; pass --confirm): would remove %lld table "
                        "version(s) and %lld manifest version(s) across %zu datasets\n", uri, versions,
                jint(j, "manifest_versions_removed"), json_array_size(ds));
        code = cli_has(&a, "json") ? cli_print_json(out) : CLI_EXIT_OK;
        goto done;
    }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    printf("cleaned up %s: removed %lld table version(s) (%lld bytes) and %lld manifest version(s) across %zu "
           "datasets\n", uri, versions, bytes, jint(j, "manifest_versions_removed"), json_array_size(ds));
    json_array_foreach(ds, i, d) {
        if (!json_object_get(d, "error")) continue;
        char name[300];
        dataset_name(json_string_value(json_object_get(d, "type_key")), name, sizeof name);
        printf("  %s: failed: %s\n", name, json_string_value(json_object_get(d, "error")));
    }
    code = errors ? CLI_EXIT_ERR : CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    og_db_close(db);
    return code;
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
