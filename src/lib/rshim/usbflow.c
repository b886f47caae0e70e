/* usbflow.c - boot FIFO credits for the USB push (see usbflow.h). */
#include "config.h"
#include "rshim/usbflow.h"
#include "chip.h"

#define INFLIGHT_NAK   (256u << 10)   /* BF1/BF2: the device NAKs, keep the pipe full */

void bf_usbflow_init(struct bf_usbflow *f, uint64_t fifo_bytes, uint64_t count_mask, bool counted)
{
	*f = (struct bf_usbflow){ .counted = counted, .count_mask = count_mask };
	f->window = fifo_bytes > 8 ? fifo_bytes - 8 : 0;
	f->inflight_max = counted ? f->window : INFLIGHT_NAK;
	/* Before the first count read nothing is known: the FIFO may hold
	 * what a previous push left. No credit until a read says otherwise. */
	f->limit = 0;
}

size_t bf_usbflow_grant(const struct bf_usbflow *f, size_t want)
{
	uint64_t room, inflight = f->submitted - f->completed;

	if (inflight >= f->inflight_max)
		return 0;
	room = f->inflight_max - inflight;
	if (f->counted)
		room = f->limit > f->submitted ? (f->limit - f->submitted < room ? f->limit - f->submitted : room) : 0;
	if (room > want)
		room = want;
	return (size_t)(room & ~(uint64_t)7);
}

void bf_usbflow_submitted(struct bf_usbflow *f, size_t n)
{
	f->submitted += n;
}

void bf_usbflow_completed(struct bf_usbflow *f, size_t moved, size_t submitted)
{
	/* What a cancelled transfer did not move was never sent: take it
	 * back from S so that the arithmetic stays exact. */
	if (submitted > moved)
		f->submitted -= submitted - moved;
	f->completed += moved;
}

bool bf_usbflow_want_read(const struct bf_usbflow *f, bool more)
{
	if (!f->counted || !more || f->read_pending >= BF_USBFLOW_READS)
		return false;
	/* Worth a read while there is data the credit does not cover yet,
	 * and only if a completion since the newest pending read could move
	 * the credit on. */
	if (f->limit >= f->submitted + f->window)
		return false;
	return !f->read_pending ||
	       f->completed > f->read_base[(f->read_head + f->read_pending - 1) % BF_USBFLOW_READS];
}

void bf_usbflow_read_submitted(struct bf_usbflow *f)
{
	f->read_base[(f->read_head + f->read_pending) % BF_USBFLOW_READS] = f->completed;
	f->read_pending++;
	f->reads++;
}

static uint64_t pop_base(struct bf_usbflow *f)
{
	uint64_t b = f->read_base[f->read_head];

	if (f->read_pending) {
		f->read_head = (f->read_head + 1) % BF_USBFLOW_READS;
		f->read_pending--;
	}
	return b;
}

void bf_usbflow_read_done(struct bf_usbflow *f, uint64_t count)
{
	uint64_t used = (count & f->count_mask) * 8, lim, base = pop_base(f);

	if (used > f->window) {
		/* More than the window can ever hold under this policy:
		 * someone else filled the FIFO. No credit from this read. */
		return;
	}
	lim = base + f->window - used;
	if (lim > f->limit)
		f->limit = lim;
}

void bf_usbflow_read_failed(struct bf_usbflow *f)
{
	pop_base(f);
}
