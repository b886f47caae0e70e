/* pcicfg.c - the simulated RShim livefish function's config space: the
 * header and capabilities a PCI function shows, and the address/data
 * gateway that reaches the RShim registers of the simulator through the
 * CR space (BF2: RShim window, Byte Access Widget, boot FIFO holding
 * register; BF3: MSN GW_CR_64B with lock and busy). */
#include "config.h"
#include "pcicfg.h"
#include "sim_int.h"
#include "rshim/lf_regs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct bf_sim_lfcfg {
	struct bf_sim *s;
	const struct bf_chip *chip;
	uint8_t hdr[256];              /* the fixed bytes of the header and capabilities */
	uint16_t command;
	uint32_t gw_addr, gw_data;     /* 0x58 / 0x5c */
	struct bf_sim_lfcfg_knobs k;
	struct bf_sim_lfcfg_stats st;

	/* BF2 */
	bool fifo_half;                /* boot FIFO holding register has the low half */
	uint32_t fifo_lo;
	bool baw_locked;
	uint32_t baw_ctl, baw_addr;
	unsigned baw_pending;          /* polls left with PENDING set */
	uint64_t baw_rdat;
	unsigned baw_rd_half, baw_wr_half;
	uint32_t baw_wlo;

	/* BF3 */
	bool gw_locked;
	bool gw_busy;
	unsigned gw_busy_left;
	uint32_t gw_acc_type, gw_width, gw_data_hi, gw_data_lo, gw_cr;
	double crmaster_t;             /* MSN untouchable until then (simulated s) */
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

/* Header type 0 and the capability list: PM at 0x40, the vendor-specific
 * address/data capability at 0x50 (ADDR 0x58, DATA 0x5c), PCI Express
 * (endpoint) at 0x60. No BARs: a livefish function is reached through
 * config space only. */
static void build_header(struct bf_sim_lfcfg *m)
{
	uint8_t *h = m->hdr;

	put16(h + 0x00, BF_PCI_VENDOR);
	put16(h + 0x02, m->chip->pcie_lf_devid);
	put16(h + 0x06, 0x0010);                       /* status: capability list */
	h[0x08] = BF_SIM_LF_REVISION;
	h[0x09] = (uint8_t)BF_SIM_LF_CLASS;            /* prog-if */
	h[0x0a] = (uint8_t)(BF_SIM_LF_CLASS >> 8);     /* subclass */
	h[0x0b] = (uint8_t)(BF_SIM_LF_CLASS >> 16);    /* class */
	put16(h + 0x2c, BF_PCI_VENDOR);                /* subsystem vendor */
	put16(h + 0x2e, m->chip->pcie_lf_devid);       /* subsystem */
	h[0x34] = 0x40;
	h[0x3c] = 0xff;
	h[0x3d] = 0x01;                                /* INTA */
	h[0x40] = 0x01; h[0x41] = 0x50; put16(h + 0x42, 0x0003);   /* PM, version 3 */
	h[0x50] = 0x09; h[0x51] = 0x60; h[0x52] = 0x10;            /* vendor-specific, 16 bytes */
	h[0x60] = 0x10; h[0x61] = 0x00; put16(h + 0x62, 0x0002);   /* PCIe v2, endpoint */
}

struct bf_sim_lfcfg *bf_sim_lfcfg_new(struct bf_sim *s)
{
	struct bf_sim_lfcfg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->s = s;
	m->chip = bf_sim_chip(s);
	build_header(m);
	return m;
}

void bf_sim_lfcfg_free(struct bf_sim_lfcfg *m)
{
	free(m);
}

void bf_sim_lfcfg_set_knobs(struct bf_sim_lfcfg *m, const struct bf_sim_lfcfg_knobs *k)
{
	m->k = *k;
}

void bf_sim_lfcfg_get_stats(const struct bf_sim_lfcfg *m, struct bf_sim_lfcfg_stats *st)
{
	*st = m->st;
}

/* ---- RShim registers, as 64-bit words of the simulator ------------------- */

static int reg_read(struct bf_sim_lfcfg *m, uint32_t chan, uint32_t off, uint64_t *v)
{
	m->st.reg_reads++;
	return bf_sim_read_reg(m->s, chan, off, v);
}

static int reg_write(struct bf_sim_lfcfg *m, uint32_t chan, uint32_t off, uint64_t v)
{
	m->st.reg_writes++;
	return bf_sim_write_reg(m->s, chan, off, v);
}

