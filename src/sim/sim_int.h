/* sim_int.h - bfsim internals shared by its files (not a public API). */
#ifndef BF_SIM_INT_H
#define BF_SIM_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "bfb.h"
#include "chip.h"
#include "rlog.h"
#include "tmfifo.h"
#include "sim.h"

#define SIM_MAX_FIFO_BYTES  8192          /* largest boot FIFO (BF3: 1024 words) */
#define SIM_CFG_MAX         65536         /* bf.cfg bytes kept from the FIFO */
#define SIM_INFO_MAX        (1u << 20)    /* info image bytes kept */
#define SIM_MANIFEST_MAX    65536         /* bfsim-installer.json bytes kept */
#define SIM_INITRD_SCAN     (16u << 20)   /* initramfs bytes scanned for the manifest */
#define SIM_TM_WORDS        256           /* TM FIFO depth, each direction */
#define SIM_OUTQ            4096          /* console output not yet in the FIFO */
#define SIM_EVENT_TEXT      160
#define SIM_CFG_IDLE_S      0.5           /* the installer stops reading the FIFO after 500 ms without data */

enum sim_phase {
	PH_OFF, PH_BOOT_ROM, PH_ATF, PH_UEFI, PH_WAIT_CFG, PH_INSTALLER, PH_REBOOT,
	PH_OS, PH_NO_OS, PH_STALLED, PH_NIC_MODE, PH_RUNTIME,
};
#define PH_LAST PH_RUNTIME

/* What an event does besides logging its text. */
enum sim_action {
	ACT_NONE, ACT_OS_INSTALLED, ACT_ATF_UEFI, ACT_NIC_FW, ACT_BMC_FW, ACT_CEC_FW,
	ACT_PASSWORD, ACT_REBOOT, ACT_OS_UP, ACT_NIC_MODE, ACT_STALL,
	ACT_HOOK, ACT_OS_IMAGE, ACT_RT_DONE, ACT_RT_POWERCUT, ACT_BMC_REBOOT, ACT_CEC_RESET,
};
#define ACT_LAST ACT_CEC_RESET

/* What the BMC runs (its FirmwareInventory) until an update activates
 * other firmware: the "current" version set of bfsim bundle. */
#define SIM_BMC_FW_DEFAULT "BF-24.04-5"
#define SIM_CEC_FW_DEFAULT "00.02.0182.0000_n02"
#define SIM_BMC_REBOOT_S 60.0     /* a BMC reboot, simulated seconds */

#define SIM_NICFW_MAX       (4u << 20)    /* nicfw image bytes kept (runtime upgrade) */

struct sim_event {
	double t;                 /* simulated time */
	uint8_t module, level, action;
	bool log;                 /* append text to the log ring */
	char text[SIM_EVENT_TEXT];
};

struct bf_sim {
	struct bf_sim_config cfg;
	const struct bf_chip *chip;

	/* time: sim_now = sim0 + (mono - mono0) * speed, or sim0 + virt_t on
	 * the virtual clock */
	uint64_t mono0_ns;
	double sim0;
	double virt_t;
	double reset_t;           /* simulated time of the last chip reset */
	double por_t;             /* of power-on */
	double drain_t;           /* boot FIFO drained up to here */
	double last_data_t;       /* last byte drained (installer's bf.cfg read) */
	uint64_t last_data_ns;    /* ... on the host's monotonic clock */
	double link_t;            /* the host link is busy until then */

	/* registers of the RShim channel (generic store) */
	uint64_t rsh[0x8000 / 8];
	bool sem_taken;
	/* the OPN string of the YU boot record, once written (else the default) */
	char opn[BF_OPN_LEN];
	bool opn_set;

	/* log ring */
	uint64_t ring[BF_RLOG_RING_WORDS];
	unsigned ring_idx;        /* SCRATCH_BUF_CTL: words used, and the DAT read pointer */
	uint64_t log_dropped;     /* messages that did not fit */
	uint64_t log_truncated;   /* messages cut to the room left */
	unsigned garbage_seq;     /* corrupt-log fault */

