/* fuzz_simserve.c - what any local process may send to bfsim's socket:
 * the input is cut into messages (by their own length fields) and served,
 * in order on one connection, by the server's request handling
 * (bf_sim_serve_msg) against two simulated devices in this process. Every
 * reply must parse as a reply to its request. libFuzzer target; without
 * libFuzzer a smoke test (smoke.c). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"
#include "sim.h"
#include "simproto.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bf_sim_host devs[2];
static uint8_t out[BF_SIMPROTO_MAX_MSG];

static void setup(void)
{
	struct bf_sim_config c;
	unsigned i;

	if (devs[0].sim)
		return;
	for (i = 0; i < 2; i++) {
		bf_sim_config_defaults(&c);
		c.virtual_access_ns = 1000;   /* nothing waits on the real clock */
		c.idle_real_min_s = 0;
		pthread_mutex_init(&devs[i].lock, NULL);
		devs[i].index = i;
		if (bf_sim_open(&c, &devs[i].sim) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_sim_session ss = { .dev = -1 };
	size_t off = 0;

	setup();
	while (size - off >= BF_SIMPROTO_HDR) {
		uint32_t body = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8 | (uint32_t)data[off + 2] << 16 |
				(uint32_t)data[off + 3] << 24;
		size_t len = BF_SIMPROTO_HDR + (size_t)body;
		struct bf_simproto_msg req, rep;
		uint8_t *msg;
		long n;

		if (body > size - off - BF_SIMPROTO_HDR)
			break;
		msg = malloc(len);
		if (!msg)
			break;
		memcpy(msg, data + off, len);   /* exactly the message: ASan sees overreads */
		n = bf_sim_serve_msg(devs, 2, NULL, &ss, msg, len, out, sizeof(out));
		if (n >= 0) {
			if (bf_simproto_parse(msg, len, false, &req) <= 0 ||
			    bf_simproto_parse(out, (size_t)n, true, &rep) != n || rep.op != req.op)
				abort();
		}
		free(msg);
		ss.busy_until_ns = 0;
		if (n < 0)
			break;   /* the server closes the connection */
		off += len;
	}
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
/* The make-check seeds: a session on the RShim, one on a NIC function
 * with out-of-range accesses and a wrong operation. */
void bf_fuzz_seed(void)
{
	static uint8_t in[8192];
	uint64_t hello[3] = { BF_SIMPROTO_VERSION, 1, 0 }, rd[2] = { 1, 0x318 }, wr[3] = { 1, 0x318, 7 };
	uint64_t nic[3] = { BF_SIMPROTO_VERSION, 0, BF_SIMPROTO_ROLE_NIC + 1 }, cfg[2] = { 0, 64 };
	uint64_t fifo[1] = { 4096 }, cfgend[2] = { 4090, 64 }, cfgw[1] = { 4094 };
	size_t o = 0;

	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_HELLO, false, 0, hello, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_REG_WRITE, false, 0, wr, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_REG_READ, false, 0, rd, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_BOOT_WRITE, false, 0, NULL,
				     "\1\2\3\4\5\6\7\10\11", 9);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_FIFO_WRITE, false, 0, NULL, "abcdefgh", 8);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_FIFO_READ, false, 0, fifo, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_TIME, false, 0, NULL, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_CFG_READ, false, 0, cfg, NULL, 0);
	bf_fuzz_add_seed(in, o);
	o = (size_t)bf_simproto_put(in, sizeof(in), BF_SIMPROTO_HELLO, false, 0, nic, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_CFG_READ, false, 0, cfg, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_CFG_READ, false, 0, cfgend, NULL, 0);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_CFG_WRITE, false, 0, cfgw, "xyzw", 4);
	o += (size_t)bf_simproto_put(in + o, sizeof(in) - o, BF_SIMPROTO_REG_READ, false, 0, rd, NULL, 0);
	bf_fuzz_add_seed(in, o);
}
#endif
