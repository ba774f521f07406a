/* clock.c — wall and monotonic time in microseconds.
 * (1) og_clock_now_us is CLOCK_REALTIME (may go backwards);
 *     og_clock_mono_us is CLOCK_MONOTONIC (never does).
 * (2) og_clock_format_us always NUL-terminates when cap > 0. */
#include "clock.h"

#include <stdio.h>
#include <time.h>

static int64_t ts_us(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return 0;
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t og_clock_now_us(void)
{
    return ts_us(CLOCK_REALTIME);
}

int64_t og_clock_mono_us(void)
{
    return ts_us(CLOCK_MONOTONIC);
}

void og_clock_format_us(int64_t us, char *out, size_t cap)
{
    if (!cap) return;
    int64_t sec = us / 1000000, frac = us % 1000000;
    if (frac < 0) { frac += 1000000; sec -= 1; }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { out[0] = 0; return; }
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
}
