/* fuzz_usbtiming.c - libFuzzer target: BFSIM_USB_TIMING, the USB link
 * timing a user gives bfsim ("ctl_us=250,sample_at=0.25,..."), through
 * its parser (src/sim/usbdev.c). Whatever the text, the parser either
 * refuses it (-EINVAL) or leaves every figure finite and within its
 * range. Seeds: made in code (bf_fuzz_seed). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smoke.h"
#include "usbdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int bad(double v, double hi)
{
	return !isfinite(v) || v < 0 || v > hi;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1);
	struct bf_sim_usb_timing t;
	int r;

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	bf_sim_usb_timing_defaults(&t);
	r = bf_sim_usb_timing_parse(&t, spec);
	if (r != 0 && r != -EINVAL)
		__builtin_trap();
	if (r == 0 && (bad(t.link_bps, 1e15) || bad(t.uframe_s, 1e3) || t.uframe_s <= 0 ||
		       bad(t.ctl_s, 1e3) || bad(t.ctl_bus_s, t.ctl_s) || bad(t.done_s, 1e3) ||
		       bad(t.sample_at, 1) || bad(t.done_jitter_s, 1e3) || t.uframe_pkts < 1 ||
		       t.uframe_pkts > 1000))
		__builtin_trap();
	free(spec);
	return 0;
}

#ifndef BF_FUZZ_LIBFUZZER
void bf_fuzz_seed(void)
{
	static const char *const seeds[] = {
		"ctl_us=250,link_mb_s=32.8",
		"uframe_us=125,uframe_pkts=13,ctl_us=125,ctl_bus_us=2,done_us=40",
		"sample_at=0.25,done_jitter_us=20",
		"sample_at=1.5", "ctl_us=1e400", "ctl_us=nan", "uframe_pkts=0.5", "=1", "ctl_us", ",",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		bf_fuzz_add_seed(seeds[i], strlen(seeds[i]));
}
#endif
