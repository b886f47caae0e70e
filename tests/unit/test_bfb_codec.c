/* test_bfb_codec.c - the BFB header codec and streaming parser against
 * vectors computed by hand from the spec (doc/bfb.md), every header
 * field corrupted, truncation at every boundary, huge lengths, unknown ids,
 * zero-length images, trailing data, feeding in pieces of every size. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "bfb.h"
#include "error.h"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void test_header_vector(void **state)
{
	struct bf_bfb_hdr h, d;
	uint8_t b[24];
	const char *why = NULL;

	(void)state;
	bf_bfb_hdr_init(&h, 59, 2, 15, 0xe5bc078d);
	h.next_ver = 0;
	h.following = 0x8804000000000000ull;
	bf_bfb_hdr_encode(&h, b);
	/* w0 = magic | major 1 << 32 | minor 2 << 36 | cur 2 << 48 | len 3 << 52 | id 59 << 56 */
	assert_int_equal(le64(b), 0x13026642ull | (1ull << 32) | (2ull << 36) | (2ull << 48) |
				  (3ull << 52) | (59ull << 56));
	assert_int_equal(le64(b), 0x3b32002113026642ull);
	assert_int_equal(le64(b + 8), 15ull | (0xe5bc078dull << 32));
	assert_int_equal(le64(b + 16), 0x8804000000000000ull);
	assert_memory_equal(b, "\x42\x66\x02\x13", 4);
	assert_int_equal(bf_bfb_hdr_decode(b, &d, &why), 0);
	assert_int_equal(d.id, 59);
	assert_int_equal(d.cur_ver, 2);
	assert_int_equal(d.len, 15);
	assert_int_equal(d.crc, 0xe5bc078d);
	assert_int_equal(d.following, 0x8804000000000000ull);
}

static void test_header_corruption(void **state)
{
	static const struct { int byte; uint8_t val; const char *why; } cases[] = {
		{ 0, 0x43, "bad magic number" },
		{ 3, 0x14, "bad magic number" },
		{ 4, 0x22, "bad major version" },     /* major 2 */
		{ 4, 0x31, "bad minor version" },     /* minor 3 */
		{ 6, 0x40, "bad header length" },     /* 4 words */
		{ 6, 0x00, "bad header length" },
	};
	struct bf_bfb_hdr h, d;
	uint8_t b[24];
	size_t i;

	(void)state;
	bf_bfb_hdr_init(&h, 1, 0, 8, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;

		bf_bfb_hdr_encode(&h, b);
		b[cases[i].byte] = cases[i].val;
		assert_int_equal(bf_bfb_hdr_decode(b, &d, &why), -EBADMSG);
		assert_string_equal(why, cases[i].why);
	}
}

/* Build a stream of images; returns its length. */
struct img { uint8_t id, ver, next; uint64_t fol; const char *data; size_t len; bool badcrc; };

static size_t build(uint8_t *out, const struct img *im, size_t n)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		struct bf_bfb_hdr h;
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)im[i].data, (uInt)im[i].len);
		static const uint8_t z[8];

		crc = (uint32_t)crc32(crc, z, (uInt)(bf_bfb_padded(im[i].len) - im[i].len));
		bf_bfb_hdr_init(&h, im[i].id, im[i].ver, (uint32_t)im[i].len, im[i].badcrc ? crc ^ 1 : crc);
		h.next_ver = im[i].next;
		h.following = im[i].fol;
		bf_bfb_hdr_encode(&h, out + o);
		o += 24;
		memcpy(out + o, im[i].data, im[i].len);
		memset(out + o + im[i].len, 0, bf_bfb_padded(im[i].len) - im[i].len);
		o += bf_bfb_padded(im[i].len);
	}
	return o;
}

struct rec {
	unsigned nimg, ncrc_ok;
	uint8_t ids[16];
	size_t data_bytes;
	uint8_t trailing[64];
	size_t ntrailing;
};

static int r_end(void *ctx, const struct bf_bfb_image *img)
{
	struct rec *r = ctx;

	if (r->nimg < 16)
		r->ids[r->nimg] = img->hdr.id;
	r->nimg++;
	r->ncrc_ok += img->crc_ok;
	return 0;
}

