/* tmconsole.c - the DPU console over the tmfifo registers. */
#include "config.h"
#include "tmconsole.h"
#include "chip.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <string.h>

#define MAX_PAYLOAD 1024   /* console bytes per packet */

static void on_packet(void *ctx, uint8_t type, const uint8_t *buf, size_t len)
{
	struct bf_tmconsole *c = ctx;

	if (type == BF_TMFIFO_NET && c->net && len) {
		c->net(c->ctx, buf, len);
		return;
	}
	if (type != 3 || !len)
		return;   /* network frames belong to tmfifo_net */
	c->rx_bytes += len;
	if (c->out)
		c->out(c->ctx, buf, len);
}

void bf_tmconsole_init(struct bf_tmconsole *c, struct bf_rshim *r,
		       void (*out)(void *ctx, const uint8_t *buf, size_t len), void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->out = out;
	c->ctx = ctx;
	bf_tmfifo_rx_init(&c->rx);
}

/* Once a backend's endpoint has taken part of a packet, the rest must
 * follow (the DPU reads the FIFO as one stream of packets). A DPU that
 * stops draining its FIFO would leave us waiting for ever: give up after
 * TORN_TRIES calls in a row that take nothing or TORN_S seconds, or on a
 * stop request. */
#define TORN_TRIES 5
#define TORN_S 5.0
#define TORN_PAUSE_NS 10000000ull

static bool stopped(const struct bf_tmconsole *c)
{
	return bf_stop_requested() || (c->stop && *c->stop);
}

/* One framed packet through the endpoint, whole: 1 sent, 0 nothing taken
 * (no room now: try again), or -errno (-ETIMEDOUT / -EINTR with part of
 * the packet sent, said in bf_error_get()). */
static int push_whole(struct bf_tmconsole *c, const uint8_t *pkt, size_t plen, const char *what)
{
	struct bf_deadline d;
	unsigned idle = 0;
	size_t off = 0;

	while (off < plen) {
		ssize_t w = c->r->ops->fifo_write(c->r, pkt + off, plen - off);

		if (w < 0)
			return (int)w;
		if (w == 0 && off == 0)
			return 0;
		if (w > 0 && off == 0)
			bf_deadline_set(&d, TORN_S, "the rest of a TM FIFO packet");
		off += (size_t)w;
		if (off >= plen)
			break;
		if (stopped(c))
			return bf_error_ret(EINTR, "%s: stopped with a %s packet sent in part (%zu of %zu bytes)",
					    c->r->name, what, off, plen);
		idle = w ? 0 : idle + 1;
		if (idle >= TORN_TRIES || bf_deadline_passed(&d)) {
			bf_warn("%s: the DPU stopped taking a %s packet after %zu of %zu bytes; giving up on it",
				c->r->name, what, off, plen);
			return bf_error_ret(ETIMEDOUT, "%s: the DPU stopped taking a %s packet after %zu of %zu bytes",
					    c->r->name, what, off, plen);
		}
		if (!w)
			bf_clock_sleep_ns(TORN_PAUSE_NS);
	}
	return 1;
}

/* One console packet through the backend's TM FIFO endpoint; the packet
 * goes whole or not at all. */
static ssize_t write_ep(struct bf_tmconsole *c, const void *buf, size_t len)
{
	uint8_t pkt[BF_TMFIFO_HDR_LEN + MAX_PAYLOAD + 8];
	size_t n = len < MAX_PAYLOAD ? len : MAX_PAYLOAD, plen;
	int r;

	plen = bf_tmfifo_frame(3, buf, n, pkt, sizeof(pkt));
	if (!plen)
		return -EINVAL;
	r = push_whole(c, pkt, plen, "console");
	if (r <= 0)
		return r;
	c->tx_bytes += n;
	return (ssize_t)n;
}

