/* fw/vsec.h - the NIC's functional vendor-specific capability (VSEC) and
 * what lies behind it, as one map shared by the host (fw/pciconf.c,
 * fw/icmd.c, fw/burn.c) and the simulated NIC (src/sim/nic*.c): the VSEC
 * registers, the address spaces, the semaphores, the ICMD mailbox in its
 * VCR space, and the CR-space addresses the host reads. Public sources:
 * Mellanox/mstflint mtcr_ul/mtcr_ul_com.c (VSEC, semaphore, spaces),
 * mtcr_ul/mtcr_ul_icmd_cif.c (VCR, ICMD semaphore, static_cfg_not_done),
 * tools_res_mgmt/tools_res_mgmt.c (semaphore-space resources).
 */
#ifndef BF_FW_VSEC_H
#define BF_FW_VSEC_H

/* The capability (PCI cap id 0x09) in the standard list; its dword 0
 * carries the VSC type in [31:24]. */
#define BF_FW_VSEC_CAP_ID         0x09
#define BF_FW_VSEC_TYPE_FUNCTIONAL 0
#define BF_FW_VSEC_TYPE_RECOVERY  2
#define BF_FW_VSEC_LEN            0x18

/* Registers, as offsets from the capability. */
#define BF_FW_VSEC_CTRL           0x04   /* space [15:0], syndrome code [27:24], status [31:29] */
#define BF_FW_VSEC_COUNTER        0x08   /* a read hands out a ticket */
#define BF_FW_VSEC_SEMAPHORE      0x0C   /* 0 free, else the owner's ticket */
#define BF_FW_VSEC_ADDRESS        0x10   /* address [29:0], syndrome [30], flag [31] */
#define BF_FW_VSEC_DATA           0x14

#define BF_FW_VSEC_CTRL_SPACE     0xffffu
#define BF_FW_VSEC_CTRL_SYND_SHIFT 24
#define BF_FW_VSEC_CTRL_STATUS_SHIFT 29
#define BF_FW_VSEC_ADDR_MASK      0x3fffffffu
#define BF_FW_VSEC_ADDR_SYND      (1u << 30)
#define BF_FW_VSEC_ADDR_FLAG      (1u << 31)
/* Gateway syndrome codes (CTRL [27:24]). */
#define BF_FW_VSEC_SYND_OUT_OF_RANGE 0x3

/* Address spaces (CTRL.space). */
enum {
	BF_FW_AS_ICMD_EXT = 0x1, BF_FW_AS_CR = 0x2, BF_FW_AS_ICMD = 0x3, BF_FW_AS_NODNIC = 0x4,
	BF_FW_AS_EXPROM = 0x5, BF_FW_AS_ND_CR = 0x6, BF_FW_AS_SCAN_CR = 0x7, BF_FW_AS_SEMAPHORE = 0xA,
	BF_FW_AS_RECOVERY = 0xC, BF_FW_AS_MAC = 0xF, BF_FW_AS_PCI_ICMD = 0x101, BF_FW_AS_PCI_CR = 0x102,
	BF_FW_AS_PCI_ALL_ICMD = 0x103, BF_FW_AS_PCI_SCAN_CR = 0x107, BF_FW_AS_PCI_GLOBAL_SEM = 0x10A,
};

/* Resources in the SEMAPHORE space: an owner id (tools write their PID)
 * takes one when it reads back; 0 releases it. */
#define BF_FW_SEM_ICMD            0x00   /* the ICMD mailbox */
#define BF_FW_SEM_FLASH           0x10   /* flash programming (burn tools) */
#define BF_FW_SEM_SPACE_SIZE      0x100

/* CR space. */
#define BF_FW_CR_HW_ID            0xf0014   /* HW device id [15:0], revision [23:16] */
#define BF_FW_CR_CFG_NOT_DONE     0xb5f04   /* bit 31: static_cfg_not_done (CX6 .. BF3) */
#define BF_FW_CR_CFG_NOT_DONE_BIT (1u << 31)

/* The ICMD interface in the ICMD (VCR) space. */
#define BF_FW_VCR_CTRL            0x000000  /* busy [0], exmb [1], status [15:8], opcode [31:16] */
#define BF_FW_VCR_MBOX_SIZE       0x001000  /* the mailbox size in bytes */
#define BF_FW_VCR_SYNDROME        0x001008  /* [23:0] */
#define BF_FW_VCR_MBOX            0x100000  /* the mailbox */
#define BF_FW_VCR_CTRL_BUSY       (1u << 0)
#define BF_FW_VCR_CTRL_EXMB       (1u << 1)
#define BF_FW_VCR_CTRL_STATUS_SHIFT 8
#define BF_FW_VCR_CTRL_OPCODE_SHIFT 16

/* ICMD opcodes and statuses. */
#define BF_FW_ICMD_ACCESS_REGISTER 0x9001
enum {
	BF_FW_ICMD_OK = 0, BF_FW_ICMD_BAD_OPCODE = 1, BF_FW_ICMD_BAD_CMD = 2, BF_FW_ICMD_OPERATIONAL = 3,
	BF_FW_ICMD_BAD_PARAM = 4, BF_FW_ICMD_BUSY = 5,
};

#endif
