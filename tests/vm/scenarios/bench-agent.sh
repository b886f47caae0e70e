#!/bin/bash
# bench-agent.sh - runs in the dpu-vm guest for make bench: bfagent apply of
# each shipped profile to a fresh eswitch and Open vSwitch (whole process,
# wall clock), with the netlink requests and OVSDB transactions it reports,
# then a no-op re-apply (median of 5). Prints BENCH lines.
: "${top_builddir:=$top_srcdir/_build}"
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/vm/scenarios/guest-lib.sh"
. "$top_srcdir/tests/vm/scenarios/agent-lib.sh"
set -u
now() { echo "$EPOCHREALTIME"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
field() { jq -s -r "[.[] | select(.event == \"summary\")][0].$1" "$2"; }

modprobe netdevsim bluefield=1 || { echo "BENCH agent_apply error=netdevsim-missing"; exit 1; }
for name in ovs-switchdev lag sf-apps virtio-net-hotplug; do
	prof="$top_srcdir/tests/vm/profiles/$name.yaml"
	fresh || { echo "BENCH agent_apply profile=$name error=fresh-failed"; continue; }
	t0=$(now); apply_json "$prof" "$TMP/a1"; rc=$?; t1=$(now)
	if [ "$rc" -ne 0 ] || [ "$(field failed "$TMP/a1")" != 0 ]; then
		echo "BENCH agent_apply profile=$name error=apply-exit-$rc"; continue
	fi
	echo "BENCH agent_apply profile=$name seconds=$(sub "$t1" "$t0") objects=$(field created "$TMP/a1")" \
		"netlink_msgs=$(field netlink_msgs "$TMP/a1") ovsdb_txns=$(field ovsdb_txns "$TMP/a1")"
	for r in 1 2 3 4 5; do
		t0=$(now); apply_json "$prof" "$TMP/a2"; t1=$(now); sub "$t1" "$t0"
	done | median > "$TMP/re"
	[ "$(field changes "$TMP/a2")" = 0 ] || echo "BENCH agent_reapply profile=$name error=re-apply-changed-something"
	echo "BENCH agent_reapply profile=$name seconds=$(cat "$TMP/re") goal_seconds=0.5" \
		"netlink_msgs=$(field netlink_msgs "$TMP/a2") ovsdb_txns=$(field ovsdb_txns "$TMP/a2")"
done
