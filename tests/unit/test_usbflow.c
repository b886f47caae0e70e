/* test_usbflow.c - the USB push policy (usbflow) on its own and against the
 * simulator's USB function (usbdev) on the virtual clock: no byte is ever
 * sent into a full BF3 boot FIFO, even when the device drains slowly or
 * stops; a policy without credits does overflow the same model (so the
 * model can catch a bad policy); BF2 NAKs instead of losing data. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bfb.h"
#include "chip.h"
#include "rshim/usbflow.h"
#include "rshim/usbheld.h"
#include "sim.h"
#include "usbdev.h"
#include "usbrig.h"

static void test_credit_rules(void **state)
{
	struct bf_usbflow f;

	(void)state;
	bf_usbflow_init(&f, 8192, 0x7ff, true);
	assert_int_equal(bf_usbflow_grant(&f, 4096), 0);        /* nothing known yet */
	assert_true(bf_usbflow_want_read(&f, true));
	assert_false(bf_usbflow_want_read(&f, false));           /* nothing left to send */
	bf_usbflow_read_submitted(&f, 0);
	assert_false(bf_usbflow_want_read(&f, true));            /* nothing new to count */
	bf_usbflow_read_done(&f, 0, 0);
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8192);   /* the whole FIFO: its count says "full" */
	assert_int_equal(bf_usbflow_grant(&f, 13), 8);           /* whole words only */
	bf_usbflow_submitted(&f, 8192);
	assert_int_equal(bf_usbflow_grant(&f, 8), 0);
	assert_false(bf_usbflow_want_read(&f, true));            /* nothing completed yet */
	bf_usbflow_completed(&f, 4096, 4096);
	assert_true(bf_usbflow_want_read(&f, true));             /* it vouches for 4096 more */
	bf_usbflow_read_submitted(&f, 1);
	bf_usbflow_completed(&f, 4096, 4096);
	assert_true(bf_usbflow_want_read(&f, true));             /* a second one out: 4096 more */
	bf_usbflow_read_submitted(&f, 0);
	assert_false(bf_usbflow_want_read(&f, true));            /* two out at most */
	/* They come back: each credits what had completed when it went out. */
	bf_usbflow_read_done(&f, 1, 512);                        /* 512 words still there */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 4096 - 4096);
	bf_usbflow_read_done(&f, 0, 1000);                       /* 1000 words still there */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8192 - 8000);
	assert_false(bf_usbflow_want_read(&f, true));            /* credit left, nothing new */
	bf_usbflow_submitted(&f, 192);
	bf_usbflow_completed(&f, 192, 192);
	assert_true(bf_usbflow_want_read(&f, true));
	bf_usbflow_read_submitted(&f, 1);
	bf_usbflow_read_done(&f, 1, 1024);                       /* full: 11 bits say so */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 0);
	assert_true(bf_usbflow_want_read(&f, true));             /* idle and no credit: ask again */
	bf_usbflow_read_submitted(&f, 0);
	assert_false(bf_usbflow_want_read(&f, true));            /* one such read at a time */
	bf_usbflow_read_done(&f, 0, 2047);                       /* not a count this FIFO can give */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 0);
	bf_usbflow_read_submitted(&f, 1);
	bf_usbflow_read_failed(&f, 1);                           /* a failed read: no credit */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 0);
	bf_usbflow_read_submitted(&f, 0);
	bf_usbflow_read_done(&f, 0, 0);
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8192);
	/* The limit never moves back: an older read returning a higher
	 * count after a newer one takes nothing away. */
	bf_usbflow_submitted(&f, 4096);
	bf_usbflow_completed(&f, 1024, 1024);
	bf_usbflow_read_submitted(&f, 1);
	bf_usbflow_read_done(&f, 1, 1024);
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8192 - 4096);
	/* Exact schedule: a read only once everything sent has completed. */
	f.exact = true;
	bf_usbflow_completed(&f, 1024, 1024);
	assert_false(bf_usbflow_want_read(&f, true));
	bf_usbflow_completed(&f, 2048, 2048);
	assert_true(bf_usbflow_want_read(&f, true));
	f.exact = false;
	/* A cancelled transfer gives back what it did not move. */
	bf_usbflow_submitted(&f, 2048);
	bf_usbflow_completed(&f, 0, 2048);
	assert_int_equal(f.submitted, 8192 + 192 + 4096);
	/* A count field that cannot say "full" (10 bits for 1024 words):
	 * one word less than the FIFO. */
	bf_usbflow_init(&f, 8192, 0x3ff, true);
	bf_usbflow_read_submitted(&f, 0);
	bf_usbflow_read_done(&f, 0, 0);
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8184);
	/* BF2: no reads, a bound on bytes in flight. */
	bf_usbflow_init(&f, 4096, 0x3ff, false);
	assert_false(bf_usbflow_want_read(&f, true));
	assert_true(bf_usbflow_grant(&f, 1u << 20) >= 65536);
}

