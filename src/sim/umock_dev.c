/* umock_dev.c - one simulated BlueField on the umockdev USB bus of
 * `bfsim run --transport usb` (umock.h): its sysfs entry and device node,
 * the usbdevfs requests of its clients answered from the device model
 * (usbdev.c), and its re-enumeration after a chip reset. A real libusb
 * in COMMAND therefore talks to the simulator through its ordinary Linux
 * backend.
 */
#include "config.h"
#include "umock.h"
#include "error.h"
#include "log.h"
#include "clock.h"

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define AWAY_S     0.5     /* simulated seconds off the bus after a chip reset */
#define MAX_URBS   1024    /* per device: a client cannot make us allocate more */

struct uurb {
	struct bf_sim_urb m;
	UMockdevIoctlData *d;        /* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;      /* its buffer */
	UMockdevIoctlClient *client;
	struct uurb *next;           /* on the pending or the reapable list */
};

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

/* Move what the model completed to our reapable list. */
static void collect(struct umock_dev *m)
{
	struct bf_sim_urb *b;

	while ((b = bf_sim_usb_reap(m->u))) {
		list_del(&m->pending, b->user);
		list_append(&m->reapable, b->user);
	}
}

static void uurb_free(struct umock_dev *m, struct uurb *x)
{
	g_object_unref(x->d);
	if (x->buf)
		g_object_unref(x->buf);
	g_object_unref(x->client);
	free(x);
	m->nurbs--;
}

int bf_sim_umock_make_node(UMockdevTestbed *tb, const char *node)
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

/* The bus's next free device number, from where the last one was taken
 * (the kernel's order); 0 when all 127 are taken. Under tb_lock. */
static int devnum_take(struct umock_bus *b, unsigned busnum)
{
	bool *used = b->devnum_used[busnum - 1];
	int *next = &b->devnum_next[busnum - 1], i, n;

	for (i = 0; i < UMOCK_DEVNUMS - 1; i++) {
		n = 1 + (*next - 1 + i) % (UMOCK_DEVNUMS - 1);
		if (!used[n]) {
			used[n] = true;
			*next = n + 1;
			return n;
		}
	}
	return 0;
}

static int add_locked(struct umock_dev *m)
{
	const struct bf_chip *chip = bf_sim_chip(m->h->sim);
	struct umock_bus *b = m->bus;
	char product[32], pid[8], product_name[40], devnum[8], dev[16], devnum3[8], busnum[8], busnum3[8];
	char name[32], devpath[8], serial[24];
	uint8_t desc[128];
	size_t dlen = bf_sim_usb_descriptors(chip, desc, sizeof(desc));
	GError *err = NULL;
	int r;

	if (!(m->devnum = devnum_take(b, m->busnum)))
		return bf_error_ret(ENOSPC, "usb transport: no free device number on bus %u", m->busnum);
	snprintf(m->devnode, sizeof(m->devnode), "/dev/bus/usb/%03u/%03d", m->busnum, m->devnum);
	snprintf(pid, sizeof(pid), "%04x", chip->usb_pid);
	snprintf(product, sizeof(product), "22dc/%x/100", chip->usb_pid);
	snprintf(product_name, sizeof(product_name), "%s\n", chip->name);   /* sysfs style */
	snprintf(devnum, sizeof(devnum), "%d", m->devnum);
	snprintf(devnum3, sizeof(devnum3), "%03d", m->devnum);
	snprintf(busnum, sizeof(busnum), "%u", m->busnum);
	snprintf(busnum3, sizeof(busnum3), "%03u", m->busnum);
	snprintf(dev, sizeof(dev), "189:%u", (m->busnum - 1) * 128 + (unsigned)m->devnum - 1);
	snprintf(name, sizeof(name), "usb%u/%u-%u", m->busnum, m->busnum, m->port);
	snprintf(devpath, sizeof(devpath), "%u", m->port);
	snprintf(serial, sizeof(serial), "bfsim-%u\n", m->h->index);
	/* The node answers before the device shows in sysfs: a client that
	 * finds it there at once (a follower looking for a device that came
	 * back) and opens the node would otherwise meet no ioctl socket, and
	 * umockdev's preload library ends that process. One handler for every
	 * node: it finds the device by the node. */
	if ((r = bf_sim_umock_make_node(b->tb, m->devnode)) < 0)
		return r;
	if (!umockdev_testbed_attach_ioctl(b->tb, m->devnode, b->handler, &err)) {
		r = bf_error_ret(EIO, "usb transport: cannot attach the ioctl handler to %s: %s", m->devnode,
				 err ? err->message : "?");
		g_clear_error(&err);
		return r;
	}
	g_free(m->syspath);
	/* The parent by name: the testbed checks a parent path through the
	 * preload library, which this process does not run under. */
	m->syspath = umockdev_testbed_add_device(b->tb, "usb", name, NULL,
		"busnum", busnum, "devnum", devnum, "speed", "480", "bConfigurationValue", "1",
		"idVendor", "22dc", "idProduct", pid, "bcdDevice", "0100", "bNumInterfaces", " 2",
		"devpath", devpath, "manufacturer", "Nvidia\n", "product", product_name,
		"serial", serial, "dev", dev, NULL,
		"DEVNAME", m->devnode, "DEVTYPE", "usb_device", "BUSNUM", busnum3, "DEVNUM", devnum3,
		"PRODUCT", product, "ID_VENDOR_ID", "22dc", "ID_MODEL_ID", pid, NULL);
	if (!m->syspath) {
		umockdev_testbed_detach_ioctl(b->tb, m->devnode, NULL);
		return bf_error_ret(EIO, "usb transport: cannot add usb:%u-%u to the testbed", m->busnum, m->port);
	}
	umockdev_testbed_set_attribute_binary(b->tb, m->syspath, "descriptors", desc, (gint)dlen);
	return 0;
}

