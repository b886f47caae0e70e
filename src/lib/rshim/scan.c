/* rshim/scan.c - RShim PCIe functions in sysfs. */
#include "config.h"
#include "rshim/scan.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *bf_rshim_sysfs(void)
{
	const char *r = getenv("BFCTL_SYSFS");

	return r && *r ? r : "/sys";
}

int bf_rshim_sysfs_pci_id(const char *dev, const char *attr, unsigned *v)
{
	char path[512], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", bf_rshim_sysfs(), dev, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*v = (unsigned)strtoul(buf, NULL, 16);
	return 0;
}

static int cmp_found(const void *a, const void *b)
{
	return strcmp(((const struct bf_rshim_found *)a)->addr, ((const struct bf_rshim_found *)b)->addr);
}

int bf_rshim_scan_pcie(struct bf_rshim_found *out, size_t max)
{
	char dir[256];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", bf_rshim_sysfs());
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		const struct bf_chip *chip = NULL;
		unsigned vendor, device;
		bool lf = false;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(out->addr))
			continue;
		if (bf_rshim_sysfs_pci_id(e->d_name, "vendor", &vendor) < 0 ||
		    bf_rshim_sysfs_pci_id(e->d_name, "device", &device) < 0 ||
		    vendor != BF_PCI_VENDOR)
			continue;
		chip = bf_chip_by_pcie_devid((uint16_t)device);
		if (!chip && (chip = bf_chip_by_pcie_lf_devid((uint16_t)device)))
			lf = true;
		if (!chip)
			continue;
		if (n < max) {
			snprintf(out[n].addr, sizeof(out[n].addr), "%s", e->d_name);
			snprintf(out[n].name, sizeof(out[n].name), "%s:%s", lf ? "pcie-lf" : "pcie", e->d_name);
			out[n].chip = chip;
			out[n].livefish = lf;
		}
		n++;
	}
	closedir(d);
	qsort(out, n < max ? n : max, sizeof(*out), cmp_found);
	return (int)n;
}

int bf_rshim_scan_only(bool livefish, char *addr, size_t cap)
{
	struct bf_rshim_found found[16];
	const char *kind = livefish ? "livefish" : "RShim";
	int n = bf_rshim_scan_pcie(found, 16), i, k = 0, pick = -1;
	char list[512] = "";
	size_t o = 0;

	for (i = 0; i < n && i < 16; i++) {
		if (found[i].livefish != livefish)
			continue;
		if (o + strlen(found[i].name) + 3 < sizeof(list)) {
			memcpy(list + o, k ? ", " : "", k ? 2 : 0);
			o += k ? 2 : 0;
			memcpy(list + o, found[i].name, strlen(found[i].name) + 1);
			o += strlen(found[i].name);
		}
		pick = i;
		k++;
	}
	if (k == 0)
		return bf_error_ret(ENODEV, "no %s PCIe function found", kind);
	if (k > 1)
		return bf_error_ret(ENODEV, "several %s PCIe functions (%s): name one", kind, list);
	snprintf(addr, cap, "%s", found[pick].addr);
	return 0;
}
