#!/bin/bash
# agent.sh - runs in the dpu-vm guest: bfagent applies each shipped profile
# (through tests/vm/profiles/, which point it at netdevsim in its BlueField
# layout) to a fresh eswitch and Open vSwitch; the result is read back with
# independent tools (devlink -j, ip -d -j, /proc/net/bonding, ovs-vsctl,
# virtnet list); a second apply changes nothing; drift made by hand is
# reported by bfagent status. TAP.
# usage: agent.sh [PROFILE...]   (default: every profile in tests/vm/profiles)
: "${top_builddir:=$top_srcdir/_build}"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/vm/scenarios/guest-lib.sh"
. "$top_srcdir/tests/vm/scenarios/agent-lib.sh"
export -f sf_active jqt netdev_by_port_name

check "netdevsim loads in its BlueField layout" modprobe netdevsim bluefield=1
profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(ovs-switchdev lag sf-apps virtio-net-hotplug)
for name in "${profiles[@]}"; do
	prof="$top_srcdir/tests/vm/profiles/$name.yaml"
	check "$name: a fresh eswitch and OVS" fresh
	check "$name: bfagent apply --json exits 0" apply_json "$prof" "$TMP/apply1"
	check "$name: nothing failed, something created" summary_is "$TMP/apply1" '.failed == 0 and .created > 0'
	check "$name: the last event is result ok" \
		sh -c 'tail -1 "$0" | jq -e ".event == \"result\" and .ok == true" >/dev/null' "$TMP/apply1"
	sed -n 's/.*"event":"summary"\(.*\)/# summary\1/p' "$TMP/apply1"
	"verify_${name//-/_}" "$name"
	check "$name: a second apply exits 0" apply_json "$prof" "$TMP/apply2"
	check "$name: ... and changes nothing" summary_is "$TMP/apply2" '.changes == 0 and .created == 0 and .changed == 0 and .removed == 0 and .failed == 0'
	sed -n 's/.*"event":"summary"\(.*\)/# re-apply summary\1/p' "$TMP/apply2"
	check "$name: bfagent status: in sync" sh -c '"$0" status --json "$1" > "$2"; jq -e -s "[.[] | select(.event == \"object\" and .action == \"drift\")] | length == 0" "$2" >/dev/null' \
		"$AGENT" "$prof" "$TMP/status1"
	# drift by hand: a bridge loses a port
	br=$(ovs-vsctl list-br | head -1)
	p=$(ovs-vsctl list-ports "$br" | head -1)
	ovs-vsctl del-port "$br" "$p"
	check "$name: a port removed by hand ($br/$p) is reported as drift" \
		sh -c '"$0" status --json "$1" > "$2"; jq -e -s "[.[] | select(.event == \"object\" and .action == \"drift\")] | length > 0" "$2" >/dev/null' \
		"$AGENT" "$prof" "$TMP/status2"
	check "$name: apply repairs it" sh -c '"$0" apply --json "$1" >/dev/null && ovs-vsctl list-ports "$2" | grep -qx "$3"' \
		"$AGENT" "$prof" "$br" "$p"
done

