/* fw/reg.h - ACCESS_REGISTER over ICMD (bf_fw_reg_*): the operation TLV,
 * the register TLV, the register status turned into a sentence. Facts:
 * doc/firmware.md section 2 (ACCESS_REGISTER). */
#ifndef BF_FW_REG_H
#define BF_FW_REG_H

#include <stddef.h>
#include <stdint.h>

#include "fw/icmd.h"
#include "fw/layout.h"

/* Build the request into buf (BF_FW_AR_HDR_SIZE + payload): operation TLV
 * (method, register id, class 1) and register TLV (length of reg_size). */
void bf_fw_reg_encode(uint8_t *buf, uint16_t reg_id, int method, size_t reg_size);

/* One access: payload is the register (reg_size bytes, big-endian); wsize
 * of it is written and rsize read back. Returns 0 with *status = the
 * register status when status is given; without it, a non-zero register
 * status is an error (-EREMOTEIO with a sentence). Malformed replies
 * (operation TLV type/length, another register id) are -EPROTO; ICMD and
 * gateway failures come through as they are. */
int bf_fw_reg_raw(struct bf_fw_icmd *ic, uint16_t reg_id, int method, uint8_t *payload, size_t reg_size,
		  size_t wsize, size_t rsize, unsigned *status);

/* A register by its layout: st (the layout's struct) is packed, sent,
 * and replaced by the reply. */
int bf_fw_reg(struct bf_fw_icmd *ic, const struct bf_fw_layout *l, int method, void *st, unsigned *status);
/* The same with explicit write/read sizes (bytes of the register). */
int bf_fw_reg_sized(struct bf_fw_icmd *ic, const struct bf_fw_layout *l, int method, void *st,
		    size_t wsize, size_t rsize, unsigned *status);

#endif
