/* bench_push.c - push throughput into a simulated device as a fraction of
 * its modelled link limit, through the sim backend and bfsim's socket
 * protocol (the server runs in this process, on its own threads, as in
 * bfsim). Prints
 *   BENCH push_sim fraction=<f> mib_s=<r> link_mib_s=<l> bytes=<n> note=paced_by_the_simulator_close_to_1_by_construction
 * The simulated device paces the bulk path itself (it takes only what its
 * FIFO and link_bps allow), so the fraction is close to 1 by construction:
 * it shows the host's and the socket's overhead, not a policy. The USB push
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
#include "host.h"
#include "serve.h"
#include "sim.h"
#include "simproto.h"

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	char path[] = "/tmp/bfctl-bench-push.XXXXXX";
	struct bf_boot_opts o = { .stall_timeout_s = 60 };
	struct bf_sim_config cfg;
	const char *paths[1] = { path };
	struct bf_sim_host dev = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct bf_sim_server *srv;
	char dir[] = "/tmp/bfctl-bench-sock.XXXXXX", sock[64];
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
	if (!mkdtemp(dir) || bf_sim_open(&cfg, &dev.sim) < 0) {
		fprintf(stderr, "bench_push: cannot start the simulated device\n");
		unlink(path);
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	if ((ret = bf_sim_serve_start(&dev, 1, NULL, sock, &srv)) < 0) {
		fprintf(stderr, "bench_push: %s\n", bf_error_get() ? bf_error_get() : strerror(-ret));
		unlink(path);
		return 1;
	}
	setenv(BF_SIMPROTO_ENV, sock, 1);
	setenv("BFCTL_RUNDIR", dir, 1);
	if ((ret = bf_rshim_open("sim:0", &r)) < 0 || (ret = bf_boot_reset(r)) < 0) {
		fprintf(stderr, "bench_push: %s\n", bf_error_get() ? bf_error_get() : strerror(-ret));
		unlink(path);
		return 1;
	}
	t0 = bf_clock_ns();
	ret = bf_boot_push_files(r, paths, 1, &o, &pushed);
	/* Done when the device answers the next request (the link has
	 * carried the last transfer). */
	if (ret == 0)
		ret = bf_rshim_rd(r, r->chip->r.scratchpad1, &(uint64_t){ 0 });
	t1 = bf_clock_ns();
	bf_rshim_close(r);
	bf_sim_serve_stop(srv);
	bf_sim_close(dev.sim);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);   /* the socket's directory and the lock */
		if (system(cmd) != 0)
			fprintf(stderr, "bench_push: cannot remove %s\n", dir);
	}
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
