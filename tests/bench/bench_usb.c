/* bench_usb.c - boot-stream push over USB in the simulator's USB timing
 * model (src/sim/usbdev.h), on the virtual clock, for two host policies:
 *  - bfctl: the USB backend's policy (src/lib/rshim/usbflow.h): count reads
 *    back to back and bulk transfers in flight within the proven credit;
 *  - upstream: the rshim daemon's BF3 loop, implemented here only: read
 *    BOOT_FIFO_COUNT synchronously, one synchronous bulk write of at most
 *    the free space (<= 8 KiB), sleep 50 ms when the FIFO is full.
 * Prints
 *   BENCH push_usb bfctl=<fraction> upstream=<fraction> overflow_bfctl=<bytes>
 *         overflow_upstream=<bytes> reads_per_mib=<n> link_mib_s=<l> mib=<n>
 * fractions of the modelled link limit (link_bps), both policies on the same
 * BF3 model in one run. A host reacts to a completion HOST_LATENCY after it.
 * Usage: bench_usb [MIB] (default 32). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_bundle.h"
#include "chip.h"
#include "fileio.h"
#include "rshim/usbflow.h"
#include "sim.h"
#include "usbdev.h"

#define HOST_LATENCY 20e-6     /* completion seen -> next submission (user space) */
#define NURB         8

struct rig {
	struct bf_sim *s;
	struct bf_sim_usb *u;
	const struct bf_chip *chip;
	const uint8_t *data;
	size_t len, off;
	double t0;
};

static int rig_open(struct rig *g, const uint8_t *data, size_t len)
{
	struct bf_sim_config cfg;
	int r;

	memset(g, 0, sizeof(*g));
	bf_sim_config_defaults(&cfg);
	bf_sim_config_from_env(&cfg);
	cfg.chip = bf_chip_get(BF_CHIP_BF3);
	cfg.state_dir[0] = 0;
	cfg.virtual_clock = true;
	if ((r = bf_sim_open(&cfg, &g->s)) < 0 || (r = bf_sim_usb_open(g->s, &g->u)) < 0)
		return r;
	g->chip = cfg.chip;
	g->data = data;
	g->len = len;
	/* Boot from RShim, chip reset: the boot ROM now takes the stream. */
	bf_sim_write_reg(g->s, BF_CHAN_RSHIM, g->chip->r.boot_control, BF_BOOT_CONTROL_RSHIM);
	bf_sim_write_reg(g->s, BF_CHAN_RSHIM, g->chip->r.reset_control, BF_RESET_KEY);
	g->t0 = bf_sim_time(g->s);
	return 0;
}

static void rig_close(struct rig *g, uint64_t *overflow)
{
	struct bf_sim_status st;

	bf_sim_get_status(g->s, &st);
	*overflow = st.overflow_bytes;
	bf_sim_usb_close(g->u);
	bf_sim_close(g->s);
}

/* Wait for the model's next event, then react HOST_LATENCY later. */
static void rig_wait(struct rig *g)
{
	double t = bf_sim_usb_next_event(g->u), now = bf_sim_time(g->s);

	bf_sim_advance(g->s, (t > now ? t - now : 0) + HOST_LATENCY);
}

