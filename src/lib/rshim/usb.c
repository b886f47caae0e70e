/* usb.c - the USB backend: discovery, interfaces and endpoints, registers
 * by vendor control transfers, the boot stream through usbpush.c, and the
 * reconnect when the device drops off the bus and comes back at the same
 * port (after a chip reset, ours or the DPU's). Facts: spec rshim.md 1. */
#include "config.h"
#include "rshim/usb.h"
#include "rshim/usbpush.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL_TIMEOUT_MS   10000     /* one register access */
#define REPROBE_S         20.0      /* wait for the device to come back after a reset */
#define RESET_DELAY_MS    1000      /* spec: USB_RESET_DELAY default 1 s */
#define FLUSH_S           30.0      /* the last transfers of a push, without progress */
#define TM_POLL_MS        1         /* fifo_read: wait for the words-available interrupt */
#define TM_XFER_MS        1000      /* a TM FIFO bulk transfer */
#define TM_BULK_MAX       2048      /* spec: READ_BUF_SIZE / the TM FIFO's 256 words */

struct usb_dev {
	libusb_context *ctx;
	libusb_device_handle *h;
	char port[32];                /* "1-4" */
	unsigned char boot_ep;
	unsigned char tm_in, tm_int, tm_out;
	bool has_tm;
	int claimed[2];
	struct bf_usbpush *push;
	bool after_reset;             /* the next failure may be the re-enumeration */
};

static int usb_errno(int r)
{
	switch (r) {
	case LIBUSB_ERROR_NO_DEVICE: return -ENODEV;
	case LIBUSB_ERROR_BUSY: return -EBUSY;
	case LIBUSB_ERROR_ACCESS: return -EACCES;
	case LIBUSB_ERROR_TIMEOUT: return -ETIMEDOUT;
	case LIBUSB_ERROR_PIPE: return -EPIPE;
	case LIBUSB_ERROR_NOT_FOUND: return -ENOENT;
	case LIBUSB_ERROR_NO_MEM: return -ENOMEM;
	case LIBUSB_ERROR_INTERRUPTED: return -EINTR;
	default: return -EIO;
	}
}

/* "<bus>-<port>[.<port>...]" of a device, as sysfs names it. */
static int port_path(libusb_device *d, char *out, size_t cap)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(d, ports, (int)sizeof(ports)), i;
	size_t o;

	if (n <= 0)
		return -ENOENT;
	o = (size_t)snprintf(out, cap, "%u-%u", libusb_get_bus_number(d), ports[0]);
	for (i = 1; i < n && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, ".%u", ports[i]);
	return o < cap ? 0 : -ENAMETOOLONG;
}

static const struct bf_chip *chip_of(libusb_device *d)
{
	struct libusb_device_descriptor dd;

	if (libusb_get_device_descriptor(d, &dd) < 0 || dd.idVendor != BF_USB_VENDOR)
		return NULL;
	return bf_chip_by_usb_pid(dd.idProduct);
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct bf_rshim_found *)a)->addr, ((const struct bf_rshim_found *)b)->addr);
}

static int scan(libusb_context *ctx, struct bf_rshim_found *out, size_t max)
{
	libusb_device **list;
	ssize_t n = libusb_get_device_list(ctx, &list), i;
	size_t found = 0;

	if (n < 0)
		return usb_errno((int)n);
	for (i = 0; i < n; i++) {
		const struct bf_chip *c = chip_of(list[i]);
		char port[32];

		if (!c || port_path(list[i], port, sizeof(port)) < 0)
			continue;
		if (found < max) {
			memset(&out[found], 0, sizeof(out[found]));
			snprintf(out[found].addr, sizeof(out[found].addr), "%s", port);
			snprintf(out[found].name, sizeof(out[found].name), "usb:%s", port);
			out[found].chip = c;
		}
		found++;
	}
	libusb_free_device_list(list, 1);
	qsort(out, found < max ? found : max, sizeof(*out), cmp_found);
	return (int)found;
}

