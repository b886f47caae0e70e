/* net.c - the simulated DPU's end of the tmfifo network: network packets
 * from the host go out of a TAP interface in the DPU's network namespace
 * (`bfsim run --net` makes it and passes its fd as $BFSIM_NET_FD); frames
 * from that TAP come back as network packets in the tile-to-host FIFO.
 * Also the control exchange of spec rshim.md 4: MAC_1/MAC_2, PXE_ID and
 * VLAN_ID from the host are kept (they take effect at the next boot on
 * hardware), CTRL_REQ is answered with MAC_1, MAC_2, VLAN_ID, PXE_ID. Only
 * a running OS has the driver: console.c calls in here in the OS phase. */
#include "config.h"
#include "sim_int.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EMPTY_RETRY_NS 1000000ull   /* TAP empty: next look in 1 ms */

static void net_init(struct bf_sim *s)
{
	static const uint8_t dpu_mac[6] = { 0x00, 0x1a, 0xca, 0xff, 0xff, 0x01 };
	const char *e = getenv("BFSIM_NET_FD");
	struct sim_net *n = &s->net;

	if (n->init)
		return;
	n->init = true;
	n->fd = -1;
	memcpy(n->mac, dpu_mac, 6);
	if (e && *e) {
		char *end;
		long fd = strtol(e, &end, 10);

		if (!*end && fd > 2 && fd < 65536 && fcntl((int)fd, F_GETFD) >= 0)
			n->fd = (int)fd;
	}
}

static void queue_ctrl(struct bf_sim *s, uint8_t type, const uint8_t data[4])
{
	struct bf_tmfifo_hdr h = { .type = type };

	memcpy(h.data, data, 4);
	if (s->net.nctrl < sizeof(s->net.ctrl) / sizeof(s->net.ctrl[0]))
		s->net.ctrl[s->net.nctrl++] = bf_tmfifo_hdr_word(&h);
}

void bf_sim_net_from_host(struct bf_sim *s, uint8_t type, const uint8_t *buf, size_t len)
{
	struct sim_net *n = &s->net;
	uint8_t d[4] = { 0 };

	net_init(s);
	switch (type) {
	case BF_TMFIFO_NET:
		if (n->fd < 0 || len < 14 || write(n->fd, buf, len) != (ssize_t)len)
			s->net_dropped++;
		else
			n->rx_pkts++;
		return;
	case BF_TMFIFO_MAC_1:
		if (len >= 3)
			memcpy(n->mac, buf, 3);
		return;
	case BF_TMFIFO_MAC_2:
		if (len >= 3)
			memcpy(n->mac + 3, buf, 3);
		return;
	case BF_TMFIFO_PXE_ID:
		if (len >= 4)
			n->pxe_id = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
				    (uint32_t)buf[3] << 24;
		return;
	case BF_TMFIFO_VLAN_ID:
		if (len >= 4) {
			n->vlan[0] = (uint16_t)(buf[0] << 8 | buf[1]);
			n->vlan[1] = (uint16_t)(buf[2] << 8 | buf[3]);
		}
		return;
	case BF_TMFIFO_CTRL_REQ:
		memcpy(d, n->mac, 3);
		queue_ctrl(s, BF_TMFIFO_MAC_1, d);
		memcpy(d, n->mac + 3, 3);
		queue_ctrl(s, BF_TMFIFO_MAC_2, d);
		d[0] = (uint8_t)(n->vlan[0] >> 8);
		d[1] = (uint8_t)n->vlan[0];
		d[2] = (uint8_t)(n->vlan[1] >> 8);
		d[3] = (uint8_t)n->vlan[1];
		queue_ctrl(s, BF_TMFIFO_VLAN_ID, d);
		d[0] = (uint8_t)n->pxe_id;
		d[1] = (uint8_t)(n->pxe_id >> 8);
		d[2] = (uint8_t)(n->pxe_id >> 16);
		d[3] = (uint8_t)(n->pxe_id >> 24);
		queue_ctrl(s, BF_TMFIFO_PXE_ID, d);   /* last: the answer is complete */
		return;
	default:
		return;
	}
}

void bf_sim_net_tick(struct bf_sim *s, size_t (*free_words)(const struct bf_sim *),
		     void (*push)(struct bf_sim *, const uint8_t *, size_t))
{
	struct sim_net *n = &s->net;
	uint8_t frame[BF_TMFIFO_NET_MAX + 64];

	net_init(s);
	while (n->nctrl && free_words(s) >= 1) {
		uint8_t w[8];

		bf_tmfifo_word_bytes(n->ctrl[0], w);
		push(s, w, 8);
		memmove(n->ctrl, n->ctrl + 1, (n->nctrl - 1) * sizeof(n->ctrl[0]));
		n->nctrl--;
	}
	for (;;) {
		ssize_t got;
		uint64_t now;

		if (n->pend_len) {
			if (free_words(s) < n->pend_len / 8)
				return;
			push(s, n->pend, n->pend_len);
			n->pend_len = 0;
			n->tx_pkts++;
		}
		if (n->fd < 0)
			return;
		now = bf_clock_ns();
		if (now < n->next_read_ns)
			return;
		got = read(n->fd, frame, sizeof(frame));
		if (got <= 0) {
			n->next_read_ns = now + EMPTY_RETRY_NS;
			return;
		}
		if ((size_t)got > BF_TMFIFO_NET_MAX) {
			s->net_dropped++;   /* longer than the host takes */
			continue;
		}
		n->pend_len = bf_tmfifo_frame(BF_TMFIFO_NET, frame, (size_t)got, n->pend, sizeof(n->pend));
	}
}
