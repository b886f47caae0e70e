/* pcifs.c - `bfsim run --transport pci`: the PCI functions of the run's
 * simulated BlueFields (each device on buses of its own, pcidev.h) as
 * one sysfs-like tree served by FUSE (low-level API, one thread in the
 * bfsim process), mounted under the run's scratch directory
 * and bind-mounted over /sys/bus/pci/devices in COMMAND's private mount
 * namespace. COMMAND then reaches the device with pread/pwrite on
 * /sys/bus/pci/devices/<bdf>/config, as it would a real one.
 *
 * Tree (mount point <dir>/pci):
 *   devices/<bdf>/config            the config space (rw, every access reaches the model)
 *   devices/<bdf>/{vendor,device,subsystem_vendor,subsystem_device,class,revision}
 *                                   read from the config header, "0x%04x\n" as sysfs prints them
 *   devices/<bdf>/enable            "0\n"/"1\n" (rw)
 *   devices/<bdf>/irq, resource     as sysfs prints them (no BARs, no interrupt)
 *   devices/<bdf>/bfsim_config_accesses
 *                                   not in sysfs: the config reads and writes
 *                                   served so far ("<reads> <writes>\n"), for benches
 * Files are direct I/O: nothing is cached, each pread/pwrite is one
 * request, as on sysfs. */
#define FUSE_USE_VERSION 35
#include "config.h"
#include "host.h"
#include "pcidev.h"
#include "pcicfg.h"
#include "error.h"
#include "log.h"
#include "rshim/lf_regs.h"

#include <errno.h>
#include <fuse_lowlevel.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCI_SYSFS_DEVICES "/sys/bus/pci/devices"

/* Inodes: 1 the root, 2 devices/, a function's directory at DEV_INO(i),
 * its files at DEV_INO(i) + 1 + k. */
#define INO_ROOT      FUSE_ROOT_ID
#define INO_DEVICES   2
#define DEV_INO(i)    (16 + (fuse_ino_t)(i) * 16)

enum file_kind {
	F_CONFIG, F_VENDOR, F_DEVICE, F_SUBSYS_VENDOR, F_SUBSYS_DEVICE, F_CLASS, F_REVISION,
	F_ENABLE, F_IRQ, F_RESOURCE, F_ACCESSES, F_COUNT
};

static const struct {
	const char *name;
	mode_t mode;
} files[F_COUNT] = {
	[F_CONFIG] = { "config", 0644 },
	[F_VENDOR] = { "vendor", 0444 },
	[F_DEVICE] = { "device", 0444 },
	[F_SUBSYS_VENDOR] = { "subsystem_vendor", 0444 },
	[F_SUBSYS_DEVICE] = { "subsystem_device", 0444 },
	[F_CLASS] = { "class", 0444 },
	[F_REVISION] = { "revision", 0444 },
	[F_ENABLE] = { "enable", 0644 },
	[F_IRQ] = { "irq", 0444 },
	[F_RESOURCE] = { "resource", 0444 },
	[F_ACCESSES] = { "bfsim_config_accesses", 0444 },
};

struct pcifs {
	struct bf_sim_pcibus bus;
	bool enabled[BF_SIM_PCI_MAX_DEVS];
	uint64_t cfg_reads[BF_SIM_PCI_MAX_DEVS], cfg_writes[BF_SIM_PCI_MAX_DEVS];
	char mnt[PATH_MAX + 8];
	struct fuse_session *se;
	pthread_t thread;
	bool running, mounted;
	volatile int stop;
	time_t t0;
};

/* ---- the registry ---------------------------------------------------------- */

