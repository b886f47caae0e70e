/* rshim/pcie_lf.c - RShim over a PCIe livefish function: no BAR, every
 * register reached through the config-space address/data gateway (ADDR
 * 0x58, DATA 0x5c) with pread/pwrite on the sysfs config file. BF2: the
 * RShim channel at CR 0x310000 with 32-bit accesses, 8-byte accesses
 * through the Byte Access Widget, boot FIFO words as two 32-bit writes.
 * BF3: the MSN GW_CR_64B gateway with its lock and busy bits. Every poll
 * is bounded (2 s, as upstream) and says what it waited for. */
#include "config.h"
#include "rshim/pcie_lf.h"
#include "rshim/lf_regs.h"
#include "rshim/bootfifo.h"
#include "rshim/scan.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lf {
	struct bf_rshim r;
	struct bf_pcie_cfg io;
	uint64_t hold_ns;          /* BF3: after a RESET_CONTROL write */
	uint64_t pushed;           /* boot stream bytes taken */
};

/* ---- config space and CR space ------------------------------------------ */

static int cr_read(struct lf *p, uint32_t cr, uint32_t *v)
{
	int ret = p->io.write32(p->io.ctx, BF_LF_CFG_ADDR, cr | BF_LF_CFG_READ);

	return ret < 0 ? ret : p->io.read32(p->io.ctx, BF_LF_CFG_DATA, v);
}

static int cr_write(struct lf *p, uint32_t cr, uint32_t v)
{
	int ret = p->io.write32(p->io.ctx, BF_LF_CFG_DATA, v);

	return ret < 0 ? ret : p->io.write32(p->io.ctx, BF_LF_CFG_ADDR, cr & ~BF_LF_CFG_READ);
}

/* Read cr until (value & mask) == want: at least two reads and at most
 * BF_LF_POLL_TIMEOUT_MS; then -ETIMEDOUT with a sentence naming what was
 * waited for and the last value. */
static int cr_poll(struct lf *p, uint32_t cr, uint32_t mask, uint32_t want, const char *what)
{
	unsigned ms = p->io.poll_timeout_ms ? p->io.poll_timeout_ms : BF_LF_POLL_TIMEOUT_MS;
	uint64_t t0 = bf_clock_ns(), limit = (uint64_t)ms * 1000000ull;
	unsigned n;
	uint32_t v;
	int ret;

	for (n = 1;; n++) {
		if ((ret = cr_read(p, cr, &v)) < 0)
			return ret;
		if ((v & mask) == want)
			return 0;
		if (n >= 2 && bf_clock_ns() - t0 >= limit)
			return bf_error_ret(ETIMEDOUT, "%s for %u ms (CR 0x%x reads 0x%08x after %u polls)",
					    what, ms, cr, v, n);
		if (n > 64)
			bf_clock_sleep_ns(20000);   /* a long wait: stop hammering the link */
	}
}

/* Keep the first error; still release what was taken. */
static int first_err(int a, int b)
{
	return a < 0 ? a : b;
}

/* ---- BlueField-2: RShim CR window and the Byte Access Widget -------------- */

static int bf2_rd32(struct lf *p, uint32_t off, uint32_t *v)
{
	return cr_read(p, BF_LF_BF2_RSH_BASE + off, v);
}

static int bf2_wr32(struct lf *p, uint32_t off, uint32_t v)
{
	return cr_write(p, BF_LF_BF2_RSH_BASE + off, v);
}

static int baw_pending_wait(struct lf *p)
{
	return cr_poll(p, BF_LF_BF2_RSH_BASE + BF_LF_BAW_CTL, BF_LF_BAW_PENDING, 0,
		       "the byte access widget stayed pending");
}

static int baw_lock(struct lf *p)
{
	/* Reading the interlock takes it: bit 0 set means it is ours. */
	return cr_poll(p, BF_LF_BF2_RSH_BASE + BF_LF_BAW_INTERLOCK, 1, 1,
		       "the byte access widget interlock stayed taken (another agent holds it)");
}

