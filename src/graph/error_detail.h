/* error_detail.h — the structured detail of a failure (ErrorOutput fields
 * of surface.md §5.4), kept beside the error message instead of being
 * parsed back out of it.
 * (1) Right after og_error_set, the failing site records what the message
 *     says as data: a key conflict (entity kind, type, id), a resource
 *     limit (resource, limit, actual) or a pending recovery (operation id).
 * (2) A detail belongs to the error it was recorded with: it is reported
 *     only while that error's message is still the current one on this
 *     thread (og_error_context keeps it, any later og_error_set or
 *     og_error_clear retires it), so a stale detail never decorates an
 *     unrelated failure.
 * (3) Thread-local, fixed storage: nothing to free, nothing leaks when a
 *     thread ends. */
#ifndef OG_GRAPH_ERROR_DETAIL_H
#define OG_GRAPH_ERROR_DETAIL_H

#include <jansson.h>
#include <stdint.h>

/* id may be NULL (omitted); idlen < 0 means NUL-terminated. */
void og_detail_key_conflict(const char *kind, const char *type, const char *id, int idlen);
void og_detail_resource_limit(const char *resource, uint64_t limit, uint64_t actual);
void og_detail_recovery_required(const char *operation_id);

/* {"key_conflict":{entity_kind, type_name, entity_id?}} |
 * {"resource_limit":{resource, limit, actual}} |
 * {"recovery_required":{operation_id}} for the current error (2), else
 * NULL. New reference. */
json_t *og_detail_json(void);
/* True when the current error carries a detail (2). */
int og_detail_is_current(void);
/* The current error's message was replaced by a fuller one for the same
 * failure (e.g. a hint appended): keep the detail that was current. */
void og_detail_rebind(void);
/* True when the current error carries a recovery_required detail. */
int og_detail_is_recovery_required(void);

#endif
