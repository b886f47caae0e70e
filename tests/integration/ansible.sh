#!/bin/bash
# ansible.sh - the collection in contrib/ansible: its example playbook run
# by Debian's ansible-core against localhost, with bfsim's devices: check
# mode plans without touching a device, a run installs and reports changed
# per device, a second run changes nothing, a failing device fails the task
# and is named while the others succeed.
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SAMPLE_BF2="$top_builddir/bfb/sample-full-bf2.bfb"
SPEED=${BFSIM_TEST_SPEED:-50}
PLAYBOOK="$top_srcdir/contrib/ansible/ansible_collections/bfctl/fleet/playbooks/provision.yml"

if ! command -v ansible-playbook >/dev/null; then
	skip "the example playbook" "ansible-core is not installed (scripts/install-deps)"
	done_testing
	exit
fi
export ANSIBLE_COLLECTIONS_PATH="$top_srcdir/contrib/ansible"
export ANSIBLE_LOCAL_TEMP="$TMP/ansible-local" ANSIBLE_REMOTE_TEMP="$TMP/ansible-remote"
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=0
export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=0
export HOME="$TMP/home"
mkdir -p "$HOME"

play() {  # play N STATE INVENTORY [ansible-playbook args] -- the example playbook with N devices
	local n=$1 st=$2 inv=$3
	shift 3
	"$BFSIM" run --devices "$n" --state "$st" --speed "$SPEED" -- \
		ansible-playbook -i localhost, -c local "$PLAYBOOK" -e target=localhost \
		-e bfctl_inventory="$inv" -e bfctl_program="$BFCTL" -e bfctl_state_dir="$TMP/journals" \
		-e bfctl_parallel=2 -e bfctl_result_file="$TMP/result.json" "$@"
}
task() {  # task FILE PYTHON-EXPR(r) -- over the provision module's result kept by the playbook
	python3 -c 'import json,sys
r=json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
resets() {  # resets STATE -- how often the simulated device was reset
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["counters"]["resets"])'
}

printf 'defaults:\n  bfb: %s\ndevices:\n  - rshim: sim:0\n    name: dpu0\n  - rshim: sim:1\n    name: dpu1\n' "$SAMPLE" > "$TMP/inv.yaml"

expect_rc 0 "check mode: the playbook passes" play 2 "$TMP/devs" "$TMP/inv.yaml" --check
cp "$TMP/result.json" "$TMP/check.json"
ok "check mode: each device would change" task "$TMP/check.json" \
	'r["devices"]["dpu0"]["changed"] and r["devices"]["dpu1"]["changed"] and r["changed"] and r["summary"]["plan"]'
ok "check mode: no device was touched" test "$(resets "$TMP/devs/0")$(resets "$TMP/devs/1")" = 00

expect_rc 0 "a run: the playbook passes" play 2 "$TMP/devs" "$TMP/inv.yaml"
cp "$TMP/result.json" "$TMP/run.json"; cp "$TMP/rc.out" "$TMP/run.out"
ok "a run: changed, per device" task "$TMP/run.json" \
	'r["changed"] and all(d["changed"] and d["ok"] and not d["failed"] for d in r["devices"].values()) and len(r["devices"]) == 2'
ok "a run: both devices were installed" test "$(resets "$TMP/devs/0")$(resets "$TMP/devs/1")" = 11
ok "the debug task names each device" grep -q 'dpu1: changed (boot)' "$TMP/run.out"

expect_rc 0 "a second run: the playbook passes" play 2 "$TMP/devs" "$TMP/inv.yaml"
ok "a second run: nothing changed" task "$TMP/result.json" \
	'not r["changed"] and not any(d["changed"] for d in r["devices"].values())'
ok "a second run: no device reset" test "$(resets "$TMP/devs/0")$(resets "$TMP/devs/1")" = 11

printf '  - rshim: sim:2\n    name: dpu2\n    bfb: %s\n' "$SAMPLE_BF2" >> "$TMP/inv.yaml"
expect_rc 2 "a device failing: the playbook fails" play 3 "$TMP/devs3" "$TMP/inv.yaml"
ok "the failing device is named, the others succeeded" task "$TMP/result.json" \
	'r["failed"] and r["devices"]["dpu2"]["failed"] and r["devices"]["dpu2"]["exit_code"] == 3 and r["devices"]["dpu0"]["ok"] and r["devices"]["dpu1"]["ok"] and "dpu2" in r["msg"]'

done_testing
