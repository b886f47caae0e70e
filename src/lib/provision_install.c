/* provision_install.c - the install step of bfctl provision: the BFB with
 * the generated bf.cfg, through the shared install flow (install.h: reset,
 * push, the RShim log followed to "DPU is ready"), its log lines passed on
 * as events; on the way, the DPU's host key fingerprint published by the
 * bf.cfg hook is read and pinned. */
#include "config.h"
#include "provision_int.h"
#include "bfb_file.h"
#include "bfb_info.h"
#include "bfb_platform.h"
#include "boot.h"
#include "bootlog.h"
#include "error.h"
#include "install.h"
#include "rshim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct follow {
	struct bf_prov *p;
	char fp[BF_PROV_FP_MAX];
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

/* Each RShim log line: an event, and the host key fingerprint when it is
 * the one the bf.cfg hook published. */
static int follow_line(void *ctx, const char *text, const char *line)
{
	struct follow *f = ctx;
	struct bf_provision_event ev = { .kind = BF_PROV_EV_LOG, .text = line };

	bf_prov_emit(f->p, &ev);
	if (!f->fp[0])
		bf_prov_fp_from_log(text, f->fp, sizeof(f->fp));
	return bf_prov_stopped(f->p) ? -EINTR : 0;
}

/* The shared install flow (install.h): reset, push, the log to a verdict.
 * Its exit code; res filled. */
static int push(struct bf_prov *p, struct follow *f, const char *cfg, struct bf_install_result *res)
{
	const char *paths[2] = { p->o->bfb, cfg };
	struct bf_install_opts o = {
		.paths = paths,
		.npaths = 2,
		.extras = " + bf.cfg",
		.wait = BF_INSTALL_WAIT_READY,
		.timeout_s = bf_prov_left(p),
		.stall_s = BF_BOOT_TIMEOUT_DEFAULT,
		.ctx = f,
		.on_line = follow_line,
		.stop = p->o->stop,
		.reset_tries = 3,
	};

	f->fp[0] = '\0';
	bf_prov_info(p, "pushing %s + bf.cfg", p->o->bfb);
	return bf_install_run(p->r, &o, res);
}

static int install_err(int code)
{
	return code == BF_EXIT_INTERRUPTED ? -EINTR : code == BF_EXIT_TIMEOUT ? -ETIMEDOUT : -EIO;
}

int bf_prov_install(struct bf_prov *p, const struct bf_profile *prof)
{
	struct follow f = { .p = p };
	struct bf_install_result res;
	const char *dev = p->o->device;
	char cfg[4200], note[200];
	int r, code;

	if ((r = bf_prov_bfcfg_write(p, prof, cfg, sizeof(cfg))) != 0)
		return r;
	r = bf_bfb_platform_check_file(p->o->bfb, p->r->chip->ver, "", note, sizeof(note));
	if (r == -EXDEV && !p->o->force_platform)
		return bf_prov_fail(p, BF_EXIT_INPUT, r, "use the bundle for this platform; nothing was pushed",
				    "%s: %s does not fit: %s", dev, p->o->bfb, bf_error_or(""));
	if (r < 0 && r != -EXDEV)
		return bf_prov_fail(p, BF_EXIT_INPUT, r, "nothing was pushed", "%s: cannot read %s", dev, p->o->bfb);
	bf_error_clear();
	code = push(p, &f, cfg, &res);
	/* A no-OS verdict without the installer having run: the DPU booted
	 * from its eMMC without the stream (the host late after the reset).
	 * One more push. */
	if (code && res.stream_unused) {
		bf_prov_info(p, "the DPU booted from its eMMC without running the pushed installer (the host was late "
			     "after the reset): pushing again (try 2 of 2)");
		code = push(p, &f, cfg, &res);
	}
	if (code)
		return bf_prov_fail(p, code, install_err(code), res.hint[0] ? res.hint : NULL, "%s: %s", dev, res.message);
	bf_prov_info(p, "%llu bytes pushed", (unsigned long long)res.pushed);
	if (res.mark != BF_MARK_READY)
		return bf_prov_fail(p, BF_EXIT_BOOT, -ENOENT, "provision needs a DPU-mode BlueField and a bundle with an OS",
				    "%s: the install ended without an OS (%s)", dev, bf_bootlog_mark_name(res.mark));
	if (!f.fp[0])
		return bf_prov_fail(p, BF_EXIT_BOOT, -ENOKEY,
				    "the bundle's installer did not run the bf.cfg hooks (bfb_modify_os, bfb_post_install) or has no bfrshlog; nothing was trusted",
				    "%s: the DPU published no SSH host key fingerprint on the RShim log", dev);
	if ((r = bf_prov_pin_save(p, f.fp)) < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: cannot store the pinned host key in %s", dev, p->state_dir);
	bf_prov_info(p, "pinned the DPU's SSH host key %s (from the RShim log)", f.fp);
	return 0;
}
