/* usbrig.h - host push policies driven against the simulator's USB function
 * (src/sim/usbdev.h) on the virtual clock, for the unit test of the policy
 * and the push_usb benchmark (usbrig_*). A host reacts to a completion
 * USBRIG_HOST_LATENCY after it. */
#ifndef BF_TESTS_USBRIG_H
#define BF_TESTS_USBRIG_H

#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "sim.h"
#include "usbdev.h"

#define USBRIG_HOST_LATENCY 20e-6   /* completion seen -> next submission (user space) */

struct usbrig {
	struct bf_sim *s;
	struct bf_sim_usb *u;
	const struct bf_chip *chip;
	const uint8_t *data;
	size_t len, off;
	double t0;
	uint64_t reads;             /* count reads the policy issued */
};

/* A simulated chip, reset to boot from RShim, about to take data[0..len).
 * drain_bps / stall_after: 0 keeps the defaults. 0 or -errno. */
int usbrig_open(struct usbrig *g, enum bf_chip_ver ver, uint64_t drain_bps, uint64_t stall_after,
		const uint8_t *data, size_t len);
/* Bytes sent into a full boot FIFO (lost), then everything freed. */
uint64_t usbrig_close(struct usbrig *g);
/* bfctl's policy (usbflow, as usbpush.c drives it) for at most max_steps
 * host reactions. Bytes completed, or -1 on a transfer error. */
int64_t usbrig_push_bfctl(struct usbrig *g, unsigned max_steps);
/* The upstream daemon's BF3 loop (spec rshim.md 1): read BOOT_FIFO_COUNT,
 * one synchronous bulk write of at most the free space, 50 ms sleep when
 * full. Bytes completed, or -1. */
int64_t usbrig_push_upstream(struct usbrig *g);
/* No credit at all: 8 KiB transfers back to back. Bytes completed, or -1. */
int64_t usbrig_push_blind(struct usbrig *g);
/* Simulated seconds since usbrig_open. */
double usbrig_elapsed(const struct usbrig *g);

#endif
