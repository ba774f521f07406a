/* bench_write.c — write workloads W1 (bulk load), W3 (single durable
 * upsert), W4 (batch upsert) and W10 (delete + edge cascade) of the shared
 * benchmark (/work/shared/bench/README.md) on omnigraph and on SQLite in
 * the same run, over the same gen.py data.
 * (1) Usage: bench_write DATA_DIR [DB_DIR]. DATA_DIR is gen.py output;
 *     DB_DIR (default DATA_DIR/og-wdb) is recreated. The SQLite copy is
 *     DB_DIR.sqlite: WAL, synchronous=FULL, primary keys on slugs, indexes
 *     on edge src and dst (maintained synchronously by every write).
 * (2) omnigraph runs through the public C API (include/omnigraph.h):
 *     og_db_load for W1/W4, og_db_mutate with the upsert_person /
 *     delete_person queries of queries.gq for W3/W10 (each one durable
 *     commit; the query text is parsed per call, as any API caller does).
 * (3) Embeddings: kept by default (W3/W4 records carry them; SQLite stores
 *     them as a 512-byte float32 blob). OG_BENCH_NO_EMBEDDING=1 drops the
 *     `embedding` field from every input of both engines (for scale 1M,
 *     where they are 70 % of the 1.7 GB file and no workload here reads them).
 * (4) W1: graph.jsonl in one overwrite commit (falls back to an append
 *     og_db_load_batched — `load --batch`: batches of <= 8,192 lines —
 *     when a per-commit limit refuses).
 *     W4: w4_upserts.jsonl in merge mode, split into consecutive chunks
 *     within the reference limit of 8,192 entities per type per commit
 *     (2 × 5,000); timed from reading the file to the last durable commit.
 * (5) Statistics: nearest-rank p50/p99, mean, total, p50 of the first and
 *     last 100 (trend). W3 warm-up: the first 10 % (min 3) of its records,
 *     untimed, then re-upserted with the same content in the timed loop;
 *     W10 has no warm-up (a delete cannot be repeated).
 *     Loops stop after BUDGET_S seconds (env OG_BENCH_BUDGET_S, default 120)
 *     and say `truncated`.
 * (7) OG_BENCH_W1_CACHE=DIR: when DIR holds a saved post-W1 state (og/ and
 *     sqlite), W1 is skipped and both databases are copied from it (for
 *     iterating on W3/W4/W10); otherwise W1 runs and its result is saved
 *     there. OG_BENCH_SKIP=W3,W10 skips the named later workloads.
 * (6) Checks: counts after W1 = expected.counts; after W3+W4+W10 =
 *     expected.after_writes (Person, Knows, WorksAt). */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_sqlite.h"
#include "bench_util.h"
#include "omnigraph.h"

#define CHUNK 8192
#define W4_CHUNK 5000

static const char *Q_UPSERT =
    "query upsert_person($slug: String, $name: String, $age: I32?, $city: String, $bio: String?, "
    "$embedding: Vector(128)?) {\n"
    "    insert Person { slug: $slug, name: $name, age: $age, city: $city, bio: $bio, embedding: $embedding }\n"
    "}\n";
static const char *Q_UPSERT_NOEMB =
    "query upsert_person($slug: String, $name: String, $age: I32?, $city: String, $bio: String?) {\n"
    "    insert Person { slug: $slug, name: $name, age: $age, city: $city, bio: $bio }\n"
    "}\n";
static const char *Q_DELETE = "query delete_person($slug: String) {\n    delete Person where slug = $slug\n}\n";

static bool g_noemb;
static double g_budget_ms = 120e3;


static void die_og(const char *what, int rc)
{
    fprintf(stderr, "bench_write: %s failed (%d): %s\n", what, rc, og_errmsg());
    exit(1);
}




/* Drops `,"embedding":[...]` from one NDJSON line in place (3). */
static size_t strip_embedding(char *line, size_t len)
{
    char *e = strstr(line, ",\"embedding\":[");
    if (!e) return len;
    char *close = strchr(e, ']');
    if (!close) return len;
    size_t tail = len - (size_t)(close + 1 - line);
    memmove(e, close + 1, tail);
    e[tail] = 0;
    return (size_t)(e - line) + tail;
}

