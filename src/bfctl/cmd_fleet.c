/* cmd_fleet.c - bfctl provision --inventory: every device of an inventory
 * in one process (the fleet library), shown as one live line per device on
 * a terminal, then a summary table. */
#include "config.h"
#include "cli.h"
#include "cli_fetch.h"
#include "clock.h"
#include "commands.h"
#include "error.h"
#include "escape.h"
#include "event.h"
#include "fleet.h"
#include "inventory.h"
#include "log.h"
#include "print.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REDRAW_NS 200000000ull

static const char fleet_usage[] =
	"Usage: bfctl provision --inventory FILE [--parallel N] [--resume] [--plan]\n"
	"                       [--cache DIR] [--cacert FILE] [--insecure]\n"
	"                       [--state-dir DIR] [--timeout S] [--stall-timeout S]\n"
	"                       [--retries N] [--force-platform] [--json] [-v]\n"
	"\n"
	"Provision every device of an inventory (YAML: defaults, devices) in one\n"
	"process: each bundle and bf.cfg downloaded once and checked, each device's\n"
	"platform checked, then each device installed (or, with a profile,\n"
	"provisioned as 'bfctl provision -r DEV' does), at most N at a time. One\n"
	"failing device never stops the others.\n"
	"\n"
	"Options:\n"
	"  -i, --inventory FILE  the devices (see bfctl(1), FLEETS)\n"
	"  -j, --parallel N      at most N devices at a time (default: all)\n"
	"      --resume          continue each device after the steps its journal\n"
	"                        records (download, check, push, boot; with a\n"
	"                        profile firmware, install, handoff, agent, verify)\n"
	"      --plan            download and check everything, say what would run\n"
	"                        on each device, and touch none\n"
	"      --state-dir DIR   the journals: DIR/DEVICE (default: each device's\n"
	"                        state directory, $BFCTL_STATE_DIR or /var/lib/bfctl)\n"
	"  -t, --timeout S       deadline of one device's install (default 3600)\n"
	"      --stall-timeout S fail a push the device takes no data of for S\n"
	"                        seconds; on --resume, push again a boot an earlier\n"
	"                        run pushed when its log says nothing for S seconds\n"
	"                        (default 300)\n"
	"      --retries N       transient failures retried per step (default 3)\n"
	"      --force-platform  install bundles made for another platform\n"
	"      --cache DIR       where downloads are kept (default /var/cache/bfctl)\n"
	"      --cacert FILE     CA certificates (PEM) for https:// URLs\n"
	"      --insecure        do not verify https:// servers (not advised)\n"
	"      --json            JSON events, each with \"device\"; a result per\n"
	"                        device, then a summary and the final result\n"
	"  -v, --verbose         more detail\n"
	"  -h, --help            this help\n"
	"\n"
	"Exit status: 0 every device succeeded, 1 any device failed, 2 usage,\n"
	"3 the inventory is invalid (nothing touched), 130 interrupted.\n"
	"See bfctl(1).\n";

/* --- the live view: one line per device -------------------------------- */

struct row {
	struct bf_event_view view;
	char line[200];
	char progress[128];
};

struct screen {
	const struct bf_inventory *inv;
	struct bf_fleet_dev *devs;
	struct row *rows;
	pthread_mutex_t mu;
	bool live;            /* redrawn in place on a terminal */
	bool drawn;
	bool stop;
	unsigned name_w;
};

static struct screen scr = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void row_line(void *ctx, const char *text)
{
	struct row *r = ctx;
	size_t i = (size_t)(r - scr.rows);

	if (!*text)
		return;
	pthread_mutex_lock(&scr.mu);
	snprintf(r->line, sizeof(r->line), "%s", text);
	r->progress[0] = '\0';
	if (!scr.live) {   /* not a terminal: each line as it comes, named (text is escaped) */
		char name[BF_INV_NAME_MAX * 4 + 1];

		bf_escape_text(name, sizeof(name), scr.inv->dev[i].name);
		flockfile(stdout);
		printf("%s: %s\n", name, text);
		fflush(stdout);
		funlockfile(stdout);
	}
	pthread_mutex_unlock(&scr.mu);
}

