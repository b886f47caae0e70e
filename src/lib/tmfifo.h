/* tmfifo.h - tile-monitor FIFO framing (bf_tmfifo_*): the 8-byte message
 * header that multiplexes the console and the network over the TM FIFOs,
 * on both sides (host rshim, DPU mlxbf-tmfifo). Pure buffer functions.
 * Facts: doc/rshim.md section 4.
 *
 * Header (one FIFO word, byte 0 first on the wire):
 *   byte 0    type: 1 network, 3 console; control 0xFB..0xFF
 *   bytes 1-2 payload length, big-endian (header and padding excluded)
 *   bytes 3-6 MAC bytes / PXE id / VLAN ids (control messages)
 *   byte 7    checksum: all 8 bytes sum to 0 mod 256; 0 = none (legacy)
 * The payload follows, padded to the next 8-byte boundary.
 */
#ifndef BF_TMFIFO_H
#define BF_TMFIFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_TMFIFO_HDR_LEN   8
#define BF_TMFIFO_NET_MAX   1536     /* len + 8 > 1544 is dropped */

enum bf_tmfifo_type {
	BF_TMFIFO_NET = 1,
	BF_TMFIFO_CONSOLE = 3,
	BF_TMFIFO_VLAN_ID = 0xfb,
	BF_TMFIFO_PXE_ID = 0xfc,
	BF_TMFIFO_CTRL_REQ = 0xfd,
	BF_TMFIFO_MAC_1 = 0xfe,
	BF_TMFIFO_MAC_2 = 0xff,
};

struct bf_tmfifo_hdr {
	uint8_t type;
	uint16_t len;
	uint8_t data[4];       /* bytes 3-6 */
	uint8_t csum;          /* as received (decode) */
};

/* Header bytes with the checksum computed. */
void bf_tmfifo_hdr_encode(const struct bf_tmfifo_hdr *h, uint8_t out[BF_TMFIFO_HDR_LEN]);
/* The same header as the little-endian FIFO word. */
uint64_t bf_tmfifo_hdr_word(const struct bf_tmfifo_hdr *h);
/* Decode; returns true when the checksum is valid (or 0 = none). */
bool bf_tmfifo_hdr_decode(const uint8_t in[BF_TMFIFO_HDR_LEN], struct bf_tmfifo_hdr *h);
void bf_tmfifo_word_bytes(uint64_t w, uint8_t out[8]);
uint64_t bf_tmfifo_bytes_word(const uint8_t in[8]);

/* Padding after a payload of len bytes: (8 - ((len + 8) & 7)) & 7. */
static inline size_t bf_tmfifo_pad(size_t len) { return (8 - ((len + 8) & 7)) & 7; }

/* One packet (header + payload + zero padding) into out. Returns its
 * length, or 0 when cap is too small or len > 0xffff. */
size_t bf_tmfifo_frame(uint8_t type, const void *payload, size_t len, uint8_t *out, size_t cap);

/* Streaming receiver: feed the FIFO's bytes in any pieces; each packet's
 * payload is delivered to the callback (console payloads may come in
 * several pieces; network packets come whole). */
typedef void (*bf_tmfifo_rx_cb)(void *ctx, uint8_t type, const uint8_t *buf, size_t len);

struct bf_tmfifo_rx {
	uint8_t hdr[BF_TMFIFO_HDR_LEN];
	unsigned hfill;
	struct bf_tmfifo_hdr cur;
	size_t left;           /* payload bytes still to come */
	size_t pad;            /* padding bytes still to skip */
	bool discard;          /* current payload is being dropped */
	uint8_t net[BF_TMFIFO_NET_MAX];
	size_t nfill;
	/* counters */
	uint64_t packets, dropped, bad_csum, desync;
};

void bf_tmfifo_rx_init(struct bf_tmfifo_rx *rx);
/* Process len bytes. Control messages with a bad checksum, oversized
 * network packets and (for the rest of this buffer) unknown types are
 * dropped and counted, as the upstream receivers do. */
void bf_tmfifo_rx_feed(struct bf_tmfifo_rx *rx, const uint8_t *buf, size_t len,
		       bf_tmfifo_rx_cb cb, void *ctx);

#endif
