/* fw/icmd.c - ICMD over the VCR space (spec 2.2-2.4). */
#include "config.h"
#include "fw/icmd.h"
#include "fw/layout.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
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
		if (v && kill((pid_t)v, 0) < 0 && errno == ESRCH) {
			/* Tools write their PID: this one is gone. */
			bf_info("%s: ICMD semaphore held by PID %u, which is gone: taking it over", ic->pci->name, v);
			if ((r = bf_fw_pci_write4(ic->pci, BF_FW_AS_SEMAPHORE, SEM_ICMD, 0)) < 0)
				return r;
			continue;
		}
		/* Let the other holder work: give its semaphore back meanwhile. */
		bf_fw_pci_release(ic->pci);
		bf_fw_pci_sleep(ic->pci, (uint64_t)(1 + (ic->owner + i) % 50) * 1000000u);
		if ((r = bf_fw_pci_hold(ic->pci)) < 0)
			return r;
	}
	return bf_error_ret(EBUSY, "the ICMD semaphore of %s is held by %u (another tool is using the device)",
			    ic->pci->name, v);
}

static void sem_release(struct bf_fw_icmd *ic)
{
	bf_fw_pci_write4(ic->pci, BF_FW_AS_SEMAPHORE, SEM_ICMD, 0);
}

/* Start a session: the VSEC semaphore, the interface ready, the ICMD
 * semaphore. */
static int session_start(struct bf_fw_icmd *ic)
{
	uint32_t v;
	int r;

	if ((r = bf_fw_pci_hold(ic->pci)) < 0)
		return r;
	if ((r = bf_fw_pci_read4(ic->pci, BF_FW_AS_CR, CR_CFG_NOT_DONE, &v)) < 0)
		goto fail;
	if (v & BF_FW_CR_CFG_NOT_DONE_BIT) {
		r = bf_error_ret(EBUSY, "the firmware of %s is not ready for commands (static_cfg_not_done): "
				 "it is still booting; retry in a few seconds", ic->pci->name);
		goto fail;
	}
	if ((r = sem_take(ic)) < 0)
		goto fail;
	ic->in_session = true;
	ic->ctrl_known = false;
	ic->session_t0 = bf_fw_pci_now(ic->pci);
	return 0;
fail:
	bf_fw_pci_release(ic->pci);
	return r;
}

void bf_fw_icmd_end(struct bf_fw_icmd *ic)
{
	if (!ic->in_session)
		return;
	sem_release(ic);
	bf_fw_pci_release(ic->pci);
	ic->in_session = false;
	ic->ctrl_known = false;
}

static uint64_t *expect_slot(struct bf_fw_icmd *ic)
{
	size_t i, n = sizeof(ic->expect) / sizeof(ic->expect[0]);

	for (i = 0; i < n; i++)
		if (ic->expect[i].key == ic->key && ic->expect[i].ns)
			return &ic->expect[i].ns;
	for (i = 0; i < n && ic->expect[i].ns; i++)
		;
	if (i == n)
		i = ic->key % n;
	ic->expect[i].key = ic->key;
	ic->expect[i].ns = 10000;   /* nothing seen yet: 10 us */
	return &ic->expect[i].ns;
}

/* Wait for busy to clear: the first read after the expected time, then
 * steps from a sixteenth of it, doubling up to 8 ms, within timeout_ns.
 * The expectation follows the device: down by an eighth when the first
 * read found it done, up to what it took when it did not. */
static int wait_done(struct bf_fw_icmd *ic, uint16_t opcode, uint32_t *ctrl)
{
	uint64_t *exp = expect_slot(ic), t0 = bf_fw_pci_now(ic->pci), step, now;
	unsigned polls = 0;
	int r;

	step = *exp / 16 ? *exp / 16 : 1000;
	bf_fw_pci_sleep(ic->pci, *exp);
	for (;;) {
		polls++;
		ic->polls++;
		if ((r = bf_fw_pci_read4(ic->pci, ic->space, VCR_CTRL, ctrl)) < 0)
			return r;
		now = bf_fw_pci_now(ic->pci);
		if (!(*ctrl & CTRL_BUSY))
			break;
		if (now - t0 > ic->timeout_ns)
			return bf_error_ret(ETIMEDOUT, "ICMD command 0x%04x on %s did not complete: the busy bit stayed set "
					    "for %.0f s (%u polls)", opcode, ic->pci->name, (double)ic->timeout_ns / 1e9, polls);
		bf_fw_pci_sleep(ic->pci, step);
		if (step < 8000000)
			step *= 2;
	}
	if (polls == 1)
		*exp -= *exp / 8;
	else
		*exp = now - t0;
	if (*exp < 1000)
		*exp = 1000;
	return 0;
}

