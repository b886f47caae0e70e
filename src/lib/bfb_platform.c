/* bfb_platform.c - a bundle's platform (chip, NIC firmware PSID) against
 * the device's. */
#include "config.h"
#include "bfb_platform.h"
#include "error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The chip a member is for: 2 for "BF2_...", 3 for "BF3_...", 0 for none. */
static int member_chip(const char *name)
{
	if (!strncmp(name, "BF", 2) && name[2] >= '1' && name[2] <= '9' && name[3] == '_')
		return name[2] - '0';
	return 0;
}

static bool is_nic_fw(const char *name)
{
	return member_chip(name) && !strcmp(name + 4, "NIC_FW");
}

/* "BF3_BSP, BF3_ATF, ..." (as many as fit). */
static void list_members(const struct bf_bfb_component *c, size_t n, int chip, char *out, size_t cap)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n && len + 1 < cap; i++)
		if (member_chip(c[i].name) == chip) {
			int w = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", c[i].name);

			if (w < 0 || (size_t)w >= cap - len)
				break;
			len += (size_t)w;
		}
}

int bf_bfb_platform_check(const struct bf_bfb_component *c, size_t n,
			  enum bf_chip_ver chip, const char *dev_psid,
			  char *note, size_t note_cap)
{
	unsigned seen = 0;   /* bit per chip named by a member */
	char members[160];
	size_t i;
	int other = 0;

	note[0] = '\0';
	for (i = 0; i < n; i++)
		if (member_chip(c[i].name))
			seen |= 1u << member_chip(c[i].name);
	if (!seen) {
		snprintf(note, note_cap, "the bundle's inventory names no chip: its platform is not checked");
		return 0;
	}
	if (!(seen & (1u << chip))) {
		for (other = 1; other < 10 && !(seen & (1u << other)); other++)
			;
		list_members(c, n, other, members, sizeof(members));
		return bf_error_ret(EXDEV, "the bundle is for BlueField-%d (its inventory: %s), the device is a BlueField-%d",
				    other, members, (int)chip);
	}
	for (i = 0; i < n; i++)
		if (is_nic_fw(c[i].name))
			other = member_chip(c[i].name) == (int)chip ? -1 : other ? other : member_chip(c[i].name);
	if (other > 0) {   /* NIC firmware, none of it for this chip */
		list_members(c, n, other, members, sizeof(members));
		return bf_error_ret(EXDEV, "the bundle's NIC firmware is for BlueField-%d only (its inventory: %s), the device is a BlueField-%d",
				    other, members, (int)chip);
	}
	for (i = 0; i < n; i++) {
		if (!is_nic_fw(c[i].name) || member_chip(c[i].name) != (int)chip || !c[i].psid[0])
			continue;
		if (!dev_psid || !*dev_psid) {
			snprintf(note, note_cap, "the NIC's PSID is not known over this transport: %s (PSID %s) not compared",
				 c[i].name, c[i].psid);
			continue;
		}
		if (strcmp(c[i].psid, dev_psid))
			return bf_error_ret(EXDEV, "the bundle's NIC firmware (%s %s) is for PSID %s, the device's NIC is PSID %s",
					    c[i].name, c[i].version, c[i].psid, dev_psid);
	}
	return 0;
}

int bf_bfb_platform_check_file(const char *path, enum bf_chip_ver chip, const char *dev_psid,
			       char *note, size_t note_cap)
{
	struct bf_bfb_info info;
	int ret;

	note[0] = '\0';
	ret = bf_bfb_info_read(path, &info);
	if (ret < 0)
		return ret;
	ret = bf_bfb_platform_check(info.comps, info.ncomps, chip, dev_psid, note, note_cap);
	bf_bfb_info_free(&info);
	return ret;
}
