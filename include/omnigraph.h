/* omnigraph.h — the public C API of libomnigraph.
 *
 * Conventions (stable across releases):
 * (1) Every call that can fail returns an og_status: 0 on success, else a
 *     code from the og_code enum; og_errmsg() gives the message of the last
 *     failure on the calling thread.
 * (2) Handles are opaque; what the caller receives through an `out`
 *     parameter it frees with the matching og_*_free/og_*_close.
 * (3) No global state beyond a process-wide object-store client registry.
 */
#ifndef OMNIGRAPH_H
#define OMNIGRAPH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OG_VERSION_STRING "0.1.0"
/* The __manifest schema version this build writes and reads. */
#define OG_INTERNAL_SCHEMA_VERSION 6

/* Library version text, e.g. "0.1.0". */
const char *og_version(void);
/* Internal manifest schema version (OG_INTERNAL_SCHEMA_VERSION). */
int og_internal_schema_version(void);
/* Message of the last failure on this thread ("" if none). The pointer is
 * valid until the next library call on this thread. */
const char *og_errmsg(void);
/* Stable lowercase name of the last failure's class ("parse", "conflict"...). */
const char *og_errclass(void);

/* Frees memory the library handed to the caller (e.g. a *json_out). */
void og_free(void *p);

/* Lints .gq text against .pg text offline (surface.md §2.11). On success
 * *json_out is a NUL-terminated compact JSON object
 *   {status, queries_processed, errors, warnings, infos, results, findings}
 * (the lint verdict — status "error" for bad queries is still a success of
 * this call); the caller frees it with og_free. Fails (non-zero, og_errmsg)
 * only when the schema does not compile or memory runs out. */
int og_lint_sources(const char *schema_src, size_t schema_len,
                    const char *query_src, size_t query_len, char **json_out);

#ifdef __cplusplus
}
#endif
#endif