/* Reads per burst: a read once a whole burst has completed, not as soon
 * as some bytes have; a burst ends at its size. */
static void test_reads_per_burst(void **state)
{
	struct bf_usbflow f;

	(void)state;
	bf_usbflow_init(&f, 8192, 0x7ff, true);
	f.burst = 4096;
	bf_usbflow_read_submitted(&f, 0);
	bf_usbflow_read_done(&f, 0, 0);
	bf_usbflow_submitted(&f, 2048);
	bf_usbflow_submitted(&f, 2048);                          /* a burst of 4096 ends */
	bf_usbflow_submitted(&f, 1024);
	bf_usbflow_completed(&f, 3072, 3072);
	assert_false(bf_usbflow_want_read(&f, true));            /* bytes completed, not the burst */
	bf_usbflow_completed(&f, 1024, 1024);
	assert_true(bf_usbflow_want_read(&f, true));             /* the burst completed */
	bf_usbflow_read_submitted(&f, 1);
	bf_usbflow_completed(&f, 1024, 1024);
	assert_false(bf_usbflow_want_read(&f, true));            /* the next one is still open */
	/* Reads as bytes complete: any byte counts. */
	f.burst = 0;
	assert_true(bf_usbflow_want_read(&f, true));
}

/* Where the credit runs out: after half a burst, that ends one; before,
 * it joins the next, unless nothing is in flight and no credit is left. */
static void test_burst_ends(void **state)
{
	struct bf_usbflow f;

	(void)state;
	bf_usbflow_init(&f, 8192, 0x7ff, true);
	f.burst = 4096;
	bf_usbflow_read_submitted(&f, 0);
	bf_usbflow_read_done(&f, 0, 768);                        /* 6144 B still in the FIFO */
	bf_usbflow_submitted(&f, 2048);
	assert_int_equal(bf_usbflow_grant(&f, 8), 0);
	bf_usbflow_completed(&f, 1024, 1024);
	assert_false(bf_usbflow_want_read(&f, true));
	bf_usbflow_completed(&f, 1024, 1024);
	assert_true(bf_usbflow_want_read(&f, true));
	bf_usbflow_init(&f, 8192, 0x7ff, true);
	f.burst = 4096;
	bf_usbflow_read_submitted(&f, 0);
	bf_usbflow_read_done(&f, 0, 896);                        /* 1024 B of credit */
	bf_usbflow_submitted(&f, 1024);
	bf_usbflow_read_submitted(&f, 1);
	bf_usbflow_read_done(&f, 1, 768);                        /* 1024 B more */
	bf_usbflow_submitted(&f, 1024);
	assert_int_equal(bf_usbflow_grant(&f, 8), 0);
	bf_usbflow_completed(&f, 1024, 1024);
	assert_false(bf_usbflow_want_read(&f, true));
	bf_usbflow_completed(&f, 1024, 1024);
	assert_true(bf_usbflow_want_read(&f, true));
	bf_usbflow_init(&f, 8192, 0x7ff, true);
	f.burst = 4096;
	bf_usbflow_read_submitted(&f, 0);
	bf_usbflow_read_done(&f, 0, 896);
	bf_usbflow_submitted(&f, 1024);
	bf_usbflow_completed(&f, 1024, 1024);
	assert_true(bf_usbflow_want_read(&f, true));
}

