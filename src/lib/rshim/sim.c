/* rshim/sim.c - the sim backend: a simulated BlueField that bfsim serves on
 * a unix socket ("sim:N"), reached as any device outside this process is.
 * A small client of the messages in simproto.h (doc/sim-protocol.md). */
#include "config.h"
#include "rshim.h"
#include "rshim/scan.h"
#include "rshim/simconn.h"
#include "error.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define IO_TIMEOUT_S 60   /* no reply in this long: the server is stuck */

struct bf_rshim_simconn {
	int fd;
	pthread_mutex_t mu;
	unsigned idx;
	uint8_t *buf;            /* BF_SIMPROTO_MAX_MSG: requests and replies */
};

const char *bf_rshim_sim_socket(void)
{
	const char *p = getenv(BF_SIMPROTO_ENV);

	return p && *p ? p : NULL;
}

int bf_rshim_sim_index(const char *arg, unsigned *idx)
{
	unsigned long v;
	char *end;

	*idx = 0;
	if (!arg || !*arg)
		return 0;
	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || v >= BF_SIMPROTO_MAX_DEVICES)
		return -EINVAL;
	*idx = (unsigned)v;
	return 0;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -EPIPE;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = recv(fd, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -ETIMEDOUT;
		if (r <= 0)
			return -EPIPE;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The device's sentence, printable bytes only. */
static int device_error(const struct bf_simproto_msg *m)
{
	char text[BF_SIMPROTO_MAX_TEXT + 1];
	size_t i;

	for (i = 0; i < m->len; i++)
		text[i] = m->data[i] >= 0x20 && m->data[i] < 0x7f ? (char)m->data[i] : '?';
	text[i] = '\0';
	/* No sentence: the caller words the error, as for a local device. */
	if (!text[0])
		return -(int)m->status;
	return bf_error_ret((int)m->status, "%s", text);
}

int bf_rshim_sim_check_reply(const uint8_t *buf, size_t len, uint16_t op, struct bf_simproto_msg *m,
			     struct bf_rshim_simprops *props)
{
	long n = bf_simproto_parse(buf, len, true, m);

	if (n <= 0 || (size_t)n != len || m->op != op)
		return -EPROTO;
	if (op != BF_SIMPROTO_HELLO || m->status)
		return 0;
	if (m->f[0] != BF_SIMPROTO_VERSION || m->f[1] == 0 || m->f[1] > BF_SIMPROTO_MAX_DEVICES ||
	    (m->f[2] != BF_CHIP_BF2 && m->f[2] != BF_CHIP_BF3) || m->f[4] == 0 || m->f[4] > 1000000000000ull)
		return -EPROTO;
	props->devices = (unsigned)m->f[1];
	props->chip = bf_chip_get((enum bf_chip_ver)m->f[2]);
	props->speed = (double)m->f[4] / 1e6;
	return props->chip ? 0 : -EPROTO;
}

/* One exchange; the caller holds c->mu. The reply stays in c->buf. */
static int exchange(struct bf_rshim_simconn *c, uint16_t op, const uint64_t *req, const void *data, size_t len,
		    struct bf_simproto_msg *m, struct bf_rshim_simprops *props)
{
	long n = bf_simproto_put(c->buf, BF_SIMPROTO_MAX_MSG, op, false, 0, req, data, len);
	uint32_t body;
	int r;

	if (n < 0)
		return -EINVAL;
	if ((r = send_all(c->fd, c->buf, (size_t)n)) < 0 || (r = recv_all(c->fd, c->buf, BF_SIMPROTO_HDR)) < 0)
		goto lost;
	body = (uint32_t)c->buf[0] | (uint32_t)c->buf[1] << 8 | (uint32_t)c->buf[2] << 16 | (uint32_t)c->buf[3] << 24;
	if (body > BF_SIMPROTO_MAX_MSG - BF_SIMPROTO_HDR) {
		r = -EPROTO;
		goto lost;
	}
	if ((r = recv_all(c->fd, c->buf + BF_SIMPROTO_HDR, body)) < 0)
		goto lost;
	if (bf_rshim_sim_check_reply(c->buf, BF_SIMPROTO_HDR + body, op, m, props) < 0) {
		r = -EPROTO;
		goto lost;
	}
	return m->status ? device_error(m) : 0;
lost:
	if (r == -EPROTO)
		return bf_error_ret(EPROTO, "sim:%u: the simulator sent a malformed reply", c->idx);
	if (r == -ETIMEDOUT)
		return bf_error_ret(ETIMEDOUT, "sim:%u: the simulator did not answer in %d s", c->idx, IO_TIMEOUT_S);
	return bf_error_ret(ENODEV, "sim:%u: the simulator closed the connection (bfsim ended?)", c->idx);
}

int bf_rshim_sim_call(struct bf_rshim_simconn *c, uint16_t op, const uint64_t *req, const void *data,
		      size_t len, uint64_t *f, void *out, size_t cap, size_t *got)
{
	struct bf_simproto_msg m;
	int r;

	pthread_mutex_lock(&c->mu);
	r = exchange(c, op, req, data, len, &m, NULL);
	if (r == 0) {
		if (f)
			memcpy(f, m.f, sizeof(m.f));
		if (m.len > cap)
			r = bf_error_ret(EPROTO, "sim:%u: the simulator sent %zu bytes where %zu fit", c->idx, m.len, cap);
		else if (m.len && out)
			memcpy(out, m.data, m.len);
		if (got)
			*got = r == 0 ? m.len : 0;
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

static int dial(const char *path, int *fdp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return bf_error_ret(ENAMETOOLONG, "the simulator's socket path is too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bf_error_ret(errno, "cannot make a socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return bf_error_ret(ENODEV, "no simulator answers at %s (%s): is its bfsim still running?", path,
				    strerror(e));
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	*fdp = fd;
	return 0;
}

int bf_rshim_sim_connect(unsigned idx, unsigned role, struct bf_rshim_simconn **out,
			 struct bf_rshim_simprops *props)
{
	const char *path = bf_rshim_sim_socket();
	uint64_t hello[3] = { BF_SIMPROTO_VERSION, idx, role };
	struct bf_simproto_msg m;
	struct bf_rshim_simconn *c;
	int r;

	if (!path)
		return bf_error_ret(ENODEV, "no simulated device sim:%u: simulated devices exist only under "
				    "'bfsim run' (or with %s set to what 'bfsim serve' prints)", idx, BF_SIMPROTO_ENV);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->buf = malloc(BF_SIMPROTO_MAX_MSG))) {
		free(c);
		return -ENOMEM;
	}
	c->idx = idx;
	pthread_mutex_init(&c->mu, NULL);
	if ((r = dial(path, &c->fd)) < 0) {
		free(c->buf);
		free(c);
		return r;
	}
	pthread_mutex_lock(&c->mu);
	r = exchange(c, BF_SIMPROTO_HELLO, hello, NULL, 0, &m, props);
	pthread_mutex_unlock(&c->mu);
	if (r < 0) {
		bf_rshim_sim_disconnect(c);
		return r;
	}
	*out = c;
	return 0;
}

void bf_rshim_sim_disconnect(struct bf_rshim_simconn *c)
{
	if (!c)
		return;
	close(c->fd);
	pthread_mutex_destroy(&c->mu);
	free(c->buf);
	free(c);
}

int bf_rshim_scan_sim(struct bf_rshim_found *out, size_t max)
{
	struct bf_rshim_simprops props;
	struct bf_rshim_simconn *c;
	unsigned i;

	if (!bf_rshim_sim_socket())
		return 0;
	if (bf_rshim_sim_connect(0, BF_SIMPROTO_ROLE_RSHIM, &c, &props) < 0) {
		bf_error_clear();
		return 0;
	}
	bf_rshim_sim_disconnect(c);
	for (i = 0; i < props.devices && i < max; i++) {
		snprintf(out[i].name, sizeof(out[i].name), "sim:%u", i);
		snprintf(out[i].addr, sizeof(out[i].addr), "sim-%u", i);
		out[i].chip = props.chip;
		out[i].livefish = false;
	}
	return (int)props.devices;
}

/* The RShim of the device. ------------------------------------------------- */

static int sim_read_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	uint64_t q[2] = { chan, addr }, f[6];
	int ret = bf_rshim_sim_call(r->priv, BF_SIMPROTO_REG_READ, q, NULL, 0, f, NULL, 0, NULL);

	if (ret == 0)
		*val = f[0];
	return ret;
}

static int sim_write_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	uint64_t q[3] = { chan, addr, val };

	return bf_rshim_sim_call(r->priv, BF_SIMPROTO_REG_WRITE, q, NULL, 0, NULL, NULL, 0, NULL);
}

