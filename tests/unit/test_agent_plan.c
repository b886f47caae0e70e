/* test_agent_plan.c - bfagent's planner on recorded observed states
 * (netdevsim-like representors, OVS tables, virtnet devices): the order
 * of actions, idempotency, representors by switch id and port name,
 * ownership through the record, LAG member rules, virtio-net. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "profile.h"

static struct bf_profile prof;
static struct bf_agent_obs obs;
static struct bf_agent_record rec;
static struct bf_agent_plan plan;

static const char lag_yaml[] =
	"firmware: {LAG_RESOURCE_ALLOCATION: 1}\n"
	"dpu:\n"
	"  eswitch: switchdev\n"
	"  pfs: [{devlink: netdevsim/netdevsim1}]\n"
	"  lag: {name: bond0, mode: 802.3ad, members: [p0, p1], hash: layer3+4}\n"
	"  ovs:\n"
	"    other_config: {hw-offload: 'true'}\n"
	"    bridges:\n"
	"      - {name: bf-lag, ports: [bond0, {rep: pf0vf0}]}\n";

static void load(const char *yaml)
{
	struct bf_profile_ctx ctx = { 0 };
	struct bf_profile_result res;

	bf_profile_free(&prof);
	assert_int_equal(bf_profile_parse(&ctx, "t.yaml", yaml, strlen(yaml), &prof, &res), 0);
	if (res.errors)
		fail_msg("%s", res.d[0].msg);
	bf_profile_result_free(&res);
}

static struct bf_agent_link *link_add(int ifindex, const char *name, const char *kind, const char *pn, const char *sid)
{
	struct bf_agent_link *l = &obs.links[obs.nlinks++];

	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	l->up = true;
	l->mtu = 1500;
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	snprintf(l->port_name, sizeof(l->port_name), "%s", pn);
	snprintf(l->switch_id, sizeof(l->switch_id), "%s", sid);
	return l;
}

/* A netdevsim device in legacy mode with two uplinks; another device with
 * its own p0 on another switch id; an empty OVS. */
static void fresh(void)
{
	memset(&obs, 0, sizeof(obs));
	obs.have_links = obs.have_devlink = obs.have_ovs = true;
	obs.ndevs = 2;
	strcpy(obs.devs[0].handle, "netdevsim/netdevsim1");
	strcpy(obs.devs[0].mode, "legacy");
	strcpy(obs.devs[0].switch_id, "11aa");
	obs.devs[0].numvfs = 0;
	strcpy(obs.devs[1].handle, "netdevsim/netdevsim2");
	strcpy(obs.devs[1].mode, "legacy");
	strcpy(obs.devs[1].switch_id, "22bb");
	obs.devs[1].numvfs = 0;
	link_add(1, "lo", "", "", "");
	link_add(2, "eni2np1", "", "p0", "22bb");    /* the other device's p0, listed first */
	link_add(3, "eni1np1", "", "p0", "11aa");
	link_add(4, "eni1np2", "", "p1", "11aa");
	link_add(5, "eni1npf0vf0", "", "pf0vf0", "11aa");
	bf_agent_record_free(&rec);
	bf_agent_plan_free(&plan);
}

static const struct bf_agent_action *find(enum bf_agent_kind k, const char *id)
{
	size_t i;

	for (i = 0; i < plan.n; i++)
		if (plan.a[i].kind == k && !strcmp(plan.a[i].id, id))
			return &plan.a[i];
	fail_msg("no %s action for %s", bf_agent_kind_name(k), id);
	return NULL;
}

static size_t index_of(const struct bf_agent_action *a)
{
	return (size_t)(a - plan.a);
}

static void build(void)
{
	bf_agent_plan_free(&plan);
	assert_int_equal(bf_agent_plan_build(&prof, &obs, &rec, true, true, &plan), 0);
}

