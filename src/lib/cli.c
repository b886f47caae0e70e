/* cli.c - option handling, error reporting and exit codes shared by commands. */
#include "config.h"
#include "cli.h"
#include "error.h"
#include "escape.h"
#include "event.h"
#include "fileio.h"
#include "print.h"
#include "rshim/name.h"
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

static void emit_result(int code, const char *message);

/* "CMD: msg" on stderr (escaped), and the result event. */
static void report(int code, const char *msg)
{
	bf_event_progress_clear();
	fprintf(stderr, "%s: ", cmdname);
	bf_escape_text_fputs(msg, stderr);
	fputc('\n', stderr);
	emit_result(code, msg);
}

void bf_cli_usage_exit(const char *usage, bool error)
{
	char msg[256];

	/* Under --json stdout holds only events: the text goes to stderr. */
	fputs(usage, error || bf_event_json() ? stderr : stdout);
	if (error) {
		snprintf(msg, sizeof(msg), "a command is needed; see '%s --help'", cmdname);
		emit_result(BF_EXIT_USAGE, msg);
		exit(BF_EXIT_USAGE);
	}
	emit_result(BF_EXIT_OK, NULL);
	exit(BF_EXIT_OK);
}

void bf_cli_usage_error(const char *fmt, ...)
{
	char head[512], msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s; see '%s --help'", head, cmdname);
	report(BF_EXIT_USAGE, msg);
	exit(BF_EXIT_USAGE);
}

static struct {
	int argc;
	char **argv;
	const char *shortopts;
	const struct option *longopts;
} go;

int bf_cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	go.argc = argc;
	go.argv = argv;
	go.shortopts = shortopts;
	go.longopts = longopts;
	opterr = 0;
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

/* The long option "--NAME[=...]" names (exact, or the only prefix match). */
static const struct option *long_option(const char *name, size_t n, unsigned *matches)
{
	const struct option *o, *found = NULL;

	*matches = 0;
	for (o = go.longopts; o && o->name; o++) {
		if (strncmp(o->name, name, n))
			continue;
		if (strlen(o->name) == n) {
			*matches = 1;
			return o;
		}
		found = o;
		++*matches;
	}
	return *matches == 1 ? found : NULL;
}

/* What getopt found wrong, in our words (getopt's own are off: opterr = 0). */
static void getopt_error(void)
{
	const char *arg = go.argv && optind >= 1 && optind <= go.argc ? go.argv[optind - 1] : NULL;
	const char *c;

	if (arg && arg[0] == '-' && arg[1] == '-' && arg[2]) {
		size_t n = strcspn(arg + 2, "=");
		unsigned matches;
		const struct option *o = long_option(arg + 2, n, &matches);

		if (!optopt || (o && o->val == optopt)) {
			if (matches > 1)
				bf_cli_usage_error("ambiguous option '--%.*s'", (int)n, arg + 2);
			if (!o)
				bf_cli_usage_error("unknown option '--%.*s'", (int)n, arg + 2);
			if (o->has_arg == no_argument)
				bf_cli_usage_error("option '--%s' takes no value", o->name);
			bf_cli_usage_error("option '--%s' needs a value", o->name);
		}
	}
	if (optopt > ' ' && optopt < 0x7f && optopt != ':' && optopt != '+' && optopt != '-' &&
	    go.shortopts && (c = strchr(go.shortopts, optopt)) && c[1] == ':')
		bf_cli_usage_error("option '-%c' needs a value", optopt);
	if (optopt > ' ' && optopt < 0x7f)
		bf_cli_usage_error("unknown option '-%c'", optopt);
	bf_cli_usage_error("unknown option '%s'", arg ? arg : "?");
}

void bf_cli_common(int opt, const char *usage)
{
	switch (opt) {
	case 'v':
		bf_log_set_level(bf_log_get_level() + 1);
		return;
	case BF_OPT_JSON:
		if (!bf_event_json())
			bf_event_init(true);
		return;
	case 'h':
		bf_cli_usage_exit(usage, false);
	default:
		getopt_error();
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
	bf_print_begin("result");
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, code == 0);
	bf_print_int(BF_PRINT_JSON, "exit_code", NULL, code);
	bf_print_string(BF_PRINT_JSON, "status", NULL, bf_exit_name(code));
	if (message)
		bf_print_string(BF_PRINT_JSON, "message", NULL, message);
	bf_print_end();
}

/* The reason for err when the library recorded none: our words for the
 * errnos whose strerror reads badly in a sentence; NULL when the head says
 * it all (err 0). */
static const char *reason(int err)
{
	switch (-err) {
	case 0: return NULL;
	case EINTR: return "interrupted";
	case ECANCELED: return "cancelled";
	default: return strerror(-err);
	}
}

int bf_cli_fail(int code, int err, const char *hint, const char *what, ...)
{
	char head[256], msg[1024];
	const char *why = err ? bf_error_get() : NULL;
	va_list ap;

	va_start(ap, what);
	vsnprintf(head, sizeof(head), what, ap);
	va_end(ap);
	if (!why)
		why = reason(err);
	snprintf(msg, sizeof(msg), "%s%s%s%s%s", head, why ? ": " : "", why ? why : "", hint ? "; " : "",
		 hint ? hint : "");
	report(code, msg);
	return code;
}

int bf_cli_input(const char *path)
{
	int r;

	bf_error_clear();
	if ((r = bf_file_check_input(path)) == 0)
		return 0;
	report(BF_EXIT_INPUT, bf_error_str(r));
	return BF_EXIT_INPUT;
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
	if (bf_rshim_name_check(name) < 0)
		bf_cli_usage_error("%s", bf_error_get());
	ret = bf_rshim_open(name, r);
	if (ret < 0) {
		const char *why = bf_error_get();

		/* The hint once: the library's sentence may already give it. */
		return bf_cli_fail(BF_EXIT_DEVICE, ret,
				   why && strstr(why, "'bfctl list'") ? NULL : "check the name with 'bfctl list'",
				   "cannot open %s", name);
	}
	/* A command rides out a reset made from the other side (the DPU,
	 * the NIC firmware): a USB device re-enumerates within seconds. */
	(*r)->reconnect_s = BF_CLI_RECONNECT_S;
	return 0;
}

int bf_cli_ok_status(const char *status, const char *message)
{
	bf_print_begin("result");
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, true);
	bf_print_int(BF_PRINT_JSON, "exit_code", NULL, 0);
	bf_print_string(BF_PRINT_JSON, "status", NULL, status);
	if (message)
		bf_print_string(BF_PRINT_JSON, "message", NULL, message);
	bf_print_end();
	return 0;
}
