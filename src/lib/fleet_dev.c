/* fleet_dev.c - one device of a fleet run, on its own thread: the
 * platform check (phase 2), then the install or the provision flow
 * (phase 3), with the journal and bounded retries. */
#include "config.h"
#include "fleet_int.h"
#include "clock.h"
#include "error.h"
#include "install.h"
#include "log.h"
#include "print.h"
#include "provision.h"
#include "rshim.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 3600.0

static double first_delay(const struct fleet *f)
{
	return f->o->backoff_s > 0 ? f->o->backoff_s : 2.0;
}

/* Open the device, riding out a busy one (another program holds it). */
static int open_dev(struct fleet *f, size_t i, struct bf_rshim **r)
{
	const struct bf_fleet_dev *d = &f->devs[i];
	double delay = first_delay(f);
	unsigned attempt = 0;
	int ret;

	for (;;) {
		bf_error_clear();
		ret = bf_rshim_open(d->inv->rshim, r);
		if (ret != -EBUSY || (int)attempt >= bf_fleet_retries(f) || bf_stop_requested())
			break;
		bf_fleet_backoff(f, i, ++attempt, &delay, bf_error_str(ret));
	}
	if (ret < 0) {
		bf_fleet_fail(f, i, BF_EXIT_DEVICE, "check the name with 'bfctl list'", "cannot open %s: %s",
			      d->inv->rshim, bf_error_str(ret));
		return ret;
	}
	(*r)->reconnect_s = 20.0;
	return 0;
}

void bf_fleet_dev_check(struct fleet *f, size_t i)
{
	struct bf_fleet_dev *d = &f->devs[i];
	struct bf_install_result res;
	struct bf_rshim *r;
	char psid[24];

	if (bf_fleet_journal_open(f, i) < 0 || !d->bfb[0])
		return;   /* a profile alone: no bundle to check */
	bf_fleet_step(f, i, "check");
	/* The NIC is asked before the RShim is opened (for a simulated device
	 * both are the same simulator). */
	bf_install_nic_psid(d->inv->rshim, psid, sizeof(psid));
	if (open_dev(f, i, &r) < 0)
		return;
	if ((f->x[i].ncomps ? bf_install_platform_comps(f->x[i].comps, f->x[i].ncomps, d->bfb, r, psid,
							 f->o->force_platform, &res) :
	     bf_install_platform(d->bfb, r, psid, f->o->force_platform, &res)) != 0)
		bf_fleet_fail(f, i, res.exit_code, res.hint, "%s", res.message);
	else
		bf_journal_record(&f->x[i].journal, "check");
	bf_rshim_close(r);
}

static void on_phase(void *ctx, const char *phase)
{
	struct fleet *f = ((void **)ctx)[0];
	size_t i = *(size_t *)((void **)ctx)[1];

	if (!strcmp(phase, "boot"))
		bf_journal_record(&f->x[i].journal, "push");
	if (!f->devs[i].step || strcmp(f->devs[i].step, phase))
		bf_fleet_step(f, i, phase);
}

/* A failure worth another try: the device was busy, or the push was cut
 * (unplugged, reset from the other side). Never invalid input. */
static bool transient(const struct bf_install_result *res)
{
	/* A DPU that booted from its eMMC instead of the stream (the host was
	 * late after the reset: UEFI stopped waiting) never took it: push
	 * again. */
	if (res->exit_code == BF_EXIT_BOOT && res->stream_unused)
		return true;
	return res->exit_code == BF_EXIT_PUSH || (res->exit_code == BF_EXIT_DEVICE && !res->pushed_all);
}

/* --resume after a run that pushed the whole stream and stopped before
 * the verdict: the boot is watched instead of pushed again. True when
 * that settled the device (installed, or failed); false when the watch
 * was inconclusive (no verdict, a quiet log) and it is to be pushed. */
static bool resume_watch(struct fleet *f, size_t i, struct bf_install_opts io)
{
	struct bf_install_result res;
	struct bf_rshim *r;

	if (!f->o->resume || !bf_journal_done(&f->x[i].journal, "push"))
		return false;
	bf_print_begin("info");
	bf_print_string(BF_PRINT_JSON, "step", NULL, "boot");
	bf_print_string(BF_PRINT_ANY, "message", "%s\n",
			"pushed by an earlier run that stopped before the verdict: watching the boot");
	bf_print_end();
	io.watch_only = true;
	if (open_dev(f, i, &r) < 0)
		return true;
	bf_install_run(r, &io, &res);
	bf_rshim_close(r);
	if (res.inconclusive) {
		bf_warn("%s; installing again", res.message);
		bf_error_clear();
		return false;
	}
	if (res.exit_code && !transient(&res)) {
		bf_fleet_fail(f, i, res.exit_code, res.hint, "%s", res.message);
		return true;
	}
	if (res.exit_code)
		return false;   /* the stream was not taken: push it */
	f->x[i].changed = true;   /* the install this run reports */
	bf_journal_record(&f->x[i].journal, "boot");
	bf_print_line("installed");
	return true;
}

