/* usbrig.c - push policies against the simulator's USB function (see
 * usbrig.h). */
#include "config.h"
#include "usbrig.h"
#include "rshim/usbflow.h"

#include <errno.h>
#include <string.h>

#define NURB 8

int usbrig_open(struct usbrig *g, enum bf_chip_ver ver, uint64_t drain_bps, uint64_t stall_after,
		const uint8_t *data, size_t len)
{
	struct bf_sim_config cfg;
	int r;

	memset(g, 0, sizeof(*g));
	bf_sim_config_defaults(&cfg);
	cfg.chip = g->chip = bf_chip_get(ver);
	cfg.virtual_clock = true;
	if (drain_bps)
		cfg.drain_bps = drain_bps;
	cfg.fault_stall_after = stall_after;
	if ((r = bf_sim_open(&cfg, &g->s)) < 0)
		return r;
	if ((r = bf_sim_usb_open(g->s, &g->u)) < 0) {
		bf_sim_close(g->s);
		return r;
	}
	g->data = data;
	g->len = len;
	/* Boot from RShim, chip reset: the boot ROM now takes the stream. */
	bf_sim_write_reg(g->s, BF_CHAN_RSHIM, g->chip->r.boot_control, BF_BOOT_CONTROL_RSHIM);
	bf_sim_write_reg(g->s, BF_CHAN_RSHIM, g->chip->r.reset_control, BF_RESET_KEY);
	g->t0 = bf_sim_time(g->s);
	return 0;
}

uint64_t usbrig_close(struct usbrig *g)
{
	struct bf_sim_status st;

	bf_sim_get_status(g->s, &st);
	bf_sim_usb_close(g->u);
	bf_sim_close(g->s);
	return st.overflow_bytes;
}

double usbrig_elapsed(const struct usbrig *g)
{
	return bf_sim_time(g->s) - g->t0;
}

/* Wait for the model's next event, then react USBRIG_HOST_LATENCY later. */
static void wait_next(struct usbrig *g)
{
	double t = bf_sim_usb_next_event(g->u), now = bf_sim_time(g->s);

	bf_sim_advance(g->s, (t > now ? t - now : 0) + USBRIG_HOST_LATENCY);
}

static void count_read_urb(struct usbrig *g, struct bf_sim_urb *urb, uint8_t *buf)
{
	uint16_t wv = 0, wi = 0;

	bf_chip_usb_wvalue_windex(g->chip, BF_CHAN_RSHIM, g->chip->r.boot_fifo_count, &wv, &wi);
	memset(urb, 0, sizeof(*urb));
	memset(buf, 0, 16);
	buf[0] = 0xc2;
	buf[2] = (uint8_t)wv;
	buf[3] = (uint8_t)(wv >> 8);
	buf[4] = (uint8_t)wi;
	buf[5] = (uint8_t)(wi >> 8);
	buf[6] = 8;
	urb->type = BF_SIM_URB_CONTROL;
	urb->buf = buf;
	urb->len = 16;
}

static void bulk_urb(struct usbrig *g, struct bf_sim_urb *urb, size_t n)
{
	memset(urb, 0, sizeof(*urb));
	urb->type = BF_SIM_URB_BULK;
	urb->ep = BF_SIM_USB_EP_BOOT;
	urb->buf = (uint8_t *)g->data + g->off;
	urb->len = n;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int64_t usbrig_push_bfctl(struct usbrig *g, unsigned max_steps)
{
	struct bf_sim_urb bulk[NURB], ctl[BF_USBFLOW_READS], *done;
	uint8_t ctlbuf[BF_USBFLOW_READS][16];
	bool busy[NURB] = { false };
	struct bf_usbflow f;
	unsigned nctl = 0, step, i;

	bf_usbflow_init(&f, (uint64_t)g->chip->boot_fifo_words * 8, g->chip->ver == BF_CHIP_BF3);
	for (step = 0; step < max_steps && (g->off < g->len || f.submitted > f.completed); step++) {
		while ((done = bf_sim_usb_reap(g->u))) {
			if (done->status != 0)
				return -1;
			if (done >= ctl && done < ctl + BF_USBFLOW_READS) {
				bf_usbflow_read_done(&f, le64(ctlbuf[done - ctl] + 8));
			} else {
				bf_usbflow_completed(&f, done->actual, done->len);
				busy[done - bulk] = false;
			}
		}
		while (bf_usbflow_want_read(&f, g->off < g->len)) {
			unsigned k = nctl++ % BF_USBFLOW_READS;   /* they complete in order */

			count_read_urb(g, &ctl[k], ctlbuf[k]);
			if (bf_sim_usb_submit(g->u, &ctl[k]) < 0)
				return -1;
			bf_usbflow_read_submitted(&f);
		}
		for (i = 0; i < NURB && g->off < g->len; i++) {
			size_t n;

			if (busy[i])
				continue;
			n = bf_usbflow_grant(&f, g->len - g->off < BF_USBFLOW_URB ? g->len - g->off : BF_USBFLOW_URB);
			if (!n)
				break;
			bulk_urb(g, &bulk[i], n);
			if (bf_sim_usb_submit(g->u, &bulk[i]) < 0)
				return -1;
			busy[i] = true;
			bf_usbflow_submitted(&f, n);
			g->off += n;
		}
		wait_next(g);
	}
	g->reads = f.reads;
	return (int64_t)f.completed;
}

/* Submit one URB and wait for it (a synchronous libusb call). */
static int sync_urb(struct usbrig *g, struct bf_sim_urb *urb)
{
	struct bf_sim_urb *done;

	if (bf_sim_usb_submit(g->u, urb) < 0)
		return -1;
	for (;;) {
		wait_next(g);
		if ((done = bf_sim_usb_reap(g->u)))
			return done == urb ? done->status : -1;
	}
}

int64_t usbrig_push_upstream(struct usbrig *g)
{
	struct bf_sim_urb ctl, bulk;
	uint8_t ctlbuf[16];
	int64_t fifo = (int64_t)g->chip->boot_fifo_words * 8, moved = 0;

	while (g->off < g->len) {
		int64_t free_b;
		size_t n;

		count_read_urb(g, &ctl, ctlbuf);
		if (sync_urb(g, &ctl) < 0)
			return -1;
		g->reads++;
		free_b = fifo - (int64_t)le64(ctlbuf + 8) * 8;
		if (free_b <= 0) {
			bf_sim_advance(g->s, 0.050);
			continue;
		}
		n = g->len - g->off < (size_t)free_b ? g->len - g->off : (size_t)free_b;
		bulk_urb(g, &bulk, n);
		if (sync_urb(g, &bulk) < 0)
			return -1;
		g->off += bulk.actual;
		moved += (int64_t)bulk.actual;
	}
	return moved;
}

int64_t usbrig_push_blind(struct usbrig *g)
{
	struct bf_sim_urb u;
	int64_t moved = 0;

	while (g->off < g->len) {
		bulk_urb(g, &u, g->len - g->off < 8192 ? g->len - g->off : 8192);
		if (sync_urb(g, &u) < 0)
			return -1;
		g->off += u.len;
		moved += (int64_t)u.actual;
	}
	return moved;
}
