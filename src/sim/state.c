/* state.c - the simulated device's state directory: nv.json (what is
 * installed, kept across boots) and runtime.json (registers, log ring,
 * timeline) so that the next process sees the same device. Written
 * atomically; read defensively (the files are input like any other). */
#include "config.h"
#include "sim_int.h"
#include "clock.h"
#include "nic.h"
#include "error.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATE_MAX_BYTES (4u << 20)
#define STATE_MAX_EVENTS 4096

json_object *bf_sim_nv_installed(struct bf_sim *s)
{
	json_object *o;

	if (!json_object_object_get_ex(s->nv, "installed", &o)) {
		o = json_object_new_object();
		json_object_object_add(s->nv, "installed", o);
	}
	return o;
}

static double realtime_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_atomic(const char *dir, const char *name, json_object *o)
{
	char path[PATH_MAX + 32], tmp[PATH_MAX + 48];
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
	size_t len = strlen(text);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	/* The device's state holds its password hash: private to its owner.
	 * A leftover temporary file is replaced, never followed. */
	fd = bf_file_create(tmp, 0600, true);
	if (fd < 0)
		return fd;
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) < 0) {
		int e = errno ? errno : EIO;

		close(fd);
		unlink(tmp);
		return -e;
	}
	close(fd);
	return rename(tmp, path) < 0 ? -errno : 0;
}

json_object *bf_sim_state_read(const char *dir, const char *name, int *err)
{
	char path[PATH_MAX + 32], *buf;
	json_object *o;
	size_t len;

	*err = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return NULL;   /* a device never powered on here */
	if ((*err = bf_file_read_all(path, STATE_MAX_BYTES, &buf, &len)) < 0)
		return NULL;
	o = json_tokener_parse(buf);
	free(buf);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*err = bf_error_ret(EBADMSG, "%s is damaged: remove the state directory to power the device on afresh", path);
		return NULL;
	}
	return o;
}

/* Hostile input: numbers must be finite and plausible, strings strings. */
static double getd(json_object *o, const char *k, double def)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return def;
	d = json_object_get_double(v);
	return d == d && d > -1e12 && d < 1e12 ? d : def;
}

static const char *str(json_object *v, const char *def)
{
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : def;
}

static uint64_t word(json_object *v)
{
	return strtoull(str(v, "0"), NULL, 0);
}

static uint64_t getu(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (json_object_is_type(v, json_type_string))
		return strtoull(json_object_get_string(v), NULL, 0);
	return (uint64_t)json_object_get_int64(v);
}

static json_object *hex(uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	return json_object_new_string(b);
}

/* The non-volatile part alone (what the eMMC and flash keep): written
 * when the installer records something, so that `bfsim status` sees it
 * while a transport still serves the device. */
