/* boot.c - the boot model behind the boot FIFO. After a chip reset with
 * BOOT_CONTROL = 0 the boot ROM waits for the stream; the images are
 * consumed through the shared BFB parser (magic, version, header length,
 * CRC of every image): PSC (BF3), BL2R/BL2, BL31, UEFI (BL33), then the
 * images UEFI loads (capsule, boot-args for this chip's version: v0 on
 * BF2, v2 on BF3, boot-path, kernel, initramfs). The initramfs is read
 * with libarchive (gzip'd newc cpio, or whatever libarchive reads) for the
 * installer manifest `bfsim-installer.json`; the info image (id 50) gives
 * versions when there is no manifest (real bundles). Bytes after the last
 * image are the bf.cfg, up to an xz stream (a rootfs).
 *
 * A bad image stalls the boot: the stage that loads it logs an ERR line
 * and CRITICAL ERROR, and stops reading the FIFO; the host only sees the
 * FIFO stop, never an error code. Unknown images are skipped with a log
 * line. Memory is bounded whatever the bundle's size: the initramfs scan
 * keeps at most SIM_INITRD_SCAN bytes, the info image SIM_INFO_MAX.
 *
 * Firmware lines not documented publicly (doc/rshim.md, doc/bfcfg.md) are marked
 * [unverified] where they are logged. */
#include "config.h"
#include "sim_int.h"
#include "clock.h"
#include "error.h"
#include "secret.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MANIFEST_NAME "bfsim-installer.json"
#define NO_IMAGE_IDLE_S 2.0   /* UEFI waits this long for more images */

static bool is_psc(unsigned id)
{
	return id == 36 || id == 37 || id == 39 || id == 53;
}

/* Which stage loads (and so checks) an image. */
static unsigned loader(const struct bf_sim *s, unsigned id)
{
	bool bf3 = s->chip->ver == BF_CHIP_BF3;

	if (is_psc(id))
		return BF_RLOG_PSC;
	if (id == 30 || id == 31 || id == 42)
		return BF_RLOG_BL1;
	if (id == 1 || id == 6 || id == 43)
		return bf3 ? BF_RLOG_BL2R : BF_RLOG_BL1;
	if (id <= 40 && !s->saw_bl33)
		return BF_RLOG_BL2;
	return BF_RLOG_UEFI;
}

/* ---- the initramfs: libarchive over the bounded prefix ------------------ */

/* The prefix's buffer, its pages mapped at once: every page of it is
 * written (memcpy of the stream), and faulting them in one at a time was
 * most of the simulator's page faults when many devices install. */
static void initrd_alloc(struct bf_sim *s, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	s->initrd = p == MAP_FAILED ? NULL : p;
	s->initrd_cap = s->initrd ? size : 0;
	s->initrd_len = 0;
}

static void initrd_free(struct bf_sim *s)
{
	if (s->initrd)
		munmap(s->initrd, s->initrd_cap);
	s->initrd = NULL;
	s->initrd_cap = s->initrd_len = 0;
}

static void scan_initramfs(struct bf_sim *s)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *buf = NULL;

	if (!a)
		return;
	archive_read_support_filter_all(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, s->initrd, s->initrd_len) != ARCHIVE_OK)
		goto out;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		la_int64_t size = archive_entry_size(e);

		if (!name)
			continue;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		while (name[0] == '/')
			name++;
		if (!strcmp(name, "ubuntu/install.sh"))
			s->has_install_sh = true;
		else if (!strcmp(name, "ubuntu/image.tar.xz"))
			s->has_os_image = true;
		if (strcmp(name, MANIFEST_NAME) || s->manifest || size < 0 || size > SIM_MANIFEST_MAX)
			continue;
		buf = malloc((size_t)size + 1);
		if (buf && archive_read_data(a, buf, (size_t)size) == size) {
			buf[size] = '\0';
			s->manifest = json_tokener_parse(buf);
			if (s->manifest && !json_object_is_type(s->manifest, json_type_object)) {
				json_object_put(s->manifest);
				s->manifest = NULL;
			}
		}
		free(buf);
		buf = NULL;
	}
out:
	archive_read_free(a);
}

/* ---- parser callbacks --------------------------------------------------- */

struct feed_ctx {
	struct bf_sim *s;
	double t;
};

/* UEFI stops waiting for images and boots from eMMC. */
static void no_image(struct bf_sim *s, double t)
{
	bf_sim_schedule(s, t, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE,
			"no boot image from RShim: booting from eMMC");   /* [unverified] */
	bf_sim_os_boot(s, t);
}

