/* umock.c - `bfsim run --transport usb`: the run's simulated BlueFields
 * as USB devices in one umockdev testbed (umock.h). COMMAND runs under
 * the umockdev preload library, so its sysfs and /dev/bus/usb are the
 * testbed's, and every usbdevfs ioctl on a device node (URB submit, reap,
 * discard, claim...) reaches the one handler below in this process, which
 * passes it to the device whose node the client opened (umock_dev.c).
 */
#include "config.h"
#include "umock.h"
#include "error.h"
#include "log.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STOP_WAIT_MS 5000  /* for clients to let go of an unplugged device at the end */
#define STOP_TALK_MS 30000 /* ... as long as they are still sending requests */
#define STOP_QUIET_MS 5000 /* ... "still": a request in the last this many ms */
#define WATCH_MS   20      /* how often the chips' reset counts are looked at */
#define MAX_HOLDERS 16     /* processes named per device at the end */

/* The bus being served. umockdev calls the handlers below from its own
 * thread, which may still deliver a request while the run stops: each
 * handler takes this lock and finds the bus through it, so that after
 * umock_stop has cleared it no handler touches the freed devices
 * (requests then end with ENODEV, as for an unplugged device).
 * Lock order: live_lock, a host's lock, the bus's tb_lock. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct umock_bus *live;
/* When the last request reached a handler (bf_clock_ns; under live_lock). */
static uint64_t last_req_ns;

static struct umock_bus *live_get(gpointer user)
{
	pthread_mutex_lock(&live_lock);
	if (live != user) {
		pthread_mutex_unlock(&live_lock);
		return NULL;
	}
	return live;
}

/* The device a client is for: the one it connected to (remembered, since
 * a node outlives its device's address after a chip reset), else the one
 * whose node it opened. Under live_lock. */
static struct umock_dev *dev_of(struct umock_bus *b, UMockdevIoctlClient *client)
{
	guint i = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(client), "bfsim-dev"));
	const gchar *node;

	if (i)
		return i <= b->ndev ? &b->devs[i - 1] : NULL;
	node = umockdev_ioctl_client_get_devnode(client);
	for (i = 0; node && i < b->ndev; i++) {
		struct umock_dev *d = &b->devs[i];
		bool match;

		pthread_mutex_lock(&d->h->lock);
		match = !d->away && !strcmp(d->devnode, node);
		pthread_mutex_unlock(&d->h->lock);
		if (match)
			return d;
	}
	return NULL;
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	struct umock_bus *b = live_get(user);
	struct umock_dev *d = b ? dev_of(b, client) : NULL;
	int r = -ENODEV;

	(void)base;
	if (b)
		last_req_ns = bf_clock_ns();   /* live_get holds live_lock */
	if (d) {
		pthread_mutex_lock(&d->h->lock);
		r = bf_sim_umock_dev_ioctl(d, client);
		pthread_mutex_unlock(&d->h->lock);
	}
	if (b)
		pthread_mutex_unlock(&live_lock);
	umockdev_ioctl_client_complete(client, r < 0 ? -1 : 0, r < 0 ? -r : 0);
	return TRUE;
}

static void on_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	struct umock_bus *b = live_get(user);
	struct umock_dev *d = b ? dev_of(b, client) : NULL;

	(void)base;
	if (d) {
		g_object_set_data(G_OBJECT(client), "bfsim-dev", GUINT_TO_POINTER((guint)(d - b->devs) + 1));
		pthread_mutex_lock(&d->h->lock);
		bf_sim_umock_dev_connected(d, client);
		pthread_mutex_unlock(&d->h->lock);
	}
	if (b)
		pthread_mutex_unlock(&live_lock);
}

static void on_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	struct umock_bus *b = live_get(user);
	struct umock_dev *d = b ? dev_of(b, client) : NULL;

	(void)base;
	if (d) {
		pthread_mutex_lock(&d->h->lock);
		bf_sim_umock_dev_vanished(d, client);
		pthread_mutex_unlock(&d->h->lock);
	}
	if (b)
		pthread_mutex_unlock(&live_lock);
}

/* A reset made over another transport (pci) is seen within WATCH_MS, not
 * at the next USB request: a client that looks for the device after the
 * reset finds it gone or at its new address. */
static void *watch_main(void *arg)
{
	struct umock_bus *b = arg;
	bool stop = false;
	unsigned i;

	while (!stop) {
		bf_clock_sleep_ns(WATCH_MS * 1000000ull);
		pthread_mutex_lock(&live_lock);
		for (i = 0; i < b->ndev; i++) {
			struct umock_dev *d = &b->devs[i];

			pthread_mutex_lock(&d->h->lock);
			stop = b->watch_stop;
			if (!stop)
				bf_sim_umock_dev_check_reset(d);
			pthread_mutex_unlock(&d->h->lock);
		}
		pthread_mutex_unlock(&live_lock);
	}
	return NULL;
}

