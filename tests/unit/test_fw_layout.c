/* test_fw_layout.c - the register tables (fw/layout.c): every field of
 * every register packs and unpacks to itself, fields do not overlap, the
 * byte vectors of doc/firmware.md section 2 come out exactly, and the
 * bit positions of the fields the tools rely on are where the spec says;
 * the NV type dwords, the MCDA data order, MCAM bits, versions, dates and
 * the simulated NIC's image format. */
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

#include "fw/image.h"
#include "fw/layout.h"
#include "fw/reg.h"

static const struct bf_fw_layout *const layouts[] = {
	&bf_fw_op_tlv_layout, &bf_fw_reg_tlv_layout, &bf_fw_mgir_layout, &bf_fw_mcam_layout,
	&bf_fw_mlock_layout, &bf_fw_mcqs_layout, &bf_fw_mcqi_layout, &bf_fw_mcqi_cap_layout,
	&bf_fw_mcqi_version_layout, &bf_fw_mcqi_activation_layout, &bf_fw_mcc_layout, &bf_fw_mcda_layout,
	&bf_fw_mqis_layout, &bf_fw_mfrl_layout, &bf_fw_mnvda_layout, &bf_fw_mnvdi_layout,
	&bf_fw_mnvqc_layout, &bf_fw_mnvgc_layout, &bf_fw_mnvia_layout,
};

static void set_member(uint8_t *st, const struct bf_fw_field *f, uint32_t v)
{
	if (f->msize == 1) st[f->member] = (uint8_t)v;
	else if (f->msize == 2) { uint16_t w = (uint16_t)v; memcpy(st + f->member, &w, 2); }
	else memcpy(st + f->member, &v, 4);
}

static uint32_t get_member(const uint8_t *st, const struct bf_fw_field *f)
{
	if (f->msize == 1) return st[f->member];
	if (f->msize == 2) { uint16_t w; memcpy(&w, st + f->member, 2); return w; }
	{ uint32_t v; memcpy(&v, st + f->member, 4); return v; }
}

/* Each field alone: set to a pattern, pack, check only its bits changed,
 * unpack, get the pattern back. And no two fields share a bit. */
static void test_round_trip(void **state)
{
	size_t li, i, k;

	(void)state;
	for (li = 0; li < sizeof(layouts) / sizeof(layouts[0]); li++) {
		const struct bf_fw_layout *l = layouts[li];
		uint8_t used[0x200], buf[0x200], st[1024], back[1024];

		memset(used, 0, sizeof(used));
		for (i = 0; i < l->nfields; i++) {
			const struct bf_fw_field *f = &l->fields[i];

			memset(st, 0, sizeof(st));
			if (f->type == BF_FW_FBYTES) {
				for (k = 0; k < f->len; k++)
					st[f->member + k] = (uint8_t)(k * 7 + 1);
			} else {
				uint32_t m = f->width >= 32 ? 0xffffffffu : (1u << f->width) - 1;

				assert_true(f->lsb + f->width <= 32);
				set_member(st, f, (0xa5c3e1f7u ^ (uint32_t)i) & m ? (0xa5c3e1f7u ^ (uint32_t)i) & m : 1);
			}
			bf_fw_pack(l, st, buf);
			for (k = 0; k < l->size; k++) {
				/* Only this field's bytes may be non-zero, and no
				 * other field may claim the same bits. */
				if (buf[k]) {
					assert_true(f->type == BF_FW_FBYTES ? k >= f->off && k < f->off + f->len
									    : k >= f->off && k < f->off + 4u);
					if (used[k] & buf[k])
						fprintf(stderr, "# %s.%s overlaps at byte 0x%zx\n", l->name, f->name, k);
					assert_int_equal(used[k] & buf[k], 0);
				}
			}
			for (k = 0; k < l->size; k++)
				used[k] |= buf[k];
			bf_fw_unpack(l, buf, back);
			if (f->type == BF_FW_FBYTES)
				assert_memory_equal(back + f->member, st + f->member, f->len);
			else
				assert_int_equal(get_member(back, f), get_member(st, f));
			assert_true(f->type == BF_FW_FBYTES ? f->off + f->len <= l->size : f->off + 4u <= l->size);
		}
	}
}

static void check_words(const uint8_t *b, const uint32_t *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(bf_fw_get32(b, 4 * i), w[i]);
}

