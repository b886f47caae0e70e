/* opn.c - the OPN string of the YU boot record: four 32-bit words, the
 * first character in bits 31:24 of each. A BlueField-3 shows them as YU
 * channel registers; a BlueField-2 keeps them in SoC memory, reached with
 * MEM_ACC (the privilege bit set first, then one request, then its answer
 * counted in MEM_ACC_RSP_CNT). */
#include "config.h"
#include "opn.h"
#include "chip.h"

#include <errno.h>
#include <string.h>

#define RSP_POLLS 1000   /* reads of MEM_ACC_RSP_CNT before giving up */

static int mem_acc(struct bf_rshim *r, uint64_t pa, bool write, uint32_t wval, uint32_t *rval)
{
	const struct bf_chip_regs *g = &r->chip->r;
	uint64_t v, c0, c;
	unsigned i;
	int ret;

	if ((ret = bf_rshim_read_data(r, BF_CHAN_RSHIM, g->mstr_priv_lvl, &v)) < 0 ||
	    (ret = bf_rshim_write(r, BF_CHAN_RSHIM, g->mstr_priv_lvl, v | 1ull << r->chip->mem_acc_lvl_shift)) < 0 ||
	    (ret = bf_rshim_read_data(r, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, &c0)) < 0)
		return ret;
	if (write && (ret = bf_rshim_write(r, BF_CHAN_RSHIM, g->mem_acc_data, wval)) < 0)
		return ret;
	v = (pa & BF_MEM_ACC_ADDR_MASK) | BF_MEM_ACC_SIZE_4B << BF_MEM_ACC_SIZE_SHIFT | BF_MEM_ACC_SEND |
	    (write ? BF_MEM_ACC_WRITE : 0);
	if ((ret = bf_rshim_write(r, BF_CHAN_RSHIM, g->mem_acc_ctl, v)) < 0)
		return ret;
	for (i = 0; i < RSP_POLLS; i++) {
		if ((ret = bf_rshim_read_data(r, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, &c)) < 0)
			return ret;
		if (c != c0)
			break;
	}
	if (i == RSP_POLLS)
		return -ETIMEDOUT;
	if (!write) {
		if ((ret = bf_rshim_read_data(r, BF_CHAN_RSHIM, g->mem_acc_data, &v)) < 0)
			return ret;
		*rval = (uint32_t)v;
	}
	return 0;
}

int bf_mem_acc_read32(struct bf_rshim *r, uint64_t pa, uint32_t *val)
{
	return mem_acc(r, pa, false, 0, val);
}

int bf_mem_acc_write32(struct bf_rshim *r, uint64_t pa, uint32_t val)
{
	return mem_acc(r, pa, true, val, NULL);
}

/* BF3: word i is half of the 8-byte register at the aligned offset below
 * it (the backends make 8-byte accesses; upstream's 4-byte ones reach the
 * same bytes). */
static int word_rd(struct bf_rshim *r, unsigned i, uint32_t *w)
{
	uint32_t off = BF_BF3_OPN_YU_OFF + 4 * i;
	uint64_t v;
	int ret;

	if (r->chip->ver == BF_CHIP_BF2)
		return bf_mem_acc_read32(r, BF_BF2_OPN_ADDR + 4 * i, w);
	if ((ret = bf_rshim_read_data(r, BF_CHAN_YU, off & ~7u, &v)) < 0)
		return ret;
	*w = (uint32_t)(v >> (off & 4 ? 32 : 0));
	return 0;
}

/* BF3: read, replace the half, write back (the other half unchanged). */
static int word_wr(struct bf_rshim *r, unsigned i, uint32_t w)
{
	uint32_t off = BF_BF3_OPN_YU_OFF + 4 * i;
	unsigned shift = off & 4 ? 32 : 0;
	uint64_t v;
	int ret;

	if (r->chip->ver == BF_CHIP_BF2)
		return bf_mem_acc_write32(r, BF_BF2_OPN_ADDR + 4 * i, w);
	if ((ret = bf_rshim_read_data(r, BF_CHAN_YU, off & ~7u, &v)) < 0)
		return ret;
	v = (v & ~(0xffffffffull << shift)) | (uint64_t)w << shift;
	return bf_rshim_write(r, BF_CHAN_YU, off & ~7u, v);
}

int bf_opn_read(struct bf_rshim *r, char opn[BF_OPN_LEN + 1])
{
	unsigned i, k, n = 0;
	uint32_t w;
	int ret;

	opn[0] = '\0';
	if (r->chip->ver != BF_CHIP_BF2 && r->chip->ver != BF_CHIP_BF3)
		return -EOPNOTSUPP;
	for (i = 0; i < BF_OPN_LEN / 4; i++) {
		if ((ret = word_rd(r, i, &w)) < 0)
			return ret;
		for (k = 0; k < 4; k++) {
			char c = (char)((w >> (24 - 8 * k)) & 0xff);

			if (c == '\0' || c == ' ')
				goto out;
			if (c < 0x21 || c > 0x7e)
				c = '?';   /* device data: printable only */
			opn[n++] = c;
		}
	}
out:
	opn[n] = '\0';
	return 0;
}

int bf_opn_write(struct bf_rshim *r, const char *opn)
{
	char c[BF_OPN_LEN] = { 0 };
	unsigned i;
	int ret;

	if (r->chip->ver != BF_CHIP_BF2 && r->chip->ver != BF_CHIP_BF3)
		return -EOPNOTSUPP;
	memcpy(c, opn, strnlen(opn, BF_OPN_LEN));
	for (i = 0; i < BF_OPN_LEN / 4; i++) {
		uint32_t w = (uint32_t)(uint8_t)c[4 * i] << 24 | (uint32_t)(uint8_t)c[4 * i + 1] << 16 |
			     (uint32_t)(uint8_t)c[4 * i + 2] << 8 | (uint32_t)(uint8_t)c[4 * i + 3];

		if ((ret = word_wr(r, i, w)) < 0)
			return ret;
	}
	return 0;
}
