/* net.c - tmfifo_net<N>: a TAP interface whose frames travel as TM FIFO
 * network packets (type 1, the frame as payload), with the upstream
 * default MAC 00:1a:ca:ff:ff:02 + 2*N (spec rshim.md 4). Addresses are
 * left to the system (upstream runs ifup; 192.168.100.1 by convention). */
#include "config.h"
#include "rshimd.h"
#include "error.h"
#include "log.h"
#include "tap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int bf_rshimd_net_open(struct bf_rshimd_dev *d)
{
	uint8_t mac[6];
	int fd;

	snprintf(d->ifname, sizeof(d->ifname), "tmfifo_net%u", d->index);
	bf_tap_host_mac(d->index, mac);
	fd = bf_tap_open(d->ifname, mac);
	if (fd < 0)
		return fd;
	d->tapfd = fd;
	bf_info("rshim%u: %s up (%02x:%02x:%02x:%02x:%02x:%02x)", d->index, d->ifname,
		mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return 0;
}

void bf_rshimd_net_close(struct bf_rshimd_dev *d)
{
	if (d->tapfd >= 0)
		close(d->tapfd);
	d->tapfd = -1;
}

void bf_rshimd_net_deliver(struct bf_rshimd_dev *d, const uint8_t *frame, size_t len)
{
	if (d->tapfd < 0 || len < 14 || len > BF_TAP_FRAME_MAX) {
		d->net_drops++;
		return;
	}
	if (write(d->tapfd, frame, len) != (ssize_t)len)
		d->net_drops++;
	else
		d->net_rx_pkts++;
}

void bf_rshimd_net_fill(struct bf_rshimd_dev *d)
{
	ssize_t n;

	if (d->tapfd < 0 || d->net_len)
		return;
	for (;;) {
		n = read(d->tapfd, d->net_frame, sizeof(d->net_frame));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if ((size_t)n > BF_TAP_FRAME_MAX) {
			d->net_drops++;   /* longer than the DPU takes */
			continue;
		}
		d->net_len = (size_t)n;
		return;
	}
}
