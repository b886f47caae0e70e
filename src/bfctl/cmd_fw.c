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
	"       bfctl fw burn DEV IMAGE [-y] [--allow-psid-change] [--json]\n"
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

int bf_fw_cli_open(const char *dev, struct bf_fw_dev **d)
{
	int r;

	bf_error_clear();
	r = bf_fw_dev_open(dev, d);
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
		return bf_cli_fail(BF_EXIT_USAGE, -EINVAL, "pass -y to go ahead", "%s: not asking without a terminal",
				   question);
	fprintf(stderr, "%s [y/N] ", question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y'))
		return bf_cli_fail(BF_EXIT_FAILURE, -ECANCELED, NULL, "not done");
	return 0;
}

/* Positional arguments after the options (getopt permutes them to the end). */
static const char *arg(int argc, char **argv, int i)
{
	return optind + i < argc ? argv[optind + i] : NULL;
}

/* query. ----------------------------------------------------------------------- */

static void line(const char *label, const char *value)
{
	bf_event_say("%-22s%s", label, value);
}

static int fw_query(int argc, char **argv)
{
	static const struct option lo[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_fw_query q;
	struct bf_fw_dev *d;
	const char *dev;
	unsigned i;
	int opt, r;

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, lo, NULL)) != -1)
		bf_cli_common(opt, fw_usage);
	if (!(dev = arg(argc, argv, 0)) || arg(argc, argv, 1))
		bf_cli_usage_error("query takes DEV");
	if ((r = bf_fw_cli_open(dev, &d)))
		return r;
	r = bf_fw_query(d, &q);
	bf_fw_dev_close(d);
	if (r < 0)
		return bf_fw_cli_fail(r, "cannot query", dev);
	if (bf_event_json()) {
		json_object *o = json_object_new_object(), *roms = json_object_new_array();

		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "device_type", json_object_new_string(q.device_type));
		json_object_object_add(o, "pci_device_id", json_object_new_int(q.pci_devid));
		json_object_object_add(o, "hw_id", json_object_new_int(q.hw_id));
		json_object_object_add(o, "image_type", json_object_new_string(q.image_type));
		json_object_object_add(o, "fw_version", json_object_new_string(q.fw_version));
		json_object_object_add(o, "fw_version_running", json_object_new_string(q.fw_running));
		json_object_object_add(o, "pending_reset", json_object_new_boolean(q.pending));
		json_object_object_add(o, "release_date", json_object_new_string(q.release_date));
		json_object_object_add(o, "product_version", json_object_new_string(q.product_version));
		for (i = 0; i < q.nrom; i++) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "type", json_object_new_string(q.rom[i].type));
			json_object_object_add(x, "version", json_object_new_string(q.rom[i].version));
			json_object_object_add(x, "cpu", json_object_new_string(q.rom[i].cpu));
			json_object_array_add(roms, x);
		}
		json_object_object_add(o, "rom_info", roms);
		json_object_object_add(o, "base_guid", json_object_new_string(q.base_guid));
		json_object_object_add(o, "base_mac", json_object_new_string(q.base_mac));
		json_object_object_add(o, "image_vsd", json_object_new_string(q.image_vsd));
		json_object_object_add(o, "device_vsd", json_object_new_string(q.device_vsd));
		json_object_object_add(o, "psid", json_object_new_string(q.psid));
		json_object_object_add(o, "security_attributes", json_object_new_string(q.security));
		json_object_object_add(o, "model", json_object_new_string(q.model));
		json_object_object_add(o, "description", json_object_new_string(q.description));
		json_object_object_add(o, "uptime_s", json_object_new_int64(q.uptime));
		bf_event_emit("fw_query", o);
		return bf_cli_ok();
	}
	/* The lines and labels of `flint q`. */
	line("Image type:", q.image_type);
	line("FW Version:", q.fw_version);
	if (strcmp(q.fw_version, q.fw_running))
		line("FW Version(Running):", q.fw_running);
	line("FW Release Date:", q.release_date);
	if (q.product_version[0])
		line("Product Version:", q.product_version);
	for (i = 0; i < q.nrom; i++) {
		char b[96];

		snprintf(b, sizeof(b), "type=%s version=%s cpu=%s", q.rom[i].type, q.rom[i].version, q.rom[i].cpu);
		line(i ? "" : "Rom Info:", b);
	}
	line("Description:", "UID                GuidsNumber");
	{
		char b[64];

		snprintf(b, sizeof(b), "%-19sN/A", q.base_guid);
		line("Base GUID:", b);
		snprintf(b, sizeof(b), "%-19sN/A", q.base_mac);
		line("Base MAC:", b);
	}
	line("Image VSD:", q.image_vsd[0] ? q.image_vsd : "N/A");
	line("Device VSD:", q.device_vsd[0] ? q.device_vsd : "N/A");
	line("PSID:", q.psid);
	line("Security Attributes:", q.security);
	if (q.ini_revision) {
		char b[16];

		snprintf(b, sizeof(b), "0x%x", q.ini_revision);
		line("INI revision:", b);
	}
	return bf_cli_ok();
}

