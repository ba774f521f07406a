/* session.c — what a long-lived reader keeps between queries on one
 * og_graph: pinned head views (internals.md §8.5 "warm reads").
 * (1) A cached view is reused only after og_graph_head_unchanged says its
 *     branch has not moved (one store HEAD of a missing key, plus the ref
 *     for a named branch): a warm read opens no manifest and no table.
 * (2) A view is used by one caller at a time: acquiring marks it busy,
 *     releasing marks it idle again. Concurrent readers of one branch each
 *     get their own view (at most OG_EXEC_SESSION_VIEWS are kept; past
 *     that a view is closed on release).
 * (3) A stale view (its branch moved) is closed when found idle; the
 *     caller gets a freshly opened one, which replaces it.
 * (4) One mutex guards the table; opening and probing run outside it.
 * (6) Before probing, the store's change sequence (store.h) is compared
 *     with the one read just before the view was last validated: equal,
 *     and validated less than trust_us ago, means no acknowledged write
 *     happened since, so the view is reused with no store call at all (the
 *     role of SQLite's WAL-index counter). The timer bounds how long a
 *     write whose process died before signalling stays unseen.
 * (7) The probe of (1) is trusted only within OG_GRAPH_HEAD_LEASE_US of
 *     the last time the view's version was known to be the head (cleanup
 *     may remove manifest versions older than a minute); past it the view
 *     is reopened, which finds the head by listing.
 * (5) Each kept view carries an og_exec_vcache: the resident tables and
 *     graph indexes its queries resolved, held by reference until the view
 *     is dropped, so a warm query goes straight to them. Entries are
 *     allocated one by one, so a vcache never moves while its view is busy
 *     (dropping another entry reorders only the pointer table). */
#include "exec.h"
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "graph/head_probe.h"
#include "graph/manifest.h"

#define OG_EXEC_SESSION_VIEWS 8
#define OG_EXEC_SESSION_TRUST_US 50000   /* (6) default */

typedef struct sview {
    char *branch;           /* canonical: "main" for NULL */
    og_graph_view *v;
    og_exec_vcache vc;
    char *probe;            /* the key og_graph_head_unchanged_at probes */
    bool busy;
    bool has_seq;           /* (6): seq was read before the last validation */
    uint64_t seq;
    int64_t checked_us;     /* monotonic time of the last validation */
} sview;

struct og_exec_session {
    og_graph *g;
    pthread_mutex_t mu;
    sview *views[OG_EXEC_SESSION_VIEWS];   /* own allocations: a vcache address stays put */
    size_t n;
    uint64_t reused, opened;
    int64_t trust_us;
};

/* (6): the store's change sequence now, or has = false. */
static uint64_t seq_now(og_exec_session *s, bool *has)
{
    uint64_t v = 0;
    *has = og_store_change_seq(og_graph_store(s->g), &v) == OG_OK;
    return v;
}

void og_exec_session_set_trust(og_exec_session *s, int64_t trust_us)
{
    if (s) s->trust_us = trust_us < 0 ? 0 : trust_us;
}

og_status og_exec_session_new(og_graph *g, og_exec_session **out)
{
    og_exec_session *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return og_error_set(OG_E_NOMEM, "out of memory");
    s->g = g;
    s->trust_us = OG_EXEC_SESSION_TRUST_US;
    pthread_mutex_init(&s->mu, NULL);
    *out = s;
    return OG_OK;
}

void og_exec_session_free(og_exec_session *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        og_exec_vcache_clear(&s->views[i]->vc);
        og_graph_view_close(s->views[i]->v);
        free(s->views[i]->branch);
        free(s->views[i]->probe);
        free(s->views[i]);
    }
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static void drop_locked(og_exec_session *s, size_t i)
{
    og_exec_vcache_clear(&s->views[i]->vc);
    og_graph_view_close(s->views[i]->v);
    free(s->views[i]->branch);
    free(s->views[i]->probe);
    free(s->views[i]);
    s->views[i] = s->views[--s->n];
}

