/* serve.c - bfsim's devices on a unix socket: one thread accepts, one
 * thread per connection reads a request, answers it, and saves the
 * device's state when the connection ends (so that `bfsim status` sees
 * what a command left). Messages: simproto.h, doc/sim-protocol.md. */
#include "config.h"
#include "serve.h"
#include "pcidev.h"
#include "sim_int.h"
#include "nic.h"
#include "simproto.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Requests. --------------------------------------------------------------- */

static long fail(uint8_t *out, size_t cap, uint16_t op, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* An error reply: the errno and (optionally) one sentence for the user. */
static long fail(uint8_t *out, size_t cap, uint16_t op, int err, const char *fmt, ...)
{
	char text[BF_SIMPROTO_MAX_TEXT];
	int n = 0;

	if (fmt) {
		va_list ap;

		va_start(ap, fmt);
		n = vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		if (n < 0)
			n = 0;
		if ((size_t)n >= sizeof(text))
			n = (int)sizeof(text) - 1;
	}
	return bf_simproto_put(out, cap, op, true, (uint32_t)err, NULL, text, (size_t)n);
}

static long ok(uint8_t *out, size_t cap, uint16_t op, const uint64_t *f, const void *data, size_t len)
{
	return bf_simproto_put(out, cap, op, true, 0, f, data, len);
}

static long hello(struct bf_sim_host *devs, unsigned n, const struct bf_sim_serve_opts *o,
		  struct bf_sim_session *ss, const struct bf_simproto_msg *m, uint8_t *out, size_t cap)
{
	uint64_t f[6] = { BF_SIMPROTO_VERSION, n };
	struct bf_sim *s;

	if (m->f[0] != BF_SIMPROTO_VERSION)
		return fail(out, cap, m->op, EPROTONOSUPPORT, "the simulator speaks protocol version %u, not %llu: "
			    "use a bfctl from the same build as bfsim", BF_SIMPROTO_VERSION, (unsigned long long)m->f[0]);
	if (m->f[1] >= n)
		return fail(out, cap, m->op, ENODEV, "no simulated device sim:%llu (this bfsim serves sim:0 to sim:%u)",
			    (unsigned long long)m->f[1], n - 1);
	if (m->f[2] > BF_SIMPROTO_ROLE_NIC + BF_SIMPROTO_NIC_FUNCS - 1)
		return fail(out, cap, m->op, EINVAL, "unknown part %llu of a simulated device", (unsigned long long)m->f[2]);
	if (o && o->transport && m->f[2] == BF_SIMPROTO_ROLE_RSHIM)
		return fail(out, cap, m->op, ENODEV, "the simulated device is served over %s here (bfsim run "
			    "--transport): use that backend, not sim:%llu", o->transport, (unsigned long long)m->f[1]);
	if (o && o->transport)
		return fail(out, cap, m->op, ENODEV, "the simulated device is served over %s here (bfsim run "
			    "--transport): use 0000:%02llx:00.%llu, not sim:%llu.%llu", o->transport,
			    (unsigned long long)((BF_SIM_PCI_BUS_NIC + 2 * m->f[1]) & 0xff),
			    (unsigned long long)(m->f[2] - BF_SIMPROTO_ROLE_NIC), (unsigned long long)m->f[1],
			    (unsigned long long)(m->f[2] - BF_SIMPROTO_ROLE_NIC));
	pthread_mutex_lock(&devs[m->f[1]].lock);
	/* The RShim has one owner: its BMC, or host backends (doc/bmc.md). */
	if (m->f[2] == BF_SIMPROTO_ROLE_RSHIM && (devs[m->f[1]].rshim_bmc || devs[m->f[1]].rshim_host_disabled)) {
		bool bmc = devs[m->f[1]].rshim_bmc;

		pthread_mutex_unlock(&devs[m->f[1]].lock);
		return fail(out, cap, m->op, bmc ? EBUSY : EACCES,
			    bmc ? "the RShim of sim:%llu is held by its BMC (BmcRShimEnabled): give it back with 'bfctl bmc rshim host'"
				: "the host RShim of sim:%llu is disabled through its BMC (HostRshim): enable it with 'bfctl bmc rshim host'",
			    (unsigned long long)m->f[1]);
	}
	ss->dev = (int)m->f[1];
	ss->role = (unsigned)m->f[2];
	if (ss->role == BF_SIMPROTO_ROLE_RSHIM) {
		devs[ss->dev].rshim_host_users++;
		ss->rshim_user = true;
	}
	s = devs[ss->dev].sim;
	bf_sim_tick(s);
	f[2] = (uint64_t)bf_sim_chip(s)->ver;
	f[4] = (uint64_t)(s->cfg.speed * 1e6 + 0.5);
	f[5] = (uint64_t)(bf_sim_time(s) * 1e9);
	pthread_mutex_unlock(&devs[ss->dev].lock);
	return ok(out, cap, m->op, f, NULL, 0);
}

/* TM FIFO words, tile to host: what waits, up to max bytes. */
static size_t fifo_read(struct bf_sim *s, uint8_t *buf, size_t max)
{
	size_t i, words = bf_sim_tm_t2h_count(s);

	if (words > max / 8)
		words = max / 8;
	for (i = 0; i < words; i++)
		bf_tmfifo_word_bytes(bf_sim_tm_t2h_pop(s), buf + 8 * i);
	return words * 8;
}

/* Host to tile: whole words while there is room. */
static size_t fifo_write(struct bf_sim *s, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len && bf_sim_tm_h2t_count(s) < bf_sim_tm_depth(s); i += 8)
		bf_sim_tm_h2t_push(s, bf_tmfifo_bytes_word(buf + i));
	return i;
}