int bf_sim_pcibus_add(struct bf_sim_pcibus *bus, const struct bf_sim_pcidev *d)
{
	unsigned dom, b, dev, fn;
	char tail;
	size_t i;

	if (sscanf(d->bdf, "%4x:%2x:%2x.%1x%c", &dom, &b, &dev, &fn, &tail) != 4 || strlen(d->bdf) != 12 ||
	    !d->cfg_read || !d->cfg_write || (d->cfg_size != 256 && d->cfg_size != 4096))
		return -EINVAL;
	for (i = 0; i < bus->ndev; i++)
		if (!strcmp(bus->dev[i].bdf, d->bdf))
			return -EEXIST;
	if (bus->ndev == BF_SIM_PCI_MAX_DEVS)
		return -ENOSPC;
	bus->dev[bus->ndev++] = *d;
	return 0;
}

static int lf_read(void *ctx, uint32_t off, void *buf, size_t len)
{
	return bf_sim_lfcfg_read(ctx, off, buf, len);
}

static int lf_write(void *ctx, uint32_t off, const void *buf, size_t len)
{
	return bf_sim_lfcfg_write(ctx, off, buf, len);
}

static void lf_free(void *ctx)
{
	bf_sim_lfcfg_free(ctx);
}

int bf_sim_pci_rshim_lf_add(struct bf_sim_host *h, struct bf_sim_pcibus *bus)
{
	struct bf_sim_pcidev d = {
		.cfg_size = BF_LF_CFG_SIZE, .cfg_read = lf_read, .cfg_write = lf_write, .free = lf_free,
	};
	int r;

	bf_sim_pci_bdf(h, BF_SIM_PCI_BUS_LF, 0, d.bdf, sizeof(d.bdf));
	d.ctx = bf_sim_lfcfg_new(h->sim);
	if (!d.ctx)
		return -ENOMEM;
	if ((r = bf_sim_pcibus_add(bus, &d)) < 0) {
		bf_sim_lfcfg_free(d.ctx);
		return bf_error_ret(-r, "bfsim: cannot add the livefish function %s", d.bdf);
	}
	return 0;
}

/* The parts of the simulated BlueField on PCI, in order. */
static const bf_sim_pci_provider pci_providers[] = {
	bf_sim_pci_rshim_lf_add,
	bf_sim_pci_nic_add,
};

void bf_sim_pci_bdf(const struct bf_sim_host *h, unsigned bus, unsigned fn, char *out, size_t cap)
{
	snprintf(out, cap, "0000:%02x:00.%u", (bus + 2 * h->index) & 0xff, fn & 7);
}

/* ---- inodes ------------------------------------------------------------------ */

static bool ino_file(const struct pcifs *fs, fuse_ino_t ino, size_t *dev, enum file_kind *k)
{
	if (ino < DEV_INO(0))
		return false;
	*dev = (size_t)((ino - DEV_INO(0)) / 16);
	if (*dev >= fs->bus.ndev || (ino - DEV_INO(0)) % 16 == 0 || (ino - DEV_INO(0)) % 16 > F_COUNT)
		return false;
	*k = (enum file_kind)((ino - DEV_INO(0)) % 16 - 1);
	return true;
}

static bool ino_devdir(const struct pcifs *fs, fuse_ino_t ino, size_t *dev)
{
	if (ino < DEV_INO(0) || (ino - DEV_INO(0)) % 16)
		return false;
	*dev = (size_t)((ino - DEV_INO(0)) / 16);
	return *dev < fs->bus.ndev;
}

static int ino_stat(const struct pcifs *fs, fuse_ino_t ino, struct stat *st)
{
	size_t d;
	enum file_kind k;

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_atime = st->st_mtime = st->st_ctime = fs->t0;
	if (ino == INO_ROOT || ino == INO_DEVICES || ino_devdir(fs, ino, &d)) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (!ino_file(fs, ino, &d, &k))
		return -ENOENT;
	st->st_mode = S_IFREG | files[k].mode;
	st->st_nlink = 1;
	st->st_size = k == F_CONFIG ? (off_t)fs->bus.dev[d].cfg_size : 4096;
	return 0;
}

/* ---- file contents ------------------------------------------------------------ */

