/* cmd_upgrade.c - bfctl upgrade: a firmware bundle planned against what
 * the device runs, then applied offline (pushed, the DPU applies it and
 * reboots) or deferred (staged while the OS runs, activated later). This
 * file: options, the plan, the two ways of applying. Activation, the
 * post-check and the history: cmd_upgrade_act.c. Facts: doc/upgrade.md. */
#include "config.h"
#include "bmc_cli.h"
#include "cli.h"
#include "cmd_upgrade.h"
#include "commands.h"
#include "bfb_file.h"
#include "bfb_info.h"
#include "bfb_platform.h"
#include "boot.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"
#include "upgrade_dev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 1800.0
#define DEFAULT_BMC_WAIT_S 600.0   /* the installer's own BMC_IP_TIMEOUT */
#define POLL_NS 200000000ull
#define MIN_POLL_NS 20000000ull

static const char upgrade_usage[] =
	"Usage: bfctl upgrade -r DEV --bundle FILE|URL --plan [--nic NIC] [--bmc URL] [--json]\n"
	"       bfctl upgrade -r DEV --bundle FILE|URL [--deferred] [--apply-lfwp]\n"
	"                     [--allow-downgrade] [--nic NIC] [--bmc URL [--bmc-wait S]]\n"
	"                     [--timeout S] [--json]\n"
	"       bfctl upgrade -r DEV --activate [--level 0|3|4] [-y] [--nic NIC] [--json]\n"
	"       bfctl upgrade -r DEV --history [--json]\n"
	"\n"
	"Day-2 firmware upgrades with a firmware bundle (bf-fwbundle-*.bfb). The\n"
	"bundle's inventory (its info image) is compared with what the device runs:\n"
	"NIC firmware over PCI config space, ATF/UEFI/BSP as the DPU reports them\n"
	"over RShim, BMC/CEC only through a BMC (--bmc). Each component is upgraded,\n"
	"downgraded or skipped (same version). A bundle for another chip or PSID is\n"
	"refused before anything is pushed; a downgrade needs --allow-downgrade;\n"
	"when everything is the same nothing is pushed (result skipped).\n"
	"\n"
	"  --plan             only show the plan: component, running, bundle, action\n"
	"  (default)          offline: push the bundle; the DPU applies it and reboots;\n"
	"                     then the running versions are checked against the plan\n"
	"  --deferred         BlueField-3: repack the bundle (flat format), push it\n"
	"                     into the running DPU (no reset), which stages it in the\n"
	"                     background; the new firmware stays pending\n"
	"  --apply-lfwp       after a deferred staging, activate the NIC firmware by\n"
	"                     live patch (reset level 0) when the NIC supports it\n"
	"  --activate         activate pending firmware at the least disruptive level\n"
	"                     the device supports: 0 live patch (NIC only, no reset),\n"
	"                     3 driver restart and PCI reset (the DPU reboots), 4 warm\n"
	"                     reboot of the host; then the post-check\n"
	"  --history          the upgrades recorded for DEV in the state directory\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV        the device (sim:0, pcie:0000:03:00.2, usb:1-4, rshim0)\n"
	"  -b, --bundle FILE|URL  the firmware bundle; an http(s):// URL is downloaded\n"
	"                         into the cache first and checked (SHA-256)\n"
	"      --bmc URL          https://USER@HOST[:PORT] of the DPU's BMC: BMC and CEC\n"
	"                         running versions from its Redfish firmware inventory;\n"
	"                         when the bundle changes them (offline), the DPU's\n"
	"                         installer gets the BMC credentials in bf.cfg (kept in\n"
	"                         memory) and updates them; the BMC reboots and is\n"
	"                         waited for, then BMC/CEC are checked too. Without\n"
	"                         --bmc, BMC and CEC firmware are not applied\n"
	"      --bmc-wait S       wait this long for the BMC after its reboot (default\n"
	"                         600; retries 1, 2, 4 ... 16 s apart, each logged)\n"
	"      --password-file F  the BMC password (first line); default\n"
	"                         $BFCTL_BMC_PASSWORD, else asked on the terminal\n"
	"      --nic NIC          the device's NIC as 'bfctl fw' names it (default: from\n"
	"                         DEV for sim:N and pcie:; none over USB or a daemon)\n"
	"      --allow-downgrade  apply a bundle older than what runs\n"
	"      --level N          --activate at this reset level (0, 3 or 4)\n"
	"  -y, --yes              do not ask (required without a terminal)\n"
	"  -t, --timeout S        overall deadline (default 1800)\n"
	BF_CLI_FETCH_USAGE
	"      --json             JSON events (upgrade_plan, upgrade_bmc, upgrade,\n"
	"                         upgrade_check, upgrade_history, log) and a final result\n"
	"  -v, --verbose          more detail\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 ok (also skipped, and staged pending activation), 1 failure,\n"
	"2 usage (also: would ask without a terminal), 3 bundle refused (damaged,\n"
	"other chip or PSID, a downgrade without --allow-downgrade, not a firmware\n"
	"bundle), 4 device, 5 push failed, 6 the device reported a failure or the\n"
	"post-check found a difference, 7 timeout, 130 interrupted. See bfctl(1).\n";

