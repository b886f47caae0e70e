/* chip.c - the BF1/BF2/BF3 RShim register tables. */
#include "config.h"
#include "chip.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* BlueField-1 and -2 share one RShim register layout. */
#define BF12_REGS { \
	.semaphore0 = 0x028, .fabric_dim = 0x110, .swint = 0x318, \
	.boot_fifo_data = 0x408, .boot_fifo_count = 0x488, \
	.reset_control = 0x500, .breadcrumb1 = 0x518, .boot_control = 0x528, \
	.scratch_buf_ctl = 0x600, .scratch_buf_dat = 0x610, \
	.uptime = 0x630, .uptime_por = 0x638, \
	.tm_h2t_data = 0xa20, .tm_h2t_sts = 0xa28, \
	.tm_t2h_data = 0xa40, .tm_t2h_sts = 0xa48, \
	.scratchpad1 = 0xc20, .scratchpad2 = 0xc28, \
	.scratchpad3 = 0xc30, .scratchpad6 = 0xc48, \
	.mem_acc_ctl = 0x8f0, .mem_acc_rsp_cnt = 0x8f8, .mem_acc_data = 0x900, \
	.mstr_priv_lvl = 0x550, \
}

static const struct bf_chip chips[] = {
	{
		.ver = BF_CHIP_BF1, .name = "BlueField-1", .id = "bf1",
		.usb_pid = 0x0004, .pcie_devid = 0xc2d2, .pcie_lf_devid = 0x0211,
		.bar0_size = 0x100000, .boot_fifo_words = 512, .boot_fifo_count_mask = 0x3ff, .tm_fifo_words = 256,
		.uptime_hz = 200000000ull,
		.r = BF12_REGS, .mem_acc_lvl_shift = 48,
	},
	{
		.ver = BF_CHIP_BF2, .name = "BlueField-2", .id = "bf2",
		.usb_pid = 0x0214, .pcie_devid = 0xc2d3, .pcie_lf_devid = 0x0214,
		.bar0_size = 0x100000, .boot_fifo_words = 512, .boot_fifo_count_mask = 0x3ff, .tm_fifo_words = 256,
		.uptime_hz = 200000000ull,
		.r = BF12_REGS, .mem_acc_lvl_shift = 48,
	},
	{
		.ver = BF_CHIP_BF3, .name = "BlueField-3", .id = "bf3",
		.usb_pid = 0x021c, .pcie_devid = 0xc2d4, .pcie_lf_devid = 0x021c,
		.bar0_size = 0x800000, .boot_fifo_words = 1024, .boot_fifo_count_mask = 0x7ff, .tm_fifo_words = 256,
		.uptime_hz = 200000000ull,
		.r = {
			.semaphore0 = 0xf10, .fabric_dim = 0x110, .swint = 0x318,
			.boot_fifo_data = 0x2000, .boot_fifo_count = 0x1000,
			.reset_control = 0x500, .breadcrumb1 = 0x518, .boot_control = 0x528,
			.scratch_buf_ctl = 0x600, .scratch_buf_dat = 0x610,
			.uptime = 0x630, .uptime_por = 0x638,
			.tm_h2t_data = 0x4000, .tm_h2t_sts = 0x6000,
			.tm_t2h_data = 0x5000, .tm_t2h_sts = 0x6100,
			.scratchpad1 = 0xc40, .scratchpad2 = 0xc48,
			.scratchpad3 = 0xc50, .scratchpad6 = 0xc68,
			.mem_acc_ctl = 0x808, .mem_acc_rsp_cnt = 0x810, .mem_acc_data = 0x828,
			.mstr_priv_lvl = 0x820,
		},
		.mem_acc_lvl_shift = 0,
	},
};

const struct bf_chip *bf_chip_get(enum bf_chip_ver ver)
{
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (chips[i].ver == ver)
			return &chips[i];
	return NULL;
}

const struct bf_chip *bf_chip_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++) {
		if (!strcasecmp(name, chips[i].id) || !strcasecmp(name, chips[i].name) ||
		    (name[0] - '0' == (int)chips[i].ver && name[1] == '\0'))
			return &chips[i];
	}
	return NULL;
}

