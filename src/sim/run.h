/* run.h - `bfsim run` and `bfsim serve` (run.c), and their simulated BMCs
 * (run_bmc.c). */
#ifndef BF_SIM_RUN_H
#define BF_SIM_RUN_H

#include <limits.h>
#include <stdbool.h>

#include "bmc.h"
#include "cli.h"
#include "host.h"
#include "simproto.h"

int bf_sim_cmd_run(int argc, char **argv);
int bf_sim_cmd_serve(int argc, char **argv);

/* The BMC options, shared by run and serve. */
enum { BF_SIM_OPT_BMC = BF_OPT_FIRST_CMD + 64, BF_SIM_OPT_BMC_PW, BF_SIM_OPT_BMC_PW_FILE,
       BF_SIM_OPT_FAULT_BMC };
#define BF_SIM_BMC_LONGOPTS \
	{ "bmc", required_argument, NULL, BF_SIM_OPT_BMC }, \
	/* refused, by its exact name (else getopt would take it for a prefix \
	 * of --bmc-password-file): a password in argv is anyone's to read */ \
	{ "bmc-password", required_argument, NULL, BF_SIM_OPT_BMC_PW }, \
	{ "bmc-password-file", required_argument, NULL, BF_SIM_OPT_BMC_PW_FILE }
#define BF_SIM_BMC_USAGE \
	"      --bmc L          serve each device's BMC (Redfish) on L: https://ADDR:PORT\n" \
	"                       (self-signed certificate in $BFSIM_BMC_CACERT) or\n" \
	"                       http://ADDR:PORT; device i on PORT+i (repeatable);\n" \
	"                       its faults: --fault bmc-auth[=password-change],\n" \
	"                       bmc-busy, bmc-reboot-during=transfer|boot,\n" \
	"                       bmc-pull-fail, bmc-identical\n" \
	"      --bmc-password-file F  the BMC password of root (or $BFSIM_BMC_PASSWORD)\n"

struct bf_sim_run_bmc {
	struct bf_sim_bmc_opts o;
	const char *pw_file;
	struct bf_sim_bmc *b[BF_SIMPROTO_MAX_DEVICES];
	char cacert[PATH_MAX];       /* "" without HTTPS */
};

/* A BMC option (opt BF_SIM_OPT_*; BF_SIM_OPT_FAULT_BMC for any --fault
 * value): true when it was one (usage error when malformed). */
bool bf_sim_run_bmc_option(struct bf_sim_run_bmc *rb, int opt, const char *arg);
/* After the options: the password (usage error without one when --bmc). */
void bf_sim_run_bmc_ready(struct bf_sim_run_bmc *rb);
/* One BMC per device; the certificate in scratch, $BFSIM_BMC_CACERT set. */
int bf_sim_run_bmc_start(struct bf_sim_run_bmc *rb, struct bf_sim_host *devs, unsigned n, const char *scratch);
void bf_sim_run_bmc_stop(struct bf_sim_run_bmc *rb);

#endif