/* Prepend val to the sep-separated variable name. */
static void env_prepend(const char *name, const char *val, char sep)
{
	const char *old = getenv(name);
	char *v;

	if (!old || !*old) {
		setenv(name, val, 1);
		return;
	}
	if (asprintf(&v, "%s%c%s", val, sep, old) < 0)
		return;
	setenv(name, v, 1);
	free(v);
}

/* Root hub busnum (devnum 1), with enough ports for the devices on it. */
static int add_hub(struct umock_bus *b, unsigned busnum, unsigned ports)
{
	uint8_t hub[18] = { 18, 1, 0x00, 0x02, 9, 0, 1, 64, 0x6b, 0x1d, 0x02, 0x00,
			    0x06, 0x06, 0, 0, 0, 1 };
	char node[64], name[16], bn[12], bn3[12], maxchild[12], dev[16];
	gchar *path;
	int r;

	snprintf(node, sizeof(node), "/dev/bus/usb/%03u/001", busnum);
	snprintf(name, sizeof(name), "usb%u", busnum);
	snprintf(bn, sizeof(bn), "%u", busnum);
	snprintf(bn3, sizeof(bn3), "%03u", busnum);
	snprintf(maxchild, sizeof(maxchild), "%u", ports < 8 ? 8 : ports);
	snprintf(dev, sizeof(dev), "189:%u", (busnum - 1) * 128);
	path = umockdev_testbed_add_device(b->tb, "usb", name, NULL,
		"busnum", bn, "devnum", "1", "speed", "480", "bConfigurationValue", "1",
		"idVendor", "1d6b", "idProduct", "0002", "bDeviceClass", "09", "maxchild", maxchild,
		"dev", dev, NULL,
		"DEVNAME", node, "DEVTYPE", "usb_device", "BUSNUM", bn3, "DEVNUM", "001",
		"PRODUCT", "1d6b/2/606", NULL);
	if (!path)
		return bf_error_ret(EIO, "usb transport: cannot add the root hub of bus %u to the testbed", busnum);
	r = bf_sim_umock_make_node(b->tb, node);
	umockdev_testbed_set_attribute_binary(b->tb, path, "descriptors", hub, (gint)sizeof(hub));
	g_free(path);
	b->devnum_used[busnum - 1][1] = true;
	b->devnum_next[busnum - 1] = 2;
	return r;
}

/* Device i: its bus and port, its model, on the bus. */
static int dev_start(struct umock_bus *b, struct bf_sim_host *h, struct umock_dev *d)
{
	struct bf_sim_status st;
	int r;

	d->bus = b;
	d->h = h;
	d->busnum = 1 + h->index / UMOCK_PORTS;
	d->port = UMOCK_PORT0 + h->index % UMOCK_PORTS;
	bf_sim_get_status(h->sim, &st);
	d->resets_seen = st.resets;
	if ((r = bf_sim_usb_open(h->sim, &b->timing, &d->u)) < 0)
		return r;
	pthread_mutex_lock(&h->lock);
	r = bf_sim_umock_dev_add(d);
	pthread_mutex_unlock(&h->lock);
	if (r < 0)
		return r;
	bf_info("usb: simulated %s (sim:%u) at usb:%u-%u (%s)", bf_sim_chip(h->sim)->name, h->index, d->busnum,
		d->port, d->devnode);
	return 0;
}

