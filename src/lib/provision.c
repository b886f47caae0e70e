/* provision.c - bfctl provision for one device (provision.h): the steps in
 * order, each announced, timed and reported through the caller's
 * callback; a step the caller's journal marks done is skipped. */
#include "config.h"
#include "provision_int.h"
#include "clock.h"
#include "error.h"
#include "profile.h"
#include "rshim.h"
#include "statedir.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const step_names[BF_PROV_NSTEPS] = { "firmware", "install", "handoff", "agent", "verify" };
static const char *const status_names[] = { "done", "unchanged", "skipped", "failed" };

const char *bf_provision_step_name(enum bf_provision_step s)
{
	return (unsigned)s < BF_PROV_NSTEPS ? step_names[s] : "?";
}

int bf_provision_step_parse(const char *name)
{
	int i;

	for (i = 0; i < BF_PROV_NSTEPS; i++)
		if (!strcmp(name, step_names[i]))
			return i;
	return -1;
}

const char *bf_provision_status_name(enum bf_provision_status s)
{
	return (unsigned)s <= BF_PROV_FAILED ? status_names[s] : "?";
}

void bf_prov_emit(struct bf_prov *p, const struct bf_provision_event *ev)
{
	struct bf_provision_event e = *ev;

	e.device = p->o->device;
	e.step = p->step;
	if (p->o->on_event)
		p->o->on_event(p->o->ctx, &e);
}

void bf_prov_info(struct bf_prov *p, const char *fmt, ...)
{
	struct bf_provision_event ev = { .kind = BF_PROV_EV_INFO };
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ev.text = buf;
	bf_prov_emit(p, &ev);
}

int bf_prov_fail(struct bf_prov *p, int exit_code, int err, const char *hint, const char *fmt, ...)
{
	struct bf_provision_result *res = p->res;
	va_list ap;

	if (res->exit_code)
		return res->exit_code;
	res->exit_code = exit_code;
	res->err = err;
	res->failed = p->step;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	snprintf(res->hint, sizeof(res->hint), "%s", hint ? hint : "");
	return exit_code;
}

bool bf_prov_stopped(const struct bf_prov *p)
{
	return p->o->stop && *p->o->stop;
}

double bf_prov_left(const struct bf_prov *p)
{
	return p->t_end - bf_clock_ns() / 1e9;
}

static double now_s(void)
{
	return bf_clock_ns() / 1e9;
}

static bool begin(struct bf_prov *p, enum bf_provision_step s)
{
	struct bf_provision_event ev = { .kind = BF_PROV_EV_BEGIN };

	p->step = s;
	if (p->o->skip_step && p->o->skip_step(p->o->ctx, p->o->device, s)) {
		p->res->status[s] = BF_PROV_SKIPPED;
		ev.kind = BF_PROV_EV_END;
		ev.status = BF_PROV_SKIPPED;
		bf_prov_emit(p, &ev);
		return false;
	}
	bf_prov_emit(p, &ev);
	return true;
}

static int end(struct bf_prov *p, double t0, int rc, enum bf_provision_status ok)
{
	struct bf_provision_event ev = { .kind = BF_PROV_EV_END };
	enum bf_provision_step s = p->step;

	p->res->seconds[s] = now_s() - t0;
	p->res->status[s] = rc ? BF_PROV_FAILED : ok;
	ev.status = p->res->status[s];
	ev.seconds = p->res->seconds[s];
	if (rc) {
		ev.err = p->res->err;
		ev.exit_code = rc;
		ev.text = p->res->message;
	}
	bf_prov_emit(p, &ev);
	return rc;
}

static int load_profile(struct bf_prov *p, struct bf_profile *prof)
{
	struct bf_profile_result pr;
	int r;

	memset(&pr, 0, sizeof(pr));
	r = bf_profile_open(p->o->profile, prof, &pr);
	if (r < 0 || pr.errors) {
		unsigned n = pr.errors;

		bf_profile_result_free(&pr);
		if (r < 0)
			return bf_prov_fail(p, BF_EXIT_INPUT, r, "nothing was touched", "%s: cannot read the profile %s: %s",
					    p->o->device, p->o->profile, bf_error_str(r));
		return bf_prov_fail(p, BF_EXIT_INPUT, -EINVAL, "see 'bfctl profile check'; nothing was touched",
				    "%s: the profile %s has %u error%s", p->o->device, p->o->profile, n, n == 1 ? "" : "s");
	}
	bf_profile_result_free(&pr);
	return 0;
}

static __thread char *ver_out;

static void on_version(struct bf_prov *p, const char *line)
{
	(void)p;
	if (ver_out && !ver_out[0])
		snprintf(ver_out, 160, "%s", line);
}

/* Is the DPU running this bundle already (its record of the install, read
 * over the pinned SSH)? 1 yes, 0 no or not reachable (the result is left
 * as it was), or an exit code: a host key other than the pinned one. */
