/* cmd_bfb.c - bfctl bfb: inspect and verify BFB boot bundles. */
#include "config.h"
#include "bfb.h"
#include "bfb_file.h"
#include "cli.h"
#include "commands.h"
#include "error.h"
#include "event.h"
#include "log.h"

#include <errno.h>
#include <string.h>

static const char bfb_usage[] =
	"Usage: bfctl bfb verify FILE [--json] [-v]\n"
	"\n"
	"Commands:\n"
	"  verify FILE   check every image header and CRC, streaming; exit 0 when\n"
	"                the bundle is intact, 3 with the offset and name of the\n"
	"                first bad image otherwise\n"
	"\n"
	"Options:\n"
	"  --json        one JSON event per line (see bfctl(1))\n"
	"  -v            more detail\n"
	"  -h, --help    this help\n";

static int bfb_verify(int argc, char **argv)
{
	static const struct option longopts[] = { BF_CLI_LONGOPTS, { 0 } };
	struct bf_bfb_summary sum;
	int opt, r;

	while ((opt = getopt_long(argc, argv, BF_CLI_SHORTOPTS, longopts, NULL)) != -1)
		bf_cli_common(opt, bfb_usage);
	if (optind + 1 != argc)
		bf_cli_usage_error("verify needs exactly one FILE");

	r = bf_bfb_file_verify(argv[optind], &sum);
	if (bf_event_json()) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(argv[optind]));
		json_object_object_add(o, "ok", json_object_new_boolean(r == 0));
		json_object_object_add(o, "images", json_object_new_int((int)sum.nimages));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)sum.bytes));
		json_object_object_add(o, "trailing_bytes", json_object_new_int64((int64_t)sum.trailing_bytes));
		if (r == -EBADMSG) {
			json_object_object_add(o, "error_offset", json_object_new_int64((int64_t)sum.err_offset));
			if (sum.err_id >= 0)
				json_object_object_add(o, "error_image",
					json_object_new_string(sum.err_name));
		}
		bf_event_emit("verify", o);
	}
	if (r == -EBADMSG)
		return bf_cli_fail(BF_EXIT_INPUT, r, "the bundle is damaged: download it again",
				   "%s", argv[optind]);
	if (r < 0)
		return bf_cli_fail(bf_cli_exit_for(r), r, NULL, "cannot read %s", argv[optind]);
	bf_event_say("%s: OK, %u images, %llu bytes%s", argv[optind], sum.nimages,
		     (unsigned long long)sum.bytes,
		     sum.trailing_bytes ? " (plus trailing data)" : "");
	return bf_cli_ok();
}

int bf_cmd_bfb(int argc, char **argv)
{
	if (argc < 2)
		bf_cli_usage_exit(bfb_usage, true);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		bf_cli_usage_exit(bfb_usage, false);
	bf_cli_set_cmdname(strcmp(argv[1], "verify") == 0 ? "bfctl bfb verify" : "bfctl bfb");
	if (!strcmp(argv[1], "verify"))
		return bfb_verify(argc - 1, argv + 1);
	bf_cli_usage_error("unknown bfb command '%s'", argv[1]);
}