/* reset. ----------------------------------------------------------------------- */

static void reset_row(int n, const char *text, bool ok, bool def)
{
	if (def)
		bf_event_say("%d: %-62s-%-14s(default)", n, text, ok ? "Supported" : "Not Supported");
	else
		bf_event_say("%d: %-62s-%s", n, text, ok ? "Supported" : "Not Supported");
}

static void show_caps(const struct bf_fw_reset_caps *c)
{
	static const int levels[] = { 0, 1, 3, 4 };
	size_t i;
	int t;

	bf_event_say("Reset-levels:");
	for (i = 0; i < 4; i++)
		reset_row(levels[i], bf_fw_reset_level_text(levels[i]), bf_fw_reset_level_ok(c, levels[i]),
			  levels[i] == c->default_level);
	bf_event_say("%s", "");
	bf_event_say("Reset-types (relevant only for reset-levels 1,3,4):");
	for (t = 0; t <= 4; t++)
		reset_row(t, bf_fw_reset_type_text(t), c->types & (1u << t), t == c->default_type);
	bf_event_say("%s", "");
	bf_event_say("Reset sync (relevant only for reset-level 3):");
	/* BlueField on Linux: the driver owns the reset; bfctl does not
	 * toggle the link itself (sync 0). */
	reset_row(0, "Tool is the owner", false, false);
	reset_row(1, "Driver is the owner", c->driver_sync, c->driver_sync);
}

static json_object *caps_json(const struct bf_fw_reset_caps *c)
{
	json_object *o = json_object_new_object(), *l = json_object_new_array(), *t = json_object_new_array();
	int i;

	for (i = 0; i <= 4; i++) {
		if (bf_fw_reset_level_ok(c, i))
			json_object_array_add(l, json_object_new_int(i));
		if (c->types & (1u << i))
			json_object_array_add(t, json_object_new_int(i));
	}
	json_object_object_add(o, "levels", l);
	json_object_object_add(o, "types", t);
	json_object_object_add(o, "default_level", json_object_new_int(c->default_level));
	json_object_object_add(o, "default_type", json_object_new_int(c->default_type));
	json_object_object_add(o, "driver_sync", json_object_new_boolean(c->driver_sync));
	return o;
}

