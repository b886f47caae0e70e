/* cmd_provision.c - bfctl provision (one device from bare to configured:
 * firmware, install, hand-off over SSH on tmfifo_net, bfagent, verify)
 * and bfctl agent (day-2 bfagent plan/apply/status over the same pinned
 * SSH). The flow is the library's (provision.h); this file shows its
 * events: text lines, or JSON events with bfagent's own events tagged
 * "stage": "agent". */
#include "config.h"
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "print.h"
#include "provision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char provision_usage[] =
	"Usage: bfctl provision --rshim DEV --profile FILE [--bfb FILE] [--reinstall]\n"
	"                       [--timeout S] [--ssh-timeout S] [--state-dir DIR]\n"
	"                       [--force-platform] [--json] [-v]\n"
	"       bfctl provision --inventory FILE [--parallel N] [--resume] ...\n"
	"                       (many devices: 'bfctl provision --inventory x --help')\n"
	"\n"
	"Take a DPU from bare to the configuration of a profile, step by step:\n"
	"firmware (the profile's firmware: parameters, and a NIC reset when one\n"
	"is not in effect yet), install (the BFB with a bf.cfg made from the\n"
	"profile's bfcfg: layer and hand-off hooks; the DPU's SSH host key\n"
	"fingerprint is read from the RShim log and pinned),\n"
	"handoff (SSH over tmfifo_net with the pinned key and this device's own\n"
	"key), agent (bfagent and the profile copied, 'bfagent apply'), verify\n"
	"('bfagent status' shows no drift). A DPU that runs the same bundle is\n"
	"not reinstalled; a profile already applied changes nothing.\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV       the device (sim:0, rshim0 through rshimd, ...)\n"
	"  -p, --profile FILE    the profile (doc/profiles.md)\n"
	"  -b, --bfb FILE        the bundle to install\n"
	"      --reinstall       install even when the DPU runs this bundle\n"
	"  -t, --timeout S       overall deadline (default 3600)\n"
	"      --ssh-timeout S   wait for SSH after the install (default 300)\n"
	"      --state-dir DIR   keys and pinned host key of this device\n"
	"                        (default $BFCTL_STATE_DIR/DEV or /var/lib/bfctl/DEV)\n"
	"      --force-platform  install a bundle for another chip\n"
	"      --json            JSON events: step, info, log, agent events\n"
	"                        (\"stage\": \"agent\"), result\n"
	"  -v, --verbose         more detail\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 verified, 1 bfagent failed or drift remains, 3 invalid\n"
	"input or a key missing from the state directory, 4 device missing or\n"
	"busy, or an SSH host key other than the pinned one, 5 push failed,\n"
	"6 install error or no host key published, 7 deadline (SSH unreachable),\n"
	"130 interrupted. See PROVISION in bfctl(1).\n";

static const char agent_usage[] =
	"Usage: bfctl agent --rshim DEV plan|apply|status [--profile FILE]\n"
	"                   [--state-dir DIR] [--timeout S] [--json] [-v]\n"
	"\n"
	"Run bfagent on a provisioned DPU over SSH on tmfifo_net (the host key\n"
	"pinned by 'bfctl provision'): plan and apply copy the profile first;\n"
	"status without a profile shows what bfagent made.\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV       the device\n"
	"  -p, --profile FILE    the profile (needed by plan and apply)\n"
	"      --state-dir DIR   as for bfctl provision\n"
	"  -t, --timeout S       overall deadline (default 600)\n"
	"      --json            JSON events (bfagent's tagged \"stage\": \"agent\")\n"
	"  -v, --verbose         more detail\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status as for bfctl provision. See PROVISION in bfctl(1).\n";

static void on_event(void *ctx, const struct bf_provision_event *ev)
{
	(void)ctx;
	bf_provision_print_event(ev);
}