/* Sends what it is given (up to one message): the device takes what its
 * FIFO and link allow and says how much. */
static ssize_t sim_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	uint64_t f[6];
	int ret;

	if (len > BF_SIMPROTO_MAX_DATA)
		len = BF_SIMPROTO_MAX_DATA;
	ret = bf_rshim_sim_call(r->priv, BF_SIMPROTO_BOOT_WRITE, NULL, buf, len, f, NULL, 0, NULL);
	if (ret < 0)
		return ret;
	return f[0] > len ? bf_error_ret(EPROTO, "%s: the simulator took more boot bytes than sent", r->dev_name)
			  : (ssize_t)f[0];
}

static ssize_t sim_fifo_read(struct bf_rshim *r, void *buf, size_t len)
{
	uint64_t q[1];
	size_t got = 0;
	int ret;

	len &= ~(size_t)7;
	if (len > 65536)
		len = 65536;
	q[0] = len;
	ret = bf_rshim_sim_call(r->priv, BF_SIMPROTO_FIFO_READ, q, NULL, 0, NULL, buf, len, &got);
	return ret < 0 ? ret : (ssize_t)(got & ~(size_t)7);
}

static ssize_t sim_fifo_write(struct bf_rshim *r, const void *buf, size_t len)
{
	uint64_t f[6];
	int ret;

	len &= ~(size_t)7;
	if (len > 65536)
		len = 65536;
	if (!len)
		return 0;
	ret = bf_rshim_sim_call(r->priv, BF_SIMPROTO_FIFO_WRITE, NULL, buf, len, f, NULL, 0, NULL);
	if (ret < 0)
		return ret;
	return f[0] > len ? -EPROTO : (ssize_t)f[0];
}

