/* test_bfb_verify.c - bf_bfb_file_verify on regular files, where each
 * image's data is checksummed by range on two cores (crcpar.h): the same
 * verdict, image and offset as the streaming parser fed the whole file,
 * for damage in either half of a large image, in its padding, in a
 * header, and for a file cut short. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bfb.h"
#include "bfb_file.h"
#include "crcpar.h"
#include "error.h"
#include "fileio.h"

#define SMALL_LEN ((1u << 20) + 13)
#define BIG_LEN   ((12u << 20) + 5)

static size_t big_hdr;   /* offset of the large image's header */

/* Two images: a small one (id 62), then a large one (id 63), both with
 * padding. */
static uint8_t *bundle(size_t *len)
{
	size_t n = 2 * BF_BFB_HDR_LEN + bf_bfb_padded(SMALL_LEN) + bf_bfb_padded(BIG_LEN), i, at = 0;
	uint8_t *d = calloc(1, n);
	struct bf_bfb_hdr h;
	uint32_t crc;

	assert_non_null(d);
	for (i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 2654435761u >> 13);
	memset(d + BF_BFB_HDR_LEN + SMALL_LEN, 0, bf_bfb_padded(SMALL_LEN) - SMALL_LEN);
	crc = bf_bfb_crc32_pad(bf_bfb_crc32(0, d + BF_BFB_HDR_LEN, SMALL_LEN), SMALL_LEN);
	bf_bfb_hdr_init(&h, 62, 0, SMALL_LEN, crc);
	h.following = 1ull << 63;
	bf_bfb_hdr_encode(&h, d);
	at = big_hdr = BF_BFB_HDR_LEN + bf_bfb_padded(SMALL_LEN);
	memset(d + at + BF_BFB_HDR_LEN + BIG_LEN, 0, bf_bfb_padded(BIG_LEN) - BIG_LEN);
	crc = bf_bfb_crc32_pad(bf_bfb_crc32(0, d + at + BF_BFB_HDR_LEN, BIG_LEN), BIG_LEN);
	bf_bfb_hdr_init(&h, 63, 0, BIG_LEN, crc);
	bf_bfb_hdr_encode(&h, d + at);
	*len = n;
	return d;
}

/* Verify d[0..len) as a file, and through the parser in one piece. */
static int check(const uint8_t *d, size_t len, struct bf_bfb_summary *sum, char *err, size_t errlen)
{
	char path[] = "/tmp/bfctl-test-verify.XXXXXX";
	struct bf_bfb_parser p;
	int fd = mkstemp(path), r, rp;

	assert_true(fd >= 0);
	assert_int_equal(bf_file_write_all(fd, d, len), 0);
	close(fd);
	bf_error_clear();
	r = bf_bfb_file_verify(path, sum);
	snprintf(err, errlen, "%s", bf_error_get());
	unlink(path);
	bf_bfb_parser_init(&p, NULL, NULL, 0);
	rp = bf_bfb_parser_feed(&p, d, len);
	if (rp == 0)
		rp = bf_bfb_parser_finish(&p);
	assert_int_equal(r, rp);
	if (r == -EBADMSG) {
		assert_int_equal(sum->err_offset, p.err_offset);
		assert_int_equal(sum->err_id, p.err_id);
		assert_string_equal(err, bf_error_get());
	}
	return r;
}

static void test_good(void **state)
{
	struct bf_bfb_summary sum;
	char err[512];
	size_t len;
	uint8_t *d = bundle(&len);

	(void)state;
	assert_int_equal(check(d, len, &sum, err, sizeof(err)), 0);
	assert_int_equal(sum.nimages, 2);
	assert_int_equal(sum.bytes, len);
	free(d);
}

static void test_damage(void **state)
{
	const size_t at[] = {
		big_hdr + BF_BFB_HDR_LEN + 100,               /* first half of the large image */
		big_hdr + BF_BFB_HDR_LEN + (9u << 20),        /* second half: the helper's */
		big_hdr + BF_BFB_HDR_LEN + BIG_LEN + 1,       /* its padding */
		big_hdr + 13,                                 /* its header: the CRC field */
		BF_BFB_HDR_LEN + 7,                           /* the small image */
	};
	struct bf_bfb_summary sum;
	char err[512];
	size_t len, i;
	uint8_t *d;

	(void)state;
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		d = bundle(&len);
		d[at[i]] ^= 0x40;
		assert_int_equal(check(d, len, &sum, err, sizeof(err)), -EBADMSG);
		assert_int_equal(sum.err_offset, i < 4 ? big_hdr : 0);
		assert_int_equal(sum.err_id, i < 4 ? 63 : 62);
		free(d);
	}
}

static void test_cut_short(void **state)
{
	struct bf_bfb_summary sum;
	char err[512];
	size_t len;
	uint8_t *d = bundle(&len);

	(void)state;
	assert_int_equal(check(d, big_hdr + (7u << 20), &sum, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "truncated"));
	free(d);
}

/* The two-core CRC of a file range equals the one-core CRC. */
static void test_crcpar(void **state)
{
	char path[] = "/tmp/bfctl-test-crcpar.XXXXXX";
	struct bf_crcpar *c;
	size_t len, offs[] = { 0, 1, 4095, 777777 }, lens[] = { 0, 5, (4u << 20) + 3, (12u << 20) }, i, j;
	uint8_t *d = bundle(&len);
	int fd = mkstemp(path);
	uint32_t crc;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(bf_file_write_all(fd, d, len), 0);
	assert_int_equal(bf_crcpar_new(&c), 0);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			assert_int_equal(bf_crcpar_file(c, fd, offs[i], lens[j], &crc), 0);
			assert_int_equal(crc, bf_bfb_crc32(0, d + offs[i], lens[j]));
		}
	/* Past the end: the file got shorter than expected. */
	assert_int_equal(bf_crcpar_file(c, fd, len - 10, 20, &crc), -EIO);
	assert_int_equal(bf_crcpar_file(c, fd, len - (6u << 20), 8u << 20, &crc), -EIO);
	bf_crcpar_free(c);
	close(fd);
	unlink(path);
	free(d);
}

/* A range of more chunks than a thread may run ahead of the join (80 MiB
 * in 4 MiB chunks, a short last one), from two offsets; and a file that
 * ends one byte early. */
static void test_crcpar_long(void **state)
{
	char path[] = "/tmp/bfctl-test-crcpar.XXXXXX";
	size_t len = (80u << 20) + 3, i;
	uint8_t *d = malloc(len);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct bf_crcpar *c;
	int fd = mkstemp(path);
	uint32_t crc;

	(void)state;
	assert_non_null(d);
	assert_true(fd >= 0);
	for (i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		d[i] = (uint8_t)x;
	}
	assert_int_equal(bf_file_write_all(fd, d, len), 0);
	assert_int_equal(bf_crcpar_new(&c), 0);
	assert_int_equal(bf_crcpar_file(c, fd, 0, len, &crc), 0);
	assert_int_equal(crc, bf_bfb_crc32(0, d, len));
	assert_int_equal(bf_crcpar_file(c, fd, 4097, len - 4100, &crc), 0);
	assert_int_equal(crc, bf_bfb_crc32(0, d + 4097, len - 4100));
	assert_int_equal(bf_crcpar_file(c, fd, 1, len, &crc), -EIO);
	bf_crcpar_free(c);
	close(fd);
	unlink(path);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_crcpar),
		cmocka_unit_test(test_crcpar_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
