/* cfgcheck.h - checking a bf.cfg against the key database (bf_cfgcheck_*):
 * errors (syntax, wrong type, out of range, malformed hash), warnings
 * (unknown key with a suggestion, plaintext or weak password, command
 * substitution, commands, keys the installer overrides) and notes (hooks:
 * code that runs as root on the DPU). Never executes anything. */
#ifndef BF_CFGCHECK_H
#define BF_CFGCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "bfcfg.h"
#include "cfgkeys.h"

enum bf_cfgdiag_sev { BF_CFGDIAG_ERROR, BF_CFGDIAG_WARNING, BF_CFGDIAG_NOTE };

struct bf_cfgdiag {
	enum bf_cfgdiag_sev sev;
	struct bf_bfcfg_pos pos;
	char key[64];
	char msg[320];
};

struct bf_cfgcheck {
	struct bf_cfgdiag *d;
	size_t n, cap;
	unsigned errors, warnings, notes;
	unsigned plaintext;            /* plaintext passwords where a hash belongs */
	struct bf_bfcfg *cfg;          /* NULL after a syntax error */
};

/* Check buf. 0 (diagnostics in out, possibly errors) or -ENOMEM/-EFBIG. */
int bf_cfgcheck_run(const struct bf_cfgkeys *keys, const char *buf, size_t len, struct bf_cfgcheck *out);
void bf_cfgcheck_free(struct bf_cfgcheck *c);
/* One diagnostic through the printer: a "cfg_diag" event, and in text mode
 * (when text) the line FILE:LINE:COL: SEVERITY: MESSAGE on stdout. */
void bf_cfgdiag_print(const char *path, const struct bf_cfgdiag *d, bool text);
const char *bf_cfgdiag_sev_name(enum bf_cfgdiag_sev s);

/* A bf.cfg about to be installed (bfctl install, bfb-install): read path,
 * check it, log every diagnostic as PATH:LINE:COL: message (notes only at
 * -v). Refused (-EBADMSG, with a sentence) when it has errors, unless
 * BF_CFGCHECK_FORCE, or a plaintext password where the installer wants a
 * hash (ubuntu_PASSWORD), unless BF_CFGCHECK_ALLOW_PLAINTEXT; either
 * override is warned about. Also -EINVAL (empty) or the read's -errno. */
#define BF_CFGCHECK_FORCE           1u
#define BF_CFGCHECK_ALLOW_PLAINTEXT 2u
int bf_cfgcheck_install_file(const char *path, unsigned flags);

#endif
