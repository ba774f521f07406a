/* store_fault.c — a wrapper store that counts, fails and "crashes".
 * (1) Every call made while the store is alive is counted under its kind
 *     (also the one that fails or crashes); calls refused because of an
 *     earlier crash are not counted.
 * (2) Before dispatching, in this order: the failpoint "store.fault.<op>"
 *     (op = get, get_range, head, put, put_if_absent, put_if_match, list,
 *     delete, delete_prefix) — error → OG_E_INJECTED, crash → crashed;
 *     then the fail_at countdown (fails with its code); then the crash_at
 *     countdown. A failed or crashed call is not performed.
 * (3) Once crashed, every call returns OG_E_CRASHED until reopen.
 * (4) The decision (2)-(3) is taken under one mutex; the inner call runs
 *     outside it, so the wrapper adds no serialisation of its own. */
#include "store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/failpoint.h"
#include "internal.h"

typedef struct fault_store {
    og_store base;
    og_store *inner;
    pthread_mutex_t mu;
    uint64_t counts[OG_OP_COUNT_];
    unsigned fail_in;   /* calls until the injected failure; 0 = disarmed */
    og_code fail_code;
    unsigned crash_in;  /* calls until the crash; 0 = disarmed */
    bool crashed;
} fault_store;

static const char *const OP_NAME[OG_OP_COUNT_] = {
    "get", "get_range", "head", "put", "put_if_absent", "put_if_match",
    "list", "delete", "delete_prefix",
};
static const char *const OP_FP[OG_OP_COUNT_] = {
    "store.fault.get", "store.fault.get_range", "store.fault.head", "store.fault.put",
    "store.fault.put_if_absent", "store.fault.put_if_match", "store.fault.list",
    "store.fault.delete", "store.fault.delete_prefix",
};

static fault_store *FS(og_store *s) { return (fault_store *)s; }

static og_status crashed_error(og_store_op op)
{
    return og_error_set(OG_E_CRASHED, "fault store: %s refused: the store has crashed",
                        OP_NAME[op]);
}

