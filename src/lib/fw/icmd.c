/* fw/icmd.c - ICMD over the VCR space (spec 2.2-2.4). */
#include "config.h"
#include "fw/icmd.h"
#include "fw/layout.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VCR_CTRL        BF_FW_VCR_CTRL
#define VCR_MBOX_SIZE   BF_FW_VCR_MBOX_SIZE
#define VCR_SYNDROME    BF_FW_VCR_SYNDROME
#define VCR_MBOX        BF_FW_VCR_MBOX
#define CR_CFG_NOT_DONE BF_FW_CR_CFG_NOT_DONE
#define SEM_ICMD        BF_FW_SEM_ICMD
#define CTRL_BUSY       BF_FW_VCR_CTRL_BUSY
#define CTRL_EXMB       BF_FW_VCR_CTRL_EXMB
#define SEM_TRIES       256

const char *bf_fw_icmd_status_text(unsigned st)
{
	static const char *const t[] = { "OK", "invalid opcode", "invalid command", "operational error",
					 "bad parameter", "busy", "ICM not available", "write protect" };

	return st < sizeof(t) / sizeof(t[0]) ? t[st] : "unknown status";
}

int bf_fw_icmd_open(struct bf_fw_icmd *ic, struct bf_fw_pci *p)
{
	uint32_t v;
	int r;

	memset(ic, 0, sizeof(*ic));
	ic->pci = p;
	ic->space = BF_FW_AS_ICMD;
	ic->owner = (uint32_t)getpid();
	ic->timeout_ns = 60ull * 1000000000u;
	if (!bf_fw_pci_space_ok(p, BF_FW_AS_ICMD))
		return bf_error_ret(ENOTSUP, "%s does not offer the ICMD space through its VSEC", p->name);
	if ((r = bf_fw_pci_read4(p, ic->space, VCR_MBOX_SIZE, &v)) < 0)
		return r;
	if (v < BF_FW_AR_HDR_SIZE + 16 || v > 0x100000 || (v & 3))
		return bf_error_ret(EPROTO, "%s reports an ICMD mailbox of %u bytes: not plausible", p->name, v);
	ic->max_cmd_size = v;
	return 0;
}

static int sem_take(struct bf_fw_icmd *ic)
{
	uint32_t v = 0;
	unsigned i;
	int r;

	for (i = 0; i < SEM_TRIES; i++) {
		if ((r = bf_fw_pci_write4(ic->pci, BF_FW_AS_SEMAPHORE, SEM_ICMD, ic->owner)) < 0 ||
		    (r = bf_fw_pci_read4(ic->pci, BF_FW_AS_SEMAPHORE, SEM_ICMD, &v)) < 0)
			return r;
		if (v == ic->owner)
			return 0;
		bf_fw_pci_sleep(ic->pci, (uint64_t)(1 + (ic->owner + i) % 50) * 1000000u);
	}
	return bf_error_ret(EBUSY, "the ICMD semaphore of %s is held by %u (another tool, or one that died "
			    "holding it)", ic->pci->name, v);
}

static void sem_release(struct bf_fw_icmd *ic)
{
	bf_fw_pci_write4(ic->pci, BF_FW_AS_SEMAPHORE, SEM_ICMD, 0);
}

int bf_fw_icmd_send(struct bf_fw_icmd *ic, uint16_t opcode, uint8_t *buf, size_t wsize, size_t rsize)
{
	uint32_t words[0x1000 / 4], ctrl, v;
	size_t nw = (wsize + 3) / 4, nr = (rsize + 3) / 4, i;
	uint64_t t0, sleep_ms = 1;
	unsigned polls = 0;
	int r;

	if (wsize > ic->max_cmd_size || rsize > ic->max_cmd_size || ic->max_cmd_size > sizeof(words))
		return bf_error_ret(E2BIG, "an ICMD command of %zu/%zu bytes does not fit the %u-byte mailbox of %s",
				    wsize, rsize, ic->max_cmd_size, ic->pci->name);
	if ((r = bf_fw_pci_read4(ic->pci, BF_FW_AS_CR, CR_CFG_NOT_DONE, &v)) < 0)
		return r;
	if (v >> 31)
		return bf_error_ret(EBUSY, "the firmware of %s is not ready for commands (static_cfg_not_done): "
				    "it is still booting; retry in a few seconds", ic->pci->name);
	if ((r = sem_take(ic)) < 0)
		return r;
	ic->commands++;
	if ((r = bf_fw_pci_read4(ic->pci, ic->space, VCR_CTRL, &ctrl)) < 0 ||
	    (r = bf_fw_pci_write4(ic->pci, ic->space, VCR_CTRL,
				  (ctrl & 0xffffu & ~CTRL_EXMB & ~CTRL_BUSY) | (uint32_t)opcode << 16)) < 0)
		goto out;
	memset(words, 0, nw * 4);
	for (i = 0; i < wsize; i++)
		words[i / 4] |= (uint32_t)buf[i] << (24 - 8 * (i % 4));
	if ((r = bf_fw_pci_write_block(ic->pci, ic->space, VCR_MBOX, words, nw)) < 0 ||
	    (r = bf_fw_pci_read4(ic->pci, ic->space, VCR_CTRL, &ctrl)) < 0)
		goto out;
	if (ctrl & CTRL_BUSY) {
		r = bf_error_ret(EBUSY, "the ICMD interface of %s was busy before the command was started", ic->pci->name);
		goto out;
	}
	if ((r = bf_fw_pci_write4(ic->pci, ic->space, VCR_CTRL, ctrl | CTRL_BUSY)) < 0)
		goto out;
	/* Poll busy: five at once, then sleeping 1, 2, 4, 8, 8 ... ms, within
	 * timeout_ns of device time. */
	t0 = bf_fw_pci_now(ic->pci);
	for (;;) {
		if ((r = bf_fw_pci_read4(ic->pci, ic->space, VCR_CTRL, &ctrl)) < 0)
			goto out;
		if (!(ctrl & CTRL_BUSY))
			break;
		if (bf_fw_pci_now(ic->pci) - t0 > ic->timeout_ns) {
			r = bf_error_ret(ETIMEDOUT, "ICMD command 0x%04x on %s did not complete: the busy bit stayed set "
					 "for %.0f s (%u polls)", opcode, ic->pci->name, (double)ic->timeout_ns / 1e9, polls);
			goto out;
		}
		if (++polls > 5) {
			bf_fw_pci_sleep(ic->pci, sleep_ms * 1000000u);
			if (sleep_ms < 8)
				sleep_ms *= 2;
		}
	}
	if ((ctrl >> 8) & 0xff) {
		unsigned st = (ctrl >> 8) & 0xff;

		v = 0;
		bf_fw_pci_read4(ic->pci, ic->space, VCR_SYNDROME, &v);
		r = bf_error_ret(EIO, "ICMD command 0x%04x on %s failed: status %u (%s), syndrome 0x%06x", opcode,
				 ic->pci->name, st, bf_fw_icmd_status_text(st), v & 0xffffff);
		goto out;
	}
	if (nr && (r = bf_fw_pci_read_block(ic->pci, ic->space, VCR_MBOX, words, nr)) < 0)
		goto out;
	for (i = 0; i < rsize; i++)
		buf[i] = (uint8_t)(words[i / 4] >> (24 - 8 * (i % 4)));
out:
	sem_release(ic);
	return r;
}