static int bf2_read(struct lf *p, uint32_t chan, uint32_t off, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	int ret;

	if (chan > 0xf || off > 0xffff)
		return -EINVAL;
	if ((ret = baw_pending_wait(p)) < 0 || (ret = baw_lock(p)) < 0)
		return ret;
	if ((ret = bf2_wr32(p, BF_LF_BAW_ADDR, bf_lf_baw_target(chan, off))) == 0 &&
	    (ret = bf2_wr32(p, BF_LF_BAW_CTL, BF_LF_BAW_READ_TRIGGER)) == 0 &&
	    (ret = baw_pending_wait(p)) == 0 &&
	    (ret = bf2_rd32(p, BF_LF_BAW_RDAT, &lo)) == 0 &&
	    (ret = baw_pending_wait(p)) == 0)
		ret = bf2_rd32(p, BF_LF_BAW_RDAT, &hi);
	ret = first_err(ret, bf2_wr32(p, BF_LF_BAW_INTERLOCK, 0));
	if (ret == 0)
		*val = (uint64_t)hi << 32 | lo;
	return ret;
}

static int bf2_write(struct lf *p, uint32_t chan, uint32_t off, uint64_t val)
{
	int ret;

	if (chan > 0xf || off > 0xffff)
		return -EINVAL;
	/* The boot FIFO's holding register pairs two 32-bit writes (low,
	 * then high) into one 8-byte push: no widget needed. */
	if (chan == BF_CHAN_RSHIM && off == p->r.chip->r.boot_fifo_data) {
		ret = bf2_wr32(p, off, (uint32_t)val);
		return ret < 0 ? ret : bf2_wr32(p, off, (uint32_t)(val >> 32));
	}
	if ((ret = baw_lock(p)) < 0)
		return ret;
	if ((ret = bf2_wr32(p, BF_LF_BAW_ADDR, bf_lf_baw_target(chan, off))) == 0 &&
	    (ret = bf2_wr32(p, BF_LF_BAW_CTL, BF_LF_BAW_SIZE_4BYTE)) == 0 &&
	    (ret = bf2_wr32(p, BF_LF_BAW_WDAT, (uint32_t)val)) == 0 &&
	    (ret = baw_pending_wait(p)) == 0)
		ret = bf2_wr32(p, BF_LF_BAW_WDAT, (uint32_t)(val >> 32));
	return first_err(ret, bf2_wr32(p, BF_LF_BAW_INTERLOCK, 0));
}

/* ---- BlueField-3: the MSN GW_CR_64B gateway ------------------------------ */

static int gw_lock(struct lf *p)
{
	/* Reading REG0 with LOCK clear takes the lock. */
	return cr_poll(p, BF_LF_GW_REG0, BF_LF_GW_LOCK, 0,
		       "the GW_CR_64B gateway lock stayed taken (another agent holds it)");
}

static int gw_busy_wait(struct lf *p)
{
	return cr_poll(p, BF_LF_GW_REG0_COPY, BF_LF_GW_BUSY, 0, "the GW_CR_64B gateway stayed busy");
}

/* ADDR, width and type, then BUSY set in REG0 to start the access. */
static int gw_setup(struct lf *p, uint32_t cr, uint32_t type)
{
	int ret;

	if ((ret = cr_write(p, BF_LF_GW_ADDR, cr >> 2)) < 0 ||
	    (ret = cr_write(p, BF_LF_GW_ACC_WIDTH, BF_LF_GW_WIDTH_64)) < 0)
		return ret;
	return cr_write(p, BF_LF_GW_ACC_TYPE, type);
}

static int gw_trigger(struct lf *p)
{
	uint32_t v;
	int ret = cr_read(p, BF_LF_GW_REG0, &v);

	return ret < 0 ? ret : cr_write(p, BF_LF_GW_REG0, v | BF_LF_GW_BUSY);
}

