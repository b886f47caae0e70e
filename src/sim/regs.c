/* regs.c - the RShim register file as the host reaches it: reset control
 * (key 0xca710001), boot control, scratchpads (SP1 keepalive/ownership
 * magics are stored; SP2 BF_MODE survives resets), SEMAPHORE0, UPTIME at
 * the chip's rate, FABRIC_DIM, and the registers of the boot FIFO, log
 * ring and TM FIFOs (bootfifo.c, logring.c, console.c). Offsets come from
 * the shared chip table (chip.c). */
#include "config.h"
#include "sim_int.h"
#include "clock.h"

#include <errno.h>
#include <string.h>

#define SIM_OPN "900-9D3B6-00CV-A"   /* 16 characters: the OPN until the host writes one */
#define RESET_DISABLE (1ull << 32)   /* RESET_CONTROL: blocks the ARM reset */

void bf_sim_chip_reset(struct bf_sim *s)
{
	const struct bf_chip_regs *g = &s->chip->r;
	double now = bf_sim_now(s);
	uint64_t sp2 = s->rsh[g->scratchpad2 / 8];

	bf_sim_dpuos_stop(s);   /* the OS goes down with the chip */
	s->resets++;
	s->reset_t = now;
	bf_sim_runtime_arm_reset(s);
	if (!s->por_t)
		s->por_t = now;
	s->drain_t = now;
	s->last_data_t = now;
	s->last_data_ns = bf_clock_ns();
	s->link_t = now;
	s->fifo_head = s->fifo_len = 0;
	s->boot_bytes = s->drained_bytes = s->overflow_bytes = 0;
	s->stalled = false;
	s->sem_taken = false;
	/* Pending firmware work dies with the reset; so does the console. */
	s->nev = 0;
	s->h2t_head = s->h2t_len = s->t2h_head = s->t2h_len = 0;
	s->outq_len = 0;
	bf_tmfifo_rx_init(&s->tmrx);
	/* SCRATCHPAD1 is volatile; BF_MODE in SP2 survives (it is the NIC's). */
	s->rsh[g->scratchpad1 / 8] = 0;
	s->rsh[g->scratchpad2 / 8] = sp2 & BF_SP2_MODE_MASK;
	s->rsh[g->scratchpad3 / 8] = 0;
	s->rsh[g->reset_control / 8] &= ~0xffffffffull;
	bf_sim_stream_reset(s);
	if ((s->rsh[g->boot_control / 8] & 3) == BF_BOOT_CONTROL_RSHIM) {
		/* The boot ROM waits for the stream on the boot FIFO. */
		s->phase = PH_BOOT_ROM;
		if (s->chip->ver == BF_CHIP_BF3)
			bf_sim_schedule(s, now, BF_RLOG_PSC, BF_RLOG_INFO, ACT_NONE, "PSC BL1 START");
	} else {
		bf_sim_os_boot(s, now);
	}
}

static void read_rshim(struct bf_sim *s, uint32_t addr, uint64_t *v)
{
	const struct bf_chip_regs *g = &s->chip->r;

	if (addr == g->boot_fifo_count) {
		*v = bf_sim_fifo_count(s);
	} else if (addr == g->semaphore0) {
		/* 0 = acquired by this read; non-zero until released. */
		*v = s->sem_taken || s->cfg.fault_sem_stuck ? 1 : 0;
		s->sem_taken = true;
	} else if (addr == g->scratch_buf_ctl) {
		*v = bf_sim_ring_ctl(s);
	} else if (addr == g->scratch_buf_dat) {
		*v = bf_sim_ring_dat(s);
	} else if (addr == g->uptime) {
		*v = (uint64_t)(bf_sim_uptime(s) * (double)s->chip->uptime_hz);
	} else if (addr == g->uptime_por) {
		*v = (uint64_t)((bf_sim_now(s) - s->por_t) * (double)s->chip->uptime_hz);
	} else if (addr == g->tm_h2t_sts) {
		*v = bf_sim_tm_h2t_count(s);
	} else if (addr == g->tm_t2h_sts) {
		*v = bf_sim_tm_t2h_count(s);
	} else if (addr == g->tm_t2h_data) {
		*v = bf_sim_tm_t2h_pop(s);
	} else if (addr == g->boot_fifo_data || addr == g->tm_h2t_data) {
		*v = 0;   /* write-only */
	} else if (addr / 8 < sizeof(s->rsh) / sizeof(s->rsh[0])) {
		*v = s->rsh[addr / 8];
	} else {
		*v = 0;
	}
}

