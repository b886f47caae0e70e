/* nic_fsm.c - the simulated NIC's components and its component-update state
 * machine (spec 3.4-3.7, 6.4, 6.7): MCQS, MCQI, MCC, MCDA. The image goes
 * into the inactive flash bank; VERIFY_COMPONENT checks it (format: FS4 or
 * the simulator's BFSIMFW1, digest, chip, PSID); ACTIVATE makes it the one the next reset runs; until then
 * the running image stays active, and a second update is refused
 * (BLOCKED_PENDING_RESET). A power cut at any phase (fault
 * powercut-during=lock|mcda|verify|activate) loses what was in flight and
 * leaves the old image running. */
#include "config.h"
#include "nic_int.h"
#include "fw/image.h"

#include <stdlib.h>
#include <string.h>

/* The component list: not in a fixed order, as on hardware (the host must
 * walk it and map identifiers to indexes). */
static const struct { uint16_t id; uint8_t status; } comps[] = {
	{ BF_FW_COMP_CS_TOKEN, BF_FW_CS_NOT_PRESENT },
	{ BF_FW_COMP_BOOT_IMG, BF_FW_CS_IN_USE },
	{ BF_FW_COMP_DBG_TOKEN, BF_FW_CS_NOT_PRESENT },
	{ BF_FW_COMP_MLNX_NVCONFIG, BF_FW_CS_PRESENT },
};
#define NCOMPS (sizeof(comps) / sizeof(comps[0]))
#define BOOT_INDEX 1
#define OWNER_ICMD 5

void bf_sim_nic_fsm_reset(struct nic_core *c)
{
	c->fsm = BF_FW_FSM_IDLE;
	c->fsm_err = 0;
	c->handle = 0;
	c->owner = 0;
	c->received = 0;
	c->comp_size = 0;
	c->verified = false;
	c->upload = -1;
	free(c->upd);
	c->upd = NULL;
}

void bf_sim_nic_fsm_tick(struct nic_core *c, double now)
{
	if (c->fsm == BF_FW_FSM_INITIALIZE && now >= c->init_done_t)
		c->fsm = BF_FW_FSM_DOWNLOAD;
}

/* A power cut now, if the fault asks for one at this phase (once). */
static bool cut(struct nic_core *c, unsigned phase)
{
	if (c->powercut != phase)
		return false;
	c->powercut = 0;
	bf_sim_nic_power_cut(c);
	return true;
}

int bf_sim_nic_reg_mcqs(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct nic_core *c = n->core;
	struct bf_fw_mcqs m;
	unsigned i;

	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mcqs_layout, p, &m);
	i = m.component_index;
	if (i >= NCOMPS)
		return 0x7;
	memset(&m, 0, sizeof(m));
	m.component_index = (uint16_t)i;
	m.identifier = comps[i].id;
	m.component_status = comps[i].status;
	m.last_index_flag = i == NCOMPS - 1;
	if (i == BOOT_INDEX) {
		if (c->pending >= 0)
			m.component_update_state = BF_FW_CUS_ACTIVE_PENDING_RESET;
		else if (c->fsm != BF_FW_FSM_IDLE)
			m.component_update_state = BF_FW_CUS_IN_PROGRESS;
		m.last_update_state_changer_type = c->pending >= 0 ? OWNER_ICMD : 0;
	}
	bf_fw_pack(&bf_fw_mcqs_layout, &m, p);
	return 0;
}

