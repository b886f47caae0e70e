/* test_tmfifo.c - TM FIFO framing: header byte layout, big-endian length,
 * checksum, padding, and the streaming receiver. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tmfifo.h"

static void header_layout(void **state)
{
	struct bf_tmfifo_hdr h = { .type = BF_TMFIFO_CONSOLE, .len = 0x0102 }, d;
	uint8_t b[8];
	unsigned sum = 0, i;

	(void)state;
	bf_tmfifo_hdr_encode(&h, b);
	assert_int_equal(b[0], 3);
	assert_int_equal(b[1], 0x01);   /* big-endian length */
	assert_int_equal(b[2], 0x02);
	for (i = 0; i < 8; i++)
		sum += b[i];
	assert_int_equal(sum & 0xff, 0);
	assert_int_equal(b[7], (uint8_t)(0x100 - 3 - 1 - 2));
	assert_true(bf_tmfifo_hdr_decode(b, &d));
	assert_int_equal(d.type, 3);
	assert_int_equal(d.len, 0x102);
	/* The LE FIFO word has byte 0 in bits 7:0. */
	assert_true((bf_tmfifo_hdr_word(&h) & 0xff) == 3);
	assert_true((bf_tmfifo_hdr_word(&h) >> 56) == b[7]);
	/* The upstream flush word: net, len 0, checksum 0xff. */
	h.type = BF_TMFIFO_NET;
	h.len = 0;
	assert_true(bf_tmfifo_hdr_word(&h) == 0xFF00000000000001ull);
	/* A corrupted byte breaks the checksum; checksum 0 means none. */
	b[2] ^= 1;
	assert_false(bf_tmfifo_hdr_decode(b, &d));
	b[7] = 0;
	assert_true(bf_tmfifo_hdr_decode(b, &d));
}

static void padding(void **state)
{
	uint8_t out[64];

	(void)state;
	assert_int_equal(bf_tmfifo_pad(0), 0);
	assert_int_equal(bf_tmfifo_pad(1), 7);
	assert_int_equal(bf_tmfifo_pad(5), 3);
	assert_int_equal(bf_tmfifo_pad(8), 0);
	assert_int_equal(bf_tmfifo_pad(13), 3);
	assert_int_equal(bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "hello", 5, out, sizeof(out)), 16);
	assert_memory_equal(out + 8, "hello\0\0\0", 8);
	assert_int_equal(bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "hello", 5, out, 15), 0);
}

struct got {
	char console[256];
	size_t clen;
	unsigned net, ctrl;
	size_t net_len;
};

static void collect(void *ctx, uint8_t type, const uint8_t *buf, size_t len)
{
	struct got *g = ctx;

	if (type == BF_TMFIFO_CONSOLE) {
		memcpy(g->console + g->clen, buf, len);
		g->clen += len;
	} else if (type == BF_TMFIFO_NET) {
		g->net++;
		g->net_len = len;
	} else {
		g->ctrl++;
	}
}

static void receiver_in_pieces(void **state)
{
	static struct bf_tmfifo_rx rx;
	uint8_t stream[4096];
	uint8_t net[60];
	struct got g = { 0 };
	size_t n = 0, i;
	struct bf_tmfifo_hdr mac = { .type = BF_TMFIFO_MAC_1, .data = { 0, 0x1a, 0xca } };

	(void)state;
	n += bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "login: ", 7, stream + n, sizeof(stream) - n);
	memset(net, 0x5a, sizeof(net));
	n += bf_tmfifo_frame(BF_TMFIFO_NET, net, sizeof(net), stream + n, sizeof(stream) - n);
	bf_tmfifo_hdr_encode(&mac, stream + n);
	n += 8;
	n += bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "root", 4, stream + n, sizeof(stream) - n);
	bf_tmfifo_rx_init(&rx);
	/* One byte at a time: framing must not depend on buffer boundaries. */
	for (i = 0; i < n; i++)
		bf_tmfifo_rx_feed(&rx, stream + i, 1, collect, &g);
	assert_int_equal(g.clen, 11);
	assert_memory_equal(g.console, "login: root", 11);
	assert_int_equal(g.net, 1);
	assert_int_equal(g.net_len, 60);
	assert_int_equal(g.ctrl, 1);
	assert_int_equal(rx.packets, 4);
	assert_int_equal(rx.dropped, 0);
}

static void receiver_drops(void **state)
{
	static struct bf_tmfifo_rx rx;
	uint8_t buf[2048];
	struct got g = { 0 };
	struct bf_tmfifo_hdr h = { .type = BF_TMFIFO_MAC_2 };
	size_t n;

	(void)state;
	bf_tmfifo_rx_init(&rx);
	/* control message with a bad checksum */
	bf_tmfifo_hdr_encode(&h, buf);
	buf[7] ^= 0x10;
	bf_tmfifo_rx_feed(&rx, buf, 8, collect, &g);
	assert_int_equal(g.ctrl, 0);
	assert_int_equal(rx.bad_csum, 1);
	/* oversized network packet: skipped, the next packet still arrives */
	memset(buf, 0, sizeof(buf));
	h.type = BF_TMFIFO_NET;
	h.len = 1600;
	bf_tmfifo_hdr_encode(&h, buf);
	bf_tmfifo_rx_feed(&rx, buf, 8 + 1600, collect, &g);
	n = bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "ok", 2, buf, sizeof(buf));
	bf_tmfifo_rx_feed(&rx, buf, n, collect, &g);
	assert_int_equal(g.net, 0);
	assert_int_equal(g.clen, 2);
	/* unknown type with a payload: the rest of the buffer is dropped */
	h.type = 0x42;
	h.len = 16;
	bf_tmfifo_hdr_encode(&h, buf);
	n = 8 + 16 + bf_tmfifo_frame(BF_TMFIFO_CONSOLE, "lost", 4, buf + 24, sizeof(buf) - 24);
	bf_tmfifo_rx_feed(&rx, buf, n, collect, &g);
	assert_int_equal(g.clen, 2);
	assert_int_equal(rx.desync, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_layout),
		cmocka_unit_test(padding),
		cmocka_unit_test(receiver_in_pieces),
		cmocka_unit_test(receiver_drops),
	};

	return cmocka_run_group_tests_name("tmfifo", tests, NULL, NULL);
}