static int finish(const struct bf_provision_result *res, const char *dev)
{
	if (res->exit_code == 0) {
		bf_print_line("%s: provisioned and verified", dev);
		return bf_cli_ok();
	}
	bf_error_clear();
	return bf_cli_fail(res->exit_code, 0, res->hint[0] ? res->hint : NULL, "%s", res->message);
}

static double duration(const char *opt, const char *v)
{
	double d;

	if (bf_duration_parse(v, &d) < 0)
		bf_cli_usage_error("--%s: %s", opt, bf_error_get());
	return d;
}

enum { OPT_REINSTALL = BF_OPT_FIRST_CMD, OPT_SSH_TIMEOUT, OPT_STATE_DIR, OPT_FORCE_PLATFORM };

int bf_cmd_provision(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "bfb", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 't' },
		{ "reinstall", no_argument, NULL, OPT_REINSTALL },
		{ "ssh-timeout", required_argument, NULL, OPT_SSH_TIMEOUT },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "force-platform", no_argument, NULL, OPT_FORCE_PLATFORM },
		BF_CLI_LONGOPTS, { 0 } };
	struct bf_provision_opts o = { .on_event = on_event };
	struct bf_provision_result res;
	int opt, k;

	/* Many devices from an inventory: cmd_fleet.c. */
	for (k = 1; k < argc && strcmp(argv[k], "--"); k++)
		if (!strcmp(argv[k], "--inventory") || !strncmp(argv[k], "--inventory=", 12) ||
		    !strcmp(argv[k], "-i"))
			return bf_cmd_provision_inventory(argc, argv);
	while ((opt = bf_cli_getopt(argc, argv, "r:p:b:t:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case 'r': o.device = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'b': o.bfb = optarg; break;
		case 't': o.timeout_s = duration("timeout", optarg); break;
		case OPT_SSH_TIMEOUT: o.ssh_timeout_s = duration("ssh-timeout", optarg); break;
		case OPT_REINSTALL: o.reinstall = true; break;
		case OPT_STATE_DIR: o.state_dir = optarg; break;
		case OPT_FORCE_PLATFORM: o.force_platform = true; break;
		default: bf_cli_common(opt, provision_usage);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o.device)
		o.device = getenv("BFCTL_RSHIM");
	if (!o.device)
		bf_cli_usage_error("--rshim DEV is required");
	if (!o.profile)
		bf_cli_usage_error("--profile FILE is required");
	if (bf_cli_input(o.profile) || (o.bfb && bf_cli_input(o.bfb)))
		return BF_EXIT_INPUT;
	bf_provision_run(&o, &res);
	return finish(&res, o.device);
}

int bf_cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "profile", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		BF_CLI_LONGOPTS, { 0 } };
	struct bf_provision_opts o = { .on_event = on_event, .timeout_s = 600 };
	struct bf_provision_result res;
	const char *verb;
	int opt;

	while ((opt = bf_cli_getopt(argc, argv, "r:p:t:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case 'r': o.device = optarg; break;
		case 'p': o.profile = optarg; break;
		case 't': o.timeout_s = duration("timeout", optarg); break;
		case OPT_STATE_DIR: o.state_dir = optarg; break;
		default: bf_cli_common(opt, agent_usage);
		}
	}
	if (optind + 1 != argc)
		bf_cli_usage_error("one of plan, apply, status is required");
	verb = argv[optind];
	if (strcmp(verb, "plan") && strcmp(verb, "apply") && strcmp(verb, "status"))
		bf_cli_usage_error("unknown agent command '%s' (plan, apply, status)", verb);
	if (!o.device)
		o.device = getenv("BFCTL_RSHIM");
	if (!o.device)
		bf_cli_usage_error("--rshim DEV is required");
	if (!o.profile && strcmp(verb, "status"))
		bf_cli_usage_error("%s needs --profile FILE", verb);
	if (o.profile && bf_cli_input(o.profile))
		return BF_EXIT_INPUT;
	bf_provision_agent(&o, verb, &res);
	if (res.exit_code == 0)
		return bf_cli_ok();
	return finish(&res, o.device);
}
