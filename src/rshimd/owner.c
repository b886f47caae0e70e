/* owner.c - who drives the device (spec rshim.md 6): the access check run
 * when a device is attached and when it leaves drop mode, drop mode
 * itself, and the ownership-transfer protocol on the device (the steps
 * come from osp.c), run by the device's I/O thread. Every backend that
 * drives a chip writes its keepalive magic into SCRATCHPAD1 every 300 ms;
 * a backend that finds it there leaves the chip to its owner, or asks
 * for it with OSP_REQ. */
#include "config.h"
#include "rshimd.h"
#include "chip.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define DIM_TRIES       10      /* FABRIC_DIM readable: 10 x 100 ms */
#define DIM_WAIT_NS     100000000L
#define SP1_POLLS       100     /* another backend's keepalive: 100 x 10 ms */
#define SP1_WAIT_NS     10000000L
#define KEEPALIVE_NS    300000000ull   /* SP1 keepalive period (upstream 300 ms) */

/* Real time, not device time: the other backend's keepalive comes every
 * 300 ms of the host's clock whatever the simulator's speed. */
static void pause_ns(long ns)
{
	struct timespec ts = { 0, ns };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int bf_rshimd_access_check(struct bf_rshimd_dev *d)
{
	const struct bf_chip_regs *g = &d->r.chip->r;
	uint64_t v = 0;
	int i, ret = -EIO;

	for (i = 0; i < DIM_TRIES; i++) {
		ret = bf_rshim_read_data(&d->r, BF_CHAN_RSHIM, g->fabric_dim, &v);
		if (ret == 0 && v && !bf_chip_is_bad_value(v))
			break;
		pause_ns(DIM_WAIT_NS);
	}
	if (ret < 0 || bf_chip_is_bad_value(v)) {
		bf_warn("rshim%u unable to read from rshim (FABRIC_DIM %s)", d->index,
			ret < 0 ? strerror(-ret) : "reads a bad value");
		return -ETIMEDOUT;
	}
	if ((ret = bf_rshim_write(&d->r, BF_CHAN_RSHIM, g->scratchpad1, 0)) < 0) {
		bf_warn("rshim%u failed to write SCRATCHPAD1: %s", d->index, strerror(-ret));
		return -ENODEV;
	}
	for (i = 0; i < SP1_POLLS; i++) {
		pause_ns(SP1_WAIT_NS);
		if (bf_rshim_read_data(&d->r, BF_CHAN_RSHIM, g->scratchpad1, &v) == 0 &&
		    v == BF_SP1_KEEPALIVE) {
			bf_info("rshim%u another backend already attached (its keepalive is in SCRATCHPAD1)",
				d->index);
			return -EEXIST;
		}
	}
	/* Ours now; also in case the other one is running this check too. */
	if ((ret = bf_rshim_write(&d->r, BF_CHAN_RSHIM, g->scratchpad1, BF_SP1_KEEPALIVE)) < 0 ||
	    (ret = bf_rshim_read_data(&d->r, BF_CHAN_RSHIM, g->scratchpad1, &v)) < 0) {
		bf_warn("rshim%u access check failed (SCRATCHPAD1: %s)", d->index, strerror(-ret));
		return -ENODEV;
	}
	d->last_keepalive_ns = bf_clock_ns();
	return 0;
}

int bf_rshimd_dev_set_drop(struct bf_rshimd_dev *d, bool drop)
{
	int ret;

	pthread_mutex_lock(&d->lock);
	if (d->drop_mode == drop || d->in_check) {
		ret = d->drop_mode == drop ? 0 : -EBUSY;
		pthread_mutex_unlock(&d->lock);
		return ret;
	}
	if (drop) {
		d->drop_mode = true;
		pthread_cond_broadcast(&d->cond);
		pthread_mutex_unlock(&d->lock);
		bf_info("rshim%u entering drop mode", d->index);
		bf_rshimd_dev_wake(d);
		return 0;
	}
	d->in_check = true;
	pthread_mutex_unlock(&d->lock);
	/* Still in drop mode meanwhile: no keepalive, no TM FIFO traffic. */
	ret = bf_rshimd_access_check(d);
	pthread_mutex_lock(&d->lock);
	d->in_check = false;
	if (ret == 0) {
		d->drop_mode = false;
		/* The framing starts over: what the DPU queued for the other
		 * owner is dropped, then the sync words go out. */
		d->fifo_reset = true;
		d->rx_drain = true;
	}
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	if (ret < 0) {
		bf_warn("rshim%u is not accessible: staying in drop mode (%s)", d->index,
			ret == -EEXIST ? "another backend owns it; FORCE_CMD 1 asks for it" : strerror(-ret));
		return -EACCES;
	}
	bf_info("rshim%u leaving drop mode", d->index);
	bf_rshimd_dev_wake(d);
	return 0;
}

int bf_rshimd_dev_force(struct bf_rshimd_dev *d)
{
	bool drop;

	pthread_mutex_lock(&d->lock);
	drop = d->drop_mode;
	if (drop)
		d->force_pending = true;
	pthread_mutex_unlock(&d->lock);
	if (!drop)
		return -EINVAL;
	bf_rshimd_dev_wake(d);
	return 0;
}

void bf_rshimd_owner_poll(struct bf_rshimd_dev *d)
{
	struct bf_rshimd_osp_out out;
	uint64_t now = bf_clock_ns(), sp1 = 0;
	bool drop, force, sp1_ok = false;
	unsigned i;

	if (d->gone || !bf_rshimd_osp_due(&d->osp, now))
		return;
	pthread_mutex_lock(&d->lock);
	drop = d->drop_mode;
	force = d->force_pending;
	if (d->in_check) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	pthread_mutex_unlock(&d->lock);
	/* An owner reads SP1 once per step (every 100 ms); a device in drop
	 * mode is not touched unless it asks for ownership. */
	if (bf_rshimd_osp_wants_sp1(&d->osp, drop))
		sp1_ok = bf_rshim_read_data(&d->r, BF_CHAN_RSHIM, d->r.chip->r.scratchpad1, &sp1) == 0;
	bf_rshimd_osp_step(&d->osp, now, drop, force, sp1_ok, sp1, &out);
	for (i = 0; i < out.nsay; i++)
		bf_info("rshim%u %s", d->index, out.say[i]);
	if (out.act & BF_OSP_DO_FORCE_DONE) {
		pthread_mutex_lock(&d->lock);
		d->force_pending = false;
		pthread_mutex_unlock(&d->lock);
	}
	if ((out.act & BF_OSP_DO_WRITE) &&
	    bf_rshim_write(&d->r, BF_CHAN_RSHIM, d->r.chip->r.scratchpad1, out.sp1) < 0)
		bf_warn("rshim%u failed to write the ownership transfer %s", d->index,
			out.sp1 == BF_SP1_OSP_ACK ? "ack" : "request");
	if (out.act & BF_OSP_DO_DROP)
		bf_rshimd_dev_set_drop(d, true);
	if (out.act & BF_OSP_DO_PASSED)
		bf_info("rshim%u passed to the requester successfully", d->index);
	if ((out.act & BF_OSP_DO_REGAIN) && bf_rshimd_dev_set_drop(d, false) == 0)
		bf_info("rshim%u regained ownership successfully", d->index);
	/* The owner's keepalive, right after its look at SP1: written at any
	 * other moment it could bury an OSP_REQ not seen yet. Not while
	 * DEBUG_CODE holds SP1. */
	if (!drop && !(out.act & (BF_OSP_DO_WRITE | BF_OSP_DO_DROP)) && !bf_rshimd_osp_busy(&d->osp) &&
	    !d->debug_code && now - d->last_keepalive_ns >= KEEPALIVE_NS) {
		d->last_keepalive_ns = now;
		bf_rshim_write(&d->r, BF_CHAN_RSHIM, d->r.chip->r.scratchpad1, BF_SP1_KEEPALIVE);
	}
}