/* ---- statistics ---- */

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats { double p50, p99, mean, min, max, total, first100, last100; size_t n; } stats;

static double median_of(const double *t, size_t n)
{
    double *c = malloc(n * sizeof *c);
    memcpy(c, t, n * sizeof *c);
    qsort(c, n, sizeof *c, dcmp);
    double m = c[(size_t)ceil(0.5 * (double)n) - 1];
    free(c);
    return m;
}

static stats stat_of(double *t, size_t n)
{
    stats s = {0};
    if (!n) return s;
    size_t k = n < 100 ? n : 100;
    s.first100 = median_of(t, k);
    s.last100 = median_of(t + n - k, k);
    qsort(t, n, sizeof *t, dcmp);
    for (size_t i = 0; i < n; i++) s.total += t[i];
    s.n = n;
    s.p50 = t[(size_t)ceil(0.50 * (double)n) - 1];
    s.p99 = t[(size_t)ceil(0.99 * (double)n) - 1];
    s.mean = s.total / (double)n;
    s.min = t[0];
    s.max = t[n - 1];
    return s;
}

static void report_lat(const char *w, const stats *og, const stats *sq, size_t want, bool ok_og, bool ok_sq)
{
    printf("%-4s omnigraph p50 %8.3f p99 %8.3f mean %8.3f max %8.3f ms total %.2f s first100/last100 p50 %.3f/%.3f "
           "(n=%zu%s, %s)\n",
           w, og->p50, og->p99, og->mean, og->max, og->total / 1e3, og->first100, og->last100, og->n,
           og->n < want ? " TRUNCATED" : "", ok_og ? "ok" : "FAIL");
    printf("%-4s sqlite    p50 %8.3f p99 %8.3f mean %8.3f max %8.3f ms total %.2f s first100/last100 p50 %.3f/%.3f "
           "(n=%zu%s, %s)\n",
           w, sq->p50, sq->p99, sq->mean, sq->max, sq->total / 1e3, sq->first100, sq->last100, sq->n,
           sq->n < want ? " TRUNCATED" : "", ok_sq ? "ok" : "FAIL");
    printf("%-4s ratio og/sqlite p50 %.2f p99 %.2f\n", w, sq->p50 > 0 ? og->p50 / sq->p50 : 0.0,
           sq->p99 > 0 ? og->p99 / sq->p99 : 0.0);
}

/* ---- SQLite ---- */

static void sq_step_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) { fprintf(stderr, "sqlite step: %s\n", sqlite3_errmsg(db)); exit(1); }
    sqlite3_reset(st);
}

/* Binds a Person `data` object to INSERT [OR REPLACE] INTO person(6 cols). */
static void sq_bind_person(sqlite3_stmt *st, json_t *d)
{
    float emb[256];
    sqlite3_bind_text(st, 1, json_string_value(json_object_get(d, "slug")), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, json_string_value(json_object_get(d, "name")), -1, SQLITE_TRANSIENT);
    json_t *age = json_object_get(d, "age");
    if (json_is_integer(age)) sqlite3_bind_int64(st, 3, json_integer_value(age));
    else sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, json_string_value(json_object_get(d, "city")), -1, SQLITE_TRANSIENT);
    const char *bio = json_string_value(json_object_get(d, "bio"));
    if (bio) sqlite3_bind_text(st, 5, bio, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 5);
    json_t *e = json_object_get(d, "embedding");
    size_t n = json_array_size(e);
    if (n && n <= 256) {
        for (size_t i = 0; i < n; i++) emb[i] = (float)json_number_value(json_array_get(e, i));
        sqlite3_bind_blob(st, 6, emb, (int)(n * sizeof(float)), SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, 6);
    }
}

typedef struct sq_ins { sqlite3_stmt *person, *company, *knows, *worksat; } sq_ins;

