/* fw/reg.c - ACCESS_REGISTER: operation TLV + register TLV + payload
 * through ICMD opcode 0x9001 (spec 2.6). */
#include "config.h"
#include "fw/reg.h"
#include "error.h"

#include <errno.h>
#include <string.h>

#define REG_MAX_PAYLOAD 0x1000

void bf_fw_reg_encode(uint8_t *buf, uint16_t reg_id, int method, size_t reg_size)
{
	struct bf_fw_op_tlv op = {
		.type = BF_FW_TLV_OPERATION, .len = 4, .register_id = reg_id, .method = (uint8_t)method, .cls = 1,
	};
	struct bf_fw_reg_tlv rt = { .type = BF_FW_TLV_REG, .len = (uint16_t)((reg_size + 4) / 4) };

	bf_fw_pack(&bf_fw_op_tlv_layout, &op, buf);
	bf_fw_pack(&bf_fw_reg_tlv_layout, &rt, buf + BF_FW_OP_TLV_SIZE);
}

static const char *reg_name(uint16_t id)
{
	const struct bf_fw_layout *l = bf_fw_layout_by_id(id);

	return l ? l->name : "register";
}

int bf_fw_reg_raw(struct bf_fw_icmd *ic, uint16_t reg_id, int method, uint8_t *payload, size_t reg_size,
		  size_t wsize, size_t rsize, unsigned *status)
{
	uint8_t buf[BF_FW_AR_HDR_SIZE + REG_MAX_PAYLOAD];
	struct bf_fw_op_tlv op;
	unsigned tries;
	int r;

	if (reg_size > REG_MAX_PAYLOAD || wsize > reg_size || rsize > reg_size)
		return bf_error_ret(EINVAL, "register 0x%04x: sizes %zu/%zu/%zu do not fit", reg_id, reg_size, wsize, rsize);
	if (ic->max_cmd_size < BF_FW_AR_HDR_SIZE + reg_size)
		return bf_error_ret(E2BIG, "%s (%zu bytes) does not fit the %u-byte ICMD mailbox of %s",
				    reg_name(reg_id), reg_size, ic->max_cmd_size, ic->pci->name);
	for (tries = 0;; tries++) {
		bf_fw_reg_encode(buf, reg_id, method, reg_size);
		memcpy(buf + BF_FW_AR_HDR_SIZE, payload, wsize);
		ic->key = reg_id;
		/* With nothing of the register to read, only the operation
		 * TLV's first two dwords (type, length, status, register id). */
		if ((r = bf_fw_icmd_send(ic, BF_FW_ICMD_ACCESS_REGISTER, buf, BF_FW_AR_HDR_SIZE + wsize,
					 rsize ? BF_FW_AR_HDR_SIZE + rsize : 8)) < 0)
			return r;
		bf_fw_unpack(&bf_fw_op_tlv_layout, buf, &op);
		if (op.type != BF_FW_TLV_OPERATION || op.len != 4)
			return bf_error_ret(EPROTO, "%s of %s: malformed reply (operation TLV type %u, length %u)",
					    reg_name(reg_id), ic->pci->name, op.type, op.len);
		if (op.register_id != reg_id)
			return bf_error_ret(EPROTO, "%s of %s: the reply is for register 0x%04x", reg_name(reg_id),
					    ic->pci->name, op.register_id);
		/* REG_NOT_SUPP through PXIR: once more in the PCI twin of the ICMD space. */
		if (op.status == 0x4 && ic->pci->pxir && !tries && ic->space == BF_FW_AS_ICMD) {
			ic->space = BF_FW_AS_PCI_ALL_ICMD;
			ic->ctrl_known = false;
			continue;
		}
		break;
	}
	memcpy(payload, buf + BF_FW_AR_HDR_SIZE, rsize);
	if (status) {
		*status = op.status;
		return 0;
	}
	if (op.status)
		return bf_error_ret(EREMOTEIO, "%s %s on %s: %s (register status 0x%x)", reg_name(reg_id),
				    method == BF_FW_METHOD_SET ? "write" : "read", ic->pci->name,
				    bf_fw_reg_status_text(op.status), op.status);
	return 0;
}

int bf_fw_reg_sized(struct bf_fw_icmd *ic, const struct bf_fw_layout *l, int method, void *st,
		    size_t wsize, size_t rsize, unsigned *status)
{
	uint8_t p[REG_MAX_PAYLOAD];
	int r;

	bf_fw_pack(l, st, p);
	if ((r = bf_fw_reg_raw(ic, l->reg_id, method, p, l->size, wsize, rsize, status)) < 0)
		return r;
	if (rsize == l->size)
		bf_fw_unpack(l, p, st);
	return 0;
}

int bf_fw_reg(struct bf_fw_icmd *ic, const struct bf_fw_layout *l, int method, void *st, unsigned *status)
{
	return bf_fw_reg_sized(ic, l, method, st, l->size, l->size, status);
}
