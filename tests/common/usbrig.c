/* usbrig.c - the push engine over the simulator's USB model on the
 * virtual clock, and the reference loops (see usbrig.h). */
#include "config.h"
#include "usbrig.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

int usbrig_open(struct usbrig *g, enum bf_chip_ver ver, uint64_t drain_bps, uint64_t stall_after,
		const struct bf_sim_usb_timing *t, const uint8_t *data, size_t len)
{
	struct bf_sim_config cfg;
	int r;

	memset(g, 0, sizeof(*g));
	bf_sim_config_defaults(&cfg);
	cfg.chip = g->chip = bf_chip_get(ver);
	cfg.virtual_clock = true;
	cfg.idle_real_min_s = 0;
	if (drain_bps)
		cfg.drain_bps = drain_bps;
	cfg.fault_stall_after = stall_after;
	if ((r = bf_sim_open(&cfg, &g->s)) < 0)
		return r;
	if ((r = bf_sim_usb_open(g->s, t, &g->u)) < 0) {
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

static void bulk_urb(struct bf_sim_urb *urb, const uint8_t *buf, size_t n)
{
	memset(urb, 0, sizeof(*urb));
	urb->type = BF_SIM_URB_BULK;
	urb->ep = BF_SIM_USB_EP_BOOT;
	urb->buf = (uint8_t *)buf;
	urb->len = n;
}

/* The engine's transfer layer (struct bf_usbpush_io) on the model. */
static int io_submit_bulk(void *ctx, unsigned slot, const uint8_t *buf, size_t len)
{
	struct usbrig *g = ctx;

	bulk_urb(&g->bulk[slot], buf, len);
	return bf_sim_usb_submit(g->u, &g->bulk[slot]);
}

static int io_submit_read(void *ctx, unsigned slot)
{
	struct usbrig *g = ctx;

	count_read_urb(g, &g->rd[slot], g->rdbuf[slot]);
	return bf_sim_usb_submit(g->u, &g->rd[slot]);
}

static void io_cancel(void *ctx, enum bf_usbpush_kind kind, unsigned slot)
{
	struct usbrig *g = ctx;

	bf_sim_usb_discard(g->u, kind == BF_USBPUSH_BULK ? &g->bulk[slot] : &g->rd[slot]);
}

static int urb_err(const struct bf_sim_urb *u)
{
	return u->status == -ENOENT ? -ECANCELED : u->status;
}

static unsigned deliver(struct usbrig *g)
{
	struct bf_sim_urb *d;
	unsigned n = 0;

	while ((d = bf_sim_usb_reap(g->u))) {
		n++;
		if (d >= g->rd && d < g->rd + BF_USBFLOW_READS)
			bf_usbpush_read_done(g->p, (unsigned)(d - g->rd), urb_err(d), d->buf + 8, d->actual);
		else
			bf_usbpush_bulk_done(g->p, (unsigned)(d - g->bulk), urb_err(d), d->actual);
	}
	return n;
}

/* Completions that are due; else the virtual clock moves to the model's
 * next event (at most us on), where the host sees it at once: the
 * model's completion latency is the whole of the host's delay. */
static int io_events(void *ctx, unsigned us)
{
	struct usbrig *g = ctx;
	double now, t, lim;

	if (deliver(g) || !us)
		return 0;
	now = bf_sim_time(g->s);
	lim = now + us / 1e6;
	t = bf_sim_usb_next_event(g->u);
	if (t < 0 || t > lim)
		t = lim;
	bf_sim_advance(g->s, (t > now ? t - now : 0) + 1e-9);
	deliver(g);
	return 0;
}

static uint64_t io_now_ns(void *ctx)
{
	struct usbrig *g = ctx;

	return (uint64_t)(bf_sim_time(g->s) * 1e9);
}

static const struct bf_usbpush_io rig_io = {
	.submit_bulk = io_submit_bulk,
	.submit_read = io_submit_read,
	.cancel = io_cancel,
	.events = io_events,
	.now_ns = io_now_ns,
};

int64_t usbrig_push_bfctl(struct usbrig *g, double max_s)
{
	struct bf_sim_status st;
	int64_t ret = 0;
	ssize_t n;

	if (bf_usbpush_create(&rig_io, g, g->chip, "usbrig", &g->p) < 0)
		return -1;
	while (g->off < g->len && usbrig_elapsed(g) < max_s) {
		n = bf_usbpush_write(g->p, g->data + g->off, g->len - g->off);
		if (n < 0) {
			ret = -1;
			break;
		}
		g->off += (size_t)n;
	}
	if (ret == 0 && g->off == g->len && bf_usbpush_flush(g->p, max_s) < 0)
		ret = -1;
	g->reads = bf_usbpush_reads(g->p);
	bf_usbpush_free(g->p);
	g->p = NULL;
	if (ret < 0)
		return ret;
	bf_sim_get_status(g->s, &st);
	return (int64_t)(st.boot_bytes + st.overflow_bytes);
}

/* Submit one URB and wait for it (a synchronous libusb call). */
static int sync_urb(struct usbrig *g, struct bf_sim_urb *urb)
{
	struct bf_sim_urb *done;

	if (bf_sim_usb_submit(g->u, urb) < 0)
		return -1;
	for (;;) {
		double t = bf_sim_usb_next_event(g->u), now = bf_sim_time(g->s);

		bf_sim_advance(g->s, (t > now ? t - now : 0) + 1e-9);
		if ((done = bf_sim_usb_reap(g->u)))
			return done == urb ? done->status : -1;
	}
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
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
		free_b = fifo - (int64_t)le64(ctlbuf + 8) * 8;   /* the raw value, unmasked */
		if (free_b <= 0) {
			bf_sim_advance(g->s, 0.050);
			continue;
		}
		n = g->len - g->off < (size_t)free_b ? g->len - g->off : (size_t)free_b;
		bulk_urb(&bulk, g->data + g->off, n);
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
		bulk_urb(&u, g->data + g->off, g->len - g->off < 8192 ? g->len - g->off : 8192);
		if (sync_urb(g, &u) < 0)
			return -1;
		g->off += u.len;
		moved += (int64_t)u.actual;
	}
	return moved;
}
