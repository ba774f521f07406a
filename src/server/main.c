/* main.c — omnigraph-server: boot, libmicrohttpd glue, graceful shutdown.
 * (1) Bodies accumulate per connection up to the route's limit; beyond it
 *     the rest is read and discarded and the answer is 413 with
 *     resource_limit. A declared Content-Length over OG_SRV_DRAIN_MAX is
 *     answered at once instead, without reading the body.
 * (2) URLs reach the router raw (identity unescape callback): the router
 *     and query_arg percent-decode exactly once.
 * (3) SIGINT/SIGTERM: stop accepting, wait (bounded) for in-flight
 *     requests, stop the daemon, close graphs. Signals are blocked in every
 *     thread and taken by sigwait in main. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "omnigraph.h"
#include "server.h"

/* (1) largest over-limit body read and dropped before its 413 */
#define OG_SRV_DRAIN_MAX (64ull << 20)

typedef struct conn_state {
    og_route route;
    char *body;
    size_t len, cap, limit;
    bool too_large;
    char *decoded[8];
    int ndecoded;
} conn_state;

static atomic_int inflight;

static const char *hdr_lookup(void *conn, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)conn, MHD_HEADER_KIND, name);
}

static _Thread_local conn_state *tls_state;

static const char *arg_lookup(void *conn, const char *name)
{
    const char *raw = MHD_lookup_connection_value((struct MHD_Connection *)conn, MHD_GET_ARGUMENT_KIND, name);
    conn_state *cs = tls_state;
    if (!raw || !cs || cs->ndecoded >= 8) return NULL;
    size_t n = strlen(raw);
    char *d = malloc(n + 1);
    if (!d || !og_route_pct_decode(raw, n, true, d, n + 1)) { free(d); return NULL; }
    cs->decoded[cs->ndecoded++] = d;
    return d;
}

static size_t identity_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls; (void)c;
    return strlen(s);
}

typedef struct stream_ctx {
    void *stream;
    long (*read)(void *stream, char *buf, size_t max);
    void (*release)(void *stream);
} stream_ctx;

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream_ctx *sc = cls;
    (void)pos;
    long n = sc->read(sc->stream, buf, max);
    if (n == OG_STREAM_END) return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return (ssize_t)n;
}

static void stream_release(void *cls)
{
    stream_ctx *sc = cls;
    sc->release(sc->stream);
    free(sc);
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, og_resp *r)
{
    struct MHD_Response *mr;
    if (r->stream) {
        stream_ctx *sc = malloc(sizeof *sc);
        if (!sc) { og_resp_free(r); return MHD_NO; }
        *sc = (stream_ctx){r->stream, r->stream_read, r->stream_free};
        mr = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_reader, sc, stream_release);
        if (!mr) { free(sc); og_resp_free(r); return MHD_NO; }
        r->stream = NULL; /* owned by MHD now */
    } else {
        mr = MHD_create_response_from_buffer(r->len, r->body ? r->body : (void *)"",
                                             r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (!mr) { og_resp_free(r); return MHD_NO; }
        r->body = NULL; /* owned by MHD now */
    }
    MHD_add_response_header(mr, "Content-Type", r->ctype ? r->ctype : "application/json");
    for (int i = 0; i < r->nhdr; i++) MHD_add_response_header(mr, r->hdr_name[i], r->hdr_value[i]);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)(r->status ? r->status : 500), mr);
    MHD_destroy_response(mr);
    og_resp_free(r);
    return ret;
}

static void too_large(og_resp *r, size_t limit, size_t actual)
{
    char msg[160];
    snprintf(msg, sizeof msg, "request body exceeds the limit of %zu bytes", limit);
    json_t *x = json_pack("{s:{s:s, s:I, s:I}}", "resource_limit", "resource", "request_body_bytes",
                          "limit", (json_int_t)limit, "actual", (json_int_t)actual);
    og_resp_error(r, 413, "bad_request", msg, x);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    og_srv *s = cls;
    conn_state *cs = *con_cls;
    og_resp r = {0};
    (void)version;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs) return MHD_NO;
        *con_cls = cs;
        atomic_fetch_add(&inflight, 1);
        og_route_match(method, url, strlen(url), &cs->route);
        cs->limit = og_route_body_limit(cs->route.flags);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            unsigned long long n = strtoull(cl, NULL, 10);
            if (n > cs->limit) {
                cs->too_large = true;
                /* (1) A body up to OG_SRV_DRAIN_MAX is read and dropped
                 * before the 413: answering mid-upload makes the kernel
                 * reset the connection, and the client may never read the
                 * answer. Beyond it, answer at once. */
                if (n > OG_SRV_DRAIN_MAX) {
                    too_large(&r, cs->limit, (size_t)n);
                    return send_resp(conn, &r);
                }
            }
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        if (!cs->too_large && cs->len + n > cs->limit) cs->too_large = true;
        if (!cs->too_large) {
            if (cs->len + n + 1 > cs->cap) {
                size_t nc = cs->cap ? cs->cap : 16384;
                while (nc < cs->len + n + 1) nc *= 2;
                char *nb = realloc(cs->body, nc);
                if (!nb) return MHD_NO;
                cs->body = nb;
                cs->cap = nc;
            }
            memcpy(cs->body + cs->len, upload_data, n);
            cs->len += n;
            cs->body[cs->len] = '\0';
        } else {
            cs->len += n;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (cs->too_large) {
        too_large(&r, cs->limit, cs->len);
        return send_resp(conn, &r);
    }
    og_req q = {0};
    q.srv = s;
    q.method = method;
    q.route = cs->route;
    q.body = cs->body;
    q.body_len = cs->len;
    q.header = hdr_lookup;
    q.query_arg = arg_lookup;
    q.conn = conn;
    tls_state = cs;
    og_srv_handle(&q, &r);
    tls_state = NULL;
    og_log_info("%s %s -> %d", method, url, r.status);
    return send_resp(conn, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    conn_state *cs = *con_cls;
    (void)cls; (void)c; (void)t;
    if (!cs) return;
    for (int i = 0; i < cs->ndecoded; i++) free(cs->decoded[i]);
    free(cs->body);
    free(cs);
    *con_cls = NULL;
    atomic_fetch_sub(&inflight, 1);
}

static const char *env_get(const char *name) { return getenv(name); }

/* Parses HOST:PORT or [V6]:PORT into a socket address. */
static int parse_bind(const char *bind, struct sockaddr_storage *ss, bool *v6)
{
    char host[256];
    const char *colon, *hs = bind;
    size_t hl;
    if (bind[0] == '[') {
        const char *e = strchr(bind, ']');
        if (!e || e[1] != ':') return -1;
        hs = bind + 1;
        hl = (size_t)(e - hs);
        colon = e + 1;
    } else {
        colon = strrchr(bind, ':');
        if (!colon) return -1;
        hl = (size_t)(colon - bind);
    }
    if (hl == 0 || hl >= sizeof host) return -1;
    memcpy(host, hs, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535) return -1;
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) || !res) return -1;
    memset(ss, 0, sizeof *ss);
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    if (*v6) ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    return 0;
}

