/* installer.c - the BFB installer on the simulated DPU (spec:
 * bfcfg-install.md 4), as a timeline in simulated time: reads bf.cfg with
 * the bf.cfg reader, honours its gates with the spec's defaults, logs the
 * installer's RShim strings in order, announces and runs the hooks bf.cfg
 * defines ("Running <name> from bf.cfg"; hooks.c runs them with bash),
 * records what it installed in the non-volatile state, then reboots into
 * the OS ("Linux up", "DPU is ready") or, in NIC mode, ends with
 * "In Enhanced NIC mode". A fw-kind bundle runs the firmware-only flow
 * (no OS step; spec 8: details unverified). */
#include "config.h"
#include "sim_int.h"
#include "bfcfg.h"
#include "bfb_info.h"
#include "bfb_platform.h"
#include "error.h"
#include "fw/image.h"
#include "log.h"
#include "nic.h"
#include "passwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct inst {
	struct bf_sim *s;
	struct bf_bfcfg *cfg;
	json_object *pend;
	double t;
	/* versions from the manifest, or the info image */
	const char *kind, *os_name, *os_ver, *release, *atf, *uefi, *bsp, *doca;
	const char *nic_ver, *psid, *bmc, *cec;
	bool nic_fits;            /* the NIC firmware is for this NIC's PSID */
};

static const char *jget(json_object *o, const char *path, const char *def)
{
	char buf[128], *save = NULL, *tok;
	json_object *cur = o, *next;

	if (!o)
		return def;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (!json_object_is_type(cur, json_type_object) || !json_object_object_get_ex(cur, tok, &next))
			return def;
		cur = next;
	}
	if (!json_object_is_type(cur, json_type_string))
		return def;
	/* Bound what device-supplied text can put in a log line or state file. */
	return json_object_get_string_len(cur) <= 128 ? json_object_get_string(cur) : def;
}

static const char *info_version(json_object *info, const char *chip, const char *what)
{
	return bf_sim_info_version(info, chip, what);
}

static void versions(struct inst *in)
{
	struct bf_sim *s = in->s;
	json_object *m = s->manifest, *info = s->info_json;
	const char *chip = s->chip->ver == BF_CHIP_BF3 ? "BF3" : "BF2";

	if (m) {
		in->kind = jget(m, "kind", "full");
		in->os_name = jget(m, "os.name", "Ubuntu");
		in->os_ver = jget(m, "os.version", "unknown");
		in->release = jget(m, "release", "unknown");
		in->atf = jget(m, "atf", NULL);
		in->uefi = jget(m, "uefi", NULL);
		in->bsp = jget(m, "bsp", NULL);
		in->doca = jget(m, "doca", NULL);
		in->nic_ver = jget(m, "nic_fw.version", NULL);
		in->psid = jget(m, "nic_fw.psid", "");
		in->bmc = jget(m, "bmc_fw", NULL);
		in->cec = jget(m, "cec_fw", NULL);
		return;
	}
	/* A real bundle: what its info image and initramfs say. */
	in->kind = s->has_install_sh || s->has_os_image ? "full" : "fw";
	in->os_name = "Ubuntu";
	in->os_ver = "unknown";
	in->release = "unknown";
	in->atf = info_version(info, chip, "ATF");
	in->uefi = info_version(info, chip, "UEFI");
	in->bsp = info_version(info, chip, "BSP");
	in->doca = info_version(info, NULL, "DOCA");
	in->nic_ver = info_version(info, chip, "NIC_FW");
	in->psid = "";
	in->bmc = info_version(info, chip, "BMC_FW");
	in->cec = info_version(info, chip, "CEC_FW");
}

static void say(struct inst *in, double dt, unsigned level, enum sim_action act, const char *text)
{
	bf_sim_schedule(in->s, in->t, BF_RLOG_MISC, level, act, "%s", text);
	in->t += dt;
}

static void hook(struct inst *in, const char *name)
{
	char b[96];

	if (!bf_bfcfg_func_find(in->cfg, name))
		return;
	snprintf(b, sizeof(b), "Running %s from bf.cfg", name);
	say(in, 0.2, BF_RLOG_INFO, ACT_HOOK, b);
}

static bool yes(struct inst *in, const char *key, bool def)
{
	return bf_bfcfg_yes(in->cfg, key, def);
}

