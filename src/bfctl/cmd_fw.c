/* cmd_fw.c - bfctl fw: NIC firmware through PCI config space (query,
 * config, burn, reset), in place of flint q, mlxconfig, flint burn and
 * mlxfwreset. This file: the dispatcher, query and reset. */
#include "config.h"
#include "cli.h"
#include "cmd_fw.h"
#include "commands.h"
#include "error.h"
#include "clock.h"
#include "event.h"
#include "print.h"
#include "fw/dev.h"
#include "fw/query.h"
#include "fw/reset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fw_usage[] =
	"Usage: bfctl fw query DEV [--json]\n"
	"       bfctl fw config DEV query [PARAM...] [--json]\n"
	"       bfctl fw config DEV set PARAM=VALUE... [-y] [--json]\n"
	"       bfctl fw config DEV reset [-y]\n"
	"       bfctl fw burn DEV IMAGE|URL [-y] [--allow-psid-change] [--sha256 HEX]\n"
	"                     [--cache DIR] [--cacert FILE] [--insecure] [--json]\n"
	"       bfctl fw reset DEV [--level N] [--type N] [--sync[=N]] [--query] [-y] [--json]\n"
	"       bfctl fw image FILE [--full] [--json]\n"
	"\n"
	"The NIC firmware of a BlueField (or ConnectX), through the vendor-specific\n"
	"capability in its PCI config space, as flint, mlxconfig and mlxfwreset\n"
	"reach it. DEV is a PCI address (0000:03:00.0, 03:00.0), an mst device\n"
	"(/dev/mst/mt41692_pciconf0, mt41692_pciconf0.1), an RDMA device (mlx5_0),\n"
	"or sim:0 / sim:0.1 (the simulated NIC under 'bfsim run').\n"
	"\n"
	"Commands:\n"
	"  query    image type, running and pending FW version, release date, product\n"
	"           version, ROMs, GUID/MAC, VSDs, PSID, security attributes\n"
	"  config   the NV configuration (mlxconfig parameters): query shows the\n"
	"           Default, Current and Next-boot values; set validates names,\n"
	"           values and ranges, shows the change and asks; reset returns every\n"
	"           parameter to its default. Changes apply at the next reset.\n"
	"  burn     burn IMAGE through the firmware's component update (lock, update,\n"
	"           data, verify, activate, release) with a progress bar; refuses an\n"
	"           image for another PSID; Ctrl-C or an error cancels, and the NIC\n"
	"           keeps running its current firmware\n"
	"  reset    the reset levels and types the NIC supports, then the reset\n"
	"           (default: the lowest supported of levels 0, 3, 4; --sync=1, the\n"
	"           driver resets); then the running and pending versions\n"
	"  image    what flint -i FILE q shows of an image file (FS4 fw-*.bin or the\n"
	"           simulator's BFSIMFW1), after verifying it; --full as 'q full'\n"
	"\n"
	"Options:\n"
	"  -y, --yes              do not ask (required when stdin is not a terminal)\n"
	"      --allow-psid-change  burn an image made for another PSID\n"
	"      --level N          reset level: 0, 1, 3 or 4\n"
	"      --type N           reset type: 0 full chip, 2 NIC only, ...\n"
	"      --sync[=N]         reset sync: 1 driver (default, also without N), 0 tool,\n"
	"                         2 firmware\n"
	"      --query            reset: only show the levels and types\n"
	"      --full             image: also the part number, description, update method\n"
	"      --clear-semaphore  free the VSEC semaphore first: the way out when a tool\n"
	"                         was killed holding it (exit 4, 'most likely died');\n"
	"                         only when no other tool is using the device\n"
	"      --json             JSON events (fw_query, fw_config, fw_burn, fw_reset, fw_image)\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 invalid input (image, parameter),\n"
	"4 device missing/busy/not reachable, 7 timeout, 130 interrupted.\n";

/* Shared plumbing. ----------------------------------------------------------- */

int bf_fw_cli_fail(int err, const char *what, const char *dev)
{
	return bf_cli_fail(bf_cli_exit_for(err), err, NULL, "%s %s", what, dev);
}

static bool clear_sem;

