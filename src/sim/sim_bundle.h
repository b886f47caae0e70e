/* sim_bundle.h - what `bfsim bundle` puts in a bundle besides its recipe
 * (bf_sim_bundle_*): a version set, single component versions, the NIC
 * firmware's PSID and image (fwbundle.c). */
#ifndef BF_SIM_BUNDLE_H
#define BF_SIM_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "bfb_pack.h"

#define BF_SIM_BUNDLE_MAX_OVER 16

struct bf_sim_bundle {
	const char *set;                  /* "current" or "next" */
	char over[BF_SIM_BUNDLE_MAX_OVER][64];   /* "param=version" */
	size_t nover;
	char psid[17];                    /* "" = the chip's default */
	const char *nic_image;            /* "good" or "bad" */
};

void bf_sim_bundle_init(struct bf_sim_bundle *b);
/* "COMPONENT=VERSION" (ATF, UEFI, BSP, NIC, BMC, CEC, DOCA). 0 or -EINVAL
 * with a sentence. */
int bf_sim_bundle_version(struct bf_sim_bundle *b, const char *kv);
/* The recipe parameters, before the recipe is read. 0 or -errno. */
int bf_sim_bundle_params(const struct bf_sim_bundle *b, bool bf2, struct bf_bfb_pack *p);
/* The NIC firmware image (nicfw, id 41), after the recipe. 0 or -errno. */
int bf_sim_bundle_nicfw(const struct bf_sim_bundle *b, bool bf2, struct bf_bfb_pack *p);

#endif
