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
		unsigned vendor, device, i;
		bool lf = false;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(out->addr))
			continue;
		if (bf_rshim_sysfs_pci_id(e->d_name, "vendor", &vendor) < 0 ||
		    bf_rshim_sysfs_pci_id(e->d_name, "device", &device) < 0 ||
		    vendor != BF_PCI_VENDOR)
			continue;
		chip = bf_chip_by_pcie_devid((uint16_t)device);
		for (i = BF_CHIP_BF1; !chip && i <= BF_CHIP_BF3; i++)
			if (bf_chip_get((enum bf_chip_ver)i)->pcie_lf_devid == device) {
				chip = bf_chip_get((enum bf_chip_ver)i);
				lf = true;
			}
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