static int cfg_read_locked(struct pcifs *fs, size_t d, uint32_t off, void *buf, size_t len)
{
	int r;

	pthread_mutex_lock(&fs->bus.dev[d].host->lock);
	r = fs->bus.dev[d].cfg_read(fs->bus.dev[d].ctx, off, buf, len);
	pthread_mutex_unlock(&fs->bus.dev[d].host->lock);
	return r;
}

static int cfg_write_locked(struct pcifs *fs, size_t d, uint32_t off, const void *buf, size_t len)
{
	int r;

	pthread_mutex_lock(&fs->bus.dev[d].host->lock);
	r = fs->bus.dev[d].cfg_write(fs->bus.dev[d].ctx, off, buf, len);
	pthread_mutex_unlock(&fs->bus.dev[d].host->lock);
	return r;
}

/* The text of an attribute file, from the config header. */
static int attr_text(struct pcifs *fs, size_t d, enum file_kind k, char *out, size_t cap)
{
	uint8_t h[0x30];
	size_t o = 0;
	int r, i;

	if ((r = cfg_read_locked(fs, d, 0, h, sizeof(h))) < 0)
		return r;
	switch (k) {
	case F_VENDOR: return snprintf(out, cap, "0x%04x\n", h[0] | h[1] << 8);
	case F_DEVICE: return snprintf(out, cap, "0x%04x\n", h[2] | h[3] << 8);
	case F_SUBSYS_VENDOR: return snprintf(out, cap, "0x%04x\n", h[0x2c] | h[0x2d] << 8);
	case F_SUBSYS_DEVICE: return snprintf(out, cap, "0x%04x\n", h[0x2e] | h[0x2f] << 8);
	case F_CLASS: return snprintf(out, cap, "0x%06x\n", h[9] | h[10] << 8 | h[11] << 16);
	case F_REVISION: return snprintf(out, cap, "0x%02x\n", h[8]);
	case F_ENABLE: return snprintf(out, cap, "%d\n", fs->enabled[d] ? 1 : 0);
	case F_IRQ: return snprintf(out, cap, "0\n");
	case F_ACCESSES:
		return snprintf(out, cap, "%llu %llu\n", (unsigned long long)fs->cfg_reads[d],
				(unsigned long long)fs->cfg_writes[d]);
	case F_RESOURCE:
		/* 6 BARs, the ROM and the bridge/IOV windows: all empty. */
		for (i = 0; i < 13 && o + 58 < cap; i++)
			o += (size_t)snprintf(out + o, cap - o,
					      "0x%016x 0x%016x 0x%016x\n", 0, 0, 0);
		return (int)o;
	default: return -EINVAL;
	}
}

/* ---- FUSE operations ------------------------------------------------------------ */

static void reply_entry(fuse_req_t req, struct pcifs *fs, fuse_ino_t ino)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.attr_timeout = 3600;
	e.entry_timeout = 3600;
	ino_stat(fs, ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pcifs *fs = fuse_req_userdata(req);
	size_t d;
	int k;

	if (parent == INO_ROOT && !strcmp(name, "devices"))
		return reply_entry(req, fs, INO_DEVICES);
	if (parent == INO_DEVICES) {
		for (d = 0; d < fs->bus.ndev; d++)
			if (!strcmp(name, fs->bus.dev[d].bdf))
				return reply_entry(req, fs, DEV_INO(d));
	} else if (ino_devdir(fs, parent, &d)) {
		for (k = 0; k < F_COUNT; k++)
			if (!strcmp(name, files[k].name))
				return reply_entry(req, fs, DEV_INO(d) + 1 + (fuse_ino_t)k);
	}
	fuse_reply_err(req, ENOENT);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pcifs *fs = fuse_req_userdata(req);
	struct stat st;

	(void)fi;
	if (ino_stat(fs, ino, &st) < 0)
		return (void)fuse_reply_err(req, ENOENT);
	fuse_reply_attr(req, &st, 3600);
}

