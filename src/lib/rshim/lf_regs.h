/* rshim/lf_regs.h - the PCIe livefish function's config-space gateway and
 * the CR-space addresses behind it (BF_LF_*): one header for the host
 * backend (rshim/pcie_lf.c) and the simulator's model of the function
 * (src/sim/pcicfg.c), so the two cannot drift.
 * Facts: doc/rshim.md sections 1 (PCIe livefish) and 2.
 */
#ifndef BF_RSHIM_LF_REGS_H
#define BF_RSHIM_LF_REGS_H

#include <errno.h>
#include <stdint.h>

#include "chip.h"

/* The Mellanox address/data capability in PCI config space (32-bit
 * registers). CR read: ADDR = cr | READ, then read DATA. CR write: DATA =
 * value, then ADDR = cr (bit 0 clear). */
#define BF_LF_CFG_ADDR          0x58
#define BF_LF_CFG_DATA          0x5c
#define BF_LF_CFG_READ          0x1u
#define BF_LF_CFG_SIZE          4096       /* extended config space */

/* BlueField-2: RShim register r (channel 1) is CR address 0x310000 + r,
 * reached with 32-bit accesses. */
#define BF_LF_BF2_RSH_BASE      0x310000u

/* BlueField-2 Byte Access Widget (RShim channel 1 offsets): 8-byte
 * accesses to any channel as two 32-bit halves. */
#define BF_LF_BAW_CTL           0x490u
#define BF_LF_BAW_WDAT          0x498u
#define BF_LF_BAW_RDAT          0x4a0u
#define BF_LF_BAW_ADDR          0x4a8u
#define BF_LF_BAW_INTERLOCK     0x4b0u
#define BF_LF_BAW_SIZE_4BYTE    0x10u
#define BF_LF_BAW_PENDING       0x20u
#define BF_LF_BAW_READ_TRIGGER  0x50u      /* read trigger | 4-byte size */
#define BF_LF_BAW_READ_BIT      0x40u
#define BF_LF_BAW_TARGET_BASE   0x80000000u   /* target = base | chan << 16 | offset */

static inline uint32_t bf_lf_baw_target(uint32_t chan, uint32_t off)
{
	return BF_LF_BAW_TARGET_BASE | (chan << 16) | off;
}

/* BlueField-3: the MSN GW_CR_64B gateway (CR addresses). */
#define BF_LF_GW_REG0           0xae01040u   /* bit 31 LOCK, bit 30 BUSY */
#define BF_LF_GW_REG0_COPY      0xae01044u   /* REG0 without the lock side effect */
#define BF_LF_GW_ACC_TYPE       0xae0104cu   /* 1 read, 0 write */
#define BF_LF_GW_DATA_HIGH      0xae01050u
#define BF_LF_GW_DATA_LOW       0xae01054u
#define BF_LF_GW_ADDR           0xae01058u   /* CR address >> 2 */
#define BF_LF_GW_ACC_WIDTH      0xae0105cu
#define BF_LF_GW_LOCK           0x80000000u
#define BF_LF_GW_BUSY           0x40000000u
#define BF_LF_GW_WIDTH_64       0x20000u     /* a 64-bit line */
#define BF_LF_GW_WIDTH_32       0x1f00u      /* a 32-bit mask */
#define BF_LF_GW_ACC_READ       1u
#define BF_LF_GW_ACC_WRITE      0u
#define BF_LF_GW_FIRST          BF_LF_GW_REG0
#define BF_LF_GW_LAST           BF_LF_GW_ACC_WIDTH

#define BF_LF_GLOBAL_MMIO       0x10000000u  /* bit 28: "global MMIO", stripped by the gateway */

/* Waits of the livefish protocol (spec 2): lock/busy/pending polls give
 * up after RSHIM_LOCK_RETRY_TIME; after a BF3 RESET_CONTROL write the MSN
 * must not be touched until BL1 has set up crmaster. */
#define BF_LF_POLL_TIMEOUT_MS   2000u
#define BF_LF_BF3_RESET_HOLD_MS 10000u

/* BF3: the CR address the gateway's ADDR register takes (>> 2 of it) for
 * (chan, off): channels below 0xf through the linear table less the
 * global-MMIO bit (RShim 0x3000000), channels without a window at off
 * itself, larger chan values as (chan << 16) + off (bf-reg's linear form).
 * 0 or -EINVAL. */
static inline int bf_lf_bf3_cr_addr(uint32_t chan, uint32_t off, uint32_t *cr)
{
	uint64_t a;

	if (off > 0xffff || chan > 0xffff)
		return -EINVAL;
	if (chan < 0xf)
		a = (uint64_t)(bf_chip_bf3_base(chan) & ~BF_LF_GLOBAL_MMIO) + off;
	else
		a = ((uint64_t)chan << 16) + off;
	a &= ~(uint64_t)BF_LF_GLOBAL_MMIO;
	if (a > 0xffffffffull)
		return -EINVAL;
	*cr = (uint32_t)a;
	return 0;
}

#endif