# --- SFs the profile drops are removed (only those the agent made) ---------
sf_absent() {  # sf_absent DEV SFNUM -- no SF port SFNUM on DEV
	devlink -j port show | jq -e --arg d "$1/" --argjson n "$2" \
		'[.port | to_entries[] | select((.key | startswith($d)) and .value.flavour == "pcisf" and .value.sfnum == $n)] | length == 0' >/dev/null
}
export -f sf_absent
if printf '%s\n' "${profiles[@]}" | grep -qx sf-apps; then
	# sf-apps without its two application SFs (88 and 89) and their ports
	sed -e '/sfnum: 8[89]/d' -e '/pf0sf8[89]/d' \
		-e "s|^include: ovs-switchdev.yaml|include: $top_srcdir/profiles/ovs-switchdev.yaml|" \
		"$top_srcdir/profiles/sf-apps.yaml" > "$TMP/sf-fewer-base.yaml"
	sed -e "s|^include: .*|include: $TMP/sf-fewer-base.yaml|" -e 's/^profile: .*/profile: sf-fewer-vm/' \
		"$top_srcdir/tests/vm/profiles/sf-apps.yaml" > "$TMP/sf-fewer.yaml"
	check "sf removal: a fresh eswitch and OVS" fresh
	check "sf removal: sf-apps applied" apply_json "$top_srcdir/tests/vm/profiles/sf-apps.yaml" "$TMP/sf1"
	check "sf removal: SFs 88 and 89 exist" bash -c 'sf_active netdevsim/netdevsim0 88 02:00:00:00:00:58 && sf_active netdevsim/netdevsim0 89 02:00:00:00:00:59'
	check "sf removal: the profile without them applies (exit 0)" apply_json "$TMP/sf-fewer.yaml" "$TMP/sf2"
	check "sf removal: two SFs removed, nothing failed" summary_is "$TMP/sf2" '.failed == 0 and .removed >= 2'
	check "sf removal: devlink shows no SF 88 or 89 on netdevsim0" \
		bash -c 'sf_absent netdevsim/netdevsim0 88 && sf_absent netdevsim/netdevsim0 89'
	check "sf removal: SF 0 of each port stays, active" \
		bash -c 'sf_active netdevsim/netdevsim0 0 02:00:00:00:00:00 && sf_active netdevsim/netdevsim1 0 02:00:00:00:01:00'
	check "sf removal: a second apply changes nothing" apply_json "$TMP/sf-fewer.yaml" "$TMP/sf3"
	check "sf removal: ... nothing removed or failed" summary_is "$TMP/sf3" '.changes == 0 and .removed == 0 and .failed == 0'
fi

# --- a bond's mode changes with its members attached ----------------------
if printf '%s\n' "${profiles[@]}" | grep -qx lag; then
	sed -e 's/^\(    mode:\) 802.3ad/\1 active-backup/' -e '/^    hash:/d' "$top_srcdir/profiles/lag.yaml" > "$TMP/lag-ab-base.yaml"
	sed -e "s|^include: .*|include: $TMP/lag-ab-base.yaml|" -e 's/^profile: .*/profile: lag-ab-vm/' \
		"$top_srcdir/tests/vm/profiles/lag.yaml" > "$TMP/lag-ab.yaml"
	check "bond mode: the edited profile asks for active-backup" grep -q 'mode: active-backup' "$TMP/lag-ab-base.yaml"
	check "bond mode: a fresh eswitch and OVS" fresh
	check "bond mode: lag (802.3ad) applied" apply_json "$top_srcdir/tests/vm/profiles/lag.yaml" "$TMP/ab1"
	check "bond mode: the same uplinks in active-backup apply (exit 0)" apply_json "$TMP/lag-ab.yaml" "$TMP/ab2"
	check "bond mode: the bond changed, nothing failed" summary_is "$TMP/ab2" '.failed == 0 and .changed >= 1'
	check "bond mode: /proc/net/bonding/bond0: active-backup, p0 and p1 enslaved again" sh -c "
		grep -q 'Bonding Mode: fault-tolerance (active-backup)' /proc/net/bonding/bond0 &&
		grep -q 'Slave Interface: $(port p0)\$' /proc/net/bonding/bond0 &&
		grep -q 'Slave Interface: $(port p1)\$' /proc/net/bonding/bond0"
	check "bond mode: bond0 is up (carrier within 30 s: miimon sees the members)" wait_for 30 jqt '.[0].operstate != "DOWN" and (.[0].flags | index("UP") != null)' ip -j link show bond0
	check "bond mode: a second apply changes nothing" apply_json "$TMP/lag-ab.yaml" "$TMP/ab3"
	check "bond mode: ... nothing changed or failed" summary_is "$TMP/ab3" '.changes == 0 and .failed == 0'
