/* bootfifo.c - the boot FIFO: the chip's depth in 8-byte words, drained
 * by the boot model at drain_bps in simulated time. Register pushes past
 * the depth are lost, as on hardware, and counted; the bulk path
 * (bf_sim_boot_write) takes only free space, paced by link_bps. Faults:
 * stall-after (the device stops draining), unplug-after (it vanishes). */
#include "config.h"
#include "sim_int.h"
#include "clock.h"

#include <errno.h>
#include <string.h>

bool bf_sim_gone(struct bf_sim *s)
{
	if (!s->unplugged && s->cfg.fault_unplug_after && s->boot_bytes >= s->cfg.fault_unplug_after)
		s->unplugged = true;
	return s->unplugged;
}

void bf_sim_set_plugged(struct bf_sim *s, bool plugged)
{
	s->unplugged = !plugged;
}

/* Move drained bytes from the FIFO to the boot model, at the drain rate. */
void bf_sim_fifo_drain(struct bf_sim *s, double now)
{
	double dt = now - s->drain_t, drain_t;
	uint64_t budget;

	if (dt <= 0)
		return;
	if (s->stalled || s->phase == PH_STALLED || s->fifo_len == 0 || bf_sim_runtime_held(s)) {
		s->drain_t = now;
		return;
	}
	budget = (uint64_t)(dt * (double)s->cfg.drain_bps);
	if (budget == 0)
		return;   /* keep drain_t: the fraction accumulates */
	/* Time moves on by what the whole bytes took, so that the fraction
	 * of a byte is not lost at each call (frequent calls would slow the
	 * drain down); an emptied FIFO starts over at now. */
	drain_t = s->drain_t + (double)budget / (double)s->cfg.drain_bps;
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
		s->last_data_ns = bf_clock_ns();
	}
	s->drain_t = budget || s->stalled ? now : drain_t;
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
	/* Fault: one byte damaged on the way (a bad cable, a flaky hub). */
	if (s->cfg.fault_corrupt_stream && s->cfg.fault_corrupt_stream - 1 >= s->boot_bytes &&
	    s->cfg.fault_corrupt_stream - 1 < s->boot_bytes + n)
		s->fifo[(tail + (s->cfg.fault_corrupt_stream - 1 - s->boot_bytes)) % s->fifo_cap] ^= 0x01;
	s->fifo_len += n;
	s->boot_bytes += n;
	return n;
}

/* BOOT_FIFO_COUNT: words, in a field as wide as the chip's (chip.h): a
 * full BF3 FIFO reads 1024, which is what the upstream daemon's USB path
 * relies on to see it full (doc/usb-timing.md). */
uint64_t bf_sim_fifo_count(const struct bf_sim *s)
{
	return (s->fifo_len / 8) & s->chip->boot_fifo_count_mask;
}

/* The bulk boot path. A synchronous transfer of n bytes takes n / link_bps;
 * the device drains the FIFO while the bytes travel, so a transfer may be
 * larger than the free space as long as the FIFO never overflows. The
 * link keeps its own timeline, so that one call's wake-up latency is not
 * added to the next transfer. */
#define BULK_MAX (1u << 20)

ssize_t bf_sim_boot_write_paced(struct bf_sim *s, const void *buf, size_t len, uint64_t *until_ns)
{
	const uint8_t *p = buf;
	size_t whole = len & ~(size_t)7, done = 0;
	double now, secs;

	*until_ns = 0;
	bf_sim_tick(s);
	if (bf_sim_gone(s))
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
		bool cut = false;

		if (s->cfg.fault_unplug_after && s->boot_bytes + n > s->cfg.fault_unplug_after) {
			/* The device vanishes at that byte: the whole words before
			 * it arrive, the word it falls in (N need not be a multiple
			 * of 8) is lost with the device. */
			n = (size_t)(s->cfg.fault_unplug_after - s->boot_bytes) & ~(size_t)7;
			cut = true;
		}
		if (n) {
			bf_sim_fifo_push(s, p + done, n);
			done += n;
			s->link_t += (double)n / (double)s->cfg.link_bps;
			bf_sim_fifo_drain(s, s->link_t);
		}
		if (cut)
			s->unplugged = true;
		if (n == 0 || cut)
			break;
	}
	/* The stream's last piece, shorter than a word, is zero-padded. */
	if (done == (len & ~(size_t)7) && len > done && s->fifo_cap - s->fifo_len >= 8) {
		uint8_t w[8] = { 0 };

		memcpy(w, p + done, len - done);
		bf_sim_fifo_push(s, w, 8);
		s->link_t += 8.0 / (double)s->cfg.link_bps;
		done = len;
	}
	if (done && (s->cfg.virtual_clock || s->cfg.virtual_access_ns)) {
		if (s->sim0 + s->virt_t < s->link_t)
			s->virt_t = s->link_t - s->sim0;
	} else if (done) {
		secs = (s->link_t - s->sim0) / s->cfg.speed;
		*until_ns = s->mono0_ns + (uint64_t)(secs * 1e9);
	}
	return (ssize_t)done;
}

ssize_t bf_sim_boot_write(struct bf_sim *s, const void *buf, size_t len)
{
	uint64_t until;
	ssize_t n = bf_sim_boot_write_paced(s, buf, len, &until);

	if (until)
		bf_clock_sleep_until_ns(until);
	return n;
}
