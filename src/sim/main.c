/* main.c - bfsim: the simulated BlueField as a program (bundle, run, status). */
#include "config.h"
#include "bfb_pack.h"
#include "fileio.h"
#include "cli.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "sim.h"
#include "sim_int.h"
#include "nic.h"
#include "run.h"
#include "sim_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"Usage: bfsim bundle -o FILE [--kind full|fw] [--size MIB] [--chip bf2|bf3] [--force]\n"
	"                    [--version-set current|next] [--version COMPONENT=VER]...\n"
	"                    [--psid PSID] [--nic-image good|bad]\n"
	"       bfsim run [--devices N] [--chip bf2|bf3] [--state DIR] [--speed N]\n"
	"                 [--link-bps N] [--drain-bps N] [--fault F]... [--transport usb,pci]\n"
	"                 [--net] -- COMMAND [ARGS...]\n"
	"       bfsim serve --state DIR [--devices N] [--socket PATH] [...]\n"
	"       bfsim status [--state DIR] [--json]\n"
	"       bfsim fwimage -o FILE --version X.Y.Z --psid PSID [--chip bf2|bf3] [...]\n"
	"\n"
	"Simulated BlueField-2/3 devices: RShim registers, boot FIFO, boot stages,\n"
	"installer, RShim log, TM FIFO console, NIC firmware. bfsim holds them and\n"
	"serves them on a unix socket; inside 'bfsim run', COMMAND reaches them as\n"
	"sim:0 ... sim:N-1.\n"
	"\n"
	"bundle   write a bundle the simulator installs\n"
	"run      run COMMAND with the devices reachable\n"
	"serve    serve the devices until stopped (prints BFSIM_SOCKET=PATH)\n"
	"status   what the device in DIR has installed, and its counters\n"
	"fwimage  write a NIC firmware image the simulated NIC accepts\n"
	"\n"
	"'bfsim COMMAND --help' shows each command's options.\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 invalid input, 8 output exists;\n"
	"run: COMMAND's status. See bfsim(1).\n";

static const char bundle_usage[] =
	"Usage: bfsim bundle -o FILE [--kind full|fw] [--size MIB] [--chip bf2|bf3] [--force]\n"
	"                    [--version-set current|next] [--version COMPONENT=VER]...\n"
	"                    [--psid PSID] [--nic-image good|bad]\n"
	"\n"
	"Write a bundle (BFB) the simulator installs. Its info image lists the\n"
	"versions of ATF, UEFI, BSP, NIC, BMC and CEC firmware (BF3_ATF, ...; BF2_\n"
	"for --chip bf2) and its nicfw image holds a NIC firmware image for PSID.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE    where to write it\n"
	"      --kind KIND      full (OS + firmware, default) or fw (firmware only)\n"
	"      --size MIB       the OS payload of a full bundle, 0 to 3800 (default 4)\n"
	"      --chip CHIP      bf2 or bf3 (default bf3)\n"
	"      --force          replace FILE if it exists\n"
	"      --version-set SET  current (what the shipped bundles install, default)\n"
	"                       or next (every component one release newer)\n"
	"      --version C=V    component C (ATF, UEFI, BSP, NIC, BMC, CEC, DOCA) at\n"
	"                       version V instead (repeatable)\n"
	"      --psid PSID      the NIC firmware is for PSID (default: the chip's)\n"
	"      --nic-image bad  a NIC image whose payload fails the NIC's digest check\n"
	"      --json           a final \"result\" event\n"
	"  -v, --verbose        more detail\n"
	"  -h, --help           this help\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 8 FILE exists. See bfsim(1).\n";

static const char status_usage[] =
	"Usage: bfsim status [--state DIR] [--json]\n"
	"\n"
	"What the simulated device kept in DIR (default $BFSIM_STATE) has\n"
	"installed (OS, firmware, password), its boot phase and counters.\n"
	"\n"
	"Options:\n"
	"      --state DIR      the device's state directory\n"
	"      --json           one \"status\" event, then \"result\"\n"
	"  -v, --verbose        more detail\n"
	"  -h, --help           this help\n"
	"Exit status: 0 ok, 2 usage, 3 no device state in DIR. See bfsim(1).\n";