/* The mailbox dwords of spec 2.6's worked examples. */
static void test_spec_vectors(void **state)
{
	uint8_t b[BF_FW_AR_HDR_SIZE];

	(void)state;
	bf_fw_reg_encode(b, BF_FW_REG_MGIR, BF_FW_METHOD_GET, bf_fw_mgir_layout.size);
	check_words(b, (const uint32_t[]){ 0x08040000, 0x90200101, 0, 0, 0x18290000 }, 5);
	bf_fw_reg_encode(b, BF_FW_REG_MCC, BF_FW_METHOD_SET, bf_fw_mcc_layout.size);
	check_words(b, (const uint32_t[]){ 0x08040000, 0x90620201, 0, 0, 0x18090000 }, 5);
	bf_fw_reg_encode(b, BF_FW_REG_MCDA, BF_FW_METHOD_SET, bf_fw_mcda_layout.size);
	check_words(b, (const uint32_t[]){ 0x08040000, 0x90630201, 0, 0, 0x18250000 }, 5);
	bf_fw_reg_encode(b, BF_FW_REG_MNVDA, BF_FW_METHOD_GET, bf_fw_mnvda_layout.size);
	check_words(b, (const uint32_t[]){ 0x08040000, 0x90240101, 0, 0, 0x18440000 }, 5);
	/* Register sizes of spec 3.1. */
	assert_int_equal(bf_fw_mgir_layout.size, 0xA0);
	assert_int_equal(bf_fw_mcam_layout.size, 0x48);
	assert_int_equal(bf_fw_mcqs_layout.size, 0x10);
	assert_int_equal(bf_fw_mcqi_layout.size, 0x94);
	assert_int_equal(bf_fw_mcc_layout.size, 0x20);
	assert_int_equal(bf_fw_mcda_layout.size, 0x90);
	assert_int_equal(bf_fw_mqis_layout.size, 0x18);
	assert_int_equal(bf_fw_mfrl_layout.size, 0x8);
	assert_int_equal(bf_fw_mnvda_layout.size, 0x10C);
	assert_int_equal(bf_fw_mnvdi_layout.size, 0x0C);
	assert_ptr_equal(bf_fw_layout_by_id(0x9062), &bf_fw_mcc_layout);
	assert_null(bf_fw_layout_by_id(0x1234));
}

/* Fields at the bits the spec gives. */
static void test_field_bits(void **state)
{
	uint8_t b[0x200];

	(void)state;
	{
		struct bf_fw_mcc m = { .instruction = 0x3, .activation_delay_sec = 0x12, .component_index = 0x1,
				       .update_handle = 0xabcdef, .auto_update = 1, .control_state = 0x3,
				       .error_code = 0x9, .control_progress = 0x65, .handle_owner_type = 5,
				       .component_size = 0x100080 };

		bf_fw_pack(&bf_fw_mcc_layout, &m, b);
		check_words(b, (const uint32_t[]){ 0x00001203, 0x00000001, 0x80abcdef, 0x50650903, 0x00100080 }, 5);
	}
	{
		struct bf_fw_mfrl m = { .reset_trigger = 0x48, .rst_type_sel = 2, .pci_sync_for_fw_update_start = 1,
					.pci_reset_req_method = 1 };

		bf_fw_pack(&bf_fw_mfrl_layout, &m, b);
		check_words(b, (const uint32_t[]){ 0, 0x22200048 }, 2);
	}
	{
		struct bf_fw_mnvda m = { .length = 256, .writer_id = 9, .def = 1, .over_en = 1, .type = 0x01010012 };

		bf_fw_pack(&bf_fw_mnvda_layout, &m, b);
		check_words(b, (const uint32_t[]){ 0x02890100, 0x01010012, 0 }, 3);
	}
	{
		struct bf_fw_mgir m;

		memset(b, 0, sizeof(b));
		bf_fw_put32(b, 0x00, 0x0000a2dc);
		bf_fw_put32(b, 0x08, 0x0000021c);
		bf_fw_put32(b, 0x20, 0x03000000);    /* secured, signed */
		memcpy(b + 0x30, "MT_0000000884", 13);
		bf_fw_put32(b, 0x44, 32);
		bf_fw_put32(b, 0x48, 41);
		bf_fw_put32(b, 0x4C, 1000);
		bf_fw_put32(b, 0x64, 0x63372100);    /* rom0 type 3 arch 6, rom1 type 7, rom2 type 1 arch 2 */
		bf_fw_unpack(&bf_fw_mgir_layout, b, &m);
		assert_int_equal(m.device_id, 0xa2dc);
		assert_int_equal(m.hw_dev_id, 0x21c);
		assert_int_equal(m.secured, 1);
		assert_int_equal(m.signed_fw, 1);
		assert_string_equal(m.psid, "MT_0000000884");
		assert_int_equal(m.extended_minor, 41);
		assert_int_equal(m.rom0_type, 3);
		assert_int_equal(m.rom0_arch, 6);
		assert_int_equal(m.rom1_type, 7);
		assert_int_equal(m.rom2_type, 1);
		assert_int_equal(m.rom2_arch, 2);
	}
	{
		struct bf_fw_mcqs q;

		memset(b, 0, sizeof(b));
		bf_fw_put32(b, 0x00, 0x80000003);
		bf_fw_put32(b, 0x04, 0x00000001);
		bf_fw_put32(b, 0x08, 0x00000024);    /* status IN_USE, state ACTIVE_PENDING_RESET */
		bf_fw_unpack(&bf_fw_mcqs_layout, b, &q);
		assert_int_equal(q.last_index_flag, 1);
		assert_int_equal(q.component_index, 3);
		assert_int_equal(q.identifier, BF_FW_COMP_BOOT_IMG);
		assert_int_equal(q.component_status, BF_FW_CS_IN_USE);
		assert_int_equal(q.component_update_state, BF_FW_CUS_ACTIVE_PENDING_RESET);
	}
}

