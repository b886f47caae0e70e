#!/bin/bash
# bench_agent_ovsdb.sh - bfagent's OVS part on this host against a real
# ovsdb-server: apply from scratch and a no-op re-apply of a profile with
# the default two-bridge layout plus 16 ports each (netdev names: this
# host has no representors), side by side with ovs-vsctl doing the same
# idempotent work (--may-exist, one invocation). Whole processes, medians
# of 7. The kernel part is measured in the test bed (tests/vm).
set -u
AGENT="$top_builddir/src/agent/bfagent"
schema=/usr/share/openvswitch/vswitch.ovsschema
if ! command -v ovsdb-server >/dev/null || [ ! -r "$schema" ]; then
	echo "BENCH agent_ovsdb skipped=ovsdb-server-missing"; exit 0
fi
T=$(mktemp -d) || exit 1
trap 'kill "$(cat "$T/pid" 2>/dev/null)" 2>/dev/null; rm -rf "$T"' EXIT
ovsdb-tool create "$T/conf.db" "$schema"
ovsdb-server "$T/conf.db" --remote="punix:$T/db.sock" --unixctl="$T/ctl" --pidfile="$T/pid" --detach --no-chdir \
	--log-file="$T/log" 2>/dev/null
VSCTL="ovs-vsctl --db=unix:$T/db.sock --no-wait"
$VSCTL init
{
	echo "dpu:"
	echo "  ovs:"
	echo "    other_config: { hw-offload: \"true\" }"
	echo "    bridges:"
	for b in 1 2; do
		printf '      - name: ovsbr%s\n        ports: [' "$b"
		for i in $(seq 0 15); do printf '%sp%s_%s' "$([ "$i" = 0 ] || echo ', ')" "$b" "$i"; done
		echo ']'
	done
} > "$T/p.yaml"
vsctl_args="set Open_vSwitch . other_config:hw-offload=true"
for b in 1 2; do
	vsctl_args="$vsctl_args -- --may-exist add-br ovsbr$b"
	for i in $(seq 0 15); do vsctl_args="$vsctl_args -- --may-exist add-port ovsbr$b p${b}_$i"; done
done
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", a - b }'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
A() { "$AGENT" --state "$T/state.json" --ovsdb "$T/db.sock" "$@"; }

t0=$(now); A --json apply "$T/p.yaml" > "$T/first.json"; t1=$(now)
txns=$(grep -o '"ovsdb_txns":[0-9]*' "$T/first.json" | cut -d: -f2)
created=$(grep -o '"created":[0-9]*' "$T/first.json" | cut -d: -f2)
echo "BENCH agent_apply_ovsdb profile=2x16-ports objects=$created seconds=$(sub "$t1" "$t0") ovsdb_txns=$txns"
for r in 1 2 3 4 5 6 7; do
	t0=$(now); A --json apply "$T/p.yaml" > "$T/re.json"; t1=$(now); sub "$t1" "$t0"
done | median > "$T/agent"
grep -q '"changes":0' "$T/re.json" || echo "BENCH agent_reapply_ovsdb error=re-apply-changed-something"
for r in 1 2 3 4 5 6 7; do
	t0=$(now); $VSCTL $vsctl_args; t1=$(now); sub "$t1" "$t0"
done | median > "$T/vsctl"
a=$(cat "$T/agent"); v=$(cat "$T/vsctl")
echo "BENCH agent_reapply_ovsdb seconds=$a ovs_vsctl_seconds=$v ratio=$(awk -v a="$a" -v v="$v" 'BEGIN { printf "%.2f", a / v }') ovsdb_txns=$(grep -o '"ovsdb_txns":[0-9]*' "$T/re.json" | cut -d: -f2)"
