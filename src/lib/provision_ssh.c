/* provision_ssh.c - SSH to the DPU over tmfifo_net with libssh: the TCP
 * connection bound to this device's tmfifo_net (so that many DPUs with
 * the same 192.168.100.2 can be reached from one host), the server's
 * host key checked against the fingerprint pinned from the RShim log
 * (never trust on first use, no known_hosts, no password), public key
 * authentication with the device's own key, and commands over exec
 * channels. */
#include "config.h"
#include "provision_int.h"
#include "clock.h"
#include "dl_ssh.h"
#include "error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HANDSHAKE_TRIES 5
#define CONNECT_TRY_S  3.0
#define IO_CHUNK       32768

struct bf_prov_ssh {
	ssh_session s;
	int fd;
};

static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;

static void ssh_global_init(void)
{
	dl_ssh_init();
}

/* A link that goes away (the DPU reset, the cable pulled, tmfifo_net
 * down) ends the connection within about LINK_DEAD_S, not after TCP's
 * default of many minutes: keepalive probes while idle, a bound on
 * unacknowledged data while sending. */
static void keepalive(int fd)
{
	int on = 1, idle = 5, intvl = 2, cnt = 3;
	unsigned ut = 15000;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut));
}

/* One TCP connect to addr:22 through ifname, within t seconds. fd or -errno. */
static int tcp_connect(const char *ifname, const char *addr, double t)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(22) };
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, err = 0;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, (int)(t * 1000)) != 1) {
		close(fd);
		return -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0 || err) {
		close(fd);
		return -(err ? err : EIO);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	keepalive(fd);
	return fd;
}

static int check_host_key(struct bf_prov *p, ssh_session s)
{
	ssh_key key = NULL;
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp = NULL, got[BF_PROV_FP_MAX];

	if (dl_ssh_get_server_publickey(s, &key) != SSH_OK)
		return bf_prov_fail(p, BF_EXIT_DEVICE, -EPROTO, NULL, "%s: the DPU's SSH server sent no host key", p->o->device);
	if (dl_ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) == 0)
		fp = dl_ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	dl_ssh_clean_pubkey_hash(&hash);
	dl_ssh_key_free(key);
	if (!fp)
		return bf_prov_fail(p, BF_EXIT_FAILURE, -EIO, NULL, "%s: cannot hash the DPU's host key", p->o->device);
	snprintf(got, sizeof(got), "%s", fp);
	dl_ssh_string_free_char(fp);
	if (strcmp(got, p->fp))
		return bf_prov_fail(p, BF_EXIT_DEVICE, -EKEYREJECTED,
				    "nothing was sent; if the DPU was reinstalled by other means, run 'bfctl provision --reinstall' to pin its key from the RShim log again, otherwise treat 192.168.100.2 on this link as hostile",
				    "%s: the SSH host key on tmfifo_net (%s) is not the one pinned from the RShim log (%s)",
				    p->o->device, got, p->fp);
	return 0;
}

static int authenticate(struct bf_prov *p, ssh_session s)
{
	char path[4200];
	ssh_key key = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/id_ed25519", p->state_dir);
	if (dl_ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK)
		return bf_prov_fail(p, BF_EXIT_INPUT, -ENOKEY, "run 'bfctl provision --reinstall' to make a new key and install it",
				    "%s: the device's SSH key %s is missing or unreadable", p->o->device, path);
	r = dl_ssh_userauth_publickey(s, NULL, key);
	dl_ssh_key_free(key);
	if (r != SSH_AUTH_SUCCESS)
		return bf_prov_fail(p, BF_EXIT_DEVICE, -EACCES,
				    "the DPU does not hold this host's key (installed by another host, or removed): run 'bfctl provision --reinstall'",
				    "%s: the DPU refused the device's SSH key (%s)", p->o->device, path);
	return 0;
}

/* TCP to sshd, tried until it answers or wait_s from t0 (and the
 * provision's deadline) pass: the socket, or the failure reported. */
