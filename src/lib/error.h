/* error.h - the error idiom and the exit-code table (bf_error_*).
 *
 * Library functions return 0 (or a count) on success and a negative errno on
 * failure. Before returning an error they may record one sentence describing
 * what failed and what to do next with bf_error_set(); the CLI prints that
 * sentence and maps the failure to one of the stable exit codes below.
 */
#ifndef BF_ERROR_H
#define BF_ERROR_H

#include <stdarg.h>

/* Exit codes: stable, documented in man/bfctl.1 (EXIT STATUS). */
enum bf_exit {
	BF_EXIT_OK = 0,          /* success */
	BF_EXIT_FAILURE = 1,     /* operation failed (I/O error, internal error) */
	BF_EXIT_USAGE = 2,       /* bad command line */
	BF_EXIT_INPUT = 3,       /* invalid input file (BFB, bf.cfg, manifest); nothing was pushed */
	BF_EXIT_DEVICE = 4,      /* device missing, busy or not accessible */
	BF_EXIT_PUSH = 5,        /* the boot stream push failed part way */
	BF_EXIT_BOOT = 6,        /* the device reported a boot/install error */
	BF_EXIT_TIMEOUT = 7,     /* a deadline passed */
	BF_EXIT_EXISTS = 8,      /* refused to overwrite existing output (use --force) */
	BF_EXIT_INTERRUPTED = 130, /* interrupted by SIGINT/SIGTERM */
};

/* Record the sentence describing the last failure (thread-local). */
void bf_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bf_error_setv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The recorded sentence, or NULL when none was recorded since the last clear. */
const char *bf_error_get(void);
/* The recorded sentence, else strerror of err (negative or positive). */
const char *bf_error_str(int err);
/* The recorded sentence, else fallback. */
const char *bf_error_or(const char *fallback);
void bf_error_clear(void);

/* Set the error sentence and return -err (err is a positive errno). */
int bf_error_ret(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A one-word name for an exit code, used in JSON "result" events. */
const char *bf_exit_name(int code);

#endif
