/* failpoint.h — named fault-injection points compiled into the library.
 * (1) OG_FAILPOINT("name") evaluates to OG_OK unless the point is armed.
 *     An armed point fires at its N-th hit (1-based) and then disarms
 *     (or on every hit from N on, with `sticky`).
 * (2) Actions: OG_FP_ERROR returns OG_E_INJECTED; OG_FP_CRASH returns
 *     OG_E_CRASHED (the caller unwinds as if the process died: it must not
 *     clean up durable state); OG_FP_EXIT calls _exit(OG_FP_EXIT_CODE),
 *     only for end-to-end crash tests of whole processes.
 * (3) Arming from the environment: OMNIGRAPH_FAILPOINTS=
 *     "name=error;other=crash@3;third=exit@2" read by og_failpoint_init_env();
 *     a trailing "+" ("name=error@2+") makes a point sticky. A malformed spec
 *     arms nothing.
 * (4) When nothing is armed the cost is one relaxed atomic load. */
#ifndef OG_BASE_FAILPOINT_H
#define OG_BASE_FAILPOINT_H

#include <stdbool.h>
#include "status.h"

#define OG_FP_EXIT_CODE 86

typedef enum og_fp_action { OG_FP_ERROR = 1, OG_FP_CRASH, OG_FP_EXIT } og_fp_action;

og_status og_failpoint_arm(const char *name, og_fp_action action, unsigned nth, bool sticky);
void og_failpoint_disarm(const char *name);
void og_failpoint_disarm_all(void);
/* Number of times `name` was evaluated since it was armed (0 if never armed). */
unsigned og_failpoint_hits(const char *name);
/* Parses OMNIGRAPH_FAILPOINTS; OG_E_INVALID on a malformed spec. */
og_status og_failpoint_init_env(void);
og_status og_failpoint_parse_spec(const char *spec);

og_status og_failpoint_eval_(const char *name);
extern int og_failpoint_armed_count_; /* read with a relaxed atomic load */

#define OG_FAILPOINT(name) \
    (__atomic_load_n(&og_failpoint_armed_count_, __ATOMIC_RELAXED) ? og_failpoint_eval_(name) : OG_OK)

#endif