void bf_fw_cli_common(int opt, const char *usage)
{
	if (opt == BF_FW_OPT_CLEAR_SEM)
		clear_sem = true;
	else
		bf_cli_common(opt, usage);
}

int bf_fw_cli_open(const char *dev, struct bf_fw_dev **d)
{
	int r;

	char bdf[64];

	bf_error_clear();
	/* A name of no known form is a usage error, before any device is looked at. */
	if (bf_fw_dev_resolve(dev, bdf, sizeof(bdf)) == -EINVAL)
		return bf_cli_fail(BF_EXIT_USAGE, -EINVAL, NULL, "cannot open %s", dev);
	bf_error_clear();
	r = bf_fw_dev_open_flags(dev, clear_sem ? BF_FW_OPEN_CLEAR_SEMAPHORE : 0, d);
	if (r < 0)
		return bf_cli_fail(r == -ETIMEDOUT ? BF_EXIT_TIMEOUT : BF_EXIT_DEVICE, r, NULL, "cannot open %s", dev);
	return 0;
}

int bf_fw_cli_confirm(const char *question, bool yes)
{
	char line[16];

	if (yes)
		return 0;
	if (bf_event_json() || !isatty(STDIN_FILENO))
		return bf_cli_fail(BF_EXIT_USAGE, 0, "pass -y to go ahead", "%s: not asking without a terminal",
				   question);
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return bf_cli_fail(BF_EXIT_FAILURE, 0, NULL, "not done");
	return 0;
}

/* Positional arguments after the options (getopt permutes them to the end). */
static const char *arg(int argc, char **argv, int i)
{
	return optind + i < argc ? argv[optind + i] : NULL;
}

/* query. ----------------------------------------------------------------------- */

void bf_fw_cli_field(enum bf_print_to to, const char *key, const char *label, int width, const char *val)
{
	char fmt[96];

	snprintf(fmt, sizeof(fmt), "%-*s%%s\n", width, label);
	bf_print_string(to, key, fmt, val);
}

void bf_fw_cli_field_na(const char *key, const char *label, int width, const char *val)
{
	bf_print_string(BF_PRINT_JSON, key, NULL, val);
	bf_fw_cli_field(BF_PRINT_TEXT, NULL, label, width, val[0] ? val : "N/A");
}

#define QW 22   /* the label column of `flint q` */

/* The lines and labels of `flint q`; the JSON keys of fw_query. */
static void print_query(const char *dev, const struct bf_fw_query *q)
{
	char fmt[96];
	unsigned i;

	bf_print_begin("fw_query");
	bf_print_string(BF_PRINT_JSON, "device", NULL, dev);
	bf_print_string(BF_PRINT_JSON, "device_type", NULL, q->device_type);
	bf_print_int(BF_PRINT_JSON, "pci_device_id", NULL, q->pci_devid);
	bf_print_int(BF_PRINT_JSON, "hw_id", NULL, q->hw_id);
	bf_fw_cli_field(BF_PRINT_ANY, "image_type", "Image type:", QW, q->image_type);
	bf_fw_cli_field(BF_PRINT_ANY, "fw_version", "FW Version:", QW, q->fw_version);
	bf_fw_cli_field(strcmp(q->fw_version, q->fw_running) ? BF_PRINT_ANY : BF_PRINT_JSON, "fw_version_running",
			"FW Version(Running):", QW, q->fw_running);
	bf_print_bool(BF_PRINT_JSON, "pending_reset", NULL, q->pending);
	bf_fw_cli_field(BF_PRINT_ANY, "release_date", "FW Release Date:", QW, q->release_date);
	bf_fw_cli_field(q->product_version[0] ? BF_PRINT_ANY : BF_PRINT_JSON, "product_version", "Product Version:",
			QW, q->product_version);
	bf_print_open_array("rom_info");
	for (i = 0; i < q->nrom; i++) {
		snprintf(fmt, sizeof(fmt), "%-*stype=%%s ", QW, i ? "" : "Rom Info:");
		bf_print_open_object(NULL);
		bf_print_string(BF_PRINT_ANY, "type", fmt, q->rom[i].type);
		bf_print_string(BF_PRINT_ANY, "version", "version=%s ", q->rom[i].version);
		bf_print_string(BF_PRINT_ANY, "cpu", "cpu=%s\n", q->rom[i].cpu);
		bf_print_close_object();
	}
	bf_print_close_array();
	bf_fw_cli_field(BF_PRINT_TEXT, NULL, "Description:", QW, "UID                GuidsNumber");
	snprintf(fmt, sizeof(fmt), "%-*s%%-19sN/A\n", QW, "Base GUID:");
	bf_print_string(BF_PRINT_ANY, "base_guid", fmt, q->base_guid);
	snprintf(fmt, sizeof(fmt), "%-*s%%-19sN/A\n", QW, "Base MAC:");
	bf_print_string(BF_PRINT_ANY, "base_mac", fmt, q->base_mac);
	bf_fw_cli_field_na("image_vsd", "Image VSD:", QW, q->image_vsd);
	bf_fw_cli_field_na("device_vsd", "Device VSD:", QW, q->device_vsd);
	bf_fw_cli_field(BF_PRINT_ANY, "psid", "PSID:", QW, q->psid);
	bf_fw_cli_field(BF_PRINT_ANY, "security_attributes", "Security Attributes:", QW, q->security);
	if (q->ini_revision) {
		snprintf(fmt, sizeof(fmt), "%-*s0x%%llx\n", QW, "INI revision:");
		bf_print_uint(BF_PRINT_TEXT, NULL, fmt, q->ini_revision);
	}
	bf_print_string(BF_PRINT_JSON, "model", NULL, q->model);
	bf_print_string(BF_PRINT_JSON, "description", NULL, q->description);
	bf_print_int(BF_PRINT_JSON, "uptime_s", NULL, q->uptime);
	bf_print_end();
}

