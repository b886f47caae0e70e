/* fuzz_rlog.c - libFuzzer target: what a hostile device puts in front of
 * the host: RShim log records (decoded and formatted) and tmfifo packets
 * (the streaming receiver, fed in pieces). Seed: records from the encoder
 * (bf_fuzz_seed). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rlog.h"
#include "tmfifo.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_pkt(void *ctx, uint8_t type, const uint8_t *buf, size_t len)
{
	(void)type;
	if (len)
		*(size_t *)ctx += buf[0] + buf[len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t words[BF_RLOG_RING_WORDS + 1];
	static struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];
	size_t n = size / 8, pos = 0;

	if (n > BF_RLOG_RING_WORDS)
		n = BF_RLOG_RING_WORDS;
	memcpy(words, data, n * 8);
	while (pos < n) {
		size_t used = bf_rlog_decode(words + pos, n - pos, &rec);

		if (used == 0 || used > n - pos)
			__builtin_trap();   /* the decoder must always make progress within bounds */
		pos += used;
		bf_rlog_format(&rec, line, sizeof(line));
		if (strlen(line) >= sizeof(line))
			__builtin_trap();
	}
	{
		static struct bf_tmfifo_rx rx;
		size_t sink = 0, o, step = size ? (size_t)data[0] % 17 + 1 : 1;

		bf_tmfifo_rx_init(&rx);
		for (o = 0; o < size; o += step)
			bf_tmfifo_rx_feed(&rx, data + o, size - o < step ? size - o : step, on_pkt, &sink);
	}
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
/* The make-check seed: a few well-formed records, as firmware writes them. */
void bf_fuzz_seed(void)
{
	uint64_t w[64];
	size_t n = 0;

	n += bf_rlog_encode_msg(w + n, 64 - n, 0, 0, "Loading BL2R", false, 0);
	n += bf_rlog_encode_msg(w + n, 64 - n, 4, 1, "DPU temperature %d C", true, 42);
	n += bf_rlog_encode_msg(w + n, 64 - n, 5, 2, "Linux up", false, 0);
	bf_fuzz_add_seed(w, n * 8);
}
#endif
