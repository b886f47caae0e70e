/* chip.h - BlueField RShim register maps (bf_chip_*): one table, used by the
 * host backends and by the simulator alike, so they cannot drift.
 * Facts: doc/rshim.md sections 1 to 5.
 */
#ifndef BF_CHIP_H
#define BF_CHIP_H

#include <stdint.h>

enum bf_chip_ver {
	BF_CHIP_BF1 = 1,
	BF_CHIP_BF2 = 2,
	BF_CHIP_BF3 = 3,
};

/* RShim MMIO channels (register "chan" argument). */
enum {
	BF_CHAN_BOOT = 0x0,
	BF_CHAN_RSHIM = 0x1,
	BF_CHAN_UART0 = 0x2,
	BF_CHAN_UART1 = 0x3,
	BF_CHAN_DIAG_UART = 0x4,
	BF_CHAN_YU = 0x5,
	BF_CHAN_OOB = 0x6,
	BF_CHAN_TIMER_ARM = 0x9,
	BF_CHAN_USB = 0xa,
	BF_CHAN_TIMER_EXT = 0xd,
	BF_CHAN_WDOG0 = 0xe,
	BF_CHAN_WDOG1 = 0xf,
};

/* Offsets within the RShim channel, per chip. */
struct bf_chip_regs {
	uint32_t semaphore0;
	uint32_t fabric_dim;
	uint32_t swint;
	uint32_t boot_fifo_data;
	uint32_t boot_fifo_count;
	uint32_t reset_control;
	uint32_t breadcrumb1;
	uint32_t boot_control;
	uint32_t scratch_buf_ctl;
	uint32_t scratch_buf_dat;
	uint32_t uptime;
	uint32_t uptime_por;
	uint32_t tm_h2t_data;     /* host to tile (DPU) */
	uint32_t tm_h2t_sts;
	uint32_t tm_t2h_data;     /* tile to host */
	uint32_t tm_t2h_sts;
	uint32_t scratchpad1;
	uint32_t scratchpad2;
	uint32_t scratchpad3;
	uint32_t scratchpad6;
	/* MEM_ACC: indirect SoC memory access (CTL: 39:0 address, 48 write,
	 * 54:52 size, 63 send; RSP_CNT counts the answers) */
	uint32_t mem_acc_ctl;
	uint32_t mem_acc_rsp_cnt;
	uint32_t mem_acc_data;
	uint32_t mstr_priv_lvl;     /* DEVICE_MSTR_PRIV_LVL: set the MEM_ACC bit first */
};

struct bf_chip {
	enum bf_chip_ver ver;
	const char *name;          /* "BlueField-3" */
	const char *id;            /* "bf3" */
	uint16_t usb_pid;          /* vendor 0x22dc */
	uint16_t pcie_devid;       /* RShim PF, vendor 0x15b3 */
	uint16_t pcie_lf_devid;    /* livefish */
	uint32_t bar0_size;
	unsigned boot_fifo_words;  /* hardware depth of the boot FIFO */
	/* BOOT_FIFO_COUNT's field: wide enough for a full FIFO (BF1/2: 10
	 * bits for 512 words; BF3: 11 bits for 1024, see doc/usb-timing.md). */
	uint64_t boot_fifo_count_mask;
	unsigned tm_fifo_words;    /* each direction */
	uint64_t uptime_hz;        /* UPTIME counter rate */
	struct bf_chip_regs r;
	unsigned mem_acc_lvl_shift;  /* the MEM_ACC bit in DEVICE_MSTR_PRIV_LVL */
};

#define BF_USB_VENDOR        0x22dc
#define BF_PCI_VENDOR        0x15b3