/* One parsed NDJSON line into the matching statement. */
static void sq_insert_line(sqlite3 *db, const sq_ins *ins, json_t *j)
{
    const char *ty = json_string_value(json_object_get(j, "type"));
    const char *ed = json_string_value(json_object_get(j, "edge"));
    json_t *d = json_object_get(j, "data");
    sqlite3_stmt *st = NULL;
    if (ty && strcmp(ty, "Person") == 0) {
        st = ins->person;
        sq_bind_person(st, d);
    } else if (ty) {
        st = ins->company;
        sqlite3_bind_text(st, 1, json_string_value(json_object_get(d, "slug")), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, json_string_value(json_object_get(d, "name")), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, json_string_value(json_object_get(d, "industry")), -1, SQLITE_TRANSIENT);
    } else if (ed) {
        st = strcmp(ed, "Knows") == 0 ? ins->knows : ins->worksat;
        sqlite3_bind_text(st, 1, json_string_value(json_object_get(j, "from")), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, json_string_value(json_object_get(j, "to")), -1, SQLITE_TRANSIENT);
        if (st == ins->knows) {
            json_t *since = json_object_get(d, "since");
            if (json_is_integer(since)) sqlite3_bind_int64(st, 3, json_integer_value(since));
            else sqlite3_bind_null(st, 3);
        }
    }
    if (st) sq_step_done(db, st);
}

/* Reads, parses and inserts a whole NDJSON file inside one transaction. */
static size_t sq_load_file(sqlite3 *db, const sq_ins *ins, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(1); }
    char *line = NULL;
    size_t cap = 0, n_rows = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        if (!j) continue;
        if (g_noemb) json_object_del(json_object_get(j, "data"), "embedding");
        sq_insert_line(db, ins, j);
        json_decref(j);
        n_rows++;
    }
    free(line);
    fclose(f);
    return n_rows;
}

static int64_t sq_count(sqlite3 *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = sq_prep(db, sql);
    int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

/* ---- omnigraph ---- */

static int64_t og_count(og_db *db, const char *type)
{
    char *js = NULL;
    int rc = og_db_snapshot(db, NULL, &js);
    if (rc) die_og("snapshot", rc);
    json_t *o = json_loads(js, 0, NULL);
    og_free(js);
    int64_t n = -1;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(o, "datasets"), i, d) {
        if (strcmp(json_string_value(json_object_get(d, "type_name")), type) == 0)
            n = json_integer_value(json_object_get(d, "entity_count"));
    }
    json_decref(o);
    return n;
}

static bool check_counts(og_db *db, sqlite3 *sq, json_t *want, const char *when)
{
    static const char *types[] = {"Person", "Company", "Knows", "WorksAt"};
    static const char *tables[] = {"person", "company", "knows", "worksat"};
    bool ok = true;
    printf("counts %s:", when);
    for (size_t i = 0; i < 4; i++) {
        json_t *w = json_object_get(want, types[i]);
        if (!w) continue;
        int64_t a = og_count(db, types[i]), b = sq_count(sq, tables[i]), e = json_integer_value(w);
        printf(" %s og %lld sqlite %lld want %lld;", types[i], (long long)a, (long long)b, (long long)e);
        if (a != e || b != e) ok = false;
    }
    printf(" check %s\n", ok ? "ok" : "FAIL");
    return ok;
}

/* Loads `text` (lines of one type) in append chunks of CHUNK lines. */
static int og_load_chunks(og_db *db, const char *text, size_t len, const char *mode, size_t chunk)
{
    const char *p = text, *end = text + len;
    int commits = 0;
    while (p < end) {
        const char *q = p;
        for (size_t k = 0; k < chunk && q < end; k++) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            q = nl ? nl + 1 : end;
        }
        char *js = NULL;
        int rc = og_db_load(db, NULL, NULL, p, (size_t)(q - p), mode, "bench", &js);
        if (rc) die_og("chunk load", rc);
        og_free(js);
        commits++;
        p = q;
    }
    return commits;
}

