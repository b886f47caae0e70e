/* clock.h - monotonic time and named deadlines (bf_clock_*, bf_deadline_*). */
#ifndef BF_CLOCK_H
#define BF_CLOCK_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

uint64_t bf_clock_ns(void);            /* CLOCK_MONOTONIC in ns */
void bf_clock_sleep_ns(uint64_t ns);   /* restarts on EINTR unless a stop was requested */
void bf_clock_sleep_until_ns(uint64_t mono_ns);   /* absolute CLOCK_MONOTONIC time */

struct bf_deadline {
	uint64_t at_ns;       /* 0 = never */
	const char *reason;   /* what we were waiting for, for the error sentence */
};

void bf_deadline_set(struct bf_deadline *d, double seconds, const char *reason);

/* The longest duration a command line may give (about 115 days): above it,
 * a deadline in nanoseconds would overflow. */
#define BF_DURATION_MAX_S 1e7

/* Parse a duration in seconds ("30", "0.5") from the command line: a
 * finite number above 0 and at most BF_DURATION_MAX_S ("inf", "nan",
 * "1e12", "-1", "" and trailing text are refused). 0, or -EINVAL / -ERANGE
 * with a sentence (bf_error_get()) quoting the text. */
int bf_duration_parse(const char *text, double *seconds);
bool bf_deadline_passed(const struct bf_deadline *d);
/* Nanoseconds left (0 when passed, UINT64_MAX when no deadline). */
uint64_t bf_deadline_left_ns(const struct bf_deadline *d);

/* SIGINT/SIGTERM handling shared by the programs: the handler only sets a
 * flag; long operations poll bf_stop_requested() and return -EINTR. */
void bf_stop_install_handlers(void);
bool bf_stop_requested(void);
/* The flag itself, for libraries that take a stop pointer. */
const volatile sig_atomic_t *bf_stop_flag(void);
void bf_stop_request(void);

#endif
