/* readahead.h - stream a file through a callback while a second thread
 * reads ahead (bf_readahead_*): the read() copies and the consumer's work
 * (CRC) overlap on two cores. Constant memory: a few fixed buffers. */
#ifndef BF_READAHEAD_H
#define BF_READAHEAD_H

#include <stddef.h>
#include <stdint.h>

#define BF_READAHEAD_BUF  (1u << 20)
#define BF_READAHEAD_NBUF 4

/* Call fn for consecutive pieces of the file, in order, until EOF, fn
 * returns non-zero (returned as is) or a read fails (-errno, sentence set).
 * *total gets the bytes delivered. */
int bf_readahead_file(int fd, const char *name,
		      int (*fn)(void *ctx, const uint8_t *buf, size_t len), void *ctx,
		      uint64_t *total);

#endif
