/* rshim/daemon.c - a device held by rshimd, reached through its files:
 * registers by the rshim file's RSHIM_IOC_READ2/WRITE2 ioctls, the boot
 * stream by writing the boot file (its open resets the device, its close
 * ends the stream), the chip and name from the misc file. */
#include "config.h"
#include "rshim.h"
#include "error.h"
#include "rshim_ioctl.h"
#include "rshim/misc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct dmn {
	char dir[4096];
	int regfd;
	int bootfd;
};

static int dmn_ioctl(struct bf_rshim *r, unsigned long cmd, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct dmn *d = r->priv;
	struct bf_rshim_ioc2 m;

	if (chan > 0xffff || addr > 0xffff)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.addr = (chan << 16) | addr;
	m.data = cmd == BF_RSHIM_IOC_WRITE2 ? *val : 0;
	m.data_size = 8;
	if (ioctl(d->regfd, cmd, &m) < 0)
		return -errno;
	if (cmd == BF_RSHIM_IOC_READ2)
		*val = m.data;
	return 0;
}

/* The TM FIFO data registers belong to the daemon's I/O thread: a word
 * taken or pushed behind its back would break the framing of the console
 * and the network for everyone. */
static int tm_fifo_data(struct bf_rshim *r, uint32_t chan, uint32_t addr)
{
	if (chan != BF_CHAN_RSHIM || (addr != r->chip->r.tm_t2h_data && addr != r->chip->r.tm_h2t_data))
		return 0;
	return bf_error_ret(EBUSY, "%s: the TM FIFO (console, tmfifo_net) is served by rshimd: "
			    "use its console file (%s/console) and tmfifo_net interface",
			    r->name, ((struct dmn *)r->priv)->dir);
}

static int dmn_read_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	int ret = tm_fifo_data(r, chan, addr);

	return ret < 0 ? ret : dmn_ioctl(r, BF_RSHIM_IOC_READ2, chan, addr, val);
}

static int dmn_write_reg(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	int ret = tm_fifo_data(r, chan, addr);

	return ret < 0 ? ret : dmn_ioctl(r, BF_RSHIM_IOC_WRITE2, chan, addr, &val);
}

/* Why the daemon refused the boot file, in the words an operator needs:
 * upstream's errnos are terse (EINVAL for drop mode). */
static int boot_open_error(struct bf_rshim *r, const char *path, int err)
{
	struct dmn *d = r->priv;
	char *misc = err == EINVAL ? malloc(BF_RSHIM_MISC_MAX) : NULL, val[16] = "";
	size_t len;

	if (misc && bf_rshim_misc_read(d->dir, misc, BF_RSHIM_MISC_MAX, &len) == 0)
		bf_rshim_misc_value(misc, len, "DROP_MODE", val, sizeof(val));
	free(misc);
	if (!strcmp(val, "1"))
		return bf_error_ret(EACCES, "%s is in drop mode (another backend, e.g. the BMC's rshim, drives the "
				    "device): write 'FORCE_CMD 1' to %s/misc to ask for it, or stop the other one",
				    r->name, d->dir);
	if (err == EBUSY)
		return bf_error_ret(EBUSY, "%s: another process is pushing a boot stream (%s is open)", r->name, path);
	if (err == EPERM)
		return bf_error_ret(EPERM, "%s: the NIC firmware is in secure (locked) mode: no boot stream", r->name);
	return bf_error_ret(err, "%s: cannot open %s: %s", r->name, path, strerror(err));
}

/* The daemon's write blocks until the device took the bytes (or its
 * BOOT_TIMEOUT passed); the first write opens the boot file, which resets
 * the device into RShim boot as upstream. */
