/* fw/pciconf.c - the VSEC gateway in PCI config space (spec 1.3-1.8). */
#include "config.h"
#include "fw/pciconf.h"
#include "rshim/scan.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define V_CTRL     BF_FW_VSEC_CTRL
#define V_COUNTER  BF_FW_VSEC_COUNTER
#define V_SEM      BF_FW_VSEC_SEMAPHORE
#define V_ADDR     BF_FW_VSEC_ADDRESS
#define V_DATA     BF_FW_VSEC_DATA
#define ADDR_FLAG  BF_FW_VSEC_ADDR_FLAG
#define ADDR_SYND  BF_FW_VSEC_ADDR_SYND
#define ALL_ONES   0xffffffffu

static const struct { unsigned space, bit; const char *name; } spaces[] = {
	{ BF_FW_AS_ICMD, 3, "ICMD" }, { BF_FW_AS_NODNIC, 4, "NODNIC_INIT_SEG" },
	{ BF_FW_AS_EXPROM, 5, "EXPANSION_ROM" }, { BF_FW_AS_ND_CR, 6, "ND_CRSPACE" },
	{ BF_FW_AS_SCAN_CR, 7, "SCAN_CRSPACE" }, { BF_FW_AS_MAC, 0xa, "MAC" },
	{ BF_FW_AS_ICMD_EXT, 1, "ICMD_EXT" }, { BF_FW_AS_SEMAPHORE, 8, "SEMAPHORE" },
	{ BF_FW_AS_CR, 2, "CR_SPACE" }, { BF_FW_AS_PCI_ICMD, 0xb, "PCI_ICMD" },
	{ BF_FW_AS_PCI_CR, 0xc, "PCI_CRSPACE" }, { BF_FW_AS_PCI_ALL_ICMD, 0xd, "PCI_ALL_ICMD" },
	{ BF_FW_AS_PCI_SCAN_CR, 0xe, "PCI_SCAN_CRSPACE" }, { BF_FW_AS_PCI_GLOBAL_SEM, 0xf, "PCI_GLOBAL_SEMAPHORE" },
	{ BF_FW_AS_RECOVERY, 0, "RECOVERY" },
};
#define NSPACES (sizeof(spaces) / sizeof(spaces[0]))

const char *bf_fw_space_name(unsigned sp)
{
	size_t i;

	for (i = 0; i < NSPACES; i++)
		if (spaces[i].space == sp)
			return spaces[i].name;
	return "unknown";
}

static int space_bit(unsigned sp)
{
	size_t i;

	for (i = 0; i < NSPACES; i++)
		if (spaces[i].space == sp)
			return (int)spaces[i].bit;
	return -1;
}

bool bf_fw_pci_space_ok(const struct bf_fw_pci *p, unsigned sp)
{
	int b = space_bit(sp);

	/* RECOVERY has no bit of its own (bit 0 means "probed"). */
	if (sp == BF_FW_AS_RECOVERY)
		return p->recovery;
	return b > 0 && (p->cap_mask >> b & 1);
}

/* Config space. --------------------------------------------------------- */

