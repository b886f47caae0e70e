/* logring.c - the RShim log ring (SCRATCH_BUF) on the device side: 127
 * words including headers, IDX in SCRATCH_BUF_CTL bits 6:0, auto-increment
 * reads of SCRATCH_BUF_DAT, and the semaphore that keeps firmware from
 * appending while the host reads.
 *
 * When the ring is full, messages are DROPPED, never overwritten: the
 * Linux rsh_log writer (spec: bfcfg-install.md 6) writes at most
 * 127 - idx - 1 payload words (the text is truncated to what fits) and
 * silently drops a message when not even one payload word fits; the ring
 * does not wrap. It empties only when the host reads it with CLEAR_ON_READ
 * (rewinds IDX to 0). The "it overwrites when not drained" is not
 * what the spec describes, so the simulator drops, and counts the drops. */
#include "config.h"
#include "sim_int.h"

#include <stdio.h>
#include <string.h>

static void append(struct bf_sim *s, const uint64_t *w, size_t n)
{
	memcpy(&s->ring[s->ring_idx], w, n * sizeof(uint64_t));
	s->ring_idx += (unsigned)n;
}

/* corrupt-log fault: a garbage record before some real ones. Kinds cycle:
 * an unknown type with a junk payload, a message with an out-of-range
 * module and level and control bytes, and -- only when the real message
 * would not fit anyway, so nothing later is hidden -- a length running
 * past IDX. */
static void inject_garbage(struct bf_sim *s, size_t need)
{
	size_t room = BF_RLOG_RING_WORDS - s->ring_idx;
	uint64_t w[3];

	if (need > room && room >= 1) {
		w[0] = (4ull << 56) | (0x7full << 48);
		append(s, w, 1);
		return;
	}
	if (room < need + 3 || s->garbage_seq++ % 3 == 2)
		return;
	if (s->garbage_seq % 3 == 1) {
		w[0] = (0xfull << 60) | (7ull << 56) | (2ull << 48) | 0xdeadbeefull;
		w[1] = 0xffffffffffffffffull;
		w[2] = 0x0102030405060708ull;
		append(s, w, 3);
	} else {
		w[0] = (0xeull << 60) | (4ull << 56) | (1ull << 48) | 0x99;
		w[1] = 0x1b5b324a07080d0aull;   /* control bytes */
		append(s, w, 2);
	}
}

void bf_sim_log(struct bf_sim *s, unsigned module, unsigned level, const char *text)
{
	uint64_t w[BF_RLOG_MAX_PAYLOAD + 1];
	size_t words = (strlen(text) + 7) / 8, room, n;

	if (words > BF_RLOG_MAX_PAYLOAD)
		words = BF_RLOG_MAX_PAYLOAD;
	if (words == 0)
		words = 1;
	if (s->cfg.fault_corrupt_log)
		inject_garbage(s, words + 1);
	/* num = min(words, 127 - idx - 1); num <= 0: dropped. */
	room = s->ring_idx + 1 < BF_RLOG_RING_WORDS ? BF_RLOG_RING_WORDS - s->ring_idx - 1 : 0;
	if (room == 0) {
		s->log_dropped++;
		return;
	}
	if (words > room) {
		s->log_truncated++;
		words = room;
	}
	n = bf_rlog_encode_msg(w, words + 1, module, level, text, false, 0);
	if (n == 0) {
		/* text longer than the room: encode truncated */
		char cut[BF_RLOG_TEXT_MAX];

		snprintf(cut, sizeof(cut), "%.*s", (int)(words * 8), text);
		n = bf_rlog_encode_msg(w, words + 1, module, level, cut, false, 0);
	}
	if (n)
		append(s, w, n);
}

/* SCRATCH_BUF_CTL: IDX, the word count and the DAT read pointer. */
uint64_t bf_sim_ring_ctl(const struct bf_sim *s)
{
	return s->ring_idx & 0x7f;
}

void bf_sim_ring_set_ctl(struct bf_sim *s, uint64_t v)
{
	s->ring_idx = (unsigned)(v & 0x7f);
	if (s->ring_idx > BF_RLOG_RING_WORDS)
		s->ring_idx = BF_RLOG_RING_WORDS;
}

/* SCRATCH_BUF_DAT: the word at IDX, then IDX + 1. */
uint64_t bf_sim_ring_dat(struct bf_sim *s)
{
	uint64_t v = s->ring_idx < BF_RLOG_RING_WORDS ? s->ring[s->ring_idx] : 0;

	if (s->ring_idx < 0x7f)
		s->ring_idx++;
	return v;
}
