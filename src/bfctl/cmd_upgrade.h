/* cmd_upgrade.h - the pieces of `bfctl upgrade` shared by its files:
 * cmd_upgrade.c (options, plan, offline and deferred apply) and
 * cmd_upgrade_act.c (activation, post-check, history). */
#ifndef BF_CMD_UPGRADE_H
#define BF_CMD_UPGRADE_H

#include <stdbool.h>

#include "bmc_cli.h"
#include "bootlog.h"
#include "cli_fetch.h"
#include "clock.h"
#include "rshim.h"
#include "statusview.h"
#include "upgrade.h"

struct bf_upg_cli {
	const char *dev, *bundle, *nic_opt;
	const char *bmc_url, *password_file;  /* --bmc, --password-file */
	bool plan, deferred, lfwp, allow_down, yes, activate, history;
	int level;                        /* --level, -1 when not given */
	double timeout;
	char nic[96];                     /* the NIC's name for bfctl fw, "" none */
	struct bf_rshim *r;
	struct bf_statusview sv;
	enum bf_boot_mark done;           /* the completing mark seen */
	unsigned want;                    /* the marks that complete (bit per mark) */
	bool rebooted;                    /* Linux up / DPU is ready while staging */
	struct bf_upgrade_plan p;         /* the plan (running before) */
	struct bf_upgrade_plan post;      /* running versions read again */
	bool post_arm;                    /* post's ATF/UEFI/BSP were published */
	struct bf_cli_fetch fetch;        /* --bundle URL: the download options */
	struct bf_bmc_cli bmc;            /* --bmc: open from the plan to the post-check */
	bool bmc_open;
	double bmc_wait;                  /* --bmc-wait: the BMC back after its reboot */
	unsigned bmc_mask;                /* BMC/CEC the installer is asked to update */
	char *cfg;                        /* bf.cfg pushed after the bundle (the BMC password: */
	size_t cfg_len;                   /* memory only, wiped) */
};

/* Running versions into p: the NIC (over PCI, when reachable), ATF/UEFI/
 * BSP (the RShim log), BMC/CEC "unknown (no --bmc)". */
void bf_upg_read_running(struct bf_upg_cli *u, struct bf_upgrade_plan *p);
/* upgrade_bmc.c. --bmc: BMC and CEC running versions from the BMC's
 * Redfish firmware inventory into p (the connection stays open in u).
 * 0, or the failure reported and its exit code. */
int bf_upg_read_bmc(struct bf_upg_cli *u, struct bf_upgrade_plan *p);
/* When the plan changes BMC or CEC and --bmc was given: u->cfg, the
 * bf.cfg with the BMC credentials for the DPU's installer, and
 * u->bmc_mask. 0 or an exit code (reported). */
int bf_upg_bmc_cfg(struct bf_upg_cli *u);
/* Say when BMC/CEC firmware in the bundle will not be applied: no --bmc,
 * or --deferred (an upgrade_bmc event, step not-applied). */
void bf_upg_bmc_note(const struct bf_upg_cli *u);
/* After the DPU applied the bundle: wait for the BMC (its reboot), with
 * backoff up to --bmc-wait, each retry logged; then BMC/CEC into u->post.
 * 0, or an exit code (reported; 7 when it does not come back). */
int bf_upg_bmc_after(struct bf_upg_cli *u, const struct bf_deadline *dl);
/* Close the BMC connection, wipe the bf.cfg. */
void bf_upg_bmc_close(struct bf_upg_cli *u);
/* The plan as a table, or an event (name) under --json. */
void bf_upg_print_plan(const struct bf_upgrade_plan *p, const char *event);
/* Poll the log until a mark in want (bit per mark) or the deadline; the
 * "Running versions" line fills u->post. 0, an exit code reported, or
 * (quiet) -ETIMEDOUT unreported at the deadline. */
int bf_upg_watch(struct bf_upg_cli *u, unsigned want, const struct bf_deadline *dl, const char *what, bool quiet);
/* Start following the log: the ring is cleared now (what it holds is from
 * before); with clear, after each read too (a whole install logs more than
 * it holds); without, what comes stays (the versions the DPU publishes,
 * for the next reader). */
int bf_upg_sv_start(struct bf_upg_cli *u, bool clear);
/* After a reboot: the versions the DPU publishes once up (u->post,
 * u->post_arm), waited for up to 15 s of device time or dl. A device that
 * never publishes them is not an error: the post-check says "not
 * reported". 0, or an exit code reported. */
int bf_upg_wait_versions(struct bf_upg_cli *u, const struct bf_deadline *dl);
/* Compare u->post with want's bundle versions for the components in mask
 * (bit per component) that want changes. 0, or BF_EXIT_BOOT with the
 * difference shown. */
int bf_upg_postcheck(struct bf_upg_cli *u, const struct bf_upgrade_plan *want, unsigned mask);
/* Append a history record; a failure is a warning. */
void bf_upg_record(struct bf_upg_cli *u, const char *op, const char *result, const struct bf_upgrade_plan *p,
		   int level);
/* ATF/UEFI/BSP the post-check of the last upgrade or activation saw
 * running (the history), when the log no longer holds what the DPU
 * published. */
void bf_upg_recorded_arm(struct bf_upg_cli *u, struct bf_upgrade_plan *p);
int bf_upg_activate(struct bf_upg_cli *u);
int bf_upg_history(struct bf_upg_cli *u);

#define BF_UPG_ARM_MASK ((1u << BF_UPG_ATF) | (1u << BF_UPG_UEFI) | (1u << BF_UPG_BSP))
#define BF_UPG_NIC_MASK (1u << BF_UPG_NIC)
#define BF_UPG_BMC_MASK ((1u << BF_UPG_BMC) | (1u << BF_UPG_CEC))

#endif
