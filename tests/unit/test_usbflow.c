/* test_usbflow.c - the USB push policy (usbflow) on its own and against the
 * simulator's USB function (usbdev) on the virtual clock: no byte is ever
 * sent into a full BF3 boot FIFO, even when the device drains slowly or
 * stops; a policy without credits does overflow the same model (so the
 * model can catch a bad policy); BF2 NAKs instead of losing data. */
#include "config.h"

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
#include "sim.h"
#include "usbdev.h"

static void test_credit_rules(void **state)
{
	struct bf_usbflow f;

	(void)state;
	bf_usbflow_init(&f, 8192, true);
	assert_int_equal(bf_usbflow_grant(&f, 4096), 0);        /* nothing known yet */
	assert_true(bf_usbflow_want_read(&f, true));
	assert_false(bf_usbflow_want_read(&f, false));           /* nothing left to send */
	bf_usbflow_read_submitted(&f);
	assert_false(bf_usbflow_want_read(&f, true));            /* no completion since */
	bf_usbflow_read_done(&f, 0);
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8184);   /* one word short of the FIFO */
	assert_int_equal(bf_usbflow_grant(&f, 13), 8);           /* whole words only */
	bf_usbflow_submitted(&f, 8184);
	assert_int_equal(bf_usbflow_grant(&f, 8), 0);
	/* A read submitted before the completion: says nothing new. */
	bf_usbflow_read_submitted(&f);
	bf_usbflow_completed(&f, 8184, 8184);
	bf_usbflow_read_done(&f, 0);
	assert_int_equal(bf_usbflow_grant(&f, 8), 0);
	/* One submitted after it: the FIFO holds 1000 words of it. */
	assert_true(bf_usbflow_want_read(&f, true));
	bf_usbflow_read_submitted(&f);
	bf_usbflow_read_done(&f, 1000);
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8184 - 8000);
	/* A count beyond what this policy can have put there: no credit. */
	bf_usbflow_read_submitted(&f);
	bf_usbflow_read_done(&f, 1023 + 1);   /* masked to 10 bits: 0 ... */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8184);   /* ...which is read as empty */
	bf_usbflow_read_submitted(&f);
	bf_usbflow_read_done(&f, 1023);       /* a full window */
	assert_int_equal(bf_usbflow_grant(&f, 100000), 8184);   /* the limit never moves back */
	/* A cancelled transfer gives back what it did not move. */
	bf_usbflow_submitted(&f, 4096);
	bf_usbflow_completed(&f, 1024, 4096);
	assert_int_equal(f.submitted, 8184 + 1024);
	/* BF2: no reads, a bound on bytes in flight. */
	bf_usbflow_init(&f, 4096, false);
	assert_false(bf_usbflow_want_read(&f, true));
	assert_true(bf_usbflow_grant(&f, 1u << 20) >= 65536);
}

struct rig {
	struct bf_sim *s;
	struct bf_sim_usb *u;
	const struct bf_chip *chip;
	uint8_t *data;
	size_t len, off;
};

static void rig_open(struct rig *g, enum bf_chip_ver ver, uint64_t drain_bps, uint64_t stall_after)
{
	struct bf_sim_config cfg;
	size_t i;

	memset(g, 0, sizeof(*g));
	bf_sim_config_defaults(&cfg);
	cfg.chip = g->chip = bf_chip_get(ver);
	cfg.virtual_clock = true;
	cfg.drain_bps = drain_bps;
	cfg.fault_stall_after = stall_after;
	assert_int_equal(bf_sim_open(&cfg, &g->s), 0);
	assert_int_equal(bf_sim_usb_open(g->s, &g->u), 0);
	/* A valid stream: one 1 MiB image (id 62) the boot model consumes. */
	g->len = BF_BFB_HDR_LEN + (1u << 20);
	g->data = malloc(g->len);
	assert_non_null(g->data);
	for (i = BF_BFB_HDR_LEN; i < g->len; i++)
		g->data[i] = (uint8_t)(i * 131u);
	{
		struct bf_bfb_hdr h;

		bf_bfb_hdr_init(&h, 62, 0, 1u << 20,
				bf_bfb_crc32(0, g->data + BF_BFB_HDR_LEN, 1u << 20));
		bf_bfb_hdr_encode(&h, g->data);
	}
	bf_sim_write_reg(g->s, BF_CHAN_RSHIM, g->chip->r.boot_control, BF_BOOT_CONTROL_RSHIM);
	bf_sim_write_reg(g->s, BF_CHAN_RSHIM, g->chip->r.reset_control, BF_RESET_KEY);
}

static uint64_t rig_close(struct rig *g)
{
	struct bf_sim_status st;

	bf_sim_get_status(g->s, &st);
	bf_sim_usb_close(g->u);
	bf_sim_close(g->s);
	free(g->data);
	return st.overflow_bytes;
}

static void wait_next(struct rig *g)
{
	double t = bf_sim_usb_next_event(g->u), now = bf_sim_time(g->s);

	bf_sim_advance(g->s, (t > now ? t - now : 0) + 20e-6);
}

