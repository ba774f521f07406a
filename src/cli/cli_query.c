/* cli_query.c — `omnigraph query` / `mutate` and their deprecated aliases
 * `read` / `change` (surface.md §4.2, §4.3); `query lint|check` are handed
 * to the lint shim.
 * (1) Ad-hoc lane only: the source is --query <file.gq> or
 *     -e/--query-string <GQ> (not both, not empty); NAME picks the query.
 *     NAME alone would run a stored query, which needs a server.
 * (2) query prints ReadOutput in the chosen format: --format
 *     table|kv|csv|jsonl|json (--json = json; default defaults.output, else
 *     table). mutate prints ChangeOutput with --json, else `changed <branch>
 *     via <name>: N nodes, M edges`.
 * (3) A lost --if-commit exits 4 (with --json the structured 412 body goes
 *     to stdout); a lost table race exits 1 naming table_key, expected and
 *     actual.
 * (4) Integers beyond jansson's range (U64 above 2^63-1) are exact in every
 *     format: before parsing they are re-quoted as marker strings (a fresh
 *     nonce per run, so no stored string can forge one) and printed back as
 *     their bare digits. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/ulid.h"
#include "cli.h"
#include "cli_common.h"

/* ---- big integers (4) ---- */

static char big_raw[OG_ULID_LEN + 3];     /* "\x01" nonce ":" as parsed */
static char big_dumped[OG_ULID_LEN + 16]; /* quote, backslash-u0001, nonce, ":" as dumped */

static void big_init(void)
{
    og_ulid u;
    if (big_raw[0]) return;
    if (og_ulid_new(&u)) snprintf(u.s, sizeof u.s, "%s", "00000000000000000000000000");
    snprintf(big_raw, sizeof big_raw, "\x01%s:", u.s);
    snprintf(big_dumped, sizeof big_dumped, "\"\\u0001%s:", u.s);
}

/* True when the integer token p[0..n) does not fit an int64. */
static bool too_big(const char *p, size_t n)
{
    const char *max = *p == '-' ? "9223372036854775808" : "9223372036854775807";
    if (*p == '-') { p++; n--; }
    while (n > 1 && *p == '0') { p++; n--; }
    if (n != 19) return n > 19;
    return memcmp(p, max, 19) > 0;
}

/* JSON text with every out-of-range integer quoted as a marker string. */
static char *big_mark(const char *txt)
{
    og_buf b = OG_BUF_INIT;
    bool in_str = false;
    big_init();
    for (const char *p = txt; *p;) {
        if (in_str) {
            if (*p == '\\' && p[1]) { og_buf_append(&b, p, 2); p += 2; continue; }
            if (*p == '"') in_str = false;
            og_buf_append_byte(&b, (uint8_t)*p++);
            continue;
        }
        if (*p == '"') { in_str = true; og_buf_append_byte(&b, (uint8_t)*p++); continue; }
        if (*p == '-' || (*p >= '0' && *p <= '9')) {
            size_t n = strspn(p, "-+0123456789.eE");
            bool integer = strcspn(p, ".eE") >= n;
            if (integer && too_big(p, n)) {
                og_buf_append_str(&b, big_dumped);
                og_buf_append(&b, p, n);
                og_buf_append_byte(&b, '"');
            } else {
                og_buf_append(&b, p, n);
            }
            p += n;
            continue;
        }
        og_buf_append_byte(&b, (uint8_t)*p++);
    }
    return og_buf_detach(&b, NULL);
}

/* Dumped JSON with each quoted marker replaced by its digits (frees txt). */
static char *big_unmark(char *txt)
{
    if (!txt || !big_raw[0] || !strstr(txt, big_dumped)) return txt;
    og_buf b = OG_BUF_INIT;
    size_t ml = strlen(big_dumped);
    for (const char *p = txt, *at;; p = at) {
        at = strstr(p, big_dumped);
        if (!at) { og_buf_append_str(&b, p); break; }
        og_buf_append(&b, p, (size_t)(at - p));
        at += ml;
        size_t nd = strspn(at, "-0123456789");
        og_buf_append(&b, at, nd);
        at += nd;
        if (*at == '"') at++;
    }
    free(txt);
    return og_buf_detach(&b, NULL);
}

static const cli_flag query_flags[] = {
    {"query", 0, true, false},  {"query-string", 'e', true, false}, {"params", 0, true, false},
    {"params-file", 0, true, false}, {"branch", 0, true, false},   {"snapshot", 0, true, false},
    {"format", 0, true, false}, {"json", 0, false, false},          {"if-commit", 0, true, false},
    {"name", 0, true, false},   {"help", 'h', false, false},
};

/* ---- cell text ---- */

