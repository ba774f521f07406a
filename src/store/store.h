/* store.h — the object-store interface every layer above writes through.
 * (1) Keys are '/'-separated relative paths: 1..1024 bytes, no NUL, no
 *     leading '/', no empty, "." or ".." component, no component starting
 *     with ".og" (reserved for backend bookkeeping such as temp files).
 *     A bad key is OG_E_INVALID, never an escape from the root.
 * (2) put replaces atomically: a reader sees the whole old or the whole new
 *     object, never a mix. put_if_absent and put_if_match are true
 *     compare-and-swaps: of N concurrent callers on one key, exactly one wins,
 *     the others get OG_E_PRECONDITION.
 * (3) An etag identifies an object's content; it changes whenever the
 *     content changes (etags of equal content may be equal).
 * (4) list returns keys under a prefix in byte order, at most max_keys per
 *     call; continue with start_after = the last key returned.
 * (5) Failures carry one of the storage classes of status.h: TRANSIENT,
 *     CONFIG, NOTFOUND, PRECONDITION, PERMANENT, UNKNOWN. delete of a missing
 *     key succeeds (as on S3).
 * (6) A store handle is safe to use from many threads at once.
 * (7) Etags of the local backends (fs, mem) are the hex XXH3-128 of the
 *     content; equal content has equal etags (as with S3's MD5 etags), so
 *     put_if_match compares content identity (docs/store.md). */
#ifndef OG_STORE_STORE_H
#define OG_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/status.h"

#define OG_STORE_KEY_MAX 1024
#define OG_ETAG_MAX 64

typedef struct og_obj_meta {
    uint64_t size;
    char etag[OG_ETAG_MAX]; /* NUL-terminated, opaque */
} og_obj_meta;

typedef struct og_list_entry {
    char *key;              /* owned by the og_list */
    uint64_t size;
} og_list_entry;

typedef struct og_list {
    og_list_entry *items;
    size_t len;
    bool truncated;         /* more keys follow the last one */
} og_list;

void og_list_free(og_list *l);

typedef struct og_store og_store;

/* Backend vtable; backends fill it, callers use the og_store_* wrappers,
 * which validate keys before dispatch. */
typedef struct og_store_ops {
    const char *name;
    og_status (*get)(og_store *s, const char *key, og_buf *out, og_obj_meta *meta);
    og_status (*get_range)(og_store *s, const char *key, uint64_t off, uint64_t len, og_buf *out);
    og_status (*head)(og_store *s, const char *key, og_obj_meta *out);
    og_status (*put)(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta);
    og_status (*put_if_absent)(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta);
    og_status (*put_if_match)(og_store *s, const char *key, const char *etag,
                              const void *p, size_t n, og_obj_meta *meta);
    og_status (*list)(og_store *s, const char *prefix, const char *start_after,
                      size_t max_keys, og_list *out);
    og_status (*del)(og_store *s, const char *key);
    og_status (*del_prefix)(og_store *s, const char *prefix);
    void (*close)(og_store *s);
    /* Optional (NULL = unsupported): the store's change sequence, see
     * og_store_change_seq. */
    og_status (*change_seq)(og_store *s, uint64_t *out);
} og_store_ops;

struct og_store {
    const og_store_ops *ops;
    void *impl;
};

/* Validates a key (len bytes; embedded NULs are rejected). */
og_status og_store_key_validate(const char *key, size_t len);
/* Prefixes may be empty or end in '/', or be any valid key's leading part. */
og_status og_store_prefix_validate(const char *prefix);

/* Reads the whole object into out (appended after clearing); meta nullable. */
og_status og_store_get(og_store *s, const char *key, og_buf *out, og_obj_meta *meta);
/* Reads bytes [off, off+len) clipped to the object's end; off == size gives
 * an empty result, off > size is OG_E_INVALID. */