static void sim_close(struct bf_rshim *r)
{
	bf_rshim_sim_disconnect(r->priv);
	free(r);
}

static const struct bf_rshim_ops sim_ops = {
	.read_reg = sim_read_reg,
	.write_reg = sim_write_reg,
	.boot_write = sim_boot_write,
	.fifo_read = sim_fifo_read,
	.fifo_write = sim_fifo_write,
	.close = sim_close,
};

int bf_rshim_sim_open(const char *arg, struct bf_rshim **out)
{
	struct bf_rshim_simprops props;
	struct bf_rshim_simconn *c;
	struct bf_rshim *r;
	unsigned idx;
	int ret;

	if (bf_rshim_sim_index(arg, &idx) < 0)
		return bf_error_ret(EINVAL, "bad simulated device name 'sim:%s' (use sim:N, N a device number)", arg);
	if ((ret = bf_rshim_sim_connect(idx, BF_SIMPROTO_ROLE_RSHIM, &c, &props)) < 0)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r) {
		bf_rshim_sim_disconnect(c);
		return -ENOMEM;
	}
	r->ops = &sim_ops;
	r->chip = props.chip;
	r->priv = c;
	r->reset_delay_ms = 0;
	r->speed = props.speed;
	r->reprobe = false;
	snprintf(r->dev_name, sizeof(r->dev_name), "sim-%u", idx);
	*out = r;
	return 0;
}