static void row_progress(void *ctx, const struct bf_progress *p, bool final)
{
	struct row *r = ctx;
	char done[32], total[32];

	if (!scr.live)
		return;
	bf_fmt_bytes(done, sizeof(done), (double)p->done);
	bf_fmt_bytes(total, sizeof(total), (double)p->total);
	pthread_mutex_lock(&scr.mu);
	if (final)
		r->progress[0] = '\0';
	else if (p->total)
		snprintf(r->progress, sizeof(r->progress), "%s %3.0f%% %s/%s", p->op,
			 100.0 * (double)p->done / (double)p->total, done, total);
	else
		snprintf(r->progress, sizeof(r->progress), "%s %s", p->op, done);
	pthread_mutex_unlock(&scr.mu);
}

static const struct bf_event_view *view_for(void *ctx, size_t i)
{
	(void)ctx;
	return &scr.rows[i].view;
}

static const char *state_of(const struct bf_fleet_dev *d)
{
	if (d->finished)
		return d->exit_code == 0 ? (d->skipped ? "ok (nothing to do)" : "ok") : "FAILED";
	return d->started ? (d->step ? d->step : "...") : "waiting";
}

static void draw(void)
{
	size_t i, n = scr.inv->n;

	if (scr.drawn)
		fprintf(stderr, "\033[%zuA", n);
	for (i = 0; i < n; i++) {
		const struct bf_fleet_dev *d = &scr.devs[i];
		const struct row *r = &scr.rows[i];
		char name[BF_INV_NAME_MAX * 4 + 1], text[sizeof(r->line) * 4 + 1];

		bf_escape_text(name, sizeof(name), scr.inv->dev[i].name);
		bf_escape_text(text, sizeof(text), r->progress[0] ? r->progress :
			       d->finished && d->exit_code ? d->message : r->line);
		fprintf(stderr, "\r\033[K%-*s %-10.10s %.100s\n", (int)scr.name_w, name, state_of(d), text);
	}
	fflush(stderr);
	scr.drawn = true;
}

static void *redraw(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&scr.mu);
		draw();
		if (scr.stop) {
			pthread_mutex_unlock(&scr.mu);
			return NULL;
		}
		pthread_mutex_unlock(&scr.mu);
		bf_clock_sleep_ns(REDRAW_NS);
	}
}

static void summary_table(void)
{
	size_t i;
	char dur[32];

	printf("\n%-*s  %-13s %-9s %8s  %s\n", (int)scr.name_w, "DEVICE", "RESULT", "STEP", "TIME", "ERROR");
	for (i = 0; i < scr.inv->n; i++) {
		const struct bf_fleet_dev *d = &scr.devs[i];
		char name[BF_INV_NAME_MAX * 4 + 1], err[sizeof(d->message) * 4 + 1];

		bf_escape_text(name, sizeof(name), scr.inv->dev[i].name);
		bf_escape_text(err, sizeof(err), d->exit_code ? d->message : "");
		bf_fmt_duration(dur, sizeof(dur), d->seconds);
		printf("%-*s  %-13s %-9s %8s  %s\n", (int)scr.name_w, name,
		       d->exit_code == 0 ? (d->skipped ? "ok-skip" : "ok") : bf_exit_name(d->exit_code),
		       d->step ? d->step : "-", dur, err);
	}
	fflush(stdout);
}

static bool fits_terminal(size_t n)
{
	struct winsize ws;

	return isatty(STDERR_FILENO) && ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > n + 2;
}

/* --- the command ---------------------------------------------------------- */

static int bad_inventory(const char *path, int r, const struct bf_inventory_error *e)
{
	bf_error_clear();
	if (e->line)
		return bf_cli_fail(BF_EXIT_INPUT, 0, "nothing was touched", "%s:%u:%u: %s: %s", path, e->line,
				   e->col, bf_inventory_errkind_name(e->kind), e->msg);
	return bf_cli_fail(BF_EXIT_INPUT, 0, "nothing was touched", "%s: %s", path,
			   e->msg[0] ? e->msg : strerror(-r));
}

