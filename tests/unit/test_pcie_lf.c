/* test_pcie_lf.c - the PCIe livefish backend against the simulator's
 * config-space model of the function (src/sim/pcicfg.c), bound through
 * the config accessor on the virtual clock: register reads and writes
 * (BF2 through the Byte Access Widget, BF3 through GW_CR_64B), the BF2
 * boot FIFO holding register, a whole bundle pushed to "DPU is ready",
 * and a gateway that stays busy, pending or locked ending in -ETIMEDOUT
 * with the reason, never a hang. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "boot.h"
#include "bootlog.h"
#include "clock.h"
#include "error.h"
#include "rlog.h"
#include "rshim.h"
#include "rshim/lf_regs.h"
#include "rshim/pcie_lf.h"
#include "pcicfg.h"
#include "sim.h"

struct rig {
	struct bf_sim *s;
	struct bf_sim_lfcfg *m;
	const struct bf_chip *chip;
	struct bf_rshim *r;
	uint64_t slept_ns;       /* the backend's device-time waits */
	bool frozen;             /* sleep_ns does not advance the device's clock */
	uint64_t max_count;      /* boot FIFO words seen after a push */
};

static int rd32(void *ctx, uint32_t off, uint32_t *v)
{
	struct rig *g = ctx;
	uint8_t b[4];
	int r = bf_sim_lfcfg_read(g->m, off, b, 4);

	if (r == 0)
		*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return r;
}

static int wr32(void *ctx, uint32_t off, uint32_t v)
{
	struct rig *g = ctx;
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	int r = bf_sim_lfcfg_write(g->m, off, b, 4);
	uint64_t count;

	if (r == 0 && off == BF_LF_CFG_ADDR && g->chip->ver == BF_CHIP_BF2 &&
	    v == BF_LF_BF2_RSH_BASE + g->chip->r.boot_fifo_data) {
		bf_sim_read_reg(g->s, 1, g->chip->r.boot_fifo_count, &count);
		if (count > g->max_count)
			g->max_count = count;
	}
	return r;
}

static void sleep_dev(void *ctx, uint64_t ns)
{
	struct rig *g = ctx;

	g->slept_ns += ns;
	if (!g->frozen)
		bf_sim_advance(g->s, (double)ns / 1e9);
}

static void rig_open(struct rig *g, enum bf_chip_ver ver, unsigned poll_ms)
{
	struct bf_sim_config cfg;
	struct bf_pcie_cfg io = { .read32 = rd32, .write32 = wr32, .sleep_ns = sleep_dev,
				  .ctx = g, .poll_timeout_ms = poll_ms };

	memset(g, 0, sizeof(*g));
	bf_sim_config_defaults(&cfg);
	cfg.chip = bf_chip_get(ver);
	cfg.virtual_access_ns = 1000;   /* each register access: 1 us of simulated time */
	assert_int_equal(bf_sim_open(&cfg, &g->s), 0);
	g->chip = cfg.chip;
	g->m = bf_sim_lfcfg_new(g->s);
	assert_non_null(g->m);
	assert_int_equal(bf_rshim_pcie_lf_open_cfg(g->chip, &io, "pcie-lf-test", &g->r), 0);
	snprintf(g->r->name, sizeof(g->r->name), "pcie-lf:test");
	g->r->reset_delay_ms = 0;
}

static void rig_close(struct rig *g)
{
	bf_rshim_close(g->r);
	bf_sim_lfcfg_free(g->m);
	bf_sim_close(g->s);
}

