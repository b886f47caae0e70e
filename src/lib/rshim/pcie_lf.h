/* rshim/pcie_lf.h - the PCIe livefish backend (bf_pcie_lf_*): RShim
 * registers reached through the config-space address/data gateway. Every
 * config-space access goes through an accessor, so tests bind it to an
 * in-process model of the function (src/sim/pcicfg.c) and hardware uses
 * pread/pwrite on /sys/bus/pci/devices/<bdf>/config.
 * Facts: doc/rshim.md section 1 (PCIe livefish).
 */
#ifndef BF_RSHIM_PCIE_LF_H
#define BF_RSHIM_PCIE_LF_H

#include <stdint.h>

#include "rshim.h"

struct bf_pcie_cfg {
	/* 32-bit config-space accesses at 4-aligned offsets, little-endian.
	 * 0 or -errno. */
	int (*read32)(void *ctx, uint32_t off, uint32_t *val);
	int (*write32)(void *ctx, uint32_t off, uint32_t val);
	/* Wait ns of device time (the BF3 hold after a reset write). NULL:
	 * sleep on the host's clock. Tests on a virtual clock advance it. */
	void (*sleep_ns)(void *ctx, uint64_t ns);
	void (*close)(void *ctx);
	void *ctx;
	/* Lock/busy/pending polls give up after this long (0: 2000 ms, as
	 * upstream). */
	unsigned poll_timeout_ms;
};

/* A device on an accessor (tests, or the sysfs config file). Takes
 * ownership of io (its close is called on close). BF2 and BF3; BF1 (TRIO
 * gateway) is refused with -ENOTSUP. */
int bf_rshim_pcie_lf_open_cfg(const struct bf_chip *chip, const struct bf_pcie_cfg *io,
			      const char *dev_name, struct bf_rshim **out);

#endif
