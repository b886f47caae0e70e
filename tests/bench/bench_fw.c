/* bench_fw.c - a NIC firmware burn in the simulator's time model: bfctl's
 * burn (fw/burn.c) through the config-space path into the simulated NIC on
 * the virtual clock, where each config-space access takes ACCESS_NS
 * (default 2000: a pread/pwrite of sysfs "config" reaching the device) and
 * the firmware takes its modelled time per command (nic_int.h: 5 us a
 * command, flash programming 4 MB/s, erase 64 MB/s, digest 400 MB/s).
 * Prints, for access times of 250, 500, 1000 and 2000 ns,
 *   BENCH fw_burn_grid access_ns=<ns> seconds_32mib=<s> fraction_of_limit=<f>
 * then, at BENCH_FW_ACCESS_NS (default 2000),
 *   BENCH fw_burn cfg_accesses_per_kib=<n> seconds_32mib=<s> chunk=<bytes>
 *         icmd_per_kib=<n> polls_per_icmd=<n> access_ns=<ns> mib=<image MiB>
 * and the device's own floor, what the burn would take with accesses that
 * cost nothing: programming at the modelled flash rate, each command's
 * execution, the erase at INITIALIZE and the digest at VERIFY,
 *   BENCH fw_burn_limit flash_mb_s=<rate> seconds_32mib=<s>
 * where seconds_32mib is the simulated time of the whole burn scaled to a
 * 32 MiB image and fraction_of_limit the floor divided by it. Usage:
 * bench_fw [MIB] (default 32). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fw/burn.h"
#include "fw/dev.h"
#include "nic.h"
#include "nic_int.h"
#include "sim.h"

static int io_read(void *ctx, uint32_t off, void *buf, size_t len) { return bf_sim_nic_cfg_read(ctx, off, buf, len); }
static int io_write(void *ctx, uint32_t off, const void *buf, size_t len) { return bf_sim_nic_cfg_write(ctx, off, buf, len); }
static void io_sleep(void *ctx, uint64_t ns) { bf_sim_nic_sleep(ctx, ns); }
static uint64_t io_now(void *ctx) { return (uint64_t)(bf_sim_time(bf_sim_nic_sim(ctx)) * 1e9); }

struct run {
	double secs, acc_per_kib, cmd_per_kib, polls_per_cmd;
	uint32_t chunk;
};

static int burn_once(const uint8_t *img, size_t len, uint64_t access_ns, struct run *out)
{
	struct bf_fw_pci_io io = { .read = io_read, .write = io_write, .sleep = io_sleep, .now = io_now };
	struct bf_fw_burn_opts o = { 0 };
	struct bf_fw_burn_result res;
	struct bf_sim_config cfg;
	struct bf_fw_dev *d;
	struct bf_sim *s;
	uint64_t polls0;
	double t0, kib = (double)len / 1024.0;
	int r;

	bf_sim_config_defaults(&cfg);
	cfg.chip = bf_chip_get(BF_CHIP_BF3);
	cfg.virtual_access_ns = access_ns ? access_ns : 1;
	if (bf_sim_open(&cfg, &s) < 0)
		return -1;
	io.ctx = bf_sim_nic_get(s, 0);
	if ((r = bf_fw_dev_open_io(&io, "0000:03:00.0", &d)) < 0) {
		fprintf(stderr, "bench_fw: %s\n", bf_error_get() ? bf_error_get() : "cannot open the NIC");
		bf_sim_close(s);
		return -1;
	}
	t0 = bf_sim_time(s);
	polls0 = d->icmd.polls;
	r = bf_fw_burn(d, img, len, &o, &res);
	out->secs = bf_sim_time(s) - t0;
	if (r < 0)
		fprintf(stderr, "bench_fw: %s\n", bf_error_get() ? bf_error_get() : "burn failed");
	out->acc_per_kib = (double)res.accesses / kib;
	out->cmd_per_kib = (double)res.commands / kib;
	out->polls_per_cmd = res.commands ? (double)(d->icmd.polls - polls0) / (double)res.commands : 0;
	out->chunk = res.chunk;
	bf_fw_dev_close(d);
	bf_sim_close(s);
	return r < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const uint64_t grid[] = { 250, 500, 1000, 2000 };
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 32, len, i, chunks;
	const char *ans = getenv("BENCH_FW_ACCESS_NS");
	uint64_t access_ns = ans && *ans ? strtoull(ans, NULL, 10) : 2000;
	struct bf_fw_image_hdr h = { .hw_dev_id = 0x21c, .version = 0x202903e8, .date_bcd = 0x20240428,
				     .psid = "MT_0000000884", .product = "32.41.1000" };
	struct run r;
	uint8_t *img;
	double scale, floor_s;

	if (!mib || mib > 60)
		mib = 32;
	h.payload_len = (uint32_t)(mib << 20) - BF_FW_IMAGE_HDR_SIZE;
	if (bf_fw_image_make(&h, &img, &len) < 0)
		return 1;
	scale = 32.0 / (double)mib;
	/* The device alone (nic_int.h): every MCDA command's execution and
	 * programming, the erase, the digest, the activation. */
	chunks = (len + BF_FW_MCDA_DATA_MAX - 1) / BF_FW_MCDA_DATA_MAX;
	floor_s = (double)chunks * NIC_T_CMD + (double)len / NIC_FLASH_BPS + 0.02 + (double)len / NIC_ERASE_BPS +
		  (double)len / NIC_VERIFY_BPS + NIC_T_ACTIVATE;
	for (i = 0; i < sizeof(grid) / sizeof(grid[0]); i++) {
		if (burn_once(img, len, grid[i], &r) < 0)
			return 1;
		printf("BENCH fw_burn_grid access_ns=%llu seconds_32mib=%.1f fraction_of_limit=%.2f\n",
		       (unsigned long long)grid[i], r.secs * scale, floor_s / r.secs);
	}
	if (burn_once(img, len, access_ns, &r) < 0)
		return 1;
	printf("BENCH fw_burn cfg_accesses_per_kib=%.0f seconds_32mib=%.1f chunk=%u icmd_per_kib=%.2f "
	       "polls_per_icmd=%.2f access_ns=%llu mib=%zu\n", r.acc_per_kib, r.secs * scale, r.chunk, r.cmd_per_kib,
	       r.polls_per_cmd, (unsigned long long)access_ns, mib);
	printf("BENCH fw_burn_limit flash_mb_s=%.1f seconds_32mib=%.1f\n", NIC_FLASH_BPS / 1e6, floor_s * scale);
	free(img);
	return 0;
}
