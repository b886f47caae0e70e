/* usbflow.c - boot FIFO credits for the USB push (see usbflow.h). */
#include "config.h"
#include "rshim/usbflow.h"

#define INFLIGHT_NAK   (256u << 10)   /* BF1/BF2: the device NAKs, keep the pipe full */

void bf_usbflow_init(struct bf_usbflow *f, uint64_t fifo_bytes, uint64_t count_mask, bool counted)
{
	*f = (struct bf_usbflow){ .counted = counted, .count_mask = count_mask };
	/* The whole FIFO when its count can say "full" (BF3: 11 bits for
	 * 1024 words); one word less where a full FIFO would read 0. */
	if (fifo_bytes / 8 <= count_mask)
		f->window = fifo_bytes;
	else
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

/* Reads per burst: a burst ends where the credit ran out, once it is half
 * the burst size (a smaller one joins the next), or at the burst size. */
void bf_usbflow_submitted(struct bf_usbflow *f, size_t n)
{
	uint64_t len, last = f->marks ? f->mark[f->marks - 1] : f->read_base;

	f->submitted += n;
	len = f->submitted - last;
	if (!f->burst || f->marks >= BF_USBFLOW_MARKS)
		return;
	if (len >= f->burst || (f->limit < f->submitted + 8 && 2 * len >= f->burst))
		f->mark[f->marks++] = f->submitted;
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
	bool idle = f->completed == f->submitted, starved = f->limit < f->submitted + 8;
	uint64_t gain = f->completed - f->read_base;

	if (!f->counted || !more || f->reads_out >= BF_USBFLOW_READS)
		return false;
	if (!f->reads)
		return true;
	/* Nothing to gain while the credit covers a whole window. */
	if (f->limit >= f->submitted + f->window)
		return false;
	/* A read that vouches for more than the last one; in the exact
	 * schedule, for everything sent; with reads per burst, for a whole
	 * burst (the oldest end past the last read's C0), or for all that
	 * was sent when the credit ran out. */
	if (gain && !f->exact && f->burst)
		return (f->marks && f->mark[0] <= f->completed) || (idle && starved);
	if (gain && (idle || !f->exact))
		return true;
	/* Nothing in flight and no credit left: the FIFO was full, ask
	 * again (it drains), one read at a time. */
	return idle && starved && !f->reads_out;
}

void bf_usbflow_read_submitted(struct bf_usbflow *f, unsigned slot)
{
	unsigned i, j;

	f->read_base = f->completed;
	for (i = j = 0; i < f->marks; i++)
		if (f->mark[i] > f->read_base)
			f->mark[j++] = f->mark[i];
	f->marks = j;
	f->base[slot % BF_USBFLOW_READS] = f->completed;
	f->reads_out++;
	f->reads++;
}

void bf_usbflow_read_done(struct bf_usbflow *f, unsigned slot, uint64_t count)
{
	uint64_t used = (count & f->count_mask) * 8, lim, base = f->base[slot % BF_USBFLOW_READS];

	bf_usbflow_read_failed(f, slot);
	if (used > f->window) {
		/* More than the FIFO holds: not a count this device can
		 * give. No credit from this read. */
		return;
	}
	lim = base + f->window - used;
	if (lim > f->limit)
		f->limit = lim;
}

void bf_usbflow_read_failed(struct bf_usbflow *f, unsigned slot)
{
	(void)slot;
	if (f->reads_out)
		f->reads_out--;
}
