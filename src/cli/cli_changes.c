/* cli_changes.c — `omnigraph changes poll|baseline` (surface.md §4.2, §6).
 * (1) poll: `[--branch B] [--cursor C | --start now|beginning|after:<id>]
 *     [--limit N] [--kind K]... [--type T]... [--op O]... [--json]`; JSON is
 *     {blocks, cursor, caught_up}; human prints one `commit <id>` header per
 *     block, its changes as `<op> <kind> <type> <id>`, then `cursor: …`.
 * (2) baseline: `--out PATH [--branch B] [--kind]... [--type]... [--json]`
 *     writes the snapshot records to PATH durably — a temporary file in the
 *     same directory, fsync'd, renamed over PATH, directory fsync'd — so a
 *     failure leaves an existing PATH untouched; only then prints
 *     snapshot_commit_id and resume_cursor. POSIX only; direct storage only. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_common.h"

static const cli_flag changes_flags[] = {
    {"uri", 0, true, false},    {"branch", 0, true, false}, {"json", 0, false, false},
    {"cursor", 0, true, false}, {"start", 0, true, false},  {"limit", 0, true, false},
    {"kind", 0, true, true},    {"type", 0, true, true},    {"op", 0, true, true},
    {"out", 0, true, false},
};

static void print_block(const json_t *b)
{
    const json_t *cause = json_object_get(b, "cause");
    size_t i;
    json_t *c;
    printf("commit %s\n", json_string_value(json_object_get(cause, "graph_commit_id")));
    json_array_foreach(json_object_get(b, "changes"), i, c)
        printf("  %s %s %s %s\n", json_string_value(json_object_get(c, "op")),
               json_string_value(json_object_get(c, "kind")),
               json_string_value(json_object_get(json_object_get(c, "type"), "name")),
               json_string_value(json_object_get(c, "id")));
}

static int do_poll(cli_args *a)
{
    int code = CLI_EXIT_ERR, rc;
    og_db *db = NULL;
    char *filter = NULL, *out = NULL;
    json_t *j = NULL;
    size_t limit = 0;
    const char *l = cli_get(a, "limit");
    if (cli_has(a, "out")) { cli_err("--out applies to `changes baseline`, not `changes poll`"); return CLI_EXIT_USAGE; }
    if (l) {
        char *end = NULL;
        unsigned long long v = strtoull(l, &end, 10);
        if (!*l || *end || l[0] == '-' || !v) { cli_err("--limit expects a positive integer, got '%s'", l); return CLI_EXIT_USAGE; }
        limit = (size_t)v;
    }
    if (cli_has(a, "cursor") && cli_has(a, "start")) {
        cli_err("pass either --cursor or --start, not both");
        return CLI_EXIT_USAGE;
    }
    const char *uri = cli_target(a, "changes poll", NULL);
    if (!uri || !(db = cli_open(uri))) goto done;
    filter = cli_change_filter_json(a);
    rc = cli_db_changes_poll(db, cli_get(a, "branch"), cli_get(a, "cursor"), cli_get(a, "start"), filter, limit, &out);
    if (rc) { code = cli_fail(rc); goto done; }
    if (cli_has(a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(j, "blocks"), i, b) print_block(b);
    const char *cur = json_string_value(json_object_get(j, "cursor"));
    if (cur) printf("cursor: %s\n", cur);
    if (json_is_boolean(json_object_get(j, "caught_up")))
        printf("caught_up: %s\n", json_is_true(json_object_get(j, "caught_up")) ? "true" : "false");
    code = CLI_EXIT_OK;
done:
    json_decref(j);
    og_free(out);
    free(filter);
    cli_db_close(db);
    return code;
}

typedef struct outfile {
    int fd;
    int err;
} outfile;

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; return -1; }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int put_record(void *ud, const char *line, size_t len)
{
    outfile *f = ud;
    if (write_all(f->fd, line, len) || write_all(f->fd, "\n", 1)) { f->err = errno; return -1; }
    return 0;
}

static int fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return -1;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0) return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

static int do_baseline(cli_args *a)
{
    int code = CLI_EXIT_ERR, rc;
    og_db *db = NULL;
    char *filter = NULL, *out = NULL, *tmp = NULL;
    json_t *j = NULL;
    outfile f = {-1, 0};
    const char *path = cli_get(a, "out");
    if (!path) { cli_err("`changes baseline` needs --out PATH"); return CLI_EXIT_USAGE; }
    if (cli_has(a, "cursor") || cli_has(a, "start") || cli_has(a, "limit")) {
        cli_err("`changes baseline` takes no --cursor, --start or --limit");
        return CLI_EXIT_USAGE;
    }
    if (cli_remote_active()) {
        cli_err("`changes baseline` writes a local file from direct storage; --server is not supported for it");
        return CLI_EXIT_ERR;
    }
    const char *uri = cli_target(a, "changes baseline", NULL);
    if (!uri || !(db = cli_open(uri))) goto done;
    size_t tl = strlen(path) + 64;
    tmp = malloc(tl);
    if (!tmp) { cli_err("out of memory"); goto done; }
    snprintf(tmp, tl, "%s.tmp-%ld", path, (long)getpid());
    f.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f.fd < 0) { cli_err("cannot create %s: %s", tmp, strerror(errno)); goto done; }
    filter = cli_change_filter_json(a);
    rc = og_db_changes_baseline(db, cli_get(a, "branch"), filter, put_record, &f, &out);
    if (rc) {
        if (f.err) cli_err("writing %s: %s", tmp, strerror(f.err));
        else code = cli_fail(rc);
        goto done;
    }
    if (fsync(f.fd) || close(f.fd)) { f.fd = -1; cli_err("flushing %s: %s", tmp, strerror(errno)); goto done; }
    f.fd = -1;
    if (rename(tmp, path)) { cli_err("renaming %s to %s: %s", tmp, path, strerror(errno)); goto done; }
    free(tmp);
    tmp = NULL;
    if (fsync_dir_of(path)) { cli_err("flushing the directory of %s: %s", path, strerror(errno)); goto done; }
    if (cli_has(a, "json")) { code = cli_print_json(out); goto done; }
    j = json_loads(out, 0, NULL);
    printf("snapshot_commit_id: %s\nresume_cursor: %s\n",
           json_string_value(json_object_get(j, "snapshot_commit_id")),
           json_string_value(json_object_get(j, "resume_cursor")));
    code = CLI_EXIT_OK;
done:
    if (f.fd >= 0) close(f.fd);
    if (tmp) { unlink(tmp); free(tmp); }
    json_decref(j);
    og_free(out);
    free(filter);
    cli_db_close(db);
    return code;
}

int cli_changes(int argc, char **argv)
{
    cli_args a;
    const char *sub = argc >= 2 ? argv[1] : NULL;
    if (!sub || (strcmp(sub, "poll") && strcmp(sub, "baseline"))) {
        cli_err("usage: omnigraph changes poll|baseline ...");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse(&a, changes_flags, sizeof changes_flags / sizeof changes_flags[0], argc, argv, 2))
        return CLI_EXIT_USAGE;
    if (a.npos > 0) { cli_err("unexpected argument '%s'", a.pos[0]); return CLI_EXIT_USAGE; }
    return !strcmp(sub, "poll") ? do_poll(&a) : do_baseline(&a);
}