static void stall(struct bf_sim *s, double t, unsigned mod)
{
	/* The stage stops reading the FIFO now; the log says why. */
	s->stream_error = true;
	s->stalled = true;
	bf_sim_schedule(s, t + 0.01, mod, BF_RLOG_ERR, ACT_STALL, "CRITICAL ERROR: boot halted");
}

static int on_begin(void *ctx, const struct bf_bfb_image *img)
{
	struct feed_ctx *f = ctx;
	struct bf_sim *s = f->s;
	unsigned id = img->hdr.id;

	if (!bf_bfb_id_find(id))
		bf_sim_schedule(s, f->t, loader(s, id), BF_RLOG_WARN, ACT_NONE,
				"skipping unknown image id %u (%u bytes)", id, img->hdr.len);   /* [unverified] */
	if (id == 63 && s->cfg.fault_emmc_boot && !s->emmc_fault_done && s->phase == PH_UEFI && !s->saw_initramfs) {
		/* Fault: UEFI gave up on the stream before its initramfs. */
		s->emmc_fault_done = true;
		no_image(s, f->t);
		return 1;   /* stop the parser; the phase now drains the rest unread */
	}
	if (id == 50) {
		free(s->info);
		s->info = img->hdr.len <= SIM_INFO_MAX ? malloc((size_t)img->hdr.len + 1) : NULL;
		s->info_len = 0;
	}
	if (id == 41 && !bf_sim_runtime_receiving(s)) {
		free(s->nicfw);
		s->nicfw = img->hdr.len <= SIM_NICFW_MAX ? malloc(img->hdr.len ? img->hdr.len : 1) : NULL;
		s->nicfw_len = 0;
	}
	if (id == 63 && !s->saw_initramfs && !bf_sim_runtime_receiving(s)) {
		initrd_free(s);
		initrd_alloc(s, img->hdr.len < SIM_INITRD_SCAN ? img->hdr.len + 1 : SIM_INITRD_SCAN);
	}
	if (s->phase == PH_BOOT_ROM && !is_psc(id))
		s->phase = PH_ATF;
	return 0;
}

static int on_data(void *ctx, const struct bf_bfb_image *img, const uint8_t *buf, size_t len)
{
	struct bf_sim *s = ((struct feed_ctx *)ctx)->s;

	if (img->hdr.id == 50 && s->info && s->info_len + len <= img->hdr.len) {
		memcpy(s->info + s->info_len, buf, len);
		s->info_len += len;
	} else if ((img->hdr.id == 41 || img->hdr.id == 52) && bf_sim_runtime_receiving(s)) {
		bf_sim_runtime_image(s, img->hdr.id, buf, len);
	} else if (img->hdr.id == 41 && s->nicfw && s->nicfw_len + len <= img->hdr.len) {
		memcpy(s->nicfw + s->nicfw_len, buf, len);
		s->nicfw_len += len;
	} else if (img->hdr.id == 63 && s->initrd && !s->saw_initramfs) {
		size_t room = s->initrd_cap - s->initrd_len;

		if (len > room)
			len = room;
		memcpy(s->initrd + s->initrd_len, buf, len);
		s->initrd_len += len;
	}
	return 0;
}

static void stage_line(struct bf_sim *s, double t, const struct bf_bfb_image *img)
{
	bool bf3 = s->chip->ver == BF_CHIP_BF3;

	/* Images UEFI loads are reported once UEFI is up. */
	if (s->saw_bl33 && t < s->uefi_t)
		t = s->uefi_t;
	switch (img->hdr.id) {
	case 37:
		bf_sim_schedule(s, t, BF_RLOG_PSC, BF_RLOG_INFO, ACT_NONE, "PSC FW loaded");   /* [unverified] */
		break;
	case 30:
		bf_sim_schedule(s, t, BF_RLOG_BL1, BF_RLOG_INFO, ACT_NONE, "BL2R loaded");     /* [unverified] */
		break;
	case 1:
		bf_sim_schedule(s, t, bf3 ? BF_RLOG_BL2R : BF_RLOG_BL1, BF_RLOG_INFO, ACT_NONE,
				"BL2 loaded");                                                  /* [unverified] */
		break;
	case 3:
		bf_sim_schedule(s, t, BF_RLOG_BL2, BF_RLOG_INFO, ACT_NONE, "BL31 loaded");     /* [unverified] */
		break;
	case 5:
		if (s->saw_bl33)
			break;
		s->saw_bl33 = true;
		s->phase = PH_UEFI;
		s->uefi_t = t + 0.5;
		/* spec bfcfg-install.md 4 (seed, DOCA 2.7 BF3) */
		bf_sim_schedule(s, t, BF_RLOG_BL2, BF_RLOG_INFO, ACT_NONE, "UEFI loaded");
		bf_sim_schedule(s, t + 0.2, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "eMMC init");
		bf_sim_schedule(s, t + 0.4, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "eMMC probed");
		break;
	case 52:
		bf_sim_schedule(s, t, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "capsule image loaded");   /* [unverified] */
		break;
	case 59:
		if (img->hdr.cur_ver < 8)
			s->bootargs_vers |= 1u << img->hdr.cur_ver;
		break;
	case 62:
		bf_sim_schedule(s, t, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "kernel image loaded");    /* [unverified] */
		break;
	}
}

