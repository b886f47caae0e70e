/* provision.h - one DPU from bare to configured (bf_provision_*): the
 * profile's firmware parameters, the OS install with a generated bf.cfg,
 * the hand-off over SSH on tmfifo_net (libssh, host key pinned through the
 * RShim log), bfagent, and a verdict. Facts and flow: doc/provision.md.
 *
 * Reentrant: no globals, no output of its own. Everything the run has to
 * say goes through the caller's on_event, each event naming its device.
 * Several devices may be provisioned at once, one thread each, with one
 * struct bf_provision_opts per device (distinct devices and state dirs).
 * The error sentence (bf_error_get) is thread-local.
 */
#ifndef BF_PROVISION_H
#define BF_PROVISION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The steps, in order. Names are stable (JSON "step", journals). */
enum bf_provision_step {
	BF_PROV_FIRMWARE,   /* "firmware": NV parameters from the profile */
	BF_PROV_INSTALL,    /* "install":  BFB + generated bf.cfg, host key pinned */
	BF_PROV_HANDOFF,    /* "handoff":  tmfifo_net up, SSH answers with the pinned key */
	BF_PROV_AGENT,      /* "agent":    bfagent + profile copied, bfagent apply */
	BF_PROV_VERIFY,     /* "verify":   bfagent status shows no drift */
	BF_PROV_NSTEPS
};

const char *bf_provision_step_name(enum bf_provision_step s);
/* -1 when name is none of the step names. */
int bf_provision_step_parse(const char *name);

enum bf_provision_ev {
	BF_PROV_EV_BEGIN,     /* a step starts */
	BF_PROV_EV_END,       /* a step ended: status, seconds (err/exit_code when failed) */
	BF_PROV_EV_INFO,      /* a sentence (text) */
	BF_PROV_EV_LOG,       /* a RShim log line during the install (text, raw device text) */
	BF_PROV_EV_PROGRESS,  /* install push: done / total bytes */
	BF_PROV_EV_AGENT,     /* one JSON line bfagent printed (text, raw, validated JSON object) */
};

enum bf_provision_status {
	BF_PROV_DONE,         /* the step did its work */
	BF_PROV_UNCHANGED,    /* nothing to do (same BFB running, profile applied) */
	BF_PROV_SKIPPED,      /* skip_step said so (journal) */
	BF_PROV_FAILED,
};
const char *bf_provision_status_name(enum bf_provision_status s);

struct bf_provision_event {
	const char *device;               /* always set: the name the caller gave */
	enum bf_provision_step step;
	enum bf_provision_ev kind;
	enum bf_provision_status status;  /* END */
	const char *text;                 /* INFO, LOG, AGENT; END: the failure sentence */
	uint64_t done, total;             /* PROGRESS */
	double seconds;                   /* END: the step's duration */
	int err;                          /* END failed: -errno */
	int exit_code;                    /* END failed: the bfctl exit code (error.h) */
};

struct bf_provision_opts {
	const char *device;       /* "sim:0", "rshim0", "pcie:..." (required) */
	const char *profile;      /* profile file (required) */
	const char *bfb;          /* BFB file; NULL: no install unless one is running already */
	const char *state_dir;    /* this device's directory (keys, pinned host key);
				   * NULL: bf_statedir_path() */
	const char *agent_bin;    /* bfagent to copy; NULL: $BFCTL_AGENT, else bfagent next
				   * to /proc/self/exe, else $(libexecdir)/bfctl/bfagent */
	const char *user;         /* SSH user on the DPU; NULL: "root" */
	const char *host_addr;    /* tmfifo_net host side; NULL: "192.168.100.1" (/30) */
	const char *dpu_addr;     /* NULL: "192.168.100.2" */
	double timeout_s;         /* whole run; 0: 3600 */
	double ssh_timeout_s;     /* handoff: wait for SSH after "DPU is ready"; 0: 300 */
	bool reinstall;           /* install even when the same BFB version runs */
	bool force_platform;      /* as bfctl install --force-platform */
	/* Each event, in order, from the calling thread. May be NULL. */
	void (*on_event)(void *ctx, const struct bf_provision_event *ev);
	/* Before each step: true skips it (done in an earlier run, per the
	 * caller's journal). May be NULL. A skipped install keeps the pin
	 * made then (state_dir). */
	bool (*skip_step)(void *ctx, const char *device, enum bf_provision_step step);
	void *ctx;
	/* Checked at every poll: non-zero stops the run (-EINTR, exit 130). */
	const volatile sig_atomic_t *stop;
};

struct bf_provision_result {
	int exit_code;                    /* 0 verified; else error.h BF_EXIT_* */
	int err;                          /* 0 or -errno */
	enum bf_provision_step failed;    /* valid when exit_code != 0 */
	char message[512];                /* what happened (names the device) */
	char hint[256];                   /* what to do next */
	enum bf_provision_status status[BF_PROV_NSTEPS];
	double seconds[BF_PROV_NSTEPS];
	unsigned agent_changes;           /* objects bfagent created/changed/removed */
};

/* The whole flow for one device. Returns res->exit_code. */
int bf_provision_run(const struct bf_provision_opts *o, struct bf_provision_result *res);

/* Day 2: SSH to an installed DPU (pinned key) and run bfagent VERB
 * ("plan", "apply", "status") with the profile (NULL for status without
 * one); its JSON lines come as BF_PROV_EV_AGENT events of step "agent".
 * Returns res->exit_code. */
int bf_provision_agent(const struct bf_provision_opts *o, const char *verb,
		       struct bf_provision_result *res);

/* Pass on one JSON line bfagent printed (a BF_PROV_EV_AGENT event's text)
 * to the event stream. JSON mode: the event agent_NAME (bfagent's object
 * events as object), its own event, time and device keys dropped (the
 * printer writes them), with "stage": "agent" and the device added unless
 * the thread's events carry one already (bf_event_set_device). Human mode:
 * its verdict or action, kind, id and reason on one line, after "DEVICE: "
 * when the thread has no device. A line that is not a JSON object is
 * dropped. */
void bf_provision_agent_emit(const char *device, const char *text);

/* Print one event of a provision run: `step` (status "started" at the
 * start, then done, unchanged, skipped or failed with seconds), `info`,
 * `log`, and bfagent's events through bf_provision_agent_emit. The device
 * is printed unless the thread's events carry one already. */
void bf_provision_print_event(const struct bf_provision_event *ev);

#endif
