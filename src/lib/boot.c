/* boot.c - reset sequence and boot-stream push with flow control. */
#include "config.h"
#include "boot.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUSH_CHUNK  (1u << 20)
#define FULL_WAIT_NS 1000000ull   /* 1 ms between attempts while the FIFO is full */

int bf_boot_chip_reset(struct bf_rshim *r)
{
	const struct bf_chip_regs *g = &r->chip->r;
	uint64_t v;
	int ret;

	ret = bf_rshim_rd(r, g->reset_control, &v);
	if (ret < 0)
		return ret;
	v = (v & ~0xffffffffull) | BF_RESET_KEY;
	ret = r->ops->write_reg(r, BF_CHAN_RSHIM, g->reset_control, v);
	/* The chip may reset before it answers the write. */
	if (ret < 0 && ret != -EPROTO && ret != -ESHUTDOWN && ret != -ETIMEDOUT && ret != -EPIPE)
		return bf_error_ret(-ret, "%s: chip reset failed: %s", r->name, strerror(-ret));
	if (ret < 0)
		bf_info("%s: reset write ended with %s (expected while the chip resets)",
			r->name, strerror(-ret));
	if (r->reset_delay_ms)
		bf_clock_sleep_ns((uint64_t)r->reset_delay_ms * 1000000ull);
	return 0;
}

int bf_boot_reset(struct bf_rshim *r)
{
	int ret;

	ret = bf_rshim_wr(r, r->chip->r.boot_control, BF_BOOT_CONTROL_RSHIM);
	if (ret < 0)
		return ret;
	/* Disable the ARM watchdog; failure is harmless (BF3 over PCIe
	 * cannot reach this channel), as upstream. */
	if (bf_rshim_write(r, BF_CHAN_WDOG1, 0, 0) < 0)
		bf_debug("%s: watchdog disable write failed (ignored)", r->name);
	ret = bf_boot_chip_reset(r);
	if (ret == 0)
		bf_info("%s: chip reset, boot from RShim", r->name);
	return ret;
}

int bf_boot_finish(struct bf_rshim *r)
{
	int ret;

	if (r->ops->boot_end && (ret = r->ops->boot_end(r)) < 0)
		return ret;
	return bf_rshim_wr(r, r->chip->r.boot_control, BF_BOOT_CONTROL_EMMC);
}

struct pusher {
	struct bf_rshim *r;
	const struct bf_boot_opts *o;
	struct bf_progress prog;
	uint64_t pushed;
	uint64_t last_progress_ns;
	uint64_t last_poll_ns;
};

static int push_poll(struct pusher *p, uint64_t now)
{
	char why[512];
	int ret;

	if (!p->o->poll || now - p->last_poll_ns < (uint64_t)p->o->poll_ms * 1000000ull)
		return 0;
	p->last_poll_ns = now;
	ret = p->o->poll(p->o->poll_ctx);
	if (ret >= 0 || ret == -ECANCELED)
		return ret;
	/* The device failed between two writes (e.g. unplugged): say how far
	 * the push got, as a failed write does. */
	snprintf(why, sizeof(why), "%s", bf_error_str(ret));
	return bf_error_ret(-ret, "%s (%llu bytes pushed)", why, (unsigned long long)p->pushed);
}

/* Hand len bytes to the backend, waiting while the FIFO is full. */
static int push_buf(struct pusher *p, const uint8_t *buf, size_t len)
{
	while (len) {
		uint64_t now;
		ssize_t n = p->r->ops->boot_write(p->r, buf, len);
		int ret;

		if (n < 0)
			return bf_error_get() ? (int)n :
				bf_error_ret((int)-n, "%s: boot stream write failed after %llu bytes: %s",
					     p->r->name, (unsigned long long)p->pushed, strerror((int)-n));
		now = bf_clock_ns();
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			p->pushed += (uint64_t)n;
			p->last_progress_ns = now;
			if (p->o->progress)
				bf_progress_update(&p->prog, p->pushed);
		} else {
			double idle = (double)(now - p->last_progress_ns) / 1e9;

			if (p->o->stall_timeout_s > 0 && idle >= p->o->stall_timeout_s)
				return bf_error_ret(ETIMEDOUT,
					"%s: the device stopped draining the boot FIFO: no progress for %.0f s after %llu bytes",
					p->r->name, idle, (unsigned long long)p->pushed);
			bf_clock_sleep_ns(FULL_WAIT_NS);
		}
		if (bf_stop_requested())
			return bf_error_ret(EINTR, "%s: push interrupted after %llu bytes",
					    p->r->name, (unsigned long long)p->pushed);
		if (p->o->deadline && bf_deadline_passed(p->o->deadline))
			return bf_error_ret(ETIMEDOUT, "%s: deadline passed while %s (%llu bytes pushed)",
					    p->r->name, p->o->deadline->reason,
					    (unsigned long long)p->pushed);
		if ((ret = push_poll(p, now)) < 0)
			return ret;
	}
	return 0;
}

