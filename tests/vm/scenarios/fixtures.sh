#!/bin/bash
# fixtures.sh - runs in the dpu-vm guest. The two fixtures for what the
# kernel cannot do here: SF ports of the test bed's patched netdevsim
# (tests/vm/netdevsim/0001-sf-ports.patch), driven and read back with
# devlink and ip, and the simulated virtio-net controller (src/sim/virtnet)
# with its SF representors as netdevs that join an OVS bridge. TAP.
: "${top_builddir:=$top_srcdir/_build}"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/vm/scenarios/guest-lib.sh"
DL=netdevsim/netdevsim1
SFIDX=$DL/$((0x10000 + 88))

check "netdevsim loads" modprobe netdevsim
check "a netdevsim device with two ports" nsim_new 1 2
expect_rc 1 "devlink port add pcisf in legacy mode: refused" \
	devlink port add $DL flavour pcisf pfnum 0 sfnum 88
check "... with the driver's reason" grep -q "only supported in eswitch switchdev mode" "$TMP/rc.err"
check "eswitch set to switchdev" devlink dev eswitch set $DL mode switchdev
check "devlink port add flavour pcisf pfnum 0 sfnum 88" \
	devlink port add $DL flavour pcisf pfnum 0 sfnum 88
check "devlink -j port show: a pcisf port, sfnum 88, function inactive and detached" \
	jqt ".port[\"$SFIDX\"] | .flavour == \"pcisf\" and .pfnum == 0 and .sfnum == 88 and .function.state == \"inactive\" and .function.opstate == \"detached\" and .function.hw_addr == \"00:00:00:00:00:00\"" \
	devlink -j port show $SFIDX
rep=$(netdev_by_port_name pf0sf88)
check "its representor netdev has phys_port_name pf0sf88 on the uplinks' switch" \
	same_switch_id "$rep" "$(netdev_by_port_name p1)"
check "port function set hw_addr and state active" \
	devlink port function set $SFIDX hw_addr 02:00:00:00:00:88 state active
check "devlink reads back the MAC, active and attached" \
	jqt ".port[\"$SFIDX\"].function | .hw_addr == \"02:00:00:00:00:88\" and .state == \"active\" and .opstate == \"attached\"" \
	devlink -j port show $SFIDX
expect_rc 1 "the same sfnum again: refused" devlink port add $DL flavour pcisf pfnum 0 sfnum 88
expect_rc 1 "pfnum 1 (netdevsim has one PF): refused" devlink port add $DL flavour pcisf pfnum 1 sfnum 89
echo 2 > /sys/kernel/debug/netdevsim/netdevsim1/max_sfs
check "a second SF within max_sfs (2)" devlink port add $DL flavour pcisf pfnum 0 sfnum 89
expect_rc 1 "a third past max_sfs: refused" devlink port add $DL flavour pcisf pfnum 0 sfnum 90
check "... saying the limit is reached" grep -q "SF limit reached" "$TMP/rc.err"
check "devlink port del removes the SF" devlink port del $SFIDX
check "... and its representor netdev" sh -c "! ip link show '$rep' 2>/dev/null"
expect_rc 1 "deleting a physical port: refused" devlink port del $DL/0

# The BlueField layout: one netdevsim device per PF, named as on a DPU.
check "netdevsim reloads with bluefield=1" sh -c 'echo 1 > /sys/bus/netdevsim/del_device && rmmod netdevsim && modprobe netdevsim bluefield=1'
check "devices 0 and 1, one uplink each" bash -c 'nsim_new 0 1 && nsim_new 1 1'
check "switchdev on both" sh -c 'devlink dev eswitch set netdevsim/netdevsim0 mode switchdev && devlink dev eswitch set netdevsim/netdevsim1 mode switchdev'
check "uplinks p0, p1 and host PF representors pf0, pf1 (pcipf)" \
	jqt '[.port[] | select(.flavour == "physical" or .flavour == "pcipf") | "\(.flavour):\(.netdev | test("."))"] | length == 4' devlink -j port show
check "phys_port_name p0 p1 pf0 pf1 are all there" bash -c 'for n in p0 p1 pf0 pf1; do netdev_by_port_name $n >/dev/null || exit 1; done'
check "p0 and pf0 share PF 0's switch id" same_switch_id "$(netdev_by_port_name p0)" "$(netdev_by_port_name pf0)"
check "an SF on PF 1 (pfnum 1, sfnum 0): representor pf1sf0" \
	bash -c 'devlink port add netdevsim/netdevsim1 flavour pcisf pfnum 1 sfnum 0 && netdev_by_port_name pf1sf0'
expect_rc 1 "pfnum 0 on PF 1's device: refused" devlink port add netdevsim/netdevsim1 flavour pcisf pfnum 0 sfnum 1
check "legacy mode removes the host PF representor" \
	bash -c 'devlink dev eswitch set netdevsim/netdevsim0 mode legacy && ! netdev_by_port_name pf0'

# The simulated virtio-net controller with netdevs for its SF representors.
VN="$top_builddir/src/sim/virtnet"
export BFSIM_VIRTNET_STATE=/run/virtnet.json
check "virtnet sim-init --rep-netdevs" "$VN" sim-init --rep-netdevs --emulation-manager mlx5_0
check "virtnet hotplug: the SF representor as a netdev" \
	jqt '.sf_rep_net_device == "en3f0pf0sf2000"' "$VN" hotplug -i mlx5_0 -m 02:11:22:33:44:01 -t 1500 -n 4 -s 256
check "ip link shows en3f0pf0sf2000" ip link show en3f0pf0sf2000
check "virtnet list: its sf_rep_net_ifindex is the netdev's" \
	jqt ".devices[0].sf_rep_net_ifindex == $(cat /sys/class/net/en3f0pf0sf2000/ifindex 2>/dev/null || echo -1)" "$VN" list
check "openvswitch starts" ovs_start
check "the representor joins an OVS bridge" sh -c 'ovs-vsctl add-br ovsbr1 && ovs-vsctl add-port ovsbr1 en3f0pf0sf2000'
check "the kernel datapath has it (ovs-dpctl show)" \
	sh -c 'ovs-dpctl show system@ovs-system | grep -q "port [0-9]*: en3f0pf0sf2000$"'
check "virtnet unplug deletes the netdev" sh -c '"$0" unplug -p 0 >/dev/null && ! ip link show en3f0pf0sf2000 2>/dev/null' "$VN"
done_testing
