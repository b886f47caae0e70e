/* fw/fs4_make.c - a minimal, structurally valid FS4 image (bfsim fwimage
 * --format fs4, tests): what fw/fs4.c verifies, nothing more. Layout of
 * what is written, from the image start:
 *   0x0000 magic, boot version, HW pointers    0x0500 tools area
 *   0x1000 BOOT2 (256 bytes)                   0x2000 ITOC (IMAGE_INFO, MAIN_CODE, end)
 *   0x3000 IMAGE_INFO                          0x4000 MAIN_CODE (the payload)
 *   0x3400 IMAGE_SIGNATURE_256, 0x3600 PUBLIC_KEYS_2048 (signed only; zeros:
 *          the layout of a signed image, no real signature)
 * then, with spec->dtoc, the device sector in the file's last 4K: DTOC,
 * MFG_INFO at +0x400, DEV_INFO at +0x800. Unused bytes are 0xFF (erased
 * flash). A payload past one section's 16 MiB continues in sections of the
 * next code types (PCI_CODE, PCIE_LINK_CODE, IRON_PREP_CODE), each right
 * after the one before: a payload of up to 63 MiB (BF_FW_FS4_MAX_PAYLOAD). */
#include "config.h"
#include "fw/fs4.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define AT_TOOLS    0x0500u
#define AT_BOOT2    0x1000u
#define BOOT2_DW    60u            /* n: n + 4 dwords in all */
#define AT_ITOC     0x2000u
#define AT_INFO     0x3000u
#define AT_MAIN     0x4000u
#define AT_SIG      0x3400u
#define AT_KEYS     0x3600u
#define DT_MFG      0x400u
#define DT_DEV      0x800u
/* A code section's largest size: the entry's 22-bit dword count, in 4K. */
#define SECT_PIECE  (BF_FW_FS4_MAX_SECTION & ~(BF_FW_FS4_SECTOR - 1))

static const uint8_t code_types[] = {
	BF_FW_FS4_SECT_MAIN_CODE, BF_FW_FS4_SECT_PCI_CODE, BF_FW_FS4_SECT_PCIE_LINK_CODE,
	BF_FW_FS4_SECT_IRON_PREP_CODE,
};
_Static_assert(BF_FW_FS4_MAX_PAYLOAD <= sizeof(code_types) * SECT_PIECE, "payload past the code sections");

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put_str(uint8_t *p, const char *s, size_t max)
{
	size_t n = s ? strnlen(s, max) : 0;

	memset(p, 0, max);
	memcpy(p, s ? s : "", n);
}

static void hw_ptr(uint8_t *img, unsigned i, uint32_t ptr)
{
	uint8_t *e = img + BF_FW_FS4_HW_PTRS + 8 * i;

	put32(e, ptr);
	put32(e + 4, 0);
	put32(e + 4, bf_fw_fs4_hw_crc(e, 6));
}

static void toc_header(uint8_t *h, uint32_t sig, unsigned n)
{
	memset(h, 0, BF_FW_FS4_TOC_HDR);
	put32(h, sig);
	put32(h + 4, BF_FW_FS4_TOC_SIG1);
	put32(h + 8, BF_FW_FS4_TOC_SIG2);
	put32(h + 12, BF_FW_FS4_TOC_SIG3);
	put32(h + 16, 1u << 24 | 1);    /* flash layout version 1, version 1 */
	put32(h + 20, n);
	put32(h + 28, bf_fw_fs4_crc16(h, 7));
}

/* An entry for the section of size bytes at addr (bytes), its CRC kind
 * 0 (in the entry) or 2 (in the section's last dword, written here). */
static void toc_entry(uint8_t *e, uint8_t type, uint8_t *sect, uint32_t addr, uint32_t size, unsigned kind)
{
	uint16_t crc = 0;

	memset(e, 0, BF_FW_FS4_TOC_ENTRY);
	if (kind == BF_FW_FS4_CRC_IN_SECTION)
		put32(sect + size - 4, bf_fw_fs4_crc16(sect, size / 4 - 1));
	else
		crc = bf_fw_fs4_crc16(sect, size / 4);
	put32(e, (uint32_t)type << 24 | (size / 4) << 2);
	put32(e + 20, (addr / 4) << 2);
	put32(e + 24, (uint32_t)kind << 16 | crc);
	put32(e + 28, bf_fw_fs4_crc16(e, 7));
}