static int run(struct bf_fleet_opts *o, struct bf_inventory *inv)
{
	struct bf_fleet_dev *devs = calloc(inv->n, sizeof(*devs));
	pthread_t drawer;
	bool drawing = false;
	size_t i;
	int ret;

	scr.rows = calloc(inv->n, sizeof(*scr.rows));
	if (!devs || !scr.rows)
		return bf_cli_fail(BF_EXIT_FAILURE, -ENOMEM, NULL, "cannot start");
	scr.inv = inv;
	scr.devs = devs;
	for (i = 0; i < inv->n; i++) {
		scr.rows[i].view = (struct bf_event_view){ row_line, row_progress, &scr.rows[i] };
		if (strlen(inv->dev[i].name) > scr.name_w)
			scr.name_w = (unsigned)strlen(inv->dev[i].name);
	}
	if (scr.name_w < 6)
		scr.name_w = 6;
	if (!bf_event_json()) {
		o->view = view_for;
		scr.live = fits_terminal(inv->n);
		drawing = scr.live && pthread_create(&drawer, NULL, redraw, NULL) == 0;
		scr.live = drawing;
	}
	ret = bf_fleet_run(o, devs);
	if (drawing) {
		pthread_mutex_lock(&scr.mu);
		scr.stop = true;
		pthread_mutex_unlock(&scr.mu);
		pthread_join(drawer, NULL);
	}
	if (!bf_event_json())
		summary_table();
	free(devs);
	free(scr.rows);
	if (ret == BF_EXIT_OK)
		return bf_cli_ok();
	bf_error_clear();
	return bf_cli_fail(ret, 0, NULL, "%s", ret == BF_EXIT_INTERRUPTED ? "stopped" :
			   "at least one device failed (see the summary)");
}

int bf_cmd_provision_inventory(int argc, char **argv)
{
	enum { OPT_RESUME = BF_OPT_FIRST_CMD, OPT_PLAN, OPT_STATE, OPT_RETRIES, OPT_FORCE_PLATFORM, OPT_STALL };
	static const struct option longopts[] = {
		{ "inventory", required_argument, NULL, 'i' },
		{ "parallel", required_argument, NULL, 'j' },
		{ "resume", no_argument, NULL, OPT_RESUME },
		{ "plan", no_argument, NULL, OPT_PLAN },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "timeout", required_argument, NULL, 't' },
		{ "stall-timeout", required_argument, NULL, OPT_STALL },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "force-platform", no_argument, NULL, OPT_FORCE_PLATFORM },
		BF_CLI_FETCH_LONGOPTS, BF_CLI_LONGOPTS, { 0 } };
	struct bf_fleet_opts o = { .retries = -1 };
	struct bf_inventory_error err;
	struct bf_inventory inv;
	struct bf_cli_fetch fetch;
	const char *path = NULL;
	char *end;
	long v;
	int opt, r;

	bf_cli_fetch_init(&fetch);
	while ((opt = bf_cli_getopt(argc, argv, "i:j:t:" BF_CLI_SHORTOPTS, longopts)) != -1) {
		if (opt != BF_OPT_SHA256 && bf_cli_fetch_opt(&fetch, opt, optarg))
			continue;
		switch (opt) {
		case 'i': path = optarg; break;
		case 'j':
		case OPT_RETRIES:
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < (opt == 'j') || v > 1000)
				bf_cli_usage_error("--%s takes a number from %d to 1000",
						   opt == 'j' ? "parallel" : "retries", opt == 'j');
			*(opt == 'j' ? (int *)&o.parallel : &o.retries) = (int)v;
			break;
		case OPT_RESUME: o.resume = true; break;
		case OPT_PLAN: o.plan = true; break;
		case OPT_STATE: o.state_root = optarg; break;
		case OPT_FORCE_PLATFORM: o.force_platform = true; break;
		case 't':
		case OPT_STALL:
			if (bf_duration_parse(optarg, opt == 't' ? &o.timeout_s : &o.stall_s) < 0)
				bf_cli_usage_error("--%s: %s", opt == 't' ? "timeout" : "stall-timeout", bf_error_get());
			break;
		case BF_OPT_SHA256:
			bf_cli_usage_error("--sha256 goes into the inventory (sha256:), per bundle");
		default:
			bf_cli_common(opt, fleet_usage);
		}
	}
	if (optind != argc)
		bf_cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!path)
		bf_cli_usage_error("--inventory FILE is required");
	o.fetch = fetch.o;
	if (o.fetch.insecure)
		bf_warn("https:// servers are not verified (--insecure)");
	if ((r = bf_inventory_load(path, &inv, &err)) < 0)
		return bad_inventory(path, r, &err);
	bf_info("%s: %zu devices, at most %u at a time", path, inv.n,
		o.parallel && o.parallel < inv.n ? o.parallel : (unsigned)inv.n);
	o.inv = &inv;
	r = run(&o, &inv);
	bf_inventory_free(&inv);
	return r;
}
