#!/bin/bash
# fleet_provision.sh - bfctl provision --inventory with a profile: the
# provision flow (firmware, install, handoff, agent, verify) for a device
# of an inventory, in bfsim's quick mode (bfsim --net: a real sshd and
# ovsdb-server as the DPU's OS); the journal records each step; --resume
# then skips them all and changes nothing; the bridges are read back with
# ovs-vsctl.
if [ -z "${FLEET_PROV_INNER:-}" ]; then
	: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ] || ! command -v nsenter >/dev/null || [ ! -x /usr/sbin/sshd ] ||
	   ! command -v ovsdb-server >/dev/null; then
		echo "1..0 # SKIP needs root, /dev/net/tun, nsenter, sshd (openssh-server) and ovsdb-server"
		exit 0
	fi
	export FLEET_PROV_INNER=1
	STATE=$(mktemp -d "${TMPDIR:-/tmp}/bfctl-fleet-prov.XXXXXX")
	trap 'rm -rf "$STATE"' EXIT
	export FLEET_PROV_STATE="$STATE/dev"
	"$top_builddir/src/sim/bfsim" run --state "$STATE/dev" --speed "${BFSIM_TEST_SPEED:-50}" --net -- bash "$0"
	exit $?
fi
. "$(dirname "$0")/lib.sh"
SAMPLE="$top_builddir/bfb/sample-full.bfb"
export BFCTL_STATE_DIR="$TMP/state"
VSCTL="ovs-vsctl --db=unix:$FLEET_PROV_STATE/rootfs/run/openvswitch/db.sock --timeout=10"

cat > "$TMP/quick.yaml" <<'EOF'
profile: quick
description: "OVS rows only: what the quick mode's DPU OS can hold"
dpu:
  ovs:
    bridges:
      - name: fleetbr1
EOF
cat > "$TMP/inv.yaml" <<EOF
defaults:
  bfb: $SAMPLE
  profile: quick.yaml
devices:
  - rshim: sim:0
    name: edge0
EOF
expect_rc 0 "an inventory with a profile: provisioned and verified" \
	"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --timeout 300
cp "$TMP/rc.out" "$TMP/first.json"
ok "the device's result: ok, changed, at step verify" grep -q '"event":"result","time":[0-9.]*,"device":"edge0","ok":true.*"step":"verify","changed":true' "$TMP/first.json"
ok "the provision steps came as step events of edge0" - <<'CHECK'
for s in firmware install handoff agent verify; do grep -q "\"device\":\"edge0\",\"step\":\"$s\"" "$TMP/first.json" || exit 1; done
CHECK
ok "every JSON line is one object without a repeated key" python3 -c '
import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("repeated key in %r" % keys)
    return dict(pairs)
for line in open(sys.argv[1]):
    json.loads(line, object_pairs_hook=once)' "$TMP/first.json"
ok "bfagent's summary came as agent_summary of edge0, tagged stage agent" python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if [e for e in evs if e["event"] == "agent_summary" and e["device"] == "edge0" and e["stage"] == "agent"] else 1)' "$TMP/first.json"
ok "bfagent's result is not taken for a device result" python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if sum(1 for e in evs if e["event"] == "result" and e.get("device") == "edge0") == 1 else 1)' "$TMP/first.json"
ok "a step's start and end are step events, as for one device" python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
st = [e["status"] for e in evs if e["event"] == "step" and e.get("step") == "install"]
sys.exit(0 if st == ["started", "done"] and not [e for e in evs if e["event"] == "step_end"] else 1)' "$TMP/first.json"
ok "the journal records them" grep -q '"steps":\["download","check","firmware","install","handoff","agent","verify"\]' "$BFCTL_STATE_DIR/sim_0/fleet-journal.json"
ok "ovs-vsctl reads the bridge the profile asks for" - <<'CHECK'
$VSCTL br-exists fleetbr1
CHECK
expect_rc 0 "--resume: ok" "$BFCTL" provision --json --inventory "$TMP/inv.yaml" --timeout 300 --resume
ok "--resume: nothing changed, every step skipped" grep -q '"device":"edge0","ok":true.*"changed":false,"skipped":true' "$TMP/rc.out"
ok "--resume: no step ran again" not grep -q '"event":"step","time":[0-9.]*,"device":"edge0","step":"install","status":"started"' "$TMP/rc.out"
ok "--resume: the install step is reported skipped" grep -q '"event":"step","time":[0-9.]*,"device":"edge0","step":"install","status":"skipped"' "$TMP/rc.out"

# The profile edited under the same path: the journal no longer applies.
sed -i 's/- name: fleetbr1/- name: fleetbr1\n      - name: fleetbr2/' "$TMP/quick.yaml"
expect_rc 0 "the profile edited: --resume --plan ok" \
	"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --timeout 300 --resume --plan
ok "the profile edited: every step would run again" grep -q '"event":"plan",.*"device":"edge0","steps":\["firmware","install","handoff","agent","verify"\]' "$TMP/rc.out"
expect_rc 0 "the profile edited: --resume ok" "$BFCTL" provision --json --inventory "$TMP/inv.yaml" --timeout 300 --resume
ok "the profile edited: --resume changed the device" grep -q '"device":"edge0","ok":true.*"changed":true' "$TMP/rc.out"
ok "ovs-vsctl reads the bridge the edited profile adds" - <<'CHECK'
$VSCTL br-exists fleetbr2
CHECK

# A device whose name is too long for a state directory fails alone, with
# its reason, instead of sharing a directory cut short; the other device
# of the inventory goes on.
LONG="/dev/$(printf 'r%.0s' $(seq 300))"
{ cat "$TMP/inv.yaml"; printf '  - rshim: %s\n    name: long0\n' "$LONG"; } > "$TMP/inv-long.yaml"
expect_rc 1 "a device name too long for a state directory: exit 1" \
	"$BFCTL" provision --json --inventory "$TMP/inv-long.yaml" --timeout 300 --resume
ok "long0 failed, its name too long for a state directory" \
	grep -q '"event":"result",.*"device":"long0","ok":false.*the device name is too long for a state directory (309 bytes once encoded, at most 255)' "$TMP/rc.out"
ok "edge0: ok, nothing to do" grep -q '"event":"result",.*"device":"edge0","ok":true' "$TMP/rc.out"
ok "no state directory made for long0" [ "$(ls "$BFCTL_STATE_DIR")" = sim_0 ]

done_testing
