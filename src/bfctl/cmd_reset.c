/* cmd_reset.c - bfctl reset: chip reset over RShim. */
#include "config.h"
#include "boot.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "print.h"
#include "rshim.h"

static const char reset_usage[] =
	"Usage: bfctl reset --rshim DEV [--json] [-v]\n"
	"\n"
	"Reset the BlueField (RESET_CONTROL with the reset key). The boot mode\n"
	"is left as it is: after an install that is eMMC, so the DPU reboots\n"
	"its installed OS.\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV  the device (sim:0, ...; default $BFCTL_RSHIM)\n"
	"      --json       JSON events on stdout\n"
	"  -v, --verbose    more detail\n"
	"  -h, --help       this help\n";

int bf_cmd_reset(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' }, BF_CLI_LONGOPTS, { 0 } };
	const char *dev = NULL;
	struct bf_rshim *r;
	int opt, ret;

	while ((opt = bf_cli_getopt(argc, argv, "r:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		if (opt == 'r')
			dev = optarg;
		else
			bf_cli_common(opt, reset_usage);
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if ((ret = bf_cli_open_rshim(dev, &r)) != 0)
		return ret;
	ret = bf_boot_chip_reset(r);
	if (ret < 0) {
		ret = bf_cli_fail(BF_EXIT_DEVICE, ret, "check the device with 'bfctl list'",
				  "reset of %s failed", r->name);
		bf_rshim_close(r);
		return ret;
	}
	bf_print_line("%s: reset", r->name);
	bf_rshim_close(r);
	return bf_cli_ok();
}
