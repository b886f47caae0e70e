/* fw/layout.c - the PRM register tables and their one packer/unpacker.
 * Offsets and bits: doc/firmware.md sections 2 and 3 (mstflint's
 * tools_layouts/reg_access_hca_layouts.h). */
#include "config.h"
#include "fw/layout.h"

#include <string.h>

uint32_t bf_fw_get32(const uint8_t *b, size_t off)
{
	return (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 | (uint32_t)b[off + 2] << 8 | b[off + 3];
}

void bf_fw_put32(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)(v >> 24);
	b[off + 1] = (uint8_t)(v >> 16);
	b[off + 2] = (uint8_t)(v >> 8);
	b[off + 3] = (uint8_t)v;
}

static uint32_t mask_of(unsigned width)
{
	return width >= 32 ? 0xffffffffu : (1u << width) - 1;
}

uint32_t bf_fw_bits_get(const uint8_t *buf, size_t off, unsigned lsb, unsigned width)
{
	return (bf_fw_get32(buf, off) >> lsb) & mask_of(width);
}

void bf_fw_bits_set(uint8_t *buf, size_t off, unsigned lsb, unsigned width, uint32_t v)
{
	uint32_t m = mask_of(width) << lsb;

	bf_fw_put32(buf, off, (bf_fw_get32(buf, off) & ~m) | ((v << lsb) & m));
}

static uint32_t member_get(const void *st, const struct bf_fw_field *f)
{
	const uint8_t *p = (const uint8_t *)st + f->member;

	switch (f->msize) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	default: { uint32_t v; memcpy(&v, p, 4); return v; }
	}
}

static void member_put(void *st, const struct bf_fw_field *f, uint32_t v)
{
	uint8_t *p = (uint8_t *)st + f->member;

	switch (f->msize) {
	case 1: *p = (uint8_t)v; break;
	case 2: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); break; }
	default: memcpy(p, &v, 4); break;
	}
}

void bf_fw_pack(const struct bf_fw_layout *l, const void *st, uint8_t *buf)
{
	size_t i;

	memset(buf, 0, l->size);
	for (i = 0; i < l->nfields; i++) {
		const struct bf_fw_field *f = &l->fields[i];

		if (f->type == BF_FW_FBYTES)
			memcpy(buf + f->off, (const uint8_t *)st + f->member, f->len);
		else
			bf_fw_bits_set(buf, f->off, f->lsb, f->width, member_get(st, f));
	}
}

void bf_fw_unpack(const struct bf_fw_layout *l, const uint8_t *buf, void *st)
{
	size_t i, ssize = 0;

	/* The struct's extent: the end of its last member. */
	for (i = 0; i < l->nfields; i++)
		if ((size_t)l->fields[i].member + l->fields[i].msize > ssize)
			ssize = (size_t)l->fields[i].member + l->fields[i].msize;
	memset(st, 0, ssize);
	for (i = 0; i < l->nfields; i++) {
		const struct bf_fw_field *f = &l->fields[i];

		if (f->type == BF_FW_FBYTES)
			memcpy((uint8_t *)st + f->member, buf + f->off, f->len);
		else
			member_put(st, f, bf_fw_bits_get(buf, f->off, f->lsb, f->width));
	}
}

const struct bf_fw_field *bf_fw_layout_field(const struct bf_fw_layout *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nfields; i++)
		if (!strcmp(l->fields[i].name, name))
			return &l->fields[i];
	return NULL;
}

/* A field of H..L in the dword at O; a byte array of N bytes at O. The
 * member's size is checked against the width at compile time. */
