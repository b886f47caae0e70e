/* fuzz_agent.c - what bfagent reads from outside: an OVSDB JSON-RPC reply
 * and the observed tables in it (ovsdb-server), its own state file (a file
 * on disk), and `virtnet list` output (another program). The first byte
 * picks the parser. Seeds: tests/fuzz/seeds/agent. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "ovsdb.h"
#include "state.h"
#include "virtnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bf_agent_obs o;
	struct bf_agent_record rec = { .n = 0 };
	struct json_object *res = NULL;
	const char *buf = (const char *)data + 1;
	size_t i, len = size ? size - 1 : 0;

	if (!size)
		return 0;
	memset(&o, 0, sizeof(o));
	switch (data[0] % 3) {
	case 0:
		if (bf_agent_ovsdb_parse_reply(buf, len, 1, &res) == 0) {
			bf_agent_ovsdb_parse_state(res, &o);
			json_object_put(res);
			if (o.nbridges > BF_AGENT_MAX_BRIDGES || o.nother > BF_AGENT_MAX_KV)
				abort();
			for (i = 0; i < o.nbridges; i++)
				if (strlen(o.bridges[i].name) >= BF_IFNAME || o.bridges[i].nports > BF_AGENT_MAX_PORTS)
					abort();
		}
		break;
	case 1:
		if (bf_agent_state_parse(buf, len, &rec) == 0)
			for (i = 0; i < rec.n; i++)
				if (!strchr(rec.items[i], ':'))
					abort();
		bf_agent_record_free(&rec);
		break;
	default:
		if (bf_agent_virtnet_parse_list(buf, len, &o) == 0)
			for (i = 0; i < o.nvdevs; i++)
				if (strlen(o.vdevs[i].mac) >= sizeof(o.vdevs[i].mac))
					abort();
		break;
	}
	return 0;
}