/* Only truncation (a shell's "> enable") is accepted, and ignored. */
static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct pcifs *fs = fuse_req_userdata(req);
	struct stat st;

	(void)attr;
	(void)fi;
	if (ino_stat(fs, ino, &st) < 0)
		return (void)fuse_reply_err(req, ENOENT);
	if (to_set & ~(FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
		       FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME))
		return (void)fuse_reply_err(req, EPERM);
	fuse_reply_attr(req, &st, 3600);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct pcifs *fs = fuse_req_userdata(req);
	struct { const char *name; fuse_ino_t ino; } ent[2 + F_COUNT + BF_SIM_PCI_MAX_DEVS];
	char buf[4096];
	size_t n = 0, used = 0, d, i;
	struct stat st;

	(void)fi;
	ent[n].name = "."; ent[n++].ino = ino;
	ent[n].name = ".."; ent[n++].ino = INO_ROOT;
	if (ino == INO_ROOT) {
		ent[n].name = "devices"; ent[n++].ino = INO_DEVICES;
	} else if (ino == INO_DEVICES) {
		for (d = 0; d < fs->bus.ndev; d++) {
			ent[n].name = fs->bus.dev[d].bdf;
			ent[n++].ino = DEV_INO(d);
		}
	} else if (ino_devdir(fs, ino, &d)) {
		for (i = 0; i < F_COUNT; i++) {
			ent[n].name = files[i].name;
			ent[n++].ino = DEV_INO(d) + 1 + i;
		}
	} else {
		return (void)fuse_reply_err(req, ENOTDIR);
	}
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (i = (size_t)off; i < n; i++) {
		size_t need;

		memset(&st, 0, sizeof(st));
		st.st_ino = ent[i].ino;
		st.st_mode = ent[i].ino == ino || ent[i].ino == INO_ROOT || ent[i].ino == INO_DEVICES ||
			     ino_devdir(fs, ent[i].ino, &d) ? S_IFDIR : S_IFREG;
		need = fuse_add_direntry(req, buf + used, size - used, ent[i].name, &st, (off_t)(i + 1));
		if (need > size - used)
			break;
		used += need;
	}
	fuse_reply_buf(req, buf, used);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pcifs *fs = fuse_req_userdata(req);
	enum file_kind k;
	size_t d;

	if (!ino_file(fs, ino, &d, &k))
		return (void)fuse_reply_err(req, ino_devdir(fs, ino, &d) ? EISDIR : ENOENT);
	if ((fi->flags & O_ACCMODE) != O_RDONLY && !(files[k].mode & 0200))
		return (void)fuse_reply_err(req, EACCES);
	fi->direct_io = 1;   /* every access reaches the device, as on sysfs */
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct pcifs *fs = fuse_req_userdata(req);
	char buf[4096];
	enum file_kind k;
	size_t d, cap;
	int n;

	(void)fi;
	if (!ino_file(fs, ino, &d, &k))
		return (void)fuse_reply_err(req, ENOENT);
	if (k == F_CONFIG) {
		cap = fs->bus.dev[d].cfg_size;
		if (off < 0 || (size_t)off >= cap || !size)
			return (void)fuse_reply_buf(req, NULL, 0);
		if (size > cap - (size_t)off)
			size = cap - (size_t)off;
		fs->cfg_reads[d]++;
		if ((n = cfg_read_locked(fs, d, (uint32_t)off, buf, size)) < 0)
			return (void)fuse_reply_err(req, -n);
		return (void)fuse_reply_buf(req, buf, size);
	}
	n = attr_text(fs, d, k, buf, sizeof(buf));
	if (n < 0)
		return (void)fuse_reply_err(req, -n);
	if (off < 0 || off >= n)
		return (void)fuse_reply_buf(req, NULL, 0);
	if (size > (size_t)(n - off))
		size = (size_t)(n - off);
	fuse_reply_buf(req, buf + off, size);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct pcifs *fs = fuse_req_userdata(req);
	enum file_kind k;
	size_t d, cap;
	int r;

	(void)fi;
	if (!ino_file(fs, ino, &d, &k))
		return (void)fuse_reply_err(req, ENOENT);
	if (k == F_ENABLE) {
		if (size < 1 || (data[0] != '0' && data[0] != '1'))
			return (void)fuse_reply_err(req, EINVAL);
		fs->enabled[d] = data[0] == '1';
		return (void)fuse_reply_write(req, size);
	}
	if (k != F_CONFIG)
		return (void)fuse_reply_err(req, EACCES);
	/* As sysfs: past the end nothing is written; a write across it is cut. */
	cap = fs->bus.dev[d].cfg_size;
	if (off < 0 || (size_t)off >= cap || !size)
		return (void)fuse_reply_write(req, 0);
	if (size > cap - (size_t)off)
		size = cap - (size_t)off;
	fs->cfg_writes[d]++;
	if ((r = cfg_write_locked(fs, d, (uint32_t)off, data, size)) < 0)
		return (void)fuse_reply_err(req, -r);
	fuse_reply_write(req, size);
}

