/* fw/burn.c - the MCC component-update burn (spec 6.3-6.7). */
#include "config.h"
#include "fw/burn.h"
#include "fw/reg.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEM_FLASH          BF_FW_SEM_FLASH
#define SEM_FLASH_TRIES    40
#define MCC_BUSY_RETRIES   3000          /* status 0x8: resent 80 ms apart */
#define MCC_BUSY_NS        80000000ull
#define INIT_POLL_NS       20000000ull   /* INITIALIZE polled every 20 ms ... */
#define INIT_TIMEOUT_NS    720000000000ull /* ... up to 720 s */
#define HOLD_NS            200000000ull  /* semaphores kept across commands for up to 200 ms */
#define OWNER_ICMD         5

static const char *const phase_names[] = { "lock", "initialize", "data", "verify", "activate", "release", "done" };

const char *bf_fw_burn_phase_name(enum bf_fw_burn_phase p)
{
	return (unsigned)p < sizeof(phase_names) / sizeof(phase_names[0]) ? phase_names[p] : "?";
}

uint32_t bf_fw_burn_chunk(uint32_t max_cmd_size)
{
	uint32_t room = max_cmd_size > BF_FW_AR_HDR_SIZE + 0x10 ? max_cmd_size - BF_FW_AR_HDR_SIZE - 0x10 : 0;

	room &= ~3u;
	return room < BF_FW_MCDA_DATA_MAX ? room : BF_FW_MCDA_DATA_MAX;
}

int bf_fw_burn_check(struct bf_fw_dev *d, const uint8_t *img, size_t len, bool allow_psid_change,
		     struct bf_fw_image_hdr *h, char dev_psid[17])
{
	struct bf_fw_mgir m;
	size_t i;
	int r;

	if ((r = bf_fw_image_check(img, len, h)) < 0)
		return r;
	if ((r = bf_fw_dev_mgir(d, &m)) < 0)
		return r;
	for (i = 0; i < 16 && m.psid[i]; i++)
		dev_psid[i] = m.psid[i] >= 0x20 && m.psid[i] < 0x7f ? m.psid[i] : '?';
	dev_psid[i] = '\0';
	if (!bf_fw_image_for_chip(h, d->hw_id)) {
		const struct bf_fw_devtype *it = bf_fw_devtype_by_hw(h->hw_dev_id);

		if (!h->nhw)
			return bf_error_ret(EINVAL, "the image names no chip it is for (no supported HW id in its "
					    "IMAGE_INFO): not burning it into %s", d->name);
		return bf_error_ret(EINVAL, "the image is for a %s (HW id 0x%x), %s is a %s (0x%x)",
				    it ? it->long_name : "another chip", h->hw_dev_id, d->name,
				    d->type ? d->type->long_name : "different chip", d->hw_id);
	}
	if (!h->is_signed)
		return bf_error_ret(EINVAL, "the image is not signed (its IMAGE_INFO says neither signed-fw nor secure-fw, "
				    "or it has no signature or public keys, or no FW control): the firmware takes only "
				    "signed images through the component update, and bfctl burns only through it");
	if (strcmp(h->psid, dev_psid) && !allow_psid_change)
		return bf_error_ret(EINVAL, "the image is for PSID %s, %s is %s: burning it would change the board's "
				    "identity (use --allow-psid-change only if you mean to)", h->psid, d->name, dev_psid);
	return 0;
}

struct burn {
	struct bf_fw_dev *d;
	const struct bf_fw_burn_opts *o;
	struct bf_fw_burn_result *res;
	uint32_t handle;
	unsigned state;                /* last control_state seen */
	bool locked;                   /* we hold the update handle */
};

static bool stop(const struct burn *b)
{
	return b->o->cancel ? b->o->cancel(b->o->ctx) : bf_stop_requested();
}

static void progress(struct burn *b, enum bf_fw_burn_phase ph, uint64_t done, uint64_t total)
{
	b->res->phase = ph;
	if (b->o->progress)
		b->o->progress(b->o->ctx, ph, done, total);
}

