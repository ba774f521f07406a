/* fuzz_server_route.c — the router and the request front end on arbitrary
 * input: line 1 = method, line 2 = path, line 3 = Authorization, rest =
 * body. Must never crash, leak, or answer without a status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/server.h"
#include "server/route.h"
#include "server/auth.h"
#include "server/yaml_doc.h"
#include "server/policy.h"

static const char *fz_hdr_auth;
static const char *fz_hdr(void *c, const char *n)
{
    (void)c;
    if (!strcmp(n, "Authorization")) return fz_hdr_auth;
    if (!strcmp(n, "Content-Type")) return "application/json";
    return NULL;
}
static const char *fz_arg(void *c, const char *n) { (void)c; (void)n; return NULL; }

static char *next_line(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *s = *p, *e = s;
    while (e < end && *e != '\n') e++;
    char *out = strndup((const char *)s, (size_t)(e - s));
    *p = e < end ? e + 1 : e;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char *method = next_line(&p, end), *path = next_line(&p, end), *auth = next_line(&p, end);
    og_srv s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.adm_mu, NULL);
    s.cfg.actor_inflight_max = 2;
    s.cfg.actor_bytes_max = 1 << 20;
    og_auth_add(&s.auth, "alice", "tok");
    s.mode = auth && auth[0] == 'P' ? OG_MODE_DEFAULT_DENY : OG_MODE_OPEN;
    og_srv_add_graph(&s, "g", "/nonexistent/omnigraph-fuzz");
    og_srv_add_graph(&s, "g-2", "/nonexistent/omnigraph-fuzz2");
    if (method && path && auth) {
        og_req q = {0};
        og_resp r = {0};
        og_route_match(method, path, strlen(path), &q.route);
        fz_hdr_auth = auth[0] ? auth : NULL;
        q.srv = &s;
        q.method = method;
        q.body = (const char *)p;
        q.body_len = (size_t)(end - p);
        q.header = fz_hdr;
        q.query_arg = fz_arg;
        og_srv_handle(&q, &r);
        if (r.status < 200 || r.status > 599) abort();
        og_resp_free(&r);
    }
    og_srv_free(&s);
    free(method);
    free(path);
    free(auth);
    return 0;
}
