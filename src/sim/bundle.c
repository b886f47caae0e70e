/* bundle.c - sample bundles the simulator installs: the boot chain, UEFI's
 * images, an info image with versions, and an initramfs (gzip'd newc cpio
 * made with libarchive) holding the installer manifest, a NIC firmware
 * image and, for a full bundle, the OS payload. */
#include "config.h"
#include "bundle.h"
#include "bfb.h"
#include "error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILL_CHUNK (1u << 20)

/* Version strings of the sample release (DOCA 2.7 era, as the field guide). */
#define V_ATF   "4.7.0-13127"
#define V_UEFI  "4.7.0-13127"
#define V_BSP   "4.7.0.13127"
#define V_DOCA  "2.7.0"
#define V_NICFW_BF3 "32.41.1000"
#define V_NICFW_BF2 "24.41.1000"
#define PSID_BF3 "MT_0000000884"
#define PSID_BF2 "MT_0000000540"
#define V_BMC   "24.04-5"
#define V_CEC   "00.02.0182.0000"

struct src {          /* image bytes: a buffer, or a file to copy */
	const uint8_t *buf;
	size_t len;
	const char *path;
};

static void fill(uint8_t *p, size_t n, uint64_t *x)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		*x ^= *x << 13; *x ^= *x >> 7; *x ^= *x << 17;
		memcpy(p + i, x, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)(*x >> (8 * (i & 7)));
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int emit(int fd, unsigned id, unsigned ver, unsigned next_ver, uint64_t following,
		const struct src *src)
{
	struct bf_bfb_hdr h;
	uint8_t hdr[BF_BFB_HDR_LEN], *buf = NULL;
	static const uint8_t zeros[8];
	uint32_t crc = 0;
	uint64_t len;
	int in = -1, r;

	if (src->path) {
		struct stat st;

		in = open(src->path, O_RDONLY | O_CLOEXEC);
		if (in < 0 || fstat(in, &st) < 0)
			return -errno;
		len = (uint64_t)st.st_size;
		buf = malloc(FILL_CHUNK);
		if (!buf) {
			close(in);
			return -ENOMEM;
		}
		for (;;) {
			ssize_t n = read(in, buf, FILL_CHUNK);

			if (n <= 0)
				break;
			crc = bf_bfb_crc32(crc, buf, (size_t)n);
		}
	} else {
		len = src->len;
		crc = bf_bfb_crc32(0, src->buf, src->len);
	}
	if (len > 0xffffffffull) {
		free(buf);
		if (in >= 0)
			close(in);
		return bf_error_ret(EFBIG, "image %u is larger than 4 GiB", id);
	}
	crc = bf_bfb_crc32_pad(crc, len);
	bf_bfb_hdr_init(&h, (uint8_t)id, (uint8_t)ver, (uint32_t)len, crc);
	h.next_ver = (uint8_t)next_ver;
	h.following = following;
	bf_bfb_hdr_encode(&h, hdr);
	r = write_all(fd, hdr, sizeof(hdr));
	if (r == 0 && src->path) {
		lseek(in, 0, SEEK_SET);
		for (;;) {
			ssize_t n = read(in, buf, FILL_CHUNK);

			if (n <= 0)
				break;
			if ((r = write_all(fd, buf, (size_t)n)) < 0)
				break;
		}
	} else if (r == 0) {
		r = write_all(fd, src->buf, src->len);
	}
	if (r == 0)
		r = write_all(fd, zeros, (size_t)(bf_bfb_padded(len) - len));
	free(buf);
	if (in >= 0)
		close(in);
	return r;
}

static int cpio_add(struct archive *a, const char *name, const uint8_t *data, size_t len,
		    uint64_t fill_len, uint64_t *seed)
{
	struct archive_entry *e = archive_entry_new();
	uint64_t size = data ? len : fill_len, done = 0;
	int r = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, 1714521600, 0);   /* fixed: reproducible bundles */
	if (archive_write_header(a, e) != ARCHIVE_OK)
		r = -EIO;
	if (r == 0 && data && archive_write_data(a, data, len) != (la_ssize_t)len)
		r = -EIO;
	if (r == 0 && !data) {
		uint8_t *buf = malloc(FILL_CHUNK);

		if (!buf)
			r = -ENOMEM;
		while (r == 0 && done < size) {
			size_t n = size - done < FILL_CHUNK ? (size_t)(size - done) : FILL_CHUNK;

			fill(buf, n, seed);
			if (archive_write_data(a, buf, n) != (la_ssize_t)n)
				r = -EIO;
			done += n;
		}
		free(buf);
	}
	archive_entry_free(e);
	return r;
}