/* A request to the RShim of a device, with its lock held. */
static long rshim_op(struct bf_sim *s, struct bf_sim_session *ss, const struct bf_simproto_msg *m, uint8_t *out,
		     size_t cap)
{
	uint64_t f[6] = { 0 };
	uint8_t words[65536];
	uint64_t until;
	size_t n;
	ssize_t w;
	int r;

	switch (m->op) {
	case BF_SIMPROTO_REG_READ:
		if ((r = bf_sim_read_reg(s, (uint32_t)m->f[0], (uint32_t)m->f[1], &f[0])) < 0)
			return fail(out, cap, m->op, -r, NULL);
		return ok(out, cap, m->op, f, NULL, 0);
	case BF_SIMPROTO_REG_WRITE:
		if ((r = bf_sim_write_reg(s, (uint32_t)m->f[0], (uint32_t)m->f[1], m->f[2])) < 0)
			return fail(out, cap, m->op, -r, NULL);
		return ok(out, cap, m->op, f, NULL, 0);
	case BF_SIMPROTO_BOOT_WRITE:
		w = bf_sim_boot_write_paced(s, m->data, m->len, &until);
		if (until)
			ss->busy_until_ns = until;
		if (w < 0)
			return fail(out, cap, m->op, (int)-w, NULL);
		f[0] = (uint64_t)w;
		return ok(out, cap, m->op, f, NULL, 0);
	case BF_SIMPROTO_FIFO_READ:
		bf_sim_tick(s);
		if (bf_sim_gone(s))
			return fail(out, cap, m->op, ENODEV, NULL);
		n = fifo_read(s, words, m->f[0] < sizeof(words) ? (size_t)m->f[0] : sizeof(words));
		return ok(out, cap, m->op, f, words, n);
	case BF_SIMPROTO_FIFO_WRITE:
		bf_sim_tick(s);
		if (bf_sim_gone(s))
			return fail(out, cap, m->op, ENODEV, NULL);
		f[0] = fifo_write(s, m->data, m->len);
		return ok(out, cap, m->op, f, NULL, 0);
	default:
		return fail(out, cap, m->op, EINVAL, "this connection talks to a NIC function, not the RShim");
	}
}

/* A request to a NIC function (config space), with the lock held. */
static long nic_op(struct bf_sim *s, unsigned fn, const struct bf_simproto_msg *m, uint8_t *out, size_t cap)
{
	struct bf_sim_nic *nic = bf_sim_nic_get(s, fn);
	uint8_t buf[BF_SIM_NIC_CFG_SIZE];
	uint64_t off = m->f[0], len = m->op == BF_SIMPROTO_CFG_READ ? m->f[1] : m->len;

	if (m->op != BF_SIMPROTO_CFG_READ && m->op != BF_SIMPROTO_CFG_WRITE)
		return fail(out, cap, m->op, EINVAL, "this connection talks to the RShim, not a NIC function");
	if (!nic || off > BF_SIM_NIC_CFG_SIZE || len > BF_SIM_NIC_CFG_SIZE - off)
		return fail(out, cap, m->op, EINVAL, NULL);
	if (m->op == BF_SIMPROTO_CFG_WRITE)
		return bf_sim_nic_cfg_write(nic, (uint32_t)off, m->data, (size_t)len) < 0 ?
			fail(out, cap, m->op, EIO, NULL) : ok(out, cap, m->op, NULL, NULL, 0);
	if (bf_sim_nic_cfg_read(nic, (uint32_t)off, buf, (size_t)len) < 0)
		return fail(out, cap, m->op, EIO, NULL);
	return ok(out, cap, m->op, NULL, buf, (size_t)len);
}