#define MSZ(S, m) sizeof(((S *)0)->m)
#define FU(S, m, o, h, l) \
	{ #m, o, l, (h) - (l) + 1, 0, offsetof(S, m), MSZ(S, m) + 0 * sizeof(char[((h) - (l) + 1) <= 8 * MSZ(S, m) ? 1 : -1]), BF_FW_FU }
#define FB(S, m, o, n) \
	{ #m, o, 0, 0, n, offsetof(S, m), MSZ(S, m) + 0 * sizeof(char[(n) <= MSZ(S, m) ? 1 : -1]), BF_FW_FBYTES }
#define LAYOUT(var, nm, id, sz, tbl) \
	const struct bf_fw_layout var = { nm, id, sz, tbl, sizeof(tbl) / sizeof(tbl[0]) }

#define S struct bf_fw_op_tlv
static const struct bf_fw_field op_tlv_f[] = {
	FU(S, type, 0x00, 31, 27), FU(S, len, 0x00, 26, 16), FU(S, dr, 0x00, 15, 15),
	FU(S, status, 0x00, 14, 8), FU(S, register_id, 0x04, 31, 16), FU(S, r, 0x04, 15, 15),
	FU(S, method, 0x04, 14, 8), FU(S, cls, 0x04, 7, 0), FU(S, tid_hi, 0x08, 31, 0),
	FU(S, tid_lo, 0x0C, 31, 0),
};
#undef S
LAYOUT(bf_fw_op_tlv_layout, "operation TLV", 0, BF_FW_OP_TLV_SIZE, op_tlv_f);

#define S struct bf_fw_reg_tlv
static const struct bf_fw_field reg_tlv_f[] = { FU(S, type, 0x00, 31, 27), FU(S, len, 0x00, 26, 16) };
#undef S
LAYOUT(bf_fw_reg_tlv_layout, "register TLV", 0, BF_FW_REG_TLV_SIZE, reg_tlv_f);

#define S struct bf_fw_mgir
static const struct bf_fw_field mgir_f[] = {
	FU(S, device_id, 0x00, 15, 0), FU(S, device_hw_revision, 0x00, 31, 16),
	FU(S, pvs, 0x04, 4, 0), FU(S, technology, 0x04, 15, 11), FU(S, num_ports, 0x04, 27, 16),
	FU(S, hw_dev_id, 0x08, 15, 0),
	FU(S, module_master_fw_default, 0x0C, 17, 16), FU(S, ga_valid, 0x0C, 28, 28),
	FU(S, development, 0x0C, 30, 30), FU(S, pci_switch_only_mode, 0x0C, 31, 31),
	FU(S, mfg_base_mac_47_32, 0x10, 15, 0), FU(S, ga, 0x10, 21, 16), FU(S, chip_type, 0x10, 27, 24),
	FU(S, mfg_base_mac_31_0, 0x14, 31, 0), FU(S, uptime, 0x1C, 31, 0),
	FU(S, sub_minor, 0x20, 7, 0), FU(S, minor, 0x20, 15, 8), FU(S, major, 0x20, 23, 16),
	FU(S, secured, 0x20, 24, 24), FU(S, signed_fw, 0x20, 25, 25), FU(S, debug, 0x20, 26, 26),
	FU(S, dev, 0x20, 27, 27), FU(S, string_tlv, 0x20, 28, 28), FU(S, dev_sc, 0x20, 30, 30),
	FU(S, build_id, 0x24, 31, 0),
	FU(S, month, 0x28, 31, 24), FU(S, day, 0x28, 23, 16), FU(S, year, 0x28, 15, 0),
	FU(S, hour, 0x2C, 15, 0), FB(S, psid, 0x30, 16),
	FU(S, ini_file_version, 0x40, 31, 0), FU(S, extended_major, 0x44, 31, 0),
	FU(S, extended_minor, 0x48, 31, 0), FU(S, extended_sub_minor, 0x4C, 31, 0),
	FU(S, isfu_major, 0x50, 15, 0), FU(S, disabled_tiles_bitmap, 0x50, 31, 16),
	FU(S, life_cycle, 0x54, 1, 0), FU(S, sec_boot, 0x54, 2, 2), FU(S, encryption, 0x54, 3, 3),
	FU(S, life_cycle_msb, 0x54, 6, 4), FU(S, dev_state, 0x54, 11, 11), FU(S, issu_able, 0x54, 13, 13),
	FU(S, pds, 0x54, 14, 14), FU(S, ec_offload_engine_disabled, 0x54, 15, 15),
	FU(S, dev_counter, 0x54, 20, 16),
	FU(S, drv_major, 0x60, 23, 16), FU(S, drv_minor, 0x60, 15, 8), FU(S, drv_sub_minor, 0x60, 7, 0),
	FU(S, rom3_type, 0x64, 3, 0), FU(S, rom3_arch, 0x64, 7, 4),
	FU(S, rom2_type, 0x64, 11, 8), FU(S, rom2_arch, 0x64, 15, 12),
	FU(S, rom1_type, 0x64, 19, 16), FU(S, rom1_arch, 0x64, 23, 20),
	FU(S, rom0_type, 0x64, 27, 24), FU(S, rom0_arch, 0x64, 31, 28),
	FU(S, rom0_version, 0x68, 31, 0), FU(S, rom1_version, 0x6C, 31, 0),
	FU(S, rom2_version, 0x70, 31, 0), FU(S, rom3_version, 0x74, 31, 0),
	FB(S, dev_branch_tag, 0x80, 28),
};
#undef S
LAYOUT(bf_fw_mgir_layout, "MGIR", BF_FW_REG_MGIR, 0xA0, mgir_f);

#define S struct bf_fw_mcam
static const struct bf_fw_field mcam_f[] = {
	FU(S, access_reg_group, 0x00, 7, 0), FU(S, feature_group, 0x00, 23, 16),
	FB(S, access_mask, 0x08, 16), FB(S, feature_mask, 0x28, 16),
};
#undef S
LAYOUT(bf_fw_mcam_layout, "MCAM", BF_FW_REG_MCAM, 0x48, mcam_f);

int bf_fw_mcam_bit(const uint8_t mask[16], unsigned n)
{
	n &= 127;
	return bf_fw_bits_get(mask, 0xC - 4 * (n / 32), n % 32, 1);
}

void bf_fw_mcam_set_bit(uint8_t mask[16], unsigned n)
{
	n &= 127;
	bf_fw_bits_set(mask, 0xC - 4 * (n / 32), n % 32, 1, 1);
}

#define S struct bf_fw_mlock
static const struct bf_fw_field mlock_f[] = {
	FU(S, operation, 0x00, 7, 0), FU(S, key_hi, 0x08, 31, 0), FU(S, key_lo, 0x0C, 31, 0),
};
#undef S
LAYOUT(bf_fw_mlock_layout, "MLOCK", BF_FW_REG_MLOCK, 0x10, mlock_f);

#define S struct bf_fw_mvts
static const struct bf_fw_field mvts_f[] = {
	FU(S, clear_all_ts_flag, 0x00, 31, 31), FU(S, running_flag, 0x00, 30, 30),
	FU(S, check_timestamp_flag, 0x00, 29, 29), FB(S, timestamp, 0x04, 16),
};
#undef S
LAYOUT(bf_fw_mvts_layout, "MVTS", BF_FW_REG_MVTS, 0x14, mvts_f);

#define S struct bf_fw_mcqs
static const struct bf_fw_field mcqs_f[] = {
	FU(S, component_index, 0x00, 15, 0), FU(S, device_index, 0x00, 27, 16),
	FU(S, component_not_supported, 0x00, 30, 30), FU(S, last_index_flag, 0x00, 31, 31),
	FU(S, identifier, 0x04, 15, 0),
	FU(S, component_update_state, 0x08, 3, 0), FU(S, component_status, 0x08, 8, 4),
	FU(S, progress, 0x08, 15, 9),
	FU(S, device_type, 0x0C, 7, 0), FU(S, last_update_state_changer_host_id, 0x0C, 27, 24),
	FU(S, last_update_state_changer_type, 0x0C, 31, 28),
};
#undef S
LAYOUT(bf_fw_mcqs_layout, "MCQS", BF_FW_REG_MCQS, 0x10, mcqs_f);

#define S struct bf_fw_mcqi
static const struct bf_fw_field mcqi_f[] = {
	FU(S, component_index, 0x00, 15, 0), FU(S, device_index, 0x00, 27, 16),
	FU(S, read_pending_component, 0x00, 31, 31), FU(S, device_type, 0x04, 7, 0),
	FU(S, info_type, 0x08, 4, 0), FU(S, info_size, 0x0C, 31, 0), FU(S, offset, 0x10, 31, 0),
	FU(S, data_size, 0x14, 15, 0), FB(S, data, 0x18, BF_FW_MCQI_DATA_MAX),
};
#undef S
LAYOUT(bf_fw_mcqi_layout, "MCQI", BF_FW_REG_MCQI, 0x94, mcqi_f);

#define S struct bf_fw_mcqi_cap
static const struct bf_fw_field mcqi_cap_f[] = {
	FU(S, supported_info_bitmask, 0x00, 31, 0), FU(S, component_size, 0x04, 31, 0),
	FU(S, max_component_size, 0x08, 31, 0), FU(S, mcda_max_write_size, 0x0C, 15, 0),
	FU(S, log_mcda_word_size, 0x0C, 31, 28), FU(S, match_base_guid_mac, 0x10, 26, 26),
	FU(S, check_user_timestamp, 0x10, 27, 27), FU(S, match_psid, 0x10, 28, 28),
	FU(S, match_chip_id, 0x10, 29, 29), FU(S, signed_updates_only, 0x10, 30, 30),
	FU(S, rd_en, 0x10, 31, 31),
};
#undef S
LAYOUT(bf_fw_mcqi_cap_layout, "MCQI capabilities", 0, 0x14, mcqi_cap_f);

#define S struct bf_fw_mcqi_version
static const struct bf_fw_field mcqi_version_f[] = {
	FU(S, version_string_length, 0x00, 7, 0), FU(S, user_defined_time_valid, 0x00, 28, 28),
	FU(S, build_time_valid, 0x00, 29, 29), FU(S, version, 0x04, 31, 0),
	FU(S, bt_seconds, 0x08, 31, 24), FU(S, bt_minutes, 0x08, 23, 16), FU(S, bt_hours, 0x08, 15, 8),
	FU(S, bt_year, 0x0C, 31, 16), FU(S, bt_month, 0x0C, 15, 8), FU(S, bt_day, 0x0C, 7, 0),
	FU(S, user_time_hi, 0x10, 31, 0), FU(S, user_time_lo, 0x14, 31, 0),
	FU(S, build_tool_version, 0x18, 31, 0), FB(S, version_string, 0x20, 92),
};
#undef S
LAYOUT(bf_fw_mcqi_version_layout, "MCQI version", 0, 0x80, mcqi_version_f);

#define S struct bf_fw_mcqi_activation
static const struct bf_fw_field mcqi_act_f[] = {
	FU(S, all_hosts_sync, 0x00, 0, 0), FU(S, auto_activate, 0x00, 1, 1),
	FU(S, pending_fw_reset, 0x00, 2, 2), FU(S, pending_server_reboot, 0x00, 3, 3),
	FU(S, pending_server_dc_power_cycle, 0x00, 4, 4), FU(S, pending_server_ac_power_cycle, 0x00, 5, 5),
	FU(S, self_activation, 0x00, 6, 6),
};
#undef S
LAYOUT(bf_fw_mcqi_activation_layout, "MCQI activation method", 0, 0x4, mcqi_act_f);

#define S struct bf_fw_mcc
static const struct bf_fw_field mcc_f[] = {
	FU(S, instruction, 0x00, 7, 0), FU(S, activation_delay_sec, 0x00, 15, 8),
	FU(S, time_elapsed_since_last_cmd, 0x00, 27, 16), FU(S, component_index, 0x04, 15, 0),
	FU(S, update_handle, 0x08, 23, 0), FU(S, auto_update, 0x08, 31, 31),
	FU(S, control_state, 0x0C, 3, 0), FU(S, error_code, 0x0C, 15, 8),
	FU(S, control_progress, 0x0C, 22, 16), FU(S, handle_owner_host_id, 0x0C, 27, 24),
	FU(S, handle_owner_type, 0x0C, 31, 28), FU(S, component_size, 0x10, 31, 0),
	FU(S, device_type, 0x14, 7, 0), FU(S, warning_code, 0x14, 15, 8), FU(S, device_index, 0x14, 27, 16),
	FU(S, device_index_size, 0x18, 11, 0), FU(S, rejected_device_index, 0x18, 27, 16),
	FU(S, component_specific_err_code, 0x1C, 31, 0),
};
#undef S
LAYOUT(bf_fw_mcc_layout, "MCC", BF_FW_REG_MCC, 0x20, mcc_f);

#define S struct bf_fw_mcda
static const struct bf_fw_field mcda_f[] = {
	FU(S, update_handle, 0x00, 23, 0), FU(S, offset, 0x04, 31, 0), FU(S, size, 0x08, 15, 0),
	FB(S, data, 0x10, BF_FW_MCDA_DATA_MAX),
};
#undef S
LAYOUT(bf_fw_mcda_layout, "MCDA", BF_FW_REG_MCDA, 0x90, mcda_f);

void bf_fw_mcda_put(struct bf_fw_mcda *m, const uint8_t *img, size_t len)
{
	size_t i;

	memset(m->data, 0, sizeof(m->data));
	for (i = 0; i < len && i < BF_FW_MCDA_DATA_MAX; i++)
		m->data[(i & ~3u) + 3 - (i & 3)] = img[i];
}

void bf_fw_mcda_get(const struct bf_fw_mcda *m, uint8_t *img, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < BF_FW_MCDA_DATA_MAX; i++)
		img[i] = m->data[(i & ~3u) + 3 - (i & 3)];
}

#define S struct bf_fw_mqis
static const struct bf_fw_field mqis_f[] = {
	FU(S, info_type, 0x00, 7, 0), FU(S, info_length, 0x04, 15, 0), FU(S, read_length, 0x08, 15, 0),
	FU(S, read_offset, 0x08, 31, 16), FB(S, info_string, 0x10, 8),
};
#undef S
LAYOUT(bf_fw_mqis_layout, "MQIS", BF_FW_REG_MQIS, 0x18, mqis_f);

#define S struct bf_fw_mfrl
static const struct bf_fw_field mfrl_f[] = {
	FU(S, reset_trigger, 0x04, 7, 0), FU(S, reset_type, 0x04, 15, 8), FU(S, reset_state, 0x04, 19, 16),
	FU(S, pci_reset_req_method, 0x04, 23, 21), FU(S, rst_type_sel, 0x04, 26, 24),
	FU(S, pci_sync_for_fw_update_resp, 0x04, 28, 27), FU(S, pci_sync_for_fw_update_start, 0x04, 30, 29),
	FU(S, pci_rescan_required, 0x04, 31, 31),
};
#undef S
LAYOUT(bf_fw_mfrl_layout, "MFRL", BF_FW_REG_MFRL, 0x8, mfrl_f);

#define S struct bf_fw_mnvda
#define NV_HDR_FIELDS \
	FU(S, length, 0x00, 8, 0), FU(S, writer_host_id, 0x00, 11, 9), FU(S, version, 0x00, 15, 12), \
	FU(S, writer_id, 0x00, 20, 16), FU(S, read_current, 0x00, 22, 22), FU(S, def, 0x00, 23, 23), \
	FU(S, rd_en, 0x00, 24, 24), FU(S, over_en, 0x00, 25, 25), FU(S, priority, 0x00, 29, 28), \
	FU(S, type, 0x04, 31, 0)
static const struct bf_fw_field mnvda_f[] = { NV_HDR_FIELDS, FB(S, data, 0x0C, BF_FW_NV_DATA_MAX) };
static const struct bf_fw_field mnvdi_f[] = { NV_HDR_FIELDS };
#undef S
LAYOUT(bf_fw_mnvda_layout, "MNVDA", BF_FW_REG_MNVDA, BF_FW_NV_HDR_SIZE + BF_FW_NV_DATA_MAX, mnvda_f);
LAYOUT(bf_fw_mnvdi_layout, "MNVDI", BF_FW_REG_MNVDI, BF_FW_NV_HDR_SIZE, mnvdi_f);

#define S struct bf_fw_mnvqc
static const struct bf_fw_field mnvqc_f[] = {
	FU(S, type, 0x00, 31, 0), FU(S, support_rd, 0x04, 0, 0), FU(S, support_wr, 0x04, 1, 1),
	FU(S, version, 0x04, 7, 4), FU(S, host_id_valid, 0x04, 9, 9),
};
#undef S
LAYOUT(bf_fw_mnvqc_layout, "MNVQC", BF_FW_REG_MNVQC, 0x8, mnvqc_f);

#define S struct bf_fw_mnvgc
static const struct bf_fw_field mnvgc_f[] = {
	FU(S, nvda_read_factory_settings, 0x00, 0, 0), FU(S, nvda_read_current_settings, 0x00, 1, 1),
	FU(S, priv_nv_other_host, 0x00, 2, 2),
};
#undef S
LAYOUT(bf_fw_mnvgc_layout, "MNVGC", BF_FW_REG_MNVGC, 0x10, mnvgc_f);

#define S struct bf_fw_mnvia
static const struct bf_fw_field mnvia_f[] = { FU(S, target, 0x00, 2, 0), FU(S, writer_id, 0x00, 8, 4) };
#undef S
LAYOUT(bf_fw_mnvia_layout, "MNVIA", BF_FW_REG_MNVIA, 0x8, mnvia_f);

static const struct bf_fw_layout *const all_layouts[] = {
	&bf_fw_mgir_layout, &bf_fw_mcam_layout, &bf_fw_mlock_layout, &bf_fw_mvts_layout, &bf_fw_mcqs_layout,
	&bf_fw_mcqi_layout, &bf_fw_mcc_layout, &bf_fw_mcda_layout, &bf_fw_mqis_layout,
	&bf_fw_mfrl_layout, &bf_fw_mnvda_layout, &bf_fw_mnvdi_layout, &bf_fw_mnvqc_layout,
	&bf_fw_mnvgc_layout, &bf_fw_mnvia_layout,
};

const struct bf_fw_layout *bf_fw_layout_by_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(all_layouts) / sizeof(all_layouts[0]); i++)
		if (all_layouts[i]->reg_id == id)
			return all_layouts[i];
	return NULL;
}

