/* rshim/pcie.c - RShim over PCIe: registers in BAR0, the boot stream
 * pushed word by word into BOOT_FIFO_DATA with the FIFO count polled, as
 * the hardware needs. "pcie:<bdf>" maps resource0 from sysfs. */
#include "config.h"
#include "rshim/pcie.h"
#include "rshim/bootfifo.h"
#include "rshim/scan.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int bf_pcie_offset(const struct bf_chip *c, uint32_t chan, uint32_t addr, uint64_t *off)
{
	uint64_t lin;

	if (c->ver != BF_CHIP_BF3) {
		if (chan > 0xf || addr > 0xffff)
			return -EINVAL;
		*off = ((uint64_t)chan << 16) | addr;
		return 0;
	}
	if (chan < 0xf)   /* WDOG1 (0xf) is not mapped on PCIe, as upstream */
		lin = (uint64_t)(bf_chip_bf3_base(chan) ? bf_chip_bf3_base(chan) : 0x13000000) + addr;
	else
		lin = ((uint64_t)chan << 16) + addr;   /* linear mode; WDOG1 lands outside: -EINVAL */
	if (lin < 0x13000000 || lin >= 0x13800000)
		return -EINVAL;
	*off = lin - 0x13000000;
	return 0;
}

struct pcie {
	struct bf_rshim r;
	struct bf_pcie_mmio io;
};

static int pcie_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct pcie *p = (struct pcie *)r;
	uint64_t off;

	if (bf_pcie_offset(r->chip, chan, addr, &off) < 0)
		return -EINVAL;
	return p->io.read64(p->io.ctx, off, val);
}

static int pcie_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct pcie *p = (struct pcie *)r;
	uint64_t off;

	if (bf_pcie_offset(r->chip, chan, addr, &off) < 0)
		return -EINVAL;
	return p->io.write64(p->io.ctx, off, val);
}

/* Words into BOOT_FIFO_DATA under the FIFO count (rshim/bootfifo.c). */
static ssize_t pcie_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	return bf_rshim_boot_fifo_push(r, buf, len);
}

static void pcie_close(struct bf_rshim *r)
{
	struct pcie *p = (struct pcie *)r;

	if (p->io.close)
		p->io.close(p->io.ctx);
	free(p);
}

static const struct bf_rshim_ops pcie_ops = {
	.read_reg = pcie_read,
	.write_reg = pcie_write,
	.boot_write = pcie_boot_write,
	.close = pcie_close,
};

int bf_rshim_pcie_open_mmio(const struct bf_chip *chip, const struct bf_pcie_mmio *io,
			    const char *dev_name, struct bf_rshim **out)
{
	struct pcie *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->io = *io;
	p->r.ops = &pcie_ops;
	p->r.chip = chip;
	/* The chip needs time after a reset before BAR0 answers (spec 2:
	 * PCIE_RESET_DELAY 5 s, 3 s on BF3). */
	p->r.reset_delay_ms = chip->ver == BF_CHIP_BF3 ? 3000 : 5000;
	snprintf(p->r.dev_name, sizeof(p->r.dev_name), "%s", dev_name);
	*out = &p->r;
	return 0;
}

/* ---- real hardware: resource0 from sysfs --------------------------------- */

struct bar {
	volatile uint8_t *base;
	size_t size;
};

static int bar_read(void *ctx, uint64_t off, uint64_t *val)
{
	struct bar *b = ctx;

	if (off + 8 > b->size || off % 8)
		return -EINVAL;
	*val = *(volatile uint64_t *)(b->base + off);
	__sync_synchronize();
	return 0;
}

static int bar_write(void *ctx, uint64_t off, uint64_t val)
{
	struct bar *b = ctx;

	if (off + 8 > b->size || off % 8)
		return -EINVAL;
	__sync_synchronize();
	*(volatile uint64_t *)(b->base + off) = val;
	return 0;
}

static void bar_close(void *ctx)
{
	struct bar *b = ctx;

	munmap((void *)b->base, b->size);
	free(b);
}

int bf_rshim_pcie_open(const char *arg, struct bf_rshim **out)
{
	struct bf_pcie_mmio io = { .read64 = bar_read, .write64 = bar_write, .close = bar_close };
	const struct bf_chip *chip;
	char path[256], name[64];
	unsigned vendor, device;
	struct bar *b;
	void *m;
	int fd, r;

	char only[32];

	if (!arg || !*arg) {
		/* "pcie" alone: the only RShim PCIe function there is. */
		if ((r = bf_rshim_scan_only(false, only, sizeof(only))) < 0)
			return r;
		arg = only;
	}
	if (strlen(arg) > 32 || strchr(arg, '/'))
		return bf_error_ret(EINVAL, "name the PCIe device by its address: pcie:0000:03:00.2");
	if (bf_rshim_sysfs_pci_id(arg, "vendor", &vendor) < 0 || bf_rshim_sysfs_pci_id(arg, "device", &device) < 0)
		return bf_error_ret(ENODEV, "no PCI device %s", arg);
	chip = bf_chip_by_pcie_devid((uint16_t)device);
	if (vendor != BF_PCI_VENDOR || !chip)
		return bf_error_ret(ENODEV, "%s (%04x:%04x) is not a BlueField RShim function", arg, vendor, device);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource0", bf_rshim_sysfs(), arg);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s (root needed; a kernel rshim driver or the rshim daemon may hold it)",
				    path, strerror(errno));
	m = mmap(NULL, chip->bar0_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return bf_error_ret(errno, "cannot map BAR0 of %s: %s", arg, strerror(errno));
	b = calloc(1, sizeof(*b));
	if (!b) {
		munmap(m, chip->bar0_size);
		return -ENOMEM;
	}
	b->base = m;
	b->size = chip->bar0_size;
	io.ctx = b;
	snprintf(name, sizeof(name), "pcie-%s", arg);
	r = bf_rshim_pcie_open_mmio(chip, &io, name, out);
	if (r < 0)
		bar_close(b);
	return r;
}
