/* cli_schema.c — `omnigraph schema show|get [URI] [--json]` (surface.md
 * §4.2): the accepted .pg source ({schema_source} with --json).
 * (1) `schema plan [URI] --schema S.pg [--allow-data-loss] [--json]`
 *     (direct storage only): {uri, supported, step_count, steps} with
 *     --json, else one human line per step (lang/schema_plan.h) and a
 *     `supported: yes|no` line.
 * (2) `schema apply [URI] --schema S.pg [--allow-data-loss] [--json]`: a
 *     write (echoed to stderr); --json prints SchemaApplyOutput, else
 *     `applied: yes|no`, the steps (or `no schema changes`) and
 *     `graph_manifest_version: N`. An unsupported plan fails with its
 *     refusal ("[OG-MF-106] changing property type ..."). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag schema_flags[] = {
    {"json", 0, false, false}, {"schema", 0, true, false}, {"allow-data-loss", 0, false, false},
    {"uri", 0, true, false},
};

static void print_steps(const json_t *steps)
{
    size_t i;
    json_t *st;
    json_array_foreach(steps, i, st) {
        const char *kind = json_string_value(json_object_get(st, "kind"));
        const char *tk = json_string_value(json_object_get(st, "type_kind"));
        const char *tn = json_string_value(json_object_get(st, "type_name"));
        const char *pn = json_string_value(json_object_get(st, "property_name"));
        const char *mode = json_string_value(json_object_get(st, "mode"));
        if (!kind) continue;
        if (!strcmp(kind, "add_type")) printf("add %s type '%s'\n", tk, tn);
        else if (!strcmp(kind, "rename_type"))
            printf("rename %s type '%s' -> '%s'\n", tk, json_string_value(json_object_get(st, "from")), tn);
        else if (!strcmp(kind, "add_property"))
            printf("add property '%s.%s' (%s) on %s '%s'\n", tn, pn,
                   json_string_value(json_object_get(st, "property_type")), tk, tn);
        else if (!strcmp(kind, "rename_property"))
            printf("rename property '%s.%s' -> '%s.%s' on %s '%s'\n", tn,
                   json_string_value(json_object_get(st, "from")), tn, pn, tk, tn);
        else if (!strcmp(kind, "add_constraint"))
            printf("add constraint %s on %s '%s'\n", json_string_value(json_object_get(st, "constraint")), tk, tn);
        else if (!strcmp(kind, "extend_enum"))
            printf("extend enum '%s.%s' (%s) on %s '%s'\n", tn, pn, json_string_value(json_object_get(st, "added")),
                   tk, tn);
        else if (!strcmp(kind, "update_type_metadata"))
            printf("update metadata on %s '%s' (%s)\n", tk, tn, json_string_value(json_object_get(st, "metadata")));
        else if (!strcmp(kind, "update_property_metadata"))
            printf("update metadata on property '%s.%s' of %s '%s' (%s)\n", tn, pn, tk, tn,
                   json_string_value(json_object_get(st, "metadata")));
        else if (!strcmp(kind, "drop_type")) printf("drop %s type '%s' (%s mode)\n", tk, tn, mode);
        else if (!strcmp(kind, "drop_property"))
            printf("drop property '%s.%s' of %s '%s' (%s mode)\n", tn, pn, tk, tn, mode);
        else {
            const char *code = json_string_value(json_object_get(st, "code"));
            printf("unsupported change on %s%s%s%s: %s\n", json_string_value(json_object_get(st, "entity")),
                   code ? " [" : "", code ? code : "", code ? "]" : "",
                   json_string_value(json_object_get(st, "reason")));
        }
    }
}

/* The cluster root managing a local graph path (<root>/graphs/<id> with
 * <root>/cluster.yaml), or NULL (malloc'd). */
