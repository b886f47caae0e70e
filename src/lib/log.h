/* log.h - verbosity-controlled diagnostics to stderr (bf_log_*). */
#ifndef BF_LOG_H
#define BF_LOG_H

#include <stdarg.h>

enum bf_log_level {
	BF_LOG_ERROR = 0,
	BF_LOG_WARN = 1,
	BF_LOG_INFO = 2,   /* -v */
	BF_LOG_DEBUG = 3,  /* -vv */
};

void bf_log_set_level(int level);
int bf_log_get_level(void);
/* Set the program name used as the prefix of every line. */
void bf_log_set_prog(const char *prog);

/* Send the lines to syslog (facility daemon) instead of stderr. */
void bf_log_to_syslog(const char *ident);
void bf_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bf_logv(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define bf_warn(...)  bf_log(BF_LOG_WARN, __VA_ARGS__)
#define bf_info(...)  bf_log(BF_LOG_INFO, __VA_ARGS__)
#define bf_debug(...) bf_log(BF_LOG_DEBUG, __VA_ARGS__)

#endif
