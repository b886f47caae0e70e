/* bench_usb.c - the boot-stream push over USB in the simulator's USB
 * timing model (src/sim/usbdev.h) on the virtual clock: bfctl's push
 * engine (src/lib/rshim/usbpush.c, the code usb.c runs, through the
 * model instead of libusb) against the upstream daemon's BF3 loop
 * (modelled in tests/common/usbrig.c), over a grid of control-transfer
 * latency x FIFO drain rate x link rate. Per cell, in MB/s (10^6 B/s):
 *   BENCH push_usb_grid ctl_us=C drain_mb_s=D link_mb_s=L bfctl=B upstream=U bound=X
 *         ratio_to_upstream=B/U fraction_of_bound=B/X overflow=BYTES
 * then
 *   BENCH push_usb worst_ratio_to_upstream=.. worst_fraction_of_bound=.. cells=N mib=M
 * The bound of a cell is the least of link, drain and credit for a push of
 * this length (tests/common/usb_bound.c; doc/usb-timing.md derives it).
 * Deterministic (simulated time only).
 * The grid runs again with the register read a quarter and three quarters
 * of the way through a control transfer (the model's sample_at; bfctl
 * estimates half-way), and with the host seeing completions 0-20 us late
 * (done_jitter_us):
 *   BENCH push_usb_sample sample_at=S ctl_us=C ... (the same keys)
 *   BENCH push_usb_sample sample_at=S worst_ratio_to_upstream=.. worst_fraction_of_bound=..
 *   BENCH push_usb_jitter done_jitter_us=20 ... (the same)
 * Usage: bench_usb [--check] [MIB] (default 4). --check (make check): TAP,
 * one case per cell, failing when bfctl loses data or, in the model's
 * defaults, is slower than the upstream loop, or when either push beats
 * the bound, and one on the worst fraction of the bound in the defaults,
 * failing below FRACTION_FLOOR; the BENCH lines become comments. In cells at the drain
 * limit both end within microseconds of each other (who gets the last
 * word into the FIFO first): ratios are compared at the printed precision
 * (0.001). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_bundle.h"
#include "fileio.h"
#include "usb_bound.h"
#include "usbrig.h"

/* The goal: bfctl within 0.95 of the bound in every cell, at the default
 * sample point (doc/usb-timing.md says what a schedule reaches there). */
#define FRACTION_FLOOR 0.95

static const double ctl_us[] = { 20, 60, 125, 250 };
static const double drain_mb_s[] = { 1.7, 20, 40, 80 };
static const double link_mb_s[] = { 32.8, 40 };
/* The grid runs in the model's defaults first, then in variants: where in
 * a control transfer the device reads the register is not published
 * (half-way, the data stage, by default), so on both sides of it, to show
 * what bfctl's estimate of it costs; and with the host seeing every
 * completion 0-20 us later than the model's fixed latency, uniform. */
struct variant {
	const char *name;    /* NULL: the grid itself */
	const char *key;
	double sample_at, jitter_us;
};

static const struct variant variants[] = {
	{ NULL, NULL, 0.5, 0 },
	{ "push_usb_sample", "sample_at=0.25", 0.25, 0 },
	{ "push_usb_sample", "sample_at=0.75", 0.75, 0 },
	{ "push_usb_jitter", "done_jitter_us=20", 0.5, 20 },
};

/* The best any policy can do in this cell, in MB/s (bytes per µs) for a
 * push of len bytes into BF3's boot FIFO draining at drain MB/s
 * (usb_bound.c; doc/usb-timing.md derives it): the link with its
 * microframe limit, the drain, and the credit a policy that cannot
 * overflow whatever the drain does is held to. */
static double bound(const struct bf_sim_usb_timing *t, double drain, size_t len)
{
	double uf = t->uframe_pkts * 512.0 / t->uframe_s;
	struct usb_bound_model md = {
		.fifo = bf_chip_get(BF_CHIP_BF3)->boot_fifo_words * 8.0,
		.rate = (t->link_bps < uf ? t->link_bps : uf) / 1e6,
		.ctl_us = t->ctl_s * 1e6,
		.done_us = t->done_s * 1e6,
	};

	return (double)len / usb_bound_least_us(&md, usb_bound_credit(&md), drain, len);
}

static int run(const struct bf_sim_usb_timing *t, double drain, const uint8_t *data, size_t len,
	       bool bfctl, double *mb_s, uint64_t *overflow)
{
	struct usbrig g;
	int64_t n;

	if (usbrig_open(&g, BF_CHIP_BF3, (uint64_t)(drain * 1e6), 0, t, data, len) < 0)
		return -1;
	n = bfctl ? usbrig_push_bfctl(&g, 3600) : usbrig_push_upstream(&g);
	*mb_s = (double)len / usbrig_elapsed(&g) / 1e6;
	*overflow = usbrig_close(&g);
	return n == (int64_t)len ? 0 : -1;
}

struct cell {
	double bfctl, upstream, bound;
	uint64_t lost;
};

/* One cell: both pushes and the bound. A cell passes when bfctl loses no
 * data and, where vs_upstream, is at least as fast as the upstream loop,
 * and neither beats the bound (a push faster than the bound would prove
 * the bound, or the model, wrong). */
static int cell_run(const struct bf_sim_usb_timing *t, double drain, const uint8_t *data, size_t len,
		    bool vs_upstream, struct cell *c, bool *ok)
{
	uint64_t ov;
	double lim;

	if (run(t, drain, data, len, true, &c->bfctl, &c->lost) < 0 ||
	    run(t, drain, data, len, false, &c->upstream, &ov) < 0)
		return -1;
	c->bound = bound(t, drain, len);
	lim = c->bound * 1.0005;
	*ok = c->lost == 0 && (!vs_upstream || c->bfctl / c->upstream >= 0.9995) && c->bfctl <= lim &&
	      c->upstream <= lim;
	return 0;
}

