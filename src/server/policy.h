/* policy.h — YAML policy bundles and their evaluation (surface.md §7).
 * (1) A bundle is parsed strictly: unknown keys, unknown actions, undefined
 *     groups, blank/duplicate rule ids and misplaced scopes are errors
 *     (OG_E_VALIDATION, message names the rule and the key).
 * (2) A bundle is graph-scoped or server-scoped (only graph_list), never both.
 * (3) Evaluation: a request is allowed iff some allow rule matches it and no
 *     deny rule does; an actor in no group and named by no rule is denied. */
#ifndef OG_SERVER_POLICY_H
#define OG_SERVER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include "base/status.h"

typedef struct og_policy og_policy;

typedef struct og_policy_req {
    const char *actor;          /* resolved actor id */
    const char *action;         /* "read", "change", ... */
    const char *branch;         /* source branch or NULL */
    const char *target_branch;  /* destination branch or NULL */
} og_policy_req;

og_status og_policy_parse(const char *text, size_t len, const char *what, og_policy **out);
og_status og_policy_load_file(const char *path, og_policy **out);
void og_policy_free(og_policy *p);
bool og_policy_server_scoped(const og_policy *p);
/* True iff allowed. When denied and msg != NULL, writes the decision
 * message "policy denied action 'a'[ on branch 'b'][ targeting branch 't']
 * for actor 'x'". *rule_out (if not NULL) gets the deciding rule id or NULL. */
bool og_policy_allows(const og_policy *p, const og_policy_req *r, char *msg, size_t cap,
                      const char **rule_out);
/* The denial message for r, whatever decided it. */
void og_policy_deny_message(const og_policy_req *r, char *msg, size_t cap);
/* True iff s is a known action name. */
bool og_policy_action_known(const char *s);

#endif