static int reach(struct bf_prov *p, const char *addr, double t0, double wait_s)
{
	int tries = 0, fd;
	double left;

	for (;;) {
		left = wait_s - (bf_clock_ns() / 1e9 - t0);
		if (left > bf_prov_left(p))
			left = bf_prov_left(p);
		if (bf_prov_stopped(p))
			return bf_prov_fail(p, BF_EXIT_INTERRUPTED, -EINTR, NULL, "%s: stopped", p->o->device);
		fd = tcp_connect(p->ifname, addr, left < CONNECT_TRY_S ? (left > 0.1 ? left : 0.1) : CONNECT_TRY_S);
		if (fd >= 0)
			return fd;
		tries++;
		if (tries == 1 || tries % 10 == 0)
			bf_prov_info(p, "SSH on %s:22 over %s not reachable yet (%s); retrying", addr, p->ifname, strerror(-fd));
		if (left <= 0)
			return bf_prov_fail(p, BF_EXIT_TIMEOUT, -EHOSTUNREACH,
					    "check that the DPU booted its OS ('bfctl console'), that tmfifo_net is up, and that sshd runs on the DPU",
					    "%s: SSH on %s over %s did not answer within %.0f s (%d tries, last: %s)",
					    p->o->device, addr, p->ifname, wait_s, tries, strerror(-fd));
		bf_clock_sleep_ns(500000000ull);
	}
}

/* The SSH session on a connected socket (taken over: closed with c):
 * 0 with *out, or -EAGAIN when the handshake failed (its reason in why). */
