/* upgrade_bmc.c - bfctl upgrade --bmc: the BMC and CEC firmware the DPU
 * runs, from its BMC's Redfish FirmwareInventory (BMC_Firmware and
 * Bluefield_FW_ERoT, as NVIDIA's dpu-update reads them); when the plan
 * changes them, the BMC credentials for the DPU's installer (bf.cfg, kept
 * in memory), then the wait for the BMC's reboot and its versions read
 * again. Facts: doc/upgrade.md, doc/bmc.md. */
#include "config.h"
#include "bmc_cli.h"
#include "cli.h"
#include "cmd_upgrade.h"
#include "error.h"
#include "log.h"
#include "print.h"
#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVENTORY "/redfish/v1/UpdateService/FirmwareInventory/"
#define BMC_TIMEOUT_S 120.0
#define WAIT_FIRST_S 1.0     /* the first retry; doubled up to WAIT_MAX_S */
#define WAIT_MAX_S 16.0

static int bmc_open(struct bf_upg_cli *u)
{
	int ret;

	if (u->bmc_open)
		return 0;
	if ((ret = bf_bmc_cli_open(&u->bmc, u->bmc_url, u->password_file, u->fetch.o.cacert, u->fetch.o.insecure,
				   BMC_TIMEOUT_S)))
		return ret;
	u->bmc_open = true;
	return 0;
}

void bf_upg_bmc_close(struct bf_upg_cli *u)
{
	if (u->bmc_open)
		bf_bmc_cli_close(&u->bmc);
	u->bmc_open = false;
	if (u->cfg)
		bf_secret_wipe(u->cfg, u->cfg_len);
	free(u->cfg);
	u->cfg = NULL;
	u->cfg_len = 0;
}

/* BMC and CEC versions into p; each GET may wait for a BMC that refuses
 * connections as long as rf.down_wait_s says. 0 or an exit code (reported
 * unless quiet: then -errno, and the BMC's words in *why). */
static int read_versions(struct bf_upg_cli *u, struct bf_upgrade_plan *p, bool quiet, char *why, size_t cap)
{
	static const struct { const char *path; enum bf_upgrade_comp k; } items[] = {
		{ INVENTORY "BMC_Firmware", BF_UPG_BMC },
		{ INVENTORY "Bluefield_FW_ERoT", BF_UPG_CEC },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct bf_upgrade_item *it = &p->it[items[i].k];
		struct bf_redfish_inventory v;
		struct bf_rfresp r;

		if (quiet) {
			/* One try (down_wait_s 0), bounded by curl's own
			 * timeouts; the caller's loop holds the deadline. */
			ret = bf_rfclient_request(&u->bmc.rf, "GET", items[i].path, NULL, &r, NULL);
			if (ret == 0 && (r.status < 200 || r.status >= 300)) {
				ret = bf_error_ret(EAGAIN, "it answered %ld", r.status);
				bf_rfresp_free(&r);
			}
			if (ret < 0) {
				snprintf(why, cap, "%s", bf_error_get());
				return ret;
			}
		} else if ((ret = bf_bmc_cli_call(&u->bmc, "GET", items[i].path, NULL, &r,
						  "reading the BMC's firmware inventory"))) {
			return ret;
		}
		ret = bf_redfish_parse_inventory(r.body, r.len, &v);
		bf_rfresp_free(&r);
		it->running[0] = '\0';
		if (ret == 0)
			bf_upgrade_bmc_version(v.version, it->running, sizeof(it->running));
		bf_info("%s: %s", items[i].path, ret == 0 ? v.version : bf_error_get());
		snprintf(it->why, sizeof(it->why), "not reported by the BMC");
		bf_error_clear();
	}
	return 0;
}

int bf_upg_read_bmc(struct bf_upg_cli *u, struct bf_upgrade_plan *p)
{
	int ret;

	if ((ret = bmc_open(u)))
		return ret;
	return read_versions(u, p, false, NULL, 0);
}

/* KEY='VALUE' and a newline at b + *o, a quote as '\'' (bash reads it
 * back byte for byte); b has room for 4 bytes per byte of v (sized by the
 * caller). */
static void put_quoted(char *b, size_t *o, const char *key, const char *v)
{
	*o += (size_t)sprintf(b + *o, "%s='", key);
	for (; *v; v++)
		if (*v == '\'')
			*o += (size_t)sprintf(b + *o, "'\\''");
		else
			b[(*o)++] = *v;
	*o += (size_t)sprintf(b + *o, "'\n");
}

static bool changes(const struct bf_upgrade_item *it)
{
	return it->action == BF_UPG_UPGRADE || it->action == BF_UPG_DOWNGRADE;
}