int bf_sim_nv_save(struct bf_sim *s)
{
	if (!s->cfg.state_dir[0])
		return 0;
	if (mkdir(s->cfg.state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return write_atomic(s->cfg.state_dir, "nv.json", s->nv);
}

int bf_sim_state_save(struct bf_sim *s)
{
	json_object *rt, *ring, *regs, *evs;
	size_t i;
	int r;

	if (!s->cfg.state_dir[0])
		return 0;
	if (mkdir(s->cfg.state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	rt = json_object_new_object();
	json_object_object_add(rt, "chip", json_object_new_string(s->chip->id));
	json_object_object_add(rt, "sim_time", json_object_new_double(bf_sim_now(s)));
	json_object_object_add(rt, "realtime", json_object_new_double(realtime_now()));
	json_object_object_add(rt, "reset_time", json_object_new_double(s->reset_t));
	json_object_object_add(rt, "por_time", json_object_new_double(s->por_t));
	json_object_object_add(rt, "phase", json_object_new_string(bf_sim_phase_name(s->phase)));
	json_object_object_add(rt, "resets", json_object_new_int64((int64_t)s->resets));
	json_object_object_add(rt, "boot_bytes", json_object_new_int64((int64_t)s->boot_bytes));
	json_object_object_add(rt, "drained_bytes", json_object_new_int64((int64_t)s->drained_bytes));
	json_object_object_add(rt, "overflow_bytes", json_object_new_int64((int64_t)s->overflow_bytes));
	json_object_object_add(rt, "log_dropped", json_object_new_int64((int64_t)s->log_dropped));
	json_object_object_add(rt, "log_truncated", json_object_new_int64((int64_t)s->log_truncated));
	json_object_object_add(rt, "tm_lost", json_object_new_int64((int64_t)s->tm_lost));
	json_object_object_add(rt, "link_time", json_object_new_double(s->link_t));
	{
		/* The console: words the host has not read yet, output queued. */
		json_object *t2h = json_object_new_array();
		char hexq[SIM_OUTQ * 2 + 1];

		for (i = 0; i < s->t2h_len; i++)
			json_object_array_add(t2h, hex(s->t2h[(s->t2h_head + i) % SIM_TM_WORDS]));
		json_object_object_add(rt, "tm_t2h", t2h);
		for (i = 0; i < s->outq_len; i++)
			snprintf(hexq + 2 * i, 3, "%02x", (unsigned char)s->outq[i]);
		hexq[2 * s->outq_len] = '\0';
		json_object_object_add(rt, "console_out", json_object_new_string(hexq));
	}
	json_object_object_add(rt, "ring_idx", json_object_new_int((int)s->ring_idx));
	if (s->opn_set) {
		/* The OPN the host wrote, as hex (any byte may be in it). */
		char h[2 * BF_OPN_LEN + 1];

		for (i = 0; i < BF_OPN_LEN; i++)
			snprintf(h + 2 * i, 3, "%02x", (unsigned char)s->opn[i]);
		json_object_object_add(rt, "opn", json_object_new_string(h));
	}
	ring = json_object_new_array();
	for (i = 0; i < BF_RLOG_RING_WORDS; i++)
		json_object_array_add(ring, hex(s->ring[i]));
	json_object_object_add(rt, "ring", ring);
	regs = json_object_new_object();
	for (i = 0; i < sizeof(s->rsh) / sizeof(s->rsh[0]); i++) {
		char k[16];

		if (!s->rsh[i])
			continue;
		snprintf(k, sizeof(k), "0x%zx", i * 8);
		json_object_object_add(regs, k, hex(s->rsh[i]));
	}
	json_object_object_add(rt, "rshim", regs);
	evs = json_object_new_array();
	for (i = 0; i < s->nev; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "t", json_object_new_double(s->ev[i].t));
		json_object_object_add(e, "module", json_object_new_int(s->ev[i].module));
		json_object_object_add(e, "level", json_object_new_int(s->ev[i].level));
		json_object_object_add(e, "action", json_object_new_int(s->ev[i].action));
		json_object_object_add(e, "log", json_object_new_boolean(s->ev[i].log));
		json_object_object_add(e, "text", json_object_new_string(s->ev[i].text));
		json_object_array_add(evs, e);
	}
	json_object_object_add(rt, "events", evs);
	r = write_atomic(s->cfg.state_dir, "runtime.json", rt);
	json_object_put(rt);
	bf_sim_nic_save(s);
	if (r == 0)
		r = bf_sim_nv_save(s);
	return r;
}

static int load(struct bf_sim *s);

/* A state that is refused (damaged, another chip's) is left as it is: this
 * run keeps no state, so nothing is written over it when it ends. */
int bf_sim_state_load(struct bf_sim *s)
{
	int r = load(s);

	if (r < 0)
		s->cfg.state_dir[0] = '\0';
	return r;
}

/* Hex text into at most max bytes: the count decoded. */
static size_t load_hex(const char *h, char *dst, size_t max)
{
	size_t i;

	for (i = 0; h[2 * i] && h[2 * i + 1] && i < max; i++) {
		char b[3] = { h[2 * i], h[2 * i + 1], 0 };

		dst[i] = (char)strtoul(b, NULL, 16);
	}
	return i;
}

/* Times and counters. The device kept running while no process looked at it. */
static void load_counters(struct bf_sim *s, json_object *rt)
{
	double saved_sim = getd(rt, "sim_time", 0), saved_real = getd(rt, "realtime", realtime_now());

	s->sim0 = saved_sim + (realtime_now() > saved_real ? (realtime_now() - saved_real) * s->cfg.speed : 0);
	s->reset_t = getd(rt, "reset_time", 0);
	s->por_t = getd(rt, "por_time", 0);
	s->drain_t = s->last_data_t = s->sim0;
	s->last_data_ns = bf_clock_ns();
	s->resets = getu(rt, "resets");
	s->boot_bytes = getu(rt, "boot_bytes");
	s->drained_bytes = getu(rt, "drained_bytes");
	s->overflow_bytes = getu(rt, "overflow_bytes");
	s->log_dropped = getu(rt, "log_dropped");
	s->log_truncated = getu(rt, "log_truncated");
	s->tm_lost = getu(rt, "tm_lost");
	s->link_t = getd(rt, "link_time", 0);
}

/* What was queued: the TM FIFO toward the host, console output, the RShim
 * log ring, the OPN. Each bounded by its buffer. */
static void load_queues(struct bf_sim *s, json_object *rt)
{
	json_object *v;
	size_t i, n;

	if (json_object_object_get_ex(rt, "tm_t2h", &v) && json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && i < s->chip->tm_fifo_words && i < SIM_TM_WORDS; i++)
			s->t2h[i] = word(json_object_array_get_idx(v, i));
		s->t2h_head = 0;
		s->t2h_len = (unsigned)i;
	}
	if (json_object_object_get_ex(rt, "console_out", &v) && json_object_is_type(v, json_type_string))
		s->outq_len = load_hex(str(v, ""), s->outq, SIM_OUTQ);
	s->ring_idx = (unsigned)getu(rt, "ring_idx");
	if (json_object_object_get_ex(rt, "opn", &v) && json_object_is_type(v, json_type_string) &&
	    strlen(str(v, "")) == 2 * BF_OPN_LEN && strspn(str(v, ""), "0123456789abcdefABCDEF") == 2 * BF_OPN_LEN) {
		load_hex(str(v, ""), s->opn, BF_OPN_LEN);
		s->opn_set = true;
	}
	if (s->ring_idx > BF_RLOG_RING_WORDS)
		s->ring_idx = BF_RLOG_RING_WORDS;
	if (json_object_object_get_ex(rt, "ring", &v) && json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n && i < BF_RLOG_RING_WORDS; i++)
			s->ring[i] = word(json_object_array_get_idx(v, i));
	}
}

/* RShim registers by offset, and the timeline: what was still to happen. */
static void load_regs_events(struct bf_sim *s, json_object *rt)
{
	json_object *v, *regs;
	size_t i, n;

	if (json_object_object_get_ex(rt, "rshim", &regs) && json_object_is_type(regs, json_type_object)) {
		json_object_object_foreach(regs, key, val) {
			unsigned long off = strtoul(key, NULL, 0);

			if (off % 8 == 0 && off / 8 < sizeof(s->rsh) / sizeof(s->rsh[0]))
				s->rsh[off / 8] = word(val);
		}
	}
	if (!json_object_object_get_ex(rt, "events", &v) || !json_object_is_type(v, json_type_array))
		return;
	n = json_object_array_length(v);
	for (i = 0; i < n && i < STATE_MAX_EVENTS; i++) {
		json_object *e = json_object_array_get_idx(v, i), *x;
		unsigned act = (unsigned)getu(e, "action");
		bool log = json_object_object_get_ex(e, "log", &x) && json_object_get_boolean(x);
		const char *text = json_object_object_get_ex(e, "text", &x) ? str(x, "") : "";

		if (act > ACT_LAST)
			continue;
		if (log)
			bf_sim_schedule(s, getd(e, "t", 0), (unsigned)getu(e, "module") & 0xf,
					(unsigned)getu(e, "level") & 3, act, "%s", text);
		else
			bf_sim_schedule(s, getd(e, "t", 0), 0, 0, act, NULL);
	}
}

/* The phase, and what a process that ended in the middle left behind. */
static void load_phase(struct bf_sim *s, json_object *rt)
{
	json_object *v;
	const char *name = json_object_object_get_ex(rt, "phase", &v) ? str(v, "off") : "off";
	bool staging = false;
	size_t i;

	for (i = 0; i <= PH_LAST; i++)
		if (!strcmp(name, bf_sim_phase_name((enum sim_phase)i)))
			s->phase = (enum sim_phase)i;
	/* A boot stream cut off with its process cannot resume: the boot ROM
	 * waits for data that never comes. */
	if (s->phase == PH_BOOT_ROM || s->phase == PH_ATF || s->phase == PH_UEFI || s->phase == PH_WAIT_CFG)
		s->phase = PH_STALLED;
	/* A runtime upgrade still receiving its bundle lost it with its
	 * process: the OS goes on (staging, on the timeline, resumes). */
	if (s->phase == PH_RUNTIME) {
		for (i = 0; i < s->nev; i++)
			staging |= s->ev[i].action == ACT_RT_DONE;
		if (!staging)
			s->phase = PH_OS;
	}
}

static int load(struct bf_sim *s)
{
	json_object *rt, *nv, *v;
	const char *chip;
	int err;

	if (!s->cfg.state_dir[0])
		return 0;
	nv = bf_sim_state_read(s->cfg.state_dir, "nv.json", &err);
	if (err < 0)
		return err;
	if (nv) {
		json_object_put(s->nv);
		s->nv = nv;
	}
	rt = bf_sim_state_read(s->cfg.state_dir, "runtime.json", &err);
	if (err < 0)
		return err;
	if (!rt)
		return 0;
	chip = json_object_object_get_ex(rt, "chip", &v) ? str(v, "") : "";
	if (strcmp(chip, s->chip->id)) {
		err = bf_error_ret(EINVAL, "the state in %s belongs to a %s, not a %s: use --chip %s or another --state",
				   s->cfg.state_dir, chip, s->chip->id, chip);
		json_object_put(rt);
		return err;
	}
	load_counters(s, rt);
	load_queues(s, rt);
	load_regs_events(s, rt);
	load_phase(s, rt);
	bf_sim_stream_reset(s);
	json_object_put(rt);
	return 1;
}
