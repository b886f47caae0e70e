/* readahead.c - a reader thread filling a small ring of buffers. */
#include "config.h"
#include "readahead.h"
#include "error.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ra {
	int fd;
	uint8_t *buf[BF_READAHEAD_NBUF];
	size_t len[BF_READAHEAD_NBUF];
	unsigned head, count;        /* filled buffers: head .. head+count-1 */
	bool eof, stop;
	int err;                     /* positive errno from read() */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *reader(void *arg)
{
	struct ra *ra = arg;

	for (;;) {
		unsigned slot;
		ssize_t n;

		pthread_mutex_lock(&ra->mu);
		while (ra->count == BF_READAHEAD_NBUF && !ra->stop)
			pthread_cond_wait(&ra->cv, &ra->mu);
		if (ra->stop) {
			pthread_mutex_unlock(&ra->mu);
			return NULL;
		}
		slot = (ra->head + ra->count) % BF_READAHEAD_NBUF;
		pthread_mutex_unlock(&ra->mu);

		do
			n = read(ra->fd, ra->buf[slot], BF_READAHEAD_BUF);
		while (n < 0 && errno == EINTR);

		pthread_mutex_lock(&ra->mu);
		if (n <= 0) {
			ra->eof = true;
			ra->err = n < 0 ? errno : 0;
		} else {
			ra->len[slot] = (size_t)n;
			ra->count++;
		}
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		if (n <= 0)
			return NULL;
	}
}

int bf_readahead_file(int fd, const char *name,
		      int (*fn)(void *ctx, const uint8_t *buf, size_t len), void *ctx,
		      uint64_t *total)
{
	struct ra ra = { .fd = fd };
	pthread_t th;
	unsigned i;
	int r = 0;

	*total = 0;
	for (i = 0; i < BF_READAHEAD_NBUF; i++)
		if (!(ra.buf[i] = malloc(BF_READAHEAD_BUF)))
			r = -ENOMEM;
	pthread_mutex_init(&ra.mu, NULL);
	pthread_cond_init(&ra.cv, NULL);
	if (r == 0 && pthread_create(&th, NULL, reader, &ra) != 0)
		r = -EAGAIN;
	if (r < 0)
		goto out;
	for (;;) {
		unsigned slot;
		size_t len;

		pthread_mutex_lock(&ra.mu);
		while (ra.count == 0 && !ra.eof)
			pthread_cond_wait(&ra.cv, &ra.mu);
		if (ra.count == 0) {
			if (ra.err)
				r = bf_error_ret(ra.err, "read error in %s after %llu bytes: %s", name,
						 (unsigned long long)*total, strerror(ra.err));
			pthread_mutex_unlock(&ra.mu);
			break;
		}
		slot = ra.head;
		len = ra.len[slot];
		pthread_mutex_unlock(&ra.mu);

		r = fn(ctx, ra.buf[slot], len);
		*total += len;

		pthread_mutex_lock(&ra.mu);
		ra.head = (ra.head + 1) % BF_READAHEAD_NBUF;
		ra.count--;
		if (r)
			ra.stop = true;
		pthread_cond_broadcast(&ra.cv);
		pthread_mutex_unlock(&ra.mu);
		if (r)
			break;
	}
	pthread_join(th, NULL);
out:
	pthread_cond_destroy(&ra.cv);
	pthread_mutex_destroy(&ra.mu);
	for (i = 0; i < BF_READAHEAD_NBUF; i++)
		free(ra.buf[i]);
	return r;
}
