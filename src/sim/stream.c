/* stream.c - the boot model behind the boot FIFO: boot ROM, BL2/BL31,
 * UEFI and the images it loads, then the installer's bf.cfg read. Each
 * stage checks magic, version and CRC; a bad image stalls the boot and
 * logs an error, as on hardware (the host only sees the FIFO stop). */
#include "config.h"
#include "sim_int.h"

#include <stdlib.h>
#include <string.h>

#define MANIFEST_NAME "bfsim-installer.json"
#define INFLATE_CHUNK 65536

static bool is_uefi_image(unsigned id)
{
	return id == 41 || id == 48 || id == 49 || id == 50 || id == 51 || id >= 52;
}

static unsigned stage_module(const struct bf_sim *s, unsigned id)
{
	if (id == 36 || id == 37 || id == 39 || id == 53)
		return BF_RLOG_PSC;
	if (id == 1 || id == 6 || id == 43 || id == 30 || id == 31 || id == 42)
		return s->chip->ver == BF_CHIP_BF3 ? BF_RLOG_BL2R : BF_RLOG_BL1;
	if (is_uefi_image(id))
		return BF_RLOG_UEFI;
	return BF_RLOG_BL2;
}

/* ---- streaming reader of the initramfs (gzip'd newc cpio) --------------- */

static void cpio_reset(struct sim_cpio *c)
{
	if (c->z_ok)
		inflateEnd(&c->z);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

static uint32_t hex8(const uint8_t *p, bool *ok)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		uint8_t ch = p[i];

		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			v |= ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			v |= ch - 'A' + 10;
		else
			*ok = false;
	}
	return v;
}

static void cpio_bytes(struct sim_cpio *c, const uint8_t *p, size_t n)
{
	while (n && !c->done && !c->failed) {
		size_t k;

		switch (c->state) {
		case 0: {   /* header */
			bool ok = true;

			k = sizeof(c->hdr) - c->hfill;
			if (k > n)
				k = n;
			memcpy(c->hdr + c->hfill, p, k);
			c->hfill += (unsigned)k;
			p += k;
			n -= k;
			if (c->hfill < sizeof(c->hdr))
				break;
			if (memcmp(c->hdr, "07070", 5) || (c->hdr[5] != '1' && c->hdr[5] != '2')) {
				c->failed = true;
				break;
			}
			c->filesize = hex8(c->hdr + 54, &ok);
			c->namesize = hex8(c->hdr + 94, &ok);
			if (!ok || c->namesize == 0 || c->namesize > 4096) {
				c->failed = true;
				break;
			}
			c->left = c->namesize;
			c->nfill = 0;
			c->state = 1;
			break;
		}
		case 1:     /* name */
			k = c->left < n ? c->left : n;
			while (k--) {
				if (c->nfill < sizeof(c->name) - 1)
					c->name[c->nfill++] = (char)*p;
				p++;
				n--;
				c->left--;
			}
			if (c->left)
				break;
			c->name[c->nfill < sizeof(c->name) ? c->nfill : sizeof(c->name) - 1] = '\0';
			c->entries++;
			if (!strcmp(c->name, "TRAILER!!!")) {
				c->done = true;
				break;
			}
			c->want = !strcmp(c->name, MANIFEST_NAME) || !strcmp(c->name, "./" MANIFEST_NAME);
			c->left = (4 - (110 + c->namesize) % 4) % 4;
			c->state = 2;
			break;
		case 2:     /* name padding */
		case 4:     /* data padding */
			k = c->left < n ? c->left : n;
			p += k;
			n -= k;
			c->left -= (uint32_t)k;
			if (c->left)
				break;
			if (c->state == 2) {
				c->left = c->filesize;
				c->state = 3;
				if (c->want && c->filesize <= SIM_MANIFEST_MAX) {
					free(c->out);
					c->out = malloc(c->filesize + 1);
					c->out_len = 0;
				}
				if (c->left)
					break;
			}
			c->left = c->state == 3 ? (4 - c->filesize % 4) % 4 : 0;
			c->state = c->state == 3 ? 4 : 0;
			c->hfill = 0;
			if (c->state == 4 && c->want && c->out) {
				c->out[c->out_len] = '\0';
				c->found = true;
			}
			break;
		case 3:     /* data */
			k = c->left < n ? c->left : n;
			if (c->want && c->out) {
				memcpy(c->out + c->out_len, p, k);
				c->out_len += k;
			}
			p += k;
			n -= k;
			c->left -= (uint32_t)k;
			if (c->left)
				break;
			if (c->want && c->out) {
				c->out[c->out_len] = '\0';
				c->found = true;
			}
			c->left = (4 - c->filesize % 4) % 4;
			c->state = 4;
			if (!c->left) {
				c->state = 0;
				c->hfill = 0;
			}
			break;
		}
	}
}