/* Running versions. -------------------------------------------------------- */

void bf_upg_read_running(struct bf_upg_cli *u, struct bf_upgrade_plan *p)
{
	struct bf_upgrade_item *it = p->it;
	bool found = false;
	unsigned k;

	if (u->nic[0]) {
		if (bf_upgrade_read_nic(u->nic, p) < 0)
			snprintf(it[BF_UPG_NIC].why, sizeof(it[0].why), "the NIC %.60s is not reachable", u->nic);
		bf_error_clear();
	} else {
		snprintf(it[BF_UPG_NIC].why, sizeof(it[0].why), "no path to the NIC over %.40s (give --nic)", u->dev);
	}
	if (u->r && bf_upgrade_read_arm(u->r, p, &found) < 0)
		bf_error_clear();
	if (!found)
		bf_upg_recorded_arm(u, p);
	for (k = BF_UPG_ATF; k <= BF_UPG_BSP; k++)
		if (!it[k].running[0])
			snprintf(it[k].why, sizeof(it[0].why), "%s", found ? "not reported" :
				 "not reported over RShim since the DPU booted");
	if (!u->bmc_url) {
		snprintf(it[BF_UPG_BMC].why, sizeof(it[0].why), "unknown (no --bmc)");
		snprintf(it[BF_UPG_CEC].why, sizeof(it[0].why), "unknown (no --bmc)");
	}
	snprintf(it[BF_UPG_DOCA].why, sizeof(it[0].why), "not installed by a firmware bundle");
}

void bf_upg_print_plan(const struct bf_upgrade_plan *p, const char *event)
{
	unsigned k;

	if (!bf_event_json())
		bf_print_line("%-10s %-24s %-24s %s", "COMPONENT", "RUNNING", "BUNDLE", "ACTION");
	bf_print_begin(event);
	bf_print_open_array("components");
	for (k = 0; k < BF_UPG_NCOMP; k++) {
		const struct bf_upgrade_item *it = &p->it[k];
		char running[160];

		if (it->action == BF_UPG_ABSENT && !it->running[0])
			continue;
		snprintf(running, sizeof(running), "%s%s%s%s", it->running[0] ? it->running : it->why,
			 it->pending[0] ? " (pending " : "", it->pending, it->pending[0] ? ")" : "");
		bf_print_open_object(NULL);
		bf_print_string(BF_PRINT_ANY, "component", "%-10s ", bf_upgrade_comp_name(k));
		bf_print_string(BF_PRINT_TEXT, NULL, "%-24s ", running);
		bf_print_string(BF_PRINT_JSON, "running", NULL, it->running);
		bf_print_string(BF_PRINT_JSON, "pending", NULL, it->pending);
		if (!it->running[0])
			bf_print_string(BF_PRINT_JSON, "note", NULL, it->why);
		bf_print_string(BF_PRINT_ANY, "bundle", "%-24s ", it->bundle[0] ? it->bundle : "-");
		bf_print_string(BF_PRINT_ANY, "action", "%s\n", bf_upgrade_action_name(it->action));
		bf_print_close_object();
	}
	bf_print_close_array();
	bf_print_end();
}

/* The bundle, the device, the plan. ---------------------------------------- */

