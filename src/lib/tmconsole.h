/* tmconsole.h - the DPU console (hvc0) over the tmfifo, host side
 * (bf_tmconsole_*), through the TM FIFO registers: console packets (type
 * 3) framed as spec/rshim.md 4, never filling the FIFO past the 3 words
 * the host keeps free. */
#ifndef BF_TMCONSOLE_H
#define BF_TMCONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rshim.h"
#include "tmfifo.h"

struct bf_tmconsole {
	struct bf_rshim *r;
	struct bf_tmfifo_rx rx;
	void (*out)(void *ctx, const uint8_t *buf, size_t len);   /* console bytes from the DPU */
	void *ctx;
	/* network frames from the DPU (type 1), when set (tmfifo_net) */
	void (*net)(void *ctx, const uint8_t *frame, size_t len);
	uint64_t tx_bytes, rx_bytes;
	/* when set and non-zero, stop waiting for a packet sent in part
	 * (as bf_stop_requested() does) */
	const volatile int *stop;
};

void bf_tmconsole_init(struct bf_tmconsole *c, struct bf_rshim *r,
		       void (*out)(void *ctx, const uint8_t *buf, size_t len), void *ctx);
/* Queue console bytes to the DPU: as many as the host-to-tile FIFO takes
 * now (0 when full). Returns the bytes sent or -errno. Through a backend's
 * TM FIFO endpoint a packet taken in part must be finished: when the DPU
 * takes no more of it for 5 tries or 5 s, -ETIMEDOUT; on a stop request
 * (bf_stop_requested() or *stop), -EINTR; both with a sentence. */
ssize_t bf_tmconsole_write(struct bf_tmconsole *c, const void *buf, size_t len);
/* Send one network frame (type 1) whole: 1 sent, 0 no room now (try
 * again), or -errno (-ETIMEDOUT, -EINTR as bf_tmconsole_write). */
int bf_tmconsole_send_net(struct bf_tmconsole *c, const void *frame, size_t len);
/* Drain the tile-to-host FIFO once, delivering console bytes to out.
 * Returns the words read or -errno. */
int bf_tmconsole_poll(struct bf_tmconsole *c);

#endif
