/* nic_icmd.c - the simulated NIC's ICMD mailbox (VCR space, spec 2.2-2.4)
 * and ACCESS_REGISTER (BF_FW_ICMD_ACCESS_REGISTER, spec 2.6): the operation and register
 * TLVs, dispatch to the registers, and the identity and reset registers
 * (MGIR, MCAM, MLOCK, MQIS, MFRL). Every register is packed and unpacked
 * with the tables the host uses (fw/layout.c). */
#include "config.h"
#include "nic_int.h"

#include <string.h>


static int reg_mgir(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct nic_core *c = n->core;
	const struct nic_bank *k = &c->bank[c->active];
	static const uint32_t roms[4] = NIC_ROM_VERSIONS;
	struct bf_fw_mgir m;

	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	memset(&m, 0, sizeof(m));
	m.device_id = c->chip->pci_devid;
	m.hw_dev_id = c->chip->hw_dev_id;
	m.num_ports = 2;
	m.mfg_base_mac_47_32 = (uint16_t)(c->chip->base_mac >> 32);
	m.mfg_base_mac_31_0 = (uint32_t)c->chip->base_mac;
	m.uptime = (uint32_t)(bf_sim_nic_now(c) - c->reset_t);
	m.major = (uint8_t)(k->version >> 24);
	m.minor = (uint8_t)(k->version >> 16);
	m.sub_minor = (uint8_t)k->version;
	m.secured = 1;
	m.signed_fw = 1;
	m.build_id = 0x2c0ffee;
	m.year = (uint16_t)(k->date_bcd >> 16);
	m.month = (uint8_t)(k->date_bcd >> 8);
	m.day = (uint8_t)k->date_bcd;
	memcpy(m.psid, k->psid, strnlen(k->psid, 16));
	m.extended_major = k->version >> 24;
	m.extended_minor = (k->version >> 16) & 0xff;
	m.extended_sub_minor = k->version & 0xffff;
	m.life_cycle = 1;   /* GA secured */
	m.sec_boot = 1;
	/* The chip's list in the order flint prints it: rom3 first. */
	m.rom3_type = c->chip->rom_type[0]; m.rom3_arch = c->chip->rom_arch[0]; m.rom3_version = roms[0];
	m.rom2_type = c->chip->rom_type[1]; m.rom2_arch = c->chip->rom_arch[1]; m.rom2_version = roms[1];
	m.rom1_type = c->chip->rom_type[2]; m.rom1_arch = c->chip->rom_arch[2]; m.rom1_version = roms[2];
	m.rom0_type = c->chip->rom_type[3]; m.rom0_arch = c->chip->rom_arch[3]; m.rom0_version = roms[3];
	bf_fw_pack(&bf_fw_mgir_layout, &m, p);
	return 0;
}

static int reg_mcam(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	static const uint16_t regs[] = {
		BF_FW_REG_MGIR, BF_FW_REG_MNVDA, BF_FW_REG_MNVDI, BF_FW_REG_MFRL, BF_FW_REG_MNVQC,
		BF_FW_REG_MNVIA, BF_FW_REG_MNVGC, BF_FW_REG_MCQS, BF_FW_REG_MCQI, BF_FW_REG_MCC,
		BF_FW_REG_MCDA, BF_FW_REG_MQIS, BF_FW_REG_MCAM, BF_FW_REG_MVTS,
	};
	struct bf_fw_mcam m;
	size_t i;

	(void)n;
	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mcam_layout, p, &m);
	memset(m.access_mask, 0, sizeof(m.access_mask));
	memset(m.feature_mask, 0, sizeof(m.feature_mask));
	if (m.access_reg_group == 0)
		for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
			bf_fw_mcam_set_bit(m.access_mask, regs[i] - 0x9000u);
	if (m.feature_group == 0)
		bf_fw_mcam_set_bit(m.feature_mask, 19);   /* reset by FW-driver sync */
	bf_fw_pack(&bf_fw_mcam_layout, &m, p);
	return 0;
}

static int reg_mlock(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mlock m = { 0 };

	(void)n;
	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_pack(&bf_fw_mlock_layout, &m, p);
	return 0;
}

static int reg_mqis(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct bf_fw_mqis m;
	const char *s;
	size_t len, k;

	(void)exec;
	if (method != BF_FW_METHOD_GET)
		return 0x6;
	bf_fw_unpack(&bf_fw_mqis_layout, p, &m);
	switch (m.info_type) {
	case BF_FW_MQIS_MODEL_NAME: s = n->core->chip->model; break;
	case BF_FW_MQIS_MODEL_DESCRIPTION: s = n->core->chip->description; break;
	case BF_FW_MQIS_IMAGE_VSD:
	case BF_FW_MQIS_DEVICE_VSD: s = ""; break;
	default: return 0x7;
	}
	len = strlen(s);
	if (m.read_offset > len)
		return 0x7;
	k = len - m.read_offset;
	if (k > m.read_length)
		k = m.read_length;
	if (k > sizeof(m.info_string))
		k = sizeof(m.info_string);
	m.info_length = (uint16_t)len;
	m.read_length = (uint16_t)k;
	memset(m.info_string, 0, sizeof(m.info_string));
	memcpy(m.info_string, s + m.read_offset, k);
	bf_fw_pack(&bf_fw_mqis_layout, &m, p);
	return 0;
}