/* One MCC access; SETs answered "resource not available" are resent. */
static int mcc(struct burn *b, int method, unsigned ins, struct bf_fw_mcc *m)
{
	unsigned st, tries;
	int r;

	for (tries = 0;; tries++) {
		struct bf_fw_mcc q = *m;

		q.instruction = (uint8_t)ins;
		q.update_handle = b->handle;
		if ((r = bf_fw_reg(&b->d->icmd, &bf_fw_mcc_layout, method, &q, &st)) < 0)
			return r;
		if (st == 0x8 && method == BF_FW_METHOD_SET && tries < MCC_BUSY_RETRIES) {
			bf_fw_pci_sleep(b->d->pci, MCC_BUSY_NS);
			continue;
		}
		*m = q;
		if (st)
			return bf_error_ret(EREMOTEIO, "MCC %s on %s: %s (register status 0x%x)",
					    ins == BF_FW_MCC_QUERY ? "query" : "command", b->d->name,
					    bf_fw_reg_status_text(st), st);
		b->state = m->control_state;
		return 0;
	}
}

/* An MCC SET whose answer must show state want and no error code. */
static int mcc_expect(struct burn *b, unsigned ins, struct bf_fw_mcc *m, unsigned want, const char *what)
{
	int r = mcc(b, BF_FW_METHOD_SET, ins, m);

	if (r < 0)
		return r;
	if (m->error_code)
		return bf_error_ret(EPROTO, "the firmware of %s refused %s: %s (%s, error 0x%x)", b->d->name, what,
				    bf_fw_mcc_error_text(m->error_code), bf_fw_mcc_error_name(m->error_code), m->error_code);
	if (want != 0xff && m->control_state != want)
		return bf_error_ret(EPROTO, "%s on %s left the update state machine in %s, not %s", what, b->d->name,
				    bf_fw_fsm_state_name(m->control_state), bf_fw_fsm_state_name(want));
	return 0;
}

/* The flash-programming semaphore (spec 6.3): our PID, against other
 * local tools. A holder that no longer exists is taken over. */
static int flash_lock(struct burn *b)
{
	uint32_t me = (uint32_t)getpid(), v = 0;
	unsigned i;
	int r;

	for (i = 0; i < SEM_FLASH_TRIES; i++) {
		if ((r = bf_fw_pci_write4(b->d->pci, BF_FW_AS_SEMAPHORE, SEM_FLASH, me)) < 0 ||
		    (r = bf_fw_pci_read4(b->d->pci, BF_FW_AS_SEMAPHORE, SEM_FLASH, &v)) < 0)
			return r;
		if (v == me)
			return 0;
		if (v && kill((pid_t)v, 0) < 0 && errno == ESRCH) {
			bf_info("%s: flash semaphore held by PID %u, which is gone: taking it over", b->d->name, v);
			if ((r = bf_fw_pci_write4(b->d->pci, BF_FW_AS_SEMAPHORE, SEM_FLASH, 0)) < 0)
				return r;
			continue;
		}
		bf_fw_pci_sleep(b->d->pci, (uint64_t)(1 + (me + i) % 5) * 1000000u);
	}
	return bf_error_ret(EBUSY, "failed to lock the flash semaphore of %s: process %u is updating its firmware", b->d->name, v);
}

static void flash_unlock(struct burn *b)
{
	bf_fw_pci_write4(b->d->pci, BF_FW_AS_SEMAPHORE, SEM_FLASH, 0);
}

/* After a failure: CANCEL then RELEASE (spec 6.6), unless the device is
 * gone (a power cut: it forgot the update by itself). */
static void cleanup(struct burn *b)
{
	struct bf_fw_mcc m = { 0 };
	char keep[512];

	if (!b->locked || b->state == BF_FW_FSM_IDLE || bf_fw_pci_alive(b->d->pci) < 0)
		return;
	snprintf(keep, sizeof(keep), "%s", bf_error_or(""));
	if (!b->res->activated && mcc(b, BF_FW_METHOD_SET, BF_FW_MCC_CANCEL, &m) == 0)
		b->res->cancelled = true;
	memset(&m, 0, sizeof(m));
	mcc(b, BF_FW_METHOD_SET, BF_FW_MCC_RELEASE_UPDATE_HANDLE, &m);
	bf_error_set("%s", keep);
}