static int r_data(void *ctx, const struct bf_bfb_image *img, const uint8_t *b, size_t n)
{
	(void)img;
	(void)b;
	((struct rec *)ctx)->data_bytes += n;
	return 0;
}

static int r_trail(void *ctx, uint64_t off, const uint8_t *b, size_t n)
{
	struct rec *r = ctx;

	(void)off;
	if (r->ntrailing + n <= sizeof(r->trailing))
		memcpy(r->trailing + r->ntrailing, b, n);
	r->ntrailing += n;
	return 0;
}

static const struct bf_bfb_parser_ops rops = { .image_end = r_end, .image_data = r_data, .trailing = r_trail };

/* Feed buf in pieces of size step (1..len), then finish. */
static int parse(const uint8_t *buf, size_t len, size_t step, struct rec *r, unsigned flags,
		 struct bf_bfb_parser *p)
{
	size_t o;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	bf_bfb_parser_init(p, &rops, r, flags);
	for (o = 0; o < len && ret == 0; o += step)
		ret = bf_bfb_parser_feed(p, buf + o, len - o < step ? len - o : step);
	return ret ? ret : bf_bfb_parser_finish(p);
}

static const struct img three[] = {
	{ 1, 0, 0, (1ull << 3) | (1ull << 5), "bl2-bytes", 9, false },
	{ 3, 0, 0, 1ull << 5, "", 0, false },                     /* zero-length image */
	{ 5, 0, 0, 0, "uefi-bl33-16bytes", 17, false },
};

static void test_stream_pieces(void **state)
{
	uint8_t buf[512];
	struct bf_bfb_parser p;
	struct rec r;
	size_t len = build(buf, three, 3), step;

	(void)state;
	memcpy(buf + len, "UPDATE_DPU_OS=no\n", 17);
	len += 17;
	for (step = 1; step <= len; step++) {
		assert_int_equal(parse(buf, len, step, &r, 0, &p), 0);
		assert_int_equal(r.nimg, 3);
		assert_int_equal(r.ncrc_ok, 3);
		assert_int_equal(r.ids[0], 1);
		assert_int_equal(r.ids[1], 3);
		assert_int_equal(r.ids[2], 5);
		assert_int_equal(r.data_bytes, 9 + 0 + 17);
		assert_int_equal(r.ntrailing, 17);
		assert_memory_equal(r.trailing, "UPDATE_DPU_OS=no\n", 17);
	}
}

/* Truncation at every byte: an error exactly when a header or an image is
 * cut, or when the cut falls between images that the bitmap announces. */
static void test_truncation_everywhere(void **state)
{
	uint8_t buf[512];
	struct bf_bfb_parser p;
	struct rec r;
	size_t len = build(buf, three, 3), cut;

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		int ret = parse(buf, cut, 7, &r, 0, &p);
		bool at_end = cut == len;

		if (at_end) {
			assert_int_equal(ret, 0);
			continue;
		}
		assert_int_equal(ret, -EBADMSG);
	}
}

static void test_crc_mismatch(void **state)
{
	struct img im[2] = { three[0], three[2] };
	uint8_t buf[512];
	struct bf_bfb_parser p;
	struct rec r;
	size_t len;

	(void)state;
	im[0].fol = 1ull << 5;
	im[1].badcrc = true;
	len = build(buf, im, 2);
	bf_error_clear();
	assert_int_equal(parse(buf, len, 64, &r, 0, &p), -EBADMSG);
	assert_int_equal(p.err_id, 5);
	assert_int_equal(p.err_offset, 24 + 16);
	assert_non_null(strstr(bf_error_get(), "bl33"));
	/* Keep going: listed with crc_ok false. */
	assert_int_equal(parse(buf, len, 64, &r, BF_BFB_KEEP_GOING_ON_CRC, &p), 0);
	assert_int_equal(r.nimg, 2);
	assert_int_equal(r.ncrc_ok, 1);
	/* The padding is covered by the CRC: a non-zero pad byte is caught. */
	im[1].badcrc = false;
	len = build(buf, im, 2);
	buf[24 + 9] = 0xff;   /* first padding byte of image 0 */
	assert_int_equal(parse(buf, len, 64, &r, 0, &p), -EBADMSG);
	assert_int_equal(p.err_id, 1);
}

