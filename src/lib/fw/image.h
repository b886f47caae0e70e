/* fw/image.h - firmware versions, and the firmware images bfctl burns
 * (bf_fw_image_*, bf_fw_version_*): NVIDIA's FS4 images (fw/fs4.h) and the
 * simulated NIC's own format below. bf_fw_image_check() recognises both
 * and gives what the burn checks (chip, PSID, version) in one header.
 *
 * "BFSIMFW1" image: a 128-byte header, then the payload. All numbers are
 * little-endian:
 *   0x00  8  magic "BFSIMFW1"
 *   0x08  4  header size (128)
 *   0x0C  2  hw_dev_id of the chip it is for (0x214 BlueField-2, 0x21c BlueField-3)
 *   0x0E  2  reserved, 0
 *   0x10  4  version: major [31:24], minor [23:16], subminor [15:0] (as MCQI)
 *   0x14  4  release date, BCD: year [31:16], month [15:8], day [7:0] (as MCQI)
 *   0x18 16  PSID, NUL-padded
 *   0x28 16  product version string, NUL-padded
 *   0x38  4  payload length in bytes
 *   0x3C  4  CRC-32 (zlib) of the payload
 *   0x40 60  reserved, 0
 *   0x7C  4  CRC-32 of header bytes 0x00-0x7B
 * The simulated NIC checks all of it at VERIFY_COMPONENT; bfctl reads the
 * header to refuse an image for another PSID or chip before it burns.
 */
#ifndef BF_FW_IMAGE_H
#define BF_FW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BF_FW_IMAGE_MAGIC     "BFSIMFW1"
#define BF_FW_IMAGE_HDR_SIZE  128
#define BF_FW_IMAGE_MAX       (64u << 20)     /* the largest image bfctl reads */

enum bf_fw_image_format { BF_FW_IMAGE_BFSIM, BF_FW_IMAGE_FS4 };

struct bf_fw_image_hdr {
	uint16_t hw_dev_id;             /* the (first) chip it is for */
	uint32_t version;
	uint32_t date_bcd;
	char psid[17];
	char product[17];
	uint32_t payload_len;
	uint32_t payload_crc;
	/* Filled by bf_fw_image_check(), for both formats. */
	enum bf_fw_image_format format;
	uint16_t hw_ids[4];             /* every chip it is for (HW id) */
	unsigned nhw;
	bool is_signed;                 /* FS4: signed as flint sees it (fw/fs4.h) */
	uint32_t comp_off, comp_len;    /* the BOOT_IMG component in the file */
};

/* "FS4" or "BFSIMFW1". */
const char *bf_fw_image_format_name(enum bf_fw_image_format f);

/* Version "32.41.1000" <-> 0x202903e8 (major 8 bits, minor 8, subminor 16).
 * parse: 0 or -EINVAL. fmt: buf of >= 16 bytes. */
int bf_fw_version_parse(const char *s, uint32_t *v);
void bf_fw_version_fmt(uint32_t v, char *buf, size_t len);

/* "d.m.yyyy" as flint prints a BCD date (%x of each part). */
void bf_fw_date_fmt(uint32_t date_bcd, char *buf, size_t len);

void bf_fw_image_hdr_write(const struct bf_fw_image_hdr *h, uint8_t out[BF_FW_IMAGE_HDR_SIZE]);
/* The header: magic, size and CRC checked. 0 or -EBADMSG with a sentence. */
int bf_fw_image_hdr_read(const uint8_t *buf, size_t len, struct bf_fw_image_hdr *h);
/* The whole image, either format: a BFSIMFW1 header, length (len == header
 * + payload) and payload CRC; or an FS4 image (bf_fw_fs4_parse). 0 or
 * -EBADMSG with a sentence naming what is wrong. */
int bf_fw_image_check(const uint8_t *buf, size_t len, struct bf_fw_image_hdr *h);
/* What the NIC receives as the BOOT_IMG component (a BFSIMFW1 image, or an
 * FS4 image with its magic masked): 0, or -EBADMSG; *digest tells a
 * damaged content (CRC) from a wrong structure. For the simulated NIC. */
int bf_fw_image_component_check(const uint8_t *buf, size_t len, struct bf_fw_image_hdr *h, bool *digest);
/* Whether the image is for the chip with this HW id. */
bool bf_fw_image_for_chip(const struct bf_fw_image_hdr *h, uint16_t hw_id);
/* The component a burn sends (malloc()ed): the BFSIMFW1 image as it is;
 * an FS4 image from its start to the end of its last ITOC section, the
 * magic pattern masked with 0xFF. */
int bf_fw_image_component(const uint8_t *buf, size_t len, const struct bf_fw_image_hdr *h, uint8_t **comp,
			  size_t *clen);
/* A whole image in memory, for bfsim fwimage and tests: the payload is a
 * deterministic pattern of payload_len bytes. *out is malloc()ed. */
int bf_fw_image_make(const struct bf_fw_image_hdr *h, uint8_t **out, size_t *len);

uint32_t bf_fw_crc32(const void *buf, size_t len);

#endif
