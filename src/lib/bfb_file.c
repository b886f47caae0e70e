/* bfb_file.c - streaming BFB operations on files. */
#include "config.h"
#include "bfb_file.h"
#include "bfb.h"
#include "error.h"
#include "fileio.h"
#include "readahead.h"
#include "crcpar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VERIFY_PIECE (64u << 10)   /* headers, padding, trailing data */

static int verify_feed(void *ctx, const uint8_t *buf, size_t len)
{
	return bf_bfb_parser_feed(ctx, buf, len);
}

/* A regular file: headers, padding and trailing data go through the
 * parser in small reads; each image's data is checksummed in place by
 * range, on two cores (crcpar.h), and only its CRC reaches the parser.
 * Memory stays at a few small buffers whatever the size. */
static int verify_ranges(int fd, const char *path, uint64_t size, struct bf_bfb_parser *p,
			 struct bf_crcpar *c, uint8_t *buf)
{
	uint64_t off = 0;
	int r = 0;

	while (off < size && r == 0) {
		if (p->state == BF_BFB_P_DATA && p->left) {
			uint64_t n = p->left < size - off ? p->left : size - off;
			uint32_t crc;

			if ((r = bf_crcpar_file(c, fd, off, n, &crc)) < 0)
				return bf_error_ret(-r, "read error in %s at offset %llu: %s", path,
						    (unsigned long long)off,
						    r == -EIO ? "the file got shorter" : strerror(-r));
			r = bf_bfb_parser_feed_crc(p, n, crc);
			off += n;
		} else {
			size_t want = VERIFY_PIECE;
			ssize_t n;

			/* Stop at the end of a header or padding, so that the
			 * next image's data is taken by range. */
			if (p->state == BF_BFB_P_HDR)
				want = BF_BFB_HDR_LEN - p->hdrfill;
			else if (p->state == BF_BFB_P_PAD && p->left < want)
				want = (size_t)p->left;
			if (want > size - off)
				want = (size_t)(size - off);
			n = pread(fd, buf, want, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return bf_error_ret(errno, "read error in %s at offset %llu: %s", path,
						    (unsigned long long)off, strerror(errno));
			if (n == 0)
				break;   /* shorter than it was: the parser says where it ends */
			r = bf_bfb_parser_feed(p, buf, (size_t)n);
			off += (uint64_t)n;
		}
	}
	return r;
}

int bf_bfb_file_verify(const char *path, struct bf_bfb_summary *sum)
{
	struct bf_crcpar *crc = NULL;
	struct bf_bfb_parser p;
	uint8_t *buf = NULL;
	struct stat st;
	uint64_t total;
	int fd, r;

	memset(sum, 0, sizeof(*sum));
	sum->err_id = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno));
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	bf_bfb_parser_init(&p, NULL, NULL, 0);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (buf = malloc(VERIFY_PIECE)) &&
	    bf_crcpar_new(&crc) == 0) {
		r = verify_ranges(fd, path, (uint64_t)st.st_size, &p, crc, buf);
	} else {
		/* A pipe or a device: reading and CRC overlap on two cores. */
		r = bf_readahead_file(fd, path, verify_feed, &p, &total);
	}
	bf_crcpar_free(crc);
	free(buf);
	if (r == 0)
		r = bf_bfb_parser_finish(&p);
	sum->nimages = p.nimages;
	sum->bytes = p.offset;
	sum->trailing_bytes = p.trailing_bytes;
	if (r == -EBADMSG) {
		sum->err_offset = p.err_offset;
		sum->err_id = p.err_id;
		if (p.err_id >= 0)
			bf_bfb_image_filename(sum->err_name, sizeof(sum->err_name),
					      (unsigned)p.err_id, p.cur.hdr.cur_ver);
	}
	close(fd);
	return r;
}

struct unpack_ctx {
	int dirfd;
	bool force;
	int fd;                /* the temporary file being written, or -1 */
	char name[64];         /* its final name */
	char tmp[80];          /* its name while written */
	uint64_t written;
	unsigned nfiles;
	char names[256][48];   /* names used so far, for duplicates */
	unsigned nnames;
	int err;
};

/* Each file is written under a temporary name (".NAME.part") and renamed
 * to NAME once whole: a full disk or a damaged bundle never leaves a
 * truncated image under its final name. Nothing is ever followed: an
 * existing entry is replaced (--force) by the rename, never written
 * through. */
