/* cmd_install.c - bfctl install: verify, push a BFB (+ bf.cfg + rootfs)
 * over RShim, stream the boot status live, end with a verdict. */
#include "config.h"
#include "bfb.h"
#include "bfb_file.h"
#include "bfb_platform.h"
#include "fw/dev.h"
#include "fw/query.h"
#include "cfgcheck.h"
#include "fileio.h"
#include "boot.h"
#include "bootlog.h"
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"
#include "rshim.h"
#include "statusview.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 3600.0
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

static const char install_usage[] =
	"Usage: bfctl install --rshim DEV --bfb FILE [--config BF.CFG] [--rootfs FILE]\n"
	"                     [--timeout S] [--stall-timeout S] [--wait-for ready|linux|reboot]\n"
	"                     [--keep-log] [--force] [--force-platform]\n"
	"                     [--allow-plaintext-password] [--json] [-v]\n"
	"\n"
	"Verify the BFB, check that it is for this device (chip, NIC firmware and\n"
	"its PSID, from the bundle's inventory), reset the BlueField into RShim\n"
	"boot, push the BFB with the optional bf.cfg and rootfs appended (as\n"
	"bfb-install does), and stream the boot status (the RShim log) until the\n"
	"install completes.\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV       the device (sim:0, ...; default $BFCTL_RSHIM)\n"
	"  -b, --bfb FILE        the BFB bundle\n"
	"  -c, --config FILE     bf.cfg to append (checked first: a syntax error\n"
	"                        stops the install, with FILE:LINE:COL)\n"
	"  -f, --rootfs FILE     rootfs to append after the bf.cfg\n"
	"  -t, --timeout S       overall deadline in seconds (default 3600)\n"
	"      --stall-timeout S fail when the device takes no data for S seconds\n"
	"                        (default 300, as the upstream BOOT_TIMEOUT)\n"
	"  -w, --wait-for WHAT   ready: until \"DPU is ready\" (default);\n"
	"                        linux: until \"Linux up\"; reboot: the first of\n"
	"                        \"Rebooting...\", \"Linux up\", \"DPU is ready\"\n"
	"                        (bfb-install's rule). \"In Enhanced NIC mode\" and\n"
	"                        \"Runtime upgrade finished\" always complete.\n"
	"  -k, --keep-log        leave the log in the device (no clear-on-read); the\n"
	"                        ring holds 127 words, so later messages can be lost\n"
	"      --force           push even if the bf.cfg has errors\n"
	"      --allow-plaintext-password\n"
	"                        push a bf.cfg with a plaintext password where a\n"
	"                        crypt hash belongs (refused by default: make the\n"
	"                        hash with 'bfctl cfg passwd')\n"
	"      --force-platform  push a bundle whose inventory is for another chip or\n"
	"                        NIC PSID than the device's (refused by default)\n"
	"      --json            JSON events: verify, push, log, mark, result\n"
	"  -v, --verbose         more detail\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 installed, 3 invalid input (nothing pushed), 4 device\n"
	"missing or busy, 5 push failed, 6 the device reported an error (CRITICAL\n"
	"ERROR), 7 deadline passed, 130 interrupted. See bfctl(1).\n";

enum wait_for { WAIT_READY, WAIT_LINUX, WAIT_REBOOT };

static bool mark_completes(enum bf_boot_mark m, enum wait_for w)
{
	switch (m) {
	case BF_MARK_NIC_MODE:
	case BF_MARK_RUNTIME_DONE:
	case BF_MARK_READY:
		return true;
	case BF_MARK_LINUX_UP:
		return w != WAIT_READY;
	case BF_MARK_REBOOTING:
		return w == WAIT_REBOOT;
	default:
		return false;
	}
}

struct install {
	struct bf_statusview sv;
	enum wait_for wait;
	enum bf_boot_mark done;      /* the completing mark, once seen */
	const char *extras;          /* " + bf.cfg", " + rootfs", ... */
};

