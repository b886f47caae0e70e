/* bfb.c - BFB image ids, header codec, CRC and the streaming parser. */
#include "config.h"
#include "bfb.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/crc.h>
#include <zlib.h>

/* Canonical emission order and descriptions, as mlx-mkbfb. */
const struct bf_bfb_id bf_bfb_ids[] = {
	{ 36, "psc-bl", "PSC bootloader image" },
	{ 37, "psc-fw", "PSC framework image" },
	{ 31, "bl2r-cert", "RIoT Core (BL2R) content certificate" },
	{ 30, "bl2r", "RIoT Core (BL2R) bin" },
	{ 42, "bl2r-auth-cert", "BL2R AUTHCERT DER-encoded certificate" },
	{ 6, "bl2-cert", "Trusted Boot Firmware BL2 certificate" },
	{ 1, "bl2", "Trusted Boot Firmware BL2 bin" },
	{ 29, "sys", "Running system's part number or PSID" },
	{ 43, "bl2-auth-cert", "BL2 AUTHCERT DER-encoded certificate" },
	{ 38, "ddr-cert", "DDR Images Content Certificate" },
	{ 32, "ddr_ini", "File From Which Will Load DDR (pseudo spd) Parameters" },
	{ 33, "snps_images", "Combined SNPS Images for all DIMM types" },
	{ 40, "ddr5_snps_images", "DDR5 Combined SNPS Images for all DIMM types" },
	{ 34, "ddr_ate_imem", "Analog Test Engine INSTRUCTIONS" },
	{ 35, "ddr_ate_dmem", "Analog Test Engine DATA" },
	{ 8, "bl30-key-cert", "SCP Firmware BL3-0 key certificate" },
	{ 12, "bl30-cert", "SCP Firmware BL3-0 certificate" },
	{ 2, "bl30", "SCP Firmware BL3-0" },
	{ 39, "psc-app", "PSC application image" },
	{ 53, "psc-certs", "PSC attestation certificates" },
	{ 7, "trusted-key-cert", "Trusted key certificate" },
	{ 9, "bl31-key-cert", "EL3 Runtime Firmware BL3-1 key certificate" },
	{ 13, "bl31-cert", "EL3 Runtime Firmware BL3-1 content certificate" },
	{ 3, "bl31", "EL3 Runtime Firmware BL3-1 bin" },
	{ 10, "bl32-key-cert", "Secure Payload BL3-2 (Trusted OS) key certificate" },
	{ 14, "bl32-cert", "Secure Payload BL3-2 (Trusted OS) content certificate" },
	{ 4, "bl32", "Secure Payload BL3-2 (Trusted OS) bin" },
	{ 11, "bl33-key-cert", "Non-Trusted Firmware BL3-3 key certificate" },
	{ 15, "bl33-cert", "Non-Trusted Firmware BL3-3 content certificate" },
	{ 5, "bl33", "Non-Trusted Firmware BL3-3 bin" },
	{ 52, "capsule", "UEFI capsule image" },
	{ 55, "boot-acpi", "Name of the ACPI table" },
	{ 56, "boot-dtb", "Name of the dtb file" },
	{ 57, "boot-desc", "Default boot menu item description" },
	{ 58, "boot-path", "Boot image path" },
	{ 59, "boot-args", "Arguments for boot image" },
	{ 60, "boot-timeout", "Boot menu timeout" },
	{ 61, "uefi-tests", "Specify what UEFI tests to run" },
	{ 41, "nicfw", "NIC Firmware image" },
	{ 54, "ramdisk", "RAM Disk image" },
	{ 49, "dpu-gi", "DPU golden image" },
	{ 48, "cfg-gi", "Config golden image" },
	{ 50, "info", "BFB versioning information" },
	{ 62, "image", "Boot image" },
	{ 63, "initramfs", "In-memory filesystem" },
	{ 51, "upgrade-image", "Runtime upgrade image" },
};
const size_t bf_bfb_nids = sizeof(bf_bfb_ids) / sizeof(bf_bfb_ids[0]);

