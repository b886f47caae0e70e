/* netlink.h - kernel objects through netlink with libmnl (bf_agent_nl_*):
 * rtnetlink links (read with phys_port_name and phys_switch_id; create a
 * bond or any kind; master, MTU, up/down, rename, delete) and the generic
 * netlink family "devlink" (eswitch mode, ports and their netdevs, SF ports). */
#ifndef BF_AGENT_NETLINK_H
#define BF_AGENT_NETLINK_H

#include <stdbool.h>

#include "model.h"

struct mnl_socket;

#define BF_NL_BUF 8192          /* one request */
#define BF_NL_RECV_BUF 32768    /* one read of answers (a dump comes in several) */

struct bf_agent_nl {
	struct mnl_socket *rt;      /* NETLINK_ROUTE */
	struct mnl_socket *gen;     /* NETLINK_GENERIC, for devlink */
	unsigned seq;
	unsigned rt_port, gen_port;
	int devlink_family;         /* 0 until resolved; -1 absent */
	unsigned msgs;              /* requests sent (for figures) */
};

int bf_agent_nl_open(struct bf_agent_nl *nl);
void bf_agent_nl_close(struct bf_agent_nl *nl);

/* Dump every link into o (have_links set). 0 or -errno with a sentence. */
int bf_agent_nl_links(struct bf_agent_nl *nl, struct bf_agent_obs *o);

/* Create a link of kind (bond: mode/hash/miimon apply, hash < 0 for none). */
int bf_agent_nl_link_create(struct bf_agent_nl *nl, const char *name, const char *kind, int bond_mode, int bond_hash,
			    int bond_miimon);
/* Change a bond's mode/hash/miimon (it must be down and have no slaves for a mode change). */
int bf_agent_nl_bond_set(struct bf_agent_nl *nl, int ifindex, int bond_mode, int bond_hash, int bond_miimon);
/* Set attributes of ifindex: master (-1: leave, 0: none), mtu (0: leave),
 * up (-1: leave), name (NULL: leave). */
int bf_agent_nl_link_set(struct bf_agent_nl *nl, int ifindex, int master, int mtu, int up, const char *name);
int bf_agent_nl_link_del(struct bf_agent_nl *nl, int ifindex);

/* devlink: every device with its eswitch mode and the switch id of its
 * ports' netdevs (needs the links in o first); have_devlink set. */
int bf_agent_nl_devlink(struct bf_agent_nl *nl, struct bf_agent_obs *o);
/* Set the eswitch mode (legacy | switchdev) of bus/dev. */
int bf_agent_nl_eswitch_set(struct bf_agent_nl *nl, const char *handle, const char *mode);
/* Add an SF port (pfnum, sfnum), set its hw_addr/trust, activate it. */
int bf_agent_nl_sf_add(struct bf_agent_nl *nl, const char *handle, unsigned pfnum, unsigned sfnum, const char *mac);
/* An SF port that is there already: set its hw_addr, activate it. */
int bf_agent_nl_sf_setup(struct bf_agent_nl *nl, const char *handle, unsigned sfnum, const char *mac);
/* Delete SF sfnum of devlink device handle (deactivated first); 0 when
 * there is none. */
int bf_agent_nl_sf_del(struct bf_agent_nl *nl, const char *handle, unsigned sfnum);

/* Internal to the netlink files. */
struct nlmsghdr;
struct nlattr;
int bf_agent_nl_talk(struct bf_agent_nl *nl, struct mnl_socket *sock, unsigned port, struct nlmsghdr *nlh,
		     int (*cb)(const struct nlmsghdr *, void *), void *data);
int bf_agent_nl_nested_cb(const struct nlattr *a, void *data);

#endif