/* The bundle checks out and is a firmware bundle; its inventory in p. */
static int read_bundle(struct bf_upg_cli *u, struct bf_bfb_info *info)
{
	const char *why = NULL;
	int ret;

	if ((ret = bf_cli_input(u->bundle)))
		return ret;
	if ((ret = bf_bfb_info_read(u->bundle, info)) < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed", "cannot read %s", u->bundle);
	if (info->status < 0 || info->trailing_bytes)
		return bf_cli_fail(BF_EXIT_INPUT, -EBADMSG, "nothing was pushed; get an intact copy of the bundle",
				   "%s failed verification (%s)", u->bundle,
				   info->status < 0 ? info->error : "bytes after its last image");
	if (!info->info_json || !info->ncomps)
		return bf_cli_fail(BF_EXIT_INPUT, -EBADMSG, "nothing was pushed",
				   "%s has no inventory (info image): its versions cannot be planned%s%s",
				   u->bundle, info->info_warning[0] ? ": " : "", info->info_warning);
	if (strcmp(info->kind, "fw") && strcmp(info->kind, "flat"))
		return bf_cli_fail(BF_EXIT_INPUT, -EINVAL, "install it with 'bfctl install'",
				   "%s is a %s bundle, not a firmware bundle", u->bundle, info->kind);
	ret = bf_upgrade_inventory(info->info_json, info->info_len, u->r->chip->ver, &u->p, &why);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed", "%s: %s", u->bundle, why ? why : "bad inventory");
	return 0;
}

static int check_platform(struct bf_upg_cli *u, const struct bf_bfb_info *info)
{
	char note[200];
	int ret;

	ret = bf_bfb_platform_check(info->comps, info->ncomps, u->r->chip->ver, u->p.nic_psid, note, sizeof(note));
	if (note[0])
		bf_info("%s: %s", u->bundle, note);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_INPUT, ret, "nothing was pushed; use the bundle for this platform",
				   "%s does not fit %s", u->bundle, u->r->name);
	return 0;
}

static void result_event(const char *result, const char *detail)
{
	bf_print_begin("upgrade");
	bf_print_string(BF_PRINT_ANY, "result", "result: %s", result);
	bf_print_string(BF_PRINT_ANY, "detail", " (%s)\n", detail);
	bf_print_end();
}

/* Watching the log. --------------------------------------------------------- */

static int on_mark(void *ctx, enum bf_boot_mark m, const char *line)
{
	struct bf_upg_cli *u = ctx;

	if (m == BF_MARK_VERSIONS) {
		u->post_arm = bf_upgrade_running_line(line, &u->post) || u->post_arm;
		return 0;
	}
	if ((m == BF_MARK_LINUX_UP || m == BF_MARK_READY) && u->deferred && !u->done)
		u->rebooted = true;
	if ((!u->done && (u->want & (1u << m))) || m == BF_MARK_CRITICAL)
		u->done = m;
	return 0;
}

int bf_upg_watch(struct bf_upg_cli *u, unsigned want, const struct bf_deadline *dl, const char *what, bool quiet)
{
	uint64_t lines;
	double sp = u->r->speed > 1 ? u->r->speed : 1;

	u->done = BF_MARK_NONE;
	u->want = want;
	for (;;) {
		int ret;

		lines = u->sv.lines;
		if ((ret = bf_statusview_poll(&u->sv)) < 0)
			return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "reading the log of %s", u->r->name);
		if (u->done == BF_MARK_CRITICAL || u->rebooted)
			return 0;
		if (u->done != BF_MARK_NONE && (want & (1u << u->done))) {
			/* The OS is up: what it logs from now on (its versions)
			 * stays in the ring for the next reader. */
			if (u->sv.clear && (u->done == BF_MARK_READY || u->done == BF_MARK_NIC_MODE)) {
				u->sv.clear = false;
				u->sv.seen_words = 0;
			}
			return 0;
		}
		if (want & (1u << BF_MARK_VERSIONS) && u->post_arm)
			return 0;
		if (bf_stop_requested())
			return bf_cli_fail(BF_EXIT_INTERRUPTED, -EINTR, NULL, "stopped watching %s", u->r->name);
		if (bf_deadline_passed(dl) && quiet)
			return -ETIMEDOUT;
		if (bf_deadline_passed(dl))
			return bf_cli_fail(BF_EXIT_TIMEOUT, -ETIMEDOUT, "raise --timeout, or see 'bfctl log'",
					   "deadline passed on %s while %s", u->r->name, what);
		bf_clock_sleep_ns(u->sv.lines != lines ? MIN_POLL_NS :
				  (uint64_t)((double)POLL_NS / sp) > MIN_POLL_NS ? (uint64_t)((double)POLL_NS / sp) :
				  MIN_POLL_NS);
	}
}

