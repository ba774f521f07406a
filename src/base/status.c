/* status.c — thread-local error detail behind og_status.
 * (1) One record per thread; og_error_set replaces it, og_error_context
 *     prepends to its context chain.
 * (2) Messages are truncated (never overflow) at OG_ERR_MSG_MAX bytes. */
#include "status.h"

#include <stdio.h>
#include <string.h>

#define OG_ERR_MSG_MAX 1024
#define OG_ERR_CTX_MAX 1024

typedef struct err_slot {
    og_code code;
    char message[OG_ERR_MSG_MAX];
    char context[OG_ERR_CTX_MAX];
    og_error view;
} err_slot;

static _Thread_local err_slot tls_err;

og_status og_error_setv(og_code code, const char *fmt, va_list ap)
{
    tls_err.code = code;
    vsnprintf(tls_err.message, sizeof tls_err.message, fmt, ap);
    tls_err.context[0] = 0;
    return code;
}

og_status og_error_set(og_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    og_error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

og_status og_error_context(og_status rc, const char *fmt, ...)
{
    if (rc == OG_OK) return OG_OK;
    char add[OG_ERR_CTX_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(add, sizeof add, fmt, ap);
    va_end(ap);
    /* Build "<add>: <old>" by hand: snprintf would warn about truncation,
     * which is intended here. */
    char joined[OG_ERR_CTX_MAX];
    size_t n = strlen(add);
    if (n > sizeof joined - 3) n = sizeof joined - 3;
    memcpy(joined, add, n);
    joined[n++] = ':';
    joined[n++] = ' ';
    size_t m = strlen(tls_err.context);
    if (m > sizeof joined - 1 - n) m = sizeof joined - 1 - n;
    memcpy(joined + n, tls_err.context, m);
    joined[n + m] = 0;
    memcpy(tls_err.context, joined, sizeof joined);
    if (tls_err.code == OG_OK) tls_err.code = (og_code)rc;
    return rc;
}

const og_error *og_error_last(void)
{
    tls_err.view.code = tls_err.code;
    tls_err.view.message = tls_err.message;
    tls_err.view.context = tls_err.context;
    return &tls_err.view;
}

void og_error_clear(void)
{
    tls_err.code = OG_OK;
    tls_err.message[0] = 0;
    tls_err.context[0] = 0;
}

const char *og_error_format(char *buf, size_t cap)
{
    if (!cap) return buf;
    const char *msg = tls_err.message[0] ? tls_err.message : og_code_name(tls_err.code);
    snprintf(buf, cap, "%s%s", tls_err.context, msg);
    return buf;
}

const char *og_code_name(og_code code)
{
    static const char *const names[OG_CODE_COUNT_] = {
        [OG_OK] = "ok",
        [OG_E_TRANSIENT] = "transient",
        [OG_E_CONFIG] = "configuration",
        [OG_E_NOTFOUND] = "not_found",
        [OG_E_PRECONDITION] = "precondition",
        [OG_E_PERMANENT] = "permanent",
        [OG_E_UNKNOWN] = "unknown",
        [OG_E_PARSE] = "parse",
        [OG_E_TYPE] = "type",
        [OG_E_VALIDATION] = "validation",
        [OG_E_CONFLICT] = "conflict",
        [OG_E_LIMIT] = "limit",
        [OG_E_CORRUPT] = "corrupt",
        [OG_E_INVALID] = "invalid",
        [OG_E_NOMEM] = "out_of_memory",
        [OG_E_EXISTS] = "exists",
        [OG_E_UNSUPPORTED] = "unsupported",
        [OG_E_INJECTED] = "injected",
        [OG_E_CRASHED] = "crashed",
        [OG_E_INTERNAL] = "internal",
    };
    if ((unsigned)code >= OG_CODE_COUNT_ || !names[code]) return "unknown_code";
    return names[code];
}
