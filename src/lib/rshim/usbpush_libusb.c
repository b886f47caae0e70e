/* usbpush_libusb.c - the push engine's transfers (usbpush.h) as
 * asynchronous libusb transfers: bulk OUT to the boot endpoint, vendor
 * control reads of BOOT_FIFO_COUNT on endpoint 0. Callbacks fire inside
 * libusb_handle_events*, called from the engine's events(). */
#include "config.h"
#include "rshim/usb.h"
#include "rshim/usbpush.h"
#include "rshim/usbflow.h"
#include "clock.h"

#include <errno.h>
#include <libusb.h>
#include <stdlib.h>

#define CTRL_TIMEOUT  5000          /* ms, one count read */

struct usbio {
	libusb_context *ctx;
	libusb_device_handle *h;
	unsigned char ep;
	uint16_t cnt_wvalue, cnt_windex;
	struct bf_usbpush *p;
	struct libusb_transfer *bulk[BF_USBPUSH_BULK_MAX];
	struct libusb_transfer *rd[BF_USBFLOW_READS];
	uint8_t rdbuf[BF_USBFLOW_READS][LIBUSB_CONTROL_SETUP_SIZE + 8];
	uint64_t done;                /* completions delivered */
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

static int submit_errno(int r)
{
	return r == LIBUSB_ERROR_NO_DEVICE ? -ENODEV : -EIO;
}

static void LIBUSB_CALL bulk_cb(struct libusb_transfer *t)
{
	struct usbio *io = t->user_data;
	unsigned slot;

	for (slot = 0; slot < BF_USBPUSH_BULK_MAX && io->bulk[slot] != t; slot++)
		;
	io->done++;
	bf_usbpush_bulk_done(io->p, slot, status_errno(t->status), (size_t)t->actual_length);
}

static void LIBUSB_CALL read_cb(struct libusb_transfer *t)
{
	struct usbio *io = t->user_data;
	unsigned slot;

	for (slot = 0; slot < BF_USBFLOW_READS && io->rd[slot] != t; slot++)
		;
	io->done++;
	bf_usbpush_read_done(io->p, slot, status_errno(t->status), libusb_control_transfer_get_data(t),
			     (size_t)t->actual_length);
}

static int io_submit_bulk(void *ctx, unsigned slot, const uint8_t *buf, size_t len)
{
	struct usbio *io = ctx;
	int r;

	libusb_fill_bulk_transfer(io->bulk[slot], io->h, io->ep, (uint8_t *)buf, (int)len, bulk_cb, io, 0);
	r = libusb_submit_transfer(io->bulk[slot]);
	return r < 0 ? submit_errno(r) : 0;
}

static int io_submit_read(void *ctx, unsigned slot)
{
	struct usbio *io = ctx;
	int r;

	libusb_fill_control_setup(io->rdbuf[slot], 0xc2, 0, io->cnt_wvalue, io->cnt_windex, 8);
	libusb_fill_control_transfer(io->rd[slot], io->h, io->rdbuf[slot], read_cb, io, CTRL_TIMEOUT);
	r = libusb_submit_transfer(io->rd[slot]);
	return r < 0 ? submit_errno(r) : 0;
}

static void io_cancel(void *ctx, enum bf_usbpush_kind kind, unsigned slot)
{
	struct usbio *io = ctx;

	libusb_cancel_transfer(kind == BF_USBPUSH_BULK ? io->bulk[slot] : io->rd[slot]);
}

/* One wait on hardware; where the device file is not pollable (the
 * simulator's under umockdev), libusb returns at once: loop until
 * something completed or the time is up. */
static int io_events(void *ctx, unsigned us)
{
	struct usbio *io = ctx;
	struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = (long)(us % 1000000) };
	uint64_t seen = io->done, deadline = bf_clock_ns() + (uint64_t)us * 1000ull;

	do {
		if (libusb_handle_events_timeout_completed(io->ctx, &tv, NULL) < 0)
			break;
	} while (io->done == seen && us && bf_clock_ns() < deadline);
	return 0;
}

static uint64_t io_now_ns(void *ctx)
{
	(void)ctx;
	return bf_clock_ns();
}

static void io_release(void *ctx)
{
	struct usbio *io = ctx;
	unsigned i;

	if (!io)
		return;
	for (i = 0; i < BF_USBPUSH_BULK_MAX; i++)
		libusb_free_transfer(io->bulk[i]);
	for (i = 0; i < BF_USBFLOW_READS; i++)
		libusb_free_transfer(io->rd[i]);
	free(io);
}

static const struct bf_usbpush_io libusb_io = {
	.submit_bulk = io_submit_bulk,
	.submit_read = io_submit_read,
	.cancel = io_cancel,
	.events = io_events,
	.now_ns = io_now_ns,
	.release = io_release,
};

int bf_usbpush_new(struct libusb_context *ctx, struct libusb_device_handle *h,
		   const struct bf_chip *chip, unsigned char boot_ep, const char *name,
		   struct bf_usbpush **out)
{
	struct usbio *io = calloc(1, sizeof(*io));
	unsigned i;
	int r;

	if (!io)
		return -ENOMEM;
	io->ctx = ctx;
	io->h = h;
	io->ep = boot_ep;
	if (bf_chip_usb_wvalue_windex(chip, BF_CHAN_RSHIM, chip->r.boot_fifo_count,
				      &io->cnt_wvalue, &io->cnt_windex) < 0) {
		free(io);
		return -EINVAL;
	}
	for (i = 0; i < BF_USBPUSH_BULK_MAX; i++)
		if (!(io->bulk[i] = libusb_alloc_transfer(0)))
			goto nomem;
	for (i = 0; i < BF_USBFLOW_READS; i++)
		if (!(io->rd[i] = libusb_alloc_transfer(0)))
			goto nomem;
	if ((r = bf_usbpush_create(&libusb_io, io, chip, name, &io->p)) < 0) {
		io_release(io);
		return r;
	}
	*out = io->p;
	return 0;
nomem:
	io_release(io);
	return -ENOMEM;
}
