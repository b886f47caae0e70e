/* discover.c - rshimd with no device named (no -d, no rshim<N> lines in
 * the configuration, no $BFCTL_RSHIM): the RShim devices found on the
 * backends, as the upstream daemon does by default; -b limits the search
 * to one backend. main.c looks again every few seconds, so that a device
 * plugged in (or leaving livefish) later is taken too. */
#include "config.h"
#include "rshimd.h"
#include "rshim/scan.h"
#include "rshim/usb.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int bf_rshimd_backend_parse(const char *s, unsigned *mask)
{
	if (!strcmp(s, "usb"))
		*mask = BF_RSHIMD_BK_USB;
	else if (!strcmp(s, "pcie"))
		*mask = BF_RSHIMD_BK_PCIE;
	else if (!strcmp(s, "pcie-lf") || !strcmp(s, "pcie_lf"))
		*mask = BF_RSHIMD_BK_PCIE_LF;
	else
		return -EINVAL;
	return 0;
}

/* Append the found devices that the mask wants; returns the new count. */
static size_t take(const struct bf_rshim_found *f, int n, size_t cap_found, unsigned mask,
		   char (*names)[BF_RSHIMD_NAME_MAX], size_t count, size_t max)
{
	int i;

	for (i = 0; i < n && (size_t)i < cap_found && count < max; i++) {
		unsigned bk = !strncmp(f[i].name, "usb:", 4) ? BF_RSHIMD_BK_USB :
			      f[i].livefish ? BF_RSHIMD_BK_PCIE_LF : BF_RSHIMD_BK_PCIE;

		if (!(mask & bk))
			continue;
		snprintf(names[count++], BF_RSHIMD_NAME_MAX, "%s", f[i].name);
	}
	return count;
}

int bf_rshimd_discover(unsigned mask, char (*names)[BF_RSHIMD_NAME_MAX], size_t max)
{
	struct bf_rshim_found f[BF_RSHIMD_MAX_DEVS];
	size_t count = 0;
	int n;

	if (mask & BF_RSHIMD_BK_USB) {
		n = bf_rshim_scan_usb(f, BF_RSHIMD_MAX_DEVS);
		if (n < 0)
			bf_debug("looking for devices on USB: %s", strerror(-n));
		else
			count = take(f, n, BF_RSHIMD_MAX_DEVS, mask, names, count, max);
	}
	if (mask & (BF_RSHIMD_BK_PCIE | BF_RSHIMD_BK_PCIE_LF)) {
		n = bf_rshim_scan_pcie(f, BF_RSHIMD_MAX_DEVS);
		if (n < 0)
			bf_debug("looking for devices on PCIe: %s", strerror(-n));
		else
			count = take(f, n, BF_RSHIMD_MAX_DEVS, mask, names, count, max);
	}
	return (int)count;
}