int bf_rshim_scan_usb(struct bf_rshim_found *out, size_t max)
{
	libusb_context *ctx;
	int r;

	if (libusb_init(&ctx) < 0)
		return -ENODEV;
	r = scan(ctx, out, max);
	libusb_exit(ctx);
	return r;
}

/* The device at port, or NULL. */
static libusb_device *find_port(libusb_context *ctx, const char *port)
{
	libusb_device **list, *hit = NULL;
	ssize_t n = libusb_get_device_list(ctx, &list), i;
	char p[32];

	if (n < 0)
		return NULL;
	for (i = 0; i < n && !hit; i++)
		if (chip_of(list[i]) && port_path(list[i], p, sizeof(p)) == 0 && !strcmp(p, port))
			hit = libusb_ref_device(list[i]);
	libusb_free_device_list(list, 1);
	return hit;
}

/* Interfaces by subclass (0: rshim, one bulk OUT; 1: tmfifo, bulk IN,
 * interrupt IN, bulk OUT), claimed. */
static int claim(struct bf_rshim *r, struct usb_dev *u, libusb_device *d)
{
	struct libusb_config_descriptor *cfg;
	int i, ret = 0;

	if (libusb_get_active_config_descriptor(d, &cfg) < 0 &&
	    libusb_get_config_descriptor(d, 0, &cfg) < 0)
		return bf_error_ret(EIO, "%s: cannot read the USB configuration descriptor", r->name);
	u->boot_ep = 0;
	for (i = 0; i < cfg->bNumInterfaces && ret == 0; i++) {
		const struct libusb_interface_descriptor *id;
		int e, c;

		if (cfg->interface[i].num_altsetting < 1)
			continue;
		id = &cfg->interface[i].altsetting[0];
		if (id->bInterfaceSubClass == 0) {
			if (id->bNumEndpoints != 1 ||
			    (id->endpoint[0].bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK ||
			    (id->endpoint[0].bEndpointAddress & 0x80))
				ret = bf_error_ret(EPROTO, "%s: the rshim interface does not have one bulk OUT "
						   "endpoint: not a BlueField boot interface", r->name);
			else
				u->boot_ep = id->endpoint[0].bEndpointAddress;
		} else if (id->bInterfaceSubClass == 1) {
			for (e = 0; e < id->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];
				bool in = ep->bEndpointAddress & 0x80;

				if ((ep->bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_BULK)
					*(in ? &u->tm_in : &u->tm_out) = ep->bEndpointAddress;
				else if ((ep->bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_INTERRUPT && in)
					u->tm_int = ep->bEndpointAddress;
			}
			u->has_tm = id->bNumEndpoints == 3 && u->tm_in && u->tm_out && u->tm_int;
		} else {
			continue;
		}
		if (ret)
			break;
		if (libusb_kernel_driver_active(u->h, id->bInterfaceNumber) == 1)
			ret = bf_error_ret(EBUSY, "%s: a kernel driver holds interface %d (the rshim kernel "
					   "module?): unload it first", r->name, id->bInterfaceNumber);
		else if ((c = libusb_claim_interface(u->h, id->bInterfaceNumber)) < 0)
			ret = bf_error_ret(-usb_errno(c), "%s: cannot claim USB interface %d: %s%s", r->name,
					   id->bInterfaceNumber, libusb_strerror(c),
					   c == LIBUSB_ERROR_BUSY ? " (held by another program, an rshim daemon?)" : "");
		else if (id->bInterfaceNumber < 2)
			u->claimed[id->bInterfaceNumber] = 1;
	}
	libusb_free_config_descriptor(cfg);
	if (ret == 0 && !u->boot_ep)
		ret = bf_error_ret(EPROTO, "%s: no rshim interface (subclass 0) on this USB device", r->name);
	return ret;
}

static void release(struct usb_dev *u)
{
	int i;

	bf_usbpush_free(u->push);
	u->push = NULL;
	if (!u->h)
		return;
	for (i = 0; i < 2; i++)
		if (u->claimed[i]) {
			libusb_release_interface(u->h, i);
			u->claimed[i] = 0;
		}
	libusb_close(u->h);
	u->h = NULL;
}

static int attach(struct bf_rshim *r, struct usb_dev *u)
{
	libusb_device *d = find_port(u->ctx, u->port);
	int ret;

	if (!d)
		return bf_error_ret(ENODEV, "no BlueField on USB at %s (see 'bfctl list')", r->name);
	r->chip = chip_of(d);
	ret = libusb_open(d, &u->h);
	libusb_unref_device(d);
	if (ret < 0)
		return bf_error_ret(-usb_errno(ret), "%s: cannot open the USB device: %s%s", r->name,
				    libusb_strerror(ret), ret == LIBUSB_ERROR_ACCESS ? " (run as root)" : "");
	if ((ret = claim(r, u, d)) < 0) {
		release(u);
		return ret;
	}
	return 0;
}

/* The device left the bus and re-enumerates (after our chip reset, or a
 * reset from the other side): look for it at the same port, for up to
 * wait_s seconds (at least once). */
static int reattach(struct bf_rshim *r, struct usb_dev *u, double wait_s, const char *why)
{
	uint64_t deadline = bf_clock_ns() + (uint64_t)(wait_s * 1e9);

	release(u);
	bf_info("%s: the device left the bus %s; looking for it at the same port%s", r->name, why,
		wait_s > 0 ? " (bounded)" : "");
	for (;;) {
		/* A new context: a fresh look at the bus, whatever the hotplug
		 * support of this libusb. */
		libusb_exit(u->ctx);
		u->ctx = NULL;
		if (libusb_init(&u->ctx) < 0)
			return bf_error_ret(ENODEV, "%s: cannot use USB any more", r->name);
		if (attach(r, u) == 0) {
			bf_error_clear();
			bf_info("%s: the device is back", r->name);
			u->after_reset = false;
			r->reconnects++;
			return 0;
		}
		if (bf_clock_ns() >= deadline || bf_stop_requested())
			break;
		bf_clock_sleep_ns(100000000ull);
	}
	return bf_error_ret(ENODEV, "%s: the device left the bus %s and was not back within %.0f s; "
			    "check 'bfctl list' and the cable", r->name, why, wait_s);
}

/* A register access found the device gone. After our own chip reset it
 * re-enumerates: wait for it. Otherwise (a reset from the DPU or the NIC
 * firmware, a replug) wait as long as the caller allows. */
static int reconnect(struct bf_rshim *r, struct usb_dev *u)
{
	if (u->after_reset)
		return reattach(r, u, REPROBE_S, "after the reset");
	return reattach(r, u, r->reconnect_s, "unasked (a reset from the DPU side, or unplugged)");
}

/* One register access; may_retry: the access may be made again on the
 * device found again after it left the bus (not the reset write itself). */
static int xfer_reg(struct bf_rshim *r, bool rd, uint32_t chan, uint32_t addr, uint64_t *val,
		    bool may_retry)
{
	struct usb_dev *u = r->priv;
	uint16_t wv, wi;
	uint8_t b[8];
	int n, i, ret, size = 8;
	bool retried = !may_retry;

	if (bf_chip_usb_wvalue_windex(r->chip, chan, addr, &wv, &wi) < 0)
		return -EINVAL;
	if (!u->h && (ret = reconnect(r, u)) < 0)
		return ret;
	if (!rd)
		for (i = 0; i < 8; i++)
			b[i] = (uint8_t)(*val >> (8 * i));
	for (;;) {
		n = libusb_control_transfer(u->h, rd ? 0xc2 : 0x42, 0, wv, wi, b, (uint16_t)size,
					    CTRL_TIMEOUT_MS);
		/* Gone: found again at most once per access (a device that
		 * keeps leaving fails the access). */
		if (n == LIBUSB_ERROR_NO_DEVICE && !retried && !u->push) {
			retried = true;
			if ((ret = reconnect(r, u)) < 0)
				return ret;
			continue;
		}
		break;
	}
	if (n < 0)
		return usb_errno(n);
	if (n < size)
		return -ENXIO;
	if (rd) {
		*val = 0;
		for (i = 7; i >= 0; i--)
			*val = *val << 8 | b[i];
	}
	return 0;
}

static int usb_read_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	return xfer_reg(r, true, chan, addr, val, true);
}

/* The end of a push (bf_boot_finish writes BOOT_CONTROL): the transfers
 * still in flight must land first. */
static int push_end(struct usb_dev *u)
{
	int ret;

	if (!u->push)
		return 0;
	ret = bf_usbpush_flush(u->push, FLUSH_S);
	bf_usbpush_free(u->push);
	u->push = NULL;
	return ret;
}

static int usb_write_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct usb_dev *u = r->priv;
	bool reset = chan == BF_CHAN_RSHIM && addr == r->chip->r.reset_control &&
		     (val & 0xffffffffull) == BF_RESET_KEY;
	int ret;

	if (chan == BF_CHAN_RSHIM && addr == r->chip->r.boot_control && (ret = push_end(u)) < 0)
		return ret;
	ret = xfer_reg(r, false, chan, addr, &val, !reset);

	/* A chip reset: the device drops off the bus, maybe before it has
	 * answered this very write (reported as a shutdown, which the reset
	 * sequence expects); what follows needs the re-enumerated device. */
	if (reset) {
		u->after_reset = true;
		bf_usbpush_free(u->push);
		u->push = NULL;
		if (ret == -ENODEV || ret == -EIO)
			ret = -ESHUTDOWN;
	}
	return ret;
}

