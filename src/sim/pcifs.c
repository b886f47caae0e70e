/* pcifs.c - the simulated device over pci for `bfsim run --transport pci`. */
#include "config.h"
#include "host.h"
#include "error.h"

#include <errno.h>

static int pcifs_start(struct bf_sim_host *h, void **ctx)
{
	(void)h;
	(void)ctx;
	return bf_error_ret(ENOTSUP, "bfsim: the pci transport is not built yet");
}

const struct bf_sim_transport bf_sim_transport_pci = {
	.name = "pci",
	.start = pcifs_start,
};