long bf_sim_serve_msg(struct bf_sim_host *devs, unsigned n, const struct bf_sim_serve_opts *o,
		      struct bf_sim_session *ss, const uint8_t *in, size_t inlen, uint8_t *out, size_t cap)
{
	struct bf_simproto_msg m;
	struct bf_sim_host *h;
	uint64_t f[6] = { 0 };
	long r = bf_simproto_parse(in, inlen, false, &m);

	if (r <= 0 || (size_t)r != inlen)
		return -EPROTO;
	if (m.op == BF_SIMPROTO_HELLO)
		return ss->dev >= 0 ? -EPROTO : hello(devs, n, o, ss, &m, out, cap);
	if (ss->dev < 0 || (unsigned)ss->dev >= n)
		return -EPROTO;
	h = &devs[ss->dev];
	pthread_mutex_lock(&h->lock);
	if (m.op == BF_SIMPROTO_TIME) {
		bf_sim_tick(h->sim);
		f[0] = (uint64_t)(bf_sim_time(h->sim) * 1e9);
		r = ok(out, cap, m.op, f, NULL, 0);
	} else if (ss->role == BF_SIMPROTO_ROLE_RSHIM) {
		r = rshim_op(h->sim, ss, &m, out, cap);
	} else {
		r = nic_op(h->sim, ss->role - BF_SIMPROTO_ROLE_NIC, &m, out, cap);
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

/* Connections. ------------------------------------------------------------ */

struct conn {
	struct bf_sim_server *srv;
	int fd;
	pthread_t thread;
	bool done;
	struct conn *next;
};

struct bf_sim_server {
	struct bf_sim_host *devs;
	unsigned n;
	struct bf_sim_serve_opts opts;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd;
	int wake[2];              /* the accept loop's stop signal */
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	struct conn *conns;
};

static int read_full(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* What the device holds now goes to its state directory. */
static void save(struct bf_sim_host *h)
{
	pthread_mutex_lock(&h->lock);
	bf_sim_tick(h->sim);
	bf_sim_state_save(h->sim);
	pthread_mutex_unlock(&h->lock);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct bf_sim_server *srv = c->srv;
	struct bf_sim_session ss = { .dev = -1 };
	uint8_t *in = malloc(BF_SIMPROTO_MAX_MSG), *out = malloc(BF_SIMPROTO_MAX_MSG);
	uint64_t prev;
	uint32_t body;
	bool boot;
	long n;

	while (in && out && read_full(c->fd, in, BF_SIMPROTO_HDR) == 0) {
		body = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
		if (body > BF_SIMPROTO_MAX_MSG - BF_SIMPROTO_HDR || read_full(c->fd, in + BF_SIMPROTO_HDR, body) < 0)
			break;
		/* The device paces the boot stream as a USB host sees it with
		 * two transfers queued: a boot write goes onto the link at
		 * once (right after the one before it) and is answered when
		 * the one before it has gone through. Any other request waits
		 * for the link to be idle. */
		boot = (in[4] | in[5] << 8) == BF_SIMPROTO_BOOT_WRITE;
		prev = ss.busy_until_ns;
		if (prev && !boot) {
			bf_clock_sleep_until_ns(prev);
			ss.busy_until_ns = prev = 0;
		}
		n = bf_sim_serve_msg(srv->devs, srv->n, &srv->opts, &ss, in, BF_SIMPROTO_HDR + body, out,
				     BF_SIMPROTO_MAX_MSG);
		if (prev)
			bf_clock_sleep_until_ns(prev);
		if (n < 0) {
			bf_info("bfsim: a client sent a malformed message: connection closed");
			break;
		}
		if (write_full(c->fd, out, (size_t)n) < 0)
			break;
	}
	free(in);
	free(out);
	if (ss.dev >= 0 && ss.rshim_user) {
		pthread_mutex_lock(&srv->devs[ss.dev].lock);
		srv->devs[ss.dev].rshim_host_users--;
		pthread_mutex_unlock(&srv->devs[ss.dev].lock);
	}
	if (ss.dev >= 0)
		save(&srv->devs[ss.dev]);
	pthread_mutex_lock(&srv->mu);
	c->done = true;
	pthread_mutex_unlock(&srv->mu);
	return NULL;
}

/* Finished connections are joined and freed (the server's lock held). */
static void reap(struct bf_sim_server *srv)
{
	struct conn **p = &srv->conns, *c;

	while ((c = *p))
		if (c->done) {
			*p = c->next;
			pthread_join(c->thread, NULL);
			close(c->fd);
			free(c);
		} else {
			p = &c->next;
		}
}

static void *accept_main(void *arg)
{
	struct bf_sim_server *srv = arg;
	struct pollfd pf[2] = { { .fd = srv->lfd, .events = POLLIN }, { .fd = srv->wake[0], .events = POLLIN } };

	for (;;) {
		struct conn *c;
		int fd;

		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents)
			break;
		if (!(pf[0].revents & POLLIN))
			continue;
		fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&srv->mu);
		reap(srv);
		c = calloc(1, sizeof(*c));
		if (c) {
			c->srv = srv;
			c->fd = fd;
			if (pthread_create(&c->thread, NULL, conn_main, c) == 0) {
				c->next = srv->conns;
				srv->conns = c;
				c = NULL;
				fd = -1;
			}
		}
		pthread_mutex_unlock(&srv->mu);
		free(c);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

static int listen_on(const char *path, int *fdp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return bf_error_ret(ENAMETOOLONG, "bfsim: socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bf_error_ret(errno, "bfsim: cannot make a socket: %s", strerror(errno));
	/* Only this user may connect (the directory is private too). */
	old = umask(077);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		r = errno;
		close(fd);
		return bf_error_ret(r, "bfsim: cannot listen on %s: %s", path, strerror(r));
	}
	*fdp = fd;
	return 0;
}

int bf_sim_serve_start(struct bf_sim_host *devs, unsigned n, const struct bf_sim_serve_opts *o,
		       const char *path, struct bf_sim_server **out)
{
	struct bf_sim_server *srv = calloc(1, sizeof(*srv));
	int r;

	if (!srv)
		return -ENOMEM;
	srv->devs = devs;
	srv->n = n;
	if (o)
		srv->opts = *o;
	srv->lfd = -1;
	srv->wake[0] = srv->wake[1] = -1;
	pthread_mutex_init(&srv->mu, NULL);
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	if ((r = listen_on(path, &srv->lfd)) < 0)
		goto fail;
	if (pipe2(srv->wake, O_CLOEXEC) < 0) {
		r = bf_error_ret(errno, "bfsim: cannot make a pipe: %s", strerror(errno));
		goto fail;
	}
	if ((r = pthread_create(&srv->thread, NULL, accept_main, srv)) != 0) {
		r = bf_error_ret(r, "bfsim: cannot start the socket thread: %s", strerror(r));
		goto fail;
	}
	srv->running = true;
	*out = srv;
	return 0;
fail:
	bf_sim_serve_stop(srv);
	return r;
}

void bf_sim_serve_stop(struct bf_sim_server *srv)
{
	struct conn *c;

	if (!srv)
		return;
	if (srv->running) {
		if (write(srv->wake[1], "x", 1) < 0)
			bf_info("bfsim: cannot wake the socket thread: %s", strerror(errno));
		pthread_join(srv->thread, NULL);
	}
	if (srv->lfd >= 0) {
		close(srv->lfd);
		unlink(srv->path);
	}
	/* Clients still connected see the end of the connection. */
	pthread_mutex_lock(&srv->mu);
	for (c = srv->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&srv->mu);
	while (srv->conns) {
		c = srv->conns;
		srv->conns = c->next;
		pthread_join(c->thread, NULL);
		close(c->fd);
		free(c);
	}
	if (srv->wake[0] >= 0)
		close(srv->wake[0]);
	if (srv->wake[1] >= 0)
		close(srv->wake[1]);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
}
