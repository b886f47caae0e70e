/* fw/dev.c - naming, opening and identifying a NIC (spec 1.1, 1.10, 3.2,
 * 3.4, 3.5, 3.8). */
#include "config.h"
#include "fw/dev.h"
#include "fw/reg.h"
#include "rshim/scan.h"
#include "error.h"
#include "log.h"
#include "rshim/simconn.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct bf_fw_devtype types[] = {
	{ 0xa2d6, 0x214, "BlueField2", "BlueField-2", true },
	{ 0xa2dc, 0x21c, "BlueField3", "BlueField-3", true },
	{ 0x101b, 0x20f, "ConnectX6", "ConnectX-6", false },
	{ 0x101d, 0x212, "ConnectX6DX", "ConnectX-6 Dx", false },
	{ 0x101f, 0x216, "ConnectX6LX", "ConnectX-6 Lx", false },
	{ 0x1021, 0x218, "ConnectX7", "ConnectX-7", false },
	{ 0x1023, 0x21e, "ConnectX8", "ConnectX-8", false },
};

const struct bf_fw_devtype *bf_fw_devtype_by_pci(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].pci_devid == id)
			return &types[i];
	return NULL;
}

const struct bf_fw_devtype *bf_fw_devtype_by_hw(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].hw_id == id)
			return &types[i];
	return NULL;
}

/* Names. -------------------------------------------------------------------- */

static bool is_bdf(const char *s)
{
	unsigned d, b, dv, f;
	char tail;

	return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &d, &b, &dv, &f, &tail) == 4 &&
	       isxdigit((unsigned char)s[0]) && s[4] == ':' && s[7] == ':' && s[10] == '.';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* mt<devid>_pciconf<N>[.<F>]: the N-th device (by PCI address) whose
 * function has that PCI device id, function F. */
static int resolve_mst(const char *name, char *bdf, size_t cap)
{
	char dir[PATH_MAX], *slots[256], tail;
	unsigned devid, n, f = 0, nslots = 0, i;
	struct dirent *e;
	DIR *d;
	int k;

	k = sscanf(name, "mt%u_pciconf%u.%u%c", &devid, &n, &f, &tail);
	if (k < 2 || k > 3 || (k == 2 && strchr(name, '.')))
		return bf_error_ret(ENODEV, "'%s' is not an mst device name (mt<devid>_pciconf<n>[.<f>])", name);
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", bf_rshim_sysfs());
	if (!(d = opendir(dir)))
		return bf_error_ret(ENODEV, "cannot list %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) && nslots < 256) {
		unsigned vendor, device;

		if (!is_bdf(e->d_name) || bf_rshim_sysfs_pci_id(e->d_name, "vendor", &vendor) < 0 ||
		    bf_rshim_sysfs_pci_id(e->d_name, "device", &device) < 0 ||
		    (vendor != 0x15b3 && vendor != 0x10de) || device != devid)
			continue;
		for (i = 0; i < nslots && strncmp(slots[i], e->d_name, 10); i++)
			;
		if (i == nslots && (slots[nslots] = strndup(e->d_name, 10)))
			nslots++;
	}
	closedir(d);
	qsort(slots, nslots, sizeof(slots[0]), cmp_str);
	k = n < nslots ? 0 : -1;
	if (k == 0)
		snprintf(bdf, cap, "%s.%u", slots[n], f);
	for (i = 0; i < nslots; i++)
		free(slots[i]);
	if (k < 0)
		return bf_error_ret(ENODEV, "no device %s: %u function(s) with PCI device id %u (0x%x) found",
				    name, nslots, devid, devid);
	return 0;
}

