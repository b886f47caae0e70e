/* runtime.c - the deferred ("runtime") firmware upgrade a BlueField-3 runs
 * while its OS keeps running, and the activation of what it staged.
 *
 * The host's side (upstream bfb-install --deferred, bfctl upgrade
 * --deferred): SCRATCHPAD2 bit 2 set and SWINT bit 2 written, then the
 * bundle pushed into the boot FIFO without a reset (BOOT_RESET_SKIP). The
 * DPU side modelled here: on SWINT with SP2 bit 2, the running OS reads the
 * boot FIFO (the images of a flat bundle); once the stream stays idle it
 * stages what the bundle carries in the background (simulated time), logs
 * "Runtime upgrade finished" and reports the outcome in SP2 bits 12:11
 * (10b success, 11b failure). Nothing runs yet: the ATF/UEFI/BSP capsule
 * waits for the next ARM reset, the NIC image waits in the NIC's other
 * flash bank for a NIC reset or a live patch (nic.c). ActivateFirmware
 * (SP2 bit 6 with SWINT) is acknowledged in the same bits.
 *
 * Lines other than "Runtime upgrade finished" are this simulator's own
 * wording (marked [unverified]). The running ATF/UEFI/BSP versions are
 * published in the RShim log once the OS is up ("Running versions: ...");
 * no public source shows how a DPU reports them over RShim, this is the
 * simulator's convention (doc/upgrade.md). */
#include "config.h"
#include "sim_int.h"
#include "error.h"
#include "log.h"
#include "nic.h"
#include "fw/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP2_DEFERRED     0x4ull
#define SP2_ACTIVATE     0x40ull
#define SP2_STATUS_MASK  0x1800ull
#define SP2_STATUS_OK    0x1000ull
#define SP2_STATUS_FAIL  0x1800ull

#define T_CAPSULE  8.0     /* staging the ATF/UEFI capsule, simulated seconds */
#define T_NIC      10.0    /* writing the NIC image to the other bank */
#define T_START    0.5

static const char *const arm_keys[] = { "atf", "uefi", "bsp", NULL };

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) > 64)
		return NULL;
	return json_object_get_string(v);
}

const char *bf_sim_info_version(json_object *info, const char *chip, const char *what)
{
	json_object *m;
	char want[32];
	size_t i, n;

	if (!info || !json_object_object_get_ex(info, "Members", &m) || !json_object_is_type(m, json_type_array))
		return NULL;
	snprintf(want, sizeof(want), "%s%s%s", chip ? chip : "", chip ? "_" : "", what);
	n = json_object_array_length(m);
	for (i = 0; i < n && i < 256; i++) {
		json_object *e = json_object_array_get_idx(m, i);
		const char *name = jstr(e, "Name");

		if (name && !strcmp(name, want))
			return jstr(e, "Version");
	}
	return NULL;
}

static uint64_t *sp2(struct bf_sim *s)
{
	return &s->rsh[s->chip->r.scratchpad2 / 8];
}

static void set_status(struct bf_sim *s, uint64_t st)
{
	*sp2(s) = (*sp2(s) & ~SP2_STATUS_MASK) | st;
}

static void drop_image(struct bf_sim *s)
{
	free(s->rt.nicfw);
	s->rt.nicfw = NULL;
	s->rt.nicfw_len = 0;
	s->rt.nicfw_over = s->rt.capsule = s->rt.bad_image = false;
}

void bf_sim_runtime_free(struct bf_sim *s)
{
	drop_image(s);
}

bool bf_sim_runtime_receiving(const struct bf_sim *s)
{
	return s->rt.receiving;
}

bool bf_sim_runtime_held(const struct bf_sim *s)
{
	return s->chip->ver == BF_CHIP_BF3 && !s->rt.receiving && s->phase != PH_RUNTIME &&
	       (s->rsh[s->chip->r.scratchpad2 / 8] & SP2_DEFERRED) &&
	       (s->rsh[s->chip->r.boot_control / 8] & 3) != BF_BOOT_CONTROL_RSHIM;
}

void bf_sim_runtime_os_up(struct bf_sim *s)
{
	if (*sp2(s) & SP2_DEFERRED)
		bf_sim_runtime_swint(s);
}

static json_object *nv_obj(struct bf_sim *s, const char *key)
{
	json_object *o;

	if (!json_object_object_get_ex(s->nv, key, &o) || !json_object_is_type(o, json_type_object)) {
		o = json_object_new_object();
		json_object_object_add(s->nv, key, o);
	}
	return o;
}

