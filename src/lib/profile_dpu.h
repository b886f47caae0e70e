/* profile_dpu.h - reading the dpu: layer of a profile (internal). */
#ifndef BF_PROFILE_DPU_H
#define BF_PROFILE_DPU_H

#include "profile_get.h"

/* Fill c->p from the dpu: mapping, reporting into c->res. */
void bf_profile_read_dpu(struct bf_pchk *c, const struct bf_pnode *dpu);

#endif
