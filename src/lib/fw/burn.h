/* fw/burn.h - burning NIC firmware through the firmware's component update
 * (bf_fw_burn_*): MCC lock, update, MCDA data in the largest chunks the
 * mailbox allows, verify, activate, release; the flash-programming
 * semaphore; PSID and chip checks before anything is sent; cancel on error
 * or on a stop request (Ctrl-C) so that the NIC keeps its running image.
 * Facts: doc/firmware.md section 4. */
#ifndef BF_FW_BURN_H
#define BF_FW_BURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw/dev.h"
#include "fw/image.h"

enum bf_fw_burn_phase {
	BF_FW_BURN_LOCK, BF_FW_BURN_INITIALIZE, BF_FW_BURN_DATA, BF_FW_BURN_VERIFY,
	BF_FW_BURN_ACTIVATE, BF_FW_BURN_RELEASE, BF_FW_BURN_DONE,
};
const char *bf_fw_burn_phase_name(enum bf_fw_burn_phase p);

struct bf_fw_burn_opts {
	bool allow_psid_change;
	/* Called at each phase and after each data chunk (done/total bytes). */
	void (*progress)(void *ctx, enum bf_fw_burn_phase phase, uint64_t done, uint64_t total);
	/* true = stop now (NULL: bf_stop_requested, i.e. SIGINT/SIGTERM). */
	bool (*cancel)(void *ctx);
	void *ctx;
};

struct bf_fw_burn_result {
	uint32_t chunk;               /* MCDA data bytes per command */
	uint64_t commands;            /* ICMD commands sent */
	uint64_t accesses;            /* config-space accesses made */
	enum bf_fw_burn_phase phase;  /* where it stopped (DONE on success) */
	bool activated;               /* the new image waits for a reset */
	bool cancelled;               /* the update was cancelled on the device */
};

/* The checks made before a burn: the image is whole (BFSIMFW1: header,
 * length, CRC; FS4: structure and CRCs), signed (FS4), for this chip, and
 * for this PSID (unless allow_psid_change).
 * dev_psid gets the device's. 0 or -EBADMSG (bad image) / -EINVAL (wrong
 * chip or PSID) with a sentence. */
int bf_fw_burn_check(struct bf_fw_dev *d, const uint8_t *img, size_t len, bool allow_psid_change,
		     struct bf_fw_image_hdr *h, char dev_psid[17]);

/* Burn img (either format; the component sent is bf_fw_image_component's).
 * 0 when the image is activated (pending a reset); -errno with a
 * sentence otherwise (-EINTR when stopped), the update cancelled on the
 * device when it can still be reached. */
int bf_fw_burn(struct bf_fw_dev *d, const uint8_t *img, size_t len, const struct bf_fw_burn_opts *o,
	       struct bf_fw_burn_result *res);

/* The MCDA chunk for a mailbox of max_cmd_size bytes (multiple of 4, at
 * most 128, the MCDA register's data). */
uint32_t bf_fw_burn_chunk(uint32_t max_cmd_size);

#endif