static int umock_start(struct bf_sim_host *devs, unsigned n, void **ctx)
{
	struct umock_bus *b = calloc(1, sizeof(*b));
	unsigned i;
	int r;

	if (!b)
		return -ENOMEM;
	*ctx = b;
	pthread_mutex_init(&b->tb_lock, NULL);
	b->nbus = (n + UMOCK_PORTS - 1) / UMOCK_PORTS;
	if (b->nbus > sizeof(b->devnum_next) / sizeof(b->devnum_next[0]))
		return bf_error_ret(EINVAL, "usb transport: %u devices do not fit on %zu buses", n,
				    sizeof(b->devnum_next) / sizeof(b->devnum_next[0]));
	/* The links' timing: BFSIM_USB_TIMING="ctl_us=250,link_mb_s=32.8"
	 * over the defaults (usbdev.h). */
	bf_sim_usb_timing_defaults(&b->timing);
	if (getenv("BFSIM_USB_TIMING") &&
	    bf_sim_usb_timing_parse(&b->timing, getenv("BFSIM_USB_TIMING")) < 0)
		return bf_error_ret(EINVAL, "usb transport: BFSIM_USB_TIMING '%s' is not a list of "
				    "link_mb_s, uframe_us, uframe_pkts, ctl_us, ctl_bus_us, done_us, sample_at, "
				    "done_jitter_us=VALUE",
				    getenv("BFSIM_USB_TIMING"));
	if (!(b->devs = calloc(n, sizeof(*b->devs))))
		return -ENOMEM;
	b->tb = umockdev_testbed_new();
	if (!b->tb)
		return bf_error_ret(EIO, "usb transport: cannot create the umockdev testbed");
	for (i = 0; i < b->nbus; i++) {
		unsigned on_bus = n - i * UMOCK_PORTS < UMOCK_PORTS ? n - i * UMOCK_PORTS : UMOCK_PORTS;

		if ((r = add_hub(b, i + 1, UMOCK_PORT0 - 1 + on_bus)) < 0)
			return r;
	}
	b->handler = umockdev_ioctl_base_new();
	pthread_mutex_lock(&live_lock);
	live = b;
	pthread_mutex_unlock(&live_lock);
	g_signal_connect(b->handler, "handle-ioctl", G_CALLBACK(on_ioctl), b);
	g_signal_connect(b->handler, "client-connected", G_CALLBACK(on_connected), b);
	g_signal_connect(b->handler, "client-vanished", G_CALLBACK(on_vanished), b);
	for (i = 0; i < n; i++, b->ndev++)
		if ((r = dev_start(b, &devs[i], &b->devs[i])) < 0) {
			b->ndev++;   /* freed with the others */
			return r;
		}
	if ((r = pthread_create(&b->watch, NULL, watch_main, b)) != 0)
		return bf_error_ret(r, "usb transport: cannot start its reset watch");
	b->watch_running = true;
	/* COMMAND runs under the preload library; a sanitizer runtime in
	 * COMMAND must accept not being first in the preload list. */
	env_prepend("LD_PRELOAD", "libumockdev-preload.so.0", ':');
	env_prepend("ASAN_OPTIONS", "verify_asan_link_order=0", ':');
	bf_info("usb: %u device%s in testbed %s", n, n == 1 ? "" : "s",
		getenv("UMOCKDEV_DIR") ? getenv("UMOCKDEV_DIR") : "?");
	return 0;
}

/* Processes that have one of the nodes open (their pids, up to max, in
 * pids): under the preload library a node is a file in the testbed
 * (umockdev does not tell when a client goes away, so /proc is asked). */
static unsigned holders(const char *node, pid_t *pids, unsigned max)
{
	char fddir[300], path[600], target[PATH_MAX];
	struct dirent *p, *f;
	unsigned n = 0;
	DIR *procs, *fds;
	ssize_t len;

	if (!(procs = opendir("/proc")))
		return 0;
	while ((p = readdir(procs))) {
		bool held = false;

		if (p->d_name[0] < '1' || p->d_name[0] > '9' || atoi(p->d_name) == (int)getpid())
			continue;
		snprintf(fddir, sizeof(fddir), "/proc/%s/fd", p->d_name);
		if (!(fds = opendir(fddir)))
			continue;
		while (!held && (f = readdir(fds))) {
			snprintf(path, sizeof(path), "%s/%s", fddir, f->d_name);
			len = readlink(path, target, sizeof(target) - 1);
			if (len > 0) {
				target[len] = '\0';
				/* The node is gone from the testbed once unplugged. */
				held = !strcmp(target, node) ||
				       (!strncmp(target, node, strlen(node)) &&
					!strcmp(target + strlen(node), " (deleted)"));
			}
		}
		closedir(fds);
		if (held && n < max)
			pids[n++] = (pid_t)atoi(p->d_name);
	}
	closedir(procs);
	return n;
}

