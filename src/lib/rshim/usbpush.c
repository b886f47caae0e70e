/* usbpush.c - the boot stream over USB with transfers kept in flight,
 * within the credit that usbflow.h proves safe for BlueField-3's boot
 * FIFO, which does not flow-control. BlueField-1/2 NAK while the FIFO is
 * full: there only the bytes in flight are bounded. The transfers go
 * through a struct bf_usbpush_io (usbpush.h).
 */
#include "config.h"
#include "rshim/usbpush.h"
#include "rshim/usbflow.h"
#include "rshim/usbheld.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_NAK     (64u << 10)   /* BF1/BF2 transfer size */
#define READ_FAILS    3             /* consecutive failed count reads tolerated */
#define WAIT_US       20000         /* longest wait for credit per write call */
#define CHOOSE        0.9           /* overlapped reads when rtt < CHOOSE x a FIFO on the link */
#define DRAIN_STREAK  4u            /* exact reads finding the FIFO empty before trying overlapped */
#define BURSTS_MAX    4u            /* reads per burst: bursts of a FIFO / 4 at least (usbflow.h) */
#define LINK_MAX_BPS  (13 * 512 / 125e-6) /* USB 2.0 high speed: 13 bulk packets per microframe */
#define DUE_WAIT      24            /* a read waits for a completion due within service / this */

