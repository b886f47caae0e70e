/* test_usb_bound.c - the credit bound of the USB push benchmark
 * (tests/common/usb_bound.c): its two-interval programs agree with their
 * closed form; it is never below a rate that a periodic schedule reaches
 * under the same constraints (a bound below a reachable rate is wrong);
 * it moves the right way with each parameter; the least time of a push
 * takes the tightest of link, drain and credit. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "usb_bound.h"

static const double ctls[] = { 20, 60, 125, 250, 400, 1000 };
static const double rates[] = { 32.8, 40, 53.2 };
static const double fifos[] = { 4096, 8192, 16384 };

#define EACH_MODEL(md)                                                                    \
	for (size_t i_ = 0; i_ < sizeof(ctls) / sizeof(ctls[0]); i_++)                   \
		for (size_t j_ = 0; j_ < sizeof(rates) / sizeof(rates[0]); j_++)         \
			for (size_t k_ = 0; k_ < sizeof(fifos) / sizeof(fifos[0]); k_++) \
				if ((md = (struct usb_bound_model){ fifos[k_], rates[j_], ctls[i_], 40 }), 1)

static void assert_close(double a, double b)
{
	if (fabs(a - b) > 1e-6 * fabs(b))
		fail_msg("%.9f != %.9f", a, b);
}

static void test_two_intervals_closed_form(void **state)
{
	struct usb_bound_model md;

	(void)state;
	EACH_MODEL(md) {
		double d = md.ctl_us + 2 * md.done_us;

		assert_close(usb_bound_block(&md, 2),
			     fmax(md.fifo / (2 * md.ctl_us), md.fifo / (d + md.fifo / md.rate)));
	}
	md = (struct usb_bound_model){ 8192, 40, 250, 40 };
	assert_close(usb_bound_credit(&md), 8192.0 / 500 * (1 + 1e-6));
	assert_true(isinf(usb_bound_block(&md, 1)) && isinf(usb_bound_block(&md, 5)));
}

/* Periodic schedules that satisfy L(u_k+1 + D) <= W + L(u_k): one FIFO
 * per round trip (exact); n bursts of W/n in flight, a read as each
 * completes, at most one read per ctl; a steady stream with reads back
 * to back. */
static void test_never_below_a_schedule(void **state)
{
	struct usb_bound_model md;

	(void)state;
	EACH_MODEL(md) {
		double d = md.ctl_us + 2 * md.done_us, w = md.fifo, r = md.rate, t = usb_bound_credit(&md);
		unsigned n;

		assert_true(t >= w / (d + w / r));
		for (n = 2; n <= 4; n++)
			assert_true(t >= w / fmax(n * md.ctl_us, d + w / (n * r)));
		assert_true(t >= fmin(r, w / (2 * md.ctl_us + 2 * md.done_us)));
	}
}

static void test_monotone(void **state)
{
	struct usb_bound_model md, more;

	(void)state;
	EACH_MODEL(md) {
		double t = usb_bound_credit(&md);

		more = md;
		more.ctl_us *= 1.1;
		assert_true(usb_bound_credit(&more) <= t * (1 + 1e-9));
		more = md;
		more.done_us *= 1.5;
		assert_true(usb_bound_credit(&more) <= t * (1 + 1e-9));
		more = md;
		more.fifo *= 1.5;
		assert_true(usb_bound_credit(&more) >= t * (1 - 1e-9));
		more = md;
		more.rate *= 1.2;
		assert_true(usb_bound_credit(&more) >= t * (1 - 1e-9));
	}
}

static void test_least_time(void **state)
{
	struct usb_bound_model md = { 8192, 40, 125, 40 };
	double t = usb_bound_credit(&md), n = 4 << 20;

	(void)state;
	assert_close(usb_bound_least_us(&md, t, 1.7, 4 << 20), (n - 8192) / 1.7);   /* the drain */
	assert_close(usb_bound_least_us(&md, 1e9, 0, 4 << 20), n / 40);              /* the link */
	assert_close(usb_bound_least_us(&md, t, 0, 4 << 20), n / t - (8 * 125 + 40)); /* the credit */
	assert_true(usb_bound_least_us(&md, t, 0, 4 << 20) > n / 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_intervals_closed_form),
		cmocka_unit_test(test_never_below_a_schedule),
		cmocka_unit_test(test_monotone),
		cmocka_unit_test(test_least_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
