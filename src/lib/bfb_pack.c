/* bfb_pack.c - building BFBs: canonical order, the following-images bitmap
 * and next-version fields exactly as mlx-mkbfb, streaming file inputs. */
#include "config.h"
#include "bfb_pack.h"
#include "bfb.h"
#include "bfb_recipe.h"
#include "error.h"
#include "fileio.h"
#include "event.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (1u << 20)

void bf_bfb_pack_init(struct bf_bfb_pack *p)
{
	memset(p, 0, sizeof(*p));
}

static void item_free(struct bf_bfb_pack_item *it)
{
	free(it->path);
	free(it->data);
	it->path = NULL;
	it->data = NULL;
}

void bf_bfb_pack_free(struct bf_bfb_pack *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		item_free(&p->items[i]);
	p->n = 0;
	for (i = 0; i < p->nparams; i++) {
		free(p->param_key[i]);
		free(p->param_val[i]);
	}
	p->nparams = 0;
	bf_bfb_recipe_cleanup(p);
}

void bf_bfb_pack_drop(struct bf_bfb_pack *p, uint8_t id)
{
	size_t i, o = 0;

	for (i = 0; i < p->n; i++) {
		if (p->items[i].id == id)
			item_free(&p->items[i]);
		else
			p->items[o++] = p->items[i];
	}
	p->n = o;
}

static struct bf_bfb_pack_item *slot(struct bf_bfb_pack *p, uint8_t id, uint8_t ver)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->items[i].id == id && p->items[i].ver == ver) {
			item_free(&p->items[i]);
			return &p->items[i];   /* replaced in place, keeps its first position */
		}
	if (p->n == BF_BFB_PACK_MAX)
		return NULL;
	p->items[p->n].seq = p->seq++;
	return &p->items[p->n++];
}

static int add_range(struct bf_bfb_pack *p, uint8_t id, uint8_t ver, const char *path,
		     uint64_t off, uint64_t len)
{
	struct bf_bfb_pack_item *it;

	if (len > 0xffffffffull)
		return bf_error_ret(EFBIG, "%s: %llu bytes, above the 4 GiB limit of one image",
				    path, (unsigned long long)len);
	it = slot(p, id, ver);
	if (!it)
		return bf_error_ret(E2BIG, "more than %d images", BF_BFB_PACK_MAX);
	it->id = id;
	it->ver = ver;
	it->path = strdup(path);
	it->offset = off;
	it->len = len;
	return it->path ? 0 : -ENOMEM;
}