/* MVTS: the firmware keeps no version timestamp (a GET answers all zero,
 * "no valid timestamp"); a SET is taken and forgotten. */
static int reg_mvts(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	(void)n;
	(void)exec;
	if (method != BF_FW_METHOD_GET && method != BF_FW_METHOD_SET)
		return 0x6;
	memset(p, 0, bf_fw_mvts_layout.size);
	return 0;
}

/* Level 3 (PCI link toggle / hot reset) and 4 (warm reboot); level 0 (live
 * patch) when the device has it (bfsim --nic-lfwp yes). */
#define NIC_RESET_LEVELS(c) (0x48u | ((c)->s->cfg.nic_lfwp ? 0x01u : 0u))
#define NIC_RESET_TYPES  0x05   /* full chip, NIC only */

static int reg_mfrl(struct bf_sim_nic *n, int method, uint8_t *p, double *exec)
{
	struct nic_core *c = n->core;
	struct bf_fw_mfrl m;

	(void)exec;
	bf_fw_unpack(&bf_fw_mfrl_layout, p, &m);
	if (method == BF_FW_METHOD_SET) {
		if (!m.reset_trigger || (m.reset_trigger & ~NIC_RESET_LEVELS(c)) || m.rst_type_sel > 4 ||
		    !(NIC_RESET_TYPES & (1u << m.rst_type_sel)) || m.pci_sync_for_fw_update_start > 2)
			return 0x7;
		if (m.reset_trigger == 0x01 && c->s->cfg.fault_lfwp_fail)
			return 0x8;   /* resource not available: nothing is patched */
		if (m.reset_trigger == 0x01) {
			bf_sim_nic_live_patch(c);
			goto answer;
		}
		c->mfrl_armed = m.reset_trigger;
		c->mfrl_type = (uint8_t)m.rst_type_sel;
		/* With driver (1) or firmware (2) sync the reset happens by
		 * itself once the driver agreed; with the tool owning it (0)
		 * it waits for a link toggle or PERST, which the simulation
		 * does not model (it stays armed until the next reset). */
		if ((m.reset_trigger & 0x08) && m.pci_sync_for_fw_update_start)
			c->reset_at = bf_sim_nic_now(c) + NIC_T_DRIVER;
	} else if (method != BF_FW_METHOD_GET) {
		return 0x6;
	}
answer:
	memset(&m, 0, sizeof(m));
	m.reset_trigger = NIC_RESET_LEVELS(c);
	m.reset_type = NIC_RESET_TYPES;
	m.reset_state = c->reset_at ? 2 : c->mfrl_armed ? 8 : 0;
	bf_fw_pack(&bf_fw_mfrl_layout, &m, p);
	return 0;
}

static const struct {
	uint16_t id;
	int (*fn)(struct bf_sim_nic *n, int method, uint8_t *p, double *exec);
	const struct bf_fw_layout *l;
} handlers[] = {
	{ BF_FW_REG_MGIR, reg_mgir, &bf_fw_mgir_layout },
	{ BF_FW_REG_MCAM, reg_mcam, &bf_fw_mcam_layout },
	{ BF_FW_REG_MLOCK, reg_mlock, &bf_fw_mlock_layout },
	{ BF_FW_REG_MVTS, reg_mvts, &bf_fw_mvts_layout },
	{ BF_FW_REG_MQIS, reg_mqis, &bf_fw_mqis_layout },
	{ BF_FW_REG_MFRL, reg_mfrl, &bf_fw_mfrl_layout },
	{ BF_FW_REG_MCQS, bf_sim_nic_reg_mcqs, &bf_fw_mcqs_layout },
	{ BF_FW_REG_MCQI, bf_sim_nic_reg_mcqi, &bf_fw_mcqi_layout },
	{ BF_FW_REG_MCC, bf_sim_nic_reg_mcc, &bf_fw_mcc_layout },
	{ BF_FW_REG_MCDA, bf_sim_nic_reg_mcda, &bf_fw_mcda_layout },
	{ BF_FW_REG_MNVDA, bf_sim_nic_reg_mnvda, &bf_fw_mnvda_layout },
	{ BF_FW_REG_MNVDI, bf_sim_nic_reg_mnvdi, &bf_fw_mnvdi_layout },
	{ BF_FW_REG_MNVIA, bf_sim_nic_reg_mnvia, &bf_fw_mnvia_layout },
	{ BF_FW_REG_MNVQC, bf_sim_nic_reg_mnvqc, &bf_fw_mnvqc_layout },
	{ BF_FW_REG_MNVGC, bf_sim_nic_reg_mnvgc, &bf_fw_mnvgc_layout },
};