size_t bf_bfb_id_rank(unsigned id)
{
	size_t i;

	for (i = 0; i < bf_bfb_nids; i++)
		if (bf_bfb_ids[i].id == id)
			return i;
	return bf_bfb_nids;
}

const struct bf_bfb_id *bf_bfb_id_find(unsigned id)
{
	size_t r = bf_bfb_id_rank(id);

	return r < bf_bfb_nids ? &bf_bfb_ids[r] : NULL;
}

const struct bf_bfb_id *bf_bfb_id_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < bf_bfb_nids; i++)
		if (strcmp(bf_bfb_ids[i].name, name) == 0)
			return &bf_bfb_ids[i];
	return NULL;
}

int bf_bfb_name_parse(const char *s, uint8_t *id, uint8_t *ver)
{
	const struct bf_bfb_id *e = bf_bfb_id_by_name(s);
	char base[64];
	const char *dash;
	size_t blen;

	if (e) {
		*id = e->id;
		*ver = 0;
		return 0;
	}
	/* NAME-vN: split at the last '-', as mlx-mkbfb does. */
	dash = strrchr(s, '-');
	if (!dash || dash[1] != 'v' || dash[2] < '0' || dash[2] > '9' || dash[3] != '\0')
		return bf_error_ret(EINVAL, "unknown image name '%s'", s);
	blen = (size_t)(dash - s);
	if (blen >= sizeof(base))
		return bf_error_ret(EINVAL, "unknown image name '%s'", s);
	memcpy(base, s, blen);
	base[blen] = '\0';
	e = bf_bfb_id_by_name(base);
	if (!e)
		return bf_error_ret(EINVAL, "unknown image name '%s'", base);
	if (dash[2] - '0' > BF_BFB_MAX_VER)
		return bf_error_ret(EINVAL, "image version %c of '%s' is above the maximum %d",
				    dash[2], base, BF_BFB_MAX_VER);
	*id = e->id;
	*ver = (uint8_t)(dash[2] - '0');
	return 0;
}

void bf_bfb_image_filename(char *buf, size_t len, unsigned id, unsigned ver)
{
	const struct bf_bfb_id *e = bf_bfb_id_find(id);

	if (e)
		snprintf(buf, len, "%s-v%u", e->name, ver);
	else
		snprintf(buf, len, "image_id_%u-v%u", id, ver);
}

