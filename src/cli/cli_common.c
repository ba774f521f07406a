/* cli_common.c — shared helpers of the verb handlers (cli_common.h). */
#include "cli_common.h"

#include <errno.h>
#include <stdint.h>

#include "base/file.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_flag global_flags[] = {
    {"as", 0, true, false},      {"server", 0, true, false}, {"graph", 0, true, false},
    {"profile", 0, true, false}, {"store", 0, true, false},  {"cluster", 0, true, false},
    {"yes", 0, false, false},    {"quiet", 0, false, false},  {"no-auto-maintenance", 0, false, false},
};

static cli_flag g_table[CLI_MAX_FLAGS];

int cli_parse(cli_args *a, const cli_flag *flags, size_t n, int argc, char **argv, int start)
{
    size_t ng = sizeof global_flags / sizeof global_flags[0], k = 0;
    for (size_t i = 0; i < n && k < CLI_MAX_FLAGS; i++) g_table[k++] = flags[i];
    for (size_t i = 0; i < ng && k < CLI_MAX_FLAGS; i++) g_table[k++] = global_flags[i];
    if (cli_args_parse(a, g_table, k, argc, argv, start)) {
        cli_err("%s", a->err);
        return -1;
    }
    if (cli_has(a, "no-auto-maintenance")) cli_auto_maintenance_off = true;
    return 0;
}

void cli_err(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static bool is_http(const char *s)
{
    return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

const char *cli_target(const cli_args *a, const char *verb, const char *pos)
{
    const char *store = cli_get(a, "store");
    const char *uri = cli_get(a, "uri");
    const char *profile = cli_get(a, "profile");
    const char *t = pos ? pos : store ? store : uri;
    if (cli_has(a, "server")) {
        if (cli_has(a, "as") && (!strcmp(verb, "mutate") || !strcmp(verb, "change") ||
                                 !strcmp(verb, "load")))
            cli_err("`--as` is not allowed on a served write (the server authenticates the "
                    "actor)");
        else if (t)
            cli_err("`%s` takes either --server or a graph URI, not both", verb);
        else if (cli_remote_setup(cli_get(a, "server"), cli_get(a, "graph")) == 0)
            return cli_get(a, "server");
        return NULL;
    }
    if (cli_has(a, "cluster")) {
        cli_err("`%s` addresses one graph by --store <uri>; --cluster selects a cluster root "
                "for maintenance and policy tooling and does not apply.", verb);
        return NULL;
    }
    if (cli_has(a, "graph")) {
        cli_err("--graph selects a graph on a multi-graph server; %s is already a single graph",
                t ? t : "a direct store");
        return NULL;
    }
    if (!t && profile) {
        t = cli_config_profile_store(profile);
        if (!t) { cli_err("profile '%s' does not name a store", profile); return NULL; }
    }
    if (!t && !profile && getenv("OMNIGRAPH_PROFILE") && *getenv("OMNIGRAPH_PROFILE"))
        t = cli_config_profile_store(getenv("OMNIGRAPH_PROFILE"));
    if (!t) t = cli_config_get("defaults.store");
    if (!t) {
        cli_err("`%s` needs a graph: pass a URI, --store <uri>, or set defaults.store", verb);
        return NULL;
    }
    if (is_http(t)) {
        cli_err("a remote graph must be addressed with `--server <url>`, not a URI (%s)", t);
        return NULL;
    }
    return t;
}

int cli_fail(int rc)
{
    const char *msg = cli_remote_active() ? cli_remote_errmsg() : og_errmsg();
    if (!msg) msg = og_errmsg();
    /* schema rule violations carry no prefix in the library (lang) */
    if (rc == OG_DB_E_PARSE && strncmp(msg, "parse error", 11)) cli_err("parse error: %s", msg);
    else cli_err("%s", msg);
    return rc == OG_DB_E_PRECONDITION ? CLI_EXIT_PRECONDITION : CLI_EXIT_ERR;
}

static og_db *open_flags(const char *uri, unsigned flags)
{
    og_db *db = NULL;
    if (cli_remote_active()) return cli_remote_handle();
    if (og_db_open(uri, flags, &db)) {
        cli_fail(1);
        return NULL;
    }
    return db;
}

og_db *cli_open(const char *uri) { return open_flags(uri, 0); }

og_db *cli_open_read(const char *uri) { return open_flags(uri, OG_DB_READ_ONLY); }

char *cli_read_file(const char *what, const char *path, size_t *len)
{
    char *buf = NULL;
    if (og_file_read(path, SIZE_MAX - 1, &buf, len)) {
        cli_err("cannot read %s file %s: %s", what, path, strerror(errno));
        return NULL;
    }
    return buf;
}

int cli_print_json(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    char *pretty = j ? json_dumps(j, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;
    int rc = 0;
    if (pretty) printf("%s\n", pretty);
    else { cli_err("malformed JSON output"); rc = 1; }
    free(pretty);
    json_decref(j);
    return rc;
}

bool cli_is_local(const char *uri)
{
    return !strstr(uri, "://") || !strncmp(uri, "file://", 7);
}

void cli_echo_write(const cli_args *a, const char *verb, const char *uri)
{
    if (cli_has(a, "quiet")) return;
    fprintf(stderr, "omnigraph %s \xe2\x86\x92 %s (%s)\n", verb, uri,
            cli_remote_active() ? "served" : cli_is_local(uri) ? "direct, local" : "direct, remote");
}

bool cli_confirm_destructive(const cli_args *a, const char *what, const char *uri)
{
    if (cli_is_local(uri) || cli_has(a, "yes")) return true;
    cli_err("refusing destructive `%s` against non-local target %s without confirmation; "
            "pass --yes to confirm", what, uri);
    return false;
}

const char *cli_actor(const cli_args *a)
{
    const char *as = cli_get(a, "as");
    return as ? as : cli_config_get("operator.actor");
}

int cli_direct_guard(const cli_args *a, const char *verb)
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
    if ((pos && is_http(pos)) || (cli_get(a, "store") && is_http(cli_get(a, "store")))) {
        cli_err("`%s` is a direct (storage-native) command and needs direct storage access; it "
                "cannot run against a remote server (%s)", verb, pos ? pos : cli_get(a, "store"));
        return 1;
    }
    return 0;
}
