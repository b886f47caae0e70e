/* sim.c - bfsim: configuration, time, the event timeline, open/close. */
#include "config.h"
#include "sim_int.h"
#include "nic.h"
#include "clock.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bf_sim_config_defaults(struct bf_sim_config *c)
{
	memset(c, 0, sizeof(*c));
	c->chip = bf_chip_get(BF_CHIP_BF3);
	c->speed = 1.0;
	c->link_bps = 40000000;     /* USB 2.0 high-speed bulk, in practice */
	c->drain_bps = 80000000;    /* boot ROM / UEFI consumption */
	c->idle_real_min_s = 0.5;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		*v <<= 10, end++;
	else if (*end == 'M')
		*v <<= 20, end++;
	else if (*end == 'G')
		*v <<= 30, end++;
	return *end ? -EINVAL : 0;
}

int bf_sim_config_add_fault(struct bf_sim_config *c, const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (!strcmp(spec, "corrupt-log")) {
		c->fault_corrupt_log = true;
		return 0;
	}
	if (!strcmp(spec, "no-activate")) {
		c->fault_no_activate = true;
		return 0;
	}
	if (!strcmp(spec, "lfwp-fail")) {
		c->fault_lfwp_fail = true;
		return 0;
	}
	if (!strcmp(spec, "emmc-boot")) {
		c->fault_emmc_boot = true;
		return 0;
	}
	if (!strcmp(spec, "log-sem-stuck")) {
		c->fault_sem_stuck = true;
		return 0;
	}
	if (eq && !strncmp(spec, "stall-after=", 12))
		return parse_u64(eq + 1, &c->fault_stall_after) < 0 || !c->fault_stall_after ?
			bf_error_ret(EINVAL, "bad fault '%s': stall-after needs a byte count > 0", spec) : 0;
	if (eq && !strncmp(spec, "unplug-after=", 13))
		return parse_u64(eq + 1, &c->fault_unplug_after) < 0 || !c->fault_unplug_after ?
			bf_error_ret(EINVAL, "bad fault '%s': unplug-after needs a byte count > 0", spec) : 0;
	if (eq && !strncmp(spec, "corrupt-stream=", 15)) {
		uint64_t off;

		if (parse_u64(eq + 1, &off) < 0 || off == UINT64_MAX)
			return bf_error_ret(EINVAL, "bad fault '%s': corrupt-stream needs a byte offset", spec);
		c->fault_corrupt_stream = off + 1;
		return 0;
	}
	if (eq && !strncmp(spec, "powercut-during=", 16)) {
		static const char *const phases[] = { "lock", "mcda", "verify", "activate", "staging" };
		unsigned i;

		for (i = 0; i < 5; i++)
			if (!strcmp(eq + 1, phases[i])) {
				c->fault_powercut = BF_SIM_POWERCUT_LOCK + i;
				return 0;
			}
		return bf_error_ret(EINVAL, "bad fault '%s': powercut-during takes lock, mcda, verify, activate or staging", spec);
	}
	return bf_error_ret(EINVAL, "unknown fault '%s' (stall-after=BYTES, unplug-after=BYTES, corrupt-log, corrupt-stream=OFFSET, powercut-during=PHASE, no-activate, lfwp-fail, emmc-boot, log-sem-stuck)", spec);
}

int bf_sim_config_from_env(struct bf_sim_config *c)
{
	const char *v;
	uint64_t n;

	if ((v = getenv("BFSIM_CHIP")) && *v) {
		c->chip = bf_chip_by_name(v);
		if (!c->chip || c->chip->ver == BF_CHIP_BF1)
			return bf_error_ret(EINVAL, "BFSIM_CHIP=%s: the simulator models bf2 and bf3", v);
	}
	if ((v = getenv("BFSIM_STATE")))
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", v);
	if ((v = getenv("BFSIM_SPEED")) && *v) {
		char *end;
		double d = strtod(v, &end);

		if (*end || !(d > 0) || d > 1e6)
			return bf_error_ret(EINVAL, "BFSIM_SPEED=%s: need a number in (0, 1e6]", v);
		c->speed = d;
	}
	if ((v = getenv("BFSIM_LINK_BPS")) && *v) {
		if (parse_u64(v, &n) < 0 || !n)
			return bf_error_ret(EINVAL, "BFSIM_LINK_BPS=%s: need bytes per second", v);
		c->link_bps = n;
	}
	if ((v = getenv("BFSIM_DRAIN_BPS")) && *v) {
		if (parse_u64(v, &n) < 0 || !n)
			return bf_error_ret(EINVAL, "BFSIM_DRAIN_BPS=%s: need bytes per second", v);
		c->drain_bps = n;
	}
	if ((v = getenv("BFSIM_FAULT")) && *v) {
		char buf[512], *save = NULL, *tok;
		int r;

		snprintf(buf, sizeof(buf), "%s", v);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if ((r = bf_sim_config_add_fault(c, tok)) < 0)
				return r;
	}
	return 0;
}