/* The recipe for KIND-CHIP, from the data directory (bf_data_path). */
static int find_recipe(const char *kind, const char *chip, char *out, size_t cap)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "bfb/%s-%s.yaml", kind, chip);
	return bf_data_path(rel, out, cap);
}

static int cmd_bundle(int argc, char **argv)
{
	enum { OPT_KIND = BF_OPT_FIRST_CMD, OPT_SIZE, OPT_CHIP, OPT_FORCE, OPT_SET, OPT_VER, OPT_PSID,
	       OPT_NICIMG };
	static const struct option lo[] = {
		{ "version-set", required_argument, NULL, OPT_SET },
		{ "version", required_argument, NULL, OPT_VER },
		{ "psid", required_argument, NULL, OPT_PSID },
		{ "nic-image", required_argument, NULL, OPT_NICIMG },
		{ "output", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "chip", required_argument, NULL, OPT_CHIP },
		{ "force", no_argument, NULL, OPT_FORCE },
		BF_CLI_LONGOPTS, { 0 } };
	const char *out = NULL, *kind = "full", *chip = "bf3";
	char recipe[PATH_MAX], size[48] = "";
	struct bf_bfb_pack *p;
	struct bf_sim_bundle sb;
	bool force = false;
	char *end;
	int opt, r;

	bf_sim_bundle_init(&sb);
	while ((opt = getopt_long(argc, argv, "o:" BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case OPT_FORCE: force = true; break;
		case OPT_KIND:
			if (strcmp(optarg, "full") && strcmp(optarg, "fw"))
				bf_cli_usage_error("--kind takes full or fw");
			kind = optarg;
			break;
		case OPT_SIZE: {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v > 3800)
				bf_cli_usage_error("--size takes MiB, 0 to 3800");
			snprintf(size, sizeof(size), "size_mib=%lu", v);
			break;
		}
		case OPT_CHIP:
			if (strcmp(optarg, "bf2") && strcmp(optarg, "bf3"))
				bf_cli_usage_error("--chip takes bf2 or bf3");
			chip = optarg;
			break;
		case OPT_SET:
			if (strcmp(optarg, "current") && strcmp(optarg, "next"))
				bf_cli_usage_error("--version-set takes current or next");
			sb.set = optarg;
			break;
		case OPT_VER:
			if (bf_sim_bundle_version(&sb, optarg) < 0)
				bf_cli_usage_error("%s", bf_error_get());
			break;
		case OPT_PSID:
			if (!*optarg || strlen(optarg) > 16 || strpbrk(optarg, " \t\"\\$"))
				bf_cli_usage_error("--psid takes 1 to 16 characters, e.g. MT_0000000884");
			snprintf(sb.psid, sizeof(sb.psid), "%s", optarg);
			break;
		case OPT_NICIMG:
			if (strcmp(optarg, "good") && strcmp(optarg, "bad"))
				bf_cli_usage_error("--nic-image takes good or bad");
			sb.nic_image = optarg;
			break;
		default: bf_cli_common(opt, bundle_usage);
		}
	}
	if (!out || optind != argc)
		bf_cli_usage_error("bundle needs -o FILE and no other arguments");
	if (size[0] && strcmp(kind, "full"))
		bf_cli_usage_error("--size sets the OS payload of a full bundle");
	if ((r = find_recipe(kind, chip, recipe, sizeof(recipe))) < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot make the bundle");
	p = malloc(sizeof(*p));
	if (!p)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "out of memory");
	bf_bfb_pack_init(p);
	r = size[0] ? bf_bfb_pack_set_param(p, size) : 0;
	if (r == 0)
		r = bf_sim_bundle_params(&sb, !strcmp(chip, "bf2"), p);
	if (r == 0)
		r = bf_bfb_pack_add_manifest(p, recipe);
	if (r == 0)
		r = bf_sim_bundle_nicfw(&sb, !strcmp(chip, "bf2"), p);
	if (r == 0)
		r = bf_bfb_pack_write(p, out, false, force, true);
	bf_bfb_pack_free(p);
	free(p);
	if (r == -EEXIST)
		return bf_cli_fail(BF_EXIT_EXISTS, r, "use --force to replace it", "cannot write %s", out);
	if (r < 0)
		return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot write %s", out);
	bf_event_say("%s: %s bundle for %s written (recipe %s, versions %s%s)", out, kind, chip, recipe, sb.set,
		     sb.nover ? " with changes" : "");
	return bf_cli_ok();
}

