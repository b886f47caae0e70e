/* regs.c - the RShim register file, the boot FIFO and the log ring as the
 * host reaches them. */
#include "config.h"
#include "sim_int.h"
#include "clock.h"

#include <errno.h>
#include <string.h>

#define SIM_OPN "900-9D3B6-00CV-A"   /* 16 characters, BF3 OPN register text */

static bool gone(struct bf_sim *s)
{
	if (!s->unplugged && s->cfg.fault_unplug_after && s->boot_bytes >= s->cfg.fault_unplug_after)
		s->unplugged = true;
	return s->unplugged;
}

void bf_sim_chip_reset(struct bf_sim *s)
{
	const struct bf_chip_regs *g = &s->chip->r;
	double now = bf_sim_now(s);
	uint64_t sp2 = s->rsh[g->scratchpad2 / 8];

	s->resets++;
	s->reset_t = now;
	if (!s->por_t)
		s->por_t = now;
	s->drain_t = now;
	s->last_data_t = now;
	s->fifo_head = s->fifo_len = 0;
	s->boot_bytes = s->drained_bytes = s->overflow_bytes = 0;
	s->stalled = false;
	s->sem_taken = false;
	/* Pending firmware work dies with the reset. */
	s->nev = 0;
	/* SCRATCHPAD1 is volatile; BF_MODE in SP2 survives (it is the NIC's). */
	s->rsh[g->scratchpad1 / 8] = 0;
	s->rsh[g->scratchpad2 / 8] = sp2 & BF_SP2_MODE_MASK;
	s->rsh[g->scratchpad3 / 8] = 0;
	s->rsh[g->reset_control / 8] &= ~0xffffffffull;
	bf_sim_stream_reset(s);
	if (s->rsh[g->boot_control / 8] == BF_BOOT_CONTROL_RSHIM) {
		s->phase = PH_BOOT_ROM;
		if (s->chip->ver == BF_CHIP_BF3)
			bf_sim_schedule(s, now, BF_RLOG_PSC, BF_RLOG_INFO, ACT_NONE, "PSC BL1 START");
	} else {
		bf_sim_os_boot(s, now);
	}
}

/* Move drained bytes from the FIFO to the boot model, at the drain rate. */
void bf_sim_fifo_drain(struct bf_sim *s, double now)
{
	double dt = now - s->drain_t;
	uint64_t budget;

	if (dt <= 0)
		return;
	if (s->stalled || s->phase == PH_STALLED || s->fifo_len == 0) {
		s->drain_t = now;
		return;
	}
	budget = (uint64_t)(dt * (double)s->cfg.drain_bps);
	if (budget == 0)
		return;   /* keep drain_t: the fraction accumulates */
	while (budget && s->fifo_len && !s->stalled) {
		size_t n = s->fifo_len, first;

		if (n > budget)
			n = (size_t)budget;
		if (s->cfg.fault_stall_after) {
			if (s->drained_bytes >= s->cfg.fault_stall_after) {
				s->stalled = true;
				break;
			}
			if (n > s->cfg.fault_stall_after - s->drained_bytes)
				n = (size_t)(s->cfg.fault_stall_after - s->drained_bytes);
		}
		first = s->fifo_cap - s->fifo_head;
		if (first > n)
			first = n;
		bf_sim_stream_feed(s, s->fifo + s->fifo_head, first, now);
		if (n > first)
			bf_sim_stream_feed(s, s->fifo, n - first, now);
		s->fifo_head = (s->fifo_head + n) % s->fifo_cap;
		s->fifo_len -= n;
		s->drained_bytes += n;
		budget -= n;
		s->last_data_t = now;
	}
	s->drain_t = now;
}

/* Whole words into the FIFO; what does not fit is lost, like a hardware
 * overflow. Returns bytes stored. */
size_t bf_sim_fifo_push(struct bf_sim *s, const uint8_t *buf, size_t len)
{
	size_t room = s->fifo_cap - s->fifo_len, n = len < room ? len : room, tail, first;

	if (len > n)
		s->overflow_bytes += len - n;
	tail = (s->fifo_head + s->fifo_len) % s->fifo_cap;
	first = s->fifo_cap - tail;
	if (first > n)
		first = n;
	memcpy(s->fifo + tail, buf, first);
	memcpy(s->fifo, buf + first, n - first);
	s->fifo_len += n;
	s->boot_bytes += n;
	return n;
}

/* The bulk boot path. A synchronous transfer of n bytes takes n / link_bps;
 * the device drains the FIFO while the bytes travel, so a transfer may be
 * larger than the free space as long as the FIFO never overflows. The
 * link keeps its own timeline, so that one call's wake-up latency is not
 * added to the next transfer. */
#define BULK_MAX (1u << 20)

