/* usbpush.c - the boot stream over USB with transfers kept in flight
 * (asynchronous libusb), within the credit that usbflow.h proves safe for
 * BlueField-3's boot FIFO, which does not flow-control. BlueField-1/2 NAK
 * while the FIFO is full: there only the bytes in flight are bounded.
 *
 * Everything runs in the caller's thread: libusb callbacks fire inside
 * libusb_handle_events*, called from write, flush and free.
 */
#include "config.h"
#include "rshim/usb.h"
#include "rshim/usbflow.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB_MAX        8
#define CHUNK_NAK     (64u << 10)   /* BF1/BF2 transfer size */
#define READ_FAILS    3             /* consecutive failed count reads tolerated */
#define CTRL_TIMEOUT  5000          /* ms, one count read */

struct slot {
	struct libusb_transfer *t;
	uint8_t *buf;
	size_t len;
	bool busy;
	struct bf_usbpush *p;
};

struct bf_usbpush {
	libusb_context *ctx;
	libusb_device_handle *h;
	const struct bf_chip *chip;
	unsigned char ep;
	char name[64];
	struct bf_usbflow f;
	struct slot bulk[NB_MAX];
	unsigned nb;
	size_t chunk;
	struct slot rd[BF_USBFLOW_READS];
	unsigned rd_next;             /* count reads complete in order on endpoint 0 */
	uint16_t cnt_wvalue, cnt_windex;
	bool active;                  /* a stream is being pushed: keep reading the count */
	int err;                      /* sticky: the push has failed */
	unsigned rd_fail;
	uint64_t events;              /* completions seen */
};

static int status_errno(enum libusb_transfer_status st)
{
	switch (st) {
	case LIBUSB_TRANSFER_COMPLETED: return 0;
	case LIBUSB_TRANSFER_NO_DEVICE: return -ENODEV;
	case LIBUSB_TRANSFER_TIMED_OUT: return -ETIMEDOUT;
	case LIBUSB_TRANSFER_CANCELLED: return -ECANCELED;
	case LIBUSB_TRANSFER_STALL: return -EPIPE;
	case LIBUSB_TRANSFER_OVERFLOW: return -EOVERFLOW;
	default: return -EIO;
	}
}

static void fail(struct bf_usbpush *p, int err, const char *what)
{
	if (p->err)
		return;
	p->err = err;
	if (err == -ENODEV)
		bf_error_set("%s: the device disconnected during the boot stream push (%s)", p->name, what);
	else
		bf_error_set("%s: %s failed during the boot stream push: %s", p->name, what,
			     strerror(-err));
}

static void pump_reads(struct bf_usbpush *p);

static void LIBUSB_CALL bulk_done(struct libusb_transfer *t)
{
	struct slot *s = t->user_data;
	struct bf_usbpush *p = s->p;
	int err = status_errno(t->status);

	s->busy = false;
	p->events++;
	bf_usbflow_completed(&p->f, (size_t)t->actual_length, s->len);
	if (err && err != -ECANCELED)
		fail(p, err, "a bulk transfer");
	else if (!err && (size_t)t->actual_length != s->len)
		fail(p, -EIO, "a short bulk transfer");
	pump_reads(p);
}

static void LIBUSB_CALL read_done(struct libusb_transfer *t)
{
	struct slot *s = t->user_data;
	struct bf_usbpush *p = s->p;
	int err = status_errno(t->status);
	const uint8_t *d = libusb_control_transfer_get_data(t);
	uint64_t v = 0;
	int i;

	s->busy = false;
	p->events++;
	if (!err && t->actual_length == 8) {
		for (i = 7; i >= 0; i--)
			v = v << 8 | d[i];
		if (bf_chip_is_bad_value(v)) {
			err = -EIO;
		} else {
			bf_usbflow_read_done(&p->f, v);
			p->rd_fail = 0;
		}
	} else if (!err) {
		err = -EIO;
	}
	if (err) {
		bf_usbflow_read_failed(&p->f);
		if (err == -ENODEV || ++p->rd_fail > READ_FAILS)
			fail(p, err, "reading BOOT_FIFO_COUNT");
		else if (err != -ECANCELED)
			bf_info("%s: BOOT_FIFO_COUNT read failed (%s), retry %u of %u", p->name,
				strerror(-err), p->rd_fail, READ_FAILS);
	}
	pump_reads(p);
}

