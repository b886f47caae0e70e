/* test_opn.c - the OPN string (opn.c) against the simulator (regs.c): BF3
 * through the YU registers, BF2 through MEM_ACC (privilege bit, request,
 * answer count), written and read back, kept in the simulator's state;
 * hostile device words shown as '?', a MEM_ACC that never answers. */
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

#include "chip.h"
#include "opn.h"
#include "rshim.h"
#include "sim.h"

/* A bf_rshim straight onto a bf_sim; the faults below bend it. */
struct dev {
	struct bf_rshim r;
	struct bf_sim *s;
	bool no_priv;            /* DEVICE_MSTR_PRIV_LVL writes are lost */
	bool garble_yu;          /* YU reads come back as control bytes */
};

static int d_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val)
{
	struct dev *d = r->priv;
	int ret = bf_sim_read_reg(d->s, chan, addr, val);

	if (ret == 0 && d->garble_yu && chan == BF_CHAN_YU)
		*val = 0x41011f7f41011f7full;   /* 'A', SOH, US, DEL in each half */
	return ret;
}

static int d_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val)
{
	struct dev *d = r->priv;

	if (d->no_priv && chan == BF_CHAN_RSHIM && addr == r->chip->r.mstr_priv_lvl)
		return 0;
	return bf_sim_write_reg(d->s, chan, addr, val);
}

static const struct bf_rshim_ops d_ops = { .read_reg = d_read, .write_reg = d_write };

static void dev_open(struct dev *d, const char *chip, const char *state)
{
	struct bf_sim_config c;

	memset(d, 0, sizeof(*d));
	bf_sim_config_defaults(&c);
	c.chip = bf_chip_by_name(chip);
	c.speed = 1e6;
	if (state)
		snprintf(c.state_dir, sizeof(c.state_dir), "%s", state);
	assert_int_equal(bf_sim_open(&c, &d->s), 0);
	d->r.ops = &d_ops;
	d->r.chip = bf_sim_chip(d->s);
	d->r.priv = d;
}

static void bf3_yu_registers(void **state)
{
	struct dev d;
	char opn[BF_OPN_LEN + 1];
	uint64_t v;

	(void)state;
	dev_open(&d, "bf3", NULL);
	assert_int_equal(bf_opn_read(&d.r, opn), 0);
	assert_string_equal(opn, "900-9D3B6-00CV-A");
	assert_int_equal(bf_opn_write(&d.r, "MBF3-TEST"), 0);
	assert_int_equal(bf_opn_read(&d.r, opn), 0);
	assert_string_equal(opn, "MBF3-TEST");
	/* As the hardware lays it out: char 0 in bits 31:24 of each 32-bit
	 * word, NUL-padded; 8-byte registers at aligned offsets see two. */
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_YU, BF_BF3_OPN_YU_OFF - 4, &v), 0);
	assert_true(v == 0x4d424633ull << 32);   /* "MBF3" above the word before */
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_YU, BF_BF3_OPN_YU_OFF + 4, &v), 0);
	assert_true(v == (0x54000000ull << 32 | 0x2d544553ull));   /* "-TES", "T\0\0\0" */
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_YU, BF_BF3_OPN_YU_OFF, &v), 0);
	assert_true((uint32_t)v == 0x4d424633u);   /* at the word's own offset too */
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_YU, BF_BF3_OPN_YU_OFF + 12, &v), 0);
	assert_true(v == 0);
	/* Sixteen characters fill it. */
	assert_int_equal(bf_opn_write(&d.r, "0123456789ABCDEF"), 0);
	assert_int_equal(bf_opn_read(&d.r, opn), 0);
	assert_string_equal(opn, "0123456789ABCDEF");
	/* Hostile words: printable characters only. */
	d.garble_yu = true;
	assert_int_equal(bf_opn_read(&d.r, opn), 0);
	assert_string_equal(opn, "A???A???A???A???");
	bf_sim_close(d.s);
}

