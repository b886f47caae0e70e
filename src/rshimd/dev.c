/* dev.c - one device in rshimd: the backend behind a lock (every library
 * call on d->r is serialised), the owner lock's note, and the I/O thread
 * that moves the TM FIFO traffic (console, network, control messages)
 * without busy polling: it sleeps in poll() on its wake-up eventfd and
 * the TAP, with a timeout that grows while the FIFOs stay idle. */
#include "config.h"
#include "rshimd.h"
#include "chip.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define IDLE_MAX_MS      100    /* longest sleep between TM FIFO checks */
#define GONE_GRACE_NS    10000000000ull /* then its files go, until it is back */
#define REOPEN_NS        200000000ull   /* a device that stopped answering: open it again */

/* ---- the serialised device ------------------------------------------ */

/* The backend found the device again by itself after it left the bus (a
 * USB re-enumeration noticed on a register access): the chip was reset,
 * so the TM FIFO framing starts over, as after a reopen. Caller holds
 * hw_lock. */
static void note_reconnect(struct bf_rshimd_dev *d)
{
	if (!d->hw || d->hw->reconnects == d->hw_reconnects)
		return;
	d->hw_reconnects = d->hw->reconnects;
	d->hw_reconnected = true;
}

static int lk_read_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct bf_rshimd_dev *d = r->priv;
	int ret;

	pthread_mutex_lock(&d->hw_lock);
	ret = d->hw ? d->hw->ops->read_reg(d->hw, chan, addr, val) : -ENODEV;
	note_reconnect(d);
	pthread_mutex_unlock(&d->hw_lock);
	if (ret == -ENODEV)
		d->gone = true;
	return ret;
}

static int lk_write_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct bf_rshimd_dev *d = r->priv;
	int ret;

	pthread_mutex_lock(&d->hw_lock);
	ret = d->hw ? d->hw->ops->write_reg(d->hw, chan, addr, val) : -ENODEV;
	note_reconnect(d);
	pthread_mutex_unlock(&d->hw_lock);
	if (ret == -ENODEV)
		d->gone = true;
	return ret;
}

static ssize_t lk_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct bf_rshimd_dev *d = r->priv;
	ssize_t ret;

	pthread_mutex_lock(&d->hw_lock);
	ret = d->hw ? d->hw->ops->boot_write(d->hw, buf, len) : -ENODEV;
	pthread_mutex_unlock(&d->hw_lock);
	if (ret == -ENODEV)
		d->gone = true;
	return ret;
}

static ssize_t lk_fifo_read(struct bf_rshim *r, void *buf, size_t len)
{
	struct bf_rshimd_dev *d = r->priv;
	ssize_t ret;

	pthread_mutex_lock(&d->hw_lock);
	ret = d->hw ? d->hw->ops->fifo_read(d->hw, buf, len) : -ENODEV;
	pthread_mutex_unlock(&d->hw_lock);
	return ret;
}

static ssize_t lk_fifo_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct bf_rshimd_dev *d = r->priv;
	ssize_t ret;

	pthread_mutex_lock(&d->hw_lock);
	ret = d->hw ? d->hw->ops->fifo_write(d->hw, buf, len) : -ENODEV;
	pthread_mutex_unlock(&d->hw_lock);
	return ret;
}

static const struct bf_rshim_ops lk_ops = {
	.read_reg = lk_read_reg, .write_reg = lk_write_reg, .boot_write = lk_boot_write,
};
static const struct bf_rshim_ops lk_ops_fifo = {
	.read_reg = lk_read_reg, .write_reg = lk_write_reg, .boot_write = lk_boot_write,
	.fifo_read = lk_fifo_read, .fifo_write = lk_fifo_write,
};

/* ---- rings --------------------------------------------------------------- */

size_t bf_rshimd_ring_put(struct bf_rshimd_ring *r, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && r->len < sizeof(r->buf)) {
		r->buf[(r->head + r->len) % sizeof(r->buf)] = buf[n++];
		r->len++;
	}
	return n;
}