static char *managing_cluster(const char *uri)
{
    const char *p = !strncmp(uri, "file://", 7) ? uri + 7 : uri;
    char *copy = strdup(p), *root = NULL;
    if (!copy) return NULL;
    size_t n = strlen(copy);
    while (n > 1 && copy[n - 1] == '/') copy[--n] = '\0';
    char *slash = strrchr(copy, '/');
    if (slash) {
        *slash = '\0';
        char *g = strrchr(copy, '/');
        const char *last = g ? g + 1 : copy;
        if (!strcmp(last, "graphs")) {
            if (g) *g = '\0';
            else copy[0] = '\0';
            size_t rl = strlen(copy) + 16;
            char *yaml = malloc(rl);
            if (yaml) {
                snprintf(yaml, rl, "%s/cluster.yaml", copy[0] ? copy : ".");
                FILE *f = fopen(yaml, "r");
                if (f) { fclose(f); root = strdup(copy[0] ? copy : "."); }
                free(yaml);
            }
        }
    }
    free(copy);
    return root;
}

static int schema_change(cli_args *a, bool apply)
{
    int code = CLI_EXIT_ERR, rc;
    og_db *db = NULL;
    char *src = NULL, *out = NULL;
    size_t len = 0;
    json_t *j = NULL;
    const char *verb = apply ? "schema apply" : "schema plan";
    if (!cli_has(a, "schema")) { cli_err("`%s` needs --schema <file.pg>", verb); return CLI_EXIT_USAGE; }
    if (!apply && cli_direct_guard(a, verb)) return CLI_EXIT_ERR;
    const char *uri = cli_target(a, verb, a->npos ? a->pos[0] : NULL);
    if (!uri) goto done;
    if (apply && !cli_remote_active()) {
        char *cl = managing_cluster(uri);
        if (cl) {
            cli_err("graph %s is managed by the cluster at %s: apply schema changes with `omnigraph cluster apply` "
                    "(direct `schema apply` on a cluster's storage is refused)", uri, cl);
            free(cl);
            goto done;
        }
    }
    if (!(src = cli_read_file("schema", cli_get(a, "schema"), &len))) goto done;
    if (apply) cli_echo_write(a, "schema apply", uri);
    if (!(db = cli_open(uri))) goto done;
    bool loss = cli_has(a, "allow-data-loss");
    rc = apply ? cli_db_schema_apply(db, src, len, loss, cli_actor(a), &out) : og_db_schema_plan(db, src, len, loss, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    const json_t *steps = json_object_get(j, "steps");
    if (apply) printf("applied: %s\n", json_is_true(json_object_get(j, "applied")) ? "yes" : "no");
    if (json_array_size(steps) == 0) printf("no schema changes\n");
    else print_steps(steps);
    if (apply)
        printf("graph_manifest_version: %lld\n", (long long)json_integer_value(json_object_get(j, "graph_manifest_version")));
    else
        printf("supported: %s\n", json_is_true(json_object_get(j, "supported")) ? "yes" : "no");
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    free(src);
    cli_db_close(db);
    return code;
}

int cli_schema(int argc, char **argv)
{
    cli_args a;
    char *out = NULL;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    json_t *j = NULL;
    const char *sub = argc >= 2 ? argv[1] : NULL;
    if (!sub || (strcmp(sub, "show") && strcmp(sub, "get") && strcmp(sub, "plan") &&
                 strcmp(sub, "apply"))) {
        cli_err("usage: omnigraph schema show|plan|apply ...");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&a, schema_flags, sizeof schema_flags / sizeof schema_flags[0], argc, argv, 2))
        return CLI_EXIT_USAGE;
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    if (!strcmp(sub, "plan") && cli_has(&a, "server")) {
        cli_err("`schema plan` is a direct (storage-native) command; --server addresses a served "
                "graph and does not apply. Pass a storage URI.");
        return CLI_EXIT_ERR;
    }
    if (!strcmp(sub, "plan") || !strcmp(sub, "apply")) return schema_change(&a, !strcmp(sub, "apply"));
    const char *uri = cli_target(&a, "schema show", a.npos ? a.pos[0] : NULL);
    if (!uri || !(db = cli_open(uri))) goto done;
    int rc = cli_db_schema_show(db, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    const char *src = json_string_value(json_object_get(j, "schema_source"));
    fputs(src ? src : "", stdout);
    if (src && *src && src[strlen(src) - 1] != '\n') fputc('\n', stdout);
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    cli_db_close(db);
    return code;
}