static int bf3_read(struct lf *p, uint32_t chan, uint32_t off, uint64_t *val)
{
	uint32_t cr, lo = 0, hi = 0;
	int ret;

	if (bf_lf_bf3_cr_addr(chan, off, &cr) < 0)
		return -EINVAL;
	if ((ret = gw_lock(p)) < 0)
		return ret;
	if ((ret = gw_setup(p, cr, BF_LF_GW_ACC_READ)) == 0 &&
	    (ret = gw_trigger(p)) == 0 &&
	    (ret = gw_busy_wait(p)) == 0 &&
	    (ret = cr_read(p, BF_LF_GW_DATA_LOW, &lo)) == 0)
		ret = cr_read(p, BF_LF_GW_DATA_HIGH, &hi);
	ret = first_err(ret, cr_write(p, BF_LF_GW_REG0, 0));
	if (ret == 0)
		*val = (uint64_t)hi << 32 | lo;
	return ret;
}

static int bf3_write(struct lf *p, uint32_t chan, uint32_t off, uint64_t val)
{
	uint32_t cr;
	int ret;

	if (bf_lf_bf3_cr_addr(chan, off, &cr) < 0)
		return -EINVAL;
	if ((ret = gw_lock(p)) < 0)
		return ret;
	if ((ret = gw_setup(p, cr, BF_LF_GW_ACC_WRITE)) == 0 &&
	    (ret = cr_write(p, BF_LF_GW_DATA_LOW, (uint32_t)val)) == 0 &&
	    (ret = cr_write(p, BF_LF_GW_DATA_HIGH, (uint32_t)(val >> 32))) == 0 &&
	    (ret = gw_trigger(p)) == 0) {
		/* A chip reset: the MSN must not be touched until BL1 has
		 * set up crmaster (upstream holds 10 s). */
		if ((cr & 0xffff) == p->r.chip->r.reset_control) {
			bf_debug("%s: reset written, holding the gateway %.1f s", p->r.name,
				 (double)p->hold_ns / 1e9);
			if (p->io.sleep_ns)
				p->io.sleep_ns(p->io.ctx, p->hold_ns);
			else
				bf_clock_sleep_ns(p->hold_ns);
		}
		ret = gw_busy_wait(p);
	}
	return first_err(ret, cr_write(p, BF_LF_GW_REG0, 0));
}

/* ---- the backend ----------------------------------------------------------- */

static int lf_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct lf *p = (struct lf *)r;

	return r->chip->ver == BF_CHIP_BF3 ? bf3_read(p, chan, addr, val) : bf2_read(p, chan, addr, val);
}

static int lf_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct lf *p = (struct lf *)r;

	return r->chip->ver == BF_CHIP_BF3 ? bf3_write(p, chan, addr, val) : bf2_write(p, chan, addr, val);
}

static ssize_t lf_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct lf *p = (struct lf *)r;
	char why[512];
	ssize_t n;

	bf_error_clear();
	n = bf_rshim_boot_fifo_push(r, buf, len);
	if (n > 0)
		p->pushed += (uint64_t)n;
	if (n < 0 && bf_error_get()) {
		/* A gateway that stayed busy says so: with where the push was. */
		snprintf(why, sizeof(why), "%s", bf_error_get());
		return bf_error_ret((int)-n, "%s: boot stream write failed after %llu bytes: %s", r->name,
				    (unsigned long long)p->pushed, why);
	}
	return n;
}

static void lf_close(struct bf_rshim *r)
{
	struct lf *p = (struct lf *)r;

	if (p->io.close)
		p->io.close(p->io.ctx);
	free(p);
}

static const struct bf_rshim_ops lf_ops = {
	.read_reg = lf_read,
	.write_reg = lf_write,
	.boot_write = lf_boot_write,
	.close = lf_close,
};

