/* umock.c - `bfsim run --transport usb`: the simulated BlueField as a USB
 * device in a umockdev testbed. COMMAND runs under the umockdev preload
 * library, so its sysfs and /dev/bus/usb are the testbed's, and every
 * usbdevfs ioctl on the device node (URB submit, reap, discard, claim...)
 * reaches the handler below in this process, which answers it from the
 * device model (usbdev.c). A real libusb in COMMAND therefore talks to the
 * simulator through its ordinary Linux backend.
 */
#include "config.h"
#include "host.h"
#include "usbdev.h"
#include "error.h"
#include "log.h"
#include "clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#define BUS        1
#define PORT       4       /* the device is usb:1-4 */
#define DEVNUM     2       /* the first address; each re-enumeration takes the next */
#define AWAY_S     0.5     /* simulated seconds off the bus after a chip reset */
#define MAX_URBS   1024    /* per run: a client cannot make us allocate more */
#define STOP_WAIT_MS 5000  /* for clients to let go of an unplugged device at the end */
#define STOP_TALK_MS 30000 /* ... as long as they are still sending requests */
#define STOP_QUIET_MS 5000 /* ... "still": a request in the last this many ms */
#define WATCH_MS   20      /* how often the chip's reset count is looked at */

struct uurb {
	struct bf_sim_urb m;
	UMockdevIoctlData *d;        /* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;      /* its buffer */
	UMockdevIoctlClient *client;
	struct uurb *next;           /* on the pending or the reapable list */
};

struct umock {
	struct bf_sim_host *h;
	struct bf_sim_usb *u;
	struct bf_sim_usb_timing timing;
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	char devnode[64];
	char *syspath;
	struct uurb *pending;        /* submitted, in the model */
	struct uurb *reapable;       /* completed, in completion order */
	unsigned nurbs;
	bool removed;                /* unplugged for good (fault) */
	/* Re-enumeration after a chip reset: the device leaves the bus and
	 * comes back with the next address; clients of the old one are
	 * stale (ENODEV). */
	unsigned gen;
	int devnum;
	uint64_t resets_seen;
	bool away;
	pthread_t back;
	bool back_running;
	/* A reset made over another transport (pci) is seen within WATCH_MS,
	 * not at the next USB request: a client that looks for the device
	 * after the reset finds it gone or at its new address. */
	pthread_t watch;
	bool watch_running, watch_stop;
};

/* The transport being served. umockdev calls the handlers below from its
 * own threads, which may still deliver a request while the run stops:
 * each handler takes this lock and finds the transport through it, so
 * that after umock_stop has cleared it no handler touches the freed
 * model (requests then end with ENODEV, as for an unplugged device).
 * Lock order: live_lock, then the host's lock. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct umock *live;
/* When the last request reached a handler (bf_clock_ns; under live_lock). */
static uint64_t last_req_ns;

static struct umock *live_get(gpointer user)
{
	pthread_mutex_lock(&live_lock);
	if (live != user) {
		pthread_mutex_unlock(&live_lock);
		return NULL;
	}
	return live;
}

static void list_del(struct uurb **head, struct uurb *x)
{
	for (; *head; head = &(*head)->next)
		if (*head == x) {
			*head = x->next;
			break;
		}
	x->next = NULL;
}

static void list_append(struct uurb **head, struct uurb *x)
{
	while (*head)
		head = &(*head)->next;
	x->next = NULL;
	*head = x;
}

/* Move what the model completed to our reapable list (caller holds lock). */
static void collect(struct umock *m)
{
	struct bf_sim_urb *b;

	while ((b = bf_sim_usb_reap(m->u))) {
		list_del(&m->pending, b->user);
		list_append(&m->reapable, b->user);
	}
}

static void uurb_free(struct umock *m, struct uurb *x)
{
	g_object_unref(x->d);
	if (x->buf)
		g_object_unref(x->buf);
	g_object_unref(x->client);
	free(x);
	m->nurbs--;
}

/* The device node, a plain file in the testbed (usbdevfs nodes are plain
 * files there; the preload library routes their ioctls to the handler). */
