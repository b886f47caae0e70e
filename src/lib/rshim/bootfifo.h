/* rshim/bootfifo.h - the register path of the boot stream (bf_rshim_boot_fifo_*)
 * shared by the backends without a bulk endpoint (pcie, pcie-lf): words
 * written to BOOT_FIFO_DATA, as many as the FIFO count says there is room
 * for. Facts: doc/rshim.md section 3.
 */
#ifndef BF_RSHIM_BOOTFIFO_H
#define BF_RSHIM_BOOTFIFO_H

#include <stddef.h>
#include <sys/types.h>

#include "rshim.h"

#define BF_RSHIM_BOOT_FIFO_WORDS   512   /* the depth the host assumes for every chip */
#define BF_RSHIM_BOOT_FIFO_RESERVE 3     /* words kept free (RSHIM_FIFO_SPACE_RESERV) */

/* One boot_write step through r->ops: read BOOT_FIFO_COUNT, then write
 * up to (512 - count - 3) words of buf to BOOT_FIFO_DATA (the last word
 * of the stream zero-padded). Returns the bytes taken (0 when the FIFO is
 * full now), or -errno when nothing was taken. */
ssize_t bf_rshim_boot_fifo_push(struct bf_rshim *r, const void *buf, size_t len);

#endif
