/* rshim/pcie.h - the PCIe backend's BAR0 access (bf_pcie_*): every MMIO
 * access goes through an accessor, so tests bind it to the simulator and
 * only real hardware maps /sys/bus/pci/devices/<bdf>/resource0.
 * Facts: doc/rshim.md section 1. */
#ifndef BF_RSHIM_PCIE_H
#define BF_RSHIM_PCIE_H

#include <stdint.h>

#include "rshim.h"

struct bf_pcie_mmio {
	int (*read64)(void *ctx, uint64_t off, uint64_t *val);
	int (*write64)(void *ctx, uint64_t off, uint64_t val);
	void (*close)(void *ctx);
	void *ctx;
};

/* BAR0 offset of (chan, addr): BF1/BF2 (chan << 16) | addr; BF3 through
 * the linear CR-space table, within 0x13000000..0x137fffff. -EINVAL
 * outside (e.g. BF3 channel 0xf, as upstream). */
int bf_pcie_offset(const struct bf_chip *c, uint32_t chan, uint32_t addr, uint64_t *off);

/* A device on an accessor (tests, or the sysfs mapping). Takes ownership
 * of io (its close is called on close). */
int bf_rshim_pcie_open_mmio(const struct bf_chip *chip, const struct bf_pcie_mmio *io,
			    const char *dev_name, struct bf_rshim **out);

#endif