static void image_info(uint8_t *s, const struct bf_fw_fs4_spec *sp)
{
	memset(s, 0, BF_FW_FS4_II_SIZE);
	/* format 0.3; signed_fw, mcc_en */
	put32(s + BF_FW_FS4_II_FLAGS, 3u << 16 | (sp->signed_fw ? 1u << 14 : 0) | 1u << 8);
	put32(s + BF_FW_FS4_II_FW_MAJOR, (uint32_t)sp->fw_ver[0] << 16);
	put32(s + BF_FW_FS4_II_FW_MINOR, (uint32_t)sp->fw_ver[1] << 16 | sp->fw_ver[2]);
	put32(s + BF_FW_FS4_II_FW_TIME, 0x12u << 8);
	put32(s + BF_FW_FS4_II_FW_DATE, sp->date_bcd);
	put32(s + BF_FW_FS4_II_PCI_IDS, (uint32_t)(sp->hw_dev_id == 0x214 ? 0xa2d6 : 0xa2dc) << 16 | 0x15b3);
	put_str(s + BF_FW_FS4_II_PSID, sp->psid, 16);
	put32(s + BF_FW_FS4_II_HW_IDS, sp->hw_dev_id);
	put_str(s + BF_FW_FS4_II_PROD_VER, sp->product, 16);
	put_str(s + BF_FW_FS4_II_DESCRIPTION, sp->description, 255);
	put_str(s + BF_FW_FS4_II_NAME, sp->name, 63);
}

static void device_sector(uint8_t *d, uint32_t at, const struct bf_fw_fs4_spec *sp)
{
	uint8_t *mfg = d + DT_MFG, *dev = d + DT_DEV, *e = d + BF_FW_FS4_TOC_HDR;

	memset(mfg, 0, BF_FW_FS4_MI_SIZE);
	put_str(mfg + BF_FW_FS4_MI_PSID, sp->psid, 16);
	put32(mfg + BF_FW_FS4_MI_VERSION, 1u << 24);
	put32(mfg + BF_FW_FS4_MI_GUIDS, 8);   /* as DEV_INFO's: no "Orig" lines */
	put32(mfg + BF_FW_FS4_MI_MACS, 8);
	memset(dev, 0, BF_FW_FS4_DI_SIZE);
	put32(dev, BF_FW_FS4_DEVINFO_SIG0);
	put32(dev + 4, BF_FW_FS4_DEVINFO_SIG1);
	put32(dev + 8, BF_FW_FS4_TOC_SIG2);
	put32(dev + 12, BF_FW_FS4_TOC_SIG3);
	put32(dev + BF_FW_FS4_DI_VERSION, 2u << 8);
	put32(dev + BF_FW_FS4_DI_GUIDS, 8);   /* 8 GUIDs and MACs, the UIDs left to manufacturing */
	put32(dev + BF_FW_FS4_DI_MACS, 8);
	toc_header(d, BF_FW_FS4_DTOC_SIG, 2);
	toc_entry(e, BF_FW_FS4_SECT_MFG_INFO, mfg, at + DT_MFG, BF_FW_FS4_MI_SIZE, BF_FW_FS4_CRC_IN_ENTRY);
	toc_entry(e + BF_FW_FS4_TOC_ENTRY, BF_FW_FS4_SECT_DEV_INFO, dev, at + DT_DEV, BF_FW_FS4_DI_SIZE,
		  BF_FW_FS4_CRC_IN_SECTION);
	memset(e + 2 * BF_FW_FS4_TOC_ENTRY, 0xff, BF_FW_FS4_TOC_ENTRY);
}

