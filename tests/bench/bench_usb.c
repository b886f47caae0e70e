/* bench_usb.c - boot-stream push over USB in the simulator's USB timing
 * model (src/sim/usbdev.h), on the virtual clock, for two host policies
 * (tests/common/usbrig.h): bfctl's (src/lib/rshim/usbflow.h) and the
 * upstream daemon's BF3 loop (implemented in the rig only). Prints
 *   BENCH push_usb bfctl=<fraction> upstream=<fraction> overflow_bfctl=<bytes>
 *         overflow_upstream=<bytes> reads_per_mib=<n> link_mib_s=<l> mib=<n>
 * fractions of the modelled link limit (link_bps), both policies on the same
 * BF3 model in one run.
 * Usage: bench_usb [MIB] (default 32). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_bundle.h"
#include "fileio.h"
#include "usbrig.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32, len;
	char path[] = "/tmp/bfctl-bench-usb.XXXXXX";
	uint64_t reads, ov_b, ov_u;
	struct bf_sim_config cfg;
	double tb, tu, link;
	struct usbrig g;
	char *data;
	int fd, r;

	if ((fd = mkstemp(path)) < 0)
		return 1;
	close(fd);
	r = bench_bundle(path, (const uint8_t[]){ 62 }, (const uint64_t[]){ (uint64_t)mib << 20 }, 1);
	if (r == 0)
		r = bf_file_read_all(path, (size_t)(mib + 1) << 20, &data, &len);
	unlink(path);
	if (r < 0) {
		fprintf(stderr, "bench_usb: cannot make the bundle: %s\n", strerror(-r));
		return 1;
	}
	bf_sim_config_defaults(&cfg);
	link = (double)cfg.link_bps;
	if (usbrig_open(&g, BF_CHIP_BF3, 0, 0, (const uint8_t *)data, len) < 0 ||
	    usbrig_push_bfctl(&g, ~0u) != (int64_t)len) {
		fprintf(stderr, "bench_usb: bfctl policy run failed\n");
		return 1;
	}
	tb = usbrig_elapsed(&g);
	reads = g.reads;
	ov_b = usbrig_close(&g);
	if (usbrig_open(&g, BF_CHIP_BF3, 0, 0, (const uint8_t *)data, len) < 0 ||
	    usbrig_push_upstream(&g) != (int64_t)len) {
		fprintf(stderr, "bench_usb: upstream policy run failed\n");
		return 1;
	}
	tu = usbrig_elapsed(&g);
	ov_u = usbrig_close(&g);
	printf("BENCH push_usb bfctl=%.3f upstream=%.3f overflow_bfctl=%llu overflow_upstream=%llu "
	       "reads_per_mib=%.0f link_mib_s=%.1f mib=%zu\n",
	       (double)len / tb / link, (double)len / tu / link, (unsigned long long)ov_b,
	       (unsigned long long)ov_u, (double)reads / ((double)len / 1048576.0), link / 1048576.0, mib);
	free(data);
	return 0;
}