/* The background reconciler: every OMNIGRAPH_RECOVERY_INTERVAL_MS (default
 * 5000; 0 turns it off) it runs crash recovery on every served graph, so a
 * writer that died mid-write in another process is rolled forward or back
 * without a restart (design.md §2 item 3); a graph whose recovery cannot
 * finish is recovery-required until a later pass succeeds (recovery_gate.c). */
static pthread_mutex_t recon_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t recon_cv = PTHREAD_COND_INITIALIZER;
static bool recon_stop;

static void *reconciler(void *arg)
{
    og_srv *s = arg;
    const char *e = getenv("OMNIGRAPH_RECOVERY_INTERVAL_MS");
    long ms = e && *e ? atol(e) : 5000;
    if (ms <= 0) return NULL;
    pthread_mutex_lock(&recon_mu);
    while (!recon_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += ms / 1000;
        until.tv_nsec += (ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&recon_cv, &recon_mu, &until);
        if (recon_stop) break;
        pthread_mutex_unlock(&recon_mu);
        for (size_t i = 0; i < s->ngraphs; i++) og_srv_graph_reconcile(&s->graphs[i]);
        og_srv_maintenance_tick(s); /* maintenance.c: compaction and GC */
        pthread_mutex_lock(&recon_mu);
    }
    pthread_mutex_unlock(&recon_mu);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t recon;
    bool recon_started = false;
    og_srv s;
    int code = 1;
    struct MHD_Daemon *d = NULL;
    sigset_t sigs;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.adm_mu, NULL);
    og_log_set_sink(og_log_stderr_sink, NULL);
    og_log_init_from_env();
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: omnigraph-server (--graph ID=URI ... | --cluster DIR) [--policy FILE]\n"
               "       [--bind HOST:PORT] [--unauthenticated] [--threads N] [--timeout SECONDS]\n");
        code = 0;
        goto done;
    }
    if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        printf("omnigraph-server %s\n", og_version());
        code = 0;
        goto done;
    }
    if (og_srv_config_parse(&s, argc, argv, env_get) || og_srv_finish_boot(&s, env_get)) {
        fprintf(stderr, "error: %s\n", og_errmsg());
        code = 2;
        goto done;
    }
    for (size_t i = 0; i < s.ngraphs; i++)
        if (og_srv_graph_open(&s.graphs[i])) {
            fprintf(stderr, "error: %s\n", og_errmsg());
            goto done;
        }
    struct sockaddr_storage ss;
    bool v6 = false;
    if (parse_bind(s.cfg.bind, &ss, &v6)) {
        fprintf(stderr, "error: bad --bind '%s' (expected HOST:PORT)\n", s.cfg.bind);
        code = 2;
        goto done;
    }
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_EPOLL | (v6 ? MHD_USE_IPv6 : 0);
    d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &s,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s.cfg.threads,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)s.cfg.timeout_s,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape, NULL,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
                         MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "error: cannot listen on %s\n", s.cfg.bind);
        goto done;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char ip[INET6_ADDRSTRLEN] = "";
    if (v6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof ip);
    else inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof ip);
    printf(v6 ? "OMNIGRAPH_LISTEN_ADDR=[%s]:%u\n" : "OMNIGRAPH_LISTEN_ADDR=%s:%u\n", ip, info ? info->port : 0);
    fflush(stdout);
    og_log_info("serving %zu graph(s) on %s", s.ngraphs, s.cfg.bind);
    recon_started = pthread_create(&recon, NULL, reconciler, &s) == 0;
    int sig = 0;
    sigwait(&sigs, &sig);
    og_log_info("signal %d: shutting down", sig);
    MHD_quiesce_daemon(d);
    for (int i = 0; i < 300 && atomic_load(&inflight) > 0; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    code = 0;
done:
    if (recon_started) {
        pthread_mutex_lock(&recon_mu);
        recon_stop = true;
        pthread_cond_signal(&recon_cv);
        pthread_mutex_unlock(&recon_mu);
        pthread_join(recon, NULL);
    }
    if (d) MHD_stop_daemon(d);
    og_srv_free(&s);
    pthread_mutex_destroy(&s.adm_mu);
    return code;
}
