/* fleet.h - many devices in one process (bf_fleet_*): the devices of an
 * inventory provisioned by a pool of threads, at most `parallel` at a
 * time, each isolated from the others.
 *
 * Phases, each over every device still standing:
 *  1. prepare: every distinct bundle and bf.cfg URL downloaded once
 *     (bf_fetch), every distinct bundle verified (each image header and
 *     CRC), every distinct bf.cfg checked. A device whose input fails
 *     fails there; no device has been touched.
 *  2. check: each device opened and its chip and NIC PSID compared with
 *     its bundle's inventory; a wrong-platform bundle fails that device.
 *     Still nothing written to any device.
 *  3. run: each device installed (push, then boot to "DPU is ready") or,
 *     with a profile, provisioned (bf_provision_run: firmware, install,
 *     handoff, agent, verify).
 * A journal per device (journal.h) records the steps done; resume skips
 * them. Transient failures (device busy, a push cut) are retried with
 * backoff, each retry said with its reason; invalid input never is.
 *
 * Output goes through print.h from each device's thread, with the
 * thread's device set (every event carries "device") and the caller's
 * view for human text (event.h). */
#ifndef BF_FLEET_H
#define BF_FLEET_H

#include <limits.h>
#include <stdbool.h>

#include "event.h"
#include "fetch.h"
#include "inventory.h"

struct bf_fleet_dev {
	const struct bf_inventory_device *inv;
	char bfb[PATH_MAX];          /* the local bundle (after download) */
	char config[PATH_MAX];       /* the local bf.cfg, "" none */
	char state_dir[PATH_MAX];
	const char *step;            /* the step running, or reached (failed) */
	int exit_code;               /* error.h; -1 while not finished */
	char message[768];           /* the failure, naming the device */
	char hint[256];
	double t0, seconds;          /* start (bf_event_elapsed), duration */
	unsigned retries;
	bool started, finished;
	bool skipped;                /* nothing left to do (journal) */
};

struct bf_fleet_opts {
	const struct bf_inventory *inv;
	unsigned parallel;           /* 0: all at once */
	bool resume;
	bool plan;                   /* prepare and check only: touch no device */
	const char *state_root;      /* per device DIR/<device>; NULL: $BFCTL_STATE_DIR or /var/lib/bfctl (bf_statedir_path) */
	struct bf_fetch_opts fetch;  /* cache, TLS; sha256 per device */
	double timeout_s;            /* per device install; 0: 3600 */
	double stall_s;              /* no data taken, or (a resumed watch) no log,
				      * this long: 0: 300 */
	int retries;                 /* transient failures per step; < 0: 3 */
	double backoff_s;            /* first retry delay, doubled; 0: 2 s */
	bool force_platform;
	/* The view for device i's thread (NULL: the terminal), and a call
	 * whenever a device starts or ends a step. Both optional. */
	const struct bf_event_view *(*view)(void *ctx, size_t i);
	void (*changed)(void *ctx, size_t i);
	void *ctx;
};

/* Run the fleet; devs has inv->n entries (filled here). 0 when every
 * device succeeded, 1 when any failed, 130 when stopped. */
int bf_fleet_run(const struct bf_fleet_opts *o, struct bf_fleet_dev *devs);

#endif
