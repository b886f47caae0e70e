/* nic_int.h - internals of the simulated NIC shared by nic*.c. */
#ifndef BF_SIM_NIC_INT_H
#define BF_SIM_NIC_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "nic.h"
#include "sim_int.h"
#include "fw/layout.h"
#include "fw/vsec.h"

/* Where this NIC puts its VSEC in config space, and the sizes of its
 * spaces (the register map itself is fw/vsec.h, shared with the host). */
#define NIC_VSEC_OFF      0xC0
#define NIC_CR_SIZE       0x1000000
#define NIC_MBOX_SIZE     0x340         /* 832 bytes: ICMD_MAX_CMD_SIZE */
#define NIC_MBOX_MAX      0x1000

/* Time model (simulated seconds). */
#define NIC_T_CMD         5e-6          /* an ICMD command */
#define NIC_FLASH_BPS     4e6           /* programming the update area (MCDA) */
#define NIC_READ_BPS      50e6          /* reading flash back (MCDA GET in UPLOAD) */
#define NIC_ERASE_BPS     64e6          /* erasing it (UPDATE_COMPONENT -> INITIALIZE) */
#define NIC_VERIFY_BPS    400e6         /* digest check at VERIFY_COMPONENT */
#define NIC_T_ACTIVATE    0.05
#define NIC_T_DRIVER      0.3           /* MFRL with driver sync: until the driver resets */
#define NIC_T_RESET_OFF   1.0           /* off the bus during a reset */
#define NIC_T_LFWP        0.05          /* traffic paused while a live patch switches images */
#define NIC_T_POWERCUT    2.0           /* off the bus after a power cut */
#define NIC_MAX_COMPONENT (64u << 20)

struct nic_bank {
	bool valid;
	uint16_t hw_dev_id;
	uint32_t version, date_bcd, size, crc;
	char psid[17], product[17];
	/* What the bank holds, as READ_COMPONENT returns it (size bytes):
	 * the image burned (an FS4 image with its magic pattern written back),
	 * or one made from the fields above (factory, installer); saved as
	 * nic-bank<N>.bin in the state directory when it changed. */
	uint8_t *img;
	bool img_dirty;
};

struct nic_tlv {
	uint32_t type;
	uint16_t len;
	uint8_t data[BF_FW_NV_DATA_MAX];
};

struct nic_nvset {
	struct nic_tlv *v;
	size_t n, cap;
};

struct nic_core;

struct bf_sim_nic {
	struct nic_core *core;
	unsigned fn;
	char bdf[16];
	uint8_t cfg[BF_SIM_NIC_CFG_SIZE];   /* static part of the config space */
	/* VSEC registers */
	uint32_t ctrl_space, syndrome_code, counter, sem, addr, data;
	/* ICMD (its VCR space) */
	uint32_t icmd_ctrl, icmd_syndrome;
	double icmd_done_t;
	uint32_t mbox[NIC_MBOX_MAX / 4];
	struct bf_sim_nic_quirks q;
	struct bf_sim_nic_stats st;
};

struct nic_chip {
	const char *type_name;            /* "BlueField3" */
	const char *model, *description;  /* MQIS */
	uint16_t pci_devid, hw_dev_id, subsys;
	const char *psid, *fw, *date;     /* factory firmware */
	uint64_t base_mac;
	uint8_t rom_type[4], rom_arch[4];   /* MGIR rom3..rom0, as a query lists them */
};

/* rom3 UEFI virtio-net 21.4.13, rom2 UEFI virtio-blk 22.4.12, rom1 UEFI
 * 14.33.10, rom0 PXE 3.7.300 (major [31:24], minor [23:16], build [15:0]). */
#define NIC_ROM_VERSIONS { 21u << 24 | 4u << 16 | 13, 22u << 24 | 4u << 16 | 12, \
			   14u << 24 | 33u << 16 | 10, 3u << 24 | 7u << 16 | 300 }

struct nic_core {
	struct bf_sim *s;
	const struct nic_chip *chip;
	struct bf_sim_nic fn[BF_SIM_NIC_FUNCS];
	uint32_t sem_icmd, sem_flash;     /* semaphore space */
	/* power and resets */
	double reset_t;                   /* the NIC came up then */
	bool off;
	double off_until;
	double reset_at;                  /* a reset the driver will do (0 = none) */
	uint8_t mfrl_armed;               /* reset_trigger of the last MFRL SET */
	uint8_t mfrl_type;                /* its rst_type_sel (0 full chip: the ARM cores too) */
	unsigned resets, powercuts;
	/* flash */
	struct nic_bank bank[2];
	int active, pending;              /* bank indexes; pending -1 = none */
	/* the update FSM */
	unsigned fsm, fsm_err, owner;
	uint32_t handle, next_handle, comp_size, received;
	double init_done_t, last_cmd_t;
	bool verified;
	int upload;                       /* the bank READ_COMPONENT reads, -1 none */
	uint8_t *upd;                     /* the component as received */
	/* NV configuration */
	struct nic_nvset next, current;
	/* faults */
	unsigned powercut;                /* BF_SIM_POWERCUT_* still to fire */
};

/* nic.c */
double bf_sim_nic_now(struct nic_core *c);
uint32_t bf_sim_nic_mbox_size(const struct bf_sim_nic *n);
void bf_sim_nic_power_cut(struct nic_core *c);
/* Live firmware patch (reset level 0): the pending image runs now; the
 * links and the driver stay up. */
void bf_sim_nic_live_patch(struct nic_core *c);
void bf_sim_nic_boot(struct nic_core *c);
/* Make the contents of bank k from its fields (an FS4 image). */
int bf_sim_nic_bank_synth(struct nic_core *c, struct nic_bank *k);
void bf_sim_nic_bank_drop(struct nic_bank *k);

/* nic_flash.c: the banks' contents and their files. */
void bf_sim_nic_flash_load(struct nic_core *c);
void bf_sim_nic_flash_save(struct nic_core *c);
/* comp (len bytes, malloc()ed) becomes k's contents; k owns it. */
void bf_sim_nic_flash_commit(struct nic_core *c, struct nic_bank *k, uint8_t *comp, uint32_t len);

/* nic_icmd.c */
void bf_sim_nic_icmd_go(struct bf_sim_nic *n);

/* nic_fsm.c: components, MCQS, MCQI, MCC, MCDA. Register handlers take the
 * payload (big-endian, in place: the reply replaces the request), return
 * the register status and add the command's duration to *exec. */
void bf_sim_nic_fsm_reset(struct nic_core *c);
void bf_sim_nic_fsm_tick(struct nic_core *c, double now);
int bf_sim_nic_reg_mcqs(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mcqi(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mcc(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mcda(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);

/* nic_nv.c: the NV store. */
void bf_sim_nic_nv_init(struct nic_core *c);
void bf_sim_nic_nv_free(struct nic_core *c);
void bf_sim_nic_nv_apply_next(struct nic_core *c);
int bf_sim_nic_reg_mnvda(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mnvdi(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mnvia(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mnvqc(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
int bf_sim_nic_reg_mnvgc(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
json_object *bf_sim_nic_nv_save(const struct nic_nvset *set);
void bf_sim_nic_nv_load(struct nic_nvset *set, json_object *o);

#endif