static void test_addresses(void **state)
{
	uint32_t cr;

	(void)state;
	assert_int_equal(bf_lf_bf3_cr_addr(BF_CHAN_RSHIM, 0xc48, &cr), 0);
	assert_int_equal(cr, 0x3000c48);
	assert_int_equal(bf_lf_bf3_cr_addr(BF_CHAN_YU, 0x9bdc, &cr), 0);
	assert_int_equal(cr, 0x3409bdc);
	assert_int_equal(bf_lf_bf3_cr_addr(BF_CHAN_WDOG1, 0, &cr), 0);   /* not table-mapped, as upstream */
	assert_int_equal(cr, 0xf0000);
	assert_int_equal(bf_lf_bf3_cr_addr(0, 0x10, &cr), 0);              /* no window: global MMIO */
	assert_int_equal(cr, 0x10);
	assert_int_equal(bf_lf_bf3_cr_addr(0x1300, 0x2000, &cr), 0);       /* linear form */
	assert_int_equal(cr, 0x3002000);
	assert_int_equal(bf_lf_bf3_cr_addr(1, 0x10000, &cr), -EINVAL);
	assert_int_equal(bf_lf_baw_target(1, 0x408), 0x80010408u);
	assert_int_equal(bf_lf_baw_target(0xf, 0), 0x800f0000u);
}

/* Config header: what lspci and the scan see. */
static void test_header(void **state)
{
	struct rig g;
	uint32_t v;

	(void)state;
	rig_open(&g, BF_CHIP_BF3, 0);
	assert_int_equal(rd32(&g, 0, &v), 0);
	assert_int_equal(v, 0x021c15b3);
	assert_int_equal(rd32(&g, 8, &v), 0);
	assert_int_equal(v >> 8, 0x020000);                   /* class */
	assert_int_equal(rd32(&g, 0x34, &v), 0);
	assert_int_equal(v & 0xff, 0x40);
	assert_int_equal(rd32(&g, 0x50, &v), 0);
	assert_int_equal(v & 0xff, 0x09);                      /* the vendor capability of the gateway */
	assert_int_equal(rd32(&g, 0xffc, &v), 0);
	assert_int_equal(bf_sim_lfcfg_read(g.m, 0xffe, &v, 4), -EINVAL);   /* past the end */
	rig_close(&g);
}

static void regs(enum bf_chip_ver ver, unsigned busy_polls)
{
	struct bf_sim_lfcfg_knobs k = { .busy_polls = busy_polls };
	struct bf_sim_lfcfg_stats st;
	struct bf_sim_status ss;
	struct rig g;
	uint64_t v, direct, count0, count1;
	uint32_t sp6;

	rig_open(&g, ver, 0);
	bf_sim_lfcfg_set_knobs(g.m, &k);
	sp6 = g.chip->r.scratchpad6;
	/* 8 bytes with distinct halves: both go through (BAW / GW_CR_64B). */
	assert_int_equal(bf_rshim_write(g.r, 1, sp6, 0x1122334455667788ull), 0);
	assert_int_equal(bf_sim_read_reg(g.s, 1, sp6, &direct), 0);
	assert_int_equal(direct, 0x1122334455667788ull);
	assert_int_equal(bf_sim_write_reg(g.s, 1, sp6, 0xa5a5a5a55a5a5a5aull), 0);
	assert_int_equal(bf_rshim_read(g.r, 1, sp6, &v), 0);
	assert_int_equal(v, 0xa5a5a5a55a5a5a5aull);
	/* A power-on value the simulator keeps (FABRIC_DIM). */
	assert_int_equal(bf_rshim_read(g.r, 1, g.chip->r.fabric_dim, &v), 0);
	assert_int_equal(bf_sim_read_reg(g.s, 1, g.chip->r.fabric_dim, &direct), 0);
	assert_int_equal(v, direct);
	if (ver == BF_CHIP_BF3) {
		/* Another channel through the linear table: the OPN words (YU). */
		assert_int_equal(bf_rshim_read(g.r, BF_CHAN_YU, 0x9bdc, &v), 0);
		assert_int_equal(bf_sim_read_reg(g.s, BF_CHAN_YU, 0x9bdc, &direct), 0);
		assert_int_equal(v, direct);
		assert_true(v != 0);
	}
	/* One boot word: one FIFO entry (BF2: two 32-bit writes paired by
	 * the holding register). */
	bf_sim_get_status(g.s, &ss);
	count0 = ss.boot_bytes;
	assert_int_equal(g.r->ops->write_reg(g.r, 1, g.chip->r.boot_fifo_data, 0x0102030405060708ull), 0);
	bf_sim_get_status(g.s, &ss);
	count1 = ss.boot_bytes;
	assert_int_equal(count1, count0 + 8);
	bf_sim_lfcfg_get_stats(g.m, &st);
	assert_true(st.cr_reads > 0 && st.cr_writes > 0);
	assert_false(st.wedged);
	rig_close(&g);
}