static void test_mcam_bits(void **state)
{
	uint8_t m[16] = { 0 };

	(void)state;
	bf_fw_mcam_set_bit(m, 0x60);   /* MCQS: dword 0x08 (mask byte 0), bit 0 */
	assert_int_equal(m[3], 0x01);
	bf_fw_mcam_set_bit(m, 0x20);   /* MGIR: dword 0x10, bit 0 */
	assert_int_equal(m[11], 0x01);
	bf_fw_mcam_set_bit(m, 0x5C);   /* MCDD: dword 0x0C, bit 28 */
	assert_int_equal(m[4], 0x10);
	bf_fw_mcam_set_bit(m, 0x2F);   /* MROQ: dword 0x10, bit 15 */
	assert_int_equal(m[10], 0x80);
	assert_true(bf_fw_mcam_bit(m, 0x60) && bf_fw_mcam_bit(m, 0x2F) && !bf_fw_mcam_bit(m, 0x61));
}

static void test_nv_types(void **state)
{
	(void)state;
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_GLOBAL, 12, 0, 0, 0), 0x0000000C);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_GLOBAL, 128, 0, 0, 0), 0x00000080);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_PORT, 18, 1, 0, 0), 0x01010012);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_PORT, 18, 2, 0, 0), 0x01020012);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_HOST_PF, 128, 0, 0, 0), 0x03000080);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_HOST_PF, 406, 0, 0, 0), 0x03000196);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_HOST_PF, 518, 0, 0, 1), 0x03000606);
	assert_int_equal(bf_fw_nv_type(BF_FW_NV_CLASS_HOST, 128, 0, 0, 0), 0x07000080);
}

static void test_mcda_order(void **state)
{
	struct bf_fw_mcda m;
	uint8_t img[5] = { 1, 2, 3, 4, 5 }, back[5], b[0x90];

	(void)state;
	bf_fw_mcda_put(&m, img, 5);
	assert_memory_equal(m.data, ((const uint8_t[]){ 4, 3, 2, 1, 0, 0, 0, 5 }), 8);
	m.update_handle = 0x1234;
	m.size = 5;
	bf_fw_pack(&bf_fw_mcda_layout, &m, b);
	/* Register dword 0 = the image's first 4 bytes as a little-endian value. */
	assert_int_equal(bf_fw_get32(b, 0x10), 0x04030201);
	bf_fw_mcda_get(&m, back, 5);
	assert_memory_equal(back, img, 5);
}

static void test_versions_dates(void **state)
{
	uint32_t v;
	char b[32];

	(void)state;
	assert_int_equal(bf_fw_version_parse("32.41.1000", &v), 0);
	assert_int_equal(v, 0x202903e8);
	bf_fw_version_fmt(v, b, sizeof(b));
	assert_string_equal(b, "32.41.1000");
	assert_int_equal(bf_fw_version_parse("32.41", &v), -EINVAL);
	assert_int_equal(bf_fw_version_parse("256.1.1", &v), -EINVAL);
	assert_int_equal(bf_fw_version_parse("1.2.65536", &v), -EINVAL);
	assert_int_equal(bf_fw_version_parse("1.2.3x", &v), -EINVAL);
	bf_fw_date_fmt(0x20240428, b, sizeof(b));
	assert_string_equal(b, "28.4.2024");
}

static void test_image(void **state)
{
	struct bf_fw_image_hdr h = { .hw_dev_id = 0x21c, .version = 0x202903e8, .date_bcd = 0x20240428,
				     .psid = "MT_0000000884", .product = "32.41.1000", .payload_len = 1000 }, g;
	uint8_t *img;
	size_t len;

	(void)state;
	assert_int_equal(bf_fw_image_make(&h, &img, &len), 0);
	assert_int_equal(len, 1128);
	assert_memory_equal(img, "BFSIMFW1", 8);
	assert_int_equal(bf_fw_image_check(img, len, &g), 0);
	assert_string_equal(g.psid, "MT_0000000884");
	assert_string_equal(g.product, "32.41.1000");
	assert_int_equal(g.version, h.version);
	assert_int_equal(g.hw_dev_id, 0x21c);
	/* Truncated, damaged payload, damaged header, not an image. */
	assert_int_equal(bf_fw_image_check(img, len - 1, &g), -EBADMSG);
	img[500] ^= 1;
	assert_int_equal(bf_fw_image_check(img, len, &g), -EBADMSG);
	img[500] ^= 1;
	img[0x20] ^= 1;
	assert_int_equal(bf_fw_image_hdr_read(img, len, &g), -EBADMSG);
	img[0] = 'X';
	assert_int_equal(bf_fw_image_hdr_read(img, len, &g), -EBADMSG);
	assert_int_equal(bf_fw_image_hdr_read(img, 10, &g), -EBADMSG);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_spec_vectors),
		cmocka_unit_test(test_field_bits),
		cmocka_unit_test(test_mcam_bits),
		cmocka_unit_test(test_nv_types),
		cmocka_unit_test(test_mcda_order),
		cmocka_unit_test(test_versions_dates),
		cmocka_unit_test(test_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
