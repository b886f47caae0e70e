/* fw/reset.h - NIC firmware reset through MFRL (bf_fw_reset_*): the levels
 * and types the device supports, the reset itself, and the wait for it
 * (MGIR uptime). Facts: doc/firmware.md sections 3 and 5. */
#ifndef BF_FW_RESET_H
#define BF_FW_RESET_H

#include <stdbool.h>
#include <stdint.h>

#include "fw/dev.h"

enum { BF_FW_SYNC_TOOL = 0, BF_FW_SYNC_DRIVER = 1, BF_FW_SYNC_FW = 2 };

struct bf_fw_reset_caps {
	uint8_t levels;           /* MFRL reset_trigger mask (bit0 level 0, bit1 level 1, bit3 level 3, bit6 level 4) */
	uint8_t types;            /* MFRL reset_type mask (bit n: type n) */
	uint8_t state;            /* MFRL reset_state */
	bool driver_sync;         /* MCAM feature 19: reset by FW-driver sync */
	int default_level, default_type;   /* -1 when none */
};

/* The level numbers and their texts (0, 1, 3, 4), the types (0-4). */
const char *bf_fw_reset_level_text(int level);
const char *bf_fw_reset_type_text(int type);
const char *bf_fw_reset_state_text(unsigned state);
bool bf_fw_reset_level_ok(const struct bf_fw_reset_caps *c, int level);

int bf_fw_reset_query(struct bf_fw_dev *d, struct bf_fw_reset_caps *c);

struct bf_fw_reset_opts {
	int level, type, sync;
	double timeout_s;         /* for the NIC to go down and come back (180) */
};

/* MFRL SET, then (levels 1 and 3) wait until the NIC has reset: it
 * disappears from the bus and comes back with a smaller uptime. *waited
 * tells whether the reset was seen (level 4 waits for a host reboot, level
 * 0 does not reset). 0 or -errno with a sentence. */
int bf_fw_reset(struct bf_fw_dev *d, const struct bf_fw_reset_opts *o, bool *waited);

#endif
