/* auth.h — bearer tokens of omnigraph-server (surface.md §5.2).
 * (1) Tokens are kept only as SHA-256 digests next to their actor id.
 * (2) A presented token is compared against every entry with CRYPTO_memcmp,
 *     without an early exit, so timing does not reveal which entry matched.
 * (3) Blank or duplicate actors and tokens are refused when added. */
#ifndef OG_SERVER_AUTH_H
#define OG_SERVER_AUTH_H

#include <stddef.h>
#include "base/status.h"

typedef struct og_auth_entry {
    unsigned char digest[32];
    char *actor;
} og_auth_entry;

typedef struct og_auth {
    og_auth_entry *items;
    size_t len, cap;
} og_auth;

typedef enum og_auth_result {
    OG_AUTH_OK = 0,
    OG_AUTH_MISSING,  /* 401 "missing bearer token" */
    OG_AUTH_INVALID,  /* 401 "invalid bearer token" */
} og_auth_result;

og_status og_auth_add(og_auth *a, const char *actor, const char *token);
/* Adds every {actor: token} of a JSON object (duplicate keys refused). */
og_status og_auth_add_json(og_auth *a, const char *text, size_t len, const char *what);
/* Reads OMNIGRAPH_SERVER_BEARER_TOKEN (actor "default") and then
 * OMNIGRAPH_SERVER_BEARER_TOKENS_FILE or, if unset,
 * OMNIGRAPH_SERVER_BEARER_TOKENS_JSON, through getenv_fn (getenv in the
 * server, a fake in tests). */
og_status og_auth_load_env(og_auth *a, const char *(*getenv_fn)(const char *));
/* Checks an Authorization header value (NULL if absent). On OK, *actor is
 * the entry's actor (owned by a). */
og_auth_result og_auth_check(const og_auth *a, const char *header, const char **actor);
void og_auth_free(og_auth *a);

#endif
