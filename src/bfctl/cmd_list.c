/* cmd_list.c - bfctl list: the RShim devices this host can reach. */
#include "config.h"
#include "chip.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "print.h"
#include "rshim.h"
#include "rshim/scan.h"
#include "rshim/usb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char list_usage[] =
	"Usage: bfctl list [--json] [-v]\n"
	"\n"
	"List the RShim devices this host can reach, with chip, name, path,\n"
	"mode (DPU/NIC) and owner where visible. Simulated BlueFields (sim:N)\n"
	"are listed when a bfsim serves them to this process ('bfsim run').\n"
	"\n"
	"Options:\n"
	"      --json       one \"device\" event per device\n"
	"  -v, --verbose    more detail\n"
	"  -h, --help       this help\n";

static const char *mode_name(uint64_t sp2, const struct bf_chip *c)
{
	if (c->ver != BF_CHIP_BF3)
		return "-";
	switch ((sp2 & BF_SP2_MODE_MASK) >> BF_SP2_MODE_SHIFT) {
	case BF_MODE_DPU: return "DPU";
	case BF_MODE_NIC: return "NIC";
	case BF_MODE_UNKNOWN: return "unknown";
	default: return "reserved";
	}
}

static const char *owner_name(uint64_t sp1)
{
	if (sp1 == BF_SP1_KEEPALIVE)
		return "rshim driver";
	if (sp1 == BF_SP1_LOCKED)
		return "secure-nic";
	return "none";
}

static void print_device(const char *name, const struct bf_chip *chip, const char *kind, const char *dev_name,
			 const char *mode, const char *owner)
{
	bf_print_begin("device");
	bf_print_string(BF_PRINT_ANY, "name", "%-20s ", name);
	bf_print_string(BF_PRINT_JSON, "chip", NULL, chip->id);
	bf_print_string(BF_PRINT_ANY, "chip_name", "%-12s ", chip->name);
	bf_print_string(BF_PRINT_ANY, "transport", "%-10s ", kind);
	bf_print_string(BF_PRINT_ANY, "dev_name", "%-14s ", dev_name);
	bf_print_string(BF_PRINT_ANY, "mode", "%-8s ", mode);
	bf_print_string(BF_PRINT_ANY, "owner", "%s\n", owner);
	bf_print_end();
}

static void show(struct bf_rshim *r, const char *kind)
{
	uint64_t sp1 = 0, sp2 = 0;

	bf_rshim_rd(r, r->chip->r.scratchpad1, &sp1);
	bf_rshim_rd(r, r->chip->r.scratchpad2, &sp2);
	print_device(r->name, r->chip, kind, r->dev_name, mode_name(sp2, r->chip), owner_name(sp1));
}

static void show_found(const struct bf_rshim_found *f, const char *kind)
{
	print_device(f->name, f->chip, kind, f->addr, "-", "not accessible");
}

int bf_cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_rshim *r;
	int opt;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1)
		bf_cli_common(opt, list_usage);
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);

	bf_print_line("%-20s %-12s %-10s %-14s %-8s %s", "NAME", "CHIP", "TRANSPORT", "DEV_NAME",
		     "MODE", "OWNER");
	{
		struct bf_rshim_found found[64];
		int n = bf_rshim_scan_pcie(found, 64), i;

		for (i = 0; i < n && i < 64; i++) {
			/* Registers are read only when the device can be opened
			 * (root, no other driver); otherwise it is listed as found. */
			if (bf_rshim_open(found[i].name, &r) == 0) {
				show(r, found[i].livefish ? "pcie-lf" : "pcie");
				bf_rshim_close(r);
				continue;
			}
			bf_error_clear();
			show_found(&found[i], found[i].livefish ? "pcie-lf" : "pcie");
		}
		n = bf_rshim_scan_usb(found, 64);
		for (i = 0; i < n && i < 64; i++) {
			if (bf_rshim_open(found[i].name, &r) == 0) {
				show(r, "usb");
				bf_rshim_close(r);
				continue;
			}
			bf_error_clear();
			show_found(&found[i], "usb");
		}
	}
	{
		/* Simulated devices: only those a bfsim serves to this process. */
		struct bf_rshim_found found[64];
		int n = bf_rshim_scan_sim(found, 64), i;

		for (i = 0; i < n && i < 64; i++) {
			if (bf_rshim_open(found[i].name, &r) == 0) {
				show(r, "simulated");
				bf_rshim_close(r);
				continue;
			}
			bf_error_clear();
			show_found(&found[i], "simulated");
		}
	}
	return bf_cli_ok();
}
