/* crcpar.c - CRC-32 of a file range on two cores (see crcpar.h). */
#include "config.h"
#include "crcpar.h"
#include "bfb.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

struct part {
	int fd;
	uint64_t off, len;
	uint32_t crc;
	int err;
	uint8_t *buf;
};

struct bf_crcpar {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct part mine, helper;
	bool job, done, quit;
};

/* CRC of one part through its buffer. */
static void run_part(struct part *p)
{
	uint64_t at = p->off, end = p->off + p->len;
	uint32_t crc = 0;

	p->err = 0;
	while (at < end) {
		size_t want = end - at < BF_CRCPAR_BUF ? (size_t)(end - at) : BF_CRCPAR_BUF;
		ssize_t n = pread(p->fd, p->buf, want, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			p->err = n < 0 ? -errno : -EIO;
			break;
		}
		crc = bf_bfb_crc32(crc, p->buf, (size_t)n);
		at += (uint64_t)n;
	}
	p->crc = crc;
}

static void *worker(void *arg)
{
	struct bf_crcpar *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->job && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->quit)
			break;
		pthread_mutex_unlock(&c->mu);
		run_part(&c->helper);
		pthread_mutex_lock(&c->mu);
		c->job = false;
		c->done = true;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int bf_crcpar_new(struct bf_crcpar **out)
{
	struct bf_crcpar *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->mine.buf = malloc(BF_CRCPAR_BUF);
	c->helper.buf = malloc(BF_CRCPAR_BUF);
	if (!c->mine.buf || !c->helper.buf) {
		free(c->mine.buf);
		free(c->helper.buf);
		free(c);
		return -ENOMEM;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if ((r = pthread_create(&c->th, NULL, worker, c)) != 0) {
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		free(c->mine.buf);
		free(c->helper.buf);
		free(c);
		return -r;
	}
	*out = c;
	return 0;
}

void bf_crcpar_free(struct bf_crcpar *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->quit = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->th, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c->mine.buf);
	free(c->helper.buf);
	free(c);
}

int bf_crcpar_file(struct bf_crcpar *c, int fd, uint64_t off, uint64_t len, uint32_t *crc)
{
	uint64_t half = len < BF_CRCPAR_MIN ? len : (len / 2) & ~(uint64_t)4095;

	c->mine = (struct part){ .fd = fd, .off = off, .len = half, .buf = c->mine.buf };
	if (half < len) {
		pthread_mutex_lock(&c->mu);
		c->helper = (struct part){ .fd = fd, .off = off + half, .len = len - half,
					   .buf = c->helper.buf };
		c->done = false;
		c->job = true;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	run_part(&c->mine);
	*crc = c->mine.crc;
	if (half < len) {
		pthread_mutex_lock(&c->mu);
		while (!c->done)
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		if (c->mine.err == 0 && c->helper.err)
			c->mine.err = c->helper.err;
		*crc = (uint32_t)crc32_combine(*crc, c->helper.crc, (z_off_t)(len - half));
	}
	return c->mine.err;
}