/* Appends the display text of a value: strings raw, null "null", others
 * compact JSON. */
static char *cell_text(const json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t ml = strlen(big_raw);
        if (ml && strncmp(s, big_raw, ml) == 0) return strdup(s + ml);
        return strdup(s);
    }
    if (!v || json_is_null(v)) return strdup("null");
    return big_unmark(json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY));
}

/* Table cell: newlines / CRs shown escaped. */
static char *table_cell(const json_t *v)
{
    char *t = cell_text(v);
    if (!t) return NULL;
    size_t n = 0;
    for (const char *p = t; *p; p++) n += (*p == '\n' || *p == '\r') ? 2 : 1;
    char *o = malloc(n + 1), *q = o;
    if (!o) { free(t); return NULL; }
    for (const char *p = t; *p; p++) {
        if (*p == '\n') { *q++ = '\\'; *q++ = 'n'; }
        else if (*p == '\r') { *q++ = '\\'; *q++ = 'r'; }
        else *q++ = *p;
    }
    *q = 0;
    free(t);
    return o;
}

/* Display width: UTF-8 code points. */
static size_t width_of(const char *s)
{
    size_t w = 0;
    for (; *s; s++) if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

/* Truncates s in place to at most max code points, ending with "…". */
static char *truncate_cell(char *s, size_t max)
{
    if (width_of(s) <= max || max == 0) return s;
    size_t w = 0;
    char *p = s;
    while (*p) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (w == max - 1) break;
            w++;
        }
        p++;
    }
    size_t keep = (size_t)(p - s);
    char *o = malloc(keep + 4);
    if (!o) return s;
    memcpy(o, s, keep);
    memcpy(o + keep, "\xe2\x80\xa6", 4);
    free(s);
    return o;
}

static void pad(const char *s, size_t width)
{
    fputs(s, stdout);
    for (size_t w = width_of(s); w < width; w++) fputc(' ', stdout);
}

static void header_line(const json_t *r)
{
    const json_t *t = json_object_get(r, "target");
    const char *snap = json_string_value(json_object_get(t, "snapshot"));
    const char *br = json_string_value(json_object_get(t, "branch"));
    printf("%lld rows from %s %s via %s\n",
           (long long)json_integer_value(json_object_get(r, "row_count")),
           snap ? "snapshot" : "branch", snap ? snap : br ? br : "main",
           json_string_value(json_object_get(r, "query_name")));
}

static int print_table(const json_t *r)
{
    const json_t *cols = json_object_get(r, "columns"), *rows = json_object_get(r, "rows");
    size_t nc = json_array_size(cols), nr = json_array_size(rows);
    size_t max = 80;
    const char *cfg = cli_config_get("defaults.table_max_column_width");
    if (cfg && atoi(cfg) > 0) max = (size_t)atoi(cfg);
    header_line(r);
    if (nr == 0) { printf("(no rows)\n"); return 0; }
    char **cells = calloc((nr + 1) * (nc ? nc : 1), sizeof *cells);
    size_t *w = calloc(nc ? nc : 1, sizeof *w);
    int rc = 0;
    if (!cells || !w) { free(cells); free(w); cli_err("out of memory"); return 1; }
    for (size_t c = 0; c < nc; c++) {
        cells[c] = truncate_cell(strdup(json_string_value(json_array_get(cols, c))), max);
        for (size_t i = 0; i < nr; i++) {
            const json_t *row = json_array_get(rows, i);
            char *t = table_cell(json_object_get(row, json_string_value(json_array_get(cols, c))));
            cells[(i + 1) * nc + c] = t ? truncate_cell(t, max) : NULL;
        }
    }
    for (size_t k = 0; k < (nr + 1) * nc; k++) {
        if (!cells[k]) { rc = 1; continue; }
        size_t cw = width_of(cells[k]);
        if (cw > w[k % nc]) w[k % nc] = cw;
    }
    if (rc) { cli_err("out of memory"); goto done; }
    for (size_t i = 0; i <= nr; i++) {
        for (size_t c = 0; c < nc; c++) {
            if (c) fputs(" | ", stdout);
            if (c + 1 < nc) pad(cells[i * nc + c], w[c]);
            else fputs(cells[i * nc + c], stdout);
        }
        fputc('\n', stdout);
        if (i == 0) {
            for (size_t c = 0; c < nc; c++) {
                if (c) fputs("-+-", stdout);
                for (size_t k = 0; k < w[c]; k++) fputc('-', stdout);
            }
            fputc('\n', stdout);
        }
    }
done:
    for (size_t k = 0; k < (nr + 1) * nc; k++) free(cells[k]);
    free(cells);
    free(w);
    return rc;
}

