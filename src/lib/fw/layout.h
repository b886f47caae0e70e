/* fw/layout.h - the PRM access registers as tables (bf_fw_layout_*, bf_fw_bits_*):
 * one definition of every register bfctl and the simulated NIC exchange
 * (MGIR, MCAM, MLOCK, MCQS, MCQI and its data layouts, MCC, MCDA, MQIS,
 * MFRL, MNVDA/MNVDI/MNVIA/MNVQC/MNVGC, the ACCESS_REGISTER TLVs), packed
 * and unpacked by the same code on both sides, so they cannot drift.
 * Facts: doc/firmware.md sections 2 and 3.
 *
 * Registers are big-endian: "0xOO [h:l]" is bits h..l (from the LSB) of the
 * big-endian dword at byte offset 0xOO. A C struct per register holds the
 * fields; a table maps each field to its bits and to its struct member.
 */
#ifndef BF_FW_LAYOUT_H
#define BF_FW_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* Register ids (spec 3.1). */
enum {
	BF_FW_REG_MGIR = 0x9020, BF_FW_REG_MNVDA = 0x9024, BF_FW_REG_MNVDI = 0x9025,
	BF_FW_REG_MFRL = 0x9028, BF_FW_REG_MNVQC = 0x9030, BF_FW_REG_MNVIA = 0x9033,
	BF_FW_REG_MNVGC = 0x9034, BF_FW_REG_MCQS = 0x9060, BF_FW_REG_MCQI = 0x9061,
	BF_FW_REG_MCC = 0x9062, BF_FW_REG_MCDA = 0x9063, BF_FW_REG_MQIS = 0x9064,
	BF_FW_REG_MCAM = 0x907F, BF_FW_REG_MLOCK = 0x402D, BF_FW_REG_MVTS = 0x902C,
};

/* Big-endian dword and bit-field access on a register buffer. width 1..32,
 * lsb + width <= 32. */
uint32_t bf_fw_get32(const uint8_t *buf, size_t off);
void bf_fw_put32(uint8_t *buf, size_t off, uint32_t v);
uint32_t bf_fw_bits_get(const uint8_t *buf, size_t off, unsigned lsb, unsigned width);
void bf_fw_bits_set(uint8_t *buf, size_t off, unsigned lsb, unsigned width, uint32_t v);

enum bf_fw_ftype { BF_FW_FU, BF_FW_FBYTES };

struct bf_fw_field {
	const char *name;
	uint16_t off;            /* byte offset of the dword, or of the byte array */
	uint8_t lsb, width;      /* FU: bits lsb .. lsb+width-1 */
	uint16_t len;            /* FBYTES: bytes */
	uint16_t member;         /* offsetof() in the C struct */
	uint16_t msize;          /* sizeof() the member */
	uint8_t type;
};

struct bf_fw_layout {
	const char *name;
	uint16_t reg_id;         /* 0 for the data layouts inside a register */
	uint16_t size;           /* bytes */
	const struct bf_fw_field *fields;
	size_t nfields;
};

/* buf (l->size bytes) is zeroed, then every field is stored. */
void bf_fw_pack(const struct bf_fw_layout *l, const void *st, uint8_t *buf);
/* st (the layout's struct) is zeroed, then every field is read. */
void bf_fw_unpack(const struct bf_fw_layout *l, const uint8_t *buf, void *st);
/* The layout of a register id; NULL when bfctl does not know it. */
const struct bf_fw_layout *bf_fw_layout_by_id(uint16_t reg_id);
/* A field by name (for tests and debugging); NULL if none. */
const struct bf_fw_field *bf_fw_layout_field(const struct bf_fw_layout *l, const char *name);

/* --- ACCESS_REGISTER (ICMD opcode 0x9001) TLVs, spec 2.6 ----------------- */
#define BF_FW_OP_TLV_SIZE   16
#define BF_FW_REG_TLV_SIZE  4
#define BF_FW_AR_HDR_SIZE   (BF_FW_OP_TLV_SIZE + BF_FW_REG_TLV_SIZE)   /* 20 */
enum { BF_FW_TLV_END = 0, BF_FW_TLV_OPERATION = 1, BF_FW_TLV_DR = 2, BF_FW_TLV_REG = 3 };
enum { BF_FW_METHOD_GET = 1, BF_FW_METHOD_SET = 2 };