static int make_node(UMockdevTestbed *tb, const char *node)
{
	gchar *root = umockdev_testbed_get_root_dir(tb);
	gchar *path = g_build_filename(root, node, NULL);
	gchar *dir = g_path_get_dirname(path);
	int r = 0;

	if (g_mkdir_with_parents(dir, 0755) < 0 || !g_file_set_contents(path, "", 0, NULL))
		r = bf_error_ret(EIO, "usb transport: cannot create %s in the testbed", node);
	g_free(dir);
	g_free(path);
	g_free(root);
	return r;
}

/* The BlueField at 1-4 with address m->devnum: sysfs, node, ioctl handler. */
static int add_dev(struct umock *m)
{
	const struct bf_chip *chip = bf_sim_chip(m->h->sim);
	char product[32], pid[8], product_name[40], devnum[8], dev[16], devnum3[8];
	uint8_t desc[128];
	size_t dlen = bf_sim_usb_descriptors(chip, desc, sizeof(desc));
	GError *err = NULL;
	int r;

	snprintf(m->devnode, sizeof(m->devnode), "/dev/bus/usb/%03d/%03d", BUS, m->devnum);
	snprintf(pid, sizeof(pid), "%04x", chip->usb_pid);
	snprintf(product, sizeof(product), "22dc/%x/100", chip->usb_pid);
	snprintf(product_name, sizeof(product_name), "%s\n", chip->name);   /* sysfs style */
	snprintf(devnum, sizeof(devnum), "%d", m->devnum);
	snprintf(devnum3, sizeof(devnum3), "%03d", m->devnum);
	snprintf(dev, sizeof(dev), "189:%d", m->devnum - 1);
	g_free(m->syspath);
	/* The parent by name: the testbed checks a parent path through the
	 * preload library, which this process does not run under. */
	m->syspath = umockdev_testbed_add_device(m->tb, "usb", "usb1/1-4", NULL,
		"busnum", "1", "devnum", devnum, "speed", "480", "bConfigurationValue", "1",
		"idVendor", "22dc", "idProduct", pid, "bcdDevice", "0100", "bNumInterfaces", " 2",
		"devpath", "4", "manufacturer", "Nvidia\n", "product", product_name,
		"serial", "bfsim-0\n", "dev", dev, NULL,
		"DEVNAME", m->devnode, "DEVTYPE", "usb_device", "BUSNUM", "001", "DEVNUM", devnum3,
		"PRODUCT", product, "ID_VENDOR_ID", "22dc", "ID_MODEL_ID", pid, NULL);
	if (!m->syspath)
		return bf_error_ret(EIO, "usb transport: cannot add the USB device to the testbed");
	if ((r = make_node(m->tb, m->devnode)) < 0)
		return r;
	umockdev_testbed_set_attribute_binary(m->tb, m->syspath, "descriptors", desc, (gint)dlen);
	if (!umockdev_testbed_attach_ioctl(m->tb, m->devnode, m->handler, &err)) {
		r = bf_error_ret(EIO, "usb transport: cannot attach the ioctl handler: %s",
				 err ? err->message : "?");
		g_clear_error(&err);
		return r;
	}
	return 0;
}

/* Back on the bus AWAY_S after the reset, at the next address. */
static void *come_back(void *arg)
{
	struct umock *m = arg;
	double speed = 1;
	const char *sp = getenv("BFSIM_SPEED");

	if (sp && atof(sp) > 0)
		speed = atof(sp);
	bf_clock_sleep_ns((uint64_t)(AWAY_S / speed * 1e9));
	pthread_mutex_lock(&m->h->lock);
	m->devnum++;
	if (add_dev(m) < 0)
		bf_info("usb: the device could not come back after the reset: %s", bf_error_get());
	else
		bf_info("usb: the device is back after the reset, at %s", m->devnode);
	m->away = false;
	pthread_mutex_unlock(&m->h->lock);
	return NULL;
}

/* A chip reset drops the device off the bus, as the hardware does: what
 * was in flight ends with ENODEV, the old address is gone for good, the
 * device comes back later (come_back). Caller holds the lock. */
