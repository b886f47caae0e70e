/* provision_install.c - the install step of bfctl provision: the BFB with
 * the generated bf.cfg, pushed as bfctl install pushes it, then the RShim
 * log followed to "DPU is ready"; on the way, the DPU's host key
 * fingerprint published by the bf.cfg hook is read and pinned. */
#include "config.h"
#include "provision_int.h"
#include "bfb_file.h"
#include "bfb_info.h"
#include "bfb_platform.h"
#include "boot.h"
#include "bootlog.h"
#include "clock.h"
#include "error.h"
#include "rlog.h"
#include "rshim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_NS      200000000ull
#define MIN_POLL_NS  2000000ull

struct follow {
	struct bf_prov *p;
	enum bf_boot_mark done;
	char fp[BF_PROV_FP_MAX];
	char last_critical[256];
};

int bf_prov_bfb_version(struct bf_prov *p)
{
	struct bf_bfb_info info;
	const char *bsp = NULL, *doca = NULL;
	size_t i;
	int r;

	memset(&info, 0, sizeof(info));
	r = bf_bfb_info_read(p->o->bfb, &info);
	if (r < 0)
		return r;
	for (i = 0; i < info.ncomps; i++) {
		const char *n = info.comps[i].name;
		size_t l = strlen(n);

		if (l >= 3 && !strcmp(n + l - 3, "BSP"))
			bsp = info.comps[i].version;
		else if (!strcmp(n, "DOCA"))
			doca = info.comps[i].version;
	}
	if (bsp || doca)
		snprintf(p->bfb_version, sizeof(p->bfb_version), "BSP %.60s DOCA %.60s", bsp ? bsp : "-",
			 doca ? doca : "-");
	else
		snprintf(p->bfb_version, sizeof(p->bfb_version), "size %llu", (unsigned long long)info.size);
	/* Only printable ASCII: it goes into bf.cfg and back over SSH. */
	for (i = 0; p->bfb_version[i]; i++)
		if (p->bfb_version[i] < 0x20 || p->bfb_version[i] > 0x7e || p->bfb_version[i] == '\'')
			p->bfb_version[i] = '_';
	bf_bfb_info_free(&info);
	return 0;
}

static uint64_t poll_ns(const struct bf_rshim *r, uint64_t ns)
{
	double v = r->speed > 1 ? (double)ns / r->speed : (double)ns;

	return v < MIN_POLL_NS ? MIN_POLL_NS : (uint64_t)v;
}

static int follow_poll(void *ctx)
{
	struct follow *f = ctx;
	uint64_t words[BF_BOOTLOG_MAX_WORDS];
	static __thread struct bf_rlog_rec rec;
	unsigned n, pos = 0;
	int r;

	if (bf_prov_stopped(f->p))
		return -EINTR;
	r = bf_bootlog_read_words(f->p->r, words, BF_BOOTLOG_MAX_WORDS, &n, true);
	if (r < 0)
		return r;
	while (pos < n) {
		char line[BF_RLOG_LINE_MAX];
		struct bf_provision_event ev = { .kind = BF_PROV_EV_LOG };
		size_t used = bf_rlog_decode(words + pos, n - pos, &rec);
		enum bf_boot_mark m;

		if (used == 0)
			break;
		pos += (unsigned)used;
		if (rec.garbage)
			continue;
		bf_rlog_format(&rec, line, sizeof(line));
		ev.text = line;
		bf_prov_emit(f->p, &ev);
		if (!f->fp[0])
			bf_prov_fp_from_log(rec.text, f->fp, sizeof(f->fp));
		m = bf_bootlog_mark(line);
		if (m == BF_MARK_CRITICAL && !f->last_critical[0])
			snprintf(f->last_critical, sizeof(f->last_critical), "%.200s", line);
		if (!f->done && (m == BF_MARK_CRITICAL || m == BF_MARK_NO_OS || m == BF_MARK_READY ||
				 m == BF_MARK_NIC_MODE))
			f->done = m;
	}
	if (f->done == BF_MARK_CRITICAL)
		return -ECANCELED;
	return 0;
}

