/* umock.h - `bfsim run --transport usb` (bf_sim_umock_*): the run's
 * simulated BlueFields as USB devices in one umockdev testbed.
 *
 * umock.c is the bus: the testbed, a root hub per USB bus, the one ioctl
 * handler that every device node is attached to (it finds the device a
 * request is for by the node the client opened), the watch that notices
 * chip resets, and the end of the run. umock_dev.c is one device on it:
 * its sysfs entry and node, its URBs against the device model (usbdev.c)
 * and its re-enumeration after a chip reset.
 *
 * Addresses: device i (sim:i) is on bus 1 + i / UMOCK_PORTS at port
 * UMOCK_PORT0 + i % UMOCK_PORTS (usb:1-4, usb:1-5, ...). Each bus hands
 * out device numbers from 2 (1 is its root hub) in order, as the kernel
 * does, skipping those in use: a device takes a new one each time it
 * comes back after a chip reset.
 */
#ifndef BF_SIM_UMOCK_H
#define BF_SIM_UMOCK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <umockdev.h>

#include "host.h"
#include "usbdev.h"

#define UMOCK_PORT0    4      /* device 0 is usb:1-4 */
#define UMOCK_PORTS    28     /* ports 4..31 of a root hub (the kernel's maximum is 31) */
#define UMOCK_DEVNUMS  128    /* device numbers of a bus: 1..127 */

struct uurb;
struct umock_bus;

/* One simulated BlueField on the bus. Fields below h are under h->lock. */
struct umock_dev {
	struct umock_bus *bus;
	struct bf_sim_host *h;
	unsigned busnum, port;
	struct bf_sim_usb *u;
	char devnode[64];
	char *syspath;
	struct uurb *pending;        /* submitted, in the model */
	struct uurb *reapable;       /* completed, in completion order */
	unsigned nurbs;
	bool removed;                /* unplugged for good (fault, end of run) */
	/* Re-enumeration after a chip reset: the device leaves the bus and
	 * comes back with the next address; clients of the old one are
	 * stale (ENODEV). */
	unsigned gen;
	int devnum;
	uint64_t resets_seen;
	bool away;
	pthread_t back;
	bool back_running;
};

struct umock_bus {
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	struct bf_sim_usb_timing timing;
	struct umock_dev *devs;
	unsigned ndev, nbus;
	/* Changes to the testbed and the device numbers, from the handler,
	 * the watch and the devices' come-back threads. Taken after a host
	 * lock, never before one. */
	pthread_mutex_t tb_lock;
	bool devnum_used[8][UMOCK_DEVNUMS];   /* [bus - 1][devnum] */
	int devnum_next[8];
	pthread_t watch;
	bool watch_running, watch_stop;
};

/* umock_dev.c: the device's part. Callers hold d->h->lock unless noted. */
/* Put it on the bus at its next address: sysfs entry, node, handler. */
int bf_sim_umock_dev_add(struct umock_dev *d);
/* Take it off the bus (the node's clients get ENODEV from then on). */
void bf_sim_umock_dev_remove(struct umock_dev *d);
/* The device left the bus: its URBs in flight end with ENODEV,
 * reapable. Under d->h->lock. */
void bf_sim_umock_dev_fail_pending(struct umock_dev *d);
/* A chip reset since the last look: the device leaves the bus and comes
 * back later at a new address (a thread of its own). May drop the lock. */
void bf_sim_umock_dev_check_reset(struct umock_dev *d);
/* One usbdevfs request of client; 0 or -errno for the client. */
int bf_sim_umock_dev_ioctl(struct umock_dev *d, UMockdevIoctlClient *client);
/* A client connected to the node: it belongs to the device as it is now. */
void bf_sim_umock_dev_connected(struct umock_dev *d, UMockdevIoctlClient *client);
/* A client closed the node or died: its URBs go. */
void bf_sim_umock_dev_vanished(struct umock_dev *d, UMockdevIoctlClient *client);
/* At the end: every URB freed, the model closed. */
void bf_sim_umock_dev_free(struct umock_dev *d);
/* A plain file in the testbed (usbdevfs nodes are plain files there; the
 * preload library routes their ioctls to the handler). */
int bf_sim_umock_make_node(UMockdevTestbed *tb, const char *node);

#endif