struct bf_fw_op_tlv {
	uint8_t type, dr, status, r, method, cls;
	uint16_t len, register_id;
	uint32_t tid_hi, tid_lo;
};
struct bf_fw_reg_tlv {
	uint8_t type;
	uint16_t len;
};
extern const struct bf_fw_layout bf_fw_op_tlv_layout, bf_fw_reg_tlv_layout;

/* --- MGIR (0x9020, 0xA0): general information, spec 3.3 ------------------ */
struct bf_fw_mgir {
	/* hw_info */
	uint16_t device_id, device_hw_revision;
	uint8_t pvs, technology;
	uint16_t num_ports, hw_dev_id;
	uint8_t module_master_fw_default, ga_valid, development, pci_switch_only_mode;
	uint16_t mfg_base_mac_47_32;
	uint8_t ga, chip_type;
	uint32_t mfg_base_mac_31_0;
	uint32_t uptime;
	/* fw_info */
	uint8_t sub_minor, minor, major, secured, signed_fw, debug, dev, string_tlv, dev_sc;
	uint32_t build_id;
	uint8_t month, day;
	uint16_t year, hour;
	char psid[16];
	uint32_t ini_file_version, extended_major, extended_minor, extended_sub_minor;
	uint16_t isfu_major, disabled_tiles_bitmap;
	uint8_t life_cycle, sec_boot, encryption, life_cycle_msb, dev_state, issu_able, pds,
		ec_offload_engine_disabled, dev_counter;
	/* sw_info */
	uint8_t drv_major, drv_minor, drv_sub_minor;
	uint8_t rom0_type, rom0_arch, rom1_type, rom1_arch, rom2_type, rom2_arch, rom3_type, rom3_arch;
	uint32_t rom0_version, rom1_version, rom2_version, rom3_version;
	/* dev_info */
	char dev_branch_tag[28];
};
extern const struct bf_fw_layout bf_fw_mgir_layout;

/* --- MCAM (0x907F, 0x48): capability masks, spec 3.2 ---------------------- */
struct bf_fw_mcam {
	uint8_t access_reg_group, feature_group;
	uint8_t access_mask[16];      /* 0x08-0x17, as in the register */
	uint8_t feature_mask[16];     /* 0x28-0x37 */
};
extern const struct bf_fw_layout bf_fw_mcam_layout;
/* Bit n of a 128-bit MCAM mask as stored (dword 0xC - 4*(n/32), bit n%32). */
int bf_fw_mcam_bit(const uint8_t mask[16], unsigned n);
void bf_fw_mcam_set_bit(uint8_t mask[16], unsigned n);

/* --- MLOCK (0x402D, 0x10) ------------------------------------------------- */
struct bf_fw_mlock {
	uint8_t operation;            /* 0 unlocked, 1 locked, 2 FW update, 3 host cfg */
	uint32_t key_hi, key_lo;
};
extern const struct bf_fw_layout bf_fw_mlock_layout;

/* --- MVTS (0x902C, 0x14): the version timestamp burn tools test and set
 * (mstflint tools_layouts tools_open_mvts: flags in dword 0, the timestamp
 * and firmware version after it; all zero = no valid timestamp). */
struct bf_fw_mvts {
	uint8_t clear_all_ts_flag, running_flag, check_timestamp_flag;
	uint8_t timestamp[16];
};
extern const struct bf_fw_layout bf_fw_mvts_layout;

/* --- MCQS (0x9060, 0x10): component query status, spec 3.4 ---------------- */
enum { BF_FW_COMP_BOOT_IMG = 0x1, BF_FW_COMP_OEM_NVCONFIG = 0x4, BF_FW_COMP_MLNX_NVCONFIG = 0x5,
       BF_FW_COMP_CS_TOKEN = 0x6, BF_FW_COMP_DBG_TOKEN = 0x7, BF_FW_COMP_CRYPTO_TO_COMM = 0xD,
       BF_FW_COMP_RMCS_TOKEN = 0xE, BF_FW_COMP_RMDT_TOKEN = 0xF };
enum { BF_FW_CUS_IDLE, BF_FW_CUS_IN_PROGRESS, BF_FW_CUS_APPLIED, BF_FW_CUS_ACTIVE,
       BF_FW_CUS_ACTIVE_PENDING_RESET, BF_FW_CUS_FAILED, BF_FW_CUS_CANCELED, BF_FW_CUS_BUSY };