static void t_fresh_order(void **s)
{
	const struct bf_agent_action *esw, *bond, *m0, *br, *port;

	(void)s;
	load(lag_yaml);
	fresh();
	build();
	esw = find(BF_AK_ESWITCH, "netdevsim/netdevsim1");
	bond = find(BF_AK_BOND, "bond0");
	m0 = find(BF_AK_MEMBER, "bond0/p0");
	br = find(BF_AK_BRIDGE, "bf-lag");
	port = find(BF_AK_PORT, "bf-lag/eni1npf0vf0");
	assert_int_equal(esw->op, BF_AOP_CHANGE);
	assert_string_equal(esw->detail, "switchdev");
	assert_int_equal(bond->op, BF_AOP_CREATE);
	assert_int_equal(m0->op, BF_AOP_CREATE);
	/* p0 of this device's switch, not the other device's p0 */
	assert_string_equal(m0->detail, "eni1np1");
	assert_int_equal(br->op, BF_AOP_CREATE);
	assert_int_equal(port->op, BF_AOP_CREATE);
	/* switchdev before the LAG, the LAG before OVS */
	assert_true(index_of(esw) < index_of(bond));
	assert_true(index_of(bond) < index_of(m0));
	assert_true(index_of(m0) < index_of(br));
	assert_true(index_of(br) < index_of(port));
	assert_int_equal(find(BF_AK_OVS_CONFIG, "hw-offload")->op, BF_AOP_CREATE);
}

/* The state after a successful apply. */
static void applied(void)
{
	struct bf_agent_link *b;

	fresh();
	strcpy(obs.devs[0].mode, "switchdev");
	b = link_add(9, "bond0", "bond", "", "");
	b->bond_mode = 4;
	b->bond_hash = 1;     /* layer3+4 */
	b->bond_miimon = 100;
	obs.links[2].master = 9;
	obs.links[3].master = 9;
	obs.nother = 1;
	strcpy(obs.other[0].key, "hw-offload");
	strcpy(obs.other[0].value, "true");
	obs.nbridges = 1;
	strcpy(obs.bridges[0].name, "bf-lag");
	obs.bridges[0].nports = 2;
	strcpy(obs.bridges[0].ports[0], "bond0");
	strcpy(obs.bridges[0].ports[1], "eni1npf0vf0");
	bf_agent_record_add(&rec, "bond", "bond0");
	bf_agent_record_add(&rec, "bridge", "bf-lag");
	bf_agent_record_add(&rec, "port", "bf-lag/bond0");
	bf_agent_record_add(&rec, "port", "bf-lag/eni1npf0vf0");
	bf_agent_record_add(&rec, "other_config", "hw-offload");
}

static void t_idempotent(void **s)
{
	(void)s;
	load(lag_yaml);
	applied();
	build();
	if (bf_agent_plan_changes(&plan)) {
		size_t i;

		for (i = 0; i < plan.n; i++)
			if (plan.a[i].op != BF_AOP_NONE)
				print_message("%s %s %s: %s\n", bf_agent_op_name(plan.a[i].op),
					      bf_agent_kind_name(plan.a[i].kind), plan.a[i].id, plan.a[i].reason);
	}
	assert_int_equal(bf_agent_plan_changes(&plan), 0);
	/* A changed hash policy is a change of the bond, and only that. */
	obs.links[5].bond_hash = 0;
	build();
	assert_int_equal(bf_agent_plan_changes(&plan), 1);
	assert_int_equal(find(BF_AK_BOND, "bond0")->op, BF_AOP_CHANGE);
}

static void t_ownership(void **s)
{
	(void)s;
	load(lag_yaml);
	applied();
	/* A bridge and a port an operator made, a bridge the agent made. */
	obs.nbridges = 3;
	strcpy(obs.bridges[1].name, "br-hand");
	strcpy(obs.bridges[2].name, "br-old");
	obs.bridges[0].nports = 3;
	strcpy(obs.bridges[0].ports[2], "veth-hand");
	bf_agent_record_add(&rec, "bridge", "br-old");
	build();
	assert_int_equal(bf_agent_plan_changes(&plan), 1);
	assert_int_equal(find(BF_AK_BRIDGE, "br-old")->op, BF_AOP_REMOVE);
	/* The profile drops the bond: the agent made it, so it goes. */
	load("dpu: {}\n");
	build();
	assert_int_equal(find(BF_AK_BOND, "bond0")->op, BF_AOP_REMOVE);
	/* bf-lag holds veth-hand: kept, the agent's ports leave it. */
	assert_int_equal(find(BF_AK_BRIDGE, "bf-lag")->op, BF_AOP_NONE);
	assert_non_null(strstr(find(BF_AK_BRIDGE, "bf-lag")->reason, "veth-hand, added by hand"));
	assert_int_equal(find(BF_AK_PORT, "bf-lag/bond0")->op, BF_AOP_REMOVE);
	/* Without the record nothing is removed. */
	bf_agent_record_free(&rec);
	build();
	assert_int_equal(bf_agent_plan_changes(&plan), 0);
}

