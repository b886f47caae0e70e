/* usbrig.h - the simulator's USB function (src/sim/usbdev.h) on the
 * virtual clock as the transfer layer of the real push engine
 * (src/lib/rshim/usbpush.h), for the unit test of the policy and the
 * push_usb benchmarks (usbrig_*). Also two reference host loops that are
 * not bfctl's: the upstream daemon's BF3 loop and a push without credit. */
#ifndef BF_TESTS_USBRIG_H
#define BF_TESTS_USBRIG_H

#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "sim.h"
#include "usbdev.h"
#include "rshim/usbpush.h"
#include "rshim/usbflow.h"

struct usbrig {
	struct bf_sim *s;
	struct bf_sim_usb *u;
	const struct bf_chip *chip;
	const uint8_t *data;
	size_t len, off;
	double t0;
	uint64_t reads;             /* count reads the policy issued */
	/* the engine's transfers */
	struct bf_usbpush *p;
	struct bf_sim_urb bulk[BF_USBPUSH_BULK_MAX], rd[BF_USBFLOW_READS];
	uint8_t rdbuf[BF_USBFLOW_READS][16];
};

/* A simulated chip, reset to boot from RShim, about to take data[0..len).
 * drain_bps / stall_after: 0 keeps the defaults; t: NULL for the default
 * link timing. 0 or -errno. */
int usbrig_open(struct usbrig *g, enum bf_chip_ver ver, uint64_t drain_bps, uint64_t stall_after,
		const struct bf_sim_usb_timing *t, const uint8_t *data, size_t len);
/* Bytes sent into a full boot FIFO (lost), then everything freed. */
uint64_t usbrig_close(struct usbrig *g);
/* bfctl's push engine (usbpush.c, as usb.c drives it: write until all is
 * taken, then flush) for at most max_s simulated seconds. Bytes that
 * crossed the link (stored or lost), or -1 on an error. */
int64_t usbrig_push_bfctl(struct usbrig *g, double max_s);
/* The upstream daemon's BF3 loop (rshim_usb.c): read BOOT_FIFO_COUNT
 * (synchronously), one synchronous bulk write of at most the free space,
 * 50 ms sleep when full. Bytes moved, or -1. */
int64_t usbrig_push_upstream(struct usbrig *g);
/* No credit at all: 8 KiB transfers back to back. Bytes moved, or -1. */
int64_t usbrig_push_blind(struct usbrig *g);
/* Simulated seconds since usbrig_open. */
double usbrig_elapsed(const struct usbrig *g);

#endif
