/* install.h - one install on an open device (bf_install_*): the platform
 * check, the reset into RShim boot, the push of the bundle (+ bf.cfg,
 * rootfs) and the boot status followed to a verdict. For bfctl install and
 * for many devices at once (one thread each): it prints through print.h
 * (events carry the thread's device, event.h) and reports its outcome as
 * an exit code and a sentence instead of exiting. */
#ifndef BF_INSTALL_H
#define BF_INSTALL_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

#include "bfb_info.h"
#include "bootlog.h"
#include "rshim.h"

enum bf_install_wait { BF_INSTALL_WAIT_READY, BF_INSTALL_WAIT_LINUX, BF_INSTALL_WAIT_REBOOT };

struct bf_install_opts {
	const char *const *paths;   /* the bundle, then bf.cfg and rootfs if any */
	size_t npaths;
	const char *extras;         /* " + bf.cfg", ... for the "Pushing" line */
	enum bf_install_wait wait;
	bool keep_log;              /* no clear-on-read */
	double timeout_s;           /* whole install */
	double stall_s;             /* no data taken this long: fail */
	/* Called with "push" before the push and "boot" once the device has
	 * the stream (optional). */
	void (*on_phase)(void *ctx, const char *phase);
	void *ctx;
	/* For callers with an event stream of their own (optional): each log
	 * record, as its text and its formatted line, goes to on_line (with
	 * ctx) instead of being printed, and the install prints nothing
	 * itself (no lines, no progress). A negative return stops the install
	 * (-EINTR: as interrupted). */
	int (*on_line)(void *ctx, const char *text, const char *line);
	const volatile sig_atomic_t *stop;   /* non-zero: stop, as on SIGINT (optional) */
	unsigned reset_tries;       /* the reset into RShim boot, tried up to this many
				     * times 2 s apart while the device is coming back (0: once) */
	/* An earlier run pushed the whole stream and stopped (a crash, a
	 * Ctrl-C) before the verdict: no reset and no push; the log is read
	 * from where that run left it (nothing cleared) to the verdict. A log
	 * quiet for stall_s (device time) ends the watch as inconclusive. */
	bool watch_only;
};

struct bf_install_result {
	int exit_code;              /* error.h BF_EXIT_* */
	enum bf_boot_mark mark;     /* the verdict's mark (0: none) */
	uint64_t pushed;
	bool pushed_all;            /* the push ended: the device has the stream */
	bool verdict_during_push;   /* the verdict was logged before the push ended */
	bool stream_unused;         /* a no-OS verdict with no installer run before it
				     * (no "Rebooting..." in this install, or logged
				     * while the push went on): the DPU booted from
				     * eMMC without taking the stream; pushing again
				     * can succeed */
	bool inconclusive;          /* watch_only: no verdict and a quiet log; the
				     * boot's outcome is unknown (push again) */
	char message[768];          /* what failed and why (names the device) */
	char hint[256];             /* what to do next, "" none */
};

/* The PSID of the NIC beside this RShim, when the transport reaches it
 * (sim:N, pcie:D:B:D.F); "" otherwise. */
void bf_install_nic_psid(const char *dev, char *psid, size_t cap);

/* Is the bundle for this device? 0 (or forced: a warning), else the exit
 * code with res filled. Nothing is touched. */
int bf_install_platform(const char *bfb, struct bf_rshim *r, const char *psid, bool force,
			struct bf_install_result *res);

/* The same with the bundle's inventory read already (bfb_info.h), for
 * many devices given one bundle. */
int bf_install_platform_comps(const struct bf_bfb_component *comps, size_t n, const char *bfb,
			      struct bf_rshim *r, const char *psid, bool force, struct bf_install_result *res);

/* Reset, push, follow the boot status to the verdict. The exit code (0:
 * installed), res filled. */
int bf_install_run(struct bf_rshim *r, const struct bf_install_opts *o, struct bf_install_result *res);

#endif