size_t bf_rshimd_ring_get(struct bf_rshimd_ring *r, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && r->len) {
		buf[n++] = r->buf[r->head];
		r->head = (r->head + 1) % sizeof(r->buf);
		r->len--;
	}
	return n;
}

/* ---- the I/O thread -------------------------------------------------------- */

void bf_rshimd_dev_wake(struct bf_rshimd_dev *d)
{
	uint64_t one = 1;

	if (d->wakefd >= 0 && write(d->wakefd, &one, sizeof(one)) < 0)
		bf_debug("rshim%u: wake-up write failed: %s", d->index, strerror(errno));
}

void bf_rshimd_dev_kick(struct bf_rshimd_dev *d)
{
	pthread_mutex_lock(&d->lock);
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

void bf_rshimd_dev_queue_ctrl(struct bf_rshimd_dev *d, uint64_t word)
{
	pthread_mutex_lock(&d->lock);
	if (d->nctrl < sizeof(d->ctrl_q) / sizeof(d->ctrl_q[0]))
		d->ctrl_q[d->nctrl++] = word;
	pthread_mutex_unlock(&d->lock);
	bf_rshimd_dev_wake(d);
}

static void on_rx(void *ctx, uint8_t type, const uint8_t *buf, size_t len)
{
	struct bf_rshimd_dev *d = ctx;

	switch (type) {
	case BF_TMFIFO_CONSOLE:
		bf_rshimd_con_deliver(d, buf, len);
		return;
	case BF_TMFIFO_NET:
		bf_rshimd_net_deliver(d, buf, len);
		return;
	}
	if (len < 4)
		return;
	pthread_mutex_lock(&d->lock);
	switch (type) {
	case BF_TMFIFO_MAC_1:
		memcpy(d->peer_mac, buf, 3);
		break;
	case BF_TMFIFO_MAC_2:
		memcpy(d->peer_mac + 3, buf, 3);
		break;
	case BF_TMFIFO_VLAN_ID:
		d->vlan[0] = (uint16_t)(buf[0] << 8 | buf[1]);
		d->vlan[1] = (uint16_t)(buf[2] << 8 | buf[3]);
		break;
	case BF_TMFIFO_PXE_ID:
		/* The last answer to CTRL_REQ. */
		d->pxe_id = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			    (uint32_t)buf[3] << 24;
		d->ctrl_gen++;
		pthread_cond_broadcast(&d->cond);
		break;
	}
	pthread_mutex_unlock(&d->lock);
}

/* Tile to host: whatever is in the FIFO now. Returns words moved. */
static int rx_step(struct bf_rshimd_dev *d)
{
	const struct bf_chip_regs *g = &d->r.chip->r;
	uint8_t buf[256 * 8];
	uint64_t sts, w;
	unsigned count, i;
	int ret;

	if (d->r.ops->fifo_read) {
		ssize_t n = d->r.ops->fifo_read(&d->r, buf, sizeof(buf));

		if (n <= 0)
			return n < 0 ? (int)n : 0;
		bf_tmfifo_rx_feed(&d->rx, buf, (size_t)n, on_rx, d);
		return (int)(n / 8);
	}
	if ((ret = d->r.ops->read_reg(&d->r, BF_CHAN_RSHIM, g->tm_t2h_sts, &sts)) < 0)
		return ret;
	count = (unsigned)(sts & BF_TM_COUNT_MASK);
	if (count > d->r.chip->tm_fifo_words || count > 256)
		count = d->r.chip->tm_fifo_words < 256 ? d->r.chip->tm_fifo_words : 256;
	for (i = 0; i < count; i++) {
		if ((ret = d->r.ops->read_reg(&d->r, BF_CHAN_RSHIM, g->tm_t2h_data, &w)) < 0)
			return ret;
		bf_tmfifo_word_bytes(w, buf + 8 * i);
	}
	if (count)
		bf_tmfifo_rx_feed(&d->rx, buf, (size_t)count * 8, on_rx, d);
	return (int)count;
}

/* Leaving drop mode: the words in the tile-to-host FIFO were meant for
 * the previous owner (perhaps the rest of a packet it had started), so
 * they are read and dropped, as upstream's resync does; bounded, without
 * waiting for the DPU to go quiet. */
#define DRAIN_ROUNDS 8

static void rx_drain(struct bf_rshimd_dev *d)
{
	const struct bf_chip_regs *g = &d->r.chip->r;
	uint8_t buf[256 * 8];
	uint64_t sts, w, dropped = 0;
	unsigned round, count, i;

	for (round = 0; round < DRAIN_ROUNDS; round++) {
		if (d->r.ops->fifo_read) {
			ssize_t n = d->r.ops->fifo_read(&d->r, buf, sizeof(buf));

			if (n <= 0)
				break;
			dropped += (uint64_t)n / 8;
			continue;
		}
		if (d->r.ops->read_reg(&d->r, BF_CHAN_RSHIM, g->tm_t2h_sts, &sts) < 0)
			break;
		count = (unsigned)(sts & BF_TM_COUNT_MASK);
		if (!count || count > d->r.chip->tm_fifo_words)
			break;
		for (i = 0; i < count; i++)
			if (d->r.ops->read_reg(&d->r, BF_CHAN_RSHIM, g->tm_t2h_data, &w) < 0)
				break;
		dropped += i;
	}
	if (dropped)
		bf_debug("rshim%u: %llu words the DPU had queued before the handover dropped", d->index,
			 (unsigned long long)dropped);
}

/* The next packet into txbuf: control messages first, then the console
 * and the network in turn. false when there is nothing to send. */
static bool tx_build(struct bf_rshimd_dev *d)
{
	bool console, net;

	if (!d->net_len)
		bf_rshimd_net_fill(d);
	pthread_mutex_lock(&d->lock);
	if (d->nctrl) {
		bf_tmfifo_word_bytes(d->ctrl_q[0], d->txbuf);
		memmove(d->ctrl_q, d->ctrl_q + 1, (d->nctrl - 1) * sizeof(d->ctrl_q[0]));
		d->nctrl--;
		pthread_mutex_unlock(&d->lock);
		d->txlen = 8;
		d->txoff = 0;
		return true;
	}
	console = d->con_tx.len > 0;
	net = d->net_len > 0;
	if (console && (!net || !d->tx_net_next)) {
		uint8_t pay[BF_RSHIMD_TX_MAX - 8];
		size_t n = bf_rshimd_ring_get(&d->con_tx, pay, sizeof(pay));

		pthread_cond_broadcast(&d->cond);
		pthread_mutex_unlock(&d->lock);
		d->txlen = bf_tmfifo_frame(BF_TMFIFO_CONSOLE, pay, n, d->txbuf, sizeof(d->txbuf));
		d->txoff = 0;
		d->tx_net_next = true;
		return d->txlen > 0;
	}
	pthread_mutex_unlock(&d->lock);
	if (net) {
		d->txlen = bf_tmfifo_frame(BF_TMFIFO_NET, d->net_frame, d->net_len, d->txbuf, sizeof(d->txbuf));
		d->txoff = 0;
		d->net_len = 0;
		d->tx_net_next = false;
		if (d->txlen)
			d->net_tx_pkts++;
		return d->txlen > 0;
	}
	return false;
}

/* Host to tile: as much of the current packet as the FIFO takes, then the
 * next ones. Returns words moved. */
static int tx_step(struct bf_rshimd_dev *d)
{
	const struct bf_chip_regs *g = &d->r.chip->r;
	unsigned moved = 0;
	uint64_t sts;
	int ret;

	for (;;) {
		size_t words, space, i;

		if (d->tx_sync) {
			/* After the host side started over: empty network headers
			 * (type 1, len 0) fill the FIFO, so that a packet the DPU
			 * got half of is completed and skipped (upstream's sync). */
			static const uint64_t sync_word = 0xFF00000000000001ull;

			d->tx_sync = false;
			d->txlen = d->txoff = 0;
			for (i = 0; i + 8 <= sizeof(d->txbuf); i += 8)
				bf_tmfifo_word_bytes(sync_word, d->txbuf + i);
			d->txlen = (size_t)d->r.chip->tm_fifo_words * 8 - BF_TM_SPACE_RESERVE * 8;
			if (d->txlen > sizeof(d->txbuf))
				d->txlen = sizeof(d->txbuf) & ~(size_t)7;
		}
		if (d->txoff >= d->txlen && !tx_build(d))
			return (int)moved;
		/* The room in the host-to-tile FIFO first, on every backend (as
		 * upstream over USB too): a bulk OUT into a full FIFO would hold
		 * the device for its whole timeout while a boot push waits. */
		if ((ret = d->r.ops->read_reg(&d->r, BF_CHAN_RSHIM, g->tm_h2t_sts, &sts)) < 0)
			return ret;
		sts &= BF_TM_COUNT_MASK;
		space = d->r.chip->tm_fifo_words > sts + BF_TM_SPACE_RESERVE ?
			d->r.chip->tm_fifo_words - (size_t)sts - BF_TM_SPACE_RESERVE : 0;
		words = (d->txlen - d->txoff) / 8;
		if (words > space)
			words = space;
		if (!words)
			return (int)moved;
		if (d->r.ops->fifo_write) {
			ssize_t n = d->r.ops->fifo_write(&d->r, d->txbuf + d->txoff, words * 8);

			if (n <= 0)
				return n < 0 ? (int)n : (int)moved;
			d->txoff += (size_t)n & ~(size_t)7;
			moved += (unsigned)(n / 8);
			continue;
		}
		for (i = 0; i < words; i++) {
			ret = d->r.ops->write_reg(&d->r, BF_CHAN_RSHIM, g->tm_h2t_data,
						  bf_tmfifo_bytes_word(d->txbuf + d->txoff));
			if (ret < 0)
				return ret;
			d->txoff += 8;
		}
		moved += (unsigned)words;
	}
}

/* Open name for d: 0 with *out when it answers and is the same chip. */
static int open_usable(struct bf_rshimd_dev *d, const char *name, struct bf_rshim **out)
{
	struct bf_rshim *n = NULL;
	uint64_t v;
	int ret = bf_rshim_open(name, &n);

	if (ret < 0)
		return ret;
	if (n->ops->read_reg(n, BF_CHAN_RSHIM, n->chip->r.fabric_dim, &v) < 0 || bf_chip_is_bad_value(v)) {
		bf_rshim_close(n);   /* opened, but not answering yet */
		return -ENODEV;
	}
	if (n->chip != d->r.chip) {
		bf_warn("rshim%u: %s came back as a %s, not a %s: not taken", d->index, name,
			n->chip->name, d->r.chip->name);
		bf_rshim_close(n);
		return -ENODEV;
	}
	*out = n;
	return 0;
}

/* Take n as d's device (hw_lock held). */
static void adopt(struct bf_rshimd_dev *d, struct bf_rshim *n)
{
	d->hw = n;
	d->hw_reconnects = 0;   /* a new handle counts from 0 */
	d->hw_reconnected = false;
	d->gone = false;
	snprintf(d->r.name, sizeof(d->r.name), "%s", n->name);
	snprintf(d->r.dev_name, sizeof(d->r.dev_name), "%s", n->dev_name);
}

/* After adopt, hw_lock let go: the name, and the TM FIFO starts over. */
static void adopted(struct bf_rshimd_dev *d, const char *name)
{
	pthread_mutex_lock(&d->lock);
	if (name != d->name)
		snprintf(d->name, sizeof(d->name), "%s", name);
	d->fifo_reset = true;
	pthread_mutex_unlock(&d->lock);
}

/* Close the backend and open the device again under the same name (the
 * owner lock is let go and taken again); the files stay. 0 or -errno. */
static int reopen(struct bf_rshimd_dev *d)
{
	struct bf_rshim *n = NULL;
	int ret;

	pthread_mutex_lock(&d->hw_lock);
	if (d->hw) {
		bf_rshim_close(d->hw);
		d->hw = NULL;
	}
	ret = open_usable(d, d->name, &n);
	if (ret == 0)
		adopt(d, n);
	pthread_mutex_unlock(&d->hw_lock);
	if (ret == 0)
		adopted(d, d->name);
	return ret;
}

int bf_rshimd_dev_switch(struct bf_rshimd_dev *d, const char *name)
{
	struct bf_rshim *n = NULL;
	int ret;

	if (!strcmp(name, d->name))
		return reopen(d);
	/* The new one first: if it cannot be used, the old one stays. */
	if ((ret = open_usable(d, name, &n)) < 0)
		return ret;
	pthread_mutex_lock(&d->hw_lock);
	if (d->hw)
		bf_rshim_close(d->hw);
	adopt(d, n);
	pthread_mutex_unlock(&d->hw_lock);
	adopted(d, name);
	return 0;
}

/* What one round of the I/O thread may do, taken under the locks. */
struct io_round {
	bool drop;    /* a transfer is under way: the owner moves nothing */
	bool boot;    /* a boot stream is being pushed: output waits */
	bool reset;   /* the TM FIFO starts over */
	bool drain;   /* what the DPU sent is read and dropped */
};

/* The flags for this round; false when the thread is to stop. */
static bool io_round_take(struct bf_rshimd_dev *d, struct io_round *f)
{
	pthread_mutex_lock(&d->lock);
	if (d->stop) {
		pthread_mutex_unlock(&d->lock);
		return false;
	}
	/* During a transfer the owner moves nothing (as upstream, whose
	 * handler holds the device meanwhile). */
	f->drop = d->drop_mode || d->in_check || bf_rshimd_osp_busy(&d->osp);
	f->boot = d->boot_open;
	f->reset = d->fifo_reset;
	d->fifo_reset = false;
	f->drain = d->rx_drain && !f->drop;
	if (f->drain)
		d->rx_drain = false;
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_lock(&d->hw_lock);
	if (d->hw_reconnected) {
		d->hw_reconnected = false;
		f->reset = true;
		bf_info("rshim%u: %s was reset and found again: the TM FIFO starts over", d->index, d->name);
	}
	pthread_mutex_unlock(&d->hw_lock);
	return true;
}

/* Console, TM FIFO in and out: how many of them moved something. */
static int io_move(struct bf_rshimd_dev *d, const struct io_round *f)
{
	int moved = 0, r;

	if (f->drain && !d->gone)
		rx_drain(d);
	if (f->reset) {
		bf_tmfifo_rx_init(&d->rx);
		d->txlen = d->txoff = 0;
		d->tx_sync = true;
	}
	/* The console terminal: output left over goes out, typed bytes in. */
	if (bf_rshimd_con_pump(d))
		moved++;
	if (f->drop || d->gone)
		return moved;
	/* (The SP1 keepalive is written by bf_rshimd_owner_poll.) */
	r = rx_step(d);
	if (r > 0)
		moved += r;
	/* Output waits while a boot stream is being pushed. */
	if (!f->boot && r >= 0 && (r = tx_step(d)) > 0)
		moved += r;
	if (r < 0 && !d->gone)
		bf_debug("rshim%u: TM FIFO: %s", d->index, strerror(-r));
	return moved;
}

/* A device that stopped answering is said once, then opened again every
 * REOPEN_NS: a USB device comes back at a new address after a reset the
 * DPU made itself, and the files stay. */
static void io_gone(struct bf_rshimd_dev *d, bool *said, uint64_t *last_reopen_ns)
{
	if (!d->gone) {
		*said = false;
		return;
	}
	if (!*said) {
		bf_warn("rshim%u: %s stopped answering (unplugged, or re-enumerating after a reset)",
			d->index, d->name);
		bf_rshimd_dev_kick(d);
		*said = true;
		d->gone_since_ns = bf_clock_ns();
		*last_reopen_ns = 0;
	}
	if (bf_clock_ns() - *last_reopen_ns >= REOPEN_NS) {
		*last_reopen_ns = bf_clock_ns();
		if (reopen(d) == 0)
			bf_info("rshim%u: %s is back, found again after it stopped answering: the TM FIFO starts over",
				d->index, d->name);
	}
}

/* The next sleep: none after work, doubling up to IDLE_MAX_MS when idle,
 * and never past the next ownership step (100 ms apart while a transfer
 * is under way; otherwise IDLE_MAX_MS is the same period). */
static unsigned io_idle_ms(const struct bf_rshimd_dev *d, int moved, unsigned idle_ms)
{
	uint64_t now;

	idle_ms = moved ? 0 : idle_ms ? (idle_ms * 2 > IDLE_MAX_MS ? IDLE_MAX_MS : idle_ms * 2) : 1;
	now = bf_clock_ns();
	if (d->osp.due_ns > now && (d->osp.due_ns - now) / 1000000u < idle_ms)
		idle_ms = (unsigned)((d->osp.due_ns - now) / 1000000u) + 1;
	return idle_ms;
}

/* Sleep up to idle_ms or until woken, a frame to send, the console or its
 * watch; the sleep for the next round (0 when something woke us). */
static unsigned io_wait(struct bf_rshimd_dev *d, const struct io_round *f, unsigned idle_ms)
{
	struct pollfd pfd[4];
	int r, nfd = 1, con = -1, ino = -1;
	short con_ev;
	uint64_t junk;

	pfd[0].fd = d->wakefd;
	pfd[0].events = POLLIN;
	/* The TAP only while frames can go out: readable but unread it
	 * would turn this loop into a busy one (and starve a boot push
	 * of the device). */
	if (d->tapfd >= 0 && !d->net_len && !f->drop && !f->boot && !d->gone) {
		pfd[1].fd = d->tapfd;
		pfd[1].events = POLLIN;
		nfd = 2;
	}
	if ((con_ev = bf_rshimd_con_events(d)) != 0) {
		con = nfd++;
		pfd[con].fd = d->ptm;
		pfd[con].events = con_ev;
	}
	if (bf_rshimd_con_watch_fd(d) >= 0) {
		ino = nfd++;
		pfd[ino].fd = bf_rshimd_con_watch_fd(d);
		pfd[ino].events = POLLIN;
	}
	idle_ms = bf_rshimd_con_wait_ms(d, idle_ms);
	r = poll(pfd, (nfds_t)nfd, (int)idle_ms);
	if (r <= 0)
		return idle_ms;
	if (pfd[0].revents & POLLIN) {
		if (read(d->wakefd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
			bf_debug("rshim%u: wake-up read: %s", d->index, strerror(errno));
		idle_ms = 0;
	}
	if (nfd >= 2 && con != 1 && (pfd[1].revents & POLLIN))
		idle_ms = 0;
	if (con >= 0 && (pfd[con].revents & (POLLIN | POLLOUT)))
		idle_ms = 0;
	if (ino >= 0 && (pfd[ino].revents & POLLIN))
		idle_ms = 0;
	return idle_ms;
}

static void *io_main(void *arg)
{
	struct bf_rshimd_dev *d = arg;
	struct io_round f;
	unsigned idle_ms = 1;
	bool gone_said = false;
	uint64_t last_reopen_ns = 0;
	int moved;

	for (;;) {
		/* Ownership first: it may hand the device over or take it. */
		bf_rshimd_owner_poll(d);
		if (!io_round_take(d, &f))
			break;
		moved = io_move(d, &f);
		io_gone(d, &gone_said, &last_reopen_ns);
		idle_ms = io_idle_ms(d, moved, idle_ms);
		idle_ms = io_wait(d, &f, idle_ms);
	}
	return NULL;
}

bool bf_rshimd_dev_answers(struct bf_rshimd_dev *d)
{
	uint64_t v;

	/* A USB device re-enumerating after a chip reset fails for a moment
	 * and then answers again (the backend reconnects). */
	if (!d->gone)
		return true;
	/* Not yet: the I/O thread is still opening it again. */
	if (bf_clock_ns() - d->gone_since_ns < GONE_GRACE_NS)
		return true;
	return bf_rshim_rd(&d->r, d->r.chip->r.fabric_dim, &v) == 0;
}

/* ---- start / stop ---------------------------------------------------------- */

int bf_rshimd_dev_start(struct bf_rshimd_dev *d, const char *name, unsigned index,
			const struct bf_rshimd_conf *conf, bool net, bool force)
{
	char note[200];
	int ret;

	memset(d, 0, sizeof(*d));
	d->wakefd = -1;
	d->tapfd = -1;
	d->ptm = d->pts = d->con_ino = -1;
	d->index = index;
	d->conf = conf;
	snprintf(d->name, sizeof(d->name), "%s", name);
	pthread_mutex_init(&d->hw_lock, NULL);
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->display_level = conf->display_level;
	d->boot_timeout = conf->boot_timeout;
	d->usb_timeout = conf->usb_timeout;
	d->drop_mode = bf_rshimd_default_drop(conf, name);
	bf_rshimd_osp_init(&d->osp);
	bf_tmfifo_rx_init(&d->rx);
	d->tx_sync = true;   /* a previous owner may have left a packet half-sent */
	snprintf(note, sizeof(note), "rshimd as rshim%u", index);
	bf_rshim_lock_set_holder(note);
	ret = bf_rshim_open(name, &d->hw);
	if (ret < 0)
		return ret;
	d->r = *d->hw;
	d->r.ops = d->hw->ops->fifo_read && d->hw->ops->fifo_write ? &lk_ops_fifo : &lk_ops;
	d->r.priv = d;
	/* A device that starts in drop mode is not touched; otherwise it is
	 * ours only if no other backend keeps it alive (upstream's check). */
	ret = d->drop_mode ? 0 : bf_rshimd_access_check(d);
	if (ret < 0 && ret != -EEXIST) {
		/* Opened but not answering: attached all the same; the I/O
		 * thread treats it as a device that stopped answering. */
		d->gone = true;
	} else if (ret == -EEXIST) {
		d->drop_mode = true;
		bf_info("rshim%u entering drop mode", index);
		if (!force) {
			ret = bf_error_ret(EEXIST, "rshim%u: %s is driven by another backend (its "
					   "keepalive is in SCRATCHPAD1): no files for it; start rshimd "
					   "with -F (or FORCE_MODE 1) to ask for it", index, name);
			goto fail;
		}
	}
	d->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->wakefd < 0) {
		ret = bf_error_ret(errno, "rshim%u: eventfd: %s", index, strerror(errno));
		goto fail;
	}
	if (net && (ret = bf_rshimd_net_open(d)) < 0)
		goto fail;
	if ((ret = bf_rshimd_con_open(d)) < 0)
		goto fail;
	if ((ret = pthread_create(&d->io, NULL, io_main, d)) != 0) {
		ret = bf_error_ret(ret, "rshim%u: cannot start the I/O thread", index);
		goto fail;
	}
	d->io_started = true;
	bf_info("rshim%u: %s attached (%s, %s)%s", index, name, d->hw->dev_name, d->hw->chip->name,
		d->drop_mode ? " in drop mode" : "");
	return 0;
fail:
	bf_rshimd_con_close(d);
	bf_rshimd_net_close(d);
	if (d->wakefd >= 0)
		close(d->wakefd);
	d->wakefd = -1;
	bf_rshim_close(d->hw);
	d->hw = NULL;
	return ret;
}

void bf_rshimd_dev_stop(struct bf_rshimd_dev *d)
{
	/* Started, not d->hw: a device gone while its I/O thread tried to
	 * open it again has no handle, and still its thread, TAP and console. */
	if (!d->io_started && !d->hw)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	bf_rshimd_dev_wake(d);
	if (d->io_started)
		pthread_join(d->io, NULL);
	d->io_started = false;
	bf_rshimd_con_close(d);
	bf_rshimd_net_close(d);
	if (d->wakefd >= 0)
		close(d->wakefd);
	d->wakefd = -1;
	bf_rshim_close(d->hw);
	d->hw = NULL;
	bf_info("rshim%u: %s detached", d->index, d->name);
}
