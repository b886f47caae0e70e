/* fuzz_simproto.c - what a hostile simulator (or whatever listens on
 * $BFSIM_SOCKET) answers the host: each input is taken as the reply to
 * every operation, through the client's parse and checks (rshim/sim.c),
 * and must never be read out of bounds nor accepted with lengths beyond
 * the protocol's. libFuzzer target; in make check a smoke test (smoke.c). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rshim/simconn.h"
#include "simproto.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	uint8_t *buf = malloc(size ? size : 1);
	struct bf_rshim_simprops props;
	struct bf_simproto_msg m;
	uint16_t op;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (op = 1; op < BF_SIMPROTO_OP_END; op++) {
		memset(&props, 0, sizeof(props));
		if (bf_rshim_sim_check_reply(buf, size, op, &m, &props) < 0)
			continue;
		if (m.op != op || !m.reply || m.len > BF_SIMPROTO_MAX_DATA)
			abort();
		if (m.status && m.len > BF_SIMPROTO_MAX_TEXT)
			abort();
		if (m.len && (m.data < buf || m.data + m.len > buf + size))
			abort();
		if (op == BF_SIMPROTO_HELLO && !m.status &&
		    (!props.chip || props.devices == 0 || props.devices > BF_SIMPROTO_MAX_DEVICES || !(props.speed > 0)))
			abort();
	}
	/* The request side of the same parser, and a re-encoding round trip. */
	if (bf_simproto_parse(buf, size, false, &m) > 0) {
		static uint8_t out[BF_SIMPROTO_MAX_MSG];
		long n = bf_simproto_put(out, sizeof(out), m.op, false, 0, m.f, m.data, m.len);

		if (n < 0 || (size_t)n > size || memcmp(out, buf, (size_t)n))
			abort();
	}
	free(buf);
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
/* The make-check seeds: each operation's reply, an error reply, a request. */
void bf_fuzz_seed(void)
{
	static uint8_t msg[256];
	uint64_t f[6] = { BF_SIMPROTO_VERSION, 2, 3, 0, 50000000, 123 };
	long n;
	int op;

	for (op = 1; op < BF_SIMPROTO_OP_END; op++) {
		if ((n = bf_simproto_put(msg, sizeof(msg), (uint16_t)op, true, 0, f, NULL, 0)) > 0)
			bf_fuzz_add_seed(msg, (size_t)n);
		if ((n = bf_simproto_put(msg, sizeof(msg), (uint16_t)op, true, 19, NULL, "the device is gone", 18)) > 0)
			bf_fuzz_add_seed(msg, (size_t)n);
		if ((n = bf_simproto_put(msg, sizeof(msg), (uint16_t)op, false, 0, f, NULL, 0)) > 0)
			bf_fuzz_add_seed(msg, (size_t)n);
	}
	if ((n = bf_simproto_put(msg, sizeof(msg), BF_SIMPROTO_FIFO_READ, true, 0, NULL, "12345678", 8)) > 0)
		bf_fuzz_add_seed(msg, (size_t)n);
}
#endif
