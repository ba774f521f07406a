/* bench_server.c — a small keep-alive HTTP/1.1 client for omnigraph-server
 * (graphs of examples/demo.pg), in two modes:
 *
 *   bench_server load ADDR GRAPH CLIENTS REQUESTS ACKED_FILE [--allow-disconnect]
 *                [--write-every N]
 *     CLIENTS threads × REQUESTS mixed requests: every Nth request (N = 4 by
 *     default) is a single-entity insert mutation of a unique name,
 *     rotating over the Person, Topic and Paper tables; the others are, in
 *     turn, point-lookup queries, snapshots, schema reads and branch lists.
 *     A lost write race (409) is retried up to 50 times. Every acknowledged
 *     (200) insert key is appended to ACKED_FILE. Exit 1 on any 5xx or
 *     unexpected status; a refused or dropped connection is an error unless
 *     --allow-disconnect (then the client stops quietly: the server is being
 *     killed).
 *
 *   bench_server bench ADDR GRAPH SECONDS
 *     Loads 1,000 Person nodes, then for 1, 4 and 16 concurrent clients runs
 *     point-lookup queries and single-entity insert mutations for SECONDS
 *     each and prints requests/s, p50 and p99 latency.
 *
 * (1) The actor token, if any, comes from OMNIGRAPH_BEARER_TOKEN.
 * (2) Responses are read by Content-Length (libmicrohttpd sends it for
 *     buffered bodies); a response without one closes the connection. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct conn {
    int fd;
    struct sockaddr_in sa;
    char *buf;      /* response bytes */
    size_t len, cap;
} conn;

