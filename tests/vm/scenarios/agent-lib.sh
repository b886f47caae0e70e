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
