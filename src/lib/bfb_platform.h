/* bfb_platform.h - is a bundle for this device (bf_bfb_platform_*)? From
 * the bundle's info image (a Redfish SoftwareInventory collection): the
 * chips its members are for ("BF2_ATF", "BF3_NIC_FW": the prefix names the
 * chip) and the PSID its NIC firmware is for (Oem.Nvidia.PSID), against
 * the device's chip and, when known, its NIC's PSID. */
#ifndef BF_BFB_PLATFORM_H
#define BF_BFB_PLATFORM_H

#include <stddef.h>

#include "bfb_info.h"
#include "chip.h"

/* 0: the bundle fits (or says nothing either way; *note then says so, ""
 * otherwise); -EXDEV: it is for another platform, with one sentence in
 * bf_error_get() naming both sides. dev_psid may be NULL or "" (unknown:
 * the PSID is not compared). */
int bf_bfb_platform_check(const struct bf_bfb_component *comps, size_t n,
			  enum bf_chip_ver chip, const char *dev_psid,
			  char *note, size_t note_cap);

/* The same for the bundle in path (its info image read in one pass).
 * 0, -EXDEV (sentence set), or -errno when the file cannot be read. */
int bf_bfb_platform_check_file(const char *path, enum bf_chip_ver chip, const char *dev_psid,
			       char *note, size_t note_cap);

#endif