static void t_lag_member_in_bridge(void **s)
{
	(void)s;
	load(lag_yaml);
	fresh();
	strcpy(obs.devs[0].mode, "switchdev");
	obs.nbridges = 1;
	strcpy(obs.bridges[0].name, "ovsbr1");
	obs.bridges[0].nports = 1;
	strcpy(obs.bridges[0].ports[0], "eni1np1");
	build();
	assert_int_equal(find(BF_AK_MEMBER, "bond0/p0")->op, BF_AOP_FAIL);
	assert_non_null(strstr(find(BF_AK_MEMBER, "bond0/p0")->reason, "made by hand: remove it from the bridge first"));
	assert_int_equal(find(BF_AK_MEMBER, "bond0/p1")->op, BF_AOP_CREATE);
	/* When the agent made that port, it removes it and says so. */
	bf_agent_record_add(&rec, "bridge", "ovsbr1");
	bf_agent_record_add(&rec, "port", "ovsbr1/eni1np1");
	build();
	assert_non_null(strstr(find(BF_AK_MEMBER, "bond0/p0")->reason, "the next apply enslaves it"));
	assert_int_equal(find(BF_AK_BRIDGE, "ovsbr1")->op, BF_AOP_REMOVE);
}

static void t_missing_rep(void **s)
{
	(void)s;
	load("dpu:\n  eswitch: switchdev\n  pfs: [{devlink: netdevsim/netdevsim1}]\n"
	     "  ovs: {bridges: [{name: br0, ports: [{rep: pf0vf7}]}]}\n");
	fresh();
	build();
	assert_int_equal(find(BF_AK_PORT, "br0/pf0vf7")->op, BF_AOP_FAIL);
	assert_non_null(strstr(find(BF_AK_PORT, "br0/pf0vf7")->reason, "phys_port_name pf0vf7"));
}

static void t_virtio(void **s)
{
	(void)s;
	load("firmware: {VIRTIO_NET_EMULATION_ENABLE: 1, PCI_SWITCH_EMULATION_ENABLE: 1, PF_TOTAL_SF: 8}\n"
	     "dpu:\n  ovs: {bridges: [{name: br0}]}\n  virtio_net:\n"
	     "    - {type: hotplug, pf: 0, mac: '02:00:00:00:00:01', mtu: 1500, queues: 4, queue_size: 256,"
	     " bridge: br0}\n");
	fresh();
	obs.have_virtio = true;
	build();
	assert_int_equal(find(BF_AK_VIRTIO, "02:00:00:00:00:01")->op, BF_AOP_CREATE);
	assert_int_equal(find(BF_AK_PORT, "br0/virtio 02:00:00:00:00:01")->op, BF_AOP_FAIL);
	/* Hot-plugged by hand with another MTU: left alone. */
	obs.nvdevs = 1;
	strcpy(obs.vdevs[0].mac, "02:00:00:00:00:01");
	strcpy(obs.vdevs[0].vuid, "VNETS1D0F0");
	strcpy(obs.vdevs[0].sf_rep, "en3f0pf0sf2000");
	obs.vdevs[0].mtu = 9000;
	obs.vdevs[0].queues = 4;
	obs.vdevs[0].queue_size = 256;
	build();
	assert_int_equal(find(BF_AK_VIRTIO, "02:00:00:00:00:01")->op, BF_AOP_FAIL);
	assert_int_equal(find(BF_AK_PORT, "br0/en3f0pf0sf2000")->op, BF_AOP_CREATE);
	/* Made by the agent: unplug and hotplug again. */
	bf_agent_record_add(&rec, "virtio", "02:00:00:00:00:01");
	build();
	assert_int_equal(find(BF_AK_VIRTIO, "02:00:00:00:00:01")->op, BF_AOP_CHANGE);
	/* Dropped from the profile: unplugged. */
	load("dpu: {}\n");
	build();
	assert_int_equal(find(BF_AK_VIRTIO, "02:00:00:00:00:01")->op, BF_AOP_REMOVE);
}

static int teardown(void **s)
{
	(void)s;
	bf_profile_free(&prof);
	bf_agent_record_free(&rec);
	bf_agent_plan_free(&plan);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_fresh_order), cmocka_unit_test(t_idempotent), cmocka_unit_test(t_ownership),
		cmocka_unit_test(t_lag_member_in_bridge), cmocka_unit_test(t_missing_rep), cmocka_unit_test(t_virtio),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
