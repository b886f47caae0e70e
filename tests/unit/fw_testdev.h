/* fw_testdev.h - the simulated NIC in-process for the fw unit tests: a
 * simulator on the virtual clock, one NIC function bound to bfctl's
 * config-space accessor. */
#ifndef FW_TESTDEV_H
#define FW_TESTDEV_H

#include "fw/dev.h"
#include "nic.h"
#include "sim.h"

struct fwt {
	struct bf_sim *s;
	struct bf_sim_nic *n;
	struct bf_fw_dev *d;
	char dir[64];          /* state directory ("" = none) */
};

/* Power a simulator on (chip BF_CHIP_BF2/3, a power-cut fault or 0,
 * persist when keep_state) without opening the device. */
void fwt_sim(struct fwt *t, enum bf_chip_ver chip, unsigned powercut, bool keep_state);
/* The accessor on function fn (the test owns the simulator). */
struct bf_fw_pci_io fwt_io(struct fwt *t, unsigned fn);
/* fwt_sim + open function fn; asserts success. */
void fwt_open(struct fwt *t, enum bf_chip_ver chip, unsigned fn);
/* Close the device (not the simulator). */
void fwt_close_dev(struct fwt *t);
/* Close everything; the state directory is removed. */
void fwt_close(struct fwt *t);
/* Close and reopen the simulator from its state directory (a new
 * process, as bfctl under `bfsim run` is). */
void fwt_restart(struct fwt *t, unsigned powercut);

#endif
