/* maintenance.c — the server's background maintenance (issue #10;
 * graph/maint.h (8)).
 * (1) Called by the background reconciler after each recovery round; runs
 *     at most every OMNIGRAPH_MAINTENANCE_INTERVAL_MS (default 60000; 0
 *     turns it off) per process.
 * (2) Per served graph: og_db_maintain on main, which only works when a
 *     table reached the fragment threshold, and then compacts at most 8
 *     tables and collects with the safe defaults (keep 10, versions younger
 *     than a minute and unreferenced files younger than an hour stay, live
 *     writers' sidecars protected). A pass that did something is logged at
 *     info, a failure at warn; neither stops the server. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "omnigraph.h"
#include "server.h"

static int64_t g_last_us;

void og_srv_maintenance_tick(og_srv *s)
{
    const char *e = getenv("OMNIGRAPH_MAINTENANCE_INTERVAL_MS");
    long long ms = e && *e ? atoll(e) : 60000;
    int64_t now = og_clock_mono_us();
    if (ms <= 0 || (g_last_us && now - g_last_us < ms * 1000)) return;
    g_last_us = now;
    for (size_t i = 0; i < s->ngraphs; i++) {
        char *out = NULL;
        if (!s->graphs[i].db) continue;
        if (og_db_maintain(s->graphs[i].db, NULL, 0, &out)) {
            og_log_warn("maintenance on graph %s: %s", s->graphs[i].id, og_errmsg());
        } else if (out && strstr(out, "\"due\":true")) {
            og_log_info("maintenance on graph %s: %s", s->graphs[i].id, out);
        }
        og_free(out);
    }
}
