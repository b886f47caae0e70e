/* main.c - bfctl: the umbrella command, git-style subcommands. */
#include "config.h"
#include "cli.h"
#include "clock.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const struct bf_cmd commands[] = {
	{ "list", "list the RShim devices this host can reach", bf_cmd_list },
	{ "install", "push a BFB (+ bf.cfg) and stream the boot status", bf_cmd_install },
	{ "bmc", "a DPU through its BMC: inventory, mode, reset, RShim owner", bf_cmd_bmc },
	{ "upgrade", "plan, apply and activate a firmware bundle; its history", bf_cmd_upgrade },
	{ "log", "show or follow the RShim log", bf_cmd_log },
	{ "reset", "reset the BlueField", bf_cmd_reset },
	{ "reg", "read or write an RShim register", bf_cmd_reg },
	{ "console", "the DPU console (hvc0) over the tmfifo", bf_cmd_console },
	{ "bfb", "inspect, verify, pack and unpack BFB boot bundles", bf_cmd_bfb },
	{ "cfg", "check and show bf.cfg files; password hashes", bf_cmd_cfg },
	{ "fw", "NIC firmware: query, configure, burn, reset (PCI config space)", bf_cmd_fw },
	{ "profile", "check DPU profiles (firmware, bf.cfg and DPU networking)", bf_cmd_profile },
	{ "provision", "take a DPU from bare to a verified profile (install, SSH, bfagent)", bf_cmd_provision },
	{ "agent", "run bfagent plan/apply/status on a provisioned DPU over SSH", bf_cmd_agent },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: bfctl [-v] [--json] COMMAND [ARGS...]\n"
		"       bfctl help COMMAND | --help | --version\n"
		"\n"
		"Provision and maintain NVIDIA BlueField DPUs over RShim.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options (also accepted after COMMAND):\n"
		"  -v, --verbose  more detail on stderr (repeat for debug)\n"
		"      --json     one JSON event per line on stdout (see bfctl(1))\n"
		"  -h, --help     this help; 'bfctl COMMAND --help' for a command\n"
		"      --version  print the version\n"
		"\n"
		"Exit status: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 device,\n"
		"5 push failed, 6 boot error, 7 timeout, 8 exists, 130 interrupted.\n"
		"See bfctl(1).\n");
}

static const struct bf_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The reader of stdout went away (bfctl install | head): what the
 * command printed there was lost, so its end is told on stderr. */
static int finish(const char *name, int code)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		fprintf(stderr, "%s: standard output was closed early; the command %s (exit %d)\n",
			name, code == BF_EXIT_OK ? "completed" : "failed", code);
	return code;
}

int main(int argc, char **argv)
{
	const struct bf_cmd *cmd;
	char name[64];
	int i = 1;

	bf_event_init(false);
	bf_cli_set_cmdname("bfctl");
	bf_stop_install_handlers();
	/* getopt's messages are replaced by ours (bf_cli_common). */
	opterr = 0;
	/* --json anywhere (before "--") holds for every exit, usage errors
	 * found before getopt reaches it included. */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json")) {
			bf_event_init(true);
			break;
		}
	i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			bf_log_set_level(bf_log_get_level() + 1);
		} else if (!strcmp(argv[i], "-vv")) {
			bf_log_set_level(bf_log_get_level() + 2);
		} else if (!strcmp(argv[i], "--json")) {
			continue;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(bf_event_json() ? stderr : stdout);
			return bf_cli_ok();
		} else if (!strcmp(argv[i], "--version")) {
			bf_print_begin("version");
			bf_print_string(BF_PRINT_ANY, "version", "bfctl %s\n", PACKAGE_VERSION);
			bf_print_end();
			return bf_cli_ok();
		} else {
			bf_cli_usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc) {
		usage(stderr);
		bf_cli_usage_error("a command is needed");
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 >= argc) {
			usage(bf_event_json() ? stderr : stdout);
			return bf_cli_ok();
		}
		cmd = find_command(argv[i + 1]);
		if (!cmd)
			bf_cli_usage_error("unknown command '%s'", argv[i + 1]);
		snprintf(name, sizeof(name), "bfctl %s", cmd->name);
		bf_cli_set_cmdname(name);
		{
			char *hargv[] = { argv[i + 1], (char *)"--help", NULL };

			return cmd->fn(2, hargv);
		}
	}
	cmd = find_command(argv[i]);
	if (!cmd)
		bf_cli_usage_error("unknown command '%s'", argv[i]);
	snprintf(name, sizeof(name), "bfctl %s", cmd->name);
	bf_cli_set_cmdname(name);
	optind = 1;
	return finish(name, cmd->fn(argc - i, argv + i));
}