static int fw_query(int argc, char **argv)
{
	static const struct option lo[] = { BF_FW_CLI_LONGOPTS, { 0 } };
	struct bf_fw_query q;
	struct bf_fw_dev *d;
	const char *dev;
	int opt, r;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, lo)) != -1)
		bf_fw_cli_common(opt, fw_usage);
	if (!(dev = arg(argc, argv, 0)) || arg(argc, argv, 1))
		bf_cli_usage_error("query takes DEV");
	if ((r = bf_fw_cli_open(dev, &d)))
		return r;
	r = bf_fw_query(d, &q);
	bf_fw_dev_close(d);
	if (r < 0)
		return bf_fw_cli_fail(r, "cannot query", dev);
	print_query(dev, &q);
	return bf_cli_ok();
}

/* reset. ----------------------------------------------------------------------- */

static void reset_row(int n, const char *text, bool ok, bool def)
{
	if (def)
		bf_print_line("%d: %-62s-%-14s(default)", n, text, ok ? "Supported" : "Not Supported");
	else
		bf_print_line("%d: %-62s-%s", n, text, ok ? "Supported" : "Not Supported");
}

/* The reset levels, types and sync: the tables of `mlxfwreset query` in
 * text, the supported ones and the defaults in JSON. */
static void print_caps(const struct bf_fw_reset_caps *c)
{
	static const int levels[] = { 0, 1, 3, 4 };
	size_t i;
	int t;

	bf_print_line("Reset-levels:");
	bf_print_open_array("levels");
	for (i = 0; i < 4; i++) {
		bool ok = bf_fw_reset_level_ok(c, levels[i]);

		reset_row(levels[i], bf_fw_reset_level_text(levels[i]), ok, levels[i] == c->default_level);
		if (ok)
			bf_print_int(BF_PRINT_JSON, NULL, NULL, levels[i]);
	}
	bf_print_close_array();
	bf_print_line("%s", "");
	bf_print_line("Reset-types (relevant only for reset-levels 1,3,4):");
	bf_print_open_array("types");
	for (t = 0; t <= 4; t++) {
		reset_row(t, bf_fw_reset_type_text(t), c->types & (1u << t), t == c->default_type);
		if (c->types & (1u << t))
			bf_print_int(BF_PRINT_JSON, NULL, NULL, t);
	}
	bf_print_close_array();
	bf_print_int(BF_PRINT_JSON, "default_level", NULL, c->default_level);
	bf_print_int(BF_PRINT_JSON, "default_type", NULL, c->default_type);
	bf_print_line("%s", "");
	bf_print_line("Reset sync (relevant only for reset-level 3):");
	/* BlueField on Linux: the driver owns the reset; bfctl does not
	 * toggle the link itself (sync 0). */
	reset_row(0, "Tool is the owner", false, false);
	reset_row(1, "Driver is the owner", c->driver_sync, c->driver_sync);
	bf_print_bool(BF_PRINT_JSON, "driver_sync", NULL, c->driver_sync);
}