ssize_t bf_tmconsole_write(struct bf_tmconsole *c, const void *buf, size_t len)
{
	const struct bf_chip_regs *g = &c->r->chip->r;
	uint8_t pkt[BF_TMFIFO_HDR_LEN + MAX_PAYLOAD + 8];
	uint64_t sts;
	size_t room, n, plen, i;
	int r;

	if (!len)
		return 0;
	if (c->r->ops->fifo_write)
		return write_ep(c, buf, len);
	r = bf_rshim_rd(c->r, g->tm_h2t_sts, &sts);
	if (r < 0)
		return r;
	sts &= BF_TM_COUNT_MASK;
	room = c->r->chip->tm_fifo_words > sts + BF_TM_SPACE_RESERVE ?
	       c->r->chip->tm_fifo_words - (size_t)sts - BF_TM_SPACE_RESERVE : 0;
	if (room < 2)
		return 0;   /* a header and one payload word at least */
	/* Payload that fits: (room - 1) words, no more than one packet's worth. */
	n = (room - 1) * 8;
	if (n > len)
		n = len;
	if (n > MAX_PAYLOAD)
		n = MAX_PAYLOAD;
	plen = bf_tmfifo_frame(3, buf, n, pkt, sizeof(pkt));
	if (!plen)
		return -EINVAL;
	for (i = 0; i < plen; i += 8) {
		r = bf_rshim_wr(c->r, g->tm_h2t_data, bf_tmfifo_bytes_word(pkt + i));
		if (r < 0)
			return r;
	}
	c->tx_bytes += n;
	return (ssize_t)n;
}

int bf_tmconsole_poll(struct bf_tmconsole *c)
{
	const struct bf_chip_regs *g = &c->r->chip->r;
	uint64_t sts, w;
	uint8_t bytes[8], many[2048];
	unsigned count, i;
	ssize_t n;
	int r;

	/* A backend with TM FIFO endpoints (USB) moves the words itself. */
	if (c->r->ops->fifo_read) {
		n = c->r->ops->fifo_read(c->r, many, sizeof(many));
		if (n <= 0)
			return (int)n;
		bf_tmfifo_rx_feed(&c->rx, many, (size_t)n, on_packet, c);
		return (int)(n / 8);
	}

	r = bf_rshim_rd(c->r, g->tm_t2h_sts, &sts);
	if (r < 0)
		return r;
	count = (unsigned)(sts & BF_TM_COUNT_MASK);
	if (count > c->r->chip->tm_fifo_words)
		count = c->r->chip->tm_fifo_words;   /* a register value is input too */
	for (i = 0; i < count; i++) {
		r = bf_rshim_read_data(c->r, BF_CHAN_RSHIM, g->tm_t2h_data, &w);
		if (r < 0)
			return r;
		bf_tmfifo_word_bytes(w, bytes);
		bf_tmfifo_rx_feed(&c->rx, bytes, 8, on_packet, c);
	}
	return (int)count;
}

int bf_tmconsole_send_net(struct bf_tmconsole *c, const void *frame, size_t len)
{
	const struct bf_chip_regs *g = &c->r->chip->r;
	uint8_t pkt[BF_TMFIFO_HDR_LEN + BF_TMFIFO_NET_MAX + 8];
	size_t plen, i;
	uint64_t sts;
	int r;

	plen = bf_tmfifo_frame(BF_TMFIFO_NET, frame, len, pkt, sizeof(pkt));
	if (!plen || len > BF_TMFIFO_NET_MAX)
		return -EINVAL;
	if (c->r->ops->fifo_write)
		return push_whole(c, pkt, plen, "network");
	r = bf_rshim_rd(c->r, g->tm_h2t_sts, &sts);
	if (r < 0)
		return r;
	sts &= BF_TM_COUNT_MASK;
	if (c->r->chip->tm_fifo_words < sts + BF_TM_SPACE_RESERVE + plen / 8)
		return 0;
	for (i = 0; i < plen; i += 8) {
		r = bf_rshim_wr(c->r, g->tm_h2t_data, bf_tmfifo_bytes_word(pkt + i));
		if (r < 0)
			return r;
	}
	return 1;
}
