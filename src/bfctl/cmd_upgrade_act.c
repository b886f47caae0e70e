/* cmd_upgrade_act.c - bfctl upgrade: activation of pending firmware at the
 * least disruptive reset level, the post-check of the running versions
 * against the plan, the per-device history. */
#include "config.h"
#include "cli.h"
#include "cmd_fw.h"
#include "cmd_upgrade.h"
#include "clock.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"
#include "upgrade_dev.h"
#include "fw/dev.h"
#include "fw/reset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

/* History. ----------------------------------------------------------------- */

void bf_upg_record(struct bf_upg_cli *u, const char *op, const char *result, const struct bf_upgrade_plan *p,
		   int level)
{
	json_object *o = json_object_new_object(), *c = json_object_new_object();
	char t[32], lv[16];
	time_t now = time(NULL);
	struct tm tm;
	unsigned k;

	gmtime_r(&now, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "time", json_object_new_string(t));
	json_object_object_add(o, "device", json_object_new_string(u->dev));
	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "result", json_object_new_string(result));
	if (level >= 0) {
		snprintf(lv, sizeof(lv), "%d", level);
		json_object_object_add(o, "level", json_object_new_string(lv));
	}
	if (u->bundle)
		json_object_object_add(o, "bundle", json_object_new_string(u->bundle));
	for (k = 0; k < BF_UPG_NCOMP; k++) {
		const struct bf_upgrade_item *it = &p->it[k];
		json_object *e;

		if (!it->bundle[0] || it->action == BF_UPG_IGNORED)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "from", json_object_new_string(it->running));
		json_object_object_add(e, "to", json_object_new_string(it->bundle));
		json_object_object_add(e, "action", json_object_new_string(bf_upgrade_action_name(it->action)));
		json_object_object_add(c, bf_upgrade_comp_key(k), e);
	}
	json_object_object_add(o, "components", c);
	{
		char *line = NULL;

		if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) > 0 &&
		    bf_upgrade_history_append(u->dev, line) < 0) {
			bf_warn("%s: the upgrade was not recorded: %s", u->dev, bf_error_get());
			bf_error_clear();
		}
		free(line);
	}
	json_object_put(o);
}

/* Each record of the device's file, oldest first; cb may keep the last
 * one it likes. */
static int each_record(struct bf_upg_cli *u, void (*cb)(void *ctx, const struct bf_upgrade_record *r), void *ctx)
{
	struct bf_upgrade_record rec;
	char *buf, *line, *nl;
	size_t len;
	int ret;

	if ((ret = bf_upgrade_history_read(u->dev, &buf, &len)) < 0)
		return ret;
	for (line = buf; line && line < buf + len; line = nl ? nl + 1 : NULL) {
		nl = memchr(line, '\n', (size_t)(buf + len - line));
		if (bf_upgrade_record_parse(line, nl ? (size_t)(nl - line) : (size_t)(buf + len - line), &rec))
			cb(ctx, &rec);
	}
	free(buf);
	return 0;
}

static void show_record(void *ctx, const struct bf_upgrade_record *r)
{
	unsigned k;

	(void)ctx;
	bf_print_begin("upgrade_history");
	bf_print_string(BF_PRINT_ANY, "time", "%s ", r->time);
	bf_print_string(BF_PRINT_ANY, "op", "%-9s ", r->op);
	bf_print_string(BF_PRINT_ANY, "result", "%-10s", r->result);
	if (r->level[0])
		bf_print_string(BF_PRINT_ANY, "level", " level %s", r->level);
	bf_print_open_object("components");
	for (k = 0; k < BF_UPG_NCOMP; k++) {
		if (!r->c[k].to[0])
			continue;
		bf_print_open_object(bf_upgrade_comp_key(k));
		bf_print_string(BF_PRINT_TEXT, NULL, " %s", bf_upgrade_comp_name(k));
		bf_print_string(BF_PRINT_ANY, "from", " %s", r->c[k].from[0] ? r->c[k].from : "?");
		bf_print_string(BF_PRINT_ANY, "to", "->%s", r->c[k].to);
		bf_print_close_object();
	}
	bf_print_close_object();
	bf_print_string(BF_PRINT_TEXT, NULL, "%s\n", "");
	bf_print_end();
}

int bf_upg_history(struct bf_upg_cli *u)
{
	int ret = each_record(u, show_record, NULL);

	if (ret < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, ret, NULL, "cannot read the upgrade history of %s", u->dev);
	return bf_cli_ok();
}