/* What `fw reset` was asked. */
struct reset_cli {
	struct bf_fw_reset_opts o;
	bool yes, query;
	const char *dev;
};

static void reset_parse(int argc, char **argv, struct reset_cli *a)
{
	enum { OPT_LEVEL = BF_OPT_FIRST_CMD, OPT_TYPE, OPT_SYNC, OPT_QUERY, OPT_TIMEOUT };
	static const struct option lo[] = {
		{ "level", required_argument, NULL, OPT_LEVEL }, { "type", required_argument, NULL, OPT_TYPE },
		{ "sync", optional_argument, NULL, OPT_SYNC }, { "query", no_argument, NULL, OPT_QUERY },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT }, { "yes", no_argument, NULL, 'y' },
		BF_FW_CLI_LONGOPTS, { 0 } };
	struct bf_fw_reset_opts *o = &a->o;
	char *end;
	int opt;

	while ((opt = bf_cli_getopt(argc, argv, "y" BF_CLI_SHORTOPTS, lo)) != -1) {
		switch (opt) {
		case 'y': a->yes = true; break;
		case OPT_QUERY: a->query = true; break;
		case OPT_LEVEL:
			o->level = (int)strtol(optarg, &end, 10);
			if (*end || !bf_fw_reset_level_text(o->level))
				bf_cli_usage_error("--level takes 0, 1, 3 or 4");
			break;
		case OPT_TYPE:
			o->type = (int)strtol(optarg, &end, 10);
			if (*end || !bf_fw_reset_type_text(o->type))
				bf_cli_usage_error("--type takes 0 to 4");
			break;
		case OPT_SYNC:
			o->sync = optarg ? (int)strtol(optarg, &end, 10) : BF_FW_SYNC_DRIVER;
			if ((optarg && *end) || o->sync < 0 || o->sync > 2)
				bf_cli_usage_error("--sync takes 0, 1 or 2 (--sync=N)");
			break;
		case OPT_TIMEOUT:
			if (bf_duration_parse(optarg, &o->timeout_s) < 0)
				bf_cli_usage_error("--timeout: %s", bf_error_get());
			break;
		default: bf_fw_cli_common(opt, fw_usage);
		}
	}
	if (!(a->dev = arg(argc, argv, 0)) || arg(argc, argv, 1))
		bf_cli_usage_error("reset takes DEV");
}

/* The result of a reset that was waited for: versions before and after. */
static void print_reset_done(const struct reset_cli *a, const struct bf_fw_reset_caps *c,
			     const struct bf_fw_query *before, const struct bf_fw_query *after)
{
	bf_print_line("-I- The device was reset.");
	bf_print_begin("fw_reset");
	if (bf_event_json())
		print_caps(c);
	bf_print_string(BF_PRINT_JSON, "device", NULL, a->dev);
	bf_print_int(BF_PRINT_JSON, "level", NULL, a->o.level);
	bf_print_int(BF_PRINT_JSON, "type", NULL, a->o.type);
	bf_print_int(BF_PRINT_JSON, "sync", NULL, a->o.sync);
	bf_print_string(BF_PRINT_JSON, "running_before", NULL, before->fw_running);
	bf_print_string(BF_PRINT_ANY, "running", "FW Version(Running):  %s ", after->fw_running);
	bf_print_string(BF_PRINT_TEXT, NULL, "(was %s)\n", before->fw_running);
	bf_print_string(BF_PRINT_JSON, "pending", NULL, after->pending ? after->fw_version : NULL);
	bf_print_string(BF_PRINT_TEXT, NULL, "FW Version(Pending):  %s\n", after->pending ? after->fw_version : "none");
	bf_print_end();
}

