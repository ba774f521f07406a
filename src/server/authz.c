/* authz.c — authorization decisions and per-actor admission (§5.2, §5.3, §7).
 * (1) Open mode allows every per-graph action; DefaultDeny allows only
 *     `read`; PolicyEnabled asks the graph's bundle.
 * (2) graph_list (GET /graphs) is a server action: only a server-scoped
 *     bundle can grant it, so it is denied in Open and DefaultDeny modes
 *     (surface.md §5.3: "denied unless a cluster-scoped bundle grants it,
 *     even unauthenticated") and with tokens needs that grant.
 * (3) Admission counts in-flight writes and body bytes per actor under one
 *     mutex; a request over either budget gets 429 + Retry-After and takes
 *     nothing. Every admitted request is released exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int og_srv_authorize(og_req *q, og_resp *r, const char *action, const char *branch,
                     const char *target, bool as_not_found)
{
    og_srv *s = q->srv;
    char msg[1500];
    og_policy_req pr = {q->actor, action, branch, target};
    bool ok;
    bool server_action = !strcmp(action, "graph_list");
    if (s->mode == OG_MODE_OPEN && !server_action) {
        ok = true;
    } else if (s->mode != OG_MODE_POLICY) {
        ok = !server_action && !strcmp(action, "read");
        if (!ok) og_policy_deny_message(&pr, msg, sizeof msg);
    } else {
        const og_policy *p = server_action ? s->server_policy : (q->graph ? q->graph->policy : NULL);
        ok = og_policy_allows(p, &pr, msg, sizeof msg, NULL);
    }
    if (ok) return 0;
    if (as_not_found)
        og_resp_error(r, 404, "not_found", "stored query not found", NULL);
    else
        og_resp_error(r, 403, "forbidden", msg, NULL);
    return -1;
}

static og_srv_actor_load *load_for(og_srv *s, const char *actor)
{
    for (size_t i = 0; i < s->nloads; i++)
        if (!strcmp(s->loads[i].actor, actor)) return &s->loads[i];
    og_srv_actor_load *n = realloc(s->loads, (s->nloads + 1) * sizeof *n);
    if (!n) return NULL;
    s->loads = n;
    n[s->nloads].actor = strdup(actor);
    if (!n[s->nloads].actor) return NULL;
    n[s->nloads].inflight = 0;
    n[s->nloads].bytes = 0;
    return &s->loads[s->nloads++];
}

int og_srv_admit(og_req *q, og_resp *r, uint64_t bytes)
{
    og_srv *s = q->srv;
    const char *actor = q->actor ? q->actor : "";
    int rc = 0;
    char msg[256];
    pthread_mutex_lock(&s->adm_mu);
    og_srv_actor_load *l = load_for(s, actor);
    if (!l) {
        og_resp_error(r, 500, "internal", "out of memory", NULL);
        rc = -1;
    } else if (l->inflight + 1 > s->cfg.actor_inflight_max) {
        snprintf(msg, sizeof msg, "too many in-flight requests for actor '%s' (limit %zu)",
                 actor, s->cfg.actor_inflight_max);
        rc = -2;
    } else if (l->bytes + bytes > s->cfg.actor_bytes_max) {
        snprintf(msg, sizeof msg, "in-flight byte budget exceeded for actor '%s' (limit %llu)",
                 actor, (unsigned long long)s->cfg.actor_bytes_max);
        rc = -2;
    } else {
        l->inflight++;
        l->bytes += bytes;
    }
    pthread_mutex_unlock(&s->adm_mu);
    if (rc == -2) {
        og_resp_error(r, 429, "too_many_requests", msg, NULL);
        og_resp_header(r, "Retry-After", "1");
    }
    return rc;
}

void og_srv_release(og_req *q, uint64_t bytes)
{
    og_srv *s = q->srv;
    const char *actor = q->actor ? q->actor : "";
    pthread_mutex_lock(&s->adm_mu);
    for (size_t i = 0; i < s->nloads; i++)
        if (!strcmp(s->loads[i].actor, actor)) {
            if (s->loads[i].inflight) s->loads[i].inflight--;
            s->loads[i].bytes -= bytes <= s->loads[i].bytes ? bytes : s->loads[i].bytes;
        }
    pthread_mutex_unlock(&s->adm_mu);
}
