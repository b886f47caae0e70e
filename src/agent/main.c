/* main.c - bfagent: applies a DPU profile's dpu: layer on the DPU (plan,
 * apply, status, check). */
#include "config.h"
#include "agent.h"
#include "error.h"
#include "event.h"
#include "log.h"
#include "print.h"
#include "escape.h"
#include "profile.h"
#include "state.h"
#include "virtnet.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
	"Usage: bfagent [OPTIONS] plan PROFILE\n"
	"       bfagent [OPTIONS] apply PROFILE\n"
	"       bfagent [OPTIONS] status [PROFILE]\n"
	"       bfagent [OPTIONS] check PROFILE\n"
	"       bfagent --help | --version\n"
	"\n"
	"Bring the DPU's networking to the dpu: layer of a profile: eswitch mode,\n"
	"VFs, the LAG bond, SFs, virtio-net devices (through the virtnet CLI) and\n"
	"OVS (through OVSDB, one transaction). plan shows what apply would do;\n"
	"apply does it, idempotently, and removes only objects it created itself;\n"
	"status shows what is there and any drift from PROFILE; check validates\n"
	"PROFILE like 'bfctl profile check'.\n"
	"\n"
	"Options:\n"
	"      --json          one JSON event per line on stdout (\"object\" per\n"
	"                      object, \"summary\", \"result\" last)\n"
	"      --state FILE    the record of created objects\n"
	"                      (default " BF_AGENT_STATE_DEFAULT ", env BFAGENT_STATE)\n"
	"      --ovsdb SOCKET  ovsdb-server's socket\n"
	"                      (default " BF_OVSDB_DEFAULT_SOCKET ", env BFAGENT_OVSDB)\n"
	"      --virtnet PROG  the virtio-net controller's CLI (default virtnet,\n"
	"                      env BFAGENT_VIRTNET)\n"
	"  -v, --verbose       more detail on stderr (waits, requests; repeat)\n"
	"  -h, --help          this help\n"
	"      --version       print the version\n"
	"\n"
	"Exit status: 0 done (or nothing to do), 1 some objects failed, 2 usage,\n"
	"3 the profile is invalid or unreadable, 4 the state file cannot be\n"
	"read or written. See bfagent(8).\n";

enum { OPT_JSON = 0x100, OPT_STATE, OPT_OVSDB, OPT_VIRTNET, OPT_VERSION };

static void result(int code, const char *msg)
{
	bf_print_begin("result");
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, code == 0);
	bf_print_int(BF_PRINT_JSON, "exit_code", NULL, code);
	bf_print_string(BF_PRINT_JSON, "status", NULL, bf_exit_name(code));
	if (msg)
		bf_print_string(BF_PRINT_JSON, "message", NULL, msg);
	bf_print_end();
	if (code && msg) {
		fputs("bfagent: ", stderr);
		bf_escape_text_fputs(msg, stderr);
		fputc('\n', stderr);
	}
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	result(code, msg);
	return code;
}

static void report(const char *cmd, const struct bf_agent_plan *pl, bool applied)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		const struct bf_agent_action *a = &pl->a[i];
		const char *what = applied ? bf_agent_verdict_name(a->verdict)
				   : (a->op == BF_AOP_NONE ? (strcmp(cmd, "status") ? "unchanged" : a->detail[0] == '@' ? "present" : "in-sync")
							   : bf_agent_op_name(a->op));

		if (!strcmp(cmd, "status") && a->op != BF_AOP_NONE && a->op != BF_AOP_FAIL)
			what = "drift";
		bf_print_begin("object");
		bf_print_string(BF_PRINT_ANY, applied ? "verdict" : "action", "%-10s ", what);
		bf_print_string(BF_PRINT_ANY, "kind", "%-12s ", bf_agent_kind_name(a->kind));
		bf_print_string(BF_PRINT_ANY, "id", "%-28s ", a->id);
		if (!applied || strcmp(cmd, "apply"))
			bf_print_string(BF_PRINT_JSON, "op", NULL, bf_agent_op_name(a->op));
		bf_print_string(BF_PRINT_ANY, "reason", "%s\n", a->reason);
		bf_print_end();
	}
}