static json_object *read_file_json(const char *dir, const char *name)
{
	int err;

	return bf_sim_state_read(dir, name, &err);
}

static const char *jstr(json_object *o, const char *a, const char *b)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, b, &v)))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* What waits for activation: staged ATF/UEFI/BSP, the NIC's pending
 * bank; and the data-path downtime the NIC's resets cost so far. */
static void add_pending(json_object *out, json_object *nv)
{
	json_object *st, *nic, *banks, *v, *b;
	int pend;

	json_object_object_add(out, "staged", nv && json_object_object_get_ex(nv, "staged", &st) &&
			       json_object_is_type(st, json_type_object) ? json_object_get(st) : json_object_new_object());
	/* BMC/CEC firmware the installer staged: active after the BMC's
	 * reboot or the CEC's reset. */
	if (nv && json_object_object_get_ex(nv, "bmc_staged", &st) && json_object_is_type(st, json_type_object)) {
		json_object_object_foreach(st, k, sv)
			if (json_object_is_type(sv, json_type_string))
				json_object_object_add(json_object_object_get(out, "staged"), k, json_object_get(sv));
	}
	if (!nv || !json_object_object_get_ex(nv, "nic", &nic) || !json_object_is_type(nic, json_type_object))
		return;
	pend = json_object_object_get_ex(nic, "pending", &v) ? json_object_get_int(v) : -1;
	if ((pend == 0 || pend == 1) && json_object_object_get_ex(nic, "banks", &banks) &&
	    json_object_is_type(banks, json_type_array) && (b = json_object_array_get_idx(banks, (size_t)pend)) &&
	    jstr(b, "version", NULL))
		json_object_object_add(json_object_object_get(out, "staged"), "nic_fw",
				       json_object_new_string(jstr(b, "version", NULL)));
	json_object_object_add(out, "nic_downtime_s", json_object_new_double(
		json_object_object_get_ex(nic, "downtime_s", &v) ? json_object_get_double(v) : 0));
	json_object_object_add(out, "nic_live_patches", json_object_new_int(
		json_object_object_get_ex(nic, "live_patches", &v) ? json_object_get_int(v) : 0));
}

