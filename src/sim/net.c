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
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#define EMPTY_RETRY_NS 1000000ull   /* TAP empty: next look in 1 ms */

static void net_init(struct bf_sim *s)
{
	static const uint8_t dpu_mac[6] = { 0x00, 0x1a, 0xca, 0xff, 0xff, 0x01 };
	const char *e;
	struct sim_net *n = &s->net;

	if (n->init)
		return;
	n->init = true;
	n->fd = -1;
	n->lfd = -1;
	memcpy(n->mac, dpu_mac, 6);
	e = getenv("BFSIM_NET_LISTEN");
	if (e && *e) {
		char *end;
		long fd = strtol(e, &end, 10);

		if (!*end && fd > 2 && fd < 65536 && fcntl((int)fd, F_GETFD) >= 0) {
			n->lfd = (int)fd;
			n->stream = true;
		}
		return;
	}
	e = getenv("BFSIM_NET_FD");
	if (e && *e) {
		char *end;
		long fd = strtol(e, &end, 10);

		if (!*end && fd > 2 && fd < 65536 && fcntl((int)fd, F_GETFD) >= 0)
			n->fd = (int)fd;
	}
}

/* QEMU's stream netdev: a 4-byte big-endian length, then the frame. */
static bool stream_send(struct sim_net *n, const uint8_t *buf, size_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };
	struct iovec iov[2] = { { hdr, 4 }, { (void *)buf, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

	return sendmsg(n->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)(len + 4);
}

/* One whole frame from the stream peer into frame: its length, 0 none
 * yet, -1 the peer went away or broke the framing. */
static ssize_t stream_recv(struct sim_net *n, uint8_t *frame, size_t cap)
{
	size_t want, len;
	ssize_t got;

	if (n->fd < 0) {
		n->fd = accept4(n->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		n->sfill = 0;
		if (n->fd < 0)
			return 0;
	}
	for (;;) {
		len = n->sfill < 4 ? 0 : ((size_t)n->sbuf[0] << 24 | (size_t)n->sbuf[1] << 16 |
					  (size_t)n->sbuf[2] << 8 | n->sbuf[3]);
		if (len > cap || len + 4 > sizeof(n->sbuf))
			goto gone;
		if (n->sfill >= 4 && len == 0) {
			n->sfill = 0;   /* an empty frame: nothing to pass on */
			return 0;
		}
		want = n->sfill < 4 ? 4 : 4 + len;
		if (n->sfill == want) {
			memcpy(frame, n->sbuf + 4, len);
			n->sfill = 0;
			return (ssize_t)len;
		}
		got = read(n->fd, n->sbuf + n->sfill, want - n->sfill);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			goto gone;
		if (got < 0)
			return 0;
		n->sfill += (size_t)got;
	}
gone:
	close(n->fd);
	n->fd = -1;
	n->sfill = 0;
	return -1;
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
		if (n->fd < 0 || len < 14 || (n->stream ? stream_send(n, buf, len) : write(n->fd, buf, len) != (ssize_t)len))
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
		if (n->fd < 0 && !n->stream)
			return;
		now = bf_clock_ns();
		if (now < n->next_read_ns)
			return;
		got = n->stream ? stream_recv(n, frame, sizeof(frame)) : read(n->fd, frame, sizeof(frame));
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
