/* fuzz_upgrade.c - libFuzzer target: what an upgrade reads from outside:
 * a bundle's inventory (info-image JSON) for both chips, the versions line
 * a DPU publishes in its log, a history record, and the version order on
 * two pieces of the input. Every string stays bounded and terminated.
 * Seeds: tests/fuzz/seeds/upgrade. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smoke.h"
#include "upgrade.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bf_upgrade_plan p;
	struct bf_upgrade_record rec;
	const char *why;
	char *s = malloc(size + 1), *half;
	unsigned k;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	bf_upgrade_plan_init(&p);
	bf_upgrade_inventory(s, size, BF_CHIP_BF3, &p, &why);
	bf_upgrade_inventory(s, size, BF_CHIP_BF2, &p, &why);
	bf_upgrade_running_line(s, &p);
	bf_upgrade_decide(&p);
	for (k = 0; k < BF_UPG_NCOMP; k++)
		if (strnlen(p.it[k].bundle, BF_UPG_VER_MAX) >= BF_UPG_VER_MAX ||
		    strnlen(p.it[k].running, BF_UPG_VER_MAX) >= BF_UPG_VER_MAX)
			__builtin_trap();
	bf_upgrade_record_parse(s, size, &rec);
	{
		/* A BMC's Redfish version: bounded, printable, no '_'. */
		char v[BF_UPG_VER_MAX];
		size_t i;

		bf_upgrade_bmc_version(s, v, sizeof(v));
		for (i = 0; v[i]; i++)
			if (i >= sizeof(v) - 1 || v[i] <= ' ' || v[i] >= 0x7f || v[i] == '_')
				__builtin_trap();
	}
	half = s + size / 2;
	if (bf_upgrade_vercmp(s, half) != -bf_upgrade_vercmp(half, s) || bf_upgrade_vercmp(s, s))
		__builtin_trap();   /* an order: antisymmetric, reflexive */
	free(s);
	return 0;
}
