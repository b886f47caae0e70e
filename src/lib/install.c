/* install.c - one install on an open device: platform check, reset into
 * RShim boot, push, boot status to a verdict (install.h). */
#include "config.h"
#include "install.h"
#include "bfb_platform.h"
#include "boot.h"
#include "clock.h"
#include "error.h"
#include "event.h"
#include "fw/dev.h"
#include "fw/layout.h"
#include "log.h"
#include "print.h"
#include "rlog.h"
#include "statusview.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define WAIT_POLL_NS      200000000ull   /* log polling after the push */
#define PUSH_POLL_MS      100            /* log polling during the push */
#define MIN_POLL_NS       2000000ull     /* however fast a simulated device runs */

/* A poll interval in device time, in real time for this device: a
 * simulated device running N times faster is polled N times more often,
 * so that its 127-word log ring is read as often as hardware's. */
static uint64_t poll_ns(const struct bf_rshim *r, uint64_t ns)
{
	double v = r->speed > 1 ? (double)ns / r->speed : (double)ns;

	return v < MIN_POLL_NS ? MIN_POLL_NS : (uint64_t)v;
}

/* The outcome: "head: reason" (the recorded sentence, else the errno's
 * words; none with err 0) and the hint. Returns code. */
static int fail(struct bf_install_result *res, int code, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(struct bf_install_result *res, int code, int err, const char *hint, const char *fmt, ...)
{
	const char *why = err ? bf_error_get() : NULL;
	char head[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	if (!why && err)
		why = err == -EINTR ? "interrupted" : err == -ECANCELED ? "cancelled" : strerror(-err);
	snprintf(res->message, sizeof(res->message), "%s%s%s", head, why ? ": " : "", why ? why : "");
	snprintf(res->hint, sizeof(res->hint), "%s", hint ? hint : "");
	res->exit_code = code;
	return code;
}

static bool mark_completes(enum bf_boot_mark m, enum bf_install_wait w)
{
	switch (m) {
	case BF_MARK_NIC_MODE:
	case BF_MARK_RUNTIME_DONE:
	case BF_MARK_READY:
		return true;
	case BF_MARK_LINUX_UP:
		return w != BF_INSTALL_WAIT_READY;
	case BF_MARK_REBOOTING:
		return w == BF_INSTALL_WAIT_REBOOT;
	default:
		return false;
	}
}

struct install {
	struct bf_statusview sv;
	enum bf_install_wait wait;
	enum bf_boot_mark done;      /* the completing mark, once seen */
	const char *extras;          /* " + bf.cfg", " + rootfs", ... */
	const struct bf_install_opts *o;
	bool pushed;                 /* the device has the whole stream */
	bool early;                  /* the verdict came before that */
	bool rebooted;               /* "Rebooting...": the installer ran */
	double quiet_s;              /* watch_only: the longest quiet log (device s) */
};

static int on_mark(void *ctx, enum bf_boot_mark m, const char *line)
{
	struct install *in = ctx;

	/* A DPU with no OS to boot never prints what is awaited: that is the
	 * verdict, not a wait for the deadline. */
	/* The first verdict stands: lines read in one poll come in order
	 * ("Rebooting..." before the no-OS line that follows the reboot). */
	if (m == BF_MARK_REBOOTING)
		in->rebooted = true;
	if (!in->done && (m == BF_MARK_CRITICAL || m == BF_MARK_NO_OS || mark_completes(m, in->wait))) {
		in->done = m;
		in->early = !in->pushed;
	}
	(void)line;
	return 0;
}

static int on_line(void *ctx, const struct bf_rlog_rec *rec, const char *line)
{
	struct install *in = ctx;

	return in->o->on_line(in->o->ctx, rec->text, line);
}

static bool stopped(const struct install *in)
{
	return bf_stop_requested() || (in->o->stop && *in->o->stop);
}

static int push_poll(void *ctx)
{
	struct install *in = ctx;
	int r = stopped(in) ? -EINTR : bf_statusview_poll(&in->sv);

	/* The device gave up on the stream: stop pushing, report its error. */
	if (r == 0 && in->done == BF_MARK_CRITICAL)
		return -ECANCELED;
	return r;
}

/* The PSID of the device's NIC when this transport reaches it: sim:N is
 * the simulated NIC itself, pcie:D:B:D.F the function 0 beside the RShim
 * function. "" otherwise (over USB the host has no path to the NIC). */
void bf_install_nic_psid(const char *dev, char *psid, size_t cap)
{
	struct bf_fw_mgir m;
	struct bf_fw_dev *d;
	char nic[96];
	size_t n;

	psid[0] = '\0';
	if (!strncmp(dev, "sim:", 4)) {
		snprintf(nic, sizeof(nic), "%s", dev);
	} else if (!strncmp(dev, "pcie:", 5) && (n = strlen(dev)) > 7 && n < sizeof(nic) + 5 &&
		   dev[n - 2] == '.') {
		snprintf(nic, sizeof(nic), "%s", dev + 5);
		nic[strlen(nic) - 1] = '0';
	} else {
		return;
	}
	if (bf_fw_dev_open_flags(nic, BF_FW_OPEN_REGS_ONLY, &d) == 0) {
		/* MGIR alone: neither the rest of a query nor the component
		 * list is needed here. */
		if (bf_fw_dev_mgir(d, &m) == 0) {
			size_t i;

			for (i = 0; i < sizeof(m.psid) && m.psid[i] && i + 1 < cap; i++)
				psid[i] = m.psid[i] >= 0x20 && m.psid[i] < 0x7f ? (char)m.psid[i] : '?';
			psid[i] = '\0';
		}
		bf_fw_dev_close(d);
	}
	bf_error_clear();
}

/* The platform check's outcome (ret from bf_bfb_platform_check*). */
static int platform_verdict(int ret, const char *note, const char *bfb, struct bf_rshim *r, bool force,
			    struct bf_install_result *res)
{
	if (ret < 0 && ret != -EXDEV)
		return fail(res, BF_EXIT_INPUT, ret, "nothing was pushed", "cannot read %s", bfb);
	if (note[0])
		bf_info("%s: %s", bfb, note);
	if (ret == -EXDEV && force) {
		bf_warn("%s: %s; installing anyway (--force-platform)", bfb, bf_error_get());
		bf_error_clear();
		return 0;
	}
	if (ret < 0)
		return fail(res, BF_EXIT_INPUT, ret,
			    "nothing was pushed; use the bundle for this platform (--force-platform overrides)",
			    "%s does not fit %s", bfb, r->name);
	return 0;
}

int bf_install_platform(const char *bfb, struct bf_rshim *r, const char *psid, bool force,
			struct bf_install_result *res)
{
	char note[200];
	int ret = bf_bfb_platform_check_file(bfb, r->chip->ver, psid, note, sizeof(note));

	return platform_verdict(ret, note, bfb, r, force, res);
}

int bf_install_platform_comps(const struct bf_bfb_component *comps, size_t n, const char *bfb,
			      struct bf_rshim *r, const char *psid, bool force, struct bf_install_result *res)
{
	char note[200];
	int ret = bf_bfb_platform_check(comps, n, r->chip->ver, psid, note, sizeof(note));

	return platform_verdict(ret, note, bfb, r, force, res);
}

/* What the log ring holds now is from before this install (a previous
 * boot's "DPU is ready" or CRITICAL ERROR): it must not end this one. */
static void clear_old_log(struct bf_rshim *r)
{
	uint64_t old[BF_BOOTLOG_MAX_WORDS];
	unsigned n = 0;

	if (bf_bootlog_read_words(r, old, BF_BOOTLOG_MAX_WORDS, &n, true) == 0 && n)
		bf_info("%s: %u log words from before this install cleared", r->name, n);
	bf_error_clear();
}

/* Into RShim boot. A device that just rebooted may still be coming back
 * (rshimd reconnecting): the caller's tries, each said. */
static int reset_into_boot(struct bf_rshim *r, const struct install *in, struct bf_install_result *res)
{
	unsigned tries;
	int ret;

	for (tries = 1; (ret = bf_boot_reset(r)) < 0 && tries < in->o->reset_tries &&
		    (ret == -ECONNABORTED || ret == -ENODEV || ret == -EAGAIN || ret == -EBUSY); tries++) {
		bf_info("%s: reset into RShim boot failed (%s): try %u of %u in 2 s", r->name,
			bf_error_str(ret), tries + 1, in->o->reset_tries);
		bf_error_clear();
		bf_clock_sleep_ns(2000000000ull);
	}
	if (ret < 0)
		return fail(res, BF_EXIT_DEVICE, ret, "check the device with 'bfctl list'",
			    "cannot reset %s into RShim boot", r->name);
	return 0;
}

/* A failed push as the command reports it. */
static int push_failed(int ret, uint64_t pushed, struct bf_install_result *res)
{
	if (ret == -EINTR)
		return fail(res, BF_EXIT_INTERRUPTED, ret, "the DPU waits for a new push", "install stopped");
	if (ret == -ETIMEDOUT)
		return fail(res, BF_EXIT_TIMEOUT, ret,
			    "the DPU did not accept the stream: check the log with 'bfctl log' and retry",
			    "install stopped");
	/* Refused before a byte went (drop mode, another pusher, locked):
	 * the device is not accessible, nothing was pushed. */
	if (pushed == 0 && (ret == -EACCES || ret == -EBUSY || ret == -EPERM))
		return fail(res, BF_EXIT_DEVICE, ret, NULL, "push refused");
	if (ret == -ESTALE)
		return fail(res, BF_EXIT_PUSH, ret,
			    "leave the files unchanged while they are pushed and run the install again",
			    "push failed");
	return fail(res, BF_EXIT_PUSH, ret, "check the connection and run the install again", "push failed");
}

static int critical(const struct install *in, const struct bf_rshim *r, struct bf_install_result *res)
{
	bf_event_progress_clear();
	bf_error_clear();
	bf_error_set("the device reported:%s", in->sv.last_critical);
	return fail(res, BF_EXIT_BOOT, -EIO, "see the log above; the DPU did not install", "install on %s",
		    r->name);
}

/* The stream, then the end of the push: 0, the command's exit code, or
 * PUSH_CRITICAL when the device reported a critical error during it. */
#define PUSH_CRITICAL (-1)

static int push_stream(struct bf_rshim *r, const char *const *paths, size_t npaths, struct install *in,
		       const struct bf_deadline *deadline, double stall_s, struct bf_install_result *res)
{
	struct bf_boot_opts o = {
		.stall_timeout_s = stall_s,
		.deadline = deadline,
		.poll = push_poll,
		.poll_ctx = in,
		.poll_ms = (unsigned)(poll_ns(r, PUSH_POLL_MS * 1000000ull) / 1000000ull),
		.progress = !in->o->on_line,
	};
	uint64_t pushed = 0;
	int ret;

	if (in->o->on_phase)
		in->o->on_phase(in->o->ctx, "push");
	if (!in->o->on_line)
		bf_print_line("Pushing %s%s", paths[0], in->extras);
	ret = bf_boot_push_files(r, paths, npaths, &o, &pushed);
	if (ret == -ECANCELED)
		return PUSH_CRITICAL;
	if (ret < 0)
		return push_failed(ret, pushed, res);
	res->pushed = pushed;
	if ((ret = bf_boot_finish(r)) < 0)
		return fail(res, BF_EXIT_PUSH, ret, NULL, "cannot end the push on %s", r->name);
	res->pushed_all = in->pushed = true;
	bf_info("%s: %llu bytes pushed", r->name, (unsigned long long)pushed);
	return 0;
}

/* Watching a boot an earlier run pushed: the log has said nothing for
 * the quiet bound, so its verdict (if any) is lost. */
static int quiet_too_long(const struct bf_rshim *r, const struct install *in, struct bf_install_result *res)
{
	bf_error_clear();
	bf_error_set("no verdict, and its log has said nothing for %.0f s", in->quiet_s);
	res->inconclusive = true;
	return fail(res, BF_EXIT_TIMEOUT, -ETIMEDOUT, "install it again", "watching the boot of %s", r->name);
}

/* The boot status until a completion mark, the deadline or a stop. */
static int watch_boot(struct bf_rshim *r, struct install *in, const struct bf_deadline *deadline,
		      struct bf_install_result *res)
{
	uint64_t lines = in->sv.lines, quiet_since = bf_clock_ns();
	int ret;

	if (in->o->on_phase)
		in->o->on_phase(in->o->ctx, "boot");
	if (!in->o->on_line)
		bf_print_line("Collecting BlueField booting status. Press Ctrl+C to stop...");
	while (!in->done) {
		ret = bf_statusview_poll(&in->sv);
		if (ret < 0 && ret != -EINTR)
			return fail(res, BF_EXIT_DEVICE, ret, NULL, "reading the boot status of %s", r->name);
		if (in->done)
			break;
		if (ret == -EINTR || stopped(in))
			return fail(res, BF_EXIT_INTERRUPTED, -EINTR, NULL,
				    "stopped watching %s (the install goes on)", r->name);
		if (bf_deadline_passed(deadline)) {
			bf_error_clear();
			if (in->sv.last_error[0])
				bf_error_set("deadline passed while %s; the last error logged was:%s",
					     deadline->reason, in->sv.last_error);
			else
				bf_error_set("deadline passed while %s", deadline->reason);
			return fail(res, BF_EXIT_TIMEOUT, -ETIMEDOUT,
				    "check the console ('bfctl console') or raise --timeout",
				    "install on %s", r->name);
		}
		if (in->sv.lines != lines)
			quiet_since = bf_clock_ns();
		else if (in->quiet_s > 0 && bf_clock_ns() - quiet_since > poll_ns(r, (uint64_t)(in->quiet_s * 1e9)))
			return quiet_too_long(r, in, res);
		/* A device that is logging is read again at once (its ring
		 * holds 127 words), an idle one at the polling interval. */
		bf_clock_sleep_ns(in->sv.lines != lines ? MIN_POLL_NS : poll_ns(r, WAIT_POLL_NS));
		lines = in->sv.lines;
	}
	return 0;
}

/* The mark that ended the install, as the command's verdict. */
static int verdict(const struct install *in, const struct bf_rshim *r, struct bf_install_result *res)
{
	if (in->done == BF_MARK_CRITICAL)
		return critical(in, r, res);
	if (in->done == BF_MARK_NO_OS && (in->early || !in->rebooted)) {
		bf_error_clear();
		bf_error_set("the DPU booted from its eMMC without running the pushed installer and found no OS");
		return fail(res, BF_EXIT_BOOT, -ENOENT,
			    "install again: the stream came too late for the DPU after the reset (a loaded host)",
			    "install on %s (verdict: no-os)", r->name);
	}
	if (in->done == BF_MARK_NO_OS) {
		bf_error_clear();
		bf_error_set("the installer ended and the DPU found no OS to boot on its eMMC");
		return fail(res, BF_EXIT_BOOT, -ENOENT,
			    "install a bundle with an OS and UPDATE_DPU_OS=yes (a bf.cfg with UPDATE_DPU_OS=no or a firmware-only bundle installs none)",
			    "install on %s (verdict: no-os)", r->name);
	}
	if (in->sv.garbage)
		bf_info("%s: %llu malformed log records skipped", r->name,
			(unsigned long long)in->sv.garbage);
	if (!in->o->on_line)
		bf_print_line("%s: install complete (%s)", r->name, bf_bootlog_mark_name(in->done));
	res->exit_code = 0;
	return 0;
}

static int do_install(struct bf_rshim *r, const char *const *paths, size_t npaths,
		      struct install *in, const struct bf_deadline *deadline, double stall_s,
		      struct bf_install_result *res)
{
	int ret;

	if (in->o->watch_only) {
		res->pushed_all = in->pushed = true;
		in->rebooted = true;   /* whether the installer ran was in the log before */
		if ((ret = watch_boot(r, in, deadline, res)) != 0)
			return ret;
		return verdict(in, r, res);
	}
	clear_old_log(r);
	if ((ret = reset_into_boot(r, in, res)) != 0)
		return ret;
	ret = push_stream(r, paths, npaths, in, deadline, stall_s, res);
	if (ret == PUSH_CRITICAL)
		return critical(in, r, res);
	if (ret != 0 || (ret = watch_boot(r, in, deadline, res)) != 0)
		return ret;
	return verdict(in, r, res);
}

int bf_install_run(struct bf_rshim *r, const struct bf_install_opts *o, struct bf_install_result *res)
{
	struct install in = { .wait = o->wait, .extras = o->extras ? o->extras : "", .o = o,
			      .quiet_s = o->watch_only ? o->stall_s : 0 };
	struct bf_deadline deadline;
	int ret;

	memset(res, 0, sizeof(*res));
	bf_deadline_set(&deadline, o->timeout_s, "installing");
	ret = bf_statusview_init(&in.sv, r, !o->keep_log, on_mark, &in);
	if (o->on_line)
		in.sv.on_line = on_line;
	if (ret == 0)
		ret = bf_statusview_check_access(&in.sv);
	if (ret < 0)
		return fail(res, BF_EXIT_DEVICE, ret, NULL, "%s is not usable", r->name);
	ret = do_install(r, o->paths, o->npaths, &in, &deadline,
			 o->stall_s < o->timeout_s ? o->stall_s : o->timeout_s, res);
	res->mark = in.done;
	res->verdict_during_push = in.early;
	res->stream_unused = in.done == BF_MARK_NO_OS && (in.early || !in.rebooted);
	return ret;
}