static int cmd_status(int argc, char **argv)
{
	enum { OPT_STATE = BF_OPT_FIRST_CMD };
	static const struct option lo[] = {
		{ "state", required_argument, NULL, OPT_STATE }, BF_CLI_LONGOPTS, { 0 } };
	const char *dir = getenv("BFSIM_STATE");
	json_object *nv, *rt, *inst = NULL, *out, *cnt, *v;
	int opt;

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, lo, NULL)) != -1) {
		if (opt == OPT_STATE)
			dir = optarg;
		else
			bf_cli_common(opt, status_usage);
	}
	if (!dir || optind != argc)
		bf_cli_usage_error("status needs --state DIR");
	rt = read_file_json(dir, "runtime.json");
	nv = read_file_json(dir, "nv.json");
	if (!rt && !nv)
		return bf_cli_fail(BF_EXIT_INPUT, -ENOENT, "run a command under 'bfsim run --state DIR' first",
				   "no simulated device state in %s", dir);
	if (nv)
		json_object_object_get_ex(nv, "installed", &inst);
	out = json_object_new_object();
	json_object_object_add(out, "state", json_object_new_string(dir));
	json_object_object_add(out, "chip", json_object_new_string(jstr(rt, "chip", NULL) ? jstr(rt, "chip", NULL) : "unknown"));
	json_object_object_add(out, "phase", json_object_new_string(jstr(rt, "phase", NULL) ? jstr(rt, "phase", NULL) : "off"));
	json_object_object_add(out, "installed", inst ? json_object_get(inst) : json_object_new_object());
	add_pending(out, nv);
	cnt = json_object_new_object();
	{
		static const char *const keys[] = { "boot_bytes", "drained_bytes", "overflow_bytes",
						    "resets", "log_dropped", "log_truncated", "tm_lost" };
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_object_object_add(cnt, keys[i], json_object_new_int64(
				rt && json_object_object_get_ex(rt, keys[i], &v) ? json_object_get_int64(v) : 0));
	}
	json_object_object_add(out, "counters", cnt);
	/* Boot progress: installer/firmware steps still to come. */
	json_object_object_add(out, "pending_events", json_object_new_int(
		rt && json_object_object_get_ex(rt, "events", &v) && json_object_is_type(v, json_type_array) ?
		(int)json_object_array_length(v) : 0));
	/* The crypt hash is not the password; JSON carries it, text says "set". */
	json_object_object_add(out, "password_set", json_object_new_boolean(
		jstr(inst, "ubuntu_password_hash", NULL) != NULL));
	if (bf_event_json()) {
		bf_event_emit("status", json_object_get(out));
	} else {
		bf_event_say("device      %s (%s)", jstr(out, "chip", NULL), dir);
		bf_event_say("phase       %s", jstr(out, "phase", NULL));
		bf_event_say("OS          %s %s (%s)", jstr(inst, "os", "name") ? jstr(inst, "os", "name") : "none",
			     jstr(inst, "os", "version") ? jstr(inst, "os", "version") : "",
			     jstr(inst, "os", "release") ? jstr(inst, "os", "release") : "-");
		bf_event_say("DOCA        %s", jstr(inst, "os", "doca") ? jstr(inst, "os", "doca") : "-");
		bf_event_say("hostname    %s", jstr(inst, "os", "hostname") ? jstr(inst, "os", "hostname") : "-");
		bf_event_say("ATF/UEFI    %s / %s", jstr(inst, "atf", NULL) ? jstr(inst, "atf", NULL) : "-",
			     jstr(inst, "uefi", NULL) ? jstr(inst, "uefi", NULL) : "-");
		bf_event_say("NIC FW      %s (PSID %s)", jstr(inst, "nic_fw", "version") ? jstr(inst, "nic_fw", "version") : "-",
			     jstr(inst, "nic_fw", "psid") ? jstr(inst, "nic_fw", "psid") : "-");
		bf_event_say("BMC/CEC FW  %s / %s", jstr(inst, "bmc_fw", NULL) ? jstr(inst, "bmc_fw", NULL) : "-",
			     jstr(inst, "cec_fw", NULL) ? jstr(inst, "cec_fw", NULL) : "-");
		json_object_object_foreach(json_object_object_get(out, "staged"), sk, sv)
			bf_event_say("pending     %s %s", sk, json_object_get_string(sv));
		bf_event_say("ubuntu pw   %s", jstr(inst, "ubuntu_password_hash", NULL) ? "set (crypt hash from bf.cfg)" : "default");
		json_object_object_foreach(cnt, key, val)
			bf_event_say("%-11s %lld", key, (long long)json_object_get_int64(val));
	}
	json_object_put(out);
	json_object_put(rt);
	json_object_put(nv);
	return bf_cli_ok();
}

int main(int argc, char **argv)
{
	const char *cmd;
	char name[64];

	bf_event_init(false);
	bf_cli_set_cmdname("bfsim");
	if (argc < 2)
		bf_cli_usage_exit(usage, true);
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		bf_cli_usage_exit(usage, false);
	if (!strcmp(cmd, "--version")) {
		printf("bfsim %s\n", PACKAGE_VERSION);
		return 0;
	}
	snprintf(name, sizeof(name), "bfsim %s", cmd);
	bf_cli_set_cmdname(name);
	optind = 1;
	if (!strcmp(cmd, "bundle"))
		return cmd_bundle(argc - 1, argv + 1);
	if (!strcmp(cmd, "run"))
		return bf_sim_cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return bf_sim_cmd_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "fwimage"))
		return bf_sim_cmd_fwimage(argc - 1, argv + 1);
	bf_cli_set_cmdname("bfsim");
	bf_cli_usage_error("unknown command '%s'", cmd);
}