static int make_initramfs(const char *path, const struct bf_sim_bundle_opts *o, const char *manifest)
{
	struct archive *a = archive_write_new();
	uint64_t seed = 0x1234567887654321ull;
	uint8_t fw[4096];
	uint64_t fseed = 0xfeedull;
	int r = 0;

	archive_write_set_format_cpio_newc(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_filter_option(a, "gzip", "compression-level", "1");
	archive_write_set_filter_option(a, "gzip", "timestamp", NULL);   /* reproducible */
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		r = bf_error_ret(EIO, "cannot write %s: %s", path, archive_error_string(a));
		archive_write_free(a);
		return r;
	}
	/* The manifest first, so the simulated installer finds it early. */
	r = cpio_add(a, "bfsim-installer.json", (const uint8_t *)manifest, strlen(manifest), 0, NULL);
	memcpy(fw, "MTFW", 4);
	fill(fw + 4, sizeof(fw) - 4, &fseed);
	if (r == 0)
		r = cpio_add(a, "nicfw/fw.bin", fw, sizeof(fw), 0, NULL);
	if (r == 0 && o->kind == BF_SIM_BUNDLE_FULL)
		r = cpio_add(a, "ubuntu/image.tar.xz", NULL, 0, o->os_bytes, &seed);
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = bf_error_ret(EIO, "cannot finish %s: %s", path, archive_error_string(a));
	archive_write_free(a);
	return r;
}

