#!/bin/bash
# fleet.sh - bfctl provision --inventory: invalid inventories refused with
# their kind and line before anything is touched; several simulated DPUs
# (bfsim run --devices N) in one process, one failing without stopping the
# others; events per device; the cap; the journal and --resume; --plan; a
# busy device retried; one download from a real nginx for every device.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nginx.sh"

SAMPLE="$top_builddir/bfb/sample-full.bfb"
SAMPLE_BF2="$top_builddir/bfb/sample-full-bf2.bfb"
CFG="$top_srcdir/bfcfg/examples/demo.cfg"
SPEED=${BFSIM_TEST_SPEED:-50}
ST="$TMP/journals"
export BFCTL_STATE_DIR="$TMP/state"

status() {  # status STATE PYTHON-EXPR(d) -- a value from bfsim status --json
	"$BFSIM" status --state "$1" --json | python3 -c 'import json,sys
d=json.loads(sys.stdin.readline()); print(eval(sys.argv[1]))' "$2"
}
events() {  # events FILE PYTHON-EXPR(evs) -- evaluated over the JSON lines (a key twice: false)
	python3 -c 'import json,sys
def once(pairs):
    if len({k for k, _ in pairs}) != len(pairs):
        raise ValueError("a key twice: %r" % [k for k, _ in pairs])
    return dict(pairs)
evs=[json.loads(l, object_pairs_hook=once) for l in open(sys.argv[1])]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
fleet() {  # fleet N STATE ARGS... -- bfctl provision ARGS with N simulated DPUs
	local n=$1 st=$2
	shift 2
	"$BFSIM" run --devices "$n" --state "$st" --speed "$SPEED" -- "$BFCTL" provision "$@"
}

# --- invalid inventories: kind and line, exit 3, nothing touched ------------
bad() {  # bad DESC TEXT KIND LINE
	printf '%b' "$2" > "$TMP/bad.yaml"
	expect_rc 3 "$1: exit 3" "$BFCTL" provision --inventory "$TMP/bad.yaml" --state-dir "$ST"
	ok "$1: '$3' at line $4" grep -q "bad.yaml:$4:[0-9]*: $3: " "$TMP/rc.err"
}
bad "not YAML" 'devices:\n  - rshim: sim:0\n   bfb: [\n' syntax 3
bad "an unknown key" 'devices:\n  - rshim: sim:0\n    bfb: a.bfb\n    colour: red\n' unknown-key 4
bad "a device without rshim" 'defaults:\n  bfb: a.bfb\ndevices:\n  - name: x\n' missing 4
bad "a malformed sha256" 'defaults:\n  bfb: a.bfb\n  sha256: 12ab\ndevices:\n  - rshim: sim:0\n' value 3
bad "one device twice" 'defaults:\n  bfb: a.bfb\ndevices:\n  - rshim: sim:0\n  - rshim: sim:0\n' duplicate 5
bad "devices as a mapping" 'devices:\n  rshim: sim:0\n' type 2
bad "neither bundle nor profile" 'devices:\n  - rshim: sim:0\n' missing 2
bad "a name holding ESC" 'defaults:\n  bfb: a.bfb\ndevices:\n  - rshim: sim:0\n    name: "rack\\e[2Jx"\n' value 5
bad "a name holding a C1 control (CSI)" 'defaults:\n  bfb: a.bfb\ndevices:\n  - rshim: sim:0\n    name: "rack\\x9b2Jx"\n' value 5
ok "no control character of the name reached the terminal" not env LC_ALL=C grep -qP '\x1b|\x9b' "$TMP/rc.out" "$TMP/rc.err"
bad "an empty device list" 'defaults:\n  bfb: a.bfb\ndevices: []\n' missing 3
expect_rc 3 "--json: an invalid inventory still ends with a result event" \
	"$BFCTL" provision --json --inventory "$TMP/bad.yaml"
ok "--json: the result names the line" grep -q '"event":"result".*"exit_code":3.*bad.yaml:3:' "$TMP/rc.out"
ok "no journal was written" not ls "$ST"

# --- four devices, one with a bundle for another platform -------------------
cat > "$TMP/inv.yaml" <<EOF
defaults:
  bfb: $SAMPLE
  config: $CFG
devices:
  - rshim: sim:0
    name: rack7-dpu0
  - rshim: sim:1
  - rshim: sim:2
    bfb: $SAMPLE_BF2
  - rshim: sim:3
EOF
expect_rc 1 "one device failing: exit 1" fleet 4 "$TMP/devs" --inventory "$TMP/inv.yaml" --state-dir "$ST" --json
cp "$TMP/rc.out" "$TMP/run1.json"
for k in 0 1 3; do
	ok "sim:$k: the OS from the bundle is installed" test "$(status "$TMP/devs/$k" 'd["installed"]["os"]["version"]')" = 22.04
done
ok "sim:2 (wrong platform): nothing pushed, no reset" test "$(status "$TMP/devs/2" 'd["counters"]["resets"], d["counters"]["boot_bytes"]')" = "(0, 0)"
ok "one result per device, with its device" events "$TMP/run1.json" \
	'sorted(e["device"] for e in evs if e["event"]=="result" and "device" in e) == ["rack7-dpu0","sim:1","sim:2","sim:3"]'
ok "sim:2's result: exit 3 at step check, naming both platforms" events "$TMP/run1.json" \
	'[e for e in evs if e["event"]=="result" and e.get("device")=="sim:2" and e["exit_code"]==3 and e["step"]=="check" and "BlueField-2" in e["message"]]'
ok "every device event carries its device (log, push, mark, step)" events "$TMP/run1.json" \
	'all("device" in e for e in evs if e["event"] in ("log","push","mark","step")) and any(e["event"]=="log" for e in evs)'
ok "a final summary: 3 ok, 1 failed; then the command's result" events "$TMP/run1.json" \
	'[e for e in evs if e["event"]=="summary" and e["ok"]==3 and e["failed"]==1] and evs[-1]["event"]=="result" and "device" not in evs[-1] and evs[-1]["exit_code"]==1'
ok "the bundle was verified once, before any device was touched" events "$TMP/run1.json" \
	'[e["event"] for e in evs].index("verify") < [e["event"] for e in evs].index("step") and sum(1 for e in evs if e["event"]=="verify" and e["file"].endswith("sample-full.bfb"))==1'
ok "every platform check came before the first push" events "$TMP/run1.json" \
	'max(i for i,e in enumerate(evs) if e["event"]=="step" and e["step"]=="check") < min(i for i,e in enumerate(evs) if e["event"]=="step" and e["step"]=="push")'
ok "the journal records the steps done" grep -q '"steps":\["download","check","push","boot"\]' "$ST/sim_1/fleet-journal.json"
ok "the journal is not readable by others" test "$(stat -c %a "$ST/sim_1/fleet-journal.json")" = 600

# --- text: the summary table -------------------------------------------------
expect_rc 1 "text mode: exit 1" fleet 4 "$TMP/devs" --inventory "$TMP/inv.yaml" --state-dir "$ST" --resume
ok "the table has device, result, step, time and error" grep -qE '^sim:2 +invalid-input +check +[0-9:]+ +.*is for BlueField-2' "$TMP/rc.out"
ok "the devices the journal shows installed did nothing" grep -qE '^rack7-dpu0 +ok-skip +boot' "$TMP/rc.out"
ok "--resume: no new push on sim:1" test "$(status "$TMP/devs/1" 'd["counters"]["resets"]')" = 1

# --- --plan: everything checked, no device touched ---------------------------
expect_rc 1 "--plan: exit 1 (sim:2 would fail)" fleet 4 "$TMP/devs" --inventory "$TMP/inv.yaml" --state-dir "$ST" --plan --json
ok "--plan: each device says what would run" events "$TMP/rc.out" \
	'[e for e in evs if e["event"]=="plan" and e["device"]=="sim:1" and e["steps"]==["push","boot"]]'
ok "--plan: no reset anywhere" test "$(status "$TMP/devs/0" 'd["counters"]["resets"]')" = 1
ok "--plan: the journal is left as it was" grep -q '"steps":\["download","check","push","boot"\]' "$ST/sim_1/fleet-journal.json"

# --- --resume keys on the bf.cfg's content, not its size and time ------------
cp -p "$CFG" "$TMP/site.cfg"
sed "s|config: $CFG|config: $TMP/site.cfg|" "$TMP/inv.yaml" > "$TMP/inv_cfg.yaml"
expect_rc 1 "a copy of the bf.cfg, same bytes: --plan --resume exit 1" \
	fleet 4 "$TMP/devs" --inventory "$TMP/inv_cfg.yaml" --state-dir "$ST" --plan --resume --json
ok "same bytes: nothing to do for sim:1" events "$TMP/rc.out" \
	'[e for e in evs if e["event"]=="plan" and e["device"]=="sim:1" and e["steps"]==[]]'
sed -i 's/demo-only/demo-ONLY/' "$TMP/site.cfg"
touch -r "$CFG" "$TMP/site.cfg"
ok "the edited bf.cfg has the size and time of the old one" test "$(stat -c %s:%Y "$TMP/site.cfg")" = "$(stat -c %s:%Y "$CFG")"
expect_rc 1 "the bf.cfg edited: --plan --resume exit 1" \
	fleet 4 "$TMP/devs" --inventory "$TMP/inv_cfg.yaml" --state-dir "$ST" --plan --resume --json
ok "the bf.cfg edited: sim:1 would push and boot again" events "$TMP/rc.out" \
	'[e for e in evs if e["event"]=="plan" and e["device"]=="sim:1" and e["steps"]==["push","boot"]]'

# --- the cap: --parallel 1 runs one device after the other --------------------
sed -i '/sim:2/,+1d' "$TMP/inv.yaml"
expect_rc 0 "all devices fine: exit 0 (--parallel 1)" fleet 4 "$TMP/devs" --inventory "$TMP/inv.yaml" --state-dir "$ST" --parallel 1 --json
ok "--parallel 1: each device's result comes before the next one's push" events "$TMP/rc.out" \
	'all(a < b for a, b in zip([i for i,e in enumerate(evs) if e["event"]=="result" and "device" in e][:-1], [i for i,e in enumerate(evs) if e["event"]=="step" and e["step"]=="push"][1:]))'

# --- a busy device is retried, with the reason --------------------------------
"$BFSIM" run --devices 2 --state "$TMP/busy" --speed "$SPEED" -- bash -c '
	"$0" log -r sim:1 --follow > /dev/null 2>&1 & holder=$!
	sleep 1
	( for i in $(seq 600); do grep -q "\"event\":\"retry\"" "$1" 2>/dev/null && break; sleep 0.1; done; kill $holder ) &
	"$0" provision --json --inventory "$2" --state-dir "$3" --retries 5 > "$1"' \
	"$BFCTL" "$TMP/busy.json" "$TMP/inv2.yaml" "$TMP/busyst" 2>"$TMP/busy.err" <<<'' &
printf 'defaults:\n  bfb: %s\ndevices:\n  - rshim: sim:0\n  - rshim: sim:1\n' "$SAMPLE" > "$TMP/inv2.yaml"
wait $!
ok "a device held by another program: retried, then installed" events "$TMP/busy.json" \
	'[e for e in evs if e["event"]=="retry" and e["device"]=="sim:1" and "sim:1" in e["reason"]] and [e for e in evs if e["event"]=="summary" and e["ok"]==2]'

# --- a DPU that booted from eMMC instead of the stream is pushed again --------
# bfsim's emmc-boot fault: UEFI has stopped waiting when the initramfs comes
# (a host late after the reset); it boots from eMMC, finds no OS. At --speed
# 10 its no-OS line (2 simulated seconds later) usually comes after the push
# has ended, the case a verdict during the push does not cover.
"$BFSIM" run --devices 1 --fault emmc-boot --state "$TMP/emmc1" --speed 10 -- bash -c '
	"$0" install -r sim:0 -b "$1" --json > "$2/one.json" 2> "$2/one.err"; echo $? > "$2/one.rc"
	"$0" install -r sim:0 -b "$1" --json > "$2/two.json" 2> "$2/two.err"; echo $? > "$2/two.rc"' \
	"$BFCTL" "$SAMPLE" "$TMP"
ok "bfctl install: exit 6 (no-os), naming the eMMC boot and saying to install again" - <<'CHECK'
[ "$(cat "$TMP/one.rc")" = 6 ] && grep -q 'booted from its eMMC without running the pushed installer' "$TMP/one.err" &&
grep -q 'install again' "$TMP/one.err"
CHECK
ok "bfctl install again: the OS is installed" test "$(cat "$TMP/two.rc")" = 0
expect_rc 0 "a fleet with sim:1 booting from eMMC mid-push: exit 0" "$BFSIM" run --devices 2 --fault 1:emmc-boot \
	--state "$TMP/emmc" --speed 10 -- "$BFCTL" provision --json --inventory "$TMP/inv2.yaml" --state-dir "$TMP/emmcst"
ok "sim:1: its push retried, the reason the eMMC boot" events "$TMP/rc.out" \
	'[e for e in evs if e["event"]=="retry" and e["device"]=="sim:1" and "without running the pushed installer" in e["reason"]] and [e for e in evs if e["event"]=="result" and e.get("device")=="sim:1" and e["ok"] and e["retries"]==1]'
ok "sim:0: no retry" events "$TMP/rc.out" 'not [e for e in evs if e["event"]=="retry" and e["device"]=="sim:0"]'
ok "sim:1: two resets, the OS installed" test "$(status "$TMP/emmc/1" 'd["counters"]["resets"], d["installed"]["os"]["version"]')" = "(2, '22.04')"

# --- one download serves every device -----------------------------------------
if nginx_available && nginx_start; then
	cp "$SAMPLE" "$NGINX_ROOT/fleet.bfb"
	printf 'defaults:\n  bfb: %s\n  sha256: %s\ndevices:\n' "$(nginx_url fleet.bfb)" "$(sha256sum "$SAMPLE" | cut -d' ' -f1)" > "$TMP/inv3.yaml"
	for k in 0 1 2 3; do printf '  - rshim: sim:%s\n' "$k" >> "$TMP/inv3.yaml"; done
	expect_rc 0 "four devices from one URL: exit 0" fleet 4 "$TMP/devs3" --inventory "$TMP/inv3.yaml" \
		--state-dir "$TMP/st3" --cache "$TMP/cache" --json
	ok "the bundle crossed the network once" - <<'CHECK'
[ "$(nginx_count /fleet.bfb 200)" = 1 ] && [ "$(nginx_bytes /fleet.bfb)" = "$(stat -c %s "$SAMPLE")" ]
CHECK
	ok "every device has the OS" test "$(status "$TMP/devs3/3" 'd["installed"]["os"]["version"]')" = 22.04
else
	skip "one download for every device" "nginx is not available"
fi

done_testing