/* Keep count reads going while there is credit to gain. */
static void pump_reads(struct bf_usbpush *p)
{
	while (!p->err && bf_usbflow_want_read(&p->f, p->active)) {
		struct slot *s = &p->rd[p->rd_next];
		int r;

		if (s->busy)
			return;
		libusb_fill_control_setup(s->buf, 0xc2, 0, p->cnt_wvalue, p->cnt_windex, 8);
		libusb_fill_control_transfer(s->t, p->h, s->buf, read_done, s, CTRL_TIMEOUT);
		if ((r = libusb_submit_transfer(s->t)) < 0) {
			fail(p, r == LIBUSB_ERROR_NO_DEVICE ? -ENODEV : -EIO, "submitting a count read");
			return;
		}
		s->busy = true;
		bf_usbflow_read_submitted(&p->f);
		p->rd_next = (p->rd_next + 1) % BF_USBFLOW_READS;
	}
}

static void run_events(struct bf_usbpush *p, unsigned ms)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = (long)ms * 1000 };
	uint64_t seen = p->events, deadline = bf_clock_ns() + (uint64_t)ms * 1000000ull;

	/* One wait on hardware; where the device file is not pollable (the
	 * simulator's), libusb returns at once: loop until something
	 * happened or the time is up. */
	do {
		if (libusb_handle_events_timeout_completed(p->ctx, &tv, NULL) < 0)
			break;
	} while (p->events == seen && ms && bf_clock_ns() < deadline);
}

static bool any_busy(const struct bf_usbpush *p)
{
	unsigned i;

	for (i = 0; i < p->nb; i++)
		if (p->bulk[i].busy)
			return true;
	for (i = 0; i < BF_USBFLOW_READS; i++)
		if (p->rd[i].busy)
			return true;
	return false;
}

int bf_usbpush_new(struct libusb_context *ctx, struct libusb_device_handle *h,
		   const struct bf_chip *chip, unsigned char boot_ep, const char *name,
		   struct bf_usbpush **out)
{
	struct bf_usbpush *p = calloc(1, sizeof(*p));
	bool counted = chip->ver == BF_CHIP_BF3;
	unsigned i;

	if (!p)
		return -ENOMEM;
	p->ctx = ctx;
	p->h = h;
	p->chip = chip;
	p->ep = boot_ep;
	snprintf(p->name, sizeof(p->name), "%s", name);
	bf_usbflow_init(&p->f, (uint64_t)chip->boot_fifo_words * 8, counted);
	p->chunk = counted ? BF_USBFLOW_URB : CHUNK_NAK;
	p->nb = counted ? NB_MAX : 4;
	if (bf_chip_usb_wvalue_windex(chip, BF_CHAN_RSHIM, chip->r.boot_fifo_count,
				      &p->cnt_wvalue, &p->cnt_windex) < 0)
		goto nomem;
	for (i = 0; i < p->nb; i++) {
		p->bulk[i].p = p;
		if (!(p->bulk[i].t = libusb_alloc_transfer(0)) || !(p->bulk[i].buf = malloc(p->chunk)))
			goto nomem;
	}
	for (i = 0; i < BF_USBFLOW_READS; i++) {
		p->rd[i].p = p;
		if (!(p->rd[i].t = libusb_alloc_transfer(0)) ||
		    !(p->rd[i].buf = malloc(LIBUSB_CONTROL_SETUP_SIZE + 8)))
			goto nomem;
	}
	*out = p;
	return 0;
nomem:
	bf_usbpush_free(p);
	return -ENOMEM;
}