int bf_sim_umock_dev_add(struct umock_dev *m)
{
	int r;

	pthread_mutex_lock(&m->bus->tb_lock);
	r = add_locked(m);
	pthread_mutex_unlock(&m->bus->tb_lock);
	return r;
}

void bf_sim_umock_dev_remove(struct umock_dev *m)
{
	struct umock_bus *b = m->bus;

	pthread_mutex_lock(&b->tb_lock);
	umockdev_testbed_detach_ioctl(b->tb, m->devnode, NULL);
	umockdev_testbed_remove_device(b->tb, m->syspath);
	b->devnum_used[m->busnum - 1][m->devnum] = false;
	pthread_mutex_unlock(&b->tb_lock);
}

/* Back on the bus AWAY_S after the reset, at the next address. */
static void *come_back(void *arg)
{
	struct umock_dev *m = arg;
	double speed = 1;
	const char *sp = getenv("BFSIM_SPEED");

	if (sp && atof(sp) > 0)
		speed = atof(sp);
	bf_clock_sleep_ns((uint64_t)(AWAY_S / speed * 1e9));
	pthread_mutex_lock(&m->h->lock);
	if (m->removed)
		bf_info("usb: usb:%u-%u does not come back after the reset: the run is ending", m->busnum, m->port);
	else if (bf_sim_umock_dev_add(m) < 0)
		bf_info("usb: usb:%u-%u could not come back after the reset: %s", m->busnum, m->port,
			bf_error_get());
	else
		bf_info("usb: usb:%u-%u is back after the reset, at %s", m->busnum, m->port, m->devnode);
	m->away = false;
	pthread_mutex_unlock(&m->h->lock);
	return NULL;
}

/* The device left the bus: what was in flight ends with ENODEV and can
 * still be reaped, as the kernel does on a disconnect. A client waiting
 * on one of them (libusb after a timeout, waiting for its cancelled
 * transfer) would otherwise wait for good: it learns of a disconnect
 * only from its transfers, never from the node (a plain file here). */