enum { BF_FW_CS_NOT_PRESENT, BF_FW_CS_PRESENT, BF_FW_CS_IN_USE };
struct bf_fw_mcqs {
	uint16_t component_index, device_index, identifier;
	uint8_t component_not_supported, last_index_flag;
	uint8_t component_update_state, component_status, progress;
	uint8_t device_type, last_update_state_changer_host_id, last_update_state_changer_type;
};
extern const struct bf_fw_layout bf_fw_mcqs_layout;

/* --- MCQI (0x9061, 0x94): component query info, spec 3.5 ------------------ */
enum { BF_FW_MCQI_CAPABILITIES = 0, BF_FW_MCQI_VERSION = 1, BF_FW_MCQI_ACTIVATION_METHOD = 5 };
#define BF_FW_MCQI_DATA_MAX 124       /* 0x18-0x93: what one MCQI carries */
struct bf_fw_mcqi {
	uint16_t component_index, device_index, data_size;
	uint8_t read_pending_component, device_type, info_type;
	uint32_t info_size, offset;
	uint8_t data[BF_FW_MCQI_DATA_MAX];
};
extern const struct bf_fw_layout bf_fw_mcqi_layout;

struct bf_fw_mcqi_cap {                /* info_type 0, 0x14 bytes */
	uint32_t supported_info_bitmask, component_size, max_component_size;
	uint16_t mcda_max_write_size;
	uint8_t log_mcda_word_size, match_base_guid_mac, check_user_timestamp, match_psid,
		match_chip_id, signed_updates_only, rd_en;
};
extern const struct bf_fw_layout bf_fw_mcqi_cap_layout;

struct bf_fw_mcqi_version {            /* info_type 1, 0x80 bytes */
	uint8_t version_string_length, user_defined_time_valid, build_time_valid;
	uint32_t version;                  /* major [31:24] minor [23:16] subminor [15:0] */
	/* build_time, BCD: seconds [31:24] minutes [23:16] hours [15:8]; year, month, day */
	uint8_t bt_seconds, bt_minutes, bt_hours, bt_month, bt_day;
	uint16_t bt_year;
	uint32_t user_time_hi, user_time_lo, build_tool_version;
	char version_string[92];
};
extern const struct bf_fw_layout bf_fw_mcqi_version_layout;

struct bf_fw_mcqi_activation {         /* info_type 5, 4 bytes */
	uint8_t all_hosts_sync, auto_activate, pending_fw_reset, pending_server_reboot,
		pending_server_dc_power_cycle, pending_server_ac_power_cycle, self_activation;
};
extern const struct bf_fw_layout bf_fw_mcqi_activation_layout;

/* --- MCC (0x9062, 0x20): component control, spec 3.6 ---------------------- */
enum { BF_FW_MCC_QUERY = 0x0, BF_FW_MCC_LOCK_UPDATE_HANDLE = 0x1, BF_FW_MCC_RELEASE_UPDATE_HANDLE = 0x2,
       BF_FW_MCC_UPDATE_COMPONENT = 0x3, BF_FW_MCC_VERIFY_COMPONENT = 0x4, BF_FW_MCC_ACTIVATE = 0x6,
       BF_FW_MCC_READ_COMPONENT = 0x7, BF_FW_MCC_CANCEL = 0x8, BF_FW_MCC_CHECK_UPDATE_HANDLE = 0x9,
       BF_FW_MCC_FORCE_HANDLE_RELEASE = 0xA, BF_FW_MCC_READ_PENDING_COMPONENT = 0xB };
enum { BF_FW_FSM_IDLE, BF_FW_FSM_LOCKED, BF_FW_FSM_INITIALIZE, BF_FW_FSM_DOWNLOAD, BF_FW_FSM_VERIFY,
       BF_FW_FSM_APPLY, BF_FW_FSM_ACTIVATE, BF_FW_FSM_UPLOAD, BF_FW_FSM_UPLOAD_PENDING,
       BF_FW_FSM_DOWNSTREAM_DEVICE_TRANSFER };
