/* fw/image.c - firmware version strings and the simulated NIC's image format. */
#include "config.h"
#include "fw/image.h"
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
	return 0;
}

int bf_fw_image_check(const uint8_t *b, size_t len, struct bf_fw_image_hdr *h)
{
	int r = bf_fw_image_hdr_read(b, len, h);

	if (r < 0)
		return r;
	if (len != (size_t)BF_FW_IMAGE_HDR_SIZE + h->payload_len)
		return bf_error_ret(EBADMSG, "the image is %zu bytes, its header says %zu: it is truncated or has trailing data",
				    len, (size_t)BF_FW_IMAGE_HDR_SIZE + h->payload_len);
	if (bf_fw_crc32(b + BF_FW_IMAGE_HDR_SIZE, h->payload_len) != h->payload_crc)
		return bf_error_ret(EBADMSG, "the image payload is damaged (CRC mismatch)");
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
