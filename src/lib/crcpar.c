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

/* A range is cut into chunks that the two threads take in turn, so that
 * when one of them waits for a core (a loaded machine) the other does
 * more, and the chunk CRCs are joined in order. A thread may run at most
 * WINDOW chunks ahead of the join: constant memory. */
#define CHUNK  BF_CRCPAR_MIN
#define WINDOW 16u

struct job {
	int fd;
	uint64_t off, len, nchunks;
	uint64_t next;          /* the next chunk to take */
	uint64_t joined;        /* chunks joined into crc */
	uint32_t crc;
	uint32_t part[WINDOW];  /* CRCs of chunks joined..joined+WINDOW-1 */
	bool ready[WINDOW];
	int err;
};

struct bf_crcpar {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job job;
	uint8_t *mem;
	bool started;   /* the helper thread runs: from the first large range */
	bool busy;      /* the helper works on job */
	bool posted, quit;
};

/* CRC (from 0) of fd's [at, at + len) through buf; 0 or -errno, -EIO
 * when the file ends first. */
static int crc_range(int fd, uint64_t at, uint64_t len, uint8_t *buf, uint32_t *out)
{
	uint64_t end = at + len;
	uint32_t crc = 0;

	while (at < end) {
		size_t want = end - at < BF_CRCPAR_BUF ? (size_t)(end - at) : BF_CRCPAR_BUF;
		ssize_t n = pread(fd, buf, want, (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		crc = bf_bfb_crc32(crc, buf, (size_t)n);
		at += (uint64_t)n;
	}
	*out = crc;
	return 0;
}

static uint64_t chunk_len(const struct job *j, uint64_t k)
{
	return k + 1 < j->nchunks ? CHUNK : j->len - k * CHUNK;
}

/* Take chunks until none is left, join what is ready. Called by both
 * threads, c->mu held on entry and on return. */
static void share(struct bf_crcpar *c, uint8_t *buf)
{
	struct job *j = &c->job;

	while (j->next < j->nchunks && !j->err) {
		uint64_t k = j->next;
		uint32_t crc = 0;
		int r;

		if (k - j->joined >= WINDOW) {   /* the other thread is behind */
			pthread_cond_wait(&c->cv, &c->mu);
			continue;
		}
		j->next++;
		pthread_mutex_unlock(&c->mu);
		r = crc_range(j->fd, j->off + k * CHUNK, chunk_len(j, k), buf, &crc);
		pthread_mutex_lock(&c->mu);
		if (r < 0 && !j->err)
			j->err = r;
		j->part[k % WINDOW] = crc;
		j->ready[k % WINDOW] = true;
		while (j->joined < j->nchunks && j->ready[j->joined % WINDOW]) {
			j->ready[j->joined % WINDOW] = false;
			j->crc = (uint32_t)crc32_combine(j->crc, j->part[j->joined % WINDOW],
							 (z_off_t)chunk_len(j, j->joined));
			j->joined++;
		}
		pthread_cond_broadcast(&c->cv);
	}
}

static void *worker(void *arg)
{
	struct bf_crcpar *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->posted && !c->quit)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->quit)
			break;
		c->posted = false;
		share(c, c->mem + BF_CRCPAR_BUF);
		c->busy = false;
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
	struct job *j = &c->job;
	bool two = len >= BF_CRCPAR_MIN && helper_up(c);

	pthread_mutex_lock(&c->mu);
	*j = (struct job){ .fd = fd, .off = off, .len = len, .nchunks = (len + CHUNK - 1) / CHUNK };
	if (two) {
		c->posted = true;
		c->busy = true;
		pthread_cond_broadcast(&c->cv);
	}
	share(c, c->mem);
	if (c->posted) {   /* the helper did not get a core in time: done without it */
		c->posted = false;
		c->busy = false;
	}
	while (c->busy)
		pthread_cond_wait(&c->cv, &c->mu);
	*crc = j->crc;
	pthread_mutex_unlock(&c->mu);
	return j->err;
}
