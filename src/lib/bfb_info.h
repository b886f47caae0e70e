/* bfb_info.h - what a BFB holds (bf_bfb_info_*): images with CRC status,
 * trailing data, the bundle kind and the component versions of the info
 * image (id 50). */
#ifndef BF_BFB_INFO_H
#define BF_BFB_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "bfb.h"

#define BF_BFB_INFO_MAX_IMAGES 4096
#define BF_BFB_INFO_MAX_COMPS  64
#define BF_BFB_INFO_JSON_MAX   (1u << 20)

struct bf_bfb_component {
	char name[64];
	char version[64];
	char psid[24];                 /* Oem.Nvidia.PSID of a NIC firmware member, or "" */
};

struct bf_bfb_info {
	struct bf_bfb_image *images;
	size_t nimages;
	uint64_t size;
	uint64_t trailing_offset, trailing_bytes;
	char trailing_head[81];        /* first line of trailing text, printable only */
	struct bf_bfb_component comps[BF_BFB_INFO_MAX_COMPS];
	size_t ncomps;
	char info_warning[160];        /* the info image could not be read */
	const char *kind;              /* full, fw, flat, boot, custom */
	int status;                    /* 0, or -EBADMSG: listing stops at the first bad header */
	char error[400];
	/* internal */
	char *info_json;
	size_t info_len;
	bool info_overflow;
};

/* Read path in one streaming pass. Returns 0 (even with CRC errors: see
 * images[].crc_ok and status) or -errno when the file cannot be read. */
int bf_bfb_info_read(const char *path, struct bf_bfb_info *info);
void bf_bfb_info_free(struct bf_bfb_info *info);

/* Component versions from info-image JSON (Redfish SoftwareInventory
 * collection: Members[].Name/Version). Fuzzable: takes a buffer.
 * 0, or -EBADMSG with a reason in *why. */
int bf_bfb_info_components(const char *json, size_t len, struct bf_bfb_component *comps,
			   size_t max, size_t *n, const char **why);

/* The bundle kind from its images and components. */
const char *bf_bfb_info_kind(const struct bf_bfb_image *images, size_t n,
			     const struct bf_bfb_component *comps, size_t ncomps);

#endif