static void count_read_urb(struct rig *g, struct bf_sim_urb *urb, uint8_t *buf)
{
	uint16_t wv, wi;

	bf_chip_usb_wvalue_windex(g->chip, BF_CHAN_RSHIM, g->chip->r.boot_fifo_count, &wv, &wi);
	memset(urb, 0, sizeof(*urb));
	buf[0] = 0xc2; buf[1] = 0;
	buf[2] = (uint8_t)wv; buf[3] = (uint8_t)(wv >> 8);
	buf[4] = (uint8_t)wi; buf[5] = (uint8_t)(wi >> 8);
	buf[6] = 8; buf[7] = 0;
	urb->type = BF_SIM_URB_CONTROL;
	urb->buf = buf;
	urb->len = 16;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The USB backend's policy. Returns simulated seconds. */
static double push_bfctl(struct rig *g, uint64_t *reads)
{
	struct bf_usbflow f;
	struct bf_sim_urb bulk[NURB], ctl[BF_USBFLOW_READS], *done;
	uint8_t ctlbuf[BF_USBFLOW_READS][16];
	bool busy[NURB] = { false };
	unsigned nctl = 0;
	size_t i;

	bf_usbflow_init(&f, (uint64_t)g->chip->boot_fifo_words * 8, true);
	while (g->off < g->len || f.submitted > f.completed) {
		while ((done = bf_sim_usb_reap(g->u))) {
			if (done >= ctl && done < ctl + BF_USBFLOW_READS) {
				if (done->status == 0)
					bf_usbflow_read_done(&f, le64(ctlbuf[done - ctl] + 8));
				else
					bf_usbflow_read_failed(&f);
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
			memset(&bulk[i], 0, sizeof(bulk[i]));
			bulk[i].type = BF_SIM_URB_BULK;
			bulk[i].ep = BF_SIM_USB_EP_BOOT;
			bulk[i].buf = (uint8_t *)g->data + g->off;
			bulk[i].len = n;
			if (bf_sim_usb_submit(g->u, &bulk[i]) < 0)
				return -1;
			busy[i] = true;
			bf_usbflow_submitted(&f, n);
			g->off += n;
		}
		rig_wait(g);
	}
	*reads = f.reads;
	return bf_sim_time(g->s) - g->t0;
}

/* Submit one URB and wait for it (a synchronous libusb call). */
static int sync_urb(struct rig *g, struct bf_sim_urb *urb)
{
	struct bf_sim_urb *done;

	if (bf_sim_usb_submit(g->u, urb) < 0)
		return -1;
	for (;;) {
		rig_wait(g);
		if ((done = bf_sim_usb_reap(g->u)))
			return done == urb ? done->status : -1;
	}
}

/* The upstream daemon's BF3 loop (spec rshim.md 1, "Boot stream"). */
static double push_upstream(struct rig *g)
{
	struct bf_sim_urb ctl, bulk;
	uint8_t ctlbuf[16];
	uint64_t fifo = (uint64_t)g->chip->boot_fifo_words * 8;

	while (g->off < g->len) {
		int64_t free_b;
		size_t n;

		count_read_urb(g, &ctl, ctlbuf);
		if (sync_urb(g, &ctl) < 0)
			return -1;
		free_b = (int64_t)fifo - (int64_t)le64(ctlbuf + 8) * 8;
		if (free_b <= 0) {
			bf_sim_advance(g->s, 0.050);
			continue;
		}
		n = g->len - g->off < (size_t)free_b ? g->len - g->off : (size_t)free_b;
		memset(&bulk, 0, sizeof(bulk));
		bulk.type = BF_SIM_URB_BULK;
		bulk.ep = BF_SIM_USB_EP_BOOT;
		bulk.buf = (uint8_t *)g->data + g->off;
		bulk.len = n;
		if (sync_urb(g, &bulk) < 0)
			return -1;
		g->off += bulk.actual;
	}
	return bf_sim_time(g->s) - g->t0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32, len;
	char path[] = "/tmp/bfctl-bench-usb.XXXXXX";
	uint64_t reads = 0, ov_b, ov_u;
	char *data;
	double link, tb, tu;
	struct rig g;
	int fd, r;

	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);
	r = bench_bundle(path, (const uint8_t[]){ 62 }, (const uint64_t[]){ (uint64_t)mib << 20 }, 1);
	if (r == 0)
		r = bf_file_read_all(path, (size_t)(mib + 1) << 20, &data, &len);
	unlink(path);
	if (r < 0) {
		fprintf(stderr, "bench_usb: cannot make the bundle: %s\n", strerror(-r));
		return 1;
	}
	if (rig_open(&g, (const uint8_t *)data, len) < 0 || (tb = push_bfctl(&g, &reads)) <= 0) {
		fprintf(stderr, "bench_usb: bfctl policy run failed\n");
		return 1;
	}
	rig_close(&g, &ov_b);
	if (rig_open(&g, (const uint8_t *)data, len) < 0 || (tu = push_upstream(&g)) <= 0) {
		fprintf(stderr, "bench_usb: upstream policy run failed\n");
		return 1;
	}
	{
		struct bf_sim_config cfg;

		bf_sim_config_defaults(&cfg);
		bf_sim_config_from_env(&cfg);
		link = (double)cfg.link_bps;
	}
	rig_close(&g, &ov_u);
	printf("BENCH push_usb bfctl=%.3f upstream=%.3f overflow_bfctl=%llu overflow_upstream=%llu "
	       "reads_per_mib=%.0f link_mib_s=%.1f mib=%zu\n",
	       (double)len / tb / link, (double)len / tu / link, (unsigned long long)ov_b,
	       (unsigned long long)ov_u, (double)reads / ((double)len / 1048576.0), link / 1048576.0, mib);
	free(data);
	return 0;
}