static const struct fuse_lowlevel_ops ops = {
	.lookup = op_lookup,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readdir = op_readdir,
	.open = op_open,
	.read = op_read,
	.write = op_write,
};

/* ---- the transport ------------------------------------------------------------ */

/* Requests one at a time (config accesses are ordered, as on the bus);
 * a 100 ms poll so that stop() never waits on a blocked read. */
static void *serve(void *arg)
{
	struct pcifs *fs = arg;
	struct fuse_buf buf = { .mem = NULL };
	int fd = fuse_session_fd(fs->se);

	while (!fs->stop && !fuse_session_exited(fs->se)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, 100);

		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		n = fuse_session_receive_buf(fs->se, &buf);
		if (n == -EINTR || n == -EAGAIN)
			continue;
		if (n <= 0)
			break;   /* unmounted */
		fuse_session_process_buf(fs->se, &buf);
	}
	free(buf.mem);
	return NULL;
}

static void pcifs_stop(void *ctx)
{
	struct pcifs *fs = ctx;
	size_t i;

	if (!fs)
		return;
	fs->stop = 1;
	if (fs->running)
		pthread_join(fs->thread, NULL);
	if (fs->se) {
		if (fs->mounted)
			fuse_session_unmount(fs->se);
		fuse_session_destroy(fs->se);
	}
	if (fs->mnt[0])
		rmdir(fs->mnt);
	for (i = 0; i < fs->bus.ndev; i++)
		if (fs->bus.dev[i].free)
			fs->bus.dev[i].free(fs->bus.dev[i].ctx);
	free(fs);
}

/* Every part of device h on the bus. */
static int add_device(struct pcifs *fs, struct bf_sim_host *h)
{
	size_t i, first = fs->bus.ndev;
	int r;

	for (i = 0; i < sizeof(pci_providers) / sizeof(pci_providers[0]); i++)
		if ((r = pci_providers[i](h, &fs->bus)) < 0)
			return bf_error_get() ? r : bf_error_ret(-r, "bfsim: cannot make the PCI functions of sim:%u: %s",
								  h->index, strerror(-r));
	for (i = first; i < fs->bus.ndev; i++)
		fs->bus.dev[i].host = h;
	return 0;
}

/* The run's scratch directory is the parent of a device's. */
static int mount_point(struct pcifs *fs, const char *devdir)
{
	const char *slash = strrchr(devdir, '/');
	size_t len = slash ? (size_t)(slash - devdir) : 0;
	int r;

	if (!len || len + sizeof("/pci") > sizeof(fs->mnt))
		return bf_error_ret(ENAMETOOLONG, "bfsim: scratch directory path unusable: %s", devdir);
	memcpy(fs->mnt, devdir, len);
	memcpy(fs->mnt + len, "/pci", sizeof("/pci"));
	if (mkdir(fs->mnt, 0755) < 0) {
		r = errno;
		fs->mnt[0] = '\0';
		return bf_error_ret(r, "bfsim: cannot make the pci mount point: %s", strerror(r));
	}
	return 0;
}

