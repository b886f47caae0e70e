/* test_rshimd_osp.c - rshimd's ownership transfer as a pure state machine
 * (osp.c): the owner's answer to OSP_REQ (drop mode at once, ten ACKs
 * 100 ms apart, one second, then done), the requester's ten OSP_REQ writes and what an
 * ACK or its absence leads to, force requests that do not apply, the
 * device in drop mode left alone; and which drop mode a device starts in
 * (conf.c: DROP_MODE, FORCE_MODE, the livefish default). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "chip.h"
#include "rshimd.h"

#define MS 1000000ull

static bool said(const struct bf_rshimd_osp_out *o, const char *line)
{
	unsigned i;

	for (i = 0; i < o->nsay; i++)
		if (!strcmp(o->say[i], line))
			return true;
	return false;
}

/* The owner: SP1 read every step; OSP_REQ answered. */
static void owner_hands_over(void **state)
{
	struct bf_rshimd_osp o;
	struct bf_rshimd_osp_out out;
	uint64_t t = 5000 * MS;
	unsigned i;

	(void)state;
	bf_rshimd_osp_init(&o);
	assert_true(bf_rshimd_osp_due(&o, t));
	assert_true(bf_rshimd_osp_wants_sp1(&o, false));
	/* Its own keepalive, or anything but OSP_REQ: nothing happens. */
	bf_rshimd_osp_step(&o, t, false, false, true, BF_SP1_KEEPALIVE, &out);
	assert_int_equal(out.act, 0);
	assert_int_equal(out.nsay, 0);
	assert_false(bf_rshimd_osp_busy(&o));
	assert_false(bf_rshimd_osp_due(&o, t + 99 * MS));
	assert_true(bf_rshimd_osp_due(&o, t + 100 * MS));
	/* A failed read that happens to hold OSP_REQ counts for nothing. */
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, false, false, false, BF_SP1_OSP_REQ, &out);
	assert_int_equal(out.act, 0);
	/* The request: drop mode and an ACK at once, nine more 100 ms apart. */
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, false, false, true, BF_SP1_OSP_REQ, &out);
	assert_int_equal(out.act, BF_OSP_DO_WRITE | BF_OSP_DO_DROP);
	assert_true(out.sp1 == BF_SP1_OSP_ACK);
	assert_true(said(&out, "received ownership transfer request"));
	assert_true(said(&out, "notifying the requester with ACK"));
	assert_true(bf_rshimd_osp_busy(&o));
	assert_false(bf_rshimd_osp_wants_sp1(&o, false));
	for (i = 0; i < 9; i++) {
		assert_false(bf_rshimd_osp_due(&o, t + 99 * MS));
		t += 100 * MS;
		bf_rshimd_osp_step(&o, t, true, false, false, 0, &out);
		assert_int_equal(out.act, BF_OSP_DO_WRITE);
		assert_true(out.sp1 == BF_SP1_OSP_ACK);
	}
	/* Ten ACKs written; then a second for the requester to come online. */
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, true, false, false, 0, &out);
	assert_int_equal(out.act, 0);
	assert_true(bf_rshimd_osp_busy(&o));
	assert_false(bf_rshimd_osp_due(&o, t + 999 * MS));
	t += 1000 * MS;
	assert_true(bf_rshimd_osp_due(&o, t));
	bf_rshimd_osp_step(&o, t, true, false, false, 0, &out);
	assert_int_equal(out.act, BF_OSP_DO_PASSED);
	assert_false(bf_rshimd_osp_busy(&o));
	/* Now in drop mode, with no force request: SP1 is not even read. */
	assert_false(bf_rshimd_osp_wants_sp1(&o, true));
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, true, false, false, 0, &out);
	assert_int_equal(out.act, 0);
}

/* The requester: OSP_REQ, then one read per 100 ms until OSP_ACK. */
static void requester_regains(void **state)
{
	struct bf_rshimd_osp o;
	struct bf_rshimd_osp_out out;
	uint64_t t = 1;

	(void)state;
	bf_rshimd_osp_init(&o);
	bf_rshimd_osp_step(&o, t, true, true, false, 0, &out);
	assert_int_equal(out.act, BF_OSP_DO_FORCE_DONE | BF_OSP_DO_WRITE);
	assert_true(out.sp1 == BF_SP1_OSP_REQ);
	assert_true(said(&out, "executing Force command"));
	assert_true(bf_rshimd_osp_wants_sp1(&o, true));
	/* The owner's keepalive still there: ask again. */
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, true, false, true, BF_SP1_KEEPALIVE, &out);
	assert_int_equal(out.act, BF_OSP_DO_WRITE);
	assert_true(out.sp1 == BF_SP1_OSP_REQ);
	/* Our own request read back: not an answer. */
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, true, false, true, BF_SP1_OSP_REQ, &out);
	assert_int_equal(out.act, BF_OSP_DO_WRITE);
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, true, false, true, BF_SP1_OSP_ACK, &out);
	assert_int_equal(out.act, BF_OSP_DO_REGAIN);
	assert_true(said(&out, "received ownership transfer ack"));
	assert_false(bf_rshimd_osp_busy(&o));
}

