/* nic.h - the simulated NIC of the simulated BlueField (bf_sim_nic_*): two
 * PCI functions (0000:03:00.0 and .1) whose config space holds a capability
 * list with the functional vendor-specific capability (VSEC, cap 0x09): the
 * gateway to the address spaces (CR space, ICMD, semaphores), the ICMD
 * mailbox, the access registers (MGIR, MCAM, MLOCK, MCQS, MCQI, MCC, MCDA,
 * MQIS, MFRL, MNVDA/MNVDI/MNVIA/MNVQC/MNVGC), an NV configuration store with
 * default/current/next values (next becomes current at a reset), two flash
 * banks and the component-update state machine. State is kept in the
 * simulator's nv.json ("nic"). Facts: doc/firmware.md.
 *
 * The config space is reached byte-wise like the sysfs "config" file:
 * in-process (tests, the "sim:0" device of bfctl fw) or over FUSE
 * (bfsim run --transport pci).
 */
#ifndef BF_SIM_NIC_H
#define BF_SIM_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

struct bf_fw_image_hdr;

#define BF_SIM_NIC_FUNCS     2
#define BF_SIM_NIC_CFG_SIZE  4096

struct bf_sim_nic;   /* one PCI function */

/* Function fn (0 or 1) of the NIC of s; the NIC powers on (or resumes from
 * the state directory) on first use. NULL when fn is out of range. */
struct bf_sim_nic *bf_sim_nic_get(struct bf_sim *s, unsigned fn);
struct bf_sim *bf_sim_nic_sim(const struct bf_sim_nic *n);
/* "0000:03:00.0" */
const char *bf_sim_nic_bdf(const struct bf_sim_nic *n);

/* Config space as pread/pwrite see it: len bytes at off (off + len <= 4096).
 * While the NIC is powered off or resetting, reads return all ones and
 * writes are dropped, as on the bus. 0 or -EINVAL (out of range). */
int bf_sim_nic_cfg_read(struct bf_sim_nic *n, uint32_t off, void *buf, size_t len);
int bf_sim_nic_cfg_write(struct bf_sim_nic *n, uint32_t off, const void *buf, size_t len);

/* The host waits ns: simulated time on the virtual clock, real time
 * otherwise (the in-process binding's sleep). */
void bf_sim_nic_sleep(struct bf_sim_nic *n, uint64_t ns);

/* Misbehaviour for tests of the host's error paths (all off by default). */
struct bf_sim_nic_quirks {
	bool gw_stuck;            /* the VSEC ADDRESS flag never completes */
	bool sem_stuck;           /* the VSEC semaphore reads as held by someone else */
	unsigned syndrome;        /* != 0: every gateway access ends with this syndrome code */
	bool icmd_stuck;          /* the ICMD busy bit never clears */
	bool icmd_not_ready;      /* static_cfg_not_done stays set */
	unsigned icmd_status;     /* != 0: every ICMD command ends with this status */
	unsigned reg_status;      /* != 0: registers answer with this status ... */
	uint16_t reg_status_id;   /* ... only this one (0 = all) */
	bool reply_garbage;       /* the reply's operation TLV is garbage */
	unsigned mailbox_size;    /* != 0: the ICMD mailbox size the NIC reports */
	bool no_vsec;             /* no vendor capability in the list */
	bool cap_loop;            /* the capability list loops */
	bool hide_virtio_cap;     /* virtio-net emulation is not supported */
};
struct bf_sim_nic_quirks *bf_sim_nic_quirks(struct bf_sim_nic *n);
/* After changing no_vsec or cap_loop: rebuild the config header. */
void bf_sim_nic_quirks_apply(struct bf_sim_nic *n);

/* Counters for tests and benchmarks. */
struct bf_sim_nic_stats {
	uint64_t cfg_reads, cfg_writes;      /* config-space accesses (any size) */
	uint64_t gw_ops;                     /* gateway dword transfers */
	uint64_t sem_violations;             /* gateway used without the VSEC semaphore */
	uint64_t icmd_cmds;                  /* ICMD commands executed */
	uint64_t icmd_sem_violations;        /* ICMD started without its semaphore */
	uint64_t mcda_writes;
};
void bf_sim_nic_stats(const struct bf_sim_nic *n, struct bf_sim_nic_stats *st);

/* What the NIC runs and has pending, and its resets and power cuts. */
struct bf_sim_nic_fw {
	char running[16], pending[16];       /* "" when nothing is pending */
	char psid[17];
	unsigned resets, powercuts;
	bool off;                            /* powered off / resetting now */
	unsigned fsm_state;                  /* MCC control_state */
};
void bf_sim_nic_fw_info(struct bf_sim *s, struct bf_sim_nic_fw *out);

/* The runtime upgrade stages a NIC firmware image (a whole BFSIMFW1 or
 * FS4 image) as a burn would: the firmware's checks (digest, chip, PSID),
 * then the image waits in the other bank for a reset. 0, or -EBADMSG /
 * -EXDEV with the reason in why. */
int bf_sim_nic_stage_image(struct bf_sim *s, const uint8_t *img, size_t len, char *why, size_t cap);
/* The same checks without staging (the offline installer's); the header
 * in *h when h is not NULL. */
int bf_sim_nic_check_image(struct bf_sim *s, const uint8_t *img, size_t len, struct bf_fw_image_hdr *h,
			   char *why, size_t cap);

/* The installer wrote NIC firmware (and reset the NIC): it runs now. */
void bf_sim_nic_sync_installed(struct bf_sim *s);

/* The device loses power: the NIC with it (back NIC_T_POWERCUT later). */
void bf_sim_nic_power_loss(struct bf_sim *s);

/* Called by the simulator (sim.c, state.c). */
void bf_sim_nic_save(struct bf_sim *s);
void bf_sim_nic_free(struct bf_sim *s);

/* bfsim fwimage -o FILE --version X.Y.Z --psid PSID [--chip bf2|bf3] ... */
int bf_sim_cmd_fwimage(int argc, char **argv);

#endif