static int same_os(struct bf_prov *p, struct bf_prov_ssh **s)
{
	struct bf_provision_result keep = *p->res;
	char out[160] = "", err[256];
	int st = -1, r;

	if (!p->fp[0])
		return 0;
	r = bf_prov_link_up(p);
	if (r == 0)
		r = bf_prov_ssh_open(p, 20, s);
	if (r == 0) {
		ver_out = out;
		r = bf_prov_ssh_exec(p, *s, "cat " BF_PROV_VERSION_FILE, NULL, 0, on_version, err, sizeof(err), &st);
		ver_out = NULL;
	}
	if (r != 0 && p->res->err == -EKEYREJECTED)
		return r;
	if (r != 0) {
		bf_prov_info(p, "the DPU does not answer on the pinned SSH (%s): installing", p->res->message);
		*p->res = keep;
		return 0;
	}
	if (st == 0 && !strcmp(out, p->bfb_version))
		return 1;
	bf_prov_info(p, "the DPU runs '%.80s', the bundle is '%s': installing", st == 0 ? out : "unknown", p->bfb_version);
	return 0;
}

static int step_firmware(struct bf_prov *p, const struct bf_profile *prof)
{
	double t0 = now_s();
	bool changed = false;
	int r;

	if (!begin(p, BF_PROV_FIRMWARE))
		return 0;
	r = bf_prov_firmware(p, prof, &changed);
	return end(p, t0, r, changed ? BF_PROV_DONE : BF_PROV_UNCHANGED);
}

static int step_install(struct bf_prov *p, const struct bf_profile *prof, struct bf_prov_ssh **s)
{
	double t0 = now_s();
	int r;

	if (!begin(p, BF_PROV_INSTALL)) {
		if (bf_prov_pin_load(p) < 0)
			return end(p, t0, bf_prov_fail(p, BF_EXIT_INPUT, -ENOKEY, "run 'bfctl provision --reinstall'",
						       "%s: the install is marked done but no host key is pinned in %s",
						       p->o->device, p->state_dir), 0);
		return 0;
	}
	bf_prov_pin_load(p);
	bf_error_clear();
	if (!p->o->reinstall) {
		if (!p->o->bfb) {
			if (!p->fp[0])
				return end(p, t0, bf_prov_fail(p, BF_EXIT_INPUT, -ENOKEY,
					"give the bundle with --bfb: the install pins the DPU's host key",
					"%s: no SSH host key pinned for this device (%s/hostkey.pin) and no bundle to install",
					p->o->device, p->state_dir), 0);
			bf_prov_info(p, "no bundle given: keeping the installed OS");
			return end(p, t0, 0, BF_PROV_UNCHANGED);
		}
		r = same_os(p, s);
		if (r == 1) {
			bf_prov_info(p, "the DPU already runs %s: install skipped (--reinstall forces it)", p->bfb_version);
			return end(p, t0, 0, BF_PROV_UNCHANGED);
		}
		if (r > 1)
			return end(p, t0, r, 0);
	}
	if (!p->o->bfb)
		return end(p, t0, bf_prov_fail(p, BF_EXIT_INPUT, -EINVAL, "give the bundle with --bfb",
					       "%s: --reinstall needs a bundle", p->o->device), 0);
	bf_prov_ssh_close(*s);
	*s = NULL;
	bf_prov_link_down(p);
	return end(p, t0, bf_prov_install(p, prof), BF_PROV_DONE);
}

static int step_handoff(struct bf_prov *p, struct bf_prov_ssh **s)
{
	double t0 = now_s();
	int r;

	if (!begin(p, BF_PROV_HANDOFF))
		return 0;
	if (*s)
		return end(p, t0, 0, BF_PROV_DONE);
	if (!p->fp[0] && bf_prov_pin_load(p) < 0)
		return end(p, t0, bf_prov_fail(p, BF_EXIT_INPUT, -ENOKEY, "run 'bfctl provision --reinstall' to pin it from the RShim log",
					       "%s: no SSH host key pinned in %s/hostkey.pin", p->o->device, p->state_dir), 0);
	r = bf_prov_link_up(p);
	if (r == 0)
		r = bf_prov_ssh_open(p, p->o->ssh_timeout_s > 0 ? p->o->ssh_timeout_s : 300, s);
	if (r == 0)
		bf_prov_info(p, "SSH to %s over %s: host key %s as pinned", p->o->dpu_addr ? p->o->dpu_addr : "192.168.100.2",
			     p->ifname, p->fp);
	return end(p, t0, r, BF_PROV_DONE);
}