static void requester_gives_up(void **state)
{
	struct bf_rshimd_osp o;
	struct bf_rshimd_osp_out out;
	uint64_t t = 1;
	unsigned writes = 0, i;

	(void)state;
	bf_rshimd_osp_init(&o);
	bf_rshimd_osp_step(&o, t, true, true, true, 0, &out);
	writes += (out.act & BF_OSP_DO_WRITE) != 0;
	for (i = 0; i < 20 && bf_rshimd_osp_busy(&o); i++) {
		t += 100 * MS;
		bf_rshimd_osp_step(&o, t, true, false, true, BF_SP1_KEEPALIVE, &out);
		writes += (out.act & BF_OSP_DO_WRITE) != 0;
		assert_false(out.act & BF_OSP_DO_REGAIN);
	}
	/* Ten requests, ten reads, then the failure is said once. */
	assert_int_equal(writes, 10);
	assert_int_equal(i, 10);
	assert_int_equal(out.act, 0);
	assert_true(said(&out, "failed to receive ownership transfer ack"));
	/* The force request was used up: nothing more is sent. */
	t += 100 * MS;
	bf_rshimd_osp_step(&o, t, true, false, true, BF_SP1_KEEPALIVE, &out);
	assert_int_equal(out.act, 0);
}

static void force_that_does_not_apply(void **state)
{
	struct bf_rshimd_osp o;
	struct bf_rshimd_osp_out out;

	(void)state;
	/* Already the owner: the force request is dropped, said once. */
	bf_rshimd_osp_init(&o);
	bf_rshimd_osp_step(&o, 1, false, true, true, BF_SP1_KEEPALIVE, &out);
	assert_int_equal(out.act, BF_OSP_DO_FORCE_DONE);
	assert_int_equal(out.nsay, 1);
	assert_true(said(&out, "skipping Force command (already attached)"));
	/* Requesting, and drop mode was left another way (DROP_MODE 0). */
	bf_rshimd_osp_init(&o);
	bf_rshimd_osp_step(&o, 1, true, true, false, 0, &out);
	assert_true(bf_rshimd_osp_busy(&o));
	bf_rshimd_osp_step(&o, 1 + 100 * MS, false, false, true, BF_SP1_OSP_ACK, &out);
	assert_int_equal(out.act, 0);
	assert_false(bf_rshimd_osp_busy(&o));
}

static void start_drop_mode(void **state)
{
	struct bf_rshimd_conf c;
	static const char lf[] = "pcie-lf:0000:04:00.0";

	(void)state;
	bf_rshimd_conf_defaults(&c);
	assert_false(c.force_mode);
	/* Unset: a livefish function starts in drop mode, the rest do not. */
	assert_true(bf_rshimd_default_drop(&c, lf));
	assert_false(bf_rshimd_default_drop(&c, "usb:1-4"));
	assert_false(bf_rshimd_default_drop(&c, "pcie:0000:03:00.2"));
	assert_false(bf_rshimd_default_drop(&c, "sim:0"));
	assert_int_equal(bf_rshimd_conf_parse(&c, "DROP_MODE 0\nFORCE_MODE 1\n", 24, NULL, 0), 0);
	assert_false(bf_rshimd_default_drop(&c, lf));
	assert_true(c.force_mode);
	assert_int_equal(bf_rshimd_conf_parse(&c, "DROP_MODE 1\nFORCE_MODE 0\n", 24, NULL, 0), 0);
	assert_true(bf_rshimd_default_drop(&c, "usb:1-4"));
	assert_false(c.force_mode);
	assert_int_equal(bf_rshimd_conf_parse(&c, "FORCE_MODE yes\n", 15, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(owner_hands_over),
		cmocka_unit_test(requester_regains),
		cmocka_unit_test(requester_gives_up),
		cmocka_unit_test(force_that_does_not_apply),
		cmocka_unit_test(start_drop_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