static int on_mark(void *ctx, enum bf_boot_mark m, const char *line)
{
	struct install *in = ctx;

	/* A DPU with no OS to boot never prints what is awaited: that is the
	 * verdict, not a wait for the deadline. */
	/* The first verdict stands: lines read in one poll come in order
	 * ("Rebooting..." before the no-OS line that follows the reboot). */
	if (!in->done && (m == BF_MARK_CRITICAL || m == BF_MARK_NO_OS || mark_completes(m, in->wait)))
		in->done = m;
	(void)line;
	return 0;
}

static int push_poll(void *ctx)
{
	struct install *in = ctx;
	int r = bf_statusview_poll(&in->sv);

	/* The device gave up on the stream: stop pushing, report its error. */
	if (r == 0 && in->done == BF_MARK_CRITICAL)
		return -ECANCELED;
	return r;
}

/* The PSID of the device's NIC when this transport reaches it: sim:N is
 * the simulated NIC itself, pcie:D:B:D.F the function 0 beside the RShim
 * function. "" otherwise (over USB the host has no path to the NIC). */
static void nic_psid(const char *dev, char *psid, size_t cap)
{
	struct bf_fw_query q;
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
	if (bf_fw_dev_open(nic, &d) == 0) {
		if (bf_fw_query(d, &q) == 0)
			snprintf(psid, cap, "%s", q.psid);
		bf_fw_dev_close(d);
	}
	bf_error_clear();
}

/* Is the bundle for this device (chip, NIC firmware and its PSID)? Before
 * any reset. 0, or an exit code with the sentence printed. */
static int check_platform(const char *bfb, const char *dev, const struct bf_rshim *r,
			  const char *psid, bool force)
{
	char note[200];
	int ret;

	ret = bf_bfb_platform_check_file(bfb, r->chip->ver, psid, note, sizeof(note));
	if (ret < 0 && ret != -EXDEV)
		return bf_cli_fail(bf_cli_exit_for(ret), ret, "nothing was pushed", "cannot read %s", bfb);
	if (note[0])
		bf_info("%s: %s", bfb, note);
	if (ret == -EXDEV && force) {
		bf_warn("%s: %s; installing anyway (--force-platform)", bfb, bf_error_get());
		bf_error_clear();
		return 0;
	}
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret,
				   "nothing was pushed; use the bundle for this platform (--force-platform overrides)",
				   "%s does not fit %s", bfb, dev);
	return 0;
}

static int do_install(struct bf_rshim *r, const char *const *paths, size_t npaths,
		      struct install *in, const struct bf_deadline *deadline, double stall_s)
{
	struct bf_boot_opts o = {
		.stall_timeout_s = stall_s,
		.deadline = deadline,
		.poll = push_poll,
		.poll_ctx = in,
		.poll_ms = (unsigned)(poll_ns(r, PUSH_POLL_MS * 1000000ull) / 1000000ull),
		.progress = true,
	};
	uint64_t pushed = 0, lines;
	int ret;

