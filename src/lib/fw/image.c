/* fw/image.c - firmware version strings, the simulated NIC's image format,
 * and the one entry point for both formats (FS4 through fw/fs4.c). */
#include "config.h"
#include "fw/image.h"
#include "fw/fs4.h"
#include "bfb.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t bf_fw_crc32(const void *buf, size_t len)
{
	return bf_bfb_crc32(0, buf, len);
}

int bf_fw_version_parse(const char *s, uint32_t *v)
{
	unsigned long a, b, c;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	a = strtoul(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	c = strtoul(end + 1, &end, 10);
	if (*end || a > 255 || b > 255 || c > 65535)
		return -EINVAL;
	*v = (uint32_t)(a << 24 | b << 16 | c);
	return 0;
}

void bf_fw_version_fmt(uint32_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v >> 24, (v >> 16) & 0xff, v & 0xffff);
}

void bf_fw_date_fmt(uint32_t d, char *buf, size_t len)
{
	snprintf(buf, len, "%x.%x.%x", d & 0xff, (d >> 8) & 0xff, d >> 16);
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void bf_fw_image_hdr_write(const struct bf_fw_image_hdr *h, uint8_t o[BF_FW_IMAGE_HDR_SIZE])
{
	memset(o, 0, BF_FW_IMAGE_HDR_SIZE);
	memcpy(o, BF_FW_IMAGE_MAGIC, 8);
	le32(o + 0x08, BF_FW_IMAGE_HDR_SIZE);
	o[0x0C] = (uint8_t)h->hw_dev_id;
	o[0x0D] = (uint8_t)(h->hw_dev_id >> 8);
	le32(o + 0x10, h->version);
	le32(o + 0x14, h->date_bcd);
	memcpy(o + 0x18, h->psid, strnlen(h->psid, 16));
	memcpy(o + 0x28, h->product, strnlen(h->product, 16));
	le32(o + 0x38, h->payload_len);
	le32(o + 0x3C, h->payload_crc);
	le32(o + 0x7C, bf_fw_crc32(o, 0x7C));
}

static void copy_str(char *dst, const uint8_t *src)
{
	size_t i;

	/* Device-made text: printable ASCII only. */
	for (i = 0; i < 16 && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

int bf_fw_image_hdr_read(const uint8_t *b, size_t len, struct bf_fw_image_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (len < BF_FW_IMAGE_HDR_SIZE || memcmp(b, BF_FW_IMAGE_MAGIC, 8))
		return bf_error_ret(EBADMSG, "not a firmware image bfctl can read (no %s header)", BF_FW_IMAGE_MAGIC);
	if (rd32(b + 0x08) != BF_FW_IMAGE_HDR_SIZE || rd32(b + 0x7C) != bf_fw_crc32(b, 0x7C))
		return bf_error_ret(EBADMSG, "the image header is damaged (header CRC mismatch)");
	h->hw_dev_id = (uint16_t)(b[0x0C] | b[0x0D] << 8);
	h->version = rd32(b + 0x10);
	h->date_bcd = rd32(b + 0x14);
	copy_str(h->psid, b + 0x18);
	copy_str(h->product, b + 0x28);
	h->payload_len = rd32(b + 0x38);
	h->payload_crc = rd32(b + 0x3C);
	h->format = BF_FW_IMAGE_BFSIM;
	h->hw_ids[0] = h->hw_dev_id;
	h->nhw = 1;
	h->is_signed = true;
	return 0;
}

const char *bf_fw_image_format_name(enum bf_fw_image_format f)
{
	return f == BF_FW_IMAGE_FS4 ? "FS4" : "BFSIMFW1";
}

/* What the burn needs from an FS4 image's IMAGE_INFO. */
static int from_fs4(const struct bf_fw_fs4_info *fi, struct bf_fw_image_hdr *h)
{
	unsigned i;

	memset(h, 0, sizeof(*h));
	if (fi->fw_ver[0] > 255 || fi->fw_ver[1] > 255)
		return bf_error_ret(EBADMSG, "FS4 image: FW version %u.%u.%u is beyond what the NIC reports (255.255.65535)",
				    fi->fw_ver[0], fi->fw_ver[1], fi->fw_ver[2]);
	h->format = BF_FW_IMAGE_FS4;
	h->version = (uint32_t)fi->fw_ver[0] << 24 | (uint32_t)fi->fw_ver[1] << 16 | fi->fw_ver[2];
	h->date_bcd = (uint32_t)fi->rel_year << 16 | (uint32_t)fi->rel_month << 8 | fi->rel_day;
	memcpy(h->psid, fi->psid, sizeof(h->psid));
	memcpy(h->product, fi->product, sizeof(h->product));
	for (i = 0; i < fi->nhw && i < 4; i++)
		h->hw_ids[h->nhw++] = (uint16_t)fi->hw_ids[i];
	h->hw_dev_id = h->nhw ? h->hw_ids[0] : 0;
	h->is_signed = fi->is_signed;
	h->comp_off = fi->start;
	h->comp_len = fi->end;
	h->payload_len = fi->end;
	return 0;
}

int bf_fw_image_check(const uint8_t *b, size_t len, struct bf_fw_image_hdr *h)
{
	struct bf_fw_fs4_info fi;
	uint32_t start;
	int r;

	if (len >= 8 && !memcmp(b, BF_FW_IMAGE_MAGIC, 8))
		r = bf_fw_image_hdr_read(b, len, h);
	else if (bf_fw_fs4_find(b, len, &start) == 0)
		return (r = bf_fw_fs4_parse(b, len, 0, &fi)) < 0 ? r : from_fs4(&fi, h);
	else
		return bf_error_ret(EBADMSG, "not a firmware image bfctl can read: neither an FS4 image (no magic pattern "
				    "at 0 or at a 64K-32M boundary) nor a simulator image (no %s header)",
				    BF_FW_IMAGE_MAGIC);
	if (r < 0)
		return r;
	if (len != (size_t)BF_FW_IMAGE_HDR_SIZE + h->payload_len)
		return bf_error_ret(EBADMSG, "the image is %zu bytes, its header says %zu: it is truncated or has trailing data",
				    len, (size_t)BF_FW_IMAGE_HDR_SIZE + h->payload_len);
	if (bf_fw_crc32(b + BF_FW_IMAGE_HDR_SIZE, h->payload_len) != h->payload_crc)
		return bf_error_ret(EBADMSG, "the image payload is damaged (CRC mismatch)");
	h->comp_len = (uint32_t)len;
	return 0;
}

int bf_fw_image_component_check(const uint8_t *b, size_t len, struct bf_fw_image_hdr *h, bool *digest)
{
	struct bf_fw_fs4_info fi;
	int r;

	*digest = false;
	if (len >= 8 && !memcmp(b, BF_FW_IMAGE_MAGIC, 8)) {
		if ((r = bf_fw_image_hdr_read(b, len, h)) < 0 ||
		    (size_t)BF_FW_IMAGE_HDR_SIZE + h->payload_len != len)
			return r < 0 ? r : -EBADMSG;
		r = bf_fw_image_check(b, len, h);
		*digest = r < 0;
		return r;
	}
	if ((r = bf_fw_fs4_parse(b, len, BF_FW_FS4_COMPONENT, &fi)) < 0) {
		*digest = fi.bad_crc;
		return r;
	}
	if (fi.end != len)
		return bf_error_ret(EBADMSG, "FS4 component: %zu bytes, its last section ends at 0x%x", len, fi.end);
	if ((r = from_fs4(&fi, h)) < 0)
		return r;
	h->payload_crc = bf_fw_crc32(b, len);
	return 0;
}

bool bf_fw_image_for_chip(const struct bf_fw_image_hdr *h, uint16_t hw_id)
{
	unsigned i;

	for (i = 0; i < h->nhw && i < 4; i++)
		if (h->hw_ids[i] == hw_id)
			return true;
	return false;
}

int bf_fw_image_component(const uint8_t *b, size_t len, const struct bf_fw_image_hdr *h, uint8_t **comp,
			  size_t *clen)
{
	size_t n = h->comp_len;

	if (h->comp_off > len || n > len - h->comp_off || !n)
		return bf_error_ret(EINVAL, "the image's component (0x%x bytes at 0x%x) is not within its %zu bytes",
				    h->comp_len, h->comp_off, len);
	if (!(*comp = malloc(n)))
		return -ENOMEM;
	memcpy(*comp, b + h->comp_off, n);
	if (h->format == BF_FW_IMAGE_FS4)
		memset(*comp, 0xff, n < BF_FW_FS4_MAGIC_LEN ? n : BF_FW_FS4_MAGIC_LEN);
	*clen = n;
	return 0;
}

int bf_fw_image_make(const struct bf_fw_image_hdr *in, uint8_t **out, size_t *len)
{
	struct bf_fw_image_hdr h = *in;
	uint32_t x = h.version ^ bf_fw_crc32(h.psid, strlen(h.psid)) ^ 0x9e3779b9u;
	size_t n = (size_t)BF_FW_IMAGE_HDR_SIZE + h.payload_len, i;
	uint8_t *b = malloc(n ? n : 1);

	if (!b)
		return -ENOMEM;
	/* xorshift32: reproducible for a given version and PSID */
	for (i = BF_FW_IMAGE_HDR_SIZE; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
	h.payload_crc = bf_fw_crc32(b + BF_FW_IMAGE_HDR_SIZE, h.payload_len);
	bf_fw_image_hdr_write(&h, b);
	*out = b;
	*len = n;
	return 0;
}
