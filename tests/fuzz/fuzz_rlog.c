/* fuzz_rlog.c - libFuzzer target: RShim log records as a hostile device
 * would write them: decode every record of the ring and format it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