static const char *g_graph;
static const char *g_token;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int conn_open(conn *c)
{
    int one = 1;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&c->sa, sizeof c->sa)) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static void conn_close(conn *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One request; returns the HTTP status (body in c->buf) or -1 when the
 * connection failed. Reconnects once when a kept-alive socket was closed. */
static int request(conn *c, const char *method, const char *path, const char *ctype, const char *body)
{
    char head[1024];
    size_t blen = body ? strlen(body) : 0;
    int status = -1;
    for (int attempt = 0; attempt < 2 && status < 0; attempt++) {
        if (c->fd < 0 && conn_open(c)) return -1;
        int n = snprintf(head, sizeof head,
                         "%s %s HTTP/1.1\r\nHost: bench\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s%s\r\n",
                         method, path, ctype, blen, g_token ? "Authorization: Bearer " : "",
                         g_token ? g_token : "", g_token ? "\r\n" : "");
        if (write_all(c->fd, head, (size_t)n) || (blen && write_all(c->fd, body, blen))) {
            conn_close(c);
            continue;
        }
        c->len = 0;
        size_t hdr_end = 0, need = 0;
        bool have_len = false;
        for (;;) {
            if (c->len + 65536 + 1 > c->cap) {
                size_t nc = c->cap ? c->cap * 2 : 131072;
                char *nb = realloc(c->buf, nc);
                if (!nb) break;
                c->buf = nb;
                c->cap = nc;
            }
            ssize_t r = recv(c->fd, c->buf + c->len, 65536, 0);
            if (r <= 0) break;
            c->len += (size_t)r;
            c->buf[c->len] = '\0';
            if (!hdr_end) {
                char *e = strstr(c->buf, "\r\n\r\n");
                if (!e) continue;
                hdr_end = (size_t)(e - c->buf) + 4;
                for (char *h = c->buf; h && h < e; h = strstr(h, "\r\n"), h = h ? h + 2 : NULL)
                    if (!strncasecmp(h, "Content-Length:", 15)) {
                        need = strtoull(h + 15, NULL, 10);
                        have_len = true;
                    }
            }
            if (have_len && c->len >= hdr_end + need) {
                status = atoi(c->buf + 9);
                break;
            }
        }
        if (status < 0 || !have_len) conn_close(c);
        if (status < 0 && c->len > 0) return -1; /* died mid-response: do not resend */
    }
    return status;
}

static int mutate_insert(conn *c, const char *name, int born)
{
    char body[512], path[256];
    snprintf(path, sizeof path, "/graphs/%s/mutate", g_graph);
    snprintf(body, sizeof body,
             "{\"query\":\"query add($n: String, $b: I32){ insert Person { name: $n, born: $b } }\","
             "\"params\":{\"n\":\"%s\",\"b\":%d}}", name, born);
    return request(c, "POST", path, "application/json", body);
}

/* Insert k of a load client: Person, Topic or Paper in turn. */
static int mutate_insert_any(conn *c, const char *key, int k)
{
    char body[512], path[256];
    if (k % 3 == 0) return mutate_insert(c, key, k);
    snprintf(path, sizeof path, "/graphs/%s/mutate", g_graph);
    if (k % 3 == 1)
        snprintf(body, sizeof body,
                 "{\"query\":\"query add($s: String){ insert Topic { slug: $s, title: $s } }\","
                 "\"params\":{\"s\":\"%s\"}}", key);
    else
        snprintf(body, sizeof body,
                 "{\"query\":\"query add($t: String, $y: I32){ insert Paper { title: $t, year: $y } }\","
                 "\"params\":{\"t\":\"%s\",\"y\":%d}}", key, 2000 + k % 20);
    return request(c, "POST", path, "application/json", body);
}

static int point_lookup(conn *c, const char *name)
{
    char body[512], path[256];
    snprintf(path, sizeof path, "/graphs/%s/query", g_graph);
    snprintf(body, sizeof body,
             "{\"query\":\"query one($n: String){ match { $p: Person { name: $n } } return { $p.name, $p.born } }\","
             "\"params\":{\"n\":\"%s\"}}", name);
    return request(c, "POST", path, "application/json", body);
}

/* ---- load mode ---- */

typedef struct load_arg {
    int id, requests, write_every;
    bool allow_disconnect;
    FILE *acked;
    pthread_mutex_t *mu;
    struct sockaddr_in sa;
    int bad, conflicts_retried, writes, disconnected;
} load_arg;

static void *load_main(void *p)
{
    load_arg *a = p;
    conn c = {.fd = -1, .sa = a->sa};
    char name[64], path[256];
    int nwrites = 0, nreads = 0;
    for (int i = 0; i < a->requests; i++) {
        int st;
        switch (i % a->write_every == 0 ? 0 : 1 + nreads++ % 4) {
        case 0:
            snprintf(name, sizeof name, "c%d_%d", a->id, i);
            st = mutate_insert_any(&c, name, nwrites);
            for (int r = 0; st == 409 && r < 50; r++, a->conflicts_retried++) st = mutate_insert_any(&c, name, nwrites);
            nwrites++;
            if (st == 200) {
                pthread_mutex_lock(a->mu);
                fprintf(a->acked, "%s\n", name);
                fflush(a->acked);
                pthread_mutex_unlock(a->mu);
                a->writes++;
            }
            break;
        case 1: st = point_lookup(&c, i > 4 ? name : "Ada"); break;
        case 2:
            snprintf(path, sizeof path, "/graphs/%s/snapshot", g_graph);
            st = request(&c, "GET", path, "application/json", NULL);
            break;
        case 3:
            snprintf(path, sizeof path, "/graphs/%s/schema", g_graph);
            st = request(&c, "GET", path, "application/json", NULL);
            break;
        default:
            snprintf(path, sizeof path, "/graphs/%s/branches", g_graph);
            st = request(&c, "GET", path, "application/json", NULL);
            break;
        }
        if (st < 0 && a->allow_disconnect) { a->disconnected = 1; break; }
        if (st != 200 && st != 409) {
            fprintf(stderr, "client %d request %d: status %d: %.300s\n", a->id, i, st, c.buf ? c.buf : "");
            a->bad++;
            if (st < 0) break;
        }
    }
    conn_close(&c);
    free(c.buf);
    return NULL;
}

static int run_load(struct sockaddr_in sa, int clients, int requests, const char *acked_path, bool allow_disc,
                    int write_every)
{
    FILE *f = fopen(acked_path, "a");
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    load_arg *a = calloc((size_t)clients, sizeof *a);
    pthread_t *t = calloc((size_t)clients, sizeof *t);
    int bad = 0, writes = 0, retried = 0, disc = 0;
    if (!f || !a || !t) { fprintf(stderr, "setup failed\n"); bad = 1; goto done; }
    double t0 = now_s();
    for (int i = 0; i < clients; i++) {
        a[i] = (load_arg){.id = i, .requests = requests, .write_every = write_every, .allow_disconnect = allow_disc,
                          .acked = f, .mu = &mu, .sa = sa};
        pthread_create(&t[i], NULL, load_main, &a[i]);
    }
    for (int i = 0; i < clients; i++) {
        pthread_join(t[i], NULL);
        bad += a[i].bad;
        writes += a[i].writes;
        retried += a[i].conflicts_retried;
        disc += a[i].disconnected;
    }
    printf("load: %d clients x %d requests in %.2f s: %d acknowledged writes, %d 409 retries, %d bad, %d disconnected\n",
           clients, requests, now_s() - t0, writes, retried, bad, disc);
done:
    if (f) fclose(f);
    free(a);
    free(t);
    return bad ? 1 : 0;
}

/* ---- bench mode ---- */

typedef struct bench_arg {
    int id;
    bool write;
    double until;
    struct sockaddr_in sa;
    double *lat;
    size_t n, cap;
    int bad;
} bench_arg;

static void *bench_main(void *p)
{
    bench_arg *a = p;
    conn c = {.fd = -1, .sa = a->sa};
    char name[64];
    unsigned seed = (unsigned)a->id * 2654435761u + 1;
    for (size_t i = 0; now_s() < a->until; i++) {
        double t0 = now_s();
        int st;
        if (a->write) {
            snprintf(name, sizeof name, "w%d_%zu_%ld", a->id, i, (long)(t0 * 1000));
            st = mutate_insert(&c, name, 1);
        } else {
            seed = seed * 1103515245u + 12345u;
            snprintf(name, sizeof name, "p%u", (seed >> 8) % 1000);
            st = point_lookup(&c, name);
        }
        double dt = now_s() - t0;
        if (st != 200 && st != 409) { a->bad++; if (st < 0) break; continue; }
        if (a->n == a->cap) {
            size_t nc = a->cap ? a->cap * 2 : 4096;
            double *nl = realloc(a->lat, nc * sizeof *nl);
            if (!nl) break;
            a->lat = nl;
            a->cap = nc;
        }
        a->lat[a->n++] = st == 200 ? dt : -dt; /* negative: a 409 */
    }
    conn_close(&c);
    free(c.buf);
    return NULL;
}

static int cmp_d(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int run_cell(struct sockaddr_in sa, int clients, bool write, double secs)
{
    bench_arg *a = calloc((size_t)clients, sizeof *a);
    pthread_t *t = calloc((size_t)clients, sizeof *t);
    double *all = NULL;
    size_t n = 0, conflicts = 0;
    int bad = 0;
    if (!a || !t) goto done;
    double t0 = now_s();
    for (int i = 0; i < clients; i++) {
        a[i] = (bench_arg){.id = i, .write = write, .until = t0 + secs, .sa = sa};
        pthread_create(&t[i], NULL, bench_main, &a[i]);
    }
    for (int i = 0; i < clients; i++) { pthread_join(t[i], NULL); n += a[i].n; bad += a[i].bad; }
    double el = now_s() - t0;
    all = malloc((n ? n : 1) * sizeof *all);
    if (!all) goto done;
    n = 0;
    for (int i = 0; i < clients; i++)
        for (size_t j = 0; j < a[i].n; j++) {
            double v = a[i].lat[j];
            if (v < 0) { conflicts++; v = -v; }
            all[n++] = v;
        }
    qsort(all, n, sizeof *all, cmp_d);
    printf("%-8s clients=%-2d  %7.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%zu requests, %zu 409, %d errors)\n",
           write ? "mutate" : "lookup", clients, (double)n / el, n ? all[n / 2] * 1e3 : 0,
           n ? all[(size_t)((double)n * 0.99)] * 1e3 : 0, n, conflicts, bad);
done:
    for (int i = 0; a && i < clients; i++) free(a[i].lat);
    free(a);
    free(t);
    free(all);
    return bad;
}

static int run_bench(struct sockaddr_in sa, double secs)
{
    conn c = {.fd = -1, .sa = sa};
    size_t cap = 1000 * 64, len = 0;
    char *nd = malloc(cap), path[256];
    int bad = 0;
    for (int i = 0; nd && i < 1000; i++)
        len += (size_t)snprintf(nd + len, cap - len, "{\"type\":\"Person\",\"data\":{\"name\":\"p%d\",\"born\":%d}}\n", i, i);
    snprintf(path, sizeof path, "/graphs/%s/load/ndjson?mode=merge", g_graph);
    int st = nd ? request(&c, "POST", path, "application/x-ndjson", nd) : -1;
    free(nd);
    conn_close(&c);
    free(c.buf);
    if (st != 200) { fprintf(stderr, "bench load: status %d\n", st); return 1; }
    static const int cl[] = {1, 4, 16};
    for (int w = 0; w < 2; w++)
        for (size_t i = 0; i < 3; i++) bad += run_cell(sa, cl[i], w == 1, secs);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    if (argc < 5) {
        fprintf(stderr, "usage: bench_server load ADDR GRAPH CLIENTS REQUESTS ACKED [--allow-disconnect] [--write-every N]\n"
                        "       bench_server bench ADDR GRAPH SECONDS\n");
        return 2;
    }
    char host[64];
    const char *colon = strrchr(argv[2], ':');
    if (!colon || (size_t)(colon - argv[2]) >= sizeof host) return 2;
    memcpy(host, argv[2], (size_t)(colon - argv[2]));
    host[colon - argv[2]] = '\0';
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) return 2;
    sa.sin_port = htons((uint16_t)atoi(colon + 1));
    g_graph = argv[3];
    g_token = getenv("OMNIGRAPH_BEARER_TOKEN");
    if (!strcmp(argv[1], "load") && argc >= 7) {
        bool disc = false;
        int every = 4;
        for (int i = 7; i < argc; i++) {
            if (!strcmp(argv[i], "--allow-disconnect")) disc = true;
            else if (!strcmp(argv[i], "--write-every") && i + 1 < argc && atoi(argv[i + 1]) > 0) every = atoi(argv[++i]);
            else { fprintf(stderr, "bench_server load: unknown option %s\n", argv[i]); return 2; }
        }
        return run_load(sa, atoi(argv[4]), atoi(argv[5]), argv[6], disc, every);
    }
    if (!strcmp(argv[1], "bench")) return run_bench(sa, atof(argv[4]));
    return 2;
}
