/* clock.h — time in microseconds.
 * og_clock_now_us: wall clock since the Unix epoch (for commit timestamps).
 * og_clock_mono_us: monotonic (for durations, deadlines). */
#ifndef OG_BASE_CLOCK_H
#define OG_BASE_CLOCK_H

#include <stdint.h>
#include <stddef.h>

int64_t og_clock_now_us(void);
int64_t og_clock_mono_us(void);
/* RFC 3339 UTC text with microseconds: 2026-11-26T09:21:08.123456Z. */
void og_clock_format_us(int64_t us, char *out, size_t cap);

#endif