/* Applying. ------------------------------------------------------------------ */

static int push(struct bf_upg_cli *u, const char *path, const struct bf_deadline *dl, uint64_t *pushed)
{
	struct bf_boot_opts o = { .stall_timeout_s = BF_BOOT_TIMEOUT_DEFAULT, .deadline = dl, .progress = true,
				  .tail = u->cfg, .tail_len = u->cfg_len };
	const char *paths[1] = { path };
	int ret;

	bf_print_line("Pushing %s", path);
	ret = bf_boot_push_files(u->r, paths, 1, &o, pushed);
	if (ret == -EINTR)
		return bf_cli_fail(BF_EXIT_INTERRUPTED, ret, NULL, "upgrade of %s stopped", u->r->name);
	if (ret == -ETIMEDOUT)
		return bf_cli_fail(BF_EXIT_TIMEOUT, ret, "check the log with 'bfctl log'", "push to %s", u->r->name);
	if (ret < 0)
		return bf_cli_fail(*pushed ? BF_EXIT_PUSH : BF_EXIT_DEVICE, ret, NULL, "push to %s failed", u->r->name);
	if ((ret = bf_boot_finish(u->r)) < 0)
		return bf_cli_fail(BF_EXIT_PUSH, ret, NULL, "cannot end the push on %s", u->r->name);
	bf_info("%s: %llu bytes pushed", u->r->name, (unsigned long long)*pushed);
	return 0;
}

int bf_upg_sv_start(struct bf_upg_cli *u, bool clear)
{
	uint64_t old[BF_BOOTLOG_MAX_WORDS];
	unsigned n = 0;
	int ret;

	/* What the ring holds now is from before, and the ring must have room
	 * for what comes: it is cleared. */
	ret = bf_bootlog_read_words(u->r, old, BF_BOOTLOG_MAX_WORDS, &n, true);
	if (ret == 0)
		ret = bf_statusview_init(&u->sv, u->r, clear, on_mark, u);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "%s is not usable", u->r->name);
	u->sv.clear = clear;
	u->sv.seen_words = 0;
	return 0;
}

int bf_upg_wait_versions(struct bf_upg_cli *u, const struct bf_deadline *dl)
{
	struct bf_deadline vdl;
	int ret;

	if (!u->sv.r && (ret = bf_upg_sv_start(u, false)))
		return ret;
	/* Hardware that does not publish them is given 15 s (device time). */
	bf_deadline_set(&vdl, 15.0 / (u->r->speed > 1 ? u->r->speed : 1) + 1.0, "waiting for the versions");
	if (bf_deadline_left_ns(dl) < bf_deadline_left_ns(&vdl))
		vdl = *dl;
	u->deferred = false;
	if (!u->post_arm) {
		/* Up to "DPU is ready" first: the reboot takes its own time. */
		if ((ret = bf_upg_watch(u, 1u << BF_MARK_READY | 1u << BF_MARK_NIC_MODE | 1u << BF_MARK_VERSIONS, dl,
					"the DPU rebooting", false)))
			return ret;
		if (!u->post_arm && bf_upg_watch(u, 1u << BF_MARK_VERSIONS, &vdl, "waiting for the versions", true) < 0)
			bf_error_clear();   /* the post-check says what is not known */
	}
	return 0;
}

/* The versions after a reboot, read again and compared with the plan. */
static int after_reboot(struct bf_upg_cli *u, const struct bf_deadline *dl, unsigned mask)
{
	int ret;

	if ((ret = bf_upg_wait_versions(u, dl)))
		return ret;
	if (u->nic[0] && bf_upgrade_read_nic(u->nic, &u->post) < 0)
		bf_error_clear();
	if ((ret = bf_upg_bmc_after(u, dl)))
		return ret;
	/* BMC/CEC: compared when the installer had the credentials, else
	 * reported as not applied. */
	return bf_upg_postcheck(u, &u->p, mask | (u->bmc_mask || !u->bmc_url ? BF_UPG_BMC_MASK : 0));
}

