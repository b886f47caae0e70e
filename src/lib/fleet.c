/* fleet.c - many devices in one process (fleet.h): the inputs prepared
 * once, the pool of device threads, each device's result, the summary. */
#include "config.h"
#include "fleet_int.h"
#include "bfb_file.h"
#include "cfgcheck.h"
#include "clock.h"
#include "error.h"
#include "fileio.h"
#include "log.h"
#include "print.h"
#include "statedir.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_RETRIES 3
#define DEFAULT_BACKOFF_S 2.0
#define BACKOFF_MAX_S 60.0

int bf_fleet_retries(const struct fleet *f)
{
	return f->o->retries < 0 ? DEFAULT_RETRIES : f->o->retries;
}

void bf_fleet_step(struct fleet *f, size_t i, const char *step)
{
	struct bf_fleet_dev *d = &f->devs[i];

	if (!d->started) {
		d->started = true;
		d->t0 = bf_event_elapsed();
	}
	d->step = step;
	bf_print_begin("step");
	bf_print_string(BF_PRINT_JSON, "step", NULL, step);
	bf_print_string(BF_PRINT_JSON, "status", NULL, "started");
	bf_print_end();
	if (f->o->changed)
		f->o->changed(f->o->ctx, i);
}

void bf_fleet_fail(struct fleet *f, size_t i, int code, const char *hint, const char *fmt, ...)
{
	struct bf_fleet_dev *d = &f->devs[i];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
	snprintf(d->hint, sizeof(d->hint), "%s", hint ? hint : "");
	d->exit_code = code;
	f->x[i].failed = true;
}

void bf_fleet_backoff(struct fleet *f, size_t i, unsigned attempt, double *delay, const char *why)
{
	bf_warn("%s: %s; retry %u of %d in %.0f s", f->devs[i].step, why, attempt, bf_fleet_retries(f), *delay);
	bf_print_begin("retry");
	bf_print_string(BF_PRINT_JSON, "step", NULL, f->devs[i].step);
	bf_print_uint(BF_PRINT_JSON, "attempt", NULL, attempt);
	bf_print_double(BF_PRINT_JSON, "delay_s", NULL, *delay);
	bf_print_string(BF_PRINT_JSON, "reason", NULL, why);
	bf_print_end();
	f->devs[i].retries++;
	for (double t = 0; t < *delay && !bf_stop_requested(); t += 0.1)
		bf_clock_sleep_ns(100000000ull);
	*delay = *delay * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : *delay * 2;
}

/* One device's end: its "result" event (with its device), once. */
static void finish(struct fleet *f, size_t i)
{
	struct bf_fleet_dev *d = &f->devs[i];

	if (d->finished)
		return;
	d->finished = true;
	if (!f->x[i].failed)
		d->exit_code = 0;
	else
		bf_print_line("failed at %s: %s", d->step ? d->step : "start", d->message);
	d->seconds = d->started ? bf_event_elapsed() - d->t0 : 0;
	bf_print_begin("result");
	bf_print_bool(BF_PRINT_JSON, "ok", NULL, d->exit_code == 0);
	bf_print_int(BF_PRINT_JSON, "exit_code", NULL, d->exit_code);
	bf_print_string(BF_PRINT_JSON, "status", NULL, bf_exit_name(d->exit_code));
	bf_print_string(BF_PRINT_JSON, "name", NULL, d->inv->name);
	bf_print_string(BF_PRINT_JSON, "rshim", NULL, d->inv->rshim);
	bf_print_string(BF_PRINT_JSON, "step", NULL, d->step);
	bf_print_bool(BF_PRINT_JSON, "changed", NULL, f->x[i].changed);
	bf_print_bool(BF_PRINT_JSON, "skipped", NULL, d->skipped);
	bf_print_double(BF_PRINT_JSON, "seconds", NULL, d->seconds);
	bf_print_uint(BF_PRINT_JSON, "retries", NULL, d->retries);
	if (d->exit_code) {
		bf_print_string(BF_PRINT_JSON, "message", NULL, d->message);
		if (d->hint[0])
			bf_print_string(BF_PRINT_JSON, "hint", NULL, d->hint);
	}
	bf_print_end();
	if (f->o->changed)
		f->o->changed(f->o->ctx, i);
}

/* finish() for a device from the main thread (its events named). */
static void finish_here(struct fleet *f, size_t i)
{
	bf_event_set_device(f->devs[i].inv->name);
	bf_event_set_view(f->o->view ? f->o->view(f->o->ctx, i) : NULL);
	finish(f, i);
	bf_event_set_view(NULL);
	bf_event_set_device(NULL);
}