static void pend_str(struct inst *in, const char *key, const char *v)
{
	json_object_object_add(in->pend, key, json_object_new_string(v ? v : "unknown"));
}

/* C. the OS */
static void install_os(struct inst *in)
{
	json_object *os = json_object_new_object();
	const char *pw = bf_bfcfg_get(in->cfg, "ubuntu_PASSWORD", "");
	bool dual = yes(in, "DUAL_BOOT", false);

	json_object_object_add(os, "name", json_object_new_string(in->os_name));
	json_object_object_add(os, "version", json_object_new_string(in->os_ver));
	json_object_object_add(os, "release", json_object_new_string(in->release));
	json_object_object_add(os, "doca", json_object_new_string(in->doca ? in->doca : "unknown"));
	/* No bf.cfg variable names the host: /etc/hostname is deleted and the
	 * name comes from DHCP; without DHCP it is "localhost". */
	json_object_object_add(os, "hostname", json_object_new_string("localhost"));
	json_object_object_add(os, "dual_boot", json_object_new_boolean(dual));
	json_object_object_add(in->pend, "os", os);
	say(in, 0.5, BF_RLOG_INFO, ACT_NONE, "Ubuntu installation started");
	hook(in, "bfb_pre_install");
	if (bf_bfcfg_func_find(in->cfg, "custom_install_os_image")) {
		hook(in, "custom_install_os_image");
		in->t += 2.0;
	} else {
		unsigned i, n = dual ? 2 : 1;

		for (i = 0; i < n; i++) {
			say(in, 2.5, BF_RLOG_INFO, i == 0 ? ACT_OS_IMAGE : ACT_NONE, !dual ? "Installing OS image" :
			    i == 0 ? "Installing first OS image" : "Installing second OS image");
			if (*pw && i == 0) {
				char hash[160];

				/* Only a hash is kept: a plaintext bf.cfg value is hashed
				 * (SHA-512 crypt) before it is stored. */
				if (pw[0] != '$' && bf_passwd_hash(pw, BF_PASSWD_SHA512, hash, sizeof(hash)) == 0)
					pw = hash;
				else if (pw[0] != '$')
					pw = "!";   /* a locked account: never the plaintext */
				json_object_object_add(in->pend, "ubuntu_password_hash", json_object_new_string(pw));
				say(in, 0.3, BF_RLOG_INFO, ACT_PASSWORD, "Changing the default password for user ubuntu");
			}
			hook(in, "bfb_modify_os");
		}
	}
	say(in, 0.5, BF_RLOG_INFO, ACT_OS_INSTALLED, "Ubuntu installation completed");
}

/* G. BMC components */

/* The installer's Redfish login to the BMC with BMC_USER/BMC_PASSWORD:
 * checked against the BMC bfsim serves for this device (user root); with
 * no BMC served, any pair is taken. */
static bool bmc_login_ok(struct inst *in)
{
	const char *pw = in->s->bmc_password;

	return !pw || (!strcmp(bf_bfcfg_get(in->cfg, "BMC_USER", "root"), "root") &&
		       !strcmp(bf_bfcfg_get(in->cfg, "BMC_PASSWORD", ""), pw));
}

/* The version the BMC reports for key ("bmc_fw", "cec_fw") and the
 * bundle's compare equal once Redfish's "BF-" and "_n02" are dropped. */
static bool bmc_same(struct inst *in, const char *key, const char *want)
{
	json_object *o;
	const char *run = json_object_object_get_ex(bf_sim_nv_installed(in->s), key, &o) &&
			  json_object_is_type(o, json_type_string) ? json_object_get_string(o) :
			  !strcmp(key, "bmc_fw") ? SIM_BMC_FW_DEFAULT : SIM_CEC_FW_DEFAULT;
	size_t n;

	if (!strncmp(run, "BF-", 3))
		run += 3;
	n = strcspn(run, "_");
	return strlen(want) == n && !strncmp(run, want, n);
}

/* One of BMC or CEC firmware: staged now, active after the BMC's reboot or
 * the CEC's reset (bf_sim_bmc_fw_activate). false when not updated. */
