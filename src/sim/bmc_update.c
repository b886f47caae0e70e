/* bmc_update.c - what the simulated BMC does to its device: SimpleUpdate
 * (the image pulled with libcurl and streamed into the RShim boot path
 * with the library's push code, through an RShim the BMC holds in this
 * process), the Arm reset, the DPU/NIC mode, and the device's state read
 * for BootProgress and the firmware inventory. */
#include "config.h"
#include "bmc_int.h"
#include "boot.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "rshim.h"
#include "sim_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STAGE 65536   /* bytes gathered before a push (a multiple of 8) */

/* The device, read under its lock. ----------------------------------------- */

double bf_sim_bmc_now(struct bf_sim_bmc *b)
{
	double t;

	pthread_mutex_lock(&b->h->lock);
	bf_sim_tick(b->h->sim);
	t = bf_sim_time(b->h->sim);
	pthread_mutex_unlock(&b->h->lock);
	return t;
}

const char *bf_sim_bmc_phase_state(struct bf_sim_bmc *b)
{
	enum sim_phase p;

	pthread_mutex_lock(&b->h->lock);
	bf_sim_tick(b->h->sim);
	p = b->h->sim->phase;
	pthread_mutex_unlock(&b->h->lock);
	switch (p) {
	case PH_OFF: return "Invalid";
	case PH_BOOT_ROM: case PH_STALLED: return "BootRom";
	case PH_ATF: return "BL31";
	case PH_UEFI: case PH_WAIT_CFG: case PH_NO_OS: case PH_NIC_MODE: return "UEFI";
	case PH_INSTALLER: case PH_REBOOT: return "OsStarting";
	case PH_OS: case PH_RUNTIME: return "OsIsRunning";   /* the OS runs while it stages */
	}
	return "Invalid";
}

bool bf_sim_bmc_nic_mode(struct bf_sim_bmc *b)
{
	struct bf_sim *s = b->h->sim;
	bool nic;

	pthread_mutex_lock(&b->h->lock);
	nic = ((s->rsh[s->chip->r.scratchpad2 / 8] & BF_SP2_MODE_MASK) >> BF_SP2_MODE_SHIFT) == BF_MODE_NIC;
	pthread_mutex_unlock(&b->h->lock);
	return nic;
}

/* The mode the DPU boots in next (the NIC firmware's setting, read by
 * the boot from SP2 in this model). */
void bf_sim_bmc_set_mode(struct bf_sim_bmc *b, bool nic)
{
	struct bf_sim *s = b->h->sim;
	uint64_t *sp2;

	pthread_mutex_lock(&b->h->lock);
	sp2 = &s->rsh[s->chip->r.scratchpad2 / 8];
	*sp2 = (*sp2 & ~BF_SP2_MODE_MASK) | ((uint64_t)(nic ? BF_MODE_NIC : BF_MODE_DPU) << BF_SP2_MODE_SHIFT);
	pthread_mutex_unlock(&b->h->lock);
}

void bf_sim_bmc_version(struct bf_sim_bmc *b, const char *key, char *out, size_t cap)
{
	json_object *o, *v;

	out[0] = '\0';
	pthread_mutex_lock(&b->h->lock);
	/* a version string, or an object with "release" (the OS: the
	 * bundle's name) or "version" */
	if (json_object_object_get_ex(bf_sim_nv_installed(b->h->sim), key, &o)) {
		if (json_object_is_type(o, json_type_string))
			snprintf(out, cap, "%s", json_object_get_string(o));
		else if (json_object_object_get_ex(o, "release", &v) || json_object_object_get_ex(o, "version", &v))
			snprintf(out, cap, "%s", json_object_get_string(v));
	}
	pthread_mutex_unlock(&b->h->lock);
}