/* Reads a whole NDJSON file (embedding-stripped when asked). */
static char *read_input(const char *path, size_t *len)
{
    char *s = slurp(path, len);
    if (!g_noemb) return s;
    char *w = s, *p = s, *end = s + *len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        memmove(w, p, n);
        w[n] = 0;
        n = strip_embedding(w, n);
        w += n;
        *w++ = '\n';
        p += (nl ? (size_t)(nl - p) + 1 : n);
        if (!nl) break;
    }
    *len = (size_t)(w - s);
    *w = 0;
    return s;
}

/* ---- workloads ---- */

typedef struct wl {
    og_db *db;
    sqlite3 *sq;
    sq_ins ins;
    json_t *expected;
    const char *data;
} wl;

static size_t warmup_n(size_t n) { size_t w = n / 10; return w < 3 ? 3 : w; }

static void w1(wl *w, const char *dbdir, const char *schema, size_t slen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/graph.jsonl", w->data);
    int rc = og_db_init(dbdir, schema, slen, 0, "bench");
    if (rc) die_og("init", rc);
    if ((rc = og_db_open(dbdir, 0, &w->db))) die_og("open", rc);
    double t0 = now_ms();
    size_t len = 0;
    char *s = read_input(path, &len);
    char *js = NULL;
    int commits = 1;
    rc = og_db_load(w->db, NULL, NULL, s, len, "overwrite", "bench", &js);
    if (rc == OG_DB_E_LIMIT) {
        fprintf(stderr, "  W1 one commit refused (%s); loading with og_db_load_batched (load --batch)\n",
                og_errmsg());
        og_free(js);
        js = NULL;
        rc = og_db_load_batched(w->db, NULL, NULL, s, len, "append", "bench", NULL, NULL, &js);
        if (rc) die_og("W1 batched load", rc);
        json_t *r = json_loads(js, 0, NULL);
        commits = (int)json_integer_value(json_object_get(r, "batches"));
        json_decref(r);
    } else if (rc) {
        die_og("W1 load", rc);
    }
    og_free(js);
    double og_s = (now_ms() - t0) / 1e3;
    free(s);

    t0 = now_ms();
    sq_exec(w->sq, "BEGIN");
    size_t n_sq = sq_load_file(w->sq, &w->ins, path);
    sq_exec(w->sq, "COMMIT; CREATE INDEX knows_src ON knows(src); CREATE INDEX knows_dst ON knows(dst);"
                   "CREATE INDEX worksat_src ON worksat(src); CREATE INDEX worksat_dst ON worksat(dst); ANALYZE");
    double sq_s = (now_ms() - t0) / 1e3;
    json_t *want = json_object_get(w->expected, "counts");
    size_t n_all = 0;
    const char *k;
    json_t *v;
    json_object_foreach(want, k, v) n_all += (size_t)json_integer_value(v);
    printf("W1   omnigraph %.2f s (%d commit%s, %.0f rows/s) | sqlite %.2f s incl. indexes (%.0f rows/s, %zu lines) | "
           "ratio og/sqlite %.2f\n",
           og_s, commits, commits == 1 ? "" : "s", (double)n_all / og_s, sq_s, (double)n_all / sq_s, n_sq,
           og_s / sq_s);
    check_counts(w->db, w->sq, want, "after W1");
}

/* Timed per-op loop helper state. */
typedef struct loop { double *t; size_t n; double start; } loop;

static bool loop_over(const loop *l) { return now_ms() - l->start > g_budget_ms; }