int bf_sim_config_to_env(const struct bf_sim_config *c)
{
	char buf[512];
	size_t o = 0;

	setenv("BFSIM_CHIP", c->chip->id, 1);
	if (c->state_dir[0])
		setenv("BFSIM_STATE", c->state_dir, 1);
	else
		unsetenv("BFSIM_STATE");
	snprintf(buf, sizeof(buf), "%g", c->speed);
	setenv("BFSIM_SPEED", buf, 1);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->link_bps);
	setenv("BFSIM_LINK_BPS", buf, 1);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->drain_bps);
	setenv("BFSIM_DRAIN_BPS", buf, 1);
	buf[0] = '\0';
	if (c->fault_stall_after)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%sstall-after=%llu", o ? "," : "",
				      (unsigned long long)c->fault_stall_after);
	if (c->fault_unplug_after)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%sunplug-after=%llu", o ? "," : "",
				      (unsigned long long)c->fault_unplug_after);
	if (c->fault_corrupt_stream)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%scorrupt-stream=%llu", o ? "," : "",
				      (unsigned long long)(c->fault_corrupt_stream - 1));
	if (c->fault_corrupt_log)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%scorrupt-log", o ? "," : "");
	if (c->fault_no_activate)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%sno-activate", o ? "," : "");
	if (c->fault_lfwp_fail)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%slfwp-fail", o ? "," : "");
	if (c->fault_emmc_boot)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%semmc-boot", o ? "," : "");
	if (c->fault_sem_stuck)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%slog-sem-stuck", o ? "," : "");
	if (c->fault_powercut >= BF_SIM_POWERCUT_LOCK && c->fault_powercut <= BF_SIM_POWERCUT_STAGING) {
		static const char *const phases[] = { "lock", "mcda", "verify", "activate", "staging" };

		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%spowercut-during=%s", o ? "," : "",
				      phases[c->fault_powercut - BF_SIM_POWERCUT_LOCK]);
	}
	if (o)
		setenv("BFSIM_FAULT", buf, 1);
	else
		unsetenv("BFSIM_FAULT");
	return 0;
}

double bf_sim_now(const struct bf_sim *s)
{
	if (s->cfg.virtual_clock || s->cfg.virtual_access_ns)
		return s->sim0 + s->virt_t;
	return s->sim0 + (double)(bf_clock_ns() - s->mono0_ns) / 1e9 * s->cfg.speed;
}

double bf_sim_time(const struct bf_sim *s)
{
	return bf_sim_now(s);
}

double bf_sim_uptime(const struct bf_sim *s)
{
	return bf_sim_now(s) - s->reset_t;
}

const struct bf_chip *bf_sim_chip(const struct bf_sim *s)
{
	return s->chip;
}

static const char *const phase_names[] = {
	[PH_OFF] = "off", [PH_BOOT_ROM] = "boot-rom", [PH_ATF] = "atf", [PH_UEFI] = "uefi",
	[PH_WAIT_CFG] = "installer-start", [PH_INSTALLER] = "installer", [PH_REBOOT] = "rebooting",
	[PH_OS] = "os", [PH_NO_OS] = "no-os", [PH_STALLED] = "stalled", [PH_NIC_MODE] = "nic-mode",
	[PH_RUNTIME] = "runtime-upgrade",
};

const char *bf_sim_phase_name(enum sim_phase p)
{
	return (unsigned)p < sizeof(phase_names) / sizeof(phase_names[0]) ? phase_names[p] : "unknown";
}

void bf_sim_schedule(struct bf_sim *s, double t, unsigned module, unsigned level,
		     enum sim_action act, const char *fmt, ...)
{
	struct sim_event *e;
	va_list ap;

