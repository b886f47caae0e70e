/* bundle.h - sample bundles for the simulator (bf_sim_bundle_*). */
#ifndef BF_SIM_BUNDLE_H
#define BF_SIM_BUNDLE_H

#include <stdint.h>

#include "chip.h"

enum bf_sim_bundle_kind { BF_SIM_BUNDLE_FULL, BF_SIM_BUNDLE_FW };

struct bf_sim_bundle_opts {
	enum bf_sim_bundle_kind kind;
	const struct bf_chip *chip;   /* versions and PSID of this chip; boot args for both */
	uint64_t os_bytes;            /* size of the OS payload (full bundles) */
};

/* Write the bundle atomically (temporary file + rename). 0 or -errno. */
int bf_sim_bundle_write(const char *out, const struct bf_sim_bundle_opts *o);

#endif