/* A valid stream: one 1 MiB image (id 62) the boot model consumes. */
static uint8_t *stream(size_t *len)
{
	size_t n = BF_BFB_HDR_LEN + (1u << 20), i;
	uint8_t *d = malloc(n);
	struct bf_bfb_hdr h;

	assert_non_null(d);
	for (i = BF_BFB_HDR_LEN; i < n; i++)
		d[i] = (uint8_t)(i * 131u);
	bf_bfb_hdr_init(&h, 62, 0, 1u << 20, bf_bfb_crc32(0, d + BF_BFB_HDR_LEN, 1u << 20));
	bf_bfb_hdr_encode(&h, d);
	*len = n;
	return d;
}

static void test_bf3_policy_never_overflows(void **state)
{
	static const uint64_t drains[] = { 80000000, 40000000, 5000000, 1700000 };
	static const double ctls[] = { 20e-6, 125e-6, 250e-6 };
	struct bf_sim_usb_timing t;
	struct usbrig g;
	uint8_t *d;
	size_t len, i, j;

	(void)state;
	d = stream(&len);
	for (i = 0; i < sizeof(drains) / sizeof(drains[0]); i++)
		for (j = 0; j < sizeof(ctls) / sizeof(ctls[0]); j++) {
			bf_sim_usb_timing_defaults(&t);
			t.ctl_s = ctls[j];
			assert_int_equal(usbrig_open(&g, BF_CHIP_BF3, drains[i], 0, &t, d, len), 0);
			assert_int_equal(usbrig_push_bfctl(&g, 60), len);
			assert_int_equal(usbrig_close(&g), 0);
		}
	free(d);
}

static void test_bf3_blind_push_overflows(void **state)
{
	struct usbrig g;
	uint8_t *d;
	size_t len;

	(void)state;
	d = stream(&len);
	assert_int_equal(usbrig_open(&g, BF_CHIP_BF3, 5000000, 0, NULL, d, len), 0);
	assert_int_equal(usbrig_push_blind(&g), len);
	assert_true(usbrig_close(&g) > 0);   /* the model loses what does not fit */
	free(d);
}

static void test_bf2_naks_instead(void **state)
{
	struct usbrig g;
	uint8_t *d;
	size_t len;

	(void)state;
	d = stream(&len);
	assert_int_equal(usbrig_open(&g, BF_CHIP_BF2, 5000000, 0, NULL, d, len), 0);
	assert_int_equal(usbrig_push_blind(&g), len);
	assert_int_equal(usbrig_close(&g), 0);
	free(d);
}

static void test_bf3_stalled_device(void **state)
{
	struct usbrig g;
	int64_t moved;
	uint8_t *d;
	size_t len;

	(void)state;
	d = stream(&len);
	assert_int_equal(usbrig_open(&g, BF_CHIP_BF3, 80000000, 100000, NULL, d, len), 0);
	moved = usbrig_push_bfctl(&g, 1.0);
	/* It stops getting credit once the FIFO is full: nothing lost, and
	 * no more than the drained bytes plus one FIFO went out. */
	assert_true(moved >= 100000 && moved < (int64_t)len);
	assert_true(moved <= 100000 + 8192);
	assert_int_equal(usbrig_close(&g), 0);
	free(d);
}

/* Simulated time, deterministic: not a timing assertion on this host.
 * Faster than the upstream loop where control transfers are quick, never
 * slower where they are slow (the exact schedule is that loop's). */
