/* refresh.c - misc `DEV_NAME` writes, as upstream: on a PCIe RShim
 * function only, the daemon looks again at the PCI bus for the BlueField
 * RShim function with the same domain:bus:device (the function number is
 * the only part expected to change, e.g. after the DPU changed mode) and
 * drives it under the same index and files. The value written is not
 * used. Facts: spec rshim.md misc table; upstream rshim_pcie.c refresh. */
#include "config.h"
#include "rshimd.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int bf_rshimd_refresh_pick(const char *cur, const struct bf_rshim_found *found, int n, char *out, size_t cap)
{
	const char *dot;
	size_t plen;
	int i;

	/* "pcie:DDDD:BB:DD.F": the part up to and with the dot. */
	if (strncmp(cur, "pcie:", 5) || !(dot = strrchr(cur, '.')) || dot - cur != 15)
		return -EINVAL;
	plen = (size_t)(dot - cur) + 1;
	for (i = 0; i < n; i++)
		if (!found[i].livefish && !strncmp(found[i].name, cur, plen) &&
		    strlen(found[i].name) < cap) {
			snprintf(out, cap, "%s", found[i].name);
			return 0;
		}
	return -ENODEV;
}

int bf_rshimd_dev_refresh(struct bf_rshimd_dev *d)
{
	struct bf_rshim_found f[BF_RSHIMD_MAX_DEVS];
	char cur[64], name[64];
	int n, ret;

	pthread_mutex_lock(&d->lock);
	snprintf(cur, sizeof(cur), "%s", d->name);
	pthread_mutex_unlock(&d->lock);
	if (strncmp(cur, "pcie:", 5)) {
		bf_warn("rshim%u: DEV_NAME refreshes a PCIe RShim function only (this is %s)", d->index, cur);
		return -EINVAL;
	}
	bf_info("rshim%u starting device refresh (current: %s)", d->index, cur);
	n = bf_rshim_scan_pcie(f, BF_RSHIMD_MAX_DEVS);
	if (n > BF_RSHIMD_MAX_DEVS)
		n = BF_RSHIMD_MAX_DEVS;
	ret = n < 0 ? n : bf_rshimd_refresh_pick(cur, f, n, name, sizeof(name));
	if (ret == 0)
		ret = bf_rshimd_dev_switch(d, name);
	if (ret < 0) {
		bf_warn("rshim%u failed to refresh the PCIe device %s: %s", d->index, cur,
			ret == -ENODEV ? "no usable BlueField RShim function at that address" : strerror(-ret));
		return ret;
	}
	bf_info("rshim%u device refresh success (new: %s)", d->index, name);
	return 0;
}
