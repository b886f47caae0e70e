/* pcicfg.h - the config space of the simulated RShim livefish function
 * (bf_sim_lfcfg_*): a type-0 header with a capability list, and the
 * Mellanox address/data gateway at 0x58/0x5c decoding CR-space addresses
 * back to RShim registers of the simulator: on BF2 the RShim CR window,
 * its Byte Access Widget and the boot FIFO holding register; on BF3 the
 * GW_CR_64B gateway with its lock and busy bits. Served by pcifs.c, and
 * bound in-process by tests/unit/test_pcie_lf.c. Addresses: one header
 * with the host (src/lib/rshim/lf_regs.h).
 */
#ifndef BF_SIM_PCICFG_H
#define BF_SIM_PCICFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Function identity (the spec's livefish ids per chip: BF2 0x0214, BF3
 * 0x021c; class 0x020000 as a network controller in flash recovery). */
#define BF_SIM_LF_CLASS      0x020000u
#define BF_SIM_LF_REVISION   0x01u
/* After a chip reset through the BF3 gateway, the MSN is untouchable for
 * this long (simulated s) while BL1 sets up crmaster; an access in that
 * window wedges the gateway, as it can on hardware (the host holds 10 s). */
#define BF_SIM_LF_CRMASTER_S 1.0

struct bf_sim_lfcfg;

/* A model bound to s (not owned). NULL on allocation failure. */
struct bf_sim_lfcfg *bf_sim_lfcfg_new(struct bf_sim *s);
void bf_sim_lfcfg_free(struct bf_sim_lfcfg *m);

/* Any offset and size within BF_LF_CFG_SIZE bytes (the caller clips).
 * 0 or -errno (-ENODEV once the device is unplugged). */
int bf_sim_lfcfg_read(struct bf_sim_lfcfg *m, uint32_t off, void *buf, size_t len);
int bf_sim_lfcfg_write(struct bf_sim_lfcfg *m, uint32_t off, const void *buf, size_t len);

/* Test knobs: polls during which BUSY/PENDING stay set after an access
 * starts (default 0: done at once); a gateway that never finishes; a
 * lock held by another agent. */
struct bf_sim_lfcfg_knobs {
	unsigned busy_polls;
	bool stuck_busy;
	bool lock_held;
};
void bf_sim_lfcfg_set_knobs(struct bf_sim_lfcfg *m, const struct bf_sim_lfcfg_knobs *k);

struct bf_sim_lfcfg_stats {
	uint64_t cfg_reads, cfg_writes;   /* 32-bit config accesses (or parts) */
	uint64_t cr_reads, cr_writes;     /* through the gateway */
	uint64_t reg_reads, reg_writes;   /* RShim register accesses that reached the simulator */
	bool wedged;                      /* BF3: touched while BL1 set up crmaster */
};
void bf_sim_lfcfg_get_stats(const struct bf_sim_lfcfg *m, struct bf_sim_lfcfg_stats *st);

#endif