static uint32_t le32_get(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int bf_fw_pci_cfg_read32(struct bf_fw_pci *p, uint32_t off, uint32_t *v)
{
	uint8_t b[4];
	int r;

	p->accesses++;
	if ((r = p->io.read(p->io.ctx, off, b, 4)) < 0)
		return bf_error_ret(-r, "cannot read the config space of %s at 0x%x: %s", p->name, off, strerror(-r));
	*v = le32_get(b);
	return 0;
}

int bf_fw_pci_cfg_write32(struct bf_fw_pci *p, uint32_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	int r;

	p->accesses++;
	if ((r = p->io.write(p->io.ctx, off, b, 4)) < 0)
		return bf_error_ret(-r, "cannot write the config space of %s at 0x%x: %s", p->name, off, strerror(-r));
	return 0;
}

static void real_sleep(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	/* Short waits inside a transfer: finished even after Ctrl-C, so that
	 * the device is never left half-way (callers check the stop flag
	 * between operations). */
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void bf_fw_pci_sleep(struct bf_fw_pci *p, uint64_t ns)
{
	if (p->io.sleep)
		p->io.sleep(p->io.ctx, ns);
	else
		real_sleep(ns);
}

uint64_t bf_fw_pci_now(struct bf_fw_pci *p)
{
	return p->io.now ? p->io.now(p->io.ctx) : bf_clock_ns();
}

int bf_fw_pci_alive(struct bf_fw_pci *p)
{
	uint32_t v;

	if (bf_fw_pci_cfg_read32(p, 0, &v) < 0)
		return -ENODEV;
	if ((v & 0xffff) == 0xffff)
		return bf_error_ret(ENODEV, "%s stopped responding (its config space reads all ones): "
				    "it is resetting, lost power or was removed", p->name);
	return 0;
}

/* A VSEC register read that may show the device gone. */
static int vread(struct bf_fw_pci *p, uint32_t reg, uint32_t *v)
{
	int r = bf_fw_pci_cfg_read32(p, p->vsec + reg, v);

	if (r == 0 && *v == ALL_ONES && bf_fw_pci_alive(p) < 0)
		return -ENODEV;
	return r;
}

static int vwrite(struct bf_fw_pci *p, uint32_t reg, uint32_t v)
{
	return bf_fw_pci_cfg_write32(p, p->vsec + reg, v);
}

/* The VSEC semaphore (spec 1.6). ----------------------------------------- */

static int sem_lock(struct bf_fw_pci *p)
{
	uint32_t v = 0, ticket = 0, first = 0;
	unsigned i;
	int r;

	for (i = 0; i < p->sem_tries; i++) {
		if ((r = vread(p, V_SEM, &v)) < 0)
			return r;
		if (v == 0) {
			if ((r = vread(p, V_COUNTER, &ticket)) < 0 || (r = vwrite(p, V_SEM, ticket)) < 0 ||
			    (r = vread(p, V_SEM, &v)) < 0)
				return r;
			if (v == ticket) {
				p->ticket = ticket;
				p->space = 0;   /* someone else may have moved CTRL */
				return 0;
			}
		}
		if (i == 0)
			first = v;
		else if (v != first)
			first = 0;   /* it changed hands: the owners are alive */
		bf_fw_pci_sleep(p, 1000000);
	}
	if (first && v == first)
		return bf_error_ret(EBUSY, "the VSEC semaphore of %s stayed taken with the same ticket (0x%x) for %u tries "
				    "(%.1f s): no tool took or released it meanwhile, so its holder most likely died "
				    "holding it (kill -9 during a command); if no other tool (bfctl, mstflint, mstconfig) "
				    "is using %s, clear it with --clear-semaphore", p->name, v, p->sem_tries,
				    p->sem_tries / 1000.0, p->name);
	return bf_error_ret(EBUSY, "the VSEC semaphore of %s stayed taken (value 0x%x) for %u tries: another tool "
			    "is using the device; retry when it is done", p->name, v, p->sem_tries);
}

static void sem_unlock(struct bf_fw_pci *p)
{
	vwrite(p, V_SEM, 0);
	p->space = 0;
}

int bf_fw_pci_hold(struct bf_fw_pci *p)
{
	int r;

	if (p->hold) {
		p->hold++;
		return 0;
	}
	if ((r = sem_lock(p)) < 0)
		return r;
	p->hold = 1;
	return 0;
}

void bf_fw_pci_release(struct bf_fw_pci *p)
{
	if (!p->hold || --p->hold)
		return;
	sem_unlock(p);
}

int bf_fw_pci_clear_semaphore(struct bf_fw_pci *p, uint32_t *was)
{
	int r;

	if ((r = vread(p, V_SEM, was)) < 0)
		return r;
	if ((r = vwrite(p, V_SEM, 0)) < 0)
		return r;
	p->hold = 0;
	p->space = 0;
	return 0;
}

/* Select the address space (CTRL.space) and check it is supported; while
 * we hold the semaphore, only when it changes. */
static int set_space(struct bf_fw_pci *p, unsigned sp)
{
	uint32_t v;
	int r;

	if (p->hold && p->space == sp)
		return 0;
	if ((r = vread(p, V_CTRL, &v)) < 0)
		return r;
	if ((v & 0xffff) != sp) {
		if ((r = vwrite(p, V_CTRL, (v & ~0xffffu) | sp)) < 0 || (r = vread(p, V_CTRL, &v)) < 0)
			return r;
	}
	if ((v & 0xffff) != sp || !(v >> 29)) {
		p->space = 0;
		return -ENOTSUP;
	}
	p->space = sp;
	return 0;
}

/* One transfer (spec 1.7) with the syndrome (1.8). *synd: the syndrome
 * code when ADDRESS[30] came back set. */
static int xfer(struct bf_fw_pci *p, bool write, uint32_t addr, uint32_t *v, unsigned *synd)
{
	uint32_t a = 0;
	unsigned i;
	int r;

	*synd = 0;
	if (write && (r = vwrite(p, V_DATA, *v)) < 0)
		return r;
	if ((r = vwrite(p, V_ADDR, addr | (write ? ADDR_FLAG : 0))) < 0)
		return r;
	for (i = 0; i < p->poll_tries; i++) {
		if ((r = vread(p, V_ADDR, &a)) < 0)
			return r;
		if (!!(a & ADDR_FLAG) != write)
			break;
		if (i % 16 == 15)
			bf_fw_pci_sleep(p, 1000000);
	}
	if (i == p->poll_tries) {
		if ((r = bf_fw_pci_alive(p)) < 0)
			return r;
		return bf_error_ret(ETIMEDOUT, "the VSEC gateway of %s did not complete a %s of address 0x%x "
				    "(the flag stayed %u for %u polls)", p->name, write ? "write" : "read", addr,
				    write, p->poll_tries);
	}
	if (a & ADDR_SYND) {
		uint32_t c;

		if ((r = vread(p, V_CTRL, &c)) < 0)
			return r;
		*synd = (c >> 24) & 0xf;
		if (!*synd)
			*synd = 0x10;   /* flagged without a code */
		return 0;
	}
	if (!write && (r = vread(p, V_DATA, v)) < 0)
		return r;
	return 0;
}

static unsigned swap_space(unsigned sp)
{
	switch (sp) {
	case BF_FW_AS_CR: case BF_FW_AS_ND_CR: return BF_FW_AS_PCI_CR;
	case BF_FW_AS_PCI_CR: return BF_FW_AS_CR;
	case BF_FW_AS_ICMD_EXT: return BF_FW_AS_PCI_ICMD;
	case BF_FW_AS_PCI_ICMD: return BF_FW_AS_ICMD_EXT;
	case BF_FW_AS_ICMD: return BF_FW_AS_PCI_ALL_ICMD;
	case BF_FW_AS_PCI_ALL_ICMD: return BF_FW_AS_ICMD;
	case BF_FW_AS_SCAN_CR: return BF_FW_AS_PCI_SCAN_CR;
	case BF_FW_AS_PCI_SCAN_CR: return BF_FW_AS_SCAN_CR;
	case BF_FW_AS_SEMAPHORE: return BF_FW_AS_PCI_GLOBAL_SEM;
	case BF_FW_AS_PCI_GLOBAL_SEM: return BF_FW_AS_SEMAPHORE;
	default: return sp;
	}
}

static int block(struct bf_fw_pci *p, bool write, unsigned sp, uint32_t addr, uint32_t *v, size_t n)
{
	unsigned synd = 0;
	bool swapped = false;
	size_t i = 0;
	int r;

	if ((addr & 3) || (addr >> 30) || ((uint64_t)addr + 4 * n) > 0x40000000ull)
		return bf_error_ret(EINVAL, "address 0x%x (+%zu dwords) is not a 4-aligned 30-bit address", addr, n);
	if ((r = bf_fw_pci_hold(p)) < 0)
		return r;
	if ((r = set_space(p, sp)) < 0)
		goto unsupported;
	while (i < n) {
		if ((r = xfer(p, write, addr + 4 * (uint32_t)i, &v[i], &synd)) < 0)
			break;
		if (synd == 3 && p->pxir && !swapped) {
			/* ADDRESS_OUT_OF_RANGE: retry once in the PCI twin space. */
			swapped = true;
			sp = swap_space(sp);
			if ((r = set_space(p, sp)) < 0)
				goto unsupported;
			continue;
		}
		if (synd) {
			r = synd == 3 ?
				bf_error_ret(EFAULT, "%s: address 0x%x is out of range of the %s space (gateway syndrome 3)",
					     p->name, addr + 4 * (uint32_t)i, bf_fw_space_name(sp)) :
				bf_error_ret(EIO, "%s: the VSEC gateway refused address 0x%x of the %s space (syndrome %u)",
					     p->name, addr + 4 * (uint32_t)i, bf_fw_space_name(sp), synd & 0xf);
			break;
		}
		i++;
	}
	if (r < 0 || synd)
		p->space = 0;
	bf_fw_pci_release(p);
	return r;
unsupported:
	bf_fw_pci_release(p);
	if (r == -ENOTSUP)
		r = bf_error_ret(ENOTSUP, "%s does not support the %s address space (0x%x) through its VSEC",
				 p->name, bf_fw_space_name(sp), sp);
	return r;
}

int bf_fw_pci_read4(struct bf_fw_pci *p, unsigned space, uint32_t addr, uint32_t *v)
{
	return block(p, false, space, addr, v, 1);
}

int bf_fw_pci_write4(struct bf_fw_pci *p, unsigned space, uint32_t addr, uint32_t v)
{
	return block(p, true, space, addr, &v, 1);
}

int bf_fw_pci_read_block(struct bf_fw_pci *p, unsigned space, uint32_t addr, uint32_t *v, size_t n)
{
	return block(p, false, space, addr, v, n);
}

int bf_fw_pci_write_block(struct bf_fw_pci *p, unsigned space, uint32_t addr, const uint32_t *v, size_t n)
{
	/* block() only reads *v on writes. */
	return block(p, true, space, addr, (uint32_t *)(uintptr_t)v, n);
}

/* Opening. ----------------------------------------------------------------- */

/* The standard capability list (0x40-0xFF), guarded against loops. */
static int find_vsec(struct bf_fw_pci *p)
{
	bool visited[256] = { false };
	uint32_t v;
	unsigned ptr;
	int r;

	if ((r = bf_fw_pci_cfg_read32(p, 0x34, &v)) < 0)
		return r;
	ptr = v & 0xfc;
	while (ptr >= 0x40 && ptr <= 0xfc && !visited[ptr]) {
		visited[ptr] = true;
		if ((r = bf_fw_pci_cfg_read32(p, ptr, &v)) < 0)
			return r;
		if ((v & 0xff) == BF_FW_VSEC_CAP_ID)
			return (int)ptr;
		ptr = (v >> 8) & 0xfc;
	}
	return bf_error_ret(ENOTSUP, "%s has no vendor-specific capability (0x09) in its capability list: "
			    "bfctl reaches the firmware only through it", p->name);
}

/* Which spaces answer (spec 1.5), under the semaphore. */
static int probe_spaces(struct bf_fw_pci *p)
{
	uint32_t v;
	size_t i;
	int r;

	if ((r = sem_lock(p)) < 0)
		return r;
	p->cap_mask = 1;   /* probed */
	for (i = 0; i < NSPACES; i++) {
		if ((r = vread(p, V_CTRL, &v)) < 0 || (r = vwrite(p, V_CTRL, (v & ~0xffffu) | spaces[i].space)) < 0 ||
		    (r = vread(p, V_CTRL, &v)) < 0)
			break;
		if ((v & 0xffff) == spaces[i].space && (v >> 29)) {
			if (spaces[i].bit)
				p->cap_mask |= 1u << spaces[i].bit;
			else
				p->recovery = true;
		}
	}
	if (r == 0 && (r = vread(p, V_CTRL, &v)) == 0)
		r = vwrite(p, V_CTRL, (v & ~0xffffu) | BF_FW_AS_CR);   /* the default after open */
	sem_unlock(p);
	if (r < 0)
		return r;
	p->pxir = bf_fw_pci_space_ok(p, BF_FW_AS_PCI_CR) && bf_fw_pci_space_ok(p, BF_FW_AS_PCI_ALL_ICMD) &&
		  bf_fw_pci_space_ok(p, BF_FW_AS_PCI_GLOBAL_SEM);
	if (!p->pxir && !(bf_fw_pci_space_ok(p, BF_FW_AS_CR) && bf_fw_pci_space_ok(p, BF_FW_AS_ICMD_EXT) &&
			  bf_fw_pci_space_ok(p, BF_FW_AS_SEMAPHORE)))
		return bf_error_ret(ENOTSUP, "the VSEC of %s lacks the CR, ICMD_EXT and SEMAPHORE spaces (mask 0x%x)",
				    p->name, p->cap_mask);
	return 0;
}

/* --clear-semaphore: free the VSEC semaphore before probing under it. */
static int clear_at_open(struct bf_fw_pci *p)
{
	uint32_t was;
	int r;

	if ((r = bf_fw_pci_clear_semaphore(p, &was)) < 0)
		return r;
	if (was)
		bf_warn("%s: cleared the VSEC semaphore, which held ticket 0x%x; if another tool was using the device, "
			"its access may now collide with ours", p->name, was);
	else
		bf_info("%s: the VSEC semaphore was free; nothing to clear", p->name);
	return 0;
}

int bf_fw_pci_open(const struct bf_fw_pci_io *io, const char *name, unsigned flags, struct bf_fw_pci **out)
{
	struct bf_fw_pci *p = calloc(1, sizeof(*p));
	uint32_t v;
	int r;

	if (!p) {
		if (io->close)
			io->close(io->ctx);
		return -ENOMEM;
	}
	p->io = *io;
	p->sem_tries = 2048;
	p->poll_tries = 2048;
	snprintf(p->name, sizeof(p->name), "%s", name);
	if ((r = bf_fw_pci_cfg_read32(p, 0, &v)) < 0)
		goto fail;
	p->vendor = (uint16_t)v;
	p->device = (uint16_t)(v >> 16);
	if (p->vendor == 0xffff) {
		r = bf_error_ret(ENODEV, "%s does not respond (its config space reads all ones)", name);
		goto fail;
	}
	if (p->vendor != 0x15b3 && p->vendor != 0x10de) {
		r = bf_error_ret(ENODEV, "%s is not an NVIDIA/Mellanox device (vendor 0x%04x)", name, p->vendor);
		goto fail;
	}
	if ((r = find_vsec(p)) < 0)
		goto fail;
	p->vsec = (uint8_t)r;
	if ((r = bf_fw_pci_cfg_read32(p, p->vsec, &v)) < 0)
		goto fail;
	if (v >> 24) {
		r = bf_error_ret(ENOTSUP, "the vendor capability of %s is of type %u (%s), not the functional one: "
				 "the firmware is not reachable this way", name, v >> 24, v >> 24 == 2 ? "recovery" : "unknown");
		goto fail;
	}
	if ((flags & BF_FW_OPEN_CLEAR_SEMAPHORE) && (r = clear_at_open(p)) < 0)
		goto fail;
	if ((r = probe_spaces(p)) < 0)
		goto fail;
	bf_debug("%s: VSEC at 0x%02x, spaces 0x%x%s", name, p->vsec, p->cap_mask, p->pxir ? " (PXIR)" : "");
	*out = p;
	return 0;
fail:
	bf_fw_pci_close(p);
	return r;
}

void bf_fw_pci_close(struct bf_fw_pci *p)
{
	if (!p)
		return;
	if (p->io.close)
		p->io.close(p->io.ctx);
	free(p);
}

/* sysfs. ------------------------------------------------------------------- */

/* The open config file and its path: a reset may take the function off
 * the bus and bring it back as a new sysfs object, on which the old file
 * answers no more; it is opened again then. */
struct sysfs_cfg {
	int fd;
	char path[512];
};

static bool reopen(struct sysfs_cfg *c, int err)
{
	int fd;

	if (err != -ENODEV && err != -ENXIO && err != -EIO && err != -ENOENT)
		return false;
	fd = open(c->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(c->fd);
	c->fd = fd;
	return true;
}

static int sysfs_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	struct sysfs_cfg *c = ctx;
	int tries = 2;

	while (tries--) {
		ssize_t n = pread(c->fd, buf, len, off);
		int r = n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;

		if (r == 0 || !tries || !reopen(c, r))
			return r;
	}
	return -EIO;
}

static int sysfs_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	struct sysfs_cfg *c = ctx;
	int tries = 2;

	while (tries--) {
		ssize_t n = pwrite(c->fd, buf, len, off);
		int r = n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;

		if (r == 0 || !tries || !reopen(c, r))
			return r;
	}
	return -EIO;
}

static void sysfs_close(void *ctx)
{
	struct sysfs_cfg *c = ctx;

	close(c->fd);
	free(c);
}

int bf_fw_pci_open_sysfs(const char *bdf, unsigned flags, struct bf_fw_pci **out)
{
	struct bf_fw_pci_io io = { .read = sysfs_read, .write = sysfs_write, .close = sysfs_close };
	struct sysfs_cfg *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	snprintf(c->path, sizeof(c->path), "%s/bus/pci/devices/%s/config", bf_rshim_sysfs(), bdf);
	c->fd = open(c->path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;
		char path[sizeof(c->path)];

		snprintf(path, sizeof(path), "%s", c->path);
		free(c);
		if (e == ENOENT)
			return bf_error_ret(ENODEV, "no PCI function %s (%s does not exist)", bdf, path);
		if (e == EACCES || e == EPERM)
			return bf_error_ret(EACCES, "cannot open %s for writing: the firmware gateway needs root", path);
		return bf_error_ret(e, "cannot open %s: %s", path, strerror(e));
	}
	io.ctx = c;
	return bf_fw_pci_open(&io, bdf, flags, out);
}