static void test_huge_length(void **state)
{
	struct img im = { 63, 0, 0, 0, "x", 1, false };
	uint8_t buf[64];
	struct bf_bfb_parser p;
	struct rec r;
	size_t len = build(buf, &im, 1);

	(void)state;
	buf[8] = buf[9] = buf[10] = buf[11] = 0xff;   /* length 4 GiB - 1 */
	bf_error_clear();
	assert_int_equal(parse(buf, len, 64, &r, 0, &p), -EBADMSG);
	assert_non_null(strstr(bf_error_get(), "truncated"));
	assert_int_equal(r.data_bytes, 8);   /* only what exists was read */
}

static void test_unknown_id_and_bitmap(void **state)
{
	struct img im[2] = { { 200, 0, 0, 1ull << 1, "??", 2, false }, { 1, 0, 0, 0, "a", 1, false } };
	uint8_t buf[128];
	struct bf_bfb_parser p;
	struct rec r;
	size_t len = build(buf, im, 2);

	(void)state;
	assert_int_equal(parse(buf, len, 5, &r, 0, &p), 0);
	assert_int_equal(r.nimg, 2);
	assert_int_equal(r.ids[0], 200);
	/* Garbage where the bitmap announces an image is an error, not trailing data. */
	len = build(buf, im, 1);
	memcpy(buf + len, "garbage-garbage-garbage-", 24);
	assert_int_equal(parse(buf, len + 24, 5, &r, 0, &p), -EBADMSG);
	assert_int_equal(p.err_offset, len);
}

static void test_not_a_bfb(void **state)
{
	struct bf_bfb_parser p;
	struct rec r;

	(void)state;
	bf_error_clear();
	assert_int_equal(parse((const uint8_t *)"", 0, 1, &r, 0, &p), -EBADMSG);
	assert_non_null(strstr(bf_error_get(), "empty"));
	assert_int_equal(parse((const uint8_t *)"#!/bin/bash\nUPDATE=yes\nmore text here", 36, 3, &r, 0, &p), -EBADMSG);
	assert_non_null(strstr(bf_error_get(), "not a BFB"));
}

static void test_names(void **state)
{
	uint8_t id, ver;
	char b[48];

	(void)state;
	assert_int_equal(bf_bfb_name_parse("bl31", &id, &ver), 0);
	assert_int_equal(id, 3);
	assert_int_equal(ver, 0);
	assert_int_equal(bf_bfb_name_parse("boot-args-v2", &id, &ver), 0);
	assert_int_equal(id, 59);
	assert_int_equal(ver, 2);
	assert_int_equal(bf_bfb_name_parse("bl2r-auth-cert-v1", &id, &ver), 0);
	assert_int_equal(id, 42);
	assert_int_equal(ver, 1);
	assert_int_equal(bf_bfb_name_parse("bl2-v3", &id, &ver), -EINVAL);
	assert_int_equal(bf_bfb_name_parse("bl2-v", &id, &ver), -EINVAL);
	assert_int_equal(bf_bfb_name_parse("nosuch", &id, &ver), -EINVAL);
	assert_int_equal(bf_bfb_name_parse("", &id, &ver), -EINVAL);
	bf_bfb_image_filename(b, sizeof(b), 63, 0);
	assert_string_equal(b, "initramfs-v0");
	bf_bfb_image_filename(b, sizeof(b), 47, 1);
	assert_string_equal(b, "image_id_47-v1");
	/* The canonical order starts with the PSC images and ends with upgrade-image. */
	assert_int_equal(bf_bfb_ids[0].id, 36);
	assert_int_equal(bf_bfb_ids[bf_bfb_nids - 1].id, 51);
	assert_true(bf_bfb_id_rank(63) < bf_bfb_id_rank(51));
	assert_true(bf_bfb_id_rank(5) < bf_bfb_id_rank(52));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_vector),
		cmocka_unit_test(test_header_corruption),
		cmocka_unit_test(test_stream_pieces),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_crc_mismatch),
		cmocka_unit_test(test_huge_length),
		cmocka_unit_test(test_unknown_id_and_bitmap),
		cmocka_unit_test(test_not_a_bfb),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
