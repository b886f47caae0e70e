/* fw/fs4.h - NVIDIA FS4 firmware images, the fw-*.bin files operators burn
 * with flint (bf_fw_fs4_*): the layout, its two CRC-16s, a parser for
 * hostile input and a writer of minimal images. This one header is what
 * bfctl and the simulated NIC both use, so that what the host checks
 * before a burn and what the NIC checks at VERIFY_COMPONENT cannot drift.
 *
 * Layout (facts from Mellanox/mstflint, see the report of the change that
 * added this file; all multi-byte fields are big-endian dwords, bits
 * numbered from the LSB):
 *
 *   image start  one of 0, 64K, 128K, 256K, ... 32M in the file: the 16-byte
 *                magic pattern (4D544657 ABCDEF00 FADE1234 5678DEAD)
 *   start+0x10   boot version: image format version [31:24] (1 = FS4)
 *   start+0x18   16 HW pointers of 8 bytes: pointer (relative to the
 *                image start), then CRC [15:0]; the CRC is the "HW CRC" of
 *                the entry's first 6 bytes (some devices use the software
 *                CRC of the pointer dword: both are accepted); an entry of
 *                all ones counts as absent
 *   TOOLS ptr    tools area, 64 bytes, software CRC of dwords 0-14 in dword
 *                15 [15:0]
 *   BOOT2 ptr    dword 1 = n (4..1M); n+4 dwords; CRC of the first n+3 in
 *                the last
 *   TOC ptr      ITOC header (or one 4K sector further when that one is
 *                not valid): "ITOC" 04081516 2342CAFA BACAFE00, version
 *                [7:0] of dword 4, CRC of dwords 0-6 in dword 7 [15:0];
 *                then 32-byte entries up to a type 0xFF: type [31:24] and
 *                size in dwords [23:2] of dword 0; flash address in dwords
 *                [30:2] of dword 5 (relative to the image start); dword 6:
 *                section CRC [15:0], CRC kind [18:16] (0 in the entry, 1
 *                none, 2 in the section's last dword); dword 1 [30] cache
 *                line CRC; entry CRC of dwords 0-6 in dword 7 [15:0]
 *   DTOC         the device sector: a "DTOC" header in the file's last 4K
 *                sector, its entries' addresses absolute (MFG_INFO 0xE0,
 *                DEV_INFO 0xE1 with the GUIDs/MACs); absent in a reduced
 *                image
 *
 * What goes to the NIC as the BOOT_IMG component: the image from its
 * start to the end of its last ITOC section, the magic pattern replaced by
 * 16 bytes of 0xFF (the device sector is not sent). bfctl extends it to
 * whatever else it verified (ITOC, BOOT2, tools area) should one of them
 * lie further, so that the NIC always receives what the host checked.
 */
#ifndef BF_FW_FS4_H
#define BF_FW_FS4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_FW_FS4_MAGIC_LEN      16
#define BF_FW_FS4_NSTARTS        11
#define BF_FW_FS4_BOOT_VERSION   0x10   /* format version [31:24] */
#define BF_FW_FS4_FORMAT         1      /* FS4 (2 is FS5) */
#define BF_FW_FS4_HW_PTRS        0x18
#define BF_FW_FS4_HW_PTR_COUNT   16
#define BF_FW_FS4_SECTOR         0x1000
#define BF_FW_FS4_TOC_HDR        0x20
#define BF_FW_FS4_TOC_ENTRY      0x20
#define BF_FW_FS4_MAX_TOCS       64
#define BF_FW_FS4_TOOLS_SIZE     0x40
#define BF_FW_FS4_BOOT2_MAX      1048576u   /* dwords */
#define BF_FW_FS4_ITOC_SIG       0x49544f43u   /* "ITOC" */
#define BF_FW_FS4_DTOC_SIG       0x44544f43u   /* "DTOC" */
#define BF_FW_FS4_TOC_SIG1       0x04081516u
#define BF_FW_FS4_TOC_SIG2       0x2342cafau
#define BF_FW_FS4_TOC_SIG3       0xbacafe00u
#define BF_FW_FS4_DEVINFO_SIG0   0x6d446576u   /* "mDev" */
#define BF_FW_FS4_DEVINFO_SIG1   0x496e666fu   /* "Info" */
#define BF_FW_FS4_MAX_SECTION    (0x3fffffu * 4)   /* the entry's 22-bit dword size */
/* The largest payload bf_fw_fs4_make writes: with its headers and device
 * sector the image stays under the 64 MiB bfctl reads and the simulated
 * NIC takes as one component. */
#define BF_FW_FS4_MAX_PAYLOAD    (63u << 20)

