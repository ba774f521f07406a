/* failpoint.c — registry of named fault-injection points.
 * (1) Points live in a linked list guarded by fp_mu; og_failpoint_armed_count_
 *     counts entries with armed == true and is only changed under fp_mu, so
 *     OG_FAILPOINT costs one relaxed load while nothing is armed.
 * (2) Hits are counted only while a point is armed; a point that fired and
 *     disarmed (or was disarmed) keeps its hit count until re-armed or
 *     og_failpoint_disarm_all().
 * (3) Spec grammar (OMNIGRAPH_FAILPOINTS):
 *         spec  := "" | point (";" point)*
 *         point := name "=" action ["@" N] ["+"]
 *         name  := [A-Za-z0-9_.:/-]+   action := error | crash | exit
 *     N is a decimal in 1..UINT_MAX (default 1); "+" makes the point sticky.
 *     A spec is parsed entirely before anything is armed: a malformed spec
 *     arms nothing. */
#include "failpoint.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int og_failpoint_armed_count_;

typedef struct fpoint {
    struct fpoint *next;
    char *name;
    og_fp_action action;
    unsigned nth;
    unsigned hits;
    bool sticky;
    bool armed;
} fpoint;

static pthread_mutex_t fp_mu = PTHREAD_MUTEX_INITIALIZER;
static fpoint *fp_list;

static fpoint *find(const char *name)
{
    for (fpoint *p = fp_list; p; p = p->next)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

static void set_armed(fpoint *p, bool armed)
{
    if (p->armed == armed) return;
    p->armed = armed;
    __atomic_add_fetch(&og_failpoint_armed_count_, armed ? 1 : -1, __ATOMIC_RELAXED);
}

/* Caller holds fp_mu. */
static og_status arm_locked(const char *name, og_fp_action action, unsigned nth, bool sticky)
{
    fpoint *p = find(name);
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p) return og_error_set(OG_E_NOMEM, "out of memory arming failpoint `%s`", name);
        p->name = strdup(name);
        if (!p->name) {
            free(p);
            return og_error_set(OG_E_NOMEM, "out of memory arming failpoint `%s`", name);
        }
        p->next = fp_list;
        fp_list = p;
    }
    p->action = action;
    p->nth = nth ? nth : 1;
    p->sticky = sticky;
    p->hits = 0;
    set_armed(p, true);
    return OG_OK;
}

og_status og_failpoint_arm(const char *name, og_fp_action action, unsigned nth, bool sticky)
{
    if (!name || !*name) return og_error_set(OG_E_INVALID, "failpoint name is empty");
    if (action < OG_FP_ERROR || action > OG_FP_EXIT)
        return og_error_set(OG_E_INVALID, "failpoint `%s`: unknown action %d", name, (int)action);
    pthread_mutex_lock(&fp_mu);
    og_status rc = arm_locked(name, action, nth, sticky);
    pthread_mutex_unlock(&fp_mu);
    return rc;
}

void og_failpoint_disarm(const char *name)
{
    pthread_mutex_lock(&fp_mu);
    fpoint *p = name ? find(name) : NULL;
    if (p) set_armed(p, false);
    pthread_mutex_unlock(&fp_mu);
}

void og_failpoint_disarm_all(void)
{
    pthread_mutex_lock(&fp_mu);
    fpoint *p = fp_list;
    while (p) {
        fpoint *n = p->next;
        set_armed(p, false);
        free(p->name);
        free(p);
        p = n;
    }
    fp_list = NULL;
    pthread_mutex_unlock(&fp_mu);
}

unsigned og_failpoint_hits(const char *name)
{
    pthread_mutex_lock(&fp_mu);
    fpoint *p = name ? find(name) : NULL;
    unsigned h = p ? p->hits : 0;
    pthread_mutex_unlock(&fp_mu);
    return h;
}

og_status og_failpoint_eval_(const char *name)
{
    og_fp_action fire = 0;
    pthread_mutex_lock(&fp_mu);
    fpoint *p = find(name);
    if (p && p->armed) {
        if (p->hits < UINT_MAX) p->hits++;
        if (p->hits == p->nth || (p->sticky && p->hits > p->nth)) {
            fire = p->action;
            if (!p->sticky) set_armed(p, false);
        }
    }
    pthread_mutex_unlock(&fp_mu);
    switch (fire) {
    case OG_FP_ERROR:
        return og_error_set(OG_E_INJECTED, "failpoint `%s` injected an error", name);
    case OG_FP_CRASH:
        return og_error_set(OG_E_CRASHED, "failpoint `%s` simulated a crash", name);
    case OG_FP_EXIT:
        _exit(OG_FP_EXIT_CODE);
    }
    return OG_OK;
}

