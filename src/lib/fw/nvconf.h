/* fw/nvconf.h - the NIC's NV configuration through MNVDA/MNVDI/MNVIA/
 * MNVQC/MNVGC (bf_fw_nvconf_*): the values of parameters for the next
 * boot, in effect now, and by default; changes staged and written as whole
 * TLVs (read-modify-write, valid bits set); the device's own limits
 * (capability TLVs). Facts: doc/firmware.md section 3 (NVDA/NVQC/NVIA). */
#ifndef BF_FW_NVCONF_H
#define BF_FW_NVCONF_H

#include <stdbool.h>
#include <stdint.h>

#include "fw/dev.h"
#include "fw/params.h"

struct bf_fw_nvtlv;   /* one TLV as read (next / current / default) */

struct bf_fw_nvconf {
	struct bf_fw_dev *d;
	const struct bf_fw_params *db;
	unsigned nports;           /* MGIR num_ports (per-port names go up to it) */
	bool has_default, has_current;   /* MNVGC: the columns the device can show */
	struct bf_fw_nvtlv *t;
	size_t nt, cap;
};

struct bf_fw_nvitem {
	const struct bf_fw_param *p;
	unsigned port;
	char name[64];
	bool supported;            /* the capability bit allows it */
	bool ro;                   /* MNVQC: not writable */
	uint32_t def, cur, next;   /* def/cur valid with has_default/has_current */
	uint32_t max;              /* the effective maximum (file or capability) */
	bool staged;
	uint32_t value;            /* the staged new value */
};

int bf_fw_nvconf_open(struct bf_fw_nvconf *c, struct bf_fw_dev *d, const struct bf_fw_params *db);
void bf_fw_nvconf_close(struct bf_fw_nvconf *c);

/* The values of one parameter (port for per-port ones). 0 or -errno. */
int bf_fw_nvconf_get(struct bf_fw_nvconf *c, const struct bf_fw_param *p, unsigned port, struct bf_fw_nvitem *it);
/* Stage a new value for the next boot: checks support, writability and
 * the range (the capability's maximum). 0 or -EINVAL/-ENOTSUP/-EACCES
 * with a sentence. */
int bf_fw_nvconf_stage(struct bf_fw_nvconf *c, struct bf_fw_nvitem *it, uint32_t v);
/* Write every TLV with staged changes (MNVDA SET). 0 or -errno. */
int bf_fw_nvconf_commit(struct bf_fw_nvconf *c);
/* Every parameter back to its default at the next boot (MNVIA). */
int bf_fw_nvconf_reset_all(struct bf_fw_nvconf *c);
/* mlxconfig's preparation after a change (spec 3.10): MFRL SET 0x48 unless
 * the device is in DPU mode. *prepared: whether it was sent and taken. */
int bf_fw_nvconf_prepare_reset(struct bf_fw_nvconf *c, bool *prepared, bool *dpu_mode);

#endif
