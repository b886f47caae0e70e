#!/bin/bash
# fleet_watch.sh - bfctl provision --inventory --resume after a run that
# pushed the whole bundle and died before the verdict: the boot is watched
# (no reset, no byte pushed again) and the device ends installed. When the
# watch learns nothing (the log stays quiet for --stall-timeout), the
# device is installed again, and the run says why.
if [ -z "${FLEET_WATCH_INNER:-}" ]; then
	. "$(dirname "$0")/lib.sh"
	export FLEET_WATCH_INNER=1 FLEET_WATCH_DEVS="$TMP/devs"
	"$BFSIM" run --devices 1 --state "$TMP/devs" --speed "${BFSIM_TEST_SPEED:-5}" -- bash "$0"
	exit $?
fi
. "$(dirname "$0")/lib.sh"

ST="$TMP/journals"
JOURNAL="$ST/sim_0/fleet-journal.json"
export BFCTL_STATE_DIR="$TMP/state"
cat > "$TMP/inv.yaml" <<EOF
defaults:
  bfb: $top_builddir/bfb/sample-full.bfb
devices:
  - rshim: sim:0
EOF
counters() {  # "resets boot_bytes" of sim:0, live
	"$BFSIM" status --state "$FLEET_WATCH_DEVS" --json | python3 -c 'import json,sys
c=json.loads(sys.stdin.readline())["counters"]; print(c["resets"], c["boot_bytes"])'
}
events() {  # events FILE PYTHON-EXPR(evs)
	python3 -c 'import json,sys
evs=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
fleet() { "$BFCTL" provision --json --inventory "$TMP/inv.yaml" --state-dir "$ST" "$@"; }

# --- killed once the push has ended: --resume watches the boot -----------------
"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --state-dir "$ST" > "$TMP/kill.json" 2>"$TMP/kill.err" & pid=$!
for i in $(seq 3000); do
	events "$TMP/kill.json" '[e for e in evs if e["event"]=="step" and e["step"]=="boot"]' 2>/dev/null && break
	sleep 0.1
done
kill -KILL $pid
wait $pid 2>/dev/null
ok "killed after the push: the journal has the push, not the boot" - <<CHECK
grep -q '"push"' "$JOURNAL" && ! grep -q '"boot"' "$JOURNAL"
CHECK
counters > "$TMP/before"
expect_rc 0 "--resume: exit 0" fleet --resume --stall-timeout 600
cp "$TMP/rc.out" "$TMP/resume.json"
ok "--resume says it watches the boot the earlier run pushed" \
	grep -q '"event":"info",.*"device":"sim:0","step":"boot","message":"pushed by an earlier run that stopped before the verdict: watching the boot"' "$TMP/resume.json"
ok "--resume: no push step, and the device installed and changed" events "$TMP/resume.json" \
	'not [e for e in evs if e["event"]=="step" and e["step"]=="push"] and [e for e in evs if e["event"]=="result" and e.get("device")=="sim:0" and e["ok"] and e["changed"] and e["step"]=="boot"]'
ok "--resume: the verdict came from the DPU's log" events "$TMP/resume.json" \
	'[e for e in evs if e["event"]=="log" and "DPU is ready" in e.get("line", e.get("text", ""))]'
ok "--resume: no reset and no byte pushed" test "$(counters)" = "$(cat "$TMP/before")"
ok "--resume: the journal records the boot" grep -q '"steps":\["download","check","push","boot"\]' "$JOURNAL"

# --- the verdict lost (a quiet log): installed again ------------------------------
python3 - "$JOURNAL" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
j["steps"] = [s for s in j["steps"] if s != "boot"]
json.dump(j, open(sys.argv[1], "w"))
EOF
counters > "$TMP/before"
expect_rc 0 "a quiet log: --resume exit 0" fleet --resume --stall-timeout 20
cp "$TMP/rc.out" "$TMP/quiet.json"
ok "a quiet log: the run says why it installs again" \
	grep -q 'warning: sim:0: watching the boot of sim:0: no verdict, and its log has said nothing for 20 s; installing again' "$TMP/rc.err"
ok "a quiet log: pushed again, and booted" events "$TMP/quiet.json" \
	'[e for e in evs if e["event"]=="step" and e["step"]=="push"] and [e for e in evs if e["event"]=="result" and e.get("device")=="sim:0" and e["ok"] and e["changed"]]'
ok "a quiet log: the device was reset and took the bundle again" - <<'CHECK'
set -- $(cat "$TMP/before") $(counters); [ "$3" -gt "$1" ] && [ "$4" = "$(stat -c %s "$top_builddir/bfb/sample-full.bfb")" ]
CHECK

# --- a reader that died holding the log semaphore -------------------------------
# Reading the semaphore register takes it (BlueField-3: RShim offset 0xf10),
# as a reader killed mid-read leaves it. The log is read all the same.
expect_rc 0 "the log semaphore taken by a reader gone: taken" "$BFCTL" reg -r sim:0 read 0x13000f10
expect_rc 0 "... bfctl log still reads the log (exit 0)" "$BFCTL" log -r sim:0
ok "... and says it released the semaphore" \
	grep -q 'warning: sim:0: the log semaphore stayed taken for 3 s (a reader that died holding it?): releasing it' "$TMP/rc.err"
ok "... with no error" not grep -q 'error' "$TMP/rc.err"
expect_rc 0 "... the semaphore is free again: read as 0 (taken now)" "$BFCTL" reg -r sim:0 read 0x13000f10
ok "... it read 0" grep -q -- '-> 0x0000000000000000' "$TMP/rc.out"
"$BFCTL" reg -r sim:0 write 0x13000f10 0 >/dev/null
done_testing