	/* TM FIFOs and the console */
	uint64_t h2t[SIM_TM_WORDS], t2h[SIM_TM_WORDS];
	unsigned h2t_head, h2t_len, t2h_head, t2h_len;
	uint64_t tm_lost;         /* host words pushed into a full FIFO */
	struct bf_tmfifo_rx tmrx;
	char outq[SIM_OUTQ];
	size_t outq_len;
	uint64_t console_dropped, net_dropped;
	struct sim_net {                /* the DPU's tmfifo_net0 (net.c) */
		bool init;
		int fd;                 /* TAP in the DPU's namespace ($BFSIM_NET_FD), -1 none */
		uint8_t pend[BF_TMFIFO_HDR_LEN + BF_TMFIFO_NET_MAX + 8];
		size_t pend_len;        /* a framed packet waiting for tile-to-host room */
		uint64_t ctrl[4];       /* answers to CTRL_REQ waiting */
		unsigned nctrl;
		uint64_t next_read_ns;  /* the TAP was empty: look again after this */
		uint8_t mac[6];         /* the DPU's MAC (set by PEER_MAC) */
		uint32_t pxe_id;
		uint16_t vlan[2];
		uint64_t rx_pkts, tx_pkts;
		/* or a QEMU stream netdev peer ($BFSIM_NET_LISTEN: a listening
		 * unix socket; frames as 4-byte big-endian length + frame) */
		int lfd;
		bool stream;
		uint8_t sbuf[4 + BF_TMFIFO_NET_MAX + 64];
		size_t sfill;
	} net;

	/* boot FIFO */
	uint8_t fifo[SIM_MAX_FIFO_BYTES];
	size_t fifo_cap, fifo_head, fifo_len;
	uint64_t boot_bytes;      /* accepted since the last reset */
	uint64_t drained_bytes;
	uint64_t overflow_bytes;
	bool unplugged;
	bool stalled;

	/* boot model */
	enum sim_phase phase;
	struct bf_bfb_parser parser;
	bool stream_error;
	bool emmc_fault_done;     /* the emmc-boot fault fired */
	bool saw_bl33, saw_initramfs;
	double uefi_t;            /* UEFI is up (eMMC probed) from then on */
	unsigned bootargs_vers;   /* bit n: boot-args -vN seen */
	bool has_install_sh, has_os_image;   /* seen in the initramfs */
	uint8_t *initrd;          /* the first SIM_INITRD_SCAN bytes of the initramfs */
	size_t initrd_cap;        /* its mapping's size */
	size_t initrd_len;
	json_object *info_json;   /* info image (id 50) */
	char *bfcfg;              /* bf.cfg from the FIFO */
	size_t bfcfg_len;
	bool rootfs;
	uint64_t trailing;
	char *info;               /* info image */
	size_t info_len;
	uint8_t *nicfw;           /* nicfw image (id 41) of an install stream */
	size_t nicfw_len;
	json_object *manifest;    /* bfsim-installer.json */

	/* timeline */
	struct sim_event *ev;
	size_t nev, evcap;

	/* non-volatile state and counters */
	json_object *nv;
	uint64_t resets;

	/* the DPU's OS in quick mode (dpuos.c): sshd in the DPU's namespaces */
	int dpuos_pid;

	/* the NIC (nic*.c), made on first use */
	struct nic_core *nic;

	/* runtime (deferred) upgrade, runtime.c */
	struct sim_rt {
		bool receiving;           /* the DPU OS reads the boot FIFO */
		enum sim_phase prev;      /* the phase to return to */
		uint8_t *nicfw;           /* nicfw image (id 41) as received */
		size_t nicfw_len;
		bool nicfw_over, capsule, bad_image;
		bool powercut_fired;
	} rt;
	double dp_down_s;             /* data path down (NIC resets), simulated seconds */
	unsigned lfwp_count;          /* live firmware patches */

	/* The device's BMC (bmc.c) while bfsim serves it, under the host
	 * lock: its root password (the installer's Redfish login checks
	 * against it) and a reboot the installer asked for ("Rebooting
	 * BMC..."), which activates the BMC firmware it staged. */
	const char *bmc_password;
	bool bmc_reboot_req;
};

/* installer.c: BMC or CEC firmware the installer staged (nv bmc_staged)
 * becomes what the BMC reports (installed): key "bmc_fw" at a BMC reboot,
 * "cec_fw" at a CEC reset. */
void bf_sim_bmc_fw_activate(struct bf_sim *s, const char *key);

/* hooks.c: run a bf.cfg function as the installer does */
void bf_sim_hook_run(struct bf_sim *s, const char *name);
/* STATE/rootfs[/rel]: the DPU's root file system. 0, -ENOENT (no state), -ENAMETOOLONG. */
int bf_sim_rootfs_path(const struct bf_sim *s, const char *rel, char *out, size_t cap);
/* dpuos.c: the OS image laid out in the rootfs; the OS's services */
void bf_sim_dpuos_image(struct bf_sim *s, const char *release);
void bf_sim_dpuos_start(struct bf_sim *s);
void bf_sim_dpuos_stop(struct bf_sim *s);

