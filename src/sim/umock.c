/* umock.c - the simulated device over usb for `bfsim run --transport usb`. */
#include "config.h"
#include "host.h"
#include "error.h"

#include <errno.h>

static int umock_start(struct bf_sim_host *h, void **ctx)
{
	(void)h;
	(void)ctx;
	return bf_error_ret(ENOTSUP, "bfsim: the usb transport is not built yet");
}

const struct bf_sim_transport bf_sim_transport_usb = {
	.name = "usb",
	.start = umock_start,
};