void bf_sim_umock_dev_fail_pending(struct umock_dev *m)
{
	struct uurb *x;

	collect(m);
	while ((x = m->pending)) {
		m->pending = x->next;
		bf_sim_usb_forget(m->u, &x->m);
		x->m.status = -ENODEV;
		x->m.actual = 0;
		list_append(&m->reapable, x);
	}
}

/* A chip reset drops the device off the bus, as the hardware does: what
 * was in flight ends with ENODEV, the old address is gone for good, the
 * device comes back later (come_back). */
void bf_sim_umock_dev_check_reset(struct umock_dev *m)
{
	struct bf_sim_status st;

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
	bf_sim_umock_dev_fail_pending(m);
	m->gen++;
	m->away = true;
	bf_sim_umock_dev_remove(m);
	bf_info("usb: chip reset: usb:%u-%u left the bus", m->busnum, m->port);
	if (pthread_create(&m->back, NULL, come_back, m) == 0)
		m->back_running = true;
}

static bool stale(struct umock_dev *m, UMockdevIoctlClient *client)
{
	return GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(client), "bfsim-gen")) != m->gen + 1;
}

/* The device vanished (unplug fault): tell the testbed, as the kernel
 * would, once. */
static void maybe_remove(struct umock_dev *m)
{
	if (!m->removed && bf_sim_usb_submit(m->u, &(struct bf_sim_urb){ .type = BF_SIM_URB_INTERRUPT,
			.ep = 0x7f }) == -ENODEV) {
		m->removed = true;
		bf_sim_umock_dev_fail_pending(m);
		bf_info("usb: the simulated device at usb:%u-%u was unplugged", m->busnum, m->port);
		pthread_mutex_lock(&m->bus->tb_lock);
		umockdev_testbed_remove_device(m->bus->tb, m->syspath);
		pthread_mutex_unlock(&m->bus->tb_lock);
	}
}

static int submit(struct umock_dev *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
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

static int reap(struct umock_dev *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
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
static int discard(struct umock_dev *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
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

static int capabilities(UMockdevIoctlData *arg)
{
	GError *err = NULL;
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &err);

	if (!d) {
		g_clear_error(&err);
		return -EFAULT;
	}
	*(uint32_t *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
			       USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
	return 0;
}

int bf_sim_umock_dev_ioctl(struct umock_dev *m, UMockdevIoctlClient *client)
{
	gulong req = umockdev_ioctl_client_get_request(client);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
	int r;

	if ((m->removed || stale(m, client)) && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB)
		r = -ENODEV;
	else if (req == USBDEVFS_SUBMITURB)
		r = submit(m, client, arg);
	else if (req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB)
		r = reap(m, client, arg);
	else if (req == USBDEVFS_DISCARDURB)
		r = discard(m, client, arg);
	else if (req == USBDEVFS_GET_CAPABILITIES)
		r = capabilities(arg);
	else if (req == USBDEVFS_CLAIMINTERFACE || req == USBDEVFS_RELEASEINTERFACE ||
		 req == USBDEVFS_SETINTERFACE || req == USBDEVFS_SETCONFIGURATION ||
		 req == USBDEVFS_CLEAR_HALT || req == USBDEVFS_RESETEP || req == USBDEVFS_RESET ||
		 req == USBDEVFS_DISCONNECT_CLAIM)
		r = 0;
	else if (req == USBDEVFS_GETDRIVER || req == USBDEVFS_IOCTL)
		r = -ENODATA;   /* no kernel driver bound */
	else
		r = -ENOTTY;
	bf_sim_umock_dev_check_reset(m);
	return r;
}

void bf_sim_umock_dev_connected(struct umock_dev *m, UMockdevIoctlClient *client)
{
	g_object_set_data(G_OBJECT(client), "bfsim-gen", GUINT_TO_POINTER(m->gen + 1));
}

void bf_sim_umock_dev_vanished(struct umock_dev *m, UMockdevIoctlClient *client)
{
	struct uurb **pp;

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
}

void bf_sim_umock_dev_free(struct umock_dev *m)
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
	if (m->u)
		bf_sim_usb_close(m->u);
	m->u = NULL;
	g_free(m->syspath);
	m->syspath = NULL;
}
