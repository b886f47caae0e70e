/* upgrade_bmc.c - bfctl upgrade --bmc: the BMC and CEC firmware the DPU
 * runs, from its BMC's Redfish FirmwareInventory (BMC_Firmware and
 * Bluefield_FW_ERoT, as NVIDIA's dpu-update reads them). Facts:
 * doc/upgrade.md, doc/bmc.md. */
#include "config.h"
#include "bmc_cli.h"
#include "cli.h"
#include "cmd_upgrade.h"
#include "error.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

#define INVENTORY "/redfish/v1/UpdateService/FirmwareInventory/"
#define BMC_TIMEOUT_S 120.0

int bf_upg_read_bmc(struct bf_upg_cli *u, struct bf_upgrade_plan *p)
{
	static const struct { const char *path; enum bf_upgrade_comp k; } items[] = {
		{ INVENTORY "BMC_Firmware", BF_UPG_BMC },
		{ INVENTORY "Bluefield_FW_ERoT", BF_UPG_CEC },
	};
	struct bf_bmc_cli b;
	size_t i;
	int ret;

	if ((ret = bf_bmc_cli_open(&b, u->bmc_url, u->password_file, u->fetch.o.cacert, u->fetch.o.insecure,
				   BMC_TIMEOUT_S)))
		return ret;
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		struct bf_upgrade_item *it = &p->it[items[i].k];
		struct bf_redfish_inventory v;
		struct bf_rfresp r;

		if ((ret = bf_bmc_cli_call(&b, "GET", items[i].path, NULL, &r, "reading the BMC's firmware inventory")))
			break;
		ret = bf_redfish_parse_inventory(r.body, r.len, &v);
		bf_rfresp_free(&r);
		it->running[0] = '\0';
		if (ret == 0)
			bf_upgrade_bmc_version(v.version, it->running, sizeof(it->running));
		bf_info("%s: %s", items[i].path, ret == 0 ? v.version : bf_error_get());
		snprintf(it->why, sizeof(it->why), "not reported by the BMC");
		bf_error_clear();
		ret = 0;
	}
	bf_bmc_cli_close(&b);
	return ret;
}