/* A 32-bit access to half of a 64-bit register. */
static int reg_read32(struct bf_sim_lfcfg *m, uint32_t chan, uint32_t off, uint32_t *v)
{
	uint64_t w;
	int ret = reg_read(m, chan, off & ~7u, &w);

	if (ret == 0)
		*v = (uint32_t)(off & 4 ? w >> 32 : w);
	return ret;
}

static int reg_write32(struct bf_sim_lfcfg *m, uint32_t chan, uint32_t off, uint32_t v)
{
	uint64_t w;
	int ret = reg_read(m, chan, off & ~7u, &w);

	if (ret < 0)
		return ret;
	if (off & 4)
		w = (w & 0xffffffffull) | (uint64_t)v << 32;
	else
		w = (w & ~0xffffffffull) | v;
	return reg_write(m, chan, off & ~7u, w);
}

/* ---- BF2: the RShim CR window and the Byte Access Widget ------------------ */

/* A BAW target: 0x80000000 | chan << 16 | offset. */
static bool baw_split(uint32_t t, uint32_t *chan, uint32_t *off)
{
	*chan = (t & ~BF_LF_BAW_TARGET_BASE) >> 16;
	*off = t & 0xffff;
	return (t & BF_LF_BAW_TARGET_BASE) && *chan <= 0xf;
}

static int bf2_cr_read(struct bf_sim_lfcfg *m, uint32_t r, uint32_t *v)
{
	switch (r) {
	case BF_LF_BAW_CTL:
		*v = m->baw_ctl & ~BF_LF_BAW_PENDING;
		if (m->baw_pending || m->k.stuck_busy) {
			*v |= BF_LF_BAW_PENDING;
			if (m->baw_pending)
				m->baw_pending--;
		}
		return 0;
	case BF_LF_BAW_RDAT:
		*v = (uint32_t)(m->baw_rd_half ? m->baw_rdat >> 32 : m->baw_rdat);
		m->baw_rd_half ^= 1;
		m->baw_pending = m->k.busy_polls;
		return 0;
	case BF_LF_BAW_INTERLOCK:
		/* Reading takes the interlock: 1 = it is yours now. */
		if (m->baw_locked || m->k.lock_held) {
			*v = 0;
		} else {
			m->baw_locked = true;
			*v = 1;
		}
		return 0;
	case BF_LF_BAW_WDAT:
		*v = m->baw_wlo;
		return 0;
	case BF_LF_BAW_ADDR:
		*v = m->baw_addr;
		return 0;
	default:
		return reg_read32(m, BF_CHAN_RSHIM, r, v);
	}
}

static int bf2_cr_write(struct bf_sim_lfcfg *m, uint32_t r, uint32_t v)
{
	uint32_t chan, off;
	int ret;

	if (r == m->chip->r.boot_fifo_data) {
		/* The holding register pairs two 32-bit writes, low then high. */
		if (!m->fifo_half) {
			m->fifo_lo = v;
			m->fifo_half = true;
			return 0;
		}
		m->fifo_half = false;
		return reg_write(m, BF_CHAN_RSHIM, r, (uint64_t)v << 32 | m->fifo_lo);
	}
	switch (r) {
	case BF_LF_BAW_CTL:
		m->baw_ctl = v & ~BF_LF_BAW_PENDING;
		if (v & BF_LF_BAW_READ_BIT) {
			m->baw_rd_half = 0;
			m->baw_rdat = 0;
			if (baw_split(m->baw_addr, &chan, &off) &&
			    (ret = reg_read(m, chan, off, &m->baw_rdat)) < 0)
				return ret;
		} else {
			m->baw_wr_half = 0;
		}
		m->baw_pending = m->k.busy_polls;
		return 0;
	case BF_LF_BAW_WDAT:
		if (!m->baw_wr_half) {
			m->baw_wlo = v;
			m->baw_wr_half = 1;
			m->baw_pending = m->k.busy_polls;
			return 0;
		}
		m->baw_wr_half = 0;
		if (m->k.stuck_busy || !baw_split(m->baw_addr, &chan, &off))
			return 0;
		return reg_write(m, chan, off, (uint64_t)v << 32 | m->baw_wlo);
	case BF_LF_BAW_ADDR:
		m->baw_addr = v;
		return 0;
	case BF_LF_BAW_INTERLOCK:
		if (v == 0)
			m->baw_locked = false;
		return 0;
	case BF_LF_BAW_RDAT:
		return 0;
	default:
		return reg_write32(m, BF_CHAN_RSHIM, r, v);
	}
}

