/* installer.c - the BFB installer on the simulated DPU: reads bf.cfg
 * (never as shell), honours its gates, logs the installer's RShim strings
 * in order (spec: bfcfg-install.md 4), records what it installed, reboots
 * into the OS ("Linux up", "DPU is ready"). */
#include "config.h"
#include "sim_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_KEYS 256

struct cfgkv {
	char key[64];
	char val[256];
};

struct cfg {
	struct cfgkv kv[CFG_MAX_KEYS];
	unsigned n;
	bool invalid;
};

/* A reader for the assignments of bf.cfg: NAME=VALUE with '...', "..."
 * (\\ \" \$ \` escapes, no expansion) or bare words; `export`; comments;
 * function bodies skipped. Anything else marks the file invalid (the real
 * installer's `bash -n` would be the judge; this reader never executes). */
static void cfg_parse(struct cfg *c, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int depth = 0;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q;
		char key[64], val[256];
		size_t k = 0, v = 0;

		if (!eol)
			eol = end;
		q = p;
		p = eol + 1;
		while (q < eol && isspace((unsigned char)*q))
			q++;
		if (q == eol || *q == '#')
			continue;
		if (depth > 0) {
			/* Inside a hook's body: track braces only. */
			for (; q < eol; q++)
				depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
			continue;
		}
		if (eol - q > 7 && !strncmp(q, "export", 6) && isspace((unsigned char)q[6]))
			for (q += 6; q < eol && isspace((unsigned char)*q); q++)
				;
		while (q < eol && (isalnum((unsigned char)*q) || *q == '_') && k < sizeof(key) - 1)
			key[k++] = *q++;
		key[k] = '\0';
		if (k && q + 1 < eol && q[0] == '(' && q[1] == ')') {
			/* name() { ... } : a hook, kept opaque */
			for (; q < eol; q++)
				depth += *q == '{' ? 1 : *q == '}' ? -1 : 0;
			continue;
		}
		if (!k || isdigit((unsigned char)key[0]) || q >= eol || *q != '=') {
			c->invalid = true;
			continue;
		}
		q++;
		while (q < eol && !isspace((unsigned char)*q) && *q != '#' && v < sizeof(val) - 1) {
			if (*q == '\'') {
				for (q++; q < eol && *q != '\'' && v < sizeof(val) - 1; q++)
					val[v++] = *q;
				if (q < eol)
					q++;
			} else if (*q == '"') {
				for (q++; q < eol && *q != '"' && v < sizeof(val) - 1; q++) {
					if (*q == '\\' && q + 1 < eol && strchr("\\\"$`", q[1]))
						q++;
					val[v++] = *q;
				}
				if (q < eol)
					q++;
			} else {
				val[v++] = *q++;
			}
		}
		val[v] = '\0';
		if (c->n < CFG_MAX_KEYS) {
			snprintf(c->kv[c->n].key, sizeof(c->kv[c->n].key), "%s", key);
			snprintf(c->kv[c->n].val, sizeof(c->kv[c->n].val), "%s", val);
			c->n++;
		}
	}
}

static const char *cfg_get(const struct cfg *c, const char *key, const char *def)
{
	unsigned i;
	const char *v = def;

	for (i = 0; i < c->n; i++)   /* the last assignment wins, as in bash */
		if (!strcmp(c->kv[i].key, key))
			v = c->kv[i].val;
	return v;
}

static bool yes(const struct cfg *c, const char *key, const char *def)
{
	return !strcmp(cfg_get(c, key, def), "yes");
}

static const char *mstr(json_object *o, const char *path, const char *def)
{
	char buf[128], *save = NULL, *tok;
	json_object *cur = o, *next;

	if (!o)
		return def;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
		if (!json_object_object_get_ex(cur, tok, &next))
			return def;
		cur = next;
	}
	return json_object_is_type(cur, json_type_string) ? json_object_get_string(cur) : def;
}

