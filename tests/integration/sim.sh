#!/bin/bash
# sim.sh - the bfsim program: bundle, run (environment, exit status,
# signals, temporary state), status --json, usage errors.
. "$(dirname "$0")/lib.sh"

for cmd in bundle run status; do
	expect_rc 0 "bfsim $cmd --help" "$BFSIM" "$cmd" --help
	ok "bfsim $cmd --help prints the usage" grep -q "bfsim bundle" "$TMP/rc.out"
done
expect_rc 2 "unknown command: exit 2" "$BFSIM" frobnicate
expect_rc 2 "run without a command: exit 2" "$BFSIM" run
expect_rc 2 "bad --chip: exit 2" "$BFSIM" run --chip bf9 -- true
expect_rc 2 "bad --fault: exit 2" "$BFSIM" run --fault melt -- true

# bundle
expect_rc 0 "bundle --kind fw --chip bf2" "$BFSIM" bundle -o "$TMP/fw.bfb" --kind fw --chip bf2
ok "the bundle starts with the BFB magic" - <<'CHECK'
[ -s "$TMP/fw.bfb" ] && [ "$(head -c 4 "$TMP/fw.bfb" | od -An -tx1 | tr -d ' ')" = "42660213" ]
CHECK
expect_rc 8 "bundle refuses to overwrite" "$BFSIM" bundle -o "$TMP/fw.bfb"
expect_rc 0 "bundle --size 1" "$BFSIM" bundle -o "$TMP/full.bfb" --size 1 --force

# run: environment, exit status, signals, temporary state
expect_rc 0 "run exports the device settings" \
	"$BFSIM" run --chip bf2 --speed 7 --fault corrupt-log -- sh -c 'echo "$BFSIM_CHIP $BFSIM_SPEED $BFSIM_FAULT $BFSIM_STATE"'
read -r chip speed fault state < "$TMP/rc.out"
ok "COMMAND sees BFSIM_CHIP, BFSIM_SPEED, BFSIM_FAULT" [ "$chip $speed $fault" = "bf2 7 corrupt-log" ]
ok "the temporary state directory is removed afterwards" - <<'CHECK'
[ -n "$state" ] && [ ! -e "$state" ]
CHECK
expect_rc 42 "run propagates COMMAND's exit status" "$BFSIM" run -- sh -c 'exit 42'
expect_rc 143 "run: COMMAND killed by SIGTERM gives 128+15" "$BFSIM" run -- sh -c 'kill -TERM $$'
expect_rc 127 "run: a missing COMMAND gives 127" "$BFSIM" run -- /nonexistent/cmd
"$BFSIM" run -- sleep 30 & pid=$!
sleep 0.5
kill -INT $pid
wait $pid
ok "SIGINT to bfsim run reaches COMMAND (exit 130)" [ $? -eq 130 ]

# status --json on a device that booted
st="$TMP/state"
if [ -x "$BFCTL" ]; then
	expect_rc 0 "install into a kept state" \
		"$BFSIM" run --state "$st" --speed 100 -- "$BFCTL" install -r sim:0 -b "$TMP/full.bfb" --timeout 120
	expect_rc 0 "status --json" "$BFSIM" status --state "$st" --json
	ok "status --json: phase os, installed versions, counters" - <<'CHECK'
python3 - "$TMP/rc.out" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["event"] == "status", d
assert d["chip"] == "bf3" and d["phase"] == "os", d
assert d["installed"]["os"]["version"] == "22.04", d["installed"]
assert d["installed"]["nic_fw"]["version"], d["installed"]
assert d["counters"]["boot_bytes"] > 0 and d["counters"]["resets"] >= 1, d["counters"]
assert d["password_set"] is False
PY
CHECK
	expect_rc 0 "status (text)" "$BFSIM" status --state "$st"
	ok "status text shows the phase" grep -q '^phase *os' "$TMP/rc.out"
else
	skip "install into a kept state" "no bfctl"
fi
expect_rc 3 "status of an empty directory: exit 3" "$BFSIM" status --state "$TMP/empty"
printf '{"chip": 5, "ring": [null, {}], "events": [7, {"text": null}], "phase": []}' > "$TMP/hostile.json"
mkdir -p "$TMP/hostile" && cp "$TMP/hostile.json" "$TMP/hostile/runtime.json"
expect_rc 0 "a device with hostile runtime.json does not crash a command" \
	"$BFSIM" run --state "$TMP/hostile" -- true

done_testing
