#!/bin/bash
# sim.sh - the bfsim program: bundle, run (environment, the socket,
# --devices, exit status, signals, temporary state, processes COMMAND
# leaves), serve, status --json, usage errors.
. "$(dirname "$0")/lib.sh"

for cmd in bundle run serve status; do
	expect_rc 0 "bfsim $cmd --help" "$BFSIM" "$cmd" --help
	check "bfsim $cmd --help prints its own usage" grep -q "^Usage: bfsim $cmd " "$TMP/rc.out"
	check "bfsim $cmd --help shows only its own" sh -c "! grep -Eq '^ +bfsim (bundle|run|serve|status|fwimage) ' '$TMP/rc.out'"
done
expect_rc 0 "bfsim run --help" "$BFSIM" run --help
check "run --help lists --devices" grep -q -- '--devices N' "$TMP/rc.out"
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

# run: environment, the socket, exit status, signals, temporary state
expect_rc 0 "run names its socket" "$BFSIM" run --chip bf2 --speed 7 --fault corrupt-log -- sh -c \
	'echo "$BFSIM_SOCKET $BFSIM_STATE ${BFSIM_SPEED-unset} ${BFSIM_CHIP-unset} ${BFSIM_FAULT-unset}"
	 stat -c "%a %F" "$BFSIM_SOCKET" "$(dirname "$BFSIM_SOCKET")"'
read -r sock state rest < "$TMP/rc.out"
check "COMMAND sees BFSIM_SOCKET and BFSIM_STATE, no settings for the library" test "$rest" = "unset unset unset"
check "the socket is 600, its directory 700" \
	sh -c "sed -n 2,3p '$TMP/rc.out' | tr '\n' ' ' | grep -qx '600 socket 700 directory '"
check "the socket and the temporary state are removed afterwards" \
	sh -c "[ -n '$sock' ] && [ ! -e '$sock' ] && [ -n '$state' ] && [ ! -e '$state' ]"
expect_rc 0 "the device reports its chip and speed over the socket" \
	"$BFSIM" run --chip bf2 --speed 7 -- "$BFCTL" list --json -v
check "list: sim:0 is a BlueField-2" grep -q '"name":"sim:0","chip":"bf2"' "$TMP/rc.out"
expect_rc 0 "outside bfsim, list" env -u BFSIM_SOCKET "$BFCTL" list
check "outside bfsim, list shows no simulated device" sh -c "! grep -q '^sim:' '$TMP/rc.out'"
expect_rc 4 "outside bfsim, sim:0 is no device" env -u BFSIM_SOCKET "$BFCTL" reg -r sim:0 read 0x13000c68
check "the error says where simulated devices are" grep -q "exist only under 'bfsim run'" "$TMP/rc.err"

# --devices N: sim:0 ... sim:N-1, each with its own state
expect_rc 0 "run --devices 3" "$BFSIM" run --devices 3 --state "$TMP/three" -- sh -c \
	"'$BFCTL' reg -r sim:1 write 0x13000c68 0x1111 && '$BFCTL' reg -r sim:2 write 0x13000c68 0x2222 &&
	 '$BFCTL' reg -r sim:0 read 0x13000c68 && '$BFCTL' reg -r sim:2 read 0x13000c68 && '$BFCTL' list"
check "each device has its own registers" \
	sh -c "grep -q '0x0000000000000000' '$TMP/rc.out' && grep -q '0x0000000000002222' '$TMP/rc.out'"
check "list shows sim:0, sim:1 and sim:2" sh -c "[ \$(grep -c '^sim:[012] ' '$TMP/rc.out') = 3 ]"
check "each device keeps its state in DIR/N" test -s "$TMP/three/0/runtime.json" -a -s "$TMP/three/2/runtime.json"
expect_rc 4 "sim:3 of three devices" "$BFSIM" run --devices 3 -- "$BFCTL" reg -r sim:3 read 0x13000c68
check "the error names the devices there are" grep -q 'serves sim:0 to sim:2' "$TMP/rc.err"
expect_rc 2 "--devices 0: exit 2" "$BFSIM" run --devices 0 -- true

