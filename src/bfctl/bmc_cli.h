/* bmc_cli.h - bfctl's side of a BMC (bf_bmc_cli_*): the connection from
 * --bmc https://USER@HOST[:PORT], the password (BFCTL_BMC_PASSWORD,
 * --password-file or a prompt; never the command line), requests whose
 * failures are reported with the documented exit codes, and the install
 * through the BMC (install_bmc.c). Facts: doc/bmc.md. */
#ifndef BF_BMC_CLI_H
#define BF_BMC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "redfish.h"
#include "rfclient.h"

enum { BF_OPT_BMC = 0x1200, BF_OPT_PASSWORD_FILE, BF_OPT_SERVE, BF_OPT_IMAGE_URI };

struct bf_bmc_cli {
	struct bf_rfclient rf;
	struct bf_deadline dl;
};

/* Parse the URL, get the password, set the deadline. 0, or the failure
 * reported and its exit code returned. */
int bf_bmc_cli_open(struct bf_bmc_cli *b, const char *url, const char *password_file, const char *cacert,
		    bool insecure, double timeout_s);
void bf_bmc_cli_close(struct bf_bmc_cli *b);

/* A request that must succeed (2xx): 0 with r filled (free it), or the
 * failure reported in the words of what ("reading the BMC's update
 * service") and its exit code returned (401/403 and busy: 4, a BMC that
 * does not come back before the deadline: 7). */
int bf_bmc_cli_call(struct bf_bmc_cli *b, const char *method, const char *path, const char *json,
		    struct bf_rfresp *r, const char *what);

/* Report a non-2xx answer (status and the BMC's message); its exit code. */
int bf_bmc_cli_fail_status(struct bf_bmc_cli *b, const struct bf_rfresp *r, const char *what);

/* Who owns the DPU's RShim now: "bmc", "host" or "none" (host disabled,
 * BMC not enabled). 0 or the exit code (reported). */
int bf_bmc_cli_rshim_owner(struct bf_bmc_cli *b, char *owner, size_t cap);
/* Hand the RShim to the BMC (host off, BMC on) or to the host, and read it
 * back (three attempts). 0 or the exit code (reported; 4 when the owner
 * does not change). */
int bf_bmc_cli_rshim_set(struct bf_bmc_cli *b, bool to_bmc);

struct bf_bmc_install {
	const char *url, *password_file, *cacert;
	bool insecure;
	const char *const *paths;   /* the BFB, then bf.cfg: served concatenated */
	size_t npaths;
	const char *serve;          /* --serve ADDR[:PORT] */
	const char *image_uri;      /* --image-uri: a server the site runs */
	double timeout_s;
};
/* bfctl install --bmc: the whole flow to a verdict; the exit code. */
int bf_bmc_install_run(const struct bf_bmc_install *in);

#endif