static void test_upstream_policy_is_safe_but_slower(void **state)
{
	static const double ctls[] = { 20e-6, 125e-6, 250e-6 };
	struct bf_sim_usb_timing t;
	double t_up, t_bf;
	struct usbrig g;
	uint8_t *d;
	size_t len, i;

	(void)state;
	d = stream(&len);
	for (i = 0; i < sizeof(ctls) / sizeof(ctls[0]); i++) {
		bf_sim_usb_timing_defaults(&t);
		t.ctl_s = ctls[i];
		assert_int_equal(usbrig_open(&g, BF_CHIP_BF3, 0, 0, &t, d, len), 0);
		assert_int_equal(usbrig_push_upstream(&g), len);
		t_up = usbrig_elapsed(&g);
		assert_int_equal(usbrig_close(&g), 0);
		assert_int_equal(usbrig_open(&g, BF_CHIP_BF3, 0, 0, &t, d, len), 0);
		assert_int_equal(usbrig_push_bfctl(&g, 60), len);
		t_bf = usbrig_elapsed(&g);
		assert_int_equal(usbrig_close(&g), 0);
		if (i < 2)
			assert_true(t_bf < 0.9 * t_up);
		else
			assert_true(t_bf <= t_up * 1.0005);
	}
	free(d);
}

/* A push at ctl_us, drain_mb_s and link_mb_s, the register read
 * sample_at of the way through a control transfer, the host seeing
 * completions 0 to jitter_us late: nothing lost; MB/s. */
static double push_model(double ctl_us, double drain_mb_s, double link_mb_s, double sample_at,
			 double jitter_us)
{
	struct bf_sim_usb_timing t;
	struct usbrig g;
	double rate;
	uint8_t *d;
	size_t len;

	d = stream(&len);
	bf_sim_usb_timing_defaults(&t);
	t.ctl_s = ctl_us * 1e-6;
	t.link_bps = link_mb_s * 1e6;
	t.sample_at = sample_at;
	t.done_jitter_s = jitter_us * 1e-6;
	assert_int_equal(usbrig_open(&g, BF_CHIP_BF3, (uint64_t)(drain_mb_s * 1e6), 0, &t, d, len), 0);
	assert_int_equal(usbrig_push_bfctl(&g, 60), len);
	rate = (double)len / usbrig_elapsed(&g) / 1e6;
	assert_int_equal(usbrig_close(&g), 0);
	free(d);
	return rate;
}

static double push_rate_at(double ctl_us, double drain_mb_s, double link_mb_s, double sample_at)
{
	return push_model(ctl_us, drain_mb_s, link_mb_s, sample_at, 0);
}

static double push_rate(double ctl_us, double drain_mb_s, double link_mb_s)
{
	return push_model(ctl_us, drain_mb_s, link_mb_s, 0.5, 0);
}

static double push_rate_jitter(double ctl_us, double drain_mb_s, double link_mb_s, double jitter_us)
{
	return push_model(ctl_us, drain_mb_s, link_mb_s, 0.5, jitter_us);
}

/* A host that sees completions late, by a different amount each time
 * (interrupt moderation, scheduling): the credit does not depend on
 * timing, so nothing is lost; the jitter comes from a fixed seed, so a
 * push gives the same figure twice; and it costs (250 us, 20 MB/s drain,
 * 40 MB/s link: 16.1 MB/s without, 15.0 with 0-20 us). */
static void test_completion_jitter(void **state)
{
	struct bf_sim_usb_timing t;
	double a;

	(void)state;
	bf_sim_usb_timing_defaults(&t);
	assert_true(t.done_jitter_s == 0);
	assert_int_equal(bf_sim_usb_timing_parse(&t, "done_jitter_us=20"), 0);
	assert_true(t.done_jitter_s > 19.999e-6 && t.done_jitter_s < 20.001e-6);
	push_rate_jitter(60, 40, 40, 50);
	push_rate_jitter(125, 80, 32.8, 50);
	a = push_rate_jitter(250, 20, 40, 20);
	assert_true(a == push_rate_jitter(250, 20, 40, 20));
	assert_true(a < push_rate(250, 20, 40) - 0.5);
}

/* Where the device reads BOOT_FIFO_COUNT in a control transfer is a
 * model parameter: parsed within 0-1, and the credit holds wherever it
 * is (push_rate_at asserts that nothing is lost), also at the ends and
 * where the held bursts' estimate of it is furthest off. The sample point
 * changes what a count finds: at 250 us and a 20 MB/s drain a late one
 * finds the FIFO drained (exact reads, 14.1 MB/s at 32.8), an early one
 * lets held bursts land right after it (15.6). */
