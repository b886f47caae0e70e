/* usb_bound.h - the most bytes per second any safe push policy can move
 * through the simulated USB link into the boot FIFO (doc/usb-timing.md
 * derives it). */
#ifndef BF_TEST_USB_BOUND_H
#define BF_TEST_USB_BOUND_H

#include <stddef.h>

struct usb_bound_model {
	double fifo;     /* W: boot FIFO bytes */
	double rate;     /* R: bytes per microsecond the link carries at most */
	double ctl_us;   /* endpoint 0 service time of one control transfer */
	double done_us;  /* from the end of a transfer to the host seeing it */
};

/* The limit that blocks of m consecutive read intervals prove (2..4),
 * bytes per microsecond; INFINITY when m is out of range. */
double usb_bound_block(const struct usb_bound_model *md, unsigned m);

/* The credit limit in steady state, bytes per microsecond: an upper
 * bound on the long-run rate of every policy that never sends more than
 * the FIFO can hold should the drain stop, proven by blocks of m
 * consecutive read intervals (m = 2..4), the least of them, rounded up
 * by a relative 1e-6. */
double usb_bound_credit(const struct usb_bound_model *md);

/* The least time in microseconds any safe policy needs to land len bytes
 * into an empty FIFO that drains at drain bytes per microsecond (0: no
 * drain limit), given the steady credit limit credit. */
double usb_bound_least_us(const struct usb_bound_model *md, double credit, double drain, size_t len);

#endif