static int apply_offline(struct bf_upg_cli *u, const struct bf_deadline *dl)
{
	uint64_t pushed = 0;
	int ret;

	/* A whole install logs more than the ring holds: read and clear. */
	if ((ret = bf_upg_sv_start(u, true)))
		return ret;
	if ((ret = bf_boot_reset(u->r)) < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "cannot reset %s into RShim boot", u->r->name);
	if ((ret = push(u, u->bundle, dl, &pushed)))
		return ret;
	bf_print_line("Collecting BlueField booting status. Press Ctrl+C to stop...");
	ret = bf_upg_watch(u, 1u << BF_MARK_READY | 1u << BF_MARK_NIC_MODE | 1u << BF_MARK_NO_OS, dl,
			   "the DPU applied the bundle", false);
	if (ret)
		return ret;
	if (u->done == BF_MARK_CRITICAL) {
		bf_upg_record(u, "apply", "failed", &u->p, -1);
		return bf_cli_fail(BF_EXIT_BOOT, 0, "see 'bfctl log'", "the upgrade of %s failed:%s", u->r->name,
				   u->sv.last_critical);
	}
	ret = after_reboot(u, dl, BF_UPG_ARM_MASK | BF_UPG_NIC_MASK);
	bf_upg_record(u, "apply", ret ? "mismatch" : "ok", &u->p, -1);
	if (ret)
		return ret;
	result_event("ok", u->p.it[BF_UPG_BMC].action == BF_UPG_UNCHECKED || u->p.it[BF_UPG_CEC].action == BF_UPG_UNCHECKED ?
		     "the DPU applied the bundle and rebooted; the running versions match the plan; BMC and CEC "
		     "firmware were not applied (no --bmc)" :
		     "the DPU applied the bundle and rebooted; the running versions match the plan");
	return bf_cli_ok();
}

static int apply_deferred(struct bf_upg_cli *u, const struct bf_deadline *dl)
{
	char dir[] = "/tmp/bfctl-upgrade.XXXXXX", flat[256] = "";
	uint64_t pushed = 0;
	unsigned st = 0;
	int ret;

	if (u->r->chip->ver != BF_CHIP_BF3)
		return bf_cli_fail(BF_EXIT_INPUT, -ENOTSUP, "apply it offline (without --deferred)",
				   "%s: deferred activation needs a BlueField-3", u->r->name);
	if (!mkdtemp(dir))
		return bf_cli_fail(BF_EXIT_FAILURE, -errno, NULL, "cannot make a temporary directory");
	ret = bf_upgrade_flat(u->bundle, dir, flat, sizeof(flat));
	if (ret < 0) {
		rmdir(dir);
		return bf_cli_fail(BF_EXIT_FAILURE, ret, NULL, "cannot repack %s in the flat format", u->bundle);
	}
	/* A few lines: the ring is read without clearing it. */
	if ((ret = bf_upg_sv_start(u, false)))
		goto out;
	u->r->boot_reset_skip = true;
	if ((ret = bf_upgrade_sp2_clear(u->r)) < 0 || (ret = bf_upgrade_deferred_arm(u->r)) < 0) {
		ret = bf_cli_fail(BF_EXIT_DEVICE, ret, NULL, "the deferred request to %s failed", u->r->name);
		goto out;
	}
	if ((ret = push(u, flat, dl, &pushed)))
		goto out;
	bf_print_line("Staging on the DPU (it keeps running). Press Ctrl+C to stop watching...");
	if ((ret = bf_upg_watch(u, 1u << BF_MARK_RUNTIME_DONE, dl, "the DPU staged the bundle", false)))
		goto out;
	if (u->rebooted || u->done != BF_MARK_RUNTIME_DONE) {
		bf_upgrade_plan_init(&u->post);
		bf_upg_read_running(u, &u->post);
		bf_upg_record(u, "deferred", "power-lost", &u->p, -1);
		ret = bf_cli_fail(BF_EXIT_BOOT, 0, "nothing is pending; run the upgrade again",
				  "%s rebooted while staging (power lost?): it runs its old firmware (NIC %s)",
				  u->r->name, u->post.it[BF_UPG_NIC].running[0] ? u->post.it[BF_UPG_NIC].running : "unknown");
		goto out;
	}
	if ((ret = bf_upgrade_sp2_status(u->r, &st)) < 0 || st != 2) {
		bf_upg_record(u, "deferred", "failed", &u->p, -1);
		ret = bf_cli_fail(BF_EXIT_BOOT, ret < 0 ? ret : 0, "see 'bfctl log'; nothing was activated",
				  "%s reports the staging failed (SCRATCHPAD2 bits 12:11 = %u%u)%s%s", u->r->name,
				  st >> 1 & 1, st & 1, u->sv.last_error[0] ? ":" : "", u->sv.last_error);
		goto out;
	}
	bf_print_line("Sending ActivateFirmware");
	if ((ret = bf_upgrade_activate_request(u->r, 60.0, &st)) < 0 || st == 3) {
		bf_upg_record(u, "deferred", "failed", &u->p, -1);
		ret = bf_cli_fail(BF_EXIT_BOOT, ret < 0 ? ret : 0, NULL, "ActivateFirmware failed on %s", u->r->name);
		goto out;
	}
	bf_upgrade_sp2_clear(u->r);
	bf_upg_record(u, "deferred", "pending", &u->p, -1);
	if (u->lfwp) {
		ret = bf_upg_activate(u);
		goto out;
	}
	result_event("pending", "staged; activate with 'bfctl upgrade -r DEV --activate' (NIC: live patch or a "
		     "reset at level 3; ATF/UEFI/BSP: the next DPU reboot)");
	ret = bf_cli_ok();
out:
	bf_upgrade_sp2_clear(u->r);
	bf_error_clear();
	u->r->boot_reset_skip = false;
	unlink(flat);
	rmdir(dir);
	return ret;
}