fi
# --- killed part way, the next apply converges ----------------------------
sf_count() {  # sf_count -- SF ports devlink shows on both devices
	devlink -j port show | jq '[.port[] | select(.flavour == "pcisf")] | length'
}
if printf '%s\n' "${profiles[@]}" | grep -qx sf-apps; then
	prof="$top_srcdir/tests/vm/profiles/sf-apps.yaml"
	check "kill: a fresh eswitch and OVS" fresh
	"$AGENT" apply --json "$prof" > "$TMP/kill1" 2>&1 &
	pid=$!
	# bfagent records each SF just before it makes it (the state file,
	# replaced atomically) and builds the bridges last: SIGKILL at the
	# second SF's record, while that SF is being made.
	end=$((SECONDS + 300))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
		[ -e "$BFAGENT_STATE" ] && mapfile -t rec < "$BFAGENT_STATE" 2>/dev/null &&
			case "${rec[*]}" in *'"sf:'*'"sf:'*) break ;; esac
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	nsf=$(sf_count)
	echo "# at the kill: $nsf of 4 SFs, bridges: '$(ovs-vsctl list-br | tr '\n' ' ')', state: $(jq -c '.' "$BFAGENT_STATE" 2>/dev/null | head -c 300)"
	check "kill: bfagent died of SIGKILL (status 137, was $rc)" test "$rc" = 137
	check "kill: it stopped part way: an SF made ($nsf), no bridge yet" \
		sh -c '[ "$0" -ge 1 ] && ! ovs-vsctl br-exists ovsbr1 && ! ovs-vsctl br-exists ovsbr2' "$nsf"
	check "kill: apply again exits 0" apply_json "$prof" "$TMP/kill2"
	check "kill: ... nothing failed, the rest created" summary_is "$TMP/kill2" '.failed == 0 and .created > 0'
	sed -n 's/.*"event":"summary"\(.*\)/# after-kill summary\1/p' "$TMP/kill2"
	verify_sf_apps "kill"
	check "kill: a third apply changes nothing" apply_json "$prof" "$TMP/kill3"
	check "kill: ... zero changes" summary_is "$TMP/kill3" '.changes == 0 and .failed == 0'
	check "kill: the record holds every SF (they are the agent's to remove)" \
		jqt '[.. | strings | select(test("^sf:"))] | length == 4' cat "$BFAGENT_STATE"
fi