static void run_install(struct fleet *f, size_t i)
{
	struct bf_fleet_dev *d = &f->devs[i];
	const char *paths[2] = { d->bfb, d->config };
	void *ctx[2] = { f, &i };
	struct bf_install_opts io = {
		.paths = paths, .npaths = d->config[0] ? 2 : 1, .extras = d->config[0] ? " + bf.cfg" : "",
		.wait = BF_INSTALL_WAIT_READY, .timeout_s = f->o->timeout_s > 0 ? f->o->timeout_s : DEFAULT_TIMEOUT_S,
		.stall_s = f->o->stall_s > 0 ? f->o->stall_s : 300, .on_phase = on_phase, .ctx = ctx,
	};
	struct bf_install_result res;
	double delay = first_delay(f);
	unsigned attempt = 0;
	struct bf_rshim *r;

	if (f->o->resume && bf_journal_done(&f->x[i].journal, "boot")) {
		d->skipped = true;
		d->step = "boot";
		bf_print_line("installed by an earlier run (journal): nothing to do");
		return;
	}
	if (resume_watch(f, i, io))
		return;
	for (;;) {
		bf_fleet_step(f, i, "push");
		if (open_dev(f, i, &r) < 0)
			return;
		f->x[i].changed = true;
		bf_install_run(r, &io, &res);
		bf_rshim_close(r);
		if (res.exit_code == 0 || !transient(&res) || (int)attempt >= bf_fleet_retries(f) ||
		    bf_stop_requested())
			break;
		bf_fleet_backoff(f, i, ++attempt, &delay, res.message);
	}
	if (res.exit_code) {
		bf_fleet_fail(f, i, res.exit_code, res.hint, "%s", res.message);
		return;
	}
	bf_journal_record(&f->x[i].journal, "boot");
	bf_print_line("installed");
}

/* --- the provision flow (a profile) --------------------------------------- */

static void prov_event(void *ctx, const struct bf_provision_event *ev)
{
	struct fleet *f = ((void **)ctx)[0];
	size_t i = *(size_t *)((void **)ctx)[1];
	const char *step = bf_provision_step_name(ev->step);

	if (ev->kind == BF_PROV_EV_BEGIN) {
		bf_fleet_step(f, i, step);   /* the live line, and the step event */
		return;
	}
	if (ev->kind == BF_PROV_EV_END && ev->status != BF_PROV_FAILED)
		bf_journal_record(&f->x[i].journal, step);
	if (ev->kind == BF_PROV_EV_END && ev->status == BF_PROV_DONE)
		f->x[i].changed = true;
	bf_provision_print_event(ev);
}

static bool prov_skip(void *ctx, const char *device, enum bf_provision_step step)
{
	struct fleet *f = ((void **)ctx)[0];
	size_t i = *(size_t *)((void **)ctx)[1];

	(void)device;
	return f->o->resume && bf_journal_done(&f->x[i].journal, bf_provision_step_name(step));
}

static void run_provision(struct fleet *f, size_t i)
{
	struct bf_fleet_dev *d = &f->devs[i];
	void *ctx[2] = { f, &i };
	struct bf_provision_opts po = {
		.device = d->inv->rshim, .profile = d->inv->profile, .bfb = d->bfb[0] ? d->bfb : NULL,
		.state_dir = d->state_dir, .timeout_s = f->o->timeout_s, .force_platform = f->o->force_platform,
		.on_event = prov_event, .skip_step = prov_skip, .ctx = ctx, .stop = bf_stop_flag(),
	};
	struct bf_provision_result res;
	double delay = first_delay(f);
	unsigned attempt = 0;

	for (;;) {
		bf_error_clear();
		bf_provision_run(&po, &res);
		if (res.exit_code == 0 || (res.exit_code != BF_EXIT_PUSH && res.exit_code != BF_EXIT_DEVICE) ||
		    (res.exit_code == BF_EXIT_DEVICE && res.failed != BF_PROV_FIRMWARE && res.failed != BF_PROV_INSTALL) ||
		    (int)attempt >= bf_fleet_retries(f) || bf_stop_requested())
			break;
		/* The journal makes the next try continue after the steps done. */
		po.skip_step = prov_skip;
		bf_fleet_backoff(f, i, ++attempt, &delay, res.message);
	}
	if (res.exit_code) {
		d->step = bf_provision_step_name(res.failed);
		bf_fleet_fail(f, i, res.exit_code, res.hint, "%s", res.message);
		return;
	}
	d->skipped = !f->x[i].changed;
	bf_print_line("provisioned and verified");
}

void bf_fleet_dev_run(struct fleet *f, size_t i)
{
	if (f->devs[i].inv->profile)
		run_provision(f, i);
	else
		run_install(f, i);
}

void bf_fleet_dev_plan(struct fleet *f, size_t i)
{
	static const char *const install_steps[] = { "push", "boot", NULL };
	static const char *const prov_steps[] = { "firmware", "install", "handoff", "agent", "verify", NULL };
	const char *const *s = f->devs[i].inv->profile ? prov_steps : install_steps;
	bool any = false;

	bf_print_begin("plan");
	bf_print_open_array("steps");
	for (; *s; s++)
		if (!f->o->resume || !bf_journal_done(&f->x[i].journal, *s)) {
			bf_print_string(BF_PRINT_ANY, NULL, any ? ", %s" : "would run: %s", *s);
			any = true;
		}
	bf_print_close_array();
	bf_print_string(BF_PRINT_TEXT, NULL, any ? "\n" : "nothing to do\n", "");
	bf_print_end();
	f->x[i].changed = any;
	f->devs[i].skipped = !any;
}