ssize_t bf_sim_boot_write(struct bf_sim *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t whole = len & ~(size_t)7, done = 0;
	double now, secs;

	bf_sim_tick(s);
	if (gone(s))
		return -ENODEV;
	if (whole > BULK_MAX)
		whole = BULK_MAX;
	now = bf_sim_now(s);
	if (s->link_t < now)
		s->link_t = now;
	while (done < whole) {
		size_t n = s->fifo_cap - s->fifo_len;   /* whole words: the FIFO only takes words */

		if (n > whole - done)
			n = whole - done;
		if (n > 8192)
			n = 8192;
		if (s->cfg.fault_unplug_after && s->boot_bytes + n > s->cfg.fault_unplug_after)
			n = (size_t)(s->cfg.fault_unplug_after - s->boot_bytes) & ~(size_t)7;
		if (n == 0)
			break;
		bf_sim_fifo_push(s, p + done, n);
		done += n;
		s->link_t += (double)n / (double)s->cfg.link_bps;
		bf_sim_fifo_drain(s, s->link_t);
	}
	/* The stream's last piece, shorter than a word, is zero-padded. */
	if (done == (len & ~(size_t)7) && len > done && s->fifo_cap - s->fifo_len >= 8) {
		uint8_t w[8] = { 0 };

		memcpy(w, p + done, len - done);
		bf_sim_fifo_push(s, w, 8);
		s->link_t += 8.0 / (double)s->cfg.link_bps;
		done = len;
	}
	if (done) {
		secs = (s->link_t - s->sim0) / s->cfg.speed;
		bf_clock_sleep_until_ns(s->mono0_ns + (uint64_t)(secs * 1e9));
	}
	return (ssize_t)done;
}

static void read_rshim(struct bf_sim *s, uint32_t addr, uint64_t *v)
{
	const struct bf_chip_regs *g = &s->chip->r;
	double up = bf_sim_uptime(s);

	if (addr == g->boot_fifo_count) {
		*v = (s->fifo_len / 8) & BF_FIFO_COUNT_MASK;
	} else if (addr == g->semaphore0) {
		*v = s->sem_taken ? 1 : 0;
		s->sem_taken = true;
	} else if (addr == g->scratch_buf_ctl) {
		*v = s->ring_idx & 0x7f;
	} else if (addr == g->scratch_buf_dat) {
		*v = s->ring_idx < BF_RLOG_RING_WORDS ? s->ring[s->ring_idx] : 0;
		if (s->ring_idx < 0x7f)
			s->ring_idx++;
	} else if (addr == g->uptime) {
		*v = (uint64_t)(up * (double)s->chip->uptime_hz);
	} else if (addr == g->uptime_por) {
		*v = (uint64_t)((bf_sim_now(s) - s->por_t) * (double)s->chip->uptime_hz);
	} else if (addr == g->tm_h2t_sts || addr == g->tm_t2h_sts) {
		*v = 0;
	} else if (addr / 8 < sizeof(s->rsh) / sizeof(s->rsh[0])) {
		*v = s->rsh[addr / 8];
	} else {
		*v = 0;
	}
}

int bf_sim_read_reg(struct bf_sim *s, uint32_t chan, uint32_t addr, uint64_t *val)
{
	bf_sim_tick(s);
	if (gone(s))
		return -ENODEV;
	*val = 0;
	if (chan == BF_CHAN_RSHIM) {
		read_rshim(s, addr & 0xfff8, val);
	} else if (chan == BF_CHAN_YU && s->chip->ver == BF_CHIP_BF3 &&
		   addr >= 0x9bdc && addr < 0x9bdc + 16) {
		/* OPN: four words, each MSB-first (char 0 in bits 31:24). */
		unsigned i = (addr - 0x9bdc) & ~3u, k;

		for (k = 0; k < 4; k++)
			*val = (*val << 8) | (uint8_t)SIM_OPN[i + k];
	}
	return 0;
}

int bf_sim_write_reg(struct bf_sim *s, uint32_t chan, uint32_t addr, uint64_t val)
{
	const struct bf_chip_regs *g = &s->chip->r;

	bf_sim_tick(s);
	if (gone(s))
		return -ENODEV;
	if (chan != BF_CHAN_RSHIM)
		return 0;   /* other channels: accepted and ignored */
	addr &= 0xfff8;
	if (addr == g->reset_control) {
		s->rsh[addr / 8] = val;
		if ((val & 0xffffffffull) == BF_RESET_KEY)
			bf_sim_chip_reset(s);
	} else if (addr == g->boot_fifo_data) {
		uint8_t w[8];
		unsigned i;

		for (i = 0; i < 8; i++)
			w[i] = (uint8_t)(val >> (8 * i));
		bf_sim_fifo_push(s, w, 8);
	} else if (addr == g->semaphore0) {
		if (val == 0)
			s->sem_taken = false;
	} else if (addr == g->scratch_buf_ctl) {
		s->ring_idx = (unsigned)(val & 0x7f);
		if (s->ring_idx > BF_RLOG_RING_WORDS)
			s->ring_idx = BF_RLOG_RING_WORDS;
	} else if (addr == g->boot_control) {
		s->rsh[addr / 8] = val & 3;
	} else if (addr == g->boot_fifo_count || addr == g->uptime || addr == g->uptime_por ||
		   addr == g->scratch_buf_dat) {
		/* read-only */
	} else if (addr / 8 < sizeof(s->rsh) / sizeof(s->rsh[0])) {
		s->rsh[addr / 8] = val;
	}
	bf_sim_tick(s);
	return 0;
}