static void print_kv(const json_t *r)
{
    const json_t *cols = json_object_get(r, "columns"), *rows = json_object_get(r, "rows");
    size_t i;
    const json_t *row;
    header_line(r);
    if (!json_array_size(rows)) { printf("(no rows)\n"); return; }
    json_array_foreach(rows, i, row) {
        printf("\nrow %zu\n", i + 1);
        for (size_t c = 0; c < json_array_size(cols); c++) {
            const char *name = json_string_value(json_array_get(cols, c));
            char *t = table_cell(json_object_get(row, name));
            printf("%s: %s\n", name, t ? t : "");
            free(t);
        }
    }
}

static void csv_field(const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) { fputs(s, stdout); return; }
    fputc('"', stdout);
    for (; *s; s++) {
        if (*s == '"') fputc('"', stdout);
        fputc(*s, stdout);
    }
    fputc('"', stdout);
}

static void print_csv(const json_t *r)
{
    const json_t *cols = json_object_get(r, "columns"), *rows = json_object_get(r, "rows");
    size_t nc = json_array_size(cols), i;
    const json_t *row;
    for (size_t c = 0; c < nc; c++) {
        if (c) fputc(',', stdout);
        csv_field(json_string_value(json_array_get(cols, c)));
    }
    fputc('\n', stdout);
    json_array_foreach(rows, i, row) {
        for (size_t c = 0; c < nc; c++) {
            char *t = cell_text(json_object_get(row, json_string_value(json_array_get(cols, c))));
            if (c) fputc(',', stdout);
            csv_field(t ? t : "");
            free(t);
        }
        fputc('\n', stdout);
    }
}

static void print_jsonl(const json_t *r)
{
    json_t *meta = json_object();
    size_t i;
    const json_t *row;
    json_object_set_new(meta, "kind", json_string("metadata"));
    json_object_set(meta, "query_name", json_object_get(r, "query_name"));
    json_object_set(meta, "target", json_object_get(r, "target"));
    json_object_set(meta, "row_count", json_object_get(r, "row_count"));
    json_object_set(meta, "columns", json_object_get(r, "columns"));
    if (json_object_get(r, "graph_commit_id"))
        json_object_set(meta, "graph_commit_id", json_object_get(r, "graph_commit_id"));
    char *m = json_dumps(meta, JSON_COMPACT);
    if (m) printf("%s\n", m);
    free(m);
    json_decref(meta);
    json_array_foreach(json_object_get(r, "rows"), i, row) {
        char *t = big_unmark(json_dumps(row, JSON_COMPACT));
        if (t) printf("%s\n", t);
        free(t);
    }
}

static int print_read(const char *out, const char *format)
{
    json_t *r;
    int rc = 0;
    char *marked = big_mark(out);
    r = marked ? json_loads(marked, 0, NULL) : NULL;
    free(marked);
    if (!r) { cli_err("malformed query output"); return 1; }
    if (!strcmp(format, "json")) {
        char *pretty = big_unmark(json_dumps(r, JSON_INDENT(2)));
        if (pretty) printf("%s\n", pretty);
        else rc = 1;
        free(pretty);
        json_decref(r);
        return rc;
    }
    if (!strcmp(format, "table")) rc = print_table(r);
    else if (!strcmp(format, "kv")) print_kv(r);
    else if (!strcmp(format, "csv")) print_csv(r);
    else print_jsonl(r);
    json_decref(r);
    return rc;
}

static void usage(bool mutation)
{
    if (mutation)
        printf("usage: omnigraph mutate [NAME] (--query <file.gq> | -e <GQ>) [--params JSON | "
               "--params-file F] [--branch B] [--if-commit ID] [--json] [--store URI]\n");
    else
        printf("usage: omnigraph query [NAME] (--query <file.gq> | -e <GQ>) [--params JSON | "
               "--params-file F] [--branch B | --snapshot COMMIT] "
               "[--format table|kv|csv|jsonl|json | --json] [--store URI]\n");
}

static bool valid_format(const char *f)
{
    return !strcmp(f, "table") || !strcmp(f, "kv") || !strcmp(f, "csv") || !strcmp(f, "jsonl") ||
           !strcmp(f, "json");
}