/* HW pointer indexes (entry i at BF_FW_FS4_HW_PTRS + 8 i). */
enum bf_fw_fs4_hw_ptr {
	BF_FW_FS4_PTR_BOOT_RECORD, BF_FW_FS4_PTR_BOOT2, BF_FW_FS4_PTR_TOC, BF_FW_FS4_PTR_TOOLS,
	BF_FW_FS4_PTR_AUTH_START, BF_FW_FS4_PTR_AUTH_END, BF_FW_FS4_PTR_DIGEST, BF_FW_FS4_PTR_DIGEST_RECOVERY,
	BF_FW_FS4_PTR_FW_WINDOW_START, BF_FW_FS4_PTR_FW_WINDOW_END, BF_FW_FS4_PTR_IMAGE_INFO,
	BF_FW_FS4_PTR_IMAGE_SIGNATURE, BF_FW_FS4_PTR_PUBLIC_KEY, BF_FW_FS4_PTR_SECURITY_VERSION,
	BF_FW_FS4_PTR_GCM_IV_DELTA, BF_FW_FS4_PTR_HASHES_TABLE,
};

/* Section types and CRC kinds. */
enum {
	BF_FW_FS4_SECT_BOOT_CODE = 0x1, BF_FW_FS4_SECT_PCI_CODE = 0x2, BF_FW_FS4_SECT_MAIN_CODE = 0x3,
	BF_FW_FS4_SECT_PCIE_LINK_CODE = 0x4, BF_FW_FS4_SECT_IRON_PREP_CODE = 0x5, BF_FW_FS4_SECT_IMAGE_INFO = 0x10,
	BF_FW_FS4_SECT_IMAGE_SIGNATURE_256 = 0xa0, BF_FW_FS4_SECT_PUBLIC_KEYS_2048 = 0xa1,
	BF_FW_FS4_SECT_IMAGE_SIGNATURE_512 = 0xa3, BF_FW_FS4_SECT_PUBLIC_KEYS_4096 = 0xa4,
	BF_FW_FS4_SECT_MFG_INFO = 0xe0, BF_FW_FS4_SECT_DEV_INFO = 0xe1, BF_FW_FS4_SECT_END = 0xff,
};
enum { BF_FW_FS4_CRC_IN_ENTRY = 0, BF_FW_FS4_CRC_NONE = 1, BF_FW_FS4_CRC_IN_SECTION = 2 };

/* IMAGE_INFO (section 0x10, 1 KB): byte offsets. */
#define BF_FW_FS4_II_SIZE        0x400
#define BF_FW_FS4_II_FLAGS       0x000  /* major [31:24] (0), minor [23:16], secure_fw [15], signed_fw [14],
					 * debug_fw [13], mcc_en [8] */
#define BF_FW_FS4_II_FW_MAJOR    0x004  /* [31:16] */
#define BF_FW_FS4_II_FW_MINOR    0x008  /* minor [31:16], subminor [15:0] */
#define BF_FW_FS4_II_FW_TIME     0x00c  /* seconds [31:24], minutes [23:16], hour [15:8], BCD */
#define BF_FW_FS4_II_FW_DATE     0x010  /* year [31:16], month [15:8], day [7:0], BCD */
#define BF_FW_FS4_II_PCI_IDS     0x01c  /* device id [31:16], vendor id [15:0] */
#define BF_FW_FS4_II_PSID        0x024  /* 16 bytes */
#define BF_FW_FS4_II_VSD         0x038  /* 208 bytes */
#define BF_FW_FS4_II_DTOC_OFFSET 0x110 /* [15:8]: the device sector is at size / (2 n) - 4K (0: size - 4K) */
#define BF_FW_FS4_II_HW_IDS      0x118  /* 4 dwords: HW id [15:0], revision [23:16]; 0 ends the list */
#define BF_FW_FS4_II_PROD_VER    0x1c0  /* 16 bytes */
#define BF_FW_FS4_II_DESCRIPTION 0x1d0  /* 256 bytes (minor version 2 and 3) */
#define BF_FW_FS4_II_NAME        0x340  /* 64 bytes, the part number (minor version 2 and 3) */

