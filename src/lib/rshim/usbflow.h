/* usbflow.h - how much boot stream may be on its way to a USB boot FIFO
 * (bf_usbflow_*): the push policy of the USB backend, free of libusb so
 * that the benchmark and the tests drive it against the simulator's USB
 * timing model.
 *
 * BlueField-3's boot endpoint does not flow-control: bytes sent into a
 * full FIFO are lost. The host learns the FIFO's occupancy only from
 * BOOT_FIFO_COUNT, read by a control transfer while bulk transfers are in
 * flight. With S the bytes submitted, C0 the bytes whose bulk transfers had
 * completed when a count read was submitted, and c the count it returned,
 * at least C0 - 8c bytes have been drained for good, so occupancy can never
 * exceed S - (C0 - 8c). Submitting only while S <= C0 - 8c + W, with W one
 * word less than the FIFO, keeps the FIFO from overflowing (and its count,
 * 10 bits wide, from wrapping to 0 when full), whatever the timing. A new
 * count read goes out whenever a bulk completion has moved C0 on (up to
 * BF_USBFLOW_READS in flight, completing in order on endpoint 0), so the
 * credit trails the link by about one control round trip.
 *
 * BlueField-1/2 NAK while the FIFO is full: no count reads, only a bound
 * on the bytes in flight.
 */
#ifndef BF_RSHIM_USBFLOW_H
#define BF_RSHIM_USBFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_USBFLOW_READS 4
/* Bulk transfer size on a counted FIFO: small enough that completions
 * (and so credit) come often, large enough to keep the count reads few;
 * the best of 1-8 KiB in the USB timing model (make bench, push_usb). */
#define BF_USBFLOW_URB   2048

struct bf_usbflow {
	bool counted;          /* BF3: credits from BOOT_FIFO_COUNT */
	uint64_t count_mask;   /* BOOT_FIFO_COUNT's field */
	uint64_t window;       /* bytes: FIFO size minus one word */
	uint64_t inflight_max; /* bytes on the wire at most (all chips) */
	uint64_t submitted;    /* S */
	uint64_t completed;    /* bytes of completed bulk transfers */
	uint64_t limit;        /* S may grow to this */
	/* completed when each pending count read was submitted, oldest first */
	uint64_t read_base[BF_USBFLOW_READS];
	unsigned read_head, read_pending;
	uint64_t reads;        /* count reads issued (statistics) */
};

/* fifo_bytes: the boot FIFO's size in bytes (BF3: 8192); counted: the
 * device loses data sent into a full FIFO. */
void bf_usbflow_init(struct bf_usbflow *f, uint64_t fifo_bytes, uint64_t count_mask, bool counted);
/* Bytes that may be submitted now, at most want (whole words). */
size_t bf_usbflow_grant(const struct bf_usbflow *f, size_t want);
void bf_usbflow_submitted(struct bf_usbflow *f, size_t n);
/* A bulk transfer completed having moved n bytes (a cancelled or failed
 * one counts what it moved; the rest counts as never submitted). */
void bf_usbflow_completed(struct bf_usbflow *f, size_t moved, size_t submitted);
/* Should a count read be submitted now? If so the caller submits it and
 * calls bf_usbflow_read_submitted. more: boot stream still to send. */
bool bf_usbflow_want_read(const struct bf_usbflow *f, bool more);
void bf_usbflow_read_submitted(struct bf_usbflow *f);
/* The count read returned count (words, the register as read). */
void bf_usbflow_read_done(struct bf_usbflow *f, uint64_t count);
/* A count read failed (the oldest pending one): the credit stays where
 * it was. */
void bf_usbflow_read_failed(struct bf_usbflow *f);

#endif