static int run(int argc, char **argv, bool mutation, const char *verb)
{
    cli_args a;
    char *src = NULL, *params = NULL, *out = NULL;
    size_t src_len = 0, plen = 0;
    int code = CLI_EXIT_ERR;
    og_db *db = NULL;
    if (cli_parse(&a, query_flags, sizeof query_flags / sizeof query_flags[0], argc, argv, 1))
        return CLI_EXIT_USAGE;
    if (cli_has(&a, "help")) { usage(mutation); return CLI_EXIT_OK; }
    if (a.npos > 1) { cli_err("unexpected argument '%s'", a.pos[1]); return CLI_EXIT_USAGE; }
    const char *name = a.npos ? a.pos[0] : cli_get(&a, "name");
    const char *qfile = cli_get(&a, "query"), *qstr = cli_get(&a, "query-string");
    const char *format = cli_has(&a, "json") ? "json" : cli_get(&a, "format");
    if (mutation && cli_has(&a, "snapshot")) {
        cli_err("--snapshot does not apply to `%s`: mutations write to a branch head", verb);
        return CLI_EXIT_USAGE;
    }
    if (!mutation && cli_has(&a, "if-commit")) {
        cli_err("--if-commit does not apply to `%s`: reads take no write precondition", verb);
        return CLI_EXIT_USAGE;
    }
    if (mutation && cli_has(&a, "format")) {
        cli_err("--format does not apply to `%s` (use --json)", verb);
        return CLI_EXIT_USAGE;
    }
    if (!format) format = cli_config_get("defaults.output");
    if (!format) format = "table";
    if (!valid_format(format)) {
        cli_err("invalid output format '%s' (expected table, kv, csv, jsonl or json)", format);
        return CLI_EXIT_USAGE;
    }
    if (qfile && qstr) {
        cli_err("--query and --query-string cannot be used together");
        return CLI_EXIT_USAGE;
    }
    if (qstr && !*qstr) { cli_err("--query-string must not be empty"); return CLI_EXIT_USAGE; }
    if (cli_has(&a, "params") && cli_has(&a, "params-file")) {
        cli_err("--params and --params-file cannot be used together");
        return CLI_EXIT_USAGE;
    }
    if (!qfile && !qstr && !(name && cli_has(&a, "server"))) { /* served: stored query */
        if (name)
            cli_err("running stored query '%s' by name needs a server (--server); pass --query "
                    "<file.gq> or -e <source> to run it against a store", name);
        else
            cli_err("`%s` needs a query: --query <file.gq> or -e <source>", verb);
        return CLI_EXIT_ERR;
    }
    const char *uri = cli_target(&a, verb, NULL);
    if (!uri) return CLI_EXIT_ERR;
    if (qfile) {
        if (!(src = cli_read_file("query", qfile, &src_len))) goto done;
    } else if (qstr) {
        src_len = strlen(qstr);
    }
    if (cli_has(&a, "params-file") &&
        !(params = cli_read_file("params", cli_get(&a, "params-file"), &plen)))
        goto done;
    if (!(db = mutation ? cli_open(uri) : cli_open_read(uri))) goto done;
    const char *pj = params ? params : cli_get(&a, "params");
    int rc;
    if (mutation)
        rc = cli_db_mutate(db, src ? src : qstr, src_len, name, pj, cli_get(&a, "branch"),
                          cli_get(&a, "if-commit"), cli_actor(&a), &out);
    else
        rc = cli_db_query(db, src ? src : qstr, src_len, name, pj, cli_get(&a, "branch"),
                         cli_get(&a, "snapshot"), &out);
    if (rc) {
        const char *body = cli_db_last_conflict_json();
        if (rc == OG_DB_E_PRECONDITION && cli_has(&a, "json") && body) cli_print_json(body);
        code = cli_fail(rc);
        goto done;
    }
    if (!mutation) { code = print_read(out, format); goto done; }
    if (cli_has(&a, "json")) { code = cli_print_json(out); goto done; }
    json_t *j = json_loads(out, 0, NULL);
    printf("changed %s via %s: %lld nodes, %lld edges\n",
           json_string_value(json_object_get(j, "branch")),
           json_string_value(json_object_get(j, "query_name")),
           (long long)json_integer_value(json_object_get(j, "affected_nodes")),
           (long long)json_integer_value(json_object_get(j, "affected_edges")));
    json_decref(j);
    code = CLI_EXIT_OK;
done:
    og_free(out);
    cli_db_close(db);
    free(params);
    free(src);
    return code;
}

int cli_query(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "lint") || !strcmp(argv[1], "check")))
        return cli_lint_shim(argc, argv);
    return run(argc, argv, false, "query");
}

int cli_read(int argc, char **argv)
{
    fprintf(stderr, "warning: `omnigraph read` is deprecated; use `omnigraph query`\n");
    return run(argc, argv, false, "read");
}

int cli_mutate(int argc, char **argv)
{
    return run(argc, argv, true, "mutate");
}

int cli_change(int argc, char **argv)
{
    fprintf(stderr, "warning: `omnigraph change` is deprecated; use `omnigraph mutate`\n");
    return run(argc, argv, true, "change");
}
