/* agent.h - bfagent's observe / plan / apply (bf_agent_*): the session
 * holding the netlink sockets, the OVSDB connection and the paths. */
#ifndef BF_AGENT_AGENT_H
#define BF_AGENT_AGENT_H

#include <stdbool.h>

#include "model.h"
#include "netlink.h"
#include "ovsdb.h"

#define BF_AGENT_WAIT_REPS_S 20       /* representors after switchdev / SF add */
#define BF_AGENT_WAIT_BOND_S 30       /* mlx5_bond_0 after the bond is made */

struct bf_agent {
	const char *state_path, *ovsdb_path, *virtnet;
	const char *sysfs;            /* "/sys" (tests: a fake tree) */
	struct bf_agent_nl nl;
	bool nl_ok;
	struct bf_agent_ovsdb db;
	bool db_ok;
	char nl_err[200], db_err[200], vn_err[200];
	struct bf_agent_record rec;
};

/* Open what can be opened (failures are kept as sentences and reported
 * per object). */
void bf_agent_open(struct bf_agent *ag);
void bf_agent_close(struct bf_agent *ag);

/* Observe links, devlink, OVS and (when the profile or the record has
 * virtio-net devices) the controller. */
void bf_agent_observe(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_obs *o);

/* Apply p: kernel actions in order with named, bounded waits, virtio-net,
 * then OVS in one transaction. The record is saved after every change.
 * plan receives every action with its verdict. Returns the number of
 * failed actions, or -errno when the state file cannot be written. */
int bf_agent_apply(struct bf_agent *ag, const struct bf_profile *p, struct bf_agent_plan *plan);

#endif
