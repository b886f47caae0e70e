/* fleet_int.h - inside the fleet module: the run (fleet.c) and the steps
 * of one device (fleet_dev.c). */
#ifndef BF_FLEET_INT_H
#define BF_FLEET_INT_H

#include <stdatomic.h>

#include "bfb_info.h"
#include "fleet.h"
#include "journal.h"

struct fleet_devx {
	struct bf_journal journal;
	char key[512];               /* the journal key: this device's inputs */
	const struct bf_bfb_component *comps;   /* its bundle's inventory */
	size_t ncomps;
	bool changed;                /* a step did work on the device */
	bool failed;
};

struct fleet {
	const struct bf_fleet_opts *o;
	struct bf_fleet_dev *devs;
	struct fleet_devx *x;
	size_t n;
	atomic_size_t next;
	void *inputs;                /* fleet_prep.c's, until the end */
	bool final;                  /* the last phase: a device's end is its result */
	void (*fn)(struct fleet *f, size_t i);
};

/* The device's step changes: a "step" event, the caller told. */
void bf_fleet_step(struct fleet *f, size_t i, const char *step);
/* The device fails at its current step with code and a sentence. */
void bf_fleet_fail(struct fleet *f, size_t i, int code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Wait before retry attempt of the device's step, saying why. */
void bf_fleet_backoff(struct fleet *f, size_t i, unsigned attempt, double *delay, const char *why);
int bf_fleet_retries(const struct fleet *f);

/* Phase 1: every input downloaded and checked, journals opened; devices
 * whose inputs fail are failed. */
void bf_fleet_prepare(struct fleet *f);
void bf_fleet_prepare_free(struct fleet *f);
/* The device's journal (its thread: the writes go side by side). */
int bf_fleet_journal_open(struct fleet *f, size_t i);

/* Phase 2 and 3 for one device (its thread). */
void bf_fleet_dev_check(struct fleet *f, size_t i);
void bf_fleet_dev_run(struct fleet *f, size_t i);
void bf_fleet_dev_plan(struct fleet *f, size_t i);

#endif