int bf_cmd_fw_reset(int argc, char **argv)
{
	enum { OPT_LEVEL = BF_OPT_FIRST_CMD, OPT_TYPE, OPT_SYNC, OPT_QUERY, OPT_TIMEOUT };
	static const struct option lo[] = {
		{ "level", required_argument, NULL, OPT_LEVEL }, { "type", required_argument, NULL, OPT_TYPE },
		{ "sync", optional_argument, NULL, OPT_SYNC }, { "query", no_argument, NULL, OPT_QUERY },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT }, { "yes", no_argument, NULL, 'y' },
		BF_CLI_LONGOPTS, { 0 } };
	struct bf_fw_reset_opts o = { .level = -1, .type = -1, .sync = BF_FW_SYNC_DRIVER, .timeout_s = 180 };
	struct bf_fw_reset_caps c;
	struct bf_fw_query before, after;
	struct bf_fw_dev *d;
	bool yes = false, query = false, waited;
	const char *dev;
	char *end, q[160];
	int opt, r;

	while ((opt = getopt_long(argc, argv, "y" BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		switch (opt) {
		case 'y': yes = true; break;
		case OPT_QUERY: query = true; break;
		case OPT_LEVEL:
			o.level = (int)strtol(optarg, &end, 10);
			if (*end || !bf_fw_reset_level_text(o.level))
				bf_cli_usage_error("--level takes 0, 1, 3 or 4");
			break;
		case OPT_TYPE:
			o.type = (int)strtol(optarg, &end, 10);
			if (*end || !bf_fw_reset_type_text(o.type))
				bf_cli_usage_error("--type takes 0 to 4");
			break;
		case OPT_SYNC:
			o.sync = optarg ? (int)strtol(optarg, &end, 10) : BF_FW_SYNC_DRIVER;
			if ((optarg && *end) || o.sync < 0 || o.sync > 2)
				bf_cli_usage_error("--sync takes 0, 1 or 2 (--sync=N)");
			break;
		case OPT_TIMEOUT:
			if (bf_duration_parse(optarg, &o.timeout_s) < 0)
				bf_cli_usage_error("--timeout: %s", bf_error_get());
			break;
		default: bf_cli_common(opt, fw_usage);
		}
	}
	if (!(dev = arg(argc, argv, 0)) || arg(argc, argv, 1))
		bf_cli_usage_error("reset takes DEV");
	if ((r = bf_fw_cli_open(dev, &d)))
		return r;
	if ((r = bf_fw_reset_query(d, &c)) < 0) {
		bf_fw_dev_close(d);
		return bf_fw_cli_fail(r, "cannot query the reset levels of", dev);
	}
	if (!bf_event_json())
		show_caps(&c);
	if (query) {
		bf_fw_dev_close(d);
		bf_event_emit("fw_reset_query", caps_json(&c));
		return bf_cli_ok();
	}
	if (o.level < 0)
		o.level = c.default_level;
	if (o.type < 0)
		o.type = c.default_type;
	if (o.level < 0 || o.type < 0) {
		bf_fw_dev_close(d);
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOTSUP, NULL, "%s supports no reset level bfctl can use", dev);
	}
	if ((r = bf_fw_query(d, &before)) < 0) {
		bf_fw_dev_close(d);
		return bf_fw_cli_fail(r, "cannot query", dev);
	}
	bf_event_say("%s", "");
	snprintf(q, sizeof(q), "Reset %s with level %d (%s), type %d, sync %d? The NIC and its links go down.", dev,
		 o.level, bf_fw_reset_level_text(o.level), o.type, o.sync);
	if ((r = bf_fw_cli_confirm(q, yes))) {
		bf_fw_dev_close(d);
		return r;
	}
	bf_event_say("-I- Sending reset command to device %s ...", dev);
	r = bf_fw_reset(d, &o, &waited);
	if (r < 0) {
		bf_fw_dev_close(d);
		return bf_fw_cli_fail(r, "cannot reset", dev);
	}
	if (!waited) {
		bf_fw_dev_close(d);
		bf_event_say(o.level == 4 ? "-I- Reboot the host (warm reboot) to load the new firmware." :
					    "-I- Live patch requested: the device was not reset.");
		bf_event_emit("fw_reset", caps_json(&c));
		return bf_cli_ok();
	}
	r = bf_fw_query(d, &after);
	bf_fw_dev_close(d);
	if (r < 0)
		return bf_fw_cli_fail(r, "cannot query after the reset", dev);
	bf_event_say("-I- The device was reset.");
	bf_event_say("FW Version(Running):  %s (was %s)", after.fw_running, before.fw_running);
	bf_event_say("FW Version(Pending):  %s", after.pending ? after.fw_version : "none");
	{
		json_object *j = caps_json(&c);

		json_object_object_add(j, "device", json_object_new_string(dev));
		json_object_object_add(j, "level", json_object_new_int(o.level));
		json_object_object_add(j, "type", json_object_new_int(o.type));
		json_object_object_add(j, "sync", json_object_new_int(o.sync));
		json_object_object_add(j, "running_before", json_object_new_string(before.fw_running));
		json_object_object_add(j, "running", json_object_new_string(after.fw_running));
		json_object_object_add(j, "pending", after.pending ? json_object_new_string(after.fw_version) : NULL);
		bf_event_emit("fw_reset", j);
	}
	return bf_cli_ok();
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