uint32_t bf_fw_nv_type(unsigned cls, unsigned index, unsigned port, unsigned host, unsigned function)
{
	uint32_t t = (uint32_t)(cls & 0xff) << 24;

	switch (cls & 0x3f) {
	case BF_FW_NV_CLASS_PORT:
		return t | (port & 0xff) << 16 | (index & 0xffff);
	case BF_FW_NV_CLASS_HOST_PF:
		return t | (host & 0x3f) << 18 | (function & 0xff) << 10 | (index & 0x3ff);
	case BF_FW_NV_CLASS_HOST:
		return t | (host & 0x3f) << 18 | (index & 0x3ffff);
	default:
		return t | (index & 0xffffff);
	}
}

static const char *const fsm_names[] = {
	"IDLE", "LOCKED", "INITIALIZE", "DOWNLOAD", "VERIFY", "APPLY", "ACTIVATE", "UPLOAD",
	"UPLOAD_PENDING", "DOWNSTREAM_DEVICE_TRANSFER",
};

const char *bf_fw_fsm_state_name(unsigned st)
{
	return st < sizeof(fsm_names) / sizeof(fsm_names[0]) ? fsm_names[st] : "UNKNOWN";
}

static const struct { unsigned code; const char *name, *text; } mcc_errors[] = {
	{ 0x0, "OK", "no error" },
	{ 0x1, "ERROR", "the firmware reported a general error" },
	{ 0x2, "REJECTED_DIGEST_ERR", "the digest (checksum) of the image is wrong: the file is damaged" },
	{ 0x3, "REJECTED_NOT_APPLICABLE", "the image is not applicable to this device (PSID or chip)" },
	{ 0x4, "REJECTED_UNKNOWN_KEY", "the image is signed with an unknown key" },
	{ 0x5, "REJECTED_AUTH_FAILED", "the image failed authentication" },
	{ 0x6, "REJECTED_UNSIGNED", "the image is unsigned and the device takes signed images only" },
	{ 0x7, "REJECTED_KEY_NOT_APPLICABLE", "the signing key is not applicable to this device" },
	{ 0x8, "REJECTED_BAD_FORMAT", "the image format is bad" },
	{ 0x9, "BLOCKED_PENDING_RESET", "the firmware image was already updated on flash, pending reset" },
	{ 0xA, "REJECTED_NOT_A_SECURED_FW", "the image is not a secured firmware" },
	{ 0xB, "REJECTED_MFG_BASE_MAC_NOT_LISTED", "the device's base MAC is not listed in the image" },
	{ 0xC, "REJECTED_NO_DEBUG_TOKEN", "no debug token is installed" },
	{ 0xD, "REJECTED_VERSION_NUM_MISMATCH", "the version number does not match" },
	{ 0xE, "REJECTED_USER_TIMESTAMP_MISMATCH", "the user timestamp does not match" },
	{ 0xF, "REJECTED_FORBIDDEN_VERSION", "this firmware version is forbidden on the device" },
	{ 0x10, "FLASH_ERASE_ERROR", "erasing the flash failed" },
	{ 0x11, "REJECTED_REBURN_RUNNING_AND_RETRY", "reburning the running image; retry" },
	{ 0x16, "REJECTED_INCOMPATIBLE_FLASH", "the flash is incompatible with the image" },
	{ 0x18, "REJECTED_FW_BURN_DRAM_NOT_AVAILABLE", "DRAM for the burn is not available" },
	{ 0x19, "FW_BURN_REJECTED_INVALID_SECURITY_VERSION", "the image's security version is invalid" },
	{ 0x1E, "FW_BURN_REJECTED_NO_PLACE", "no room on flash for the image" },
	{ 0x28, "FW_BURN_REJECTED_FLASH_WRITE_PROTECTED", "the flash is write protected" },
	{ 0x32, "REJECTED_DEV_IMAGE_ON_PROD_DEVICE", "a development image cannot go on a production device" },
};

