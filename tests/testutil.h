/* testutil.h — what every cmocka test includes first.
 * cmocka needs stdarg/stddef/stdint/setjmp before its header. */
#ifndef OG_TESTUTIL_H
#define OG_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/status.h"

/* Asserts rc == OG_OK, printing the thread's last error otherwise. */
#define OG_CHECK(expr) do { \
        og_status rc_ = (expr); \
        if (rc_ != OG_OK) og_test_fail_status(#expr, rc_, __FILE__, __LINE__); \
    } while (0)

void og_test_fail_status(const char *expr, og_status rc, const char *file, int line);

/* Creates a fresh empty directory for one test (under $OG_TEST_TMP or /tmp)
 * and returns its path (static storage per call site not needed: caller frees). */
char *og_test_tmpdir(const char *tag);
/* rm -rf; ignores errors. */
void og_test_rmtree(const char *path);

#endif