int bf_bfb_pack_add_file(struct bf_bfb_pack *p, uint8_t id, uint8_t ver, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return bf_error_ret(errno, "cannot read %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bf_error_ret(EINVAL, "%s is not a regular file", path);
	return add_range(p, id, ver, path, 0, (uint64_t)st.st_size);
}

int bf_bfb_pack_add_data(struct bf_bfb_pack *p, uint8_t id, uint8_t ver, const void *data, size_t len)
{
	struct bf_bfb_pack_item *it = slot(p, id, ver);

	if (!it)
		return bf_error_ret(E2BIG, "more than %d images", BF_BFB_PACK_MAX);
	it->id = id;
	it->ver = ver;
	it->len = len;
	it->data = malloc(len ? len : 1);
	if (!it->data)
		return -ENOMEM;
	memcpy(it->data, data, len);
	return 0;
}

struct from_ctx {
	struct bf_bfb_pack *p;
	const char *path;
	int err;
};

static int from_image(void *ctx, const struct bf_bfb_image *img)
{
	struct from_ctx *f = ctx;

	if (!bf_bfb_id_find(img->hdr.id)) {
		f->err = bf_error_ret(EINVAL, "%s: image %u has unknown id %u: mlx-mkbfb cannot place it either",
				      f->path, img->index, img->hdr.id);
		return f->err;
	}
	f->err = add_range(f->p, img->hdr.id, img->hdr.cur_ver, f->path,
			   img->offset + BF_BFB_HDR_LEN, img->hdr.len);
	return f->err;
}

int bf_bfb_pack_add_bfb(struct bf_bfb_pack *p, const char *path)
{
	static const struct bf_bfb_parser_ops ops = { .image_end = from_image };
	struct from_ctx f = { .p = p, .path = path };
	struct bf_bfb_parser ps;
	uint8_t *buf;
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", path, strerror(errno));
	buf = malloc(COPY_CHUNK);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	bf_bfb_parser_init(&ps, &ops, &f, 0);
	while ((n = read(fd, buf, COPY_CHUNK)) > 0 && (r = bf_bfb_parser_feed(&ps, buf, (size_t)n)) == 0)
		;
	if (n < 0)
		r = bf_error_ret(errno, "read error in %s: %s", path, strerror(errno));
	else if (r == 0)
		r = bf_bfb_parser_finish(&ps);
	if (r == -EBADMSG && !f.err) {
		char why[400];

		snprintf(why, sizeof(why), "%s", bf_error_or("damaged"));
		r = bf_error_ret(EBADMSG, "%s: %s", path, why);
	}
	free(buf);
	close(fd);
	return r;
}

int bf_bfb_pack_add_arg(struct bf_bfb_pack *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	uint8_t id, ver;
	int r;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
		return bf_error_ret(EINVAL, "'%s' is not NAME=FILE or NAME==TEXT", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if ((r = bf_bfb_name_parse(name, &id, &ver)) < 0)
		return r;
	if (eq[1] == '=')
		return bf_bfb_pack_add_data(p, id, ver, eq + 2, strlen(eq + 2));
	return bf_bfb_pack_add_file(p, id, ver, eq + 1);
}

/* ---- writing ------------------------------------------------------------- */

static int cmp_canonical(const void *a, const void *b)
{
	const struct bf_bfb_pack_item *x = a, *y = b;
	size_t rx = bf_bfb_id_rank(x->id), ry = bf_bfb_id_rank(y->id);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return (int)x->ver - (int)y->ver;
}

/* Expert order: ids in order of first appearance (seq holds the id's first
 * appearance, see bf_bfb_pack_write); versions ascending within an id. */
static int cmp_expert(const void *a, const void *b)
{
	const struct bf_bfb_pack_item *x = a, *y = b;

	if (x->id != y->id)
		return x->seq < y->seq ? -1 : 1;
	return (int)x->ver - (int)y->ver;
}

/* Read the item's bytes, chunk by chunk: for the CRC, then for the copy. */
static int item_pass(const struct bf_bfb_pack_item *it, uint8_t *buf, int out_fd, uint32_t *crc,
		     struct bf_progress *prog, uint64_t *done)
{
	uint64_t left = it->len, off = it->offset;
	int fd, r = 0;

	if (it->data) {
		if (out_fd < 0)
			*crc = bf_bfb_crc32(*crc, it->data, (size_t)it->len);
		else
			r = bf_file_write_all(out_fd, it->data, (size_t)it->len);
		return r;
	}
	fd = open(it->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bf_error_ret(errno, "cannot open %s: %s", it->path, strerror(errno));
	while (left && r == 0) {
		size_t want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = bf_error_ret(n < 0 ? errno : EIO, "%s changed or shrank while packing", it->path);
			break;
		}
		if (out_fd < 0) {
			*crc = bf_bfb_crc32(*crc, buf, (size_t)n);
		} else {
			r = bf_file_write_all(out_fd, buf, (size_t)n);
			*done += (uint64_t)n;
			if (prog)
				bf_progress_update(prog, *done);
		}
		off += (uint64_t)n;
		left -= (uint64_t)n;
	}
	close(fd);
	return r;
}

int bf_bfb_pack_write(struct bf_bfb_pack *p, const char *out, bool expert, bool force, bool progress)
{
	static const uint8_t zeros[8];
	struct bf_progress prog;
	char tmp[PATH_MAX];
	uint64_t map = 0, total = 0, done = 0;
	uint8_t *buf;
	size_t i;
	int fd, r = 0;

	if (p->n == 0)
		return bf_error_ret(EINVAL, "no images to pack");
	if (!force && access(out, F_OK) == 0)
		return bf_error_ret(EEXIST, "%s exists", out);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", out) >= sizeof(tmp))
		return bf_error_ret(ENAMETOOLONG, "output path too long");
	if (expert) {
		size_t j;

		for (i = 0; i < p->n; i++)
			for (j = 0; j < p->n; j++)
				if (p->items[j].id == p->items[i].id && p->items[j].seq < p->items[i].seq)
					p->items[i].seq = p->items[j].seq;
	}
	qsort(p->items, p->n, sizeof(p->items[0]), expert ? cmp_expert : cmp_canonical);
	for (i = 0; i < p->n; i++) {
		map |= 1ull << p->items[i].id;
		total += BF_BFB_HDR_LEN + bf_bfb_padded(p->items[i].len);
	}
	buf = malloc(COPY_CHUNK);
	if (!buf)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		free(buf);
		return bf_error_ret(errno, "cannot create %s: %s", tmp, strerror(errno));
	}
	fchmod(fd, 0644);
	if (progress)
		bf_progress_begin(&prog, "pack", total);
	for (i = 0; i < p->n && r == 0; i++) {
		struct bf_bfb_pack_item *it = &p->items[i];
		bool last = i + 1 == p->n || p->items[i + 1].id != it->id;
		uint8_t hdr[BF_BFB_HDR_LEN];
		struct bf_bfb_hdr h;
		uint32_t crc = 0;

		r = item_pass(it, buf, -1, &crc, NULL, NULL);
		if (r < 0)
			break;
		bf_bfb_hdr_init(&h, it->id, it->ver, (uint32_t)it->len, bf_bfb_crc32_pad(crc, it->len));
		if (last)
			map &= ~(1ull << it->id);
		else
			h.next_ver = p->items[i + 1].ver;
		h.following = map;
		bf_bfb_hdr_encode(&h, hdr);
		r = bf_file_write_all(fd, hdr, sizeof(hdr));
		if (r == 0)
			r = item_pass(it, buf, fd, &crc, progress ? &prog : NULL, &done);
		if (r == 0)
			r = bf_file_write_all(fd, zeros, (size_t)(bf_bfb_padded(it->len) - it->len));
		done += BF_BFB_HDR_LEN + bf_bfb_padded(it->len) - it->len;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && rename(tmp, out) < 0)
		r = bf_error_ret(errno, "cannot write %s: %s", out, strerror(errno));
	if (r < 0)
		unlink(tmp);
	if (progress) {
		if (r == 0)
			bf_progress_end(&prog);
		else
			bf_event_progress_clear();
	}
	free(buf);
	return r;
}