static int on_end(void *ctx, const struct bf_bfb_image *img)
{
	struct feed_ctx *f = ctx;
	struct bf_sim *s = f->s;
	unsigned id = img->hdr.id, mod = loader(s, id);

	if (!img->crc_ok && bf_sim_runtime_receiving(s)) {
		bf_sim_runtime_bad_image(s, "an image failed its CRC");
		return 1;
	}
	if (!img->crc_ok) {
		const struct bf_bfb_id *e = bf_bfb_id_find(id);

		bf_sim_schedule(s, f->t, mod, BF_RLOG_ERR, ACT_NONE,
				"%s image (id %u) CRC error: 0x%08x expected, 0x%08x computed",   /* [unverified] */
				e ? e->name : "unknown", id, img->hdr.crc, img->crc_calc);
		stall(s, f->t, mod);
		return 1;   /* stop the parser: nothing more is read */
	}
	if (id == 50 && s->info) {
		s->info[s->info_len] = '\0';
		json_object_put(s->info_json);
		s->info_json = json_tokener_parse(s->info);
		if (s->info_json && !json_object_is_type(s->info_json, json_type_object)) {
			json_object_put(s->info_json);
			s->info_json = NULL;
		}
	}
	if (bf_sim_runtime_receiving(s))
		return 0;   /* the running OS reads the images: no boot stages */
	stage_line(s, f->t, img);
	if (s->saw_bl33 && f->t < s->uefi_t)
		f->t = s->uefi_t;
	if (id == 63 && !s->saw_initramfs) {
		unsigned want = s->chip->ver == BF_CHIP_BF3 ? 2 : 0;

		s->saw_initramfs = true;
		s->phase = PH_WAIT_CFG;
		if (s->initrd)
			scan_initramfs(s);
		initrd_free(s);
		if (s->bootargs_vers && !(s->bootargs_vers & (1u << want)))
			bf_sim_schedule(s, f->t, BF_RLOG_UEFI, BF_RLOG_WARN, ACT_NONE,
					"no boot-args-v%u for this chip: using the built-in arguments", want); /* [unverified] */
		if (!s->manifest)
			bf_sim_schedule(s, f->t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE,   /* bfsim's own */
					"no %s in the initramfs: versions from the info image", MANIFEST_NAME);
	}
	return 0;
}

static int on_trailing(void *ctx, uint64_t off, const uint8_t *buf, size_t len)
{
	struct bf_sim *s = ((struct feed_ctx *)ctx)->s;
	size_t k;

	(void)off;
	s->trailing += len;
	if (s->rootfs || bf_sim_runtime_receiving(s))
		return 0;
	if (!s->bfcfg)
		s->bfcfg = calloc(1, SIM_CFG_MAX + 1);
	if (!s->bfcfg)
		return 0;
	/* The installer strips NUL bytes (the FIFO pads the last word). */
	for (k = 0; k < len && s->bfcfg_len < SIM_CFG_MAX; k++)
		if (buf[k] != '\0')
			s->bfcfg[s->bfcfg_len++] = (char)buf[k];
	/* An xz stream (a rootfs, bfb-install -f) ends the bf.cfg; one right
	 * at the start ("7zXZ" at offset 1) means there is no bf.cfg. */
	if (s->bfcfg_len >= 5) {
		char *x = memmem(s->bfcfg, s->bfcfg_len, "\xfd" "7zXZ", 5);

		if (x) {
			s->bfcfg_len = (size_t)(x - s->bfcfg);
			s->rootfs = true;
		}
	}
	s->bfcfg[s->bfcfg_len] = '\0';
	return 0;
}

static const struct bf_bfb_parser_ops sim_ops = {
	.image_begin = on_begin,
	.image_data = on_data,
	.image_end = on_end,
	.trailing = on_trailing,
};

