/* fw/query.h - what `flint q` shows, read from the device's registers
 * (bf_fw_query): MGIR, MCQS/MCQI (running and pending versions), MQIS.
 * Facts: doc/firmware.md section 3. */
#ifndef BF_FW_QUERY_H
#define BF_FW_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "fw/dev.h"

#define BF_FW_QUERY_ROMS 4

struct bf_fw_query {
	char device_type[24];          /* "BlueField3" */
	char image_type[8];            /* "FS4" */
	char fw_version[16];           /* pending if there is one, else running */
	char fw_running[16];
	bool pending;                  /* a new image waits for a reset */
	char release_date[16];         /* of fw_version, "d.m.yyyy" */
	char product_version[20];
	struct { char type[24], version[16], cpu[24]; } rom[BF_FW_QUERY_ROMS];
	unsigned nrom;
	char base_guid[20], base_mac[16];
	char image_vsd[64], device_vsd[64];
	char psid[20];
	char security[160];            /* "secure-fw[, dbg-token]..." */
	char model[96], description[160];
	uint16_t pci_devid, hw_id;
	uint32_t uptime;               /* seconds since the NIC's last reset */
	uint32_t ini_revision;
};

int bf_fw_query(struct bf_fw_dev *d, struct bf_fw_query *q);

#endif