static void cpio_feed(struct sim_cpio *c, const uint8_t *buf, size_t len)
{
	uint8_t out[INFLATE_CHUNK];

	if (c->failed || c->done || c->found)
		return;
	if (!c->z_ok) {
		memset(&c->z, 0, sizeof(c->z));
		if (inflateInit2(&c->z, 16 + MAX_WBITS) != Z_OK) {
			c->failed = true;
			return;
		}
		c->z_ok = true;
	}
	c->z.next_in = (Bytef *)buf;
	c->z.avail_in = (uInt)len;
	while (c->z.avail_in && !c->failed && !c->done && !c->found) {
		int r;

		c->z.next_out = out;
		c->z.avail_out = sizeof(out);
		r = inflate(&c->z, Z_NO_FLUSH);
		if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
			c->failed = true;
			break;
		}
		cpio_bytes(c, out, sizeof(out) - c->z.avail_out);
		if (r == Z_STREAM_END)
			break;
	}
}

/* ---- parser callbacks --------------------------------------------------- */

struct feed_ctx {
	struct bf_sim *s;
	double t;
};

static int on_begin(void *ctx, const struct bf_bfb_image *img)
{
	struct bf_sim *s = ((struct feed_ctx *)ctx)->s;
	unsigned id = img->hdr.id;

	if (is_uefi_image(id) && !s->saw_bl33) {
		/* UEFI is not running yet: images for it are kept as the
		 * hardware keeps them, in order, for later. */
	}
	if (!bf_bfb_id_find(id))
		bf_sim_schedule(s, ((struct feed_ctx *)ctx)->t, BF_RLOG_UEFI, BF_RLOG_WARN, ACT_NONE,
				"skipping unknown image id %u (%u bytes)", id, img->hdr.len);
	if (id == 50) {
		free(s->info);
		s->info = img->hdr.len <= SIM_INFO_MAX ? malloc((size_t)img->hdr.len + 1) : NULL;
		s->info_len = 0;
	}
	if (id == 63 && !s->saw_initramfs)
		cpio_reset(&s->cpio);
	if (s->phase == PH_BOOT_ROM && id != 36 && id != 37 && id != 39 && id != 53)
		s->phase = PH_ATF;
	return 0;
}

static int on_data(void *ctx, const struct bf_bfb_image *img, const uint8_t *buf, size_t len)
{
	struct bf_sim *s = ((struct feed_ctx *)ctx)->s;

	if (img->hdr.id == 50 && s->info && s->info_len + len <= img->hdr.len) {
		memcpy(s->info + s->info_len, buf, len);
		s->info_len += len;
	} else if (img->hdr.id == 63 && !s->saw_initramfs) {
		cpio_feed(&s->cpio, buf, len);
	}
	return 0;
}

static int on_end(void *ctx, const struct bf_bfb_image *img)
{
	struct feed_ctx *f = ctx;
	struct bf_sim *s = f->s;
	unsigned id = img->hdr.id;

	if (id == 50 && s->info)
		s->info[s->info_len] = '\0';
	if (id == 5 && !s->saw_bl33) {
		s->saw_bl33 = true;
		s->phase = PH_UEFI;
		bf_sim_schedule(s, f->t, BF_RLOG_BL2, BF_RLOG_INFO, ACT_NONE, "UEFI loaded");
		bf_sim_schedule(s, f->t + 0.2, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "eMMC init");
		bf_sim_schedule(s, f->t + 0.4, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "eMMC probed");
	}
	if (id == 63 && !s->saw_initramfs) {
		s->saw_initramfs = true;
		s->phase = PH_WAIT_CFG;
		if (!s->cpio.found)
			bf_sim_schedule(s, f->t, BF_RLOG_MISC, BF_RLOG_WARN, ACT_NONE,
					"no %s in the initramfs (%s): the installer runs without a manifest",
					MANIFEST_NAME, s->cpio.failed ? "not a gzip'd newc cpio" : "not found");
	}
	return 0;
}