/* The shortest payload a register takes: its size, but MNVDA's is the NV
 * header plus the data length the host asks for (mstflint reads 64 bytes
 * of the base MAC/GUID TLV). */
static size_t reg_min_size(uint16_t id, const struct bf_fw_layout *l)
{
	return id == BF_FW_REG_MNVDA ? BF_FW_NV_HDR_SIZE : l->size;
}

/* Operation TLV + register TLV + payload, in place in buf (size bytes).
 * Returns the ICMD status; the register status goes into the reply. */
static int access_register(struct bf_sim_nic *n, uint8_t *buf, size_t size, double *exec)
{
	struct bf_fw_op_tlv op;
	struct bf_fw_reg_tlv rt;
	unsigned status = 0;
	size_t plen, i;

	bf_fw_unpack(&bf_fw_op_tlv_layout, buf, &op);
	bf_fw_unpack(&bf_fw_reg_tlv_layout, buf + BF_FW_OP_TLV_SIZE, &rt);
	if (op.type != BF_FW_TLV_OPERATION || op.len != 4)
		return BF_FW_ICMD_BAD_CMD;
	plen = rt.len >= 1 ? (size_t)rt.len * 4 - 4 : 0;
	if (rt.type != BF_FW_TLV_REG || plen > size - BF_FW_AR_HDR_SIZE) {
		status = 0x3;
	} else if (op.cls != 1) {
		status = 0x5;
	} else if (op.method != BF_FW_METHOD_GET && op.method != BF_FW_METHOD_SET) {
		status = 0x6;
	} else {
		for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]) && handlers[i].id != op.register_id; i++)
			;
		if (i == sizeof(handlers) / sizeof(handlers[0])) {
			status = 0x4;
		} else if (plen < reg_min_size(handlers[i].id, handlers[i].l) ||
			   BF_FW_AR_HDR_SIZE + (size_t)handlers[i].l->size > size) {
			status = 0x24;
		} else {
			/* What the host did not send reads as zero. */
			if (plen < handlers[i].l->size)
				memset(buf + BF_FW_AR_HDR_SIZE + plen, 0, handlers[i].l->size - plen);
			status = (unsigned)handlers[i].fn(n, op.method, buf + BF_FW_AR_HDR_SIZE, exec);
		}
	}
	if (n->q.reg_status && (!n->q.reg_status_id || n->q.reg_status_id == op.register_id))
		status = n->q.reg_status;
	op.status = (uint8_t)status;
	op.r = 1;
	bf_fw_pack(&bf_fw_op_tlv_layout, &op, buf);
	if (n->q.reply_garbage)
		memset(buf, 0xa5, BF_FW_OP_TLV_SIZE);
	return BF_FW_ICMD_OK;
}

void bf_sim_nic_icmd_go(struct bf_sim_nic *n)
{
	struct nic_core *c = n->core;
	uint32_t size = bf_sim_nic_mbox_size(n), i;
	uint16_t opcode = (uint16_t)(n->icmd_ctrl >> BF_FW_VCR_CTRL_OPCODE_SHIFT);
	uint8_t buf[NIC_MBOX_MAX];
	double exec = NIC_T_CMD;
	int status;

	n->st.icmd_cmds++;
	if (c->sem_icmd == 0)
		n->st.icmd_sem_violations++;
	for (i = 0; i < size / 4; i++)
		bf_fw_put32(buf, 4 * i, n->mbox[i]);
	if (opcode == BF_FW_ICMD_ACCESS_REGISTER)
		status = access_register(n, buf, size, &exec);
	else
		status = BF_FW_ICMD_BAD_OPCODE;
	if (c->off)
		return;   /* the NIC lost power while executing */
	for (i = 0; i < size / 4; i++)
		n->mbox[i] = bf_fw_get32(buf, 4 * i);
	if (n->q.icmd_status)
		status = (int)n->q.icmd_status;
	n->icmd_syndrome = status ? 0x00c0de00u | (uint32_t)status : 0;
	n->icmd_ctrl = (n->icmd_ctrl & ~(0xffu << BF_FW_VCR_CTRL_STATUS_SHIFT | BF_FW_VCR_CTRL_BUSY)) |
		       ((uint32_t)status & 0xff) << BF_FW_VCR_CTRL_STATUS_SHIFT | BF_FW_VCR_CTRL_BUSY;
	n->icmd_done_t = bf_sim_nic_now(c) + exec;
}
