/* provision_link.c - tmfifo_net on the host for the hand-off. Through
 * rshimd (a device named rshimN), its tmfifo_netN is used as it is. For a
 * device this process drives itself (sim:N, usb:..., pcie:...), the
 * library brings up its own tmfifo_net<N>: a TAP interface with the host
 * MAC of the upstream driver, its frames carried as TM FIFO network
 * packets (type 1) by a pump thread, as rshimd does. Either way the host
 * side gets its address (192.168.100.1/30 by default) when it has none. */
#include "config.h"
#include "provision_int.h"
#include "clock.h"
#include "error.h"
#include "rshim.h"
#include "tap.h"
#include "tmconsole.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bf_prov_link {
	struct bf_tmconsole tc;
	int tapfd;
	pthread_t th;
	volatile int stop;
	volatile int gone;   /* the last poll's error: -ENODEV once the device vanished */
	uint64_t tx, rx, drops;
};

static void to_tap(void *ctx, const uint8_t *frame, size_t len)
{
	struct bf_prov_link *l = ctx;

	if (len < 14 || len > BF_TAP_FRAME_MAX || write(l->tapfd, frame, len) != (ssize_t)len)
		l->drops++;
	else
		l->rx++;
}

static void *pump(void *arg)
{
	struct bf_prov_link *l = arg;
	uint8_t frame[BF_TAP_FRAME_MAX + 64];
	size_t pend = 0;

	while (!l->stop) {
		struct pollfd pfd = { .fd = l->tapfd, .events = POLLIN };
		int moved = 0, r;

		if (!pend) {
			ssize_t n = read(l->tapfd, frame, sizeof(frame));

			if (n > 0 && (size_t)n <= BF_TAP_FRAME_MAX)
				pend = (size_t)n;
		}
		if (pend) {
			r = bf_tmconsole_send_net(&l->tc, frame, pend);
			if (r != 0) {
				pend = 0;
				moved = 1;
				l->tx += r > 0;
			}
		}
		r = bf_tmconsole_poll(&l->tc);
		l->gone = r == -ENODEV ? r : 0;
		if (r > 0)
			moved = 1;
		if (r < 0 && r != -EAGAIN)
			bf_clock_sleep_ns(10000000ull);   /* the device is away: look again soon */
		if (!moved && !pend)
			poll(&pfd, 1, 1);
	}
	return NULL;
}

static bool via_daemon(const char *dev, unsigned *index)
{
	const char *b = strrchr(dev, '/');
	char *end;
	unsigned long n;

	b = b ? b + 1 : dev;
	if (strncmp(b, "rshim", 5) || !b[5])
		return false;
	n = strtoul(b + 5, &end, 10);
	if (*end || n > 63)
		return false;
	*index = (unsigned)n;
	return true;
}

static unsigned own_index(const char *dev)
{
	if (!strncmp(dev, "sim:", 4)) {
		unsigned long n = strtoul(dev + 4, NULL, 10);

		return n < 64 ? (unsigned)n : 0;
	}
	return 0;
}

int bf_prov_link_up(struct bf_prov *p)
{
	const char *dev = p->o->device, *addr = p->o->host_addr ? p->o->host_addr : "192.168.100.1";
	struct bf_prov_link *l;
	uint8_t mac[6];
	unsigned idx;
	int i, r;

	if (via_daemon(dev, &idx)) {
		snprintf(p->ifname, sizeof(p->ifname), "tmfifo_net%u", idx);
		for (i = 0; i < 100 && !if_nametoindex(p->ifname); i++)
			bf_clock_sleep_ns(100000000ull);
		if (!if_nametoindex(p->ifname))
			return bf_prov_fail(p, BF_EXIT_DEVICE, -ENODEV, "start rshimd with its network (no -n)",
					    "%s: rshimd gives no %s", dev, p->ifname);
		bf_prov_info(p, "using %s from rshimd", p->ifname);
	} else {
		if (!p->r)
			return bf_prov_fail(p, BF_EXIT_DEVICE, -ENODEV, NULL, "%s: the device is not open", dev);
		idx = own_index(dev);
		snprintf(p->ifname, sizeof(p->ifname), "tmfifo_net%u", idx);
		l = calloc(1, sizeof(*l));
		if (!l)
			return bf_prov_fail(p, BF_EXIT_FAILURE, -ENOMEM, NULL, "%s: out of memory", dev);
		bf_tap_host_mac(idx, mac);
		l->tapfd = bf_tap_open(p->ifname, mac);
		if (l->tapfd < 0) {
			r = l->tapfd;
			free(l);
			return bf_prov_fail(p, BF_EXIT_DEVICE, r, "run as root with /dev/net/tun, or through rshimd",
					    "%s: cannot bring up %s: %s", dev, p->ifname, bf_error_str(r));
		}
		bf_tmconsole_init(&l->tc, p->r, NULL, l);
		l->tc.net = to_tap;
		l->tc.stop = &l->stop;
		if ((r = pthread_create(&l->th, NULL, pump, l)) != 0) {
			close(l->tapfd);
			free(l);
			return bf_prov_fail(p, BF_EXIT_FAILURE, -r, NULL, "%s: cannot start the tmfifo pump", dev);
		}
		p->link = l;
		bf_prov_info(p, "brought up the library's own %s (no rshimd)", p->ifname);
	}
	r = bf_tap_set_ipv4(p->ifname, addr, 30);
	if (r < 0 && r != -EEXIST)
		bf_prov_info(p, "%s: address %s/30 not set (%s); using what it has", p->ifname, addr,
			     bf_error_str(r));
	bf_error_clear();
	return 0;
}

bool bf_prov_link_gone(const struct bf_prov *p)
{
	if (p->link)
		return p->link->gone == -ENODEV;
	/* rshimd removes its tmfifo_net when it loses the device */
	return p->ifname[0] && !if_nametoindex(p->ifname);
}

/* rshimd keeps a vanished device's files and tmfifo_net for a grace
 * period (10 s) in case it comes straight back; SSH may notice the loss
 * before that ends, or after. The wait covers the grace and a margin. */
#define GONE_WAIT_NS   13000000000ull
#define GONE_POLL_NS   200000000ull

bool bf_prov_link_gone_wait(struct bf_prov *p)
{
	uint64_t end = bf_clock_ns() + GONE_WAIT_NS;

	if (bf_prov_link_gone(p))
		return true;
	bf_prov_info(p, "the SSH connection over %s was lost: waiting up to %llu s to see whether the device left the host",
		     p->ifname, GONE_WAIT_NS / 1000000000ull);
	while (bf_clock_ns() < end && !bf_prov_stopped(p)) {
		bf_clock_sleep_ns(GONE_POLL_NS);
		if (bf_prov_link_gone(p))
			return true;
	}
	return false;
}

void bf_prov_link_down(struct bf_prov *p)
{
	struct bf_prov_link *l = p->link;

	if (!l)
		return;
	l->stop = 1;
	pthread_join(l->th, NULL);
	close(l->tapfd);
	free(l);
	p->link = NULL;
}
