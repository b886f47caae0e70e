/* bfb.h - the BFB boot-stream format (bf_bfb_*), shared by host and simulator.
 *
 * A BFB is a sequence of images; each is a 24-byte header (three
 * little-endian u64 words), the image bytes, and zero padding to a multiple
 * of 8. The CRC-32 (IEEE, as zlib) covers image bytes plus padding. Data
 * after the last image (no image announced by the previous header's
 * following-images bitmap) is trailing data: bf.cfg and a rootfs ride there.
 */
#ifndef BF_BFB_H
#define BF_BFB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_BFB_MAGIC       0x13026642u
#define BF_BFB_MAJOR       1
#define BF_BFB_MINOR       2
#define BF_BFB_HDR_LEN     24
#define BF_BFB_HDR_WORDS   3
#define BF_BFB_MAX_VER     2      /* highest -vN accepted by mlx-mkbfb */
#define BF_BFB_MAX_ID      63     /* the bitmap has 64 bits */

struct bf_bfb_hdr {
	uint8_t major;
	uint8_t minor;
	uint8_t next_ver;      /* version of the next image with the same id */
	uint8_t cur_ver;       /* this image's version (-vN) */
	uint8_t hdr_words;     /* header length in 8-byte words (3) */
	uint8_t id;
	uint32_t len;          /* image bytes, without padding */
	uint32_t crc;          /* CRC-32 of image bytes + padding */
	uint64_t following;    /* bit n: an image with id n follows later */
};

struct bf_bfb_id {
	uint8_t id;
	const char *name;      /* mlx-mkbfb option name, e.g. "bl31" */
	const char *desc;      /* mlx-mkbfb description */
};

/* Table in canonical emission order (mlx-mkbfb's image_list). */
extern const struct bf_bfb_id bf_bfb_ids[];
extern const size_t bf_bfb_nids;

const struct bf_bfb_id *bf_bfb_id_find(unsigned id);      /* NULL if unknown */
const struct bf_bfb_id *bf_bfb_id_by_name(const char *name);
/* Position of id in the canonical order; bf_bfb_nids for unknown ids. */
size_t bf_bfb_id_rank(unsigned id);
/* Parse "NAME" or "NAME-vN" (N <= BF_BFB_MAX_VER). 0 or -EINVAL. */
int bf_bfb_name_parse(const char *s, uint8_t *id, uint8_t *ver);
/* "name-vN" (or "image_id_<n>-vN" for unknown ids) into buf. */
void bf_bfb_image_filename(char *buf, size_t len, unsigned id, unsigned ver);

static inline uint64_t bf_bfb_padded(uint64_t len) { return (len + 7) & ~(uint64_t)7; }

void bf_bfb_hdr_init(struct bf_bfb_hdr *h, uint8_t id, uint8_t ver, uint32_t len, uint32_t crc);
void bf_bfb_hdr_encode(const struct bf_bfb_hdr *h, uint8_t out[BF_BFB_HDR_LEN]);
/* Decode and check magic, major, minor, header length. 0, or -EBADMSG with
 * the reason in *why (a static string naming the bad field). */
int bf_bfb_hdr_decode(const uint8_t in[BF_BFB_HDR_LEN], struct bf_bfb_hdr *h, const char **why);
/* True when the 4 bytes at p are the header magic. */
bool bf_bfb_is_magic(const uint8_t *p);

uint32_t bf_bfb_crc32(uint32_t crc, const void *buf, size_t len);
/* CRC of len image bytes followed by their zero padding, given the CRC of the bytes. */
uint32_t bf_bfb_crc32_pad(uint32_t crc, uint64_t len);

/* ---- streaming parser: feed it buffers of any size ---------------------- */

struct bf_bfb_image {
	struct bf_bfb_hdr hdr;
	uint64_t offset;       /* stream offset of the header */
	unsigned index;        /* 0-based position in the stream */
	uint32_t crc_calc;     /* valid in image_end */
	bool crc_ok;           /* valid in image_end */
};

/* Callbacks may be NULL. A non-zero return stops the parser and is
 * returned by bf_bfb_parser_feed(). */
struct bf_bfb_parser_ops {
	int (*image_begin)(void *ctx, const struct bf_bfb_image *img);
	/* Image bytes only (never the padding), in order, in pieces. */
	int (*image_data)(void *ctx, const struct bf_bfb_image *img, const uint8_t *buf, size_t len);
	int (*image_end)(void *ctx, const struct bf_bfb_image *img);
	/* Bytes after the last image. */
	int (*trailing)(void *ctx, uint64_t offset, const uint8_t *buf, size_t len);
};

enum {
	/* Report a CRC mismatch through image_end (crc_ok = false) and keep
	 * going, instead of failing with -EBADMSG. */
	BF_BFB_KEEP_GOING_ON_CRC = 1u << 0,
	/* Do not compute CRCs (listing only). */
	BF_BFB_NO_CRC = 1u << 1,
};

enum bf_bfb_pstate { BF_BFB_P_HDR, BF_BFB_P_DATA, BF_BFB_P_PAD, BF_BFB_P_TRAILING, BF_BFB_P_ERROR };

struct bf_bfb_parser {
	const struct bf_bfb_parser_ops *ops;
	void *ctx;
	unsigned flags;
	enum bf_bfb_pstate state;
	uint8_t hdrbuf[BF_BFB_HDR_LEN];
	unsigned hdrfill;
	uint64_t left;         /* bytes left in the current data or padding */
	uint32_t crc;
	uint64_t offset;       /* bytes consumed so far */
	struct bf_bfb_image cur;
	unsigned nimages;
	unsigned ncrc_bad;
	uint64_t trailing_bytes;
	/* First error: stream offset, image index (-1 if none) and id. */
	uint64_t err_offset;
	int err_image;
	int err_id;
};

void bf_bfb_parser_init(struct bf_bfb_parser *p, const struct bf_bfb_parser_ops *ops,
			void *ctx, unsigned flags);
/* 0, a callback's non-zero return, or -EBADMSG (reason in bf_error_get()). */
int bf_bfb_parser_feed(struct bf_bfb_parser *p, const uint8_t *buf, size_t len);
/* End of stream: -EBADMSG if it ended inside a header or image, or held no image. */
int bf_bfb_parser_finish(struct bf_bfb_parser *p);
/* Inside an image's data (state BF_BFB_P_DATA, no image_data callback):
 * its next n bytes (at most left) were read elsewhere, crc being their
 * CRC-32 on their own. Returns what feeding those bytes would have. */
int bf_bfb_parser_feed_crc(struct bf_bfb_parser *p, uint64_t n, uint32_t crc);

#endif