/* ---- BF3: the MSN GW_CR_64B gateway ------------------------------------- */

/* The MSN is touched: fine, or (within the crmaster window after a reset
 * through the gateway) the access that wedges it for good. */
static bool msn_usable(struct bf_sim_lfcfg *m)
{
	if (!m->st.wedged && m->crmaster_t > 0 && bf_sim_now(m->s) < m->crmaster_t)
		m->st.wedged = true;
	return !m->st.wedged;
}

/* The access the gateway was set up for, started by BUSY in REG0. */
static int gw_run(struct bf_sim_lfcfg *m)
{
	uint32_t chan, off;
	uint64_t resets = m->s->resets, w = 0;
	bool wide = m->gw_width == BF_LF_GW_WIDTH_64;
	int ret = 0;

	m->gw_busy = true;
	m->gw_busy_left = m->k.busy_polls;
	if (m->k.stuck_busy)
		return 0;   /* never completes */
	if (bf_chip_addr_split(m->chip, (m->gw_cr << 2) | BF_LF_GLOBAL_MMIO, &chan, &off) < 0) {
		m->gw_data_lo = m->gw_data_hi = 0;   /* nothing there: reads 0, writes dropped */
	} else if (m->gw_acc_type == BF_LF_GW_ACC_READ) {
		/* The register at that address; a 32-bit read of the upper
		 * half of an RShim word takes its high bits. */
		ret = reg_read(m, chan, off, &w);
		if (!wide && chan == BF_CHAN_RSHIM && (off & 4))
			w >>= 32;
		m->gw_data_lo = (uint32_t)w;
		m->gw_data_hi = wide ? (uint32_t)(w >> 32) : 0;
	} else if (wide) {
		ret = reg_write(m, chan, off, (uint64_t)m->gw_data_hi << 32 | m->gw_data_lo);
	} else {
		ret = reg_write32(m, chan, off, m->gw_data_lo);
	}
	if (m->s->resets != resets)
		m->crmaster_t = bf_sim_now(m->s) + BF_SIM_LF_CRMASTER_S;
	if (!m->gw_busy_left)
		m->gw_busy = false;
	return ret;
}

static uint32_t gw_status(struct bf_sim_lfcfg *m)
{
	return (m->gw_locked || m->k.lock_held ? BF_LF_GW_LOCK : 0) | (m->gw_busy ? BF_LF_GW_BUSY : 0);
}

static int bf3_cr_read(struct bf_sim_lfcfg *m, uint32_t cr, uint32_t *v)
{
	if (cr < BF_LF_GW_FIRST || cr > BF_LF_GW_LAST) {
		*v = 0;   /* the rest of CR space is not modelled */
		return 0;
	}
	if (!msn_usable(m)) {
		*v = 0xffffffffu;
		return 0;
	}
	switch (cr) {
	case BF_LF_GW_REG0:
		/* Reading REG0 with LOCK clear takes the lock. */
		*v = gw_status(m);
		if (!(*v & BF_LF_GW_LOCK))
			m->gw_locked = true;
		return 0;
	case BF_LF_GW_REG0_COPY:
		*v = gw_status(m);
		if (m->gw_busy && !m->k.stuck_busy && m->gw_busy_left && !--m->gw_busy_left)
			m->gw_busy = false;
		return 0;
	case BF_LF_GW_ACC_TYPE: *v = m->gw_acc_type; return 0;
	case BF_LF_GW_DATA_HIGH: *v = m->gw_data_hi; return 0;
	case BF_LF_GW_DATA_LOW: *v = m->gw_data_lo; return 0;
	case BF_LF_GW_ADDR: *v = m->gw_cr; return 0;
	case BF_LF_GW_ACC_WIDTH: *v = m->gw_width; return 0;
	default: *v = 0; return 0;
	}
}

static int bf3_cr_write(struct bf_sim_lfcfg *m, uint32_t cr, uint32_t v)
{
	if (cr < BF_LF_GW_FIRST || cr > BF_LF_GW_LAST || !msn_usable(m))
		return 0;
	switch (cr) {
	case BF_LF_GW_REG0:
		if (v == 0) {
			m->gw_locked = false;   /* release */
			if (!m->k.stuck_busy)
				m->gw_busy = false;
			return 0;
		}
		if ((v & BF_LF_GW_BUSY) && m->gw_locked && !m->gw_busy)
			return gw_run(m);
		return 0;
	case BF_LF_GW_ACC_TYPE: m->gw_acc_type = v & 1; return 0;
	case BF_LF_GW_DATA_HIGH: m->gw_data_hi = v; return 0;
	case BF_LF_GW_DATA_LOW: m->gw_data_lo = v; return 0;
	case BF_LF_GW_ADDR: m->gw_cr = v; return 0;
	case BF_LF_GW_ACC_WIDTH: m->gw_width = v; return 0;
	default: return 0;
	}
}