static void check_reset(struct umock *m)
{
	struct bf_sim_status st;
	struct uurb *x;

	bf_sim_get_status(m->h->sim, &st);
	if (st.resets == m->resets_seen || m->removed)
		return;
	m->resets_seen = st.resets;
	if (m->back_running) {
		pthread_mutex_unlock(&m->h->lock);
		pthread_join(m->back, NULL);
		pthread_mutex_lock(&m->h->lock);
		m->back_running = false;
	}
	while ((x = m->pending)) {
		m->pending = x->next;
		bf_sim_usb_forget(m->u, &x->m);
		x->m.status = -ENODEV;
		x->m.actual = 0;
		list_append(&m->reapable, x);
	}
	m->gen++;
	m->away = true;
	umockdev_testbed_detach_ioctl(m->tb, m->devnode, NULL);
	umockdev_testbed_remove_device(m->tb, m->syspath);
	bf_info("usb: chip reset: the device left the bus");
	if (pthread_create(&m->back, NULL, come_back, m) == 0)
		m->back_running = true;
}

static void *watch_main(void *arg)
{
	struct umock *m = arg;
	bool stop = false;

	while (!stop) {
		bf_clock_sleep_ns(WATCH_MS * 1000000ull);
		pthread_mutex_lock(&live_lock);
		pthread_mutex_lock(&m->h->lock);
		stop = m->watch_stop;
		if (!stop)
			check_reset(m);
		pthread_mutex_unlock(&m->h->lock);
		pthread_mutex_unlock(&live_lock);
	}
	return NULL;
}

static bool stale(struct umock *m, UMockdevIoctlClient *client)
{
	return GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(client), "bfsim-gen")) != m->gen + 1;
}

/* The device vanished (unplug fault): tell the testbed, as the kernel
 * would, once. */
static void maybe_remove(struct umock *m)
{
	if (!m->removed && bf_sim_usb_submit(m->u, &(struct bf_sim_urb){ .type = BF_SIM_URB_INTERRUPT,
			.ep = 0x7f }) == -ENODEV) {
		m->removed = true;
		bf_info("usb: the simulated device was unplugged");
		umockdev_testbed_remove_device(m->tb, m->syspath);
	}
}

static int submit(struct umock *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	GError *err = NULL;
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
	struct usbdevfs_urb *k;
	struct uurb *x;
	int r;

	if (!d) {
		g_clear_error(&err);
		return -EFAULT;
	}
	k = (struct usbdevfs_urb *)d->data;
	if (k->buffer_length < 0 || k->buffer_length > (16 << 20) || m->nurbs >= MAX_URBS)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	if (k->buffer_length) {
		x->buf = umockdev_ioctl_data_resolve(d, offsetof(struct usbdevfs_urb, buffer),
						     (gsize)k->buffer_length, &err);
		if (!x->buf) {
			g_clear_error(&err);
			free(x);
			return -EFAULT;
		}
		g_object_ref(x->buf);
		k = (struct usbdevfs_urb *)d->data;
	}
	switch (k->type) {
	case USBDEVFS_URB_TYPE_CONTROL: x->m.type = BF_SIM_URB_CONTROL; break;
	case USBDEVFS_URB_TYPE_BULK: x->m.type = BF_SIM_URB_BULK; break;
	case USBDEVFS_URB_TYPE_INTERRUPT: x->m.type = BF_SIM_URB_INTERRUPT; break;
	default:
		if (x->buf)
			g_object_unref(x->buf);
		free(x);
		return -EINVAL;
	}
	x->m.ep = k->endpoint;
	x->m.buf = x->buf ? x->buf->data : NULL;
	x->m.len = (size_t)k->buffer_length;
	x->m.user = x;
	x->d = g_object_ref(d);
	x->client = g_object_ref(client);
	m->nurbs++;
	r = bf_sim_usb_submit(m->u, &x->m);
	if (r < 0) {
		uurb_free(m, x);
		maybe_remove(m);
		return r;
	}
	list_append(&m->pending, x);
	return 0;
}