og_status og_store_get_range(og_store *s, const char *key, uint64_t off, uint64_t len, og_buf *out);
og_status og_store_head(og_store *s, const char *key, og_obj_meta *out);
og_status og_store_put(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta);
og_status og_store_put_if_absent(og_store *s, const char *key, const void *p, size_t n, og_obj_meta *meta);
/* Replaces key iff its current etag is `etag`; an absent key is
 * OG_E_PRECONDITION too (the condition "holds etag" failed). */
og_status og_store_put_if_match(og_store *s, const char *key, const char *etag,
                                const void *p, size_t n, og_obj_meta *meta);
/* Keys that start with prefix and sort after start_after (NULL or "" =
 * from the start), in byte order. out is reset first; free with
 * og_list_free. max_keys 0 means 1000. */
og_status og_store_list(og_store *s, const char *prefix, const char *start_after,
                        size_t max_keys, og_list *out);
/* Lists every key under prefix (follows pagination). */
og_status og_store_list_all(og_store *s, const char *prefix, og_list *out);
og_status og_store_delete(og_store *s, const char *key);
og_status og_store_delete_prefix(og_store *s, const char *prefix);
void og_store_close(og_store *s); /* NULL-safe */

/* A cheap "has anything changed?" signal for long-lived readers (SQLite's
 * WAL-index counter plays this role). Every successful put, put_if_absent,
 * put_if_match and delete through any handle on the same store, in any
 * process, advances the sequence before it returns to its caller. So a
 * reader that reads the sequence, then validates what it caches with real
 * store reads, may keep trusting the cache while the sequence reads the
 * same: no mutation that was acknowledged to anyone happened since. A
 * writer that dies between its mutation and the advance leaves that one
 * (unacknowledged) mutation unsignalled, so readers still revalidate on a
 * short timer. OG_E_UNSUPPORTED when the backend has none (then always
 * revalidate). Costs no store operation. */
og_status og_store_change_seq(og_store *s, uint64_t *out);

/* Backends. */
og_status og_store_fs_open(const char *root, bool create, og_store **out);
og_status og_store_mem_open(og_store **out);

/* fault: wraps `inner` (takes ownership). Counts operations by kind, injects
 * an error at the N-th operation, simulates crashes. */
typedef enum og_store_op {
    OG_OP_GET = 0, OG_OP_GET_RANGE, OG_OP_HEAD, OG_OP_PUT, OG_OP_PUT_IF_ABSENT,
    OG_OP_PUT_IF_MATCH, OG_OP_LIST, OG_OP_DELETE, OG_OP_DELETE_PREFIX, OG_OP_COUNT_
} og_store_op;

og_status og_store_fault_open(og_store *inner, og_store **out);
/* Count of operations of one kind since open / last reset. Counted: every
 * call that reaches the wrapper while it is alive, including one that then
 * fails or crashes; not counted: calls refused after a crash and calls
 * rejected by key validation. The failpoint "store.fault.<op>" (op = get,
 * get_range, head, put, put_if_absent, put_if_match, list, delete,
 * delete_prefix) is consulted on each counted call: error → OG_E_INJECTED,
 * crash → as og_store_fault_crash_at that call. */
uint64_t og_store_fault_count(og_store *s, og_store_op op);
uint64_t og_store_fault_total(og_store *s);
void og_store_fault_reset_counts(og_store *s);
/* The nth (1-based, counted from now, all kinds) operation fails with code
 * without being performed. nth = 0 disarms. */
void og_store_fault_fail_at(og_store *s, unsigned nth, og_code code);
/* The nth operation from now "crashes": it is not performed (a put is
 * dropped whole) and it and every later call return OG_E_CRASHED until
 * og_store_fault_reopen. */
void og_store_fault_crash_at(og_store *s, unsigned nth);
/* Crash now: later calls return OG_E_CRASHED until reopen. */
void og_store_fault_crash(og_store *s);
bool og_store_fault_crashed(og_store *s);
/* Ends the simulated outage (the "process restarted"). */
void og_store_fault_reopen(og_store *s);

#endif