static int pcifs_start(struct bf_sim_host *devs, unsigned n, void **ctx)
{
	char *argv[] = { "bfsim", "-o", "allow_other,fsname=bfsim-pci,subtype=bfsim", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, argv);
	struct pcifs *fs;
	size_t i;
	int r;

	*ctx = NULL;
	if (access("/dev/fuse", R_OK | W_OK) < 0)
		return bf_error_ret(errno, "bfsim: the pci transport needs /dev/fuse: %s", strerror(errno));
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	*ctx = fs;
	fs->t0 = time(NULL);
	for (i = 0; i < n; i++)
		if ((r = add_device(fs, &devs[i])) < 0)
			return r;
	if ((r = mount_point(fs, devs[0].dir)) < 0)
		return r;
	fs->se = fuse_session_new(&args, &ops, sizeof(ops), fs);
	fuse_opt_free_args(&args);
	if (!fs->se)
		return bf_error_ret(EIO, "bfsim: cannot start the FUSE session for the pci transport");
	if (fuse_session_mount(fs->se, fs->mnt) != 0)
		return bf_error_ret(EIO, "bfsim: cannot mount the simulated PCI functions on %s "
				    "(FUSE needs /dev/fuse and CAP_SYS_ADMIN)", fs->mnt);
	fs->mounted = true;
	if ((r = pthread_create(&fs->thread, NULL, serve, fs)) != 0)
		return bf_error_ret(r, "bfsim: cannot start the pci transport thread: %s", strerror(r));
	fs->running = true;
	for (i = 0; i < fs->bus.ndev; i++)
		bf_info("bfsim: PCI function %s (sim:%u) served on %s/devices", fs->bus.dev[i].bdf,
			fs->bus.dev[i].host->index, fs->mnt);
	return 0;
}

/* In COMMAND's mount namespace: the simulated functions, and only they,
 * are /sys/bus/pci/devices. */
/* With --transport usb too, COMMAND runs under the umockdev preload,
 * which shows it the testbed's /sys: the PCI functions go there as well. */
static int umockdev_too(const char *src)
{
	const char *tb = getenv("UMOCKDEV_DIR");
	char dst[PATH_MAX], part[PATH_MAX];
	size_t i;

	if (!tb || !*tb)
		return 0;
	if ((size_t)snprintf(dst, sizeof(dst), "%s%s", tb, PCI_SYSFS_DEVICES) >= sizeof(dst))
		return bf_error_ret(ENAMETOOLONG, "bfsim: testbed path too long");
	for (i = strlen(tb) + 1; dst[i]; i++) {
		if (dst[i] != '/')
			continue;
		snprintf(part, sizeof(part), "%.*s", (int)i, dst);
		if (mkdir(part, 0755) < 0 && errno != EEXIST)
			return bf_error_ret(errno, "bfsim: cannot make %s: %s", part, strerror(errno));
	}
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		return bf_error_ret(errno, "bfsim: cannot make %s: %s", dst, strerror(errno));
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return bf_error_ret(errno, "bfsim: cannot bind %s over %s: %s", src, dst, strerror(errno));
	return 0;
}

static int pcifs_enter(void *ctx)
{
	struct pcifs *fs = ctx;
	char src[PATH_MAX + 16];
	struct stat st;

	snprintf(src, sizeof(src), "%s/devices", fs->mnt);
	if (stat(PCI_SYSFS_DEVICES, &st) < 0 || !S_ISDIR(st.st_mode))
		return bf_error_ret(ENOENT, "bfsim: no %s to mount the simulated PCI functions on", PCI_SYSFS_DEVICES);
	if (mount(src, PCI_SYSFS_DEVICES, NULL, MS_BIND, NULL) < 0)
		return bf_error_ret(errno, "bfsim: cannot bind %s over %s: %s", src, PCI_SYSFS_DEVICES,
				    strerror(errno));
	return umockdev_too(src);
}

const struct bf_sim_transport bf_sim_transport_pci = {
	.name = "pci",
	.start = pcifs_start,
	.enter = pcifs_enter,
	.stop = pcifs_stop,
};