static void free_buffers(struct bf_sim *s)
{
	/* bf.cfg may carry passwords (BMC_PASSWORD). */
	if (s->bfcfg)
		bf_secret_wipe(s->bfcfg, s->bfcfg_len);
	free(s->bfcfg);
	free(s->info);
	free(s->nicfw);
	initrd_free(s);
	json_object_put(s->manifest);
	json_object_put(s->info_json);
	s->bfcfg = s->info = NULL;
	s->nicfw = NULL;
	s->nicfw_len = 0;
	s->manifest = s->info_json = NULL;
	s->bfcfg_len = s->info_len = s->initrd_len = 0;
}

void bf_sim_stream_reset(struct bf_sim *s)
{
	free_buffers(s);
	bf_bfb_parser_init(&s->parser, &sim_ops, NULL, BF_BFB_KEEP_GOING_ON_CRC);
	s->stream_error = false;
	s->saw_bl33 = s->saw_initramfs = false;
	s->has_install_sh = s->has_os_image = false;
	s->bootargs_vers = 0;
	s->rootfs = false;
	s->trailing = 0;
}

void bf_sim_stream_free(struct bf_sim *s)
{
	free_buffers(s);
}

void bf_sim_stream_feed(struct bf_sim *s, const uint8_t *buf, size_t len, double t)
{
	struct feed_ctx f = { .s = s, .t = t };
	int r;

	if (s->stream_error || s->phase == PH_STALLED)
		return;
	if (s->phase != PH_BOOT_ROM && s->phase != PH_ATF && s->phase != PH_UEFI &&
	    s->phase != PH_WAIT_CFG && !bf_sim_runtime_receiving(s))
		return;   /* nobody reads the FIFO now: data sits there, drained and lost */
	s->parser.ctx = &f;
	r = bf_bfb_parser_feed(&s->parser, buf, len);
	s->parser.ctx = NULL;
	if (r >= 0 || s->stream_error)
		return;
	if (bf_sim_runtime_receiving(s)) {
		s->stream_error = true;
		bf_sim_runtime_bad_image(s, "bad image header");
		return;
	}
	/* A bad header (magic, version, header length) where an image must be. */
	{
		unsigned mod = s->saw_bl33 ? BF_RLOG_UEFI : s->parser.nimages ? BF_RLOG_BL2 :
			       s->chip->ver == BF_CHIP_BF3 ? BF_RLOG_PSC : BF_RLOG_BL1;

		bf_sim_schedule(s, t, mod, BF_RLOG_ERR, ACT_NONE,
				"bad image header at offset %llu",   /* [unverified] */
				(unsigned long long)s->parser.err_offset);
		stall(s, t, mod);
	}
}

/* No data for sim_s simulated seconds. A run faster than real time (the
 * --speed of tests) turns a few milliseconds of host scheduling into
 * seconds of device time, so it also takes min(sim_s, real_min_s) of
 * real time: a busy host is not taken for one that stopped sending.
 * At speed 1, as on hardware, that changes nothing; a virtual clock is
 * exact and needs no floor. */
static bool idle_for(const struct bf_sim *s, double now, double sim_s, double real_min_s)
{
	double floor_s = sim_s < real_min_s ? sim_s : real_min_s;

	if (now - s->last_data_t < sim_s)
		return false;
	if (s->cfg.virtual_clock || s->cfg.virtual_access_ns)
		return true;
	return (double)(bf_clock_ns() - s->last_data_ns) / 1e9 >= floor_s;
}

/* The installer reads the FIFO until it stays empty for 500 ms. Without an
 * initramfs, UEFI gives up waiting for images and boots from eMMC. */
void bf_sim_stream_idle(struct bf_sim *s, double now)
{
	if (s->fifo_len)
		return;
	/* UEFI that came over the boot stream waits for the rest of it: a
	 * host in the middle of a push, descheduled on a loaded machine (a
	 * USB push crosses two processes per transfer), is given the whole
	 * wait in real time too, as at speed 1 (half a second was missed
	 * under a load of 10 on two cores). */
	double uefi_real_s = s->saw_bl33 && s->cfg.idle_real_min_s > 0 ? NO_IMAGE_IDLE_S : s->cfg.idle_real_min_s;

	if (bf_sim_runtime_receiving(s)) {
		if (idle_for(s, now, SIM_CFG_IDLE_S, s->cfg.idle_real_min_s))
			bf_sim_runtime_idle(s, now);
		return;
	}
	if (s->phase == PH_WAIT_CFG && idle_for(s, now, SIM_CFG_IDLE_S, s->cfg.idle_real_min_s)) {
		bf_sim_installer_start(s, now);
	} else if (s->phase == PH_UEFI && !s->saw_initramfs && idle_for(s, now, NO_IMAGE_IDLE_S, uefi_real_s)) {
		no_image(s, now);
	}
}
