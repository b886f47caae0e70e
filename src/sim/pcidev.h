/* pcidev.h - the PCI functions `bfsim run --transport pci` serves
 * (bf_sim_pcidev, bf_sim_pcibus): each function is a BDF and a config
 * space behind two callbacks; pcifs.c presents them as
 * /sys/bus/pci/devices/<bdf>/{config,vendor,device,class,...}, the id
 * files read from the config header, so a model owns every byte.
 *
 * Addresses: every simulated device of the run has its function sets on
 * buses of its own, as several DPUs in one host do: device i (sim:i) has
 * its NIC functions on bus 0x03 + 2i (0000:03:00.0 and .1 for sim:0) and
 * its RShim livefish function on bus 0x04 + 2i (0000:04:00.0 for sim:0).
 *
 * To add functions: write a provider that fills a struct bf_sim_pcidev per function and
 * calls bf_sim_pcibus_add, and list it in pci_providers[] in pcifs.c.
 */
#ifndef BF_SIM_PCIDEV_H
#define BF_SIM_PCIDEV_H

#include <stddef.h>
#include <stdint.h>

struct bf_sim_host;

struct bf_sim_pcidev {
	char bdf[16];             /* "0000:04:00.0" */
	size_t cfg_size;          /* 256 or 4096 */
	/* Config-space access. Called with the host lock held (the model
	 * may call into the simulator); off + len <= cfg_size (pcifs
	 * clips). 0 or -errno (e.g. -ENODEV once the device is gone). */
	int (*cfg_read)(void *ctx, uint32_t off, void *buf, size_t len);
	int (*cfg_write)(void *ctx, uint32_t off, const void *buf, size_t len);
	void (*free)(void *ctx);  /* may be NULL */
	void *ctx;
	struct bf_sim_host *host; /* the device it belongs to (set by pcifs.c) */
};

/* Functions of one run: 3 per device, 64 devices. */
#define BF_SIM_PCI_MAX_DEVS 192

/* The buses of a simulated device's function sets (see above). */
#define BF_SIM_PCI_BUS_NIC   0x03u
#define BF_SIM_PCI_BUS_LF    0x04u

struct bf_sim_pcibus {
	struct bf_sim_pcidev dev[BF_SIM_PCI_MAX_DEVS];
	size_t ndev;
};

/* The address of function fn on device h's bus (BF_SIM_PCI_BUS_*):
 * "0000:BB:00.F" into out (at least 13 bytes). */
void bf_sim_pci_bdf(const struct bf_sim_host *h, unsigned bus, unsigned fn, char *out, size_t cap);

/* Add a function (copied). 0, -EEXIST (same BDF), -ENOSPC, -EINVAL (bad
 * BDF or size). On failure d->free is not called: the caller owns ctx. */
int bf_sim_pcibus_add(struct bf_sim_pcibus *bus, const struct bf_sim_pcidev *d);

/* A provider adds the functions of one part of the simulated BlueField.
 * Runs in bfsim before COMMAND starts; 0 or -errno with bf_error_set. */
typedef int (*bf_sim_pci_provider)(struct bf_sim_host *h, struct bf_sim_pcibus *bus);

/* The RShim livefish function (pcifs.c, on the model of pcicfg.c). */
int bf_sim_pci_rshim_lf_add(struct bf_sim_host *h, struct bf_sim_pcibus *bus);
/* The NIC functions 0000:03:00.0 and .1 for sim:0 (nic_pci.c, on the model of nic.c). */
int bf_sim_pci_nic_add(struct bf_sim_host *h, struct bf_sim_pcibus *bus);

#endif
