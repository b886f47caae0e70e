/* ovsdb.h - OVS through the OVSDB management protocol (RFC 7047): JSON-RPC
 * over ovsdb-server's unix socket, json-c (bf_agent_ovsdb_*). Reads the
 * Open_vSwitch, Bridge, Port and Interface tables and applies a plan's OVS
 * actions in one transaction, so a failure leaves nothing half done. */
#ifndef BF_AGENT_OVSDB_H
#define BF_AGENT_OVSDB_H

#include <json-c/json.h>

#include "model.h"

#define BF_OVSDB_DEFAULT_SOCKET "/var/run/openvswitch/db.sock"
#define BF_OVSDB_MAX_REPLY (8u << 20)     /* bytes of one JSON-RPC message */
#define BF_OVSDB_TIMEOUT_MS 10000

struct bf_agent_ovsdb {
	int fd;
	unsigned next_id;
	unsigned txns;              /* transactions sent (for figures) */
	char *buf;                  /* bytes received, not yet parsed */
	size_t len;
};

/* Connect to the server's unix socket. 0 or -errno with a sentence. */
int bf_agent_ovsdb_open(struct bf_agent_ovsdb *db, const char *path);
void bf_agent_ovsdb_close(struct bf_agent_ovsdb *db);

/* Read the tables into o (have_ovs set). 0 or -errno with a sentence. */
int bf_agent_ovsdb_observe(struct bf_agent_ovsdb *db, struct bf_agent_obs *o);
/* Apply the OVS actions (bridge, port, ovs_config) of plan in one
 * transaction; set their verdicts (and record what was created/removed).
 * 0 with nothing to do or all done; -errno with a sentence (every OVS
 * action then failed, nothing changed). */
int bf_agent_ovsdb_apply(struct bf_agent_ovsdb *db, const struct bf_agent_obs *o, struct bf_agent_plan *plan,
			 struct bf_agent_record *rec);

/* Send method(params) (taken) and wait for its result (a new reference);
 * answers the server's echo requests meanwhile. */
int bf_agent_ovsdb_call(struct bf_agent_ovsdb *db, const char *method, struct json_object *params,
		       struct json_object **result);

/* Parse one JSON-RPC reply in buf (the fuzzed parser): 0 with *result (a
 * new reference) when it is the reply to id; -EBADMSG with a sentence for
 * anything malformed; -EPROTO with the server's error. */
int bf_agent_ovsdb_parse_reply(const char *buf, size_t len, unsigned id, struct json_object **result);
/* Fill o from the result of the observing transaction (fuzzed too). */
int bf_agent_ovsdb_parse_state(struct json_object *result, struct bf_agent_obs *o);

#endif