static void test_regs_bf2(void **state) { (void)state; regs(BF_CHIP_BF2, 0); regs(BF_CHIP_BF2, 3); }
static void test_regs_bf3(void **state) { (void)state; regs(BF_CHIP_BF3, 0); regs(BF_CHIP_BF3, 3); }

static void boot(enum bf_chip_ver ver, const char *bundle)
{
	char path[4096];
	const char *top = getenv("top_builddir");
	const char *paths[1] = { path };
	struct bf_boot_opts o = { .stall_timeout_s = 30 };
	uint64_t pushed, words[BF_BOOTLOG_MAX_WORDS];
	struct bf_sim_lfcfg_stats st;
	struct bf_sim_status ss;
	struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];
	bool ready = false;
	struct rig g;
	int i;

	snprintf(path, sizeof(path), "%s/bfb/%s", top ? top : ".", bundle);
	rig_open(&g, ver, 0);
	assert_int_equal(bf_boot_reset(g.r), 0);
	if (ver == BF_CHIP_BF3)   /* the 10 s hold after the reset write, on the device's clock */
		assert_int_equal(g.slept_ns, (uint64_t)BF_LF_BF3_RESET_HOLD_MS * 1000000ull);
	assert_int_equal(bf_boot_push_files(g.r, paths, 1, &o, &pushed), 0);
	assert_int_equal(bf_boot_finish(g.r), 0);
	assert_true(pushed > 1000000);
	if (ver == BF_CHIP_BF2)
		assert_true(g.max_count <= 512);   /* never past what the host assumes */
	for (i = 0; i < 60000 && !ready; i++) {
		unsigned n, pos = 0;

		assert_int_equal(bf_bootlog_read_words(g.r, words, BF_BOOTLOG_MAX_WORDS, &n, true), 0);
		while (pos < n) {
			pos += (unsigned)bf_rlog_decode(words + pos, n - pos, &rec);
			bf_rlog_format(&rec, line, sizeof(line));
			if (getenv("TEST_PCIE_DEBUG"))
				fprintf(stderr, "%s\n", line);
			if (strstr(line, "DPU is ready"))
				ready = true;
		}
		bf_sim_advance(g.s, 0.01);
	}
	assert_true(ready);
	bf_sim_get_status(g.s, &ss);
	assert_int_equal(ss.overflow_bytes, 0);   /* the boot FIFO was never overrun */
	assert_int_equal(ss.log_dropped, 0);
	bf_sim_lfcfg_get_stats(g.m, &st);
	assert_false(st.wedged);                   /* the MSN was left alone while BL1 set up */
	if (getenv("TEST_PCIE_DEBUG"))
		fprintf(stderr, "%s: %llu config reads, %llu writes for %llu bytes\n", g.chip->id,
			(unsigned long long)st.cfg_reads, (unsigned long long)st.cfg_writes,
			(unsigned long long)pushed);
	rig_close(&g);
}

static void test_boot_bf3(void **state) { (void)state; boot(BF_CHIP_BF3, "sample-full.bfb"); }
static void test_boot_bf2(void **state) { (void)state; boot(BF_CHIP_BF2, "sample-full-bf2.bfb"); }

