/* fuzz_redfish.c - libFuzzer target: a BMC's Redfish answers as bfctl
 * parses them (task, error, system, update service, collection, inventory
 * item, a string and a boolean at a path). Every field comes back
 * terminated within its size, without control characters.
 * Seeds: tests/fuzz/seeds/redfish (answers of bfsim's simulated BMC). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "redfish.h"
#include "smoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap), i;

	if (n >= cap)
		__builtin_trap();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct bf_redfish_task t;
	struct bf_redfish_error e;
	struct bf_redfish_system s;
	struct bf_redfish_update_service u;
	static struct bf_redfish_members m;
	struct bf_redfish_inventory v;
	char str[16];
	bool flag;
	unsigned i;

	if (bf_redfish_parse_task(b, size, &t) == 0) {
		clean(t.state, sizeof(t.state));
		clean(t.message, sizeof(t.message));
		clean(t.resolution, sizeof(t.resolution));
		if (t.percent < -1 || t.percent > 100)
			__builtin_trap();
	}
	bf_redfish_parse_error(b, size, &e);
	clean(e.message, sizeof(e.message));
	clean(e.message_id, sizeof(e.message_id));
	if (bf_redfish_parse_system(b, size, &s) == 0)
		clean(s.oem_last_state, sizeof(s.oem_last_state));
	if (bf_redfish_parse_update_service(b, size, &u) == 0) {
		if (u.target[0] != '/' || u.nprotocols > 8)
			__builtin_trap();
		for (i = 0; i < u.nprotocols; i++)
			clean(u.protocols[i], sizeof(u.protocols[i]));
	}
	if (bf_redfish_parse_members(b, size, &m) == 0) {
		if (m.n > BF_REDFISH_MAX_MEMBERS)
			__builtin_trap();
		for (i = 0; i < m.n; i++)
			if (m.id[i][0] != '/')
				__builtin_trap();
	}
	if (bf_redfish_parse_inventory(b, size, &v) == 0)
		clean(v.version, sizeof(v.version));
	if (bf_redfish_get_string(b, size, str, sizeof(str), "Oem", "Nvidia", "Mode", (char *)NULL) == 0)
		clean(str, sizeof(str));
	bf_redfish_get_bool(b, size, &flag, "BmcRShim", "BmcRShimEnabled", (char *)NULL);
	return 0;
}
