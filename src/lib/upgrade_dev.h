/* upgrade_dev.h - a firmware upgrade against the device (bf_upgrade_*):
 * reading the running versions (NIC over PCI config space, ATF/UEFI/BSP
 * from the RShim log), the deferred handshake in SCRATCHPAD2/SWINT, the
 * flat repack of a bundle, the per-device history file. Facts:
 * doc/upgrade.md. */
#ifndef BF_UPGRADE_DEV_H
#define BF_UPGRADE_DEV_H

#include <stdbool.h>
#include <stddef.h>

#include "rshim.h"
#include "upgrade.h"

/* SCRATCHPAD2 bits of the deferred flow (upstream bfb-install). */
#define BF_UPG_SP2_DEFERRED   0x4ull
#define BF_UPG_SP2_ACTIVATE   0x40ull
#define BF_UPG_SP2_CLEAR      0xc4ull     /* bits 2, 6, 7 */
#define BF_UPG_SP2_STATUS     0x1800ull   /* bits 12:11 */
#define BF_UPG_SP2_OK         0x1000ull   /* 10b */
#define BF_UPG_SP2_FAIL       0x1800ull   /* 11b */
#define BF_UPG_SWINT_BIT      0x4ull

/* The NIC beside an RShim device, as `bfctl fw` names it: sim:N for
 * sim:N, D:B:D.0 for pcie:D:B:D.F; "" when the host has no path to it
 * (USB, a daemon's device name such as rshim0). Also takes the DEV_NAME
 * a daemon's misc shows ("sim-0", "pcie-0000:03:00.2"). */
void bf_upgrade_nic_name(const char *rshim, char *nic, size_t cap);
/* The NIC's running and pending firmware, its PSID and whether it can be
 * live-patched (reset level 0). 0 or -errno with a sentence. */
int bf_upgrade_read_nic(const char *nic, struct bf_upgrade_plan *p);
/* Live firmware patch (MFRL reset level 0): pending NIC firmware runs
 * without a reset. *supported false (and 0) when the NIC does not offer
 * level 0; nothing is then written. 0 or -errno with a sentence. */
int bf_upgrade_live_patch(const char *nic, bool *supported);
/* ATF/UEFI/BSP as the DPU last published them in the RShim log (read
 * without clearing it). *found false when the ring holds no such line. */
int bf_upgrade_read_arm(struct bf_rshim *r, struct bf_upgrade_plan *p, bool *found);

/* The DPU runs in NIC mode (SCRATCHPAD2 BF_MODE, BlueField-3). */
bool bf_upgrade_nic_mode(struct bf_rshim *r);
/* Upstream clear_sp2_267: SP2 bits 2, 6, 7 cleared, SWINT bit 2 set. */
int bf_upgrade_sp2_clear(struct bf_rshim *r);
/* The deferred request before the push: drain the boot FIFO, SP2 bit 2,
 * SWINT bit 2 (not in NIC mode). */
int bf_upgrade_deferred_arm(struct bf_rshim *r);
/* SP2 bits 12:11: 0 idle, 2 success (10b), 3 failure (11b). */
int bf_upgrade_sp2_status(struct bf_rshim *r, unsigned *st);
/* ActivateFirmware: SP2 bit 6 and SWINT, then SP2 bits 12:11 polled
 * every second up to timeout_s. *st as above (0: no answer). */
int bf_upgrade_activate_request(struct bf_rshim *r, double timeout_s, unsigned *st);

/* The bundle repacked in the flat format for the deferred flow: its
 * boot chain, capsule, NIC firmware and info; no kernel, initramfs or
 * boot arguments. Written under dir (a new file); its path in out. */
int bf_upgrade_flat(const char *bundle, const char *dir, char *out, size_t cap);

/* The per-device history file: upgrade.jsonl in the device's state
 * directory ($BFCTL_STATE_DIR or /var/lib/bfctl, then the device name, as
 * provisioning keeps its journal), one record per line. */
int bf_upgrade_history_path(const char *dev, char *out, size_t cap);
/* Append one JSON line (created O_EXCL|O_NOFOLLOW 0600, appended
 * O_APPEND|O_NOFOLLOW). 0 or -errno with a sentence. */
int bf_upgrade_history_append(const char *dev, const char *line);
/* The whole file (at most 4 MiB; *buf NULL and 0 when there is none). */
int bf_upgrade_history_read(const char *dev, char **buf, size_t *len);

#endif
