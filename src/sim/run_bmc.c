/* run_bmc.c - the simulated BMCs of `bfsim run` and `bfsim serve`: their
 * options (--bmc, --bmc-password-file, --fault bmc-...), the password,
 * and one BMC per device (bmc.c). */
#include "config.h"
#include "cli.h"
#include "error.h"
#include "run.h"
#include "secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool bf_sim_run_bmc_option(struct bf_sim_run_bmc *rb, int opt, const char *arg)
{
	int r;

	switch (opt) {
	case BF_SIM_OPT_FAULT_BMC:   /* any --fault: true when it is the BMC's */
		if ((r = bf_sim_bmc_add_fault(&rb->o, arg)) < 0)
			bf_cli_usage_error("%s", bf_error_get());
		return r > 0;
	case BF_SIM_OPT_BMC:
		if (rb->o.nlisten == BF_SIM_BMC_MAX_LISTEN || strlen(arg) >= sizeof(rb->o.listen[0]))
			bf_cli_usage_error("--bmc is given at most %d times, each shorter than %zu bytes",
					   BF_SIM_BMC_MAX_LISTEN, sizeof(rb->o.listen[0]));
		snprintf(rb->o.listen[rb->o.nlisten++], sizeof(rb->o.listen[0]), "%s", arg);
		return true;
	case BF_SIM_OPT_BMC_PW:   /* its value is never repeated */
		bf_cli_usage_error("--bmc-password is not accepted: every local user can read a command line; "
				   "put the password in a file (--bmc-password-file F) or in $BFSIM_BMC_PASSWORD");
		return true;
	case BF_SIM_OPT_BMC_PW_FILE:
		rb->pw_file = arg;
		return true;
	default:
		return false;
	}
}

void bf_sim_run_bmc_ready(struct bf_sim_run_bmc *rb)
{
	if (!rb->o.nlisten)
		return;
	if (bf_secret_get("BFSIM_BMC_PASSWORD", rb->pw_file, NULL, rb->o.password, sizeof(rb->o.password)) < 0)
		bf_cli_usage_error("--bmc: %s (BFSIM_BMC_PASSWORD or --bmc-password-file)", bf_error_get());
	/* COMMAND does not inherit it. */
	unsetenv("BFSIM_BMC_PASSWORD");
}

int bf_sim_run_bmc_start(struct bf_sim_run_bmc *rb, struct bf_sim_host *devs, unsigned n, const char *scratch)
{
	unsigned i;
	int r;

	if (!rb->o.nlisten)
		return 0;
	snprintf(rb->o.cert_dir, sizeof(rb->o.cert_dir), "%s", scratch);
	for (i = 0; i < n && i < BF_SIMPROTO_MAX_DEVICES; i++)
		if ((r = bf_sim_bmc_start(&devs[i], i, &rb->o, &rb->b[i])) < 0)
			return r;
	snprintf(rb->cacert, sizeof(rb->cacert), "%s/bmc0-cert.pem", scratch);
	if (access(rb->cacert, R_OK) == 0)
		setenv("BFSIM_BMC_CACERT", rb->cacert, 1);
	else
		rb->cacert[0] = '\0';
	return 0;
}

void bf_sim_run_bmc_stop(struct bf_sim_run_bmc *rb)
{
	unsigned i;

	for (i = 0; i < BF_SIMPROTO_MAX_DEVICES; i++) {
		bf_sim_bmc_stop(rb->b[i]);
		rb->b[i] = NULL;
	}
	bf_secret_wipe(rb->o.password, sizeof(rb->o.password));
}
