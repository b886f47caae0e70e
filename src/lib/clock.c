/* clock.c - monotonic time, deadlines and the stop flag. */
#include "config.h"
#include "clock.h"
#include "error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_flag;

uint64_t bf_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bf_clock_sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !stop_flag)
		;
}

void bf_clock_sleep_until_ns(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_flag)
		;
}

void bf_deadline_set(struct bf_deadline *d, double seconds, const char *reason)
{
	d->reason = reason;
	if (!(seconds <= BF_DURATION_MAX_S))   /* also NaN: never overflow the ns count */
		seconds = BF_DURATION_MAX_S;
	d->at_ns = seconds > 0 ? bf_clock_ns() + (uint64_t)(seconds * 1e9) : 0;
}

int bf_duration_parse(const char *text, double *seconds)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || *end || isnan(v) || !(v > 0))
		return bf_error_ret(EINVAL, "'%s' is not a number of seconds above 0", text);
	if (errno == ERANGE || !(v <= BF_DURATION_MAX_S))
		return bf_error_ret(ERANGE, "'%s' seconds is too long (at most %.0f)", text, BF_DURATION_MAX_S);
	*seconds = v;
	return 0;
}

bool bf_deadline_passed(const struct bf_deadline *d)
{
	return d->at_ns && bf_clock_ns() >= d->at_ns;
}

uint64_t bf_deadline_left_ns(const struct bf_deadline *d)
{
	uint64_t now;

	if (!d->at_ns)
		return UINT64_MAX;
	now = bf_clock_ns();
	return now >= d->at_ns ? 0 : d->at_ns - now;
}

const volatile sig_atomic_t *bf_stop_flag(void) { return &stop_flag; }

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void bf_stop_install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking calls return EINTR so loops see the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A reader that goes away (bfctl install | head) must never kill a
	 * push half way: writes to it fail with EPIPE instead, and the
	 * command goes on to its end. */
	signal(SIGPIPE, SIG_IGN);
}

bool bf_stop_requested(void) { return stop_flag != 0; }
void bf_stop_request(void) { stop_flag = 1; }
