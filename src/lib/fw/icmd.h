/* fw/icmd.h - the ICMD mailbox in the VCR space (bf_fw_icmd_*): the command
 * interface the access registers travel through. Facts:
 * doc/firmware.md section 2. */
#ifndef BF_FW_ICMD_H
#define BF_FW_ICMD_H

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

const char *bf_fw_icmd_status_text(unsigned status);

#endif