/* The whole info blob of (component, info type); MCQI returns a window. */
static int mcqi_info(struct nic_core *c, unsigned idx, unsigned type, bool pending, uint8_t *blob, size_t *len)
{
	const struct nic_bank *k = &c->bank[c->active];

	if (idx >= NCOMPS)
		return 0x7;
	if (type == BF_FW_MCQI_CAPABILITIES) {
		/* Every component reports its capabilities (hosts walk them
		 * all, a token that is not present included). */
		struct bf_fw_mcqi_cap cap = { 0 };

		cap.mcda_max_write_size = BF_FW_MCDA_DATA_MAX;
		cap.log_mcda_word_size = 2;
		if (idx == BOOT_INDEX) {
			cap.supported_info_bitmask = 1u << 1 | 1u << 5;
			cap.component_size = pending && c->pending >= 0 ? c->bank[c->pending].size : k->size;
			cap.rd_en = 1;   /* READ_COMPONENT: mstflint's verify reads it back */
			cap.max_component_size = NIC_MAX_COMPONENT;
			cap.match_psid = 1;
			cap.match_chip_id = 1;
		} else {
			cap.max_component_size = 0x10000;
		}
		bf_fw_pack(&bf_fw_mcqi_cap_layout, &cap, blob);
		*len = bf_fw_mcqi_cap_layout.size;
		return 0;
	}
	if (idx != BOOT_INDEX)
		return 0x7;
	switch (type) {
	case BF_FW_MCQI_CAPABILITIES: {
		struct bf_fw_mcqi_cap cap = { 0 };

		bf_fw_pack(&bf_fw_mcqi_cap_layout, &cap, blob);
		*len = bf_fw_mcqi_cap_layout.size;
		return 0;
	}
	case BF_FW_MCQI_VERSION: {
		struct bf_fw_mcqi_version v;

		if (pending) {
			if (c->pending < 0)
				return 0x8;   /* nothing pending */
			k = &c->bank[c->pending];
		}
		memset(&v, 0, sizeof(v));
		v.version = k->version;
		v.build_time_valid = 1;
		v.bt_year = (uint16_t)(k->date_bcd >> 16);
		v.bt_month = (uint8_t)(k->date_bcd >> 8);
		v.bt_day = (uint8_t)k->date_bcd;
		v.bt_hours = 0x12;
		v.version_string_length = (uint8_t)strnlen(k->product, 16);
		memcpy(v.version_string, k->product, v.version_string_length);
		bf_fw_pack(&bf_fw_mcqi_version_layout, &v, blob);
		*len = bf_fw_mcqi_version_layout.size;
		return 0;
	}
	case BF_FW_MCQI_ACTIVATION_METHOD: {
		struct bf_fw_mcqi_activation a = { .pending_fw_reset = 1 };

		bf_fw_pack(&bf_fw_mcqi_activation_layout, &a, blob);
		*len = bf_fw_mcqi_activation_layout.size;
		return 0;
	}
	default:
		return 0x7;
	}
}

int bf_sim_nic_reg_mcqi(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mcqi m;
	uint8_t blob[256];
	size_t len = 0, k;
	int st;

	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mcqi_layout, p, &m);
	memset(blob, 0, sizeof(blob));
	st = mcqi_info(n->core, m.component_index, m.info_type, m.read_pending_component, blob, &len);
	if (st)
		return st;
	if (m.offset > len)
		return 0x7;
	/* A window larger than the register carries is cut to it (mstflint
	 * asks for 128 bytes at a time). */
	k = len - m.offset < m.data_size ? len - m.offset : m.data_size;
	if (k > BF_FW_MCQI_DATA_MAX)
		k = BF_FW_MCQI_DATA_MAX;
	m.info_size = (uint32_t)len;
	m.data_size = (uint16_t)k;
	memset(m.data, 0, sizeof(m.data));
	memcpy(m.data, blob + m.offset, k);
	bf_fw_pack(&bf_fw_mcqi_layout, &m, p);
	return 0;
}

/* VERIFY_COMPONENT: what the firmware checks (spec 6.7), as an error code. */
static unsigned verify(struct nic_core *c)
{
	struct bf_fw_image_hdr h;
	bool digest;

	/* The same checks as the host's (fw/image.c, fw/fs4.c): a BFSIMFW1
	 * image, or an FS4 image with its magic masked. */
	if (c->received != c->comp_size)
		return 0x8;   /* REJECTED_BAD_FORMAT */
	if (bf_fw_image_component_check(c->upd, c->comp_size, &h, &digest) < 0)
		return digest ? 0x2 : 0x8;   /* REJECTED_DIGEST_ERR, REJECTED_BAD_FORMAT */
	if (!bf_fw_image_for_chip(&h, c->chip->hw_dev_id) || strcmp(h.psid, c->bank[c->active].psid))
		return 0x3;   /* REJECTED_NOT_APPLICABLE (match_chip_id, match_psid) */
	{
		struct nic_bank *k = &c->bank[!c->active];

		bf_sim_nic_flash_commit(c, k, c->upd, c->comp_size);
		c->upd = NULL;

		k->valid = true;
		k->hw_dev_id = c->chip->hw_dev_id;
		k->version = h.version;
		k->date_bcd = h.date_bcd;
		k->size = c->comp_size;
		k->crc = h.payload_crc;
		memcpy(k->psid, h.psid, sizeof(k->psid));
		memcpy(k->product, h.product, sizeof(k->product));
	}
	return 0;
}

static void drop_update(struct nic_core *c)
{
	free(c->upd);
	c->upd = NULL;
	c->received = 0;
	c->verified = false;
}

