/* ioctl.c - decoding the rshim file's register ioctls (spec rshim.md 7):
 * RSHIM_IOC_READ/WRITE {u32 addr; u64 data} (12 bytes) and the
 * READ2/WRITE2 form with a trailing u8 data_size (13 bytes); address
 * (channel << 16) | offset, or a BF3 linear address. The buffer comes from
 * any local process: every field is checked. */
#include "config.h"
#include "rshimd.h"
#include "chip.h"
#include "rshim_ioctl.h"

#include <errno.h>
#include <string.h>

int bf_rshimd_ioctl_decode(unsigned cmd, const void *in, size_t in_len, int chip_ver,
			   bool bf3_usb, struct bf_rshimd_ioreq *rq)
{
	const struct bf_chip *chip = bf_chip_get((enum bf_chip_ver)chip_ver);
	struct bf_rshim_ioc2 m;
	uint32_t addr, chan, off;
	bool v2;

	memset(rq, 0, sizeof(*rq));
	switch (cmd) {
	case BF_RSHIM_IOC_READ:
	case BF_RSHIM_IOC_WRITE:
		v2 = false;
		rq->msg_len = sizeof(struct bf_rshim_ioc);
		break;
	case BF_RSHIM_IOC_READ2:
	case BF_RSHIM_IOC_WRITE2:
		v2 = true;
		rq->msg_len = sizeof(struct bf_rshim_ioc2);
		break;
	default:
		return -ENOTTY;
	}
	if (!chip || !in || in_len < rq->msg_len)
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	memcpy(&m, in, rq->msg_len);
	rq->write = cmd == BF_RSHIM_IOC_WRITE || cmd == BF_RSHIM_IOC_WRITE2;
	rq->size = v2 ? m.data_size : 8;
	if (rq->size != 4 && rq->size != 8)
		return -EINVAL;
	rq->data = m.data;
	addr = m.addr;
	chan = addr >> 16;
	/* Upstream masks the channel to 4 bits: v1 unless BF3 over USB, v2
	 * only on BF1/BF2 (so BF3 takes linear addresses). */
	if ((!v2 && !(chip_ver >= 3 && bf3_usb)) || (v2 && chip_ver < 3))
		addr = ((chan & 0xf) << 16) | (addr & 0xffff);
	if (bf_chip_addr_split(chip, addr, &chan, &off) < 0)
		return -EINVAL;
	if (rq->size == 8 && (off & 7))
		return -EINVAL;
	if (rq->size == 4 && (off & 3))
		return -EINVAL;
	rq->chan = chan;
	rq->shift = rq->size == 4 ? (off & 4) * 8 : 0;
	rq->off = off & ~7u;
	if (rq->size == 4)
		rq->data &= 0xffffffffull;
	return 0;
}

void bf_rshimd_ioctl_reply(const void *in, const struct bf_rshimd_ioreq *rq, uint64_t data,
			   uint8_t *out)
{
	struct bf_rshim_ioc2 m;

	memset(&m, 0, sizeof(m));
	memcpy(&m, in, rq->msg_len);
	m.data = data;
	memcpy(out, &m, rq->msg_len);
}
