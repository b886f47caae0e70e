/* cli.c - option handling, error reporting and exit codes shared by commands. */
#include "config.h"
#include "cli.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "rshim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char cmdname[128] = "bfctl";

const char *bf_cli_cmdname(void) { return cmdname; }

void bf_cli_set_cmdname(const char *name)
{
	snprintf(cmdname, sizeof(cmdname), "%s", name);
	bf_log_set_prog(cmdname);
}

void bf_cli_usage_exit(const char *usage, bool error)
{
	fputs(usage, error ? stderr : stdout);
	exit(error ? BF_EXIT_USAGE : BF_EXIT_OK);
}

void bf_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cmdname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s --help')\n", cmdname);
	exit(BF_EXIT_USAGE);
}

void bf_cli_common(int opt, const char *usage)
{
	switch (opt) {
	case 'v':
		bf_log_set_level(bf_log_get_level() + 1);
		return;
	case BF_OPT_JSON:
		bf_event_init(true);
		return;
	case 'h':
		bf_cli_usage_exit(usage, false);
	default:
		/* getopt already printed what was wrong. */
		fprintf(stderr, "%s: see '%s --help'\n", cmdname, cmdname);
		exit(BF_EXIT_USAGE);
	}
}

int bf_cli_exit_for(int err)
{
	switch (-err) {
	case 0: return BF_EXIT_OK;
	case EBADMSG:
	case EINVAL:
	case EILSEQ:
	case EFBIG:
		return BF_EXIT_INPUT;
	case ENODEV:
	case ENXIO:
	case EBUSY:
	case EACCES:
	case EPERM:
		return BF_EXIT_DEVICE;
	case ETIMEDOUT:
		return BF_EXIT_TIMEOUT;
	case EEXIST:
		return BF_EXIT_EXISTS;
	case EINTR:
		return BF_EXIT_INTERRUPTED;
	default:
		return BF_EXIT_FAILURE;
	}
}

static void emit_result(int code, const char *message)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(code == 0));
	json_object_object_add(o, "exit_code", json_object_new_int(code));
	json_object_object_add(o, "status", json_object_new_string(bf_exit_name(code)));
	if (message)
		json_object_object_add(o, "message", json_object_new_string(message));
	bf_event_emit("result", o);
}

int bf_cli_fail(int code, int err, const char *hint, const char *what, ...)
{
	char head[256], msg[1024];
	const char *why = bf_error_get();
	va_list ap;

	va_start(ap, what);
	vsnprintf(head, sizeof(head), what, ap);
	va_end(ap);
	if (!why)
		why = err ? strerror(-err) : "failed";
	snprintf(msg, sizeof(msg), "%s: %s%s%s", head, why, hint ? "; " : "", hint ? hint : "");
	bf_event_progress_clear();
	fprintf(stderr, "%s: %s\n", cmdname, msg);
	emit_result(code, msg);
	return code;
}

int bf_cli_ok(void)
{
	emit_result(BF_EXIT_OK, NULL);
	return BF_EXIT_OK;
}

#define BF_CLI_RECONNECT_S 20.0

int bf_cli_open_rshim(const char *name, struct bf_rshim **r)
{
	int ret;

	if (!name)
		name = getenv("BFCTL_RSHIM");
	if (!name || !*name)
		bf_cli_usage_error("no device given: use --rshim DEV (e.g. --rshim sim:0) or set BFCTL_RSHIM");
	bf_error_clear();
	ret = bf_rshim_open(name, r);
	if (ret < 0)
		return bf_cli_fail(BF_EXIT_DEVICE, ret, "check the name with 'bfctl list'",
				   "cannot open %s", name);
	/* A command rides out a reset made from the other side (the DPU,
	 * the NIC firmware): a USB device re-enumerates within seconds. */
	(*r)->reconnect_s = BF_CLI_RECONNECT_S;
	return 0;
}