#define MCC_REPLY (-1)   /* done: status 0, the reply shows the new state */

/* UPDATE_COMPONENT: the inactive bank erased for a component of the
 * given size, or the reason it is not (in the reply's error code). */
static int mcc_update_component(struct nic_core *c, const struct bf_fw_mcc *m, double now)
{
	if (c->fsm != BF_FW_FSM_LOCKED)
		return 0x7;
	c->fsm_err = 0;
	if (m->component_index != BOOT_INDEX) {
		c->fsm_err = 0x3;
	} else if (c->pending >= 0) {
		c->fsm_err = 0x9;   /* BLOCKED_PENDING_RESET */
	} else if (!m->component_size || m->component_size > NIC_MAX_COMPONENT) {
		c->fsm_err = 0x1E;  /* FW_BURN_REJECTED_NO_PLACE */
	} else {
		drop_update(c);
		c->upd = calloc(1, m->component_size);
		if (!c->upd) {
			c->fsm_err = 0x18;
			return MCC_REPLY;
		}
		c->comp_size = m->component_size;
		c->bank[!c->active].valid = false;   /* erased */
		bf_sim_nic_bank_drop(&c->bank[!c->active]);
		c->fsm = BF_FW_FSM_INITIALIZE;
		c->init_done_t = now + 0.02 + (double)m->component_size / NIC_ERASE_BPS;
	}
	return MCC_REPLY;
}

/* VERIFY_COMPONENT and ACTIVATE: their time goes to exec; a power cut
 * modelled at either leaves no reply. */
static int mcc_verify(struct nic_core *c, double *exec)
{
	if (c->fsm != BF_FW_FSM_DOWNLOAD)
		return 0x7;
	if (cut(c, BF_SIM_POWERCUT_VERIFY))
		return 0;
	*exec += (double)c->comp_size / NIC_VERIFY_BPS;
	c->fsm_err = verify(c);
	c->verified = c->fsm_err == 0;
	c->fsm = BF_FW_FSM_LOCKED;
	free(c->upd);
	c->upd = NULL;
	return MCC_REPLY;
}

static int mcc_activate(struct nic_core *c, double *exec)
{
	if (c->fsm != BF_FW_FSM_LOCKED || !c->verified)
		return 0x7;
	if (cut(c, BF_SIM_POWERCUT_ACTIVATE))
		return 0;
	*exec += NIC_T_ACTIVATE;
	c->pending = !c->active;   /* the commit: one store */
	c->verified = false;
	c->fsm_err = 0;
	return MCC_REPLY;
}

/* READ_COMPONENT / READ_PENDING_COMPONENT: the bank to upload. */
static int mcc_read(struct nic_core *c, unsigned ins)
{
	int bank = ins == BF_FW_MCC_READ_COMPONENT ? c->active : c->pending;

	if (c->fsm != BF_FW_FSM_LOCKED)
		return 0x7;
	c->fsm_err = 0;
	if (bank < 0 || !c->bank[bank].valid || !c->bank[bank].img) {
		c->fsm_err = 0x1;   /* nothing to read */
		return MCC_REPLY;
	}
	c->upload = bank;
	c->fsm = BF_FW_FSM_UPLOAD;
	return MCC_REPLY;
}

/* One instruction written: a status to return at once, or MCC_REPLY. */
static int mcc_set(struct nic_core *c, const struct bf_fw_mcc *m, double now, double *exec)
{
	unsigned ins = m->instruction;

	if (ins != BF_FW_MCC_LOCK_UPDATE_HANDLE && ins != BF_FW_MCC_FORCE_HANDLE_RELEASE &&
	    (c->fsm == BF_FW_FSM_IDLE || m->update_handle != c->handle))
		return 0x7;   /* no such update handle */
	c->last_cmd_t = now;
	switch (ins) {
	case BF_FW_MCC_LOCK_UPDATE_HANDLE:
		if (c->fsm != BF_FW_FSM_IDLE)
			break;   /* somebody holds it: the reply shows who */
		if (cut(c, BF_SIM_POWERCUT_LOCK))
			return 0;
		c->fsm = BF_FW_FSM_LOCKED;
		c->fsm_err = 0;
		c->handle = m->update_handle ? m->update_handle & 0xffffff : c->next_handle;
		c->owner = OWNER_ICMD;
		break;
	case BF_FW_MCC_RELEASE_UPDATE_HANDLE:
	case BF_FW_MCC_FORCE_HANDLE_RELEASE:
		drop_update(c);
		bf_sim_nic_fsm_reset(c);
		break;
	case BF_FW_MCC_UPDATE_COMPONENT:
		return mcc_update_component(c, m, now);
	case BF_FW_MCC_VERIFY_COMPONENT:
		return mcc_verify(c, exec);
	case BF_FW_MCC_ACTIVATE:
		return mcc_activate(c, exec);
	case BF_FW_MCC_READ_COMPONENT:
	case BF_FW_MCC_READ_PENDING_COMPONENT:
		return mcc_read(c, ins);
	case BF_FW_MCC_CANCEL:
		drop_update(c);
		c->fsm = BF_FW_FSM_LOCKED;
		c->fsm_err = 0;
		break;
	case BF_FW_MCC_CHECK_UPDATE_HANDLE:
		break;
	default:
		return 0x6;
	}
	return MCC_REPLY;
}