# --- an edited profile: only the difference is applied; traffic crosses the bridge
if printf '%s\n' "${profiles[@]}" | grep -qx ovs-switchdev; then
	# ovs-switchdev plus two veth ports on ovsbr1 and one more other_config key
	sed -e 's/^\(          - rep: pf0 .*\)$/\1\n          - name: vx0\n          - name: vy0/' \
		-e 's/^\(      hw-offload: "true"\)$/\1\n      max-idle: "30000"/' \
		"$top_srcdir/profiles/ovs-switchdev.yaml" > "$TMP/ovs-more-base.yaml"
	sed -e "s|^include: .*|include: $TMP/ovs-more-base.yaml|" -e 's/^profile: .*/profile: ovs-more-vm/' \
		"$top_srcdir/tests/vm/profiles/ovs-switchdev.yaml" > "$TMP/ovs-more.yaml"
	sed -e 's/max-idle: "30000"/max-idle: "20000"/' "$TMP/ovs-more-base.yaml" > "$TMP/ovs-idle-base.yaml"
	sed -e "s|^include: .*|include: $TMP/ovs-idle-base.yaml|" "$TMP/ovs-more.yaml" > "$TMP/ovs-idle.yaml"
	check "edit: the edited profile has the two ports and the key" \
		sh -c 'grep -c "name: v[xy]0\|max-idle" "$0" | grep -qx 3' "$TMP/ovs-more-base.yaml"
	check "edit: a fresh eswitch and OVS" fresh
	# two namespaces, each reaching ovsbr1 through a veth the profile adds
	ip netns del bfa 2>/dev/null; ip netns del bfb 2>/dev/null
	check "edit: veths vx0 and vy0 to namespaces bfa and bfb" sh -c '
		ip netns add bfa && ip netns add bfb &&
		ip link add vx0 type veth peer name vx0_p netns bfa &&
		ip link add vy0 type veth peer name vy0_p netns bfb &&
		ip link set vx0 up && ip link set vy0 up &&
		ip -n bfa addr add 10.99.0.1/24 dev vx0_p && ip -n bfa link set vx0_p up &&
		ip -n bfb addr add 10.99.0.2/24 dev vy0_p && ip -n bfb link set vy0_p up'
	trap 'ip netns del bfa 2>/dev/null; ip netns del bfb 2>/dev/null' EXIT
	check "edit: ovs-switchdev applied" apply_json "$top_srcdir/tests/vm/profiles/ovs-switchdev.yaml" "$TMP/ed1"
	check "edit: its re-apply counts the objects" apply_json "$top_srcdir/tests/vm/profiles/ovs-switchdev.yaml" "$TMP/ed1b"
	base=$(jq -s '[.[] | select(.event == "summary")][0].unchanged' "$TMP/ed1b")
	check "edit: the profile with 2 ports and 1 key more applies (exit 0)" apply_json "$TMP/ovs-more.yaml" "$TMP/ed2"
	sed -n 's/.*"event":"summary"\(.*\)/# edited summary\1/p' "$TMP/ed2"
	check "edit: exactly 3 created, the other $base unchanged, one OVSDB transaction" \
		summary_is "$TMP/ed2" ".created == 3 and .changed == 0 and .removed == 0 and .failed == 0 and .unchanged == $base and .ovsdb_txns == 1"
	check "edit: the created objects are the two ports and the key" \
		jqt '[.[] | select(.event == "object" and .verdict == "created") | .id] | sort == ["max-idle", "ovsbr1/vx0", "ovsbr1/vy0"]' \
		jq -s . "$TMP/ed2"
	check "edit: ovsbr1 = p0, pf0 representors, vx0, vy0 (ovs-vsctl)" want_ports ovsbr1 "$(port p0)" "$(port pf0)" vx0 vy0
	check "edit: ovsbr2 untouched" want_ports ovsbr2 "$(port p1)" "$(port pf1)"
	check "edit: other_config max-idle=30000, hw-offload kept" sh -c \
		'[ "$(ovs-vsctl get Open_vSwitch . other_config:max-idle)" = "\"30000\"" ] && [ "$(ovs-vsctl get Open_vSwitch . other_config:hw-offload)" = "\"true\"" ]'
	check "edit: the key's value changed in the profile applies (exit 0)" apply_json "$TMP/ovs-idle.yaml" "$TMP/ed3"
	check "edit: ... exactly 1 changed, nothing else" \
		summary_is "$TMP/ed3" ".changed == 1 and .created == 0 and .removed == 0 and .failed == 0 and .unchanged == $base + 2"
	check "edit: other_config max-idle=20000 (ovs-vsctl)" \
		sh -c '[ "$(ovs-vsctl get Open_vSwitch . other_config:max-idle)" = "\"20000\"" ]'
	# Traffic: netdevsim representors carry none, the veths do. The only
	# path from bfa to bfb is ovsbr1 (vx0 and vy0 have no address).
	check "traffic: bfa pings bfb through ovsbr1" ip netns exec bfa ping -c 3 -W 5 10.99.0.2
	check "traffic: ovsbr1 learned both namespaces' MACs (ovs-appctl fdb/show)" sh -c '
		ma=$(ip -n bfa -j link show vx0_p | jq -r ".[0].address"); mb=$(ip -n bfb -j link show vy0_p | jq -r ".[0].address")
		ovs-appctl fdb/show ovsbr1 | grep -q "$ma" && ovs-appctl fdb/show ovsbr1 | grep -q "$mb"'
	check "traffic: the kernel datapath has vx0 and vy0 (ovs-dpctl)" \
		sh -c "ovs-dpctl show | grep -q ': vx0\$' && ovs-dpctl show | grep -q ': vy0\$'"
	ip netns del bfa; ip netns del bfb
fi
done_testing