/* Is any of them still running (not gone, not a zombie)? */
static bool any_alive(const pid_t *pids, unsigned n)
{
	char path[64], buf[256], *rp;
	unsigned i;
	ssize_t len;
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pids[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		rp = strrchr(buf, ')');
		if (rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X')
			return true;
	}
	return false;
}

/* Every device unplugged; the processes that still had one open (a daemon
 * COMMAND left running) named in pids. */
static unsigned unplug_all(struct umock_bus *b, pid_t *pids, unsigned max)
{
	gchar *root = umockdev_testbed_get_root_dir(b->tb);
	char node[PATH_MAX];
	unsigned i, n = 0, k;

	for (i = 0; i < b->ndev; i++) {
		struct umock_dev *d = &b->devs[i];

		snprintf(node, sizeof(node), "%s%s", root, d->devnode);
		k = !d->away && !d->removed && d->syspath ? holders(node, pids + n, max - n) : 0;
		if (k)
			bf_warn("usb: usb:%u-%u: %u process%s still had the simulated device open when the run "
				"ended: it is unplugged now", d->busnum, d->port, k, k == 1 ? "" : "es");
		n += k;
		pthread_mutex_lock(&live_lock);
		pthread_mutex_lock(&d->h->lock);
		if (!d->removed && !d->away && d->syspath) {
			pthread_mutex_lock(&b->tb_lock);
			umockdev_testbed_remove_device(b->tb, d->syspath);
			pthread_mutex_unlock(&b->tb_lock);
		}
		d->removed = true;
		bf_sim_umock_dev_fail_pending(d);
		pthread_mutex_unlock(&d->h->lock);
		pthread_mutex_unlock(&live_lock);
	}
	g_free(root);
	return n;
}

/* Does any process still have one of the (unplugged) nodes open? */
static bool any_holder(struct umock_bus *b)
{
	gchar *root = umockdev_testbed_get_root_dir(b->tb);
	char node[PATH_MAX];
	pid_t pid;
	unsigned i, n = 0;

	for (i = 0; i < b->ndev && !n; i++) {
		snprintf(node, sizeof(node), "%s%s", root, b->devs[i].devnode);
		n = holders(node, &pid, 1);
	}
	g_free(root);
	return n > 0;
}

static void umock_stop(void *ctx)
{
	struct umock_bus *b = ctx;
	pid_t pids[MAX_HOLDERS * 4];
	unsigned i, n = 0;

	if (!b)
		return;
	if (b->watch_running) {
		pthread_mutex_lock(&live_lock);
		b->watch_stop = true;
		pthread_mutex_unlock(&live_lock);
		pthread_join(b->watch, NULL);
	}
	for (i = 0; i < b->ndev; i++)
		if (b->devs[i].back_running)
			pthread_join(b->devs[i].back, NULL);
	/* A process that still has a device open sees it unplugged, and gets
	 * a moment to let go of it. */
	if (b->tb)
		n = unplug_all(b, pids, sizeof(pids) / sizeof(pids[0]));
	/* Until they have ended, not only closed the node: a process may
	 * still be in the middle of a request (seen under load). One that
	 * keeps running (a daemon) costs the whole wait. A process still
	 * sending requests is on its way out (it gets ENODEV now): it is
	 * waited for up to STOP_TALK_MS, since the handler going away under
	 * it makes the preload library fail its request ("Error
	 * communicating with ioctl socket", ECONNRESET) instead of ENODEV.
	 * Two USB tests at once on a loaded machine took it past
	 * STOP_WAIT_MS. A client polls every few ms when it runs; on a
	 * loaded machine one can go a second or more without being
	 * scheduled, so "quiet" means STOP_QUIET_MS without a request, not
	 * one second, and a client that still has the node open is not
	 * quiet: it has a request to make yet (closing the node is one),
	 * however long the machine keeps it waiting. */
	for (i = 0; n && i < STOP_TALK_MS / 20 && any_alive(pids, n); i++) {
		uint64_t last;

		pthread_mutex_lock(&live_lock);
		last = last_req_ns;
		pthread_mutex_unlock(&live_lock);
		if (i >= STOP_WAIT_MS / 20 && bf_clock_ns() - last > STOP_QUIET_MS * 1000000ull && !any_holder(b))
			break;
		bf_clock_sleep_ns(20000000ull);
	}
	/* From here on the handlers answer ENODEV without looking at b. */
	pthread_mutex_lock(&live_lock);
	if (live == b)
		live = NULL;
	pthread_mutex_unlock(&live_lock);
	for (i = 0; i < b->ndev; i++) {
		struct umock_dev *d = &b->devs[i];

		if (b->tb && b->handler && !d->away && d->syspath)
			umockdev_testbed_detach_ioctl(b->tb, d->devnode, NULL);
		pthread_mutex_lock(&d->h->lock);
		bf_sim_umock_dev_free(d);
		pthread_mutex_unlock(&d->h->lock);
	}
	if (b->handler)
		g_object_unref(b->handler);
	if (b->tb)
		g_object_unref(b->tb);   /* removes the testbed directory */
	free(b->devs);
	pthread_mutex_destroy(&b->tb_lock);
	free(b);
}

const struct bf_sim_transport bf_sim_transport_usb = {
	.name = "usb",
	.start = umock_start,
	.stop = umock_stop,
};