/* ---- spec parsing ------------------------------------------------------ */

typedef struct fp_spec {
    char name[128];
    og_fp_action action;
    unsigned nth;
    bool sticky;
} fp_spec;

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

/* Parses one point from [s, s+n). */
static og_status parse_point(const char *s, size_t n, fp_spec *out)
{
    const char *eq = memchr(s, '=', n);
    size_t nlen = eq ? (size_t)(eq - s) : n;
    if (!eq)
        return og_error_set(OG_E_INVALID, "failpoint spec `%.*s`: expected name=action",
                            (int)n, s);
    if (nlen == 0)
        return og_error_set(OG_E_INVALID, "failpoint spec `%.*s`: empty name", (int)n, s);
    if (nlen >= sizeof out->name)
        return og_error_set(OG_E_INVALID, "failpoint spec `%.*s`: name longer than %zu bytes",
                            (int)n, s, sizeof out->name - 1);
    for (size_t i = 0; i < nlen; i++)
        if (!name_char(s[i]))
            return og_error_set(OG_E_INVALID, "failpoint spec `%.*s`: bad character in name",
                                (int)n, s);
    memcpy(out->name, s, nlen);
    out->name[nlen] = 0;

    const char *a = eq + 1, *end = s + n;
    size_t alen = 0;
    while (a + alen < end && a[alen] != '@' && a[alen] != '+') alen++;
    if (alen == 5 && memcmp(a, "error", 5) == 0) out->action = OG_FP_ERROR;
    else if (alen == 5 && memcmp(a, "crash", 5) == 0) out->action = OG_FP_CRASH;
    else if (alen == 4 && memcmp(a, "exit", 4) == 0) out->action = OG_FP_EXIT;
    else
        return og_error_set(OG_E_INVALID,
                            "failpoint spec `%.*s`: unknown action `%.*s` (error|crash|exit)",
                            (int)n, s, (int)alen, a);
    const char *q = a + alen;
    out->nth = 1;
    out->sticky = false;
    if (q < end && *q == '@') {
        q++;
        unsigned long long v = 0;
        const char *d = q;
        while (q < end && *q >= '0' && *q <= '9') {
            v = v * 10 + (unsigned)(*q - '0');
            if (v > UINT_MAX)
                return og_error_set(OG_E_INVALID, "failpoint spec `%.*s`: hit count too large",
                                    (int)n, s);
            q++;
        }
        if (q == d || v == 0)
            return og_error_set(OG_E_INVALID,
                                "failpoint spec `%.*s`: expected a hit count >= 1 after `@`",
                                (int)n, s);
        out->nth = (unsigned)v;
    }
    if (q < end && *q == '+') { out->sticky = true; q++; }
    if (q != end)
        return og_error_set(OG_E_INVALID, "failpoint spec `%.*s`: unexpected `%.*s`", (int)n,
                            s, (int)(end - q), q);
    return OG_OK;
}

og_status og_failpoint_parse_spec(const char *spec)
{
    og_status rc = OG_OK;
    fp_spec *items = NULL;
    size_t count = 0, cap = 0;
    if (!spec || !*spec) goto done;
    for (const char *p = spec;;) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        if (n == 0) {
            rc = og_error_set(OG_E_INVALID, "failpoint spec: empty entry at offset %zu",
                              (size_t)(p - spec));
            goto done;
        }
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 4;
            fp_spec *ni = realloc(items, nc * sizeof *ni);
            if (!ni) { rc = og_error_set(OG_E_NOMEM, "out of memory parsing failpoints"); goto done; }
            items = ni;
            cap = nc;
        }
        rc = parse_point(p, n, &items[count]);
        if (rc) goto done;
        count++;
        if (!semi) break;
        p = semi + 1;
    }
    pthread_mutex_lock(&fp_mu);
    for (size_t i = 0; i < count && !rc; i++)
        rc = arm_locked(items[i].name, items[i].action, items[i].nth, items[i].sticky);
    pthread_mutex_unlock(&fp_mu);
done:
    free(items);
    return rc;
}

og_status og_failpoint_init_env(void)
{
    const char *v = getenv("OMNIGRAPH_FAILPOINTS");
    og_status rc = og_failpoint_parse_spec(v);
    if (rc) rc = og_error_context(rc, "OMNIGRAPH_FAILPOINTS");
    return rc;
}