/* The OPN until the host writes one: a BF3 has one in its YU registers;
 * the simulated BF2's boot record holds none (N/A). */
static const char *opn_now(const struct bf_sim *s)
{
	static const char none[BF_OPN_LEN];

	return s->opn_set ? s->opn : s->chip->ver == BF_CHIP_BF3 ? SIM_OPN : none;
}

static uint32_t read_opn_word(const struct bf_sim *s, unsigned i)
{
	const char *opn = opn_now(s);
	uint32_t w = 0;
	unsigned k;

	for (k = 0; k < 4; k++)
		w = w << 8 | (uint8_t)opn[i + k];
	return w;
}

/* The OPN is about to change: from now on it is the written one. It stays
 * until the simulator's state is dropped (the hardware keeps it across
 * warm resets). */
static void opn_own(struct bf_sim *s)
{
	if (!s->opn_set) {
		memcpy(s->opn, opn_now(s), BF_OPN_LEN);
		s->opn_set = true;
	}
}

/* An OPN word written (4 characters, char 0 in bits 31:24). */
static void write_opn_word(struct bf_sim *s, unsigned i, uint32_t w)
{
	unsigned k;

	opn_own(s);
	for (k = 0; k < 4; k++)
		s->opn[i + k] = (char)(w >> (24 - 8 * k));
}

/* BF3: the OPN words are YU registers from BF_BF3_OPN_YU_OFF, laid out as
 * memory (each 32-bit word little-endian), so that an 8-byte access at an
 * aligned offset and one at the word's own offset see the same bytes.
 * The character a byte of that window holds, or -1 outside it. */
static int yu_opn_char(const struct bf_sim *s, uint32_t x)
{
	uint32_t o;

	if (s->chip->ver != BF_CHIP_BF3 || x < BF_BF3_OPN_YU_OFF || x >= BF_BF3_OPN_YU_OFF + BF_OPN_LEN)
		return -1;
	o = x - BF_BF3_OPN_YU_OFF;
	return (int)((o & ~3u) + 3 - (o & 3));
}

static uint64_t yu_read(const struct bf_sim *s, uint32_t addr)
{
	const char *opn = opn_now(s);
	uint64_t v = 0;
	unsigned b;

	for (b = 0; b < 8; b++) {
		int c = yu_opn_char(s, addr + b);

		if (c >= 0)
			v |= (uint64_t)(uint8_t)opn[c] << (8 * b);
	}
	return v;
}

static void yu_write(struct bf_sim *s, uint32_t addr, uint64_t val)
{
	unsigned b;

	for (b = 0; b < 8; b++) {
		int c = yu_opn_char(s, addr + b);

		if (c >= 0) {
			opn_own(s);
			s->opn[c] = (char)(val >> (8 * b));
		}
	}
}

/* MEM_ACC_CTL written with SEND: one SoC memory access, answered by a
 * count in MEM_ACC_RSP_CNT. Without the privilege bit nothing happens
 * (the host's wait for the count then times out). The SoC memory
 * modelled is the BF2 OPN words; other addresses read 0, writes vanish. */