/* The last deferred upgrade still pending, as a plan to check against. */
static void last_pending(void *ctx, const struct bf_upgrade_record *r)
{
	struct bf_upgrade_plan *p = ctx;
	unsigned k;

	if (strcmp(r->op, "deferred"))
		return;
	if (strcmp(r->result, "pending")) {
		for (k = 0; k < BF_UPG_NCOMP; k++)
			p->it[k].bundle[0] = '\0';
		return;
	}
	for (k = 0; k < BF_UPG_NCOMP; k++) {
		snprintf(p->it[k].bundle, sizeof(p->it[k].bundle), "%s", r->c[k].to);
		snprintf(p->it[k].running, sizeof(p->it[k].running), "%s", r->c[k].from);
	}
}

struct recorded {
	struct bf_upgrade_plan *p;
	bool any;
};

/* A record whose ATF/UEFI/BSP were checked running (or found the same). */
static void last_verified(void *ctx, const struct bf_upgrade_record *r)
{
	struct recorded *rc = ctx;
	unsigned k;

	if (strcmp(r->result, "ok") && strcmp(r->result, "skipped"))
		return;
	if (strcmp(r->op, "apply") && strcmp(r->op, "activate"))
		return;
	for (k = BF_UPG_ATF; k <= BF_UPG_BSP; k++)
		if (r->c[k].to[0]) {
			snprintf(rc->p->it[k].running, sizeof(rc->p->it[k].running), "%s", r->c[k].to);
			rc->any = true;
		}
}

void bf_upg_recorded_arm(struct bf_upg_cli *u, struct bf_upgrade_plan *p)
{
	struct recorded rc = { p, false };

	if (each_record(u, last_verified, &rc) < 0)
		bf_error_clear();
	if (rc.any)
		bf_info("%s: ATF/UEFI/BSP as the last upgrade recorded them (the log no longer holds what the DPU published)",
			u->dev);
}

/* Post-check. ------------------------------------------------------------- */

int bf_upg_postcheck(struct bf_upg_cli *u, const struct bf_upgrade_plan *want, unsigned mask)
{
	unsigned k, bad = 0, checked = 0;

	for (k = 0; k < BF_UPG_NCOMP; k++) {
		const struct bf_upgrade_item *w = &want->it[k];
		const char *now = u->post.it[k].running;
		const char *verdict;
		enum bf_upgrade_action a = w->action;

		if (!(mask & (1u << k)) || !w->bundle[0] ||
		    !(a == BF_UPG_UPGRADE || a == BF_UPG_DOWNGRADE || a == BF_UPG_APPLY || a == BF_UPG_SAME ||
		      a == BF_UPG_UNCHECKED))
			continue;
		if (a == BF_UPG_UNCHECKED)
			verdict = "not applied (no --bmc: the installer had no BMC credentials)";
		else if (!now[0])
			verdict = "not reported";
		else if (!bf_upgrade_vercmp(now, w->bundle))
			verdict = "ok";
		else
			verdict = "DIFFERS";
		checked += a != BF_UPG_UNCHECKED;
		bad += !strcmp(verdict, "DIFFERS");
		bf_print_begin("upgrade_check");
		bf_print_string(BF_PRINT_ANY, "component", "check %-6s ", bf_upgrade_comp_name(k));
		bf_print_string(BF_PRINT_ANY, "expected", "expected %-20s ", w->bundle);
		bf_print_string(BF_PRINT_ANY, "running", "running %-20s ", now[0] ? now : "?");
		bf_print_string(BF_PRINT_ANY, "verdict", "%s\n", verdict);
		bf_print_end();
	}
	if (bad) {
		/* What the DPU logged as an error while applying, if anything. */
		return bf_cli_fail(BF_EXIT_BOOT, 0, "see the check lines above; 'bfctl fw query' shows pending NIC firmware",
				   "post-check on %s: %u of %u components run something else than planned%s%s",
				   u->r->name, bad, checked, u->sv.last_error[0] ? "; the DPU reported:" : "",
				   u->sv.last_error);
	}
	return 0;
}

/* Activation. ------------------------------------------------------------- */