og_status og_exec_session_view(og_exec_session *s, const char *branch, og_graph_view **out)
{
    og_status rc = OG_OK;
    const char *b = branch ? branch : "main";
    og_graph_view *v = NULL;
    *out = NULL;
    if (!s) return og_error_set(OG_E_INVALID, "no session");
    for (;;) {
        pthread_mutex_lock(&s->mu);
        v = NULL;
        sview *sv = NULL;   /* stable while the view is ours (busy) */
        for (size_t i = 0; i < s->n; i++)
            if (!s->views[i]->busy && strcmp(s->views[i]->branch, b) == 0) {
                s->views[i]->busy = true;
                sv = s->views[i];
                v = sv->v;
                break;
            }
        pthread_mutex_unlock(&s->mu);
        if (!v) break;
        bool same = false, has = false;
        uint64_t seq = seq_now(s, &has);
        int64_t now = og_clock_mono_us();
        if (has && sv->has_seq && seq == sv->seq && now - sv->checked_us < s->trust_us) {
            same = true;   /* (6) nothing written since the last validation */
        } else if (now - sv->checked_us >= OG_GRAPH_HEAD_LEASE_US) {
            same = false;  /* (7) past the lease a missing successor proves nothing: reopen */
        } else {
            rc = og_graph_head_unchanged_at(og_graph_store(s->g), og_graph_view_snapshot(v), sv->probe, &same);
            if (rc) { og_exec_session_release(s, v); return rc; }
            if (same) { sv->has_seq = has; sv->seq = seq; sv->checked_us = now; }
        }
        if (same) {
            pthread_mutex_lock(&s->mu);
            s->reused++;
            pthread_mutex_unlock(&s->mu);
            *out = v;
            return OG_OK;
        }
        pthread_mutex_lock(&s->mu);   /* (3) stale: drop it, look again */
        for (size_t i = 0; i < s->n; i++)
            if (s->views[i]->v == v) { drop_locked(s, i); break; }
        pthread_mutex_unlock(&s->mu);
    }
    bool has = false;
    uint64_t seq = seq_now(s, &has);   /* read before the open validates (6) */
    int64_t opened_us = og_clock_mono_us();
    if ((rc = og_graph_view_open(s->g, branch, NULL, &v))) return rc;
    pthread_mutex_lock(&s->mu);
    s->opened++;
    if (s->n < OG_EXEC_SESSION_VIEWS) {
        size_t nt = og_graph_view_catalog(v)->n_types;
        sview sv = {0}, *heap = malloc(sizeof *heap);
        og_buf key = OG_BUF_INIT;
        sv.branch = strdup(b);
        sv.vc.res = calloc(nt + 1, sizeof *sv.vc.res);
        sv.vc.csr = calloc(nt + 1, sizeof *sv.vc.csr);
        if (og_graph_head_probe_key(og_graph_view_snapshot(v), &key) == OG_OK)
            sv.probe = og_buf_detach(&key, NULL);
        else
            og_error_clear();   /* not kept: no way to probe it */
        og_buf_free(&key);
        if (heap && sv.branch && sv.vc.res && sv.vc.csr && sv.probe) {
            sv.vc.n = nt;
            sv.v = v;
            sv.busy = true;
            sv.has_seq = has;
            sv.seq = seq;
            sv.checked_us = og_graph_view_snapshot(v)->head_checked_us;   /* (7) the open's anchor */
            if (sv.checked_us > opened_us || !sv.checked_us) sv.checked_us = opened_us;
            *heap = sv;
            s->views[s->n++] = heap;
        } else {
            free(heap);
            free(sv.branch);
            free(sv.vc.res);
            free(sv.vc.csr);
            free(sv.probe);
        }
    }
    pthread_mutex_unlock(&s->mu);
    *out = v;
    return OG_OK;
}

void og_exec_session_release(og_exec_session *s, og_graph_view *v)
{
    bool kept = false;
    if (!s || !v) return;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n; i++)
        if (s->views[i]->v == v) { s->views[i]->busy = false; kept = true; break; }
    pthread_mutex_unlock(&s->mu);
    if (!kept) og_graph_view_close(v);
}

og_status og_exec_session_query(og_exec_session *s, og_graph_view *v, const og_tc_query *q,
                                const og_params *params, const og_exec_limits *lim,
                                og_exec_result *out)
{
    og_exec_vcache *vc = NULL;
    if (s) {   /* v is busy (ours alone): its memo needs no lock once found */
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < s->n; i++)
            if (s->views[i]->v == v && s->views[i]->busy) { vc = &s->views[i]->vc; break; }
        pthread_mutex_unlock(&s->mu);
    }
    return og_exec_query_vc(v, vc, q, params, lim, out);
}

void og_exec_session_stats(og_exec_session *s, uint64_t *reused, uint64_t *opened)
{
    pthread_mutex_lock(&s->mu);
    if (reused) *reused = s->reused;
    if (opened) *opened = s->opened;
    pthread_mutex_unlock(&s->mu);
}