static int command(struct bf_fw_icmd *ic, uint16_t opcode, uint8_t *buf, size_t wsize, size_t rsize)
{
	uint32_t words[0x1000 / 4], ctrl, v;
	size_t nw = (wsize + 3) / 4, nr = (rsize + 3) / 4, i;
	int r;

	ic->commands++;
	if (!ic->ctrl_known && (r = bf_fw_pci_read4(ic->pci, ic->space, VCR_CTRL, &ic->ctrl)) < 0)
		return r;
	ic->ctrl_known = false;
	if (ic->ctrl & CTRL_BUSY)
		return bf_error_ret(EBUSY, "the ICMD interface of %s was busy before the command was started", ic->pci->name);
	/* The opcode, unless CTRL has it already. */
	ctrl = (ic->ctrl & 0xffffu & ~CTRL_EXMB & ~CTRL_BUSY) | (uint32_t)opcode << BF_FW_VCR_CTRL_OPCODE_SHIFT;
	if (ctrl != ic->ctrl && (r = bf_fw_pci_write4(ic->pci, ic->space, VCR_CTRL, ctrl)) < 0)
		return r;
	memset(words, 0, nw * 4);
	for (i = 0; i < wsize; i++)
		words[i / 4] |= (uint32_t)buf[i] << (24 - 8 * (i % 4));
	if ((r = bf_fw_pci_write_block(ic->pci, ic->space, VCR_MBOX, words, nw)) < 0 ||
	    (r = bf_fw_pci_write4(ic->pci, ic->space, VCR_CTRL, ctrl | CTRL_BUSY)) < 0 ||
	    (r = wait_done(ic, opcode, &ctrl)) < 0)
		return r;
	ic->ctrl = ctrl;
	ic->ctrl_known = true;
	if ((ctrl >> BF_FW_VCR_CTRL_STATUS_SHIFT) & 0xff) {
		unsigned st = (ctrl >> BF_FW_VCR_CTRL_STATUS_SHIFT) & 0xff;

		v = 0;
		bf_fw_pci_read4(ic->pci, ic->space, VCR_SYNDROME, &v);
		return bf_error_ret(EIO, "ICMD command 0x%04x on %s failed: status %u (%s), syndrome 0x%06x", opcode,
				    ic->pci->name, st, bf_fw_icmd_status_text(st), v & 0xffffff);
	}
	if (nr && (r = bf_fw_pci_read_block(ic->pci, ic->space, VCR_MBOX, words, nr)) < 0)
		return r;
	for (i = 0; i < rsize; i++)
		buf[i] = (uint8_t)(words[i / 4] >> (24 - 8 * (i % 4)));
	return 0;
}

int bf_fw_icmd_send(struct bf_fw_icmd *ic, uint16_t opcode, uint8_t *buf, size_t wsize, size_t rsize)
{
	int r;

	if (wsize > ic->max_cmd_size || rsize > ic->max_cmd_size || ic->max_cmd_size > 0x1000)
		return bf_error_ret(E2BIG, "an ICMD command of %zu/%zu bytes does not fit the %u-byte mailbox of %s",
				    wsize, rsize, ic->max_cmd_size, ic->pci->name);
	if (!ic->in_session && (r = session_start(ic)) < 0)
		return r;
	r = command(ic, opcode, buf, wsize, rsize);
	/* Give the semaphores back after an error, at the end of a command
	 * outside a burn, and at least every hold_ns within one. */
	if (r < 0 || !ic->hold_ns) {
		bf_fw_icmd_end(ic);
	} else if (bf_fw_pci_now(ic->pci) - ic->session_t0 > ic->hold_ns) {
		/* Long enough: let other tools in (they look every 1 ms). */
		bf_fw_icmd_end(ic);
		bf_fw_pci_sleep(ic->pci, BF_FW_ICMD_YIELD_NS);
	}
	return r;
}