static int reap(struct umock *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	GError *err = NULL;
	UMockdevIoctlData *slot;
	struct uurb **pp, *x;
	struct usbdevfs_urb *k;

	collect(m);
	for (pp = &m->reapable; *pp && (*pp)->client != client; pp = &(*pp)->next)
		;
	if (!*pp) {
		maybe_remove(m);
		return m->removed || stale(m, client) ? -ENODEV : -EAGAIN;
	}
	x = *pp;
	slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &err);
	if (!slot) {
		g_clear_error(&err);
		return -EFAULT;
	}
	*pp = x->next;
	k = (struct usbdevfs_urb *)x->d->data;
	k->status = x->m.status;
	k->actual_length = (int)x->m.actual;
	umockdev_ioctl_data_set_ptr(slot, 0, x->d);
	uurb_free(m, x);
	return 0;
}

/* Cancel a pending URB, named by its address in the client. It then
 * completes with -ENOENT; one already complete cannot be (-EINVAL). */
static int discard(struct umock *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
	unsigned long addr = arg->data_len >= (gint)sizeof(unsigned long) ? *(unsigned long *)arg->data : 0;
	struct uurb *x;

	collect(m);
	for (x = m->pending; x; x = x->next)
		if (x->client == client && x->d->client_addr == addr)
			break;
	if (!x || bf_sim_usb_discard(m->u, &x->m) < 0)
		return -EINVAL;
	collect(m);
	return 0;
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	struct umock *m = live_get(user);
	gulong req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	GError *err = NULL;
	int r = 0;

	(void)base;
	if (m)
		last_req_ns = bf_clock_ns();   /* live_get holds live_lock */
	if (!m) {
		umockdev_ioctl_client_complete(client, -1, ENODEV);
		return TRUE;
	}
	pthread_mutex_lock(&m->h->lock);
	if ((m->removed || stale(m, client)) && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB) {
		r = -ENODEV;
	} else if (req == USBDEVFS_SUBMITURB) {
		r = submit(m, client, arg);
	} else if (req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB) {
		r = reap(m, client, arg);
	} else if (req == USBDEVFS_DISCARDURB) {
		r = discard(m, client, arg);
	} else if (req == USBDEVFS_GET_CAPABILITIES) {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &err);

		if (d)
			*(uint32_t *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
					       USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		else
			r = -EFAULT;
	} else if (req == USBDEVFS_CLAIMINTERFACE || req == USBDEVFS_RELEASEINTERFACE ||
		   req == USBDEVFS_SETINTERFACE || req == USBDEVFS_SETCONFIGURATION ||
		   req == USBDEVFS_CLEAR_HALT || req == USBDEVFS_RESETEP || req == USBDEVFS_RESET ||
		   req == USBDEVFS_DISCONNECT_CLAIM) {
		r = 0;
	} else if (req == USBDEVFS_GETDRIVER || req == USBDEVFS_IOCTL) {
		r = -ENODATA;   /* no kernel driver bound */
	} else {
		r = -ENOTTY;
	}
	check_reset(m);
	pthread_mutex_unlock(&m->h->lock);
	pthread_mutex_unlock(&live_lock);
	g_clear_error(&err);
	umockdev_ioctl_client_complete(client, r < 0 ? -1 : 0, r < 0 ? -r : 0);
	return TRUE;
}

/* A client closed the device or died: its URBs go. */
static void on_vanished(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	struct umock *m = live_get(user);
	struct uurb **pp;

	(void)base;
	if (!m)
		return;
	pthread_mutex_lock(&m->h->lock);
	collect(m);
	for (pp = &m->pending; *pp;) {
		struct uurb *x = *pp;

		if (x->client == client) {
			*pp = x->next;
			bf_sim_usb_forget(m->u, &x->m);
			uurb_free(m, x);
		} else {
			pp = &x->next;
		}
	}
	for (pp = &m->reapable; *pp;) {
		struct uurb *x = *pp;

		if (x->client == client) {
			*pp = x->next;
			uurb_free(m, x);
		} else {
			pp = &x->next;
		}
	}
	pthread_mutex_unlock(&m->h->lock);
	pthread_mutex_unlock(&live_lock);
}

static void free_all(struct umock *m)
{
	struct uurb *x;

	while ((x = m->pending)) {
		m->pending = x->next;
		bf_sim_usb_forget(m->u, &x->m);
		uurb_free(m, x);
	}
	while ((x = m->reapable)) {
		m->reapable = x->next;
		uurb_free(m, x);
	}
}

