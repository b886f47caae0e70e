/* usbheld.h - held bursts, the USB push schedule where BF3's boot FIFO
 * drains behind the exact schedule (bf_usbheld_*): when to try them, when
 * to hold a burst, how much of it to send before the hold, and when to
 * give them up. Free of libusb and of clocks, like usbflow.h: usbpush.c
 * feeds it what the count reads found and does the timing. It decides
 * only when bytes go out; the credit (usbflow.h) decides how many may.
 *
 * Exact reads that keep finding the FIFO not yet empty after a burst of
 * half a FIFO mean the drain is behind, and the exact schedule leaves it
 * idle from the sample until the next burst lands. Held bursts: one burst
 * of half a FIFO at a time, a read when it has completed (a second one
 * may be out), and the next burst held until the read in service has
 * sampled the count, so that the count finds the FIFO drained and does
 * not see the burst land. The sample time is an estimate (half-way
 * through the read's service on endpoint 0); `adj` moves it, following
 * the counts.
 *
 * Split bursts, once held bursts have proven faster than the exact reads:
 * part of each burst (`pre`) goes as soon as the credit allows, early
 * enough to drain before the sample, and only the rest is held, so that
 * it completes before endpoint 0 is free for the next read. A count that
 * finds the FIFO not drained shrinks the early part first and caps it;
 * endpoint 0 left idle before a read grows it (the held part was too
 * long), up to that cap, which is probed again slowly. Both are trials
 * against the schedule before them, given up for good when slower.
 */
#ifndef BF_RSHIM_USBHELD_H
#define BF_RSHIM_USBHELD_H

#include <stdbool.h>
#include <stdint.h>

struct bf_usbheld {
	const char *name;             /* the device, for debug lines */
	uint64_t window;              /* W, bytes */
	uint64_t serve;               /* endpoint 0's service of a read (ns) */
	bool on, off;                 /* held bursts on; tried and given up */
	bool split, split_off;        /* split bursts on; tried and given up */
	unsigned streak;              /* exact reads in a row finding the FIFO busy */
	unsigned reads, split_reads;  /* reads counted since each started */
	uint64_t trial_t, trial_c;    /* a read's submission (ns) and C0: a rate from there */
	double exact_rate, held_rate; /* bytes per ns of the schedule each replaced */
	int64_t adj;                  /* added to the estimated sample (ns) */
	int64_t held_adj;             /* held bursts' own, restored when split ones stop */
	uint64_t pre, pre_cap;        /* split: bytes sent before the hold, at most */
	unsigned pre_age;             /* reads since the cap was last lowered or raised */
};

void bf_usbheld_init(struct bf_usbheld *h, const char *name, uint64_t window);
/* An exact read (not a held burst's) returned: count, the bytes it found
 * in the FIFO; burst, the bytes it counted that the read before it did
 * not; base, its C0; t0, when it went out (ns); serve, endpoint 0's
 * service time measured so far (0: not yet). True if held bursts start. */
bool bf_usbheld_exact(struct bf_usbheld *h, uint64_t count, uint64_t burst, uint64_t base,
		      uint64_t t0, uint64_t serve);
/* A read that counted a held burst returned: count as above; idle, how
 * long endpoint 0 waited for it (ns); base and t0 as above. */
void bf_usbheld_read(struct bf_usbheld *h, uint64_t count, uint64_t idle, uint64_t base, uint64_t t0);

#endif
