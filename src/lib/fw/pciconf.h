/* fw/pciconf.h - PCI config-space access to the NIC firmware (bf_fw_pci_*):
 * the functional vendor-specific capability (VSEC, cap 0x09) as a gateway
 * to the device's address spaces (CR space, ICMD, semaphores), with its
 * semaphore, dword and block transfers, bounded completion polling and
 * syndromes. Facts: doc/firmware.md section 1.
 *
 * The config space itself is reached through a small accessor: pread/pwrite
 * on /sys/bus/pci/devices/<bdf>/config ($BFCTL_SYSFS for tests), or any
 * model a test binds (the simulated NIC in-process).
 */
#ifndef BF_FW_PCICONF_H
#define BF_FW_PCICONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/vsec.h"

struct bf_fw_pci_io {
	/* len bytes at off of the config space. 0 or -errno. */
	int (*read)(void *ctx, uint32_t off, void *buf, size_t len);
	int (*write)(void *ctx, uint32_t off, const void *buf, size_t len);
	/* Wait ns (NULL: the real clock). */
	void (*sleep)(void *ctx, uint64_t ns);
	/* The device's time in ns, for poll deadlines (NULL: CLOCK_MONOTONIC). */
	uint64_t (*now)(void *ctx);
	void (*close)(void *ctx);   /* may be NULL */
	void *ctx;
};

struct bf_fw_pci {
	struct bf_fw_pci_io io;
	char name[64];              /* for messages: "0000:03:00.0" */
	uint16_t vendor, device;    /* from the config header */
	uint8_t vsec;               /* the capability's offset */
	uint32_t cap_mask;          /* supported spaces (bit per space, spec 1.5) */
	bool pxir;                  /* PCI_CRSPACE + PCI_ALL_ICMD + PCI_GLOBAL_SEMAPHORE */
	bool recovery;              /* the RECOVERY space answers (it has no mask bit) */
	uint64_t accesses;          /* config reads + writes made */
	/* Holding the VSEC semaphore across several transfers (bf_fw_pci_hold):
	 * depth of nested holds, and the space CTRL selects while we hold it
	 * (nobody else can change it then; 0 = unknown). */
	unsigned hold;
	unsigned space;
	uint32_t ticket;            /* the ticket we hold it with */
	/* Bounds (the upstream values; tests may lower them). */
	unsigned sem_tries;         /* VSEC semaphore: tries, 1 ms apart (2048) */
	unsigned poll_tries;        /* ADDRESS flag polls (2048, 1 ms sleep every 16) */
};

/* Bind to a config space: reads the header, finds the VSEC in the standard
 * capability list, checks it is the functional one, probes the address
 * spaces under its semaphore. 0 or -errno with a sentence (-ENODEV not
 * responding or not NVIDIA, -ENOTSUP no functional VSEC). On failure the
 * accessor is closed. */
int bf_fw_pci_open(const struct bf_fw_pci_io *io, const char *name, unsigned flags, struct bf_fw_pci **out);
/* The same on $BFCTL_SYSFS (default /sys)/bus/pci/devices/<bdf>/config. */
int bf_fw_pci_open_sysfs(const char *bdf, unsigned flags, struct bf_fw_pci **out);
/* flags: before anything else, write 0 to the VSEC semaphore, whoever
 * holds it (with a warning when it was taken): the way out when a tool
 * died holding it. Only when no other tool is using the device. */
#define BF_FW_OPEN_CLEAR_SEMAPHORE 0x1
/* flags (bf_fw_dev_open_flags): the chip identified and ICMD opened, no
 * more: neither MCAM, MLOCK nor the component list is read (for a caller
 * that reads one register, such as the PSID in MGIR: the list alone is a
 * few hundred configuration cycles). Such a device cannot burn. */
#define BF_FW_OPEN_REGS_ONLY 0x2
void bf_fw_pci_close(struct bf_fw_pci *p);

bool bf_fw_pci_space_ok(const struct bf_fw_pci *p, unsigned space);
const char *bf_fw_space_name(unsigned space);

/* One dword / a block of dwords at a 4-aligned address of a space, each
 * through the ADDRESS/DATA handshake; the semaphore is taken once per
 * call. Values are CPU-native. 0 or -errno with a sentence: -ENODEV (the
 * device reads all ones: reset or gone), -EBUSY (semaphore held),
 * -ETIMEDOUT (the flag never completed), -EFAULT (syndrome: address out
 * of range), -EIO (other syndromes), -ENOTSUP (space not supported). */
int bf_fw_pci_read4(struct bf_fw_pci *p, unsigned space, uint32_t addr, uint32_t *v);
int bf_fw_pci_write4(struct bf_fw_pci *p, unsigned space, uint32_t addr, uint32_t v);
int bf_fw_pci_read_block(struct bf_fw_pci *p, unsigned space, uint32_t addr, uint32_t *v, size_t n);
int bf_fw_pci_write_block(struct bf_fw_pci *p, unsigned space, uint32_t addr, const uint32_t *v, size_t n);

/* Keep the VSEC semaphore across the transfers that follow, until the
 * matching release (holds nest): one take and one release for a whole
 * ICMD command instead of one per dword access, and the address space is
 * selected only when it changes. 0 or -errno as a transfer's. Whoever
 * holds it must release it soon: every other tool waits for it. */
int bf_fw_pci_hold(struct bf_fw_pci *p);
void bf_fw_pci_release(struct bf_fw_pci *p);
/* Write 0 to the VSEC semaphore, whoever holds it (--clear-semaphore). */
int bf_fw_pci_clear_semaphore(struct bf_fw_pci *p, uint32_t *was);

/* Raw config-space access (counted), and the device's clock. */
int bf_fw_pci_cfg_read32(struct bf_fw_pci *p, uint32_t off, uint32_t *v);
int bf_fw_pci_cfg_write32(struct bf_fw_pci *p, uint32_t off, uint32_t v);
void bf_fw_pci_sleep(struct bf_fw_pci *p, uint64_t ns);
uint64_t bf_fw_pci_now(struct bf_fw_pci *p);
/* -ENODEV with a sentence when the function reads all ones, else 0. */
int bf_fw_pci_alive(struct bf_fw_pci *p);

#endif
