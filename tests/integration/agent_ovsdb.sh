#!/bin/bash
# agent_ovsdb.sh - bfagent against a real ovsdb-server (the Open_vSwitch
# schema Debian ships; no ovs-vswitchd is needed for table state), read
# back with ovs-vsctl: apply creates bridges, ports and other_config in one
# transaction; a second apply changes nothing; a changed profile applies
# only the difference and removes only what bfagent created; objects made
# by hand are left alone; status reports drift.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
AGENT="$top_builddir/src/agent/bfagent"
schema=/usr/share/openvswitch/vswitch.ovsschema
if ! command -v ovsdb-server >/dev/null || ! command -v ovs-vsctl >/dev/null || [ ! -r "$schema" ]; then
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - ovsdb-server, ovs-vsctl and $schema are needed (openvswitch-switch)"; exit 1
	fi
	echo "1..0 # SKIP ovsdb-server/ovs-vsctl not installed (openvswitch-switch)"; exit 0
fi

ovsdb-tool create conf.db "$schema" || exit 1
ovsdb-server conf.db --remote="punix:$TMP/db.sock" --unixctl="$TMP/ovsdb.ctl" --pidfile="$TMP/ovsdb.pid" \
	--detach --no-chdir --log-file="$TMP/ovsdb.log" || exit 1
trap 'kill "$(cat "$TMP/ovsdb.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$TMP"' EXIT
VSCTL="ovs-vsctl --db=unix:$TMP/db.sock --no-wait"
$VSCTL init
A() { "$AGENT" --state "$TMP/state.json" --ovsdb "$TMP/db.sock" "$@"; }
o="$TMP/rc.out"

cat > p1.yaml <<'YAML'
profile: ovs-test
dpu:
  ovs:
    other_config: { hw-offload: "true", max-idle: "20000" }
    bridges:
      - name: br-a
        ports: [ veth0, veth1 ]
      - name: br-b
        datapath_type: netdev
        ports: [ { name: tap0 } ]
YAML

expect_rc 0 "plan: exit 0" A plan p1.yaml
check "plan lists 7 creations" grep -q "^plan: 7 to create, 0 to change, 0 to remove, 0 failed" "$o"
check "plan changed nothing" sh -c "! $VSCTL list-br | grep -q ."

expect_rc 0 "apply from scratch: exit 0" A --json apply p1.yaml
check "one OVSDB transaction" grep -q '"event":"summary".*"created":7.*"ovsdb_txns":1' "$o"
check "JSON ends with a result" sh -c "tail -1 '$o' | grep -q '\"event\":\"result\",.*\"ok\":true'"
check "ovs-vsctl: bridges br-a br-b" sh -c "[ \"\$($VSCTL list-br | tr '\n' ' ')\" = 'br-a br-b ' ]"
check "ovs-vsctl: br-a has veth0 veth1" sh -c "[ \"\$($VSCTL list-ports br-a | tr '\n' ' ')\" = 'veth0 veth1 ' ]"
check "ovs-vsctl: br-b datapath netdev" sh -c "[ \"\$($VSCTL get Bridge br-b datapath_type)\" = netdev ]"
check "ovs-vsctl: br-a's own port is internal" sh -c "[ \"\$($VSCTL get Interface br-a type)\" = internal ]"
check "ovs-vsctl: hw-offload=true" sh -c "[ \"\$($VSCTL get Open_vSwitch . other_config:hw-offload)\" = '\"true\"' ]"
check "the state file is 0600" sh -c "[ \"\$(stat -c %a '$TMP/state.json')\" = 600 ]"
check "the state file records the bridge" grep -q '"bridge:br-a"' "$TMP/state.json"

expect_rc 0 "second apply: exit 0" A apply p1.yaml
check "second apply: nothing to change" grep -q "^apply: nothing to change (7 objects in sync)" "$o"
expect_rc 0 "second apply, JSON: zero changes, no transaction" A --json apply p1.yaml
check "zero changes, zero transactions" grep -q '"changes":0.*"ovsdb_txns":0' "$o"

# Objects an operator made by hand.
$VSCTL add-br br-hand -- add-port br-a veth9 -- set Open_vSwitch . other_config:pmd-quiet-idle=true
cat > p2.yaml <<'YAML'
profile: ovs-test
dpu:
  ovs:
    other_config: { max-idle: "30000" }
    bridges:
      - name: br-a
        ports: [ veth0, veth2 ]
YAML
expect_rc 0 "status with a changed profile: exit 0" A status p2.yaml
check "status: drift of the removed port" grep -q "^drift *port *br-a/veth1 *no longer in the profile" "$o"
check "status: in sync port" grep -q "^in-sync *port *br-a/veth0" "$o"
check "status changed nothing" sh -c "$VSCTL list-br | grep -q br-b"
expect_rc 0 "apply the changed profile" A apply p2.yaml
check "only the difference: 1 created, 1 changed, 3 removed" \
	grep -q "^apply: 1 created, 1 changed, 3 removed, 0 failed, 2 unchanged" "$o"
check "br-b (made by bfagent) removed" sh -c "! $VSCTL br-exists br-b"
check "br-hand (made by hand) kept" $VSCTL br-exists br-hand
check "br-a now veth0 veth2 veth9 (veth9 by hand, kept)" \
	sh -c "[ \"\$($VSCTL list-ports br-a | tr '\n' ' ')\" = 'veth0 veth2 veth9 ' ]"
check "hw-offload (set by bfagent) removed" sh -c "! $VSCTL get Open_vSwitch . other_config:hw-offload 2>/dev/null"
check "pmd-quiet-idle (by hand) kept" $VSCTL get Open_vSwitch . other_config:pmd-quiet-idle
check "max-idle changed" sh -c "[ \"\$($VSCTL get Open_vSwitch . other_config:max-idle)\" = '\"30000\"' ]"

# Dropping a bridge an operator added a port to: the bridge stays.
printf 'dpu:\n  ovs:\n    bridges: []\n' > p3.yaml
expect_rc 0 "apply without bridges" A apply p3.yaml
check "br-a kept for the port added by hand" grep -q "br-a .*kept: it holds veth9, added by hand" "$o"
check "only veth9 is left in br-a" sh -c "[ \"\$($VSCTL list-ports br-a | tr '\n' ' ')\" = 'veth9 ' ]"

# A port in a bridge made by hand is not moved.
$VSCTL add-port br-hand veth5
printf 'dpu:\n  ovs:\n    bridges:\n      - { name: br-c, ports: [veth5] }\n' > p4.yaml
expect_rc 1 "a port held by a bridge made by hand: exit 1" A apply p4.yaml
check "the reason is given" grep -q "failed *port *br-c/veth5 *veth5 is a port of bridge br-hand, made by hand" "$o"
check "veth5 still in br-hand" sh -c "$VSCTL list-ports br-hand | grep -qx veth5"

# ovsdb-server unreachable: every OVS object fails with the reason, the
# record is kept for the next apply.
printf 'dpu:\n  ovs:\n    other_config: { "k": "v" }\n    bridges:\n      - { name: br-d, ports: [a1] }\n' > p5.yaml
kill "$(cat "$TMP/ovsdb.pid")"; sleep 0.3
expect_rc 1 "ovsdb-server gone: exit 1" A apply p5.yaml
check "OVS failed with the reason" grep -q "failed *bridge *ovsdb *cannot connect to ovsdb-server at $TMP/db.sock" "$o"
check "the state file is intact" grep -q '"bridge:br-a"' "$TMP/state.json"
done_testing
