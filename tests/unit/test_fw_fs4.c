/* test_fw_fs4.c - the FS4 image parser on byte vectors built here with
 * literal offsets (not with the library's writer): a good image and what
 * is read from it; a bad magic, FS5, two images in one file; damaged HW
 * pointer, ITOC header, ITOC entry and section CRCs; a section past the
 * end, huge sizes and pointers; truncation at every boundary; the ITOC copy
 * one sector further; the device sector. Then the writer's images through
 * the same checks, the component the NIC receives, and burns of FS4 images
 * into the simulated NIC (chip, PSID, unsigned refused; the NIC's own
 * verification). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fw_testdev.h"
#include "fw/burn.h"
#include "fw/fs4.h"
#include "fw/image.h"
#include "fw/query.h"
#include "error.h"

/* The test's own layout: ITOC at 0x100, IMAGE_INFO at 0x200, MAIN_CODE
 * (256 bytes) at 0x600; no tools area, no BOOT2. */
#define T_ITOC  0x100
#define T_INFO  0x200
#define T_MAIN  0x600
#define T_LEN   0x700

static void w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void ptr(uint8_t *img, unsigned i, uint32_t v)
{
	w32(img + 0x18 + 8 * i, v);
	w32(img + 0x1c + 8 * i, 0);
	w32(img + 0x1c + 8 * i, bf_fw_fs4_hw_crc(img + 0x18 + 8 * i, 6));
}

static void entry(uint8_t *e, uint8_t type, uint32_t addr, uint32_t size, const uint8_t *sect)
{
	memset(e, 0, 32);
	w32(e, (uint32_t)type << 24 | (size / 4) << 2);
	w32(e + 20, (addr / 4) << 2);
	w32(e + 24, sect ? bf_fw_fs4_crc16(sect, size / 4) : 0);
	w32(e + 28, bf_fw_fs4_crc16(e, 7));
}

static void itoc_hdr(uint8_t *h)
{
	memset(h, 0, 32);
	w32(h, 0x49544f43);
	w32(h + 4, 0x04081516);
	w32(h + 8, 0x2342cafa);
	w32(h + 12, 0xbacafe00);
	w32(h + 28, bf_fw_fs4_crc16(h, 7));
}

/* IMAGE_INFO then ITOC (IMAGE_INFO, MAIN_CODE, end) over it. */
static void seal(uint8_t *b, uint8_t *img)
{
	(void)b;
	itoc_hdr(img + T_ITOC);
	entry(img + T_ITOC + 32, 0x10, T_INFO, 0x400, img + T_INFO);
	entry(img + T_ITOC + 64, 0x03, T_MAIN, 0x100, img + T_MAIN);
	memset(img + T_ITOC + 96, 0xff, 32);
}

/* A good image at img (T_LEN bytes). */
static void build(uint8_t *img)
{
	unsigned i;

	memset(img, 0xff, T_LEN);
	w32(img, 0x4d544657);
	w32(img + 4, 0xabcdef00);
	w32(img + 8, 0xfade1234);
	w32(img + 12, 0x5678dead);
	w32(img + 0x10, 0x01000000);
	w32(img + 0x14, 0);
	for (i = 0; i < 16; i++)
		ptr(img, i, 0);
	ptr(img, 2, T_ITOC);
	memset(img + T_INFO, 0, 0x400);
	w32(img + T_INFO, 0x00034100);          /* 0.3, signed_fw, mcc_en */
	w32(img + T_INFO + 4, 32u << 16);
	w32(img + T_INFO + 8, 41u << 16 | 1000);
	w32(img + T_INFO + 0x10, 0x20240428);   /* BCD year, month, day */
	memcpy(img + T_INFO + 0x24, "MT_0000000884", 13);
	w32(img + T_INFO + 0x118, 0x0000021c);
	w32(img + T_INFO + 0x11c, 0x0001021c);
	memcpy(img + T_INFO + 0x1c0, "rel-32_41_1000", 14);
	memcpy(img + T_INFO + 0x1d0, "BlueField-3 P-Series DPU 200GbE", 31);
	memcpy(img + T_INFO + 0x340, "900-9D3B6-00CV-AA0", 18);
	for (i = 0; i < 0x100; i++)
		img[T_MAIN + i] = (uint8_t)(i * 7);
	seal(NULL, img);
}