int bf_boot_push_buf(struct bf_rshim *r, const void *buf, size_t len,
		     const struct bf_boot_opts *o, uint64_t *pushed)
{
	struct pusher p = { .r = r, .o = o };
	int ret;

	p.last_progress_ns = p.last_poll_ns = bf_clock_ns();
	ret = push_buf(&p, buf, len);
	*pushed = p.pushed;
	return ret;
}

#define PUSH_MAX_FILES 8

static int total_size(const char *const *paths, size_t n, uint64_t *sizes, uint64_t *total)
{
	struct stat st;
	size_t i;

	*total = 0;
	if (n > PUSH_MAX_FILES)
		return bf_error_ret(E2BIG, "at most %d files make a boot stream", PUSH_MAX_FILES);
	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0)
			return bf_error_ret(errno, "cannot read %s: %s", paths[i], strerror(errno));
		sizes[i] = (uint64_t)st.st_size;
		*total += (uint64_t)st.st_size;
	}
	return 0;
}

/* One file of the stream: exactly the size it had when the push began. A
 * file that ends early (truncated while pushed) would leave the device
 * waiting for bytes that never come: -ESTALE at once. *fill carries the
 * partial word over to the next file. */
static int push_file(struct pusher *p, const char *path, uint64_t size, uint8_t *buf, size_t *fill)
{
	uint64_t got = 0;
	int ret = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (got < size) {
		uint64_t room = PUSH_CHUNK - *fill;
		ssize_t n = read(fd, buf + *fill, (size_t)(size - got < room ? size - got : room));
		size_t whole;

		if (n < 0 && errno == EINTR && !bf_stop_requested())
			continue;
		if (n < 0) {
			ret = bf_error_ret(errno, "read error in %s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			ret = bf_error_ret(ESTALE, "%s shrank during the push: it ended after %llu of its %llu bytes",
					   path, (unsigned long long)got, (unsigned long long)size);
			break;
		}
		got += (uint64_t)n;
		*fill += (size_t)n;
		/* Whole words only; a tail of < 8 bytes waits for the next
		 * file or the end of the stream. */
		whole = *fill & ~(size_t)7;
		if ((ret = push_buf(p, buf, whole)) < 0)
			break;
		memmove(buf, buf + whole, *fill - whole);
		*fill -= whole;
	}
	close(fd);
	return ret;
}

/* The bytes after the files, through the same buffer (whole words). */
static int push_tail(struct pusher *p, const uint8_t *t, size_t len, uint8_t *buf, size_t *fill)
{
	while (len) {
		size_t n = PUSH_CHUNK - *fill < len ? PUSH_CHUNK - *fill : len, whole;
		int ret;

		memcpy(buf + *fill, t, n);
		t += n;
		len -= n;
		*fill += n;
		whole = *fill & ~(size_t)7;
		if ((ret = push_buf(p, buf, whole)) < 0)
			return ret;
		memmove(buf, buf + whole, *fill - whole);
		*fill -= whole;
	}
	return 0;
}

int bf_boot_push_files(struct bf_rshim *r, const char *const *paths, size_t npaths,
		       const struct bf_boot_opts *o, uint64_t *pushed)
{
	struct pusher p = { .r = r, .o = o };
	uint64_t sizes[PUSH_MAX_FILES], total;
	uint8_t *buf;
	size_t fill = 0, i;
	int ret;

	*pushed = 0;
	ret = total_size(paths, npaths, sizes, &total);
	if (ret < 0)
		return ret;
	total += o->tail_len;
	buf = malloc(PUSH_CHUNK);
	if (!buf)
		return -ENOMEM;
	p.last_progress_ns = p.last_poll_ns = bf_clock_ns();
	if (o->progress)
		bf_progress_begin(&p.prog, "push", total);

	for (i = 0; i < npaths && ret == 0; i++)
		ret = push_file(&p, paths[i], sizes[i], buf, &fill);
	if (ret == 0 && o->tail_len)
		ret = push_tail(&p, o->tail, o->tail_len, buf, &fill);
	if (ret == 0 && fill)
		ret = push_buf(&p, buf, fill);   /* the backend zero-pads the last word */
	if (o->progress) {
		if (ret == 0)
			bf_progress_end(&p.prog);
		else
			bf_event_progress_clear();
	}
	if (o->tail_len)
		bf_secret_wipe(buf, PUSH_CHUNK);
	free(buf);
	*pushed = p.pushed;
	return ret;
}