/* DEV_INFO (0x200) and MFG_INFO (0x140): byte offsets. */
#define BF_FW_FS4_DI_SIZE        0x200
#define BF_FW_FS4_DI_VERSION     0x010  /* major [16:8]: 2 (1 is the older layout, no UIDs read) */
#define BF_FW_FS4_DI_GUIDS       0x020  /* uid entry: num_allocated [7:0], msb [23:16]; uid at +8 (64 bits) */
#define BF_FW_FS4_DI_MACS        0x030
#define BF_FW_FS4_DI_VSD         0x070  /* 208 bytes */
#define BF_FW_FS4_SIG256_SIZE    0x140  /* keypair UUID, RSA-2048 signature */
#define BF_FW_FS4_KEYS2048_SIZE  0x900  /* 8 public keys */
#define BF_FW_FS4_MI_SIZE        0x140
#define BF_FW_FS4_MI_PSID        0x000  /* 16 bytes: the original PSID */
#define BF_FW_FS4_MI_VERSION     0x01c  /* major [31:24]: 1 (0 is the older layout, PSID at the same place) */
#define BF_FW_FS4_MI_GUIDS       0x020  /* as DEV_INFO's, format 1 only */
#define BF_FW_FS4_MI_MACS        0x030

extern const uint32_t bf_fw_fs4_magic[4];
extern const uint32_t bf_fw_fs4_starts[BF_FW_FS4_NSTARTS];

/* The software CRC-16 (poly 0x100B, MSB first, over big-endian dwords,
 * 16 zero bits flushed, inverted) of ndw dwords at p. */
uint16_t bf_fw_fs4_crc16(const uint8_t *p, size_t ndw);
/* The hardware CRC-16 of n bytes (reflected 0x100B, the first two bytes
 * inverted, the result byte-swapped): HW pointer entries. */
uint16_t bf_fw_fs4_hw_crc(const uint8_t *p, size_t n);

struct bf_fw_fs4_uid {
	uint64_t uid;
	unsigned count;          /* number allocated; 0 = N/A */
};

struct bf_fw_fs4_info {
	uint32_t start;          /* image start in the buffer */
	uint32_t end;            /* end of the last ITOC section (or of the ITOC, BOOT2, tools area
				  * if one lies further), from start: the component's length */
	uint32_t itoc;           /* ITOC header, from start */
	unsigned nsections;      /* ITOC entries before the end marker */
	uint16_t fw_ver[3];
	uint8_t rel_day, rel_month;   /* BCD, as stored */
	uint16_t rel_year;
	uint8_t rel_hour, rel_min, rel_sec;
	uint8_t info_major, info_minor;
	bool secure_fw, signed_fw, debug_fw, mcc_en;   /* IMAGE_INFO's flags, as stored */
	bool has_signature, has_public_keys;   /* ITOC sections 0xa0/0xa3 (or the public key HW
						* pointer), 0xa1/0xa4 */
	bool is_signed;          /* what flint calls signed: a flag, a signature, public keys and
				  * mcc_en; otherwise its security attributes are N/A */
	uint16_t pci_device_id;
	uint32_t security_version;   /* the FW security version HW "pointer" holds the value itself */
	uint32_t hw_ids[4];      /* as stored: HW id [15:0], revision [23:16] */
	unsigned nhw;
	char psid[17], product[17], description[257], name[65], image_vsd[209];
	/* The device sector (full images only). */
	bool dtoc;
	char orig_psid[17], device_vsd[209];
	struct bf_fw_fs4_uid guid, mac, orig_guid, orig_mac;
	/* On failure: true when the structure was right but a CRC was not. */
	bool bad_crc;
};

/* buf is a BOOT_IMG component as the NIC receives it: the image at 0, its
 * magic pattern masked with 0xFF, no device sector. */
#define BF_FW_FS4_COMPONENT 0x1

/* Where an FS4 magic pattern is in buf: 0 and *start set, or -ENOENT. */
int bf_fw_fs4_find(const uint8_t *buf, size_t len, uint32_t *start);

/* Parse and verify an FS4 image of len bytes (any length, any content:
 * every offset is bounded). 0, or -EBADMSG with a sentence naming what is
 * wrong and where (the offset in buf). */
int bf_fw_fs4_parse(const uint8_t *buf, size_t len, unsigned flags, struct bf_fw_fs4_info *fi);

/* A minimal, valid FS4 image: magic, HW pointers, tools area, BOOT2, ITOC
 * with IMAGE_INFO and a MAIN_CODE payload of payload_len bytes (rounded up
 * to 4; past 16 MiB in further code sections, BF_FW_FS4_MAX_PAYLOAD at
 * most), all CRCs right; with dtoc, a device sector after it (MFG_INFO,
 * DEV_INFO), as in a full fw-*.bin. */
struct bf_fw_fs4_spec {
	uint16_t hw_dev_id;
	uint16_t fw_ver[3];
	uint32_t date_bcd;       /* year [31:16], month [15:8], day [7:0] */
	const char *psid, *product, *description, *name;
	uint32_t payload_len;
	bool signed_fw, dtoc;
};
int bf_fw_fs4_make(const struct bf_fw_fs4_spec *s, uint8_t **out, size_t *len);

#endif