static void w3(wl *w)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/w3_upserts.jsonl", w->data);
    size_t n = 0;
    char **ls = lines(path, &n);
    json_t **data = malloc(n * sizeof *data);
    for (size_t i = 0; i < n; i++) {                 /* parsing is untimed */
        json_t *j = json_loads(ls[i], 0, NULL);
        data[i] = json_incref(json_object_get(j, "data"));
        if (g_noemb) json_object_del(data[i], "embedding");
        json_decref(j);
    }
    const char *q = g_noemb ? Q_UPSERT_NOEMB : Q_UPSERT;
    size_t qlen = strlen(q);
    loop a = {malloc(n * sizeof(double)), 0, 0}, b = {malloc(n * sizeof(double)), 0, 0};
    bool ok_og = true, ok_sq = true;
    /* warm-up: the first 10 % once (same content as their timed run later) */
    for (size_t i = 0; i < warmup_n(n); i++) {
        char *params = json_dumps(data[i], JSON_COMPACT), *js = NULL;
        int rc = og_db_mutate(w->db, q, qlen, "upsert_person", params, NULL, NULL, "bench", &js);
        if (rc) die_og("W3 warm-up", rc);
        og_free(js);
        free(params);
    }
    a.start = now_ms();
    for (size_t i = 0; i < n && !loop_over(&a); i++) {
        double t0 = now_ms();
        char *params = json_dumps(data[i], JSON_COMPACT), *js = NULL;
        int rc = og_db_mutate(w->db, q, qlen, "upsert_person", params, NULL, NULL, "bench", &js);
        a.t[a.n++] = now_ms() - t0;
        if (rc) { fprintf(stderr, "W3 og: %s\n", og_errmsg()); ok_og = false; }
        og_free(js);
        free(params);
    }
    sqlite3_stmt *st = sq_prep(w->sq, "INSERT OR REPLACE INTO person VALUES(?,?,?,?,?,?)");
    for (size_t i = 0; i < warmup_n(n); i++) { sq_bind_person(st, data[i]); sq_step_done(w->sq, st); }
    b.start = now_ms();
    for (size_t i = 0; i < n && !loop_over(&b); i++) {
        double t0 = now_ms();
        sq_bind_person(st, data[i]);
        if (sqlite3_step(st) != SQLITE_DONE) ok_sq = false;
        sqlite3_reset(st);
        b.t[b.n++] = now_ms() - t0;
    }
    sqlite3_finalize(st);
    stats x = stat_of(a.t, a.n), y = stat_of(b.t, b.n);
    report_lat("W3", &x, &y, n, ok_og, ok_sq);
    for (size_t i = 0; i < n; i++) json_decref(data[i]);
    free(data);
    free(a.t);
    free(b.t);
    free_lines(ls, n);
}

static void w4(wl *w)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/w4_upserts.jsonl", w->data);
    double t0 = now_ms();
    size_t len = 0;
    char *s = read_input(path, &len);
    int commits = og_load_chunks(w->db, s, len, "merge", W4_CHUNK);
    double og_s = (now_ms() - t0) / 1e3;
    free(s);
    sq_ins up = w->ins;
    up.person = sq_prep(w->sq, "INSERT OR REPLACE INTO person VALUES(?,?,?,?,?,?)");
    t0 = now_ms();
    sq_exec(w->sq, "BEGIN");
    size_t n = sq_load_file(w->sq, &up, path);
    sq_exec(w->sq, "COMMIT");
    double sq_s = (now_ms() - t0) / 1e3;
    sqlite3_finalize(up.person);
    printf("W4   omnigraph %.3f s (%d commits, %.0f entities/s) | sqlite %.3f s (1 commit, %.0f entities/s) | "
           "ratio og/sqlite %.2f\n",
           og_s, commits, (double)n / og_s, sq_s, (double)n / sq_s, og_s / sq_s);
}