struct grid {
	bool check;
	const uint8_t *data;
	size_t len;
	double worst_up, worst_bound;
	unsigned cells, bad;
};

/* One cell of the grid in variant v: its line, and its TAP case under
 * --check. */
static int grid_cell(struct grid *g, const struct variant *v, size_t i, size_t j, size_t k)
{
	struct bf_sim_usb_timing t;
	struct cell c;
	bool ok;

	bf_sim_usb_timing_defaults(&t);
	t.ctl_s = ctl_us[i] * 1e-6;
	t.link_bps = link_mb_s[k] * 1e6;
	t.sample_at = v->sample_at;
	t.done_jitter_s = v->jitter_us * 1e-6;
	if (cell_run(&t, drain_mb_s[j], g->data, g->len, !v->name, &c, &ok) < 0) {
		fprintf(stderr, "bench_usb: a push failed (ctl %g us, drain %g MB/s, link %g MB/s%s%s)\n",
			ctl_us[i], drain_mb_s[j], link_mb_s[k], v->key ? ", " : "", v->key ? v->key : "");
		return -1;
	}
	if (g->check)
		printf("%s %u - ctl %g us, drain %g MB/s, link %g MB/s%s%s: bfctl %.2f MB/s, "
		       "upstream %.2f, bound %.2f, %llu bytes lost\n# ", ok ? "ok" : "not ok", g->cells + 1,
		       ctl_us[i], drain_mb_s[j], link_mb_s[k], v->key ? ", " : "", v->key ? v->key : "",
		       c.bfctl, c.upstream, c.bound, (unsigned long long)c.lost);
	if (!v->name)
		printf("BENCH push_usb_grid ");
	else
		printf("BENCH %s %s ", v->name, v->key);
	printf("ctl_us=%g drain_mb_s=%g link_mb_s=%g ", ctl_us[i], drain_mb_s[j], link_mb_s[k]);
	printf("bfctl=%.2f upstream=%.2f bound=%.2f ratio_to_upstream=%.3f fraction_of_bound=%.3f "
	       "overflow=%llu\n", c.bfctl, c.upstream, c.bound, c.bfctl / c.upstream, c.bfctl / c.bound,
	       (unsigned long long)c.lost);
	if (c.bfctl / c.upstream < g->worst_up)
		g->worst_up = c.bfctl / c.upstream;
	if (c.bfctl / c.bound < g->worst_bound)
		g->worst_bound = c.bfctl / c.bound;
	g->bad += !ok;
	g->cells++;
	return 0;
}

/* The grid in variant v, and its summary line. */
static int grid_run(struct grid *g, const struct variant *v)
{
	size_t i, j, k;

	g->worst_up = g->worst_bound = 1e9;
	for (i = 0; i < sizeof(ctl_us) / sizeof(ctl_us[0]); i++)
		for (j = 0; j < sizeof(drain_mb_s) / sizeof(drain_mb_s[0]); j++)
			for (k = 0; k < sizeof(link_mb_s) / sizeof(link_mb_s[0]); k++)
				if (grid_cell(g, v, i, j, k) < 0)
					return -1;
	if (!v->name)
		printf("%sBENCH push_usb worst_ratio_to_upstream=%.3f worst_fraction_of_bound=%.3f "
		       "cells=%u mib=%zu\n", g->check ? "# " : "", g->worst_up, g->worst_bound,
		       (unsigned)(sizeof(ctl_us) / sizeof(ctl_us[0]) * sizeof(drain_mb_s) / sizeof(drain_mb_s[0]) *
				  sizeof(link_mb_s) / sizeof(link_mb_s[0])), g->len >> 20);
	else
		printf("%sBENCH %s %s worst_ratio_to_upstream=%.3f worst_fraction_of_bound=%.3f\n",
		       g->check ? "# " : "", v->name, v->key, g->worst_up, g->worst_bound);
	return 0;
}

int main(int argc, char **argv)
{
	bool check = argc > 1 && !strcmp(argv[1], "--check");
	size_t mib = argc > 1 + check ? strtoul(argv[1 + check], NULL, 10) : 4, len, i;
	char path[] = "/tmp/bfctl-bench-usb.XXXXXX";
	struct grid g = { .check = check };
	double floor_worst = 0;
	char *data;
	int fd, r;

	if (!mib || mib > 1024 || (fd = mkstemp(path)) < 0)
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
	g.data = (const uint8_t *)data;
	g.len = len;
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		if (grid_run(&g, &variants[i]) < 0)
			return 1;
		if (!i)
			floor_worst = g.worst_bound;
	}
	if (check) {
		printf("%s %u - worst fraction of the bound %.3f, floor %.2f\n",
		       floor_worst >= FRACTION_FLOOR ? "ok" : "not ok", g.cells + 1, floor_worst, FRACTION_FLOOR);
		printf("1..%u\n", g.cells + 1);
	}
	free(data);
	if (check && g.bad)
		fprintf(stderr, "bench_usb: %u cell(s) lost data, were slower than the upstream loop or beat the "
			"bound\n", g.bad);
	if (check && floor_worst < FRACTION_FLOOR)
		fprintf(stderr, "bench_usb: the worst cell reached %.3f of its bound, below %.2f\n", floor_worst,
			FRACTION_FLOOR);
	return check && (g.bad || floor_worst < FRACTION_FLOOR) ? 1 : 0;
}