/* The NIC answers its queries again (up to 180 s). */
static int wait_nic(struct bf_upg_cli *u)
{
	struct bf_upgrade_plan tmp;
	struct bf_deadline dl;

	bf_deadline_set(&dl, 180, "the NIC coming back");
	for (;;) {
		bf_upgrade_plan_init(&tmp);
		if (bf_upgrade_read_nic(u->nic, &tmp) == 0)
			return 0;
		if (bf_deadline_passed(&dl))
			return bf_error_ret(ETIMEDOUT, "%s did not come back after the reset within 180 s", u->nic);
		bf_error_clear();
		bf_clock_sleep_ns(100000000ull);
	}
}

static const char *level_words(int level)
{
	switch (level) {
	case 0: return "live patch: the NIC runs the new firmware without a reset, links and driver stay up";
	case 3: return "driver restart and PCI reset: the data path stops for the reset";
	default: return "warm reboot of the HOST: level 4 means rebooting the server (every BlueField in it)";
	}
}

/* What an activation does: the versions it should leave running, and
 * which sides have firmware pending. */
struct act {
	struct bf_upgrade_plan want;
	bool need_arm, need_nic;
	int level;
};

/* What the last deferred upgrade staged and the DPU does not run yet, and
 * the NIC firmware pending in the device. */
static void act_pending(struct bf_upg_cli *u, struct act *a)
{
	unsigned k;

	bf_upgrade_plan_init(&a->want);
	if (u->nic[0] && bf_upgrade_read_nic(u->nic, &u->p) < 0)
		bf_error_clear();
	if (!u->lfwp)
		each_record(u, last_pending, &a->want);
	bf_error_clear();
	for (k = BF_UPG_ATF; k <= BF_UPG_BSP; k++)
		if (a->want.it[k].bundle[0] && bf_upgrade_vercmp(a->want.it[k].bundle, a->want.it[k].running) &&
		    bf_upgrade_vercmp(a->want.it[k].bundle, u->p.it[k].running)) {
			a->need_arm = !u->lfwp;
			a->want.it[k].action = BF_UPG_UPGRADE;
		}
	a->need_nic = u->p.it[BF_UPG_NIC].pending[0] != 0;
	if (a->need_nic)
		snprintf(a->want.it[BF_UPG_NIC].bundle, sizeof(a->want.it[0].bundle), "%s",
			 u->p.it[BF_UPG_NIC].pending);
	a->want.it[BF_UPG_NIC].action = a->need_nic ? BF_UPG_UPGRADE : BF_UPG_ABSENT;
}

/* The level: --level, else the least disruptive the NIC offers (live
 * patch only when the ARM side has nothing pending). 0 to go on,
 * ACT_NOTHING when a live patch is not offered (said; nothing to do), or
 * the exit code. */
#define ACT_NOTHING (-1)

static int act_level(const struct bf_upg_cli *u, struct act *a, const struct bf_fw_reset_caps *caps)
{
	a->level = u->lfwp ? 0 : u->level >= 0 ? u->level : !a->need_arm && bf_fw_reset_level_ok(caps, 0) ? 0 :
		bf_fw_reset_level_ok(caps, 3) ? 3 : 4;
	if (u->lfwp && !bf_fw_reset_level_ok(caps, 0)) {
		bf_print_line("Live Patch NIC Firmware reset is not supported by %s: the NIC firmware stays pending", u->nic);
		return ACT_NOTHING;
	}
	if (!bf_fw_reset_level_ok(caps, a->level))
		return bf_cli_fail(BF_EXIT_USAGE, -ENOTSUP, "run --activate without --level for the least disruptive one",
				   "%s does not support reset level %d", u->nic, a->level);
	if (a->level == 0 && a->need_arm)
		bf_warn("%s: level 0 activates the NIC firmware only; ATF/UEFI/BSP stay pending until the DPU reboots",
			u->dev);
	return 0;
}

/* Say what will happen, ask (unless -y or the live patch was asked for
 * already, as upstream -a 1), and reset. 0 or the exit code. */