static int parse(const uint8_t *b, size_t len, struct bf_fw_fs4_info *fi)
{
	bf_error_clear();
	return bf_fw_fs4_parse(b, len, 0, fi);
}

static void expect_err(const uint8_t *b, size_t len, const char *words)
{
	struct bf_fw_fs4_info fi;

	assert_int_equal(parse(b, len, &fi), -EBADMSG);
	assert_non_null(bf_error_get());
	if (!strstr(bf_error_get(), words))
		fail_msg("'%s' does not say '%s'", bf_error_get(), words);
}

/* The CRC-16 as FS4 defines it, a bit at a time: each dword's bits, most
 * significant first, into a register that starts at 0xffff, then 16 zero
 * bits, inverted. */
static uint16_t crc16_bitwise(const uint8_t *p, size_t ndw)
{
	uint32_t crc = 0xffff, w;
	size_t i;
	int b;

	for (i = 0; i < ndw + 1; i++) {
		w = i < ndw ? (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
			      p[4 * i + 3] : 0;
		for (b = 31; b >= (i < ndw ? 0 : 16); b--)
			crc = (crc & 0x8000 ? ((crc << 1) | (w >> b & 1)) ^ 0x100b : (crc << 1) | (w >> b & 1)) & 0xffff;
	}
	return (uint16_t)(crc ^ 0xffff);
}

static void test_crc_bitwise(void **state)
{
	static uint8_t buf[4096];
	uint32_t x = 12345;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (n = 0; n <= sizeof(buf) / 4; n += n < 16 ? 1 : 97)
		assert_int_equal(bf_fw_fs4_crc16(buf, n), crc16_bitwise(buf, n));
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(bf_fw_fs4_crc16(buf, 1024), crc16_bitwise(buf, 1024));
}

static void test_crc(void **state)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 0xa5, 0xa5, 0xa5, 0xa5 }, z[6] = { 0 };
	static const uint8_t p1[] = { 0, 0, 0x20, 0, 0, 0 }, p2[] = { 0x12, 0x34, 0x56, 0x78, 0, 0 };

	(void)state;
	/* Known answers, computed with an independent implementation. */
	assert_int_equal(bf_fw_fs4_crc16(d, 2), 0xc430);
	assert_int_equal(bf_fw_fs4_crc16(z, 1), 0x0009);
	assert_int_equal(bf_fw_fs4_hw_crc(p1, 6), 0xd6cf);
	assert_int_equal(bf_fw_fs4_hw_crc(p2, 6), 0x7e6f);
	assert_int_equal(bf_fw_fs4_hw_crc(z, 6), 0);   /* a zeroed pointer entry is valid */
}