static void count_urb(struct rig *g, struct bf_sim_urb *u, uint8_t *b)
{
	uint16_t wv, wi;

	assert_int_equal(bf_chip_usb_wvalue_windex(g->chip, BF_CHAN_RSHIM, g->chip->r.boot_fifo_count,
						   &wv, &wi), 0);
	memset(u, 0, sizeof(*u));
	memset(b, 0, 16);
	b[0] = 0xc2;
	b[2] = (uint8_t)wv; b[3] = (uint8_t)(wv >> 8);
	b[4] = (uint8_t)wi; b[5] = (uint8_t)(wi >> 8);
	b[6] = 8;
	u->type = BF_SIM_URB_CONTROL;
	u->buf = b;
	u->len = 16;
}

/* The USB backend's policy (as usbpush.c drives it). Returns the bytes
 * moved within max_steps. */
static size_t push_policy(struct rig *g, unsigned max_steps)
{
	struct bf_sim_urb bulk[8], ctl[BF_USBFLOW_READS], *d;
	uint8_t cb[BF_USBFLOW_READS][16];
	bool busy[8] = { false };
	struct bf_usbflow f;
	unsigned nctl = 0, step, i;

	bf_usbflow_init(&f, (uint64_t)g->chip->boot_fifo_words * 8, g->chip->ver == BF_CHIP_BF3);
	for (step = 0; step < max_steps && (g->off < g->len || f.submitted > f.completed); step++) {
		while ((d = bf_sim_usb_reap(g->u))) {
			if (d >= ctl && d < ctl + BF_USBFLOW_READS) {
				uint64_t v = 0;
				int k;

				for (k = 7; k >= 0; k--)
					v = v << 8 | cb[d - ctl][8 + k];
				assert_int_equal(d->status, 0);
				bf_usbflow_read_done(&f, v);
			} else {
				assert_int_equal(d->status, 0);
				bf_usbflow_completed(&f, d->actual, d->len);
				busy[d - bulk] = false;
			}
		}
		while (bf_usbflow_want_read(&f, g->off < g->len)) {
			unsigned k = nctl++ % BF_USBFLOW_READS;

			count_urb(g, &ctl[k], cb[k]);
			assert_int_equal(bf_sim_usb_submit(g->u, &ctl[k]), 0);
			bf_usbflow_read_submitted(&f);
		}
		for (i = 0; i < 8 && g->off < g->len; i++) {
			size_t n;

			if (busy[i])
				continue;
			n = bf_usbflow_grant(&f, g->len - g->off < BF_USBFLOW_URB ? g->len - g->off : BF_USBFLOW_URB);
			if (!n)
				break;
			memset(&bulk[i], 0, sizeof(bulk[i]));
			bulk[i].type = BF_SIM_URB_BULK;
			bulk[i].ep = BF_SIM_USB_EP_BOOT;
			bulk[i].buf = g->data + g->off;
			bulk[i].len = n;
			assert_int_equal(bf_sim_usb_submit(g->u, &bulk[i]), 0);
			busy[i] = true;
			bf_usbflow_submitted(&f, n);
			g->off += n;
		}
		wait_next(g);
	}
	return (size_t)f.completed;
}

/* No credits: 8 KiB transfers back to back, as if the FIFO were deep. */
static void push_blind(struct rig *g)
{
	struct bf_sim_urb u, *d;

	while (g->off < g->len) {
		memset(&u, 0, sizeof(u));
		u.type = BF_SIM_URB_BULK;
		u.ep = BF_SIM_USB_EP_BOOT;
		u.buf = g->data + g->off;
		u.len = g->len - g->off < 8192 ? g->len - g->off : 8192;
		assert_int_equal(bf_sim_usb_submit(g->u, &u), 0);
		do {
			wait_next(g);
		} while (!(d = bf_sim_usb_reap(g->u)));
		assert_ptr_equal(d, &u);
		g->off += u.len;
	}
}

static void test_bf3_policy_never_overflows(void **state)
{
	static const uint64_t drains[] = { 80000000, 40000000, 5000000 };
	struct rig g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(drains) / sizeof(drains[0]); i++) {
		rig_open(&g, BF_CHIP_BF3, drains[i], 0);
		assert_int_equal(push_policy(&g, 10000000), g.len);
		assert_int_equal(rig_close(&g), 0);
	}
}

static void test_bf3_blind_push_overflows(void **state)
{
	struct rig g;

	(void)state;
	rig_open(&g, BF_CHIP_BF3, 5000000, 0);
	push_blind(&g);
	assert_true(rig_close(&g) > 0);   /* the model loses what does not fit */
}

static void test_bf2_naks_instead(void **state)
{
	struct rig g;

	(void)state;
	rig_open(&g, BF_CHIP_BF2, 5000000, 0);
	push_blind(&g);
	assert_int_equal(rig_close(&g), 0);
}

static void test_bf3_stalled_device(void **state)
{
	struct rig g;
	size_t moved;

	(void)state;
	rig_open(&g, BF_CHIP_BF3, 80000000, 100000);
	moved = push_policy(&g, 20000);
	/* It stops getting credit once the FIFO is full: nothing lost, and
	 * no more than the drained bytes plus one FIFO went out. */
	assert_true(moved < g.len);
	assert_true(moved <= 100000 + 8192);
	assert_int_equal(rig_close(&g), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit_rules),
		cmocka_unit_test(test_bf3_policy_never_overflows),
		cmocka_unit_test(test_bf3_blind_push_overflows),
		cmocka_unit_test(test_bf2_naks_instead),
		cmocka_unit_test(test_bf3_stalled_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