static ssize_t usb_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct usb_dev *u = r->priv;
	ssize_t n;
	int ret;

	if (!u->h && (ret = reattach(r, u, REPROBE_S, "after the reset")) < 0)
		return ret;
	if (!u->push && (ret = bf_usbpush_new(u->ctx, u->h, r->chip, u->boot_ep, r->name, &u->push)) < 0)
		return ret;
	n = bf_usbpush_write(u->push, buf, len);
	if (n == -ENODEV && u->after_reset) {
		/* The device left the bus after the reset, before the push. */
		bf_usbpush_free(u->push);
		u->push = NULL;
		bf_error_clear();
		if ((ret = reattach(r, u, REPROBE_S, "after the reset")) < 0)
			return ret;
		return 0;
	}
	if (n > 0)
		u->after_reset = false;   /* this is the device after the reset */
	return n;
}

/* TM FIFO, tile to host: the interrupt endpoint says how many words wait
 * (waiting at most TM_POLL_MS for it), the bulk IN endpoint gives them.
 * Bytes read, 0 when nothing waits, or -errno. */
static ssize_t usb_fifo_read(struct bf_rshim *r, void *buf, size_t len)
{
	struct usb_dev *u = r->priv;
	uint8_t cnt[8];
	uint64_t words = 0;
	int got = 0, ret, i;

	if (!u->has_tm)
		return -EOPNOTSUPP;
	ret = libusb_interrupt_transfer(u->h, u->tm_int, cnt, sizeof(cnt), &got, TM_POLL_MS);
	if (ret == LIBUSB_ERROR_TIMEOUT)
		return 0;
	if (ret < 0)
		return usb_errno(ret);
	for (i = got - 1; i >= 0; i--)
		words = words << 8 | cnt[i];
	if (!words)
		return 0;
	if (words * 8 < len)
		len = (size_t)words * 8;
	if (len > TM_BULK_MAX)
		len = TM_BULK_MAX;
	len &= ~(size_t)7;
	ret = libusb_bulk_transfer(u->h, u->tm_in, buf, (int)len, &got, TM_XFER_MS);
	if (ret < 0 && !(ret == LIBUSB_ERROR_TIMEOUT && got > 0))
		return usb_errno(ret);
	return got;
}

