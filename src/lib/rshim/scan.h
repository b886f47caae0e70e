/* rshim/scan.h - finding RShim devices (bf_rshim_scan_*): PCIe functions
 * in sysfs now; USB with the USB backend. The sysfs root can be moved
 * ($BFCTL_SYSFS, for tests and for bfsim's FUSE-served tree). */
#ifndef BF_RSHIM_SCAN_H
#define BF_RSHIM_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "chip.h"

struct bf_rshim_found {
	char name[64];           /* as bfctl names it: "pcie:0000:03:00.2" */
	char addr[32];           /* "0000:03:00.2" */
	const struct bf_chip *chip;
	bool livefish;
};

/* Up to max RShim PCIe functions (sorted by address). Returns the number
 * found (possibly more than max) or -errno. */
int bf_rshim_scan_pcie(struct bf_rshim_found *out, size_t max);
/* The simulated devices the bfsim named by $BFSIM_SOCKET serves (sim:N,
 * rshim/sim.c): none without it, or when they are served over USB/PCI
 * instead. Returns the number found (possibly more than max). */
int bf_rshim_scan_sim(struct bf_rshim_found *out, size_t max);
/* The address of the only PCIe function of one kind (livefish or the
 * RShim PF) for a bare "pcie-lf" / "pcie"; -ENODEV with a sentence
 * listing them when there are none or several. */
int bf_rshim_scan_only(bool livefish, char *addr, size_t cap);
/* A hex id attribute ("vendor", "device") of a PCI function in sysfs. */
int bf_rshim_sysfs_pci_id(const char *bdf, const char *attr, unsigned *v);
/* The sysfs root in use ("/sys" unless $BFCTL_SYSFS). */
const char *bf_rshim_sysfs(void);

#endif