/* Fill free bulk slots from buf within the credit. Returns bytes taken. */
static size_t fill(struct bf_usbpush *p, const uint8_t *buf, size_t len)
{
	size_t taken = 0;
	unsigned i;

	for (i = 0; i < p->nb && taken < len && !p->err; i++) {
		struct slot *s = &p->bulk[i];
		size_t want = len - taken, n, wire;
		int r;

		if (s->busy)
			continue;
		if (want > p->chunk)
			want = p->chunk;
		/* The stream's last piece (< 8 bytes) goes out as a whole,
		 * zero-padded word. */
		wire = (want + 7) & ~(size_t)7;
		n = bf_usbflow_grant(&p->f, wire);
		if (n < wire)
			want = n;   /* whole words within the credit */
		if (!want)
			break;
		wire = (want + 7) & ~(size_t)7;
		memset(s->buf + want, 0, wire - want);
		memcpy(s->buf, buf + taken, want);
		s->len = wire;
		libusb_fill_bulk_transfer(s->t, p->h, p->ep, s->buf, (int)wire, bulk_done, s, 0);
		if ((r = libusb_submit_transfer(s->t)) < 0) {
			fail(p, r == LIBUSB_ERROR_NO_DEVICE ? -ENODEV : -EIO, "submitting a bulk transfer");
			break;
		}
		s->busy = true;
		bf_usbflow_submitted(&p->f, wire);
		taken += want;
	}
	return taken;
}

ssize_t bf_usbpush_write(struct bf_usbpush *p, const void *buf, size_t len)
{
	size_t taken = 0;
	int attempt;

	p->active = true;
	for (attempt = 0; attempt < 2 && !taken; attempt++) {
		run_events(p, 0);
		pump_reads(p);
		if (p->err)
			return p->err;
		taken = fill(p, buf, len);
		if (p->err)
			return p->err;
		if (!taken)
			run_events(p, 20);
	}
	return (ssize_t)taken;
}

int bf_usbpush_flush(struct bf_usbpush *p, double timeout_s)
{
	uint64_t last = bf_clock_ns(), seen = p->events;
	unsigned i;

	p->active = false;
	for (;;) {
		bool busy = false;

		for (i = 0; i < p->nb; i++)
			busy |= p->bulk[i].busy;
		if (!busy || p->err)
			break;
		run_events(p, 50);
		if (p->events != seen) {
			seen = p->events;
			last = bf_clock_ns();
		} else if ((double)(bf_clock_ns() - last) / 1e9 > timeout_s) {
			return bf_error_ret(ETIMEDOUT, "%s: the boot stream's last transfers did not complete "
					    "in %.0f s: the device stopped draining the boot FIFO", p->name,
					    timeout_s);
		}
	}
	return p->err;
}

void bf_usbpush_free(struct bf_usbpush *p)
{
	uint64_t deadline = bf_clock_ns() + 2000000000ull;
	unsigned i;

	if (!p)
		return;
	p->active = false;
	for (i = 0; i < p->nb; i++)
		if (p->bulk[i].busy)
			libusb_cancel_transfer(p->bulk[i].t);
	for (i = 0; i < BF_USBFLOW_READS; i++)
		if (p->rd[i].busy)
			libusb_cancel_transfer(p->rd[i].t);
	while (any_busy(p) && bf_clock_ns() < deadline)
		run_events(p, 50);
	if (any_busy(p)) {
		/* libusb still owns them: leak rather than free memory in use. */
		bf_info("%s: transfers still in flight after cancel; left to the device close", p->name);
		return;
	}
	for (i = 0; i < NB_MAX; i++) {
		libusb_free_transfer(p->bulk[i].t);
		free(p->bulk[i].buf);
	}
	for (i = 0; i < BF_USBFLOW_READS; i++) {
		libusb_free_transfer(p->rd[i].t);
		free(p->rd[i].buf);
	}
	free(p);
}
