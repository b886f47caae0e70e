/* console.c - the DPU's console as a terminal. Each device has a pty
 * pair: rshimd keeps the master, and the console entry of the device
 * directory is a symbolic link to the slave (/dev/pts/N), so that screen,
 * minicom, picocom, cu, stty, cat and echo see a real tty (termios works).
 *
 * rshimd holds a slave descriptor of its own for the life of the pair: a
 * pty master reads EIO once no slave is open, and the slave's settings
 * would go back to the defaults. The slave starts in raw mode (no echo, no
 * CR/NL translation, no signals): the DPU's own tty echoes and translates,
 * and a host-side echo would send the DPU its own output back.
 *
 * Output never blocks the DPU: it goes through a ring of BF_RSHIMD_RING
 * bytes, the oldest giving way. While nobody has the terminal open (opens
 * and closes of the slave are followed with inotify, and the holders then
 * counted in /proc: holders.c) the ring keeps the
 * most recent output; once someone opens it, and the program had
 * SETTLE_MS to set the line up (screen and minicom flush the terminal's
 * queues when they start), the ring is written to the master, then what
 * follows as it comes. Everything here runs on the device's I/O thread,
 * except the ring of input (con_tx), shared under d->lock. */
#include "config.h"
#include "rshimd.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define SETTLE_MS 300u   /* after the first open, before the ring is written */

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The slave, opened through the master where the kernel can (no path
 * lookup that another mount of devpts could redirect), else by name. */
static int open_slave(int ptm, const char *path)
{
	int fd = ioctl(ptm, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	return fd;
}

/* Like a serial line on Debian (/dev/ttyS*): root and the dialout group,
 * read and write (cu runs as uucp in that group); the owner only where
 * there is no such group. grantpt's default would let the tty group
 * write to it. */
static void set_access(struct bf_rshimd_dev *d, int pts)
{
	struct group *g = getgrnam("dialout");

	if (g && fchown(pts, (uid_t)-1, g->gr_gid) == 0 && fchmod(pts, 0660) == 0)
		return;
	if (fchmod(pts, 0600) < 0)
		bf_debug("rshim%u: chmod %s: %s", d->index, d->pts_path, strerror(errno));
}

int bf_rshimd_con_open(struct bf_rshimd_dev *d)
{
	struct termios t;
	int ptm, pts;

	ptm = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (ptm < 0)
		return bf_error_ret(errno, "rshim%u: cannot open /dev/ptmx for the console terminal: %s",
				    d->index, strerror(errno));
	if (grantpt(ptm) < 0 || unlockpt(ptm) < 0 || ptsname_r(ptm, d->pts_path, sizeof(d->pts_path)) != 0) {
		int e = errno;

		close(ptm);
		return bf_error_ret(e, "rshim%u: cannot set up the console terminal: %s", d->index, strerror(e));
	}
	pts = open_slave(ptm, d->pts_path);
	if (pts < 0 || tcgetattr(pts, &t) < 0) {
		int e = errno;

		if (pts >= 0)
			close(pts);
		close(ptm);
		return bf_error_ret(e, "rshim%u: cannot open %s: %s", d->index, d->pts_path, strerror(e));
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(pts, TCSANOW, &t) < 0)
		bf_warn("rshim%u: cannot put %s in raw mode: %s", d->index, d->pts_path, strerror(errno));
	set_access(d, pts);
	d->ptm = ptm;
	d->pts = pts;
	d->con_rx.len = 0;
	d->con_dropped = 0;
	d->con_users = 0;
	d->con_settle_ns = 0;
	/* Without inotify, output goes to the terminal at once (whoever opens
	 * it later finds what its queue kept). */
	d->con_live = true;
	d->con_ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->con_ino >= 0 && inotify_add_watch(d->con_ino, d->pts_path, IN_OPEN | IN_CLOSE) >= 0)
		d->con_live = false;
	else
		bf_warn("rshim%u: cannot follow opens of %s (%s): console output goes there unread",
			d->index, d->pts_path, strerror(errno));
	bf_info("rshim%u: console terminal %s", d->index, d->pts_path);
	return 0;
}

void bf_rshimd_con_close(struct bf_rshimd_dev *d)
{
	/* Whoever still has the terminal open gets a hangup (EIO). */
	if (d->con_ino >= 0)
		close(d->con_ino);
	d->con_ino = -1;
	if (d->pts >= 0)
		close(d->pts);
	if (d->ptm >= 0)
		close(d->ptm);
	d->pts = d->ptm = -1;
	if (d->con_dropped)
		bf_info("rshim%u: %llu console bytes nobody read were dropped", d->index,
			(unsigned long long)d->con_dropped);
}