/* The register as read back: the state machine, its error, the owner, and
 * a new handle proposed to a GET from an idle device. */
static void mcc_reply(struct nic_core *c, int method, uint32_t proposal, double now, uint8_t *p)
{
	double el = now - c->last_cmd_t;
	struct bf_fw_mcc m;

	memset(&m, 0, sizeof(m));
	m.control_state = (uint8_t)c->fsm;
	m.error_code = (uint8_t)c->fsm_err;
	m.control_progress = 101;
	m.handle_owner_type = (uint8_t)c->owner;
	m.component_index = c->fsm != BF_FW_FSM_IDLE ? BOOT_INDEX : 0;
	m.time_elapsed_since_last_cmd = (uint16_t)(el > 0xfff ? 0xfff : el < 0 ? 0 : el);
	if (c->fsm != BF_FW_FSM_IDLE)
		m.update_handle = c->handle;
	else if (method == BF_FW_METHOD_GET && !proposal)
		m.update_handle = c->next_handle = (c->next_handle + 0x101) & 0xffffff;
	bf_fw_pack(&bf_fw_mcc_layout, &m, p);
}

int bf_sim_nic_reg_mcc(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct nic_core *c = n->core;
	double now = bf_sim_nic_now(c);
	struct bf_fw_mcc m;
	int r;

	bf_fw_unpack(&bf_fw_mcc_layout, p, &m);
	if (method == BF_FW_METHOD_SET) {
		if ((r = mcc_set(c, &m, now, exec)) != MCC_REPLY)
			return r;
	} else if (method != BF_FW_METHOD_GET) {
		return 0x6;
	}
	mcc_reply(c, method, m.update_handle, now, p);
	return 0;
}

/* MCDA GET in UPLOAD: a window of the bank READ_COMPONENT chose. */
static int mcda_read(struct nic_core *c, struct bf_fw_mcda *m, uint8_t *p, double *exec)
{
	const struct nic_bank *k;

	if (c->fsm != BF_FW_FSM_UPLOAD || m->update_handle != c->handle || c->upload < 0)
		return 0x7;
	k = &c->bank[c->upload];
	if (!k->img || m->size > BF_FW_MCDA_DATA_MAX || m->offset > k->size || m->size > k->size - m->offset)
		return 0x7;
	bf_fw_mcda_put(m, k->img + m->offset, m->size);
	bf_fw_pack(&bf_fw_mcda_layout, m, p);
	c->last_cmd_t = bf_sim_nic_now(c);
	*exec += (double)m->size / NIC_READ_BPS;
	return 0;
}

int bf_sim_nic_reg_mcda(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct nic_core *c = n->core;
	struct bf_fw_mcda m;

	bf_fw_unpack(&bf_fw_mcda_layout, p, &m);
	if (method == BF_FW_METHOD_GET)
		return mcda_read(c, &m, p, exec);
	if (method != BF_FW_METHOD_SET)
		return 0x6;
	if (c->fsm != BF_FW_FSM_DOWNLOAD || m.update_handle != c->handle || !c->upd ||
	    m.size > BF_FW_MCDA_DATA_MAX || m.offset > c->comp_size || m.size > c->comp_size - m.offset)
		return 0x7;
	if (m.offset >= c->comp_size / 2 && cut(c, BF_SIM_POWERCUT_MCDA))
		return 0;
	n->st.mcda_writes++;
	bf_fw_mcda_get(&m, c->upd + m.offset, m.size);
	if (m.offset + m.size > c->received)
		c->received = m.offset + m.size;
	c->last_cmd_t = bf_sim_nic_now(c);
	*exec += (double)m.size / NIC_FLASH_BPS;
	return 0;
}
