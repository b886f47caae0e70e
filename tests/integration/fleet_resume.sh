#!/bin/bash
# fleet_resume.sh - a fleet run stopped part way, then --resume: bfctl
# provision --inventory over four simulated DPUs, two at a time, killed
# with SIGKILL (a crash) once the third device has started its push, and
# separately interrupted with SIGINT (Ctrl-C). The simulated devices keep
# running, as hardware does. --resume then finishes every device; a device
# whose journal shows it installed is not pushed again (no push step, no
# reset, no boot byte); running the inventory once more touches nothing.
if [ -z "${FLEET_RESUME_INNER:-}" ]; then
	. "$(dirname "$0")/lib.sh"
	export FLEET_RESUME_INNER=1 FLEET_RESUME_DEVS="$TMP/devs"
	# The TAP comes from the inner script, run under bfsim with 4 devices.
	"$BFSIM" run --devices 4 --state "$TMP/devs" --speed "${BFSIM_TEST_SPEED:-5}" -- bash "$0"
	exit $?
fi
. "$(dirname "$0")/lib.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
ST="$TMP/journals"
export BFCTL_STATE_DIR="$TMP/state"
cat > "$TMP/inv.yaml" <<EOF
defaults:
  bfb: $SAMPLE
devices:
  - rshim: sim:0
  - rshim: sim:1
  - rshim: sim:2
  - rshim: sim:3
EOF

counters() {  # counters K -- "resets boot_bytes" of sim:K, live
	"$BFSIM" status --state "$FLEET_RESUME_DEVS/$1" --json | python3 -c 'import json,sys
c=json.loads(sys.stdin.readline())["counters"]; print(c["resets"], c["boot_bytes"])'
}
events() {  # events FILE PYTHON-EXPR(evs) -- evaluated over the JSON lines
	python3 -c 'import json,sys
evs=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
installed() {  # installed K -- the journal of sim:K records the boot
	grep -q '"steps":\["download","check","push","boot"\]' "$ST/sim_$1/fleet-journal.json" 2>/dev/null
}
wait_for() {  # wait_for FILE PYTHON-EXPR(evs) -- up to 300 s
	local i
	for i in $(seq 3000); do
		events "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# start SIGNAL OUT ARGS -- a run, signalled once a third device starts its
# push (two of them are then installed, at most two are in flight).
start() {
	local sig=$1 out=$2 pid
	shift 2
	"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --state-dir "$ST" --parallel 2 "$@" > "$out" 2> "$out.err" &
	pid=$!
	wait_for "$out" 'len({e["device"] for e in evs if e["event"]=="step" and e["step"]=="push"}) >= 3'
	kill "-$sig" "$pid"
	wait "$pid" 2>/dev/null
}

# --- a crash (SIGKILL) part way ------------------------------------------------
start KILL "$TMP/kill.json"
ok "SIGKILL: the run died (exit 137)" test $? = 137
ok "SIGKILL: no summary was written" not grep -q '"event":"summary"' "$TMP/kill.json"
done_before=""
for k in 0 1 2 3; do
	if installed $k; then done_before="$done_before $k"; fi
	echo "$(counters $k)" > "$TMP/before.$k"
done
echo "# installed before the crash:$done_before"
ok "the crash came part way: some devices installed, some not" - <<'CHECK'
n=$(echo $done_before | wc -w); [ "$n" -ge 1 ] && [ "$n" -le 3 ]
CHECK
ok "a device in flight has its check but not its boot in the journal" - <<'CHECK'
(
for k in 0 1 2 3; do
	grep -q '"check"' "$ST/sim_$k/fleet-journal.json" && ! installed $k && exit 0
done
exit 1
)
CHECK

expect_rc 0 "--resume after the crash: every device ok" \
	"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --state-dir "$ST" --parallel 2 --resume
cp "$TMP/rc.out" "$TMP/resume1.json"
for k in 0 1 2 3; do
	ok "sim:$k: installed (journal)" installed $k
done
for k in $done_before; do
	ok "sim:$k (installed before the crash): no push step on --resume" events "$TMP/resume1.json" \
		"not [e for e in evs if e.get('device')=='sim:$k' and e['event']=='step' and e['step']=='push'] and [e for e in evs if e['event']=='result' and e.get('device')=='sim:$k' and e['skipped'] and not e['changed']]"
	ok "sim:$k: no reset, no byte pushed since the crash" test "$(counters $k)" = "$(cat "$TMP/before.$k")"
done
ok "--resume: the devices not installed were pushed and booted" events "$TMP/resume1.json" \
	"all([e for e in evs if e['event']=='result' and e.get('device')=='sim:%d' % k and e['changed'] and e['step']=='boot'] for k in range(4) if ' %d' % k not in '$done_before')"
ok "--resume: the summary counts 4 ok" events "$TMP/resume1.json" \
	'[e for e in evs if e["event"]=="summary" and e["ok"]==4 and e["failed"]==0]'

# --- the same inventory once more: nothing touched ----------------------------
for k in 0 1 2 3; do echo "$(counters $k)" > "$TMP/before.$k"; done
expect_rc 0 "the same inventory again (--resume): exit 0" \
	"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --state-dir "$ST" --resume
ok "again: every device skipped, none changed, no push" events "$TMP/rc.out" \
	'[e for e in evs if e["event"]=="summary" and e["skipped"]==4 and e["changed"]==0] and not [e for e in evs if e["event"]=="step" and e["step"]=="push"]'
ok "again: no reset and no byte pushed on any device" - <<'CHECK'
(
for k in 0 1 2 3; do [ "$(counters $k)" = "$(cat "$TMP/before.$k")" ] || exit 1; done
)
CHECK

# --- Ctrl-C (SIGINT) part way ---------------------------------------------------
rm -rf "$ST"
start INT "$TMP/int.json"
ok "SIGINT: exit 130" test $? = 130
ok "SIGINT: a result per device, the summary, a final result 'interrupted'" events "$TMP/int.json" \
	'len([e for e in evs if e["event"]=="result" and "device" in e])==4 and [e for e in evs if e["event"]=="summary"] and evs[-1]["event"]=="result" and evs[-1]["exit_code"]==130'
ok "SIGINT: the devices it stopped say so (exit 130)" events "$TMP/int.json" \
	'[e for e in evs if e["event"]=="result" and "device" in e and e["exit_code"]==130]'
done_before=""
for k in 0 1 2 3; do
	if installed $k; then done_before="$done_before $k"; fi
	echo "$(counters $k)" > "$TMP/before.$k"
done
echo "# installed before Ctrl-C:$done_before"
ok "Ctrl-C came part way" - <<'CHECK'
n=$(echo $done_before | wc -w); [ "$n" -ge 1 ] && [ "$n" -le 3 ]
CHECK
expect_rc 0 "--resume after Ctrl-C: every device ok" \
	"$BFCTL" provision --json --inventory "$TMP/inv.yaml" --state-dir "$ST" --parallel 2 --resume
cp "$TMP/rc.out" "$TMP/resume2.json"
for k in $done_before; do
	ok "sim:$k (installed before Ctrl-C): not pushed again" - <<CHECK
[ "\$(counters $k)" = "\$(cat "$TMP/before.$k")" ] && ! grep -q '"device":"sim:$k","step":"push"' "$TMP/resume2.json"
CHECK
done
ok "--resume after Ctrl-C: the 4 journals record the boot" - <<'CHECK'
(
for k in 0 1 2 3; do installed $k || exit 1; done
)
CHECK

done_testing