static void test_good(void **state)
{
	static uint8_t img[T_LEN];
	struct bf_fw_fs4_info fi;
	struct bf_fw_image_hdr h;

	(void)state;
	build(img);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	assert_int_equal(fi.start, 0);
	assert_int_equal(fi.end, T_MAIN + 0x100);
	assert_int_equal(fi.nsections, 2);
	assert_int_equal(fi.fw_ver[0], 32);
	assert_int_equal(fi.fw_ver[1], 41);
	assert_int_equal(fi.fw_ver[2], 1000);
	assert_int_equal(fi.rel_day, 0x28);
	assert_int_equal(fi.rel_month, 0x04);
	assert_int_equal(fi.rel_year, 0x2024);
	assert_string_equal(fi.psid, "MT_0000000884");
	assert_string_equal(fi.product, "rel-32_41_1000");
	assert_string_equal(fi.description, "BlueField-3 P-Series DPU 200GbE");
	assert_string_equal(fi.name, "900-9D3B6-00CV-AA0");
	assert_int_equal(fi.nhw, 2);
	assert_int_equal(fi.hw_ids[1], 0x1021c);
	assert_true(fi.signed_fw && fi.mcc_en && !fi.secure_fw);
	assert_false(fi.dtoc);
	/* The flag alone is not a signed image: no signature, no keys. */
	assert_false(fi.has_signature || fi.has_public_keys || fi.is_signed);
	/* What the burn sees. */
	assert_int_equal(bf_fw_image_check(img, T_LEN, &h), 0);
	assert_int_equal(h.format, BF_FW_IMAGE_FS4);
	assert_int_equal(h.version, 0x202903e8);
	assert_int_equal(h.date_bcd, 0x20240428);
	assert_string_equal(h.psid, "MT_0000000884");
	assert_true(bf_fw_image_for_chip(&h, 0x21c));
	assert_false(bf_fw_image_for_chip(&h, 0x214));
	assert_int_equal(h.comp_len, T_MAIN + 0x100);
	assert_false(h.is_signed);
	/* With an IMAGE_SIGNATURE_256 and a PUBLIC_KEYS_2048 section it is. */
	entry(img + T_ITOC + 64, 0xa0, T_MAIN, 0x80, img + T_MAIN);
	entry(img + T_ITOC + 96, 0xa1, T_MAIN + 0x80, 0x80, img + T_MAIN + 0x80);
	memset(img + T_ITOC + 128, 0xff, 32);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	assert_true(fi.has_signature && fi.has_public_keys && fi.is_signed);
	assert_int_equal(bf_fw_image_check(img, T_LEN, &h), 0);
	assert_true(h.is_signed);
	/* ... as long as it has FW control (mcc_en). */
	w32(img + T_INFO, 0x00034000);
	entry(img + T_ITOC + 32, 0x10, T_INFO, 0x400, img + T_INFO);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	assert_false(fi.is_signed);
	build(img);
	/* A description is read only from IMAGE_INFO 0.2 and 0.3. */
	w32(img + T_INFO, 0x00014100);
	seal(NULL, img);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	assert_string_equal(fi.description, "");
	assert_string_equal(fi.psid, "MT_0000000884");
	/* Text from the file is printable. */
	build(img);
	img[T_INFO + 0x24] = '\n';
	img[T_INFO + 0x25] = 0x80;
	seal(NULL, img);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	assert_string_equal(fi.psid, "??_0000000884");
}

static void test_magic_and_format(void **state)
{
	static uint8_t img[T_LEN], big[0x10000 + T_LEN];
	struct bf_fw_fs4_info fi;
	struct bf_fw_image_hdr h;

	(void)state;
	build(img);
	img[5] ^= 1;
	expect_err(img, T_LEN, "no magic pattern");
	assert_int_equal(bf_fw_image_check(img, T_LEN, &h), -EBADMSG);
	assert_non_null(strstr(bf_error_get(), "neither an FS4 image"));
	build(img);
	img[0x10] = 2;
	expect_err(img, T_LEN, "FS5 images are not supported");
	/* The image one 64K boundary in (a flash dump): found and read. */
	memset(big, 0xff, sizeof(big));
	build(big + 0x10000);
	assert_int_equal(parse(big, sizeof(big), &fi), 0);
	assert_int_equal(fi.start, 0x10000);
	assert_string_equal(fi.psid, "MT_0000000884");
	/* At a position that is not one: not found. */
	memmove(big + 0x8000, big + 0x10000, T_LEN);
	memset(big + 0x10000, 0xff, T_LEN);
	expect_err(big, sizeof(big), "no magic pattern");
	/* Two images. */
	build(big);
	build(big + 0x10000);
	expect_err(big, sizeof(big), "more than one image in the file (at 0x0 and 0x10000)");
}

static void test_crcs(void **state)
{
	static uint8_t img[T_LEN];
	struct bf_fw_fs4_info fi;

	(void)state;
	build(img);
	img[0x2c] ^= 0x40;   /* the TOC pointer's CRC */
	expect_err(img, T_LEN, "HW pointer to the TOC at 0x28 is damaged");
	assert_true((parse(img, T_LEN, &fi), fi.bad_crc));
	/* The software CRC of the pointer is accepted too (some devices). */
	build(img);
	w32(img + 0x2c, bf_fw_fs4_crc16(img + 0x28, 1));
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	build(img);
	img[T_ITOC + 1] ^= 1;
	expect_err(img, T_LEN, "no ITOC header at 0x100 or 0x1100");
	build(img);
	img[T_ITOC + 0x1e] ^= 1;
	assert_int_equal(parse(img, T_LEN, &fi), -EBADMSG);
	assert_true(fi.bad_crc);
	assert_non_null(strstr(bf_error_get(), "ITOC header at 0x100 is damaged"));
	build(img);
	img[T_ITOC + 64 + 9] ^= 1;   /* MAIN_CODE's entry */
	expect_err(img, T_LEN, "ITOC entry 1 (type 0x03) at 0x140 is damaged");
	build(img);
	img[T_INFO + 0x30] ^= 0x10;   /* IMAGE_INFO's content */
	expect_err(img, T_LEN, "ITOC section 0x10 at 0x200 is damaged");
	build(img);
	img[T_MAIN + 0xff] ^= 0x80;
	expect_err(img, T_LEN, "ITOC section 0x03 at 0x600 is damaged");
	assert_true((parse(img, T_LEN, &fi), fi.bad_crc));
	/* A section with no CRC (kind 1) is not checked. */
	w32(img + T_ITOC + 64 + 24, 1u << 16);
	w32(img + T_ITOC + 64 + 28, bf_fw_fs4_crc16(img + T_ITOC + 64, 7));
	assert_int_equal(parse(img, T_LEN, &fi), 0);
}