static void test_sample_point(void **state)
{
	struct bf_sim_usb_timing t;
	double at[] = { 0, 0.25, 0.75, 1 };
	unsigned i;

	(void)state;
	bf_sim_usb_timing_defaults(&t);
	assert_true(t.sample_at == 0.5);
	assert_int_equal(bf_sim_usb_timing_parse(&t, "ctl_us=250,sample_at=0.25"), 0);
	assert_true(t.sample_at == 0.25 && t.ctl_s == 250e-6);
	assert_int_equal(bf_sim_usb_timing_parse(&t, "sample_at=1.5"), -EINVAL);
	assert_int_equal(bf_sim_usb_timing_parse(&t, "sample_at=-0.1"), -EINVAL);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		push_rate_at(125, 40, 32.8, at[i]);
		push_rate_at(250, 20, 40, at[i]);
	}
	assert_true(push_rate_at(250, 20, 32.8, 0.75) < 14.5);
	assert_true(push_rate_at(250, 20, 32.8, 0.25) > 15.4);
}

/* Simulated time, deterministic. Where endpoint 0 is slow and the link
 * fast (125 us control transfers, 40 MB/s), reads as bytes complete
 * stay near W / (2 ctl + 2 done + p) = 23.9 MB/s (p: a packet's time on
 * the link); a read per half-FIFO burst passes 25 (doc/usb-timing.md
 * gives 26.7 as the bound). */
static void test_bursts_where_ep0_is_slow(void **state)
{
	(void)state;
	assert_true(push_rate(125, 80, 40) > 25);
}

/* 60 us control transfers, link and drain at 40 MB/s: reads as bytes
 * complete, every 60 us; transfers of a KiB leave 36.6 MB/s, of a packet
 * 37.7 (each read vouches for the bytes up to the last packet landed). */
static void test_packet_transfers_for_frequent_reads(void **state)
{
	(void)state;
	assert_true(push_rate(60, 40, 40) > 37.2);
}

/* 20 us control transfers, a 40 MB/s link: the link is the limit with
 * reads as bytes complete (38.4 MB/s, a read per round trip, each taking
 * bus time) and with reads per burst (39.0: fewer reads). */
static void test_bursts_where_the_link_is_the_limit(void **state)
{
	(void)state;
	assert_true(push_rate(20, 80, 40) > 38.7);
}

/* 125 us control transfers, a 32.8 MB/s link: reads go back to back, and
 * the credit a read returns lands in packets 15.6 us apart. A read that
 * leaves just before one more completes vouches for a packet less: it
 * waits for a completion due within 1/24 of endpoint 0's service.
 * 24.3 to 25.3 MB/s at an 80 MB/s drain, 23.8 to 24.9 at 40. */
static void test_read_waits_for_a_due_completion(void **state)
{
	(void)state;
	assert_true(push_rate(125, 80, 32.8) > 25.0);
	assert_true(push_rate(125, 40, 32.8) > 24.6);
}

/* 250 us control transfers, a drain of 20 MB/s: the exact schedule (the
 * upstream loop's) reaches 14.5 MB/s at a 40 MB/s link, 14.0 at 32.8, its
 * reads finding the FIFO still busy. Held bursts as a whole: 15.3 and
 * 15.1 (1 MiB); split around the sample: 16.1 and 15.7. */
static void test_held_bursts_where_the_drain_is_behind(void **state)
{
	(void)state;
	assert_true(push_rate(250, 20, 40) > 15.9);
	assert_true(push_rate(250, 20, 32.8) > 15.5);
}

/* Held bursts that gave way may leave a read out that vouches for all
 * that was sent. Sending on older credit meanwhile puts every later read
 * one behind it: at 300 us control transfers, a 25 MB/s drain, a 40 MB/s
 * link and the register read a quarter of the way through, 11.0 MB/s
 * where waiting for that read gives 13.5 (1 MiB). */
static void test_exact_after_held(void **state)
{
	(void)state;
	assert_true(push_rate_at(300, 25, 40, 0.25) > 13);
}