int bf_upg_bmc_cfg(struct bf_upg_cli *u)
{
	const struct bf_upgrade_item *bmc = &u->p.it[BF_UPG_BMC], *cec = &u->p.it[BF_UPG_CEC];
	const char *pw = u->bmc.rf.pass;
	size_t cap, o = 0;

	u->bmc_mask = (changes(bmc) ? 1u << BF_UPG_BMC : 0) | (changes(cec) ? 1u << BF_UPG_CEC : 0);
	if (!u->bmc_open || !u->bmc_mask)
		return 0;
	for (; *pw; pw++)
		if ((unsigned char)*pw < 0x20 || *pw == 0x7f)
			return bf_cli_fail(BF_EXIT_INPUT, -EINVAL, "nothing was pushed; set a password without them on the BMC",
					   "the BMC password has control characters: it cannot go into bf.cfg");
	/* In memory only, one buffer sized for the worst case (never
	 * reallocated: no copy of the password is left behind); wiped by
	 * bf_upg_bmc_close. */
	cap = 256 + 4 * (strlen(u->bmc.rf.user) + strlen(u->bmc.rf.pass));
	if (!(u->cfg = calloc(1, cap)))
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	o = (size_t)sprintf(u->cfg, "\n# bfctl upgrade: BMC and CEC firmware through the BMC\n"
			    "UPDATE_BMC_FW=\"%s\"\nUPDATE_CEC_FW=\"%s\"\nBMC_REBOOT=\"yes\"\nCEC_REBOOT=\"yes\"\n",
			    changes(bmc) ? "yes" : "no", changes(cec) ? "yes" : "no");
	put_quoted(u->cfg, &o, "BMC_USER", u->bmc.rf.user);
	put_quoted(u->cfg, &o, "BMC_PASSWORD", u->bmc.rf.pass);
	u->cfg_len = o;
	bf_print_begin("upgrade_bmc");
	bf_print_string(BF_PRINT_JSON, "step", NULL, "bfcfg");
	bf_print_string(BF_PRINT_ANY, "bmc", "BMC_USER and BMC_PASSWORD go to the DPU's installer in bf.cfg (BMC %s, ",
			changes(bmc) ? "yes" : "no");
	bf_print_string(BF_PRINT_ANY, "cec", "CEC %s)\n", changes(cec) ? "yes" : "no");
	bf_print_end();
	return 0;
}

void bf_upg_bmc_note(const struct bf_upg_cli *u)
{
	const struct bf_upgrade_item *it = u->p.it;
	const char *why;

	if (!u->bmc_url && (it[BF_UPG_BMC].action == BF_UPG_UNCHECKED || it[BF_UPG_CEC].action == BF_UPG_UNCHECKED))
		why = "BMC and CEC firmware are not applied: the DPU's installer updates them only with the "
		      "BMC's credentials (give --bmc)";
	else if (u->bmc_url && u->deferred && (changes(&it[BF_UPG_BMC]) || changes(&it[BF_UPG_CEC])))
		why = "BMC and CEC firmware are not applied by a deferred upgrade (apply the bundle offline, "
		      "with --bmc, for them)";
	else
		return;
	bf_print_begin("upgrade_bmc");
	bf_print_string(BF_PRINT_JSON, "step", NULL, "not-applied");
	bf_print_string(BF_PRINT_ANY, "detail", "note: %s\n", why);
	bf_print_end();
}

static void wait_event(const char *step, unsigned attempt, const char *reason, double next_s)
{
	bf_print_begin("upgrade_bmc");
	bf_print_string(BF_PRINT_ANY, "step", "BMC %s: ", step);
	if (reason) {
		bf_print_uint(BF_PRINT_ANY, "attempt", "attempt %llu", attempt);
		bf_print_string(BF_PRINT_ANY, "reason", " (%s)", reason);
		bf_print_double(BF_PRINT_ANY, "next_s", ", again in %.0f s\n", next_s);
	} else {
		bf_print_uint(BF_PRINT_ANY, "attempt", "it answers (attempt %llu)\n", attempt);
	}
	bf_print_end();
}

int bf_upg_bmc_after(struct bf_upg_cli *u, const struct bf_deadline *dl)
{
	struct bf_deadline wdl;
	double next = WAIT_FIRST_S;
	char why[512] = "";
	unsigned attempt;

	if (!u->bmc_mask)
		return 0;
	bf_deadline_set(&wdl, u->bmc_wait, "waiting for the BMC");
	if (bf_deadline_left_ns(dl) < bf_deadline_left_ns(&wdl))
		wdl = *dl;
	u->bmc.rf.down_wait_s = 0;    /* each attempt once: the waiting is here */
	/* Bounded: by --bmc-wait and the overall deadline, each retry logged. */
	for (attempt = 1;; attempt++) {
		int ret = read_versions(u, &u->post, true, why, sizeof(why));

		bf_error_clear();
		if (ret == 0) {
			wait_event("back", attempt, NULL, 0);
			return 0;
		}
		if (ret == -EINTR || bf_stop_requested())
			return bf_cli_fail(BF_EXIT_INTERRUPTED, -EINTR, NULL, "stopped waiting for the BMC at %s",
					   u->bmc.rf.host);
		if (bf_deadline_left_ns(&wdl) < (uint64_t)(next * 1e9))
			break;
		bf_info("the BMC at %s is not back after its firmware update (%s): attempt %u, again in %.0f s",
			u->bmc.rf.host, why, attempt, next);
		wait_event("wait", attempt, why, next);
		bf_clock_sleep_ns((uint64_t)(next * 1e9));
		next = next * 2 > WAIT_MAX_S ? WAIT_MAX_S : next * 2;
	}
	bf_upg_record(u, "apply", "bmc-unreachable", &u->p, -1);
	return bf_cli_fail(BF_EXIT_TIMEOUT, -ETIMEDOUT,
			   "check the BMC (console, power), then read its versions with 'bfctl bmc inventory'",
			   "the BMC at %s did not come back within %.0f s after the DPU updated its firmware "
			   "(%u attempts; the last: %s)", u->bmc.rf.host, u->bmc_wait, attempt, why);
}
