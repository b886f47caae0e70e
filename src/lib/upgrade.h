/* upgrade.h - day-2 firmware upgrades (bf_upgrade_*): what a firmware
 * bundle carries (its inventory), what the device runs, the plan per
 * component (upgrade, downgrade, same), the deferred handshake and the
 * per-device history. Facts: doc/upgrade.md. */
#ifndef BF_UPGRADE_H
#define BF_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chip.h"

enum bf_upgrade_comp {
	BF_UPG_ATF, BF_UPG_UEFI, BF_UPG_BSP, BF_UPG_NIC, BF_UPG_BMC, BF_UPG_CEC, BF_UPG_DOCA,
	BF_UPG_NCOMP
};

enum bf_upgrade_action {
	BF_UPG_ABSENT,       /* not in the bundle */
	BF_UPG_SAME,         /* running == bundle: skipped */
	BF_UPG_UPGRADE,
	BF_UPG_DOWNGRADE,
	BF_UPG_APPLY,        /* running not known: applied anyway */
	BF_UPG_UNCHECKED,    /* not compared (BMC/CEC without a BMC) and not counted */
	BF_UPG_IGNORED,      /* a firmware bundle does not install it (DOCA) */
};

#define BF_UPG_VER_MAX 64

struct bf_upgrade_item {
	char running[BF_UPG_VER_MAX];    /* "" = not known */
	char pending[BF_UPG_VER_MAX];    /* staged, waiting for activation ("" none) */
	char bundle[BF_UPG_VER_MAX];     /* "" = not in the bundle */
	char why[96];                    /* why running is not known */
	enum bf_upgrade_action action;
};

struct bf_upgrade_plan {
	struct bf_upgrade_item it[BF_UPG_NCOMP];
	char bundle_psid[24];            /* the NIC firmware's PSID in the inventory */
	char nic_psid[24];               /* the NIC's, when read */
	bool nic_lfwp;                   /* the NIC supports reset level 0 */
	bool nic_read;                   /* the NIC was reached */
};

const char *bf_upgrade_comp_name(enum bf_upgrade_comp c);
/* "atf", "nic", ... (JSON keys). */
const char *bf_upgrade_comp_key(enum bf_upgrade_comp c);
const char *bf_upgrade_action_name(enum bf_upgrade_action a);

/* Compare versions piece by piece ("4.7.0-13127", "32.41.1000",
 * "00.02.0182.0000"): numbers as numbers, other text as text. <0, 0, >0. */
int bf_upgrade_vercmp(const char *a, const char *b);

void bf_upgrade_plan_init(struct bf_upgrade_plan *p);
/* The bundle's versions from its info-image JSON (a buffer: fuzzable):
 * the members for this chip (BF3_ATF, BF3_NIC_FW, ... or BF2_...) and
 * DOCA. 0, or -EBADMSG with the reason in *why. */
int bf_upgrade_inventory(const char *json, size_t len, enum bf_chip_ver chip,
			 struct bf_upgrade_plan *p, const char **why);
/* What the DPU published over the RShim log: "Running versions: ATF=...
 * UEFI=... BSP=..." (the simulator's convention, doc/upgrade.md). true
 * when text is such a line; p's ATF/UEFI/BSP running versions set. */
bool bf_upgrade_running_line(const char *text, struct bf_upgrade_plan *p);
/* A version as the BMC's Redfish FirmwareInventory shows it, in the
 * bundle inventory's form: "BF-24.04-5" -> "24.04-5" (BMC_Firmware),
 * "00.02.0182.0000_n02" -> "00.02.0182.0000" (Bluefield_FW_ERoT);
 * printable ASCII only, bounded. "" for "N/A" or nothing. */
void bf_upgrade_bmc_version(const char *redfish, char *out, size_t cap);
/* The action per component. BMC/CEC without running versions are not
 * compared (no BMC to ask). */
void bf_upgrade_decide(struct bf_upgrade_plan *p);
/* Counts of the actions that change something (upgrade, downgrade,
 * apply) and of downgrades. */
unsigned bf_upgrade_changes(const struct bf_upgrade_plan *p, unsigned *downgrades);

/* One line of a history file (JSON): true when it is a record for the
 * history listing, with its fields bounded. Fuzzable. */
struct bf_upgrade_record {
	char time[32], device[64], op[16], result[24], level[8];
	struct { char from[BF_UPG_VER_MAX], to[BF_UPG_VER_MAX]; } c[BF_UPG_NCOMP];
};
bool bf_upgrade_record_parse(const char *line, size_t len, struct bf_upgrade_record *rec);

#endif