	/* What the log ring holds now is from before this install (a previous
	 * boot's "DPU is ready" or CRITICAL ERROR): it must not end this one. */
	{
		uint64_t old[BF_BOOTLOG_MAX_WORDS];
		unsigned n = 0;

		if (bf_bootlog_read_words(r, old, BF_BOOTLOG_MAX_WORDS, &n, true) == 0 && n)
			bf_info("%s: %u log words from before this install cleared", r->name, n);
		bf_error_clear();
	}
	ret = bf_boot_reset(r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, "check the device with 'bfctl list'",
				   "cannot reset %s into RShim boot", r->name);
	bf_print_line("Pushing %s%s", paths[0], in->extras);
	ret = bf_boot_push_files(r, paths, npaths, &o, &pushed);
	if (ret == -ECANCELED)
		goto critical;
	if (ret == -EINTR)
		return bf_cli_fail(BF_EXIT_INTERRUPTED, ret, "the DPU waits for a new push",
				   "install stopped");
	if (ret == -ETIMEDOUT)
		return bf_cli_fail(BF_EXIT_TIMEOUT, ret,
				   "the DPU did not accept the stream: check the log with 'bfctl log' and retry",
				   "install stopped");
	/* Refused before a byte went (drop mode, another pusher, locked):
	 * the device is not accessible, nothing was pushed. */
	if (ret < 0 && pushed == 0 && (ret == -EACCES || ret == -EBUSY || ret == -EPERM))
		return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "push refused");
	if (ret == -ESTALE)
		return bf_cli_fail(BF_EXIT_PUSH, ret,
				   "leave the files unchanged while they are pushed and run the install again",
				   "push failed");
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_PUSH, ret, "check the connection and run the install again",
				   "push failed");
	ret = bf_boot_finish(r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_PUSH, ret, NULL, "cannot end the push on %s", r->name);
	bf_info("%s: %llu bytes pushed", r->name, (unsigned long long)pushed);
	bf_print_line("Collecting BlueField booting status. Press Ctrl+C to stop...");

	lines = in->sv.lines;
	while (!in->done) {
		ret = bf_statusview_poll(&in->sv);
		if (ret < 0)
			return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "reading the boot status of %s", r->name);
		if (in->done)
			break;
		if (bf_stop_requested())
			return bf_cli_fail(BF_EXIT_INTERRUPTED, -EINTR, NULL,
					   "stopped watching %s (the install goes on)", r->name);
		if (bf_deadline_passed(deadline)) {
			bf_error_clear();
			if (in->sv.last_error[0])
				bf_error_set("deadline passed while %s; the last error logged was:%s",
					     deadline->reason, in->sv.last_error);
			else
				bf_error_set("deadline passed while %s", deadline->reason);
			return bf_cli_fail(BF_EXIT_TIMEOUT, -ETIMEDOUT,
					   "check the console ('bfctl console') or raise --timeout",
					   "install on %s", r->name);
		}
		/* A device that is logging is read again at once (its ring
		 * holds 127 words), an idle one at the polling interval. */
		bf_clock_sleep_ns(in->sv.lines != lines ? MIN_POLL_NS : poll_ns(r, WAIT_POLL_NS));
		lines = in->sv.lines;
	}
	if (in->done == BF_MARK_CRITICAL) {
critical:
		bf_event_progress_clear();
		bf_error_clear();
		bf_error_set("the device reported:%s", in->sv.last_critical);
		return bf_cli_fail(BF_EXIT_BOOT, -EIO, "see the log above; the DPU did not install",
				   "install on %s", r->name);
	}
	if (in->done == BF_MARK_NO_OS) {
		bf_error_clear();
		bf_error_set("the installer ended and the DPU found no OS to boot on its eMMC");
		return bf_cli_fail(BF_EXIT_BOOT, -ENOENT,
				   "install a bundle with an OS and UPDATE_DPU_OS=yes (a bf.cfg with UPDATE_DPU_OS=no or a firmware-only bundle installs none)",
				   "install on %s (verdict: no-os)", r->name);
	}
	if (in->sv.garbage)
		bf_info("%s: %llu malformed log records skipped", r->name,
			(unsigned long long)in->sv.garbage);
	bf_print_line("%s: install complete (%s)", r->name, bf_bootlog_mark_name(in->done));
	return bf_cli_ok();
}

