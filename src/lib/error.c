/* error.c - the thread-local "last error sentence" and exit-code names. */
#include "config.h"
#include "error.h"

#include <string.h>

#include <stdio.h>

static __thread char err_buf[512];
static __thread int err_set;

/* Formatted aside first: a caller may wrap the sentence already recorded
 * (an argument pointing into err_buf), and vsnprintf must not write over
 * what it is still reading. */
void bf_error_setv(const char *fmt, va_list ap)
{
	char tmp[sizeof(err_buf)];

	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(err_buf, tmp, sizeof(err_buf));
	err_set = 1;
}

void bf_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bf_error_setv(fmt, ap);
	va_end(ap);
}

const char *bf_error_get(void)
{
	return err_set ? err_buf : NULL;
}

const char *bf_error_str(int err)
{
	if (err_set)
		return err_buf;
	return strerror(err < 0 ? -err : err);
}

const char *bf_error_or(const char *fallback)
{
	return err_set ? err_buf : fallback;
}

void bf_error_clear(void)
{
	err_set = 0;
	err_buf[0] = '\0';
}

int bf_error_ret(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bf_error_setv(fmt, ap);
	va_end(ap);
	return err > 0 ? -err : err;
}

const char *bf_exit_name(int code)
{
	switch (code) {
	case BF_EXIT_OK: return "ok";
	case BF_EXIT_FAILURE: return "failure";
	case BF_EXIT_USAGE: return "usage";
	case BF_EXIT_INPUT: return "invalid-input";
	case BF_EXIT_DEVICE: return "device";
	case BF_EXIT_PUSH: return "push-failed";
	case BF_EXIT_BOOT: return "boot-error";
	case BF_EXIT_TIMEOUT: return "timeout";
	case BF_EXIT_EXISTS: return "exists";
	case BF_EXIT_INTERRUPTED: return "interrupted";
	default: return "unknown";
	}
}
