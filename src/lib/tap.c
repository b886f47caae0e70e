/* tap.c - TAP interfaces for the tmfifo network. */
#include "config.h"
#include "tap.h"
#include "error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The raw system call: an LD_PRELOAD ioctl wrapper in the process (the
 * umockdev preload that bfsim's USB transport puts under COMMAND) answers
 * requests on descriptors it does not know with ENOTTY. */
static int tap_ioctl(int fd, unsigned long req, void *arg)
{
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

void bf_tap_host_mac(unsigned index, uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x00, 0x1a, 0xca, 0xff, 0xff, 0x02 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(mac[5] + 2 * index);
}

void bf_tap_dpu_mac(uint8_t mac[6])
{
	static const uint8_t base[6] = { 0x00, 0x1a, 0xca, 0xff, 0xff, 0x01 };

	memcpy(mac, base, 6);
}

static int set_flags_up(int sk, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (tap_ioctl(sk, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (tap_ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

int bf_tap_open(const char *name, const uint8_t mac[6])
{
	struct ifreq ifr;
	int fd, sk, r;

	if (strlen(name) >= IFNAMSIZ)
		return bf_error_ret(EINVAL, "interface name '%s' too long", name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "%s: cannot open /dev/net/tun: %s (load the tun module; needs root)",
				    name, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (tap_ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = errno;
		close(fd);
		return bf_error_ret(r, "%s: cannot create the TAP interface: %s", name, strerror(r));
	}
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		r = errno;
		close(fd);
		return bf_error_ret(r, "%s: socket: %s", name, strerror(r));
	}
	if (mac) {
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
		if (tap_ioctl(sk, SIOCSIFHWADDR, &ifr) < 0) {
			r = errno;
			close(sk);
			close(fd);
			return bf_error_ret(r, "%s: cannot set the MAC address: %s", name, strerror(r));
		}
	}
	r = set_flags_up(sk, name);
	close(sk);
	if (r < 0) {
		close(fd);
		return bf_error_ret(-r, "%s: cannot bring the interface up: %s", name, strerror(-r));
	}
	return fd;
}

int bf_tap_set_ipv4(const char *name, const char *addr, unsigned prefix)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int sk, r = 0;

	if (prefix > 32 || strlen(name) >= IFNAMSIZ)
		return bf_error_ret(EINVAL, "%s: bad address %s/%u", name, addr, prefix);
	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0)
		return bf_error_ret(errno, "%s: socket: %s", name, strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		r = -EINVAL;
	else if (tap_ioctl(sk, SIOCSIFADDR, &ifr) < 0)
		r = -errno;
	if (r == 0) {
		sin->sin_addr.s_addr = prefix ? htonl(0xffffffffu << (32 - prefix)) : 0;
		if (tap_ioctl(sk, SIOCSIFNETMASK, &ifr) < 0)
			r = -errno;
	}
	close(sk);
	if (r < 0)
		return bf_error_ret(-r, "%s: cannot set address %s/%u: %s", name, addr, prefix, strerror(-r));
	return 0;
}

int bf_tap_lo_up(void)
{
	int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (sk < 0)
		return -errno;
	r = set_flags_up(sk, "lo");
	close(sk);
	return r;
}
