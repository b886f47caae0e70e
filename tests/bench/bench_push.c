/* bench_push.c - push throughput into the in-process simulator as a
 * fraction of its modelled link limit. Prints
 *   BENCH push_sim fraction=<f> mib_s=<r> link_mib_s=<l> bytes=<n> note=paced_by_the_simulator_close_to_1_by_construction
 * The simulated device paces the bulk path itself (bf_sim_boot_write takes
 * only free space at link_bps), so the fraction is close to 1 by
 * construction: it shows the host's overhead, not a policy. The USB push
 * policies are told apart by bench_usb (push_usb_grid).
 * Usage: bench_push [MIB] (default 64). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_bundle.h"
#include "boot.h"
#include "clock.h"
#include "error.h"
#include "rshim.h"
#include "sim.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	char path[] = "/tmp/bfctl-bench-push.XXXXXX";
	struct bf_boot_opts o = { .stall_timeout_s = 60 };
	struct bf_sim_config cfg;
	const char *paths[1] = { path };
	struct bf_rshim *r;
	uint64_t pushed, t0, t1;
	double secs, rate, link;
	int fd, ret;

	fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	if ((ret = bench_bundle(path, (const uint8_t[]){ 62 }, (const uint64_t[]){ (uint64_t)mib << 20 }, 1)) < 0) {
		fprintf(stderr, "bench_push: cannot write %s: %s\n", path, strerror(-ret));
		return 1;
	}
	bf_sim_config_defaults(&cfg);
	bf_sim_config_from_env(&cfg);
	bf_sim_config_to_env(&cfg);
	if ((ret = bf_rshim_open("sim:0", &r)) < 0 || (ret = bf_boot_reset(r)) < 0) {
		fprintf(stderr, "bench_push: %s\n", bf_error_get() ? bf_error_get() : strerror(-ret));
		unlink(path);
		return 1;
	}
	t0 = bf_clock_ns();
	ret = bf_boot_push_files(r, paths, 1, &o, &pushed);
	t1 = bf_clock_ns();
	bf_rshim_close(r);
	unlink(path);
	if (ret < 0) {
		fprintf(stderr, "bench_push: push failed: %s\n", bf_error_get() ? bf_error_get() : strerror(-ret));
		return 1;
	}
	/* Rates in simulated time: real seconds times the speed factor. */
	secs = (double)(t1 - t0) / 1e9 * cfg.speed;
	rate = (double)pushed / secs;
	link = (double)(cfg.link_bps < cfg.drain_bps ? cfg.link_bps : cfg.drain_bps);
	printf("BENCH push_sim fraction=%.3f mib_s=%.1f link_mib_s=%.1f bytes=%llu "
	       "note=paced_by_the_simulator_close_to_1_by_construction\n",
	       rate / link, rate / 1048576.0, link / 1048576.0, (unsigned long long)pushed);
	return 0;
}