/* Prepend lib to the colon-separated variable name. */
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

static void on_connected(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
	struct umock *m = live_get(user);

	(void)base;
	if (!m)
		return;
	pthread_mutex_lock(&m->h->lock);
	g_object_set_data(G_OBJECT(client), "bfsim-gen", GUINT_TO_POINTER(m->gen + 1));
	pthread_mutex_unlock(&m->h->lock);
	pthread_mutex_unlock(&live_lock);
}

static int umock_start(struct bf_sim_host *h, void **ctx)
{
	struct umock *m = calloc(1, sizeof(*m));
	char hub_node[64];
	uint8_t hub[18] = { 18, 1, 0x00, 0x02, 9, 0, 1, 64, 0x6b, 0x1d, 0x02, 0x00,
			    0x06, 0x06, 0, 0, 0, 1 };
	struct bf_sim_status st;
	gchar *hubpath;
	int r;

	if (!m)
		return -ENOMEM;
	m->h = h;
	m->devnum = DEVNUM;
	*ctx = m;
	bf_sim_get_status(h->sim, &st);
	m->resets_seen = st.resets;
	/* The link's timing: BFSIM_USB_TIMING="ctl_us=250,link_mb_s=32.8"
	 * over the defaults (usbdev.h). */
	bf_sim_usb_timing_defaults(&m->timing);
	if (getenv("BFSIM_USB_TIMING") &&
	    bf_sim_usb_timing_parse(&m->timing, getenv("BFSIM_USB_TIMING")) < 0)
		return bf_error_ret(EINVAL, "usb transport: BFSIM_USB_TIMING '%s' is not a list of "
				    "link_mb_s, uframe_us, uframe_pkts, ctl_us, ctl_bus_us, done_us=VALUE",
				    getenv("BFSIM_USB_TIMING"));
	if ((r = bf_sim_usb_open(h->sim, &m->timing, &m->u)) < 0)
		return r;
	m->tb = umockdev_testbed_new();
	if (!m->tb)
		return bf_error_ret(EIO, "usb transport: cannot create the umockdev testbed");
	snprintf(hub_node, sizeof(hub_node), "/dev/bus/usb/%03d/001", BUS);
	hubpath = umockdev_testbed_add_device(m->tb, "usb", "usb1", NULL,
		"busnum", "1", "devnum", "1", "speed", "480", "bConfigurationValue", "1",
		"idVendor", "1d6b", "idProduct", "0002", "bDeviceClass", "09", "maxchild", "8",
		"dev", "189:0", NULL,
		"DEVNAME", hub_node, "DEVTYPE", "usb_device", "BUSNUM", "001", "DEVNUM", "001",
		"PRODUCT", "1d6b/2/606", NULL);
	if (!hubpath)
		return bf_error_ret(EIO, "usb transport: cannot add the root hub to the testbed");
	r = make_node(m->tb, hub_node);
	umockdev_testbed_set_attribute_binary(m->tb, hubpath, "descriptors", hub, (gint)sizeof(hub));
	g_free(hubpath);
	if (r < 0)
		return r;
	m->handler = umockdev_ioctl_base_new();
	pthread_mutex_lock(&live_lock);
	live = m;
	pthread_mutex_unlock(&live_lock);
	g_signal_connect(m->handler, "handle-ioctl", G_CALLBACK(on_ioctl), m);
	g_signal_connect(m->handler, "client-connected", G_CALLBACK(on_connected), m);
	g_signal_connect(m->handler, "client-vanished", G_CALLBACK(on_vanished), m);
	if ((r = add_dev(m)) < 0)
		return r;
	if ((r = pthread_create(&m->watch, NULL, watch_main, m)) != 0)
		return bf_error_ret(r, "usb transport: cannot start its reset watch");
	m->watch_running = true;
	/* COMMAND runs under the preload library; a sanitizer runtime in
	 * COMMAND must accept not being first in the preload list. */
	env_prepend("LD_PRELOAD", "libumockdev-preload.so.0", ':');
	env_prepend("ASAN_OPTIONS", "verify_asan_link_order=0", ':');
	bf_info("usb: simulated %s at usb:%d-%d (%s), testbed %s", bf_sim_chip(h->sim)->name, BUS, PORT, m->devnode,
		getenv("UMOCKDEV_DIR") ? getenv("UMOCKDEV_DIR") : "?");
	return 0;
}