static int upgrade(struct bf_upg_cli *u)
{
	struct bf_bfb_info info;
	struct bf_deadline dl;
	unsigned down, changes;
	int ret;

	memset(&info, 0, sizeof(info));
	if ((ret = read_bundle(u, &info)) || (ret = check_platform(u, &info)))
		goto out;
	bf_upgrade_decide(&u->p);
	bf_upg_print_plan(&u->p, "upgrade_plan");
	bf_upg_bmc_note(u);
	changes = bf_upgrade_changes(&u->p, &down);
	if (u->plan) {
		ret = bf_cli_ok();
		goto out;
	}
	if (down && !u->allow_down) {
		ret = bf_cli_fail(BF_EXIT_INPUT, -EINVAL, "nothing was pushed; --allow-downgrade applies it anyway",
				  "%s is older than what %s runs (%u component%s)", u->bundle, u->r->name, down,
				  down == 1 ? "" : "s");
		goto out;
	}
	if (!changes) {
		bf_upg_record(u, "apply", "skipped", &u->p, -1);
		result_event("skipped", "everything the device reports is the same: nothing was pushed");
		ret = bf_cli_ok();
		goto out;
	}
	bf_deadline_set(&dl, u->timeout, "upgrading");
	if (!u->deferred && (ret = bf_upg_bmc_cfg(u)))
		goto out;
	ret = u->deferred ? apply_deferred(u, &dl) : apply_offline(u, &dl);
out:
	bf_bfb_info_free(&info);
	return ret;
}

enum { OPT_PLAN = BF_OPT_FIRST_CMD, OPT_DEFERRED, OPT_LFWP, OPT_DOWN, OPT_ACTIVATE, OPT_LEVEL, OPT_HISTORY,
       OPT_NIC, OPT_BMC_WAIT };

/* One option that is not a plain flag or name. */
static void parse_value(struct bf_upg_cli *u, int opt)
{
	switch (opt) {
	case OPT_LEVEL:
		if (strcmp(optarg, "0") && strcmp(optarg, "3") && strcmp(optarg, "4"))
			bf_cli_usage_error("--level takes 0, 3 or 4");
		u->level = optarg[0] - '0';
		break;
	case 't':
		if (bf_duration_parse(optarg, &u->timeout) < 0)
			bf_cli_usage_error("--timeout: %s", bf_error_get());
		break;
	case OPT_BMC_WAIT:
		if (bf_duration_parse(optarg, &u->bmc_wait) < 0)
			bf_cli_usage_error("--bmc-wait: %s", bf_error_get());
		break;
	default:
		if (!bf_cli_fetch_opt(&u->fetch, opt, optarg))
			bf_cli_common(opt, upgrade_usage);
	}
}

