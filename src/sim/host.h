/* host.h - a simulated device held by the bfsim process (bf_sim_host_*),
 * served on its socket (serve.c) and, under `bfsim run --transport`,
 * through real kernel interfaces (bf_sim_transport_*). COMMAND then
 * reaches it with the same code that reaches hardware: libusb over
 * usbdevfs (umockdev), pread/pwrite on sysfs PCI config files (FUSE).
 */
#ifndef BF_SIM_HOST_H
#define BF_SIM_HOST_H

#include <limits.h>
#include <pthread.h>

#include "sim.h"

struct bf_sim_host {
	struct bf_sim *sim;
	unsigned index;           /* sim:N: where the transports put it */
	/* Transports serve from their own threads: every call into sim
	 * is made with this held. */
	pthread_mutex_t lock;
	/* Private scratch directory of this device in this run (mount
	 * points, testbed), removed afterwards. */
	char dir[PATH_MAX];
	/* Who may use the RShim (serve.c, bmc*.c), under lock: host
	 * backends connected to it now, whether its BMC holds it
	 * (BmcRShimEnabled) and whether the BMC shut the host out
	 * (HostRshim Disabled). */
	unsigned rshim_host_users;
	bool rshim_bmc;
	bool rshim_host_disabled;
};

struct bf_sim_transport {
	const char *name;                                   /* "usb", "pci" */
	/* In bfsim, before COMMAND starts: serve devs[0..n-1], device i
	 * (sim:i) at the transport's i-th address (usb:1-4, usb:1-5...;
	 * 0000:03:00.x and 0000:04:00.0, then the next two buses...). May
	 * setenv() what COMMAND needs. 0 or -errno with bf_error_set. */
	int (*start)(struct bf_sim_host *devs, unsigned n, void **ctx);
	/* In COMMAND's private mount namespace, before exec (bind mounts).
	 * 0 or -errno. May be NULL. */
	int (*enter)(void *ctx);
	/* After COMMAND ended: stop serving, unmount, free. */
	void (*stop)(void *ctx);
};

/* Transports, one file each. */
extern const struct bf_sim_transport bf_sim_transport_usb;   /* umock.c */
extern const struct bf_sim_transport bf_sim_transport_pci;   /* pcifs.c */

#endif
