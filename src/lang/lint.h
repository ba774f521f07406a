/* lint.h — `omnigraph lint` as a pure function (surface.md §2.11).
 * (1) og_lint_run() never fails on a bad query: parse errors become one Q000
 *     finding, type errors become a per-query error; only OG_E_NOMEM fails.
 * (2) Results keep file order; findings are sorted by (type, property) and
 *     their query_names sorted, so output is deterministic.
 * (4) type_name/property strings point into the catalog, which must outlive
 *     the report; everything else is owned by the report.
 * (3) Descriptors: result[] per projection; reads/writes sorted (node kind
 *     first, then edge; by name within a kind) and deduplicated. */
#ifndef OG_LANG_LINT_H
#define OG_LANG_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/status.h"
#include "lang/catalog.h"

typedef struct og_lint_col {
    const char *name;
    const char *kind;       /* string bool int bigint float date datetime blob vector list object */
    const char *item_kind;  /* list only, else NULL */
    uint32_t vector_dim;    /* vector only, else 0 */
    bool nullable;
} og_lint_col;

typedef struct og_lint_access {
    bool is_edge;           /* kind "edge" else "node" */
    const char *type_name;
} og_lint_access;

typedef struct og_lint_result {
    const char *name;
    bool is_mutation;       /* kind "mutation" else "read" */
    bool ok;                /* status "ok" / "error" */
    const char *error;      /* when !ok: the error message */
    const char *warning;    /* NULL or the hardcoded-mutation warning */
    /* operation descriptor (ok only) */
    og_lint_col *result; size_t n_result;
    og_lint_access *reads; size_t n_reads;
    og_lint_access *writes; size_t n_writes;
} og_lint_result;

typedef struct og_lint_finding {
    bool is_error;          /* severity "error" else "warning" */
    const char *code;       /* "Q000", "L201" */
    const char *message;
    const char *type_name;  /* L201 */
    const char *property;   /* L201 */
    const char **query_names; size_t n_query_names;
} og_lint_finding;

typedef struct og_lint_report {
    og_lint_result *results; size_t n_results;
    og_lint_finding *findings; size_t n_findings;
    size_t errors, warnings, infos;
    bool ok;                /* status: ok iff errors == 0 */
    struct og_gq_pool *pool;    /* owns everything above */
} og_lint_report;

/* Lints the .gq text against cat. Caller frees *out with og_lint_report_free. */
og_status og_lint_run(const og_catalog *cat, const char *gq, size_t len, og_lint_report **out);
void og_lint_report_free(og_lint_report *r);

#endif
