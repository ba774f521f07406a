/* log.h — leveled logging through a sink.
 * (1) The library never prints on its own: the default sink is none. Front
 *     ends (CLI, server) install a sink (og_log_stderr_sink).
 * (2) The level comes from og_log_set_level or OMNIGRAPH_LOG
 *     (error|warn|info|debug|trace), read by og_log_init_from_env. */
#ifndef OG_BASE_LOG_H
#define OG_BASE_LOG_H

typedef enum og_log_level {
    OG_LOG_ERROR = 0, OG_LOG_WARN, OG_LOG_INFO, OG_LOG_DEBUG, OG_LOG_TRACE
} og_log_level;

typedef void (*og_log_sink)(og_log_level lvl, const char *msg, void *ud);

void og_log_set_sink(og_log_sink sink, void *ud);
void og_log_set_level(og_log_level lvl);
og_log_level og_log_get_level(void);
void og_log_init_from_env(void);
void og_log_stderr_sink(og_log_level lvl, const char *msg, void *ud);
void og_log(og_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define og_log_warn(...) og_log(OG_LOG_WARN, __VA_ARGS__)
#define og_log_info(...) og_log(OG_LOG_INFO, __VA_ARGS__)
#define og_log_debug(...) og_log(OG_LOG_DEBUG, __VA_ARGS__)

#endif
