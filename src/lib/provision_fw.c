/* provision_fw.c - the firmware step of bfctl provision: the profile's
 * firmware: NV parameters, compared with the NIC's next-boot values and
 * written (as 'bfctl fw config set' writes them: staged, one commit, then
 * mlxconfig's reset preparation) only when they differ. The NIC is reached
 * where the host has a path to it: sim:N (the simulated NIC), pcie:BDF
 * (function 0 beside the RShim function). Through USB or rshimd the host
 * has none: the step says so and leaves the parameters to the DPU or BMC.
 * A parameter whose value in effect is not the profile's (just written, or
 * written by an earlier run) needs a NIC reset: the step resets the NIC
 * as 'bfctl fw reset' does and reads the values in effect back. */
#include "config.h"
#include "provision_int.h"
#include "error.h"
#include "fw/dev.h"
#include "fw/nvconf.h"
#include "fw/params.h"
#include "fw/reset.h"
#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool nic_name(const char *dev, char *nic, size_t cap)
{
	size_t n = strlen(dev);

	if (!strncmp(dev, "sim:", 4) && n < cap) {
		snprintf(nic, cap, "%s", dev);
		return true;
	}
	if (!strncmp(dev, "pcie:", 5) && n > 7 && n - 5 < cap && dev[n - 2] == '.') {
		snprintf(nic, cap, "%s", dev + 5);
		nic[strlen(nic) - 1] = '0';
		return true;
	}
	return false;
}

/* Stage every parameter whose next-boot value differs (*changed counts
 * them); *pending counts those whose value in effect differs (written now
 * or by an earlier run): they need a NIC reset. With stage false, only
 * count (after the reset). */
static int stage_all(struct bf_prov *p, const struct bf_profile *prof, struct bf_fw_nvconf *c,
		     const struct bf_fw_params *db, bool stage, unsigned *changed, unsigned *pending)
{
	struct bf_fw_nvitem it;
	size_t i;
	int r;

	for (i = 0; i < prof->nfirmware; i++) {
		const struct bf_profile_kv *kv = &prof->firmware[i];
		const struct bf_fw_param *fp;
		unsigned port = 0;
		uint32_t v;

		bf_error_clear();
		if (!(fp = bf_fw_params_find(db, kv->key, c->nports, &port)) || bf_fw_param_parse_value(fp, kv->value, &v) < 0)
			return bf_prov_fail(p, BF_EXIT_INPUT, -EINVAL, "fix the profile's firmware: layer; nothing was touched",
					    "%s: firmware.%s: %s", p->o->device, kv->key, bf_error_or("invalid"));
		memset(&it, 0, sizeof(it));
		if ((r = bf_fw_nvconf_get(c, fp, port, &it)) < 0)
			return bf_prov_fail(p, BF_EXIT_DEVICE, r, NULL, "%s: cannot read %s: %s", p->o->device, kv->key,
					    bf_error_str(r));
		if (c->has_current && it.cur != v) {
			if (!stage)
				bf_prov_info(p, "firmware %s: %u in effect after the NIC reset, the profile has %u", it.name,
					     it.cur, v);
			(*pending)++;
		}
		if (it.next == v || !stage)
			continue;
		if ((r = bf_fw_nvconf_stage(c, &it, v)) < 0)
			return bf_prov_fail(p, BF_EXIT_INPUT, r, "fix the profile's firmware: layer",
					    "%s: firmware.%s=%s refused: %s", p->o->device, kv->key, kv->value, bf_error_str(r));
		bf_prov_info(p, "firmware %s: %u -> %u (next boot)", it.name, it.next, v);
		(*changed)++;
	}
	return 0;
}

/* The NIC reset that makes the written values current: level 3 (driver
 * restart and PCI reset) of the type the NIC prefers, as 'bfctl fw reset'
 * without --level does when live patching is not offered; then the values
 * in effect are read again. 0, or an exit code (the step failed). */
