/* usbdev.h - the simulated BlueField's USB function (bf_sim_usb_*): its
 * descriptors, its endpoints and a timing model of a USB 2.0 high-speed
 * link, driven by URBs. Front ends: the umockdev transport of `bfsim run
 * --transport usb` (usbdevfs ioctls of a real libusb in COMMAND) and the
 * push benchmark (in process, on the virtual clock).
 *
 * Timing model, in simulated time (bf_sim_time):
 *  - bulk OUT: one link for all OUT endpoints, in submission order, packets
 *    of 512 bytes at link_bps; a packet reaches the endpoint when its last
 *    byte has crossed the link.
 *  - boot FIFO endpoint: on BlueField-3 a packet is stored whether or not
 *    the FIFO has room; what does not fit is lost (counted as overflow),
 *    which is why the host must watch BOOT_FIFO_COUNT. On BlueField-2 the
 *    endpoint NAKs while the FIFO is full; the packet is retried.
 *  - control transfers: one at a time on endpoint 0, CTRL_WIRE each; the
 *    register is sampled half-way; CTRL_BUS of it delays the bulk link.
 *  - every transfer completes HC_LATENCY after its last byte moved.
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
#define BF_SIM_USB_CTRL_WIRE  20e-6  /* a control transfer's three stages on the bus */
#define BF_SIM_USB_CTRL_BUS   2e-6   /* ... of which bus time taken from bulk traffic */
#define BF_SIM_USB_HC_LATENCY 40e-6  /* transfer done -> completion seen (xHCI interrupt moderation) */

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

int bf_sim_usb_open(struct bf_sim *s, struct bf_sim_usb **out);
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