void bf_bfb_hdr_init(struct bf_bfb_hdr *h, uint8_t id, uint8_t ver, uint32_t len, uint32_t crc)
{
	memset(h, 0, sizeof(*h));
	h->major = BF_BFB_MAJOR;
	h->minor = BF_BFB_MINOR;
	h->hdr_words = BF_BFB_HDR_WORDS;
	h->id = id;
	h->cur_ver = ver;
	h->len = len;
	h->crc = crc;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void bf_bfb_hdr_encode(const struct bf_bfb_hdr *h, uint8_t out[BF_BFB_HDR_LEN])
{
	uint64_t w0, w1;

	w0 = (uint64_t)BF_BFB_MAGIC |
	     ((uint64_t)(h->major & 0xf) << 32) |
	     ((uint64_t)(h->minor & 0xf) << 36) |
	     ((uint64_t)(h->next_ver & 0xf) << 44) |
	     ((uint64_t)(h->cur_ver & 0xf) << 48) |
	     ((uint64_t)(h->hdr_words & 0xf) << 52) |
	     ((uint64_t)h->id << 56);
	w1 = (uint64_t)h->len | ((uint64_t)h->crc << 32);
	put_le64(out, w0);
	put_le64(out + 8, w1);
	put_le64(out + 16, h->following);
}

bool bf_bfb_is_magic(const uint8_t *p)
{
	return p[0] == 0x42 && p[1] == 0x66 && p[2] == 0x02 && p[3] == 0x13;
}

int bf_bfb_hdr_decode(const uint8_t in[BF_BFB_HDR_LEN], struct bf_bfb_hdr *h, const char **why)
{
	uint64_t w0 = get_le64(in), w1 = get_le64(in + 8);

	h->major = (w0 >> 32) & 0xf;
	h->minor = (w0 >> 36) & 0xf;
	h->next_ver = (w0 >> 44) & 0xf;
	h->cur_ver = (w0 >> 48) & 0xf;
	h->hdr_words = (w0 >> 52) & 0xf;
	h->id = (uint8_t)(w0 >> 56);
	h->len = (uint32_t)w1;
	h->crc = (uint32_t)(w1 >> 32);
	h->following = get_le64(in + 16);
	if (h->minor > 2) {
		/* The version fields exist from minor 2 on. */
		h->next_ver = 0;
		h->cur_ver = 0;
	}
	if ((uint32_t)w0 != BF_BFB_MAGIC) {
		*why = "bad magic number";
		return -EBADMSG;
	}
	if (h->major != BF_BFB_MAJOR) {
		*why = "bad major version";
		return -EBADMSG;
	}
	if (h->minor > BF_BFB_MINOR) {
		*why = "bad minor version";
		return -EBADMSG;
	}
	if (h->hdr_words != BF_BFB_HDR_WORDS) {
		*why = "bad header length";
		return -EBADMSG;
	}
	return 0;
}

/* ISA-L's reflected CRC-32 is zlib's (same polynomial, initial value and
 * final inversion) and folds 64 bytes per step with VPCLMULQDQ where the
 * CPU has it: several times libdeflate's rate on such a core. Its length
 * is 64-bit, so any buffer goes in one call. */
uint32_t bf_bfb_crc32(uint32_t crc, const void *buf, size_t len)
{
	return crc32_gzip_refl(crc, buf, (uint64_t)len);
}

uint32_t bf_bfb_crc32_pad(uint32_t crc, uint64_t len)
{
	static const uint8_t zeros[8];

	return bf_bfb_crc32(crc, zeros, (size_t)(bf_bfb_padded(len) - len));
}

/* ---- streaming parser ----------------------------------------------------- */

void bf_bfb_parser_init(struct bf_bfb_parser *p, const struct bf_bfb_parser_ops *ops,
			void *ctx, unsigned flags)
{
	static const struct bf_bfb_parser_ops none;

	memset(p, 0, sizeof(*p));
	p->ops = ops ? ops : &none;
	p->ctx = ctx;
	p->flags = flags;
	p->state = BF_BFB_P_HDR;
	p->err_image = -1;
	p->err_id = -1;
}

static const char *id_label(unsigned id)
{
	const struct bf_bfb_id *e = bf_bfb_id_find(id);

	return e ? e->name : "unknown";
}

static int parse_fail(struct bf_bfb_parser *p, uint64_t off, int image, int id)
{
	p->state = BF_BFB_P_ERROR;
	p->err_offset = off;
	p->err_image = image;
	p->err_id = id;
	return -EBADMSG;
}

/* The header buffer is full (or the stream ended early): decode it. */
static int parser_header(struct bf_bfb_parser *p)
{
	struct bf_bfb_image *img = &p->cur;
	uint64_t hoff = p->offset - BF_BFB_HDR_LEN;
	const char *why = NULL;
	struct bf_bfb_hdr h;
	int r;

	if (bf_bfb_hdr_decode(p->hdrbuf, &h, &why) < 0) {
		uint32_t magic = (uint32_t)get_le64(p->hdrbuf);

		if (p->nimages == 0)
			bf_error_set("not a BFB: %s 0x%x at offset 0 (expected 0x%x)",
				     why, magic, BF_BFB_MAGIC);
		else
			bf_error_set("image %u at offset %llu (after %s): %s (word 0 = 0x%016llx)",
				     p->nimages, (unsigned long long)hoff, id_label(img->hdr.id),
				     why, (unsigned long long)get_le64(p->hdrbuf));
		return parse_fail(p, hoff, (int)p->nimages, -1);
	}
	memset(img, 0, sizeof(*img));
	img->hdr = h;
	img->offset = hoff;
	img->index = p->nimages++;
	p->crc = 0;
	p->left = h.len;
	p->state = h.len ? BF_BFB_P_DATA : BF_BFB_P_PAD;
	if (p->state == BF_BFB_P_PAD)
		p->left = 0;
	if (p->ops->image_begin && (r = p->ops->image_begin(p->ctx, img)) != 0)
		return r;
	return 0;
}

static int parser_image_done(struct bf_bfb_parser *p)
{
	struct bf_bfb_image *img = &p->cur;
	int r;

	if (p->flags & BF_BFB_NO_CRC) {
		img->crc_calc = img->hdr.crc;
		img->crc_ok = true;
	} else {
		img->crc_calc = p->crc;
		img->crc_ok = p->crc == img->hdr.crc;
	}
	if (!img->crc_ok) {
		p->ncrc_bad++;
		if (!(p->flags & BF_BFB_KEEP_GOING_ON_CRC)) {
			bf_error_set("image %u (%s, id %u) at offset %llu: header CRC of 0x%08x does not match calculated CRC of 0x%08x",
				     img->index, id_label(img->hdr.id), img->hdr.id,
				     (unsigned long long)img->offset, img->hdr.crc, img->crc_calc);
			return parse_fail(p, img->offset, (int)img->index, img->hdr.id);
		}
	}
	if (p->ops->image_end && (r = p->ops->image_end(p->ctx, img)) != 0)
		return r;
	p->state = BF_BFB_P_HDR;
	p->hdrfill = 0;
	return 0;
}

/* After an image, no more images are announced: anything that does not
 * start with the magic is trailing data (bf.cfg, rootfs). */
static bool trailing_allowed(const struct bf_bfb_parser *p)
{
	return p->nimages > 0 && p->cur.hdr.following == 0 && p->cur.hdr.next_ver == 0;
}

static int parser_to_trailing(struct bf_bfb_parser *p)
{
	int r = 0;

	p->state = BF_BFB_P_TRAILING;
	p->trailing_bytes = p->hdrfill;
	if (p->hdrfill && p->ops->trailing)
		r = p->ops->trailing(p->ctx, p->offset - p->hdrfill, p->hdrbuf, p->hdrfill);
	p->hdrfill = 0;
	return r;
}

int bf_bfb_parser_feed(struct bf_bfb_parser *p, const uint8_t *buf, size_t len)
{
	int r;

	while (len) {
		size_t n;

		switch (p->state) {
		case BF_BFB_P_ERROR:
			return -EBADMSG;
		case BF_BFB_P_HDR:
			n = BF_BFB_HDR_LEN - p->hdrfill;
			if (n > len)
				n = len;
			memcpy(p->hdrbuf + p->hdrfill, buf, n);
			p->hdrfill += n;
			p->offset += n;
			buf += n;
			len -= n;
			if (p->hdrfill >= 4 && !bf_bfb_is_magic(p->hdrbuf) && trailing_allowed(p)) {
				if ((r = parser_to_trailing(p)) != 0)
					return r;
				break;
			}
			if (p->hdrfill == BF_BFB_HDR_LEN && (r = parser_header(p)) != 0)
				return r;
			break;
		case BF_BFB_P_DATA:
			n = p->left < len ? (size_t)p->left : len;
			if (!(p->flags & BF_BFB_NO_CRC))
				p->crc = bf_bfb_crc32(p->crc, buf, n);
			if (p->ops->image_data && (r = p->ops->image_data(p->ctx, &p->cur, buf, n)) != 0)
				return r;
			p->left -= n;
			p->offset += n;
			buf += n;
			len -= n;
			if (p->left == 0) {
				p->left = bf_bfb_padded(p->cur.hdr.len) - p->cur.hdr.len;
				p->state = BF_BFB_P_PAD;
			}
			break;
		case BF_BFB_P_PAD:
			n = p->left < len ? (size_t)p->left : len;
			/* The CRC covers the padding bytes as they are in the stream. */
			if (!(p->flags & BF_BFB_NO_CRC))
				p->crc = bf_bfb_crc32(p->crc, buf, n);
			p->left -= n;
			p->offset += n;
			buf += n;
			len -= n;
			break;
		case BF_BFB_P_TRAILING:
			if (p->ops->trailing && (r = p->ops->trailing(p->ctx, p->offset, buf, len)) != 0)
				return r;
			p->trailing_bytes += len;
			p->offset += len;
			len = 0;
			break;
		}
		if (p->state == BF_BFB_P_PAD && p->left == 0 && (r = parser_image_done(p)) != 0)
			return r;
	}
	/* A zero-length image with no padding completes without further input. */
	if (p->state == BF_BFB_P_PAD && p->left == 0)
		return parser_image_done(p);
	return 0;
}

int bf_bfb_parser_feed_crc(struct bf_bfb_parser *p, uint64_t n, uint32_t crc)
{
	if (p->state != BF_BFB_P_DATA || n > p->left || p->ops->image_data)
		return -EINVAL;
	if (!(p->flags & BF_BFB_NO_CRC))
		p->crc = (uint32_t)crc32_combine(p->crc, crc, (z_off_t)n);
	p->left -= n;
	p->offset += n;
	if (p->left == 0) {
		p->left = bf_bfb_padded(p->cur.hdr.len) - p->cur.hdr.len;
		p->state = BF_BFB_P_PAD;
		if (p->left == 0)
			return parser_image_done(p);
	}
	return 0;
}

int bf_bfb_parser_finish(struct bf_bfb_parser *p)
{
	switch (p->state) {
	case BF_BFB_P_ERROR:
		return -EBADMSG;
	case BF_BFB_P_TRAILING:
		return 0;
	case BF_BFB_P_HDR:
		if (p->hdrfill == 0) {
			if (p->nimages == 0) {
				bf_error_set("not a BFB: the stream is empty");
				return parse_fail(p, 0, -1, -1);
			}
			if (p->cur.hdr.following) {
				bf_error_set("BFB truncated at offset %llu: the header of image %u (%s) announces more images (bitmap 0x%016llx)",
					     (unsigned long long)p->offset, p->cur.index,
					     id_label(p->cur.hdr.id), (unsigned long long)p->cur.hdr.following);
				return parse_fail(p, p->offset, (int)p->nimages, -1);
			}
			return 0;
		}
		if (trailing_allowed(p)) {
			int r = parser_to_trailing(p);

			return r;
		}
		if (p->nimages == 0)
			bf_error_set("not a BFB: %u bytes, shorter than one %d-byte image header",
				     p->hdrfill, BF_BFB_HDR_LEN);
		else
			bf_error_set("image %u at offset %llu: header truncated (%u of %d bytes)",
				     p->nimages, (unsigned long long)(p->offset - p->hdrfill),
				     p->hdrfill, BF_BFB_HDR_LEN);
		return parse_fail(p, p->offset - p->hdrfill, (int)p->nimages, -1);
	case BF_BFB_P_DATA:
	case BF_BFB_P_PAD:
		bf_error_set("image %u (%s, id %u) at offset %llu: stream truncated, image too short (%llu bytes missing)",
			     p->cur.index, id_label(p->cur.hdr.id), p->cur.hdr.id,
			     (unsigned long long)p->cur.offset,
			     (unsigned long long)(p->left + (p->state == BF_BFB_P_DATA ?
				bf_bfb_padded(p->cur.hdr.len) - p->cur.hdr.len : 0)));
		return parse_fail(p, p->cur.offset, (int)p->cur.index, p->cur.hdr.id);
	}
	return -EBADMSG;
}
