/* cmd_profile.c - bfctl profile check: validate a DPU profile (the same
 * validator bfagent uses on the DPU). */
#include "config.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "profile.h"

#include <errno.h>
#include <string.h>

static const char profile_usage[] =
	"Usage: bfctl profile check [--json] [-v] FILE\n"
	"\n"
	"Check a DPU profile: its YAML, the firmware: parameters and bfcfg: keys\n"
	"against their databases, the dpu: layer (eswitch, PFs, LAG, SFs, OVS,\n"
	"virtio-net), includes, and what the dpu: layer needs from the firmware:\n"
	"layer. Each problem is printed as FILE:LINE:COL: severity: message [class].\n"
	"Shipped profiles are in " BF_DATADIR "/profiles; see bfctl(1) and\n"
	"doc/profiles.md for the schema.\n"
	"\n"
	"Exit status: 0 no errors (warnings allowed), 1 the databases could not\n"
	"be read, 2 usage, 3 the profile has errors or cannot be read.\n";

static int profile_check(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_profile_result res;
	struct bf_profile p;
	const char *path;
	int opt, r;

	while ((opt = bf_cli_getopt(argc, argv, BF_CLI_SHORTOPTS, longopts)) != -1)
		bf_cli_common(opt, profile_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("check needs exactly one FILE");
	path = argv[optind];
	if ((r = bf_cli_input(path)))
		return r;
	r = bf_profile_open(path, &p, &res);
	if (r < 0) {
		bf_profile_free(&p);
		bf_profile_result_free(&res);
		if (r == -ENOMEM)
			return bf_cli_fail(BF_EXIT_FAILURE, r, NULL, "cannot check %s", path);
		return bf_cli_fail(bf_error_get() && strstr(bf_error_get(), "cannot read") ? BF_EXIT_INPUT
											  : BF_EXIT_FAILURE,
				   r, NULL, "cannot check %s", path);
	}
	bf_profile_report(path, &res);
	r = (int)res.errors;
	bf_profile_free(&p);
	bf_profile_result_free(&res);
	if (r) {
		bf_error_clear();
		bf_error_set("%s has %d error%s", path, r, r == 1 ? "" : "s");
		return bf_cli_fail(BF_EXIT_INPUT, -EINVAL, "fix them before applying it", "check failed");
	}
	return bf_cli_ok();
}

int bf_cmd_profile(int argc, char **argv)
{
	if (argc < 2)
		bf_cli_usage_exit(profile_usage, true);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		bf_cli_usage_exit(profile_usage, false);
	if (!strcmp(argv[1], "check")) {
		bf_cli_set_cmdname("bfctl profile check");
		return profile_check(argc - 1, argv + 1);
	}
	bf_cli_usage_error("unknown profile command '%s'", argv[1]);
}
