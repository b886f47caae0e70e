/* usbdev.h - the simulated BlueField's USB function (bf_sim_usb_*): its
 * descriptors, its endpoints and a timing model of a USB 2.0 high-speed
 * link, driven by URBs. Front ends: the umockdev transport of `bfsim run
 * --transport usb` (usbdevfs ioctls of a real libusb in COMMAND) and the
 * push benchmark (in process, on the virtual clock).
 *
 * Timing model, in simulated time (bf_sim_time), with run-time parameters
 * (struct bf_sim_usb_timing; the defaults and their sources are in
 * doc/usb-timing.md):
 *  - bulk OUT: one link for all OUT endpoints, in submission order, packets
 *    of 512 bytes at the link rate, at most uframe_pkts of them landing in
 *    one 125 us microframe; a packet reaches the endpoint when its last
 *    byte has crossed the link.
 *  - boot FIFO endpoint: on BlueField-3 a packet is stored whether or not
 *    the FIFO has room; what does not fit is lost (counted as overflow),
 *    which is why the host must watch BOOT_FIFO_COUNT. On BlueField-2 the
 *    endpoint NAKs while the FIFO is full; the packet is retried.
 *  - control transfers: one at a time on endpoint 0, ctl_s each; the
 *    register is sampled sample_at of the way through (half-way by
 *    default); ctl_bus_s of it delays the bulk link.
 *  - every transfer completes done_s after its last byte moved (the host
 *    sees it then), plus up to done_jitter_s (uniform, from a fixed seed:
 *    deterministic), the host still seeing completions in the order they
 *    happened.
 *  - the boot FIFO drains at the simulator's drain_bps; BOOT_FIFO_COUNT is
 *    as wide as the chip's field (chip.h), so a full BF3 FIFO reads 1024.
 *  - TM FIFO endpoints: interrupt IN completes with the tile-to-host word
 *    count once it is non-zero; bulk IN takes the words there are.
 * The caller serialises all calls (the transport's lock).
 */
#ifndef BF_SIM_USBDEV_H
#define BF_SIM_USBDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define BF_SIM_USB_EP_BOOT    0x01   /* bulk OUT, interface 0 (subclass 0) */
#define BF_SIM_USB_EP_TM_OUT  0x02   /* bulk OUT, interface 1 (subclass 1) */
#define BF_SIM_USB_EP_TM_IN   0x82   /* bulk IN */
#define BF_SIM_USB_EP_TM_INT  0x83   /* interrupt IN: words available */
#define BF_SIM_USB_PACKET     512    /* high-speed bulk max packet */
#define BF_SIM_USB_UFRAME    125e-6 /* a high-speed microframe */
#define BF_SIM_USB_UFRAME_PKTS 13    /* bulk packets of 512 B in one microframe, at most */

/* The link's timing (seconds, bytes per second). */
struct bf_sim_usb_timing {
	double link_bps;          /* bulk OUT rate; 0: the simulator's link_bps */
	double uframe_s;          /* microframe length */
	unsigned uframe_pkts;     /* bulk packets per microframe, at most */
	double ctl_s;             /* a control transfer's three stages on endpoint 0 */
	double ctl_bus_s;         /* ... of which bus time taken from bulk traffic */
	double done_s;            /* last byte moved -> completion seen by the host */
	double sample_at;         /* the register is read this far into a control transfer (0-1) */
	double done_jitter_s;     /* up to this much more before the host sees a completion */
};

/* The defaults (doc/usb-timing.md): link 0 (the simulator's), 125 us and
 * 13 packets per microframe, 125 us control transfers of which 2 us on
 * the bus and the register read half-way, 40 us completion latency. */
void bf_sim_usb_timing_defaults(struct bf_sim_usb_timing *t);
/* "key=value,..." over t: link_mb_s, uframe_us, uframe_pkts, ctl_us,
 * ctl_bus_us, done_us, sample_at, done_jitter_us (decimal, MB = 10^6
 * bytes). 0 or -EINVAL. */
int bf_sim_usb_timing_parse(struct bf_sim_usb_timing *t, const char *spec);

enum bf_sim_urb_type { BF_SIM_URB_CONTROL, BF_SIM_URB_BULK, BF_SIM_URB_INTERRUPT };

struct bf_sim_urb {
	enum bf_sim_urb_type type;
	uint8_t ep;               /* endpoint address; 0x80 = IN */
	uint8_t *buf;             /* control: the 8-byte setup, then the data stage */
	size_t len;
	/* result, valid once reaped */
	size_t actual;            /* data bytes moved (control: without the setup) */
	int status;               /* 0, -EPIPE (stall), -ENODEV, -ENOENT (discarded) */
	void *user;
	/* model-private */
	double t_sample, t_done;  /* control: register access; all: completion */
	double t_next;            /* bulk OUT: when the next packet lands */
	size_t moved;
	bool wired;               /* all bytes moved; completes at t_done */
	bool done;
	struct bf_sim_urb *next;
};

struct bf_sim_usb;

/* t: NULL for the defaults. */
int bf_sim_usb_open(struct bf_sim *s, const struct bf_sim_usb_timing *t, struct bf_sim_usb **out);
/* Outstanding URBs are forgotten (the caller owns them). */
void bf_sim_usb_close(struct bf_sim_usb *u);

/* Queue a URB. 0, -EINVAL (unknown endpoint, bad length) or -ENODEV. */
int bf_sim_usb_submit(struct bf_sim_usb *u, struct bf_sim_urb *urb);
/* Run the model up to now; return one URB that has completed by now (in
 * completion order), or NULL. */
struct bf_sim_urb *bf_sim_usb_reap(struct bf_sim_usb *u);
/* Cancel a pending URB: it completes at once with -ENOENT. -EINVAL if it
 * is not pending. */
int bf_sim_usb_discard(struct bf_sim_usb *u, struct bf_sim_urb *urb);
/* Forget a URB without completing it (its owner went away). */
void bf_sim_usb_forget(struct bf_sim_usb *u, struct bf_sim_urb *urb);
/* Simulated time at which the model next has something to do (a packet, a
 * control transfer, a completion), or a negative value when only the
 * device side (TM FIFO data) can wake it. For the virtual clock. */
double bf_sim_usb_next_event(struct bf_sim_usb *u);

/* The device and configuration descriptors as the kernel shows them in
 * sysfs (the "descriptors" attribute). Returns the length. */
size_t bf_sim_usb_descriptors(const struct bf_chip *chip, uint8_t *buf, size_t cap);

#endif
