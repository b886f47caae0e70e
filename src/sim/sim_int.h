/* sim_int.h - bfsim internals shared by its files (not a public API). */
#ifndef BF_SIM_INT_H
#define BF_SIM_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <zlib.h>

#include "bfb.h"
#include "chip.h"
#include "rlog.h"
#include "sim.h"

#define SIM_MAX_FIFO_BYTES  8192          /* largest boot FIFO (BF3: 1024 words) */
#define SIM_CFG_MAX         65536         /* bf.cfg bytes kept from the FIFO */
#define SIM_INFO_MAX        (1u << 20)    /* info image bytes kept */
#define SIM_MANIFEST_MAX    65536         /* bfsim-installer.json bytes kept */
#define SIM_EVENT_TEXT      160
#define SIM_CFG_IDLE_S      0.5           /* the installer stops reading the FIFO after 500 ms without data */

enum sim_phase {
	PH_OFF, PH_BOOT_ROM, PH_ATF, PH_UEFI, PH_WAIT_CFG, PH_INSTALLER, PH_REBOOT,
	PH_OS, PH_NO_OS, PH_STALLED, PH_NIC_MODE,
};

/* What an event does besides logging its text. */
enum sim_action {
	ACT_NONE, ACT_OS_INSTALLED, ACT_ATF_UEFI, ACT_NIC_FW, ACT_BMC_FW, ACT_CEC_FW,
	ACT_PASSWORD, ACT_REBOOT, ACT_OS_UP, ACT_NIC_MODE, ACT_STALL,
};

struct sim_event {
	double t;                 /* simulated time */
	uint8_t module, level, action;
	bool log;                 /* append text to the log ring */
	char text[SIM_EVENT_TEXT];
};

/* Streaming reader of a gzip'd newc cpio: finds one file by name. */
struct sim_cpio {
	z_stream z;
	bool z_ok, done, failed;
	uint8_t hdr[110];
	unsigned hfill;
	unsigned state;           /* 0 header, 1 name, 2 name pad, 3 data, 4 data pad */
	uint32_t namesize, filesize, left;
	char name[256];
	unsigned nfill;
	bool want;                /* current entry is the one looked for */
	char *out;                /* the file's bytes (bounded) */
	size_t out_len;
	bool found;
	uint64_t entries;
};

struct bf_sim {
	struct bf_sim_config cfg;
	const struct bf_chip *chip;

	/* time: sim_now = sim0 + (mono - mono0) * speed */
	uint64_t mono0_ns;
	double sim0;
	double reset_t;           /* simulated time of the last chip reset */
	double por_t;             /* of power-on */
	double drain_t;           /* boot FIFO drained up to here */
	double last_data_t;       /* last byte drained (installer's bf.cfg read) */
	double link_t;            /* the host link is busy until then */

	/* registers of the RShim channel (generic store) */
	uint64_t rsh[0x8000 / 8];
	bool sem_taken;

	/* log ring */
	uint64_t ring[BF_RLOG_RING_WORDS];
	unsigned ring_idx;        /* SCRATCH_BUF_CTL: words used, and the DAT read pointer */
	uint64_t log_dropped;

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
	bool saw_bl33, saw_initramfs;
	char *bfcfg;              /* bf.cfg from the FIFO */
	size_t bfcfg_len;
	bool rootfs;
	uint64_t trailing;
	char *info;               /* info image */
	size_t info_len;
	struct sim_cpio cpio;     /* scanning the initramfs */
	json_object *manifest;    /* bfsim-installer.json */

	/* timeline */
	struct sim_event *ev;
	size_t nev, evcap;

	/* non-volatile state and counters */
	json_object *nv;
	uint64_t resets;
};

/* sim.c */
double bf_sim_now(const struct bf_sim *s);
void bf_sim_schedule(struct bf_sim *s, double t, unsigned module, unsigned level,
		     enum sim_action act, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void bf_sim_log(struct bf_sim *s, unsigned module, unsigned level, const char *text);
const char *bf_sim_phase_name(enum sim_phase p);

/* regs.c */
void bf_sim_chip_reset(struct bf_sim *s);
void bf_sim_fifo_drain(struct bf_sim *s, double now);
size_t bf_sim_fifo_push(struct bf_sim *s, const uint8_t *buf, size_t len);

/* stream.c */
void bf_sim_stream_reset(struct bf_sim *s);
void bf_sim_stream_feed(struct bf_sim *s, const uint8_t *buf, size_t len, double t);
void bf_sim_stream_idle(struct bf_sim *s, double now);
void bf_sim_stream_free(struct bf_sim *s);

/* installer.c */
void bf_sim_installer_start(struct bf_sim *s, double t);
void bf_sim_os_boot(struct bf_sim *s, double t);
void bf_sim_apply_action(struct bf_sim *s, const struct sim_event *e);

/* state.c */
int bf_sim_state_load(struct bf_sim *s);
int bf_sim_state_save(struct bf_sim *s);
json_object *bf_sim_nv_installed(struct bf_sim *s);

#endif
