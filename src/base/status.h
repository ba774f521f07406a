/* status.h — the one error type of the library.
 * (1) Every fallible function returns og_status: 0 (OG_OK) or an og_code.
 * (2) The message is set once, where the failure is understood, with
 *     og_error_set(); callers may add context with og_error_context().
 * (3) The detail lives in thread-local storage (libgit2 style): it is valid
 *     until the next og_error_set/og_error_clear on the same thread.
 * (4) Storage failure classes (design.md §2 item 7) are distinct codes, so
 *     retry decisions are made from typed evidence, never from messages. */
#ifndef OG_BASE_STATUS_H
#define OG_BASE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

typedef enum og_code {
    OG_OK = 0,
    /* storage failure classes */
    OG_E_TRANSIENT = 1,     /* may succeed if retried (bounded) */
    OG_E_CONFIG = 2,        /* bad credentials, bad URI, missing bucket */
    OG_E_NOTFOUND = 3,      /* object / table / branch / commit absent */
    OG_E_PRECONDITION = 4,  /* conditional write lost (put-if-absent/-match) */
    OG_E_PERMANENT = 5,     /* will not succeed if retried */
    OG_E_UNKNOWN = 6,       /* unclassified; never authorises a retry */
    /* language and data */
    OG_E_PARSE = 7,         /* text does not follow the grammar */
    OG_E_TYPE = 8,          /* type checker rejected a query */
    OG_E_VALIDATION = 9,    /* data breaks the schema or a constraint */
    OG_E_CONFLICT = 10,     /* graph-level optimistic concurrency conflict */
    OG_E_LIMIT = 11,        /* a time, memory or size limit was exceeded */
    OG_E_CORRUPT = 12,      /* a stored object failed validation */
    OG_E_INVALID = 13,      /* bad argument / misuse of an API */
    OG_E_NOMEM = 14,        /* allocation failed */
    OG_E_EXISTS = 15,       /* the thing to create already exists */
    OG_E_UNSUPPORTED = 16,  /* recognised but not implemented / not allowed */
    OG_E_INJECTED = 17,     /* a failpoint fired with "error" */
    OG_E_CRASHED = 18,      /* a simulated crash: the process is "dead" */
    OG_E_INTERNAL = 19,     /* an internal invariant failed */
    OG_CODE_COUNT_
} og_code;

typedef int og_status;

/* The detail of the last error on this thread. */
typedef struct og_error {
    og_code code;
    const char *message; /* never NULL; "" when unset */
    const char *context; /* never NULL; "" when none; "a: b: " chain */
} og_error;

/* Records code + formatted message for this thread and returns code, so that
 * `return og_error_set(OG_E_PARSE, "line %d: ...", n);` reads naturally. */
og_status og_error_set(og_code code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
og_status og_error_setv(og_code code, const char *fmt, va_list ap);

/* Prepends "<context>: " to the context chain of the current error and
 * returns its code unchanged (returns OG_OK if no error is recorded). */
og_status og_error_context(og_status rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

const og_error *og_error_last(void);
void og_error_clear(void);

/* Writes "context: message" (or just the message) into buf; returns buf. */
const char *og_error_format(char *buf, size_t cap);

/* Stable lowercase name of a code ("not_found", "conflict", ...). */
const char *og_code_name(og_code code);

/* True for the only class that may be retried. */
static inline int og_code_is_retryable(og_code c) { return c == OG_E_TRANSIENT; }

/* Debug-build invariant check; never aborts in release builds. */
#ifdef OG_DEBUG_ASSERT
#include <assert.h>
#define OG_ASSERT(x) assert(x)
#else
#define OG_ASSERT(x) ((void)0)
#endif

#endif
