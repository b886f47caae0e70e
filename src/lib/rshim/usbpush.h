/* usbpush.h - the USB boot stream push engine (bf_usbpush_*): bulk
 * transfers kept in flight within the credit that usbflow.h proves safe,
 * and the BOOT_FIFO_COUNT reads that feed it.
 *
 * The engine does no I/O itself: it drives a transfer interface (struct
 * bf_usbpush_io). Production uses libusb (usbpush_libusb.c, through
 * bf_usbpush_new in usb.h); the push benchmark and the unit test plug in
 * the simulator's USB model on a virtual clock, so that they measure and
 * check this very code. Everything runs in the caller's thread: the
 * interface reports completions from inside its events() call.
 */
#ifndef BF_RSHIM_USBPUSH_H
#define BF_RSHIM_USBPUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chip.h"

#define BF_USBPUSH_BULK_MAX 16     /* bulk transfers in flight, at most (a FIFO in packets) */

struct bf_usbpush;

enum bf_usbpush_kind { BF_USBPUSH_BULK, BF_USBPUSH_READ };

struct bf_usbpush_io {
	/* Queue a bulk OUT of buf[0..len) to the boot endpoint as transfer
	 * `slot` (buf stays valid until it completes). 0 or -errno. */
	int (*submit_bulk)(void *ctx, unsigned slot, const uint8_t *buf, size_t len);
	/* Queue an 8-byte read of BOOT_FIFO_COUNT as read `slot`. */
	int (*submit_read)(void *ctx, unsigned slot);
	/* Ask for a queued transfer to be cancelled (it still completes). */
	void (*cancel)(void *ctx, enum bf_usbpush_kind kind, unsigned slot);
	/* Report completions (bf_usbpush_bulk_done/read_done); if none is
	 * ready, wait up to us microseconds for one. 0 or -errno. */
	int (*events)(void *ctx, unsigned us);
	/* The clock of the timeouts (monotonic ns). */
	uint64_t (*now_ns)(void *ctx);
	/* The engine is done with ctx (may be NULL). */
	void (*release)(void *ctx);
};

/* A push to a chip's boot FIFO through io. 0 or -ENOMEM. */
int bf_usbpush_create(const struct bf_usbpush_io *io, void *ctx, const struct bf_chip *chip,
		      const char *name, struct bf_usbpush **out);
/* From io->events: a bulk transfer ended having moved `moved` bytes (err:
 * 0 or -errno; -ECANCELED for a cancelled one). */
void bf_usbpush_bulk_done(struct bf_usbpush *p, unsigned slot, int err, size_t moved);
/* From io->events: a count read ended with n bytes of data. */
void bf_usbpush_read_done(struct bf_usbpush *p, unsigned slot, int err, const uint8_t *data, size_t n);

/* Accept up to len bytes (copied) into transfers within the credit; waits
 * a little for credit when there is none. Bytes accepted (0: none yet) or
 * -errno (-ENODEV unplugged, -EIO transfer error). */
ssize_t bf_usbpush_write(struct bf_usbpush *p, const void *buf, size_t len);
/* Wait until every transfer in flight has completed; -ETIMEDOUT if none
 * completes for timeout_s. */
int bf_usbpush_flush(struct bf_usbpush *p, double timeout_s);
/* Cancel what is in flight (bounded wait for the cancellations) and free. */
void bf_usbpush_free(struct bf_usbpush *p);

/* Count reads issued so far (statistics). */
uint64_t bf_usbpush_reads(const struct bf_usbpush *p);

#endif