static int init(struct bf_prov *p, const struct bf_provision_opts *o, struct bf_provision_result *res)
{
	int r;

	memset(res, 0, sizeof(*res));
	memset(p, 0, sizeof(*p));
	p->o = o;
	p->res = res;
	p->t_end = now_s() + (o->timeout_s > 0 ? o->timeout_s : 3600);
	if (!o->device)
		return bf_prov_fail(p, BF_EXIT_USAGE, -EINVAL, NULL, "a device is needed");
	if (o->state_dir) {
		if ((size_t)snprintf(p->state_dir, sizeof(p->state_dir), "%s", o->state_dir) >= sizeof(p->state_dir))
			return bf_prov_fail(p, BF_EXIT_USAGE, -ENAMETOOLONG, NULL, "%s: the state directory path is too long",
					    o->device);
	} else if ((r = bf_statedir_path(NULL, o->device, p->state_dir, sizeof(p->state_dir))) < 0) {
		/* the name is cut in the sentence only, which must still fit */
		return bf_prov_fail(p, BF_EXIT_USAGE, r, "give its directory with --state-dir", "%.64s%s: %s",
				    o->device, strlen(o->device) > 64 ? "..." : "", bf_error_get());
	}
	return 0;
}

static int open_device(struct bf_prov *p)
{
	int r = bf_rshim_open(p->o->device, &p->r);

	if (r < 0)
		return bf_prov_fail(p, BF_EXIT_DEVICE, r, "check the device with 'bfctl list'", "%s: %s", p->o->device,
				    bf_error_str(r));
	return 0;
}

int bf_provision_run(const struct bf_provision_opts *o, struct bf_provision_result *res)
{
	struct bf_profile prof;
	struct bf_prov_ssh *s = NULL;
	struct bf_prov *p = calloc(1, sizeof(*p));
	double t0;
	int r;

	if (!p) {
		memset(res, 0, sizeof(*res));
		res->exit_code = BF_EXIT_FAILURE;
		snprintf(res->message, sizeof(res->message), "out of memory");
		return res->exit_code;
	}
	memset(&prof, 0, sizeof(prof));
	r = init(p, o, res);
	if (r == 0 && !o->profile)
		r = bf_prov_fail(p, BF_EXIT_USAGE, -EINVAL, NULL, "%s: a profile is needed", o->device);
	/* Nothing is touched until the inputs check out. */
	if (r == 0)
		r = load_profile(p, &prof);
	if (r == 0 && o->bfb && bf_prov_bfb_version(p) < 0)
		r = bf_prov_fail(p, BF_EXIT_INPUT, -EINVAL, "nothing was touched", "%s: cannot read the bundle %s: %s",
				 o->device, o->bfb, bf_error_or(""));
	if (r == 0)
		r = bf_prov_keys_ensure(p);
	/* The NIC first: for a simulated device it is the same simulator as
	 * the RShim, which the install then holds. */
	if (r == 0)
		r = step_firmware(p, &prof);
	if (r == 0)
		r = open_device(p);
	if (r == 0)
		r = step_install(p, &prof, &s);
	if (r == 0)
		r = step_handoff(p, &s);
	if (r == 0 && begin(p, BF_PROV_AGENT)) {
		t0 = now_s();
		r = bf_prov_agent_run(p, s, &prof, "apply", true);
		end(p, t0, r, res->agent_changes ? BF_PROV_DONE : BF_PROV_UNCHANGED);
	}
	if (r == 0 && begin(p, BF_PROV_VERIFY)) {
		t0 = now_s();
		r = end(p, t0, bf_prov_agent_run(p, s, &prof, "status", false), BF_PROV_DONE);
	}
	bf_prov_ssh_close(s);
	bf_prov_link_down(p);
	if (p->r)
		bf_rshim_close(p->r);
	bf_profile_free(&prof);
	free(p);
	return res->exit_code;
}

int bf_provision_agent(const struct bf_provision_opts *o, const char *verb, struct bf_provision_result *res)
{
	struct bf_profile prof;
	struct bf_prov_ssh *s = NULL;
	struct bf_prov *p = calloc(1, sizeof(*p));
	bool have = false;
	int r;

	if (!p) {
		memset(res, 0, sizeof(*res));
		res->exit_code = BF_EXIT_FAILURE;
		return res->exit_code;
	}
	memset(&prof, 0, sizeof(prof));
	r = init(p, o, res);
	if (r == 0 && o->profile) {
		r = load_profile(p, &prof);
		have = r == 0;
	}
	p->step = BF_PROV_HANDOFF;
	if (r == 0 && bf_prov_pin_load(p) < 0)
		r = bf_prov_fail(p, BF_EXIT_INPUT, -ENOKEY, "provision the device first ('bfctl provision')",
				 "%s: no SSH host key pinned in %s/hostkey.pin", o->device, p->state_dir);
	if (r == 0)
		r = open_device(p);
	if (r == 0)
		r = bf_prov_link_up(p);
	if (r == 0)
		r = bf_prov_ssh_open(p, o->ssh_timeout_s > 0 ? o->ssh_timeout_s : 30, &s);
	p->step = BF_PROV_AGENT;
	if (r == 0)
		r = bf_prov_agent_run(p, s, have ? &prof : NULL, verb, have && strcmp(verb, "status"));
	bf_prov_ssh_close(s);
	bf_prov_link_down(p);
	if (p->r)
		bf_rshim_close(p->r);
	if (have)
		bf_profile_free(&prof);
	free(p);
	return res->exit_code;
}