static void test_bounds(void **state)
{
	static uint8_t img[T_LEN];
	struct bf_fw_fs4_info fi;
	unsigned i;

	(void)state;
	/* A section past the end, with a right entry CRC. */
	build(img);
	entry(img + T_ITOC + 64, 0x03, T_LEN - 0x80, 0x100, NULL);
	expect_err(img, T_LEN, "ITOC section 0x03 at 0x680 (0x100 bytes) lies past the end");
	/* The largest size and address an entry can hold. */
	build(img);
	w32(img + T_ITOC + 64, 0x03u << 24 | 0x3fffffu << 2);
	w32(img + T_ITOC + 64 + 20, 0x1fffffffu << 2);
	w32(img + T_ITOC + 64 + 28, bf_fw_fs4_crc16(img + T_ITOC + 64, 7));
	expect_err(img, T_LEN, "lies past the end");
	/* Pointers to nowhere. */
	build(img);
	ptr(img, 2, 0xfffffff0);
	expect_err(img, T_LEN, "no ITOC header at 0xfffffff0 or 0x100000ff0");
	build(img);
	ptr(img, 2, 0);
	expect_err(img, T_LEN, "HW pointer to the ITOC (at 0x28) is 0");
	build(img);
	ptr(img, 3, 0x7fffffff);
	expect_err(img, T_LEN, "tools area at 0x7fffffff (0x40 bytes) lies past the end");
	/* BOOT2 with an impossible size, then a size past the end. */
	build(img);
	ptr(img, 1, 0x400);
	w32(img + 0x404, 0xffffffff);
	expect_err(img, T_LEN, "BOOT2 at 0x400 has an impossible size");
	w32(img + 0x404, 0x100000);
	expect_err(img, T_LEN, "BOOT2 at 0x400 (0x400010 bytes) lies past the end");
	/* An all-ones pointer is absent, not damaged. */
	build(img);
	memset(img + 0x18 + 8 * 15, 0xff, 8);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
	/* No end marker. */
	build(img);
	{
		static uint8_t more[0x1000];

		memset(more, 0xff, sizeof(more));
		memcpy(more, img, T_LEN);
		for (i = 0; i < 70; i++)
			entry(more + T_ITOC + 32 + 32 * i, 0x03, T_MAIN + 0x800, 0x100, more + T_MAIN + 0x800);
		expect_err(more, sizeof(more), "has no end marker within 63 entries");
	}
	/* No IMAGE_INFO. */
	build(img);
	memset(img + T_ITOC + 32, 0xff, 32);
	expect_err(img, T_LEN, "has no IMAGE_INFO section");
	/* An IMAGE_INFO too small to hold its fields. */
	build(img);
	entry(img + T_ITOC + 32, 0x10, T_INFO, 0x100, img + T_INFO);
	expect_err(img, T_LEN, "IMAGE_INFO section at 0x200 is 256 bytes, not 1024");
	/* An unknown IMAGE_INFO format. */
	build(img);
	img[T_INFO] = 1;
	seal(NULL, img);
	expect_err(img, T_LEN, "unknown IMAGE_INFO format version 1.3");
}

