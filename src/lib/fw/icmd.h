/* fw/icmd.h - the ICMD mailbox in the VCR space (bf_fw_icmd_*): the command
 * interface the access registers travel through. Facts:
 * doc/firmware.md section 2. */
#ifndef BF_FW_ICMD_H
#define BF_FW_ICMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/pciconf.h"

struct bf_fw_icmd {
	struct bf_fw_pci *pci;
	unsigned space;              /* ICMD (0x3), or PCI_ALL_ICMD (0x103) after a PXIR swap */
	uint32_t max_cmd_size;       /* the mailbox size the device reports */
	uint32_t owner;              /* what we write into the ICMD semaphore (our PID) */
	uint64_t timeout_ns;         /* a command's completion bound (device time; 60 s) */
	uint64_t commands;           /* sent */
	/* A session: the VSEC and ICMD semaphores kept from one command to the
	 * next, for at most hold_ns of device time (0: released after every
	 * command, the default); bf_fw_icmd_end ends it. */
	uint64_t hold_ns;
	bool in_session;
	uint64_t session_t0;
	bool ctrl_known;             /* ctrl is CTRL as it is now (in a session) */
	uint32_t ctrl;
	/* Completion time expected per key (the register id), fitted to what
	 * the device showed: the busy bit is first read after that long, then
	 * in steps that start at a sixteenth of it and double. */
	uint32_t key;
	struct { uint32_t key; uint64_t ns; } expect[8];
	uint64_t polls;              /* busy-bit reads made */
};

/* Read the mailbox size; check the interface is there. 0 or -errno with a
 * sentence (-ENOTSUP no ICMD space, -EPROTO implausible mailbox). */
int bf_fw_icmd_open(struct bf_fw_icmd *ic, struct bf_fw_pci *p);

/* Send one command: buf holds wsize bytes (big-endian register layout,
 * written to the mailbox as dwords), and on return rsize bytes of the
 * reply. Takes and releases the ICMD semaphore; polls the busy bit with
 * back-off, bounded by timeout_ns. 0 or -errno with a sentence: -EBUSY
 * (not ready, semaphore, busy before go), -ETIMEDOUT (busy stuck), -EIO
 * (ICMD status != 0, with the syndrome), -E2BIG, -ENODEV. */
int bf_fw_icmd_send(struct bf_fw_icmd *ic, uint16_t opcode, uint8_t *buf, size_t wsize, size_t rsize);

/* How long a session gives the semaphores back for, every hold_ns. */
#define BF_FW_ICMD_YIELD_NS 2000000ull

/* End a session: release the ICMD and VSEC semaphores if held. */
void bf_fw_icmd_end(struct bf_fw_icmd *ic);

const char *bf_fw_icmd_status_text(unsigned status);

#endif
