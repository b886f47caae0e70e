/* fw/params.h - the NIC configuration parameter database (bf_fw_params_*),
 * firmware/params.yaml: every mlxconfig parameter bfctl knows, with its TLV,
 * bits, type, value texts, range and scope; and the parsing and printing
 * of values the way mlxconfig does (True/False, TEXT(n), numbers).
 * Read at run time: a new parameter is a data change. */
#ifndef BF_FW_PARAMS_H
#define BF_FW_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bf_fw_ptype { BF_FW_PT_BOOL, BF_FW_PT_ENUM, BF_FW_PT_UINT };

#define BF_FW_PARAM_MAX_VALUES 16

struct bf_fw_tlv {
	char *name;
	unsigned cls, index, size;
	bool cap;
};

/* A field of a TLV: the big-endian dword at byte off, bits lsb..lsb+width-1. */
struct bf_fw_fref {
	bool set;
	size_t tlv;              /* index into the database's TLVs */
	uint16_t off;
	uint8_t lsb, width;
	bool has_valid;          /* max: the field counts only when this bit is 1 */
	uint16_t valid_off;
	uint8_t valid_lsb;
};

struct bf_fw_param {
	char *name;
	size_t tlv;
	uint16_t off;
	uint8_t lsb, width;
	enum bf_fw_ptype type;
	char *texts[BF_FW_PARAM_MAX_VALUES];
	uint32_t nums[BF_FW_PARAM_MAX_VALUES];
	unsigned nvalues;
	uint32_t min, max;       /* max: the width's, or the file's */
	struct bf_fw_fref max_cap;    /* a capability field bounding the value */
	struct bf_fw_fref valid;      /* set to 1 with the value (same TLV) */
	struct bf_fw_fref supported;  /* a capability bit that must be 1 */
	char *description;
};

struct bf_fw_params {
	struct bf_fw_tlv *tlvs;
	size_t ntlvs;
	struct bf_fw_param *p;
	size_t n;
};

/* Parse a params.yaml buffer (fuzzable). 0 or -EINVAL with a sentence
 * naming the entry. */
int bf_fw_params_parse(const char *buf, size_t len, struct bf_fw_params *db);
/* Load firmware/params.yaml from the data directory (bf_data_path). */
int bf_fw_params_load(struct bf_fw_params *db);
void bf_fw_params_free(struct bf_fw_params *db);

bool bf_fw_param_per_port(const struct bf_fw_params *db, const struct bf_fw_param *p);
/* The parameter a user's name means (case does not matter): per-port ones
 * carry _P<n> (1 <= n <= nports), *port gets n (0 otherwise). NULL with a
 * sentence (unknown, with "did you mean"; or a port out of range). */
const struct bf_fw_param *bf_fw_params_find(const struct bf_fw_params *db, const char *name, unsigned nports,
					    unsigned *port);
/* The closest known name (for "did you mean"), or NULL. */
const char *bf_fw_params_suggest(const struct bf_fw_params *db, const char *name);
/* The name as shown: LINK_TYPE_P2 for port 2. */
void bf_fw_param_name(const struct bf_fw_param *p, unsigned port, char *buf, size_t len);

/* The TLV type dword of the parameter (host 0, function 0; port). */
uint32_t bf_fw_param_type(const struct bf_fw_params *db, const struct bf_fw_param *p, unsigned port);
/* A capability field's TLV type dword. */
uint32_t bf_fw_fref_type(const struct bf_fw_params *db, const struct bf_fw_fref *f);

/* A value as users write it: a number (decimal or 0x...), True/False
 * (any case) for bool, a value text (any case) for enum, or TEXT(n) as
 * mlxconfig prints it (text and number must agree). Checked against the
 * width, min and max of the file. 0 or -EINVAL with a sentence. */
int bf_fw_param_parse_value(const struct bf_fw_param *p, const char *text, uint32_t *v);
/* As mlxconfig prints it: "True(1)", "EMBEDDED_CPU(1)", "64". */
void bf_fw_param_format(const struct bf_fw_param *p, uint32_t v, char *buf, size_t len);

#endif