static int interrupted(struct burn *b, const char *where)
{
	return bf_error_ret(EINTR, "interrupted during %s: the update was cancelled and the NIC keeps running "
			    "its current firmware", where);
}

static int run(struct burn *b, const uint8_t *img, size_t len)
{
	struct bf_fw_mcc m;
	uint32_t chunk = bf_fw_burn_chunk(b->d->icmd.max_cmd_size);
	uint64_t off, t0;
	int r;

	b->res->chunk = chunk;
	if (chunk < 4)
		return bf_error_ret(E2BIG, "the ICMD mailbox of %s (%u bytes) cannot carry MCDA data", b->d->name,
				    b->d->icmd.max_cmd_size);
	/* 1. The FSM must be idle; an update left by a dead tool of ours
	 *    (owner ICMD, and we hold the flash semaphore) is released. */
	progress(b, BF_FW_BURN_LOCK, 0, len);
	memset(&m, 0, sizeof(m));
	b->handle = 0;
	if ((r = mcc(b, BF_FW_METHOD_GET, BF_FW_MCC_QUERY, &m)) < 0)
		return r;
	if (m.control_state != BF_FW_FSM_IDLE) {
		if (m.handle_owner_type && m.handle_owner_type != OWNER_ICMD)
			return bf_error_ret(EBUSY, "the firmware update of %s is held by another owner (type %u, host %u) "
					    "in state %s: FSM is locked", b->d->name, m.handle_owner_type,
					    m.handle_owner_host_id, bf_fw_fsm_state_name(m.control_state));
		bf_info("%s: releasing an update left in state %s", b->d->name, bf_fw_fsm_state_name(m.control_state));
		memset(&m, 0, sizeof(m));
		if ((r = mcc(b, BF_FW_METHOD_SET, BF_FW_MCC_FORCE_HANDLE_RELEASE, &m)) < 0)
			return r;
		memset(&m, 0, sizeof(m));
		if ((r = mcc(b, BF_FW_METHOD_GET, BF_FW_MCC_QUERY, &m)) < 0)
			return r;
	}
	b->handle = m.update_handle & 0xffffff;
	/* 2. LOCK_UPDATE_HANDLE -> LOCKED. */
	memset(&m, 0, sizeof(m));
	m.component_index = (uint16_t)b->d->boot_index;
	if ((r = mcc_expect(b, BF_FW_MCC_LOCK_UPDATE_HANDLE, &m, BF_FW_FSM_LOCKED, "LOCK_UPDATE_HANDLE")) < 0)
		return r;
	b->locked = true;
	b->handle = m.update_handle & 0xffffff;
	/* 3. UPDATE_COMPONENT, then INITIALIZE until DOWNLOAD. */
	progress(b, BF_FW_BURN_INITIALIZE, 0, len);
	memset(&m, 0, sizeof(m));
	m.component_index = (uint16_t)b->d->boot_index;
	m.component_size = (uint32_t)len;
	if ((r = mcc_expect(b, BF_FW_MCC_UPDATE_COMPONENT, &m, 0xff, "UPDATE_COMPONENT")) < 0)
		return r;
	t0 = bf_fw_pci_now(b->d->pci);
	while (m.control_state == BF_FW_FSM_INITIALIZE && bf_fw_pci_now(b->d->pci) - t0 < INIT_TIMEOUT_NS) {
		if (stop(b))
			return interrupted(b, "initialization");
		bf_fw_pci_sleep(b->d->pci, INIT_POLL_NS);
		memset(&m, 0, sizeof(m));
		if ((r = mcc(b, BF_FW_METHOD_GET, BF_FW_MCC_QUERY, &m)) < 0)
			return r;
	}
	if (m.control_state != BF_FW_FSM_DOWNLOAD)
		return bf_error_ret(m.control_state == BF_FW_FSM_INITIALIZE ? ETIMEDOUT : EPROTO,
				    "%s did not get ready for the image: update state %s%s", b->d->name,
				    bf_fw_fsm_state_name(m.control_state),
				    m.control_state == BF_FW_FSM_INITIALIZE ? " after 720 s" : "");
	/* 4. MCDA: the image in chunks. */
	for (off = 0; off < len; off += chunk) {
		struct bf_fw_mcda d = { .update_handle = b->handle, .offset = (uint32_t)off };
		size_t n = len - off < chunk ? len - off : chunk;

		progress(b, BF_FW_BURN_DATA, off, len);
		if (stop(b))
			return interrupted(b, "the data transfer");
		d.size = (uint16_t)n;
		bf_fw_mcda_put(&d, img + off, n);
		/* Only the status is read back: the data need not return. */
		if ((r = bf_fw_reg_sized(&b->d->icmd, &bf_fw_mcda_layout, BF_FW_METHOD_SET, &d, 0x10 + ((n + 3) & ~3u), 0,
					 NULL)) < 0)
			return r;
	}
	progress(b, BF_FW_BURN_DATA, len, len);
	/* 5. VERIFY_COMPONENT -> LOCKED: the firmware checks the image. */
	progress(b, BF_FW_BURN_VERIFY, len, len);
	if (stop(b))
		return interrupted(b, "verification");
	memset(&m, 0, sizeof(m));
	if ((r = mcc_expect(b, BF_FW_MCC_VERIFY_COMPONENT, &m, BF_FW_FSM_LOCKED, "the image (VERIFY_COMPONENT)")) < 0)
		return r;
	/* 6. ACTIVATE: from here the new image is what the next reset runs. */
	progress(b, BF_FW_BURN_ACTIVATE, len, len);
	if (stop(b))
		return interrupted(b, "activation");
	memset(&m, 0, sizeof(m));
	if ((r = mcc_expect(b, BF_FW_MCC_ACTIVATE, &m, 0xff, "ACTIVATE")) < 0)
		return r;
	b->res->activated = true;
	/* 7. RELEASE_UPDATE_HANDLE. */
	progress(b, BF_FW_BURN_RELEASE, len, len);
	memset(&m, 0, sizeof(m));
	if ((r = mcc_expect(b, BF_FW_MCC_RELEASE_UPDATE_HANDLE, &m, 0xff, "RELEASE_UPDATE_HANDLE")) < 0)
		return r;
	progress(b, BF_FW_BURN_DONE, len, len);
	return 0;
}