static void bf2_mem_acc(void **state)
{
	const struct bf_chip_regs *g = &bf_chip_get(BF_CHIP_BF2)->r;
	struct dev d;
	char opn[BF_OPN_LEN + 1];
	uint64_t cnt0, cnt1, v;
	uint32_t w;

	(void)state;
	dev_open(&d, "bf2", NULL);
	/* The simulated BF2's boot record holds no OPN: N/A. */
	assert_int_equal(bf_opn_read(&d.r, opn), 0);
	assert_string_equal(opn, "");
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, &cnt0), 0);
	assert_int_equal(bf_opn_write(&d.r, "MBF2H332A-AEEOT"), 0);
	assert_int_equal(bf_opn_read(&d.r, opn), 0);
	assert_string_equal(opn, "MBF2H332A-AEEOT");
	/* Eight accesses, eight answers; the privilege bit (48) is set. */
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, &cnt1), 0);
	assert_int_equal(cnt1 - cnt0, 8);
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_RSHIM, g->mstr_priv_lvl, &v), 0);
	assert_true(v & 1ull << 48);
	assert_int_equal(bf_mem_acc_read32(&d.r, BF_BF2_OPN_ADDR + 12, &w), 0);
	assert_true(w == 0x454f5400u);   /* "EOT\0" */
	/* Elsewhere in SoC memory: reads 0, a write vanishes. */
	assert_int_equal(bf_mem_acc_write32(&d.r, 0x1000, 0xdeadbeef), 0);
	assert_int_equal(bf_mem_acc_read32(&d.r, 0x1000, &w), 0);
	assert_true(w == 0);
	bf_sim_close(d.s);
}

static void bf2_mem_acc_no_answer(void **state)
{
	const struct bf_chip_regs *g = &bf_chip_get(BF_CHIP_BF2)->r;
	struct dev d;
	char opn[BF_OPN_LEN + 1];
	uint32_t w = 7;
	uint64_t cnt;

	(void)state;
	dev_open(&d, "bf2", NULL);
	d.no_priv = true;
	assert_int_equal(bf_mem_acc_read32(&d.r, BF_BF2_OPN_ADDR, &w), -ETIMEDOUT);
	assert_int_equal(w, 7);
	assert_int_equal(bf_opn_write(&d.r, "X"), -ETIMEDOUT);
	assert_int_equal(bf_opn_read(&d.r, opn), -ETIMEDOUT);
	assert_string_equal(opn, "");
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, &cnt), 0);
	assert_true(cnt == 0);
	/* The host cannot forge answers: the count is read-only. */
	assert_int_equal(bf_sim_write_reg(d.s, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, 5), 0);
	assert_int_equal(bf_sim_read_reg(d.s, BF_CHAN_RSHIM, g->mem_acc_rsp_cnt, &cnt), 0);
	assert_true(cnt == 0);
	bf_sim_close(d.s);
}

static void kept_in_state(void **state)
{
	char dir[] = "/tmp/test_opn.XXXXXX", cmd[64], opn[BF_OPN_LEN + 1];
	const char *chips[] = { "bf3", "bf2" };
	unsigned i;
	struct dev d;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 2; i++) {
		char sub[64];

		snprintf(sub, sizeof(sub), "%s/%s", dir, chips[i]);
		dev_open(&d, chips[i], sub);
		assert_int_equal(bf_opn_write(&d.r, "KEPT-OPN"), 0);
		bf_sim_close(d.s);
		dev_open(&d, chips[i], sub);
		assert_int_equal(bf_opn_read(&d.r, opn), 0);
		assert_string_equal(opn, "KEPT-OPN");
		bf_sim_close(d.s);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bf3_yu_registers),
		cmocka_unit_test(bf2_mem_acc),
		cmocka_unit_test(bf2_mem_acc_no_answer),
		cmocka_unit_test(kept_in_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