static int push(struct bf_prov *p, struct follow *f, const char *cfg)
{
	const char *paths[2] = { p->o->bfb, cfg };
	struct bf_deadline dl;
	struct bf_boot_opts o = {
		.stall_timeout_s = BF_BOOT_TIMEOUT_DEFAULT,
		.deadline = &dl,
		.poll = follow_poll,
		.poll_ctx = f,
		.poll_ms = (unsigned)(poll_ns(p->r, 100000000ull) / 1000000ull),
	};
	const char *dev = p->o->device;
	uint64_t pushed = 0, old[BF_BOOTLOG_MAX_WORDS];
	unsigned n;
	int r;

	bf_deadline_set(&dl, bf_prov_left(p), "installing");
	/* What the ring holds is from before this install. */
	bf_bootlog_read_words(p->r, old, BF_BOOTLOG_MAX_WORDS, &n, true);
	bf_error_clear();
	/* A device that just rebooted may still be coming back (rshimd
	 * reconnecting): a few tries, each said. */
	for (n = 1; (r = bf_boot_reset(p->r)) < 0 && n < 4 &&
		    (r == -ECONNABORTED || r == -ENODEV || r == -EAGAIN || r == -EBUSY); n++) {
		bf_prov_info(p, "reset into RShim boot failed (%s): try %u of 3 in 2 s", bf_error_str(r), n + 1);
		bf_clock_sleep_ns(2000000000ull);
	}
	if (r < 0)
		return bf_prov_fail(p, BF_EXIT_DEVICE, r, "check the device with 'bfctl list'",
				    "%s: cannot reset into RShim boot: %s", dev, bf_error_get() ? bf_error_get() : strerror(-r));
	bf_prov_info(p, "pushing %s + bf.cfg", p->o->bfb);
	r = bf_boot_push_files(p->r, paths, 2, &o, &pushed);
	if (r == -ECANCELED)
		return 0;   /* CRITICAL ERROR: the follower has it */
	if (r == -EINTR)
		return bf_prov_fail(p, BF_EXIT_INTERRUPTED, r, "the DPU waits for a new push", "%s: install stopped", dev);
	if (r == -ETIMEDOUT)
		return bf_prov_fail(p, BF_EXIT_TIMEOUT, r, "check the log with 'bfctl log' and retry",
				    "%s: the DPU did not accept the stream", dev);
	if (r < 0)
		return bf_prov_fail(p, pushed ? BF_EXIT_PUSH : BF_EXIT_DEVICE, r, "check the connection and run provision again",
				    "%s: push failed after %llu bytes: %s", dev, (unsigned long long)pushed,
				    bf_error_get() ? bf_error_get() : strerror(-r));
	if ((r = bf_boot_finish(p->r)) < 0)
		return bf_prov_fail(p, BF_EXIT_PUSH, r, NULL, "%s: cannot end the push", dev);
	bf_prov_info(p, "%llu bytes pushed", (unsigned long long)pushed);
	return 0;
}

int bf_prov_install(struct bf_prov *p, const struct bf_profile *prof)
{
	struct follow f = { .p = p };
	const char *dev = p->o->device;
	char cfg[4200], note[200];
	int r;

	if ((r = bf_prov_bfcfg_write(p, prof, cfg, sizeof(cfg))) != 0)
		return r;
	r = bf_bfb_platform_check_file(p->o->bfb, p->r->chip->ver, "", note, sizeof(note));
	if (r == -EXDEV && !p->o->force_platform)
		return bf_prov_fail(p, BF_EXIT_INPUT, r, "use the bundle for this platform; nothing was pushed",
				    "%s: %s does not fit: %s", dev, p->o->bfb, bf_error_get() ? bf_error_get() : "");
	if (r < 0 && r != -EXDEV)
		return bf_prov_fail(p, BF_EXIT_INPUT, r, "nothing was pushed", "%s: cannot read %s", dev, p->o->bfb);
	bf_error_clear();
	if ((r = push(p, &f, cfg)) != 0)
		return r;
	while (!f.done) {
		if ((r = follow_poll(&f)) < 0 && r != -ECANCELED) {
			if (r == -EINTR)
				return bf_prov_fail(p, BF_EXIT_INTERRUPTED, r, NULL, "%s: stopped watching the install", dev);
			return bf_prov_fail(p, BF_EXIT_DEVICE, r, NULL, "%s: reading the boot status: %s", dev,
					    bf_error_get() ? bf_error_get() : strerror(-r));
		}
		if (f.done)
			break;
		if (bf_prov_left(p) <= 0)
			return bf_prov_fail(p, BF_EXIT_TIMEOUT, -ETIMEDOUT, "check the console ('bfctl console') or raise --timeout",
					    "%s: deadline passed while installing", dev);
		bf_clock_sleep_ns(poll_ns(p->r, POLL_NS));
	}
	if (f.done == BF_MARK_CRITICAL)
		return bf_prov_fail(p, BF_EXIT_BOOT, -EIO, "see the log; the DPU did not install",
				    "%s: the device reported:%s", dev, f.last_critical);
	if (f.done != BF_MARK_READY)
		return bf_prov_fail(p, BF_EXIT_BOOT, -ENOENT, "provision needs a DPU-mode BlueField and a bundle with an OS",
				    "%s: the install ended without an OS (%s)", dev, bf_bootlog_mark_name(f.done));
	if (!f.fp[0])
		return bf_prov_fail(p, BF_EXIT_BOOT, -ENOKEY,
				    "the bundle's installer did not run the bf.cfg hooks (bfb_modify_os, bfb_post_install) or has no bfrshlog; nothing was trusted",
				    "%s: the DPU published no SSH host key fingerprint on the RShim log", dev);
	if ((r = bf_prov_pin_save(p, f.fp)) < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: cannot store the pinned host key in %s", dev, p->state_dir);
	bf_prov_info(p, "pinned the DPU's SSH host key %s (from the RShim log)", f.fp);
	return 0;
}
