# agent-lib.sh - for scenarios that run bfagent in the dpu-vm guest: its
# paths, a fresh DPU, apply with JSON events, the summary read back.
# Source after tests/integration/lib.sh and guest-lib.sh.
AGENT=${BFAGENT:-$top_builddir/src/agent/bfagent}
: "${BFAGENT_VIRTNET:=$top_builddir/src/sim/virtnet}"
export BFAGENT_STATE=/run/bfagent/state.json BFAGENT_VIRTNET
export BFSIM_VIRTNET_STATE=/run/virtnet.json

fresh() {  # a DPU as after its OS install: legacy eswitch, no bond, empty OVS
	local d
	for d in /sys/bus/netdevsim/devices/netdevsim*; do
		[ -e "$d" ] && echo "${d##*netdevsim}" > /sys/bus/netdevsim/del_device
	done
	ip link del bond0 2>/dev/null
	/usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1
	rm -rf /run/bfagent "$BFSIM_VIRTNET_STATE"
	mkdir -p /run/bfagent
	nsim_new 0 1 && nsim_new 1 1 && ovs_start &&
		"$BFAGENT_VIRTNET" sim-init --rep-netdevs >/dev/null
}

port() { netdev_by_port_name "$1"; }  # the netdev of a phys_port_name

apply_json() {  # apply_json PROFILE OUT -- bfagent apply --json, events to OUT
	"$AGENT" apply --json "$1" > "$2" 2> "$2.err"
}
summary_is() {  # summary_is OUT JQ -- the summary event satisfies JQ
	jq -e -s "[.[] | select(.event == \"summary\")][0] | $2" "$1" >/dev/null ||
		{ grep -v '"event":"object"' "$1"; grep '"verdict":"failed"' "$1"; cat "$1.err"; return 1; }
}

# --- a shipped profile's objects read back with independent tools --------
ports_of() { ovs-vsctl list-ports "$1" | sort | tr '\n' ' '; }
want_ports() {  # want_ports BRIDGE NAME... -- the bridge's ports are exactly these
	local br=$1 want
	shift
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$(ports_of "$br")" = "$want" ] || { echo "$br has '$(ports_of "$br")', wanted '$want'"; return 1; }
}
both_switchdev() {
	jqt '.dev["netdevsim/netdevsim0"].mode == "switchdev"' devlink -j dev eswitch show netdevsim/netdevsim0 &&
		jqt '.dev["netdevsim/netdevsim1"].mode == "switchdev"' devlink -j dev eswitch show netdevsim/netdevsim1
}
sf_active() {  # sf_active DEV SFNUM MAC -- the SF port on DEV is active with MAC
	devlink -j port show | jq -e --arg d "$1/" --argjson n "$2" --arg m "$3" \
		'[.port | to_entries[] | select((.key | startswith($d)) and .value.flavour == "pcisf" and .value.sfnum == $n)][0].value.function | .hw_addr == $m and .state == "active"' >/dev/null
}

verify_base() {  # what every profile here sets up: switchdev, hw-offload, uplinks in the datapath
	check "$1: both eswitches in switchdev (devlink -j)" both_switchdev
	check "$1: other_config hw-offload=true (ovs-vsctl)" \
		sh -c '[ "$(ovs-vsctl get Open_vSwitch . other_config:hw-offload)" = "\"true\"" ]'
}
verify_ovs_switchdev() {
	verify_base "$1"
	check "$1: ovsbr1 = p0 + pf0 representors (ovs-vsctl)" want_ports ovsbr1 "$(port p0)" "$(port pf0)"
	check "$1: ovsbr2 = p1 + pf1 representors" want_ports ovsbr2 "$(port p1)" "$(port pf1)"
	check "$1: the kernel datapath has the uplinks (ovs-dpctl)" \
		sh -c "ovs-dpctl show | grep -q ': $(port p0)\$' && ovs-dpctl show | grep -q ': $(port p1)\$'"
}
verify_lag() {
	verify_base "$1"
	check "$1: /proc/net/bonding/bond0: 802.3ad, layer3+4, p0 and p1 enslaved" sh -c "
		grep -q 'Bonding Mode: IEEE 802.3ad' /proc/net/bonding/bond0 &&
		grep -q 'Transmit Hash Policy: layer3+4' /proc/net/bonding/bond0 &&
		grep -q 'Slave Interface: $(port p0)\$' /proc/net/bonding/bond0 &&
		grep -q 'Slave Interface: $(port p1)\$' /proc/net/bonding/bond0"
	check "$1: ip -d -j link: bond0 mode 802.3ad, miimon 100" \
		jqt '.[0].linkinfo.info_data | .mode == "802.3ad" and .miimon == 100' ip -d -j link show bond0
	check "$1: bf-lag = bond0 + pf0 representor; no uplink in OVS" \
		want_ports bf-lag bond0 "$(port pf0)"
}
verify_sf_apps() {
	verify_base "$1"
	check "$1: SF pf0 sfnum 0 active with its MAC (devlink -j)" sf_active netdevsim/netdevsim0 0 02:00:00:00:00:00
	check "$1: SF pf1 sfnum 0 active with its MAC" sf_active netdevsim/netdevsim1 0 02:00:00:00:01:00
	check "$1: SFs 88 and 89 on pf0 active with theirs" \
		bash -c 'sf_active netdevsim/netdevsim0 88 02:00:00:00:00:58 && sf_active netdevsim/netdevsim0 89 02:00:00:00:00:59'
	check "$1: ovsbr1 = p0, pf0, pf0sf0, pf0sf88, pf0sf89 representors" \
		want_ports ovsbr1 "$(port p0)" "$(port pf0)" "$(port pf0sf0)" "$(port pf0sf88)" "$(port pf0sf89)"
	check "$1: ovsbr2 = p1, pf1, pf1sf0 representors" want_ports ovsbr2 "$(port p1)" "$(port pf1)" "$(port pf1sf0)"
}
verify_virtio_net_hotplug() {
	verify_base "$1"
	check "$1: virtnet list: the two devices with their MACs, MTUs, queues" \
		jqt '[.devices[] | "\(.net_mac) \(.net_mtu) \(.max_queues)"] | sort == ["02:11:22:33:44:01 1500 8", "02:11:22:33:44:02 9000 16"]' \
		"$BFAGENT_VIRTNET" list
	check "$1: ovsbr1 = p0, pf0 and the two devices' SF representors" \
		want_ports ovsbr1 "$(port p0)" "$(port pf0)" $("$BFAGENT_VIRTNET" list | jq -r '.devices[].sf_rep_net_device')
	check "$1: ovsbr2 = p1 + pf1 representors" want_ports ovsbr2 "$(port p1)" "$(port pf1)"
}