static void summary(const char *cmd, const struct bf_agent_plan *pl, const struct bf_agent *ag, double secs,
		    bool applied)
{
	unsigned n[6] = { 0 }, changes = 0;
	size_t i;

	for (i = 0; i < pl->n; i++) {
		if (applied)
			n[pl->a[i].verdict]++;
		else
			n[pl->a[i].op == BF_AOP_NONE ? 0 : pl->a[i].op == BF_AOP_FAIL ? 4 : (unsigned)pl->a[i].op]++;
		changes += pl->a[i].op != BF_AOP_NONE;
	}
	if (bf_event_json()) {
		bf_print_begin("summary");
		bf_print_string(BF_PRINT_JSON, "command", NULL, cmd);
		bf_print_uint(BF_PRINT_JSON, applied ? "created" : "create", NULL, n[1]);
		bf_print_uint(BF_PRINT_JSON, applied ? "changed" : "change", NULL, n[2]);
		bf_print_uint(BF_PRINT_JSON, applied ? "removed" : "remove", NULL, n[3]);
		bf_print_uint(BF_PRINT_JSON, "failed", NULL, n[4]);
		bf_print_uint(BF_PRINT_JSON, "unchanged", NULL, n[0]);
		bf_print_uint(BF_PRINT_JSON, "changes", NULL, changes);
		bf_print_double(BF_PRINT_JSON, "seconds", NULL, secs);
		bf_print_uint(BF_PRINT_JSON, "netlink_msgs", NULL, ag->nl.msgs);
		bf_print_uint(BF_PRINT_JSON, "ovsdb_txns", NULL, ag->db.txns);
		bf_print_end();
	} else if (!changes) {
		bf_print_line("%s: nothing to change (%u object%s in sync)", cmd, n[0], n[0] == 1 ? "" : "s");
	} else {
		bf_print_line("%s: %u %s, %u %s, %u %s, %u failed, %u unchanged", cmd, n[1],
			     applied ? "created" : "to create", n[2], applied ? "changed" : "to change", n[3],
			     applied ? "removed" : "to remove", n[4], n[0]);
	}
}

static int load_profile(const char *path, struct bf_profile *p, bool show)
{
	struct bf_profile_result res;
	int r = bf_profile_open(path, p, &res);

	if (r < 0) {
		bf_profile_result_free(&res);
		return fail(BF_EXIT_INPUT, "cannot check %s: %s", path, bf_error_str(r));
	}
	if (show || res.errors)
		bf_profile_report(path, &res);
	r = (int)res.errors;
	bf_profile_result_free(&res);
	if (r)
		return fail(BF_EXIT_INPUT, "%s has %d error%s: fix them before applying it", path, r, r == 1 ? "" : "s");
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *cmd, const char *path, struct bf_agent *ag)
{
	struct bf_profile p;
	struct bf_agent_plan pl = { 0 };
	struct bf_agent_obs *o;
	double t0 = now_s();
	int r, failed = 0;

	memset(&p, 0, sizeof(p));
	if (path && (r = load_profile(path, &p, !strcmp(cmd, "check"))) != 0) {
		bf_profile_free(&p);
		return r;
	}
	if (!strcmp(cmd, "check")) {
		bf_profile_free(&p);
		result(0, NULL);
		return 0;
	}
	if (bf_agent_state_load(ag->state_path, &ag->rec) < 0) {
		bf_profile_free(&p);
		return fail(BF_EXIT_DEVICE, "%s", bf_error_get());
	}
	bf_agent_open(ag);
	if (!strcmp(cmd, "apply")) {
		r = bf_agent_apply(ag, &p, &pl);
		if (r < 0) {
			r = fail(BF_EXIT_DEVICE, "%s", bf_error_or("the state cannot be written"));
			goto out;
		}
		failed = r;
		report(cmd, &pl, true);
		summary(cmd, &pl, ag, now_s() - t0, true);
	} else {
		o = calloc(1, sizeof(*o));
		if (!o) {
			r = fail(BF_EXIT_FAILURE, "out of memory");
			goto out;
		}
		bf_agent_observe(ag, path ? &p : NULL, o);
		if (path)
			bf_agent_plan_build(&p, o, &ag->rec, true, true, &pl);
		else
			bf_agent_plan_observed(o, &ag->rec, &pl);
		for (size_t i = 0; i < pl.n; i++) {     /* the connection's own sentence */
			if (pl.a[i].op == BF_AOP_FAIL && !strcmp(pl.a[i].id, "ovsdb") && ag->db_err[0])
				snprintf(pl.a[i].reason, sizeof(pl.a[i].reason), "%.180s", ag->db_err);
		}
		free(o);
		report(cmd, &pl, false);
		summary(cmd, &pl, ag, now_s() - t0, false);
		for (size_t i = 0; i < pl.n; i++)
			failed += pl.a[i].op == BF_AOP_FAIL;
	}
	r = failed ? fail(BF_EXIT_FAILURE, "%d object%s failed", failed, failed == 1 ? "" : "s") : 0;
	if (!r)
		result(0, NULL);
out:
	bf_agent_close(ag);
	bf_agent_plan_free(&pl);
	bf_agent_record_free(&ag->rec);
	bf_profile_free(&p);
	return r;
}