int bf_rshim_pcie_lf_open_cfg(const struct bf_chip *chip, const struct bf_pcie_cfg *io,
			      const char *dev_name, struct bf_rshim **out)
{
	struct lf *p;

	if (chip->ver == BF_CHIP_BF1)
		return bf_error_ret(ENOTSUP, "%s: a BlueField-1 livefish function (TRIO CR gateway) is not supported",
				    dev_name);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->io = *io;
	p->r.ops = &lf_ops;
	p->r.chip = chip;
	/* After a chip reset (spec 2, 5): PCIE_RESET_DELAY 5 s (BF3 livefish
	 * 1 s) plus the livefish boot-open delay of 1 s; BF3 holds the
	 * gateway 10 s inside the reset write itself. */
	p->r.reset_delay_ms = chip->ver == BF_CHIP_BF3 ? 2000 : 6000;
	p->hold_ns = (uint64_t)BF_LF_BF3_RESET_HOLD_MS * 1000000ull;
	snprintf(p->r.dev_name, sizeof(p->r.dev_name), "%s", dev_name);
	*out = &p->r;
	return 0;
}

/* ---- hardware: the sysfs config file ------------------------------------- */

struct cfgfile {
	int fd;
};

static int cf_read32(void *ctx, uint32_t off, uint32_t *val)
{
	struct cfgfile *c = ctx;
	uint8_t b[4];
	ssize_t n;

	do
		n = pread(c->fd, b, 4, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != 4)
		return -EIO;
	*val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

static int cf_write32(void *ctx, uint32_t off, uint32_t val)
{
	struct cfgfile *c = ctx;
	uint8_t b[4] = { (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24) };
	ssize_t n;

	do
		n = pwrite(c->fd, b, 4, off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 4 ? 0 : -EIO;
}

static void cf_close(void *ctx)
{
	struct cfgfile *c = ctx;

	close(c->fd);
	free(c);
}

int bf_rshim_pcie_lf_open(const char *arg, struct bf_rshim **out)
{
	struct bf_pcie_cfg io = { .read32 = cf_read32, .write32 = cf_write32, .close = cf_close };
	const struct bf_chip *chip;
	char path[512], name[64], only[32];
	unsigned vendor, device;
	struct cfgfile *c;
	uint32_t id;
	int fd, ret;

	if (!arg || !*arg) {
		/* "pcie-lf" alone: the only livefish function there is. */
		if ((ret = bf_rshim_scan_only(true, only, sizeof(only))) < 0)
			return ret;
		arg = only;
	}
	if (strlen(arg) > 32 || strchr(arg, '/'))
		return bf_error_ret(EINVAL, "name the livefish function by its address: pcie-lf:0000:04:00.0");
	if (bf_rshim_sysfs_pci_id(arg, "vendor", &vendor) < 0 || bf_rshim_sysfs_pci_id(arg, "device", &device) < 0)
		return bf_error_ret(ENODEV, "no PCI device %s", arg);
	chip = bf_chip_by_pcie_lf_devid((uint16_t)device);
	if (vendor != BF_PCI_VENDOR || !chip)
		return bf_error_ret(ENODEV, "%s (%04x:%04x) is not a BlueField livefish function", arg, vendor, device);
	if (chip->ver == BF_CHIP_BF1)
		return bf_error_ret(ENOTSUP, "%s: a BlueField-1 livefish function (TRIO CR gateway) is not supported",
				    arg);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", bf_rshim_sysfs(), arg);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s (root needed; the rshim daemon may hold the device)",
				    path, strerror(errno));
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	io.ctx = c;
	/* The config space must answer with the ids sysfs shows. */
	ret = cf_read32(c, 0, &id);
	if (ret < 0 || id != (vendor | device << 16)) {
		cf_close(c);
		return bf_error_ret(ret < 0 ? -ret : EIO, "%s: the config space does not answer (%s)", path,
				    ret < 0 ? strerror(-ret) : "ids differ from sysfs");
	}
	snprintf(name, sizeof(name), "pcie-lf-%s", arg);
	ret = bf_rshim_pcie_lf_open_cfg(chip, &io, name, out);
	if (ret < 0)
		cf_close(c);
	return ret;
}
