/* usbflow.h - how much boot stream may be on its way to a USB boot FIFO,
 * and when to read BOOT_FIFO_COUNT (bf_usbflow_*): the push policy of the
 * USB backend, free of libusb and of clocks (usbpush.c drives it).
 *
 * Safety. BlueField-3's boot endpoint does not flow-control: bytes sent
 * into a full FIFO are lost. The host learns the FIFO's occupancy only
 * from BOOT_FIFO_COUNT, read by a control transfer. With S the bytes
 * submitted, C0 the bytes whose bulk transfers had completed when a count
 * read was submitted, and c the count it returned, at least C0 - 8c bytes
 * have left the FIFO for good (those bytes were in the FIFO before the
 * register was sampled, and at most c words still are), so occupancy can
 * never exceed S - (C0 - 8c). Submitting only while S <= C0 - 8c + W, with W
 * the FIFO (its 11-bit count can say "full"), keeps it from overflowing,
 * whatever the timing. The credit limit only moves forward.
 *
 * Speed. A read vouches only for bytes whose completion the host had seen
 * when it sent the read; bytes landing while a read is queued or in flight
 * are credit lost until the next one. So there is never more than one read
 * in flight (a second one would wait on endpoint 0, which serves one
 * control transfer at a time, and its credit would be stale on return),
 * and two schedules:
 *  - exact: a read only when nothing is in flight, so that it vouches for
 *    everything; then the whole credit goes out at once. This is the
 *    upstream daemon's BF3 loop with the transfers kept asynchronous and
 *    without its 50 ms sleep; it is the better one when a control round
 *    trip takes longer than a FIFO's worth of bulk transfers.
 *  - stream: a read after every completion that moved C0 on, while small
 *    bulk transfers keep the link busy: the credit trails the link by about
 *    one control round trip.
 * The push starts exact; usbpush.c measures the control round trip and the
 * time a full FIFO takes on the link and switches to stream when the round
 * trip is the shorter (bf_usbflow_choose).
 *
 * BlueField-1/2 NAK while the FIFO is full: no count reads, only a bound
 * on the bytes in flight.
 */
#ifndef BF_RSHIM_USBFLOW_H
#define BF_RSHIM_USBFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_USBFLOW_READS 1        /* count reads in flight, at most */
#define BF_USBFLOW_URB   1024     /* bulk transfer size on a counted FIFO */

struct bf_usbflow {
	bool counted;          /* BF3: credits from BOOT_FIFO_COUNT */
	bool stream;           /* the stream schedule (else exact) */
	uint64_t count_mask;   /* BOOT_FIFO_COUNT's field */
	uint64_t window;       /* W, bytes */
	uint64_t inflight_max; /* bytes on the wire at most (all chips) */
	uint64_t submitted;    /* S */
	uint64_t completed;    /* bytes of completed bulk transfers */
	uint64_t limit;        /* S may grow to this */
	bool read_pending;
	uint64_t read_base;    /* C0 of the pending or the last read */
	uint64_t reads;        /* count reads issued (statistics) */
};

/* fifo_bytes: the boot FIFO's size in bytes (BF3: 8192); count_mask:
 * BOOT_FIFO_COUNT's field; counted: the device loses data sent into a
 * full FIFO. */
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
/* A count read failed: the credit stays where it was. */
void bf_usbflow_read_failed(struct bf_usbflow *f);
/* The schedule for a control round trip of rtt and a full FIFO taking
 * fifo_time on the link (same unit): stream when rtt < 0.9 fifo_time. */
void bf_usbflow_choose(struct bf_usbflow *f, double rtt, double fifo_time);

#endif