/* The ring of output into the master, as far as the kernel takes it. */
static void flush_out(struct bf_rshimd_dev *d)
{
	struct bf_rshimd_ring *r = &d->con_rx;

	while (d->con_live && r->len) {
		size_t run = sizeof(r->buf) - r->head < r->len ? sizeof(r->buf) - r->head : r->len;
		ssize_t n = write(d->ptm, r->buf + r->head, run);

		if (n > 0) {
			r->head = (r->head + (size_t)n) % sizeof(r->buf);
			r->len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		/* EAGAIN: the reader is behind; the rest waits in the ring. */
		if (n < 0 && errno != EAGAIN)
			bf_debug("rshim%u: console terminal write: %s", d->index, strerror(errno));
		break;
	}
}

void bf_rshimd_con_deliver(struct bf_rshimd_dev *d, const uint8_t *buf, size_t len)
{
	struct bf_rshimd_ring *r = &d->con_rx;

	if (d->ptm < 0)
		return;
	/* After what waits already, the oldest giving way. */
	if (len > sizeof(r->buf)) {
		d->con_dropped += len - sizeof(r->buf);
		buf += len - sizeof(r->buf);
		len = sizeof(r->buf);
	}
	if (r->len + len > sizeof(r->buf)) {
		size_t over = r->len + len - sizeof(r->buf);

		r->head = (r->head + over) % sizeof(r->buf);
		r->len -= over;
		d->con_dropped += over;
	}
	bf_rshimd_ring_put(r, buf, len);
	flush_out(d);
}

short bf_rshimd_con_events(struct bf_rshimd_dev *d)
{
	short ev = 0;

	if (d->ptm < 0)
		return 0;
	if (d->con_live && d->con_rx.len)
		ev |= POLLOUT;
	pthread_mutex_lock(&d->lock);
	if (d->con_tx.len < sizeof(d->con_tx.buf))
		ev |= POLLIN;
	pthread_mutex_unlock(&d->lock);
	return ev;
}

/* The last user left: the line as rshimd set it up (raw, blocking reads,
 * not exclusive, nothing queued), whatever the program left behind (picocom leaves
 * VMIN 0, which makes a later cat end at once; screen leaves TIOCEXCL). */
static void reset_line(struct bf_rshimd_dev *d)
{
	struct termios t;

	if (tcgetattr(d->pts, &t) < 0)
		return;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	/* Output the last user left unread goes too: the ring holds what came
	 * after, for the next one. */
	if (tcsetattr(d->pts, TCSANOW, &t) < 0 || ioctl(d->pts, TIOCNXCL) < 0 || tcflush(d->pts, TCIFLUSH) < 0)
		bf_debug("rshim%u: resetting %s: %s", d->index, d->pts_path, strerror(errno));
}

/* Opens and closes of the slave by others: the count of users, and
 * whether output goes to the terminal. */
static void follow_users(struct bf_rshimd_dev *d)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool seen = false;
	ssize_t n;
	size_t o;
	int h;

	if (d->con_ino < 0)
		return;
	while ((n = read(d->con_ino, buf, sizeof(buf))) > 0) {
		for (o = 0; o + sizeof(struct inotify_event) <= (size_t)n;) {
			const struct inotify_event *e = (const void *)(buf + o);

			if (e->mask & IN_Q_OVERFLOW)
				d->con_users = 1;   /* lost count: treat as attached */
			else if (e->mask & IN_OPEN)
				d->con_users++;
			else if ((e->mask & IN_CLOSE) && d->con_users > 0)
				d->con_users--;
			o += sizeof(*e) + e->len;
			seen = true;
		}
	}
	/* The events say when to look; merged events make their count drift,
	 * so the descriptors are counted where they can all be read (see
	 * holders.c). */
	if (seen && (h = bf_rshimd_tty_holders(d->pts_path)) >= 0)
		d->con_users = (unsigned)h;
	if (!d->con_users && (d->con_live || d->con_settle_ns))
		reset_line(d);
	if (!d->con_users) {
		d->con_live = false;
		d->con_settle_ns = 0;
	} else if (!d->con_live && !d->con_settle_ns) {
		d->con_settle_ns = bf_clock_ns() + SETTLE_MS * 1000000ull;
	}
	if (d->con_settle_ns && bf_clock_ns() >= d->con_settle_ns) {
		d->con_live = true;
		d->con_settle_ns = 0;
	}
}

unsigned bf_rshimd_con_wait_ms(const struct bf_rshimd_dev *d, unsigned ms)
{
	uint64_t now = bf_clock_ns();

	if (!d->con_settle_ns)
		return ms;
	if (d->con_settle_ns <= now)
		return 0;
	return (d->con_settle_ns - now) / 1000000u + 1 < ms ? (unsigned)((d->con_settle_ns - now) / 1000000u) + 1 : ms;
}

int bf_rshimd_con_watch_fd(const struct bf_rshimd_dev *d)
{
	return d->con_ino;
}

bool bf_rshimd_con_pump(struct bf_rshimd_dev *d)
{
	uint8_t buf[BF_RSHIMD_RING];
	size_t room;
	ssize_t n;

	if (d->ptm < 0)
		return false;
	follow_users(d);
	flush_out(d);
	pthread_mutex_lock(&d->lock);
	room = sizeof(d->con_tx.buf) - d->con_tx.len;
	pthread_mutex_unlock(&d->lock);
	if (!room)
		return false;
	/* What was typed: only as much as the ring to the DPU takes; the rest
	 * waits in the terminal (a writer blocks, as on a slow serial line). */
	n = read(d->ptm, buf, room);
	if (n <= 0) {
		if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO)
			bf_debug("rshim%u: console terminal read: %s", d->index, strerror(errno));
		return false;
	}
	pthread_mutex_lock(&d->lock);
	bf_rshimd_ring_put(&d->con_tx, buf, (size_t)n);
	pthread_mutex_unlock(&d->lock);
	return true;
}