/* ---- CR space through the gateway ---------------------------------------- */

static int cr_read(struct bf_sim_lfcfg *m, uint32_t cr, uint32_t *v)
{
	m->st.cr_reads++;
	if (m->chip->ver == BF_CHIP_BF3)
		return bf3_cr_read(m, cr, v);
	if (cr >= BF_LF_BF2_RSH_BASE && cr < BF_LF_BF2_RSH_BASE + 0x10000)
		return bf2_cr_read(m, cr - BF_LF_BF2_RSH_BASE, v);
	*v = 0;
	return 0;
}

static int cr_write(struct bf_sim_lfcfg *m, uint32_t cr, uint32_t v)
{
	m->st.cr_writes++;
	if (m->chip->ver == BF_CHIP_BF3)
		return bf3_cr_write(m, cr, v);
	if (cr >= BF_LF_BF2_RSH_BASE && cr < BF_LF_BF2_RSH_BASE + 0x10000)
		return bf2_cr_write(m, cr - BF_LF_BF2_RSH_BASE, v);
	return 0;
}

/* ---- config space ---------------------------------------------------------- */

static uint32_t dword_get(const struct bf_sim_lfcfg *m, uint32_t off)
{
	switch (off) {
	case 0x04: return m->command | (uint32_t)(m->hdr[6] | m->hdr[7] << 8) << 16;
	case BF_LF_CFG_ADDR: return m->gw_addr;
	case BF_LF_CFG_DATA: return m->gw_data;
	default:
		if (off < sizeof(m->hdr))
			return (uint32_t)m->hdr[off] | (uint32_t)m->hdr[off + 1] << 8 |
			       (uint32_t)m->hdr[off + 2] << 16 | (uint32_t)m->hdr[off + 3] << 24;
		return 0;   /* no extended capabilities */
	}
}

static int dword_set(struct bf_sim_lfcfg *m, uint32_t off, uint32_t v)
{
	switch (off) {
	case 0x04:
		m->command = (uint16_t)(v & 0x0407);   /* I/O, memory, master, INTx disable */
		return 0;
	case BF_LF_CFG_DATA:
		m->gw_data = v;
		return 0;
	case BF_LF_CFG_ADDR:
		m->gw_addr = v;
		if (v & BF_LF_CFG_READ)
			return cr_read(m, v & ~3u, &m->gw_data);
		return cr_write(m, v & ~3u, m->gw_data);
	default:
		return 0;   /* read-only */
	}
}

int bf_sim_lfcfg_read(struct bf_sim_lfcfg *m, uint32_t off, void *buf, size_t len)
{
	uint8_t *out = buf;

	if (off > BF_LF_CFG_SIZE || len > BF_LF_CFG_SIZE - off)
		return -EINVAL;
	if (bf_sim_gone(m->s))
		return -ENODEV;
	while (len) {
		uint32_t a = off & ~3u, v, k = off & 3u, n = 4 - k;

		if (n > len)
			n = (uint32_t)len;
		m->st.cfg_reads++;
		v = dword_get(m, a);
		memcpy(out, (uint8_t[4]){ (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) } + k, n);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

int bf_sim_lfcfg_write(struct bf_sim_lfcfg *m, uint32_t off, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	int ret;

	if (off > BF_LF_CFG_SIZE || len > BF_LF_CFG_SIZE - off)
		return -EINVAL;
	if (bf_sim_gone(m->s))
		return -ENODEV;
	while (len) {
		uint32_t a = off & ~3u, v = dword_get(m, a), k = off & 3u, n = 4 - k, i;

		if (n > len)
			n = (uint32_t)len;
		for (i = 0; i < n; i++)
			v = (v & ~(0xffu << 8 * (k + i))) | (uint32_t)in[i] << 8 * (k + i);
		m->st.cfg_writes++;
		if ((ret = dword_set(m, a, v)) < 0)
			return ret;
		in += n;
		off += n;
		len -= n;
	}
	return 0;
}