struct slot {
	uint8_t *buf;
	size_t len;
	bool busy;
	uint64_t t_sub;               /* submitted at (ns) */
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
	uint64_t rd_t0[BF_USBFLOW_READS]; /* submitted at (ns) */
	uint64_t rd_sample[BF_USBFLOW_READS]; /* should sample the count at (ns) */
	unsigned rd_next;             /* count reads complete in order on endpoint 0 */
	/* Endpoint 0's timing (usbflow.h), in ns: how long it serves one
	 * read (the spacing of two completions whose second read was queued
	 * behind the first: the first two reads go out together to measure
	 * it), and when the last read submitted should leave it. */
	uint64_t ep0_serve, ep0_free, rd_last_done;
	uint64_t rtt_min;             /* a read's round trip with endpoint 0 free */
	bool rd_alone[BF_USBFLOW_READS]; /* it went out with no other read out */
	/* The schedule (usbflow.h) is chosen from the read round trip and
	 * the time a FIFO takes on the link, measured on a burst sent with
	 * nothing in flight (ns). */
	uint64_t burst_t0, burst_s0, fifo_min;
	/* and from what count reads find (drain_probe) */
	uint64_t probe_base;
	unsigned probe_streak, probe_full, probe_backoff;
	bool probing;
	bool drain_slow;              /* a read per burst found an eighth of a FIFO: no more */
	/* Held bursts (usbheld.h): one burst of half a FIFO at a time, sent
	 * whole after the hold, or split: `pre` bytes as the credit allows,
	 * the rest after the hold (held_part 1: the early part, 2: the rest). */
	struct bf_usbheld h;
	uint64_t hold;                /* a burst is held until then (ns) */
	uint64_t held_s0;             /* S when the last held burst began */
	unsigned held_part;
	uint64_t rd_idle[BF_USBFLOW_READS]; /* endpoint 0 waited this long for the read (ns) */
	bool active;                  /* a stream is being pushed: keep reading the count */
	int err;                      /* sticky: the push has failed */
	unsigned rd_fail;
	uint64_t events;              /* completions seen */
	/* One-packet transfers: when the last completion was seen, and the
	 * spacing of two whose second was queued behind the first (a
	 * packet's time on the link; ns). */
	uint64_t bulk_last, bulk_gap;
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

static unsigned reads_out(const struct bf_usbpush *p)
{
	return p->f.reads_out;
}

/* A one-packet transfer completed: if it was submitted before the last
 * completion, it waited on the link behind it, and the two are a packet's
 * link time apart. */
static void packet_timing(struct bf_usbpush *p, const struct slot *s)
{
	uint64_t now = p->io->now_ns(p->ctx);

	if (s->len == BF_USBFLOW_URB_FINE && p->bulk_last && s->t_sub < p->bulk_last && now > p->bulk_last)
		p->bulk_gap = now - p->bulk_last;
	p->bulk_last = now;
}

/* A read due at `at` (endpoint 0 free, or later) vouches for the
 * transfers completed by then. If the next completion is due within a
 * small part of endpoint 0's service after it frees, the read waits for
 * it: a packet more vouched for, against endpoint 0 idle that long (once:
 * never past that point). Due: the oldest transfer in flight completes a
 * link time and a completion latency after it was submitted, or a link
 * time after the last completion, the ones behind it a link time apart.
 * Returns when the read should go. */
static uint64_t due_completion(const struct bf_usbpush *p, uint64_t at)
{
	uint64_t t0 = UINT64_MAX, first, nx, gap = p->bulk_gap;
	unsigned i, busy = 0;

	if (!gap || !p->ep0_serve || p->rtt_min <= p->ep0_serve)
		return at;
	for (i = 0; i < p->nb; i++)
		if (p->bulk[i].busy) {
			busy++;
			if (p->bulk[i].t_sub < t0)
				t0 = p->bulk[i].t_sub;
		}
	if (!busy)
		return at;
	first = t0 + gap + (p->rtt_min - p->ep0_serve);
	if (first < p->bulk_last + gap)
		first = p->bulk_last + gap;
	nx = first < at ? first + ((at - first) / gap + 1) * gap : first;
	if ((nx - first) / gap >= busy || nx > p->ep0_free + p->ep0_serve / DUE_WAIT)
		return at;
	return nx + gap / 16;
}

/* May a read go out now? Not while the credit left outlasts the read's
 * round trip at the fastest a high-speed link goes (each read takes bus
 * time from the stream). With none out, yes. With one out and reads per
 * burst, yes: the burst it vouches for has just completed. With one out
 * and reads as bytes complete, only once it should have left endpoint 0
 * (else the new one would wait there and be stale when sampled); *wake:
 * when to ask again. The first two go out together: their completions
 * measure endpoint 0. */
static bool ep0_ready(struct bf_usbpush *p, uint64_t now, uint64_t *wake)
{
	uint64_t left = p->f.limit > p->f.submitted ? p->f.limit - p->f.submitted : 0, at = now;
	bool timed = reads_out(p) && !p->h.on && (p->f.exact || !p->f.burst);

	if (reads_out(p) && p->f.reads == 1)
		return true;
	/* A second read pays when endpoint 0 is the slow part of the round
	 * trip; else one read per round trip refreshes the credit often
	 * enough, at half the bus time. */
	if (reads_out(p) >= BF_USBFLOW_READS ||
	    (timed && (p->f.exact || !p->ep0_serve || !p->rtt_min || 2 * p->ep0_serve < p->rtt_min)))
		return false;
	if (timed)
		at = due_completion(p, p->ep0_free > now ? p->ep0_free : now);
	if (p->rtt_min && (double)left > LINK_MAX_BPS * (double)(at - now + p->rtt_min) / 1e9)
		return false;
	if (at == now)
		return true;
	if (!*wake || at < *wake)
		*wake = at;
	return false;
}

/* Send the count reads worth sending (usbflow.h). Returns when to call
 * again at the latest (ns, 0: on the next completion). */
static uint64_t pump_reads(struct bf_usbpush *p)
{
	uint64_t wake = 0;

	while (!p->err && p->f.counted && p->active) {
		uint64_t now = p->io->now_ns(p->ctx);
		bool probe = p->f.reads == 1 && reads_out(p) == 1;
		unsigned k = p->rd_next;
		int r;

		if (!probe && !bf_usbflow_want_read(&p->f, p->active))
			break;
		/* A split burst's early part alone is not worth a read. */
		if (p->h.on && p->held_part == 1 && p->f.read_base >= p->held_s0)
			break;
		if (p->rd_busy[k] || !ep0_ready(p, now, &wake))
			break;
		if ((r = p->io->submit_read(p->ctx, k)) < 0) {
			fail(p, r, "submitting a count read");
			break;
		}
		p->rd_busy[k] = true;
		p->rd_t0[k] = now;
		p->rd_alone[k] = !reads_out(p);
		p->rd_idle[k] = p->ep0_free && p->ep0_free < now ? now - p->ep0_free : 0;
		p->ep0_free = (reads_out(p) && p->ep0_free > now ? p->ep0_free : now) + p->ep0_serve;
		p->rd_sample[k] = p->ep0_free - p->ep0_serve / 2;
		bf_usbflow_read_submitted(&p->f, k);
		p->rd_next = (k + 1) % BF_USBFLOW_READS;
	}
	return wake;
}

/* Overlapped reads as bytes complete, or one per burst of a FIFO / m
 * (usbflow.h), whichever takes the least time per FIFO's worth, from
 * what was measured. With done the round trip less endpoint 0's service
 * (the completion latency): reads as bytes complete take about two
 * services, the rest of a round trip and a done per FIFO (a read waits
 * half a service for the bytes it counts); m bursts go round in parallel,
 * each in a round trip, its link time (a FIFO's / m) and its done, and
 * need m services of endpoint 0 per round. None takes less than the
 * FIFO's link time; where the link is the limit either way, the fewest
 * reads (bursts: each read takes bus time from the stream). Not once a
 * read found the drain behind (drain_probe): then reads as bytes
 * complete feed it more often. */
static void choose_bursts(struct bf_usbpush *p)
{
	uint64_t e = p->ep0_serve, rtt = p->rtt_min, done, link, best, c;
	unsigned m, pick = 0;

	if (!e || rtt <= e || !p->fifo_min || p->drain_slow || p->h.on)
		return;
	done = rtt - e;
	link = p->fifo_min > done ? p->fifo_min - done : 0;
	best = e + rtt + done > link ? e + rtt + done : link;
	for (m = 2; m <= BURSTS_MAX; m++) {
		c = rtt + done + link / m;
		if (c < m * e)
			c = m * e;
		if (c < link)
			c = link;
		if (c < best || (c == best && !pick)) {
			best = c;
			pick = m;
		}
	}
	p->f.burst = pick ? p->f.window / pick : 0;
}

/* A burst sent with nothing else in flight has completed: the time a
 * FIFO's worth takes on the link, scaled from it (a burst of less than
 * half the FIFO says too little). Then the schedule: overlapped reads
 * when a read's round trip is the shorter (usbflow.h). */
static void burst_done(struct bf_usbpush *p)
{
	uint64_t n = p->f.submitted - p->burst_s0, d = p->io->now_ns(p->ctx) - p->burst_t0, t;

	p->burst_t0 = 0;
	if (n < p->f.window / 2 || !p->rtt_min)
		return;
	t = (uint64_t)((double)d * (double)p->f.window / (double)n);
	if (!p->fifo_min || t < p->fifo_min) {
		p->fifo_min = t;
		choose_bursts(p);
	}
	if (p->f.exact && (double)p->rtt_min < CHOOSE * (double)p->fifo_min) {
		p->f.exact = false;
		bf_debug("%s: count read round trip %.0f us, FIFO on the link %.0f us: overlapped reads",
			 p->name, (double)p->rtt_min / 1e3, (double)p->fifo_min / 1e3);
	}
}

void bf_usbpush_bulk_done(struct bf_usbpush *p, unsigned slot, int err, size_t moved)
{
	struct slot *s = &p->bulk[slot];

	s->busy = false;
	p->events++;
	packet_timing(p, s);
	bf_usbflow_completed(&p->f, moved, s->len);
	if (p->burst_t0 && p->f.completed == p->f.submitted && !err)
		burst_done(p);
	if (err && err != -ECANCELED)
		fail(p, err, "a bulk transfer");
	else if (!err && moved != s->len)
		fail(p, -EIO, "a short bulk transfer");
	pump_reads(p);
}

/* A read came back at now: two completions in a row whose second read
 * went out before the first came back are one service time apart, at
 * least (exactly, when the second waited on endpoint 0). */
static void ep0_timing(struct bf_usbpush *p, unsigned slot, uint64_t now)
{
	unsigned other = (slot + 1) % BF_USBFLOW_READS;

	if (p->rd_last_done && p->rd_t0[slot] < p->rd_last_done) {
		uint64_t d = now - p->rd_last_done;

		if (d && (!p->ep0_serve || d < p->ep0_serve)) {
			p->ep0_serve = d;
			bf_debug("%s: endpoint 0 serves a count read in %.0f us", p->name, (double)d / 1e3);
			choose_bursts(p);
		}
	}
	p->rd_last_done = p->rd_busy[other] ? now : 0;
	if (p->rd_alone[slot] && (!p->rtt_min || now - p->rd_t0[slot] < p->rtt_min)) {
		p->rtt_min = now - p->rd_t0[slot];
		choose_bursts(p);
	}
}

/* The drain decides too. Exact reads that find the FIFO empty after a
 * burst of half a FIFO or more, DRAIN_STREAK times in a row: the device
 * drains faster than the exact schedule feeds it, try overlapped reads.
 * Overlapped reads that find a quarter of the FIFO still there, twice in
 * four reads: the drain is the limit and such reads come too early (their
 * credit is stale): back to exact, and the next try needs twice the
 * streak. A read per burst that finds an eighth of the FIFO still there:
 * the drain is behind, no more reads per burst; reads as bytes complete
 * where the round trip is the shorter (as burst_done chooses), else back
 * to exact as above. Exact reads that keep finding the FIFO not yet
 * empty: the drain is behind, held bursts (usbheld.h decides when, and
 * how each is held and split; send_gate, held_room and held_until carry
 * it out). */
static void drain_probe(struct bf_usbpush *p, uint64_t base, uint64_t t0, uint64_t count, uint64_t idle)
{
	uint64_t burst = base - p->probe_base;

	p->probe_base = base;
	if (count * 8 >= p->f.window / 8 && p->f.burst && !p->f.exact) {
		p->drain_slow = true;
		p->f.burst = 0;
		if (!((double)p->rtt_min < CHOOSE * (double)p->fifo_min)) {
			p->f.exact = true;
			p->probing = false;
			if (p->probe_backoff < 8)
				p->probe_backoff++;
			bf_debug("%s: the drain is the limit: exact reads", p->name);
		}
	}
	if (p->f.exact) {
		p->probe_full = 0;
		p->probe_streak = count == 0 && burst >= p->f.window / 2 ? p->probe_streak + 1 : 0;
		if (p->h.on) {
			bf_usbheld_read(&p->h, count * 8, idle, base, t0);
			return;
		}
		if (bf_usbheld_exact(&p->h, count * 8, burst, base, t0, p->ep0_serve))
			return;
		if (p->probe_streak >= (DRAIN_STREAK << p->probe_backoff)) {
			p->f.exact = false;
			p->probing = true;
			p->probe_streak = 0;
			bf_debug("%s: the FIFO drains between bursts: overlapped reads", p->name);
		}
		return;
	}
	if (!p->probing)
		return;
	p->probe_full = (p->probe_full << 1 | (count * 8 >= p->f.window / 4)) & 0xf;
	if (__builtin_popcount(p->probe_full) >= 2) {
		p->f.exact = true;
		p->probing = false;
		p->probe_full = 0;
		if (p->probe_backoff < 8)
			p->probe_backoff++;
		bf_debug("%s: the drain is the limit: exact reads", p->name);
	}
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
			uint64_t base = p->f.base[slot];

			bf_usbflow_read_done(&p->f, slot, v);
			p->rd_fail = 0;
			ep0_timing(p, slot, p->io->now_ns(p->ctx));
			drain_probe(p, base, p->rd_t0[slot], v & p->f.count_mask, p->rd_idle[slot]);
		}
	} else if (!err) {
		err = -EIO;
	}
	if (err) {
		bf_usbflow_read_failed(&p->f, slot);
		p->rd_last_done = 0;
		if (err == -ENODEV || ++p->rd_fail > READ_FAILS)
			fail(p, err, "reading BOOT_FIFO_COUNT");
		else if (err != -ECANCELED)
			bf_info("%s: BOOT_FIFO_COUNT read failed (%s), retry %u of %u", p->name,
				strerror(-err), p->rd_fail, READ_FAILS);
	}
	pump_reads(p);
}