static int handshake(struct bf_prov *p, const char *addr, int fd, struct bf_prov_ssh **out, char *why, size_t cap)
{
	const char *user = p->o->user ? p->o->user : "root";
	struct bf_prov_ssh *c = calloc(1, sizeof(*c));
	long tmo = 30;
	int off = 0;

	if (!c || !(c->s = dl_ssh_new())) {
		free(c);
		close(fd);
		return bf_prov_fail(p, BF_EXIT_FAILURE, -ENOMEM, NULL, "%s: out of memory", p->o->device);
	}
	c->fd = fd;
	dl_ssh_options_set(c->s, SSH_OPTIONS_PROCESS_CONFIG, &off);
	dl_ssh_options_set(c->s, SSH_OPTIONS_HOST, addr);
	dl_ssh_options_set(c->s, SSH_OPTIONS_USER, user);
	dl_ssh_options_set(c->s, SSH_OPTIONS_FD, &c->fd);
	dl_ssh_options_set(c->s, SSH_OPTIONS_HOSTKEYS, "ssh-ed25519");
	dl_ssh_options_set(c->s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
	dl_ssh_options_set(c->s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	dl_ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &tmo);
	if (dl_ssh_connect(c->s) != SSH_OK) {
		snprintf(why, cap, "%.200s", dl_ssh_get_error(c->s));
		bf_prov_ssh_close(c);
		return -EAGAIN;
	}
	*out = c;
	return 0;
}

int bf_prov_ssh_open(struct bf_prov *p, double wait_s, struct bf_prov_ssh **out)
{
	const char *addr = p->o->dpu_addr ? p->o->dpu_addr : "192.168.100.2";
	double t0 = bf_clock_ns() / 1e9;
	struct bf_prov_ssh *c = NULL;
	char why[256];
	int fd, r, tries;

	if ((r = bf_dl_ssh()) < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: %s", p->o->device, bf_error_get());
	pthread_once(&ssh_once, ssh_global_init);
	/* sshd on a DPU that just booted may take the connection and drop it
	 * (still starting, or restarted with new host keys): tried again. */
	for (tries = 1;; tries++) {
		if ((fd = reach(p, addr, t0, wait_s)) < 0)
			return fd;
		if ((r = handshake(p, addr, fd, &c, why, sizeof(why))) != -EAGAIN)
			break;
		if (tries >= HANDSHAKE_TRIES || bf_prov_left(p) <= 1 || wait_s - (bf_clock_ns() / 1e9 - t0) <= 1)
			return bf_prov_fail(p, BF_EXIT_DEVICE, -EPROTO, "check sshd on the DPU ('bfctl console')",
					    "%s: SSH handshake with %s failed (%d tries): %s", p->o->device, addr, tries, why);
		bf_prov_info(p, "SSH handshake with %s failed (%s): try %d of %d in 2 s", addr, why, tries + 1,
			     HANDSHAKE_TRIES);
		bf_clock_sleep_ns(2000000000ull);
	}
	if (r < 0)
		return r;
	if ((r = check_host_key(p, c->s)) != 0 || (r = authenticate(p, c->s)) != 0) {
		bf_prov_ssh_close(c);
		return r;
	}
	*out = c;
	return 0;
}

void bf_prov_ssh_close(struct bf_prov_ssh *c)
{
	if (!c)
		return;
	if (c->s) {
		dl_ssh_disconnect(c->s);
		dl_ssh_free(c->s);
	}
	/* libssh closes a descriptor given with SSH_OPTIONS_FD on disconnect. */
	free(c);
}

/* Split out into lines; the last partial line stays in buf. */
static void lines(struct bf_prov *p, char *buf, size_t *fill, void (*on_line)(struct bf_prov *, const char *))
{
	char *nl;

	while ((nl = memchr(buf, '\n', *fill))) {
		*nl = '\0';
		if (on_line)
			on_line(p, buf);
		*fill -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, *fill);
	}
	if (*fill == IO_CHUNK) {       /* an overlong line is cut */
		buf[IO_CHUNK - 1] = '\0';
		if (on_line)
			on_line(p, buf);
		*fill = 0;
	}
}

int bf_prov_ssh_exec(struct bf_prov *p, struct bf_prov_ssh *c, const char *cmd, const void *in, size_t inlen,
		     void (*on_line)(struct bf_prov *p, const char *line), char *err, size_t errcap, int *status)
{
	ssh_channel ch = dl_ssh_channel_new(c->s);
	static __thread char obuf[IO_CHUNK + 1];
	char ebuf[4096];
	size_t ofill = 0, efill = 0, off = 0;
	int r;

	*status = -1;
	if (err && errcap)
		err[0] = '\0';
	if (!ch || dl_ssh_channel_open_session(ch) != SSH_OK || dl_ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		r = bf_prov_fail(p, BF_EXIT_DEVICE, -EPROTO, NULL, "%s: SSH exec failed: %.200s", p->o->device, dl_ssh_get_error(c->s));
		goto out;
	}
	while (off < inlen) {
		size_t n = inlen - off < IO_CHUNK ? inlen - off : IO_CHUNK;
		int w = dl_ssh_channel_write(ch, (const char *)in + off, (uint32_t)n);

		if (w <= 0) {
			r = bf_prov_fail(p, BF_EXIT_DEVICE, -EIO, NULL, "%s: SSH write failed: %.200s", p->o->device,
					 dl_ssh_get_error(c->s));
			goto out;
		}
		off += (size_t)w;
	}
	dl_ssh_channel_send_eof(ch);
	while (!dl_ssh_channel_is_eof(ch) || dl_ssh_channel_poll(ch, 0) > 0 || dl_ssh_channel_poll(ch, 1) > 0) {
		int n = dl_ssh_channel_read_timeout(ch, obuf + ofill, (uint32_t)(IO_CHUNK - ofill), 0, 200);

		if (n > 0) {
			ofill += (size_t)n;
			lines(p, obuf, &ofill, on_line);
		}
		if (n == SSH_ERROR ? bf_prov_link_gone_wait(p) : bf_prov_link_gone(p)) {
			r = bf_prov_fail(p, BF_EXIT_DEVICE, -ENODEV,
					 "the DPU may be half configured: plug it back (check with 'bfctl list') and run the same command again (it continues where it stopped)",
					 "%s: the device disappeared from the host while running '%.60s' over %s", p->o->device,
					 cmd, p->ifname);
			goto out;
		}
		if (n == SSH_ERROR) {
			r = bf_prov_fail(p, BF_EXIT_DEVICE, -ECONNRESET,
					 "the DPU may be half configured: when it is back, run the same command again (it continues where it stopped)",
					 "%s: the SSH connection over %s was lost while running '%.60s': %.160s", p->o->device,
					 p->ifname, cmd, dl_ssh_get_error(c->s));
			goto out;
		}
		n = dl_ssh_channel_read_nonblocking(ch, ebuf + efill, (uint32_t)(sizeof(ebuf) - 1 - efill), 1);
		if (n > 0) {
			efill += (size_t)n;
			if (efill > sizeof(ebuf) / 2) {   /* keep the tail */
				memmove(ebuf, ebuf + efill - sizeof(ebuf) / 4, sizeof(ebuf) / 4);
				efill = sizeof(ebuf) / 4;
			}
		}
		if (bf_prov_stopped(p)) {
			r = bf_prov_fail(p, BF_EXIT_INTERRUPTED, -EINTR, NULL, "%s: stopped", p->o->device);
			goto out;
		}
		if (bf_prov_left(p) <= 0) {
			r = bf_prov_fail(p, BF_EXIT_TIMEOUT, -ETIMEDOUT, "raise --timeout", "%s: deadline passed running '%.60s'",
					 p->o->device, cmd);
			goto out;
		}
	}
	if (ofill) {
		obuf[ofill] = '\0';
		if (on_line)
			on_line(p, obuf);
	}
	ebuf[efill] = '\0';
	if (err && errcap)
		snprintf(err, errcap, "%s", ebuf);
	*status = dl_ssh_channel_get_exit_status(ch);
	r = 0;
out:
	if (ch) {
		dl_ssh_channel_close(ch);
		dl_ssh_channel_free(ch);
	}
	return r;
}