/* TM FIFO, host to tile: whole words on the bulk OUT endpoint (the device
 * NAKs while its FIFO is full). Bytes taken, or -errno. */
static ssize_t usb_fifo_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct usb_dev *u = r->priv;
	int got = 0, ret;

	if (!u->has_tm)
		return -EOPNOTSUPP;
	len &= ~(size_t)7;
	if (len > TM_BULK_MAX)
		len = TM_BULK_MAX;
	if (!len)
		return 0;
	ret = libusb_bulk_transfer(u->h, u->tm_out, (unsigned char *)buf, (int)len, &got, TM_XFER_MS);
	if (ret == LIBUSB_ERROR_TIMEOUT)
		return got;
	return ret < 0 ? usb_errno(ret) : got;
}

static void usb_close(struct bf_rshim *r)
{
	struct usb_dev *u = r->priv;

	release(u);
	libusb_exit(u->ctx);
	free(u);
	free(r);
}

static const struct bf_rshim_ops usb_ops = {
	.read_reg = usb_read_reg,
	.write_reg = usb_write_reg,
	.boot_write = usb_boot_write,
	.fifo_read = usb_fifo_read,
	.fifo_write = usb_fifo_write,
	.close = usb_close,
};

/* A bare "usb": the port of the only BlueField on USB. */
static int only_port(libusb_context *ctx, char *port, size_t cap)
{
	struct bf_rshim_found f[16];
	char names[256] = "";
	int n = scan(ctx, f, 16), i;
	size_t o = 0;

	if (n < 0)
		return bf_error_ret(-n, "cannot list USB devices: %s", strerror(-n));
	if (n == 0)
		return bf_error_ret(ENODEV, "no BlueField on USB (see 'bfctl list')");
	if (n > 1) {
		for (i = 0; i < n && i < 16 && o < sizeof(names); i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", i ? ", " : "", f[i].name);
		return bf_error_ret(ENODEV, "several BlueFields on USB (%s): name one", names);
	}
	snprintf(port, cap, "%s", f[0].addr);
	return 0;
}

int bf_rshim_usb_open(const char *arg, struct bf_rshim **out)
{
	struct bf_rshim *r = calloc(1, sizeof(*r));
	struct usb_dev *u = calloc(1, sizeof(*u));
	int ret;

	if (!r || !u) {
		free(r);
		free(u);
		return -ENOMEM;
	}
	r->ops = &usb_ops;
	r->priv = u;
	if ((ret = libusb_init(&u->ctx)) < 0) {
		free(u);
		free(r);
		return bf_error_ret(ENODEV, "cannot use USB: %s", libusb_strerror(ret));
	}
	if (arg && *arg) {
		if (strlen(arg) >= sizeof(u->port) || strspn(arg, "0123456789-.") != strlen(arg)) {
			ret = bf_error_ret(EINVAL, "bad USB device name 'usb:%s' (use usb:<bus>-<port>, "
					   "as 'bfctl list' shows)", arg);
			goto fail;
		}
		snprintf(u->port, sizeof(u->port), "%s", arg);
	} else if ((ret = only_port(u->ctx, u->port, sizeof(u->port))) < 0) {
		goto fail;
	}
	snprintf(r->name, sizeof(r->name), "usb:%s", u->port);
	snprintf(r->dev_name, sizeof(r->dev_name), "usb-%s", u->port);
	if ((ret = attach(r, u)) < 0)
		goto fail;
	r->reprobe = true;
	r->reset_delay_ms = RESET_DELAY_MS;
	*out = r;
	return 0;
fail:
	usb_close(r);
	return ret;
}
