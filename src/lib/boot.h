/* boot.h - the boot-stream push (bf_boot_*): chip reset into RShim boot,
 * the push with flow control that never overflows the boot FIFO, progress.
 * Facts: doc/rshim.md section 3.
 */
#ifndef BF_BOOT_H
#define BF_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "rshim.h"

#define BF_BOOT_TIMEOUT_DEFAULT 300.0   /* s without FIFO progress (upstream BOOT_TIMEOUT) */

struct bf_boot_opts {
	double stall_timeout_s;       /* no progress for this long: -ETIMEDOUT */
	const struct bf_deadline *deadline;  /* overall (may be NULL) */
	/* Called about every poll_ms while pushing (e.g. to stream the log);
	 * a negative return aborts the push with that error. */
	int (*poll)(void *ctx);
	void *poll_ctx;
	unsigned poll_ms;
	bool progress;                /* drive a "push" progress bar / events */
	/* bf_boot_push_files: bytes pushed after the files, from memory (a
	 * bf.cfg that holds a password and is never written to a file); the
	 * push buffer that held them is wiped. */
	const void *tail;
	size_t tail_len;
};

/* Chip reset (RESET_CONTROL with the key) followed by the backend's reset
 * delay; BOOT_CONTROL is left as it is (SW_RESET in the misc file). */
int bf_boot_chip_reset(struct bf_rshim *r);

/* Reset the chip into RShim boot: BOOT_CONTROL = 0, ARM watchdog off,
 * RESET_CONTROL with the reset key, then the backend's reset delay. */
int bf_boot_reset(struct bf_rshim *r);

/* Push the concatenation of the files (BFB, then bf.cfg, then rootfs:
 * raw bytes, as upstream), then o->tail. *pushed gets the bytes the
 * device accepted.
 * 0, -ETIMEDOUT (stall or deadline; sentence names which), -EINTR, -errno. */
int bf_boot_push_files(struct bf_rshim *r, const char *const *paths, size_t npaths,
		       const struct bf_boot_opts *o, uint64_t *pushed);

/* Push len bytes from memory (len a multiple of 8 except for the last
 * piece of a stream, which the backend zero-pads). *pushed gets the bytes
 * accepted. 0, -ETIMEDOUT, -EINTR, a poll callback's error, -errno. */
int bf_boot_push_buf(struct bf_rshim *r, const void *buf, size_t len,
		     const struct bf_boot_opts *o, uint64_t *pushed);

/* End of push: BOOT_CONTROL = 1 (eMMC), as upstream does on close. */
int bf_boot_finish(struct bf_rshim *r);

#endif
