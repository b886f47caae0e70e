/* test_tmconsole.c - the console and network packets through a backend's
 * TM FIFO endpoint (a fake one here): a packet the endpoint takes in part
 * and then stops taking ends with -ETIMEDOUT or -EINTR, never a hang. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "chip.h"
#include "clock.h"
#include "rshim.h"
#include "tmconsole.h"

/* The fake endpoint: a script of returns, then `after` for ever. A cap on
 * the calls stands in for "for ever": past it the fake answers -EIO, so
 * an unbounded retry shows as a wrong return instead of a hang. */
#define CALL_CAP 100000
static struct {
	ssize_t script[8];
	unsigned nscript, calls;
	ssize_t after;
	size_t taken;
	volatile int *stop_at_call;   /* set *it when calls reaches 3 */
} ep;

static ssize_t fake_write(struct bf_rshim *r, const void *buf, size_t len)
{
	ssize_t w;

	(void)r;
	(void)buf;
	if (++ep.calls > CALL_CAP)
		return -EIO;
	if (ep.stop_at_call && ep.calls == 3)
		*ep.stop_at_call = 1;
	w = ep.calls <= ep.nscript ? ep.script[ep.calls - 1] : ep.after;
	if (w > (ssize_t)len)
		w = (ssize_t)len;
	if (w > 0)
		ep.taken += (size_t)w;
	return w;
}

static const struct bf_rshim_ops fake_ops = { .fifo_write = fake_write };

static void setup(struct bf_rshim *r, struct bf_tmconsole *c)
{
	memset(&ep, 0, sizeof(ep));
	memset(r, 0, sizeof(*r));
	r->ops = &fake_ops;
	r->chip = bf_chip_get(BF_CHIP_BF3);
	snprintf(r->name, sizeof(r->name), "fake:0");
	bf_tmconsole_init(c, r, NULL, NULL);
}

static void net_partial_then_nothing(void **state)
{
	struct bf_rshim r;
	struct bf_tmconsole c;
	uint8_t frame[1500] = { 0 };

	(void)state;
	setup(&r, &c);
	ep.script[0] = 512;
	ep.nscript = 1;
	ep.after = 0;
	assert_int_equal(bf_tmconsole_send_net(&c, frame, sizeof(frame)), -ETIMEDOUT);
	assert_true(ep.calls < CALL_CAP);
	assert_int_equal(ep.taken, 512);
}

static void console_partial_then_nothing(void **state)
{
	struct bf_rshim r;
	struct bf_tmconsole c;
	char text[600];

	(void)state;
	memset(text, 'x', sizeof(text));
	setup(&r, &c);
	ep.script[0] = 64;
	ep.nscript = 1;
	ep.after = 0;
	assert_int_equal(bf_tmconsole_write(&c, text, sizeof(text)), -ETIMEDOUT);
	assert_true(ep.calls < CALL_CAP);
	assert_int_equal(c.tx_bytes, 0);
}

/* The caller's stop flag ends the wait for the rest of a packet. */
static void net_stop_flag(void **state)
{
	struct bf_rshim r;
	struct bf_tmconsole c;
	uint8_t frame[1500] = { 0 };
	volatile int stop = 0;

	(void)state;
	setup(&r, &c);
	c.stop = &stop;
	ep.script[0] = 512;
	ep.nscript = 1;
	ep.after = 0;
	ep.stop_at_call = &stop;
	assert_int_equal(bf_tmconsole_send_net(&c, frame, sizeof(frame)), -EINTR);
	assert_int_equal(ep.calls, 3);
}

/* A pause shorter than the bound: the packet still goes whole. */
static void net_partial_pause_rest(void **state)
{
	struct bf_rshim r;
	struct bf_tmconsole c;
	uint8_t frame[1000] = { 0 };

	(void)state;
	setup(&r, &c);
	ep.script[0] = 504;
	ep.script[1] = 0;
	ep.script[2] = 0;
	ep.nscript = 3;
	ep.after = 4096;
	assert_int_equal(bf_tmconsole_send_net(&c, frame, sizeof(frame)), 1);
	assert_int_equal(ep.taken, 8 + 1000);
	/* Nothing taken at all: "no room now", the caller tries again. */
	setup(&r, &c);
	ep.after = 0;
	assert_int_equal(bf_tmconsole_send_net(&c, frame, sizeof(frame)), 0);
	assert_int_equal(ep.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(net_partial_then_nothing),
		cmocka_unit_test(console_partial_then_nothing),
		cmocka_unit_test(net_stop_flag),
		cmocka_unit_test(net_partial_pause_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