static void run_events(struct bf_usbpush *p, unsigned us)
{
	int r = p->io->events(p->ctx, us);

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
	bf_usbheld_init(&p->h, p->name, p->f.window);
	p->f.exact = counted;         /* until measured */
	p->chunk = counted ? BF_USBFLOW_URB : CHUNK_NAK;
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

/* Held bursts: none while a read out has yet to sample the count (half-way
 * through its service on endpoint 0, as estimated when it went out), so
 * that the count does not see the burst land. Until when, or 0. */
static uint64_t held_until(const struct bf_usbpush *p)
{
	uint64_t now = p->io->now_ns(p->ctx), until = 0;
	unsigned i;

	if (!p->h.on)
		return 0;
	for (i = 0; i < BF_USBFLOW_READS; i++) {
		uint64_t t = p->rd_sample[i] + (uint64_t)p->h.adj;

		if (p->rd_busy[i] && t > now && t > until)
			until = t;
	}
	return until;
}

/* Bytes per bulk transfer. With reads as bytes complete (usbflow.h) a
 * read vouches for the bytes up to the last transfer whose completion was
 * seen, so a transfer of one packet halves what has landed unreported
 * when the read goes out (at twice the completions). The exact schedule
 * and reads per burst count whole bursts: a KiB. */
static size_t xfer_size(const struct bf_usbpush *p)
{
	if (p->f.counted && !p->f.exact && !p->f.burst)
		return BF_USBFLOW_URB_FINE;
	return p->chunk;
}

/* Held bursts: bytes the burst may still take, half a FIFO at most, its
 * early part only while that is all it may send. */
static uint64_t held_room(const struct bf_usbpush *p)
{
	uint64_t end = p->held_s0 + (p->held_part == 1 ? p->h.pre : p->f.window / 2);

	if (!p->h.on)
		return UINT64_MAX;
	return p->f.submitted >= end ? 0 : end - p->f.submitted;
}

/* May bytes go out now? Held bursts (usbheld.h): a new burst once
 * nothing is in flight; the early part of a split burst at once, the rest
 * (or a whole burst) only after the hold. After held bursts gave way, a
 * read may be out that vouches for all that was sent: it will return the
 * whole window, and sending on the older credit meanwhile would put the
 * next read behind it, the exact schedule one read behind for good: wait
 * for it. */
static bool send_gate(struct bf_usbpush *p)
{
	bool idle = p->f.submitted == p->f.completed;

	p->hold = 0;
	if (!p->h.on)
		return !(p->h.off && p->f.exact && idle && reads_out(p) && p->f.read_base == p->f.submitted);
	if (idle && p->held_part != 1 && (p->f.submitted != p->held_s0 || !p->held_part)) {
		p->held_s0 = p->f.submitted;
		p->held_part = p->h.split ? 1 : 2;
	}
	if ((p->hold = held_until(p)))
		return p->held_part == 1 && p->f.submitted < p->held_s0 + p->h.pre;
	if (p->held_part == 1)
		p->held_part = 2;
	return true;
}

/* Fill free bulk slots from buf within the credit. Returns bytes taken. */
static size_t fill(struct bf_usbpush *p, const uint8_t *buf, size_t len)
{
	size_t taken = 0, size = xfer_size(p);
	unsigned i;

	if (!send_gate(p))
		return 0;
	for (i = 0; i < p->nb && taken < len && !p->err; i++) {
		struct slot *s = &p->bulk[i];
		size_t want = len - taken, n, wire;
		uint64_t room;
		int r;

		if (s->busy)
			continue;
		if (want > size)
			want = size;
		/* The stream's last piece (< 8 bytes) goes out as a whole,
		 * zero-padded word. */
		wire = (want + 7) & ~(size_t)7;
		n = bf_usbflow_grant(&p->f, wire);
		if (n > (room = held_room(p)))
			n = (size_t)room;
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
		s->t_sub = p->io->now_ns(p->ctx);
		if (p->f.counted && p->f.exact && p->f.submitted == p->f.completed) {
			p->burst_t0 = s->t_sub;
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
		uint64_t wake, now;
		unsigned us = WAIT_US;

		run_events(p, 0);
		wake = pump_reads(p);
		if (p->err)
			return p->err;
		taken = fill(p, buf, len);
		if (p->err)
			return p->err;
		if (taken)
			break;
		/* No credit yet: wait for a completion, or until a count
		 * read is due (it is on no completion's path). */
		now = p->io->now_ns(p->ctx);
		if (p->hold && (!wake || p->hold < wake))
			wake = p->hold;
		if (wake && wake - now < (uint64_t)WAIT_US * 1000)
			us = wake > now ? (unsigned)((wake - now + 999) / 1000) : 0;
		run_events(p, us);
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
		run_events(p, 50000);
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
		p->io->events(p->ctx, 50000);
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