static void mem_acc(struct bf_sim *s, uint64_t ctl)
{
	const struct bf_chip_regs *g = &s->chip->r;
	uint64_t pa = ctl & BF_MEM_ACC_ADDR_MASK, size = (ctl >> BF_MEM_ACC_SIZE_SHIFT) & 7;
	bool opn = s->chip->ver == BF_CHIP_BF2 && size == BF_MEM_ACC_SIZE_4B && pa % 4 == 0 &&
		   pa >= BF_BF2_OPN_ADDR && pa < BF_BF2_OPN_ADDR + BF_OPN_LEN;

	if (!(s->rsh[g->mstr_priv_lvl / 8] & 1ull << s->chip->mem_acc_lvl_shift))
		return;
	if (ctl & BF_MEM_ACC_WRITE) {
		if (opn)
			write_opn_word(s, (unsigned)(pa - BF_BF2_OPN_ADDR), (uint32_t)s->rsh[g->mem_acc_data / 8]);
	} else {
		s->rsh[g->mem_acc_data / 8] = opn ? read_opn_word(s, (unsigned)(pa - BF_BF2_OPN_ADDR)) : 0;
	}
	s->rsh[g->mem_acc_rsp_cnt / 8]++;
}

int bf_sim_read_reg(struct bf_sim *s, uint32_t chan, uint32_t addr, uint64_t *val)
{
	s->virt_t += (double)s->cfg.virtual_access_ns / 1e9;
	bf_sim_tick(s);
	if (bf_sim_gone(s))
		return -ENODEV;
	*val = 0;
	if (chan == BF_CHAN_RSHIM) {
		read_rshim(s, addr & 0xfff8, val);
	} else if (chan == BF_CHAN_YU) {
		*val = yu_read(s, addr);   /* the OPN words (BF3); 0 elsewhere */
	}
	return 0;
}

int bf_sim_write_reg(struct bf_sim *s, uint32_t chan, uint32_t addr, uint64_t val)
{
	const struct bf_chip_regs *g = &s->chip->r;

	s->virt_t += (double)s->cfg.virtual_access_ns / 1e9;
	bf_sim_tick(s);
	if (bf_sim_gone(s))
		return -ENODEV;
	if (chan == BF_CHAN_YU) {
		yu_write(s, addr, val);
		return 0;
	}
	if (chan != BF_CHAN_RSHIM)
		return 0;   /* other channels (watchdog, ...): accepted and ignored */
	addr &= 0xfff8;
	if (addr == g->reset_control) {
		s->rsh[addr / 8] = val;
		if ((val & 0xffffffffull) == BF_RESET_KEY && !(val & RESET_DISABLE))
			bf_sim_chip_reset(s);
	} else if (addr == g->boot_fifo_data) {
		uint8_t w[8];

		bf_tmfifo_word_bytes(val, w);
		bf_sim_fifo_push(s, w, 8);
	} else if (addr == g->tm_h2t_data) {
		bf_sim_tm_h2t_push(s, val);
	} else if (addr == g->semaphore0) {
		if (val == 0)
			s->sem_taken = false;
	} else if (addr == g->scratch_buf_ctl) {
		bf_sim_ring_set_ctl(s, val);
	} else if (addr == g->boot_control) {
		s->rsh[addr / 8] = val & 3;
	} else if (addr == g->mem_acc_ctl) {
		s->rsh[addr / 8] = val & ~BF_MEM_ACC_SEND;
		if (val & BF_MEM_ACC_SEND)
			mem_acc(s, val);
	} else if (addr == g->boot_fifo_count || addr == g->uptime || addr == g->uptime_por ||
		   addr == g->scratch_buf_dat || addr == g->tm_h2t_sts || addr == g->tm_t2h_sts ||
		   addr == g->tm_t2h_data || addr == g->fabric_dim || addr == g->mem_acc_rsp_cnt) {
		/* read-only */
	} else if (addr / 8 < sizeof(s->rsh) / sizeof(s->rsh[0])) {
		s->rsh[addr / 8] = val;
		if (addr == g->swint && (val & 0x4))
			bf_sim_runtime_swint(s);   /* SWINT2: the DPU OS looks at SP2 */
	}
	bf_sim_tick(s);
	return 0;
}