int bf_cmd_install(int argc, char **argv)
{
	enum { OPT_STALL = BF_OPT_FIRST_CMD, OPT_FORCE, OPT_FORCE_PLATFORM, OPT_ALLOW_PLAIN };
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "bfb", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "rootfs", required_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stall-timeout", required_argument, NULL, OPT_STALL },
		{ "wait-for", required_argument, NULL, 'w' },
		{ "keep-log", no_argument, NULL, 'k' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "force-platform", no_argument, NULL, OPT_FORCE_PLATFORM },
		{ "allow-plaintext-password", no_argument, NULL, OPT_ALLOW_PLAIN },
		BF_CLI_LONGOPTS, { 0 } };
	const char *dev = NULL, *bfb = NULL, *cfg = NULL, *rootfs = NULL;
	const char *paths[3];
	double timeout = DEFAULT_TIMEOUT_S, stall = BF_BOOT_TIMEOUT_DEFAULT;
	struct install in = { .wait = WAIT_READY };
	struct bf_bfb_summary sum;
	struct bf_deadline deadline;
	bool keep = false, force = false, force_platform = false, allow_plain = false;
	char psid[24];
	struct bf_rshim *r;
	size_t npaths = 0;
	int opt, ret;

	while ((opt = bf_cli_getopt(argc, argv, "r:b:c:f:t:w:k" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case 'r': dev = optarg; break;
		case 'b': bfb = optarg; break;
		case 'c': cfg = optarg; break;
		case 'f': rootfs = optarg; break;
		case 'k': keep = true; break;
		case OPT_FORCE: force = true; break;
		case OPT_FORCE_PLATFORM: force_platform = true; break;
		case OPT_ALLOW_PLAIN: allow_plain = true; break;
		case 't':
		case OPT_STALL: {
			double v;

			if (bf_duration_parse(optarg, &v) < 0)
				bf_cli_usage_error("--%s: %s", opt == 't' ? "timeout" : "stall-timeout",
						   bf_error_get());
			*(opt == 't' ? &timeout : &stall) = v;
			break;
		}
		case 'w':
			if (!strcmp(optarg, "ready"))
				in.wait = WAIT_READY;
			else if (!strcmp(optarg, "linux"))
				in.wait = WAIT_LINUX;
			else if (!strcmp(optarg, "reboot"))
				in.wait = WAIT_REBOOT;
			else
				bf_cli_usage_error("--wait-for takes ready, linux or reboot");
			break;
		default:
			bf_cli_common(opt, install_usage);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!bfb)
		bf_cli_usage_error("--bfb FILE is required");

	/* Nothing is pushed until every input checks out. */
	if ((ret = bf_cli_input(bfb)) || (cfg && (ret = bf_cli_input(cfg))))
		return ret;
	memset(&sum, 0, sizeof(sum));
	ret = bf_bfb_file_verify(bfb, &sum);
	bf_print_begin("verify");
	bf_print_string(ret == 0 ? BF_PRINT_ANY : BF_PRINT_JSON, "file", "%s: verified, ", bfb);
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, ret == 0);
	bf_print_uint(ret == 0 ? BF_PRINT_ANY : BF_PRINT_JSON, "images", "%llu images\n", sum.nimages);
	bf_print_uint(BF_PRINT_JSON, "bytes", NULL, sum.bytes);
	bf_print_end();
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed; get an intact copy of the bundle",
				   "%s failed verification", bfb);
	if (sum.trailing_bytes)
		bf_warn("%s carries %llu bytes after its last image (a bf.cfg appended earlier?); they are pushed too",
			bfb, (unsigned long long)sum.trailing_bytes);
	if (cfg && (ret = bf_cfgcheck_install_file(cfg, (force ? BF_CFGCHECK_FORCE : 0) |
						   (allow_plain ? BF_CFGCHECK_ALLOW_PLAINTEXT : 0))) < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed", "bf.cfg rejected");
	if (rootfs && (ret = bf_file_check_input(rootfs)) < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed", "rootfs rejected");
	in.extras = cfg && rootfs ? " + bf.cfg + rootfs" : cfg ? " + bf.cfg" : rootfs ? " + rootfs" : "";
	paths[npaths++] = bfb;
	if (cfg)
		paths[npaths++] = cfg;
	if (rootfs)
		paths[npaths++] = rootfs;

	if (!dev)
		dev = getenv("BFCTL_RSHIM");
	/* The NIC is asked before the RShim is opened: for a simulated device
	 * both are the same simulator. */
	nic_psid(dev ? dev : "", psid, sizeof(psid));
	if ((ret = bf_cli_open_rshim(dev, &r)) != 0)
		return ret;
	if ((ret = check_platform(bfb, r->name, r, psid, force_platform)) != 0) {
		bf_rshim_close(r);
		return ret;
	}
	bf_deadline_set(&deadline, timeout, "installing");
	ret = bf_statusview_init(&in.sv, r, !keep, on_mark, &in);
	if (ret == 0)
		ret = bf_statusview_check_access(&in.sv);
	if (ret < 0) {
		ret = bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "%s is not usable", r->name);
		bf_rshim_close(r);
		return ret;
	}
	ret = do_install(r, paths, npaths, &in, &deadline, stall < timeout ? stall : timeout);
	bf_rshim_close(r);
	return ret;
}
