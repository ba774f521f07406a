/* ulid.c — monotonic ULIDs and random UUIDs.
 * (1) State (last timestamp, last 80-bit random part) is guarded by one mutex.
 * (2) A new millisecond draws fresh randomness; the same or an earlier
 *     millisecond reuses the last timestamp and increments the random part,
 *     so every id is strictly greater than the previous one.
 * (3) If the 80-bit random part would overflow, the timestamp is advanced by
 *     one millisecond (never wraps into a smaller id). */
#include "ulid.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <openssl/rand.h>
#include "clock.h"

static const char B32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static pthread_mutex_t ulid_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms;
static uint8_t last_rand[10];
static int have_last;

static void encode(uint64_t ms, const uint8_t r[10], char out[OG_ULID_LEN + 1])
{
    /* 128 bits: 48-bit time then 80 random bits, as 26 base32 digits
     * (the first digit carries only 3 bits). */
    uint8_t b[16];
    for (int i = 0; i < 6; i++) b[i] = (uint8_t)(ms >> (8 * (5 - i)));
    memcpy(b + 6, r, 10);
    for (int i = 0; i < OG_ULID_LEN; i++) {
        /* digit i covers bits [128 - 5*(26-i), ...) counting from the top; the
         * first digit holds the top 3 bits. */
        int bitpos = i == 0 ? 0 : 3 + 5 * (i - 1); /* offset from MSB */
        int width = i == 0 ? 3 : 5;
        unsigned v = 0;
        for (int k = 0; k < width; k++) {
            int bit = bitpos + k;
            v = (v << 1) | ((b[bit / 8] >> (7 - bit % 8)) & 1u);
        }
        out[i] = B32[v];
    }
    out[OG_ULID_LEN] = 0;
}

static int incr80(uint8_t r[10])
{
    for (int i = 9; i >= 0; i--)
        if (++r[i] != 0) return 0;
    return 1; /* overflowed to zero */
}

og_status og_ulid_new(og_ulid *out)
{
    og_status rc = OG_OK;
    int64_t now = og_clock_now_us() / 1000;
    uint64_t ms = now > 0 ? (uint64_t)now : 0;
    ms &= 0xFFFFFFFFFFFFULL;
    pthread_mutex_lock(&ulid_mu);
    if (!have_last || ms > last_ms) {
        if (RAND_bytes(last_rand, sizeof last_rand) != 1) {
            rc = og_error_set(OG_E_INTERNAL, "RAND_bytes failed drawing ULID randomness");
            goto unlock;
        }
        /* Leave headroom so increments within a millisecond rarely overflow. */
        last_rand[0] &= 0x7F;
        last_ms = ms;
        have_last = 1;
    } else if (incr80(last_rand)) {
        last_ms++;
    }
    encode(last_ms, last_rand, out->s);
unlock:
    pthread_mutex_unlock(&ulid_mu);
    return rc;
}

static int b32_val(char c)
{
    const char *p = c ? strchr(B32, c) : NULL;
    return p ? (int)(p - B32) : -1;
}

bool og_ulid_valid(const char *s)
{
    if (!s) return false;
    for (int i = 0; i < OG_ULID_LEN; i++)
        if (b32_val(s[i]) < 0) return false;
    return s[OG_ULID_LEN] == 0 && s[0] <= '7';
}

uint64_t og_ulid_time_ms(const char *s)
{
    /* The first 10 digits hold 3 + 45 = 48 bits of time. */
    uint64_t ms = 0;
    for (int i = 0; i < 10; i++) {
        int v = b32_val(s[i]);
        if (v < 0) return 0;
        ms = (ms << 5) | (uint64_t)v;
    }
    return ms;
}

og_status og_uuid_v4(char out[37])
{
    uint8_t b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        return og_error_set(OG_E_INTERNAL, "RAND_bytes failed drawing a UUID");
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
             b[12], b[13], b[14], b[15]);
    return OG_OK;
}