/* Processes that have the device node open (their pids, up to max, in
 * pids): under the preload library that is the node's file in the
 * testbed (umockdev does not tell when a client goes away, so /proc is
 * asked). */
static unsigned holders(struct umock *m, pid_t *pids, unsigned max)
{
	gchar *root = umockdev_testbed_get_root_dir(m->tb);
	char node[PATH_MAX], fddir[300], path[600], target[PATH_MAX];
	struct dirent *p, *f;
	unsigned n = 0;
	DIR *procs, *fds;
	ssize_t len;

	snprintf(node, sizeof(node), "%s%s", root, m->devnode);
	g_free(root);
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

static void umock_stop(void *ctx)
{
	struct umock *m = ctx;
	pid_t pids[16];
	unsigned i, n;

	if (!m)
		return;
	if (m->watch_running) {
		pthread_mutex_lock(&m->h->lock);
		m->watch_stop = true;
		pthread_mutex_unlock(&m->h->lock);
		pthread_join(m->watch, NULL);
	}
	if (m->back_running)
		pthread_join(m->back, NULL);
	/* A process that still has the device open (a daemon COMMAND left
	 * running) sees it unplugged, and gets a moment to let go of it. */
	n = m->tb && !m->away && !m->removed ? holders(m, pids, 16) : 0;
	if (n)
		bf_warn("usb: %u process%s still had the simulated device open when the run ended: "
			"it is unplugged now", n, n == 1 ? "" : "es");
	pthread_mutex_lock(&live_lock);
	pthread_mutex_lock(&m->h->lock);
	if (!m->removed && !m->away && m->tb)
		umockdev_testbed_remove_device(m->tb, m->syspath);
	m->removed = true;
	pthread_mutex_unlock(&m->h->lock);
	pthread_mutex_unlock(&live_lock);
	/* Until they have ended, not only closed the node: a process may
	 * still be in the middle of a request (seen under load). One that
	 * keeps running (a daemon) costs the whole wait. */
	/* A process still sending requests is on its way out (it gets ENODEV
	 * now): it is waited for up to STOP_TALK_MS, since the handler going
	 * away under it makes the preload library fail its request ("Error
	 * communicating with ioctl socket", ECONNRESET) instead of ENODEV. Two
	 * USB tests at once on a loaded machine took it past STOP_WAIT_MS.
	 * A client polls every few ms when it runs; on a loaded machine one
	 * can go a second or more without being scheduled, so "quiet" means
	 * STOP_QUIET_MS without a request, not one second. */
	for (i = 0; n && i < STOP_TALK_MS / 20 && any_alive(pids, n); i++) {
		uint64_t last;

		pthread_mutex_lock(&live_lock);
		last = last_req_ns;
		pthread_mutex_unlock(&live_lock);
		if (i >= STOP_WAIT_MS / 20 && bf_clock_ns() - last > STOP_QUIET_MS * 1000000ull)
			break;
		bf_clock_sleep_ns(20000000ull);
	}
	/* From here on the handlers answer ENODEV without looking at m. */
	pthread_mutex_lock(&live_lock);
	if (live == m)
		live = NULL;
	pthread_mutex_unlock(&live_lock);
	if (m->tb && m->handler && !m->away)
		umockdev_testbed_detach_ioctl(m->tb, m->devnode, NULL);
	pthread_mutex_lock(&m->h->lock);
	free_all(m);
	if (m->u)
		bf_sim_usb_close(m->u);
	pthread_mutex_unlock(&m->h->lock);
	if (m->handler)
		g_object_unref(m->handler);
	if (m->tb)
		g_object_unref(m->tb);   /* removes the testbed directory */
	g_free(m->syspath);
	free(m);
}

const struct bf_sim_transport bf_sim_transport_usb = {
	.name = "usb",
	.start = umock_start,
	.stop = umock_stop,
};
