#!/bin/bash
# smoke.sh - runs in the dpu-vm guest (tests/vm/dpu-vm run). Shows that the
# real kernel pieces the DPU agent drives work, each read back with an
# independent tool: netdevsim in switchdev mode with VF representors,
# bonding in 802.3ad against a partner bond and active-backup failover,
# Open vSwitch (ovsdb-server + ovs-vswitchd, kernel datapath) forwarding
# between namespaces, and the host's sshd answering over a veth.
# TAP on stdout.
: "${top_builddir:=$top_srcdir/_build}"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/vm/scenarios/guest-lib.sh"

# --- netdevsim: switchdev and VF representors ----------------------------
check "netdevsim loads (out-of-tree build for $(uname -r))" modprobe netdevsim
check "a netdevsim device with two ports" nsim_new 1 2
check "devlink shows netdevsim/netdevsim1" \
	jqt '.dev | has("netdevsim/netdevsim1")' devlink -j dev show
check "eswitch set to switchdev" devlink dev eswitch set netdevsim/netdevsim1 mode switchdev
check "devlink reads back mode switchdev" \
	jqt '.dev["netdevsim/netdevsim1"].mode == "switchdev"' devlink -j dev eswitch show netdevsim/netdevsim1
check "two VFs through sriov_numvfs" sh -c 'echo 2 > /sys/bus/netdevsim/devices/netdevsim1/sriov_numvfs'
check "devlink lists pcivf ports for vfnum 0 and 1" \
	jqt '[.port[] | select(.flavour == "pcivf") | .vfnum] | sort == [0, 1]' devlink -j port show
vf0=$(netdev_by_port_name pf0vf0)
vf1=$(netdev_by_port_name pf0vf1)
check "VF representor netdevs carry phys_port_name pf0vf0 and pf0vf1" test -n "$vf0" -a -n "$vf1"
check "representors and uplinks share one phys_switch_id" same_switch_id "$vf0" "$vf1" \
	"$(netdev_by_port_name p1)" "$(netdev_by_port_name p2)"
check "representors renamed to their port names" \
	sh -c "ip link set '$vf0' name pf0vf0 && ip link set '$vf1' name pf0vf1"
check "ip -d -j link reads the new names with their port names" \
	jqt '[.[] | select(.ifname == "pf0vf0" or .ifname == "pf0vf1") | .phys_port_name] | sort == ["pf0vf0", "pf0vf1"]' \
	ip -d -j link show

# --- bonding: 802.3ad with a partner, active-backup failover -------------
check "bonding loads" modprobe bonding
ip netns add tor
for l in la lb; do ip link add $l type veth peer name ${l}_p; ip link set ${l}_p netns tor; done
check "bond0 in 802.3ad over two veth links" sh -c '
	ip link add bond0 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4 &&
	ip link set la master bond0 && ip link set lb master bond0 && ip link set bond0 up &&
	ip addr add 10.80.0.1/24 dev bond0'
check "a partner bond in another namespace" sh -c '
	ip -n tor link add bondt type bond mode 802.3ad miimon 100 lacp_rate fast &&
	ip -n tor link set la_p master bondt && ip -n tor link set lb_p master bondt &&
	ip -n tor link set bondt up && ip -n tor addr add 10.80.0.2/24 dev bondt'
check "LACP: both links in one aggregator with the partner" \
	wait_for 30 sh -c 'grep -q "Number of ports: 2" /proc/net/bonding/bond0'
partner=$(ip -n tor -j link show bondt | jq -r '.[0].address')
check "/proc/net/bonding/bond0 names the partner bond's MAC ($partner)" \
	grep -q "Partner Mac Address: $partner" /proc/net/bonding/bond0
check "ip -d -j link: bond0 mode 802.3ad" \
	jqt '.[0].linkinfo.info_data.mode == "802.3ad"' ip -d -j link show bond0
check "traffic across the bond" ping -c 2 -i 0.2 -W 2 10.80.0.2
for l in va vb; do ip link add $l type veth peer name ${l}_p; ip link set ${l}_p up; done
check "bond1 in active-backup over two veth links" sh -c '
	ip link add bond1 type bond mode active-backup miimon 100 &&
	ip link set va master bond1 && ip link set vb master bond1 && ip link set bond1 up'
check "bond1 active slave is va" wait_for 10 sh -c 'grep -q "Currently Active Slave: va" /proc/net/bonding/bond1'
ip link set va_p down
check "failover: va's peer down, vb becomes active" \
	wait_for 10 sh -c 'grep -q "Currently Active Slave: vb" /proc/net/bonding/bond1'

# --- Open vSwitch with the kernel datapath --------------------------------
check "openvswitch starts (ovsdb-server and ovs-vswitchd)" ovs_start
check "br0 with the VF representors" sh -c '
	ovs-vsctl add-br br0 && ovs-vsctl add-port br0 pf0vf0 && ovs-vsctl add-port br0 pf0vf1 &&
	ip link set pf0vf0 up && ip link set pf0vf1 up'
check "ovs-vsctl lists br0's ports" sh -c '[ "$(ovs-vsctl list-ports br0 | tr "\n" " ")" = "pf0vf0 pf0vf1 " ]'
check "the kernel datapath has them (ovs-dpctl show)" \
	sh -c 'ovs-dpctl show system@ovs-system | grep -q "port [0-9]*: pf0vf0" && ovs-dpctl show system@ovs-system | grep -q "port [0-9]*: pf0vf1"'
check "br1 joins two namespaces over veth" sh -c '
	ovs-vsctl add-br br1 &&
	for i in 1 2; do
		ip netns add ns$i && ip link add v$i type veth peer name v${i}_br && ip link set v$i netns ns$i &&
		ip -n ns$i addr add 10.90.0.$i/24 dev v$i && ip -n ns$i link set v$i up &&
		ip link set v${i}_br up && ovs-vsctl add-port br1 v${i}_br || exit 1
	done'
check "traffic through br1 (kernel datapath)" ip netns exec ns1 ping -c 2 -i 0.2 -W 2 10.90.0.2
check "the datapath learnt flows for it" sh -c 'ovs-appctl dpctl/dump-flows | grep -q "in_port"'

# --- sshd -------------------------------------------------------------------
check "sshd starts with a key made in the guest" sshd_start 10.70.0.1
check "ssh from another namespace runs a command on the guest" \
	ssh_prints 10.70.0.1 "$(uname -r)" uname -r

done_testing
