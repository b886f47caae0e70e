/* netns.c - `bfsim run --net`: the simulated DPU's network namespace (its
 * tmfifo_net0, 192.168.100.2/24, MAC 00:1a:ca:ff:ff:01, where the DPU's
 * services run) held by a small child process, and COMMAND in a network
 * namespace of its own, where rshimd makes the host's tmfifo_net0. The
 * DPU's TAP fd reaches the simulator as $BFSIM_NET_FD; the namespace is
 * $BFSIM_DPU_NETNS (for nsenter --net=...). */
#include "config.h"
#include "netns.h"
#include "error.h"
#include "log.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define DPU_IF    "tmfifo_net0"
#define DPU_ADDR  "192.168.100.2"

static int send_fd(int sk, int fd)
{
	char c = 'F';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c1 = CMSG_FIRSTHDR(&m);

	memset(u.buf, 0, sizeof(u.buf));
	c1->cmsg_level = SOL_SOCKET;
	c1->cmsg_type = SCM_RIGHTS;
	c1->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c1), &fd, sizeof(int));
	return sendmsg(sk, &m, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sk)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c1;
	int fd;

	if (recvmsg(sk, &m, MSG_CMSG_CLOEXEC) != 1)
		return -EIO;
	c1 = CMSG_FIRSTHDR(&m);
	if (!c1 || c1->cmsg_type != SCM_RIGHTS || c1->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EIO;
	memcpy(&fd, CMSG_DATA(c1), sizeof(int));
	return fd;
}

/* The holder: the DPU's namespace lives as long as this process. */
static void holder(int sk)
{
	uint8_t mac[6];
	char c;
	int fd;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "bfsim run --net: cannot make the DPU's network namespace: %s\n", strerror(errno));
		_exit(1);
	}
	bf_tap_lo_up();
	bf_tap_dpu_mac(mac);
	fd = bf_tap_open(DPU_IF, mac);
	if (fd < 0 || bf_tap_set_ipv4(DPU_IF, DPU_ADDR, 24) < 0 || send_fd(sk, fd) < 0) {
		fprintf(stderr, "bfsim run --net: %s\n", bf_error_or("cannot pass the TAP"));
		_exit(1);
	}
	/* Until bfsim closes its end (or dies). */
	while (read(sk, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

int bf_sim_netns_start(struct bf_sim_netns *n)
{
	int sv[2], fd;
	char buf[64];

	n->holder = -1;
	n->sock = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return bf_error_ret(errno, "bfsim run --net: socketpair: %s", strerror(errno));
	n->holder = fork();
	if (n->holder < 0) {
		close(sv[0]);
		close(sv[1]);
		return bf_error_ret(errno, "bfsim run --net: fork: %s", strerror(errno));
	}
	if (n->holder == 0) {
		close(sv[0]);
		holder(sv[1]);
	}
	close(sv[1]);
	n->sock = sv[0];
	fd = recv_fd(n->sock);
	if (fd < 0)
		return bf_error_ret(EIO, "bfsim run --net: the DPU's network namespace could not be set up "
				    "(needs root, /dev/net/tun)");
	/* Inherited by COMMAND: the simulator reads it in whichever process
	 * holds the device. */
	if (fcntl(fd, F_SETFD, 0) < 0)
		return bf_error_ret(errno, "bfsim run --net: fcntl: %s", strerror(errno));
	n->tapfd = fd;
	snprintf(buf, sizeof(buf), "%d", fd);
	setenv("BFSIM_NET_FD", buf, 1);
	snprintf(buf, sizeof(buf), "/proc/%ld/ns/net", (long)n->holder);
	setenv("BFSIM_DPU_NETNS", buf, 1);
	bf_info("the DPU's %s (%s) is in %s", DPU_IF, DPU_ADDR, buf);
	return 0;
}

int bf_sim_netns_enter(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return bf_error_ret(errno, "bfsim run --net: cannot give COMMAND a network namespace: %s",
				    strerror(errno));
	return bf_tap_lo_up();
}

void bf_sim_netns_stop(struct bf_sim_netns *n)
{
	if (n->sock >= 0)
		close(n->sock);
	n->sock = -1;
	if (n->holder > 0) {
		kill(n->holder, SIGTERM);
		while (waitpid(n->holder, NULL, 0) < 0 && errno == EINTR)
			;
	}
	n->holder = -1;
}