static int reset_nic(struct bf_prov *p, const struct bf_profile *prof, struct bf_fw_dev *d, struct bf_fw_nvconf *c,
		     const struct bf_fw_params *db, unsigned pending)
{
	struct bf_fw_reset_opts o = { .level = 3, .sync = BF_FW_SYNC_DRIVER, .timeout_s = 180 };
	struct bf_fw_reset_caps caps;
	unsigned changed = 0, left = 0;
	bool waited = false;
	int r;

	if ((r = bf_fw_reset_query(d, &caps)) < 0)
		return bf_prov_fail(p, BF_EXIT_DEVICE, r, NULL, "%s: cannot query the NIC's reset levels: %s", p->o->device,
				    bf_error_str(r));
	if (!bf_fw_reset_level_ok(&caps, 3) || caps.default_type < 0) {
		bf_prov_info(p, "%u firmware parameter%s not in effect and the NIC offers no reset at level 3: "
			     "a power cycle makes %s current", pending, pending == 1 ? "" : "s", pending == 1 ? "it" : "them");
		return 0;
	}
	o.type = caps.default_type;
	bf_prov_info(p, "resetting the NIC (reset level 3, type %d: %s) so that %u firmware parameter%s take%s effect",
		     o.type, bf_fw_reset_type_text(o.type), pending, pending == 1 ? "" : "s", pending == 1 ? "s" : "");
	bf_fw_nvconf_close(c);
	if ((r = bf_fw_reset(d, &o, &waited)) < 0 || !waited)
		return bf_prov_fail(p, BF_EXIT_DEVICE, r < 0 ? r : -EIO,
				    "check the NIC with 'bfctl fw query', reset it with 'bfctl fw reset' or power cycle, "
				    "then run provision again", "%s: the NIC reset failed: %s", p->o->device,
				    r < 0 ? bf_error_str(r) : "the NIC did not go down");
	if ((r = bf_fw_nvconf_open(c, d, db)) < 0)
		return bf_prov_fail(p, BF_EXIT_DEVICE, r, NULL, "%s: cannot read the NIC's configuration after its reset: %s",
				    p->o->device, bf_error_str(r));
	if ((r = stage_all(p, prof, c, db, false, &changed, &left)) != 0)
		return r;
	if (left)
		return bf_prov_fail(p, BF_EXIT_DEVICE, -EAGAIN, "power cycle the server (the firmware applies them only then), "
				    "then run provision again", "%s: %u firmware parameter%s not in effect after the NIC reset",
				    p->o->device, left, left == 1 ? "" : "s");
	bf_prov_info(p, "the NIC reset: the profile's %zu firmware parameter%s in effect", prof->nfirmware,
		     prof->nfirmware == 1 ? " is" : "s are");
	return 0;
}

int bf_prov_firmware(struct bf_prov *p, const struct bf_profile *prof, bool *changed_any)
{
	struct bf_fw_params db;
	struct bf_fw_nvconf c;
	struct bf_fw_dev *d = NULL;
	unsigned changed = 0, pending = 0;
	bool prepared = false, dpu = false;
	char nic[96];
	int r;

	*changed_any = false;
	if (!prof->nfirmware)
		return 0;
	if (!nic_name(p->o->device, nic, sizeof(nic))) {
		bf_prov_info(p, "%zu firmware parameter%s in the profile: the host has no path to the NIC through %s; "
			     "set them from the DPU or the BMC (mlxconfig), or run provision through pcie:BDF",
			     prof->nfirmware, prof->nfirmware == 1 ? "" : "s", p->o->device);
		return 0;
	}
	if ((r = bf_fw_params_load(&db)) < 0)
		return bf_prov_fail(p, BF_EXIT_FAILURE, r, NULL, "%s: cannot load the firmware parameter database", p->o->device);
	if ((r = bf_fw_dev_open(nic, &d)) < 0) {
		bf_fw_params_free(&db);
		return bf_prov_fail(p, BF_EXIT_DEVICE, r, "check the device with 'bfctl fw query'", "%s: cannot open the NIC %s: %s",
				    p->o->device, nic, bf_error_str(r));
	}
	if ((r = bf_fw_nvconf_open(&c, d, &db)) < 0) {
		r = bf_prov_fail(p, BF_EXIT_DEVICE, r, NULL, "%s: cannot read the NIC's configuration: %s", p->o->device,
				 bf_error_str(r));
		goto out_dev;
	}
	r = stage_all(p, prof, &c, &db, true, &changed, &pending);
	if (r == 0 && changed) {
		if ((r = bf_fw_nvconf_commit(&c)) < 0)
			r = bf_prov_fail(p, BF_EXIT_DEVICE, r, NULL, "%s: cannot write the NIC's configuration: %s", p->o->device,
					 bf_error_str(r));
		else if (bf_fw_nvconf_prepare_reset(&c, &prepared, &dpu) < 0)
			bf_error_clear();
		if (r == 0)
			bf_prov_info(p, "%u firmware parameter%s written for the next boot", changed, changed == 1 ? "" : "s");
	}
	if (r == 0 && pending) {
		*changed_any = true;
		r = reset_nic(p, prof, d, &c, &db, pending);
	} else if (r == 0 && changed) {
		*changed_any = true;
	} else if (r == 0) {
		bf_prov_info(p, "the NIC's %zu firmware parameter%s already as in the profile", prof->nfirmware,
			     prof->nfirmware == 1 ? " is" : "s are");
	}
	bf_fw_nvconf_close(&c);
out_dev:
	bf_fw_dev_close(d);
	bf_fw_params_free(&db);
	return r;
}
