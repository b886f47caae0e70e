/* bench_fw.c - a NIC firmware burn in the simulator's time model: bfctl's
 * burn (fw/burn.c) through the config-space path into the simulated NIC on
 * the virtual clock, where each config-space access takes ACCESS_NS
 * (default 2000: a pread/pwrite of sysfs "config" reaching the device) and
 * the firmware takes its modelled time per command (nic_int.h: 5 us a
 * command, flash programming 4 MB/s, erase 64 MB/s, digest 400 MB/s).
 * Prints
 *   BENCH fw_burn cfg_accesses_per_kib=<n> seconds_32mib=<s> chunk=<bytes>
 *         icmd_per_kib=<n> access_ns=<ns> mib=<image MiB>
 * where seconds_32mib is the simulated time of the whole burn scaled to a
 * 32 MiB image. Usage: bench_fw [MIB] (default 32). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fw/burn.h"
#include "fw/dev.h"
#include "nic.h"
#include "sim.h"

static int io_read(void *ctx, uint32_t off, void *buf, size_t len) { return bf_sim_nic_cfg_read(ctx, off, buf, len); }
static int io_write(void *ctx, uint32_t off, const void *buf, size_t len) { return bf_sim_nic_cfg_write(ctx, off, buf, len); }
static void io_sleep(void *ctx, uint64_t ns) { bf_sim_nic_sleep(ctx, ns); }
static uint64_t io_now(void *ctx) { return (uint64_t)(bf_sim_time(bf_sim_nic_sim(ctx)) * 1e9); }

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32, len;
	const char *ans = getenv("BENCH_FW_ACCESS_NS");
	struct bf_fw_image_hdr h = { .hw_dev_id = 0x21c, .version = 0x202903e8, .date_bcd = 0x20240428,
				     .psid = "MT_0000000884", .product = "32.41.1000" };
	struct bf_fw_burn_opts o = { 0 };
	struct bf_fw_burn_result res;
	struct bf_sim_config cfg;
	struct bf_fw_pci_io io = { .read = io_read, .write = io_write, .sleep = io_sleep, .now = io_now };
	struct bf_fw_dev *d;
	struct bf_sim *s;
	uint8_t *img;
	double t0, secs, kib;
	int r;

	if (!mib || mib > 60)
		mib = 32;
	h.payload_len = (uint32_t)(mib << 20) - BF_FW_IMAGE_HDR_SIZE;
	if (bf_fw_image_make(&h, &img, &len) < 0)
		return 1;
	bf_sim_config_defaults(&cfg);
	cfg.chip = bf_chip_get(BF_CHIP_BF3);
	cfg.virtual_access_ns = ans && *ans ? strtoull(ans, NULL, 10) : 2000;
	if (!cfg.virtual_access_ns)
		cfg.virtual_access_ns = 1;
	if (bf_sim_open(&cfg, &s) < 0)
		return 1;
	io.ctx = bf_sim_nic_get(s, 0);
	if ((r = bf_fw_dev_open_io(&io, "0000:03:00.0", &d)) < 0) {
		fprintf(stderr, "bench_fw: %s\n", bf_error_get() ? bf_error_get() : "cannot open the NIC");
		return 1;
	}
	t0 = bf_sim_time(s);
	r = bf_fw_burn(d, img, len, &o, &res);
	secs = bf_sim_time(s) - t0;
	if (r < 0) {
		fprintf(stderr, "bench_fw: %s\n", bf_error_get() ? bf_error_get() : "burn failed");
		return 1;
	}
	kib = (double)len / 1024.0;
	printf("BENCH fw_burn cfg_accesses_per_kib=%.0f seconds_32mib=%.1f chunk=%u icmd_per_kib=%.2f access_ns=%llu mib=%zu\n",
	       (double)res.accesses / kib, secs * 32.0 / (double)mib, res.chunk, (double)res.commands / kib,
	       (unsigned long long)cfg.virtual_access_ns, mib);
	bf_fw_dev_close(d);
	bf_sim_close(s);
	free(img);
	return 0;
}