/* The level and type chosen (the device's defaults unless given), the
 * question, the reset, and what runs afterwards. d stays open. */
static int reset_run(struct bf_fw_dev *d, struct reset_cli *a, const struct bf_fw_reset_caps *c)
{
	struct bf_fw_reset_opts *o = &a->o;
	struct bf_fw_query before, after;
	bool waited;
	char q[160];
	int r;

	if (o->level < 0)
		o->level = c->default_level;
	if (o->type < 0)
		o->type = c->default_type;
	if (o->level < 0 || o->type < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, 0, NULL, "%s supports no reset level bfctl can use", a->dev);
	if ((r = bf_fw_query(d, &before)) < 0)
		return bf_fw_cli_fail(r, "cannot query", a->dev);
	bf_print_line("%s", "");
	snprintf(q, sizeof(q), "Reset %s with level %d (%s), type %d, sync %d? The NIC and its links go down.",
		 a->dev, o->level, bf_fw_reset_level_text(o->level), o->type, o->sync);
	if ((r = bf_fw_cli_confirm(q, a->yes)))
		return r;
	bf_print_line("-I- Sending reset command to device %s ...", a->dev);
	if ((r = bf_fw_reset(d, o, &waited)) < 0)
		return bf_fw_cli_fail(r, "cannot reset", a->dev);
	if (!waited) {
		bf_print_line(o->level == 4 ? "-I- Reboot the host (warm reboot) to load the new firmware." :
					      "-I- Live patch requested: the device was not reset.");
		bf_print_begin("fw_reset");
		if (bf_event_json())
			print_caps(c);
		bf_print_end();
		return bf_cli_ok();
	}
	if ((r = bf_fw_query(d, &after)) < 0)
		return bf_fw_cli_fail(r, "cannot query after the reset", a->dev);
	print_reset_done(a, c, &before, &after);
	return bf_cli_ok();
}

int bf_cmd_fw_reset(int argc, char **argv)
{
	struct reset_cli a = { .o = { .level = -1, .type = -1, .sync = BF_FW_SYNC_DRIVER, .timeout_s = 180 } };
	struct bf_fw_reset_caps c;
	struct bf_fw_dev *d;
	int r;

	reset_parse(argc, argv, &a);
	if ((r = bf_fw_cli_open(a.dev, &d)))
		return r;
	if ((r = bf_fw_reset_query(d, &c)) < 0) {
		bf_fw_dev_close(d);
		return bf_fw_cli_fail(r, "cannot query the reset levels of", a.dev);
	}
	/* The tables before the question; the JSON event at the end. */
	if (a.query || !bf_event_json()) {
		bf_print_begin("fw_reset_query");
		print_caps(&c);
		bf_print_end();
	}
	r = a.query ? bf_cli_ok() : reset_run(d, &a, &c);
	bf_fw_dev_close(d);
	return r;
}

/* The dispatcher. ---------------------------------------------------------------- */

int bf_cmd_fw(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	char name[64];

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help"))
		bf_cli_usage_exit(fw_usage, !sub);
	snprintf(name, sizeof(name), "bfctl fw %s", sub);
	bf_cli_set_cmdname(name);
	optind = 1;
	if (!strcmp(sub, "query"))
		return fw_query(argc - 1, argv + 1);
	if (!strcmp(sub, "config"))
		return bf_cmd_fw_config(argc - 1, argv + 1);
	if (!strcmp(sub, "burn"))
		return bf_cmd_fw_burn(argc - 1, argv + 1);
	if (!strcmp(sub, "reset"))
		return bf_cmd_fw_reset(argc - 1, argv + 1);
	if (!strcmp(sub, "image"))
		return bf_cmd_fw_image(argc - 1, argv + 1);
	bf_cli_set_cmdname("bfctl fw");
	bf_cli_usage_error("unknown command '%s' (query, config, burn, reset, image)", sub);
}

const char *bf_fw_cli_usage(void)
{
	return fw_usage;
}