static void w10(wl *w)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/w10_deletes.txt", w->data);
    size_t n = 0;
    char **keys = lines(path, &n);
    size_t qlen = strlen(Q_DELETE);
    loop a = {malloc(n * sizeof(double)), 0, 0}, b = {malloc(n * sizeof(double)), 0, 0};
    bool ok_og = true, ok_sq = true;
    a.start = now_ms();
    for (size_t i = 0; i < n && !loop_over(&a); i++) {
        double t0 = now_ms();
        json_t *pj = json_pack("{ss}", "slug", keys[i]);
        char *params = json_dumps(pj, JSON_COMPACT), *js = NULL;
        int rc = og_db_mutate(w->db, Q_DELETE, qlen, "delete_person", params, NULL, NULL, "bench", &js);
        a.t[a.n++] = now_ms() - t0;
        if (rc) { fprintf(stderr, "W10 og: %s\n", og_errmsg()); ok_og = false; }
        og_free(js);
        free(params);
        json_decref(pj);
    }
    sqlite3_stmt *dk1 = sq_prep(w->sq, "DELETE FROM knows WHERE src = ?");
    sqlite3_stmt *dk2 = sq_prep(w->sq, "DELETE FROM knows WHERE dst = ?");
    sqlite3_stmt *dw = sq_prep(w->sq, "DELETE FROM worksat WHERE src = ?");
    sqlite3_stmt *dp = sq_prep(w->sq, "DELETE FROM person WHERE slug = ?");
    sqlite3_stmt *all[] = {dk1, dk2, dw, dp};
    b.start = now_ms();
    for (size_t i = 0; i < n && !loop_over(&b); i++) {
        double t0 = now_ms();
        sq_exec(w->sq, "BEGIN");
        for (size_t k = 0; k < 4; k++) {
            sqlite3_bind_text(all[k], 1, keys[i], -1, SQLITE_STATIC);
            if (sqlite3_step(all[k]) != SQLITE_DONE) ok_sq = false;
            sqlite3_reset(all[k]);
        }
        sq_exec(w->sq, "COMMIT");
        b.t[b.n++] = now_ms() - t0;
    }
    for (size_t k = 0; k < 4; k++) sqlite3_finalize(all[k]);
    stats x = stat_of(a.t, a.n), y = stat_of(b.t, b.n);
    report_lat("W10", &x, &y, n, ok_og, ok_sq);
    free(a.t);
    free(b.t);
    free_lines(keys, n);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_write DATA_DIR [DB_DIR]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);   /* progress is visible when redirected */
    g_noemb = getenv("OG_BENCH_NO_EMBEDDING") && strcmp(getenv("OG_BENCH_NO_EMBEDDING"), "0") != 0;
    if (getenv("OG_BENCH_BUDGET_S")) g_budget_ms = atof(getenv("OG_BENCH_BUDGET_S")) * 1e3;
    wl w = {0};
    w.data = argv[1];
    char dbdir[2048], sqpath[2100], path[2100], cmd[16384];
    snprintf(dbdir, sizeof dbdir, "%s", argc > 2 ? argv[2] : "");
    if (!dbdir[0]) snprintf(dbdir, sizeof dbdir, "%s/og-wdb", w.data);
    snprintf(sqpath, sizeof sqpath, "%s.sqlite", dbdir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s-wal' '%s-shm'", dbdir, sqpath, sqpath, sqpath);
    if (system(cmd) != 0) return 1;
    mkdir(dbdir, 0755);
    snprintf(path, sizeof path, "%s/expected.json", w.data);
    w.expected = json_load_file(path, 0, NULL);
    if (!w.expected) { fprintf(stderr, "cannot read %s\n", path); return 1; }
    snprintf(path, sizeof path, "%s/schema.pg", w.data);
    size_t slen = 0;
    char *schema = slurp(path, &slen);
    printf("bench_write: %s, embeddings %s, budget %.0f s per loop\n", w.data, g_noemb ? "dropped" : "kept",
           g_budget_ms / 1e3);

    if (sqlite3_open(sqpath, &w.sq) != SQLITE_OK) { fprintf(stderr, "sqlite open\n"); return 1; }
    sq_exec(w.sq, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  "CREATE TABLE person(slug TEXT PRIMARY KEY, name TEXT, age INTEGER, city TEXT, bio TEXT, embedding BLOB);"
                  "CREATE TABLE company(slug TEXT PRIMARY KEY, name TEXT, industry TEXT);"
                  "CREATE TABLE knows(src TEXT, dst TEXT, since INTEGER);"
                  "CREATE TABLE worksat(src TEXT, dst TEXT);");
    w.ins.person = sq_prep(w.sq, "INSERT INTO person VALUES(?,?,?,?,?,?)");
    w.ins.company = sq_prep(w.sq, "INSERT INTO company VALUES(?,?,?)");
    w.ins.knows = sq_prep(w.sq, "INSERT INTO knows VALUES(?,?,?)");
    w.ins.worksat = sq_prep(w.sq, "INSERT INTO worksat VALUES(?,?)");

    const char *cache = getenv("OG_BENCH_W1_CACHE");
    const char *skip = getenv("OG_BENCH_SKIP") ? getenv("OG_BENCH_SKIP") : "";
    struct stat stc;
    snprintf(path, sizeof path, "%s/og", cache ? cache : "");
    if (cache && stat(path, &stc) == 0) {
        sqlite3_finalize(w.ins.person);
        sqlite3_finalize(w.ins.company);
        sqlite3_finalize(w.ins.knows);
        sqlite3_finalize(w.ins.worksat);
        sqlite3_close(w.sq);
        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-wal' '%s-shm' && cp -a '%s/og' '%s' && cp '%s/sqlite' '%s'", dbdir,
                 sqpath, sqpath, cache, dbdir, cache, sqpath);
        if (system(cmd) != 0) return 1;
        if (sqlite3_open(sqpath, &w.sq) != SQLITE_OK) { fprintf(stderr, "sqlite open\n"); return 1; }
        sq_exec(w.sq, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        w.ins.person = sq_prep(w.sq, "INSERT INTO person VALUES(?,?,?,?,?,?)");
        w.ins.company = sq_prep(w.sq, "INSERT INTO company VALUES(?,?,?)");
        w.ins.knows = sq_prep(w.sq, "INSERT INTO knows VALUES(?,?,?)");
        w.ins.worksat = sq_prep(w.sq, "INSERT INTO worksat VALUES(?,?)");
        int rc = og_db_open(dbdir, 0, &w.db);
        if (rc) die_og("open", rc);
        printf("W1   reused from %s (not timed)\n", cache);
    } else {
        w1(&w, dbdir, schema, slen);
        if (cache) {
            sqlite3_finalize(w.ins.person);
            sqlite3_finalize(w.ins.company);
            sqlite3_finalize(w.ins.knows);
            sqlite3_finalize(w.ins.worksat);
            sqlite3_close(w.sq);   /* checkpoints the WAL into the file */
            snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s' && cp -a '%s' '%s/og' && cp '%s' '%s/sqlite'", cache,
                     cache, dbdir, cache, sqpath, cache);
            if (system(cmd) != 0) return 1;
            if (sqlite3_open(sqpath, &w.sq) != SQLITE_OK) { fprintf(stderr, "sqlite open\n"); return 1; }
            sq_exec(w.sq, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
            w.ins.person = sq_prep(w.sq, "INSERT INTO person VALUES(?,?,?,?,?,?)");
            w.ins.company = sq_prep(w.sq, "INSERT INTO company VALUES(?,?,?)");
            w.ins.knows = sq_prep(w.sq, "INSERT INTO knows VALUES(?,?,?)");
            w.ins.worksat = sq_prep(w.sq, "INSERT INTO worksat VALUES(?,?)");
        }
    }
    if (!strstr(skip, "W1b")) {
        /* W1b: the key indexes (node id; edge id, src, dst) that the
         * harness builds after the load, as `omnigraph optimize` does */
        char *out = NULL;
        double t0 = now_ms();
        int rc = og_db_optimize(w.db, NULL, "bench", &out);
        if (rc) die_og("optimize", rc);
        printf("W1b  omnigraph optimize (key indexes) %.2f s\n", (now_ms() - t0) / 1e3);
        og_free(out);
    }
    if (!strstr(skip, "W3")) w3(&w);
    if (!strstr(skip, "W4")) w4(&w);
    if (!strstr(skip, "W10")) w10(&w);
    bool ok = check_counts(w.db, w.sq, json_object_get(w.expected, "after_writes"), "after W3+W4+W10");

    sqlite3_finalize(w.ins.person);
    sqlite3_finalize(w.ins.company);
    sqlite3_finalize(w.ins.knows);
    sqlite3_finalize(w.ins.worksat);
    sqlite3_close(w.sq);
    og_db_close(w.db);
    json_decref(w.expected);
    free(schema);
    return ok ? 0 : 1;
}