static void nv_set(struct bf_sim *s, const char *key, json_object *v)
{
	json_object_object_add(bf_sim_nv_installed(s), key, v);
}

/* Pending values (what the installer wrote) become installed by actions. */
static json_object *pending(struct bf_sim *s)
{
	json_object *p;

	if (!json_object_object_get_ex(s->nv, "pending", &p)) {
		p = json_object_new_object();
		json_object_object_add(s->nv, "pending", p);
	}
	return p;
}

void bf_sim_installer_start(struct bf_sim *s, double t)
{
	json_object *m = s->manifest, *pend, *inst = bf_sim_nv_installed(s), *cur;
	const char *kind = mstr(m, "kind", "unknown");
	const char *nic_ver = mstr(m, "nic_fw.version", NULL), *pw;
	bool nic_mode = ((s->rsh[s->chip->r.scratchpad2 / 8] & BF_SP2_MODE_MASK) >> BF_SP2_MODE_SHIFT) == BF_MODE_NIC;
	bool nic_updated = false;
	struct cfg *c = calloc(1, sizeof(*c));

	if (!c)
		return;
	s->phase = PH_INSTALLER;
	cfg_parse(c, s->bfcfg ? s->bfcfg : "", s->bfcfg_len);
	json_object_object_del(s->nv, "pending");
	pend = pending(s);
	t += 1.0;
	if (s->bfcfg_len) {
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Found bf.cfg");
		if (c->invalid) {
			bf_sim_schedule(s, t + 0.1, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Invalid bf.cfg");
			c->n = 0;   /* the installer drops a bf.cfg that does not parse */
		}
		t += 0.2;
	}
	/* C. the OS */
	if (!nic_mode && yes(c, "UPDATE_DPU_OS", "yes") && !strcmp(kind, "full")) {
		json_object *os = json_object_new_object();

		json_object_object_add(os, "name", json_object_new_string(mstr(m, "os.name", "unknown")));
		json_object_object_add(os, "version", json_object_new_string(mstr(m, "os.version", "unknown")));
		json_object_object_add(os, "release", json_object_new_string(mstr(m, "release", "unknown")));
		json_object_object_add(os, "doca", json_object_new_string(mstr(m, "doca", "unknown")));
		json_object_object_add(os, "hostname", json_object_new_string(cfg_get(c, "HOSTNAME", "localhost")));
		json_object_object_add(pend, "os", os);
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Ubuntu installation started");
		bf_sim_schedule(s, t + 0.5, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Installing OS image");
		t += 3.0;
		pw = cfg_get(c, "ubuntu_PASSWORD", "");
		if (*pw) {
			json_object_object_add(pend, "ubuntu_password_hash", json_object_new_string(pw));
			bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_PASSWORD,
					"Changing the default password for user ubuntu");
			t += 0.3;
		}
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_OS_INSTALLED,
				"Ubuntu installation completed");
		t += 0.5;
	}
	/* E/F. ATF and UEFI (no RShim message upstream) */
	if (yes(c, "UPDATE_ATF_UEFI", "yes") && m) {
		json_object_object_add(pend, "atf", json_object_new_string(mstr(m, "atf", "unknown")));
		json_object_object_add(pend, "uefi", json_object_new_string(mstr(m, "uefi", "unknown")));
		json_object_object_add(pend, "bsp", json_object_new_string(mstr(m, "bsp", "unknown")));
		bf_sim_schedule(s, t, 0, 0, ACT_ATF_UEFI, NULL);
		t += 0.5;
	}
	/* G. BMC components */
	if (yes(c, "UPDATE_BMC_FW", "yes") || yes(c, "UPDATE_CEC_FW", "yes")) {
		if (!*cfg_get(c, "BMC_PASSWORD", "")) {
			bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_WARN, ACT_NONE, "Skipping BMC components upgrade.");
		} else {
			if (yes(c, "UPDATE_BMC_FW", "yes") && mstr(m, "bmc_fw", NULL)) {
				json_object_object_add(pend, "bmc_fw", json_object_new_string(mstr(m, "bmc_fw", "")));
				bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Updating BMC firmware");
				bf_sim_schedule(s, t + 1.0, BF_RLOG_MISC, BF_RLOG_INFO, ACT_BMC_FW,
						"BMC firmware was updated to: %s", mstr(m, "bmc_fw", ""));
				t += 1.2;
			}
			if (yes(c, "UPDATE_CEC_FW", "yes") && mstr(m, "cec_fw", NULL)) {
				json_object_object_add(pend, "cec_fw", json_object_new_string(mstr(m, "cec_fw", "")));
				bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Updating CEC firmware");
				bf_sim_schedule(s, t + 1.0, BF_RLOG_MISC, BF_RLOG_INFO, ACT_CEC_FW,
						"CEC firmware was updated to %s.", mstr(m, "cec_fw", ""));
				t += 1.2;
			}
		}
		t += 0.3;
	}
	/* H. NIC firmware */
	if (yes(c, "WITH_NIC_FW_UPDATE", "yes")) {
		const char *running = json_object_object_get_ex(inst, "nic_fw", &cur) ?
				      mstr(cur, "version", "") : "";

		if (!nic_ver) {
			bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_WARN, ACT_NONE, "NIC Firmware files were not found");
		} else if (!strcmp(running, nic_ver) && !yes(c, "FORCE_NIC_FW_UPDATE", "no")) {
			bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE,
					"Installed NIC Firmware is the same as provided. Skipping NIC Firmware update.");
		} else {
			json_object *nf = json_object_new_object();

			json_object_object_add(nf, "version", json_object_new_string(nic_ver));
			json_object_object_add(nf, "psid", json_object_new_string(mstr(m, "nic_fw.psid", "")));
			json_object_object_add(pend, "nic_fw", nf);
			bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Updating NIC firmware...");
			bf_sim_schedule(s, t + 1.5, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NIC_FW,
					"NIC firmware update done: %s", nic_ver);
			nic_updated = true;
			t += 1.7;
		}
	}
	bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Installation finished");
	t += 0.3;
	if (nic_mode) {
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NIC_MODE, "In Enhanced NIC mode");
		free(c);
		return;
	}
	/* J. NIC firmware reset, then K. the reboot */
	if (nic_updated && yes(c, "NIC_FW_RESET", "yes")) {
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Running NIC Firmware reset");
		t += 0.5;
	} else if (nic_updated) {
		bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_NONE, "Skip NIC Firmware reset");
		t += 0.1;
	}
	bf_sim_schedule(s, t, BF_RLOG_MISC, BF_RLOG_INFO, ACT_REBOOT, "Rebooting...");
	free(c);
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
	} else {
		s->phase = PH_NO_OS;
		bf_sim_schedule(s, t + 2.0, BF_RLOG_UEFI, BF_RLOG_WARN, ACT_NONE,
				"no bootable OS on eMMC: waiting in UEFI");
	}
}

static void promote(struct bf_sim *s, const char *key)
{
	json_object *p = pending(s), *v;

	if (json_object_object_get_ex(p, key, &v))
		nv_set(s, key, json_object_get(v));
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
		break;
	case ACT_BMC_FW:
		promote(s, "bmc_fw");
		break;
	case ACT_CEC_FW:
		promote(s, "cec_fw");
		break;
	case ACT_REBOOT:
		/* The installer reboots the DPU: boot from eMMC now. */
		s->rsh[s->chip->r.boot_control / 8] = BF_BOOT_CONTROL_EMMC;
		s->phase = PH_REBOOT;
		bf_sim_os_boot(s, e->t + 1.0);
		break;
	case ACT_OS_UP:
		s->phase = PH_OS;
		break;
	case ACT_NIC_MODE:
		s->phase = PH_NIC_MODE;
		break;
	case ACT_STALL:
		s->phase = PH_STALLED;
		s->stalled = true;
		break;
	case ACT_NONE:
		break;
	}
}