static int act_reset(struct bf_upg_cli *u, const struct act *a, struct bf_fw_dev *d,
		     const struct bf_fw_reset_caps *caps)
{
	struct bf_fw_reset_opts o = { .sync = BF_FW_SYNC_DRIVER, .timeout_s = 180, .level = a->level };
	bool waited = false;
	char q[400];
	int ret;

	snprintf(q, sizeof(q), "Activate pending firmware on %s (%s%s%s) at level %d, %s?", u->dev,
		 a->need_nic ? "NIC" : "", a->need_nic && a->need_arm ? ", " : "", a->need_arm ? "ATF/UEFI/BSP" : "",
		 a->level, level_words(a->level));
	bf_print_line("%s", q);
	if (!u->yes && !u->lfwp && (ret = bf_fw_cli_confirm("Go ahead?", u->yes)))
		return ret;
	/* The versions published before this reset must not count. */
	if (a->level >= 3 && a->need_arm && (ret = bf_upg_sv_start(u, false)))
		return ret;
	/* Full chip when the ARM side has to reboot; else NIC only if offered. */
	o.type = a->need_arm || !(caps->types & (1u << 2)) ? 0 : 2;
	ret = bf_fw_reset(d, &o, &waited);
	return ret < 0 ? ret : 0;
}

/* After the reset: the versions read again, compared, recorded. */
static int act_after(struct bf_upg_cli *u, struct act *a)
{
	unsigned k, mask = BF_UPG_NIC_MASK | (a->level >= 3 ? BF_UPG_ARM_MASK : 0);
	struct bf_deadline dl;
	int ret;

	bf_upgrade_plan_init(&u->post);
	u->post_arm = false;
	if (a->level >= 3 && a->need_arm) {
		bf_deadline_set(&dl, u->timeout, "the DPU rebooting");
		if ((ret = bf_upg_wait_versions(u, &dl)))
			return ret;
	} else if (u->p.it[BF_UPG_ATF].running[0]) {
		for (k = BF_UPG_ATF; k <= BF_UPG_BSP; k++)
			snprintf(u->post.it[k].running, sizeof(u->post.it[k].running), "%s", u->p.it[k].running);
	}
	if (bf_upgrade_read_nic(u->nic, &u->post) < 0)
		bf_error_clear();
	ret = bf_upg_postcheck(u, &a->want, mask);
	for (k = 0; k < BF_UPG_NCOMP; k++)
		if (!(mask & (1u << k)) || a->want.it[k].action != BF_UPG_UPGRADE)
			a->want.it[k].bundle[0] = '\0';   /* the record holds what was activated */
	bf_upg_record(u, "activate", ret ? "mismatch" : "ok", &a->want, a->level);
	if (ret)
		return ret;
	bf_print_begin("upgrade");
	bf_print_string(BF_PRINT_ANY, "result", "result: %s", "activated");
	bf_print_int(BF_PRINT_ANY, "level", " at level %lld\n", a->level);
	bf_print_end();
	return bf_cli_ok();
}

int bf_upg_activate(struct bf_upg_cli *u)
{
	struct bf_fw_reset_caps caps;
	struct act a = { .need_arm = false };
	struct bf_fw_dev *d;
	int ret;

	act_pending(u, &a);
	if (!a.need_arm && !a.need_nic) {
		bf_print_line("%s: no firmware is pending activation", u->dev);
		return bf_cli_ok();
	}
	if (!u->nic[0])
		return bf_cli_fail(BF_EXIT_DEVICE, -ENODEV, "give the NIC with --nic (e.g. --nic 0000:03:00.0)",
				   "%s: no path to its NIC to reset it", u->dev);
	if ((ret = bf_fw_cli_open(u->nic, &d)))
		return ret;
	if ((ret = bf_fw_reset_query(d, &caps)) < 0) {
		bf_fw_dev_close(d);
		return bf_fw_cli_fail(ret, "cannot read the reset levels of", u->nic);
	}
	if ((ret = act_level(u, &a, &caps)) != 0) {
		bf_fw_dev_close(d);
		return ret == ACT_NOTHING ? bf_cli_ok() : ret;
	}
	ret = act_reset(u, &a, d, &caps);
	bf_fw_dev_close(d);
	if (ret == -ENODEV && a.level == 3) {
		/* It left the bus before the tool saw the reset start: that is
		 * the reset. Wait for it to answer again. */
		bf_info("%s: %s", u->nic, bf_error_get());
		bf_error_clear();
		ret = wait_nic(u);
	}
	if (ret < 0)
		return bf_fw_cli_fail(ret, "the firmware reset failed on", u->nic);
	if (ret > 0)
		return ret;
	if (a.level == 4) {
		bf_upg_record(u, "activate", "armed", &a.want, a.level);
		bf_print_line("%s: armed; reboot the host now: the new firmware runs after the warm reboot", u->dev);
		return bf_cli_ok();
	}
	return act_after(u, &a);
}
