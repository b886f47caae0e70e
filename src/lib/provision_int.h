/* provision_int.h - the parts of bf_provision_* shared by its files (not
 * a public API; provision.h is). */
#ifndef BF_PROVISION_INT_H
#define BF_PROVISION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "provision.h"

struct bf_profile;
struct bf_rshim;
struct bf_prov_link;

#define BF_PROV_FP_MAX     96     /* "SHA256:" + 43 base64 characters, with room */
#define BF_PROV_PUB_MAX    256    /* "ssh-ed25519 AAAA... comment" */
#define BF_PROV_HOSTKEY_TAG "bfctl-hostkey "   /* the bfrshlog line: TAG SHA256:... */
#define BF_PROV_REMOTE_DIR "/opt/bfctl"
#define BF_PROV_VERSION_FILE "/var/lib/bfctl/bfb-version"

/* One run: the options, the result, and the step in progress. */
struct bf_prov {
	const struct bf_provision_opts *o;
	struct bf_provision_result *res;
	enum bf_provision_step step;
	char state_dir[4096];
	char fp[BF_PROV_FP_MAX];          /* the pinned host key fingerprint */
	char pub[BF_PROV_PUB_MAX];        /* our public key, one line */
	char bfb_version[160];            /* what the BFB's inventory says */
	char ifname[32];                  /* tmfifo_net<N> */
	struct bf_prov_link *link;        /* our own tmfifo link, or NULL */
	struct bf_rshim *r;
	double t_end;                     /* monotonic deadline, seconds */
};

/* provision.c */
void bf_prov_info(struct bf_prov *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bf_prov_emit(struct bf_prov *p, const struct bf_provision_event *ev);
/* Record the failure (first one wins) and return exit_code. */
int bf_prov_fail(struct bf_prov *p, int exit_code, int err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
bool bf_prov_stopped(const struct bf_prov *p);
double bf_prov_left(const struct bf_prov *p);

/* provision_keys.c: the device's key pair and the pinned host key. */
int bf_prov_keys_ensure(struct bf_prov *p);           /* fills p->pub; 0 or exit code */
int bf_prov_pin_load(struct bf_prov *p);              /* p->fp; 0, -ENOENT, -errno */
int bf_prov_pin_save(struct bf_prov *p, const char *fp);
/* "SHA256:" and 43 base64 characters. */
bool bf_prov_fp_valid(const char *fp);
/* The fingerprint from a RShim log record's text, or false. */
bool bf_prov_fp_from_log(const char *text, char *fp, size_t cap);

/* provision_bfcfg.c: bf.cfg from the profile plus the hand-off hooks,
 * written in the state dir (0600); its path in out. 0 or exit code. */
int bf_prov_bfcfg_write(struct bf_prov *p, const struct bf_profile *prof, char *out, size_t cap);

/* provision_fw.c: the firmware: layer; *changed when something was written. 0 or exit code. */
int bf_prov_firmware(struct bf_prov *p, const struct bf_profile *prof, bool *changed);

/* provision_install.c */
int bf_prov_install(struct bf_prov *p, const struct bf_profile *prof);
int bf_prov_bfb_version(struct bf_prov *p);

/* provision_link.c: tmfifo_net on the host: rshimd's, or our own. */
int bf_prov_link_up(struct bf_prov *p);
void bf_prov_link_down(struct bf_prov *p);
/* The device behind tmfifo_net vanished from the host (the library's pump
 * reads ENODEV; rshimd's interface is gone). */
bool bf_prov_link_gone(const struct bf_prov *p);
/* After a lost SSH connection: whether the device left the host, waiting
 * (said, bounded) for rshimd's grace period to tell. */
bool bf_prov_link_gone_wait(struct bf_prov *p);

/* provision_ssh.c */
struct bf_prov_ssh;
int bf_prov_ssh_open(struct bf_prov *p, double wait_s, struct bf_prov_ssh **out);
void bf_prov_ssh_close(struct bf_prov_ssh *s);
/* Run cmd; stdin from in (may be NULL), each stdout line to on_line,
 * stderr kept (last lines) in err. Exit status in *status. 0 or exit code. */
int bf_prov_ssh_exec(struct bf_prov *p, struct bf_prov_ssh *s, const char *cmd,
		     const void *in, size_t inlen, void (*on_line)(struct bf_prov *p, const char *line),
		     char *out, size_t outcap, int *status);

/* What bfagent's JSON lines say (a line of DPU output: any bytes). */
struct bf_prov_tally {
	unsigned drift, changes, failed;
	bool summary;
};
/* true when line is a JSON object (an event to pass on). */
bool bf_prov_tally_line(struct bf_prov_tally *t, const char *line);

/* provision_agent.c: bfagent VERB over s (copy: bfagent and the profile
 * first). prof may be NULL for status. 0 or exit code. */
int bf_prov_agent_run(struct bf_prov *p, struct bf_prov_ssh *s, const struct bf_profile *prof, const char *verb,
		      bool copy);

#endif