int bf_fw_fs4_make(const struct bf_fw_fs4_spec *sp, uint8_t **out, size_t *len)
{
	uint32_t pay = (sp->payload_len + 3) & ~3u, end, dt, x, i, at, piece;
	unsigned nsect = (unsigned)((pay + SECT_PIECE - 1) / SECT_PIECE);
	size_t n;
	uint8_t *b, *e;

	if (!sp->payload_len || sp->payload_len > BF_FW_FS4_MAX_PAYLOAD)
		return -EINVAL;
	end = AT_MAIN + pay;
	dt = (end + BF_FW_FS4_SECTOR - 1) & ~(BF_FW_FS4_SECTOR - 1);
	n = sp->dtoc ? (size_t)dt + BF_FW_FS4_SECTOR : end;
	if (!(b = malloc(n)))
		return -ENOMEM;
	memset(b, 0xff, n);
	for (i = 0; i < 4; i++)
		put32(b + 4 * i, bf_fw_fs4_magic[i]);
	put32(b + BF_FW_FS4_BOOT_VERSION, (uint32_t)BF_FW_FS4_FORMAT << 24);
	put32(b + BF_FW_FS4_BOOT_VERSION + 4, 0);
	for (i = 0; i < BF_FW_FS4_HW_PTR_COUNT; i++)
		hw_ptr(b, i, 0);
	hw_ptr(b, BF_FW_FS4_PTR_BOOT2, AT_BOOT2);
	hw_ptr(b, BF_FW_FS4_PTR_TOC, AT_ITOC);
	hw_ptr(b, BF_FW_FS4_PTR_TOOLS, AT_TOOLS);
	hw_ptr(b, BF_FW_FS4_PTR_IMAGE_INFO, AT_INFO);
	memset(b + AT_TOOLS, 0, BF_FW_FS4_TOOLS_SIZE);
	put32(b + AT_TOOLS + 60, bf_fw_fs4_crc16(b + AT_TOOLS, 15));
	/* payloads: xorshift32, reproducible for a given version and PSID */
	x = 0x9e3779b9u ^ ((uint32_t)sp->fw_ver[0] << 24 | (uint32_t)sp->fw_ver[1] << 16 | sp->fw_ver[2]);
	for (i = 0; sp->psid && sp->psid[i]; i++)
		x = x * 31 + (uint8_t)sp->psid[i];
	for (i = 0; i < pay + (BOOT2_DW + 4) * 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		*(i < pay ? b + AT_MAIN + i : b + AT_BOOT2 + (i - pay)) = (uint8_t)x;
	}
	put32(b + AT_BOOT2, 0);
	put32(b + AT_BOOT2 + 4, BOOT2_DW);
	put32(b + AT_BOOT2 + 4 * (BOOT2_DW + 3), bf_fw_fs4_crc16(b + AT_BOOT2, BOOT2_DW + 3));
	image_info(b + AT_INFO, sp);
	toc_header(b + AT_ITOC, BF_FW_FS4_ITOC_SIG, (sp->signed_fw ? 3 : 1) + nsect);
	e = b + AT_ITOC + BF_FW_FS4_TOC_HDR;
	toc_entry(e, BF_FW_FS4_SECT_IMAGE_INFO, b + AT_INFO, AT_INFO, BF_FW_FS4_II_SIZE, BF_FW_FS4_CRC_IN_ENTRY);
	e += BF_FW_FS4_TOC_ENTRY;
	if (sp->signed_fw) {
		memset(b + AT_SIG, 0, BF_FW_FS4_SIG256_SIZE);
		memset(b + AT_KEYS, 0, BF_FW_FS4_KEYS2048_SIZE);
		toc_entry(e, BF_FW_FS4_SECT_IMAGE_SIGNATURE_256, b + AT_SIG, AT_SIG, BF_FW_FS4_SIG256_SIZE,
			  BF_FW_FS4_CRC_IN_ENTRY);
		toc_entry(e + BF_FW_FS4_TOC_ENTRY, BF_FW_FS4_SECT_PUBLIC_KEYS_2048, b + AT_KEYS, AT_KEYS,
			  BF_FW_FS4_KEYS2048_SIZE, BF_FW_FS4_CRC_IN_ENTRY);
		e += 2 * BF_FW_FS4_TOC_ENTRY;
	}
	for (i = 0, at = AT_MAIN; i < nsect; i++, at += piece, e += BF_FW_FS4_TOC_ENTRY) {
		piece = AT_MAIN + pay - at < SECT_PIECE ? AT_MAIN + pay - at : SECT_PIECE;
		toc_entry(e, code_types[i], b + at, at, piece, BF_FW_FS4_CRC_IN_ENTRY);
	}
	memset(e, 0xff, BF_FW_FS4_TOC_ENTRY);
	if (sp->dtoc)
		device_sector(b + dt, dt, sp);
	*out = b;
	*len = n;
	return 0;
}