static void test_truncated(void **state)
{
	static const size_t cuts[] = { 0, 1, 15, 16, 0x13, 0x14, 0x18, 0x1f, 0x2f, 0x97, T_ITOC, T_ITOC + 0x1f, T_ITOC + 0x20,
				       T_ITOC + 0x3f, T_ITOC + 0x7f, T_ITOC + 0x9f, T_INFO, T_INFO + 0x3ff, T_MAIN,
				       T_MAIN + 0xff };
	static uint8_t img[T_LEN];
	struct bf_fw_fs4_info fi;
	size_t i, n;

	(void)state;
	build(img);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		/* A copy of exactly n bytes, so that a read past it is caught by ASan. */
		uint8_t *c;

		n = cuts[i];
		c = malloc(n ? n : 1);
		memcpy(c, img, n);
		if (parse(c, n, &fi) != -EBADMSG)
			fail_msg("a cut at 0x%zx was accepted", n);
		free(c);
	}
	for (n = 0; n < T_LEN; n += 13)
		assert_int_equal(parse(img, n, &fi), -EBADMSG);
	assert_int_equal(parse(img, T_LEN, &fi), 0);
}

static void test_itoc_copy(void **state)
{
	static uint8_t img[0x1000 + T_LEN];
	struct bf_fw_fs4_info fi;

	(void)state;
	/* The ITOC one sector after where its pointer says (the first copy
	 * blank): found there. */
	memset(img, 0xff, sizeof(img));
	build(img);
	memcpy(img + T_ITOC + 0x1000, img + T_ITOC, 0x80);
	memset(img + T_ITOC, 0xff, 0x80);
	assert_int_equal(parse(img, sizeof(img), &fi), 0);
	assert_int_equal(fi.itoc, T_ITOC + 0x1000);
}

static void test_writer_and_dtoc(void **state)
{
	struct bf_fw_fs4_spec sp = { .hw_dev_id = 0x214, .fw_ver = { 24, 41, 1000 }, .date_bcd = 0x20240501,
				     .psid = "MT_0000000540", .product = "24.41.1000", .description = "test",
				     .payload_len = 5000, .signed_fw = true, .dtoc = true };
	struct bf_fw_fs4_info fi;
	struct bf_fw_image_hdr h, g;
	uint8_t *img, *comp;
	size_t len, clen;
	bool digest;

	(void)state;
	assert_int_equal(bf_fw_fs4_make(&sp, &img, &len), 0);
	assert_int_equal(len % 0x1000, 0);
	assert_int_equal(parse(img, len, &fi), 0);
	assert_true(fi.dtoc);
	assert_string_equal(fi.orig_psid, "MT_0000000540");
	assert_int_equal(fi.guid.count, 8);
	assert_int_equal(fi.mac.count, 8);
	assert_int_equal(fi.orig_guid.count, 8);
	assert_true(fi.is_signed);
	assert_int_equal(fi.end, 0x4000 + 5000);
	assert_int_equal(bf_fw_image_check(img, len, &h), 0);
	assert_int_equal(h.hw_dev_id, 0x214);
	assert_true(h.is_signed);
	/* The component: up to the last ITOC section, magic masked; the NIC's
	 * check accepts it, and not the unmasked file. */
	assert_int_equal(bf_fw_image_component(img, len, &h, &comp, &clen), 0);
	assert_int_equal(clen, 0x4000 + 5000);
	assert_int_equal(comp[0], 0xff);
	assert_int_equal(comp[15], 0xff);
	assert_memory_equal(comp + 16, img + 16, clen - 16);
	assert_int_equal(bf_fw_image_component_check(comp, clen, &g, &digest), 0);
	assert_string_equal(g.psid, "MT_0000000540");
	assert_int_equal(g.version, h.version);
	assert_int_equal(bf_fw_image_component_check(comp, clen - 4, &g, &digest), -EBADMSG);
	assert_false(digest);
	comp[0x4000 + 100] ^= 1;
	assert_int_equal(bf_fw_image_component_check(comp, clen, &g, &digest), -EBADMSG);
	assert_true(digest);
	free(comp);
	/* The device sector's checks: a damaged DEV_INFO, then no MFG_INFO. */
	img[len - 0x1000 + 0x800 + 0x20] ^= 1;
	expect_err(img, len, "DTOC section 0xe1");
	img[len - 0x1000 + 0x800 + 0x20] ^= 1;
	/* A DEV_INFO whose signature is erased is not valid (the other copy
	 * of a failsafe pair), and the DTOC needs one. */
	img[len - 0x1000 + 0x800] = 0;
	expect_err(img, len, "has no valid DEV_INFO section");
	img[len - 0x1000 + 0x800] = 0x6d;
	/* An unknown DEV_INFO format. */
	img[len - 0x1000 + 0x800 + 0x12] = 3;
	w32(img + len - 0x1000 + 0x800 + 0x1fc, bf_fw_fs4_crc16(img + len - 0x1000 + 0x800, 0x7f));
	expect_err(img, len, "unknown DEV_INFO format version 3");
	img[len - 0x1000 + 0x800 + 0x12] = 2;
	w32(img + len - 0x1000 + 0x800 + 0x1fc, bf_fw_fs4_crc16(img + len - 0x1000 + 0x800, 0x7f));
	assert_int_equal(parse(img, len, &fi), 0);
	img[len - 0x1000 + 0x20] = 0x55;   /* MFG_INFO's entry type */
	expect_err(img, len, "DTOC entry 0");
	free(img);
	/* Without the device sector: a reduced image. */
	sp.dtoc = false;
	sp.signed_fw = false;
	assert_int_equal(bf_fw_fs4_make(&sp, &img, &len), 0);
	assert_int_equal(parse(img, len, &fi), 0);
	assert_false(fi.dtoc);
	assert_false(fi.signed_fw || fi.is_signed);
	free(img);
}