const char *bf_fw_mcc_error_name(unsigned code)
{
	size_t i;

	for (i = 0; i < sizeof(mcc_errors) / sizeof(mcc_errors[0]); i++)
		if (mcc_errors[i].code == code)
			return mcc_errors[i].name;
	return "UNKNOWN";
}

const char *bf_fw_mcc_error_text(unsigned code)
{
	size_t i;

	for (i = 0; i < sizeof(mcc_errors) / sizeof(mcc_errors[0]); i++)
		if (mcc_errors[i].code == code)
			return mcc_errors[i].text;
	return "the firmware rejected the update (unknown error code)";
}

const char *bf_fw_reg_status_text(unsigned st)
{
	switch (st) {
	case 0x0: return "OK";
	case 0x1: return "device busy";
	case 0x2: return "version not supported";
	case 0x3: return "unknown TLV";
	case 0x4: return "register not supported";
	case 0x5: return "class not supported";
	case 0x6: return "method not supported";
	case 0x7: return "bad parameter";
	case 0x8: return "resource not available";
	case 0x9: return "message receipt ack";
	case 0xE: return "not supported by secondary";
	case 0x20: return "bad config: the configuration is rejected";
	case 0x21: return "erase count exceeded";
	case 0x22: return "config section corrupted";
	case 0x24: return "length too small";
	case 0x70: return "firmware internal error";
	default: return "unknown status";
	}
}