static void parse_args(struct bf_upg_cli *u, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "plan", no_argument, NULL, OPT_PLAN },
		{ "deferred", no_argument, NULL, OPT_DEFERRED },
		{ "apply-lfwp", no_argument, NULL, OPT_LFWP },
		{ "allow-downgrade", no_argument, NULL, OPT_DOWN },
		{ "activate", no_argument, NULL, OPT_ACTIVATE },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "history", no_argument, NULL, OPT_HISTORY },
		{ "nic", required_argument, NULL, OPT_NIC },
		{ "bmc", required_argument, NULL, BF_OPT_BMC },
		{ "password-file", required_argument, NULL, BF_OPT_PASSWORD_FILE },
		{ "bmc-wait", required_argument, NULL, OPT_BMC_WAIT },
		{ "yes", no_argument, NULL, 'y' },
		{ "timeout", required_argument, NULL, 't' },
		BF_CLI_FETCH_LONGOPTS, BF_CLI_LONGOPTS, { 0 } };
	int opt;

	while ((opt = bf_cli_getopt(argc, argv, "r:b:t:y" BF_CLI_SHORTOPTS, lo)) != -1) {
		switch (opt) {
		case 'r': u->dev = optarg; break;
		case 'b': u->bundle = optarg; break;
		case 'y': u->yes = true; break;
		case OPT_PLAN: u->plan = true; break;
		case OPT_DEFERRED: u->deferred = true; break;
		case OPT_LFWP: u->lfwp = true; break;
		case OPT_DOWN: u->allow_down = true; break;
		case OPT_ACTIVATE: u->activate = true; break;
		case OPT_HISTORY: u->history = true; break;
		case OPT_NIC: u->nic_opt = optarg; break;
		case BF_OPT_BMC: u->bmc_url = optarg; break;
		case BF_OPT_PASSWORD_FILE: u->password_file = optarg; break;
		default: parse_value(u, opt);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
}

/* Options that go together, and the device. */
static void check_args(struct bf_upg_cli *u)
{
	if (u->activate + u->history + (u->bundle != NULL) != 1)
		bf_cli_usage_error("give one of --bundle FILE, --activate, --history");
	if (u->level >= 0 && !u->activate)
		bf_cli_usage_error("--level goes with --activate");
	if ((u->plan || u->deferred || u->allow_down) && !u->bundle)
		bf_cli_usage_error("--plan, --deferred and --allow-downgrade go with --bundle");
	if ((u->bmc_url || u->password_file) && !u->bundle)
		bf_cli_usage_error("--bmc and --password-file go with --bundle");
	if (u->bmc_wait != DEFAULT_BMC_WAIT_S && !u->bmc_url)
		bf_cli_usage_error("--bmc-wait goes with --bmc");
	if (u->lfwp && !u->deferred)
		bf_cli_usage_error("--apply-lfwp goes with --deferred (or use --activate --level 0)");
	if (!u->dev)
		u->dev = getenv("BFCTL_RSHIM");
	if (!u->dev || !*u->dev)
		bf_cli_usage_error("no device given: use --rshim DEV (e.g. --rshim sim:0) or set BFCTL_RSHIM");
}

/* The NIC is asked before the RShim is opened: for a simulated device
 * both are the same simulator. */
static int open_device(struct bf_upg_cli *u)
{
	int ret;

	if (u->nic_opt)
		snprintf(u->nic, sizeof(u->nic), "%s", u->nic_opt);
	else
		bf_upgrade_nic_name(u->dev, u->nic, sizeof(u->nic));
	bf_upgrade_plan_init(&u->p);
	if (u->nic[0] && bf_upgrade_read_nic(u->nic, &u->p) < 0)
		bf_error_clear();
	if ((ret = bf_cli_open_rshim(u->dev, &u->r)) != 0)
		return ret;
	bf_upg_read_running(u, &u->p);
	return 0;
}

int bf_cmd_upgrade(int argc, char **argv)
{
	struct bf_upg_cli *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	u->level = -1;
	u->timeout = DEFAULT_TIMEOUT_S;
	u->bmc_wait = DEFAULT_BMC_WAIT_S;
	bf_cli_fetch_init(&u->fetch);
	parse_args(u, argc, argv);
	check_args(u);
	if (u->history) {
		ret = bf_upg_history(u);
		free(u);
		return ret;
	}
	/* A URL is downloaded (and checked) before the device is touched. */
	if ((u->bundle && (ret = bf_cli_fetch_input(&u->fetch, &u->bundle, "bundle", true))) ||
	    (ret = open_device(u)) != 0) {
		free(u);
		return ret;
	}
	if (u->bmc_url && !u->activate)
		ret = bf_upg_read_bmc(u, &u->p);
	if (ret == 0)
		ret = u->activate ? bf_upg_activate(u) : upgrade(u);
	bf_upg_bmc_close(u);
	bf_rshim_close(u->r);
	free(u);
	return ret;
}
