/* model.h - what bfagent observes on the DPU, what it recorded creating,
 * and the actions a plan consists of (bf_agent_*). */
#ifndef BF_AGENT_MODEL_H
#define BF_AGENT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "profile.h"

#define BF_AGENT_MAX_LINKS 512
#define BF_AGENT_MAX_BRIDGES 64
#define BF_AGENT_MAX_PORTS 128     /* per bridge */
#define BF_AGENT_MAX_KV 64
#define BF_AGENT_MAX_DEVS 16
#define BF_AGENT_MAX_VIRTIO 64
#define BF_AGENT_MAX_SFPORTS 64
#define BF_AGENT_MAX_RECORD 1024
#define BF_IFNAME 16

struct bf_agent_link {
	int ifindex, master, mtu;
	bool up;
	char name[BF_IFNAME];
	char kind[16];             /* IFLA_INFO_KIND: bond, dummy, veth, openvswitch, "" */
	char port_name[32];        /* IFLA_PHYS_PORT_NAME */
	char switch_id[68];        /* IFLA_PHYS_SWITCH_ID, hex */
	/* bond (kind "bond") */
	int bond_mode, bond_hash, bond_miimon;
};

struct bf_agent_kv {
	char key[65], value[256];
};

struct bf_agent_obs_bridge {
	char name[BF_IFNAME];
	char uuid[40];
	char port_uuids[BF_AGENT_MAX_PORTS][40];
	char datapath_type[16];
	char ports[BF_AGENT_MAX_PORTS][BF_IFNAME];   /* without the bridge's own port */
	size_t nports;
};

/* A devlink device: its eswitch mode and the switch ids of its ports. */
struct bf_agent_dev {
	char handle[64];           /* bus/device */
	char mode[16];             /* legacy | switchdev | "" (unknown) */
	char switch_id[68];        /* of its ports' netdevs, hex; "" unknown */
	int numvfs;                /* -1 unknown */
};

/* An SF port as devlink shows it: its function's state and hw_addr. */
struct bf_agent_sfport {
	char handle[64];           /* bus/device */
	unsigned sfnum;
	bool active;
	char mac[18];              /* "" when the function has none */
};

struct bf_agent_vdev {
	char vuid[64], mac[18], sf_rep[BF_IFNAME], type[16];
	unsigned pf, mtu, queues, queue_size;
};

struct bf_agent_obs {
	bool have_links, have_ovs, have_devlink, have_virtio;
	struct bf_agent_link links[BF_AGENT_MAX_LINKS];
	size_t nlinks;
	struct bf_agent_kv other[BF_AGENT_MAX_KV];
	size_t nother;
	struct bf_agent_obs_bridge bridges[BF_AGENT_MAX_BRIDGES];
	size_t nbridges;
	struct bf_agent_dev devs[BF_AGENT_MAX_DEVS];
	size_t ndevs;
	struct bf_agent_vdev vdevs[BF_AGENT_MAX_VIRTIO];
	size_t nvdevs;
	struct bf_agent_sfport sfports[BF_AGENT_MAX_SFPORTS];
	size_t nsfports;
};

/* Lookups in an observation (obs.c): NULL when absent. */
const struct bf_agent_obs_bridge *bf_agent_obs_bridge(const struct bf_agent_obs *o, const char *name);
/* The bridge that has port as one of its ports. */
const struct bf_agent_obs_bridge *bf_agent_obs_bridge_of(const struct bf_agent_obs *o, const char *port);
const struct bf_agent_dev *bf_agent_obs_dev(const struct bf_agent_obs *o, const char *handle);
const struct bf_agent_vdev *bf_agent_obs_vdev(const struct bf_agent_obs *o, const char *mac);
const struct bf_agent_sfport *bf_agent_obs_sfport(const struct bf_agent_obs *o, const char *handle, unsigned sfnum);

/* What the agent created (the state file): "kind:id" strings, e.g.
 * "bridge:ovsbr1", "port:ovsbr1/p0", "other_config:hw-offload", "bond:bond0",
 * "virtio:02:11:22:33:44:01", "sf:pci/0000:03:00.0/88". */
struct bf_agent_record {
	char *items[BF_AGENT_MAX_RECORD];
	size_t n;
};

enum bf_agent_kind {
	BF_AK_ESWITCH, BF_AK_VFS, BF_AK_BOND, BF_AK_MEMBER, BF_AK_SF, BF_AK_OVS_CONFIG, BF_AK_BRIDGE, BF_AK_PORT, BF_AK_VIRTIO,
};

enum bf_agent_op { BF_AOP_NONE, BF_AOP_CREATE, BF_AOP_CHANGE, BF_AOP_REMOVE, BF_AOP_FAIL };

/* Final verdicts as reported. */
enum bf_agent_verdict { BF_AV_UNCHANGED, BF_AV_CREATED, BF_AV_CHANGED, BF_AV_REMOVED, BF_AV_FAILED, BF_AV_PENDING };

struct bf_agent_action {
	enum bf_agent_kind kind;
	enum bf_agent_op op;
	char id[96];               /* the object: "ovsbr1", "ovsbr1/p0", "hw-offload", "pci/0000:03:00.0" */
	char detail[96];           /* kind-specific: a value, a bridge, a mode, a netdev */
	char reason[192];          /* why (plan) or what went wrong (apply) */
	enum bf_agent_verdict verdict;
	const void *want;          /* the profile object, for apply */
};

struct bf_agent_plan {
	struct bf_agent_action *a;
	size_t n, cap;
	bool oom;
};

/* linux/if_bonding.h numbers for a profile's mode and hash policy. */
int bf_agent_bond_mode(const char *mode);
int bf_agent_bond_hash(const char *hash);

const char *bf_agent_kind_name(enum bf_agent_kind k);
const char *bf_agent_op_name(enum bf_agent_op o);
const char *bf_agent_verdict_name(enum bf_agent_verdict v);

/* The record: membership, add, remove. */
bool bf_agent_record_has(const struct bf_agent_record *r, const char *kind, const char *id);
int bf_agent_record_add(struct bf_agent_record *r, const char *kind, const char *id);
void bf_agent_record_del(struct bf_agent_record *r, const char *kind, const char *id);
void bf_agent_record_free(struct bf_agent_record *r);

/* The link by name / by phys_port_name on one of the switch ids (NULL:
 * any switch). NULL if absent. */
const struct bf_agent_link *bf_agent_link_by_name(const struct bf_agent_obs *o, const char *name);
const struct bf_agent_link *bf_agent_link_by_rep(const struct bf_agent_obs *o, const struct bf_profile *p,
						 const char *rep);

/* Build the plan: the actions that take the observed state to the
 * profile, in the order the hardware needs (eswitch, LAG, VFs, SFs,
 * virtio-net, then OVS), and removals of what the record says the agent
 * created and the profile no longer has. ovs: include the OVS part. 0 or
 * -ENOMEM. */
int bf_agent_plan_build(const struct bf_profile *p, const struct bf_agent_obs *o, const struct bf_agent_record *rec,
			bool kernel, bool ovs, struct bf_agent_plan *plan);
void bf_agent_plan_free(struct bf_agent_plan *plan);
/* What is there, without a profile (status): bridges, bonds, eswitches,
 * virtio-net devices, and the record, as NONE actions. */
int bf_agent_plan_observed(const struct bf_agent_obs *o, const struct bf_agent_record *rec, struct bf_agent_plan *plan);
/* Number of actions that change something (op other than NONE). */
size_t bf_agent_plan_changes(const struct bf_agent_plan *plan);

#endif