static bool bmc_update_one(struct inst *in, const char *what, const char *key, const char *v, const char *force)
{
	char b[160];

	if (!v || (bmc_same(in, key, v) && !yes(in, force, false)))
		return false;   /* the installer's own log says "same as provided" */
	pend_str(in, key, v);
	snprintf(b, sizeof(b), "Updating %s firmware", what);
	say(in, 1.0, BF_RLOG_INFO, ACT_NONE, b);
	bf_sim_schedule(in->s, in->t, 0, 0, !strcmp(key, "bmc_fw") ? ACT_BMC_FW : ACT_CEC_FW, NULL);
	in->t += 0.2;
	return true;
}

static void bmc_components(struct inst *in)
{
	bool bmc = yes(in, "UPDATE_BMC_FW", true), cec = yes(in, "UPDATE_CEC_FW", true), bmc_done = false;
	char b[160];

	if (!bmc && !cec && !yes(in, "UPDATE_DPU_GOLDEN_IMAGE", true) &&
	    !yes(in, "UPDATE_NIC_FW_GOLDEN_IMAGE", true) && !*bf_bfcfg_get(in->cfg, "NEW_BMC_PASSWORD", ""))
		return;
	hook(in, "pre_bmc_components_update");
	if (!*bf_bfcfg_get(in->cfg, "BMC_USER", "root") || !*bf_bfcfg_get(in->cfg, "BMC_PASSWORD", "")) {
		say(in, 0.3, BF_RLOG_WARN, ACT_NONE, "Skipping BMC components upgrade.");
		return;
	}
	if (!bmc_login_ok(in)) {
		say(in, 0.5, BF_RLOG_ERR, ACT_NONE, "Failed to get BMC token. Check BMC user/password");
		say(in, 0.3, BF_RLOG_WARN, ACT_NONE, "Skipping BMC components upgrade.");
		return;
	}
	hook(in, "bmc_custom_action1");
	if (bmc && (bmc_done = bmc_update_one(in, "BMC", "bmc_fw", in->bmc, "FORCE_BMC_FW_INSTALL")) &&
	    !yes(in, "BMC_REBOOT", false)) {
		snprintf(b, sizeof(b), "BMC firmware was updated to: %s. BMC restart is required.", in->bmc);
		say(in, 0.1, BF_RLOG_INFO, ACT_NONE, b);
	}
	hook(in, "bmc_custom_action2");
	if (cec && bmc_update_one(in, "CEC", "cec_fw", in->cec, "FORCE_CEC_INSTALL") && yes(in, "CEC_REBOOT", false)) {
		/* The ERoT resets itself (Chassis.Reset on Bluefield_ERoT). */
		say(in, 0.5, BF_RLOG_INFO, ACT_CEC_RESET, "Rebooting CEC...");
		snprintf(b, sizeof(b), "CEC firmware was updated to %s.", in->cec);
		say(in, 0.1, BF_RLOG_INFO, ACT_NONE, b);
	}
	hook(in, "bmc_custom_action3");
	if (bmc_done && yes(in, "BMC_REBOOT", false)) {
		/* Manager.Reset, then the installer waits for the BMC to
		 * answer again (10 s, the reboot, then 60 s). */
		say(in, 10.0 + SIM_BMC_REBOOT_S + 60.0, BF_RLOG_INFO, ACT_BMC_REBOOT, "Rebooting BMC...");
	}
	hook(in, "bmc_custom_action4");
	hook(in, "post_bmc_components_update");
}

/* Staged in the form the BMC's FirmwareInventory shows it: "BF-24.07-2"
 * for the BMC, "00.02.0195.0000_n02" for the ERoT (doc/upgrade.md). */