/* A gateway that never finishes: a clear -ETIMEDOUT within the bound. */
static void stuck(enum bf_chip_ver ver, struct bf_sim_lfcfg_knobs k, const char *reason)
{
	struct rig g;
	uint64_t v, t0;
	int ret;

	rig_open(&g, ver, 200);
	bf_sim_lfcfg_set_knobs(g.m, &k);
	t0 = bf_clock_ns();
	ret = bf_rshim_read(g.r, 1, g.chip->r.scratchpad1, &v);
	assert_int_equal(ret, -ETIMEDOUT);
	assert_true(bf_clock_ns() - t0 < 2000000000ull);
	assert_non_null(bf_error_get());
	if (!strstr(bf_error_get(), reason))
		fail_msg("error '%s' does not say '%s'", bf_error_get(), reason);
	assert_non_null(strstr(bf_error_get(), "pcie-lf:test: register read of channel 1"));
	/* Writes end the same way; the push reports where it stopped. */
	assert_int_equal(bf_rshim_write(g.r, 1, g.chip->r.scratchpad1, 1), -ETIMEDOUT);
	if (ver == BF_CHIP_BF3) {
		uint8_t w[64] = { 0 };

		assert_int_equal(g.r->ops->boot_write(g.r, w, sizeof(w)), -ETIMEDOUT);
		assert_non_null(strstr(bf_error_get(), "boot stream write failed after 0 bytes"));
	}
	rig_close(&g);
}

static void test_stuck_bf3(void **state)
{
	(void)state;
	stuck(BF_CHIP_BF3, (struct bf_sim_lfcfg_knobs){ .stuck_busy = true }, "GW_CR_64B gateway stayed busy");
	stuck(BF_CHIP_BF3, (struct bf_sim_lfcfg_knobs){ .lock_held = true }, "gateway lock stayed taken");
}

static void test_stuck_bf2(void **state)
{
	(void)state;
	stuck(BF_CHIP_BF2, (struct bf_sim_lfcfg_knobs){ .stuck_busy = true }, "byte access widget stayed pending");
	stuck(BF_CHIP_BF2, (struct bf_sim_lfcfg_knobs){ .lock_held = true }, "interlock stayed taken");
}

/* Touching the MSN before BL1 has set up crmaster wedges the gateway in
 * the model: the hold is what keeps a real one alive. */
static void test_bf3_hold_needed(void **state)
{
	struct bf_sim_lfcfg_stats st;
	struct rig g;
	uint64_t v;

	(void)state;
	rig_open(&g, BF_CHIP_BF3, 200);
	g.frozen = true;   /* the hold passes no device time */
	assert_int_equal(bf_rshim_read(g.r, 1, g.chip->r.reset_control, &v), 0);
	assert_int_equal(g.r->ops->write_reg(g.r, 1, g.chip->r.reset_control,
					     (v & ~0xffffffffull) | BF_RESET_KEY), -ETIMEDOUT);
	bf_sim_lfcfg_get_stats(g.m, &st);
	assert_true(st.wedged);
	assert_int_equal(bf_rshim_read(g.r, 1, g.chip->r.scratchpad1, &v), -ETIMEDOUT);
	rig_close(&g);
}

/* The device gone: every access fails at once with -ENODEV. */
static void test_unplug(void **state)
{
	struct bf_sim_config cfg;
	struct bf_sim *s;
	struct bf_sim_lfcfg *m;
	uint8_t b[4];

	(void)state;
	bf_sim_config_defaults(&cfg);
	cfg.virtual_access_ns = 1000;
	cfg.fault_unplug_after = 8;
	assert_int_equal(bf_sim_open(&cfg, &s), 0);
	m = bf_sim_lfcfg_new(s);
	assert_int_equal(bf_sim_write_reg(s, 1, bf_sim_chip(s)->r.boot_fifo_data, 1), 0);
	assert_int_equal(bf_sim_write_reg(s, 1, bf_sim_chip(s)->r.boot_fifo_data, 2), -ENODEV);
	assert_int_equal(bf_sim_lfcfg_read(m, 0, b, 4), -ENODEV);
	bf_sim_lfcfg_free(m);
	bf_sim_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_regs_bf2),
		cmocka_unit_test(test_regs_bf3),
		cmocka_unit_test(test_boot_bf3),
		cmocka_unit_test(test_boot_bf2),
		cmocka_unit_test(test_stuck_bf3),
		cmocka_unit_test(test_stuck_bf2),
		cmocka_unit_test(test_bf3_hold_needed),
		cmocka_unit_test(test_unplug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
