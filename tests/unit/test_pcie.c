/* test_pcie.c - the PCIe backend's address arithmetic, and its register
 * and boot FIFO logic driving the simulator through the MMIO accessor:
 * a whole sample bundle pushed word by word, the FIFO never past 512
 * words, the boot ending in "DPU is ready". */
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
#include "clock.h"
#include "bootlog.h"
#include "rlog.h"
#include "rshim.h"
#include "rshim/pcie.h"
#include "sim.h"

static void test_offsets(void **state)
{
	const struct bf_chip *bf2 = bf_chip_get(BF_CHIP_BF2), *bf3 = bf_chip_get(BF_CHIP_BF3);
	uint64_t off;

	(void)state;
	assert_int_equal(bf_pcie_offset(bf2, 1, 0x408, &off), 0);
	assert_int_equal(off, 0x10408);
	assert_int_equal(bf_pcie_offset(bf2, 0xf, 0, &off), 0);
	assert_int_equal(off, 0xf0000);
	assert_int_equal(bf_pcie_offset(bf3, 1, 0xc48, &off), 0);
	assert_int_equal(off, 0xc48);
	assert_int_equal(bf_pcie_offset(bf3, BF_CHAN_YU, 0x9bdc, &off), 0);
	assert_int_equal(off, 0x409bdc);
	assert_int_equal(bf_pcie_offset(bf3, 0x1300, 0x2000, &off), 0);   /* linear form */
	assert_int_equal(off, 0x2000);
	/* WDOG1 on BF3 is not reachable over PCIe, as upstream. */
	assert_int_equal(bf_pcie_offset(bf3, 0xf, 0, &off), -EINVAL);
	assert_int_equal(bf_pcie_offset(bf3, 0x1400, 0, &off), -EINVAL);
}

struct simbar {
	struct bf_sim *s;
	const struct bf_chip *chip;
	uint64_t max_count;
	uint64_t data_writes;
};

static int to_chan(struct simbar *b, uint64_t off, uint32_t *chan, uint32_t *addr)
{
	if (b->chip->ver != BF_CHIP_BF3) {
		*chan = (uint32_t)(off >> 16);
		*addr = (uint32_t)(off & 0xffff);
		return 0;
	}
	return bf_chip_addr_split(b->chip, (uint32_t)(off + 0x13000000), chan, addr);
}

static int sb_read(void *ctx, uint64_t off, uint64_t *v)
{
	struct simbar *b = ctx;
	uint32_t chan, addr;

	assert_int_equal(to_chan(b, off, &chan, &addr), 0);
	return bf_sim_read_reg(b->s, chan, addr, v);
}

static int sb_write(void *ctx, uint64_t off, uint64_t v)
{
	struct simbar *b = ctx;
	uint32_t chan, addr;
	uint64_t count;
	int r;

	assert_int_equal(to_chan(b, off, &chan, &addr), 0);
	r = bf_sim_write_reg(b->s, chan, addr, v);
	if (chan == 1 && addr == b->chip->r.boot_fifo_data) {
		b->data_writes++;
		bf_sim_read_reg(b->s, 1, b->chip->r.boot_fifo_count, &count);
		if (count > b->max_count)
			b->max_count = count;
	}
	return r;
}

static void boot_over_pcie(enum bf_chip_ver ver, const char *bundle)
{
	char path[4096];
	const char *top = getenv("top_builddir");
	const char *paths[1] = { path };
	struct bf_boot_opts o = { .stall_timeout_s = 30 };
	struct simbar b = { 0 };
	struct bf_sim_config cfg;
	struct bf_pcie_mmio io = { .read64 = sb_read, .write64 = sb_write, .ctx = &b };
	struct bf_rshim *r;
	uint64_t pushed, words[BF_BOOTLOG_MAX_WORDS];
	struct bf_rlog_rec rec;
	char line[BF_RLOG_LINE_MAX];
	bool ready = false;
	int i;

	snprintf(path, sizeof(path), "%s/bfb/%s", top ? top : ".", bundle);
	bf_sim_config_defaults(&cfg);
	cfg.chip = bf_chip_get(ver);
	cfg.virtual_clock = true;
	cfg.virtual_access_ns = 1000;   /* each MMIO access takes 1 us of simulated time */
	assert_int_equal(bf_sim_open(&cfg, &b.s), 0);
	b.chip = cfg.chip;
	assert_int_equal(bf_rshim_pcie_open_mmio(cfg.chip, &io, "pcie-test", &r), 0);
	snprintf(r->name, sizeof(r->name), "pcie:test");
	r->reset_delay_ms = 0;
	assert_int_equal(bf_boot_reset(r), 0);
	assert_int_equal(bf_boot_push_files(r, paths, 1, &o, &pushed), 0);
	assert_int_equal(bf_boot_finish(r), 0);
	assert_true(pushed > 1000000);
	assert_true(b.data_writes >= pushed / 8);
	assert_true(b.max_count <= 512);   /* never past what the host assumes */
	/* Poll every 10 simulated ms, as bfctl does: the 127-word ring cannot
	 * overflow between two polls, whatever the host's scheduling. */
	for (i = 0; i < 60000 && !ready; i++) {
		unsigned n, pos = 0;

		assert_int_equal(bf_bootlog_read_words(r, words, BF_BOOTLOG_MAX_WORDS, &n, true), 0);
		while (pos < n) {
			size_t used = bf_rlog_decode(words + pos, n - pos, &rec);

			pos += (unsigned)used;
			bf_rlog_format(&rec, line, sizeof(line));
			if (getenv("TEST_PCIE_DEBUG"))
				fprintf(stderr, "%s\n", line);
			if (strstr(line, "DPU is ready"))
				ready = true;
		}
		bf_sim_advance(b.s, 0.01);
	}
	assert_true(ready);
	{
		struct bf_sim_status st;

		bf_sim_get_status(b.s, &st);
		assert_int_equal(st.log_dropped, 0);      /* every log line reached the host */
		assert_int_equal(st.overflow_bytes, 0);   /* the boot FIFO was never overrun */
	}
	bf_rshim_close(r);
	bf_sim_close(b.s);
}

static void test_boot_bf3(void **state)
{
	(void)state;
	boot_over_pcie(BF_CHIP_BF3, "sample-full.bfb");
}

static void test_boot_bf2(void **state)
{
	(void)state;
	boot_over_pcie(BF_CHIP_BF2, "sample-full-bf2.bfb");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_boot_bf3),
		cmocka_unit_test(test_boot_bf2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
