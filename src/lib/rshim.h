/* rshim.h - the device interface everything above the transport uses
 * (bf_rshim_*). Backends, one file each under rshim/: usb (libusb), pcie
 * (BAR0 from sysfs), pcie_lf (the livefish config-space gateway), daemon
 * (a running rshimd's device files) and sim (a device bfsim serves).
 * Facts: doc/rshim.md.
 */
#ifndef BF_RSHIM_H
#define BF_RSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chip.h"

struct bf_rshim;

struct bf_rshim_ops {
	int (*read_reg)(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val);
	int (*write_reg)(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val);
	/* Push boot-stream bytes without ever overflowing the boot FIFO.
	 * Returns the bytes accepted (0 when the FIFO is full right now) or
	 * -errno. len is a multiple of 8 except on the final call, whose
	 * tail the backend pads with zeros to a whole word. */
	ssize_t (*boot_write)(struct bf_rshim *r, const void *buf, size_t len);
	/* Raw tmfifo words (framed, multiples of 8 bytes) tile->host and
	 * host->tile; NULL when the backend has no dedicated path (the
	 * generic code then uses the TM FIFO registers). */
	ssize_t (*fifo_read)(struct bf_rshim *r, void *buf, size_t len);
	ssize_t (*fifo_write)(struct bf_rshim *r, const void *buf, size_t len);
	void (*close)(struct bf_rshim *r);
	/* Optional: the boot stream is complete (the daemon backend closes
	 * its boot file here). NULL for backends with nothing to do. */
	int (*boot_end)(struct bf_rshim *r);
};

struct bf_rshim {
	const struct bf_rshim_ops *ops;
	const struct bf_chip *chip;
	char name[64];          /* as the user named it: "sim:0", "usb:1-3" */
	char dev_name[64];      /* misc DEV_NAME style: "sim-0", "usb-1-3", "pcie-0000:03:00.2" */
	unsigned reset_delay_ms;  /* wait after a chip reset before pushing */
	bool reprobe;           /* the device re-enumerates across a chip reset (USB) */
	/* A device that leaves the bus unasked (a reset from the DPU or the
	 * NIC firmware, a replug) is looked for again at the same place for
	 * up to this many seconds before a register access fails with
	 * -ENODEV; 0: one look, no wait (a daemon that reopens on its own).
	 * reconnects counts the times it was found again: what the caller
	 * kept of the device's state (TM FIFO framing) starts over. */
	double reconnect_s;
	unsigned reconnects;
	/* Device seconds per real second: 1 for hardware and for every
	 * device reached through a hardware path (USB, PCIe: the host waits
	 * hardware times there, whatever is behind it); what a simulated
	 * device reports over bfsim's socket for sim:N (so that log polling
	 * keeps pace with it as it would with hardware). 0 counts as 1. */
	double speed;
	/* Push the next boot stream into the running system, no reset (the
	 * daemon's BOOT_RESET_SKIP; the other backends never reset on a
	 * push). */
	bool boot_reset_skip;
	void *priv;
};

/* Open a device by the name the user gave ("sim:0", "sim", ...).
 * 0 or -errno with a sentence in bf_error_get() (unknown name: -ENODEV). */
int bf_rshim_open(const char *name, struct bf_rshim **out);
void bf_rshim_close(struct bf_rshim *r);

/* Register access with the "bad value" sentinels turned into -EIO. */
int bf_rshim_read(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val);
int bf_rshim_write(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t val);

/* For data registers (log ring, FIFO data) where any 64-bit value is
 * legitimate: only transport errors fail. */
int bf_rshim_read_data(struct bf_rshim *r, uint32_t chan, uint32_t addr, uint64_t *val);

/* Shorthand for the RShim channel: bf_rshim_rd(r, r->chip->r.scratchpad2, &v). */
static inline int bf_rshim_rd(struct bf_rshim *r, uint32_t off, uint64_t *val)
{
	return bf_rshim_read(r, 1, off, val);
}
static inline int bf_rshim_wr(struct bf_rshim *r, uint32_t off, uint64_t val)
{
	return bf_rshim_write(r, 1, off, val);
}

/* Backend constructors (rshim/<backend>.c). */
int bf_rshim_sim_open(const char *arg, struct bf_rshim **out);
int bf_rshim_pcie_open(const char *arg, struct bf_rshim **out);   /* "pcie:<bdf>" */
int bf_rshim_pcie_lf_open(const char *arg, struct bf_rshim **out);   /* "pcie-lf:<bdf>" */

/* "rshimN" (in $BFCTL_RSHIM_ROOT, default /dev) or a directory path: the
 * device files of a running rshimd (rshim/daemon.c). */
int bf_rshim_daemon_open(const char *name, struct bf_rshim **out);

/* One owner per device (rshim/lock.c): bf_rshim_open takes an flock on
 * <rundir>/<key>.lock ($BFCTL_RUNDIR, default /run/bfctl) and holds it
 * until bf_rshim_close; a second opener gets -EBUSY and a sentence naming
 * the holder. Names that go through rshimd take no lock. */
const char *bf_rshim_rundir(void);
/* The lock key of a device name: 1 with key set, 0 when it is known only
 * after the open (bare "pcie") or needs none (sim without state), -errno. */
int bf_rshim_lock_key(const char *name, char *key, size_t cap);
/* 0 with *fd holding the lock, or -EBUSY ("... is held by rshimd as ..."). */
int bf_rshim_lock_take(const char *name, const char *key, int *fd);
/* Give up a lock taken for a device that did not open: its file is
 * removed (while still held), so that no file is left per name tried. */
void bf_rshim_lock_drop(const char *key, int fd);
/* What the lock file says about its holder: a default for the locks this
 * process takes (program name otherwise), or per open device. */
void bf_rshim_lock_set_holder(const char *note);
int bf_rshim_lock_note(struct bf_rshim *r, const char *note);
int bf_rshim_lock_write_note(int fd, const char *note);

#endif