#define BF_RESET_KEY         0xca710001ull   /* RESET_CONTROL bits 31:0 */
#define BF_FIFO_COUNT_MASK   0x3ffull   /* BF1/2; the generic path never counts past 512 */
#define BF_TM_COUNT_MASK     0x1ffull
#define BF_TM_SPACE_RESERVE  3               /* words the host keeps free */
#define BF_BOOT_CONTROL_RSHIM 0              /* boot from the RShim boot FIFO */
#define BF_BOOT_CONTROL_EMMC  1

/* SCRATCHPAD1 magic values. */
#define BF_SP1_KEEPALIVE     0x0000005089836482ull
#define BF_SP1_OSP_REQ       0x004F53505F524551ull
#define BF_SP1_OSP_ACK       0x004F53505F41434Bull
#define BF_SP1_LOCKED        0x4B434F4C00000000ull  /* secure NIC mode */

/* The OPN string of the YU boot record (16 characters in four 32-bit
 * words, character 0 in bits 31:24 of each): BF3 registers of the YU
 * channel from this offset; BF2 SoC memory at this address (MEM_ACC). */
#define BF_OPN_LEN           16
#define BF_BF3_OPN_YU_OFF    0x9bdcu
#define BF_BF2_OPN_ADDR      0x2800fd8ull

#define BF_MEM_ACC_ADDR_MASK 0xffffffffffull      /* MEM_ACC_CTL 39:0 */
#define BF_MEM_ACC_WRITE     (1ull << 48)
#define BF_MEM_ACC_SIZE_SHIFT 52                  /* 54:52: 2 = 4 bytes, 3 = 8 bytes */
#define BF_MEM_ACC_SIZE_4B   2ull
#define BF_MEM_ACC_SIZE_8B   3ull
#define BF_MEM_ACC_SEND      (1ull << 63)

/* SCRATCHPAD2 (BF3): BF_MODE bits 5:4. */
#define BF_SP2_MODE_SHIFT    4
#define BF_SP2_MODE_MASK     0x30ull
enum { BF_MODE_UNKNOWN = 0, BF_MODE_DPU = 1, BF_MODE_NIC = 2 };

/* Values a register read may return while the chip is resetting. */
#define BF_BAD_VALUE_1       0xbad00acce55ull
#define BF_BAD_VALUE_2       0xbadacce55ull
static inline int bf_chip_is_bad_value(uint64_t v)
{
	return v == BF_BAD_VALUE_1 || v == BF_BAD_VALUE_2 || v == ~0ull;
}

const struct bf_chip *bf_chip_get(enum bf_chip_ver ver);
/* "bf2", "bf3", "BlueField-3", "2", "3" -> chip; NULL if unknown. */
const struct bf_chip *bf_chip_by_name(const char *name);
const struct bf_chip *bf_chip_by_usb_pid(uint16_t pid);
const struct bf_chip *bf_chip_by_pcie_devid(uint16_t devid);
/* A livefish function (0x0211 BF1, 0x0214 BF2, 0x021c BF3). */
const struct bf_chip *bf_chip_by_pcie_lf_devid(uint16_t devid);

/* BF3: linear CR-space base of an RShim channel, 0 when it has none. */
uint32_t bf_chip_bf3_base(uint32_t chan);

/* A register address as users write it (bf-reg style): (chan << 16) | offset,
 * optionally with bit 28 set, or a BF3 linear address such as 0x13000c48.
 * 0 or -EINVAL when it names no RShim channel. */
int bf_chip_addr_split(const struct bf_chip *c, uint32_t addr, uint32_t *chan, uint32_t *off);

/* USB control-transfer addressing of a register (spec rshim.md 1): BF1/BF2
 * wValue = chan, wIndex = addr; BF3 the upper and lower 16 bits of the
 * linear CR address (channels 0, 7, 0xb, 0xc: 0x1000 / addr; chan > 0xf
 * is already linear). -EINVAL when addr does not fit. */
int bf_chip_usb_wvalue_windex(const struct bf_chip *c, uint32_t chan, uint32_t addr,
			      uint16_t *wvalue, uint16_t *windex);

#endif