static int on_trailing(void *ctx, uint64_t off, const uint8_t *buf, size_t len)
{
	struct bf_sim *s = ((struct feed_ctx *)ctx)->s;
	size_t k;

	(void)off;
	s->trailing += len;
	if (s->rootfs)
		return 0;
	if (!s->bfcfg)
		s->bfcfg = calloc(1, SIM_CFG_MAX + 1);
	if (!s->bfcfg)
		return 0;
	/* The installer strips NUL bytes (the FIFO pads the last word). */
	for (k = 0; k < len && s->bfcfg_len < SIM_CFG_MAX; k++)
		if (buf[k] != '\0')
			s->bfcfg[s->bfcfg_len++] = (char)buf[k];
	/* A rootfs (xz) follows the bf.cfg: the installer's bf.cfg stops there. */
	if (s->bfcfg_len >= 6) {
		char *x = memmem(s->bfcfg, s->bfcfg_len, "\xfd" "7zXZ", 5);

		if (x) {
			s->bfcfg_len = (size_t)(x - s->bfcfg);
			s->rootfs = true;
		}
	}
	s->bfcfg[s->bfcfg_len] = '\0';
	return 0;
}

static const struct bf_bfb_parser_ops sim_ops = {
	.image_begin = on_begin,
	.image_data = on_data,
	.image_end = on_end,
	.trailing = on_trailing,
};

void bf_sim_stream_reset(struct bf_sim *s)
{
	bf_bfb_parser_init(&s->parser, &sim_ops, NULL, 0);
	s->stream_error = false;
	s->saw_bl33 = s->saw_initramfs = false;
	free(s->bfcfg);
	s->bfcfg = NULL;
	s->bfcfg_len = 0;
	s->rootfs = false;
	s->trailing = 0;
	free(s->info);
	s->info = NULL;
	s->info_len = 0;
	cpio_reset(&s->cpio);
	json_object_put(s->manifest);
	s->manifest = NULL;
}

void bf_sim_stream_free(struct bf_sim *s)
{
	free(s->bfcfg);
	free(s->info);
	cpio_reset(&s->cpio);
	json_object_put(s->manifest);
	s->manifest = NULL;
	s->bfcfg = s->info = NULL;
}

void bf_sim_stream_feed(struct bf_sim *s, const uint8_t *buf, size_t len, double t)
{
	struct feed_ctx f = { .s = s, .t = t };
	int r;

	if (s->stream_error || s->phase == PH_STALLED)
		return;
	if (s->phase != PH_BOOT_ROM && s->phase != PH_ATF && s->phase != PH_UEFI &&
	    s->phase != PH_WAIT_CFG)
		return;   /* nobody reads the FIFO now: data sits there, drained and lost */
	s->parser.ctx = &f;
	r = bf_bfb_parser_feed(&s->parser, buf, len);
	s->parser.ctx = NULL;
	if (r == 0)
		return;
	/* A bad image: the stage that loads it reports and stops. */
	s->stream_error = true;
	{
		unsigned id = s->parser.err_id >= 0 ? (unsigned)s->parser.err_id : 0;
		unsigned mod = s->parser.err_id >= 0 ? stage_module(s, id) :
			       (s->saw_bl33 ? BF_RLOG_UEFI : BF_RLOG_BL2);
		const struct bf_bfb_id *e = bf_bfb_id_find(id);

		if (s->parser.err_id >= 0)
			bf_sim_schedule(s, t, mod, BF_RLOG_ERR, ACT_NONE,
					"image %s (id %u) at offset %llu: CRC mismatch",
					e ? e->name : "unknown", id,
					(unsigned long long)s->parser.err_offset);
		else
			bf_sim_schedule(s, t, mod, BF_RLOG_ERR, ACT_NONE,
					"bad image header at offset %llu",
					(unsigned long long)s->parser.err_offset);
		bf_sim_schedule(s, t + 0.01, mod, BF_RLOG_ERR, ACT_STALL,
				"CRITICAL ERROR: boot stream corrupted, boot halted");
	}
}

/* The installer reads the FIFO until it stays empty for 500 ms. */
void bf_sim_stream_idle(struct bf_sim *s, double now)
{
	if (s->phase != PH_WAIT_CFG || s->fifo_len || now - s->last_data_t < SIM_CFG_IDLE_S)
		return;
	if (s->cpio.found && !s->manifest) {
		s->manifest = json_tokener_parse(s->cpio.out);
		if (s->manifest && !json_object_is_type(s->manifest, json_type_object)) {
			json_object_put(s->manifest);
			s->manifest = NULL;
		}
	}
	bf_sim_installer_start(s, now);
}
