/* crcpar.c - CRC-32 of a file range on two cores (see crcpar.h). */
#include "config.h"
#include "crcpar.h"
#include "bfb.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

/* Both buffers in one block on a huge page boundary: with transparent huge
 * pages (madvise mode) the block is one page fault, not 128, which counts
 * where a fault is dear (a virtual machine with shadow page tables). */
#define HUGE_PAGE (2u << 20)
_Static_assert(2 * BF_CRCPAR_BUF <= HUGE_PAGE, "both buffers fit in the block");

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
	uint8_t *mem;
	bool started;   /* the helper thread runs: from the first large range */
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

	if (!c || !(c->mem = aligned_alloc(HUGE_PAGE, HUGE_PAGE))) {
		free(c);
		return -ENOMEM;
	}
	madvise(c->mem, HUGE_PAGE, MADV_HUGEPAGE);   /* a hint: without it, small pages */
	c->mine.buf = c->mem;
	c->helper.buf = c->mem + BF_CRCPAR_BUF;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	*out = c;
	return 0;
}

void bf_crcpar_free(struct bf_crcpar *c)
{
	if (!c)
		return;
	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->quit = true;
		pthread_cond_broadcast(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->th, NULL);
	}
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c->mem);
	free(c);
}

/* The helper, started on first need; false when no thread can be had
 * (then the caller does the whole range). */
static bool helper_up(struct bf_crcpar *c)
{
	if (!c->started)
		c->started = pthread_create(&c->th, NULL, worker, c) == 0;
	return c->started;
}

int bf_crcpar_file(struct bf_crcpar *c, int fd, uint64_t off, uint64_t len, uint32_t *crc)
{
	uint64_t half = len < BF_CRCPAR_MIN || !helper_up(c) ? len : (len / 2) & ~(uint64_t)4095;

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