/* sim.c */
double bf_sim_now(const struct bf_sim *s);
void bf_sim_schedule(struct bf_sim *s, double t, unsigned module, unsigned level,
		     enum sim_action act, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void bf_sim_log(struct bf_sim *s, unsigned module, unsigned level, const char *text);
const char *bf_sim_phase_name(enum sim_phase p);

/* regs.c */
void bf_sim_chip_reset(struct bf_sim *s);
/* runtime.c: the ARM cores reset with the NIC (a full-chip firmware reset):
 * the DPU boots again from eMMC. */
void bf_sim_chip_reset_arm(struct bf_sim *s);

/* bootfifo.c */
bool bf_sim_gone(struct bf_sim *s);
void bf_sim_fifo_drain(struct bf_sim *s, double now);
size_t bf_sim_fifo_push(struct bf_sim *s, const uint8_t *buf, size_t len);
uint64_t bf_sim_fifo_count(const struct bf_sim *s);

/* logring.c */
uint64_t bf_sim_ring_ctl(const struct bf_sim *s);
void bf_sim_ring_set_ctl(struct bf_sim *s, uint64_t v);
uint64_t bf_sim_ring_dat(struct bf_sim *s);

/* console.c */
/* FIFO depth in words, each direction. */
unsigned bf_sim_tm_depth(const struct bf_sim *s);
uint64_t bf_sim_tm_h2t_count(const struct bf_sim *s);
uint64_t bf_sim_tm_t2h_count(const struct bf_sim *s);
void bf_sim_tm_h2t_push(struct bf_sim *s, uint64_t w);
uint64_t bf_sim_tm_t2h_pop(struct bf_sim *s);
void bf_sim_console_print(struct bf_sim *s, const char *buf, size_t len);
void bf_sim_console_banner(struct bf_sim *s, const char *os, const char *ver, const char *host);
void bf_sim_console_tick(struct bf_sim *s);

/* net.c: the DPU side of the tmfifo network and control messages. */
void bf_sim_net_from_host(struct bf_sim *s, uint8_t type, const uint8_t *buf, size_t len);
/* Move DPU frames and control answers into the tile-to-host FIFO. */
void bf_sim_net_tick(struct bf_sim *s, size_t (*free_words)(const struct bf_sim *),
		     void (*push)(struct bf_sim *, const uint8_t *, size_t));

/* boot.c */
void bf_sim_stream_reset(struct bf_sim *s);
void bf_sim_stream_feed(struct bf_sim *s, const uint8_t *buf, size_t len, double t);
void bf_sim_stream_idle(struct bf_sim *s, double now);
void bf_sim_stream_free(struct bf_sim *s);

/* installer.c */
void bf_sim_installer_start(struct bf_sim *s, double t);
void bf_sim_os_boot(struct bf_sim *s, double t);
void bf_sim_apply_action(struct bf_sim *s, const struct sim_event *e);

/* runtime.c: the deferred (runtime) upgrade the DPU OS runs, and
 * activation of what it staged. */
void bf_sim_runtime_swint(struct bf_sim *s);
bool bf_sim_runtime_receiving(const struct bf_sim *s);
/* A runtime upgrade was asked for (SP2 bit 2) but the OS does not read the
 * boot FIFO yet (still booting): the FIFO fills and the host waits. */
bool bf_sim_runtime_held(const struct bf_sim *s);
/* The OS is up: a runtime upgrade asked for while it booted starts. */
void bf_sim_runtime_os_up(struct bf_sim *s);
void bf_sim_runtime_image(struct bf_sim *s, unsigned id, const uint8_t *buf, size_t len);
void bf_sim_runtime_bad_image(struct bf_sim *s, const char *why);
void bf_sim_runtime_idle(struct bf_sim *s, double now);
void bf_sim_runtime_action(struct bf_sim *s, const struct sim_event *e);
/* The ARM cores reboot: staged ATF/UEFI/BSP become the running ones. */
void bf_sim_runtime_arm_reset(struct bf_sim *s);
/* The DPU OS publishes the running ATF/UEFI/BSP versions in the log. */
void bf_sim_runtime_publish(struct bf_sim *s, double t);
void bf_sim_runtime_free(struct bf_sim *s);
/* A member's version in the info image: "<BF2|BF3>_<what>" (chip NULL:
 * "<what>"), or NULL. */
const char *bf_sim_info_version(json_object *info, const char *chip, const char *what);

/* state.c */
int bf_sim_state_load(struct bf_sim *s);
int bf_sim_state_save(struct bf_sim *s);
int bf_sim_nv_save(struct bf_sim *s);
json_object *bf_sim_nv_installed(struct bf_sim *s);
/* A state file, bounded and validated (it is input like any other);
 * NULL with *err 0 when it does not exist. */
json_object *bf_sim_state_read(const char *dir, const char *name, int *err);

#endif