static void stage_bmc(struct bf_sim *s, const char *key)
{
	json_object *p, *v, *st;
	const char *ver;
	char b[160];

	if (!json_object_object_get_ex(s->nv, "pending", &p) || !json_object_object_get_ex(p, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return;
	ver = json_object_get_string(v);
	if (!strcmp(key, "bmc_fw"))
		snprintf(b, sizeof(b), "%s%s", strncmp(ver, "BF-", 3) ? "BF-" : "", ver);
	else
		snprintf(b, sizeof(b), "%s%s", ver, strchr(ver, '_') ? "" : "_n02");
	if (!json_object_object_get_ex(s->nv, "bmc_staged", &st)) {
		st = json_object_new_object();
		json_object_object_add(s->nv, "bmc_staged", st);
	}
	json_object_object_add(st, key, json_object_new_string(b));
	if (bf_sim_nv_save(s) < 0)
		bf_warn("bfsim: cannot write the device's non-volatile state in %s", s->cfg.state_dir);
}

void bf_sim_bmc_fw_activate(struct bf_sim *s, const char *key)
{
	json_object *st, *v;

	if (!json_object_object_get_ex(s->nv, "bmc_staged", &st) || !json_object_object_get_ex(st, key, &v))
		return;
	json_object_object_add(bf_sim_nv_installed(s), key, json_object_get(v));
	json_object_object_del(st, key);
	if (bf_sim_nv_save(s) < 0)
		bf_warn("bfsim: cannot write the device's non-volatile state in %s", s->cfg.state_dir);
}

/* What the real installer finds out the hard way: a bundle for another
 * chip stops it ("Invalid FW Package"), NIC firmware for another PSID fails
 * the NIC update. From the bundle's inventory, with the host's own check.
 * Returns false when the install stops here. */
static bool platform_fits(struct inst *in, bool *nic_ok)
{
	static struct bf_bfb_component comps[BF_BFB_INFO_MAX_COMPS];
	struct bf_sim *s = in->s;
	struct bf_sim_nic_fw nic;
	const char *why;
	char note[200], b[200];
	size_t n = 0;

	*nic_ok = true;
	if (!s->info || bf_bfb_info_components(s->info, s->info_len, comps, BF_BFB_INFO_MAX_COMPS, &n, &why) < 0)
		return true;
	if (bf_bfb_platform_check(comps, n, s->chip->ver, NULL, note, sizeof(note)) < 0) {
		snprintf(b, sizeof(b), "CRITICAL ERROR: Invalid FW Package: not for BlueField-%d", (int)s->chip->ver);
		say(in, 0.1, BF_RLOG_ERR, ACT_STALL, b);
		bf_error_clear();
		return false;
	}
	bf_sim_nic_fw_info(s, &nic);
	if (nic.psid[0] && bf_bfb_platform_check(comps, n, s->chip->ver, nic.psid, note, sizeof(note)) < 0) {
		*nic_ok = false;
		bf_error_clear();
	}
	return true;
}

/* The NIC image the stream carried, checked as the NIC checks a burn
 * (digest, chip, PSID) when it is a firmware image bfsim reads (the
 * sample bundles carry filler: the inventory is trusted, as before). */
static bool nic_image_ok(struct inst *in)
{
	struct bf_fw_image_hdr h;
	char why[200], b[280];

	if (!in->s->nicfw || bf_fw_image_hdr_read(in->s->nicfw, in->s->nicfw_len, &h) < 0) {
		bf_error_clear();
		return true;
	}
	if (bf_sim_nic_check_image(in->s, in->s->nicfw, in->s->nicfw_len, NULL, why, sizeof(why)) == 0)
		return true;
	say(in, 1.5, BF_RLOG_INFO, ACT_NONE, "Updating NIC firmware...");
	/* The public installer scripts log "NIC firmware update failed" (at
	 * INFO); bfsim adds the reason at ERR, as for a PSID mismatch. */
	snprintf(b, sizeof(b), "NIC firmware update failed: %s", why);
	say(in, 0.2, BF_RLOG_ERR, ACT_NONE, b);
	return false;
}

/* H. NIC firmware; returns true when an update was attempted. */
static bool nic_firmware(struct inst *in)
{
	json_object *inst = bf_sim_nv_installed(in->s), *cur, *nf;
	const char *running = json_object_object_get_ex(inst, "nic_fw", &cur) ? jget(cur, "version", "") : "";
	struct bf_sim_nic_fw nic;
	char b[200];

	if (!yes(in, "WITH_NIC_FW_UPDATE", true))
		return false;
	if (!in->nic_ver) {
		say(in, 0.2, BF_RLOG_WARN, ACT_NONE, "NIC Firmware files were not found");
		return false;
	}
	if (!in->nic_fits) {
		bf_sim_nic_fw_info(in->s, &nic);
		say(in, 1.5, BF_RLOG_INFO, ACT_NONE, "Updating NIC firmware...");
		snprintf(b, sizeof(b), "NIC firmware update failed: Invalid FW Package (PSID %s, NIC %s)",
			 in->psid && *in->psid ? in->psid : "other", nic.psid);
		say(in, 0.2, BF_RLOG_ERR, ACT_NONE, b);
		return false;
	}
	if (!nic_image_ok(in))
		return false;
	if (!strcmp(running, in->nic_ver) && !yes(in, "FORCE_NIC_FW_UPDATE", false)) {
		say(in, 0.2, BF_RLOG_INFO, ACT_NONE,
		    "Installed NIC Firmware is the same as provided. Skipping NIC Firmware update.");
		return false;
	}
	nf = json_object_new_object();
	json_object_object_add(nf, "version", json_object_new_string(in->nic_ver));
	json_object_object_add(nf, "psid", json_object_new_string(in->psid));
	json_object_object_add(in->pend, "nic_fw", nf);
	say(in, 1.5, BF_RLOG_INFO, ACT_NONE, "Updating NIC firmware...");
	snprintf(b, sizeof(b), "NIC firmware update done: %s", in->nic_ver);
	say(in, 0.2, BF_RLOG_INFO, ACT_NIC_FW, b);
	return true;
}

void bf_sim_installer_start(struct bf_sim *s, double t)
{
	struct inst in = { .s = s, .t = t + 1.0 };
	bool nic_mode = ((s->rsh[s->chip->r.scratchpad2 / 8] & BF_SP2_MODE_MASK) >> BF_SP2_MODE_SHIFT) == BF_MODE_NIC;
	bool nic_updated;
	int r;

	s->phase = PH_INSTALLER;
	versions(&in);
	json_object_object_del(s->nv, "pending");
	in.pend = json_object_new_object();
	json_object_object_add(s->nv, "pending", in.pend);
	if (s->bfcfg_len) {
		say(&in, 0.1, BF_RLOG_INFO, ACT_NONE, "Found bf.cfg");
		r = bf_bfcfg_parse(s->bfcfg, s->bfcfg_len, &in.cfg);
		if (r < 0) {
			/* The installer would not source it: defaults apply. */
			say(&in, 0.1, BF_RLOG_INFO, ACT_NONE, "Invalid bf.cfg");
			in.cfg = NULL;
		}
	}
	if (!in.cfg && bf_bfcfg_parse("", 0, &in.cfg) < 0)
		return;
	if (!platform_fits(&in, &in.nic_fits)) {
		bf_bfcfg_free(in.cfg);
		return;
	}
	/* C. the OS (not in NIC mode, not from a firmware bundle) */
	if (!nic_mode && !strcmp(in.kind, "full") && yes(&in, "UPDATE_DPU_OS", true))
		install_os(&in);
	hook(&in, "bfb_custom_action1");
	/* E/F. ATF and UEFI: no RShim message upstream */
	if (yes(&in, "UPDATE_ATF_UEFI", true) && (in.atf || in.uefi)) {
		hook(&in, "pre_update_atf_uefi");
		pend_str(&in, "atf", in.atf);
		pend_str(&in, "uefi", in.uefi);
		pend_str(&in, "bsp", in.bsp);
		bf_sim_schedule(s, in.t, 0, 0, ACT_ATF_UEFI, NULL);
		in.t += 0.5;
		hook(&in, "post_update_atf_uefi");
	}
	bmc_components(&in);
	nic_updated = nic_firmware(&in);
	hook(&in, "bfb_post_install");
	say(&in, 0.3, BF_RLOG_INFO, ACT_NONE, "Installation finished");
	if (nic_mode) {
		say(&in, 0.1, BF_RLOG_INFO, ACT_NIC_MODE, "In Enhanced NIC mode");
	} else {
		/* J. NIC firmware reset, then K. the reboot */
		if (nic_updated && yes(&in, "NIC_FW_RESET", true))
			say(&in, 0.5, BF_RLOG_INFO, ACT_NONE, "Running NIC Firmware reset");
		else if (nic_updated)
			say(&in, 0.1, BF_RLOG_INFO, ACT_NONE, "Skip NIC Firmware reset");
		say(&in, 0.1, BF_RLOG_INFO, ACT_REBOOT, "Rebooting...");
	}
	bf_bfcfg_free(in.cfg);
}

/* Boot from eMMC: the installed OS, if any. */
void bf_sim_os_boot(struct bf_sim *s, double t)
{
	json_object *os;

	if (json_object_object_get_ex(bf_sim_nv_installed(s), "os", &os)) {
		s->phase = PH_REBOOT;
		bf_sim_schedule(s, t + 2.0, BF_RLOG_UEFI, BF_RLOG_INFO, ACT_NONE, "exit Boot Service");
		bf_sim_schedule(s, t + 4.0, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Linux up");
		bf_sim_schedule(s, t + 4.5, BF_RLOG_MISC, BF_RLOG_INFO, ACT_OS_UP, "DPU is ready");
		bf_sim_runtime_publish(s, t + 4.2);   /* once up, before it says it is ready */
	} else {
		s->phase = PH_NO_OS;
		bf_sim_schedule(s, t + 2.0, BF_RLOG_UEFI, BF_RLOG_WARN, ACT_NONE,
				"no bootable OS on eMMC: waiting in UEFI");   /* [unverified] */
	}
}

static void promote(struct bf_sim *s, const char *key)
{
	json_object *p, *v;

	if (json_object_object_get_ex(s->nv, "pending", &p) && json_object_object_get_ex(p, key, &v)) {
		json_object_object_add(bf_sim_nv_installed(s), key, json_object_get(v));
		if (bf_sim_nv_save(s) < 0)
			bf_warn("bfsim: cannot write the device's non-volatile state in %s", s->cfg.state_dir);
	}
}

static void os_up(struct bf_sim *s)
{
	json_object *os;

	s->phase = PH_OS;
	if (json_object_object_get_ex(bf_sim_nv_installed(s), "os", &os))
		bf_sim_console_banner(s, jget(os, "name", "Ubuntu"), jget(os, "version", ""),
				      jget(os, "hostname", "localhost"));
}

void bf_sim_apply_action(struct bf_sim *s, const struct sim_event *e)
{
	switch ((enum sim_action)e->action) {
	case ACT_OS_INSTALLED:
		promote(s, "os");
		break;
	case ACT_PASSWORD:
		promote(s, "ubuntu_password_hash");
		break;
	case ACT_ATF_UEFI:
		promote(s, "atf");
		promote(s, "uefi");
		promote(s, "bsp");
		break;
	case ACT_NIC_FW:
		promote(s, "nic_fw");
		bf_sim_nic_sync_installed(s);
		break;
	case ACT_BMC_FW:
		stage_bmc(s, "bmc_fw");
		break;
	case ACT_CEC_FW:
		stage_bmc(s, "cec_fw");
		break;
	case ACT_CEC_RESET:
		if (!s->cfg.fault_no_activate)
			bf_sim_bmc_fw_activate(s, "cec_fw");
		break;
	case ACT_BMC_REBOOT:
		/* A served BMC reboots (bmc.c) and activates it then; with
		 * none served, at once. */
		if (s->bmc_password)
			s->bmc_reboot_req = true;
		else if (!s->cfg.fault_no_activate)
			bf_sim_bmc_fw_activate(s, "bmc_fw");
		break;
	case ACT_REBOOT:
		/* The installer reboots the DPU: boot from eMMC now. */
		s->rsh[s->chip->r.boot_control / 8] = BF_BOOT_CONTROL_EMMC;
		s->phase = PH_REBOOT;
		bf_sim_os_boot(s, e->t + 1.0);
		break;
	case ACT_OS_UP:
		os_up(s);
		bf_sim_dpuos_start(s);
		bf_sim_runtime_os_up(s);
		break;
	case ACT_OS_IMAGE: {
		json_object *p, *os;

		bf_sim_dpuos_image(s, json_object_object_get_ex(s->nv, "pending", &p) &&
				   json_object_object_get_ex(p, "os", &os) ? jget(os, "release", "unknown") : "unknown");
		break;
	}
	case ACT_HOOK: {
		/* "Running NAME from bf.cfg" */
		char name[64];

		if (sscanf(e->text, "Running %63s from bf.cfg", name) == 1)
			bf_sim_hook_run(s, name);
		break;
	}
	case ACT_NIC_MODE:
		s->phase = PH_NIC_MODE;
		break;
	case ACT_STALL:
		s->phase = PH_STALLED;
		s->stalled = true;
		break;
	case ACT_RT_DONE:
	case ACT_RT_POWERCUT:
		bf_sim_runtime_action(s, e);
		break;
	case ACT_NONE:
		break;
	}
}