/* Burns into the simulated NIC (BlueField-3, PSID MT_0000000884, 32.40.1000). */
static uint8_t *fs4(const char *psid, uint16_t hw, bool sig, size_t *len)
{
	struct bf_fw_fs4_spec sp = { .hw_dev_id = hw, .fw_ver = { 32, 41, 1010 }, .date_bcd = 0x20240428,
				     .psid = psid, .product = "32.41.1010", .payload_len = 20000,
				     .signed_fw = sig, .dtoc = true };
	uint8_t *img;

	assert_int_equal(bf_fw_fs4_make(&sp, &img, len), 0);
	return img;
}

static int burn(struct fwt *t, const uint8_t *img, size_t len, bool allow)
{
	struct bf_fw_burn_opts o = { .allow_psid_change = allow };
	struct bf_fw_burn_result res;

	bf_error_clear();
	return bf_fw_burn(t->d, img, len, &o, &res);
}

static void test_burn(void **state)
{
	struct fwt t;
	struct bf_fw_query q;
	uint8_t *img;
	size_t len;

	(void)state;
	fwt_open(&t, BF_CHIP_BF3, 0);
	img = fs4("MT_0000000999", 0x21c, true, &len);
	assert_int_equal(burn(&t, img, len, false), -EINVAL);
	assert_non_null(strstr(bf_error_get(), "the image is for PSID MT_0000000999"));
	/* Overridden on the host: the NIC's own check refuses it. */
	assert_int_equal(burn(&t, img, len, true), -EPROTO);
	assert_non_null(strstr(bf_error_get(), "REJECTED_NOT_APPLICABLE"));
	free(img);
	img = fs4("MT_0000000884", 0x214, true, &len);
	assert_int_equal(burn(&t, img, len, false), -EINVAL);
	assert_non_null(strstr(bf_error_get(), "the image is for a BlueField-2"));
	free(img);
	img = fs4("MT_0000000884", 0x21c, false, &len);
	assert_int_equal(burn(&t, img, len, false), -EINVAL);
	assert_non_null(strstr(bf_error_get(), "not signed"));
	free(img);
	img = fs4("MT_0000000884", 0x21c, true, &len);
	img[0x4000 + 7] ^= 1;   /* damaged: refused before anything is sent */
	assert_int_equal(burn(&t, img, len, false), -EBADMSG);
	img[0x4000 + 7] ^= 1;
	assert_int_equal(burn(&t, img, len, false), 0);
	assert_int_equal(bf_fw_query(t.d, &q), 0);
	assert_true(q.pending);
	assert_string_equal(q.fw_version, "32.41.1010");
	assert_string_equal(q.fw_running, "32.40.1000");
	free(img);
	fwt_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc),
		cmocka_unit_test(test_crc_bitwise),
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_magic_and_format),
		cmocka_unit_test(test_crcs),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_itoc_copy),
		cmocka_unit_test(test_writer_and_dtoc),
		cmocka_unit_test(test_burn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
