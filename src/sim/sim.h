/* sim.h - bfsim, the simulated BlueField (bf_sim_*): RShim registers, boot
 * FIFO, boot ROM/ATF/UEFI/installer stages, RShim log ring, tmfifo, and the
 * non-volatile state kept in a directory. Used in-process by the sim:N
 * backend and by the bfsim program.
 */
#ifndef BF_SIM_H
#define BF_SIM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chip.h"

struct bf_sim_config {
	const struct bf_chip *chip;      /* default BF3 */
	char state_dir[PATH_MAX];        /* "" = nothing persisted */
	double speed;                    /* simulated seconds per real second (1 = real time) */
	uint64_t link_bps;               /* host->device link limit, bytes per simulated second */
	uint64_t drain_bps;              /* boot stream consumption rate, bytes per simulated second */
	/* Faults (0 / false = off). */
	uint64_t fault_stall_after;      /* the device stops draining the boot FIFO after N bytes */
	uint64_t fault_unplug_after;     /* the device vanishes after N boot bytes (-ENODEV from then on) */
	bool fault_corrupt_log;          /* the log ring holds garbage records among the real ones */
	uint64_t fault_corrupt_stream;   /* 1 + offset of a boot-stream byte flipped on its way in (0 = off) */
	/* Virtual clock (in-process tests and benchmarks): simulated time no
	 * longer follows the real clock; each register access advances it by
	 * virtual_access_ns, a bulk write by its link time, bf_sim_advance by
	 * what it is told. Nothing then depends on how the host is scheduled.
	 * A non-zero virtual_access_ns implies the virtual clock. */
	bool virtual_clock;
	uint64_t virtual_access_ns;
	/* The device's idle timeouts (the installer's end of bf.cfg, UEFI
	 * waiting for images) also want this much real time, at most their
	 * own length, so that in a run faster than real time a host that is
	 * merely descheduled is not taken for one that stopped sending.
	 * Default 0.5 s; 0 for a caller that drives the device itself. */
	double idle_real_min_s;
	/* The NIC loses power once, during this phase of a firmware burn
	 * (BF_SIM_POWERCUT_*; 0 = off). */
	unsigned fault_powercut;
	/* The NIC supports live firmware patch (MFRL reset level 0). */
	bool nic_lfwp;
	/* The NIC's resets and live patches leave its new firmware pending:
	 * it keeps running the old one (a device that did not take it). */
	bool fault_no_activate;
	/* The NIC offers live patch (with nic_lfwp) but refuses to do one:
	 * an MFRL level-0 request answers "resource not available". */
	bool fault_lfwp_fail;
	/* The first boot stream after bfsim starts comes too late for UEFI:
	 * when its initramfs begins, UEFI has given up waiting and booted
	 * from eMMC (as when the host stalls past UEFI's 2 s wait); the rest
	 * of that stream is drained and lost. Once per device. */
	bool fault_emmc_boot;
	/* The RShim log semaphore stays taken whatever the host writes (a
	 * wedged firmware holding it): every read says taken. */
	bool fault_sem_stuck;
};

/* ..._STAGING: the device loses power while it stages a runtime upgrade. */
enum { BF_SIM_POWERCUT_NONE, BF_SIM_POWERCUT_LOCK, BF_SIM_POWERCUT_MCDA, BF_SIM_POWERCUT_VERIFY,
       BF_SIM_POWERCUT_ACTIVATE, BF_SIM_POWERCUT_STAGING };

/* Defaults: BF3, no state, speed 1, link 40 MB/s (USB 2.0 HS bulk),
 * drain 80 MB/s (boot ROM / UEFI consumption). */
void bf_sim_config_defaults(struct bf_sim_config *c);
/* "stall-after=BYTES", "unplug-after=BYTES", "corrupt-log",
 * "corrupt-stream=OFFSET", "powercut-during=lock|mcda|verify|activate|staging",
 * "no-activate".
 * 0 or -EINVAL. */
int bf_sim_config_add_fault(struct bf_sim_config *c, const char *spec);
/* Apply BFSIM_CHIP, BFSIM_STATE, BFSIM_SPEED, BFSIM_LINK_BPS,
 * BFSIM_DRAIN_BPS and BFSIM_FAULT (comma-separated faults) on top of c. */
int bf_sim_config_from_env(struct bf_sim_config *c);
/* Export c into those variables (for the COMMAND that `bfsim run` starts). */
int bf_sim_config_to_env(const struct bf_sim_config *c);

struct bf_sim;

/* Power on (or resume from state_dir). 0 or -errno. */
int bf_sim_open(const struct bf_sim_config *c, struct bf_sim **out);
/* Save state to state_dir and free. */
void bf_sim_close(struct bf_sim *s);

const struct bf_chip *bf_sim_chip(const struct bf_sim *s);

/* The RShim register file as the host reaches it. Unmapped addresses read
 * 0 and ignore writes, like the hardware. -ENODEV after an unplug fault. */
int bf_sim_read_reg(struct bf_sim *s, uint32_t chan, uint32_t addr, uint64_t *val);
int bf_sim_write_reg(struct bf_sim *s, uint32_t chan, uint32_t addr, uint64_t val);

/* The bulk boot path (USB boot endpoint): takes whole words up to the free
 * space of the boot FIFO, paced by the link rate; returns bytes accepted
 * (0 when full) or -ENODEV. A final partial word is zero-padded. */
ssize_t bf_sim_boot_write(struct bf_sim *s, const void *buf, size_t len);
/* The same without the wait: *until_ns is when the transfer ends on the
 * host's monotonic clock (0: no wait), for a caller that answers first
 * and waits before the next request (bfsim's socket server). */
ssize_t bf_sim_boot_write_paced(struct bf_sim *s, const void *buf, size_t len, uint64_t *until_ns);

/* Advance the simulated time to now (register accesses do this too). */
void bf_sim_tick(struct bf_sim *s);
/* The device vanishes from its host (every access ends with ENODEV; the
 * chip and the DPU's OS go on running) or comes back (bfsim run: SIGUSR1,
 * SIGUSR2). */
void bf_sim_set_plugged(struct bf_sim *s, bool plugged);
/* Virtual clock only: advance simulated time by secs (and run what falls
 * due). Ignored on the real clock. */
void bf_sim_advance(struct bf_sim *s, double secs);
/* Simulated seconds since the simulator started (the time base of the
 * timing models: USB transfers, bulk link). */
double bf_sim_time(const struct bf_sim *s);
/* Simulated seconds since the last chip reset. */
double bf_sim_uptime(const struct bf_sim *s);

/* Counters and what the installer recorded, for `bfsim status`. */
struct bf_sim_status {
	uint64_t boot_bytes;             /* bytes received on the boot FIFO since reset */
	uint64_t resets;
	char phase[32];                  /* "off", "boot-rom", "atf", "uefi", "installer", "os", "stalled" */
	/* Added after the first version of this API. */
	uint64_t drained_bytes;          /* consumed by the boot model */
	uint64_t overflow_bytes;         /* pushed into a full FIFO: lost */
	uint64_t log_dropped;            /* log messages that did not fit the ring */
	size_t pending_events;           /* firmware/installer steps still to come */
};
void bf_sim_get_status(const struct bf_sim *s, struct bf_sim_status *st);

/* A process of a simulated DPU's OS (quick mode: its sshd), which bfsim
 * run leaves to the device rather than end with COMMAND's leftovers. */
bool bf_sim_dpuos_is_ours(pid_t pid);

#endif
