/* crcpar.h - CRC-32 of a file range on two cores (bf_crcpar_*): the
 * range is cut into chunks of BF_CRCPAR_MIN that the caller and a helper
 * thread take in turn, each reading through a small buffer that stays in
 * its core's cache, and the chunk CRCs are joined in order with zlib's
 * crc32_combine; when one thread waits for a core, the other does more.
 * The value is bf_bfb_crc32's (zlib's polynomial and conventions).
 * Memory: one 2 MiB block holding the two BF_CRCPAR_BUF buffers, and the
 * CRCs of a few chunks, whatever the range. The thread starts with the
 * first range of BF_CRCPAR_MIN or more. */
#ifndef BF_CRCPAR_H
#define BF_CRCPAR_H

#include <stddef.h>
#include <stdint.h>

#define BF_CRCPAR_BUF (256u << 10)
/* Ranges shorter than this are done by the caller alone. */
#define BF_CRCPAR_MIN (4u << 20)

struct bf_crcpar;

/* 0 or -errno. */
int bf_crcpar_new(struct bf_crcpar **out);
void bf_crcpar_free(struct bf_crcpar *c);
/* *crc = CRC-32 (from 0) of fd's bytes [off, off + len). 0, -EIO (the
 * file ended early) or -errno of a failed read. */
int bf_crcpar_file(struct bf_crcpar *c, int fd, uint64_t off, uint64_t len, uint32_t *crc);

#endif