static int open_out(struct unpack_ctx *u, const char *name)
{
	struct stat st;

	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->tmp, sizeof(u->tmp), ".%s.part", name);
	u->written = 0;
	if (!u->force && fstatat(u->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return bf_error_ret(EEXIST, "%s exists (use --force to replace it)", name);
	if (unlinkat(u->dirfd, u->tmp, 0) < 0 && errno != ENOENT)
		return bf_error_ret(errno, "cannot remove the leftover %s: %s", u->tmp, strerror(errno));
	u->fd = openat(u->dirfd, u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (u->fd < 0)
		return bf_error_ret(errno, "cannot create %s: %s", u->tmp, strerror(errno));
	return 0;
}

/* The file is whole: give it its name. */
static int commit_out(struct unpack_ctx *u)
{
	int fd = u->fd, r;

	u->fd = -1;
	if (close(fd) < 0) {
		r = errno;
		unlinkat(u->dirfd, u->tmp, 0);
		return bf_error_ret(r, "cannot write %s: %s", u->name, strerror(r));
	}
	r = u->force ? renameat(u->dirfd, u->tmp, u->dirfd, u->name) :
		renameat2(u->dirfd, u->tmp, u->dirfd, u->name, RENAME_NOREPLACE);
	if (r < 0) {
		r = errno;
		unlinkat(u->dirfd, u->tmp, 0);
		return r == EEXIST ? bf_error_ret(EEXIST, "%s exists (use --force to replace it)", u->name) :
			bf_error_ret(r, "cannot name %s: %s", u->name, strerror(r));
	}
	return 0;
}

/* A failure part way: the partial file goes. */
static void abandon_out(struct unpack_ctx *u)
{
	if (u->fd < 0)
		return;
	close(u->fd);
	u->fd = -1;
	unlinkat(u->dirfd, u->tmp, 0);
}

static int un_begin(void *ctx, const struct bf_bfb_image *img)
{
	struct unpack_ctx *u = ctx;
	char name[64], base[40];
	unsigned i, dup = 0;

	bf_bfb_image_filename(base, sizeof(base), img->hdr.id, img->hdr.cur_ver);
	snprintf(name, sizeof(name), "%s", base);
	for (i = 0; i < u->nnames; i++)
		if (!strcmp(u->names[i], base))
			dup++;
	if (dup)
		snprintf(name, sizeof(name), "%s.%u", base, dup);
	if (u->nnames < 256)
		snprintf(u->names[u->nnames++], sizeof(u->names[0]), "%s", base);
	if ((u->err = open_out(u, name)) < 0)
		return u->err;
	u->nfiles++;
	return 0;
}

/* A write error as a sentence naming the file. */
static int write_out(struct unpack_ctx *u, const uint8_t *buf, size_t len)
{
	int r = bf_file_write_all(u->fd, buf, len);

	if (r < 0)
		return bf_error_ret(-r, "cannot write %s (%llu bytes written): %s", u->name,
				    (unsigned long long)u->written, strerror(-r));
	u->written += len;
	return 0;
}

static int un_data(void *ctx, const struct bf_bfb_image *img, const uint8_t *buf, size_t len)
{
	struct unpack_ctx *u = ctx;

	(void)img;
	return (u->err = write_out(u, buf, len));
}

static int un_end(void *ctx, const struct bf_bfb_image *img)
{
	struct unpack_ctx *u = ctx;

	(void)img;
	return (u->err = commit_out(u));
}

static int un_trailing(void *ctx, uint64_t off, const uint8_t *buf, size_t len)
{
	struct unpack_ctx *u = ctx;

	(void)off;
	if (u->fd < 0) {
		if ((u->err = open_out(u, "trailing.bin")) < 0)
			return u->err;
		u->nfiles++;
	}
	return (u->err = write_out(u, buf, len));
}

int bf_bfb_file_unpack(const char *path, const char *dir, bool force, unsigned *nfiles)
{
	static const struct bf_bfb_parser_ops ops = {
		.image_begin = un_begin, .image_data = un_data, .image_end = un_end,
		.trailing = un_trailing,
	};
	struct bf_bfb_summary sum;
	struct unpack_ctx *u;
	struct bf_bfb_parser p;
	uint8_t *buf;
	ssize_t n;
	int fd, r;

	*nfiles = 0;
	r = bf_bfb_file_verify(path, &sum);
	if (r < 0)
		return r;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return bf_error_ret(errno, "cannot create %s: %s", dir, strerror(errno));
	u = calloc(1, sizeof(*u));
	buf = malloc(BF_BFB_FILE_CHUNK);
	if (!u || !buf) {
		free(u);
		free(buf);
		return -ENOMEM;
	}
	u->force = force;
	u->fd = -1;
	u->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (u->dirfd < 0 || fd < 0) {
		r = bf_error_ret(errno, "cannot open %s: %s", u->dirfd < 0 ? dir : path, strerror(errno));
		goto out;
	}
	bf_bfb_parser_init(&p, &ops, u, 0);
	while ((n = read(fd, buf, BF_BFB_FILE_CHUNK)) > 0)
		if ((r = bf_bfb_parser_feed(&p, buf, (size_t)n)) != 0)
			break;
	if (n < 0)
		r = bf_error_ret(errno, "read error in %s: %s", path, strerror(errno));
	else if (r == 0)
		r = bf_bfb_parser_finish(&p);
	if (u->fd >= 0 && r == 0)
		r = commit_out(u);   /* trailing.bin */
	abandon_out(u);
out:
	*nfiles = u->nfiles;
	if (fd >= 0)
		close(fd);
	if (u->dirfd >= 0)
		close(u->dirfd);
	free(u);
	free(buf);
	return r;
}
