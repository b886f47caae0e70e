/* usbheld.c - held and split bursts for the USB push (see usbheld.h). */
#include "config.h"
#include "rshim/usbheld.h"
#include "log.h"

#include <string.h>

#define HELD_STREAK   8u            /* exact reads finding the FIFO not empty: held bursts */
#define HELD_SETTLE   16u           /* reads to settle, then reads to measure */
#define HOLD_STEP     32            /* the hold moves up by service / this, down by half */
#define PACKET        512u          /* the early part of a split burst moves by a packet */
#define IDLE_MIN      256           /* endpoint 0 idle for more than service / this */

void bf_usbheld_init(struct bf_usbheld *h, const char *name, uint64_t window)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->window = window;
}

static double rate_since(const struct bf_usbheld *h, uint64_t base, uint64_t t0)
{
	return (double)(base - h->trial_c) / (double)(t0 - h->trial_t);
}

static void mark(struct bf_usbheld *h, uint64_t base, uint64_t t0)
{
	h->trial_t = t0;
	h->trial_c = base;
}

static void held_stop(struct bf_usbheld *h, const char *why)
{
	h->on = false;
	h->off = true;
	h->split = false;
	bf_debug("%s: %s: exact reads", h->name, why);
}

static void split_stop(struct bf_usbheld *h, const char *why)
{
	h->split = false;
	h->split_off = true;
	h->adj = h->held_adj;
	h->pre = 0;
	bf_debug("%s: %s: held bursts as a whole", h->name, why);
}

static void split_start(struct bf_usbheld *h, double rate)
{
	h->held_rate = rate;
	h->held_adj = h->adj;
	h->split = true;
	h->split_reads = 0;
	h->pre = 0;
	h->pre_cap = h->window / 2 > 2 * PACKET ? h->window / 2 - 2 * PACKET : 0;
	h->pre_age = 0;
	bf_debug("%s: held bursts pay: split bursts", h->name);
}

/* After HELD_SETTLE reads (the hold settles), the rate over the next
 * HELD_SETTLE has to reach what the exact reads that called for held
 * bursts did, else back to exact for good; if it does, split bursts are
 * tried against it. */
static void held_trial(struct bf_usbheld *h, uint64_t base, uint64_t t0)
{
	if (++h->reads == HELD_SETTLE) {
		mark(h, base, t0);
	} else if (h->reads == 2 * HELD_SETTLE && t0 > h->trial_t) {
		double rate = rate_since(h, base, t0);

		if (rate < h->exact_rate)
			held_stop(h, "held bursts were slower");
		else if (!h->split_off)
			split_start(h, rate);
		mark(h, base, t0);
	}
}

/* Split bursts are measured over every 2 x HELD_SETTLE reads after the
 * first HELD_SETTLE: slower than held bursts as a whole, and they stop. */
static void split_trial(struct bf_usbheld *h, uint64_t base, uint64_t t0)
{
	if (++h->split_reads == HELD_SETTLE) {
		mark(h, base, t0);
	} else if (h->split_reads > HELD_SETTLE && h->split_reads % (2 * HELD_SETTLE) == 0 &&
		   t0 > h->trial_t) {
		if (rate_since(h, base, t0) < h->held_rate)
			split_stop(h, "split bursts were slower");
		mark(h, base, t0);
	}
}

/* Held bursts: a read that found more than a sixteenth of the FIFO saw
 * the held burst land (the sample came later than estimated: the estimate
 * is endpoint 0's timing, with the host's jitter) or the drain is slower
 * still: hold the next one longer. Else a little shorter, back towards a
 * burst whose first packet lands about at the sample. Within half a
 * service either way; held to the end of the read's service and still
 * more: the drain is the limit and held bursts of half a FIFO underfeed
 * it, back to the exact schedule for good. */
static void hold_adjust(struct bf_usbheld *h, uint64_t count)
{
	int64_t step = (int64_t)h->serve / HOLD_STEP, lim = (int64_t)h->serve / 2;
	bool late = count > h->window / 16;

	if (late && h->adj >= lim) {
		held_stop(h, "held to the end of the read's service, the FIFO still not drained");
		return;
	}
	h->adj += late ? step : -step / 2;
	if (h->adj > lim)
		h->adj = lim;
	if (h->adj < -lim)
		h->adj = -lim;
}

/* Split bursts: a count that finds more than a thirty-second of the FIFO
 * (the early part had not drained, or the held part landed before the
 * sample) takes a packet off the early part and caps it there; with no
 * early part left, the hold moves later. Endpoint 0 idle before the read
 * (the held part completed after it was free): a packet more goes early,
 * or at the cap, the hold moves a little earlier. The cap rises by a
 * packet every 2 x HELD_SETTLE reads, to probe again. */
static void split_adjust(struct bf_usbheld *h, uint64_t count, uint64_t idle)
{
	int64_t step = (int64_t)h->serve / HOLD_STEP, lim = (int64_t)h->serve / 2;
	uint64_t max = h->window / 2 > 2 * PACKET ? h->window / 2 - 2 * PACKET : 0;

	if (count > h->window / 32) {
		if (h->pre) {
			h->pre -= PACKET;
			h->pre_cap = h->pre;
			h->pre_age = 0;
		} else if (h->adj >= lim) {
			split_stop(h, "split bursts held to the end of the read's service");
		} else {
			h->adj += step;
		}
		return;
	}
	if (idle > h->serve / IDLE_MIN) {
		if (h->pre + PACKET <= h->pre_cap)
			h->pre += PACKET;
		else if (h->adj > -lim)
			h->adj -= step / 2;
	}
	if (++h->pre_age >= 2 * HELD_SETTLE && h->pre_cap + PACKET <= max) {
		h->pre_cap += PACKET;
		h->pre_age = 0;
	}
}

bool bf_usbheld_exact(struct bf_usbheld *h, uint64_t count, uint64_t burst, uint64_t base,
		      uint64_t t0, uint64_t serve)
{
	h->streak = count && burst >= h->window / 2 ? h->streak + 1 : 0;
	if (h->streak == HELD_STREAK / 2)
		mark(h, base, t0);
	if (h->streak < HELD_STREAK || !serve || h->off || t0 <= h->trial_t)
		return false;
	h->exact_rate = rate_since(h, base, t0);
	h->serve = serve;
	h->on = true;
	h->reads = 0;
	bf_debug("%s: the drain is behind the exact schedule: held bursts", h->name);
	return true;
}

void bf_usbheld_read(struct bf_usbheld *h, uint64_t count, uint64_t idle, uint64_t base, uint64_t t0)
{
	if (h->split) {
		split_adjust(h, count, idle);
		if (h->split)
			split_trial(h, base, t0);
		return;
	}
	hold_adjust(h, count);
	if (h->on)
		held_trial(h, base, t0);
}