int bf_fw_dev_resolve(const char *name, char *bdf, size_t cap)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	if (!strncmp(name, "sim:", 4)) {
		snprintf(bdf, cap, "%s", name);
		return 0;
	}
	if (!strncmp(name, "/sys/", 5) && !strcmp(base, "config")) {
		/* .../devices/<bdf>/config */
		const char *end = base - 1, *start = end;

		while (start > name && start[-1] != '/')
			start--;
		snprintf(path, sizeof(path), "%.*s", (int)(end - start), start);
		if (is_bdf(path)) {
			snprintf(bdf, cap, "%s", path);
			return 0;
		}
	}
	if (is_bdf(name)) {
		snprintf(bdf, cap, "%s", name);
		return 0;
	}
	if (strlen(name) == 7 && name[2] == ':' && name[5] == '.') {
		snprintf(path, sizeof(path), "0000:%s", name);
		if (is_bdf(path)) {
			snprintf(bdf, cap, "%s", path);
			return 0;
		}
	}
	if (!strncmp(base, "mt", 2) && strstr(base, "_pciconf"))
		return resolve_mst(base, bdf, cap);
	if (!strncmp(name, "mlx5_", 5)) {
		snprintf(path, sizeof(path), "%s/class/infiniband/%s/device", bf_rshim_sysfs(), name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
			if (is_bdf(base)) {
				snprintf(bdf, cap, "%s", base);
				return 0;
			}
		}
		return bf_error_ret(ENODEV, "no RDMA device %s (%s)", name, path);
	}
	return bf_error_ret(EINVAL, "'%s' names no device: use a PCI address (0000:03:00.0), an mst name "
			    "(mt41692_pciconf0), an RDMA device (mlx5_0) or sim:0", name);
}

/* The simulated NIC that bfsim serves (rshim/simconn.h). ----------------- */

static int sim_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	uint64_t q[2] = { off, len };
	size_t got = 0;
	int r = bf_rshim_sim_call(ctx, BF_SIMPROTO_CFG_READ, q, NULL, 0, NULL, buf, len, &got);

	return r < 0 ? r : got == len ? 0 : bf_error_ret(EPROTO, "the simulated NIC answered %zu bytes of %zu", got, len);
}

static int sim_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	uint64_t q[1] = { off };

	return bf_rshim_sim_call(ctx, BF_SIMPROTO_CFG_WRITE, q, buf, len, NULL, NULL, 0, NULL);
}

static uint64_t sim_now(void *ctx)
{
	uint64_t f[6] = { 0 };

	/* A lost connection: every deadline has passed (and the next config
	 * access says why). */
	if (bf_rshim_sim_call(ctx, BF_SIMPROTO_TIME, NULL, NULL, 0, f, NULL, 0, NULL) < 0)
		return UINT64_MAX / 2;
	return f[0];
}

static void sim_close(void *ctx)
{
	bf_rshim_sim_disconnect(ctx);
}

static int open_sim(const char *name, struct bf_fw_pci_io *io)
{
	struct bf_rshim_simprops props;
	struct bf_rshim_simconn *c;
	unsigned idx = 0, fn = 0;
	char tail;
	int r, k = sscanf(name, "sim:%u.%u%c", &idx, &fn, &tail);

	if ((k != 1 && k != 2) || (k == 1 && strchr(name, '.')) || idx >= BF_SIMPROTO_MAX_DEVICES ||
	    fn >= BF_SIMPROTO_NIC_FUNCS)
		return bf_error_ret(ENODEV, "no simulated NIC %s (simulated NICs are sim:N and sim:N.1)", name);
	if ((r = bf_rshim_sim_connect(idx, BF_SIMPROTO_ROLE_NIC + fn, &c, &props)) < 0)
		return r;
	*io = (struct bf_fw_pci_io){ .read = sim_read, .write = sim_write, .now = sim_now,
				     .close = sim_close, .ctx = c };
	return 0;
}

/* Opening. ------------------------------------------------------------------ */

int bf_fw_dev_components(struct bf_fw_dev *d)
{
	unsigned i;
	int r;

	d->ncomps = 0;
	d->boot_index = -1;
	for (i = 0; i < BF_FW_MAX_COMPS; i++) {
		struct bf_fw_mcqs q = { .component_index = (uint16_t)i };

		if ((r = bf_fw_reg(&d->icmd, &bf_fw_mcqs_layout, BF_FW_METHOD_GET, &q, NULL)) < 0)
			return r;
		d->comps[i] = (struct bf_fw_comp){ (uint16_t)i, q.identifier, q.component_status, q.component_update_state };
		d->ncomps++;
		if (q.identifier == BF_FW_COMP_BOOT_IMG && d->boot_index < 0)
			d->boot_index = (int)i;
		if (q.last_index_flag)
			return 0;
	}
	return bf_error_ret(EPROTO, "%s lists more than %d components without a last one", d->name, BF_FW_MAX_COMPS);
}