static bool staged_any(struct bf_sim *s)
{
	struct bf_sim_nic_fw nic;
	json_object *st;

	bf_sim_nic_fw_info(s, &nic);
	return nic.pending[0] || (json_object_object_get_ex(s->nv, "staged", &st) &&
				  json_object_is_type(st, json_type_object) && json_object_object_length(st));
}

void bf_sim_runtime_swint(struct bf_sim *s)
{
	uint64_t v = *sp2(s);

	if (s->chip->ver != BF_CHIP_BF3)
		return;
	if ((v & SP2_ACTIVATE) && s->phase != PH_RUNTIME) {
		/* ActivateFirmware: what was staged is marked for activation
		 * at the next reset. [unverified] wording */
		set_status(s, staged_any(s) ? SP2_STATUS_OK : SP2_STATUS_FAIL);
		bf_sim_schedule(s, bf_sim_now(s), BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE,
				"ActivateFirmware: %s", staged_any(s) ? "firmware pending a reset" : "nothing staged");
		return;
	}
	if (!(v & SP2_DEFERRED) || s->rt.receiving || (s->phase != PH_OS && s->phase != PH_NIC_MODE))
		return;
	/* The running OS takes the boot FIFO for a runtime upgrade. */
	drop_image(s);
	s->rt.receiving = true;
	s->rt.prev = s->phase;
	s->phase = PH_RUNTIME;
	set_status(s, 0);
	bf_sim_stream_reset(s);
	s->last_data_t = bf_sim_now(s);
	bf_sim_schedule(s, bf_sim_now(s), BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE,
			"Runtime upgrade: waiting for the bundle");   /* [unverified] */
}

void bf_sim_runtime_image(struct bf_sim *s, unsigned id, const uint8_t *buf, size_t len)
{
	uint8_t *n;

	if (!s->rt.receiving)
		return;
	if (id == 52) {
		s->rt.capsule = true;
		return;
	}
	if (s->rt.nicfw_over || s->rt.nicfw_len + len > SIM_NICFW_MAX) {
		s->rt.nicfw_over = true;
		return;
	}
	n = realloc(s->rt.nicfw, s->rt.nicfw_len + len);
	if (!n) {
		s->rt.nicfw_over = true;
		return;
	}
	memcpy(n + s->rt.nicfw_len, buf, len);
	s->rt.nicfw = n;
	s->rt.nicfw_len += len;
}

void bf_sim_runtime_bad_image(struct bf_sim *s, const char *why)
{
	double now = bf_sim_now(s);

	if (!s->rt.receiving)
		return;
	s->rt.receiving = false;
	bf_sim_schedule(s, now, BF_RLOG_MISC, BF_RLOG_ERR, ACT_NONE, "Runtime upgrade failed: %s", why); /* [unverified] */
	json_object_object_add(s->nv, "staging", json_object_new_object());
	json_object_object_add(nv_obj(s, "staging"), "ok", json_object_new_boolean(0));
	bf_sim_schedule(s, now + 0.1, BF_RLOG_MISC, BF_RLOG_INFO, ACT_RT_DONE, "Runtime upgrade finished");
}

/* The stream stayed idle: stage what it carried. */
void bf_sim_runtime_idle(struct bf_sim *s, double now)
{
	const char *chip = s->chip->ver == BF_CHIP_BF3 ? "BF3" : "BF2";
	json_object *st;
	double t = now + T_START, total;
	bool ok = true;
	size_t i;

	if (!s->parser.nimages)
		return;   /* nothing came yet */
	st = json_object_new_object();
	s->rt.receiving = false;
	json_object_object_add(s->nv, "staging", st);
	bf_sim_schedule(s, now, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Runtime upgrade started");   /* [unverified] */
	if (s->rt.capsule) {
		static const char *const what[] = { "ATF", "UEFI", "BSP" };

		for (i = 0; arm_keys[i]; i++) {
			const char *v = bf_sim_info_version(s->info_json, chip, what[i]);
			const char *cur = jstr(bf_sim_nv_installed(s), arm_keys[i]);

			if (v && (!cur || strcmp(cur, v)))
				json_object_object_add(st, arm_keys[i], json_object_new_string(v));
		}
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Staging the ATF/UEFI capsule"); /* [unverified] */
		t += T_CAPSULE;
	}
	if (s->rt.nicfw_len || s->rt.nicfw_over) {
		struct bf_fw_image_hdr h;

		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Staging NIC firmware");   /* [unverified] */
		t += T_NIC;
		if (s->rt.nicfw_over || bf_fw_image_check(s->rt.nicfw, s->rt.nicfw_len, &h) < 0) {
			bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_ERR, ACT_NONE,
					"NIC firmware update failed: the image failed the firmware's checks"); /* [unverified] */
			bf_error_clear();
			ok = false;
		}
	}
	json_object_object_add(st, "ok", json_object_new_boolean(ok));
	total = t - now;
	if (s->cfg.fault_powercut == BF_SIM_POWERCUT_STAGING && !s->rt.powercut_fired)
		bf_sim_schedule(s, now + total / 2, 0, 0, ACT_RT_POWERCUT, NULL);
	/* The upgrade service publishes what runs (unchanged), then ends. */
	bf_sim_runtime_publish(s, t + 0.1);
	bf_sim_schedule(s, t + 0.2, BF_RLOG_MISC, BF_RLOG_INFO, ACT_RT_DONE, "Runtime upgrade finished");
}

