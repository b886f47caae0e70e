/* usbpush.c - the boot stream over USB with transfers kept in flight,
 * within the credit that usbflow.h proves safe for BlueField-3's boot
 * FIFO, which does not flow-control. BlueField-1/2 NAK while the FIFO is
 * full: there only the bytes in flight are bounded. The transfers go
 * through a struct bf_usbpush_io (usbpush.h).
 */
#include "config.h"
#include "rshim/usbpush.h"
#include "rshim/usbflow.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_NAK     (64u << 10)   /* BF1/BF2 transfer size */
#define READ_FAILS    3             /* consecutive failed count reads tolerated */

struct slot {
	uint8_t *buf;
	size_t len;
	bool busy;
};

struct bf_usbpush {
	const struct bf_usbpush_io *io;
	void *ctx;
	char name[64];
	struct bf_usbflow f;
	struct slot bulk[BF_USBPUSH_BULK_MAX];
	unsigned nb;
	size_t chunk;
	bool rd_busy[BF_USBFLOW_READS];
	unsigned rd_next;             /* count reads complete in order on endpoint 0 */
	/* What the schedule is chosen from (usbflow.h), in ns: the shortest
	 * count read round trip, and a full FIFO's time on the link measured
	 * on a burst sent with nothing else in flight. */
	uint64_t rd_t0, rtt_min, burst_t0, burst_s0, fifo_min;
	bool chosen;
	bool active;                  /* a stream is being pushed: keep reading the count */
	int err;                      /* sticky: the push has failed */
	unsigned rd_fail;
	uint64_t events;              /* completions seen */
};

static void fail(struct bf_usbpush *p, int err, const char *what)
{
	if (p->err)
		return;
	p->err = err;
	if (err == -ENODEV)
		bf_error_set("%s: the device disconnected during the boot stream push (%s)", p->name, what);
	else
		bf_error_set("%s: %s failed during the boot stream push: %s", p->name, what,
			     strerror(-err));
}

/* Keep count reads going while there is credit to gain. */
static void pump_reads(struct bf_usbpush *p)
{
	while (!p->err && bf_usbflow_want_read(&p->f, p->active)) {
		unsigned k = p->rd_next;
		int r;

		if (p->rd_busy[k])
			return;
		if ((r = p->io->submit_read(p->ctx, k)) < 0) {
			fail(p, r, "submitting a count read");
			return;
		}
		p->rd_busy[k] = true;
		p->rd_t0 = p->io->now_ns(p->ctx);
		bf_usbflow_read_submitted(&p->f);
		p->rd_next = (k + 1) % BF_USBFLOW_READS;
	}
}

/* Once both figures are known, pick the schedule for the rest of the
 * push. A burst that took less than half the FIFO says too little. */
static void choose(struct bf_usbpush *p)
{
	if (p->chosen || !p->rtt_min || !p->fifo_min || p->f.reads < 2)
		return;
	p->chosen = true;
	bf_usbflow_choose(&p->f, (double)p->rtt_min, (double)p->fifo_min);
	bf_debug("%s: count read round trip %.0f us, FIFO on the link %.0f us: %s schedule", p->name,
		 (double)p->rtt_min / 1e3, (double)p->fifo_min / 1e3, p->f.stream ? "stream" : "exact");
}

static void burst_done(struct bf_usbpush *p)
{
	uint64_t n = p->f.submitted - p->burst_s0, d = p->io->now_ns(p->ctx) - p->burst_t0, t;

	p->burst_t0 = 0;
	if (n < p->f.window / 2)
		return;
	t = (uint64_t)((double)d * (double)p->f.window / (double)n);
	if (!p->fifo_min || t < p->fifo_min)
		p->fifo_min = t;
	choose(p);
}

void bf_usbpush_bulk_done(struct bf_usbpush *p, unsigned slot, int err, size_t moved)
{
	struct slot *s = &p->bulk[slot];

	s->busy = false;
	p->events++;
	bf_usbflow_completed(&p->f, moved, s->len);
	if (p->burst_t0 && p->f.completed == p->f.submitted && !err)
		burst_done(p);
	if (err && err != -ECANCELED)
		fail(p, err, "a bulk transfer");
	else if (!err && moved != s->len)
		fail(p, -EIO, "a short bulk transfer");
	pump_reads(p);
}

void bf_usbpush_read_done(struct bf_usbpush *p, unsigned slot, int err, const uint8_t *d, size_t n)
{
	uint64_t v = 0;
	int i;

	p->rd_busy[slot] = false;
	p->events++;
	if (!err && n == 8) {
		for (i = 7; i >= 0; i--)
			v = v << 8 | d[i];
		if (bf_chip_is_bad_value(v)) {
			err = -EIO;
		} else {
			uint64_t rtt = p->io->now_ns(p->ctx) - p->rd_t0;

			bf_usbflow_read_done(&p->f, v);
			p->rd_fail = 0;
			if (!p->rtt_min || rtt < p->rtt_min)
				p->rtt_min = rtt;
			choose(p);
		}
	} else if (!err) {
		err = -EIO;
	}
	if (err) {
		bf_usbflow_read_failed(&p->f);
		if (err == -ENODEV || ++p->rd_fail > READ_FAILS)
			fail(p, err, "reading BOOT_FIFO_COUNT");
		else if (err != -ECANCELED)
			bf_info("%s: BOOT_FIFO_COUNT read failed (%s), retry %u of %u", p->name,
				strerror(-err), p->rd_fail, READ_FAILS);
	}
	pump_reads(p);
}