/* (2)(3): OG_OK when the call may proceed to the inner store. */
static og_status admit(fault_store *f, og_store_op op)
{
    og_status rc = OG_OK;
    pthread_mutex_lock(&f->mu);
    if (f->crashed) { rc = crashed_error(op); goto done; }
    f->counts[op]++;
    og_status fp = OG_FAILPOINT(OP_FP[op]);
    if (fp == OG_E_CRASHED) {
        f->crashed = true;
        rc = og_error_set(OG_E_CRASHED, "fault store: %s crashed (failpoint %s)", OP_NAME[op], OP_FP[op]);
        goto done;
    }
    if (fp) {
        rc = og_error_set((og_code)fp, "fault store: %s failed (failpoint %s)", OP_NAME[op], OP_FP[op]);
        goto done;
    }
    bool fail_now = f->fail_in && --f->fail_in == 0;
    bool crash_now = f->crash_in && --f->crash_in == 0;
    if (fail_now) {
        rc = og_error_set(f->fail_code, "fault store: injected %s failure of %s",
                          og_code_name(f->fail_code), OP_NAME[op]);
        goto done;
    }
    if (crash_now) {
        f->crashed = true;
        rc = og_error_set(OG_E_CRASHED, "fault store: crashed at %s", OP_NAME[op]);
        goto done;
    }
done:
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static og_status ft_get(og_store *s, const char *key, og_buf *out, og_obj_meta *meta)
{
    og_status rc = admit(FS(s), OG_OP_GET);
    return rc ? rc : FS(s)->inner->ops->get(FS(s)->inner, key, out, meta);
}

static og_status ft_get_range(og_store *s, const char *key, uint64_t off, uint64_t len, og_buf *out)
{
    og_status rc = admit(FS(s), OG_OP_GET_RANGE);
    return rc ? rc : FS(s)->inner->ops->get_range(FS(s)->inner, key, off, len, out);
}

static og_status ft_head(og_store *s, const char *key, og_obj_meta *out)
{
    og_status rc = admit(FS(s), OG_OP_HEAD);
    return rc ? rc : FS(s)->inner->ops->head(FS(s)->inner, key, out);
}

static og_status ft_put(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta)
{
    og_status rc = admit(FS(s), OG_OP_PUT);
    return rc ? rc : FS(s)->inner->ops->put(FS(s)->inner, key, p, n, meta);
}

static og_status ft_put_if_absent(og_store *s, const char *key, const void *p, size_t n,
                                  og_obj_meta *meta)
{
    og_status rc = admit(FS(s), OG_OP_PUT_IF_ABSENT);
    return rc ? rc : FS(s)->inner->ops->put_if_absent(FS(s)->inner, key, p, n, meta);
}

static og_status ft_put_if_match(og_store *s, const char *key, const char *etag,
                                 const void *p, size_t n, og_obj_meta *meta)
{
    og_status rc = admit(FS(s), OG_OP_PUT_IF_MATCH);
    return rc ? rc : FS(s)->inner->ops->put_if_match(FS(s)->inner, key, etag, p, n, meta);
}

static og_status ft_list(og_store *s, const char *prefix, const char *start_after,
                         size_t max_keys, og_list *out)
{
    og_status rc = admit(FS(s), OG_OP_LIST);
    return rc ? rc : FS(s)->inner->ops->list(FS(s)->inner, prefix, start_after, max_keys, out);
}

static og_status ft_del(og_store *s, const char *key)
{
    og_status rc = admit(FS(s), OG_OP_DELETE);
    return rc ? rc : FS(s)->inner->ops->del(FS(s)->inner, key);
}

static og_status ft_del_prefix(og_store *s, const char *prefix)
{
    og_status rc = admit(FS(s), OG_OP_DELETE_PREFIX);
    return rc ? rc : FS(s)->inner->ops->del_prefix(FS(s)->inner, prefix);
}

static void ft_close(og_store *s)
{
    fault_store *f = FS(s);
    og_store_close(f->inner);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* Not an operation: not counted, never failed; forwarded so that readers
 * over a fault store behave as over its inner store. A crashed store
 * reports no sequence (its callers must revalidate and meet the crash). */
static og_status ft_change_seq(og_store *s, uint64_t *out)
{
    fault_store *f = s->impl;
    pthread_mutex_lock(&f->mu);
    bool crashed = f->crashed;
    pthread_mutex_unlock(&f->mu);
    if (crashed) return OG_E_UNSUPPORTED;
    return og_store_change_seq(f->inner, out);
}

static const og_store_ops fault_ops = {
    .name = "fault",
    .get = ft_get,
    .get_range = ft_get_range,
    .head = ft_head,
    .put = ft_put,
    .put_if_absent = ft_put_if_absent,
    .put_if_match = ft_put_if_match,
    .list = ft_list,
    .del = ft_del,
    .del_prefix = ft_del_prefix,
    .close = ft_close,
    .change_seq = ft_change_seq,
};

og_status og_store_fault_open(og_store *inner, og_store **out)
{
    if (!out) { og_store_close(inner); return og_error_set(OG_E_INVALID, "fault open: out is NULL"); }
    *out = NULL;
    if (!inner) return og_error_set(OG_E_INVALID, "fault open: inner store is NULL");
    fault_store *f = calloc(1, sizeof *f);
    if (!f) {
        og_store_close(inner);
        return og_error_set(OG_E_NOMEM, "fault open: out of memory");
    }
    pthread_mutex_init(&f->mu, NULL);
    f->inner = inner;
    f->base.ops = &fault_ops;
    f->base.impl = f;
    *out = &f->base;
    return OG_OK;
}

static fault_store *as_fault(og_store *s)
{
    return s && s->ops == &fault_ops ? FS(s) : NULL;
}

uint64_t og_store_fault_count(og_store *s, og_store_op op)
{
    fault_store *f = as_fault(s);
    uint64_t n = 0;
    if (!f || (unsigned)op >= OG_OP_COUNT_) return 0;
    pthread_mutex_lock(&f->mu);
    n = f->counts[op];
    pthread_mutex_unlock(&f->mu);
    return n;
}

uint64_t og_store_fault_total(og_store *s)
{
    fault_store *f = as_fault(s);
    uint64_t n = 0;
    if (!f) return 0;
    pthread_mutex_lock(&f->mu);
    for (int i = 0; i < OG_OP_COUNT_; i++) n += f->counts[i];
    pthread_mutex_unlock(&f->mu);
    return n;
}

void og_store_fault_reset_counts(og_store *s)
{
    fault_store *f = as_fault(s);
    if (!f) return;
    pthread_mutex_lock(&f->mu);
    memset(f->counts, 0, sizeof f->counts);
    pthread_mutex_unlock(&f->mu);
}

void og_store_fault_fail_at(og_store *s, unsigned nth, og_code code)
{
    fault_store *f = as_fault(s);
    if (!f) return;
    pthread_mutex_lock(&f->mu);
    f->fail_in = nth;
    f->fail_code = code;
    pthread_mutex_unlock(&f->mu);
}

void og_store_fault_crash_at(og_store *s, unsigned nth)
{
    fault_store *f = as_fault(s);
    if (!f) return;
    pthread_mutex_lock(&f->mu);
    f->crash_in = nth;
    pthread_mutex_unlock(&f->mu);
}

void og_store_fault_crash(og_store *s)
{
    fault_store *f = as_fault(s);
    if (!f) return;
    pthread_mutex_lock(&f->mu);
    f->crashed = true;
    pthread_mutex_unlock(&f->mu);
}

bool og_store_fault_crashed(og_store *s)
{
    fault_store *f = as_fault(s);
    bool c = false;
    if (!f) return false;
    pthread_mutex_lock(&f->mu);
    c = f->crashed;
    pthread_mutex_unlock(&f->mu);
    return c;
}

void og_store_fault_reopen(og_store *s)
{
    fault_store *f = as_fault(s);
    if (!f) return;
    pthread_mutex_lock(&f->mu);
    f->crashed = false;
    f->crash_in = 0;
    pthread_mutex_unlock(&f->mu);
}