/* The options from optind on, up to the first operand when spec starts
 * with '+': -1 when they end, else the exit code (--help, --version, an
 * unknown option). */
static int read_opts(int argc, char **argv, const char *spec, struct bf_agent *ag)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },       { "state", required_argument, NULL, OPT_STATE },
		{ "ovsdb", required_argument, NULL, OPT_OVSDB }, { "virtnet", required_argument, NULL, OPT_VIRTNET },
		{ "verbose", no_argument, NULL, 'v' },          { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },  { 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, spec, opts, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON: break;
		case OPT_STATE: ag->state_path = optarg; break;
		case OPT_OVSDB: ag->ovsdb_path = optarg; break;
		case OPT_VIRTNET: ag->virtnet = optarg; break;
		case 'v': bf_log_set_level(bf_log_get_level() + 1); break;
		case 'h': fputs(usage_text, stdout); return 0;
		case OPT_VERSION: printf("bfagent %s\n", PACKAGE_VERSION); return 0;
		default: return fail(BF_EXIT_USAGE, "unknown option (see 'bfagent --help')");
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct bf_agent ag;
	const char *cmd;
	bool json = false;
	int opt;

	memset(&ag, 0, sizeof(ag));
	ag.state_path = getenv("BFAGENT_STATE") ? getenv("BFAGENT_STATE") : BF_AGENT_STATE_DEFAULT;
	ag.ovsdb_path = getenv("BFAGENT_OVSDB") ? getenv("BFAGENT_OVSDB") : BF_OVSDB_DEFAULT_SOCKET;
	ag.virtnet = getenv("BFAGENT_VIRTNET") ? getenv("BFAGENT_VIRTNET") : "virtnet";
	ag.sysfs = "/sys";
	bf_log_set_prog("bfagent");
	for (opt = 1; opt < argc; opt++)     /* --json anywhere decides the output of usage errors too */
		json |= !strcmp(argv[opt], "--json");
	bf_event_init(json);
	if ((opt = read_opts(argc, argv, "+vh", &ag)) >= 0)
		return opt;
	if (optind >= argc)
		return fail(BF_EXIT_USAGE, "no command (see 'bfagent --help')");
	cmd = argv[optind++];
	if (strcmp(cmd, "plan") && strcmp(cmd, "apply") && strcmp(cmd, "status") && strcmp(cmd, "check"))
		return fail(BF_EXIT_USAGE, "unknown command '%.40s' (see 'bfagent --help')", cmd);
	/* Options may follow the command too. */
	if ((opt = read_opts(argc, argv, "vh", &ag)) >= 0)
		return opt;
	if (!strcmp(cmd, "status") ? argc - optind > 1 : argc - optind != 1)
		return fail(BF_EXIT_USAGE, "%s takes %s (see 'bfagent --help')", cmd,
			    !strcmp(cmd, "status") ? "at most one PROFILE" : "exactly one PROFILE");
	return run(cmd, optind < argc ? argv[optind] : NULL, &ag);
}