static void run_events(struct bf_usbpush *p, unsigned ms)
{
	int r = p->io->events(p->ctx, ms);

	if (r == -ENODEV)
		fail(p, r, "waiting for transfers");
}

static bool any_busy(const struct bf_usbpush *p)
{
	unsigned i;

	for (i = 0; i < p->nb; i++)
		if (p->bulk[i].busy)
			return true;
	for (i = 0; i < BF_USBFLOW_READS; i++)
		if (p->rd_busy[i])
			return true;
	return false;
}

int bf_usbpush_create(const struct bf_usbpush_io *io, void *ctx, const struct bf_chip *chip,
		      const char *name, struct bf_usbpush **out)
{
	struct bf_usbpush *p = calloc(1, sizeof(*p));
	bool counted = chip->ver == BF_CHIP_BF3;
	unsigned i;

	if (!p)
		return -ENOMEM;
	p->io = io;
	p->ctx = ctx;
	snprintf(p->name, sizeof(p->name), "%s", name);
	bf_usbflow_init(&p->f, (uint64_t)chip->boot_fifo_words * 8, chip->boot_fifo_count_mask, counted);
	p->chunk = counted ? (getenv("XU") ? (size_t)atoi(getenv("XU")) : BF_USBFLOW_URB) : CHUNK_NAK;
	p->nb = counted ? BF_USBPUSH_BULK_MAX : 4;
	for (i = 0; i < p->nb; i++)
		if (!(p->bulk[i].buf = malloc(p->chunk))) {
			while (i--)
				free(p->bulk[i].buf);
			free(p);
			return -ENOMEM;
		}
	*out = p;
	return 0;
}

/* Fill free bulk slots from buf within the credit. Returns bytes taken. */
static size_t fill(struct bf_usbpush *p, const uint8_t *buf, size_t len)
{
	size_t taken = 0;
	unsigned i;

	for (i = 0; i < p->nb && taken < len && !p->err; i++) {
		struct slot *s = &p->bulk[i];
		size_t want = len - taken, n, wire;
		int r;

		if (s->busy)
			continue;
		if (want > p->chunk)
			want = p->chunk;
		/* The stream's last piece (< 8 bytes) goes out as a whole,
		 * zero-padded word. */
		wire = (want + 7) & ~(size_t)7;
		n = bf_usbflow_grant(&p->f, wire);
		if (n < wire)
			want = n;   /* whole words within the credit */
		if (!want)
			break;
		wire = (want + 7) & ~(size_t)7;
		memset(s->buf + want, 0, wire - want);
		memcpy(s->buf, buf + taken, want);
		s->len = wire;
		if ((r = p->io->submit_bulk(p->ctx, i, s->buf, wire)) < 0) {
			fail(p, r, "submitting a bulk transfer");
			break;
		}
		s->busy = true;
		if (p->f.counted && p->f.submitted == p->f.completed && !p->chosen) {
			p->burst_t0 = p->io->now_ns(p->ctx);
			p->burst_s0 = p->f.submitted;
		}
		bf_usbflow_submitted(&p->f, wire);
		taken += want;
	}
	return taken;
}

ssize_t bf_usbpush_write(struct bf_usbpush *p, const void *buf, size_t len)
{
	size_t taken = 0;
	int attempt;

	p->active = true;
	for (attempt = 0; attempt < 2 && !taken; attempt++) {
		run_events(p, 0);
		pump_reads(p);
		if (p->err)
			return p->err;
		taken = fill(p, buf, len);
		if (p->err)
			return p->err;
		if (!taken)
			run_events(p, 20);
	}
	return (ssize_t)taken;
}

int bf_usbpush_flush(struct bf_usbpush *p, double timeout_s)
{
	uint64_t last = p->io->now_ns(p->ctx), seen = p->events;
	unsigned i;

	p->active = false;
	for (;;) {
		bool busy = false;

		for (i = 0; i < p->nb; i++)
			busy |= p->bulk[i].busy;
		if (!busy || p->err)
			break;
		run_events(p, 50);
		if (p->events != seen) {
			seen = p->events;
			last = p->io->now_ns(p->ctx);
		} else if ((double)(p->io->now_ns(p->ctx) - last) / 1e9 > timeout_s) {
			return bf_error_ret(ETIMEDOUT, "%s: the boot stream's last transfers did not complete "
					    "in %.0f s: the device stopped draining the boot FIFO", p->name,
					    timeout_s);
		}
	}
	return p->err;
}

uint64_t bf_usbpush_reads(const struct bf_usbpush *p)
{
	return p->f.reads;
}

void bf_usbpush_free(struct bf_usbpush *p)
{
	uint64_t deadline;
	unsigned i;

	if (!p)
		return;
	deadline = p->io->now_ns(p->ctx) + 2000000000ull;
	p->active = false;
	for (i = 0; i < p->nb; i++)
		if (p->bulk[i].busy)
			p->io->cancel(p->ctx, BF_USBPUSH_BULK, i);
	for (i = 0; i < BF_USBFLOW_READS; i++)
		if (p->rd_busy[i])
			p->io->cancel(p->ctx, BF_USBPUSH_READ, i);
	while (any_busy(p) && p->io->now_ns(p->ctx) < deadline)
		p->io->events(p->ctx, 50);
	if (any_busy(p)) {
		/* The transfer layer still owns them: leak rather than free
		 * memory in use. */
		bf_info("%s: transfers still in flight after cancel; left to the device close", p->name);
		return;
	}
	if (p->io->release)
		p->io->release(p->ctx);
	for (i = 0; i < p->nb; i++)
		free(p->bulk[i].buf);
	free(p);
}