static int identify(struct bf_fw_dev *d, unsigned flags)
{
	struct bf_fw_mlock lk = { 0 };
	uint32_t v;
	unsigned st;
	int r;

	if ((r = bf_fw_pci_read4(d->pci, BF_FW_AS_CR, BF_FW_CR_HW_ID, &v)) < 0)
		return r;
	if (v == 0xbad0cafe)
		return bf_error_ret(EACCES, "the CR space of %s is locked (secure host): the firmware cannot be "
				    "reached from this host", d->name);
	d->hw_id = (uint16_t)v;
	d->hw_rev = (v >> 16) & 0xf;
	d->type = bf_fw_devtype_by_pci(d->pci->device);
	if (d->pci->device == d->hw_id || (!d->type && bf_fw_devtype_by_hw(d->pci->device)))
		return bf_error_ret(ENOTSUP, "%s is in livefish (flash recovery) mode (PCI id 0x%04x): its firmware "
				    "is not running, so ICMD and the access registers are not available; "
				    "recover the flash first", d->name, d->pci->device);
	if (!d->type)
		d->type = bf_fw_devtype_by_hw(d->hw_id);
	if (bf_fw_pci_space_ok(d->pci, BF_FW_AS_RECOVERY) && bf_fw_pci_read4(d->pci, BF_FW_AS_RECOVERY, 0, &v) == 0 &&
	    (v & 3) == 3)
		return bf_error_ret(ENOTSUP, "%s is in recovery (zombiefish) mode: ICMD is not available", d->name);
	if ((r = bf_fw_icmd_open(&d->icmd, d->pci)) < 0)
		return r;
	if (flags & BF_FW_OPEN_REGS_ONLY)
		return 0;
	/* The component-update path needs MCQS, MCQI, MCC, MCDA, MQIS and MGIR
	 * (MCAM group 0) and an unlocked MLOCK. */
	if ((r = bf_fw_reg(&d->icmd, &bf_fw_mcam_layout, BF_FW_METHOD_GET, &d->mcam0, &st)) < 0)
		return r;
	if (st == 0) {
		unsigned b;

		d->mcc = bf_fw_mcam_bit(d->mcam0.access_mask, 0x20);
		for (b = 0x60; b <= 0x64; b++)
			d->mcc = d->mcc && bf_fw_mcam_bit(d->mcam0.access_mask, b);
	}
	if (d->mcc && bf_fw_reg(&d->icmd, &bf_fw_mlock_layout, BF_FW_METHOD_GET, &lk, &st) == 0 && st == 0 &&
	    lk.operation == 1)
		d->mcc = false;
	if (d->mcc && (r = bf_fw_dev_components(d)) < 0)
		return r;
	return 0;
}

static int open_io(const struct bf_fw_pci_io *io, const char *name, unsigned flags, struct bf_fw_dev **out)
{
	struct bf_fw_dev *d = calloc(1, sizeof(*d));
	int r;

	if (!d) {
		if (io->close)
			io->close(io->ctx);
		return -ENOMEM;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->bdf, sizeof(d->bdf), "%s", name);
	d->boot_index = -1;
	if ((r = bf_fw_pci_open(io, name, flags, &d->pci)) < 0 || (r = identify(d, flags)) < 0) {
		bf_fw_dev_close(d);
		return r;
	}
	*out = d;
	return 0;
}

int bf_fw_dev_open_io(const struct bf_fw_pci_io *io, const char *name, struct bf_fw_dev **out)
{
	return open_io(io, name, 0, out);
}

int bf_fw_dev_open(const char *name, struct bf_fw_dev **out)
{
	return bf_fw_dev_open_flags(name, 0, out);
}