# serve: a long-running server; any program with BFSIM_SOCKET reaches it
"$BFSIM" serve --state "$TMP/served" --devices 2 > "$TMP/serve.out" 2>"$TMP/serve.err" & spid=$!
for i in $(seq 100); do grep -q '^BFSIM_SOCKET=' "$TMP/serve.out" && break; sleep 0.1; done
check "serve prints BFSIM_SOCKET=PATH" grep -q '^BFSIM_SOCKET=/' "$TMP/serve.out"
ssock=$(sed -n 's/^BFSIM_SOCKET=//p' "$TMP/serve.out")
expect_rc 0 "a register written through the served sim:1" \
	env BFSIM_SOCKET="$ssock" "$BFCTL" reg -r sim:1 write 0x13000c68 0x5151
kill -TERM "$spid"
wait "$spid"
check "serve ends on SIGTERM (exit 0)" test $? -eq 0
check "the served device kept the register in its state" grep -q '5151' "$TMP/served/1/runtime.json"
check "serve removed its socket" test ! -e "$ssock"
expect_rc 2 "serve without --state: exit 2" "$BFSIM" serve
expect_rc 42 "run propagates COMMAND's exit status" "$BFSIM" run -- sh -c 'exit 42'
expect_rc 143 "run: COMMAND killed by SIGTERM gives 128+15" "$BFSIM" run -- sh -c 'kill -TERM $$'
expect_rc 127 "run: a missing COMMAND gives 127" "$BFSIM" run -- /nonexistent/cmd
"$BFSIM" run -- sleep 30 & pid=$!
sleep 0.5
kill -INT $pid
wait $pid
ok "SIGINT to bfsim run reaches COMMAND (exit 130)" [ $? -eq 130 ]
"$BFSIM" run -- sh -c 'echo "$BFSIM_STATE" > "$0"; exec sleep 30' "$TMP/hup.state" & pid=$!
for i in $(seq 50); do [ -s "$TMP/hup.state" ] && break; sleep 0.1; done
kill -HUP $pid
wait $pid
check "SIGHUP to bfsim run reaches COMMAND (exit 129)" test $? -eq 129
check "after SIGHUP the temporary state is removed" sh -c "[ -s '$TMP/hup.state' ] && [ ! -e \"\$(cat '$TMP/hup.state')\" ]"

# A daemon COMMAND started and left running is named and ended.
# COMMAND returns only once its child has become sleep: before its exec the
# child is still named sh, and under load bfsim could name it that (CI did).
expect_rc 0 "run: COMMAND leaves a daemon behind" "$BFSIM" run -- sh -c "sleep 300 & p=\$!; echo \$p > '$TMP/daemon.pid'
	for i in \$(seq 200); do [ \"\$(cat /proc/\$p/comm)\" = sleep ] && break; sleep 0.05; done"
check "bfsim warns about the process COMMAND left running" grep -q "left process $(cat "$TMP/daemon.pid") (sleep) running: ending it" "$TMP/rc.err"
grep -q "(sleep) running" "$TMP/rc.err" || sed 's/^/# bfsim said: /' "$TMP/rc.err"
check "the process is gone afterwards" sh -c "! kill -0 \$(cat '$TMP/daemon.pid') 2>/dev/null"
expect_rc 0 "run: nothing left behind, no warning" "$BFSIM" run -- true
check "no warning when COMMAND leaves nothing" sh -c "! grep -q 'left process' '$TMP/rc.err'"

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
expect_rc 1 "a device with a hostile runtime.json is refused, without a crash" \
	"$BFSIM" run --state "$TMP/hostile" -- true
check "the refusal names the state directory" grep -q "the state in $TMP/hostile" "$TMP/rc.err"
check "the refused state is left as it was" cmp -s "$TMP/hostile.json" "$TMP/hostile/runtime.json"

# A state of another chip is refused with both chips named (the names come
# from the state file, read before it is let go).
"$BFSIM" run --state "$TMP/bf3state" -- true >/dev/null 2>&1
expect_rc 1 "a BlueField-3 state under --chip bf2 is refused" "$BFSIM" run --chip bf2 --state "$TMP/bf3state" -- true
check "the refusal names both chips and the remedy" \
	grep -q "the state in $TMP/bf3state belongs to a bf3, not a bf2: use --chip bf3 or another --state" "$TMP/rc.err"

done_testing
