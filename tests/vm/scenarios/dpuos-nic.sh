#!/bin/bash
# dpuos-nic.sh - in the dpu-vm guest, the simulated DPU's NIC as its kernel
# sees it: netdevsim in its BlueField layout, one device per PF
# (netdevsim0 and netdevsim1, doc/testbed.md), and the simulated virtio-net
# controller (virtnet, its default state file) on PATH for bfagent. "up"
# makes them as a BFB install leaves them: eswitch in legacy mode, no SF,
# no virtio-net device. "blank" takes the DPU's networking back to that:
# every OVS bridge and other_config key, bond0, the virtio-net devices'
# representors and bfagent's record gone, the devices and the controller
# made afresh.
# usage: dpuos-nic.sh up|blank   (top_builddir: the bfctl build)
. "$(dirname "${BASH_SOURCE[0]}")/guest-lib.sh"
VIRTNET=${top_builddir:?}/src/sim/virtnet

nic_up() {
	modprobe netdevsim bluefield=1 || return 1
	nsim_new 0 1 && nsim_new 1 1 || return 1
	[ -x "$VIRTNET" ] || return 0
	mkdir -p /run/bfsim && ln -sfn "$VIRTNET" /usr/local/bin/virtnet &&
		virtnet sim-init --rep-netdevs >/dev/null
}

nic_blank() {
	local br d
	for br in $(ovs-vsctl --timeout=10 list-br); do
		ovs-vsctl --timeout=10 del-br "$br" || return 1
	done
	ovs-vsctl --timeout=10 clear Open_vSwitch . other_config || return 1
	ip link del bond0 2>/dev/null
	# the virtio-net devices' SF representors (netdevs the controller made)
	for d in $(virtnet list 2>/dev/null | jq -r '.devices[]?.sf_rep_net_device // empty'); do
		ip link del "$d" || return 1
	done
	rm -f /var/lib/bfagent/state.json /run/bfsim/virtnet.json
	for d in /sys/bus/netdevsim/devices/netdevsim*; do
		[ -e "$d" ] && { echo "${d##*netdevsim}" > /sys/bus/netdevsim/del_device || return 1; }
	done
	nic_up
}

case ${1:-} in
up) nic_up ;;
blank) nic_blank ;;
*) echo "usage: dpuos-nic.sh up|blank" >&2; exit 2 ;;
esac