static void finish(struct bf_sim *s)
{
	json_object *st = nv_obj(s, "staging"), *v;
	bool ok = json_object_object_get_ex(st, "ok", &v) && json_object_get_boolean(v);
	char why[200];
	size_t i;

	if (ok && (s->rt.nicfw_len || s->rt.nicfw_over)) {
		if (!s->rt.nicfw || bf_sim_nic_stage_image(s, s->rt.nicfw, s->rt.nicfw_len, why, sizeof(why)) < 0) {
			bf_sim_log(s, BF_RLOG_MISC, BF_RLOG_ERR, "NIC firmware update failed");   /* [unverified] */
			ok = false;
		}
	}
	if (ok)
		for (i = 0; arm_keys[i]; i++) {
			const char *x = jstr(st, arm_keys[i]);

			if (x)
				json_object_object_add(nv_obj(s, "staged"), arm_keys[i], json_object_new_string(x));
		}
	json_object_object_del(s->nv, "staging");
	set_status(s, ok ? SP2_STATUS_OK : SP2_STATUS_FAIL);
	drop_image(s);
	if (s->phase == PH_RUNTIME)
		s->phase = s->rt.prev == PH_NIC_MODE ? PH_NIC_MODE : PH_OS;
	if (bf_sim_nv_save(s) < 0)
		bf_warn("bfsim: cannot write the device's non-volatile state in %s", s->cfg.state_dir);
}

void bf_sim_runtime_action(struct bf_sim *s, const struct sim_event *e)
{
	if (e->action == ACT_RT_DONE) {
		finish(s);
	} else if (e->action == ACT_RT_POWERCUT) {
		/* Power lost while staging: nothing staged survives; the DPU
		 * boots again from eMMC with what it ran before. */
		s->rt.powercut_fired = true;
		json_object_object_del(s->nv, "staging");
		drop_image(s);
		s->rt.receiving = false;
		bf_sim_nic_power_loss(s);
		bf_sim_chip_reset_arm(s);
	}
}

void bf_sim_chip_reset_arm(struct bf_sim *s)
{
	s->rsh[s->chip->r.boot_control / 8] = BF_BOOT_CONTROL_EMMC;
	bf_sim_chip_reset(s);
}

void bf_sim_runtime_arm_reset(struct bf_sim *s)
{
	json_object *st, *v;
	size_t i;

	s->rt.receiving = false;
	drop_image(s);
	if (s->cfg.fault_no_activate)
		return;   /* the DPU boots its old firmware again */
	if (!json_object_object_get_ex(s->nv, "staged", &st) || !json_object_is_type(st, json_type_object))
		return;
	for (i = 0; arm_keys[i]; i++)
		if (json_object_object_get_ex(st, arm_keys[i], &v) && json_object_is_type(v, json_type_string))
			json_object_object_add(bf_sim_nv_installed(s), arm_keys[i], json_object_get(v));
	json_object_object_del(s->nv, "staged");
	if (bf_sim_nv_save(s) < 0)
		bf_warn("bfsim: cannot write the device's non-volatile state in %s", s->cfg.state_dir);
}

void bf_sim_runtime_publish(struct bf_sim *s, double t)
{
	json_object *in = bf_sim_nv_installed(s);
	const char *atf = jstr(in, "atf"), *uefi = jstr(in, "uefi"), *bsp = jstr(in, "bsp");

	if (!atf && !uefi && !bsp)
		return;
	bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Running versions: ATF=%s UEFI=%s BSP=%s",
			atf ? atf : "unknown", uefi ? uefi : "unknown", bsp ? bsp : "unknown");
}