void bf_sim_bmc_iso_time(char *out, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

/* The BMC's RShim: the device's registers and boot FIFO in this process. */

static int br_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct bf_sim_host *h = r->priv;
	int ret;

	pthread_mutex_lock(&h->lock);
	ret = bf_sim_read_reg(h->sim, chan, addr, val);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static int br_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct bf_sim_host *h = r->priv;
	int ret;

	pthread_mutex_lock(&h->lock);
	ret = bf_sim_write_reg(h->sim, chan, addr, val);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* Paced by the modelled link; the wait is outside the device's lock. */
static ssize_t br_boot_write(struct bf_rshim *r, const void *buf, size_t len)
{
	struct bf_sim_host *h = r->priv;
	uint64_t until = 0;
	ssize_t n;

	pthread_mutex_lock(&h->lock);
	n = bf_sim_boot_write_paced(h->sim, buf, len, &until);
	pthread_mutex_unlock(&h->lock);
	if (until)
		bf_clock_sleep_until_ns(until);
	return n;
}

static const struct bf_rshim_ops bmc_rshim_ops = {
	.read_reg = br_read, .write_reg = br_write, .boot_write = br_boot_write,
};

static void bmc_rshim(struct bf_sim_bmc *b, struct bf_rshim *r)
{
	memset(r, 0, sizeof(*r));
	r->ops = &bmc_rshim_ops;
	r->chip = bf_sim_chip(b->h->sim);
	snprintf(r->name, sizeof(r->name), "BMC rshim0 of sim:%u", b->index);
	snprintf(r->dev_name, sizeof(r->dev_name), "bmc-%u", b->index);
	r->speed = b->h->sim->cfg.speed;
	r->priv = b->h;
}

int bf_sim_bmc_arm_reset(struct bf_sim_bmc *b)
{
	struct bf_rshim r;

	bmc_rshim(b, &r);
	return bf_boot_chip_reset(&r);
}

/* Tasks. ------------------------------------------------------------------- */

struct bmc_task *bf_sim_bmc_task_new(struct bf_sim_bmc *b)
{
	struct bmc_task *t;

	if (b->ntasks == BMC_MAX_TASKS) {   /* the oldest goes */
		memmove(&b->tasks[0], &b->tasks[1], sizeof(b->tasks[0]) * (BMC_MAX_TASKS - 1));
		b->ntasks--;
	}
	t = &b->tasks[b->ntasks++];
	memset(t, 0, sizeof(*t));
	t->id = b->next_id++;
	snprintf(t->state, sizeof(t->state), "Running");
	snprintf(t->status, sizeof(t->status), "OK");
	bf_sim_bmc_iso_time(t->start, sizeof(t->start));
	return t;
}

static struct bmc_task *task_by_id(struct bf_sim_bmc *b, unsigned id)
{
	unsigned i;

	for (i = 0; i < b->ntasks; i++)
		if (b->tasks[i].id == id)
			return &b->tasks[i];
	return NULL;
}

/* Under b->mu. */
static void task_end(struct bmc_task *t, bool ok, const char *status, const char *id, const char *msg,
		     const char *resolution)
{
	snprintf(t->state, sizeof(t->state), "%s", ok ? "Completed" : "Exception");
	snprintf(t->status, sizeof(t->status), "%s", status);
	if (ok)
		t->percent = 100;
	snprintf(t->message_id, sizeof(t->message_id), "%s", id);
	snprintf(t->message, sizeof(t->message), "%s", msg);
	snprintf(t->resolution, sizeof(t->resolution), "%s", resolution);
	bf_sim_bmc_iso_time(t->end, sizeof(t->end));
}

/* The transfer. ------------------------------------------------------------ */

struct xfer {
	struct bf_sim_bmc *b;
	unsigned task_id;
	bool push;                 /* into the RShim (DPU_OS), or only pulled */
	bool reset_done;
	struct bf_rshim r;
	struct bf_boot_opts bo;
	uint8_t stage[STAGE];
	size_t staged;
	uint64_t got, pushed;
	curl_off_t total;
	int err;                   /* a push error */
	bool aborted;              /* the BMC went down */
};

static int flush(struct xfer *x, bool last)
{
	size_t n = last ? x->staged : x->staged & ~(size_t)7;
	uint64_t pushed = 0;
	int r;

	if (!n)
		return 0;
	r = bf_boot_push_buf(&x->r, x->stage, n, &x->bo, &pushed);
	x->pushed += pushed;
	if (r < 0)
		return r;
	memmove(x->stage, x->stage + n, x->staged - n);
	x->staged -= n;
	return 0;
}

static void progress(struct xfer *x)
{
	struct bf_sim_bmc *b = x->b;
	struct bmc_task *t;
	unsigned pct = x->total > 0 ? (unsigned)((double)x->got * 100.0 / (double)x->total) : 0;

	if (pct > 99)
		pct = 99;
	pthread_mutex_lock(&b->mu);
	if ((t = task_by_id(b, x->task_id)) && pct != t->percent) {
		t->percent = pct;
		snprintf(t->message_id, sizeof(t->message_id), "Update.1.0.TransferringToComponent");
		snprintf(t->message, sizeof(t->message),
			 "Image '%s' is being transferred to '%s'.", "BFB", b->up.target);
		snprintf(t->resolution, sizeof(t->resolution), "Transfer is %u%%", pct);
	}
	if ((b->o.faults & BF_SIM_BMC_FAULT_REBOOT_XFER) && !b->reboot_fault_done && x->total > 0 &&
	    x->got * 2 >= (uint64_t)x->total) {
		b->reboot_fault_done = true;
		b->reboot_req = true;
	}
	pthread_mutex_unlock(&b->mu);
}

/* Between boot writes: the BMC going down ends the push. */
static int xfer_poll(void *ctx)
{
	struct xfer *x = ctx;
	bool abort_now;

	pthread_mutex_lock(&x->b->mu);
	abort_now = x->b->abort_xfer;
	pthread_mutex_unlock(&x->b->mu);
	if (abort_now)
		x->aborted = true;
	return abort_now ? -ECANCELED : 0;
}

static size_t on_data(char *p, size_t sz, size_t nm, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = sz * nm, off = 0;
	bool abort_now;

	pthread_mutex_lock(&x->b->mu);
	abort_now = x->b->abort_xfer;
	pthread_mutex_unlock(&x->b->mu);
	if (abort_now) {
		x->aborted = true;
		return 0;
	}
	if (x->push && !x->reset_done) {
		/* The DPU into RShim boot, as a host install does first. */
		if ((x->err = bf_boot_reset(&x->r)) < 0)
			return 0;
		double now = bf_sim_bmc_now(x->b);

		x->reset_done = true;
		pthread_mutex_lock(&x->b->mu);
		snprintf(x->b->last_state, sizeof(x->b->last_state), "BootRom");
		x->b->sample_t = now;
		pthread_mutex_unlock(&x->b->mu);
	}
	while (off < len) {
		size_t n = len - off < STAGE - x->staged ? len - off : STAGE - x->staged;

		memcpy(x->stage + x->staged, p + off, n);
		x->staged += n;
		off += n;
		if (x->staged == STAGE && x->push && (x->err = flush(x, false)) < 0)
			return 0;
		if (!x->push)
			x->staged = 0;
	}
	x->got += len;
	progress(x);
	return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ctx;
	bool abort_now;

	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (dltotal > 0)
		x->total = dltotal;
	pthread_mutex_lock(&x->b->mu);
	abort_now = x->b->abort_xfer;
	pthread_mutex_unlock(&x->b->mu);
	if (abort_now)
		x->aborted = true;
	return abort_now;
}

/* The worker's last touch of b: whoever waits for it (a reboot, the
 * end of bfsim) may free b right after. */
static void worker_done(struct bf_sim_bmc *b, bool reboot)
{
	pthread_mutex_lock(&b->mu);
	b->updating = false;
	b->worker_running = false;
	if (reboot)
		b->reboot_req = true;
	pthread_cond_broadcast(&b->worker_cv);
	pthread_mutex_unlock(&b->mu);
}

static void finish(struct bf_sim_bmc *b, struct xfer *x, bool ok, const char *status, const char *id,
		   const char *msg, const char *res)
{
	struct bmc_task *t;

	pthread_mutex_lock(&b->mu);
	if (!x->aborted && (t = task_by_id(b, x->task_id)))
		task_end(t, ok, status, id, msg, res);
	if (ok && x->push)
		b->xfer_done = true;
	pthread_mutex_unlock(&b->mu);
}

static void *worker(void *arg)
{
	struct bf_sim_bmc *b = arg;
	struct xfer *x = calloc(1, sizeof(*x));
	char msg[BMC_TEXT], errbuf[CURL_ERROR_SIZE] = "";
	bool own, bmc_fw, reboot = false;
	CURLcode rc;
	CURL *c;

	if (!x) {
		worker_done(b, false);
		return NULL;
	}
	pthread_mutex_lock(&b->mu);
	x->b = b;
	x->task_id = b->up.task;
	bmc_fw = !strcmp(b->up.target, "BMC_Firmware");
	x->push = !bmc_fw;
	pthread_mutex_unlock(&b->mu);
	pthread_mutex_lock(&b->h->lock);
	own = b->h->rshim_bmc;
	pthread_mutex_unlock(&b->h->lock);
	bmc_rshim(b, &x->r);
	x->bo.stall_timeout_s = 300.0 / (x->r.speed > 1 ? x->r.speed : 1);
	x->bo.poll = xfer_poll;
	x->bo.poll_ctx = x;
	x->bo.poll_ms = 50;
	if (x->push && !own) {
		finish(b, x, false, "Critical", "ResourceEvent.1.0.ResourceErrorsDetected",
		       "The BMC's RShim is not enabled: the image cannot be written to the DPU.",
		       "Disable the host RShim (HostRshim.Set), enable BmcRShim (PATCH Managers/Bluefield_BMC/Oem/Nvidia) and retry.");
		free(x);
		worker_done(b, false);
		return NULL;
	}
	if (!(c = curl_easy_init())) {
		finish(b, x, false, "Critical", "Base.1.15.0.InternalError", "Out of memory.", "None.");
		free(x);
		worker_done(b, false);
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_URL, b->up.uri);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	if (b->o.faults & BF_SIM_BMC_FAULT_PULL_FAIL) {
		rc = CURLE_COULDNT_CONNECT;
		snprintf(errbuf, sizeof(errbuf), "Could not connect to server");
	} else {
		rc = curl_easy_perform(c);
	}
	curl_easy_cleanup(c);
	if (x->aborted) {
		bf_info("bfsim: BMC of sim:%u: transfer cut by the BMC's reboot after %llu bytes", b->index,
			(unsigned long long)x->got);
		finish(b, x, false, "Critical", "", "", "");
	} else if (x->err < 0) {
		snprintf(msg, sizeof(msg), "Writing the image to the DPU's RShim failed: %s", bf_error_str(x->err));
		finish(b, x, false, "Critical", "Update.1.0.TransferFailed", msg, "Retry the update.");
	} else if (rc != CURLE_OK) {
		snprintf(msg, sizeof(msg), "Image download failed (%s). Check and restart server's web service.",
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
		finish(b, x, false, "Critical", "Update.1.0.TransferFailed", msg,
		       "Check that the image URI is reachable from the BMC and retry.");
	} else if (b->o.faults & BF_SIM_BMC_FAULT_IDENTICAL) {
		finish(b, x, false, "Warning", "Update.1.0.UpdateSkipped", "Component image is identical",
		       "None.");
	} else if (x->push && ((x->err = flush(x, true)) < 0 || (x->err = bf_boot_finish(&x->r)) < 0)) {
		snprintf(msg, sizeof(msg), "Writing the image to the DPU's RShim failed: %s", bf_error_str(x->err));
		finish(b, x, false, "Critical", "Update.1.0.TransferFailed", msg, "Retry the update.");
	} else {
		bf_info("bfsim: BMC of sim:%u: %llu bytes pulled and %s", b->index, (unsigned long long)x->got,
			x->push ? "pushed into the RShim" : "applied to the BMC");
		snprintf(msg, sizeof(msg), "Task /redfish/v1/TaskService/Tasks/%u has completed.", x->task_id);
		finish(b, x, true, "OK", "TaskEvent.1.0.TaskCompletedOK", msg, "None.");
		reboot = bmc_fw;
	}
	free(x);
	worker_done(b, reboot);
	return NULL;
}

int bf_sim_bmc_update_start(struct bf_sim_bmc *b, const char *uri, const char *proto, const char *target,
			    unsigned *task, json_object **err)
{
	struct bmc_task *t;
	int r;

	if (b->updating || (b->o.faults & BF_SIM_BMC_FAULT_BUSY)) {
		*err = bf_sim_bmc_error("Base.1.15.0.GeneralError",
					"An update is in progress. Try again later.",
					"Wait for the running update to finish and retry.");
		return 400;
	}
	if (strlen(uri) + 9 > sizeof(b->up.uri)) {
		*err = bf_sim_bmc_error("Base.1.15.0.PropertyValueFormatError", "ImageURI is too long.", "None.");
		return 400;
	}
	snprintf(b->up.uri, sizeof(b->up.uri), "%s://%s", !strcmp(proto, "HTTPS") ? "https" : "http", uri);
	snprintf(b->up.target, sizeof(b->up.target), "%s", target);
	t = bf_sim_bmc_task_new(b);
	snprintf(t->target, sizeof(t->target), "/redfish/v1/UpdateService/FirmwareInventory/%s", target);
	snprintf(t->message_id, sizeof(t->message_id), "TaskEvent.1.0.TaskStarted");
	snprintf(t->message, sizeof(t->message), "The task with Id '%u' has started.", t->id);
	b->up.task = t->id;
	b->updating = true;
	b->worker_running = true;
	b->abort_xfer = false;
	b->xfer_done = false;
	b->done_seen = false;
	{
		pthread_attr_t a;
		pthread_t th;

		pthread_attr_init(&a);
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		r = pthread_create(&th, &a, worker, b);
		pthread_attr_destroy(&a);
	}
	if (r != 0) {
		b->updating = false;
		b->worker_running = false;
		task_end(t, false, "Critical", "Base.1.15.0.InternalError", "Cannot start the update.", "None.");
	}
	*task = t->id;
	return 202;
}

struct bmc_task *bf_sim_bmc_task_find(struct bf_sim_bmc *b, unsigned id)
{
	return task_by_id(b, id);
}
