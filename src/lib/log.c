/* log.c - verbosity-controlled diagnostics to stderr. */
#include "config.h"
#include "log.h"
#include "escape.h"
#include "event.h"

#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>

static int log_level = BF_LOG_WARN;
static const char *log_prog = "bfctl";

void bf_log_set_level(int level) { log_level = level; }
int bf_log_get_level(void) { return log_level; }
void bf_log_set_prog(const char *prog) { log_prog = prog; }

static bool log_syslog;

void bf_log_to_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = true;
}

void bf_logv(int level, const char *fmt, va_list ap)
{
	static const char *const tags[] = { "error", "warning", "info", "debug" };

	if (level > log_level)
		return;
	if (level < 0)
		level = 0;
	if (level > BF_LOG_DEBUG)
		level = BF_LOG_DEBUG;
	if (log_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

		vsyslog(prio[level], fmt, ap);
		return;
	}
	{
		/* Messages carry file and device text: escaped (escape.h). */
		char msg[1024], esc[1200];
		const struct bf_event_view *v = bf_event_view();
		const char *dev = bf_event_device();

		vsnprintf(msg, sizeof(msg), fmt, ap);
		if (v && v->line) {   /* a view of many devices shows it in place */
			char line[1300];

			bf_escape_text(esc, sizeof(esc), msg);
			snprintf(line, sizeof(line), "%s: %s", tags[level], esc);
			v->line(v->ctx, line);
			return;
		}
		/* Keep a live progress bar from being overwritten mid-line. */
		bf_event_progress_clear();
		flockfile(stderr);
		fprintf(stderr, "%s: %s: ", log_prog, tags[level]);
		if (dev) {
			bf_escape_text_fputs(dev, stderr);
			fputs(": ", stderr);
		}
		bf_escape_text_fputs(msg, stderr);
		fputc('\n', stderr);
		funlockfile(stderr);
	}
}

void bf_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bf_logv(level, fmt, ap);
	va_end(ap);
}