int bf_sim_bundle_write(const char *out, const struct bf_sim_bundle_opts *o)
{
	bool bf3 = o->chip->ver == BF_CHIP_BF3, full = o->kind == BF_SIM_BUNDLE_FULL;
	const char *chip = bf3 ? "BF3" : "BF2";
	char manifest[1024], info[2048], bl31[128], bl33[128], tmp_initrd[PATH_MAX], tmp_out[PATH_MAX];
	uint8_t *small = malloc(65536), *kernel = NULL;
	uint64_t seed = 0xabcdef0123456789ull;
	static const struct { unsigned id, ver; } order_bf3[] = {
		{ 36, 0 }, { 37, 0 }, { 30, 0 }, { 1, 0 }, { 3, 0 }, { 5, 0 }, { 52, 0 },
		{ 57, 0 }, { 58, 0 }, { 59, 0 }, { 59, 2 }, { 41, 0 }, { 50, 0 }, { 62, 0 }, { 63, 0 },
	};
	uint64_t map = 0;
	size_t i, n = sizeof(order_bf3) / sizeof(order_bf3[0]), kernel_len = 1u << 20;
	int fd = -1, r = 0;

	if (!small)
		return -ENOMEM;
	snprintf(manifest, sizeof(manifest),
		 "{\"format\":1,\"kind\":\"%s\",%s\"release\":\"%s\",\"atf\":\"" V_ATF "\","
		 "\"uefi\":\"" V_UEFI "\",\"bsp\":\"" V_BSP "\",\"doca\":\"" V_DOCA "\","
		 "\"nic_fw\":{\"version\":\"%s\",\"psid\":\"%s\",\"file\":\"nicfw/fw.bin\"},"
		 "\"bmc_fw\":\"" V_BMC "\",\"cec_fw\":\"" V_CEC "\"}",
		 full ? "full" : "fw", full ? "\"os\":{\"name\":\"Ubuntu\",\"version\":\"22.04\"}," : "",
		 full ? "bf-bundle-2.7.0-33_24.04_ubuntu-22.04_prod" : "bf-fwbundle-2.7.0-33_24.04-prod",
		 bf3 ? V_NICFW_BF3 : V_NICFW_BF2, bf3 ? PSID_BF3 : PSID_BF2);
	snprintf(info, sizeof(info),
		 "{\"//\":\"This JSON represents a Redfish Software Inventory collection containing multiple software components.\","
		 "\"@odata.type\":\"#SoftwareInventoryCollection.SoftwareInventoryCollection\","
		 "\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory\",\"Name\":\"BFB File Content\","
		 "\"Members\":["
		 "{\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory/0\",\"Id\":\"0\",\"Name\":\"%s_BSP\",\"Version\":\"" V_BSP "\",\"SoftwareId\":\"boot_update2.cap\"},"
		 "{\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory/1\",\"Id\":\"1\",\"Name\":\"%s_ATF\",\"Version\":\"" V_ATF "\",\"SoftwareId\":\"default.bfb\"},"
		 "{\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory/2\",\"Id\":\"2\",\"Name\":\"%s_UEFI\",\"Version\":\"" V_UEFI "\",\"SoftwareId\":\"default.bfb\"},"
		 "{\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory/3\",\"Id\":\"3\",\"Name\":\"%s_NIC_FW\",\"Version\":\"%s\",\"SoftwareId\":\"fw.bin\"},"
		 "{\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory/4\",\"Id\":\"4\",\"Name\":\"%s_BMC_FW\",\"Version\":\"" V_BMC "\",\"SoftwareId\":\"bmc-fw\"}%s"
		 "],\"Members@odata.count\":%d}",
		 chip, chip, chip, chip, bf3 ? V_NICFW_BF3 : V_NICFW_BF2, chip,
		 full ? ",{\"@odata.id\":\"/redfish/v1/UpdateService/SoftwareInventory/5\",\"Id\":\"5\",\"Name\":\"DOCA\",\"Version\":\"" V_DOCA "\",\"SoftwareId\":\"doca-runtime_2.7.0\"}" : "",
		 full ? 6 : 5);
	snprintf(bl31, sizeof(bl31), "BlueField ATF version: v2.2(release):" V_ATF "-gsimulated");
	snprintf(bl33, sizeof(bl33), "BlueField UEFI version: " V_UEFI);
	snprintf(tmp_initrd, sizeof(tmp_initrd), "%s.initramfs.tmp", out);
	snprintf(tmp_out, sizeof(tmp_out), "%s.tmp", out);

	r = make_initramfs(tmp_initrd, o, manifest);
	if (r == 0 && !full)
		kernel_len = 0;
	if (r == 0 && kernel_len) {
		kernel = malloc(kernel_len);
		if (!kernel)
			r = -ENOMEM;
		else
			fill(kernel, kernel_len, &seed);
	}
	if (r == 0) {
		fd = open(tmp_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			r = bf_error_ret(errno, "cannot write %s: %s", tmp_out, strerror(errno));
	}
	for (i = 0; i < n; i++)
		if (bf3 || (order_bf3[i].id != 36 && order_bf3[i].id != 37 && order_bf3[i].id != 30))
			if (kernel_len || order_bf3[i].id != 62)
				map |= 1ull << order_bf3[i].id;
	for (i = 0; r == 0 && i < n; i++) {
		unsigned id = order_bf3[i].id, ver = order_bf3[i].ver, next = 0;
		struct src src = { .buf = small };

		if (!bf3 && (id == 36 || id == 37 || id == 30))
			continue;
		if (id == 62 && !kernel_len)
			continue;
		if (i + 1 < n && order_bf3[i + 1].id == id)
			next = order_bf3[i + 1].ver;
		else
			map &= ~(1ull << id);
		switch (id) {
		case 3:
			memset(small, 0, 4096);
			memcpy(small + 512, bl31, strlen(bl31));
			src.len = 4096;
			break;
		case 5:
			memset(small, 0, 8192);
			memcpy(small + 1024, bl33, strlen(bl33));
			src.len = 8192;
			break;
		case 57: src.buf = (const uint8_t *)"Linux from rshim"; src.len = 16; break;
		case 58: src.buf = (const uint8_t *)"VenHw(F019E406-8C9C-11E5-8797-001ACA00BFC4)/Image"; src.len = 49; break;
		case 59:
			src.buf = (const uint8_t *)(ver == 0 ?
				"console=ttyAMA1 console=hvc0 console=ttyAMA0 earlycon=pl011,0x01000000 earlycon=pl011,0x01800000 initrd=initramfs" :
				"console=hvc0 console=ttyAMA0 earlycon=pl011,0x13010000 initrd=initramfs");
			src.len = strlen((const char *)src.buf);
			break;
		case 41:
			memcpy(small, "MTFW", 4);
			fill(small + 4, 16384 - 4, &seed);
			src.len = 16384;
			break;
		case 50: src.buf = (const uint8_t *)info; src.len = strlen(info); break;
		case 62: src.buf = kernel; src.len = kernel_len; break;
		case 63: src.path = tmp_initrd; break;
		default:
			fill(small, 24576 + id * 8 + 5, &seed);   /* odd lengths exercise padding */
			src.len = 24576 + id * 8 + 5;
			break;
		}
		r = emit(fd, id, ver, next, map, &src);
	}
	if (fd >= 0) {
		if (r == 0 && fsync(fd) < 0)
			r = -errno;
		close(fd);
	}
	unlink(tmp_initrd);
	if (r == 0 && rename(tmp_out, out) < 0)
		r = bf_error_ret(errno, "cannot write %s: %s", out, strerror(errno));
	if (r < 0)
		unlink(tmp_out);
	free(small);
	free(kernel);
	return r;
}
