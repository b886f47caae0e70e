/* opn.h - the board's OPN string in the YU boot record (bf_opn_*), and the
 * MEM_ACC path (bf_mem_acc_*) that reaches SoC memory from the host, which
 * a BlueField-2 needs for it. Facts: spec rshim.md 3 "MEM_ACC", "OPN string". */
#ifndef BF_OPN_H
#define BF_OPN_H

#include <stdint.h>

#include "rshim.h"

/* One 4-byte SoC memory access through MEM_ACC: 0, -ETIMEDOUT (no answer:
 * the byte access widget timed out) or the transport's -errno. */
int bf_mem_acc_read32(struct bf_rshim *r, uint64_t pa, uint32_t *val);
int bf_mem_acc_write32(struct bf_rshim *r, uint64_t pa, uint32_t val);

/* The OPN (up to 16 printable characters, NUL-terminated; "" when the boot
 * record holds none). BF3: YU channel registers; BF2: MEM_ACC. 0,
 * -EOPNOTSUPP (BlueField-1) or -errno. */
int bf_opn_read(struct bf_rshim *r, char opn[BF_OPN_LEN + 1]);
/* Write opn (at most 16 characters, NUL-padded). Same returns. */
int bf_opn_write(struct bf_rshim *r, const char *opn);

#endif