int bf_fw_dev_open_flags(const char *name, unsigned flags, struct bf_fw_dev **out)
{
	struct bf_fw_pci_io io;
	struct bf_fw_dev *d;
	char bdf[32];
	int r;

	if ((r = bf_fw_dev_resolve(name, bdf, sizeof(bdf))) < 0)
		return r;
	if (!strncmp(bdf, "sim:", 4)) {
		if ((r = open_sim(bdf, &io)) < 0)
			return r;
		return open_io(&io, name, flags, out);
	}
	if (!(d = calloc(1, sizeof(*d))))
		return -ENOMEM;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->boot_index = -1;
	if ((r = bf_fw_pci_open_sysfs(bdf, flags, &d->pci)) < 0 || (r = identify(d, flags)) < 0) {
		bf_fw_dev_close(d);
		return r;
	}
	if (strcmp(name, bdf))
		bf_info("%s is %s", name, bdf);
	*out = d;
	return 0;
}

void bf_fw_dev_close(struct bf_fw_dev *d)
{
	if (!d)
		return;
	bf_fw_pci_close(d->pci);
	free(d);
}

/* Reading. ------------------------------------------------------------------ */

int bf_fw_dev_mcqi(struct bf_fw_dev *d, unsigned index, unsigned info_type, bool pending,
		   uint8_t *blob, size_t cap, size_t *len)
{
	size_t off = 0, total = cap;
	unsigned st;
	int r;

	/* The register carries 124 bytes of data (0x18-0x93); upstream asks
	 * for 128, which does not fit: bfctl asks for what fits. */
	while (off < total) {
		struct bf_fw_mcqi q = {
			.component_index = (uint16_t)index, .read_pending_component = pending,
			.info_type = (uint8_t)info_type, .offset = (uint32_t)off,
			.data_size = (uint16_t)(total - off < BF_FW_MCQI_DATA_MAX ? total - off : BF_FW_MCQI_DATA_MAX),
		};

		if ((r = bf_fw_reg(&d->icmd, &bf_fw_mcqi_layout, BF_FW_METHOD_GET, &q, &st)) < 0)
			return r;
		if (st)
			return (int)st;
		if (off == 0 && q.info_size < total)
			total = q.info_size;
		if (q.data_size == 0 || q.data_size > BF_FW_MCQI_DATA_MAX || q.data_size > total - off)
			break;
		memcpy(blob + off, q.data, q.data_size);
		off += q.data_size;
	}
	*len = off;
	return 0;
}

int bf_fw_dev_version(struct bf_fw_dev *d, bool pending, struct bf_fw_mcqi_version *v)
{
	uint8_t blob[0x80];
	size_t len = 0;
	int r;

	if (d->boot_index < 0)
		return bf_error_ret(ENOTSUP, "%s lists no firmware image component", d->name);
	memset(blob, 0, sizeof(blob));
	r = bf_fw_dev_mcqi(d, (unsigned)d->boot_index, BF_FW_MCQI_VERSION, pending, blob, sizeof(blob), &len);
	if (r > 0 && pending)
		return 1;
	if (r > 0)
		return bf_error_ret(EREMOTEIO, "MCQI version of %s: %s (register status 0x%x)", d->name,
				    bf_fw_reg_status_text((unsigned)r), (unsigned)r);
	if (r < 0)
		return r;
	bf_fw_unpack(&bf_fw_mcqi_version_layout, blob, v);
	return 0;
}

int bf_fw_dev_mgir(struct bf_fw_dev *d, struct bf_fw_mgir *m)
{
	memset(m, 0, sizeof(*m));
	return bf_fw_reg(&d->icmd, &bf_fw_mgir_layout, BF_FW_METHOD_GET, m, NULL);
}

int bf_fw_dev_mqis(struct bf_fw_dev *d, unsigned info_type, char *out, size_t cap)
{
	size_t off = 0, total = cap - 1, i;
	unsigned st;
	int r;

	out[0] = '\0';
	while (off < total) {
		struct bf_fw_mqis q = { .info_type = (uint8_t)info_type, .read_offset = (uint16_t)off, .read_length = 8 };

		if ((r = bf_fw_reg(&d->icmd, &bf_fw_mqis_layout, BF_FW_METHOD_GET, &q, &st)) < 0)
			return r;
		if (st)
			break;   /* not supported: no string */
		if (q.info_length < total)
			total = q.info_length;
		if (!q.read_length || q.read_length > 8)
			break;
		for (i = 0; i < q.read_length && off < total; i++, off++)
			out[off] = q.info_string[i] >= 0x20 && q.info_string[i] < 0x7f ? (char)q.info_string[i] : '?';
		out[off] = '\0';
	}
	return 0;
}