const struct bf_chip *bf_chip_by_usb_pid(uint16_t pid)
{
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (chips[i].usb_pid == pid)
			return &chips[i];
	return NULL;
}

const struct bf_chip *bf_chip_by_pcie_devid(uint16_t devid)
{
	size_t i;

	if (devid == 0xc2d5)   /* second BF3 RShim PF id */
		return bf_chip_get(BF_CHIP_BF3);
	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (chips[i].pcie_devid == devid)
			return &chips[i];
	return NULL;
}

const struct bf_chip *bf_chip_by_pcie_lf_devid(uint16_t devid)
{
	size_t i;

	for (i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (chips[i].pcie_lf_devid == devid)
			return &chips[i];
	return NULL;
}

/* BF3 linear CR-space base of each RShim channel (spec rshim.md, 0); 0 for
 * the channels without a window (0, 7, 0xb, 0xc). The one table behind
 * the address forms of every transport. */
static const uint32_t bf3_linear[16] = {
	[BF_CHAN_RSHIM] = 0x13000000, [BF_CHAN_UART0] = 0x13010000, [BF_CHAN_UART1] = 0x13011000,
	[BF_CHAN_DIAG_UART] = 0x13012000, [BF_CHAN_USB] = 0x13012400, [BF_CHAN_WDOG0] = 0x13020000,
	[BF_CHAN_WDOG1] = 0x13040000, [0x8] = 0x13060000, [BF_CHAN_TIMER_ARM] = 0x13080000,
	[BF_CHAN_TIMER_EXT] = 0x130a0000, [BF_CHAN_OOB] = 0x130a1000, [BF_CHAN_YU] = 0x13400000,
};

uint32_t bf_chip_bf3_base(uint32_t chan)
{
	return chan < 16 ? bf3_linear[chan] : 0;
}

int bf_chip_addr_split(const struct bf_chip *c, uint32_t addr, uint32_t *chan, uint32_t *off)
{
	size_t i, best = SIZE_MAX;

	addr &= ~0x10000000u;   /* bf-reg's "global MMIO" marker */
	if ((addr >> 16) <= 0xf) {
		*chan = addr >> 16;
		*off = addr & 0xffff;
		return 0;
	}
	if (c->ver != BF_CHIP_BF3)
		return -EINVAL;
	addr |= 0x10000000u;
	/* The channel whose window starts closest below addr. */
	for (i = 0; i < 16; i++)
		if (bf3_linear[i] && addr >= bf3_linear[i] &&
		    (best == SIZE_MAX || bf3_linear[i] > bf3_linear[best]))
			best = i;
	if (best == SIZE_MAX || addr - bf3_linear[best] > 0xffff)
		return -EINVAL;
	*chan = (uint32_t)best;
	*off = addr - bf3_linear[best];
	return 0;
}

int bf_chip_usb_wvalue_windex(const struct bf_chip *c, uint32_t chan, uint32_t addr,
			      uint16_t *wvalue, uint16_t *windex)
{
	uint32_t idx;

	if (c->ver != BF_CHIP_BF3 || chan > 0xf) {
		if (chan > 0xffff || addr > 0xffff)
			return -EINVAL;
		*wvalue = (uint16_t)chan;
		*windex = (uint16_t)addr;
		return 0;
	}
	if (!bf3_linear[chan]) {
		/* Channels without a linear window: global MMIO base only. */
		if (addr > 0xffff)
			return -EINVAL;
		*wvalue = 0x1000;
		*windex = (uint16_t)addr;
		return 0;
	}
	/* wValue:wIndex are the upper:lower halves of the linear address;
	 * the offset must stay within the channel's 64 KiB page. */
	idx = (bf3_linear[chan] & 0xffff) + addr;
	if (idx > 0xffff)
		return -EINVAL;
	*wvalue = (uint16_t)(bf3_linear[chan] >> 16);
	*windex = (uint16_t)idx;
	return 0;
}
