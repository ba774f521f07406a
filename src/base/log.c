/* log.c — leveled logging through one process-wide sink.
 * (1) The default sink is none: nothing is formatted or printed until a
 *     front end installs one.
 * (2) Level and sink are read atomically; a message above the level is
 *     dropped before formatting.
 * (3) Messages are truncated at OG_LOG_MSG_MAX bytes. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>

#define OG_LOG_MSG_MAX 2048

static pthread_mutex_t sink_mu = PTHREAD_MUTEX_INITIALIZER;
static og_log_sink g_sink;
static void *g_ud;
static int g_level = OG_LOG_WARN;

void og_log_set_sink(og_log_sink sink, void *ud)
{
    pthread_mutex_lock(&sink_mu);
    g_sink = sink;
    g_ud = ud;
    pthread_mutex_unlock(&sink_mu);
}

void og_log_set_level(og_log_level lvl)
{
    if ((int)lvl < OG_LOG_ERROR) lvl = OG_LOG_ERROR;
    if ((int)lvl > OG_LOG_TRACE) lvl = OG_LOG_TRACE;
    __atomic_store_n(&g_level, (int)lvl, __ATOMIC_RELAXED);
}

og_log_level og_log_get_level(void)
{
    return (og_log_level)__atomic_load_n(&g_level, __ATOMIC_RELAXED);
}

void og_log_init_from_env(void)
{
    static const char *const names[] = {"error", "warn", "info", "debug", "trace"};
    const char *v = getenv("OMNIGRAPH_LOG");
    if (!v) return;
    for (int i = 0; i < 5; i++)
        if (strcasecmp(v, names[i]) == 0) { og_log_set_level((og_log_level)i); return; }
}

static const char *level_name(og_log_level lvl)
{
    switch (lvl) {
    case OG_LOG_ERROR: return "error";
    case OG_LOG_WARN: return "warn";
    case OG_LOG_INFO: return "info";
    case OG_LOG_DEBUG: return "debug";
    case OG_LOG_TRACE: return "trace";
    }
    return "?";
}

void og_log_stderr_sink(og_log_level lvl, const char *msg, void *ud)
{
    (void)ud;
    fprintf(stderr, "omnigraph %s: %s\n", level_name(lvl), msg);
}

void og_log(og_log_level lvl, const char *fmt, ...)
{
    if ((int)lvl > __atomic_load_n(&g_level, __ATOMIC_RELAXED)) return;
    pthread_mutex_lock(&sink_mu);
    og_log_sink sink = g_sink;
    void *ud = g_ud;
    pthread_mutex_unlock(&sink_mu);
    if (!sink) return;
    char msg[OG_LOG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sink(lvl, msg, ud);
}
