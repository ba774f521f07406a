/* ulid.h — monotonic ULIDs (26 Crockford base32 chars).
 * (1) 48-bit millisecond timestamp + 80 random bits (OpenSSL RAND_bytes).
 * (2) Monotonic within a process: within one millisecond (or if the clock
 *     goes back) the random part is incremented, so ids sort by creation
 *     order; thread-safe.
 * (3) Lexicographic order of the text equals numeric order. */
#ifndef OG_BASE_ULID_H
#define OG_BASE_ULID_H

#include <stdbool.h>
#include <stdint.h>
#include "status.h"

#define OG_ULID_LEN 26

typedef struct og_ulid { char s[OG_ULID_LEN + 1]; } og_ulid;

og_status og_ulid_new(og_ulid *out);
/* Validates text form (length, alphabet, first char <= '7'). */
bool og_ulid_valid(const char *s);
/* Milliseconds since the epoch encoded in a valid ULID. */
uint64_t og_ulid_time_ms(const char *s);

/* Random 128-bit UUID v4 text (36 chars + NUL), for transaction uuids. */
og_status og_uuid_v4(char out[37]);

#endif
