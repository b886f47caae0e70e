/* rshim/bootfifo.c - boot stream words into BOOT_FIFO_DATA under the FIFO
 * count (the flow control of the register-based backends). */
#include "config.h"
#include "rshim/bootfifo.h"

#include <errno.h>
#include <string.h>

ssize_t bf_rshim_boot_fifo_push(struct bf_rshim *r, const void *buf, size_t len)
{
	const struct bf_chip_regs *g = &r->chip->r;
	const uint8_t *b = buf;
	uint64_t count, avail;
	size_t done = 0;
	int ret;

	ret = r->ops->read_reg(r, BF_CHAN_RSHIM, g->boot_fifo_count, &count);
	if (ret < 0)
		return ret;
	if (bf_chip_is_bad_value(count))
		return -EIO;
	count &= BF_FIFO_COUNT_MASK;
	avail = BF_RSHIM_BOOT_FIFO_WORDS > count + BF_RSHIM_BOOT_FIFO_RESERVE ?
		BF_RSHIM_BOOT_FIFO_WORDS - count - BF_RSHIM_BOOT_FIFO_RESERVE : 0;
	while (avail && done < len) {
		uint8_t w[8] = { 0 };
		size_t n = len - done < 8 ? len - done : 8;
		uint64_t v = 0;
		int i;

		memcpy(w, b + done, n);   /* the last word of the stream is zero-padded */
		for (i = 7; i >= 0; i--)
			v = (v << 8) | w[i];
		ret = r->ops->write_reg(r, BF_CHAN_RSHIM, g->boot_fifo_data, v);
		if (ret < 0)
			return done ? (ssize_t)done : ret;
		done += n;
		avail--;
	}
	return (ssize_t)done;
}