	if (s->nev == s->evcap) {
		size_t cap = s->evcap ? s->evcap * 2 : 64;
		struct sim_event *n = realloc(s->ev, cap * sizeof(*n));

		if (!n)
			return;
		s->ev = n;
		s->evcap = cap;
	}
	/* Keep the timeline sorted by time (stable for equal times). */
	{
		size_t i = s->nev;

		while (i > 0 && s->ev[i - 1].t > t)
			i--;
		memmove(&s->ev[i + 1], &s->ev[i], (s->nev - i) * sizeof(*e));
		e = &s->ev[i];
	}
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->module = (uint8_t)module;
	e->level = (uint8_t)level;
	e->action = (uint8_t)act;
	e->log = fmt != NULL;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
	}
	s->nev++;
}

/* Bring the model up to the current simulated time. */
void bf_sim_advance(struct bf_sim *s, double secs)
{
	if (!(s->cfg.virtual_clock || s->cfg.virtual_access_ns) || !(secs > 0))
		return;
	s->virt_t += secs;
	bf_sim_tick(s);
}

void bf_sim_tick(struct bf_sim *s)
{
	double now = bf_sim_now(s);

	bf_sim_fifo_drain(s, now);
	bf_sim_stream_idle(s, now);
	/* Firmware cannot append while the host holds the semaphore. */
	while (s->nev && s->ev[0].t <= now && !s->sem_taken) {
		struct sim_event e = s->ev[0];

		memmove(&s->ev[0], &s->ev[1], (s->nev - 1) * sizeof(e));
		s->nev--;
		if (e.log)
			bf_sim_log(s, e.module, e.level, e.text);
		bf_sim_apply_action(s, &e);
	}
	bf_sim_console_tick(s);
}

/* A device found powered on has been on for a while: its power-on boot
 * from eMMC is over, its lines are in the log ring, before any program
 * looks (else a program started at once sees them arrive later, as if
 * they came from what it does next). */
static void settle(struct bf_sim *s)
{
	unsigned round;
	size_t i;

	for (round = 0; round < 16 && s->nev; round++) {
		for (i = 0; i < s->nev; i++)
			s->ev[i].t = bf_sim_now(s);
		bf_sim_tick(s);
	}
}

int bf_sim_open(const struct bf_sim_config *c, struct bf_sim **out)
{
	struct bf_sim *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->cfg = *c;
	s->chip = c->chip ? c->chip : bf_chip_get(BF_CHIP_BF3);
	s->fifo_cap = (size_t)s->chip->boot_fifo_words * 8;
	if (s->fifo_cap > SIM_MAX_FIFO_BYTES)
		s->fifo_cap = SIM_MAX_FIFO_BYTES;
	s->mono0_ns = bf_clock_ns();
	s->nv = json_object_new_object();
	r = bf_sim_state_load(s);
	if (r < 0) {
		bf_sim_close(s);
		return r;
	}
	if (r == 0) {
		/* Power on: the DPU boots from eMMC. */
		s->rsh[s->chip->r.boot_control / 8] = BF_BOOT_CONTROL_EMMC;
		/* A BlueField-3 boots in DPU mode unless its NIC firmware says otherwise. */
		if (s->chip->ver == BF_CHIP_BF3)
			s->rsh[s->chip->r.scratchpad2 / 8] = (uint64_t)BF_MODE_DPU << BF_SP2_MODE_SHIFT;
		s->rsh[s->chip->r.fabric_dim / 8] = s->chip->ver == BF_CHIP_BF3 ? 0x0000000300000033ull
									      : 0x0000000200000022ull;
		bf_sim_chip_reset(s);
		s->resets = 0;
		settle(s);
	}
	*out = s;
	return 0;
}

void bf_sim_close(struct bf_sim *s)
{
	if (!s)
		return;
	bf_sim_tick(s);
	bf_sim_dpuos_stop(s);
	bf_sim_state_save(s);
	bf_sim_nic_free(s);
	bf_sim_stream_free(s);
	bf_sim_runtime_free(s);
	json_object_put(s->nv);
	free(s->ev);
	free(s);
}

void bf_sim_get_status(const struct bf_sim *s, struct bf_sim_status *st)
{
	memset(st, 0, sizeof(*st));
	st->boot_bytes = s->boot_bytes;
	st->resets = s->resets;
	snprintf(st->phase, sizeof(st->phase), "%s", bf_sim_phase_name(s->phase));
	st->drained_bytes = s->drained_bytes;
	st->overflow_bytes = s->overflow_bytes;
	st->log_dropped = s->log_dropped;
	st->pending_events = s->nev;
}