static ssize_t dmn_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct dmn *d = r->priv;
	char path[4200];
	ssize_t n;

	if (d->bootfd < 0) {
		int e;

		if (r->boot_reset_skip && (e = bf_rshim_misc_write(d->dir, "BOOT_RESET_SKIP 1\n")) < 0)
			return bf_error_ret(-e, "%s: cannot set BOOT_RESET_SKIP in %s/misc: %s", r->name, d->dir,
					    strerror(-e));
		snprintf(path, sizeof(path), "%s/boot", d->dir);
		d->bootfd = open(path, O_WRONLY | O_CLOEXEC);
		if (d->bootfd < 0)
			return boot_open_error(r, path, errno);
	}
	do
		n = write(d->bootfd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int dmn_boot_end(struct bf_rshim *r)
{
	struct dmn *d = r->priv;
	int ret = 0;

	if (d->bootfd >= 0 && close(d->bootfd) < 0)
		ret = bf_error_ret(errno, "%s: closing the boot file failed: %s", r->name, strerror(errno));
	if (d->bootfd >= 0 && r->boot_reset_skip)
		bf_rshim_misc_write(d->dir, "BOOT_RESET_SKIP 0\n");
	d->bootfd = -1;
	return ret;
}

static void dmn_close(struct bf_rshim *r)
{
	struct dmn *d = r->priv;

	dmn_boot_end(r);
	close(d->regfd);
	free(d);
	free(r);
}

static const struct bf_rshim_ops dmn_ops = {
	.read_reg = dmn_read_reg,
	.write_reg = dmn_write_reg,
	.boot_write = dmn_boot_write,
	.close = dmn_close,
	.boot_end = dmn_boot_end,
};

int bf_rshim_daemon_open(const char *name, struct bf_rshim **out)
{
	const char *root = getenv("BFCTL_RSHIM_ROOT");
	char path[4200], val[64], *misc;
	struct bf_rshim *r;
	size_t len;
	struct dmn *d;
	int ret;

	d = calloc(1, sizeof(*d));
	r = calloc(1, sizeof(*r));
	misc = malloc(BF_RSHIM_MISC_MAX);
	if (!d || !r || !misc) {
		free(d);
		free(r);
		free(misc);
		return -ENOMEM;
	}
	d->bootfd = -1;
	if (name[0] == '/')
		ret = snprintf(d->dir, sizeof(d->dir), "%s", name);
	else
		ret = snprintf(d->dir, sizeof(d->dir), "%s/%s", root && *root ? root : "/dev", name);
	if (ret < 0 || (size_t)ret >= sizeof(d->dir)) {
		ret = bf_error_ret(ENAMETOOLONG, "%s: path too long", name);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/rshim", d->dir);
	d->regfd = open(path, O_RDWR | O_CLOEXEC);
	if (d->regfd < 0 && errno == ENOTCONN) {
		/* The mount of a daemon that ended. */
		ret = bf_error_ret(ENODEV, "%s: rshimd is not running: %s is left from an rshimd that ended "
				   "(%s); start rshimd (see rshimd(8))", name, d->dir, strerror(ENOTCONN));
		goto fail;
	}
	if (d->regfd < 0) {
		ret = bf_error_ret(errno == ENOENT ? ENODEV : errno,
				   "%s: cannot open %s: %s (is rshimd running? see 'rshimd(8)')",
				   name, path, strerror(errno));
		goto fail;
	}
	if ((ret = bf_rshim_misc_read(d->dir, misc, BF_RSHIM_MISC_MAX, &len)) < 0) {
		close(d->regfd);
		ret = bf_error_ret(-ret, "%s: cannot read %s/misc: %s", name, d->dir, strerror(-ret));
		goto fail;
	}
	if (bf_rshim_misc_value(misc, len, "DEV_INFO", val, sizeof(val)) < 0 || !(r->chip = bf_chip_by_name(val))) {
		close(d->regfd);
		ret = bf_error_ret(EPROTO, "%s: %s/misc names no known chip in DEV_INFO", name, d->dir);
		goto fail;
	}
	if (bf_rshim_misc_value(misc, len, "DEV_NAME", val, sizeof(val)) == 0)
		snprintf(r->dev_name, sizeof(r->dev_name), "%s", val);
	free(misc);
	r->ops = &dmn_ops;
	r->priv = d;
	r->reset_delay_ms = 0;   /* the daemon waits after its resets */
	r->reprobe = false;
	*out = r;
	return 0;
fail:
	free(misc);
	free(d);
	free(r);
	return ret;
}
