/* cmd_log.c - bfctl log: show (and follow) the RShim log of a device. */
#include "config.h"
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "escape.h"
#include "log.h"
#include "print.h"
#include "rshim.h"
#include "statusview.h"

#include <stdio.h>

static const char log_usage[] =
	"Usage: bfctl log --rshim DEV [--follow] [--clear] [--json] [-v]\n"
	"\n"
	"Show the RShim log (boot ROM, ATF, UEFI, PSC and installer messages) in\n"
	"the upstream text form, e.g. \" INFO[BL31]: ...\". 'bfctl install' reads\n"
	"the log and clears it as it shows it: right after an install the log is\n"
	"empty, unless the install ran with --keep-log.\n"
	"\n"
	"Options:\n"
	"  -r, --rshim DEV  the device (default $BFCTL_RSHIM)\n"
	"  -f, --follow     keep showing new messages until Ctrl+C\n"
	"      --clear      empty the log ring after reading (CLEAR_ON_READ)\n"
	"      --json       one \"log\" event per message\n"
	"  -v, --verbose    more detail (skipped malformed records)\n"
	"  -h, --help       this help\n";

#define FOLLOW_POLL_NS 200000000ull

/* An empty ring right after an install is no mystery: say why. */
static void empty_hint(const char *name)
{
	static const char hint[] =
		"the log is empty: 'bfctl install' reads the log and clears it as it shows it "
		"(clear-on-read); run the install with --keep-log to leave it in the device for 'bfctl log'";

	if (bf_event_json()) {
		bf_print_begin("log_empty");
		bf_print_string(BF_PRINT_JSON, "device", NULL, name);
		bf_print_string(BF_PRINT_JSON, "hint", NULL, hint);
		bf_print_end();
		return;
	}
	fprintf(stderr, "%s: ", bf_cli_cmdname());
	bf_escape_text_fputs(name, stderr);
	fprintf(stderr, ": %s\n", hint);
}

int bf_cmd_log(int argc, char **argv)
{
	enum { OPT_CLEAR = BF_OPT_FIRST_CMD };
	static const struct option longopts[] = {
		{ "rshim", required_argument, NULL, 'r' },
		{ "follow", no_argument, NULL, 'f' },
		{ "clear", no_argument, NULL, OPT_CLEAR },
		BF_CLI_LONGOPTS, { 0 } };
	const char *dev = NULL;
	bool follow = false, clear = false, first = true;
	struct bf_statusview sv;
	struct bf_rshim *r;
	int opt, ret;

	while ((opt = bf_cli_getopt(argc, argv, "r:f" BF_CLI_SHORTOPTS, longopts)) != -1) {
		switch (opt) {
		case 'r': dev = optarg; break;
		case 'f': follow = true; break;
		case OPT_CLEAR: clear = true; break;
		default: bf_cli_common(opt, log_usage);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if ((ret = bf_cli_open_rshim(dev, &r)) != 0)
		return ret;
	bf_statusview_init(&sv, r, clear, NULL, NULL);
	do {
		ret = bf_statusview_poll(&sv);
		if (ret < 0) {
			ret = bf_cli_fail(bf_cli_exit_for(ret) == BF_EXIT_TIMEOUT ? BF_EXIT_TIMEOUT : BF_EXIT_DEVICE,
					  ret, NULL, "reading the log of %s", r->name);
			bf_rshim_close(r);
			return ret;
		}
		if (first && sv.lines == 0)
			empty_hint(r->name);
		first = false;
		if (follow)
			bf_clock_sleep_ns(FOLLOW_POLL_NS);
	} while (follow && !bf_stop_requested());
	if (sv.garbage)
		bf_info("%s: %llu malformed log records skipped", r->name, (unsigned long long)sv.garbage);
	bf_rshim_close(r);
	return bf_cli_ok();
}