/* Held bursts on their own (usbheld.h), from the counts alone: they start
 * after eight exact reads in a row find the FIFO busy after half a FIFO,
 * split bursts once held ones beat the exact reads, and the early part of
 * a split burst follows what the counts and endpoint 0 say. */
static void test_held_burst_rules(void **state)
{
	struct bf_usbheld h;
	uint64_t t = 1000, c = 0, serve = 250000;
	unsigned i;

	(void)state;
	bf_usbheld_init(&h, "t", 8192);
	for (i = 0; i < 7; i++, t += 600000, c += 8192)
		assert_false(bf_usbheld_exact(&h, 512, 8192, c, t, serve));
	assert_false(bf_usbheld_exact(&h, 0, 8192, c, t, serve));     /* an empty FIFO ends the streak */
	for (i = 0; i < 7; i++, t += 600000, c += 8192)
		assert_false(bf_usbheld_exact(&h, 512, 8192, c, t, serve));
	assert_true(bf_usbheld_exact(&h, 512, 8192, c, t, serve));
	assert_true(h.on && !h.split);
	/* 32 reads of held bursts, faster than the exact ones: split. */
	for (i = 0; i < 32; i++, t += 260000, c += 4096)
		bf_usbheld_read(&h, 0, 0, c, t);
	assert_true(h.on && h.split && h.pre == 0);
	/* Endpoint 0 waited: a packet more goes early, up to the cap. */
	bf_usbheld_read(&h, 0, 20000, c += 4096, t += 260000);
	bf_usbheld_read(&h, 0, 20000, c += 4096, t += 260000);
	assert_int_equal(h.pre, 1024);
	/* A count that finds it: a packet less, and capped there. */
	bf_usbheld_read(&h, 300, 0, c += 4096, t += 260000);
	assert_int_equal(h.pre, 512);
	assert_int_equal(h.pre_cap, 512);
	bf_usbheld_read(&h, 0, 20000, c += 4096, t += 260000);
	assert_int_equal(h.pre, 512);
	/* Split bursts slower than held ones were: back to whole bursts. */
	for (i = 0; i < 64; i++, t += 400000, c += 4096)
		bf_usbheld_read(&h, 0, 0, c, t);
	assert_true(h.on && !h.split && h.split_off && h.pre == 0);
}

/* Where the drain is only a little faster than the exact schedule feeds
 * it (400 us control transfers, 17 MB/s: exact 11.4 MB/s), held bursts of
 * half a FIFO underfeed it (10.1): they are a trial, given up when slower
 * than the exact reads before them. Where reads per burst find more than
 * an eighth of the FIFO (250 us, 25 MB/s: 13.9 with bursts), the exact
 * schedule where a read's round trip is the longer (15.3; reads as bytes
 * complete: 14.8). */
static void test_schedules_given_up(void **state)
{
	(void)state;
	assert_true(push_rate(400, 17, 40) > 10.8);
	assert_true(push_rate(250, 25, 40) > 15.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit_rules),
		cmocka_unit_test(test_reads_per_burst),
		cmocka_unit_test(test_burst_ends),
		cmocka_unit_test(test_bf3_policy_never_overflows),
		cmocka_unit_test(test_bf3_blind_push_overflows),
		cmocka_unit_test(test_bf2_naks_instead),
		cmocka_unit_test(test_bf3_stalled_device),
		cmocka_unit_test(test_upstream_policy_is_safe_but_slower),
		cmocka_unit_test(test_bursts_where_ep0_is_slow),
		cmocka_unit_test(test_held_bursts_where_the_drain_is_behind),
		cmocka_unit_test(test_held_burst_rules),
		cmocka_unit_test(test_exact_after_held),
		cmocka_unit_test(test_completion_jitter),
		cmocka_unit_test(test_schedules_given_up),
		cmocka_unit_test(test_packet_transfers_for_frequent_reads),
		cmocka_unit_test(test_bursts_where_the_link_is_the_limit),
		cmocka_unit_test(test_sample_point),
		cmocka_unit_test(test_read_waits_for_a_due_completion),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