struct bf_fw_mcc {
	uint8_t instruction, activation_delay_sec;
	uint16_t time_elapsed_since_last_cmd, component_index;
	uint32_t update_handle;
	uint8_t auto_update, control_state, error_code, control_progress, handle_owner_host_id,
		handle_owner_type;
	uint32_t component_size;
	uint8_t device_type, warning_code;
	uint16_t device_index, device_index_size, rejected_device_index;
	uint32_t component_specific_err_code;
};
extern const struct bf_fw_layout bf_fw_mcc_layout;
/* The FSM state and MCC error code as words ("LOCKED", "REJECTED_DIGEST_ERR"). */
const char *bf_fw_fsm_state_name(unsigned st);
const char *bf_fw_mcc_error_name(unsigned code);
/* A sentence for an MCC error code, for the user. */
const char *bf_fw_mcc_error_text(unsigned code);

/* --- MCDA (0x9063, 0x90): component data, spec 3.7 ------------------------ */
#define BF_FW_MCDA_DATA_MAX 128
struct bf_fw_mcda {
	uint32_t update_handle, offset;
	uint16_t size;
	uint8_t data[BF_FW_MCDA_DATA_MAX];    /* as in the register */
};
extern const struct bf_fw_layout bf_fw_mcda_layout;
/* Image bytes <-> the register's data: each 4-byte group of the image goes
 * into a register dword as its little-endian value (as mstflint sends it);
 * a final partial group is zero-padded. len <= 128. */
void bf_fw_mcda_put(struct bf_fw_mcda *m, const uint8_t *img, size_t len);
void bf_fw_mcda_get(const struct bf_fw_mcda *m, uint8_t *img, size_t len);

/* --- MQIS (0x9064, 0x18): information strings, spec 3.8 ------------------- */
enum { BF_FW_MQIS_VPD, BF_FW_MQIS_MODEL_NAME, BF_FW_MQIS_MODEL_DESCRIPTION, BF_FW_MQIS_IMAGE_VSD,
       BF_FW_MQIS_DEVICE_VSD, BF_FW_MQIS_ROM_INFO };
struct bf_fw_mqis {
	uint8_t info_type;
	uint16_t info_length, read_length, read_offset;
	uint8_t info_string[8];
};
extern const struct bf_fw_layout bf_fw_mqis_layout;

/* --- MFRL (0x9028, 0x8): firmware reset level, spec 3.9 (HEAD layout) ----- */
struct bf_fw_mfrl {
	uint8_t reset_trigger, reset_type, reset_state, pci_reset_req_method, rst_type_sel,
		pci_sync_for_fw_update_resp, pci_sync_for_fw_update_start, pci_rescan_required;
};
extern const struct bf_fw_layout bf_fw_mfrl_layout;

/* --- NV configuration registers, spec 3.10 --------------------------------- */
#define BF_FW_NV_HDR_SIZE  12
#define BF_FW_NV_DATA_MAX  256
enum { BF_FW_NV_WRITER_MLXCONFIG = 9 };
struct bf_fw_mnvda {                   /* MNVDA 0x9024 (MNVDI 0x9025: header only) */
	uint16_t length;
	uint8_t writer_host_id, version, writer_id, read_current, def, rd_en, over_en, priority;
	uint32_t type;
	uint8_t data[BF_FW_NV_DATA_MAX];
};
extern const struct bf_fw_layout bf_fw_mnvda_layout, bf_fw_mnvdi_layout;

struct bf_fw_mnvqc {                   /* 0x9030, 0x8 */
	uint32_t type;
	uint8_t support_rd, support_wr, version, host_id_valid;
};
extern const struct bf_fw_layout bf_fw_mnvqc_layout;

struct bf_fw_mnvgc {                   /* 0x9034, 0x10 */
	uint8_t nvda_read_factory_settings, nvda_read_current_settings, priv_nv_other_host;
};
extern const struct bf_fw_layout bf_fw_mnvgc_layout;

struct bf_fw_mnvia {                   /* 0x9033, 0x8 */
	uint8_t target, writer_id;
};
extern const struct bf_fw_layout bf_fw_mnvia_layout;

/* NV TLV type dword (nv_hdr.type): class [31:24] and the class's fields. */
enum { BF_FW_NV_CLASS_GLOBAL = 0, BF_FW_NV_CLASS_PORT = 1, BF_FW_NV_CLASS_HOST_PF = 3,
       BF_FW_NV_CLASS_HOST = 7 };
uint32_t bf_fw_nv_type(unsigned cls, unsigned index, unsigned port, unsigned host, unsigned function);

/* Register status (operation TLV) as a sentence fragment ("bad parameter"). */
const char *bf_fw_reg_status_text(unsigned status);

#endif