int bf_fw_burn(struct bf_fw_dev *d, const uint8_t *img, size_t len, const struct bf_fw_burn_opts *o,
	       struct bf_fw_burn_result *res)
{
	struct bf_fw_image_hdr h;
	struct burn b = { .d = d, .o = o, .res = res };
	uint64_t acc0 = d->pci->accesses, cmd0 = d->icmd.commands;
	uint8_t *comp;
	size_t clen;
	char psid[17];
	int r;

	memset(res, 0, sizeof(*res));
	if (!d->mcc || d->boot_index < 0)
		return bf_error_ret(ENOTSUP, "%s does not offer the firmware component update (MCC): bfctl burns only "
				    "through it", d->name);
	if ((r = bf_fw_burn_check(d, img, len, o->allow_psid_change, &h, psid)) < 0)
		return r;
	if ((r = bf_fw_image_component(img, len, &h, &comp, &clen)) < 0)
		return r;
	if ((r = flash_lock(&b)) < 0) {
		free(comp);
		return r;
	}
	/* Keep the VSEC and ICMD semaphores from one command to the next
	 * (given back every HOLD_NS for other tools). */
	d->icmd.hold_ns = HOLD_NS;
	r = run(&b, comp, clen);
	d->icmd.hold_ns = 0;
	bf_fw_icmd_end(&d->icmd);
	free(comp);
	{
		char why[512];

		snprintf(why, sizeof(why), "%s", bf_error_or(""));
		if (r < 0)
			cleanup(&b);
		flash_unlock(&b);
		if (r == -ENODEV)
			bf_error_set("%s stopped responding during %s (its config space reads all ones): it was reset or "
				     "lost power; %s; check with 'bfctl fw query' and burn again", d->name,
				     bf_fw_burn_phase_name(res->phase),
				     res->phase == BF_FW_BURN_ACTIVATE ?
				     "it comes back on its current firmware, or on the new one if the activation completed" :
				     "the update was not activated, so it comes back on its current firmware");
		else if (r < 0)
			bf_error_set("%s", why);
	}
	res->accesses = d->pci->accesses - acc0;
	res->commands = d->icmd.commands - cmd0;
	return r;
}
