/* fw/dev.h - a NIC as `bfctl fw` names and opens it (bf_fw_dev_*): the name
 * resolved to a PCI function, the config-space gateway and ICMD opened,
 * the device identified (PCI and HW ids, livefish), its capabilities
 * (MCAM) and components (MCQS) read.
 *
 * Names: a PCI address (0000:03:00.0 or 03:00.0), its sysfs config path,
 * an mst device (/dev/mst/mt41692_pciconf0, mt41692_pciconf0.1: the N-th
 * device with that PCI device id, function .F), an RDMA device (mlx5_0),
 * or sim:0 / sim:0.1 (the NIC of the in-process simulator, under
 * `bfsim run` without a transport).
 */
#ifndef BF_FW_DEV_H
#define BF_FW_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "fw/icmd.h"
#include "fw/layout.h"
#include "fw/pciconf.h"

struct bf_fw_devtype {
	uint16_t pci_devid, hw_id;
	const char *name;          /* "BlueField3" as mstconfig prints the device type */
	const char *long_name;     /* "BlueField-3" */
	bool bluefield;
};

#define BF_FW_MAX_COMPS 32

struct bf_fw_comp {
	uint16_t index, id;
	uint8_t status, update_state;
};

struct bf_fw_dev {
	struct bf_fw_pci *pci;
	struct bf_fw_icmd icmd;
	char name[128];            /* as given */
	char bdf[32];              /* the function it resolved to */
	uint16_t hw_id, hw_rev;
	const struct bf_fw_devtype *type;   /* NULL when unknown */
	struct bf_fw_mcam mcam0;
	bool mcc;                  /* the component-update path is available */
	struct bf_fw_comp comps[BF_FW_MAX_COMPS];
	unsigned ncomps;
	int boot_index;            /* MCQS index of BOOT_IMG, -1 if none */
};

/* Resolve name to a PCI address (or keep sim:N.F). 0 or -ENODEV with a
 * sentence. */
int bf_fw_dev_resolve(const char *name, char *bdf, size_t cap);
/* Open by name. 0 or -errno with a sentence. */
int bf_fw_dev_open(const char *name, struct bf_fw_dev **out);
/* The same with BF_FW_OPEN_* flags (fw/pciconf.h). */
int bf_fw_dev_open_flags(const char *name, unsigned flags, struct bf_fw_dev **out);
/* Open over an accessor (tests bind the simulated NIC in-process). */
int bf_fw_dev_open_io(const struct bf_fw_pci_io *io, const char *name, struct bf_fw_dev **out);
void bf_fw_dev_close(struct bf_fw_dev *d);

const struct bf_fw_devtype *bf_fw_devtype_by_pci(uint16_t devid);
const struct bf_fw_devtype *bf_fw_devtype_by_hw(uint16_t hw_id);

/* Walk MCQS (index 0, 1, ... until last_index_flag) into d->comps. */
int bf_fw_dev_components(struct bf_fw_dev *d);
/* MCQI info of a component, read in windows that fit the register, into
 * blob (cap bytes): 0 with *len, or > 0 the register status, or -errno. */
int bf_fw_dev_mcqi(struct bf_fw_dev *d, unsigned index, unsigned info_type, bool pending,
		   uint8_t *blob, size_t cap, size_t *len);
/* BOOT_IMG version, running (pending false) or pending. 0, 1 (none
 * pending) or -errno. */
int bf_fw_dev_version(struct bf_fw_dev *d, bool pending, struct bf_fw_mcqi_version *v);
/* MGIR. */
int bf_fw_dev_mgir(struct bf_fw_dev *d, struct bf_fw_mgir *m);
/* An MQIS string (info_type), read 8 bytes at a time: out gets at most
 * cap-1 printable characters; "" when the device has none. */
int bf_fw_dev_mqis(struct bf_fw_dev *d, unsigned info_type, char *out, size_t cap);

#endif