static void *worker(void *arg)
{
	struct fleet *f = arg;
	size_t i;

	while ((i = atomic_fetch_add(&f->next, 1)) < f->n) {
		if (f->x[i].failed || f->devs[i].finished)
			continue;
		bf_event_set_device(f->devs[i].inv->name);
		bf_event_set_view(f->o->view ? f->o->view(f->o->ctx, i) : NULL);
		if (bf_stop_requested())
			bf_fleet_fail(f, i, BF_EXIT_INTERRUPTED, NULL, "%s: stopped before %s",
				      f->devs[i].inv->name, f->devs[i].step ? f->devs[i].step : "it started");
		else
			f->fn(f, i);
		if (f->x[i].failed || f->final)
			finish(f, i);
		bf_event_set_view(NULL);
		bf_event_set_device(NULL);
	}
	return NULL;
}

/* fn for every device still standing, at most parallel at a time. */
static void pool(struct fleet *f, void (*fn)(struct fleet *f, size_t i))
{
	size_t active = 0, nt, k, started = 0;
	pthread_t *t;

	for (k = 0; k < f->n; k++)
		active += !f->x[k].failed && !f->devs[k].finished;
	if (!active)
		return;
	nt = f->o->parallel && f->o->parallel < active ? f->o->parallel : active;
	atomic_store(&f->next, 0);
	f->fn = fn;
	t = calloc(nt, sizeof(*t));
	for (k = 0; t && k < nt; k++, started++)
		if (pthread_create(&t[k], NULL, worker, f) != 0)
			break;
	if (!started)
		worker(f);   /* no thread to be had: one at a time, here */
	for (k = 0; k < started; k++)
		pthread_join(t[k], NULL);
	free(t);
}

/* Each device's state directory, once its inputs are known: a name that
 * has none fails the device (nothing is truncated into another's). */
static void state_dirs(struct fleet *f)
{
	char why[512];
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct bf_fleet_dev *d = &f->devs[i];

		if (f->x[i].failed || bf_statedir_path(f->o->state_root, d->inv->rshim, d->state_dir,
							 sizeof(d->state_dir)) == 0)
			continue;
		snprintf(why, sizeof(why), "%s", bf_error_or("no state directory"));
		bf_error_clear();
		d->step = "check";
		bf_fleet_fail(f, i, BF_EXIT_USAGE, "use a shorter device name", "%s: %s", d->inv->name, why);
	}
}

static int summary(struct fleet *f, double t0)
{
	size_t i, ok = 0, failed = 0, skipped = 0, changed = 0;
	bool stopped = false;

	for (i = 0; i < f->n; i++) {
		finish_here(f, i);
		ok += f->devs[i].exit_code == 0;
		failed += f->devs[i].exit_code != 0;
		skipped += f->devs[i].skipped;
		changed += f->x[i].changed;
		stopped |= f->devs[i].exit_code == BF_EXIT_INTERRUPTED;
	}
	bf_print_begin("summary");
	bf_print_uint(BF_PRINT_JSON, "devices", NULL, f->n);
	bf_print_uint(BF_PRINT_JSON, "ok", NULL, ok);
	bf_print_uint(BF_PRINT_JSON, "failed", NULL, failed);
	bf_print_uint(BF_PRINT_JSON, "changed", NULL, changed);
	bf_print_uint(BF_PRINT_JSON, "skipped", NULL, skipped);
	bf_print_bool(BF_PRINT_JSON, "plan", NULL, f->o->plan);
	bf_print_double(BF_PRINT_JSON, "seconds", NULL, bf_event_elapsed() - t0);
	bf_print_end();
	return stopped ? BF_EXIT_INTERRUPTED : failed ? BF_EXIT_FAILURE : BF_EXIT_OK;
}

int bf_fleet_run(const struct bf_fleet_opts *o, struct bf_fleet_dev *devs)
{
	struct fleet f = { .o = o, .devs = devs, .n = o->inv->n };
	double t0 = bf_event_elapsed();
	size_t i;
	int ret;

	if (!(f.x = calloc(f.n, sizeof(*f.x))))
		return bf_error_ret(ENOMEM, "out of memory"), BF_EXIT_FAILURE;
	for (i = 0; i < f.n; i++) {
		memset(&devs[i], 0, sizeof(devs[i]));
		devs[i].inv = &o->inv->dev[i];
		devs[i].exit_code = -1;
	}
	bf_fleet_prepare(&f);
	state_dirs(&f);
	for (i = 0; i < f.n; i++)
		if (f.x[i].failed)
			finish_here(&f, i);
	pool(&f, bf_fleet_dev_check);
	f.final = true;
	pool(&f, o->plan ? bf_fleet_dev_plan : bf_fleet_dev_run);
	ret = summary(&f, t0);
	bf_fleet_prepare_free(&f);
	free(f.x);
	return ret;
}
