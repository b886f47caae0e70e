/* usbflow.h - how much boot stream may be on its way to a USB boot FIFO,
 * and when a BOOT_FIFO_COUNT read is worth sending (bf_usbflow_*): the push
 * policy of the USB backend, free of libusb and of clocks (usbpush.c
 * drives it and does the timing).
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
 * whatever the timing and whatever the drain (even none). The credit limit
 * only moves forward. Nothing is sent on a guess of the drain rate: a
 * device that stops draining would lose the guessed bytes.
 *
 * Speed. A read vouches only for bytes whose completion the host had seen
 * when it submitted the read, so it should go out as late as it can
 * without leaving endpoint 0 idle. Endpoint 0 serves one control transfer
 * at a time: a read queued behind another one is as stale as its
 * submission. Two schedules:
 *  - exact: a read only when nothing is in flight, so that it vouches for
 *    everything; then the whole credit goes out at once. This is the
 *    upstream daemon's BF3 loop with the transfers kept asynchronous and
 *    without its 50 ms sleep; it is the better one when a control round
 *    trip takes longer than a FIFO's worth of bulk transfers.
 *  - overlapped: a read as soon as some bytes completed since the last
 *    one, and at most two out: one on endpoint 0 and one that usbpush.c
 *    submits when it expects the first to leave endpoint 0 (it measures
 *    endpoint 0's service time on the first two reads), or a little
 *    later when a bulk completion is due by then, when endpoint 0 is the
 *    slower part of the round trip. The credit goes out as soon as it
 *    arrives, in transfers of one packet (a read vouches for the bytes up
 *    to the last transfer completed).
 *  - overlapped per burst (burst != 0): the bytes sent are cut into
 *    bursts of about `burst` (a FIFO / m), each ending where it reaches
 *    that size or where the credit ran out once it is half that; a read
 *    goes out when a whole burst has completed, so each read vouches for
 *    a burst just landed and m bursts go round in parallel. usbpush.c
 *    picks m when a long endpoint 0 service would leave reads as bytes
 *    complete waiting on it, or when the link is the limit either way
 *    (fewer reads).
 * Where the drain is behind the exact schedule, usbpush.c keeps its read
 * rule but sends one burst of a FIFO / 2 at a time, a second read may be
 * out, and each burst is held until the read in service has sampled the
 * count (the FIFO is then drained, the count does not see the burst
 * land); a trial, given up when slower than the exact reads before it;
 * then split bursts, part sent before the hold (usbheld.h).
 * The schedules only decide when reads and transfers go out, and how big
 * each transfer is; the credit is the same.
 * The push starts exact; usbpush.c measures the read round trip and the
 * time a full FIFO takes on the link and switches to overlapped when the
 * round trip is the shorter. doc/usb-timing.md derives the bound and what
 * each schedule reaches.
 *
 * BlueField-1/2 NAK while the FIFO is full: no count reads, only a bound
 * on the bytes in flight.
 */
#ifndef BF_RSHIM_USBFLOW_H
#define BF_RSHIM_USBFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_USBFLOW_READS 2        /* count reads out, at most */
#define BF_USBFLOW_URB   1024     /* bulk transfer size on a counted FIFO */
#define BF_USBFLOW_URB_FINE 512   /* ... with reads as bytes complete: one high-speed packet */
#define BF_USBFLOW_MARKS 8        /* burst ends kept: bursts of W/4 at least, half that when the credit ends one */

struct bf_usbflow {
	bool counted;          /* BF3: credits from BOOT_FIFO_COUNT */
	bool exact;            /* reads only with nothing in flight (else overlapped) */
	uint64_t count_mask;   /* BOOT_FIFO_COUNT's field */
	uint64_t window;       /* W, bytes */
	uint64_t inflight_max; /* bytes on the wire at most (all chips) */
	uint64_t submitted;    /* S */
	uint64_t completed;    /* bytes of completed bulk transfers */
	uint64_t limit;        /* S may grow to this */
     /* a read while credit is left: C0 this much past the last */
	unsigned reads_out;    /* count reads submitted, not yet returned */
	uint64_t base[BF_USBFLOW_READS]; /* C0 of each read slot out */
	uint64_t read_base;    /* C0 of the last read submitted */
	/* Overlapped: 0, a read as bytes complete; else a read as each
	 * burst of about this many bytes completes (W/4 at least). */
	uint64_t burst;
	uint64_t mark[BF_USBFLOW_MARKS]; /* burst ends (S) past read_base, in order */
	unsigned marks;
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
/* Would a count read submitted now gain credit? (The caller decides when
 * endpoint 0 is ready for it.) more: boot stream still to send. */
bool bf_usbflow_want_read(const struct bf_usbflow *f, bool more);
/* A read went out as slot (< BF_USBFLOW_READS, not already out). */
void bf_usbflow_read_submitted(struct bf_usbflow *f, unsigned slot);
/* The read in slot returned count (words, the register as read). */
void bf_usbflow_read_done(struct bf_usbflow *f, unsigned slot, uint64_t count);
/* The read in slot failed: the credit stays where it was. */
void bf_usbflow_read_failed(struct bf_usbflow *f, unsigned slot);

#endif
